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

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::schema::Facet;
use tantivy::tokenizer::TextAnalyzer;

use super::request::FacetGroup;
use super::schema::analyzer;
use crate::taxonomy::{Lang, Taxonomy};

/// Where a group of equivalent phrases comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Taxonomy,
    Glossary,
}

/// One phrase of a group: as written (to analyse for searching), its key, and its language
/// when known (it is then searched in that language's fields only).
#[derive(Debug, Clone)]
pub struct Phrase {
    pub text: String,
    pub key: String,
    pub lang: Option<Lang>,
}

/// A facet value a phrase names, with its facet path (a region's includes its ancestors).
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub group: FacetGroup,
    pub value: String,
    pub facet: Facet,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub phrases: Vec<Phrase>,
    pub source: Source,
}

/// The query-side vocabulary (see the module).
#[derive(Debug)]
pub struct QueryVocabulary {
    groups: Vec<Group>,
    groups_by_key: HashMap<String, Vec<usize>>,
    facets_by_key: HashMap<String, Vec<Named>>,
}

/// The comparison key of a phrase (see the module); empty for stop words only.
pub fn key(analyzer: &mut TextAnalyzer, phrase: &str) -> String {
    let mut stream = analyzer.token_stream(phrase);
    let mut words: Vec<String> = Vec::new();
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words.join(" ")
}

/// Longer phrases are not typed as queries (and would only cost lookups).
pub const MAX_PHRASE_WORDS: usize = 6;

impl QueryVocabulary {
    /// The vocabulary of `taxonomy`, built on first use.
    pub fn of(taxonomy: &Taxonomy) -> Arc<QueryVocabulary> {
        taxonomy.derived(QueryVocabulary::build)
    }

    pub fn build(taxonomy: &Taxonomy) -> QueryVocabulary {
        let mut analyzer = analyzer(Lang::En);
        let mut vocabulary = QueryVocabulary {
            groups: Vec::new(),
            groups_by_key: HashMap::new(),
            facets_by_key: HashMap::new(),
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
    pub fn groups_of(&self, key: &str) -> impl Iterator<Item = &Group> {
        self.groups_by_key
            .get(key)
            .into_iter()
            .flatten()
            .map(|&i| &self.groups[i])
    }

    /// The facet values a phrase key names.
    pub fn facets_named(&self, key: &str) -> &[Named] {
        self.facets_by_key.get(key).map_or(&[], Vec::as_slice)
    }

    /// True when the key is a phrase of some group or names a facet value.
    pub fn knows(&self, key: &str) -> bool {
        self.groups_by_key.contains_key(key) || self.facets_by_key.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn is_built_once_per_taxonomy() {
        let taxonomy = Taxonomy::builtin();
        assert!(Arc::ptr_eq(
            &QueryVocabulary::of(&taxonomy),
            &QueryVocabulary::of(&taxonomy)
        ));
    }
}
