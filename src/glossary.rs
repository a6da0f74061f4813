//! The cross-language glossary (`corpus/glossary.yaml`): the domain's terms in English, French
//! and Spanish, with synonyms and, where sure, short definitions; and other names of places
//! (demonyms, common names) that search recognises in queries.
//!
//! Search uses the terms to match across languages ("genocide" also finds "génocide" and
//! "genocidio"); a glossary page can show them.

use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::geography::Geography;
use crate::lang::Lang;

/// The glossary compiled into the binary.
pub(crate) const BUILTIN_GLOSSARY_YAML: &str = include_str!("../corpus/glossary.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Glossary {
    pub(crate) entries: Vec<GlossaryEntry>,
    #[serde(default)]
    pub(crate) places: Vec<PlaceNames>,
}

/// One term in the three languages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GlossaryEntry {
    pub(crate) term: PerLang<String>,
    #[serde(default)]
    pub(crate) synonyms: PerLang<Vec<String>>,
    #[serde(default)]
    pub(crate) definition: PerLang<Option<String>>,
    /// The instrument or publication the definitions follow ("Genocide Convention, art. II"),
    /// shown with them on the glossary page.
    #[serde(default)]
    pub(crate) source: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PerLang<T> {
    #[serde(default)]
    pub(crate) en: T,
    #[serde(default)]
    pub(crate) fr: T,
    #[serde(default)]
    pub(crate) es: T,
}

impl<T> PerLang<T> {
    pub(crate) fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
            Lang::Es => &self.es,
        }
    }
}

/// Other names of a country (ISO code) or a region (UN M49 slug).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaceNames {
    #[serde(default)]
    pub(crate) country: Option<String>,
    #[serde(default)]
    pub(crate) region: Option<String>,
    pub(crate) names: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum GlossaryError {
    #[error("glossary: {0}")]
    Yaml(String),
    /// Entry `index` (0-based) breaks a rule.
    #[error("glossary: entry {index}: {message}")]
    Invalid { index: usize, message: String },
}

impl Glossary {
    /// The glossary compiled into the binary.
    pub(crate) fn builtin() -> Arc<Glossary> {
        static BUILTIN: OnceLock<Arc<Glossary>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Arc::new(
                    Self::from_yaml(BUILTIN_GLOSSARY_YAML, &Geography::builtin())
                        .expect("the built-in glossary is valid"),
                )
            })
            .clone()
    }

    /// Parses a glossary and checks every term and place against `geography`.
    pub(crate) fn from_yaml(yaml: &str, geography: &Geography) -> Result<Glossary, GlossaryError> {
        let glossary: Glossary =
            serde_saphyr::from_str(yaml).map_err(|e| GlossaryError::Yaml(e.to_string()))?;
        for (index, entry) in glossary.entries.iter().enumerate() {
            for lang in Lang::ALL {
                if entry.term.get(lang).trim().is_empty() {
                    return Err(GlossaryError::Invalid {
                        index,
                        message: format!("term.{lang} is missing"),
                    });
                }
            }
        }
        for (index, entry) in glossary.entries.iter().enumerate() {
            let defined = Lang::ALL
                .iter()
                .any(|&lang| entry.definition.get(lang).is_some());
            let sourced = entry
                .source
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty());
            if defined != sourced {
                return Err(GlossaryError::Invalid {
                    index,
                    message: if defined {
                        format!(
                            "\"{}\": a definition needs a `source`, the instrument or publication it follows",
                            entry.term.en
                        )
                    } else {
                        format!(
                            "\"{}\": a `source` is given without a definition",
                            entry.term.en
                        )
                    },
                });
            }
        }
        for (index, place) in glossary.places.iter().enumerate() {
            let known = match (&place.country, &place.region) {
                (Some(code), None) => geography.country(code).is_some(),
                (None, Some(slug)) => geography.region(slug).is_some(),
                _ => false,
            };
            if !known {
                return Err(GlossaryError::Invalid {
                    index,
                    message: "a place needs one known `country` (ISO code) or `region` (M49 slug)"
                        .into(),
                });
            }
        }
        Ok(glossary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_glossary_has_eighty_entries_in_three_languages() {
        let glossary = Glossary::builtin();
        assert!(glossary.entries.len() >= 80, "{}", glossary.entries.len());
        let genocide = glossary
            .entries
            .iter()
            .find(|e| e.term.en == "genocide")
            .unwrap();
        assert_eq!(genocide.term.fr, "génocide");
        assert_eq!(genocide.term.es, "genocidio");
    }

    #[test]
    fn definitions_need_a_source_and_sources_a_definition() {
        let geography = Geography::builtin();
        let term = "  - term: { en: a, fr: b, es: c }\n";
        let defined = format!("entries:\n{term}    definition: {{ en: \"A thing.\" }}\n");
        assert!(Glossary::from_yaml(&defined, &geography)
            .unwrap_err()
            .to_string()
            .contains("needs a `source`"));
        assert!(Glossary::from_yaml(
            &format!("{defined}    source: Some treaty, art. 1\n"),
            &geography
        )
        .is_ok());
        let sourced = format!("entries:\n{term}    source: Some treaty\n");
        assert!(Glossary::from_yaml(&sourced, &geography).is_err());
        let builtin = Glossary::builtin();
        let genocide = builtin
            .entries
            .iter()
            .find(|e| e.term.en == "genocide")
            .unwrap();
        assert!(genocide.source.as_deref().unwrap().contains("art. II"));
    }

    #[test]
    fn unknown_places_are_rejected() {
        let yaml = "entries: []\nplaces:\n  - { country: XX, names: [Nowhere] }\n";
        let error = Glossary::from_yaml(yaml, &Geography::builtin()).unwrap_err();
        assert!(error.to_string().contains("entry 0"), "{error}");
    }
}
