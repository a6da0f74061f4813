//! What pages show besides an engine response, and the small transformations of it that are
//! only about presentation: the region tree with its selected branches open, links for
//! document ids written in text, export links for the current search, the landing's counts.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::links::{document_url, search_url};
use crate::index::search::FacetValue;
use crate::index::{FacetGroup, SearchRequest};
use crate::taxonomy::{is_slug, Lang, Taxonomy};

/// What every page's frame needs to know about the instance and the reader.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Chrome {
    /// The instance has curators configured: the "Curator desk" link is worth showing.
    pub(crate) curators: bool,
    /// The reader is signed in as a curator: document pages offer "Edit".
    pub(crate) signed_in: bool,
    /// The reader is signed in as a contributor: document pages offer "Propose a change".
    pub(crate) contributor: bool,
}

/// A law's status and shareable judgement, shown on its search result.
#[derive(Debug, Default, Clone)]
pub(crate) struct LawDetail {
    pub(crate) status: Option<String>,
    pub(crate) shareable: Option<bool>,
}

/// What the search page shows besides the search response.
#[derive(Debug, Default)]
pub(crate) struct SearchExtras {
    pub(crate) chrome: Chrome,
    /// A year range the search could not use, said in the page language; the search ran
    /// without it and the fields show what was typed.
    pub(crate) year_problem: Option<String>,
    pub(crate) year_from_text: Option<String>,
    pub(crate) year_to_text: Option<String>,
    /// Laws among the hits, by id.
    pub(crate) laws: HashMap<String, LawDetail>,
    /// Document ids that exist, among the words of the snippets (they become links).
    pub(crate) known_ids: BTreeSet<String>,
    /// The landing introduction, on the bare home page.
    pub(crate) landing: Option<Landing>,
}

/// The live numbers of the landing.
#[derive(Debug, Default, Clone)]
pub(crate) struct Landing {
    pub(crate) documents: usize,
    pub(crate) by_type: Vec<(String, usize)>,
    pub(crate) countries: usize,
}

impl Landing {
    pub(crate) fn view(&self, lang: Lang, taxonomy: &Taxonomy) -> minijinja::Value {
        let search = |request: SearchRequest| search_url(&request.with_lang(lang));
        let by_type: Vec<_> = self
            .by_type
            .iter()
            .map(|(slug, count)| {
                minijinja::context! {
                    label => taxonomy.types.label(slug, lang),
                    count => count,
                    url => search(SearchRequest::default().filter(FacetGroup::Type, slug)),
                }
            })
            .collect();
        let regions: Vec<_> = ["africa", "americas", "asia", "europe", "oceania"]
            .into_iter()
            .filter_map(|slug| taxonomy.geography.region(slug))
            .map(|region| {
                minijinja::context! {
                    label => region.labels.get(lang),
                    url => search(SearchRequest::default().filter(FacetGroup::Region, &region.slug)),
                }
            })
            .collect();
        minijinja::context! {
            documents => self.documents,
            countries => self.countries,
            by_type => by_type,
            regions => regions,
            mechanisms_url => search(SearchRequest::default().filter(FacetGroup::Type, "mechanism")),
            shareable_laws_url => search(
                SearchRequest::default()
                    .filter(FacetGroup::Type, "law")
                    .filter(FacetGroup::Shareable, "yes"),
            ),
            curricula_url => search(SearchRequest::default().filter(FacetGroup::Type, "curriculum")),
            case_studies_url => search(SearchRequest::default().filter(FacetGroup::Type, "case-study")),
        }
    }
}

/// A facet value for the templates: `open` when a value below it is selected, so that a
/// selection deep in the region tree is visible.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TreeValue {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) count: u64,
    pub(crate) selected: bool,
    pub(crate) open: bool,
    pub(crate) children: Vec<TreeValue>,
}

impl From<&FacetValue> for TreeValue {
    fn from(value: &FacetValue) -> Self {
        let children: Vec<TreeValue> = value.children.iter().map(TreeValue::from).collect();
        let open = children.iter().any(|c| c.selected || c.open);
        TreeValue {
            value: value.value.clone(),
            label: value.label.clone(),
            count: value.count,
            selected: value.selected,
            open,
            children,
        }
    }
}

/// CSV, NDJSON and Atom links for the search a page shows (every match, not one page).
pub(crate) fn export_urls(request: &SearchRequest) -> minijinja::Value {
    let all = SearchRequest {
        page: 1,
        ..request.clone()
    };
    let query = search_url(&all);
    let query = query.trim_start_matches("/?");
    let feed = search_url(&SearchRequest {
        sort: None,
        ..all.clone()
    });
    minijinja::context! {
        csv => format!("/api/search?{query}&format=csv"),
        ndjson => format!("/api/search?{query}&format=ndjson"),
        atom => format!("/feed.atom?{}", feed.trim_start_matches("/?")),
    }
}

/// Words of a text that look like document ids (slugs with a hyphen), for the handler to check.
pub(crate) fn id_candidates(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| w.len() >= 5 && w.contains('-') && is_slug(w))
        .map(str::to_string)
        .collect()
}

/// Rendered Markdown with `<code>some-id</code>` turned into a link when `some-id` is a
/// document (curators write "see `ke-ncic`").
pub(crate) fn link_ids_in_html(html: &str, known: &BTreeSet<String>, lang: Lang) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<code>") {
        let after = &rest[start + "<code>".len()..];
        let Some(end) = after.find("</code>") else {
            break;
        };
        let inner = &after[..end];
        out.push_str(&rest[..start]);
        if known.contains(inner) {
            out.push_str(&format!(
                "<a href=\"{}\"><code>{inner}</code></a>",
                document_url(inner, lang).replace('&', "&amp;")
            ));
        } else {
            out.push_str(&rest[start..start + "<code>".len() + end + "</code>".len()]);
        }
        rest = &after[end + "</code>".len()..];
    }
    out.push_str(rest);
    out
}

/// A snippet (escaped text with `<mark>`s) with known document ids linked. Text inside tags
/// is left alone.
pub(crate) fn link_ids_in_snippet(snippet: &str, known: &BTreeSet<String>, lang: Lang) -> String {
    if known.is_empty() {
        return snippet.to_string();
    }
    let mut out = String::with_capacity(snippet.len());
    let mut word = String::new();
    let mut in_tag = false;
    let flush = |word: &mut String, out: &mut String| {
        let trimmed = word.trim_matches('-');
        if known.contains(trimmed) {
            let lead = &word[..word.find(trimmed).unwrap_or(0)];
            let tail = &word[lead.len() + trimmed.len()..];
            out.push_str(lead);
            out.push_str(&format!(
                "<a href=\"{}\">{trimmed}</a>",
                document_url(trimmed, lang).replace('&', "&amp;")
            ));
            out.push_str(tail);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in snippet.chars() {
        if in_tag {
            out.push(c);
            in_tag = c != '>';
        } else if c == '<' {
            flush(&mut word, &mut out);
            out.push(c);
            in_tag = true;
        } else if c.is_ascii_alphanumeric() || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ids_in_code_become_links_only_when_they_exist() {
        let html = "<p>see <code>ke-ncic</code> and <code>no-such-doc</code></p>";
        let linked = link_ids_in_html(html, &known(&["ke-ncic"]), Lang::Fr);
        assert_eq!(
            linked,
            "<p>see <a href=\"/documents/ke-ncic?lang=fr\"><code>ke-ncic</code></a> and <code>no-such-doc</code></p>"
        );
    }

    #[test]
    fn ids_in_snippets_become_links_outside_marks() {
        let snippet = "(see ke-ncic). The <mark>commission</mark> ke-other";
        let linked = link_ids_in_snippet(snippet, &known(&["ke-ncic"]), Lang::En);
        assert_eq!(
            linked,
            "(see <a href=\"/documents/ke-ncic?lang=en\">ke-ncic</a>). The <mark>commission</mark> ke-other"
        );
        assert!(id_candidates("see `ke-ncic`, and word").contains("ke-ncic"));
        assert_eq!(
            id_candidates("a well-known fact, `ke-x`"),
            known(&["well-known"])
        );
    }

    #[test]
    fn a_selection_deep_in_the_tree_opens_its_branches() {
        let leaf = FacetValue {
            value: "eastern-africa".into(),
            label: "Eastern Africa".into(),
            count: 1,
            selected: true,
            children: vec![],
        };
        let middle = FacetValue {
            value: "sub-saharan-africa".into(),
            label: "Sub-Saharan Africa".into(),
            count: 1,
            selected: false,
            children: vec![leaf],
        };
        let top = FacetValue {
            value: "africa".into(),
            label: "Africa".into(),
            count: 1,
            selected: false,
            children: vec![middle],
        };
        let view = TreeValue::from(&top);
        assert!(view.open && view.children[0].open && !view.children[0].children[0].open);
    }
}
