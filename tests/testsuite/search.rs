//! Search: disjunctive facets, snippets, typos, synonyms, languages, lenient queries, ranking.

use praxis::index::search::{FacetCounts, FacetValue, SearchError};
use praxis::{FacetGroup, Lang, SearchRequest, SearchResponse, Sort};

use crate::common::small_kb;

fn counts(response: &SearchResponse, group: FacetGroup) -> Vec<(String, u64)> {
    facet(response, group)
        .values
        .iter()
        .map(|v| (v.value.clone(), v.count))
        .collect()
}

fn facet(response: &SearchResponse, group: FacetGroup) -> &FacetCounts {
    response.facets.iter().find(|f| f.group == group).unwrap()
}

fn ids(response: &SearchResponse) -> Vec<&str> {
    response.hits.iter().map(|h| h.id.as_str()).collect()
}

fn pairs(values: &[(&str, u64)]) -> Vec<(String, u64)> {
    values.iter().map(|(v, c)| (v.to_string(), *c)).collect()
}

fn find<'a>(values: &'a [FacetValue], value: &str) -> &'a FacetValue {
    values.iter().find(|v| v.value == value).unwrap()
}

#[test]
fn empty_query_lists_everything_newest_first_with_every_facet() {
    let (_data, kb) = small_kb();
    let response = kb.search(&SearchRequest::default()).unwrap();
    assert_eq!(response.total, 12);
    assert_eq!(response.sort, Sort::Newest);
    let years: Vec<i32> = response.hits.iter().map(|h| h.year).collect();
    let mut sorted = years.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(years, sorted);
    assert_eq!(response.hits[0].id, "global-framework");
    assert_eq!(
        counts(&response, FacetGroup::Type),
        pairs(&[
            ("law", 4),
            ("mechanism", 4),
            ("case-study", 2),
            ("curriculum", 1),
            ("report", 1)
        ])
    );
    assert_eq!(
        counts(&response, FacetGroup::Language),
        pairs(&[("en", 9), ("es", 2), ("fr", 1)])
    );
    assert_eq!(
        counts(&response, FacetGroup::Region),
        pairs(&[("africa", 6), ("americas", 2), ("asia", 1), ("europe", 1)])
    );
    let regions = &facet(&response, FacetGroup::Region).values;
    let africa = find(regions, "africa");
    let sub_saharan = find(&africa.children, "sub-saharan-africa");
    assert_eq!(sub_saharan.count, 5);
    assert_eq!(find(&sub_saharan.children, "eastern-africa").count, 4);
    assert_eq!(find(&sub_saharan.children, "western-africa").count, 1);
    assert_eq!(
        counts(&response, FacetGroup::Shareable),
        pairs(&[("yes", 3), ("no", 1)])
    );
    assert_eq!(
        counts(&response, FacetGroup::Decade)[..2],
        pairs(&[("2010", 6), ("2000", 5)])[..]
    );
}

#[test]
fn selecting_a_region_includes_its_sub_regions_and_regional_documents() {
    let (_data, kb) = small_kb();
    let response = kb
        .search(&SearchRequest::default().filter(FacetGroup::Region, "africa"))
        .unwrap();
    assert_eq!(response.total, 6);
    assert!(ids(&response).contains(&"africa-cews"));
}

#[test]
fn values_of_one_group_are_ored_and_its_counts_ignore_its_own_selection() {
    let (_data, kb) = small_kb();
    let unfiltered = kb.search(&SearchRequest::default()).unwrap();
    let request = SearchRequest::default()
        .filter(FacetGroup::Region, "eastern-africa")
        .filter(FacetGroup::Region, "western-africa");
    let response = kb.search(&request).unwrap();
    assert_eq!(response.total, 5);
    // The region group's own counts are those without the region filter...
    assert_eq!(
        facet(&response, FacetGroup::Region).values.len(),
        facet(&unfiltered, FacetGroup::Region).values.len()
    );
    assert_eq!(
        counts(&response, FacetGroup::Region),
        counts(&unfiltered, FacetGroup::Region)
    );
    let regions = &facet(&response, FacetGroup::Region).values;
    let sub_saharan = find(&find(regions, "africa").children, "sub-saharan-africa");
    assert!(find(&sub_saharan.children, "eastern-africa").selected);
    assert!(find(&sub_saharan.children, "western-africa").selected);
    // ...while other groups count within the selection.
    assert_eq!(
        counts(&response, FacetGroup::Type),
        pairs(&[("law", 2), ("mechanism", 2), ("case-study", 1)])
    );
}

#[test]
fn groups_are_anded_and_each_counts_with_the_other_groups_filters() {
    let (_data, kb) = small_kb();
    let request = SearchRequest::default()
        .filter(FacetGroup::Region, "eastern-africa")
        .filter(FacetGroup::Type, "law");
    let response = kb.search(&request).unwrap();
    assert_eq!(response.total, 2);
    let mut found = ids(&response);
    found.sort();
    assert_eq!(found, vec!["ke-cohesion-act", "ug-icc-act"]);
    // Type counts: within eastern Africa, whatever the type.
    assert_eq!(
        counts(&response, FacetGroup::Type),
        pairs(&[("law", 2), ("case-study", 1), ("mechanism", 1)])
    );
    // Region counts: among laws, whatever the region.
    assert_eq!(
        counts(&response, FacetGroup::Region),
        pairs(&[("africa", 2), ("americas", 1), ("europe", 1)])
    );
    // Theme counts: within eastern-African laws.
    assert_eq!(
        counts(&response, FacetGroup::Theme),
        pairs(&[
            ("accountability", 1),
            ("hate-speech", 1),
            ("social-cohesion", 1)
        ])
    );
}

#[test]
fn a_selected_value_with_no_results_is_still_returned() {
    let (_data, kb) = small_kb();
    let response = kb
        .search(&SearchRequest::default().filter(FacetGroup::Country, "JP"))
        .unwrap();
    assert_eq!(response.total, 0);
    let japan = find(&facet(&response, FacetGroup::Country).values, "JPN");
    assert_eq!((japan.count, japan.selected), (0, true));
    assert_eq!(japan.label, "Japan");
}

#[test]
fn facet_labels_follow_the_request_language() {
    let (_data, kb) = small_kb();
    let request = SearchRequest {
        lang: Lang::Fr,
        ..Default::default()
    };
    let response = kb.search(&request).unwrap();
    assert_eq!(
        find(&facet(&response, FacetGroup::Type).values, "law").label,
        "Loi"
    );
    assert_eq!(
        find(&facet(&response, FacetGroup::Theme).values, "hate-speech").label,
        "Discours de haine"
    );
    assert_eq!(facet(&response, FacetGroup::Region).label, "Région");
}

#[test]
fn snippets_escape_text_and_mark_only_matches() {
    let (_data, kb) = small_kb();
    let response = kb.search(&SearchRequest::text("ethnic contempt")).unwrap();
    let hit = &response.hits[0];
    assert_eq!(hit.id, "ke-cohesion-act");
    assert!(
        hit.snippet_html
            .contains("<mark>ethnic</mark> <mark>contempt</mark>"),
        "{}",
        hit.snippet_html
    );
    assert!(hit.snippet_html.contains("&amp;"), "{}", hit.snippet_html);
    assert!(
        !hit.snippet_html.contains("<script"),
        "{}",
        hit.snippet_html
    );
    let without_marks = hit
        .snippet_html
        .replace("<mark>", "")
        .replace("</mark>", "");
    assert!(
        !without_marks.contains('<'),
        "only <mark> tags: {}",
        hit.snippet_html
    );
    let marked: Vec<&str> = hit
        .snippet_html
        .split("<mark>")
        .skip(1)
        .map(|s| s.split("</mark>").next().unwrap())
        .collect();
    assert!(
        marked
            .iter()
            .all(|m| ["ethnic", "contempt"].contains(&m.to_lowercase().as_str())),
        "{marked:?}"
    );

    let response = kb.search(&SearchRequest::text("cohesion")).unwrap();
    let act = response
        .hits
        .iter()
        .find(|h| h.id == "ke-cohesion-act")
        .unwrap();
    assert_eq!(
        act.title_html,
        "National <mark>Cohesion</mark> and Integration Act"
    );
}

#[test]
fn a_misspelt_word_still_finds_its_documents_and_exact_matches_rank_first() {
    let (_data, kb) = small_kb();
    let response = kb.search(&SearchRequest::text("cohesoin")).unwrap();
    let mut found = ids(&response);
    found.sort();
    assert_eq!(found, vec!["ke-cohesion-act", "ke-ncic"]);
    // Short words are not fuzzed: "act" must not match "art" or "pact".
    let response = kb.search(&SearchRequest::text("acr")).unwrap();
    assert_eq!(response.total, 0);
}

#[test]
fn a_word_several_documents_contain_is_taken_as_typed() {
    let (_data, kb) = small_kb();
    // "national" is in several documents: its near miss "nacional" (in one Spanish document)
    // is another word, not a typo to correct.
    let response = kb.search(&SearchRequest::text("national")).unwrap();
    assert_eq!(response.total, 4);
    assert!(!ids(&response).contains(&"gt-rios-montt"));
    // A word no document has is corrected.
    let response = kb.search(&SearchRequest::text("nacionl")).unwrap();
    assert_eq!(ids(&response), vec!["gt-rios-montt"]);
}

#[test]
fn an_abbreviation_expands_to_its_synonyms() {
    let (_data, kb) = small_kb();
    let response = kb.search(&SearchRequest::text("R2P")).unwrap();
    assert_eq!(ids(&response), vec!["global-focal-points-network"]);
}

#[test]
fn a_french_query_finds_french_documents_through_the_french_stemmer() {
    let (_data, kb) = small_kb();
    let response = kb
        .search(&SearchRequest::text("prévention du génocide"))
        .unwrap();
    assert_eq!(response.hits[0].id, "fr-loi-cpi");
    assert_eq!(response.hits[0].language, "fr");
    // "juridiction" (singular) finds "juridictions" only through stemming.
    let response = kb.search(&SearchRequest::text("juridiction")).unwrap();
    assert_eq!(response.hits[0].id, "fr-loi-cpi");
}

#[test]
fn a_spanish_query_finds_spanish_documents_through_the_spanish_stemmer() {
    let (_data, kb) = small_kb();
    let response = kb
        .search(&SearchRequest::text("genocidio").filter(FacetGroup::Language, "es"))
        .unwrap();
    let mut found = ids(&response);
    found.sort();
    assert_eq!(found, vec!["ar-ley-26200", "gt-rios-montt"]);
    // "cometido" meets "cometidos" through the stemmer only.
    let response = kb.search(&SearchRequest::text("cometido")).unwrap();
    assert_eq!(ids(&response), vec!["ar-ley-26200"]);
}

#[test]
fn a_malformed_query_returns_results_and_says_how_it_was_read() {
    let (_data, kb) = small_kb();
    let response = kb
        .search(&SearchRequest::text("\"warnings AND foo:rwanda (("))
        .unwrap();
    assert!(response.total > 0);
    assert!(ids(&response).contains(&"rw-1994"));
    assert!(response.notices.len() >= 2, "{:?}", response.notices);
}

#[test]
fn phrases_exclusions_and_fields_work() {
    let (_data, kb) = small_kb();
    let response = kb
        .search(&SearchRequest::text("\"early warning\""))
        .unwrap();
    let mut found = ids(&response);
    found.sort();
    assert_eq!(found, vec!["africa-cews", "gh-peace-council", "ke-ncic"]);
    let response = kb
        .search(&SearchRequest::text("genocide -rwanda -guatemala"))
        .unwrap();
    assert!(!ids(&response).contains(&"rw-1994"));
    let response = kb.search(&SearchRequest::text("title:council")).unwrap();
    assert_eq!(ids(&response), vec!["gh-peace-council"]);
}

#[test]
fn exact_phrase_matches_rank_above_scattered_words() {
    let (_data, kb) = small_kb();
    let response = kb.search(&SearchRequest::text("early action")).unwrap();
    assert_eq!(response.hits[0].id, "africa-cews");
}

#[test]
fn no_document_with_every_word_relaxes_to_some_words() {
    let (_data, kb) = small_kb();
    let response = kb
        .search(&SearchRequest::text("cambodia textbook zzzunknownword"))
        .unwrap();
    assert!(response.relaxed);
    assert_eq!(response.hits[0].id, "kh-dc-cam");
}

#[test]
fn ranking_is_deterministic_and_sortable_by_year() {
    let (_data, kb) = small_kb();
    let first = ids(&kb.search(&SearchRequest::text("genocide")).unwrap()).join(",");
    for _ in 0..3 {
        assert_eq!(
            ids(&kb.search(&SearchRequest::text("genocide")).unwrap()).join(","),
            first
        );
    }
    let request = SearchRequest {
        sort: Some(Sort::Oldest),
        ..SearchRequest::text("genocide")
    };
    let response = kb.search(&request).unwrap();
    assert_eq!(response.hits[0].id, "rw-1994");
}

#[test]
fn unknown_filter_values_and_bad_paging_are_errors_naming_the_parameter() {
    let (_data, kb) = small_kb();
    let error = kb
        .search(&SearchRequest::default().filter(FacetGroup::Region, "eastern-afrika"))
        .unwrap_err();
    match error {
        SearchError::InvalidFilter { parameter, message } => {
            let message = message.to_string();
            assert_eq!(parameter, "region");
            assert!(
                message.contains("did you mean \"eastern-africa\""),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let error = kb
        .search(&SearchRequest {
            page_size: 1000,
            ..Default::default()
        })
        .unwrap_err();
    assert!(error.to_string().starts_with("page_size:"), "{error}");
}

#[test]
fn year_range_filters() {
    let (_data, kb) = small_kb();
    let request = SearchRequest {
        year_from: Some(2008),
        year_to: Some(2010),
        ..Default::default()
    };
    let response = kb.search(&request).unwrap();
    assert!(response
        .hits
        .iter()
        .all(|h| (2008..=2010).contains(&h.year)));
    assert_eq!(response.total, 5);
}

#[test]
fn related_documents_share_wording_and_themes() {
    let (_data, kb) = small_kb();
    let related = kb.related("ke-cohesion-act", 3).unwrap();
    assert_eq!(related[0].id, "ke-ncic");
    assert!(related.iter().all(|r| r.id != "ke-cohesion-act"));
    assert!(kb.related("no-such-document", 3).unwrap().is_empty());
}

#[test]
fn every_matching_id_comes_in_the_order_of_the_pages() {
    let (_data, kb) = small_kb();
    let requests = [
        SearchRequest::default(),
        SearchRequest::text("national commission"),
        SearchRequest::text("early warning").filter(FacetGroup::Region, "africa"),
    ];
    for request in requests {
        let all = kb.search_all_ids(&request).unwrap();
        let mut paged = Vec::new();
        for page in 1.. {
            let response = kb
                .search(&SearchRequest {
                    page,
                    page_size: 2,
                    ..request.clone()
                })
                .unwrap();
            if response.hits.is_empty() {
                break;
            }
            paged.extend(response.hits.into_iter().map(|h| h.id));
        }
        assert!(!all.is_empty(), "{request:?}");
        assert_eq!(all, paged, "{request:?}");
        assert_eq!(all.len(), kb.search(&request).unwrap().total);
    }
}

/// A knowledge base with the `relevance` fixture: truth commissions in and outside Asia, a
/// French and an English document of equal text, a Spanish document without English words.
pub(crate) fn relevance_kb() -> (tempfile::TempDir, praxis::KnowledgeBase) {
    let data = tempfile::tempdir().unwrap();
    let kb = praxis::KnowledgeBase::open(data.path()).unwrap();
    let report = kb
        .ingest(&[crate::common::fixture("relevance")], &|_, _| {})
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    (data, kb)
}

#[test]
fn without_a_document_having_every_word_results_come_by_matched_word_count() {
    let (_data, kb) = relevance_kb();
    let response = kb
        .search(&SearchRequest::text("Nepal Kenya elections"))
        .unwrap();
    assert!(response.relaxed);
    assert_eq!(response.total_all_words, 0);
    assert_eq!(ids(&response)[0], "ke-elections", "two of the three words");
    assert!(ids(&response).contains(&"np-truth-commission"), "one word");
    let matched: Vec<usize> = response.hits.iter().map(|h| h.matched_words).collect();
    assert_eq!(matched[0], 2);
    assert!(matched.windows(2).all(|w| w[0] >= w[1]), "{matched:?}");
}

#[test]
fn documents_with_every_word_come_first_and_totals_say_how_many() {
    let (_data, kb) = relevance_kb();
    let response = kb
        .search(&SearchRequest::text("early warning elections"))
        .unwrap();
    assert!(!response.relaxed);
    assert_eq!(ids(&response)[0], "ke-elections");
    assert_eq!(response.total_all_words, 1);
    assert!(
        response.total > response.total_all_words,
        "others have some words"
    );
    assert!(response.notices.iter().any(|n| n
        .message
        .to_string()
        .contains("1 document matches all the words")));
}

#[test]
fn truth_commissions_asia_suggests_the_asia_filter_and_ranks_asian_commissions_first() {
    let (_data, kb) = relevance_kb();
    let response = kb
        .search(&SearchRequest::text("truth commissions Asia"))
        .unwrap();
    let asia = response
        .suggested_filters
        .iter()
        .find(|s| s.group == FacetGroup::Region && s.value == "asia")
        .expect("the Asia filter is suggested");
    assert_eq!(asia.phrase, "Asia");
    assert_eq!(asia.label, "Asia");
    assert!(asia.count >= 2);
    let mut first_two: Vec<&str> = ids(&response)[..2].to_vec();
    first_two.sort();
    assert_eq!(
        first_two,
        vec!["np-truth-commission", "tl-truth-commission"]
    );
    // Never a silent filter: the Peruvian commission is still there.
    assert!(ids(&response).contains(&"pe-truth-commission"));
    // The filter is not suggested again once selected.
    let response = kb
        .search(&SearchRequest::text("truth commissions Asia").filter(FacetGroup::Region, "asia"))
        .unwrap();
    assert!(response
        .suggested_filters
        .iter()
        .all(|s| s.group != FacetGroup::Region));
}

#[test]
fn a_demonym_names_its_country_in_the_interface_language() {
    let (_data, kb) = relevance_kb();
    let response = kb
        .search(&SearchRequest::text("Kenyan elections").with_lang(Lang::Fr))
        .unwrap();
    let kenya = response
        .suggested_filters
        .iter()
        .find(|s| s.group == FacetGroup::Country)
        .expect("Kenyan names Kenya");
    assert_eq!(kenya.value, "KEN");
    assert_eq!(kenya.group_label, "Pays");
    assert_eq!(ids(&response)[0], "ke-elections");
}

#[test]
fn a_french_query_ranks_a_french_document_above_an_english_one_of_equal_text() {
    let (_data, kb) = relevance_kb();
    for lang in [Lang::Fr, Lang::En] {
        let response = kb
            .search(&SearchRequest::text("prévention du génocide").with_lang(lang))
            .unwrap();
        assert_eq!(response.query_language, Some(Lang::Fr), "interface {lang}");
        assert_eq!(
            ids(&response)[0],
            "fr-comite-prevention-genocide",
            "interface {lang}"
        );
        assert!(ids(&response).contains(&"en-committee-genocide-prevention"));
    }
    // And the other way round.
    let response = kb
        .search(&SearchRequest::text("prevention of genocide").with_lang(Lang::En))
        .unwrap();
    assert_eq!(ids(&response)[0], "en-committee-genocide-prevention");
}

#[test]
fn a_glossary_expansion_finds_a_spanish_document_from_an_english_query() {
    let (_data, kb) = relevance_kb();
    let response = kb.search(&SearchRequest::text("early warning")).unwrap();
    let found = ids(&response);
    let spanish = found
        .iter()
        .position(|&id| id == "co-sistema-alertas")
        .expect("the Spanish document is found");
    let english = found.iter().position(|&id| id == "ke-elections").unwrap();
    assert!(
        english < spanish,
        "same-language documents first: {found:?}"
    );
    let expansion = response
        .expansions
        .iter()
        .find(|e| e.phrase == "early warning")
        .unwrap();
    assert!(expansion
        .alternatives
        .iter()
        .any(|a| a == "alerta temprana"));
    assert!(expansion.source.contains("glossary"));
    // Its words are highlighted like exact matches.
    let hit = &response.hits[spanish];
    assert!(
        hit.snippet_html.contains("<mark>") || hit.title_html.contains("<mark>"),
        "{hit:?}"
    );
}

#[test]
fn a_known_phrase_typed_with_a_typo_is_understood_as_meant() {
    let (_data, kb) = relevance_kb();
    // "warnnig" is in no document: the phrase is read as "early warning", so its glossary
    // equivalents apply and the Spanish document, which has none of the typed words, is found.
    let response = kb.search(&SearchRequest::text("early warnnig")).unwrap();
    let expansion = response
        .expansions
        .iter()
        .find(|e| e.phrase == "early warning")
        .expect("the phrase is understood as meant");
    assert!(expansion
        .alternatives
        .iter()
        .any(|a| a == "alerta temprana"));
    assert!(
        ids(&response).contains(&"co-sistema-alertas"),
        "{:?}",
        ids(&response)
    );
    // A word some document contains as typed is never replaced.
    let response = kb.search(&SearchRequest::text("early elections")).unwrap();
    assert!(response
        .expansions
        .iter()
        .all(|e| e.phrase != "early warning"));
}

#[test]
fn a_fuzzy_match_is_highlighted() {
    let (_data, kb) = relevance_kb();
    let response = kb.search(&SearchRequest::text("reconcilation")).unwrap();
    // Read as "reconciliation", the query also names the theme "social cohesion and
    // reconciliation", whose documents need not contain the word; those that do show it marked.
    let with_word: Vec<_> = response
        .hits
        .iter()
        .filter(|h| {
            let text = format!("{} {}", h.title_html, h.snippet_html).to_lowercase();
            text.contains("reconciliation")
        })
        .collect();
    assert!(!with_word.is_empty(), "{:?}", response.hits);
    for hit in with_word {
        assert!(
            hit.title_html.contains("<mark>Reconciliation</mark>")
                || hit.snippet_html.contains("<mark>reconciliation</mark>"),
            "{hit:?}"
        );
    }
}

#[test]
fn a_text_query_is_sorted_by_relevance_and_an_empty_one_newest_first() {
    let (_data, kb) = relevance_kb();
    assert_eq!(
        kb.search(&SearchRequest::text("truth")).unwrap().sort,
        Sort::Relevance
    );
    assert_eq!(
        kb.search(&SearchRequest::default()).unwrap().sort,
        Sort::Newest
    );
}

/// What a document is about, from its curated metadata, counts for as much as the words of a
/// title: a law whose theme is hate speech but whose text says "racial hatred" ranks above a
/// report that only mentions hate speech in passing.
#[test]
fn a_document_whose_theme_the_query_names_ranks_above_one_that_only_mentions_the_words() {
    let (_data, kb) = relevance_kb();
    let response = kb.search(&SearchRequest::text("hate speech")).unwrap();
    assert!(response
        .suggested_filters
        .iter()
        .any(|s| s.group == FacetGroup::Theme && s.value == "hate-speech"));
    assert_eq!(
        ids(&response)[..2],
        ["au-racial-hatred-law", "fj-cohesion-report"],
        "{:?}",
        ids(&response)
    );
}

/// A word of an English query that only French documents contain ("atrocites", their
/// "atrocités" without accents) is a typo in English: it also matches the English word meant
/// ("atrocities"), though the French documents contain it as typed and it is not rare.
#[test]
fn a_word_only_other_languages_contain_is_read_as_a_typo_in_the_query_language() {
    let data = tempfile::tempdir().unwrap();
    let kb = praxis::KnowledgeBase::open(data.path()).unwrap();
    let report = kb
        .ingest(&[crate::common::fixture("foreign-typos")], &|_, _| {})
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let english = |q: &str| {
        kb.search(&SearchRequest::text(q).with_lang(Lang::En))
            .unwrap()
    };
    let response = english("atrocites prevention");
    assert_eq!(response.query_language, Some(Lang::En));
    let board = response
        .hits
        .iter()
        .find(|h| h.id == "us-atrocities-board")
        .expect("the English document is found");
    assert_eq!(
        board.matched_words, 2,
        "both words, as the French documents"
    );
    let response = english("atrocites prevention board");
    assert_eq!(
        ids(&response)[0],
        "us-atrocities-board",
        "{:?}",
        ids(&response)
    );
    assert!(
        response.hits[0]
            .title_html
            .contains("<mark>atrocities</mark>"),
        "{}",
        response.hits[0].title_html
    );
}

/// A hyphenated word can be part of a phrase the vocabulary knows: "violences post-électorales"
/// is the glossary's French for post-election violence, so a French query finds the English
/// report on post-election violence with both its words. (A hyphenated word used to end the run of words looked up, so the phrase
/// was never recognised.)
#[test]
fn a_hyphenated_word_is_part_of_a_phrase_the_vocabulary_knows() {
    let data = tempfile::tempdir().unwrap();
    let kb = praxis::KnowledgeBase::open(data.path()).unwrap();
    let report = kb
        .ingest(&[crate::common::fixture("compound-words")], &|_, _| {})
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let response = kb
        .search(&SearchRequest::text("violences post-électorales").with_lang(Lang::Fr))
        .unwrap();
    assert!(
        response
            .expansions
            .iter()
            .any(|e| e.alternatives.iter().any(|a| a == "post-election violence")),
        "{:?}",
        response.expansions
    );
    assert_eq!(
        ids(&response),
        ["xx-post-election-commission", "xx-violence-monitoring"]
    );
    assert_eq!(
        response.hits[0].matched_words, 2,
        "both words, through the glossary"
    );
    assert_eq!(response.hits[1].matched_words, 1, "only \"violence\"");
    // A quoted phrase is still searched as typed, without its equivalents.
    let quoted = kb
        .search(&SearchRequest::text("\"violences post-électorales\"").with_lang(Lang::Fr))
        .unwrap();
    assert!(quoted.expansions.is_empty(), "{:?}", quoted.expansions);
}

/// "un" in a Spanish or French query is an article, not the UN: a word that is a stop word in
/// the query's language is never read as a phrase the vocabulary knows in another language
/// (it would expand to "United Nations" and count as a word each document must match).
/// Typed in an English query, "UN" still is the United Nations.
#[test]
fn an_article_of_the_query_language_is_not_an_abbreviation_of_another() {
    let (_data, kb) = relevance_kb();
    let spanish = kb
        .search(&SearchRequest::text("juicio a un expresidente por genocidio").with_lang(Lang::Es))
        .unwrap();
    assert_eq!(spanish.query_language, Some(Lang::Es));
    assert!(
        !spanish.expansions.iter().any(|e| e.phrase == "un"),
        "{:?}",
        spanish.expansions
    );
    let english = kb
        .search(&SearchRequest::text("UN genocide report").with_lang(Lang::En))
        .unwrap();
    assert!(
        english
            .expansions
            .iter()
            .any(|e| e.phrase == "UN" && e.alternatives.iter().any(|a| a == "United Nations")),
        "{:?}",
        english.expansions
    );
}

/// A word the vocabulary knows as typed is no typo: "expresidente" (in one document, so rare
/// enough to be fuzzed) used to match every document saying "presidente" at two typos, as if it
/// were the word. It finds the documents saying it, and through the glossary those saying
/// "former president" in another language, and no document only naming a president.
#[test]
fn a_word_the_vocabulary_knows_is_not_read_as_a_typo() {
    let data = tempfile::tempdir().unwrap();
    let kb = praxis::KnowledgeBase::open(data.path()).unwrap();
    let report = kb
        .ingest(
            &[crate::common::fixture("former-head-of-state")],
            &|_, _| {},
        )
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let response = kb
        .search(&SearchRequest::text("expresidente").with_lang(Lang::Es))
        .unwrap();
    assert!(
        response
            .expansions
            .iter()
            .any(|e| e.alternatives.iter().any(|a| a == "former president")),
        "{:?}",
        response.expansions
    );
    assert_eq!(
        ids(&response),
        ["xx-juicio-expresidente", "xx-former-president-trial"]
    );
    // A word the vocabulary does not know is still read with a typo.
    let typo = kb
        .search(&SearchRequest::text("comisoin").with_lang(Lang::Es))
        .unwrap();
    assert_eq!(ids(&typo), ["xx-presidente-comision"]);
}
