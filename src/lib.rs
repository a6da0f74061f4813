//! Praxis: a searchable knowledge base of what works in preventing genocide and mass
//! atrocities.
//!
//! Documents (Markdown with YAML front matter) are validated against controlled vocabularies
//! ([`taxonomy`], [`geography`]), kept with their full history in a sled [`store`], and indexed
//! for faceted, multilingual search with tantivy ([`index`]). [`KnowledgeBase`] keeps the two
//! in agreement; [`ingest`] reads corpora; the binary adds a CLI and an HTTP server.

pub mod backup;
pub mod catalogue;
pub(crate) mod compare;
pub(crate) mod curriculum;
pub mod diff;
pub mod document;
pub(crate) mod error;
#[cfg(feature = "gen-corpus")]
pub mod gen_corpus;
pub mod geography;
pub(crate) mod glossary;
pub mod index;
pub mod ingest;
pub mod knowledge_base;
pub(crate) mod lang;
pub(crate) mod manual;
pub mod networks;
pub mod pages;
pub mod profiles;
pub mod server;
pub mod spectrum;
pub mod store;
pub(crate) mod taxonomy;

pub use document::{Document, Metadata, Problem};
pub(crate) use error::{Error, Result};
pub use index::{FacetGroup, SearchRequest, SearchResponse, Sort};
pub use knowledge_base::KnowledgeBase;
pub use lang::{DocLang, Labels, Lang};
pub use taxonomy::Taxonomy;
