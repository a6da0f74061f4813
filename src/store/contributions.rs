//! What the store keeps for contributions from outside the curator team: proposals (pending
//! revisions, kept apart from documents so that nothing unreviewed reaches search, feeds,
//! exports or histories), invitations a curator issued, and the contributor accounts made
//! from them. Each change is written with its audit entry in one transaction.

use sled::transaction::{
    ConflictableTransactionError, TransactionError, Transactional, TransactionalTree,
};
use subtle::ConstantTimeEq;

use super::contribution_records::{
    contributor_key, invitation_id, invitation_key, valid_invitation_id, ContributorAccount,
    Invitation, ListedInvitation, Proposal, Redeem, Revoke, CONTRIBUTOR_PREFIX, INVITATION_PREFIX,
    PROPOSAL_NEXT,
};
use super::error::{Result, StoreError};
use super::records::{AuditDraft, AuditEntry};
use super::values::{decode, encode, now, read_u64};
use super::Store;

/// Appends an audit entry inside a transaction: the same numbering as document writes.
fn append_audit(
    audit: &TransactionalTree,
    meta: &TransactionalTree,
    draft: &AuditDraft,
    document: &str,
    revision: u32,
    at: &str,
) -> std::result::Result<(), ConflictableTransactionError<()>> {
    let sequence = read_u64(&meta.get(super::AUDIT_NEXT)?).max(1);
    meta.insert(super::AUDIT_NEXT, &(sequence + 1).to_be_bytes())?;
    let entry = AuditEntry {
        sequence,
        at: at.to_string(),
        actor: draft.actor.clone(),
        action: draft.action.to_string(),
        document: document.to_string(),
        revision,
        reason: draft.reason.clone(),
        proposal: draft.proposal,
    };
    audit.insert(&sequence.to_be_bytes(), encode(&entry))?;
    Ok(())
}

fn storage<T>(error: TransactionError<T>) -> StoreError {
    match error {
        TransactionError::Storage(error) => StoreError::Sled(error),
        TransactionError::Abort(_) => StoreError::Sled(sled::Error::Unsupported(
            "a contribution transaction aborted".into(),
        )),
    }
}

impl Store {
    /// Proposals (oldest first), invitations and invited contributors, as dump lines.
    pub(super) fn contribution_lines(&self) -> Result<Vec<super::DumpLine>> {
        let mut lines = Vec::new();
        for entry in self.proposals.iter() {
            let (key, value) = entry?;
            let proposal = decode(&format!("proposal {key:?}"), &value)?;
            lines.push(super::DumpLine::Proposal { proposal });
        }
        for entry in self.accounts.iter() {
            let (key, value) = entry?;
            let key = String::from_utf8_lossy(&key).into_owned();
            if let Some(code_hash) = key.strip_prefix(INVITATION_PREFIX) {
                lines.push(super::DumpLine::Invitation {
                    code_hash: code_hash.to_string(),
                    invitation: decode(&key, &value)?,
                });
            } else if key.starts_with(CONTRIBUTOR_PREFIX) {
                lines.push(super::DumpLine::Contributor {
                    account: decode(&key, &value)?,
                });
            }
        }
        Ok(lines)
    }

    /// Records a new pending proposal with its `propose` audit entry; returns its number.
    /// `proposal.number` is ignored.
    pub(crate) fn insert_proposal(&self, proposal: &Proposal) -> Result<u64> {
        let draft = AuditDraft {
            actor: proposal.author.clone(),
            action: "propose",
            reason: None,
            proposal: None,
        };
        (&self.proposals, &self.audit, &self.meta)
            .transaction(|(proposals, audit, meta)| {
                let number = read_u64(&meta.get(PROPOSAL_NEXT)?).max(1);
                meta.insert(PROPOSAL_NEXT, &(number + 1).to_be_bytes())?;
                let stored = Proposal {
                    number,
                    ..proposal.clone()
                };
                proposals.insert(&number.to_be_bytes(), encode(&stored))?;
                let draft = AuditDraft {
                    proposal: Some(number),
                    ..draft.clone()
                };
                append_audit(
                    audit,
                    meta,
                    &draft,
                    &proposal.document,
                    proposal.base_revision.unwrap_or(0),
                    &proposal.submitted_at,
                )?;
                Ok(number)
            })
            .map_err(storage)
    }

    /// Writes a proposal's new state with its audit entry (a decline; an acceptance that made
    /// no new revision). Acceptances that do are written with their revision by
    /// [`Store::commit_all`].
    pub(crate) fn record_decision(
        &self,
        proposal: &Proposal,
        audit_draft: &AuditDraft,
        revision: u32,
    ) -> Result<()> {
        let at = now();
        (&self.proposals, &self.audit, &self.meta)
            .transaction(|(proposals, audit, meta)| {
                proposals.insert(&proposal.number.to_be_bytes(), encode(proposal))?;
                append_audit(audit, meta, audit_draft, &proposal.document, revision, &at)?;
                Ok(())
            })
            .map_err(storage)
    }

    pub(crate) fn proposal(&self, number: u64) -> Result<Option<Proposal>> {
        self.proposals
            .get(number.to_be_bytes())?
            .map(|bytes| decode(&format!("proposal {number}"), &bytes))
            .transpose()
    }

    /// Every proposal, newest first. Proposals are few (people write them by hand, and each
    /// contributor may have only so many pending), so lists read them all.
    pub(crate) fn proposals(&self) -> Result<Vec<Proposal>> {
        self.proposals
            .iter()
            .rev()
            .map(|entry| {
                let (key, value) = entry?;
                decode(&format!("proposal {key:?}"), &value)
            })
            .collect()
    }

    /// Stores a new invitation under the hash of its code, with its `invite` audit entry.
    pub(crate) fn insert_invitation(&self, code_hash: &str, invitation: &Invitation) -> Result<()> {
        let draft = AuditDraft {
            actor: invitation.created_by.clone(),
            action: "invite",
            reason: None,
            proposal: None,
        };
        let key = invitation_key(code_hash);
        (&self.accounts, &self.audit, &self.meta)
            .transaction(|(accounts, audit, meta)| {
                accounts.insert(key.as_slice(), encode(invitation))?;
                append_audit(audit, meta, &draft, "", 0, &invitation.created_at)?;
                Ok(())
            })
            .map_err(storage)
    }

    /// Uses an invitation once: in one transaction, checks it is unused and unexpired and
    /// that `name` is free (`reserved` says whether a configured account has it), creates the
    /// account and marks the invitation used, with a `join` audit entry.
    pub(crate) fn redeem_invitation(
        &self,
        code_hash: &str,
        name: &str,
        token_hash: &str,
        reserved: bool,
    ) -> Result<Redeem> {
        let key = invitation_key(code_hash);
        let account_key = contributor_key(name);
        let at = now();
        (&self.accounts, &self.audit, &self.meta)
            .transaction(|(accounts, audit, meta)| {
                let Some(bytes) = accounts.get(key.as_slice())? else {
                    return Ok(Redeem::Unknown);
                };
                let mut invitation: Invitation = serde_json::from_slice(&bytes)
                    .map_err(|_| ConflictableTransactionError::Abort(()))?;
                if invitation.revoked_at.is_some() {
                    return Ok(Redeem::Revoked);
                }
                if invitation.used_by.is_some() {
                    return Ok(Redeem::Used);
                }
                if invitation.expires_at <= at {
                    return Ok(Redeem::Expired);
                }
                if reserved || accounts.get(account_key.as_slice())?.is_some() {
                    return Ok(Redeem::NameTaken);
                }
                let account = ContributorAccount {
                    name: name.to_string(),
                    token_hash: token_hash.to_string(),
                    invited_by: invitation.created_by.clone(),
                    joined_at: at.clone(),
                };
                invitation.used_by = Some(name.to_string());
                invitation.used_at = Some(at.clone());
                accounts.insert(key.as_slice(), encode(&invitation))?;
                accounts.insert(account_key.as_slice(), encode(&account))?;
                let draft = AuditDraft {
                    actor: name.to_string(),
                    action: "join",
                    reason: Some(format!("invited by {}", invitation.created_by)),
                    proposal: None,
                };
                append_audit(audit, meta, &draft, "", 0, &at)?;
                Ok(Redeem::Joined(account))
            })
            .map_err(storage)
    }

    /// Every invitation, newest first (by issue time, to the second; then by id), by its public id. Curators issue them one at a time
    /// by hand, so they are few and lists read them all.
    pub(crate) fn invitations(&self) -> Result<Vec<ListedInvitation>> {
        let mut listed = self
            .accounts
            .scan_prefix(INVITATION_PREFIX)
            .map(|entry| {
                let (key, value) = entry?;
                let key = String::from_utf8_lossy(&key).into_owned();
                let invitation: Invitation = decode(&key, &value)?;
                let code_hash = key.strip_prefix(INVITATION_PREFIX).unwrap_or_default();
                Ok(ListedInvitation {
                    id: invitation_id(code_hash),
                    invitation,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // RFC 3339 UTC times sort as text; the id breaks ties so the order is stable.
        listed.sort_by(|a, b| {
            (&b.invitation.created_at, &b.id).cmp(&(&a.invitation.created_at, &a.id))
        });
        Ok(listed)
    }

    /// Revokes the unused invitation with public id `id`, recording who, when and why (if
    /// `reason` is given) on it and in a `revoke_invitation` audit entry, in one transaction.
    pub(crate) fn revoke_invitation(
        &self,
        id: &str,
        curator: &str,
        reason: Option<&str>,
    ) -> Result<Revoke> {
        if !valid_invitation_id(id) {
            return Ok(Revoke::Unknown);
        }
        // The id is a prefix of the key; two codes sharing 48 bits of hash are not expected,
        // but if they did the id would be ambiguous, and revoking either would be a guess.
        let mut keys = self.accounts.scan_prefix(invitation_key(id)).keys();
        let key = match (keys.next().transpose()?, keys.next().transpose()?) {
            (Some(key), None) => key,
            _ => return Ok(Revoke::Unknown),
        };
        let at = now();
        let audit_reason = match reason {
            Some(reason) => format!("invitation {id}: {reason}"),
            None => format!("invitation {id}"),
        };
        (&self.accounts, &self.audit, &self.meta)
            .transaction(|(accounts, audit, meta)| {
                let Some(bytes) = accounts.get(&key)? else {
                    return Ok(Revoke::Unknown);
                };
                let mut invitation: Invitation = serde_json::from_slice(&bytes)
                    .map_err(|_| ConflictableTransactionError::Abort(()))?;
                if invitation.revoked_at.is_some() {
                    return Ok(Revoke::AlreadyRevoked);
                }
                if invitation.used_by.is_some() {
                    return Ok(Revoke::Used);
                }
                invitation.revoked_by = Some(curator.to_string());
                invitation.revoked_at = Some(at.clone());
                invitation.revoke_reason = reason.map(str::to_string);
                accounts.insert(&key, encode(&invitation))?;
                let draft = AuditDraft {
                    actor: curator.to_string(),
                    action: "revoke_invitation",
                    reason: Some(audit_reason.clone()),
                    proposal: None,
                };
                append_audit(audit, meta, &draft, "", 0, &at)?;
                Ok(Revoke::Revoked(Box::new(ListedInvitation {
                    id: id.to_string(),
                    invitation,
                })))
            })
            .map_err(storage)
    }

    /// Contributors who joined by invitation, by name.
    pub(crate) fn contributor_accounts(&self) -> Result<Vec<ContributorAccount>> {
        self.accounts
            .scan_prefix(CONTRIBUTOR_PREFIX)
            .map(|entry| {
                let (key, value) = entry?;
                decode(&String::from_utf8_lossy(&key), &value)
            })
            .collect()
    }

    /// The invited contributor whose token has this hash (64 hex digits). Every account is
    /// compared in constant time, whatever matched.
    pub(crate) fn contributor_with_token_hash(&self, token_hash: &str) -> Result<Option<String>> {
        let mut found = None;
        for account in self.contributor_accounts()? {
            if bool::from(account.token_hash.as_bytes().ct_eq(token_hash.as_bytes())) {
                found = Some(account.name);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ProposalState;

    fn proposal(author: &str) -> Proposal {
        Proposal {
            number: 0,
            document: "doc".into(),
            base_revision: Some(1),
            title: "Doc".into(),
            author: author.into(),
            comment: "a fix".into(),
            source_text: "---\ntitle: Doc\n---\n".into(),
            submitted_at: now(),
            state: ProposalState::Pending,
        }
    }

    #[test]
    fn proposals_are_numbered_and_audited_and_never_documents() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.insert_proposal(&proposal("jane")).unwrap(), 1);
        assert_eq!(store.insert_proposal(&proposal("omar")).unwrap(), 2);
        let listed: Vec<_> = store
            .proposals()
            .unwrap()
            .into_iter()
            .map(|p| (p.number, p.author))
            .collect();
        assert_eq!(listed, vec![(2, "omar".into()), (1, "jane".into())]);
        assert!(store.is_empty(), "a proposal is not a document");
        assert!(store.revisions("doc").unwrap().is_empty());
        let (log, _) = store.audit_log(0, 10).unwrap();
        assert_eq!(log[0].action, "propose");
        assert_eq!(log[0].proposal, Some(2));
        assert_eq!(log[0].actor, "omar");
    }

    #[test]
    fn a_dump_carries_proposals_invitations_and_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a")).unwrap();
        store.insert_proposal(&proposal("jane")).unwrap();
        let invitation = open_invitation();
        store.insert_invitation("abc", &invitation).unwrap();
        store.insert_invitation("def", &invitation).unwrap();
        store.redeem_invitation("abc", "omar", "h1", false).unwrap();
        let mut dump = Vec::new();
        let counts = store.dump(&mut dump).unwrap();
        assert_eq!((counts.proposals, counts.accounts), (1, 3));

        let restored = Store::open(&dir.path().join("b")).unwrap();
        restored
            .import_dump(&mut std::io::BufReader::new(dump.as_slice()))
            .unwrap();
        assert_eq!(restored.proposals().unwrap(), store.proposals().unwrap());
        assert_eq!(
            restored
                .contributor_with_token_hash("h1")
                .unwrap()
                .as_deref(),
            Some("omar")
        );
        assert_eq!(
            restored.redeem_invitation("abc", "x", "h2", false).unwrap(),
            Redeem::Used,
            "a used invitation stays used"
        );
        assert!(matches!(
            restored.redeem_invitation("def", "x", "h2", false).unwrap(),
            Redeem::Joined(_)
        ));
        assert_eq!(
            restored.insert_proposal(&proposal("x")).unwrap(),
            2,
            "numbering continues"
        );
    }

    #[test]
    fn an_invitation_works_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let invitation = open_invitation();
        store.insert_invitation("abc", &invitation).unwrap();
        assert_eq!(
            store.redeem_invitation("nope", "jane", "h", false).unwrap(),
            Redeem::Unknown
        );
        assert_eq!(
            store.redeem_invitation("abc", "jane", "h", true).unwrap(),
            Redeem::NameTaken
        );
        assert!(matches!(
            store.redeem_invitation("abc", "jane", "h1", false).unwrap(),
            Redeem::Joined(_)
        ));
        assert_eq!(
            store.redeem_invitation("abc", "omar", "h2", false).unwrap(),
            Redeem::Used
        );
        assert_eq!(
            store.contributor_with_token_hash("h1").unwrap().as_deref(),
            Some("jane")
        );
        assert_eq!(store.contributor_with_token_hash("h2").unwrap(), None);
        let expired = Invitation {
            expires_at: "2000-01-01T00:00:00Z".into(),
            ..invitation
        };
        store.insert_invitation("old", &expired).unwrap();
        assert_eq!(
            store.redeem_invitation("old", "omar", "h3", false).unwrap(),
            Redeem::Expired
        );
        let actions: Vec<_> = store
            .audit_log(0, 10)
            .unwrap()
            .0
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, vec!["invite", "join", "invite"]);
    }

    fn open_invitation() -> Invitation {
        Invitation {
            created_by: "alice".into(),
            created_at: now(),
            expires_at: "9999-01-01T00:00:00Z".into(),
            used_by: None,
            used_at: None,
            revoked_by: None,
            revoked_at: None,
            revoke_reason: None,
        }
    }

    const HASH_A: &str = "aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111";
    const HASH_B: &str = "bbbbbbbbbbbb2222222222222222222222222222222222222222222222222222";

    #[test]
    fn a_revoked_invitation_opens_nothing_and_is_audited_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert_invitation(HASH_A, &open_invitation()).unwrap();
        let listed = store.invitations().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0].id, "aaaaaaaaaaaa",
            "a prefix of the hash, never the code"
        );

        let Revoke::Revoked(revoked) = store
            .revoke_invitation("aaaaaaaaaaaa", "bob", Some("sent to the wrong address"))
            .unwrap()
        else {
            panic!("an open invitation can be revoked")
        };
        assert_eq!(revoked.invitation.revoked_by.as_deref(), Some("bob"));
        assert_eq!(
            revoked.invitation.revoke_reason.as_deref(),
            Some("sent to the wrong address")
        );
        assert_eq!(store.invitations().unwrap()[0], *revoked);
        assert_eq!(
            store.redeem_invitation(HASH_A, "jane", "h", false).unwrap(),
            Redeem::Revoked
        );
        assert_eq!(store.contributor_with_token_hash("h").unwrap(), None);
        assert_eq!(
            store
                .revoke_invitation("aaaaaaaaaaaa", "bob", None)
                .unwrap(),
            Revoke::AlreadyRevoked
        );
        let (log, _) = store.audit_log(0, 10).unwrap();
        assert_eq!(log[0].action, "revoke_invitation");
        assert_eq!(log[0].actor, "bob");
        assert_eq!(
            log[0].reason.as_deref(),
            Some("invitation aaaaaaaaaaaa: sent to the wrong address")
        );
        assert_eq!(
            log.len(),
            2,
            "the refused revocation and redemption wrote nothing"
        );
    }

    #[test]
    fn a_used_or_unknown_invitation_cannot_be_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert_invitation(HASH_A, &open_invitation()).unwrap();
        store.redeem_invitation(HASH_A, "jane", "h", false).unwrap();
        assert_eq!(
            store
                .revoke_invitation("aaaaaaaaaaaa", "bob", None)
                .unwrap(),
            Revoke::Used
        );
        assert_eq!(
            store.contributor_with_token_hash("h").unwrap().as_deref(),
            Some("jane"),
            "the account stays"
        );
        for unknown in [
            "bbbbbbbbbbbb",
            "aaaaaaaaaaa",
            "AAAAAAAAAAAA",
            HASH_A,
            "",
            "aaaaaaaaaaa/",
        ] {
            assert_eq!(
                store.revoke_invitation(unknown, "bob", None).unwrap(),
                Revoke::Unknown,
                "{unknown:?}"
            );
        }
    }

    #[test]
    fn invitations_list_newest_first_with_what_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let older = Invitation {
            created_at: "2026-01-01T00:00:00Z".into(),
            ..open_invitation()
        };
        store.insert_invitation(HASH_B, &older).unwrap();
        store.insert_invitation(HASH_A, &open_invitation()).unwrap();
        store.redeem_invitation(HASH_B, "omar", "h", false).unwrap();
        let listed = store.invitations().unwrap();
        let ids: Vec<_> = listed.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]);
        assert_eq!(listed[1].invitation.used_by.as_deref(), Some("omar"));
        assert_eq!(listed[0].invitation.used_by, None);
    }

    #[test]
    fn a_dump_keeps_a_revocation() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a")).unwrap();
        store.insert_invitation(HASH_A, &open_invitation()).unwrap();
        store.insert_invitation(HASH_B, &open_invitation()).unwrap();
        store
            .revoke_invitation("aaaaaaaaaaaa", "bob", Some("leaked"))
            .unwrap();
        let mut dump = Vec::new();
        store.dump(&mut dump).unwrap();

        let restored = Store::open(&dir.path().join("b")).unwrap();
        restored
            .import_dump(&mut std::io::BufReader::new(dump.as_slice()))
            .unwrap();
        assert_eq!(
            restored.invitations().unwrap(),
            store.invitations().unwrap()
        );
        assert_eq!(
            restored
                .redeem_invitation(HASH_A, "jane", "h", false)
                .unwrap(),
            Redeem::Revoked
        );
        assert!(matches!(
            restored
                .redeem_invitation(HASH_B, "jane", "h", false)
                .unwrap(),
            Redeem::Joined(_)
        ));
    }
}
