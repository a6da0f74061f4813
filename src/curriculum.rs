//! The common curriculum: the curriculum documents assembled into the four modules the Latin
//! American regional group asked for (concept, vocabulary, tools, national context), the
//! training offers grouped by region, and the glossary (`corpus/glossary.yaml`) as the
//! vocabulary module, with each term's documents in each language.
//!
//! A document's modules follow one documented rule ([`MODULE_RULES`]) from its themes and
//! countries, so a new curriculum document finds its place without a curator's extra field.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use crate::document::Metadata;
use crate::glossary::Glossary;
use crate::index::{FacetGroup, SearchError, SearchRequest};
use crate::networks::DocumentRef;
use crate::store::StoreError;
use crate::taxonomy::{Lang, Taxonomy};
use crate::KnowledgeBase;

/// Curriculum documents read for `/curriculum`, at most: a bound on one request.
pub(crate) const MAX_CURRICULA: usize = 500;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CurriculumError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// A module and the rule that assigns documents to it.
pub(crate) struct ModuleRule {
    pub(crate) slug: &'static str,
    /// Themes any one of which puts a document in the module.
    pub(crate) themes: &'static [&'static str],
    /// Whether a document about exactly one country belongs to the module.
    pub(crate) single_country: bool,
}

/// The rule, in order: **concept** — the crimes and the idea of prevention (genocide, crimes
/// against humanity, war crimes, ethnic cleansing, atrocity prevention, R2P); **tools** — the
/// means of prevention (early warning, national architectures, protection of civilians,
/// countering hate speech and incitement, conflict prevention, monitoring, electoral violence);
/// **national context** — a programme about one country (its `countries` names exactly one);
/// **vocabulary** — the glossary (no documents). A document can be in several modules.
pub(crate) const MODULE_RULES: &[ModuleRule] = &[
    ModuleRule {
        slug: "concept",
        themes: &[
            "genocide",
            "crimes-against-humanity",
            "war-crimes",
            "ethnic-cleansing",
            "atrocity-prevention",
            "responsibility-to-protect",
        ],
        single_country: false,
    },
    ModuleRule {
        slug: "vocabulary",
        themes: &[],
        single_country: false,
    },
    ModuleRule {
        slug: "tools",
        themes: &[
            "early-warning",
            "national-architecture",
            "protection-of-civilians",
            "hate-speech",
            "incitement",
            "conflict-prevention",
            "human-rights-monitoring",
            "electoral-violence",
        ],
        single_country: false,
    },
    ModuleRule {
        slug: "national-context",
        themes: &[],
        single_country: true,
    },
];

/// The modules a document belongs to under [`MODULE_RULES`].
pub(crate) fn modules_of(meta: &Metadata) -> Vec<&'static str> {
    MODULE_RULES
        .iter()
        .filter(|rule| {
            rule.themes
                .iter()
                .any(|t| meta.themes.iter().any(|m| m == t))
                || (rule.single_country && meta.countries.len() == 1)
        })
        .map(|rule| rule.slug)
        .collect()
}

/// A module's name and what it holds, in one language.
pub(crate) fn module_text(slug: &str, lang: Lang) -> (&'static str, &'static str) {
    match (slug, lang) {
        ("concept", Lang::En) => ("Concept", "What genocide and atrocity crimes are, and what preventing them means (themes: genocide, crimes against humanity, war crimes, ethnic cleansing, atrocity prevention, R2P)."),
        ("concept", Lang::Fr) => ("Concept", "Ce que sont le génocide et les crimes d'atrocité, et ce que signifie les prévenir (thèmes : génocide, crimes contre l'humanité, crimes de guerre, nettoyage ethnique, prévention des atrocités, R2P)."),
        ("concept", Lang::Es) => ("Concepto", "Qué son el genocidio y los crímenes atroces, y qué significa prevenirlos (temas: genocidio, crímenes de lesa humanidad, crímenes de guerra, limpieza étnica, prevención de atrocidades, R2P)."),
        ("vocabulary", Lang::En) => ("Vocabulary", "The shared terms in English, French and Spanish, with their definitions and sources: the glossary."),
        ("vocabulary", Lang::Fr) => ("Vocabulaire", "Les termes communs en anglais, français et espagnol, avec leurs définitions et leurs sources : le glossaire."),
        ("vocabulary", Lang::Es) => ("Vocabulario", "Los términos comunes en inglés, francés y español, con sus definiciones y fuentes: el glosario."),
        ("tools", Lang::En) => ("Tools", "The means of prevention (themes: early warning, national architectures, protection of civilians, hate speech and incitement, conflict prevention, human-rights monitoring, electoral violence)."),
        ("tools", Lang::Fr) => ("Outils", "Les moyens de la prévention (thèmes : alerte précoce, architectures nationales, protection des civils, discours de haine et incitation, prévention des conflits, surveillance des droits de l'homme, violence électorale)."),
        ("tools", Lang::Es) => ("Herramientas", "Los medios de la prevención (temas: alerta temprana, arquitecturas nacionales, protección de civiles, discurso de odio e incitación, prevención de conflictos, monitoreo de derechos humanos, violencia electoral)."),
        ("national-context", Lang::En) => ("National context", "Programmes about one country's own history and institutions (documents about exactly one country)."),
        ("national-context", Lang::Fr) => ("Contexte national", "Programmes consacrés à l'histoire et aux institutions d'un pays (documents portant sur un seul pays)."),
        ("national-context", Lang::Es) => ("Contexto nacional", "Programas sobre la historia y las instituciones de un país (documentos sobre un solo país)."),
        _ => ("", ""),
    }
}

/// One module with its documents.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct Module {
    pub(crate) slug: String,
    pub(crate) label: String,
    /// What the module holds and the rule that fills it.
    pub(crate) description: String,
    pub(crate) documents: Vec<DocumentRef>,
}

/// The training offers of one region.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct RegionOffers {
    /// A top-level UN M49 region slug; `None` for offers open worldwide (no country or region).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) region: Option<String>,
    pub(crate) label: String,
    pub(crate) documents: Vec<DocumentRef>,
}

/// Everything `/curriculum` shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct Curriculum {
    pub(crate) modules: Vec<Module>,
    pub(crate) regions: Vec<RegionOffers>,
    /// How many glossary terms the vocabulary module holds.
    pub(crate) glossary_terms: usize,
}

/// The top-level M49 regions (continents) a document is about: those of its countries and of
/// its explicit regions.
fn continents(meta: &Metadata, taxonomy: &Taxonomy) -> Vec<String> {
    let geography = &taxonomy.geography;
    let mut slugs: Vec<String> = Vec::new();
    let region_slugs = meta
        .countries
        .iter()
        .filter_map(|c| geography.country(c).and_then(|c| c.region.clone()))
        .chain(meta.regions.iter().cloned());
    for slug in region_slugs {
        if let Some(top) = geography.region_path(&slug).first() {
            if !slugs.iter().any(|s| s == top) {
                slugs.push(top.to_string());
            }
        }
    }
    slugs
}

/// The curriculum documents in modules and by region.
pub(crate) fn curriculum(kb: &KnowledgeBase, lang: Lang) -> Result<Curriculum, CurriculumError> {
    let taxonomy = kb.taxonomy();
    let request = SearchRequest {
        facets: Some(Vec::new()),
        ..Default::default()
    }
    .filter(FacetGroup::Type, "curriculum");
    let mut metas: Vec<Metadata> = Vec::new();
    for id in kb.search_all_ids(&request)?.into_iter().take(MAX_CURRICULA) {
        if let Some(record) = kb.store().get(&id)? {
            if !record.withdrawn {
                metas.push(record.meta);
            }
        }
    }
    metas.sort_by_key(|a| a.title.to_lowercase());
    let reference = |meta: &Metadata| crate::networks::document_ref(meta, &taxonomy, lang);
    let modules = MODULE_RULES
        .iter()
        .map(|rule| {
            let (label, description) = module_text(rule.slug, lang);
            Module {
                slug: rule.slug.to_string(),
                label: label.to_string(),
                description: description.to_string(),
                documents: metas
                    .iter()
                    .filter(|m| modules_of(m).contains(&rule.slug))
                    .map(reference)
                    .collect(),
            }
        })
        .collect();
    let mut by_region: BTreeMap<Option<String>, Vec<DocumentRef>> = BTreeMap::new();
    for meta in &metas {
        let regions = continents(meta, &taxonomy);
        if regions.is_empty() {
            by_region.entry(None).or_default().push(reference(meta));
        }
        for region in regions {
            by_region
                .entry(Some(region))
                .or_default()
                .push(reference(meta));
        }
    }
    let worldwide = match lang {
        Lang::En => "Worldwide",
        Lang::Fr => "Monde entier",
        Lang::Es => "Todo el mundo",
    };
    let mut regions: Vec<RegionOffers> = by_region
        .into_iter()
        .map(|(region, documents)| RegionOffers {
            label: region
                .as_deref()
                .and_then(|r| taxonomy.geography.region(r))
                .map_or(worldwide.to_string(), |r| r.labels.get(lang).to_string()),
            region,
            documents,
        })
        .collect();
    // Regions by name, offers open worldwide last.
    regions.sort_by(|a, b| (a.region.is_none(), &a.label).cmp(&(b.region.is_none(), &b.label)));
    Ok(Curriculum {
        modules,
        regions,
        glossary_terms: taxonomy.glossary.entries.len(),
    })
}

/// A glossary term in one language: the term, its definition where recorded, and how many
/// documents a search for it finds (in every language, through the glossary's equivalents).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct TermInLanguage {
    pub(crate) lang: String,
    pub(crate) term: String,
    pub(crate) synonyms: Vec<String>,
    /// `None`: no definition recorded in this language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) definition: Option<String>,
    /// Documents that contain the term or one of its equivalents in another language.
    pub(crate) documents: usize,
}

/// One glossary entry side by side in the three languages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct GlossaryRow {
    /// The English term as a slug, for anchors.
    pub(crate) key: String,
    /// English, French, Spanish.
    pub(crate) languages: Vec<TermInLanguage>,
    /// The instrument or publication the definitions follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) source: Option<String>,
}

/// The search for a glossary term in one language: the term as typed, unquoted, so the
/// glossary's equivalents in the other languages apply.
pub(crate) fn term_search(term: &str, lang: Lang) -> SearchRequest {
    SearchRequest {
        q: term.to_string(),
        lang,
        ..Default::default()
    }
}

type CountCache = Mutex<Option<(PathBuf, u64, Arc<Vec<[usize; 3]>>)>>;

/// Per entry and language, how many documents contain every word of the term (or its
/// equivalents). One search per term and language: computed once per store generation.
fn term_counts(
    kb: &KnowledgeBase,
    glossary: &Glossary,
) -> Result<Arc<Vec<[usize; 3]>>, CurriculumError> {
    static CACHE: OnceLock<CountCache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(None));
    let generation = kb.store().generation()?;
    let dir = kb.data_dir().to_path_buf();
    if let Some((cached_dir, cached_generation, counts)) =
        cache.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
    {
        if *cached_dir == dir
            && *cached_generation == generation
            && counts.len() == glossary.entries.len()
        {
            return Ok(counts.clone());
        }
    }
    let mut counts = Vec::with_capacity(glossary.entries.len());
    for entry in &glossary.entries {
        let mut row = [0usize; 3];
        for (slot, lang) in Lang::ALL.into_iter().enumerate() {
            // Newest first: the count is the same, without ranking work.
            let request = SearchRequest {
                page_size: 1,
                facets: Some(Vec::new()),
                sort: Some(crate::index::Sort::Newest),
                ..term_search(entry.term.get(lang), lang)
            };
            let response = kb.search(&request)?;
            row[slot] = if response.relaxed {
                response.total_all_words
            } else {
                response.total
            };
        }
        counts.push(row);
    }
    let counts = Arc::new(counts);
    *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((dir, generation, counts.clone()));
    Ok(counts)
}

/// The glossary side by side, with each term's document count in each language.
pub(crate) fn glossary_rows(kb: &KnowledgeBase) -> Result<Vec<GlossaryRow>, CurriculumError> {
    let glossary = kb.taxonomy().glossary.clone();
    let counts = term_counts(kb, &glossary)?;
    Ok(glossary
        .entries
        .iter()
        .zip(counts.iter())
        .map(|(entry, counts)| GlossaryRow {
            key: crate::taxonomy::slug_from_title(&entry.term.en),
            languages: Lang::ALL
                .into_iter()
                .zip(counts.iter())
                .map(|(lang, &documents)| TermInLanguage {
                    lang: lang.code().to_string(),
                    term: entry.term.get(lang).clone(),
                    synonyms: entry.synonyms.get(lang).clone(),
                    definition: entry.definition.get(lang).clone(),
                    documents,
                })
                .collect(),
            source: entry.source.clone(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(themes: &[&str], countries: &[&str]) -> Metadata {
        let mut text = String::from("---\ntitle: T\ntype: curriculum\nsummary: S\nthemes: [");
        text.push_str(&themes.join(", "));
        text.push_str("]\n");
        if !countries.is_empty() {
            text.push_str(&format!("countries: [{}]\n", countries.join(", ")));
        }
        text.push_str(
            "year: 2010\nlanguage: en\nsources:\n  - url: https://example.org/\n---\nBody.\n",
        );
        crate::document::validate::parse_document(
            "t.md",
            text.as_bytes(),
            Some("t"),
            &Taxonomy::builtin(),
        )
        .unwrap()
        .meta
    }

    #[test]
    fn modules_follow_themes_and_a_single_country() {
        assert_eq!(
            modules_of(&meta(&["education", "genocide"], &[])),
            vec!["concept"]
        );
        assert_eq!(
            modules_of(&meta(
                &["education", "early-warning", "atrocity-prevention"],
                &["TZ"]
            )),
            vec!["concept", "tools", "national-context"]
        );
        assert_eq!(
            modules_of(&meta(&["education"], &["AR", "BR"])),
            Vec::<&str>::new()
        );
        assert_eq!(
            modules_of(&meta(&["education", "hate-speech"], &["AR", "BR"])),
            vec!["tools"]
        );
    }

    #[test]
    fn every_module_is_named_in_three_languages_and_its_themes_exist() {
        let taxonomy = Taxonomy::builtin();
        for rule in MODULE_RULES {
            for lang in Lang::ALL {
                assert!(
                    !module_text(rule.slug, lang).0.is_empty(),
                    "{} {lang:?}",
                    rule.slug
                );
            }
            for theme in rule.themes {
                assert!(taxonomy.themes.contains(theme), "{theme}");
            }
        }
    }

    #[test]
    fn continents_come_from_countries_and_regions() {
        let taxonomy = Taxonomy::builtin();
        assert_eq!(
            continents(&meta(&["education"], &["AR", "GH"]), &taxonomy),
            vec!["americas", "africa"]
        );
        assert!(continents(&meta(&["education"], &[]), &taxonomy).is_empty());
    }
}
