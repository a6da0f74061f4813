//! The curator desk (`/curate`): sign in, create, upload, edit, withdraw and restore
//! documents from forms, and the audit log of every write (`/api/audit`).
//!
//! The desk signs curators in with their token and keeps a server-side session (see
//! [`super::auth::Sessions`]), whose random id is in an HttpOnly, SameSite=Strict cookie.
//! Every form that writes carries a CSRF token derived from the session (a keyed hash with a
//! secret made at start-up), and cross-origin posts are refused outright.

use super::extract::Path;
use crate::catalogue::Message;
use axum::extract::multipart::MultipartError;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use super::auth::Curator;
use super::blocking::blocking as api_blocking;
use super::documents::mentioned_ids;
use super::error::{ApiError, ErrorBody};
use super::forms::{authorize_post, pair, Account, CuratorForm, PostedForm};
use super::html::{
    blocking, csrf_for, existing_ids, load_document, no_store, not_found, page_lang, pages,
    query_value, redirect_to_desk, signed_in, signed_out_redirect, with_session_cookie,
    CuratorPage, PageError, PageResult,
};
use super::params::{self, lang_from_headers, Paging, QueryPairs};
use super::state::AppState;
use crate::document::validate::parse_document;
use crate::document::Problem;
use crate::knowledge_base::{Change, Write, WriteError};
use crate::pages::{Desk, DocumentForm};
use crate::store::{AuditEntry, Upsert};
use crate::taxonomy::Lang;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
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
        .route("/api/audit", get(audit_list))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(audit_list))]
pub(crate) struct Paths;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AuditPage {
    pub(crate) total: usize,
    pub(crate) page: usize,
    pub(crate) page_size: usize,
    /// Newest first.
    pub(crate) entries: Vec<AuditEntry>,
}

#[utoipa::path(get, path = "/api/audit", tag = "curation",
    params(params::PageParams),
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "Every write (who, when, which document and revision), newest first", body = AuditPage),
        (status = 400, description = "invalid_parameter", body = ErrorBody),
        (status = 401, description = "unauthorized", body = ErrorBody)))]
pub(crate) async fn audit_list(
    State(state): State<AppState>,
    Curator(_curator): Curator,
    RawQuery(raw): RawQuery,
) -> Result<Json<AuditPage>, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &["page", "page_size"])?;
    let paging = Paging::read(&pairs)?;
    let kb = state.kb();
    let (entries, total) =
        api_blocking(move || Ok(kb.store().audit_log(paging.offset(), paging.page_size)?)).await?;
    Ok(Json(AuditPage {
        total,
        page: paging.page,
        page_size: paging.page_size,
        entries,
    }))
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
    Ok(no_store(status, html))
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
    let lang = page_lang(raw.as_deref(), &headers)?;
    let Some((curator, session)) = signed_in(&state, &headers) else {
        // An instance without curators says so instead of asking for a token nobody has.
        let message = state
            .tokens()
            .is_empty()
            .then(|| crate::pages::text(lang)["no_curators"]);
        return Ok(no_store(
            StatusCode::OK,
            pages().curate_login(lang, message),
        ));
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

async fn desk_login(
    State(state): State<AppState>,
    PostedForm { pairs, lang }: PostedForm,
) -> PageResult {
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
    Ok(with_session_cookie(
        redirect_to_desk(lang),
        &state,
        &session,
    ))
}

async fn desk_logout(
    State(state): State<AppState>,
    CuratorForm { lang, session, .. }: CuratorForm,
) -> PageResult {
    state.sessions().revoke(&session);
    Ok(signed_out_redirect(&format!(
        "/curate?lang={}",
        lang.code()
    )))
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

impl Submission {
    /// A whole document's text from a file (an upload, or the source editor fixing one).
    fn file(file: String, text: String) -> Self {
        Submission {
            default_id: id_from_file_name(&file),
            text,
            file,
            must_be_new: false,
            form: DocumentForm::default(),
            base_revision: None,
            source: true,
            form_problems: Vec::new(),
        }
    }
}

/// The id of a document from a file whose front matter sets none: the file's name without
/// its extension, in lower case.
fn id_from_file_name(file: &str) -> Option<String> {
    std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
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
        use crate::knowledge_base::{Draft, SaveMode};
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

async fn desk_create(
    State(state): State<AppState>,
    CuratorForm {
        pairs,
        lang,
        curator,
        session,
    }: CuratorForm,
) -> PageResult {
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
async fn desk_source(
    State(state): State<AppState>,
    CuratorForm {
        pairs,
        lang,
        curator,
        session,
    }: CuratorForm,
) -> PageResult {
    let text = pair(&pairs, "markdown").unwrap_or("").replace("\r\n", "\n");
    let file = pair(&pairs, "file").unwrap_or("upload.md").to_string();
    desk_write(&state, curator, session, lang, Submission::file(file, text)).await
}

async fn desk_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let mut csrf = None;
    let mut lang_field = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    let fallback_lang = lang_from_headers(&headers);
    let unreadable = |error: MultipartError| {
        tracing::debug!(%error, "upload unreadable");
        PageError::from_api(
            ApiError::InvalidBody(Message::new("page_upload_unreadable")),
            fallback_lang,
        )
    };
    let mut multipart = multipart.map_err(|rejection| {
        tracing::debug!(%rejection, "upload is not multipart");
        PageError::from_api(
            ApiError::InvalidBody(Message::new("page_upload_unreadable")),
            fallback_lang,
        )
    })?;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.ok(),
            Some("lang") => lang_field = field.text().await.ok(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.md").to_string();
                let bytes = field.bytes().await.map_err(unreadable)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let lang = lang_field
        .and_then(|l| l.parse().ok())
        .unwrap_or(fallback_lang);
    let (curator, session) =
        authorize_post(&state, &headers, csrf.as_deref(), lang, Account::Curator)?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(PageError::from_api(
            ApiError::InvalidBody(Message::new("page_upload_choose_file")),
            lang,
        ));
    };
    // Bytes that are not UTF-8 still go through validation, which names the problem.
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let problems = parse_document(
                &name,
                error.as_bytes(),
                id_from_file_name(&name).as_deref(),
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
    desk_write(&state, curator, session, lang, Submission::file(name, text)).await
}

async fn desk_edit(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    CuratorPage {
        lang,
        account: (curator, session),
    }: CuratorPage,
) -> PageResult {
    let id = query_value(raw.as_deref(), "id")
        .unwrap_or_default()
        .trim()
        .to_string();
    let record = load_document(&state, &id, lang).await?;
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
    CuratorForm {
        pairs,
        lang,
        curator,
        session,
    }: CuratorForm,
) -> PageResult {
    let record = load_document(&state, &id, lang).await?;
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
            Message::new("page_id_mismatch")
                .arg("declared", declared.unwrap_or_default())
                .arg("id", &id)
                .render(lang),
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
    CuratorPage {
        lang,
        account: (curator, session),
    }: CuratorPage,
) -> PageResult {
    let id = query_value(raw.as_deref(), "id").unwrap_or_default();
    let record = load_document(&state, &id, lang).await?;
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
    let record = load_document(state, id, lang).await?;
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
    form: CuratorForm,
) -> PageResult {
    let lang = form.lang;
    let reason = pair(&form.pairs, "reason").unwrap_or("").trim().to_string();
    if reason.is_empty() {
        let problem = Some(Some(
            crate::pages::text(lang)["reason_required"].to_string(),
        ));
        return desk_refused(
            &state,
            form.curator,
            &form.session,
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
    let change = Change::Withdraw {
        id: id.clone(),
        reason,
    };
    desk_state_change(&state, form, &id, change, "withdrawn", |refused| {
        match refused {
            WriteError::AlreadyWithdrawn { .. } => Some(("already_withdrawn", None)),
            // The form stays open, so the curator can confirm again on the current revision.
            WriteError::Stale { .. } => Some(("changed_since", Some(None))),
            _ => None,
        }
    })
    .await
}

async fn desk_restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: CuratorForm,
) -> PageResult {
    let reason = pair(&form.pairs, "reason")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let change = Change::Restore {
        id: id.clone(),
        reason,
    };
    desk_state_change(
        &state,
        form,
        &id,
        change,
        "restored",
        |refused| match refused {
            WriteError::NotWithdrawn { .. } => Some(("not_withdrawn", None)),
            WriteError::Stale { .. } => Some(("changed_since", None)),
            _ => None,
        },
    )
    .await
}

/// What the desk's withdraw and restore handlers share: the write, on the revision the form
/// was based on, then a redirect on success or the desk with a notice when the write path
/// refuses. `refusal` gives, for a refusal the desk explains, the notice's text key and the
/// state of the withdrawal form; other refusals are error pages.
async fn desk_state_change(
    state: &AppState,
    form: CuratorForm,
    id: &str,
    change: Change,
    done: &str,
    refusal: impl Fn(&WriteError) -> Option<(&'static str, Option<Option<String>>)>,
) -> PageResult {
    let CuratorForm {
        pairs,
        lang,
        curator,
        session,
    } = form;
    let base_revision = pair(&pairs, "base_revision").and_then(|b| b.parse().ok());
    let kb = state.kb();
    let author = curator.clone();
    let written = blocking(lang, move || {
        match kb.write(Write {
            change,
            author,
            base_revision,
        }) {
            Ok(_) => Ok(Ok(())),
            Err(WriteError::Store(error)) => Err(error.into()),
            Err(refused) => Ok(Err(refused)),
        }
    })
    .await?;
    let refused = match written {
        Ok(()) => {
            let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
            return Ok(Redirect::to(&format!(
                "/curate?lang={}&done={done}&id={encoded}",
                lang.code()
            ))
            .into_response());
        }
        Err(WriteError::NotFound { .. }) => return Err(not_found(id, lang)),
        Err(refused) => refused,
    };
    let Some((key, withdraw)) = refusal(&refused) else {
        return Err(PageError::from_api(refused.into(), lang));
    };
    let t = crate::pages::text(lang);
    let desk = DeskState {
        notice: Some(crate::index::search::html_escape(t[key])),
        withdraw,
        ..Default::default()
    };
    desk_refused(
        state,
        curator,
        &session,
        lang,
        id,
        desk,
        StatusCode::CONFLICT,
    )
    .await
}
