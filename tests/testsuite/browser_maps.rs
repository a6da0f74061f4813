//! The world map, the region grid and comparison in a real browser (see `browser.rs` for the
//! set-up and when these tests are skipped), with JavaScript on and off: none of these pages
//! needs it. Screenshots of each step go to `$PRAXIS_SCREENSHOTS/maps-*`.

use std::process::{Command, Stdio};

use fantoccini::Locator;

use crate::browser::{open_browser, screenshot_dir, Session};
use crate::common::{fixture, praxis_bin, start_server};

async fn flows(javascript: bool) {
    let name = if javascript {
        "maps-javascript-on"
    } else {
        "maps-javascript-off"
    };
    let data = tempfile::tempdir().unwrap();
    let status = Command::new(praxis_bin())
        .arg("--data")
        .arg(data.path())
        .arg("ingest")
        .arg(fixture("compare"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let server = start_server(data.path(), "maps-browser-token");
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

    // The map: Kenya is a link with its value in a tooltip; clicking it opens its profile.
    s.go("/countries?lang=en").await;
    assert_eq!(s.text("h1").await, "Countries");
    let kenya = s
        .client
        .find(Locator::Css("svg.world-map a[data-iso=KEN]"))
        .await
        .unwrap();
    let title = s
        .client
        .find(Locator::Css("svg.world-map a[data-iso=KEN] title"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    assert!(title.starts_with("Kenya: party to "), "{title}");
    // Coloured under the server's real Content-Security-Policy (an inline <style> would be
    // blocked and leave every country black).
    let fill = s
        .client
        .execute(
            "return getComputedStyle(document.querySelector('svg.world-map a[data-iso=KEN] path')).fill",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(
        fill.as_str(),
        Some("rgb(0, 0, 0)"),
        "Kenya is coloured: {fill}"
    );
    s.shot("1-world-map").await;
    kenya.click().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !s
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/countries/KE")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the click did not navigate"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let url = s.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/countries/KE");
    assert!(s.text("h1").await.starts_with("Kenya"));
    s.shot("2-profile-from-map").await;

    // The map by status under the Rome Statute, chosen with the form (no script needed).
    s.go("/countries?lang=en").await;
    s.click("#instrument option[value=rome-statute]").await;
    s.click(".map-modes button").await;
    s.wait_url(|url| url.contains("instrument=rome-statute"))
        .await;
    let legend = s
        .wait_text(".map-legend", |legend| legend.contains("Withdrawn"))
        .await;
    assert!(
        legend.contains("Party") && legend.contains("Withdrawn"),
        "{legend}"
    );
    assert!(s
        .client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("instrument=rome-statute"));
    s.shot("3-rome-statute-map").await;

    // A region: sort the grid by an instrument with a click on its heading.
    s.go("/regions/eastern-africa?lang=en").await;
    assert_eq!(s.text("h1").await, "Eastern Africa");
    s.click("table.grid th.instr a[href*='sort=icerd']").await;
    s.wait_url(|url| url.contains("sort=icerd")).await;
    let first = s.text("table.grid tbody tr:first-child th").await;
    assert_eq!(
        first, "Madagascar",
        "ratified CERD first in the region (1969)"
    );
    s.shot("4-region-grid").await;

    // Compare three States, typed in the form.
    s.go("/compare?lang=en").await;
    s.fill("#compare-countries", "KE, TZ, UG").await;
    s.click("form.compare-form:first-of-type button").await;
    s.wait_url(|url| url.contains("countries=")).await;
    let heads = s
        .client
        .find_all(Locator::Css(
            "table.states-compare thead th.compared a:first-child",
        ))
        .await
        .unwrap();
    let mut names = Vec::new();
    for head in heads {
        names.push(head.text().await.unwrap());
    }
    assert_eq!(names, ["Kenya", "United Republic of Tanzania", "Uganda"]);
    let icerd = s.text("tr[data-instrument=icerd]").await;
    assert!(
        icerd.contains("accession 2001-09-13") && icerd.contains("accession 1972-10-27"),
        "{icerd}"
    );
    assert!(s
        .text("table.states-compare")
        .await
        .contains("not recorded"));
    s.shot("5-compare-states").await;

    // Compare two laws: matching sections side by side.
    s.go("/compare?documents=ke-fixture-act,ug-fixture-act&lang=en")
        .await;
    assert!(s.text("h1").await.contains("Fixture cohesion act (Kenya)"));
    let rows = s
        .client
        .find_all(Locator::Css("tr.section-row"))
        .await
        .unwrap();
    let mut matched_penalties = false;
    for row in rows {
        let text = row.text().await.unwrap();
        if text.contains("Kenyan penalties") {
            matched_penalties = text.contains("Ugandan penalties");
        }
    }
    assert!(matched_penalties, "the two Penalties sections share a row");
    s.shot("6-compare-laws").await;

    // French.
    s.click("nav.langs a[hreflang=fr]").await;
    let heading = s.wait_text("h1", |h1| h1.starts_with("Comparer")).await;
    assert!(heading.starts_with("Comparer"), "{heading}");

    s.client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_maps_with_javascript() {
    flows(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_maps_without_javascript() {
    flows(false).await;
}
