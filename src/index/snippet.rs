//! Snippets: the passage of a text that best matches a query, HTML-escaped, with the matches in
//! `<mark>`, and titles with their matches marked.
//!
//! tantivy's snippet generator analyses the whole text it is given, stemming every word, which
//! on long documents costs more than all the rest of a search. The index already knows where
//! each query word occurs in each document, so those positions choose the passage, and only the
//! passage is analysed.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::ops::Range;

use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};

use super::Fields;
use tantivy::postings::TermInfo;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream, Tokenizer};
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
    /// One generator per title field: creating one looks up the query terms' frequencies.
    generators: HashMap<Field, SnippetGenerator>,
    /// What marking passages of a field needs, made at its first passage.
    passage_fields: HashMap<Field, PassageField>,
    /// The query's terms in each field, as indexed.
    terms: HashMap<Field, Vec<Term>>,
    /// By segment and field, the query's terms the segment holds (their place in `terms`)
    /// and where their postings are: looked up once, not once per hit.
    term_infos: HashMap<(SegmentOrdinal, Field), Vec<(usize, TermInfo)>>,
}

/// What marking the passages of one field needs.
struct PassageField {
    /// Per term of the field (as listed in `Snippets::terms`), the weight tantivy's snippet
    /// generator gives its matches when it chooses among fragments: 1 / (1 + documents
    /// containing it).
    weights: Vec<f32>,
    /// The field's analyser: it tells which words a fragment may end with.
    analyzer: TextAnalyzer,
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
            passage_fields: HashMap::new(),
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
    ///
    /// The index says where each query word occurs, so the passage's words are marked by their
    /// positions, without analysing the passage again; the fragment shown is the one tantivy's
    /// snippet generator would choose from the same window (see [`best_fragment`]).
    pub(crate) fn passage(
        &mut self,
        address: DocAddress,
        field: Field,
        text: &str,
        max_chars: usize,
    ) -> tantivy::Result<Option<String>> {
        let Some(occurrences) = self.occurrences(address, field)? else {
            return Ok(None);
        };
        let Some(first_word) = densest_window(&occurrences, self.terms[&field].len()) else {
            return Ok(None);
        };
        let passage_field = match self.passage_fields.entry(field) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let mut weights = Vec::new();
                for term in &self.terms[&field] {
                    let doc_freq = self.searcher.doc_freq(term)?;
                    weights.push(1.0 / (1.0 + doc_freq as f32));
                }
                let analyzer = self.searcher.index().tokenizer_for_field(field)?;
                entry.insert(PassageField { weights, analyzer })
            }
        };
        let PassageField { weights, analyzer } = passage_field;
        let mut dropped = |word: &str| analyzer.token_stream(word).next().is_none();
        let matched = Matched::new(&occurrences, weights);
        let (start, words) =
            word_window(text, first_word.saturating_sub(LEAD_WORDS), 3 * max_chars);
        let window = &text[start..];
        let mut found = best_fragment(window, &words, &matched, max_chars, &mut dropped)
            .map(|f| f.shifted(start));
        if found.is_none() {
            // The window holds the densest passage's words; this is a safety net.
            found = best_fragment(text, &text_words(text), &matched, max_chars, &mut dropped);
        }
        Ok(found.map(|fragment| fragment.html(text)))
    }

    /// Where the query's terms occur in `field` of the document at `address`: (position, the
    /// term's place in `terms`), sorted; `None` when none does.
    fn occurrences(
        &mut self,
        address: DocAddress,
        field: Field,
    ) -> tantivy::Result<Option<Vec<(u32, usize)>>> {
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
        Ok((!occurrences.is_empty()).then_some(occurrences))
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

/// A word of a window as the tokenizer cuts it: bytes from the window's start, and its
/// position as the index counts words (every word, stop words included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Word {
    from: usize,
    to: usize,
    position: u32,
}

/// The window of `text` from the word at `first_word` to the end of the word that reaches
/// `min_len` bytes after it: where it starts in `text`, and its words. A `first_word` past the
/// end gives the whole text.
fn word_window(text: &str, first_word: u32, min_len: usize) -> (usize, Vec<Word>) {
    let mut tokenizer = SimpleTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut start = None;
    let mut words = Vec::new();
    while stream.advance() {
        let token = stream.token();
        if (token.position as u64) < u64::from(first_word) {
            continue;
        }
        let from = *start.get_or_insert(token.offset_from);
        words.push(Word {
            from: token.offset_from - from,
            to: token.offset_to - from,
            position: token.position as u32,
        });
        if token.offset_to >= from + min_len {
            break;
        }
    }
    match start {
        Some(from) => (from, words),
        None => (0, text_words(text)),
    }
}

/// Every word of `text`.
fn text_words(text: &str) -> Vec<Word> {
    let mut tokenizer = SimpleTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        let token = stream.token();
        words.push(Word {
            from: token.offset_from,
            to: token.offset_to,
            position: token.position as u32,
        });
    }
    words
}

/// The query's matches in one field of one document, by position, with their terms' weights.
struct Matched<'a> {
    occurrences: &'a [(u32, usize)],
    weights: &'a [f32],
}

impl<'a> Matched<'a> {
    fn new(occurrences: &'a [(u32, usize)], weights: &'a [f32]) -> Self {
        Matched {
            occurrences,
            weights,
        }
    }

    /// The weight of the query term at `position`, if one is there.
    fn at(&self, position: u32) -> Option<f32> {
        let found = self
            .occurrences
            .binary_search_by_key(&position, |&(p, _)| p)
            .ok()?;
        Some(self.weights[self.occurrences[found].1])
    }
}

/// A fragment of a text with its matches (byte ranges of the text).
#[derive(Debug, PartialEq)]
struct Fragment {
    range: Range<usize>,
    highlighted: Vec<Range<usize>>,
}

impl Fragment {
    fn shifted(self, by: usize) -> Fragment {
        Fragment {
            range: self.range.start + by..self.range.end + by,
            highlighted: self
                .highlighted
                .into_iter()
                .map(|r| r.start + by..r.end + by)
                .collect(),
        }
    }

    /// Markup: escaped text, matches in `<mark>`, an ellipsis where the fragment is cut
    /// from a longer text, runs of whitespace as one space (a snippet is a line).
    fn html(&self, text: &str) -> String {
        let mut html = String::new();
        if self.range.start > 0 {
            html.push('…');
        }
        let mut last = self.range.start;
        for highlight in &self.highlighted {
            html.push_str(&html_escape(&collapse_whitespace(
                &text[last..highlight.start],
            )));
            html.push_str("<mark>");
            html.push_str(&html_escape(&text[highlight.clone()]));
            html.push_str("</mark>");
            last = highlight.end;
        }
        html.push_str(&html_escape(&collapse_whitespace(
            &text[last..self.range.end],
        )));
        if self.range.end < text.len() {
            html.push('…');
        }
        html
    }
}

/// The fragment tantivy's snippet generator picks from `words` (offsets into `text`): the
/// words its analyser keeps are taken in turn into fragments of at most `max_chars` bytes from
/// the first word's start (a word that would end past that starts the next fragment), each
/// ending with its last kept word; each match adds its term's weight; the fragment with the
/// highest sum wins, the earliest among equals. `None` when nothing matches.
///
/// Whether the analyser drops a word (a stop word) matters only where a fragment may end, so
/// `dropped` is asked about those words alone; matches are words the index holds.
fn best_fragment(
    text: &str,
    words: &[Word],
    matched: &Matched,
    max_chars: usize,
    dropped: &mut dyn FnMut(&str) -> bool,
) -> Option<Fragment> {
    let mut best: Option<(f32, Fragment)> = None;
    let mut keep = |words: &[Word],
                    start: usize,
                    score: f32,
                    highlighted: Vec<Range<usize>>,
                    dropped: &mut dyn FnMut(&str) -> bool| {
        if score > 0.0 && best.as_ref().is_none_or(|(b, _)| score > *b) {
            // A fragment that scores holds a match, so this stops at one at the latest.
            let stop = words
                .iter()
                .rev()
                .find(|w| matched.at(w.position).is_some() || !dropped(&text[w.from..w.to]))
                .map_or(start, |w| w.to);
            best = Some((
                score,
                Fragment {
                    range: start..stop,
                    highlighted,
                },
            ));
        }
    };
    let (mut start, mut first, mut score) = (0, 0, 0.0);
    let mut highlighted = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let weight = matched.at(word.position);
        if word.to - start > max_chars {
            if weight.is_none() && dropped(&text[word.from..word.to]) {
                continue;
            }
            keep(
                &words[first..i],
                start,
                score,
                std::mem::take(&mut highlighted),
                dropped,
            );
            (start, first, score) = (word.from, i, 0.0);
        }
        if let Some(weight) = weight {
            score += weight;
            highlighted.push(word.from..word.to);
        }
    }
    keep(&words[first..], start, score, highlighted, dropped);
    best.map(|(_, fragment)| fragment)
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
        let window = |first_word, min_len| {
            let (start, words) = word_window(text, first_word, min_len);
            let end = start + words.last().map_or(0, |w| w.to);
            (&text[start..end], words.first().map(|w| w.position))
        };
        assert_eq!(window(6, 6), ("third word", Some(6)));
        assert_eq!(window(0, 1000), (text, Some(0)));
        assert_eq!(
            window(99, 10),
            (text, Some(0)),
            "past the end: the whole text"
        );
    }

    #[test]
    fn the_best_fragment_has_the_most_weight_then_comes_first() {
        // Words of 4 bytes and a space: "aaaa bbbb cccc ..." (positions 0, 1, 2, ...).
        let text = (0..12)
            .map(|i| format!("w{i:03}"))
            .collect::<Vec<_>>()
            .join(" ");
        let words = text_words(&text);
        let weights = [0.5, 0.25];
        // Fragments of at most 14 bytes: three words each (0-2, 3-5, 6-8, 9-11).
        let occurrences = [(1, 1), (4, 0), (10, 0)];
        let mut never = |_: &str| false;
        let matched = Matched::new(&occurrences, &weights);
        let fragment = best_fragment(&text, &words, &matched, 14, &mut never).unwrap();
        assert_eq!(&text[fragment.range.clone()], "w003 w004 w005");
        assert_eq!(fragment.highlighted, vec![20..24]);
        assert_eq!(fragment.html(&text), "…w003 <mark>w004</mark> w005…");
        let nothing: [(u32, usize); 0] = [];
        let matched = Matched::new(&nothing, &weights);
        assert!(best_fragment(&text, &words, &matched, 14, &mut never).is_none());
        // A fragment ends with its last word the analyser keeps; a dropped word past the
        // limit starts no fragment.
        let mut stop_words = |word: &str| ["w005", "w006", "w007"].contains(&word);
        let occurrences = [(4, 0), (8, 1), (9, 1)];
        let matched = Matched::new(&occurrences, &weights);
        let fragment = best_fragment(&text, &words, &matched, 14, &mut stop_words).unwrap();
        assert_eq!(
            &text[fragment.range.clone()],
            "w003 w004",
            "not w005, a stop word"
        );
        // w006 and w007 end past that fragment but are dropped: the next starts at w008.
        let occurrences = [(8, 1), (9, 1)];
        let matched = Matched::new(&occurrences, &weights);
        let fragment = best_fragment(&text, &words, &matched, 14, &mut stop_words).unwrap();
        assert_eq!(&text[fragment.range.clone()], "w008 w009 w010");
    }

    /// The passage marked from the index's positions is the snippet tantivy's generator makes
    /// by analysing the same window again (what passages were before).
    #[test]
    fn passages_are_the_fragments_tantivy_s_snippet_generator_chooses() {
        use crate::index::schema;
        use crate::taxonomy::DocLang;
        use tantivy::{Index, TantivyDocument};

        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        schema::register_tokenizers(&index);
        let filler = "The committee met again and wrote its report on the situation. ";
        let texts = [
            format!(
                "{}Early warning of atrocities needs warning signs. {}An early warning system \
                 for the prevention of genocide, with early responses. {}",
                filler.repeat(3),
                filler.repeat(9),
                filler.repeat(2)
            ),
            format!("Warning! {}", filler.repeat(20)),
            format!("{}prevention & <early> \"warning\"", filler.repeat(40)),
        ];
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for text in &texts {
            let mut doc = TantivyDocument::new();
            doc.add_text(fields.body(DocLang::En), text);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let field = fields.body(DocLang::En);
        let term = |word: &str| Term::from_field_text(field, word);
        let query = BooleanQuery::new(
            ["earli", "warn", "genocid", "prevent"]
                .iter()
                .map(|w| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(term(w), IndexRecordOption::WithFreqs));
                    (Occur::Should, q)
                })
                .collect(),
        );
        for (doc, text) in texts.iter().enumerate() {
            for max_chars in [30, 60, 97] {
                let address = DocAddress::new(0, doc as u32);
                let mut snippets = Snippets::new(&searcher, &query, &[], &fields);
                let passage = snippets
                    .passage(address, field, text, max_chars)
                    .unwrap()
                    .unwrap();

                // As before: the same window analysed by tantivy's snippet generator.
                let occurrences = snippets.occurrences(address, field).unwrap().unwrap();
                let first = densest_window(&occurrences, snippets.terms[&field].len()).unwrap();
                let (start, words) =
                    word_window(text, first.saturating_sub(LEAD_WORDS), 3 * max_chars);
                let end = start + words.last().unwrap().to;
                let mut generator = SnippetGenerator::create(&searcher, &query, field).unwrap();
                generator.set_max_num_chars(max_chars);
                let snippet = generator.snippet(&text[start..end]);
                // tantivy's highlights are counted from the fragment's start.
                let range = snippet.fragment_range();
                let expected = Fragment {
                    highlighted: (snippet.highlighted().iter())
                        .map(|h| h.start + range.start..h.end + range.start)
                        .collect(),
                    range,
                }
                .shifted(start);
                assert!(!expected.highlighted.is_empty(), "document {doc}");
                assert_eq!(
                    passage,
                    expected.html(text),
                    "document {doc}, {max_chars} bytes"
                );
            }
        }
    }
}
