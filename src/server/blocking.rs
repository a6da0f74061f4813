//! Knowledge-base work (tantivy and sled block) runs on tokio's blocking pool, never on the
//! async workers.

use super::error::ApiError;

/// Runs blocking knowledge-base work off the async workers.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await?
}
