//! The pages of contributions: the contributor's page (sign-in, their proposals and where each
//! stands, the proposal form, joining by invitation) and the curators' review queue with each
//! proposal's diff, accept and decline.

use minijinja::Value;

use super::links::{document_url, search_url};
use super::{form_problem_text, readable_time, text, Chrome, Pages};
use crate::diff::DiffHunk;
use crate::document::Problem;
use crate::index::SearchRequest;
use crate::knowledge_base::proposals::ProposalView;
use crate::store::{ListedInvitation, ProposalState};
use crate::taxonomy::Lang;

/// The proposal form, as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProposeForm {
    /// The document changed: id, title and the revision edited; `None` for a new document.
    pub(crate) document: Option<(String, String, u32)>,
    pub(crate) markdown: String,
    pub(crate) comment: String,
    pub(crate) problems: Vec<Problem>,
}

/// The invitation form, as typed, with what was wrong.
#[derive(Debug, Clone, Default)]
pub(crate) struct JoinForm {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) name_problem: Option<String>,
    pub(crate) invitation_problem: Option<String>,
}

/// What the contributor's page shows.
#[derive(Debug, Default)]
pub(crate) struct ContributePage<'a> {
    pub(crate) lang: Lang,
    pub(crate) chrome: Chrome,
    /// The signed-in contributor and the session's CSRF token; `None` shows the sign-in form.
    pub(crate) signed_in: Option<(&'a str, &'a str)>,
    pub(crate) notice: Option<String>,
    /// A sign-in problem.
    pub(crate) message: Option<String>,
    /// The document to propose a change to once signed in.
    pub(crate) next_document: Option<String>,
    pub(crate) proposals: &'a [ProposalView],
    pub(crate) form: Option<ProposeForm>,
    pub(crate) join: Option<JoinForm>,
    /// A new account: its name and token, shown once.
    pub(crate) joined: Option<(String, String)>,
}

/// What the review pages show.
#[derive(Debug)]
pub(crate) struct ReviewPage<'a> {
    pub(crate) lang: Lang,
    pub(crate) curator: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) notice: Option<String>,
    pub(crate) queue: &'a [ProposalView],
    /// A new invitation's link and expiry, shown once.
    pub(crate) invitation: Option<(String, String)>,
    /// Every invitation issued, newest first (the queue's page only).
    pub(crate) invitations: &'a [ListedInvitation],
    pub(crate) detail: Option<ReviewDetail<'a>>,
}

#[derive(Debug)]
pub(crate) struct ReviewDetail<'a> {
    pub(crate) view: &'a ProposalView,
    pub(crate) diff: &'a [DiffHunk],
    pub(crate) against_current: Option<&'a [DiffHunk]>,
    pub(crate) decline_problem: Option<String>,
}

/// A proposal's state in words.
fn state_text(state: &ProposalState, lang: Lang) -> String {
    let t = text(lang);
    match state {
        ProposalState::Pending => t["status_pending"].to_string(),
        ProposalState::Accepted { revision, .. } => {
            t["status_accepted"].replace("{n}", &revision.to_string())
        }
        ProposalState::Declined { .. } => t["status_declined"].to_string(),
    }
}

fn proposal_row(view: &ProposalView, lang: Lang) -> Value {
    let p = &view.proposal;
    let (reason, by) = match &p.state {
        ProposalState::Declined { reason, by, .. } => (Some(reason.clone()), Some(by.clone())),
        ProposalState::Accepted { by, .. } => (None, Some(by.clone())),
        ProposalState::Pending => (None, None),
    };
    // A new document's page exists only once it is accepted.
    let linkable = p.base_revision.is_some() || matches!(p.state, ProposalState::Accepted { .. });
    minijinja::context! {
        number => p.number,
        document => p.document,
        title => p.title,
        document_url => linkable.then(|| document_url(&p.document, lang)),
        new_document => p.base_revision.is_none(),
        base_revision => p.base_revision,
        current_revision => view.current_revision,
        author => p.author,
        comment => p.comment,
        submitted_at => p.submitted_at,
        submitted => readable_time(&p.submitted_at, lang),
        status => p.state.as_str(),
        status_text => state_text(&p.state, lang),
        reason => reason,
        by => by,
        stale => view.stale,
        review_url => format!("/curate/proposals/{}?lang={}", p.number, lang.code()),
    }
}

/// The problems of the proposal form: the comment's next to it, the text's (with their lines)
/// next to the text, all of them in a list at the top.
fn form_problems(problems: &[Problem], lang: Lang) -> (Vec<String>, Vec<String>, Vec<Value>) {
    let t = text(lang);
    let mut comment = Vec::new();
    let mut markdown = Vec::new();
    let mut summary = Vec::new();
    for problem in problems {
        let said = match (problem.field.as_deref(), problem.message.code.as_str()) {
            (Some("comment"), _) => t["comment_required"].to_string(),
            (Some("markdown"), "problem_no_change") => t["no_change"].to_string(),
            _ => form_problem_text(problem, lang),
        };
        let located = match (&problem.field, problem.line) {
            (Some(field), Some(line)) if field != "comment" => {
                format!(
                    "{} {line}{}{field}{}{said}",
                    t["line"], t["colon"], t["colon"]
                )
            }
            (Some(field), None) if field != "comment" && field != "markdown" => {
                format!("{field}{}{said}", t["colon"])
            }
            (None, Some(line)) => format!("{} {line}{}{said}", t["line"], t["colon"]),
            _ => said.clone(),
        };
        let anchor = if problem.field.as_deref() == Some("comment") {
            comment.push(said);
            "comment"
        } else {
            markdown.push(located.clone());
            "markdown"
        };
        summary.push(minijinja::context! { text => located, anchor => anchor });
    }
    (comment, markdown, summary)
}

fn hunks(hunks: &[DiffHunk]) -> Value {
    Value::from_serialize(hunks)
}

impl Pages {
    /// `/contribute` and its forms.
    pub(crate) fn contribute(&self, page: &ContributePage<'_>) -> String {
        let lang = page.lang;
        let t = text(lang);
        let form = page.form.as_ref().map(|form| {
            let (comment_errors, markdown_errors, summary) = form_problems(&form.problems, lang);
            minijinja::context! {
                document => form.document.as_ref().map(|(id, title, base)| minijinja::context! {
                    id => id, title => title, base_revision => base, url => document_url(id, lang),
                }),
                markdown => form.markdown,
                comment => form.comment,
                comment_errors => comment_errors,
                markdown_errors => markdown_errors,
                summary => summary,
            }
        });
        let join = page.join.as_ref().map(|join| {
            minijinja::context! {
                code => join.code, name => join.name,
                name_problem => join.name_problem, invitation_problem => join.invitation_problem,
            }
        });
        let title = if page.join.is_some() || page.joined.is_some() {
            t["join_h"]
        } else {
            t["contribute"]
        };
        let context = minijinja::context! {
            lang => lang.code(),
            t => t,
            title => title,
            chrome => page.chrome,
            langs => Self::lang_links(lang, |l| format!("/contribute?lang={}", l.code())),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            contributor => page.signed_in.map(|(name, _)| name),
            csrf => page.signed_in.map(|(_, csrf)| csrf),
            notice => page.notice,
            message => page.message,
            next_document => page.next_document,
            proposals => page.proposals.iter().map(|v| proposal_row(v, lang)).collect::<Vec<_>>(),
            form => form,
            join => join,
            joined => page.joined.as_ref().map(|(name, token)| minijinja::context! {
                text => t["join_done"].replace("{name}", name), token => token,
            }),
        };
        self.render("contribute.html", context)
    }

    /// `/curate/proposals` and `/curate/proposals/{n}`.
    pub(crate) fn review(&self, page: &ReviewPage<'_>) -> String {
        let lang = page.lang;
        let t = text(lang);
        let detail = page.detail.as_ref().map(|detail| {
            let p = &detail.view.proposal;
            minijinja::context! {
                proposal => proposal_row(detail.view, lang),
                stale_text => detail.view.stale.then(|| t["stale_h"]
                    .replace("{base}", &p.base_revision.unwrap_or(0).to_string())
                    .replace("{current}", &detail.view.current_revision.unwrap_or(0).to_string())),
                accept_over => detail.view.current_revision.filter(|_| detail.view.stale)
                    .map(|n| t["accept_over"].replace("{n}", &n.to_string())),
                diff => hunks(detail.diff),
                against_current => detail.against_current.map(hunks),
                decline_problem => detail.decline_problem,
                pending => p.is_pending(),
            }
        });
        let title = match &page.detail {
            Some(detail) => format!("{} {}", t["proposal"], detail.view.proposal.number),
            None => t["proposals_to_review"].to_string(),
        };
        let context = minijinja::context! {
            lang => lang.code(),
            t => t,
            title => title,
            chrome => Chrome { curators: true, signed_in: true, contributor: false },
            langs => Self::lang_links(lang, |l| format!("/curate/proposals?lang={}", l.code())),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            curator => page.curator,
            csrf => page.csrf,
            notice => page.notice.clone().map(Value::from_safe_string),
            queue => page.queue.iter().map(|v| proposal_row(v, lang)).collect::<Vec<_>>(),
            invitation => page.invitation.as_ref().map(|(url, expires)| minijinja::context! {
                url => url, text => t["invitation_link"].replace("{date}", &readable_time(expires, lang)),
            }),
            invitations => invitation_rows(page.invitations, lang),
            detail => detail,
        };
        self.render("review.html", context)
    }
}

/// The invitations table: what is recorded, in words; never the code.
fn invitation_rows(invitations: &[ListedInvitation], lang: Lang) -> Vec<Value> {
    let t = text(lang);
    let now = crate::store::now();
    invitations
        .iter()
        .map(|listed| {
            let i = &listed.invitation;
            let status = i.status(&now);
            let said = |key: &str, name: &Option<String>, at: &Option<String>| {
                t[key]
                    .replace("{name}", name.as_deref().unwrap_or_default())
                    .replace(
                        "{date}",
                        &readable_time(at.as_deref().unwrap_or_default(), lang),
                    )
            };
            let status_text = match status {
                "revoked" => said("invitation_status_revoked", &i.revoked_by, &i.revoked_at),
                "used" => said("invitation_status_used", &i.used_by, &i.used_at),
                "expired" => t["invitation_status_expired"].to_string(),
                _ => t["invitation_status_open"].to_string(),
            };
            Value::from_serialize(minijinja::context! {
                id => listed.id,
                status => status,
                status_text => status_text,
                reason => i.revoke_reason,
                created_by => i.created_by,
                created_at => i.created_at,
                created => readable_time(&i.created_at, lang),
                expires_at => i.expires_at,
                expires => readable_time(&i.expires_at, lang),
                revocable => status == "open",
            })
        })
        .collect()
}
