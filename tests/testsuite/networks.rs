//! Networks, the glossary and the curriculum (issue 15, items 4 and 5): pages and API over the
//! `networks` fixture corpus, through the router.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use praxis::server::{self, AppState, Tokens};
use praxis::KnowledgeBase;
use serde_json::Value;
use tower::ServiceExt;

use crate::common::{corpus_copy, fixture};

fn app() -> (tempfile::TempDir, AppState) {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[fixture("networks")], &|_, _| {}).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.added.len(), 6);
    (data, AppState::new(Arc::new(kb), Tokens::default()))
}

async fn get(state: &AppState, uri: &str) -> (StatusCode, String) {
    let response = server::router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn get_json(state: &AppState, uri: &str) -> (StatusCode, Value) {
    let (status, body) = get(state, uri).await;
    (status, serde_json::from_str(&body).unwrap())
}

/// The table row of a member, by its alpha-3 code.
fn member_row<'a>(html: &'a str, iso3: &str) -> &'a str {
    let start = html
        .find(&format!("<tr data-iso=\"{iso3}\">"))
        .unwrap_or_else(|| panic!("no row for {iso3}"));
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

#[tokio::test]
async fn a_network_page_lists_members_from_its_document() {
    let (_data, state) = app();
    let (status, html) = get(&state, "/networks/latam-fixture-network?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Red de prueba para la prevención del genocidio"));
    assert!(
        html.contains("<dd id=\"member-count\">3</dd>"),
        "member count"
    );
    // Each member with the join date and evidence its document holds; no date → not recorded.
    let argentina = member_row(&html, "ARG");
    assert!(argentina.contains(">Argentina</a>"), "{argentina}");
    assert!(
        argentina.contains("<td class=\"joined\">2012</td>"),
        "{argentina}"
    );
    assert!(argentina.contains("https://example.org/red/miembros"));
    assert!(argentina.contains("Estado fundador de la red de prueba"));
    // The national mechanism whose text mentions the network is Argentina's focal point.
    assert!(
        argentina.contains("/documents/ar-fixture-mechanism?lang=en"),
        "{argentina}"
    );
    assert!(member_row(&html, "BRA").contains("<td class=\"joined\">2013-03</td>"));
    let chile = member_row(&html, "CHL");
    assert!(
        chile.contains("<td class=\"joined\"><span class=\"muted\">not recorded</span></td>"),
        "{chile}"
    );
    assert!(chile.contains("Acta de la primera reunión de prueba, 2014"));
    assert!(
        !html.contains("data-iso=\"KEN\">"),
        "Kenya is no member of this network"
    );
    // The map: members coloured and linked to their profiles, the others not recorded.
    assert!(html.contains("class=\"c-member\" data-iso=\"ARG\""));
    assert!(html.contains("class=\"c-member\" data-iso=\"CHL\""));
    assert!(!html.contains("class=\"c-member\" data-iso=\"KEN\""));
    assert!(html.contains("Not recorded as a member"));
    // The relation its document states, linked, with its evidence.
    assert!(html.contains("member of <a href=\"/networks/global-fixture-network?lang=en\">Global fixture network of focal points</a>"));
    assert!(html.contains("https://example.org/red/global"));
    // The documents about it.
    let documents = &html[html.find("id=\"network-documents\"").unwrap()..];
    assert!(documents.contains("Mecanismo nacional de prueba"));
    assert!(
        !documents.contains("Rapport de test"),
        "the report mentions the other network"
    );

    // The network's document page leads to this page.
    let (_, document) = get(&state, "/documents/latam-fixture-network?lang=en").await;
    assert!(document.contains("<a href=\"/networks/latam-fixture-network?lang=en\">The network&#39;s members on a map"), "link from the document page");
    let (_, other) = get(&state, "/documents/ar-fixture-mechanism?lang=en").await;
    assert!(!other.contains("network-page-link"));

    // In French, the same members, the labels in French.
    let (_, html) = get(&state, "/networks/latam-fixture-network?lang=fr").await;
    assert!(member_row(&html, "CHL").contains("non renseigné"));
    assert!(html.contains("membre de <a href=\"/networks/global-fixture-network?lang=fr\">"));
}

#[tokio::test]
async fn networks_are_listed_with_their_members_and_relations_both_ways() {
    let (_data, state) = app();
    let (status, html) = get(&state, "/networks?lang=es").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Redes</h1>"));
    let global = &html[html.find("id=\"network-global-fixture-network\"").unwrap()..];
    let global = &global[..global.find("</tr>").unwrap()];
    assert!(
        global.contains("<td class=\"num member-count\">2</td>"),
        "{global}"
    );
    assert!(
        global.contains("tiene como miembro a"),
        "the relation seen from the other side: {global}"
    );

    let (status, list) = get_json(&state, "/api/networks?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["global-fixture-network", "latam-fixture-network"]);
    assert_eq!(list[1]["member_count"], 3);
    assert_eq!(list[0]["relations"][0]["direction"], "inverse");
    assert_eq!(list[0]["relations"][0]["label"], "has as a member");
    assert_eq!(list[1]["relations"][0]["relation"], "member-of");

    let (status, detail) = get_json(&state, "/api/networks/latam-fixture-network").await;
    assert_eq!(status, StatusCode::OK);
    let chile = &detail["members"].as_array().unwrap()[2];
    assert_eq!(chile["iso3"], "CHL");
    assert!(
        chile.get("joined").is_none(),
        "an unset date is absent, not invented"
    );
    assert_eq!(
        detail["members"][0]["focal_points"][0]["id"],
        "ar-fixture-mechanism"
    );
}

#[tokio::test]
async fn errors_name_the_parameter_and_unknown_networks_are_404() {
    let (_data, state) = app();
    let (status, body) = get_json(&state, "/api/networks?lang=xx").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["parameter"], "lang");
    let (status, body) = get_json(&state, "/api/glossary?sort=term").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["parameter"], "sort");
    let (status, body) = get_json(&state, "/api/networks/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    // A document that is not a network has no network page.
    let (status, html) = get(&state, "/networks/ke-fixture-course?lang=fr").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("ke-fixture-course"));
    let (status, _) = get(&state, "/curriculum?lang=de").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_country_profile_lists_the_networks_it_belongs_to() {
    let (_data, state) = app();
    let (status, html) = get(&state, "/countries/AR?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let section = &html[html.find("id=\"networks\"").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("Networks (2)"), "{section}");
    assert!(section.contains("href=\"/networks/latam-fixture-network?lang=en\""));
    assert!(section.contains("href=\"/networks/global-fixture-network?lang=en\""));
    assert!(section.contains("member since 2012"));
    // Chile is in the network's `countries` and in its members; Kenya only in the global one.
    let (_, profile) = get_json(&state, "/api/countries/KE").await;
    let networks: Vec<&str> = profile["networks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["network"].as_str().unwrap())
        .collect();
    assert_eq!(networks, vec!["global-fixture-network"]);
    assert_eq!(profile["networks"][0]["joined"], "2010-09");
    // A State no network lists says so, without claiming it belongs to none.
    let (_, html) = get(&state, "/countries/FR?lang=fr").await;
    assert!(html.contains("Aucun document de réseau dans Praxis ne recense cet État comme membre."));
}

#[tokio::test]
async fn the_glossary_is_in_three_languages_and_a_term_finds_documents_in_another() {
    let (_data, state) = app();
    let (status, html) = get(&state, "/glossary?lang=fr").await;
    assert_eq!(status, StatusCode::OK);
    let row = &html[html.find("id=\"term-early-warning\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    for (lang, term) in [
        ("en", "early warning"),
        ("fr", "alerte précoce"),
        ("es", "alerta temprana"),
    ] {
        assert!(row.contains(&format!("<td lang=\"{lang}\" class=\"term-cell\">\n      <strong class=\"term\">{term}</strong>")), "{lang}: {row}");
    }
    // No definition recorded for this term: said in the page's language, in every column.
    assert_eq!(
        row.matches("aucune définition enregistrée").count(),
        3,
        "{row}"
    );
    // A defined term shows its definitions and their source.
    let genocide = &html[html.find("id=\"term-genocide\"").unwrap()..];
    let genocide = &genocide[..genocide.find("</tr>").unwrap()];
    assert!(genocide.contains("Acts committed with intent to destroy"));
    assert!(
        genocide.contains("Actes commis dans l&#39;intention de détruire"),
        "{genocide}"
    );
    assert!(genocide.contains("Genocide Convention"), "{genocide}");
    assert!(genocide.contains("art. II"));

    // The English term's search link finds the French report (through the glossary).
    let link = row.split("<td lang=\"en\"").nth(1).unwrap();
    let href = link.split("class=\"term-search\" href=\"").nth(1).unwrap();
    let href = href[..href.find('"').unwrap()].replace("&amp;", "&");
    assert!(href.starts_with("/?q=early+warning"), "{href}");
    let (status, results) = get(&state, &href).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        results.contains("Rapport de test sur l"),
        "the French report is found"
    );
    assert!(
        row.contains("Rechercher « early warning » : 2 documents"),
        "the count says so: {row}"
    );

    // The same through the API, with the counts per language.
    let (status, entries) = get_json(&state, "/api/glossary").await;
    assert_eq!(status, StatusCode::OK);
    let entry = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "early-warning")
        .unwrap();
    let languages: Vec<&str> = entry["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["lang"].as_str().unwrap())
        .collect();
    assert_eq!(languages, vec!["en", "fr", "es"]);
    assert!(entry["languages"][0].get("definition").is_none());
    for cell in entry["languages"].as_array().unwrap() {
        assert!(cell["documents"].as_u64().unwrap() >= 2, "{cell}");
    }
}

#[tokio::test]
async fn the_curriculum_assembles_modules_and_offers_by_region() {
    let (_data, state) = app();
    let (status, curriculum) = get_json(&state, "/api/curriculum?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let module = |slug: &str| -> Vec<String> {
        curriculum["modules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["slug"] == slug)
            .unwrap()["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(module("concept"), vec!["global-fixture-seminar"]);
    assert_eq!(module("tools"), vec!["ke-fixture-course"]);
    assert_eq!(module("national-context"), vec!["ke-fixture-course"]);
    assert!(module("vocabulary").is_empty());
    assert!(curriculum["glossary_terms"].as_u64().unwrap() >= 80);
    let regions: Vec<(Option<&str>, usize)> = curriculum["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["region"].as_str(),
                r["documents"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(regions, vec![(Some("africa"), 1), (None, 1)]);

    let (status, html) = get(&state, "/curriculum?lang=es").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Currículo común"));
    assert!(
        html.contains("href=\"/glossary?lang=es\""),
        "the vocabulary module is the glossary"
    );
    assert!(html.contains("Todo el mundo (1)"));
    assert!(html.contains("<a href=\"/regions/africa?lang=es\">África</a> (1)"));
}

#[test]
fn ingest_warns_about_a_relation_to_no_document_or_to_one_that_is_no_network() {
    let (_dir, corpus) = corpus_copy("networks");
    std::fs::remove_file(corpus.join("networks/global-fixture-network.md")).unwrap();
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[corpus], &|_, _| {}).unwrap();
    assert_eq!(report.failed, 0);
    let warning = report
        .warnings
        .iter()
        .find(|w| w.field.as_deref() == Some("related_networks"))
        .expect("a warning about the relation");
    assert!(
        warning.file.ends_with("latam-fixture-network.md"),
        "{warning}"
    );
    assert_eq!(warning.line, Some(24), "{warning}");
    assert!(
        warning
            .message
            .to_string()
            .contains("global-fixture-network"),
        "{warning}"
    );

    // A relation to a document that is not a network is said too.
    let (_dir, corpus) = corpus_copy("networks");
    let path = corpus.join("networks/latam-fixture-network.md");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "network: global-fixture-network",
        "network: ar-fixture-mechanism",
    );
    std::fs::write(&path, text).unwrap();
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[corpus], &|_, _| {}).unwrap();
    let warning = report
        .warnings
        .iter()
        .find(|w| w.field.as_deref() == Some("related_networks"))
        .expect("a warning about the relation");
    assert!(
        warning
            .message
            .to_string()
            .contains("\"ar-fixture-mechanism\" is a mechanism, not a network"),
        "{warning}"
    );
}

#[test]
fn the_profile_command_lists_the_networks() {
    let data = tempfile::tempdir().unwrap();
    let ingest = std::process::Command::new(crate::common::praxis_bin())
        .arg("--data")
        .arg(data.path())
        .arg("ingest")
        .arg(fixture("networks"))
        .output()
        .unwrap();
    assert!(ingest.status.success(), "{ingest:?}");
    let output = std::process::Command::new(crate::common::praxis_bin())
        .arg("--data")
        .arg(data.path())
        .args(["profile", "AR", "--lang", "es"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("\nRedes (2)\n"), "{text}");
    assert!(text.contains("  Red de prueba para la prevención del genocidio (latam-fixture-network) — miembro desde 2012\n"), "{text}");
    assert!(
        text.contains("  Global fixture network of focal points (global-fixture-network)\n"),
        "{text}"
    );
}
