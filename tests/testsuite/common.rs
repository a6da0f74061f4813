//! Shared helpers: fixture corpora copied into temporary folders, knowledge bases on them,
//! requests through the router.

use std::path::{Path, PathBuf};

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use praxis::server::AppState;
use praxis::KnowledgeBase;
use tower::ServiceExt;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of a fixture corpus in a temporary folder, so tests can edit and delete files.
pub fn corpus_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join(name);
    copy_dir(&fixture(name), &target);
    (dir, target)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// A knowledge base in a temporary data folder with the `small` fixture ingested.
pub fn small_kb() -> (tempfile::TempDir, KnowledgeBase) {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[fixture("small")], &|_, _| {}).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.added.len(), 12);
    (data, kb)
}

/// A response from the router: its status, headers and whole body.
pub struct Answer {
    pub status: axum::http::StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            // The start of the body says what came instead; a whole page would bury the failure.
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value, empty when absent or not text.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Sends `request` through the whole router on `state` (no socket) and reads the answer.
pub async fn call(state: &AppState, request: Request<Body>) -> Answer {
    let response = praxis::server::router(state.clone())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// The path of the praxis binary built for these tests.
pub fn praxis_bin() -> &'static str {
    env!("CARGO_BIN_EXE_praxis")
}

/// A running `praxis serve`, killed if a test fails before stopping it.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `praxis serve` on a free port with one curator token (curator name `e2e`).
pub fn start_server(data: &std::path::Path, token: &str) -> Server {
    start_server_with(data, token, &[])
}

/// [`start_server`] with more environment variables (contributor tokens, say).
pub fn start_server_with(data: &std::path::Path, token: &str, env: &[(&str, String)]) -> Server {
    let hash = praxis::server::auth::hash_token(token);
    let mut child = Command::new(praxis_bin())
        .args(["--data"])
        .arg(data)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("PRAXIS_CURATOR_TOKENS", format!("e2e:{hash}"))
        .env("PRAXIS_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // The server prints its bound address once listening.
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("the server printed its address");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    Server { child, base }
}
