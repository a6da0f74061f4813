//! Contributions from outside the curator team. A contributor proposes a document's whole new
//! text (or a new document) with a comment; the proposal is validated exactly as a curator's
//! save would be, and kept as a pending revision in the store's `proposals` tree — never in
//! the documents, so search, feeds, exports and histories cannot show it. A curator accepts it
//! (it goes through the one write path and becomes the next revision, its author the
//! contributor) or declines it with a reason. Every step is in the audit log.
//!
//! A proposal records the revision it was based on. If the document has moved on since, the
//! proposal is stale: accepting it then needs the curator to say which revision they saw as
//! current (after looking at what differs), like an `If-Match`.

use crate::catalogue::Message;
use crate::document::validate::parse_document;
use crate::document::Problem;
use crate::error::Result;
use crate::store::{now, AuditDraft, Proposal, ProposalState};

use super::{
    check_base, reason_text, Draft, KnowledgeBase, Pending, SaveMode, WriteError, WriteOutcome,
    Written,
};

/// The longest comment kept with a proposal.
pub(crate) const MAX_COMMENT_CHARS: usize = 2000;
/// How many proposals one contributor may have waiting for review at once.
pub(crate) const MAX_PENDING_PER_CONTRIBUTOR: usize = 20;

/// What a contributor sends.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProposalDraft {
    /// The document to change; `None` proposes a new document (its id from the front matter).
    pub(crate) document: Option<String>,
    /// The revision the contributor edited; `None` means the current one.
    pub(crate) base_revision: Option<u32>,
    /// The whole document: front matter and Markdown.
    pub(crate) markdown: String,
    pub(crate) comment: String,
}

/// Why a proposal, an acceptance or a decline was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProposalError {
    /// The proposed text or the comment has problems: every one (`field: comment` for the
    /// comment).
    #[error("the proposal has {} problem{}", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Invalid(Vec<Problem>),
    #[error("no document \"{id}\"")]
    DocumentNotFound { id: String },
    #[error("document \"{id}\" is withdrawn; a curator can restore it")]
    DocumentWithdrawn { id: String },
    #[error("no revision {revision} of document \"{id}\" (it is at revision {current})")]
    NoSuchRevision {
        id: String,
        revision: u32,
        current: u32,
    },
    #[error("{author} has {MAX_PENDING_PER_CONTRIBUTOR} proposals waiting for review already; wait until curators have reviewed some")]
    TooManyPending { author: String },
    #[error("no proposal {number}")]
    NotFound { number: u64 },
    #[error("proposal {number} was {} already", .state.as_str())]
    Decided { number: u64, state: ProposalState },
    /// The write path refused the acceptance (stale, invalid now, an id taken since).
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Store(#[from] crate::error::Error),
}

impl From<crate::store::StoreError> for ProposalError {
    fn from(error: crate::store::StoreError) -> Self {
        ProposalError::Store(error.into())
    }
}

/// A proposal and how it stands against the document now.
#[derive(Debug, Clone)]
pub(crate) struct ProposalView {
    pub(crate) proposal: Proposal,
    /// The document's current revision (`None`: no such document, as for a new one).
    pub(crate) current_revision: Option<u32>,
    /// Pending, and the document moved on since its base (or, for a new document, the id has
    /// been taken since).
    pub(crate) stale: bool,
}

fn problem(field: &str, message: Message) -> Problem {
    Problem {
        file: "proposal".into(),
        line: None,
        column: None,
        field: Some(field.into()),
        message,
    }
}

impl KnowledgeBase {
    /// Records a contributor's proposal as pending, after validating it as a save would be.
    pub(crate) fn propose(
        &self,
        author: &str,
        draft: ProposalDraft,
    ) -> std::result::Result<Proposal, ProposalError> {
        let _writes = self.lock_writes();
        let mut problems = Vec::new();
        let comment = draft
            .comment
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if comment.is_empty() {
            problems.push(problem("comment", Message::new("problem_comment_required")));
        } else if comment.chars().count() > MAX_COMMENT_CHARS {
            problems.push(problem(
                "comment",
                Message::new("problem_comment_too_long").arg("max", MAX_COMMENT_CHARS),
            ));
        }
        let existing = match &draft.document {
            Some(id) => {
                let Some(record) = self.store.get(id)? else {
                    return Err(ProposalError::DocumentNotFound { id: id.clone() });
                };
                if record.withdrawn {
                    return Err(ProposalError::DocumentWithdrawn { id: id.clone() });
                }
                Some(record)
            }
            None => None,
        };
        let taxonomy = self.taxonomy();
        let mut markdown = draft.markdown.replace("\r\n", "\n");
        // A text box may drop the final newline; every stored text has one.
        if !markdown.ends_with('\n') {
            markdown.push('\n');
        }
        let document = match parse_document(
            "proposal",
            markdown.as_bytes(),
            draft.document.as_deref(),
            &taxonomy,
        ) {
            Ok(document) => Some(document),
            Err(found) => {
                problems.extend(found);
                None
            }
        };
        if let (Some(document), Some(id)) = (&document, &draft.document) {
            if &document.meta.id != id {
                problems.push(problem(
                    "id",
                    Message::new("problem_proposal_id_differs")
                        .arg("id", &document.meta.id)
                        .arg("proposed", id),
                ));
            }
        }
        let base_revision = match &existing {
            Some(record) => {
                let base = draft.base_revision.unwrap_or(record.revision);
                if base == 0 || base > record.revision {
                    return Err(ProposalError::NoSuchRevision {
                        id: record.meta.id.clone(),
                        revision: base,
                        current: record.revision,
                    });
                }
                Some(base)
            }
            None => None,
        };
        if let Some(document) = &document {
            match &existing {
                None => {
                    if self.store.get(&document.meta.id)?.is_some() {
                        problems.push(problem(
                            "id",
                            Message::new("problem_proposal_id_taken").arg("id", &document.meta.id),
                        ));
                    }
                }
                Some(record) => {
                    if record.content_hash == document.content_hash() {
                        problems.push(problem(
                            "markdown",
                            Message::new("problem_no_change").arg("revision", record.revision),
                        ));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(ProposalError::Invalid(problems));
        }
        let document = document.expect("no problems means a document");
        let pending = self
            .store
            .proposals()?
            .iter()
            .filter(|p| p.is_pending() && p.author == author)
            .count();
        if pending >= MAX_PENDING_PER_CONTRIBUTOR {
            return Err(ProposalError::TooManyPending {
                author: author.to_string(),
            });
        }
        let mut proposal = Proposal {
            number: 0,
            document: document.meta.id.clone(),
            base_revision,
            title: document.meta.title.clone(),
            author: author.to_string(),
            comment,
            source_text: document.source_text.clone(),
            submitted_at: now(),
            state: ProposalState::Pending,
        };
        proposal.number = self.store.insert_proposal(&proposal)?;
        Ok(proposal)
    }

    /// A proposal and how it stands now.
    pub(crate) fn proposal(&self, number: u64) -> Result<Option<ProposalView>> {
        match self.store.proposal(number)? {
            Some(proposal) => Ok(Some(self.proposal_view(proposal)?)),
            None => Ok(None),
        }
    }

    /// Proposals, newest first, pending ones first; only `author`'s when given.
    pub(crate) fn proposals(&self, author: Option<&str>) -> Result<Vec<ProposalView>> {
        let mut views = Vec::new();
        for proposal in self.store.proposals()? {
            if author.is_some_and(|a| a != proposal.author) {
                continue;
            }
            views.push(self.proposal_view(proposal)?);
        }
        views.sort_by_key(|v| !v.proposal.is_pending());
        Ok(views)
    }

    fn proposal_view(&self, proposal: Proposal) -> Result<ProposalView> {
        let current = self.store.get(&proposal.document)?;
        let current_revision = current.as_ref().map(|r| r.revision);
        let stale = proposal.is_pending() && current_revision != proposal.base_revision;
        Ok(ProposalView {
            proposal,
            current_revision,
            stale,
        })
    }

    /// Accepts a pending proposal: it becomes the document's next revision (or the new
    /// document's first), with the contributor as its author and `curator` as who accepted
    /// it, in one store transaction with the proposal's new state and the `accept` audit
    /// entry. `seen_current` is the revision the curator saw as current: without it, a
    /// proposal whose base is no longer current is refused ([`WriteError::Stale`]).
    pub(crate) fn accept_proposal(
        &self,
        number: u64,
        curator: &str,
        seen_current: Option<u32>,
    ) -> std::result::Result<Written, ProposalError> {
        let _writes = self.lock_writes();
        let Some(proposal) = self.store.proposal(number)? else {
            return Err(ProposalError::NotFound { number });
        };
        if !proposal.is_pending() {
            return Err(ProposalError::Decided {
                number,
                state: proposal.state,
            });
        }
        let id = proposal.document.clone();
        let document = self.validate(Draft::Text {
            file: format!("proposal {number}"),
            bytes: proposal.source_text.clone().into_bytes(),
            default_id: Some(id.clone()),
            expected_id: Some(id.clone()),
        })?;
        let existing = self.store.get(&id)?;
        let base = seen_current.or(Some(proposal.base_revision.unwrap_or(0)));
        check_base(&id, existing.as_ref(), base)?;
        let mode = if proposal.base_revision.is_some() {
            SaveMode::Update
        } else {
            SaveMode::Create
        };
        let Pending {
            previous,
            record,
            revision,
            outcome,
        } = self.plan_save(document, existing, mode, &proposal.author)?;
        let at = now();
        let accepted = |revision| Proposal {
            state: ProposalState::Accepted {
                revision,
                by: curator.to_string(),
                at: at.clone(),
            },
            ..proposal.clone()
        };
        let audit = AuditDraft {
            actor: curator.to_string(),
            action: "accept",
            reason: None,
            proposal: Some(number),
        };
        if outcome == WriteOutcome::Unchanged {
            // The document already reads as proposed (a curator made the same change).
            self.store
                .record_decision(&accepted(record.revision), &audit, record.revision)?;
            return Ok(Written {
                id,
                revision: record.revision,
                outcome,
                record,
            });
        }
        let revision = revision.map(|r| crate::store::Revision {
            proposal: Some(number),
            accepted_by: Some(curator.to_string()),
            ..r
        });
        let write = self.document_write(
            previous,
            record.clone(),
            revision,
            Some(audit),
            Some(accepted(record.revision)),
        );
        self.commit_one(write)?;
        self.index
            .put(&record, &self.taxonomy())
            .map_err(WriteError::from)?;
        self.commit()?;
        Ok(Written {
            id,
            revision: record.revision,
            outcome,
            record,
        })
    }

    /// Declines a pending proposal; a reason is required and kept with it and in the audit
    /// log.
    pub(crate) fn decline_proposal(
        &self,
        number: u64,
        curator: &str,
        reason: &str,
    ) -> std::result::Result<Proposal, ProposalError> {
        let _writes = self.lock_writes();
        let Some(reason) = reason_text(Some(reason.to_string())) else {
            return Err(ProposalError::Invalid(vec![problem(
                "reason",
                Message::new("problem_decline_reason"),
            )]));
        };
        let Some(proposal) = self.store.proposal(number)? else {
            return Err(ProposalError::NotFound { number });
        };
        if !proposal.is_pending() {
            return Err(ProposalError::Decided {
                number,
                state: proposal.state,
            });
        }
        let declined = Proposal {
            state: ProposalState::Declined {
                reason: reason.clone(),
                by: curator.to_string(),
                at: now(),
            },
            ..proposal
        };
        let audit = AuditDraft {
            actor: curator.to_string(),
            action: "decline",
            reason: Some(reason),
            proposal: Some(number),
        };
        self.store
            .record_decision(&declined, &audit, declined.base_revision.unwrap_or(0))?;
        Ok(declined)
    }
}

/// How long an invitation stays usable.
pub(crate) const INVITATION_LIFETIME: time::Duration = time::Duration::days(14);

/// An invitation just issued: the code is shown once and never stored.
#[derive(Debug, Clone)]
pub(crate) struct IssuedInvitation {
    pub(crate) code: String,
    pub(crate) expires_at: String,
}

/// What using an invitation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Joined {
    /// The new contributor's token, shown once.
    Account { name: String, token: String },
    /// The name is not a valid account name (the message says why).
    BadName(String),
    /// The store's refusal: unknown, used, expired, name taken.
    Refused(crate::store::Redeem),
}

/// 256 random bits as 64 hex digits: invitation codes and tokens.
fn random_secret() -> String {
    blake3::Hash::from_bytes(rand::random::<[u8; 32]>())
        .to_hex()
        .to_string()
}

/// Whether `name` can name an account: what curator names may be.
pub(crate) fn valid_account_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
        && name != super::INGEST_AUTHOR
}

impl KnowledgeBase {
    /// Issues a one-time invitation to become a contributor, valid for
    /// [`INVITATION_LIFETIME`]; the `invite` audit entry names the curator.
    pub(crate) fn invite(&self, curator: &str) -> Result<IssuedInvitation> {
        let code = random_secret();
        let now = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("0 is valid");
        let expires_at = (now + INVITATION_LIFETIME)
            .format(&time::format_description::well_known::Rfc3339)
            .expect("RFC 3339 formats");
        let invitation = crate::store::Invitation {
            created_by: curator.to_string(),
            created_at: crate::store::now(),
            expires_at: expires_at.clone(),
            used_by: None,
            used_at: None,
            revoked_by: None,
            revoked_at: None,
            revoke_reason: None,
        };
        self.store
            .insert_invitation(&blake3::hash(code.as_bytes()).to_hex(), &invitation)?;
        Ok(IssuedInvitation { code, expires_at })
    }

    /// Uses an invitation once: creates the contributor `name` with a new token. `reserved`
    /// says whether a configured account (curator or contributor) has the name already.
    pub(crate) fn join(&self, code: &str, name: &str, reserved: bool) -> Result<Joined> {
        let name = name.trim();
        if !valid_account_name(name) {
            return Ok(Joined::BadName(format!(
                "\"{name}\" cannot be a name here: use 1 to 64 of a-z, A-Z, 0-9, - _ . @"
            )));
        }
        let token = random_secret();
        let token_hash = blake3::hash(token.as_bytes()).to_hex().to_string();
        let code_hash = blake3::hash(code.trim().as_bytes()).to_hex().to_string();
        match self
            .store
            .redeem_invitation(&code_hash, name, &token_hash, reserved)?
        {
            crate::store::Redeem::Joined(account) => Ok(Joined::Account {
                name: account.name,
                token,
            }),
            refused => Ok(Joined::Refused(refused)),
        }
    }

    /// Every invitation, newest first, by public id (never the code: only its hash is kept).
    pub(crate) fn invitations(&self) -> Result<Vec<crate::store::ListedInvitation>> {
        Ok(self.store.invitations()?)
    }

    /// Revokes an unused invitation: it will open nothing. A blank `reason` records none.
    pub(crate) fn revoke_invitation(
        &self,
        id: &str,
        curator: &str,
        reason: &str,
    ) -> Result<crate::store::Revoke> {
        let reason = Some(reason.trim()).filter(|r| !r.is_empty());
        Ok(self.store.revoke_invitation(id.trim(), curator, reason)?)
    }

    /// The invited contributor whose token this is.
    pub(crate) fn contributor_for_token(&self, token: &str) -> Result<Option<String>> {
        let hash = blake3::hash(token.as_bytes()).to_hex().to_string();
        Ok(self.store.contributor_with_token_hash(&hash)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::SearchRequest;
    use crate::knowledge_base::{Change, Write};

    fn text(summary: &str) -> String {
        format!(
            "---\nid: t\ntitle: Early warning in T\ntype: report\nsummary: {summary}\ncountries: [KE]\nthemes: [genocide]\nyear: 2001\nlanguage: en\nsources:\n  - citation: A/RES/60/1\n---\nBody\n"
        )
    }

    fn open_with_document() -> (tempfile::TempDir, KnowledgeBase) {
        let dir = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(dir.path()).unwrap();
        kb.write(Write {
            change: Change::Save {
                draft: Draft::Text {
                    file: "t.md".into(),
                    bytes: text("One.").into_bytes(),
                    default_id: None,
                    expected_id: None,
                },
                mode: SaveMode::Create,
            },
            author: "alice".into(),
            base_revision: None,
        })
        .unwrap();
        (dir, kb)
    }

    fn change(summary: &str) -> ProposalDraft {
        ProposalDraft {
            document: Some("t".into()),
            base_revision: Some(1),
            markdown: text(summary),
            comment: "Clearer summary".into(),
        }
    }

    fn search_hits(kb: &KnowledgeBase, q: &str) -> u64 {
        kb.search(&SearchRequest {
            q: q.into(),
            ..Default::default()
        })
        .unwrap()
        .total as u64
    }

    #[test]
    fn a_proposal_is_invisible_until_accepted_then_credits_its_author() {
        let (_dir, kb) = open_with_document();
        let proposal = kb.propose("jane", change("Zanzibarian wording.")).unwrap();
        assert_eq!(kb.document("t").unwrap().unwrap().revision, 1);
        assert_eq!(kb.history("t").unwrap().len(), 1);
        assert_eq!(search_hits(&kb, "zanzibarian"), 0);

        let written = kb.accept_proposal(proposal.number, "alice", None).unwrap();
        assert_eq!(
            (written.revision, written.outcome),
            (2, WriteOutcome::Updated)
        );
        assert_eq!(search_hits(&kb, "zanzibarian"), 1);
        let history = kb.history("t").unwrap();
        assert_eq!(history[1].author, "jane");
        assert_eq!(history[1].accepted_by.as_deref(), Some("alice"));
        assert_eq!(history[1].proposal, Some(proposal.number));
        let view = kb.proposal(proposal.number).unwrap().unwrap();
        assert!(matches!(
            view.proposal.state,
            ProposalState::Accepted { revision: 2, .. }
        ));
        let actions: Vec<_> = kb
            .store()
            .audit_log(0, 10)
            .unwrap()
            .0
            .into_iter()
            .map(|e| (e.action, e.actor, e.proposal))
            .collect();
        assert_eq!(actions[0], ("accept".into(), "alice".into(), Some(1)));
        assert_eq!(actions[1], ("propose".into(), "jane".into(), Some(1)));
        // Decided once only.
        assert!(matches!(
            kb.decline_proposal(proposal.number, "alice", "late"),
            Err(ProposalError::Decided { .. })
        ));
    }

    #[test]
    fn a_declined_proposal_keeps_its_reason_and_a_reason_is_required() {
        let (_dir, kb) = open_with_document();
        let proposal = kb.propose("jane", change("Two.")).unwrap();
        assert!(matches!(
            kb.decline_proposal(proposal.number, "alice", "  "),
            Err(ProposalError::Invalid(p)) if p[0].field.as_deref() == Some("reason")
        ));
        let declined = kb
            .decline_proposal(proposal.number, "alice", "The source does not say this.")
            .unwrap();
        assert_eq!(
            declined.state,
            ProposalState::Declined {
                reason: "The source does not say this.".into(),
                by: "alice".into(),
                at: match &declined.state {
                    ProposalState::Declined { at, .. } => at.clone(),
                    _ => unreachable!(),
                },
            }
        );
        assert_eq!(kb.document("t").unwrap().unwrap().revision, 1);
        let (log, _) = kb.store().audit_log(0, 1).unwrap();
        assert_eq!(log[0].action, "decline");
        assert_eq!(
            log[0].reason.as_deref(),
            Some("The source does not say this.")
        );
    }

    #[test]
    fn a_stale_proposal_is_refused_until_the_curator_names_the_current_revision() {
        let (_dir, kb) = open_with_document();
        let proposal = kb.propose("jane", change("Two.")).unwrap();
        kb.save_document(
            &parse_document("x", text("Curator's.").as_bytes(), None, &kb.taxonomy()).unwrap(),
            "alice",
        )
        .unwrap();
        assert!(kb.proposal(proposal.number).unwrap().unwrap().stale);
        assert!(matches!(
            kb.accept_proposal(proposal.number, "alice", None),
            Err(ProposalError::Write(WriteError::Stale {
                base: 1,
                current: 2,
                ..
            }))
        ));
        let written = kb
            .accept_proposal(proposal.number, "alice", Some(2))
            .unwrap();
        assert_eq!(written.revision, 3);
    }

    #[test]
    fn problems_are_all_reported_with_their_fields() {
        let (_dir, kb) = open_with_document();
        let error = kb
            .propose(
                "jane",
                ProposalDraft {
                    comment: String::new(),
                    ..change("One.")
                },
            )
            .unwrap_err();
        let ProposalError::Invalid(problems) = error else {
            panic!("{error:?}")
        };
        let fields: Vec<_> = problems.iter().filter_map(|p| p.field.as_deref()).collect();
        assert_eq!(
            fields,
            vec!["comment", "markdown"],
            "no comment, and no change"
        );
        let new = kb
            .propose(
                "jane",
                ProposalDraft {
                    document: None,
                    base_revision: None,
                    ..change("Other.")
                },
            )
            .unwrap_err();
        assert!(matches!(new, ProposalError::Invalid(p) if p[0].field.as_deref() == Some("id")));
    }

    #[test]
    fn an_invitation_makes_one_account_whose_token_signs_in() {
        let (_dir, kb) = open_with_document();
        let issued = kb.invite("alice").unwrap();
        assert_eq!(
            kb.join(&issued.code, "bad name", false).unwrap(),
            Joined::BadName(
                "\"bad name\" cannot be a name here: use 1 to 64 of a-z, A-Z, 0-9, - _ . @".into()
            )
        );
        let Joined::Account { name, token } = kb.join(&issued.code, "jane", false).unwrap() else {
            panic!("the invitation should work")
        };
        assert_eq!(name, "jane");
        assert_eq!(
            kb.contributor_for_token(&token).unwrap().as_deref(),
            Some("jane")
        );
        assert_eq!(kb.contributor_for_token("guess").unwrap(), None);
        assert_eq!(
            kb.join(&issued.code, "omar", false).unwrap(),
            Joined::Refused(crate::store::Redeem::Used)
        );
    }

    #[test]
    fn a_new_document_proposal_creates_it_when_accepted() {
        let (_dir, kb) = open_with_document();
        let proposal = kb
            .propose(
                "jane",
                ProposalDraft {
                    document: None,
                    base_revision: None,
                    markdown: text("New.").replace("id: t", "id: t2"),
                    comment: "A new report".into(),
                },
            )
            .unwrap();
        assert!(kb.document("t2").unwrap().is_none());
        let written = kb.accept_proposal(proposal.number, "alice", None).unwrap();
        assert_eq!((written.id.as_str(), written.revision), ("t2", 1));
        assert_eq!(kb.history("t2").unwrap()[0].author, "jane");
    }
}
