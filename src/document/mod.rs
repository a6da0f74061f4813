//! A Praxis document: Markdown with YAML front matter.
//!
//! Reading a document goes in three steps, each in its own module: [`front_matter`] splits the
//! file and deserialises the YAML keeping positions, [`validate`] checks every field against the
//! taxonomy and collects every problem (not only the first), and [`markdown`] turns the body
//! into plain text for the index and sanitised HTML for readers.
//!
//! This module defines the document model those steps share ([`Document`], [`Metadata`],
//! [`Problem`]…) and uses none of them, so that they can build on it without a cycle: parse a
//! file with [`validate::parse_document`].

pub(crate) mod front_matter;
pub mod markdown;
pub mod sources;
pub mod validate;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalogue::Message;
use crate::Lang;

/// A cited source. At least one of `url` and `citation` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Source {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) publisher: Option<String>,
    /// `YYYY-MM-DD`: the day a curator consulted the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) accessed: Option<String>,
}

/// The validated, normalised front matter of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Metadata {
    pub id: String,
    pub(crate) title: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub summary: String,
    /// ISO 3166-1 alpha-3 codes.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Region slugs given explicitly; regions derived from countries are not listed here.
    #[serde(default)]
    pub(crate) regions: Vec<String>,
    pub themes: Vec<String>,
    /// Where the document sits on the spectrum from prevention to reparation: slugs of the
    /// taxonomy's `stages`. Empty for documents written before the spectrum.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<String>,
    #[serde(default)]
    pub(crate) mechanism_types: Vec<String>,
    #[serde(default)]
    pub(crate) instruments: Vec<String>,
    pub(crate) year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) date: Option<String>,
    pub language: String,
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) shareable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) shareable_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) established: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) legal_basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mandate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) composition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reporting_line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) early_warning: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) outcome: Option<String>,
    /// Whether a mechanism or network still works: a slug of the taxonomy's
    /// `operating_statuses` (active, dormant, dissolved). Named apart from `status`, which is
    /// a law's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) operating_status: Option<String>,
    /// The member States of a network, each with the evidence of its membership.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
    /// Manual chapters (`guide` documents): the slug of the chapter, from the taxonomy's
    /// `manual_chapters`. One document per chapter and language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) chapter: Option<String>,
    /// How a network relates to other networks (it is a member of one, a partner of one, or
    /// grew out of one), each with its evidence. Ids are other documents of type `network`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_networks: Vec<NetworkRelation>,
}

/// A network's relation to another network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NetworkRelation {
    /// The id of the other network's document.
    pub network: String,
    /// One of [`NETWORK_RELATIONS`]: `member-of`, `partner-of`, `grew-out-of`.
    pub(crate) relation: String,
    /// The public source showing the relation: a URL or a formal citation.
    pub(crate) evidence: String,
}

/// The relations a network can have to another, read as "this network is a member of / a
/// partner of / grew out of that one".
pub(crate) const NETWORK_RELATIONS: &[&str] = &["member-of", "partner-of", "grew-out-of"];

/// A member State of a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Member {
    /// ISO 3166-1 alpha-3 code.
    pub country: String,
    /// When it joined (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), where a source documents it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) joined: Option<String>,
    /// The public source showing the membership: a URL or a formal citation.
    pub evidence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

/// A validated document: metadata, the Markdown body, and the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub meta: Metadata,
    /// The Markdown body (without front matter).
    pub body: String,
    /// The whole source text, front matter included, as the curator wrote it.
    pub source_text: String,
}

impl Document {
    /// A hash of the normalised content: metadata and body. Formatting-only changes to the
    /// front matter (key order, quoting) do not change it.
    pub(crate) fn content_hash(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(
            serde_json::to_string(&self.meta)
                .expect("metadata serialises")
                .as_bytes(),
        );
        hasher.update(b"\n");
        hasher.update(self.body.as_bytes());
        hasher.finalize().to_hex()[..32].to_string()
    }
}

/// One problem found in a document, with everything a curator needs to fix it. The message is
/// a code with arguments: pages and the API say it in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ProblemView", from = "ProblemView")]
pub struct Problem {
    /// The file (or `request` for documents sent over the API).
    pub file: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub(crate) column: Option<usize>,
    /// The front-matter field concerned, when there is one.
    pub field: Option<String>,
    pub message: Message,
}

/// A problem as JSON carries it: its code and arguments, and the message in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub(crate) struct ProblemView {
    /// The file (or `request` for documents sent over the API).
    pub(crate) file: String,
    /// 1-based line in the file, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) line: Option<usize>,
    /// 1-based column, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) column: Option<usize>,
    /// The front-matter field concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) field: Option<String>,
    /// Stable, snake_case: what is wrong (`problem_required`, `problem_unknown_value`, …).
    pub(crate) code: String,
    /// The values the message refers to.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) args: BTreeMap<String, String>,
    /// What is wrong and how to fix it, in the request's language.
    pub(crate) message: String,
}

impl Problem {
    /// Where the problem is and what it is, in `lang`: `file:line:column: field: message`.
    pub(crate) fn describe(&self, lang: Lang) -> String {
        let mut out = self.file.clone();
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            if let Some(column) = self.column {
                out.push_str(&format!(":{column}"));
            }
        }
        out.push_str(": ");
        if let Some(field) = &self.field {
            out.push_str(&format!("{field}: "));
        }
        out.push_str(&self.message.render(lang));
        out
    }

    /// The problem as JSON carries it, with its message in `lang`.
    pub(crate) fn view(&self, lang: Lang) -> ProblemView {
        ProblemView {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            field: self.field.clone(),
            code: self.message.code.clone(),
            args: self.message.args.clone(),
            message: self.message.render(lang),
        }
    }
}

/// English unless a caller renders another language with [`Problem::view`].
impl From<Problem> for ProblemView {
    fn from(problem: Problem) -> ProblemView {
        problem.view(Lang::En)
    }
}

impl From<ProblemView> for Problem {
    fn from(view: ProblemView) -> Problem {
        Problem {
            file: view.file,
            line: view.line,
            column: view.column,
            field: view.field,
            message: Message {
                code: view.code,
                args: view.args,
            },
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

impl std::error::Error for Problem {}
