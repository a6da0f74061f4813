//! HTML pages rendered from real search results on the fixture corpus.

use praxis::pages::Pages;
use praxis::{FacetGroup, Lang, SearchRequest};

use crate::common::small_kb;

#[test]
fn the_search_page_has_facets_chips_results_and_shareable_urls() {
    let (_data, kb) = small_kb();
    let request = SearchRequest::text("genocide")
        .filter(FacetGroup::Region, "americas")
        .filter(FacetGroup::Type, "law");
    let response = kb.search(&request).unwrap();
    let html = Pages::new().search(&request, &response, &kb.taxonomy());
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<title>genocide · Praxis</title>"));
    assert!(
        html.contains("name=\"region\" value=\"americas\" checked"),
        "region checkbox"
    );
    assert!(html.contains("name=\"type\" value=\"law\" checked"));
    assert!(html.contains("href=\"/documents/ar-ley-26200?lang=en\""));
    // A chip removes its filter and keeps the rest.
    assert!(
        html.contains("href=\"/?q=genocide&amp;type=law&amp;lang=en\""),
        "chip without region"
    );
    assert!(html.contains("1 result for “genocide”"), "{html}");
    assert!(html.contains("<mark>"));
    assert!(html.len() < 100_000);
}

#[test]
fn no_results_suggests_removing_a_filter() {
    let (_data, kb) = small_kb();
    let request = SearchRequest::default()
        .filter(FacetGroup::Country, "JP")
        .with_lang(Lang::Es);
    let response = kb.search(&request).unwrap();
    let html = Pages::new().search(&request, &response, &kb.taxonomy());
    assert!(html.contains("Ningún documento coincide."));
    assert!(html.contains("Pruebe a quitar un filtro"));
    assert!(html.contains("<html lang=\"es\">"));
    assert!(html.contains("País: Japón"), "chip label in Spanish");
}

#[test]
fn the_document_page_is_sanitised_and_links_metadata_to_searches() {
    let (_data, kb) = small_kb();
    let record = kb.document("ke-cohesion-act").unwrap().unwrap();
    let related = kb.related("ke-cohesion-act", 3).unwrap();
    let html = Pages::new().document(
        &record,
        None,
        &related,
        &kb.taxonomy(),
        Lang::Fr,
        "http://127.0.0.1:8080",
    );
    assert!(
        !html.contains("<script>alert"),
        "raw HTML never reaches a reader"
    );
    assert!(html.contains("<h2>Background</h2>"));
    assert!(
        html.contains("href=\"/?theme=hate-speech&amp;lang=fr\">Discours de haine</a>"),
        "theme links to a filtered search"
    );
    assert!(html.contains("href=\"/?country=KEN&amp;lang=fr\">Kenya</a>"));
    assert!(
        html.contains("<article class=\"document\" lang=\"en\">"),
        "document language"
    );
    assert!(html.contains("<html lang=\"fr\">"), "interface language");
    assert!(html.contains("@misc{praxis-ke-cohesion-act"));
    assert!(html.contains("/documents/ke-cohesion-act/history?lang=fr"));
    assert!(
        html.contains("href=\"/documents/ke-ncic?lang=fr\""),
        "related document"
    );
}

#[test]
fn history_and_diff_pages_show_revisions_and_changes() {
    let (_data, kb) = small_kb();
    let mut record = kb.document("ug-icc-act").unwrap().unwrap();
    let document = praxis::Document {
        meta: record.meta.clone(),
        body: record
            .body
            .replace("sets out cooperation", "regulates cooperation"),
        source_text: record.source_text.clone(),
    };
    kb.save_document(&document, "alice").unwrap();
    record = kb.document("ug-icc-act").unwrap().unwrap();
    let revisions = kb.store().revisions("ug-icc-act").unwrap();
    let pages = Pages::new();
    let html = pages.history(&record, &revisions, Lang::En, Default::default());
    assert!(html.contains("/documents/ug-icc-act/revisions/1?lang=en"));
    assert!(html.contains("<td>alice</td>"));
    let hunks = praxis::diff::diff_lines(&revisions[0].body, &revisions[1].body, 2);
    let html = pages.diff(&record, 1, 2, &hunks, Lang::En, Default::default());
    assert!(html.contains("<tr class=\"removed\">"));
    assert!(html.contains("<ins>The act gives the High Court jurisdiction over international crimes and regulates cooperation"));
    let old = pages.document(
        &record,
        Some(&revisions[0]),
        &[],
        &kb.taxonomy(),
        Lang::En,
        "",
    );
    assert!(old.contains("You are reading revision 1"));
    assert!(old.contains("sets out cooperation"));
}

// --- pages through the router: the URL is the state -----------------------------------------

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use praxis::server::{self, AppState, Tokens};
use tower::ServiceExt;

fn web_app(tokens: Tokens) -> (tempfile::TempDir, AppState) {
    let (data, kb) = small_kb();
    (data, AppState::new(Arc::new(kb), tokens))
}

async fn page(
    state: &AppState,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, String) {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = server::router(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[test]
fn the_search_form_sends_sort_once_and_its_default_sends_nothing() {
    let (_data, kb) = small_kb();
    for (request, default_label) in [
        (SearchRequest::default(), "Newest first"),
        (SearchRequest::text("genocide"), "Relevance"),
    ] {
        let response = kb.search(&request).unwrap();
        let html = Pages::new().search(&request, &response, &kb.taxonomy());
        assert_eq!(html.matches("name=\"sort\"").count(), 1, "one sort control");
        assert!(
            html.contains(&format!(
                "<option value=\"\" selected>{default_label}</option>"
            )),
            "the default order submits no sort, so a query typed later is ordered by relevance"
        );
    }
    let request = SearchRequest {
        sort: Some(praxis::Sort::Newest),
        ..SearchRequest::text("genocide")
    };
    let response = kb.search(&request).unwrap();
    let html = Pages::new().search(&request, &response, &kb.taxonomy());
    assert!(html.contains("<option value=\"newest\" selected>Newest first</option>"));
    assert_eq!(html.matches("name=\"sort\"").count(), 1);
}

#[tokio::test]
async fn a_reloaded_url_with_sort_twice_or_a_bad_year_range_is_still_a_search_page() {
    let (_data, state) = web_app(Tokens::none());
    let (status, html) = page(&state, "/?q=genocide&sort=newest&sort=oldest&lang=en", &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("<option value=\"oldest\" selected>"),
        "the last sort counts"
    );
    let (status, html) = page(
        &state,
        "/?type=law&year_from=2010&year_to=2000&lang=en",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(
            "<p class=\"field-error\" id=\"year-error\">The first year is after the last one"
        ),
        "{html}"
    );
    assert!(
        html.contains("value=\"2010\" aria-invalid=\"true\""),
        "the fields keep what was typed"
    );
    assert!(
        html.contains("4 results"),
        "the search ran without the range"
    );
    let (status, html) = page(&state, "/?year_from=abc&lang=fr", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Les années doivent être des nombres comme 2010."));
}

#[tokio::test]
async fn language_links_keep_the_filters_and_a_deep_region_opens_its_branch() {
    let (_data, state) = web_app(Tokens::none());
    let (_, html) = page(
        &state,
        "/?q=genocide&region=eastern-africa&sort=oldest&lang=en",
        &[],
    )
    .await;
    assert!(html.contains("href=\"/?q=genocide&amp;region=eastern-africa&amp;sort=oldest&amp;lang=fr\" hreflang=\"fr\""), "{html}");
    // Africa > Sub-Saharan Africa > Eastern Africa: both ancestors are open.
    let opened = html.matches("<details open><summary>").count();
    assert!(opened >= 2, "{opened} branches open");
    assert!(
        !html.contains("<summary><label>") && !html.contains("<summary><input"),
        "no checkbox inside a summary"
    );
}

#[tokio::test]
async fn back_to_search_returns_to_the_search_the_reader_came_from() {
    let (_data, state) = web_app(Tokens::none());
    let host = [
        (header::HOST, "praxis.test"),
        (
            header::REFERER,
            "http://praxis.test/?q=cohesion&type=law&lang=en",
        ),
    ];
    let (_, html) = page(&state, "/documents/ke-cohesion-act?lang=en", &host).await;
    assert!(
        html.contains("<a href=\"/?q=cohesion&amp;type=law&amp;lang=en\" class=\"back\">"),
        "{html}"
    );
    let elsewhere = [
        (header::HOST, "praxis.test"),
        (header::REFERER, "http://evil.test/?q=x"),
    ];
    let (_, html) = page(&state, "/documents/ke-cohesion-act?lang=en", &elsewhere).await;
    assert!(html.contains("<a href=\"/?lang=en\" class=\"back\">"));
}

#[tokio::test]
async fn empty_results_never_claim_to_show_some_documents() {
    let (_data, state) = web_app(Tokens::none());
    let (_, html) = page(&state, "/?q=zzzyq+qqqxw&lang=en", &[]).await;
    assert!(html.contains("No documents match."));
    assert!(!html.contains("some of them"), "{html}");
}

#[tokio::test]
async fn pagination_links_go_to_the_results() {
    let (_data, state) = web_app(Tokens::none());
    let (_, html) = page(&state, "/?page_size=5&lang=en", &[]).await;
    assert!(
        html.contains("href=\"/?page=2&amp;page_size=5&amp;lang=en#results\""),
        "{html}"
    );
}

#[tokio::test]
async fn the_landing_says_what_praxis_is_with_live_counts_and_entry_points() {
    let (_data, state) = web_app(Tokens::none());
    let (status, html) = page(&state, "/?lang=en", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1 id=\"landing-heading\">Praxis"), "{html}");
    assert!(html.contains("It holds 12 documents about"), "live counts");
    assert!(html.contains("GAAMAC"));
    assert!(
        html.contains("href=\"/?type=law&amp;shareable=yes&amp;lang=en\""),
        "shareable laws"
    );
    assert!(
        html.contains("href=\"/?type=mechanism&amp;lang=en\""),
        "national mechanisms"
    );
    assert!(
        html.contains("href=\"/?type=curriculum&amp;lang=en\""),
        "curricula"
    );
    assert!(
        html.contains("href=\"/countries?lang=en\""),
        "country profiles"
    );
    assert!(
        html.contains("href=\"/?region=africa&amp;lang=en\""),
        "browse by region"
    );
    assert!(
        !html.contains("Curator desk"),
        "no desk link without curators"
    );
    // Nor on the pages that are not rendered with the search page's chrome.
    for path in ["/countries?lang=en", "/manual?lang=en", "/spectrum?lang=en"] {
        let (_, html) = page(&state, path, &[]).await;
        assert!(!html.contains("Curator desk"), "{path}: a desk link");
    }
    // A search is not the landing, and still has a (hidden) h1.
    let (_, html) = page(&state, "/?q=genocide&lang=en", &[]).await;
    assert!(!html.contains("landing-heading"));
    assert!(html.contains("<h1 class=\"visually-hidden\">Search Praxis</h1>"));

    let (_data, state) = web_app(Tokens::from_plain([("alice", "alice-token")]));
    let (_, html) = page(&state, "/?lang=fr", &[]).await;
    assert!(
        html.contains(">Espace curateurs</a>"),
        "the desk link with curators"
    );
    assert!(html.contains("Elle contient 12 documents"));
}

#[tokio::test]
async fn the_about_page_explains_the_format_shareable_no_data_dates_and_citing() {
    let (_data, state) = web_app(Tokens::none());
    let (status, html) = page(&state, "/about?lang=fr", &[(header::HOST, "praxis.test")]).await;
    assert_eq!(status, StatusCode::OK);
    for id in ["format", "shareable", "no-data", "dates", "cite"] {
        assert!(html.contains(&format!("<h2 id=\"{id}\">")), "{id}");
    }
    assert!(html.contains("La base contient 12 documents"), "{html}");
    assert!(html.contains("http://praxis.test/"), "citation address");
    assert!(html.contains("« pas de données »"));
}

#[tokio::test]
async fn results_show_language_law_status_shareable_and_export_links() {
    let (_data, state) = web_app(Tokens::none());
    let (_, html) = page(&state, "/?q=genocidio&type=law&lang=en", &[]).await;
    assert!(
        html.contains("<span class=\"lang-tag\">in Spanish</span>"),
        "{html}"
    );
    assert!(html.contains(" · In force · <span class=\"shareable yes\">shareable</span>"));
    assert!(
        html.contains("href=\"/api/search?q=genocidio&amp;type=law&amp;lang=en&amp;format=csv\"")
    );
    assert!(html
        .contains("href=\"/api/search?q=genocidio&amp;type=law&amp;lang=en&amp;format=ndjson\""));
    assert!(html.contains("href=\"/feed.atom?q=genocidio&amp;type=law&amp;lang=en\""));
    // The same language as the page is not repeated on each result.
    let (_, html) = page(&state, "/?q=genocidio&type=law&lang=es", &[]).await;
    assert!(
        !html.to_lowercase().contains("lang-tag\">en español"),
        "{html}"
    );
    // The export link is a working export of the same search.
    let (status, csv) = page(
        &state,
        "/api/search?q=genocidio&type=law&lang=en&format=csv",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("ar-ley-26200"));
}

#[tokio::test]
async fn timestamps_are_readable_and_unset_fields_are_not_shown() {
    let (_data, state) = web_app(Tokens::none());
    let (_, html) = page(&state, "/documents/ug-icc-act/history?lang=fr", &[]).await;
    let time = html.split("<time datetime=\"").nth(1).unwrap();
    let shown = &time[time.find('>').unwrap() + 1..time.find("</time>").unwrap()];
    assert!(shown.ends_with(" UTC") && shown.contains(" 20"), "{shown}");
    assert!(!shown.contains('-'), "not the machine form: {shown}");
    // A mechanism without `shareable` or `early_warning` shows neither.
    let (_, html) = page(&state, "/documents/ke-ncic?lang=en", &[]).await;
    assert!(!html.contains("data-field=\"shareable\""));
    assert!(!html.contains(">No<"), "{html}");
}

// --- the curator desk, signed in through the router ------------------------------------------

struct Curator {
    state: AppState,
    cookie: String,
    csrf: String,
}

impl Curator {
    async fn sign_in(state: &AppState, token: &str) -> Curator {
        let response = server::router(state.clone())
            .oneshot(
                Request::post("/curate/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!("token={token}&lang=en")))
                    .unwrap(),
            )
            .await
            .unwrap();
        let cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let (_, html) = page(state, "/curate?lang=en", &[(header::COOKIE, &cookie)]).await;
        let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap();
        let csrf = csrf[..csrf.find('"').unwrap()].to_string();
        Curator {
            state: state.clone(),
            cookie,
            csrf,
        }
    }

    async fn get(&self, uri: &str) -> (StatusCode, String) {
        page(&self.state, uri, &[(header::COOKIE, &self.cookie)]).await
    }

    async fn post(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf", &self.csrf)
            .append_pair("lang", "en")
            .extend_pairs(fields)
            .finish();
        let response = server::router(self.state.clone())
            .oneshot(
                Request::post(uri)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, &self.cookie)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string());
        let body = axum::body::to_bytes(response.into_body(), 16 << 20)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap(), location)
    }
}

#[tokio::test]
async fn withdrawal_needs_a_reason_is_recorded_refused_twice_and_restorable() {
    let (_data, state) = web_app(Tokens::from_plain([("alice", "alice-token")]));
    let alice = Curator::sign_in(&state, "alice-token").await;
    let (_, html) = alice.get("/documents/ke-ncic?lang=en").await;
    assert!(
        html.contains("href=\"/curate/edit?id=ke-ncic&amp;lang=en\""),
        "Edit for a curator"
    );
    let (_, html) = alice.get("/curate/withdraw?id=ke-ncic&lang=en").await;
    assert!(html.contains("Withdraw “"), "a confirmation step");
    let base = html
        .split("name=\"base_revision\" value=\"")
        .nth(1)
        .unwrap();
    let base = base[..base.find('"').unwrap()].to_string();

    let (status, html, _) = alice
        .post(
            "/curate/documents/ke-ncic/withdraw",
            &[("reason", " "), ("base_revision", &base)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"reason-error\">Give a reason"));

    let (status, _, location) = alice
        .post(
            "/curate/documents/ke-ncic/withdraw",
            &[("reason", "Superseded"), ("base_revision", &base)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "withdrawn");
    assert!(location.unwrap().contains("done=withdrawn"));
    let (status, html, _) = alice
        .post("/curate/documents/ke-ncic/withdraw", &[("reason", "Again")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("This document is already withdrawn."),
        "{html}"
    );

    let (_, html) = alice.get("/documents/ke-ncic?lang=en").await;
    assert!(
        html.contains(" by alice: Superseded. Its history is kept."),
        "{html}"
    );
    let (_, html) = alice.get("/documents/ke-ncic/history?lang=en").await;
    assert!(
        html.contains("<td>Withdrawn: <span class=\"reason\">Superseded</span></td>"),
        "{html}"
    );
    let (_, html) = alice.get("/curate?lang=en").await;
    assert!(
        html.contains("<td>Withdrawn</td>"),
        "the audit log in words"
    );

    let (status, _, location) = alice
        .post("/curate/documents/ke-ncic/restore", &[("reason", "Back")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().contains("done=restored"));
    let (_, html) = alice.get("/documents/ke-ncic?lang=en").await;
    assert!(!html.contains("notice withdrawn"));
    let (status, html, _) = alice.post("/curate/documents/ke-ncic/restore", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("This document is not withdrawn."));
}

#[tokio::test]
async fn a_save_over_a_newer_revision_shows_a_merge_view_and_keeps_the_text() {
    let (_data, state) = web_app(Tokens::from_plain([
        ("alice", "alice-token"),
        ("bob", "bob-token"),
    ]));
    let alice = Curator::sign_in(&state, "alice-token").await;
    let bob = Curator::sign_in(&state, "bob-token").await;
    let (_, html) = alice.get("/curate/edit?id=ug-icc-act&lang=en").await;
    assert!(
        html.contains("name=\"base_revision\" value=\"1\""),
        "the form carries its base"
    );
    let record = state.kb().document("ug-icc-act").unwrap().unwrap();
    let bobs = record
        .source_text
        .replace("sets out cooperation", "regulates cooperation");
    let (status, _, _) = bob
        .post(
            "/curate/documents/ug-icc-act",
            &[("markdown", &bobs), ("base_revision", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let alices = record
        .source_text
        .replace("sets out cooperation", "organises cooperation");
    let (status, html, _) = alice
        .post(
            "/curate/documents/ug-icc-act",
            &[("markdown", &alices), ("base_revision", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("Someone saved revision 2 while you were editing."),
        "{html}"
    );
    assert!(html.contains("organises cooperation"), "her text is kept");
    assert!(
        html.contains("name=\"base_revision\" value=\"2\""),
        "the next save is based on the current revision"
    );
    let (status, _, _) = alice
        .post(
            "/curate/documents/ug-icc-act",
            &[("markdown", &alices), ("base_revision", "2")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "saved once merged");
}

#[tokio::test]
async fn the_desk_of_an_instance_without_curators_says_so() {
    let (_data, state) = web_app(Tokens::none());
    let (_, html) = page(&state, "/curate?lang=en", &[]).await;
    assert!(html.contains("has no curators configured"), "{html}");
}

#[tokio::test]
async fn a_save_warns_about_ids_in_the_text_that_no_document_has() {
    let (_data, state) = web_app(Tokens::from_plain([("alice", "alice-token")]));
    let alice = Curator::sign_in(&state, "alice-token").await;
    let fields = [
        ("title", "A report mentioning others"),
        ("type", "report"),
        ("language", "en"),
        ("summary", "A summary."),
        ("themes", "genocide"),
        ("year", "2020"),
        ("source_citation", "Report 1"),
        ("body", "See `ke-ncic` and `ke-no-such-document`."),
        ("action", "save"),
    ];
    let (status, _, location) = alice.post("/curate/documents", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    assert!(
        location.contains("unknown=ke-no-such-document"),
        "{location}"
    );
    assert!(
        !location.contains("ke-ncic"),
        "an existing id is no warning: {location}"
    );
    let (_, html) = alice.get(&location).await;
    assert!(
        html.contains(
            "The text mentions identifiers that no document has: <code>ke-no-such-document</code>"
        ),
        "{html}"
    );
    let (_, html) = alice
        .get("/documents/a-report-mentioning-others?lang=en")
        .await;
    assert!(html.contains("<a href=\"/documents/ke-ncic?lang=en\"><code>ke-ncic</code></a>"));
    assert!(
        html.contains("<code>ke-no-such-document</code>")
            && !html.contains("/documents/ke-no-such-document")
    );
}

/// What the query names is offered as a filter link above the results (never applied without a
/// click), and glossary expansions are said, in the page language.
#[test]
fn the_search_page_offers_the_filters_a_query_names_and_says_what_else_it_searched() {
    let (_data, kb) = crate::search::relevance_kb();
    let request = SearchRequest {
        lang: Lang::Fr,
        ..SearchRequest::text("truth commissions Asia")
    };
    let response = kb.search(&request).unwrap();
    let html = Pages::new().search(&request, &response, &kb.taxonomy());
    assert!(html.contains("Filtrer par"), "{html}");
    assert!(
        html.contains("href=\"/?q=truth+commissions+Asia&amp;region=asia&amp;lang=fr\""),
        "the suggestion links to the search with the filter added: {html}"
    );
    // Nothing was filtered: the Peruvian commission is still among the results.
    assert!(html.contains("/documents/pe-truth-commission?lang=fr"));
    let request = SearchRequest::text("early warning");
    let response = kb.search(&request).unwrap();
    assert!(
        !response.expansions.is_empty(),
        "the glossary expands “early warning”"
    );
    let html = Pages::new().search(&request, &response, &kb.taxonomy());
    assert!(html.contains("Also searched:"), "{html}");
    assert!(html.contains("“early warning” →"), "{html}");
}

/// The manual's fixture (the default taxonomy, guides, networks, documents on Kenya), with a
/// curator: every kind of page has something to show.
fn every_page_app() -> (tempfile::TempDir, AppState) {
    let data = tempfile::tempdir().unwrap();
    let kb = praxis::KnowledgeBase::open(data.path()).unwrap();
    let report = kb
        .ingest(&[crate::common::fixture("manual")], &|_, _| {})
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let tokens = Tokens::from_plain([("alice", "alice-token")]);
    (data, AppState::new(Arc::new(kb), tokens))
}

const EVERY_PAGE: &[&str] = &[
    "/?lang=en",
    "/manual?lang=fr",
    "/manual/establishing?lang=en",
    "/spectrum?lang=es",
    "/countries?lang=en",
    "/countries/KE?lang=en",
    "/laws?country=KE&lang=en",
    "/regions?lang=en",
    "/regions/africa?lang=en",
    "/compare?countries=KE,UG&lang=en",
    "/networks?lang=en",
    "/glossary?lang=en",
    "/curriculum?lang=en",
    "/about?lang=en",
    "/documents/ke-fixture-committee?lang=en",
    "/documents/ke-fixture-committee/history?lang=en",
];

#[tokio::test]
async fn every_page_refuses_a_language_it_does_not_have_and_names_the_parameter() {
    let (_data, state) = every_page_app();
    for uri in EVERY_PAGE {
        let (status, _) = page(&state, uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let unknown = ["en", "fr", "es"].iter().fold(uri.to_string(), |u, l| {
            u.replace(&format!("lang={l}"), "lang=xx")
        });
        let (status, html) = page(&state, &unknown, &[(header::ACCEPT_LANGUAGE, "fr")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{unknown}");
        assert!(
            html.contains("lang") && html.contains("« xx »") && html.contains("<html lang=\"fr\""),
            "{unknown}: the refusal names the parameter, in the browser's language: {html}"
        );
    }
}

#[tokio::test]
async fn every_page_offers_a_signed_in_curator_the_desk_in_its_header() {
    let (_data, state) = every_page_app();
    let alice = Curator::sign_in(&state, "alice-token").await;
    for uri in EVERY_PAGE {
        let (status, html) = alice.get(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {html}");
        assert!(
            html.contains("class=\"curate-link\""),
            "{uri} has no link to the desk in its header"
        );
    }
    // A reader who is not signed in on an instance with curators sees the same header.
    let (_, html) = page(&state, "/spectrum?lang=en", &[]).await;
    assert!(html.contains("class=\"curate-link\""));
}
