//! Searching: a [`SearchRequest`] in, a [`SearchResponse`] out, with disjunctive facet counts,
//! highlighted snippets, deterministic ranking and related documents.
//!
//! Disjunctive faceting: within a group, selected values are ORed; across groups, ANDed. The
//! counts of a group are computed with every other group's filters but not its own, so a user
//! who picked one region still sees what another region would add. Groups with no selection
//! share the main search's pass; each group with a selection costs one more counting pass.

use std::collections::HashMap;
use std::ops::Bound;
use std::time::Instant;

use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring,
    MoreLikeThisQuery, Occur, Query, RangeQuery, Scorer, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, TantivyDocument};
use tantivy::{DocAddress, DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term};

use super::facets::{compare_keys, Collected, FacetedCollector, Selection, SortKey};
use super::query::{self, Combine, QueryBuilder, TextQuery, BAND};
use super::schema::{stored_text, HitMeta};
pub(crate) use super::snippet::html_escape;
use super::snippet::{truncate, Snippets};
use super::statistics::CrossLanguageStatistics;
use super::vocabulary::QueryVocabulary;
// The request/response types moved to `request`; re-exported so `index::search::X` keeps working.
pub use super::request::{
    Expansion, FacetCounts, FacetGroup, FacetValue, Hit, Related, SearchError, SearchRequest,
    SearchResponse, Sort, SuggestedFilter, DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE,
};
use super::SearchIndex;
use crate::catalogue::{Message, Notice};
use crate::taxonomy::{Lang, Taxonomy};

/// What [`SearchIndex::rank`] found, before any document is read.
struct Ranked {
    collected: Collected,
    sort: Sort,
    has_text: bool,
    /// Scores carry bands of matched words (see [`Combine::Bands`]).
    banded: bool,
    text_query: Option<TextQuery>,
    notices: Vec<Message>,
    relaxed: bool,
    query_language: Option<Lang>,
}

/// What documents in the query's language add to their score: enough to rank a French
/// document above English ones about as relevant to a French query, not to lift a weak match
/// over a good one.
const LANGUAGE_BONUS: f32 = 1.0;
/// The fewest hits one thread reads and highlights (see `SearchIndex::hits`): a smaller run
/// spends more on handing it over than it saves.
const MIN_HITS_PER_THREAD: usize = 4;

/// The language a query is written in. Two signals vote: whatlang's guess among English,
/// French and Spanish (weighted by its confidence, which is low on short queries), and each
/// phrase of the query that the vocabulary knows in one language only ("discours de haine";
/// not "genocide", which folds to the French word too). Without a clear winner, the interface
/// language: a short query such as "Srebrenica" could be in any of them.
pub(crate) fn query_language(q: &str, interface: Lang, phrase_languages: &[Lang]) -> Lang {
    let detector = whatlang::Detector::with_allowlist(vec![
        whatlang::Lang::Eng,
        whatlang::Lang::Fra,
        whatlang::Lang::Spa,
    ]);
    let mut votes = [0.0f64; 3];
    let index = |lang: Lang| {
        Lang::ALL
            .iter()
            .position(|&l| l == lang)
            .expect("a language")
    };
    if let Some(info) = detector.detect(q) {
        let lang = match info.lang() {
            whatlang::Lang::Fra => Lang::Fr,
            whatlang::Lang::Spa => Lang::Es,
            _ => Lang::En,
        };
        votes[index(lang)] += info.confidence();
    }
    for &lang in phrase_languages {
        votes[index(lang)] += PHRASE_VOTE;
    }
    // Letters English does not use, and those only one of French and Spanish uses.
    if q.chars().any(|c| "àâçèêëîïôûùœ".contains(c)) {
        votes[index(Lang::Fr)] += LETTER_VOTE;
    }
    if q.chars().any(|c| "ñáíóú¿¡".contains(c)) {
        votes[index(Lang::Es)] += LETTER_VOTE;
    }
    if q.contains('é') {
        votes[index(Lang::Fr)] += LETTER_VOTE / 2.0;
        votes[index(Lang::Es)] += LETTER_VOTE / 2.0;
    }
    let (best, score) = votes
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .expect("three languages");
    let runner_up = votes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .map(|(_, v)| *v)
        .fold(0.0, f64::max);
    if *score >= QUERY_LANGUAGE_VOTES && *score > runner_up {
        Lang::ALL[best]
    } else {
        interface
    }
}

const QUERY_LANGUAGE_VOTES: f64 = 0.5;
const PHRASE_VOTE: f64 = 0.5;
const LETTER_VOTE: f64 = 0.5;

impl SearchIndex {
    /// Checks filter values against the taxonomy and normalises them (country codes to
    /// alpha-3, `true`/`false` to `yes`/`no`); every unknown value is a [`SearchError`].
    pub(crate) fn validate_request(
        &self,
        request: &SearchRequest,
        taxonomy: &Taxonomy,
    ) -> Result<SearchRequest, SearchError> {
        let mut normalised = request.clone();
        if request.page == 0 || request.page > MAX_PAGE {
            return Err(SearchError::InvalidParameter {
                parameter: "page".into(),
                message: Message::new("param_between")
                    .arg("min", 1)
                    .arg("max", MAX_PAGE),
            });
        }
        if request.page_size == 0 || request.page_size > MAX_PAGE_SIZE {
            return Err(SearchError::InvalidParameter {
                parameter: "page_size".into(),
                message: Message::new("param_between")
                    .arg("min", 1)
                    .arg("max", MAX_PAGE_SIZE),
            });
        }
        if let (Some(from), Some(to)) = (request.year_from, request.year_to) {
            if from > to {
                return Err(SearchError::InvalidParameter {
                    parameter: "year_from".into(),
                    message: Message::new("param_year_after")
                        .arg("from", from)
                        .arg("to", to),
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
                    FacetGroup::Stage => Some(&taxonomy.stages),
                    FacetGroup::MechanismType => Some(&taxonomy.mechanism_types),
                    FacetGroup::Instrument => Some(&taxonomy.instruments),
                    FacetGroup::Language => Some(&taxonomy.languages),
                    _ => None,
                };
                let invalid = |message: Message| SearchError::InvalidFilter {
                    parameter: group.key().to_string(),
                    message: message.arg("value", value),
                };
                let did_you_mean =
                    |s: &str| Message::new("filter_unknown_did_you_mean").arg("suggestion", s);
                let slug = match group {
                    FacetGroup::Region => match geography.region(value) {
                        Some(region) => region.slug.clone(),
                        None => {
                            let hint = crate::taxonomy::closest(
                                value,
                                geography.regions().iter().map(|r| r.slug.as_str()),
                            )
                            .map(did_you_mean)
                            .unwrap_or_else(|| Message::new("filter_unknown_region"));
                            return Err(invalid(hint));
                        }
                    },
                    FacetGroup::Country => match geography.country(value) {
                        Some(country) => country.iso3.clone(),
                        None => return Err(invalid(Message::new("filter_unknown_country"))),
                    },
                    FacetGroup::Decade => match value.trim_end_matches('s').parse::<i32>() {
                        Ok(decade) if decade % 10 == 0 && (1800..=2100).contains(&decade) => {
                            decade.to_string()
                        }
                        _ => return Err(invalid(Message::new("filter_unknown_decade"))),
                    },
                    FacetGroup::Shareable => match value {
                        "yes" | "true" => "yes".to_string(),
                        "no" | "false" => "no".to_string(),
                        _ => {
                            return Err(invalid(
                                Message::new("filter_unknown_allowed").arg("allowed", "yes, no"),
                            ))
                        }
                    },
                    _ => {
                        let vocabulary = vocabulary.expect("vocabulary groups");
                        if !vocabulary.contains(value) {
                            let hint =
                                vocabulary
                                    .suggest(value)
                                    .map(did_you_mean)
                                    .unwrap_or_else(|| {
                                        Message::new("filter_unknown_allowed").arg(
                                            "allowed",
                                            vocabulary.slugs().collect::<Vec<_>>().join(", "),
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

    /// Runs a search. Filter values must be valid (see [`validate_request`](Self::validate_request)).
    ///
    /// The text query runs once: filtering, ranking and disjunctive counting happen together
    /// in a [`FacetedCollector`] (see [`super::facets`]).
    pub(crate) fn search(
        &self,
        request: &SearchRequest,
        taxonomy: &Taxonomy,
    ) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let request = self.validate_request(request, taxonomy)?;
        let searcher = self.searcher();
        let counted: Vec<FacetGroup> = request
            .facets
            .clone()
            .unwrap_or_else(|| FacetGroup::ALL.to_vec());
        let offset = (request.page - 1) * request.page_size;
        let Ranked {
            collected,
            sort,
            has_text,
            banded,
            text_query,
            notices,
            relaxed,
            query_language,
        } = self.rank(
            &searcher,
            &request,
            taxonomy,
            offset + request.page_size,
            &counted,
        )?;

        // What a reader sees as the score: BM25 (with boosts) within the band of matched
        // words for a text query, else nothing.
        let scored: Vec<(f32, usize, DocAddress)> = collected
            .top
            .iter()
            .skip(offset)
            .map(|(key, address)| {
                let (score, matched) = match (has_text, sort) {
                    (false, _) => (0.0, 0),
                    (true, Sort::Relevance) if banded => {
                        let matched = (key.0 / BAND).floor().max(0.0);
                        (key.0 - matched * BAND, matched as usize)
                    }
                    (true, Sort::Relevance) => (key.0, 0),
                    (true, _) => (key.1, 0),
                };
                (score, matched, *address)
            })
            .collect();
        let top: Vec<(f32, DocAddress)> = scored.iter().map(|(s, _, a)| (*s, *a)).collect();
        let mut hits = self.hits(&searcher, &top, text_query.as_ref(), taxonomy, request.lang)?;
        for (hit, (_, matched, _)) in hits.iter_mut().zip(&scored) {
            hit.matched_words = *matched;
        }
        let facets = counted
            .iter()
            .filter_map(|group| {
                collected
                    .counts
                    .get(group)
                    .map(|c| self.facet_counts(*group, c, &request, taxonomy))
            })
            .collect();
        let (suggested_filters, expansions) = match &text_query {
            Some(text) => (
                text.understood
                    .named
                    .iter()
                    .filter(|(_, named)| {
                        !request
                            .filters
                            .get(&named.group)
                            .is_some_and(|values| values.contains(&named.value))
                    })
                    .map(|(phrase, named)| SuggestedFilter {
                        phrase: phrase.clone(),
                        group: named.group,
                        group_label: named.group.label(request.lang).to_string(),
                        value: named.value.clone(),
                        label: value_label(named.group, &named.value, taxonomy, request.lang),
                        count: collected
                            .counts
                            .get(&named.group)
                            .and_then(|c| c.get(&named.facet.to_path_string()))
                            .copied()
                            .unwrap_or(0),
                    })
                    .filter(|s| s.count > 0)
                    .collect(),
                text.understood.expansions.clone(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        Ok(SearchResponse {
            query: request.q.clone(),
            total: collected.total,
            page: request.page,
            page_size: request.page_size,
            sort,
            hits,
            facets,
            notices: notices
                .into_iter()
                .map(|notice| Notice::new(notice, request.lang))
                .collect(),
            relaxed,
            total_all_words: collected.all_words.unwrap_or(collected.total),
            suggested_filters,
            expansions,
            query_language,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
        })
    }

    /// The best `top_n` matches of a validated request in order, the total and the counts of
    /// the `counted` groups.
    fn rank(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        taxonomy: &Taxonomy,
        top_n: usize,
        counted: &[FacetGroup],
    ) -> Result<Ranked, SearchError> {
        let tables = self.facet_tables.for_searcher(searcher)?;
        let statistics = CrossLanguageStatistics::new(searcher, &self.fields);
        let parsed = query::parse(&request.q);
        let vocabulary = QueryVocabulary::of(taxonomy);
        let mut builder = QueryBuilder::new(&self.fields, &vocabulary).with_vocabulary(searcher);
        let mut notices = parsed.notices.clone();
        let has_text = !parsed.is_empty();
        let sort = request.sort.unwrap_or(if has_text {
            Sort::Relevance
        } else {
            Sort::Newest
        });
        // Ranked by relevance, documents with all the words come first, then those with fewer;
        // sorted by date, a text query needs all its words (unless none has them all).
        let banded = has_text && sort == Sort::Relevance;
        let query_language = has_text.then(|| {
            let phrase_languages = builder.phrase_languages(&parsed);
            query_language(&request.q, request.lang, &phrase_languages)
        });
        let mut builder = builder.with_language(query_language.filter(|_| banded));
        let mut text_query = if has_text {
            builder.build(&parsed, if banded { Combine::Bands } else { Combine::All })
        } else {
            None
        };
        let language_bonus = match query_language {
            Some(lang) if banded => Some((Facet::from_path([lang.code()]), LANGUAGE_BONUS)),
            _ => None,
        };

        let selected: Vec<(FacetGroup, Vec<Facet>)> = request
            .filters
            .iter()
            .map(|(group, values)| {
                let facets = values
                    .iter()
                    .map(|value| self.facet_path(*group, value, taxonomy))
                    .collect();
                (*group, facets)
            })
            .collect();
        let selection = Selection::resolve(searcher, &self.fields, &selected)?;
        let prefilter = selection.prefilter();
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
        // Everything but the facet filters, which the collector applies.
        let compose = |text: Option<&dyn Query>| -> Box<dyn Query> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Must,
                text.map_or_else(|| Box::new(AllQuery) as Box<dyn Query>, |t| t.box_clone()),
            )];
            for exclusion in &exclusions {
                clauses.push((Occur::MustNot, exclusion.box_clone()));
            }
            if let Some(range) = &year_range {
                clauses.push((Occur::Must, range.box_clone()));
            }
            if let Some(prefilter) = &prefilter {
                clauses.push((Occur::Must, Box::new(prefilter.clone())));
            }
            Box::new(BooleanQuery::new(clauses))
        };

        let mut relaxed = false;
        let mut collected = loop {
            let has_bonus = text_query
                .as_ref()
                .is_some_and(|t| !t.phrase_bonus.is_empty());
            let collector = FacetedCollector {
                tables: &tables,
                selection: &selection,
                counted,
                sort,
                top_n: if has_bonus && sort == Sort::Relevance {
                    top_n.max(PHRASE_BONUS_WINDOW)
                } else {
                    top_n
                },
                scoring: has_text,
                all_words_from: match &text_query {
                    Some(text) if banded => Some(text.words as f32 * BAND),
                    _ => None,
                },
                language_bonus: language_bonus.clone().filter(|_| text_query.is_some()),
            };
            let matching = text_query.as_ref().map(|t| t.matching.as_ref());
            let collected = searcher.search_with_statistics_provider(
                compose(matching).as_ref(),
                &collector,
                &statistics,
            )?;
            let required_clauses = parsed.clauses.iter().filter(|c| !c.negated).count();
            if banded {
                let words = text_query.as_ref().map_or(0, |t| t.words);
                let all = collected.all_words.unwrap_or(collected.total);
                if words > 1 && collected.total > 0 {
                    if all == 0 {
                        relaxed = true;
                        notices.push(Message::new("notice_none_match_all_words"));
                    } else if all < collected.total {
                        notices.push(
                            Message::new("notice_some_match_all_words")
                                .arg("all", all)
                                .arg("rest", collected.total - all),
                        );
                    }
                }
                break collected;
            }
            if collected.total == 0 && !relaxed && has_text && required_clauses > 1 {
                relaxed = true;
                text_query = builder.build(&parsed, Combine::Any);
                notices.push(Message::new("notice_none_contain_all_words"));
                continue;
            }
            break collected;
        };
        if let Some(text) = &text_query {
            if sort == Sort::Relevance && !text.phrase_bonus.is_empty() {
                add_phrase_bonus(
                    searcher,
                    &statistics,
                    &text.phrase_bonus,
                    &mut collected.top,
                )?;
                collected.top.sort_by(|a, b| compare_keys(&a.0, &b.0));
                collected.top.truncate(top_n);
            }
        }

        if !banded && has_text {
            collected.all_words = Some(if relaxed { 0 } else { collected.total });
        }
        Ok(Ranked {
            collected,
            sort,
            has_text,
            banded,
            text_query,
            notices,
            relaxed,
            query_language,
        })
    }

    /// Every id matching a request, in its order (for exports). Ignores paging.
    pub(crate) fn search_all_ids(
        &self,
        request: &SearchRequest,
        taxonomy: &Taxonomy,
    ) -> Result<Vec<String>, SearchError> {
        let request = self.validate_request(request, taxonomy)?;
        let searcher = self.searcher();
        let ranked = self.rank(&searcher, &request, taxonomy, usize::MAX, &[])?;
        let addresses: Vec<DocAddress> = ranked.collected.top.iter().map(|(_, a)| *a).collect();
        Ok(self.ids_of(&searcher, &addresses)?)
    }

    fn facet_counts(
        &self,
        group: FacetGroup,
        counts: &HashMap<String, u64>,
        request: &SearchRequest,
        taxonomy: &Taxonomy,
    ) -> FacetCounts {
        let lang = request.lang;
        let selected: &[String] = request.filters.get(&group).map_or(&[], Vec::as_slice);
        let values = if group == FacetGroup::Region {
            let mut by_slug: HashMap<String, u64> = HashMap::new();
            for region in taxonomy.geography.regions() {
                let path = Facet::from_path(taxonomy.geography.region_path(&region.slug));
                if let Some(&count) = counts.get(&path.to_path_string()) {
                    by_slug.insert(region.slug.clone(), count);
                }
            }
            region_tree(None, &by_slug, selected, taxonomy, lang)
        } else {
            let mut values: Vec<FacetValue> = counts
                .iter()
                .filter_map(|(path, &count)| {
                    let value = path.rsplit('/').next()?.to_string();
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
            } else if group == FacetGroup::Stage {
                // The spectrum reads in its own order, from prevention to reparation.
                let position = |slug: &str| taxonomy.stages.slugs().position(|s| s == slug);
                values.sort_by_key(|v| position(&v.value));
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

    /// The hits of a page, each with its snippet. A page's hits are cut into one run per
    /// search thread, each read and highlighted at the same time as the others: stored
    /// documents and snippets are a third of a text search's time.
    fn hits(
        &self,
        searcher: &tantivy::Searcher,
        top: &[(f32, DocAddress)],
        text: Option<&TextQuery>,
        taxonomy: &Taxonomy,
        lang: Lang,
    ) -> Result<Vec<Hit>, SearchError> {
        if top.is_empty() {
            return Ok(Vec::new());
        }
        let run = top
            .len()
            .div_ceil(super::search_threads())
            .max(MIN_HITS_PER_THREAD);
        let runs = searcher.index().search_executor().map(
            |run| self.hits_in_turn(searcher, run, text, taxonomy, lang),
            top.chunks(run),
        )?;
        Ok(runs.into_iter().flatten().collect())
    }

    fn hits_in_turn(
        &self,
        searcher: &tantivy::Searcher,
        top: &[(f32, DocAddress)],
        text: Option<&TextQuery>,
        taxonomy: &Taxonomy,
        lang: Lang,
    ) -> tantivy::Result<Vec<Hit>> {
        let mut snippets = text.map(|text| {
            Snippets::new(
                searcher,
                text.matching.as_ref(),
                &text.highlight,
                &self.fields,
            )
        });
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
            let doc_lang: crate::taxonomy::DocLang = meta.language.parse().unwrap_or_default();
            let title = stored_text(&doc, self.fields.title(doc_lang)).unwrap_or_default();
            let summary = stored_text(&doc, self.fields.summary(doc_lang)).unwrap_or_default();
            let (title_html, snippet_html) = if let Some(snippets) = &mut snippets {
                let title_html = snippets.highlight_whole(self.fields.title(doc_lang), &title)?;
                let body = stored_text(&doc, self.fields.body(doc_lang)).unwrap_or_default();
                let passage =
                    match snippets.passage(*address, self.fields.body(doc_lang), &body, 240)? {
                        Some(passage) => Some(passage),
                        None => snippets.passage(
                            *address,
                            self.fields.summary(doc_lang),
                            &summary,
                            240,
                        )?,
                    };
                let snippet = passage.unwrap_or_else(|| html_escape(&truncate(&summary, 240)));
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
                matched_words: 0,
            });
        }
        Ok(hits)
    }

    /// The documents most similar to `id`: shared wording (more-like-this over the text),
    /// boosted by shared themes and mechanism types. Empty when `id` is not indexed.
    pub(crate) fn related(&self, id: &str, limit: usize) -> Result<Vec<Related>, SearchError> {
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
            let lang: crate::taxonomy::DocLang = meta.language.parse().unwrap_or_default();
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

/// How many of the best matches get the phrase bonus (more when a deeper page is asked for).
/// A match outside them that has the phrase can rank lower than it would with the bonus; it
/// still matched every word, and the first pages, which people read, are exact.
const PHRASE_BONUS_WINDOW: usize = 200;

/// Adds the phrase bonus's scores to the relevance of each result that has the phrase.
fn add_phrase_bonus(
    searcher: &tantivy::Searcher,
    statistics: &dyn Bm25StatisticsProvider,
    bonus: &[Box<dyn Query>],
    top: &mut [(SortKey, DocAddress)],
) -> tantivy::Result<()> {
    // Scorers only move forward: visit the results in index order.
    let mut order: Vec<usize> = (0..top.len()).collect();
    order.sort_by_key(|&i| top[i].1);
    for query in bonus {
        let weight = query.weight(EnableScoring::enabled_from_statistics_provider(
            statistics, searcher,
        ))?;
        // The scorer of the current segment, and the first document it may still match.
        // `seek_danger` checks one document without looking for the next match, which for a
        // phrase would mean checking positions in every document on the way.
        let mut current: Option<(u32, Box<dyn Scorer>, DocId)> = None;
        for &i in &order {
            let DocAddress {
                segment_ord,
                doc_id,
            } = top[i].1;
            let found = match &mut current {
                Some((segment, scorer, from)) if *segment == segment_ord => {
                    if doc_id < *from {
                        continue;
                    }
                    scorer.seek_danger(doc_id)
                }
                _ => {
                    let reader = searcher.segment_reader(segment_ord);
                    let (found, scorer) = weight.scorer_danger(reader, doc_id, 1.0)?;
                    current = Some((segment_ord, scorer, doc_id));
                    found
                }
            };
            let (_, scorer, from) = current.as_mut().expect("set above");
            match found {
                SeekDangerResult::Found => {
                    top[i].0 .0 += scorer.score();
                    *from = doc_id + 1;
                }
                SeekDangerResult::SeekLowerBound(next) => *from = next.max(doc_id + 1),
            }
        }
    }
    Ok(())
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
pub(crate) fn value_label(
    group: FacetGroup,
    value: &str,
    taxonomy: &Taxonomy,
    lang: Lang,
) -> String {
    match group {
        FacetGroup::Type => taxonomy.types.label(value, lang).to_string(),
        FacetGroup::Theme => taxonomy.themes.label(value, lang).to_string(),
        FacetGroup::Stage => taxonomy.stages.label(value, lang).to_string(),
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
