//! The HTTP server (axum): the JSON API, the Atom feed, health and metrics.
//!
//! [`router`] builds the whole application from an [`AppState`], so tests drive it in-process
//! with `tower::ServiceExt::oneshot`; [`serve`] runs it on a listener until a shutdown signal;
//! [`run`] is `praxis serve`: open the knowledge base, bind, ingest the default corpus into an
//! empty store, serve, and flush the store on the way out.
//!
//! The engine knows nothing about HTTP: handlers ([`api`]) call [`KnowledgeBase`] on tokio's
//! blocking pool (tantivy and sled block) and map every error to one [`ApiError`].

pub mod api;
pub mod auth;
pub mod compare;
pub mod connection;
pub mod contribute_pages;
pub mod contributions;
pub mod error;
pub mod export;
pub mod feed;
pub mod limits;
pub mod manual;
pub mod metrics;
pub mod networks;
pub mod openapi;
pub mod params;
pub mod profiles;
pub mod regions;
pub mod spectrum;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use auth::{Curator, Tokens};
pub use error::ApiError;

use crate::ingest::IngestReport;
use crate::KnowledgeBase;

/// Limits and settings of a running server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Requests taking longer are answered 408 (exports stream past it once started).
    pub request_timeout: Duration,
    /// Request bodies larger than this are answered 413.
    pub body_limit: usize,
    /// The URL clients reach the server at (for links in the feed), e.g.
    /// `https://praxis.example.org`. Without it, links use the request's Host header.
    pub public_url: Option<String>,
    /// Mark the desk's session cookie `Secure` (sent over https only). `praxis serve` sets it
    /// when the public URL is https.
    pub secure_cookies: bool,
    /// Concurrency and rate limits.
    pub limits: limits::LimitsConfig,
    /// Connection timeouts and limits.
    pub connections: connection::ConnectionConfig,
    /// Contributors configured by the operator (others join by invitation; see
    /// [`contributions`]).
    pub contributors: Tokens,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            request_timeout: Duration::from_secs(30),
            // A document is at most 1 MiB; JSON escaping and the wrapper need a little more.
            body_limit: crate::document::MAX_DOCUMENT_BYTES + 64 * 1024,
            public_url: None,
            secure_cookies: false,
            limits: limits::LimitsConfig::default(),
            connections: connection::ConnectionConfig::default(),
            contributors: Tokens::none(),
        }
    }
}

/// What every handler shares: cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    kb: Arc<KnowledgeBase>,
    tokens: Tokens,
    sessions: auth::Sessions,
    limits: limits::Limits,
    metrics: metrics::Metrics,
    ready: AtomicBool,
    /// Keys the desk's CSRF tokens; made at start-up, so a restart expires open forms.
    csrf_key: [u8; 32],
    config: ServerConfig,
    started: Instant,
}

impl AppState {
    /// A ready state with the default limits.
    pub fn new(kb: Arc<KnowledgeBase>, tokens: Tokens) -> AppState {
        AppState::with_config(kb, tokens, ServerConfig::default())
    }

    pub fn with_config(kb: Arc<KnowledgeBase>, tokens: Tokens, config: ServerConfig) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                kb,
                tokens,
                sessions: auth::Sessions::default(),
                limits: limits::Limits::new(config.limits.clone()),
                metrics: metrics::Metrics::default(),
                ready: AtomicBool::new(true),
                csrf_key: rand::random(),
                config,
                started: Instant::now(),
            }),
        }
    }

    pub fn kb(&self) -> Arc<KnowledgeBase> {
        self.inner.kb.clone()
    }

    pub fn tokens(&self) -> &Tokens {
        &self.inner.tokens
    }

    /// The desk's open sessions.
    pub fn sessions(&self) -> &auth::Sessions {
        &self.inner.sessions
    }

    /// The concurrency and rate limits.
    pub fn limits(&self) -> &limits::Limits {
        &self.inner.limits
    }

    pub fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    pub fn is_ready(&self) -> bool {
        self.inner.ready.load(Ordering::SeqCst)
    }

    /// Readiness as `/readyz` reports it: false while the default corpus is ingested and once
    /// shutdown has begun.
    pub fn set_ready(&self, ready: bool) {
        self.inner.ready.store(ready, Ordering::SeqCst);
    }

    pub(crate) fn csrf_key(&self) -> &[u8; 32] {
        &self.inner.csrf_key
    }

    pub fn uptime(&self) -> Duration {
        self.inner.started.elapsed()
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    Router::new()
        .merge(web::routes())
        .merge(regions::routes())
        .merge(compare::routes())
        .merge(profiles::routes())
        .merge(spectrum::routes())
        .merge(manual::routes())
        .merge(networks::routes())
        .merge(contributions::routes())
        .merge(contribute_pages::routes())
        .route("/healthz", get(api::health_check))
        .route("/readyz", get(api::ready_check))
        .route("/metrics", get(api::metrics_show))
        .route("/feed.atom", get(api::feed_show))
        .route("/api/openapi.json", get(api::openapi_show))
        .route("/api/search", get(api::search_query))
        .route("/api/taxonomy", get(api::taxonomy_show))
        .route("/api/stats", get(api::stats_show))
        .route("/api/audit", get(api::audit_list))
        .route("/api/backup", get(api::backup_show))
        .route("/api/documents", axum::routing::post(api::document_create))
        .route(
            "/api/documents/{id}",
            get(api::document_show)
                .put(api::document_update)
                .delete(api::document_withdraw),
        )
        .route(
            "/api/documents/{id}/restore",
            axum::routing::post(api::document_restore),
        )
        .route("/api/documents/{id}/revisions", get(api::revisions_list))
        .route(
            "/api/documents/{id}/revisions/{number}",
            get(api::revision_show),
        )
        .fallback(api::route_missing)
        .method_not_allowed_fallback(api::method_missing)
        // Layers run outside in: the last added is the first to see a request.
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::enforce,
        ))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn(localized_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers,
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

/// Says API errors in the request's language: its `lang` parameter, else `Accept-Language`.
async fn localized_errors(request: Request, next: Next) -> Response {
    let asked = request.uri().query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "lang")
            .and_then(|(_, value)| value.parse::<crate::Lang>().ok())
    });
    let lang = asked.unwrap_or_else(|| params::lang_from_headers(request.headers()));
    error::localize(next.run(request).await, lang)
}

/// Gives responses made outside the handlers (the body limit's 413, the timeout's 408, axum's
/// own rejections) the same JSON error shape as everything else.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    // JSON errors are already in shape; HTML error pages are for readers of the web pages.
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
        });
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            "the request body is too large (documents are at most 1 MiB)".to_string()
        }
        StatusCode::REQUEST_TIMEOUT => "the request took too long and was stopped".to_string(),
        _ => {
            // axum's rejections explain themselves in a plain-text body.
            let (_, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, 64 * 1024)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            if text.is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("request failed")
                    .to_string()
            } else {
                text
            }
        }
    };
    if status.is_server_error() {
        tracing::error!(%status, %message, "error response from a layer");
    }
    let code = error::code_for_status(status);
    let shown = if status.is_server_error() {
        "something went wrong on the server; the details are in its log".to_string()
    } else {
        message
    };
    let body = serde_json::json!({ "error": { "code": code, "message": shown } });
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"praxis\""),
        );
    }
    response
}

/// The policy of every page: scripts, styles and images from this site only (the pages have
/// no inline script or style), no plugins, no framing, forms posting only here.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Middleware: the security headers of every response.
async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(
            header::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(headers, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    // Search words are in URLs: other sites see at most this site's origin.
    set(headers, "referrer-policy", "same-origin");
    set(headers, "cross-origin-opener-policy", "same-origin");
    if state.config().secure_cookies {
        set(headers, "strict-transport-security", "max-age=31536000");
    }
    response
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
pub async fn shutdown_signal() {
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
