//! The HTTP server (axum): the JSON API, the web pages, the Atom feed, health and metrics.
//!
//! One module per resource (`search`, `documents`, `revisions`, `curate`, `feed`, `reference`,
//! `ops`, `profiles`, `spectrum`, `manual`, `networks`, `contributions`, …) exports its
//! `router()`, API routes and pages together, and its `Paths` for the OpenAPI document;
//! this module only composes those routers with the middleware and the state. Arrows point
//! down: resources use `state`, `html`, `forms`, `extract`, `params`, `error`; `openapi` sits
//! above the resources and merges their `Paths`; no resource imports it.
//!
//! [`router`] builds the whole application from an [`AppState`], so tests drive it in-process
//! with `tower::ServiceExt::oneshot`; [`serve`] runs it on a listener until a shutdown signal;
//! [`run`] is `praxis serve`: open the knowledge base, bind, ingest the default corpus into an
//! empty store, serve, and flush the store on the way out.
//!
//! The engine knows nothing about HTTP: handlers call [`KnowledgeBase`] on tokio's
//! blocking pool (tantivy and sled block) and map every error to one [`ApiError`].

// Below the resources: what handlers share.
pub(crate) mod blocking;
pub(crate) mod extract;
pub(crate) mod forms;
pub(crate) mod html;
pub(crate) mod middleware;
pub(crate) mod state;

pub mod auth;
pub(crate) mod connection;
pub(crate) mod error;
pub(crate) mod limits;
pub(crate) mod metrics;
pub(crate) mod params;

// One module per resource, each with its `router()` (API routes and pages together).
pub(crate) mod assets;
pub(crate) mod compare;
pub(crate) mod contribute_pages;
pub(crate) mod contributions;
pub(crate) mod curate;
pub(crate) mod documents;
pub(crate) mod export;
pub(crate) mod feed;
pub(crate) mod manual;
pub(crate) mod networks;
pub(crate) mod ops;
pub mod profiles;
pub(crate) mod reference;
pub(crate) mod regions;
pub(crate) mod revisions;
pub(crate) mod search;
pub(crate) mod spectrum;

// Above the resources: the OpenAPI document, generated from them.
pub(crate) mod openapi;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use auth::{Curator, Tokens};
pub(crate) use error::ApiError;
pub use state::{AppState, ServerConfig};

use crate::ingest::IngestReport;
use crate::KnowledgeBase;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    Router::new()
        .merge(search::router())
        .merge(documents::router())
        .merge(revisions::router())
        .merge(curate::router())
        .merge(feed::router())
        .merge(reference::router())
        .merge(ops::router())
        .merge(assets::router())
        .merge(openapi::router())
        .merge(regions::router())
        .merge(compare::router())
        .merge(profiles::router())
        .merge(spectrum::router())
        .merge(manual::router())
        .merge(networks::router())
        .merge(contributions::router())
        .merge(contribute_pages::router())
        .fallback(ops::route_missing)
        .method_not_allowed_fallback(ops::method_missing)
        // Layers run outside in: the last added is the first to see a request.
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::enforce,
        ))
        .layer(axum::middleware::from_fn(middleware::json_errors))
        .layer(axum::middleware::from_fn(middleware::localized_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or(metrics::UNMATCHED, |p| p.as_str());
                    // The path, not the query string: what people search for stays private.
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        route,
                    )
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                )
                .on_failure(
                    // 5xx answers are logged where they arise (with their cause); readiness 503s are routine.
                    tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG),
                ),
        )
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes; then stops accepting, lets
/// in-flight requests finish (within the grace period), and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let config = state.config().connections.clone();
    connection::accept_loop(listener, app, config, async move {
        shutdown.await;
        state.set_ready(false);
    })
    .await;
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// The shipped corpus (`corpus/`), compiled into the binary so that `praxis serve` has a
/// knowledge base to serve from any directory, on first start.
static DEFAULT_CORPUS: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/corpus");

/// Ingests the compiled-in corpus, validating it like any other.
pub fn ingest_default_corpus(kb: &KnowledgeBase) -> crate::Result<IngestReport> {
    kb.ingest_files(&default_corpus_files(), &|_, _| {})
}

/// The files of the compiled-in corpus: `(path relative to the corpus root, bytes)`.
fn default_corpus_files() -> Vec<(&'static str, &'static [u8])> {
    fn walk(
        dir: &'static include_dir::Dir<'static>,
        files: &mut Vec<(&'static str, &'static [u8])>,
    ) {
        for entry in dir.entries() {
            match entry {
                include_dir::DirEntry::Dir(sub) => walk(sub, files),
                include_dir::DirEntry::File(file) => {
                    if let Some(name) = file.path().to_str() {
                        files.push((name, file.contents()));
                    }
                }
            }
        }
    }
    let mut files = Vec::new();
    walk(&DEFAULT_CORPUS, &mut files);
    files
}

/// How many valid documents the compiled-in corpus holds (validated, nothing written): what a
/// first start must end with.
pub fn default_corpus_document_count() -> crate::Result<usize> {
    Ok(crate::ingest::check_files(&default_corpus_files(), &crate::Taxonomy::builtin())?.unchanged)
}

/// Whether this start must ingest the default corpus, recording that it began. The first
/// start on an empty store records `started` before ingesting and `complete` after, so a start
/// killed in between is redone by the next one (an ingest is idempotent). A store that has
/// documents but no record was filled by `praxis ingest` (or predates the record): left alone.
fn default_corpus_needed(kb: &KnowledgeBase) -> crate::Result<bool> {
    use crate::store::FirstStart;
    Ok(match kb.store().first_start()? {
        Some(FirstStart::Complete) => false,
        Some(FirstStart::Started) => {
            tracing::warn!(
                "the first start's ingest of the default corpus did not finish: redoing it"
            );
            true
        }
        None if kb.store().is_empty() => {
            kb.store().set_first_start(FirstStart::Started)?;
            true
        }
        None => false,
    })
}

/// `praxis serve`'s options.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub data: PathBuf,
    pub addr: SocketAddr,
    pub tokens_file: Option<PathBuf>,
    pub public_url: Option<String>,
    /// `--contributor-tokens`: contributors configured by the operator.
    pub contributor_tokens_file: Option<PathBuf>,
}

/// `praxis serve`: runs until SIGINT or SIGTERM. Prints `listening on http://ADDR` on stdout
/// once the socket is bound (with the real port when asked for port 0).
pub fn run(options: ServeOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let env_tokens = std::env::var(auth::TOKENS_ENV).ok();
    let tokens = Tokens::load(env_tokens.as_deref(), options.tokens_file.as_deref())
        .context("cannot read the curator tokens")?;
    if tokens.is_empty() {
        tracing::warn!(
            "no curator tokens configured ({} or --tokens): the API is read-only",
            auth::TOKENS_ENV
        );
    } else {
        tracing::info!(curators = tokens.len(), "curator tokens loaded");
    }
    let env_contributors = std::env::var(auth::CONTRIBUTOR_TOKENS_ENV).ok();
    let contributors = Tokens::load_contributors(
        env_contributors.as_deref(),
        options.contributor_tokens_file.as_deref(),
    )
    .context("cannot read the contributor tokens")?;
    if let Some(name) = contributors.names().find(|n| tokens.has_name(n)) {
        anyhow::bail!(
            "\"{name}\" is configured both as a curator and as a contributor; one name, one role"
        );
    }
    let kb = KnowledgeBase::open(&options.data)
        .with_context(|| format!("cannot open the data directory {}", options.data.display()))?;
    let kb = Arc::new(kb);
    let needs_corpus = default_corpus_needed(&kb).context("cannot read the store")?;
    let mut config = ServerConfig {
        public_url: options.public_url.clone(),
        secure_cookies: options
            .public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://")),
        contributors,
        ..ServerConfig::default()
    };
    config.connections.max_connections = connection_budget(config.connections.max_connections);
    let state = AppState::with_config(kb.clone(), tokens, config);
    if !needs_corpus {
        warm(&kb);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .with_context(|| format!("cannot listen on {}", options.addr))?;
        let local = listener.local_addr()?;
        // The store is locked while this runs: `praxis profile` asks this address instead
        // (written before "listening on", which tells waiting callers the server is up).
        let address_file = profiles::write_address_file(&options.data, local);
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on http://{local}")?;
            out.flush()?;
        }
        tracing::info!(
            addr = %local,
            startup_ms = started.elapsed().as_millis() as u64,
            documents = kb.index().num_docs(),
            "serving"
        );
        if needs_corpus {
            // Served meanwhile, but not ready: /readyz says so until the corpus is in.
            state.set_ready(false);
            let kb = kb.clone();
            let state = state.clone();
            tokio::task::spawn_blocking(move || {
                tracing::info!("ingesting the default corpus");
                let ingested = ingest_default_corpus(&kb).and_then(|report| {
                    for problem in &report.problems {
                        tracing::warn!(%problem, "default corpus problem");
                    }
                    tracing::info!(summary = %report.summary(), "default corpus ingested");
                    kb.store().set_first_start(crate::store::FirstStart::Complete)?;
                    Ok(())
                });
                match ingested {
                    Ok(()) => {
                        warm(&kb);
                        state.set_ready(true);
                    }
                    // Not ready: the next start redoes the ingest.
                    Err(error) => tracing::error!(error = %format!("{error:#}"), "cannot ingest the default corpus; /readyz stays 503"),
                }
            });
        }
        let served = serve(listener, state.clone(), shutdown_signal()).await;
        if let Some(file) = address_file {
            let _ = std::fs::remove_file(file);
        }
        served?;
        anyhow::Ok(())
    })?;
    // Requests are done; make every write durable before exiting.
    kb.store().flush().context("cannot flush the store")?;
    tracing::info!("stopped");
    Ok(())
}

/// Raises the soft limit on open files to the hard one and returns how many connections fit
/// under it, keeping 256 descriptors for the store and the index, at most `wanted`.
fn connection_budget(wanted: usize) -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return wanted;
            }
            if limit.rlim_cur < limit.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max,
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit.rlim_cur = limit.rlim_max;
                }
            }
        }
        let budget = usize::try_from(limit.rlim_cur)
            .unwrap_or(usize::MAX)
            .saturating_sub(256)
            .max(16);
        tracing::info!(
            open_files = limit.rlim_cur,
            max_connections = budget.min(wanted),
            "connection limit"
        );
        budget.min(wanted)
    }
    #[cfg(not(unix))]
    wanted
}

/// Reads what searches need ahead of the first one (see `SearchIndex::warm`).
fn warm(kb: &KnowledgeBase) {
    let started = std::time::Instant::now();
    match kb.index().warm() {
        Ok(()) => tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            "facet values read"
        ),
        Err(error) => tracing::warn!(%error, "cannot read facet values ahead"),
    }
}
