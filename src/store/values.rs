//! How the store writes its small values: JSON for meta values, big-endian counters and
//! RFC 3339 times. Below the store and its parts, which all write such values.

use serde::{Deserialize, Serialize};

use super::error::{Result, StoreError};

pub(super) fn read_u64(value: &Option<sled::IVec>) -> u64 {
    value.as_ref().map_or(0, |v| {
        u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]))
    })
}

pub(super) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("store values serialise")
}

pub(super) fn decode<T: for<'de> Deserialize<'de>>(key: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| StoreError::Corrupt {
        key: key.to_string(),
        source: source.into(),
    })
}

/// The current time as RFC 3339 (UTC, seconds).
pub fn now() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("0 is valid");
    now.format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formats")
}
