//! The spectrum from prevention to reparation on the `spectrum` fixture corpus
//! (`tests/fixtures/spectrum/`): the `stage` facet counts disjunctively like the other groups;
//! `/spectrum` and `/api/spectrum` lay a country's documents out by stage and name the stages
//! with none; bad parameters answer 400 naming the parameter in the request's language.
//!
//! The fixture: Kenya has a committee (structural prevention, early warning), trials
//! (accountability), a reparations law (reparation, memory) and a report placed on no stage;
//! Uganda a warning system (early warning, early action); Tanzania a truth report
//! (accountability, memory); France a law (accountability); a course with no country
//! (structural prevention, protection).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use praxis::server::{self, AppState, Tokens};
use praxis::spectrum::{spectrum, Scope};
use praxis::{FacetGroup, KnowledgeBase, Lang, SearchRequest, SearchResponse};
use serde_json::Value;
use tower::ServiceExt;

use crate::common::fixture;

fn kb() -> (tempfile::TempDir, KnowledgeBase) {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[fixture("spectrum")], &|_, _| {}).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.added.len(), 8);
    (data, kb)
}

fn counts(response: &SearchResponse, group: FacetGroup) -> BTreeMap<String, u64> {
    response
        .facets
        .iter()
        .find(|f| f.group == group)
        .unwrap_or_else(|| panic!("no {group:?} facet"))
        .values
        .iter()
        .map(|v| (v.value.clone(), v.count))
        .collect()
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn stage_facet_counts_are_disjunctive_like_the_other_groups() {
    let (_data, kb) = kb();
    let accountability = kb
        .search(&SearchRequest::default().filter(FacetGroup::Stage, "accountability"))
        .unwrap();
    assert_eq!(accountability.total, 3);
    // The stage group ignores its own selection: every stage still shows what it would add.
    assert_eq!(
        counts(&accountability, FacetGroup::Stage),
        map(&[
            ("structural-prevention", 2),
            ("early-warning", 2),
            ("early-action", 1),
            ("protection", 1),
            ("accountability", 3),
            ("reparation", 1),
            ("memory-and-non-recurrence", 2),
        ])
    );
    // Its values read in the spectrum's order, not by count.
    let order: Vec<&str> = accountability
        .facets
        .iter()
        .find(|f| f.group == FacetGroup::Stage)
        .unwrap()
        .values
        .iter()
        .map(|v| v.value.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "structural-prevention",
            "early-warning",
            "early-action",
            "protection",
            "accountability",
            "reparation",
            "memory-and-non-recurrence"
        ]
    );
    // The other groups count within it.
    assert_eq!(
        counts(&accountability, FacetGroup::Type),
        map(&[("case-study", 1), ("law", 1), ("report", 1)])
    );

    // Two stages are ORed; a country is ANDed, and the stage counts follow it.
    let kenya = kb
        .search(
            &SearchRequest::default()
                .filter(FacetGroup::Stage, "accountability")
                .filter(FacetGroup::Stage, "reparation")
                .filter(FacetGroup::Country, "KE"),
        )
        .unwrap();
    let mut ids: Vec<&str> = kenya.hits.iter().map(|h| h.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["ke-spectrum-reparations-law", "ke-spectrum-trials"]);
    assert_eq!(
        counts(&kenya, FacetGroup::Stage),
        map(&[
            ("structural-prevention", 1),
            ("early-warning", 1),
            ("accountability", 1),
            ("reparation", 1),
            ("memory-and-non-recurrence", 1),
        ])
    );
    let selected: Vec<&str> = kenya
        .facets
        .iter()
        .find(|f| f.group == FacetGroup::Stage)
        .unwrap()
        .values
        .iter()
        .filter(|v| v.selected)
        .map(|v| v.value.as_str())
        .collect();
    assert_eq!(selected, ["accountability", "reparation"]);

    // A typo is refused with a suggestion, naming the group.
    let error = kb
        .search(&SearchRequest::default().filter(FacetGroup::Stage, "reparations"))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "stage: unknown value \"reparations\"; did you mean \"reparation\"?"
    );
}

#[test]
fn the_spectrum_of_a_country_lists_its_documents_by_stage_and_names_the_empty_stages() {
    let (_data, kb) = kb();
    let kenya = spectrum(&kb, &Scope::Country("KEN".into()), Lang::En).unwrap();
    assert_eq!(kenya.total, 4, "every document about Kenya");
    assert_eq!(kenya.placed, 3, "the report has no stage");
    assert_eq!(kenya.empty_stages, ["early-action", "protection"]);
    let slugs: Vec<&str> = kenya.stages.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "structural-prevention",
            "early-warning",
            "early-action",
            "protection",
            "accountability",
            "reparation",
            "memory-and-non-recurrence"
        ],
        "every stage, in the spectrum's order, the empty ones too"
    );
    let stage = |slug: &str| kenya.stages.iter().find(|s| s.slug == slug).unwrap();
    let accountability = stage("accountability");
    assert_eq!(accountability.count, 1);
    assert_eq!(accountability.types.len(), 1);
    assert_eq!(accountability.types[0].doc_type, "case-study");
    assert_eq!(
        accountability.types[0].documents[0].id,
        "ke-spectrum-trials"
    );
    let reparation = stage("reparation");
    assert_eq!(reparation.types[0].doc_type, "law");
    assert_eq!(
        reparation.types[0].documents[0].title,
        "Fixture reparations law (Kenya)"
    );
    assert_eq!(stage("protection").count, 0);
    assert!(stage("protection").types.is_empty());

    // The world: every stage has something; a region includes its countries.
    let world = spectrum(&kb, &Scope::World, Lang::En).unwrap();
    assert_eq!((world.total, world.placed), (8, 7));
    assert!(world.empty_stages.is_empty());
    let east = spectrum(&kb, &Scope::Region("eastern-africa".into()), Lang::Fr).unwrap();
    assert_eq!(east.total, 6);
    assert_eq!(east.empty_stages, ["protection"]);
    assert_eq!(east.scope.name.as_deref(), Some("Afrique orientale"));
    assert_eq!(east.stages[0].label, "Prévention structurelle");
}

struct App {
    _data: tempfile::TempDir,
    state: AppState,
}

impl App {
    fn new() -> App {
        let (data, kb) = kb();
        App {
            _data: data,
            state: AppState::new(Arc::new(kb), Tokens::default()),
        }
    }

    async fn get(&self, uri: &str) -> (StatusCode, String) {
        let response = server::router(self.state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn json(&self, uri: &str) -> (StatusCode, Value) {
        let (status, body) = self.get(uri).await;
        let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        (status, json)
    }
}

#[tokio::test]
async fn the_spectrum_page_and_api_show_a_country_by_stage_with_its_gaps() {
    let app = App::new();
    let (status, body) = app.json("/api/spectrum?country=ke").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"]["kind"], "country");
    assert_eq!(body["scope"]["code"], "KEN");
    assert_eq!(body["scope"]["name"], "Kenya");
    assert_eq!(body["total"], 4);
    assert_eq!(
        body["empty_stages"],
        serde_json::json!(["early-action", "protection"])
    );
    let accountability = body["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == "accountability")
        .unwrap();
    assert_eq!(
        accountability["types"][0]["documents"][0]["id"],
        "ke-spectrum-trials"
    );

    let (status, html) = app.get("/spectrum?country=KE&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<title>From prevention to reparation — Kenya · Praxis</title>"));
    assert!(
        html.contains("4 documents in Praxis about Kenya, 3 of them placed on the spectrum."),
        "{html}"
    );
    assert!(html.contains("Stages with no document in Praxis yet for Kenya:"));
    assert!(
        html.contains(r##"<a href="#stage-early-action">Early action and crisis response</a>"##)
    );
    assert!(html.contains("No document in Praxis yet."));
    assert!(
        !html.contains("none exist"),
        "a gap is never said to be an absence"
    );
    // Each stage links to the search filtered by it within the country.
    assert!(html.contains(r#"href="/?country=KEN&amp;stage=accountability&amp;lang=en""#));
    assert!(html.contains(r#"href="/documents/ke-spectrum-trials?lang=en""#));
    // The country's regions have their own spectrum, and its profile is linked.
    assert!(html.contains(r#"href="/spectrum?region=eastern-africa&amp;lang=en""#));
    assert!(html.contains(r#"href="/countries/KE?lang=en""#));

    // The country's profile links to its spectrum; every page's header to the spectrum.
    let (status, profile) = app.get("/countries/KE?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(profile.contains(r#"href="/spectrum?country=KE&amp;lang=en""#));
    assert!(profile.contains(r#"href="/spectrum?lang=en">Prevention to reparation</a>"#));

    // A document's metadata panel lists its stages, each a link to the search by stage; a
    // document placed on no stage has no such row (never an empty "none").
    let (status, page) = app
        .get("/documents/ke-spectrum-reparations-law?lang=fr")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(
        r#"<dt data-field="stages">Étapes (de la prévention à la réparation)</dt><dd><a href="/?stage=reparation&amp;lang=fr">Réparation</a>, <a href="/?stage=memory-and-non-recurrence&amp;lang=fr">Mémoire et non-répétition</a></dd>"#
    ), "{page}");
    let (_, page) = app.get("/documents/ke-spectrum-unplaced?lang=en").await;
    assert!(!page.contains(r#"data-field="stages""#));

    let (status, html) = app.get("/spectrum?country=KE&lang=es").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Todavía no hay ningún documento en Praxis."));
    assert!(html.contains("Acción temprana y respuesta a crisis"));

    // The filtered search the stage links to finds what the spectrum counted.
    let (status, body) = app
        .json("/api/search?country=KE&stage=accountability,reparation")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 2);
    // Exports carry the stages.
    let (status, csv) = app.get("/api/search?country=KE&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains(",themes,stages,mechanism_types,"),
        "{header}"
    );
    assert!(
        csv.contains("reparation;memory-and-non-recurrence"),
        "{csv}"
    );
}

#[tokio::test]
async fn bad_country_or_region_parameters_are_400_naming_the_parameter() {
    let app = App::new();
    let (status, body) = app.json("/api/spectrum?country=XQ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_parameter");
    assert_eq!(body["error"]["parameter"], "country");

    let (status, body) = app
        .json("/api/spectrum?region=eastern-afrika&lang=fr")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["parameter"], "region");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("region: région inconnue « eastern-afrika »")
            && message.contains("vouliez-vous dire eastern-africa ?"),
        "{message}"
    );

    let (status, body) = app.json("/api/spectrum?country=KE&region=africa").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["parameter"], "country");
    let (status, body) = app.json("/api/spectrum?country=KE&country=UG").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["parameter"], "country");
    let (status, body) = app.json("/api/spectrum?stage=reparation").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["parameter"], "stage");

    // The page answers 400 too, with the message and the forms to correct it.
    let (status, html) = app.get("/spectrum?country=Atlantis&lang=es").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("country: país desconocido «Atlantis»"),
        "{html}"
    );
    assert!(html.contains(r#"<select id="spectrum-country" name="country">"#));
    assert!(
        !html.contains(r#"class="spectrum""#),
        "no stages under an error"
    );
}
