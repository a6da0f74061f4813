//! A country in context: economy, geography, climate, armed conflict and legal infrastructure,
//! from `corpus/reference/context/` (built by `scripts/build_context_data.py`). Every figure
//! carries its year and its source; a missing value stays missing ("not recorded").

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::geography::Geography;
use crate::taxonomy::Lang;

const COUNTRIES_CSV: &str = include_str!("../../corpus/reference/context/countries.csv");
const TRENDS_CSV: &str = include_str!("../../corpus/reference/context/trends.csv");
const CONFLICTS_CSV: &str = include_str!("../../corpus/reference/context/conflicts.csv");

/// The sources, as the page credits them.
pub(crate) const WORLD_BANK: &str = "World Bank, World Development Indicators (CC BY 4.0)";
pub(crate) const MLEDOZE: &str = "mledoze/countries (ODbL 1.0)";
pub(crate) const KOPPEN: &str =
    "Beck et al. (2018), Köppen-Geiger climate classification 1980–2016, Scientific Data 5:180214";
pub(crate) const UCDP: &str = "UCDP/PRIO Armed Conflict Dataset v23.1 (1946–2022) and v25.1 (2023–2024), Uppsala Conflict Data Program (CC BY 4.0)";
pub(crate) const UCDP_DEATHS: &str =
    "UCDP battle-related deaths and one-sided violence datasets v23.1 (CC BY 4.0), best estimates";
pub(crate) const FACTBOOK: &str =
    "CIA World Factbook, January 2026 edition (public domain), quoted";

/// One value with its year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dated<T> {
    pub value: T,
    pub year: i32,
}

/// A year's value of a trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Point {
    pub(crate) year: i32,
    pub(crate) value: f64,
}

/// A neighbour State, for a link to its profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Neighbour {
    pub(crate) iso2: String,
    pub(crate) iso3: String,
    pub(crate) name: String,
}

/// A Köppen-Geiger climate zone and its share of the State's land.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ClimateZone {
    pub(crate) code: String,
    /// "Arid, desert, hot"; empty when the source gives none for this code.
    pub(crate) description: String,
    /// Share of the classified land, 0 to 1.
    pub(crate) share: f64,
}

/// One armed conflict (UCDP id) that took place on the State's territory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    #[serde(default, skip_serializing)]
    pub(crate) iso3: String,
    pub(crate) conflict_id: u32,
    pub(crate) first_year: i32,
    pub(crate) last_year: i32,
    /// Years with at least 25 battle-related deaths.
    pub(crate) active_years: u32,
    /// "Government of Kenya vs Al-Shabaab" (several pairs joined with " | ").
    pub(crate) sides: String,
    /// `territory`, `government`, or both.
    pub(crate) incompatibility: String,
    /// The contested area, for territorial conflicts.
    pub(crate) territory: String,
    /// 1: 25–999 battle deaths in a year; 2: 1,000 or more.
    pub(crate) max_intensity: u8,
    pub(crate) ucdp_version: String,
}

/// UCDP/PRIO figures for the State's territory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictSummary {
    /// First and last year with an armed conflict, 1946–2022 (v23.1).
    pub(crate) first_year: Option<i32>,
    pub(crate) last_year: Option<i32>,
    /// Conflict-years 1946–2022 (one conflict in one year counts once).
    pub conflict_years: u32,
    /// Years with an armed conflict among 2013–2022, and the highest intensity then.
    pub(crate) active_years_2013_2022: u32,
    pub(crate) max_intensity_2013_2022: Option<u8>,
    /// Contested areas of territorial conflicts, 2013–2022.
    pub contested_territories_2013_2022: Vec<String>,
    pub(crate) battle_deaths_1989_2022: u64,
    pub(crate) battle_deaths_2013_2022: u64,
    /// Deaths in one-sided violence against civilians, by any actor, and by the government.
    pub(crate) one_sided_deaths_1989_2022: u64,
    pub(crate) one_sided_deaths_2013_2022: u64,
    pub(crate) one_sided_deaths_by_government_2013_2022: u64,
    /// Every conflict on the territory since 1946, the most recent first.
    pub conflicts: Vec<Conflict>,
}

/// Legal infrastructure, quoted from the CIA World Factbook (English only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LegalInfrastructure {
    pub(crate) legal_system: Option<String>,
    pub(crate) constitution: Option<String>,
    pub(crate) highest_courts: Option<String>,
    pub(crate) international_law: Option<String>,
    pub(crate) refugees: Option<String>,
    pub(crate) internally_displaced: Option<String>,
}

/// Everything Praxis holds about a State besides treaties and documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryContext {
    pub population: Option<Dated<u64>>,
    /// Current US dollars.
    pub gdp_usd: Option<Dated<f64>>,
    /// A caveat on the GDP series, where the source data calls for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) gdp_note: Option<String>,
    pub(crate) population_trend: Vec<Point>,
    pub(crate) gdp_trend: Vec<Point>,
    pub(crate) capital: Option<String>,
    pub(crate) area_km2: Option<f64>,
    pub(crate) landlocked: Option<bool>,
    pub(crate) neighbours: Vec<Neighbour>,
    pub(crate) climate: Vec<ClimateZone>,
    pub conflict: ConflictSummary,
    pub(crate) legal: LegalInfrastructure,
    /// Source of each part: economy, geography, climate, conflicts, deaths, legal.
    pub sources: ContextSources,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextSources {
    pub economy: String,
    pub(crate) geography: String,
    pub(crate) climate: String,
    pub conflicts: String,
    pub(crate) deaths: String,
    pub(crate) legal: String,
}

fn sources() -> ContextSources {
    ContextSources {
        economy: WORLD_BANK.into(),
        geography: MLEDOZE.into(),
        climate: KOPPEN.into(),
        conflicts: UCDP.into(),
        deaths: UCDP_DEATHS.into(),
        legal: FACTBOOK.into(),
    }
}

#[derive(Deserialize)]
struct Row {
    iso3: String,
    population: String,
    population_year: String,
    gdp_current_usd: String,
    gdp_year: String,
    capital: String,
    area_km2: String,
    landlocked: String,
    borders_iso3: String,
    kg_dominant: String,
    kg_dominant_desc: String,
    kg_dominant_share: String,
    kg_second: String,
    kg_second_desc: String,
    kg_second_share: String,
    acd_first_year: String,
    acd_last_year: String,
    acd_conflict_years_1946_2022: String,
    acd_active_years_2013_2022: String,
    acd_max_intensity_2013_2022: String,
    acd_contested_territories_2013_2022: String,
    brd_best_1989_2022: String,
    brd_best_2013_2022: String,
    onesided_best_1989_2022: String,
    onesided_best_2013_2022: String,
    onesided_govt_best_2013_2022: String,
    legal_system: String,
    constitution: String,
    highest_courts: String,
    intl_law_participation: String,
    refugees: String,
    idps: String,
}

#[derive(Deserialize)]
struct TrendRow {
    iso3: String,
    year: i32,
    population: String,
    gdp_current_usd: String,
}

struct Data {
    rows: HashMap<String, Row>,
    trends: HashMap<String, Vec<TrendRow>>,
    conflicts: HashMap<String, Vec<Conflict>>,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let rows = csv::Reader::from_reader(COUNTRIES_CSV.as_bytes())
            .deserialize::<Row>()
            .map(|r| r.expect("context/countries.csv is valid"))
            .map(|r| (r.iso3.clone(), r))
            .collect();
        let mut trends: HashMap<String, Vec<TrendRow>> = HashMap::new();
        for row in csv::Reader::from_reader(TRENDS_CSV.as_bytes()).deserialize::<TrendRow>() {
            let row = row.expect("context/trends.csv is valid");
            trends.entry(row.iso3.clone()).or_default().push(row);
        }
        let mut conflicts: HashMap<String, Vec<Conflict>> = HashMap::new();
        for row in csv::Reader::from_reader(CONFLICTS_CSV.as_bytes()).deserialize::<Conflict>() {
            let row = row.expect("context/conflicts.csv is valid");
            conflicts.entry(row.iso3.clone()).or_default().push(row);
        }
        Data {
            rows,
            trends,
            conflicts,
        }
    })
}

fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

fn number<T: std::str::FromStr>(value: &str) -> Option<T> {
    value.trim().parse().ok()
}

impl CountryContext {
    /// The context of a State (ISO alpha-3), if the data covers it (UN member and observer
    /// States).
    pub(crate) fn for_country(
        geography: &Geography,
        iso3: &str,
        lang: Lang,
    ) -> Option<CountryContext> {
        let data = data();
        let row = data.rows.get(iso3)?;
        let dated = |value: Option<f64>, year: &str| {
            Some(Dated {
                value: value?,
                year: number(year)?,
            })
        };
        let trend = |pick: fn(&TrendRow) -> &str| -> Vec<Point> {
            data.trends
                .get(iso3)
                .map(|rows| {
                    rows.iter()
                        .filter_map(|r| {
                            Some(Point {
                                year: r.year,
                                value: number(pick(r))?,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let zone = |code: &str, description: &str, share: &str| {
            Some(ClimateZone {
                code: text(code)?,
                description: description.to_string(),
                share: number(share)?,
            })
        };
        let neighbours = row
            .borders_iso3
            .split(';')
            .filter_map(|code| geography.country(code))
            .map(|c| Neighbour {
                iso2: c.iso2.clone(),
                iso3: c.iso3.clone(),
                name: c.names.get(lang).to_string(),
            })
            .collect();
        Some(CountryContext {
            population: dated(number(&row.population), &row.population_year).map(|d| Dated {
                value: d.value as u64,
                year: d.year,
            }),
            gdp_usd: dated(number(&row.gdp_current_usd), &row.gdp_year),
            // SOURCES.md: the World Bank's 2023 GDP of Sudan is about twice its 2022 value.
            gdp_note: (iso3 == "SDN").then(|| {
                "The World Bank's GDP for 2023 is about twice its value for 2022; read the trend with care.".to_string()
            }),
            population_trend: trend(|r| &r.population),
            gdp_trend: trend(|r| &r.gdp_current_usd),
            capital: text(&row.capital),
            area_km2: number(&row.area_km2),
            landlocked: match row.landlocked.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            neighbours,
            climate: [
                zone(&row.kg_dominant, &row.kg_dominant_desc, &row.kg_dominant_share),
                zone(&row.kg_second, &row.kg_second_desc, &row.kg_second_share),
            ]
            .into_iter()
            .flatten()
            .collect(),
            conflict: ConflictSummary {
                first_year: number(&row.acd_first_year),
                last_year: number(&row.acd_last_year),
                conflict_years: number(&row.acd_conflict_years_1946_2022).unwrap_or(0),
                active_years_2013_2022: number(&row.acd_active_years_2013_2022).unwrap_or(0),
                max_intensity_2013_2022: number(&row.acd_max_intensity_2013_2022),
                contested_territories_2013_2022: row
                    .acd_contested_territories_2013_2022
                    .split(';')
                    .filter_map(text)
                    .collect(),
                battle_deaths_1989_2022: number(&row.brd_best_1989_2022).unwrap_or(0),
                battle_deaths_2013_2022: number(&row.brd_best_2013_2022).unwrap_or(0),
                one_sided_deaths_1989_2022: number(&row.onesided_best_1989_2022).unwrap_or(0),
                one_sided_deaths_2013_2022: number(&row.onesided_best_2013_2022).unwrap_or(0),
                one_sided_deaths_by_government_2013_2022: number(
                    &row.onesided_govt_best_2013_2022,
                )
                .unwrap_or(0),
                conflicts: data.conflicts.get(iso3).cloned().unwrap_or_default(),
            },
            legal: LegalInfrastructure {
                legal_system: text(&row.legal_system),
                constitution: text(&row.constitution),
                highest_courts: text(&row.highest_courts),
                international_law: text(&row.intl_law_participation),
                refugees: text(&row.refugees),
                internally_displaced: text(&row.idps),
            },
            sources: sources(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_un_state_has_a_context_row_and_the_files_parse() {
        let geography = Geography::builtin();
        for country in geography
            .countries()
            .iter()
            .filter(|c| c.un_status != "other")
        {
            assert!(
                CountryContext::for_country(&geography, &country.iso3, Lang::En).is_some(),
                "{}",
                country.iso3
            );
        }
        assert!(CountryContext::for_country(&geography, "ABW", Lang::En).is_none());
    }

    #[test]
    fn kenya_population_neighbours_and_contested_area() {
        let geography = Geography::builtin();
        let kenya = CountryContext::for_country(&geography, "KEN", Lang::Fr).unwrap();
        assert_eq!(
            kenya.population,
            Some(Dated {
                value: 56_432_944,
                year: 2024
            })
        );
        assert_eq!(kenya.gdp_usd.as_ref().unwrap().year, 2023);
        assert_eq!(kenya.landlocked, Some(false));
        let names: Vec<&str> = kenya.neighbours.iter().map(|n| n.iso3.as_str()).collect();
        assert_eq!(names, ["ETH", "SOM", "SSD", "TZA", "UGA"]);
        assert_eq!(kenya.neighbours[0].name, "Éthiopie");
        assert_eq!(
            kenya.conflict.contested_territories_2013_2022,
            ["Northeastern Province and Coast"]
        );
        let shabaab = &kenya.conflict.conflicts[0];
        assert_eq!((shabaab.first_year, shabaab.last_year), (2015, 2024));
        assert_eq!(kenya.population_trend.first().unwrap().year, 2000);
    }
}
