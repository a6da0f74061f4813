//! Country profiles in a real browser (see `browser.rs` for the set-up): open a profile in
//! English, switch to French, follow a neighbour's link, and change the basket with the form.

use std::process::{Command, Stdio};

use crate::browser::{open_browser, screenshot_dir, Session};
use crate::common::{fixture, praxis_bin, start_server};

#[tokio::test]
async fn a_profile_in_english_and_french() {
    let data = tempfile::tempdir().unwrap();
    let status = Command::new(praxis_bin())
        .arg("--data")
        .arg(data.path())
        .arg("ingest")
        .arg(fixture("laws"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let server = start_server(data.path(), "browser-profile-token");
    let profile = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = open_browser(false, profile.path()).await else {
        return;
    };
    let shots = screenshot_dir("profiles");
    eprintln!("browser screenshots (profiles): {}", shots.display());
    let s = Session {
        client,
        base: server.base.clone(),
        shots,
        javascript: false,
    };

    s.go("/countries/ke?lang=en").await;
    assert_eq!(s.text("h1").await, "Kenya (KE, KEN)");
    assert_eq!(
        s.text("#i-rome-statute .status").await,
        "Party since 2005-03-15"
    );
    assert_eq!(s.text("#i-genocide-convention .status").await, "No data");
    assert!(s
        .text("#i-genocide-convention")
        .await
        .contains("2015-03-14 (stale data)"));
    assert_eq!(s.text("#adherence-count").await, "5 / 10");
    assert!(s
        .text("#standings")
        .await
        .contains("Eastern Africa: rank 4 of 18"));
    assert!(s.text("#population").await.starts_with("56,432,944 (2024)"));
    assert!(s
        .text("#gaps")
        .await
        .contains("Party to the Rome Statute of the International Criminal Court since 2005-03-15; no implementing law in Praxis"));
    s.shot("profile-en").await;

    // The language switcher keeps the page.
    s.click("nav.langs a[hreflang=fr]").await;
    let status = s
        .wait_text("#i-rome-statute .status", |t| t.starts_with("Partie"))
        .await;
    assert_eq!(status, "Partie depuis le 2005-03-15");
    assert_eq!(s.text("#context-heading").await, "Le pays en contexte");
    assert!(s
        .text("#i-genocide-convention")
        .await
        .contains("Pas de données"));
    s.shot("profile-fr").await;

    // A neighbour's link leads to its profile, in the same language.
    s.click("#context a[href^=\"/countries/UG\"]").await;
    let heading = s.wait_text("h1", |t| t.starts_with("Ouganda")).await;
    assert_eq!(heading, "Ouganda (UG, UGA)");

    // The basket form (a plain GET form) recounts adherence over the 18 core instruments.
    s.click("#basket option[value=core-human-rights]").await;
    s.click("form.basket-form button").await;
    let count = s
        .wait_text("#adherence-count", |t| t.ends_with("/ 18"))
        .await;
    assert!(count.ends_with("/ 18"), "{count}");
    s.shot("profile-basket").await;
}
