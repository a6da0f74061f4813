//! Latency percentiles of the benchmark's queries over 100,000 generated documents: criterion
//! reports means and medians, this reports the tail. Each kind of query runs `--runs` times
//! (default 2,000) after a warm-up; the faceted kind cycles through a fixed mix of query words
//! (English, French, Spanish, phrases, misspellings) with a region and a theme filter.
//!
//! ```text
//! cargo run --release --example latency [-- --runs 2000] [--only faceted]
//! ```
//!
//! `--only` runs the kinds whose name starts with the given text (for profiling one kind).
//!
//! The corpus and data are built on first use under `target/` (see `bench/fixture.rs`).

#[path = "fixture.rs"]
mod fixture;

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result};
use praxis::{KnowledgeBase, SearchRequest};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs every request `runs` times in total (cycling); returns each request's latencies in ms.
fn measure<'a>(
    kb: &KnowledgeBase,
    requests: &'a [SearchRequest],
    runs: usize,
) -> Result<Vec<(&'a SearchRequest, f64)>> {
    for request in requests.iter().cycle().take(runs.min(200)) {
        kb.search(request)?;
    }
    let mut latencies = Vec::with_capacity(runs);
    for request in requests.iter().cycle().take(runs) {
        let started = Instant::now();
        let response = kb.search(request)?;
        latencies.push((request, started.elapsed().as_secs_f64() * 1000.0));
        std::hint::black_box(response);
    }
    Ok(latencies)
}

/// The query words of the mix by median latency, slowest first: what the tail is made of.
fn slowest_words(latencies: &[(&SearchRequest, f64)], count: usize) -> Vec<(String, f64, usize)> {
    let mut by_word: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for (request, ms) in latencies {
        by_word.entry(&request.q).or_default().push(*ms);
    }
    let mut medians: Vec<(String, f64, usize)> = by_word
        .into_iter()
        .map(|(word, mut ms)| {
            ms.sort_by(f64::total_cmp);
            (word.to_string(), percentile(&ms, 50.0), ms.len())
        })
        .collect();
    medians.sort_by(|a, b| b.1.total_cmp(&a.1));
    medians.truncate(count);
    medians
}

fn main() -> Result<()> {
    let mut runs = 2000;
    let mut only = String::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n: &usize| n > 0)
                    .context("--runs needs a positive number")?;
            }
            "--only" => {
                only = args
                    .next()
                    .context("--only needs the start of a kind's name")?
            }
            // cargo passes --bench when run as a benchmark; nothing else is expected.
            "--bench" => {}
            other => anyhow::bail!("unknown argument \"{other}\"; allowed: --runs N, --only NAME"),
        }
    }
    let fixture = fixture::Fixture::from_env()?;
    let kb = fixture.open()?;
    let text = SearchRequest::text("violence prevention");
    let kinds: Vec<(&str, Vec<SearchRequest>)> = vec![
        ("faceted (mix)", fixture::faceted_mix(runs)),
        ("faceted (fixed)", vec![fixture::faceted_request()]),
        ("empty + facets", vec![SearchRequest::default()]),
        ("text + facets", vec![text.clone()]),
        (
            "text, no facets",
            vec![SearchRequest {
                facets: Some(Vec::new()),
                ..text
            }],
        ),
    ];
    println!(
        "{} documents, {runs} runs per kind (ms)\n{:<18} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        fixture.docs, "query", "mean", "p50", "p90", "p95", "p99", "max"
    );
    let mut tail = Vec::new();
    for (name, requests) in kinds.iter().filter(|(name, _)| name.starts_with(&only)) {
        let measured = measure(&kb, requests, runs)?;
        if requests.len() > 1 {
            tail = slowest_words(&measured, 8);
        }
        let mut latencies: Vec<f64> = measured.iter().map(|(_, ms)| *ms).collect();
        latencies.sort_by(f64::total_cmp);
        let mean = latencies.iter().sum::<f64>() / latencies.len() as f64;
        println!(
            "{name:<18} {mean:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
            percentile(&latencies, 50.0),
            percentile(&latencies, 90.0),
            percentile(&latencies, 95.0),
            percentile(&latencies, 99.0),
            latencies[latencies.len() - 1],
        );
    }
    if !tail.is_empty() {
        println!("\nslowest query words in the mix (median ms over their runs):");
        for (word, median, count) in tail {
            println!("  {median:>8.2}  {word} ({count} runs)");
        }
    }
    Ok(())
}
