//! The API of contributions: contributors propose changes (their token), curators list,
//! accept and decline them and issue invitations (a curator's token), and an invitation
//! makes a contributor account once. The web pages are in [`super::contribute_pages`].

use super::extract::{body_refusal, json_body, optional, required, Path};
use crate::catalogue::Message;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::auth::{Contributor, Curator};
use super::blocking::blocking;
use super::documents::{base_revision, content_type, read_reason, written_response, WriteResult};
use super::error::{ApiError, ErrorBody};
use super::params::{Paging, QueryPairs};
use super::AppState;
use crate::diff::{diff_lines, DiffHunk};
use crate::knowledge_base::proposals::{
    Joined, ProposalDraft, ProposalError, ProposalView, MAX_PENDING_PER_CONTRIBUTOR,
};
use crate::store::{ListedInvitation, Proposal, Redeem, Revoke};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/proposals", get(proposals_list).post(proposal_create))
        .route("/api/proposals/{number}", get(proposal_show))
        .route("/api/proposals/{number}/accept", post(proposal_accept))
        .route("/api/proposals/{number}/decline", post(proposal_decline))
        .route(
            "/api/contributor/proposals",
            get(contributor_proposals_list),
        )
        .route(
            "/api/invitations",
            get(invitations_list).post(invitation_create),
        )
        .route("/api/invitations/{id}", delete(invitation_revoke))
        .route("/api/contributors", post(contributor_create))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    proposal_create,
    proposals_list,
    contributor_proposals_list,
    proposal_show,
    proposal_accept,
    proposal_decline,
    invitation_create,
    invitations_list,
    invitation_revoke,
    contributor_create
))]
pub(crate) struct Paths;

impl From<ProposalError> for ApiError {
    fn from(error: ProposalError) -> Self {
        match error {
            ProposalError::Invalid(problems) => ApiError::ValidationFailed(problems),
            ProposalError::DocumentNotFound { id } => ApiError::invalid_parameter(
                "document",
                Message::new("api_proposal_no_document").arg("id", id),
            ),
            ProposalError::DocumentWithdrawn { id } => {
                ApiError::Conflict(Message::new("api_proposal_withdrawn").arg("id", id))
            }
            ProposalError::NoSuchRevision {
                id,
                revision,
                current,
            } => ApiError::invalid_parameter(
                "base_revision",
                Message::new("api_proposal_no_revision")
                    .arg("id", id)
                    .arg("revision", revision)
                    .arg("current", current),
            ),
            ProposalError::TooManyPending { author } => ApiError::TooManyRequests {
                message: Message::new("api_too_many_pending")
                    .arg("author", author)
                    .arg("count", MAX_PENDING_PER_CONTRIBUTOR),
                retry_after_secs: 3600,
            },
            ProposalError::NotFound { number } => {
                ApiError::NotFound(Message::new("api_no_proposal").arg("number", number))
            }
            ProposalError::Decided { number, state } => ApiError::Conflict(
                Message::new(match state.as_str() {
                    "accepted" => "api_proposal_accepted_already",
                    "declined" => "api_proposal_declined_already",
                    _ => "api_proposal_decided_already",
                })
                .arg("number", number),
            ),
            ProposalError::Write(crate::knowledge_base::WriteError::Stale {
                id,
                base,
                current,
            }) => ApiError::Stale {
                message: Message::new("api_proposal_stale")
                    .arg("id", id)
                    .arg("base", base)
                    .arg("current", current),
                current_revision: current,
            },
            ProposalError::Write(error) => error.into(),
            ProposalError::Store(error) => error.into(),
        }
    }
}

/// A proposal with how it stands against the document now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ProposalOut {
    #[serde(flatten)]
    pub(crate) proposal: Proposal,
    /// The document's current revision; absent if there is no such document (yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) current_revision: Option<u32>,
    /// Pending, and the document changed since the proposal's base revision (or its new id
    /// was taken since).
    pub(crate) stale: bool,
}

impl From<ProposalView> for ProposalOut {
    fn from(view: ProposalView) -> Self {
        ProposalOut {
            proposal: view.proposal,
            current_revision: view.current_revision,
            stale: view.stale,
        }
    }
}

/// A proposal and what it changes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ProposalDetail {
    #[serde(flatten)]
    pub(crate) proposal: ProposalOut,
    /// From the base revision (nothing, for a new document) to the proposal.
    pub(crate) diff: Vec<DiffHunk>,
    /// For a stale proposal: from the current revision to the proposal (what accepting it
    /// now would change, including undoing what changed since its base).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) against_current: Option<Vec<DiffHunk>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ProposalPage {
    pub(crate) total: usize,
    pub(crate) page: usize,
    pub(crate) page_size: usize,
    pub(crate) proposals: Vec<ProposalOut>,
}

/// What a contributor sends.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProposalInput {
    /// The document to change; leave it out to propose a new document (id in the front matter).
    #[serde(default)]
    pub(crate) document: Option<String>,
    /// The revision edited (its ETag); default the current one.
    #[serde(default)]
    pub(crate) base_revision: Option<u32>,
    /// The whole document as proposed: front matter and Markdown.
    pub(crate) markdown: String,
    /// What the change is and why (required).
    pub(crate) comment: String,
}

fn proposal_number(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::invalid_parameter(
            "number",
            Message::new("param_not_proposal_number").arg("value", raw),
        )
    })
}

/// The diffs of a proposal's detail.
pub(super) fn proposal_diffs(
    kb: &crate::KnowledgeBase,
    view: &ProposalView,
) -> Result<(Vec<DiffHunk>, Option<Vec<DiffHunk>>), ApiError> {
    let proposal = &view.proposal;
    let base_text = match proposal.base_revision {
        Some(base) => kb
            .store()
            .revision(&proposal.document, base)?
            .map(|r| r.source_text)
            .unwrap_or_default(),
        None => String::new(),
    };
    let diff = diff_lines(&base_text, &proposal.source_text, 3);
    let against_current = if view.stale {
        let current = kb
            .document(&proposal.document)?
            .map(|r| r.source_text)
            .unwrap_or_default();
        Some(diff_lines(&current, &proposal.source_text, 3))
    } else {
        None
    };
    Ok((diff, against_current))
}

#[utoipa::path(post, path = "/api/proposals", tag = "contributions",
    request_body(content = ProposalInput, content_type = "application/json"),
    security(("contributor_token" = [])),
    responses(
        (status = 201, description = "Pending review: visible to curators and its author only", body = ProposalOut,
            headers(("Location" = String, description = "The proposal's URL"))),
        (status = 400, description = "invalid_body; invalid_parameter naming `document` or `base_revision`", body = ErrorBody),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 403, description = "forbidden: a curator's token (curators write directly)", body = ErrorBody),
        (status = 409, description = "conflict: the document is withdrawn", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "validation_failed: every problem of the text and the comment", body = ErrorBody),
        (status = 429, description = "too_many_requests: too many writes, or too many proposals pending", body = ErrorBody)))]
pub(crate) async fn proposal_create(
    State(state): State<AppState>,
    Contributor(author): Contributor,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(body_refusal)?;
    if content_type(&headers) != "application/json" {
        return Err(ApiError::UnsupportedMediaType(Message::new(
            "api_proposal_media_type",
        )));
    }
    let input: ProposalInput = json_body(
        &body,
        &[
            optional("document", "string"),
            optional("base_revision", "number"),
            required("markdown", "string"),
            required("comment", "string"),
        ],
    )?;
    let kb = state.kb();
    let view = blocking(move || {
        let proposal = kb.propose(
            &author,
            ProposalDraft {
                document: input.document,
                base_revision: input.base_revision,
                markdown: input.markdown,
                comment: input.comment,
            },
        )?;
        tracing::info!(proposal = proposal.number, document = %proposal.document, contributor = %author, "proposal received");
        Ok(kb.proposal(proposal.number)?.expect("just stored"))
    })
    .await?;
    let location = format!("/api/proposals/{}", view.proposal.number);
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            HeaderValue::from_str(&location).map_err(|e| ApiError::Internal(e.to_string()))?,
        )],
        Json(ProposalOut::from(view)),
    )
        .into_response())
}

const STATUSES: [&str; 3] = ["pending", "accepted", "declined"];

fn list_page(views: Vec<ProposalView>, pairs: &QueryPairs) -> Result<ProposalPage, ApiError> {
    let status = pairs.single("status")?;
    if let Some(status) = status {
        if !STATUSES.contains(&status) {
            return Err(ApiError::invalid_parameter(
                "status",
                Message::new("param_not_proposal_state").arg("value", status),
            ));
        }
    }
    let paging = Paging::read(pairs)?;
    let matching: Vec<ProposalView> = views
        .into_iter()
        .filter(|v| status.is_none_or(|s| v.proposal.state.as_str() == s))
        .collect();
    Ok(ProposalPage {
        total: matching.len(),
        page: paging.page,
        page_size: paging.page_size,
        proposals: matching
            .into_iter()
            .skip(paging.offset())
            .take(paging.page_size)
            .map(ProposalOut::from)
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/proposals", tag = "contributions",
    params(("status" = Option<String>, Query, description = "pending, accepted or declined"),
           ("page" = Option<usize>, Query, description = "1-based"),
           ("page_size" = Option<usize>, Query, description = "1 to 200, default 50")),
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "The review queue: pending proposals first, then the others, newest first", body = ProposalPage),
        (status = 400, description = "invalid_parameter naming `status`, `page` or `page_size`", body = ErrorBody),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 403, description = "forbidden: a contributor's token", body = ErrorBody)))]
pub(crate) async fn proposals_list(
    State(state): State<AppState>,
    Curator(_curator): Curator,
    RawQuery(raw): RawQuery,
) -> Result<Json<ProposalPage>, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &["status", "page", "page_size"])?;
    let kb = state.kb();
    let views = blocking(move || Ok(kb.proposals(None)?)).await?;
    Ok(Json(list_page(views, &pairs)?))
}

#[utoipa::path(get, path = "/api/contributor/proposals", tag = "contributions",
    params(("status" = Option<String>, Query, description = "pending, accepted or declined"),
           ("page" = Option<usize>, Query, description = "1-based"),
           ("page_size" = Option<usize>, Query, description = "1 to 200, default 50")),
    security(("contributor_token" = [])),
    responses(
        (status = 200, description = "The contributor's own proposals and where each stands (pending; accepted as revision N; declined with the reason)", body = ProposalPage),
        (status = 400, description = "invalid_parameter", body = ErrorBody),
        (status = 401, description = "unauthorized", body = ErrorBody)))]
pub(crate) async fn contributor_proposals_list(
    State(state): State<AppState>,
    Contributor(author): Contributor,
    RawQuery(raw): RawQuery,
) -> Result<Json<ProposalPage>, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &["status", "page", "page_size"])?;
    let kb = state.kb();
    let views = blocking(move || Ok(kb.proposals(Some(&author))?)).await?;
    Ok(Json(list_page(views, &pairs)?))
}

/// Who reads a proposal: any curator, or the contributor who wrote it.
pub(crate) enum Reader {
    Curator,
    Contributor(String),
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Curator::from_request_parts(parts, state).await {
            Ok(_) => Ok(Reader::Curator),
            Err(ApiError::Forbidden(_)) => {
                let Contributor(name) = Contributor::from_request_parts(parts, state).await?;
                Ok(Reader::Contributor(name))
            }
            Err(error) => Err(error),
        }
    }
}

#[utoipa::path(get, path = "/api/proposals/{number}", tag = "contributions",
    params(("number" = u64, Path, description = "The proposal's number")),
    security(("curator_token" = []), ("contributor_token" = [])),
    responses(
        (status = 200, description = "The proposal, its diff from its base revision and, when stale, from the current revision", body = ProposalDetail),
        (status = 400, description = "invalid_parameter naming `number`", body = ErrorBody),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 404, description = "not_found (a contributor sees their own proposals only)", body = ErrorBody)))]
pub(crate) async fn proposal_show(
    State(state): State<AppState>,
    reader: Reader,
    Path(number): Path<String>,
) -> Result<Json<ProposalDetail>, ApiError> {
    let number = proposal_number(&number)?;
    let kb = state.kb();
    let detail = blocking(move || {
        let view = kb
            .proposal(number)?
            .filter(|v| match &reader {
                Reader::Curator => true,
                Reader::Contributor(name) => &v.proposal.author == name,
            })
            .ok_or_else(|| {
                ApiError::NotFound(Message::new("api_no_proposal").arg("number", number))
            })?;
        let (diff, against_current) = proposal_diffs(&kb, &view)?;
        Ok(ProposalDetail {
            proposal: view.into(),
            diff,
            against_current,
        })
    })
    .await?;
    Ok(Json(detail))
}

#[utoipa::path(post, path = "/api/proposals/{number}/accept", tag = "contributions",
    params(("number" = u64, Path, description = "The proposal's number"),
           ("If-Match" = Option<String>, Header, description = "The document's revision the curator saw as current; needed when the proposal is stale")),
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "Accepted: the next revision of the document (its author the contributor), searchable when this returns", body = WriteResult,
            headers(("ETag" = String, description = "The document's revision now"))),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 403, description = "forbidden: a contributor's token; contributors cannot accept", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "conflict: decided already, or stale (current_revision says which revision is current)", body = ErrorBody),
        (status = 422, description = "validation_failed: the text no longer validates", body = ErrorBody)))]
pub(crate) async fn proposal_accept(
    State(state): State<AppState>,
    Curator(curator): Curator,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let number = proposal_number(&number)?;
    let seen = base_revision(&headers)?;
    let kb = state.kb();
    let written = blocking(move || {
        let written = kb.accept_proposal(number, &curator, seen)?;
        tracing::info!(proposal = number, document = %written.id, revision = written.revision, %curator, "proposal accepted");
        Ok(written)
    })
    .await?;
    Ok(written_response(written))
}

#[utoipa::path(post, path = "/api/proposals/{number}/decline", tag = "contributions",
    params(("number" = u64, Path, description = "The proposal's number"),
           ("reason" = Option<String>, Query, description = "Why (required here or in a JSON body {\"reason\"}); shown to the contributor")),
    request_body(description = "Optional JSON {reason}", content((super::documents::ReasonInput = "application/json"))),
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "Declined, with the reason", body = ProposalOut),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 403, description = "forbidden: a contributor's token", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "conflict: decided already", body = ErrorBody),
        (status = 422, description = "validation_failed: no reason (field `reason`)", body = ErrorBody)))]
pub(crate) async fn proposal_decline(
    State(state): State<AppState>,
    Curator(curator): Curator,
    Path(number): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ProposalOut>, ApiError> {
    let number = proposal_number(&number)?;
    let reason = read_reason(raw.as_deref(), &headers, body)?.unwrap_or_default();
    let kb = state.kb();
    let view = blocking(move || {
        kb.decline_proposal(number, &curator, &reason)?;
        tracing::info!(proposal = number, %curator, "proposal declined");
        Ok(kb.proposal(number)?.expect("just declined"))
    })
    .await?;
    Ok(Json(view.into()))
}

/// A new invitation: give `join_url` (or the code) to the person invited.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct InvitationOut {
    /// The one-time code; the server keeps only its hash.
    pub(crate) code: String,
    /// The page where the invited person chooses a name and receives a token.
    pub(crate) join_url: String,
    pub(crate) expires_at: String,
}

#[utoipa::path(post, path = "/api/invitations", tag = "contributions",
    security(("curator_token" = [])),
    responses(
        (status = 201, description = "A one-time invitation, valid 14 days", body = InvitationOut),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 403, description = "forbidden: a contributor's token", body = ErrorBody)))]
pub(crate) async fn invitation_create(
    State(state): State<AppState>,
    Curator(curator): Curator,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let kb = state.kb();
    let issued = blocking(move || Ok(kb.invite(&curator)?)).await?;
    let join_url = format!(
        "{}/contribute/join?code={}",
        super::html::base_url(&state, &headers),
        issued.code
    );
    Ok((
        StatusCode::CREATED,
        Json(InvitationOut {
            code: issued.code,
            join_url,
            expires_at: issued.expires_at,
        }),
    )
        .into_response())
}

/// An invitation as recorded: never its code, which the server does not keep.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct InvitationRecord {
    /// The public id: the first 12 hex digits of the code's BLAKE3 hash.
    pub(crate) id: String,
    /// `open`, `expired` (unused, past `expires_at`), `used` or `revoked`.
    pub(crate) status: &'static str,
    pub(crate) created_by: String,
    pub(crate) created_at: String,
    pub(crate) expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) used_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) used_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) revoked_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) revoked_at: Option<String>,
    /// Why, if the curator said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) revoke_reason: Option<String>,
}

impl InvitationRecord {
    /// `now` is RFC 3339 UTC, to tell an expired invitation from an open one.
    pub(super) fn new(listed: ListedInvitation, now: &str) -> Self {
        let i = listed.invitation;
        InvitationRecord {
            id: listed.id,
            status: i.status(now),
            created_by: i.created_by,
            created_at: i.created_at,
            expires_at: i.expires_at,
            used_by: i.used_by,
            used_at: i.used_at,
            revoked_by: i.revoked_by,
            revoked_at: i.revoked_at,
            revoke_reason: i.revoke_reason,
        }
    }
}

/// Every invitation issued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct InvitationList {
    /// Newest first.
    pub(crate) invitations: Vec<InvitationRecord>,
}

#[utoipa::path(get, path = "/api/invitations", tag = "contributions",
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "Every invitation, newest first: who issued it, when, whether and by whom it was used or revoked; never the code", body = InvitationList),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 403, description = "forbidden: a contributor's token", body = ErrorBody)))]
pub(crate) async fn invitations_list(
    State(state): State<AppState>,
    Curator(_curator): Curator,
) -> Result<Json<InvitationList>, ApiError> {
    let kb = state.kb();
    let listed = blocking(move || Ok(kb.invitations()?)).await?;
    let now = crate::store::now();
    Ok(Json(InvitationList {
        invitations: listed
            .into_iter()
            .map(|l| InvitationRecord::new(l, &now))
            .collect(),
    }))
}

/// The revoked invitation, or the refusal as an API error.
fn revoked(outcome: Revoke, id: &str) -> Result<ListedInvitation, ApiError> {
    match outcome {
        Revoke::Revoked(listed) => Ok(*listed),
        Revoke::Unknown => Err(ApiError::NotFound(
            Message::new("api_no_invitation").arg("id", id),
        )),
        Revoke::Used => Err(ApiError::Conflict(
            Message::new("api_invitation_revoke_used").arg("id", id),
        )),
        Revoke::AlreadyRevoked => Err(ApiError::Conflict(
            Message::new("api_invitation_revoked_already").arg("id", id),
        )),
    }
}

#[utoipa::path(delete, path = "/api/invitations/{id}", tag = "contributions",
    params(("id" = String, Path, description = "The invitation's public id (from GET /api/invitations)"),
           ("reason" = Option<String>, Query, description = "Why (optional, here or in a JSON body {\"reason\"}); kept with the invitation and in the audit log")),
    request_body(description = "Optional JSON {reason}", content((super::documents::ReasonInput = "application/json"))),
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "Revoked: the invitation opens nothing now", body = InvitationRecord),
        (status = 401, description = "unauthorized", body = ErrorBody),
        (status = 403, description = "forbidden: a contributor's token", body = ErrorBody),
        (status = 404, description = "not_found: no invitation has this id", body = ErrorBody),
        (status = 409, description = "conflict: used already, or revoked already", body = ErrorBody)))]
pub(crate) async fn invitation_revoke(
    State(state): State<AppState>,
    Curator(curator): Curator,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<InvitationRecord>, ApiError> {
    let reason = read_reason(raw.as_deref(), &headers, body)?.unwrap_or_default();
    let kb = state.kb();
    let asked = id.clone();
    let outcome = blocking(move || Ok(kb.revoke_invitation(&id, &curator, &reason)?)).await?;
    let listed = revoked(outcome, &asked)?;
    tracing::info!(invitation = %listed.id, "invitation revoked");
    Ok(Json(InvitationRecord::new(listed, &crate::store::now())))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct JoinInput {
    /// The invitation's code.
    pub(crate) invitation: String,
    /// The name proposals will credit: 1 to 64 of a-z, A-Z, 0-9, - _ . @
    pub(crate) name: String,
}

/// A new contributor account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct JoinedOut {
    pub(crate) name: String,
    /// The contributor's token, shown this once: the server keeps only its hash.
    pub(crate) token: String,
}

/// What an invitation's refusal says, and which parameter it is about.
pub(super) fn join_refusal(refused: &Redeem) -> (&'static str, &'static str) {
    match refused {
        Redeem::Unknown => ("invitation", "api_invitation_unknown"),
        Redeem::Used => ("invitation", "api_invitation_used"),
        Redeem::Expired => ("invitation", "api_invitation_expired"),
        Redeem::Revoked => ("invitation", "api_invitation_revoked"),
        Redeem::NameTaken => ("name", "api_name_taken"),
        Redeem::Joined(_) => ("", ""),
    }
}

#[utoipa::path(post, path = "/api/contributors", tag = "contributions",
    request_body(content = JoinInput, content_type = "application/json"),
    responses(
        (status = 201, description = "The account, with its token (shown once)", body = JoinedOut),
        (status = 400, description = "invalid_body; invalid_parameter naming `invitation` (unknown, used, expired) or `name` (invalid, taken)", body = ErrorBody),
        (status = 429, description = "too_many_requests", body = ErrorBody)))]
pub(crate) async fn contributor_create(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(body_refusal)?;
    let input: JoinInput = json_body(
        &body,
        &[required("invitation", "string"), required("name", "string")],
    )?;
    let kb = state.kb();
    let reserved = name_reserved(&state, input.name.trim());
    let asked_name = input.name.trim().to_string();
    let joined = blocking(move || Ok(kb.join(&input.invitation, &input.name, reserved)?)).await?;
    match joined {
        Joined::Account { name, token } => {
            tracing::info!(contributor = %name, "contributor joined by invitation");
            Ok((StatusCode::CREATED, Json(JoinedOut { name, token })).into_response())
        }
        Joined::BadName(_) => Err(ApiError::invalid_parameter(
            "name",
            Message::new("api_name_invalid").arg("value", asked_name),
        )),
        Joined::Refused(refused) => {
            let (parameter, message) = join_refusal(&refused);
            Err(ApiError::invalid_parameter(
                parameter,
                Message::new(message),
            ))
        }
    }
}

/// Whether a configured curator or contributor has this name (invited accounts are checked
/// by the store).
pub(super) fn name_reserved(state: &AppState, name: &str) -> bool {
    state.tokens().has_name(name) || state.config().contributors.has_name(name)
}
