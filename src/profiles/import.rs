//! `praxis import-treaties`: reading treaty participation in the UN Treaty Collection format
//! (the columns of `untc-*.csv`), checking every row, and storing the valid ones.
//!
//! Participant names are mapped to ISO codes the way `scripts/build_reference_data.py` maps
//! them: first the hand-maintained table `corpus/reference/treaties/participant_names.csv`
//! (shared with the script), then the English, French and Spanish names of `countries.csv`.
//! A name that maps to nothing is an error, never a guess.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::error::ProfileError;
use super::treaties::{Action, TreatyData};
use crate::catalogue::Message;
use crate::document::Problem;
use crate::geography::Geography;
use crate::store::{now, ImportedParticipation, ImportedTreaty};
use crate::taxonomy::Taxonomy;
use crate::KnowledgeBase;

const PARTICIPANT_NAMES_CSV: &str =
    include_str!("../../corpus/reference/treaties/participant_names.csv");

/// The columns of the UN Treaty Collection files, in their order.
pub(crate) const COLUMNS: [&str; 9] = [
    "country_name",
    "treaty_id",
    "treaty_name",
    "action_type",
    "action_date",
    "signature_date",
    "treaty_open_year",
    "mtdsg_no",
    "source_url",
];

/// The values `action_type` accepts (any case); empty means a signature without ratification.
pub(crate) const ACTION_TYPES: &str = "Ratification, Accession, Succession, Acceptance, Approval, \
     Definitive signature, Consent to be bound, Signature, or empty (signature only)";

/// Protocols not open for signature: the UN lists the date of consent to be bound, which the
/// UN files carry as a signature date with an empty action type (CCW art. 4). Read as consent,
/// as `scripts/build_reference_data.py` does, so these rows do not read as "signed only".
const CONSENT_TO_BE_BOUND_TREATIES: [&str; 3] = ["ccw_p4", "ccw_p2a", "ccw_p5"];
/// Amendments are not signed: the UN files repeat the action date as a signature date.
const NO_SIGNATURE_TREATIES: [&str; 1] = ["ccw_art1"];

/// What a participant name maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NameMatch {
    /// An ISO 3166-1 alpha-3 code.
    Iso3(String),
    /// A participant with no ISO code today (a former State, the European Union): skipped.
    NoCode { reason: String },
    /// Nothing matches; `suggestion` is the closest country name, with its code.
    Unknown { suggestion: Option<String> },
}

/// UN participant names to ISO codes.
#[derive(Debug)]
pub(crate) struct ParticipantNames {
    /// From `participant_names.csv`: normalised name → ISO3, or `Err(reason)` for no code.
    explicit: HashMap<String, Result<String, String>>,
    /// From `countries.csv`: normalised English, French and Spanish names → ISO3.
    countries: HashMap<String, String>,
    geography: Arc<Geography>,
}

#[derive(Deserialize)]
struct NameRow {
    name: String,
    iso3: String,
    note: String,
}

impl ParticipantNames {
    /// The table compiled into the binary, with the built-in geography.
    pub(crate) fn builtin() -> Arc<ParticipantNames> {
        static BUILTIN: OnceLock<Arc<ParticipantNames>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Arc::new(
                    ParticipantNames::parse(PARTICIPANT_NAMES_CSV, Geography::builtin())
                        .expect("participant_names.csv is valid"),
                )
            })
            .clone()
    }

    pub(crate) fn parse(table_csv: &str, geography: Arc<Geography>) -> Result<Self, String> {
        let mut countries = HashMap::new();
        for country in geography.countries() {
            for name in country.names.all() {
                let key = name_key(name);
                if let Some(other) = countries.insert(key.clone(), country.iso3.clone()) {
                    if other != country.iso3 {
                        return Err(format!(
                            "countries.csv: the name \"{name}\" ({key}) matches {other} and {}",
                            country.iso3
                        ));
                    }
                }
            }
        }
        let mut explicit = HashMap::new();
        for row in csv::Reader::from_reader(table_csv.as_bytes()).deserialize::<NameRow>() {
            let row = row.map_err(|e| format!("participant_names.csv: {e}"))?;
            let value = if row.iso3.is_empty() {
                if row.note.is_empty() {
                    return Err(format!(
                        "participant_names.csv: {}: no iso3 and no note saying why",
                        row.name
                    ));
                }
                Err(row.note)
            } else {
                if geography.country(&row.iso3).is_none() {
                    return Err(format!(
                        "participant_names.csv: {}: unknown iso3 {}",
                        row.name, row.iso3
                    ));
                }
                Ok(row.iso3)
            };
            if explicit.insert(name_key(&row.name), value).is_some() {
                return Err(format!("participant_names.csv: {} appears twice", row.name));
            }
        }
        Ok(ParticipantNames {
            explicit,
            countries,
            geography,
        })
    }

    pub(crate) fn resolve(&self, name: &str) -> NameMatch {
        let key = name_key(name);
        match self.explicit.get(&key) {
            Some(Ok(iso3)) => return NameMatch::Iso3(iso3.clone()),
            Some(Err(reason)) => {
                return NameMatch::NoCode {
                    reason: reason.clone(),
                }
            }
            None => {}
        }
        if let Some(iso3) = self.countries.get(&key) {
            return NameMatch::Iso3(iso3.clone());
        }
        let suggestion = self
            .closest(&key)
            .and_then(|iso3| self.geography.country(iso3))
            .map(|c| format!("{} ({})", c.names.en, c.iso3));
        NameMatch::Unknown { suggestion }
    }

    /// The ISO code of the country name closest to `key`: names that start with it first
    /// ("United States" → "United States of America"), then by edit distance; ties go to the
    /// shorter name, so the suggestion does not depend on hash order.
    fn closest(&self, key: &str) -> Option<&str> {
        if key.is_empty() {
            return None;
        }
        self.countries
            .iter()
            .map(|(name, iso3)| {
                let similarity = strsim::normalized_damerau_levenshtein(key, name);
                (name.starts_with(key), similarity, name, iso3)
            })
            .filter(|(prefix, similarity, _, _)| *prefix || *similarity >= 0.7)
            .max_by(|a, b| {
                (a.0, a.1)
                    .partial_cmp(&(b.0, b.1))
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then_with(|| b.2.len().cmp(&a.2.len()))
                    .then_with(|| b.2.cmp(a.2))
            })
            .map(|(_, _, _, iso3)| iso3.as_str())
    }
}

/// A name reduced for comparison: case, accents, typographic apostrophes, the UN's trailing
/// `*` markers and a leading or parenthesised English article do not matter.
pub(crate) fn name_key(name: &str) -> String {
    let folded: String = name
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .replace('\u{2019}', "'")
        .to_lowercase();
    let mut key = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    key = key.trim_end_matches('*').trim_end().to_string();
    if let Some(stripped) = key.strip_suffix("(the)") {
        key = stripped.trim_end().to_string();
    }
    if let Some(stripped) = key.strip_prefix("the ") {
        key = stripped.to_string();
    }
    key
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The date the data reflects (`YYYY-MM-DD`), e.g. the day the curator read the source.
    pub as_of: Option<String>,
    /// Remove every row imported earlier for the treaties in the file before storing it.
    pub replace: bool,
    /// Check only; store nothing.
    pub dry_run: bool,
}

/// A participant name that was not mapped to a country, with the lines it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmappedName {
    pub name: String,
    pub lines: Vec<usize>,
    /// Why it has no code (for known participants such as former States).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The closest country name, for names not recognised at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub file: String,
    /// Data rows read (the header excluded).
    pub rows: usize,
    /// Rows stored (or that would be, in a dry run).
    pub imported: usize,
    /// Rows stored per treaty id.
    pub by_treaty: BTreeMap<String, usize>,
    /// Stored rows that take precedence over a row of the built-in data.
    pub over_builtin: usize,
    /// Rows of earlier imports overwritten or (with `replace`) removed.
    pub replaced: usize,
    /// Every problem, with file, line, column and field.
    pub problems: Vec<Problem>,
    /// Participants with no ISO code today (former States, ...): skipped, not errors.
    pub without_code: Vec<UnmappedName>,
    /// Names that match no country: errors (each also in `problems`).
    pub unrecognised: Vec<UnmappedName>,
    /// Imported treaty ids that no taxonomy instrument links to (`untc:`): stored, but not
    /// shown in country profiles.
    pub unlinked_treaties: Vec<String>,
    pub dry_run: bool,
}

impl ImportReport {
    pub fn skipped(&self) -> usize {
        self.rows - self.imported
    }

    /// Rows with at least one problem.
    pub fn rows_with_problems(&self) -> usize {
        let mut lines: Vec<usize> = self.problems.iter().filter_map(|p| p.line).collect();
        lines.retain(|&l| l > 1);
        lines.sort_unstable();
        lines.dedup();
        lines.len()
    }

    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The valid rows of a file and the report on it.
#[derive(Debug)]
pub(crate) struct ParsedImport {
    pub(crate) treaties: Vec<ImportedTreaty>,
    pub(crate) rows: Vec<ImportedParticipation>,
    pub(crate) report: ImportReport,
}

/// Reads `path`, checks it and stores its valid rows in the knowledge base's store.
pub fn import_treaties(
    kb: &KnowledgeBase,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, ProfileError> {
    let bytes = std::fs::read(path).map_err(|source| ProfileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let parsed = parse_un_csv(
        &path.display().to_string(),
        &bytes,
        &kb.taxonomy(),
        &ParticipantNames::builtin(),
        options,
    )?;
    let mut report = parsed.report;
    if !options.dry_run && !parsed.rows.is_empty() {
        report.replaced =
            kb.store()
                .import_treaty_data(&parsed.treaties, &parsed.rows, options.replace)?;
    }
    Ok(report)
}

// A problem is made once per bad row and kept: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
/// Checks a file in the UN format; returns its valid rows and every problem. `file` names the
/// file in problems. Three steps: reading ([`read_csv`]: records with their line numbers),
/// mapping ([`map_header`], [`Columns::row`]: fields by UN column name; [`ValidRow`] to the
/// stored treaty rows) and validating ([`RowValidator`]: each row's fields, then the rows
/// against each other).
pub(crate) fn parse_un_csv(
    file: &str,
    bytes: &[u8],
    taxonomy: &Taxonomy,
    names: &ParticipantNames,
    options: &ImportOptions,
) -> Result<ParsedImport, ProfileError> {
    let today = time::OffsetDateTime::now_utc().date();
    if let Some(as_of) = &options.as_of {
        parse_date(as_of, today).map_err(|message| ProfileError::InvalidParameter {
            parameter: "as_of".into(),
            message: crate::catalogue::Message::verbatim(message),
        })?;
    }
    let imported_at = now();
    let mut report = ImportReport {
        file: file.to_string(),
        dry_run: options.dry_run,
        ..Default::default()
    };
    let nothing = |report| {
        Ok(ParsedImport {
            treaties: Vec::new(),
            rows: Vec::new(),
            report,
        })
    };
    let table = match read_csv(file, bytes) {
        Ok(table) => table,
        Err(problem) => {
            report.problems.push(problem);
            return nothing(report);
        }
    };
    let (columns, header_problems) = map_header(file, &table.header);
    report.problems.extend(header_problems);
    let Some(columns) = columns else {
        return nothing(report);
    };

    let mut validator = RowValidator::new(file, names, &columns, today);
    let mut treaties: BTreeMap<String, ImportedTreaty> = BTreeMap::new();
    let mut rows = Vec::new();
    let builtin = TreatyData::builtin();
    for record in table.records {
        report.rows += 1;
        let row = match record.and_then(|record| columns.row(file, record)) {
            Ok(row) => row,
            Err(problem) => {
                report.problems.push(problem);
                continue;
            }
        };
        let valid = match validator.check(&row) {
            Ok(Some(valid)) => valid,
            // A participant with no ISO code today: skipped, not an error.
            Ok(None) => continue,
            Err(problems) => {
                report.problems.extend(problems);
                continue;
            }
        };
        let treaty = row.get("treaty_id");
        treaties
            .entry(treaty.to_string())
            .or_insert_with(|| valid.treaty(&row, file, &imported_at, options));
        if builtin.participation(&valid.iso3, treaty).is_some() {
            report.over_builtin += 1;
        }
        *report.by_treaty.entry(treaty.to_string()).or_insert(0) += 1;
        rows.push(valid.participation(&row, file, &imported_at, options));
    }

    report.imported = rows.len();
    (report.without_code, report.unrecognised) = validator.unmapped_names();
    let linked: Vec<&str> = taxonomy
        .instruments
        .terms()
        .iter()
        .filter_map(|t| t.untc.as_deref())
        .collect();
    report.unlinked_treaties = treaties
        .keys()
        .filter(|t| !linked.contains(&t.as_str()))
        .cloned()
        .collect();
    Ok(ParsedImport {
        treaties: treaties.into_values().collect(),
        rows,
        report,
    })
}

/// A CSV file read as records, each with the line it starts on.
struct CsvTable {
    header: csv::StringRecord,
    /// The data records, blank ones left out; an unreadable record is its problem.
    records: Vec<Result<CsvRecord, Problem>>,
}

struct CsvRecord {
    line: usize,
    fields: csv::StringRecord,
}

// A problem is made once per bad row and kept: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
/// Reading: the header and records of a CSV file with their line numbers. An empty file or an
/// unreadable header is the one problem that stops the reading.
fn read_csv(file: &str, bytes: &[u8]) -> Result<CsvTable, Problem> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // The csv reader counts lines by `\n` and reports a CRLF record one line early (and every
    // record of a CR-only file on line 1); with plain `\n` endings every line number is right.
    let bytes = unify_line_endings(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            return Err(problem_at(
                file,
                1,
                None,
                None,
                format!(
                    "the file is empty; the first line must name the columns: {}",
                    COLUMNS.join(",")
                ),
            ))
        }
        Some(Err(error)) => return Err(csv_problem(file, &error)),
        Some(Ok(header)) => header,
    };
    let records = records
        .filter_map(|record| match record {
            Ok(fields) if fields.iter().all(|f| f.trim().is_empty()) => None,
            Ok(fields) => Some(Ok(CsvRecord {
                line: fields.position().map_or(0, |p| p.line() as usize),
                fields,
            })),
            Err(error) => Some(Err(csv_problem(file, &error))),
        })
        .collect();
    Ok(CsvTable { header, records })
}

/// Where each UN column is in the file.
struct Columns {
    position: HashMap<&'static str, usize>,
    /// How many fields the header has: every row must have as many.
    width: usize,
}

/// Mapping the header: every UN column, by name, in any order. An unknown column is a problem
/// that does not stop the import; a missing one does (no [`Columns`]).
fn map_header(file: &str, header: &csv::StringRecord) -> (Option<Columns>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut position: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(column) => {
                position.insert(column, i);
            }
            None => problems.push(problem_at(
                file,
                1,
                Some(i + 1),
                None,
                format!(
                    "unknown column \"{name}\"; the columns are: {}",
                    COLUMNS.join(",")
                ),
            )),
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| !position.contains_key(c))
        .collect();
    if !missing.is_empty() {
        problems.push(problem_at(
            file,
            1,
            None,
            None,
            format!(
                "missing column(s) {}; the first line must name the columns: {}",
                missing.join(", "),
                COLUMNS.join(",")
            ),
        ));
        return (None, problems);
    }
    let width = header.len();
    (Some(Columns { position, width }), problems)
}

impl Columns {
    // A problem is made once per bad row and kept: boxing it would buy nothing.
    #[allow(clippy::result_large_err)]
    /// Mapping a record: its fields by column name, if it has as many as the header.
    fn row(&self, file: &str, record: CsvRecord) -> Result<UnRow<'_>, Problem> {
        if record.fields.len() != self.width {
            return Err(problem_at(
                file,
                record.line,
                None,
                None,
                format!(
                    "this row has {} fields; the header has {} (quote values that contain commas)",
                    record.fields.len(),
                    self.width
                ),
            ));
        }
        Ok(UnRow {
            line: record.line,
            fields: record.fields,
            columns: self,
        })
    }

    /// The 1-based column number of a UN column, as problems give it.
    fn number(&self, column: &str) -> usize {
        self.position[column] + 1
    }
}

/// One data row of a UN file, its fields found by column name.
struct UnRow<'c> {
    line: usize,
    fields: csv::StringRecord,
    columns: &'c Columns,
}

impl UnRow<'_> {
    /// The trimmed value of a UN column.
    fn get(&self, column: &str) -> &str {
        self.fields
            .get(self.columns.position[column])
            .unwrap_or("")
            .trim()
    }
}

/// A row that passed every check: what it adds to the stored treaty data.
#[derive(Debug)]
struct ValidRow {
    iso3: String,
    action: Action,
    action_date: Option<String>,
    signature_date: Option<String>,
    open_year: Option<i32>,
    mtdsg_no: Option<String>,
}

impl ValidRow {
    /// Mapping: the treaty as this row describes it.
    fn treaty(
        &self,
        row: &UnRow,
        file: &str,
        imported_at: &str,
        options: &ImportOptions,
    ) -> ImportedTreaty {
        ImportedTreaty {
            treaty: row.get("treaty_id").to_string(),
            name: row.get("treaty_name").to_string(),
            mtdsg_no: self.mtdsg_no.clone(),
            open_year: self.open_year,
            source_url: row.get("source_url").to_string(),
            file: file.to_string(),
            imported_at: imported_at.to_string(),
            as_of: options.as_of.clone(),
        }
    }

    /// Mapping: the State's participation in the treaty.
    fn participation(
        self,
        row: &UnRow,
        file: &str,
        imported_at: &str,
        options: &ImportOptions,
    ) -> ImportedParticipation {
        ImportedParticipation {
            iso3: self.iso3,
            treaty: row.get("treaty_id").to_string(),
            action: self.action,
            action_date: self.action_date,
            signature_date: self.signature_date,
            source_url: row.get("source_url").to_string(),
            name: row.get("country_name").to_string(),
            file: file.to_string(),
            line: row.line,
            imported_at: imported_at.to_string(),
            as_of: options.as_of.clone(),
        }
    }
}

/// How the first valid row of a treaty described it: every later row must agree.
struct TreatyDescription {
    name: String,
    open_year: Option<i32>,
    mtdsg_no: Option<String>,
    line: usize,
}

/// Validating: each row's fields, then the rows against each other (one description per
/// treaty, one row per State and treaty). Every problem names the file, line, column and field.
struct RowValidator<'a> {
    file: &'a str,
    names: &'a ParticipantNames,
    columns: &'a Columns,
    today: time::Date,
    /// The first valid row of each treaty.
    descriptions: HashMap<String, TreatyDescription>,
    /// The valid rows so far, by State and treaty: their line and participant name.
    seen: HashMap<(String, String), (usize, String)>,
    without_code: BTreeMap<String, UnmappedName>,
    unrecognised: BTreeMap<String, UnmappedName>,
}

impl<'a> RowValidator<'a> {
    fn new(
        file: &'a str,
        names: &'a ParticipantNames,
        columns: &'a Columns,
        today: time::Date,
    ) -> Self {
        RowValidator {
            file,
            names,
            columns,
            today,
            descriptions: HashMap::new(),
            seen: HashMap::new(),
            without_code: BTreeMap::new(),
            unrecognised: BTreeMap::new(),
        }
    }

    /// The row's values if it is valid, `None` for a participant with no ISO code today
    /// (recorded in [`Self::unmapped_names`]), or every problem of the row.
    fn check(&mut self, row: &UnRow) -> Result<Option<ValidRow>, Vec<Problem>> {
        let (file, columns, today, line) = (self.file, self.columns, self.today, row.line);
        let get = |column: &str| row.get(column);
        let mut row_problems = Vec::new();
        let mut fail = |column: &str, message: String| {
            row_problems.push(problem_at(
                file,
                line,
                Some(columns.number(column)),
                Some(column),
                message,
            ));
        };

        // country_name
        let name = get("country_name");
        let iso3 = if name.is_empty() {
            fail(
                "country_name",
                "required: the State's name as the UN writes it, e.g. Kenya".into(),
            );
            None
        } else {
            match self.names.resolve(name) {
                NameMatch::Iso3(iso3) => Some(iso3),
                NameMatch::NoCode { reason } => {
                    self.without_code
                        .entry(name.to_string())
                        .or_insert_with(|| UnmappedName {
                            name: name.to_string(),
                            lines: Vec::new(),
                            reason: Some(reason),
                            suggestion: None,
                        })
                        .lines
                        .push(line);
                    return Ok(None);
                }
                NameMatch::Unknown { suggestion } => {
                    let hint = suggestion
                        .as_deref()
                        .map(|s| format!(" (did you mean {s}?)"))
                        .unwrap_or_default();
                    fail(
                        "country_name",
                        format!(
                            "\"{name}\" matches no country: use a name of corpus/reference/countries.csv (English, French or Spanish) or add it to corpus/reference/treaties/participant_names.csv{hint}"
                        ),
                    );
                    self.unrecognised
                        .entry(name.to_string())
                        .or_insert_with(|| UnmappedName {
                            name: name.to_string(),
                            lines: Vec::new(),
                            reason: None,
                            suggestion,
                        })
                        .lines
                        .push(line);
                    None
                }
            }
        };

        // treaty_id
        let treaty = get("treaty_id");
        let treaty_ok = is_treaty_id(treaty);
        if !treaty_ok {
            fail(
                "treaty_id",
                format!(
                    "\"{treaty}\" is not a treaty id: use lower-case letters, digits, '_' and '-' (at most 64), as in the taxonomy's untc ids, e.g. genocide, rome-statute, iccpr"
                ),
            );
        }

        // treaty_name, treaty_open_year, mtdsg_no, source_url
        let treaty_name = get("treaty_name");
        if treaty_name.is_empty() {
            fail("treaty_name", "required: the treaty's name".into());
        }
        let open_year = match get("treaty_open_year") {
            "" => None,
            value => match value.parse::<i32>() {
                Ok(year) if (1800..=today.year()).contains(&year) => Some(year),
                _ => {
                    fail(
                        "treaty_open_year",
                        format!(
                            "\"{value}\" is not a year: use four digits between 1800 and {}, or leave it empty",
                            today.year()
                        ),
                    );
                    None
                }
            },
        };
        let mtdsg_no = Some(get("mtdsg_no").to_string()).filter(|s| !s.is_empty());
        let source_url = get("source_url");
        if !is_url(source_url) {
            fail(
                "source_url",
                format!(
                    "\"{source_url}\" is not a web address: every row needs the http:// or https:// page it comes from"
                ),
            );
        }

        // action_type and dates
        let action_type = get("action_type");
        let mut action = match parse_action(action_type) {
            Some(action) => Some(action),
            None => {
                fail(
                    "action_type",
                    format!("\"{action_type}\" is not an action type; allowed: {ACTION_TYPES}"),
                );
                None
            }
        };
        let mut dates = [None, None];
        for (slot, column) in dates.iter_mut().zip(["action_date", "signature_date"]) {
            let value = get(column);
            if value.is_empty() {
                continue;
            }
            match parse_date(value, today) {
                Ok(()) => *slot = Some(value.to_string()),
                Err(message) => fail(column, message),
            }
        }
        let [mut action_date, mut signature_date] = dates;
        let dates_ok = !(get("action_date").is_empty() != action_date.is_none()
            || get("signature_date").is_empty() != signature_date.is_none());
        if CONSENT_TO_BE_BOUND_TREATIES.contains(&treaty)
            && action == Some(Action::Signature)
            && action_date.is_none()
        {
            action = Some(Action::Consent);
            action_date = signature_date.take();
        }
        if NO_SIGNATURE_TREATIES.contains(&treaty) {
            if signature_date.is_some() && signature_date != action_date {
                fail(
                    "signature_date",
                    format!("{treaty} is an amendment, which is not signed: leave signature_date empty or equal to action_date"),
                );
            }
            signature_date = None;
        }
        if let (Some(action), true) = (action, dates_ok) {
            if action.binds() && action_date.is_none() {
                fail(
                    "action_date",
                    format!(
                        "required for action_type {}: the date of the {} (YYYY-MM-DD)",
                        action_type,
                        action.label(crate::Lang::En)
                    ),
                );
            }
            if !action.binds() {
                if signature_date.is_none() {
                    fail(
                        "signature_date",
                        "required for a signature without ratification (empty action_type): the date of signature (YYYY-MM-DD)".into(),
                    );
                }
                if action_date.is_some() {
                    fail(
                        "action_date",
                        "must be empty for a signature without ratification; set action_type (Ratification, Accession, ...) or clear action_date".into(),
                    );
                }
            }
        }

        // The treaty's description must agree across its rows (fields that failed their own
        // check above are not compared again).
        if treaty_ok && !treaty_name.is_empty() {
            if let Some(first) = self.descriptions.get(treaty) {
                let first_line = first.line;
                let year = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_default();
                let fields = [
                    (
                        "treaty_name",
                        first.name.clone(),
                        treaty_name.to_string(),
                        true,
                    ),
                    (
                        "treaty_open_year",
                        year(first.open_year),
                        year(open_year),
                        open_year.is_some() || get("treaty_open_year").is_empty(),
                    ),
                    (
                        "mtdsg_no",
                        first.mtdsg_no.clone().unwrap_or_default(),
                        mtdsg_no.clone().unwrap_or_default(),
                        true,
                    ),
                ];
                for (column, before, value, checked) in fields {
                    if checked && before != value {
                        fail(
                            column,
                            format!(
                                "\"{value}\" differs from line {first_line} (\"{before}\"): every row of {treaty} must describe the treaty the same way"
                            ),
                        );
                    }
                }
            }
        }

        // One row per State and treaty.
        if let (Some(iso3), true) = (&iso3, treaty_ok) {
            if let Some((first_line, first_name)) =
                self.seen.get(&(iso3.clone(), treaty.to_string()))
            {
                fail(
                    "country_name",
                    format!(
                        "{iso3} already has a row for {treaty} at line {first_line} (\"{first_name}\"): one row per State and treaty"
                    ),
                );
            }
        }

        if !row_problems.is_empty() {
            return Err(row_problems);
        }
        let (Some(iso3), Some(action)) = (iso3, action) else {
            return Err(row_problems);
        };
        self.seen
            .insert((iso3.clone(), treaty.to_string()), (line, name.to_string()));
        self.descriptions
            .entry(treaty.to_string())
            .or_insert_with(|| TreatyDescription {
                name: treaty_name.to_string(),
                open_year,
                mtdsg_no: mtdsg_no.clone(),
                line,
            });
        Ok(Some(ValidRow {
            iso3,
            action,
            action_date,
            signature_date,
            open_year,
            mtdsg_no,
        }))
    }

    /// The participants with no ISO code today, and the names that match no country.
    fn unmapped_names(self) -> (Vec<UnmappedName>, Vec<UnmappedName>) {
        (
            self.without_code.into_values().collect(),
            self.unrecognised.into_values().collect(),
        )
    }
}

fn problem_at(
    file: &str,
    line: usize,
    column: Option<usize>,
    field: Option<&str>,
    message: String,
) -> Problem {
    Problem {
        file: file.to_string(),
        line: Some(line),
        column,
        field: field.map(str::to_string),
        // The importer's messages are not in the catalogue yet: English for the CLI.
        message: Message::new("problem_import").arg("detail", message),
    }
}

/// `\r\n` and lone `\r` become `\n`.
fn unify_line_endings(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter().peekable();
    while let Some(&byte) = iter.next() {
        if byte == b'\r' {
            if iter.peek() == Some(&&b'\n') {
                iter.next();
            }
            out.push(b'\n');
        } else {
            out.push(byte);
        }
    }
    out
}

fn csv_problem(file: &str, error: &csv::Error) -> Problem {
    let line = error.position().map(|p| p.line() as usize);
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "field {} is not valid UTF-8; save the file as UTF-8 CSV",
            err.field() + 1
        ),
        _ => format!("unreadable CSV: {error}"),
    };
    let column = match error.kind() {
        csv::ErrorKind::Utf8 { err, .. } => Some(err.field() + 1),
        _ => None,
    };
    Problem {
        file: file.to_string(),
        line,
        column,
        field: None,
        message: Message::new("problem_import").arg("detail", message),
    }
}

fn parse_action(value: &str) -> Option<Action> {
    let normalised = value
        .trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(match normalised.as_str() {
        "ratification" => Action::Ratification,
        "accession" => Action::Accession,
        "succession" => Action::Succession,
        "acceptance" => Action::Acceptance,
        "approval" => Action::Approval,
        "definitive signature" => Action::DefinitiveSignature,
        "consent to be bound" | "consent" => Action::Consent,
        "signature" | "" => Action::Signature,
        _ => return None,
    })
}

/// Checks a `YYYY-MM-DD` date that is not in the future.
fn parse_date(value: &str, today: time::Date) -> Result<(), String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(value, &format) {
        Ok(date) if value.len() == 10 && date <= today => Ok(()),
        Ok(_) if value.len() == 10 => Err(format!("\"{value}\" is in the future")),
        _ => Err(format!(
            "\"{value}\" is not a date: use YYYY-MM-DD, e.g. 1992-06-08"
        )),
    }
}

fn is_treaty_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn is_url(value: &str) -> bool {
    (value.starts_with("https://") || value.starts_with("http://"))
        && value.len() > "https://".len()
        && !value.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "country_name,treaty_id,treaty_name,action_type,action_date,signature_date,treaty_open_year,mtdsg_no,source_url\n";
    const URL: &str = "https://treaties.un.org/x";

    fn parse(body: &str) -> ParsedImport {
        parse_un_csv(
            "t.csv",
            format!("{HEADER}{body}").as_bytes(),
            &Taxonomy::builtin(),
            &ParticipantNames::builtin(),
            &ImportOptions::default(),
        )
        .unwrap()
    }

    fn messages(parsed: &ParsedImport) -> Vec<String> {
        parsed
            .report
            .problems
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    /// The UN header read and mapped, for the step-by-step tests below.
    fn un_columns() -> Columns {
        let table = read_csv("t.csv", HEADER.as_bytes()).unwrap();
        let (columns, problems) = map_header("t.csv", &table.header);
        assert!(problems.is_empty(), "{problems:?}");
        columns.unwrap()
    }

    fn record(line: usize, fields: &[&str]) -> CsvRecord {
        CsvRecord {
            line,
            fields: csv::StringRecord::from(fields.to_vec()),
        }
    }

    #[test]
    fn reading_gives_each_record_its_line_and_leaves_out_blank_rows() {
        let table = read_csv(
            "t.csv",
            b"\xef\xbb\xbfa,b\r\n1,2\r\n ,\r\n\"3\n3\",4\r5,6\n",
        )
        .unwrap();
        assert_eq!(table.header.iter().collect::<Vec<_>>(), ["a", "b"]);
        let records: Vec<(usize, Vec<&str>)> = table
            .records
            .iter()
            .map(|r| {
                let r = r.as_ref().unwrap();
                (r.line, r.fields.iter().collect())
            })
            .collect();
        assert_eq!(
            records,
            [
                (2, vec!["1", "2"]),
                (4, vec!["3\n3", "4"]),
                (6, vec!["5", "6"])
            ]
        );
    }

    #[test]
    fn reading_an_empty_file_is_one_problem_on_line_1_naming_the_columns() {
        let problem = read_csv("t.csv", b"").err().unwrap();
        assert_eq!((problem.file.as_str(), problem.line), ("t.csv", Some(1)));
        assert!(
            problem
                .message
                .to_string()
                .contains("country_name,treaty_id"),
            "{problem}"
        );
    }

    #[test]
    fn reading_reports_an_unreadable_record_with_its_line_and_goes_on() {
        let table = read_csv("t.csv", b"a,b\nx,\xff\n1,2\n").unwrap();
        let problem = table.records[0].as_ref().err().unwrap();
        assert_eq!((problem.line, problem.column), (Some(2), Some(2)));
        assert!(
            problem.message.to_string().contains("not valid UTF-8"),
            "{problem}"
        );
        assert_eq!(table.records[1].as_ref().unwrap().line, 3);
    }

    #[test]
    fn mapping_finds_the_columns_in_any_order_and_reports_unknown_ones() {
        let mut names: Vec<&str> = COLUMNS.to_vec();
        names.reverse();
        names.push("Remarks");
        let header = csv::StringRecord::from(names);
        let (columns, problems) = map_header("t.csv", &header);
        let columns = columns.expect("every UN column is there");
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].column), (Some(1), Some(10)));
        assert!(problems[0]
            .message
            .to_string()
            .contains("unknown column \"remarks\""));
        assert_eq!(columns.number("source_url"), 1);
        let mut fields: Vec<&str> = COLUMNS
            .iter()
            .map(|c| match *c {
                "country_name" => " Kenya ",
                other => other,
            })
            .collect();
        fields.reverse();
        fields.push("");
        let row = columns.row("t.csv", record(4, &fields)).unwrap();
        assert_eq!(row.get("country_name"), "Kenya");
        assert_eq!(row.get("treaty_id"), "treaty_id");
    }

    #[test]
    fn mapping_a_header_without_a_column_gives_no_columns() {
        let header = csv::StringRecord::from(vec!["country_name", "treaty_id"]);
        let (columns, problems) = map_header("t.csv", &header);
        assert!(columns.is_none());
        assert_eq!(problems.len(), 1);
        assert!(problems[0]
            .message
            .to_string()
            .starts_with("missing column(s) treaty_name, "));
    }

    #[test]
    fn mapping_a_record_of_the_wrong_width_is_a_problem_on_its_line() {
        let columns = un_columns();
        let problem = columns
            .row("t.csv", record(3, &["Kenya", "genocide"]))
            .err()
            .unwrap();
        assert_eq!(
            problem.to_string(),
            "t.csv:3: this row has 2 fields; the header has 9 (quote values that contain commas)"
        );
    }

    /// A row in the order of `HEADER`.
    fn un_row<'c>(columns: &'c Columns, line: usize, fields: [&str; 9]) -> UnRow<'c> {
        columns.row("t.csv", record(line, &fields)).unwrap()
    }

    #[test]
    fn validating_a_good_row_maps_it_to_the_stored_treaty_and_participation() {
        let columns = un_columns();
        let names = ParticipantNames::builtin();
        let today = time::macros::date!(2026 - 01 - 01);
        let mut validator = RowValidator::new("t.csv", &names, &columns, today);
        let row = un_row(
            &columns,
            2,
            [
                "Kenya",
                "genocide",
                "Convention on Genocide",
                "Accession",
                "2000-01-01",
                "",
                "1948",
                "IV-1",
                URL,
            ],
        );
        let valid = validator.check(&row).unwrap().unwrap();
        let options = ImportOptions {
            as_of: Some("2025-12-31".into()),
            ..Default::default()
        };
        let treaty = valid.treaty(&row, "t.csv", "now", &options);
        assert_eq!(
            (
                treaty.treaty.as_str(),
                treaty.open_year,
                treaty.mtdsg_no.as_deref()
            ),
            ("genocide", Some(1948), Some("IV-1"))
        );
        let participation = valid.participation(&row, "t.csv", "now", &options);
        assert_eq!(participation.iso3, "KEN");
        assert_eq!(participation.action, Action::Accession);
        assert_eq!(participation.action_date.as_deref(), Some("2000-01-01"));
        assert_eq!(
            (participation.line, participation.name.as_str()),
            (2, "Kenya")
        );
        assert_eq!(participation.as_of.as_deref(), Some("2025-12-31"));
    }

    #[test]
    fn validating_collects_every_problem_of_a_row_with_its_column_and_field() {
        let columns = un_columns();
        let names = ParticipantNames::builtin();
        let today = time::macros::date!(2026 - 01 - 01);
        let mut validator = RowValidator::new("t.csv", &names, &columns, today);
        let row = un_row(
            &columns,
            7,
            ["", "Bad Id", "", "Ratified", "2030-01-01", "", "", "", "x"],
        );
        let problems = validator.check(&row).unwrap_err();
        let fields: Vec<(Option<&str>, Option<usize>)> = problems
            .iter()
            .map(|p| (p.field.as_deref(), p.column))
            .collect();
        assert_eq!(
            fields,
            [
                (Some("country_name"), Some(1)),
                (Some("treaty_id"), Some(2)),
                (Some("treaty_name"), Some(3)),
                (Some("source_url"), Some(9)),
                (Some("action_type"), Some(4)),
                (Some("action_date"), Some(5)),
            ]
        );
        assert!(problems
            .iter()
            .all(|p| p.line == Some(7) && p.file == "t.csv"));
        assert!(
            problems[5].message.to_string().contains("in the future"),
            "{}",
            problems[5]
        );
    }

    #[test]
    fn validating_checks_rows_against_the_earlier_valid_ones_and_skips_former_states() {
        let columns = un_columns();
        let names = ParticipantNames::builtin();
        let today = time::macros::date!(2026 - 01 - 01);
        let mut validator = RowValidator::new("t.csv", &names, &columns, today);
        let kenya = [
            "Kenya",
            "genocide",
            "Genocide",
            "Accession",
            "2000-01-01",
            "",
            "1948",
            "",
            URL,
        ];
        assert!(validator
            .check(&un_row(&columns, 2, kenya))
            .unwrap()
            .is_some());
        let problems = validator.check(&un_row(&columns, 3, kenya)).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0]
            .message
            .to_string()
            .contains("KEN already has a row for genocide at line 2"));
        let renamed = [
            "Rwanda",
            "genocide",
            "Other name",
            "Accession",
            "2000-01-01",
            "",
            "1948",
            "",
            URL,
        ];
        let problems = validator.check(&un_row(&columns, 4, renamed)).unwrap_err();
        assert_eq!(problems[0].field.as_deref(), Some("treaty_name"));
        assert!(problems[0]
            .message
            .to_string()
            .contains("differs from line 2 (\"Genocide\")"));
        let former = [
            "Czechoslovakia",
            "genocide",
            "Genocide",
            "Accession",
            "1950-12-21",
            "",
            "1948",
            "",
            URL,
        ];
        assert!(validator
            .check(&un_row(&columns, 5, former))
            .unwrap()
            .is_none());
        let (without_code, unrecognised) = validator.unmapped_names();
        assert_eq!(without_code.len(), 1);
        assert_eq!(
            (
                without_code[0].name.as_str(),
                without_code[0].lines.as_slice()
            ),
            ("Czechoslovakia", &[5][..])
        );
        assert!(unrecognised.is_empty());
    }

    #[test]
    fn names_map_like_the_reference_data_script() {
        let names = ParticipantNames::builtin();
        let iso = |name: &str| match names.resolve(name) {
            NameMatch::Iso3(iso3) => iso3,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(iso("Kenya"), "KEN");
        assert_eq!(iso("Türkiye"), "TUR");
        assert_eq!(iso("Turkiye"), "TUR");
        assert_eq!(iso("Netherlands (Kingdom of the)"), "NLD");
        assert_eq!(iso("Bahamas (The)"), "BHS");
        assert_eq!(iso("St. Lucia"), "LCA");
        assert_eq!(iso("Côte d\u{2019}Ivoire"), "CIV");
        assert_eq!(iso("United States of America"), "USA");
        assert_eq!(iso("Estados Unidos de América"), "USA");
        assert_eq!(iso("etats-unis d'amerique"), "USA");
        assert!(matches!(
            names.resolve("Czechoslovakia"),
            NameMatch::NoCode { .. }
        ));
        match names.resolve("United States") {
            NameMatch::Unknown { suggestion } => {
                assert_eq!(
                    suggestion.as_deref(),
                    Some("United States of America (USA)")
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decomposed_accents_match_composed_ones() {
        let decomposed = "Tu\u{0308}rkiye";
        assert_eq!(name_key(decomposed), name_key("Türkiye"));
    }

    #[test]
    fn a_valid_file_gives_rows_and_the_treaty() {
        let parsed = parse(&format!(
            "Kenya,genocide,Convention on Genocide,Accession,2000-01-01,,1948,IV-1,{URL}\n\
             Bolivia (Plurinational State of),genocide,Convention on Genocide,,,1948-12-11,1948,IV-1,{URL}\n"
        ));
        assert!(parsed.report.is_ok(), "{:?}", messages(&parsed));
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[0].iso3, "KEN");
        assert_eq!(parsed.rows[0].action, Action::Accession);
        assert_eq!(parsed.rows[1].action, Action::Signature);
        assert_eq!(parsed.rows[1].line, 3);
        assert_eq!(parsed.treaties.len(), 1);
        assert_eq!(parsed.treaties[0].open_year, Some(1948));
        assert!(parsed.report.unlinked_treaties.is_empty());
    }

    #[test]
    fn every_bad_field_is_reported_with_line_column_and_what_is_allowed() {
        let parsed = parse("Kenya,Genocide Convention,G,Ratified,13/09/2001,,19x8,,ftp://x\n");
        let text = messages(&parsed).join("\n");
        assert!(parsed.rows.is_empty());
        assert!(text.contains("t.csv:2:2: treaty_id:"), "{text}");
        assert!(
            text.contains(
                "t.csv:2:4: action_type: \"Ratified\" is not an action type; allowed: Ratification"
            ),
            "{text}"
        );
        assert!(
            text.contains("t.csv:2:5: action_date: \"13/09/2001\" is not a date: use YYYY-MM-DD"),
            "{text}"
        );
        assert!(text.contains("t.csv:2:7: treaty_open_year:"), "{text}");
        assert!(text.contains("t.csv:2:9: source_url:"), "{text}");
        assert_eq!(parsed.report.rows_with_problems(), 1);
    }

    #[test]
    fn unknown_names_are_errors_with_a_suggestion_and_former_states_are_skipped() {
        let parsed = parse(&format!(
            "Atlantis,genocide,G,Ratification,1950-01-01,,1948,,{URL}\n\
             Yugoslavia,genocide,G,Ratification,1950-08-29,,1948,,{URL}\n\
             United States,genocide,G,Ratification,1988-11-25,1948-12-11,1948,,{URL}\n"
        ));
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.report.unrecognised.len(), 2);
        assert_eq!(parsed.report.without_code.len(), 1);
        assert_eq!(parsed.report.without_code[0].lines, vec![3]);
        let text = messages(&parsed).join("\n");
        assert!(
            text.contains("t.csv:2:1: country_name: \"Atlantis\" matches no country"),
            "{text}"
        );
        assert!(
            text.contains("did you mean United States of America (USA)?"),
            "{text}"
        );
        assert!(!text.contains("Yugoslavia"), "{text}");
        assert_eq!(parsed.report.skipped(), 3);
    }

    #[test]
    fn dates_must_agree_with_the_action() {
        let parsed = parse(&format!(
            "Kenya,genocide,G,Ratification,,,1948,,{URL}\n\
             Uganda,genocide,G,,1995-11-14,,1948,,{URL}\n"
        ));
        let text = messages(&parsed).join("\n");
        assert!(
            text.contains("t.csv:2:5: action_date: required for action_type Ratification"),
            "{text}"
        );
        assert!(
            text.contains("t.csv:3:6: signature_date: required for a signature"),
            "{text}"
        );
        assert!(
            text.contains("t.csv:3:5: action_date: must be empty"),
            "{text}"
        );
    }

    #[test]
    fn duplicates_and_inconsistent_treaty_descriptions_are_reported() {
        let parsed = parse(&format!(
            "Kenya,genocide,G,Accession,2000-01-01,,1948,,{URL}\n\
             KENYA,genocide,G,Accession,2000-01-01,,1948,,{URL}\n\
             Uganda,genocide,Another name,Accession,1995-11-14,,1948,,{URL}\n"
        ));
        let text = messages(&parsed).join("\n");
        assert!(
            text.contains("t.csv:3:1: country_name: KEN already has a row for genocide at line 2"),
            "{text}"
        );
        assert!(
            text.contains("t.csv:4:3: treaty_name: \"Another name\" differs from line 2"),
            "{text}"
        );
        assert_eq!(parsed.rows.len(), 1);
    }

    #[test]
    fn line_numbers_are_right_with_crlf_and_cr_line_endings() {
        for ending in ["\r\n", "\r"] {
            let text = format!(
                "{}{ending}Kenya,genocide,G,Accession,2000-01-01,,1948,,{URL}{ending}Atlantis,genocide,G,Accession,2000-01-01,,1948,,{URL}{ending}",
                HEADER.trim_end()
            );
            let parsed = parse_un_csv(
                "t.csv",
                text.as_bytes(),
                &Taxonomy::builtin(),
                &ParticipantNames::builtin(),
                &ImportOptions::default(),
            )
            .unwrap();
            assert_eq!(parsed.rows[0].line, 2, "{ending:?}");
            assert_eq!(parsed.report.problems[0].line, Some(3), "{ending:?}");
        }
    }

    #[test]
    fn a_missing_column_stops_the_file_and_names_the_columns() {
        let parsed = parse_un_csv(
            "t.csv",
            b"country_name,treaty_id\nKenya,genocide\n",
            &Taxonomy::builtin(),
            &ParticipantNames::builtin(),
            &ImportOptions::default(),
        )
        .unwrap();
        let text = messages(&parsed).join("\n");
        assert!(
            text.starts_with("t.csv:1: missing column(s) treaty_name, action_type"),
            "{text}"
        );
        assert!(parsed.rows.is_empty());
    }

    #[test]
    fn a_row_with_the_wrong_number_of_fields_names_its_line() {
        let parsed = parse(&format!(
            "Kenya,genocide,Convention on the Prevention, and Punishment,Accession,2000-01-01,,1948,,{URL}\n"
        ));
        let text = messages(&parsed).join("\n");
        assert!(
            text.contains("t.csv:2: this row has 10 fields; the header has 9"),
            "{text}"
        );
    }

    #[test]
    fn consent_protocols_read_as_consent_like_the_builtin_data() {
        let parsed = parse(&format!(
            "Kenya,ccw_p4,Protocol IV,,,2009-01-01,1995,XXVI-2-d,{URL}\n"
        ));
        assert!(parsed.report.is_ok(), "{:?}", messages(&parsed));
        assert_eq!(parsed.rows[0].action, Action::Consent);
        assert_eq!(parsed.rows[0].action_date.as_deref(), Some("2009-01-01"));
        assert_eq!(parsed.rows[0].signature_date, None);
        assert_eq!(parsed.report.unlinked_treaties, vec!["ccw_p4"]);
    }

    #[test]
    fn future_dates_and_a_bad_as_of_are_rejected() {
        let parsed = parse(&format!(
            "Kenya,genocide,G,Accession,2999-01-01,,1948,,{URL}\n"
        ));
        assert!(messages(&parsed).join("\n").contains("is in the future"));
        let error = parse_un_csv(
            "t.csv",
            HEADER.as_bytes(),
            &Taxonomy::builtin(),
            &ParticipantNames::builtin(),
            &ImportOptions {
                as_of: Some("yesterday".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(error.to_string().starts_with("as_of:"), "{error}");
    }
}
