//! Refusals made before a handler runs (an unknown route or method, a path segment or query
//! value that is not UTF-8, a JSON body of the wrong shape, the layers' limits) are said in
//! the reader's language like every other error, name the parameter or field where there is
//! one, keep their status, and reach a reader of the web pages as an HTML page, not JSON.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use praxis::catalogue::Message;
use praxis::server::{self, AppState, ServerConfig, Tokens};
use praxis::Lang;
use serde_json::Value;
use tower::ServiceExt;

use crate::common::small_kb;

const TOKEN: &str = "alice-secret-token";

struct Answer {
    status: StatusCode,
    content_type: String,
    allow: Option<String>,
    set_cookie: Option<String>,
    body: String,
}

impl Answer {
    /// The JSON error: its code, its message and the parameter it names.
    fn error(&self) -> (String, String, Option<String>) {
        assert_eq!(self.content_type, "application/json", "{}", self.body);
        let body: Value = serde_json::from_str(&self.body).unwrap();
        let error = &body["error"];
        (
            error["code"].as_str().unwrap().to_string(),
            error["message"].as_str().unwrap().to_string(),
            error["parameter"].as_str().map(str::to_string),
        )
    }

    /// Asserts an HTML page in `lang` whose text says `message`.
    fn assert_page_says(&self, lang: Lang, message: &str) {
        assert!(
            self.content_type.starts_with("text/html"),
            "an HTML page, not {}: {}",
            self.content_type,
            self.body
        );
        assert!(
            self.body
                .contains(&format!("<html lang=\"{}\"", lang.code())),
            "in {lang}: {}",
            self.body
        );
        let text = self
            .body
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        assert!(text.contains(message), "says {message:?}: {text}");
    }
}

struct Client {
    _data: tempfile::TempDir,
    state: AppState,
}

fn client() -> Client {
    client_with(ServerConfig::default())
}

fn client_with(config: ServerConfig) -> Client {
    let (data, kb) = small_kb();
    let tokens = Tokens::from_plain([("alice", TOKEN)]);
    Client {
        _data: data,
        state: AppState::with_config(Arc::new(kb), tokens, config),
    }
}

impl Client {
    async fn send(&self, request: Request<Body>) -> Answer {
        let response = server::router(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
        };
        let content_type = header_text(header::CONTENT_TYPE).unwrap_or_default();
        let allow = header_text(header::ALLOW);
        let set_cookie = header_text(header::SET_COOKIE);
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .unwrap();
        Answer {
            status,
            content_type,
            allow,
            set_cookie,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// `method uri` from a reader whose browser asks for `accept_language`.
    async fn call(&self, method: Method, uri: &str, accept_language: &str) -> Answer {
        self.send(
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::ACCEPT_LANGUAGE, accept_language)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    async fn get(&self, uri: &str, accept_language: &str) -> Answer {
        self.call(Method::GET, uri, accept_language).await
    }

    /// A curator's JSON write.
    async fn post_json(&self, uri: &str, accept_language: &str, body: &str) -> Answer {
        self.send(
            Request::post(uri)
                .header(header::ACCEPT_LANGUAGE, accept_language)
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }
}

/// French by the browser's preference, Spanish by `?lang=es` (which outranks it): each case
/// runs in both.
fn in_both_languages(path: &str) -> [(String, &'static str, Lang); 2] {
    let separator = if path.contains('?') { '&' } else { '?' };
    [
        (path.to_string(), "fr-FR,fr;q=0.9", Lang::Fr),
        (format!("{path}{separator}lang=es"), "en", Lang::Es),
    ]
}

#[tokio::test]
async fn unknown_routes_answer_a_page_in_the_readers_language_and_json_under_the_api() {
    let client = client();
    for (uri, accept, lang) in in_both_languages("/no-such-page") {
        let answer = client.get(&uri, accept).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        let said = Message::new("page_no_route")
            .arg("path", "/no-such-page")
            .render(lang);
        answer.assert_page_says(lang, &said);
    }
    // An asset that does not exist is a page's 404 too, not an English one.
    let answer = client.get("/static/missing.css", "fr").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    answer.assert_page_says(
        Lang::Fr,
        &Message::new("page_no_route")
            .arg("path", "/static/missing.css")
            .render(Lang::Fr),
    );
    for (uri, accept, lang) in in_both_languages("/api/no-such-endpoint") {
        let answer = client.get(&uri, accept).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        let (code, message, _) = answer.error();
        assert_eq!(code, "not_found");
        let said = Message::new("api_no_route")
            .arg("method", "GET")
            .arg("path", "/api/no-such-endpoint")
            .render(lang);
        assert_eq!(message, said);
    }
}

#[tokio::test]
async fn a_method_a_page_does_not_take_is_a_page_in_the_readers_language() {
    let client = client();
    for (uri, accept, lang) in in_both_languages("/about") {
        let answer = client.call(Method::DELETE, &uri, accept).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
        let said = Message::new("page_method_not_allowed")
            .arg("method", "DELETE")
            .arg("path", "/about")
            .render(lang);
        answer.assert_page_says(lang, &said);
        assert!(
            answer.allow.as_deref().is_some_and(|a| a.contains("GET")),
            "Allow kept: {:?}",
            answer.allow
        );
    }
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_is_named_in_the_readers_language() {
    let client = client();
    for (path, parameter) in [
        ("/api/documents/%FF%FE", "id"),
        // A route with two segments names the one at fault.
        ("/api/documents/ke-cohesion-act/revisions/%C3", "number"),
        ("/api/countries/%E9", "iso"),
    ] {
        for (uri, accept, lang) in in_both_languages(path) {
            let answer = client.get(&uri, accept).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
            let (code, message, named) = answer.error();
            assert_eq!(code, "invalid_parameter");
            assert_eq!(named.as_deref(), Some(parameter), "{uri}");
            let said = Message::new("api_path_not_utf8").render(lang);
            assert_eq!(message, format!("{parameter}: {said}"), "{uri}");
        }
    }
    for (uri, accept, lang) in in_both_languages("/documents/%FF") {
        let answer = client.get(&uri, accept).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        let said = Message::new("api_path_not_utf8").render(lang);
        answer.assert_page_says(lang, &format!("id: {said}"));
    }
}

#[tokio::test]
async fn a_query_value_that_is_not_utf8_is_named_not_searched_for() {
    let client = client();
    for (uri, accept, lang) in in_both_languages("/api/search?q=%FF%FEgenocide") {
        let answer = client.get(&uri, accept).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        let (code, message, named) = answer.error();
        assert_eq!(code, "invalid_parameter");
        assert_eq!(named.as_deref(), Some("q"));
        let said = Message::new("param_not_utf8").render(lang);
        assert_eq!(message, format!("q: {said}"));
    }
    // The search page reads its URL leniently, but not this leniently.
    for (uri, accept, lang) in in_both_languages("/?q=%FF%FE") {
        let answer = client.get(&uri, accept).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        let said = Message::new("param_not_utf8").render(lang);
        answer.assert_page_says(lang, &format!("q: {said}"));
    }
    // Correctly encoded text still searches.
    let answer = client.get("/api/search?q=g%C3%A9nocide", "fr").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

#[tokio::test]
async fn json_bodies_name_the_field_at_fault_in_the_readers_language() {
    let client = client();
    let document_shape = r#"{"id"?: string, "markdown": string}"#;
    let cases = [
        (
            r#"{"id": "x"}"#,
            Some("markdown"),
            Message::new("api_body_field_missing").arg("shape", document_shape),
        ),
        (
            r#"{"id": 3, "markdown": "text"}"#,
            Some("id"),
            Message::new("api_body_field_invalid").arg("shape", document_shape),
        ),
        (
            r#"{"markdown": "text", "title": "t"}"#,
            Some("title"),
            Message::new("api_body_field_unknown").arg("shape", document_shape),
        ),
        (
            "[\"text\"]",
            None,
            Message::new("api_body_not_object").arg("shape", document_shape),
        ),
        (
            "markdown: text",
            None,
            Message::new("api_body_not_json")
                .arg("line", 1)
                .arg("column", 1)
                .arg("shape", document_shape),
        ),
        (
            "{\n  \"markdown\": ",
            None,
            Message::new("api_body_json_ends_early")
                .arg("line", 2)
                .arg("column", 14)
                .arg("shape", document_shape),
        ),
    ];
    for (body, field, expected) in cases {
        for (accept, lang) in [("fr", Lang::Fr), ("es-ES,es;q=0.8", Lang::Es)] {
            let answer = client.post_json("/api/documents", accept, body).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
            let (code, message, named) = answer.error();
            assert_eq!(code, "invalid_body", "{body}");
            assert_eq!(named.as_deref(), field, "{body}");
            let said = expected.render(lang);
            let said = match field {
                Some(field) => format!("{field}: {said}"),
                None => said,
            };
            assert_eq!(message, said, "{body} in {lang}");
        }
    }
    // Every JSON body is read alike: a proposal's and a withdrawal's.
    let answer = client
        .post_json(
            "/api/documents/ke-cohesion-act/restore",
            "es",
            r#"{"reason": 7}"#,
        )
        .await;
    let (_, message, named) = answer.error();
    assert_eq!(named.as_deref(), Some("reason"));
    assert!(
        message.starts_with(&format!(
            "reason: {}",
            Message::new("api_body_field_invalid")
                .arg("shape", r#"{"reason"?: string}"#)
                .render(Lang::Es)
        )),
        "{message}"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_on_a_page_is_a_page_in_the_readers_language() {
    let client = client_with(ServerConfig {
        body_limit: 1024,
        ..ServerConfig::default()
    });
    let answer = client
        .send(
            Request::post("/curate/login?lang=es")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT_LANGUAGE, "fr")
                .body(Body::from(format!("token={}", "a".repeat(4096))))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    answer.assert_page_says(
        Lang::Es,
        &Message::new("api_body_too_large").render(Lang::Es),
    );
}

#[tokio::test]
async fn an_upload_that_is_not_multipart_is_refused_in_the_readers_language() {
    // The desk's upload reads a multipart body; axum refuses anything else, in English. (The
    // desk's form says its language in the body, so the browser's is all there is here.)
    let client = client();
    for (accept, lang) in [("fr", Lang::Fr), ("es", Lang::Es)] {
        let answer = client
            .send(
                Request::post("/curate/upload")
                    .header(header::ACCEPT_LANGUAGE, accept)
                    .header(header::CONTENT_TYPE, "text/plain")
                    .body(Body::from("not a form"))
                    .unwrap(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        answer.assert_page_says(lang, &Message::new("page_upload_unreadable").render(lang));
    }
}

#[tokio::test]
async fn document_pages_say_what_is_missing_in_the_readers_language() {
    let client = client();
    let cases = [
        (
            "/documents/no-such-document",
            StatusCode::NOT_FOUND,
            Message::new("api_no_document").arg("id", "no-such-document"),
        ),
        (
            "/documents/ke-cohesion-act/revisions/99",
            StatusCode::NOT_FOUND,
            Message::new("page_no_revision")
                .arg("id", "ke-cohesion-act")
                .arg("number", 99),
        ),
        (
            "/documents/ke-cohesion-act/diff?from=1&to=99",
            StatusCode::NOT_FOUND,
            Message::new("page_no_revisions")
                .arg("id", "ke-cohesion-act")
                .arg("from", 1)
                .arg("to", 99),
        ),
    ];
    for (path, status, message) in cases {
        for (uri, accept, lang) in in_both_languages(path) {
            let answer = client.get(&uri, accept).await;
            assert_eq!(answer.status, status, "{uri}");
            answer.assert_page_says(lang, &message.render(lang));
        }
    }
    for (uri, accept, lang) in in_both_languages("/documents/ke-cohesion-act/revisions/first") {
        let answer = client.get(&uri, accept).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        let said = Message::new("param_not_revision_number")
            .arg("value", "first")
            .render(lang);
        answer.assert_page_says(lang, &format!("number: {said}"));
    }
    for (uri, accept, lang) in in_both_languages("/countries/atlantis") {
        let answer = client.get(&uri, accept).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        let said = Message::new("api_unknown_country")
            .arg("value", "atlantis")
            .render(lang);
        answer.assert_page_says(lang, &said);
    }
}

#[tokio::test]
async fn the_desks_refusals_are_said_in_the_forms_language() {
    let client = client();
    let post = |uri: &'static str, form: &'static str| {
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::from(form))
            .unwrap()
    };
    let cases = [
        (
            "/curate/documents",
            "lang=fr&title=x",
            StatusCode::UNAUTHORIZED,
            Lang::Fr,
            "page_sign_in_curate",
        ),
        (
            "/contribute/proposals",
            "lang=es&comment=x",
            StatusCode::UNAUTHORIZED,
            Lang::Es,
            "page_sign_in_contribute",
        ),
    ];
    for (uri, form, status, lang, code) in cases {
        let answer = client.send(post(uri, form)).await;
        assert_eq!(answer.status, status, "{uri}: {}", answer.body);
        answer.assert_page_says(lang, &Message::new(code).render(lang));
    }
    // Signed in, a proposal number that is not one.
    let signed_in = client
        .send(post("/curate/login", "token=alice-secret-token"))
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    let cookie = signed_in.set_cookie.expect("a session cookie");
    let answer = client
        .send(
            Request::get("/curate/proposals/first?lang=es")
                .header(header::COOKIE, cookie.split(';').next().unwrap())
                .header(header::ACCEPT_LANGUAGE, "fr")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    answer.assert_page_says(
        Lang::Es,
        &Message::new("page_no_proposal")
            .arg("number", "first")
            .render(Lang::Es),
    );
}

#[tokio::test]
async fn reference_answers_refuse_parameters_they_do_not_take() {
    let client = client();
    for path in ["/api/taxonomy", "/api/stats"] {
        for (uri, accept, lang) in in_both_languages(&format!("{path}?lnag=fr")) {
            let answer = client.get(&uri, accept).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
            let (code, message, named) = answer.error();
            assert_eq!(code, "invalid_parameter");
            assert_eq!(named.as_deref(), Some("lnag"));
            let said = Message::new("param_unknown_did_you_mean")
                .arg("suggestion", "lang")
                .arg("allowed", "lang")
                .render(lang);
            assert_eq!(message, format!("lnag: {said}"), "{uri}");
        }
        let answer = client.get(&format!("{path}?lang=es"), "fr").await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    }
}
