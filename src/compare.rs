//! Side-by-side comparison of 2 to 4 States, or of 2 to 4 documents, for `/compare` and
//! `GET /api/compare`.
//!
//! States: every instrument's status for each State with its dates, the adherence counts, then
//! the national mechanisms in the knowledge base with their structured fields, grouped by
//! mechanism type so that like is set beside like. Documents: their metadata field by field,
//! then their texts section by section, headings aligned where they match. Nothing here turns
//! a missing value into a negative one: an unset field is `None` (pages say "not recorded"),
//! a State missing from the treaty data is [`TreatyStatus::NoData`]. No HTTP, no HTML.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::document::Metadata;
use crate::geography::Country;
use crate::index::{FacetGroup, SearchError, SearchRequest};
use crate::profiles::{
    self, Adherence, InstrumentStatus, NoDataReason, ProfileError, TreatyData, TreatyStatus,
};
use crate::store::StoreError;
use crate::taxonomy::{Lang, Taxonomy};
use crate::KnowledgeBase;

/// How many States or documents one comparison holds.
pub(crate) const MIN_COMPARED: usize = 2;
pub(crate) const MAX_COMPARED: usize = 4;
/// Mechanisms read per State: a bound on one request's work.
const MAX_MECHANISMS: usize = 50;
/// A document is split at its first this-many headings; the rest stays in the last section.
const MAX_SECTIONS: usize = 400;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CompareError {
    /// Fewer than two or more than four values.
    #[error("{parameter}: give {MIN_COMPARED} to {MAX_COMPARED} values separated by commas; {given} given")]
    Count {
        parameter: &'static str,
        given: usize,
    },
    /// A country code that matches no country.
    #[error(
        "countries: unknown country \"{value}\"; give ISO 3166-1 codes such as KE,TZ,UG{}",
        hint(suggestion)
    )]
    UnknownCountry {
        value: String,
        suggestion: Option<String>,
    },
    /// No (current) document with this id.
    #[error("documents: there is no document \"{value}\"")]
    UnknownDocument { value: String },
    /// The same State or document twice.
    #[error("{parameter}: \"{value}\" is given twice")]
    Duplicate {
        parameter: &'static str,
        value: String,
    },
    /// A basket the taxonomy does not define.
    #[error("basket: unknown basket \"{value}\"; use one of: {}", allowed.join(", "))]
    UnknownBasket { value: String, allowed: Vec<String> },
    /// Both `countries` and `documents`.
    #[error("countries, documents: compare either States or documents, not both at once")]
    Both,
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

impl CompareError {
    /// The query parameter the error is about, if the request is at fault.
    pub(crate) fn parameter(&self) -> Option<&'static str> {
        match self {
            CompareError::Count { parameter, .. } | CompareError::Duplicate { parameter, .. } => {
                Some(parameter)
            }
            CompareError::UnknownCountry { .. } => Some("countries"),
            CompareError::UnknownDocument { .. } => Some("documents"),
            CompareError::Both => Some("countries"),
            CompareError::UnknownBasket { .. } => Some("basket"),
            CompareError::Store(_) | CompareError::Search(_) => None,
        }
    }

    /// The message in the reader's language, starting with the parameter's name (as typed
    /// in URLs).
    pub(crate) fn message(&self, lang: Lang) -> String {
        let names = match self {
            CompareError::Both => "countries, documents",
            other => other.parameter().unwrap_or(""),
        };
        if names.is_empty() {
            return self.to_string();
        }
        let separator = if lang == Lang::Fr { " : " } else { ": " };
        format!("{names}{separator}{}", self.explanation(lang))
    }

    /// The message without the parameter's name (the API gives the name in its own field).
    pub(crate) fn explanation(&self, lang: Lang) -> String {
        let suggestion = |s: &Option<String>, [en, fr, es]: [&str; 3]| {
            s.as_deref()
                .map(|s| match lang {
                    Lang::En => en.replace("{s}", s),
                    Lang::Fr => fr.replace("{s}", s),
                    Lang::Es => es.replace("{s}", s),
                })
                .unwrap_or_default()
        };
        let pick = |[en, fr, es]: [String; 3]| match lang {
            Lang::En => en,
            Lang::Fr => fr,
            Lang::Es => es,
        };
        match self {
            CompareError::Count { given, .. } => pick([
                format!("give {MIN_COMPARED} to {MAX_COMPARED} values separated by commas; {given} given"),
                format!("indiquez de {MIN_COMPARED} à {MAX_COMPARED} valeurs séparées par des virgules ; {given} indiquée(s)"),
                format!("indique de {MIN_COMPARED} a {MAX_COMPARED} valores separados por comas; se indicaron {given}"),
            ]),
            CompareError::UnknownCountry { value, suggestion: s } => pick([
                format!("unknown country \"{value}\"; give ISO 3166-1 codes such as KE,TZ,UG{}", suggestion(s, [" (did you mean {s}?)", "", ""])),
                format!("pays inconnu « {value} » ; indiquez des codes ISO 3166-1 comme KE,TZ,UG{}", suggestion(s, ["", " (vouliez-vous dire {s} ?)", ""])),
                format!("país desconocido «{value}»; indique códigos ISO 3166-1 como KE,TZ,UG{}", suggestion(s, ["", "", " (¿quiso decir {s}?)"])),
            ]),
            CompareError::UnknownDocument { value } => pick([
                format!("there is no document \"{value}\""),
                format!("il n'y a pas de document « {value} »"),
                format!("no hay ningún documento «{value}»"),
            ]),
            CompareError::Duplicate { value, .. } => pick([
                format!("\"{value}\" is given twice"),
                format!("« {value} » est indiqué deux fois"),
                format!("«{value}» se indicó dos veces"),
            ]),
            CompareError::UnknownBasket { value, allowed } => pick([
                format!("unknown basket \"{value}\"; use one of: {}", allowed.join(", ")),
                format!("panier inconnu « {value} » ; utilisez l'un de : {}", allowed.join(", ")),
                format!("cesta desconocida «{value}»; use una de: {}", allowed.join(", ")),
            ]),
            CompareError::Both => pick([
                "compare either States or documents, not both at once".to_string(),
                "comparez soit des États, soit des documents, pas les deux à la fois".to_string(),
                "compare Estados o documentos, no ambos a la vez".to_string(),
            ]),
            other => other.to_string(),
        }
    }
}

/// Splits a list parameter: values separated by commas (or spaces), empty ones dropped.
pub(crate) fn split_list(value: &str) -> Vec<String> {
    value
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

fn check_count(parameter: &'static str, given: usize) -> Result<(), CompareError> {
    if (MIN_COMPARED..=MAX_COMPARED).contains(&given) {
        Ok(())
    } else {
        Err(CompareError::Count { parameter, given })
    }
}

// --- States ----------------------------------------------------------------------------------

/// A compared State.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ComparedCountry {
    pub(crate) iso2: String,
    pub(crate) iso3: String,
    pub(crate) name: String,
    /// The most specific UN M49 region, slug and label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) region_label: Option<String>,
    /// Basket instruments it is party to.
    pub(crate) party: usize,
    /// Basket instruments it signed without (recorded) ratification.
    pub(crate) signed_only: usize,
    /// Basket instruments whose treaty has participation data (the denominator of `party`).
    pub(crate) with_data: usize,
    /// Adherence over the basket, in full.
    pub(crate) adherence: Adherence,
    /// Its rank and the median in each of its regions, most specific first.
    pub(crate) standings: Vec<profiles::Standing>,
}

/// One instrument and each State's status under it, in the order of the States.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct InstrumentRow {
    pub(crate) instrument: String,
    pub(crate) label: String,
    /// Whether the instrument is in the basket adherence is counted over.
    pub(crate) in_basket: bool,
    /// Whether any compared State has data for it.
    pub(crate) has_data: bool,
    pub(crate) cells: Vec<InstrumentStatus>,
}

/// A mechanism's structured fields; `None` where the document does not record the field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MechanismCell {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) year: i32,
    pub(crate) established: Option<i32>,
    pub(crate) legal_basis: Option<LegalBasis>,
    /// The composition's slug and label.
    pub(crate) composition: Option<String>,
    pub(crate) composition_label: Option<String>,
    pub(crate) mandate: Option<String>,
    pub(crate) early_warning: Option<bool>,
    pub(crate) reporting_line: Option<String>,
}

/// A mechanism's legal basis: a law in the knowledge base (by id, with its title), or a
/// citation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LegalBasis {
    pub(crate) text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) document: Option<String>,
}

/// The mechanisms of one type, aligned: row `i` holds each State's `i`-th mechanism of that
/// type (`None` when a State has fewer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MechanismGroup {
    /// The mechanism type's slug, or `None` for mechanisms without a type.
    pub(crate) mechanism_type: Option<String>,
    pub(crate) label: String,
    pub(crate) rows: Vec<Vec<Option<MechanismCell>>>,
}

/// Two to four States side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CountryComparison {
    pub(crate) lang: Lang,
    /// The basket adherence is counted over.
    pub(crate) basket: profiles::BasketRef,
    pub(crate) countries: Vec<ComparedCountry>,
    pub(crate) instruments: Vec<InstrumentRow>,
    pub(crate) mechanisms: Vec<MechanismGroup>,
    /// How many mechanisms each State has in the knowledge base (same order as `countries`).
    pub(crate) mechanism_counts: Vec<usize>,
    /// How to credit the treaty data.
    pub(crate) credits: Vec<String>,
}

/// Resolves the codes of a `countries` parameter (2 to 4, no repeats).
pub(crate) fn resolve_countries<'a>(
    taxonomy: &'a Taxonomy,
    codes: &[String],
) -> Result<Vec<&'a Country>, CompareError> {
    check_count("countries", codes.len())?;
    let mut countries: Vec<&Country> = Vec::with_capacity(codes.len());
    for code in codes {
        let country =
            profiles::resolve_country(&taxonomy.geography, code).map_err(|e| match e {
                ProfileError::UnknownCountry { suggestion, .. } => CompareError::UnknownCountry {
                    value: code.clone(),
                    suggestion,
                },
                _ => CompareError::UnknownCountry {
                    value: code.clone(),
                    suggestion: None,
                },
            })?;
        if countries.iter().any(|c| c.iso3 == country.iso3) {
            return Err(CompareError::Duplicate {
                parameter: "countries",
                value: code.clone(),
            });
        }
        countries.push(country);
    }
    Ok(countries)
}

/// Compares 2 to 4 States given by ISO code (or name), with adherence over `basket` (the
/// taxonomy's default basket when `None`).
pub(crate) fn compare_countries(
    kb: &KnowledgeBase,
    codes: &[String],
    basket: Option<&str>,
    lang: Lang,
) -> Result<CountryComparison, CompareError> {
    let taxonomy = kb.taxonomy();
    let countries = resolve_countries(&taxonomy, codes)?;
    let basket = profiles::resolve_basket(&taxonomy, basket).map_err(|e| match e {
        ProfileError::UnknownBasket { value, allowed } => {
            CompareError::UnknownBasket { value, allowed }
        }
        other => CompareError::UnknownBasket {
            value: other.to_string(),
            allowed: Vec::new(),
        },
    })?;
    let data = TreatyData::load(kb.store())?;
    let geography = &taxonomy.geography;

    let statuses: Vec<Vec<InstrumentStatus>> = countries
        .iter()
        .map(|c| profiles::instrument_statuses(&taxonomy, &data, &basket, &c.iso3, lang))
        .collect();
    // Every State's statuses come in the same order (the basket's instruments first).
    let instruments: Vec<InstrumentRow> = statuses[0]
        .iter()
        .enumerate()
        .map(|(i, first)| {
            let cells: Vec<InstrumentStatus> = statuses.iter().map(|s| s[i].clone()).collect();
            InstrumentRow {
                instrument: first.instrument.clone(),
                label: first.label.clone(),
                in_basket: first.in_basket,
                has_data: cells.iter().any(|c| has_treaty_data(&c.status)),
                cells,
            }
        })
        .collect();

    // Ranks within regions: among every State, over the same basket.
    let table = profiles::adherence_table(&taxonomy, &data, &basket, lang);
    let compared: Vec<ComparedCountry> = countries
        .iter()
        .zip(&statuses)
        .map(|(country, statuses)| {
            let adherence =
                Adherence::count(statuses.iter().filter(|s| s.in_basket).map(|s| &s.status));
            ComparedCountry {
                iso2: country.iso2.clone(),
                iso3: country.iso3.clone(),
                name: country.names.get(lang).to_string(),
                region: country.region.clone(),
                region_label: country
                    .region
                    .as_deref()
                    .map(|r| geography.region_label(r, lang).to_string()),
                party: adherence.party,
                signed_only: adherence.signed_only,
                with_data: adherence.with_data,
                adherence,
                standings: profiles::standings(geography, &table, &country.iso3, lang),
            }
        })
        .collect();

    let mut per_country: Vec<Vec<Metadata>> = Vec::with_capacity(countries.len());
    for country in &countries {
        let request = SearchRequest::default()
            .filter(FacetGroup::Country, &country.iso3)
            .filter(FacetGroup::Type, "mechanism");
        let mut mechanisms = Vec::new();
        for id in kb
            .search_all_ids(&request)?
            .into_iter()
            .take(MAX_MECHANISMS)
        {
            if let Some(record) = kb.store().get(&id)? {
                if !record.withdrawn {
                    mechanisms.push(record.meta);
                }
            }
        }
        // Oldest first: the founding body before later ones.
        mechanisms.sort_by(|a, b| {
            (a.established.unwrap_or(a.year), &a.title)
                .cmp(&(b.established.unwrap_or(b.year), &b.title))
        });
        per_country.push(mechanisms);
    }
    let mechanism_counts = per_country.iter().map(Vec::len).collect();
    let mechanisms = group_mechanisms(kb, &taxonomy, &per_country, lang)?;
    let provenances: Vec<_> = statuses
        .iter()
        .flatten()
        .filter_map(|s| s.provenance.clone())
        .collect();
    let mut credits: Vec<String> = Vec::new();
    for provenance in provenances {
        let line = provenance.describe(lang);
        if !credits.contains(&line) {
            credits.push(line);
        }
    }
    Ok(CountryComparison {
        lang,
        basket: profiles::BasketRef {
            slug: basket.slug.clone(),
            label: basket.labels.get(lang).to_string(),
            description: basket.description.as_ref().map(|d| d.get(lang).to_string()),
            instruments: basket.instruments.clone(),
            default: basket.default,
        },
        countries: compared,
        instruments,
        mechanisms,
        mechanism_counts,
        credits,
    })
}

/// Whether a status counts in the denominator of adherence: the instrument's treaty has
/// participation data. A State missing from that data counts (its status is still "no data",
/// never "not a party"); an instrument without data does not.
pub(crate) fn has_treaty_data(status: &TreatyStatus) -> bool {
    !matches!(
        status,
        TreatyStatus::NoData {
            reason: NoDataReason::NotLinked | NoDataReason::NoTreatyData
        }
    )
}

/// Groups each State's mechanisms by their first mechanism type (taxonomy order; untyped last)
/// and aligns them row by row.
fn group_mechanisms(
    kb: &KnowledgeBase,
    taxonomy: &Taxonomy,
    per_country: &[Vec<Metadata>],
    lang: Lang,
) -> Result<Vec<MechanismGroup>, CompareError> {
    let mut keys: Vec<Option<String>> = taxonomy
        .mechanism_types
        .slugs()
        .map(|s| Some(s.to_string()))
        .collect();
    keys.push(None);
    let mut groups = Vec::new();
    for key in keys {
        let columns: Vec<Vec<&Metadata>> = per_country
            .iter()
            .map(|mechanisms| {
                mechanisms
                    .iter()
                    .filter(|m| primary_type(taxonomy, m) == key.as_deref())
                    .collect()
            })
            .collect();
        let depth = columns.iter().map(Vec::len).max().unwrap_or(0);
        if depth == 0 {
            continue;
        }
        let mut rows = Vec::with_capacity(depth);
        for i in 0..depth {
            let mut row = Vec::with_capacity(columns.len());
            for column in &columns {
                row.push(match column.get(i) {
                    Some(meta) => Some(mechanism_cell(kb, taxonomy, meta, lang)?),
                    None => None,
                });
            }
            rows.push(row);
        }
        let label = match &key {
            Some(slug) => taxonomy.mechanism_types.label(slug, lang).to_string(),
            None => match lang {
                Lang::En => "Other mechanisms",
                Lang::Fr => "Autres mécanismes",
                Lang::Es => "Otros mecanismos",
            }
            .to_string(),
        };
        groups.push(MechanismGroup {
            mechanism_type: key,
            label,
            rows,
        });
    }
    Ok(groups)
}

/// The first of a mechanism's types that the taxonomy knows.
fn primary_type<'a>(taxonomy: &Taxonomy, meta: &'a Metadata) -> Option<&'a str> {
    meta.mechanism_types
        .iter()
        .map(String::as_str)
        .find(|t| taxonomy.mechanism_types.contains(t))
}

fn mechanism_cell(
    kb: &KnowledgeBase,
    taxonomy: &Taxonomy,
    meta: &Metadata,
    lang: Lang,
) -> Result<MechanismCell, CompareError> {
    let legal_basis = match meta.legal_basis.as_deref() {
        None => None,
        Some(basis) if crate::taxonomy::is_slug(basis) => {
            match kb.store().get(basis)?.filter(|r| !r.withdrawn) {
                Some(law) => Some(LegalBasis {
                    text: law.meta.title,
                    document: Some(basis.to_string()),
                }),
                None => Some(LegalBasis {
                    text: basis.to_string(),
                    document: None,
                }),
            }
        }
        Some(citation) => Some(LegalBasis {
            text: citation.to_string(),
            document: None,
        }),
    };
    Ok(MechanismCell {
        id: meta.id.clone(),
        title: meta.title.clone(),
        year: meta.year,
        established: meta.established,
        legal_basis,
        composition: meta.composition.clone(),
        composition_label: meta
            .composition
            .as_deref()
            .map(|c| taxonomy.compositions.label(c, lang).to_string()),
        mandate: meta.mandate.clone(),
        early_warning: meta.early_warning,
        reporting_line: meta.reporting_line.clone(),
    })
}

// --- documents -------------------------------------------------------------------------------

/// A compared document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ComparedDocument {
    pub(crate) id: String,
    pub(crate) title: String,
    #[serde(rename = "type")]
    pub(crate) doc_type: String,
    pub(crate) language: String,
    pub(crate) revision: u32,
}

/// One value of a metadata field: the stored value (slug, code, date) and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MetaValue {
    pub(crate) value: String,
    pub(crate) label: String,
}

/// One metadata field across the documents; an empty list is a field the document does not
/// record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MetadataRow {
    /// The front-matter field (`status`, `countries`, ...).
    pub(crate) field: &'static str,
    pub(crate) cells: Vec<Vec<MetaValue>>,
}

/// A section of a document: the text under one heading (or before the first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Section {
    /// The heading as written; `None` for the text before the first heading.
    pub(crate) heading: Option<String>,
    /// 1 to 6; 0 for the text before the first heading.
    pub(crate) level: u8,
    /// The section's Markdown, without its heading.
    pub(crate) markdown: String,
}

/// Sections of the documents that stand side by side: same heading, or the same place
/// between matching headings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SectionRow {
    /// Whether the headings in this row match (rather than standing here by position).
    pub(crate) matched: bool,
    pub(crate) cells: Vec<Option<Section>>,
}

/// Two to four documents side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DocumentComparison {
    pub(crate) lang: Lang,
    pub(crate) documents: Vec<ComparedDocument>,
    pub(crate) metadata: Vec<MetadataRow>,
    pub(crate) sections: Vec<SectionRow>,
}

/// Compares 2 to 4 current documents given by id.
pub(crate) fn compare_documents(
    kb: &KnowledgeBase,
    ids: &[String],
    lang: Lang,
) -> Result<DocumentComparison, CompareError> {
    check_count("documents", ids.len())?;
    let mut records = Vec::with_capacity(ids.len());
    for id in ids {
        if ids.iter().filter(|other| *other == id).count() > 1 {
            return Err(CompareError::Duplicate {
                parameter: "documents",
                value: id.clone(),
            });
        }
        let record = kb
            .store()
            .get(id)?
            .filter(|r| !r.withdrawn)
            .ok_or_else(|| CompareError::UnknownDocument { value: id.clone() })?;
        records.push(record);
    }
    let taxonomy = kb.taxonomy();
    let metas: Vec<&Metadata> = records.iter().map(|r| &r.meta).collect();
    let metadata = metadata_rows(&taxonomy, &metas, lang);
    let split: Vec<Vec<Section>> = records.iter().map(|r| sections(&r.body)).collect();
    Ok(DocumentComparison {
        lang,
        documents: records
            .iter()
            .map(|r| ComparedDocument {
                id: r.meta.id.clone(),
                title: r.meta.title.clone(),
                doc_type: r.meta.doc_type.clone(),
                language: r.meta.language.clone(),
                revision: r.revision,
            })
            .collect(),
        metadata,
        sections: align_sections(split),
    })
}

/// The metadata fields, in the order of the front-matter reference; a field none of the
/// documents records is left out.
fn metadata_rows(taxonomy: &Taxonomy, metas: &[&Metadata], lang: Lang) -> Vec<MetadataRow> {
    let geography = &taxonomy.geography;
    let plain = |v: &str| MetaValue {
        value: v.to_string(),
        label: v.to_string(),
    };
    let labelled = |vocabulary: &crate::taxonomy::Vocabulary, v: &str| MetaValue {
        value: v.to_string(),
        label: vocabulary.label(v, lang).to_string(),
    };
    let yes_no = |b: bool| MetaValue {
        value: b.to_string(),
        label: match (b, lang) {
            (true, Lang::En) => "Yes",
            (false, Lang::En) => "No",
            (true, Lang::Fr) => "Oui",
            (false, Lang::Fr) => "Non",
            (true, Lang::Es) => "Sí",
            (false, Lang::Es) => "No",
        }
        .to_string(),
    };
    type Read<'a> = Box<dyn Fn(&Metadata) -> Vec<MetaValue> + 'a>;
    let fields: Vec<(&'static str, Read)> = vec![
        (
            "type",
            Box::new(move |m| vec![labelled(&taxonomy.types, &m.doc_type)]),
        ),
        (
            "countries",
            Box::new(move |m| {
                m.countries
                    .iter()
                    .map(|c| MetaValue {
                        value: c.clone(),
                        label: geography.country_name(c, lang).to_string(),
                    })
                    .collect()
            }),
        ),
        (
            "regions",
            Box::new(move |m| {
                m.regions
                    .iter()
                    .map(|r| MetaValue {
                        value: r.clone(),
                        label: geography.region_label(r, lang).to_string(),
                    })
                    .collect()
            }),
        ),
        ("year", Box::new(move |m| vec![plain(&m.year.to_string())])),
        (
            "date",
            Box::new(move |m| m.date.iter().map(|d| plain(d)).collect()),
        ),
        (
            "doc_language",
            Box::new(move |m| vec![labelled(&taxonomy.languages, &m.language)]),
        ),
        (
            "status",
            Box::new(move |m| {
                m.status
                    .iter()
                    .map(|s| labelled(&taxonomy.statuses, s))
                    .collect()
            }),
        ),
        (
            "shareable",
            Box::new(move |m| m.shareable.map(yes_no).into_iter().collect()),
        ),
        (
            "shareable_note",
            Box::new(move |m| m.shareable_note.iter().map(|n| plain(n)).collect()),
        ),
        (
            "themes",
            Box::new(move |m| {
                m.themes
                    .iter()
                    .map(|t| labelled(&taxonomy.themes, t))
                    .collect()
            }),
        ),
        (
            "stages",
            Box::new(move |m| {
                m.stages
                    .iter()
                    .map(|s| labelled(&taxonomy.stages, s))
                    .collect()
            }),
        ),
        (
            "instruments",
            Box::new(move |m| {
                m.instruments
                    .iter()
                    .map(|i| labelled(&taxonomy.instruments, i))
                    .collect()
            }),
        ),
        (
            "mechanism_types",
            Box::new(move |m| {
                m.mechanism_types
                    .iter()
                    .map(|t| labelled(&taxonomy.mechanism_types, t))
                    .collect()
            }),
        ),
        (
            "established",
            Box::new(move |m| {
                m.established
                    .iter()
                    .map(|y| plain(&y.to_string()))
                    .collect()
            }),
        ),
        (
            "legal_basis",
            Box::new(move |m| m.legal_basis.iter().map(|b| plain(b)).collect()),
        ),
        (
            "composition",
            Box::new(move |m| {
                m.composition
                    .iter()
                    .map(|c| labelled(&taxonomy.compositions, c))
                    .collect()
            }),
        ),
        (
            "mandate",
            Box::new(move |m| m.mandate.iter().map(|v| plain(v)).collect()),
        ),
        (
            "early_warning",
            Box::new(move |m| m.early_warning.map(yes_no).into_iter().collect()),
        ),
        (
            "reporting_line",
            Box::new(move |m| m.reporting_line.iter().map(|v| plain(v)).collect()),
        ),
        (
            "outcome",
            Box::new(move |m| m.outcome.iter().map(|v| plain(v)).collect()),
        ),
        (
            "sources",
            Box::new(move |m| {
                m.sources
                    .iter()
                    .map(|s| {
                        let label = s
                            .title
                            .clone()
                            .or_else(|| s.citation.clone())
                            .or_else(|| s.url.clone())
                            .unwrap_or_default();
                        MetaValue {
                            value: s.url.clone().unwrap_or_default(),
                            label,
                        }
                    })
                    .collect()
            }),
        ),
    ];
    fields
        .into_iter()
        .map(|(field, read)| MetadataRow {
            field,
            cells: metas.iter().map(|m| read(m)).collect(),
        })
        .filter(|row| row.cells.iter().any(|c| !c.is_empty()))
        .collect()
}

/// Splits Markdown at its headings. The text before the first heading, if any, comes first
/// with no heading.
pub(crate) fn sections(markdown: &str) -> Vec<Section> {
    // (heading text, level, where the heading starts, where its content starts)
    let mut headings: Vec<(String, u8, usize, usize)> = Vec::new();
    let mut current: Option<(String, u8, usize)> = None;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) if headings.len() < MAX_SECTIONS => {
                current = Some((String::new(), heading_number(level), range.start));
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((heading, _, _)) = current.as_mut() {
                    heading.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((heading, _, _)) = current.as_mut() {
                    heading.push(' ');
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((text, level, start)) = current.take() {
                    headings.push((text.trim().to_string(), level, start, range.end));
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(headings.len() + 1);
    let first = headings.first().map_or(markdown.len(), |h| h.2);
    let preamble = markdown[..first].trim();
    if !preamble.is_empty() {
        out.push(Section {
            heading: None,
            level: 0,
            markdown: preamble.to_string(),
        });
    }
    for (i, (text, level, _, content_start)) in headings.iter().enumerate() {
        let end = headings.get(i + 1).map_or(markdown.len(), |next| next.2);
        out.push(Section {
            heading: Some(text.clone()),
            level: *level,
            markdown: markdown[*content_start..end].trim().to_string(),
        });
    }
    out
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// What makes two headings "the same": case, accents, punctuation and a leading number
/// ("3.", "Article 12 —", "IV.") do not matter. A heading that is only a number keeps it.
pub(crate) fn heading_key(heading: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = heading
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let is_number = |w: &str| {
        w.chars().all(|c| c.is_ascii_digit())
            || (w.len() <= 5 && w.chars().all(|c| "ivxlc".contains(c)))
            || (w.len() == 1 && w.chars().all(|c| c.is_ascii_lowercase()))
    };
    let enumerators = [
        "article", "articulo", "section", "seccion", "part", "partie", "parte", "chapter",
        "chapitre", "capitulo", "title", "titre", "titulo", "art",
    ];
    let mut start = 0;
    while start < words.len()
        && (is_number(words[start])
            || (enumerators.contains(&words[start])
                && words.get(start + 1).is_some_and(|w| is_number(w))))
    {
        start += if is_number(words[start]) { 1 } else { 2 };
    }
    if start >= words.len() {
        words.join(" ")
    } else {
        words[start..].join(" ")
    }
}

/// Aligns the documents' sections: the longest common sequence of matching headings is set
/// side by side, and the sections between two matches share the rows between them, in order.
pub(crate) fn align_sections(documents: Vec<Vec<Section>>) -> Vec<SectionRow> {
    let width = documents.len();
    let mut rows: Vec<SectionRow> = Vec::new();
    // The key each row matches on (the first document's heading that opened it).
    let mut row_keys: Vec<Option<String>> = Vec::new();
    for (column, sections) in documents.into_iter().enumerate() {
        let keys: Vec<Option<String>> = sections
            .iter()
            .map(|s| match &s.heading {
                Some(h) => Some(heading_key(h)),
                // The text before the first heading matches the others' text before theirs.
                None => Some(String::new()),
            })
            .collect();
        let pairs = longest_common_subsequence(&row_keys, &keys);
        let mut merged_rows = Vec::with_capacity(rows.len() + sections.len());
        let mut merged_keys = Vec::with_capacity(rows.len() + sections.len());
        let (mut r, mut s) = (0, 0);
        let mut sections = sections.into_iter().map(Some).collect::<Vec<_>>();
        let place = |rows: &mut Vec<SectionRow>,
                     keys: &mut Vec<Option<String>>,
                     section: Section,
                     key: Option<String>| {
            let mut cells = vec![None; width];
            cells[column] = Some(section);
            rows.push(SectionRow {
                matched: false,
                cells,
            });
            keys.push(key);
        };
        for &(pr, ps) in pairs
            .iter()
            .chain(std::iter::once(&(row_keys.len(), keys.len())))
        {
            // Unmatched rows and sections before this match: share rows in order, so that
            // unmatched text sits beside unmatched text rather than on rows of its own.
            while r < pr || s < ps {
                if r < pr && s < ps && rows[r].cells[column].is_none() {
                    let mut row = rows[r].clone();
                    row.cells[column] = sections[s].take();
                    merged_rows.push(row);
                    merged_keys.push(row_keys[r].clone());
                    r += 1;
                    s += 1;
                } else if r < pr {
                    merged_rows.push(rows[r].clone());
                    merged_keys.push(row_keys[r].clone());
                    r += 1;
                } else {
                    let section = sections[s].take().expect("each section is placed once");
                    place(&mut merged_rows, &mut merged_keys, section, keys[s].clone());
                    s += 1;
                }
            }
            if pr < row_keys.len() && ps < keys.len() {
                let mut row = rows[pr].clone();
                row.cells[column] = sections[ps].take();
                row.matched = column > 0;
                merged_rows.push(row);
                merged_keys.push(row_keys[pr].clone());
                r = pr + 1;
                s = ps + 1;
            }
        }
        rows = merged_rows;
        row_keys = merged_keys;
    }
    rows
}

/// The index pairs of a longest common subsequence of equal keys, in order.
fn longest_common_subsequence(a: &[Option<String>], b: &[Option<String>]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if a[i].is_some() && a[i] == b[j] {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i].is_some() && a[i] == b[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(heading: &str, text: &str) -> Section {
        Section {
            heading: Some(heading.to_string()),
            level: 2,
            markdown: text.to_string(),
        }
    }

    #[test]
    fn markdown_splits_at_headings_with_the_preamble_first() {
        let parts = sections("Intro text.\n\n## 1. Definitions\n\nA *term*.\n\n### Scope\n\nAll.\n\n## Offences\n\nNone.\n");
        let headings: Vec<Option<&str>> = parts.iter().map(|s| s.heading.as_deref()).collect();
        assert_eq!(
            headings,
            vec![
                None,
                Some("1. Definitions"),
                Some("Scope"),
                Some("Offences")
            ]
        );
        assert_eq!(parts[0].markdown, "Intro text.");
        assert_eq!(parts[1].markdown, "A *term*.");
        assert_eq!(parts[1].level, 2);
        assert_eq!(parts[2].level, 3);
        assert_eq!(parts[3].markdown, "None.");
    }

    #[test]
    fn heading_keys_ignore_numbering_case_and_accents() {
        assert_eq!(heading_key("1. Definitions"), "definitions");
        assert_eq!(heading_key("Article 12 — Définitions"), "definitions");
        assert_eq!(heading_key("IV. Offences"), "offences");
        assert_eq!(heading_key("Article 5"), "article 5");
        assert_eq!(heading_key("Part II: Scope of the Act"), "scope of the act");
    }

    #[test]
    fn matching_headings_share_a_row_and_others_sit_in_order() {
        let a = vec![
            section("Definitions", "a1"),
            section("Offences", "a2"),
            section("Penalties", "a3"),
        ];
        let b = vec![
            section("1. Definitions", "b1"),
            section("Jurisdiction", "b2"),
            section("3. Penalties", "b3"),
        ];
        let c = vec![section("Penalties", "c1")];
        let rows = align_sections(vec![a, b, c]);
        let text = |row: &SectionRow| -> Vec<Option<String>> {
            row.cells
                .iter()
                .map(|c| c.as_ref().map(|s| s.markdown.clone()))
                .collect()
        };
        assert_eq!(rows.len(), 3, "{rows:#?}");
        assert_eq!(
            text(&rows[0]),
            vec![Some("a1".into()), Some("b1".into()), None]
        );
        assert!(rows[0].matched);
        // Offences and Jurisdiction do not match, but stand at the same place between matches.
        assert_eq!(
            text(&rows[1]),
            vec![Some("a2".into()), Some("b2".into()), None]
        );
        assert!(!rows[1].matched);
        assert_eq!(
            text(&rows[2]),
            vec![Some("a3".into()), Some("b3".into()), Some("c1".into())]
        );
    }

    #[test]
    fn unmatched_sections_beyond_the_others_get_rows_of_their_own() {
        let a = vec![section("Definitions", "a1")];
        let b = vec![
            section("Definitions", "b1"),
            section("Annex", "b2"),
            section("Schedule", "b3"),
        ];
        let rows = align_sections(vec![a, b]);
        assert_eq!(rows.len(), 3);
        assert!(rows[1].cells[0].is_none() && rows[2].cells[0].is_none());
    }

    #[test]
    fn lists_split_on_commas_and_spaces() {
        assert_eq!(split_list("KE, TZ,,UG "), vec!["KE", "TZ", "UG"]);
        assert!(split_list(" , ").is_empty());
    }

    #[test]
    fn counts_outside_two_to_four_name_the_parameter() {
        let error = check_count("countries", 5).unwrap_err();
        assert_eq!(error.parameter(), Some("countries"));
        assert_eq!(
            error.to_string(),
            "countries: give 2 to 4 values separated by commas; 5 given"
        );
        assert!(error
            .message(Lang::Fr)
            .starts_with("countries : indiquez de 2 à 4"));
        assert!(check_count("documents", 1).is_err());
        assert!(check_count("documents", 4).is_ok());
    }
}
