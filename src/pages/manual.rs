//! `/manual`: the manual of national prevention architectures (see [`crate::manual`] for how it
//! is assembled). Three views of one template: the contents with every chapter's checklist
//! summary, one chapter (guidance, evidence table, checklist), and the whole manual on one
//! printable page. An unset field always reads "not recorded", never "No".

use super::view::Chrome;
use std::collections::{BTreeMap, BTreeSet};

use super::countries::country_url;
use super::dates::readable_time;
use super::view::link_ids_in_html;
use super::{document_url, language_name, search_url, text, Pages};
use crate::catalogue::{self, Section};
use crate::document::markdown::to_safe_html;
use crate::manual::{Chapter, Column, Manual, MechanismRow, MAX_MECHANISMS};
use crate::taxonomy::{Lang, Taxonomy};
use crate::SearchRequest;

/// The interface text of every page plus the manual's own, in one language.
fn manual_text(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    let mut t = text(lang);
    t.extend(catalogue::text(Section::Manual, lang));
    t
}

/// Which page of the manual to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ManualView<'a> {
    /// The contents: chapters with their summaries and checklists in brief.
    Contents,
    /// One chapter, by slug.
    Chapter(&'a str),
    /// Every chapter in full, for printing.
    Print,
}

/// The URL of a manual page.
pub(crate) fn manual_url(chapter: Option<&str>, lang: Lang) -> String {
    match chapter {
        Some(slug) => format!("/manual/{slug}?lang={}", lang.code()),
        None => format!("/manual?lang={}", lang.code()),
    }
}

impl Pages {
    /// A page of the manual. `known_ids` are the document ids the guidance mentions that
    /// exist (they become links).
    pub(crate) fn manual(
        &self,
        manual: &Manual,
        view: ManualView<'_>,
        known_ids: &BTreeSet<String>,
        taxonomy: &Taxonomy,
        chrome: &Chrome,
    ) -> String {
        let lang = manual.lang;
        let t = manual_text(lang);
        let shown: Vec<&Chapter> = match view {
            ManualView::Chapter(slug) => {
                manual.chapters.iter().filter(|c| c.slug == slug).collect()
            }
            ManualView::Contents | ManualView::Print => manual.chapters.iter().collect(),
        };
        let full = !matches!(view, ManualView::Contents);
        let shift = if matches!(view, ManualView::Print) {
            2
        } else {
            1
        };
        let chapters: Vec<minijinja::Value> = shown
            .iter()
            .map(|chapter| chapter_context(manual, chapter, full, shift, known_ids, taxonomy, &t))
            .collect();
        let (title, slug) = match view {
            ManualView::Chapter(slug) => (
                shown
                    .first()
                    .map(|c| c.label.clone())
                    .unwrap_or_else(|| t["manual_title"].to_string()),
                Some(slug),
            ),
            _ => (t["manual_title"].to_string(), None),
        };
        let url_for = |l: Lang| match view {
            ManualView::Print => format!("/manual/print?lang={}", l.code()),
            _ => manual_url(slug, l),
        };
        let position = slug.and_then(|s| manual.chapters.iter().position(|c| c.slug == s));
        let neighbour = |i: Option<usize>| {
            i.and_then(|i| manual.chapters.get(i)).map(|c| {
                minijinja::context! { label => c.label, number => c.number, url => manual_url(Some(&c.slug), lang) }
            })
        };
        let context = minijinja::context! {
            chrome => chrome,
            lang => lang.code(),
            t => t,
            title => title,
            view => match view {
                ManualView::Contents => "contents",
                ManualView::Chapter(_) => "chapter",
                ManualView::Print => "print",
            },
            langs => Self::lang_links(lang, url_for),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            manual_url => manual_url(None, lang),
            print_url => format!("/manual/print?lang={}", lang.code()),
            api_url => format!("/api/manual?lang={}", lang.code()),
            contents => manual.chapters.iter().map(|c| minijinja::context! {
                number => c.number,
                label => c.label,
                url => if matches!(view, ManualView::Print) { format!("#chapter-{}", c.slug) } else { manual_url(Some(&c.slug), lang) },
            }).collect::<Vec<_>>(),
            chapters => chapters,
            mechanism_count => manual.mechanisms.len(),
            truncated => manual.truncated.then(|| t["manual_truncated"].replace("{n}", &MAX_MECHANISMS.to_string())),
            previous => neighbour(position.and_then(|p| p.checked_sub(1))),
            next => neighbour(position.map(|p| p + 1)),
        };
        self.render("manual.html", context)
    }
}

#[allow(clippy::too_many_arguments)]
fn chapter_context(
    manual: &Manual,
    chapter: &Chapter,
    full: bool,
    heading_shift: usize,
    known_ids: &BTreeSet<String>,
    taxonomy: &Taxonomy,
    t: &BTreeMap<&'static str, &'static str>,
) -> minijinja::Value {
    let lang = manual.lang;
    let guide = chapter.guide.as_ref().map(|g| {
        minijinja::context! {
            id => g.id,
            title => g.title,
            summary => g.summary,
            language => g.language,
            url => document_url(&g.id, lang),
            history_url => format!("/documents/{}/history?lang={}", g.id, lang.code()),
            revision => t["manual_revision"]
                .replace("{n}", &g.revision.to_string())
                .replace("{date}", &readable_time(&g.last_modified, lang)),
            fallback => (!g.in_requested_language).then(|| t["manual_fallback"]
                .replace("{language}", &language_name(taxonomy, &g.language, lang))),
            // The chapter's own headings sit under the page's: one level down on a chapter
            // page (under "Guidance", an h2), two on the printable one (under the chapter's h2).
            html => full.then(|| shift_headings(
                &link_ids_in_html(&to_safe_html(&g.markdown), known_ids, lang),
                heading_shift,
            )),
            sources => g.sources.iter().map(|s| minijinja::context! {
                url => s.url,
                label => s.title.clone().or_else(|| s.citation.clone()).or_else(|| s.url.clone()).unwrap_or_default(),
                citation => s.citation.as_ref().filter(|c| Some(*c) != s.title.as_ref()),
                publisher => s.publisher,
            }).collect::<Vec<_>>(),
        }
    });
    let others: Vec<minijinja::Value> = chapter
        .versions
        .iter()
        .filter(|v| Some(&v.id) != chapter.guide.as_ref().map(|g| &g.id))
        .filter_map(|v| {
            let other: Lang = v.language.parse().ok()?;
            Some(minijinja::context! {
                label => language_name(taxonomy, &v.language, lang),
                code => v.language,
                url => manual_url(Some(&chapter.slug), other),
            })
        })
        .collect();
    let columns: Vec<minijinja::Value> = chapter
        .columns
        .iter()
        .map(|c| minijinja::context! { field => c.field(), label => t[c.field()] })
        .collect();
    let rows: Vec<minijinja::Value> = if full {
        manual
            .mechanisms
            .iter()
            .map(|row| {
                minijinja::context! {
                    id => row.id,
                    title => row.title,
                    url => document_url(&row.id, lang),
                    country => row.country_name,
                    country_url => (!row.country_iso2.is_empty()).then(|| country_url(&row.country_iso2, lang)),
                    cells => chapter.columns.iter().map(|&c| cell(row, c, lang, t)).collect::<Vec<_>>(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let checklist: Vec<minijinja::Value> = chapter
        .checklist
        .iter()
        .map(|item| {
            minijinja::context! {
                slug => item.norm.slug(),
                label => item.label,
                field => item.field,
                field_label => t.get(item.field).copied().unwrap_or(item.field),
                met_count => item.met_by.len(),
                met => t["manual_met_by"].replace("{n}", &item.met_by.len().to_string()),
                not_met => (item.not_met > 0).then(|| t["manual_not_met"].replace("{n}", &item.not_met.to_string())),
                not_recorded => (item.not_recorded > 0).then(|| t["manual_norm_not_recorded"].replace("{n}", &item.not_recorded.to_string())),
                mechanisms => item.met_by.iter().map(|m| minijinja::context! {
                    title => m.title,
                    country => m.country_name,
                    url => document_url(&m.id, lang),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    minijinja::context! {
        slug => chapter.slug,
        number => chapter.number,
        heading => t["manual_chapter_n"].replace("{n}", &chapter.number.to_string()),
        label => chapter.label,
        url => manual_url(Some(&chapter.slug), lang),
        csv_url => format!("/api/manual/{}/mechanisms.csv?lang={}", chapter.slug, lang.code()),
        guide => guide,
        others => others,
        columns => columns,
        rows => rows,
        evidence_help => t["manual_evidence_help"].replace("{n}", &manual.mechanisms.len().to_string()),
        checklist => checklist,
    }
}

/// Sanitised HTML with every heading `by` levels lower (at most `h6`), so that a document's
/// headings nest under the page's.
fn shift_headings(html: &str, by: usize) -> String {
    let mut out = html.to_string();
    // From h6 down, so that a heading already moved is not moved again.
    for level in (1..=6).rev() {
        let to = (level + by).min(6);
        out = out
            .replace(&format!("<h{level}"), &format!("<h{to}"))
            .replace(&format!("</h{level}>"), &format!("</h{to}>"));
    }
    out
}

/// One cell of the evidence table: its text, a link when it names a document, whether it is
/// "not recorded", and its language when that is the mechanism's rather than the page's.
fn cell(
    row: &MechanismRow,
    column: Column,
    lang: Lang,
    t: &BTreeMap<&'static str, &'static str>,
) -> minijinja::Value {
    let own_language = (row.language != lang.code()).then(|| row.language.clone());
    let (text, url, language) = match column {
        Column::Established => (row.established.map(|y| y.to_string()), None, None),
        Column::LegalBasis => match &row.legal_basis {
            Some(basis) => (
                Some(basis.text.clone()),
                basis.document.as_deref().map(|id| document_url(id, lang)),
                basis
                    .document
                    .is_none()
                    .then(|| own_language.clone())
                    .flatten(),
            ),
            None => (None, None, None),
        },
        Column::Mandate => (row.mandate.clone(), None, own_language.clone()),
        Column::Composition => (row.composition_label.clone(), None, None),
        Column::ReportingLine => (row.reporting_line.clone(), None, own_language.clone()),
        Column::EarlyWarning => (
            row.early_warning
                .map(|b| if b { t["yes"] } else { t["no"] }.to_string()),
            None,
            None,
        ),
        Column::OperatingStatus => (row.operating_status_label.clone(), None, None),
    };
    minijinja::context! {
        field => column.field(),
        missing => text.is_none(),
        text => text.unwrap_or_else(|| t["field_not_recorded"].to_string()),
        url => url,
        language => language,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_headings_nest_under_the_page_headings() {
        let html = "<h2 id=\"a\">A</h2><p>x</p><h3>B</h3><h6>C</h6>";
        assert_eq!(
            shift_headings(html, 1),
            "<h3 id=\"a\">A</h3><p>x</p><h4>B</h4><h6>C</h6>"
        );
        assert_eq!(
            shift_headings(html, 2),
            "<h4 id=\"a\">A</h4><p>x</p><h5>B</h5><h6>C</h6>"
        );
    }
}
