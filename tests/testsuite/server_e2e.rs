//! The real binary over real HTTP: `praxis serve` on a free port against a temporary data
//! directory holding the small fixture, exercised with an HTTP client, then stopped with
//! SIGTERM, which must end it cleanly with its writes on disk.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{self, Server};

const TOKEN: &str = "e2e-curator-token";

fn start(data: &std::path::Path) -> Server {
    common::start_server(data, TOKEN)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn get(agent: &ureq::Agent, url: &str) -> (u16, String) {
    let mut response = agent.get(url).call().unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap())
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn the_binary_serves_over_http_and_stops_cleanly_on_sigterm() {
    let data = tempfile::tempdir().unwrap();
    let ingest = Command::new(common::praxis_bin())
        .arg("--data")
        .arg(data.path())
        .arg("ingest")
        .arg(common::fixture("small"))
        .output()
        .unwrap();
    assert!(ingest.status.success(), "{ingest:?}");

    let mut server = start(data.path());
    let base = server.base.clone();
    let agent = agent();

    let (status, body) = get(&agent, &format!("{base}/healthz"));
    assert_eq!(status, 200);
    assert_eq!(json(&body)["documents"], 12);
    let (status, _) = get(&agent, &format!("{base}/readyz"));
    assert_eq!(status, 200, "an existing store needs no ingest");

    let (status, body) = get(
        &agent,
        &format!("{base}/api/search?q=cohesion&region=eastern-africa&region=western-africa"),
    );
    assert_eq!(status, 200);
    let found = json(&body);
    assert!(found["total"].as_u64().unwrap() >= 1);
    assert!(found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == "ke-cohesion-act"));

    let (status, body) = get(&agent, &format!("{base}/api/search?region=atlantis"));
    assert_eq!(status, 400);
    assert_eq!(json(&body)["error"]["code"], "invalid_filter");

    // A curator write over HTTP, then a search that finds it.
    let document = "---\nid: e2e-early-warning-desk\ntitle: Early Warning Desk\ntype: mechanism\nsummary: A desk that tracks xenodochial indicators.\nthemes: [early-warning]\nyear: 2021\nlanguage: en\nsources:\n  - url: https://example.org/desk\n---\nBody.\n";
    let mut response = agent
        .post(&format!("{base}/api/documents"))
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .content_type("text/markdown")
        .send(document)
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        201,
        "{}",
        response.body_mut().read_to_string().unwrap()
    );
    let mut response = agent
        .post(&format!("{base}/api/documents"))
        .header("Authorization", "Bearer wrong")
        .content_type("text/markdown")
        .send(document)
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let _ = response.body_mut().read_to_string();
    let (_, body) = get(&agent, &format!("{base}/api/search?q=xenodochial"));
    assert_eq!(json(&body)["total"], 1);

    let (status, csv) = get(&agent, &format!("{base}/api/search?format=csv"));
    assert_eq!(status, 200);
    assert_eq!(
        csv.lines().count(),
        1 + 13,
        "header and one row per document"
    );
    let (status, feed) = get(&agent, &format!("{base}/feed.atom?theme=early-warning"));
    assert_eq!(status, 200);
    roxmltree::Document::parse(&feed).expect("the feed is XML");
    let (status, metrics) = get(&agent, &format!("{base}/metrics"));
    assert_eq!(status, 200);
    assert!(metrics.contains("praxis_documents_indexed 13"));

    // SIGTERM: a clean exit, soon.
    let pid = server.child.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");

    // The write is on disk, and the data directory is free again.
    let kb = praxis::KnowledgeBase::open(data.path()).unwrap();
    let record = kb.document("e2e-early-warning-desk").unwrap().unwrap();
    assert_eq!(record.revision, 1);
    let (entries, _) = kb.store().audit_log(0, 1).unwrap();
    assert_eq!(entries[0].actor, "e2e");
}

#[test]
fn an_empty_data_directory_is_filled_with_the_default_corpus() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path());
    let agent = agent();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, body) = get(&agent, &format!("{}/readyz", server.base));
        if status == 200 {
            assert!(json(&body)["documents"].as_u64().unwrap() > 0);
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert_eq!(json(&body)["error"]["code"], "unavailable");
        assert!(
            Instant::now() < deadline,
            "the default corpus was not ingested"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, body) = get(&agent, &format!("{}/api/stats", server.base));
    assert_eq!(status, 200);
    assert_eq!(json(&body)["withdrawn"], 0);
}

#[test]
fn hash_token_prints_the_hash_the_server_checks() {
    use std::io::Write;
    let mut child = Command::new(common::praxis_bin())
        .arg("hash-token")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"  curator-token\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        printed.trim(),
        praxis::server::auth::hash_token("curator-token")
    );
    let tokens =
        praxis::server::Tokens::load(Some(&format!("ann:{}", printed.trim())), None).unwrap();
    assert_eq!(tokens.verify("curator-token"), Some("ann"));

    let empty = Command::new(common::praxis_bin())
        .arg("hash-token")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!empty.status.success());
}
