//! Country and regional profiles: which international instruments a State adheres to, as far
//! as the treaty data tells, and what the knowledge base holds about it.
//!
//! GAAMAC's Asia group asked for "country profiles showing how many international standards
//! each country adheres to and which laws can be shared within a region". A profile lists every
//! instrument of the taxonomy with the State's status ([`TreatyStatus`]), counts adherence only
//! over instruments that have data, and never turns a missing row into "not a party". The
//! treaty data ([`treaties`]) is compiled in and overlaid by curator imports ([`import`]);
//! documents come from the knowledge base's search index and store. No HTTP here.

mod common;
pub(crate) mod context;
mod error;
pub(crate) mod import;
pub(crate) mod laws;
pub(crate) mod treaties;

use serde::{Deserialize, Serialize};

pub(crate) use common::region_path;
pub use common::{resolve_country, DocumentSummary, InstrumentStatus, RegionRef};
pub(crate) use error::ProfileError;
pub use import::{import_treaties, ImportOptions, ImportReport};
pub use laws::{find_laws, Gap, LawFinder, LawQuery, LawSuggestion};
pub use treaties::{
    Action, Coverage, NoDataReason, Participation, Provenance, Treaty, TreatyData, TreatyStatus,
    Withdrawal,
};

use crate::geography::{Country, Geography};
use crate::index::{FacetGroup, SearchRequest};
use crate::taxonomy::{closest, Basket, Labels, Lang, Taxonomy};
use crate::KnowledgeBase;

/// How many instruments of a set a State adheres to, counted only where there is data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adherence {
    /// Instruments the State is bound by (a notified withdrawal not yet in effect included).
    pub party: usize,
    /// Instruments it withdrew from (withdrawal in effect at the data date).
    pub withdrawn: usize,
    /// Instruments it signed without (recorded) ratification.
    pub signed_only: usize,
    /// Instruments whose complete list does not name it: not a party as of the data date.
    pub not_party: usize,
    /// Instruments whose incomplete list does not name it (not evidence either way).
    pub not_in_data: usize,
    /// Instruments whose treaty has participation data:
    /// `party + withdrawn + signed_only + not_party + not_in_data`.
    pub with_data: usize,
    /// Instruments without participation data (not linked to a treaty, or no data yet).
    pub without_data: usize,
    /// Every instrument counted.
    pub instruments: usize,
}

impl Adherence {
    /// Counts the statuses given (the caller picks the set: a basket, or every instrument).
    pub(crate) fn count<'a>(statuses: impl IntoIterator<Item = &'a TreatyStatus>) -> Adherence {
        let mut adherence = Adherence::default();
        for status in statuses {
            adherence.instruments += 1;
            match status {
                TreatyStatus::Party { .. } => adherence.party += 1,
                TreatyStatus::Withdrawn { .. } => adherence.withdrawn += 1,
                TreatyStatus::SignedOnly { .. } => adherence.signed_only += 1,
                TreatyStatus::NotParty { .. } => adherence.not_party += 1,
                TreatyStatus::NoData {
                    reason: NoDataReason::NotInData,
                } => adherence.not_in_data += 1,
                TreatyStatus::NoData { .. } => adherence.without_data += 1,
            }
        }
        adherence.with_data = adherence.party
            + adherence.withdrawn
            + adherence.signed_only
            + adherence.not_party
            + adherence.not_in_data;
        adherence
    }

    /// "party to 6 of 10 instruments (8 with data)".
    pub fn headline(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!(
                "party to {} of {} instruments ({} with data)",
                self.party, self.instruments, self.with_data
            ),
            Lang::Fr => format!(
                "partie à {} des {} instruments ({} avec données)",
                self.party, self.instruments, self.with_data
            ),
            Lang::Es => format!(
                "parte en {} de {} instrumentos ({} con datos)",
                self.party, self.instruments, self.with_data
            ),
        }
    }

    #[cfg(test)]
    /// "party to 14 of 16 instruments with data (1 signed only, 1 not found in the data)".
    pub(crate) fn summary(&self, lang: Lang) -> String {
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

/// The documents of one type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentGroup {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub label: String,
    pub documents: Vec<DocumentSummary>,
}

/// A basket of instruments, as a profile shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketRef {
    pub slug: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    /// Instrument slugs.
    pub(crate) instruments: Vec<String>,
    pub(crate) default: bool,
}

impl BasketRef {
    fn new(basket: &Basket, lang: Lang) -> BasketRef {
        BasketRef {
            slug: basket.slug.clone(),
            label: basket.labels.get(lang).to_string(),
            description: basket.description.as_ref().map(|d| d.get(lang).to_string()),
            instruments: basket.instruments.clone(),
            default: basket.default,
        }
    }
}

/// Where a State stands in one of its regions on a basket: its rank by number of instruments
/// it is party to (1 = most; States with equal counts share a rank), and the region's median.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub region: RegionRef,
    /// UN member and observer States of the region.
    pub states: usize,
    pub rank: usize,
    /// How many States share that rank (1 when alone).
    pub tied: usize,
    pub(crate) party: usize,
    pub median: f64,
}

/// Everything Praxis knows about one country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryProfile {
    pub iso2: String,
    pub iso3: String,
    pub(crate) m49: String,
    /// The name in the profile's language, and in all three.
    pub name: String,
    pub names: Labels,
    /// `member`, `observer` or `other`.
    pub(crate) un_status: String,
    /// From the top-level region down to the most specific one.
    pub region_path: Vec<RegionRef>,
    pub lang: Lang,
    /// The basket adherence is counted over, and every basket there is to choose from.
    pub basket: BasketRef,
    pub(crate) baskets: Vec<BasketRef>,
    /// Every instrument of the taxonomy, the basket's first (in basket order), then the
    /// others in taxonomy order.
    pub instruments: Vec<InstrumentStatus>,
    /// Adherence over the basket.
    pub adherence: Adherence,
    /// Rank and median in each region of `region_path`, most specific first.
    pub standings: Vec<Standing>,
    /// The date the UN Treaty Collection human-rights and arms-control data reflects; each
    /// instrument carries its own `data_date`.
    pub data_date: String,
    /// How to credit the treaty data, including any imports this profile shows.
    pub credits: Vec<String>,
    /// Economy, geography, climate, armed conflict and legal infrastructure, each figure with
    /// its year and source (UN member and observer States only).
    pub context: Option<context::CountryContext>,
    /// Basket instruments the State is party to with no implementing law of it in Praxis,
    /// each with laws of other States that implement it.
    pub gaps: Vec<Gap>,
    /// Documents about the country, grouped by type in taxonomy order (empty groups omitted).
    pub documents: Vec<DocumentGroup>,
    pub document_count: usize,
    /// The networks whose documents list the State among their members.
    #[serde(default)]
    pub networks: Vec<crate::networks::Membership>,
}

/// A State's adherence over a basket, for regional tables, rankings and maps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryAdherence {
    pub(crate) iso2: String,
    pub iso3: String,
    pub(crate) m49: String,
    pub name: String,
    /// The most specific region slug.
    pub(crate) region: Option<String>,
    pub un_status: String,
    pub adherence: Adherence,
}

/// How the States of a region stand on one instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionInstrument {
    pub instrument: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) treaty: Option<String>,
    pub(crate) in_basket: bool,
    /// Whether the treaty has participation data; the counts are 0 when it has none.
    pub has_data: bool,
    pub party: usize,
    pub(crate) withdrawn: usize,
    pub signed_only: usize,
    pub(crate) not_party: usize,
    pub not_in_data: usize,
}

/// A region: its States' adherence, and the laws from it judged shareable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionProfile {
    pub region: String,
    pub label: String,
    pub region_path: Vec<RegionRef>,
    pub subregions: Vec<RegionRef>,
    pub lang: Lang,
    pub(crate) basket: BasketRef,
    /// UN member and observer States of the region (territories are left out: treaties
    /// are joined by States), by name; adherence over the basket.
    pub countries: Vec<CountryAdherence>,
    /// The median number of the basket's instruments the region's States are party to.
    pub(crate) median: f64,
    /// Every instrument of the taxonomy, with how many of the region's States are party.
    pub instruments: Vec<RegionInstrument>,
    /// Laws about the region's countries (or the region itself) that curators judge
    /// shareable, newest first.
    pub shareable_laws: Vec<DocumentSummary>,
    pub(crate) data_date: String,
    pub credits: Vec<String>,
}

/// What a profile is asked for: its language and the basket to count adherence over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileOptions {
    pub lang: Lang,
    /// A basket slug; `None` for the taxonomy's default basket.
    pub basket: Option<String>,
}

impl ProfileOptions {
    pub fn new(lang: Lang) -> ProfileOptions {
        ProfileOptions { lang, basket: None }
    }

    pub fn basket(mut self, basket: &str) -> ProfileOptions {
        self.basket = Some(basket.to_string());
        self
    }
}

/// Finds a region by slug, or by label in any language ("South-eastern Asia", "Asie").
pub(crate) fn resolve_region<'a>(
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

/// The basket `slug` asks for, else the taxonomy's default. A taxonomy without baskets (a
/// corpus's own) gets one made of every instrument linked to treaty data.
pub(crate) fn resolve_basket(
    taxonomy: &Taxonomy,
    slug: Option<&str>,
) -> Result<Basket, ProfileError> {
    match slug.map(str::trim).filter(|s| !s.is_empty()) {
        Some(slug) => taxonomy
            .basket(&slug.to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| ProfileError::UnknownBasket {
                value: slug.to_string(),
                allowed: taxonomy.baskets.iter().map(|b| b.slug.clone()).collect(),
            }),
        None => Ok(taxonomy
            .default_basket()
            .cloned()
            .unwrap_or_else(|| Basket {
                slug: "linked-instruments".to_string(),
                labels: Labels {
                    en: "Instruments with treaty data".to_string(),
                    fr: "Instruments avec données conventionnelles".to_string(),
                    es: "Instrumentos con datos de tratados".to_string(),
                },
                description: None,
                instruments: taxonomy
                    .instruments
                    .terms()
                    .iter()
                    .filter(|t| t.untc.is_some())
                    .map(|t| t.slug.clone())
                    .collect(),
                default: true,
            })),
    }
}

/// Every basket of the taxonomy, labelled.
pub(crate) fn baskets(taxonomy: &Taxonomy, lang: Lang) -> Vec<BasketRef> {
    taxonomy
        .baskets
        .iter()
        .map(|b| BasketRef::new(b, lang))
        .collect()
}

/// The States whose adherence is counted: UN member and observer States (territories do
/// not join treaties in their own name).
pub(crate) fn states(geography: &Geography) -> Vec<&Country> {
    geography
        .countries()
        .iter()
        .filter(|c| c.un_status != "other")
        .collect()
}

/// The status of `iso3` under one instrument.
pub(crate) fn instrument_status(
    term: &crate::taxonomy::Term,
    data: &TreatyData,
    iso3: &str,
    in_basket: bool,
    lang: Lang,
) -> InstrumentStatus {
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
        (None, Some(treaty)) if !treaty.source_url.is_empty() => {
            (Some(treaty.source_url.clone()), None)
        }
        _ => (None, None),
    };
    let withdrawal = term
        .untc
        .as_deref()
        .and_then(|t| data.withdrawal(iso3, t))
        .filter(|_| {
            matches!(
                status,
                TreatyStatus::Withdrawn { .. }
                    | TreatyStatus::Party {
                        withdrawal_effective: Some(_),
                        ..
                    }
            )
        });
    let mut detail = status.describe(lang);
    if let (
        TreatyStatus::NoData {
            reason: NoDataReason::NoTreatyData,
        },
        Some(treaty),
    ) = (&status, treaty)
    {
        // The treaty's note says why (the Geneva Conventions: the depositary is Switzerland).
        detail = data_text(&treaty.coverage_note, lang);
    }
    InstrumentStatus {
        instrument: term.slug.clone(),
        label: term.labels.get(lang).to_string(),
        treaty: term.untc.clone(),
        in_basket,
        status_label: status.label(lang).to_string(),
        headline: status.headline(lang),
        detail,
        status,
        // A withdrawal's own source (the ICC's statement for Hungary) is where to check it.
        source_url: withdrawal.map(|w| w.source_url.clone()).or(source_url),
        source_name: treaty.map(|t| data_text(&t.source_name, lang)),
        data_date: treaty.and_then(|t| t.data_date.clone()),
        coverage: treaty.map(|t| t.coverage),
        data_note: treaty.map(|t| data_text(&t.coverage_note, lang)),
        stale: treaty.is_some_and(Treaty::is_stale),
        provenance,
    }
}

/// A note or source name of the treaty data (English, as the data file holds it) in `lang`; as
/// written when the catalogue has no translation (a curator's import names its file).
fn data_text(english: &str, lang: Lang) -> String {
    crate::catalogue::translate(crate::catalogue::Section::DataNotes, english, lang)
        .unwrap_or(english)
        .to_string()
}

/// Every instrument of the taxonomy with the status of `iso3` under it: the basket's first
/// (in basket order), then the others in taxonomy order.
pub(crate) fn instrument_statuses(
    taxonomy: &Taxonomy,
    data: &TreatyData,
    basket: &Basket,
    iso3: &str,
    lang: Lang,
) -> Vec<InstrumentStatus> {
    let in_basket = basket
        .instruments
        .iter()
        .filter_map(|slug| taxonomy.instruments.get(slug))
        .map(|term| instrument_status(term, data, iso3, true, lang));
    let others = taxonomy
        .instruments
        .terms()
        .iter()
        .filter(|term| !basket.instruments.contains(&term.slug))
        .map(|term| instrument_status(term, data, iso3, false, lang));
    in_basket.chain(others).collect()
}

/// A State's adherence over a basket.
pub(crate) fn basket_adherence(
    taxonomy: &Taxonomy,
    data: &TreatyData,
    basket: &Basket,
    iso3: &str,
) -> Adherence {
    let statuses: Vec<TreatyStatus> = basket
        .instruments
        .iter()
        .filter_map(|slug| taxonomy.instruments.get(slug))
        .map(|term| match term.untc.as_deref() {
            Some(treaty) => data.status(iso3, treaty),
            None => TreatyStatus::NoData {
                reason: NoDataReason::NotLinked,
            },
        })
        .collect();
    Adherence::count(&statuses)
}

/// Every State's adherence over a basket, by name in `lang` (for rankings, region tables and
/// maps).
pub(crate) fn adherence_table(
    taxonomy: &Taxonomy,
    data: &TreatyData,
    basket: &Basket,
    lang: Lang,
) -> Vec<CountryAdherence> {
    let geography = &taxonomy.geography;
    let mut table: Vec<CountryAdherence> = states(geography)
        .into_iter()
        .map(|state| CountryAdherence {
            iso2: state.iso2.clone(),
            iso3: state.iso3.clone(),
            m49: state.m49.clone(),
            name: state.names.get(lang).to_string(),
            region: state.region.clone(),
            un_status: state.un_status.clone(),
            adherence: basket_adherence(taxonomy, data, basket, &state.iso3),
        })
        .collect();
    table.sort_by_key(|c| import::name_key(&c.name));
    table
}

/// Whether a State's most specific region lies within `region` (or is it).
fn in_region(geography: &Geography, state_region: Option<&str>, region: &str) -> bool {
    state_region.is_some_and(|r| geography.region_path(r).contains(&region))
}

/// The median of some counts (0 for none).
pub(crate) fn median(counts: &mut [usize]) -> f64 {
    counts.sort_unstable();
    match counts.len() {
        0 => 0.0,
        n if n % 2 == 1 => counts[n / 2] as f64,
        n => (counts[n / 2 - 1] + counts[n / 2]) as f64 / 2.0,
    }
}

/// Where `iso3` stands in each region of its path (most specific first), by party count.
pub(crate) fn standings(
    geography: &Geography,
    table: &[CountryAdherence],
    iso3: &str,
    lang: Lang,
) -> Vec<Standing> {
    let Some(me) = table.iter().find(|c| c.iso3 == iso3) else {
        return Vec::new();
    };
    let mut path = region_path(geography, me.region.as_deref(), lang);
    path.reverse();
    path.into_iter()
        .map(|region| {
            let peers: Vec<&CountryAdherence> = table
                .iter()
                .filter(|c| in_region(geography, c.region.as_deref(), &region.slug))
                .collect();
            let party = me.adherence.party;
            let above = peers.iter().filter(|c| c.adherence.party > party).count();
            let tied = peers.iter().filter(|c| c.adherence.party == party).count();
            let mut counts: Vec<usize> = peers.iter().map(|c| c.adherence.party).collect();
            Standing {
                states: peers.len(),
                rank: above + 1,
                tied,
                party,
                median: median(&mut counts),
                region,
            }
        })
        .collect()
}

/// The profile of a country given by code or name.
pub fn country_profile(
    kb: &KnowledgeBase,
    country: &str,
    options: &ProfileOptions,
) -> Result<CountryProfile, ProfileError> {
    let lang = options.lang;
    let taxonomy = kb.taxonomy();
    let geography = taxonomy.geography.clone();
    let country = resolve_country(&geography, country)?;
    let basket = resolve_basket(&taxonomy, options.basket.as_deref())?;
    let data = TreatyData::load(kb.store())?;
    let instruments = instrument_statuses(&taxonomy, &data, &basket, &country.iso3, lang);
    let adherence = Adherence::count(
        instruments
            .iter()
            .filter(|i| i.in_basket)
            .map(|i| &i.status),
    );
    let table = adherence_table(&taxonomy, &data, &basket, lang);
    let standings = standings(&geography, &table, &country.iso3, lang);
    let credits = credits(
        &data,
        instruments.iter().filter_map(|i| i.provenance.as_ref()),
        lang,
    );

    let gaps = laws::gap_analysis(&taxonomy, country, &instruments, &laws::all_laws(kb)?, lang);

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

    let networks = match crate::networks::country_networks(kb, &country.iso3) {
        Ok(networks) => networks,
        Err(crate::networks::NetworkError::Store(error)) => return Err(error.into()),
        Err(crate::networks::NetworkError::Search(error)) => return Err(error.into()),
        // Listing looks up no id, so nothing can be missing.
        Err(crate::networks::NetworkError::NotFound(_)) => Vec::new(),
    };
    Ok(CountryProfile {
        iso2: country.iso2.clone(),
        iso3: country.iso3.clone(),
        m49: country.m49.clone(),
        name: country.names.get(lang).to_string(),
        names: country.names.clone(),
        un_status: country.un_status.clone(),
        region_path: region_path(&geography, country.region.as_deref(), lang),
        lang,
        basket: BasketRef::new(&basket, lang),
        baskets: baskets(&taxonomy, lang),
        instruments,
        adherence,
        standings,
        data_date: data.data_date().to_string(),
        credits,
        context: context::CountryContext::for_country(&geography, &country.iso3, lang),
        gaps,
        documents,
        document_count,
        networks,
    })
}

/// The profile of a region given by slug (or label).
pub fn region_profile(
    kb: &KnowledgeBase,
    region: &str,
    options: &ProfileOptions,
) -> Result<RegionProfile, ProfileError> {
    let lang = options.lang;
    let taxonomy = kb.taxonomy();
    let geography = taxonomy.geography.clone();
    let region = resolve_region(&geography, region)?;
    let basket = resolve_basket(&taxonomy, options.basket.as_deref())?;
    let data = TreatyData::load(kb.store())?;

    let mut states: Vec<&Country> = states(&geography)
        .into_iter()
        .filter(|c| in_region(&geography, c.region.as_deref(), &region.slug))
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
            in_basket: basket.instruments.contains(&term.slug),
            has_data: term.untc.as_deref().is_some_and(|t| data.has_data(t)),
            party: 0,
            withdrawn: 0,
            signed_only: 0,
            not_party: 0,
            not_in_data: 0,
        })
        .collect();
    let mut provenances = Vec::new();
    let mut countries = Vec::with_capacity(states.len());
    for state in &states {
        let statuses: Vec<InstrumentStatus> = taxonomy
            .instruments
            .terms()
            .iter()
            .map(|term| {
                let in_basket = basket.instruments.contains(&term.slug);
                instrument_status(term, &data, &state.iso3, in_basket, lang)
            })
            .collect();
        for (total, status) in instruments.iter_mut().zip(&statuses) {
            match &status.status {
                TreatyStatus::Party { .. } => total.party += 1,
                TreatyStatus::Withdrawn { .. } => total.withdrawn += 1,
                TreatyStatus::NotParty { .. } => total.not_party += 1,
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
            m49: state.m49.clone(),
            adherence: Adherence::count(statuses.iter().filter(|s| s.in_basket).map(|s| &s.status)),
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
        basket: BasketRef::new(&basket, lang),
        median: median(
            &mut countries
                .iter()
                .map(|c| c.adherence.party)
                .collect::<Vec<_>>(),
        ),
        countries,
        instruments,
        shareable_laws,
        data_date: data.data_date().to_string(),
        credits: credits(&data, provenances.iter(), lang),
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
                let mut summary = DocumentSummary::new(&record.meta, geography, lang);
                summary.status_label = record
                    .meta
                    .status
                    .as_deref()
                    .map(|s| kb.taxonomy().statuses.label(s, lang).to_string());
                summaries.push(summary);
            }
        }
    }
    Ok(summaries)
}

/// The credit line of the built-in data, then one per import that the view shows.
fn credits<'a>(
    data: &TreatyData,
    shown: impl Iterator<Item = &'a Provenance>,
    lang: Lang,
) -> Vec<String> {
    let mut credits = vec![Provenance::Builtin {
        source: "UN Treaty Collection (treaties.un.org)".to_string(),
        data_date: data.data_date().to_string(),
    }
    .describe(lang)];
    // Each other source and date the view shows (the Rome Statute of 2026-08-22, the OAS...).
    for provenance in shown {
        let line = provenance.describe(lang);
        if !credits.contains(&line) {
            credits.push(line);
        }
    }
    credits
}

#[cfg(test)]
fn t(lang: Lang, [en, fr, es]: [&'static str; 3]) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
        Lang::Es => es,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kenya_statuses() -> Vec<InstrumentStatus> {
        let taxonomy = Taxonomy::builtin();
        let basket = resolve_basket(&taxonomy, None).unwrap();
        instrument_statuses(&taxonomy, &TreatyData::builtin(), &basket, "KEN", Lang::En)
    }

    #[test]
    fn every_taxonomy_instrument_gets_a_status_basket_first() {
        let taxonomy = Taxonomy::builtin();
        let statuses = kenya_statuses();
        let basket = taxonomy.default_basket().unwrap();
        let slugs: Vec<&str> = statuses.iter().map(|s| s.instrument.as_str()).collect();
        assert_eq!(slugs.len(), taxonomy.instruments.terms().len());
        assert_eq!(slugs[..basket.instruments.len()], basket.instruments);
        let others: Vec<&str> = taxonomy
            .instruments
            .slugs()
            .filter(|s| !basket.instruments.iter().any(|b| b == s))
            .collect();
        assert_eq!(slugs[basket.instruments.len()..], others);
        assert!(statuses[..10].iter().all(|s| s.in_basket));
        assert!(!statuses[10..].iter().any(|s| s.in_basket));
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
                withdrawal_effective: None,
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
                source: "UN Treaty Collection (treaties.un.org)".into(),
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
        for slug in ["geneva-conventions", "geneva-protocols"] {
            assert_eq!(reason(slug), NoDataReason::NoTreatyData);
            let status = statuses.iter().find(|s| s.instrument == slug).unwrap();
            assert!(
                status.detail.contains("the depositary is Switzerland"),
                "{}",
                status.detail
            );
        }
        assert_eq!(reason("african-charter"), NoDataReason::NotLinked);
    }

    #[test]
    fn every_treaty_note_and_source_is_said_in_every_language() {
        use crate::catalogue::{translate, Section};
        let taxonomy = Taxonomy::builtin();
        let data = TreatyData::builtin();
        let basket = resolve_basket(&taxonomy, None).unwrap();
        let english = instrument_statuses(&taxonomy, &data, &basket, "KEN", Lang::En);
        let mut checked = 0;
        for lang in [Lang::Fr, Lang::Es] {
            let shown = instrument_statuses(&taxonomy, &data, &basket, "KEN", lang);
            for (en, other) in english.iter().zip(&shown) {
                let Some(treaty) = en.treaty.as_deref().and_then(|t| data.treaty(t)) else {
                    continue;
                };
                for text in [&treaty.coverage_note, &treaty.source_name] {
                    let said = translate(Section::DataNotes, text, lang);
                    assert!(said.is_some(), "{lang:?}: no translation of {text:?}");
                    assert_ne!(said, Some(text.as_str()), "{lang:?}: {text:?} left as is");
                }
                assert_eq!(
                    other.data_note.as_deref(),
                    translate(Section::DataNotes, &treaty.coverage_note, lang)
                );
                assert_eq!(
                    other.source_name.as_deref(),
                    translate(Section::DataNotes, &treaty.source_name, lang)
                );
                checked += 1;
            }
        }
        assert!(checked >= 10, "{checked} instruments with treaty data");
        let spanish = instrument_statuses(&taxonomy, &data, &basket, "KEN", Lang::Es);
        let geneva = spanish
            .iter()
            .find(|s| s.instrument == "geneva-conventions")
            .unwrap();
        assert!(
            geneva.detail.contains("el depositario es Suiza"),
            "{}",
            geneva.detail
        );
        assert!(geneva.source_name.as_deref().unwrap().starts_with("Suiza"));
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
            instrument("geneva-conventions", Some("geneva-conventions")),
            instrument("african-charter", None),
        );
        Taxonomy::from_yaml(&yaml).unwrap()
    }

    #[test]
    fn adherence_counts_only_instruments_with_data() {
        // Kenya in participation.csv: CERD accession, ICCPR accession, CED signature only, no
        // ATT row; the Genocide Convention has no data; the African Charter no treaty link.
        let taxonomy = small_taxonomy();
        let basket = resolve_basket(&taxonomy, None).unwrap();
        assert_eq!(
            basket.instruments.len(),
            5,
            "every instrument linked to a treaty"
        );
        let statuses = taxonomy
            .instruments
            .terms()
            .iter()
            .map(|term| instrument_status(term, &TreatyData::builtin(), "KEN", true, Lang::En))
            .collect::<Vec<_>>();
        let adherence = Adherence::count(statuses.iter().map(|s| &s.status));
        assert_eq!(
            adherence,
            Adherence {
                party: 2,
                withdrawn: 0,
                signed_only: 1,
                not_party: 0,
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
        let adherence = Adherence::count(statuses.iter().map(|s| &s.status));
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
        let taxonomy = Taxonomy::builtin();
        let basket = resolve_basket(&taxonomy, None).unwrap();
        let statuses =
            instrument_statuses(&taxonomy, &TreatyData::builtin(), &basket, "KEN", Lang::Fr);
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

    #[test]
    fn unknown_basket_lists_the_allowed_ones() {
        let error = resolve_basket(&Taxonomy::builtin(), Some("nope"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "basket: unknown basket \"nope\"; use one of atrocity-prevention-core, core-human-rights"
        );
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(&mut [3, 1, 2]), 2.0);
        assert_eq!(median(&mut [4, 1, 2, 3]), 2.5);
        assert_eq!(median(&mut []), 0.0);
    }

    #[test]
    fn standings_rank_by_party_count_with_shared_ranks() {
        let adherence = |party| Adherence {
            party,
            ..Default::default()
        };
        let row = |iso3: &str, region: &str, party| CountryAdherence {
            iso2: String::new(),
            iso3: iso3.to_string(),
            m49: String::new(),
            name: iso3.to_string(),
            region: Some(region.to_string()),
            un_status: "member".to_string(),
            adherence: adherence(party),
        };
        let table = vec![
            row("KEN", "eastern-africa", 5),
            row("TZA", "eastern-africa", 7),
            row("UGA", "eastern-africa", 5),
            row("NGA", "western-africa", 9),
        ];
        let geography = Geography::builtin();
        let standings = standings(&geography, &table, "KEN", Lang::En);
        let slugs: Vec<&str> = standings.iter().map(|s| s.region.slug.as_str()).collect();
        assert_eq!(slugs, ["eastern-africa", "sub-saharan-africa", "africa"]);
        assert_eq!(
            (standings[0].rank, standings[0].tied, standings[0].states),
            (2, 2, 3)
        );
        assert_eq!(standings[0].median, 5.0);
        assert_eq!((standings[2].rank, standings[2].states), (3, 4));
        assert_eq!(standings[2].median, 6.0);
    }
}
