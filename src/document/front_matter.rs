//! Splitting a file into YAML front matter and Markdown body, and deserialising the YAML with
//! the position of every field and list item, so that validation can point at lines.

use std::collections::HashMap;

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// A file split at its `---` fences. Line numbers are 1-based lines of the whole file.
#[derive(Debug)]
pub(crate) struct Split<'a> {
    pub(crate) yaml: &'a str,
    /// The file line on which the YAML starts.
    pub(crate) yaml_first_line: usize,
    pub(crate) body: &'a str,
}

/// Why a file could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// The first line is not `---`.
    Missing,
    /// No closing `---` line.
    Unclosed,
}

/// Splits `text` (without a byte-order mark) into front matter and body.
pub(crate) fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or(SplitError::Missing)?;
    if first.trim_end() != "---" {
        return Err(SplitError::Missing);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_first_line: 2,
                body: &text[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unclosed)
}

/// A source as written, before validation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub(crate) url: Option<String>,
    pub(crate) citation: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) publisher: Option<String>,
    pub(crate) accessed: Option<Spanned<String>>,
}

/// Scalar fields are `Spanned` so that each can be reported at its own line; list items too.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawFrontMatter {
    pub(crate) id: Option<Spanned<String>>,
    pub(crate) title: Option<Spanned<String>>,
    #[serde(rename = "type")]
    pub(crate) doc_type: Option<Spanned<String>>,
    pub(crate) summary: Option<Spanned<String>>,
    pub(crate) countries: Option<Vec<Spanned<String>>>,
    pub(crate) regions: Option<Vec<Spanned<String>>>,
    pub(crate) themes: Option<Vec<Spanned<String>>>,
    pub(crate) stages: Option<Vec<Spanned<String>>>,
    pub(crate) mechanism_types: Option<Vec<Spanned<String>>>,
    pub(crate) instruments: Option<Vec<Spanned<String>>>,
    pub(crate) year: Option<Spanned<i64>>,
    pub(crate) date: Option<Spanned<String>>,
    pub(crate) language: Option<Spanned<String>>,
    pub(crate) sources: Option<Vec<Spanned<RawSource>>>,
    pub(crate) status: Option<Spanned<String>>,
    pub(crate) shareable: Option<Spanned<bool>>,
    pub(crate) shareable_note: Option<Spanned<String>>,
    pub(crate) established: Option<Spanned<i64>>,
    pub(crate) legal_basis: Option<Spanned<String>>,
    pub(crate) mandate: Option<Spanned<String>>,
    pub(crate) composition: Option<Spanned<String>>,
    pub(crate) reporting_line: Option<Spanned<String>>,
    pub(crate) early_warning: Option<Spanned<bool>>,
    pub(crate) outcome: Option<Spanned<String>>,
    pub(crate) operating_status: Option<Spanned<String>>,
    pub(crate) members: Option<Vec<Spanned<RawMember>>>,
    pub(crate) chapter: Option<Spanned<String>>,
    pub(crate) related_networks: Option<Vec<Spanned<RawNetworkRelation>>>,
}

/// A network member as written, before validation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMember {
    pub(crate) country: Option<Spanned<String>>,
    pub(crate) joined: Option<Spanned<String>>,
    pub(crate) evidence: Option<Spanned<String>>,
    pub(crate) note: Option<String>,
}

/// A network's relation to another network, as written, before validation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNetworkRelation {
    pub(crate) network: Option<Spanned<String>>,
    pub(crate) relation: Option<Spanned<String>>,
    pub(crate) evidence: Option<Spanned<String>>,
}

/// Every field a document may have, in the order the README documents them.
pub(crate) const FIELDS: &[&str] = &[
    "id",
    "title",
    "type",
    "summary",
    "countries",
    "regions",
    "themes",
    "stages",
    "mechanism_types",
    "instruments",
    "year",
    "date",
    "language",
    "sources",
    "status",
    "shareable",
    "shareable_note",
    "established",
    "legal_basis",
    "mandate",
    "composition",
    "reporting_line",
    "early_warning",
    "outcome",
    "operating_status",
    "members",
    "chapter",
    "related_networks",
];

/// A YAML problem at a position relative to the YAML text (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlProblem {
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) message: String,
}

/// The keys of the front matter with the line each is on (relative to the YAML, 1-based).
pub(crate) fn keys(yaml: &str) -> Result<Vec<(String, usize, usize)>, YamlProblem> {
    if yaml.trim().is_empty() {
        return Ok(Vec::new());
    }
    let map: HashMap<Spanned<String>, IgnoredAny> =
        serde_saphyr::from_str(yaml).map_err(|e| yaml_problem(&e, yaml))?;
    let mut keys: Vec<(String, usize, usize)> = map
        .into_keys()
        .map(|k| {
            (
                k.value,
                k.referenced.line() as usize,
                k.referenced.column() as usize,
            )
        })
        .collect();
    keys.sort_by_key(|(_, line, _)| *line);
    Ok(keys)
}

/// Deserialises the front matter. Unknown keys are ignored here: [`keys`] reports them.
pub(crate) fn parse(yaml: &str) -> Result<RawFrontMatter, YamlProblem> {
    if yaml.trim().is_empty() {
        return Ok(RawFrontMatter::default());
    }
    serde_saphyr::from_str(yaml).map_err(|e| yaml_problem(&e, yaml))
}

fn yaml_problem(error: &serde_saphyr::Error, yaml: &str) -> YamlProblem {
    let location = error.location();
    let (line, column) = match location {
        Some(loc) if loc.line() > 0 => (Some(loc.line() as usize), Some(loc.column() as usize)),
        _ => (None, None),
    };
    // The rendered error carries a source snippet over several lines; the curator gets the
    // position from us, so keep only the first line of the message.
    let rendered = error.to_string();
    let mut message = rendered
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("malformed YAML")
        .to_string();
    if let Some(position) = message.find(" at line ") {
        message.truncate(position);
    }
    for prefix in ["error: ", "Error: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            message = rest.to_string();
        }
    }
    // "line 3 column 5: ..." repeats a position relative to the YAML; ours is in the file.
    if let Some(rest) = message.strip_prefix("line ") {
        if let Some((_, after)) = rest.split_once(": ") {
            message = after.to_string();
        }
    }
    let _ = yaml;
    YamlProblem {
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let split = split("---\ntitle: A\n---\n# Body\n").unwrap();
        assert_eq!(split.yaml, "title: A\n");
        assert_eq!(split.body, "# Body\n");
    }

    #[test]
    fn missing_and_unclosed_front_matter_are_told_apart() {
        assert_eq!(split("# Just Markdown\n").unwrap_err(), SplitError::Missing);
        assert_eq!(split("---\ntitle: A\n").unwrap_err(), SplitError::Unclosed);
    }

    #[test]
    fn keys_carry_their_lines() {
        let keys = keys("title: A\nthemes:\n  - genocide\n").unwrap();
        assert_eq!(keys[0], ("title".to_string(), 1, 1));
        assert_eq!(keys[1].0, "themes");
        assert_eq!(keys[1].1, 2);
    }

    #[test]
    fn list_items_carry_their_lines() {
        let raw = parse("themes:\n  - genocide\n  - hate-speach\n").unwrap();
        let themes = raw.themes.unwrap();
        assert_eq!(themes[1].value, "hate-speach");
        assert_eq!(themes[1].referenced.line(), 3);
    }

    #[test]
    fn malformed_yaml_has_a_position() {
        let problem = parse("title: [unclosed\nyear: 2000\n").unwrap_err();
        assert!(problem.line.is_some(), "{problem:?}");
    }
}
