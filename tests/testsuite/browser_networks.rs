//! Networks and the glossary in a real browser (see `browser.rs` for the set-up), with
//! JavaScript on and off: open the networks list, follow a network, read its members and map,
//! follow a member to its profile and back through its networks; open the glossary in French
//! and follow a term's search link to a document in another language. With JavaScript on,
//! axe-core checks each page.

use std::process::{Command, Stdio};

use crate::browser::{axe_source, open_browser, screenshot_dir, Session};
use crate::common::{fixture, praxis_bin, start_server};

async fn walk(javascript: bool) {
    let data = tempfile::tempdir().unwrap();
    let status = Command::new(praxis_bin())
        .arg("--data")
        .arg(data.path())
        .arg("ingest")
        .arg(fixture("networks"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let server = start_server(data.path(), "browser-networks-token");
    let profile = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = open_browser(javascript, profile.path()).await else {
        return;
    };
    let name = if javascript {
        "networks-js"
    } else {
        "networks-nojs"
    };
    let shots = screenshot_dir(name);
    eprintln!("browser screenshots ({name}): {}", shots.display());
    let s = Session {
        client,
        base: server.base.clone(),
        shots,
        javascript,
    };
    // axe-core is a script: it runs with JavaScript on. The glossary is a long page; on a
    // loaded machine axe needs more than the driver's default 30 s for it.
    s.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(std::time::Duration::from_secs(240)),
            None,
            None,
        ))
        .await
        .unwrap();
    let axe = if javascript { axe_source() } else { None };
    let mut violations = Vec::new();

    // The header links to the networks page.
    s.go("/?lang=en").await;
    s.click("header a.networks-link").await;
    s.wait_text("h1", |t| t == "Networks").await;
    assert_eq!(
        s.text("#network-latam-fixture-network .member-count").await,
        "3"
    );
    if let Some(axe) = &axe {
        violations.extend(
            s.axe_violations(axe)
                .await
                .into_iter()
                .map(|v| format!("networks: {v}")),
        );
    }
    s.shot("1-networks").await;

    // A network: its members from its document, with dates or "not recorded", on the map.
    s.click("#network-latam-fixture-network th a").await;
    s.wait_text("h1", |t| t.starts_with("Red de prueba")).await;
    assert_eq!(s.text("#member-count").await, "3");
    assert_eq!(s.text("tr[data-iso=BRA] td.joined").await, "2013-03");
    assert_eq!(s.text("tr[data-iso=CHL] td.joined").await, "not recorded");
    assert!(s
        .text("tr[data-iso=ARG]")
        .await
        .contains("Mecanismo nacional de prueba"));
    assert!(s
        .text("#relations")
        .await
        .contains("member of Global fixture network of focal points"));
    assert!(s
        .text("#members-map .map-legend")
        .await
        .contains("Member (recorded with evidence) (3)"));
    if let Some(axe) = &axe {
        violations.extend(
            s.axe_violations(axe)
                .await
                .into_iter()
                .map(|v| format!("network: {v}")),
        );
    }
    s.shot("2-network").await;

    // A member on the map leads to its profile, which lists its networks.
    s.click("#members-map a[data-iso=ARG]").await;
    s.wait_text("h1", |t| t.starts_with("Argentina")).await;
    let networks = s.text("#networks").await;
    assert!(networks.contains("Networks (2)"), "{networks}");
    assert!(networks.contains("Global fixture network of focal points"));
    s.click("#networks a[href^=\"/networks/global-fixture-network\"]")
        .await;
    s.wait_text("h1", |t| t == "Global fixture network of focal points")
        .await;
    assert!(s
        .text("#relations")
        .await
        .contains("has as a member Red de prueba"));

    // The glossary in French: three languages side by side; an English term finds the French
    // report through its search link.
    s.go("/glossary?lang=fr").await;
    s.wait_text("h1", |t| t == "Glossaire").await;
    let row = s.text("#term-early-warning").await;
    for term in ["early warning", "alerte précoce", "alerta temprana"] {
        assert!(row.contains(term), "{term}: {row}");
    }
    assert!(row.contains("aucune définition enregistrée"), "{row}");
    assert!(s.text("#term-genocide").await.contains("art. II"));
    if let Some(axe) = &axe {
        violations.extend(
            s.axe_violations(axe)
                .await
                .into_iter()
                .map(|v| format!("glossary: {v}")),
        );
    }
    s.shot("3-glossary").await;
    s.click("#term-early-warning td[lang=en] a.term-search")
        .await;
    s.wait_url(|u| u.contains("q=early+warning")).await;
    let results = s
        .wait_text("main", |t| {
            t.contains("Rapport de test sur l'alerte précoce")
        })
        .await;
    assert!(results.contains("Fixture course on early warning in Kenya"));
    s.shot("4-term-search").await;

    // The curriculum: modules, the vocabulary module leading to the glossary.
    s.go("/curriculum?lang=es").await;
    s.wait_text("h1", |t| t == "Currículo común").await;
    assert!(s
        .text("#module-tools")
        .await
        .contains("Fixture course on early warning in Kenya"));
    if let Some(axe) = &axe {
        violations.extend(
            s.axe_violations(axe)
                .await
                .into_iter()
                .map(|v| format!("curriculum: {v}")),
        );
    }
    s.click("#module-vocabulary a").await;
    s.wait_text("h1", |t| t == "Glosario").await;

    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    s.client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn networks_and_the_glossary_without_javascript() {
    walk(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn networks_and_the_glossary_with_javascript() {
    walk(true).await;
}
