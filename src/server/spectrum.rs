//! `/spectrum` and `GET /api/spectrum`: the knowledge base from prevention to reparation, for
//! the world, a country (`country=KE`) or a region (`region=eastern-africa`). An unknown or
//! doubled parameter answers 400 naming it, in the request's language (on the page, with the
//! forms to correct it).

use crate::catalogue::Message;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::error::ErrorBody;
use super::html::{blocking, page_lang, pages, PageError, PageResult};
use super::params::QueryPairs;
use super::{ApiError, AppState};
use crate::pages::spectrum::SpectrumForm;
use crate::spectrum::{resolve_scope, spectrum, Scope, Spectrum, SpectrumError};
use crate::taxonomy::Lang;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/spectrum", get(spectrum_page))
        .route("/api/spectrum", get(spectrum_show))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(spectrum_show))]
pub(crate) struct Paths;

const PARAMETERS: [&str; 3] = ["country", "region", "lang"];

impl SpectrumError {
    fn into_api(self, lang: Lang) -> ApiError {
        match (self.parameter(), self) {
            (Some(parameter), error) => {
                ApiError::invalid_parameter(parameter, Message::verbatim(error.explanation(lang)))
            }
            (None, SpectrumError::Search(error)) => error.into(),
            (None, other) => ApiError::Internal(other.to_string()),
        }
    }
}

/// The `country` and `region` parameters as typed (each at most once).
fn requested(pairs: &QueryPairs) -> Result<(String, String), ApiError> {
    let text = |name: &str| -> Result<String, ApiError> {
        Ok(pairs.single(name)?.unwrap_or("").trim().to_string())
    };
    Ok((text("country")?, text("region")?))
}

async fn spectrum_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let chrome = super::html::chrome(&state, &headers);
    let pairs =
        QueryPairs::parse(raw.as_deref(), &PARAMETERS).map_err(|e| PageError::from_api(e, lang))?;
    let (country, region) = requested(&pairs).map_err(|e| PageError::from_api(e, lang))?;
    let kb = state.kb();
    let (status, html) = blocking(lang, move || {
        let taxonomy = kb.taxonomy();
        let mut form = SpectrumForm {
            country: country.clone(),
            region: region.clone(),
            error: None,
        };
        let outcome = resolve_scope(&taxonomy, Some(&country), Some(&region))
            .and_then(|scope| spectrum(&kb, &scope, lang).map(|s| (scope, s)));
        match outcome {
            Ok((scope, found)) => Ok((
                StatusCode::OK,
                pages().spectrum(&form, Some(&found), &scope, &taxonomy, lang, &chrome),
            )),
            Err(error) if error.parameter().is_some() => {
                form.error = Some(error.message(lang));
                Ok((
                    StatusCode::BAD_REQUEST,
                    pages().spectrum(&form, None, &Scope::World, &taxonomy, lang, &chrome),
                ))
            }
            Err(error) => Err(error.into_api(lang)),
        }
    })
    .await?;
    Ok((status, Html(html)).into_response())
}

/// `GET /api/spectrum`: the stages in order, each with its count, its document types and their
/// newest documents; for a country or region, `empty_stages` names the stages at which Praxis
/// holds no document for it yet.
#[utoipa::path(get, path = "/api/spectrum", tag = "spectrum",
    params(
        ("country" = Option<String>, Query, description = "ISO 3166-1 alpha-2 or alpha-3 code, e.g. KE; not with region"),
        ("region" = Option<String>, Query, description = "UN M49 region slug, e.g. eastern-africa (its sub-regions included); not with country"),
        ("lang" = Option<String>, Query, description = "Language of labels and error messages: en, fr, es. Default: from Accept-Language, else en"),
    ),
    responses(
        (status = 200, description = "The knowledge base along the stages from prevention to reparation", body = Spectrum),
        (status = 400, description = "An unknown country or region, both given, a parameter given twice or an unknown parameter; `parameter` names it", body = ErrorBody),
    ))]
pub(crate) async fn spectrum_show(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &PARAMETERS)?;
    let lang = pairs.lang(&headers)?;
    let (country, region) = requested(&pairs)?;
    let kb = state.kb();
    let found = tokio::task::spawn_blocking(move || {
        let taxonomy = kb.taxonomy();
        resolve_scope(&taxonomy, Some(&country), Some(&region))
            .and_then(|scope| spectrum(&kb, &scope, lang))
            .map_err(|error| error.into_api(lang))
    })
    .await??;
    Ok(Json(found).into_response())
}
