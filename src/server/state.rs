//! What every handler shares ([`AppState`]) and the server's settings ([`ServerConfig`]).
//! Handlers and middleware import it from here; `mod.rs` only composes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::auth::{self, Tokens};
use super::{connection, limits, metrics};
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
            body_limit: crate::document::validate::MAX_DOCUMENT_BYTES + 64 * 1024,
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

    pub(crate) fn tokens(&self) -> &Tokens {
        &self.inner.tokens
    }

    /// The desk's open sessions.
    pub(crate) fn sessions(&self) -> &auth::Sessions {
        &self.inner.sessions
    }

    /// The concurrency and rate limits.
    pub fn limits(&self) -> &limits::Limits {
        &self.inner.limits
    }

    pub(crate) fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    pub(crate) fn config(&self) -> &ServerConfig {
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

    pub(crate) fn uptime(&self) -> Duration {
        self.inner.started.elapsed()
    }
}
