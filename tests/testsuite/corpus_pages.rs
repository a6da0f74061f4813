//! Every shipped document's page (the corpus compiled into the binary, as `praxis serve` ingests
//! it on first start) shows in its metadata panel exactly the fields its front matter sets, with
//! the values it sets: never a "No" for a field left out.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use praxis::server::{self, AppState, Tokens};
use praxis::KnowledgeBase;
use serde_json::Value;
use tower::ServiceExt;

/// The metadata panel's rows: `data-field` → the text of its value (tags stripped).
fn panel_rows(html: &str) -> BTreeMap<String, String> {
    let mut rows = BTreeMap::new();
    let panel = &html[html
        .find("<aside class=\"meta\"")
        .expect("a metadata panel")..];
    let panel = &panel[..panel.find("</dl>").unwrap()];
    for part in panel.split("<dt data-field=\"").skip(1) {
        let field = &part[..part.find('"').unwrap()];
        let dd = &part[part.find("<dd").unwrap()..];
        let dd = &dd[dd.find('>').unwrap() + 1..dd.find("</dd>").unwrap()];
        rows.insert(field.to_string(), strip_tags(dd));
    }
    rows
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The front matter as written, as JSON values.
fn front_matter(source: &str) -> BTreeMap<String, Value> {
    let yaml = source
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---").map(|(yaml, _)| yaml))
        .expect("front matter");
    serde_saphyr::from_str(yaml).expect("front matter parses")
}

fn is_set(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        Some(_) => true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipped_document_page_shows_exactly_what_its_front_matter_sets() {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = server::ingest_default_corpus(&kb).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let records: Vec<_> = kb.store().records().map(|r| r.unwrap()).collect();
    let ids: std::collections::BTreeSet<String> =
        records.iter().map(|r| r.meta.id.clone()).collect();
    let mut id_links = 0;
    assert!(records.len() > 50, "the shipped corpus is ingested");
    let state = AppState::new(Arc::new(kb), Tokens::none());
    let mut checked = 0;
    for record in records {
        let id = record.meta.id.clone();
        let response = server::router(state.clone())
            .oneshot(
                Request::get(format!("/documents/{id}?lang=en"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{id}");
        let html = String::from_utf8(
            axum::body::to_bytes(response.into_body(), 8 << 20)
                .await
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        let rows = panel_rows(&html);
        let fm = front_matter(&record.source_text);
        let set = |key: &str| is_set(fm.get(key));

        // Fields shown if and only if the front matter sets them.
        for field in [
            "countries",
            "themes",
            "mechanism_types",
            "instruments",
            "status",
            "shareable",
            "shareable_note",
            "established",
            "legal_basis",
            "mandate",
            "composition",
            "reporting_line",
            "early_warning",
            "outcome",
        ] {
            assert_eq!(
                rows.contains_key(field),
                set(field),
                "{id}: {field} is {} in the front matter but {} on the page",
                if set(field) { "set" } else { "not set" },
                if rows.contains_key(field) {
                    "shown"
                } else {
                    "not shown"
                },
            );
        }
        // Regions are shown when given or derived from countries; type, year and language
        // are required.
        assert_eq!(
            rows.contains_key("regions"),
            set("regions") || set("countries"),
            "{id}: regions"
        );
        for required in ["type", "year", "language"] {
            assert!(rows.contains_key(required), "{id}: {required}");
        }
        // The values are the document's.
        for flag in ["shareable", "early_warning"] {
            if let Some(Value::Bool(value)) = fm.get(flag) {
                let expected = if *value { "Yes" } else { "No" };
                assert_eq!(rows[flag], expected, "{id}: {flag}");
            }
        }
        for text in [
            "shareable_note",
            "legal_basis",
            "mandate",
            "reporting_line",
            "outcome",
        ] {
            if let Some(Value::String(value)) = fm.get(text) {
                assert_eq!(rows[text], value.trim(), "{id}: {text}");
            }
        }
        if let Some(established) = fm.get("established") {
            assert_eq!(rows["established"], established.to_string(), "{id}");
        }
        if let Some(year) = fm.get("year") {
            assert!(rows["year"].starts_with(&year.to_string()), "{id}: year");
        }
        if let Some(Value::String(date)) = fm.get("date") {
            assert!(rows["year"].contains(date.as_str()), "{id}: date");
        }
        // Ids written in code spans ("see `some-id`") link to those documents.
        for span in record.body.split('`').skip(1).step_by(2) {
            if ids.contains(span) && span != id {
                assert!(
                    html.contains(&format!(
                        "<a href=\"/documents/{span}?lang=en\"><code>{span}</code></a>"
                    )),
                    "{id}: `{span}` is not a link"
                );
                id_links += 1;
            }
        }
        let themes = rows["themes"].split(", ").count();
        assert_eq!(themes, record.meta.themes.len(), "{id}: themes");
        checked += 1;
    }
    assert!(checked > 50);
    assert!(
        id_links > 10,
        "the corpus mentions other documents by id ({id_links} links)"
    );
}
