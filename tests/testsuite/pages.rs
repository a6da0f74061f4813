//! HTML pages rendered from real search results on the fixture corpus.

use praxis::pages::Pages;
use praxis::{FacetGroup, Lang, SearchRequest};

use crate::common::small_kb;

#[test]
fn the_search_page_has_facets_chips_results_and_shareable_urls() {
    let (_data, kb) = small_kb();
    let request = SearchRequest::text("genocide")
        .filter(FacetGroup::Region, "americas")
        .filter(FacetGroup::Type, "law");
    let response = kb.search(&request).unwrap();
    let html = Pages::new().search(&request, &response, &kb.taxonomy());
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<title>genocide · Praxis</title>"));
    assert!(
        html.contains("name=\"region\" value=\"americas\" checked"),
        "region checkbox"
    );
    assert!(html.contains("name=\"type\" value=\"law\" checked"));
    assert!(html.contains("href=\"/documents/ar-ley-26200?lang=en\""));
    // A chip removes its filter and keeps the rest.
    assert!(
        html.contains("href=\"/?q=genocide&amp;type=law&amp;lang=en\""),
        "chip without region"
    );
    assert!(html.contains("1 result for “genocide”"), "{html}");
    assert!(html.contains("<mark>"));
    assert!(html.len() < 100_000);
}

#[test]
fn no_results_suggests_removing_a_filter() {
    let (_data, kb) = small_kb();
    let request = SearchRequest::default()
        .filter(FacetGroup::Country, "JP")
        .with_lang(Lang::Es);
    let response = kb.search(&request).unwrap();
    let html = Pages::new().search(&request, &response, &kb.taxonomy());
    assert!(html.contains("Ningún documento coincide."));
    assert!(html.contains("Pruebe a quitar un filtro"));
    assert!(html.contains("<html lang=\"es\">"));
    assert!(html.contains("País: Japón"), "chip label in Spanish");
}

#[test]
fn the_document_page_is_sanitised_and_links_metadata_to_searches() {
    let (_data, kb) = small_kb();
    let record = kb.document("ke-cohesion-act").unwrap().unwrap();
    let related = kb.related("ke-cohesion-act", 3).unwrap();
    let html = Pages::new().document(
        &record,
        None,
        &related,
        &kb.taxonomy(),
        Lang::Fr,
        "http://127.0.0.1:8080",
    );
    assert!(
        !html.contains("<script>alert"),
        "raw HTML never reaches a reader"
    );
    assert!(html.contains("<h2>Background</h2>"));
    assert!(
        html.contains("href=\"/?theme=hate-speech&amp;lang=fr\">Discours de haine</a>"),
        "theme links to a filtered search"
    );
    assert!(html.contains("href=\"/?country=KEN&amp;lang=fr\">Kenya</a>"));
    assert!(
        html.contains("<article class=\"document\" lang=\"en\">"),
        "document language"
    );
    assert!(html.contains("<html lang=\"fr\">"), "interface language");
    assert!(html.contains("@misc{praxis-ke-cohesion-act"));
    assert!(html.contains("/documents/ke-cohesion-act/history?lang=fr"));
    assert!(
        html.contains("href=\"/documents/ke-ncic?lang=fr\""),
        "related document"
    );
}

#[test]
fn history_and_diff_pages_show_revisions_and_changes() {
    let (_data, kb) = small_kb();
    let mut record = kb.document("ug-icc-act").unwrap().unwrap();
    let document = praxis::Document {
        meta: record.meta.clone(),
        body: record
            .body
            .replace("sets out cooperation", "regulates cooperation"),
        source_text: record.source_text.clone(),
    };
    kb.save_document(&document, "alice").unwrap();
    record = kb.document("ug-icc-act").unwrap().unwrap();
    let revisions = kb.store().revisions("ug-icc-act").unwrap();
    let pages = Pages::new();
    let html = pages.history(&record, &revisions, Lang::En);
    assert!(html.contains("/documents/ug-icc-act/revisions/1?lang=en"));
    assert!(html.contains("<td>alice</td>"));
    let hunks = praxis::diff::diff_lines(&revisions[0].body, &revisions[1].body, 2);
    let html = pages.diff(&record, 1, 2, &hunks, Lang::En);
    assert!(html.contains("<tr class=\"removed\">"));
    assert!(html.contains("<ins>The act gives the High Court jurisdiction over international crimes and regulates cooperation"));
    let old = pages.document(
        &record,
        Some(&revisions[0]),
        &[],
        &kb.taxonomy(),
        Lang::En,
        "",
    );
    assert!(old.contains("You are reading revision 1"));
    assert!(old.contains("sets out cooperation"));
}

