//! The one translation catalogue seen from outside: every engine message has French and Spanish
//! text, and the French and Spanish pages and API answers show none of the English.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use praxis::catalogue::{self, Message, Section, SAME_IN_ALL_LANGUAGES};
use praxis::server::{self, AppState, Tokens};
use praxis::Lang;
use tower::ServiceExt;

use crate::common::small_kb;

/// Every search notice, validation problem and API message, with every argument filled, reads
/// differently in French and Spanish than in English (a few listed keys excepted).
#[test]
fn every_engine_message_is_translated_in_french_and_spanish() {
    let keys = catalogue::keys(Section::Messages);
    for prefix in ["notice_", "problem_", "api_"] {
        assert!(
            keys.iter().any(|k| k.starts_with(prefix)),
            "no {prefix} keys"
        );
    }
    let mut untranslated = Vec::new();
    for key in keys {
        let template = catalogue::lookup(Section::Messages, key, Lang::En).unwrap();
        let mut message = Message::new(key);
        for name in catalogue::placeholders(template) {
            message = message.arg(name, 2);
        }
        let english = message.render(Lang::En);
        assert!(!english.contains('{'), "{key}: {english}");
        for lang in [Lang::Fr, Lang::Es] {
            let translated = message.render(lang);
            if translated == english && !SAME_IN_ALL_LANGUAGES.contains(&key) {
                untranslated.push(format!("{key} ({lang}): {translated}"));
            }
        }
    }
    assert!(untranslated.is_empty(), "{untranslated:#?}");
}

async fn call(state: &AppState, request: Request<Body>) -> (StatusCode, String) {
    let response = server::router(state.clone())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn get(state: &AppState, uri: &str) -> String {
    let (status, html) = call(state, Request::get(uri).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    html
}

/// The texts of the elements that open with `start` (up to the next `end`), tags removed.
fn texts_between(html: &str, start: &str, end: &str) -> Vec<String> {
    html.split(start)
        .skip(1)
        .map(|rest| {
            let inner = &rest[..rest.find(end).unwrap_or(rest.len())];
            let mut text = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.trim().to_string()
        })
        .collect()
}

fn notices(html: &str) -> Vec<String> {
    let Some(block) = html.split("<div class=\"notices\"").nth(1) else {
        return Vec::new();
    };
    let block = &block[..block.find("</div>").unwrap()];
    texts_between(block, "<p>", "</p>")
}

/// Each query below makes the engine say how it read it; the French and Spanish pages say the
/// same number of notices, none of them in English.
#[tokio::test]
async fn the_french_and_spanish_search_pages_say_every_notice_in_their_language() {
    let (_data, kb) = crate::search::relevance_kb();
    let kb = Arc::new(kb);
    let state = AppState::new(kb.clone(), Tokens::default());
    let mut codes = std::collections::BTreeSet::new();
    let pasted = "early warning elections ".repeat(15);
    for (query, newest) in [
        ("\"early warning", false),
        // More words than a query is searched with.
        (pasted.as_str(), false),
        ("country:kenya", false),
        ("early AND warning", false),
        ("early warning elections", false),
        ("elections zzzunknownword", false),
        // Sorted by date, the search relaxes to some of the words in a second pass.
        ("elections zzzunknownword", true),
    ] {
        let request = praxis::SearchRequest {
            sort: newest.then_some(praxis::Sort::Newest),
            ..praxis::SearchRequest::text(query)
        };
        let response = kb.search(&request).unwrap();
        codes.extend(response.notices.iter().map(|n| n.code.clone()));
        let mut q: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
        if newest {
            q.push_str("&sort=newest");
        }
        let english = notices(&get(&state, &format!("/?q={q}&lang=en")).await);
        assert!(!english.is_empty(), "{query}: no notice in English");
        for lang in ["fr", "es"] {
            let said = notices(&get(&state, &format!("/?q={q}&lang={lang}")).await);
            assert_eq!(said.len(), english.len(), "{query} {lang}: {said:?}");
            for notice in &said {
                assert!(
                    !english.contains(notice),
                    "{query} {lang}: English notice {notice:?}"
                );
            }
        }
    }
    let every: Vec<_> = catalogue::keys(Section::Messages)
        .into_iter()
        .filter(|k| k.starts_with("notice_"))
        .collect();
    assert_eq!(codes.iter().map(String::as_str).collect::<Vec<_>>(), every);
}

/// The search API says its notices in the request's language and keeps their codes.
#[tokio::test]
async fn the_search_api_says_notices_in_the_requested_language() {
    let (_data, kb) = small_kb();
    let state = AppState::new(Arc::new(kb), Tokens::default());
    let mut answers = Vec::new();
    for lang in ["en", "fr", "es"] {
        let (status, body) = call(
            &state,
            Request::get(format!("/api/search?q=%22genocide&lang={lang}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        answers.push(json["notices"][0].clone());
    }
    for answer in &answers {
        assert_eq!(answer["code"], "notice_unclosed_quote", "{answer}");
    }
    assert_ne!(answers[0]["message"], answers[1]["message"]);
    assert_ne!(answers[0]["message"], answers[2]["message"]);
    let french = Message::new("notice_unclosed_quote").render(Lang::Fr);
    assert_eq!(answers[1]["message"], french.as_str());
}

/// A document with many problems, sent over the API: the problems keep their codes, fields and
/// lines, and their messages follow Accept-Language.
#[tokio::test]
async fn validation_problems_over_the_api_follow_accept_language() {
    let (_data, kb) = small_kb();
    let state = AppState::new(Arc::new(kb), Tokens::from_plain([("alice", "alice-token")]));
    let markdown = "---\ntitle: \"\"\ntype: report\nthemes: [hate-speach]\ncountries: [zz]\nyear: 3000\nlanguage: en\nsources:\n  - url: ftp://example.org\n---\nBody\n";
    let mut answers = Vec::new();
    for lang in ["en", "fr", "es"] {
        let (status, body) = call(
            &state,
            Request::post("/api/documents")
                .header(header::CONTENT_TYPE, "text/markdown")
                .header(header::AUTHORIZATION, "Bearer alice-token")
                .header(header::ACCEPT_LANGUAGE, lang)
                .body(Body::from(markdown))
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        answers.push(serde_json::from_str::<serde_json::Value>(&body).unwrap());
    }
    let problems =
        |answer: &serde_json::Value| answer["error"]["problems"].as_array().unwrap().clone();
    let english = problems(&answers[0]);
    assert!(english.len() >= 5, "{english:#?}");
    for answer in &answers[1..] {
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert_ne!(answer["error"]["message"], answers[0]["error"]["message"]);
        let said = problems(answer);
        assert_eq!(said.len(), english.len());
        for (en, other) in english.iter().zip(&said) {
            for same in ["code", "field", "line", "file", "args"] {
                assert_eq!(en[same], other[same], "{same}");
            }
            assert_ne!(en["message"], other["message"], "{other}");
        }
    }
}

/// The curator desk in French and Spanish: a document with problems the form meets and some it
/// does not (an unknown theme, an unknown country sent by hand) shows none in English.
#[tokio::test]
async fn the_french_and_spanish_desk_show_no_english_problem() {
    let (_data, kb) = small_kb();
    let state = AppState::new(Arc::new(kb), Tokens::from_plain([("alice", "alice-token")]));
    let response = server::router(state.clone())
        .oneshot(
            Request::post("/curate/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("token=alice-token&lang=en"))
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
    let desk = |lang: &'static str| {
        let (state, cookie) = (state.clone(), cookie.clone());
        async move {
            let (_, html) = call(
                &state,
                Request::get(format!("/curate?lang={lang}"))
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap();
            let csrf = csrf[..csrf.find('"').unwrap()].to_string();
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("csrf", &csrf)
                .append_pair("lang", lang)
                .extend_pairs([
                    ("title", ""),
                    ("type", "report"),
                    ("language", "en"),
                    ("summary", "A summary."),
                    ("themes", "hate-speach"),
                    ("countries", "zz"),
                    ("year", "3000"),
                    ("source_url", "ftp://example.org"),
                    ("body", "Text."),
                    ("action", "save"),
                ])
                .finish();
            let (status, html) = call(
                &state,
                Request::post("/curate/documents")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, &cookie)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{lang}: {html}");
            let mut said = texts_between(&html, "<p class=\"field-error\"", "</p>");
            if let Some(list) = html.split("id=\"problems\"").nth(1) {
                let list = &list[..list.find("</div>").unwrap()];
                said.extend(texts_between(list, "<li", "</li>"));
            }
            (html, said)
        }
    };
    let (english_html, english) = desk("en").await;
    assert!(
        english_html.contains("unknown value &quot;hate-speach&quot;")
            && english_html.contains("unknown country code &quot;zz&quot;"),
        "{english_html}"
    );
    assert!(
        english.len() >= 8,
        "field errors and the list: {english:#?}"
    );
    for lang in ["fr", "es"] {
        let (html, said) = desk(lang).await;
        assert_eq!(said.len(), english.len(), "{lang}: {said:#?}");
        for text in &said {
            assert!(!english.contains(text), "{lang}: English {text:?}");
        }
        for text in &english {
            assert!(!html.contains(text.as_str()), "{lang}: English {text:?}");
        }
    }
}

/// One API error a request provokes: the request, the code it answers with and the catalogue's
/// message it says (`prefix`: the message ends with a detail of the parser's own).
struct ErrorCase {
    method: &'static str,
    uri: &'static str,
    headers: Vec<(header::HeaderName, &'static str)>,
    body: Vec<u8>,
    code: &'static str,
    message: Message,
    parameter: Option<&'static str>,
    prefix: bool,
    /// Whether the route reads its query, so that `lang` can be given there.
    lang_in_query: bool,
}

fn error_cases() -> Vec<ErrorCase> {
    let curator = (header::AUTHORIZATION, "Bearer alice-token");
    let case = |method, uri, code, message| ErrorCase {
        method,
        uri,
        headers: Vec::new(),
        body: Vec::new(),
        code,
        message,
        parameter: None,
        prefix: false,
        lang_in_query: true,
    };
    vec![
        ErrorCase {
            parameter: Some("page"),
            ..case(
                "GET",
                "/api/search?q=law&page=1&page=2",
                "invalid_parameter",
                Message::new("param_repeated"),
            )
        },
        ErrorCase {
            parameter: Some("year_from"),
            ..case(
                "GET",
                "/api/search?q=law&year_from=2000&year_to=1990",
                "invalid_parameter",
                Message::new("param_year_after")
                    .arg("from", 2000)
                    .arg("to", 1990),
            )
        },
        ErrorCase {
            parameter: Some("region"),
            ..case(
                "GET",
                "/api/search?region=eastern-afrika",
                "invalid_filter",
                Message::new("filter_unknown_did_you_mean")
                    .arg("value", "eastern-afrika")
                    .arg("suggestion", "eastern-africa"),
            )
        },
        ErrorCase {
            parameter: Some("sort"),
            ..case(
                "GET",
                "/api/search?q=law&sort=loudest",
                "invalid_parameter",
                Message::new("param_unknown_sort").arg("value", "loudest"),
            )
        },
        // An unknown `lang` is said in the language of Accept-Language.
        ErrorCase {
            parameter: Some("lang"),
            lang_in_query: false,
            ..case(
                "GET",
                "/api/search?q=law&lang=xx",
                "invalid_parameter",
                Message::new("param_unknown_language").arg("value", "xx"),
            )
        },
        case(
            "GET",
            "/api/countries/atlantis",
            "not_found",
            Message::new("api_unknown_country").arg("value", "atlantis"),
        ),
        case(
            "GET",
            "/api/networks/no-such-network",
            "not_found",
            Message::new("api_no_network").arg("id", "no-such-network"),
        ),
        ErrorCase {
            parameter: Some("theme"),
            ..case(
                "GET",
                "/api/laws?theme=qqqqqqqq",
                "invalid_filter",
                Message::new("law_unknown_theme").arg("value", "qqqqqqqq"),
            )
        },
        case(
            "GET",
            "/api/no-such-route",
            "not_found",
            Message::new("api_no_route")
                .arg("method", "GET")
                .arg("path", "/api/no-such-route"),
        ),
        case(
            "GET",
            "/api/documents/no-such-document",
            "not_found",
            Message::new("api_no_document").arg("id", "no-such-document"),
        ),
        case(
            "DELETE",
            "/api/search",
            "method_not_allowed",
            Message::new("api_method_not_allowed")
                .arg("method", "DELETE")
                .arg("path", "/api/search"),
        ),
        ErrorCase {
            lang_in_query: false,
            ..case(
                "POST",
                "/api/documents",
                "unauthorized",
                Message::new("api_curators_only"),
            )
        },
        ErrorCase {
            headers: vec![(header::AUTHORIZATION, "Bearer wrong-token")],
            lang_in_query: false,
            ..case(
                "POST",
                "/api/documents",
                "unauthorized",
                Message::new("api_token_invalid"),
            )
        },
        ErrorCase {
            headers: vec![curator.clone()],
            lang_in_query: false,
            ..case(
                "POST",
                "/api/documents/rw-1994/restore",
                "conflict",
                Message::new("api_not_withdrawn").arg("id", "rw-1994"),
            )
        },
        ErrorCase {
            headers: vec![curator.clone(), (header::CONTENT_TYPE, "image/png")],
            body: b"hello".to_vec(),
            lang_in_query: false,
            ..case(
                "POST",
                "/api/documents",
                "unsupported_media_type",
                Message::new("api_document_media_type").arg("type", "image/png"),
            )
        },
        ErrorCase {
            headers: vec![curator.clone(), (header::CONTENT_TYPE, "application/json")],
            body: b"{".to_vec(),
            lang_in_query: false,
            ..case(
                "POST",
                "/api/documents",
                "invalid_body",
                Message::new("api_body_json_ends_early")
                    .arg("line", 1)
                    .arg("column", 1)
                    .arg("shape", r#"{"id"?: string, "markdown": string}"#),
            )
        },
        ErrorCase {
            headers: vec![curator, (header::CONTENT_TYPE, "text/markdown")],
            body: vec![b'a'; 3 << 20],
            lang_in_query: false,
            ..case(
                "POST",
                "/api/documents",
                "payload_too_large",
                Message::new("api_body_too_large"),
            )
        },
    ]
}

/// Every kind of API error says its message in the language the request asked for (`lang`,
/// else `Accept-Language`), as the catalogue has it; the code and parameter never change.
#[tokio::test]
async fn api_errors_are_said_in_the_requested_language() {
    let (_data, kb) = small_kb();
    let state = AppState::new(Arc::new(kb), Tokens::from_plain([("alice", "alice-token")]));
    for case in error_cases() {
        let mut asked = vec![(Lang::En, None), (Lang::Fr, None), (Lang::Es, None)];
        if case.lang_in_query {
            asked.extend([(Lang::Fr, Some("fr")), (Lang::Es, Some("es"))]);
        }
        for (lang, in_query) in asked {
            let uri = match in_query {
                Some(code) if case.uri.contains('?') => format!("{}&lang={code}", case.uri),
                Some(code) => format!("{}?lang={code}", case.uri),
                None => case.uri.to_string(),
            };
            let mut request = Request::builder().method(case.method).uri(&uri);
            for (name, value) in &case.headers {
                request = request.header(name, *value);
            }
            if in_query.is_none() {
                // The query's `lang` wins over this header, which says the other language.
                request = request.header(header::ACCEPT_LANGUAGE, lang.code());
            } else {
                request = request.header(header::ACCEPT_LANGUAGE, "en");
            }
            let (status, body) =
                call(&state, request.body(Body::from(case.body.clone())).unwrap()).await;
            let what = format!("{} {uri} ({lang})", case.method);
            assert!(status.is_client_error(), "{what}: {status} {body}");
            let answer: serde_json::Value =
                serde_json::from_str(&body).unwrap_or_else(|_| panic!("{what}: not JSON: {body}"));
            let error = &answer["error"];
            assert_eq!(error["code"], case.code, "{what}: {body}");
            assert_eq!(error["parameter"].as_str(), case.parameter, "{what}");
            let said = error["message"].as_str().unwrap();
            let mut expected = case.message.render(lang);
            if let Some(parameter) = case.parameter {
                expected = format!("{parameter}: {expected}");
            }
            if case.prefix {
                assert!(said.starts_with(expected.trim_end()), "{what}: {said}");
            } else {
                assert_eq!(said, expected, "{what}");
            }
            if lang != Lang::En {
                assert_ne!(
                    expected,
                    case.message.render(Lang::En),
                    "{what}: the catalogue's text is English"
                );
            }
        }
    }
}
