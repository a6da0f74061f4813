//! From what a person typed to a tantivy query.
//!
//! The syntax is what users of search boxes expect: words, `"quoted phrases"`, `-excluded`
//! words or phrases, and `title:`, `summary:` or `body:` before a word or phrase. Nothing a
//! person types is an error: anything the syntax cannot read (an unclosed quote, an unknown
//! field, Boolean operators) is read leniently and explained in a notice.
//!
//! Each word is searched in every language's fields, exactly (BM25, title above summary above
//! body) and, for words of five letters or more, with one typo allowed (two from nine letters)
//! at a lower weight, so exact matches rank first. Words and phrases that name a taxonomy term
//! expand to the term's labels and synonyms in all three languages.

use std::collections::{BTreeSet, HashMap};

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery,
    Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, SegmentReader, Term};

use super::bonus::{ConceptQuery, PlusQuery};
use super::request::Expansion;
use super::schema::Fields;
use super::vocabulary::{self, Named, QueryVocabulary, Source, MAX_PHRASE_WORDS};
use crate::catalogue::Message;
use crate::taxonomy::{DocLang, Lang};

/// Which text a clause is restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    All,
    Title,
    Summary,
    Body,
}

/// One unit of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Clause {
    /// The words (one for a word, several for a phrase).
    pub(crate) words: Vec<String>,
    pub(crate) phrase: bool,
    /// Typed as one word with hyphens ("post-election"): a phrase of its parts that, unlike a
    /// quoted phrase, may be part of a longer phrase the vocabulary knows ("violences
    /// post-électorales").
    pub(crate) compound: bool,
    pub(crate) negated: bool,
    pub(crate) scope: Scope,
}

impl Clause {
    /// A word (or hyphenated word) searched everywhere, that may start or continue a run of
    /// words the vocabulary knows.
    fn joins_runs(&self) -> bool {
        !self.negated && self.scope == Scope::All && (!self.phrase || self.compound)
    }

    /// The clause's words as one text.
    fn text(&self) -> String {
        self.words.join(" ")
    }
}

/// A query as read, with what had to be read leniently.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    pub(crate) clauses: Vec<Clause>,
    pub(crate) notices: Vec<Message>,
}

impl ParsedQuery {
    pub(crate) fn is_empty(&self) -> bool {
        self.clauses.iter().all(|c| c.negated)
    }
}

/// Reads a query string. Never fails.
pub fn parse(input: &str) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let mut operators_seen = false;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        if chars[i] == '-' && chars.get(i + 1).is_some_and(|c| !c.is_whitespace()) {
            negated = true;
            i += 1;
        }
        // An optional `field:` prefix.
        let mut scope = Scope::All;
        let word_end = (i..chars.len())
            .find(|&j| chars[j].is_whitespace() || chars[j] == '"')
            .unwrap_or(chars.len());
        let token: String = chars[i..word_end].iter().collect();
        if let Some((prefix, _)) = token.split_once(':') {
            let known = match prefix.to_lowercase().as_str() {
                "title" => Some(Scope::Title),
                "summary" => Some(Scope::Summary),
                "body" | "text" => Some(Scope::Body),
                _ => None,
            };
            match known {
                Some(s) => {
                    scope = s;
                    i += prefix.chars().count() + 1;
                }
                None if !prefix.is_empty() && prefix.chars().all(char::is_alphabetic) => {
                    parsed
                        .notices
                        .push(Message::new("notice_unknown_field").arg("prefix", prefix));
                    parsed.clauses.push(Clause {
                        words: vec![prefix.to_string()],
                        phrase: false,
                        compound: false,
                        negated,
                        scope,
                    });
                    i += prefix.chars().count() + 1;
                    continue;
                }
                None => {}
            }
        }
        if chars.get(i) == Some(&'"') {
            let start = i + 1;
            let end = (start..chars.len()).find(|&j| chars[j] == '"');
            let Some(end) = end else {
                // Read the rest as ordinary words: more forgiving than a phrase that may match
                // nothing.
                parsed.notices.push(Message::new("notice_unclosed_quote"));
                i = start;
                continue;
            };
            let text: String = chars[start..end].iter().collect();
            i = end + 1;
            let words = words_of(&text);
            if !words.is_empty() {
                parsed.clauses.push(Clause {
                    phrase: words.len() > 1,
                    compound: false,
                    words,
                    negated,
                    scope,
                });
            }
            continue;
        }
        let end = (i..chars.len())
            .find(|&j| chars[j].is_whitespace() || chars[j] == '"')
            .unwrap_or(chars.len());
        let raw: String = chars[i..end].iter().collect();
        i = end;
        if !negated
            && scope == Scope::All
            && matches!(raw.as_str(), "AND" | "OR" | "NOT" | "&&" | "||")
        {
            operators_seen = true;
            continue;
        }
        let words = words_of(&raw);
        // "post-election" is one word to the writer: search it as a phrase of its parts.
        if !words.is_empty() {
            parsed.clauses.push(Clause {
                phrase: words.len() > 1,
                compound: words.len() > 1,
                words,
                negated,
                scope,
            });
        }
    }
    if operators_seen {
        parsed
            .notices
            .push(Message::new("notice_operators_ignored"));
    }
    keep_first_words(&mut parsed, MAX_QUERY_WORDS);
    parsed
}

/// The most words a query is searched with. Each word costs postings lists in nine fields,
/// word pairs, vocabulary look-ups and perhaps a typo walk: a pasted paragraph of thousands of
/// words took seconds. Thirty-two is what the large web search engines allow, and more than
/// any of the judged queries uses.
pub(crate) const MAX_QUERY_WORDS: usize = 32;

/// Keeps the first `limit` words (a phrase cut short stays a phrase of what remains) and
/// says so.
fn keep_first_words(parsed: &mut ParsedQuery, limit: usize) {
    let total: usize = parsed.clauses.iter().map(|c| c.words.len()).sum();
    if total <= limit {
        return;
    }
    let mut left = limit;
    parsed.clauses.retain_mut(|clause| {
        if left == 0 {
            return false;
        }
        clause.words.truncate(left);
        clause.phrase &= clause.words.len() > 1;
        clause.compound &= clause.phrase;
        left -= clause.words.len();
        true
    });
    parsed.notices.push(
        Message::new("notice_query_truncated")
            .arg("limit", limit)
            .arg("total", total),
    );
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// How clauses combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Combine {
    /// Every word required.
    All,
    /// Any word suffices (relaxing a query that found nothing).
    Any,
    /// Any word suffices, and documents are ranked by how many words they match first (each
    /// word adds [`BAND`]), then by BM25: all words first, then fewer.
    Bands,
}

const TITLE_BOOST: f32 = 3.0;
const SUMMARY_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;
const FUZZY_WEIGHT: f32 = 0.3;
const SYNONYM_WEIGHT: f32 = 0.8;
/// Glossary terms in another language rank below the query's own words.
const GLOSSARY_WEIGHT: f32 = 0.25;
const PHRASE_BONUS: f32 = 2.0;
/// Two query words next to each other in a document.
const PROXIMITY_WEIGHT: f32 = 0.5;
/// A document whose facet value a query phrase names (a region, country, type, mechanism type
/// or theme) matches that phrase with this score: about that of the phrase in the document's
/// title. The curated metadata says what a document is about in every language; at the score
/// of a word in a summary (8, until 2026-12), a law with the theme "hate speech" that says
/// "racial hatred" ranked below documents that only mention hate speech, and a Spanish truth
/// commission below English texts that only use the words (RELEVANCE.md).
pub(crate) const FACET_MATCH_SCORE: f32 = 128.0;
/// What each matched word adds in [`Combine::Bands`]: more than any BM25 score, so the number
/// of matched words ranks first.
pub(crate) const BAND: f32 = 10_000.0;
/// A typo matches at most this many distinct words of the index.
const MAX_FUZZY_WORDS: usize = 50;
/// Up to this many words a typo matches are each scored as the word (BM25); more are matched
/// as a set with a constant score.
const MAX_SCORED_CORRECTIONS: usize = 4;
/// A corrected word's BM25 counts this much of an exact match's.
const CORRECTION_WEIGHT: f32 = 0.7;

/// How many typos a word may have: one, two from nine letters.
fn typo_distance(word: &str) -> u8 {
    if word.chars().count() >= 9 {
        2
    } else {
        1
    }
}

/// Builds tantivy queries from parsed queries, with the analysers of the three languages.
pub(crate) struct QueryBuilder<'a> {
    fields: &'a Fields,
    analyzers: Vec<(DocLang, TextAnalyzer)>,
    raw: TextAnalyzer,
    /// The analyser of [`vocabulary::key`].
    keys: TextAnalyzer,
    vocabulary: &'a QueryVocabulary,
    /// The index searched, to tell common words from rare ones and to find what typos match
    /// (see [`fuzzy`](Self::fuzzy)).
    searcher: Option<&'a Searcher>,
    /// Terms of the text fields that fuzzy matches stand for, to highlight them.
    highlight: Vec<Term>,
    understood: Understood,
    /// The query's language: its fields weigh more (see [`LANGUAGE_BOOST`]).
    language: Option<Lang>,
    /// Typed words and the word taken as meant, for the phrase bonus.
    corrections: Vec<(String, String)>,
    /// The words of the index each typed word matches with a typo (see
    /// [`typo_matches`](Self::typo_matches)), looked up once per word.
    typo_words: HashMap<String, BTreeSet<String>>,
    /// The document languages whose fields hold any text in the index searched: the others'
    /// fields can match nothing, and each term looked up there costs dictionary lookups.
    indexed: Vec<DocLang>,
}

/// How much more the fields of the query's language weigh. Each language's fields have their
/// own statistics, and a word is rarer among the many English documents than among the few
/// French ones: without this, an English document would outrank a French one of equal text
/// for a French query.
const LANGUAGE_BOOST: f32 = 2.0;

/// What a query was understood to mean, besides its words.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Understood {
    /// Phrases that expanded to other phrases (synonyms, glossary terms in other languages).
    pub(crate) expansions: Vec<Expansion>,
    /// Phrases that name a facet value.
    pub(crate) named: Vec<(String, Named)>,
}

/// A text query ready to run.
pub(crate) struct TextQuery {
    /// What a document must match, and its score.
    pub(crate) matching: Box<dyn Query>,
    /// A bonus for the whole query as a phrase, one query per field: a result's bonus is the
    /// sum of the scores of those it matches. Checking word positions for every match costs
    /// more than all the rest of a search, so the bonus is added to the best results only
    /// (see [`super::search`]).
    pub(crate) phrase_bonus: Vec<Box<dyn Query>>,
    /// How many words count in [`Combine::Bands`]: a document matching all of them scores at
    /// least `words * BAND`.
    pub(crate) words: usize,
    /// Terms to highlight that the matching query does not list (what typos matched).
    pub(crate) highlight: Vec<Term>,
    pub(crate) understood: Understood,
}

/// What counts towards a document's matched words (see [`Combine::Bands`]).
enum Counted {
    /// A word, a quoted phrase or a run of words the vocabulary knows as one word: one.
    Word(Box<dyn Query>),
    /// The words of a phrase the vocabulary knows, with its equivalents (see
    /// [`ConceptQuery`]): one per word.
    Concept {
        words: Vec<Box<dyn Query>>,
        equivalents: Box<dyn Query>,
    },
}

impl Counted {
    fn words(&self) -> usize {
        match self {
            Counted::Word(_) => 1,
            Counted::Concept { words, .. } => words.len(),
        }
    }

    /// The clause, adding `band` per word matched; with `every_word`, a concept matches only
    /// documents that count for all its words.
    fn into_query(self, band: f32, every_word: bool) -> Box<dyn Query> {
        match self {
            Counted::Word(query) if band > 0.0 => Box::new(PlusQuery::new(query, band)),
            Counted::Word(query) => query,
            Counted::Concept { words, equivalents } => {
                Box::new(ConceptQuery::new(words, equivalents, band, every_word))
            }
        }
    }
}

impl<'a> QueryBuilder<'a> {
    pub(crate) fn new(fields: &'a Fields, vocabulary: &'a QueryVocabulary) -> Self {
        QueryBuilder {
            fields,
            analyzers: vocabulary.analyzers().by_lang.clone(),
            raw: vocabulary.analyzers().raw.clone(),
            keys: vocabulary.analyzers().keys.clone(),
            vocabulary,
            searcher: None,
            highlight: Vec::new(),
            understood: Understood::default(),
            language: None,
            corrections: Vec::new(),
            typo_words: HashMap::new(),
            indexed: DocLang::ALL.to_vec(),
        }
    }

    /// Weighs the fields of `lang` more (see [`LANGUAGE_BOOST`]).
    pub(crate) fn with_language(mut self, lang: Option<Lang>) -> Self {
        self.language = lang;
        self
    }

    /// The language of each phrase of the query that the vocabulary knows in one language
    /// only (a vote for the query's language), without building anything.
    pub(crate) fn phrase_languages(&mut self, parsed: &ParsedQuery) -> Vec<Lang> {
        let words: Vec<String> = parsed
            .clauses
            .iter()
            .filter(|c| c.joins_runs())
            .map(Clause::text)
            .collect();
        let mut languages = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut next = i + 1;
            for end in (i + 1..=words.len().min(i + MAX_PHRASE_WORDS)).rev() {
                let key = self.key(&words[i..end].join(" "));
                if !key.is_empty() && self.vocabulary.knows(&key) {
                    languages.extend(self.only_language(&key));
                    next = end;
                    break;
                }
            }
            i = next;
        }
        languages
    }

    /// The language of the phrases with this key, when they all have the same one.
    fn only_language(&self, key: &str) -> Option<Lang> {
        let mut languages: Vec<Option<Lang>> = self
            .vocabulary
            .groups_of(key)
            .flat_map(|g| g.phrases.iter())
            .filter(|p| p.key == key)
            .map(|p| p.lang)
            .collect();
        languages.sort_by_key(|l| l.map(|l| l.code()));
        languages.dedup();
        match languages[..] {
            [Some(lang)] => Some(lang),
            _ => None,
        }
    }

    /// Fuzzes only the words that few documents of `searcher` contain as typed, and looks up
    /// what they match there.
    pub(crate) fn with_vocabulary(mut self, searcher: &'a Searcher) -> Self {
        self.searcher = Some(searcher);
        let f = self.fields;
        self.indexed.retain(|&lang| {
            searcher.segment_readers().iter().any(|segment| {
                [f.title(lang), f.summary(lang), f.body(lang)]
                    .into_iter()
                    .any(|field| {
                        // A field that cannot be read is searched as before, and fails there.
                        segment
                            .inverted_index(field)
                            .map_or(true, |index| index.total_num_tokens() > 0)
                    })
            })
        });
        self
    }

    fn fields_for(&self, scope: Scope, lang: DocLang) -> Vec<(Field, f32)> {
        if !self.indexed.contains(&lang) {
            return Vec::new();
        }
        let f = self.fields;
        let preferred = if self.language.map(DocLang::from) == Some(lang) {
            LANGUAGE_BOOST
        } else {
            1.0
        };
        let fields = match scope {
            Scope::All => vec![
                (f.title(lang), TITLE_BOOST),
                (f.summary(lang), SUMMARY_BOOST),
                (f.body(lang), BODY_BOOST),
            ],
            Scope::Title => vec![(f.title(lang), TITLE_BOOST)],
            Scope::Summary => vec![(f.summary(lang), SUMMARY_BOOST)],
            Scope::Body => vec![(f.body(lang), BODY_BOOST)],
        };
        fields
            .into_iter()
            .map(|(field, boost)| (field, boost * preferred))
            .collect()
    }

    /// Analysed tokens with their positions.
    fn tokens(&mut self, lang: DocLang, text: &str) -> Vec<(usize, String)> {
        let analyzer = &mut self
            .analyzers
            .iter_mut()
            .find(|(l, _)| *l == lang)
            .expect("an analyser per language")
            .1;
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while let Some(token) = stream.next() {
            tokens.push((token.position, token.text.clone()));
        }
        tokens
    }

    /// A phrase (or single word) matched exactly in the scope's fields of every language.
    fn exact(&mut self, text: &str, scope: Scope, weight: f32) -> Vec<(Occur, Box<dyn Query>)> {
        self.exact_in(text, scope, weight, &DocLang::ALL)
    }

    /// Like [`exact`](Self::exact), in the fields of the given languages only.
    fn exact_in(
        &mut self,
        text: &str,
        scope: Scope,
        weight: f32,
        langs: &[DocLang],
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &lang in langs {
            if !self.indexed.contains(&lang) {
                continue;
            }
            let tokens = self.tokens(lang, text);
            if tokens.is_empty() {
                continue;
            }
            for (field, boost) in self.fields_for(scope, lang) {
                let query: Box<dyn Query> = if tokens.len() == 1 {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, &tokens[0].1),
                        IndexRecordOption::WithFreqs,
                    ))
                } else {
                    // Phrases are looked up as pairs of words (see `schema::WordPairs`).
                    let pairs_field = self
                        .fields
                        .pairs_of(field)
                        .expect("every text field has a pairs field");
                    let first = tokens[0].0;
                    let mut pairs: Vec<(usize, Term)> = tokens
                        .windows(2)
                        .map(|words| {
                            let pair = format!("{} {}", words[0].1, words[1].1);
                            (
                                words[0].0 - first,
                                Term::from_field_text(pairs_field, &pair),
                            )
                        })
                        .collect();
                    if pairs.len() == 1 {
                        Box::new(TermQuery::new(
                            pairs.remove(0).1,
                            IndexRecordOption::WithFreqs,
                        ))
                    } else {
                        Box::new(PhraseQuery::new_with_offset(pairs))
                    }
                };
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(query, boost * weight)),
                ));
            }
        }
        alternatives
    }

    /// Two consecutive query words found next to each other (as a word pair), in any
    /// language's fields: the cheapest proximity signal, one term per field.
    fn adjacent(&mut self, first: &str, second: &str) -> Vec<(Occur, Box<dyn Query>)> {
        let text = format!("{first} {second}");
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for lang in DocLang::ALL {
            if !self.indexed.contains(&lang) {
                continue;
            }
            let tokens = self.tokens(lang, &text);
            if tokens.len() != 2 {
                continue;
            }
            let pair = format!("{} {}", tokens[0].1, tokens[1].1);
            for (field, boost) in self.fields_for(Scope::All, lang) {
                let pairs_field = self.fields.pairs_of(field).expect("a pairs field");
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(pairs_field, &pair),
                            IndexRecordOption::WithFreqs,
                        )),
                        boost * PROXIMITY_WEIGHT,
                    )),
                ));
            }
        }
        alternatives
    }

    /// The word with one typo allowed (two from nine letters), matched against the words as
    /// written (the unstemmed field). Short words and numbers are never fuzzed: "act" is not
    /// "art", and 1948 is not 1949. Nor are words that at least one document in a thousand
    /// (and at least two) contains as typed: such a word is meant as written, and its near
    /// misses ("police", "policy") would only add noise to the results and their counts, at
    /// the cost of a walk through the whole term dictionary.
    ///
    /// The words a typo matches are looked up once (one walk of each segment's dictionary, as
    /// a fuzzy query would do) and searched as a set, so that snippets can highlight them.
    fn fuzzy(&mut self, word: &str, scope: Scope) -> Vec<(Occur, Box<dyn Query>)> {
        if scope != Scope::All {
            return Vec::new();
        }
        let Some(token) = self.typo_token(word) else {
            return Vec::new();
        };
        let Some(searcher) = self.searcher else {
            let term = Term::from_field_text(self.fields.raw_text, &token);
            let query = FuzzyTermQuery::new(term, typo_distance(&token), true);
            return vec![(
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(query), FUZZY_WEIGHT)),
            )];
        };
        let words = self.typo_matches(word, &token, searcher);
        if words.is_empty() {
            return Vec::new();
        }
        for found in &words {
            for lang in DocLang::ALL {
                for (_, token) in self.tokens(lang, found) {
                    for (field, _) in self.fields_for(Scope::All, lang) {
                        self.highlight.push(Term::from_field_text(field, &token));
                    }
                }
            }
        }
        if words.len() <= MAX_SCORED_CORRECTIONS {
            // A few candidates: score each like the word itself (BM25, below an exact match),
            // so a rare corrected word ranks as a rare word does.
            let mut alternatives = Vec::new();
            for found in &words {
                alternatives.extend(self.exact(found, Scope::All, CORRECTION_WEIGHT));
            }
            // The commonest candidate stands for the word in the phrase bonus.
            let meant = self.commonest(&words, searcher);
            self.corrections.push((word.to_string(), meant));
            return alternatives;
        }
        let set = TermSetQuery::new(
            words
                .iter()
                .map(|w| Term::from_field_text(self.fields.raw_text, w)),
        );
        vec![(
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(set), FUZZY_WEIGHT)),
        )]
    }

    /// The word as written in the unstemmed field, when it may be fuzzed: not short, not a
    /// number (see [`fuzzy`](Self::fuzzy)).
    fn typo_token(&mut self, word: &str) -> Option<String> {
        if word.chars().count() < 5 || word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut stream = self.raw.token_stream(word);
        stream.next().map(|t| t.text.clone())
    }

    /// The words of the index that `token` matches with a typo (one walk of each segment's
    /// dictionary, once per word and query); none when the word is common as typed, unless only
    /// other languages' documents contain it (see [`foreign_only`](Self::foreign_only)).
    fn typo_matches(&mut self, typed: &str, token: &str, searcher: &Searcher) -> BTreeSet<String> {
        if let Some(words) = self.typo_words.get(token) {
            return words.clone();
        }
        let term = Term::from_field_text(self.fields.raw_text, token);
        let common_from = (searcher.num_docs() / 1000).max(2);
        let mut words: BTreeSet<String> = BTreeSet::new();
        if searcher.doc_freq(&term).unwrap_or(0) < common_from
            || self.foreign_only(typed, token, searcher)
        {
            let query = FuzzyTermQuery::new(term, typo_distance(token), true);
            // Each segment's dictionary is walked on its own search thread.
            let raw_text = self.fields.raw_text;
            let walks = searcher.index().search_executor().map(
                |segment| Ok(typo_walk(segment, raw_text, &query)),
                searcher.segment_readers().iter(),
            );
            words.extend(walks.into_iter().flatten().flatten());
            // The first in the dictionaries' order, as one segment's walk would keep.
            while words.len() > MAX_FUZZY_WORDS {
                words.pop_last();
            }
        }
        self.typo_words.insert(token.to_string(), words.clone());
        words
    }

    /// True when the query's language is known and none of its documents contains the word
    /// (documents in other languages may): "atrocites" in an English query is a typo for
    /// "atrocities", not the French "atrocités" without its accent. A word typed with accents
    /// is typed as its own language writes it ("spécial" is not a Spanish typo), so only words
    /// of unaccented letters count.
    fn foreign_only(&mut self, typed: &str, token: &str, searcher: &Searcher) -> bool {
        let Some(lang) = self.language.map(DocLang::from) else {
            return false;
        };
        if !typed.chars().all(|c| c.is_ascii_alphabetic()) {
            return false;
        }
        let tokens = self.tokens(lang, token);
        let [(_, stem)] = &tokens[..] else {
            return false;
        };
        self.fields_for(Scope::All, lang).iter().all(|&(field, _)| {
            searcher
                .doc_freq(&Term::from_field_text(field, stem))
                .unwrap_or(0)
                == 0
        })
    }

    /// The candidate most documents contain: the likeliest meaning of a typo.
    fn commonest(&self, words: &BTreeSet<String>, searcher: &Searcher) -> String {
        words
            .iter()
            .max_by_key(|w| {
                searcher
                    .doc_freq(&Term::from_field_text(self.fields.raw_text, w))
                    .unwrap_or(0)
            })
            .cloned()
            .unwrap_or_default()
    }

    /// The word meant by a word that no document contains as typed and whose typo matches
    /// few words: the commonest of them ("univeral" → "universal"). So a phrase the
    /// vocabulary knows is understood when typed with a typo (its equivalents in the other
    /// languages, the place or type it names), as it would be typed correctly.
    fn meant(&mut self, word: &str) -> Option<String> {
        let searcher = self.searcher?;
        let token = self.typo_token(word)?;
        let typed = Term::from_field_text(self.fields.raw_text, &token);
        if searcher.doc_freq(&typed).unwrap_or(0) > 0 {
            return None;
        }
        let words = self.typo_matches(word, &token, searcher);
        if words.is_empty() || words.len() > MAX_SCORED_CORRECTIONS {
            return None;
        }
        Some(self.commonest(&words, searcher))
    }

    /// True when the word carries no meaning in some language (a stop word there): such words
    /// are optional, or "prevention of genocide" would never find a French document.
    fn is_stop_word(&mut self, word: &str) -> bool {
        DocLang::ALL
            .iter()
            .any(|&lang| self.tokens(lang, word).is_empty())
    }

    /// True when the word carries no meaning in the query's language (a Spanish or French
    /// "un", an English "a"): it is read as that stop word, never as a phrase the vocabulary
    /// knows in another language ("UN").
    fn is_query_language_stop_word(&mut self, word: &str) -> bool {
        match self.language {
            Some(lang) => self.tokens(lang.into(), word).is_empty(),
            None => false,
        }
    }

    fn key(&mut self, phrase: &str) -> String {
        vocabulary::key(&mut self.keys, phrase)
    }

    /// The alternatives a phrase the vocabulary knows adds: its equivalents (searched in
    /// their language's fields) and the facet values it names. Records what applied.
    fn understand(&mut self, phrase: &str) -> Vec<(Occur, Box<dyn Query>)> {
        let key = self.key(phrase);
        let vocabulary = self.vocabulary;
        let mut alternatives = Vec::new();
        let mut seen: Vec<(String, Option<Lang>)> = vec![(key.clone(), None)];
        let mut expansion = Expansion {
            phrase: phrase.to_string(),
            alternatives: Vec::new(),
            source: String::new(),
        };
        for group in vocabulary.groups_of(&key) {
            let weight = match group.source {
                Source::Taxonomy => SYNONYM_WEIGHT,
                Source::Glossary => GLOSSARY_WEIGHT,
            };
            for other in &group.phrases {
                if other.key == key || seen.contains(&(other.key.clone(), other.lang)) {
                    continue;
                }
                seen.push((other.key.clone(), other.lang));
                let langs = other.lang.map_or(DocLang::ALL.to_vec(), |l| vec![l.into()]);
                alternatives.extend(self.exact_in(&other.text, Scope::All, weight, &langs));
                if !expansion.alternatives.contains(&other.text) {
                    expansion.alternatives.push(other.text.clone());
                }
                let source = match group.source {
                    Source::Taxonomy => "taxonomy",
                    Source::Glossary => "glossary",
                };
                if !expansion.source.contains(source) {
                    if !expansion.source.is_empty() {
                        expansion.source.push_str(", ");
                    }
                    expansion.source.push_str(source);
                }
            }
        }
        if !expansion.alternatives.is_empty() {
            self.understood.expansions.push(expansion);
        }

        for named in vocabulary.facets_named(&key) {
            let term = Term::from_facet(self.fields.facet(named.group), &named.facet);
            alternatives.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                    FACET_MATCH_SCORE,
                )),
            ));
            if !self
                .understood
                .named
                .iter()
                .any(|(_, n)| n.group == named.group && n.value == named.value)
            {
                self.understood
                    .named
                    .push((phrase.to_string(), named.clone()));
            }
        }
        alternatives
    }

    /// The tantivy query for a parsed query, and a bonus for the whole query as a phrase.
    /// Returns `None` when there is nothing to search for (only exclusions, or nothing).
    pub(crate) fn build(&mut self, parsed: &ParsedQuery, combine: Combine) -> Option<TextQuery> {
        self.highlight.clear();
        self.corrections.clear();
        self.typo_words.clear();
        self.understood = Understood::default();
        // One query per word (or phrase, or run of words the vocabulary knows).
        let mut words: Vec<Counted> = Vec::new();
        // Words that are stop words in some language: optional.
        let mut optional: Vec<Box<dyn Query>> = Vec::new();
        let mut excluded: Vec<Box<dyn Query>> = Vec::new();
        let mut positive_words: Vec<String> = Vec::new();
        let mut i = 0;
        let items = &parsed.clauses;
        while i < items.len() {
            let clause = &items[i];
            if clause.negated {
                let text = clause.words.join(" ");
                let alternatives = self.exact(&text, clause.scope, 1.0);
                if !alternatives.is_empty() {
                    excluded.push(Box::new(BooleanQuery::new(alternatives)));
                }
                i += 1;
                continue;
            }
            // The longest run of plain words from here that the vocabulary knows (a synonym,
            // a glossary term, the name of a place or type), so "early warning" expands as one.
            let mut matched = None;
            if clause.joins_runs() {
                let run_end = (i..items.len())
                    .take_while(|&j| items[j].joins_runs())
                    .last()
                    .map_or(i, |j| j + 1);
                for end in (i + 1..=run_end.min(i + MAX_PHRASE_WORDS)).rev() {
                    let phrase = items[i..end]
                        .iter()
                        .map(Clause::text)
                        .collect::<Vec<_>>()
                        .join(" ");
                    if end == i + 1 && self.is_query_language_stop_word(&phrase) {
                        // "un" in a Spanish query is an article, not the UN.
                        break;
                    }
                    let key = self.key(&phrase);
                    if !key.is_empty() && self.vocabulary.knows(&key) {
                        matched = Some((end, phrase));
                        break;
                    }
                    // Typed with a typo, the phrase is understood as meant.
                    let meant = items[i..end]
                        .iter()
                        .flat_map(|c| c.words.iter())
                        .map(|word| self.meant(word).unwrap_or_else(|| word.clone()))
                        .collect::<Vec<_>>()
                        .join(" ");
                    if meant != phrase {
                        let key = self.key(&meant);
                        if !key.is_empty() && self.vocabulary.knows(&key) {
                            matched = Some((end, meant));
                            break;
                        }
                    }
                }
            }
            if let Some((end, phrase)) = matched {
                // Each word stays a word (it counts on its own, and documents with the words
                // apart still match), and what the phrase means (its equivalents, the facet
                // value it names) matches every one of its words: a Spanish document saying
                // "alerta temprana" matches both words of "early warning".
                let shared = self.understand(&phrase);
                let several = end > i + 1;
                // A word the vocabulary knows as typed ("expresidente") is no typo: fuzzed, a
                // rare one would match every document saying the word without its prefix
                // ("presidente") as if it were the word itself.
                let known_as_typed = !several && phrase == items[i].text();
                let mut concept_words = Vec::new();
                for item in &items[i..end] {
                    let word = item.text();
                    let mut alternatives = self.exact(&word, Scope::All, 1.0);
                    if !item.compound && !known_as_typed {
                        alternatives.extend(self.fuzzy(&word, Scope::All));
                    }
                    positive_words.extend(item.words.iter().cloned());
                    if several && !item.compound && self.is_stop_word(&word) {
                        if !alternatives.is_empty() {
                            optional.push(Box::new(BooleanQuery::new(alternatives)));
                        }
                        continue;
                    }
                    if several && !shared.is_empty() {
                        // Counted with the equivalents, below.
                        concept_words.push(if alternatives.is_empty() {
                            Box::new(EmptyQuery) as Box<dyn Query>
                        } else {
                            Box::new(BooleanQuery::new(alternatives))
                        });
                        continue;
                    }
                    if !several {
                        alternatives.extend(shared.iter().map(|(o, q)| (*o, q.box_clone())));
                    }
                    if !alternatives.is_empty() {
                        words.push(Counted::Word(Box::new(BooleanQuery::new(alternatives))));
                    }
                }
                if several && !shared.is_empty() {
                    let equivalents = Box::new(BooleanQuery::new(shared));
                    if concept_words.is_empty() {
                        // Only stop words ("de la"): the equivalents add to the score only.
                        optional.push(equivalents);
                    } else {
                        // The equivalents count for each word but score once.
                        words.push(Counted::Concept {
                            words: concept_words,
                            equivalents,
                        });
                    }
                }
                i = end;
                continue;
            }
            let text = clause.words.join(" ");
            let mut alternatives = self.exact(&text, clause.scope, 1.0);
            if !clause.phrase {
                alternatives.extend(self.fuzzy(&text, clause.scope));
            }
            if clause.scope == Scope::All {
                positive_words.extend(clause.words.iter().cloned());
            }
            if !alternatives.is_empty() {
                let query = Box::new(BooleanQuery::new(alternatives));
                if !clause.phrase && self.is_stop_word(&text) {
                    optional.push(query);
                } else {
                    words.push(Counted::Word(query));
                }
            }
            i += 1;
        }
        if words.is_empty() {
            // Only words that are stop words somewhere ("die", "son"): they are the query.
            words = std::mem::take(&mut optional)
                .into_iter()
                .map(Counted::Word)
                .collect();
        }
        if words.is_empty() {
            return None;
        }
        let word_count = words.iter().map(Counted::words).sum();
        let should = |queries: Vec<Box<dyn Query>>| -> Vec<(Occur, Box<dyn Query>)> {
            queries.into_iter().map(|q| (Occur::Should, q)).collect()
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = match combine {
            Combine::All => words
                .into_iter()
                .map(|w| (Occur::Must, w.into_query(0.0, true)))
                .collect(),
            Combine::Any => words
                .into_iter()
                .map(|w| (Occur::Should, w.into_query(0.0, false)))
                .collect(),
            Combine::Bands => {
                let banded = words
                    .into_iter()
                    .map(|w| w.into_query(BAND, false))
                    .collect();
                vec![(Occur::Must, Box::new(BooleanQuery::new(should(banded))))]
            }
        };
        // The phrase bonus and proximity use the words as meant.
        for word in positive_words.iter_mut() {
            if let Some((_, meant)) = self.corrections.iter().find(|(typed, _)| typed == word) {
                *word = meant.clone();
            }
        }
        if combine != Combine::Any {
            clauses.extend(should(optional));
            // Proximity: consecutive words next to each other. (With two words, the phrase
            // bonus says the same.)
            if positive_words.len() > 2 {
                for pair in positive_words.windows(2).take(MAX_PHRASE_WORDS) {
                    clauses.extend(self.adjacent(&pair[0], &pair[1]));
                }
            }
        }
        clauses.extend(excluded.into_iter().map(|q| (Occur::MustNot, q)));
        let mut phrase_bonus = Vec::new();
        if positive_words.len() > 1 {
            let phrase = positive_words.join(" ");
            phrase_bonus = self
                .exact(&phrase, Scope::All, PHRASE_BONUS)
                .into_iter()
                .map(|(_, query)| query)
                .collect();
        }
        let mut highlight = std::mem::take(&mut self.highlight);
        highlight.sort();
        highlight.dedup();
        Some(TextQuery {
            matching: Box::new(BooleanQuery::new(clauses)),
            phrase_bonus,
            words: word_count,
            highlight,
            understood: std::mem::take(&mut self.understood),
        })
    }

    /// The exclusions of a parsed query alone (for a query of only `-word`s).
    pub(crate) fn exclusions(&mut self, parsed: &ParsedQuery) -> Vec<Box<dyn Query>> {
        parsed
            .clauses
            .iter()
            .filter(|c| c.negated)
            .map(|c| {
                let text = c.words.join(" ");
                Box::new(BooleanQuery::new(self.exact(&text, c.scope, 1.0))) as Box<dyn Query>
            })
            .collect()
    }
}

/// The words of one segment's dictionary that a typo query matches, at most
/// `MAX_FUZZY_WORDS`, in the dictionary's order.
fn typo_walk(segment: &SegmentReader, field: Field, query: &FuzzyTermQuery) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    let (Ok(inverted), Ok(automaton)) = (segment.inverted_index(field), query.automaton()) else {
        return words;
    };
    let Ok(mut terms) = inverted.terms().search(automaton).into_stream() else {
        return words;
    };
    while words.len() < MAX_FUZZY_WORDS && terms.advance() {
        if let Ok(found) = std::str::from_utf8(terms.key()) {
            words.insert(found.to_string());
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(words: &[&str], phrase: bool, negated: bool, scope: Scope) -> Clause {
        Clause {
            words: words.iter().map(|w| w.to_string()).collect(),
            phrase,
            compound: false,
            negated,
            scope,
        }
    }

    #[test]
    fn a_pasted_paragraph_is_searched_with_its_first_words_and_says_so() {
        let words: Vec<String> = (0..MAX_QUERY_WORDS + 8).map(|i| format!("w{i}")).collect();
        let parsed = parse(&words.join(" "));
        assert_eq!(parsed.clauses.len(), MAX_QUERY_WORDS);
        assert_eq!(
            parsed.clauses.last().unwrap().words,
            [format!("w{}", MAX_QUERY_WORDS - 1)]
        );
        let notice = parsed.notices.last().unwrap();
        assert_eq!(notice.code, "notice_query_truncated");
        assert_eq!(notice.args["total"], (MAX_QUERY_WORDS + 8).to_string());

        // A phrase that crosses the limit keeps its first words, still as a phrase.
        let head = words[..MAX_QUERY_WORDS - 2].join(" ");
        let parsed = parse(&format!("{head} \"early warning system\""));
        let last = parsed.clauses.last().unwrap();
        assert_eq!(last.words, ["early", "warning"]);
        assert!(last.phrase);
        // Exactly the limit: nothing cut, nothing said.
        let parsed = parse(&words[..MAX_QUERY_WORDS].join(" "));
        assert_eq!(parsed.clauses.len(), MAX_QUERY_WORDS);
        assert!(parsed.notices.is_empty());
    }

    #[test]
    fn reads_words_phrases_exclusions_and_fields() {
        let parsed = parse("early \"hate speech\" -kenya title:law");
        assert_eq!(
            parsed.clauses,
            vec![
                clause(&["early"], false, false, Scope::All),
                clause(&["hate", "speech"], true, false, Scope::All),
                clause(&["kenya"], false, true, Scope::All),
                clause(&["law"], false, false, Scope::Title),
            ]
        );
        assert!(parsed.notices.is_empty());
    }

    #[test]
    fn unreadable_syntax_is_read_leniently_and_explained() {
        let parsed = parse("\"unclosed phrase ((");
        assert_eq!(parsed.clauses.len(), 2);
        assert_eq!(parsed.notices.len(), 1);
        let parsed = parse("genocide AND foo:bar");
        assert_eq!(parsed.clauses.len(), 3);
        assert_eq!(parsed.notices.len(), 2);
    }

    #[test]
    fn hyphenated_words_are_phrases() {
        let parsed = parse("post-election");
        assert_eq!(
            parsed.clauses,
            vec![Clause {
                compound: true,
                ..clause(&["post", "election"], true, false, Scope::All)
            }]
        );
        // A quoted phrase is not a compound word.
        assert!(!parse("\"post election\"").clauses[0].compound);
    }

    #[test]
    fn only_exclusions_is_empty() {
        assert!(parse("-kenya").is_empty());
        assert!(parse("").is_empty());
        assert!(!parse("kenya").is_empty());
    }
}
