//! Server-rendered HTML pages: the search page with its facet sidebar, document pages, history
//! and diffs, in English, French and Spanish. Rendering only: handlers fetch the data and pass
//! it in, so every page can be tested without a server.
//!
//! This file is a facade: it declares the modules and re-exports what the server uses. What
//! every page shares (the templates, the interface text) is in `templates.rs`; each page is an
//! `impl Pages` block in its own file, which imports siblings only, never this file's items.
//!
//! Pages work without JavaScript (plain links and GET forms); `static/app.js` only makes facet
//! changes update the results in place.

pub(crate) mod compare;
pub(crate) mod contribute;
pub(crate) mod countries;
mod curate;
mod dates;
mod links;
pub(crate) mod manual;
pub(crate) mod map;
pub(crate) mod networks;
mod profiles;
mod site;
pub(crate) mod spectrum;
mod templates;
mod view;

pub(crate) use curate::{form_problem_text, DocumentForm};
pub(crate) use dates::readable_time;
pub(crate) use links::{document_url, search_url};
pub(crate) use profiles::country_url;
pub(crate) use site::{Desk, DocumentExtras};
use templates::language_name;
pub use templates::{text, Pages};
pub(crate) use view::{id_candidates, Chrome, Landing, LawDetail, SearchExtras};
