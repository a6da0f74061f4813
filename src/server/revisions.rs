//! Revisions: a document's history, one revision and the diff between two, in the API and
//! as pages.

use super::extract::Path;
use crate::catalogue::Message;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::blocking::blocking as api_blocking;
use super::documents::{document_extras, document_view, existing, mentioned_ids};
use super::error::{ApiError, ErrorBody};
use super::html::{chrome, existing_ids, page_lang, pages, query_value, PageError, PageResult};
use super::params::{self, Paging, QueryPairs};
use super::state::AppState;
use crate::diff::{DiffHunk, LineChange};
use crate::document::markdown::to_safe_html;
use crate::document::Metadata;
use crate::store::{DocumentRecord, Revision, RevisionAction};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/documents/{id}/history", get(history_page))
        .route("/documents/{id}/revisions/{number}", get(revision_page))
        .route("/documents/{id}/diff", get(diff_page))
        .route("/api/documents/{id}/revisions", get(revisions_list))
        .route("/api/documents/{id}/revisions/{number}", get(revision_show))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(revisions_list, revision_show))]
pub(crate) struct Paths;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RevisionSummary {
    pub(crate) number: u32,
    pub(crate) recorded_at: String,
    /// `ingest` or the curator's name.
    pub(crate) author: String,
    pub(crate) title: String,
    pub(crate) content_hash: String,
    /// What this entry records: `create`, `update`, `withdraw` or `restore`.
    pub(crate) action: RevisionAction,
    /// The reason given for a withdrawal or restoration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RevisionList {
    pub(crate) id: String,
    /// The current revision.
    pub(crate) current: u32,
    pub(crate) withdrawn: bool,
    pub(crate) total: usize,
    pub(crate) page: usize,
    pub(crate) page_size: usize,
    /// Oldest first.
    pub(crate) revisions: Vec<RevisionSummary>,
}

/// The line diff between two revisions' full text (front matter included).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RevisionDiff {
    pub(crate) id: String,
    pub(crate) from: u32,
    pub(crate) to: u32,
    /// Lines added and removed.
    pub(crate) added: usize,
    pub(crate) removed: usize,
    /// Changed lines with up to three unchanged lines of context around them.
    pub(crate) hunks: Vec<DiffHunk>,
}

/// `/revisions` answers with the list, or with a diff when `?diff=A..B` is given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub(crate) enum RevisionsAnswer {
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

/// Revision `number` of document `id`, whose current record is `record`; 404 (saying which
/// revision is the last) if there is none.
fn existing_revision(
    kb: &crate::KnowledgeBase,
    id: &str,
    record: &DocumentRecord,
    number: u32,
) -> Result<Revision, ApiError> {
    kb.store().revision(id, number)?.ok_or_else(|| {
        ApiError::NotFound(
            Message::new("api_no_revision")
                .arg("id", id)
                .arg("number", number)
                .arg("last", record.revision),
        )
    })
}

#[utoipa::path(get, path = "/api/documents/{id}/revisions", tag = "documents",
    params(("id" = String, Path, description = "Document id"), params::RevisionsParams),
    responses(
        (status = 200, description = "The revisions (oldest first), or with ?diff=A..B the line diff from A to B", body = RevisionsAnswer),
        (status = 400, description = "invalid_parameter", body = ErrorBody),
        (status = 404, description = "not_found (the document or a revision of the diff)", body = ErrorBody)))]
pub(crate) async fn revisions_list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<RevisionsAnswer>, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &["page", "page_size", "diff"])?;
    let paging = Paging::read(&pairs)?;
    let diff_range = pairs.single("diff")?.map(params::parse_diff).transpose()?;
    let kb = state.kb();
    let answer = api_blocking(move || {
        let record = existing(&kb, &id)?;
        if let Some((from, to)) = diff_range {
            let (older, newer) = (
                existing_revision(&kb, &id, &record, from)?,
                existing_revision(&kb, &id, &record, to)?,
            );
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
pub(crate) struct RevisionView {
    pub(crate) id: String,
    pub(crate) number: u32,
    /// True when this is the document's current revision (and it is not withdrawn).
    pub(crate) current: bool,
    pub(crate) recorded_at: String,
    pub(crate) author: String,
    /// What this entry records: `create`, `update`, `withdraw` or `restore`.
    pub(crate) action: RevisionAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    pub(crate) meta: Metadata,
    pub(crate) markdown: String,
    pub(crate) html: String,
    pub(crate) source: String,
}

#[utoipa::path(get, path = "/api/documents/{id}/revisions/{number}", tag = "documents",
    params(("id" = String, Path, description = "Document id"),
           ("number" = u32, Path, description = "Revision number, from 1")),
    responses(
        (status = 200, description = "One revision, rendered", body = RevisionView),
        (status = 400, description = "invalid_parameter (number)", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub(crate) async fn revision_show(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
) -> Result<Json<RevisionView>, ApiError> {
    let number: u32 = number
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| not_a_revision("number", &number))?;
    let kb = state.kb();
    let view = api_blocking(move || {
        let record = existing(&kb, &id)?;
        let revision = existing_revision(&kb, &id, &record, number)?;
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

/// The error for a revision number (`name` in the URL) that is not one.
fn not_a_revision(name: &str, value: &str) -> ApiError {
    ApiError::invalid_parameter(
        name,
        Message::new("param_not_revision_number").arg("value", value),
    )
}

async fn history_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let chrome = chrome(&state, &headers);
    let missing = Message::new("api_no_document").arg("id", &id);
    document_view(&state, lang, id.clone(), missing, move |kb, record| {
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
    let lang = page_lang(raw.as_deref(), &headers)?;
    let number: u32 = number
        .parse()
        .map_err(|_| PageError::from_api(not_a_revision("number", &number), lang))?;
    let mut extras = document_extras(&state, &headers);
    let missing = Message::new("page_no_revision")
        .arg("id", &id)
        .arg("number", number);
    document_view(&state, lang, id.clone(), missing, move |kb, record| {
        let Some(revision) = kb.store().revision(&id, number)? else {
            return Ok(None);
        };
        extras.known_ids = existing_ids(kb, mentioned_ids(&revision.meta, &revision.body))?;
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
    let lang = page_lang(raw.as_deref(), &headers)?;
    let revision = |name: &str| -> Result<u32, PageError> {
        let value = query_value(raw.as_deref(), name).unwrap_or_default();
        value
            .parse()
            .map_err(|_| PageError::from_api(not_a_revision(name, &value), lang))
    };
    let (from, to) = (revision("from")?, revision("to")?);
    let chrome = chrome(&state, &headers);
    let missing = Message::new("page_no_revisions")
        .arg("id", &id)
        .arg("from", from)
        .arg("to", to);
    document_view(&state, lang, id.clone(), missing, move |kb, record| {
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
