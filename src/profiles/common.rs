//! The parts a country profile and the law finder ([`super::laws`]) share: regions,
//! instrument statuses, document summaries and how a country is named. They sit below both,
//! so that the profile can include the law finder's gaps without a cycle.

use serde::{Deserialize, Serialize};

use super::error::ProfileError;
use super::import;
use super::treaties::{Coverage, Provenance, TreatyStatus};
use crate::document::Metadata;
use crate::geography::{Country, Geography};
use crate::lang::Lang;

/// A region, by slug and label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionRef {
    pub slug: String,
    pub label: String,
}

/// One instrument of the taxonomy and a State's status under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstrumentStatus {
    /// The taxonomy slug (`icerd`).
    pub instrument: String,
    pub label: String,
    /// The treaty id of the data (`cerd`), when the instrument is linked to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) treaty: Option<String>,
    /// Whether the instrument is in the basket the profile counts adherence over.
    pub in_basket: bool,
    /// `status` (`party`, `withdrawn`, `signed_only`, `not_party`, `no_data`) with its action,
    /// dates or reason.
    #[serde(flatten)]
    pub status: TreatyStatus,
    pub status_label: String,
    /// The status with its key date: "Party since 2005-03-15", "Not a party (as of ...)".
    pub headline: String,
    /// The status in words, in the profile's language.
    pub detail: String,
    /// Where to check: the participation row's source, else the treaty's status page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Who records the facts (the depositary): UN Treaty Collection, OAS, Switzerland...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// The date the treaty's list reflects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_date: Option<String>,
    /// Whether the treaty's list is complete for its date (only then "not a party").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Why the list is complete, incomplete, stale or absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_note: Option<String>,
    /// The list is known to be stale (e.g. the Genocide Convention list of 2015).
    pub stale: bool,
    /// Where the fact comes from (built-in data of a date, or a curator's import).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// A document about a country or region, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub(crate) doc_type: String,
    pub year: i32,
    pub(crate) language: String,
    /// ISO 3166-1 alpha-3 codes, and the countries' names in the profile's language.
    pub(crate) countries: Vec<String>,
    pub country_names: Vec<String>,
    /// A law's status (`in-force`, `draft`, ...), and its label in the profile's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status_label: Option<String>,
    /// For laws: whether the curators judge it shareable with other countries, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shareable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shareable_note: Option<String>,
    /// For mechanisms: the year established.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub established: Option<i32>,
}

impl DocumentSummary {
    pub(crate) fn new(meta: &Metadata, geography: &Geography, lang: Lang) -> Self {
        DocumentSummary {
            id: meta.id.clone(),
            title: meta.title.clone(),
            doc_type: meta.doc_type.clone(),
            year: meta.year,
            language: meta.language.clone(),
            countries: meta.countries.clone(),
            country_names: meta
                .countries
                .iter()
                .map(|c| geography.country_name(c, lang).to_string())
                .collect(),
            status: meta.status.clone(),
            status_label: None,
            shareable: meta.shareable,
            shareable_note: meta.shareable_note.clone(),
            established: meta.established,
        }
    }
}

/// Finds a country by ISO 3166-1 alpha-2 or alpha-3 code, or by name (English, French or
/// Spanish, accents and case ignored).
pub fn resolve_country<'a>(
    geography: &'a Geography,
    value: &str,
) -> Result<&'a Country, ProfileError> {
    if let Some(country) = geography.country(value) {
        return Ok(country);
    }
    let names = import::ParticipantNames::builtin();
    match names.resolve(value) {
        import::NameMatch::Iso3(iso3) => {
            geography
                .country(&iso3)
                .ok_or_else(|| ProfileError::UnknownCountry {
                    value: value.to_string(),
                    suggestion: None,
                })
        }
        import::NameMatch::NoCode { .. } => Err(ProfileError::UnknownCountry {
            value: value.to_string(),
            suggestion: None,
        }),
        import::NameMatch::Unknown { suggestion } => Err(ProfileError::UnknownCountry {
            value: value.to_string(),
            suggestion,
        }),
    }
}

pub(crate) fn region_path(geography: &Geography, slug: Option<&str>, lang: Lang) -> Vec<RegionRef> {
    slug.map(|s| geography.region_path(s))
        .unwrap_or_default()
        .into_iter()
        .map(|slug| RegionRef {
            slug: slug.to_string(),
            label: geography.region_label(slug, lang).to_string(),
        })
        .collect()
}
