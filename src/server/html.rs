//! What every page handler shares: the page renderer, the HTML error page in the reader's
//! language, the interface language, the frame (`chrome`), page responses (uncached pages,
//! redirects to the desk, a document or its 404) and the session cookie.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::error::ApiError;
use super::params::lang_from_headers;
use super::state::AppState;
use crate::pages::{Chrome, Pages};
use crate::store::DocumentRecord;
use crate::taxonomy::Lang;

pub(crate) const SESSION_COOKIE: &str = "praxis_curator";

pub(crate) fn pages() -> &'static Pages {
    static PAGES: std::sync::OnceLock<Pages> = std::sync::OnceLock::new();
    PAGES.get_or_init(Pages::new)
}

/// An HTML error page, in the reader's language.
pub(crate) struct PageError {
    status: StatusCode,
    message: String,
    lang: Lang,
}

impl PageError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>, lang: Lang) -> Self {
        PageError {
            status,
            message: message.into(),
            lang,
        }
    }

    pub(super) fn from_api(error: ApiError, lang: Lang) -> Self {
        let status = error.status();
        if let ApiError::Internal(detail) = &error {
            tracing::error!(error = %detail, "a page failed");
        }
        // The API's message: safe to show (5xx details stay in the log).
        let message = error.message_in(lang);
        PageError {
            status,
            message,
            lang,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let html = pages().error(self.status.as_u16(), &self.message, self.lang);
        (self.status, Html(html)).into_response()
    }
}

pub(crate) type PageResult = Result<Response, PageError>;

pub(crate) async fn blocking<T: Send + 'static>(
    lang: Lang,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, PageError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(|e| PageError::from_api(e, lang)),
        Err(join) => Err(PageError::from_api(join.into(), lang)),
    }
}

/// The interface language: `?lang=`, else the browser's `Accept-Language`, else English.
/// The page's language: `?lang=`, else the browser's `Accept-Language`, else English. A `lang`
/// that names no language of the site is refused (400, naming the parameter, said in the
/// browser's language) rather than silently shown in another language.
pub(crate) fn page_lang(raw: Option<&str>, headers: &HeaderMap) -> Result<Lang, PageError> {
    let asked = raw.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned())
    });
    match asked {
        None => Ok(lang_from_headers(headers)),
        Some(value) => value.parse().map_err(|_| {
            PageError::from_api(
                super::params::unknown_language(&value),
                lang_from_headers(headers),
            )
        }),
    }
}

pub(crate) fn query_value(raw: Option<&str>, name: &str) -> Option<String> {
    raw.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    })
}

pub(crate) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config().public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

/// The ids among `candidates` that are documents readers can open.
pub(crate) fn existing_ids(
    kb: &crate::KnowledgeBase,
    candidates: std::collections::BTreeSet<String>,
) -> Result<std::collections::BTreeSet<String>, ApiError> {
    let mut known = std::collections::BTreeSet::new();
    for id in candidates {
        if kb.document(&id)?.is_some_and(|r| !r.withdrawn) {
            known.insert(id);
        }
    }
    Ok(known)
}

/// What the frame of every page needs: whether to offer the desk and "Edit".
pub(crate) fn chrome(state: &AppState, headers: &HeaderMap) -> Chrome {
    Chrome {
        curators: !state.tokens().is_empty(),
        signed_in: signed_in(state, headers).is_some(),
        contributor: contributor_session(state, headers).is_some(),
    }
}

pub(crate) fn not_found(id: &str, lang: Lang) -> PageError {
    PageError::from_api(
        ApiError::NotFound(crate::catalogue::Message::new("api_no_document").arg("id", id)),
        lang,
    )
}

pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// The signed-in curator's name and session id.
pub(crate) fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<(String, String)> {
    let session = session_token(headers)?;
    let name = state.sessions().curator(&session)?;
    Some((name, session))
}

/// The signed-in contributor's name and session id.
pub(crate) fn contributor_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<(String, String)> {
    let session = session_token(headers)?;
    let name = state.sessions().contributor(&session)?;
    Some((name, session))
}

/// `response` with the cookie that keeps `session` (for the sessions' lifetime).
pub(crate) fn with_session_cookie(
    mut response: Response,
    state: &AppState,
    session: &str,
) -> Response {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        state.sessions().lifetime().as_secs()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// A redirect to `location` that clears the session cookie (signing out).
pub(crate) fn signed_out_redirect(location: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("praxis_curator=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

/// The curator desk in `lang`: where a page for curators sends a reader who is not signed in,
/// and where signing in or out lands.
pub(crate) fn redirect_to_desk(lang: Lang) -> Response {
    Redirect::to(&format!("/curate?lang={}", lang.code())).into_response()
}

/// A page for signed-in curators: the page's language and the curator's name and session id.
/// A reader who is not signed in is sent to the desk to sign in.
pub(crate) struct CuratorPage {
    pub(crate) lang: Lang,
    /// The curator's name and session id.
    pub(crate) account: (String, String),
}

impl FromRequestParts<AppState> for CuratorPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang =
            page_lang(parts.uri.query(), &parts.headers).map_err(IntoResponse::into_response)?;
        let Some(account) = signed_in(state, &parts.headers) else {
            return Err(redirect_to_desk(lang));
        };
        Ok(CuratorPage { lang, account })
    }
}

/// A page that must not be cached (it shows a signed-in account's own state, or a form).
pub(crate) fn no_store(status: StatusCode, html: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// The current record of document `id`, withdrawn or not; the 404 page if there is none.
pub(crate) async fn load_document(
    state: &AppState,
    id: &str,
    lang: Lang,
) -> Result<DocumentRecord, PageError> {
    let kb = state.kb();
    let lookup = id.to_string();
    blocking(lang, move || Ok(kb.document(&lookup)?))
        .await?
        .ok_or_else(|| not_found(id, lang))
}

pub(crate) fn csrf_for(state: &AppState, session: &str) -> String {
    blake3::keyed_hash(state.csrf_key(), session.as_bytes())
        .to_hex()
        .to_string()
}
