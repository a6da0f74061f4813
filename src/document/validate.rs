//! Validation: raw bytes in, a [`Document`] or every [`Problem`] out.
//!
//! Checks run in order of what makes the rest meaningless (size, encoding, fences, YAML), then
//! every field is checked and *all* field problems are reported together, so a curator fixes a
//! file in one pass.

use serde_saphyr::Spanned;

use super::front_matter::{
    self, RawFrontMatter, RawMember, RawNetworkRelation, RawSource, SplitError, FIELDS,
};
use super::{Document, Member, Metadata, NetworkRelation, Problem, Source, NETWORK_RELATIONS};
use crate::catalogue::Message;
use crate::taxonomy::{closest, is_slug, Taxonomy, Vocabulary};

/// Documents larger than this are rejected: a knowledge-base entry is a few pages of text.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
const MAX_SUMMARY_CHARS: usize = 1200;
const MAX_TITLE_CHARS: usize = 300;
/// Ids are path segments and file names: long enough for any title, short enough for every URL.
pub(crate) const MAX_ID_CHARS: usize = 100;
const YEAR_RANGE: std::ops::RangeInclusive<i64> = 1800..=2100;

/// Validates one document. `file` names it in messages; `default_id` is the id to use when the
/// front matter sets none (the file name for files, `None` for API writes).
pub fn parse_document(
    file: &str,
    bytes: &[u8],
    default_id: Option<&str>,
    taxonomy: &Taxonomy,
) -> Result<Document, Vec<Problem>> {
    let whole_file = |message: Message| {
        vec![Problem {
            file: file.to_string(),
            line: None,
            column: None,
            field: None,
            message,
        }]
    };
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(whole_file(
            Message::new("problem_file_too_large")
                .arg("bytes", bytes.len())
                .arg("limit", MAX_DOCUMENT_BYTES),
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(whole_file(Message::new("problem_file_empty")));
    }
    if bytes.contains(&0) {
        return Err(whole_file(Message::new("problem_file_binary")));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            return Err(vec![Problem {
                file: file.to_string(),
                line: Some(line),
                column: Some(column),
                field: None,
                message: Message::new("problem_invalid_utf8").arg("byte", error.valid_up_to()),
            }]);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let split = match front_matter::split(text) {
        Ok(split) => split,
        Err(SplitError::Missing) => {
            return Err(whole_file(Message::new("problem_no_front_matter")))
        }
        Err(SplitError::Unclosed) => {
            return Err(whole_file(Message::new("problem_front_matter_unclosed")))
        }
    };
    let mut checker = Checker {
        file,
        line_offset: split.yaml_first_line - 1,
        taxonomy,
        problems: Vec::new(),
        keys: Vec::new(),
    };
    let yaml_error = |problem: front_matter::YamlProblem, keys: &[(String, usize, usize)]| {
        let field = problem
            .line
            .and_then(|line| keys.iter().rev().find(|(_, l, _)| *l <= line))
            .map(|(k, _, _)| k.clone());
        vec![Problem {
            file: file.to_string(),
            line: problem.line.map(|l| l + split.yaml_first_line - 1),
            column: problem.column,
            field,
            message: Message::new("problem_malformed_yaml").arg("detail", &problem.message),
        }]
    };
    checker.keys = front_matter::keys(split.yaml).map_err(|p| yaml_error(p, &[]))?;
    let raw = front_matter::parse(split.yaml).map_err(|p| yaml_error(p, &checker.keys))?;
    checker.unknown_keys();
    let meta = checker.metadata(raw, default_id);
    let body = split.body.trim_start_matches(['\n', '\r']);
    if let Err(problem) = super::markdown::check_structure(body) {
        // `body` is a slice of `text`: its offset gives the file line it starts on.
        let body_offset = body.as_ptr() as usize - text.as_ptr() as usize;
        let body_first_line = text[..body_offset].matches('\n').count() + 1;
        checker.problems.push(Problem {
            file: file.to_string(),
            line: Some(body_first_line + problem.line - 1),
            column: None,
            field: None,
            message: problem.message,
        });
    }
    match meta {
        Some(meta) if checker.problems.is_empty() => Ok(Document {
            meta,
            body: body.to_string(),
            source_text: text.to_string(),
        }),
        _ => Err(checker.problems),
    }
}

struct Checker<'a> {
    file: &'a str,
    line_offset: usize,
    taxonomy: &'a Taxonomy,
    problems: Vec<Problem>,
    /// Front-matter keys with their YAML line and column.
    keys: Vec<(String, usize, usize)>,
}

impl Checker<'_> {
    fn report(&mut self, field: &str, at: Option<(usize, usize)>, message: Message) {
        let at = at.or_else(|| self.key_position(field));
        self.problems.push(Problem {
            file: self.file.to_string(),
            line: at.map(|(line, _)| line + self.line_offset),
            column: at.map(|(_, column)| column),
            field: Some(field.to_string()),
            message,
        });
    }

    fn report_at<T>(&mut self, field: &str, spanned: &Spanned<T>, message: Message) {
        let at = position(spanned);
        self.report(field, at, message);
    }

    fn key_position(&self, field: &str) -> Option<(usize, usize)> {
        self.keys
            .iter()
            .find(|(k, _, _)| k == field)
            .map(|(_, l, c)| (*l, *c))
    }

    fn unknown_keys(&mut self) {
        let unknown: Vec<(String, usize, usize)> = self
            .keys
            .iter()
            .filter(|(k, _, _)| !FIELDS.contains(&k.as_str()))
            .cloned()
            .collect();
        for (key, line, column) in unknown {
            let message = match closest(&key, FIELDS.iter().copied()) {
                Some(s) => Message::new("problem_unknown_field_suggest").arg("suggestion", s),
                None => Message::new("problem_unknown_field"),
            };
            self.report(&key, Some((line, column)), message.arg("key", &key));
        }
    }

    fn required_text(
        &mut self,
        field: &str,
        value: Option<Spanned<String>>,
        max_chars: usize,
    ) -> Option<String> {
        let Some(value) = value else {
            self.report(field, None, Message::new("problem_required"));
            return None;
        };
        let text = value.value.trim().to_string();
        if text.is_empty() {
            self.report_at(field, &value, Message::new("problem_empty"));
            return None;
        }
        if text.chars().count() > max_chars {
            self.report_at(
                field,
                &value,
                Message::new("problem_too_long")
                    .arg("length", text.chars().count())
                    .arg("max", max_chars),
            );
        }
        Some(text)
    }

    fn optional_text(&mut self, value: Option<Spanned<String>>) -> Option<String> {
        value
            .map(|v| v.value.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Checks a single slug against a vocabulary.
    fn term(
        &mut self,
        field: &str,
        value: &Spanned<String>,
        vocabulary: &Vocabulary,
    ) -> Option<String> {
        let slug = value.value.trim();
        if vocabulary.contains(slug) {
            return Some(slug.to_string());
        }
        let message = match vocabulary.suggest(slug) {
            Some(s) => Message::new("problem_unknown_value_suggest").arg("suggestion", s),
            None => Message::new("problem_unknown_value").arg("allowed", list(vocabulary.slugs())),
        };
        self.report_at(field, value, message.arg("value", slug));
        None
    }

    fn terms(
        &mut self,
        field: &str,
        values: Option<Vec<Spanned<String>>>,
        vocabulary: &Vocabulary,
        required: bool,
    ) -> Vec<String> {
        let values = values.unwrap_or_default();
        if required && values.is_empty() {
            self.report(
                field,
                None,
                Message::new("problem_needs_value").arg("allowed", list(vocabulary.slugs())),
            );
        }
        let mut slugs = Vec::new();
        for value in &values {
            if let Some(slug) = self.term(field, value, vocabulary) {
                if !slugs.contains(&slug) {
                    slugs.push(slug);
                }
            }
        }
        slugs
    }

    fn year(&mut self, field: &str, value: &Spanned<i64>) -> Option<i32> {
        if YEAR_RANGE.contains(&value.value) {
            Some(value.value as i32)
        } else {
            self.report_at(
                field,
                value,
                Message::new("problem_year_out_of_range")
                    .arg("year", value.value)
                    .arg("min", YEAR_RANGE.start())
                    .arg("max", YEAR_RANGE.end()),
            );
            None
        }
    }

    fn metadata(&mut self, raw: RawFrontMatter, default_id: Option<&str>) -> Option<Metadata> {
        let taxonomy = self.taxonomy;
        let id = match raw.id {
            Some(id) => {
                let value = id.value.trim().to_string();
                if value.len() > MAX_ID_CHARS {
                    self.report_at(
                        "id",
                        &id,
                        Message::new("problem_too_long")
                            .arg("length", value.chars().count())
                            .arg("max", MAX_ID_CHARS),
                    );
                } else if !is_slug(&value) {
                    self.report_at(
                        "id",
                        &id,
                        Message::new("problem_invalid_id").arg("value", &value),
                    );
                }
                Some(value)
            }
            None => match default_id {
                Some(default) if is_slug(default) && default.len() <= MAX_ID_CHARS => {
                    Some(default.to_string())
                }
                Some(default) => {
                    self.report(
                        "id",
                        None,
                        Message::new("problem_invalid_file_name_id")
                            .arg("name", default)
                            .arg("max", MAX_ID_CHARS),
                    );
                    None
                }
                None => {
                    self.report("id", None, Message::new("problem_required"));
                    None
                }
            },
        };
        let title = self.required_text("title", raw.title, MAX_TITLE_CHARS);
        let doc_type = match &raw.doc_type {
            Some(value) => self.term("type", value, &taxonomy.types),
            None => {
                self.report(
                    "type",
                    None,
                    Message::new("problem_required_allowed")
                        .arg("allowed", list(taxonomy.types.slugs())),
                );
                None
            }
        };
        let summary = self.required_text("summary", raw.summary, MAX_SUMMARY_CHARS);

        let geography = taxonomy.geography.clone();
        let mut countries = Vec::new();
        for value in raw.countries.unwrap_or_default() {
            match geography.country(&value.value) {
                Some(country) => {
                    if !countries.contains(&country.iso3) {
                        countries.push(country.iso3.clone());
                    }
                }
                None => {
                    let message = match geography.suggest_country(&value.value) {
                        Some(c) => {
                            Message::new("problem_unknown_country_suggest").arg("suggestion", c)
                        }
                        None => Message::new("problem_unknown_country"),
                    };
                    self.report_at("countries", &value, message.arg("code", value.value.trim()));
                }
            }
        }
        let mut regions = Vec::new();
        for value in raw.regions.unwrap_or_default() {
            let slug = value.value.trim();
            if geography.region(slug).is_some() {
                if !regions.iter().any(|r| r == slug) {
                    regions.push(slug.to_string());
                }
            } else {
                let message =
                    match closest(slug, geography.regions().iter().map(|r| r.slug.as_str())) {
                        Some(s) => {
                            Message::new("problem_unknown_region_suggest").arg("suggestion", s)
                        }
                        None => Message::new("problem_unknown_region"),
                    };
                self.report_at("regions", &value, message.arg("slug", slug));
            }
        }
        let themes = self.terms("themes", raw.themes, &taxonomy.themes, true);
        // Optional, so that documents written before the spectrum stay valid; the corpus
        // test holds every shipped document to at least one stage.
        let stages = self.terms("stages", raw.stages, &taxonomy.stages, false);
        let mechanism_types = self.terms(
            "mechanism_types",
            raw.mechanism_types,
            &taxonomy.mechanism_types,
            false,
        );
        let instruments = self.terms("instruments", raw.instruments, &taxonomy.instruments, false);

        let mut year = raw.year.as_ref().and_then(|y| self.year("year", y));
        let date = match &raw.date {
            Some(value) => match parse_date(&value.value) {
                Some(date_year) => {
                    match year {
                        Some(y) if y != date_year => self.report_at(
                            "date",
                            value,
                            Message::new("problem_date_disagrees")
                                .arg("date", value.value.trim())
                                .arg("year", y),
                        ),
                        None if raw.year.is_none() => year = Some(date_year),
                        _ => {}
                    }
                    Some(value.value.trim().to_string())
                }
                None => {
                    self.report_at(
                        "date",
                        value,
                        Message::new("problem_not_a_date").arg("value", value.value.trim()),
                    );
                    None
                }
            },
            None => None,
        };
        if raw.year.is_none() && raw.date.is_none() {
            self.report("year", None, Message::new("problem_year_missing"));
        }
        let language = match &raw.language {
            Some(value) => self.term("language", value, &taxonomy.languages),
            None => {
                self.report(
                    "language",
                    None,
                    Message::new("problem_required_allowed")
                        .arg("allowed", list(taxonomy.languages.slugs())),
                );
                None
            }
        };
        let sources = self.sources(raw.sources);

        let is_law = doc_type.as_deref() == Some("law");
        // With an unknown type, whether law-only fields belong is unknowable: say nothing.
        let type_known = doc_type.is_some();
        let status = match &raw.status {
            _ if !type_known => None,
            Some(value) if !is_law => {
                self.report_at("status", value, Message::new("problem_status_laws_only"));
                None
            }
            Some(value) => self.term("status", value, &taxonomy.statuses),
            None if is_law => {
                self.report(
                    "status",
                    None,
                    Message::new("problem_status_missing")
                        .arg("allowed", list(taxonomy.statuses.slugs())),
                );
                None
            }
            None => None,
        };
        let shareable = match &raw.shareable {
            _ if !type_known => None,
            Some(value) if !is_law => {
                self.report_at(
                    "shareable",
                    value,
                    Message::new("problem_shareable_laws_only"),
                );
                None
            }
            Some(value) => Some(value.value),
            None if is_law => {
                self.report("shareable", None, Message::new("problem_shareable_missing"));
                None
            }
            None => None,
        };
        let established = raw
            .established
            .as_ref()
            .and_then(|y| self.year("established", y));
        let composition = raw
            .composition
            .as_ref()
            .and_then(|value| self.term("composition", value, &taxonomy.compositions));
        let operating_status = match &raw.operating_status {
            _ if !type_known => None,
            Some(value) if !matches!(doc_type.as_deref(), Some("mechanism" | "network")) => {
                self.report_at(
                    "operating_status",
                    value,
                    Message::new("problem_operating_status_only"),
                );
                None
            }
            Some(value) => self.term("operating_status", value, &taxonomy.operating_statuses),
            None => None,
        };
        let members = self.members(raw.members, doc_type.as_deref());
        let is_guide = doc_type.as_deref() == Some("guide");
        let chapter = match &raw.chapter {
            _ if !type_known => None,
            Some(value) if !is_guide => {
                self.report_at(
                    "chapter",
                    value,
                    Message::new("problem_chapter_guides_only"),
                );
                None
            }
            Some(value) => self.term("chapter", value, &taxonomy.manual_chapters),
            None if is_guide => {
                self.report(
                    "chapter",
                    None,
                    Message::new("problem_chapter_missing")
                        .arg("allowed", list(taxonomy.manual_chapters.slugs())),
                );
                None
            }
            None => None,
        };
        let related_networks =
            self.related_networks(raw.related_networks, doc_type.as_deref(), id.as_deref());

        Some(Metadata {
            id: id?,
            title: title?,
            doc_type: doc_type?,
            summary: summary?,
            countries,
            regions,
            themes,
            stages,
            mechanism_types,
            instruments,
            year: year?,
            date,
            language: language?,
            sources,
            status,
            shareable,
            shareable_note: self.optional_text(raw.shareable_note),
            established,
            legal_basis: self.optional_text(raw.legal_basis),
            mandate: self.optional_text(raw.mandate),
            composition,
            reporting_line: self.optional_text(raw.reporting_line),
            early_warning: raw.early_warning.map(|v| v.value),
            outcome: self.optional_text(raw.outcome),
            operating_status,
            members,
            chapter,
            related_networks,
        })
    }

    /// A network's relations to other networks: each names another network's id, a known
    /// relation and its evidence. Whether the id exists is checked at ingest, where the other
    /// documents are known.
    fn related_networks(
        &mut self,
        raw: Option<Vec<Spanned<RawNetworkRelation>>>,
        doc_type: Option<&str>,
        own_id: Option<&str>,
    ) -> Vec<NetworkRelation> {
        const FIELD: &str = "related_networks";
        let Some(doc_type) = doc_type else {
            return Vec::new();
        };
        let raw = raw.unwrap_or_default();
        if doc_type != "network" && !raw.is_empty() {
            self.report(FIELD, None, Message::new("problem_relations_networks_only"));
            return Vec::new();
        }
        let mut relations: Vec<NetworkRelation> = Vec::new();
        for spanned in raw {
            let at = position(&spanned);
            let relation = spanned.value;
            let network = match &relation.network {
                Some(value) if crate::taxonomy::is_slug(value.value.trim()) => {
                    let network = value.value.trim().to_string();
                    if Some(network.as_str()) == own_id {
                        self.report_at(FIELD, value, Message::new("problem_relation_self"));
                        None
                    } else {
                        Some(network)
                    }
                }
                Some(value) => {
                    self.report_at(
                        FIELD,
                        value,
                        Message::new("problem_relation_network_id")
                            .arg("network", value.value.trim()),
                    );
                    None
                }
                None => {
                    self.report(FIELD, at, Message::new("problem_relation_network_missing"));
                    None
                }
            };
            let kind = match &relation.relation {
                Some(value) if NETWORK_RELATIONS.contains(&value.value.trim()) => {
                    Some(value.value.trim().to_string())
                }
                Some(value) => {
                    self.report_at(
                        FIELD,
                        value,
                        Message::new("problem_relation_unknown")
                            .arg("relation", value.value.trim())
                            .arg("allowed", NETWORK_RELATIONS.join(", ")),
                    );
                    None
                }
                None => {
                    self.report(
                        FIELD,
                        at,
                        Message::new("problem_relation_missing")
                            .arg("allowed", NETWORK_RELATIONS.join(", ")),
                    );
                    None
                }
            };
            let evidence = relation
                .evidence
                .as_ref()
                .map(|e| e.value.trim().to_string())
                .filter(|e| !e.is_empty());
            if evidence.is_none() {
                self.report(FIELD, at, Message::new("problem_relation_evidence"));
            }
            if let (Some(network), Some(relation), Some(evidence)) = (network, kind, evidence) {
                if relations
                    .iter()
                    .any(|r| r.network == network && r.relation == relation)
                {
                    self.report(
                        FIELD,
                        at,
                        Message::new("problem_relation_twice")
                            .arg("relation", &relation)
                            .arg("network", &network),
                    );
                    continue;
                }
                relations.push(NetworkRelation {
                    network,
                    relation,
                    evidence,
                });
            }
        }
        relations
    }

    /// A network's member States: each a known country, once, with its evidence.
    fn members(
        &mut self,
        raw: Option<Vec<Spanned<RawMember>>>,
        doc_type: Option<&str>,
    ) -> Vec<Member> {
        // With an unknown type, whether members belong is unknowable: say nothing.
        let Some(doc_type) = doc_type else {
            return Vec::new();
        };
        let raw = raw.unwrap_or_default();
        if doc_type != "network" {
            if !raw.is_empty() {
                self.report(
                    "members",
                    None,
                    Message::new("problem_members_networks_only"),
                );
            }
            return Vec::new();
        }
        if raw.is_empty() {
            self.report("members", None, Message::new("problem_members_missing"));
        }
        let geography = self.taxonomy.geography.clone();
        let mut members: Vec<Member> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for spanned in raw {
            let at = position(&spanned);
            let member = spanned.value;
            let country = match &member.country {
                None => {
                    self.report(
                        "members",
                        at,
                        Message::new("problem_member_country_missing"),
                    );
                    None
                }
                Some(value) => match geography.country(&value.value) {
                    Some(country) if seen.contains(&country.iso3) => {
                        self.report_at(
                            "members",
                            value,
                            Message::new("problem_member_twice").arg("country", &country.iso3),
                        );
                        None
                    }
                    Some(country) => {
                        seen.push(country.iso3.clone());
                        Some(country.iso3.clone())
                    }
                    None => {
                        self.report_at(
                            "members",
                            value,
                            Message::new("problem_unknown_country").arg("code", value.value.trim()),
                        );
                        None
                    }
                },
            };
            let joined = match &member.joined {
                Some(value) => {
                    let text = value.value.trim();
                    let is_year = text.len() == 4
                        && text.parse::<i64>().is_ok_and(|y| YEAR_RANGE.contains(&y));
                    if is_year || parse_date(text).is_some() {
                        Some(text.to_string())
                    } else {
                        self.report_at(
                            "members",
                            value,
                            Message::new("problem_member_joined").arg("value", text),
                        );
                        None
                    }
                }
                None => None,
            };
            let evidence = member
                .evidence
                .as_ref()
                .map(|e| e.value.trim().to_string())
                .filter(|e| !e.is_empty());
            match (&evidence, &member.evidence) {
                (None, _) => self.report("members", at, Message::new("problem_member_evidence")),
                (Some(url), Some(value))
                    if url.contains("://")
                        && !(url.starts_with("https://") || url.starts_with("http://")) =>
                {
                    self.report_at(
                        "members",
                        value,
                        Message::new("problem_member_evidence_url").arg("url", url),
                    )
                }
                _ => {}
            }
            if let (Some(country), Some(evidence)) = (country, evidence) {
                members.push(Member {
                    country,
                    joined,
                    evidence,
                    note: member
                        .note
                        .map(|n| n.trim().to_string())
                        .filter(|n| !n.is_empty()),
                });
            }
        }
        members
    }

    fn sources(&mut self, raw: Option<Vec<Spanned<RawSource>>>) -> Vec<Source> {
        let raw = raw.unwrap_or_default();
        if raw.is_empty() {
            self.report("sources", None, Message::new("problem_sources_missing"));
        }
        let mut sources = Vec::new();
        for spanned in raw {
            let at = position(&spanned);
            let source = spanned.value;
            let url = source
                .url
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty());
            let citation = source
                .citation
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty());
            if url.is_none() && citation.is_none() {
                self.report(
                    "sources",
                    at,
                    Message::new("problem_source_url_or_citation"),
                );
            }
            if let Some(url) = &url {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    self.report(
                        "sources",
                        at,
                        Message::new("problem_source_url").arg("url", url),
                    );
                }
            }
            let accessed = match source.accessed {
                Some(accessed) if parse_full_date(&accessed.value).is_none() => {
                    self.report_at(
                        "sources",
                        &accessed,
                        Message::new("problem_source_accessed").arg("value", accessed.value.trim()),
                    );
                    None
                }
                Some(accessed) => Some(accessed.value.trim().to_string()),
                None => None,
            };
            sources.push(Source {
                url,
                citation,
                title: source.title,
                publisher: source.publisher,
                accessed,
            });
        }
        sources
    }
}

fn position<T>(spanned: &Spanned<T>) -> Option<(usize, usize)> {
    let line = spanned.referenced.line() as usize;
    (line > 0).then(|| (line, spanned.referenced.column() as usize))
}

fn list<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values.collect::<Vec<_>>().join(", ")
}

/// `YYYY-MM-DD` or `YYYY-MM`; returns the year.
fn parse_date(value: &str) -> Option<i32> {
    let value = value.trim();
    let full = parse_full_date(value);
    if full.is_some() {
        return full;
    }
    let (year, month) = value.split_once('-')?;
    let month: u8 = month.parse().ok()?;
    let year: i32 = year.parse().ok()?;
    ((1..=12).contains(&month) && YEAR_RANGE.contains(&(year as i64))).then_some(year)
}

fn parse_full_date(value: &str) -> Option<i32> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(value.trim(), &format).ok()?;
    YEAR_RANGE
        .contains(&(date.year() as i64))
        .then_some(date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---
title: National Cohesion and Integration Act
type: law
summary: Outlaws hate speech and sets up a commission.
countries: [KE]
themes:
  - hate-speech
language: en
year: 2008
status: in-force
shareable: true
sources:
  - url: https://example.org/act
---
Body text.
";

    fn problems(text: &str) -> Vec<Problem> {
        parse_document(
            "corpus/laws/ke-act.md",
            text.as_bytes(),
            Some("ke-act"),
            &Taxonomy::builtin(),
        )
        .unwrap_err()
    }

    #[test]
    fn long_ids_are_refused() {
        let text = GOOD.replacen("---\n", &format!("---\nid: {}\n", "a".repeat(70_000)), 1);
        let problems = problems(&text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field.as_deref(), Some("id"));
        assert_eq!(problems[0].line, Some(2));
        assert!(
            problems[0].message.to_string().contains("at most 100"),
            "{problems:?}"
        );
    }

    #[test]
    fn deep_nesting_in_the_body_is_refused_at_its_file_line() {
        let text = format!("{GOOD}\nFine.\n\n{}\n", ">".repeat(100_000));
        let problems = problems(&text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(GOOD.lines().count() + 4));
        assert!(
            problems[0].message.to_string().contains("nested"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_good_document_is_normalised() {
        let doc = parse_document(
            "x.md",
            GOOD.as_bytes(),
            Some("ke-act"),
            &Taxonomy::builtin(),
        )
        .unwrap();
        assert_eq!(doc.meta.id, "ke-act");
        assert_eq!(doc.meta.countries, vec!["KEN"]);
        assert_eq!(doc.body, "Body text.\n");
    }

    #[test]
    fn unknown_theme_suggests_closest_value_with_its_line() {
        let problems = problems(&GOOD.replace("  - hate-speech", "  - hate-speach"));
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "corpus/laws/ke-act.md:7:5: themes: unknown value \"hate-speach\"; did you mean \"hate-speech\"?"
        );
    }

    #[test]
    fn stages_are_read_in_order_and_a_typo_is_named_with_its_line_and_a_suggestion() {
        let with_stages = GOOD.replace(
            "language: en",
            "stages: [structural-prevention, acountability]\nlanguage: en",
        );
        let problems = problems(&with_stages);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].to_string(),
            "corpus/laws/ke-act.md:8:33: stages: unknown value \"acountability\"; did you mean \"accountability\"?"
        );
        let good = with_stages.replace("acountability", "accountability");
        let doc = parse_document(
            "x.md",
            good.as_bytes(),
            Some("ke-act"),
            &Taxonomy::builtin(),
        )
        .unwrap();
        assert_eq!(
            doc.meta.stages,
            vec!["structural-prevention", "accountability"]
        );
        // Optional: a document without the field is valid and sits on no stage.
        let without = parse_document(
            "x.md",
            GOOD.as_bytes(),
            Some("ke-act"),
            &Taxonomy::builtin(),
        )
        .unwrap();
        assert!(without.meta.stages.is_empty());
    }

    #[test]
    fn every_field_problem_is_reported_at_once() {
        let text = GOOD
            .replace("type: law", "type: lawz")
            .replace("countries: [KE]", "countries: [XQ]")
            .replace("language: en", "language: de");
        let fields: Vec<_> = problems(&text)
            .into_iter()
            .filter_map(|p| p.field)
            .collect();
        assert_eq!(fields, vec!["type", "countries", "language"]);
    }

    #[test]
    fn unknown_field_suggests_the_known_one() {
        let problems = problems(&GOOD.replace("themes:", "theme:"));
        assert!(problems.iter().any(|p| p
            .message
            .to_string()
            .contains("unknown field \"theme\"; did you mean \"themes\"?")
            && p.line == Some(6)));
    }

    #[test]
    fn laws_need_status_and_shareable() {
        let text = GOOD
            .replace("status: in-force\n", "")
            .replace("shareable: true\n", "");
        let fields: Vec<_> = problems(&text)
            .into_iter()
            .filter_map(|p| p.field)
            .collect();
        assert_eq!(fields, vec!["status", "shareable"]);
    }

    #[test]
    fn date_gives_the_year_and_must_agree_with_it() {
        let text = GOOD.replace("year: 2008", "date: 2008-12-24");
        let doc = parse_document("x.md", text.as_bytes(), Some("x"), &Taxonomy::builtin()).unwrap();
        assert_eq!(doc.meta.year, 2008);
        let text = GOOD.replace("year: 2008", "year: 2008\ndate: 2009-01-01");
        assert_eq!(problems(&text)[0].field.as_deref(), Some("date"));
    }

    #[test]
    fn wrong_yaml_type_names_the_field() {
        let problems = problems(&GOOD.replace("year: 2008", "year: two thousand"));
        assert_eq!(problems[0].field.as_deref(), Some("year"));
        assert_eq!(problems[0].line, Some(9));
    }

    const NETWORK: &str = "---
title: A network
type: network
summary: States that prevent atrocities together.
themes: [regional-cooperation]
language: pt
year: 2012
operating_status: active
sources:
  - url: https://example.org/network
members:
  - country: AR
    joined: 2012
    evidence: https://example.org/members
  - country: BRA
    joined: 2013-03
    evidence: Final declaration of the first meeting, 2013
    note: joined at the second meeting
---
Texto.
";

    #[test]
    fn a_network_lists_its_members_with_evidence() {
        let doc =
            parse_document("n.md", NETWORK.as_bytes(), Some("n"), &Taxonomy::builtin()).unwrap();
        assert_eq!(doc.meta.language, "pt");
        assert_eq!(doc.meta.operating_status.as_deref(), Some("active"));
        let members: Vec<_> = doc
            .meta
            .members
            .iter()
            .map(|m| (m.country.as_str(), m.joined.as_deref()))
            .collect();
        assert_eq!(
            members,
            vec![("ARG", Some("2012")), ("BRA", Some("2013-03"))]
        );
    }

    #[test]
    fn member_problems_name_the_field_and_line() {
        let text = NETWORK
            .replace("country: BRA", "country: AR")
            .replace("joined: 2012\n", "joined: last year\n")
            .replace("    evidence: https://example.org/members\n", "");
        let problems = problems(&text);
        let messages: Vec<_> = problems
            .iter()
            .map(|p| (p.field.clone(), p.line, p.message.clone()))
            .collect();
        assert!(
            problems
                .iter()
                .all(|p| p.field.as_deref() == Some("members")),
            "{messages:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.message.to_string().contains("not a date") && p.line == Some(13)),
            "{messages:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.message.to_string().contains("needs `evidence`")),
            "{messages:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.message.to_string().contains("ARG is listed twice")),
            "{messages:?}"
        );
    }

    #[test]
    fn networks_need_members_and_only_networks_have_them() {
        let without: String = NETWORK.split("members:").next().unwrap().to_string() + "---\nx\n";
        assert!(problems(&without)[0]
            .message
            .to_string()
            .contains("required for networks"));
        let law = GOOD.replace(
            "sources:",
            "operating_status: active\nmembers:\n  - country: KE\n    evidence: x\nsources:",
        );
        let fields: Vec<_> = problems(&law).into_iter().filter_map(|p| p.field).collect();
        assert_eq!(fields, vec!["operating_status", "members"]);
    }

    const GUIDE: &str = "---
title: Establishing a mechanism
type: guide
chapter: establishing
summary: Guidance.
themes: [atrocity-prevention]
year: 2026
language: en
sources:
  - url: https://example.org/guide
---
Body.
";

    #[test]
    fn manual_chapters_name_a_chapter_of_the_taxonomy_and_only_they_do() {
        let doc = parse_document(
            "corpus/guides/g.md",
            GUIDE.as_bytes(),
            Some("g"),
            &Taxonomy::builtin(),
        )
        .unwrap();
        assert_eq!(doc.meta.chapter.as_deref(), Some("establishing"));
        let missing = problems(&GUIDE.replace("chapter: establishing\n", ""));
        assert_eq!(missing[0].field.as_deref(), Some("chapter"));
        assert!(
            missing[0]
                .message
                .to_string()
                .contains("establishing, guiding, managing"),
            "{missing:?}"
        );
        let typo = problems(&GUIDE.replace("chapter: establishing", "chapter: establishin"));
        assert_eq!(typo[0].line, Some(4));
        assert!(
            typo[0]
                .message
                .to_string()
                .contains("did you mean \"establishing\""),
            "{typo:?}"
        );
        let law = problems(&GOOD.replace("sources:", "chapter: guiding\nsources:"));
        assert_eq!(law[0].field.as_deref(), Some("chapter"));
        assert!(
            law[0].message.to_string().contains("only manual chapters"),
            "{law:?}"
        );
    }

    #[test]
    fn a_network_relates_to_others_with_a_known_relation_and_evidence() {
        let related = NETWORK.replace(
            "members:",
            "related_networks:\n  - network: global-gaamac\n    relation: partner-of\n    evidence: https://example.org/partners\nmembers:",
        );
        let doc =
            parse_document("n.md", related.as_bytes(), Some("n"), &Taxonomy::builtin()).unwrap();
        assert_eq!(
            doc.meta.related_networks,
            vec![NetworkRelation {
                network: "global-gaamac".into(),
                relation: "partner-of".into(),
                evidence: "https://example.org/partners".into(),
            }]
        );
        let bad = NETWORK.replace(
            "members:",
            "related_networks:\n  - network: ke-act\n    relation: friend-of\nmembers:",
        );
        let found = problems(&bad);
        let messages: Vec<_> = found.iter().map(|p| p.message.to_string()).collect();
        assert!(
            found
                .iter()
                .all(|p| p.field.as_deref() == Some("related_networks")),
            "{found:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("cannot relate to itself")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("unknown relation \"friend-of\"")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("needs `evidence`")),
            "{messages:?}"
        );
        assert!(found.iter().all(|p| p.line.is_some()), "{found:?}");
        let law = GOOD.replace(
            "sources:",
            "related_networks:\n  - network: global-gaamac\n    relation: member-of\n    evidence: x\nsources:",
        );
        assert!(problems(&law)[0]
            .message
            .to_string()
            .contains("only networks relate"));
    }

    #[test]
    fn operating_status_takes_the_taxonomy_values() {
        let problems =
            problems(&NETWORK.replace("operating_status: active", "operating_status: asleep"));
        assert_eq!(problems[0].field.as_deref(), Some("operating_status"));
    }

    #[test]
    fn file_level_problems_have_their_own_messages() {
        let taxonomy = Taxonomy::builtin();
        let check = |bytes: &[u8]| {
            parse_document("f.md", bytes, Some("f"), &taxonomy).unwrap_err()[0]
                .message
                .to_string()
        };
        assert!(check(b"").contains("empty"));
        assert!(check(b"---\x00\x01").contains("binary"));
        assert!(check(b"---\ntitle: \xff\n---\n").contains("UTF-8"));
        assert!(check(b"# no front matter").contains("no front matter"));
        assert!(check(b"---\ntitle: x\n").contains("not closed"));
        assert!(check(&vec![b'a'; MAX_DOCUMENT_BYTES + 1]).contains("too large"));
    }
}
