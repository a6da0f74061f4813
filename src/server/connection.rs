//! Connections: the accept loop under the router, with the limits `axum::serve` does not
//! expose.
//!
//! - A connection that has not sent a whole request head within `header_read_timeout` is
//!   closed. hyper starts that clock as soon as it waits for a request, so the same timeout
//!   also closes idle keep-alive connections and connections that never send a byte.
//! - A connection whose client stops reading is closed once a write has waited
//!   `write_timeout` (an unread export, a slow-loris reader).
//! - At most `max_connections` are open; past that a new connection is closed at once, so the
//!   process keeps descriptors for its own files and for the connections it already serves.
//! - hyper answers requests it cannot parse (400), URLs over 64 KiB (414) and request heads
//!   over `max_head_bytes` (431) itself, with an empty body; [`JsonParseErrors`] gives those
//!   answers the API's JSON error shape.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio_io_timeout::TimeoutStream;
use tower::ServiceExt;

/// Connection limits of a running server.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// Time to receive a request head, counted from when the server starts waiting for one.
    pub header_read_timeout: Duration,
    /// Time a write may wait for the client to read.
    pub(crate) write_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// Largest request head (request line and headers), in bytes.
    pub(crate) max_head_bytes: usize,
    /// How long shutdown waits for requests in flight.
    pub(crate) shutdown_grace: Duration,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            header_read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_connections: 4096,
            // Above hyper's fixed 64 KiB limit on the URL, so that one answers 414, not 431.
            max_head_bytes: 96 * 1024,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then waits up to `shutdown_grace`
/// for the connections in flight.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    app: Router,
    config: ConnectionConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .max_header_size(config.max_head_bytes)
        .max_buf_size(config.max_head_bytes.max(8192));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let mut refused: u64 = 0;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or memory: wait for connections to close instead of
                    // spinning on accept.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            refused += 1;
            if refused.is_power_of_two() {
                tracing::warn!(
                    refused,
                    max = config.max_connections,
                    "connection limit reached: closing new connections"
                );
            }
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let mut io = TimeoutStream::new(stream);
        io.set_write_timeout(Some(config.write_timeout));
        let io = TokioIo::new(JsonParseErrors::new(Box::pin(io)));
        let service = app
            .clone()
            .map_request(move |mut request: axum::extract::Request<_>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection =
            graceful.watch(http.serve_connection(io, TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing requests in flight");
    if tokio::time::timeout(config.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the grace period were dropped");
    }
}

/// Rewrites hyper's automatic answers to requests it could not parse (status line, an empty
/// body and nothing else) into JSON errors. Every answer the router makes has a body and a
/// content type, so only those answers match.
struct JsonParseErrors<S> {
    inner: S,
    /// The rewritten answer being written, how much of it is written, and the length of
    /// hyper's original to report once all of it is.
    replacement: Option<(Vec<u8>, usize, usize)>,
}

impl<S> JsonParseErrors<S> {
    fn new(inner: S) -> Self {
        JsonParseErrors {
            inner,
            replacement: None,
        }
    }
}

/// The JSON answer replacing `head`, if `head` is one of hyper's automatic error answers.
fn json_error_for(head: &[u8]) -> Option<Vec<u8>> {
    // Every write passes here, response bodies included (an export's chunks): look at the
    // status line before reading the whole buffer as text.
    if !head.starts_with(b"HTTP/1.1 ") {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let rest = text.strip_prefix("HTTP/1.1 ")?;
    let (code, message) = match rest.get(..3)? {
        "400" => (
            "malformed_request",
            "the request could not be read as HTTP (bad request line, method or header)",
        ),
        "414" => ("uri_too_long", "the URL is too long"),
        "431" => (
            "headers_too_large",
            "the request headers are too large or too many",
        ),
        _ => return None,
    };
    let lower = text.to_ascii_lowercase();
    if !lower.ends_with("\r\n\r\n")
        || !lower.contains("\r\ncontent-length: 0\r\n")
        || lower.contains("\r\ncontent-type:")
    {
        return None;
    }
    let body = serde_json::json!({ "error": { "code": code, "message": message } }).to_string();
    let head = text.trim_end_matches("\r\n").replacen(
        "content-length: 0",
        &format!(
            "content-type: application/json\r\ncontent-length: {}\r\nconnection: close",
            body.len()
        ),
        1,
    );
    Some(format!("{head}\r\n\r\n{body}").into_bytes())
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonParseErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonParseErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacement.is_none() {
            if let Some(answer) = json_error_for(buf) {
                this.replacement = Some((answer, 0, buf.len()));
            }
        }
        if let Some((answer, written, original)) = &mut this.replacement {
            while *written < answer.len() {
                let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &answer[*written..]))?;
                if n == 0 {
                    return Poll::Ready(Ok(0));
                }
                *written += n;
            }
            let original = *original;
            this.replacement = None;
            return Poll::Ready(Ok(original));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then writes each answer head in one `poll_write`, where
    // `json_error_for` can see it whole.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_empty_error_answers_become_json() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 14:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(json_error_for(head).unwrap()).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "));
        assert!(head.contains("content-type: application/json"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"]["code"], "headers_too_large");
    }

    #[test]
    fn the_routers_own_answers_are_left_alone() {
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n";
        assert!(json_error_for(ours).is_none());
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n";
        assert!(json_error_for(with_body).is_none());
        assert!(json_error_for(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
