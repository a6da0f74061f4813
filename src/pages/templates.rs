//! What every page shares: the compiled templates ([`Pages`]), the interface text from the
//! catalogue, the language links. The pages themselves are `impl Pages` blocks in the sibling
//! files, which use this one and never the facade (`mod.rs`), so the module graph stays acyclic.

use std::collections::BTreeMap;

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::catalogue::{self, Section};
use crate::index::search::html_escape;
use crate::taxonomy::{Lang, Taxonomy};

/// The interface text in one language, as the templates' `t` (the catalogue's `pages` section).
pub fn text(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    catalogue::text(Section::Pages, lang)
}

/// The templates, compiled once.
pub struct Pages {
    env: Environment<'static>,
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Serialize)]
pub(super) struct LangLink {
    code: &'static str,
    label: &'static str,
    url: String,
    current: bool,
}

impl Pages {
    pub fn new() -> Self {
        let mut env = Environment::new();
        // minijinja's HTML escaping also escapes `/`, which makes every URL unreadable in the
        // source; escaping the five characters that matter is enough for text and attributes.
        env.set_formatter(|out, state, value| {
            if state.auto_escape() != AutoEscape::None && !value.is_safe() {
                if let Some(text) = value.as_str() {
                    return out.write_str(&html_escape(text)).map_err(|_| {
                        minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")
                    });
                }
            }
            minijinja::escape_formatter(out, state, value)
        });
        for (name, source) in [
            ("base.html", include_str!("../../templates/base.html")),
            ("search.html", include_str!("../../templates/search.html")),
            (
                "document.html",
                include_str!("../../templates/document.html"),
            ),
            ("history.html", include_str!("../../templates/history.html")),
            ("diff.html", include_str!("../../templates/diff.html")),
            ("error.html", include_str!("../../templates/error.html")),
            ("about.html", include_str!("../../templates/about.html")),
            ("curate.html", include_str!("../../templates/curate.html")),
            (
                "curate_login.html",
                include_str!("../../templates/curate_login.html"),
            ),
            // Countries, regions and comparison (src/pages/countries.rs, compare.rs).
            (
                "countries.html",
                include_str!("../../templates/countries.html"),
            ),
            ("region.html", include_str!("../../templates/region.html")),
            ("regions.html", include_str!("../../templates/regions.html")),
            ("compare.html", include_str!("../../templates/compare.html")),
            (
                "data_notes.html",
                include_str!("../../templates/data_notes.html"),
            ),
            ("country.html", include_str!("../../templates/country.html")),
            ("laws.html", include_str!("../../templates/laws.html")),
            // The spectrum from prevention to reparation (src/pages/spectrum.rs).
            (
                "spectrum.html",
                include_str!("../../templates/spectrum.html"),
            ),
            // The manual of national prevention architectures (src/pages/manual.rs).
            ("manual.html", include_str!("../../templates/manual.html")),
            // Networks, glossary and curriculum (src/pages/networks.rs).
            (
                "networks.html",
                include_str!("../../templates/networks.html"),
            ),
            ("network.html", include_str!("../../templates/network.html")),
            (
                "glossary.html",
                include_str!("../../templates/glossary.html"),
            ),
            (
                "curriculum.html",
                include_str!("../../templates/curriculum.html"),
            ),
            // Contributions (src/pages/contribute.rs).
            (
                "contribute.html",
                include_str!("../../templates/contribute.html"),
            ),
            ("review.html", include_str!("../../templates/review.html")),
        ] {
            env.add_template(name, source).expect("templates compile");
        }
        Pages { env }
    }

    pub(super) fn render(&self, name: &str, context: minijinja::Value) -> String {
        self.env
            .get_template(name)
            .and_then(|t| t.render(context))
            .unwrap_or_else(|error| {
                // A template bug: loud in tests and debug builds, a plain page for readers.
                debug_assert!(false, "template {name} failed: {error:#}");
                tracing::error!(%error, template = name, "a template failed to render");
                "<!doctype html><title>Praxis</title><p>This page could not be rendered.</p>"
                    .to_string()
            })
    }

    pub(super) fn lang_links(lang: Lang, url_for: impl Fn(Lang) -> String) -> Vec<LangLink> {
        Lang::ALL
            .iter()
            .map(|&l| LangLink {
                code: l.code(),
                label: match l {
                    Lang::En => "English",
                    Lang::Fr => "Français",
                    Lang::Es => "Español",
                },
                url: url_for(l),
                current: l == lang,
            })
            .collect()
    }
}

/// A language's name inside a sentence: French and Spanish write it in lower case ("en anglais").
pub(super) fn language_name(taxonomy: &Taxonomy, code: &str, lang: Lang) -> String {
    let label = taxonomy.languages.label(code, lang);
    match lang {
        Lang::En => label.to_string(),
        Lang::Fr | Lang::Es => label.to_lowercase(),
    }
}
