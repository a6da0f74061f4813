//! The HTTP API driven in-process through the router (`tower::ServiceExt::oneshot`): every
//! endpoint's success shape, every error code, authentication, writes and what search sees of
//! them, revisions and diffs, exports, the feed, and the OpenAPI document against the routes.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use praxis::server::{self, AppState, ServerConfig, Tokens};
use serde_json::Value;
use tower::ServiceExt;

use crate::common::{self, Answer};

const TOKEN: &str = "alice-secret-token";

struct TestApp {
    _data: tempfile::TempDir,
    state: AppState,
}

impl Answer {
    /// Asserts the error shape and returns the code.
    fn error_code(&self) -> String {
        let body = self.json();
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        assert_eq!(
            self.headers[header::CONTENT_TYPE].to_str().unwrap(),
            "application/json"
        );
        body["error"]["code"].as_str().unwrap().to_string()
    }
}

fn app() -> TestApp {
    app_with(ServerConfig::default())
}

fn app_with(config: ServerConfig) -> TestApp {
    let (data, kb) = common::small_kb();
    let tokens = Tokens::from_plain([("alice", TOKEN), ("bob", "bob-token")]);
    TestApp {
        _data: data,
        state: AppState::with_config(Arc::new(kb), tokens, config),
    }
}

impl TestApp {
    async fn call(&self, request: Request<Body>) -> Answer {
        common::call(&self.state, request).await
    }

    async fn get(&self, uri: &str) -> Answer {
        self.call(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    async fn get_json(&self, uri: &str) -> (StatusCode, Value) {
        let answer = self.get(uri).await;
        (answer.status, answer.json())
    }

    async fn send(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, content_type);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.call(request.body(body.into()).unwrap()).await
    }

    /// A curator's `POST /api/documents` with a body of `content_type`.
    async fn post_document(&self, content_type: &str, body: impl Into<Body>) -> Answer {
        self.send(
            Method::POST,
            "/api/documents",
            Some(TOKEN),
            content_type,
            body,
        )
        .await
    }

    async fn post_markdown(&self, markdown: &str) -> Answer {
        self.post_document("text/markdown", markdown.to_string())
            .await
    }

    async fn put_markdown(&self, id: &str, markdown: &str) -> Answer {
        self.send(
            Method::PUT,
            &format!("/api/documents/{id}"),
            Some(TOKEN),
            "text/markdown",
            markdown.to_string(),
        )
        .await
    }
}

fn new_document(id: &str, summary: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Zanzibar Peace Observatory\ntype: mechanism\nsummary: {summary}\ncountries: [TZ]\nthemes: [early-warning]\nyear: 2019\nlanguage: en\nsources:\n  - url: https://example.org/observatory\n---\n{body}\n"
    )
}

// --- health, readiness, metrics -------------------------------------------------------------

#[tokio::test]
async fn health_and_readiness() {
    let app = app();
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["documents"], 12);

    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");

    app.state.set_ready(false);
    let answer = app.get("/readyz").await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.error_code(), "unavailable");
    // Liveness does not depend on readiness.
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_matched_route() {
    let app = app();
    app.get("/api/search?q=genocide").await;
    app.get("/api/documents/ke-cohesion-act").await;
    app.get("/api/documents/no-such-document").await;
    app.get("/no/such/route/secret-123").await;
    let answer = app.get("/metrics").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = answer.text();
    assert!(
        text.contains(
            "praxis_http_requests_total{method=\"GET\",route=\"/api/search\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains(
        "praxis_http_requests_total{method=\"GET\",route=\"/api/documents/{id}\",status=\"200\"} 1"
    ));
    assert!(text.contains(
        "praxis_http_requests_total{method=\"GET\",route=\"/api/documents/{id}\",status=\"404\"} 1"
    ));
    assert!(text.contains("route=\"unmatched\",status=\"404\"} 1"));
    assert!(!text.contains("secret-123"), "raw URLs never become labels");
    assert!(text.contains("praxis_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/search\",le=\"+Inf\"} 1"));
    assert!(text.contains("praxis_documents_indexed 12\n"));
}

// --- errors common to every route -----------------------------------------------------------

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let app = app();
    let answer = app.get("/api/nothing-here").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.error_code(), "not_found");

    let answer = app
        .send(
            Method::PATCH,
            "/api/documents/ke-cohesion-act",
            Some(TOKEN),
            "text/markdown",
            "x",
        )
        .await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.error_code(), "method_not_allowed");
}

#[tokio::test]
async fn slow_requests_time_out_with_the_error_shape() {
    let app = app_with(ServerConfig {
        request_timeout: Duration::from_nanos(1),
        ..ServerConfig::default()
    });
    let answer = app.get("/api/search?q=genocide").await;
    assert_eq!(answer.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(answer.error_code(), "timeout");
}

// --- search ---------------------------------------------------------------------------------

#[tokio::test]
async fn search_returns_hits_facets_and_totals() {
    let app = app();
    let (status, body) = app.get_json("/api/search").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 12);
    assert_eq!(body["page"], 1);
    assert_eq!(body["hits"].as_array().unwrap().len(), 12);
    assert!(body["facets"].as_array().unwrap().len() >= 8);
    assert!(body["took_ms"].is_number());

    let (status, body) = app.get_json("/api/search?q=hate+speech").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"ke-cohesion-act"), "{ids:?}");
    let hit = &body["hits"][0];
    for field in [
        "id",
        "title",
        "title_html",
        "type",
        "type_label",
        "snippet_html",
        "year",
    ] {
        assert!(!hit[field].is_null(), "{field}");
    }
}

#[tokio::test]
async fn repeated_filter_parameters_are_ored_within_a_group() {
    let app = app();
    let (_, kenya) = app.get_json("/api/search?country=KE").await;
    let (_, ghana) = app.get_json("/api/search?country=GH").await;
    let (status, both) = app.get_json("/api/search?country=KE&country=GH").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        both["total"].as_u64().unwrap(),
        kenya["total"].as_u64().unwrap() + ghana["total"].as_u64().unwrap()
    );
    let (_, laws_in_kenya) = app.get_json("/api/search?country=KE,GH&type=law").await;
    assert_eq!(laws_in_kenya["total"], 1);
    let (_, africa) = app
        .get_json("/api/search?region=africa&facets=region")
        .await;
    assert_eq!(africa["facets"].as_array().unwrap().len(), 1);
    assert!(africa["total"].as_u64().unwrap() >= 5);
}

#[tokio::test]
async fn unknown_filter_values_are_400_naming_the_parameter() {
    let app = app();
    let answer = app.get("/api/search?region=atlantis").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.error_code(), "invalid_filter");
    let body = answer.json();
    assert_eq!(body["error"]["parameter"], "region");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("region: "));

    let answer = app.get("/api/search?theme=hate-speeches").await;
    assert_eq!(answer.error_code(), "invalid_filter");
    assert!(answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("hate-speech"));
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_parameter() {
    let app = app();
    for (query, parameter) in [
        ("page_size=1000", "page_size"),
        ("page=0", "page"),
        ("sort=best", "sort"),
        ("lang=de", "lang"),
        ("format=xml", "format"),
        ("regions=africa", "regions"),
        ("year_from=2010&year_to=2000", "year_from"),
        ("year_to=soon", "year_to"),
    ] {
        let answer = app.get(&format!("/api/search?{query}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer.error_code(), "invalid_parameter", "{query}");
        assert_eq!(answer.json()["error"]["parameter"], parameter, "{query}");
    }
}

#[tokio::test]
async fn labels_follow_lang_or_accept_language() {
    let app = app();
    let (_, body) = app.get_json("/api/search?type=law&lang=fr").await;
    let facet = body["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["group"] == "type")
        .unwrap()
        .clone();
    assert_eq!(facet["label"], "Type");
    assert_eq!(body["hits"][0]["type_label"], "Loi");

    let answer = app
        .call(
            Request::get("/api/search?type=law")
                .header(header::ACCEPT_LANGUAGE, "es-AR, es;q=0.9, en;q=0.5")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.json()["hits"][0]["type_label"], "Ley");
}

// --- exports --------------------------------------------------------------------------------

#[tokio::test]
async fn csv_export_has_a_row_per_match_beyond_one_page() {
    let app = app();
    let answer = app.get("/api/search?format=csv&page_size=5").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(answer.headers["x-total-count"], "12");
    let mut reader = csv::Reader::from_reader(answer.body.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    assert!(headers.iter().any(|h| h == "themes"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 12, "every match, not one page");

    let answer = app.get("/api/search?format=csv&type=law").await;
    let mut reader = csv::Reader::from_reader(answer.body.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| &r[2] == "law"));
    let kenya = rows.iter().find(|r| &r[0] == "ke-cohesion-act").unwrap();
    assert_eq!(&kenya[4], "KEN");
    assert_eq!(&kenya[6], "hate-speech;social-cohesion");
}

#[tokio::test]
async fn ndjson_export_has_a_line_per_match() {
    let app = app();
    let (_, search) = app.get_json("/api/search?theme=genocide").await;
    let answer = app.get("/api/search?theme=genocide&format=ndjson").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/x-ndjson");
    let lines: Vec<Value> = answer
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, search["total"].as_u64().unwrap());
    assert!(lines.len() >= 3);
    for line in &lines {
        assert!(line["themes"]
            .as_array()
            .unwrap()
            .contains(&Value::from("genocide")));
        assert!(line["revision"].as_u64().unwrap() >= 1);
        assert!(line["id"].is_string());
    }
}

#[tokio::test]
async fn exports_with_bad_filters_fail_before_streaming() {
    let app = app();
    let answer = app.get("/api/search?format=csv&region=atlantis").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.error_code(), "invalid_filter");
}

// --- feed -----------------------------------------------------------------------------------

#[tokio::test]
async fn the_atom_feed_parses_as_xml_and_follows_filters() {
    let app = app();
    let answer = app.get("/feed.atom?type=law&region=africa").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    let text = answer.text();
    let xml = roxmltree::Document::parse(&text).expect("well-formed XML");
    let feed = xml.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    // Laws in Africa in the fixture: Kenya and Uganda.
    assert_eq!(entries.len(), 2, "{text}");
    for entry in &entries {
        for child in ["title", "id", "updated", "summary", "content"] {
            assert!(
                entry.children().any(|n| n.has_tag_name(child)),
                "entry without {child}"
            );
        }
    }
    // The Kenyan act's <script> is neither live markup nor kept in the content.
    assert!(!text.contains("<script"));
    let content = entries
        .iter()
        .flat_map(|e| e.children())
        .filter(|n| n.has_tag_name("content"))
        .filter_map(|n| n.text())
        .collect::<String>();
    assert!(!content.contains("<script"), "{content}");
    assert!(content.contains("<h2>"), "HTML content, escaped in the XML");

    let answer = app.get("/feed.atom?theme=nope").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.error_code(), "invalid_filter");
    let answer = app.get("/feed.atom?page=2").await;
    assert_eq!(answer.error_code(), "invalid_parameter");
}

#[tokio::test]
async fn the_feed_puts_the_latest_change_first() {
    let app = app();
    // Times are kept to the second: make the new document's the latest.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let answer = app
        .post_markdown(&new_document(
            "tz-observatory",
            "Watches for risks.",
            "Body.",
        ))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let text = app.get("/feed.atom").await.text();
    let xml = roxmltree::Document::parse(&text).unwrap();
    let first = xml
        .root_element()
        .children()
        .find(|n| n.has_tag_name("entry"))
        .unwrap();
    let id = first
        .children()
        .find(|n| n.has_tag_name("id"))
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(id, "urn:praxis:document:tz-observatory");
    let entries = xml
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .count();
    assert_eq!(entries, 13);
}

// --- documents ------------------------------------------------------------------------------

#[tokio::test]
async fn a_document_has_metadata_markdown_safe_html_labels_and_related() {
    let app = app();
    let (status, body) = app.get_json("/api/documents/ke-cohesion-act").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], "ke-cohesion-act");
    assert_eq!(body["revision"], 1);
    assert_eq!(body["withdrawn"], false);
    assert_eq!(body["meta"]["type"], "law");
    assert!(body["markdown"].as_str().unwrap().contains("<script>"));
    let html = body["html"].as_str().unwrap();
    assert!(html.contains("<h2>Background</h2>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(body["source"].as_str().unwrap().starts_with("---\n"));
    assert_eq!(body["labels"]["type"]["label"], "Law");
    assert_eq!(body["labels"]["countries"][0]["label"], "Kenya");
    let regions: Vec<&str> = body["labels"]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect();
    assert!(regions.contains(&"africa"), "{regions:?}");
    let related = body["related"].as_array().unwrap();
    assert!(!related.is_empty());
    assert!(related.iter().any(|r| r["id"] == "ke-ncic"), "{related:?}");

    let (_, body) = app.get_json("/api/documents/ke-cohesion-act?lang=fr").await;
    assert_eq!(body["labels"]["type"]["label"], "Loi");
    assert_eq!(body["labels"]["lang"], "fr");
}

#[tokio::test]
async fn missing_documents_are_404_and_bad_lang_400() {
    let app = app();
    let answer = app.get("/api/documents/no-such-thing").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.error_code(), "not_found");
    let answer = app.get("/api/documents/ke-cohesion-act?lang=xx").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.error_code(), "invalid_parameter");
}

#[tokio::test]
async fn scripts_and_javascript_links_are_rendered_harmless() {
    let app = app();
    let body = "## Notes\n\n<script>alert('x')</script>\n\n[click me](javascript:alert(1)) and <a href=\"javascript:void(0)\" onclick=\"steal()\">this</a>\n\n<img src=x onerror=alert(1)>\n\n[fine](https://example.org)";
    let answer = app
        .post_markdown(&new_document("tz-xss", "Harmless.", body))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let (_, document) = app.get_json("/api/documents/tz-xss").await;
    let html = document["html"].as_str().unwrap();
    for bad in ["<script", "javascript:", "onclick", "onerror", "<img"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("href=\"https://example.org\""), "{html}");
    let (_, revision) = app.get_json("/api/documents/tz-xss/revisions/1").await;
    assert!(!revision["html"].as_str().unwrap().contains("<script"));
}

// --- authentication -------------------------------------------------------------------------

#[tokio::test]
async fn writes_need_a_valid_curator_token() {
    let app = app();
    let document = new_document("tz-auth", "Auth.", "Body.");
    for (token, header_value) in [
        (None, None),
        (Some("wrong-token"), None),
        (None, Some(format!("Basic {TOKEN}"))),
        (None, Some("Bearer ".to_string())),
    ] {
        let mut request =
            Request::post("/api/documents").header(header::CONTENT_TYPE, "text/markdown");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(value) = header_value {
            request = request.header(header::AUTHORIZATION, value);
        }
        let answer = app
            .call(request.body(Body::from(document.clone())).unwrap())
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.error_code(), "unauthorized");
        assert!(answer.headers.contains_key(header::WWW_AUTHENTICATE));
    }
    assert_eq!(
        app.get("/api/documents/tz-auth").await.status,
        StatusCode::NOT_FOUND,
        "nothing was written"
    );
    for (method, uri) in [
        (Method::PUT, "/api/documents/ke-cohesion-act"),
        (Method::DELETE, "/api/documents/ke-cohesion-act"),
        (Method::GET, "/api/audit"),
    ] {
        let answer = app
            .send(method, uri, Some("nope"), "text/markdown", "")
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{uri}");
    }
    let answer = app.post_markdown(&document).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let answer = app.get("/api/audit").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_server_without_tokens_refuses_every_write() {
    let (_data, kb) = common::small_kb();
    let state = AppState::new(Arc::new(kb), Tokens::none());
    let response = server::router(state)
        .oneshot(
            Request::delete("/api/documents/ke-cohesion-act")
                .header(header::AUTHORIZATION, "Bearer anything")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no curator tokens"));
}

// --- writes ---------------------------------------------------------------------------------

#[tokio::test]
async fn a_created_document_is_searchable_when_the_response_returns() {
    let app = app();
    let answer = app
        .post_markdown(&new_document(
            "tz-observatory",
            "Community monitors report quetzalcoatl rumours.",
            "## Work\n\nVolunteers watch markets.",
        ))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(
        answer.headers[header::LOCATION],
        "/api/documents/tz-observatory"
    );
    let body = answer.json();
    assert_eq!(body["id"], "tz-observatory");
    assert_eq!(body["revision"], 1);
    assert_eq!(body["action"], "create");

    let (_, found) = app.get_json("/api/search?q=quetzalcoatl").await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["hits"][0]["id"], "tz-observatory");
    let (_, document) = app.get_json("/api/documents/tz-observatory").await;
    assert_eq!(document["meta"]["countries"][0], "TZA");
}

#[tokio::test]
async fn json_bodies_work_and_their_id_must_agree() {
    let app = app();
    let markdown = new_document("tz-json", "From JSON.", "Body.").replace("id: tz-json\n", "");
    let body = serde_json::json!({"id": "tz-json", "markdown": markdown});
    let answer = app
        .post_document("application/json", body.to_string())
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(answer.json()["id"], "tz-json");

    let body =
        serde_json::json!({"id": "other-id", "markdown": new_document("tz-json2", "x", "y")});
    let answer = app
        .post_document("application/json", body.to_string())
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.error_code(), "validation_failed");
    assert_eq!(answer.json()["error"]["problems"][0]["field"], "id");

    for bad in [
        "{not json",
        "{\"markdown\": 3}",
        "{\"markdown\": \"x\", \"extra\": 1}",
    ] {
        let answer = app.post_document("application/json", bad).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer.error_code(), "invalid_body");
    }
    let answer = app.post_document("application/pdf", "%PDF").await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(answer.error_code(), "unsupported_media_type");
}

#[tokio::test]
async fn invalid_documents_are_422_with_every_problem_located() {
    let app = app();
    let markdown = "---\nid: tz-bad\ntitle: Bad\ntype: mechanism\nsummary: Bad one.\nthemes: [early-warnings]\nyear: 3000\nlanguage: en\nsources:\n  - url: https://example.org\n---\nBody\n";
    let answer = app.post_markdown(markdown).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.error_code(), "validation_failed");
    let body = answer.json();
    let problems = body["error"]["problems"].as_array().unwrap();
    assert!(problems.len() >= 2, "{problems:?}");
    let themes = problems.iter().find(|p| p["field"] == "themes").unwrap();
    assert_eq!(themes["file"], "request");
    assert_eq!(themes["line"], 6);
    assert!(themes["column"].as_u64().unwrap() >= 1);
    assert!(themes["message"]
        .as_str()
        .unwrap()
        .contains("early-warning"));
    assert!(problems.iter().any(|p| p["field"] == "year"));

    let answer = app.post_markdown("no front matter at all").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.json()["error"]["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("front matter"));

    // Without an id in the front matter, POST has no file name to fall back on.
    let answer = app
        .post_markdown(&new_document("x", "No id.", "Body.").replace("id: x\n", ""))
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.json()["error"]["problems"][0]["field"], "id");
}

#[tokio::test]
async fn post_creates_only_and_put_updates_only() {
    let app = app();
    let answer = app
        .post_markdown(
            &std::fs::read_to_string(common::fixture("small/laws/ke-cohesion-act.md"))
                .unwrap()
                .replace("---\ntitle", "---\nid: ke-cohesion-act\ntitle"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.error_code(), "conflict");

    let answer = app
        .put_markdown("tz-nowhere", &new_document("tz-nowhere", "x", "y"))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.error_code(), "not_found");

    let answer = app
        .put_markdown("ke-cohesion-act", &new_document("tz-other", "x", "y"))
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.json()["error"]["problems"][0]["field"], "id");
}

#[tokio::test]
async fn revisions_history_diff_withdrawal_and_audit() {
    let app = app();
    let v1 = new_document(
        "tz-living",
        "First summary.",
        "## Work\n\nLine one.\nLine two.",
    );
    assert_eq!(app.post_markdown(&v1).await.status, StatusCode::CREATED);
    let v2 = new_document(
        "tz-living",
        "Second summary mentions xylophonists.",
        "## Work\n\nLine one.\nLine two changed.",
    );
    let answer = app.put_markdown("tz-living", &v2).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["action"], "update");
    assert_eq!(answer.json()["revision"], 2);
    // The same text again is no new revision.
    let answer = app.put_markdown("tz-living", &v2).await;
    assert_eq!(answer.json()["action"], "unchanged");
    assert_eq!(answer.json()["revision"], 2);

    let (_, found) = app.get_json("/api/search?q=xylophonists").await;
    assert_eq!(found["total"], 1, "the update is searchable at once");

    let (status, list) = app.get_json("/api/documents/tz-living/revisions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 2);
    assert_eq!(list["current"], 2);
    assert_eq!(list["revisions"][0]["number"], 1);
    assert_eq!(list["revisions"][1]["author"], "alice");
    let (_, page) = app
        .get_json("/api/documents/tz-living/revisions?page=2&page_size=1")
        .await;
    assert_eq!(page["revisions"].as_array().unwrap().len(), 1);
    assert_eq!(page["revisions"][0]["number"], 2);

    let (status, one) = app.get_json("/api/documents/tz-living/revisions/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["meta"]["summary"], "First summary.");
    assert_eq!(one["current"], false);

    let (status, diff) = app
        .get_json("/api/documents/tz-living/revisions?diff=1..2")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (diff["from"].as_u64(), diff["to"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(diff["added"], 2);
    assert_eq!(diff["removed"], 2);
    let lines: Vec<&Value> = diff["hunks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["lines"].as_array().unwrap())
        .collect();
    let with = |change: &str| -> Vec<&str> {
        lines
            .iter()
            .filter(|l| l["change"] == change)
            .map(|l| l["text"].as_str().unwrap())
            .collect()
    };
    assert_eq!(with("removed"), ["summary: First summary.", "Line two."]);
    assert_eq!(
        with("added"),
        [
            "summary: Second summary mentions xylophonists.",
            "Line two changed."
        ]
    );
    assert!(!with("same").is_empty());
    let summary_line = lines.iter().find(|l| l["change"] == "removed").unwrap();
    assert_eq!(summary_line["old_line"], 5);
    assert!(summary_line.get("new_line").is_none());

    // Withdrawal needs a reason.
    let answer = app
        .send(
            Method::DELETE,
            "/api/documents/tz-living",
            Some(TOKEN),
            "text/plain",
            "",
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.json()["error"]["problems"][0]["field"], "reason");
    // Withdrawal: gone from search and from /documents, history kept.
    let answer = app
        .send(
            Method::DELETE,
            "/api/documents/tz-living?reason=superseded",
            Some(TOKEN),
            "text/plain",
            "",
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["action"], "withdraw");
    let (_, found) = app.get_json("/api/search?q=xylophonists").await;
    assert_eq!(found["total"], 0);
    let answer = app.get("/api/documents/tz-living").await;
    assert_eq!(answer.status, StatusCode::GONE);
    assert_eq!(answer.error_code(), "withdrawn");
    assert!(answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("/api/documents/tz-living/revisions"));
    let (status, list) = app.get_json("/api/documents/tz-living/revisions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["withdrawn"], true);
    let (status, _) = app
        .get_json("/api/documents/tz-living/revisions?diff=1..2")
        .await;
    assert_eq!(status, StatusCode::OK);
    let answer = app
        .send(
            Method::DELETE,
            "/api/documents/tz-living",
            Some(TOKEN),
            "application/json",
            r#"{"reason": "again"}"#,
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.error_code(), "already_withdrawn");
    let message = answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("already withdrawn"), "{message}");
    assert!(message.contains("by alice"), "{message}");
    assert!(message.ends_with(": superseded"), "{message}");
    let answer = app
        .send(
            Method::DELETE,
            "/api/documents/tz-never?reason=x",
            Some(TOKEN),
            "text/plain",
            "",
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    // PUT brings it back.
    let answer = app.put_markdown("tz-living", &v2).await;
    assert_eq!(answer.json()["action"], "restore");
    assert_eq!(
        app.get("/api/documents/tz-living").await.status,
        StatusCode::OK
    );

    // The audit log, newest first, names the curator.
    let answer = app
        .call(
            Request::get("/api/audit?page_size=4")
                .header(header::AUTHORIZATION, "Bearer bob-token")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let audit = answer.json();
    assert_eq!(audit["page_size"], 4);
    assert_eq!(audit["total"], 12 + 4);
    let actions: Vec<(&str, &str, u64)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
                e["revision"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("restore", "alice", 4),
            ("withdraw", "alice", 3),
            ("update", "alice", 2),
            ("create", "alice", 1)
        ]
    );
    assert_eq!(audit["entries"][1]["reason"], "superseded");
    // Withdrawal and restoration are entries of the history.
    let (_, list) = app.get_json("/api/documents/tz-living/revisions").await;
    let history: Vec<(&str, Option<&str>)> = list["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["reason"].as_str()))
        .collect();
    assert_eq!(
        history,
        [
            ("create", None),
            ("update", None),
            ("withdraw", Some("superseded")),
            ("restore", None)
        ]
    );
    assert_eq!(audit["entries"][0]["document"], "tz-living");
}

impl TestApp {
    /// A write with an `If-Match` header.
    async fn send_if_match(
        &self,
        method: Method,
        uri: &str,
        token: &str,
        if_match: &str,
        body: &str,
    ) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "text/markdown")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::IF_MATCH, if_match)
            .body(Body::from(body.to_string()))
            .unwrap();
        self.call(request).await
    }
}

#[tokio::test]
async fn two_curators_editing_one_revision_the_second_gets_409_with_the_current_revision() {
    let app = app();
    let v1 = new_document("tz-etag", "First.", "Body.");
    let created = app.post_markdown(&v1).await;
    assert_eq!(created.headers[header::ETAG], "\"1\"");
    let read = app.get("/api/documents/tz-etag").await;
    assert_eq!(
        read.headers[header::ETAG],
        "\"1\"",
        "GET gives the revision as ETag"
    );

    // Alice and Bob both read revision 1; Alice saves first.
    let alice = new_document("tz-etag", "Alice's summary.", "Body.");
    let answer = app
        .send_if_match(
            Method::PUT,
            "/api/documents/tz-etag",
            TOKEN,
            "\"1\"",
            &alice,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.headers[header::ETAG], "\"2\"");
    let bob = new_document("tz-etag", "Bob's summary.", "Body.");
    let answer = app
        .send_if_match(
            Method::PUT,
            "/api/documents/tz-etag",
            "bob-token",
            "\"1\"",
            &bob,
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.error_code(), "conflict");
    assert_eq!(answer.json()["error"]["current_revision"], 2);
    assert!(answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("diff=1..2"));
    let (_, document) = app.get_json("/api/documents/tz-etag").await;
    assert_eq!(
        document["meta"]["summary"], "Alice's summary.",
        "no edit lost"
    );
    // With the current revision, Bob's change goes through.
    let answer = app
        .send_if_match(
            Method::PUT,
            "/api/documents/tz-etag",
            "bob-token",
            "W/\"2\"",
            &bob,
        )
        .await;
    assert_eq!(answer.json()["revision"], 3);

    // A stale withdrawal is refused too; a bad If-Match names the header.
    let answer = app
        .send_if_match(
            Method::DELETE,
            "/api/documents/tz-etag?reason=old",
            TOKEN,
            "\"2\"",
            "",
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.json()["error"]["current_revision"], 3);
    let answer = app
        .send_if_match(Method::PUT, "/api/documents/tz-etag", TOKEN, "latest", &bob)
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["error"]["parameter"], "If-Match");
    // `*` (or no If-Match) writes over whatever is current.
    let answer = app
        .send_if_match(Method::PUT, "/api/documents/tz-etag", TOKEN, "*", &alice)
        .await;
    assert_eq!(answer.json()["revision"], 4);
}

#[tokio::test]
async fn restore_is_an_action_and_refuses_a_document_that_is_not_withdrawn() {
    let app = app();
    app.post_markdown(&new_document("tz-restore", "S.", "Body."))
        .await;
    async fn restore(app: &TestApp) -> Answer {
        app.send(
            Method::POST,
            "/api/documents/tz-restore/restore",
            Some(TOKEN),
            "application/json",
            r#"{"reason": "back in force"}"#,
        )
        .await
    }
    let answer = restore(&app).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert!(answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not withdrawn"));
    let answer = app
        .send(
            Method::DELETE,
            "/api/documents/tz-restore?reason=repealed",
            Some(TOKEN),
            "text/plain",
            "",
        )
        .await;
    assert_eq!(answer.json()["revision"], 2);
    let answer = restore(&app).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["action"], "restore");
    assert_eq!(answer.json()["revision"], 3);
    let (status, document) = app.get_json("/api/documents/tz-restore").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["meta"]["summary"], "S.");
    let (_, list) = app.get_json("/api/documents/tz-restore/revisions").await;
    assert_eq!(list["revisions"][2]["reason"], "back in force");
    let answer = app
        .send(
            Method::POST,
            "/api/documents/tz-none/restore",
            Some(TOKEN),
            "text/plain",
            "",
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn revision_errors_name_what_is_wrong() {
    let app = app();
    let answer = app
        .get("/api/documents/ke-cohesion-act/revisions/abc")
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["error"]["parameter"], "number");
    let answer = app.get("/api/documents/ke-cohesion-act/revisions/9").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = app
        .get("/api/documents/ke-cohesion-act/revisions?diff=1..9")
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = app
        .get("/api/documents/ke-cohesion-act/revisions?diff=one-two")
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["error"]["parameter"], "diff");
    let answer = app.get("/api/documents/nothing/revisions").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = app.get("/api/audit?page=0").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "auth comes first");
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_in_the_error_shape() {
    let app = app();
    let big = "x".repeat(2 * 1024 * 1024);
    // Announced by Content-Length: refused before it is read.
    let answer = app
        .call(
            Request::post("/api/documents")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(header::CONTENT_TYPE, "text/markdown")
                .header(header::CONTENT_LENGTH, big.len())
                .body(Body::from(big.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.error_code(), "payload_too_large");
    // Streamed without a length: refused when the limit is crossed.
    let stream = futures_util::stream::iter(
        big.into_bytes()
            .chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let answer = app
        .call(
            Request::post("/api/documents")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(header::CONTENT_TYPE, "text/markdown")
                .body(Body::from_stream(stream))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.error_code(), "payload_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_keep_working_while_writes_commit() {
    let app = app();
    let mut tasks = Vec::new();
    for round in 0..6 {
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            let document = new_document(
                "tz-busy",
                &format!("Revision number {round} of a busy document."),
                "Body.",
            );
            let method = if round == 0 {
                Method::POST
            } else {
                Method::PUT
            };
            let uri = if round == 0 {
                "/api/documents".to_string()
            } else {
                "/api/documents/tz-busy".to_string()
            };
            let response = server::router(state)
                .oneshot(
                    Request::builder()
                        .method(method)
                        .uri(uri)
                        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                        .header(header::CONTENT_TYPE, "text/markdown")
                        .body(Body::from(document))
                        .unwrap(),
                )
                .await
                .unwrap();
            response.status()
        }));
        for _ in 0..8 {
            let state = app.state.clone();
            tasks.push(tokio::spawn(async move {
                let response = server::router(state)
                    .oneshot(
                        Request::get("/api/search?q=genocide&theme=genocide")
                            .body(Body::empty())
                            .unwrap(),
                    )
                    .await
                    .unwrap();
                response.status()
            }));
        }
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    // Every search succeeded; writes either created, updated, or (racing the POST) found nothing yet.
    assert!(statuses
        .iter()
        .all(|s| [StatusCode::OK, StatusCode::CREATED, StatusCode::NOT_FOUND].contains(s)));
    let searches = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!(searches >= 48, "{statuses:?}");
}

// --- reference data -------------------------------------------------------------------------

#[tokio::test]
async fn taxonomy_has_every_vocabulary_in_three_languages() {
    let app = app();
    let (status, body) = app.get_json("/api/taxonomy").await;
    assert_eq!(status, StatusCode::OK);
    for vocabulary in [
        "types",
        "themes",
        "stages",
        "mechanism_types",
        "instruments",
        "languages",
    ] {
        let terms = body[vocabulary].as_array().unwrap();
        assert!(!terms.is_empty(), "{vocabulary}");
        for term in terms {
            for lang in ["en", "fr", "es"] {
                assert!(term["labels"][lang].is_string(), "{vocabulary} {lang}");
            }
        }
    }
    assert!(body["themes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["slug"] == "hate-speech"));
    assert_eq!(body["facet_groups"].as_array().unwrap().len(), 10);
    assert!(body["regions"].as_array().unwrap().len() > 10);
    let kenya = body["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["iso2"] == "KE")
        .unwrap()
        .clone();
    assert_eq!(kenya["iso3"], "KEN");
    assert_eq!(kenya["region"], "eastern-africa");
}

#[tokio::test]
async fn stats_count_the_fixture() {
    let app = app();
    let (status, body) = app.get_json("/api/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["documents"], 12);
    assert_eq!(body["indexed"], 12);
    assert_eq!(body["withdrawn"], 0);
    assert!(body["by_type"].is_array());
}

// --- OpenAPI --------------------------------------------------------------------------------

/// Every route the router serves, as (method, path template).
const ROUTES: [(&str, &str); 37] = [
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/feed.atom"),
    ("get", "/api/openapi.json"),
    ("get", "/api/search"),
    ("get", "/api/taxonomy"),
    ("get", "/api/stats"),
    ("get", "/api/audit"),
    ("get", "/api/backup"),
    ("post", "/api/documents"),
    ("get", "/api/documents/{id}"),
    ("put", "/api/documents/{id}"),
    ("delete", "/api/documents/{id}"),
    ("post", "/api/documents/{id}/restore"),
    ("get", "/api/documents/{id}/revisions"),
    ("get", "/api/documents/{id}/revisions/{number}"),
    ("get", "/api/countries/{iso}"),
    ("get", "/api/laws"),
    ("get", "/api/region-profiles/{region}"),
    ("get", "/api/spectrum"),
    ("get", "/api/manual"),
    ("get", "/api/manual/{chapter}/mechanisms.csv"),
    // Networks, glossary and curriculum.
    ("get", "/api/networks"),
    ("get", "/api/networks/{id}"),
    ("get", "/api/glossary"),
    ("get", "/api/curriculum"),
    // Contributions (src/server/contributions.rs).
    ("post", "/api/proposals"),
    ("get", "/api/proposals"),
    ("get", "/api/proposals/{number}"),
    ("post", "/api/proposals/{number}/accept"),
    ("post", "/api/proposals/{number}/decline"),
    ("get", "/api/contributor/proposals"),
    ("post", "/api/invitations"),
    ("get", "/api/invitations"),
    ("delete", "/api/invitations/{id}"),
    ("post", "/api/contributors"),
];

#[tokio::test]
async fn openapi_documents_exactly_the_routes_served() {
    let app = app();
    let (status, doc) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                documented.push((method.clone(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut served: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    served.sort();
    assert_eq!(documented, served);

    // And each documented operation is really routed: no fallback answers.
    for (method, path) in &documented {
        let uri = path
            .replace("{id}", "ke-cohesion-act")
            .replace("{number}", "1")
            .replace("{chapter}", "guiding");
        let method: Method = method.to_uppercase().parse().unwrap();
        let answer = app
            .send(method.clone(), &uri, None, "text/markdown", "")
            .await;
        assert_ne!(
            answer.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
        if answer.status == StatusCode::NOT_FOUND {
            let body = answer.json();
            assert!(
                !body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("no route"),
                "{method} {uri}"
            );
        }
    }

    // The search parameters, the error shape and the curator scheme are described.
    let search = &doc["paths"]["/api/search"]["get"];
    let names: Vec<&str> = search["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in ["q", "type", "region", "page_size", "format", "lang"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["schemas"]["SearchResponse"].is_object());
    assert!(doc["components"]["securitySchemes"]["curator_token"].is_object());
    assert!(doc["paths"]["/api/documents"]["post"]["security"].is_array());
}

/// Checks `value` against an OpenAPI schema: types, required properties, enums, and no
/// property the schema does not describe. Returns every mismatch.
fn schema_errors(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        if target.is_null() {
            return vec![format!("{at}: dangling reference {reference}")];
        }
        return schema_errors(doc, target, value, at);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema[key].as_array() {
            if branches
                .iter()
                .any(|b| schema_errors(doc, b, value, at).is_empty())
            {
                return Vec::new();
            }
            return vec![format!("{at}: matches no branch of {key}: {value}")];
        }
    }
    let mut errors = Vec::new();
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            errors.extend(schema_errors(doc, part, value, at));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() {
        let fits = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => true,
        });
        if !fits {
            return vec![format!("{at}: {value} is not {types:?}")];
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} not in {allowed:?}"));
        }
    }
    if let Value::Object(object) = value {
        let properties = schema["properties"].as_object();
        if let Some(required) = schema["required"].as_array() {
            for name in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    errors.push(format!("{at}: required property {name} is missing"));
                }
            }
        }
        for (key, item) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(property) => {
                    errors.extend(schema_errors(doc, property, item, &format!("{at}.{key}")))
                }
                None => match &schema["additionalProperties"] {
                    Value::Object(_) => errors.extend(schema_errors(
                        doc,
                        &schema["additionalProperties"],
                        item,
                        &format!("{at}.{key}"),
                    )),
                    Value::Bool(true) => {}
                    _ => errors.push(format!("{at}: property {key} is not in the schema")),
                },
            }
        }
    }
    if let Value::Array(items) = value {
        if let Some(prefix) = schema["prefixItems"].as_array() {
            for (i, (item, item_schema)) in items.iter().zip(prefix).enumerate() {
                errors.extend(schema_errors(doc, item_schema, item, &format!("{at}[{i}]")));
            }
        } else if schema["items"].is_object() {
            for (i, item) in items.iter().enumerate() {
                errors.extend(schema_errors(
                    doc,
                    &schema["items"],
                    item,
                    &format!("{at}[{i}]"),
                ));
            }
        }
    }
    errors
}

/// The schema an operation documents for a status and content type.
fn response_schema<'a>(doc: &'a Value, method: &str, path: &str, status: u16) -> &'a Value {
    let schema = &doc["paths"][path][method]["responses"][status.to_string()]["content"]
        ["application/json"]["schema"];
    assert!(
        !schema.is_null(),
        "{method} {path} documents no JSON for {status}"
    );
    schema
}

/// Two resources' `DocumentRef`s once shared one schema name, and the one merged last was
/// described with the other's fields.
#[tokio::test]
async fn the_spectrum_and_the_networks_describe_their_own_document_links() {
    let app = app();
    let (_, doc) = app.get_json("/api/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    let properties = |name: &str| -> Vec<String> {
        let object = schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no schema {name}"));
        object.keys().cloned().collect()
    };
    assert!(properties("SpectrumDocumentRef").contains(&"countries".to_string()));
    assert!(properties("NetworkDocumentRef").contains(&"country_names".to_string()));
    assert!(schemas.get("DocumentRef").is_none());
}
#[tokio::test]
async fn responses_match_the_schemas_the_openapi_document_gives() {
    let app = app();
    let (_, doc) = app.get_json("/api/openapi.json").await;
    assert!(app
        .post_markdown(&new_document("tz-schema", "One.", "Body one."))
        .await
        .status
        .is_success());
    assert!(app
        .put_markdown("tz-schema", &new_document("tz-schema", "Two.", "Body two."))
        .await
        .status
        .is_success());
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let authorised = |uri: &str| {
        Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap()
    };
    let cases: Vec<(&str, &str, Request<Body>)> = vec![
        ("/healthz", "/healthz", get("/healthz")),
        ("/readyz", "/readyz", get("/readyz")),
        (
            "/api/search",
            "/api/search?q=genocide&country=KE,RW&lang=es",
            get("/api/search?q=genocide&country=KE,RW&lang=es"),
        ),
        (
            "/api/search",
            "/api/search?region=atlantis",
            get("/api/search?region=atlantis"),
        ),
        (
            "/api/documents/{id}",
            "/api/documents/ke-cohesion-act",
            get("/api/documents/ke-cohesion-act"),
        ),
        (
            "/api/documents/{id}",
            "/api/documents/nope",
            get("/api/documents/nope"),
        ),
        (
            "/api/documents/{id}/revisions",
            "list",
            get("/api/documents/tz-schema/revisions"),
        ),
        (
            "/api/documents/{id}/revisions",
            "diff",
            get("/api/documents/tz-schema/revisions?diff=1..2"),
        ),
        (
            "/api/documents/{id}/revisions/{number}",
            "one",
            get("/api/documents/tz-schema/revisions/2"),
        ),
        ("/api/taxonomy", "/api/taxonomy", get("/api/taxonomy")),
        ("/api/stats", "/api/stats", get("/api/stats")),
        ("/api/audit", "/api/audit", authorised("/api/audit")),
        (
            "/api/spectrum",
            "/api/spectrum?country=KE&lang=fr",
            get("/api/spectrum?country=KE&lang=fr"),
        ),
        (
            "/api/spectrum",
            "/api/spectrum?region=atlantis",
            get("/api/spectrum?region=atlantis"),
        ),
        ("/api/audit", "no token", get("/api/audit")),
    ];
    for (path, label, request) in cases {
        let answer = app.call(request).await;
        let schema = response_schema(&doc, "get", path, answer.status.as_u16());
        let errors = schema_errors(&doc, schema, &answer.json(), "$");
        assert!(errors.is_empty(), "{path} ({label}): {errors:#?}");
    }
    // The checker is not vacuous: a document is not a search response, nor an error.
    let document = app.get("/api/documents/ke-cohesion-act").await.json();
    let search = response_schema(&doc, "get", "/api/search", 200);
    assert!(!schema_errors(&doc, search, &document, "$").is_empty());
    let error = response_schema(&doc, "get", "/api/search", 400);
    assert!(!schema_errors(&doc, error, &document, "$").is_empty());
    let mut extra = app.get("/api/stats").await.json();
    extra["surprise"] = Value::from(1);
    let stats = response_schema(&doc, "get", "/api/stats", 200);
    assert!(!schema_errors(&doc, stats, &extra, "$").is_empty());
    // Writes and their errors.
    let answer_errors = |answer: &Answer, method: &str, path: &str, status: u16| {
        schema_errors(
            &doc,
            response_schema(&doc, method, path, status),
            &answer.json(),
            "$",
        )
    };
    let answer = app
        .post_markdown(&new_document("tz-schema-2", "x", "y"))
        .await;
    assert_eq!(
        answer_errors(&answer, "post", "/api/documents", 201),
        Vec::<String>::new()
    );
    let answer = app.post_markdown("---\ntitle: x\n---\n").await;
    assert_eq!(
        answer_errors(&answer, "post", "/api/documents", 422),
        Vec::<String>::new()
    );
    let answer = app
        .send(
            Method::DELETE,
            "/api/documents/tz-schema?reason=test",
            Some(TOKEN),
            "text/plain",
            "",
        )
        .await;
    assert_eq!(
        answer_errors(&answer, "delete", "/api/documents/{id}", 200),
        Vec::<String>::new()
    );
    let answer = app.get("/api/documents/tz-schema").await;
    assert_eq!(
        answer_errors(&answer, "get", "/api/documents/{id}", 410),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = app();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(listener, app.state.clone(), async {
        let _ = stopped.await;
    }));

    // A write whose body is still arriving when shutdown begins.
    let body = new_document("tz-in-flight", "Sent slowly.", "Body.");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/documents HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: text/markdown\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..20]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !server.is_finished(),
        "the server waits for the request in flight"
    );
    assert!(!app.state.is_ready(), "not ready once shutdown has begun");

    stream.write_all(&body.as_bytes()[20..]).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops once the request is done")
        .unwrap()
        .unwrap();
    assert!(app.state.kb().document("tz-in-flight").unwrap().is_some());
}
