//! `/compare`, `/api/compare`, `/countries` with the world map, and `/regions/{slug}`, driven
//! in-process through the router on the `compare` fixture corpus (`tests/fixtures/compare/`).
//! Treaty facts come from the shipped UN Treaty Collection data (status as of 2026-02-03).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use praxis::server::{self, AppState, Tokens};
use praxis::KnowledgeBase;
use serde_json::Value;
use tower::ServiceExt;

use crate::common::fixture;

struct App {
    _data: tempfile::TempDir,
    state: AppState,
}

fn app() -> App {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[fixture("compare")], &|_, _| {}).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.added.len(), 5);
    App {
        _data: data,
        state: AppState::new(Arc::new(kb), Tokens::default()),
    }
}

impl App {
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

fn instrument<'a>(comparison: &'a Value, slug: &str) -> &'a Value {
    comparison["instruments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["instrument"] == slug)
        .unwrap_or_else(|| panic!("no instrument {slug}"))
}

#[tokio::test]
async fn three_states_side_by_side_with_dates_and_mechanisms_aligned() {
    let app = app();
    let (status, body) = app.json("/api/compare?countries=KE,TZ,UG&lang=en").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let names: Vec<&str> = body["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["iso3"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["KEN", "TZA", "UGA"]);

    // ICERD: all three acceded, each with its own date (participation.csv).
    let icerd = instrument(&body, "icerd");
    let dates: Vec<&str> = icerd["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2001-09-13", "1972-10-27", "1980-11-21"]);
    assert!(icerd["cells"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "party" && c["action"] == "accession"));
    // Kenya signed the CED without ratifying it; no State is "not a party" where the data is silent.
    assert_eq!(
        instrument(&body, "ced")["cells"][0]["status"],
        "signed_only"
    );
    let cat = instrument(&body, "cat");
    assert_eq!(cat["cells"][1]["status"], "no_data");
    assert_eq!(cat["cells"][1]["reason"], "not_in_data");

    // The Rome Statute (complete list, 2026-08-22) and the Genocide Convention (2015: stale).
    let rome = instrument(&body, "rome-statute");
    assert_eq!(rome["in_basket"], true);
    assert_eq!(rome["cells"][0]["status"], "party");
    assert_eq!(rome["cells"][0]["date"], "2005-03-15");
    let genocide = instrument(&body, "genocide-convention");
    assert_eq!(genocide["cells"][0]["stale"], true);
    assert!(genocide["cells"][0]["data_date"]
        .as_str()
        .unwrap()
        .starts_with("2015"));

    // Adherence counts over the default basket agree with the basket's cells.
    assert_eq!(body["basket"]["slug"], "atrocity-prevention-core");
    for (column, country) in body["countries"].as_array().unwrap().iter().enumerate() {
        let party = body["instruments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row["in_basket"] == true)
            .filter(|row| row["cells"][column]["status"] == "party")
            .count();
        assert_eq!(country["party"], party, "{}", country["iso3"]);
        assert!(country["with_data"].as_u64().unwrap() >= party as u64);
        // Its rank in Eastern Africa, then Sub-Saharan Africa, then Africa.
        let regions: Vec<&str> = country["standings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["region"]["slug"].as_str().unwrap())
            .collect();
        assert_eq!(regions, ["eastern-africa", "sub-saharan-africa", "africa"]);
        assert_eq!(country["standings"][0]["party"], party);
    }
    let (status, other) = app
        .json("/api/compare?countries=KE,TZ&basket=core-human-rights")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(other["basket"]["slug"], "core-human-rights");
    assert_eq!(other["instruments"][0]["instrument"], "icerd");

    // Mechanisms by type: NHRIs of Kenya and Tanzania on one row, Uganda's cell empty.
    assert_eq!(body["mechanism_counts"], serde_json::json!([2, 1, 0]));
    let groups = body["mechanisms"].as_array().unwrap();
    let nhri = groups
        .iter()
        .find(|g| g["mechanism_type"] == "nhri")
        .unwrap();
    let row = &nhri["rows"][0];
    assert_eq!(row[0]["id"], "ke-fixture-nhri");
    assert_eq!(row[1]["id"], "tz-fixture-nhri");
    assert!(row[2].is_null());
    assert_eq!(row[0]["established"], 2011);
    assert_eq!(row[1]["established"], 2001);
    // A legal basis that is a law in the knowledge base is linked; a citation stays text.
    assert_eq!(row[0]["legal_basis"]["document"], "ke-fixture-act");
    assert_eq!(
        row[0]["legal_basis"]["text"],
        "Fixture cohesion act (Kenya)"
    );
    assert_eq!(
        row[1]["legal_basis"]["text"],
        "Fixture Constitution, article 129"
    );
    assert_eq!(row[0]["early_warning"], true);
    assert!(row[1]["early_warning"].is_null(), "unset, not false");
    assert!(row[1]["mandate"].is_null());
    let committee = groups
        .iter()
        .find(|g| g["mechanism_type"] == "national-committee")
        .unwrap();
    assert_eq!(committee["rows"][0][0]["id"], "ke-fixture-committee");
    assert!(committee["rows"][0][1].is_null() && committee["rows"][0][2].is_null());

    // The page says what is missing, never "No" for an unset field.
    let (status, html) = app.get("/compare?countries=KE,TZ,UG&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<td class=\"not-recorded\">not recorded</td>"),
        "empty cell"
    );
    assert!(html.contains("No mechanism of this type in Praxis"));
    let tanzania_fields: Vec<&str> = html
        .split("<tr class=\"mechanism-field\">")
        .skip(1)
        .map(|row| row.split("</tr>").next().unwrap())
        .collect();
    // Six fields per aligned row; the Early-warning row of the NHRIs: Yes for Kenya, not recorded for Tanzania.
    let early_warning = tanzania_fields
        .iter()
        .find(|row| row.contains("Early-warning role") && row.contains("Yes"))
        .unwrap();
    assert!(
        early_warning.contains("<td>Yes</td><td class=\"not-recorded\">not recorded</td>"),
        "{early_warning}"
    );
    assert!(!html.contains("<td>No</td>"));
    assert!(html.contains("accession 2001-09-13"));
    assert!(
        html.contains("(stale: 2015"),
        "the Genocide Convention's data date is flagged"
    );
    assert!(html.contains("href=\"/countries/KE?lang=en\""));
}

#[tokio::test]
async fn bad_or_too_many_values_name_the_parameter() {
    let app = app();
    for (query, parameter, fragment) in [
        ("countries=KE", "countries", "2 to 4"),
        ("countries=KE,TZ,UG,RW,BI", "countries", "5 given"),
        ("countries=KE,XX", "countries", "unknown country \"XX\""),
        ("countries=Keny,TZ", "countries", "did you mean Kenya"),
        ("countries=KE,KEN", "countries", "given twice"),
        (
            "documents=ke-fixture-act,nope",
            "documents",
            "no document \"nope\"",
        ),
        ("documents=ke-fixture-act", "documents", "1 given"),
        ("countries=KE,TZ&documents=a,b", "countries", "not both"),
        ("", "countries", "countries=KE,TZ"),
        ("countries=KE,TZ&country=UG", "country", "unknown parameter"),
        (
            "countries=KE,TZ&basket=nope",
            "basket",
            "unknown basket \"nope\"",
        ),
    ] {
        let (status, body) = app.json(&format!("/api/compare?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_parameter", "{query}");
        assert_eq!(body["error"]["parameter"], parameter, "{query}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{parameter}: ")), "{message}");
        assert!(message.contains(fragment), "{query}: {message}");
    }
    // The page shows the problem in the reader's language, with the form to correct it.
    let (status, html) = app.get("/compare?countries=KE,XX&lang=fr").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("countries : pays inconnu « XX »"), "{html}");
    assert!(html.contains("value=\"KE,XX\""));
    let (status, html) = app.get("/compare?lang=es").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Estados (2 a 4 códigos ISO)"));
}

#[tokio::test]
async fn two_laws_align_metadata_and_matching_sections() {
    let app = app();
    let (status, body) = app
        .json("/api/compare?documents=ke-fixture-act,ug-fixture-act&lang=en")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row = |field: &str| {
        body["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["field"] == field)
            .unwrap_or_else(|| panic!("no {field} row"))
            .clone()
    };
    assert_eq!(row("status")["cells"][0][0]["label"], "In force");
    assert_eq!(row("shareable")["cells"][0][0]["label"], "Yes");
    assert_eq!(row("shareable")["cells"][1][0]["label"], "No");
    // Only Kenya's act records instruments: Uganda's cell is empty, not "No".
    assert_eq!(row("instruments")["cells"][1], serde_json::json!([]));
    assert!(
        body["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["field"] != "mandate"),
        "a field neither records is left out"
    );

    let sections: Vec<(Option<String>, Option<String>, bool)> = body["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let heading = |i: usize| {
                r["cells"][i]
                    .as_object()
                    .map(|c| c["heading"].as_str().unwrap_or("(preamble)").to_string())
            };
            (heading(0), heading(1), r["matched"].as_bool().unwrap())
        })
        .collect();
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        sections,
        vec![
            (s("(preamble)"), s("(preamble)"), true),
            (s("1. Definitions"), s("Part I — Definitions"), true),
            (s("2. Hate speech"), s("Part II — Jurisdiction"), false),
            (s("3. Penalties"), s("Part III — Penalties"), true),
            (None, s("Schedule"), false),
        ]
    );

    let (status, html) = app
        .get("/compare?documents=ke-fixture-act,ug-fixture-act&lang=en")
        .await;
    assert_eq!(status, StatusCode::OK);
    let penalties = html
        .split("<tr class=\"section-row matched\">")
        .find(|row| row.contains("3. Penalties"))
        .unwrap();
    assert!(penalties.contains("Kenyan penalties") && penalties.contains("Ugandan penalties"));
    assert!(html.contains("<td class=\"none\">No matching section</td>"));
    assert!(html.contains("<td class=\"not-recorded\">not recorded</td>"));
}

#[tokio::test]
async fn the_countries_page_links_every_state_on_the_map_and_in_a_table() {
    let app = app();
    let (status, html) = app.get("/countries?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg class=\"world-map\""));
    assert!(!html.contains("<script>"));
    // Kenya on the map: a link to its profile, with a title giving its count, in a legend class.
    let kenya = html
        .split("<a href=\"/countries/KE?lang=en\" class=\"")
        .nth(1)
        .expect("Kenya is a link on the map");
    let class = kenya.split('"').next().unwrap();
    assert!(class.starts_with("c-adh-"), "{class}");
    assert!(
        kenya.contains("<title>Kenya: party to "),
        "{}",
        &kenya[..200]
    );
    assert!(html.contains(&format!("<li class=\"legend-{class}\">")));
    // The same data as a table: every UN member and observer State.
    assert_eq!(html.matches("<tr data-iso=").count(), 195);
    assert!(html.contains("<tr data-iso=\"KEN\">"));
    // Documents are counted per country (two Kenyan mechanisms and one law).
    let kenya_row = html.split("<tr data-iso=\"KEN\">").nth(1).unwrap();
    let kenya_row = kenya_row.split("</tr>").next().unwrap();
    assert!(
        kenya_row.ends_with("<td class=\"num\">3</td>\n      "),
        "{kenya_row}"
    );

    // The search box filters the table (no JavaScript: a GET form).
    let (_, html) = app.get("/countries?q=tanz&lang=en").await;
    assert_eq!(html.matches("<tr data-iso=").count(), 1);
    assert!(html.contains("<tr data-iso=\"TZA\">"));
    let (_, html) = app.get("/countries?q=zzz&lang=en").await;
    assert!(html.contains("No State matches “zzz”."));

    // By status under one instrument, and by documents.
    let (status, html) = app.get("/countries?instrument=icerd&lang=fr").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(
        "class=\"c-party\" data-iso=\"KEN\" fill=\"#2166ac\"><title>Kenya: Partie (adhésion 2001-09-13)</title>"
    ));
    assert!(html.contains("legend-c-no-data"));
    let (_, html) = app.get("/countries?map=documents&lang=en").await;
    assert!(html.contains("class=\"c-docs-2\" data-iso=\"KEN\" fill=\""));
    assert!(html.contains("<title>Kenya: 3 documents</title>"));

    // Bad parameters are 400 pages naming them.
    for (query, parameter) in [
        ("instrument=rome-statut", "instrument"),
        ("map=colours", "map"),
        ("sort=size", "sort"),
        ("colour=red", "colour"),
    ] {
        let (status, html) = app.get(&format!("/countries?{query}&lang=en")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            html.contains(&format!("<p>{parameter}: ")),
            "{query}: {html}"
        );
    }
}

#[tokio::test]
async fn a_region_grid_sorts_by_any_column_and_unknown_regions_are_404() {
    let app = app();
    let (status, html) = app.get("/regions/eastern-africa?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let grid = html.split("<table class=\"grid\">").nth(1).unwrap();
    let grid = grid.split("</table>").next().unwrap();
    let rows: Vec<&str> = grid.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 18, "the 18 States of Eastern Africa");
    let first_state = |rows: &[&str]| {
        rows[0]
            .split("?lang=en\">")
            .nth(1)
            .unwrap()
            .split("</a>")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(first_state(&rows), "Burundi", "by name by default");
    // A status cell: a symbol, a text alternative, and the dates on hover.
    assert!(grid.contains("<td class=\"st st-party\" title=\"Party — accession 2001-09-13\"><span aria-hidden=\"true\">●</span><span class=\"visually-hidden\">Party — accession 2001-09-13</span></td>"));

    // Sorted by ICERD, earliest party first; reversed with order=desc.
    let (_, html) = app.get("/regions/eastern-africa?sort=icerd&lang=en").await;
    assert!(html.contains(
        "aria-sort=\"ascending\"><a href=\"/regions/eastern-africa?sort=icerd&amp;order=desc"
    ));
    let grid = html.split("<table class=\"grid\">").nth(1).unwrap();
    let rows: Vec<&str> = grid.split("<tr>").skip(2).collect();
    assert_eq!(
        first_state(&rows),
        "Madagascar",
        "ratified 1969-02-07, the earliest"
    );
    // By adherence, most first: the ranking's leader.
    let (_, html) = app
        .get("/regions/eastern-africa?sort=adherence&order=desc&lang=en")
        .await;
    let ranking = html
        .split("<table class=\"ranking-table\">")
        .nth(1)
        .unwrap();
    let leader = ranking
        .split("<th scope=\"row\"><a href=\"")
        .nth(1)
        .unwrap();
    let leader = leader
        .split("\">")
        .nth(1)
        .unwrap()
        .split("</a>")
        .next()
        .unwrap();
    let grid = html.split("<table class=\"grid\">").nth(1).unwrap();
    let rows: Vec<&str> = grid.split("<tr>").skip(2).collect();
    assert_eq!(first_state(&rows), leader);
    assert!(html.contains("<svg class=\"bar-chart\""));
    assert_eq!(html.matches("<rect class=\"bar\"").count(), 18);

    let (status, html) = app.get("/regions/eastern-afrika?lang=en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("There is no region “eastern-afrika”"));
    assert!(html.contains("(eastern-africa?)"));
    let (status, _) = app.get("/regions/eastern-africa?sort=colour").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, html) = app.get("/regions?lang=es").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("África Oriental") || html.contains("África oriental"),
        "{html}"
    );
}
