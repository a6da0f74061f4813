//! The Atom feed (RFC 4287): the newest and most recently updated documents matching a search,
//! so that a researcher can follow, say, new laws in Latin America on hate speech in a feed
//! reader. Entries are ordered by last change; an entry's id is stable across revisions, so a
//! reader shows an update as the same entry changed.

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::blocking::blocking;
use super::error::{ApiError, ErrorBody};
use super::params;
use super::state::AppState;
use crate::document::markdown::to_safe_html;
use crate::index::search::value_label;
use crate::index::{FacetGroup, SearchRequest};
use crate::KnowledgeBase;

/// Entries in one feed.
pub(crate) const MAX_ENTRIES: usize = 50;

/// XML 1.0 cannot carry most control characters, even escaped: drop them.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

/// A plain-words description of a request's filters, for the feed's subtitle.
fn describe(request: &SearchRequest, kb: &KnowledgeBase) -> String {
    let taxonomy = kb.taxonomy();
    let mut parts = Vec::new();
    if !request.q.trim().is_empty() {
        parts.push(format!("\"{}\"", request.q.trim()));
    }
    for (group, values) in &request.filters {
        let labels: Vec<String> = values
            .iter()
            .map(|v| value_label(*group, v, &taxonomy, request.lang))
            .collect();
        parts.push(format!(
            "{}: {}",
            group.label(request.lang),
            labels.join(" or ")
        ));
    }
    match (request.year_from, request.year_to) {
        (Some(from), Some(to)) => parts.push(format!("{from}–{to}")),
        (Some(from), None) => parts.push(format!("from {from}")),
        (None, Some(to)) => parts.push(format!("until {to}")),
        (None, None) => {}
    }
    if parts.is_empty() {
        "All documents".to_string()
    } else {
        parts.join("; ")
    }
}

/// Builds the feed for `request`. `base` is the server's URL (no trailing slash); `self_url`
/// is this feed's own URL.
pub(crate) fn build(
    kb: &KnowledgeBase,
    request: &SearchRequest,
    base: &str,
    self_url: &str,
) -> Result<String, ApiError> {
    // The recency index gives the latest changes first: only the entries shown are read.
    let records = kb.recent_documents(request, MAX_ENTRIES)?;
    let taxonomy = kb.taxonomy();
    let updated = records
        .first()
        .map(|r| r.last_modified.clone())
        // An empty feed changes when it is read: nothing older is true of it.
        .unwrap_or_else(crate::store::now);

    let io = |error: std::io::Error| ApiError::Internal(format!("writing the feed: {error}"));
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .map_err(io)?;
    let subtitle = describe(request, kb);
    writer
        .create_element("feed")
        .with_attribute(("xmlns", "http://www.w3.org/2005/Atom"))
        .with_attribute(("xml:lang", request.lang.code()))
        .write_inner_content(|w| {
            let text = |w: &mut Writer<Vec<u8>>, name: &str, value: &str| {
                w.create_element(name)
                    .write_text_content(BytesText::new(&xml_text(value)))
                    .map(|_| ())
            };
            text(w, "title", "Praxis: new and updated documents")?;
            text(w, "subtitle", &subtitle)?;
            text(w, "id", self_url)?;
            w.create_element("link")
                .with_attribute(("rel", "self"))
                .with_attribute(("type", "application/atom+xml"))
                .with_attribute(("href", xml_text(self_url).as_str()))
                .write_empty()?;
            text(w, "updated", &updated)?;
            w.create_element("author")
                .write_inner_content(|w| text(w, "name", "Praxis"))?;
            text(w, "generator", "Praxis")?;
            for record in &records {
                let meta = &record.meta;
                let url = format!("{base}/documents/{}", meta.id);
                w.create_element("entry").write_inner_content(|w| {
                    text(w, "title", &meta.title)?;
                    // Stable across revisions, so an update replaces the entry in readers.
                    text(w, "id", &format!("urn:praxis:document:{}", meta.id))?;
                    text(w, "updated", &record.last_modified)?;
                    text(w, "published", &record.first_ingested)?;
                    w.create_element("link")
                        .with_attribute(("rel", "alternate"))
                        .with_attribute(("type", "text/html"))
                        .with_attribute(("href", xml_text(&url).as_str()))
                        .write_empty()?;
                    let categories = std::iter::once((FacetGroup::Type, &meta.doc_type))
                        .chain(meta.themes.iter().map(|t| (FacetGroup::Theme, t)))
                        .chain(meta.countries.iter().map(|c| (FacetGroup::Country, c)));
                    for (group, value) in categories {
                        let label = value_label(group, value, &taxonomy, request.lang);
                        w.create_element("category")
                            .with_attribute(("scheme", group.key()))
                            .with_attribute(("term", xml_text(value).as_str()))
                            .with_attribute(("label", xml_text(&label).as_str()))
                            .write_empty()?;
                    }
                    w.create_element("summary")
                        .with_attribute(("type", "text"))
                        .write_text_content(BytesText::new(&xml_text(&meta.summary)))?;
                    w.create_element("content")
                        .with_attribute(("type", "html"))
                        .write_text_content(BytesText::new(&xml_text(&to_safe_html(
                            &record.body,
                        ))))?;
                    Ok(())
                })?;
            }
            Ok(())
        })
        .map_err(io)?;
    String::from_utf8(writer.into_inner())
        .map_err(|e| ApiError::Internal(format!("the feed is not UTF-8: {e}")))
}

pub(crate) fn router() -> axum::Router<super::state::AppState> {
    axum::Router::new().route("/feed.atom", axum::routing::get(feed_show))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(feed_show))]
pub(crate) struct Paths;

#[utoipa::path(get, path = "/feed.atom", tag = "search",
    params(params::FeedParams),
    responses(
        (status = 200, description = "Atom feed of the newest and most recently updated matching documents", body = String, content_type = "application/atom+xml"),
        (status = 400, description = "invalid_parameter or invalid_filter", body = ErrorBody)))]
pub(crate) async fn feed_show(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = params::parse_feed(raw.as_deref(), &headers)?;
    let base = match &state.config().public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| {
                    h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
                })
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    };
    let self_url = format!(
        "{base}/feed.atom{}",
        raw.as_deref()
            .filter(|q| !q.is_empty())
            .map(|q| format!("?{q}"))
            .unwrap_or_default()
    );
    let kb = state.kb();
    let xml = blocking(move || build(&kb, &request, &base, &self_url)).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(xml_text("a\u{1}b\tc\nd"), "ab\tc\nd");
    }
}
