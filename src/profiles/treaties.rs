//! Treaty participation per (State, treaty): the UN Treaty Collection data compiled into the
//! binary (`corpus/reference/treaties/`), overlaid with what curators imported into the store.
//!
//! The data answers "what does the source record?", never "is this State a party?" in the
//! negative: a State without a row for a treaty is [`TreatyStatus::NoData`], because the source
//! is known to miss some participants (see `corpus/reference/README.md`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::store::{ImportedParticipation, ImportedTreaty, Store, StoreError};
use crate::taxonomy::Lang;

const PARTICIPATION_CSV: &str = include_str!("../../corpus/reference/treaties/participation.csv");
const TREATIES_CSV: &str = include_str!("../../corpus/reference/treaties/treaties.csv");

/// What a State did about a treaty, as the UN Treaty Collection names it. Every action except
/// [`Action::Signature`] means the State is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Ratification,
    Accession,
    Succession,
    Acceptance,
    Approval,
    /// A signature that binds without ratification (UNTC "definitive signature").
    DefinitiveSignature,
    /// Notification of consent to be bound (protocols not open for signature, e.g. to the CCW).
    Consent,
    /// Signed, with no ratification recorded: not bound.
    Signature,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Ratification,
        Action::Accession,
        Action::Succession,
        Action::Acceptance,
        Action::Approval,
        Action::DefinitiveSignature,
        Action::Consent,
        Action::Signature,
    ];

    /// Whether the State is bound by the treaty.
    pub fn binds(self) -> bool {
        self != Action::Signature
    }

    /// The key used in data files and JSON (`ratification`, `definitive_signature`, ...).
    pub fn key(self) -> &'static str {
        match self {
            Action::Ratification => "ratification",
            Action::Accession => "accession",
            Action::Succession => "succession",
            Action::Acceptance => "acceptance",
            Action::Approval => "approval",
            Action::DefinitiveSignature => "definitive_signature",
            Action::Consent => "consent",
            Action::Signature => "signature",
        }
    }

    pub fn from_key(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let [en, fr, es] = match self {
            Action::Ratification => ["ratification", "ratification", "ratificación"],
            Action::Accession => ["accession", "adhésion", "adhesión"],
            Action::Succession => ["succession", "succession", "sucesión"],
            Action::Acceptance => ["acceptance", "acceptation", "aceptación"],
            Action::Approval => ["approval", "approbation", "aprobación"],
            Action::DefinitiveSignature => [
                "definitive signature",
                "signature définitive",
                "firma definitiva",
            ],
            Action::Consent => [
                "consent to be bound",
                "consentement à être lié",
                "consentimiento en obligarse",
            ],
            Action::Signature => ["signature", "signature", "firma"],
        };
        match lang {
            Lang::En => en,
            Lang::Fr => fr,
            Lang::Es => es,
        }
    }
}

/// Where a participation fact comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    /// The UN Treaty Collection data shipped with Praxis.
    Builtin {
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
    /// A short credit line: what the fact rests on and how current it is.
    pub fn describe(&self) -> String {
        match self {
            Provenance::Builtin { data_date } => {
                format!("UN Treaty Collection (treaties.un.org), status as of {data_date}")
            }
            Provenance::Imported {
                file,
                imported_at,
                as_of,
            } => {
                let day = imported_at.get(..10).unwrap_or(imported_at);
                match as_of {
                    Some(as_of) => format!("imported from {file} on {day} (status as of {as_of})"),
                    None => format!("imported from {file} on {day}"),
                }
            }
        }
    }
}

/// One State's recorded participation in one treaty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub iso3: String,
    pub treaty: String,
    pub action: Action,
    pub action_date: Option<String>,
    pub signature_date: Option<String>,
    pub source_url: String,
    pub provenance: Provenance,
}

impl Participation {
    pub fn status(&self) -> TreatyStatus {
        if self.action.binds() {
            TreatyStatus::Party {
                action: self.action,
                date: self.action_date.clone(),
                signature_date: self.signature_date.clone(),
            }
        } else {
            TreatyStatus::SignedOnly {
                date: self.signature_date.clone(),
            }
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
    /// The treaty has no participation data at all yet (e.g. the Genocide Convention until a
    /// curator imports it).
    NoTreatyData,
    /// The treaty has data, but the State is not in it. Not evidence that it is not a party.
    NotInData,
}

impl NoDataReason {
    pub fn describe(self, lang: Lang) -> &'static str {
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
    },
    /// Signed, with no ratification recorded.
    SignedOnly { date: Option<String> },
    /// The data does not say. Never read this as "not a party".
    NoData { reason: NoDataReason },
}

impl TreatyStatus {
    pub fn is_party(&self) -> bool {
        matches!(self, TreatyStatus::Party { .. })
    }

    pub fn is_no_data(&self) -> bool {
        matches!(self, TreatyStatus::NoData { .. })
    }

    /// A stable key: `party`, `signed_only` or `no_data`.
    pub fn key(&self) -> &'static str {
        match self {
            TreatyStatus::Party { .. } => "party",
            TreatyStatus::SignedOnly { .. } => "signed_only",
            TreatyStatus::NoData { .. } => "no_data",
        }
    }

    pub fn label(&self, lang: Lang) -> &'static str {
        let [en, fr, es] = match self {
            TreatyStatus::Party { .. } => ["Party", "Partie", "Parte"],
            TreatyStatus::SignedOnly { .. } => ["Signed only", "Signé seulement", "Solo firmado"],
            TreatyStatus::NoData { .. } => ["No data", "Pas de données", "Sin datos"],
        };
        match lang {
            Lang::En => en,
            Lang::Fr => fr,
            Lang::Es => es,
        }
    }

    /// The action and dates in words: "accession 2001-09-13 (signed 1977-10-05)".
    pub fn describe(&self, lang: Lang) -> String {
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
            } => {
                let mut text = action.label(lang).to_string();
                if let Some(date) = date {
                    text.push(' ');
                    text.push_str(date);
                }
                if let Some(signature) = signature_date {
                    text.push_str(&format!(" ({signed} {signature})"));
                }
                text
            }
            TreatyStatus::SignedOnly { date } => match date {
                Some(date) => format!("{signed} {date}"),
                None => signed.to_string(),
            },
            TreatyStatus::NoData { reason } => reason.describe(lang).to_string(),
        }
    }
}

/// A treaty of the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Treaty {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtdsg_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_year: Option<i32>,
    pub source_url: String,
    pub provenance: Provenance,
}

/// One source of participation data: the built-in rows, or the imported ones.
#[derive(Debug, Default)]
struct Layer {
    treaties: BTreeMap<String, Treaty>,
    rows: HashMap<(String, String), Participation>,
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
                    parse_builtin(TREATIES_CSV, PARTICIPATION_CSV)
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
    pub fn with_imported(
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

    /// A State's status under a treaty: never "not a party", only what the data records.
    pub fn status(&self, iso3: &str, treaty: &str) -> TreatyStatus {
        match self.participation(iso3, treaty) {
            Some(row) => row.status(),
            None if self.has_data(treaty) => TreatyStatus::NoData {
                reason: NoDataReason::NotInData,
            },
            None => TreatyStatus::NoData {
                reason: NoDataReason::NoTreatyData,
            },
        }
    }

    /// Whether any State has a row for this treaty.
    pub fn has_data(&self, treaty: &str) -> bool {
        self.builtin.counts.contains_key(treaty) || self.imported.counts.contains_key(treaty)
    }

    /// A treaty's description; an imported one wins over the built-in one.
    pub fn treaty(&self, id: &str) -> Option<&Treaty> {
        self.imported
            .treaties
            .get(id)
            .or_else(|| self.builtin.treaties.get(id))
    }

    /// Every treaty with a description, in id order.
    pub fn treaties(&self) -> Vec<&Treaty> {
        let mut ids: Vec<&String> = self
            .builtin
            .treaties
            .keys()
            .chain(self.imported.treaties.keys())
            .collect();
        ids.sort();
        ids.dedup();
        ids.into_iter().filter_map(|id| self.treaty(id)).collect()
    }

    /// The date the built-in data reflects.
    pub fn data_date(&self) -> &str {
        self.builtin
            .treaties
            .values()
            .find_map(|t| match &t.provenance {
                Provenance::Builtin { data_date } => Some(data_date.as_str()),
                Provenance::Imported { .. } => None,
            })
            .unwrap_or("")
    }

    /// How many rows curators imported.
    pub fn imported_rows(&self) -> usize {
        self.imported.rows.len()
    }
}

fn parse_builtin(treaties_csv: &str, participation_csv: &str) -> Result<Layer, String> {
    let mut layer = Layer::default();
    let mut data_dates = Vec::new();
    for row in csv::Reader::from_reader(treaties_csv.as_bytes()).deserialize::<TreatyRow>() {
        let row = row.map_err(|e| format!("treaties.csv: {e}"))?;
        let open_year = match row.open_year.as_str() {
            "" => None,
            year => Some(
                year.parse()
                    .map_err(|_| format!("treaties.csv: {}: bad open_year {year}", row.treaty))?,
            ),
        };
        data_dates.push(row.data_date.clone());
        layer.treaties.insert(
            row.treaty.clone(),
            Treaty {
                id: row.treaty,
                name: row.name,
                mtdsg_no: non_empty(row.mtdsg_no),
                open_year,
                source_url: row.source_url,
                provenance: Provenance::Builtin {
                    data_date: row.data_date,
                },
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
        let data_date = match &treaty.provenance {
            Provenance::Builtin { data_date } => data_date.clone(),
            Provenance::Imported { .. } => unreachable!("built-in treaties are built-in"),
        };
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
            provenance: Provenance::Builtin { data_date },
        });
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
        assert_eq!(data.builtin.rows.len(), 4101);
        assert_eq!(data.builtin.treaties.len(), 30);
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
                data.status(iso3, "genocide"),
                TreatyStatus::NoData {
                    reason: NoDataReason::NoTreatyData
                }
            );
        }
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
