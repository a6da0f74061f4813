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

pub mod compare;
pub mod contribute;
pub mod countries;
mod curate;
mod dates;
mod links;
pub mod manual;
pub mod map;
pub mod networks;
mod profiles;
mod site;
pub mod spectrum;
mod templates;
mod view;

pub use curate::{form_problem_text, problems_by_field, slug_from_title, DocumentForm, SourceForm};
pub use dates::readable_time;
pub use links::{document_url, search_url};
pub use profiles::{country_url, profile_text};
pub use site::{Desk, DocumentExtras};
use templates::language_name;
pub use templates::{text, Pages};
pub use view::{id_candidates, Chrome, Landing, LawDetail, SearchExtras};
