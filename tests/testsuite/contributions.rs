//! Contributions through the API (issue 15 item 2): a contributor's proposal stays out of
//! every public view until a curator accepts it, then becomes the next revision crediting the
//! contributor; declines keep their reason; roles hold; stale proposals are reported;
//! invitations work once; rate limits apply.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use praxis::server::{AppState, ServerConfig, Tokens};
use serde_json::{json, Value};

use crate::common::{self, call, Answer};

const CURATOR: &str = "alice-secret-token";
const CONTRIBUTOR: &str = "jane-secret-token";
const DOC: &str = "ke-cohesion-act";
const WORD: &str = "zanzibarian";

fn state_with(mut config: ServerConfig) -> (tempfile::TempDir, AppState) {
    let (data, kb) = common::small_kb();
    config.contributors = Tokens::from_plain([("jane", CONTRIBUTOR)]);
    let tokens = Tokens::from_plain([("alice", CURATOR)]);
    (data, AppState::with_config(Arc::new(kb), tokens, config))
}

async fn get(state: &AppState, uri: &str, token: Option<&str>) -> Answer {
    let mut request = Request::get(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    call(state, request.body(Body::empty()).unwrap()).await
}

fn request(method: Method, uri: &str, token: Option<&str>, body: Option<Value>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

async fn send(
    state: &AppState,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Answer {
    call(state, request(method, uri, token, body)).await
}

/// A curator accepts proposal `number` through the API.
async fn accept(state: &AppState, number: u64) -> Answer {
    let uri = format!("/api/proposals/{number}/accept");
    send(state, Method::POST, &uri, Some(CURATOR), None).await
}

/// The document's current text with its summary changed to mention `WORD`.
async fn changed_text(state: &AppState) -> (String, u64) {
    let current = get(state, &format!("/api/documents/{DOC}"), None)
        .await
        .json();
    let source = current["source"].as_str().unwrap();
    let summary_line = source.lines().find(|l| l.starts_with("summary:")).unwrap();
    let text = source.replace(
        summary_line,
        &format!("summary: A {WORD} summary of the cohesion act."),
    );
    (text, current["revision"].as_u64().unwrap())
}

async fn propose(state: &AppState) -> Value {
    let (text, revision) = changed_text(state).await;
    let answer = send(
        state,
        Method::POST,
        "/api/proposals",
        Some(CONTRIBUTOR),
        Some(
            json!({"document": DOC, "base_revision": revision, "markdown": text,
                    "comment": "The summary should say what the act does."}),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    answer.json()
}

/// Everything the public can read about the document, and what search and exports hold.
async fn public_views(state: &AppState) -> Vec<(String, String)> {
    let mut views = Vec::new();
    for uri in [
        format!("/api/documents/{DOC}"),
        format!("/api/documents/{DOC}/revisions"),
        format!("/documents/{DOC}"),
        format!("/documents/{DOC}/history"),
        "/api/search?q=cohesion".to_string(),
        "/api/search?format=ndjson".to_string(),
        "/api/search?format=csv".to_string(),
        "/feed.atom".to_string(),
    ] {
        let answer = get(state, &uri, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        views.push((uri, answer.text().to_lowercase()));
    }
    views
}

#[tokio::test]
async fn a_proposal_is_invisible_until_a_curator_accepts_it_then_credits_the_contributor() {
    let (_data, state) = state_with(ServerConfig::default());
    let proposal = propose(&state).await;
    assert_eq!(proposal["state"]["status"], "pending");
    assert_eq!(proposal["author"], "jane");
    let number = proposal["number"].as_u64().unwrap();

    for (uri, text) in public_views(&state).await {
        assert!(!text.contains(WORD), "{uri} shows the pending proposal");
    }
    let search = get(&state, &format!("/api/search?q={WORD}"), None)
        .await
        .json();
    assert_eq!(search["total"], 0);
    // A backup keeps the proposal (a restore loses nothing), as a proposal, not a document.
    let backup = get(&state, "/api/backup", Some(CURATOR)).await.text();
    for line in backup.lines().filter(|l| l.to_lowercase().contains(WORD)) {
        assert!(line.starts_with("{\"kind\":\"proposal\""), "{line}");
    }
    assert!(backup.contains("\"kind\":\"proposal\""));

    // The curator's queue has it, with its diff.
    let queue = get(&state, "/api/proposals?status=pending", Some(CURATOR))
        .await
        .json();
    assert_eq!(queue["total"], 1);
    let detail = get(&state, &format!("/api/proposals/{number}"), Some(CURATOR))
        .await
        .json();
    assert_eq!(detail["stale"], false);
    let added: Vec<&str> = detail["diff"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["change"] == "added")
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        added,
        vec![format!("summary: A {WORD} summary of the cohesion act.")]
    );

    let accepted = accept(&state, number).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    assert_eq!(accepted.json()["revision"], 2);
    assert_eq!(accepted.headers[header::ETAG], "\"2\"");

    let search = get(&state, &format!("/api/search?q={WORD}"), None)
        .await
        .json();
    assert_eq!(search["total"], 1);
    assert_eq!(search["hits"][0]["id"], DOC);
    let revisions = get(&state, &format!("/api/documents/{DOC}/revisions"), None)
        .await
        .json();
    assert_eq!(revisions["current"], 2);
    assert_eq!(revisions["revisions"][1]["author"], "jane");
    let history = get(&state, &format!("/documents/{DOC}/history"), None)
        .await
        .text();
    assert!(history.contains("accepted by alice"), "{history}");

    let mine = get(&state, "/api/contributor/proposals", Some(CONTRIBUTOR))
        .await
        .json();
    assert_eq!(mine["proposals"][0]["state"]["status"], "accepted");
    assert_eq!(mine["proposals"][0]["state"]["revision"], 2);
    assert_eq!(mine["proposals"][0]["state"]["by"], "alice");

    let audit = get(&state, "/api/audit", Some(CURATOR)).await.json();
    let actions: Vec<(&str, &str)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, vec![("accept", "alice"), ("propose", "jane")]);

    let again = accept(&state, number).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_declined_proposal_records_its_reason_and_a_reason_is_required() {
    let (_data, state) = state_with(ServerConfig::default());
    let number = propose(&state).await["number"].as_u64().unwrap();
    let uri = format!("/api/proposals/{number}/decline");
    let missing = send(&state, Method::POST, &uri, Some(CURATOR), None).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.json()["error"]["problems"][0]["field"], "reason");
    let declined = send(
        &state,
        Method::POST,
        &uri,
        Some(CURATOR),
        Some(json!({"reason": "The cited source does not support this wording."})),
    )
    .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.text());
    let mine = get(&state, "/api/contributor/proposals", Some(CONTRIBUTOR))
        .await
        .json();
    let state_json = &mine["proposals"][0]["state"];
    assert_eq!(state_json["status"], "declined");
    assert_eq!(
        state_json["reason"],
        "The cited source does not support this wording."
    );
    let revisions = get(&state, &format!("/api/documents/{DOC}/revisions"), None)
        .await
        .json();
    assert_eq!(revisions["current"], 1, "a decline writes no revision");
    let audit = get(&state, "/api/audit", Some(CURATOR)).await.json();
    assert_eq!(audit["entries"][0]["action"], "decline");
    assert_eq!(
        audit["entries"][0]["reason"],
        "The cited source does not support this wording."
    );
}

#[tokio::test]
async fn roles_hold_a_contributor_cannot_accept_decline_write_or_read_the_queue() {
    let (_data, state) = state_with(ServerConfig::default());
    let number = propose(&state).await["number"].as_u64().unwrap();
    for (method, uri) in [
        (Method::POST, format!("/api/proposals/{number}/accept")),
        (
            Method::POST,
            format!("/api/proposals/{number}/decline?reason=no"),
        ),
        (Method::GET, "/api/proposals".to_string()),
        (Method::GET, "/api/audit".to_string()),
        (Method::POST, "/api/invitations".to_string()),
        (Method::DELETE, format!("/api/documents/{DOC}?reason=x")),
    ] {
        let answer = send(&state, method.clone(), &uri, Some(CONTRIBUTOR), None).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert_eq!(answer.json()["error"]["code"], "forbidden");
        let anonymous = send(&state, method.clone(), &uri, None, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
    }
    // A curator's token is not a contributor's; a stranger's is nobody's.
    let (text, _) = changed_text(&state).await;
    let body = json!({"document": DOC, "markdown": text, "comment": "x"});
    let curator = send(
        &state,
        Method::POST,
        "/api/proposals",
        Some(CURATOR),
        Some(body.clone()),
    )
    .await;
    assert_eq!(curator.status, StatusCode::FORBIDDEN);
    let stranger = send(
        &state,
        Method::POST,
        "/api/proposals",
        Some("guess"),
        Some(body),
    )
    .await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
    // The proposal is still pending, and its author reads it.
    let own = get(
        &state,
        &format!("/api/proposals/{number}"),
        Some(CONTRIBUTOR),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json()["state"]["status"], "pending");
}

#[tokio::test]
async fn a_stale_proposal_is_reported_and_accepted_only_over_the_revision_the_curator_saw() {
    let (_data, state) = state_with(ServerConfig::default());
    let number = propose(&state).await["number"].as_u64().unwrap();
    // A curator changes the document meanwhile.
    let current = get(&state, &format!("/api/documents/{DOC}"), None)
        .await
        .json();
    let edited = format!(
        "{}\nA paragraph a curator added.\n",
        current["source"].as_str().unwrap()
    );
    let put = call(
        &state,
        Request::put(format!("/api/documents/{DOC}"))
            .header(header::AUTHORIZATION, format!("Bearer {CURATOR}"))
            .header(header::CONTENT_TYPE, "text/markdown")
            .body(Body::from(edited))
            .unwrap(),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());

    let detail = get(&state, &format!("/api/proposals/{number}"), Some(CURATOR))
        .await
        .json();
    assert_eq!(detail["stale"], true);
    assert_eq!(detail["base_revision"], 1);
    assert_eq!(detail["current_revision"], 2);
    assert!(detail["against_current"]
        .as_array()
        .is_some_and(|h| !h.is_empty()));

    let uri = format!("/api/proposals/{number}/accept");
    let refused = send(&state, Method::POST, &uri, Some(CURATOR), None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.json()["error"]["current_revision"], 2);
    let accepted = call(
        &state,
        Request::post(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {CURATOR}"))
            .header(header::IF_MATCH, "\"2\"")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    assert_eq!(accepted.json()["revision"], 3);
}

#[tokio::test]
async fn an_invitation_makes_one_contributor_and_works_once() {
    let (_data, state) = state_with(ServerConfig::default());
    let invitation = send(
        &state,
        Method::POST,
        "/api/invitations",
        Some(CURATOR),
        None,
    )
    .await;
    assert_eq!(invitation.status, StatusCode::CREATED);
    let invitation = invitation.json();
    let code = invitation["code"].as_str().unwrap();
    assert!(invitation["join_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/contribute/join?code={code}")));

    let taken = send(
        &state,
        Method::POST,
        "/api/contributors",
        None,
        Some(json!({"invitation": code, "name": "jane"})),
    )
    .await;
    assert_eq!(
        taken.json()["error"]["parameter"],
        "name",
        "jane is configured already"
    );
    let joined = send(
        &state,
        Method::POST,
        "/api/contributors",
        None,
        Some(json!({"invitation": code, "name": "omar"})),
    )
    .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.text());
    let token = joined.json()["token"].as_str().unwrap().to_string();

    let again = send(
        &state,
        Method::POST,
        "/api/contributors",
        None,
        Some(json!({"invitation": code, "name": "omar2"})),
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.json()["error"]["parameter"], "invitation");
    assert!(again.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("used already"));

    // The new token proposes, as omar.
    let (text, _) = changed_text(&state).await;
    let proposed = send(
        &state,
        Method::POST,
        "/api/proposals",
        Some(&token),
        Some(json!({"document": DOC, "markdown": text, "comment": "Clearer."})),
    )
    .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text());
    assert_eq!(proposed.json()["author"], "omar");
    let audit = get(&state, "/api/audit", Some(CURATOR)).await.json();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions[..3], ["propose", "join", "invite"]);
}

#[tokio::test]
async fn proposal_errors_name_the_parameter_or_the_field() {
    let (_data, state) = state_with(ServerConfig::default());
    let (text, _) = changed_text(&state).await;
    let post = |body: Value| {
        let state = state.clone();
        async move {
            send(
                &state,
                Method::POST,
                "/api/proposals",
                Some(CONTRIBUTOR),
                Some(body),
            )
            .await
        }
    };
    let unknown = post(json!({"document": "atlantis", "markdown": text, "comment": "x"})).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json()["error"]["parameter"], "document");
    let revision =
        post(json!({"document": DOC, "base_revision": 9, "markdown": text, "comment": "x"})).await;
    assert_eq!(revision.json()["error"]["parameter"], "base_revision");
    let invalid = post(json!({"document": DOC, "markdown": text.replace("type: law", "type: lawz"), "comment": ""})).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let invalid = invalid.json();
    let fields: Vec<&str> = invalid["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"comment") && fields.contains(&"type"),
        "{fields:?}"
    );
    let body = post(json!({"markdown": 3})).await;
    assert_eq!(body.json()["error"]["code"], "invalid_body");
    let status = get(&state, "/api/proposals?status=maybe", Some(CURATOR)).await;
    assert_eq!(status.json()["error"]["parameter"], "status");
    let number = get(&state, "/api/proposals/abc", Some(CURATOR)).await;
    assert_eq!(number.json()["error"]["parameter"], "number");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposals_are_rate_limited_like_the_desks_writes() {
    let mut config = ServerConfig::default();
    config.limits.writes_per_minute = 2;
    let (_data, state) = state_with(config);
    let (text, _) = changed_text(&state).await;
    let from = |ip: &str| {
        let mut request = request(
            Method::POST,
            "/api/proposals",
            Some(CONTRIBUTOR),
            Some(json!({"document": DOC, "markdown": text, "comment": "x"})),
        );
        let peer: SocketAddr = format!("{ip}:40000").parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    };
    for _ in 0..2 {
        let answer = call(&state, from("192.0.2.20")).await;
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    }
    let refused = call(&state, from("192.0.2.20")).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
    let other = call(&state, from("192.0.2.21")).await;
    assert_eq!(other.status, StatusCode::CREATED);
}

/// Signs in through a sign-in form; returns the session cookie.
async fn sign_in(state: &AppState, path: &str, token: &str) -> String {
    let answer = call(
        state,
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={token}&lang=fr")))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

async fn page(state: &AppState, uri: &str, cookie: &str) -> Answer {
    call(
        state,
        Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn post_form(state: &AppState, uri: &str, cookie: &str, form: &str) -> Answer {
    call(
        state,
        Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .unwrap(),
    )
    .await
}

fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[start..start + 64].to_string()
}

#[tokio::test]
async fn the_review_pages_say_what_is_stale_and_what_is_missing_in_the_page_language() {
    let (_data, state) = state_with(ServerConfig::default());
    let number = propose(&state).await["number"].as_u64().unwrap();
    // A contributor's session is not a curator's.
    let jane = sign_in(&state, "/contribute/login", CONTRIBUTOR).await;
    let desk = page(&state, "/curate?lang=fr", &jane).await.text();
    assert!(
        desk.contains("id=\"token\""),
        "the desk asks a contributor to sign in"
    );
    let mine = page(&state, "/contribute?lang=fr", &jane).await.text();
    assert!(mine.contains("En attente d&#39;examen"), "{mine}");

    // The document moves on; the proposal's page says so and offers to accept over it.
    let current = get(&state, &format!("/api/documents/{DOC}"), None)
        .await
        .json();
    let put = call(
        &state,
        Request::put(format!("/api/documents/{DOC}"))
            .header(header::AUTHORIZATION, format!("Bearer {CURATOR}"))
            .header(header::CONTENT_TYPE, "text/markdown")
            .body(Body::from(format!(
                "{}\nA paragraph a curator added.\n",
                current["source"].as_str().unwrap()
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK);
    let alice = sign_in(&state, "/curate/login", CURATOR).await;
    let uri = format!("/curate/proposals/{number}?lang=fr");
    let review = page(&state, &uri, &alice).await.text();
    assert!(review.contains("se fonde sur la révision 1, et le document en est à la révision 2"));
    assert!(review.contains("Accepter par-dessus la révision 2"));
    let csrf = csrf_of(&review);

    // Declining without a reason says so next to the field.
    let decline = format!("/curate/proposals/{number}/decline");
    let refused = post_form(
        &state,
        &decline,
        &alice,
        &format!("csrf={csrf}&lang=fr&reason="),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text()
        .contains("id=\"reason-error\">Dites pourquoi"));
    // A form without the session's CSRF token is refused.
    let forged = post_form(&state, &decline, &alice, "csrf=0&lang=fr&reason=x").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Accepting without naming the current revision is refused as stale; naming it works.
    let accept = format!("/curate/proposals/{number}/accept");
    let stale = post_form(&state, &accept, &alice, &format!("csrf={csrf}&lang=fr")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let done = post_form(
        &state,
        &accept,
        &alice,
        &format!("csrf={csrf}&lang=fr&current_revision=2"),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.text().contains("Proposition 1 acceptée : révision 3"));
}

/// Issues an invitation over the API; returns its code.
async fn invite(state: &AppState) -> String {
    let issued = send(state, Method::POST, "/api/invitations", Some(CURATOR), None).await;
    assert_eq!(issued.status, StatusCode::CREATED);
    issued.json()["code"].as_str().unwrap().to_string()
}

async fn join(state: &AppState, code: &str, name: &str) -> Answer {
    send(
        state,
        Method::POST,
        "/api/contributors",
        None,
        Some(json!({"invitation": code, "name": name})),
    )
    .await
}

/// The listed invitations, newest first.
async fn invitations(state: &AppState) -> Vec<Value> {
    let listed = get(state, "/api/invitations", Some(CURATOR)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    listed.json()["invitations"].as_array().unwrap().clone()
}

#[tokio::test]
async fn curators_list_invitations_without_their_codes_and_revoke_an_unused_one() {
    let (_data, state) = state_with(ServerConfig::default());
    let used = invite(&state).await;
    let leaked = invite(&state).await;
    assert_eq!(
        join(&state, &used, "omar").await.status,
        StatusCode::CREATED
    );

    let listed = invitations(&state).await;
    assert_eq!(listed.len(), 2);
    let text = serde_json::to_string(&listed).unwrap();
    assert!(!text.contains(&used) && !text.contains(&leaked), "{text}");
    let by_status = |status: &str| {
        listed
            .iter()
            .find(|i| i["status"] == status)
            .unwrap_or_else(|| panic!("no {status} invitation in {listed:?}"))
            .clone()
    };
    let (open, joined) = (by_status("open"), by_status("used"));
    assert_eq!(joined["used_by"], "omar");
    assert_eq!(open["created_by"], "alice");
    assert!(open.get("used_by").is_none(), "only what is recorded");
    let open_id = open["id"].as_str().unwrap();
    let used_id = joined["id"].as_str().unwrap();

    // Contributors neither list nor revoke.
    let forbidden = get(&state, "/api/invitations", Some(CONTRIBUTOR)).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let anonymous = get(&state, "/api/invitations", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let uri = format!("/api/invitations/{open_id}");
    let forbidden = send(&state, Method::DELETE, &uri, Some(CONTRIBUTOR), None).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    let revoked = send(
        &state,
        Method::DELETE,
        &uri,
        Some(CURATOR),
        Some(json!({"reason": "posted on a public list"})),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let revoked = revoked.json();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revoked_by"], "alice");
    assert_eq!(revoked["revoke_reason"], "posted on a public list");

    // The revoked code opens nothing, and says why.
    let refused = join(&state, &leaked, "mallory").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["error"]["parameter"], "invitation");
    assert!(refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("revoked"));

    // Revoking again, or a used one, is a conflict; an unknown id is not found.
    let again = send(&state, Method::DELETE, &uri, Some(CURATOR), None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text().contains("revoked already"), "{}", again.text());
    let used_uri = format!("/api/invitations/{used_id}");
    let spent = send(&state, Method::DELETE, &used_uri, Some(CURATOR), None).await;
    assert_eq!(spent.status, StatusCode::CONFLICT);
    assert!(spent.text().contains("used already"), "{}", spent.text());
    for unknown in ["000000000000", "nope", &leaked] {
        let missing = send(
            &state,
            Method::DELETE,
            &format!("/api/invitations/{unknown}"),
            Some(CURATOR),
            None,
        )
        .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{unknown}");
        assert_eq!(missing.json()["error"]["code"], "not_found");
    }

    let audit = get(&state, "/api/audit", Some(CURATOR)).await.json();
    let latest = &audit["entries"][0];
    assert_eq!(latest["action"], "revoke_invitation");
    assert_eq!(latest["actor"], "alice");
    assert_eq!(
        latest["reason"],
        format!("invitation {open_id}: posted on a public list")
    );
    let spec = get(&state, "/api/openapi.json", None).await.json();
    let operations = &spec["paths"]["/api/invitations/{id}"];
    assert!(
        operations["delete"]["responses"]["409"].is_object(),
        "{operations}"
    );
    assert!(spec["paths"]["/api/invitations"]["get"].is_object());
}

#[tokio::test]
async fn invitation_refusals_speak_french_and_spanish() {
    let (_data, state) = state_with(ServerConfig::default());
    let code = invite(&state).await;
    let id = invitations(&state).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let uri = format!("/api/invitations/{id}");
    assert_eq!(
        send(&state, Method::DELETE, &uri, Some(CURATOR), None)
            .await
            .status,
        StatusCode::OK
    );
    let in_lang = |method: Method, uri: String, lang: &str, body: Option<Value>| {
        let mut request = request(method, &uri, Some(CURATOR), body);
        request
            .headers_mut()
            .insert(header::ACCEPT_LANGUAGE, lang.parse().unwrap());
        call(&state, request)
    };
    for (lang, revoked, again, unknown) in [
        (
            "fr",
            "a été révoquée",
            "a déjà été révoquée",
            "aucune invitation",
        ),
        (
            "es",
            "ha sido revocada",
            "ya fue revocada",
            "no hay ninguna invitación",
        ),
    ] {
        let body = Some(json!({"invitation": code, "name": "omar"}));
        let refused = in_lang(Method::POST, "/api/contributors".into(), lang, body).await;
        assert!(refused.text().contains(revoked), "{}", refused.text());
        let conflict = in_lang(Method::DELETE, uri.clone(), lang, None).await;
        assert!(conflict.text().contains(again), "{}", conflict.text());
        let missing = in_lang(Method::DELETE, "/api/invitations/0".into(), lang, None).await;
        assert!(missing.text().contains(unknown), "{}", missing.text());
    }
}

#[tokio::test]
async fn the_desk_lists_invitations_and_revokes_one_by_a_form_post() {
    let (_data, state) = state_with(ServerConfig::default());
    let alice = sign_in(&state, "/curate/login", CURATOR).await;
    let empty = page(&state, "/curate/proposals?lang=fr", &alice)
        .await
        .text();
    assert!(
        empty.contains("Aucune invitation n&#39;a encore été émise."),
        "{empty}"
    );
    let csrf = csrf_of(&empty);
    let issued = post_form(
        &state,
        "/curate/invitations",
        &alice,
        &format!("csrf={csrf}&lang=fr"),
    )
    .await;
    assert_eq!(issued.status, StatusCode::CREATED);
    let html = issued.text();
    let start = html.find("/contribute/join?code=").unwrap() + 22;
    let code = html[start..start + 64].to_string();
    let id = invitations(&state).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        html.contains(&format!("<code>{id}</code>")),
        "listed: {html}"
    );
    assert!(html.contains("Pas encore utilisée"));
    let action = format!("/curate/invitations/{id}/revoke");
    assert!(html.contains(&format!("action=\"{action}\"")));

    // Without the session's CSRF token nothing happens.
    let forged = post_form(&state, &action, &alice, "csrf=0&lang=fr&reason=x").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(invitations(&state).await[0]["status"], "open");

    let done = post_form(
        &state,
        &action,
        &alice,
        &format!("csrf={csrf}&lang=fr&reason=envoy%C3%A9e+par+erreur"),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let html = done.text();
    assert!(
        html.contains(&format!("Invitation {id} révoquée")),
        "{html}"
    );
    assert!(html.contains("Révoquée par alice le"));
    assert!(html.contains("envoyée par erreur"));
    assert!(
        !html.contains(&format!("action=\"{action}\"")),
        "no second revoke button"
    );
    let again = post_form(&state, &action, &alice, &format!("csrf={csrf}&lang=fr")).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again
        .text()
        .contains("Cette invitation a déjà été révoquée."));
    let desk = page(&state, "/curate?lang=fr", &alice).await.text();
    assert!(
        desk.contains("Invitation révoquée"),
        "the desk's audit log names the step"
    );
    let missing = post_form(
        &state,
        "/curate/invitations/000000000000/revoke",
        &alice,
        &format!("csrf={csrf}&lang=es"),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing
        .text()
        .contains("No hay ninguna invitación 000000000000."));

    // The join page says the invitation was revoked, in its language.
    let join_page = call(
        &state,
        Request::post("/contribute/join")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("code={code}&name=omar&lang=es")))
            .unwrap(),
    )
    .await;
    assert_eq!(join_page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        join_page.text().contains("Esta invitación fue revocada"),
        "{}",
        join_page.text()
    );
}
