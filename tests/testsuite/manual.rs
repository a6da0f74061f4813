//! `/manual`, `/api/manual` and the chapters' CSV, driven in-process through the router on the
//! `manual` fixture corpus (`tests/fixtures/manual/`): four national mechanisms (one with every
//! field, one with a few, one with none, one with a cited legal basis), two that are not
//! national, and manual chapters in some languages only.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use praxis::server::{self, AppState, Tokens};
use praxis::KnowledgeBase;
use serde_json::Value;
use tower::ServiceExt;

use crate::common::fixture;

struct App {
    _data: tempfile::TempDir,
    state: AppState,
}

fn app() -> App {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[fixture("manual")], &|_, _| {}).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.added.len(), 11);
    App {
        _data: data,
        state: AppState::new(Arc::new(kb), Tokens::default()),
    }
}

impl App {
    async fn get(&self, uri: &str) -> (StatusCode, String, String) {
        let response = server::router(self.state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap();
        (
            status,
            content_type,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    async fn json(&self, uri: &str) -> (StatusCode, Value) {
        let (status, _, body) = self.get(uri).await;
        let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        (status, json)
    }
}

const NATIONAL: [&str; 4] = [
    "ar-fixture-mecanismo",
    "gh-fixture-council",
    "ke-fixture-committee",
    "tz-fixture-bare",
];

fn chapter<'a>(manual: &'a Value, slug: &str) -> &'a Value {
    manual["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == slug)
        .unwrap_or_else(|| panic!("no chapter {slug}"))
}

fn norm<'a>(manual: &'a Value, chapter_slug: &str, norm: &str) -> &'a Value {
    chapter(manual, chapter_slug)["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["norm"] == norm)
        .unwrap_or_else(|| panic!("no norm {norm}"))
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

/// The `<tr>` of a mechanism in the table of a chapter page.
fn table_row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<tr data-id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no row for {id}"));
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

#[tokio::test]
async fn a_chapter_table_is_built_from_the_national_mechanisms_with_unset_fields_not_recorded() {
    let app = app();
    let (status, manual) = app.json("/api/manual?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    // Only national mechanisms: one country, not a regional body; sorted by country name.
    let mut national = ids(&manual["mechanisms"]);
    assert_eq!(national.len(), 4, "{national:?}");
    national.sort();
    assert_eq!(national, NATIONAL);
    let bare = manual["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "tz-fixture-bare")
        .unwrap();
    for field in [
        "established",
        "legal_basis",
        "mandate",
        "composition",
        "reporting_line",
        "early_warning",
        "operating_status",
    ] {
        assert!(bare[field].is_null(), "{field}: {}", bare[field]);
    }
    let full = manual["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "ke-fixture-committee")
        .unwrap();
    assert_eq!(full["legal_basis"]["document"], "ke-fixture-act");
    assert_eq!(full["legal_basis"]["law"], true);
    assert_eq!(
        full["legal_basis"]["text"],
        "Fixture prevention act (Kenya)"
    );
    assert_eq!(
        chapter(&manual, "establishing")["columns"],
        serde_json::json!([
            "established",
            "legal_basis",
            "mandate",
            "composition",
            "reporting_line"
        ])
    );

    let (status, _, html) = app.get("/manual/establishing?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    for id in NATIONAL {
        assert!(html.contains(&format!("<tr data-id=\"{id}\">")), "{id}");
    }
    assert!(!html.contains("africa-fixture-regional"));
    assert!(!html.contains("ke-ug-fixture-joint"));
    // The bare mechanism: every column of the chapter says "not recorded", none says "No".
    let bare = table_row(&html, "tz-fixture-bare");
    assert_eq!(bare.matches("class=\"not-recorded\"").count(), 5, "{bare}");
    assert_eq!(bare.matches("not recorded").count(), 5, "{bare}");
    assert!(!bare.contains(">No<"));
    // The full one: every value, the legal basis linked to the law, the country to its profile.
    let full = table_row(&html, "ke-fixture-committee");
    assert!(!full.contains("not-recorded"), "{full}");
    assert!(
        full.contains("href=\"/documents/ke-fixture-act?lang=en\""),
        "{full}"
    );
    assert!(full.contains(">Fixture prevention act (Kenya)<"));
    assert!(full.contains("href=\"/countries/KE?lang=en\""));
    assert!(full.contains("Fixture office of the president"));
    assert!(full.contains("State and civil society"));
    // A mechanism written in Spanish: the page is in English, so its text cells say their
    // language; an unset one is still "not recorded".
    let ar = table_row(&html, "ar-fixture-mecanismo");
    assert!(
        ar.contains("data-field=\"mandate\" class=\"not-recorded\""),
        "{ar}"
    );

    // In French the same rows, in French words; a recorded `false` is "Non", unset is
    // "non renseigné".
    let (_, _, html) = app.get("/manual/guiding?lang=fr").await;
    let ar = table_row(&html, "ar-fixture-mecanismo");
    assert!(ar.contains("data-field=\"early_warning\">Non<"), "{ar}");
    let bare = table_row(&html, "tz-fixture-bare");
    assert_eq!(bare.matches("non renseigné").count(), 3, "{bare}");
}

#[tokio::test]
async fn the_checklist_links_only_the_mechanisms_that_meet_each_norm() {
    let app = app();
    let (_, manual) = app.json("/api/manual?lang=en").await;
    // early_warning: true only for the Kenyan committee (the regional body and the joint
    // commission also have it, but are not national); Argentina records false; two are silent.
    let early = norm(&manual, "guiding", "early-warning");
    assert_eq!(ids(&early["met_by"]), ["ke-fixture-committee"]);
    assert_eq!(early["not_met"], 1);
    assert_eq!(early["not_recorded"], 2);
    let civil = norm(&manual, "guiding", "includes-civil-society");
    assert_eq!(ids(&civil["met_by"]), ["ke-fixture-committee"]);
    assert_eq!(civil["not_met"], 2);
    assert_eq!(civil["not_recorded"], 1);
    let independent = norm(&manual, "guiding", "independent");
    assert_eq!(ids(&independent["met_by"]), ["gh-fixture-council"]);
    let legal = norm(&manual, "establishing", "legal-basis");
    let mut with_basis = ids(&legal["met_by"]);
    with_basis.sort();
    assert_eq!(with_basis, ["gh-fixture-council", "ke-fixture-committee"]);
    assert_eq!(legal["not_met"], 0);
    assert_eq!(legal["not_recorded"], 2);
    // A cited act is a legal basis, but not a law held in Praxis.
    let law = norm(&manual, "managing", "founded-on-law");
    assert_eq!(ids(&law["met_by"]), ["ke-fixture-committee"]);
    assert_eq!(law["not_met"], 1);
    let active = norm(&manual, "managing", "active");
    assert_eq!(ids(&active["met_by"]), ["ke-fixture-committee"]);
    assert_eq!(active["not_met"], 1);
    assert_eq!(active["not_recorded"], 2);

    // The page lists exactly those mechanisms under each item.
    let (_, _, html) = app.get("/manual/guiding?lang=en").await;
    let start = html.find("data-norm=\"early-warning\"").unwrap();
    let end = start + html[start..].find("</li>\n").unwrap();
    let item = &html[start..end];
    assert!(item.contains("href=\"/documents/ke-fixture-committee?lang=en\""));
    for other in [
        "ar-fixture-mecanismo",
        "gh-fixture-council",
        "tz-fixture-bare",
    ] {
        assert!(!item.contains(other), "{other} in {item}");
    }
    assert!(item.contains("Met by 1"), "{item}");
    assert!(item.contains("not recorded for 2"), "{item}");
}

#[tokio::test]
async fn each_chapter_csv_has_the_rows_of_its_table() {
    let app = app();
    let (_, manual) = app.json("/api/manual?lang=en").await;
    let table_ids = ids(&manual["mechanisms"]);
    for slug in ["establishing", "guiding", "managing"] {
        let (status, content_type, csv) = app
            .get(&format!("/api/manual/{slug}/mechanisms.csv?lang=en"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let columns: Vec<String> = chapter(&manual, slug)["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(header[..4], ["id", "title", "country", "country_name"]);
        assert_eq!(header[4..], columns[..]);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let csv_ids: Vec<String> = records.iter().map(|r| r[0].to_string()).collect();
        assert_eq!(csv_ids, table_ids, "{slug}");
        // The bare mechanism's fields are empty cells, never "false".
        let bare = records.iter().find(|r| &r[0] == "tz-fixture-bare").unwrap();
        assert!(bare.iter().skip(4).all(str::is_empty), "{bare:?}");
        assert_eq!(&bare[2], "TZA");
    }
    let (_, _, csv) = app.get("/api/manual/guiding/mechanisms.csv").await;
    let ar = csv.lines().find(|l| l.starts_with("ar-fixture")).unwrap();
    assert!(ar.contains(",false,state,"), "{ar}");
}

#[tokio::test]
async fn guidance_is_in_the_readers_language_or_says_which_language_it_is_in() {
    let app = app();
    let (_, manual) = app.json("/api/manual?lang=fr").await;
    let establishing = chapter(&manual, "establishing");
    assert_eq!(establishing["label"], "Créer un mécanisme");
    assert_eq!(
        establishing["guide"]["id"],
        "manual-fixture-establishing-fr"
    );
    assert_eq!(establishing["guide"]["in_requested_language"], true);
    assert_eq!(establishing["versions"].as_array().unwrap().len(), 2);
    // No French "guiding": the English one, said to be a fallback.
    let guiding = chapter(&manual, "guiding");
    assert_eq!(guiding["guide"]["language"], "en");
    assert_eq!(guiding["guide"]["in_requested_language"], false);

    let (status, _, html) = app.get("/manual/establishing?lang=fr").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("Orientations fictives en français."));
    assert!(html.contains("Source fictive sur la création"));
    assert!(
        html.contains("hreflang=\"en\">anglais</a>")
            || html.contains("hreflang=\"en\">Anglais</a>"),
        "other language link"
    );
    let (_, _, html) = app.get("/manual/guiding?lang=fr").await;
    assert!(html.contains("Ce chapitre n&#39;est pas encore disponible en français"));
    assert!(html.contains("<div class=\"guide-body body\" lang=\"en\">"));
    // English reader, Spanish-only chapter.
    let (_, _, html) = app.get("/manual/managing?lang=en").await;
    assert!(html.contains("Orientaciones ficticias en español."));
    assert!(html.contains("not yet available in English"));
    // A document id named in the guidance links to the document; its headings nest under
    // the page's ("Guidance" is an h2 on a chapter page).
    let (_, _, html) = app.get("/manual/establishing?lang=en").await;
    assert!(html.contains("<h2 id=\"guidance-establishing\">Guidance</h2>"));
    assert!(
        html.contains("<h3>Legal basis</h3>") || html.contains("<h3 id="),
        "{html}"
    );
    assert!(html.contains("<h2 id=\"evidence-establishing\">"));
    assert!(html.contains(
        "<a href=\"/documents/ke-fixture-committee?lang=en\"><code>ke-fixture-committee</code></a>"
    ));
}

#[tokio::test]
async fn the_contents_and_the_printable_page_hold_every_chapter() {
    let app = app();
    let (status, _, html) = app.get("/manual?lang=es").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Manual de las arquitecturas nacionales de prevención"));
    for (slug, label) in [
        ("establishing", "Crear un mecanismo"),
        ("guiding", "Orientar un mecanismo"),
        ("managing", "Gestionar un mecanismo en el tiempo"),
    ] {
        assert!(
            html.contains(&format!("href=\"/manual/{slug}?lang=es\">{label}</a>")),
            "{slug}"
        );
    }
    assert!(html.contains("href=\"/manual/print?lang=es\""));

    let (status, _, html) = app.get("/manual/print?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    for slug in ["establishing", "guiding", "managing"] {
        assert!(html.contains(&format!("id=\"chapter-{slug}\"")), "{slug}");
        assert!(
            html.contains(&format!("data-chapter=\"{slug}\"")),
            "{slug} table"
        );
    }
    assert!(html.contains("<h3 id=\"evidence-guiding\">"));
    assert!(
        html.contains("<h4>Early warning</h4>") || html.contains("<h4 id="),
        "{html}"
    );
    // Every checklist's mechanisms are shown without a click on paper.
    assert!(html.contains("<details class=\"norm-mechanisms\" open>"));
    assert!(!html.contains("<details class=\"norm-mechanisms\">"));
}

#[tokio::test]
async fn bad_chapters_and_parameters_are_said_clearly() {
    let app = app();
    let (status, _, html) = app.get("/manual/establish?lang=fr").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains("Le manuel n&#39;a pas de chapitre « establish »"),
        "{html}"
    );
    assert!(html.contains("Créer un mécanisme (establishing)"));
    let (status, body) = app.json("/api/manual/establish/mechanisms.csv").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("establishing, guiding, managing"));
    let (status, body) = app.json("/api/manual?lang=de").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["parameter"], "lang");
    let (status, body) = app.json("/api/manual?chapter=guiding").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["parameter"], "chapter");
    let (status, _, _) = app.get("/manual?print=yes").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
