//! The records the store keeps for documents: the current state of a document
//! ([`DocumentRecord`], and [`DocumentHead`] without its texts), its [`Revision`]s and the
//! audit log's entries. Below the store and its encoding, which both name them.

use serde::{Deserialize, Serialize};

use crate::document::Metadata;

/// The current state of a document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub meta: Metadata,
    pub body: String,
    pub source_text: String,
    pub content_hash: String,
    /// The current revision number, from 1.
    pub revision: u32,
    /// RFC 3339 times.
    pub(crate) first_ingested: String,
    pub(crate) last_modified: String,
    pub withdrawn: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) withdrawn_at: Option<String>,
    /// Who withdrew it (`ingest` or a curator's name) and why, while it is withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) withdrawn_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) withdrawn_reason: Option<String>,
    /// The file the document was last read from (absolute), if it came from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) origin: Option<String>,
}

impl DocumentRecord {
    pub fn id(&self) -> &str {
        &self.meta.id
    }
}

/// A document's current state without its texts: what the store reads when the texts are not
/// needed (exports, statistics, the recency index).
#[derive(Debug, Clone)]
pub(crate) struct DocumentHead {
    pub(crate) meta: Metadata,
    pub(crate) content_hash: String,
    pub(crate) revision: u32,
    pub(crate) first_ingested: String,
    pub(crate) last_modified: String,
    pub(crate) withdrawn: bool,
    pub(crate) withdrawn_at: Option<String>,
    pub(crate) withdrawn_by: Option<String>,
    pub(crate) withdrawn_reason: Option<String>,
    pub(crate) origin: Option<String>,
}

impl DocumentHead {
    pub(super) fn with_texts(self, body: String, source_text: String) -> DocumentRecord {
        DocumentRecord {
            meta: self.meta,
            body,
            source_text,
            content_hash: self.content_hash,
            revision: self.revision,
            first_ingested: self.first_ingested,
            last_modified: self.last_modified,
            withdrawn: self.withdrawn,
            withdrawn_at: self.withdrawn_at,
            withdrawn_by: self.withdrawn_by,
            withdrawn_reason: self.withdrawn_reason,
            origin: self.origin,
        }
    }
}

/// One revision of a document, kept forever.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Revision {
    pub number: u32,
    pub(crate) meta: Metadata,
    pub body: String,
    pub(crate) source_text: String,
    pub(crate) content_hash: String,
    pub(crate) recorded_at: String,
    /// Who made it: `ingest` or a curator's name.
    pub author: String,
    /// What the revision records; absent in revisions stored before withdrawals were
    /// revisions (read it with [`Revision::action`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) action: Option<RevisionAction>,
    /// Why, for a withdrawal (required) or a restoration (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The contributor's proposal this revision accepted (the author is the contributor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) proposal: Option<u64>,
    /// The curator who accepted that proposal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) accepted_by: Option<String>,
}

impl Revision {
    /// What this entry of the history records.
    pub fn action(&self) -> RevisionAction {
        self.action.unwrap_or(if self.number == 1 {
            RevisionAction::Create
        } else {
            RevisionAction::Update
        })
    }
}

/// What an entry of a document's history records. A withdrawal and a restoration are
/// revisions too (with the content of the revision before them), so the history tells the
/// whole story and every change of state moves the revision number a client must send back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RevisionAction {
    Create,
    Update,
    Withdraw,
    Restore,
}

impl RevisionAction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RevisionAction::Create => "create",
            RevisionAction::Update => "update",
            RevisionAction::Withdraw => "withdraw",
            RevisionAction::Restore => "restore",
        }
    }
}

/// One write, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub sequence: u64,
    pub(crate) at: String,
    pub actor: String,
    /// `create`, `update`, `restore` or `withdraw`; for contributions `propose`, `accept`,
    /// `decline`, `invite` and `join` (account entries have an empty `document`).
    pub(crate) action: String,
    pub document: String,
    pub revision: u32,
    /// The reason given for a withdrawal or restoration, or a proposal's decline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    /// The contributor's proposal the entry is about (`propose`, `accept`, `decline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) proposal: Option<u64>,
}

/// An audit entry before the store numbers it.
#[derive(Debug, Clone)]
pub(crate) struct AuditDraft {
    pub(crate) actor: String,
    pub(crate) action: &'static str,
    pub(crate) reason: Option<String>,
    pub(crate) proposal: Option<u64>,
}
