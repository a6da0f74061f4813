//! Search: the JSON API (`/api/search`, with CSV and NDJSON exports), the search page that is
//! also the home page, and the about page.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::blocking::blocking as api_blocking;
use super::error::{ApiError, ErrorBody};
use super::export;
use super::html::blocking;
use super::html::{base_url, chrome, existing_ids, page_lang, pages, PageError, PageResult};
use super::params::{self, parse_search, Format};
use super::state::AppState;
use crate::index::SearchResponse;
use crate::pages::{id_candidates, Landing, LawDetail, SearchExtras};
use crate::taxonomy::Lang;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(search_page))
        .route("/about", get(about_page))
        .route("/api/search", get(search_query))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(search_query))]
pub(crate) struct Paths;

#[utoipa::path(get, path = "/api/search", tag = "search",
    params(params::SearchParams),
    responses(
        (status = 200, description = "A page of results with facet counts (format=json), or every match streamed (format=csv, ndjson)",
            content(
                (SearchResponse = "application/json"),
                (String = "text/csv"),
                (String = "application/x-ndjson"))),
        (status = 400, description = "invalid_parameter or invalid_filter, naming the parameter", body = ErrorBody)))]
pub(crate) async fn search_query(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (request, format) = params::parse_search(raw.as_deref(), &headers)?;
    if format != Format::Json {
        return export::export(state, request, format).await;
    }
    let kb = state.kb();
    let response = api_blocking(move || Ok(kb.search(&request)?)).await?;
    Ok(Json(response).into_response())
}

async fn search_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    // Read leniently below, a bad encoding would be searched for as U+FFFD.
    params::check_encoding(raw.as_deref()).map_err(|e| PageError::from_api(e, lang))?;
    let lenient = LenientSearch::read(raw.as_deref(), lang);
    let (mut request, _) =
        parse_search(Some(&lenient.query), &headers).map_err(|e| PageError::from_api(e, lang))?;
    request.lang = lang;
    let is_home = request.q.is_empty()
        && request.filters.is_empty()
        && request.year_from.is_none()
        && request.year_to.is_none()
        && request.sort.is_none()
        && request.page == 1
        && lenient.year_problem.is_none();
    let mut extras = SearchExtras {
        chrome: chrome(&state, &headers),
        year_problem: lenient.year_problem,
        year_from_text: lenient.year_from_text,
        year_to_text: lenient.year_to_text,
        ..Default::default()
    };
    let kb = state.kb();
    let html = blocking(lang, move || {
        let response = kb.search(&request)?;
        for hit in &response.hits {
            if hit.doc_type == "law" {
                if let Some(record) = kb.document(&hit.id)? {
                    extras.laws.insert(
                        hit.id.clone(),
                        LawDetail {
                            status: record.meta.status.clone(),
                            shareable: record.meta.shareable,
                        },
                    );
                }
            }
        }
        let candidates: std::collections::BTreeSet<String> = response
            .hits
            .iter()
            .flat_map(|hit| id_candidates(&hit.snippet_html))
            .collect();
        extras.known_ids = existing_ids(&kb, candidates)?;
        if is_home {
            let stats = kb.stats()?;
            let countries = response
                .facets
                .iter()
                .find(|f| f.group == crate::index::FacetGroup::Country)
                .map_or(0, |f| f.values.iter().filter(|v| v.count > 0).count());
            extras.landing = Some(Landing {
                documents: stats.documents,
                by_type: stats.by_type,
                countries,
            });
        }
        Ok(pages().search_page(&request, &response, &kb.taxonomy(), &extras))
    })
    .await?;
    Ok(Html(html).into_response())
}

/// The search page's URL read leniently, as people and old links write it: empty fields mean
/// "not set", a parameter that takes one value counts once (by its last value: an old link
/// may carry `sort` twice), and a year range that cannot be used is said next to the year
/// fields (the search runs without it) instead of failing the page.
struct LenientSearch {
    /// The query string to read as the API would.
    query: String,
    year_problem: Option<String>,
    year_from_text: Option<String>,
    year_to_text: Option<String>,
}

impl LenientSearch {
    fn read(raw: Option<&str>, lang: Lang) -> LenientSearch {
        const SINGLE: [&str; 7] = [
            "q",
            "sort",
            "page",
            "page_size",
            "lang",
            "year_from",
            "year_to",
        ];
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        for name in SINGLE {
            if let Some(last) = pairs.iter().rposition(|(k, _)| k == name) {
                let mut index = 0;
                pairs.retain(|(k, _)| {
                    let keep = k != name || index == last;
                    index += 1;
                    keep
                });
            }
        }
        let take = |pairs: &mut Vec<(String, String)>, name: &str| {
            let at = pairs.iter().position(|(k, _)| k == name)?;
            Some(pairs.remove(at).1.trim().to_string())
        };
        let year_from_text = take(&mut pairs, "year_from");
        let year_to_text = take(&mut pairs, "year_to");
        let year = |text: &Option<String>| -> Result<Option<i32>, ()> {
            match text {
                None => Ok(None),
                Some(text) => text
                    .parse::<i32>()
                    .ok()
                    .filter(|y| (-9999..=9999).contains(y))
                    .map(Some)
                    .ok_or(()),
            }
        };
        let t = crate::pages::text(lang);
        let year_problem = match (year(&year_from_text), year(&year_to_text)) {
            (Ok(from), Ok(to)) => {
                if let (Some(from), Some(to)) = (from, to) {
                    (from > to).then(|| t["year_order"].to_string())
                } else {
                    None
                }
            }
            _ => Some(format!("{} {}", t["year_not_number"], t["year_ignored"])),
        };
        if year_problem.is_none() {
            pairs.extend(
                year_from_text
                    .iter()
                    .map(|y| ("year_from".to_string(), y.clone())),
            );
            pairs.extend(
                year_to_text
                    .iter()
                    .map(|y| ("year_to".to_string(), y.clone())),
            );
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        LenientSearch {
            query,
            year_problem,
            year_from_text,
            year_to_text,
        }
    }
}

async fn about_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let chrome = chrome(&state, &headers);
    let base = base_url(&state, &headers);
    let kb = state.kb();
    let html = blocking(lang, move || {
        let documents = kb.stats()?.documents;
        let (latest, _) = kb.store().audit_log(0, 1)?;
        Ok(pages().about(
            lang,
            chrome,
            &kb.taxonomy(),
            documents,
            latest.first().map(|e| e.at.as_str()),
            &base,
        ))
    })
    .await?;
    Ok(Html(html).into_response())
}
