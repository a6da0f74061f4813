//! Documents: reading one (`/api/documents/{id}` and its page), and the curators' writes
//! through the API (create, update, withdraw, restore).
//!
//! Choices a client can rely on:
//! - A withdrawn document answers 410 `withdrawn` at `/api/documents/{id}`; its revisions and
//!   diffs stay readable.
//! - `POST /api/documents` only creates (409 `conflict` if the id exists); `PUT` only updates or
//!   restores a withdrawn document (404 if the id was never created).
//! - Write bodies are a document as Markdown with YAML front matter (`Content-Type:
//!   text/markdown` or `text/plain`), or JSON `{"id": optional, "markdown": "..."}`.

use super::extract::{body_refusal, json_body, optional, required, Path};
use crate::catalogue::Message;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::auth::Curator;
use super::blocking::blocking as api_blocking;
use super::error::{ApiError, ErrorBody};
use super::html::blocking;
use super::html::{base_url, chrome, existing_ids, page_lang, pages, PageError, PageResult};
use super::params::{self, QueryPairs};
use super::state::AppState;
use crate::document::markdown::to_safe_html;
use crate::document::{Metadata, Problem};
use crate::index::search::{value_label, Related};
use crate::index::FacetGroup;
use crate::knowledge_base::{Change, Draft, SaveMode, Write, WriteError, Written};
use crate::pages::{id_candidates, DocumentExtras};
use crate::store::DocumentRecord;
use crate::taxonomy::{Lang, Taxonomy};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/documents/{id}", get(document_page))
        .route("/api/documents", post(document_create))
        .route(
            "/api/documents/{id}",
            get(document_show)
                .put(document_update)
                .delete(document_withdraw),
        )
        .route("/api/documents/{id}/restore", post(document_restore))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    document_show,
    document_create,
    document_update,
    document_withdraw,
    document_restore
))]
pub(crate) struct Paths;

/// A value with its label in the request's language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct ValueLabel {
    pub(crate) value: String,
    pub(crate) label: String,
}

/// Labels for a document's metadata values.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct DocumentLabels {
    /// The language of these labels.
    #[schema(value_type = String, example = "en")]
    pub(crate) lang: Lang,
    #[serde(rename = "type")]
    pub(crate) doc_type: ValueLabel,
    pub(crate) language: ValueLabel,
    pub(crate) countries: Vec<ValueLabel>,
    /// Explicit regions and the regions of the countries, each with its ancestors, top first.
    pub(crate) regions: Vec<ValueLabel>,
    pub(crate) themes: Vec<ValueLabel>,
    /// Stages of the spectrum from prevention to reparation.
    pub(crate) stages: Vec<ValueLabel>,
    pub(crate) mechanism_types: Vec<ValueLabel>,
    pub(crate) instruments: Vec<ValueLabel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<ValueLabel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) composition: Option<ValueLabel>,
}

/// A document as readers see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct DocumentView {
    pub(crate) id: String,
    /// The current revision, from 1.
    pub(crate) revision: u32,
    /// Always false here: withdrawn documents answer 410.
    pub(crate) withdrawn: bool,
    pub(crate) first_ingested: String,
    pub(crate) last_modified: String,
    pub(crate) meta: Metadata,
    pub(crate) labels: DocumentLabels,
    /// The Markdown body, without front matter.
    pub(crate) markdown: String,
    /// The body rendered and sanitised: no raw HTML, scripts, event attributes or
    /// `javascript:` links.
    pub(crate) html: String,
    /// The whole text as the curator wrote it, front matter included (what PUT takes).
    pub(crate) source: String,
    pub(crate) related: Vec<Related>,
}

fn labels(meta: &Metadata, taxonomy: &Taxonomy, lang: Lang) -> DocumentLabels {
    let one = |group: FacetGroup, value: &str| ValueLabel {
        value: value.to_string(),
        label: value_label(group, value, taxonomy, lang),
    };
    let many = |group: FacetGroup, values: &[String]| -> Vec<ValueLabel> {
        values.iter().map(|v| one(group, v)).collect()
    };
    let mut regions: Vec<&str> = Vec::new();
    for path in crate::index::region_paths(taxonomy, meta) {
        for slug in path {
            if !regions.contains(&slug) {
                regions.push(slug);
            }
        }
    }
    let vocabulary_label = |vocabulary: &crate::taxonomy::Vocabulary, value: &str| ValueLabel {
        value: value.to_string(),
        label: vocabulary.label(value, lang).to_string(),
    };
    DocumentLabels {
        lang,
        doc_type: one(FacetGroup::Type, &meta.doc_type),
        language: one(FacetGroup::Language, &meta.language),
        countries: many(FacetGroup::Country, &meta.countries),
        regions: regions
            .into_iter()
            .map(|slug| one(FacetGroup::Region, slug))
            .collect(),
        themes: many(FacetGroup::Theme, &meta.themes),
        stages: many(FacetGroup::Stage, &meta.stages),
        mechanism_types: many(FacetGroup::MechanismType, &meta.mechanism_types),
        instruments: many(FacetGroup::Instrument, &meta.instruments),
        status: meta
            .status
            .as_deref()
            .map(|s| vocabulary_label(&taxonomy.statuses, s)),
        composition: meta
            .composition
            .as_deref()
            .map(|c| vocabulary_label(&taxonomy.compositions, c)),
    }
}

/// The current record of `id`, withdrawn or not; 404 if there never was one.
pub(crate) fn existing(kb: &crate::KnowledgeBase, id: &str) -> Result<DocumentRecord, ApiError> {
    kb.document(id)?
        .ok_or_else(|| ApiError::NotFound(Message::new("api_no_document").arg("id", id)))
}

fn active(record: DocumentRecord) -> Result<DocumentRecord, ApiError> {
    if record.withdrawn {
        return Err(ApiError::Withdrawn {
            id: record.meta.id,
            at: record.withdrawn_at,
        });
    }
    Ok(record)
}

#[utoipa::path(get, path = "/api/documents/{id}", tag = "documents",
    params(("id" = String, Path, description = "Document id"), params::DocumentParams),
    responses(
        (status = 200, description = "The document, rendered, with labels and related documents", body = DocumentView),
        (status = 400, description = "invalid_parameter (lang)", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 410, description = "withdrawn: its revisions stay readable", body = ErrorBody)))]
pub(crate) async fn document_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &["lang"])?;
    let lang = pairs.lang(&headers)?;
    let kb = state.kb();
    let view = api_blocking(move || {
        let record = active(existing(&kb, &id)?)?;
        let related = kb.related(&id, 5)?;
        let taxonomy = kb.taxonomy();
        Ok(DocumentView {
            id: record.meta.id.clone(),
            revision: record.revision,
            withdrawn: record.withdrawn,
            labels: labels(&record.meta, &taxonomy, lang),
            html: to_safe_html(&record.body),
            first_ingested: record.first_ingested,
            last_modified: record.last_modified,
            meta: record.meta,
            markdown: record.body,
            source: record.source_text,
            related,
        })
    })
    .await?;
    Ok(([(header::ETAG, etag(view.revision))], Json(view)).into_response())
}

/// A write body in JSON.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DocumentInput {
    /// The id, when the front matter sets none (must agree with it otherwise).
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// The whole document: YAML front matter between `---` lines, then Markdown.
    pub(crate) markdown: String,
}

/// What a write did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct WriteResult {
    pub(crate) id: String,
    /// The document's revision after the write.
    pub(crate) revision: u32,
    /// `create`, `update`, `restore`, `unchanged` or `withdraw`.
    pub(crate) action: &'static str,
}

/// Reads a write body: the document's bytes, and the id the JSON form gives, if any.
fn read_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(Vec<u8>, Option<String>), ApiError> {
    let body = body.map_err(body_refusal)?;
    match content_type(headers).as_str() {
        "application/json" => {
            let input: DocumentInput = json_body(
                &body,
                &[optional("id", "string"), required("markdown", "string")],
            )?;
            Ok((input.markdown.into_bytes(), input.id))
        }
        "" | "text/markdown" | "text/x-markdown" | "text/plain" => Ok((body.to_vec(), None)),
        other => Err(ApiError::UnsupportedMediaType(
            Message::new("api_document_media_type").arg("type", other),
        )),
    }
}

pub(crate) fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// The draft of a write: the URL's id (PUT) and the JSON body's id must agree with each other
/// and with the front matter, and either is used when the front matter sets none.
fn draft(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    url_id: Option<&str>,
) -> Result<Draft, ApiError> {
    let (bytes, body_id) = read_body(headers, body)?;
    if let (Some(url_id), Some(body_id)) = (url_id, body_id.as_deref()) {
        if url_id != body_id {
            return Err(ApiError::ValidationFailed(vec![Problem {
                file: "request".into(),
                line: None,
                column: None,
                field: Some("id".into()),
                message: crate::catalogue::Message::new("problem_request_id_mismatch")
                    .arg("body_id", body_id)
                    .arg("url_id", url_id),
            }]));
        }
    }
    let id = url_id.map(str::to_string).or(body_id);
    Ok(Draft::Text {
        file: "request".into(),
        bytes,
        default_id: id.clone(),
        expected_id: id,
    })
}

/// The ETag of a document at `revision`: the revision number, as a strong tag.
pub(crate) fn etag(revision: u32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{revision}\"")).expect("digits are a valid header value")
}

/// The base revision of a write, from `If-Match`: `"3"` (or `W/"3"`, or `3`) means "only if
/// the document is still at revision 3"; `*` or no header means "whatever is current".
pub(crate) fn base_revision(headers: &HeaderMap) -> Result<Option<u32>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let bad = || ApiError::invalid_parameter("If-Match", Message::new("param_if_match"));
    let text = value.to_str().map_err(|_| bad())?.trim();
    if text == "*" {
        return Ok(None);
    }
    let tag = text.strip_prefix("W/").unwrap_or(text);
    let number = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag);
    number.parse::<u32>().map(Some).map_err(|_| bad())
}

impl From<WriteError> for ApiError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Invalid(problems) => ApiError::ValidationFailed(problems),
            WriteError::NotFound { id } => {
                ApiError::NotFound(Message::new("api_no_document_to_update").arg("id", id))
            }
            WriteError::Exists { id, withdrawn } => {
                let code = if withdrawn {
                    "api_document_exists_withdrawn"
                } else {
                    "api_document_exists"
                };
                ApiError::Conflict(Message::new(code).arg("id", id))
            }
            WriteError::Stale { id, base, current } => {
                let code = if base < current {
                    "api_stale_with_diff"
                } else {
                    "api_stale"
                };
                ApiError::Stale {
                    message: Message::new(code)
                        .arg("id", id)
                        .arg("base", base)
                        .arg("current", current),
                    current_revision: current,
                }
            }
            WriteError::AlreadyWithdrawn { id, at, by, reason } => {
                // Who, when and why are said only where the record holds them.
                let code = match (&at, &by, &reason) {
                    (Some(_), Some(_), Some(_)) => "api_already_withdrawn_on_by_because",
                    (Some(_), Some(_), None) => "api_already_withdrawn_on_by",
                    (Some(_), None, Some(_)) => "api_already_withdrawn_on_because",
                    (Some(_), None, None) => "api_already_withdrawn_on",
                    (None, _, Some(_)) => "api_already_withdrawn_because",
                    (None, _, None) => "api_already_withdrawn",
                };
                let mut message = Message::new(code).arg("id", id);
                for (name, value) in [("at", at), ("by", by), ("reason", reason)] {
                    if let Some(value) = value {
                        message = message.arg(name, value);
                    }
                }
                ApiError::AlreadyWithdrawn(message)
            }
            WriteError::NotWithdrawn { id } => {
                ApiError::Conflict(Message::new("api_not_withdrawn").arg("id", id))
            }
            WriteError::ReasonRequired => ApiError::ValidationFailed(vec![Problem {
                file: "request".into(),
                line: None,
                column: None,
                field: Some("reason".into()),
                message: crate::catalogue::Message::new("problem_withdrawal_reason"),
            }]),
            WriteError::Store(error) => error.into(),
        }
    }
}

impl From<Written> for WriteResult {
    fn from(written: Written) -> Self {
        WriteResult {
            id: written.id,
            revision: written.revision,
            action: written.outcome.as_str(),
        }
    }
}

/// The answer to a write that changed an existing document (or left it unchanged): what it
/// did, with the document's new ETag.
pub(crate) fn written_response(written: Written) -> Response {
    let tag = etag(written.revision);
    ([(header::ETAG, tag)], Json(WriteResult::from(written))).into_response()
}

/// Runs a write on the blocking pool (validation included).
async fn write_document(state: &AppState, write: Write) -> Result<Written, ApiError> {
    let kb = state.kb();
    let author = write.author.clone();
    let written = api_blocking(move || Ok(kb.write(write)?)).await?;
    tracing::info!(document = %written.id, revision = written.revision, curator = %author, action = written.outcome.as_str(), "document written");
    Ok(written)
}

/// Makes `change` to an existing document, on the revision `If-Match` names (whatever is
/// current without it), and answers with what the write did.
async fn change_document(
    state: &AppState,
    author: String,
    headers: &HeaderMap,
    change: Change,
) -> Result<Response, ApiError> {
    let write = Write {
        change,
        author,
        base_revision: base_revision(headers)?,
    };
    Ok(written_response(write_document(state, write).await?))
}

#[utoipa::path(post, path = "/api/documents", tag = "curation",
    request_body(description = "A document with YAML front matter (text/markdown), or JSON {id?, markdown}",
        content((String = "text/markdown"), (DocumentInput = "application/json"))),
    security(("curator_token" = [])),
    responses(
        (status = 201, description = "Created; searchable when this returns", body = WriteResult,
            headers(("Location" = String, description = "The new document's URL"),
                    ("ETag" = String, description = "The new revision"))),
        (status = 400, description = "invalid_body", body = ErrorBody),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 409, description = "conflict: the id exists (update it with PUT)", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "validation_failed, with every problem", body = ErrorBody)))]
pub(crate) async fn document_create(
    State(state): State<AppState>,
    Curator(author): Curator,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let write = Write {
        change: Change::Save {
            draft: draft(&headers, body, None)?,
            mode: SaveMode::Create,
        },
        author,
        base_revision: None,
    };
    let written = write_document(&state, write).await?;
    let tag = etag(written.revision);
    let result = WriteResult::from(written);
    let location = format!("/api/documents/{}", result.id);
    Ok((
        StatusCode::CREATED,
        [
            (
                header::LOCATION,
                HeaderValue::from_str(&location).map_err(|e| ApiError::Internal(e.to_string()))?,
            ),
            (header::ETAG, tag),
        ],
        Json(result),
    )
        .into_response())
}

#[utoipa::path(put, path = "/api/documents/{id}", tag = "curation",
    params(("id" = String, Path, description = "Document id"),
           ("If-Match" = Option<String>, Header, description = "The ETag of the revision edited; without it the write replaces whatever is current")),
    request_body(description = "The document's new text with front matter (text/markdown), or JSON {id?, markdown}; an id in it must match the URL",
        content((String = "text/markdown"), (DocumentInput = "application/json"))),
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "A new revision (or `unchanged`; `restore` for a withdrawn document); searchable when this returns", body = WriteResult,
            headers(("ETag" = String, description = "The document's revision now"))),
        (status = 400, description = "invalid_body, or invalid_parameter (If-Match)", body = ErrorBody),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 404, description = "not_found: create it with POST", body = ErrorBody),
        (status = 409, description = "conflict: If-Match is not the current revision (current_revision says which is)", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "validation_failed, with every problem", body = ErrorBody)))]
pub(crate) async fn document_update(
    State(state): State<AppState>,
    Curator(author): Curator,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let change = Change::Save {
        draft: draft(&headers, body, Some(&id))?,
        mode: SaveMode::Update,
    };
    change_document(&state, author, &headers, change).await
}

/// The reason of a withdrawal or restoration: `?reason=` or a JSON body `{"reason": "..."}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonInput {
    #[serde(default)]
    pub(crate) reason: Option<String>,
}

pub(crate) fn read_reason(
    raw: Option<&str>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Option<String>, ApiError> {
    let pairs = QueryPairs::parse(raw, &["reason"])?;
    let from_query = pairs.single("reason")?.map(str::to_string);
    let body = body.map_err(body_refusal)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(from_query);
    }
    if content_type(headers) != "application/json" {
        return Err(ApiError::UnsupportedMediaType(Message::new(
            "api_reason_media_type",
        )));
    }
    let input: ReasonInput = json_body(&body, &[optional("reason", "string")])?;
    Ok(input.reason.or(from_query))
}

#[utoipa::path(delete, path = "/api/documents/{id}", tag = "curation",
    params(("id" = String, Path, description = "Document id"),
           ("reason" = Option<String>, Query, description = "Why (required here or in a JSON body {\"reason\"}); kept in the history and the audit log"),
           ("If-Match" = Option<String>, Header, description = "The ETag of the revision the curator saw")),
    request_body(description = "Optional JSON {reason}", content((ReasonInput = "application/json"))),
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "Withdrawn: gone from search, history kept (the withdrawal is a new revision)", body = WriteResult),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "already_withdrawn, or conflict (stale If-Match)", body = ErrorBody),
        (status = 422, description = "validation_failed: no reason", body = ErrorBody)))]
pub(crate) async fn document_withdraw(
    State(state): State<AppState>,
    Curator(author): Curator,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let reason = read_reason(raw.as_deref(), &headers, body)?.unwrap_or_default();
    change_document(&state, author, &headers, Change::Withdraw { id, reason }).await
}

#[utoipa::path(post, path = "/api/documents/{id}/restore", tag = "curation",
    params(("id" = String, Path, description = "Document id"),
           ("reason" = Option<String>, Query, description = "Why (optional); kept in the history and the audit log"),
           ("If-Match" = Option<String>, Header, description = "The ETag of the revision the curator saw")),
    request_body(description = "Optional JSON {reason}", content((ReasonInput = "application/json"))),
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "Restored with its last content (a new revision)", body = WriteResult),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "conflict: not withdrawn, or a stale If-Match", body = ErrorBody)))]
pub(crate) async fn document_restore(
    State(state): State<AppState>,
    Curator(author): Curator,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let reason = read_reason(raw.as_deref(), &headers, body)?;
    change_document(&state, author, &headers, Change::Restore { id, reason }).await
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

/// What a page showing a document needs besides the document: the frame, the site's address
/// (for the citation) and the search the reader came from.
pub(crate) fn document_extras(state: &AppState, headers: &HeaderMap) -> DocumentExtras {
    DocumentExtras {
        chrome: chrome(state, headers),
        base_url: base_url(state, headers),
        back_url: back_to_search(headers),
        ..Default::default()
    }
}

/// Renders a page about document `id` off the async workers: `render` is given the
/// document's current record, withdrawn or not. No such document, or `None` from `render` (no
/// such revision), is a 404 naming `missing`.
pub(crate) async fn document_view(
    state: &AppState,
    lang: Lang,
    id: String,
    missing: Message,
    render: impl FnOnce(&crate::KnowledgeBase, DocumentRecord) -> Result<Option<String>, ApiError>
        + Send
        + 'static,
) -> PageResult {
    let kb = state.kb();
    let html = blocking(lang, move || match kb.document(&id)? {
        Some(record) => render(&kb, record),
        None => Ok(None),
    })
    .await?;
    html.map(|h| Html(h).into_response())
        .ok_or_else(|| PageError::from_api(ApiError::NotFound(missing), lang))
}

async fn document_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let mut extras = document_extras(&state, &headers);
    let missing = Message::new("api_no_document").arg("id", &id);
    document_view(&state, lang, id.clone(), missing, move |kb, record| {
        let related = if record.withdrawn {
            Vec::new()
        } else {
            kb.related(&id, 5)?
        };
        extras.known_ids = existing_ids(kb, mentioned_ids(&record.meta, &record.body))?;
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
pub(crate) fn mentioned_ids(
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
