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
//!
//! A query asks for the same sums many times: a word is looked up in each language's fields,
//! each asking for the sum over the same siblings, and each sum reads every segment's term
//! dictionary. One provider serves one search and remembers what it summed.

use std::collections::HashMap;
use std::sync::Mutex;

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::Fields;
use crate::taxonomy::Lang;

pub(crate) struct CrossLanguageStatistics<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    /// Sums already made, by the first sibling field (standing for the kind) and the term's
    /// text; and token counts by field.
    doc_freqs: Mutex<HashMap<(Field, String), u64>>,
    token_counts: Mutex<HashMap<Field, u64>>,
}

impl<'a> CrossLanguageStatistics<'a> {
    pub(crate) fn new(searcher: &'a Searcher, fields: &'a Fields) -> Self {
        CrossLanguageStatistics {
            searcher,
            fields,
            doc_freqs: Mutex::default(),
            token_counts: Mutex::default(),
        }
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
        if let Some(&count) = lock(&self.token_counts).get(&field) {
            return Ok(count);
        }
        let count = match self.siblings(field) {
            Some(siblings) => siblings.into_iter().try_fold(0, |sum, f| {
                Bm25StatisticsProvider::total_num_tokens(self.searcher, f).map(|n| sum + n)
            })?,
            None => Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?,
        };
        lock(&self.token_counts).insert(field, count);
        Ok(count)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let value = term.value();
        let text = value.as_str();
        match (self.siblings(term.field()), text) {
            (Some(siblings), Some(text)) => {
                let key = (siblings[0], text.to_string());
                if let Some(&sum) = lock(&self.doc_freqs).get(&key) {
                    return Ok(sum);
                }
                let sum = siblings.into_iter().try_fold(0, |sum, f| {
                    let term = Term::from_field_text(f, text);
                    self.searcher.doc_freq(&term).map(|n| sum + n)
                })?;
                lock(&self.doc_freqs).insert(key, sum);
                Ok(sum)
            }
            _ => self.searcher.doc_freq(term),
        }
    }
}

/// A poisoned lock still holds sums that were right when made.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
