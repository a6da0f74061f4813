//! The pages `/networks`, `/networks/{id}`, `/glossary` and `/curriculum`. The models
//! ([`crate::networks`], [`crate::curriculum`]) are shown as they are; this module adds URLs,
//! the members' map and the interface text of `locales/networks.yaml`.

use std::collections::BTreeMap;

use super::map::{self, LegendEntry, MapArea, MapView, Outlines};
use super::{country_url, document_url, search_url, text, Chrome, Pages};
use crate::catalogue::{self, Section};
use crate::curriculum::{term_search, Curriculum, GlossaryRow};
use crate::networks::{NetworkDetail, NetworkSummary};
use crate::taxonomy::{Lang, Taxonomy};

/// The interface text of these pages in one language, as the templates' `n`.
pub(crate) fn network_text(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    catalogue::text(Section::Networks, lang)
}

/// The URL of a network's page.
pub(crate) fn network_url(id: &str, lang: Lang) -> String {
    format!(
        "/networks/{}?lang={}",
        form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>(),
        lang.code()
    )
}

const MEMBER_FILL: &str = "#1f5f99";
const OTHER_FILL: &str = "#d4d4d4";

/// The members on a world map cropped to them: members coloured and linked to their profiles,
/// every other State grey ("not recorded as a member", never "not a member").
pub(crate) fn members_map(detail: &NetworkDetail, lang: Lang) -> (String, String) {
    let n = network_text(lang);
    let outlines = Outlines::world();
    let areas: Vec<MapArea> = detail
        .members
        .iter()
        .filter(|m| !m.m49.is_empty())
        .map(|m| MapArea {
            m49: m.m49.clone(),
            iso3: m.iso3.clone(),
            href: country_url(&m.iso2, lang, None),
            class: "c-member".to_string(),
            title: format!(
                "{}: {}{}",
                m.name,
                n["member_legend"],
                m.joined
                    .as_deref()
                    .map(|j| format!(", {} {j}", n["since"]))
                    .unwrap_or_default()
            ),
        })
        .collect();
    let on_map = areas
        .iter()
        .filter(|a| outlines.get(&a.m49).is_some())
        .count();
    let focus: Vec<String> = areas.iter().map(|a| a.m49.clone()).collect();
    let view = MapView {
        title: format!("{} — {}", detail.summary.title, n["members_map"]),
        description: n["members_map_desc"].to_string(),
        legend: vec![
            LegendEntry {
                class: "c-member".into(),
                fill: MEMBER_FILL.into(),
                label: n["member_legend"].into(),
                count: detail.members.len(),
            },
            LegendEntry {
                class: "c-unlisted".into(),
                fill: OTHER_FILL.into(),
                label: n["not_member_legend"].into(),
                count: outlines.shapes.len().saturating_sub(on_map),
            },
        ],
        areas,
        unlisted_label: Some(n["not_member_legend"].to_string()),
        names: map::country_names(lang),
        focus: (!focus.is_empty()).then_some(focus),
    };
    (
        map::render_svg(outlines, &view),
        map::render_legend(&view, n["members_map"]),
    )
}

fn lang_name(code: &str, taxonomy: &Taxonomy, lang: Lang) -> String {
    taxonomy.languages.label(code, lang).to_string()
}

impl Pages {
    fn network_context(
        &self,
        lang: Lang,
        chrome: &Chrome,
        title: &str,
        path: &str,
    ) -> minijinja::Value {
        minijinja::context! {
            lang => lang.code(),
            t => text(lang),
            n => network_text(lang),
            chrome => chrome,
            title => title,
            langs => Self::lang_links(lang, |l| format!("{path}?lang={}", l.code())),
            home_url => search_url(&crate::SearchRequest { lang, ..Default::default() }),
        }
    }

    /// `/networks`: every network with its member count and relations.
    pub(crate) fn networks(
        &self,
        networks: &[NetworkSummary],
        taxonomy: &Taxonomy,
        lang: Lang,
        chrome: &Chrome,
    ) -> String {
        let n = network_text(lang);
        let rows: Vec<minijinja::Value> = networks
            .iter()
            .map(|network| {
                minijinja::context! {
                    network => network,
                    url => network_url(&network.id, lang),
                    language => lang_name(&network.language, taxonomy, lang),
                    other_language => network.language != lang.code(),
                    relations => relation_rows(&network.relations, lang),
                }
            })
            .collect();
        let base = self.network_context(lang, chrome, n["networks_title"], "/networks");
        self.render(
            "networks.html",
            minijinja::context! { networks => rows, ..base },
        )
    }

    /// `/networks/{id}`: one network.
    pub(crate) fn network(
        &self,
        detail: &NetworkDetail,
        taxonomy: &Taxonomy,
        lang: Lang,
        chrome: &Chrome,
    ) -> String {
        let (map_svg, map_legend) = members_map(detail, lang);
        let members: Vec<minijinja::Value> = detail
            .members
            .iter()
            .map(|m| {
                let focal_points: Vec<minijinja::Value> = m
                    .focal_points
                    .iter()
                    .map(|d| minijinja::context! { title => d.title, url => document_url(&d.id, lang) })
                    .collect();
                minijinja::context! {
                    member => m,
                    profile_url => (!m.iso2.is_empty()).then(|| country_url(&m.iso2, lang, None)),
                    evidence_url => is_url(&m.evidence),
                    focal_points => focal_points,
                }
            })
            .collect();
        let documents: Vec<minijinja::Value> = detail
            .documents
            .iter()
            .map(|d| minijinja::context! { document => d, url => document_url(&d.id, lang) })
            .collect();
        let sources: Vec<minijinja::Value> = detail
            .sources
            .iter()
            .map(|s| minijinja::context! { source => s })
            .collect();
        let path = format!(
            "/networks/{}",
            form_urlencoded::byte_serialize(detail.summary.id.as_bytes()).collect::<String>()
        );
        let base = self.network_context(lang, chrome, &detail.summary.title, &path);
        self.render(
            "network.html",
            minijinja::context! {
                detail => detail,
                networks_url => format!("/networks?lang={}", lang.code()),
                document_url => document_url(&detail.summary.id, lang),
                language => lang_name(&detail.summary.language, taxonomy, lang),
                other_language => detail.summary.language != lang.code(),
                members => members,
                relations => relation_rows(&detail.summary.relations, lang),
                documents => documents,
                sources => sources,
                map_svg => minijinja::Value::from_safe_string(map_svg),
                map_legend => minijinja::Value::from_safe_string(map_legend),
                ..base
            },
        )
    }

    /// `/glossary`: every term in the three languages side by side.
    pub(crate) fn glossary(&self, rows: &[GlossaryRow], lang: Lang, chrome: &Chrome) -> String {
        let n = network_text(lang);
        let rows: Vec<minijinja::Value> = rows
            .iter()
            .map(|row| {
                let cells: Vec<minijinja::Value> = row
                    .languages
                    .iter()
                    .zip(Lang::ALL)
                    .map(|(cell, cell_lang)| {
                        minijinja::context! {
                            cell => cell,
                            search_url => search_url(&term_search(&cell.term, cell_lang)),
                        }
                    })
                    .collect();
                minijinja::context! { key => row.key, source => row.source, cells => cells }
            })
            .collect();
        let base = self.network_context(lang, chrome, n["glossary_title"], "/glossary");
        self.render(
            "glossary.html",
            minijinja::context! {
                rows => rows,
                columns => [n["lang_en"], n["lang_fr"], n["lang_es"]],
                curriculum_url => format!("/curriculum?lang={}", lang.code()),
                ..base
            },
        )
    }

    /// `/curriculum`: the modules and the training offers by region.
    pub(crate) fn curriculum(
        &self,
        curriculum: &Curriculum,
        lang: Lang,
        chrome: &Chrome,
    ) -> String {
        let n = network_text(lang);
        let with_urls = |documents: &[crate::networks::DocumentRef]| -> Vec<minijinja::Value> {
            documents
                .iter()
                .map(|d| minijinja::context! { document => d, url => document_url(&d.id, lang) })
                .collect()
        };
        let modules: Vec<minijinja::Value> = curriculum
            .modules
            .iter()
            .map(|m| minijinja::context! { module => m, documents => with_urls(&m.documents) })
            .collect();
        let regions: Vec<minijinja::Value> = curriculum
            .regions
            .iter()
            .map(|r| {
                minijinja::context! {
                    region => r,
                    url => r.region.as_deref().map(|slug| format!("/regions/{slug}?lang={}", lang.code())),
                    documents => with_urls(&r.documents),
                }
            })
            .collect();
        let base = self.network_context(lang, chrome, n["curriculum_title"], "/curriculum");
        self.render(
            "curriculum.html",
            minijinja::context! {
                modules => modules,
                regions => regions,
                glossary_terms => curriculum.glossary_terms,
                glossary_url => format!("/glossary?lang={}", lang.code()),
                empty => curriculum.regions.is_empty(),
                ..base
            },
        )
    }
}

fn is_url(evidence: &str) -> bool {
    evidence.starts_with("https://") || evidence.starts_with("http://")
}

fn relation_rows(relations: &[crate::networks::RelationView], lang: Lang) -> Vec<minijinja::Value> {
    relations
        .iter()
        .map(|r| {
            minijinja::context! {
                relation => r,
                url => r.title.is_some().then(|| network_url(&r.network, lang)),
                evidence_url => is_url(&r.evidence),
            }
        })
        .collect()
}
