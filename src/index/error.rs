//! The index's own failures (tantivy, I/O), apart from the modules that raise them so that
//! [`super::request::SearchError`] can wrap them without importing the index itself.

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// tantivy failed (I/O, a lock held by another process, corruption).
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Reading the index's document store failed.
    #[error("index: {0}")]
    Read(#[from] std::io::Error),
    /// The index directory could not be prepared.
    #[error("index: {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub(crate) type Result<T> = std::result::Result<T, IndexError>;
