//! Index fields and text analysers.
//!
//! Each document's title, summary and body go into the fields of its own language, analysed
//! with that language's stop words and stemmer (after lower-casing and accent folding, so
//! "genocidio", "génocide" and "genocide" meet). A query is analysed once per language and
//! searched in all of them, which is how an English query finds French documents on the same
//! subject where the words coincide, and how synonyms bridge them where they do not.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, Schema, TantivyDocument, TextFieldIndexing,
    TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TextAnalyzerBuilder, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

use super::request::FacetGroup;
use crate::document::Metadata;
use crate::taxonomy::DocLang;

/// The fields of the index.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    /// A hash of the id: a fast, deterministic tie-breaker.
    pub(crate) id_key: Field,
    pub(crate) revision: Field,
    pub(crate) year: Field,
    /// Stored JSON with what a hit shows besides text ([`HitMeta`]).
    pub(crate) hit_meta: Field,
    /// All text, lower-cased and accent-folded but not stemmed: typo tolerance compares what
    /// people type with words as written, since a typo can change what a stemmer does.
    pub(crate) raw_text: Field,
    titles: [Field; LANGUAGES],
    summaries: [Field; LANGUAGES],
    bodies: [Field; LANGUAGES],
    /// The same texts as pairs of consecutive words (see [`WordPairs`]), by language: title,
    /// summary, body.
    pairs: [[Field; 3]; LANGUAGES],
    facets: Vec<(FacetGroup, Field)>,
}

impl Fields {
    pub(crate) fn title(&self, lang: impl Into<DocLang>) -> Field {
        self.titles[lang_index(lang.into())]
    }
    pub(crate) fn summary(&self, lang: impl Into<DocLang>) -> Field {
        self.summaries[lang_index(lang.into())]
    }
    pub(crate) fn body(&self, lang: impl Into<DocLang>) -> Field {
        self.bodies[lang_index(lang.into())]
    }
    /// The word-pair field of a title, summary or body field.
    pub(crate) fn pairs_of(&self, field: Field) -> Option<Field> {
        (0..LANGUAGES).find_map(|lang| {
            [self.titles[lang], self.summaries[lang], self.bodies[lang]]
                .iter()
                .position(|&f| f == field)
                .map(|kind| self.pairs[lang][kind])
        })
    }

    /// The title, summary or body field of a word-pair field.
    pub(crate) fn text_of_pairs(&self, pairs: Field) -> Option<Field> {
        (0..LANGUAGES).find_map(|lang| {
            self.pairs[lang]
                .iter()
                .position(|&f| f == pairs)
                .map(|kind| [self.titles[lang], self.summaries[lang], self.bodies[lang]][kind])
        })
    }

    pub(crate) fn facet(&self, group: FacetGroup) -> Field {
        self.facets
            .iter()
            .find(|(g, _)| *g == group)
            .map(|(_, f)| *f)
            .expect("every facet group has a field")
    }
}

/// How many document languages have fields of their own.
const LANGUAGES: usize = DocLang::ALL.len();

fn lang_index(lang: DocLang) -> usize {
    match lang {
        DocLang::En => 0,
        DocLang::Fr => 1,
        DocLang::Es => 2,
        DocLang::Pt => 3,
        DocLang::Ar => 4,
    }
}

/// The analyser name for a language's text fields.
pub(crate) fn tokenizer_name(lang: impl Into<DocLang>) -> &'static str {
    match lang.into() {
        DocLang::En => "praxis_en",
        DocLang::Fr => "praxis_fr",
        DocLang::Es => "praxis_es",
        DocLang::Pt => "praxis_pt",
        DocLang::Ar => "praxis_ar",
    }
}

/// Arabic function words: tantivy ships no Arabic stop-word list. Only free-standing
/// particles and pronouns; prefixed forms ("و", "ال") are the stemmer's business.
const ARABIC_STOP_WORDS: &[&str] = &[
    "في",
    "من",
    "على",
    "إلى",
    "الى",
    "عن",
    "مع",
    "أن",
    "ان",
    "إن",
    "أو",
    "او",
    "ثم",
    "قد",
    "لا",
    "ما",
    "لم",
    "لن",
    "هو",
    "هي",
    "هم",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "التي",
    "الذي",
    "الذين",
    "كان",
    "كانت",
    "كل",
    "بين",
    "عند",
    "حتى",
    "غير",
    "بعد",
    "قبل",
    "و",
];

fn stop_words(lang: DocLang) -> StopWordFilter {
    let language = match lang {
        DocLang::En => Language::English,
        DocLang::Fr => Language::French,
        DocLang::Es => Language::Spanish,
        DocLang::Pt => Language::Portuguese,
        DocLang::Ar => {
            return StopWordFilter::remove(ARABIC_STOP_WORDS.iter().map(|w| w.to_string()))
        }
    };
    StopWordFilter::new(language).expect("tantivy ships stop words for en, fr, es, pt")
}

fn words(lang: DocLang) -> TextAnalyzerBuilder<impl Tokenizer> {
    let language = match lang {
        DocLang::En => Language::English,
        DocLang::Fr => Language::French,
        DocLang::Es => Language::Spanish,
        DocLang::Pt => Language::Portuguese,
        DocLang::Ar => Language::Arabic,
    };
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(WORD_LIMIT))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(stop_words(lang))
        .filter(Stemmer::new(language))
}

/// Portuguese folds accents after stemming, not before: its stemmer needs them to tell the
/// nasal endings apart, or "comissão" and "comissões" would not meet.
fn portuguese_words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(WORD_LIMIT))
        .filter(LowerCaser)
        .filter(stop_words(DocLang::Pt))
        .filter(Stemmer::new(Language::Portuguese))
        .filter(AsciiFoldingFilter)
}

pub(crate) fn analyzer(lang: impl Into<DocLang>) -> TextAnalyzer {
    match lang.into() {
        DocLang::Pt => portuguese_words().build(),
        lang => words(lang).build(),
    }
}

/// The analyser name for a language's word-pair fields.
pub(crate) fn pairs_tokenizer_name(lang: impl Into<DocLang>) -> &'static str {
    match lang.into() {
        DocLang::En => "praxis_en_pairs",
        DocLang::Fr => "praxis_fr_pairs",
        DocLang::Es => "praxis_es_pairs",
        DocLang::Pt => "praxis_pt_pairs",
        DocLang::Ar => "praxis_ar_pairs",
    }
}

/// A language's analyser, then each two consecutive words as one token.
#[cfg(test)]
pub(crate) fn pairs_analyzer(lang: impl Into<DocLang>) -> TextAnalyzer {
    match lang.into() {
        DocLang::Pt => portuguese_words().filter(WordPairs).build(),
        lang => words(lang).filter(WordPairs).build(),
    }
}

/// Turns words into pairs of consecutive words ("early warning system" into "earli warn" and
/// "warn system"), each at the position of its first word; stop words are skipped, as in the
/// language's fields. A phrase of two words becomes one term to look up, and a longer phrase
/// a phrase of pairs, which few documents have: checking word positions in every document
/// that has all the words of a common phrase was most of the cost of such searches. This is
/// what Elasticsearch's `index_phrases` does.
#[derive(Clone)]
pub(crate) struct WordPairs;

impl TokenFilter for WordPairs {
    type Tokenizer<T: Tokenizer> = WordPairsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordPairsFilter<T> {
        WordPairsFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub(crate) struct WordPairsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for WordPairsFilter<T> {
    type TokenStream<'a> = WordPairsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordPairsStream {
            inner: self.inner.token_stream(text),
            previous: None,
            token: Token::default(),
        }
    }
}

pub(crate) struct WordPairsStream<S> {
    inner: S,
    previous: Option<Token>,
    token: Token,
}

impl<S: TokenStream> TokenStream for WordPairsStream<S> {
    fn advance(&mut self) -> bool {
        while self.inner.advance() {
            let word = self.inner.token();
            if let Some(previous) = &mut self.previous {
                self.token.text.clear();
                self.token.text.push_str(&previous.text);
                self.token.text.push(' ');
                self.token.text.push_str(&word.text);
                self.token.offset_from = previous.offset_from;
                self.token.offset_to = word.offset_to;
                self.token.position = previous.position;
                self.token.position_length = 1;
                previous.clone_from(word);
                return true;
            }
            self.previous = Some(word.clone());
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Words of this many bytes or more are left out of the index (tantivy's `RemoveLongFilter`):
/// they are not words people search for.
const WORD_LIMIT: usize = 40;

/// The analyser of the unstemmed field.
pub(crate) const RAW_TOKENIZER: &str = "praxis_raw";

pub(crate) fn raw_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(WORD_LIMIT))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers the indexing analysers: they give the tokens of [`analyzer`], of [`WordPairs`]
/// after it, and of [`raw_analyzer`], remembering per thread what the filters made of each word (see
/// [`RememberedWords`]). Searches analyse with the plain analysers.
pub(crate) fn register_tokenizers(index: &Index) {
    for lang in DocLang::ALL {
        index.tokenizers().register(
            tokenizer_name(lang),
            RememberedWords::analyzer(Chain::Words(lang)),
        );
        index
            .tokenizers()
            .register(pairs_tokenizer_name(lang), RememberedPairs::analyzer(lang));
    }
    index
        .tokenizers()
        .register(RAW_TOKENIZER, RememberedWords::analyzer(Chain::Raw));
}

/// Which chain of filters a [`RememberedWords`] stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Chain {
    /// A language's words: [`analyzer`].
    Words(DocLang),
    /// The unstemmed words: [`raw_analyzer`].
    Raw,
}

impl Chain {
    const COUNT: usize = LANGUAGES + 1;

    fn slot(self) -> usize {
        match self {
            Chain::Words(lang) => lang_index(lang),
            Chain::Raw => LANGUAGES,
        }
    }

    fn analyzer(self) -> TextAnalyzer {
        match self {
            Chain::Words(lang) => analyzer(lang),
            Chain::Raw => raw_analyzer(),
        }
    }
}

/// The words of a text as one of our analysers gives them, each distinct word put through
/// the analyser's filters once per thread. Every filter after the tokenizer (length limit,
/// lower case, accent folding, stop words, stemmer) looks at one word at a time and keeps
/// its offsets and position, so a word always becomes the same term or none; and words are
/// Zipfian, so a small table replaces most of the filters' work. The stemmers were a quarter
/// of an ingest's instructions (BENCHMARKS.md, "Ingest, session 6"), and each text passes
/// through three analysers (words, word pairs, raw).
#[derive(Clone)]
pub(crate) struct RememberedWords {
    chain: Chain,
    words: SimpleTokenizer,
    /// Whether a language's analysed texts are kept for [`RememberedPairs`].
    keep_texts: bool,
}

impl RememberedWords {
    pub(crate) fn new(chain: Chain) -> RememberedWords {
        RememberedWords {
            chain,
            words: SimpleTokenizer::default(),
            keep_texts: true,
        }
    }

    pub(crate) fn analyzer(chain: Chain) -> TextAnalyzer {
        TextAnalyzer::from(RememberedWords::new(chain))
    }
}

/// What each chain made of the words it saw on this thread.
struct WordTable {
    /// Per chain: the word as the tokenizer cut it → its term, `None` when the filters drop it.
    terms: [FxHashMap<Box<str>, Option<Box<str>>>; Chain::COUNT],
    /// Per chain, built at its first unknown word: the analyser whose work is remembered.
    analyzers: [Option<TextAnalyzer>; Chain::COUNT],
    /// The last texts the languages' word chains analysed on this thread, newest last, for
    /// [`RememberedPairs`] of the same texts.
    recent: std::collections::VecDeque<AnalysedText>,
    /// Emptied [`AnalysedText`]s, whose buffers the next texts reuse.
    spare: Vec<AnalysedText>,
}

/// How many analysed texts a thread keeps: tantivy indexes a document's fields in schema
/// order, so a language's title, summary and body fields (three texts) come just before
/// their word-pair fields. Were that order to change, the pairs would be analysed again,
/// with the same result.
const RECENT_TEXTS: usize = 3;

/// A text as a language's word chain analysed it: its words' terms and places.
#[derive(Default)]
pub(crate) struct AnalysedText {
    lang: Option<DocLang>,
    text: String,
    /// The terms, one after the other; each word says where its term ends.
    terms: String,
    words: Vec<AnalysedWord>,
}

struct AnalysedWord {
    term_end: usize,
    offset_from: usize,
    offset_to: usize,
    position: usize,
}

impl AnalysedText {
    fn term(&self, word: usize) -> &str {
        let start = word.checked_sub(1).map_or(0, |w| self.words[w].term_end);
        &self.terms[start..self.words[word].term_end]
    }
}

/// Words remembered per chain before the table starts again: a bound on memory for a thread
/// that indexes an unbounded vocabulary (about 100 bytes a word with its term, so some 13 MB
/// per chain that fills up). Words are Zipfian: the common ones are back after a few texts.
const REMEMBERED_WORDS: usize = 1 << 17;

thread_local! {
    static WORD_TABLE: std::cell::RefCell<WordTable> = std::cell::RefCell::new(WordTable {
        terms: Default::default(),
        analyzers: Default::default(),
        recent: Default::default(),
        spare: Vec::new(),
    });
}

impl WordTable {
    /// An empty record for `text`, reusing a spare one's buffers.
    fn record(&mut self, lang: DocLang, text: &str) -> AnalysedText {
        let mut analysed = self.spare.pop().unwrap_or_default();
        analysed.lang = Some(lang);
        analysed.text.clear();
        analysed.text.push_str(text);
        analysed.terms.clear();
        analysed.words.clear();
        analysed
    }

    fn remember(&mut self, analysed: AnalysedText) {
        if self.recent.len() == RECENT_TEXTS {
            self.spare.extend(self.recent.pop_front());
        }
        self.recent.push_back(analysed);
    }

    /// Takes the analysis of `text` in `lang`, if it is one of the recent ones.
    fn take_recent(&mut self, lang: DocLang, text: &str) -> Option<AnalysedText> {
        let found = self
            .recent
            .iter()
            .position(|a| a.lang == Some(lang) && a.text == text)?;
        self.recent.remove(found)
    }
    /// Writes the term of `word` into `term`; false when the filters drop it.
    fn term(&mut self, chain: Chain, word: &str, term: &mut String) -> bool {
        if chain == Chain::Raw && word.is_ascii() {
            // Lower-casing is all the raw chain does to ASCII: folding changes other letters.
            term.clear();
            if word.len() >= WORD_LIMIT {
                return false;
            }
            term.push_str(word);
            term.make_ascii_lowercase();
            return true;
        }
        let slot = chain.slot();
        if let Some(remembered) = self.terms[slot].get(word) {
            return write_term(remembered.as_deref(), term);
        }
        let analyzer = self.analyzers[slot].get_or_insert_with(|| chain.analyzer());
        // The word is one run of letters and digits, so the analyser's tokenizer gives it
        // back whole, as it was in the text.
        let made: Option<Box<str>> = analyzer
            .token_stream(word)
            .next()
            .map(|token| token.text.as_str().into());
        let kept = write_term(made.as_deref(), term);
        let terms = &mut self.terms[slot];
        if terms.len() >= REMEMBERED_WORDS {
            terms.clear();
        }
        terms.insert(word.into(), made);
        kept
    }
}

fn write_term(made: Option<&str>, term: &mut String) -> bool {
    term.clear();
    match made {
        Some(made) => {
            term.push_str(made);
            true
        }
        None => false,
    }
}

impl Tokenizer for RememberedWords {
    type TokenStream<'a> = RememberedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> RememberedStream<'a> {
        let record = match self.chain {
            Chain::Words(lang) if self.keep_texts => {
                WORD_TABLE.with(|table| Some(table.borrow_mut().record(lang, text)))
            }
            _ => None,
        };
        RememberedStream {
            chain: self.chain,
            words: self.words.token_stream(text),
            token: Token::default(),
            record,
        }
    }
}

pub(crate) struct RememberedStream<'a> {
    chain: Chain,
    words: tantivy::tokenizer::SimpleTokenStream<'a>,
    token: Token,
    /// What a word chain gave so far, remembered when the text is through.
    record: Option<AnalysedText>,
}

impl TokenStream for RememberedStream<'_> {
    fn advance(&mut self) -> bool {
        while self.words.advance() {
            let word = self.words.token();
            let kept = WORD_TABLE.with(|table| {
                table
                    .borrow_mut()
                    .term(self.chain, &word.text, &mut self.token.text)
            });
            if kept {
                self.token.offset_from = word.offset_from;
                self.token.offset_to = word.offset_to;
                self.token.position = word.position;
                self.token.position_length = word.position_length;
                if let Some(record) = &mut self.record {
                    record.terms.push_str(&self.token.text);
                    record.words.push(AnalysedWord {
                        term_end: record.terms.len(),
                        offset_from: word.offset_from,
                        offset_to: word.offset_to,
                        position: word.position,
                    });
                }
                return true;
            }
        }
        if let Some(record) = self.record.take() {
            WORD_TABLE.with(|table| table.borrow_mut().remember(record));
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The word pairs of a text (see [`WordPairs`]), made from the words its language's word
/// field has just analysed on this thread (see [`RECENT_TEXTS`]): the text is analysed once
/// for both fields. A text not analysed just before is analysed here, with the same pairs.
#[derive(Clone)]
pub(crate) struct RememberedPairs {
    lang: DocLang,
    words: TextAnalyzer,
}

impl RememberedPairs {
    pub(crate) fn analyzer(lang: DocLang) -> TextAnalyzer {
        TextAnalyzer::from(RememberedPairs {
            lang,
            words: TextAnalyzer::builder(RememberedWords {
                keep_texts: false,
                ..RememberedWords::new(Chain::Words(lang))
            })
            .filter(WordPairs)
            .build(),
        })
    }
}

impl Tokenizer for RememberedPairs {
    type TokenStream<'a> = PairsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairsStream<'a> {
        let recent = WORD_TABLE.with(|table| table.borrow_mut().take_recent(self.lang, text));
        match recent {
            Some(analysed) => PairsStream::Replay {
                analysed,
                next: 1,
                token: Token::default(),
            },
            None => PairsStream::Analyse(self.words.token_stream(text)),
        }
    }
}

pub(crate) enum PairsStream<'a> {
    /// Pairs of an analysed text's words; `next` is the second word of the next pair.
    Replay {
        analysed: AnalysedText,
        next: usize,
        token: Token,
    },
    Analyse(tantivy::tokenizer::BoxTokenStream<'a>),
}

impl TokenStream for PairsStream<'_> {
    fn advance(&mut self) -> bool {
        match self {
            PairsStream::Replay {
                analysed,
                next,
                token,
            } => {
                if *next >= analysed.words.len() {
                    return false;
                }
                let (first, second) = (&analysed.words[*next - 1], &analysed.words[*next]);
                token.text.clear();
                token.text.push_str(analysed.term(*next - 1));
                token.text.push(' ');
                token.text.push_str(analysed.term(*next));
                token.offset_from = first.offset_from;
                token.offset_to = second.offset_to;
                token.position = first.position;
                token.position_length = 1;
                *next += 1;
                true
            }
            PairsStream::Analyse(stream) => stream.advance(),
        }
    }

    fn token(&self) -> &Token {
        match self {
            PairsStream::Replay { token, .. } => token,
            PairsStream::Analyse(stream) => stream.token(),
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            PairsStream::Replay { token, .. } => token,
            PairsStream::Analyse(stream) => stream.token_mut(),
        }
    }
}

impl Drop for PairsStream<'_> {
    fn drop(&mut self) {
        if let PairsStream::Replay { analysed, .. } = self {
            let analysed = std::mem::take(analysed);
            // The thread's table is gone only while the thread ends; the buffers go with it.
            let _ = WORD_TABLE.try_with(|table| table.borrow_mut().spare.push(analysed));
        }
    }
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // FAST: exports read the ids of every match from the column, not from stored documents.
    let id = builder.add_text_field("id", STRING | STORED | FAST);
    let id_key = builder.add_u64_field("id_key", FAST);
    let revision = builder.add_u64_field("revision", FAST);
    let year = builder.add_i64_field("year", INDEXED | FAST);
    let hit_meta = builder.add_text_field("hit_meta", STORED);
    let raw_text = builder.add_text_field(
        "raw_text",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(RAW_TOKENIZER)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    let text = |lang: DocLang| {
        TextOptions::default().set_stored().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer_name(lang))
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let pairs_options = |lang: DocLang| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(pairs_tokenizer_name(lang))
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let mut titles = Vec::new();
    let mut summaries = Vec::new();
    let mut bodies = Vec::new();
    let mut pairs = Vec::new();
    for lang in DocLang::ALL {
        titles.push(builder.add_text_field(&format!("title_{lang}"), text(lang)));
        summaries.push(builder.add_text_field(&format!("summary_{lang}"), text(lang)));
        bodies.push(builder.add_text_field(&format!("body_{lang}"), text(lang)));
        pairs.push(["title", "summary", "body"].map(|kind| {
            builder.add_text_field(&format!("{kind}_pairs_{lang}"), pairs_options(lang))
        }));
    }
    let facets = FacetGroup::ALL
        .iter()
        .map(|&group| {
            let name = format!("facet_{}", group.key());
            (
                group,
                builder.add_facet_field(&name, FacetOptions::default()),
            )
        })
        .collect();
    let fields = Fields {
        id,
        id_key,
        revision,
        year,
        hit_meta,
        raw_text,
        titles: titles.try_into().expect("a field per language"),
        summaries: summaries.try_into().expect("a field per language"),
        bodies: bodies.try_into().expect("a field per language"),
        pairs: pairs.try_into().expect("a field per language"),
        facets,
    };
    (builder.build(), fields)
}

/// What a search hit shows besides its text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct HitMeta {
    #[serde(rename = "type")]
    pub(crate) doc_type: String,
    pub(crate) countries: Vec<String>,
    pub(crate) language: String,
    pub(crate) year: i32,
    #[serde(default)]
    pub(crate) themes: Vec<String>,
    #[serde(default)]
    pub(crate) mechanism_types: Vec<String>,
}

impl From<&Metadata> for HitMeta {
    fn from(meta: &Metadata) -> Self {
        HitMeta {
            doc_type: meta.doc_type.clone(),
            countries: meta.countries.clone(),
            language: meta.language.clone(),
            year: meta.year,
            themes: meta.themes.clone(),
            mechanism_types: meta.mechanism_types.clone(),
        }
    }
}

pub(crate) fn id_key(id: &str) -> u64 {
    let hash = blake3::hash(id.as_bytes());
    u64::from_be_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes"))
}

pub(crate) fn stored_text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_pairs_skip_stop_words_and_sit_at_their_first_word() {
        let mut analyzer = pairs_analyzer(DocLang::En);
        let mut stream = analyzer.token_stream("Prevention of the genocide: early warning");
        let mut pairs = Vec::new();
        while let Some(token) = stream.next() {
            pairs.push((token.position, token.text.clone()));
        }
        assert_eq!(
            pairs,
            vec![
                (0, "prevent genocid".to_string()),
                (3, "genocid earli".to_string()),
                (4, "earli warn".to_string()),
            ]
        );
        drop(stream);
        assert!(
            analyzer.token_stream("genocide").next().is_none(),
            "one word makes no pair"
        );
    }
}

#[cfg(test)]
mod remembered_words_tests {
    use super::*;

    fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while let Some(token) = stream.next() {
            tokens.push((
                token.text.clone(),
                token.offset_from,
                token.offset_to,
                token.position,
                token.position_length,
            ));
        }
        tokens
    }

    const TEXTS: &[(DocLang, &str)] = &[
        (
            DocLang::En,
            "The Prevention of the Crime of Genocide: early-warning systems, and the \
             committee's 2nd report (1948). GENOCIDE, genocide; Genocidal? naïve café \
             Pneumonoultramicroscopicsilicovolcanoconiosisandmore is too long, \
             İstanbul ǅemal ΣΊΣΥΦΟΣ x Abcdefghijklmnopqrstuvwxyzabcdefghijklmn \
             Abcdefghijklmnopqrstuvwxyzabcdefghijklm Abcdefghijklmnopqrstuvwxyzabcdefghijklé \
             Abcdefghijklmnopqrstuvwxyzabcdefghijké",
        ),
        (
            DocLang::Fr,
            "La prévention du génocide et des crimes contre l'humanité : les États \
             s'engagent à prévenir; l'ÉTAT, été, Œuvre, aujourd'hui, Comité national.",
        ),
        (
            DocLang::Es,
            "La prevención del genocidio y de los crímenes de lesa humanidad: el Estado \
             se compromete; ¿Qué comisión? ¡Niños! año, señal de alerta temprana.",
        ),
        (
            DocLang::Pt,
            "Prevenção do genocídio: os genocídios não são crimes; a Comissão e as \
             comissões nacionais, ações, NÃO, coração, São Paulo.",
        ),
        (
            DocLang::Ar,
            "الإبادة الجماعية إبادة جماعية في الجرائم جريمة، و من على الأمم المتحدة 2005",
        ),
    ];

    /// Whether this thread holds `text` as analysed by `lang`'s word chain.
    fn remembered(lang: DocLang, text: &str) -> bool {
        WORD_TABLE.with(|table| {
            table
                .borrow()
                .recent
                .iter()
                .any(|a| a.lang == Some(lang) && a.text == text)
        })
    }

    #[test]
    fn remembered_words_give_the_analysers_tokens_offsets_and_positions() {
        for &(lang, text) in TEXTS {
            // Pairs of a text not analysed before; then, twice, its words and their pairs
            // (the second time every word is in the table).
            assert!(!remembered(lang, text));
            assert_eq!(
                tokens(RememberedPairs::analyzer(lang), text),
                tokens(pairs_analyzer(lang), text),
                "pairs analysed anew, {lang}"
            );
            assert!(!remembered(lang, text), "only word fields keep texts");
            for pass in 0..2 {
                let context = format!("{lang}, pass {pass}");
                assert_eq!(
                    tokens(RememberedWords::analyzer(Chain::Words(lang)), text),
                    tokens(analyzer(lang), text),
                    "words, {context}"
                );
                assert!(remembered(lang, text), "{context}");
                assert_eq!(
                    tokens(RememberedPairs::analyzer(lang), text),
                    tokens(pairs_analyzer(lang), text),
                    "pairs from the words, {context}"
                );
                assert!(!remembered(lang, text), "the pairs took it, {context}");
                assert_eq!(
                    tokens(RememberedWords::analyzer(Chain::Raw), text),
                    tokens(raw_analyzer(), text),
                    "raw, {context}"
                );
            }
        }
    }

    #[test]
    fn pairs_come_from_the_same_text_in_the_same_language_only() {
        let title = "Early warning of genocide";
        let body = "The committee for the prevention of genocide";
        for text in [title, "An unrelated summary", body] {
            tokens(RememberedWords::analyzer(Chain::Words(DocLang::En)), text);
        }
        // Another language's pairs of the same text do not read the English words.
        assert_eq!(
            tokens(RememberedPairs::analyzer(DocLang::Fr), body),
            tokens(pairs_analyzer(DocLang::Fr), body)
        );
        assert!(remembered(DocLang::En, body));
        assert_eq!(
            tokens(RememberedPairs::analyzer(DocLang::En), body),
            tokens(pairs_analyzer(DocLang::En), body)
        );
        assert_eq!(
            tokens(RememberedPairs::analyzer(DocLang::En), title),
            tokens(pairs_analyzer(DocLang::En), title)
        );
        // A fourth text pushes out the oldest.
        for text in ["one", "two", "three", "four"] {
            tokens(RememberedWords::analyzer(Chain::Words(DocLang::Es)), text);
        }
        assert!(!remembered(DocLang::Es, "one"));
        assert!(remembered(DocLang::Es, "four"));
    }

    #[test]
    fn the_same_word_is_a_term_in_one_language_and_a_stop_word_in_another() {
        // "de" is a French and Spanish stop word, not an English one: each chain has its
        // own table.
        let en = tokens(
            RememberedWords::analyzer(Chain::Words(DocLang::En)),
            "de facto",
        );
        let fr = tokens(
            RememberedWords::analyzer(Chain::Words(DocLang::Fr)),
            "de facto",
        );
        assert_eq!(en.len(), 2, "{en:?}");
        assert_eq!(fr.len(), 1, "{fr:?}");
        let raw = tokens(RememberedWords::analyzer(Chain::Raw), "de facto");
        assert_eq!(raw[0].0, "de");
    }

    #[test]
    fn the_registered_indexing_analysers_give_the_search_analysers_tokens() {
        let (schema, _) = build();
        let index = Index::create_in_ram(schema);
        register_tokenizers(&index);
        let text = "Prevention of the genocide: early warning";
        for lang in DocLang::ALL {
            let registered = index.tokenizers().get(tokenizer_name(lang)).unwrap();
            assert_eq!(tokens(registered, text), tokens(analyzer(lang), text));
            let registered = index.tokenizers().get(pairs_tokenizer_name(lang)).unwrap();
            assert_eq!(tokens(registered, text), tokens(pairs_analyzer(lang), text));
        }
        let registered = index.tokenizers().get(RAW_TOKENIZER).unwrap();
        assert_eq!(tokens(registered, text), tokens(raw_analyzer(), text));
    }
}

#[cfg(test)]
mod language_tests {
    use super::*;

    fn terms(lang: DocLang, text: &str) -> Vec<String> {
        let mut analyzer = analyzer(lang);
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        while let Some(token) = stream.next() {
            terms.push(token.text.clone());
        }
        terms
    }

    #[test]
    fn portuguese_is_stemmed_with_its_stop_words_and_folded_after() {
        assert_eq!(
            terms(
                DocLang::Pt,
                "Prevenção do genocídio: os genocídios não são crimes"
            ),
            vec!["prevenca", "genocidi", "genocidi", "crim"]
        );
        // Folded like the other languages, so "genocidio" typed without accents still meets.
        assert_eq!(terms(DocLang::Pt, "genocidio"), vec!["genocidi"]);
    }

    #[test]
    fn arabic_is_stemmed_and_particles_dropped() {
        // "genocide" with and without the article, singular and plural of "crime", and "in".
        let stems = terms(DocLang::Ar, "الإبادة الجماعية إبادة جماعية في الجرائم جريمة");
        assert_eq!(stems[0], stems[2]);
        assert_eq!(stems[1], stems[3]);
        assert_eq!(stems.len(), 6, "{stems:?}");
        assert!(!stems.iter().any(|s| s == "في"));
    }

    #[test]
    fn every_document_language_has_its_own_fields() {
        let (schema, fields) = build();
        for lang in DocLang::ALL {
            let name = schema.get_field_name(fields.body(lang));
            assert_eq!(name, format!("body_{lang}"));
        }
    }
}
