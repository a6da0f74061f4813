//! The middleware every request passes: security headers, metrics, the JSON shape of errors
//! made outside the handlers, and the rate and concurrency limits.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{self, ApiError};
use super::limits::{client_key, kind_of, Kind};
use super::metrics::{method_label, UNMATCHED};
use super::state::AppState;

/// Says API errors in the request's language: its `lang` parameter, else `Accept-Language`.
pub(super) async fn localized_errors(request: Request, next: Next) -> Response {
    let asked = request.uri().query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "lang")
            .and_then(|(_, value)| value.parse::<crate::Lang>().ok())
    });
    let lang = asked.unwrap_or_else(|| super::params::lang_from_headers(request.headers()));
    error::localize(next.run(request).await, lang)
}

/// Gives responses made outside the handlers (the body limit's 413, the timeout's 408, axum's
/// own rejections) the same JSON error shape as everything else.
pub(crate) async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    // JSON errors are already in shape; HTML error pages are for readers of the web pages.
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
        });
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    // The body limit's and the timeout's refusals are the API's own errors, said in the
    // request's language like every other.
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            return ApiError::PayloadTooLarge(crate::catalogue::Message::new("api_body_too_large"))
                .into_response()
        }
        StatusCode::REQUEST_TIMEOUT => return ApiError::Timeout.into_response(),
        _ => {}
    }
    // axum's rejections explain themselves in a plain-text body.
    let (_, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_string()
    } else {
        text
    };
    if status.is_server_error() {
        tracing::error!(%status, %message, "error response from a layer");
    }
    let code = error::code_for_status(status);
    let shown = if status.is_server_error() {
        crate::catalogue::Message::new("api_internal").render(crate::Lang::En)
    } else {
        message.clone()
    };
    let body = serde_json::json!({ "error": { "code": code, "message": shown } });
    let mut response = (status, axum::Json(body)).into_response();
    if code == "internal" {
        // Said again in the request's language by `localized_errors`, as the handlers' are.
        response
            .extensions_mut()
            .insert(ApiError::Internal(message));
    }
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"praxis\""),
        );
    }
    response
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

/// The answer to a refused request: the API's JSON error, or an HTML page for the web pages;
/// with `Retry-After` either way.
fn refuse(error: ApiError, request: &Request) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str);
    let is_page = !(route.starts_with("/api/")
        || matches!(route, "/feed.atom" | "/metrics" | "/healthz" | "/readyz"));
    if !is_page {
        return error.into_response();
    }
    let retry_after = match &error {
        ApiError::TooManyRequests {
            retry_after_secs, ..
        }
        | ApiError::Overloaded { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    };
    let mut response = super::html::refusal_page(error, request.headers(), request.uri().query());
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
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
            return refuse(error, &request);
        }
    }
    // An export's slot is taken by the export itself (it outlives the response head); its
    // search for the matching ids counts as work. The slot is released when the response
    // head is ready, or when the request times out (a blocking search then finishes on its
    // own: tantivy searches cannot be interrupted, and the timeout is the bound).
    if matches!(kind, Kind::Work | Kind::Export) {
        let _permit = match limits.work_slot().await {
            Ok(permit) => permit,
            Err(error) => return refuse(error, &request),
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
