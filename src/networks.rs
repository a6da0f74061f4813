//! Networks of States (documents of type `network`): who their members are, with the evidence
//! and join dates the documents hold, how networks relate to one another, which national
//! mechanisms serve as their focal points, and which documents are about them. Also the other
//! way round: the networks a country belongs to, for its profile.
//!
//! Everything here is read from the documents' front matter (`members`, `related_networks`) and
//! from their texts' `` `id` `` mentions; nothing is inferred from attendance or from the
//! `countries` field, so a State missing from a member list is "not recorded", never "not a
//! member".

use serde::Serialize;

use crate::document::markdown::mentioned_ids;
use crate::document::{Metadata, Source};
use crate::index::{FacetGroup, SearchError, SearchRequest, Sort};
use crate::store::{DocumentRecord, StoreError};
use crate::taxonomy::{Lang, Taxonomy};
use crate::KnowledgeBase;

/// Network documents read for `/networks`, at most: far more than exist, a bound on one request.
pub(crate) const MAX_NETWORKS: usize = 500;
/// Documents searched for mentions of one network, at most (the best matches of its id's words).
const MENTION_CANDIDATES: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("network: no network has the id \"{0}\"")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// A network as `/networks` lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NetworkSummary {
    pub id: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    /// The language the document is written in.
    pub(crate) language: String,
    /// How many member States the document lists (with evidence).
    pub(crate) member_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) established: Option<i32>,
    /// `active`, `dormant`, `dissolved`, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) operating_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) operating_status_label: Option<String>,
    /// Its relations to other networks, both those its document states and those other
    /// networks' documents state about it.
    pub relations: Vec<RelationView>,
}

/// One relation between two networks, seen from the network it is listed under.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelationView {
    /// The other network's id.
    pub network: String,
    /// The other network's title; `None` when no network document has that id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) title: Option<String>,
    /// `member-of`, `partner-of` or `grew-out-of`, as written in the document that states it.
    pub(crate) relation: String,
    /// `stated` when this network's document states it; `inverse` when the other network's
    /// document does (so "member-of" reads "has as a member").
    pub(crate) direction: String,
    /// The relation in words, from this network's side, in the requested language.
    pub label: String,
    /// The public source showing the relation.
    pub(crate) evidence: String,
}

/// One member State of a network.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub(crate) iso2: String,
    pub(crate) iso3: String,
    /// UN M49 code, for the map.
    pub(crate) m49: String,
    pub(crate) name: String,
    /// When it joined, where a source dates it (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) joined: Option<String>,
    /// The URL or citation showing the membership.
    pub(crate) evidence: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
    /// National mechanisms of this State whose documents mention the network: its focal
    /// points or the bodies that take part, as the corpus documents them.
    pub(crate) focal_points: Vec<DocumentRef>,
}

/// A link to a document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = NetworkDocumentRef)]
pub(crate) struct DocumentRef {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub(crate) doc_type: String,
    pub(crate) type_label: String,
    pub(crate) year: i32,
    pub(crate) country_names: Vec<String>,
}

/// Everything `/networks/{id}` shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NetworkDetail {
    #[serde(flatten)]
    pub summary: NetworkSummary,
    pub members: Vec<MemberView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mandate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) legal_basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) composition_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reporting_line: Option<String>,
    pub(crate) sources: Vec<Source>,
    /// Documents that mention the network (`` `id` `` in their text), other networks aside.
    pub(crate) documents: Vec<DocumentRef>,
}

/// A network a country belongs to, for its profile.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Membership {
    pub network: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined: Option<String>,
    pub(crate) evidence: String,
}

/// The relation in words, from the side of the network it is listed under.
pub(crate) fn relation_label(relation: &str, inverse: bool, lang: Lang) -> &'static str {
    match (relation, inverse, lang) {
        ("member-of", false, Lang::En) => "member of",
        ("member-of", false, Lang::Fr) => "membre de",
        ("member-of", false, Lang::Es) => "miembro de",
        ("member-of", true, Lang::En) => "has as a member",
        ("member-of", true, Lang::Fr) => "a pour membre",
        ("member-of", true, Lang::Es) => "tiene como miembro a",
        ("partner-of", _, Lang::En) => "partner of",
        ("partner-of", _, Lang::Fr) => "partenaire de",
        ("partner-of", _, Lang::Es) => "socio de",
        ("grew-out-of", false, Lang::En) => "grew out of",
        ("grew-out-of", false, Lang::Fr) => "issu de",
        ("grew-out-of", false, Lang::Es) => "surgió de",
        ("grew-out-of", true, Lang::En) => "gave rise to",
        ("grew-out-of", true, Lang::Fr) => "a donné naissance à",
        ("grew-out-of", true, Lang::Es) => "dio origen a",
        _ => "related to",
    }
}

/// Every active network document, by title.
fn network_records(kb: &KnowledgeBase) -> Result<Vec<DocumentRecord>, NetworkError> {
    let request = SearchRequest {
        facets: Some(Vec::new()),
        ..Default::default()
    }
    .filter(FacetGroup::Type, "network");
    let mut records = Vec::new();
    for id in kb.search_all_ids(&request)?.into_iter().take(MAX_NETWORKS) {
        if let Some(record) = kb.store().get(&id)? {
            if !record.withdrawn && record.meta.doc_type == "network" {
                records.push(record);
            }
        }
    }
    records.sort_by(|a, b| {
        a.meta
            .title
            .to_lowercase()
            .cmp(&b.meta.title.to_lowercase())
    });
    Ok(records)
}

fn summary(
    meta: &Metadata,
    all: &[DocumentRecord],
    taxonomy: &Taxonomy,
    lang: Lang,
) -> NetworkSummary {
    let title_of = |id: &str| {
        all.iter()
            .find(|r| r.meta.id == id)
            .map(|r| r.meta.title.clone())
    };
    let mut relations: Vec<RelationView> = meta
        .related_networks
        .iter()
        .map(|r| RelationView {
            network: r.network.clone(),
            title: title_of(&r.network),
            relation: r.relation.clone(),
            direction: "stated".into(),
            label: relation_label(&r.relation, false, lang).into(),
            evidence: r.evidence.clone(),
        })
        .collect();
    for other in all.iter().filter(|o| o.meta.id != meta.id) {
        for r in other
            .meta
            .related_networks
            .iter()
            .filter(|r| r.network == meta.id)
        {
            relations.push(RelationView {
                network: other.meta.id.clone(),
                title: Some(other.meta.title.clone()),
                relation: r.relation.clone(),
                direction: "inverse".into(),
                label: relation_label(&r.relation, true, lang).into(),
                evidence: r.evidence.clone(),
            });
        }
    }
    NetworkSummary {
        id: meta.id.clone(),
        title: meta.title.clone(),
        summary: meta.summary.clone(),
        language: meta.language.clone(),
        member_count: meta.members.len(),
        established: meta.established,
        operating_status: meta.operating_status.clone(),
        operating_status_label: meta
            .operating_status
            .as_deref()
            .map(|s| taxonomy.operating_statuses.label(s, lang).to_string()),
        relations,
    }
}

/// Every network with its member count and relations, by title.
pub fn list_networks(kb: &KnowledgeBase, lang: Lang) -> Result<Vec<NetworkSummary>, NetworkError> {
    let taxonomy = kb.taxonomy();
    let records = network_records(kb)?;
    Ok(records
        .iter()
        .map(|r| summary(&r.meta, &records, &taxonomy, lang))
        .collect())
}

pub(crate) fn document_ref(meta: &Metadata, taxonomy: &Taxonomy, lang: Lang) -> DocumentRef {
    DocumentRef {
        id: meta.id.clone(),
        title: meta.title.clone(),
        doc_type: meta.doc_type.clone(),
        type_label: taxonomy.types.label(&meta.doc_type, lang).to_string(),
        year: meta.year,
        country_names: meta
            .countries
            .iter()
            .map(|c| {
                taxonomy
                    .geography
                    .country(c)
                    .map_or(c.clone(), |c| c.names.get(lang).to_string())
            })
            .collect(),
    }
}

/// Active documents whose text mentions `id` as `` `id` ``: the best matches of the id's words,
/// checked one by one, so one request reads at most [`MENTION_CANDIDATES`] records.
fn documents_mentioning(kb: &KnowledgeBase, id: &str) -> Result<Vec<DocumentRecord>, NetworkError> {
    let request = SearchRequest {
        q: id.replace('-', " "),
        sort: Some(Sort::Relevance),
        page_size: MENTION_CANDIDATES,
        facets: Some(Vec::new()),
        ..Default::default()
    };
    let response = kb.search(&request)?;
    let mut records = Vec::new();
    for hit in response.hits.iter().filter(|h| h.id != id) {
        if let Some(record) = kb.store().get(&hit.id)? {
            if !record.withdrawn && mentioned_ids(&record.body).iter().any(|m| m == id) {
                records.push(record);
            }
        }
    }
    Ok(records)
}

/// A network's page: members with dates, evidence and focal points; relations; documents.
pub fn network_detail(
    kb: &KnowledgeBase,
    id: &str,
    lang: Lang,
) -> Result<NetworkDetail, NetworkError> {
    let taxonomy = kb.taxonomy();
    let record = kb
        .store()
        .get(id)?
        .filter(|r| !r.withdrawn && r.meta.doc_type == "network")
        .ok_or_else(|| NetworkError::NotFound(id.to_string()))?;
    let all = network_records(kb)?;
    let meta = &record.meta;
    let mentioning = documents_mentioning(kb, id)?;
    let members = meta
        .members
        .iter()
        .map(|m| {
            let country = taxonomy.geography.country(&m.country);
            let focal_points = mentioning
                .iter()
                .filter(|d| d.meta.doc_type == "mechanism" && d.meta.countries.contains(&m.country))
                .map(|d| document_ref(&d.meta, &taxonomy, lang))
                .collect();
            MemberView {
                iso2: country.map_or_else(String::new, |c| c.iso2.clone()),
                iso3: m.country.clone(),
                m49: country.map_or_else(String::new, |c| c.m49.clone()),
                name: country.map_or(m.country.clone(), |c| c.names.get(lang).to_string()),
                joined: m.joined.clone(),
                evidence: m.evidence.clone(),
                note: m.note.clone(),
                focal_points,
            }
        })
        .collect();
    let mut documents: Vec<DocumentRef> = mentioning
        .iter()
        .map(|d| document_ref(&d.meta, &taxonomy, lang))
        .collect();
    documents.sort_by(|a, b| {
        (&a.type_label, -a.year, &a.title).cmp(&(&b.type_label, -b.year, &b.title))
    });
    Ok(NetworkDetail {
        summary: summary(meta, &all, &taxonomy, lang),
        members,
        mandate: meta.mandate.clone(),
        legal_basis: meta.legal_basis.clone(),
        composition_label: meta
            .composition
            .as_deref()
            .map(|c| taxonomy.compositions.label(c, lang).to_string()),
        reporting_line: meta.reporting_line.clone(),
        sources: meta.sources.clone(),
        documents,
    })
}

/// The networks whose documents list `iso3` among their members, by title.
pub(crate) fn country_networks(
    kb: &KnowledgeBase,
    iso3: &str,
) -> Result<Vec<Membership>, NetworkError> {
    Ok(network_records(kb)?
        .into_iter()
        .filter_map(|record| {
            let member = record
                .meta
                .members
                .iter()
                .find(|m| m.country == iso3)?
                .clone();
            Some(Membership {
                network: record.meta.id.clone(),
                title: record.meta.title.clone(),
                joined: member.joined,
                evidence: member.evidence,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_read_from_either_side() {
        assert_eq!(relation_label("member-of", false, Lang::En), "member of");
        assert_eq!(relation_label("member-of", true, Lang::Fr), "a pour membre");
        assert_eq!(
            relation_label("grew-out-of", true, Lang::Es),
            "dio origen a"
        );
        for relation in crate::document::NETWORK_RELATIONS {
            for lang in Lang::ALL {
                assert_ne!(relation_label(relation, false, lang), "related to");
                assert_ne!(relation_label(relation, true, lang), "related to");
            }
        }
    }
}
