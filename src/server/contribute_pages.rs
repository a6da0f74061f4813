//! The web pages of contributions: `/contribute` for contributors (sign in, propose from a
//! document's page or a new document, see where each proposal stands, join by invitation),
//! and `/curate/proposals` for curators (the review queue, a proposal's diff, accept, decline,
//! invitations). They share the desk's session cookie, CSRF tokens and origin check; a
//! session has one role, so a contributor's session never opens the desk.

use super::extract::Path;
use crate::catalogue::Message;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;

use super::auth::Role;
use super::contributions::{name_reserved, proposal_diffs};
use super::forms::{pair, ContributorForm, CuratorForm, PostedForm};
use super::html::{
    blocking, chrome, contributor_session, csrf_for, load_document, no_store, not_found, page_lang,
    pages, query_value, signed_out_redirect, with_session_cookie, CuratorPage, PageError,
    PageResult,
};
use super::{ApiError, AppState};
use crate::knowledge_base::proposals::{Joined, ProposalDraft, ProposalError};
use crate::knowledge_base::WriteError;
use crate::pages::contribute::{ContributePage, JoinForm, ProposeForm, ReviewDetail, ReviewPage};
use crate::store::{Redeem, Revoke};
use crate::taxonomy::Lang;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/contribute", get(contribute_page))
        .route("/contribute/login", post(contribute_login))
        .route("/contribute/logout", post(contribute_logout))
        .route("/contribute/propose", get(propose_form))
        .route("/contribute/proposals", post(propose_submit))
        .route("/contribute/join", get(join_page).post(join_submit))
        .route("/curate/proposals", get(review_queue))
        .route("/curate/proposals/{number}", get(review_detail))
        .route("/curate/proposals/{number}/accept", post(review_accept))
        .route("/curate/proposals/{number}/decline", post(review_decline))
        .route("/curate/invitations", post(invitation_issue))
        .route("/curate/invitations/{id}/revoke", post(invitation_revoke))
}

/// The contributor's page: their proposals, and the form when `form` is given.
async fn render_contribute(
    state: &AppState,
    headers: &HeaderMap,
    (name, session): (String, String),
    lang: Lang,
    notice: Option<String>,
    form: Option<ProposeForm>,
    status: StatusCode,
) -> PageResult {
    let csrf = csrf_for(state, &session);
    let chrome = chrome(state, headers);
    let kb = state.kb();
    let html = blocking(lang, move || {
        let proposals = kb.proposals(Some(&name))?;
        Ok(pages().contribute(&ContributePage {
            lang,
            chrome,
            signed_in: Some((&name, &csrf)),
            notice,
            proposals: &proposals,
            form,
            ..Default::default()
        }))
    })
    .await?;
    Ok(no_store(status, html))
}

async fn contribute_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let Some(account) = contributor_session(&state, &headers) else {
        let html = pages().contribute(&ContributePage {
            lang,
            chrome: chrome(&state, &headers),
            next_document: query_value(raw.as_deref(), "id").filter(|id| !id.is_empty()),
            ..Default::default()
        });
        return Ok(no_store(StatusCode::OK, html));
    };
    let notice = query_value(raw.as_deref(), "sent")
        .and_then(|n| n.parse::<u64>().ok())
        .map(|n| crate::pages::text(lang)["proposal_sent"].replace("{n}", &n.to_string()));
    render_contribute(
        &state,
        &headers,
        account,
        lang,
        notice,
        None,
        StatusCode::OK,
    )
    .await
}

async fn contribute_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    PostedForm { pairs, lang }: PostedForm,
) -> PageResult {
    let token = pair(&pairs, "token").unwrap_or("").trim().to_string();
    let lookup = state.clone();
    let name = blocking(lang, move || {
        Ok((!token.is_empty())
            .then(|| super::extract::contributor_named(&lookup, &token))
            .flatten())
    })
    .await?;
    let next_document = pair(&pairs, "id")
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_string);
    let Some(name) = name else {
        let html = pages().contribute(&ContributePage {
            lang,
            chrome: chrome(&state, &headers),
            message: Some(crate::pages::text(lang)["bad_contributor_token"].to_string()),
            next_document,
            ..Default::default()
        });
        return Ok(no_store(StatusCode::UNAUTHORIZED, html));
    };
    let session = state.sessions().open_as(&name, Role::Contributor);
    // Back to what the contributor was about to do: propose a change to a document.
    let next = match &next_document {
        Some(id) => {
            let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
            format!("/contribute/propose?id={id}&lang={}", lang.code())
        }
        None => format!("/contribute?lang={}", lang.code()),
    };
    Ok(with_session_cookie(
        Redirect::to(&next).into_response(),
        &state,
        &session,
    ))
}

async fn contribute_logout(
    State(state): State<AppState>,
    ContributorForm { lang, session, .. }: ContributorForm,
) -> PageResult {
    state.sessions().revoke(&session);
    Ok(signed_out_redirect(&format!(
        "/contribute?lang={}",
        lang.code()
    )))
}

/// The proposal form: a document's current text to edit, or a skeleton for a new document.
async fn propose_form(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let id = query_value(raw.as_deref(), "id").map(|id| id.trim().to_string());
    let Some(account) = contributor_session(&state, &headers) else {
        // Sign in first, then come back to this document's form.
        let encoded: String =
            form_urlencoded::byte_serialize(id.unwrap_or_default().as_bytes()).collect();
        return Ok(
            Redirect::to(&format!("/contribute?lang={}&id={encoded}", lang.code())).into_response(),
        );
    };
    let form = match id.filter(|id| !id.is_empty()) {
        Some(id) => {
            let record = load_document(&state, &id, lang).await?;
            if record.withdrawn {
                return Err(not_found(&id, lang));
            }
            ProposeForm {
                document: Some((id, record.meta.title.clone(), record.revision)),
                markdown: record.source_text,
                ..Default::default()
            }
        }
        None => ProposeForm {
            markdown: NEW_DOCUMENT.to_string(),
            ..Default::default()
        },
    };
    render_contribute(
        &state,
        &headers,
        account,
        lang,
        None,
        Some(form),
        StatusCode::OK,
    )
    .await
}

/// What a new document's form starts with: the fields every document needs.
const NEW_DOCUMENT: &str = "---\nid: \ntitle: \ntype: \nsummary: \ncountries: []\nthemes: []\nyear: \nlanguage: en\nsources:\n  - url: \n---\n\n";

async fn propose_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ContributorForm {
        pairs,
        lang,
        name,
        session,
    }: ContributorForm,
) -> PageResult {
    let document = pair(&pairs, "document")
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let base_revision = pair(&pairs, "base_revision").and_then(|b| b.parse().ok());
    let markdown = pair(&pairs, "markdown").unwrap_or("").replace("\r\n", "\n");
    let comment = pair(&pairs, "comment").unwrap_or("").to_string();
    let draft = ProposalDraft {
        document: document.clone(),
        base_revision,
        markdown: markdown.clone(),
        comment: comment.clone(),
    };
    let kb = state.kb();
    let author = name.clone();
    let outcome = blocking(lang, move || {
        let title = match &document {
            Some(id) => kb.document(id)?.map(|r| r.meta.title),
            None => None,
        };
        match kb.propose(&author, draft) {
            Ok(proposal) => Ok(Ok(proposal.number)),
            Err(ProposalError::Invalid(problems)) => Ok(Err((problems, title))),
            Err(ProposalError::TooManyPending { .. }) => Err(ApiError::TooManyRequests {
                message: Message::verbatim(crate::pages::text(lang)["too_many_pending"]),
                retry_after_secs: 3600,
            }),
            Err(error) => Err(error.into()),
        }
    })
    .await?;
    match outcome {
        Ok(number) => Ok(
            Redirect::to(&format!("/contribute?lang={}&sent={number}", lang.code()))
                .into_response(),
        ),
        Err((problems, title)) => {
            let form = ProposeForm {
                document: pair(&pairs, "document")
                    .filter(|d| !d.is_empty())
                    .map(|id| {
                        (
                            id.to_string(),
                            title.unwrap_or_else(|| id.to_string()),
                            base_revision.unwrap_or(0),
                        )
                    }),
                markdown,
                comment,
                problems,
            };
            render_contribute(
                &state,
                &headers,
                (name, session),
                lang,
                None,
                Some(form),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

fn join_html(state: &AppState, headers: &HeaderMap, lang: Lang, join: JoinForm) -> String {
    pages().contribute(&ContributePage {
        lang,
        chrome: chrome(state, headers),
        join: Some(join),
        ..Default::default()
    })
}

async fn join_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let code = query_value(raw.as_deref(), "code").unwrap_or_default();
    let join = JoinForm {
        code,
        ..Default::default()
    };
    Ok(no_store(
        StatusCode::OK,
        join_html(&state, &headers, lang, join),
    ))
}

async fn join_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PostedForm { pairs, lang }: PostedForm,
) -> PageResult {
    let code = pair(&pairs, "code").unwrap_or("").trim().to_string();
    let name = pair(&pairs, "name").unwrap_or("").trim().to_string();
    let reserved = name_reserved(&state, &name);
    let kb = state.kb();
    let (attempt_code, attempt_name) = (code.clone(), name.clone());
    let joined = blocking(lang, move || {
        Ok(kb.join(&attempt_code, &attempt_name, reserved)?)
    })
    .await?;
    let t = crate::pages::text(lang);
    let mut form = JoinForm {
        code,
        name,
        ..Default::default()
    };
    match joined {
        Joined::Account { name, token } => {
            let session = state.sessions().open_as(&name, Role::Contributor);
            let mut chrome = chrome(&state, &headers);
            chrome.contributor = true;
            let html = pages().contribute(&ContributePage {
                lang,
                chrome,
                joined: Some((name, token)),
                ..Default::default()
            });
            let response = no_store(StatusCode::CREATED, html);
            return Ok(with_session_cookie(response, &state, &session));
        }
        Joined::BadName(_) => form.name_problem = Some(t["name_invalid"].to_string()),
        Joined::Refused(refused) => {
            let key = match refused {
                Redeem::NameTaken => {
                    form.name_problem = Some(t["name_taken"].to_string());
                    None
                }
                Redeem::Used => Some("invitation_used"),
                Redeem::Expired => Some("invitation_expired"),
                Redeem::Revoked => Some("invitation_revoked"),
                _ => Some("invitation_unknown"),
            };
            if let Some(key) = key {
                form.invitation_problem = Some(t[key].to_string());
            }
        }
    }
    Ok(no_store(
        StatusCode::UNPROCESSABLE_ENTITY,
        join_html(&state, &headers, lang, form),
    ))
}

// --- the curators' review ----------------------------------------------------------------------

/// What a review page shows besides the queue.
#[derive(Default)]
struct Review {
    notice: Option<String>,
    invitation: Option<(String, String)>,
    /// A proposal's page, with a problem to show next to the decline reason.
    detail: Option<(u64, Option<String>)>,
}

/// Decided proposals listed under the pending ones in the review queue.
const DECIDED_SHOWN: usize = 50;

async fn render_review(
    state: &AppState,
    (curator, session): (String, String),
    lang: Lang,
    review: Review,
    status: StatusCode,
) -> PageResult {
    let csrf = csrf_for(state, &session);
    let kb = state.kb();
    let html = blocking(lang, move || {
        // Every pending proposal, then the latest decided ones (the API pages through all).
        let mut decided = 0;
        let queue: Vec<_> = kb
            .proposals(None)?
            .into_iter()
            .filter(|v| {
                let shown = v.proposal.is_pending() || decided < DECIDED_SHOWN;
                decided += usize::from(!v.proposal.is_pending());
                shown
            })
            .collect();
        // The queue's page lists invitations; a proposal's page does not show them.
        let invitations = match review.detail {
            Some(_) => Vec::new(),
            None => kb.invitations()?,
        };
        let detail = match review.detail {
            Some((number, problem)) => {
                let view = kb.proposal(number)?.ok_or_else(|| {
                    ApiError::NotFound(Message::new("page_no_proposal").arg("number", number))
                })?;
                let (diff, against) = proposal_diffs(&kb, &view)?;
                Some((view, diff, against, problem))
            }
            None => None,
        };
        Ok(pages().review(&ReviewPage {
            lang,
            curator: &curator,
            csrf: &csrf,
            notice: review.notice,
            queue: &queue,
            invitation: review.invitation,
            invitations: &invitations,
            detail: detail
                .as_ref()
                .map(|(view, diff, against, problem)| ReviewDetail {
                    view,
                    diff,
                    against_current: against.as_deref(),
                    decline_problem: problem.clone(),
                }),
        }))
    })
    .await?;
    Ok(no_store(status, html))
}

fn parse_number(raw: &str, lang: Lang) -> Result<u64, PageError> {
    raw.parse().map_err(|_| {
        PageError::from_api(
            ApiError::NotFound(Message::new("page_no_proposal").arg("number", raw)),
            lang,
        )
    })
}

async fn review_queue(
    State(state): State<AppState>,
    CuratorPage { lang, account }: CuratorPage,
) -> PageResult {
    render_review(&state, account, lang, Review::default(), StatusCode::OK).await
}

async fn review_detail(
    State(state): State<AppState>,
    Path(number): Path<String>,
    CuratorPage { lang, account }: CuratorPage,
) -> PageResult {
    let number = parse_number(&number, lang)?;
    let review = Review {
        detail: Some((number, None)),
        ..Default::default()
    };
    render_review(&state, account, lang, review, StatusCode::OK).await
}

async fn review_accept(
    State(state): State<AppState>,
    Path(number): Path<String>,
    CuratorForm {
        pairs,
        lang,
        curator,
        session,
    }: CuratorForm,
) -> PageResult {
    let number = parse_number(&number, lang)?;
    let seen = pair(&pairs, "current_revision").and_then(|r| r.parse().ok());
    let kb = state.kb();
    let who = curator.clone();
    let outcome = blocking(lang, move || match kb.accept_proposal(number, &who, seen) {
        Ok(written) => Ok(Ok(written)),
        Err(ProposalError::Write(WriteError::Stale { .. })) => Ok(Err("proposal_changed_since")),
        Err(ProposalError::Decided { .. }) => Ok(Err("proposal_decided")),
        Err(error) => Err(error.into()),
    })
    .await?;
    let t = crate::pages::text(lang);
    let (notice, status) = match outcome {
        Ok(written) => {
            let link = format!(
                "<a href=\"{}\">{}</a>",
                crate::pages::document_url(&written.id, lang),
                crate::index::search::html_escape(&written.record.meta.title)
            );
            let text = t["proposal_accepted_done"]
                .replace("{n}", &number.to_string())
                .replace("{r}", &written.revision.to_string());
            (
                format!("{} {link}.", crate::index::search::html_escape(&text)),
                StatusCode::OK,
            )
        }
        Err(key) => (
            crate::index::search::html_escape(t[key]),
            StatusCode::CONFLICT,
        ),
    };
    let review = Review {
        notice: Some(notice),
        detail: Some((number, None)),
        ..Default::default()
    };
    render_review(&state, (curator, session), lang, review, status).await
}

async fn review_decline(
    State(state): State<AppState>,
    Path(number): Path<String>,
    CuratorForm {
        pairs,
        lang,
        curator,
        session,
    }: CuratorForm,
) -> PageResult {
    let number = parse_number(&number, lang)?;
    let reason = pair(&pairs, "reason").unwrap_or("").to_string();
    let kb = state.kb();
    let who = curator.clone();
    let outcome = blocking(lang, move || {
        match kb.decline_proposal(number, &who, &reason) {
            Ok(_) => Ok(Ok(())),
            Err(ProposalError::Invalid(_)) => Ok(Err("decline_reason_required")),
            Err(ProposalError::Decided { .. }) => Ok(Err("proposal_decided")),
            Err(error) => Err(error.into()),
        }
    })
    .await?;
    let t = crate::pages::text(lang);
    let (review, status) = match outcome {
        Ok(()) => (
            Review {
                notice: Some(crate::index::search::html_escape(
                    &t["proposal_declined_done"].replace("{n}", &number.to_string()),
                )),
                detail: Some((number, None)),
                ..Default::default()
            },
            StatusCode::OK,
        ),
        Err("decline_reason_required") => (
            Review {
                detail: Some((number, Some(t["decline_reason_required"].to_string()))),
                ..Default::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(key) => (
            Review {
                notice: Some(crate::index::search::html_escape(t[key])),
                detail: Some((number, None)),
                ..Default::default()
            },
            StatusCode::CONFLICT,
        ),
    };
    render_review(&state, (curator, session), lang, review, status).await
}

async fn invitation_issue(
    State(state): State<AppState>,
    headers: HeaderMap,
    CuratorForm {
        lang,
        curator,
        session,
        ..
    }: CuratorForm,
) -> PageResult {
    let kb = state.kb();
    let who = curator.clone();
    let issued = blocking(lang, move || Ok(kb.invite(&who)?)).await?;
    let url = format!(
        "{}/contribute/join?code={}&lang={}",
        super::html::base_url(&state, &headers),
        issued.code,
        lang.code()
    );
    let review = Review {
        invitation: Some((url, issued.expires_at)),
        ..Default::default()
    };
    render_review(
        &state,
        (curator, session),
        lang,
        review,
        StatusCode::CREATED,
    )
    .await
}

async fn invitation_revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CuratorForm {
        pairs,
        lang,
        curator,
        session,
    }: CuratorForm,
) -> PageResult {
    let reason = pair(&pairs, "reason").unwrap_or("").to_string();
    let kb = state.kb();
    let who = curator.clone();
    let asked = id.clone();
    let outcome = blocking(lang, move || {
        Ok(kb.revoke_invitation(&asked, &who, &reason)?)
    })
    .await?;
    let t = crate::pages::text(lang);
    let (text, status) = match outcome {
        Revoke::Revoked(listed) => (
            t["invitation_revoked_done"].replace("{id}", &listed.id),
            StatusCode::OK,
        ),
        Revoke::Used => (
            t["invitation_revoke_used"].to_string(),
            StatusCode::CONFLICT,
        ),
        Revoke::AlreadyRevoked => (
            t["invitation_revoked_already"].to_string(),
            StatusCode::CONFLICT,
        ),
        Revoke::Unknown => {
            return Err(PageError::new(
                StatusCode::NOT_FOUND,
                t["invitation_not_found"].replace("{id}", &id),
                lang,
            ))
        }
    };
    let review = Review {
        notice: Some(crate::index::search::html_escape(&text)),
        ..Default::default()
    };
    render_review(&state, (curator, session), lang, review, status).await
}
