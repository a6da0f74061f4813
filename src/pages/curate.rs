//! The curator desk's document form: every field of the corpus format, for creating and
//! editing. What a curator types becomes a Markdown document with front matter, validated by
//! exactly the same code as files and API writes.
//!
//! Editing keeps the author's front matter: fields the curator did not change keep their
//! lines (order, quoting, comments), changed ones are rewritten in place, new ones are added at
//! the end ([`DocumentForm::merge_into`]).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::catalogue::Message;
use crate::document::{Metadata, Problem};
use crate::taxonomy::Lang;

/// One source as entered in the form.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub(crate) struct SourceForm {
    pub(crate) url: String,
    pub(crate) citation: String,
    pub(crate) title: String,
    pub(crate) publisher: String,
    pub(crate) accessed: String,
}

impl SourceForm {
    fn is_empty(&self) -> bool {
        self.url.is_empty()
            && self.citation.is_empty()
            && self.title.is_empty()
            && self.publisher.is_empty()
            && self.accessed.is_empty()
    }
}

/// A document as entered in the desk's form. Multi-valued fields arrive as repeated
/// parameters (select boxes); sources as rows of repeated `source_*` fields.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct DocumentForm {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) doc_type: String,
    pub(crate) summary: String,
    pub(crate) countries: Vec<String>,
    pub(crate) regions: Vec<String>,
    pub(crate) themes: Vec<String>,
    pub(crate) stages: Vec<String>,
    pub(crate) mechanism_types: Vec<String>,
    pub(crate) instruments: Vec<String>,
    pub(crate) year: String,
    pub(crate) date: String,
    pub(crate) language: String,
    pub(crate) sources: Vec<SourceForm>,
    pub(crate) status: String,
    pub(crate) shareable: String,
    pub(crate) shareable_note: String,
    pub(crate) established: String,
    pub(crate) legal_basis: String,
    pub(crate) mandate: String,
    pub(crate) composition: String,
    pub(crate) reporting_line: String,
    pub(crate) early_warning: String,
    pub(crate) outcome: String,
    /// Manual chapters (`guide`): the chapter's slug.
    pub(crate) chapter: String,
    pub(crate) body: String,
}

/// The fields of the form in the order the README documents them (and new documents get).
const ORDER: &[&str] = crate::document::front_matter::FIELDS;

impl DocumentForm {
    /// Reads the form from its fields (`application/x-www-form-urlencoded` pairs).
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> DocumentForm {
        let mut form = DocumentForm::default();
        let mut source_fields: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (key, value) in pairs {
            let value = value.trim().to_string();
            let list = |list: &mut Vec<String>| {
                if !value.is_empty() && !list.contains(&value) {
                    list.push(value.clone());
                }
            };
            match key.as_str() {
                "id" => form.id = value,
                "title" => form.title = value,
                "type" => form.doc_type = value,
                "summary" => form.summary = value,
                // Countries may also be typed as codes separated by commas.
                "countries" => {
                    for code in value
                        .split([',', ';'])
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                    {
                        if !form.countries.iter().any(|c| c == code) {
                            form.countries.push(code.to_string());
                        }
                    }
                }
                "regions" => list(&mut form.regions),
                "themes" => list(&mut form.themes),
                "stages" => list(&mut form.stages),
                "mechanism_types" => list(&mut form.mechanism_types),
                "instruments" => list(&mut form.instruments),
                "year" => form.year = value,
                "date" => form.date = value,
                "language" => form.language = value,
                "status" => form.status = value,
                "shareable" => form.shareable = value,
                "shareable_note" => form.shareable_note = value,
                "established" => form.established = value,
                "legal_basis" => form.legal_basis = value,
                "mandate" => form.mandate = value,
                "composition" => form.composition = value,
                "reporting_line" => form.reporting_line = value,
                "early_warning" => form.early_warning = value,
                "outcome" => form.outcome = value,
                "chapter" => form.chapter = value,
                "body" => form.body = value,
                "source_url" | "source_citation" | "source_title" | "source_publisher"
                | "source_accessed" => source_fields
                    .entry(key.strip_prefix("source_").unwrap_or(key))
                    .or_default()
                    .push(value),
                _ => {}
            }
        }
        // Every source row has all five inputs, so the n-th values belong together.
        let rows = source_fields.values().map(Vec::len).max().unwrap_or(0);
        let at = |name: &str, i: usize| {
            source_fields
                .get(name)
                .and_then(|v| v.get(i))
                .cloned()
                .unwrap_or_default()
        };
        form.sources = (0..rows)
            .map(|i| SourceForm {
                url: at("url", i),
                citation: at("citation", i),
                title: at("title", i),
                publisher: at("publisher", i),
                accessed: at("accessed", i),
            })
            .filter(|s| !s.is_empty())
            .collect();
        form
    }

    /// The form filled with a document, for editing it.
    pub(crate) fn from_document(meta: &Metadata, body: &str) -> DocumentForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let flag = |v: Option<bool>| v.map(|b| b.to_string()).unwrap_or_default();
        DocumentForm {
            id: meta.id.clone(),
            title: meta.title.clone(),
            doc_type: meta.doc_type.clone(),
            summary: meta.summary.clone(),
            countries: meta.countries.clone(),
            regions: meta.regions.clone(),
            themes: meta.themes.clone(),
            stages: meta.stages.clone(),
            mechanism_types: meta.mechanism_types.clone(),
            instruments: meta.instruments.clone(),
            // A year that only comes from the date stays implicit.
            year: if meta.date.is_some() {
                String::new()
            } else {
                meta.year.to_string()
            },
            date: text(&meta.date),
            language: meta.language.clone(),
            sources: meta
                .sources
                .iter()
                .map(|s| SourceForm {
                    url: text(&s.url),
                    citation: text(&s.citation),
                    title: text(&s.title),
                    publisher: text(&s.publisher),
                    accessed: text(&s.accessed),
                })
                .collect(),
            status: text(&meta.status),
            shareable: flag(meta.shareable),
            shareable_note: text(&meta.shareable_note),
            established: meta.established.map(|y| y.to_string()).unwrap_or_default(),
            legal_basis: text(&meta.legal_basis),
            mandate: text(&meta.mandate),
            composition: text(&meta.composition),
            reporting_line: text(&meta.reporting_line),
            early_warning: flag(meta.early_warning),
            outcome: text(&meta.outcome),
            chapter: text(&meta.chapter),
            body: body.to_string(),
        }
    }

    /// The id: as typed, else proposed from the title.
    pub(crate) fn id_or_proposed(&self) -> String {
        if self.id.is_empty() {
            slug_from_title(&self.title)
        } else {
            self.id.clone()
        }
    }

    /// The front-matter fields the form sets, with the form's own problems: a year that is
    /// not a number is said here (a code the page says in its language) and left out, so that validation
    /// still reports every other problem at once.
    fn fields(&self) -> (Vec<(&'static str, Value)>, Vec<Problem>) {
        let mut fields: Vec<(&'static str, Value)> = Vec::new();
        let mut problems = Vec::new();
        let mut text = |key: &'static str, value: &str| {
            if !value.is_empty() {
                fields.push((key, Value::from(value)));
            }
        };
        let id = self.id_or_proposed();
        text("id", &id);
        text("title", &self.title);
        text("type", &self.doc_type);
        text("summary", &self.summary);
        text("date", &self.date);
        text("language", &self.language);
        text("status", &self.status);
        text("shareable_note", &self.shareable_note);
        text("legal_basis", &self.legal_basis);
        text("mandate", &self.mandate);
        text("composition", &self.composition);
        text("reporting_line", &self.reporting_line);
        text("outcome", &self.outcome);
        text("chapter", &self.chapter);
        for (key, values) in [
            ("countries", &self.countries),
            ("regions", &self.regions),
            ("themes", &self.themes),
            ("stages", &self.stages),
            ("mechanism_types", &self.mechanism_types),
            ("instruments", &self.instruments),
        ] {
            if !values.is_empty() {
                fields.push((key, Value::from(values.clone())));
            }
        }
        for (key, value) in [("year", &self.year), ("established", &self.established)] {
            if value.is_empty() {
                continue;
            }
            match value.parse::<i64>() {
                Ok(number) => fields.push((key, Value::from(number))),
                Err(_) => problems.push(Problem {
                    file: "form".into(),
                    line: None,
                    column: None,
                    field: Some(key.to_string()),
                    message: Message::new("problem_year_not_number"),
                }),
            }
        }
        for (key, value) in [
            ("shareable", &self.shareable),
            ("early_warning", &self.early_warning),
        ] {
            match value.as_str() {
                "true" => fields.push((key, Value::Bool(true))),
                "false" => fields.push((key, Value::Bool(false))),
                _ => {}
            }
        }
        let sources: Vec<Value> = self
            .sources
            .iter()
            .map(|s| {
                let mut source = serde_json::Map::new();
                for (key, value) in [
                    ("url", &s.url),
                    ("citation", &s.citation),
                    ("title", &s.title),
                    ("publisher", &s.publisher),
                    ("accessed", &s.accessed),
                ] {
                    if !value.is_empty() {
                        source.insert(key.into(), Value::from(value.as_str()));
                    }
                }
                Value::Object(source)
            })
            .collect();
        if !sources.is_empty() {
            fields.push(("sources", Value::Array(sources)));
        }
        fields.sort_by_key(|(key, _)| ORDER.iter().position(|k| k == key));
        (fields, problems)
    }

    /// The document as Markdown with YAML front matter, and the form's own problems. Empty
    /// fields are left out, so that validation reports them as missing.
    pub(crate) fn to_markdown(&self) -> (String, Vec<Problem>) {
        let (fields, problems) = self.fields();
        let yaml: String = fields.iter().map(|(k, v)| yaml_entry(k, v)).collect();
        (
            format!(
                "---\n{yaml}---\n\n{}\n",
                self.body.replace("\r\n", "\n").trim_end()
            ),
            problems,
        )
    }

    /// The document as Markdown, written over `original` (the text it was edited from):
    /// fields whose value did not change keep their lines, changed ones are rewritten where
    /// they were, new ones go at the end, cleared ones are removed.
    pub(crate) fn merge_into(
        &self,
        original: &str,
        original_meta: &Metadata,
    ) -> (String, Vec<Problem>) {
        let Ok(split) = crate::document::front_matter::split(original) else {
            return self.to_markdown();
        };
        let (fields, problems) = self.fields();
        let before = DocumentForm::from_document(original_meta, "");
        let (old_fields, _) = before.fields();
        let old: BTreeMap<&str, &Value> = old_fields.iter().map(|(k, v)| (*k, v)).collect();
        let new: BTreeMap<&str, &Value> = fields.iter().map(|(k, v)| (*k, v)).collect();
        let mut yaml = String::new();
        let mut written: Vec<&str> = Vec::new();
        for (key, block) in yaml_blocks(split.yaml) {
            let Some(key) = key else {
                yaml.push_str(&block);
                continue;
            };
            let known = ORDER.iter().find(|k| **k == key).copied();
            match known.map(|k| (k, new.get(k), old.get(k))) {
                // Unchanged (or a field the form does not know): the author's lines.
                Some((k, Some(value), Some(previous))) if same_value(value, previous) => {
                    yaml.push_str(&block);
                    written.push(k);
                }
                Some((k, Some(value), previous)) => {
                    yaml.push_str(&yaml_entry(k, &in_previous_order(value, previous.copied())));
                    written.push(k);
                }
                // An id the form proposes is the one in use: keep it.
                Some(("id", None, _)) => yaml.push_str(&block),
                Some((k, None, _)) if k == "year" && new.contains_key("date") => {}
                Some((_, None, _)) => {}
                None => yaml.push_str(&block),
            }
        }
        for (key, value) in &fields {
            // The id of a file-made document is usually its file name: add none.
            if written.contains(key) || (*key == "id" && !has_key(split.yaml, "id")) {
                continue;
            }
            yaml.push_str(&yaml_entry(key, value));
        }
        let body = self.body.replace("\r\n", "\n");
        // An unchanged body keeps its own spacing after the front matter.
        let text = if body.trim_end() == split.body.trim_start_matches(['\n', '\r']).trim_end() {
            format!("---\n{yaml}---\n{}", split.body)
        } else {
            format!("---\n{yaml}---\n\n{}\n", body.trim_end())
        };
        (text, problems)
    }
}

/// Equal values; lists of words equal whatever their order (a select box sends its options in
/// the vocabulary's order, not the author's).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) if x.iter().all(Value::is_string) => {
            let mut x: Vec<&str> = x.iter().filter_map(Value::as_str).collect();
            let mut y: Vec<&str> = y.iter().filter_map(Value::as_str).collect();
            x.sort_unstable();
            y.sort_unstable();
            x == y
        }
        _ => a == b,
    }
}

/// A changed list keeps the author's order for the values it had, new ones after.
fn in_previous_order(value: &Value, previous: Option<&Value>) -> Value {
    let (Value::Array(new), Some(Value::Array(old))) = (value, previous) else {
        return value.clone();
    };
    if !new.iter().all(Value::is_string) {
        return value.clone();
    }
    let mut ordered: Vec<Value> = old.iter().filter(|v| new.contains(v)).cloned().collect();
    ordered.extend(new.iter().filter(|v| !old.contains(v)).cloned());
    Value::Array(ordered)
}

fn has_key(yaml: &str, key: &str) -> bool {
    yaml_blocks(yaml)
        .iter()
        .any(|(k, _)| k.as_deref() == Some(key))
}

/// The front matter cut into top-level entries: each key with its lines (continuation lines
/// and list items below it); comments and blank lines before the first key stand alone.
fn yaml_blocks(yaml: &str) -> Vec<(Option<String>, String)> {
    let mut blocks: Vec<(Option<String>, String)> = Vec::new();
    for line in yaml.split_inclusive('\n') {
        let starts_entry =
            !line.starts_with([' ', '\t', '-', '#', '\n', '\r']) && line.contains(':');
        if starts_entry {
            let key = line[..line.find(':').unwrap_or(0)]
                .trim()
                .trim_matches(['"', '\''])
                .to_string();
            blocks.push((Some(key), line.to_string()));
        } else if let Some(last) = blocks.last_mut() {
            last.1.push_str(line);
        } else {
            blocks.push((None, line.to_string()));
        }
    }
    blocks
}

/// One `key: value` entry of YAML, ending with a newline.
fn yaml_entry(key: &str, value: &Value) -> String {
    let mut map = serde_json::Map::new();
    map.insert(key.to_string(), value.clone());
    let text = serde_saphyr::to_string(&map).unwrap_or_default();
    if text.ends_with('\n') {
        text
    } else {
        format!("{text}\n")
    }
}

// Moved to the taxonomy, beside `is_slug`, so the engine (curriculum) need not import pages.
pub(crate) use crate::taxonomy::slug_from_title;

/// A problem as the form shows it: in the page language, in the form's own words where the
/// problem is one the form can meet, else the catalogue's message.
pub(crate) fn form_problem_text(problem: &Problem, lang: Lang) -> String {
    let t = super::text(lang);
    let field = problem.field.as_deref().unwrap_or("");
    let code = problem.message.code.as_str();
    let key = match code {
        "problem_required"
        | "problem_empty"
        | "problem_needs_value"
        | "problem_required_allowed"
        | "problem_year_missing"
        | "problem_status_missing"
        | "problem_shareable_missing"
        | "problem_chapter_missing"
        | "problem_members_missing"
        | "problem_sources_missing" => match field {
            "sources" => "problem_source_needed",
            "year" => "problem_year_missing",
            "status" => "problem_status_missing",
            "shareable" => "problem_shareable_missing",
            _ => "problem_required",
        },
        "problem_year_out_of_range" => "problem_year_range",
        "problem_date_disagrees" if field == "date" => "problem_date_disagrees",
        _ if field == "date" => "problem_date_format",
        "problem_source_url" if field == "sources" => "problem_source_url",
        "problem_source_accessed" if field == "sources" => "problem_source_accessed",
        _ if field == "sources" => "problem_source_needed",
        "problem_id_exists" if field == "id" => "problem_id_taken",
        _ if field == "id" => "problem_id_format",
        "problem_too_long" => "problem_too_long",
        "problem_status_laws_only" | "problem_shareable_laws_only" => "problem_laws_only",
        "problem_malformed_yaml" if field == "year" || field == "established" => {
            "problem_year_number"
        }
        "problem_year_not_number" => "problem_year_number",
        // The parser's own words: the form writes the YAML, so a reader rarely meets these.
        "problem_malformed_yaml" => {
            return problem
                .message
                .args
                .get("detail")
                .cloned()
                .unwrap_or_default()
        }
        _ => return problem.message.render(lang),
    };
    t[key].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::validate::parse_document;
    use crate::taxonomy::Taxonomy;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_complete_form_becomes_a_valid_document() {
        let form = DocumentForm::from_pairs(&pairs(&[
            ("title", "A title: with a colon"),
            ("type", "law"),
            ("summary", "A summary."),
            ("countries", "KEN"),
            ("countries", "UG"),
            ("themes", "hate-speech"),
            ("themes", "genocide"),
            ("year", "2008"),
            ("language", "en"),
            ("status", "in-force"),
            ("shareable", "true"),
            ("source_url", ""),
            ("source_citation", "Act No. 12 of 2008"),
            ("source_title", ""),
            ("source_publisher", "Parliament"),
            ("source_accessed", "2024-05-01"),
            ("source_url", "https://example.org/act"),
            ("source_citation", ""),
            ("source_title", "The act"),
            ("source_publisher", ""),
            ("source_accessed", ""),
            ("body", "## Background\r\n\r\nText."),
        ]));
        let (markdown, problems) = form.to_markdown();
        assert!(problems.is_empty());
        let document =
            parse_document("form", markdown.as_bytes(), None, &Taxonomy::builtin()).unwrap();
        assert_eq!(
            document.meta.id, "a-title-with-a-colon",
            "id proposed from the title"
        );
        assert_eq!(document.meta.title, "A title: with a colon");
        assert_eq!(document.meta.countries, vec!["KEN", "UGA"]);
        assert_eq!(document.meta.sources.len(), 2);
        assert_eq!(
            document.meta.sources[0].accessed.as_deref(),
            Some("2024-05-01")
        );
        assert_eq!(document.meta.sources[1].title.as_deref(), Some("The act"));
        assert_eq!(document.meta.shareable, Some(true));
        assert_eq!(document.body, "## Background\n\nText.\n");
    }

    #[test]
    fn a_bad_year_is_said_in_the_page_language_and_hides_no_other_problem() {
        let form =
            DocumentForm::from_pairs(&pairs(&[("id", "x"), ("type", "report"), ("year", "abc")]));
        let (markdown, mut problems) = form.to_markdown();
        problems.extend(
            parse_document("form", markdown.as_bytes(), None, &Taxonomy::builtin())
                .unwrap_err()
                .into_iter()
                .filter(|p| p.field.as_deref() != Some("year")),
        );
        let fields: Vec<_> = problems.iter().filter_map(|p| p.field.as_deref()).collect();
        assert!(
            fields.contains(&"year") && fields.contains(&"title") && fields.contains(&"sources"),
            "{fields:?}"
        );
        let year = problems
            .iter()
            .find(|p| p.field.as_deref() == Some("year"))
            .unwrap();
        assert_eq!(
            form_problem_text(year, Lang::Fr),
            "L'année doit être un nombre comme 2010."
        );
    }

    #[test]
    fn editing_keeps_the_authors_order_and_formatting() {
        let original = "---\ntitle: \"Old title\"\ntype: report\n# a comment the author wrote\nthemes: [genocide]   # inline\nsummary: >\n  Folded\n  summary.\nyear: 2001\nlanguage: en\nsources:\n  - citation: A/RES/60/1\ncountries: [ke]\n---\nBody\n";
        let taxonomy = Taxonomy::builtin();
        let document =
            parse_document("x.md", original.as_bytes(), Some("x-doc"), &taxonomy).unwrap();
        let mut form = DocumentForm::from_document(&document.meta, &document.body);
        form.title = "New title".into();
        form.themes = vec!["genocide".into()];
        form.instruments = vec!["genocide-convention".into()];
        let (merged, problems) = form.merge_into(original, &document.meta);
        assert!(problems.is_empty());
        assert_eq!(
            merged,
            "---\ntitle: New title\ntype: report\n# a comment the author wrote\nthemes: [genocide]   # inline\nsummary: >\n  Folded\n  summary.\nyear: 2001\nlanguage: en\nsources:\n  - citation: A/RES/60/1\ncountries: [ke]\ninstruments:\n- genocide-convention\n---\nBody\n"
        );
        let again = parse_document("x.md", merged.as_bytes(), Some("x-doc"), &taxonomy).unwrap();
        assert_eq!(again.meta.title, "New title");
        assert_eq!(again.meta.countries, vec!["KEN"]);
    }

    #[test]
    fn the_desk_keeps_a_documents_stages_and_reads_a_changed_choice() {
        let original = "---\ntitle: A report\ntype: report\nthemes: [genocide]\nstages: [accountability, reparation]  # the author's note\nsummary: S.\nyear: 2001\nlanguage: en\nsources:\n  - citation: A/RES/60/1\n---\nBody\n";
        let taxonomy = Taxonomy::builtin();
        let document =
            parse_document("x.md", original.as_bytes(), Some("x-doc"), &taxonomy).unwrap();
        // Another field edited: the stages line stays as the author wrote it.
        let mut form = DocumentForm::from_document(&document.meta, &document.body);
        form.title = "A new title".into();
        let (merged, _) = form.merge_into(original, &document.meta);
        assert!(
            merged.contains("stages: [accountability, reparation]  # the author's note\n"),
            "{merged}"
        );
        // The picker sends the stages chosen (as repeated parameters); the document keeps
        // them, the author's order first.
        let pairs: Vec<(String, String)> = ["memory-and-non-recurrence", "accountability"]
            .iter()
            .map(|v| ("stages".to_string(), v.to_string()))
            .collect();
        let mut form = DocumentForm::from_document(&document.meta, &document.body);
        form.stages = DocumentForm::from_pairs(&pairs).stages;
        assert_eq!(form.stages, ["memory-and-non-recurrence", "accountability"]);
        let (merged, problems) = form.merge_into(original, &document.meta);
        assert!(problems.is_empty(), "{problems:?}");
        let again = parse_document("x.md", merged.as_bytes(), Some("x-doc"), &taxonomy).unwrap();
        assert_eq!(
            again.meta.stages,
            ["accountability", "memory-and-non-recurrence"]
        );
    }

    #[test]
    fn a_manual_chapter_keeps_its_chapter_through_the_form() {
        let original = "---\ntitle: Guiding\ntype: guide\nchapter: guiding\nsummary: S.\nthemes: [education]\nyear: 2026\nlanguage: fr\nsources:\n  - url: https://example.org/g\n---\nBody\n";
        let taxonomy = Taxonomy::builtin();
        let document = parse_document("g.md", original.as_bytes(), Some("g"), &taxonomy).unwrap();
        let mut form = DocumentForm::from_document(&document.meta, &document.body);
        assert_eq!(form.chapter, "guiding");
        form.title = "Orienter".into();
        let (merged, problems) = form.merge_into(original, &document.meta);
        assert!(problems.is_empty());
        let again = parse_document("g.md", merged.as_bytes(), Some("g"), &taxonomy).unwrap();
        assert_eq!(again.meta.chapter.as_deref(), Some("guiding"));
        assert_eq!(again.meta.title, "Orienter");
        let posted =
            DocumentForm::from_pairs(&pairs(&[("type", "guide"), ("chapter", "managing")]));
        assert_eq!(posted.chapter, "managing");
    }

    #[test]
    fn ids_are_proposed_from_titles() {
        assert_eq!(
            slug_from_title("Ley de Protección: ¿Qué hay?"),
            "ley-de-proteccion-que-hay"
        );
    }
}
