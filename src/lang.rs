//! The language vocabulary every layer shares: the interface languages ([`Lang`]), the
//! languages documents are written in ([`DocLang`]) and a label in each interface language
//! ([`Labels`]). It is the lowest module of the crate and imports nothing from it, so that
//! geography, the taxonomy and everything above can name a language without depending on
//! each other.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language of the interface and of documents.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Es];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            "es" => Ok(Lang::Es),
            other => Err(format!("unknown language \"{other}\"; allowed: en, fr, es")),
        }
    }
}

/// A language documents are written in. Each has its own analyser (stop words, stemmer) in
/// the index; the interface languages ([`Lang`]) are a subset, and documents in the others
/// show interface labels in the reader's language.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DocLang {
    #[default]
    En,
    Fr,
    Es,
    Pt,
    Ar,
}

impl DocLang {
    pub(crate) const ALL: [DocLang; 5] = [
        DocLang::En,
        DocLang::Fr,
        DocLang::Es,
        DocLang::Pt,
        DocLang::Ar,
    ];

    pub(crate) fn code(self) -> &'static str {
        match self {
            DocLang::En => "en",
            DocLang::Fr => "fr",
            DocLang::Es => "es",
            DocLang::Pt => "pt",
            DocLang::Ar => "ar",
        }
    }
}

impl From<Lang> for DocLang {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::En => DocLang::En,
            Lang::Fr => DocLang::Fr,
            Lang::Es => DocLang::Es,
        }
    }
}

impl fmt::Display for DocLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for DocLang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_lowercase();
        DocLang::ALL
            .into_iter()
            .find(|lang| lang.code() == code)
            .ok_or_else(|| {
                format!("unknown document language \"{code}\"; allowed: en, fr, es, pt, ar")
            })
    }
}

/// A label in each interface language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub(crate) en: String,
    pub fr: String,
    pub(crate) es: String,
}

impl Labels {
    pub(crate) fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
            Lang::Es => &self.es,
        }
    }

    pub fn all(&self) -> [&str; 3] {
        [&self.en, &self.fr, &self.es]
    }
}
