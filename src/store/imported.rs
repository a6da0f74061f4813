//! Treaty participation as a curator imported it (`praxis import-treaties`): the records the
//! store keeps under `treaty/` and `participation/`, and the [`Action`] a State took. They
//! live below the store, which persists them, so that [`crate::profiles`], which reads them,
//! sits above it without a cycle.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

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
    pub(crate) const ALL: [Action; 8] = [
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
    pub(crate) fn binds(self) -> bool {
        self != Action::Signature
    }

    /// The key used in data files and JSON (`ratification`, `definitive_signature`, ...).
    pub(crate) fn key(self) -> &'static str {
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

    pub(crate) fn from_key(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }

    pub(crate) fn label(self, lang: Lang) -> &'static str {
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

/// A treaty's description, as a curator imported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedTreaty {
    pub treaty: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtdsg_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_year: Option<i32>,
    pub source_url: String,
    /// The file it was imported from, as given on the command line.
    pub file: String,
    /// RFC 3339 time of the import.
    pub imported_at: String,
    /// `YYYY-MM-DD`: the date the curator says the data reflects, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

/// One State's participation in one treaty, as a curator imported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedParticipation {
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    pub treaty: String,
    pub action: Action,
    /// `YYYY-MM-DD`; absent for a signature without ratification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_date: Option<String>,
    pub source_url: String,
    /// The participant's name as written in the file.
    pub name: String,
    pub file: String,
    /// The 1-based line of the file the row was read from.
    pub line: usize,
    pub imported_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}
