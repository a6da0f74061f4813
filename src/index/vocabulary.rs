//! What search knows about words, derived from the taxonomy and the glossary once per taxonomy
//! (see [`crate::Taxonomy::derived`]), not per search:
//!
//! - groups of equivalent phrases: each taxonomy term's labels and synonyms, and each glossary
//!   entry's terms in English, French and Spanish with their synonyms (a query phrase expands to
//!   the others of its groups);
//! - names of facet values: regions and countries (UN M49 and ISO names in the three
//!   languages, the glossary's demonyms and other names), document types and mechanism types
//!   (labels and synonyms). A query naming one gets a suggested filter and matches documents
//!   with that value.
//!
//! Phrases are compared by [`key`]: words lower-cased, accent-folded and stemmed, stop words
//! dropped, so "Truth Commissions" names the same as "truth commission" and "Amerique latine"
//! the same as "Amérique latine".
//!
//! The vocabulary also holds the analysers queries are read with ([`QueryAnalyzers`]), so a
//! search clones them (sharing their stop-word sets) instead of building them.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::schema::Facet;
use tantivy::tokenizer::TextAnalyzer;

use super::request::FacetGroup;
use super::schema::{analyzer, raw_analyzer};
use crate::taxonomy::{DocLang, Lang, Taxonomy};

/// Where a group of equivalent phrases comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Taxonomy,
    Glossary,
}

/// One phrase of a group: as written (to analyse for searching), its key, and its language
/// when known (it is then searched in that language's fields only).
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    pub(crate) text: String,
    pub(crate) key: String,
    pub(crate) lang: Option<Lang>,
}

/// A facet value a phrase names, with its facet path (a region's includes its ancestors).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Named {
    pub(crate) group: FacetGroup,
    pub(crate) value: String,
    pub(crate) facet: Facet,
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) phrases: Vec<Phrase>,
    pub(crate) source: Source,
}

/// The query-side vocabulary (see the module).
#[derive(Debug)]
pub(crate) struct QueryVocabulary {
    groups: Vec<Group>,
    groups_by_key: HashMap<String, Vec<usize>>,
    facets_by_key: HashMap<String, Vec<Named>>,
    analyzers: QueryAnalyzers,
}

/// The analysers a query is read with. Building one builds its stop-word set; a clone shares
/// it, so each search clones these instead of building its own.
#[derive(Clone)]
pub(crate) struct QueryAnalyzers {
    /// Each document language's analyser, for that language's fields.
    pub(crate) by_lang: Vec<(DocLang, TextAnalyzer)>,
    /// Words as typed (lower-cased), to find what a typo matches.
    pub(crate) raw: TextAnalyzer,
    /// The analyser of [`key`].
    pub(crate) keys: TextAnalyzer,
}

impl QueryAnalyzers {
    fn build() -> QueryAnalyzers {
        #[cfg(test)]
        tests::ANALYZER_BUILDS.with(|builds| builds.set(builds.get() + 1));
        QueryAnalyzers {
            by_lang: DocLang::ALL.iter().map(|&l| (l, analyzer(l))).collect(),
            raw: raw_analyzer(),
            keys: analyzer(Lang::En),
        }
    }
}

impl std::fmt::Debug for QueryAnalyzers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryAnalyzers")
    }
}

/// The comparison key of a phrase (see the module); empty for stop words only.
pub(crate) fn key(analyzer: &mut TextAnalyzer, phrase: &str) -> String {
    let mut stream = analyzer.token_stream(phrase);
    let mut words: Vec<String> = Vec::new();
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words.join(" ")
}

/// Longer phrases are not typed as queries (and would only cost lookups).
pub(crate) const MAX_PHRASE_WORDS: usize = 6;

impl QueryVocabulary {
    /// The vocabulary of `taxonomy`, built on first use.
    pub(crate) fn of(taxonomy: &Taxonomy) -> Arc<QueryVocabulary> {
        taxonomy.derived(QueryVocabulary::build)
    }

    pub(crate) fn build(taxonomy: &Taxonomy) -> QueryVocabulary {
        let analyzers = QueryAnalyzers::build();
        let mut analyzer = analyzers.keys.clone();
        let mut vocabulary = QueryVocabulary {
            groups: Vec::new(),
            groups_by_key: HashMap::new(),
            facets_by_key: HashMap::new(),
            analyzers,
        };
        let mut add_group = |vocabulary: &mut QueryVocabulary,
                             phrases: Vec<(String, Option<Lang>)>,
                             source: Source| {
            let mut group = Group {
                phrases: Vec::new(),
                source,
            };
            for (text, lang) in phrases {
                let key = key(&mut analyzer, &text);
                if key.is_empty() || key.split(' ').count() > MAX_PHRASE_WORDS {
                    continue;
                }
                if !group.phrases.iter().any(|p| p.key == key && p.lang == lang) {
                    group.phrases.push(Phrase { text, key, lang });
                }
            }
            let mut keys: Vec<&str> = group.phrases.iter().map(|p| p.key.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            if keys.len() < 2 {
                return;
            }
            let index = vocabulary.groups.len();
            for phrase in &group.phrases {
                let entry = vocabulary
                    .groups_by_key
                    .entry(phrase.key.clone())
                    .or_default();
                if !entry.contains(&index) {
                    entry.push(index);
                }
            }
            vocabulary.groups.push(group);
        };
        for group in taxonomy.synonym_groups() {
            add_group(&mut vocabulary, group.phrases, Source::Taxonomy);
        }
        for entry in &taxonomy.glossary.entries {
            let mut phrases = Vec::new();
            for lang in Lang::ALL {
                phrases.push((entry.term.get(lang).clone(), Some(lang)));
                for synonym in entry.synonyms.get(lang) {
                    phrases.push((synonym.clone(), Some(lang)));
                }
            }
            add_group(&mut vocabulary, phrases, Source::Glossary);
        }

        let geography = &taxonomy.geography;
        let mut name = |vocabulary: &mut QueryVocabulary, text: &str, group, value: &str| {
            let key = key(&mut analyzer, text);
            if key.is_empty() || key.split(' ').count() > MAX_PHRASE_WORDS {
                return;
            }
            let facet = if group == FacetGroup::Region {
                Facet::from_path(geography.region_path(value))
            } else {
                Facet::from_path([value])
            };
            let entry = vocabulary.facets_by_key.entry(key).or_default();
            let named = Named {
                group,
                value: value.to_string(),
                facet,
            };
            if !entry.contains(&named) {
                entry.push(named);
            }
        };
        for region in geography.regions() {
            for label in region.labels.all() {
                name(&mut vocabulary, label, FacetGroup::Region, &region.slug);
            }
        }
        for country in geography.countries() {
            for label in country.names.all() {
                name(&mut vocabulary, label, FacetGroup::Country, &country.iso3);
            }
        }
        for place in &taxonomy.glossary.places {
            let (group, value) = match (&place.country, &place.region) {
                (Some(code), _) => match geography.country(code) {
                    Some(country) => (FacetGroup::Country, country.iso3.clone()),
                    None => continue,
                },
                (None, Some(slug)) => (FacetGroup::Region, slug.clone()),
                (None, None) => continue,
            };
            for text in &place.names {
                name(&mut vocabulary, text, group, &value);
            }
        }
        for (group, terms) in [
            (FacetGroup::Type, &taxonomy.types),
            (FacetGroup::MechanismType, &taxonomy.mechanism_types),
            (FacetGroup::Theme, &taxonomy.themes),
        ] {
            for term in terms.terms() {
                for label in term.labels.all() {
                    name(&mut vocabulary, label, group, &term.slug);
                }
                for synonym in &term.synonyms {
                    name(&mut vocabulary, synonym, group, &term.slug);
                }
                name(
                    &mut vocabulary,
                    &term.slug.replace('-', " "),
                    group,
                    &term.slug,
                );
            }
        }
        vocabulary
    }

    /// The groups a phrase key belongs to.
    pub(crate) fn groups_of(&self, key: &str) -> impl Iterator<Item = &Group> {
        self.groups_by_key
            .get(key)
            .into_iter()
            .flatten()
            .map(|&i| &self.groups[i])
    }

    /// The facet values a phrase key names.
    pub(crate) fn facets_named(&self, key: &str) -> &[Named] {
        self.facets_by_key.get(key).map_or(&[], Vec::as_slice)
    }

    /// The analysers queries are read with (clone them: reading needs `&mut`).
    pub(crate) fn analyzers(&self) -> &QueryAnalyzers {
        &self.analyzers
    }

    /// True when the key is a phrase of some group or names a facet value.
    pub(crate) fn knows(&self, key: &str) -> bool {
        self.groups_by_key.contains_key(key) || self.facets_by_key.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// How many times this thread built [`QueryAnalyzers`].
        pub(super) static ANALYZER_BUILDS: Cell<usize> = const { Cell::new(0) };
    }

    #[test]
    fn names_regions_countries_demonyms_and_types_in_three_languages() {
        let taxonomy = Taxonomy::builtin();
        let vocabulary = QueryVocabulary::of(&taxonomy);
        let mut analyzer = analyzer(Lang::En);
        let named = |analyzer: &mut TextAnalyzer, text: &str| {
            vocabulary
                .facets_named(&key(analyzer, text))
                .iter()
                .map(|n| (n.group, n.value.clone()))
                .collect::<Vec<_>>()
        };
        for text in ["Asia", "Asie", "asia"] {
            assert!(named(&mut analyzer, text).contains(&(FacetGroup::Region, "asia".into())));
        }
        for text in ["Amérique latine", "amerique latine", "Latin America"] {
            assert!(named(&mut analyzer, text)
                .contains(&(FacetGroup::Region, "latin-america-and-the-caribbean".into())));
        }
        assert!(named(&mut analyzer, "Kenyan").contains(&(FacetGroup::Country, "KEN".into())));
        assert!(named(&mut analyzer, "laws").contains(&(FacetGroup::Type, "law".into())));
        assert!(named(&mut analyzer, "truth commissions")
            .contains(&(FacetGroup::MechanismType, "truth-commission".into())));
    }

    #[test]
    fn glossary_terms_group_the_three_languages() {
        let taxonomy = Taxonomy::builtin();
        let vocabulary = QueryVocabulary::of(&taxonomy);
        let mut analyzer = analyzer(Lang::En);
        let group = vocabulary
            .groups_of(&key(&mut analyzer, "early warning"))
            .find(|g| g.source == Source::Glossary)
            .expect("early warning is in the glossary");
        let texts: Vec<&str> = group.phrases.iter().map(|p| p.text.as_str()).collect();
        assert!(texts.contains(&"alerte précoce"), "{texts:?}");
        assert!(texts.contains(&"alerta temprana"), "{texts:?}");
    }

    /// Laws against hate speech speak of "incitement to hatred" and "racial hatred" (the
    /// wording of ICCPR art. 20(2), Australia's Racial Hatred Act): the theme's equivalents, so
    /// each wording finds the others and names the theme.
    #[test]
    fn incitement_to_hatred_is_hate_speech() {
        let taxonomy = Taxonomy::builtin();
        let vocabulary = QueryVocabulary::of(&taxonomy);
        let mut analyzer = analyzer(Lang::En);
        let group = vocabulary
            .groups_of(&key(&mut analyzer, "hate speech"))
            .find(|g| g.source == Source::Taxonomy)
            .expect("hate speech is a theme");
        let texts: Vec<&str> = group.phrases.iter().map(|p| p.text.as_str()).collect();
        for wording in [
            "racial hatred",
            "incitement to hatred",
            "incitación al odio",
        ] {
            assert!(texts.contains(&wording), "{texts:?}");
            assert!(vocabulary
                .facets_named(&key(&mut analyzer, wording))
                .iter()
                .any(|n| n.group == FacetGroup::Theme && n.value == "hate-speech"));
        }
    }

    /// Asserts that the glossary groups of the phrase `typed` hold each of `others`.
    fn assert_glossary_holds(
        vocabulary: &QueryVocabulary,
        analyzer: &mut TextAnalyzer,
        typed: &str,
        others: &[&str],
    ) {
        let texts: Vec<&str> = vocabulary
            .groups_of(&key(analyzer, typed))
            .filter(|g| g.source == Source::Glossary)
            .flat_map(|g| g.phrases.iter().map(|p| p.text.as_str()))
            .collect();
        for other in others {
            assert!(texts.contains(other), "{typed}: {texts:?}");
        }
    }

    /// Laws against genocide denial are "négationnisme" in French, the annulment of amnesty
    /// laws is "nulidad" in Spanish (Argentina's Law 25.779 declared them "insanablemente
    /// nulas"), and Colombia's Cátedra de la Paz is "educación para la paz": the glossary joins
    /// each wording, as typed in a query, to the others.
    #[test]
    fn denial_annulment_and_peace_education_are_known_in_the_three_languages() {
        let vocabulary = QueryVocabulary::of(&Taxonomy::builtin());
        let mut analyzer = analyzer(Lang::En);
        for (typed, others) in [
            (
                "négationnisme",
                &["genocide denial", "denial", "negacionismo"][..],
            ),
            ("genocide denial", &["négationnisme", "negacionismo"][..]),
            ("annulled", &["nulidad", "anulación", "annulation"][..]),
            (
                "educación para la paz",
                &["peace education", "éducation à la paix"][..],
            ),
        ] {
            assert_glossary_holds(&vocabulary, &mut analyzer, typed, others);
        }
    }

    /// "expresidente" is the glossary's former head of state, not a typo for "presidente"
    /// (the search test `a_word_the_vocabulary_knows_is_not_read_as_a_typo`).
    #[test]
    fn a_former_head_of_state_is_known_in_the_three_languages() {
        let vocabulary = QueryVocabulary::of(&Taxonomy::builtin());
        let mut analyzer = analyzer(Lang::En);
        for (typed, others) in [
            (
                "expresidente",
                &["former president", "ancien président", "exjefe de Estado"][..],
            ),
            ("former president", &["expresidente", "ex-président"][..]),
            (
                "ancien président",
                &["former head of state", "ex presidente"][..],
            ),
        ] {
            assert_glossary_holds(&vocabulary, &mut analyzer, typed, others);
        }
    }

    /// Two searches with one taxonomy share its vocabulary and build no analyser: the
    /// analysers are built once, with the vocabulary.
    #[test]
    fn two_searches_share_the_vocabulary_and_its_analysers() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let index = crate::index::SearchIndex::open(dir.path()).expect("index opens");
        let taxonomy = Taxonomy::builtin();
        let vocabulary = QueryVocabulary::of(&taxonomy);
        let builds = ANALYZER_BUILDS.with(Cell::get);
        for q in ["truth commissions Asia", "alerte précoce Afrique"] {
            let request = crate::SearchRequest {
                q: q.to_string(),
                ..Default::default()
            };
            index.search(&request, &taxonomy).expect("search runs");
        }
        assert_eq!(
            ANALYZER_BUILDS.with(Cell::get),
            builds,
            "a search built analysers"
        );
        assert!(Arc::ptr_eq(&vocabulary, &QueryVocabulary::of(&taxonomy)));

        // A new taxonomy (a changed one is a new value) gets its own vocabulary.
        let changed = Taxonomy::builtin();
        assert!(!Arc::ptr_eq(&vocabulary, &QueryVocabulary::of(&changed)));
        assert_eq!(ANALYZER_BUILDS.with(Cell::get), builds + 1);
    }

    #[test]
    fn is_built_once_per_taxonomy() {
        let taxonomy = Taxonomy::builtin();
        assert!(Arc::ptr_eq(
            &QueryVocabulary::of(&taxonomy),
            &QueryVocabulary::of(&taxonomy)
        ));
    }
}
