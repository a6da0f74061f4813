//! Portuguese and Arabic documents: each analysed with its own stemmer, searchable and
//! facetable like the others; Arabic pages render right to left; networks list members.
//! Also the source-URL warnings, which the `languages` fixture triggers once.

use praxis::pages::Pages;
use praxis::{FacetGroup, KnowledgeBase, Lang, SearchRequest, SearchResponse};

use crate::common::fixture;

fn languages_kb() -> (tempfile::TempDir, KnowledgeBase) {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[fixture("languages")], &|_, _| {}).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.added.len(), 3);
    (data, kb)
}

fn ids(response: &SearchResponse) -> Vec<&str> {
    response.hits.iter().map(|h| h.id.as_str()).collect()
}

#[test]
fn portuguese_words_match_their_inflections_and_unaccented_spelling() {
    let (_data, kb) = languages_kb();
    for query in ["genocídio", "prevencao", "crime"] {
        let response = kb.search(&SearchRequest::text(query)).unwrap();
        assert!(
            ids(&response).contains(&"pt-fixture-prevencao"),
            "{query}: {:?}",
            ids(&response)
        );
    }
}

#[test]
fn arabic_words_match_with_and_without_the_article() {
    let (_data, kb) = languages_kb();
    // The document has "الإبادة" (the genocide); the query has "إبادة" (genocide).
    let response = kb.search(&SearchRequest::text("إبادة")).unwrap();
    assert_eq!(ids(&response), vec!["ar-fixture-network"]);
    assert!(
        response.hits[0].snippet_html.contains("<mark>"),
        "{:?}",
        response.hits[0]
    );
}

#[test]
fn portuguese_and_arabic_are_facets_with_labels_in_the_reader_language() {
    let (_data, kb) = languages_kb();
    let request = SearchRequest::default().with_lang(Lang::Fr);
    let response = kb.search(&request).unwrap();
    let languages = response
        .facets
        .iter()
        .find(|f| f.group == FacetGroup::Language)
        .unwrap();
    let values: Vec<(&str, &str, u64)> = languages
        .values
        .iter()
        .map(|v| (v.value.as_str(), v.label.as_str(), v.count))
        .collect();
    assert!(values.contains(&("pt", "Portugais", 1)), "{values:?}");
    assert!(values.contains(&("ar", "Arabe", 1)), "{values:?}");
    let only_arabic = kb
        .search(&SearchRequest::default().filter(FacetGroup::Language, "ar"))
        .unwrap();
    assert_eq!(ids(&only_arabic), vec!["ar-fixture-network"]);
    let networks = kb
        .search(&SearchRequest::default().filter(FacetGroup::Type, "network"))
        .unwrap();
    assert_eq!(networks.total, 1);
}

#[test]
fn arabic_document_pages_render_right_to_left_with_their_members() {
    let (_data, kb) = languages_kb();
    let taxonomy = kb.taxonomy();
    let record = kb.document("ar-fixture-network").unwrap().unwrap();
    let html = Pages::new().document(&record, None, &[], &taxonomy, Lang::En, "");
    assert!(
        html.contains(r#"<article class="document" lang="ar" dir="rtl">"#),
        "{html}"
    );
    assert!(html.contains("Member States"));
    assert!(
        html.contains("Egypt"),
        "member names come from the country list"
    );
    assert!(html.contains("(joined 2019)"));
    assert!(html.contains("Operating status</dt><dd>Active"));

    let record = kb.document("pt-fixture-prevencao").unwrap().unwrap();
    let html = Pages::new().document(&record, None, &[], &taxonomy, Lang::En, "");
    assert!(html.contains(r#"<article class="document" lang="pt">"#));
    assert!(!html.contains("dir=\"rtl\""));
}

#[test]
fn mirror_site_sources_are_warnings_that_do_not_fail_the_check() {
    let report = praxis::ingest::check(
        &[fixture("languages")],
        &praxis::Taxonomy::builtin(),
        &|_, _| {},
    )
    .unwrap();
    assert_eq!(report.failed, 0);
    let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("en-fixture-mirror.md:9: sources: url"),
        "{warnings:?}"
    );
    assert!(
        warnings[0].contains("document-mirror site (vdocuments)"),
        "{warnings:?}"
    );
}
