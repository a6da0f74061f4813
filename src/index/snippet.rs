//! Snippets: the passage of a text that best matches a query, HTML-escaped, with the matches in
//! `<mark>`, and titles with their matches marked.
//!
//! tantivy's snippet generator analyses the whole text it is given, stemming every word, which
//! on long documents costs more than all the rest of a search. The index already knows where
//! each query word occurs in each document, so those positions choose the passage, and only the
//! passage is analysed.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};

use super::Fields;
use tantivy::postings::TermInfo;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
use tantivy::{DocAddress, DocSet, Searcher, SegmentOrdinal, Term};

/// How many word positions a passage spans when counting the query words it holds.
const PASSAGE_WORDS: u32 = 30;
/// Words shown before the first match of a passage.
const LEAD_WORDS: u32 = 4;

/// Snippets for the hits of one search.
pub(crate) struct Snippets<'a> {
    searcher: &'a Searcher,
    /// Every word of the query, as a term of the field it is searched in.
    query: BooleanQuery,
    /// One generator per field: creating one looks up the query terms' frequencies.
    generators: HashMap<Field, SnippetGenerator>,
    /// The query's terms in each field, as indexed.
    terms: HashMap<Field, Vec<Term>>,
    /// By segment and field, the query's terms the segment holds (their place in `terms`)
    /// and where their postings are: looked up once, not once per hit.
    term_infos: HashMap<(SegmentOrdinal, Field), Vec<(usize, TermInfo)>>,
}

impl<'a> Snippets<'a> {
    /// `extra` are terms to highlight that `query` does not list (the words typos matched).
    pub(crate) fn new(
        searcher: &'a Searcher,
        query: &dyn Query,
        extra: &[Term],
        fields: &Fields,
    ) -> Self {
        // Phrases are searched as word pairs: highlight their words in the text fields.
        let mut terms: Vec<Term> = extra.to_vec();
        query.query_terms(&mut |term, _| match fields.text_of_pairs(term.field()) {
            Some(text_field) => {
                let value = term.value();
                let pair = value.as_str().unwrap_or_default();
                terms.extend(
                    pair.split(' ')
                        .map(|word| Term::from_field_text(text_field, word)),
                );
            }
            None => terms.push(term.clone()),
        });
        terms.sort();
        terms.dedup();
        let words = terms
            .into_iter()
            .map(|term| {
                let query: Box<dyn Query> =
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                (Occur::Should, query)
            })
            .collect();
        Snippets {
            searcher,
            query: BooleanQuery::new(words),
            generators: HashMap::new(),
            terms: HashMap::new(),
            term_infos: HashMap::new(),
        }
    }

    fn snippet(&mut self, field: Field, max_chars: usize, text: &str) -> tantivy::Result<Snippet> {
        let generator = match self.generators.entry(field) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let mut generator = SnippetGenerator::create(self.searcher, &self.query, field)?;
                generator.set_max_num_chars(max_chars);
                entry.insert(generator)
            }
        };
        Ok(generator.snippet(text))
    }

    /// The whole of a short text (a title), escaped, with its matches in `<mark>`.
    pub(crate) fn highlight_whole(&mut self, field: Field, text: &str) -> tantivy::Result<String> {
        let snippet = self.snippet(field, text.len().max(1), text)?;
        let offset = snippet.fragment_range().start;
        let mut html = String::new();
        let mut last = 0;
        for highlight in snippet.highlighted() {
            let (start, end) = (highlight.start + offset, highlight.end + offset);
            if start < last || end > text.len() {
                continue;
            }
            html.push_str(&html_escape(&text[last..start]));
            html.push_str("<mark>");
            html.push_str(&html_escape(&text[start..end]));
            html.push_str("</mark>");
            last = end;
        }
        html.push_str(&html_escape(&text[last..]));
        Ok(html)
    }

    /// The passage of `text` (the value of `field` in the document at `address`) with the most
    /// query words, as markup; `None` when the query matches nothing in it.
    pub(crate) fn passage(
        &mut self,
        address: DocAddress,
        field: Field,
        text: &str,
        max_chars: usize,
    ) -> tantivy::Result<Option<String>> {
        let Some(first_word) = self.best_passage(address, field)? else {
            return Ok(None);
        };
        let (start, end) = word_window(text, first_word.saturating_sub(LEAD_WORDS), 3 * max_chars);
        let mut snippet = self.snippet(field, max_chars, &text[start..end])?;
        let mut offset = start;
        if snippet.highlighted().is_empty() {
            // Not where the index said (a text changed since it was indexed): look everywhere.
            snippet = self.snippet(field, max_chars, text)?;
            offset = 0;
        }
        if snippet.highlighted().is_empty() {
            return Ok(None);
        }
        Ok(Some(snippet_html(&snippet, offset, text.len())))
    }

    /// The position of the first query word in the densest passage: the most distinct query
    /// words within [`PASSAGE_WORDS`], then the most occurrences, then the earliest.
    fn best_passage(&mut self, address: DocAddress, field: Field) -> tantivy::Result<Option<u32>> {
        let query = &self.query;
        let terms = self.terms.entry(field).or_insert_with(|| {
            let mut terms = Vec::new();
            query.query_terms(&mut |term, _| {
                if term.field() == field && !terms.contains(term) {
                    terms.push(term.clone());
                }
            });
            terms
        });
        let term_count = terms.len();
        let reader = self.searcher.segment_reader(address.segment_ord);
        let inverted = reader.inverted_index(field)?;
        let term_infos = match self.term_infos.entry((address.segment_ord, field)) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let mut found = Vec::new();
                for (index, term) in terms.iter().enumerate() {
                    if let Some(info) = inverted.get_term_info(term)? {
                        found.push((index, info));
                    }
                }
                entry.insert(found)
            }
        };
        let mut occurrences: Vec<(u32, usize)> = Vec::new();
        let mut positions = Vec::new();
        for (index, info) in term_infos.iter() {
            let mut postings = inverted
                .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)?;
            let mut doc = postings.doc();
            if doc < address.doc_id {
                doc = postings.seek(address.doc_id);
            }
            if doc == address.doc_id {
                use tantivy::postings::Postings;
                postings.positions(&mut positions);
                occurrences.extend(positions.iter().map(|&p| (p, *index)));
            }
        }
        occurrences.sort_unstable();
        Ok(densest_window(&occurrences, term_count))
    }
}

/// Over `(position, term)` sorted by position, the start of the window of [`PASSAGE_WORDS`]
/// with the most distinct terms, then the most occurrences, then the earliest.
fn densest_window(occurrences: &[(u32, usize)], term_count: usize) -> Option<u32> {
    let mut in_window = vec![0usize; term_count];
    let mut distinct = 0;
    let mut best: Option<(usize, usize, u32)> = None;
    let mut end = 0;
    for (start, &(position, _)) in occurrences.iter().enumerate() {
        while end < occurrences.len() && occurrences[end].0 < position + PASSAGE_WORDS {
            let term = occurrences[end].1;
            if in_window[term] == 0 {
                distinct += 1;
            }
            in_window[term] += 1;
            end += 1;
        }
        let candidate = (distinct, end - start, position);
        if best.is_none_or(|(d, n, _)| (distinct, end - start) > (d, n)) {
            best = Some(candidate);
        }
        let term = occurrences[start].1;
        in_window[term] -= 1;
        if in_window[term] == 0 {
            distinct -= 1;
        }
    }
    best.map(|(_, _, position)| position)
}

/// The byte range of `text` from the word at `first_word` (as the index counts words: every
/// word the tokenizer finds, stop words included) to the end of the word that reaches
/// `min_len` bytes after it.
fn word_window(text: &str, first_word: u32, min_len: usize) -> (usize, usize) {
    let mut tokenizer = SimpleTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut start = None;
    while stream.advance() {
        let token = stream.token();
        let from = *start.get_or_insert(token.offset_from);
        if token.position < first_word as usize {
            start = None;
            continue;
        }
        if token.offset_to >= from + min_len {
            return (from, token.offset_to);
        }
    }
    (start.unwrap_or(0), text.len())
}

/// Snippet markup built from the highlighted ranges: escaped text, matches in `<mark>`, an
/// ellipsis where the passage is cut from a longer text. `offset` is where the analysed part
/// starts in the text of `text_len` bytes.
fn snippet_html(snippet: &Snippet, offset: usize, text_len: usize) -> String {
    let fragment = snippet.fragment();
    let range = snippet.fragment_range();
    let mut html = String::new();
    if offset + range.start > 0 {
        html.push('…');
    }
    let mut last = 0;
    for highlight in snippet.highlighted() {
        html.push_str(&html_escape(&collapse_whitespace(
            &fragment[last..highlight.start],
        )));
        html.push_str("<mark>");
        html.push_str(&html_escape(&fragment[highlight.clone()]));
        html.push_str("</mark>");
        last = highlight.end;
    }
    html.push_str(&html_escape(&collapse_whitespace(&fragment[last..])));
    if offset + range.end < text_len {
        html.push('…');
    }
    html
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Runs of whitespace (paragraph breaks in the plain text) become one space: a snippet is a line.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// The text cut at a word boundary before `max_chars` characters, with an ellipsis if cut.
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_densest_window_has_the_most_distinct_words_then_the_most_matches() {
        // Term 0 alone three times early; terms 0 and 1 together later.
        let occurrences = [(2, 0), (3, 0), (4, 0), (100, 0), (105, 1), (300, 1)];
        assert_eq!(densest_window(&occurrences, 2), Some(100));
        // The same words: most occurrences wins, then the earliest.
        let occurrences = [(2, 0), (50, 0), (51, 0), (200, 0), (201, 0)];
        assert_eq!(densest_window(&occurrences, 1), Some(50));
        assert_eq!(densest_window(&[], 1), None);
    }

    #[test]
    fn word_windows_start_at_the_indexed_word_position() {
        let text = "The first, the second; and (the) third word — fourth";
        // Positions count every word: The=0 first=1 the=2 second=3 and=4 the=5 third=6.
        let (start, end) = word_window(text, 6, 6);
        assert_eq!(&text[start..end], "third word");
        let (start, end) = word_window(text, 0, 1000);
        assert_eq!(&text[start..end], text);
        let (start, end) = word_window(text, 99, 10);
        assert_eq!(
            (start, end),
            (0, text.len()),
            "past the end: the whole text"
        );
    }
}
