//! The pages about many States at once: `/countries` (every State with its counts, a search box
//! and the world map) and `/regions/{slug}` (a State × instrument grid, the adherence ranking
//! with a bar chart, how many States are party to each instrument, the region's documents).
//!
//! Everything is computed from the same public data the profiles use: each State's status
//! under every instrument ([`profiles::instrument_statuses`]) and the number of documents about
//! it. A State the treaty data does not cover is "no data", never "not a party"; adherence is
//! counted only over instruments with data.

use super::view::Chrome;
use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::map::{self, LegendEntry, MapArea, MapView, Outlines, NO_DATA_FILL};
use super::{text, Pages};
use crate::compare::has_treaty_data;
use crate::geography::Country;
use crate::index::search::html_escape;
use crate::profiles::{self, import::name_key, Adherence, InstrumentStatus, TreatyData};
use crate::taxonomy::{Basket, Lang, Taxonomy, Term};

/// One country or area with its status under every instrument.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StateRow {
    pub(crate) iso2: String,
    pub(crate) iso3: String,
    pub(crate) m49: String,
    pub(crate) name: String,
    /// The most specific M49 region.
    pub(crate) region: Option<String>,
    /// `member`, `observer` or `other` (territories and areas).
    pub(crate) un_status: String,
    /// Every instrument of the taxonomy: the basket's first (in basket order), then the others
    /// in taxonomy order; the same order for every row.
    pub(crate) statuses: Vec<InstrumentStatus>,
    /// Adherence over the basket.
    pub(crate) adherence: Adherence,
    /// Basket instruments it is party to (`adherence.party`).
    pub(crate) party: usize,
    pub(crate) signed_only: usize,
    /// Basket instruments whose treaty has participation data (the denominator of `party`).
    pub(crate) with_data: usize,
    /// Documents about it in the knowledge base.
    pub(crate) documents: u64,
}

impl StateRow {
    /// A UN member or observer State (treaties are joined by States).
    pub(crate) fn is_state(&self) -> bool {
        self.un_status != "other"
    }

    /// Whether adherence can be stated: a State over a basket with data, or a territory that
    /// the treaty data names (most do not: they are "no data", not "party to 0").
    pub(crate) fn in_data(&self) -> bool {
        self.with_data > 0
            && (self.is_state()
                || self
                    .statuses
                    .iter()
                    .any(|s| matches!(s.status.key(), "party" | "withdrawn" | "signed_only")))
    }
}

/// The rows of `countries`, by name in the page's language, with adherence over `basket`.
pub(crate) fn state_rows<'a>(
    taxonomy: &Taxonomy,
    data: &TreatyData,
    basket: &Basket,
    document_counts: &HashMap<String, u64>,
    countries: impl Iterator<Item = &'a Country>,
    lang: Lang,
) -> Vec<StateRow> {
    let mut rows: Vec<StateRow> = countries
        .map(|country| {
            let statuses =
                profiles::instrument_statuses(taxonomy, data, basket, &country.iso3, lang);
            let adherence =
                Adherence::count(statuses.iter().filter(|s| s.in_basket).map(|s| &s.status));
            StateRow {
                iso2: country.iso2.clone(),
                iso3: country.iso3.clone(),
                m49: country.m49.clone(),
                name: country.names.get(lang).to_string(),
                region: country.region.clone(),
                un_status: country.un_status.clone(),
                statuses,
                party: adherence.party,
                signed_only: adherence.signed_only,
                with_data: adherence.with_data,
                adherence,
                documents: document_counts.get(&country.iso3).copied().unwrap_or(0),
            }
        })
        .collect();
    rows.sort_by_cached_key(|r| name_key(&r.name));
    rows
}

/// Instruments that have participation data for at least one of `rows` (their index in
/// [`StateRow::statuses`]): the basket's first.
pub(crate) fn instruments_with_data(rows: &[StateRow]) -> Vec<usize> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    (0..first.statuses.len())
        .filter(|&i| rows.iter().any(|r| has_treaty_data(&r.statuses[i].status)))
        .collect()
}

/// A short column heading for an instrument: a short common name ("Rome Statute"), else its
/// acronym ("ICCPR"), else its slug.
pub(crate) fn short_label(term: &Term) -> String {
    if let Some(short) = term.synonyms.first().filter(|s| s.chars().count() <= 19) {
        return short.clone();
    }
    if let Some(acronym) = term
        .synonyms
        .iter()
        .find(|s| s.len() <= 7 && s.chars().all(|c| c.is_ascii_uppercase()))
    {
        return acronym.clone();
    }
    term.slug.to_uppercase()
}

/// The profile page of a country.
pub(crate) fn country_url(iso2: &str, lang: Lang) -> String {
    format!("/countries/{iso2}?lang={}", lang.code())
}

pub(crate) fn region_url(slug: &str, lang: Lang) -> String {
    format!("/regions/{slug}?lang={}", lang.code())
}

/// What the map colours countries by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Colouring {
    /// How many instruments (of those with data) each State is party to.
    Adherence,
    /// Each State's status under one instrument.
    Instrument { slug: String },
    /// How many documents the knowledge base holds about each country.
    Documents,
}

const ADHERENCE_COLOURS: [&str; 6] = [
    "#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c",
];
const DOCUMENT_COLOURS: [&str; 5] = ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"];

/// Colour and symbol of a status, by its key. Statuses the model may add later fall back to
/// a neutral grey, with the model's own label.
fn status_style(key: &str) -> (&'static str, &'static str, u8) {
    match key {
        "party" => ("#2166ac", "●", 0),
        "signed_only" => ("#f4a582", "◐", 1),
        "withdrawn" => ("#b2182b", "⊘", 2),
        "not_party" => ("#fddbc7", "○", 3),
        "no_data" => (NO_DATA_FILL, "·", 5),
        _ => ("#bababa", "?", 4),
    }
}

/// The map's legend classes and each row's class, for a colouring.
pub(crate) fn map_view(
    rows: &[StateRow],
    colouring: &Colouring,
    taxonomy: &Taxonomy,
    lang: Lang,
) -> MapView {
    let t = text(lang);
    let no_data = t["status_no_data"].to_string();
    let mut legend: Vec<LegendEntry> = Vec::new();
    let mut areas = Vec::with_capacity(rows.len());
    let (title, description);
    match colouring {
        Colouring::Adherence => {
            let most = rows.iter().map(|r| r.with_data).max().unwrap_or(0);
            // Six classes of equal width over 0..=most.
            let step = (most + 1).div_ceil(ADHERENCE_COLOURS.len()).max(1);
            let classes = (most / step) + 1;
            for class in 0..classes {
                let (low, high) = (class * step, ((class + 1) * step - 1).min(most));
                legend.push(LegendEntry {
                    class: format!("c-adh-{class}"),
                    fill: ADHERENCE_COLOURS[class.min(ADHERENCE_COLOURS.len() - 1)].to_string(),
                    label: if low == high {
                        low.to_string()
                    } else {
                        format!("{low}–{high}")
                    },
                    count: 0,
                });
            }
            legend.push(no_data_entry(&no_data));
            for row in rows {
                let (class, value) = if !row.in_data() {
                    ("c-no-data".to_string(), no_data.clone())
                } else {
                    (
                        format!("c-adh-{}", row.party / step),
                        t["adherence_party_to_of"]
                            .replace("{n}", &row.party.to_string())
                            .replace("{of}", &row.with_data.to_string()),
                    )
                };
                areas.push(area(row, class, &value, lang));
            }
            title = t["map_adherence_title"].to_string();
            description = t["map_adherence_desc"].to_string();
        }
        Colouring::Instrument { slug } => {
            let index = status_index(rows, slug).unwrap_or(0);
            let mut keys: Vec<(u8, String, String)> = Vec::new();
            let no_data_label = crate::profiles::TreatyStatus::NoData {
                reason: crate::profiles::NoDataReason::NotInData,
            }
            .label(lang)
            .to_string();
            for row in rows {
                let status = &row.statuses[index];
                // A territory the data does not name is not "not a party": treaties are joined
                // by the State responsible for it.
                let (key, label, detail) = if !row.is_state()
                    && !matches!(status.status.key(), "party" | "withdrawn" | "signed_only")
                {
                    (
                        "no_data",
                        no_data_label.clone(),
                        t["territory_note"].to_string(),
                    )
                } else {
                    (
                        status.status.key(),
                        status.status_label.clone(),
                        status.detail.clone(),
                    )
                };
                if !keys.iter().any(|(_, k, _)| k == key) {
                    keys.push((status_style(key).2, key.to_string(), label.clone()));
                }
                let value = if detail.is_empty() {
                    label
                } else {
                    format!("{label} ({detail})")
                };
                areas.push(area(
                    row,
                    format!("c-{}", key.replace('_', "-")),
                    &value,
                    lang,
                ));
            }
            keys.sort();
            for (_, key, label) in keys {
                legend.push(LegendEntry {
                    class: format!("c-{}", key.replace('_', "-")),
                    fill: status_style(&key).0.to_string(),
                    label,
                    count: 0,
                });
            }
            let name = taxonomy.instruments.label(slug, lang);
            title = name.to_string();
            description = t["map_instrument_desc"].replace("{instrument}", name);
        }
        Colouring::Documents => {
            let bins: [(u64, u64, &str); 5] = [
                (0, 0, "0"),
                (1, 1, "1"),
                (2, 4, "2–4"),
                (5, 9, "5–9"),
                (10, u64::MAX, "10+"),
            ];
            for (class, (_, _, label)) in bins.iter().enumerate() {
                legend.push(LegendEntry {
                    class: format!("c-docs-{class}"),
                    fill: DOCUMENT_COLOURS[class].to_string(),
                    label: label.to_string(),
                    count: 0,
                });
            }
            for row in rows {
                let class = bins
                    .iter()
                    .position(|(low, high, _)| (*low..=*high).contains(&row.documents))
                    .unwrap_or(0);
                let value = t["map_documents_n"].replace("{n}", &row.documents.to_string());
                areas.push(area(row, format!("c-docs-{class}"), &value, lang));
            }
            title = t["map_documents_title"].to_string();
            description = t["map_documents_desc"].to_string();
        }
    }
    for entry in &mut legend {
        entry.count = areas.iter().filter(|a| a.class == entry.class).count();
    }
    MapView {
        title,
        description,
        areas,
        legend,
        unlisted_label: Some(no_data),
        names: map::country_names(lang),
        focus: None,
    }
}

/// Where an instrument's status sits in every row's `statuses`.
pub(crate) fn status_index(rows: &[StateRow], slug: &str) -> Option<usize> {
    rows.first()?
        .statuses
        .iter()
        .position(|s| s.instrument == slug)
}

fn no_data_entry(label: &str) -> LegendEntry {
    LegendEntry {
        class: "c-no-data".into(),
        fill: NO_DATA_FILL.into(),
        label: label.to_string(),
        count: 0,
    }
}

fn area(row: &StateRow, class: String, value: &str, lang: Lang) -> MapArea {
    MapArea {
        m49: row.m49.clone(),
        iso3: row.iso3.clone(),
        href: country_url(&row.iso2, lang),
        class,
        title: format!("{}: {value}", row.name),
    }
}

/// The map (SVG) and its legend (HTML), ready to place in a page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RenderedMap {
    pub(crate) svg: String,
    pub(crate) legend: String,
    /// States the atlas has no outline for: they are in the table only.
    pub(crate) missing: Vec<String>,
}

pub(crate) fn render_map(view: &MapView, rows: &[StateRow]) -> RenderedMap {
    let outlines = Outlines::world();
    let missing = rows
        .iter()
        .filter(|r| r.is_state() && outlines.get(&r.m49).is_none())
        .map(|r| r.name.clone())
        .collect();
    RenderedMap {
        svg: map::render_svg(outlines, view),
        legend: map::render_legend(view, &view.title),
        missing,
    }
}

// --- the pages -------------------------------------------------------------------------------

/// `/countries`: what the reader asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct CountriesQuery {
    pub(crate) q: String,
    /// `adherence` (default), `documents`, or empty with `instrument` set.
    pub(crate) colouring: Option<String>,
    pub(crate) instrument: Option<String>,
    /// A basket slug; the taxonomy's default when `None`.
    pub(crate) basket: Option<String>,
    /// `name` (default), `adherence`, `documents`.
    pub(crate) sort: Option<String>,
}

impl CountriesQuery {
    /// The page's URL for this query.
    pub(crate) fn url(&self, lang: Lang) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("q", Some(self.q.as_str()).filter(|q| !q.is_empty())),
            ("map", self.colouring.as_deref()),
            ("instrument", self.instrument.as_deref()),
            ("basket", self.basket.as_deref()),
            ("sort", self.sort.as_deref()),
        ] {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        query.append_pair("lang", lang.code());
        format!("/countries?{}", query.finish())
    }
}

/// Everything `/countries` shows, fetched by the handler.
pub(crate) struct CountriesView<'a> {
    pub(crate) rows: &'a [StateRow],
    pub(crate) query: &'a CountriesQuery,
    pub(crate) colouring: &'a Colouring,
    /// The basket adherence is counted over.
    pub(crate) basket: &'a Basket,
}

/// Where each shown instrument's data comes from and how current it is (the Genocide
/// Convention's list dates from 2015, and says so wherever it is used).
pub(crate) fn data_notes(
    rows: &[StateRow],
    shown: impl Fn(&InstrumentStatus) -> bool,
) -> Vec<minijinja::Value> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    first
        .statuses
        .iter()
        .filter(|s| s.treaty.is_some() && shown(s))
        .map(|s| {
            minijinja::context! {
                label => s.label,
                source => s.source_name,
                date => s.data_date,
                stale => s.stale,
                note => s.data_note,
            }
        })
        .collect()
}

/// The baskets to choose from, the current one marked.
fn basket_choices(taxonomy: &Taxonomy, current: &Basket, lang: Lang) -> Vec<minijinja::Value> {
    profiles::baskets(taxonomy, lang)
        .into_iter()
        .map(|b| minijinja::context! { selected => b.slug == current.slug, slug => b.slug, label => b.label })
        .collect()
}

impl Pages {
    /// `/countries`: the map, a search box, and every State with its counts.
    pub(crate) fn countries(
        &self,
        page: &CountriesView<'_>,
        taxonomy: &Taxonomy,
        lang: Lang,
        chrome: &Chrome,
    ) -> String {
        let CountriesView {
            rows,
            query,
            colouring,
            basket,
        } = *page;
        let t = text(lang);
        let geography = &taxonomy.geography;
        let view = map_view(rows, colouring, taxonomy, lang);
        let rendered = render_map(&view, rows);
        let classes: HashMap<&str, (&str, &str)> = view
            .areas
            .iter()
            .map(|a| (a.iso3.as_str(), (a.class.as_str(), a.title.as_str())))
            .collect();
        let needle = name_key(query.q.trim());
        let matches = |row: &StateRow| {
            needle.is_empty()
                || row.iso2.eq_ignore_ascii_case(query.q.trim())
                || row.iso3.eq_ignore_ascii_case(query.q.trim())
                || geography
                    .country(&row.iso3)
                    .is_some_and(|c| c.names.all().iter().any(|n| name_key(n).contains(&needle)))
        };
        let mut states: Vec<&StateRow> =
            rows.iter().filter(|r| r.is_state() && matches(r)).collect();
        match query.sort.as_deref() {
            Some("adherence") => {
                states.sort_by(|a, b| b.party.cmp(&a.party).then(a.with_data.cmp(&b.with_data)))
            }
            Some("documents") => states.sort_by_key(|r| std::cmp::Reverse(r.documents)),
            _ => {}
        }
        let others: Vec<&StateRow> = rows
            .iter()
            .filter(|r| !r.is_state() && matches(r))
            .collect();
        let instrument_index = match colouring {
            Colouring::Instrument { slug } => status_index(rows, slug),
            _ => None,
        };
        let row_view = |row: &&StateRow| {
            let (class, value) = classes.get(row.iso3.as_str()).copied().unwrap_or(("", ""));
            let status = instrument_index.map(|i| &row.statuses[i]);
            minijinja::context! {
                iso2 => row.iso2, iso3 => row.iso3, name => row.name,
                url => country_url(&row.iso2, lang),
                region => row.region.as_deref().map(|r| minijinja::context! {
                    label => geography.region_label(r, lang), url => region_url(r, lang),
                }),
                party => row.party, signed_only => row.signed_only,
                with_data => if row.in_data() { row.with_data } else { 0 },
                documents => row.documents,
                class => class,
                map_value => value.split_once(": ").map_or(value, |(_, v)| v),
                status => status.map(|s| minijinja::context! {
                    key => s.status.key(), label => s.status_label, detail => s.detail,
                }),
            }
        };
        let current_instrument = query.instrument.as_deref();
        let instruments: Vec<_> = instruments_with_data(rows)
            .into_iter()
            .map(|i| &rows[0].statuses[i])
            .map(|status| {
                minijinja::context! {
                    slug => status.instrument, label => status.label,
                    selected => current_instrument == Some(status.instrument.as_str()),
                }
            })
            .collect();
        let sort_links: Vec<_> = [("name", t["sort_name"]), ("adherence", t["sort_adherence"]), ("documents", t["sort_documents"])]
            .into_iter()
            .map(|(key, label)| minijinja::context! {
                label => label,
                url => CountriesQuery { sort: (key != "name").then(|| key.to_string()), ..query.clone() }.url(lang),
                current => query.sort.as_deref().unwrap_or("name") == key,
            })
            .collect();
        let notes = match colouring {
            Colouring::Instrument { slug } => data_notes(rows, |s| &s.instrument == slug),
            _ => data_notes(rows, |s| s.in_basket),
        };
        let context = minijinja::context! {
            chrome => chrome,
            lang => lang.code(),
            t => t,
            title => t["countries_page_title"],
            langs => Self::lang_links(lang, |l| query.url(l)),
            home_url => super::search_url(&crate::SearchRequest { lang, ..Default::default() }),
            q => query.q,
            map_svg => minijinja::Value::from_safe_string(rendered.svg),
            map_legend => minijinja::Value::from_safe_string(rendered.legend),
            map_title => view.title,
            map_missing => rendered.missing,
            colouring => match colouring {
                Colouring::Adherence => "adherence",
                Colouring::Documents => "documents",
                Colouring::Instrument { .. } => "instrument",
            },
            instrument_label => current_instrument.map(|i| taxonomy.instruments.label(i, lang)),
            instruments => instruments,
            adherence_url => CountriesQuery { colouring: None, instrument: None, ..query.clone() }.url(lang),
            documents_url => CountriesQuery { colouring: Some("documents".into()), instrument: None, ..query.clone() }.url(lang),
            basket => profiles::BasketRef {
                slug: basket.slug.clone(), label: basket.labels.get(lang).to_string(),
                description: basket.description.as_ref().map(|d| d.get(lang).to_string()),
                instruments: basket.instruments.clone(), default: basket.default,
            },
            baskets => basket_choices(taxonomy, basket, lang),
            notes => notes,
            sort_links => sort_links,
            states => states.iter().map(row_view).collect::<Vec<_>>(),
            state_count => rows.iter().filter(|r| r.is_state()).count(),
            others => others.iter().map(row_view).collect::<Vec<_>>(),
            regions => geography.region_children(None).map(|r| minijinja::context! {
                label => r.labels.get(lang), url => region_url(&r.slug, lang),
                children => geography.region_children(Some(&r.slug)).map(|c| minijinja::context! {
                    label => c.labels.get(lang), url => region_url(&c.slug, lang),
                }).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            compare_url => format!("/compare?lang={}", lang.code()),
        };
        self.render("countries.html", context)
    }
}

/// A horizontal bar chart of adherence (SVG, no script): one bar per State, the bar's length
/// its number of instruments, each bar a link to the State's profile.
pub(crate) fn adherence_chart(ranking: &[RankedState], lang: Lang) -> String {
    let t = text(lang);
    let most = ranking
        .iter()
        .map(|r| r.with_data)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (label_width, bar_width, row_height) = (190.0, 330.0, 18.0);
    let height = row_height * ranking.len() as f64 + 24.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"bar-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {height}\" role=\"group\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">{}</title>",
        label_width + bar_width + 60.0,
        html_escape(t["chart_title"])
    );
    for (i, state) in ranking.iter().enumerate() {
        let y = i as f64 * row_height;
        let length = bar_width * state.party as f64 / most;
        let scale_end = bar_width * state.with_data as f64 / most;
        let name: String = if state.name.chars().count() > 28 {
            format!("{}…", state.name.chars().take(27).collect::<String>())
        } else {
            state.name.clone()
        };
        let _ = write!(
            svg,
            "<a href=\"{}\"><title>{}: {}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{}</text><rect x=\"{label_width}\" y=\"{}\" width=\"{scale_end:.1}\" height=\"{}\" fill=\"#e8eef5\"/><rect class=\"bar\" x=\"{label_width}\" y=\"{}\" width=\"{length:.1}\" height=\"{}\" fill=\"#3182bd\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text></a>",
            html_escape(&country_url(&state.iso2, lang)),
            html_escape(&state.name),
            html_escape(&t["adherence_party_to_of"].replace("{n}", &state.party.to_string()).replace("{of}", &state.with_data.to_string())),
            label_width - 6.0,
            y + 13.0,
            html_escape(&name),
            y + 3.0,
            row_height - 5.0,
            y + 3.0,
            row_height - 5.0,
            label_width + scale_end.max(length) + 5.0,
            y + 13.0,
            state.party,
        );
    }
    let axis_y = row_height * ranking.len() as f64 + 4.0;
    let _ = write!(
        svg,
        "<line x1=\"{label_width}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#888\"/><text x=\"{label_width}\" y=\"{}\" font-size=\"10\" fill=\"#555\">0</text><text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#555\" text-anchor=\"end\">{}</text></svg>",
        label_width + bar_width,
        axis_y + 14.0,
        label_width + bar_width,
        axis_y + 14.0,
        most
    );
    svg
}

/// A State's place in its region's adherence ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RankedState {
    /// 1 for the most instruments; States with equal counts share a rank ("1, 2, 2, 4").
    pub(crate) rank: usize,
    pub(crate) iso2: String,
    pub(crate) iso3: String,
    pub(crate) name: String,
    pub(crate) party: usize,
    pub(crate) with_data: usize,
}

/// States by number of instruments they are party to, most first (then by name).
pub(crate) fn rank_states(rows: &[&StateRow]) -> Vec<RankedState> {
    let mut sorted: Vec<&&StateRow> = rows.iter().filter(|r| r.in_data()).collect();
    sorted.sort_by(|a, b| {
        b.party
            .cmp(&a.party)
            .then_with(|| name_key(&a.name).cmp(&name_key(&b.name)))
    });
    let mut ranked: Vec<RankedState> = Vec::with_capacity(sorted.len());
    for (i, row) in sorted.iter().enumerate() {
        let rank = match ranked.last() {
            Some(previous) if previous.party == row.party => previous.rank,
            _ => i + 1,
        };
        ranked.push(RankedState {
            rank,
            iso2: row.iso2.clone(),
            iso3: row.iso3.clone(),
            name: row.name.clone(),
            party: row.party,
            with_data: row.with_data,
        });
    }
    ranked
}

/// `/regions/{slug}`: how to sort the grid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct GridSort {
    /// `name`, `adherence`, or an instrument slug.
    pub(crate) key: String,
    pub(crate) descending: bool,
}

/// The order of statuses when a column is sorted: party first, no data last.
fn status_rank(status: &InstrumentStatus) -> u8 {
    status_style(status.status.key()).2
}

/// Sorts a region's rows for the grid. Unknown keys sort by name.
pub(crate) fn sort_rows(rows: &mut [&StateRow], sort: &GridSort) {
    let by_name = |a: &&StateRow, b: &&StateRow| name_key(&a.name).cmp(&name_key(&b.name));
    let instrument = rows
        .first()
        .and_then(|r| r.statuses.iter().position(|s| s.instrument == sort.key));
    match (sort.key.as_str(), instrument) {
        ("adherence", _) => rows.sort_by(|a, b| {
            let order = a.party.cmp(&b.party).then(b.with_data.cmp(&a.with_data));
            (if sort.descending {
                order.reverse()
            } else {
                order
            })
            .then_with(|| by_name(a, b))
        }),
        (_, Some(i)) => rows.sort_by(|a, b| {
            // Ascending puts parties first; the date breaks ties (earliest first).
            let date = |r: &StateRow| {
                match &r.statuses[i].status {
                    crate::profiles::TreatyStatus::Party { date, .. }
                    | crate::profiles::TreatyStatus::Withdrawn { date, .. }
                    | crate::profiles::TreatyStatus::SignedOnly { date } => date.clone(),
                    _ => None,
                }
                .unwrap_or_else(|| "9999".into())
            };
            let order = status_rank(&a.statuses[i])
                .cmp(&status_rank(&b.statuses[i]))
                .then_with(|| date(a).cmp(&date(b)));
            (if sort.descending {
                order.reverse()
            } else {
                order
            })
            .then_with(|| by_name(a, b))
        }),
        _ => rows.sort_by(|a, b| {
            let order = by_name(a, b);
            if sort.descending {
                order.reverse()
            } else {
                order
            }
        }),
    }
}

/// A document listed on a region's page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RegionDocument {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) type_label: String,
    pub(crate) year: i32,
    pub(crate) countries: Vec<String>,
}

/// Everything `/regions/{slug}` shows, fetched by the handler.
pub(crate) struct RegionPage<'a> {
    pub(crate) slug: &'a str,
    pub(crate) rows: Vec<&'a StateRow>,
    pub(crate) sort: GridSort,
    pub(crate) documents: Vec<RegionDocument>,
    pub(crate) document_total: usize,
    /// The basket adherence is counted over.
    pub(crate) basket: &'a Basket,
    pub(crate) credits: Vec<String>,
}

impl Pages {
    pub(crate) fn region(
        &self,
        page: RegionPage<'_>,
        taxonomy: &Taxonomy,
        lang: Lang,
        chrome: &Chrome,
    ) -> String {
        let t = text(lang);
        let geography = &taxonomy.geography;
        let slug = page.slug;
        let label = geography.region_label(slug, lang);
        let owned: Vec<StateRow> = page.rows.iter().map(|r| (*r).clone()).collect();
        let columns = instruments_with_data(&owned);
        // Every row lists the instruments in the same order: the first row names them.
        let term_at = |i: usize| -> Option<&Term> {
            owned
                .first()
                .and_then(|r| taxonomy.instruments.get(&r.statuses[i].instrument))
        };
        let mut rows = page.rows.clone();
        sort_rows(&mut rows, &page.sort);

        let sort_url = |key: &str| {
            // A second click on the sorted column reverses it.
            let descending = if page.sort.key == key {
                !page.sort.descending
            } else {
                key == "adherence"
            };
            format!(
                "/regions/{slug}?sort={key}{}&lang={}#grid",
                if descending { "&order=desc" } else { "" },
                lang.code()
            )
        };
        let aria_sort = |key: &str| {
            (page.sort.key == key).then_some(if page.sort.descending {
                "descending"
            } else {
                "ascending"
            })
        };
        let grid_columns: Vec<_> = columns
            .iter()
            .filter_map(|&i| term_at(i).map(|term| (i, term)))
            .map(|(i, term)| {
                minijinja::context! {
                    in_basket => owned[0].statuses[i].in_basket,
                    slug => term.slug, short => short_label(term), label => term.labels.get(lang),
                    sort_url => sort_url(&term.slug), aria_sort => aria_sort(&term.slug),
                }
            })
            .collect();
        let grid_rows: Vec<_> = rows
            .iter()
            .map(|row| {
                minijinja::context! {
                    name => row.name, iso2 => row.iso2, url => country_url(&row.iso2, lang),
                    party => row.party, with_data => if row.in_data() { row.with_data } else { 0 },
                    cells => columns.iter().map(|&i| {
                        let s = &row.statuses[i];
                        let (_, symbol, _) = status_style(s.status.key());
                        let detail = if s.detail.is_empty() { s.status_label.clone() } else { format!("{} — {}", s.status_label, s.detail) };
                        minijinja::context! {
                            key => s.status.key().replace('_', "-"), symbol => symbol,
                            label => s.status_label, detail => detail,
                        }
                    }).collect::<Vec<_>>(),
                }
            })
            .collect();
        let without_data: Vec<String> = owned
            .first()
            .map(|r| {
                r.statuses
                    .iter()
                    .enumerate()
                    .filter(|(i, s)| !columns.contains(i) && s.treaty.is_some())
                    .map(|(_, s)| match &s.data_note {
                        Some(note) if !note.is_empty() => format!("{} ({note})", s.label),
                        _ => s.label.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let totals: Vec<_> = columns
            .iter()
            .filter_map(|&i| term_at(i).map(|term| (i, term)))
            .map(|(i, term)| {
                let count = |key: &str| page.rows.iter().filter(|r| r.statuses[i].status.key() == key).count();
                minijinja::context! {
                    label => term.labels.get(lang), short => short_label(term),
                    party => count("party"), signed_only => count("signed_only"),
                    withdrawn => count("withdrawn"), not_party => count("not_party"),
                    no_data => count("no_data"),
                    search_url => super::search_url(&crate::SearchRequest { lang, ..Default::default() }
                        .filter(crate::FacetGroup::Instrument, &term.slug)
                        .filter(crate::FacetGroup::Region, slug)),
                }
            })
            .collect();
        let ranking = rank_states(&page.rows);
        let chart = adherence_chart(&ranking, lang);
        let mut view = map_view(&owned, &Colouring::Adherence, taxonomy, lang);
        // Only the region's States are coloured; the rest of the world is background.
        view.focus_on(owned.iter().map(|r| r.m49.clone()).collect());
        let rendered = render_map(&view, &owned);
        let path: Vec<_> = geography
            .region_path(slug)
            .into_iter()
            .filter(|s| *s != slug)
            .map(|s| minijinja::context! { label => geography.region_label(s, lang), url => region_url(s, lang) })
            .collect();
        let context = minijinja::context! {
            chrome => chrome,
            lang => lang.code(),
            t => t,
            title => label,
            langs => Self::lang_links(lang, |l| {
                let mut url = format!("/regions/{slug}?lang={}", l.code());
                if !page.sort.key.is_empty() {
                    url.push_str(&format!("&sort={}", page.sort.key));
                    if page.sort.descending { url.push_str("&order=desc"); }
                }
                url
            }),
            home_url => super::search_url(&crate::SearchRequest { lang, ..Default::default() }),
            countries_url => format!("/countries?lang={}", lang.code()),
            label => label,
            slug => slug,
            path => path,
            subregions => geography.region_children(Some(slug)).map(|r| minijinja::context! {
                label => r.labels.get(lang), url => region_url(&r.slug, lang),
            }).collect::<Vec<_>>(),
            state_count => page.rows.len(),
            columns => grid_columns,
            rows => grid_rows,
            name_sort_url => sort_url("name"),
            name_aria_sort => if page.sort.key.is_empty() { Some("ascending") } else { aria_sort("name") },
            adherence_sort_url => sort_url("adherence"),
            adherence_aria_sort => aria_sort("adherence"),
            without_data => without_data,
            totals => totals,
            ranking => ranking.iter().map(|r| minijinja::context! {
                rank => r.rank, name => r.name, url => country_url(&r.iso2, lang),
                party => r.party, with_data => r.with_data,
            }).collect::<Vec<_>>(),
            unranked => page.rows.iter().filter(|r| !r.in_data()).map(|r| r.name.clone()).collect::<Vec<_>>(),
            chart => minijinja::Value::from_safe_string(chart),
            map_svg => minijinja::Value::from_safe_string(rendered.svg),
            map_legend => minijinja::Value::from_safe_string(rendered.legend),
            documents => page.documents.iter().map(|d| minijinja::context! {
                title => d.title, url => super::document_url(&d.id, lang), type_label => d.type_label,
                year => d.year, countries => d.countries,
            }).collect::<Vec<_>>(),
            document_total => page.document_total,
            documents_search_url => super::search_url(&crate::SearchRequest { lang, ..Default::default() }.filter(crate::FacetGroup::Region, slug)),
            compare_url => {
                let codes: Vec<&str> = ranking.iter().take(3).map(|r| r.iso2.as_str()).collect();
                (codes.len() >= 2).then(|| format!("/compare?countries={}&lang={}", codes.join(","), lang.code()))
            },
            notes => data_notes(&owned, |s| columns.iter().any(|&i| owned[0].statuses[i].instrument == s.instrument)),
            basket => page.basket.labels.get(lang),
            basket_size => page.basket.instruments.len(),
            baskets => basket_choices(taxonomy, page.basket, lang),
            median => {
                let mut counts: Vec<usize> = page.rows.iter().filter(|r| r.in_data()).map(|r| r.party).collect();
                format_median(profiles::median(&mut counts))
            },
            credits => page.credits,
        };
        self.render("region.html", context)
    }

    /// `/regions`: every M49 region and sub-region.
    pub(crate) fn regions_index(&self, taxonomy: &Taxonomy, lang: Lang, chrome: &Chrome) -> String {
        let t = text(lang);
        let geography = &taxonomy.geography;
        fn tree(
            geography: &crate::geography::Geography,
            parent: Option<&str>,
            lang: Lang,
        ) -> Vec<minijinja::Value> {
            geography
                .region_children(parent)
                .map(|r| {
                    minijinja::context! {
                        label => r.labels.get(lang), url => region_url(&r.slug, lang),
                        children => tree(geography, Some(&r.slug), lang),
                    }
                })
                .collect()
        }
        let context = minijinja::context! {
            chrome => chrome,
            lang => lang.code(),
            t => t,
            title => t["regions_page_title"],
            langs => Self::lang_links(lang, |l| format!("/regions?lang={}", l.code())),
            home_url => super::search_url(&crate::SearchRequest { lang, ..Default::default() }),
            countries_url => format!("/countries?lang={}", lang.code()),
            regions => tree(geography, None, lang),
        };
        self.render("regions.html", context)
    }
}

/// A median as people write it: "5", "4.5".
pub(crate) fn format_median(median: f64) -> String {
    if median.fract() == 0.0 {
        format!("{median:.0}")
    } else {
        format!("{median:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<StateRow> {
        let taxonomy = Taxonomy::builtin();
        let geography = taxonomy.geography.clone();
        let counts = HashMap::from([("KEN".to_string(), 3u64)]);
        let basket = profiles::resolve_basket(&taxonomy, None).unwrap();
        state_rows(
            &taxonomy,
            &TreatyData::builtin(),
            &basket,
            &counts,
            ["KE", "TZ", "UG", "GL", "ID", "BI"]
                .iter()
                .filter_map(|c| geography.country(c)),
            Lang::En,
        )
    }

    #[test]
    fn rows_count_parties_over_instruments_with_data() {
        let rows = rows();
        let kenya = rows.iter().find(|r| r.iso2 == "KE").unwrap();
        assert_eq!(kenya.documents, 3);
        assert_eq!(
            kenya.party,
            kenya
                .statuses
                .iter()
                .filter(|s| s.in_basket && s.status.key() == "party")
                .count()
        );
        assert!(kenya.party > 0 && kenya.party <= kenya.with_data);
        let greenland = rows.iter().find(|r| r.iso2 == "GL").unwrap();
        assert!(!greenland.is_state());
    }

    #[test]
    fn the_adherence_map_puts_every_row_in_a_legend_class() {
        let taxonomy = Taxonomy::builtin();
        let rows = rows();
        let view = map_view(&rows, &Colouring::Adherence, &taxonomy, Lang::En);
        assert_eq!(view.areas.len(), rows.len());
        for area in &view.areas {
            assert!(
                view.legend.iter().any(|l| l.class == area.class),
                "{area:?}"
            );
        }
        assert_eq!(
            view.legend.iter().map(|l| l.count).sum::<usize>(),
            rows.len()
        );
        let kenya = view.areas.iter().find(|a| a.iso3 == "KEN").unwrap();
        assert_eq!(kenya.href, "/countries/KE?lang=en");
        assert!(
            kenya.title.starts_with("Kenya: party to "),
            "{}",
            kenya.title
        );
        assert_eq!(view.legend.last().unwrap().class, "c-no-data");
    }

    #[test]
    fn a_status_map_never_calls_missing_data_not_party() {
        let taxonomy = Taxonomy::builtin();
        let rows = rows();
        let index = status_index(&rows, "genocide-convention").unwrap();
        let view = map_view(
            &rows,
            &Colouring::Instrument {
                slug: "genocide-convention".into(),
            },
            &taxonomy,
            Lang::En,
        );
        for area in &view.areas {
            let status = rows.iter().find(|r| r.iso3 == area.iso3).unwrap().statuses[index]
                .status
                .key();
            if status == "no_data" {
                assert_eq!(area.class, "c-no-data");
                assert!(!area.title.contains("Not a party"), "{}", area.title);
            }
        }
    }

    #[test]
    fn a_complete_list_shows_not_party_and_withdrawals_with_their_dates() {
        let taxonomy = Taxonomy::builtin();
        let rows = rows();
        let view = map_view(
            &rows,
            &Colouring::Instrument {
                slug: "rome-statute".into(),
            },
            &taxonomy,
            Lang::En,
        );
        let area = |iso3: &str| view.areas.iter().find(|a| a.iso3 == iso3).unwrap();
        assert_eq!(area("KEN").class, "c-party");
        assert!(
            area("KEN").title.contains("2005-03-15"),
            "{}",
            area("KEN").title
        );
        assert_eq!(area("IDN").class, "c-not-party");
        assert!(
            area("IDN").title.contains("2026-08-22"),
            "{}",
            area("IDN").title
        );
        assert_eq!(area("BDI").class, "c-withdrawn");
        assert_eq!(
            area("GRL").class,
            "c-no-data",
            "a territory is not 'not a party'"
        );
        assert!(
            area("BDI").title.contains("2017-10-27"),
            "{}",
            area("BDI").title
        );
        let classes: Vec<&str> = view.legend.iter().map(|l| l.class.as_str()).collect();
        assert_eq!(classes[0], "c-party", "party first in the legend");
        assert!(classes.contains(&"c-withdrawn") && classes.contains(&"c-not-party"));
    }

    #[test]
    fn equal_counts_share_a_rank() {
        let mut rows = rows();
        rows.retain(|r| r.is_state());
        rows.truncate(3);
        for (row, party) in rows.iter_mut().zip([5, 7, 5]) {
            row.party = party;
            row.with_data = 10;
        }
        let refs: Vec<&StateRow> = rows.iter().collect();
        let ranking = rank_states(&refs);
        let ranks: Vec<(usize, usize)> = ranking.iter().map(|r| (r.rank, r.party)).collect();
        assert_eq!(ranks, vec![(1, 7), (2, 5), (2, 5)]);
        let chart = adherence_chart(&ranking, Lang::En);
        assert_eq!(chart.matches("<rect class=\"bar\"").count(), 3);
        assert!(
            chart.contains("<title>Kenya: party to 5 of 10</title>"),
            "{chart}"
        );
    }

    #[test]
    fn short_labels_prefer_common_names_then_acronyms() {
        let taxonomy = Taxonomy::builtin();
        let short = |slug: &str| short_label(taxonomy.instruments.get(slug).unwrap());
        assert_eq!(short("rome-statute"), "Rome Statute");
        assert_eq!(short("iccpr"), "ICCPR");
        assert_eq!(short("iccpr-op1"), "ICCPR-OP1");
    }
}
