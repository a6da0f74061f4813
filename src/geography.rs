//! Countries (ISO 3166-1) and the UN M49 region hierarchy, from the reference data in
//! `corpus/reference/` (see its README for sources). Compiled into the binary: documents name
//! countries by ISO code and Praxis derives their regions from here.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::lang::{Labels, Lang};

const COUNTRIES_CSV: &str = include_str!("../corpus/reference/countries.csv");
const REGIONS_YAML: &str = include_str!("../corpus/reference/regions.yaml");

/// A country or area.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Country {
    pub(crate) iso2: String,
    pub iso3: String,
    pub(crate) m49: String,
    pub(crate) names: Labels,
    /// The most specific M49 region slug (intermediate region, else sub-region, else region).
    pub(crate) region: Option<String>,
    /// `member`, `observer` or `other`.
    pub(crate) un_status: String,
}

/// A node of the M49 hierarchy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub slug: String,
    #[serde(default)]
    pub(crate) parent: Option<String>,
    pub(crate) m49: String,
    pub(crate) labels: Labels,
}

#[derive(Debug)]
pub struct Geography {
    countries: Vec<Country>,
    by_code: HashMap<String, usize>,
    regions: Vec<Region>,
    region_by_slug: HashMap<String, usize>,
}

#[derive(Deserialize)]
struct CountryRow {
    iso2: String,
    iso3: String,
    m49: String,
    name_en: String,
    name_fr: String,
    name_es: String,
    region: String,
    subregion: String,
    intermediate_region: String,
    un_status: String,
}

impl Geography {
    /// The reference data compiled into the binary (parsed once per process).
    pub fn builtin() -> Arc<Geography> {
        static BUILTIN: OnceLock<Arc<Geography>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Arc::new(
                    Geography::parse(COUNTRIES_CSV, REGIONS_YAML)
                        .expect("the built-in reference data is valid"),
                )
            })
            .clone()
    }

    pub(crate) fn parse(countries_csv: &str, regions_yaml: &str) -> Result<Geography, String> {
        let regions: Vec<Region> =
            serde_saphyr::from_str(regions_yaml).map_err(|e| format!("regions.yaml: {e}"))?;
        let region_by_slug: HashMap<String, usize> = regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.slug.clone(), i))
            .collect();
        for region in &regions {
            if let Some(parent) = &region.parent {
                if !region_by_slug.contains_key(parent) {
                    return Err(format!(
                        "regions.yaml: {} has unknown parent {parent}",
                        region.slug
                    ));
                }
            }
        }
        let mut countries = Vec::new();
        let mut reader = csv::Reader::from_reader(countries_csv.as_bytes());
        for row in reader.deserialize::<CountryRow>() {
            let row = row.map_err(|e| format!("countries.csv: {e}"))?;
            let region = [&row.intermediate_region, &row.subregion, &row.region]
                .into_iter()
                .find(|s| !s.is_empty())
                .cloned();
            if let Some(slug) = &region {
                if !region_by_slug.contains_key(slug) {
                    return Err(format!(
                        "countries.csv: {}: unknown region {slug}",
                        row.iso3
                    ));
                }
            }
            countries.push(Country {
                iso2: row.iso2,
                iso3: row.iso3,
                m49: row.m49,
                names: Labels {
                    en: row.name_en,
                    fr: row.name_fr,
                    es: row.name_es,
                },
                region,
                un_status: row.un_status,
            });
        }
        let mut by_code = HashMap::new();
        for (i, country) in countries.iter().enumerate() {
            by_code.insert(country.iso2.to_ascii_uppercase(), i);
            by_code.insert(country.iso3.to_ascii_uppercase(), i);
        }
        Ok(Geography {
            countries,
            by_code,
            regions,
            region_by_slug,
        })
    }

    /// Looks a country up by ISO 3166-1 alpha-2 or alpha-3 code, in any case.
    pub(crate) fn country(&self, code: &str) -> Option<&Country> {
        self.by_code
            .get(&code.trim().to_ascii_uppercase())
            .map(|&i| &self.countries[i])
    }

    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    pub(crate) fn region(&self, slug: &str) -> Option<&Region> {
        self.region_by_slug.get(slug).map(|&i| &self.regions[i])
    }

    /// Regions in hierarchy order (each region before its children).
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The slugs from the top-level region down to `slug` itself.
    pub(crate) fn region_path(&self, slug: &str) -> Vec<&str> {
        let mut path = Vec::new();
        let mut current = self.region(slug);
        while let Some(region) = current {
            path.push(region.slug.as_str());
            current = region.parent.as_deref().and_then(|p| self.region(p));
        }
        path.reverse();
        path
    }

    /// The direct children of a region (or the top-level regions for `None`).
    pub(crate) fn region_children<'a>(
        &'a self,
        parent: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Region> + 'a {
        self.regions
            .iter()
            .filter(move |r| r.parent.as_deref() == parent)
    }

    pub(crate) fn region_label<'a>(&'a self, slug: &'a str, lang: Lang) -> &'a str {
        self.region(slug).map_or(slug, |r| r.labels.get(lang))
    }

    pub(crate) fn country_name<'a>(&'a self, code: &'a str, lang: Lang) -> &'a str {
        self.country(code).map_or(code, |c| c.names.get(lang))
    }

    /// The country codes (alpha-3) closest to an unknown code or name, for "did you mean".
    pub(crate) fn suggest_country(&self, value: &str) -> Option<String> {
        let value = value.trim();
        let by_name = self
            .countries
            .iter()
            .find(|c| c.names.all().iter().any(|n| n.eq_ignore_ascii_case(value)));
        if let Some(country) = by_name {
            return Some(country.iso2.clone());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_resolve_by_alpha2_and_alpha3_in_any_case() {
        let geography = Geography::builtin();
        assert_eq!(geography.country("ke").unwrap().iso3, "KEN");
        assert_eq!(geography.country("KEN").unwrap().iso2, "KE");
        assert!(geography.country("XX").is_none());
    }

    #[test]
    fn kenya_is_in_eastern_africa_under_sub_saharan_africa() {
        let geography = Geography::builtin();
        let kenya = geography.country("KE").unwrap();
        assert_eq!(
            geography.region_path(kenya.region.as_deref().unwrap()),
            vec!["africa", "sub-saharan-africa", "eastern-africa"]
        );
    }

    #[test]
    fn every_un_member_state_has_a_region() {
        let geography = Geography::builtin();
        let members: Vec<_> = geography
            .countries()
            .iter()
            .filter(|c| c.un_status == "member")
            .collect();
        assert_eq!(members.len(), 193);
        assert!(members.iter().all(|c| c.region.is_some()));
    }

    #[test]
    fn a_country_name_suggests_its_code() {
        assert_eq!(
            Geography::builtin().suggest_country("Kenya").as_deref(),
            Some("KE")
        );
    }
}
