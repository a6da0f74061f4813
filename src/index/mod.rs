//! The search index (tantivy), derived from the store: [`schema`] defines fields and analysers,
//! this module opens, writes and reconciles the index, [`query`] turns what a person typed into
//! a tantivy query, and [`search`] runs searches with disjunctive facets and snippets.

mod bonus;
mod error;
mod facets;
pub mod query;
pub mod request;
pub mod schema;
pub mod search;
mod snippet;
mod statistics;
pub mod vocabulary;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use tantivy::schema::{Facet, TantivyDocument};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

pub use error::{IndexError, Result};
pub use request::{
    Expansion, FacetCounts, FacetGroup, FacetValue, Hit, SearchError, SearchRequest,
    SearchResponse, Sort, SuggestedFilter,
};
pub use schema::Fields;

use crate::document::markdown::to_plain_text;
use crate::store::DocumentRecord;
use crate::taxonomy::{DocLang, Taxonomy};

const WRITER_MEMORY_BYTES: usize = 64 * 1024 * 1024;

/// The index, its reader, and a lazily opened writer (read-only commands never take the
/// writer's lock).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    facet_tables: facets::FacetTables,
    /// True when the index was just created (or recreated for a new schema) and is empty.
    pub fresh: bool,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent. An index built with another schema
    /// (an older Praxis) is discarded: it is derived data, and the caller rebuilds it.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        let (schema, fields) = schema::build();
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let mut fresh = false;
        let index = match Index::open_in_dir(dir) {
            Ok(index) if index.schema() == schema => index,
            Ok(_) | Err(tantivy::TantivyError::OpenDirectoryError(_)) => {
                fresh = true;
                Self::recreate(dir, schema)?
            }
            Err(tantivy::TantivyError::OpenReadError(_)) => {
                fresh = true;
                Self::recreate(dir, schema)?
            }
            Err(other) => return Err(other.into()),
        };
        schema::register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            facet_tables: facets::FacetTables::default(),
            fresh,
        })
    }

    fn recreate(dir: &Path, schema: tantivy::schema::Schema) -> Result<Index> {
        let io = |source| IndexError::Io {
            path: dir.display().to_string(),
            source,
        };
        std::fs::remove_dir_all(dir).map_err(io)?;
        std::fs::create_dir_all(dir).map_err(io)?;
        Ok(Index::create_in_dir(dir, schema)?)
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub(crate) fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            // One indexing thread: documents are small, and the machine's other core keeps
            // serving searches while a write commits.
            *guard = Some(self.index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?);
        }
        Ok(guard)
    }

    /// Adds (or replaces) the current state of a document. Withdrawn records are removed.
    /// Nothing is visible until [`commit`](Self::commit).
    pub fn put(&self, record: &DocumentRecord, taxonomy: &Taxonomy) -> Result<()> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer opened");
        writer.delete_term(Term::from_field_text(self.fields.id, record.id()));
        if !record.withdrawn {
            writer.add_document(self.to_tantivy(record, taxonomy))?;
        }
        Ok(())
    }

    pub fn delete(&self, id: &str) -> Result<()> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer opened");
        writer.delete_term(Term::from_field_text(self.fields.id, id));
        Ok(())
    }

    /// Removes every document (for a rebuild).
    pub fn clear(&self) -> Result<()> {
        let mut guard = self.writer()?;
        guard
            .as_mut()
            .expect("writer opened")
            .delete_all_documents()?;
        Ok(())
    }

    /// Makes every change so far durable and visible to searches. `generation` is the store's
    /// write generation that this commit reflects; it is kept in the commit so that the next
    /// start can tell whether store and index agree without comparing every document.
    pub fn commit(&self, generation: u64) -> Result<()> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer opened");
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&generation.to_string());
        prepared.commit()?;
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges every segment into one, and waits for it. A bulk write leaves a segment per
    /// `WRITER_MEMORY_BYTES` of indexed text, and every query pays for each segment (walking
    /// its term dictionaries for fuzzy matching above all): after a large ingest, one segment
    /// searches markedly faster. The merged segment keeps the last commit's payload. Call it
    /// after a commit; results do not change.
    pub fn merge_segments(&self) -> Result<()> {
        let mut guard = self.writer()?;
        // Merges the writer started in the background hold segments: let them finish first.
        // The next write opens a new writer.
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            let mut writer: IndexWriter =
                self.index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
            writer.merge(&segments).wait()?;
            writer.wait_merging_threads()?;
        }
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Reads what searches need from every segment ahead of the first search (facet values,
    /// years and id hashes, see [`facets`]): on 100,000 documents it takes about 0.1 s.
    pub fn warm(&self) -> Result<()> {
        self.facet_tables.for_searcher(&self.searcher())?;
        Ok(())
    }

    /// How many segments searches go through.
    pub fn segment_count(&self) -> usize {
        self.searcher().segment_readers().len()
    }

    /// The store generation of the last commit, if any.
    pub fn committed_generation(&self) -> Result<Option<u64>> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()))
    }

    /// `id → revision` of every document in the index, to compare with the store.
    pub fn indexed_versions(&self) -> Result<HashMap<String, u32>> {
        let searcher = self.searcher();
        let mut versions = HashMap::new();
        for segment in searcher.segment_readers() {
            let revisions = segment.fast_fields().u64("revision")?;
            let store = segment.get_store_reader(0)?;
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_some_and(|a| a.is_deleted(doc)) {
                    continue;
                }
                let stored: TantivyDocument = store.get(doc)?;
                if let Some(id) = schema::stored_text(&stored, self.fields.id) {
                    let revision = revisions.first(doc).unwrap_or(0) as u32;
                    versions.insert(id, revision);
                }
            }
        }
        Ok(versions)
    }

    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }

    fn to_tantivy(&self, record: &DocumentRecord, taxonomy: &Taxonomy) -> TantivyDocument {
        let meta = &record.meta;
        let f = &self.fields;
        let lang: DocLang = meta.language.parse().unwrap_or_default();
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, &meta.id);
        doc.add_u64(f.id_key, schema::id_key(&meta.id));
        doc.add_u64(f.revision, u64::from(record.revision));
        doc.add_i64(f.year, i64::from(meta.year));
        doc.add_text(f.title(lang), &meta.title);
        doc.add_text(f.summary(lang), &meta.summary);
        let body = to_plain_text(&record.body);
        for (field, text) in [
            (f.title(lang), &meta.title),
            (f.summary(lang), &meta.summary),
            (f.body(lang), &body),
        ] {
            let pairs = f
                .pairs_of(field)
                .expect("every text field has a pairs field");
            doc.add_text(pairs, text);
        }
        doc.add_text(f.raw_text, &meta.title);
        doc.add_text(f.raw_text, &meta.summary);
        doc.add_text(f.raw_text, &body);
        doc.add_text(f.body(lang), body);
        doc.add_text(
            f.hit_meta,
            serde_json::to_string(&schema::HitMeta::from(meta)).expect("serialises"),
        );

        let facet = |doc: &mut TantivyDocument, field, segments: &[&str]| {
            doc.add_facet(field, Facet::from_path(segments.iter().copied()));
        };
        facet(&mut doc, f.facet(FacetGroup::Type), &[&meta.doc_type]);
        facet(&mut doc, f.facet(FacetGroup::Language), &[&meta.language]);
        let decade = (meta.year.div_euclid(10) * 10).to_string();
        facet(&mut doc, f.facet(FacetGroup::Decade), &[&decade]);
        for theme in &meta.themes {
            facet(&mut doc, f.facet(FacetGroup::Theme), &[theme]);
        }
        for stage in &meta.stages {
            facet(&mut doc, f.facet(FacetGroup::Stage), &[stage]);
        }
        for mechanism in &meta.mechanism_types {
            facet(&mut doc, f.facet(FacetGroup::MechanismType), &[mechanism]);
        }
        for instrument in &meta.instruments {
            facet(&mut doc, f.facet(FacetGroup::Instrument), &[instrument]);
        }
        for country in &meta.countries {
            facet(&mut doc, f.facet(FacetGroup::Country), &[country]);
        }
        if let Some(shareable) = meta.shareable {
            facet(
                &mut doc,
                f.facet(FacetGroup::Shareable),
                &[if shareable { "yes" } else { "no" }],
            );
        }
        for path in region_paths(taxonomy, meta) {
            facet(&mut doc, f.facet(FacetGroup::Region), &path);
        }
        doc
    }
}

/// The region facet paths of a document: its explicit regions, and the region of each country.
/// Duplicates and ancestors of other paths are dropped (a facet implies its ancestors).
pub fn region_paths<'a>(
    taxonomy: &'a Taxonomy,
    meta: &'a crate::document::Metadata,
) -> Vec<Vec<&'a str>> {
    let geography = &taxonomy.geography;
    let mut paths: Vec<Vec<&str>> = meta
        .regions
        .iter()
        .map(|slug| geography.region_path(slug))
        .chain(meta.countries.iter().filter_map(|code| {
            let region = geography.country(code)?.region.as_deref()?;
            Some(geography.region_path(region))
        }))
        .filter(|p| !p.is_empty())
        .collect();
    paths.sort();
    paths.dedup();
    let all = paths.clone();
    paths.retain(|p| !all.iter().any(|q| q.len() > p.len() && q.starts_with(p)));
    paths
}
