//! The middleware every request passes: security headers, metrics, the JSON shape of errors
//! made outside the handlers, and the rate and concurrency limits.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{self, ApiError};
use super::limits::{client_key, kind_of, Kind};
use super::metrics::{method_label, UNMATCHED};
use super::state::AppState;

/// Says errors in the request's language (its `lang` parameter, else `Accept-Language`): the
/// API's as JSON, a page's as the HTML error page. The handlers' own errors and every refusal
/// made before a handler ran (a path segment, a body, an unknown route or method, the limits)
/// meet here as an [`ApiError`].
pub(super) async fn localized_errors(request: Request, next: Next) -> Response {
    let asked = request.uri().query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "lang")
            .and_then(|(_, value)| value.parse::<crate::Lang>().ok())
    });
    let lang = asked.unwrap_or_else(|| super::params::lang_from_headers(request.headers()));
    let page = is_page(request.uri().path());
    let response = next.run(request).await;
    if page {
        error_page(response, lang)
    } else {
        error::localize(response, lang)
    }
}

/// Whether a path is one of the web pages (read by people, answered in HTML) rather than the
/// API, the feed or the operators' endpoints (read by programs, answered in JSON). A path no
/// route knows counts as a page unless it is under `/api/`.
pub(crate) fn is_page(path: &str) -> bool {
    !(path == "/api"
        || path.starts_with("/api/")
        || matches!(path, "/feed.atom" | "/metrics" | "/healthz" | "/readyz"))
}

/// A page's [`ApiError`] as the HTML error page in `lang`, keeping `Retry-After` (a 405's
/// `Allow` is set by axum's router afterwards); other responses pass unchanged.
fn error_page(response: Response, lang: crate::Lang) -> Response {
    let Some(error) = response.extensions().get::<ApiError>().cloned() else {
        return response;
    };
    let mut page = super::html::PageError::from_api(error, lang).into_response();
    if let Some(value) = response.headers().get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, value.clone());
    }
    page
}

/// Gives refusals made outside the handlers (the body limit's 413, the timeout's 408, an axum
/// rejection not already mapped by `extract`) the API's error shape and a catalogue message:
/// their own plain-text bodies are English, so they go to the log, not to the reader.
pub(crate) async fn json_errors(request: Request, next: Next) -> Response {
    let page = is_page(request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    // JSON errors are already in shape; HTML error pages are for readers of the web pages.
    let in_shape = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
        });
    if !(status.is_client_error() || status.is_server_error()) || in_shape {
        return response;
    }
    let (_, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = String::from_utf8_lossy(&bytes);
    error::refusal_outside_handlers(status, detail.trim(), page).into_response()
}

/// The policy of every page: scripts, styles and images from this site only (the pages have
/// no inline script or style), no plugins, no framing, forms posting only here.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Middleware: the security headers of every response.
pub(crate) async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(
            header::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(headers, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    // Search words are in URLs: other sites see at most this site's origin.
    set(headers, "referrer-policy", "same-origin");
    set(headers, "cross-origin-opener-policy", "same-origin");
    if state.config().secure_cookies {
        set(headers, "strict-transport-security", "max-age=31536000");
    }
    response
}

/// Middleware: the rate limits, then the work slots.
pub(crate) async fn enforce(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let limits = state.limits();
    let kind = kind_of(&request);
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        if let Err(error) = limits.check_rate(kind, client_key(*peer)) {
            return error.into_response();
        }
    }
    // An export's slot is taken by the export itself (it outlives the response head); its
    // search for the matching ids counts as work. The slot is released when the response
    // head is ready, or when the request times out (a blocking search then finishes on its
    // own: tantivy searches cannot be interrupted, and the timeout is the bound).
    if matches!(kind, Kind::Work | Kind::Export) {
        let _permit = match limits.work_slot().await {
            Ok(permit) => permit,
            Err(error) => return error.into_response(),
        };
        return next.run(request).await;
    }
    next.run(request).await
}

/// Middleware: times every request and records it under its matched route.
pub(crate) async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    state.metrics().record(
        method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A refusal as axum's extractors and tower's layers make it: English plain text.
    async fn refused_in_english() -> (StatusCode, &'static str) {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Failed to deserialize the JSON body into the target type",
        )
    }

    async fn answer(uri: &str) -> (StatusCode, String, String) {
        let app = axum::Router::new()
            .route("/api/thing", get(refused_in_english))
            .route("/thing", get(refused_in_english))
            .layer(axum::middleware::from_fn(json_errors))
            .layer(axum::middleware::from_fn(localized_errors));
        let request = Request::get(uri)
            .header(header::ACCEPT_LANGUAGE, "es")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            content_type,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    #[tokio::test]
    async fn a_refusal_in_english_plain_text_is_said_in_the_readers_language() {
        let (status, content_type, body) = answer("/api/thing").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(content_type, "application/json");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"]["code"], "validation_failed");
        let spanish =
            crate::catalogue::Message::new("api_request_unreadable").render(crate::Lang::Es);
        assert_eq!(body["error"]["message"], spanish.as_str());
    }

    #[tokio::test]
    async fn a_refusal_on_a_page_is_an_html_page_in_the_readers_language() {
        let (status, content_type, body) = answer("/thing").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(body.contains("<html lang=\"es\""), "{body}");
        assert!(!body.contains("deserialize"), "{body}");
        let spanish =
            crate::catalogue::Message::new("page_request_unreadable").render(crate::Lang::Es);
        assert!(body.contains(&spanish), "{body}");
    }

    #[test]
    fn pages_are_every_path_but_the_programs() {
        for page in [
            "/",
            "/documents/x",
            "/wp-admin.php",
            "/apis",
            "/static/app.js",
        ] {
            assert!(is_page(page), "{page}");
        }
        for program in [
            "/api",
            "/api/search",
            "/feed.atom",
            "/metrics",
            "/healthz",
            "/readyz",
        ] {
            assert!(!is_page(program), "{program}");
        }
    }
}
