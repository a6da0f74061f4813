//! The spectrum from prevention to reparation: the knowledge base laid out along the
//! taxonomy's `stages` (structural prevention, early warning, early action, protection,
//! accountability, reparation, memory and non-recurrence), for the world, one country or one
//! region.
//!
//! Every number comes from the search index with the same filters the search page uses, so a
//! stage's count is what its "see all" link finds. A stage with no document says only that
//! Praxis holds none yet: the knowledge base is not a census of what States do.

use serde::Serialize;

use crate::index::{FacetGroup, SearchError, SearchRequest, SearchResponse, Sort};
use crate::knowledge_base::KnowledgeBase;
use crate::taxonomy::{closest, Lang, Taxonomy};

/// Documents listed per type within a stage; the stage's search link finds the rest.
pub(crate) const DOCUMENTS_PER_TYPE: usize = 3;

/// Hits read per stage in one search before falling back to a search per type: enough for
/// every type of a small stage to show its first documents from this one page.
const HITS_PER_STAGE: usize = 40;

/// What the spectrum covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    World,
    /// An ISO 3166-1 alpha-3 code.
    Country(String),
    /// A UN M49 region slug (its sub-regions included).
    Region(String),
}

impl Scope {
    /// The search filter that restricts documents to the scope.
    pub(crate) fn filter(&self) -> Option<(FacetGroup, &str)> {
        match self {
            Scope::World => None,
            Scope::Country(iso3) => Some((FacetGroup::Country, iso3)),
            Scope::Region(slug) => Some((FacetGroup::Region, slug)),
        }
    }
}

/// A `country` or `region` parameter the spectrum cannot use.
#[derive(Debug, thiserror::Error)]
pub enum SpectrumError {
    #[error("country: unknown country \"{value}\"")]
    UnknownCountry {
        value: String,
        suggestion: Option<String>,
    },
    #[error("region: unknown region \"{value}\"")]
    UnknownRegion {
        value: String,
        suggestion: Option<String>,
    },
    #[error("country, region: give one of them, not both")]
    Both,
    #[error(transparent)]
    Search(#[from] SearchError),
}

impl SpectrumError {
    /// The request parameter at fault, if the request is.
    pub(crate) fn parameter(&self) -> Option<&'static str> {
        match self {
            SpectrumError::UnknownCountry { .. } | SpectrumError::Both => Some("country"),
            SpectrumError::UnknownRegion { .. } => Some("region"),
            SpectrumError::Search(_) => None,
        }
    }

    /// What is wrong and how to put it right, in the reader's language, without the
    /// parameter's name.
    pub(crate) fn explanation(&self, lang: Lang) -> String {
        let pick = |[en, fr, es]: [String; 3]| match lang {
            Lang::En => en,
            Lang::Fr => fr,
            Lang::Es => es,
        };
        let hint = |s: &Option<String>, [en, fr, es]: [&str; 3]| {
            s.as_deref()
                .map(|s| {
                    match lang {
                        Lang::En => en,
                        Lang::Fr => fr,
                        Lang::Es => es,
                    }
                    .replace("{s}", s)
                })
                .unwrap_or_default()
        };
        match self {
            SpectrumError::UnknownCountry { value, suggestion } => {
                let more = hint(
                    suggestion,
                    [
                        " (did you mean {s}?)",
                        " (vouliez-vous dire {s} ?)",
                        " (¿quiso decir {s}?)",
                    ],
                );
                pick([
                    format!("unknown country \"{value}\"; give an ISO 3166-1 code such as KE or KEN{more}"),
                    format!("pays inconnu « {value} » ; indiquez un code ISO 3166-1 comme KE ou KEN{more}"),
                    format!("país desconocido «{value}»; indique un código ISO 3166-1 como KE o KEN{more}"),
                ])
            }
            SpectrumError::UnknownRegion { value, suggestion } => {
                let more = hint(
                    suggestion,
                    [
                        " (did you mean {s}?)",
                        " (vouliez-vous dire {s} ?)",
                        " (¿quiso decir {s}?)",
                    ],
                );
                pick([
                    format!("unknown region \"{value}\"; give a UN M49 region slug such as eastern-africa{more}"),
                    format!("région inconnue « {value} » ; indiquez une région M49 de l'ONU comme eastern-africa{more}"),
                    format!("región desconocida «{value}»; indique una región M49 de la ONU como eastern-africa{more}"),
                ])
            }
            SpectrumError::Both => pick([
                "give a country or a region, not both".to_string(),
                "indiquez un pays ou une région, pas les deux".to_string(),
                "indique un país o una región, no ambos".to_string(),
            ]),
            SpectrumError::Search(error) => error.to_string(),
        }
    }

    /// The message with the parameter's name first, as the API and the page show it.
    pub(crate) fn message(&self, lang: Lang) -> String {
        match self.parameter() {
            Some(parameter) => {
                let separator = if lang == Lang::Fr { " : " } else { ": " };
                let names = if matches!(self, SpectrumError::Both) {
                    "country, region"
                } else {
                    parameter
                };
                format!("{names}{separator}{}", self.explanation(lang))
            }
            None => self.to_string(),
        }
    }
}

/// Reads the `country` and `region` parameters (empty counts as absent) into a scope.
pub(crate) fn resolve_scope(
    taxonomy: &Taxonomy,
    country: Option<&str>,
    region: Option<&str>,
) -> Result<Scope, SpectrumError> {
    let country = country.map(str::trim).filter(|c| !c.is_empty());
    let region = region.map(str::trim).filter(|r| !r.is_empty());
    let geography = &taxonomy.geography;
    match (country, region) {
        (Some(_), Some(_)) => Err(SpectrumError::Both),
        (Some(code), None) => match geography.country(code) {
            Some(country) => Ok(Scope::Country(country.iso3.clone())),
            None => Err(SpectrumError::UnknownCountry {
                value: shown(code),
                suggestion: geography.suggest_country(code),
            }),
        },
        (None, Some(slug)) => match geography.region(&slug.to_ascii_lowercase()) {
            Some(region) => Ok(Scope::Region(region.slug.clone())),
            None => Err(SpectrumError::UnknownRegion {
                value: shown(slug),
                suggestion: closest(slug, geography.regions().iter().map(|r| r.slug.as_str()))
                    .map(str::to_string),
            }),
        },
        (None, None) => Ok(Scope::World),
    }
}

/// A value as an error message repeats it: without control characters, and cut short, so
/// that a stray or hostile parameter cannot fill the page.
fn shown(value: &str) -> String {
    const MAX_SHOWN: usize = 60;
    let mut shown: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_SHOWN)
        .collect();
    if value.chars().filter(|c| !c.is_control()).count() > MAX_SHOWN {
        shown.push('…');
    }
    shown
}

/// The spectrum of one scope.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Spectrum {
    pub scope: ScopeView,
    /// The language of the labels.
    #[schema(value_type = String, example = "en")]
    pub(crate) lang: Lang,
    /// Documents in the scope.
    pub total: usize,
    /// Of them, those placed on at least one stage (a document may sit on several, so the
    /// stages' counts may add up to more).
    pub placed: usize,
    /// Every stage, in the spectrum's order, including those with no document.
    pub stages: Vec<StageView>,
    /// The slugs of the stages at which Praxis holds no document for the scope yet.
    pub empty_stages: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    /// `world`, `country` or `region`.
    pub(crate) kind: &'static str,
    /// The ISO 3166-1 alpha-3 code or the region slug; absent for the world.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) code: Option<String>,
    /// The country's or region's name in the requested language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For a country or region: the regions above it, top first (slug and name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) regions: Vec<NamedValue>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct NamedValue {
    pub(crate) value: String,
    pub(crate) label: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub slug: String,
    pub label: String,
    /// Documents in the scope at this stage (the `stage` search filter's count).
    pub count: usize,
    /// The document types present at this stage, in the taxonomy's order.
    pub types: Vec<TypeView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TypeView {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub(crate) label: String,
    pub(crate) count: usize,
    /// The newest documents of this type at this stage, at most [`DOCUMENTS_PER_TYPE`].
    pub documents: Vec<DocumentRef>,
}

/// A document listed at a stage (its own schema name: the networks have a `DocumentRef` too).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SpectrumDocumentRef)]
pub struct DocumentRef {
    pub id: String,
    pub title: String,
    pub(crate) year: i32,
    /// ISO 3166-1 alpha-3 codes.
    pub(crate) countries: Vec<String>,
}

fn counts(response: &SearchResponse, group: FacetGroup) -> Vec<(String, usize)> {
    response
        .facets
        .iter()
        .filter(|f| f.group == group)
        .flat_map(|f| f.values.iter())
        .map(|v| (v.value.clone(), v.count as usize))
        .collect()
}

/// Lays the knowledge base out along the stages for `scope`: a bounded number of searches
/// (two, one per stage that has documents, and one per type that the stage's first page of
/// hits leaves short).
pub fn spectrum(kb: &KnowledgeBase, scope: &Scope, lang: Lang) -> Result<Spectrum, SpectrumError> {
    let taxonomy = kb.taxonomy();
    let request = |extra: &[(FacetGroup, &[&str])], facets: Vec<FacetGroup>, page_size| {
        let mut request = SearchRequest {
            lang,
            sort: Some(Sort::Newest),
            page_size,
            facets: Some(facets),
            ..Default::default()
        };
        if let Some((group, value)) = scope.filter() {
            request = request.filter(group, value);
        }
        for (group, values) in extra {
            for value in *values {
                request = request.filter(*group, value);
            }
        }
        request
    };
    let overview = kb.search(&request(&[], vec![FacetGroup::Stage], 1))?;
    let stage_counts = counts(&overview, FacetGroup::Stage);
    let all_stages: Vec<&str> = taxonomy.stages.slugs().collect();
    let placed = if all_stages.is_empty() {
        0
    } else {
        kb.search(&request(&[(FacetGroup::Stage, &all_stages)], vec![], 1))?
            .total
    };

    let mut stages = Vec::new();
    let mut empty_stages = Vec::new();
    for term in taxonomy.stages.terms() {
        let slug = term.slug.as_str();
        let count = stage_counts
            .iter()
            .find(|(value, _)| value == slug)
            .map_or(0, |(_, n)| *n);
        let mut types = Vec::new();
        if count == 0 {
            empty_stages.push(slug.to_string());
        } else {
            let at_stage = [(FacetGroup::Stage, &[slug][..])];
            let response =
                kb.search(&request(&at_stage, vec![FacetGroup::Type], HITS_PER_STAGE))?;
            let type_counts = counts(&response, FacetGroup::Type);
            for type_term in taxonomy.types.terms() {
                let doc_type = type_term.slug.as_str();
                let Some(&(_, type_count)) = type_counts.iter().find(|(v, _)| v == doc_type) else {
                    continue;
                };
                let mut documents: Vec<DocumentRef> = response
                    .hits
                    .iter()
                    .filter(|hit| hit.doc_type == doc_type)
                    .take(DOCUMENTS_PER_TYPE)
                    .map(document_ref)
                    .collect();
                if documents.len() < DOCUMENTS_PER_TYPE.min(type_count) {
                    let of_type = [
                        (FacetGroup::Stage, &[slug][..]),
                        (FacetGroup::Type, &[doc_type][..]),
                    ];
                    documents = kb
                        .search(&request(&of_type, vec![], DOCUMENTS_PER_TYPE))?
                        .hits
                        .iter()
                        .map(document_ref)
                        .collect();
                }
                types.push(TypeView {
                    doc_type: doc_type.to_string(),
                    label: type_term.labels.get(lang).to_string(),
                    count: type_count,
                    documents,
                });
            }
        }
        stages.push(StageView {
            slug: slug.to_string(),
            label: term.labels.get(lang).to_string(),
            count,
            types,
        });
    }
    Ok(Spectrum {
        scope: scope_view(scope, &taxonomy, lang),
        lang,
        total: overview.total,
        placed,
        stages,
        empty_stages,
    })
}

fn document_ref(hit: &crate::index::Hit) -> DocumentRef {
    DocumentRef {
        id: hit.id.clone(),
        title: hit.title.clone(),
        year: hit.year,
        countries: hit.countries.clone(),
    }
}

fn scope_view(scope: &Scope, taxonomy: &Taxonomy, lang: Lang) -> ScopeView {
    let geography = &taxonomy.geography;
    let path = |slug: &str| -> Vec<NamedValue> {
        geography
            .region_path(slug)
            .into_iter()
            .map(|s| NamedValue {
                value: s.to_string(),
                label: geography.region_label(s, lang).to_string(),
            })
            .collect()
    };
    match scope {
        Scope::World => ScopeView {
            kind: "world",
            code: None,
            name: None,
            regions: Vec::new(),
        },
        Scope::Country(iso3) => ScopeView {
            kind: "country",
            code: Some(iso3.clone()),
            name: Some(geography.country_name(iso3, lang).to_string()),
            regions: geography
                .country(iso3)
                .and_then(|c| c.region.as_deref())
                .map(path)
                .unwrap_or_default(),
        },
        Scope::Region(slug) => {
            let mut regions = path(slug);
            regions.pop();
            ScopeView {
                kind: "region",
                code: Some(slug.clone()),
                name: Some(geography.region_label(slug, lang).to_string()),
                regions,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_reads_codes_in_any_case_and_names_the_bad_parameter() {
        let taxonomy = Taxonomy::builtin();
        assert_eq!(
            resolve_scope(&taxonomy, Some("ke"), None).unwrap(),
            Scope::Country("KEN".into())
        );
        assert_eq!(
            resolve_scope(&taxonomy, Some(" "), Some("Eastern-Africa")).unwrap(),
            Scope::Region("eastern-africa".into())
        );
        assert_eq!(resolve_scope(&taxonomy, None, None).unwrap(), Scope::World);
        let error = resolve_scope(&taxonomy, Some("XQ"), None).unwrap_err();
        assert_eq!(error.parameter(), Some("country"));
        assert!(error
            .message(Lang::Fr)
            .starts_with("country : pays inconnu « XQ »"));
        let error = resolve_scope(&taxonomy, None, Some("eastern-afrika")).unwrap_err();
        assert_eq!(error.parameter(), Some("region"));
        assert!(
            error
                .message(Lang::En)
                .contains("did you mean eastern-africa?"),
            "{}",
            error.message(Lang::En)
        );
        let long = format!("\u{0}{}", "x".repeat(500));
        let message = resolve_scope(&taxonomy, None, Some(&long))
            .unwrap_err()
            .message(Lang::En);
        assert!(
            !message.contains('\u{0}') && message.len() < 200,
            "{message}"
        );
        let error = resolve_scope(&taxonomy, Some("KE"), Some("africa")).unwrap_err();
        assert!(error
            .message(Lang::Es)
            .starts_with("country, region: indique un país"));
    }
}
