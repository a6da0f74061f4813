//! The knowledge base: the store of record and the search index derived from it, kept in
//! agreement. Every write goes through [`KnowledgeBase::write`], in one order: validation and
//! the write's rules, one store transaction (durable), then the index, then an index commit
//! that records the store generation it reflects. After a
//! crash between the two, the generations differ and the next open repairs the index from
//! the store.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use serde::Serialize;

use crate::catalogue::Message;
use crate::document::validate::parse_document;
use crate::document::{Document, Metadata, Problem};
use crate::error::{Error, Result};
use crate::index::search::Related;
use crate::index::{SearchError, SearchIndex, SearchRequest, SearchResponse};
use crate::store::{
    now, AuditDraft, Committed, DocumentRecord, DocumentWrite, DumpCounts, DumpError, Proposal,
    Revision, RevisionAction, Store, StoreError, Upsert,
};
use crate::taxonomy::Taxonomy;

pub(crate) mod proposals;

pub struct KnowledgeBase {
    data_dir: PathBuf,
    store: Store,
    index: SearchIndex,
    taxonomy: RwLock<Arc<Taxonomy>>,
    /// Serialises writers, so that each index commit carries the generation of exactly the
    /// store writes it contains.
    write_lock: Mutex<()>,
}

/// What a consistency repair did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Repair {
    /// Documents (re)indexed because the index lacked them or held an older revision.
    pub(crate) reindexed: usize,
    /// Documents removed from the index because the store has them withdrawn or not at all.
    pub(crate) removed: usize,
}

/// Counts for `praxis stats` and `/api/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub documents: usize,
    pub withdrawn: usize,
    pub revisions: usize,
    pub indexed: u64,
    pub by_type: Vec<(String, usize)>,
    pub by_language: Vec<(String, usize)>,
    pub by_region: Vec<(String, usize)>,
}

impl KnowledgeBase {
    /// Opens (or creates) the knowledge base in `data_dir` and repairs the index if it
    /// disagrees with the store.
    pub fn open(data_dir: &Path) -> Result<KnowledgeBase> {
        std::fs::create_dir_all(data_dir).map_err(|source| Error::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let store = Store::open(&data_dir.join("store"))?;
        let index = SearchIndex::open(&data_dir.join("search"))?;
        let taxonomy = match store.taxonomy_yaml()? {
            Some(yaml) => Taxonomy::from_yaml(&yaml).unwrap_or_else(|error| {
                tracing::warn!(%error, "the stored taxonomy is unreadable; using the built-in one");
                Taxonomy::builtin()
            }),
            None => Taxonomy::builtin(),
        };
        let kb = KnowledgeBase {
            data_dir: data_dir.to_path_buf(),
            store,
            index,
            taxonomy: RwLock::new(Arc::new(taxonomy)),
            write_lock: Mutex::new(()),
        };
        if !kb.store.summaries_current()? {
            kb.rebuild_summaries()?;
        }
        let repair = kb.ensure_consistent()?;
        if kb.index.fresh {
            if repair.reindexed > 0 {
                tracing::warn!(
                    reindexed = repair.reindexed,
                    "the index was missing or built by another version, and was rebuilt from the store"
                );
            }
        } else if repair != Repair::default() {
            tracing::warn!(
                reindexed = repair.reindexed,
                removed = repair.removed,
                "the index disagreed with the store and was repaired"
            );
        }
        Ok(kb)
    }

    pub(crate) fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    pub fn taxonomy(&self) -> Arc<Taxonomy> {
        self.taxonomy
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn set_taxonomy(&self, taxonomy: Taxonomy) -> Result<()> {
        let _writes = self.lock_writes();
        self.store.set_taxonomy_yaml(taxonomy.yaml())?;
        *self.taxonomy.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(taxonomy);
        // Region counts depend on the taxonomy.
        self.rebuild_summaries()
    }

    pub(crate) fn lock_writes(&self) -> MutexGuard<'_, ()> {
        self.write_lock.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Commits the index at the store's current generation, and flushes the store.
    pub(crate) fn commit(&self) -> Result<()> {
        self.store.flush()?;
        self.index.commit(self.store.generation()?)?;
        Ok(())
    }

    /// Starts a bulk index write (see [`SearchIndex::begin_bulk`]) for a caller holding the
    /// write lock. Everything written so far is committed first: the bulk writer replaces
    /// the ordinary one, which must hold nothing uncommitted.
    pub(crate) fn begin_bulk_locked(&self) -> Result<()> {
        self.commit()?;
        self.index.begin_bulk()?;
        Ok(())
    }

    /// Compares store and index only when the index's last commit is not at the store's
    /// generation (after a crash, or a fresh index): then every document is compared.
    pub(crate) fn ensure_consistent(&self) -> Result<Repair> {
        let _writes = self.lock_writes();
        let generation = self.store.generation()?;
        if self.index.fresh {
            // Nothing to compare with: a new index (missing, or built by an older Praxis) is
            // built whole, by the bulk path a reindex takes, not document by document.
            let reindexed = self.reindex_locked()?;
            return Ok(Repair {
                reindexed,
                removed: 0,
            });
        }
        if self.index.committed_generation()? == Some(generation) {
            return Ok(Repair::default());
        }
        self.repair_locked()
    }

    /// True when the index was missing or unreadable at open, and so was rebuilt then.
    pub fn index_rebuilt_at_open(&self) -> bool {
        self.index.fresh
    }

    fn repair_locked(&self) -> Result<Repair> {
        let wanted = self.store.active_versions()?;
        let indexed = self.index.indexed_versions()?;
        let taxonomy = self.taxonomy();
        let mut repair = Repair::default();
        for (id, revision) in &wanted {
            if indexed.get(id) != Some(revision) {
                if let Some(record) = self.store.get(id)? {
                    self.index.put(&record, &taxonomy)?;
                    repair.reindexed += 1;
                }
            }
        }
        for id in indexed.keys().filter(|id| !wanted.contains_key(*id)) {
            self.index.delete(id)?;
            repair.removed += 1;
        }
        self.commit()?;
        Ok(repair)
    }

    /// Rebuilds the whole index from the store.
    pub fn reindex(&self) -> Result<usize> {
        let _writes = self.lock_writes();
        self.reindex_locked()
    }

    fn reindex_locked(&self) -> Result<usize> {
        let taxonomy = self.taxonomy();
        let bulk = self.store.len() >= BULK_AFTER;
        if bulk {
            self.begin_bulk_locked()?;
        }
        self.index.clear()?;
        let mut count = 0;
        for record in self.store.records() {
            let record = record?;
            if !record.withdrawn {
                // The index was just cleared: nothing to replace.
                self.index.add_new(&record, &taxonomy)?;
                count += 1;
            }
        }
        self.rebuild_summaries()?;
        self.commit()?;
        if count >= MERGE_AFTER_CHANGES {
            self.index.merge_segments()?;
        } else if bulk {
            self.index.end_bulk()?;
        }
        Ok(count)
    }

    pub fn search(
        &self,
        request: &SearchRequest,
    ) -> std::result::Result<SearchResponse, SearchError> {
        self.index.search(request, &self.taxonomy())
    }

    /// The ids of every document matching `request`, in order (for exports).
    pub fn search_all_ids(
        &self,
        request: &SearchRequest,
    ) -> std::result::Result<Vec<String>, SearchError> {
        self.index.search_all_ids(request, &self.taxonomy())
    }

    pub fn related(
        &self,
        id: &str,
        limit: usize,
    ) -> std::result::Result<Vec<Related>, SearchError> {
        self.index.related(id, limit)
    }

    /// The `limit` most recently changed active documents matching `request` (latest change
    /// first), read through the store's recency index: only the records returned are decoded.
    /// With a query or filters, the index gives the matching ids first (ids only).
    pub(crate) fn recent_documents(
        &self,
        request: &SearchRequest,
        limit: usize,
    ) -> Result<Vec<DocumentRecord>> {
        let unfiltered = request.q.trim().is_empty()
            && request.filters.values().all(Vec::is_empty)
            && request.year_from.is_none()
            && request.year_to.is_none();
        let matching: Option<std::collections::HashSet<String>> = if unfiltered {
            None
        } else {
            Some(self.search_all_ids(request)?.into_iter().collect())
        };
        let mut records = Vec::with_capacity(limit);
        for id in self.store.recent_ids() {
            if records.len() >= limit {
                break;
            }
            let id = id?;
            if matching.as_ref().is_some_and(|ids| !ids.contains(&id)) {
                continue;
            }
            if let Some(record) = self.store.get(&id)? {
                if !record.withdrawn {
                    records.push(record);
                }
            }
        }
        Ok(records)
    }

    /// A document's current state, withdrawn or not.
    pub fn document(&self, id: &str) -> Result<Option<DocumentRecord>> {
        Ok(self.store.get(id)?)
    }

    /// THE write path: every change to a document — an ingested file, an API request, a desk
    /// form, a withdrawal, a restoration — goes through here. In order: validate the draft,
    /// check the rule of its mode and the base revision, write the record, its revision and
    /// its audit entry in one store transaction, then update the index and commit it. The
    /// change is searchable when this returns.
    pub fn write(&self, write: Write) -> std::result::Result<Written, WriteError> {
        let _writes = self.lock_writes();
        let written = self.write_locked(write)?;
        if written.outcome.changed_index() {
            self.commit()?;
        }
        Ok(written)
    }

    /// [`write`](Self::write) without the index commit: what a process killed between the
    /// store transaction and the index commit leaves behind. For crash tests.
    #[doc(hidden)]
    pub fn write_uncommitted(&self, write: Write) -> std::result::Result<Written, WriteError> {
        let _writes = self.lock_writes();
        self.write_locked(write)
    }

    /// [`write`](Self::write) for a caller holding the write lock, without the index commit
    /// (an ingest commits once at the end).
    pub(crate) fn write_locked(&self, write: Write) -> std::result::Result<Written, WriteError> {
        self.write_all_locked(vec![write])?
            .pop()
            .expect("one result per write")
    }

    /// Several writes, to distinct documents, for a caller holding the write lock: each is
    /// planned as [`write`](Self::write) plans it, then all are written in one store
    /// transaction (an ingest writes thousands of documents: one transaction each would
    /// rewrite the counters and the generation thousands of times), then indexed, without an
    /// index commit. Returns one result per write, in order: a write refused by its rules
    /// (invalid, stale, ...) does not stop the others; the outer error is a store or index
    /// failure, after which nothing of this call is known to be written.
    pub(crate) fn write_all_locked(
        &self,
        writes: Vec<Write>,
    ) -> std::result::Result<Vec<std::result::Result<Written, WriteError>>, WriteError> {
        let mut results: Vec<Option<std::result::Result<Written, WriteError>>> =
            Vec::with_capacity(writes.len());
        // (position in `results`, the store write, what it writes, whether the index changes)
        let mut staged: Vec<(usize, DocumentWrite, Written, bool)> = Vec::new();
        for write in writes {
            let position = results.len();
            results.push(None);
            let (id, author, pending) = match self.plan(write) {
                Ok(planned) => planned,
                Err(WriteError::Store(error)) => return Err(WriteError::Store(error)),
                Err(refused) => {
                    results[position] = Some(Err(refused));
                    continue;
                }
            };
            let Pending {
                previous,
                record,
                revision,
                outcome,
            } = pending;
            let written = Written {
                id,
                revision: record.revision,
                outcome,
                record: record.clone(),
            };
            if outcome == WriteOutcome::Unchanged || outcome == WriteOutcome::Kept {
                // Nothing to record, unless a file moved: remember where it lives now, so that
                // ingesting its old folder does not withdraw it.
                let moved = previous.as_ref().is_some_and(|p| p.origin != record.origin);
                if moved {
                    let write = self.document_write(previous, record, None, None, None);
                    staged.push((position, write, written, false));
                } else {
                    results[position] = Some(Ok(written));
                }
                continue;
            }
            let audit = revision.as_ref().map(|r| AuditDraft {
                actor: author.clone(),
                action: r.action().as_str(),
                reason: r.reason.clone(),
                proposal: None,
            });
            let write = self.document_write(previous, record, revision, audit, None);
            staged.push((position, write, written, true));
        }
        let store_writes: Vec<&DocumentWrite> = staged.iter().map(|(_, w, _, _)| w).collect();
        let committed = self.store.commit_all(&store_writes)?;
        let taxonomy = self.taxonomy();
        for ((position, write, written, indexed), committed) in staged.into_iter().zip(committed) {
            results[position] = Some(match committed {
                Committed::Done => {
                    if indexed {
                        if written.record.withdrawn {
                            self.index.delete(&written.id)?;
                        } else if write.previous.is_none() {
                            self.index.add_new(&written.record, &taxonomy)?;
                        } else {
                            self.index.put(&written.record, &taxonomy)?;
                        }
                    }
                    Ok(written)
                }
                Committed::Stale => Err(self.stale(&write)?),
            });
        }
        Ok(results
            .into_iter()
            .map(|result| result.expect("every write has its result"))
            .collect())
    }

    /// Writes one planned change in its own store transaction, for a caller holding the write
    /// lock (accepting a proposal writes the proposal's new state with it), without indexing.
    fn commit_one(&self, write: DocumentWrite) -> std::result::Result<(), WriteError> {
        match self.store.commit_all(&[&write])?.as_slice() {
            [Committed::Done] => Ok(()),
            _ => Err(self.stale(&write)?),
        }
    }

    /// The error of a change another writer got to first: the revision it was computed from
    /// and the one now current.
    fn stale(&self, write: &DocumentWrite) -> std::result::Result<WriteError, StoreError> {
        let id = write.record.id().to_string();
        let current = self.store.head(&id)?.map_or(0, |r| r.revision);
        Ok(WriteError::Stale {
            id,
            base: write.previous.as_ref().map_or(0, |p| p.revision),
            current,
        })
    }

    /// Validates a write and computes what it changes, by its rules, from the stored state.
    fn plan(&self, write: Write) -> std::result::Result<(String, String, Pending), WriteError> {
        let Write {
            change,
            author,
            base_revision,
        } = write;
        let (id, pending) = match change {
            Change::Save { draft, mode } => {
                let document = self.validate(draft)?;
                let id = document.meta.id.clone();
                let existing = self.store.get(&id)?;
                check_base(&id, existing.as_ref(), base_revision)?;
                let pending = self.plan_save(document, existing, mode, &author)?;
                (id, pending)
            }
            Change::Withdraw { id, reason } => {
                let reason = reason_text(Some(reason)).ok_or(WriteError::ReasonRequired)?;
                let existing = self.store.get(&id)?;
                check_base(&id, existing.as_ref(), base_revision)?;
                let Some(record) = existing else {
                    return Err(WriteError::NotFound { id });
                };
                if record.withdrawn {
                    return Err(WriteError::AlreadyWithdrawn {
                        id,
                        at: record.withdrawn_at,
                        by: record.withdrawn_by,
                        reason: record.withdrawn_reason,
                    });
                }
                let pending = state_change(record, RevisionAction::Withdraw, &author, Some(reason));
                (id, pending)
            }
            Change::Restore { id, reason } => {
                let existing = self.store.get(&id)?;
                check_base(&id, existing.as_ref(), base_revision)?;
                let Some(record) = existing else {
                    return Err(WriteError::NotFound { id });
                };
                if !record.withdrawn {
                    return Err(WriteError::NotWithdrawn { id });
                }
                let pending = state_change(
                    record,
                    RevisionAction::Restore,
                    &author,
                    reason_text(reason),
                );
                (id, pending)
            }
        };
        Ok((id, author, pending))
    }

    /// Validates a draft with the knowledge base's taxonomy.
    fn validate(&self, draft: Draft) -> std::result::Result<Document, WriteError> {
        match draft {
            Draft::Validated(document) => Ok(*document),
            Draft::Text {
                file,
                bytes,
                default_id,
                expected_id,
            } => {
                let taxonomy = self.taxonomy();
                let document = parse_document(&file, &bytes, default_id.as_deref(), &taxonomy)
                    .map_err(WriteError::Invalid)?;
                if let Some(expected) = expected_id.filter(|e| *e != document.meta.id) {
                    return Err(WriteError::Invalid(vec![Problem {
                        file,
                        line: document
                            .source_text
                            .lines()
                            .position(|l| l.starts_with("id:"))
                            .map(|l| l + 1),
                        column: None,
                        field: Some("id".into()),
                        message: Message::new("problem_id_mismatch")
                            .arg("id", &document.meta.id)
                            .arg("expected", expected),
                    }]));
                }
                Ok(document)
            }
        }
    }

    /// Decides what saving `document` does, by the rule of `mode`.
    fn plan_save(
        &self,
        document: Document,
        existing: Option<DocumentRecord>,
        mode: SaveMode,
        author: &str,
    ) -> std::result::Result<Pending, WriteError> {
        let id = document.meta.id.clone();
        let hash = document.content_hash();
        let (origin, force) = match &mode {
            SaveMode::Ingest { origin, force } => (origin.clone(), *force),
            _ => (None, false),
        };
        let Some(record) = existing else {
            if mode == SaveMode::Update {
                return Err(WriteError::NotFound { id });
            }
            let now = now();
            let record = DocumentRecord {
                meta: document.meta,
                body: document.body,
                source_text: document.source_text,
                content_hash: hash,
                revision: 1,
                first_ingested: now.clone(),
                last_modified: now,
                withdrawn: false,
                withdrawn_at: None,
                withdrawn_by: None,
                withdrawn_reason: None,
                origin,
            };
            let revision = revision_of(&record, RevisionAction::Create, author, None);
            return Ok(Pending {
                previous: None,
                record,
                revision: Some(revision),
                outcome: WriteOutcome::Created,
            });
        };
        if mode == SaveMode::Create {
            return Err(WriteError::Exists {
                id,
                withdrawn: record.withdrawn,
            });
        }
        let moved_origin = origin.clone().or_else(|| record.origin.clone());
        let unchanged = |record: DocumentRecord, outcome| Pending {
            previous: Some(record.clone()),
            record: DocumentRecord {
                origin: moved_origin.clone(),
                ..record
            },
            revision: None,
            outcome,
        };
        if record.content_hash == hash && !record.withdrawn {
            return Ok(unchanged(record, WriteOutcome::Unchanged));
        }
        if matches!(mode, SaveMode::Ingest { .. }) && !force && self.curator_wins(&record, &hash)? {
            return Ok(unchanged(record, WriteOutcome::Kept));
        }
        let (action, outcome) = if record.withdrawn {
            (RevisionAction::Restore, WriteOutcome::Restored)
        } else {
            (RevisionAction::Update, WriteOutcome::Updated)
        };
        let now = now();
        let updated = DocumentRecord {
            meta: document.meta,
            body: document.body,
            source_text: document.source_text,
            content_hash: hash,
            revision: record.revision + 1,
            first_ingested: record.first_ingested.clone(),
            last_modified: now,
            withdrawn: false,
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawn_reason: None,
            origin: moved_origin,
        };
        let revision = revision_of(&updated, action, author, None);
        Ok(Pending {
            previous: Some(record),
            record: updated,
            revision: Some(revision),
            outcome,
        })
    }

    /// The ingest rule: a document whose last change (edit, withdrawal or restoration) was made
    /// by a curator is not overwritten by a file whose content the store has already seen — the
    /// curator changed the document after that file was ingested. A file with new content
    /// wins: it was edited after the curator's change.
    fn curator_wins(&self, record: &DocumentRecord, file_hash: &str) -> Result<bool> {
        if !self.last_changed_by_curator(record)? {
            return Ok(false);
        }
        let seen = self
            .store
            .revisions(record.id())?
            .iter()
            .any(|r| r.content_hash == file_hash);
        Ok(seen)
    }

    /// Whether the latest entry of a document's history was written by a curator (not by
    /// `praxis ingest`).
    pub(crate) fn last_changed_by_curator(&self, record: &DocumentRecord) -> Result<bool> {
        if record.withdrawn && record.withdrawn_by.is_some() {
            return Ok(record.withdrawn_by.as_deref() != Some(INGEST_AUTHOR));
        }
        Ok(self
            .store
            .revision(record.id(), record.revision)?
            .is_some_and(|r| r.author != INGEST_AUTHOR))
    }

    /// The store write of a change: the change with the statistics counters it moves.
    fn document_write(
        &self,
        previous: Option<DocumentRecord>,
        record: DocumentRecord,
        revision: Option<Revision>,
        audit: Option<AuditDraft>,
        proposal: Option<Proposal>,
    ) -> DocumentWrite {
        let taxonomy = self.taxonomy();
        let mut counters: HashMap<String, i64> = HashMap::new();
        if let Some(previous) = &previous {
            for key in counter_keys(&previous.meta, previous.withdrawn, &taxonomy) {
                *counters.entry(key).or_default() -= 1;
            }
        }
        for key in counter_keys(&record.meta, record.withdrawn, &taxonomy) {
            *counters.entry(key).or_default() += 1;
        }
        if revision.is_some() {
            *counters.entry(REVISIONS.to_string()).or_default() += 1;
        }
        DocumentWrite {
            previous,
            record,
            revision,
            audit,
            counters: counters.into_iter().filter(|(_, d)| *d != 0).collect(),
            proposal,
        }
    }

    /// A document's history: every revision, withdrawals and restorations included, oldest
    /// first.
    pub fn history(&self, id: &str) -> Result<Vec<Revision>> {
        Ok(self.store.revisions(id)?)
    }

    /// Saves a document written by a curator, creating or updating it (a withdrawn document is
    /// restored with this content), with no base revision. Kept for callers written before
    /// [`write`](Self::write); new code states its mode and base revision there.
    pub fn save_document(
        &self,
        document: &Document,
        author: &str,
    ) -> std::result::Result<Upsert, WriteError> {
        self.write(Write {
            change: Change::Save {
                draft: Draft::Validated(Box::new(document.clone())),
                mode: SaveMode::CreateOrUpdate,
            },
            author: author.to_string(),
            base_revision: None,
        })
        .map(|written| written.upsert())
    }

    /// Withdraws a document with no base revision and a reason saying none was asked. `None`
    /// if there is no such active document. Kept for callers written before
    /// [`write`](Self::write), which takes the curator's reason.
    pub fn withdraw(&self, id: &str, author: &str) -> Result<Option<DocumentRecord>> {
        match self.write(Write {
            change: Change::Withdraw {
                id: id.to_string(),
                reason: "no reason recorded (withdrawn without being asked for one)".into(),
            },
            author: author.to_string(),
            base_revision: None,
        }) {
            Ok(written) => Ok(Some(written.record)),
            Err(WriteError::Store(error)) => Err(error),
            Err(_) => Ok(None),
        }
    }

    /// Writes a consistent dump of the store (see [`Store::dump`]): writers wait meanwhile.
    pub fn dump(&self, out: &mut dyn std::io::Write) -> std::result::Result<DumpCounts, DumpError> {
        let _writes = self.lock_writes();
        self.store.dump(out)
    }

    /// Loads a dump into this knowledge base, which must be empty, then rebuilds the index and
    /// the statistics from it.
    pub fn import_dump(
        &self,
        input: &mut dyn std::io::BufRead,
    ) -> std::result::Result<DumpCounts, DumpError> {
        let counts = {
            let _writes = self.lock_writes();
            let counts = self.store.import_dump(input)?;
            if let Some(yaml) = self.store.taxonomy_yaml()? {
                let taxonomy =
                    Taxonomy::from_yaml(&yaml).map_err(|error| DumpError::Malformed {
                        line: 2,
                        message: format!("the taxonomy is invalid: {error}"),
                    })?;
                *self.taxonomy.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(taxonomy);
            }
            counts
        };
        self.reindex().map_err(|error| match error {
            Error::Store(error) => DumpError::Store(error),
            other => DumpError::Io(std::io::Error::other(other.to_string())),
        })?;
        Ok(counts)
    }

    /// Counts from the counters the write path keeps: no record is read.
    pub fn stats(&self) -> Result<Stats> {
        let counters = self.store.counters()?;
        let count = |name: &str| counters.get(name).copied().unwrap_or(0).max(0) as usize;
        let group = |prefix: &str| -> Vec<(String, usize)> {
            counters
                .iter()
                .filter_map(|(name, &value)| {
                    let key = name.strip_prefix(prefix)?;
                    (value > 0).then(|| (key.to_string(), value as usize))
                })
                .collect()
        };
        Ok(Stats {
            documents: count(DOCUMENTS),
            withdrawn: count(WITHDRAWN),
            revisions: count(REVISIONS),
            indexed: self.index.num_docs(),
            by_type: group("type/"),
            by_language: group("language/"),
            by_region: group("region/"),
        })
    }

    /// Recomputes the statistics counters and the recency index from every record.
    pub(crate) fn rebuild_summaries(&self) -> Result<()> {
        let taxonomy = self.taxonomy();
        let mut counters: HashMap<String, i64> = HashMap::new();
        let mut revisions = 0;
        for head in self.store.heads() {
            let head = head?;
            revisions += self.store.revision_count(&head.meta.id)? as i64;
            for key in counter_keys(&head.meta, head.withdrawn, &taxonomy) {
                *counters.entry(key).or_default() += 1;
            }
        }
        counters.insert(REVISIONS.to_string(), revisions);
        self.store.rebuild_summaries(&counters)?;
        Ok(())
    }
}

/// The author of writes made by `praxis ingest`.
pub(crate) const INGEST_AUTHOR: &str = "ingest";
/// An ingest or reindex that changes at least this many documents ends by merging the index
/// into one segment per search thread (see [`crate::index::SearchIndex::merge_segments`]):
/// seconds per 100,000 documents, for searches a quarter faster than over the segments such
/// an ingest leaves.
pub(crate) const MERGE_AFTER_CHANGES: usize = 10_000;
/// An ingest (or a rebuild) of at least this many documents indexes them as a bulk write
/// ([`crate::index::SearchIndex::begin_bulk`]): on every core, merging nothing until the end.
/// Below it, the ordinary writer's one thread and one segment do as well.
pub(crate) const BULK_AFTER: usize = 2_000;

const DOCUMENTS: &str = "documents";
const WITHDRAWN: &str = "withdrawn";
const REVISIONS: &str = "revisions";

/// The counters a record adds to: the statistics of [`KnowledgeBase::stats`].
fn counter_keys(meta: &Metadata, withdrawn: bool, taxonomy: &Taxonomy) -> Vec<String> {
    if withdrawn {
        return vec![WITHDRAWN.to_string()];
    }
    let mut keys = vec![
        DOCUMENTS.to_string(),
        format!("type/{}", meta.doc_type),
        format!("language/{}", meta.language),
    ];
    let mut tops: Vec<&str> = crate::index::region_paths(taxonomy, meta)
        .into_iter()
        .map(|p| p[0])
        .collect();
    tops.sort();
    tops.dedup();
    keys.extend(tops.into_iter().map(|top| format!("region/{top}")));
    keys
}

fn check_base(
    id: &str,
    existing: Option<&DocumentRecord>,
    base: Option<u32>,
) -> std::result::Result<(), WriteError> {
    match (base, existing) {
        (Some(base), Some(record)) if record.revision != base => Err(WriteError::Stale {
            id: id.to_string(),
            base,
            current: record.revision,
        }),
        (Some(base), None) if base != 0 => Err(WriteError::NotFound { id: id.to_string() }),
        _ => Ok(()),
    }
}

/// A reason as recorded: trimmed, on one line, at most [`MAX_REASON_CHARS`]; `None` if empty.
fn reason_text(reason: Option<String>) -> Option<String> {
    let reason = reason?;
    let line = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    let line: String = line.chars().take(MAX_REASON_CHARS).collect();
    (!line.is_empty()).then_some(line)
}

/// The longest reason kept for a withdrawal or restoration.
pub(crate) const MAX_REASON_CHARS: usize = 1000;

fn revision_of(
    record: &DocumentRecord,
    action: RevisionAction,
    author: &str,
    reason: Option<String>,
) -> Revision {
    Revision {
        number: record.revision,
        meta: record.meta.clone(),
        body: record.body.clone(),
        source_text: record.source_text.clone(),
        content_hash: record.content_hash.clone(),
        recorded_at: record.last_modified.clone(),
        author: author.to_string(),
        action: Some(action),
        reason,
        proposal: None,
        accepted_by: None,
    }
}

/// A withdrawal or restoration: a new revision with the same content.
fn state_change(
    record: DocumentRecord,
    action: RevisionAction,
    author: &str,
    reason: Option<String>,
) -> Pending {
    let withdrawn = action == RevisionAction::Withdraw;
    let now = now();
    let changed = DocumentRecord {
        revision: record.revision + 1,
        last_modified: now.clone(),
        withdrawn,
        withdrawn_at: withdrawn.then_some(now),
        withdrawn_by: withdrawn.then(|| author.to_string()),
        withdrawn_reason: if withdrawn { reason.clone() } else { None },
        ..record.clone()
    };
    let revision = revision_of(&changed, action, author, reason);
    Pending {
        previous: Some(record),
        record: changed,
        revision: Some(revision),
        outcome: if withdrawn {
            WriteOutcome::Withdrawn
        } else {
            WriteOutcome::Restored
        },
    }
}

/// A change computed, not yet written.
struct Pending {
    previous: Option<DocumentRecord>,
    record: DocumentRecord,
    revision: Option<Revision>,
    outcome: WriteOutcome,
}

/// One write: what changes, who makes it, and the revision the writer saw.
#[derive(Debug, Clone)]
pub struct Write {
    pub change: Change,
    /// `ingest` or the curator's name.
    pub author: String,
    /// The revision the writer edited (an `If-Match`, the desk form's hidden field): the write
    /// is refused with [`WriteError::Stale`] if the document has moved on since. `None` writes
    /// over whatever is current.
    pub base_revision: Option<u32>,
}

#[derive(Debug, Clone)]
pub enum Change {
    /// A new document or a new revision of one.
    Save { draft: Draft, mode: SaveMode },
    /// Take a document out of search, keeping its history; a reason is required.
    Withdraw { id: String, reason: String },
    /// Bring a withdrawn document back with its last content.
    Restore { id: String, reason: Option<String> },
}

/// The document of a save.
#[derive(Debug, Clone)]
pub enum Draft {
    /// Text to validate: `file` names it in problems (`request`, `form`, a file name);
    /// `default_id` is used when the front matter sets no id; `expected_id`, when given, must
    /// be the document's id (the id in a URL).
    Text {
        file: String,
        bytes: Vec<u8>,
        default_id: Option<String>,
        expected_id: Option<String>,
    },
    /// A document validated already (ingest validates files on all cores before writing).
    Validated(Box<Document>),
}

/// The rule a save follows when the id exists, or does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveMode {
    /// Only a new id ([`WriteError::Exists`] otherwise).
    Create,
    /// Only an existing id ([`WriteError::NotFound`] otherwise); a withdrawn document is
    /// restored with the new content.
    Update,
    /// Either.
    CreateOrUpdate,
    /// A file read by `praxis ingest`, from `origin` (absent for the corpus compiled into the
    /// binary). Unless `force`, a document a curator changed since is kept (see
    /// [`WriteOutcome::Kept`]).
    Ingest { origin: Option<String>, force: bool },
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum WriteOutcome {
    Created,
    Updated,
    /// A withdrawn document is back (with new content, or its last).
    Restored,
    /// The same content: no new revision.
    Unchanged,
    /// An ingested file was not applied: a curator changed the document since the store saw
    /// this file's content.
    Kept,
    Withdrawn,
}

impl WriteOutcome {
    fn changed_index(self) -> bool {
        !matches!(self, WriteOutcome::Unchanged | WriteOutcome::Kept)
    }

    /// The action as the API and the audit log name it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            WriteOutcome::Created => "create",
            WriteOutcome::Updated => "update",
            WriteOutcome::Restored => "restore",
            WriteOutcome::Unchanged => "unchanged",
            WriteOutcome::Kept => "kept",
            WriteOutcome::Withdrawn => "withdraw",
        }
    }
}

/// The result of a write.
#[derive(Debug, Clone)]
pub struct Written {
    pub(crate) id: String,
    /// The document's revision after the write.
    pub(crate) revision: u32,
    pub(crate) outcome: WriteOutcome,
    /// The document as it now is.
    pub(crate) record: DocumentRecord,
}

impl Written {
    /// The outcome as a save's [`Upsert`].
    pub(crate) fn upsert(&self) -> Upsert {
        let revision = self.revision;
        match self.outcome {
            WriteOutcome::Created => Upsert::Added { revision },
            WriteOutcome::Updated => Upsert::Updated { revision },
            WriteOutcome::Restored => Upsert::Restored { revision },
            WriteOutcome::Unchanged | WriteOutcome::Withdrawn => Upsert::Unchanged { revision },
            WriteOutcome::Kept => Upsert::Kept { revision },
        }
    }
}

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The document is invalid: every problem.
    #[error("the document has {} problem{}", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Invalid(Vec<Problem>),
    #[error("no document \"{id}\"")]
    NotFound { id: String },
    #[error("a document \"{id}\" already exists")]
    Exists { id: String, withdrawn: bool },
    /// The writer's base revision is not the current one: someone else wrote in between.
    #[error(
        "document \"{id}\" is at revision {current}, not {base}: it changed since it was read"
    )]
    Stale { id: String, base: u32, current: u32 },
    #[error("document \"{id}\" is already withdrawn")]
    AlreadyWithdrawn {
        id: String,
        at: Option<String>,
        by: Option<String>,
        reason: Option<String>,
    },
    #[error("document \"{id}\" is not withdrawn")]
    NotWithdrawn { id: String },
    #[error("a withdrawal needs a reason")]
    ReasonRequired,
    #[error(transparent)]
    Store(#[from] Error),
}

impl From<crate::store::StoreError> for WriteError {
    fn from(error: crate::store::StoreError) -> Self {
        WriteError::Store(error.into())
    }
}

impl From<crate::index::IndexError> for WriteError {
    fn from(error: crate::index::IndexError) -> Self {
        WriteError::Store(error.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(id: &str, summary: &str) -> Vec<u8> {
        format!(
            "---\nid: {id}\ntitle: T {id}\ntype: report\nsummary: {summary}\ncountries: [KE]\nthemes: [genocide]\nyear: 2001\nlanguage: en\nsources:\n  - citation: A/RES/60/1\n---\nBody\n"
        )
        .into_bytes()
    }

    fn save(id: &str, summary: &str, mode: SaveMode, base: Option<u32>) -> Write {
        Write {
            change: Change::Save {
                draft: Draft::Text {
                    file: "request".into(),
                    bytes: text(id, summary),
                    default_id: None,
                    expected_id: None,
                },
                mode,
            },
            author: "alice".into(),
            base_revision: base,
        }
    }

    fn change(change: Change, base: Option<u32>) -> Write {
        Write {
            change,
            author: "bob".into(),
            base_revision: base,
        }
    }

    fn open() -> (tempfile::TempDir, KnowledgeBase) {
        let dir = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(dir.path()).unwrap();
        (dir, kb)
    }

    #[test]
    fn every_change_is_a_history_entry_with_its_audit_entry() {
        let (_dir, kb) = open();
        let created = kb.write(save("t", "one", SaveMode::Create, None)).unwrap();
        assert_eq!(
            (created.outcome, created.revision),
            (WriteOutcome::Created, 1)
        );
        let same = kb
            .write(save("t", "one", SaveMode::Update, Some(1)))
            .unwrap();
        assert_eq!((same.outcome, same.revision), (WriteOutcome::Unchanged, 1));
        let updated = kb
            .write(save("t", "two", SaveMode::Update, Some(1)))
            .unwrap();
        assert_eq!(
            (updated.outcome, updated.revision),
            (WriteOutcome::Updated, 2)
        );
        let withdrawn = kb
            .write(change(
                Change::Withdraw {
                    id: "t".into(),
                    reason: "  duplicate of\n t2 ".into(),
                },
                Some(2),
            ))
            .unwrap();
        assert_eq!(withdrawn.outcome, WriteOutcome::Withdrawn);
        assert_eq!(
            withdrawn.record.withdrawn_reason.as_deref(),
            Some("duplicate of t2")
        );
        assert_eq!(withdrawn.record.withdrawn_by.as_deref(), Some("bob"));
        assert_eq!(kb.index().num_docs(), 0, "gone from search");
        let restored = kb
            .write(change(
                Change::Restore {
                    id: "t".into(),
                    reason: Some("not a duplicate".into()),
                },
                Some(3),
            ))
            .unwrap();
        assert_eq!(
            (restored.outcome, restored.revision),
            (WriteOutcome::Restored, 4)
        );
        assert_eq!(
            restored.record.meta.summary, "two",
            "restored with its last content"
        );
        assert_eq!(kb.index().num_docs(), 1);

        let history: Vec<_> = kb
            .history("t")
            .unwrap()
            .into_iter()
            .map(|r| (r.number, r.action(), r.author, r.reason, r.meta.summary))
            .collect();
        assert_eq!(
            history,
            vec![
                (
                    1,
                    RevisionAction::Create,
                    "alice".into(),
                    None,
                    "one".into()
                ),
                (
                    2,
                    RevisionAction::Update,
                    "alice".into(),
                    None,
                    "two".into()
                ),
                (
                    3,
                    RevisionAction::Withdraw,
                    "bob".into(),
                    Some("duplicate of t2".into()),
                    "two".into()
                ),
                (
                    4,
                    RevisionAction::Restore,
                    "bob".into(),
                    Some("not a duplicate".into()),
                    "two".into()
                ),
            ]
        );
        let (log, total) = kb.store().audit_log(0, 10).unwrap();
        assert_eq!(
            total, 4,
            "one audit entry per revision, none for `unchanged`"
        );
        let audit: Vec<_> = log
            .iter()
            .rev()
            .map(|e| {
                (
                    e.sequence,
                    e.action.as_str(),
                    e.revision,
                    e.reason.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            audit,
            vec![
                (1, "create", 1, None),
                (2, "update", 2, None),
                (3, "withdraw", 3, Some("duplicate of t2")),
                (4, "restore", 4, Some("not a duplicate")),
            ]
        );
    }

    #[test]
    fn a_stale_base_revision_is_refused_and_writes_nothing() {
        let (_dir, kb) = open();
        kb.write(save("t", "one", SaveMode::Create, None)).unwrap();
        kb.write(save("t", "alice's", SaveMode::Update, Some(1)))
            .unwrap();
        // Bob edited revision 1 too.
        let error = kb
            .write(save("t", "bob's", SaveMode::Update, Some(1)))
            .unwrap_err();
        assert!(
            matches!(
                error,
                WriteError::Stale {
                    base: 1,
                    current: 2,
                    ..
                }
            ),
            "{error:?}"
        );
        let withdraw = Change::Withdraw {
            id: "t".into(),
            reason: "r".into(),
        };
        let error = kb.write(change(withdraw, Some(1))).unwrap_err();
        assert!(matches!(error, WriteError::Stale { current: 2, .. }));
        let record = kb.document("t").unwrap().unwrap();
        assert_eq!(
            (record.revision, record.meta.summary.as_str()),
            (2, "alice's")
        );
        assert!(!record.withdrawn);
        assert_eq!(kb.store().audit_log(0, 10).unwrap().1, 2);
    }

    #[test]
    fn modes_and_states_are_enforced_with_distinct_errors() {
        let (_dir, kb) = open();
        let missing = kb
            .write(save("t", "one", SaveMode::Update, None))
            .unwrap_err();
        assert!(matches!(missing, WriteError::NotFound { .. }));
        kb.write(save("t", "one", SaveMode::Create, None)).unwrap();
        let exists = kb
            .write(save("t", "one", SaveMode::Create, None))
            .unwrap_err();
        assert!(matches!(
            exists,
            WriteError::Exists {
                withdrawn: false,
                ..
            }
        ));
        let not_withdrawn = kb
            .write(change(
                Change::Restore {
                    id: "t".into(),
                    reason: None,
                },
                None,
            ))
            .unwrap_err();
        assert!(matches!(not_withdrawn, WriteError::NotWithdrawn { .. }));
        let no_reason = kb
            .write(change(
                Change::Withdraw {
                    id: "t".into(),
                    reason: " \n ".into(),
                },
                None,
            ))
            .unwrap_err();
        assert!(matches!(no_reason, WriteError::ReasonRequired));
        let withdraw = || Change::Withdraw {
            id: "t".into(),
            reason: "gone".into(),
        };
        kb.write(change(withdraw(), None)).unwrap();
        let again = kb.write(change(withdraw(), None)).unwrap_err();
        match again {
            WriteError::AlreadyWithdrawn { by, reason, at, .. } => {
                assert_eq!(by.as_deref(), Some("bob"));
                assert_eq!(reason.as_deref(), Some("gone"));
                assert!(at.is_some());
            }
            other => panic!("{other:?}"),
        }
        let invalid = kb
            .write(Write {
                change: Change::Save {
                    draft: Draft::Text {
                        file: "request".into(),
                        bytes: b"---\ntitle: x\n---\n".to_vec(),
                        default_id: Some("x".into()),
                        expected_id: None,
                    },
                    mode: SaveMode::Create,
                },
                author: "a".into(),
                base_revision: None,
            })
            .unwrap_err();
        assert!(matches!(invalid, WriteError::Invalid(ref p) if !p.is_empty()));
        let mismatch = kb
            .write(Write {
                change: Change::Save {
                    draft: Draft::Text {
                        file: "request".into(),
                        bytes: text("t", "one"),
                        default_id: Some("u".into()),
                        expected_id: Some("u".into()),
                    },
                    mode: SaveMode::Update,
                },
                author: "a".into(),
                base_revision: None,
            })
            .unwrap_err();
        assert!(
            matches!(mismatch, WriteError::Invalid(ref p) if p[0].field.as_deref() == Some("id"))
        );
    }

    #[test]
    fn counters_and_recency_agree_with_a_recount_after_every_kind_of_write() {
        let (_dir, kb) = open();
        for id in ["a", "b", "c"] {
            kb.write(save(id, "one", SaveMode::Create, None)).unwrap();
        }
        kb.write(save("b", "two", SaveMode::Update, None)).unwrap();
        kb.write(change(
            Change::Withdraw {
                id: "c".into(),
                reason: "r".into(),
            },
            None,
        ))
        .unwrap();
        let kept = kb.stats().unwrap();
        assert_eq!((kept.documents, kept.withdrawn, kept.revisions), (2, 1, 5));
        assert_eq!(kept.by_type, vec![("report".to_string(), 2)]);
        assert_eq!(kept.by_region, vec![("africa".to_string(), 2)]);
        let recent: Vec<String> = kb.store().recent_ids().map(|r| r.unwrap()).collect();
        assert_eq!(
            recent.len(),
            2,
            "withdrawn documents leave the recency index"
        );
        let mut expected: Vec<DocumentRecord> = ["a", "b"]
            .iter()
            .map(|id| kb.document(id).unwrap().unwrap())
            .collect();
        expected.sort_by(|x, y| {
            (&y.last_modified, &y.first_ingested, &x.meta.id).cmp(&(
                &x.last_modified,
                &x.first_ingested,
                &y.meta.id,
            ))
        });
        let expected: Vec<String> = expected.into_iter().map(|r| r.meta.id).collect();
        assert_eq!(recent, expected, "the latest change first, then by id");
        kb.rebuild_summaries().unwrap();
        assert_eq!(kb.stats().unwrap(), kept);
        let rebuilt: Vec<String> = kb.store().recent_ids().map(|r| r.unwrap()).collect();
        assert_eq!(rebuilt, recent);
    }

    #[test]
    fn a_moved_file_records_its_new_origin_without_a_revision() {
        let (_dir, kb) = open();
        let ingest = |origin: &str, summary: &str| {
            kb.write(Write {
                change: Change::Save {
                    draft: Draft::Text {
                        file: "t.md".into(),
                        bytes: text("t", summary),
                        default_id: None,
                        expected_id: None,
                    },
                    mode: SaveMode::Ingest {
                        origin: Some(origin.into()),
                        force: false,
                    },
                },
                author: INGEST_AUTHOR.into(),
                base_revision: None,
            })
            .unwrap()
        };
        ingest("/a/t.md", "one");
        let moved = ingest("/b/t.md", "one");
        assert_eq!(
            (moved.outcome, moved.revision),
            (WriteOutcome::Unchanged, 1)
        );
        let record = kb.document("t").unwrap().unwrap();
        assert_eq!(record.origin.as_deref(), Some("/b/t.md"));
    }

    #[test]
    fn recent_documents_are_the_latest_changes_first_and_follow_the_search() {
        let (_dir, kb) = open();
        for i in 0..60 {
            let word = if i % 2 == 0 { "alpha" } else { "beta" };
            kb.write_uncommitted(save(&format!("d{i:02}"), word, SaveMode::Create, None))
                .unwrap();
        }
        for id in ["d00", "d01"] {
            kb.write_uncommitted(change(
                Change::Withdraw {
                    id: id.into(),
                    reason: "r".into(),
                },
                None,
            ))
            .unwrap();
        }
        kb.write_uncommitted(save("d10", "alpha again", SaveMode::Update, None))
            .unwrap();
        kb.commit().unwrap();
        let mut all: Vec<DocumentRecord> = kb
            .store()
            .records()
            .map(|r| r.unwrap())
            .filter(|r| !r.withdrawn)
            .collect();
        all.sort_by(|x, y| {
            (&y.last_modified, &y.first_ingested, &x.meta.id).cmp(&(
                &x.last_modified,
                &x.first_ingested,
                &y.meta.id,
            ))
        });
        let ids = |records: Vec<DocumentRecord>| -> Vec<String> {
            records.into_iter().map(|r| r.meta.id).collect()
        };
        let everything = SearchRequest::text("");
        let recent = kb.recent_documents(&everything, 50).unwrap();
        assert_eq!(recent.len(), 50);
        assert_eq!(ids(recent), ids(all.iter().take(50).cloned().collect()));
        let alpha = kb
            .recent_documents(&SearchRequest::text("alpha"), 50)
            .unwrap();
        let expected: Vec<DocumentRecord> = all
            .into_iter()
            .filter(|r| r.meta.summary.starts_with("alpha"))
            .collect();
        assert_eq!(expected.len(), 29, "d00 is withdrawn");
        assert_eq!(ids(alpha), ids(expected));
    }

    #[test]
    fn concurrent_curators_on_one_revision_one_wins_and_the_others_are_told() {
        let (_dir, kb) = open();
        kb.write(save("t", "base", SaveMode::Create, None)).unwrap();
        let kb = std::sync::Arc::new(kb);
        let outcomes: Vec<_> = (0..6)
            .map(|i| {
                let kb = kb.clone();
                std::thread::spawn(move || {
                    kb.write(save(
                        "t",
                        &format!("curator {i}"),
                        SaveMode::Update,
                        Some(1),
                    ))
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        let winners: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "exactly one edit of revision 1 lands");
        assert!(outcomes.iter().filter(|o| o.is_err()).all(|o| matches!(
            o,
            Err(WriteError::Stale {
                base: 1,
                current: 2,
                ..
            })
        )));
        let record = kb.document("t").unwrap().unwrap();
        assert_eq!(record.revision, 2);
        assert_eq!(record.meta.summary, winners[0].record.meta.summary);
        assert_eq!(kb.store().audit_log(0, 10).unwrap().1, 2);
    }
}
