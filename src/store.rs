//! The store of record (sled): documents, their full revision history, and the audit log.
//! The search index is derived from it and can always be rebuilt from it.
//!
//! Key layout (values are JSON, except where said):
//! - tree `documents`: `<id>` → the current state, withdrawn or not: a [`DocumentRecord`]
//!   without its texts, which are its current revision's (see [`encoding`])
//! - tree `revisions`: `<id> 0x00 <revision as u32 big-endian>` → [`Revision`], compressed (see
//!   [`encoding`])
//! - tree `audit`:     `<sequence as u64 big-endian>` → [`AuditEntry`]
//! - tree `meta`:      `taxonomy` → the taxonomy YAML the corpus was ingested with;
//!   `generation` → u64 big-endian, bumped by every document write;
//!   `audit_next` → u64 big-endian, the next audit sequence number;
//!   `first_start` → `started` | `complete`, the first start's ingest of the default corpus;
//!   `count/<name>` → i64 big-endian, statistics counters (`documents`, `withdrawn`,
//!   `revisions`, `type/<slug>`, `language/<code>`, `region/<top-level slug>`);
//!   `summaries` → the version of the counters and recency index (rebuilt when it differs);
//!   `encoding` → u64 big-endian, the encoding of `documents` and `revisions` (absent: JSON,
//!   from before encoding 2; such a store is converted when opened)
//! - tree `recent`:    `<last_modified> 0x00 <first_ingested> 0x00 <id, bytes complemented> 0xFF`
//!   → id, for every active document: the feed reads it backwards, newest change first
//! - tree `proposals`: `<number as u64 big-endian>` → [`Proposal`]: changes contributors
//!   proposed, pending or decided (see [`crate::knowledge_base::proposals`]); never read by search, feeds,
//!   exports or histories. `meta` `proposal_next` numbers them.
//! - tree `accounts`:  `invitation/<BLAKE3 hex of the code>` → [`Invitation`];
//!   `contributor/<name>` → [`ContributorAccount`] (contributors who joined by invitation)
//! - tree `treaties`:  treaty data a curator imported (`praxis import-treaties`), which takes
//!   precedence over the data compiled into the binary (see [`crate::profiles`]):
//!   - `treaty/<treaty id>` → [`ImportedTreaty`]
//!   - `participation/<treaty id>/<ISO3>` → [`ImportedParticipation`]
//!
//!   Treaty ids are `[a-z0-9_-]+` and ISO codes `[A-Z]{3}`, so `/` cannot occur inside a part,
//!   and a treaty's rows are contiguous, in ISO-code order.
//!
//! A document's record, its new revision, its audit entry, the counters and the recency index
//! are written in one transaction ([`Store::commit_all`]), so a crash never leaves a record without
//! the revision it points at, a revision without its audit entry, or counts that disagree.
//! Withdrawals and restorations are revisions too (with an action and a reason).
//!
//! This module holds [`Store`] and its dumps; what it keeps is defined below it, in parts that
//! never name it: `records` (documents, revisions, audit entries), `contribution_records`,
//! `imported` (treaty data), `encoding` (how records are written), `row_view` (what an export
//! reads of a record), `values` and `error`.
//! `contributions` adds the contribution writes to [`Store`] from above.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

mod contribution_records;
mod contributions;
mod encoding;
mod error;
mod imported;
mod records;
mod row_view;
mod values;
pub(crate) use contribution_records::{
    ContributorAccount, Invitation, ListedInvitation, Proposal, ProposalState, Redeem, Revoke,
};
pub(crate) use error::{Result, StoreError};
pub use imported::{Action, ImportedParticipation, ImportedTreaty};
pub(crate) use records::{AuditDraft, DocumentHead};
pub use records::{AuditEntry, DocumentRecord, Revision, RevisionAction};
pub(crate) use row_view::RowView;
pub use values::now;
use values::{decode, encode, read_u64};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Added {
        revision: u32,
    },
    Updated {
        revision: u32,
    },
    /// A withdrawn document came back, possibly with new content.
    Restored {
        revision: u32,
    },
    Unchanged {
        revision: u32,
    },
    /// `praxis ingest` left the document as a curator last wrote (or withdrew) it: see
    /// [`crate::knowledge_base::SaveMode::Ingest`].
    Kept {
        revision: u32,
    },
}

impl Upsert {}

/// The first line of a dump names its format.
pub(crate) const DUMP_FORMAT: &str = "praxis-dump";
pub(crate) const DUMP_VERSION: u32 = 1;

/// One line of a dump: everything the store holds that is not derived from something else.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum DumpLine {
    Header {
        format: String,
        version: u32,
        created_at: String,
    },
    Meta {
        taxonomy: Option<String>,
        first_start: Option<String>,
    },
    Document {
        record: DocumentRecord,
    },
    Revision {
        id: String,
        revision: Revision,
    },
    Audit {
        entry: AuditEntry,
    },
    Treaty {
        treaty: ImportedTreaty,
    },
    Participation {
        row: ImportedParticipation,
    },
    /// A contributor's proposal, pending or decided.
    Proposal {
        proposal: Proposal,
    },
    /// An invitation, under the hash of its code.
    Invitation {
        code_hash: String,
        invitation: Invitation,
    },
    /// A contributor who joined by invitation.
    Contributor {
        account: ContributorAccount,
    },
    End {
        counts: DumpCounts,
    },
}

/// What a dump holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DumpCounts {
    pub documents: usize,
    pub revisions: usize,
    pub audit: usize,
    pub treaties: usize,
    pub participation: usize,
    /// Proposals, invitations and invited contributors (absent from dumps made before them).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(crate) proposals: usize,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(crate) accounts: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("the data directory already holds documents, history or treaty data; restore into an empty one")]
    NotEmpty,
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
    #[error("writing the dump: {0}")]
    Encode(serde_json::Error),
    #[error("{0}")]
    Io(std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sled::Error> for DumpError {
    fn from(error: sled::Error) -> Self {
        DumpError::Store(StoreError::Sled(error))
    }
}

#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    documents: sled::Tree,
    revisions: sled::Tree,
    audit: sled::Tree,
    meta: sled::Tree,
    treaties: sled::Tree,
    recent: sled::Tree,
    proposals: sled::Tree,
    accounts: sled::Tree,
}

/// One change to one document, as [`Store::commit_all`] writes it.
#[derive(Debug, Clone)]
pub(crate) struct DocumentWrite {
    /// The record the change was computed from (`None` for a new document).
    pub(crate) previous: Option<DocumentRecord>,
    pub(crate) record: DocumentRecord,
    pub(crate) revision: Option<Revision>,
    pub(crate) audit: Option<AuditDraft>,
    /// Statistics counters to move: `(name, delta)`.
    pub(crate) counters: Vec<(String, i64)>,
    /// A contributor's proposal this change accepts, in its new (accepted) state.
    pub(crate) proposal: Option<Proposal>,
}

/// What [`Store::commit_all`] did to one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Committed {
    Done,
    /// The record changed since the write was computed; nothing was written.
    Stale,
}

/// How far the first start's ingest of the default corpus got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstStart {
    /// Begun on an empty store, not known to be finished: the next start redoes it.
    Started,
    Complete,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store> {
        let db = sled::Config::new()
            .path(dir)
            .open()
            .map_err(|error| match error {
                sled::Error::Io(ref io)
                    if io.kind() == std::io::ErrorKind::WouldBlock
                        || io.to_string().contains("lock") =>
                {
                    StoreError::Locked {
                        path: dir.to_path_buf(),
                    }
                }
                other => StoreError::Sled(other),
            })?;
        let store = Store {
            documents: db.open_tree("documents")?,
            revisions: db.open_tree("revisions")?,
            audit: db.open_tree("audit")?,
            meta: db.open_tree("meta")?,
            treaties: db.open_tree("treaties")?,
            recent: db.open_tree("recent")?,
            proposals: db.open_tree("proposals")?,
            accounts: db.open_tree("accounts")?,
            db,
        };
        // Audit sequences are numbered by a counter in `meta` (so that an imported dump keeps
        // its numbers); stores from before it continue after their last entry.
        if store.meta.get(AUDIT_NEXT)?.is_none() {
            let next = match store.audit.last()? {
                Some((key, _)) => read_u64(&Some(key)) + 1,
                None => 1,
            };
            store.meta.insert(AUDIT_NEXT, &next.to_be_bytes())?;
        }
        if read_u64(&store.meta.get(ENCODING)?) != ENCODING_VERSION {
            store.convert_encoding()?;
        }
        Ok(store)
    }

    /// Rewrites every record and revision stored by an older version (JSON) in encoding 2.
    /// Values are readable in both encodings, so a conversion cut short is finished by the
    /// next open; the `encoding` key is set only once everything is converted.
    fn convert_encoding(&self) -> Result<()> {
        const CHUNK: usize = 1_000;
        let started = std::time::Instant::now();
        let mut converted = 0;
        // Revisions first: a record is written without texts only when its revision holds them.
        let mut batch = sled::Batch::default();
        let mut pending = 0;
        for entry in self.revisions.iter() {
            let (key, value) = entry?;
            if encoding::is_current(&value) {
                continue;
            }
            let revision = decode_revision(&revision_key_name(&key), &value)?;
            batch.insert(key, encoding::encode_revision(&revision));
            pending += 1;
            if pending == CHUNK {
                self.revisions.apply_batch(std::mem::take(&mut batch))?;
                converted += pending;
                pending = 0;
            }
        }
        self.revisions.apply_batch(batch)?;
        converted += pending;
        let mut batch = sled::Batch::default();
        let mut pending = 0;
        for entry in self.documents.iter() {
            let (key, value) = entry?;
            if encoding::is_current(&value) {
                continue;
            }
            let id = String::from_utf8_lossy(&key).into_owned();
            let record = self.complete(&id, decode_record(&id, &value)?)?;
            let texts_in_revision = self.texts_in_revision(&record)?;
            batch.insert(key, encoding::encode_record(&record, texts_in_revision));
            pending += 1;
            if pending == CHUNK {
                self.documents.apply_batch(std::mem::take(&mut batch))?;
                converted += pending;
                pending = 0;
            }
        }
        self.documents.apply_batch(batch)?;
        converted += pending;
        self.meta
            .insert(ENCODING, &ENCODING_VERSION.to_be_bytes())?;
        self.db.flush()?;
        if converted > 0 {
            tracing::info!(
                values = converted,
                seconds = started.elapsed().as_secs_f64(),
                "converted the store to its compact encoding"
            );
        }
        Ok(())
    }

    /// Whether a record's texts are those of its current revision (then the record is stored
    /// without them).
    fn texts_in_revision(&self, record: &DocumentRecord) -> Result<bool> {
        Ok(self
            .revision(record.id(), record.revision)?
            .is_some_and(|r| r.body == record.body && r.source_text == record.source_text))
    }

    /// A record with its texts, read from its current revision when the record does not hold
    /// them.
    fn complete(
        &self,
        id: &str,
        (head, texts): (DocumentHead, Option<encoding::Texts>),
    ) -> Result<DocumentRecord> {
        if let Some(texts) = texts {
            return Ok(head.with_texts(texts.body, texts.source_text));
        }
        let Some(revision) = self.revision(id, head.revision)? else {
            return Err(StoreError::Corrupt {
                key: id.to_string(),
                source: format!(
                    "revision {} (which holds its text) is missing",
                    head.revision
                )
                .into(),
            });
        };
        Ok(head.with_texts(revision.body, revision.source_text))
    }

    pub(crate) fn get(&self, id: &str) -> Result<Option<DocumentRecord>> {
        match self.documents.get(id.as_bytes())? {
            Some(bytes) => Ok(Some(self.complete(id, decode_record(id, &bytes)?)?)),
            None => Ok(None),
        }
    }

    /// A document's current state without its texts: no revision is read.
    pub(crate) fn head(&self, id: &str) -> Result<Option<DocumentHead>> {
        match self.documents.get(id.as_bytes())? {
            Some(bytes) => Ok(Some(decode_record(id, &bytes)?.0)),
            None => Ok(None),
        }
    }

    /// The stored records of `ids`, in the order of `ids` (`None` for an id not in the store),
    /// undecoded: what an export reads, a chunk at a time. Looked up in the order given:
    /// sorting a chunk's 256 ids into key order first cost 6% of an export's instructions
    /// (callgrind), for a gain in cache locality this machine's noise could not show.
    pub(crate) fn stored_records(&self, ids: &[String]) -> Result<Vec<Option<StoredRecord>>> {
        ids.iter()
            .map(|id| {
                Ok(self
                    .documents
                    .get(id.as_bytes())?
                    .map(|bytes| StoredRecord { bytes }))
            })
            .collect()
    }

    /// Every record, withdrawn ones included, in id order.
    pub fn records(&self) -> impl Iterator<Item = Result<DocumentRecord>> + '_ {
        self.documents.iter().map(|entry| {
            let (key, value) = entry?;
            let id = String::from_utf8_lossy(&key);
            self.complete(&id, decode_record(&id, &value)?)
        })
    }

    /// Every record without its texts, withdrawn ones included, in id order.
    pub(crate) fn heads(&self) -> impl Iterator<Item = Result<DocumentHead>> + '_ {
        self.documents.iter().map(|entry| {
            let (key, value) = entry?;
            Ok(decode_record(&String::from_utf8_lossy(&key), &value)?.0)
        })
    }

    /// `(id, origin, withdrawn)` of every record, in id order, without reading the texts: what
    /// an ingest needs to find documents whose files are gone.
    pub(crate) fn origins(
        &self,
    ) -> impl Iterator<Item = Result<(String, Option<String>, bool)>> + '_ {
        self.heads().map(|head| {
            let head = head?;
            Ok((head.meta.id, head.origin, head.withdrawn))
        })
    }

    /// How many revisions a document has, without reading them.
    pub(crate) fn revision_count(&self, id: &str) -> Result<usize> {
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        let mut count = 0;
        for key in self.revisions.scan_prefix(prefix).keys() {
            key?;
            count += 1;
        }
        Ok(count)
    }

    pub fn len(&self) -> usize {
        self.documents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// Writes changes to documents in one transaction. Each change writes the record, its new
    /// revision (if any), its audit entry (if any), the contributor's proposal it accepts (if
    /// any, in its accepted state), the statistics counters and the recency index, or nothing
    /// when the record is no longer `write.previous` (another writer got
    /// there first: [`Committed::Stale`] in its place of the result); the generation moves by
    /// one per change written, the audit sequence by one per entry, each written once.
    ///
    /// The knowledge base computes the changes ([`crate::KnowledgeBase::write`]); the store
    /// only makes them atomic.
    pub(crate) fn commit_all(&self, writes: &[&DocumentWrite]) -> Result<Vec<Committed>> {
        struct Encoded {
            record: Vec<u8>,
            revision: Option<(Vec<u8>, Vec<u8>)>,
            old_recent: Option<Vec<u8>>,
            new_recent: Option<Vec<u8>>,
            expected: Option<(u32, bool)>,
            at: String,
        }
        let mut encoded = Vec::with_capacity(writes.len());
        for write in writes {
            let id = write.record.id();
            let texts_in_revision = match &write.revision {
                Some(r) => {
                    r.number == write.record.revision
                        && r.body == write.record.body
                        && r.source_text == write.record.source_text
                }
                // Only the record changes (a file moved): its revision is already stored.
                None => self.texts_in_revision(&write.record)?,
            };
            encoded.push(Encoded {
                record: encoding::encode_record(&write.record, texts_in_revision),
                revision: write
                    .revision
                    .as_ref()
                    .map(|r| (revision_key(id, r.number), encoding::encode_revision(r))),
                old_recent: write
                    .previous
                    .as_ref()
                    .filter(|p| !p.withdrawn)
                    .map(|p| recency_key(p.id(), &p.last_modified, &p.first_ingested)),
                new_recent: (!write.record.withdrawn).then(|| {
                    recency_key(
                        id,
                        &write.record.last_modified,
                        &write.record.first_ingested,
                    )
                }),
                expected: write.previous.as_ref().map(|p| (p.revision, p.withdrawn)),
                at: write
                    .revision
                    .as_ref()
                    .map_or_else(now, |r| r.recorded_at.clone()),
            });
        }
        let outcome = (
            &self.documents,
            &self.revisions,
            &self.audit,
            &self.meta,
            &self.recent,
            &self.proposals,
        )
            .transaction(|(documents, revisions, audit, meta, recent, proposals)| {
                let mut outcomes = Vec::with_capacity(writes.len());
                let first_sequence = read_u64(&meta.get(AUDIT_NEXT)?).max(1);
                let mut sequence = first_sequence;
                let mut generation = read_u64(&meta.get(GENERATION)?);
                let mut counters: HashMap<&str, i64> = HashMap::new();
                for (write, encoded) in writes.iter().zip(&encoded) {
                    let id = write.record.id();
                    // Reads in a transaction see its own writes: a second change to one
                    // document in the same call is checked against the first.
                    let current = match documents.get(id.as_bytes())? {
                        Some(bytes) => encoding::decode_record(&bytes)
                            .ok()
                            .map(|(head, _)| Some((head.revision, head.withdrawn))),
                        None => Some(None),
                    };
                    if current != Some(encoded.expected) {
                        outcomes.push(Committed::Stale);
                        continue;
                    }
                    documents.insert(id.as_bytes(), encoded.record.as_slice())?;
                    if let Some((key, revision)) = &encoded.revision {
                        revisions.insert(key.as_slice(), revision.as_slice())?;
                    }
                    if let Some(draft) = &write.audit {
                        let entry = AuditEntry {
                            sequence,
                            at: encoded.at.clone(),
                            actor: draft.actor.clone(),
                            action: draft.action.to_string(),
                            document: id.to_string(),
                            revision: write.record.revision,
                            reason: draft.reason.clone(),
                            proposal: draft.proposal,
                        };
                        audit.insert(&sequence.to_be_bytes(), encode(&entry))?;
                        sequence += 1;
                    }
                    if let Some(proposal) = &write.proposal {
                        proposals.insert(&proposal.number.to_be_bytes(), encode(proposal))?;
                    }
                    generation += 1;
                    for (name, delta) in &write.counters {
                        *counters.entry(name.as_str()).or_default() += delta;
                    }
                    if encoded.old_recent != encoded.new_recent {
                        if let Some(key) = &encoded.old_recent {
                            recent.remove(key.as_slice())?;
                        }
                        if let Some(key) = &encoded.new_recent {
                            recent.insert(key.as_slice(), id.as_bytes())?;
                        }
                    }
                    outcomes.push(Committed::Done);
                }
                if sequence != first_sequence {
                    meta.insert(AUDIT_NEXT, &sequence.to_be_bytes())?;
                }
                if outcomes.contains(&Committed::Done) {
                    meta.insert(GENERATION, &generation.to_be_bytes())?;
                }
                for (name, delta) in counters {
                    if delta == 0 {
                        continue;
                    }
                    let key = counter_key(name);
                    let value = read_i64(&meta.get(key.as_slice())?) + delta;
                    if value == 0 {
                        meta.remove(key.as_slice())?;
                    } else {
                        meta.insert(key.as_slice(), &value.to_be_bytes())?;
                    }
                }
                Ok::<_, ConflictableTransactionError<()>>(outcomes)
            });
        match outcome {
            Ok(outcomes) => Ok(outcomes),
            Err(TransactionError::Abort(())) => unreachable!("the write never aborts"),
            Err(TransactionError::Storage(error)) => Err(StoreError::Sled(error)),
        }
    }

    /// The ids of active documents, most recently changed first (ties: most recently added
    /// first, then by id), read from the recency index: no record is decoded.
    pub fn recent_ids(&self) -> impl Iterator<Item = Result<String>> + '_ {
        self.recent.iter().rev().map(|entry| {
            let (_, id) = entry?;
            Ok(String::from_utf8_lossy(&id).into_owned())
        })
    }

    /// The statistics counters kept by [`commit_all`](Self::commit_all): `name → count`.
    pub(crate) fn counters(&self) -> Result<std::collections::BTreeMap<String, i64>> {
        self.meta
            .scan_prefix(COUNTER_PREFIX)
            .map(|entry| {
                let (key, value) = entry?;
                let name = String::from_utf8_lossy(&key[COUNTER_PREFIX.len()..]).into_owned();
                Ok((name, read_i64(&Some(value))))
            })
            .collect()
    }

    /// Replaces the counters and the recency index with values computed from every record
    /// (`counters` by the caller): after an upgrade from a store without them, an import, or
    /// a taxonomy change.
    pub(crate) fn rebuild_summaries(&self, counters: &HashMap<String, i64>) -> Result<()> {
        let mut meta = sled::Batch::default();
        for entry in self.meta.scan_prefix(COUNTER_PREFIX) {
            meta.remove(entry?.0);
        }
        for (name, value) in counters {
            if *value != 0 {
                meta.insert(counter_key(name), &value.to_be_bytes());
            }
        }
        meta.insert(SUMMARIES, &SUMMARIES_VERSION.to_be_bytes());
        self.recent.clear()?;
        let mut recent = sled::Batch::default();
        for head in self.heads() {
            let head = head?;
            if !head.withdrawn {
                recent.insert(
                    recency_key(&head.meta.id, &head.last_modified, &head.first_ingested),
                    head.meta.id.as_bytes(),
                );
            }
        }
        self.recent.apply_batch(recent)?;
        self.meta.apply_batch(meta)?;
        Ok(())
    }

    /// Whether the counters and the recency index were built by this version.
    pub(crate) fn summaries_current(&self) -> Result<bool> {
        Ok(read_u64(&self.meta.get(SUMMARIES)?) == SUMMARIES_VERSION)
    }

    /// How far the first start's ingest of the default corpus got (see
    /// [`crate::server::run`]).
    pub fn first_start(&self) -> Result<Option<FirstStart>> {
        Ok(match self.meta.get(FIRST_START)?.as_deref() {
            Some(b"started") => Some(FirstStart::Started),
            Some(b"complete") => Some(FirstStart::Complete),
            _ => None,
        })
    }

    /// Records the first start's progress, durably.
    pub(crate) fn set_first_start(&self, state: FirstStart) -> Result<()> {
        let value: &[u8] = match state {
            FirstStart::Started => b"started",
            FirstStart::Complete => b"complete",
        };
        self.meta.insert(FIRST_START, value)?;
        self.db.flush()?;
        Ok(())
    }

    /// All revisions of a document, oldest first.
    pub fn revisions(&self, id: &str) -> Result<Vec<Revision>> {
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        self.revisions
            .scan_prefix(prefix)
            .map(|entry| {
                let (_, value) = entry?;
                decode_revision(id, &value)
            })
            .collect()
    }

    pub(crate) fn revision(&self, id: &str, number: u32) -> Result<Option<Revision>> {
        self.revisions
            .get(revision_key(id, number))?
            .map(|bytes| decode_revision(id, &bytes))
            .transpose()
    }

    /// `id → revision` for every active (not withdrawn) document: what the index must hold.
    pub fn active_versions(&self) -> Result<HashMap<String, u32>> {
        let mut versions = HashMap::new();
        for head in self.heads() {
            let head = head?;
            if !head.withdrawn {
                versions.insert(head.meta.id, head.revision);
            }
        }
        Ok(versions)
    }

    /// The audit log, newest first: `limit` entries after skipping `offset`.
    pub fn audit_log(&self, offset: usize, limit: usize) -> Result<(Vec<AuditEntry>, usize)> {
        let total = self.audit.len();
        let entries = self
            .audit
            .iter()
            .rev()
            .skip(offset)
            .take(limit)
            .map(|entry| {
                let (key, value) = entry?;
                decode(&format!("audit {key:?}"), &value)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((entries, total))
    }

    /// A counter bumped by every document write: the index records the generation it reflects.
    pub fn generation(&self) -> Result<u64> {
        Ok(read_u64(&self.meta.get(GENERATION)?))
    }

    pub(crate) fn taxonomy_yaml(&self) -> Result<Option<String>> {
        Ok(self
            .meta
            .get("taxonomy")?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    pub(crate) fn set_taxonomy_yaml(&self, yaml: &str) -> Result<()> {
        if self.taxonomy_yaml()?.as_deref() != Some(yaml) {
            self.meta.insert("taxonomy", yaml.as_bytes())?;
        }
        Ok(())
    }

    /// Stores imported treaty data in one atomic batch: the treaties' descriptions and the
    /// participation rows, each replacing what an earlier import stored under the same key.
    /// With `replace`, every row previously imported for these treaties is removed first, so
    /// the file becomes the whole imported record of them. Returns how many earlier rows were
    /// removed or overwritten.
    pub fn import_treaty_data(
        &self,
        treaties: &[ImportedTreaty],
        rows: &[ImportedParticipation],
        replace: bool,
    ) -> Result<usize> {
        let mut batch = sled::Batch::default();
        let mut removed = std::collections::HashSet::new();
        if replace {
            for treaty in treaties {
                for entry in self
                    .treaties
                    .scan_prefix(participation_prefix(&treaty.treaty))
                {
                    let (key, _) = entry?;
                    batch.remove(key.clone());
                    removed.insert(key.to_vec());
                }
            }
        }
        for treaty in treaties {
            batch.insert(treaty_key(&treaty.treaty), encode(treaty));
        }
        for row in rows {
            let key = participation_key(&row.treaty, &row.iso3);
            if !replace && self.treaties.contains_key(&key)? {
                removed.insert(key.clone());
            }
            batch.insert(key, encode(row));
        }
        self.treaties.apply_batch(batch)?;
        self.treaties.flush()?;
        Ok(removed.len())
    }

    /// Every imported treaty description, in treaty-id order.
    pub(crate) fn imported_treaties(&self) -> Result<Vec<ImportedTreaty>> {
        self.scan_treaties(TREATY_PREFIX)
    }

    /// Every imported participation row, by treaty then ISO code.
    pub fn imported_participation(&self) -> Result<Vec<ImportedParticipation>> {
        self.scan_treaties(PARTICIPATION_PREFIX)
    }

    fn scan_treaties<T: for<'de> Deserialize<'de>>(&self, prefix: &str) -> Result<Vec<T>> {
        self.treaties
            .scan_prefix(prefix.as_bytes())
            .map(|entry| {
                let (key, value) = entry?;
                decode(&String::from_utf8_lossy(&key), &value)
            })
            .collect()
    }

    /// Writes every document record, every revision, the audit log, imported treaty data and
    /// the stored taxonomy as one JSON object per line (see [`DumpLine`]), ending with a line of
    /// counts so that a truncated dump is detected. The caller keeps writers out meanwhile (see
    /// [`crate::KnowledgeBase::dump`]) for a consistent copy.
    pub(crate) fn dump(
        &self,
        out: &mut dyn std::io::Write,
    ) -> std::result::Result<DumpCounts, DumpError> {
        let mut counts = DumpCounts::default();
        let mut line = |value: &DumpLine| -> std::result::Result<(), DumpError> {
            serde_json::to_writer(&mut *out, value).map_err(DumpError::Encode)?;
            out.write_all(b"\n").map_err(DumpError::Io)
        };
        line(&DumpLine::Header {
            format: DUMP_FORMAT.to_string(),
            version: DUMP_VERSION,
            created_at: now(),
        })?;
        line(&DumpLine::Meta {
            taxonomy: self.taxonomy_yaml()?,
            first_start: self
                .meta
                .get(FIRST_START)?
                .map(|v| String::from_utf8_lossy(&v).into_owned()),
        })?;
        for record in self.records() {
            line(&DumpLine::Document { record: record? })?;
            counts.documents += 1;
        }
        for entry in self.revisions.iter() {
            let (key, value) = entry?;
            let id_end = key.iter().position(|&b| b == 0).unwrap_or(key.len());
            let id = String::from_utf8_lossy(&key[..id_end]).into_owned();
            let revision = decode_revision(&id, &value)?;
            line(&DumpLine::Revision { id, revision })?;
            counts.revisions += 1;
        }
        for entry in self.audit.iter() {
            let (key, value) = entry?;
            let entry: AuditEntry = decode(&format!("audit {key:?}"), &value)?;
            line(&DumpLine::Audit { entry })?;
            counts.audit += 1;
        }
        for treaty in self.imported_treaties()? {
            line(&DumpLine::Treaty { treaty })?;
            counts.treaties += 1;
        }
        for row in self.imported_participation()? {
            line(&DumpLine::Participation { row })?;
            counts.participation += 1;
        }
        for dumped in self.contribution_lines()? {
            match &dumped {
                DumpLine::Proposal { .. } => counts.proposals += 1,
                _ => counts.accounts += 1,
            }
            line(&dumped)?;
        }
        line(&DumpLine::End {
            counts: counts.clone(),
        })?;
        out.flush().map_err(DumpError::Io)?;
        Ok(counts)
    }

    /// Loads a dump written by [`dump`](Self::dump) into this store, which must hold no
    /// document, revision, audit entry or treaty data. Everything is checked before anything
    /// is written: a dump that is truncated, malformed or inconsistent loads nothing. The
    /// caller rebuilds what is derived (counters, recency index, search index).
    pub(crate) fn import_dump(
        &self,
        input: &mut dyn std::io::BufRead,
    ) -> std::result::Result<DumpCounts, DumpError> {
        if !(self.documents.is_empty()
            && self.revisions.is_empty()
            && self.audit.is_empty()
            && self.treaties.is_empty()
            && self.proposals.is_empty()
            && self.accounts.is_empty())
        {
            return Err(DumpError::NotEmpty);
        }
        let mut proposals = sled::Batch::default();
        let mut accounts = sled::Batch::default();
        let mut next_proposal = 1u64;
        // Records are encoded at the end, once it is known whether their current revision
        // holds their texts (the dump gives records before revisions).
        let mut records: Vec<(DocumentRecord, bool)> = Vec::new();
        let mut current_revision: HashMap<String, usize> = HashMap::new();
        let mut revisions = sled::Batch::default();
        let mut audit = sled::Batch::default();
        let mut treaties = sled::Batch::default();
        let mut meta = sled::Batch::default();
        let mut counts = DumpCounts::default();
        let mut next_sequence = 1;
        let mut generation = 0u64;
        let mut ended = None;
        let mut number = 0;
        let mut text = String::new();
        loop {
            text.clear();
            let read = input.read_line(&mut text).map_err(DumpError::Io)?;
            if read == 0 {
                break;
            }
            number += 1;
            if text.trim().is_empty() {
                continue;
            }
            if ended.is_some() {
                return Err(DumpError::Malformed {
                    line: number,
                    message: "text after the end line".into(),
                });
            }
            let line: DumpLine =
                serde_json::from_str(&text).map_err(|error| DumpError::Malformed {
                    line: number,
                    message: error.to_string(),
                })?;
            match (number, line) {
                (
                    1,
                    DumpLine::Header {
                        format, version, ..
                    },
                ) => {
                    if format != DUMP_FORMAT || version != DUMP_VERSION {
                        return Err(DumpError::Malformed {
                            line: 1,
                            message: format!("a {format} dump, version {version}; this praxis reads {DUMP_FORMAT} version {DUMP_VERSION}"),
                        });
                    }
                }
                (1, _) => {
                    return Err(DumpError::Malformed {
                        line: 1,
                        message: format!("not a praxis dump (no {DUMP_FORMAT} header)"),
                    })
                }
                (_, DumpLine::Header { .. }) => {
                    return Err(DumpError::Malformed {
                        line: number,
                        message: "a second header".into(),
                    })
                }
                (
                    _,
                    DumpLine::Meta {
                        taxonomy,
                        first_start,
                    },
                ) => {
                    if let Some(yaml) = taxonomy {
                        meta.insert("taxonomy", yaml.as_bytes());
                    }
                    if let Some(state) = first_start {
                        meta.insert(FIRST_START, state.as_bytes());
                    }
                }
                (_, DumpLine::Document { record }) => {
                    counts.documents += 1;
                    generation += u64::from(record.revision);
                    current_revision.insert(record.id().to_string(), records.len());
                    records.push((record, false));
                }
                (_, DumpLine::Revision { id, revision }) => {
                    if let Some(&position) = current_revision.get(&id) {
                        let (record, texts_in_revision) = &mut records[position];
                        if record.revision == revision.number {
                            *texts_in_revision = record.body == revision.body
                                && record.source_text == revision.source_text;
                        }
                    }
                    revisions.insert(
                        revision_key(&id, revision.number),
                        encoding::encode_revision(&revision),
                    );
                    counts.revisions += 1;
                }
                (_, DumpLine::Audit { entry }) => {
                    next_sequence = next_sequence.max(entry.sequence + 1);
                    audit.insert(&entry.sequence.to_be_bytes(), encode(&entry));
                    counts.audit += 1;
                }
                (_, DumpLine::Treaty { treaty }) => {
                    treaties.insert(treaty_key(&treaty.treaty), encode(&treaty));
                    counts.treaties += 1;
                }
                (_, DumpLine::Participation { row }) => {
                    treaties.insert(participation_key(&row.treaty, &row.iso3), encode(&row));
                    counts.participation += 1;
                }
                (_, DumpLine::Proposal { proposal }) => {
                    next_proposal = next_proposal.max(proposal.number + 1);
                    proposals.insert(&proposal.number.to_be_bytes(), encode(&proposal));
                    counts.proposals += 1;
                }
                (
                    _,
                    DumpLine::Invitation {
                        code_hash,
                        invitation,
                    },
                ) => {
                    let (key, value) =
                        contribution_records::invitation_entry(&code_hash, &invitation);
                    accounts.insert(key, value);
                    counts.accounts += 1;
                }
                (_, DumpLine::Contributor { account }) => {
                    let (key, value) = contribution_records::contributor_entry(&account);
                    accounts.insert(key, value);
                    counts.accounts += 1;
                }
                (_, DumpLine::End { counts: declared }) => ended = Some(declared),
            }
        }
        match ended {
            Some(declared) if declared == counts => {}
            Some(declared) => {
                return Err(DumpError::Malformed {
                    line: number,
                    message: format!("the dump declares {declared:?} but holds {counts:?}"),
                })
            }
            None => {
                return Err(DumpError::Malformed {
                    line: number,
                    message: "no end line: the dump is truncated".into(),
                })
            }
        }
        let mut documents = sled::Batch::default();
        for (record, texts_in_revision) in &records {
            documents.insert(
                record.id().as_bytes(),
                encoding::encode_record(record, *texts_in_revision),
            );
        }
        drop(records);
        meta.insert(AUDIT_NEXT, &next_sequence.to_be_bytes());
        meta.insert(ENCODING, &ENCODING_VERSION.to_be_bytes());
        meta.insert(
            contribution_records::PROPOSAL_NEXT,
            &next_proposal.to_be_bytes(),
        );
        // Any value other than the index's makes the next open compare and repair the index.
        meta.insert(GENERATION, &(generation + 1).to_be_bytes());
        meta.remove(SUMMARIES);
        (
            &self.documents,
            &self.revisions,
            &self.audit,
            &self.treaties,
            &self.meta,
            &self.proposals,
            &self.accounts,
        )
            .transaction(|(d, r, a, t, m, p, c)| {
                d.apply_batch(&documents)?;
                r.apply_batch(&revisions)?;
                a.apply_batch(&audit)?;
                t.apply_batch(&treaties)?;
                m.apply_batch(&meta)?;
                p.apply_batch(&proposals)?;
                c.apply_batch(&accounts)?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|error| match error {
                TransactionError::Storage(e) => DumpError::Store(StoreError::Sled(e)),
                TransactionError::Abort(()) => unreachable!("the import never aborts"),
            })?;
        self.db.flush()?;
        Ok(counts)
    }

    /// Makes every write so far durable.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}

const GENERATION: &str = "generation";
const AUDIT_NEXT: &str = "audit_next";
const FIRST_START: &str = "first_start";
const SUMMARIES: &str = "summaries";
const ENCODING: &str = "encoding";
/// The encoding of `documents` and `revisions` this version writes (see [`encoding`]).
const ENCODING_VERSION: u64 = 2;
/// Bumped when the counters or the recency index change meaning, to rebuild them on open.
const SUMMARIES_VERSION: u64 = 1;
const COUNTER_PREFIX: &str = "count/";

fn counter_key(name: &str) -> Vec<u8> {
    format!("{COUNTER_PREFIX}{name}").into_bytes()
}

/// `last_modified, first_ingested, id` so that iterating backwards gives the newest change
/// first, then the newest document, then ids in ascending order (the id's bytes are
/// complemented and end in 0xFF, so a shorter id sorts after a longer one it begins).
fn recency_key(id: &str, last_modified: &str, first_ingested: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(48 + id.len());
    key.extend_from_slice(last_modified.as_bytes());
    key.push(0);
    key.extend_from_slice(first_ingested.as_bytes());
    key.push(0);
    key.extend(id.bytes().map(|b| !b));
    key.push(0xFF);
    key
}

fn read_i64(value: &Option<sled::IVec>) -> i64 {
    value.as_ref().map_or(0, |v| {
        i64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]))
    })
}
const TREATY_PREFIX: &str = "treaty/";
const PARTICIPATION_PREFIX: &str = "participation/";

fn treaty_key(treaty: &str) -> Vec<u8> {
    format!("{TREATY_PREFIX}{treaty}").into_bytes()
}

fn participation_prefix(treaty: &str) -> Vec<u8> {
    format!("{PARTICIPATION_PREFIX}{treaty}/").into_bytes()
}

fn participation_key(treaty: &str, iso3: &str) -> Vec<u8> {
    format!("{PARTICIPATION_PREFIX}{treaty}/{iso3}").into_bytes()
}

fn revision_key(id: &str, number: u32) -> Vec<u8> {
    let mut key = Vec::with_capacity(id.len() + 5);
    key.extend_from_slice(id.as_bytes());
    key.push(0);
    key.extend_from_slice(&number.to_be_bytes());
    key
}

/// A record as the store holds it, not yet decoded (see [`Store::stored_records`]).
#[derive(Clone)]
pub(crate) struct StoredRecord {
    bytes: sled::IVec,
}

impl StoredRecord {
    /// The fields a CSV row shows, borrowed from the stored value. `id` names the record in
    /// errors.
    pub(crate) fn row_view(&self, id: &str) -> Result<RowView<'_>> {
        row_view::decode_row_view(&self.bytes).map_err(|source| StoreError::Corrupt {
            key: id.to_string(),
            source,
        })
    }

    /// The record without its texts.
    pub(crate) fn head(&self, id: &str) -> Result<DocumentHead> {
        Ok(decode_record(id, &self.bytes)?.0)
    }
}

fn decode_record(id: &str, bytes: &[u8]) -> Result<(DocumentHead, Option<encoding::Texts>)> {
    encoding::decode_record(bytes).map_err(|source| StoreError::Corrupt {
        key: id.to_string(),
        source,
    })
}

fn decode_revision(key: &str, bytes: &[u8]) -> Result<Revision> {
    encoding::decode_revision(bytes).map_err(|source| StoreError::Corrupt {
        key: key.to_string(),
        source,
    })
}

/// `<id> revision <n>` for a key of the revisions tree, in messages.
fn revision_key_name(key: &[u8]) -> String {
    let id_end = key.iter().position(|&b| b == 0).unwrap_or(key.len());
    let number = key
        .get(id_end + 1..)
        .and_then(|n| <[u8; 4]>::try_from(n).ok())
        .map_or(0, u32::from_be_bytes);
    format!(
        "{} revision {number}",
        String::from_utf8_lossy(&key[..id_end])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    fn treaty(id: &str) -> ImportedTreaty {
        ImportedTreaty {
            treaty: id.to_string(),
            name: format!("Treaty {id}"),
            mtdsg_no: None,
            open_year: Some(1948),
            source_url: "https://example.org/t".to_string(),
            file: "t.csv".to_string(),
            imported_at: now(),
            as_of: None,
        }
    }

    /// Opens a store a moment after the previous handle on it was dropped: sled's background
    /// flusher may still hold the directory's lock for a few milliseconds.
    fn reopen(path: &Path) -> Store {
        for _ in 0..100 {
            match Store::open(path) {
                Err(StoreError::Locked { .. }) => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                other => return other.unwrap(),
            }
        }
        Store::open(path).unwrap()
    }

    fn row(treaty: &str, iso3: &str, date: &str) -> ImportedParticipation {
        ImportedParticipation {
            iso3: iso3.to_string(),
            treaty: treaty.to_string(),
            action: Action::Ratification,
            action_date: Some(date.to_string()),
            signature_date: None,
            source_url: "https://example.org/t".to_string(),
            name: iso3.to_string(),
            file: "t.csv".to_string(),
            line: 2,
            imported_at: now(),
            as_of: None,
        }
    }

    fn document(id: &str, body: &str) -> crate::Document {
        let text = format!(
            "---\nid: {id}\ntitle: Kenya's commission\ntype: report\nsummary: \"Quoted: été, 東京\"\nthemes: [genocide]\ncountries: [KE]\nyear: 2008\nlanguage: en\nsources:\n  - url: https://example.org/a\n---\n\n{body}"
        );
        crate::document::validate::parse_document(
            "t.md",
            text.as_bytes(),
            None,
            &crate::Taxonomy::builtin(),
        )
        .unwrap()
    }

    fn record_of(document: crate::Document, revision: u32) -> DocumentRecord {
        DocumentRecord {
            content_hash: document.content_hash(),
            meta: document.meta,
            body: document.body,
            source_text: document.source_text,
            revision,
            first_ingested: "2026-01-01T00:00:00Z".into(),
            last_modified: now(),
            withdrawn: false,
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawn_reason: None,
            origin: Some("/corpus/t.md".into()),
        }
    }

    /// Writes one record (and its revision) with no audit entry, counters or proposal.
    fn commit_one(
        store: &Store,
        previous: Option<DocumentRecord>,
        record: &DocumentRecord,
        revision: Option<Revision>,
    ) {
        let write = DocumentWrite {
            previous,
            record: record.clone(),
            revision,
            audit: None,
            counters: Vec::new(),
            proposal: None,
        };
        assert_eq!(store.commit_all(&[&write]).unwrap(), vec![Committed::Done]);
    }

    fn revision_of(record: &DocumentRecord, reason: Option<&str>) -> Revision {
        Revision {
            number: record.revision,
            meta: record.meta.clone(),
            body: record.body.clone(),
            source_text: record.source_text.clone(),
            content_hash: record.content_hash.clone(),
            recorded_at: record.last_modified.clone(),
            author: "alice".into(),
            action: reason.map(|_| RevisionAction::Withdraw),
            reason: reason.map(str::to_string),
            proposal: None,
            accepted_by: None,
        }
    }

    fn json<T: Serialize>(value: &T) -> serde_json::Value {
        serde_json::to_value(value).unwrap()
    }

    #[test]
    fn compact_values_round_trip_and_hold_each_text_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let body = "## Background\n\nThe commission's *report* ran to many pages. ".repeat(200);
        let first = record_of(document("t", &body), 1);
        let write = |previous: Option<DocumentRecord>,
                     record: &DocumentRecord,
                     revision: Option<Revision>| {
            commit_one(&store, previous, record, revision);
        };
        write(None, &first, Some(revision_of(&first, None)));
        assert_eq!(json(&store.get("t").unwrap().unwrap()), json(&first));
        assert_eq!(
            json(&store.revision("t", 1).unwrap().unwrap()),
            json(&revision_of(&first, None))
        );
        let head = store.head("t").unwrap().unwrap();
        assert_eq!(
            (head.meta, head.revision, head.origin),
            (first.meta.clone(), 1, first.origin.clone())
        );
        // The record holds no text; the revision holds it compressed.
        let record_bytes = store.documents.get("t").unwrap().unwrap();
        let revision_bytes = store.revisions.get(revision_key("t", 1)).unwrap().unwrap();
        assert!(record_bytes.len() < 1_000, "{} bytes", record_bytes.len());
        assert!(
            revision_bytes.len() * 4 < first.source_text.len(),
            "{} bytes",
            revision_bytes.len()
        );

        // A withdrawal whose revision's body is not the end of its source text, with a reason.
        let mut second = first.clone();
        second.revision = 2;
        second.withdrawn = true;
        second.withdrawn_at = Some(now());
        second.withdrawn_by = Some("alice".into());
        second.withdrawn_reason = Some("a duplicate".into());
        second.body = "Not the end of the source text.".into();
        write(
            Some(first.clone()),
            &second,
            Some(revision_of(&second, Some("a duplicate"))),
        );
        assert_eq!(json(&store.get("t").unwrap().unwrap()), json(&second));
        assert_eq!(
            json(&store.revision("t", 2).unwrap().unwrap()),
            json(&revision_of(&second, Some("a duplicate")))
        );
        // A record whose texts are not its revision's keeps them.
        let mut moved = second.clone();
        moved.origin = Some("/elsewhere/t.md".into());
        moved.source_text = "edited outside any revision".into();
        write(Some(second.clone()), &moved, None);
        assert_eq!(json(&store.get("t").unwrap().unwrap()), json(&moved));
        assert_eq!(
            json(&store.revision("t", 2).unwrap().unwrap()).get("source_text"),
            json(&second).get("source_text")
        );
        assert_eq!(store.revision_count("t").unwrap(), 2);
        // A JSON value of an older version still reads.
        store.documents.insert("old", encode(&first)).unwrap();
        assert_eq!(json(&store.get("old").unwrap().unwrap()), json(&first));
        assert_eq!(
            store.head("old").unwrap().unwrap().content_hash,
            first.content_hash
        );
    }

    #[test]
    fn a_batch_writes_every_fresh_change_in_one_transaction_and_skips_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let change = |id: &str, previous: Option<DocumentRecord>| {
            let record = record_of(
                document(id, "Body."),
                previous.as_ref().map_or(1, |p| p.revision + 1),
            );
            DocumentWrite {
                previous,
                revision: Some(revision_of(&record, None)),
                record,
                audit: Some(AuditDraft {
                    actor: "ingest".into(),
                    action: "create",
                    reason: None,
                    proposal: None,
                }),
                counters: vec![("documents".into(), 1), ("revisions".into(), 1)],
                proposal: None,
            }
        };
        let a = change("a", None);
        let b = change("b", None);
        // Computed from a revision 3 that is not the stored state.
        let mut stale = change("c", None);
        stale.previous = Some(record_of(document("c", "Body."), 3));
        let outcomes = store.commit_all(&[&a, &stale, &b]).unwrap();
        assert_eq!(
            outcomes,
            vec![Committed::Done, Committed::Stale, Committed::Done]
        );
        assert_eq!(store.generation().unwrap(), 2);
        assert_eq!(store.counters().unwrap()["documents"], 2);
        assert!(store.get("c").unwrap().is_none());
        let (log, total) = store.audit_log(0, 10).unwrap();
        assert_eq!(total, 2);
        let written: Vec<(u64, &str)> = log
            .iter()
            .map(|e| (e.sequence, e.document.as_str()))
            .collect();
        assert_eq!(written, vec![(2, "b"), (1, "a")]);
        // A second change to one document in one batch is checked against the first.
        let again = change("a", None);
        assert_eq!(store.commit_all(&[&again]).unwrap(), vec![Committed::Stale]);
        let update = change("a", Some(a.record.clone()));
        let twice = change("a", Some(a.record.clone()));
        assert_eq!(
            store.commit_all(&[&update, &twice]).unwrap(),
            vec![Committed::Done, Committed::Stale]
        );
        assert_eq!(store.generation().unwrap(), 3);
        assert_eq!(store.recent_ids().count(), 2);
    }

    /// The fields of a [`RowView`], owned, to compare with a [`DocumentHead`]'s.
    fn row_fields(view: &RowView<'_>) -> serde_json::Value {
        let m = &view.meta;
        let sources: Vec<_> = m.sources.iter().map(|s| (&s.url, &s.citation)).collect();
        serde_json::json!([
            m.id,
            m.title,
            m.doc_type,
            m.summary,
            m.countries.to_strings(),
            m.regions.to_strings(),
            m.themes.to_strings(),
            m.stages.to_strings(),
            m.mechanism_types.to_strings(),
            m.instruments.to_strings(),
            m.year,
            m.date,
            m.language,
            sources,
            m.status,
            m.shareable,
            m.established,
            view.revision,
            view.last_modified,
            view.withdrawn
        ])
    }

    fn head_fields(head: &DocumentHead) -> serde_json::Value {
        let m = &head.meta;
        let sources: Vec<_> = m.sources.iter().map(|s| (&s.url, &s.citation)).collect();
        serde_json::json!([
            m.id,
            m.title,
            m.doc_type,
            m.summary,
            m.countries,
            m.regions,
            m.themes,
            m.stages,
            m.mechanism_types,
            m.instruments,
            m.year,
            m.date,
            m.language,
            sources,
            m.status,
            m.shareable,
            m.established,
            head.revision,
            head.last_modified,
            head.withdrawn
        ])
    }

    #[test]
    fn stored_records_come_in_the_order_asked_and_their_row_views_read_what_the_records_hold() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let write = |previous: Option<DocumentRecord>,
                     record: &DocumentRecord,
                     revision: Option<Revision>| {
            commit_one(&store, previous, record, revision);
        };
        // Every field a row shows set, with strings JSON escapes, and a withdrawn record.
        let mut full = record_of(document("b-full", "Body."), 1);
        full.meta.title = "=HYPERLINK(\"x\"), a \\ and\na line".into();
        full.meta.regions = vec!["eastern-africa".into()];
        full.meta.stages = vec!["prevention".into()];
        full.meta.mechanism_types = vec!["commission".into()];
        full.meta.instruments = vec!["genocide-convention".into()];
        full.meta.date = Some("2008-02-28".into());
        full.meta.status = Some("in-force".into());
        full.meta.shareable = Some(false);
        full.meta.established = Some(2008);
        full.meta.mandate = Some("not a column".into());
        full.meta.sources.push(crate::document::Source {
            url: None,
            citation: Some("A citation, p. 4".into()),
            title: Some("not a column".into()),
            publisher: None,
            accessed: None,
        });
        write(None, &full, Some(revision_of(&full, None)));
        let mut withdrawn = record_of(document("c-withdrawn", "Body."), 2);
        withdrawn.withdrawn = true;
        write(None, &withdrawn, Some(revision_of(&withdrawn, None)));
        // A record holding its texts (not its revision's), and a JSON value of an older version.
        let kept = record_of(document("a-kept", "Body."), 1);
        write(None, &kept, None);
        store.documents.insert("d-json", encode(&full)).unwrap();

        let ids: Vec<String> = [
            "d-json",
            "c-withdrawn",
            "missing",
            "b-full",
            "a-kept",
            "b-full",
        ]
        .map(String::from)
        .to_vec();
        let records = store.stored_records(&ids).unwrap();
        assert_eq!(records.len(), ids.len());
        assert!(records[2].is_none());
        for (id, record) in ids.iter().zip(&records) {
            let Some(record) = record else { continue };
            let expected = store.head(id).unwrap().unwrap();
            let view = record.row_view(id).unwrap();
            assert_eq!(row_fields(&view), head_fields(&expected), "{id}");
            assert_eq!(json(&record.head(id).unwrap().meta), json(&expected.meta));
        }
        let view = records[3].as_ref().unwrap().row_view("b-full").unwrap();
        assert_eq!(view.meta.title, full.meta.title);
        assert!(matches!(view.meta.title, std::borrow::Cow::Borrowed(_)));
        assert!(
            records[1]
                .as_ref()
                .unwrap()
                .row_view("c")
                .unwrap()
                .withdrawn
        );
        let json_view = records[0].as_ref().unwrap().row_view("d-json").unwrap();
        assert_eq!(json_view.meta.title, full.meta.title);
        assert_eq!(json_view.meta.id, "b-full");

        // A damaged value is an error naming its key.
        store
            .documents
            .insert("e-damaged", &[encoding::TAG, 0xc1][..])
            .unwrap();
        let damaged = store.stored_records(&["e-damaged".to_string()]).unwrap();
        let error = damaged[0]
            .as_ref()
            .unwrap()
            .row_view("e-damaged")
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::Corrupt { key, .. } if key == "e-damaged"),
            "{error}"
        );
    }

    #[test]
    fn a_damaged_value_is_an_error_naming_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .documents
            .insert("t", &[encoding::TAG, 0xc1][..])
            .unwrap();
        let error = store.get("t").unwrap_err();
        assert!(
            matches!(&error, StoreError::Corrupt { key, .. } if key == "t"),
            "{error}"
        );
        store
            .revisions
            .insert(revision_key("t", 1), &[encoding::TAG, 1, 2, 3][..])
            .unwrap();
        assert!(store.revision("t", 1).is_err());
    }

    /// Every line of a dump but its header (which holds the time it was made).
    fn dump_body(store: &Store) -> Vec<String> {
        let mut out = Vec::new();
        store.dump(&mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn an_accepted_proposal_is_written_with_its_revision_and_a_dump_restores_both_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a")).unwrap();
        let pending = |author: &str| Proposal {
            number: 0,
            document: "t".into(),
            base_revision: None,
            title: "Kenya's commission".into(),
            author: author.into(),
            comment: "a new document".into(),
            source_text: "---\ntitle: Kenya's commission\n---\n".into(),
            submitted_at: now(),
            state: ProposalState::Pending,
        };
        assert_eq!(store.insert_proposal(&pending("jane")).unwrap(), 1);
        assert_eq!(store.insert_proposal(&pending("omar")).unwrap(), 2);
        let accepted = |number: u64, author: &str| Proposal {
            number,
            state: ProposalState::Accepted {
                revision: 1,
                by: "alice".into(),
                at: now(),
            },
            ..pending(author)
        };
        let accept = |number: u64, author: &str, previous: Option<DocumentRecord>| {
            let record = record_of(document("t", "Body."), 1);
            let revision = Revision {
                author: author.into(),
                proposal: Some(number),
                accepted_by: Some("alice".into()),
                ..revision_of(&record, None)
            };
            DocumentWrite {
                previous,
                record,
                revision: Some(revision),
                audit: Some(AuditDraft {
                    actor: "alice".into(),
                    action: "accept",
                    reason: None,
                    proposal: Some(number),
                }),
                counters: vec![("documents".into(), 1), ("revisions".into(), 1)],
                proposal: Some(accepted(number, author)),
            }
        };
        let first = accept(1, "jane", None);
        // The second proposal was computed from a document that no longer is as it saw it:
        // neither the document nor the proposal changes.
        let stale = accept(2, "omar", Some(record_of(document("t", "Body."), 3)));
        assert_eq!(
            store.commit_all(&[&first, &stale]).unwrap(),
            vec![Committed::Done, Committed::Stale]
        );
        let revision = store.revision("t", 1).unwrap().unwrap();
        assert_eq!(json(&revision), json(first.revision.as_ref().unwrap()));
        assert_eq!(
            (
                revision.author.as_str(),
                revision.proposal,
                revision.accepted_by.as_deref()
            ),
            ("jane", Some(1), Some("alice"))
        );
        assert_eq!(store.proposal(1).unwrap(), first.proposal);
        assert!(store.proposal(2).unwrap().unwrap().is_pending());
        let (log, total) = store.audit_log(0, 10).unwrap();
        assert_eq!(total, 3, "two proposed, one accepted");
        assert_eq!(
            (log[0].action.as_str(), log[0].proposal, log[0].revision),
            ("accept", Some(1), 1)
        );

        let before = dump_body(&store);
        let mut dump = Vec::new();
        let counts = store.dump(&mut dump).unwrap();
        assert_eq!(
            (counts.documents, counts.revisions, counts.proposals),
            (1, 1, 2)
        );
        let restored = Store::open(&dir.path().join("b")).unwrap();
        restored
            .import_dump(&mut std::io::BufReader::new(dump.as_slice()))
            .unwrap();
        assert_eq!(dump_body(&restored), before);
        assert_eq!(
            json(&restored.revision("t", 1).unwrap().unwrap()),
            json(&revision)
        );
        // Restored in this version's encoding: the record without its texts, the revision
        // compressed.
        let record_bytes = restored.documents.get("t").unwrap().unwrap();
        let revision_bytes = restored
            .revisions
            .get(revision_key("t", 1))
            .unwrap()
            .unwrap();
        assert!(encoding::is_current(&record_bytes) && encoding::is_current(&revision_bytes));
        assert_eq!(
            encoding::decode_record(&record_bytes)
                .unwrap()
                .1
                .map(|t| t.body),
            None,
            "the record's texts are its revision's"
        );
        assert_eq!(restored.insert_proposal(&pending("x")).unwrap(), 3);
    }

    #[test]
    fn imported_treaty_rows_overwrite_by_country_and_treaty_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let first = [
                row("genocide", "KEN", "2000-01-01"),
                row("genocide", "UGA", "1995-01-01"),
            ];
            assert_eq!(
                store
                    .import_treaty_data(&[treaty("genocide")], &first, false)
                    .unwrap(),
                0
            );
            let again = [row("genocide", "KEN", "2001-01-01")];
            assert_eq!(
                store
                    .import_treaty_data(&[treaty("genocide")], &again, false)
                    .unwrap(),
                1
            );
        }
        let store = reopen(dir.path());
        let rows = store.imported_participation().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].iso3, "KEN");
        assert_eq!(rows[0].action_date.as_deref(), Some("2001-01-01"));
        assert_eq!(store.imported_treaties().unwrap().len(), 1);
        // Documents are untouched by treaty imports.
        assert!(store.is_empty());
    }

    #[test]
    fn replacing_a_treaty_drops_its_earlier_rows_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let rows = [
            row("genocide", "KEN", "2000-01-01"),
            row("genocide", "UGA", "1995-01-01"),
            row("genocide-x", "FRA", "1950-01-01"),
        ];
        store
            .import_treaty_data(&[treaty("genocide"), treaty("genocide-x")], &rows, false)
            .unwrap();
        let replaced = store
            .import_treaty_data(
                &[treaty("genocide")],
                &[row("genocide", "RWA", "1975-04-16")],
                true,
            )
            .unwrap();
        assert_eq!(replaced, 2);
        let left: Vec<_> = store
            .imported_participation()
            .unwrap()
            .into_iter()
            .map(|r| format!("{}/{}", r.treaty, r.iso3))
            .collect();
        // `genocide-x` shares the prefix `genocide` but not `genocide/`.
        assert_eq!(left, vec!["genocide-x/FRA", "genocide/RWA"]);
    }
}
