//! Form posts from the pages: the origin check, the signed-in session and CSRF token, and
//! reading `application/x-www-form-urlencoded` bodies.
//!
//! Handlers take a [`PostedForm`] (anyone, from this site), a [`CuratorForm`] or a
//! [`ContributorForm`] (a signed-in curator or contributor with the session's CSRF token): the
//! extractor reads the body, picks the reader's language and refuses the post, in that
//! language, before the handler runs.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::html::{contributor_session, csrf_for, signed_in, PageError};
use super::params::lang_from_headers;
use super::state::AppState;
use crate::catalogue::Message;
use crate::taxonomy::Lang;

/// Whose session a form post must carry.
#[derive(Clone, Copy)]
pub(crate) enum Account {
    /// A curator, signed in at `/curate`.
    Curator,
    /// A contributor, signed in at `/contribute`.
    Contributor,
}

/// Refuses a write unless it comes from this site, from a signed-in `account`, with the
/// session's CSRF token; gives the account's name and session id.
pub(crate) fn authorize_post(
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
    lang: Lang,
    account: Account,
) -> Result<(String, String), PageError> {
    check_origin(headers, lang)?;
    let (signed_in, sign_in_first) = match account {
        Account::Curator => (signed_in(state, headers), "page_sign_in_curate"),
        Account::Contributor => (
            contributor_session(state, headers),
            "page_sign_in_contribute",
        ),
    };
    let Some((name, session)) = signed_in else {
        return Err(PageError::from_api(
            ApiError::Unauthorized(Message::new(sign_in_first)),
            lang,
        ));
    };
    let expected = csrf_for(state, &session);
    let presented = csrf.unwrap_or("");
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        presented.as_bytes(),
    )) {
        return Err(PageError::from_api(
            ApiError::Forbidden(Message::new("page_form_expired")),
            lang,
        ));
    }
    Ok((name, session))
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
        return Err(PageError::from_api(
            ApiError::Forbidden(Message::new("page_cross_site_form")),
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

/// A form post from this site's pages: its fields and the reader's language (the form's
/// `lang` field, else the browser's). Cross-site posts are refused before the handler runs.
pub(crate) struct PostedForm {
    pub(crate) pairs: Vec<(String, String)>,
    pub(crate) lang: Lang,
}

impl PostedForm {
    /// Reads the body of `request` and checks where it came from; a body that cannot be read
    /// is answered as axum answers it, a cross-site post with the error page.
    pub(crate) async fn read(
        request: Request,
        state: &AppState,
    ) -> Result<(PostedForm, HeaderMap), Response> {
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let pairs = form_pairs(&body);
        let lang = form_lang(&pairs, &headers);
        check_origin(&headers, lang).map_err(IntoResponse::into_response)?;
        Ok((PostedForm { pairs, lang }, headers))
    }
}

impl FromRequest<AppState> for PostedForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        Ok(PostedForm::read(request, state).await?.0)
    }
}

/// A form post from a signed-in account, carrying the session's CSRF token (its `csrf` field).
struct SignedForm {
    pairs: Vec<(String, String)>,
    lang: Lang,
    name: String,
    session: String,
}

impl SignedForm {
    async fn read(request: Request, state: &AppState, account: Account) -> Result<Self, Response> {
        let (PostedForm { pairs, lang }, headers) = PostedForm::read(request, state).await?;
        let (name, session) = authorize_post(state, &headers, pair(&pairs, "csrf"), lang, account)
            .map_err(IntoResponse::into_response)?;
        Ok(SignedForm {
            pairs,
            lang,
            name,
            session,
        })
    }
}

/// A form post from a signed-in curator, carrying the session's CSRF token (its `csrf` field).
pub(crate) struct CuratorForm {
    pub(crate) pairs: Vec<(String, String)>,
    pub(crate) lang: Lang,
    /// The curator's name.
    pub(crate) curator: String,
    pub(crate) session: String,
}

impl FromRequest<AppState> for CuratorForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let form = SignedForm::read(request, state, Account::Curator).await?;
        Ok(CuratorForm {
            pairs: form.pairs,
            lang: form.lang,
            curator: form.name,
            session: form.session,
        })
    }
}

/// A form post from a signed-in contributor, carrying the session's CSRF token.
pub(crate) struct ContributorForm {
    pub(crate) pairs: Vec<(String, String)>,
    pub(crate) lang: Lang,
    /// The contributor's name.
    pub(crate) name: String,
    pub(crate) session: String,
}

impl FromRequest<AppState> for ContributorForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let form = SignedForm::read(request, state, Account::Contributor).await?;
        Ok(ContributorForm {
            pairs: form.pairs,
            lang: form.lang,
            name: form.name,
            session: form.session,
        })
    }
}
