//! Extractors: the curator and the contributor behind a bearer token (the tokens and sessions
//! themselves are in [`super::auth`], below the state); the URL's path segments and JSON
//! bodies, whose refusals are the API's errors, naming the segment or field, said in the
//! reader's language (axum's own refusals are plain English text).

use crate::catalogue::Message;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

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

/// axum's `Path`, refused as an [`ApiError`] naming the segment (`id: ...`), so that every
/// handler's path segments are refused alike, in the reader's language.
pub(crate) struct Path<T>(pub(crate) T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    // The one place axum's `Path` is used (clippy.toml disallows it elsewhere).
    #[allow(clippy::disallowed_types)]
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(path_refusal(rejection, &segment_names(parts))),
        }
    }
}

/// The names of the matched route's segments (`{id}`), in order: a tuple's refusal names a
/// segment by its index only.
fn segment_names(parts: &Parts) -> Vec<String> {
    let Some(route) = parts.extensions.get::<axum::extract::MatchedPath>() else {
        return Vec::new();
    };
    route
        .as_str()
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| name.trim_start_matches('*').to_string())
        .collect()
}

/// The API's error for a path segment axum could not read.
fn path_refusal(rejection: PathRejection, names: &[String]) -> ApiError {
    match rejection {
        PathRejection::FailedToDeserializePathParams(failure) => {
            path_refusal_kind(failure.into_kind(), names)
        }
        // The route and its handler disagree: the server's fault, not the client's.
        other => ApiError::Internal(format!("path parameters: {other}")),
    }
}

fn path_refusal_kind(kind: ErrorKind, names: &[String]) -> ApiError {
    let unreadable = |segment: &str, value: &str, expected: &str| {
        let message = if is_integer_type(expected) {
            Message::new("api_path_not_whole_number")
        } else {
            Message::new("api_path_unreadable")
        };
        ApiError::invalid_parameter(segment, message.arg("value", value))
    };
    match kind {
        ErrorKind::InvalidUtf8InPathParam { key } => {
            ApiError::invalid_parameter(&key, Message::new("api_path_not_utf8"))
        }
        ErrorKind::ParseErrorAtKey {
            key,
            value,
            expected_type,
        } => unreadable(&key, &value, expected_type),
        ErrorKind::ParseErrorAtIndex {
            index,
            value,
            expected_type,
        } => match names.get(index) {
            Some(name) => unreadable(name, &value, expected_type),
            None => ApiError::Internal(format!("path parameter {index} has no name")),
        },
        ErrorKind::ParseError {
            value,
            expected_type,
        } => match names {
            [name] => unreadable(name, &value, expected_type),
            _ => ApiError::Internal(format!("a path parameter of {names:?} is unreadable")),
        },
        ErrorKind::DeserializeError { key, value, .. } => ApiError::invalid_parameter(
            &key,
            Message::new("api_path_unreadable").arg("value", value),
        ),
        other => ApiError::Internal(format!("path parameters: {other}")),
    }
}

fn is_integer_type(name: &str) -> bool {
    matches!(
        name,
        "u8" | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
    )
}

/// The API's error for a body that could not be read: over the limit, or cut short.
pub(crate) fn body_refusal(rejection: BytesRejection) -> ApiError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge(Message::new("api_body_too_large"));
    }
    tracing::debug!(%rejection, "request body unreadable");
    ApiError::InvalidBody(Message::new("api_body_unreadable"))
}

/// One field of a JSON body, as a refusal describes it.
pub(crate) struct Field {
    name: &'static str,
    /// Its type in JSON's words (`string`, `number`).
    kind: &'static str,
    required: bool,
}

pub(crate) const fn required(name: &'static str, kind: &'static str) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

pub(crate) const fn optional(name: &'static str, kind: &'static str) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// The body's shape in a notation every language reads: `{"id"?: string, "markdown": string}`.
fn shape(fields: &[Field]) -> String {
    let fields: Vec<String> = fields
        .iter()
        .map(|field| {
            let mark = if field.required { "" } else { "?" };
            format!("\"{}\"{mark}: {}", field.name, field.kind)
        })
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// Reads a JSON request body as `T`, whose fields are `fields` (and no others). A refusal names
/// the field at fault (or the line and column of a syntax error) and shows the body's shape,
/// in the reader's language: serde's own messages are English.
pub(crate) fn json_body<T: DeserializeOwned>(
    bytes: &[u8],
    fields: &[Field],
) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| {
        let code = if error.is_eof() {
            "api_body_json_ends_early"
        } else {
            "api_body_not_json"
        };
        ApiError::InvalidBody(
            Message::new(code)
                .arg("line", error.line())
                .arg("column", error.column())
                .arg("shape", shape(fields)),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(ApiError::InvalidBody(
            Message::new("api_body_not_object").arg("shape", shape(fields)),
        ));
    };
    let field_error = |name: &str, code: &str| {
        ApiError::invalid_body_field(name, Message::new(code).arg("shape", shape(fields)))
    };
    if let Some(unknown) = object
        .keys()
        .find(|key| !fields.iter().any(|field| field.name == key.as_str()))
    {
        return Err(field_error(unknown, "api_body_field_unknown"));
    }
    if let Some(missing) = fields
        .iter()
        .find(|field| field.required && !object.contains_key(field.name))
    {
        return Err(field_error(missing.name, "api_body_field_missing"));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = error.path().to_string();
        if field == "." {
            // `fields` and `T` disagree: the body is refused, in general terms.
            tracing::warn!(%error, "a JSON body's fields are not those of its type");
            ApiError::InvalidBody(Message::new("api_body_json_shape").arg("shape", shape(fields)))
        } else {
            field_error(&field, "api_body_field_invalid")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[serde(default)]
        id: Option<String>,
        count: u32,
    }

    const FIELDS: [Field; 2] = [optional("id", "string"), required("count", "number")];

    fn refusal(text: &str) -> (Option<String>, String) {
        let error = json_body::<Body>(text.as_bytes(), &FIELDS).unwrap_err();
        let body = error.body();
        assert_eq!(body.error.code, "invalid_body");
        (body.error.parameter, body.error.message)
    }

    #[test]
    fn a_json_body_is_read_by_its_fields() {
        let body: Body = json_body(br#"{"count": 2}"#, &FIELDS).unwrap();
        assert_eq!((body.id, body.count), (None, 2));
        assert_eq!(shape(&FIELDS), r#"{"id"?: string, "count": number}"#);
    }

    #[test]
    fn a_json_body_refusal_names_the_field_at_fault() {
        assert_eq!(refusal(r#"{"id": "x"}"#).0.as_deref(), Some("count"));
        assert_eq!(refusal(r#"{"count": "two"}"#).0.as_deref(), Some("count"));
        assert_eq!(refusal(r#"{"count": -1}"#).0.as_deref(), Some("count"));
        assert_eq!(
            refusal(r#"{"count": 1, "size": 2}"#).0.as_deref(),
            Some("size")
        );
        let (field, message) = refusal("{\"count\": 1,");
        assert_eq!(field, None);
        assert!(message.contains("line 1, column 12"), "{message}");
        assert_eq!(refusal("3").0, None);
    }

    #[test]
    fn a_json_body_refusal_is_said_in_the_readers_language() {
        let error = json_body::<Body>(br#"{"id": 1, "count": 1}"#, &FIELDS).unwrap_err();
        let (english, french) = (error.body(), error.body_in(crate::Lang::Fr));
        assert_eq!(french.error.parameter.as_deref(), Some("id"));
        assert!(
            french.error.message.starts_with("id: "),
            "{}",
            french.error.message
        );
        assert_ne!(english.error.message, french.error.message);
        // serde's English explanation stays out of it.
        assert!(!french.error.message.contains("invalid type"));
    }

    #[test]
    fn a_path_segment_refusal_names_the_segment() {
        use axum::extract::path::ErrorKind;
        let names = vec!["id".to_string(), "number".to_string()];
        let error = path_refusal_kind(
            ErrorKind::ParseErrorAtIndex {
                index: 1,
                value: "first".into(),
                expected_type: "u32",
            },
            &names,
        );
        let body = error.body();
        assert_eq!(body.error.parameter.as_deref(), Some("number"));
        assert_eq!(
            body.error.message,
            format!(
                "number: {}",
                Message::new("api_path_not_whole_number")
                    .arg("value", "first")
                    .render(crate::Lang::En)
            )
        );
        let error = path_refusal_kind(
            ErrorKind::InvalidUtf8InPathParam { key: "id".into() },
            &names,
        );
        assert_eq!(error.body().error.parameter.as_deref(), Some("id"));
        // A route that disagrees with its handler is the server's fault.
        let error = path_refusal_kind(
            ErrorKind::WrongNumberOfParameters {
                got: 2,
                expected: 1,
            },
            &names,
        );
        assert_eq!(error.body().error.code, "internal");
    }
}
