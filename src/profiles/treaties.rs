//! Treaty participation per (State, treaty): the UN Treaty Collection data compiled into the
//! binary (`corpus/reference/treaties/`), overlaid with what curators imported into the store.
//!
//! The data answers "what does the source record?". Whether a State missing from a treaty's rows
//! may be called "not a party" depends on the list: only a list known to be complete for its
//! date ([`Coverage::Complete`], e.g. the 2026 Rome Statute status) gives
//! [`TreatyStatus::NotParty`]; a list with known gaps (the 2015 Genocide Convention file, the
//! human-rights scrape that dropped rows) gives [`TreatyStatus::NoData`]. Each treaty's coverage
//! and the reason for it are recorded in `treaties.csv` (see `corpus/reference/README.md`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

// `Action` lives with the imported records the store keeps; re-exported for existing paths.
use crate::catalogue::Message;
pub use crate::store::Action;
use crate::store::{ImportedParticipation, ImportedTreaty, Store, StoreError};
use crate::taxonomy::Lang;

const PARTICIPATION_CSV: &str = include_str!("../../corpus/reference/treaties/participation.csv");
const TREATIES_CSV: &str = include_str!("../../corpus/reference/treaties/treaties.csv");
const WITHDRAWALS_CSV: &str = include_str!("../../corpus/reference/treaties/withdrawals.csv");

/// Where a participation fact comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    /// The depositary data shipped with Praxis.
    Builtin {
        /// Who records the facts ("UN Treaty Collection (treaties.un.org)", the OAS, ...).
        source: String,
        /// The date the data reflects (`YYYY-MM-DD`).
        data_date: String,
    },
    /// Imported by a curator with `praxis import-treaties`.
    Imported {
        file: String,
        /// RFC 3339 time of the import.
        imported_at: String,
        /// The date the curator says the data reflects, if given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        as_of: Option<String>,
    },
}

impl Provenance {
    /// A short credit line in `lang`: what the fact rests on and how current it is.
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            Provenance::Builtin { source, data_date } => Message::new("treaty_source_as_of")
                .arg("source", source)
                .arg("date", data_date)
                .render(lang),
            Provenance::Imported {
                file,
                imported_at,
                as_of,
            } => {
                let day = imported_at.get(..10).unwrap_or(imported_at);
                let message = match as_of {
                    Some(as_of) => Message::new("treaty_imported_as_of").arg("as_of", as_of),
                    None => Message::new("treaty_imported"),
                };
                message.arg("file", file).arg("day", day).render(lang)
            }
        }
    }
}

/// One State's recorded participation in one treaty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub(crate) iso3: String,
    pub(crate) treaty: String,
    pub action: Action,
    pub action_date: Option<String>,
    pub signature_date: Option<String>,
    pub source_url: String,
    pub provenance: Provenance,
}

impl Participation {
    /// The status this row records, without regard to any withdrawal.
    pub(crate) fn status(&self) -> TreatyStatus {
        if self.action.binds() {
            TreatyStatus::Party {
                action: self.action,
                date: self.action_date.clone(),
                signature_date: self.signature_date.clone(),
                withdrawal_effective: None,
            }
        } else {
            TreatyStatus::SignedOnly {
                date: self.signature_date.clone(),
            }
        }
    }
}

/// A State's notified withdrawal from a treaty (the Rome Statute: Burundi, the Philippines, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub(crate) iso3: String,
    pub(crate) treaty: String,
    /// The date the withdrawal takes (or took) effect, `YYYY-MM-DD`.
    pub(crate) effective_date: String,
    pub(crate) source_url: String,
    /// What the source says, quoted.
    pub(crate) source_text: String,
}

/// Whether a treaty's list of participants is complete for its data date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Every participant as of the data date: a State not in it is not a party.
    Complete,
    /// Known gaps (stale or lossy): a State not in it is "no data".
    Incomplete,
    /// No per-State data at all.
    None,
}

impl Coverage {
    fn from_key(key: &str) -> Option<Coverage> {
        match key {
            "complete" => Some(Coverage::Complete),
            "incomplete" => Some(Coverage::Incomplete),
            "none" => Some(Coverage::None),
            _ => None,
        }
    }
}

/// Why there is no status to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoDataReason {
    /// The instrument is not linked to a treaty of the data (no `untc:` id in the taxonomy):
    /// a declaration, a regional instrument, or a treaty not yet covered.
    NotLinked,
    /// The treaty has no participation data at all yet (e.g. the Geneva Conventions, whose
    /// depositary is Switzerland, until a curator imports it).
    NoTreatyData,
    /// The treaty has data, but the State is not in it. Not evidence that it is not a party.
    NotInData,
}

impl NoDataReason {
    pub(crate) fn describe(self, lang: Lang) -> &'static str {
        let [en, fr, es] = match self {
            NoDataReason::NotLinked => [
                "no participation data for this instrument",
                "pas de données de participation pour cet instrument",
                "sin datos de participación para este instrumento",
            ],
            NoDataReason::NoTreatyData => [
                "no participation data yet (a curator can add it with praxis import-treaties)",
                "pas encore de données de participation (praxis import-treaties)",
                "aún sin datos de participación (praxis import-treaties)",
            ],
            NoDataReason::NotInData => [
                "not found in the data (not evidence that it is not a party)",
                "absent des données (ce n'est pas la preuve qu'il n'est pas partie)",
                "no figura en los datos (no prueba que no sea parte)",
            ],
        };
        match lang {
            Lang::En => en,
            Lang::Fr => fr,
            Lang::Es => es,
        }
    }
}

/// A State's status under one treaty, as far as the data tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TreatyStatus {
    /// Bound by ratification, accession, succession, consent, ...
    Party {
        action: Action,
        /// The date of that action (`YYYY-MM-DD`).
        date: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature_date: Option<String>,
        /// A notified withdrawal that takes effect after the data date: still a party.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        withdrawal_effective: Option<String>,
    },
    /// Was bound, and withdrew; the withdrawal took effect on `effective` (on or before the
    /// data date).
    Withdrawn {
        action: Action,
        date: Option<String>,
        effective: String,
    },
    /// Signed, with no ratification recorded.
    SignedOnly { date: Option<String> },
    /// Not in a list that is complete for its date: not a party as of `as_of`.
    NotParty { as_of: String },
    /// The data does not say. Never read this as "not a party".
    NoData { reason: NoDataReason },
}

impl TreatyStatus {
    pub fn is_party(&self) -> bool {
        matches!(self, TreatyStatus::Party { .. })
    }

    pub(crate) fn is_no_data(&self) -> bool {
        matches!(self, TreatyStatus::NoData { .. })
    }

    /// A stable key: `party`, `withdrawn`, `signed_only`, `not_party` or `no_data`.
    pub fn key(&self) -> &'static str {
        match self {
            TreatyStatus::Party { .. } => "party",
            TreatyStatus::Withdrawn { .. } => "withdrawn",
            TreatyStatus::SignedOnly { .. } => "signed_only",
            TreatyStatus::NotParty { .. } => "not_party",
            TreatyStatus::NoData { .. } => "no_data",
        }
    }

    pub(crate) fn label(&self, lang: Lang) -> &'static str {
        let [en, fr, es] = match self {
            TreatyStatus::Party { .. } => ["Party", "Partie", "Parte"],
            TreatyStatus::Withdrawn { .. } => ["Withdrawn", "Retiré", "Retirado"],
            TreatyStatus::SignedOnly { .. } => ["Signed only", "Signé seulement", "Solo firmado"],
            TreatyStatus::NotParty { .. } => ["Not a party", "Non partie", "No es parte"],
            TreatyStatus::NoData { .. } => ["No data", "Pas de données", "Sin datos"],
        };
        pick(lang, [en, fr, es])
    }

    /// The status in one line with its key date: "Party since 2005-03-15", "Withdrawn,
    /// effective 2017-10-27", "Party — withdrawal takes effect 2027-06-24", "Not a party (as
    /// of 2026-08-22)", "Signed only (2000-12-28)", "No data".
    pub(crate) fn headline(&self, lang: Lang) -> String {
        match self {
            TreatyStatus::Party {
                withdrawal_effective: Some(effective),
                ..
            } => format!(
                "{} — {} {effective}",
                self.label(lang),
                pick(
                    lang,
                    [
                        "withdrawal takes effect",
                        "retrait effectif le",
                        "retiro efectivo el"
                    ]
                )
            ),
            TreatyStatus::Party {
                date: Some(date), ..
            } => format!(
                "{} {date}",
                pick(lang, ["Party since", "Partie depuis le", "Parte desde el"])
            ),
            TreatyStatus::Withdrawn { effective, .. } => format!(
                "{}, {} {effective}",
                self.label(lang),
                pick(lang, ["effective", "effectif le", "efectivo el"])
            ),
            TreatyStatus::SignedOnly { date: Some(date) } => {
                format!("{} ({date})", self.label(lang))
            }
            TreatyStatus::NotParty { as_of } => format!(
                "{} ({} {as_of})",
                self.label(lang),
                pick(lang, ["as of", "au", "al"])
            ),
            _ => self.label(lang).to_string(),
        }
    }

    /// The action and dates in words: "accession 2001-09-13 (signed 1977-10-05)".
    pub(crate) fn describe(&self, lang: Lang) -> String {
        let signed = match lang {
            Lang::En => "signed",
            Lang::Fr => "signé le",
            Lang::Es => "firmado el",
        };
        match self {
            TreatyStatus::Party {
                action,
                date,
                signature_date,
                withdrawal_effective,
            } => {
                let mut text = action.label(lang).to_string();
                if let Some(date) = date {
                    text.push(' ');
                    text.push_str(date);
                }
                if let Some(signature) = signature_date {
                    text.push_str(&format!(" ({signed} {signature})"));
                }
                if let Some(effective) = withdrawal_effective {
                    let notified = pick(
                        lang,
                        [
                            "withdrawal notified, takes effect",
                            "retrait notifié, effectif le",
                            "retiro notificado, efectivo el",
                        ],
                    );
                    text.push_str(&format!("; {notified} {effective}"));
                }
                text
            }
            TreatyStatus::Withdrawn {
                action,
                date,
                effective,
            } => {
                let withdrew = pick(
                    lang,
                    [
                        "withdrawal effective",
                        "retrait effectif le",
                        "retiro efectivo el",
                    ],
                );
                match date {
                    Some(date) => format!("{} {date}; {withdrew} {effective}", action.label(lang)),
                    None => format!("{withdrew} {effective}"),
                }
            }
            TreatyStatus::NotParty { as_of } => format!(
                "{} {as_of}",
                pick(
                    lang,
                    [
                        "not in the complete list of participants as of",
                        "absent de la liste complète des participants au",
                        "no figura en la lista completa de participantes al",
                    ]
                )
            ),
            TreatyStatus::SignedOnly { date } => match date {
                Some(date) => format!("{signed} {date}"),
                None => signed.to_string(),
            },
            TreatyStatus::NoData { reason } => reason.describe(lang).to_string(),
        }
    }
}

fn pick(lang: Lang, [en, fr, es]: [&'static str; 3]) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
        Lang::Es => es,
    }
}

/// A treaty of the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Treaty {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mtdsg_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) open_year: Option<i32>,
    /// The treaty's status page at its depositary; empty when there is none to point to.
    pub(crate) source_url: String,
    /// Who records the facts: "UN Treaty Collection (treaties.un.org)", the OAS, ...
    pub(crate) source_name: String,
    /// The date the list reflects (`YYYY-MM-DD`), if there is a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) data_date: Option<String>,
    /// Whether a State missing from the list is "not a party" or "no data".
    pub(crate) coverage: Coverage,
    /// Why the list is complete, incomplete or absent (stale, lossy scrape, depositary...).
    pub(crate) coverage_note: String,
    pub(crate) provenance: Provenance,
}

impl Treaty {
    /// Whether the list is known to be stale (the Genocide Convention list of 2015): pages
    /// say so wherever they use it. `treaties.csv` notes of stale lists start with "stale".
    pub(crate) fn is_stale(&self) -> bool {
        self.coverage_note.starts_with("stale")
    }
}

/// One source of participation data: the built-in rows, or the imported ones.
#[derive(Debug, Default)]
struct Layer {
    treaties: BTreeMap<String, Treaty>,
    rows: HashMap<(String, String), Participation>,
    withdrawals: HashMap<(String, String), Withdrawal>,
    /// Rows per treaty id: a treaty with none has no data in this layer.
    counts: HashMap<String, usize>,
}

impl Layer {
    fn insert(&mut self, row: Participation) {
        *self.counts.entry(row.treaty.clone()).or_insert(0) += 1;
        self.rows
            .insert((row.iso3.clone(), row.treaty.clone()), row);
    }
}

/// Participation data: built-in, plus what curators imported (which wins for the same State
/// and treaty).
#[derive(Debug, Clone)]
pub struct TreatyData {
    builtin: Arc<Layer>,
    imported: Arc<Layer>,
}

#[derive(Deserialize)]
struct TreatyRow {
    treaty: String,
    name: String,
    mtdsg_no: String,
    open_year: String,
    source_url: String,
    data_date: String,
    source_name: String,
    coverage: String,
    coverage_note: String,
}

#[derive(Deserialize)]
struct ParticipationRow {
    iso3: String,
    treaty: String,
    action: String,
    action_date: String,
    signature_date: String,
    source_url: String,
}

fn non_empty(value: String) -> Option<String> {
    if value.is_empty() {
        None
    } else {
        Some(value)
    }
}

impl TreatyData {
    /// The data compiled into the binary only (parsed once per process).
    pub fn builtin() -> TreatyData {
        static BUILTIN: OnceLock<Arc<Layer>> = OnceLock::new();
        let builtin = BUILTIN
            .get_or_init(|| {
                Arc::new(
                    parse_builtin(TREATIES_CSV, PARTICIPATION_CSV, WITHDRAWALS_CSV)
                        .expect("the built-in treaty data is valid"),
                )
            })
            .clone();
        TreatyData {
            builtin,
            imported: Arc::default(),
        }
    }

    /// The built-in data with the store's imported data over it.
    pub fn load(store: &Store) -> Result<TreatyData, StoreError> {
        Ok(TreatyData::builtin().with_imported(
            &store.imported_treaties()?,
            &store.imported_participation()?,
        ))
    }

    /// This data with `rows` over it (an import not yet stored, or the store's).
    pub(crate) fn with_imported(
        &self,
        treaties: &[ImportedTreaty],
        rows: &[ImportedParticipation],
    ) -> TreatyData {
        let mut layer = Layer::default();
        for treaty in treaties {
            layer.treaties.insert(
                treaty.treaty.clone(),
                Treaty {
                    id: treaty.treaty.clone(),
                    name: treaty.name.clone(),
                    mtdsg_no: treaty.mtdsg_no.clone(),
                    open_year: treaty.open_year,
                    source_url: treaty.source_url.clone(),
                    source_name: format!("imported from {}", treaty.file),
                    data_date: treaty.as_of.clone(),
                    // A curator's file is never taken as the complete list of participants.
                    coverage: Coverage::Incomplete,
                    coverage_note: "imported by a curator".to_string(),
                    provenance: Provenance::Imported {
                        file: treaty.file.clone(),
                        imported_at: treaty.imported_at.clone(),
                        as_of: treaty.as_of.clone(),
                    },
                },
            );
        }
        for row in rows {
            layer.insert(Participation {
                iso3: row.iso3.clone(),
                treaty: row.treaty.clone(),
                action: row.action,
                action_date: row.action_date.clone(),
                signature_date: row.signature_date.clone(),
                source_url: row.source_url.clone(),
                provenance: Provenance::Imported {
                    file: row.file.clone(),
                    imported_at: row.imported_at.clone(),
                    as_of: row.as_of.clone(),
                },
            });
        }
        TreatyData {
            builtin: self.builtin.clone(),
            imported: Arc::new(layer),
        }
    }

    /// The recorded participation of a State (ISO alpha-3, upper case) in a treaty.
    pub fn participation(&self, iso3: &str, treaty: &str) -> Option<&Participation> {
        let key = (iso3.to_string(), treaty.to_string());
        self.imported
            .rows
            .get(&key)
            .or_else(|| self.builtin.rows.get(&key))
    }

    /// A State's status under a treaty, as far as the data tells: "not a party" only from a
    /// list that is complete for its date, withdrawals applied as of that date.
    pub fn status(&self, iso3: &str, treaty: &str) -> TreatyStatus {
        match self.participation(iso3, treaty) {
            Some(row) => {
                let status = row.status();
                match (status, self.withdrawal(iso3, treaty)) {
                    (
                        TreatyStatus::Party {
                            action,
                            date,
                            signature_date,
                            ..
                        },
                        Some(withdrawal),
                    ) => {
                        let as_of = self
                            .builtin_treaty(treaty)
                            .and_then(|t| t.data_date.clone());
                        // Dates are ISO 8601, so string order is date order.
                        if as_of.is_some_and(|d| withdrawal.effective_date.as_str() <= d.as_str()) {
                            TreatyStatus::Withdrawn {
                                action,
                                date,
                                effective: withdrawal.effective_date.clone(),
                            }
                        } else {
                            TreatyStatus::Party {
                                action,
                                date,
                                signature_date,
                                withdrawal_effective: Some(withdrawal.effective_date.clone()),
                            }
                        }
                    }
                    (status, _) => status,
                }
            }
            None if self.has_data(treaty) => match self.builtin_treaty(treaty) {
                Some(Treaty {
                    coverage: Coverage::Complete,
                    data_date: Some(as_of),
                    ..
                }) => TreatyStatus::NotParty {
                    as_of: as_of.clone(),
                },
                _ => TreatyStatus::NoData {
                    reason: NoDataReason::NotInData,
                },
            },
            None => TreatyStatus::NoData {
                reason: NoDataReason::NoTreatyData,
            },
        }
    }

    /// A State's notified withdrawal from a treaty, if any.
    pub(crate) fn withdrawal(&self, iso3: &str, treaty: &str) -> Option<&Withdrawal> {
        self.builtin
            .withdrawals
            .get(&(iso3.to_string(), treaty.to_string()))
    }

    /// The built-in description of a treaty: its coverage is what decides "not a party".
    fn builtin_treaty(&self, id: &str) -> Option<&Treaty> {
        self.builtin.treaties.get(id)
    }

    /// Whether any State has a row for this treaty.
    pub(crate) fn has_data(&self, treaty: &str) -> bool {
        self.builtin.counts.contains_key(treaty) || self.imported.counts.contains_key(treaty)
    }

    /// A treaty's description; an imported one wins over the built-in one.
    pub(crate) fn treaty(&self, id: &str) -> Option<&Treaty> {
        self.imported
            .treaties
            .get(id)
            .or_else(|| self.builtin.treaties.get(id))
    }

    /// The date of the UN Treaty Collection human-rights and arms-control data (the data of
    /// most instruments); other treaties carry their own [`Treaty::data_date`].
    pub fn data_date(&self) -> &str {
        self.builtin
            .treaties
            .get("iccpr")
            .or_else(|| self.builtin.treaties.values().next())
            .and_then(|t| t.data_date.as_deref())
            .unwrap_or("")
    }

    /// How many rows curators imported.
    pub fn imported_rows(&self) -> usize {
        self.imported.rows.len()
    }
}

#[derive(Deserialize)]
struct WithdrawalRow {
    iso3: String,
    treaty: String,
    effective_date: String,
    source_url: String,
    source_text: String,
}

fn parse_builtin(
    treaties_csv: &str,
    participation_csv: &str,
    withdrawals_csv: &str,
) -> Result<Layer, String> {
    let mut layer = Layer::default();
    for row in csv::Reader::from_reader(treaties_csv.as_bytes()).deserialize::<TreatyRow>() {
        let row = row.map_err(|e| format!("treaties.csv: {e}"))?;
        let open_year = match row.open_year.as_str() {
            "" => None,
            year => Some(
                year.parse()
                    .map_err(|_| format!("treaties.csv: {}: bad open_year {year}", row.treaty))?,
            ),
        };
        let coverage = Coverage::from_key(&row.coverage).ok_or(format!(
            "treaties.csv: {}: bad coverage {}",
            row.treaty, row.coverage
        ))?;
        layer.treaties.insert(
            row.treaty.clone(),
            Treaty {
                id: row.treaty,
                name: row.name,
                mtdsg_no: non_empty(row.mtdsg_no),
                open_year,
                source_url: row.source_url,
                provenance: Provenance::Builtin {
                    source: row.source_name.clone(),
                    data_date: row.data_date.clone(),
                },
                source_name: row.source_name,
                data_date: non_empty(row.data_date),
                coverage,
                coverage_note: row.coverage_note,
            },
        );
    }
    for row in
        csv::Reader::from_reader(participation_csv.as_bytes()).deserialize::<ParticipationRow>()
    {
        let row = row.map_err(|e| format!("participation.csv: {e}"))?;
        let where_ = format!("participation.csv: {}/{}", row.iso3, row.treaty);
        let action = Action::from_key(&row.action)
            .ok_or(format!("{where_}: unknown action {}", row.action))?;
        let treaty = layer
            .treaties
            .get(&row.treaty)
            .ok_or(format!("{where_}: treaty not in treaties.csv"))?;
        let provenance = treaty.provenance.clone();
        let (action_date, signature_date) =
            (non_empty(row.action_date), non_empty(row.signature_date));
        if action.binds() != action_date.is_some() {
            return Err(format!(
                "{where_}: {} with action_date {action_date:?}",
                action.key()
            ));
        }
        let key = (row.iso3.clone(), row.treaty.clone());
        if layer.rows.contains_key(&key) {
            return Err(format!("{where_}: duplicate row"));
        }
        layer.insert(Participation {
            iso3: row.iso3,
            treaty: row.treaty,
            action,
            action_date,
            signature_date,
            source_url: row.source_url,
            provenance,
        });
    }
    for row in csv::Reader::from_reader(withdrawals_csv.as_bytes()).deserialize::<WithdrawalRow>() {
        let row = row.map_err(|e| format!("withdrawals.csv: {e}"))?;
        let key = (row.iso3.clone(), row.treaty.clone());
        if !layer.rows.get(&key).is_some_and(|r| r.action.binds()) {
            return Err(format!(
                "withdrawals.csv: {}/{}: no ratification to withdraw from",
                row.iso3, row.treaty
            ));
        }
        layer.withdrawals.insert(
            key,
            Withdrawal {
                iso3: row.iso3,
                treaty: row.treaty,
                effective_date: row.effective_date,
                source_url: row.source_url,
                source_text: row.source_text,
            },
        );
    }
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::Geography;

    #[test]
    fn builtin_data_parses_and_every_row_names_a_known_country() {
        let data = TreatyData::builtin();
        assert_eq!(data.builtin.rows.len(), 4524);
        assert_eq!(data.builtin.treaties.len(), 37);
        assert_eq!(data.builtin.withdrawals.len(), 8);
        assert_eq!(data.data_date(), "2026-02-03");
        let geography = Geography::builtin();
        for (iso3, _) in data.builtin.rows.keys() {
            assert!(geography.country(iso3).is_some(), "{iso3}");
        }
    }

    #[test]
    fn ratification_is_party_with_both_dates() {
        let data = TreatyData::builtin();
        assert_eq!(
            data.status("USA", "iccpr"),
            TreatyStatus::Party {
                action: Action::Ratification,
                date: Some("1992-06-08".into()),
                signature_date: Some("1977-10-05".into()),
                withdrawal_effective: None,
            }
        );
    }

    #[test]
    fn signature_without_ratification_is_signed_only() {
        let status = TreatyData::builtin().status("CHN", "iccpr");
        assert_eq!(
            status,
            TreatyStatus::SignedOnly {
                date: Some("1998-10-05".into())
            }
        );
        assert!(!status.is_party());
    }

    #[test]
    fn a_state_without_a_row_is_no_data_not_a_non_party() {
        let data = TreatyData::builtin();
        // Malaysia has no ICCPR row in the UN Treaty Collection data of 2026-02-03.
        assert!(data.participation("MYS", "iccpr").is_none());
        assert_eq!(
            data.status("MYS", "iccpr"),
            TreatyStatus::NoData {
                reason: NoDataReason::NotInData
            }
        );
    }

    #[test]
    fn a_treaty_without_data_is_no_data_for_everyone() {
        let data = TreatyData::builtin();
        for iso3 in ["KEN", "USA", "RWA", "FRA"] {
            assert_eq!(
                data.status(iso3, "geneva-conventions"),
                TreatyStatus::NoData {
                    reason: NoDataReason::NoTreatyData
                }
            );
        }
        let geneva = data.treaty("geneva-conventions").unwrap();
        assert_eq!(geneva.coverage, Coverage::None);
        assert!(geneva.coverage_note.contains("Switzerland"));
    }

    #[test]
    fn a_state_missing_from_a_complete_list_is_not_a_party_as_of_its_date() {
        let data = TreatyData::builtin();
        assert_eq!(
            data.status("IDN", "rome-statute"),
            TreatyStatus::NotParty {
                as_of: "2026-08-22".into()
            }
        );
        assert_eq!(
            data.status("IDN", "rome-statute").headline(Lang::En),
            "Not a party (as of 2026-08-22)"
        );
    }

    #[test]
    fn a_state_missing_from_an_incomplete_list_is_no_data_never_not_a_party() {
        let data = TreatyData::builtin();
        let genocide = data.treaty("genocide").unwrap();
        assert_eq!(genocide.coverage, Coverage::Incomplete);
        assert_eq!(genocide.data_date.as_deref(), Some("2015-03-14"));
        assert!(genocide.is_stale());
        // Every State without a row in an incomplete list: no data.
        for country in crate::geography::Geography::builtin().countries() {
            if data.participation(&country.iso3, "genocide").is_none() {
                assert_eq!(
                    data.status(&country.iso3, "genocide").key(),
                    "no_data",
                    "{}",
                    country.iso3
                );
            }
        }
    }

    #[test]
    fn withdrawals_in_effect_at_the_data_date_are_withdrawn_later_ones_pending() {
        let data = TreatyData::builtin();
        let burundi = data.status("BDI", "rome-statute");
        assert_eq!(
            burundi,
            TreatyStatus::Withdrawn {
                action: Action::Ratification,
                date: Some("2004-09-21".into()),
                effective: "2017-10-27".into()
            }
        );
        assert_eq!(
            burundi.headline(Lang::En),
            "Withdrawn, effective 2017-10-27"
        );
        assert_eq!(
            data.status("PHL", "rome-statute").headline(Lang::Fr),
            "Retiré, effectif le 2019-03-17"
        );
        let mali = data.status("MLI", "rome-statute");
        assert!(mali.is_party());
        assert_eq!(
            mali.headline(Lang::En),
            "Party — withdrawal takes effect 2027-06-24"
        );
        assert_eq!(
            data.status("KEN", "rome-statute").headline(Lang::En),
            "Party since 2005-03-15"
        );
    }

    #[test]
    fn consent_to_be_bound_is_party() {
        let data = TreatyData::builtin();
        let row = data
            .builtin
            .rows
            .values()
            .find(|r| r.action == Action::Consent)
            .expect("the CCW protocols have consent rows");
        assert!(data.status(&row.iso3, &row.treaty).is_party());
    }

    #[test]
    fn imported_rows_win_over_builtin_ones_for_the_same_state_and_treaty() {
        let imported = ImportedParticipation {
            iso3: "CHN".into(),
            treaty: "iccpr".into(),
            action: Action::Ratification,
            action_date: Some("2030-01-01".into()),
            signature_date: Some("1998-10-05".into()),
            source_url: "https://example.org".into(),
            name: "China".into(),
            file: "x.csv".into(),
            line: 2,
            imported_at: "2031-01-01T00:00:00Z".into(),
            as_of: None,
        };
        let data = TreatyData::builtin().with_imported(&[], &[imported]);
        assert!(data.status("CHN", "iccpr").is_party());
        assert!(matches!(
            data.participation("CHN", "iccpr").unwrap().provenance,
            Provenance::Imported { .. }
        ));
        // Other rows still come from the built-in data.
        assert!(data.status("USA", "iccpr").is_party());
    }

    #[test]
    fn statuses_serialise_with_a_status_tag() {
        let json = serde_json::to_value(TreatyData::builtin().status("KEN", "cerd")).unwrap();
        assert_eq!(json["status"], "party");
        assert_eq!(json["action"], "accession");
        assert_eq!(json["date"], "2001-09-13");
        let json = serde_json::to_value(TreatyStatus::NoData {
            reason: NoDataReason::NotInData,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"status": "no_data", "reason": "not_in_data"})
        );
    }

    #[test]
    fn action_keys_round_trip() {
        for action in Action::ALL {
            assert_eq!(Action::from_key(action.key()), Some(action));
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                serde_json::Value::String(action.key().into())
            );
        }
    }
}
