//! The search index (tantivy), derived from the store: [`schema`] defines fields and analysers,
//! this module opens, writes and reconciles the index, [`query`] turns what a person typed into
//! a tantivy query, and [`search`] runs searches with disjunctive facets and snippets.

mod bonus;
mod error;
mod facets;
pub mod query;
pub(crate) mod request;
pub(crate) mod schema;
pub mod search;
mod snippet;
mod statistics;
pub(crate) mod vocabulary;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{Facet, TantivyDocument};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Term, Warmer};

pub(crate) use error::{IndexError, Result};
pub use request::{
    Expansion, FacetCounts, FacetGroup, FacetValue, Hit, SearchError, SearchRequest,
    SearchResponse, Sort, SuggestedFilter,
};
pub(crate) use schema::Fields;

use crate::document::markdown::to_plain_text;
use crate::store::DocumentRecord;
use crate::taxonomy::{DocLang, Taxonomy};

const WRITER_MEMORY_BYTES: usize = 64 * 1024 * 1024;
/// The most indexing memory a bulk write takes, shared by its threads: each thread writes a
/// segment when its share is full. With this much, the 100,000 generated documents fit in one
/// segment per thread, and the final merge, which wrote every term of the index a second time
/// (a fifth of the ingest's CPU time), has nothing to do. tantivy takes the memory as it needs
/// it, so a small ingest stays small.
const BULK_WRITER_MEMORY_MAX: usize = 3 << 30;
/// The least a bulk write takes, whatever the machine has free (256 MB was the fixed amount
/// before: 20 segments, merged again, at 100,000 documents).
const BULK_WRITER_MEMORY_MIN: usize = 256 << 20;

/// The indexing memory of a bulk write: a quarter of the memory the system says is available
/// (the store's cache, the parsed documents waiting to be written and a serving process need
/// the rest), between [`BULK_WRITER_MEMORY_MIN`] and [`BULK_WRITER_MEMORY_MAX`]. The minimum
/// where the system does not say.
fn bulk_writer_memory() -> usize {
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|meminfo| mem_available_bytes(&meminfo));
    available.map_or(BULK_WRITER_MEMORY_MIN, |bytes| {
        (bytes / 4).clamp(BULK_WRITER_MEMORY_MIN, BULK_WRITER_MEMORY_MAX)
    })
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes (the file gives kB).
fn mem_available_bytes(meminfo: &str) -> Option<usize> {
    let line = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))?;
    let kilobytes: usize = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kilobytes.checked_mul(1024)
}
/// The fewest documents a merged segment holds when [`SearchIndex::merge_segments`] cuts the
/// index into one segment per search thread: below it, a segment searches in well under a
/// millisecond, and handing it to another thread gains less than it costs.
const MIN_DOCS_PER_PART: u64 = 10_000;

/// How many threads search one request's segments at once: every core, up to four (a query
/// on more than four segments of one index is rare, and the writer needs a core too).
pub(crate) fn search_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
}

/// The segments (id, documents) cut into at most `threads` groups of about equal documents,
/// each group to be merged into one segment, and none under `min_docs` documents when
/// there is more than one. The largest segments are placed first, each into the group with
/// the fewest documents so far.
fn merge_parts<Id: Copy>(segments: &[(Id, u64)], threads: usize, min_docs: u64) -> Vec<Vec<Id>> {
    let total: u64 = segments.iter().map(|(_, docs)| docs).sum();
    let count = usize::try_from(total / min_docs.max(1))
        .unwrap_or(usize::MAX)
        .clamp(1, threads.max(1))
        .min(segments.len().max(1));
    let mut sorted: Vec<&(Id, u64)> = segments.iter().collect();
    sorted.sort_by_key(|segment| std::cmp::Reverse(segment.1));
    let mut parts: Vec<(u64, Vec<Id>)> = vec![(0, Vec::new()); count];
    for (id, docs) in sorted {
        let lightest = parts
            .iter_mut()
            .min_by_key(|(total, _)| *total)
            .expect("at least one part");
        lightest.0 += docs;
        lightest.1.push(*id);
    }
    parts
        .into_iter()
        .map(|(_, ids)| ids)
        .filter(|ids| !ids.is_empty())
        .collect()
}

/// The index, its reader, and a lazily opened writer (read-only commands never take the
/// writer's lock).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    /// Per-segment facet tables, filled by the reader's warming (see [`facets::FacetTables`]).
    facet_tables: Arc<facets::FacetTables>,
    /// True when the index was just created (or recreated for a new schema) and is empty.
    pub(crate) fresh: bool,
}

/// The stored documents are compressed in blocks that close once they hold this many bytes,
/// and a hit decompresses its whole block: at tantivy's default (16 KB) a block holds two to
/// three documents of the generated benchmark corpus, and decompressing the blocks of a page's
/// hits was most of a search's cache misses (BENCHMARKS.md, "Search tail, session 10"). At
/// 4 KB most blocks hold one document. Indexes built before keep their blocks until rebuilt.
const DOCSTORE_BLOCK_BYTES: usize = 4096;

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent. An index built with another schema
    /// (an older Praxis) is discarded: it is derived data, and the caller rebuilds it.
    pub(crate) fn open(dir: &Path) -> Result<SearchIndex> {
        let (schema, fields) = schema::build();
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let mut fresh = false;
        let mut index = match Index::open_in_dir(dir) {
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
        if search_threads() > 1 {
            // A request's segments are searched at once, one per thread (see `merge_segments`):
            // its latency falls, though a busy server answers no more requests a second.
            index.set_multithread_executor(search_threads())?;
        }
        let facet_tables = Arc::new(facets::FacetTables::default());
        // The reader holds the warmer weakly; `facet_tables` keeps it alive.
        let warmer: Arc<dyn Warmer> = facet_tables.clone();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![Arc::downgrade(&warmer)])
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            facet_tables,
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
        let settings = tantivy::IndexSettings {
            docstore_blocksize: DOCSTORE_BLOCK_BYTES,
            ..Default::default()
        };
        Ok(Index::builder()
            .schema(schema)
            .settings(settings)
            .create_in_dir(dir)?)
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

    /// Starts a bulk write (an ingest or a rebuild of thousands of documents): the writer
    /// indexes on every core with a larger memory, and merges no segments in the background.
    /// With one indexing thread and background merges, a 20,000-document ingest spent half
    /// of its indexing time on one core and a third of the process's time merging segments
    /// that the final [`merge_segments`](Self::merge_segments) merged again; here each
    /// document is indexed once and merged once. End it with `merge_segments` or
    /// [`end_bulk`](Self::end_bulk) after the commit; the next writes get the ordinary writer.
    /// Call it with nothing uncommitted: the ordinary writer is dropped.
    pub(crate) fn begin_bulk(&self) -> Result<()> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        let writer: IndexWriter = self
            .index
            .writer_with_num_threads(search_threads(), bulk_writer_memory())?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        *guard = Some(writer);
        Ok(())
    }

    /// Ends a bulk write without merging (after its commit): the ordinary writer, with its
    /// background merges, takes over at the next write.
    pub(crate) fn end_bulk(&self) -> Result<()> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        Ok(())
    }

    /// Adds (or replaces) the current state of a document. Withdrawn records are removed.
    /// Nothing is visible until [`commit`](Self::commit).
    pub(crate) fn put(&self, record: &DocumentRecord, taxonomy: &Taxonomy) -> Result<()> {
        let document = (!record.withdrawn).then(|| self.to_tantivy(record, taxonomy));
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer opened");
        writer.delete_term(Term::from_field_text(self.fields.id, record.id()));
        if let Some(document) = document {
            writer.add_document(document)?;
        }
        Ok(())
    }

    /// Adds a document the index cannot hold yet (the store had no record of it before this
    /// write): [`put`](Self::put) without the delete, which tantivy would otherwise look up
    /// in every segment at the next commit.
    pub(crate) fn add_new(&self, record: &DocumentRecord, taxonomy: &Taxonomy) -> Result<()> {
        if record.withdrawn {
            return Ok(());
        }
        let document = self.to_tantivy(record, taxonomy);
        let mut guard = self.writer()?;
        guard
            .as_mut()
            .expect("writer opened")
            .add_document(document)?;
        Ok(())
    }

    pub(crate) fn delete(&self, id: &str) -> Result<()> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer opened");
        writer.delete_term(Term::from_field_text(self.fields.id, id));
        Ok(())
    }

    /// Removes every document (for a rebuild).
    pub(crate) fn clear(&self) -> Result<()> {
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
    pub(crate) fn commit(&self, generation: u64) -> Result<()> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer opened");
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&generation.to_string());
        prepared.commit()?;
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges the segments into one per search thread (see [`search_threads`]), each holding
    /// about as many documents, and waits for the merges, which run at the same time. A bulk
    /// write leaves a segment each time a thread's share of its memory fills, and every query pays
    /// for each segment (walking its term dictionaries for fuzzy matching above all); one
    /// segment per core is searched by all cores at once, each walking half the documents. An
    /// index under [`MIN_DOCS_PER_PART`] documents a part is merged into one segment. The merged
    /// segments keep the last commit's payload. Call it after a commit; results do not change
    /// (BM25 reads the searcher's statistics, not a segment's).
    pub(crate) fn merge_segments(&self) -> Result<()> {
        self.merge_into_parts(search_threads(), MIN_DOCS_PER_PART)
    }

    fn merge_into_parts(&self, threads: usize, min_docs: u64) -> Result<()> {
        let mut guard = self.writer()?;
        // Merges the writer started in the background hold segments: let them finish first.
        // The next write opens a new writer.
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        let segments: Vec<(tantivy::index::SegmentId, u64)> = self
            .index
            .searchable_segment_metas()?
            .iter()
            .map(|meta| (meta.id(), u64::from(meta.num_docs())))
            .collect();
        let parts = merge_parts(&segments, threads, min_docs);
        if parts.iter().any(|part| part.len() > 1) {
            let mut writer: IndexWriter =
                self.index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
            // tantivy runs the merges of one writer on its merge threads, side by side.
            let merges: Vec<_> = parts
                .iter()
                .filter(|part| part.len() > 1)
                .map(|part| writer.merge(part))
                .collect();
            for merge in merges {
                merge.wait()?;
            }
            writer.wait_merging_threads()?;
        }
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Makes sure what searches need from every segment (facet values, years and id hashes,
    /// see [`facets`]) is read ahead of the first search. The reader's warmer reads it when
    /// the index opens and when a commit or merge makes a segment searchable (on 100,000
    /// documents about 0.1 s), so this finds it all read and returns at once.
    pub(crate) fn warm(&self) -> Result<()> {
        self.facet_tables.for_searcher(&self.searcher())?;
        Ok(())
    }

    /// How many segments searches go through.
    pub fn segment_count(&self) -> usize {
        self.searcher().segment_readers().len()
    }

    /// The store generation of the last commit, if any.
    pub(crate) fn committed_generation(&self) -> Result<Option<u64>> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()))
    }

    /// `id → revision` of every document in the index, to compare with the store. Ids come
    /// from the id column: a repair after a crash reads no stored document.
    pub fn indexed_versions(&self) -> Result<HashMap<String, u32>> {
        let searcher = self.searcher();
        let mut addresses = Vec::new();
        let mut revisions = Vec::new();
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            let revision = segment.fast_fields().u64("revision")?;
            for doc in segment.doc_ids_alive() {
                addresses.push(DocAddress::new(ordinal as u32, doc));
                revisions.push(revision.first(doc).unwrap_or(0) as u32);
            }
        }
        let ids = self.ids_of(&searcher, &addresses)?;
        Ok(ids
            .into_iter()
            .zip(revisions)
            .filter(|(id, _)| !id.is_empty())
            .collect())
    }

    /// The ids of documents, in the order given, read from the id column: no stored document
    /// (whose compressed blocks hold the texts too) is read. Each segment's dictionary is read
    /// once, front to back.
    pub(crate) fn ids_of(
        &self,
        searcher: &tantivy::Searcher,
        addresses: &[DocAddress],
    ) -> tantivy::Result<Vec<String>> {
        let mut ids = vec![String::new(); addresses.len()];
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let column = reader
                .fast_fields()
                .str("id")?
                .ok_or_else(|| tantivy::TantivyError::FieldNotFound("id".into()))?;
            // (term ordinal, position in `ids`) of this segment's documents, in term order.
            let mut wanted: Vec<(u64, usize)> = addresses
                .iter()
                .enumerate()
                .filter(|(_, address)| address.segment_ord as usize == segment)
                .filter_map(|(position, address)| {
                    let ord = column.term_ords(address.doc_id).next()?;
                    Some((ord, position))
                })
                .collect();
            wanted.sort_unstable();
            let ords: Vec<u64> = wanted.iter().map(|&(ord, _)| ord).collect();
            let mut positions = wanted.iter().map(|&(_, position)| position);
            column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                if let Some(position) = positions.next() {
                    ids[position] = String::from_utf8_lossy(bytes).into_owned();
                }
            })?;
        }
        Ok(ids)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_available_memory_is_read_from_meminfo_in_bytes() {
        let meminfo =
            "MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(mem_available_bytes(meminfo), Some(20_000_000 * 1024));
        assert_eq!(
            mem_available_bytes("MemTotal: 1 kB\n"),
            None,
            "no MemAvailable line"
        );
        assert_eq!(
            mem_available_bytes("MemAvailable: lots\n"),
            None,
            "not a number"
        );
        assert!((BULK_WRITER_MEMORY_MIN..=BULK_WRITER_MEMORY_MAX).contains(&bulk_writer_memory()));
    }
    use crate::Taxonomy;

    fn record(id: &str, country: &str, theme: &str, year: i32) -> DocumentRecord {
        let text = format!(
            "---\nid: {id}\ntitle: Commission {id}\ntype: report\nsummary: A commission on early warning\nthemes: [{theme}]\ncountries: [{country}]\nyear: {year}\nlanguage: en\nsources:\n  - url: https://example.org/{id}\n---\n\nEarly warning and prevention in {country}.\n"
        );
        let document = crate::document::validate::parse_document(
            "t.md",
            text.as_bytes(),
            None,
            &Taxonomy::builtin(),
        )
        .unwrap();
        DocumentRecord {
            content_hash: document.content_hash(),
            meta: document.meta,
            body: document.body,
            source_text: document.source_text,
            revision: 1,
            first_ingested: "2026-01-01T00:00:00Z".into(),
            last_modified: "2026-01-01T00:00:00Z".into(),
            withdrawn: false,
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawn_reason: None,
            origin: None,
        }
    }

    /// What a search shows that the facet tables decide: the total, the hits in order, and
    /// every group's counts.
    fn outcome(index: &SearchIndex, request: &SearchRequest) -> serde_json::Value {
        let response = index.search(request, &Taxonomy::builtin()).unwrap();
        let hits: Vec<&str> = response.hits.iter().map(|h| h.id.as_str()).collect();
        serde_json::json!({
            "total": response.total,
            "hits": hits,
            "facets": response.facets,
        })
    }

    #[test]
    fn the_collector_adds_the_language_bonus_to_hits_in_the_query_language_only() {
        let dir = tempfile::tempdir().unwrap();
        let taxonomy = Taxonomy::builtin();
        let index = SearchIndex::open(dir.path()).unwrap();
        let mut french = record("f1", "FR", "genocide", 2001);
        french.meta.language = "fr".into();
        index.put(&french, &taxonomy).unwrap();
        index
            .put(&record("e1", "KE", "genocide", 2001), &taxonomy)
            .unwrap();
        index.commit(1).unwrap();
        let searcher = index.searcher();
        let tables = index.facet_tables.for_searcher(&searcher).unwrap();
        let selection = facets::Selection::resolve(&searcher, &index.fields, &[]).unwrap();
        let collected = searcher
            .search(
                &tantivy::query::AllQuery,
                &facets::FacetedCollector {
                    tables: &tables,
                    selection: &selection,
                    counted: &[],
                    sort: Sort::Relevance,
                    top_n: 10,
                    scoring: true,
                    all_words_from: Some(1.5),
                    language_bonus: Some((Facet::from_path(["fr"]), 1.0)),
                },
            )
            .unwrap();
        // Every document scores 1 for AllQuery; the French one gets the bonus on top.
        let scores: Vec<(String, f32)> = collected
            .top
            .iter()
            .map(|(key, address)| {
                let doc: TantivyDocument = searcher.doc(*address).unwrap();
                (schema::stored_text(&doc, index.fields.id).unwrap(), key.0)
            })
            .collect();
        assert_eq!(
            scores,
            vec![("f1".to_string(), 2.0), ("e1".to_string(), 1.0)]
        );
        // The bonus counts before the all-words threshold, as a clause's score did.
        assert_eq!(collected.all_words, Some(1));
    }

    #[test]
    fn queries_skip_the_fields_of_languages_the_index_has_no_text_in() {
        let dir = tempfile::tempdir().unwrap();
        let taxonomy = Taxonomy::builtin();
        let index = SearchIndex::open(dir.path()).unwrap();
        index
            .put(&record("k1", "KE", "genocide", 2001), &taxonomy)
            .unwrap();
        index.commit(1).unwrap();
        let searcher = index.searcher();
        let vocabulary = vocabulary::QueryVocabulary::of(&taxonomy);
        let fields_searched = |builder: query::QueryBuilder| {
            let mut builder = builder;
            let text = builder
                .build(
                    &query::parse("early warning commission"),
                    query::Combine::Bands,
                )
                .expect("a query");
            let mut fields = Vec::new();
            text.matching
                .query_terms(&mut |term, _| fields.push(term.field()));
            fields
        };
        let english = [
            index.fields.title(DocLang::En),
            index.fields.summary(DocLang::En),
            index.fields.body(DocLang::En),
        ];
        // Without an index to look at, every language's fields are searched ...
        let all = fields_searched(query::QueryBuilder::new(&index.fields, &vocabulary));
        assert!(all.contains(&index.fields.body(DocLang::Fr)));
        // ... with one holding only English documents, the other languages' text fields are not.
        let searched = fields_searched(
            query::QueryBuilder::new(&index.fields, &vocabulary).with_vocabulary(&searcher),
        );
        assert!(english.iter().all(|f| searched.contains(f)), "{searched:?}");
        for lang in [DocLang::Fr, DocLang::Es, DocLang::Pt, DocLang::Ar] {
            for field in [
                index.fields.title(lang),
                index.fields.summary(lang),
                index.fields.body(lang),
            ] {
                assert!(!searched.contains(&field), "{lang:?} searched");
            }
        }
        let found = index
            .search(
                &SearchRequest {
                    q: "early warning commission".into(),
                    ..SearchRequest::default()
                },
                &taxonomy,
            )
            .unwrap();
        assert_eq!(found.total, 1);
    }

    #[test]
    fn the_warmer_reads_each_segments_facet_table_once_and_drops_merged_segments() {
        let dir = tempfile::tempdir().unwrap();
        let taxonomy = Taxonomy::builtin();
        let index = SearchIndex::open(dir.path()).unwrap();
        let batches = [
            [
                ("a1", "KE", "genocide", 2001),
                ("a2", "RW", "hate-speech", 2005),
            ],
            [
                ("b1", "KE", "hate-speech", 2010),
                ("b2", "FR", "genocide", 2015),
            ],
            [
                ("c1", "CO", "genocide", 2020),
                ("c2", "KE", "genocide", 2021),
            ],
        ];
        for (generation, batch) in batches.iter().enumerate() {
            for &(id, country, theme, year) in batch {
                index
                    .put(&record(id, country, theme, year), &taxonomy)
                    .unwrap();
            }
            index.commit(generation as u64 + 1).unwrap();
            // The reload warmed the new segment before any search asked for it.
            assert_eq!(index.facet_tables.len(), generation + 1);
        }
        assert_eq!(index.segment_count(), 3);

        let mut requests = vec![
            SearchRequest::default(),
            SearchRequest {
                q: "early warning".into(),
                ..SearchRequest::default()
            },
        ];
        let mut filtered = SearchRequest::default();
        filtered
            .filters
            .insert(FacetGroup::Theme, vec!["genocide".into()]);
        filtered
            .filters
            .insert(FacetGroup::Country, vec!["KE".into()]);
        requests.push(filtered);
        let before: Vec<_> = requests.iter().map(|r| outcome(&index, r)).collect();
        assert_eq!(before[0]["total"], 6);
        assert_eq!(before[2]["total"], 2, "{}", before[2]);

        index.merge_segments().unwrap();
        assert_eq!(index.segment_count(), 1);
        // tantivy's collector runs every second; run it now, with the one live searcher.
        let searcher = index.searcher();
        index.facet_tables.garbage_collect(&[searcher.generation()]);
        assert_eq!(index.facet_tables.len(), 1, "merged-away segments dropped");
        let after: Vec<_> = requests.iter().map(|r| outcome(&index, r)).collect();
        assert_eq!(before, after);

        // A reopened index's warmer reads the same tables; searches agree again.
        drop(searcher);
        drop(index);
        let reopened = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(reopened.facet_tables.len(), 1);
        let reopened: Vec<_> = requests.iter().map(|r| outcome(&reopened, r)).collect();
        assert_eq!(before, reopened);
    }

    #[test]
    fn an_index_merged_into_a_segment_per_thread_answers_as_one_segment_does() {
        let dir = tempfile::tempdir().unwrap();
        let taxonomy = Taxonomy::builtin();
        let index = SearchIndex::open(dir.path()).unwrap();
        let countries = ["KE", "RW", "FR", "CO", "GT", "KH"];
        let themes = ["genocide", "hate-speech", "early-warning"];
        for batch in 0..4 {
            for n in 0..6 {
                let id = format!("d{batch}{n}");
                let doc = record(&id, countries[n], themes[(batch + n) % 3], 2000 + n as i32);
                index.put(&doc, &taxonomy).unwrap();
            }
            index.commit(batch as u64 + 1).unwrap();
        }
        let mut filtered = SearchRequest {
            q: "early warning prevention".into(),
            ..SearchRequest::default()
        };
        filtered
            .filters
            .insert(FacetGroup::Theme, vec!["genocide".into()]);
        let requests = [
            SearchRequest::default(),
            SearchRequest {
                q: "commission d12".into(),
                ..SearchRequest::default()
            },
            filtered,
        ];

        index.merge_into_parts(2, 5).unwrap();
        assert_eq!(index.segment_count(), 2);
        let two: Vec<_> = requests.iter().map(|r| outcome(&index, r)).collect();
        assert_eq!(two[0]["total"], 24);
        index.merge_into_parts(1, 5).unwrap();
        assert_eq!(index.segment_count(), 1);
        let one: Vec<_> = requests.iter().map(|r| outcome(&index, r)).collect();
        assert_eq!(two, one);
    }

    #[test]
    fn segments_are_cut_into_parts_of_about_equal_documents() {
        // Ten segments of a bulk write, 100,000 documents, two threads: two halves.
        let segments: Vec<(usize, u64)> = (0..10).map(|i| (i, 9_000 + 200 * i as u64)).collect();
        let parts = merge_parts(&segments, 2, 10_000);
        assert_eq!(parts.len(), 2);
        let docs = |part: &Vec<usize>| part.iter().map(|&i| segments[i].1).sum::<u64>();
        let (a, b) = (docs(&parts[0]), docs(&parts[1]));
        assert_eq!(a + b, 99_000);
        assert!(a.abs_diff(b) <= 1_000, "{a} and {b}");

        // Too few documents for two parts of 10,000: one segment.
        assert_eq!(merge_parts(&segments[..2], 2, 10_000).len(), 1);
        // Fewer segments than threads: no empty parts.
        assert_eq!(merge_parts(&[(0, 50_000)], 4, 10_000), vec![vec![0]]);
        assert_eq!(
            merge_parts::<usize>(&[], 4, 10_000),
            Vec::<Vec<usize>>::new()
        );
    }
}
