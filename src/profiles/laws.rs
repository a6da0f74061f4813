//! Laws a legislator could adapt: the shareable-law finder and a profile's gap analysis.
//!
//! Both rank other States' laws the same way, and every suggestion says why it was chosen:
//! 1. nearness: a law of a State in the same sub-region before the same region before the
//!    rest of the world (the deepest UN M49 region the two States share);
//! 2. a law written in the reader's language first;
//! 3. judged shareable by curators before not judged, before judged not shareable;
//! 4. in force before adopted-but-not-in-force, before draft, before repealed;
//! 5. newest first, then by title.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};

use super::common::{region_path, DocumentSummary, InstrumentStatus, RegionRef};
use super::error::ProfileError;
use crate::catalogue::Message;
use crate::document::Metadata;
use crate::geography::{Country, Geography};
use crate::index::{FacetGroup, SearchRequest};
use crate::taxonomy::{Lang, Taxonomy};
use crate::KnowledgeBase;

/// Most laws one finder answer lists.
pub(crate) const MAX_LAWS: usize = 200;

/// What the finder is asked: laws for a legislator of `country` (code or name; optional),
/// on some themes and instruments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LawQuery {
    pub country: Option<String>,
    /// Theme slugs: a law on any of them matches (none = every theme).
    pub themes: Vec<String>,
    /// Instrument slugs: a law implementing any of them matches (none = every law).
    pub instruments: Vec<String>,
    pub lang: Lang,
    /// At most this many laws (capped at [`MAX_LAWS`]).
    pub limit: usize,
}

/// How near a law's State is to the reader's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Nearness {
    /// How many levels of the M49 hierarchy the two share (0 = none: the rest of the world).
    pub(crate) depth: usize,
    /// The deepest region they share.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) region: Option<RegionRef>,
}

/// One law and why it is suggested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LawSuggestion {
    pub law: DocumentSummary,
    /// The law's status in words ("In force", "Draft or bill"), or "not recorded".
    pub status_label: String,
    pub(crate) nearness: Nearness,
    pub(crate) same_language: bool,
    /// Why it was chosen and where it ranks, in the reader's language.
    pub reasons: Vec<String>,
}

/// The finder's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LawFinder {
    /// The reader's State, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) country_name: Option<String>,
    pub(crate) themes: Vec<String>,
    pub(crate) instruments: Vec<String>,
    pub(crate) lang: Lang,
    /// How many laws matched (before `limit`).
    pub total: usize,
    pub laws: Vec<LawSuggestion>,
}

/// A basket instrument the State is party to with no law of that State in Praxis that
/// implements it, and laws of other States that do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub instrument: String,
    pub(crate) label: String,
    /// "Party to the Rome Statute … since 2005-03-15; no implementing law in Praxis".
    pub message: String,
    pub suggestions: Vec<LawSuggestion>,
    /// How many laws of other States implement it (the suggestions are the best few).
    pub available: usize,
}

/// Suggestions shown under each gap.
pub(crate) const SUGGESTIONS_PER_GAP: usize = 5;

/// Every active law in the knowledge base.
pub(crate) fn all_laws(kb: &KnowledgeBase) -> Result<Vec<Metadata>, ProfileError> {
    let request = SearchRequest::default().filter(FacetGroup::Type, "law");
    let mut laws = Vec::new();
    for id in kb.search_all_ids(&request)? {
        if let Some(record) = kb.store().get(&id)? {
            if !record.withdrawn {
                laws.push(record.meta);
            }
        }
    }
    Ok(laws)
}

/// The region path (top-level first) of a law: its countries' paths, else its own regions.
fn law_paths<'a>(geography: &'a Geography, law: &'a Metadata) -> Vec<Vec<&'a str>> {
    let mut paths: Vec<Vec<&str>> = law
        .countries
        .iter()
        .filter_map(|c| geography.country(c))
        .filter_map(|c| c.region.as_deref())
        .map(|r| geography.region_path(r))
        .collect();
    if paths.is_empty() {
        paths = law
            .regions
            .iter()
            .map(|r| geography.region_path(r))
            .collect();
    }
    paths
}

fn nearness(
    geography: &Geography,
    reader: Option<&Country>,
    law: &Metadata,
    lang: Lang,
) -> Nearness {
    let Some(mine) = reader
        .and_then(|c| c.region.as_deref())
        .map(|r| geography.region_path(r))
    else {
        return Nearness {
            depth: 0,
            region: None,
        };
    };
    let depth = law_paths(geography, law)
        .iter()
        .map(|path| path.iter().zip(&mine).take_while(|(a, b)| a == b).count())
        .max()
        .unwrap_or(0);
    let region = (depth > 0).then(|| {
        let slug = mine[depth - 1];
        region_path(geography, Some(slug), lang)
            .pop()
            .expect("a region's path holds the region")
    });
    Nearness { depth, region }
}

/// In force first (0) … repealed last (3); a law without a recorded status with drafts.
fn status_rank(status: Option<&str>) -> u8 {
    match status {
        Some("in-force" | "amended") => 0,
        Some("not-in-force") => 1,
        Some("repealed") => 3,
        _ => 2,
    }
}

fn shareable_rank(shareable: Option<bool>) -> u8 {
    match shareable {
        Some(true) => 0,
        None => 1,
        Some(false) => 2,
    }
}

/// Sorts suggestions: nearest, same language, shareable, in force, newest, title.
type RankKey = (Reverse<usize>, bool, u8, u8, Reverse<i32>, String);

/// Ranks `laws` for a reader of `reader`'s State (excluding that State's own laws).
pub(crate) fn rank_laws(
    taxonomy: &Taxonomy,
    laws: &[Metadata],
    reader: Option<&Country>,
    lang: Lang,
) -> Vec<LawSuggestion> {
    let geography = &taxonomy.geography;
    let mut ranked: Vec<(LawSuggestion, RankKey)> = laws
        .iter()
        .filter(|law| law.doc_type == "law")
        .filter(|law| {
            reader.is_none_or(|r| {
                !law.countries
                    .iter()
                    .any(|c| geography.country(c).is_some_and(|c| c.iso3 == r.iso3))
            })
        })
        .map(|law| {
            let nearness = nearness(geography, reader, law, lang);
            let same_language = law.language == lang.code();
            let status_label = law
                .status
                .as_deref()
                .map(|s| taxonomy.statuses.label(s, lang).to_string())
                .unwrap_or_else(|| Message::new("law_status_not_recorded").render(lang));
            let mut reasons = Vec::new();
            if reader.is_some() {
                reasons.push(match (&nearness.region, nearness.depth) {
                    (Some(region), depth) if depth >= 2 => {
                        Message::new("law_reason_same_subregion")
                            .arg("region", &region.label)
                            .render(lang)
                    }
                    (Some(region), _) => Message::new("law_reason_same_region")
                        .arg("region", &region.label)
                        .render(lang),
                    (None, _) => Message::new("law_reason_other_region").render(lang),
                });
            }
            let language = taxonomy.languages.label(&law.language, lang);
            reasons.push(
                Message::new(if same_language {
                    "law_reason_written_in"
                } else {
                    "law_reason_written_in_other"
                })
                .arg("language", language)
                .render(lang),
            );
            reasons.push(
                Message::new(match law.shareable {
                    Some(true) => "law_reason_shareable",
                    Some(false) => "law_reason_not_shareable",
                    None => "law_reason_shareability_not_judged",
                })
                .render(lang),
            );
            reasons.push(status_label.to_lowercase());
            let key = (
                Reverse(nearness.depth),
                !same_language,
                shareable_rank(law.shareable),
                status_rank(law.status.as_deref()),
                Reverse(law.year),
                law.title.clone(),
            );
            (
                LawSuggestion {
                    law: DocumentSummary::new(law, geography, lang),
                    status_label,
                    nearness,
                    same_language,
                    reasons,
                },
                key,
            )
        })
        .collect();
    ranked.sort_by(|a, b| a.1.cmp(&b.1));
    ranked.into_iter().map(|(s, _)| s).collect()
}

/// The shareable-law finder.
pub fn find_laws(kb: &KnowledgeBase, query: &LawQuery) -> Result<LawFinder, ProfileError> {
    let taxonomy = kb.taxonomy();
    let geography = taxonomy.geography.clone();
    let reader = query
        .country
        .as_deref()
        .map(|c| super::common::resolve_country(&geography, c))
        .transpose()?;
    for theme in &query.themes {
        if !taxonomy.themes.contains(theme) {
            return Err(ProfileError::InvalidParameter {
                parameter: "theme".into(),
                message: match taxonomy.themes.suggest(theme) {
                    Some(suggestion) => {
                        Message::new("law_unknown_theme_did_you_mean").arg("suggestion", suggestion)
                    }
                    None => Message::new("law_unknown_theme"),
                }
                .arg("value", theme),
            });
        }
    }
    for instrument in &query.instruments {
        if !taxonomy.instruments.contains(instrument) {
            return Err(ProfileError::InvalidParameter {
                parameter: "instrument".into(),
                message: match taxonomy.instruments.suggest(instrument) {
                    Some(suggestion) => Message::new("law_unknown_instrument_did_you_mean")
                        .arg("suggestion", suggestion),
                    None => Message::new("law_unknown_instrument"),
                }
                .arg("value", instrument),
            });
        }
    }
    let laws: Vec<Metadata> = all_laws(kb)?
        .into_iter()
        .filter(|law| {
            query.themes.is_empty() || law.themes.iter().any(|t| query.themes.contains(t))
        })
        .filter(|law| {
            query.instruments.is_empty()
                || law
                    .instruments
                    .iter()
                    .any(|i| query.instruments.contains(i))
        })
        .collect();
    let mut ranked = rank_laws(&taxonomy, &laws, reader, query.lang);
    let total = ranked.len();
    ranked.truncate(query.limit.clamp(1, MAX_LAWS));
    Ok(LawFinder {
        country: reader.map(|c| c.iso3.clone()),
        country_name: reader.map(|c| c.names.get(query.lang).to_string()),
        themes: query.themes.clone(),
        instruments: query.instruments.clone(),
        lang: query.lang,
        total,
        laws: ranked,
    })
}

/// The gaps of a State: basket instruments it is party to that no law of it in Praxis
/// implements, each with the best laws of other States that do.
pub(crate) fn gap_analysis(
    taxonomy: &Taxonomy,
    country: &Country,
    statuses: &[InstrumentStatus],
    laws: &[Metadata],
    lang: Lang,
) -> Vec<Gap> {
    let own = |law: &Metadata| {
        law.countries.iter().any(|c| {
            taxonomy
                .geography
                .country(c)
                .is_some_and(|c| c.iso3 == country.iso3)
        })
    };
    statuses
        .iter()
        .filter(|s| s.in_basket && s.status.is_party())
        .filter(|s| {
            !laws
                .iter()
                .any(|law| own(law) && law.instruments.contains(&s.instrument))
        })
        .map(|s| {
            let implementing: Vec<Metadata> = laws
                .iter()
                .filter(|law| law.instruments.contains(&s.instrument))
                .cloned()
                .collect();
            let mut suggestions = rank_laws(taxonomy, &implementing, Some(country), lang);
            let available = suggestions.len();
            suggestions.truncate(SUGGESTIONS_PER_GAP);
            let message = match &s.status {
                super::treaties::TreatyStatus::Party {
                    date: Some(date), ..
                } => Message::new("gap_party_since").arg("since", date),
                _ => Message::new("gap_party"),
            };
            Gap {
                instrument: s.instrument.clone(),
                label: s.label.clone(),
                message: message.arg("instrument", &s.label).render(lang),
                suggestions,
                available,
            }
        })
        .collect()
}
