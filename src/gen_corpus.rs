//! Synthetic corpora for benchmarks (`praxis gen-corpus`).
//!
//! Generates any number of documents that look, to the validator, the store and the index,
//! like curated ones: Markdown with YAML front matter, every taxonomy value and every country
//! of the built-in geography used with a skewed (Zipf) distribution, laws with a status and a
//! shareable judgement, mechanisms with their institutional fields, a source on every document,
//! and bodies of a few hundred to about 1,500 words, about 70% in English and 15% each in
//! French and Spanish. The words are the shipped corpus's words of each language in their real
//! frequencies ([`Lexicon`]); each document also mentions its own themes, mechanism types,
//! instruments and places, so that text and facets are correlated as they are in real
//! documents, and invented proper names, so that the term dictionaries grow as real ones do.
//! The text is word salad: these documents are for measuring, never for reading.
//!
//! The output is a pure function of the number of documents and the seed. Metadata are planned
//! in one sequential pass over a ChaCha8 stream, then each document's text comes from its own
//! stream, so files can be written in parallel and the first k documents of a larger corpus are
//! those of a smaller one. Only integer arithmetic decides anything, so the bytes are the same on
//! every platform.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::document::markdown::to_plain_text;
use crate::document::validate::parse_document;
use crate::taxonomy::{Lang, Taxonomy, Term};

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 42;
/// The most documents one run may generate.
pub const MAX_DOCS: usize = 10_000_000;
/// Bumped whenever the same (docs, seed) would produce different bytes, so that a corpus kept
/// from an earlier version (by the benchmarks, for instance) is recognised as stale.
pub(crate) const GENERATOR_VERSION: u32 = 1;
/// Written last into the output folder: it says the folder is complete and what made it.
pub(crate) const MARKER_FILE: &str = ".gen-corpus";

const WORDS_EN: &str = include_str!("gen_corpus/words-en.txt");
const WORDS_FR: &str = include_str!("gen_corpus/words-fr.txt");
const WORDS_ES: &str = include_str!("gen_corpus/words-es.txt");

#[derive(Debug, thiserror::Error)]
pub enum GenCorpusError {
    /// The number of documents is out of range.
    #[error("--docs: {docs} is out of range; generate between 1 and {MAX_DOCS} documents")]
    Docs { docs: usize },
    /// The output folder holds files that gen-corpus did not write.
    #[error("--out: {} is not empty and was not written by gen-corpus; choose a new or empty folder", path.display())]
    NotEmpty { path: PathBuf },
    /// The output folder holds an earlier generated corpus and `force` was not given.
    #[error("--out: {} already holds a generated corpus; pass --force to replace it", path.display())]
    Exists { path: PathBuf },
    /// A word list could not be read or built.
    #[error("vocabulary: {0}")]
    Vocabulary(String),
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub(crate) type Result<T> = std::result::Result<T, GenCorpusError>;

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> GenCorpusError + '_ {
    move |source| GenCorpusError::Io {
        path: path.to_path_buf(),
        source,
    }
}

// ---------------------------------------------------------------------------------------------
// Randomness: a few integer-only primitives over ChaCha8, so that results never depend on a
// library's sampling algorithm or on floating point.

struct Rng(ChaCha8Rng);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Rng(rng)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.0.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

/// Draws indices in proportion to integer weights.
#[derive(Debug, Clone)]
struct Weighted {
    cumulative: Vec<u64>,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = u64>) -> Weighted {
        let mut total = 0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    /// Zipf (exponent 1) over `n` ranks: rank r has weight proportional to 1/(r+1).
    fn zipf(n: usize) -> Weighted {
        Weighted::new((0..n).map(|rank| 1_000_000_000 / (rank as u64 + 1)))
    }

    fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let target = rng.below(self.total());
        self.cumulative.partition_point(|&c| c <= target)
    }
}

// ---------------------------------------------------------------------------------------------
// The vocabulary.

/// The words of one language with their counts, most frequent first.
#[derive(Debug, Clone)]
pub struct WordList {
    words: Vec<String>,
    counts: Vec<u64>,
    weighted: Weighted,
}

impl WordList {
    fn new(mut entries: Vec<(String, u64)>) -> WordList {
        entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let counts: Vec<u64> = entries.iter().map(|(_, c)| *c).collect();
        WordList {
            weighted: Weighted::new(counts.iter().copied()),
            words: entries.into_iter().map(|(w, _)| w).collect(),
            counts,
        }
    }

    /// Reads a list written by [`to_text`](Self::to_text): `count<TAB>word` lines, `#` comments.
    pub(crate) fn parse(text: &str) -> std::result::Result<WordList, String> {
        let mut entries = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = line
                .split_once('\t')
                .and_then(|(count, word)| Some((count.parse::<u64>().ok()?, word)));
            match parsed {
                Some((count, word)) if count > 0 && is_word(word) => {
                    entries.push((word.to_string(), count))
                }
                _ => {
                    return Err(format!(
                        "line {}: expected a positive count, a tab and a word, found \"{line}\"",
                        number + 1
                    ))
                }
            }
        }
        if entries.is_empty() {
            return Err("the word list is empty".to_string());
        }
        Ok(WordList::new(entries))
    }

    /// The list as a file: a comment, then `count<TAB>word` lines, most frequent first.
    pub fn to_text(&self, lang: Lang) -> String {
        let mut text = format!(
            "# Words of the {lang} documents of the shipped corpus with their counts, most frequent\n\
             # first. praxis gen-corpus writes synthetic documents with them. Rebuild with:\n\
             #   cargo run --example corpus_vocabulary -- corpus src/gen_corpus\n"
        );
        for (word, count) in self.words.iter().zip(&self.counts) {
            let _ = writeln!(text, "{count}\t{word}");
        }
        text
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn words(&self) -> impl Iterator<Item = (&str, u64)> {
        self.words
            .iter()
            .map(String::as_str)
            .zip(self.counts.iter().copied())
    }

    fn sample(&self, rng: &mut Rng) -> &str {
        &self.words[self.weighted.sample(rng)]
    }

    /// A word of at least five letters: what titles and names are made of.
    fn content_word(&self, rng: &mut Rng) -> &str {
        for _ in 0..32 {
            let word = self.sample(rng);
            if word.chars().count() >= 5 && !word.contains('\'') {
                return word;
            }
        }
        self.words
            .iter()
            .find(|w| w.chars().count() >= 5)
            .unwrap_or(&self.words[0])
    }
}

fn is_word(word: &str) -> bool {
    !word.is_empty()
        && word.chars().all(|c| c.is_alphabetic() || c == '\'')
        && word.chars().any(char::is_alphabetic)
}

/// The words documents are written with, per language.
#[derive(Debug, Clone)]
pub struct Lexicon {
    lists: [WordList; 3],
}

impl Lexicon {
    /// The word lists compiled into the binary, derived from the shipped corpus.
    pub fn builtin() -> &'static Lexicon {
        static BUILTIN: OnceLock<Lexicon> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let list = |text| WordList::parse(text).expect("the built-in word lists are valid");
            Lexicon {
                lists: [list(WORDS_EN), list(WORDS_FR), list(WORDS_ES)],
            }
        })
    }

    /// Builds word lists from the valid documents of a corpus folder: the words of each
    /// document's title, summary and body, counted under the document's language. A word's
    /// spelling is its most frequent capitalisation.
    pub fn from_corpus(dir: &Path, taxonomy: &Taxonomy) -> Result<Lexicon> {
        let mut counts: [HashMap<String, HashMap<String, u64>>; 3] = Default::default();
        let mut documents = 0;
        for entry in crate::ingest::walk_corpus(dir) {
            let entry = entry.map_err(|e| {
                GenCorpusError::Vocabulary(format!("cannot read {}: {e}", dir.display()))
            })?;
            let path = entry.path();
            if !entry.file_type().is_file() || !crate::ingest::is_document_file(path) {
                continue;
            }
            let bytes = std::fs::read(path).map_err(io_error(path))?;
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
            let shown = path.display().to_string();
            // Invalid documents are the validator's business: they are skipped here.
            let Ok(document) = parse_document(&shown, &bytes, stem.as_deref(), taxonomy) else {
                continue;
            };
            let Ok(lang) = document.meta.language.parse::<Lang>() else {
                continue;
            };
            documents += 1;
            let text = format!(
                "{}\n{}\n{}",
                document.meta.title,
                document.meta.summary,
                to_plain_text(&document.body)
            );
            let table = &mut counts[lang_index(lang)];
            for word in words_of(&text) {
                *table
                    .entry(word.to_lowercase())
                    .or_default()
                    .entry(word.to_string())
                    .or_default() += 1;
            }
        }
        if documents == 0 {
            return Err(GenCorpusError::Vocabulary(format!(
                "{} holds no valid document",
                dir.display()
            )));
        }
        let mut lists = Vec::new();
        for (lang, table) in Lang::ALL.iter().zip(counts) {
            if table.is_empty() {
                return Err(GenCorpusError::Vocabulary(format!(
                    "{} holds no document in {lang}",
                    dir.display()
                )));
            }
            let entries = table
                .into_values()
                .map(|spellings| {
                    let total = spellings.values().sum();
                    // The most frequent spelling; on a tie, lower case, then the first.
                    let key = |(spelling, count): &(String, u64)| {
                        (
                            *count,
                            spelling.to_lowercase() == *spelling,
                            std::cmp::Reverse(spelling.clone()),
                        )
                    };
                    let spelling = spellings
                        .into_iter()
                        .max_by_key(key)
                        .map(|(s, _)| s)
                        .expect("a counted word has a spelling");
                    (spelling, total)
                })
                .collect();
            lists.push(WordList::new(entries));
        }
        Ok(Lexicon {
            lists: lists.try_into().expect("three languages"),
        })
    }

    pub fn words(&self, lang: Lang) -> &WordList {
        &self.lists[lang_index(lang)]
    }
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::Fr => 1,
        Lang::Es => 2,
    }
}

/// Words as a writer would count them: letters with inner apostrophes (`l'institution`).
fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’'))
        .map(|w| w.replace('’', "'").trim_matches('\'').to_string())
        .filter(|w| is_word(w))
}

// ---------------------------------------------------------------------------------------------
// Planning: the metadata of every document, in one sequential pass.

/// The planned metadata of one document, as indices into the taxonomy and the geography.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) doc_type: usize,
    pub(crate) language: Lang,
    pub(crate) countries: Vec<usize>,
    /// Explicit regions, for documents about a region rather than countries.
    pub(crate) regions: Vec<usize>,
    pub(crate) themes: Vec<usize>,
    pub(crate) mechanism_types: Vec<usize>,
    pub(crate) instruments: Vec<usize>,
    pub(crate) year: i32,
    /// Month and day, when the document has a full date.
    pub(crate) date: Option<(u8, u8)>,
    pub(crate) status: Option<usize>,
    pub(crate) shareable: Option<bool>,
    pub(crate) composition: Option<usize>,
    pub(crate) established: Option<i32>,
}

/// Draws values of one vocabulary with a skewed distribution, but hands out every value not
/// used yet first (rarest first, one per document), so that small corpora use them all.
struct Picker {
    weighted: Weighted,
    unused: Vec<bool>,
    pending: VecDeque<usize>,
}

impl Picker {
    /// `order` lists the values from most to least frequent.
    fn zipf(order: Vec<usize>) -> Picker {
        let ranked = Weighted::zipf(order.len());
        let mut weights = vec![0; order.len()];
        for (rank, &value) in order.iter().enumerate() {
            weights[value] =
                ranked.cumulative[rank] - rank.checked_sub(1).map_or(0, |r| ranked.cumulative[r]);
        }
        Picker::weighted(weights)
    }

    fn weighted(weights: Vec<u64>) -> Picker {
        let mut pending: Vec<usize> = (0..weights.len()).collect();
        pending.sort_by_key(|&v| (weights[v], v));
        Picker {
            unused: vec![true; weights.len()],
            pending: pending.into(),
            weighted: Weighted::new(weights),
        }
    }

    fn next_unused(&mut self) -> Option<usize> {
        while let Some(&value) = self.pending.front() {
            self.pending.pop_front();
            if self.unused[value] {
                return Some(value);
            }
        }
        None
    }

    fn one(&mut self, rng: &mut Rng) -> usize {
        let value = self
            .next_unused()
            .unwrap_or_else(|| self.weighted.sample(rng));
        self.unused[value] = false;
        value
    }

    /// `count` distinct values (fewer if the vocabulary is smaller).
    fn many(&mut self, rng: &mut Rng, count: usize) -> Vec<usize> {
        let count = count.min(self.unused.len());
        let mut values = Vec::with_capacity(count);
        if count > 0 {
            if let Some(value) = self.next_unused() {
                values.push(value);
            }
        }
        let mut attempts = 0;
        while values.len() < count && attempts < 16 * count {
            let value = self.weighted.sample(rng);
            if !values.contains(&value) {
                values.push(value);
            }
            attempts += 1;
        }
        for &value in &values {
            self.unused[value] = false;
        }
        values
    }
}

struct Planner {
    rng: Rng,
    types: Picker,
    languages: Picker,
    countries: Picker,
    regions: Picker,
    themes: Picker,
    mechanism_types: Picker,
    instruments: Picker,
    statuses: Picker,
    compositions: Picker,
    law: Option<usize>,
    mechanism: Option<usize>,
    first_year: i32,
    last_year: i32,
}

impl Planner {
    fn new(taxonomy: &Taxonomy, seed: u64) -> Planner {
        let mut rng = Rng::new(seed, 0);
        // Which countries, instruments and themes are popular depends on the seed; types,
        // statuses and compositions keep the taxonomy's order, which lists the common first.
        let mut shuffled = |n: usize| {
            let mut order: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut order);
            order
        };
        let countries = shuffled(taxonomy.geography.countries().len());
        let regions = shuffled(taxonomy.geography.regions().len());
        let themes = shuffled(taxonomy.themes.terms().len());
        let mechanism_types = shuffled(taxonomy.mechanism_types.terms().len());
        let instruments = shuffled(taxonomy.instruments.terms().len());
        let in_order = |n: usize| (0..n).collect::<Vec<_>>();
        let position = |slug: &str| taxonomy.types.terms().iter().position(|t| t.slug == slug);
        // 70% English, 15% French, 15% Spanish; a language the taxonomy adds gets a small share.
        let languages = taxonomy
            .languages
            .terms()
            .iter()
            .map(|t| match t.slug.as_str() {
                "en" => 70,
                "fr" | "es" => 15,
                _ => 5,
            })
            .collect();
        Planner {
            // Manual chapters are few and written by hand: the synthetic corpus has none.
            types: Picker::zipf(
                (0..taxonomy.types.terms().len())
                    .filter(|&i| taxonomy.types.terms()[i].slug != "guide")
                    .collect(),
            ),
            languages: Picker::weighted(languages),
            countries: Picker::zipf(countries),
            regions: Picker::zipf(regions),
            themes: Picker::zipf(themes),
            mechanism_types: Picker::zipf(mechanism_types),
            instruments: Picker::zipf(instruments),
            statuses: Picker::zipf(in_order(taxonomy.statuses.terms().len())),
            compositions: Picker::zipf(in_order(taxonomy.compositions.terms().len())),
            law: position("law"),
            mechanism: position("mechanism"),
            first_year: 1948,
            last_year: 2025,
            rng,
        }
    }

    fn next(&mut self, taxonomy: &Taxonomy) -> Plan {
        let doc_type = self.types.one(&mut self.rng);
        let language_slug = &taxonomy.languages.terms()[self.languages.one(&mut self.rng)].slug;
        let language = language_slug.parse().unwrap_or_default();
        let rng = &mut self.rng;
        let is_law = Some(doc_type) == self.law;
        let is_mechanism = Some(doc_type) == self.mechanism;

        // Most documents are about one or two countries; some about a region as a whole.
        let (countries, regions) = if rng.chance(88) {
            let count = match rng.below(100) {
                0..=71 => 1,
                72..=91 => 2,
                92..=97 => 3,
                _ => 4,
            };
            (self.countries.many(rng, count), Vec::new())
        } else {
            let count = if rng.chance(80) { 1 } else { 2 };
            (Vec::new(), self.regions.many(rng, count))
        };
        let theme_count = rng.between(1, 5) as usize;
        let themes = self.themes.many(rng, theme_count);
        let mechanism_count = if is_mechanism {
            rng.between(1, 2) as usize
        } else if rng.chance(25) {
            1
        } else {
            0
        };
        let mechanism_types = self.mechanism_types.many(rng, mechanism_count);
        let instrument_count = match rng.below(100) {
            0..=39 => 0,
            40..=74 => 1,
            75..=91 => 2,
            _ => 3,
        };
        let instruments = self.instruments.many(rng, instrument_count);

        // Recent years are more common: the product of two uniform draws leans towards zero.
        let span = (self.last_year - self.first_year) as u64;
        let back = rng.below(span + 1) * rng.below(span + 1) / span.max(1);
        let year = self.last_year - back as i32;
        let date = rng
            .chance(30)
            .then(|| (rng.between(1, 12) as u8, rng.between(1, 28) as u8));
        let status = is_law.then(|| self.statuses.one(rng));
        let shareable = is_law.then(|| rng.chance(45));
        let composition = (is_mechanism && rng.chance(85)).then(|| self.compositions.one(rng));
        let established = (is_mechanism && rng.chance(80))
            .then(|| (year - rng.below(20) as i32).max(self.first_year));
        Plan {
            doc_type,
            language,
            countries,
            regions,
            themes,
            mechanism_types,
            instruments,
            year,
            date,
            status,
            shareable,
            composition,
            established,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering: the text of one document from its plan.

/// One generated document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GeneratedDocument {
    pub(crate) id: String,
    /// Relative to the output folder: `<type>/<id>.md`.
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    /// Words in the body.
    pub(crate) words: usize,
}

/// Words and phrases a language needs besides its vocabulary.
struct Phrases {
    headings: &'static [&'static str],
    /// Title openings per type slug.
    leads: &'static [(&'static str, &'static [&'static str])],
    and: &'static str,
    publishers: &'static [&'static str],
    gazette: &'static str,
}

const EN: Phrases = Phrases {
    headings: &[
        "Background",
        "Context",
        "Mandate",
        "Activities",
        "Implementation",
        "Outcomes",
        "Assessment",
        "Lessons learned",
        "Challenges",
        "Legal framework",
        "Key provisions",
        "Findings",
        "Recommendations",
        "Methods",
        "Impact",
        "Further reading",
    ],
    leads: &[
        ("law", &["Act on", "Law on", "Decree on", "Statute on"]),
        (
            "report",
            &["Report on", "Assessment of", "Review of", "Study of"],
        ),
        (
            "curriculum",
            &["Training course on", "Curriculum on", "Teaching"],
        ),
        (
            "case-study",
            &["Case study:", "Lessons from", "Responding to"],
        ),
    ],
    and: "and",
    publishers: &[
        "Ministry of Justice",
        "National Human Rights Commission",
        "Office of the Ombudsman",
        "Regional Secretariat",
        "Civil Society Observatory",
        "University Research Centre",
        "Parliamentary Library",
    ],
    gazette: "Official Gazette No.",
};

const FR: Phrases = Phrases {
    headings: &[
        "Contexte",
        "Historique",
        "Mandat",
        "Activités",
        "Mise en œuvre",
        "Résultats",
        "Évaluation",
        "Enseignements",
        "Défis",
        "Cadre juridique",
        "Dispositions principales",
        "Constats",
        "Recommandations",
        "Méthodes",
        "Effets",
        "Pour aller plus loin",
    ],
    leads: &[
        (
            "law",
            &[
                "Loi sur",
                "Décret relatif à",
                "Ordonnance sur",
                "Loi organique sur",
            ],
        ),
        (
            "report",
            &["Rapport sur", "Évaluation de", "Examen de", "Étude sur"],
        ),
        (
            "curriculum",
            &["Formation sur", "Programme d'enseignement sur", "Cours sur"],
        ),
        ("case-study", &["Étude de cas :", "Leçons de", "Face à"]),
    ],
    and: "et",
    publishers: &[
        "Ministère de la Justice",
        "Commission nationale des droits de l'homme",
        "Bureau du Médiateur",
        "Secrétariat régional",
        "Observatoire de la société civile",
        "Centre de recherche universitaire",
        "Bibliothèque parlementaire",
    ],
    gazette: "Journal officiel n°",
};

const ES: Phrases = Phrases {
    headings: &[
        "Antecedentes",
        "Contexto",
        "Mandato",
        "Actividades",
        "Implementación",
        "Resultados",
        "Evaluación",
        "Lecciones aprendidas",
        "Desafíos",
        "Marco jurídico",
        "Disposiciones principales",
        "Hallazgos",
        "Recomendaciones",
        "Métodos",
        "Impacto",
        "Lecturas complementarias",
    ],
    leads: &[
        (
            "law",
            &["Ley sobre", "Decreto sobre", "Ley orgánica de", "Ley de"],
        ),
        (
            "report",
            &[
                "Informe sobre",
                "Evaluación de",
                "Examen de",
                "Estudio sobre",
            ],
        ),
        (
            "curriculum",
            &["Curso sobre", "Formación en", "Programa educativo sobre"],
        ),
        (
            "case-study",
            &["Estudio de caso:", "Lecciones de", "Frente a"],
        ),
    ],
    and: "y",
    publishers: &[
        "Ministerio de Justicia",
        "Comisión Nacional de Derechos Humanos",
        "Defensoría del Pueblo",
        "Secretaría Regional",
        "Observatorio de la Sociedad Civil",
        "Centro de Investigación Universitario",
        "Biblioteca del Congreso",
    ],
    gazette: "Diario Oficial n.º",
};

fn phrases(lang: Lang) -> &'static Phrases {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
        Lang::Es => &ES,
    }
}

const SOURCE_HOSTS: &[&str] = &[
    "documents.example.org",
    "archive.example.net",
    "library.example.com",
];

/// A label as it reads inside a sentence: "Hate speech" becomes "hate speech", "NHRI" stays.
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_string(),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A YAML double-quoted scalar.
fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes documents from plans.
pub(crate) struct Generator<'a> {
    taxonomy: &'a Taxonomy,
    lexicon: &'a Lexicon,
    seed: u64,
}

/// What a document talks about, in its language.
struct Topics {
    /// Phrases mentioned in sentences: labels of its terms and names of its places.
    phrases: Vec<String>,
    /// The acronyms among the taxonomy's synonyms (R2P, ICC), mentioned now and then.
    synonyms: Vec<String>,
    /// The main subject, for the title.
    subject: String,
    /// Where, for the title.
    place: String,
}

struct Writer<'a> {
    rng: Rng,
    words: &'a WordList,
    topics: Topics,
}

impl Writer<'_> {
    /// An invented proper name (a person, a place, an organisation) from pieces of two words.
    fn name(&mut self) -> String {
        let a: Vec<char> = self.words.content_word(&mut self.rng).chars().collect();
        let b: Vec<char> = self.words.content_word(&mut self.rng).chars().collect();
        let head = 2 + self.rng.index(a.len().min(5) - 1);
        let tail = 2 + self.rng.index(b.len().min(5) - 1);
        let name: String = a[..head]
            .iter()
            .chain(&b[b.len() - tail..])
            .flat_map(|c| c.to_lowercase())
            .collect();
        capitalise(&name)
    }

    /// One sentence (with its final full stop); returns how many words it has.
    fn sentence(&mut self, out: &mut String) -> usize {
        let length = 6 + self.rng.below(10) + self.rng.below(10);
        let topic_at = (!self.topics.phrases.is_empty() && self.rng.chance(40))
            .then(|| self.rng.below(length));
        let start = out.len();
        let mut words = 0;
        for i in 0..length {
            if i > 0 {
                out.push(' ');
            }
            if topic_at == Some(i) {
                let phrase = self.rng.pick(&self.topics.phrases).clone();
                words += phrase.split_whitespace().count();
                out.push_str(&phrase);
            } else if self.rng.chance(2) && !self.topics.synonyms.is_empty() {
                let synonym = self.rng.pick(&self.topics.synonyms).clone();
                words += synonym.split_whitespace().count();
                out.push_str(&synonym);
            } else if self.rng.chance(1) {
                let name = self.name();
                out.push_str(&name);
                words += 1;
            } else {
                out.push_str(self.words.sample(&mut self.rng));
                words += 1;
            }
            if i > 0 && i + 2 < length && self.rng.chance(7) {
                out.push(',');
            }
        }
        out.push('.');
        let capitalised = capitalise(&out[start..]);
        out.replace_range(start.., &capitalised);
        words
    }

    fn sentences(&mut self, count: u64, out: &mut String) -> usize {
        let mut words = 0;
        for i in 0..count {
            if i > 0 {
                out.push(' ');
            }
            words += self.sentence(out);
        }
        words
    }

    /// A paragraph wrapped at 100 columns, as curators write them.
    fn paragraph(&mut self, out: &mut String) -> usize {
        let mut text = String::new();
        let count = self.rng.between(2, 6);
        let words = self.sentences(count, &mut text);
        let mut column = 0;
        for word in text.split(' ') {
            if column > 0 && column + 1 + word.len() > 100 {
                out.push('\n');
                column = 0;
            } else if column > 0 {
                out.push(' ');
                column += 1;
            }
            out.push_str(word);
            column += word.len();
        }
        out.push_str("\n\n");
        words
    }

    fn list(&mut self, out: &mut String) -> usize {
        let mut words = 0;
        for _ in 0..self.rng.between(3, 5) {
            let a = self.words.content_word(&mut self.rng).to_string();
            let b = self.words.content_word(&mut self.rng).to_string();
            let _ = write!(out, "- **{} {b}.** ", capitalise(&a));
            words += 2 + self.sentence(out);
            out.push('\n');
        }
        out.push('\n');
        words
    }

    /// A body of about `target` words in sections.
    fn body(&mut self, target: usize, headings: &[&str]) -> (String, usize) {
        let mut out = String::with_capacity(target * 8);
        let mut order: Vec<usize> = (0..headings.len()).collect();
        self.rng.shuffle(&mut order);
        let mut words = 0;
        let mut section = 0;
        while words < target {
            let _ = write!(out, "## {}\n\n", headings[order[section % order.len()]]);
            section += 1;
            for _ in 0..self.rng.between(1, 3) {
                words += self.paragraph(&mut out);
                if words >= target {
                    break;
                }
            }
            if words < target && self.rng.chance(20) {
                words += self.list(&mut out);
            }
        }
        (out.trim_end().to_string() + "\n", words)
    }

    /// A short free-text field value: one sentence.
    fn line(&mut self) -> String {
        let mut out = String::new();
        self.sentence(&mut out);
        out
    }
}

impl<'a> Generator<'a> {
    pub(crate) fn new(taxonomy: &'a Taxonomy, lexicon: &'a Lexicon, seed: u64) -> Generator<'a> {
        Generator {
            taxonomy,
            lexicon,
            seed,
        }
    }

    /// The metadata of the first `docs` documents.
    pub(crate) fn plan(&self, docs: usize) -> Vec<Plan> {
        let mut planner = Planner::new(self.taxonomy, self.seed);
        (0..docs).map(|_| planner.next(self.taxonomy)).collect()
    }

    /// The id of document `index` (0-based) in a corpus of `docs`.
    pub(crate) fn id(index: usize, docs: usize) -> String {
        let width = docs.to_string().len().max(6);
        format!("syn-{:0width$}", index + 1)
    }

    fn topics(&self, plan: &Plan) -> Topics {
        let taxonomy = self.taxonomy;
        let geography = &taxonomy.geography;
        let lang = plan.language;
        let label = |terms: &[Term], i: usize| in_sentence(terms[i].labels.get(lang));
        let themes: Vec<String> = plan
            .themes
            .iter()
            .map(|&i| label(taxonomy.themes.terms(), i))
            .collect();
        let mechanisms: Vec<String> = plan
            .mechanism_types
            .iter()
            .map(|&i| label(taxonomy.mechanism_types.terms(), i))
            .collect();
        let instruments = plan
            .instruments
            .iter()
            .map(|&i| taxonomy.instruments.terms()[i].labels.get(lang).to_string());
        let places: Vec<String> = plan
            .countries
            .iter()
            .map(|&i| geography.countries()[i].names.get(lang).to_string())
            .chain(
                plan.regions
                    .iter()
                    .map(|&i| geography.regions()[i].labels.get(lang).to_string()),
            )
            .collect();
        let synonyms = plan
            .themes
            .iter()
            .map(|&i| &taxonomy.themes.terms()[i])
            .chain(
                plan.mechanism_types
                    .iter()
                    .map(|&i| &taxonomy.mechanism_types.terms()[i]),
            )
            .chain(
                plan.instruments
                    .iter()
                    .map(|&i| &taxonomy.instruments.terms()[i]),
            )
            .flat_map(|t| t.synonyms.iter())
            // Acronyms read the same in every language; other synonyms belong to one.
            .filter(|s| !s.chars().any(char::is_lowercase))
            .cloned()
            .collect();
        let and = phrases(lang).and;
        let place = match places.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [one, two] => format!("{one} {and} {two}"),
            [first, ..] => first.clone(),
        };
        let subject = themes[0].clone();
        Topics {
            phrases: themes
                .into_iter()
                .chain(mechanisms)
                .chain(instruments)
                .chain(places)
                .collect(),
            synonyms,
            subject,
            place,
        }
    }

    fn title(&self, plan: &Plan, writer: &mut Writer<'_>) -> String {
        let lang = plan.language;
        let type_slug = self.taxonomy.types.terms()[plan.doc_type].slug.as_str();
        let subject = writer.topics.subject.clone();
        let place = writer.topics.place.clone();
        let head = match phrases(lang).leads.iter().find(|(t, _)| *t == type_slug) {
            Some((_, leads)) => format!("{} {subject}", writer.rng.pick(leads)),
            // Mechanisms (and types a taxonomy adds) are named after what they are.
            None => match plan.mechanism_types.first() {
                Some(&i) => {
                    let what = self.taxonomy.mechanism_types.terms()[i].labels.get(lang);
                    format!("{what}: {subject}")
                }
                None => capitalise(&subject),
            },
        };
        let mut title = capitalise(&head);
        if !place.is_empty() {
            let _ = write!(title, " ({place}, {})", plan.year);
        } else {
            let _ = write!(title, " ({})", plan.year);
        }
        if writer.rng.chance(50) {
            let word = writer.words.content_word(&mut writer.rng).to_string();
            let name = writer.name();
            let _ = write!(title, " — {name} {word}");
        }
        title.chars().take(280).collect()
    }

    /// The whole file of document `index` (0-based) of a corpus of `docs`.
    pub(crate) fn render(&self, index: usize, docs: usize, plan: &Plan) -> GeneratedDocument {
        let taxonomy = self.taxonomy;
        let lang = plan.language;
        let id = Self::id(index, docs);
        let type_slug = &taxonomy.types.terms()[plan.doc_type].slug;
        let mut writer = Writer {
            rng: Rng::new(self.seed, index as u64 + 1),
            words: self.lexicon.words(lang),
            topics: self.topics(plan),
        };
        let title = self.title(plan, &mut writer);
        let mut summary = String::new();
        let count = writer.rng.between(2, 4);
        writer.sentences(count, &mut summary);
        let summary: String = summary.chars().take(1100).collect();

        let mut fm = String::with_capacity(2048);
        fm.push_str("---\n");
        let _ = writeln!(fm, "title: {}", yaml_string(&title));
        let _ = writeln!(fm, "type: {type_slug}");
        let _ = writeln!(fm, "summary: {}", yaml_string(&summary));
        let list = |fm: &mut String, key: &str, values: Vec<&str>| {
            if !values.is_empty() {
                let _ = writeln!(fm, "{key}: [{}]", values.join(", "));
            }
        };
        let geography = &taxonomy.geography;
        list(
            &mut fm,
            "countries",
            plan.countries
                .iter()
                .map(|&i| geography.countries()[i].iso3.as_str())
                .collect(),
        );
        list(
            &mut fm,
            "regions",
            plan.regions
                .iter()
                .map(|&i| geography.regions()[i].slug.as_str())
                .collect(),
        );
        let slugs = |terms: &'a [Term], values: &[usize]| -> Vec<&'a str> {
            values.iter().map(|&i| terms[i].slug.as_str()).collect()
        };
        list(
            &mut fm,
            "themes",
            slugs(taxonomy.themes.terms(), &plan.themes),
        );
        list(
            &mut fm,
            "mechanism_types",
            slugs(taxonomy.mechanism_types.terms(), &plan.mechanism_types),
        );
        list(
            &mut fm,
            "instruments",
            slugs(taxonomy.instruments.terms(), &plan.instruments),
        );
        let _ = writeln!(fm, "year: {}", plan.year);
        if let Some((month, day)) = plan.date {
            let _ = writeln!(fm, "date: {}-{month:02}-{day:02}", plan.year);
        }
        let _ = writeln!(fm, "language: {lang}");
        if let Some(status) = plan.status {
            let _ = writeln!(fm, "status: {}", taxonomy.statuses.terms()[status].slug);
        }
        if let Some(shareable) = plan.shareable {
            let _ = writeln!(fm, "shareable: {shareable}");
            if writer.rng.chance(40) {
                let _ = writeln!(fm, "shareable_note: {}", yaml_string(&writer.line()));
            }
        }
        if let Some(established) = plan.established {
            let _ = writeln!(fm, "established: {established}");
        }
        if type_slug == "mechanism" {
            if writer.rng.chance(70) {
                let _ = writeln!(fm, "legal_basis: {}", yaml_string(&writer.line()));
            }
            if writer.rng.chance(80) {
                let _ = writeln!(fm, "mandate: {}", yaml_string(&writer.line()));
            }
        }
        if let Some(composition) = plan.composition {
            let _ = writeln!(
                fm,
                "composition: {}",
                taxonomy.compositions.terms()[composition].slug
            );
        }
        if type_slug == "mechanism" {
            if writer.rng.chance(50) {
                let _ = writeln!(fm, "reporting_line: {}", yaml_string(&writer.line()));
            }
            if writer.rng.chance(60) {
                let warns = plan
                    .mechanism_types
                    .iter()
                    .any(|&i| taxonomy.mechanism_types.terms()[i].slug.contains("warning"));
                let _ = writeln!(fm, "early_warning: {}", warns || writer.rng.chance(30));
            }
        }
        if type_slug == "network" {
            // A network lists its members; a region-wide plan names none, so take the first.
            fm.push_str("members:\n");
            let members = if plan.countries.is_empty() {
                vec![0]
            } else {
                plan.countries.clone()
            };
            for i in members {
                let iso3 = &geography.countries()[i].iso3;
                let _ = writeln!(
                    fm,
                    "  - country: {iso3}\n    evidence: https://example.org/{id}/members"
                );
            }
        }
        if type_slug == "case-study" && writer.rng.chance(70) {
            let _ = writeln!(fm, "outcome: {}", yaml_string(&writer.line()));
        }
        fm.push_str("sources:\n");
        let phrases = phrases(lang);
        for k in 1..=writer.rng.between(1, 3) {
            if writer.rng.chance(75) {
                let host = writer.rng.pick(SOURCE_HOSTS);
                let _ = writeln!(fm, "  - url: https://{host}/{lang}/{type_slug}/{id}-{k}");
                let mut title = String::new();
                writer.sentence(&mut title);
                title.pop();
                let _ = writeln!(fm, "    title: {}", yaml_string(&title));
                let publisher = writer.rng.pick(phrases.publishers);
                let _ = writeln!(fm, "    publisher: {}", yaml_string(publisher));
                if writer.rng.chance(70) {
                    let _ = writeln!(
                        fm,
                        "    accessed: 2025-{:02}-{:02}",
                        writer.rng.between(1, 12),
                        writer.rng.between(1, 28)
                    );
                }
            } else {
                let number = writer.rng.between(1, 400);
                let citation = format!("{} {number}, {}", phrases.gazette, plan.year);
                let _ = writeln!(fm, "  - citation: {}", yaml_string(&citation));
            }
        }
        fm.push_str("---\n\n");

        // A few hundred to about 1,500 words, most of them short: a draw cubed leans low.
        let u = writer.rng.below(1001);
        let target = 200 + (1300 * u * u * u / 1_000_000_000) as usize;
        let (body, words) = writer.body(target, phrases.headings);
        fm.push_str(&body);
        GeneratedDocument {
            path: Path::new(type_slug).join(format!("{id}.md")),
            id,
            text: fm,
            words,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing a corpus.

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub docs: usize,
    pub seed: u64,
    pub out: PathBuf,
    /// Replace a corpus that gen-corpus wrote earlier into `out` (the folder is emptied).
    pub force: bool,
}

/// What a generation wrote.
#[derive(Debug, Clone, Serialize)]
pub struct GenReport {
    pub docs: usize,
    pub bytes: u64,
    /// Body words.
    pub words: u64,
    pub by_type: BTreeMap<String, usize>,
    pub by_language: BTreeMap<String, usize>,
    #[serde(skip)]
    pub elapsed: Duration,
}

/// The contents of the marker file of a complete corpus of `docs` documents from `seed`.
pub fn marker_text(docs: usize, seed: u64) -> String {
    format!("praxis gen-corpus\nversion = {GENERATOR_VERSION}\ndocs = {docs}\nseed = {seed}\n")
}

/// Whether `dir` holds a complete corpus generated with these parameters by this version.
pub fn is_generated(dir: &Path, docs: usize, seed: u64) -> bool {
    std::fs::read_to_string(dir.join(MARKER_FILE)).is_ok_and(|m| m == marker_text(docs, seed))
}

fn prepare_output(options: &GenOptions) -> Result<()> {
    let out = &options.out;
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                if !out.join(MARKER_FILE).is_file() {
                    return Err(GenCorpusError::NotEmpty { path: out.clone() });
                }
                if !options.force {
                    return Err(GenCorpusError::Exists { path: out.clone() });
                }
                std::fs::remove_dir_all(out).map_err(io_error(out))?;
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(io_error(out)(error)),
    }
    std::fs::create_dir_all(out).map_err(io_error(out))
}

/// Generates a corpus into `options.out` with the built-in taxonomy's vocabularies and the
/// given words. `progress` gets (documents written, total), from several threads.
pub fn generate(
    options: &GenOptions,
    taxonomy: &Taxonomy,
    lexicon: &Lexicon,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<GenReport> {
    let started = Instant::now();
    if options.docs == 0 || options.docs > MAX_DOCS {
        return Err(GenCorpusError::Docs { docs: options.docs });
    }
    prepare_output(options)?;
    let generator = Generator::new(taxonomy, lexicon, options.seed);
    let plans = generator.plan(options.docs);
    for term in taxonomy.types.terms() {
        let dir = options.out.join(&term.slug);
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    }

    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let done = AtomicUsize::new(0);
    let results: Vec<Result<(u64, u64)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let (generator, plans, done) = (&generator, &plans, &done);
                scope.spawn(move || -> Result<(u64, u64)> {
                    let (mut bytes, mut words) = (0, 0);
                    for index in (thread..plans.len()).step_by(threads) {
                        let document = generator.render(index, plans.len(), &plans[index]);
                        let path = options.out.join(&document.path);
                        std::fs::write(&path, &document.text).map_err(io_error(&path))?;
                        bytes += document.text.len() as u64;
                        words += document.words as u64;
                        let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if finished % 1000 == 0 || finished == plans.len() {
                            progress(finished, plans.len());
                        }
                    }
                    Ok((bytes, words))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a generator thread panicked"))
            .collect()
    });
    let mut report = GenReport {
        docs: options.docs,
        bytes: 0,
        words: 0,
        by_type: BTreeMap::new(),
        by_language: BTreeMap::new(),
        elapsed: Duration::ZERO,
    };
    for result in results {
        let (bytes, words) = result?;
        report.bytes += bytes;
        report.words += words;
    }
    for plan in &plans {
        let type_slug = taxonomy.types.terms()[plan.doc_type].slug.clone();
        *report.by_type.entry(type_slug).or_default() += 1;
        *report
            .by_language
            .entry(plan.language.to_string())
            .or_default() += 1;
    }

    let readme = options.out.join("README.md");
    let text = format!(
        "# Synthetic corpus\n\n{} documents generated by `praxis gen-corpus --docs {} --seed {}`\n\
         for benchmarks. The metadata are valid and the text is word salad drawn from the\n\
         vocabulary of the shipped corpus: these are not real documents. Do not ingest them into\n\
         a knowledge base that people use.\n",
        options.docs, options.docs, options.seed
    );
    std::fs::write(&readme, text).map_err(io_error(&readme))?;
    // Last, so that an interrupted run is never taken for a complete corpus.
    let marker = options.out.join(MARKER_FILE);
    std::fs::write(&marker, marker_text(options.docs, options.seed)).map_err(io_error(&marker))?;
    report.elapsed = started.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest;

    fn generate_into(dir: &Path, docs: usize, seed: u64) -> GenReport {
        let options = GenOptions {
            docs,
            seed,
            out: dir.to_path_buf(),
            force: false,
        };
        generate(
            &options,
            &Taxonomy::builtin(),
            Lexicon::builtin(),
            &|_, _| {},
        )
        .unwrap()
    }

    fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let relative = e.path().strip_prefix(dir).unwrap().to_path_buf();
                (relative, std::fs::read(e.path()).unwrap())
            })
            .collect()
    }

    #[test]
    fn generation_is_deterministic() {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        generate_into(a.path(), 40, 7);
        generate_into(b.path(), 40, 7);
        generate_into(c.path(), 40, 8);
        let (a, b, c) = (files(a.path()), files(b.path()), files(c.path()));
        assert_eq!(a.len(), 40 + 2, "40 documents, a README and the marker");
        assert_eq!(a, b, "same docs and seed, same bytes");
        assert_ne!(a, c, "another seed, other documents");
    }

    #[test]
    fn a_smaller_corpus_is_a_prefix_of_a_larger_one() {
        let taxonomy = Taxonomy::builtin();
        let generator = Generator::new(&taxonomy, Lexicon::builtin(), 3);
        let small = generator.plan(20);
        let large = generator.plan(200);
        assert_eq!(small[..], large[..20]);
        assert_eq!(
            generator.render(5, 200, &small[5]).text,
            generator.render(5, 200, &large[5]).text
        );
    }

    #[test]
    fn generated_documents_validate_and_ingest() {
        let corpus = tempfile::tempdir().unwrap();
        let report = generate_into(corpus.path(), 60, 11);
        assert_eq!(report.docs, 60);
        let taxonomy = Taxonomy::builtin();
        let checked = ingest::check(&[corpus.path().to_path_buf()], &taxonomy, &|_, _| {}).unwrap();
        assert_eq!(checked.problems, Vec::new());
        assert_eq!(
            (checked.files, checked.unchanged, checked.failed),
            (60, 60, 0)
        );

        let data = tempfile::tempdir().unwrap();
        let kb = crate::KnowledgeBase::open(data.path()).unwrap();
        let ingested = kb
            .ingest(&[corpus.path().to_path_buf()], &|_, _| {})
            .unwrap();
        assert_eq!((ingested.added.len(), ingested.failed), (60, 0));
        assert_eq!(kb.stats().unwrap().indexed, 60);
    }

    #[test]
    fn merging_segments_changes_no_search_result() {
        let corpus = tempfile::tempdir().unwrap();
        generate_into(corpus.path(), 45, 13);
        let data = tempfile::tempdir().unwrap();
        let kb = crate::KnowledgeBase::open(data.path()).unwrap();
        // One ingest per type folder: one commit, so one segment, each.
        for term in Taxonomy::builtin().types.terms() {
            let folder = corpus.path().join(&term.slug);
            kb.ingest(&[folder], &|_, _| {}).unwrap();
        }
        assert!(kb.index().segment_count() > 1);
        let generation = kb.index().committed_generation().unwrap();
        let requests = [
            crate::SearchRequest::default(),
            crate::SearchRequest::text("prevention genocide"),
            crate::SearchRequest::text("violance").filter(crate::FacetGroup::Region, "africa"),
            crate::SearchRequest::text("justice")
                .filter(crate::FacetGroup::Language, "fr")
                .filter(crate::FacetGroup::Language, "es")
                .filter(crate::FacetGroup::Type, "law"),
        ];
        let search = |kb: &crate::KnowledgeBase| -> Vec<String> {
            requests
                .iter()
                .map(|r| {
                    let mut response = kb.search(r).unwrap();
                    response.took_ms = 0.0;
                    serde_json::to_string(&response).unwrap()
                })
                .collect()
        };
        let before = search(&kb);
        kb.index().merge_segments().unwrap();
        assert_eq!(kb.index().segment_count(), 1);
        assert_eq!(kb.index().committed_generation().unwrap(), generation);
        assert_eq!(search(&kb), before);
        // Writing after a merge opens a new writer.
        let record = kb.document("syn-000001").unwrap().unwrap();
        kb.withdraw(&record.meta.id, "test").unwrap();
        assert_eq!(kb.index().num_docs(), 44);
    }

    #[test]
    fn every_value_is_used_and_the_distribution_is_skewed() {
        let taxonomy = Taxonomy::builtin();
        let plans = Generator::new(&taxonomy, Lexicon::builtin(), 42).plan(3000);
        let mut used: BTreeMap<&str, BTreeMap<usize, usize>> = BTreeMap::new();
        let mut count = |vocabulary: &'static str, values: &[usize]| {
            for &v in values {
                *used.entry(vocabulary).or_default().entry(v).or_default() += 1;
            }
        };
        for plan in &plans {
            count("types", &[plan.doc_type]);
            count("languages", &[lang_index(plan.language)]);
            count("countries", &plan.countries);
            count("themes", &plan.themes);
            count("mechanism_types", &plan.mechanism_types);
            count("instruments", &plan.instruments);
            count("statuses", plan.status.as_slice());
            count("compositions", plan.composition.as_slice());
        }
        let sizes = [
            // Every type but the hand-written manual chapters.
            ("types", taxonomy.types.terms().len() - 1),
            // Text is written only in the interface languages, whose word lists the corpus gives.
            ("languages", Lang::ALL.len()),
            ("countries", taxonomy.geography.countries().len()),
            ("themes", taxonomy.themes.terms().len()),
            ("mechanism_types", taxonomy.mechanism_types.terms().len()),
            ("instruments", taxonomy.instruments.terms().len()),
            ("statuses", taxonomy.statuses.terms().len()),
            ("compositions", taxonomy.compositions.terms().len()),
        ];
        for (vocabulary, size) in sizes {
            let counts = &used[vocabulary];
            assert_eq!(counts.len(), size, "every {vocabulary} value is used");
            let most = counts.values().max().unwrap();
            let least = counts.values().min().unwrap();
            assert!(
                most >= &(3 * least),
                "{vocabulary} is skewed: {most} vs {least}"
            );
        }
        let english = plans.iter().filter(|p| p.language == Lang::En).count();
        assert!(
            (1950..=2250).contains(&english),
            "about 70% English: {english}"
        );
        for plan in &plans {
            let is_law = taxonomy.types.terms()[plan.doc_type].slug == "law";
            assert_eq!(plan.status.is_some(), is_law);
            assert_eq!(plan.shareable.is_some(), is_law);
        }
    }

    #[test]
    fn bodies_have_realistic_length_in_their_language() {
        let taxonomy = Taxonomy::builtin();
        let generator = Generator::new(&taxonomy, Lexicon::builtin(), 5);
        let plans = generator.plan(200);
        let words: Vec<usize> = plans
            .iter()
            .enumerate()
            .map(|(i, plan)| generator.render(i, 200, plan).words)
            .collect();
        assert!(
            words.iter().all(|&w| (200..=1700).contains(&w)),
            "{words:?}"
        );
        let mean = words.iter().sum::<usize>() / words.len();
        assert!((350..=900).contains(&mean), "mean {mean}");
        let french = plans.iter().position(|p| p.language == Lang::Fr).unwrap();
        let text = generator.render(french, 200, &plans[french]).text;
        let frequent_french = [" de ", " la ", " et ", " les "];
        assert!(frequent_french.iter().all(|w| text.contains(w)), "{text}");
    }

    #[test]
    fn output_folder_rules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.md"), "mine").unwrap();
        let mut options = GenOptions {
            docs: 3,
            seed: 1,
            out: dir.path().to_path_buf(),
            force: true,
        };
        let generate =
            |o: &GenOptions| generate(o, &Taxonomy::builtin(), Lexicon::builtin(), &|_, _| {});
        let err = generate(&options).unwrap_err();
        assert!(matches!(err, GenCorpusError::NotEmpty { .. }), "{err}");
        assert!(err.to_string().starts_with("--out:"));

        let fresh = dir.path().join("generated");
        options.out = fresh.clone();
        options.force = false;
        generate(&options).unwrap();
        assert!(is_generated(&fresh, 3, 1));
        assert!(!is_generated(&fresh, 4, 1));
        let err = generate(&options).unwrap_err();
        assert!(matches!(err, GenCorpusError::Exists { .. }), "{err}");
        options.force = true;
        options.docs = 4;
        generate(&options).unwrap();
        assert!(is_generated(&fresh, 4, 1));

        options.docs = 0;
        assert!(generate(&options)
            .unwrap_err()
            .to_string()
            .contains("--docs"));
    }

    #[test]
    fn word_lists_are_built_from_a_corpus() {
        let dir = tempfile::tempdir().unwrap();
        let doc = |lang: &str, body: &str| {
            format!(
                "---\ntitle: T\ntype: report\nsummary: S\nthemes: [genocide]\nyear: 2001\nlanguage: {lang}\nsources:\n  - citation: X\n---\n{body}\n"
            )
        };
        std::fs::write(
            dir.path().join("a.md"),
            doc("en", "The court and the Court, 2001."),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.md"),
            doc("fr", "L’institution de la paix."),
        )
        .unwrap();
        std::fs::write(dir.path().join("c.md"), doc("es", "La paz y la justicia.")).unwrap();
        let lexicon = Lexicon::from_corpus(dir.path(), &Taxonomy::builtin()).unwrap();
        let en: Vec<(&str, u64)> = lexicon.words(Lang::En).words().collect();
        assert!(en.contains(&("the", 2)), "{en:?}");
        assert!(en.contains(&("court", 2)), "{en:?}");
        let fr: Vec<&str> = lexicon.words(Lang::Fr).words().map(|(w, _)| w).collect();
        assert!(fr.contains(&"L'institution"), "{fr:?}");
        let text = lexicon.words(Lang::Es).to_text(Lang::Es);
        let reread = WordList::parse(&text).unwrap();
        assert_eq!(reread.words().count(), lexicon.words(Lang::Es).len());
        assert!(WordList::parse("x\tword\n").unwrap_err().contains("line 1"));
    }
}
