//! The one translation catalogue: every sentence a reader sees, in English, French and Spanish.
//!
//! The catalogue is the YAML files of `locales/`, one per area ([`Section`]), each a map from a
//! key to its text in every language (`key: { en: "…", fr: "…", es: "…" }`). They are compiled
//! into the binary and parsed once, on first use.
//!
//! The engine never produces English prose: it returns a [`Message`] (a stable code and named
//! arguments), and whoever shows it — a page, the API, the CLI — renders it in the reader's
//! language with [`Message::render`]. A text refers to an argument as `{name}`, and picks a
//! singular or plural form by a number as `{name|singular|plural}` (French counts 0 and 1 as
//! singular, English and Spanish only 1).
//!
//! Why a typed table rather than Fluent: the interface text was already kept as one YAML table
//! per area beside the templates, which read it as `t.key`, and three languages with two plural
//! forms need nothing of Fluent's selectors and functions but the plural choice above. Keeping
//! the table format let every page keep its call sites while the engine's messages joined it, and
//! added no dependency. The unit tests below check that every key has every language with the same
//! arguments, and that every code the source constructs exists.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::Lang;

/// An area of the catalogue: keys are unique within a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Labels of every page (`t` in the templates).
    Pages,
    /// The country profile and law-finder pages (`p`).
    Profiles,
    /// The manual's pages, shown beside `t`.
    Manual,
    /// The networks, glossary and curriculum pages (`n`).
    Networks,
    /// What the engine and the API say: search notices, validation problems, API errors.
    Messages,
    /// The reference data's notes and source names, found by their English text
    /// ([`translate`]).
    DataNotes,
}

impl Section {
    pub(crate) const ALL: [Section; 6] = [
        Section::Pages,
        Section::Profiles,
        Section::Manual,
        Section::Networks,
        Section::Messages,
        Section::DataNotes,
    ];

    fn source(self) -> (&'static str, &'static str) {
        match self {
            Section::Pages => ("locales/pages.yaml", include_str!("../locales/pages.yaml")),
            Section::Profiles => (
                "locales/profiles.yaml",
                include_str!("../locales/profiles.yaml"),
            ),
            Section::Manual => (
                "locales/manual.yaml",
                include_str!("../locales/manual.yaml"),
            ),
            Section::Networks => (
                "locales/networks.yaml",
                include_str!("../locales/networks.yaml"),
            ),
            Section::Messages => (
                "locales/messages.yaml",
                include_str!("../locales/messages.yaml"),
            ),
            Section::DataNotes => (
                "locales/data_notes.yaml",
                include_str!("../locales/data_notes.yaml"),
            ),
        }
    }
}

/// One key's text in every language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    en: String,
    fr: String,
    es: String,
}

impl Entry {
    fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
            Lang::Es => &self.es,
        }
    }
}

type Table = BTreeMap<String, Entry>;

fn catalogue() -> &'static BTreeMap<Section, Table> {
    static CATALOGUE: OnceLock<BTreeMap<Section, Table>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Section::ALL
            .into_iter()
            .map(|section| {
                let (path, yaml) = section.source();
                // The files are compiled in and checked by the tests: a broken one cannot ship.
                let table: Table = serde_saphyr::from_str(yaml)
                    .unwrap_or_else(|error| panic!("{path} is not a valid catalogue: {error}"));
                (section, table)
            })
            .collect()
    })
}

/// Every key of a section with its text in one language, as the templates read it.
pub fn text(section: Section, lang: Lang) -> BTreeMap<&'static str, &'static str> {
    catalogue()[&section]
        .iter()
        .map(|(key, entry)| (key.as_str(), entry.get(lang)))
        .collect()
}

/// Every key of a section, in order.
pub fn keys(section: Section) -> Vec<&'static str> {
    catalogue()[&section].keys().map(String::as_str).collect()
}

/// One key's text, if the section has it.
pub fn lookup(section: Section, key: &str, lang: Lang) -> Option<&'static str> {
    catalogue()[&section].get(key).map(|entry| entry.get(lang))
}

/// A text that data files hold in English, in `lang`, if the section has an entry whose English
/// is exactly `english` (data notes: the data stays as its sources wrote it, in one language).
pub fn translate(section: Section, english: &str, lang: Lang) -> Option<&'static str> {
    catalogue()[&section]
        .values()
        .find(|entry| entry.en == english)
        .map(|entry| entry.get(lang))
}

/// Something to tell the reader, as a code of the catalogue's `messages` section and the values
/// its text refers to. Codes are stable: clients may match on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    pub(crate) code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) args: BTreeMap<String, String>,
}

impl Message {
    pub fn new(code: &str) -> Message {
        Message {
            code: code.to_string(),
            args: BTreeMap::new(),
        }
    }

    /// Text that is already in the reader's language (a page's own label, an explanation
    /// rendered for the request), or that a module still writes in English: shown as it is.
    pub(crate) fn verbatim(text: impl Into<String>) -> Message {
        Message::new("verbatim").arg("text", text.into())
    }

    /// The message with one more argument.
    pub fn arg(mut self, name: &str, value: impl fmt::Display) -> Message {
        self.args.insert(name.to_string(), value.to_string());
        self
    }

    /// The message in one language. A code the catalogue lacks (a bug the tests look for) is
    /// shown as the code and its arguments rather than lost.
    pub fn render(&self, lang: Lang) -> String {
        match lookup(Section::Messages, &self.code, lang) {
            Some(template) => fill(template, &self.args, lang),
            None => {
                tracing::warn!(code = %self.code, "message code missing from the catalogue");
                let args: Vec<String> = self.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{} ({})", self.code, args.join(", "))
            }
        }
    }
}

/// A message as a response carries it: the code and arguments, and the text in the language the
/// request asked for (a search's `lang`), so API clients need no catalogue of their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notice {
    /// Stable, snake_case (`notice_unclosed_quote`, …).
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) args: BTreeMap<String, String>,
    /// The message in the request's language.
    pub message: String,
}

impl Notice {
    pub(crate) fn new(message: Message, lang: Lang) -> Notice {
        Notice {
            message: message.render(lang),
            code: message.code,
            args: message.args,
        }
    }

    /// The message again, to render in another language.
    pub(crate) fn to_message(&self) -> Message {
        Message {
            code: self.code.clone(),
            args: self.args.clone(),
        }
    }
}

/// English, for logs and the CLI.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Whether `n` takes the singular in `lang` (CLDR's "one" for these three languages).
fn singular(lang: Lang, n: f64) -> bool {
    match lang {
        Lang::Fr => (0.0..2.0).contains(&n),
        Lang::En | Lang::Es => n == 1.0,
    }
}

/// Fills `{name}` and `{name|singular|plural}` from `args`. A placeholder without its argument
/// stays as written.
fn fill(template: &str, args: &BTreeMap<String, String>, lang: Lang) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + 1..close];
        let mut parts = inner.split('|');
        let name = parts.next().unwrap_or_default();
        match (args.get(name), parts.next(), parts.next()) {
            (Some(value), None, _) => out.push_str(value),
            (Some(value), Some(one), Some(other)) => {
                let n: f64 = value.trim().parse().unwrap_or(f64::NAN);
                out.push_str(if singular(lang, n) { one } else { other });
            }
            _ => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The argument names a text refers to.
pub fn placeholders(template: &str) -> std::collections::BTreeSet<&str> {
    let mut names = std::collections::BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let name = rest[open + 1..close].split('|').next().unwrap_or_default();
        names.insert(name);
        rest = &rest[close + 1..];
    }
    names
}

/// Keys whose French or Spanish text is deliberately the same as the English (a word shared by
/// the languages, a symbol): the tests that look for untranslated text allow these.
pub const SAME_IN_ALL_LANGUAGES: &[&str] = &[
    // The treaty-status importer's problems are its own English detail (a CLI tool; not yet
    // in the catalogue).
    "problem_import",
    // Text passed through as it is (see `Message::verbatim`).
    "verbatim",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_key_has_every_language_with_the_same_arguments() {
        let mut problems = Vec::new();
        for (section, table) in catalogue() {
            for (key, entry) in table {
                let english = placeholders(&entry.en);
                for lang in Lang::ALL {
                    let text = entry.get(lang);
                    if text.trim().is_empty() {
                        problems.push(format!("{section:?}.{key}: no {lang} text"));
                    }
                    if placeholders(text) != english {
                        problems.push(format!(
                            "{section:?}.{key}: {lang} has arguments {:?}, en has {english:?}",
                            placeholders(text)
                        ));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_message_code_in_the_source_is_in_the_catalogue() {
        // Codes are written as `Message::new("code")`; walk the source for them.
        fn walk(dir: &std::path::Path, found: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let source = std::fs::read_to_string(&path).unwrap();
                    for piece in source.split("Message::new(\"").skip(1) {
                        if let Some(end) = piece.find('"') {
                            found.insert(piece[..end].to_string());
                        }
                    }
                }
            }
        }
        let mut codes = BTreeSet::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut codes,
        );
        // The example in this module's comments and the unknown code of a test.
        codes.remove("code");
        codes.remove("no_such_code_anywhere");
        assert!(codes.len() > 5, "the walk found the codes: {codes:?}");
        let missing: Vec<_> = codes
            .iter()
            .filter(|code| lookup(Section::Messages, code, Lang::En).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "codes not in locales/messages.yaml: {missing:?}"
        );
    }

    #[test]
    fn arguments_and_plurals_are_filled_in_each_language() {
        let args: BTreeMap<String, String> = [("n", "1"), ("name", "x")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let template = "{n} {n|document|documents} for {name}, {missing}";
        assert_eq!(
            fill(template, &args, Lang::En),
            "1 document for x, {missing}"
        );
        let mut zero = args.clone();
        zero.insert("n".into(), "0".into());
        assert_eq!(
            fill(template, &zero, Lang::En),
            "0 documents for x, {missing}"
        );
        assert_eq!(
            fill(template, &zero, Lang::Fr),
            "0 document for x, {missing}"
        );
        assert_eq!(
            fill(template, &zero, Lang::Es),
            "0 documents for x, {missing}"
        );
        assert_eq!(fill("{unclosed", &args, Lang::En), "{unclosed");
    }

    #[test]
    fn an_unknown_code_is_shown_as_the_code() {
        let message = Message::new("no_such_code_anywhere").arg("x", 1);
        assert_eq!(message.render(Lang::Fr), "no_such_code_anywhere (x=1)");
    }
}
