//! The manual of national prevention architectures over HTTP: the pages `/manual` (contents),
//! `/manual/{chapter}` and `/manual/print` (every chapter on one page, for print or PDF), the
//! API `GET /api/manual` (JSON) and `GET /api/manual/{chapter}/mechanisms.csv` (a chapter's
//! evidence table). The manual is assembled by [`crate::manual`] on the blocking pool.

use crate::catalogue::Message;
use std::collections::BTreeSet;

use super::extract::Path;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::error::ErrorBody;
use super::export::neutralise;
use super::html::{blocking, page_lang, pages, PageError, PageResult};
use super::params::QueryPairs;
use super::{ApiError, AppState};
use crate::manual::{build_manual, chapter_records, check_chapter, Manual, ManualError};
use crate::pages::id_candidates;
use crate::pages::manual::ManualView;
use crate::taxonomy::Lang;
use crate::KnowledgeBase;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/manual", get(manual_page))
        .route("/manual/print", get(manual_print_page))
        .route("/manual/{chapter}", get(chapter_page))
        .route("/api/manual", get(manual_show))
        .route("/api/manual/{chapter}/mechanisms.csv", get(chapter_csv))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(manual_show, chapter_csv))]
pub(crate) struct Paths;

const PARAMETERS: [&str; 1] = ["lang"];

impl From<ManualError> for ApiError {
    fn from(error: ManualError) -> Self {
        match error {
            ManualError::UnknownChapter { value, allowed } => ApiError::NotFound(
                Message::new("api_unknown_chapter")
                    .arg("value", value)
                    .arg("allowed", allowed.join(", ")),
            ),
            ManualError::Store(e) => e.into(),
            ManualError::Search(e) => e.into(),
        }
    }
}

/// The ids the guidance texts mention that are documents (they become links).
fn known_ids(kb: &KnowledgeBase, manual: &Manual) -> Result<BTreeSet<String>, ApiError> {
    let mut known = BTreeSet::new();
    for guide in manual.chapters.iter().filter_map(|c| c.guide.as_ref()) {
        for id in id_candidates(&guide.markdown) {
            if kb.store().get(&id)?.is_some_and(|r| !r.withdrawn) {
                known.insert(id);
            }
        }
    }
    Ok(known)
}

/// Renders one view of the manual; an unknown chapter is a 404 page naming the chapters.
async fn render(
    state: AppState,
    raw: Option<String>,
    headers: HeaderMap,
    chapter: Option<String>,
    print: bool,
) -> PageResult {
    let lang = page_lang(raw.as_deref(), &headers)?;
    let chrome = super::html::chrome(&state, &headers);
    QueryPairs::parse(raw.as_deref(), &PARAMETERS).map_err(|e| PageError::from_api(e, lang))?;
    let kb = state.kb();
    let html = blocking(lang, move || {
        let taxonomy = kb.taxonomy();
        if let Some(slug) = &chapter {
            if check_chapter(&taxonomy, slug).is_err() {
                return Ok(Err(unknown_chapter_message(&taxonomy, slug, lang)));
            }
        }
        let manual = build_manual(&kb, lang)?;
        let known = known_ids(&kb, &manual)?;
        let view = match (&chapter, print) {
            (Some(slug), _) => ManualView::Chapter(slug),
            (None, true) => ManualView::Print,
            (None, false) => ManualView::Contents,
        };
        Ok(Ok(pages().manual(&manual, view, &known, &taxonomy, &chrome)))
    })
    .await?;
    match html {
        Ok(html) => Ok(Html(html).into_response()),
        Err(message) => Err(PageError::new(StatusCode::NOT_FOUND, message, lang)),
    }
}

fn unknown_chapter_message(taxonomy: &crate::Taxonomy, slug: &str, lang: Lang) -> String {
    let chapters: Vec<String> = taxonomy
        .manual_chapters
        .terms()
        .iter()
        .map(|t| format!("{} ({})", t.labels.get(lang), t.slug))
        .collect();
    let chapters = chapters.join(", ");
    match lang {
        Lang::En => format!("The manual has no chapter \"{slug}\". Its chapters are: {chapters}."),
        Lang::Fr => {
            format!("Le manuel n'a pas de chapitre « {slug} ». Ses chapitres sont : {chapters}.")
        }
        Lang::Es => {
            format!("El manual no tiene el capítulo «{slug}». Sus capítulos son: {chapters}.")
        }
    }
}

async fn manual_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    render(state, raw, headers, None, false).await
}

async fn manual_print_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    render(state, raw, headers, None, true).await
}

async fn chapter_page(
    State(state): State<AppState>,
    Path(chapter): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    render(state, raw, headers, Some(chapter), false).await
}

/// `GET /api/manual`: the whole manual.
#[utoipa::path(get, path = "/api/manual", tag = "manual",
    params(("lang" = Option<String>, Query, description = "en, fr or es (default: Accept-Language): the chapters' guidance in that language where it exists, and the labels")),
    responses(
        (status = 200, description = "{lang, chapters: [{slug, number, label, guide?: {id, title, summary, language, revision, last_modified, markdown, sources, in_requested_language}, versions: [{id, language}], columns, checklist: [{norm, label, field, met_by: [{id, title, country_name}], not_met, not_recorded}]}], mechanisms: [{id, title, country, country_iso2, country_name, mechanism_types, established, legal_basis: {text, document?, law}, mandate, composition, composition_label, reporting_line, early_warning, operating_status, operating_status_label, language}], truncated}; null fields are not recorded", body = Object),
        (status = 400, description = "invalid_parameter (lang, or an unknown parameter)", body = ErrorBody)))]
pub(crate) async fn manual_show(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &PARAMETERS)?;
    let lang = pairs.lang(&headers)?;
    let kb = state.kb();
    let manual = tokio::task::spawn_blocking(move || build_manual(&kb, lang)).await??;
    Ok(Json(manual).into_response())
}

/// `GET /api/manual/{chapter}/mechanisms.csv`: a chapter's evidence table.
#[utoipa::path(get, path = "/api/manual/{chapter}/mechanisms.csv", tag = "manual",
    params(
        ("chapter" = String, Path, description = "a chapter slug: establishing, guiding, managing"),
        ("lang" = Option<String>, Query, description = "en, fr or es: the language of country names")),
    responses(
        (status = 200, description = "CSV: id, title, country (ISO alpha-3), country_name, then the chapter's fields; one row per national mechanism, in the page's order; an empty cell is not recorded", content_type = "text/csv"),
        (status = 400, description = "invalid_parameter (lang, or an unknown parameter)", body = ErrorBody),
        (status = 404, description = "not_found: no such chapter", body = ErrorBody)))]
pub(crate) async fn chapter_csv(
    State(state): State<AppState>,
    Path(chapter): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = QueryPairs::parse(raw.as_deref(), &PARAMETERS)?;
    let lang = pairs.lang(&headers)?;
    let kb = state.kb();
    let slug = chapter.clone();
    let body = tokio::task::spawn_blocking(move || -> Result<String, ApiError> {
        check_chapter(&kb.taxonomy(), &slug)?;
        let manual = build_manual(&kb, lang)?;
        let chapter = manual
            .chapter(&slug)
            .ok_or_else(|| ApiError::NotFound(Message::new("api_no_chapter").arg("slug", slug)))?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        for record in chapter_records(&manual, chapter) {
            writer
                .write_record(record.into_iter().map(neutralise))
                .map_err(|e| ApiError::Internal(e.to_string()))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.to_string()))
    })
    .await??;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"praxis-manual-{chapter}-mechanisms.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}
