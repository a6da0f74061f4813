//! Search latency over 100,000 generated documents (see BENCHMARKS.md):
//!
//! - `faceted`: a text query, a region and a theme filter, and every facet group counted;
//! - `empty`: no query, every facet group counted (the first page of browsing);
//! - `text`: a text query with every facet group counted, and the same without facets.
//!
//! Generating and ingesting the corpus is setup, done once under `target/` and reused (see
//! `bench/fixture.rs`). Percentiles over a mix of queries: `cargo run --release --example latency`.

#[path = "../bench/fixture.rs"]
mod fixture;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use praxis::{KnowledgeBase, SearchRequest};

fn run(kb: &KnowledgeBase, request: &SearchRequest) -> usize {
    kb.search(black_box(request)).expect("search runs").total
}

fn search(c: &mut Criterion) {
    let fixture = fixture::Fixture::from_env().expect("benchmark settings");
    let kb = fixture.open().expect("benchmark knowledge base");
    let faceted = fixture::faceted_request();
    let empty = SearchRequest::default();
    let text = SearchRequest::text("violence prevention");
    let text_without_facets = SearchRequest {
        facets: Some(Vec::new()),
        ..text.clone()
    };
    eprintln!(
        "{} documents; hits: faceted {}, empty {}, text {}",
        fixture.docs,
        run(&kb, &faceted),
        run(&kb, &empty),
        run(&kb, &text)
    );

    let mut group = c.benchmark_group(format!("search_{}", fixture.docs));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("faceted", |b| b.iter(|| run(&kb, &faceted)));
    group.bench_function("empty", |b| b.iter(|| run(&kb, &empty)));
    group.bench_function("text", |b| b.iter(|| run(&kb, &text)));
    group.bench_function("text_without_facets", |b| {
        b.iter(|| run(&kb, &text_without_facets))
    });
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
