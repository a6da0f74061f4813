//! Hostile input and hostile clients: every class of bad request gets a clear 4xx in the API's
//! JSON error shape (HTML for pages), never a 5xx; the connection, concurrency and rate limits
//! hold; sessions, headers and escaping are what a public instance needs. Then bounded,
//! fixed-seed randomized tests of the three parsers that read untrusted text: front matter,
//! Markdown and the query language (see RELIABILITY.md for why not cargo-fuzz).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use praxis::server::{router, AppState, ServerConfig, Tokens};
use praxis::KnowledgeBase;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use crate::common::{call as send, fixture, small_kb, Answer};

const TOKEN: &str = "reliability-token";

fn state_with(config: ServerConfig) -> (tempfile::TempDir, AppState) {
    let (data, kb) = small_kb();
    let state = AppState::with_config(Arc::new(kb), Tokens::from_plain([("alice", TOKEN)]), config);
    (data, state)
}

fn document(id: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: A test law\ntype: law\nsummary: A summary.\ncountries: [KE]\nthemes: [hate-speech]\nyear: 2010\nlanguage: en\nstatus: in-force\nshareable: true\nsources:\n  - url: https://example.org/law\n---\n{body}\n"
    )
}

/// One hostile request and what it must get.
struct Case {
    what: &'static str,
    method: &'static str,
    uri: String,
    content_type: Option<&'static str>,
    authorized: bool,
    body: Vec<u8>,
    status: u16,
    /// The JSON error code, or `None` for an HTML page (or a success).
    code: Option<&'static str>,
}

fn case(what: &'static str, method: &'static str, uri: impl Into<String>, status: u16) -> Case {
    Case {
        what,
        method,
        uri: uri.into(),
        content_type: None,
        authorized: false,
        body: Vec::new(),
        status,
        code: None,
    }
}

impl Case {
    fn code(mut self, code: &'static str) -> Case {
        self.code = Some(code);
        self
    }

    fn write(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Case {
        self.authorized = true;
        self.content_type = Some(content_type);
        self.body = body.into();
        self
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_clear_errors_and_never_a_5xx() {
    let (_data, state) = state_with(ServerConfig::default());
    let long_id = "a".repeat(70_000);
    // URLs (and the `http` crate) stop at 64 KiB: 60,000 characters in a path.
    let long_path_id = "a".repeat(60_000);
    let deep = document("deep-quotes", &">".repeat(100_000));
    let cases = vec![
        case(
            "unknown filter value",
            "GET",
            "/api/search?region=atlantis",
            400,
        )
        .code("invalid_filter"),
        case("page zero", "GET", "/api/search?page=0", 400).code("invalid_parameter"),
        case("huge page size", "GET", "/api/search?page_size=100000", 400)
            .code("invalid_parameter"),
        case("year not a number", "GET", "/api/search?year_from=abc", 400)
            .code("invalid_parameter"),
        case(
            "unknown filter on the feed",
            "GET",
            "/feed.atom?region=atlantis",
            400,
        )
        .code("invalid_filter"),
        case(
            "invalid UTF-8 in the query is refused, naming the parameter",
            "GET",
            "/api/search?q=%FF%FE",
            400,
        )
        .code("invalid_parameter"),
        case(
            "a query of 10,000 brackets is read leniently",
            "GET",
            format!("/api/search?q={}", "(".repeat(10_000)),
            200,
        ),
        case(
            "a 60,000-character id in the URL",
            "GET",
            format!("/api/documents/{long_path_id}"),
            404,
        )
        .code("not_found"),
        case(
            "a 60,000-character id in a page URL",
            "GET",
            format!("/documents/{long_path_id}"),
            404,
        ),
        case(
            "path traversal in an id",
            "GET",
            "/api/documents/..%2F..%2Fetc%2Fpasswd",
            404,
        )
        .code("not_found"),
        case(
            "revision number overflow",
            "GET",
            "/api/documents/ke-cohesion-act/revisions/99999999999999999999",
            400,
        )
        .code("invalid_parameter"),
        case("unknown route", "GET", "/api/wp-admin.php", 404).code("not_found"),
        case("unknown page", "GET", "/wp-admin.php", 404),
        case("invented method", "BREW", "/api/search", 405).code("method_not_allowed"),
        case("write without a token", "POST", "/api/documents", 401).code("unauthorized"),
        case("malformed JSON", "POST", "/api/documents", 400)
            .write("application/json", "{\"markdown\": ")
            .code("invalid_body"),
        case("unsupported body type", "POST", "/api/documents", 415)
            .write("image/png", "\u{89}PNG")
            .code("unsupported_media_type"),
        case("body over the limit", "POST", "/api/documents", 413)
            .write("text/markdown", vec![b'a'; 2 * 1024 * 1024])
            .code("payload_too_large"),
        case(
            "a 70,000-character id in a document",
            "POST",
            "/api/documents",
            422,
        )
        .write("text/markdown", document(&long_id, "Body."))
        .code("validation_failed"),
        case(
            "100 KB of nested block quotes",
            "POST",
            "/api/documents",
            422,
        )
        .write("text/markdown", deep.clone())
        .code("validation_failed"),
        case(
            "nested block quotes in an update",
            "PUT",
            "/api/documents/ke-cohesion-act",
            422,
        )
        .write(
            "text/markdown",
            deep.replace("deep-quotes", "ke-cohesion-act"),
        )
        .code("validation_failed"),
        case("binary body", "POST", "/api/documents", 422)
            .write("text/markdown", vec![0u8, 159, 146, 150])
            .code("validation_failed"),
    ];
    for case in cases {
        let mut request = Request::builder().method(case.method).uri(&case.uri);
        if let Some(content_type) = case.content_type {
            request = request.header("content-type", content_type);
        }
        if case.authorized {
            request = request.header("authorization", format!("Bearer {TOKEN}"));
        }
        let answer = send(&state, request.body(Body::from(case.body)).unwrap()).await;
        assert_eq!(
            answer.status.as_u16(),
            case.status,
            "{}: {}",
            case.what,
            answer.text().chars().take(300).collect::<String>()
        );
        assert!(!answer.status.is_server_error(), "{}", case.what);
        if let Some(code) = case.code {
            assert!(
                answer
                    .header("content-type")
                    .starts_with("application/json"),
                "{}",
                case.what
            );
            let json = answer.json();
            assert_eq!(json["error"]["code"], code, "{}: {json}", case.what);
            let message = json["error"]["message"].as_str().unwrap_or("");
            assert!(!message.is_empty(), "{}", case.what);
        } else if answer.status.is_client_error() {
            assert!(
                answer.header("content-type").starts_with("text/html"),
                "{}",
                case.what
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_names_the_line_of_the_deep_nesting() {
    let (_data, state) = state_with(ServerConfig::default());
    let text = document("deep-quotes", &format!("Fine.\n\n{}", ">".repeat(100_000)));
    let request = Request::post("/api/documents")
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "text/markdown")
        .body(Body::from(text.clone()))
        .unwrap();
    let json = send(&state, request).await.json();
    let problem = &json["error"]["problems"][0];
    let expected_line = text.lines().position(|l| l.starts_with(">>>")).unwrap() + 1;
    assert_eq!(problem["line"], expected_line, "{json}");
    assert!(
        problem["message"].as_str().unwrap().contains("nested"),
        "{json}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers() {
    let (_data, state) = state_with(ServerConfig::default());
    for uri in [
        "/",
        "/api/search?q=law",
        "/documents/ke-cohesion-act",
        "/nope",
    ] {
        let answer = send(&state, Request::get(uri).body(Body::empty()).unwrap()).await;
        let csp = answer.header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert_eq!(answer.header("x-content-type-options"), "nosniff");
        assert_eq!(answer.header("referrer-policy"), "same-origin");
        assert_eq!(answer.header("x-frame-options"), "DENY");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_exports_neutralise_formulas() {
    let (_data, state) = state_with(ServerConfig::default());
    let text = document("formula-law", "Body.").replace(
        "title: A test law",
        "title: \"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\"",
    );
    let request = Request::post("/api/documents")
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "text/markdown")
        .body(Body::from(text))
        .unwrap();
    assert_eq!(send(&state, request).await.status, StatusCode::CREATED);
    let answer = send(
        &state,
        Request::get("/api/search?q=&format=csv")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let csv = answer.text();
    let row = csv
        .lines()
        .find(|l| l.starts_with("formula-law"))
        .unwrap_or_else(|| panic!("the document is exported: {csv}"));
    assert!(row.contains(",\"'=HYPERLINK("), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_beyond_the_concurrency_limit_get_429_with_retry_after() {
    let mut config = ServerConfig::default();
    config.limits.concurrent_exports = 1;
    let (_data, state) = state_with(config);
    let held = state.limits().export_slot().unwrap();
    let answer = send(
        &state,
        Request::get("/api/search?format=ndjson")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.json()["error"]["code"], "too_many_requests");
    assert!(answer.header("retry-after").parse::<u64>().unwrap() >= 1);
    drop(held);
    let answer = send(
        &state,
        Request::get("/api/search?format=ndjson")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.text().lines().count(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_writes_and_exports_are_rate_limited_per_client() {
    let mut config = ServerConfig::default();
    config.limits.sign_ins_per_minute = 2;
    config.limits.writes_per_minute = 2;
    config.limits.exports_per_minute = 2;
    let (_data, state) = state_with(config);
    let from = |ip: &str, request: axum::http::request::Builder, body: Body| {
        let peer: SocketAddr = format!("{ip}:40000").parse().unwrap();
        let mut request = request.body(body).unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    };
    let sign_in = || {
        Request::post("/curate/login").header("content-type", "application/x-www-form-urlencoded")
    };
    let write = || {
        Request::delete("/api/documents/no-such-document")
            .header("authorization", format!("Bearer {TOKEN}"))
    };
    let export = || Request::get("/api/search?format=csv");
    for (what, make) in [
        (
            "sign-in",
            &sign_in as &dyn Fn() -> axum::http::request::Builder,
        ),
        ("write", &write),
        ("export", &export),
    ] {
        for _ in 0..2 {
            let answer = send(
                &state,
                from("192.0.2.10", make(), Body::from("token=wrong")),
            )
            .await;
            assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{what}");
        }
        let answer = send(
            &state,
            from("192.0.2.10", make(), Body::from("token=wrong")),
        )
        .await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{what}");
        assert!(answer.header("retry-after").parse::<u64>().unwrap() >= 1);
        if what == "sign-in" {
            // The desk is a page: its refusal is one too.
            assert!(answer.header("content-type").starts_with("text/html"));
            assert!(answer.text().contains("too many sign-in attempts"));
        } else {
            assert_eq!(answer.json()["error"]["code"], "too_many_requests");
        }
        // Another client still gets through.
        let answer = send(
            &state,
            from("192.0.2.11", make(), Body::from("token=wrong")),
        )
        .await;
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{what}");
    }
    // Searches are not rate limited.
    for _ in 0..5 {
        let answer = send(
            &state,
            from(
                "192.0.2.10",
                Request::get("/api/search?q=law"),
                Body::empty(),
            ),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
    }
}

fn cookie_of(answer: &Answer) -> (String, String) {
    let set_cookie = answer.header("set-cookie").to_string();
    let pair = set_cookie.split(';').next().unwrap().trim().to_string();
    (pair, set_cookie)
}

async fn csrf_of(state: &AppState, cookie: &str) -> String {
    let desk = send(
        state,
        Request::get("/curate")
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .text();
    let at = desk
        .find("name=\"csrf\" value=\"")
        .expect("the desk has a form")
        + 19;
    desk[at..at + 64].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desk_sessions_are_random_expire_and_end_at_sign_out() {
    let config = ServerConfig {
        secure_cookies: true,
        ..ServerConfig::default()
    };
    let (_data, state) = state_with(config);
    let login = || {
        Request::post("/curate/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={TOKEN}")))
            .unwrap()
    };
    let answer = send(&state, login()).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let (cookie, set_cookie) = cookie_of(&answer);
    assert!(!set_cookie.contains(TOKEN), "{set_cookie}");
    let id = cookie.strip_prefix("praxis_curator=").unwrap();
    assert_eq!(id.len(), 64, "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Max-Age=28800"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let (other, _) = cookie_of(&send(&state, login()).await);
    assert_ne!(cookie, other, "every sign-in opens a new session");
    // The token itself is not a session.
    let desk = send(
        &state,
        Request::get("/curate")
            .header("cookie", format!("praxis_curator={TOKEN}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(!desk.text().contains("name=\"csrf\""));

    let csrf = csrf_of(&state, &cookie).await;
    let withdraw = |csrf: &str| {
        Request::post("/curate/documents/ke-cohesion-act/withdraw")
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}&lang=en")))
            .unwrap()
    };
    let logout = Request::post("/curate/logout")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}&lang=en")))
        .unwrap();
    assert_eq!(send(&state, logout).await.status, StatusCode::SEE_OTHER);
    // A copy of the signed-out cookie writes nothing.
    let answer = send(&state, withdraw(&csrf)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text());
    assert!(
        !state
            .kb()
            .document("ke-cohesion-act")
            .unwrap()
            .unwrap()
            .withdrawn
    );
    // The other session is still open.
    assert_eq!(csrf_of(&state, &other).await.len(), 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_stay_bounded_under_invented_methods_and_paths() {
    let (_data, state) = state_with(ServerConfig::default());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut sizes = Vec::new();
    for round in 0..300 {
        let method: String = (0..8)
            .map(|_| char::from(rng.random_range(b'A'..=b'Z')))
            .collect();
        let path = format!("/{}/{round}", rng.random::<u64>());
        send(
            &state,
            Request::builder()
                .method(method.as_str())
                .uri(path)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        // The first reading of /metrics adds its own series; compare two later ones.
        if round == 50 || round == 150 || round == 299 {
            let metrics = send(
                &state,
                Request::get("/metrics").body(Body::empty()).unwrap(),
            )
            .await;
            sizes.push(metrics.text().lines().count());
        }
    }
    assert_eq!(sizes[1], sizes[2], "new series appeared: {sizes:?}");
}

// --- over a real socket: what the HTTP layer and the connection limits do -----------------------

struct Listening {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _data: tempfile::TempDir,
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn listen(config: ServerConfig) -> Listening {
    let (data, state) = state_with(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(praxis::server::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    Listening {
        addr,
        stop: Some(stop),
        _data: data,
    }
}

/// Sends raw bytes, reads until the server closes (at most 5 s): status, head and body.
async fn raw(addr: SocketAddr, request: &[u8]) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_the_http_layer_cannot_read_get_json_errors() {
    let server = listen(ServerConfig::default()).await;
    let long_uri = format!(
        "GET /api/search?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(100_000)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..200)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let cases: [(&str, Vec<u8>, u16, &str); 5] = [
        ("long URI", long_uri.into_bytes(), 414, "uri_too_long"),
        (
            "large header",
            big_header.into_bytes(),
            431,
            "headers_too_large",
        ),
        (
            "too many headers",
            many_headers.into_bytes(),
            431,
            "headers_too_large",
        ),
        (
            "garbage request line",
            b"\x16\x03\x01 hello\r\n\r\n".to_vec(),
            400,
            "malformed_request",
        ),
        (
            "header without a colon",
            b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n".to_vec(),
            400,
            "malformed_request",
        ),
    ];
    for (what, request, status, code) in cases {
        let (got, head, body) = raw(server.addr, &request).await;
        assert_eq!(got, status, "{what}: {head}");
        assert!(
            head.contains("content-type: application/json"),
            "{what}: {head}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"));
        assert_eq!(json["error"]["code"], code, "{what}");
    }
    // An ordinary request on the same server is unaffected.
    let (status, _, body) = raw(
        server.addr,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_half_sent_connections_are_closed() {
    let mut config = ServerConfig::default();
    config.connections.header_read_timeout = Duration::from_millis(500);
    let server = listen(config).await;
    let closed_within = |mut stream: tokio::net::TcpStream| async move {
        let started = std::time::Instant::now();
        let mut sink = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut sink)).await;
        assert!(read.is_ok(), "the connection is still open after 5 s");
        started.elapsed()
    };
    // Sends nothing at all.
    let silent = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    // Sends half a request head, then stalls.
    let mut half = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    // Makes one request, then idles on the kept-alive connection.
    let mut idle = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    for stream in [silent, half, idle] {
        let elapsed = closed_within(stream).await;
        assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_are_closed_and_the_server_recovers() {
    let mut config = ServerConfig::default();
    config.connections.max_connections = 4;
    config.connections.header_read_timeout = Duration::from_millis(500);
    let server = listen(config).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(tokio::net::TcpStream::connect(server.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, _, _) = raw(server.addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status, 0, "a fifth connection is closed unanswered");
    // The silent ones time out and free their slots.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (status, _, _) = raw(
        server.addr,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200);
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unread_export_is_given_up_after_the_write_timeout_and_frees_its_slot() {
    // 1,500 documents: an export of several chunks (256 rows each), more than the export's
    // channel holds.
    let corpus = tempfile::tempdir().unwrap();
    for i in 0..1500 {
        let text = document(&format!("bulk-{i}"), "Body.");
        std::fs::write(corpus.path().join(format!("bulk-{i}.md")), text).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb
        .ingest(&[corpus.path().to_path_buf()], &|_, _| {})
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let mut config = ServerConfig::default();
    config.limits.export_write_timeout = Duration::from_millis(300);
    config.limits.concurrent_exports = 1;
    let state = AppState::with_config(Arc::new(kb), Tokens::none(), config);
    let export = || {
        Request::get("/api/search?format=ndjson")
            .body(Body::empty())
            .unwrap()
    };
    // A client that gets the response head and never reads the body.
    let stalled = router(state.clone()).oneshot(export()).await.unwrap();
    assert_eq!(stalled.status(), StatusCode::OK);
    assert_eq!(
        send(&state, export()).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Past the write timeout the export gives up and frees its slot, while the stalled body
    // is still held unread.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let answer = send(&state, export()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.text().lines().count(), 1500);
    // What the stalled client reads ends in an error, not in a complete-looking file.
    let read = axum::body::to_bytes(stalled.into_body(), usize::MAX).await;
    assert!(
        read.is_err(),
        "a given-up export must not end like a whole one"
    );
}

// --- bounded randomized tests (fixed seeds) of the parsers of untrusted text --------------------

/// Random text over an alphabet rich in what the parser treats specially.
fn random_text(rng: &mut rand_chacha::ChaCha8Rng, alphabet: &[&str], max_tokens: usize) -> String {
    let count = rng.random_range(0..max_tokens);
    (0..count)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())])
        .collect()
}

#[test]
fn random_front_matter_is_validated_without_panics_and_problems_point_into_the_file() {
    let taxonomy = praxis::Taxonomy::builtin();
    let good = std::fs::read_to_string(fixture("small/laws/ke-cohesion-act.md")).unwrap();
    let alphabet = [
        "---\n",
        "\n",
        ":",
        " ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "'",
        "#",
        "&a",
        "*a",
        "!!str ",
        "|",
        ">",
        "\t",
        "id",
        "title",
        "year: ",
        "2008",
        "countries: [KE]",
        "é",
        "\u{feff}",
        "\0",
        "sources:\n  - url: ",
        "x",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
    for _ in 0..1500 {
        // Splice random tokens into the good document at a random place.
        let mut text = good.clone();
        for _ in 0..rng.random_range(1..4) {
            let mut at = rng.random_range(0..=text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let insert = random_text(&mut rng, &alphabet, 12);
            let remove = rng.random_range(0..8).min(text.len() - at);
            let mut end = at + remove;
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(at..end, &insert);
        }
        let lines = text.lines().count() + 1;
        if let Err(problems) = praxis::document::validate::parse_document(
            "random.md",
            text.as_bytes(),
            Some("random"),
            &taxonomy,
        ) {
            assert!(!problems.is_empty());
            for problem in problems {
                assert!(!problem.message.to_string().is_empty());
                if let Some(line) = problem.line {
                    assert!((1..=lines).contains(&line), "{problem} in {text:?}");
                }
            }
        }
    }
}

#[test]
fn random_markdown_renders_safely_and_in_proportion_to_its_size() {
    use praxis::document::markdown::{check_structure, to_plain_text, to_safe_html};
    let alphabet = [
        ">",
        "> ",
        "- ",
        "* ",
        "1. ",
        "  ",
        "\n",
        "\n\n",
        "[",
        "]",
        "(",
        ")",
        "![",
        "<",
        ">",
        "`",
        "```\n",
        "|",
        "|---",
        "*",
        "_",
        "~~",
        "#",
        "a",
        "word ",
        "http://x.org",
        "<script>",
        "javascript:",
        "[^1]",
        "[^1]: ",
        "\\",
        "&amp;",
        "    ",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(34);
    for _ in 0..2000 {
        let text = random_text(&mut rng, &alphabet, 600);
        let html = to_safe_html(&text);
        assert!(!html.contains("<script"), "{text:?}");
        assert!(!html.contains("href=\"javascript:"), "{text:?}");
        // Output in proportion to the input: nothing amplifies it.
        assert!(
            html.len() <= 64 * text.len() + 64,
            "{} -> {}",
            text.len(),
            html.len()
        );
        let plain = to_plain_text(&text);
        assert!(plain.len() <= 2 * text.len() + 16);
        if let Err(problem) = check_structure(&text) {
            assert!(
                (1..=text.lines().count().max(1)).contains(&problem.line),
                "{problem:?}"
            );
        }
    }
    // The same alphabet, built deep on purpose: always refused, never parsed.
    for depth in [17, 100, 10_000] {
        let text = format!("{}text\n", "> - ".repeat(depth));
        assert!(check_structure(&text).is_err(), "{depth}");
        assert!(to_safe_html(&text).starts_with("<pre>"));
    }
}

#[test]
fn random_queries_always_parse_and_search() {
    let (_data, kb) = small_kb();
    let kb: KnowledgeBase = kb;
    let alphabet = [
        "\"",
        "-",
        ":",
        "title:",
        "summary:",
        "body:",
        "(",
        ")",
        "*",
        "?",
        "~",
        "^",
        "AND ",
        "OR ",
        "NOT ",
        " ",
        "law",
        "hate",
        "speech",
        "é",
        "ß",
        "\u{202e}",
        "\\",
        "+",
        "!",
        "{",
        "}",
        "[",
        "]",
        "/",
        "r2p",
        "early warning",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(56);
    for _ in 0..400 {
        let q = random_text(&mut rng, &alphabet, 30);
        let _ = praxis::index::query::parse(&q);
        let request = praxis::SearchRequest {
            q: q.clone(),
            ..Default::default()
        };
        let response = kb.search(&request);
        assert!(response.is_ok(), "{q:?}: {response:?}");
    }
}
