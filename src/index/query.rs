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

use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::schema::{analyzer, raw_analyzer, Fields};
use crate::taxonomy::{normalise_phrase, DocLang, SynonymGroup};

/// Which text a clause is restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Title,
    Summary,
    Body,
}

/// One unit of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// The words (one for a word, several for a phrase).
    pub words: Vec<String>,
    pub phrase: bool,
    pub negated: bool,
    pub scope: Scope,
}

/// A query as read, with what had to be read leniently.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
    pub notices: Vec<String>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
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
                    parsed.notices.push(format!(
                        "\"{prefix}:\" is not a field you can search in (use title:, summary: or body:); searched for the words instead"
                    ));
                    parsed.clauses.push(Clause {
                        words: vec![prefix.to_string()],
                        phrase: false,
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
                parsed
                    .notices
                    .push("a quote was not closed; searched for the words without it".to_string());
                i = start;
                continue;
            };
            let text: String = chars[start..end].iter().collect();
            i = end + 1;
            let words = words_of(&text);
            if !words.is_empty() {
                parsed.clauses.push(Clause {
                    phrase: words.len() > 1,
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
                words,
                negated,
                scope,
            });
        }
    }
    if operators_seen {
        parsed.notices.push(
            "AND, OR and NOT are not operators here: every word is searched, and -word excludes a word"
                .to_string(),
        );
    }
    parsed
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// How clauses combine: all required, or any (when relaxing a query that found nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    All,
    Any,
}

const TITLE_BOOST: f32 = 3.0;
const SUMMARY_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;
const FUZZY_WEIGHT: f32 = 0.3;
const SYNONYM_WEIGHT: f32 = 0.8;
const PHRASE_BONUS: f32 = 2.0;

/// Builds tantivy queries from parsed queries, with the analysers of the three languages.
pub struct QueryBuilder<'a> {
    fields: &'a Fields,
    analyzers: Vec<(DocLang, TextAnalyzer)>,
    raw: TextAnalyzer,
    synonym_groups: &'a [SynonymGroup],
    /// The index searched, to tell common words from rare ones (see [`fuzzy`](Self::fuzzy)).
    vocabulary: Option<&'a Searcher>,
}

/// A text query ready to run.
pub struct TextQuery {
    /// What a document must match, and its score.
    pub matching: Box<dyn Query>,
    /// A bonus for the whole query as a phrase, one query per field: a result's bonus is the
    /// sum of the scores of those it matches. Checking word positions for every match costs
    /// more than all the rest of a search, so the bonus is added to the best results only
    /// (see [`super::search`]).
    pub phrase_bonus: Vec<Box<dyn Query>>,
}

impl<'a> QueryBuilder<'a> {
    pub fn new(fields: &'a Fields, synonym_groups: &'a [SynonymGroup]) -> Self {
        QueryBuilder {
            fields,
            analyzers: DocLang::ALL.iter().map(|&l| (l, analyzer(l))).collect(),
            raw: raw_analyzer(),
            synonym_groups,
            vocabulary: None,
        }
    }

    /// Fuzzes only the words that few documents of `searcher` contain as typed.
    pub fn with_vocabulary(mut self, searcher: &'a Searcher) -> Self {
        self.vocabulary = Some(searcher);
        self
    }

    fn fields_for(&self, scope: Scope, lang: DocLang) -> Vec<(Field, f32)> {
        let f = self.fields;
        match scope {
            Scope::All => vec![
                (f.title(lang), TITLE_BOOST),
                (f.summary(lang), SUMMARY_BOOST),
                (f.body(lang), BODY_BOOST),
            ],
            Scope::Title => vec![(f.title(lang), TITLE_BOOST)],
            Scope::Summary => vec![(f.summary(lang), SUMMARY_BOOST)],
            Scope::Body => vec![(f.body(lang), BODY_BOOST)],
        }
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

    /// The word with one typo allowed (two from nine letters), matched against the words as
    /// written (the unstemmed field). Short words and numbers are never fuzzed: "act" is not
    /// "art", and 1948 is not 1949. Nor are words that at least one document in a thousand
    /// (and at least two) contains as typed: such a word is meant as written, and its near
    /// misses ("police", "policy") would only add noise to the results and their counts, at
    /// the cost of a walk through the whole term dictionary.
    fn fuzzy(&mut self, word: &str, scope: Scope) -> Vec<(Occur, Box<dyn Query>)> {
        let length = word.chars().count();
        if scope != Scope::All || length < 5 || word.chars().any(|c| c.is_ascii_digit()) {
            return Vec::new();
        }
        let mut stream = self.raw.token_stream(word);
        let Some(token) = stream.next().map(|t| t.text.clone()) else {
            return Vec::new();
        };
        let term = Term::from_field_text(self.fields.raw_text, &token);
        if let Some(searcher) = self.vocabulary {
            let common_from = (searcher.num_docs() / 1000).max(2);
            if searcher.doc_freq(&term).unwrap_or(0) >= common_from {
                return Vec::new();
            }
        }
        let distance = if length >= 9 { 2 } else { 1 };
        let query = FuzzyTermQuery::new(term, distance, true);
        vec![(
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(query), FUZZY_WEIGHT)),
        )]
    }

    /// True when the word carries no meaning in some language (a stop word there): such words
    /// are optional, or "prevention of genocide" would never find a French document.
    fn is_stop_word(&mut self, word: &str) -> bool {
        DocLang::ALL
            .iter()
            .any(|&lang| self.tokens(lang, word).is_empty())
    }

    fn synonyms_of(&self, phrase: &str) -> Option<&'a SynonymGroup> {
        let normalised = normalise_phrase(phrase);
        self.synonym_groups
            .iter()
            .find(|group| group.contains(&normalised))
    }

    /// The tantivy query for a parsed query, and a bonus for the whole query as a phrase.
    /// Returns `None` when there is nothing to search for (only exclusions, or nothing).
    pub fn build(&mut self, parsed: &ParsedQuery, combine: Combine) -> Option<TextQuery> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut positive_words: Vec<String> = Vec::new();
        let required = match combine {
            Combine::All => Occur::Must,
            Combine::Any => Occur::Should,
        };
        // Group consecutive plain words so multi-word synonyms ("early warning") are found.
        let mut i = 0;
        let items = &parsed.clauses;
        while i < items.len() {
            let clause = &items[i];
            if clause.negated {
                let text = clause.words.join(" ");
                let alternatives = self.exact(&text, clause.scope, 1.0);
                if !alternatives.is_empty() {
                    clauses.push((Occur::MustNot, Box::new(BooleanQuery::new(alternatives))));
                }
                i += 1;
                continue;
            }
            // Longest run of plain words from here that names a taxonomy term.
            let mut matched = None;
            if clause.scope == Scope::All && !clause.phrase {
                let run_end = (i..items.len())
                    .take_while(|&j| {
                        !items[j].negated && !items[j].phrase && items[j].scope == Scope::All
                    })
                    .last()
                    .map_or(i, |j| j + 1);
                for end in (i + 1..=run_end.min(i + 6)).rev() {
                    let phrase = items[i..end]
                        .iter()
                        .map(|c| c.words[0].as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    if let Some(group) = self.synonyms_of(&phrase) {
                        matched = Some((end, phrase, group));
                        break;
                    }
                }
            }
            if let Some((end, phrase, group)) = matched {
                let mut alternatives = self.exact(&phrase, Scope::All, 1.0);
                if end == i + 1 {
                    alternatives.extend(self.fuzzy(&phrase, Scope::All));
                }
                let normalised = normalise_phrase(&phrase);
                for (synonym, lang) in group.phrases.iter().filter(|(s, _)| *s != normalised) {
                    let langs = lang.map_or(DocLang::ALL.to_vec(), |l| vec![l.into()]);
                    alternatives.extend(self.exact_in(synonym, Scope::All, SYNONYM_WEIGHT, &langs));
                }
                positive_words.extend(phrase.split(' ').map(str::to_string));
                clauses.push((required, Box::new(BooleanQuery::new(alternatives))));
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
            let occur = if !clause.phrase && self.is_stop_word(&text) {
                Occur::Should
            } else {
                required
            };
            if !alternatives.is_empty() {
                clauses.push((occur, Box::new(BooleanQuery::new(alternatives))));
            }
            i += 1;
        }
        let has_positive = clauses.iter().any(|(o, _)| *o != Occur::MustNot);
        if !has_positive {
            return None;
        }
        let mut phrase_bonus = Vec::new();
        if positive_words.len() > 1 {
            let phrase = positive_words.join(" ");
            phrase_bonus = self
                .exact(&phrase, Scope::All, PHRASE_BONUS)
                .into_iter()
                .map(|(_, query)| query)
                .collect();
        }
        Some(TextQuery {
            matching: Box::new(BooleanQuery::new(clauses)),
            phrase_bonus,
        })
    }

    /// A query matching nothing, for a text query made only of exclusions' complement.
    pub fn nothing() -> Box<dyn Query> {
        Box::new(EmptyQuery)
    }

    /// The exclusions of a parsed query alone (for a query of only `-word`s).
    pub fn exclusions(&mut self, parsed: &ParsedQuery) -> Vec<Box<dyn Query>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(words: &[&str], phrase: bool, negated: bool, scope: Scope) -> Clause {
        Clause {
            words: words.iter().map(|w| w.to_string()).collect(),
            phrase,
            negated,
            scope,
        }
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
            vec![clause(&["post", "election"], true, false, Scope::All)]
        );
    }

    #[test]
    fn only_exclusions_is_empty() {
        assert!(parse("-kenya").is_empty());
        assert!(parse("").is_empty());
        assert!(!parse("kenya").is_empty());
    }
}
