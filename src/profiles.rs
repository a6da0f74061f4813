//! Country and regional profiles: which international instruments a State adheres to, as far
//! as the treaty data tells, and what the knowledge base holds about it.
//!
//! GAAMAC's Asia group asked for "country profiles showing how many international standards
//! each country adheres to and which laws can be shared within a region". A profile lists every
//! instrument of the taxonomy with the State's status ([`TreatyStatus`]), counts adherence only
//! over instruments that have data, and never turns a missing row into "not a party". The
//! treaty data ([`treaties`]) is compiled in and overlaid by curator imports ([`import`]);
//! documents come from the knowledge base's search index and store. No HTTP here.

pub mod import;
pub mod treaties;

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

pub use import::{import_treaties, ImportOptions, ImportReport};
pub use treaties::{
    Action, NoDataReason, Participation, Provenance, Treaty, TreatyData, TreatyStatus,
};

use crate::document::Metadata;
use crate::geography::{Country, Geography};
use crate::index::{FacetGroup, SearchError, SearchRequest};
use crate::store::StoreError;
use crate::taxonomy::{closest, Labels, Lang, Taxonomy};
use crate::KnowledgeBase;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A country code or name that matches no country.
    #[error("country: unknown country \"{value}\"; give an ISO 3166-1 alpha-2 or alpha-3 code (e.g. KE or KEN) or a country name{}", hint(suggestion))]
    UnknownCountry {
        value: String,
        suggestion: Option<String>,
    },
    /// A region slug that is not a UN M49 region.
    #[error("region: unknown region \"{value}\"; give a UN M49 region slug (e.g. africa, eastern-africa, south-eastern-asia){}", hint(suggestion))]
    UnknownRegion {
        value: String,
        suggestion: Option<String>,
    },
    /// Any other parameter out of range.
    #[error("{parameter}: {message}")]
    InvalidParameter { parameter: String, message: String },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

fn hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_deref()
        .map(|s| format!(" (did you mean {s}?)"))
        .unwrap_or_default()
}

/// A region, by slug and label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionRef {
    pub slug: String,
    pub label: String,
}

/// One instrument of the taxonomy and a State's status under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstrumentStatus {
    /// The taxonomy slug (`icerd`).
    pub instrument: String,
    pub label: String,
    /// The treaty id of the data (`cerd`), when the instrument is linked to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treaty: Option<String>,
    /// `status` (`party`, `signed_only`, `no_data`) with its action, dates or reason.
    #[serde(flatten)]
    pub status: TreatyStatus,
    pub status_label: String,
    /// The status in words, in the profile's language.
    pub detail: String,
    /// Where to check: the participation row's source, else the treaty's status page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Where the fact comes from (built-in data of a date, or a curator's import).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// How many instruments a State adheres to, counted only where there is data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Adherence {
    /// Instruments the State is bound by.
    pub party: usize,
    /// Instruments it signed without (recorded) ratification.
    pub signed_only: usize,
    /// Instruments whose treaty has data, where the State is not found in it.
    pub not_in_data: usize,
    /// Instruments whose treaty has participation data: `party + signed_only + not_in_data`.
    pub with_data: usize,
    /// Instruments without participation data (not linked to a treaty, or no data yet).
    pub without_data: usize,
    /// Every instrument of the taxonomy.
    pub instruments: usize,
}

impl Adherence {
    fn count(statuses: &[InstrumentStatus]) -> Adherence {
        let mut adherence = Adherence {
            instruments: statuses.len(),
            ..Default::default()
        };
        for status in statuses {
            match &status.status {
                TreatyStatus::Party { .. } => adherence.party += 1,
                TreatyStatus::SignedOnly { .. } => adherence.signed_only += 1,
                TreatyStatus::NoData {
                    reason: NoDataReason::NotInData,
                } => adherence.not_in_data += 1,
                TreatyStatus::NoData { .. } => adherence.without_data += 1,
            }
        }
        adherence.with_data = adherence.party + adherence.signed_only + adherence.not_in_data;
        adherence
    }

    /// "party to 14 of 16 instruments with data (1 signed only, 1 not found in the data)".
    pub fn summary(&self, lang: Lang) -> String {
        let [party, signed, not_found, without] = match lang {
            Lang::En => [
                "party to",
                "signed only",
                "not found in the data",
                "instruments without data",
            ],
            Lang::Fr => [
                "partie à",
                "signés seulement",
                "absent des données",
                "instruments sans données",
            ],
            Lang::Es => [
                "parte en",
                "solo firmados",
                "no figura en los datos",
                "instrumentos sin datos",
            ],
        };
        let of = t(lang, ["of", "sur", "de"]);
        let with = t(
            lang,
            [
                "instruments with data",
                "instruments avec données",
                "instrumentos con datos",
            ],
        );
        format!(
            "{party} {} {of} {} {with} ({} {signed}, {} {not_found}); {} {without}",
            self.party, self.with_data, self.signed_only, self.not_in_data, self.without_data
        )
    }
}

/// A document about a country or region, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub year: i32,
    pub language: String,
    /// ISO 3166-1 alpha-3 codes, and the countries' names in the profile's language.
    pub countries: Vec<String>,
    pub country_names: Vec<String>,
    /// A law's status (`in-force`, `draft`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
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
    fn new(meta: &Metadata, geography: &Geography, lang: Lang) -> Self {
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
            shareable: meta.shareable,
            shareable_note: meta.shareable_note.clone(),
            established: meta.established,
        }
    }
}

/// The documents of one type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentGroup {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub label: String,
    pub documents: Vec<DocumentSummary>,
}

/// Everything Praxis knows about one country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryProfile {
    pub iso2: String,
    pub iso3: String,
    pub m49: String,
    /// The name in the profile's language, and in all three.
    pub name: String,
    pub names: Labels,
    /// `member`, `observer` or `other`.
    pub un_status: String,
    /// From the top-level region down to the most specific one.
    pub region_path: Vec<RegionRef>,
    pub lang: Lang,
    /// Every instrument of the taxonomy, in taxonomy order.
    pub instruments: Vec<InstrumentStatus>,
    pub adherence: Adherence,
    /// The date the built-in treaty data reflects.
    pub data_date: String,
    /// How to credit the treaty data, including any imports this profile shows.
    pub credits: Vec<String>,
    /// Documents about the country, grouped by type in taxonomy order (empty groups omitted).
    pub documents: Vec<DocumentGroup>,
    pub document_count: usize,
}

/// A State's adherence, for regional tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryAdherence {
    pub iso2: String,
    pub iso3: String,
    pub name: String,
    /// The most specific region slug.
    pub region: Option<String>,
    pub un_status: String,
    pub adherence: Adherence,
}

/// How the States of a region stand on one instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionInstrument {
    pub instrument: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treaty: Option<String>,
    /// Whether the treaty has participation data; the counts are 0 when it has none.
    pub has_data: bool,
    pub party: usize,
    pub signed_only: usize,
    pub not_in_data: usize,
}

/// A region: its States' adherence, and the laws from it judged shareable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionProfile {
    pub region: String,
    pub label: String,
    pub region_path: Vec<RegionRef>,
    pub subregions: Vec<RegionRef>,
    pub lang: Lang,
    /// UN member and observer States of the region (territories are left out: treaties
    /// are joined by States), by name.
    pub countries: Vec<CountryAdherence>,
    /// Every instrument of the taxonomy, with how many of the region's States are party.
    pub instruments: Vec<RegionInstrument>,
    /// Laws about the region's countries (or the region itself) that curators judge
    /// shareable, newest first.
    pub shareable_laws: Vec<DocumentSummary>,
    pub data_date: String,
    pub credits: Vec<String>,
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

/// Finds a region by slug, or by label in any language ("South-eastern Asia", "Asie").
pub fn resolve_region<'a>(
    geography: &'a Geography,
    value: &str,
) -> Result<&'a crate::geography::Region, ProfileError> {
    let slug = value.trim().to_lowercase().replace([' ', '_'], "-");
    if let Some(region) = geography.region(&slug) {
        return Ok(region);
    }
    let key = import::name_key(value);
    if let Some(region) = geography
        .regions()
        .iter()
        .find(|r| r.labels.all().iter().any(|l| import::name_key(l) == key))
    {
        return Ok(region);
    }
    Err(ProfileError::UnknownRegion {
        value: value.to_string(),
        suggestion: closest(&slug, geography.regions().iter().map(|r| r.slug.as_str()))
            .map(str::to_string),
    })
}

/// Every instrument of the taxonomy with the status of `iso3` under it.
pub fn instrument_statuses(
    taxonomy: &Taxonomy,
    data: &TreatyData,
    iso3: &str,
    lang: Lang,
) -> Vec<InstrumentStatus> {
    taxonomy
        .instruments
        .terms()
        .iter()
        .map(|term| {
            let (status, participation) = match term.untc.as_deref() {
                Some(treaty) => (data.status(iso3, treaty), data.participation(iso3, treaty)),
                None => (
                    TreatyStatus::NoData {
                        reason: NoDataReason::NotLinked,
                    },
                    None,
                ),
            };
            let treaty = term.untc.as_deref().and_then(|t| data.treaty(t));
            let (source_url, provenance) = match (participation, treaty) {
                (Some(row), _) => (Some(row.source_url.clone()), Some(row.provenance.clone())),
                // A State not in the data: the treaty's page is where to check.
                (None, Some(treaty)) if data.has_data(&treaty.id) => (
                    Some(treaty.source_url.clone()),
                    Some(treaty.provenance.clone()),
                ),
                _ => (None, None),
            };
            InstrumentStatus {
                instrument: term.slug.clone(),
                label: term.labels.get(lang).to_string(),
                treaty: term.untc.clone(),
                status_label: status.label(lang).to_string(),
                detail: status.describe(lang),
                status,
                source_url,
                provenance,
            }
        })
        .collect()
}

/// The profile of a country given by code or name.
pub fn country_profile(
    kb: &KnowledgeBase,
    country: &str,
    lang: Lang,
) -> Result<CountryProfile, ProfileError> {
    let taxonomy = kb.taxonomy();
    let geography = taxonomy.geography.clone();
    let country = resolve_country(&geography, country)?;
    let data = TreatyData::load(kb.store())?;
    let instruments = instrument_statuses(&taxonomy, &data, &country.iso3, lang);
    let adherence = Adherence::count(&instruments);
    let credits = credits(
        &data,
        instruments.iter().filter_map(|i| i.provenance.as_ref()),
    );

    let request = SearchRequest::default().filter(FacetGroup::Country, &country.iso3);
    let summaries = documents(kb, &request, &geography, lang)?;
    let document_count = summaries.len();
    let documents = taxonomy
        .types
        .terms()
        .iter()
        .map(|term| DocumentGroup {
            doc_type: term.slug.clone(),
            label: term.labels.get(lang).to_string(),
            documents: summaries
                .iter()
                .filter(|d| d.doc_type == term.slug)
                .cloned()
                .collect(),
        })
        .filter(|group| !group.documents.is_empty())
        .collect();

    Ok(CountryProfile {
        iso2: country.iso2.clone(),
        iso3: country.iso3.clone(),
        m49: country.m49.clone(),
        name: country.names.get(lang).to_string(),
        names: country.names.clone(),
        un_status: country.un_status.clone(),
        region_path: region_path(&geography, country.region.as_deref(), lang),
        lang,
        instruments,
        adherence,
        data_date: data.data_date().to_string(),
        credits,
        documents,
        document_count,
    })
}

/// The profile of a region given by slug (or label).
pub fn region_profile(
    kb: &KnowledgeBase,
    region: &str,
    lang: Lang,
) -> Result<RegionProfile, ProfileError> {
    let taxonomy = kb.taxonomy();
    let geography = taxonomy.geography.clone();
    let region = resolve_region(&geography, region)?;
    let data = TreatyData::load(kb.store())?;

    let mut states: Vec<&Country> = geography
        .countries()
        .iter()
        .filter(|c| c.un_status != "other")
        .filter(|c| {
            c.region
                .as_deref()
                .is_some_and(|r| geography.region_path(r).contains(&region.slug.as_str()))
        })
        .collect();
    states.sort_by_key(|c| import::name_key(c.names.get(lang)));

    let mut instruments: Vec<RegionInstrument> = taxonomy
        .instruments
        .terms()
        .iter()
        .map(|term| RegionInstrument {
            instrument: term.slug.clone(),
            label: term.labels.get(lang).to_string(),
            treaty: term.untc.clone(),
            has_data: term.untc.as_deref().is_some_and(|t| data.has_data(t)),
            party: 0,
            signed_only: 0,
            not_in_data: 0,
        })
        .collect();
    let mut provenances = Vec::new();
    let mut countries = Vec::with_capacity(states.len());
    for state in &states {
        let statuses = instrument_statuses(&taxonomy, &data, &state.iso3, lang);
        for (total, status) in instruments.iter_mut().zip(&statuses) {
            match &status.status {
                TreatyStatus::Party { .. } => total.party += 1,
                TreatyStatus::SignedOnly { .. } => total.signed_only += 1,
                TreatyStatus::NoData {
                    reason: NoDataReason::NotInData,
                } => total.not_in_data += 1,
                TreatyStatus::NoData { .. } => {}
            }
        }
        provenances.extend(statuses.iter().filter_map(|s| s.provenance.clone()));
        countries.push(CountryAdherence {
            iso2: state.iso2.clone(),
            iso3: state.iso3.clone(),
            name: state.names.get(lang).to_string(),
            region: state.region.clone(),
            un_status: state.un_status.clone(),
            adherence: Adherence::count(&statuses),
        });
    }

    let request = SearchRequest::default()
        .filter(FacetGroup::Region, &region.slug)
        .filter(FacetGroup::Type, "law")
        .filter(FacetGroup::Shareable, "yes");
    let shareable_laws = documents(kb, &request, &geography, lang)?;

    let mut path = region_path(&geography, Some(&region.slug), lang);
    path.pop();
    Ok(RegionProfile {
        region: region.slug.clone(),
        label: region.labels.get(lang).to_string(),
        region_path: path,
        subregions: geography
            .region_children(Some(&region.slug))
            .map(|r| RegionRef {
                slug: r.slug.clone(),
                label: r.labels.get(lang).to_string(),
            })
            .collect(),
        lang,
        countries,
        instruments,
        shareable_laws,
        data_date: data.data_date().to_string(),
        credits: credits(&data, provenances.iter()),
    })
}

/// The active documents matching `request`, in the search's order.
fn documents(
    kb: &KnowledgeBase,
    request: &SearchRequest,
    geography: &Geography,
    lang: Lang,
) -> Result<Vec<DocumentSummary>, ProfileError> {
    let mut summaries = Vec::new();
    for id in kb.search_all_ids(request)? {
        if let Some(record) = kb.store().get(&id)? {
            if !record.withdrawn {
                summaries.push(DocumentSummary::new(&record.meta, geography, lang));
            }
        }
    }
    Ok(summaries)
}

fn region_path(geography: &Geography, slug: Option<&str>, lang: Lang) -> Vec<RegionRef> {
    slug.map(|s| geography.region_path(s))
        .unwrap_or_default()
        .into_iter()
        .map(|slug| RegionRef {
            slug: slug.to_string(),
            label: geography.region_label(slug, lang).to_string(),
        })
        .collect()
}

/// The credit line of the built-in data, then one per import that the view shows.
fn credits<'a>(data: &TreatyData, shown: impl Iterator<Item = &'a Provenance>) -> Vec<String> {
    let mut credits = vec![Provenance::Builtin {
        data_date: data.data_date().to_string(),
    }
    .describe()];
    for provenance in shown {
        let line = provenance.describe();
        if !credits.contains(&line) {
            credits.push(line);
        }
    }
    credits
}

fn t(lang: Lang, [en, fr, es]: [&'static str; 3]) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
        Lang::Es => es,
    }
}

/// A country profile as plain text, for the terminal.
pub fn country_profile_text(profile: &CountryProfile) -> String {
    let lang = profile.lang;
    let mut out = String::new();
    let others: Vec<&str> = profile
        .names
        .all()
        .into_iter()
        .filter(|n| *n != profile.name)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let _ = write!(out, "{} ({}, {})", profile.name, profile.iso2, profile.iso3);
    if !others.is_empty() {
        let _ = write!(out, " · {}", others.join(" · "));
    }
    out.push('\n');
    let path: Vec<&str> = profile
        .region_path
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    let _ = writeln!(
        out,
        "{}: {}",
        t(lang, ["Region", "Région", "Región"]),
        if path.is_empty() {
            "—".to_string()
        } else {
            path.join(" › ")
        }
    );
    let _ = writeln!(
        out,
        "\n{}: {}",
        t(
            lang,
            [
                "International instruments",
                "Instruments internationaux",
                "Instrumentos internacionales"
            ]
        ),
        profile.adherence.summary(lang)
    );
    for credit in &profile.credits {
        let _ = writeln!(out, "  {credit}");
    }
    out.push('\n');
    let not_linked: Vec<&str> = profile
        .instruments
        .iter()
        .filter(|i| {
            i.status
                == TreatyStatus::NoData {
                    reason: NoDataReason::NotLinked,
                }
        })
        .map(|i| i.label.as_str())
        .collect();
    for status in &profile.instruments {
        if not_linked.contains(&status.label.as_str()) {
            continue;
        }
        let _ = writeln!(out, "  {:<16} {}", status.status_label, status.label);
        let mut detail = status.detail.clone();
        if let Some(provenance @ Provenance::Imported { .. }) = &status.provenance {
            detail.push_str(&format!(" · {}", provenance.describe()));
        }
        let _ = writeln!(out, "  {:<16} {detail}", "");
        if let Some(url) = &status.source_url {
            let _ = writeln!(out, "  {:<16} {url}", "");
        }
    }
    if !not_linked.is_empty() {
        let _ = writeln!(
            out,
            "  {}: {}",
            t(
                lang,
                [
                    "No participation data for",
                    "Pas de données de participation pour",
                    "Sin datos de participación para"
                ]
            ),
            not_linked.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} ({})",
        t(
            lang,
            [
                "Documents in the knowledge base",
                "Documents de la base de connaissances",
                "Documentos de la base de conocimientos"
            ]
        ),
        profile.document_count
    );
    for group in &profile.documents {
        let _ = writeln!(out, "  {} ({})", group.label, group.documents.len());
        for document in &group.documents {
            let _ = writeln!(
                out,
                "    {} ({}) · {}",
                document.title, document.year, document.id
            );
            if let Some(shareable) = document.shareable {
                let verdict = match (shareable, lang) {
                    (true, Lang::En) => "shareable",
                    (false, Lang::En) => "not judged shareable",
                    (true, Lang::Fr) => "partageable",
                    (false, Lang::Fr) => "non jugée partageable",
                    (true, Lang::Es) => "compartible",
                    (false, Lang::Es) => "no se considera compartible",
                };
                match &document.shareable_note {
                    Some(note) => {
                        let _ = writeln!(out, "      {verdict}: {note}");
                    }
                    None => {
                        let _ = writeln!(out, "      {verdict}");
                    }
                }
            }
        }
    }
    out
}

/// A region profile as plain text, for the terminal.
pub fn region_profile_text(profile: &RegionProfile) -> String {
    let lang = profile.lang;
    let mut out = String::new();
    let mut path: Vec<&str> = profile
        .region_path
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    path.push(&profile.label);
    let _ = writeln!(out, "{} ({})", path.join(" › "), profile.region);
    if !profile.subregions.is_empty() {
        let subregions: Vec<&str> = profile.subregions.iter().map(|r| r.slug.as_str()).collect();
        let _ = writeln!(
            out,
            "{}: {}",
            t(lang, ["Sub-regions", "Sous-régions", "Subregiones"]),
            subregions.join(", ")
        );
    }
    for credit in &profile.credits {
        let _ = writeln!(out, "  {credit}");
    }
    let _ = writeln!(
        out,
        "\n{} ({}): {}",
        t(lang, ["States", "États", "Estados"]),
        profile.countries.len(),
        t(
            lang,
            [
                "party / instruments with data (signed only, not found in the data)",
                "partie / instruments avec données (signés seulement, absent des données)",
                "parte / instrumentos con datos (solo firmados, no figura en los datos)"
            ]
        )
    );
    let width = profile
        .countries
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for country in &profile.countries {
        let a = &country.adherence;
        let _ = writeln!(
            out,
            "  {} {:<width$} {:>2} / {:<2} ({}, {})",
            country.iso3, country.name, a.party, a.with_data, a.signed_only, a.not_in_data
        );
    }
    let _ = writeln!(
        out,
        "\n{}",
        t(
            lang,
            [
                "Instruments: States party (signed only, not found in the data)",
                "Instruments : États parties (signés seulement, absents des données)",
                "Instrumentos: Estados parte (solo firmados, no figuran en los datos)"
            ]
        )
    );
    for instrument in profile.instruments.iter().filter(|i| i.has_data) {
        let counts = format!("({}, {})", instrument.signed_only, instrument.not_in_data);
        let _ = writeln!(
            out,
            "  {:>3} {counts:<9} {}",
            instrument.party, instrument.label
        );
    }
    let without: Vec<&str> = profile
        .instruments
        .iter()
        .filter(|i| !i.has_data)
        .map(|i| i.label.as_str())
        .collect();
    if !without.is_empty() {
        let _ = writeln!(
            out,
            "  {}: {}",
            t(
                lang,
                [
                    "No participation data",
                    "Pas de données de participation",
                    "Sin datos de participación"
                ]
            ),
            without.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} ({})",
        t(
            lang,
            [
                "Laws judged shareable",
                "Lois jugées partageables",
                "Leyes consideradas compartibles"
            ]
        ),
        profile.shareable_laws.len()
    );
    for law in &profile.shareable_laws {
        let _ = writeln!(
            out,
            "  {} ({}) · {} · {}",
            law.title,
            law.year,
            if law.country_names.is_empty() {
                "—".to_string()
            } else {
                law.country_names.join(", ")
            },
            law.id
        );
        if let Some(note) = &law.shareable_note {
            let _ = writeln!(out, "    {note}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kenya_statuses() -> Vec<InstrumentStatus> {
        instrument_statuses(
            &Taxonomy::builtin(),
            &TreatyData::builtin(),
            "KEN",
            Lang::En,
        )
    }

    #[test]
    fn every_taxonomy_instrument_gets_a_status_in_taxonomy_order() {
        let taxonomy = Taxonomy::builtin();
        let statuses = kenya_statuses();
        let slugs: Vec<&str> = statuses.iter().map(|s| s.instrument.as_str()).collect();
        assert_eq!(slugs, taxonomy.instruments.slugs().collect::<Vec<_>>());
    }

    #[test]
    fn kenya_acceded_to_icerd_in_2001_with_the_un_source() {
        let statuses = kenya_statuses();
        let icerd = statuses.iter().find(|s| s.instrument == "icerd").unwrap();
        assert_eq!(
            icerd.status,
            TreatyStatus::Party {
                action: Action::Accession,
                date: Some("2001-09-13".into()),
                signature_date: None,
            }
        );
        assert_eq!(icerd.detail, "accession 2001-09-13");
        assert!(icerd
            .source_url
            .as_deref()
            .unwrap()
            .contains("mtdsg_no=IV-2"));
        assert_eq!(
            icerd.provenance,
            Some(Provenance::Builtin {
                data_date: "2026-02-03".into()
            })
        );
    }

    #[test]
    fn instruments_without_data_are_no_data_with_their_reason() {
        let statuses = kenya_statuses();
        let reason = |slug: &str| match &statuses
            .iter()
            .find(|s| s.instrument == slug)
            .unwrap()
            .status
        {
            TreatyStatus::NoData { reason } => *reason,
            other => panic!("{slug}: {other:?}"),
        };
        for slug in [
            "genocide-convention",
            "rome-statute",
            "geneva-conventions",
            "geneva-protocols",
        ] {
            assert_eq!(reason(slug), NoDataReason::NoTreatyData);
        }
        assert_eq!(reason("african-charter"), NoDataReason::NotLinked);
    }

    /// A taxonomy whose instruments are chosen for the test, so that adding instruments to the
    /// shipped taxonomy does not change the expected counts.
    fn small_taxonomy() -> Taxonomy {
        let instrument = |slug: &str, untc: Option<&str>| {
            let untc = untc.map(|u| format!(", untc: {u}")).unwrap_or_default();
            format!(
                "  - {{ slug: {slug}, labels: {{ en: {slug}, fr: {slug}, es: {slug} }}{untc} }}\n"
            )
        };
        let yaml = format!(
            "types: []\nthemes: []\nmechanism_types: []\ninstruments:\n{}{}{}{}{}{}languages:\n  - {{ slug: en, labels: {{ en: English, fr: Anglais, es: Inglés }} }}\nstatuses: []\ncompositions: []\n",
            instrument("icerd", Some("cerd")),
            instrument("iccpr", Some("iccpr")),
            instrument("ced", Some("ced")),
            instrument("arms-trade-treaty", Some("att")),
            instrument("genocide-convention", Some("genocide")),
            instrument("african-charter", None),
        );
        Taxonomy::from_yaml(&yaml).unwrap()
    }

    #[test]
    fn adherence_counts_only_instruments_with_data() {
        // Kenya in participation.csv: CERD accession, ICCPR accession, CED signature only, no
        // ATT row; the Genocide Convention has no data; the African Charter no treaty link.
        let statuses =
            instrument_statuses(&small_taxonomy(), &TreatyData::builtin(), "KEN", Lang::En);
        let adherence = Adherence::count(&statuses);
        assert_eq!(
            adherence,
            Adherence {
                party: 2,
                signed_only: 1,
                not_in_data: 1,
                with_data: 4,
                without_data: 2,
                instruments: 6,
            }
        );
        assert_eq!(
            adherence.summary(Lang::En),
            "party to 2 of 4 instruments with data (1 signed only, 1 not found in the data); 2 instruments without data"
        );
    }

    #[test]
    fn kenya_is_party_to_the_treaties_its_rows_record_in_the_shipped_taxonomy() {
        let statuses = kenya_statuses();
        let status = |slug: &str| {
            statuses
                .iter()
                .find(|s| s.instrument == slug)
                .unwrap()
                .status
                .key()
        };
        for slug in [
            "cat",
            "cedaw",
            "icerd",
            "crc",
            "crc-op-ac",
            "crpd",
            "iccpr",
            "icescr",
        ] {
            assert_eq!(status(slug), "party", "{slug}");
        }
        assert_eq!(status("ced"), "signed_only");
        assert_eq!(status("opcat"), "no_data");
        let adherence = Adherence::count(&statuses);
        assert_eq!(
            adherence.with_data + adherence.without_data,
            adherence.instruments
        );
    }

    #[test]
    fn countries_resolve_by_code_or_name_and_unknown_ones_suggest() {
        let geography = Geography::builtin();
        assert_eq!(resolve_country(&geography, "ke").unwrap().iso3, "KEN");
        assert_eq!(resolve_country(&geography, "KEN").unwrap().iso3, "KEN");
        assert_eq!(resolve_country(&geography, "Türkiye").unwrap().iso3, "TUR");
        assert_eq!(
            resolve_country(&geography, "États-Unis d'Amérique")
                .unwrap()
                .iso3,
            "USA"
        );
        let error = resolve_country(&geography, "Keny").unwrap_err().to_string();
        assert!(
            error.starts_with("country: unknown country \"Keny\""),
            "{error}"
        );
        assert!(error.contains("did you mean Kenya (KEN)?"), "{error}");
    }

    #[test]
    fn regions_resolve_by_slug_or_label_and_unknown_ones_suggest() {
        let geography = Geography::builtin();
        assert_eq!(resolve_region(&geography, "asia").unwrap().slug, "asia");
        assert_eq!(
            resolve_region(&geography, "South-eastern Asia")
                .unwrap()
                .slug,
            "south-eastern-asia"
        );
        assert_eq!(
            resolve_region(&geography, "Afrique orientale")
                .unwrap()
                .slug,
            "eastern-africa"
        );
        let error = resolve_region(&geography, "eastern-afrika")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("region: unknown region"), "{error}");
        assert!(error.contains("did you mean eastern-africa?"), "{error}");
    }

    #[test]
    fn statuses_are_labelled_in_the_requested_language() {
        let statuses = instrument_statuses(
            &Taxonomy::builtin(),
            &TreatyData::builtin(),
            "KEN",
            Lang::Fr,
        );
        let icerd = statuses.iter().find(|s| s.instrument == "icerd").unwrap();
        assert_eq!(icerd.status_label, "Partie");
        assert_eq!(icerd.detail, "adhésion 2001-09-13");
        assert!(icerd.label.starts_with("Convention internationale"));
    }

    #[test]
    fn instrument_status_json_is_flat() {
        let statuses = kenya_statuses();
        let json = serde_json::to_value(statuses.iter().find(|s| s.instrument == "icerd").unwrap())
            .unwrap();
        assert_eq!(json["status"], "party");
        assert_eq!(json["action"], "accession");
        assert_eq!(json["treaty"], "cerd");
        assert_eq!(json["provenance"]["kind"], "builtin");
    }
}
