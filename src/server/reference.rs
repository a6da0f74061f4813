//! Reference data: every vocabulary with its labels (`/api/taxonomy`) and the counts
//! (`/api/stats`).

use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::blocking::blocking;
use super::error::{ApiError, ErrorBody};
use super::params::{unknown_language, QueryPairs};
use super::state::AppState;
use crate::index::FacetGroup;
use crate::knowledge_base::Stats;
use crate::taxonomy::{Labels, Lang, Term};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/taxonomy", get(taxonomy_show))
        .route("/api/stats", get(stats_show))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(taxonomy_show, stats_show))]
pub(crate) struct Paths;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct LabelsView {
    pub(crate) en: String,
    pub(crate) fr: String,
    pub(crate) es: String,
}

impl From<&Labels> for LabelsView {
    fn from(labels: &Labels) -> Self {
        LabelsView {
            en: labels.en.clone(),
            fr: labels.fr.clone(),
            es: labels.es.clone(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct TermView {
    pub(crate) slug: String,
    pub(crate) labels: LabelsView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) synonyms: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
}

impl From<&Term> for TermView {
    fn from(term: &Term) -> Self {
        TermView {
            slug: term.slug.clone(),
            labels: (&term.labels).into(),
            synonyms: term.synonyms.clone(),
            description: term.description.clone(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RegionView {
    pub(crate) slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parent: Option<String>,
    pub(crate) m49: String,
    pub(crate) labels: LabelsView,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CountryView {
    pub(crate) iso2: String,
    pub(crate) iso3: String,
    pub(crate) names: LabelsView,
    /// The most specific M49 region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) region: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct FacetGroupView {
    /// The search parameter name.
    pub(crate) key: &'static str,
    pub(crate) labels: LabelsView,
}

/// Every vocabulary, with labels in English, French and Spanish.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct TaxonomyView {
    pub(crate) facet_groups: Vec<FacetGroupView>,
    pub(crate) types: Vec<TermView>,
    pub(crate) themes: Vec<TermView>,
    /// The spectrum from prevention to reparation, in order.
    pub(crate) stages: Vec<TermView>,
    pub(crate) mechanism_types: Vec<TermView>,
    pub(crate) instruments: Vec<TermView>,
    pub(crate) languages: Vec<TermView>,
    pub(crate) statuses: Vec<TermView>,
    /// Whether a mechanism or network works: active, dormant, dissolved.
    pub(crate) operating_statuses: Vec<TermView>,
    pub(crate) compositions: Vec<TermView>,
    /// The chapters of the manual (`/manual`), in reading order: the `chapter` of guides.
    pub(crate) manual_chapters: Vec<TermView>,
    /// UN M49 regions, each after its parent.
    pub(crate) regions: Vec<RegionView>,
    pub(crate) countries: Vec<CountryView>,
}

/// Refuses parameters these answers do not take (a mistyped one would otherwise be ignored
/// in silence); `lang` says the language of the errors.
fn no_parameters(raw: Option<&str>) -> Result<(), ApiError> {
    let pairs = QueryPairs::parse(raw, &["lang"])?;
    if let Some(value) = pairs.single("lang")? {
        value.parse::<Lang>().map_err(|_| unknown_language(value))?;
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/taxonomy", tag = "reference",
    params(("lang" = Option<String>, Query, description = "en, fr or es: the language of error messages (the labels are in all three)")),
    responses((status = 200, description = "Every vocabulary with en/fr/es labels", body = TaxonomyView),
        (status = 400, description = "invalid_parameter: an unknown parameter, or an unknown lang", body = ErrorBody)))]
pub(crate) async fn taxonomy_show(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<TaxonomyView>, ApiError> {
    no_parameters(raw.as_deref())?;
    let taxonomy = state.kb().taxonomy();
    let terms = |v: &crate::taxonomy::Vocabulary| v.terms().iter().map(TermView::from).collect();
    let geography = &taxonomy.geography;
    Ok(Json(TaxonomyView {
        facet_groups: FacetGroup::ALL
            .iter()
            .map(|&group| FacetGroupView {
                key: group.key(),
                labels: LabelsView {
                    en: group.label(Lang::En).into(),
                    fr: group.label(Lang::Fr).into(),
                    es: group.label(Lang::Es).into(),
                },
            })
            .collect(),
        types: terms(&taxonomy.types),
        themes: terms(&taxonomy.themes),
        stages: terms(&taxonomy.stages),
        mechanism_types: terms(&taxonomy.mechanism_types),
        instruments: terms(&taxonomy.instruments),
        languages: terms(&taxonomy.languages),
        statuses: terms(&taxonomy.statuses),
        operating_statuses: terms(&taxonomy.operating_statuses),
        compositions: terms(&taxonomy.compositions),
        manual_chapters: terms(&taxonomy.manual_chapters),
        regions: geography
            .regions()
            .iter()
            .map(|r| RegionView {
                slug: r.slug.clone(),
                parent: r.parent.clone(),
                m49: r.m49.clone(),
                labels: (&r.labels).into(),
            })
            .collect(),
        countries: geography
            .countries()
            .iter()
            .map(|c| CountryView {
                iso2: c.iso2.clone(),
                iso3: c.iso3.clone(),
                names: (&c.names).into(),
                region: c.region.clone(),
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/stats", tag = "reference",
    params(("lang" = Option<String>, Query, description = "en, fr or es: the language of error messages")),
    responses((status = 200, description = "Counts by type, language and region", body = Stats),
        (status = 400, description = "invalid_parameter: an unknown parameter, or an unknown lang", body = ErrorBody)))]
pub(crate) async fn stats_show(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Stats>, ApiError> {
    no_parameters(raw.as_deref())?;
    let kb = state.kb();
    Ok(Json(blocking(move || Ok(kb.stats()?)).await?))
}
