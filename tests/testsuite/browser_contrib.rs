//! Contributions in a real browser (see `browser.rs` for the set-up and when these tests are
//! skipped), with JavaScript on and off: a contributor, from a document's page, signs in and
//! proposes a change (a missing comment is said next to the field), the public page does not
//! change; a curator reviews the diff and accepts; the document and its history then show the
//! change, crediting the contributor. Screenshots go to `$PRAXIS_SCREENSHOTS/contrib-*`.

use std::process::{Command, Stdio};

use crate::browser::{axe_source, open_browser, screenshot_dir, Session};
use crate::common::{fixture, praxis_bin, start_server_with};

const CURATOR: &str = "contrib-browser-curator";
const CONTRIBUTOR: &str = "contrib-browser-jane";

async fn propose_and_accept(javascript: bool) {
    let name = if javascript {
        "contrib-javascript-on"
    } else {
        "contrib-javascript-off"
    };
    let data = tempfile::tempdir().unwrap();
    let status = Command::new(praxis_bin())
        .arg("--data")
        .arg(data.path())
        .arg("ingest")
        .arg(fixture("small"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let contributors = format!("jane:{}", praxis::server::auth::hash_token(CONTRIBUTOR));
    let server = start_server_with(
        data.path(),
        CURATOR,
        &[("PRAXIS_CONTRIBUTOR_TOKENS", contributors)],
    );
    let profile = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = open_browser(javascript, profile.path()).await else {
        return;
    };
    let s = Session {
        client,
        base: server.base.clone(),
        shots: screenshot_dir(name),
        javascript,
    };
    let axe = if javascript { axe_source() } else { None };

    // From the document's page, "Propose a change" asks the contributor to sign in, then
    // opens the form.
    s.go("/documents/ke-cohesion-act?lang=en").await;
    s.click("a.propose-link").await;
    s.fill("#token", CONTRIBUTOR).await;
    s.click("form button[type=submit]").await;
    assert!(s.text(".signout").await.contains("Signed in as jane"));
    s.wait_text("h2", |t| t.contains("Propose a change to"))
        .await;
    let original =
        std::fs::read_to_string(fixture("small").join("laws/ke-cohesion-act.md")).unwrap();
    let proposed = original.replace(
        "summary: Kenyan statute",
        "summary: Zanzibarian wording, a Kenyan statute",
    );
    s.fill("#markdown", &proposed).await;
    s.click("form.propose button[type=submit]").await;
    s.shot("1-comment-missing").await;
    let said = s.text("#comment-error").await;
    assert!(
        said.contains("Say what the change is"),
        "comment error: {said:?}"
    );
    s.shot("1-comment-missing").await;
    s.fill("#markdown", &proposed).await;
    s.fill(
        "#comment",
        "The summary should name the act's subject first.",
    )
    .await;
    s.click("form.propose button[type=submit]").await;
    let sent = s.wait_text("p.ok", |t| t.contains("Proposal 1 sent")).await;
    assert!(sent.contains("Proposal 1 sent"), "{sent}");
    assert!(s.text(".proposal-status").await.contains("Pending review"));
    s.shot("2-sent").await;
    if let Some(axe) = &axe {
        let violations = s.axe_violations(axe).await;
        assert!(violations.is_empty(), "contribute page: {violations:?}");
    }
    s.go("/documents/ke-cohesion-act?lang=en").await;
    assert!(!s.text("p.summary").await.contains("Zanzibarian"));

    // The curator reviews and accepts.
    s.go("/curate?lang=en").await;
    s.fill("#token", CURATOR).await;
    s.click("form button[type=submit]").await;
    assert!(s.text(".signout").await.contains("Signed in as e2e"));
    s.click("p.review-link a").await;
    s.wait_text("h1", |t| t.contains("Proposals to review"))
        .await;
    s.click("table.proposals a").await;
    let added = s.text("table.diff tr.added").await;
    assert!(added.contains("Zanzibarian wording"), "{added}");
    s.shot("3-review").await;
    if let Some(axe) = &axe {
        let violations = s.axe_violations(axe).await;
        assert!(violations.is_empty(), "review page: {violations:?}");
    }
    s.click("form.accept button[type=submit]").await;
    let done = s.wait_text("p.ok", |t| t.contains("accepted")).await;
    assert!(done.contains("Proposal 1 accepted: revision 2"), "{done}");
    s.shot("4-accepted").await;

    s.go("/documents/ke-cohesion-act?lang=en").await;
    assert!(s.text("p.summary").await.contains("Zanzibarian wording"));
    s.go("/documents/ke-cohesion-act/history?lang=fr").await;
    let history = s.text("table.revisions tbody tr").await;
    assert!(
        history.contains("jane") && history.contains("acceptée par e2e"),
        "{history}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contributor_proposes_and_a_curator_accepts_with_javascript() {
    propose_and_accept(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contributor_proposes_and_a_curator_accepts_without_javascript() {
    propose_and_accept(false).await;
}
