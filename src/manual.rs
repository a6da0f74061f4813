//! The manual of national prevention architectures (`/manual`, `GET /api/manual`).
//!
//! The manual is assembled from the knowledge base on every request, so it is always as current
//! as the corpus: each chapter of the taxonomy's `manual_chapters` has
//! - its **guidance**, a `guide` document (one per chapter and language, so it has revisions,
//!   diffs, sources and a citation like every document), in the reader's language when one
//!   exists, else in English, else in any language;
//! - its **evidence**: the national mechanisms of the knowledge base in one table, with the
//!   columns of their structured fields that the chapter is about, `None` where a document
//!   does not record a field (pages say "not recorded", never "No");
//! - its **standard norms**: a checklist a country can assess itself against, each item with
//!   the mechanisms that meet it, computed from the structured fields only. A mechanism that
//!   does not record the field neither meets nor fails the norm: it is counted apart.
//!
//! No HTTP, no HTML.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::document::{Metadata, Source};
use crate::index::{FacetGroup, SearchError, SearchRequest};
use crate::store::StoreError;
use crate::taxonomy::{Lang, Taxonomy};
use crate::KnowledgeBase;

/// Mechanism documents read for one manual: a bound on one request's work.
pub(crate) const MAX_MECHANISMS: usize = 2000;
/// Guide documents read for one manual.
const MAX_GUIDES: usize = 300;

/// Mechanism types of bodies that are not national, whatever countries they name.
const NOT_NATIONAL: [&str; 2] = ["regional-body", "regional-network"];

#[derive(Debug, thiserror::Error)]
pub(crate) enum ManualError {
    /// A chapter slug the taxonomy does not define.
    #[error("chapter: unknown chapter \"{value}\"; use one of: {}", allowed.join(", "))]
    UnknownChapter { value: String, allowed: Vec<String> },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// A structured field of a mechanism, as a column of a chapter's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Column {
    Established,
    LegalBasis,
    Mandate,
    Composition,
    ReportingLine,
    EarlyWarning,
    OperatingStatus,
}

impl Column {
    /// The front-matter field it shows (also the key of its label in the interface text).
    pub(crate) fn field(self) -> &'static str {
        match self {
            Column::Established => "established",
            Column::LegalBasis => "legal_basis",
            Column::Mandate => "mandate",
            Column::Composition => "composition",
            Column::ReportingLine => "reporting_line",
            Column::EarlyWarning => "early_warning",
            Column::OperatingStatus => "operating_status",
        }
    }
}

const ALL_COLUMNS: [Column; 7] = [
    Column::Established,
    Column::LegalBasis,
    Column::Mandate,
    Column::Composition,
    Column::ReportingLine,
    Column::EarlyWarning,
    Column::OperatingStatus,
];

/// The columns of a chapter's table: the fields its guidance is about. A chapter the code
/// does not know (a corpus's own taxonomy) shows every field.
pub(crate) fn chapter_columns(chapter: &str) -> &'static [Column] {
    match chapter {
        "establishing" => &[
            Column::Established,
            Column::LegalBasis,
            Column::Mandate,
            Column::Composition,
            Column::ReportingLine,
        ],
        "guiding" => &[Column::EarlyWarning, Column::Composition, Column::Mandate],
        "managing" => &[
            Column::Established,
            Column::OperatingStatus,
            Column::LegalBasis,
            Column::ReportingLine,
        ],
        _ => &ALL_COLUMNS,
    }
}

/// A standard norm: one item of the checklist, decided from one structured field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Norm {
    /// `legal_basis` is recorded.
    LegalBasis,
    /// `mandate` is recorded.
    Mandate,
    /// `reporting_line` is recorded.
    ReportingLine,
    /// `early_warning: true`.
    EarlyWarning,
    /// `composition` is `civil-society` or `mixed`.
    IncludesCivilSociety,
    /// `composition` is `independent`.
    Independent,
    /// `operating_status: active`.
    Active,
    /// `legal_basis` is the id of a law document in the knowledge base.
    FoundedOnLaw,
}

impl Norm {
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Norm::LegalBasis => "legal-basis",
            Norm::Mandate => "mandate",
            Norm::ReportingLine => "reporting-line",
            Norm::EarlyWarning => "early-warning",
            Norm::IncludesCivilSociety => "includes-civil-society",
            Norm::Independent => "independent",
            Norm::Active => "active",
            Norm::FoundedOnLaw => "founded-on-law",
        }
    }

    /// The field the norm is decided from.
    pub(crate) fn field(self) -> &'static str {
        match self {
            Norm::LegalBasis | Norm::FoundedOnLaw => "legal_basis",
            Norm::Mandate => "mandate",
            Norm::ReportingLine => "reporting_line",
            Norm::EarlyWarning => "early_warning",
            Norm::IncludesCivilSociety | Norm::Independent => "composition",
            Norm::Active => "operating_status",
        }
    }

    pub(crate) fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Norm::LegalBasis, Lang::En) => {
                "Has a recorded legal basis: a law, decree or instrument that creates it"
            }
            (Norm::LegalBasis, Lang::Fr) => {
                "A une base juridique connue : une loi, un décret ou un instrument qui le crée"
            }
            (Norm::LegalBasis, Lang::Es) => {
                "Tiene una base jurídica conocida: una ley, un decreto o un instrumento que lo crea"
            }
            (Norm::Mandate, Lang::En) => "Has a written mandate",
            (Norm::Mandate, Lang::Fr) => "A un mandat écrit",
            (Norm::Mandate, Lang::Es) => "Tiene un mandato escrito",
            (Norm::ReportingLine, Lang::En) => "Reports to a named authority",
            (Norm::ReportingLine, Lang::Fr) => "Rend compte à une autorité désignée",
            (Norm::ReportingLine, Lang::Es) => "Informa a una autoridad determinada",
            (Norm::EarlyWarning, Lang::En) => "Has an early-warning role",
            (Norm::EarlyWarning, Lang::Fr) => "A un rôle d'alerte précoce",
            (Norm::EarlyWarning, Lang::Es) => "Tiene una función de alerta temprana",
            (Norm::IncludesCivilSociety, Lang::En) => {
                "Includes civil society (civil-society or mixed composition)"
            }
            (Norm::IncludesCivilSociety, Lang::Fr) => {
                "Associe la société civile (composition mixte ou de la société civile)"
            }
            (Norm::IncludesCivilSociety, Lang::Es) => {
                "Incluye a la sociedad civil (composición mixta o de la sociedad civil)"
            }
            (Norm::Independent, Lang::En) => "Is an independent statutory body",
            (Norm::Independent, Lang::Fr) => "Est un organe indépendant créé par la loi",
            (Norm::Independent, Lang::Es) => "Es un órgano independiente creado por ley",
            (Norm::Active, Lang::En) => "Is active",
            (Norm::Active, Lang::Fr) => "Est en activité",
            (Norm::Active, Lang::Es) => "Está en funcionamiento",
            (Norm::FoundedOnLaw, Lang::En) => "Rests on a law held in Praxis",
            (Norm::FoundedOnLaw, Lang::Fr) => "Repose sur une loi présente dans Praxis",
            (Norm::FoundedOnLaw, Lang::Es) => "Se basa en una ley presente en Praxis",
        }
    }

    /// Whether a mechanism meets the norm: `None` when it does not record the field.
    pub(crate) fn assess(self, row: &MechanismRow) -> Option<bool> {
        match self {
            Norm::LegalBasis => Some(row.legal_basis.is_some()).filter(|&met| met),
            Norm::Mandate => Some(row.mandate.is_some()).filter(|&met| met),
            Norm::ReportingLine => Some(row.reporting_line.is_some()).filter(|&met| met),
            Norm::EarlyWarning => row.early_warning,
            Norm::IncludesCivilSociety => row
                .composition
                .as_deref()
                .map(|c| matches!(c, "civil-society" | "mixed")),
            Norm::Independent => row.composition.as_deref().map(|c| c == "independent"),
            Norm::Active => row.operating_status.as_deref().map(|s| s == "active"),
            Norm::FoundedOnLaw => row.legal_basis.as_ref().map(|b| b.law),
        }
    }
}

/// The checklist of a chapter.
pub(crate) fn chapter_norms(chapter: &str) -> &'static [Norm] {
    match chapter {
        "establishing" => &[Norm::LegalBasis, Norm::Mandate, Norm::ReportingLine],
        "guiding" => &[
            Norm::EarlyWarning,
            Norm::IncludesCivilSociety,
            Norm::Independent,
        ],
        "managing" => &[Norm::Active, Norm::FoundedOnLaw],
        _ => &[],
    }
}

/// A mechanism's legal basis: a document of the knowledge base (by id, with its title), or a
/// citation as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LegalBasis {
    pub(crate) text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) document: Option<String>,
    /// The document is a law.
    pub(crate) law: bool,
}

/// One national mechanism's structured fields; `None` where its document does not record one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MechanismRow {
    pub(crate) id: String,
    pub(crate) title: String,
    /// ISO 3166-1 alpha-3, alpha-2 and name in the reader's language.
    pub(crate) country: String,
    pub(crate) country_iso2: String,
    pub(crate) country_name: String,
    pub(crate) mechanism_types: Vec<String>,
    pub(crate) established: Option<i32>,
    pub(crate) legal_basis: Option<LegalBasis>,
    pub(crate) mandate: Option<String>,
    pub(crate) composition: Option<String>,
    pub(crate) composition_label: Option<String>,
    pub(crate) reporting_line: Option<String>,
    pub(crate) early_warning: Option<bool>,
    pub(crate) operating_status: Option<String>,
    pub(crate) operating_status_label: Option<String>,
    /// The language the mechanism's document is written in (its mandate and reporting line
    /// are in it).
    pub(crate) language: String,
}

/// A mechanism named by a checklist item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MechanismRef {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) country_name: String,
}

/// One item of a chapter's checklist with the mechanisms that meet it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ChecklistItem {
    pub(crate) norm: Norm,
    pub(crate) label: String,
    /// The field it is decided from.
    pub(crate) field: &'static str,
    pub(crate) met_by: Vec<MechanismRef>,
    /// Mechanisms whose document records the field and that do not meet it.
    pub(crate) not_met: usize,
    /// Mechanisms whose document does not record the field: neither met nor failed.
    pub(crate) not_recorded: usize,
}

/// The guidance of a chapter: a `guide` document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Guide {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) language: String,
    pub(crate) revision: u32,
    pub(crate) last_modified: String,
    /// The Markdown body.
    pub(crate) markdown: String,
    pub(crate) sources: Vec<Source>,
    /// Written in the language asked for (else a fallback: English, or any).
    pub(crate) in_requested_language: bool,
}

/// A chapter's document in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GuideVersion {
    pub(crate) id: String,
    pub(crate) language: String,
}

/// One chapter: guidance, evidence table, checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Chapter {
    pub(crate) slug: String,
    /// 1-based position in the manual.
    pub(crate) number: usize,
    pub(crate) label: String,
    pub(crate) guide: Option<Guide>,
    /// The chapter's documents in every language, by language code.
    pub(crate) versions: Vec<GuideVersion>,
    pub(crate) columns: Vec<Column>,
    pub(crate) checklist: Vec<ChecklistItem>,
}

/// The whole manual in one language. The mechanism table is shared by every chapter (each
/// shows its `columns` of it), so it is held once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Manual {
    pub(crate) lang: Lang,
    pub(crate) chapters: Vec<Chapter>,
    /// The national mechanisms: type `mechanism`, exactly one country, not a regional body or
    /// network. Sorted by country name, then year established, then title.
    pub(crate) mechanisms: Vec<MechanismRow>,
    /// More national mechanisms exist than one manual reads ([`MAX_MECHANISMS`]).
    pub(crate) truncated: bool,
}

impl Manual {
    /// The chapter with this slug.
    pub(crate) fn chapter(&self, slug: &str) -> Option<&Chapter> {
        self.chapters.iter().find(|c| c.slug == slug)
    }
}

/// Checks a chapter slug against the taxonomy, for handlers that take one.
pub(crate) fn check_chapter(taxonomy: &Taxonomy, slug: &str) -> Result<(), ManualError> {
    if taxonomy.manual_chapters.contains(slug) {
        Ok(())
    } else {
        Err(ManualError::UnknownChapter {
            value: slug.to_string(),
            allowed: taxonomy
                .manual_chapters
                .slugs()
                .map(str::to_string)
                .collect(),
        })
    }
}

/// Assembles the manual in `lang` from the knowledge base.
pub(crate) fn build_manual(kb: &KnowledgeBase, lang: Lang) -> Result<Manual, ManualError> {
    let taxonomy = kb.taxonomy();
    let (mechanisms, truncated) = national_mechanisms(kb, &taxonomy, lang)?;
    let guides = guides_by_chapter(kb)?;
    let chapters = taxonomy
        .manual_chapters
        .terms()
        .iter()
        .enumerate()
        .map(|(i, term)| {
            let versions = guides.get(&term.slug).map(Vec::as_slice).unwrap_or(&[]);
            let checklist = chapter_norms(&term.slug)
                .iter()
                .map(|&norm| checklist_item(norm, &mechanisms, lang))
                .collect();
            Chapter {
                slug: term.slug.clone(),
                number: i + 1,
                label: term.labels.get(lang).to_string(),
                guide: pick_guide(versions, lang),
                versions: versions
                    .iter()
                    .map(|(meta, _)| GuideVersion {
                        id: meta.id.clone(),
                        language: meta.language.clone(),
                    })
                    .collect(),
                columns: chapter_columns(&term.slug).to_vec(),
                checklist,
            }
        })
        .collect();
    Ok(Manual {
        lang,
        chapters,
        mechanisms,
        truncated,
    })
}

fn checklist_item(norm: Norm, mechanisms: &[MechanismRow], lang: Lang) -> ChecklistItem {
    let mut item = ChecklistItem {
        norm,
        label: norm.label(lang).to_string(),
        field: norm.field(),
        met_by: Vec::new(),
        not_met: 0,
        not_recorded: 0,
    };
    for row in mechanisms {
        match norm.assess(row) {
            Some(true) => item.met_by.push(MechanismRef {
                id: row.id.clone(),
                title: row.title.clone(),
                country_name: row.country_name.clone(),
            }),
            Some(false) => item.not_met += 1,
            None => item.not_recorded += 1,
        }
    }
    item
}

/// The current guide documents with their stored record, grouped by chapter, each group in
/// id order.
fn guides_by_chapter(
    kb: &KnowledgeBase,
) -> Result<BTreeMap<String, Vec<(Metadata, crate::store::DocumentRecord)>>, ManualError> {
    let request = SearchRequest::default().filter(FacetGroup::Type, "guide");
    let mut ids = kb.search_all_ids(&request)?;
    ids.truncate(MAX_GUIDES);
    ids.sort();
    let mut by_chapter: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for id in ids {
        let Some(record) = kb.store().get(&id)?.filter(|r| !r.withdrawn) else {
            continue;
        };
        if let Some(chapter) = record.meta.chapter.clone() {
            by_chapter
                .entry(chapter)
                .or_default()
                .push((record.meta.clone(), record));
        }
    }
    Ok(by_chapter)
}

/// The chapter's document in `lang`, else in English, else the first; with two in the same
/// language, the first by id.
fn pick_guide(versions: &[(Metadata, crate::store::DocumentRecord)], lang: Lang) -> Option<Guide> {
    let in_language = |code: &str| versions.iter().find(|(meta, _)| meta.language == code);
    let (meta, record) = in_language(lang.code())
        .or_else(|| in_language("en"))
        .or_else(|| versions.first())?;
    Some(Guide {
        id: meta.id.clone(),
        title: meta.title.clone(),
        summary: meta.summary.clone(),
        language: meta.language.clone(),
        revision: record.revision,
        last_modified: record.last_modified.clone(),
        markdown: record.body.clone(),
        sources: meta.sources.clone(),
        in_requested_language: meta.language == lang.code(),
    })
}

/// Whether a mechanism is national: one country, and not a regional body or network.
pub(crate) fn is_national(meta: &Metadata) -> bool {
    meta.doc_type == "mechanism"
        && meta.countries.len() == 1
        && !meta
            .mechanism_types
            .iter()
            .any(|t| NOT_NATIONAL.contains(&t.as_str()))
}

fn national_mechanisms(
    kb: &KnowledgeBase,
    taxonomy: &Taxonomy,
    lang: Lang,
) -> Result<(Vec<MechanismRow>, bool), ManualError> {
    let request = SearchRequest::default().filter(FacetGroup::Type, "mechanism");
    let ids = kb.search_all_ids(&request)?;
    let truncated = ids.len() > MAX_MECHANISMS;
    let mut rows = Vec::new();
    for id in ids.into_iter().take(MAX_MECHANISMS) {
        let Some(record) = kb.store().get(&id)?.filter(|r| !r.withdrawn) else {
            continue;
        };
        if is_national(&record.meta) {
            rows.push(mechanism_row(kb, taxonomy, &record.meta, lang)?);
        }
    }
    rows.sort_by(|a, b| {
        (
            crate::compare::heading_key(&a.country_name),
            a.established.unwrap_or(i32::MAX),
            &a.title,
            &a.id,
        )
            .cmp(&(
                crate::compare::heading_key(&b.country_name),
                b.established.unwrap_or(i32::MAX),
                &b.title,
                &b.id,
            ))
    });
    Ok((rows, truncated))
}

fn mechanism_row(
    kb: &KnowledgeBase,
    taxonomy: &Taxonomy,
    meta: &Metadata,
    lang: Lang,
) -> Result<MechanismRow, ManualError> {
    let iso3 = meta.countries[0].clone();
    let country = taxonomy.geography.country(&iso3);
    let legal_basis = match meta.legal_basis.as_deref() {
        None => None,
        Some(basis) if crate::taxonomy::is_slug(basis) => {
            match kb.store().get(basis)?.filter(|r| !r.withdrawn) {
                Some(document) => Some(LegalBasis {
                    text: document.meta.title,
                    law: document.meta.doc_type == "law",
                    document: Some(basis.to_string()),
                }),
                None => Some(LegalBasis {
                    text: basis.to_string(),
                    document: None,
                    law: false,
                }),
            }
        }
        Some(citation) => Some(LegalBasis {
            text: citation.to_string(),
            document: None,
            law: false,
        }),
    };
    Ok(MechanismRow {
        id: meta.id.clone(),
        title: meta.title.clone(),
        country_iso2: country.map(|c| c.iso2.clone()).unwrap_or_default(),
        country_name: country
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| iso3.clone()),
        country: iso3,
        mechanism_types: meta.mechanism_types.clone(),
        established: meta.established,
        legal_basis,
        mandate: meta.mandate.clone(),
        composition: meta.composition.clone(),
        composition_label: meta
            .composition
            .as_deref()
            .map(|c| taxonomy.compositions.label(c, lang).to_string()),
        reporting_line: meta.reporting_line.clone(),
        early_warning: meta.early_warning,
        operating_status: meta.operating_status.clone(),
        operating_status_label: meta
            .operating_status
            .as_deref()
            .map(|s| taxonomy.operating_statuses.label(s, lang).to_string()),
        language: meta.language.clone(),
    })
}

/// A chapter's table as records for CSV: a header (`id, title, country, country_name`, then
/// the chapter's fields), then one record per national mechanism in the page's order. An
/// unset field is an empty cell (never "false" or "no").
pub(crate) fn chapter_records(manual: &Manual, chapter: &Chapter) -> Vec<Vec<String>> {
    let mut header: Vec<String> = ["id", "title", "country", "country_name"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(chapter.columns.iter().map(|c| c.field().to_string()));
    let mut records = vec![header];
    for row in &manual.mechanisms {
        let mut cells = vec![
            row.id.clone(),
            row.title.clone(),
            row.country.clone(),
            row.country_name.clone(),
        ];
        cells.extend(chapter.columns.iter().map(|&c| csv_value(row, c)));
        records.push(cells);
    }
    records
}

fn csv_value(row: &MechanismRow, column: Column) -> String {
    match column {
        Column::Established => row.established.map(|y| y.to_string()).unwrap_or_default(),
        Column::LegalBasis => row
            .legal_basis
            .as_ref()
            .map(|b| match &b.document {
                Some(id) => format!("{} ({id})", b.text),
                None => b.text.clone(),
            })
            .unwrap_or_default(),
        Column::Mandate => row.mandate.clone().unwrap_or_default(),
        Column::Composition => row.composition.clone().unwrap_or_default(),
        Column::ReportingLine => row.reporting_line.clone().unwrap_or_default(),
        Column::EarlyWarning => row.early_warning.map(|b| b.to_string()).unwrap_or_default(),
        Column::OperatingStatus => row.operating_status.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> MechanismRow {
        MechanismRow {
            id: "x-committee".into(),
            title: "X committee".into(),
            country: "KEN".into(),
            country_iso2: "KE".into(),
            country_name: "Kenya".into(),
            mechanism_types: vec![],
            established: None,
            legal_basis: None,
            mandate: None,
            composition: None,
            composition_label: None,
            reporting_line: None,
            early_warning: None,
            operating_status: None,
            operating_status_label: None,
            language: "en".into(),
        }
    }

    #[test]
    fn an_unrecorded_field_neither_meets_nor_fails_a_norm() {
        let bare = row();
        for norm in [
            Norm::LegalBasis,
            Norm::Mandate,
            Norm::ReportingLine,
            Norm::EarlyWarning,
            Norm::IncludesCivilSociety,
            Norm::Independent,
            Norm::Active,
            Norm::FoundedOnLaw,
        ] {
            assert_eq!(norm.assess(&bare), None, "{norm:?}");
        }
        let explicit = MechanismRow {
            early_warning: Some(false),
            composition: Some("state".into()),
            operating_status: Some("dormant".into()),
            legal_basis: Some(LegalBasis {
                text: "Decree 1".into(),
                document: None,
                law: false,
            }),
            ..row()
        };
        assert_eq!(Norm::EarlyWarning.assess(&explicit), Some(false));
        assert_eq!(Norm::IncludesCivilSociety.assess(&explicit), Some(false));
        assert_eq!(Norm::Active.assess(&explicit), Some(false));
        assert_eq!(Norm::LegalBasis.assess(&explicit), Some(true));
        assert_eq!(Norm::FoundedOnLaw.assess(&explicit), Some(false));
    }

    #[test]
    fn every_chapter_of_the_builtin_taxonomy_has_columns_and_norms() {
        let taxonomy = Taxonomy::builtin();
        let chapters: Vec<&str> = taxonomy.manual_chapters.slugs().collect();
        assert_eq!(chapters, ["establishing", "guiding", "managing"]);
        for chapter in chapters {
            assert!(chapter_columns(chapter).len() < ALL_COLUMNS.len());
            assert!(!chapter_norms(chapter).is_empty());
        }
    }
}
