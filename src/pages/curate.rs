//! The curator desk's document form: what a curator types into fields becomes a Markdown
//! document with front matter, validated by exactly the same code as files and API writes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::document::Problem;

/// A new document as entered in the desk's form. Multi-valued fields arrive as repeated
/// parameters (select boxes) or comma-separated text (countries).
#[derive(Debug, Default, Clone, Serialize)]
pub struct DocumentForm {
    pub id: String,
    pub title: String,
    pub doc_type: String,
    pub summary: String,
    pub countries: String,
    pub regions: Vec<String>,
    pub themes: Vec<String>,
    pub mechanism_types: Vec<String>,
    pub instruments: Vec<String>,
    pub year: String,
    pub language: String,
    pub source_url: String,
    pub source_citation: String,
    pub source_publisher: String,
    pub status: String,
    pub shareable: String,
    pub shareable_note: String,
    pub body: String,
}

impl DocumentForm {
    /// Reads the form from its fields (`application/x-www-form-urlencoded` pairs).
    pub fn from_pairs(pairs: &[(String, String)]) -> DocumentForm {
        let mut form = DocumentForm::default();
        for (key, value) in pairs {
            let value = value.trim().to_string();
            match key.as_str() {
                "id" => form.id = value,
                "title" => form.title = value,
                "type" => form.doc_type = value,
                "summary" => form.summary = value,
                "countries" => form.countries = value,
                "regions" if !value.is_empty() => form.regions.push(value),
                "themes" if !value.is_empty() => form.themes.push(value),
                "mechanism_types" if !value.is_empty() => form.mechanism_types.push(value),
                "instruments" if !value.is_empty() => form.instruments.push(value),
                "year" => form.year = value,
                "language" => form.language = value,
                "source_url" => form.source_url = value,
                "source_citation" => form.source_citation = value,
                "source_publisher" => form.source_publisher = value,
                "status" => form.status = value,
                "shareable" => form.shareable = value,
                "shareable_note" => form.shareable_note = value,
                "body" => form.body = value,
                _ => {}
            }
        }
        form
    }

    /// The document as Markdown with YAML front matter. Empty fields are left out, so that
    /// validation reports them as missing rather than as malformed.
    pub fn to_markdown(&self) -> String {
        #[derive(Serialize)]
        struct Source<'a> {
            #[serde(skip_serializing_if = "str::is_empty")]
            url: &'a str,
            #[serde(skip_serializing_if = "str::is_empty")]
            citation: &'a str,
            #[serde(skip_serializing_if = "str::is_empty")]
            publisher: &'a str,
        }
        let mut fields: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
        let mut text = |key: &'static str, value: &str| {
            if !value.is_empty() {
                fields.insert(key, serde_json::Value::from(value));
            }
        };
        text("id", &self.id);
        text("title", &self.title);
        text("type", &self.doc_type);
        text("summary", &self.summary);
        text("language", &self.language);
        text("status", &self.status);
        text("shareable_note", &self.shareable_note);
        let list = |values: &[String]| serde_json::Value::from(values.to_vec());
        let countries: Vec<String> = self
            .countries
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        for (key, values) in [
            ("countries", &countries),
            ("regions", &self.regions),
            ("themes", &self.themes),
            ("mechanism_types", &self.mechanism_types),
            ("instruments", &self.instruments),
        ] {
            if !values.is_empty() {
                fields.insert(key, list(values));
            }
        }
        if !self.year.is_empty() {
            // A number when it is one; otherwise the text, so validation names the problem.
            let year = self
                .year
                .parse::<i64>()
                .map(serde_json::Value::from)
                .unwrap_or_else(|_| serde_json::Value::from(self.year.clone()));
            fields.insert("year", year);
        }
        match self.shareable.as_str() {
            "true" | "yes" => {
                fields.insert("shareable", true.into());
            }
            "false" | "no" => {
                fields.insert("shareable", false.into());
            }
            _ => {}
        }
        if !(self.source_url.is_empty() && self.source_citation.is_empty()) {
            let source = Source {
                url: &self.source_url,
                citation: &self.source_citation,
                publisher: &self.source_publisher,
            };
            fields.insert("sources", serde_json::json!([source]));
        }
        let yaml = serde_saphyr::to_string(&fields).unwrap_or_default();
        format!("---\n{}---\n\n{}\n", yaml, self.body.replace("\r\n", "\n"))
    }
}

/// Problems keyed by the form field they concern, for display next to it; the rest go in a
/// list at the top. Front-matter `type` is the form's `type`; `sources` are the source fields.
pub fn problems_by_field(problems: &[Problem]) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut general = Vec::new();
    for problem in problems {
        match &problem.field {
            Some(field) => by_field
                .entry(field.clone())
                .or_default()
                .push(problem.message.clone()),
            None => general.push(problem.message.clone()),
        }
    }
    (by_field, general)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_document;
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
            ("id", "ke-test"),
            ("title", "A title: with a colon"),
            ("type", "law"),
            ("summary", "A summary."),
            ("countries", "KE, UG"),
            ("themes", "hate-speech"),
            ("themes", "genocide"),
            ("year", "2008"),
            ("language", "en"),
            ("status", "in-force"),
            ("shareable", "true"),
            ("source_citation", "Act No. 12 of 2008"),
            ("body", "## Background\r\n\r\nText."),
        ]));
        let markdown = form.to_markdown();
        let document =
            parse_document("form", markdown.as_bytes(), None, &Taxonomy::builtin()).unwrap();
        assert_eq!(document.meta.title, "A title: with a colon");
        assert_eq!(document.meta.countries, vec!["KEN", "UGA"]);
        assert_eq!(document.meta.themes, vec!["hate-speech", "genocide"]);
        assert_eq!(document.meta.shareable, Some(true));
        assert_eq!(document.body, "## Background\n\nText.\n");
    }

    #[test]
    fn problems_are_reported_against_the_fields_of_the_form() {
        let form =
            DocumentForm::from_pairs(&pairs(&[("id", "x"), ("type", "report"), ("year", "abc")]));
        let problems = parse_document(
            "form",
            form.to_markdown().as_bytes(),
            None,
            &Taxonomy::builtin(),
        )
        .unwrap_err();
        let (by_field, _) = problems_by_field(&problems);
        assert!(by_field.contains_key("year"), "{problems:?}");
    }
}
