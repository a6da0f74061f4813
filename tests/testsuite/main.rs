//! Praxis integration tests, in one binary (one link instead of one per file).

mod api;
mod backup;
mod browser;
mod browser_contrib;
mod browser_manual;
mod browser_maps;
mod browser_networks;
mod browser_profiles;
mod browser_spectrum;
mod catalogue;
mod common;
mod compare;
mod contributions;
mod corpus;
mod corpus_pages;
mod forms;
mod ingest;
mod languages;
mod manual;
mod networks;
mod pages;
mod profiles;
mod reliability;
mod search;
mod server_e2e;
mod spectrum;
