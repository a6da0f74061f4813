//! The search, document, history, diff, about, error and curator pages.

use std::collections::BTreeMap;

use serde::Serialize;

use super::curate::{form_problem_text, DocumentForm, SourceForm};
use super::dates::{readable_date, readable_time};
use super::links::{document_url, search_url};
use super::templates::{language_name, text, Pages};
use super::view::{
    export_urls, link_ids_in_html, link_ids_in_snippet, Chrome, SearchExtras, TreeValue,
};
use crate::diff::DiffHunk;
use crate::document::markdown::to_safe_html;
use crate::document::Problem;
use crate::index::search::{value_label, FacetGroup, FacetValue, Related, SearchResponse};
use crate::index::{SearchRequest, Sort};
use crate::store::{AuditEntry, DocumentRecord, Revision};
use crate::taxonomy::{Lang, Taxonomy};

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
    top: Vec<TreeValue>,
    /// The rest, behind a "more" toggle.
    more: Vec<TreeValue>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
}

/// What a document page shows besides the record.
#[derive(Debug, Default, Clone)]
pub(crate) struct DocumentExtras {
    pub(crate) chrome: Chrome,
    /// The scheme and host of absolute links (citations).
    pub(crate) base_url: String,
    /// The search the reader came from, for "Back to search".
    pub(crate) back_url: Option<String>,
    /// Document ids that exist among those the text and `legal_basis` mention.
    pub(crate) known_ids: std::collections::BTreeSet<String>,
}

/// The rows of a document's metadata panel: one per field the document sets.
#[derive(Default)]
struct MetaRows(Vec<minijinja::Value>);

impl MetaRows {
    fn push(&mut self, field: &str, label: &str, values: Vec<LinkedValue>) {
        if !values.is_empty() {
            self.0
                .push(minijinja::context! { field, label, values, own_language => false });
        }
    }

    /// A row of text; `own_language` when the text is in the document's language.
    fn text(&mut self, field: &str, label: &str, value: Option<String>, own_language: bool) {
        if let Some(value) = value {
            self.0
                .push(minijinja::context! { field, label, text => value, own_language });
        }
    }
}

/// A value with a link to the search filtered by it.
#[derive(Serialize)]
struct LinkedValue {
    label: String,
    url: String,
}

impl Pages {
    /// The search page for a request and its response.
    pub fn search(
        &self,
        request: &SearchRequest,
        response: &SearchResponse,
        taxonomy: &Taxonomy,
    ) -> String {
        self.search_page(request, response, taxonomy, &SearchExtras::default())
    }

    /// The search page with what the handler knows besides the response: year-range problems,
    /// laws' status and shareable judgement, the landing introduction.
    pub(crate) fn search_page(
        &self,
        request: &SearchRequest,
        response: &SearchResponse,
        taxonomy: &Taxonomy,
        extras: &SearchExtras,
    ) -> String {
        let lang = request.lang;
        let t = text(lang);
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
                    (f.values.iter().map(TreeValue::from).collect(), Vec::new())
                } else {
                    let (top, more) = split_values(&f.values, 8);
                    (
                        top.iter().map(TreeValue::from).collect(),
                        more.iter().map(TreeValue::from).collect(),
                    )
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
            format!(
                "{}#results",
                search_url(&SearchRequest {
                    page,
                    ..request.clone()
                })
            )
        };
        let window = (response.page.saturating_sub(3).max(1))..=(response.page + 3).min(pages);
        let page_links: Vec<PageLink> = window
            .map(|number| PageLink {
                number,
                url: page_url(number),
                current: number == response.page,
            })
            .collect();
        // The sort the engine uses when none is asked for; its option submits no value, so a
        // query typed later is ordered by relevance and an empty one by date.
        let default_sort = if request.q.trim().is_empty() {
            Sort::Newest
        } else {
            Sort::Relevance
        };
        let sort_options: Vec<_> = [
            (Sort::Relevance, "relevance", t["sort_relevance"]),
            (Sort::Newest, "newest", t["sort_newest"]),
            (Sort::Oldest, "oldest", t["sort_oldest"]),
        ]
        .into_iter()
        .map(|(sort, slug, label)| {
            minijinja::context! {
                value => if sort == default_sort { "" } else { slug },
                label => label,
                selected => sort == response.sort,
            }
        })
        .collect();
        // The engine's "some of the words" notice is said in the page language, and never
        // when nothing was found.
        let mut notices: Vec<String> = response
            .notices
            .iter()
            .filter(|n| !(response.relaxed && n.code == "notice_none_contain_all_words"))
            .map(|n| n.to_message().render(lang))
            .collect();
        if response.relaxed && response.total > 0 {
            notices.push(t["relaxed_notice"].to_string());
        }
        let hits: Vec<_> = response
            .hits
            .iter()
            .map(|hit| {
                let law = extras.laws.get(&hit.id);
                minijinja::context! {
                    id => hit.id,
                    title_html => hit.title_html,
                    doc_type => hit.doc_type,
                    type_label => hit.type_label,
                    country_names => hit.country_names,
                    year => hit.year,
                    language => hit.language,
                    url => document_url(&hit.id, lang),
                    snippet_html => link_ids_in_snippet(&hit.snippet_html, &extras.known_ids, lang),
                    other_language => (hit.language != lang.code()).then(|| language_name(taxonomy, &hit.language, lang)),
                    status_label => law.and_then(|l| l.status.as_deref()).map(|s| taxonomy.statuses.label(s, lang)),
                    shareable => law.and_then(|l| l.shareable),
                }
            })
            .collect();
        // What the query names ("Asia", "Kenyan", "laws"): offered as filters, never applied
        // without the reader's click.
        let suggestions: Vec<_> = response
            .suggested_filters
            .iter()
            .map(|s| {
                let mut with = request.clone();
                with.filters
                    .entry(s.group)
                    .or_default()
                    .push(s.value.clone());
                with.page = 1;
                minijinja::context! {
                    group => s.group.label(lang),
                    label => value_label(s.group, &s.value, taxonomy, lang),
                    count => s.count,
                    url => search_url(&with),
                }
            })
            .collect();
        let exports = export_urls(request);
        let title = if !request.q.is_empty() {
            request.q.clone()
        } else if extras.landing.is_some() {
            format!("Praxis · {}", t["tagline"])
        } else {
            t["search_button"].to_string()
        };
        let context = minijinja::context! {
            lang => lang.code(),
            t => t,
            chrome => extras.chrome,
            title => title,
            langs => Self::lang_links(lang, |l| search_url(&SearchRequest { lang: l, ..request.clone() })),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            q => request.q,
            response => response,
            hits => hits,
            notices => notices,
            suggestions => suggestions,
            expansions => response.expansions,
            facets => facets,
            chips => chips,
            clear_url => search_url(&clear),
            year_from => extras.year_from_text.clone().or_else(|| request.year_from.map(|y| y.to_string())).unwrap_or_default(),
            year_to => extras.year_to_text.clone().or_else(|| request.year_to.map(|y| y.to_string())).unwrap_or_default(),
            year_problem => extras.year_problem,
            sort_options => sort_options,
            page_links => page_links,
            pages => pages,
            prev_url => (response.page > 1).then(|| page_url(response.page - 1)),
            next_url => (response.page < pages).then(|| page_url(response.page + 1)),
            first_rank => (response.page - 1) * response.page_size + 1,
            exports => exports,
            landing => extras.landing.as_ref().map(|l| l.view(lang, taxonomy)),
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
        let extras = DocumentExtras {
            base_url: base_url.to_string(),
            ..Default::default()
        };
        self.document_page(record, revision, related, taxonomy, lang, &extras)
    }

    /// A document's page, with what the handler knows besides the record.
    pub(crate) fn document_page(
        &self,
        record: &DocumentRecord,
        revision: Option<&Revision>,
        related: &[Related],
        taxonomy: &Taxonomy,
        lang: Lang,
        extras: &DocumentExtras,
    ) -> String {
        let t = text(lang);
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
        // Only what the document sets is shown: a row per field present in its front matter
        // (regions also when derived from its countries).
        let mut rows = MetaRows::default();
        rows.push(
            "type",
            t["type"],
            vec![filter_link(FacetGroup::Type, &meta.doc_type)],
        );
        rows.push(
            "countries",
            t["countries"],
            links(FacetGroup::Country, &meta.countries),
        );
        rows.push("regions", t["regions"], regions);
        rows.push(
            "themes",
            t["themes"],
            links(FacetGroup::Theme, &meta.themes),
        );
        rows.push(
            "stages",
            t["stages"],
            links(FacetGroup::Stage, &meta.stages),
        );
        rows.push(
            "mechanism_types",
            t["mechanism_types"],
            links(FacetGroup::MechanismType, &meta.mechanism_types),
        );
        rows.push(
            "instruments",
            t["instruments"],
            links(FacetGroup::Instrument, &meta.instruments),
        );
        let year = match &meta.date {
            Some(date) => format!("{} ({date})", meta.year),
            None => meta.year.to_string(),
        };
        rows.text("year", t["year"], Some(year), false);
        rows.text(
            "language",
            t["doc_language"],
            Some(taxonomy.languages.label(&meta.language, lang).to_string()),
            false,
        );
        rows.text(
            "status",
            t["status"],
            meta.status
                .as_deref()
                .map(|s| taxonomy.statuses.label(s, lang).to_string()),
            false,
        );
        rows.text(
            "shareable",
            t["shareable"],
            meta.shareable
                .map(|s| t[if s { "yes" } else { "no" }].to_string()),
            false,
        );
        rows.text(
            "shareable_note",
            t["shareable_note"],
            meta.shareable_note.clone(),
            true,
        );
        rows.text(
            "established",
            t["established"],
            meta.established.map(|y| y.to_string()),
            false,
        );
        match meta.legal_basis.as_deref() {
            Some(basis) if extras.known_ids.contains(basis) => rows.push(
                "legal_basis",
                t["legal_basis"],
                vec![LinkedValue {
                    label: basis.to_string(),
                    url: document_url(basis, lang),
                }],
            ),
            other => rows.text(
                "legal_basis",
                t["legal_basis"],
                other.map(str::to_string),
                true,
            ),
        }
        rows.text("mandate", t["mandate"], meta.mandate.clone(), true);
        rows.text(
            "composition",
            t["composition"],
            meta.composition
                .as_deref()
                .map(|c| taxonomy.compositions.label(c, lang).to_string()),
            false,
        );
        rows.text(
            "reporting_line",
            t["reporting_line"],
            meta.reporting_line.clone(),
            true,
        );
        rows.text(
            "early_warning",
            t["early_warning"],
            meta.early_warning
                .map(|s| t[if s { "yes" } else { "no" }].to_string()),
            false,
        );
        rows.text(
            "operating_status",
            t["operating_status"],
            meta.operating_status
                .as_deref()
                .map(|s| taxonomy.operating_statuses.label(s, lang).to_string()),
            false,
        );
        rows.text("outcome", t["outcome"], meta.outcome.clone(), true);
        rows.text(
            "chapter",
            t["chapter"],
            meta.chapter
                .as_deref()
                .map(|c| taxonomy.manual_chapters.label(c, lang).to_string()),
            false,
        );

        let url = format!("{}{}", extras.base_url, document_url(&meta.id, lang));
        let citation = format!(
            "{title} ({year}). Praxis knowledge base, revision {number}. {url}",
            title = meta.title,
            year = meta.year,
        );
        let bibtex = format!(
            "@misc{{praxis-{id},\n  title = {{{title}}},\n  year = {{{year}}},\n  howpublished = {{\\url{{{url}}}}},\n  note = {{Praxis knowledge base, revision {number}}}\n}}",
            id = meta.id,
            title = bibtex_escape(&meta.title),
            year = meta.year,
            url = bibtex_url(&url),
        );
        let withdrawn = record.withdrawn.then(|| withdrawn_text(record, lang));
        let home = search_url(&SearchRequest {
            lang,
            ..Default::default()
        });
        let context = minijinja::context! {
            lang => lang.code(),
            doc_lang => meta.language,
            t => t,
            chrome => extras.chrome,
            title => meta.title,
            langs => Self::lang_links(lang, |l| document_url(&meta.id, l)),
            home_url => home,
            back_url => extras.back_url.clone().unwrap_or_else(|| home.clone()),
            meta => meta,
            rows => rows.0,
            html => link_ids_in_html(&to_safe_html(body), &extras.known_ids, lang),
            revision => number,
            current_revision => record.revision,
            old_revision => revision.is_some_and(|r| r.number != record.revision),
            withdrawn => withdrawn,
            doc_type => filter_link(FacetGroup::Type, &meta.doc_type),
            sources => meta.sources.iter().map(|s| minijinja::context! {
                url => s.url, citation => s.citation, title => s.title, publisher => s.publisher,
                accessed => s.accessed.as_deref().map(|a| readable_date(a, lang)),
            }).collect::<Vec<_>>(),
            members => meta.members.iter().map(|m| minijinja::context! {
                country => filter_link(FacetGroup::Country, &m.country), joined => m.joined,
                evidence => m.evidence, evidence_is_url => m.evidence.starts_with("http"), note => m.note,
            }).collect::<Vec<_>>(),
            related => related.iter().map(|r| minijinja::context! {
                title => r.title, url => document_url(&r.id, lang),
                type_label => taxonomy.types.label(&r.doc_type, lang), year => r.year,
            }).collect::<Vec<_>>(),
            document_url => document_url(&meta.id, lang),
            edit_url => format!("/curate/edit?id={}&lang={}", meta.id, lang.code()),
            history_url => format!("/documents/{}/history?lang={}", meta.id, lang.code()),
            citation => citation,
            bibtex => bibtex,
        };
        self.render("document.html", context)
    }

    /// The list of a document's revisions, with a form to compare two.
    pub fn history(
        &self,
        record: &DocumentRecord,
        revisions: &[Revision],
        lang: Lang,
        chrome: Chrome,
    ) -> String {
        let id = &record.meta.id;
        let rows: Vec<_> = revisions
            .iter()
            .rev()
            .map(|r| {
                minijinja::context! {
                    number => r.number,
                    recorded_at => r.recorded_at,
                    recorded => readable_time(&r.recorded_at, lang),
                    action => action_label(r.action().as_str(), lang),
                    reason => r.reason,
                    author => r.author,
                    accepted => r.accepted_by.as_ref().map(|curator| text(lang)["proposal_accepted_by"]
                        .replace("{n}", &r.proposal.unwrap_or_default().to_string())
                        .replace("{curator}", curator)),
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
            chrome => chrome,
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
        chrome: Chrome,
    ) -> String {
        let id = &record.meta.id;
        let context = minijinja::context! {
            lang => lang.code(),
            t => text(lang),
            title => format!("{} · {from} → {to}", record.meta.title),
            chrome => chrome,
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

    /// The About page: what Praxis is, the corpus format, "shareable", "no data", how current
    /// the data is and how to cite.
    pub(crate) fn about(
        &self,
        lang: Lang,
        chrome: Chrome,
        taxonomy: &Taxonomy,
        documents: usize,
        last_change: Option<&str>,
        base_url: &str,
    ) -> String {
        let t = text(lang);
        let types: Vec<&str> = taxonomy
            .types
            .terms()
            .iter()
            .map(|term| term.labels.get(lang))
            .collect();
        let context = minijinja::context! {
            lang => lang.code(),
            t => t,
            chrome => chrome,
            title => t["about_title"],
            langs => Self::lang_links(lang, |l| format!("/about?lang={}", l.code())),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            types => types,
            documents => documents,
            last_change => last_change.map(|at| readable_time(at, lang)),
            base_url => format!("{base_url}/"),
        };
        self.render("about.html", context)
    }

    /// An error page (not found, bad parameter, ...).
    pub(crate) fn error(&self, status: u16, message: &str, lang: Lang) -> String {
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
pub(crate) struct Desk<'a> {
    pub(crate) lang: Lang,
    pub(crate) curator: &'a str,
    pub(crate) csrf: &'a str,
    /// A confirmation, already HTML (escaped where it carries user text).
    pub(crate) notice: Option<String>,
    /// The new-document form as last submitted (empty for a fresh desk).
    pub(crate) form: DocumentForm,
    /// The document being edited, with the Markdown in the editor.
    pub(crate) editing: Option<(&'a DocumentRecord, String)>,
    pub(crate) problems: &'a [Problem],
    pub(crate) audit: &'a [AuditEntry],
    /// The revision the editor's text is based on (the record's current one when `None`).
    pub(crate) base_revision: Option<u32>,
    /// Someone saved the document in between: its current text against the curator's.
    pub(crate) conflict: Option<&'a [DiffHunk]>,
    /// The withdrawal's confirmation step, with a problem to show next to the reason.
    pub(crate) withdraw: Option<Option<String>>,
    /// The source editor ("Edit source", or an upload to fix) instead of the form: the text
    /// is `editing`'s Markdown, or `new_source` for a document that does not exist yet.
    pub(crate) source: bool,
    /// An uploaded file that did not validate: its name and text, for the source editor.
    pub(crate) new_source: Option<(String, String)>,
}

/// Fields of the new-document form, for placing problems next to them.
const FORM_FIELDS: &[&str] = crate::document::front_matter::FIELDS;

/// A field's name as the form labels it.
fn field_label(field: &str, lang: Lang) -> String {
    let t = text(lang);
    let key = match field {
        "id" => "field_id_short",
        "title" => "field_title",
        "summary" => "field_summary_short",
        "type" => "type",
        "language" => "doc_language",
        "date" => "date",
        other => other,
    };
    t.get(key).copied().unwrap_or(field).to_string()
}

impl Pages {
    pub(crate) fn curate_login(&self, lang: Lang, message: Option<&str>) -> String {
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

    pub(crate) fn curate_desk(&self, desk: &Desk<'_>, taxonomy: &Taxonomy) -> String {
        let lang = desk.lang;
        let vocabulary = |v: &crate::taxonomy::Vocabulary| {
            v.terms()
                .iter()
                .map(|t| minijinja::context! { slug => t.slug, label => t.labels.get(lang) })
                .collect::<Vec<_>>()
        };
        // Every problem is listed at the top and, on the form, shown again next to its field
        // in the page language; in the source editor each names its line.
        let source = desk.source || desk.new_source.is_some();
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut summary = Vec::new();
        for problem in desk.problems {
            let form_field = problem
                .field
                .as_deref()
                .filter(|f| !source && FORM_FIELDS.contains(f));
            let said = if source {
                problem_text(problem, lang)
            } else {
                form_problem_text(problem, lang)
            };
            if let Some(field) = form_field {
                errors
                    .entry(field.to_string())
                    .or_default()
                    .push(said.clone());
            }
            let text = match (problem.line, source) {
                (Some(line), true) => format!("{} {line}: {said}", text(lang)["line"]),
                _ => match form_field {
                    Some(field) => {
                        format!("{}{}{said}", field_label(field, lang), text(lang)["colon"])
                    }
                    None => said,
                },
            };
            let anchor = form_field.map(|f| if f == "sources" { "sources" } else { f });
            summary.push(minijinja::context! { text => text, anchor => anchor, line => problem.line.filter(|_| source) });
        }
        let mut countries: Vec<_> = taxonomy
            .geography
            .countries()
            .iter()
            .map(|c| (c.names.get(lang).to_string(), c.iso3.clone()))
            .collect();
        countries.sort();
        let countries: Vec<_> = countries
            .into_iter()
            .map(|(label, slug)| minijinja::context! { slug => slug, label => label })
            .collect();
        let regions: Vec<_> = taxonomy
            .geography
            .regions()
            .iter()
            .map(|r| minijinja::context! { slug => r.slug, label => r.labels.get(lang) })
            .collect();
        // The form always offers one empty source row more than it has.
        let mut form = desk.form.clone();
        form.sources.push(SourceForm::default());
        let preview = (!desk.form.body.is_empty()).then(|| to_safe_html(&desk.form.body));
        let editing = desk.editing.as_ref().map(|(record, _)| {
            minijinja::context! {
                id => record.meta.id,
                title => record.meta.title,
                url => document_url(&record.meta.id, lang),
                base_revision => desk.base_revision.unwrap_or(record.revision),
                revision => record.revision,
                withdrawn => record.withdrawn.then(|| withdrawn_text(record, lang)),
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
            form => form,
            preview => preview,
            source => source,
            new_source => desk.new_source.as_ref().map(|(file, text)| minijinja::context! { file => file, text => text }),
            errors => errors,
            summary => summary,
            editing => editing,
            markdown => desk.editing.as_ref().map(|(_, m)| m.as_str()),
            audit => desk.audit.iter().map(|e| minijinja::context! {
                at => e.at, when => readable_time(&e.at, lang), actor => e.actor,
                action => action_label(&e.action, lang), document => e.document, revision => e.revision,
            }).collect::<Vec<_>>(),
            conflict => desk.conflict,
            withdraw => desk.withdraw.as_ref().map(|problem| minijinja::context! { problem => problem }),
            vocab => minijinja::context! {
                types => vocabulary(&taxonomy.types),
                themes => vocabulary(&taxonomy.themes),
                stages => vocabulary(&taxonomy.stages),
                mechanism_types => vocabulary(&taxonomy.mechanism_types),
                instruments => vocabulary(&taxonomy.instruments),
                languages => vocabulary(&taxonomy.languages),
                statuses => vocabulary(&taxonomy.statuses),
                compositions => vocabulary(&taxonomy.compositions),
                manual_chapters => vocabulary(&taxonomy.manual_chapters),
                countries => countries,
                regions => regions,
            },
        };
        self.render("curate.html", context)
    }
}

/// "Withdrawn on DATE by NAME: reason", with what the record holds of it.
fn withdrawn_text(record: &DocumentRecord, lang: Lang) -> String {
    let t = text(lang);
    let mut sentence = match &record.withdrawn_at {
        Some(at) => t["withdrawn_on"].replace("{date}", &readable_time(at, lang)),
        None => t["withdrawn_plain"].to_string(),
    };
    if let Some(by) = &record.withdrawn_by {
        sentence = format!(
            "{} {}",
            sentence.trim_end_matches('.'),
            t["withdrawn_by"].replace("{name}", by)
        );
    }
    match &record.withdrawn_reason {
        Some(reason) => format!("{}: {reason}", sentence.trim_end_matches('.')),
        None => sentence,
    }
}

/// An entry of the history or the audit log, in words.
fn action_label(action: &str, lang: Lang) -> String {
    let key = match action {
        "create" => "action_create",
        "update" => "action_update",
        "withdraw" => "action_withdraw",
        "restore" => "action_restore",
        "propose" => "action_propose",
        "accept" => "action_accept",
        "decline" => "action_decline",
        "invite" => "action_invite",
        "join" => "action_join",
        "revoke_invitation" => "action_revoke_invitation",
        other => return other.to_string(),
    };
    text(lang)[key].to_string()
}

fn problem_text(problem: &Problem, lang: Lang) -> String {
    let message = problem.message.render(lang);
    match &problem.field {
        Some(field) => format!("{field}: {message}"),
        None => message,
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

/// A value for a BibTeX field in braces: LaTeX's special characters escaped, so a title can
/// neither break out of its field nor run commands.
fn bibtex_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '$' | '&' | '%' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A URL for `\\url{...}`: braces, backslashes and `%` (which would end the line for LaTeX) are
/// percent-encoded; a well-formed URL has no others that matter.
fn bibtex_url(url: &str) -> String {
    url.replace('%', "%25")
        .replace('{', "%7B")
        .replace('}', "%7D")
        .replace('\\', "%5C")
        .replace(['\n', '\r'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bibtex_fields_cannot_be_broken_out_of() {
        assert_eq!(
            bibtex_escape("A}, note={x} \\input{/etc/passwd} 50% & #1_a~^"),
            "A\\}, note=\\{x\\} \\textbackslash{}input\\{/etc/passwd\\} 50\\% \\& \\#1\\_a\\textasciitilde{}\\textasciicircum{}"
        );
        assert_eq!(bibtex_url("http://h}{x/%41"), "http://h%7D%7Bx/%2541");
    }

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
            message: crate::catalogue::Message::new("problem_unknown_value_suggest")
                .arg("value", "hate-speach")
                .arg("suggestion", "hate-speech"),
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
            base_revision: None,
            conflict: None,
            withdraw: None,
            source: false,
            new_source: None,
        };
        let html = Pages::new().curate_desk(&desk, &Taxonomy::builtin());
        assert!(html.contains("<p class=\"field-error\" id=\"themes-error\">unknown value &quot;hate-speach&quot;; did you mean &quot;hate-speech&quot;?</p>"), "{html}");
        assert!(html.contains("name=\"csrf\" value=\"tok\""));
        let login = Pages::new().curate_login(Lang::Fr, Some("Ce jeton n'est pas valide."));
        assert!(login.contains("type=\"password\""));
    }
}
