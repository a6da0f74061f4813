//! What can go wrong in the store: one error for the store and its parts, below them all.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store open.
    #[error("the data directory {} is in use by another praxis process (is `praxis serve` running?)", path.display())]
    Locked { path: PathBuf },
    /// sled failed (I/O, corruption).
    #[error("store: {0}")]
    Sled(#[from] sled::Error),
    /// A value could not be decoded.
    #[error("store: record {key} is unreadable: {source}")]
    Corrupt {
        key: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

pub(crate) type Result<T> = std::result::Result<T, StoreError>;
