//! Operations: health, readiness, metrics, the backup, and the answers to unknown routes and
//! methods.

use crate::catalogue::Message;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::auth::Curator;
use super::blocking::blocking;
use super::error::{ApiError, ErrorBody};
use super::middleware::is_page;
use super::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health_check))
        .route("/readyz", get(ready_check))
        .route("/metrics", get(metrics_show))
        .route("/api/backup", get(backup_show))
}

/// This resource's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(health_check, ready_check, metrics_show, backup_show))]
pub(crate) struct Paths;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// `ok`, `ready` or `not_ready`.
    pub(crate) status: &'static str,
    pub(crate) version: &'static str,
    pub(crate) uptime_seconds: u64,
    /// Searchable documents.
    pub(crate) documents: u64,
}

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", body = Health)))]
pub(crate) async fn health_check(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.uptime().as_secs(),
        documents: state.kb().index().num_docs(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve searches", body = Health),
        (status = 503, description = "Ingesting the default corpus, or shutting down", body = ErrorBody)))]
pub(crate) async fn ready_check(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    if !state.is_ready() {
        return Err(ApiError::Unavailable(Message::new("api_not_ready")));
    }
    Ok(Json(Health {
        status: "ready",
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.uptime().as_secs(),
        documents: state.kb().index().num_docs(),
    }))
}

#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub(crate) async fn metrics_show(State(state): State<AppState>) -> Result<Response, ApiError> {
    let kb = state.kb();
    // From the counters the write path keeps (a short read of the store): off the async workers.
    let (indexed, stored) = blocking(move || {
        let stats = kb.stats()?;
        Ok((stats.indexed, stats.documents + stats.withdrawn))
    })
    .await?;
    let text = state.metrics().render(indexed, stored, state.is_ready());
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

/// Unknown routes.
pub(crate) async fn route_missing(method: Method, uri: Uri) -> ApiError {
    // A reader who followed a bad link has no use for the API's description.
    let code = if is_page(uri.path()) {
        "page_no_route"
    } else {
        "api_no_route"
    };
    ApiError::NotFound(
        Message::new(code)
            .arg("method", method)
            .arg("path", uri.path()),
    )
}

/// Known routes, unsupported methods.
pub(crate) async fn method_missing(method: Method, uri: Uri) -> ApiError {
    let code = if is_page(uri.path()) {
        "page_method_not_allowed"
    } else {
        "api_method_not_allowed"
    };
    ApiError::MethodNotAllowed(
        Message::new(code)
            .arg("method", method)
            .arg("path", uri.path()),
    )
}

#[utoipa::path(get, path = "/api/backup", tag = "operations",
    security(("curator_token" = [])),
    responses(
        (status = 200, description = "A consistent dump of the store (NDJSON: documents, every revision, the audit log, imported treaty data), for `praxis backup --server` and `praxis restore`", body = String, content_type = "application/x-ndjson"),
        (status = 401, description = "unauthorized", body = ErrorBody)))]
pub(crate) async fn backup_show(
    State(state): State<AppState>,
    Curator(curator): Curator,
) -> Result<Response, ApiError> {
    let kb = state.kb();
    // Written to a file under the write lock (a consistent copy, at disk speed), then streamed
    // from it: a slow client never holds the lock.
    let file = blocking(move || {
        let path = kb
            .data_dir()
            .join(format!("backup-{}.ndjson.tmp", rand::random::<u64>()));
        let file = std::fs::File::create(&path)
            .map_err(|e| ApiError::Internal(format!("{}: {e}", path.display())))?;
        let mut out = std::io::BufWriter::new(file);
        let counts = kb
            .dump(&mut out)
            .map_err(|e| ApiError::Internal(format!("dump: {e}")))?;
        drop(out);
        let file = std::fs::File::open(&path)
            .map_err(|e| ApiError::Internal(format!("{}: {e}", path.display())))?;
        // The open file stays readable; nothing is left behind if the transfer stops.
        let _ = std::fs::remove_file(&path);
        tracing::info!(?counts, curator = %curator, "backup taken");
        Ok(file)
    })
    .await?;
    let file = tokio::fs::File::from_std(file);
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buffer)), file))
            }
            Err(error) => Some((Err(error), file)),
        }
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}
