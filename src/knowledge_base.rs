//! The knowledge base: the store of record and the search index derived from it, kept in
//! agreement. Everything that writes goes through here, in one order: store first (durable),
//! then index, then an index commit that records the store generation it reflects. After a
//! crash between the two, the generations differ and the next open repairs the index from
//! the store.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use serde::Serialize;

use crate::document::Document;
use crate::error::{Error, Result};
use crate::index::search::Related;
use crate::index::{SearchError, SearchIndex, SearchRequest, SearchResponse};
use crate::store::{DocumentRecord, Store, Upsert};
use crate::taxonomy::Taxonomy;

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
pub struct Repair {
    /// Documents (re)indexed because the index lacked them or held an older revision.
    pub reindexed: usize,
    /// Documents removed from the index because the store has them withdrawn or not at all.
    pub removed: usize,
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
        let repair = kb.ensure_consistent()?;
        if repair != Repair::default() {
            tracing::warn!(
                reindexed = repair.reindexed,
                removed = repair.removed,
                "the index disagreed with the store and was repaired"
            );
        }
        Ok(kb)
    }

    pub fn data_dir(&self) -> &Path {
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
        self.store.set_taxonomy_yaml(taxonomy.yaml())?;
        *self.taxonomy.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(taxonomy);
        Ok(())
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

    /// Compares store and index only when the index's last commit is not at the store's
    /// generation (after a crash, or a fresh index): then every document is compared.
    pub fn ensure_consistent(&self) -> Result<Repair> {
        let _writes = self.lock_writes();
        let generation = self.store.generation()?;
        if self.index.committed_generation()? == Some(generation) && !self.index.fresh {
            return Ok(Repair::default());
        }
        self.repair_locked()
    }

    /// Compares every document in the store with the index and fixes the differences.
    pub fn repair(&self) -> Result<Repair> {
        let _writes = self.lock_writes();
        self.repair_locked()
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
        let taxonomy = self.taxonomy();
        self.index.clear()?;
        let mut count = 0;
        for record in self.store.records() {
            let record = record?;
            if !record.withdrawn {
                self.index.put(&record, &taxonomy)?;
                count += 1;
            }
        }
        self.commit()?;
        if count >= crate::ingest::MERGE_AFTER_CHANGES {
            self.index.merge_segments()?;
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

    /// A document's current state, withdrawn or not.
    pub fn document(&self, id: &str) -> Result<Option<DocumentRecord>> {
        Ok(self.store.get(id)?)
    }

    /// Saves a document written by a curator: a new revision (or nothing, when unchanged),
    /// visible to searches when this returns.
    pub fn save_document(&self, document: &Document, author: &str) -> Result<Upsert> {
        let _writes = self.lock_writes();
        let outcome = self.store.upsert(document, None, author)?;
        if !matches!(outcome, Upsert::Unchanged { .. }) {
            if let Some(record) = self.store.get(&document.meta.id)? {
                self.index.put(&record, &self.taxonomy())?;
            }
            self.commit()?;
        }
        Ok(outcome)
    }

    /// Withdraws a document: gone from search, kept in history. `None` if there is no such
    /// active document.
    pub fn withdraw(&self, id: &str, author: &str) -> Result<Option<DocumentRecord>> {
        let _writes = self.lock_writes();
        let record = self.store.withdraw(id, author)?;
        if record.is_some() {
            self.index.delete(id)?;
            self.commit()?;
        }
        Ok(record)
    }

    pub fn stats(&self) -> Result<Stats> {
        use std::collections::BTreeMap;
        let taxonomy = self.taxonomy();
        let mut documents = 0;
        let mut withdrawn = 0;
        let mut revisions = 0;
        let mut by_type = BTreeMap::new();
        let mut by_language = BTreeMap::new();
        let mut by_region = BTreeMap::new();
        for record in self.store.records() {
            let record = record?;
            revisions += record.revision as usize;
            if record.withdrawn {
                withdrawn += 1;
                continue;
            }
            documents += 1;
            *by_type.entry(record.meta.doc_type.clone()).or_insert(0) += 1;
            *by_language.entry(record.meta.language.clone()).or_insert(0) += 1;
            let mut tops: Vec<&str> = crate::index::region_paths(&taxonomy, &record.meta)
                .into_iter()
                .map(|p| p[0])
                .collect();
            tops.sort();
            tops.dedup();
            for top in tops {
                *by_region.entry(top.to_string()).or_insert(0) += 1;
            }
        }
        Ok(Stats {
            documents,
            withdrawn,
            revisions,
            indexed: self.index.num_docs(),
            by_type: by_type.into_iter().collect(),
            by_language: by_language.into_iter().collect(),
            by_region: by_region.into_iter().collect(),
        })
    }
}
