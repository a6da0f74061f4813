//! The web pages: search, documents, history and diffs, and the curator desk. Handlers fetch
//! data from the knowledge base (off the async workers) and render [`crate::pages`].
//!
//! The desk signs curators in with their token and keeps a server-side session (see
//! [`super::auth::Sessions`]), whose random id is in an HttpOnly, SameSite=Strict cookie.
//! Every form that writes carries a CSRF token derived from the session (a keyed hash with a
//! secret made at start-up), and cross-origin posts are refused outright.

use axum::body::Bytes;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use super::params::{lang_from_headers, parse_search};
use super::{ApiError, AppState};
use crate::document::{parse_document, Problem};
use crate::pages::{
    id_candidates, Chrome, Desk, DocumentExtras, DocumentForm, Landing, LawDetail, Pages,
    SearchExtras,
};
use crate::store::Upsert;
use crate::taxonomy::Lang;

pub(super) const SESSION_COOKIE: &str = "praxis_curator";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(search_page))
        .route("/about", get(about_page))
        .route("/documents/{id}", get(document_page))
        .route("/documents/{id}/history", get(history_page))
        .route("/documents/{id}/revisions/{number}", get(revision_page))
        .route("/documents/{id}/diff", get(diff_page))
        .route("/static/{file}", get(static_file))
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/static/favicon.svg") }),
        )
        .route("/curate", get(desk_page))
        .route("/curate/login", post(desk_login))
        .route("/curate/logout", post(desk_logout))
        .route("/curate/documents", post(desk_create))
        .route("/curate/upload", post(desk_upload))
        .route("/curate/source", post(desk_source))
        .route("/curate/edit", get(desk_edit))
        .route("/curate/documents/{id}", post(desk_save))
        .route("/curate/withdraw", get(desk_withdraw_confirm))
        .route("/curate/documents/{id}/withdraw", post(desk_withdraw))
        .route("/curate/documents/{id}/restore", post(desk_restore))
}

pub(super) fn pages() -> &'static Pages {
    static PAGES: std::sync::OnceLock<Pages> = std::sync::OnceLock::new();
    PAGES.get_or_init(Pages::new)
}

/// An HTML error page, in the reader's language.
pub(super) struct PageError {
    status: StatusCode,
    message: String,
    lang: Lang,
}

impl PageError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>, lang: Lang) -> Self {
        PageError {
            status,
            message: message.into(),
            lang,
        }
    }

    pub(super) fn from_api(error: ApiError, lang: Lang) -> Self {
        let status = error.status();
        if let ApiError::Internal(detail) = &error {
            tracing::error!(error = %detail, "a page failed");
        }
        // The API's message: safe to show (5xx details stay in the log).
        let message = error.message();
        PageError {
            status,
            message,
            lang,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let html = pages().error(self.status.as_u16(), &self.message, self.lang);
        (self.status, Html(html)).into_response()
    }
}

pub(super) type PageResult = Result<Response, PageError>;

/// The HTML error page for a page request refused before its handler ran (by the limits).
pub(crate) fn refusal_page(error: ApiError, headers: &HeaderMap, query: Option<&str>) -> Response {
    PageError::from_api(error, page_lang(query, headers)).into_response()
}

pub(super) async fn blocking<T: Send + 'static>(
    lang: Lang,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, PageError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(|e| PageError::from_api(e, lang)),
        Err(join) => Err(PageError::from_api(join.into(), lang)),
    }
}

/// The interface language: `?lang=`, else the browser's `Accept-Language`, else English.
pub(super) fn page_lang(raw: Option<&str>, headers: &HeaderMap) -> Lang {
    raw.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| v.parse().ok())
    })
    .unwrap_or_else(|| lang_from_headers(headers))
}

pub(super) fn query_value(raw: Option<&str>, name: &str) -> Option<String> {
    raw.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    })
}

pub(super) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config().public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

// --- reading ---------------------------------------------------------------------------------

async fn search_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers);
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

/// The ids among `candidates` that are documents readers can open.
fn existing_ids(
    kb: &crate::KnowledgeBase,
    candidates: std::collections::BTreeSet<String>,
) -> Result<std::collections::BTreeSet<String>, ApiError> {
    let mut known = std::collections::BTreeSet::new();
    for id in candidates {
        if kb.document(&id)?.is_some_and(|r| !r.withdrawn) {
            known.insert(id);
        }
    }
    Ok(known)
}

/// What the frame of every page needs: whether to offer the desk and "Edit".
pub(super) fn chrome(state: &AppState, headers: &HeaderMap) -> Chrome {
    let session = session_token(headers);
    Chrome {
        curators: !state.tokens().is_empty(),
        signed_in: signed_in(state, headers).is_some(),
        contributor: session.is_some_and(|s| state.sessions().contributor(&s).is_some()),
    }
}

/// The search the reader came from (this site's search page in `Referer`), for "Back to
/// search"; links and shared URLs without one go to the home page.
fn back_to_search(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer.split_once("://")?.1;
    let path = rest.strip_prefix(host)?;
    let path = path.split('#').next().unwrap_or(path);
    (path == "/" || path.starts_with("/?")).then(|| path.to_string())
}

async fn about_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers);
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

/// Renders a page about a document off the async workers; `None` from `work` (no such
/// document or revision) is a 404 naming `missing`.
async fn document_view(
    lang: Lang,
    missing: String,
    work: impl FnOnce() -> Result<Option<String>, ApiError> + Send + 'static,
) -> PageResult {
    let html = blocking(lang, work).await?;
    html.map(|h| Html(h).into_response())
        .ok_or_else(|| not_found(&missing, lang))
}

pub(super) fn not_found(id: &str, lang: Lang) -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        format!("There is no document \"{id}\"."),
        lang,
    )
}

async fn document_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers);
    let mut extras = DocumentExtras {
        chrome: chrome(&state, &headers),
        base_url: base_url(&state, &headers),
        back_url: back_to_search(&headers),
        ..Default::default()
    };
    let kb = state.kb();
    let missing = id.clone();
    document_view(lang, missing, move || {
        let Some(record) = kb.document(&id)? else {
            return Ok(None);
        };
        let related = if record.withdrawn {
            Vec::new()
        } else {
            kb.related(&id, 5)?
        };
        extras.known_ids = existing_ids(&kb, mentioned_ids(&record.meta, &record.body))?;
        Ok(Some(pages().document_page(
            &record,
            None,
            &related,
            &kb.taxonomy(),
            lang,
            &extras,
        )))
    })
    .await
}

/// Ids a document mentions: in code spans of its text ("see `ke-ncic`") and its legal basis.
fn mentioned_ids(
    meta: &crate::document::Metadata,
    body: &str,
) -> std::collections::BTreeSet<String> {
    // Only code spans: an id in running text is a word like any other.
    let mut ids: std::collections::BTreeSet<String> = body
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(id_candidates)
        .collect();
    ids.extend(
        meta.legal_basis
            .iter()
            .filter(|b| crate::taxonomy::is_slug(b))
            .cloned(),
    );
    ids.remove(&meta.id);
    ids
}

async fn history_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers);
    let chrome = chrome(&state, &headers);
    let kb = state.kb();
    let missing = id.clone();
    document_view(lang, missing, move || {
        let Some(record) = kb.document(&id)? else {
            return Ok(None);
        };
        let revisions = kb.store().revisions(&id)?;
        Ok(Some(pages().history(&record, &revisions, lang, chrome)))
    })
    .await
}

async fn revision_page(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers);
    let number: u32 = number.parse().map_err(|_| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!("\"{number}\" is not a revision number."),
            lang,
        )
    })?;
    let mut extras = DocumentExtras {
        chrome: chrome(&state, &headers),
        base_url: base_url(&state, &headers),
        back_url: back_to_search(&headers),
        ..Default::default()
    };
    let kb = state.kb();
    let missing = format!("{id} (revision {number})");
    document_view(lang, missing, move || {
        let (Some(record), Some(revision)) = (kb.document(&id)?, kb.store().revision(&id, number)?)
        else {
            return Ok(None);
        };
        extras.known_ids = existing_ids(&kb, mentioned_ids(&revision.meta, &revision.body))?;
        Ok(Some(pages().document_page(
            &record,
            Some(&revision),
            &[],
            &kb.taxonomy(),
            lang,
            &extras,
        )))
    })
    .await
}

async fn diff_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers);
    let revision = |name: &str| -> Result<u32, PageError> {
        let value = query_value(raw.as_deref(), name).unwrap_or_default();
        value.parse().map_err(|_| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                format!("{name}: \"{value}\" is not a revision number."),
                lang,
            )
        })
    };
    let (from, to) = (revision("from")?, revision("to")?);
    let chrome = chrome(&state, &headers);
    let kb = state.kb();
    let missing = format!("{id} (revisions {from} and {to})");
    document_view(lang, missing, move || {
        let Some(record) = kb.document(&id)? else {
            return Ok(None);
        };
        let (Some(old), Some(new)) = (
            kb.store().revision(&id, from)?,
            kb.store().revision(&id, to)?,
        ) else {
            return Ok(None);
        };
        let hunks = crate::diff::diff_lines(&old.source_text, &new.source_text, 3);
        Ok(Some(pages().diff(&record, from, to, &hunks, lang, chrome)))
    })
    .await
}

async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type): (&'static [u8], &str) = match file.as_str() {
        "style.css" => (
            include_bytes!("../../static/style.css"),
            "text/css; charset=utf-8",
        ),
        "app.js" => (
            include_bytes!("../../static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        "favicon.svg" => (include_bytes!("../../static/favicon.svg"), "image/svg+xml"),
        _ => {
            return (
                StatusCode::NOT_FOUND,
                Html("<!doctype html><title>Not found</title><p>Not found.</p>"),
            )
                .into_response()
        }
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

// --- the curator desk ------------------------------------------------------------------------

pub(super) fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// The signed-in curator's name and session id.
pub(super) fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<(String, String)> {
    let session = session_token(headers)?;
    let name = state.sessions().curator(&session)?;
    Some((name, session))
}

pub(super) fn csrf_for(state: &AppState, session: &str) -> String {
    blake3::keyed_hash(state.csrf_key(), session.as_bytes())
        .to_hex()
        .to_string()
}

/// Refuses a write unless it comes from this site, from a signed-in curator, with the
/// session's CSRF token.
pub(super) fn authorize_post(
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
    lang: Lang,
) -> Result<String, PageError> {
    check_origin(headers, lang)?;
    let Some((name, session)) = signed_in(state, headers) else {
        return Err(PageError::new(
            StatusCode::UNAUTHORIZED,
            "Please sign in at /curate first.",
            lang,
        ));
    };
    let expected = csrf_for(state, &session);
    let presented = csrf.unwrap_or("");
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        presented.as_bytes(),
    )) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this site; reload the desk and try again.",
            lang,
        ));
    }
    Ok(name)
}

/// A post whose Origin is another site is refused (SameSite cookies already keep the session
/// out of it; this keeps the login form out of reach too).
pub(super) fn check_origin(headers: &HeaderMap, lang: Lang) -> Result<(), PageError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or(origin);
    if origin == "null" || origin_host != host {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "Cross-site form submissions are refused.",
            lang,
        ));
    }
    Ok(())
}

pub(super) fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(super) fn pair<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub(super) fn form_lang(pairs: &[(String, String)], headers: &HeaderMap) -> Lang {
    pair(pairs, "lang")
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| lang_from_headers(headers))
}

#[derive(Default)]
struct DeskState {
    notice: Option<String>,
    form: DocumentForm,
    editing: Option<(crate::store::DocumentRecord, String)>,
    problems: Vec<Problem>,
    /// The revision the text in the editor is based on, when not the record's current one.
    base_revision: Option<u32>,
    /// Someone saved in between: the current text against the curator's.
    conflict: Option<Vec<crate::diff::DiffHunk>>,
    /// The source editor instead of the form.
    source: bool,
    /// An upload that did not validate, for the source editor: file name and text.
    new_source: Option<(String, String)>,
    /// The withdrawal's confirmation step, with a problem to show next to the reason.
    withdraw: Option<Option<String>>,
}

/// Renders the desk for a signed-in curator.
async fn render_desk(
    state: &AppState,
    curator: String,
    session: &str,
    lang: Lang,
    desk: DeskState,
    status: StatusCode,
) -> PageResult {
    let csrf = csrf_for(state, session);
    let kb = state.kb();
    let html = blocking(lang, move || {
        let (audit, _) = kb.store().audit_log(0, 30)?;
        let editing = desk.editing.as_ref().map(|(r, m)| (r, m.clone()));
        Ok(pages().curate_desk(
            &Desk {
                lang,
                curator: &curator,
                csrf: &csrf,
                notice: desk.notice.clone(),
                form: desk.form.clone(),
                editing,
                problems: &desk.problems,
                audit: &audit,
                base_revision: desk.base_revision,
                conflict: desk.conflict.as_deref(),
                withdraw: desk.withdraw.clone(),
                source: desk.source,
                new_source: desk.new_source.clone(),
            },
            &kb.taxonomy(),
        ))
    })
    .await?;
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}

fn notice_for(raw: Option<&str>, lang: Lang) -> Option<String> {
    let t = crate::pages::text(lang);
    let id = query_value(raw, "id")?;
    let escaped = crate::index::search::html_escape(&id);
    let link = format!(
        "<a href=\"{}\">{escaped}</a>",
        crate::pages::document_url(&id, lang)
    );
    match query_value(raw, "done")?.as_str() {
        "saved" => {
            let unknown = query_value(raw, "unknown").unwrap_or_default();
            let warning = if unknown.is_empty() {
                String::new()
            } else {
                format!(
                    " {}{}<code>{}</code>",
                    t["unknown_ids"],
                    t["colon"],
                    crate::index::search::html_escape(&unknown.replace(',', ", "))
                )
            };
            Some(format!("{}: {link}.{warning}", t["saved"]))
        }
        "unchanged" => Some(format!("{link}: {}", t["unchanged"])),
        "withdrawn" => Some(format!("{}: {link}", t["withdrawn_done"])),
        "restored" => Some(format!("{}: {link}", t["restored_done"])),
        _ => None,
    }
}

async fn desk_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers);
    let Some((curator, session)) = signed_in(&state, &headers) else {
        // An instance without curators says so instead of asking for a token nobody has.
        let message = state
            .tokens()
            .is_empty()
            .then(|| crate::pages::text(lang)["no_curators"]);
        return Ok((
            [(header::CACHE_CONTROL, "no-store")],
            Html(pages().curate_login(lang, message)),
        )
            .into_response());
    };
    let desk = DeskState {
        notice: notice_for(raw.as_deref(), lang),
        form: DocumentForm::default(),
        editing: None,
        problems: Vec::new(),
        ..Default::default()
    };
    render_desk(&state, curator, &session, lang, desk, StatusCode::OK).await
}

async fn desk_login(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let lang = form_lang(&pairs, &headers);
    check_origin(&headers, lang)?;
    let token = pair(&pairs, "token").unwrap_or("").trim().to_string();
    let curator = state.tokens().verify(&token).map(str::to_string);
    let Some(curator) = curator.filter(|_| !token.is_empty()) else {
        let message = crate::pages::text(lang)["bad_token"];
        return Ok((
            StatusCode::UNAUTHORIZED,
            Html(pages().curate_login(lang, Some(message))),
        )
            .into_response());
    };
    let session = state.sessions().open(&curator);
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        state.sessions().lifetime().as_secs()
    );
    let mut response = Redirect::to(&format!("/curate?lang={}", lang.code())).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

async fn desk_logout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let lang = form_lang(&pairs, &headers);
    authorize_post(&state, &headers, pair(&pairs, "csrf"), lang)?;
    if let Some(session) = session_token(&headers) {
        state.sessions().revoke(&session);
    }
    let mut response = Redirect::to(&format!("/curate?lang={}", lang.code())).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("praxis_curator=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

/// Back to the desk after a save; `unknown` lists ids the text mentions that no document has.
fn saved_redirect(id: &str, upsert: Upsert, unknown: &[String], lang: Lang) -> Response {
    let done = if matches!(upsert, Upsert::Unchanged { .. }) {
        "unchanged"
    } else {
        "saved"
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("lang", lang.code())
        .append_pair("done", done)
        .append_pair("id", id);
    if !unknown.is_empty() {
        query.append_pair("unknown", &unknown.join(","));
    }
    Redirect::to(&format!("/curate?{}", query.finish())).into_response()
}

/// A document sent from the desk.
struct Submission {
    /// The Markdown with front matter.
    text: String,
    /// What problems call the source (`form`, the uploaded file's name, `document`).
    file: String,
    default_id: Option<String>,
    /// Refuse an id already in use (the new-document form).
    must_be_new: bool,
    /// The form as typed, to show again with the problems.
    form: DocumentForm,
    /// The revision the curator edited: a save over a newer one is refused with a merge view.
    base_revision: Option<u32>,
    /// The text came from the source editor or a file (problems name lines), not the form.
    source: bool,
    /// Problems the form found itself (a year that is not a number), in the page language.
    form_problems: Vec<Problem>,
}

/// Validates and saves a document from the desk.
async fn desk_write(
    state: &AppState,
    curator: String,
    session: String,
    lang: Lang,
    submission: Submission,
) -> PageResult {
    let Submission {
        text,
        file,
        default_id,
        must_be_new,
        form,
        base_revision,
        source,
        form_problems,
    } = submission;
    let kb = state.kb();
    let taxonomy = kb.taxonomy();
    let parsed = parse_document(&file, text.as_bytes(), default_id.as_deref(), &taxonomy);
    let parsed = match parsed {
        Ok(document) if form_problems.is_empty() => Ok(document),
        Ok(_) => Err(Vec::new()),
        Err(problems) => Err(problems),
    };
    let document = match parsed {
        Ok(document) => document,
        Err(found) => {
            // The form's own problems first; validation's on the same fields would repeat them.
            let mut problems = form_problems;
            let said: Vec<Option<String>> = problems.iter().map(|p| p.field.clone()).collect();
            problems.extend(
                found
                    .into_iter()
                    .filter(|p| p.field.is_none() || !said.contains(&p.field)),
            );
            let editing = match (&default_id, must_be_new) {
                (Some(id), false) => kb.document(id).ok().flatten().map(|r| (r, text.clone())),
                _ => None,
            };
            let new_source = (source && editing.is_none()).then(|| (file.clone(), text.clone()));
            let desk = DeskState {
                notice: None,
                form,
                editing,
                problems,
                source,
                new_source,
                base_revision,
                ..Default::default()
            };
            return render_desk(
                state,
                curator,
                &session,
                lang,
                desk,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let author = curator.clone();
    let write_kb = kb.clone();
    let outcome = blocking(lang, move || {
        use crate::knowledge_base::{Change, Draft, SaveMode, Write, WriteError};
        let kb = write_kb;
        let id = document.meta.id.clone();
        let mode = if must_be_new {
            SaveMode::Create
        } else {
            SaveMode::CreateOrUpdate
        };
        let change = Change::Save {
            draft: Draft::Validated(Box::new(document)),
            mode,
        };
        match kb.write(Write {
            change,
            author,
            base_revision,
        }) {
            Ok(written) => {
                // Ids written in the text ("see `ke-ncic`") that no document has: a warning.
                let mentioned = mentioned_ids(&written.record.meta, &written.record.body);
                let known = existing_ids(&kb, mentioned.clone())?;
                let unknown: Vec<String> = mentioned.difference(&known).cloned().collect();
                Ok(Ok((id, written.upsert(), unknown)))
            }
            Err(WriteError::Exists { .. }) => Ok(Err((id, None))),
            Err(WriteError::Stale { .. }) => Ok(Err((id.clone(), kb.document(&id)?))),
            Err(error) => Err(error.into()),
        }
    })
    .await?;
    match outcome {
        Ok((id, upsert, unknown)) => Ok(saved_redirect(&id, upsert, &unknown, lang)),
        Err((_, Some(current))) => {
            // Someone saved in between: keep the curator's text, show what differs from the
            // current revision, and base the next save on it.
            let hunks = crate::diff::diff_lines(&current.source_text, &text, 3);
            let desk = DeskState {
                base_revision: Some(current.revision),
                conflict: Some(hunks),
                form: if source {
                    DocumentForm::default()
                } else {
                    form
                },
                editing: Some((current, text)),
                source,
                ..Default::default()
            };
            render_desk(state, curator, &session, lang, desk, StatusCode::CONFLICT).await
        }
        Err((id, None)) => {
            let problems = vec![Problem {
                file,
                line: None,
                column: None,
                field: Some("id".into()),
                message: crate::catalogue::Message::new("problem_id_exists").arg("id", id),
            }];
            let desk = DeskState {
                notice: None,
                form,
                editing: None,
                problems,
                ..Default::default()
            };
            render_desk(state, curator, &session, lang, desk, StatusCode::CONFLICT).await
        }
    }
}

async fn desk_create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let lang = form_lang(&pairs, &headers);
    let curator = authorize_post(&state, &headers, pair(&pairs, "csrf"), lang)?;
    let session = session_token(&headers).unwrap_or_default();
    let form = DocumentForm::from_pairs(&pairs);
    if pair(&pairs, "action") == Some("preview") {
        let desk = DeskState {
            form,
            ..Default::default()
        };
        return render_desk(&state, curator, &session, lang, desk, StatusCode::OK).await;
    }
    let (text, form_problems) = form.to_markdown();
    desk_write(
        &state,
        curator,
        session,
        lang,
        Submission {
            text,
            file: "form".into(),
            default_id: None,
            must_be_new: true,
            form,
            base_revision: None,
            source: false,
            form_problems,
        },
    )
    .await
}

/// A new document's text from the source editor (an upload being fixed): created or updated.
async fn desk_source(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let lang = form_lang(&pairs, &headers);
    let curator = authorize_post(&state, &headers, pair(&pairs, "csrf"), lang)?;
    let session = session_token(&headers).unwrap_or_default();
    let text = pair(&pairs, "markdown").unwrap_or("").replace("\r\n", "\n");
    let file = pair(&pairs, "file").unwrap_or("upload.md").to_string();
    let default_id = std::path::Path::new(&file)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase());
    desk_write(
        &state,
        curator,
        session,
        lang,
        Submission {
            text,
            file,
            default_id,
            must_be_new: false,
            form: DocumentForm::default(),
            base_revision: None,
            source: true,
            form_problems: Vec::new(),
        },
    )
    .await
}

async fn desk_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> PageResult {
    let mut csrf = None;
    let mut lang_field = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    let fallback_lang = lang_from_headers(&headers);
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!("The upload could not be read: {e}"),
            fallback_lang,
        )
    })? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.ok(),
            Some("lang") => lang_field = field.text().await.ok(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.md").to_string();
                let bytes = field.bytes().await.map_err(|e| {
                    PageError::new(
                        StatusCode::BAD_REQUEST,
                        format!("The upload could not be read: {e}"),
                        fallback_lang,
                    )
                })?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let lang = lang_field
        .and_then(|l| l.parse().ok())
        .unwrap_or(fallback_lang);
    let curator = authorize_post(&state, &headers, csrf.as_deref(), lang)?;
    let session = session_token(&headers).unwrap_or_default();
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Choose a Markdown file to upload.",
            lang,
        ));
    };
    let default_id = std::path::Path::new(&name)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase());
    // Bytes that are not UTF-8 still go through validation, which names the problem.
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let problems = parse_document(
                &name,
                error.as_bytes(),
                default_id.as_deref(),
                &state.kb().taxonomy(),
            )
            .err()
            .unwrap_or_default();
            let desk = DeskState {
                notice: None,
                form: DocumentForm::default(),
                editing: None,
                problems,
                ..Default::default()
            };
            return render_desk(
                &state,
                curator,
                &session,
                lang,
                desk,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    desk_write(
        &state,
        curator,
        session,
        lang,
        Submission {
            text,
            file: name,
            default_id,
            must_be_new: false,
            form: DocumentForm::default(),
            base_revision: None,
            source: true,
            form_problems: Vec::new(),
        },
    )
    .await
}

async fn desk_edit(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers);
    let Some((curator, session)) = signed_in(&state, &headers) else {
        return Ok(Redirect::to(&format!("/curate?lang={}", lang.code())).into_response());
    };
    let id = query_value(raw.as_deref(), "id")
        .unwrap_or_default()
        .trim()
        .to_string();
    let kb = state.kb();
    let lookup = id.clone();
    let record = blocking(lang, move || Ok(kb.document(&lookup)?)).await?;
    let Some(record) = record else {
        return Err(not_found(&id, lang));
    };
    let markdown = record.source_text.clone();
    let desk = DeskState {
        form: DocumentForm::from_document(&record.meta, &record.body),
        editing: Some((record, markdown)),
        source: query_value(raw.as_deref(), "source").is_some(),
        ..Default::default()
    };
    render_desk(&state, curator, &session, lang, desk, StatusCode::OK).await
}

async fn desk_save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let pairs = form_pairs(&body);
    let lang = form_lang(&pairs, &headers);
    let curator = authorize_post(&state, &headers, pair(&pairs, "csrf"), lang)?;
    let session = session_token(&headers).unwrap_or_default();
    let kb = state.kb();
    let lookup = id.clone();
    let Some(record) = blocking(lang, move || Ok(kb.document(&lookup)?)).await? else {
        return Err(not_found(&id, lang));
    };
    let base_revision = pair(&pairs, "base_revision").and_then(|b| b.parse().ok());
    let source = pair(&pairs, "markdown").is_some();
    let (text, form, form_problems) = if source {
        let text = pair(&pairs, "markdown").unwrap_or("").replace("\r\n", "\n");
        (text, DocumentForm::default(), Vec::new())
    } else {
        // The form: written over the document's own front matter, so that what the curator
        // did not change keeps its order and formatting.
        let mut form = DocumentForm::from_pairs(&pairs);
        form.id = id.clone();
        if pair(&pairs, "action") == Some("preview") {
            let markdown = record.source_text.clone();
            let desk = DeskState {
                form,
                editing: Some((record, markdown)),
                base_revision,
                ..Default::default()
            };
            return render_desk(&state, curator, &session, lang, desk, StatusCode::OK).await;
        }
        let (text, problems) = form.merge_into(&record.source_text, &record.meta);
        (text, form, problems)
    };
    // The document keeps the id it is edited under unless its front matter says otherwise,
    // which would be a different document: refuse that.
    let declared = parse_document(
        "document",
        text.as_bytes(),
        Some(&id),
        &state.kb().taxonomy(),
    )
    .ok()
    .map(|d| d.meta.id);
    if declared.as_deref().is_some_and(|d| d != id) {
        return Err(PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The front matter sets id \"{}\", but this is \"{id}\"; create a new document instead.", declared.unwrap_or_default()),
            lang,
        ));
    }
    desk_write(
        &state,
        curator,
        session,
        lang,
        Submission {
            text,
            file: "document".into(),
            default_id: Some(id),
            must_be_new: false,
            form,
            base_revision,
            source,
            form_problems,
        },
    )
    .await
}

/// The withdrawal's confirmation step: what withdrawing does, and a reason to give.
async fn desk_withdraw_confirm(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers);
    let Some((curator, session)) = signed_in(&state, &headers) else {
        return Ok(Redirect::to(&format!("/curate?lang={}", lang.code())).into_response());
    };
    let id = query_value(raw.as_deref(), "id").unwrap_or_default();
    let kb = state.kb();
    let lookup = id.clone();
    let Some(record) = blocking(lang, move || Ok(kb.document(&lookup)?)).await? else {
        return Err(not_found(&id, lang));
    };
    let already = record.withdrawn;
    let markdown = record.source_text.clone();
    let desk = DeskState {
        editing: Some((record, markdown)),
        // A withdrawn document offers Restore instead.
        withdraw: (!already).then_some(None),
        ..Default::default()
    };
    render_desk(&state, curator, &session, lang, desk, StatusCode::OK).await
}

/// What a withdrawal or restoration from the desk came to.
enum StateChange {
    Done,
    Refused(crate::knowledge_base::WriteError),
}

async fn change_state(
    state: &AppState,
    change: crate::knowledge_base::Change,
    author: String,
    base_revision: Option<u32>,
    lang: Lang,
) -> Result<StateChange, PageError> {
    use crate::knowledge_base::{Write, WriteError};
    let kb = state.kb();
    blocking(lang, move || {
        match kb.write(Write {
            change,
            author,
            base_revision,
        }) {
            Ok(_) => Ok(StateChange::Done),
            Err(WriteError::Store(error)) => Err(error.into()),
            Err(refused) => Ok(StateChange::Refused(refused)),
        }
    })
    .await
}

/// The desk again on a document, after a withdrawal or restoration was refused: `desk` says
/// what to tell the curator; the document is loaded as it now is.
async fn desk_refused(
    state: &AppState,
    curator: String,
    session: &str,
    lang: Lang,
    id: &str,
    desk: DeskState,
    status: StatusCode,
) -> PageResult {
    let kb = state.kb();
    let lookup = id.to_string();
    let Some(record) = blocking(lang, move || Ok(kb.document(&lookup)?)).await? else {
        return Err(not_found(id, lang));
    };
    let markdown = record.source_text.clone();
    let withdraw = desk.withdraw.filter(|_| !record.withdrawn);
    let desk = DeskState {
        editing: Some((record, markdown)),
        withdraw,
        ..desk
    };
    render_desk(state, curator, session, lang, desk, status).await
}

async fn desk_withdraw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    use crate::knowledge_base::{Change, WriteError};
    let pairs = form_pairs(&body);
    let lang = form_lang(&pairs, &headers);
    let curator = authorize_post(&state, &headers, pair(&pairs, "csrf"), lang)?;
    let session = session_token(&headers).unwrap_or_default();
    let t = crate::pages::text(lang);
    let reason = pair(&pairs, "reason").unwrap_or("").trim().to_string();
    if reason.is_empty() {
        let problem = Some(Some(t["reason_required"].to_string()));
        return desk_refused(
            &state,
            curator,
            &session,
            lang,
            &id,
            DeskState {
                notice: None,
                withdraw: problem,
                ..Default::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let base = pair(&pairs, "base_revision").and_then(|b| b.parse().ok());
    let change = Change::Withdraw {
        id: id.clone(),
        reason,
    };
    let answer = DeskAnswer {
        state: &state,
        curator,
        session: &session,
        lang,
        id: &id,
    };
    answer
        .state_change(change, base, "withdrawn", |refused| match refused {
            WriteError::AlreadyWithdrawn { .. } => Some(("already_withdrawn", None)),
            // The form stays open, so the curator can confirm again on the current revision.
            WriteError::Stale { .. } => Some(("changed_since", Some(None))),
            _ => None,
        })
        .await
}

/// What the desk's withdraw and restore handlers share: the write, then a redirect on success
/// or the desk with a notice when the write path refuses.
struct DeskAnswer<'a> {
    state: &'a AppState,
    curator: String,
    session: &'a str,
    lang: Lang,
    id: &'a str,
}

impl DeskAnswer<'_> {
    /// `refusal` gives, for a refusal the desk explains, the notice's text key and the state of
    /// the withdrawal form; other refusals are error pages.
    async fn state_change(
        self,
        change: crate::knowledge_base::Change,
        base: Option<u32>,
        done: &str,
        refusal: impl Fn(
            &crate::knowledge_base::WriteError,
        ) -> Option<(&'static str, Option<Option<String>>)>,
    ) -> PageResult {
        use crate::knowledge_base::WriteError;
        let DeskAnswer {
            state,
            curator,
            session,
            lang,
            id,
        } = self;
        match change_state(state, change, curator.clone(), base, lang).await? {
            StateChange::Done => {
                let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
                Ok(Redirect::to(&format!(
                    "/curate?lang={}&done={done}&id={encoded}",
                    lang.code()
                ))
                .into_response())
            }
            StateChange::Refused(WriteError::NotFound { .. }) => Err(not_found(id, lang)),
            StateChange::Refused(refused) => match refusal(&refused) {
                Some((key, withdraw)) => {
                    let t = crate::pages::text(lang);
                    let notice = Some(crate::index::search::html_escape(t[key]));
                    let desk = DeskState {
                        notice,
                        withdraw,
                        ..Default::default()
                    };
                    desk_refused(
                        state,
                        curator,
                        session,
                        lang,
                        id,
                        desk,
                        StatusCode::CONFLICT,
                    )
                    .await
                }
                None => Err(PageError::from_api(refused.into(), lang)),
            },
        }
    }
}

async fn desk_restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    use crate::knowledge_base::{Change, WriteError};
    let pairs = form_pairs(&body);
    let lang = form_lang(&pairs, &headers);
    let curator = authorize_post(&state, &headers, pair(&pairs, "csrf"), lang)?;
    let session = session_token(&headers).unwrap_or_default();
    let reason = pair(&pairs, "reason")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let base = pair(&pairs, "base_revision").and_then(|b| b.parse().ok());
    let change = Change::Restore {
        id: id.clone(),
        reason,
    };
    let answer = DeskAnswer {
        state: &state,
        curator,
        session: &session,
        lang,
        id: &id,
    };
    answer
        .state_change(change, base, "restored", |refused| match refused {
            WriteError::NotWithdrawn { .. } => Some(("not_withdrawn", None)),
            WriteError::Stale { .. } => Some(("changed_since", None)),
            _ => None,
        })
        .await
}
