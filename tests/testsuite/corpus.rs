//! The shipped corpus (the only tests that read `corpus/`): it validates, every document cites
//! a source, and coverage by type, region and language meets what the product promises.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use praxis::KnowledgeBase;

#[test]
fn the_shipped_corpus_validates_and_meets_its_coverage_targets() {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let report = kb.ingest(&[corpus], &|_, _| {}).unwrap();
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let taxonomy = kb.taxonomy();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_region: BTreeMap<String, usize> = BTreeMap::new();
    let mut type_regions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_language: BTreeMap<String, usize> = BTreeMap::new();
    for record in kb.store().records() {
        let record = record.unwrap();
        let meta = &record.meta;
        assert!(
            meta.sources
                .iter()
                .any(|s| s.url.is_some() || s.citation.is_some()),
            "{} has no source",
            meta.id
        );
        *by_type.entry(meta.doc_type.clone()).or_default() += 1;
        *by_language.entry(meta.language.clone()).or_default() += 1;
        let regions: BTreeSet<String> = praxis::index::region_paths(&taxonomy, meta)
            .into_iter()
            .map(|path| path[0].to_string())
            .collect();
        for region in regions {
            *by_region.entry(region.clone()).or_default() += 1;
            type_regions
                .entry(meta.doc_type.clone())
                .or_default()
                .insert(region);
        }
    }
    let at_least = |map: &BTreeMap<String, usize>, key: &str, n: usize| {
        let count = map.get(key).copied().unwrap_or(0);
        assert!(count >= n, "{key}: {count} < {n} ({map:?})");
    };
    at_least(&by_type, "mechanism", 25);
    at_least(&by_type, "law", 25);
    at_least(&by_type, "case-study", 15);
    at_least(&by_type, "curriculum", 3);
    at_least(&by_type, "report", 3);
    for region in ["africa", "americas", "asia", "europe", "oceania"] {
        at_least(&by_region, region, 8);
    }
    for (doc_type, regions) in &type_regions {
        assert!(regions.len() >= 3, "{doc_type} appears in {regions:?}");
    }
    at_least(&by_language, "fr", 5);
    at_least(&by_language, "es", 5);
    assert!(kb
        .document("global-gaamac-second-global-meeting")
        .unwrap()
        .is_some());
}
