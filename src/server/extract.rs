//! Extractors that need the server's state: the curator and the contributor behind a bearer
//! token. (The tokens and sessions themselves are in [`super::auth`], below the state.)

use crate::catalogue::Message;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::auth::{bearer, Contributor, Curator};
use super::error::ApiError;
use super::state::AppState;

impl FromRequestParts<AppState> for Curator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let tokens = state.tokens();
        if tokens.is_empty() {
            return Err(ApiError::Unauthorized(Message::new(
                "api_no_curator_tokens",
            )));
        }
        let Some(token) = bearer(parts)? else {
            return Err(ApiError::Unauthorized(Message::new("api_curators_only")));
        };
        match tokens.verify(token) {
            Some(name) => Ok(Curator(name.to_string())),
            None if contributor_named(state, token).is_some() => {
                Err(ApiError::Forbidden(Message::new("api_contributor_token")))
            }
            None => Err(ApiError::Unauthorized(Message::new("api_token_invalid"))),
        }
    }
}

/// The contributor whose token this is: configured by the operator, or invited by a curator.
pub(crate) fn contributor_named(state: &AppState, token: &str) -> Option<String> {
    if let Some(name) = state.config().contributors.verify(token) {
        return Some(name.to_string());
    }
    match state.kb().contributor_for_token(token) {
        Ok(found) => found,
        Err(error) => {
            tracing::error!(%error, "cannot read contributor accounts");
            None
        }
    }
}

impl FromRequestParts<AppState> for Contributor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = bearer(parts)? else {
            return Err(ApiError::Unauthorized(Message::new(
                "api_contributors_only",
            )));
        };
        let token = token.to_string();
        let state = state.clone();
        let found = tokio::task::spawn_blocking(move || {
            let curator = state.tokens().verify(&token).is_some();
            (curator, contributor_named(&state, &token))
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        match found {
            (_, Some(name)) => Ok(Contributor(name)),
            (true, None) => Err(ApiError::Forbidden(Message::new("api_curator_token"))),
            (false, None) => Err(ApiError::Unauthorized(Message::new(
                "api_not_contributor_token",
            ))),
        }
    }
}
