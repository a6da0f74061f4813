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

/// A segment's facet values, years and id hashes as plain arrays, indexed by document.
pub(crate) struct SegmentFacets {
    groups: Vec<GroupValues>,
    /// Where each group's paths start in a numbering shared by all groups.
    group_starts: Vec<u32>,
    /// For each document, all its paths in that numbering: counting every group (the usual
    /// search) reads one short run of memory per document.
    all: GroupValues,
    years: Vec<i32>,
    id_keys: Vec<u64>,
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
        let mut all = GroupValues {
            paths: Vec::new(),
            starts: Vec::with_capacity(max_doc as usize + 1),
            nodes: Vec::new(),
        };
        for doc in 0..max_doc {
            all.starts.push(all.nodes.len() as u32);
            for (group, start) in groups.iter().zip(&group_starts) {
                all.nodes
                    .extend(group.of(doc).iter().map(|node| start + node));
            }
        }
        all.starts.push(all.nodes.len() as u32);
        Ok(SegmentFacets {
            groups,
            group_starts,
            all,
            years: (0..max_doc).map(|d| years.get_val(d) as i32).collect(),
            id_keys: (0..max_doc).map(|d| ids.get_val(d)).collect(),
        })
    }

    #[inline]
    fn sort_key(&self, sort: Sort, doc: DocId, score: Score) -> SortKey {
        let year = self.years[doc as usize] as f32;
        let id_key = self.id_keys[doc as usize];
        match sort {
            Sort::Relevance => (score, year, id_key),
            Sort::Newest => (year, score, id_key),
            Sort::Oldest => (-year, score, id_key),
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
    /// Added to the score of the hits in this language (the query's), before they are ranked
    /// or counted as having every word. Looked up here, for hits only, rather than searched as
    /// a clause, which would go through the postings of nearly every document.
    pub(crate) language_bonus: Option<(Facet, Score)>,
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
        let language_bonus = self.language_bonus.as_ref().and_then(|(language, bonus)| {
            let path = language.to_path_string();
            table.groups[FacetGroup::Language.index()]
                .paths
                .iter()
                .position(|p| *p == path)
                .map(|node| (node as u32, *bonus))
        });
        Ok(FacetedSegmentCollector {
            segment,
            language_bonus,
            passing: self
                .selection
                .passing
                .get(segment as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from(Vec::new())),
            counted: self.counted.iter().map(|g| g.index()).collect(),
            counting_all: FacetGroup::ALL.iter().all(|g| self.counted.contains(g)),
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
    /// For each selected group, its index if it is counted.
    counted_when_failing: Vec<Option<usize>>,
    /// The count of each of the segment's paths, in the numbering shared by all groups.
    counts: Vec<u32>,
    total: usize,
    all_words_from: Option<f32>,
    all_words: usize,
    /// The query language's node in the segment's language group, and its bonus.
    language_bonus: Option<(u32, Score)>,
    sort: Sort,
    top_n: usize,
    /// Candidates for the top; pruned to `top_n` whenever it reaches twice that.
    top: Vec<(SortKey, DocId)>,
    /// A document must rank above this to be a candidate.
    threshold: Option<SortKey>,
}

impl FacetedSegmentCollector {
    #[inline(always)]
    fn count(&mut self, group: usize, doc: DocId) {
        let start = self.table.group_starts[group];
        for &node in self.table.groups[group].of(doc) {
            self.counts[(start + node) as usize] += 1;
        }
    }

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
        if let Some(bit) = failed {
            if let Some(group) = self.counted_when_failing[bit] {
                self.count(group, doc);
            }
            return;
        }
        self.total += 1;
        let score = match self.language_bonus {
            Some((language, bonus))
                if self.table.groups[FacetGroup::Language.index()]
                    .of(doc)
                    .contains(&language) =>
            {
                score + bonus
            }
            _ => score,
        };
        if self.all_words_from.is_some_and(|from| score >= from) {
            self.all_words += 1;
        }
        if self.counting_all {
            for &node in self.table.all.of(doc) {
                self.counts[node as usize] += 1;
            }
        } else {
            for i in 0..self.counted.len() {
                self.count(self.counted[i], doc);
            }
        }
        let key = self.table.sort_key(self.sort, doc, score);
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
            let paths = &self.table.groups[group].paths;
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
