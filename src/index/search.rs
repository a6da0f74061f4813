//! Searching: a [`SearchRequest`] in, a [`SearchResponse`] out, with disjunctive facet counts,
//! highlighted snippets, deterministic ranking and related documents.
//!
//! Disjunctive faceting: within a group, selected values are ORed; across groups, ANDed. The
//! counts of a group are computed with every other group's filters but not its own, so a user
//! who picked one region still sees what another region would add. Groups with no selection
//! share the main search's pass; each group with a selection costs one more counting pass.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, MultiCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, TantivyDocument};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocAddress, DocId, Score, SegmentReader, Term};

use super::query::{self, Combine, QueryBuilder};
use super::schema::{stored_text, HitMeta};
use super::{IndexError, SearchIndex};
use crate::taxonomy::{Lang, Taxonomy};

/// A facet group: a dimension that results can be filtered and counted by.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FacetGroup {
    Type,
    Region,
    Country,
    Theme,
    MechanismType,
    Instrument,
    Language,
    Decade,
    Shareable,
}

impl FacetGroup {
    pub const ALL: [FacetGroup; 9] = [
        FacetGroup::Type,
        FacetGroup::Region,
        FacetGroup::Country,
        FacetGroup::Theme,
        FacetGroup::MechanismType,
        FacetGroup::Instrument,
        FacetGroup::Language,
        FacetGroup::Decade,
        FacetGroup::Shareable,
    ];

    /// The name used in URLs, JSON and field names.
    pub fn key(self) -> &'static str {
        match self {
            FacetGroup::Type => "type",
            FacetGroup::Region => "region",
            FacetGroup::Country => "country",
            FacetGroup::Theme => "theme",
            FacetGroup::MechanismType => "mechanism_type",
            FacetGroup::Instrument => "instrument",
            FacetGroup::Language => "language",
            FacetGroup::Decade => "decade",
            FacetGroup::Shareable => "shareable",
        }
    }

    pub fn from_key(key: &str) -> Option<FacetGroup> {
        FacetGroup::ALL.into_iter().find(|g| g.key() == key)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let [en, fr, es] = match self {
            FacetGroup::Type => ["Type", "Type", "Tipo"],
            FacetGroup::Region => ["Region", "Région", "Región"],
            FacetGroup::Country => ["Country", "Pays", "País"],
            FacetGroup::Theme => ["Theme", "Thème", "Tema"],
            FacetGroup::MechanismType => {
                ["Mechanism type", "Type de mécanisme", "Tipo de mecanismo"]
            }
            FacetGroup::Instrument => ["Instrument", "Instrument", "Instrumento"],
            FacetGroup::Language => ["Language", "Langue", "Idioma"],
            FacetGroup::Decade => ["Decade", "Décennie", "Década"],
            FacetGroup::Shareable => ["Shareable law", "Loi partageable", "Ley compartible"],
        };
        match lang {
            Lang::En => en,
            Lang::Fr => fr,
            Lang::Es => es,
        }
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    Relevance,
    /// Newest year first.
    Newest,
    Oldest,
}

impl std::str::FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "relevance" => Ok(Sort::Relevance),
            "newest" | "year" => Ok(Sort::Newest),
            "oldest" => Ok(Sort::Oldest),
            other => Err(format!(
                "unknown sort \"{other}\"; allowed: relevance, newest (or year), oldest"
            )),
        }
    }
}

pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;
/// Deep pages cost as much as all the pages before them; nobody reads past this.
pub const MAX_PAGE: usize = 500;

/// What to search for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchRequest {
    /// The text query; empty lists everything.
    #[serde(default)]
    pub q: String,
    /// Selected values per facet group (ORed within a group, ANDed across groups).
    #[serde(default)]
    pub filters: BTreeMap<FacetGroup, Vec<String>>,
    #[serde(default)]
    pub year_from: Option<i32>,
    #[serde(default)]
    pub year_to: Option<i32>,
    /// Defaults to relevance for a text query, newest first otherwise.
    #[serde(default)]
    pub sort: Option<Sort>,
    /// 1-based.
    #[serde(default = "one")]
    pub page: usize,
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// Which groups to count; `None` counts all.
    #[serde(default)]
    pub facets: Option<Vec<FacetGroup>>,
    /// The language of labels.
    #[serde(default)]
    pub lang: Lang,
}

fn one() -> usize {
    1
}
fn default_page_size() -> usize {
    DEFAULT_PAGE_SIZE
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            filters: BTreeMap::new(),
            year_from: None,
            year_to: None,
            sort: None,
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            facets: None,
            lang: Lang::En,
        }
    }
}

impl SearchRequest {
    pub fn text(q: &str) -> Self {
        SearchRequest {
            q: q.to_string(),
            ..Default::default()
        }
    }

    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    pub fn filter(mut self, group: FacetGroup, value: &str) -> Self {
        self.filters
            .entry(group)
            .or_default()
            .push(value.to_string());
        self
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: String,
    pub title: String,
    /// The title, HTML-escaped, with matches in `<mark>`.
    pub title_html: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub type_label: String,
    /// ISO 3166-1 alpha-3 codes.
    pub countries: Vec<String>,
    pub country_names: Vec<String>,
    pub year: i32,
    pub language: String,
    /// A passage of the body (or summary), HTML-escaped, with matches in `<mark>`.
    pub snippet_html: String,
    pub score: f32,
}

/// A facet value and how many results it has (or would add, within its own group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
    /// Sub-regions, for the region group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<FacetValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FacetCounts {
    pub group: FacetGroup,
    pub label: String,
    pub values: Vec<FacetValue>,
}

/// The results of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub page: usize,
    pub page_size: usize,
    pub sort: Sort,
    pub hits: Vec<Hit>,
    pub facets: Vec<FacetCounts>,
    /// What was read leniently or relaxed, in plain words.
    pub notices: Vec<String>,
    /// True when no document had every word and the results have some of them.
    pub relaxed: bool,
    pub took_ms: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A filter value that does not exist.
    #[error("{parameter}: {message}")]
    InvalidFilter { parameter: String, message: String },
    /// Any other parameter out of range.
    #[error("{parameter}: {message}")]
    InvalidParameter { parameter: String, message: String },
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(error: tantivy::TantivyError) -> Self {
        SearchError::Index(IndexError::Tantivy(error))
    }
}

/// A related document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Related {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub year: i32,
    pub score: f32,
}

type SortKey = (f32, f32, u64);

impl SearchIndex {
    /// Checks filter values against the taxonomy and normalises them (country codes to
    /// alpha-3, `true`/`false` to `yes`/`no`); every unknown value is a [`SearchError`].
    pub fn validate_request(
        &self,
        request: &SearchRequest,
        taxonomy: &Taxonomy,
    ) -> Result<SearchRequest, SearchError> {
        let mut normalised = request.clone();
        if request.page == 0 || request.page > MAX_PAGE {
            return Err(SearchError::InvalidParameter {
                parameter: "page".into(),
                message: format!("must be between 1 and {MAX_PAGE}"),
            });
        }
        if request.page_size == 0 || request.page_size > MAX_PAGE_SIZE {
            return Err(SearchError::InvalidParameter {
                parameter: "page_size".into(),
                message: format!("must be between 1 and {MAX_PAGE_SIZE}"),
            });
        }
        if let (Some(from), Some(to)) = (request.year_from, request.year_to) {
            if from > to {
                return Err(SearchError::InvalidParameter {
                    parameter: "year_from".into(),
                    message: format!("{from} is after year_to {to}"),
                });
            }
        }
        let geography = &taxonomy.geography;
        for (group, values) in normalised.filters.iter_mut() {
            let mut clean = Vec::new();
            for value in values.iter() {
                let value = value.trim();
                if value.is_empty() {
                    continue;
                }
                let vocabulary = match group {
                    FacetGroup::Type => Some(&taxonomy.types),
                    FacetGroup::Theme => Some(&taxonomy.themes),
                    FacetGroup::MechanismType => Some(&taxonomy.mechanism_types),
                    FacetGroup::Instrument => Some(&taxonomy.instruments),
                    FacetGroup::Language => Some(&taxonomy.languages),
                    _ => None,
                };
                let invalid = |hint: String| SearchError::InvalidFilter {
                    parameter: group.key().to_string(),
                    message: format!("unknown value \"{value}\"{hint}"),
                };
                let slug = match group {
                    FacetGroup::Region => match geography.region(value) {
                        Some(region) => region.slug.clone(),
                        None => {
                            let hint = crate::taxonomy::closest(
                                value,
                                geography.regions().iter().map(|r| r.slug.as_str()),
                            )
                            .map(|s| format!("; did you mean \"{s}\"?"))
                            .unwrap_or_else(|| {
                                "; use a UN M49 region slug such as eastern-africa".into()
                            });
                            return Err(invalid(hint));
                        }
                    },
                    FacetGroup::Country => match geography.country(value) {
                        Some(country) => country.iso3.clone(),
                        None => {
                            return Err(invalid(
                                "; use an ISO 3166-1 alpha-2 or alpha-3 code".into(),
                            ))
                        }
                    },
                    FacetGroup::Decade => match value.trim_end_matches('s').parse::<i32>() {
                        Ok(decade) if decade % 10 == 0 && (1800..=2100).contains(&decade) => {
                            decade.to_string()
                        }
                        _ => return Err(invalid("; use a decade such as 1990".into())),
                    },
                    FacetGroup::Shareable => match value {
                        "yes" | "true" => "yes".to_string(),
                        "no" | "false" => "no".to_string(),
                        _ => return Err(invalid("; allowed: yes, no".into())),
                    },
                    _ => {
                        let vocabulary = vocabulary.expect("vocabulary groups");
                        if !vocabulary.contains(value) {
                            let hint = vocabulary
                                .suggest(value)
                                .map(|s| format!("; did you mean \"{s}\"?"))
                                .unwrap_or_else(|| {
                                    format!(
                                        "; allowed: {}",
                                        vocabulary.slugs().collect::<Vec<_>>().join(", ")
                                    )
                                });
                            return Err(invalid(hint));
                        }
                        value.to_string()
                    }
                };
                if !clean.contains(&slug) {
                    clean.push(slug);
                }
            }
            *values = clean;
        }
        normalised.filters.retain(|_, values| !values.is_empty());
        Ok(normalised)
    }

    fn facet_path(&self, group: FacetGroup, value: &str, taxonomy: &Taxonomy) -> Facet {
        if group == FacetGroup::Region {
            Facet::from_path(taxonomy.geography.region_path(value))
        } else {
            Facet::from_path([value])
        }
    }

    fn group_filter(
        &self,
        group: FacetGroup,
        values: &[String],
        taxonomy: &Taxonomy,
    ) -> Box<dyn Query> {
        let field = self.fields.facet(group);
        let alternatives: Vec<(Occur, Box<dyn Query>)> = values
            .iter()
            .map(|value| {
                let term = Term::from_facet(field, &self.facet_path(group, value, taxonomy));
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(alternatives)),
            0.0,
        ))
    }

    /// Runs a search. Filter values must be valid (see [`validate_request`](Self::validate_request)).
    pub fn search(
        &self,
        request: &SearchRequest,
        taxonomy: &Taxonomy,
    ) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let request = self.validate_request(request, taxonomy)?;
        let searcher = self.searcher();
        let parsed = query::parse(&request.q);
        let synonyms = taxonomy.synonym_groups();
        let mut builder = QueryBuilder::new(&self.fields, &synonyms);
        let mut notices = parsed.notices.clone();
        let has_text = !parsed.is_empty();
        let sort = request.sort.unwrap_or(if has_text {
            Sort::Relevance
        } else {
            Sort::Newest
        });

        let filters: Vec<(FacetGroup, Box<dyn Query>)> = request
            .filters
            .iter()
            .map(|(group, values)| (*group, self.group_filter(*group, values, taxonomy)))
            .collect();
        let year_range: Option<Box<dyn Query>> =
            (request.year_from.is_some() || request.year_to.is_some()).then(|| {
                let bound = |year: Option<i32>| {
                    year.map_or(Bound::Unbounded, |y| {
                        Bound::Included(Term::from_field_i64(self.fields.year, i64::from(y)))
                    })
                };
                Box::new(ConstScoreQuery::new(
                    Box::new(RangeQuery::new(
                        bound(request.year_from),
                        bound(request.year_to),
                    )),
                    0.0,
                )) as Box<dyn Query>
            });
        let exclusions = builder.exclusions(&parsed);
        let compose = |text: Option<&dyn Query>, skip: Option<FacetGroup>| -> Box<dyn Query> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Must,
                text.map_or_else(|| Box::new(AllQuery) as Box<dyn Query>, |t| t.box_clone()),
            )];
            for exclusion in &exclusions {
                clauses.push((Occur::MustNot, exclusion.box_clone()));
            }
            for (group, filter) in &filters {
                if Some(*group) != skip {
                    clauses.push((Occur::Must, filter.box_clone()));
                }
            }
            if let Some(range) = &year_range {
                clauses.push((Occur::Must, range.box_clone()));
            }
            Box::new(BooleanQuery::new(clauses))
        };

        let counted: Vec<FacetGroup> = request
            .facets
            .clone()
            .unwrap_or_else(|| FacetGroup::ALL.to_vec());
        let selected_groups: HashSet<FacetGroup> = request.filters.keys().copied().collect();
        let offset = (request.page - 1) * request.page_size;

        let mut text_query = if has_text {
            builder.build(&parsed, Combine::All)
        } else {
            None
        };
        let mut relaxed = false;
        let (main_query, top, total, mut counts) = loop {
            let main_query = compose(text_query.as_deref(), None);
            let mut collectors = MultiCollector::new();
            let top_handle = collectors.add_collector(
                TopDocs::with_limit(request.page_size)
                    .and_offset(offset)
                    .tweak_score(sort_key(sort)),
            );
            let count_handle = collectors.add_collector(Count);
            let mut facet_handles = Vec::new();
            for &group in counted.iter().filter(|g| !selected_groups.contains(g)) {
                for collector in self.facet_collectors(group, taxonomy) {
                    facet_handles.push((group, collectors.add_collector(collector)));
                }
            }
            let mut fruits = searcher.search(main_query.as_ref(), &collectors)?;
            let top = top_handle.extract(&mut fruits);
            let total = count_handle.extract(&mut fruits);
            let mut counts: HashMap<FacetGroup, Vec<tantivy::collector::FacetCounts>> =
                HashMap::new();
            for (group, handle) in facet_handles {
                counts
                    .entry(group)
                    .or_default()
                    .push(handle.extract(&mut fruits));
            }
            let required_clauses = parsed.clauses.iter().filter(|c| !c.negated).count();
            if total == 0 && !relaxed && has_text && required_clauses > 1 {
                relaxed = true;
                text_query = builder.build(&parsed, Combine::Any);
                notices.push("no document contains all the words; showing documents that contain some of them".to_string());
                continue;
            }
            break (main_query, top, total, counts);
        };
        for &group in counted.iter().filter(|g| selected_groups.contains(g)) {
            let query = compose(text_query.as_deref(), Some(group));
            let mut collectors = MultiCollector::new();
            let handles: Vec<_> = self
                .facet_collectors(group, taxonomy)
                .into_iter()
                .map(|c| collectors.add_collector(c))
                .collect();
            let mut fruits = searcher.search(query.as_ref(), &collectors)?;
            counts.insert(
                group,
                handles
                    .into_iter()
                    .map(|h| h.extract(&mut fruits))
                    .collect(),
            );
        }

        // What a reader sees as the score: BM25 (with boosts) for a text query, else nothing.
        let scored: Vec<(f32, DocAddress)> = top
            .iter()
            .map(|(key, address)| {
                let score = match (has_text, sort) {
                    (false, _) => 0.0,
                    (true, Sort::Relevance) => key.0,
                    (true, _) => key.1,
                };
                (score, *address)
            })
            .collect();
        let hits = self.hits(
            &searcher,
            &scored,
            main_query.as_ref(),
            has_text,
            taxonomy,
            request.lang,
        )?;
        let facets = counted
            .iter()
            .filter_map(|group| {
                counts
                    .get(group)
                    .map(|c| self.facet_counts(*group, c, &request, taxonomy))
            })
            .collect();
        Ok(SearchResponse {
            query: request.q.clone(),
            total,
            page: request.page,
            page_size: request.page_size,
            sort,
            hits,
            facets,
            notices,
            relaxed,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
        })
    }

    /// Every id matching a request, in its order (for exports). Ignores paging.
    pub fn search_all_ids(
        &self,
        request: &SearchRequest,
        taxonomy: &Taxonomy,
    ) -> Result<Vec<String>, SearchError> {
        let mut request = self.validate_request(request, taxonomy)?;
        request.facets = Some(Vec::new());
        let total = self
            .search(
                &SearchRequest {
                    page_size: 1,
                    ..request.clone()
                },
                taxonomy,
            )?
            .total;
        let mut ids = Vec::with_capacity(total);
        let mut page = 1;
        while ids.len() < total {
            let response = self.search(
                &SearchRequest {
                    page,
                    page_size: MAX_PAGE_SIZE,
                    ..request.clone()
                },
                taxonomy,
            );
            let response = match response {
                Ok(r) => r,
                // Past MAX_PAGE: stop rather than fail an export.
                Err(SearchError::InvalidParameter { .. }) => break,
                Err(e) => return Err(e),
            };
            if response.hits.is_empty() {
                break;
            }
            ids.extend(response.hits.into_iter().map(|h| h.id));
            page += 1;
        }
        Ok(ids)
    }

    /// A facet collector counts the direct children of the facets it is given, which must not
    /// nest: a hierarchy takes one collector per level.
    fn facet_collectors(&self, group: FacetGroup, taxonomy: &Taxonomy) -> Vec<FacetCollector> {
        let field = format!("facet_{}", group.key());
        let mut root = FacetCollector::for_field(&field);
        root.add_facet(Facet::root());
        let mut collectors = vec![root];
        if group == FacetGroup::Region {
            let geography = &taxonomy.geography;
            let mut by_depth: Vec<FacetCollector> = Vec::new();
            for region in geography.regions() {
                if geography
                    .region_children(Some(&region.slug))
                    .next()
                    .is_none()
                {
                    continue;
                }
                let path = geography.region_path(&region.slug);
                while by_depth.len() < path.len() {
                    by_depth.push(FacetCollector::for_field(&field));
                }
                by_depth[path.len() - 1].add_facet(Facet::from_path(path));
            }
            collectors.extend(by_depth);
        }
        collectors
    }

    fn facet_counts(
        &self,
        group: FacetGroup,
        counts: &[tantivy::collector::FacetCounts],
        request: &SearchRequest,
        taxonomy: &Taxonomy,
    ) -> FacetCounts {
        let lang = request.lang;
        let selected: &[String] = request.filters.get(&group).map_or(&[], Vec::as_slice);
        let values = if group == FacetGroup::Region {
            let mut by_slug: HashMap<String, u64> = HashMap::new();
            for region in taxonomy.geography.regions() {
                let path = Facet::from_path(taxonomy.geography.region_path(&region.slug));
                let parent = path.to_path();
                let parent_facet = if parent.len() > 1 {
                    Facet::from_path(parent[..parent.len() - 1].iter().copied())
                } else {
                    Facet::root()
                };
                let count = counts
                    .iter()
                    .find_map(|c| c.get(parent_facet.clone()).find(|(f, _)| **f == path));
                if let Some((_, count)) = count {
                    by_slug.insert(region.slug.clone(), count);
                }
            }
            region_tree(None, &by_slug, selected, taxonomy, lang)
        } else {
            let mut values: Vec<FacetValue> = counts[0]
                .get(Facet::root())
                .filter_map(|(facet, count)| {
                    let value = facet.to_path().last()?.to_string();
                    Some(FacetValue {
                        label: value_label(group, &value, taxonomy, lang),
                        selected: selected.contains(&value),
                        value,
                        count,
                        children: Vec::new(),
                    })
                })
                .collect();
            for value in selected {
                if !values.iter().any(|v| &v.value == value) {
                    values.push(FacetValue {
                        value: value.clone(),
                        label: value_label(group, value, taxonomy, lang),
                        count: 0,
                        selected: true,
                        children: Vec::new(),
                    });
                }
            }
            if group == FacetGroup::Decade {
                values.sort_by(|a, b| b.value.cmp(&a.value));
            } else {
                values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            }
            values
        };
        FacetCounts {
            group,
            label: group.label(lang).to_string(),
            values,
        }
    }

    fn hits(
        &self,
        searcher: &tantivy::Searcher,
        top: &[(f32, DocAddress)],
        query: &dyn Query,
        has_text: bool,
        taxonomy: &Taxonomy,
        lang: Lang,
    ) -> Result<Vec<Hit>, SearchError> {
        // One generator per field and search: creating one looks up the query terms' frequencies.
        let mut generators: HashMap<tantivy::schema::Field, SnippetGenerator> = HashMap::new();
        let mut snippet = |field, max_chars: usize, text: &str| -> Result<Snippet, SearchError> {
            let generator = match generators.entry(field) {
                std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::hash_map::Entry::Vacant(entry) => {
                    let mut generator = SnippetGenerator::create(searcher, query, field)?;
                    generator.set_max_num_chars(max_chars);
                    entry.insert(generator)
                }
            };
            Ok(generator.snippet(text))
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let id = stored_text(&doc, self.fields.id).unwrap_or_default();
            let meta: HitMeta = stored_text(&doc, self.fields.hit_meta)
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or(HitMeta {
                    doc_type: String::new(),
                    countries: Vec::new(),
                    language: "en".into(),
                    year: 0,
                    themes: Vec::new(),
                    mechanism_types: Vec::new(),
                });
            let doc_lang: Lang = meta.language.parse().unwrap_or_default();
            let title = stored_text(&doc, self.fields.title(doc_lang)).unwrap_or_default();
            let summary = stored_text(&doc, self.fields.summary(doc_lang)).unwrap_or_default();
            let (title_html, snippet_html) = if has_text {
                let title_snippet = snippet(self.fields.title(doc_lang), 1000, &title)?;
                let title_html = highlight_whole(&title, &title_snippet);
                let body = stored_text(&doc, self.fields.body(doc_lang)).unwrap_or_default();
                let body_snippet = snippet(self.fields.body(doc_lang), 240, &body)?;
                let snippet = if !body_snippet.highlighted().is_empty() {
                    snippet_html(&body_snippet, body.len())
                } else {
                    let summary_snippet = snippet(self.fields.summary(doc_lang), 240, &summary)?;
                    if summary_snippet.highlighted().is_empty() {
                        html_escape(&truncate(&summary, 240))
                    } else {
                        snippet_html(&summary_snippet, summary.len())
                    }
                };
                (title_html, snippet)
            } else {
                (html_escape(&title), html_escape(&truncate(&summary, 240)))
            };
            hits.push(Hit {
                id,
                title,
                title_html,
                type_label: taxonomy.types.label(&meta.doc_type, lang).to_string(),
                doc_type: meta.doc_type,
                country_names: meta
                    .countries
                    .iter()
                    .map(|c| taxonomy.geography.country_name(c, lang).to_string())
                    .collect(),
                countries: meta.countries,
                year: meta.year,
                language: meta.language,
                snippet_html,
                score: *score,
            });
        }
        Ok(hits)
    }

    /// The documents most similar to `id`: shared wording (more-like-this over the text),
    /// boosted by shared themes and mechanism types. Empty when `id` is not indexed.
    pub fn related(&self, id: &str, limit: usize) -> Result<Vec<Related>, SearchError> {
        let searcher = self.searcher();
        let id_term = Term::from_field_text(self.fields.id, id);
        let found = searcher.search(
            &TermQuery::new(id_term.clone(), IndexRecordOption::Basic),
            &TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some((_, address)) = found.first() else {
            return Ok(Vec::new());
        };
        let doc: TantivyDocument = searcher.doc(*address)?;
        let meta: Option<HitMeta> =
            stored_text(&doc, self.fields.hit_meta).and_then(|j| serde_json::from_str(&j).ok());
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Should,
            Box::new(
                MoreLikeThisQuery::builder()
                    .with_min_doc_frequency(1)
                    .with_min_term_frequency(2)
                    .with_max_query_terms(40)
                    .with_min_word_length(4)
                    .with_document(*address),
            ),
        )];
        if let Some(meta) = &meta {
            let shared = [
                (FacetGroup::Theme, &meta.themes),
                (FacetGroup::MechanismType, &meta.mechanism_types),
            ];
            for (group, values) in shared {
                let field = self.fields.facet(group);
                for value in values {
                    let term = Term::from_facet(field, &Facet::from_path([value.as_str()]));
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                            2.0,
                        )),
                    ));
                }
            }
        }
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(id_term, IndexRecordOption::Basic)),
        ));
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit).tweak_score(sort_key(Sort::Relevance)),
        )?;
        let mut related = Vec::new();
        for ((score, _, _), address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let meta: Option<HitMeta> =
                stored_text(&doc, self.fields.hit_meta).and_then(|j| serde_json::from_str(&j).ok());
            let Some(meta) = meta else { continue };
            let lang: Lang = meta.language.parse().unwrap_or_default();
            related.push(Related {
                id: stored_text(&doc, self.fields.id).unwrap_or_default(),
                title: stored_text(&doc, self.fields.title(lang)).unwrap_or_default(),
                doc_type: meta.doc_type,
                year: meta.year,
                score,
            });
        }
        Ok(related)
    }
}

/// Sort keys compare descending: (primary, secondary, id hash). The id hash makes the order of
/// equal results the same on every run and after every rebuild.
fn sort_key(
    sort: Sort,
) -> impl Fn(&SegmentReader) -> Box<dyn Fn(DocId, Score) -> SortKey> + Send + Sync + 'static {
    move |segment: &SegmentReader| {
        let ids = segment
            .fast_fields()
            .u64("id_key")
            .expect("id_key is a fast field")
            .first_or_default_col(0);
        let years = segment
            .fast_fields()
            .i64("year")
            .expect("year is a fast field")
            .first_or_default_col(0);
        match sort {
            Sort::Relevance => {
                Box::new(move |doc, score| (score, years.get_val(doc) as f32, ids.get_val(doc)))
            }
            Sort::Newest => {
                Box::new(move |doc, score| (years.get_val(doc) as f32, score, ids.get_val(doc)))
            }
            Sort::Oldest => {
                Box::new(move |doc, score| (-(years.get_val(doc) as f32), score, ids.get_val(doc)))
            }
        }
    }
}

fn region_tree(
    parent: Option<&str>,
    counts: &HashMap<String, u64>,
    selected: &[String],
    taxonomy: &Taxonomy,
    lang: Lang,
) -> Vec<FacetValue> {
    let geography = &taxonomy.geography;
    geography
        .region_children(parent)
        .filter_map(|region| {
            let count = counts.get(&region.slug).copied().unwrap_or(0);
            let children = region_tree(Some(&region.slug), counts, selected, taxonomy, lang);
            let is_selected = selected.contains(&region.slug);
            (count > 0 || is_selected || children.iter().any(|c| c.selected)).then(|| FacetValue {
                value: region.slug.clone(),
                label: region.labels.get(lang).to_string(),
                count,
                selected: is_selected,
                children,
            })
        })
        .collect()
}

/// The label of a facet value in `lang` (the value itself when the taxonomy does not know it).
pub fn value_label(group: FacetGroup, value: &str, taxonomy: &Taxonomy, lang: Lang) -> String {
    match group {
        FacetGroup::Type => taxonomy.types.label(value, lang).to_string(),
        FacetGroup::Theme => taxonomy.themes.label(value, lang).to_string(),
        FacetGroup::MechanismType => taxonomy.mechanism_types.label(value, lang).to_string(),
        FacetGroup::Instrument => taxonomy.instruments.label(value, lang).to_string(),
        FacetGroup::Language => taxonomy.languages.label(value, lang).to_string(),
        FacetGroup::Region => taxonomy.geography.region_label(value, lang).to_string(),
        FacetGroup::Country => taxonomy.geography.country_name(value, lang).to_string(),
        FacetGroup::Decade => match lang {
            Lang::En => format!("{value}s"),
            Lang::Fr => format!("Années {value}"),
            Lang::Es => format!("Década de {value}"),
        },
        FacetGroup::Shareable => {
            let yes = value == "yes";
            match (lang, yes) {
                (Lang::En, true) => "Shareable",
                (Lang::En, false) => "Not shareable",
                (Lang::Fr, true) => "Partageable",
                (Lang::Fr, false) => "Non partageable",
                (Lang::Es, true) => "Compartible",
                (Lang::Es, false) => "No compartible",
            }
            .to_string()
        }
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole of a short text (a title), escaped, with the snippet's matches in `<mark>`.
fn highlight_whole(text: &str, snippet: &Snippet) -> String {
    let offset = snippet.fragment_range().start;
    let mut html = String::new();
    let mut last = 0;
    for highlight in snippet.highlighted() {
        let (start, end) = (highlight.start + offset, highlight.end + offset);
        if start < last || end > text.len() {
            continue;
        }
        html.push_str(&html_escape(&text[last..start]));
        html.push_str("<mark>");
        html.push_str(&html_escape(&text[start..end]));
        html.push_str("</mark>");
        last = end;
    }
    html.push_str(&html_escape(&text[last..]));
    html
}

/// Snippet markup built from the highlighted ranges: escaped text, matches in `<mark>`, an
/// ellipsis where the passage is cut from a longer text.
fn snippet_html(snippet: &Snippet, text_len: usize) -> String {
    let fragment = snippet.fragment();
    let range = snippet.fragment_range();
    let mut html = String::new();
    if range.start > 0 {
        html.push('…');
    }
    let mut last = 0;
    for highlight in snippet.highlighted() {
        html.push_str(&html_escape(&collapse_whitespace(
            &fragment[last..highlight.start],
        )));
        html.push_str("<mark>");
        html.push_str(&html_escape(&fragment[highlight.clone()]));
        html.push_str("</mark>");
        last = highlight.end;
    }
    html.push_str(&html_escape(&collapse_whitespace(&fragment[last..])));
    if range.end < text_len {
        html.push('…');
    }
    html
}

/// Runs of whitespace (paragraph breaks in the plain text) become one space: a snippet is a line.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}
