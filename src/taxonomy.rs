//! Controlled vocabularies: document types, themes, mechanism types, instruments, languages,
//! law statuses and mechanism compositions, each value with a stable slug, labels in English,
//! French and Spanish, and search synonyms. Countries and regions live in [`crate::geography`].
//!
//! The built-in taxonomy is `corpus/taxonomy.yaml`, compiled into the binary so that `praxis`
//! works from any directory. A corpus may carry its own `taxonomy.yaml`; the store keeps the
//! taxonomy a corpus was ingested with so that search labels agree with the documents.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::geography::Geography;
use crate::glossary::Glossary;
// The language vocabulary lives in `crate::lang`; re-exported so `taxonomy::Lang` keeps working.
pub use crate::lang::{DocLang, Labels, Lang};

/// The taxonomy shipped with Praxis.
pub(crate) const BUILTIN_TAXONOMY_YAML: &str = include_str!("../corpus/taxonomy.yaml");

/// One value of a vocabulary.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Term {
    pub(crate) slug: String,
    pub(crate) labels: Labels,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) synonyms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    /// UN Treaty Collection id, for instruments that have participation data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) untc: Option<String>,
}

/// An ordered list of terms with lookup by slug.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    terms: Vec<Term>,
    by_slug: HashMap<String, usize>,
}

impl Vocabulary {
    fn new(name: &str, terms: Vec<Term>) -> Result<Self, TaxonomyError> {
        let mut by_slug = HashMap::new();
        for (position, term) in terms.iter().enumerate() {
            if !is_slug(&term.slug) {
                return Err(TaxonomyError::Invalid(format!(
                    "{name}: \"{}\" is not a valid slug (lower-case a-z, 0-9 and hyphens)",
                    term.slug
                )));
            }
            if by_slug.insert(term.slug.clone(), position).is_some() {
                return Err(TaxonomyError::Invalid(format!(
                    "{name}: slug \"{}\" appears twice",
                    term.slug
                )));
            }
        }
        Ok(Vocabulary { terms, by_slug })
    }

    pub(crate) fn get(&self, slug: &str) -> Option<&Term> {
        self.by_slug.get(slug).map(|&i| &self.terms[i])
    }

    pub(crate) fn contains(&self, slug: &str) -> bool {
        self.by_slug.contains_key(slug)
    }

    pub(crate) fn terms(&self) -> &[Term] {
        &self.terms
    }

    pub fn slugs(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(|t| t.slug.as_str())
    }

    /// The label of `slug` in `lang`, or the slug itself when it is unknown.
    pub(crate) fn label<'a>(&'a self, slug: &'a str, lang: Lang) -> &'a str {
        self.get(slug).map_or(slug, |t| t.labels.get(lang))
    }

    /// The known slug closest to `value`, for "did you mean" hints.
    pub(crate) fn suggest(&self, value: &str) -> Option<&str> {
        closest(value, self.slugs())
    }
}

/// The closest candidate to `value` by normalised edit distance, if it is close enough to be a
/// plausible typo (or `value` is a prefix of it).
pub(crate) fn closest<'a>(
    value: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        return None;
    }
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let mut similarity = strsim::normalized_damerau_levenshtein(&value, candidate);
        if candidate.starts_with(&value) || candidate.replace('-', " ") == value {
            similarity = similarity.max(0.9);
        }
        if best.is_none_or(|(b, _)| similarity > b) {
            best = Some((similarity, candidate));
        }
    }
    best.filter(|(s, _)| *s >= 0.6).map(|(_, c)| c)
}

/// Whether `s` is a valid slug: lower-case ASCII letters, digits and single hyphens.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An id proposed from a title: lower case ASCII letters and digits, words joined by hyphens.
pub(crate) fn slug_from_title(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut slug = String::new();
    for c in title.nfd().filter(|c| c.is_ascii()) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    // Keep it short: whole words up to 60 characters.
    let mut short = String::new();
    for word in slug.split('-') {
        if short.len() + word.len() + 1 > 60 && !short.is_empty() {
            break;
        }
        if !short.is_empty() {
            short.push('-');
        }
        short.push_str(word);
    }
    short
}

#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// The YAML could not be read.
    #[error("taxonomy: {0}")]
    Yaml(String),
    /// The YAML was read but breaks a rule (duplicate or malformed slug, ...).
    #[error("taxonomy: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    types: Vec<Term>,
    themes: Vec<Term>,
    mechanism_types: Vec<Term>,
    instruments: Vec<Term>,
    languages: Vec<Term>,
    statuses: Vec<Term>,
    /// Absent from taxonomies written before mechanisms had an operating status.
    #[serde(default)]
    operating_statuses: Vec<Term>,
    compositions: Vec<Term>,
    /// Absent from taxonomies written before the prevention-to-reparation spectrum.
    #[serde(default)]
    stages: Vec<Term>,
    #[serde(default)]
    baskets: Vec<Basket>,
    /// Absent from taxonomies written before the manual had chapters.
    #[serde(default)]
    manual_chapters: Vec<Term>,
}

/// A named set of instruments over which a country profile counts adherence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Basket {
    pub(crate) slug: String,
    pub(crate) labels: Labels,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<Labels>,
    /// Instrument slugs, in the order profiles list them.
    pub(crate) instruments: Vec<String>,
    /// The basket profiles use when none is asked for.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) default: bool,
}

/// All vocabularies, plus the geography they are used with.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub(crate) types: Vocabulary,
    pub themes: Vocabulary,
    pub(crate) mechanism_types: Vocabulary,
    pub(crate) instruments: Vocabulary,
    pub(crate) languages: Vocabulary,
    pub(crate) statuses: Vocabulary,
    /// Whether a mechanism or network works: active, dormant, dissolved.
    pub(crate) operating_statuses: Vocabulary,
    pub(crate) compositions: Vocabulary,
    /// The spectrum from prevention to reparation, in its order (structural prevention first).
    pub stages: Vocabulary,
    /// Baskets of instruments for adherence counts (may be empty for a corpus's own taxonomy).
    pub(crate) baskets: Vec<Basket>,
    /// The manual's chapters in reading order (the `chapter` of `guide` documents).
    pub(crate) manual_chapters: Vocabulary,
    pub geography: Arc<Geography>,
    /// The cross-language glossary (always the built-in `corpus/glossary.yaml`).
    pub(crate) glossary: Arc<Glossary>,
    /// What higher layers derive from this taxonomy (the search's query vocabulary), built
    /// once per taxonomy instead of once per use.
    derived: Derived,
    yaml: String,
}

/// A type-erased, build-once slot for [`Taxonomy::derived`].
#[derive(Clone, Default)]
struct Derived(Arc<std::sync::OnceLock<Arc<dyn std::any::Any + Send + Sync>>>);

impl fmt::Debug for Derived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Derived")
    }
}

impl Taxonomy {
    /// The taxonomy compiled into the binary.
    pub fn builtin() -> Self {
        Self::from_yaml(BUILTIN_TAXONOMY_YAML).expect("the built-in taxonomy is valid")
    }

    /// Parses a taxonomy file; the geography is always the built-in reference data.
    pub(crate) fn from_yaml(yaml: &str) -> Result<Self, TaxonomyError> {
        let file: TaxonomyFile =
            serde_saphyr::from_str(yaml).map_err(|e| TaxonomyError::Yaml(e.to_string()))?;
        let languages = Vocabulary::new("languages", file.languages)?;
        for slug in languages.slugs() {
            if slug.parse::<DocLang>().is_err() {
                return Err(TaxonomyError::Invalid(format!(
                    "languages: \"{slug}\" has no analyser; supported: en, fr, es, pt, ar"
                )));
            }
        }
        let instruments = Vocabulary::new("instruments", file.instruments)?;
        check_baskets(&file.baskets, &instruments)?;
        Ok(Taxonomy {
            types: Vocabulary::new("types", file.types)?,
            themes: Vocabulary::new("themes", file.themes)?,
            mechanism_types: Vocabulary::new("mechanism_types", file.mechanism_types)?,
            instruments,
            baskets: file.baskets,
            languages,
            statuses: Vocabulary::new("statuses", file.statuses)?,
            operating_statuses: Vocabulary::new("operating_statuses", file.operating_statuses)?,
            compositions: Vocabulary::new("compositions", file.compositions)?,
            stages: Vocabulary::new("stages", file.stages)?,
            manual_chapters: Vocabulary::new("manual_chapters", file.manual_chapters)?,
            glossary: Glossary::builtin(),
            geography: Geography::builtin(),
            derived: Derived::default(),
            yaml: yaml.to_string(),
        })
    }

    /// The value `build` derives from this taxonomy, built on first use and kept for the
    /// taxonomy's lifetime. One type per taxonomy: a second type gets a fresh, uncached value.
    pub(crate) fn derived<T: std::any::Any + Send + Sync>(
        &self,
        build: impl FnOnce(&Taxonomy) -> T,
    ) -> Arc<T> {
        if let Some(slot) = self.derived.0.get() {
            return match slot.clone().downcast::<T>() {
                Ok(value) => value,
                Err(_) => Arc::new(build(self)),
            };
        }
        let value = Arc::new(build(self));
        // Another thread may have set it meanwhile: both values are equal.
        let _ = self.derived.0.set(value.clone());
        value
    }

    /// The basket with this slug.
    pub(crate) fn basket(&self, slug: &str) -> Option<&Basket> {
        self.baskets.iter().find(|b| b.slug == slug)
    }

    /// The basket marked `default: true`, else the first one.
    pub(crate) fn default_basket(&self) -> Option<&Basket> {
        self.baskets
            .iter()
            .find(|b| b.default)
            .or(self.baskets.first())
    }

    /// The YAML this taxonomy was read from.
    pub(crate) fn yaml(&self) -> &str {
        &self.yaml
    }

    /// Groups of equivalent phrases for query expansion: each term's labels (with their
    /// language), its synonyms and its slug (with spaces for hyphens), normalised. Only groups
    /// with two or more distinct phrases are returned.
    pub(crate) fn synonym_groups(&self) -> Vec<SynonymGroup> {
        // Not the stages: their labels and synonyms ("justice", "reconciliation", "memoria")
        // overlap the themes', and expanding them too measured lower on the judged queries
        // (nDCG@10 0.859 against 0.862, python3 bench/relevance/eval.py); they are served with the
        // vocabulary (/api/taxonomy) for clients that offer stage pickers.
        let vocabularies = [&self.themes, &self.mechanism_types, &self.instruments];
        let mut groups = Vec::new();
        for vocabulary in vocabularies {
            for term in vocabulary.terms() {
                let labels = Lang::ALL
                    .iter()
                    .map(|&lang| (term.labels.get(lang).to_string(), Some(lang)));
                let others = term
                    .synonyms
                    .iter()
                    .cloned()
                    .chain(std::iter::once(term.slug.replace('-', " ")))
                    .map(|phrase| (phrase, None));
                let mut phrases: Vec<(String, Option<Lang>)> = Vec::new();
                for (phrase, lang) in labels.chain(others) {
                    let normalised = normalise_phrase(&phrase);
                    // Long titles ("Convention on the Prevention and ...") are not typed as
                    // queries; keeping them would only add noise to expansion.
                    if normalised.is_empty() || normalised.split(' ').count() > 6 {
                        continue;
                    }
                    if !phrases.iter().any(|(p, _)| *p == normalised) {
                        phrases.push((normalised, lang));
                    }
                }
                if phrases.len() > 1 {
                    groups.push(SynonymGroup { phrases });
                }
            }
        }
        groups
    }
}

fn check_baskets(baskets: &[Basket], instruments: &Vocabulary) -> Result<(), TaxonomyError> {
    let mut seen = std::collections::HashSet::new();
    for basket in baskets {
        if !is_slug(&basket.slug) || !seen.insert(basket.slug.as_str()) {
            return Err(TaxonomyError::Invalid(format!(
                "baskets: \"{}\" is not a valid slug or appears twice",
                basket.slug
            )));
        }
        for slug in &basket.instruments {
            if !instruments.contains(slug) {
                return Err(TaxonomyError::Invalid(format!(
                    "baskets: {}: unknown instrument \"{slug}\"",
                    basket.slug
                )));
            }
        }
    }
    if baskets.iter().filter(|b| b.default).count() > 1 {
        return Err(TaxonomyError::Invalid(
            "baskets: more than one basket has default: true".to_string(),
        ));
    }
    Ok(())
}

/// Phrases that mean the same, each with the language it is in when known (labels), so that
/// it is searched only in that language's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SynonymGroup {
    pub(crate) phrases: Vec<(String, Option<Lang>)>,
}

impl SynonymGroup {
    #[cfg(test)]
    pub(crate) fn contains(&self, normalised: &str) -> bool {
        self.phrases.iter().any(|(p, _)| p == normalised)
    }
}

/// Lower-cases, strips punctuation other than apostrophes and collapses whitespace, so that
/// synonym phrases and query words compare equal.
pub(crate) fn normalise_phrase(phrase: &str) -> String {
    phrase
        .to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_taxonomy_loads_with_labels_in_three_languages() {
        let taxonomy = Taxonomy::builtin();
        let theme = taxonomy.themes.get("hate-speech").unwrap();
        assert_eq!(theme.labels.get(Lang::Fr), "Discours de haine");
        assert_eq!(theme.labels.get(Lang::Es), "Discurso de odio");
        assert!(taxonomy.types.contains("law"));
    }

    #[test]
    fn titles_with_commas_survive_the_yaml_and_labels_avoid_false_friends() {
        let taxonomy = Taxonomy::builtin();
        let icescr = taxonomy.instruments.get("icescr").unwrap();
        assert_eq!(
            icescr.labels.en,
            "International Covenant on Economic, Social and Cultural Rights"
        );
        assert!(icescr.labels.es.contains("Económicos, Sociales"));
        assert!(taxonomy
            .instruments
            .label("cmw", Lang::En)
            .ends_with("Members of Their Families"));
        assert!(taxonomy
            .instruments
            .label("icglr-protocol-genocide", Lang::Fr)
            .contains("toutes les formes de discrimination"));
        assert!(taxonomy
            .themes
            .label("accountability", Lang::Fr)
            .starts_with("Établissement des responsabilités"));
        assert_eq!(
            taxonomy.themes.label("human-rights-monitoring", Lang::Fr),
            "Suivi des droits de l'homme"
        );
        for lang in Lang::ALL {
            let label = taxonomy
                .compositions
                .label("independent", lang)
                .to_lowercase();
            assert!(
                !label.contains("statutaire") && !label.contains("estatutario"),
                "{label}"
            );
        }
        for theme in [
            "protection-of-civilians",
            "risk-assessment",
            "rule-of-law",
            "missing-persons",
            "youth",
        ] {
            assert!(taxonomy.themes.contains(theme), "{theme}");
        }
        assert!(taxonomy
            .mechanism_types
            .contains("memorial-documentation-centre"));
        assert!(taxonomy.instruments.contains("unsc-resolution-2150"));
        assert!(taxonomy.types.contains("network"));
        assert!(taxonomy.languages.contains("pt") && taxonomy.languages.contains("ar"));
        assert_eq!(
            taxonomy.operating_statuses.label("dormant", Lang::Fr),
            "En sommeil"
        );
    }

    #[test]
    fn suggests_the_closest_slug_for_a_typo() {
        let taxonomy = Taxonomy::builtin();
        assert_eq!(taxonomy.themes.suggest("hate-speach"), Some("hate-speech"));
        assert_eq!(taxonomy.themes.suggest("zzzzzzzzzzzz"), None);
    }

    #[test]
    fn synonyms_group_r2p_with_responsibility_to_protect() {
        let groups = Taxonomy::builtin().synonym_groups();
        assert!(groups
            .iter()
            .any(|g| g.contains("r2p") && g.contains("responsibility to protect")));
    }

    #[test]
    fn duplicate_slugs_are_rejected() {
        let yaml = BUILTIN_TAXONOMY_YAML.replace("slug: genocide\n", "slug: war-crimes\n");
        let err = Taxonomy::from_yaml(&yaml).unwrap_err();
        assert!(err.to_string().contains("war-crimes"), "{err}");
    }

    #[test]
    fn baskets_load_with_the_default_and_reject_unknown_instruments() {
        let taxonomy = Taxonomy::builtin();
        let core = taxonomy.default_basket().unwrap();
        assert_eq!(core.slug, "atrocity-prevention-core");
        assert_eq!(core.instruments.len(), 10);
        assert_eq!(
            taxonomy
                .basket("core-human-rights")
                .unwrap()
                .instruments
                .len(),
            18
        );
        let yaml =
            BUILTIN_TAXONOMY_YAML.replace("ced, statutory-limitations", "ced, atlantis-pact");
        let err = Taxonomy::from_yaml(&yaml).unwrap_err().to_string();
        assert!(
            err.contains("unknown instrument \"atlantis-pact\""),
            "{err}"
        );
    }

    #[test]
    fn slugs_are_validated() {
        assert!(is_slug("hate-speech"));
        assert!(!is_slug("Hate speech"));
        assert!(!is_slug("-x"));
        assert!(!is_slug(""));
    }
}
