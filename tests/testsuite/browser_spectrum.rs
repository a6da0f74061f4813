//! The spectrum from prevention to reparation in a real browser (see `browser.rs` for the
//! set-up and when these tests are skipped), with JavaScript on and off: a reader picks Kenya,
//! sees its documents by stage and the stages with none, follows a stage to the filtered
//! search and reads the page in French. With JavaScript, axe-core checks the page. Screenshots
//! of each step go to `$PRAXIS_SCREENSHOTS/spectrum-*`.

use std::process::{Command, Stdio};

use fantoccini::Locator;

use crate::browser::{axe_source, open_browser, screenshot_dir, Session};
use crate::common::{fixture, praxis_bin, start_server};

async fn walk(javascript: bool) {
    let name = if javascript {
        "spectrum-javascript-on"
    } else {
        "spectrum-javascript-off"
    };
    let data = tempfile::tempdir().unwrap();
    let status = Command::new(praxis_bin())
        .arg("--data")
        .arg(data.path())
        .arg("ingest")
        .arg(fixture("spectrum"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let server = start_server(data.path(), "spectrum-browser-token");
    let profile = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = open_browser(javascript, profile.path()).await else {
        return;
    };
    let shots = screenshot_dir(name);
    eprintln!("browser screenshots ({name}): {}", shots.display());
    let s = Session {
        client,
        base: server.base.clone(),
        shots,
        javascript,
    };

    // From the header of any page to the whole knowledge base's spectrum.
    s.go("/?lang=en").await;
    s.click("nav.site-nav a.spectrum-nav").await;
    s.wait_url(|url| url.contains("/spectrum")).await;
    assert_eq!(s.text("h1").await, "From prevention to reparation");
    let band = s
        .client
        .find_all(Locator::Css("nav.spectrum-band li"))
        .await
        .unwrap();
    assert_eq!(band.len(), 7, "the seven stages");
    assert!(s
        .text(".spectrum-summary")
        .await
        .starts_with("8 documents in Praxis, 7 of them placed on the spectrum."));
    s.shot("1-world").await;

    // Pick Kenya in the country form.
    s.click("#spectrum-country option[value=KE]").await;
    s.click("#spectrum-country + button").await;
    s.wait_url(|url| url.contains("country=KE")).await;
    let heading = s.wait_text("h1", |h| h.contains("Kenya")).await;
    assert_eq!(heading, "From prevention to reparation for Kenya");
    let gaps = s.text("#gaps").await;
    assert!(
        gaps.starts_with(
            "Stages with no document in Praxis yet for Kenya: Early action and crisis response, Protection during atrocities"
        ),
        "{gaps}"
    );
    assert_eq!(
        s.text("#stage-protection .stage-count").await,
        "No document in Praxis yet."
    );
    assert!(s
        .text("#stage-reparation")
        .await
        .contains("Fixture reparations law (Kenya)"));
    s.shot("2-kenya").await;

    // A gap link goes to its stage on the page.
    s.click("#gaps a[href='#stage-protection']").await;
    s.wait_url(|url| url.ends_with("#stage-protection")).await;

    // A stage's count opens the search filtered by the stage within Kenya.
    s.click("#stage-accountability .stage-count a").await;
    let url = s.wait_url(|url| url.contains("stage=accountability")).await;
    assert!(url.contains("country=KEN"), "{url}");
    assert_eq!(s.text("#results-heading").await, "1 result");
    assert!(s.text("#results").await.contains("Fixture trials (Kenya)"));
    let checked = s
        .client
        .find(Locator::Css(
            "fieldset[data-group=stage] input[value=accountability]",
        ))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(checked.as_deref(), Some("true"));
    s.shot("3-search-stage").await;

    // Back on the spectrum, in French.
    s.go("/spectrum?country=KE&lang=en").await;
    s.click("nav.langs a[hreflang=fr]").await;
    let heading = s
        .wait_text("h1", |h| h.starts_with("De la prévention"))
        .await;
    assert_eq!(heading, "De la prévention à la réparation : Kenya");
    assert_eq!(
        s.text("#stage-protection .stage-count").await,
        "Aucun document dans Praxis pour l'instant."
    );
    s.shot("4-kenya-fr").await;

    // A bad country: the form comes back with the message, in the page's language.
    s.go("/spectrum?country=Atlantis&lang=fr").await;
    assert!(s
        .text(".errors")
        .await
        .starts_with("country : pays inconnu « Atlantis »"));
    s.shot("5-bad-country").await;

    if javascript {
        if let Some(axe) = axe_source() {
            let mut report = Vec::new();
            for path in ["/spectrum?lang=en", "/spectrum?country=KE&lang=fr"] {
                s.go(path).await;
                for violation in s.axe_violations(&axe).await {
                    report.push(format!("{path}: {violation}"));
                }
            }
            assert!(report.is_empty(), "{}", report.join("\n"));
        }
    }
    s.client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_spectrum_with_javascript() {
    walk(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_spectrum_without_javascript() {
    walk(false).await;
}
