//! Server-rendered HTML pages: the search page with its facet sidebar, document pages, history
//! and diffs, in English, French and Spanish. Rendering only: handlers fetch the data and pass
//! it in, so every page can be tested without a server.
//!
//! Pages work without JavaScript (plain links and GET forms); `static/app.js` only makes facet
//! changes update the results in place.

pub mod compare;
pub mod countries;
mod curate;
mod links;
pub mod map;
mod profiles;

pub use curate::{problems_by_field, DocumentForm};

use std::collections::BTreeMap;
use std::sync::OnceLock;

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::diff::DiffHunk;
use crate::document::markdown::to_safe_html;
use crate::document::Problem;
use crate::index::search::{
    html_escape, value_label, FacetGroup, FacetValue, Related, SearchResponse,
};
use crate::index::SearchRequest;
use crate::store::{AuditEntry, DocumentRecord, Revision};
use crate::taxonomy::{Labels, Lang, Taxonomy};

pub use links::{document_url, search_url};
pub use profiles::{country_url, profile_text};

const MESSAGES_YAML: &str = include_str!("../../templates/i18n.yaml");

/// The interface text in every language.
fn messages() -> &'static BTreeMap<String, Labels> {
    static MESSAGES: OnceLock<BTreeMap<String, Labels>> = OnceLock::new();
    MESSAGES.get_or_init(|| {
        serde_saphyr::from_str(MESSAGES_YAML).expect("templates/i18n.yaml is valid")
    })
}

/// The interface text in one language, as the templates' `t`.
pub fn text(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    messages()
        .iter()
        .map(|(key, labels)| (key.as_str(), labels.get(lang)))
        .collect()
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
struct LangLink {
    code: &'static str,
    label: &'static str,
    url: String,
    current: bool,
}

#[derive(Serialize)]
struct Chip {
    group: String,
    label: String,
    remove_url: String,
}

#[derive(Serialize)]
struct FacetView {
    group: &'static str,
    label: String,
    hierarchical: bool,
    /// Selected values and the most frequent ones.
    top: Vec<FacetValue>,
    /// The rest, behind a "more" toggle.
    more: Vec<FacetValue>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
}

/// A value with a link to the search filtered by it.
#[derive(Serialize)]
struct LinkedValue {
    label: String,
    url: String,
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
        ] {
            env.add_template(name, source).expect("templates compile");
        }
        Pages { env }
    }

    fn render(&self, name: &str, context: minijinja::Value) -> String {
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

    fn lang_links(lang: Lang, url_for: impl Fn(Lang) -> String) -> Vec<LangLink> {
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

    /// The search page for a request and its response.
    pub fn search(
        &self,
        request: &SearchRequest,
        response: &SearchResponse,
        taxonomy: &Taxonomy,
    ) -> String {
        let lang = request.lang;
        let chips: Vec<Chip> = request
            .filters
            .iter()
            .flat_map(|(group, values)| values.iter().map(move |value| (*group, value)))
            .map(|(group, value)| {
                let mut without = request.clone();
                if let Some(values) = without.filters.get_mut(&group) {
                    values.retain(|v| v != value);
                }
                without.page = 1;
                Chip {
                    group: group.label(lang).to_string(),
                    label: value_label(group, value, taxonomy, lang),
                    remove_url: search_url(&without),
                }
            })
            .chain(year_chip(request, lang))
            .collect();
        let clear = SearchRequest {
            q: request.q.clone(),
            lang,
            ..Default::default()
        };
        let facets: Vec<FacetView> = response
            .facets
            .iter()
            .filter(|f| !f.values.is_empty())
            .map(|f| {
                let hierarchical = f.group == FacetGroup::Region;
                let (top, more) = if hierarchical {
                    (f.values.clone(), Vec::new())
                } else {
                    split_values(&f.values, 8)
                };
                FacetView {
                    group: f.group.key(),
                    label: f.label.clone(),
                    hierarchical,
                    top,
                    more,
                }
            })
            .collect();
        let pages = response.total.div_ceil(response.page_size).max(1);
        let page_url = |page: usize| {
            search_url(&SearchRequest {
                page,
                ..request.clone()
            })
        };
        let window = (response.page.saturating_sub(3).max(1))..=(response.page + 3).min(pages);
        let page_links: Vec<PageLink> = window
            .map(|number| PageLink {
                number,
                url: page_url(number),
                current: number == response.page,
            })
            .collect();
        let context = minijinja::context! {
            lang => lang.code(),
            t => text(lang),
            title => if request.q.is_empty() { text(lang)["search_button"].to_string() } else { request.q.clone() },
            langs => Self::lang_links(lang, |l| search_url(&SearchRequest { lang: l, ..request.clone() })),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            q => request.q,
            response => response,
            facets => facets,
            chips => chips,
            clear_url => search_url(&clear),
            year_from => request.year_from,
            year_to => request.year_to,
            sort => response.sort,
            explicit_sort => request.sort.is_some(),
            page_links => page_links,
            pages => pages,
            prev_url => (response.page > 1).then(|| page_url(response.page - 1)),
            next_url => (response.page < pages).then(|| page_url(response.page + 1)),
            first_rank => (response.page - 1) * response.page_size + 1,
        };
        self.render("search.html", context)
    }

    /// A document's page: rendered Markdown, metadata linked to filtered searches, sources,
    /// related documents, revision and citation. `revision` shows an older revision instead.
    pub fn document(
        &self,
        record: &DocumentRecord,
        revision: Option<&Revision>,
        related: &[Related],
        taxonomy: &Taxonomy,
        lang: Lang,
        base_url: &str,
    ) -> String {
        let (meta, body, number) = match revision {
            Some(r) => (&r.meta, &r.body, r.number),
            None => (&record.meta, &record.body, record.revision),
        };
        let filter_link = |group: FacetGroup, value: &str| LinkedValue {
            label: value_label(group, value, taxonomy, lang),
            url: search_url(
                &SearchRequest::default()
                    .filter(group, value)
                    .with_lang(lang),
            ),
        };
        let links = |group: FacetGroup, values: &[String]| -> Vec<LinkedValue> {
            values.iter().map(|v| filter_link(group, v)).collect()
        };
        let regions: Vec<LinkedValue> = {
            let mut slugs: Vec<&str> = crate::index::region_paths(taxonomy, meta)
                .into_iter()
                .filter_map(|p| p.last().copied())
                .collect();
            slugs.dedup();
            slugs
                .into_iter()
                .map(|s| filter_link(FacetGroup::Region, s))
                .collect()
        };
        let url = format!("{base_url}{}", document_url(&meta.id, lang));
        let citation = format!(
            "{title} ({year}). Praxis knowledge base, revision {number}. {url}",
            title = meta.title,
            year = meta.year,
        );
        let bibtex = format!(
            "@misc{{praxis-{id},\n  title = {{{title}}},\n  year = {{{year}}},\n  howpublished = {{\\url{{{url}}}}},\n  note = {{Praxis knowledge base, revision {number}}}\n}}",
            id = meta.id,
            title = meta.title.replace(['{', '}'], ""),
            year = meta.year,
        );
        let context = minijinja::context! {
            lang => lang.code(),
            doc_lang => meta.language,
            t => text(lang),
            title => meta.title,
            langs => Self::lang_links(lang, |l| document_url(&meta.id, l)),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            meta => meta,
            html => to_safe_html(body),
            revision => number,
            current_revision => record.revision,
            old_revision => revision.is_some_and(|r| r.number != record.revision),
            withdrawn => record.withdrawn,
            doc_type => filter_link(FacetGroup::Type, &meta.doc_type),
            countries => links(FacetGroup::Country, &meta.countries),
            regions => regions,
            themes => links(FacetGroup::Theme, &meta.themes),
            mechanism_types => links(FacetGroup::MechanismType, &meta.mechanism_types),
            instruments => links(FacetGroup::Instrument, &meta.instruments),
            language_label => taxonomy.languages.label(&meta.language, lang),
            status_label => meta.status.as_deref().map(|s| taxonomy.statuses.label(s, lang)),
            composition_label => meta.composition.as_deref().map(|s| taxonomy.compositions.label(s, lang)),
            legal_basis_url => meta.legal_basis.as_deref().filter(|b| crate::taxonomy::is_slug(b)).map(|b| document_url(b, lang)),
            related => related.iter().map(|r| minijinja::context! {
                title => r.title, url => document_url(&r.id, lang),
                type_label => taxonomy.types.label(&r.doc_type, lang), year => r.year,
            }).collect::<Vec<_>>(),
            document_url => document_url(&meta.id, lang),
            history_url => format!("/documents/{}/history?lang={}", meta.id, lang.code()),
            citation => citation,
            bibtex => bibtex,
        };
        self.render("document.html", context)
    }

    /// The list of a document's revisions, with a form to compare two.
    pub fn history(&self, record: &DocumentRecord, revisions: &[Revision], lang: Lang) -> String {
        let id = &record.meta.id;
        let rows: Vec<_> = revisions
            .iter()
            .rev()
            .map(|r| {
                minijinja::context! {
                    number => r.number,
                    recorded_at => r.recorded_at,
                    author => r.author,
                    title => r.meta.title,
                    url => format!("/documents/{id}/revisions/{}?lang={}", r.number, lang.code()),
                }
            })
            .collect();
        let latest = record.revision;
        let context = minijinja::context! {
            lang => lang.code(),
            t => text(lang),
            title => format!("{} {}", text(lang)["history_of"], record.meta.title),
            doc_title => record.meta.title,
            langs => Self::lang_links(lang, |l| format!("/documents/{id}/history?lang={}", l.code())),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            id => id,
            document_url => document_url(id, lang),
            revisions => rows,
            default_from => latest.saturating_sub(1).max(1),
            default_to => latest,
        };
        self.render("history.html", context)
    }

    /// The differences between two revisions, additions and removals marked.
    pub fn diff(
        &self,
        record: &DocumentRecord,
        from: u32,
        to: u32,
        hunks: &[DiffHunk],
        lang: Lang,
    ) -> String {
        let id = &record.meta.id;
        let context = minijinja::context! {
            lang => lang.code(),
            t => text(lang),
            title => format!("{} · {from} → {to}", record.meta.title),
            doc_title => record.meta.title,
            langs => Self::lang_links(lang, |l| format!("/documents/{id}/diff?from={from}&to={to}&lang={}", l.code())),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            from => from,
            to => to,
            hunks => hunks,
            document_url => document_url(id, lang),
            history_url => format!("/documents/{id}/history?lang={}", lang.code()),
        };
        self.render("diff.html", context)
    }

    /// An error page (not found, bad parameter, ...).
    pub fn error(&self, status: u16, message: &str, lang: Lang) -> String {
        let t = text(lang);
        let heading = if status == 404 {
            t["not_found"]
        } else {
            t["error"]
        };
        let context = minijinja::context! {
            lang => lang.code(),
            t => t,
            title => heading,
            heading => heading,
            message => message,
            status => status,
            langs => Self::lang_links(lang, |l| search_url(&SearchRequest { lang: l, ..Default::default() })),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
        };
        self.render("error.html", context)
    }
}

/// What the curator desk shows.
pub struct Desk<'a> {
    pub lang: Lang,
    pub curator: &'a str,
    pub csrf: &'a str,
    /// A confirmation, already HTML (escaped where it carries user text).
    pub notice: Option<String>,
    /// The new-document form as last submitted (empty for a fresh desk).
    pub form: DocumentForm,
    /// The document being edited, with the Markdown in the editor.
    pub editing: Option<(&'a DocumentRecord, String)>,
    pub problems: &'a [Problem],
    pub audit: &'a [AuditEntry],
}

/// Fields of the new-document form, for placing problems next to them.
const FORM_FIELDS: &[&str] = &[
    "id",
    "title",
    "type",
    "summary",
    "countries",
    "themes",
    "mechanism_types",
    "instruments",
    "year",
    "language",
    "sources",
    "status",
    "shareable",
];

impl Pages {
    pub fn curate_login(&self, lang: Lang, message: Option<&str>) -> String {
        let context = minijinja::context! {
            lang => lang.code(),
            t => text(lang),
            title => text(lang)["curate"],
            message => message,
            langs => Self::lang_links(lang, |l| format!("/curate?lang={}", l.code())),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
        };
        self.render("curate_login.html", context)
    }

    pub fn curate_desk(&self, desk: &Desk<'_>, taxonomy: &Taxonomy) -> String {
        let lang = desk.lang;
        let vocabulary = |v: &crate::taxonomy::Vocabulary| {
            v.terms()
                .iter()
                .map(|t| minijinja::context! { slug => t.slug, label => t.labels.get(lang) })
                .collect::<Vec<_>>()
        };
        // Every problem is listed at the top (linked to its form field, with its line when the
        // curator edits Markdown) and shown again next to its field.
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut summary = Vec::new();
        for problem in desk.problems {
            let form_field = problem
                .field
                .as_deref()
                .filter(|f| desk.editing.is_none() && FORM_FIELDS.contains(f));
            if let Some(field) = form_field {
                errors
                    .entry(field.to_string())
                    .or_default()
                    .push(problem.message.clone());
            }
            let text = match (problem.line, desk.editing.is_some()) {
                (Some(line), true) => format!("line {line}: {}", problem_text(problem)),
                _ => problem_text(problem),
            };
            let anchor = form_field.map(|f| if f == "sources" { "source_url" } else { f });
            summary.push(minijinja::context! { text => text, anchor => anchor });
        }
        let editing = desk.editing.as_ref().map(|(record, _)| {
            minijinja::context! {
                id => record.meta.id,
                title => record.meta.title,
                url => document_url(&record.meta.id, lang),
            }
        });
        let context = minijinja::context! {
            lang => lang.code(),
            t => text(lang),
            title => text(lang)["curate"],
            langs => Self::lang_links(lang, |l| format!("/curate?lang={}", l.code())),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            curator => desk.curator,
            csrf => desk.csrf,
            notice => desk.notice.clone().map(minijinja::Value::from_safe_string),
            form => &desk.form,
            errors => errors,
            summary => summary,
            editing => editing,
            markdown => desk.editing.as_ref().map(|(_, m)| m.as_str()),
            audit => desk.audit,
            vocab => minijinja::context! {
                types => vocabulary(&taxonomy.types),
                themes => vocabulary(&taxonomy.themes),
                mechanism_types => vocabulary(&taxonomy.mechanism_types),
                instruments => vocabulary(&taxonomy.instruments),
                languages => vocabulary(&taxonomy.languages),
                statuses => vocabulary(&taxonomy.statuses),
            },
        };
        self.render("curate.html", context)
    }
}

fn problem_text(problem: &Problem) -> String {
    match &problem.field {
        Some(field) => format!("{field}: {}", problem.message),
        None => problem.message.clone(),
    }
}

fn year_chip(request: &SearchRequest, lang: Lang) -> Option<Chip> {
    if request.year_from.is_none() && request.year_to.is_none() {
        return None;
    }
    let label = format!(
        "{}–{}",
        request.year_from.map(|y| y.to_string()).unwrap_or_default(),
        request.year_to.map(|y| y.to_string()).unwrap_or_default()
    );
    Some(Chip {
        group: text(lang)["year_range"].to_string(),
        label,
        remove_url: search_url(&SearchRequest {
            year_from: None,
            year_to: None,
            page: 1,
            ..request.clone()
        }),
    })
}

/// Selected values and the `n` most frequent first; the rest behind "more".
fn split_values(values: &[FacetValue], n: usize) -> (Vec<FacetValue>, Vec<FacetValue>) {
    let mut top = Vec::new();
    let mut more = Vec::new();
    for value in values {
        if value.selected || top.len() < n {
            top.push(value.clone());
        } else {
            more.push(value.clone());
        }
    }
    (top, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_three_languages_and_templates_compile() {
        assert!(text(Lang::Fr)["search_button"] == "Rechercher");
        let _ = Pages::new();
    }

    #[test]
    fn the_desk_shows_problems_next_to_their_fields() {
        let problems = vec![Problem {
            file: "form".into(),
            line: Some(4),
            column: Some(1),
            field: Some("themes".into()),
            message: "unknown value \"hate-speach\"".into(),
        }];
        let desk = Desk {
            lang: Lang::En,
            curator: "alice",
            csrf: "tok",
            notice: None,
            form: DocumentForm::default(),
            editing: None,
            problems: &problems,
            audit: &[],
        };
        let html = Pages::new().curate_desk(&desk, &Taxonomy::builtin());
        assert!(html.contains("<p class=\"field-error\" id=\"themes-error\">unknown value &quot;hate-speach&quot;</p>"), "{html}");
        assert!(html.contains("name=\"csrf\" value=\"tok\""));
        let login = Pages::new().curate_login(Lang::Fr, Some("Ce jeton n'est pas valide."));
        assert!(login.contains("type=\"password\""));
    }
}
