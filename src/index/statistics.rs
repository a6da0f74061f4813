//! BM25 statistics shared by the three languages' fields.
//!
//! Each document's text goes into the fields of its language, and tantivy computes a word's
//! rarity (IDF) and the average length of a field per field. Among the few French documents,
//! "génocide" is common and their fields look long against the average over all documents;
//! among the many English ones, the same word is rare. Scores of the same text would then
//! differ by language, and a French document would lose to an English one of equal text. Here
//! a field's statistics are those of the same field in all languages together: a word's
//! document frequency is the sum over the languages' fields (stemmed words usually coincide:
//! "genocide" and "génocide" are both "genocid"), and so are token counts.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::Fields;
use crate::taxonomy::Lang;

pub(crate) struct CrossLanguageStatistics<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
}

impl<'a> CrossLanguageStatistics<'a> {
    pub(crate) fn new(searcher: &'a Searcher, fields: &'a Fields) -> Self {
        CrossLanguageStatistics { searcher, fields }
    }

    /// The same kind of field (title, summary, body, or their word pairs) in every language.
    fn siblings(&self, field: Field) -> Option<Vec<Field>> {
        let f = self.fields;
        for kind in [Fields::title, Fields::summary, Fields::body] {
            let texts: Vec<Field> = Lang::ALL.iter().map(|&lang| kind(f, lang)).collect();
            if texts.contains(&field) {
                return Some(texts);
            }
            let pairs: Vec<Field> = texts.iter().filter_map(|&t| f.pairs_of(t)).collect();
            if pairs.contains(&field) {
                return Some(pairs);
            }
        }
        None
    }
}

impl Bm25StatisticsProvider for CrossLanguageStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.siblings(field) {
            Some(siblings) => siblings.into_iter().try_fold(0, |sum, f| {
                Ok(sum + Bm25StatisticsProvider::total_num_tokens(self.searcher, f)?)
            }),
            None => Bm25StatisticsProvider::total_num_tokens(self.searcher, field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let value = term.value();
        let text = value.as_str();
        match (self.siblings(term.field()), text) {
            (Some(siblings), Some(text)) => siblings.into_iter().try_fold(0, |sum, f| {
                Ok(sum + self.searcher.doc_freq(&Term::from_field_text(f, text))?)
            }),
            _ => self.searcher.doc_freq(term),
        }
    }
}
