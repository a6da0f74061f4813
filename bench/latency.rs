//! Latency percentiles of the benchmark's queries over 100,000 generated documents: criterion
//! reports means and medians, this reports the tail. Each kind of query runs `--runs` times
//! (default 2,000) after a warm-up; the faceted kind cycles through a fixed mix of query words
//! (English, French, Spanish, phrases, misspellings) with a region and a theme filter.
//!
//! ```text
//! cargo run --release --example latency [-- --runs 2000]
//! ```
//!
//! The corpus and data are built on first use under `target/` (see `bench/fixture.rs`).

#[path = "fixture.rs"]
mod fixture;

use std::time::Instant;

use anyhow::{Context, Result};
use praxis::{KnowledgeBase, SearchRequest};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs every request `runs` times in total (cycling), returns sorted latencies in ms.
fn measure(kb: &KnowledgeBase, requests: &[SearchRequest], runs: usize) -> Result<Vec<f64>> {
    for request in requests.iter().cycle().take(runs.min(200)) {
        kb.search(request)?;
    }
    let mut latencies = Vec::with_capacity(runs);
    for request in requests.iter().cycle().take(runs) {
        let started = Instant::now();
        let response = kb.search(request)?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(response);
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}

fn main() -> Result<()> {
    let mut runs = 2000;
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
            // cargo passes --bench when run as a benchmark; nothing else is expected.
            "--bench" => {}
            other => anyhow::bail!("unknown argument \"{other}\"; allowed: --runs N"),
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
    for (name, requests) in &kinds {
        let latencies = measure(&kb, requests, runs)?;
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
    Ok(())
}
