//! `/countries` (every State, the world map, a search box), `/regions` and `/regions/{slug}`
//! (a region's States × instruments grid, ranking, totals and documents). Handlers read the
//! treaty data and document counts off the async workers and render [`crate::pages`].

use crate::catalogue::Message;
use std::collections::HashMap;

use super::extract::Path;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

use super::html::{blocking, page_lang, pages, PageError, PageResult};
use super::params::QueryPairs;
use super::{ApiError, AppState};
use crate::index::{FacetGroup, SearchRequest, Sort};
use crate::pages::countries::{
    map_view, render_map, state_rows, Colouring, CountriesQuery, CountriesView, GridSort,
    RegionDocument, RegionPage, RenderedMap,
};
use crate::profiles::{self, TreatyData};
use crate::taxonomy::{closest, Lang};
use crate::KnowledgeBase;

/// Documents listed on a region's page; the rest are one link away in the search.
const REGION_DOCUMENTS: usize = 50;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/countries", get(countries_page))
        .route("/regions", get(regions_index))
        .route("/regions/{slug}", get(region_page))
}

/// How many active documents are about each country (alpha-3), from one facet count.
/// A profile's "in its region" map: the States of the country's sub-region coloured by
/// adherence over the profile's basket, the country itself outlined.
pub(crate) fn neighbourhood_map(
    kb: &KnowledgeBase,
    profile: &profiles::CountryProfile,
) -> Result<Option<RenderedMap>, ApiError> {
    let Some(region) = profile.region_path.last() else {
        return Ok(None);
    };
    let taxonomy = kb.taxonomy();
    let geography = taxonomy.geography.clone();
    let basket = profiles::resolve_basket(&taxonomy, Some(&profile.basket.slug))?;
    let data = TreatyData::load(kb.store())?;
    let counts = document_counts(kb)?;
    let members = geography.countries().iter().filter(|c| {
        c.un_status != "other"
            && c.region
                .as_deref()
                .is_some_and(|r| geography.region_path(r).contains(&region.slug.as_str()))
    });
    let rows = state_rows(&taxonomy, &data, &basket, &counts, members, profile.lang);
    let mut view = map_view(&rows, &Colouring::Adherence, &taxonomy, profile.lang);
    view.focus_on(rows.iter().map(|r| r.m49.clone()).collect());
    for area in view.areas.iter_mut().filter(|a| a.iso3 == profile.iso3) {
        area.class.push_str(" c-current");
    }
    Ok(Some(render_map(&view, &rows)))
}

pub(crate) fn document_counts(kb: &KnowledgeBase) -> Result<HashMap<String, u64>, ApiError> {
    let request = SearchRequest {
        page_size: 1,
        facets: Some(vec![FacetGroup::Country]),
        ..Default::default()
    };
    let response = kb.search(&request)?;
    let geography = kb.taxonomy().geography.clone();
    Ok(response
        .facets
        .iter()
        .filter(|f| f.group == FacetGroup::Country)
        .flat_map(|f| f.values.iter())
        .map(|v| {
            let iso3 = geography
                .country(&v.value)
                .map_or(v.value.clone(), |c| c.iso3.clone());
            (iso3, v.count)
        })
        .collect())
}

async fn countries_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let chrome = super::html::chrome(&state, &headers);
    let pairs = QueryPairs::parse(
        raw.as_deref(),
        &["q", "map", "instrument", "basket", "sort", "lang"],
    )
    .map_err(|e| PageError::from_api(e, lang))?;
    let read = |name: &'static str| -> Result<Option<String>, PageError> {
        Ok(pairs
            .single(name)
            .map_err(|e| PageError::from_api(e, lang))?
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string))
    };
    let query = CountriesQuery {
        q: read("q")?.unwrap_or_default(),
        colouring: read("map")?,
        instrument: read("instrument")?,
        basket: read("basket")?,
        sort: read("sort")?,
    };
    if let Some(sort) = &query.sort {
        if !["name", "adherence", "documents"].contains(&sort.as_str()) {
            return Err(PageError::from_api(
                ApiError::invalid_parameter(
                    "sort",
                    Message::new("param_unknown_value_use")
                        .arg("value", sort)
                        .arg("allowed", "name, adherence, documents"),
                ),
                lang,
            ));
        }
    }
    let kb = state.kb();
    let html = blocking(lang, move || {
        let taxonomy = kb.taxonomy();
        let colouring = match (&query.instrument, query.colouring.as_deref()) {
            (Some(slug), _) => {
                if !taxonomy.instruments.contains(slug) {
                    return Err(ApiError::InvalidFilter {
                        parameter: "instrument".into(),
                        message: match closest(slug, taxonomy.instruments.slugs()) {
                            Some(suggestion) => Message::new("filter_unknown_did_you_mean")
                                .arg("suggestion", suggestion),
                            None => Message::new("filter_unknown"),
                        }
                        .arg("value", slug),
                    });
                }
                Colouring::Instrument { slug: slug.clone() }
            }
            (None, None | Some("adherence")) => Colouring::Adherence,
            (None, Some("documents")) => Colouring::Documents,
            (None, Some(other)) => {
                return Err(ApiError::invalid_parameter(
                    "map",
                    Message::new("param_unknown_map").arg("value", other),
                ))
            }
        };
        let basket = profiles::resolve_basket(&taxonomy, query.basket.as_deref())?;
        let data = TreatyData::load(kb.store())?;
        let counts = document_counts(&kb)?;
        let rows = state_rows(
            &taxonomy,
            &data,
            &basket,
            &counts,
            taxonomy.geography.countries().iter(),
            lang,
        );
        let view = CountriesView {
            rows: &rows,
            query: &query,
            colouring: &colouring,
            basket: &basket,
        };
        Ok(pages().countries(&view, &taxonomy, lang, &chrome))
    })
    .await?;
    Ok(Html(html).into_response())
}

async fn regions_index(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let chrome = super::html::chrome(&state, &headers);
    QueryPairs::parse(raw.as_deref(), &["lang"]).map_err(|e| PageError::from_api(e, lang))?;
    let taxonomy = state.kb().taxonomy();
    Ok(Html(pages().regions_index(&taxonomy, lang, &chrome)).into_response())
}

async fn region_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let chrome = super::html::chrome(&state, &headers);
    let pairs = QueryPairs::parse(raw.as_deref(), &["sort", "order", "basket", "lang"])
        .map_err(|e| PageError::from_api(e, lang))?;
    let kb = state.kb();
    let taxonomy = kb.taxonomy();
    if taxonomy.geography.region(&slug).is_none() {
        return Err(unknown_region(&slug, &taxonomy, lang));
    }
    let single = |name: &'static str| pairs.single(name).map_err(|e| PageError::from_api(e, lang));
    let key = single("sort")?.unwrap_or("").trim().to_string();
    if !key.is_empty()
        && key != "name"
        && key != "adherence"
        && !taxonomy.instruments.contains(&key)
    {
        return Err(PageError::from_api(
            ApiError::invalid_parameter(
                "sort",
                Message::new("param_unknown_sort_column").arg("value", key),
            ),
            lang,
        ));
    }
    let descending = match single("order")?.map(str::trim) {
        None | Some("") | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(PageError::from_api(
                ApiError::invalid_parameter(
                    "order",
                    Message::new("param_unknown_value_use")
                        .arg("value", other)
                        .arg("allowed", "asc, desc"),
                ),
                lang,
            ))
        }
    };
    let sort = GridSort { key, descending };
    let basket = single("basket")?
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_string);
    let html = blocking(lang, move || {
        let taxonomy = kb.taxonomy();
        let geography = taxonomy.geography.clone();
        let basket = profiles::resolve_basket(&taxonomy, basket.as_deref())?;
        let data = TreatyData::load(kb.store())?;
        let counts = document_counts(&kb)?;
        let members = geography.countries().iter().filter(|c| {
            c.un_status != "other"
                && c.region
                    .as_deref()
                    .is_some_and(|r| geography.region_path(r).contains(&slug.as_str()))
        });
        let rows = state_rows(&taxonomy, &data, &basket, &counts, members, lang);
        let request = SearchRequest {
            sort: Some(Sort::Newest),
            page_size: REGION_DOCUMENTS,
            facets: Some(Vec::new()),
            lang,
            ..Default::default()
        }
        .filter(FacetGroup::Region, &slug);
        let response = kb.search(&request)?;
        let documents = response
            .hits
            .iter()
            .map(|hit| RegionDocument {
                id: hit.id.clone(),
                title: hit.title.clone(),
                type_label: hit.type_label.clone(),
                year: hit.year,
                countries: hit.country_names.clone(),
            })
            .collect();
        let mut credits = Vec::new();
        for status in rows.iter().flat_map(|r| r.statuses.iter()) {
            if let Some(provenance) = &status.provenance {
                let line = provenance.describe(lang);
                if !credits.contains(&line) {
                    credits.push(line);
                }
            }
        }
        let page = RegionPage {
            slug: &slug,
            rows: rows.iter().collect(),
            sort,
            documents,
            document_total: response.total,
            basket: &basket,
            credits,
        };
        Ok(pages().region(page, &taxonomy, lang, &chrome))
    })
    .await?;
    Ok(Html(html).into_response())
}

/// A 404 page that says what regions exist, and the closest one.
fn unknown_region(slug: &str, taxonomy: &crate::Taxonomy, lang: Lang) -> PageError {
    let t = crate::pages::text(lang);
    let geography = &taxonomy.geography;
    let hint = closest(slug, geography.regions().iter().map(|r| r.slug.as_str()))
        .map(|s| format!(" ({s}?)"))
        .unwrap_or_default();
    let list: Vec<&str> = geography
        .regions()
        .iter()
        .map(|r| r.slug.as_str())
        .collect();
    PageError::new(
        StatusCode::NOT_FOUND,
        format!(
            "{}{hint} {}",
            t["unknown_region"].replace("{slug}", slug),
            list.join(", ")
        ),
        lang,
    )
}
