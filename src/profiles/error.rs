//! What can go wrong building a profile, finding laws or importing treaty data: one error
//! for the whole `profiles` module, below its parts so each of them can return it.

use std::path::PathBuf;

use crate::index::SearchError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A country code or name that matches no country.
    #[error("country: unknown country \"{value}\"; give an ISO 3166-1 alpha-2 or alpha-3 code (e.g. KE or KEN) or a country name{}", hint(suggestion))]
    UnknownCountry {
        value: String,
        suggestion: Option<String>,
    },
    /// A region slug that is not a UN M49 region.
    #[error("region: unknown region \"{value}\"; give a UN M49 region slug (e.g. africa, eastern-africa, south-eastern-asia){}", hint(suggestion))]
    UnknownRegion {
        value: String,
        suggestion: Option<String>,
    },
    /// A basket slug that the taxonomy does not define.
    #[error("basket: unknown basket \"{value}\"; use one of {}", allowed.join(", "))]
    UnknownBasket { value: String, allowed: Vec<String> },
    /// Any other parameter out of range.
    #[error("{parameter}: {message}")]
    InvalidParameter {
        parameter: String,
        message: crate::catalogue::Message,
    },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

fn hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_deref()
        .map(|s| format!(" (did you mean {s}?)"))
        .unwrap_or_default()
}
