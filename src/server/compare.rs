//! `/compare` and `GET /api/compare`: 2 to 4 States (`countries=KE,TZ,UG`) or 2 to 4 documents
//! (`documents=a,b`) side by side. Bad, repeated or too many values answer 400 naming the
//! parameter, on the page (with the form to correct them) and in the API.

use crate::catalogue::Message;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::html::{blocking, page_lang, pages, PageError, PageResult};
use super::params::QueryPairs;
use super::{ApiError, AppState};
use crate::compare::{compare_countries, compare_documents, split_list, CompareError};
use crate::pages::compare::CompareForm;
use crate::taxonomy::Lang;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/compare", get(compare_page))
        .route("/api/compare", get(compare_api))
}

const PARAMETERS: [&str; 4] = ["countries", "documents", "basket", "lang"];

impl CompareError {
    fn into_api(self, lang: Lang) -> ApiError {
        match self.parameter() {
            Some(parameter) => {
                ApiError::invalid_parameter(parameter, Message::verbatim(self.explanation(lang)))
            }
            None => match self {
                CompareError::Store(e) => e.into(),
                CompareError::Search(e) => e.into(),
                other => ApiError::Internal(other.to_string()),
            },
        }
    }
}

/// What was asked for: the two lists as typed (at most one may be given), and the basket.
fn requested(pairs: &QueryPairs) -> Result<(String, String, Option<String>), ApiError> {
    let text = |name: &str| -> Result<String, ApiError> {
        Ok(pairs.single(name)?.unwrap_or("").trim().to_string())
    };
    let basket = Some(text("basket")?).filter(|b| !b.is_empty());
    Ok((text("countries")?, text("documents")?, basket))
}

async fn compare_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let chrome = super::html::chrome(&state, &headers);
    let pairs =
        QueryPairs::parse(raw.as_deref(), &PARAMETERS).map_err(|e| PageError::from_api(e, lang))?;
    let (countries, documents, basket) =
        requested(&pairs).map_err(|e| PageError::from_api(e, lang))?;
    let kb = state.kb();
    let (status, html) = blocking(lang, move || {
        let taxonomy = kb.taxonomy();
        let mut form = CompareForm {
            countries: countries.clone(),
            documents: documents.clone(),
            basket: basket.clone(),
            error: None,
        };
        let outcome = match (countries.is_empty(), documents.is_empty()) {
            (true, true) => Ok((None, None)),
            (false, false) => Err(CompareError::Both),
            (false, true) => {
                compare_countries(&kb, &split_list(&countries), basket.as_deref(), lang)
                    .map(|c| (Some(c), None))
            }
            (true, false) => {
                compare_documents(&kb, &split_list(&documents), lang).map(|d| (None, Some(d)))
            }
        };
        match outcome {
            Ok((c, d)) => Ok((
                StatusCode::OK,
                pages().compare(&form, c.as_ref(), d.as_ref(), &taxonomy, lang, &chrome),
            )),
            Err(error) if error.parameter().is_some() => {
                form.error = Some(error.message(lang));
                Ok((
                    StatusCode::BAD_REQUEST,
                    pages().compare(&form, None, None, &taxonomy, lang, &chrome),
                ))
            }
            Err(error) => Err(error.into_api(lang)),
        }
    })
    .await?;
    Ok((status, Html(html)).into_response())
}

async fn compare_api(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &PARAMETERS)?;
    let lang = pairs.lang(&headers)?;
    let (countries, documents, basket) = requested(&pairs)?;
    let kb = state.kb();
    let answer =
        tokio::task::spawn_blocking(move || match (countries.is_empty(), documents.is_empty()) {
            (true, true) => Err(ApiError::invalid_parameter(
                "countries",
                Message::new("param_compare_one_kind"),
            )),
            (false, false) => Err(CompareError::Both.into_api(lang)),
            (false, true) => {
                compare_countries(&kb, &split_list(&countries), basket.as_deref(), lang)
                    .map(|c| Json(c).into_response())
                    .map_err(|e| e.into_api(lang))
            }
            (true, false) => compare_documents(&kb, &split_list(&documents), lang)
                .map(|d| Json(d).into_response())
                .map_err(|e| e.into_api(lang)),
        })
        .await??;
    Ok(answer)
}
