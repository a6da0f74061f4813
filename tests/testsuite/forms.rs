//! Form posts from the pages (issue 17 item 3/4): every page that takes a form post reads it
//! through one extractor, so the same checks hold everywhere: a cross-site post is refused
//! before the handler runs, in the form's language; curators' and contributors' posts need
//! their own session and its CSRF token.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use praxis::server::{self, AppState, ServerConfig, Tokens};
use tower::ServiceExt;

use crate::common;

const CURATOR: &str = "alice-secret-token";
const CONTRIBUTOR: &str = "jane-secret-token";

/// Every route that takes a form post from the pages.
const FORM_POSTS: &[&str] = &[
    "/curate/login",
    "/curate/logout",
    "/curate/documents",
    "/curate/source",
    "/curate/documents/ke-cohesion-act",
    "/curate/documents/ke-cohesion-act/withdraw",
    "/curate/documents/ke-cohesion-act/restore",
    "/contribute/login",
    "/contribute/logout",
    "/contribute/proposals",
    "/contribute/join",
    "/curate/proposals/1/accept",
    "/curate/proposals/1/decline",
    "/curate/invitations",
];

fn state() -> (tempfile::TempDir, AppState) {
    let (data, kb) = common::small_kb();
    let config = ServerConfig {
        contributors: Tokens::from_plain([("jane", CONTRIBUTOR)]),
        ..ServerConfig::default()
    };
    let tokens = Tokens::from_plain([("alice", CURATOR)]);
    (data, AppState::with_config(Arc::new(kb), tokens, config))
}

async fn post(
    state: &AppState,
    uri: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
    form: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::post(uri)
        .header(header::HOST, "praxis.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    let response = server::router(state.clone())
        .oneshot(request.body(Body::from(form.to_string())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// Signs in through a sign-in form from this site; returns the session cookie.
async fn sign_in(state: &AppState, path: &str, token: &str) -> String {
    let (status, headers, body) = post(
        state,
        path,
        None,
        Some("http://praxis.test"),
        &format!("token={token}"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn a_cross_site_post_is_refused_on_every_form_in_the_forms_language() {
    let (_data, state) = state();
    let curator = sign_in(&state, "/curate/login", CURATOR).await;
    for uri in FORM_POSTS {
        for cookie in [None, Some(curator.as_str())] {
            let (status, headers, body) = post(
                &state,
                uri,
                cookie,
                Some("https://elsewhere.example"),
                "lang=fr&token=alice-secret-token&csrf=x",
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {body}");
            assert!(
                headers[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html"),
                "{uri}: an HTML error page"
            );
            let refused = praxis::catalogue::Message::new("page_cross_site_form")
                .render(praxis::Lang::Fr)
                .replace('\'', "&#39;");
            assert!(body.contains(&refused), "{uri}: {body}");
            assert!(body.contains("lang=\"fr\""), "{uri}: in French: {body}");
        }
    }
    // A refused sign-in opens no session.
    let (_, headers, _) = post(
        &state,
        "/curate/login",
        None,
        Some("null"),
        "token=alice-secret-token",
    )
    .await;
    assert!(headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn a_curators_post_needs_the_curators_session_and_its_csrf_token() {
    let (_data, state) = state();
    let curator = sign_in(&state, "/curate/login", CURATOR).await;
    let contributor = sign_in(&state, "/contribute/login", CONTRIBUTOR).await;
    for uri in [
        "/curate/logout",
        "/curate/documents",
        "/curate/source",
        "/curate/documents/ke-cohesion-act",
        "/curate/documents/ke-cohesion-act/withdraw",
        "/curate/documents/ke-cohesion-act/restore",
        "/curate/proposals/1/accept",
        "/curate/proposals/1/decline",
        "/curate/invitations",
    ] {
        // No session, or a contributor's: sign in first.
        for cookie in [None, Some(contributor.as_str())] {
            let (status, _, body) = post(&state, uri, cookie, None, "csrf=x").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}: {body}");
            assert!(body.contains("/curate"), "{uri}: {body}");
        }
        // The curator's session without its CSRF token: refused, nothing written.
        let (status, _, body) = post(&state, uri, Some(&curator), None, "csrf=0000").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {body}");
        assert!(body.contains("expired"), "{uri}: {body}");
    }
    let (status, _, _) = post(
        &state,
        "/curate/documents/ke-cohesion-act/withdraw",
        Some(&curator),
        None,
        "reason=test",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let record = state.kb().document("ke-cohesion-act").unwrap().unwrap();
    assert!(!record.withdrawn, "a refused form writes nothing");
}

#[tokio::test]
async fn a_contributors_post_needs_a_contributors_session() {
    let (_data, state) = state();
    let curator = sign_in(&state, "/curate/login", CURATOR).await;
    for uri in ["/contribute/logout", "/contribute/proposals"] {
        for cookie in [None, Some(curator.as_str())] {
            let (status, _, body) = post(&state, uri, cookie, None, "csrf=x").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}: {body}");
            assert!(body.contains("/contribute"), "{uri}: {body}");
        }
    }
    let contributor = sign_in(&state, "/contribute/login", CONTRIBUTOR).await;
    let (status, _, body) = post(
        &state,
        "/contribute/logout",
        Some(&contributor),
        None,
        "csrf=0000",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}
