//! The library's error type: what can go wrong opening, writing or searching a knowledge base.
//! Document validation problems are not errors of this kind: they are collected as
//! [`Problem`](crate::document::Problem)s so that one bad document never stops the others.

use std::path::PathBuf;

use crate::index::{IndexError, SearchError};
use crate::store::StoreError;
use crate::taxonomy::TaxonomyError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Search(#[from] SearchError),
    /// A corpus's `taxonomy.yaml` is invalid.
    #[error("{}: {source}", path.display())]
    Taxonomy {
        path: PathBuf,
        source: TaxonomyError,
    },
    /// A file or directory could not be read or created.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub(crate) type Result<T> = std::result::Result<T, Error>;
