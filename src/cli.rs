//! The command line: one subcommand per job, each a thin layer over the library. Part of the
//! binary, not the library: nothing in the library depends on it.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

#[cfg(feature = "gen-corpus")]
use praxis::gen_corpus::{self, GenOptions, Lexicon};
use praxis::ingest::{self, IngestReport};
use praxis::profiles::{self, ImportOptions, ImportReport};
use praxis::{FacetGroup, KnowledgeBase, Lang, SearchRequest, Sort, Taxonomy};

mod terminal;
use terminal::{country_profile_text, facet_line, region_profile_text, terminal_text};

/// Praxis: a searchable knowledge base of what works in preventing genocide and mass atrocities.
#[derive(Debug, Parser)]
#[command(name = "praxis", version, about)]
pub struct Cli {
    /// The data directory (store and index).
    #[arg(long, global = true, env = "PRAXIS_DATA", default_value = "index")]
    pub data: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate documents and store and index the valid ones; withdraws documents whose files
    /// were removed from an ingested folder. A document a curator changed, withdrew or restored
    /// since is kept as the curator left it unless its file has new content (see --force).
    /// Exits non-zero if any document had a problem.
    Ingest {
        /// Files or folders (default: corpus/).
        paths: Vec<PathBuf>,
        /// Apply every file even over a curator's later change (and withdraw documents whose
        /// files are gone even if a curator changed them).
        #[arg(long)]
        force: bool,
    },
    /// Validate documents without writing anything. Exits non-zero on any problem.
    Check {
        /// Files or folders (default: corpus/).
        paths: Vec<PathBuf>,
    },
    /// Search the knowledge base.
    Search(Box<SearchArgs>),
    /// Rebuild the search index from the store.
    Reindex,
    /// Write a synthetic corpus for benchmarks: valid documents with word-salad text.
    #[cfg(feature = "gen-corpus")]
    GenCorpus(GenCorpusArgs),
    /// Counts of documents by type, language and region.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import treaty participation from a CSV file in the UN Treaty Collection format (columns
    /// country_name,treaty_id,treaty_name,action_type,action_date,signature_date,
    /// treaty_open_year,mtdsg_no,source_url). Valid rows are stored and take precedence over
    /// the built-in data for the same country and treaty. Exits non-zero if any row had a
    /// problem.
    ImportTreaties(ImportTreatiesArgs),
    /// A country's profile: the international instruments it adheres to (as far as the treaty
    /// data tells) and the documents about it.
    Profile {
        /// ISO 3166-1 alpha-2 or alpha-3 code (KE, KEN), or a country name.
        country: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Language of names and labels: en, fr, es.
        #[arg(long, default_value = "en")]
        lang: Lang,
        /// The basket of instruments to count adherence over (atrocity-prevention-core by
        /// default; core-human-rights).
        #[arg(long)]
        basket: Option<String>,
    },
    /// A region's profile: each State's adherence to international instruments, and the laws
    /// from the region judged shareable.
    RegionProfile {
        /// UN M49 region slug (africa, eastern-africa, south-eastern-asia) or label.
        region: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Language of names and labels: en, fr, es.
        #[arg(long, default_value = "en")]
        lang: Lang,
        /// The basket of instruments to count adherence over.
        #[arg(long)]
        basket: Option<String>,
    },
    /// Serve the HTTP API until SIGINT or SIGTERM. On first start (an empty store) the shipped
    /// corpus, compiled into the binary, is ingested. Curator tokens (for writes) come from
    /// PRAXIS_CURATOR_TOKENS and/or --tokens: `name:hash` entries, hashes from `hash-token`.
    Serve {
        /// Address to listen on (port 0 picks a free port; the bound address is printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// A file of curator tokens: one `name:hash` per line.
        #[arg(long)]
        tokens: Option<PathBuf>,
        /// The public URL of the server, for absolute links in the Atom feed
        /// (default: from the request's Host header).
        #[arg(long)]
        public_url: Option<String>,
        /// A file of contributor tokens (`name:hash` per line): contributors may propose
        /// changes for curators to review. Also PRAXIS_CONTRIBUTOR_TOKENS.
        #[arg(long)]
        contributor_tokens: Option<PathBuf>,
    },
    /// Read a curator token from standard input and print its hash, for PRAXIS_CURATOR_TOKENS
    /// or a tokens file (`name:hash`).
    HashToken,
    /// Write a consistent backup of the store to DIR/dump.ndjson (documents, every revision,
    /// the audit log, imported treaty data). While `praxis serve` runs, add --server: the
    /// server takes the backup (curator token in PRAXIS_TOKEN).
    Backup(DumpArgs),
    /// Restore a backup folder (DIR/dump.ndjson) into an empty data directory and rebuild the
    /// search index.
    Restore {
        /// The backup folder (or dump file).
        dir: PathBuf,
    },
    /// Write every current document as a corpus folder (DIR/corpus/: Markdown with front
    /// matter, current revision, ready for `praxis ingest`) plus the full dump
    /// (DIR/dump.ndjson, for `praxis import-dump`).
    Export(DumpArgs),
    /// Load a dump (a file, or a folder holding dump.ndjson) into an empty data directory,
    /// exactly: every revision and audit entry as they were; then rebuild the search index.
    ImportDump {
        /// The dump file or the folder holding it.
        path: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// A new (or empty) folder.
    pub dir: PathBuf,
    /// The URL of a running `praxis serve` to take the dump from (its data directory cannot
    /// be opened by a second process); the curator token is read from PRAXIS_TOKEN.
    #[arg(long)]
    pub server: Option<String>,
}

impl DumpArgs {
    fn write_dump(&self, data: &std::path::Path) -> Result<(PathBuf, praxis::store::DumpCounts)> {
        praxis::backup::write_dump(&self.dir, |out| match &self.server {
            Some(server) => {
                let token = std::env::var("PRAXIS_TOKEN").context(
                    "set PRAXIS_TOKEN to a curator token to take a backup through the server",
                )?;
                praxis::backup::fetch_dump(server, token.trim(), out)
            }
            None => {
                let kb = open(data).context(
                    "while `praxis serve` runs, take the dump through it: add --server URL",
                )?;
                Ok(kb.dump(out)?)
            }
        })
    }
}

fn print_counts(what: &str, path: &std::path::Path, counts: &praxis::store::DumpCounts) {
    println!(
        "{what} {}: {} documents, {} revisions, {} audit entries, {} imported treaties ({} rows)",
        path.display(),
        counts.documents,
        counts.revisions,
        counts.audit,
        counts.treaties,
        counts.participation
    );
}

fn import_dump(data: &std::path::Path, path: &std::path::Path) -> Result<i32> {
    let path = praxis::backup::dump_path(path);
    let file = std::fs::File::open(&path)
        .with_context(|| format!("cannot open the dump {}", path.display()))?;
    let kb = open(data)?;
    let counts = kb
        .import_dump(&mut std::io::BufReader::new(file))
        .with_context(|| format!("cannot restore {} into {}", path.display(), data.display()))?;
    print_counts("restored", &path, &counts);
    Ok(0)
}

#[derive(Debug, Args)]
pub struct ImportTreatiesArgs {
    /// The CSV file (UTF-8).
    pub file: PathBuf,
    /// The date the data reflects (YYYY-MM-DD), e.g. the day you read the source. Shown with
    /// the imported statuses.
    #[arg(long)]
    pub as_of: Option<String>,
    /// First remove every row imported earlier for the treaties in the file.
    #[arg(long)]
    pub replace: bool,
    /// Check the file and print the summary without storing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[cfg(feature = "gen-corpus")]
#[derive(Debug, Args)]
pub struct GenCorpusArgs {
    /// How many documents to write.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=gen_corpus::MAX_DOCS as u64))]
    pub docs: u64,
    /// The same number of documents and seed always give byte-identical files.
    #[arg(long, default_value_t = gen_corpus::DEFAULT_SEED)]
    pub seed: u64,
    /// The folder to write into (created; must be empty or hold an earlier generated corpus).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the corpus that an earlier gen-corpus wrote into --out.
    #[arg(long)]
    pub force: bool,
    /// Take the words from this corpus folder instead of the built-in word lists.
    #[arg(long, value_name = "CORPUS")]
    pub vocabulary_from: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words, "quoted phrases", -excluded words, title:word. Empty lists everything.
    #[arg(default_value = "")]
    pub query: String,
    /// Document type (repeat or comma-separate to select several).
    #[arg(long = "type", value_delimiter = ',')]
    pub doc_type: Vec<String>,
    /// UN M49 region or sub-region slug, e.g. africa, eastern-africa.
    #[arg(long, value_delimiter = ',')]
    pub region: Vec<String>,
    /// ISO 3166-1 alpha-2 or alpha-3 code.
    #[arg(long, value_delimiter = ',')]
    pub country: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub theme: Vec<String>,
    /// Stage of the spectrum from prevention to reparation, e.g. early-warning, reparation.
    #[arg(long, value_delimiter = ',')]
    pub stage: Vec<String>,
    /// Mechanism type slug.
    #[arg(long, value_delimiter = ',')]
    pub mechanism: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub instrument: Vec<String>,
    /// Document language: en, fr, es.
    #[arg(long, value_delimiter = ',')]
    pub language: Vec<String>,
    /// Decade, e.g. 2000.
    #[arg(long, value_delimiter = ',')]
    pub decade: Vec<String>,
    /// Laws judged shareable (yes) or not (no).
    #[arg(long)]
    pub shareable: Option<String>,
    #[arg(long)]
    pub year_from: Option<i32>,
    #[arg(long)]
    pub year_to: Option<i32>,
    /// relevance, newest (or year), oldest. Default: relevance with a query, newest without.
    #[arg(long)]
    pub sort: Option<Sort>,
    #[arg(long, default_value_t = 1)]
    pub page: usize,
    #[arg(long, default_value_t = 10)]
    pub page_size: usize,
    /// Language of labels: en, fr, es.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// Print the SearchResponse as JSON (what the API serves).
    #[arg(long)]
    pub json: bool,
}

impl SearchArgs {
    pub fn to_request(&self) -> SearchRequest {
        let mut request = SearchRequest {
            q: self.query.clone(),
            year_from: self.year_from,
            year_to: self.year_to,
            sort: self.sort,
            page: self.page,
            page_size: self.page_size,
            lang: self.lang,
            ..Default::default()
        };
        let groups = [
            (FacetGroup::Type, &self.doc_type),
            (FacetGroup::Region, &self.region),
            (FacetGroup::Country, &self.country),
            (FacetGroup::Theme, &self.theme),
            (FacetGroup::Stage, &self.stage),
            (FacetGroup::MechanismType, &self.mechanism),
            (FacetGroup::Instrument, &self.instrument),
            (FacetGroup::Language, &self.language),
            (FacetGroup::Decade, &self.decade),
        ];
        for (group, values) in groups {
            if !values.is_empty() {
                request.filters.insert(group, values.clone());
            }
        }
        if let Some(shareable) = &self.shareable {
            request
                .filters
                .insert(FacetGroup::Shareable, vec![shareable.clone()]);
        }
        request
    }
}

/// Runs a command; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Ingest { paths, force } => {
            let kb = open(&cli.data)?;
            let paths = default_paths(paths);
            let progress = progress_bar();
            let report = kb
                .ingest_with(&paths, force, &|done, total| {
                    progress.set_length(total as u64);
                    progress.set_position(done as u64);
                })
                .context("ingest failed")?;
            progress.finish_and_clear();
            print_problems(&report);
            for id in &report.withdrawn {
                println!("withdrawn: {id} (its file is gone; history kept)");
            }
            for id in &report.kept {
                println!("kept: {id} (changed by a curator since; --force applies the file)");
            }
            println!("ingested {}", report.summary());
            Ok(if report.failed > 0 { 1 } else { 0 })
        }
        Command::Check { paths } => {
            let paths = default_paths(paths);
            let report = ingest::check(&paths, &Taxonomy::builtin(), &|_, _| {})?;
            print_problems(&report);
            println!(
                "checked {} files: {} valid, {} with problems ({} problems, {} warnings)",
                report.files,
                report.unchanged,
                report.failed,
                report.problems.len(),
                report.warnings.len()
            );
            Ok(if report.failed > 0 { 1 } else { 0 })
        }
        Command::Search(args) => {
            let kb = open(&cli.data)?;
            let response = kb.search(&args.to_request())?;
            let mut out = std::io::stdout().lock();
            if args.json {
                serde_json::to_writer_pretty(&mut out, &response)?;
                writeln!(out)?;
                return Ok(0);
            }
            let bold = std::io::stdout().is_terminal();
            for notice in &response.notices {
                writeln!(out, "note: {}", notice.message)?;
            }
            for expansion in &response.expansions {
                writeln!(
                    out,
                    "also searched: {} → {} ({})",
                    expansion.phrase,
                    expansion.alternatives.join(", "),
                    expansion.source
                )?;
            }
            for filter in &response.suggested_filters {
                writeln!(
                    out,
                    "filter by {}: {} ({})? --{} {}",
                    filter.group_label,
                    filter.label,
                    filter.count,
                    match filter.group {
                        FacetGroup::MechanismType => "mechanism",
                        group => group.key(),
                    },
                    filter.value
                )?;
            }
            let shown = if response.query.is_empty() {
                "all documents".to_string()
            } else {
                format!("\"{}\"", response.query)
            };
            writeln!(
                out,
                "{} results for {shown} (page {}, {:.1} ms)\n",
                response.total, response.page, response.took_ms
            )?;
            let first = (response.page - 1) * response.page_size;
            for (i, hit) in response.hits.iter().enumerate() {
                writeln!(
                    out,
                    "{:>3}. {}",
                    first + i + 1,
                    terminal_text(&hit.title_html, bold)
                )?;
                writeln!(
                    out,
                    "     {} · {} · {} · {}",
                    hit.type_label,
                    if hit.country_names.is_empty() {
                        "—".to_string()
                    } else {
                        hit.country_names.join(", ")
                    },
                    hit.year,
                    hit.id
                )?;
                writeln!(out, "     {}\n", terminal_text(&hit.snippet_html, bold))?;
            }
            for facet in &response.facets {
                if facet.values.is_empty() {
                    continue;
                }
                let mut line = String::new();
                facet_line(&facet.values, &mut line);
                writeln!(out, "{}: {line}", facet.label)?;
            }
            Ok(0)
        }
        #[cfg(feature = "gen-corpus")]
        Command::GenCorpus(args) => {
            let taxonomy = Taxonomy::builtin();
            let custom;
            let lexicon = match &args.vocabulary_from {
                Some(corpus) => {
                    custom = Lexicon::from_corpus(corpus, &taxonomy)?;
                    &custom
                }
                None => Lexicon::builtin(),
            };
            let options = GenOptions {
                docs: args.docs as usize,
                seed: args.seed,
                out: args.out.clone(),
                force: args.force,
            };
            let progress = progress_bar();
            let report = gen_corpus::generate(&options, &taxonomy, lexicon, &|done, total| {
                progress.set_length(total as u64);
                progress.set_position(done as u64);
            })?;
            progress.finish_and_clear();
            let pairs = |counts: &std::collections::BTreeMap<String, usize>| {
                counts
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!(
                "generated {} documents in {} ({:.1} MB, {} body words) in {:.2} s",
                report.docs,
                options.out.display(),
                report.bytes as f64 / 1e6,
                report.words,
                report.elapsed.as_secs_f64()
            );
            println!("by type: {}", pairs(&report.by_type));
            println!("by language: {}", pairs(&report.by_language));
            Ok(0)
        }
        Command::Reindex => {
            let kb = open(&cli.data)?;
            // An index found missing or unreadable was rebuilt by the open: once is enough.
            let count = if kb.index_rebuilt_at_open() {
                kb.index().num_docs() as usize
            } else {
                kb.reindex()?
            };
            println!("reindexed {count} documents from the store");
            Ok(0)
        }
        Command::Serve {
            addr,
            tokens,
            public_url,
            contributor_tokens,
        } => {
            praxis::server::run(praxis::server::ServeOptions {
                data: cli.data,
                addr,
                tokens_file: tokens,
                public_url,
                contributor_tokens_file: contributor_tokens,
            })?;
            Ok(0)
        }
        Command::Backup(args) => {
            let (path, counts) = args.write_dump(&cli.data)?;
            print_counts("backup", &path, &counts);
            Ok(0)
        }
        Command::Restore { dir } => import_dump(&cli.data, &dir),
        Command::ImportDump { path } => import_dump(&cli.data, &path),
        Command::Export(args) => {
            let (path, counts) = args.write_dump(&cli.data)?;
            let documents = praxis::backup::export_corpus(&path, &args.dir)?;
            print_counts("dump", &path, &counts);
            println!(
                "corpus {}: {documents} current documents",
                args.dir.join("corpus").display()
            );
            Ok(0)
        }
        Command::HashToken => {
            let mut token = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut token)
                .context("cannot read the token from standard input")?;
            // Surrounding whitespace is never part of a token (the server trims the header too).
            let token = token.trim();
            if token.is_empty() {
                anyhow::bail!(
                    "no token on standard input (try: printf %s \"$TOKEN\" | praxis hash-token)"
                );
            }
            println!("{}", praxis::server::auth::hash_token(token));
            Ok(0)
        }
        Command::Stats { json } => {
            let kb = open(&cli.data)?;
            let stats = kb.stats()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
                return Ok(0);
            }
            println!(
                "{} documents ({} withdrawn, {} revisions); {} in the index",
                stats.documents, stats.withdrawn, stats.revisions, stats.indexed
            );
            let pairs = |pairs: &[(String, usize)]| {
                pairs
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!("by type: {}", pairs(&stats.by_type));
            println!("by language: {}", pairs(&stats.by_language));
            println!("by region: {}", pairs(&stats.by_region));
            Ok(0)
        }
        Command::ImportTreaties(args) => {
            let kb = open(&cli.data)?;
            let options = ImportOptions {
                as_of: args.as_of,
                replace: args.replace,
                dry_run: args.dry_run,
            };
            let report = profiles::import_treaties(&kb, &args.file, &options)?;
            for problem in &report.problems {
                eprintln!("{problem}");
            }
            print_import_summary(&report);
            Ok(if report.is_ok() { 0 } else { 1 })
        }
        Command::Profile {
            country,
            json,
            lang,
            basket,
        } => print_profile(
            &cli.data,
            &format!("/api/countries/{}", url_segment(&country)),
            &profiles::ProfileOptions { lang, basket },
            json,
            |kb, options| profiles::country_profile(kb, &country, options),
            country_profile_text,
        ),
        Command::RegionProfile {
            region,
            json,
            lang,
            basket,
        } => print_profile(
            &cli.data,
            &format!("/api/region-profiles/{}", url_segment(&region)),
            &profiles::ProfileOptions { lang, basket },
            json,
            |kb, options| profiles::region_profile(kb, &region, options),
            region_profile_text,
        ),
    }
}

fn print_import_summary(report: &ImportReport) {
    let verb = if report.dry_run {
        "would import"
    } else {
        "imported"
    };
    let by_treaty = report
        .by_treaty
        .iter()
        .map(|(treaty, rows)| format!("{treaty} {rows}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "{}: {} rows read; {verb} {}{}; skipped {} ({} with problems, {} without an ISO code)",
        report.file,
        report.rows,
        report.imported,
        if by_treaty.is_empty() {
            String::new()
        } else {
            format!(" ({by_treaty})")
        },
        report.skipped(),
        report.rows_with_problems(),
        report
            .without_code
            .iter()
            .map(|u| u.lines.len())
            .sum::<usize>(),
    );
    if report.over_builtin > 0 {
        println!(
            "rows that take precedence over the built-in UN Treaty Collection data: {}",
            report.over_builtin
        );
    }
    if report.replaced > 0 {
        println!("rows of earlier imports replaced: {}", report.replaced);
    }
    if !report.unrecognised.is_empty() || !report.without_code.is_empty() {
        println!("unmapped names:");
    }
    let line_list = |lines: &[usize]| {
        lines
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for name in &report.unrecognised {
        let hint = name
            .suggestion
            .as_deref()
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default();
        println!(
            "  {} (line {}): not recognised{hint}",
            name.name,
            line_list(&name.lines)
        );
    }
    for name in &report.without_code {
        println!(
            "  {} (line {}): skipped, {}",
            name.name,
            line_list(&name.lines),
            name.reason.as_deref().unwrap_or("no ISO code")
        );
    }
    if !report.unlinked_treaties.is_empty() {
        println!(
            "note: no instrument of the taxonomy links to {} (`untc:`); these rows are kept but not shown in profiles",
            report.unlinked_treaties.join(", ")
        );
    }
}

/// Prints a country's or region's profile as text or JSON: made here from the data directory,
/// or asked of the running server at `path` when `praxis serve` holds the directory.
fn print_profile<P, E>(
    data: &std::path::Path,
    path: &str,
    options: &profiles::ProfileOptions,
    json: bool,
    make: impl FnOnce(&KnowledgeBase, &profiles::ProfileOptions) -> std::result::Result<P, E>,
    text: impl Fn(&P) -> String,
) -> Result<i32>
where
    P: serde::Serialize + serde::de::DeserializeOwned,
    E: std::error::Error + Send + Sync + 'static,
{
    let profile = match open_or_server(data)? {
        Opened::Store(kb) => make(&kb, options)?,
        Opened::Server(base) => {
            let body = ask_server(&base, path, options)?;
            if json {
                // The server's JSON as it sent it.
                println!("{body}");
                return Ok(0);
            }
            serde_json::from_str(&body).context("cannot read the server's answer")?
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&profile)?);
    } else {
        print!("{}", text(&profile));
    }
    Ok(0)
}

/// The knowledge base, or, when a running `praxis serve` holds it (the store takes one
/// process at a time), the address of that server, which the server writes into the data
/// directory while it runs.
enum Opened {
    Store(Box<KnowledgeBase>),
    Server(String),
}

fn open_or_server(data: &std::path::Path) -> Result<Opened> {
    match KnowledgeBase::open(data) {
        Ok(kb) => Ok(Opened::Store(Box::new(kb))),
        Err(error) => {
            let address = data.join(praxis::server::profiles::ADDRESS_FILE);
            match std::fs::read_to_string(&address) {
                Ok(base) if !base.trim().is_empty() => Ok(Opened::Server(base.trim().to_string())),
                _ => Err(anyhow::Error::new(error)
                    .context(format!("cannot open the data directory {}", data.display()))),
            }
        }
    }
}

fn url_segment(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// GETs `path` from the running server; its error message becomes the command's.
fn ask_server(base: &str, path: &str, options: &profiles::ProfileOptions) -> Result<String> {
    let mut url = format!("{base}{path}?lang={}", options.lang.code());
    if let Some(basket) = &options.basket {
        url.push_str(&format!("&basket={}", url_segment(basket)));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into();
    let mut response = agent.get(&url).call().with_context(|| {
        format!("the data directory is in use by `praxis serve` at {base}, which does not answer")
    })?;
    let status = response.status();
    let body = response
        .body_mut()
        .read_to_string()
        .context("cannot read the server's answer")?;
    if !status.is_success() {
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| format!("the server answered {status}"));
        anyhow::bail!(message);
    }
    Ok(body)
}

fn open(data: &std::path::Path) -> Result<KnowledgeBase> {
    KnowledgeBase::open(data)
        .with_context(|| format!("cannot open the data directory {}", data.display()))
}

fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from("corpus")]
    } else {
        paths
    }
}

fn progress_bar() -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents ({eta})")
            .expect("valid template"),
    );
    bar
}

fn print_problems(report: &IngestReport) {
    for problem in &report.problems {
        eprintln!("{problem}");
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn search_flags_become_filters() {
        let cli = Cli::parse_from([
            "praxis",
            "search",
            "early warning",
            "--region",
            "africa,asia",
            "--theme",
            "genocide",
            "--stage",
            "accountability,reparation",
        ]);
        let Command::Search(args) = cli.command else {
            panic!()
        };
        let request = args.to_request();
        assert_eq!(request.filters[&FacetGroup::Region], vec!["africa", "asia"]);
        assert_eq!(request.filters[&FacetGroup::Theme], vec!["genocide"]);
        assert_eq!(
            request.filters[&FacetGroup::Stage],
            vec!["accountability", "reparation"]
        );
    }
}
