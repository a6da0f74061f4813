//! Bounded work per request: how many searches and page renders run at once, how many exports
//! stream at once, and how often one client may sign in, write or start an export.
//!
//! Searches and renders run on tokio's blocking pool (tantivy and sled block). Without a bound,
//! a burst of slow requests would take all 512 blocking threads and every other request would
//! queue behind them; so [`Limits::work`] admits a fixed number at once, lets a few more wait
//! briefly, and answers the rest 503 with `Retry-After` straight away (what Meilisearch's
//! search queue does). Exports hold a slot for as long as they stream, so they have their own,
//! smaller, bound ([`Limits::export_slot`], 429 beyond it).
//!
//! Rate limits are per client IP address (an IPv6 client by its /64, which is what one
//! subscriber usually gets), with the GCRA of the `governor` crate: a burst, then a steady
//! rate. Requests that come from no socket (the tests' in-process router) have no client to
//! count and are not limited. Behind a reverse proxy every client has the proxy's address:
//! limits then apply to all clients together, which is the safe side.

use crate::catalogue::Message;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::ApiError;

/// The limits of a running server.
#[derive(Debug, Clone)]
pub struct LimitsConfig {
    /// Searches and page renders running at once.
    pub(crate) concurrent_work: usize,
    /// Requests that may wait for one of those slots; beyond, 503 at once.
    pub(crate) work_queue: usize,
    /// How long a request waits for a slot before it is answered 503.
    pub(crate) work_wait: Duration,
    /// Exports streaming at once; beyond, 429.
    pub concurrent_exports: usize,
    /// How long an export waits for its client to take the next chunk before it gives up
    /// (and frees its slot).
    pub export_write_timeout: Duration,
    /// Per client: sign-in attempts at the desk (burst, then per minute).
    pub sign_ins_per_minute: u32,
    /// Per client: writes (API and desk), a burst of this many, then this many per minute.
    pub writes_per_minute: u32,
    /// Per client: exports started.
    pub exports_per_minute: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        LimitsConfig {
            concurrent_work: (cores * 2).max(4),
            work_queue: 64,
            work_wait: Duration::from_secs(2),
            concurrent_exports: 4,
            export_write_timeout: Duration::from_secs(30),
            sign_ins_per_minute: 10,
            writes_per_minute: 120,
            exports_per_minute: 10,
        }
    }
}

/// What kind of request, for the rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    SignIn,
    Write,
    Export,
    /// A search or a page: bounded by the work slots.
    Work,
    /// Health, metrics, static files: cheap, never limited.
    Free,
}

type Limiter = DefaultKeyedRateLimiter<IpAddr>;

pub struct Limits {
    config: LimitsConfig,
    work: Arc<Semaphore>,
    waiting: AtomicUsize,
    exports: Arc<Semaphore>,
    sign_ins: Limiter,
    writes: Limiter,
    export_starts: Limiter,
    /// Requests seen, to forget idle clients now and then.
    seen: AtomicU64,
}

fn per_minute(count: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(count.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl Limits {
    pub(crate) fn new(config: LimitsConfig) -> Limits {
        Limits {
            work: Arc::new(Semaphore::new(config.concurrent_work.max(1))),
            waiting: AtomicUsize::new(0),
            exports: Arc::new(Semaphore::new(config.concurrent_exports.max(1))),
            sign_ins: RateLimiter::keyed(per_minute(config.sign_ins_per_minute)),
            writes: RateLimiter::keyed(per_minute(config.writes_per_minute)),
            export_starts: RateLimiter::keyed(per_minute(config.exports_per_minute)),
            seen: AtomicU64::new(0),
            config,
        }
    }

    /// A slot for one export, held while it streams; 429 when every slot is taken.
    pub fn export_slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.exports
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::TooManyRequests {
                message: Message::new("api_exports_busy")
                    .arg("count", self.config.concurrent_exports),
                retry_after_secs: 5,
            })
    }

    /// A slot for a search or a page render: waits up to `work_wait` in a bounded queue.
    pub(crate) async fn work_slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(permit) = self.work.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let overloaded = ApiError::Overloaded {
            retry_after_secs: 1,
        };
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.config.work_queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(overloaded);
        }
        let waited =
            tokio::time::timeout(self.config.work_wait, self.work.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match waited {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(overloaded),
        }
    }

    pub(crate) fn check_rate(&self, kind: Kind, client: IpAddr) -> Result<(), ApiError> {
        let (limiter, what) = match kind {
            Kind::SignIn => (&self.sign_ins, "api_too_many_sign_ins"),
            Kind::Write => (&self.writes, "api_too_many_writes"),
            Kind::Export => (&self.export_starts, "api_too_many_exports"),
            Kind::Work | Kind::Free => return Ok(()),
        };
        if self.seen.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            for limiter in [&self.sign_ins, &self.writes, &self.export_starts] {
                limiter.retain_recent();
            }
        }
        limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                message: Message::new(what).arg("seconds", wait.as_secs() + 1),
                retry_after_secs: wait.as_secs() + 1,
            }
        })
    }
}

/// The rate-limit key of a peer: its address, or its /64 for IPv6.
pub(crate) fn client_key(peer: SocketAddr) -> IpAddr {
    match peer.ip() {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
        v4 => v4,
    }
}

pub(crate) fn kind_of(request: &Request) -> Kind {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let method = request.method();
    if matches!(
        route,
        Some("/curate/login" | "/contribute/login" | "/contribute/join" | "/api/contributors")
    ) && !matches!(*method, Method::GET | Method::HEAD)
    {
        return Kind::SignIn;
    }
    if !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Kind::Write;
    }
    match route {
        Some("/api/search") => {
            let exports = request.uri().query().is_some_and(|query| {
                form_urlencoded::parse(query.as_bytes())
                    .any(|(k, v)| k == "format" && matches!(v.as_ref(), "csv" | "ndjson"))
            });
            if exports {
                Kind::Export
            } else {
                Kind::Work
            }
        }
        Some(
            "/healthz" | "/readyz" | "/metrics" | "/static/{file}" | "/favicon.ico"
            | "/api/openapi.json" | "/api/taxonomy",
        )
        | None => Kind::Free,
        Some(_) => Kind::Work,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_prefix() {
        let a: SocketAddr = "[2001:db8:1:2:aaaa::1]:5000".parse().unwrap();
        let b: SocketAddr = "[2001:db8:1:2:bbbb::9]:6000".parse().unwrap();
        let c: SocketAddr = "[2001:db8:1:3::1]:6000".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: SocketAddr = "[::ffff:192.0.2.7]:80".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_client_past_its_burst_is_told_when_to_retry() {
        let limits = Limits::new(LimitsConfig {
            sign_ins_per_minute: 3,
            ..LimitsConfig::default()
        });
        let client: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            assert!(limits.check_rate(Kind::SignIn, client).is_ok());
        }
        let Err(ApiError::TooManyRequests {
            retry_after_secs, ..
        }) = limits.check_rate(Kind::SignIn, client)
        else {
            panic!("the fourth sign-in should be refused");
        };
        assert!((1..=21).contains(&retry_after_secs), "{retry_after_secs}");
        // Another client is not affected.
        assert!(limits
            .check_rate(Kind::SignIn, "192.0.2.2".parse().unwrap())
            .is_ok());
    }

    #[tokio::test]
    async fn work_beyond_the_slots_and_the_queue_is_refused_at_once() {
        let limits = Arc::new(Limits::new(LimitsConfig {
            concurrent_work: 1,
            work_queue: 1,
            work_wait: Duration::from_secs(30),
            ..LimitsConfig::default()
        }));
        let held = limits.work_slot().await.unwrap();
        let queued = {
            let limits = limits.clone();
            tokio::spawn(async move { limits.work_slot().await.is_ok() })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        let refused = limits.work_slot().await;
        assert!(matches!(refused, Err(ApiError::Overloaded { .. })));
        assert!(started.elapsed() < Duration::from_secs(1));
        drop(held);
        assert!(queued.await.unwrap(), "the queued request gets the slot");
    }
}
