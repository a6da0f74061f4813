//! How a search filters, counts and ranks in one pass over the documents its text matches.
//!
//! Disjunctive counts need, for each group with a selection, the documents that pass every
//! *other* group's filter. Running the text query once per such group multiplies its cost, so
//! instead the text query runs once without facet filters, and for each match the collector
//! works out which selected groups it fails:
//!
//! - none: it is a hit; it is ranked and counted in every group;
//! - exactly one, G: it is not a hit, but it is what G's other values would add, so it is
//!   counted in G only;
//! - more than one: it is skipped (and with two or more selected groups, a prefilter keeps
//!   such documents from being scored at all).
//!
//! Reading facet values through tantivy's columns for every match and group is the other
//! cost, so each segment's values are decoded once into plain arrays ([`SegmentFacets`]) and
//! kept while the segment lives: segments never change once written. [`FacetTables`] is a
//! tantivy [`Warmer`]: the tables are read when a segment becomes searchable.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{BitSet, DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, Term};
use tantivy::{Searcher, SearcherGeneration, Warmer, TERMINATED};

use super::request::{FacetGroup, Sort};
use super::Fields;

/// What results are ordered by, compared descending: (primary, secondary, id hash). The id
/// hash makes the order of equal results the same on every run and after every rebuild.
pub(crate) type SortKey = (f32, f32, u64);

/// Orders sort keys best first.
pub(crate) fn compare_keys(a: &SortKey, b: &SortKey) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0)
        .then_with(|| b.1.total_cmp(&a.1))
        .then_with(|| b.2.cmp(&a.2))
}

/// One group's values in one segment: every facet path that occurs (each value and each of its
/// ancestors, so that a region counts every document of its sub-regions), and for each
/// document the indices of its paths, without repeats.
struct GroupValues {
    paths: Vec<String>,
    starts: Vec<u32>,
    nodes: Vec<u32>,
}

impl GroupValues {
    fn read(reader: &SegmentReader, group: FacetGroup) -> tantivy::Result<GroupValues> {
        let facets = reader.facet_reader(&format!("facet_{}", group.key()))?;
        let mut paths: Vec<String> = Vec::new();
        let mut index_of: HashMap<String, u32> = HashMap::new();
        // For each facet ordinal of the segment, its path and its ancestors' paths.
        let mut ord_nodes: Vec<Vec<u32>> = Vec::with_capacity(facets.num_facets());
        let mut facet = Facet::root();
        for ord in 0..facets.num_facets() as u64 {
            facets.facet_from_ord(ord, &mut facet)?;
            let parts = facet.to_path();
            let mut nodes = Vec::with_capacity(parts.len());
            for depth in 1..=parts.len() {
                let path = Facet::from_path(&parts[..depth]).to_path_string();
                let next = paths.len() as u32;
                let node = *index_of.entry(path.clone()).or_insert_with(|| {
                    paths.push(path);
                    next
                });
                nodes.push(node);
            }
            ord_nodes.push(nodes);
        }
        let max_doc = reader.max_doc();
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut nodes = Vec::with_capacity(max_doc as usize);
        let mut of_doc: Vec<u32> = Vec::new();
        for doc in 0..max_doc {
            starts.push(nodes.len() as u32);
            of_doc.clear();
            for ord in facets.facet_ords(doc) {
                of_doc.extend_from_slice(&ord_nodes[ord as usize]);
            }
            if of_doc.len() > 1 {
                of_doc.sort_unstable();
                of_doc.dedup();
            }
            nodes.extend_from_slice(&of_doc);
        }
        starts.push(nodes.len() as u32);
        Ok(GroupValues {
            paths,
            starts,
            nodes,
        })
    }

    #[inline(always)]
    fn of(&self, doc: DocId) -> &[u32] {
        let doc = doc as usize;
        &self.nodes[self.starts[doc] as usize..self.starts[doc + 1] as usize]
    }
}

/// How many paths a [`Row`] holds: of the 100,000 generated documents, 4 have more (26 at most:
/// countries with their regions and sub-regions, themes, stages, …); a document with more is read from
/// [`SegmentFacets::all`].
const ROW_PATHS: usize = 25;
/// A row's `len` when its document's paths are not in it.
const OVERFLOW: u16 = u16::MAX;

/// What the collector reads for each document it visits, in one cache line: its sort values
/// and its paths (in the numbering shared by all groups). The matches of a search are
/// scattered over the segment, so each separate array read for a match (where its paths
/// start, its paths, its year, its id hash) was a cache miss of its own.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Row {
    id_key: u64,
    year: i32,
    /// How many of `paths` are the document's, or [`OVERFLOW`].
    len: u16,
    /// In ascending order, so a group's paths are one run (groups are numbered in order).
    paths: [u16; ROW_PATHS],
}

/// A segment's facet values, years and id hashes as plain arrays, indexed by document.
pub(crate) struct SegmentFacets {
    /// Each group's paths; a path's index is its number within the group.
    paths: Vec<Vec<String>>,
    /// Where each group's paths start in a numbering shared by all groups (and where the last
    /// ends).
    group_starts: Vec<u32>,
    /// By document.
    rows: Vec<Row>,
    /// For each document, all its paths in the shared numbering: read for the documents whose
    /// paths do not fit in their [`Row`].
    all: GroupValues,
}

impl SegmentFacets {
    fn read(reader: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let groups = FacetGroup::ALL
            .iter()
            .map(|&group| GroupValues::read(reader, group))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let fast = reader.fast_fields();
        let years = fast.i64("year")?.first_or_default_col(0);
        let ids = fast.u64("id_key")?.first_or_default_col(0);
        let max_doc = reader.max_doc();
        let mut group_starts = vec![0];
        for group in &groups {
            group_starts.push(group_starts.last().unwrap() + group.paths.len() as u32);
        }
        let fits_u16 = *group_starts.last().unwrap() <= u32::from(u16::MAX);
        let mut all = GroupValues {
            paths: Vec::new(),
            starts: Vec::with_capacity(max_doc as usize + 1),
            nodes: Vec::new(),
        };
        let mut rows = Vec::with_capacity(max_doc as usize);
        for doc in 0..max_doc {
            let first = all.nodes.len();
            all.starts.push(first as u32);
            for (group, start) in groups.iter().zip(&group_starts) {
                all.nodes
                    .extend(group.of(doc).iter().map(|node| start + node));
            }
            let of_doc = &all.nodes[first..];
            let mut row = Row {
                id_key: ids.get_val(doc),
                year: years.get_val(doc) as i32,
                len: OVERFLOW,
                paths: [0; ROW_PATHS],
            };
            if fits_u16 && of_doc.len() <= ROW_PATHS {
                row.len = of_doc.len() as u16;
                for (slot, &node) in row.paths.iter_mut().zip(of_doc) {
                    *slot = node as u16;
                }
            }
            rows.push(row);
        }
        all.starts.push(all.nodes.len() as u32);
        tracing::debug!(
            documents = max_doc,
            overflowing = rows.iter().filter(|row| row.len == OVERFLOW).count(),
            most_paths = (0..max_doc).map(|doc| all.of(doc).len()).max().unwrap_or(0),
            "facet rows read"
        );
        Ok(SegmentFacets {
            paths: groups.into_iter().map(|group| group.paths).collect(),
            group_starts,
            rows,
            all,
        })
    }

    /// Calls `f` with each path of `doc` (whose row is `row`), in the shared numbering.
    #[inline(always)]
    fn for_each_path(&self, doc: DocId, row: &Row, mut f: impl FnMut(u32)) {
        if row.len == OVERFLOW {
            for &node in self.all.of(doc) {
                f(node);
            }
        } else {
            for &node in &row.paths[..row.len as usize] {
                f(u32::from(node));
            }
        }
    }

    #[inline]
    fn sort_key(sort: Sort, row: &Row, score: Score) -> SortKey {
        let year = row.year as f32;
        match sort {
            Sort::Relevance => (score, year, row.id_key),
            Sort::Newest => (year, score, row.id_key),
            Sort::Oldest => (-year, score, row.id_key),
        }
    }
}

/// The [`SegmentFacets`] of every searchable segment, kept by tantivy's warming mechanism:
/// the index reader calls [`Warmer::warm`] with each new searcher before handing it out (when
/// the reader opens and at every reload after a commit or a merge), so a segment's table is
/// read once, when the segment becomes searchable, never in a search; and
/// [`Warmer::garbage_collect`] drops the tables of segments that no searcher still in use
/// holds (merged away, or replaced by a commit's deletes).
#[derive(Default)]
pub(crate) struct FacetTables {
    by_segment: RwLock<HashMap<SegmentId, Arc<SegmentFacets>>>,
}

impl FacetTables {
    fn get(&self, segment: SegmentId) -> Option<Arc<SegmentFacets>> {
        self.by_segment
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&segment)
            .cloned()
    }

    /// The table of a segment, read and kept if it is not yet.
    fn get_or_read(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentFacets>> {
        if let Some(table) = self.get(reader.segment_id()) {
            return Ok(table);
        }
        // Read without the lock held: searches of other segments go on meanwhile.
        let table = Arc::new(SegmentFacets::read(reader)?);
        Ok(self
            .by_segment
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(reader.segment_id())
            .or_insert(table)
            .clone())
    }

    /// The tables of the searcher's segments, in segment order. The warmer read them before
    /// the searcher existed; a table missing all the same (a searcher from a reader without
    /// this warmer) is read here rather than failing the search.
    pub(crate) fn for_searcher(
        &self,
        searcher: &Searcher,
    ) -> tantivy::Result<Vec<Arc<SegmentFacets>>> {
        searcher
            .segment_readers()
            .iter()
            .map(|reader| self.get_or_read(reader))
            .collect()
    }

    /// How many segments have a table (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_segment.read().unwrap().len()
    }
}

impl Warmer for FacetTables {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for reader in searcher.segment_readers() {
            self.get_or_read(reader)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live: HashSet<SegmentId> = live_generations
            .iter()
            .flat_map(|generation| generation.segments().keys().copied())
            .collect();
        self.by_segment
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|segment, _| live.contains(segment));
    }
}

/// The selected facet values of one search, resolved per segment: for each selected group
/// (in request order: its bit), the documents that pass its filter.
pub(crate) struct Selection {
    groups: Vec<FacetGroup>,
    segments: Vec<SegmentId>,
    /// By segment ordinal, then by group.
    passing: Vec<Arc<[BitSet]>>,
}

impl Selection {
    /// `selected`: each group with a selection, and the facet of each selected value (a
    /// facet term matches the value and every value below it).
    pub(crate) fn resolve(
        searcher: &Searcher,
        fields: &Fields,
        selected: &[(FacetGroup, Vec<Facet>)],
    ) -> tantivy::Result<Selection> {
        let mut passing = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let mut per_group = Vec::with_capacity(selected.len());
            for (group, facets) in selected {
                let field = fields.facet(*group);
                let inverted = reader.inverted_index(field)?;
                let mut docs = BitSet::with_max_value(reader.max_doc());
                for facet in facets {
                    let term = Term::from_facet(field, facet);
                    if let Some(mut postings) =
                        inverted.read_postings(&term, IndexRecordOption::Basic)?
                    {
                        let mut doc = postings.doc();
                        while doc != TERMINATED {
                            docs.insert(doc);
                            doc = postings.advance();
                        }
                    }
                }
                per_group.push(docs);
            }
            passing.push(Arc::from(per_group));
        }
        Ok(Selection {
            groups: selected.iter().map(|(g, _)| *g).collect(),
            segments: searcher
                .segment_readers()
                .iter()
                .map(|r| r.segment_id())
                .collect(),
            passing,
        })
    }

    /// With two or more selected groups, a query that matches only documents failing at most
    /// one of them: the others can neither be hits nor be counted.
    pub(crate) fn prefilter(&self) -> Option<Prefilter> {
        if self.groups.len() < 2 {
            return None;
        }
        let by_segment = self
            .segments
            .iter()
            .zip(&self.passing)
            .map(|(segment, groups)| {
                let max_doc = groups[0].max_value();
                let mut docs = BitSet::with_max_value(max_doc);
                let mut words = vec![0u64; groups.len()];
                for bucket in 0..max_doc.div_ceil(64) {
                    for (word, group) in words.iter_mut().zip(groups.iter()) {
                        *word = u64::from_le_bytes(group.tinyset(bucket).into_bytes());
                    }
                    // Documents passing every group but at most one: for each group, those
                    // passing all the others.
                    let mut at_most_one_failed = 0;
                    for skipped in 0..words.len() {
                        let mut passing_others = u64::MAX;
                        for (index, word) in words.iter().enumerate() {
                            if index != skipped {
                                passing_others &= word;
                            }
                        }
                        at_most_one_failed |= passing_others;
                    }
                    while at_most_one_failed != 0 {
                        let bit = at_most_one_failed.trailing_zeros();
                        docs.insert(bucket * 64 + bit);
                        at_most_one_failed &= at_most_one_failed - 1;
                    }
                }
                (*segment, Arc::new(docs))
            })
            .collect();
        Some(Prefilter {
            by_segment: Arc::new(by_segment),
        })
    }
}

/// Documents of each segment, as a query that scores nothing (see [`Selection::prefilter`]).
#[derive(Clone)]
pub(crate) struct Prefilter {
    by_segment: Arc<Vec<(SegmentId, Arc<BitSet>)>>,
}

impl std::fmt::Debug for Prefilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Prefilter")
    }
}

impl Query for Prefilter {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Prefilter {
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<&BitSet> {
        self.by_segment
            .iter()
            .find(|(segment, _)| *segment == reader.segment_id())
            .map(|(_, docs)| docs.as_ref())
            .ok_or_else(|| {
                // The searcher that resolved the selection is the one searching.
                tantivy::TantivyError::InternalError("prefilter: unknown segment".into())
            })
    }
}

impl Weight for Prefilter {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self.docs(reader)?.clone();
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), 0.0)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.docs(reader)?.contains(doc) {
            Ok(Explanation::new("Prefilter", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )))
        }
    }
}

/// Ranks, counts hits and counts facet values disjunctively, in one pass (see the module).
pub(crate) struct FacetedCollector<'a> {
    /// By segment ordinal, from [`FacetTables::for_searcher`] on the searching searcher.
    pub(crate) tables: &'a [Arc<SegmentFacets>],
    pub(crate) selection: &'a Selection,
    pub(crate) counted: &'a [FacetGroup],
    pub(crate) sort: Sort,
    /// How many of the best to keep: the requested page and all pages before it.
    pub(crate) top_n: usize,
    pub(crate) scoring: bool,
    /// Counts the matches scoring at least this: those with every word of a banded query.
    pub(crate) all_words_from: Option<f32>,
}

/// What a [`FacetedCollector`] found.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// The best `top_n`, best first.
    pub(crate) top: Vec<(SortKey, DocAddress)>,
    pub(crate) total: usize,
    /// How many of `total` scored at least `all_words_from`, when asked.
    pub(crate) all_words: Option<usize>,
    /// For each counted group, the count of each facet path (values and their ancestors).
    pub(crate) counts: HashMap<FacetGroup, HashMap<String, u64>>,
}

impl Collector for FacetedCollector<'_> {
    type Fruit = Collected;
    type Child = FacetedSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<FacetedSegmentCollector> {
        let table = self.tables[segment as usize].clone();
        let counts = vec![0; *table.group_starts.last().expect("one start per group") as usize];
        Ok(FacetedSegmentCollector {
            segment,
            passing: self
                .selection
                .passing
                .get(segment as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from(Vec::new())),
            counted: self.counted.iter().map(|g| g.index()).collect(),
            counting_all: FacetGroup::ALL.iter().all(|g| self.counted.contains(g)),
            counted_paths: table
                .group_starts
                .windows(2)
                .zip(FacetGroup::ALL)
                .flat_map(|(range, group)| {
                    let counted = self.counted.contains(&group);
                    (range[0]..range[1]).map(move |_| counted)
                })
                .collect(),
            counted_when_failing: self
                .selection
                .groups
                .iter()
                .map(|g| self.counted.contains(g).then(|| g.index()))
                .collect(),
            counts,
            table,
            total: 0,
            all_words_from: self.all_words_from,
            all_words: 0,
            sort: self.sort,
            top_n: self.top_n.max(1),
            top: Vec::new(),
            threshold: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected::default();
        for fruit in fruits {
            merged.top.extend(fruit.top);
            merged.total += fruit.total;
            if let Some(all) = fruit.all_words {
                *merged.all_words.get_or_insert(0) += all;
            }
            for (group, counts) in fruit.counts {
                let into = merged.counts.entry(group).or_default();
                for (path, count) in counts {
                    *into.entry(path).or_default() += count;
                }
            }
        }
        merged.top.sort_by(|a, b| compare_keys(&a.0, &b.0));
        merged.top.truncate(self.top_n);
        Ok(merged)
    }
}

pub(crate) struct FacetedSegmentCollector {
    segment: SegmentOrdinal,
    table: Arc<SegmentFacets>,
    /// For each selected group (its bit), the documents that pass its filter.
    passing: Arc<[BitSet]>,
    /// Indices of the counted groups.
    counted: Vec<usize>,
    counting_all: bool,
    /// For each path of the shared numbering, whether its group is counted.
    counted_paths: Vec<bool>,
    /// For each selected group, its index if it is counted.
    counted_when_failing: Vec<Option<usize>>,
    /// The count of each of the segment's paths, in the numbering shared by all groups.
    counts: Vec<u32>,
    total: usize,
    all_words_from: Option<f32>,
    all_words: usize,
    sort: Sort,
    top_n: usize,
    /// Candidates for the top; pruned to `top_n` whenever it reaches twice that.
    top: Vec<(SortKey, DocId)>,
    /// A document must rank above this to be a candidate.
    threshold: Option<SortKey>,
}

/// Counts the paths of `paths` (ascending) that are in `start..end`.
#[inline(always)]
fn count_range<T: Copy + Into<u32>>(paths: &[T], start: u32, end: u32, counts: &mut [u32]) {
    let first = paths.partition_point(|&node| node.into() < start);
    for &node in &paths[first..] {
        let node: u32 = node.into();
        if node >= end {
            break;
        }
        counts[node as usize] += 1;
    }
}

impl FacetedSegmentCollector {
    fn prune(&mut self) {
        if self.top.len() > self.top_n {
            self.top
                .select_nth_unstable_by(self.top_n, |a, b| compare_keys(&a.0, &b.0));
            self.threshold = Some(self.top[self.top_n].0);
            self.top.truncate(self.top_n);
        }
    }
}

impl SegmentCollector for FacetedSegmentCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let mut failed = None;
        for (bit, passing) in self.passing.iter().enumerate() {
            if !passing.contains(doc) {
                if failed.is_some() {
                    return;
                }
                failed = Some(bit);
            }
        }
        let table = &*self.table;
        let row = &table.rows[doc as usize];
        let counts = &mut self.counts;
        if let Some(bit) = failed {
            if let Some(group) = self.counted_when_failing[bit] {
                // Counted in its group only: the group's paths are a range of the numbering,
                // and a document's paths are in ascending order.
                let (start, end) = (table.group_starts[group], table.group_starts[group + 1]);
                if row.len == OVERFLOW {
                    count_range(table.all.of(doc), start, end, counts);
                } else {
                    count_range(&row.paths[..row.len as usize], start, end, counts);
                }
            }
            return;
        }
        self.total += 1;
        if self.all_words_from.is_some_and(|from| score >= from) {
            self.all_words += 1;
        }
        if self.counting_all {
            table.for_each_path(doc, row, |node| counts[node as usize] += 1);
        } else {
            let counted = &self.counted_paths;
            table.for_each_path(doc, row, |node| {
                if counted[node as usize] {
                    counts[node as usize] += 1;
                }
            });
        }
        let key = SegmentFacets::sort_key(self.sort, row, score);
        if let Some(threshold) = &self.threshold {
            if compare_keys(&key, threshold) != std::cmp::Ordering::Less {
                return;
            }
        }
        self.top.push((key, doc));
        if self.top.len() >= self.top_n.saturating_mul(2) {
            self.prune();
        }
    }

    fn harvest(mut self) -> Collected {
        self.prune();
        let segment = self.segment;
        let mut top: Vec<(SortKey, DocAddress)> = self
            .top
            .into_iter()
            .map(|(key, doc)| (key, DocAddress::new(segment, doc)))
            .collect();
        top.sort_by(|a, b| compare_keys(&a.0, &b.0));
        let mut counts = HashMap::new();
        for &group in &self.counted {
            let paths = &self.table.paths[group];
            let start = self.table.group_starts[group] as usize;
            let by_path: HashMap<String, u64> = self.counts[start..start + paths.len()]
                .iter()
                .enumerate()
                .filter(|(_, &count)| count > 0)
                .map(|(node, &count)| (paths[node].clone(), u64::from(count)))
                .collect();
            counts.insert(FacetGroup::ALL[group], by_path);
        }
        Collected {
            top,
            total: self.total,
            all_words: self.all_words_from.map(|_| self.all_words),
            counts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{SearchIndex, SearchRequest};
    use crate::store::DocumentRecord;
    use crate::Taxonomy;

    fn record(id: &str, countries: &[&str]) -> DocumentRecord {
        let text = format!(
            "---\nid: {id}\ntitle: Commission {id}\ntype: report\nsummary: A commission on early warning\nthemes: [genocide]\ncountries: [{}]\nyear: 2001\nlanguage: en\nsources:\n  - url: https://example.org/{id}\n---\n\nEarly warning.\n",
            countries.join(", ")
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

    #[test]
    fn a_document_with_more_paths_than_a_row_holds_is_read_and_counted_whole() {
        let dir = tempfile::tempdir().unwrap();
        let taxonomy = Taxonomy::builtin();
        let index = SearchIndex::open(dir.path()).unwrap();
        // Thirty countries are thirty country paths and their regions' paths.
        let many = [
            "KE", "RW", "FR", "CO", "DE", "ES", "IT", "NG", "GH", "ZA", "EG", "MA", "BR", "AR",
            "CL", "PE", "MX", "US", "CA", "JP", "CN", "IN", "PK", "BD", "ID", "PH", "TH", "VN",
            "AU", "NZ",
        ];
        index.put(&record("wide", &many), &taxonomy).unwrap();
        index.put(&record("narrow", &["KE"]), &taxonomy).unwrap();
        index.commit(1).unwrap();

        let searcher = index.searcher();
        let tables = index.facet_tables.for_searcher(&searcher).unwrap();
        let table = &tables[0];
        let mut overflowing = 0;
        for doc in 0..searcher.segment_reader(0).max_doc() {
            let row = &table.rows[doc as usize];
            let mut from_row = Vec::new();
            table.for_each_path(doc, row, |node| from_row.push(node));
            assert_eq!(from_row, table.all.of(doc), "document {doc}");
            if row.len == OVERFLOW {
                overflowing += 1;
                assert!(from_row.len() > ROW_PATHS);
            }
        }
        assert_eq!(
            overflowing, 1,
            "the wide document overflows, the narrow one fits"
        );

        // Counted whole in a search, and counted in its group only when it fails one filter.
        let countries = |request: &SearchRequest| -> Vec<(String, u64)> {
            let response = index.search(request, &taxonomy).unwrap();
            let group = response
                .facets
                .iter()
                .find(|f| f.group == FacetGroup::Country)
                .unwrap();
            group
                .values
                .iter()
                .map(|v| (v.value.clone(), v.count))
                .collect()
        };
        let all = countries(&SearchRequest::default());
        assert_eq!(all.len(), 30);
        assert!(all
            .iter()
            .all(|(value, count)| *count == 1 + u64::from(value == "KEN")));
        let mut elsewhere = SearchRequest::default();
        // Sweden is neither's: both fail the country filter alone, and are counted in the
        // country group only (what another country would add).
        elsewhere
            .filters
            .insert(FacetGroup::Country, vec!["SE".into()]);
        let response = index.search(&elsewhere, &taxonomy).unwrap();
        assert_eq!(response.total, 0);
        let mut counted = countries(&elsewhere);
        counted.retain(|(value, _)| value != "SWE");
        assert_eq!(counted, all, "the country group's own filter is ignored");
    }
}
