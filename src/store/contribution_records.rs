//! The records the store keeps for contributions (proposals, invitations, contributor
//! accounts) and their keys: below the store, whose dumps carry them, and below
//! [`super::contributions`], which writes them.

use serde::{Deserialize, Serialize};

use super::values::encode;

pub(super) const PROPOSAL_NEXT: &str = "proposal_next";

pub(super) const INVITATION_PREFIX: &str = "invitation/";

pub(super) const CONTRIBUTOR_PREFIX: &str = "contributor/";

/// A change a contributor proposed: the whole text of the document as they would have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub(crate) struct Proposal {
    pub(crate) number: u64,
    /// The document it changes, or the id of the new document it proposes.
    pub(crate) document: String,
    /// The revision the contributor edited; absent for a new document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) base_revision: Option<u32>,
    /// The proposed title (for lists).
    pub(crate) title: String,
    /// The contributor's name.
    pub(crate) author: String,
    /// Why the change is proposed.
    pub(crate) comment: String,
    /// The proposed document: front matter and Markdown.
    pub(crate) source_text: String,
    /// RFC 3339.
    pub(crate) submitted_at: String,
    pub(crate) state: ProposalState,
}

impl Proposal {
    pub(crate) fn is_pending(&self) -> bool {
        self.state == ProposalState::Pending
    }
}

/// Where a proposal stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum ProposalState {
    Pending,
    /// It became revision `revision` of the document.
    Accepted {
        revision: u32,
        by: String,
        at: String,
    },
    Declined {
        reason: String,
        by: String,
        at: String,
    },
}

impl ProposalState {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            ProposalState::Pending => "pending",
            ProposalState::Accepted { .. } => "accepted",
            ProposalState::Declined { .. } => "declined",
        }
    }
}

/// A one-time invitation to become a contributor. The code itself is never stored, only its
/// hash (the key), like tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Invitation {
    pub(crate) created_by: String,
    pub(crate) created_at: String,
    /// RFC 3339: unused after this, it opens nothing.
    pub(crate) expires_at: String,
    /// Who used it, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) used_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) used_at: Option<String>,
    /// The curator who revoked it, when, and why if they said: revoked, it opens nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) revoked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) revoked_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) revoke_reason: Option<String>,
}

impl Invitation {
    /// `open`, `expired` (unused, past its time), `used` or `revoked`; `now` is RFC 3339 UTC.
    pub(crate) fn status(&self, now: &str) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.used_by.is_some() {
            "used"
        } else if self.expires_at.as_str() <= now {
            "expired"
        } else {
            "open"
        }
    }
}

/// How many hex digits of a code's hash name an invitation in lists and URLs: enough to
/// tell invitations apart (48 bits), and useless for finding the code (the hash is one way).
pub(crate) const INVITATION_ID_LEN: usize = 12;

/// An invitation as curators list it: its public id (a prefix of the code's hash, never the
/// code) and what is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedInvitation {
    pub(crate) id: String,
    pub(crate) invitation: Invitation,
}

/// What revoking an invitation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Revoke {
    Revoked(Box<ListedInvitation>),
    /// No invitation has this id.
    Unknown,
    /// Someone joined with it already: revoking would change nothing.
    Used,
    AlreadyRevoked,
}

/// A contributor who joined by invitation. Only the BLAKE3 hash of their token is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ContributorAccount {
    pub(crate) name: String,
    /// 64 hex digits.
    pub(crate) token_hash: String,
    pub(crate) invited_by: String,
    pub(crate) joined_at: String,
}

/// Why an invitation could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Redeem {
    Joined(ContributorAccount),
    Unknown,
    Used,
    Expired,
    Revoked,
    NameTaken,
}

pub(super) fn invitation_key(code_hash: &str) -> Vec<u8> {
    format!("{INVITATION_PREFIX}{code_hash}").into_bytes()
}

/// The public id of the invitation whose code has this hash.
pub(super) fn invitation_id(code_hash: &str) -> String {
    code_hash.chars().take(INVITATION_ID_LEN).collect()
}

/// Whether `id` can be an invitation's public id (lowercase hex of the right length).
pub(super) fn valid_invitation_id(id: &str) -> bool {
    id.len() == INVITATION_ID_LEN && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub(super) fn contributor_key(name: &str) -> Vec<u8> {
    format!("{CONTRIBUTOR_PREFIX}{name}").into_bytes()
}

/// The key and value of an invitation, as a dump restores it.
pub(super) fn invitation_entry(code_hash: &str, invitation: &Invitation) -> (Vec<u8>, Vec<u8>) {
    (invitation_key(code_hash), encode(invitation))
}

/// The key and value of an invited contributor, as a dump restores it.
pub(super) fn contributor_entry(account: &ContributorAccount) -> (Vec<u8>, Vec<u8>) {
    (contributor_key(&account.name), encode(account))
}
