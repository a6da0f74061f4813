//! Country profiles and the shareable-law finder over HTTP: the pages `/countries/{iso}` and
//! `/laws`, the API `GET /api/countries/{iso}` (JSON, or CSV with `format=csv`) and
//! `GET /api/laws`. Handlers parse and check parameters, then call [`crate::profiles`] on the
//! blocking pool; every [`ProfileError`] becomes an [`ApiError`] (or its HTML page).

use super::extract::Path;
use crate::catalogue::Message;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::blocking::blocking;
use super::error::ErrorBody;
use super::html::{self, PageError, PageResult};
use super::params::QueryPairs;
use super::{ApiError, AppState};
use crate::profiles::{
    self, CountryProfile, LawFinder, LawQuery, ProfileError, ProfileOptions, TreatyStatus,
};
use crate::taxonomy::Lang;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/countries/{iso}", get(country_page))
        .route("/laws", get(laws_page))
        .route("/api/countries/{iso}", get(country_show))
        .route("/api/laws", get(laws_list))
        .route("/api/region-profiles/{region}", get(region_profile_show))
        .route("/static/profiles.css", get(stylesheet))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(country_show, laws_list, region_profile_show))]
pub(crate) struct Paths;

/// An unknown country or region, with the closest name where there is one.
fn unknown(plain: Message, with_hint: Message, value: String, hint: Option<String>) -> Message {
    match hint {
        Some(suggestion) => with_hint.arg("suggestion", suggestion),
        None => plain,
    }
    .arg("value", value)
}

impl From<ProfileError> for ApiError {
    fn from(error: ProfileError) -> Self {
        match error {
            ProfileError::UnknownCountry { value, suggestion } => ApiError::NotFound(unknown(
                Message::new("api_unknown_country"),
                Message::new("api_unknown_country_did_you_mean"),
                value,
                suggestion,
            )),
            ProfileError::UnknownRegion { value, suggestion } => ApiError::NotFound(unknown(
                Message::new("api_unknown_region"),
                Message::new("api_unknown_region_did_you_mean"),
                value,
                suggestion,
            )),
            ProfileError::UnknownBasket { value, allowed } => ApiError::InvalidParameter {
                parameter: "basket".into(),
                message: Message::new("param_unknown_basket")
                    .arg("value", value)
                    .arg("allowed", allowed.join(", ")),
            },
            ProfileError::InvalidParameter { parameter, message } => {
                ApiError::InvalidFilter { parameter, message }
            }
            ProfileError::Store(error) => error.into(),
            ProfileError::Search(error) => error.into(),
            ProfileError::Io { .. } => ApiError::Internal(error.to_string()),
        }
    }
}

/// The language and basket a profile is asked for.
fn profile_options(pairs: &QueryPairs, headers: &HeaderMap) -> Result<ProfileOptions, ApiError> {
    Ok(ProfileOptions {
        lang: pairs.lang(headers)?,
        basket: pairs.single("basket")?.map(str::to_string),
    })
}

/// `csv` or `json` (the default).
fn wants_csv(pairs: &QueryPairs) -> Result<bool, ApiError> {
    match pairs.single("format")? {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(ApiError::invalid_parameter(
            "format",
            Message::new("param_unknown_format")
                .arg("value", other)
                .arg("allowed", "json, csv"),
        )),
    }
}

const COUNTRY_PARAMETERS: &[&str] = &["lang", "basket", "format"];
const LAW_PARAMETERS: &[&str] = &["country", "theme", "instrument", "lang", "limit", "format"];

/// `GET /api/countries/{iso}`: a country's profile (`format=csv`: its instruments as CSV).
#[utoipa::path(get, path = "/api/countries/{iso}", tag = "profiles",
    params(
        ("iso" = String, Path, description = "ISO 3166-1 alpha-2 or alpha-3 code (any case), or a country name"),
        ("lang" = Option<String>, Query, description = "en, fr or es (default: Accept-Language)"),
        ("basket" = Option<String>, Query, description = "atrocity-prevention-core (default) or core-human-rights"),
        ("format" = Option<String>, Query, description = "json (default) or csv (one row per instrument)")),
    responses(
        (status = 200, description = "The country's profile: instruments with status and data date, adherence over the basket, rank and median in its regions, gaps, context, documents", body = Object),
        (status = 400, description = "invalid_parameter (lang, basket, format)", body = ErrorBody),
        (status = 404, description = "not_found: no such country", body = ErrorBody)))]
pub(crate) async fn country_show(
    State(state): State<AppState>,
    Path(iso): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), COUNTRY_PARAMETERS)?;
    let options = profile_options(&pairs, &headers)?;
    let csv = wants_csv(&pairs)?;
    let kb = state.kb();
    let profile = blocking(move || Ok(profiles::country_profile(&kb, &iso, &options)?)).await?;
    if csv {
        let body = profile_csv(&profile).map_err(|e| ApiError::Internal(e.to_string()))?;
        let filename = format!("praxis-{}-{}.csv", profile.iso3, profile.basket.slug);
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            body,
        )
            .into_response());
    }
    Ok(Json(profile).into_response())
}

/// One row per instrument: the status with its dates, data date, coverage and source.
pub(crate) fn profile_csv(profile: &CountryProfile) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "iso3",
        "country",
        "basket",
        "in_basket",
        "instrument",
        "label",
        "status",
        "headline",
        "action",
        "date",
        "signature_date",
        "withdrawal_effective",
        "data_date",
        "coverage",
        "stale",
        "source_name",
        "source_url",
    ])?;
    for i in &profile.instruments {
        let (action, date, signature, withdrawal) = match &i.status {
            TreatyStatus::Party {
                action,
                date,
                signature_date,
                withdrawal_effective,
            } => (
                action.key(),
                date.clone(),
                signature_date.clone(),
                withdrawal_effective.clone(),
            ),
            TreatyStatus::Withdrawn {
                action,
                date,
                effective,
            } => (action.key(), date.clone(), None, Some(effective.clone())),
            TreatyStatus::SignedOnly { date } => ("signature", None, date.clone(), None),
            _ => ("", None, None, None),
        };
        let coverage = match i.coverage {
            Some(profiles::Coverage::Complete) => "complete",
            Some(profiles::Coverage::Incomplete) => "incomplete",
            Some(profiles::Coverage::None) => "none",
            None => "",
        };
        writer.write_record([
            profile.iso3.as_str(),
            profile.name.as_str(),
            profile.basket.slug.as_str(),
            if i.in_basket { "yes" } else { "no" },
            i.instrument.as_str(),
            i.label.as_str(),
            i.status.key(),
            i.headline.as_str(),
            action,
            date.as_deref().unwrap_or(""),
            signature.as_deref().unwrap_or(""),
            withdrawal.as_deref().unwrap_or(""),
            i.data_date.as_deref().unwrap_or(""),
            coverage,
            if i.stale { "yes" } else { "no" },
            i.source_name.as_deref().unwrap_or(""),
            i.source_url.as_deref().unwrap_or(""),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of strings is UTF-8"))
}

fn law_query(pairs: &QueryPairs, lang: Lang) -> Result<LawQuery, ApiError> {
    let list = |name: &str| -> Vec<String> {
        pairs
            .all(name)
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    };
    Ok(LawQuery {
        country: pairs
            .single("country")?
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        themes: list("theme"),
        instruments: list("instrument"),
        lang,
        limit: pairs
            .number("limit", 1, profiles::laws::MAX_LAWS)?
            .unwrap_or(50),
    })
}

/// `GET /api/laws`: laws a legislator of `country` could adapt, ranked, each with its reasons.
#[utoipa::path(get, path = "/api/laws", tag = "profiles",
    params(
        ("country" = Option<String>, Query, description = "The reader's State: ISO code or name"),
        ("theme" = Option<String>, Query, description = "Theme slugs (repeatable or comma-separated)"),
        ("instrument" = Option<String>, Query, description = "Instrument slugs (repeatable or comma-separated)"),
        ("lang" = Option<String>, Query, description = "en, fr or es"),
        ("limit" = Option<usize>, Query, description = "1 to 200 (default 50)"),
        ("format" = Option<String>, Query, description = "json (default) or csv")),
    responses(
        (status = 200, description = "Laws of other States, nearest first, each with its reasons", body = Object),
        (status = 400, description = "invalid_parameter or invalid_filter (theme, instrument)", body = ErrorBody),
        (status = 404, description = "not_found: no such country", body = ErrorBody)))]
pub(crate) async fn laws_list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), LAW_PARAMETERS)?;
    let lang = pairs.lang(&headers)?;
    let query = law_query(&pairs, lang)?;
    let csv = wants_csv(&pairs)?;
    let kb = state.kb();
    let finder = blocking(move || Ok(profiles::find_laws(&kb, &query)?)).await?;
    if csv {
        let body = laws_csv(&finder).map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"praxis-laws.csv\"",
                ),
            ],
            body,
        )
            .into_response());
    }
    Ok(Json(finder).into_response())
}

fn laws_csv(finder: &LawFinder) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "rank",
        "id",
        "title",
        "countries",
        "year",
        "language",
        "status",
        "shareable",
        "shareable_note",
        "reasons",
    ])?;
    for (rank, s) in finder.laws.iter().enumerate() {
        writer.write_record([
            (rank + 1).to_string(),
            s.law.id.clone(),
            s.law.title.clone(),
            s.law.countries.join(";"),
            s.law.year.to_string(),
            s.law.language.clone(),
            s.status_label.clone(),
            match s.law.shareable {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            s.law.shareable_note.clone().unwrap_or_default(),
            s.reasons.join("; "),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of strings is UTF-8"))
}

/// `GET /api/region-profiles/{region}`: a region's States with their adherence, the count of
/// States party to each instrument, and the region's shareable laws (what `praxis
/// region-profile` prints).
#[utoipa::path(get, path = "/api/region-profiles/{region}", tag = "profiles",
    params(
        ("region" = String, Path, description = "UN M49 region slug or label"),
        ("lang" = Option<String>, Query, description = "en, fr or es"),
        ("basket" = Option<String>, Query, description = "The basket to count adherence over")),
    responses(
        (status = 200, description = "Each State's adherence, States party per instrument, shareable laws", body = Object),
        (status = 400, description = "invalid_parameter (lang, basket)", body = ErrorBody),
        (status = 404, description = "not_found: no such region", body = ErrorBody)))]
pub(crate) async fn region_profile_show(
    State(state): State<AppState>,
    Path(region): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<profiles::RegionProfile>, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &["lang", "basket"])?;
    let options = profile_options(&pairs, &headers)?;
    let kb = state.kb();
    let profile = blocking(move || Ok(profiles::region_profile(&kb, &region, &options)?)).await?;
    Ok(Json(profile))
}

/// The file in the data directory where a running `praxis serve` writes its address.
pub const ADDRESS_FILE: &str = "serve.address";

/// Writes the address `praxis profile` should ask while this server holds the store; a
/// wildcard bind address is reached on the loopback.
pub(crate) fn write_address_file(
    data: &std::path::Path,
    local: std::net::SocketAddr,
) -> Option<std::path::PathBuf> {
    let mut reach = local;
    if reach.ip().is_unspecified() {
        reach.set_ip(if local.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let file = data.join(ADDRESS_FILE);
    match std::fs::write(&file, format!("http://{reach}\n")) {
        Ok(()) => Some(file),
        Err(error) => {
            tracing::warn!(%error, file = %file.display(), "cannot write the server's address");
            None
        }
    }
}

// --- pages -----------------------------------------------------------------------------------

/// `/countries/{iso}`: ISO alpha-2 or alpha-3 in any case; a country name redirects to the
/// alpha-2 URL.
async fn country_page(
    State(state): State<AppState>,
    Path(iso): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = html::page_lang(raw.as_deref(), &headers)?;
    let chrome = super::html::chrome(&state, &headers);
    let pairs = QueryPairs::parse(raw.as_deref(), &["lang", "basket"])
        .map_err(|e| PageError::from_api(e, lang))?;
    let basket = pairs
        .single("basket")
        .map_err(|e| PageError::from_api(e, lang))?
        .filter(|b| !b.is_empty())
        .map(str::to_string);
    let kb = state.kb();
    let geography = kb.taxonomy().geography.clone();
    if geography.country(&iso).is_none() {
        let country =
            profiles::resolve_country(&geography, &iso).map_err(|e| country_missing(e, lang))?;
        let query = raw.map(|q| format!("?{q}")).unwrap_or_default();
        return Ok(Redirect::to(&format!("/countries/{}{query}", country.iso2)).into_response());
    }
    let options = ProfileOptions { lang, basket };
    let html = html::blocking(lang, move || {
        let profile = profiles::country_profile(&kb, &iso, &options)?;
        let map = super::regions::neighbourhood_map(&kb, &profile)?;
        Ok(html::pages().country(&profile, map.as_ref(), &chrome))
    })
    .await?;
    Ok(Html(html).into_response())
}

fn country_missing(error: ProfileError, lang: Lang) -> PageError {
    PageError::from_api(error.into(), lang)
}

/// `/laws`: the shareable-law finder.
async fn laws_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = html::page_lang(raw.as_deref(), &headers)?;
    let chrome = super::html::chrome(&state, &headers);
    super::params::check_encoding(raw.as_deref()).map_err(|e| PageError::from_api(e, lang))?;
    // Empty fields of the GET form mean "not set".
    let cleaned: String = raw
        .as_deref()
        .map(|q| {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form_urlencoded::parse(q.as_bytes()).filter(|(_, v)| !v.is_empty()))
                .finish()
        })
        .unwrap_or_default();
    let pairs = QueryPairs::parse(Some(&cleaned), &["country", "theme", "instrument", "lang"])
        .map_err(|e| PageError::from_api(e, lang))?;
    let query = law_query(&pairs, lang).map_err(|e| PageError::from_api(e, lang))?;
    let kb = state.kb();
    let html = html::blocking(lang, move || {
        let finder = profiles::find_laws(
            &kb,
            &LawQuery {
                limit: 100,
                ..query
            },
        )?;
        Ok(html::pages().laws(&finder, &kb.taxonomy(), &chrome))
    })
    .await?;
    Ok(Html(html).into_response())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/profiles.css"),
    )
        .into_response()
}
