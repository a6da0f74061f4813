//! Times Markdown rendering of hostile bodies: what the limits cost and what they prevent.
//!
//! For each body: `check_structure` (validation), `to_safe_html` (what every view does), and,
//! as the baseline, the renderer as it was before the limits (pulldown-cmark then ammonia, no
//! check), on smaller sizes so that the run stays bounded. See RELIABILITY.md.
//!
//! `cargo run --release --example markdown_render [-- --no-baseline]`

use std::time::{Duration, Instant};

use praxis::document::markdown::{check_structure, to_safe_html};

/// The renderer before the limits, for the baseline.
fn unchecked_html(markdown: &str) -> String {
    use pulldown_cmark::{html, Event, Options, Parser};
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let parser = Parser::new_ext(markdown, options)
        .filter(|event| !matches!(event, Event::Html(_) | Event::InlineHtml(_)));
    let mut out = String::new();
    html::push_html(&mut out, parser);
    ammonia::Builder::default().clean(&out).to_string()
}

fn time<T>(work: impl Fn() -> T) -> Duration {
    // Best of three: the machine is shared.
    (0..3)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(work());
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let kb = 1024;
    let bodies: Vec<(&str, String)> = vec![
        ("nested `>`, 100 KB", ">".repeat(100 * kb)),
        (
            "nested `> ` then 50 KB of lines",
            format!("{}\n{}", "> ".repeat(25 * kb), "x\n".repeat(25 * kb)),
        ),
        ("nested `- `, 100 KB", "- ".repeat(50 * kb)),
        ("`[` repeated, 50 KB", "[".repeat(50 * kb)),
        ("`[` repeated, 100 KB", "[".repeat(100 * kb)),
        ("`*a` repeated, 50 KB", "*a".repeat(25 * kb)),
        ("`*a` repeated, 100 KB", "*a".repeat(50 * kb)),
        (
            "wide table (2,000 columns, 500 rows)",
            format!(
                "{}\n{}\n{}",
                "|a".repeat(2000),
                "|-".repeat(2000),
                "|\n".repeat(500)
            ),
        ),
        (
            "ordinary text, 50 KB",
            "Some *text* with a [link](https://example.org).\n\n".repeat(kb),
        ),
        (
            "ordinary text, 100 KB",
            "Some *text* with a [link](https://example.org).\n\n".repeat(2 * kb),
        ),
    ];
    println!("| body | check_structure | to_safe_html | refused? |");
    println!("|---|---|---|---|");
    for (name, body) in &bodies {
        let check = time(|| check_structure(body));
        let render = time(|| to_safe_html(body));
        let refused = check_structure(body).is_err();
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {} |",
            check.as_secs_f64() * 1e3,
            render.as_secs_f64() * 1e3,
            if refused { "yes" } else { "no" }
        );
    }
    if std::env::args().any(|arg| arg == "--no-baseline") {
        return;
    }
    println!();
    println!("Baseline: the renderer without the limits (as before), on nested `>`:");
    println!("| size | unchecked render |");
    println!("|---|---|");
    for size in [2 * kb, 4 * kb, 8 * kb, 16 * kb] {
        let body = ">".repeat(size);
        let started = Instant::now();
        std::hint::black_box(unchecked_html(&body));
        println!(
            "| {} KB | {:.1} ms |",
            size / kb,
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}
