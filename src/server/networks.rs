//! Networks, the glossary and the curriculum over HTTP: the pages `/networks`,
//! `/networks/{id}`, `/glossary`, `/curriculum` and the same data as JSON under `/api/`.
//! Handlers check parameters, then call [`crate::networks`] and [`crate::curriculum`] on the
//! blocking pool.

use super::extract::Path;
use crate::catalogue::Message;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::blocking::blocking;
use super::error::ErrorBody;
use super::html::{self, PageError, PageResult};
use super::params::QueryPairs;
use super::{ApiError, AppState};
use crate::curriculum::{self, Curriculum, CurriculumError, GlossaryRow};
use crate::networks::{self, NetworkDetail, NetworkError, NetworkSummary};
use crate::pages::Chrome;
use crate::taxonomy::Lang;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/networks", get(networks_page))
        .route("/networks/{id}", get(network_page))
        .route("/glossary", get(glossary_page))
        .route("/curriculum", get(curriculum_page))
        .route("/api/networks", get(networks_list))
        .route("/api/networks/{id}", get(network_show))
        .route("/api/glossary", get(glossary_list))
        .route("/api/curriculum", get(curriculum_show))
        .route("/static/networks.css", get(stylesheet))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(networks_list, network_show, glossary_list, curriculum_show))]
pub(crate) struct Paths;

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/networks.css"),
    )
        .into_response()
}

impl From<NetworkError> for ApiError {
    fn from(error: NetworkError) -> Self {
        match error {
            NetworkError::NotFound(id) => {
                ApiError::NotFound(Message::new("api_no_network").arg("id", id))
            }
            NetworkError::Store(error) => error.into(),
            NetworkError::Search(error) => error.into(),
        }
    }
}

impl From<CurriculumError> for ApiError {
    fn from(error: CurriculumError) -> Self {
        match error {
            CurriculumError::Store(error) => error.into(),
            CurriculumError::Search(error) => error.into(),
        }
    }
}

/// The only parameter these endpoints take.
const PARAMETERS: &[&str] = &["lang"];

fn api_lang(raw: Option<&str>, headers: &HeaderMap) -> Result<Lang, ApiError> {
    QueryPairs::parse(raw, PARAMETERS)?.lang(headers)
}

fn page_lang(raw: Option<&str>, headers: &HeaderMap) -> Result<Lang, PageError> {
    let lang = html::page_lang(raw, headers)?;
    api_lang(raw, headers).map_err(|e| PageError::from_api(e, lang))
}

/// Answers an API request in JSON: `work` runs off the async workers with the language asked
/// for (`?lang=`, else the browser's).
async fn api_json<T: Send + 'static>(
    state: &AppState,
    raw: Option<&str>,
    headers: &HeaderMap,
    work: impl FnOnce(&crate::KnowledgeBase, Lang) -> Result<T, ApiError> + Send + 'static,
) -> Result<Json<T>, ApiError> {
    let lang = api_lang(raw, headers)?;
    let kb = state.kb();
    Ok(Json(blocking(move || work(&kb, lang)).await?))
}

/// Renders one of these pages off the async workers, in the page's language and frame.
async fn render_page(
    state: &AppState,
    raw: Option<&str>,
    headers: &HeaderMap,
    render: impl FnOnce(&crate::KnowledgeBase, Lang, &Chrome) -> Result<String, ApiError>
        + Send
        + 'static,
) -> PageResult {
    let lang = page_lang(raw, headers)?;
    let chrome = html::chrome(state, headers);
    let kb = state.kb();
    let html = html::blocking(lang, move || render(&kb, lang, &chrome)).await?;
    Ok(Html(html).into_response())
}

/// `GET /api/networks`: every network with its member count and relations.
#[utoipa::path(get, path = "/api/networks", tag = "networks",
    params(("lang" = Option<String>, Query, description = "en, fr or es: the language of labels (default: Accept-Language)")),
    responses(
        (status = 200, description = "Every network document, by title: member count, established, operating status, relations to other networks (stated by it or by the other network)", body = [NetworkSummary]),
        (status = 400, description = "invalid_parameter (lang, or an unknown parameter)", body = ErrorBody)))]
pub(crate) async fn networks_list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Vec<NetworkSummary>>, ApiError> {
    api_json(&state, raw.as_deref(), &headers, |kb, lang| {
        Ok(networks::list_networks(kb, lang)?)
    })
    .await
}

/// `GET /api/networks/{id}`: one network.
#[utoipa::path(get, path = "/api/networks/{id}", tag = "networks",
    params(
        ("id" = String, Path, description = "The network document's id"),
        ("lang" = Option<String>, Query, description = "en, fr or es (default: Accept-Language)")),
    responses(
        (status = 200, description = "The network: members with join dates (absent when not recorded), evidence and focal points; relations; the documents that mention it; sources", body = NetworkDetail),
        (status = 400, description = "invalid_parameter (lang, or an unknown parameter)", body = ErrorBody),
        (status = 404, description = "not_found: no active network document has this id", body = ErrorBody)))]
pub(crate) async fn network_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<NetworkDetail>, ApiError> {
    api_json(&state, raw.as_deref(), &headers, move |kb, lang| {
        Ok(networks::network_detail(kb, &id, lang)?)
    })
    .await
}

/// `GET /api/glossary`: the glossary in the three languages.
#[utoipa::path(get, path = "/api/glossary", tag = "networks",
    params(("lang" = Option<String>, Query, description = "accepted for symmetry; every entry holds the three languages")),
    responses(
        (status = 200, description = "Every glossary entry: term, synonyms, definition (absent when none is recorded) and document count per language, and the definition's source", body = [GlossaryRow]),
        (status = 400, description = "invalid_parameter (lang, or an unknown parameter)", body = ErrorBody)))]
pub(crate) async fn glossary_list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Vec<GlossaryRow>>, ApiError> {
    // Every entry holds the three languages: `lang` is only checked.
    api_json(&state, raw.as_deref(), &headers, |kb, _| {
        Ok(curriculum::glossary_rows(kb)?)
    })
    .await
}

/// `GET /api/curriculum`: the curriculum modules and the training offers by region.
#[utoipa::path(get, path = "/api/curriculum", tag = "networks",
    params(("lang" = Option<String>, Query, description = "en, fr or es (default: Accept-Language)")),
    responses(
        (status = 200, description = "The modules (concept, vocabulary, tools, national context) with their rule and documents, and the curriculum documents by region", body = Curriculum),
        (status = 400, description = "invalid_parameter (lang, or an unknown parameter)", body = ErrorBody)))]
pub(crate) async fn curriculum_show(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Curriculum>, ApiError> {
    api_json(&state, raw.as_deref(), &headers, |kb, lang| {
        Ok(curriculum::curriculum(kb, lang)?)
    })
    .await
}

async fn networks_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    render_page(&state, raw.as_deref(), &headers, |kb, lang, chrome| {
        let networks = networks::list_networks(kb, lang)?;
        Ok(html::pages().networks(&networks, &kb.taxonomy(), lang, chrome))
    })
    .await
}

async fn network_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    render_page(&state, raw.as_deref(), &headers, move |kb, lang, chrome| {
        let detail = networks::network_detail(kb, &id, lang)?;
        Ok(html::pages().network(&detail, &kb.taxonomy(), lang, chrome))
    })
    .await
}

async fn glossary_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    render_page(&state, raw.as_deref(), &headers, |kb, lang, chrome| {
        let rows = curriculum::glossary_rows(kb)?;
        Ok(html::pages().glossary(&rows, lang, chrome))
    })
    .await
}

async fn curriculum_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    render_page(&state, raw.as_deref(), &headers, |kb, lang, chrome| {
        let curriculum = curriculum::curriculum(kb, lang)?;
        Ok(html::pages().curriculum(&curriculum, lang, chrome))
    })
    .await
}
