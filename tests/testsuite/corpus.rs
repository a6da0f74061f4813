//! The shipped corpus (the only tests that read `corpus/`): it validates without a warning, every
//! document cites a source and none on a mirror or staging host, networks list their members,
//! the GAAMAC II report keeps each region's proposal, and coverage by type, region and language
//! does not fall below what is shipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use praxis::document::sources::url_warning;
use praxis::KnowledgeBase;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The document files under `corpus/`, counted the way the README describes them: Markdown
/// files outside `reference/`, except README.md and OMISSIONS.md.
fn document_files(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with('.') || (depth == 0 && name == "reference") {
            continue;
        }
        if path.is_dir() {
            document_files(&path, depth + 1, files);
        } else if name.ends_with(".md") && name != "README.md" && name != "OMISSIONS.md" {
            files.push(path);
        }
    }
}

fn shipped_corpus() -> (tempfile::TempDir, KnowledgeBase) {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[corpus_dir()], &|_, _| {}).unwrap();
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    (data, kb)
}

#[test]
fn the_shipped_corpus_validates_and_meets_its_coverage_targets() {
    let (_data, kb) = shipped_corpus();
    let mut files = Vec::new();
    document_files(&corpus_dir(), 0, &mut files);
    let records: Vec<_> = kb.store().records().map(|r| r.unwrap()).collect();
    assert_eq!(
        records.len(),
        files.len(),
        "every document file is in the store"
    );

    let taxonomy = kb.taxonomy();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_region: BTreeMap<String, usize> = BTreeMap::new();
    let mut type_regions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_language: BTreeMap<String, usize> = BTreeMap::new();
    let mut laws_by_region: BTreeMap<String, usize> = BTreeMap::new();
    for record in &records {
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
            if meta.doc_type == "law" {
                *laws_by_region.entry(region.clone()).or_default() += 1;
            }
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
    // Issue 14's targets: 280 documents; 80 laws (10 in every region), 75 mechanisms, 45 case
    // studies, 15 curricula, 30 reports, 8 networks; 45 per region; 30 in French and in
    // Spanish, 10 in Portuguese, 5 in Arabic.
    assert!(records.len() >= 280, "{} documents", records.len());
    for (doc_type, floor) in [
        ("law", 80),
        ("mechanism", 75),
        ("case-study", 45),
        ("curriculum", 15),
        ("report", 30),
        ("network", 8),
    ] {
        at_least(&by_type, doc_type, floor);
    }
    for region in ["africa", "americas", "asia", "europe", "oceania"] {
        at_least(&by_region, region, 45);
        at_least(&laws_by_region, region, 10);
    }
    for (doc_type, regions) in &type_regions {
        assert!(regions.len() >= 3, "{doc_type} appears in {regions:?}");
    }
    for (language, floor) in [("fr", 30), ("es", 30), ("pt", 10), ("ar", 5)] {
        at_least(&by_language, language, floor);
    }
}

#[test]
fn praxis_check_gives_no_warning_and_no_source_is_on_a_mirror_or_staging_host() {
    let report =
        praxis::ingest::check(&[corpus_dir()], &praxis::Taxonomy::builtin(), &|_, _| {}).unwrap();
    let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
    assert!(warnings.is_empty(), "{}", warnings.join("\n"));
    assert_eq!(report.failed, 0);

    // The same rule, applied to what the store holds: sources and network evidence.
    let (_data, kb) = shipped_corpus();
    let mut unreliable = Vec::new();
    for record in kb.store().records() {
        let meta = record.unwrap().meta;
        let urls = meta
            .sources
            .iter()
            .filter_map(|s| s.url.clone())
            .chain(meta.members.iter().map(|m| m.evidence.clone()))
            .filter(|u| u.starts_with("http"));
        for url in urls {
            if let Some(warning) = url_warning(&url) {
                unreliable.push(format!("{}: {warning}", meta.id));
            }
        }
    }
    assert!(unreliable.is_empty(), "{}", unreliable.join("\n"));
}

#[test]
fn every_network_lists_member_states_with_evidence() {
    let (_data, kb) = shipped_corpus();
    let mut networks = 0;
    for record in kb.store().records() {
        let meta = record.unwrap().meta;
        if meta.doc_type != "network" {
            continue;
        }
        networks += 1;
        assert!(!meta.members.is_empty(), "{} lists no member", meta.id);
        assert!(
            meta.members.iter().all(|m| !m.evidence.trim().is_empty()),
            "{}",
            meta.id
        );
    }
    assert!(networks >= 8, "{networks} networks");
    let latin_america = kb
        .document("americas-red-latinoamericana-prevencion-genocidio")
        .unwrap()
        .unwrap();
    let members: BTreeSet<&str> = latin_america
        .meta
        .members
        .iter()
        .map(|m| m.country.as_str())
        .collect();
    assert!(members.contains("ARG") && members.contains("PRY") && members.len() == 18);
}

#[test]
fn network_relations_name_network_documents_and_the_pages_show_them() {
    let (_data, kb) = shipped_corpus();
    let records: Vec<_> = kb.store().records().map(|r| r.unwrap()).collect();
    let networks: BTreeSet<&str> = records
        .iter()
        .filter(|r| r.meta.doc_type == "network")
        .map(|r| r.meta.id.as_str())
        .collect();
    let mut relations = 0;
    for record in &records {
        for relation in &record.meta.related_networks {
            relations += 1;
            assert!(
                networks.contains(relation.network.as_str()),
                "{} relates to {}, which is no network document",
                record.meta.id,
                relation.network
            );
        }
    }
    assert!(relations >= 2, "{relations} relations");
    // Every network's page model holds every member of its document, and the relation GAAMAC
    // states shows on the other network's side too.
    for summary in praxis::networks::list_networks(&kb, praxis::Lang::En).unwrap() {
        let detail = praxis::networks::network_detail(&kb, &summary.id, praxis::Lang::En).unwrap();
        let document = kb.document(&summary.id).unwrap().unwrap();
        assert_eq!(
            detail.members.len(),
            document.meta.members.len(),
            "{}",
            summary.id
        );
    }
    let fora = praxis::networks::network_detail(
        &kb,
        "global-prevention-of-genocide-network-regional-fora",
        praxis::Lang::En,
    )
    .unwrap();
    assert!(fora
        .summary
        .relations
        .iter()
        .any(|r| r.network == "global-gaamac" && r.label == "gave rise to"));
}

#[test]
fn the_gaamac_ii_report_keeps_each_region_proposal_and_names_the_day_three_report() {
    let (_data, kb) = shipped_corpus();
    let record = kb
        .document("global-gaamac-second-global-meeting")
        .unwrap()
        .unwrap();
    let body = record.body.split_whitespace().collect::<Vec<_>>().join(" ");
    for (region, phrase) in [
        (
            "Dieng's challenge",
            "with a prize for the proposal judged most practical",
        ),
        (
            "Africa",
            "over twelve months, overseen by a regional steering group meeting every two months",
        ),
        (
            "Africa",
            "standard norms of compliance while staying flexible",
        ),
        ("Africa", "open to input from countries outside the region"),
        (
            "Asia",
            "West Asia, Iraq included, and South, South-East and North Asia",
        ),
        ("Asia", "GAAMAC as a loose, consultative network"),
        (
            "Asia",
            "how many international standards the country adheres to",
        ),
        (
            "Asia",
            "which of its laws could be shared within the region",
        ),
        ("Asia", "moving at a realistic pace"),
        (
            "North America and Europe",
            "bilateral, multilateral and regional levels",
        ),
        ("North America and Europe", "highest political level"),
        (
            "North America and Europe",
            "full spectrum from prevention to reparation",
        ),
        (
            "North America and Europe",
            "rule of law, good governance and poverty reduction",
        ),
        ("Latin America", "starting point, example and blueprint"),
        ("Latin America", "meetings every six months"),
        ("Latin America", "dialogue among networks"),
        (
            "Latin America",
            "the vocabulary and the tools of prevention",
        ),
    ] {
        assert!(body.contains(phrase), "{region}: \"{phrase}\" missing");
    }
    assert!(record.meta.sources.iter().any(|s| s
        .citation
        .as_deref()
        .is_some_and(|c| c.contains("day three"))));
    assert!(body.contains("Strengthening Partnerships and Co-operation"));
    let omissions = std::fs::read_to_string(corpus_dir().join("OMISSIONS.md")).unwrap();
    assert!(omissions.contains("global-gaamac-second-global-meeting"));
}

#[test]
fn argentina_rome_statute_law_gives_both_ratification_dates() {
    let (_data, kb) = shipped_corpus();
    let record = kb
        .document("ar-ley-26200-implementacion-estatuto-de-roma")
        .unwrap()
        .unwrap();
    let body = record.body.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(body.contains("16 de enero de 2001"));
    assert!(body.contains("8 de febrero de 2001"));
}

#[test]
fn every_shipped_document_sits_on_the_spectrum_and_every_stage_has_documents() {
    let (_data, kb) = shipped_corpus();
    let taxonomy = kb.taxonomy();
    let mut per_stage: BTreeMap<String, usize> = BTreeMap::new();
    let mut without: Vec<String> = Vec::new();
    for record in kb.store().records() {
        let meta = record.unwrap().meta;
        if meta.stages.is_empty() {
            without.push(meta.id.clone());
        }
        for stage in &meta.stages {
            *per_stage.entry(stage.clone()).or_default() += 1;
        }
    }
    assert!(
        without.is_empty(),
        "documents without `stages:` (run scripts/suggest_stages.py, then read the result): {}",
        without.join(", ")
    );
    for stage in taxonomy.stages.slugs() {
        assert!(
            per_stage.get(stage).copied().unwrap_or(0) >= 5,
            "stage {stage} has fewer than 5 documents: {per_stage:?}"
        );
    }
}
