//! The knowledge base the search benchmarks run against, shared by `benches/search.rs` and
//! `bench/latency.rs`: a corpus written by `praxis gen-corpus` and ingested through the real
//! path, both kept under `target/` and reused while the number of documents, the seed and the
//! generator version stay the same. Building it is setup: it is never timed.
//!
//! `PRAXIS_BENCH_DOCS` (default 100000) and `PRAXIS_BENCH_SEED` (default 42) choose the corpus.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use praxis::gen_corpus::{self, GenOptions, Lexicon};
use praxis::{FacetGroup, KnowledgeBase, SearchRequest, Taxonomy};

pub const DEFAULT_DOCS: usize = 100_000;

/// Words and phrases people type: subjects in the three languages, two-word queries, a phrase,
/// a synonym and misspellings (which take the fuzzy path).
pub const QUERIES: &[&str] = &[
    "genocide",
    "prevention",
    "violence",
    "justice",
    "commission",
    "tribunal",
    "elections",
    "police",
    "reparations",
    "victims",
    "hate speech",
    "early warning",
    "truth commission",
    "war crimes",
    "international court",
    "human rights",
    "national law",
    "ethnic violence",
    "reconciliation process",
    "\"crimes against humanity\"",
    "R2P",
    "genocde",
    "reconcilation",
    "génocide",
    "prévention",
    "justicia",
    "víctimas",
    "verdad",
    "loi",
    "memoria histórica",
];

/// The faceted query of the criterion benchmark: a text query, two filters (a region and a
/// theme) and counts for every facet group.
pub fn faceted_request() -> SearchRequest {
    SearchRequest::text("violence prevention")
        .filter(FacetGroup::Region, "africa")
        .filter(FacetGroup::Theme, "hate-speech")
}

/// `count` faceted requests: a query from [`QUERIES`], a region (top-level or sub-region) and
/// a theme, drawn with a fixed seed so that every run measures the same mix.
pub fn faceted_mix(count: usize) -> Vec<SearchRequest> {
    let taxonomy = Taxonomy::builtin();
    let regions: Vec<String> = taxonomy
        .geography
        .regions()
        .iter()
        .map(|r| r.slug.clone())
        .collect();
    let themes: Vec<String> = taxonomy.themes.slugs().map(str::to_string).collect();
    // A small linear congruential generator: the mix only needs to be fixed, not random.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % n as u64) as usize
    };
    (0..count)
        .map(|_| {
            SearchRequest::text(QUERIES[next(QUERIES.len())])
                .filter(FacetGroup::Region, &regions[next(regions.len())])
                .filter(FacetGroup::Theme, &themes[next(themes.len())])
        })
        .collect()
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> Result<T> {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .ok()
            .with_context(|| format!("{name}: \"{value}\" is not a number")),
        Err(_) => Ok(default),
    }
}

/// Where the corpus and the data live, and which corpus it is.
pub struct Fixture {
    pub docs: usize,
    pub seed: u64,
    pub corpus: PathBuf,
    pub data: PathBuf,
}

impl Fixture {
    pub fn from_env() -> Result<Fixture> {
        let docs = env_number("PRAXIS_BENCH_DOCS", DEFAULT_DOCS)?;
        let seed = env_number("PRAXIS_BENCH_SEED", gen_corpus::DEFAULT_SEED)?;
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
        let name = format!("docs-{docs}-seed-{seed}");
        Ok(Fixture {
            docs,
            seed,
            corpus: target.join("bench-corpus").join(&name),
            data: target.join("bench-data").join(&name),
        })
    }

    /// Generates and ingests what is missing, then opens the knowledge base.
    pub fn open(&self) -> Result<KnowledgeBase> {
        let taxonomy = Taxonomy::builtin();
        if !gen_corpus::is_generated(&self.corpus, self.docs, self.seed) {
            eprintln!(
                "bench setup: generating {} documents (seed {}) into {}",
                self.docs,
                self.seed,
                self.corpus.display()
            );
            // Anything there is an interrupted or older generation of ours.
            if self.corpus.exists() {
                std::fs::remove_dir_all(&self.corpus)?;
            }
            let options = GenOptions {
                docs: self.docs,
                seed: self.seed,
                out: self.corpus.clone(),
                force: false,
            };
            gen_corpus::generate(&options, &taxonomy, Lexicon::builtin(), &|_, _| {})?;
        }
        let marker = self.data.join("ingested-from");
        let wanted = gen_corpus::marker_text(self.docs, self.seed);
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
            eprintln!(
                "bench setup: ingesting {} into {}",
                self.corpus.display(),
                self.data.display()
            );
            if self.data.exists() {
                std::fs::remove_dir_all(&self.data)?;
            }
            let started = Instant::now();
            let kb = KnowledgeBase::open(&self.data)?;
            let shown = std::sync::atomic::AtomicUsize::new(0);
            let report = kb.ingest(std::slice::from_ref(&self.corpus), &|done, total| {
                let step = done / 10_000;
                if step > shown.fetch_max(step, std::sync::atomic::Ordering::Relaxed) {
                    eprintln!("bench setup: validated {done}/{total}");
                }
            })?;
            anyhow::ensure!(
                report.failed == 0,
                "the generated corpus had problems: {:?}",
                report.problems.first()
            );
            eprintln!(
                "bench setup: ingested {} documents in {:.1} s ({} index segment(s))",
                report.added.len(),
                started.elapsed().as_secs_f64(),
                kb.index().segment_count()
            );
            drop(kb);
            std::fs::write(&marker, wanted)?;
        }
        let kb = KnowledgeBase::open(&self.data)?;
        anyhow::ensure!(
            kb.index().num_docs() == self.docs as u64,
            "{} does not hold {} documents; delete it to rebuild",
            self.data.display(),
            self.docs
        );
        Ok(kb)
    }
}
