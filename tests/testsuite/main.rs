//! Praxis integration tests, in one binary (one link instead of one per file).

mod api;
mod common;
mod ingest;
mod search;
mod server_e2e;
