//! The handlers, named `<resource>_<action>`. Each reads its input, runs the knowledge base on
//! the blocking pool, and answers with JSON (or CSV, NDJSON, Atom) or an [`ApiError`].
//!
//! Choices a client can rely on:
//! - A withdrawn document answers 410 `withdrawn` at `/api/documents/{id}`; its revisions and
//!   diffs stay readable.
//! - `POST /api/documents` only creates (409 `conflict` if the id exists); `PUT` only updates or
//!   restores a withdrawn document (404 if the id was never created).
//! - Write bodies are a document as Markdown with YAML front matter (`Content-Type:
//!   text/markdown` or `text/plain`), or JSON `{"id": optional, "markdown": "..."}`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::auth::Curator;
use super::error::{ApiError, ErrorBody};
use super::params::{self, Format, Paging, QueryPairs};
use super::{export, feed, openapi, AppState};
use crate::diff::{DiffHunk, LineChange};
use crate::document::markdown::to_safe_html;
use crate::document::{Metadata, Problem};
use crate::index::search::{value_label, Related};
use crate::index::{FacetGroup, SearchResponse};
use crate::knowledge_base::{Change, Draft, SaveMode, Stats, Write, WriteError};
use crate::store::{AuditEntry, DocumentRecord, Revision, RevisionAction};
use crate::taxonomy::{Labels, Lang, Taxonomy, Term};

/// Runs blocking knowledge-base work off the async workers.
async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await?
}

// --- health, readiness, metrics, OpenAPI -----------------------------------------------------

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, `ready` or `not_ready`.
    pub status: &'static str,
    pub version: &'static str,
    pub uptime_seconds: u64,
    /// Searchable documents.
    pub documents: u64,
}

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn health_check(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.uptime().as_secs(),
        documents: state.kb().index().num_docs(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve searches", body = Health),
        (status = 503, description = "Ingesting the default corpus, or shutting down", body = ErrorBody)))]
pub async fn ready_check(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    if !state.is_ready() {
        return Err(ApiError::Unavailable(
            "not ready: the default corpus is being ingested, or the server is shutting down"
                .into(),
        ));
    }
    Ok(Json(Health {
        status: "ready",
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.uptime().as_secs(),
        documents: state.kb().index().num_docs(),
    }))
}

#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics_show(State(state): State<AppState>) -> Result<Response, ApiError> {
    let kb = state.kb();
    // From the counters the write path keeps (a short read of the store): off the async workers.
    let (indexed, stored) = blocking(move || {
        let stats = kb.stats()?;
        Ok((stats.indexed, stats.documents + stats.withdrawn))
    })
    .await?;
    let text = state.metrics().render(indexed, stored, state.is_ready());
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "This API's OpenAPI 3 document", body = Object)))]
pub async fn openapi_show() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi::document())
}

/// Unknown routes.
pub async fn route_missing(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound(format!(
        "no route for {method} {}; the API is described at /api/openapi.json",
        uri.path()
    ))
}

/// Known routes, unsupported methods.
pub async fn method_missing(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "{} does not accept {method}; see /api/openapi.json",
        uri.path()
    ))
}

// --- search and export ----------------------------------------------------------------------

#[utoipa::path(get, path = "/api/search", tag = "search",
    params(params::SearchParams),
    responses(
        (status = 200, description = "A page of results with facet counts (format=json), or every match streamed (format=csv, ndjson)",
            content(
                (SearchResponse = "application/json"),
                (String = "text/csv"),
                (String = "application/x-ndjson"))),
        (status = 400, description = "invalid_parameter or invalid_filter, naming the parameter", body = ErrorBody)))]
pub async fn search_query(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (request, format) = params::parse_search(raw.as_deref(), &headers)?;
    if format != Format::Json {
        return export::export(state, request, format).await;
    }
    let kb = state.kb();
    let response = blocking(move || Ok(kb.search(&request)?)).await?;
    Ok(Json(response).into_response())
}

// --- documents ------------------------------------------------------------------------------

/// A value with its label in the request's language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ValueLabel {
    pub value: String,
    pub label: String,
}

/// Labels for a document's metadata values.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentLabels {
    /// The language of these labels.
    #[schema(value_type = String, example = "en")]
    pub lang: Lang,
    #[serde(rename = "type")]
    pub doc_type: ValueLabel,
    pub language: ValueLabel,
    pub countries: Vec<ValueLabel>,
    /// Explicit regions and the regions of the countries, each with its ancestors, top first.
    pub regions: Vec<ValueLabel>,
    pub themes: Vec<ValueLabel>,
    /// Stages of the spectrum from prevention to reparation.
    pub stages: Vec<ValueLabel>,
    pub mechanism_types: Vec<ValueLabel>,
    pub instruments: Vec<ValueLabel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ValueLabel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub composition: Option<ValueLabel>,
}

/// A document as readers see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: String,
    /// The current revision, from 1.
    pub revision: u32,
    /// Always false here: withdrawn documents answer 410.
    pub withdrawn: bool,
    pub first_ingested: String,
    pub last_modified: String,
    pub meta: Metadata,
    pub labels: DocumentLabels,
    /// The Markdown body, without front matter.
    pub markdown: String,
    /// The body rendered and sanitised: no raw HTML, scripts, event attributes or
    /// `javascript:` links.
    pub html: String,
    /// The whole text as the curator wrote it, front matter included (what PUT takes).
    pub source: String,
    pub related: Vec<Related>,
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
fn existing(kb: &crate::KnowledgeBase, id: &str) -> Result<DocumentRecord, ApiError> {
    kb.document(id)?
        .ok_or_else(|| ApiError::NotFound(format!("no document \"{id}\"")))
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
pub async fn document_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &["lang"])?;
    let lang = match pairs.single("lang")? {
        Some(lang) => lang
            .parse()
            .map_err(|message| ApiError::invalid_parameter("lang", message))?,
        None => params::lang_from_headers(&headers),
    };
    let kb = state.kb();
    let view = blocking(move || {
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
pub struct DocumentInput {
    /// The id, when the front matter sets none (must agree with it otherwise).
    #[serde(default)]
    pub id: Option<String>,
    /// The whole document: YAML front matter between `---` lines, then Markdown.
    pub markdown: String,
}

/// What a write did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WriteResult {
    pub id: String,
    /// The document's revision after the write.
    pub revision: u32,
    /// `create`, `update`, `restore`, `unchanged` or `withdraw`.
    pub action: &'static str,
}

/// Reads a write body: the document's bytes, and the id the JSON form gives, if any.
fn read_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(Vec<u8>, Option<String>), ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(
                "the request body is too large (documents are at most 1 MiB)".into(),
            )
        } else {
            ApiError::InvalidBody(format!("cannot read the request body: {rejection}"))
        }
    })?;
    match content_type(headers).as_str() {
        "application/json" => {
            let input: DocumentInput = serde_json::from_slice(&body).map_err(|error| {
                ApiError::InvalidBody(format!(
                    "the JSON body must be {{\"id\": optional string, \"markdown\": string}}: {error}"
                ))
            })?;
            Ok((input.markdown.into_bytes(), input.id))
        }
        "" | "text/markdown" | "text/x-markdown" | "text/plain" => Ok((body.to_vec(), None)),
        other => Err(ApiError::UnsupportedMediaType(format!(
            "cannot read a body of type {other}; send text/markdown (a document with front matter) or application/json ({{\"id\", \"markdown\"}})"
        ))),
    }
}

pub(super) fn content_type(headers: &HeaderMap) -> String {
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
pub(super) fn etag(revision: u32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{revision}\"")).expect("digits are a valid header value")
}

/// The base revision of a write, from `If-Match`: `"3"` (or `W/"3"`, or `3`) means "only if
/// the document is still at revision 3"; `*` or no header means "whatever is current".
pub(super) fn base_revision(headers: &HeaderMap) -> Result<Option<u32>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::invalid_parameter(
            "If-Match",
            "expected the ETag of the revision you edited, such as \"3\" (from GET /api/documents/{id}), or *",
        )
    };
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
            WriteError::NotFound { id } => ApiError::NotFound(format!(
                "no document \"{id}\"; create it with POST /api/documents"
            )),
            WriteError::Exists { id, withdrawn } => {
                let hint = if withdrawn {
                    format!("it was withdrawn; restore it with POST /api/documents/{id}/restore, or PUT a new text")
                } else {
                    format!("change it with PUT /api/documents/{id}")
                };
                ApiError::Conflict(format!("a document \"{id}\" already exists; {hint}"))
            }
            WriteError::Stale { id, base, current } => {
                let changes = if base < current {
                    format!(" (GET /api/documents/{id}/revisions?diff={base}..{current} shows what changed)")
                } else {
                    String::new()
                };
                ApiError::Stale {
                    message: format!(
                        "document \"{id}\" is at revision {current}, not {base} (your If-Match): it changed since you read it, or that revision never was; read it again{changes} and send your change with If-Match: \"{current}\""
                    ),
                    current_revision: current,
                }
            }
            WriteError::AlreadyWithdrawn { id, at, by, reason } => {
                let mut message = format!("document \"{id}\" is already withdrawn");
                if let Some(at) = at {
                    message.push_str(&format!(" (on {at}"));
                    if let Some(by) = by {
                        message.push_str(&format!(" by {by}"));
                    }
                    message.push(')');
                }
                if let Some(reason) = reason {
                    message.push_str(&format!(": {reason}"));
                }
                ApiError::AlreadyWithdrawn(message)
            }
            WriteError::NotWithdrawn { id } => ApiError::Conflict(format!(
                "document \"{id}\" is not withdrawn; there is nothing to restore"
            )),
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

/// Runs a write on the blocking pool (validation included) and answers with its result and
/// the document's new ETag.
async fn write_document(
    state: &AppState,
    write: Write,
) -> Result<(WriteResult, HeaderValue), ApiError> {
    let kb = state.kb();
    let author = write.author.clone();
    let written = blocking(move || Ok(kb.write(write)?)).await?;
    tracing::info!(document = %written.id, revision = written.revision, curator = %author, action = written.outcome.as_str(), "document written");
    let tag = etag(written.revision);
    Ok((
        WriteResult {
            id: written.id,
            revision: written.revision,
            action: written.outcome.as_str(),
        },
        tag,
    ))
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
pub async fn document_create(
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
    let (result, tag) = write_document(&state, write).await?;
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
pub async fn document_update(
    State(state): State<AppState>,
    Curator(author): Curator,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let write = Write {
        change: Change::Save {
            draft: draft(&headers, body, Some(&id))?,
            mode: SaveMode::Update,
        },
        author,
        base_revision: base_revision(&headers)?,
    };
    let (result, tag) = write_document(&state, write).await?;
    Ok(([(header::ETAG, tag)], Json(result)).into_response())
}

/// The reason of a withdrawal or restoration: `?reason=` or a JSON body `{"reason": "..."}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    #[serde(default)]
    pub reason: Option<String>,
}

pub(super) fn read_reason(
    raw: Option<&str>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Option<String>, ApiError> {
    let pairs = QueryPairs::parse(raw, &["reason"])?;
    let from_query = pairs.single("reason")?.map(str::to_string);
    let body = body.map_err(|rejection| {
        ApiError::InvalidBody(format!("cannot read the request body: {rejection}"))
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(from_query);
    }
    if content_type(headers) != "application/json" {
        return Err(ApiError::UnsupportedMediaType(
            "send the reason as ?reason=... or as JSON {\"reason\": \"...\"} (application/json)"
                .into(),
        ));
    }
    let input: ReasonInput = serde_json::from_slice(&body).map_err(|error| {
        ApiError::InvalidBody(format!(
            "the JSON body must be {{\"reason\": string}}: {error}"
        ))
    })?;
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
pub async fn document_withdraw(
    State(state): State<AppState>,
    Curator(author): Curator,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let reason = read_reason(raw.as_deref(), &headers, body)?.unwrap_or_default();
    let write = Write {
        change: Change::Withdraw { id, reason },
        author,
        base_revision: base_revision(&headers)?,
    };
    let (result, tag) = write_document(&state, write).await?;
    Ok(([(header::ETAG, tag)], Json(result)).into_response())
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
pub async fn document_restore(
    State(state): State<AppState>,
    Curator(author): Curator,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let reason = read_reason(raw.as_deref(), &headers, body)?;
    let write = Write {
        change: Change::Restore { id, reason },
        author,
        base_revision: base_revision(&headers)?,
    };
    let (result, tag) = write_document(&state, write).await?;
    Ok(([(header::ETAG, tag)], Json(result)).into_response())
}

// --- revisions ------------------------------------------------------------------------------

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevisionSummary {
    pub number: u32,
    pub recorded_at: String,
    /// `ingest` or the curator's name.
    pub author: String,
    pub title: String,
    pub content_hash: String,
    /// What this entry records: `create`, `update`, `withdraw` or `restore`.
    pub action: RevisionAction,
    /// The reason given for a withdrawal or restoration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevisionList {
    pub id: String,
    /// The current revision.
    pub current: u32,
    pub withdrawn: bool,
    pub total: usize,
    pub page: usize,
    pub page_size: usize,
    /// Oldest first.
    pub revisions: Vec<RevisionSummary>,
}

/// The line diff between two revisions' full text (front matter included).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevisionDiff {
    pub id: String,
    pub from: u32,
    pub to: u32,
    /// Lines added and removed.
    pub added: usize,
    pub removed: usize,
    /// Changed lines with up to three unchanged lines of context around them.
    pub hunks: Vec<DiffHunk>,
}

/// `/revisions` answers with the list, or with a diff when `?diff=A..B` is given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum RevisionsAnswer {
    List(RevisionList),
    Diff(RevisionDiff),
}

fn diff(id: String, from: &Revision, to: &Revision) -> RevisionDiff {
    let hunks = crate::diff::diff_lines(&from.source_text, &to.source_text, 3);
    let count = |change: LineChange| {
        hunks
            .iter()
            .flat_map(|h| &h.lines)
            .filter(|l| l.change == change)
            .count()
    };
    RevisionDiff {
        id,
        from: from.number,
        to: to.number,
        added: count(LineChange::Added),
        removed: count(LineChange::Removed),
        hunks,
    }
}

#[utoipa::path(get, path = "/api/documents/{id}/revisions", tag = "documents",
    params(("id" = String, Path, description = "Document id"), params::RevisionsParams),
    responses(
        (status = 200, description = "The revisions (oldest first), or with ?diff=A..B the line diff from A to B", body = RevisionsAnswer),
        (status = 400, description = "invalid_parameter", body = ErrorBody),
        (status = 404, description = "not_found (the document or a revision of the diff)", body = ErrorBody)))]
pub async fn revisions_list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<RevisionsAnswer>, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &["page", "page_size", "diff"])?;
    let paging = Paging::read(&pairs)?;
    let diff_range = pairs.single("diff")?.map(params::parse_diff).transpose()?;
    let kb = state.kb();
    let answer = blocking(move || {
        let record = existing(&kb, &id)?;
        if let Some((from, to)) = diff_range {
            let revision = |number: u32| {
                kb.store().revision(&id, number)?.ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "document \"{id}\" has no revision {number} (it has 1 to {})",
                        record.revision
                    ))
                })
            };
            let (older, newer) = (revision(from)?, revision(to)?);
            return Ok(RevisionsAnswer::Diff(diff(id.clone(), &older, &newer)));
        }
        let revisions = kb.store().revisions(&id)?;
        let total = revisions.len();
        let page = revisions
            .into_iter()
            .skip(paging.offset())
            .take(paging.page_size)
            .map(|r| RevisionSummary {
                action: r.action(),
                reason: r.reason.clone(),
                number: r.number,
                recorded_at: r.recorded_at,
                author: r.author,
                title: r.meta.title,
                content_hash: r.content_hash,
            })
            .collect();
        Ok(RevisionsAnswer::List(RevisionList {
            id: record.meta.id,
            current: record.revision,
            withdrawn: record.withdrawn,
            total,
            page: paging.page,
            page_size: paging.page_size,
            revisions: page,
        }))
    })
    .await?;
    Ok(Json(answer))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevisionView {
    pub id: String,
    pub number: u32,
    /// True when this is the document's current revision (and it is not withdrawn).
    pub current: bool,
    pub recorded_at: String,
    pub author: String,
    /// What this entry records: `create`, `update`, `withdraw` or `restore`.
    pub action: RevisionAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub meta: Metadata,
    pub markdown: String,
    pub html: String,
    pub source: String,
}

#[utoipa::path(get, path = "/api/documents/{id}/revisions/{number}", tag = "documents",
    params(("id" = String, Path, description = "Document id"),
           ("number" = u32, Path, description = "Revision number, from 1")),
    responses(
        (status = 200, description = "One revision, rendered", body = RevisionView),
        (status = 400, description = "invalid_parameter (number)", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn revision_show(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
) -> Result<Json<RevisionView>, ApiError> {
    let number: u32 = number.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
        ApiError::invalid_parameter(
            "number",
            format!("\"{number}\" is not a revision number (1, 2, ...)"),
        )
    })?;
    let kb = state.kb();
    let view = blocking(move || {
        let record = existing(&kb, &id)?;
        let revision = kb.store().revision(&id, number)?.ok_or_else(|| {
            ApiError::NotFound(format!(
                "document \"{id}\" has no revision {number} (it has 1 to {})",
                record.revision
            ))
        })?;
        Ok(RevisionView {
            id,
            number,
            current: number == record.revision && !record.withdrawn,
            action: revision.action(),
            reason: revision.reason.clone(),
            recorded_at: revision.recorded_at,
            author: revision.author,
            html: to_safe_html(&revision.body),
            meta: revision.meta,
            markdown: revision.body,
            source: revision.source_text,
        })
    })
    .await?;
    Ok(Json(view))
}

// --- taxonomy, stats, audit, feed -----------------------------------------------------------

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LabelsView {
    pub en: String,
    pub fr: String,
    pub es: String,
}

impl From<&Labels> for LabelsView {
    fn from(labels: &Labels) -> Self {
        LabelsView {
            en: labels.en.clone(),
            fr: labels.fr.clone(),
            es: labels.es.clone(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TermView {
    pub slug: String,
    pub labels: LabelsView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl From<&Term> for TermView {
    fn from(term: &Term) -> Self {
        TermView {
            slug: term.slug.clone(),
            labels: (&term.labels).into(),
            synonyms: term.synonyms.clone(),
            description: term.description.clone(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionView {
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub m49: String,
    pub labels: LabelsView,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CountryView {
    pub iso2: String,
    pub iso3: String,
    pub names: LabelsView,
    /// The most specific M49 region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FacetGroupView {
    /// The search parameter name.
    pub key: &'static str,
    pub labels: LabelsView,
}

/// Every vocabulary, with labels in English, French and Spanish.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaxonomyView {
    pub facet_groups: Vec<FacetGroupView>,
    pub types: Vec<TermView>,
    pub themes: Vec<TermView>,
    /// The spectrum from prevention to reparation, in order.
    pub stages: Vec<TermView>,
    pub mechanism_types: Vec<TermView>,
    pub instruments: Vec<TermView>,
    pub languages: Vec<TermView>,
    pub statuses: Vec<TermView>,
    /// Whether a mechanism or network works: active, dormant, dissolved.
    pub operating_statuses: Vec<TermView>,
    pub compositions: Vec<TermView>,
    /// The chapters of the manual (`/manual`), in reading order: the `chapter` of guides.
    pub manual_chapters: Vec<TermView>,
    /// UN M49 regions, each after its parent.
    pub regions: Vec<RegionView>,
    pub countries: Vec<CountryView>,
}

#[utoipa::path(get, path = "/api/taxonomy", tag = "reference",
    responses((status = 200, description = "Every vocabulary with en/fr/es labels", body = TaxonomyView)))]
pub async fn taxonomy_show(State(state): State<AppState>) -> Json<TaxonomyView> {
    let taxonomy = state.kb().taxonomy();
    let terms = |v: &crate::taxonomy::Vocabulary| v.terms().iter().map(TermView::from).collect();
    let geography = &taxonomy.geography;
    Json(TaxonomyView {
        facet_groups: FacetGroup::ALL
            .iter()
            .map(|&group| FacetGroupView {
                key: group.key(),
                labels: LabelsView {
                    en: group.label(Lang::En).into(),
                    fr: group.label(Lang::Fr).into(),
                    es: group.label(Lang::Es).into(),
                },
            })
            .collect(),
        types: terms(&taxonomy.types),
        themes: terms(&taxonomy.themes),
        stages: terms(&taxonomy.stages),
        mechanism_types: terms(&taxonomy.mechanism_types),
        instruments: terms(&taxonomy.instruments),
        languages: terms(&taxonomy.languages),
        statuses: terms(&taxonomy.statuses),
        operating_statuses: terms(&taxonomy.operating_statuses),
        compositions: terms(&taxonomy.compositions),
        manual_chapters: terms(&taxonomy.manual_chapters),
        regions: geography
            .regions()
            .iter()
            .map(|r| RegionView {
                slug: r.slug.clone(),
                parent: r.parent.clone(),
                m49: r.m49.clone(),
                labels: (&r.labels).into(),
            })
            .collect(),
        countries: geography
            .countries()
            .iter()
            .map(|c| CountryView {
                iso2: c.iso2.clone(),
                iso3: c.iso3.clone(),
                names: (&c.names).into(),
                region: c.region.clone(),
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/stats", tag = "reference",
    responses((status = 200, description = "Counts by type, language and region", body = Stats)))]
pub async fn stats_show(State(state): State<AppState>) -> Result<Json<Stats>, ApiError> {
    let kb = state.kb();
    Ok(Json(blocking(move || Ok(kb.stats()?)).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub total: usize,
    pub page: usize,
    pub page_size: usize,
    /// Newest first.
    pub entries: Vec<AuditEntry>,
}

#[utoipa::path(get, path = "/api/audit", tag = "curation",
    params(params::PageParams),
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "Every write (who, when, which document and revision), newest first", body = AuditPage),
        (status = 400, description = "invalid_parameter", body = ErrorBody),
        (status = 401, description = "unauthorized", body = ErrorBody)))]
pub async fn audit_list(
    State(state): State<AppState>,
    Curator(_curator): Curator,
    RawQuery(raw): RawQuery,
) -> Result<Json<AuditPage>, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &["page", "page_size"])?;
    let paging = Paging::read(&pairs)?;
    let kb = state.kb();
    let (entries, total) =
        blocking(move || Ok(kb.store().audit_log(paging.offset(), paging.page_size)?)).await?;
    Ok(Json(AuditPage {
        total,
        page: paging.page,
        page_size: paging.page_size,
        entries,
    }))
}

#[utoipa::path(get, path = "/api/backup", tag = "operations",
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "A consistent dump of the store (NDJSON: documents, every revision, the audit log, imported treaty data), for `praxis backup --server` and `praxis restore`", body = String, content_type = "application/x-ndjson"),
        (status = 401, description = "unauthorized", body = ErrorBody)))]
pub async fn backup_show(
    State(state): State<AppState>,
    Curator(curator): Curator,
) -> Result<Response, ApiError> {
    let kb = state.kb();
    // Written to a file under the write lock (a consistent copy, at disk speed), then streamed
    // from it: a slow client never holds the lock.
    let file = blocking(move || {
        let path = kb
            .data_dir()
            .join(format!("backup-{}.ndjson.tmp", rand::random::<u64>()));
        let file = std::fs::File::create(&path)
            .map_err(|e| ApiError::Internal(format!("{}: {e}", path.display())))?;
        let mut out = std::io::BufWriter::new(file);
        let counts = kb
            .dump(&mut out)
            .map_err(|e| ApiError::Internal(format!("dump: {e}")))?;
        drop(out);
        let file = std::fs::File::open(&path)
            .map_err(|e| ApiError::Internal(format!("{}: {e}", path.display())))?;
        // The open file stays readable; nothing is left behind if the transfer stops.
        let _ = std::fs::remove_file(&path);
        tracing::info!(?counts, curator = %curator, "backup taken");
        Ok(file)
    })
    .await?;
    let file = tokio::fs::File::from_std(file);
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buffer)), file))
            }
            Err(error) => Some((Err(error), file)),
        }
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

#[utoipa::path(get, path = "/feed.atom", tag = "search",
    params(params::FeedParams),
    responses(
        (status = 200, description = "Atom feed of the newest and most recently updated matching documents", body = String, content_type = "application/atom+xml"),
        (status = 400, description = "invalid_parameter or invalid_filter", body = ErrorBody)))]
pub async fn feed_show(
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
    let xml = blocking(move || feed::build(&kb, &request, &base, &self_url)).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}
