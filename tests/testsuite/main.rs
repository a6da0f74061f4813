//! Praxis integration tests, in one binary (one link instead of one per file).

mod api;
mod browser;
mod browser_maps;
mod browser_profiles;
mod common;
mod compare;
mod corpus;
mod ingest;
mod pages;
mod profiles;
mod search;
mod server_e2e;
