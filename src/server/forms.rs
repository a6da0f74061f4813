//! Form posts from the pages: the origin check, the curator's session and CSRF token, and
//! reading `application/x-www-form-urlencoded` bodies.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};

use super::html::{csrf_for, signed_in, PageError};
use super::params::lang_from_headers;
use super::state::AppState;
use crate::taxonomy::Lang;

/// Refuses a write unless it comes from this site, from a signed-in curator, with the
/// session's CSRF token.
pub(crate) fn authorize_post(
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
    lang: Lang,
) -> Result<String, PageError> {
    check_origin(headers, lang)?;
    let Some((name, session)) = signed_in(state, headers) else {
        return Err(PageError::new(
            StatusCode::UNAUTHORIZED,
            "Please sign in at /curate first.",
            lang,
        ));
    };
    let expected = csrf_for(state, &session);
    let presented = csrf.unwrap_or("");
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        presented.as_bytes(),
    )) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this site; reload the desk and try again.",
            lang,
        ));
    }
    Ok(name)
}

/// A post whose Origin is another site is refused (SameSite cookies already keep the session
/// out of it; this keeps the login form out of reach too).
pub(crate) fn check_origin(headers: &HeaderMap, lang: Lang) -> Result<(), PageError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or(origin);
    if origin == "null" || origin_host != host {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "Cross-site form submissions are refused.",
            lang,
        ));
    }
    Ok(())
}

pub(crate) fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) fn pair<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub(crate) fn form_lang(pairs: &[(String, String)], headers: &HeaderMap) -> Lang {
    pair(pairs, "lang")
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| lang_from_headers(headers))
}
