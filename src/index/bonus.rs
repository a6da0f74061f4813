//! [`PlusQuery`]: a query's score plus a constant.
//!
//! Ranking puts documents that match more of the query's words first (see [`super::query`]):
//! each word's clause adds a constant far above any BM25 score to the score of the documents it
//! matches, so the number of matched words leads and BM25 orders documents within each band.
//! tantivy's `BoostQuery` multiplies; this adds, at the cost of one addition per match.
//!
//! [`ConceptQuery`]: the words of a phrase the vocabulary knows ("truth commission") and its
//! equivalents ("comisión de la verdad", the facet value it names), where a document matching
//! an equivalent counts as matching every word.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

#[derive(Debug)]
pub(crate) struct PlusQuery {
    inner: Box<dyn Query>,
    plus: Score,
}

impl PlusQuery {
    pub(crate) fn new(inner: Box<dyn Query>, plus: Score) -> Self {
        PlusQuery { inner, plus }
    }
}

impl Clone for PlusQuery {
    fn clone(&self) -> Self {
        PlusQuery {
            inner: self.inner.box_clone(),
            plus: self.plus,
        }
    }
}

impl Query for PlusQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PlusWeight {
            inner: self.inner.weight(scoring)?,
            plus: if scoring.is_scoring_enabled() {
                self.plus
            } else {
                0.0
            },
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct PlusWeight {
    inner: Box<dyn Weight>,
    plus: Score,
}

impl Weight for PlusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PlusScorer {
            inner: self.inner.scorer(reader, boost)?,
            plus: self.plus,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.inner.explain(reader, doc)?;
        let mut explanation =
            Explanation::new_with_string(format!("plus {}", self.plus), inner.value() + self.plus);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }
}

struct PlusScorer {
    inner: Box<dyn Scorer>,
    plus: Score,
}

impl DocSet for PlusScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }
    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.inner.seek_danger(target)
    }
    fn doc(&self) -> DocId {
        self.inner.doc()
    }
    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for PlusScorer {
    fn score(&mut self) -> Score {
        self.inner.score() + self.plus
    }
}

/// The words of a phrase the vocabulary knows and the phrase's equivalents, as one clause that
/// counts as many words as the phrase has. A document matches when it matches a word or an
/// equivalent; it counts as matching every word when it matches an equivalent (a Spanish
/// document saying "alerta temprana" matches both words of "early warning"), and otherwise
/// the words it contains. It scores `band` per word counted, plus the words' scores, plus the
/// equivalents' score once.
///
/// The equivalents (often a dozen phrases in three languages and a facet value) are searched
/// once per search, not once per word: giving each word the equivalents as an alternative of
/// its own cost a third of a two-word query's time (BENCHMARKS.md, "Tail, session 9").
#[derive(Debug)]
pub(crate) struct ConceptQuery {
    words: Vec<Box<dyn Query>>,
    equivalents: Box<dyn Query>,
    band: Score,
    /// Only documents counting every word match (a query sorted by date needs all words).
    every_word: bool,
}

impl ConceptQuery {
    pub(crate) fn new(
        words: Vec<Box<dyn Query>>,
        equivalents: Box<dyn Query>,
        band: Score,
        every_word: bool,
    ) -> Self {
        ConceptQuery {
            words,
            equivalents,
            band,
            every_word,
        }
    }
}

impl Clone for ConceptQuery {
    fn clone(&self) -> Self {
        ConceptQuery {
            words: self.words.iter().map(|w| w.box_clone()).collect(),
            equivalents: self.equivalents.box_clone(),
            band: self.band,
            every_word: self.every_word,
        }
    }
}

impl Query for ConceptQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ConceptWeight {
            words: self
                .words
                .iter()
                .map(|w| w.weight(scoring))
                .collect::<tantivy::Result<_>>()?,
            equivalents: self.equivalents.weight(scoring)?,
            band: if scoring.is_scoring_enabled() {
                self.band
            } else {
                0.0
            },
            every_word: self.every_word,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for word in &self.words {
            word.query_terms(visitor);
        }
        self.equivalents.query_terms(visitor);
    }
}

struct ConceptWeight {
    words: Vec<Box<dyn Weight>>,
    equivalents: Box<dyn Weight>,
    band: Score,
    every_word: bool,
}

impl Weight for ConceptWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut children = self
            .words
            .iter()
            .map(|w| w.scorer(reader, boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        children.push(self.equivalents.scorer(reader, boost)?);
        let mut scorer = ConceptScorer {
            children,
            band: self.band,
            every_word: self.every_word,
            doc: TERMINATED,
        };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("concept", scorer.score());
        for word in &self.words {
            if let Ok(detail) = word.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        if let Ok(detail) = self.equivalents.explain(reader, doc) {
            explanation.add_detail(detail);
        }
        Ok(explanation)
    }
}

struct ConceptScorer {
    /// The words' scorers, then the equivalents'.
    children: Vec<Box<dyn Scorer>>,
    band: Score,
    every_word: bool,
    doc: DocId,
}

impl ConceptScorer {
    /// Whether the current document counts for every word.
    fn counts_every_word(&self) -> bool {
        let (equivalents, words) = self.children.split_last().expect("the equivalents' scorer");
        equivalents.doc() == self.doc || words.iter().all(|w| w.doc() == self.doc)
    }

    /// Moves to the first document the children are on that matches.
    fn settle(&mut self) {
        loop {
            self.doc = self
                .children
                .iter()
                .map(|c| c.doc())
                .min()
                .unwrap_or(TERMINATED);
            if !self.every_word || self.doc == TERMINATED || self.counts_every_word() {
                break;
            }
            self.step();
        }
    }

    /// Moves every child on the current document past it.
    fn step(&mut self) {
        let doc = self.doc;
        for child in &mut self.children {
            if child.doc() == doc {
                child.advance();
            }
        }
    }
}

impl DocSet for ConceptScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.step();
            self.settle();
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for child in &mut self.children {
            if child.doc() < target {
                child.seek(target);
            }
        }
        self.settle();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.size_hint())
            .fold(0, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.children
            .iter()
            .map(|c| c.cost())
            .fold(0, u64::saturating_add)
    }
}

impl Scorer for ConceptScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let (equivalents, words) = self
            .children
            .split_last_mut()
            .expect("the equivalents' scorer");
        let every_word = equivalents.doc() == doc;
        // Summed in the order a union of the words' clauses would, then the equivalents.
        let mut score = 0.0;
        for word in words {
            if word.doc() == doc {
                score += word.score() + self.band;
            } else if every_word {
                score += self.band;
            }
        }
        if every_word {
            score += equivalents.score();
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    #[test]
    fn adds_a_constant_to_every_match() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer(15_000_000)?;
        writer.add_document(doc!(text => "genocide prevention"))?;
        writer.add_document(doc!(text => "early warning"))?;
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let term = TermQuery::new(
            Term::from_field_text(text, "genocide"),
            IndexRecordOption::WithFreqs,
        );
        let plain = searcher.search(&term, &TopDocs::with_limit(5).order_by_score())?;
        let plus = PlusQuery::new(Box::new(term), 100.0);
        let added = searcher.search(&plus, &TopDocs::with_limit(5).order_by_score())?;
        assert_eq!(added.len(), 1, "matching does not change");
        assert!((added[0].0 - plain[0].0 - 100.0).abs() < 1e-3);
        Ok(())
    }

    fn concept_index() -> tantivy::Result<(Index, tantivy::schema::Field)> {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer(15_000_000)?;
        writer.add_document(doc!(text => "truth commission"))?; // 0: both words
        writer.add_document(doc!(text => "comision verdad"))?; // 1: an equivalent only
        writer.add_document(doc!(text => "truth"))?; // 2: one word
        writer.add_document(doc!(text => "commission comision verdad"))?; // 3: a word and an equivalent
        writer.add_document(doc!(text => "unrelated"))?; // 4: nothing
        writer.commit()?;
        Ok((index, text))
    }

    fn concept(text: tantivy::schema::Field, band: Score, every_word: bool) -> ConceptQuery {
        let term = |word: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, word),
                IndexRecordOption::WithFreqs,
            ))
        };
        ConceptQuery::new(
            vec![term("truth"), term("commission")],
            term("verdad"),
            band,
            every_word,
        )
    }

    /// Matches and band counts by document, best first.
    fn bands(index: &Index, query: &dyn Query, band: Score) -> tantivy::Result<Vec<(u32, u32)>> {
        let searcher = index.reader()?.searcher();
        let found = searcher.search(query, &TopDocs::with_limit(10).order_by_score())?;
        Ok(found
            .into_iter()
            .map(|(score, address)| (address.doc_id, (score / band).floor() as u32))
            .collect())
    }

    #[test]
    fn an_equivalent_counts_for_every_word_of_the_concept_and_scores_once() -> tantivy::Result<()> {
        let (index, text) = concept_index()?;
        let mut found = bands(&index, &concept(text, 1000.0, false), 1000.0)?;
        found.sort();
        assert_eq!(found, vec![(0, 2), (1, 2), (2, 1), (3, 2)]);

        // The equivalent's score is added once, on top of the words' own scores.
        let searcher = index.reader()?.searcher();
        let equivalent = TermQuery::new(
            Term::from_field_text(text, "verdad"),
            IndexRecordOption::WithFreqs,
        );
        let alone = searcher.search(&equivalent, &TopDocs::with_limit(5).order_by_score())?;
        let concept_scores = searcher.search(
            &concept(text, 1000.0, false),
            &TopDocs::with_limit(5).order_by_score(),
        )?;
        let score_of = |hits: &[(Score, tantivy::DocAddress)], doc: u32| {
            hits.iter().find(|(_, a)| a.doc_id == doc).map(|(s, _)| *s)
        };
        let doc1 = score_of(&concept_scores, 1).expect("document 1 matches");
        let verdad1 = score_of(&alone, 1).expect("document 1 says verdad");
        assert!(
            (doc1 - 2000.0 - verdad1).abs() < 1e-3,
            "{doc1} vs {verdad1}"
        );
        Ok(())
    }

    #[test]
    fn with_every_word_only_documents_counting_all_words_match() -> tantivy::Result<()> {
        let (index, text) = concept_index()?;
        let mut found = bands(&index, &concept(text, 1000.0, true), 1000.0)?;
        found.sort();
        assert_eq!(found, vec![(0, 2), (1, 2), (3, 2)]);
        let searcher = index.reader()?.searcher();
        assert_eq!(
            searcher.search(&concept(text, 0.0, true), &tantivy::collector::Count)?,
            3
        );
        // Seeking (as an intersection with a filter does) finds the same documents.
        let weight =
            concept(text, 0.0, true).weight(EnableScoring::disabled_from_searcher(&searcher))?;
        let mut scorer = weight.scorer(searcher.segment_reader(0), 1.0)?;
        assert_eq!(scorer.seek(2), 3);
        assert_eq!(scorer.advance(), TERMINATED);
        Ok(())
    }
}
