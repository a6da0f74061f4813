//! [`PlusQuery`]: a query's score plus a constant.
//!
//! Ranking puts documents that match more of the query's words first (see [`super::query`]):
//! each word's clause adds a constant far above any BM25 score to the score of the documents it
//! matches, so the number of matched words leads and BM25 orders documents within each band.
//! tantivy's `BoostQuery` multiplies; this adds, at the cost of one addition per match.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term};

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
}
