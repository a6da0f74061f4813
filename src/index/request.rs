//! What a search asks for and what it answers: the facet groups, sort orders and limits of a
//! [`SearchRequest`], the hits, facet counts and notices of a [`SearchResponse`], and
//! [`SearchError`]. The vocabulary the rest of the index (schema, facets, query parsing,
//! vocabulary) and every layer above share, kept apart from [`super::search`], which runs
//! searches, so that those modules need not import the search they serve.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::IndexError;
use crate::catalogue::Notice;
use crate::lang::Lang;

/// A facet group: a dimension that results can be filtered and counted by.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FacetGroup {
    Type,
    Region,
    Country,
    Theme,
    Stage,
    MechanismType,
    Instrument,
    Language,
    Decade,
    Shareable,
}

impl FacetGroup {
    pub(crate) const ALL: [FacetGroup; 10] = [
        FacetGroup::Type,
        FacetGroup::Region,
        FacetGroup::Country,
        FacetGroup::Theme,
        FacetGroup::Stage,
        FacetGroup::MechanismType,
        FacetGroup::Instrument,
        FacetGroup::Language,
        FacetGroup::Decade,
        FacetGroup::Shareable,
    ];

    /// The group's position in [`FacetGroup::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The name used in URLs, JSON and field names.
    pub fn key(self) -> &'static str {
        match self {
            FacetGroup::Type => "type",
            FacetGroup::Region => "region",
            FacetGroup::Country => "country",
            FacetGroup::Theme => "theme",
            FacetGroup::Stage => "stage",
            FacetGroup::MechanismType => "mechanism_type",
            FacetGroup::Instrument => "instrument",
            FacetGroup::Language => "language",
            FacetGroup::Decade => "decade",
            FacetGroup::Shareable => "shareable",
        }
    }

    pub(crate) fn from_key(key: &str) -> Option<FacetGroup> {
        FacetGroup::ALL.into_iter().find(|g| g.key() == key)
    }

    pub(crate) fn label(self, lang: Lang) -> &'static str {
        let [en, fr, es] = match self {
            FacetGroup::Type => ["Type", "Type", "Tipo"],
            FacetGroup::Region => ["Region", "Région", "Región"],
            FacetGroup::Country => ["Country", "Pays", "País"],
            FacetGroup::Theme => ["Theme", "Thème", "Tema"],
            FacetGroup::Stage => ["Spectrum stage", "Étape du continuum", "Etapa del espectro"],
            FacetGroup::MechanismType => {
                ["Mechanism type", "Type de mécanisme", "Tipo de mecanismo"]
            }
            FacetGroup::Instrument => ["Instrument", "Instrument", "Instrumento"],
            FacetGroup::Language => ["Language", "Langue", "Idioma"],
            FacetGroup::Decade => ["Decade", "Décennie", "Década"],
            FacetGroup::Shareable => ["Shareable law", "Loi partageable", "Ley compartible"],
        };
        match lang {
            Lang::En => en,
            Lang::Fr => fr,
            Lang::Es => es,
        }
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    Relevance,
    /// Newest year first.
    Newest,
    Oldest,
}

impl std::str::FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "relevance" => Ok(Sort::Relevance),
            "newest" | "year" => Ok(Sort::Newest),
            "oldest" => Ok(Sort::Oldest),
            other => Err(format!(
                "unknown sort \"{other}\"; allowed: relevance, newest (or year), oldest"
            )),
        }
    }
}

pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;
/// Deep pages cost as much as all the pages before them; nobody reads past this.
pub const MAX_PAGE: usize = 500;

/// What to search for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchRequest {
    /// The text query; empty lists everything.
    #[serde(default)]
    pub q: String,
    /// Selected values per facet group (ORed within a group, ANDed across groups).
    #[serde(default)]
    pub filters: BTreeMap<FacetGroup, Vec<String>>,
    #[serde(default)]
    pub year_from: Option<i32>,
    #[serde(default)]
    pub year_to: Option<i32>,
    /// Defaults to relevance for a text query, newest first otherwise.
    #[serde(default)]
    pub sort: Option<Sort>,
    /// 1-based.
    #[serde(default = "one")]
    pub page: usize,
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// Which groups to count; `None` counts all.
    #[serde(default)]
    pub facets: Option<Vec<FacetGroup>>,
    /// The language of labels.
    #[serde(default)]
    pub lang: Lang,
}

fn one() -> usize {
    1
}
fn default_page_size() -> usize {
    DEFAULT_PAGE_SIZE
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            filters: BTreeMap::new(),
            year_from: None,
            year_to: None,
            sort: None,
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            facets: None,
            lang: Lang::En,
        }
    }
}

impl SearchRequest {
    pub fn text(q: &str) -> Self {
        SearchRequest {
            q: q.to_string(),
            ..Default::default()
        }
    }

    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    pub fn filter(mut self, group: FacetGroup, value: &str) -> Self {
        self.filters
            .entry(group)
            .or_default()
            .push(value.to_string());
        self
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: String,
    pub(crate) title: String,
    /// The title, HTML-escaped, with matches in `<mark>`.
    pub title_html: String,
    #[serde(rename = "type")]
    pub(crate) doc_type: String,
    pub type_label: String,
    /// ISO 3166-1 alpha-3 codes.
    pub(crate) countries: Vec<String>,
    pub country_names: Vec<String>,
    pub year: i32,
    pub language: String,
    /// A passage of the body (or summary), HTML-escaped, with matches in `<mark>`.
    pub snippet_html: String,
    /// BM25 (with boosts and bonuses) within the document's band of matched words.
    pub(crate) score: f32,
    /// How many of the query's words (or phrases) the document matches; results with more
    /// come first when sorted by relevance. 0 without a text query or another sort.
    #[serde(default)]
    pub matched_words: usize,
}

/// A phrase of the query that was also searched as other phrases: synonyms, abbreviations, or
/// the glossary's terms in other languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Expansion {
    pub phrase: String,
    pub alternatives: Vec<String>,
    /// `taxonomy`, `glossary`, or both.
    pub source: String,
}

/// A facet value that a phrase of the query names ("Asia", "Kenyan", "laws"), offered as a
/// filter ("Filter by Region: Asia?"). Documents with the value already rank higher; the
/// filter is never applied without the user asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuggestedFilter {
    /// The words of the query that name it.
    pub phrase: String,
    pub group: FacetGroup,
    pub group_label: String,
    pub value: String,
    pub label: String,
    /// How many of the results have the value.
    pub count: u64,
}

/// A facet value and how many results it has (or would add, within its own group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
    /// Sub-regions, for the region group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<FacetValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FacetCounts {
    pub group: FacetGroup,
    pub label: String,
    pub values: Vec<FacetValue>,
}

/// The results of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub page: usize,
    pub page_size: usize,
    pub sort: Sort,
    pub hits: Vec<Hit>,
    pub facets: Vec<FacetCounts>,
    /// What was read leniently or relaxed: a code, its arguments and the text in `lang`.
    pub notices: Vec<Notice>,
    /// True when no document had every word and the results have some of them.
    pub relaxed: bool,
    /// How many of `total` contain every word of the query (the others contain some).
    #[serde(default)]
    pub total_all_words: usize,
    /// Facet values the query names, offered as filters.
    #[serde(default)]
    pub suggested_filters: Vec<SuggestedFilter>,
    /// Phrases of the query that were also searched as other phrases.
    #[serde(default)]
    pub expansions: Vec<Expansion>,
    /// The language the query was taken to be in (detected, else the interface language);
    /// documents in it rank a little higher.
    #[serde(default)]
    pub query_language: Option<Lang>,
    pub took_ms: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A filter value that does not exist.
    #[error("{parameter}: {message}")]
    InvalidFilter {
        parameter: String,
        message: crate::catalogue::Message,
    },
    /// Any other parameter out of range.
    #[error("{parameter}: {message}")]
    InvalidParameter {
        parameter: String,
        message: crate::catalogue::Message,
    },
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(error: tantivy::TantivyError) -> Self {
        SearchError::Index(IndexError::Tantivy(error))
    }
}

/// A related document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Related {
    pub id: String,
    pub(crate) title: String,
    #[serde(rename = "type")]
    pub(crate) doc_type: String,
    pub(crate) year: i32,
    pub(crate) score: f32,
}
