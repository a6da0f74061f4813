//! The API's one error type. Every failure, from a bad parameter to a full disk, becomes an
//! [`ApiError`], which answers with a status, a stable snake_case code that clients can match on,
//! and a message a person can act on:
//!
//! ```json
//! {"error": {"code": "invalid_filter", "message": "region: unknown value \"atlantis\"; ..."}}
//! ```
//!
//! Validation failures add `problems` (file, line, column, field, code, args, message). Server
//! faults (5xx) say only that something went wrong: their details go to the log, never to
//! clients.
//!
//! Every message comes from the catalogue (a [`Message`]: code and arguments) and is said in
//! the request's language: [`IntoResponse`] keeps the error beside the English body,
//! and [`localize`] (run by the router's middleware, which knows the request) says it again in
//! the language the request asked for. Codes never change with the language.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::catalogue::Message;
use crate::document::{Problem, ProblemView};
use crate::index::SearchError;
use crate::Lang;

/// Every error the API answers with.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// 400: a query parameter, path segment or header value is not allowed.
    InvalidParameter { parameter: String, message: Message },
    /// 400: a filter value that does not exist in the taxonomy.
    InvalidFilter { parameter: String, message: Message },
    /// 400: the request body cannot be read (malformed JSON, missing field).
    InvalidBody(Message),
    /// 400 `invalid_body`: one field of a JSON body is missing or has the wrong type.
    InvalidBodyField { field: String, message: Message },
    /// 401: no valid curator token.
    Unauthorized(Message),
    /// 403: a valid token of the wrong role (a contributor's where a curator's is needed).
    Forbidden(Message),
    /// 404: no such document, revision or route.
    NotFound(Message),
    /// 405: the route exists but not for this method.
    MethodNotAllowed(Message),
    /// 408: the request took longer than the server allows.
    Timeout,
    /// 409: a document with this id already exists (POST creates only), or a restore of a
    /// document that is not withdrawn.
    Conflict(Message),
    /// 409 `conflict`: the write's base revision (`If-Match`) is not the current one.
    Stale {
        message: Message,
        current_revision: u32,
    },
    /// 409 `already_withdrawn`: a withdrawal of a withdrawn document.
    AlreadyWithdrawn(Message),
    /// 410: the document was withdrawn; its history is still readable.
    Withdrawn { id: String, at: Option<String> },
    /// 413: the request body is over the limit.
    PayloadTooLarge(Message),
    /// 415: a body in a format the endpoint does not read.
    UnsupportedMediaType(Message),
    /// 422: the document is invalid; every problem is listed.
    ValidationFailed(Vec<Problem>),
    /// 429: this client sent too many requests of a kind, or every export slot is taken;
    /// `Retry-After` says when to try again.
    TooManyRequests {
        message: Message,
        retry_after_secs: u64,
    },
    /// 503: the server is at its limit of concurrent searches and page renders; `Retry-After`
    /// says when to try again.
    Overloaded { retry_after_secs: u64 },
    /// 503: not ready yet (the default corpus is being ingested) or shutting down.
    Unavailable(Message),
    /// 500: anything else. The detail is logged, not sent.
    Internal(String),
    /// A refusal made outside the handlers with no better kind (a layer's, or an axum
    /// rejection this module does not know): its status is kept; 400 is `malformed_request`.
    Rejected {
        status: StatusCode,
        message: Message,
    },
}

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    pub(crate) error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail {
    /// Stable, snake_case: invalid_parameter, invalid_filter, invalid_body, unauthorized,
    /// forbidden, not_found, method_not_allowed, timeout, conflict, already_withdrawn, withdrawn, payload_too_large,
    /// unsupported_media_type, validation_failed, too_many_requests, overloaded, unavailable,
    /// internal; and, for requests the HTTP layer could not read: malformed_request,
    /// uri_too_long, headers_too_large.
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// The parameter concerned, for invalid_parameter and invalid_filter; the body's field,
    /// for invalid_body when one field is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parameter: Option<String>,
    /// Every problem found, for validation_failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) problems: Option<Vec<ProblemView>>,
    /// The document's current revision, for a `conflict` on a stale base revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) current_revision: Option<u32>,
}

impl ApiError {
    pub(crate) fn invalid_parameter(parameter: &str, message: Message) -> ApiError {
        ApiError::InvalidParameter {
            parameter: parameter.to_string(),
            message,
        }
    }

    pub(crate) fn invalid_body_field(field: &str, message: Message) -> ApiError {
        ApiError::InvalidBodyField {
            field: field.to_string(),
            message,
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameter { .. }
            | ApiError::InvalidFilter { .. }
            | ApiError::InvalidBody(_)
            | ApiError::InvalidBodyField { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Conflict(_) | ApiError::Stale { .. } | ApiError::AlreadyWithdrawn(_) => {
                StatusCode::CONFLICT
            }
            ApiError::Withdrawn { .. } => StatusCode::GONE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::ValidationFailed(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Rejected { status, .. } => *status,
        }
    }

    pub(crate) fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidParameter { .. } => "invalid_parameter",
            ApiError::InvalidFilter { .. } => "invalid_filter",
            ApiError::InvalidBody(_) | ApiError::InvalidBodyField { .. } => "invalid_body",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Timeout => "timeout",
            ApiError::Conflict(_) | ApiError::Stale { .. } => "conflict",
            ApiError::AlreadyWithdrawn(_) => "already_withdrawn",
            ApiError::Withdrawn { .. } => "withdrawn",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::ValidationFailed(_) => "validation_failed",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Overloaded { .. } => "overloaded",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
            ApiError::Rejected { status, .. } if *status == StatusCode::BAD_REQUEST => {
                "malformed_request"
            }
            ApiError::Rejected { status, .. } => code_for_status(*status),
        }
    }

    /// The message in `lang`. The parameter's name leads an invalid parameter's message in
    /// every language: it is the name the client sent.
    pub(crate) fn message_in(&self, lang: Lang) -> String {
        match self {
            ApiError::InvalidParameter { parameter, message }
            | ApiError::InvalidFilter { parameter, message }
            | ApiError::InvalidBodyField {
                field: parameter,
                message,
            } => {
                format!("{parameter}: {}", message.render(lang))
            }
            ApiError::Rejected { message, .. }
            | ApiError::InvalidBody(message)
            | ApiError::Unauthorized(message)
            | ApiError::Forbidden(message)
            | ApiError::NotFound(message)
            | ApiError::MethodNotAllowed(message)
            | ApiError::Conflict(message)
            | ApiError::Stale { message, .. }
            | ApiError::AlreadyWithdrawn(message)
            | ApiError::PayloadTooLarge(message)
            | ApiError::UnsupportedMediaType(message)
            | ApiError::Unavailable(message)
            | ApiError::TooManyRequests { message, .. } => message.render(lang),
            ApiError::Timeout => Message::new("api_timeout").render(lang),
            ApiError::Overloaded { retry_after_secs } => Message::new("api_overloaded")
                .arg("seconds", retry_after_secs)
                .render(lang),
            ApiError::Withdrawn { id, at: Some(at) } => Message::new("api_withdrawn_on")
                .arg("id", id)
                .arg("at", at)
                .render(lang),
            ApiError::Withdrawn { id, at: None } => {
                Message::new("api_withdrawn").arg("id", id).render(lang)
            }
            ApiError::ValidationFailed(problems) => Message::new("api_validation_failed")
                .arg("count", problems.len())
                .arg(
                    "problems",
                    problems
                        .iter()
                        .map(|problem| problem.describe(lang))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
                .render(lang),
            ApiError::Internal(_) => Message::new("api_internal").render(lang),
        }
    }

    /// The JSON body of this error, in English.
    pub(crate) fn body(&self) -> ErrorBody {
        self.body_in(Lang::En)
    }

    /// The JSON body of this error, its messages in `lang`.
    pub(crate) fn body_in(&self, lang: Lang) -> ErrorBody {
        let parameter = match self {
            ApiError::InvalidParameter { parameter, .. }
            | ApiError::InvalidFilter { parameter, .. }
            | ApiError::InvalidBodyField {
                field: parameter, ..
            } => Some(parameter.clone()),
            _ => None,
        };
        let problems = match self {
            ApiError::ValidationFailed(problems) => {
                Some(problems.iter().map(|problem| problem.view(lang)).collect())
            }
            _ => None,
        };
        let current_revision = match self {
            ApiError::Stale {
                current_revision, ..
            } => Some(*current_revision),
            _ => None,
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.message_in(lang),
                parameter,
                problems,
                current_revision,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let mut response = (status, axum::Json(self.body())).into_response();
        // Kept for `localize`, which says the message again in the request's language.
        response.extensions_mut().insert(self.clone());
        if let ApiError::TooManyRequests {
            retry_after_secs, ..
        }
        | ApiError::Overloaded { retry_after_secs } = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"praxis\""),
            );
        }
        response
    }
}

/// Says an [`ApiError`]'s response again in `lang` (the status, the code and the headers stay).
/// Other responses pass unchanged.
pub(crate) fn localize(response: Response, lang: Lang) -> Response {
    if lang == Lang::En {
        return response;
    }
    let Some(error) = response.extensions().get::<ApiError>().cloned() else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    let body = serde_json::to_vec(&error.body_in(lang)).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

impl From<SearchError> for ApiError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::InvalidFilter { parameter, message } => {
                ApiError::InvalidFilter { parameter, message }
            }
            SearchError::InvalidParameter { parameter, message } => {
                ApiError::InvalidParameter { parameter, message }
            }
            SearchError::Index(error) => ApiError::Internal(error.to_string()),
        }
    }
}

impl From<crate::Error> for ApiError {
    fn from(error: crate::Error) -> Self {
        match error {
            crate::Error::Search(error) => error.into(),
            // Store, index and I/O failures are the server's, whatever the request was.
            other => ApiError::Internal(format!("{other:#}")),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(error: tokio::task::JoinError) -> Self {
        ApiError::Internal(format!("a blocking task failed: {error}"))
    }
}

/// The error for a refusal made outside the handlers (a tower layer, an axum rejection that
/// `extract` does not map) with `detail`, its plain-text body: English, and about the server's
/// workings, so it is logged rather than shown. `page`: the request was for a web page, whose
/// reader has no use for the API's description.
pub(crate) fn refusal_outside_handlers(status: StatusCode, detail: &str, page: bool) -> ApiError {
    if status.is_server_error() {
        tracing::error!(%status, detail, "error response from a layer");
        return ApiError::Rejected {
            status,
            message: Message::new("api_internal"),
        };
    }
    tracing::debug!(%status, detail, "request refused outside the handlers");
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge(Message::new("api_body_too_large"))
        }
        StatusCode::REQUEST_TIMEOUT => ApiError::Timeout,
        StatusCode::UNSUPPORTED_MEDIA_TYPE if !page => {
            ApiError::UnsupportedMediaType(Message::new("api_media_type_refused"))
        }
        StatusCode::BAD_REQUEST
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::Rejected {
            status,
            message: Message::new(if page {
                "page_request_unreadable"
            } else {
                "api_request_unreadable"
            }),
        },
        _ => ApiError::Rejected {
            status,
            message: Message::new("api_request_refused").arg("status", status.as_u16()),
        },
    }
}

/// The code for a status produced outside the handlers (a tower layer, an axum rejection).
pub(crate) fn code_for_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "invalid_parameter",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::CONFLICT => "conflict",
        StatusCode::GONE => "withdrawn",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation_failed",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ if status.is_server_error() => "internal",
        _ => "invalid_parameter",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_failures_are_said_in_the_requested_language() {
        let problem = Problem {
            file: "request".into(),
            line: Some(3),
            column: None,
            field: Some("title".into()),
            message: Message::new("problem_required"),
        };
        let error = ApiError::ValidationFailed(vec![problem]);
        let english = error.body();
        let french = error.body_in(Lang::Fr);
        assert_eq!(english.error.code, french.error.code);
        assert_ne!(english.error.message, french.error.message);
        let (en, fr) = (
            &english.error.problems.as_ref().unwrap()[0],
            &french.error.problems.as_ref().unwrap()[0],
        );
        assert_eq!(en.code, "problem_required");
        assert_eq!(fr.code, "problem_required");
        assert_eq!((fr.line, fr.field.as_deref()), (Some(3), Some("title")));
        assert_ne!(en.message, fr.message);
        assert!(
            french.error.message.contains(&fr.message),
            "{}",
            french.error.message
        );
    }

    #[tokio::test]
    async fn localize_rewrites_only_api_errors() {
        let response = ApiError::Overloaded {
            retry_after_secs: 2,
        }
        .into_response();
        let response = localize(response, Lang::Es);
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"]["code"], "overloaded");
        let spanish = Message::new("api_overloaded")
            .arg("seconds", 2)
            .render(Lang::Es);
        assert_eq!(body["error"]["message"], spanish.as_str());

        let plain = (StatusCode::OK, "fine").into_response();
        let plain = localize(plain, Lang::Fr);
        let bytes = axum::body::to_bytes(plain.into_body(), 1 << 16)
            .await
            .unwrap();
        assert_eq!(&bytes[..], b"fine");
    }

    #[test]
    fn every_error_kind_is_said_in_the_catalogue_language() {
        let errors = [
            ApiError::Timeout,
            ApiError::Forbidden(Message::new("api_contributor_token")),
            ApiError::Unavailable(Message::new("api_not_ready")),
            ApiError::PayloadTooLarge(Message::new("api_body_too_large")),
            ApiError::TooManyRequests {
                message: Message::new("api_too_many_writes").arg("seconds", 3),
                retry_after_secs: 3,
            },
            ApiError::Stale {
                message: Message::new("api_stale")
                    .arg("id", "x")
                    .arg("base", 1)
                    .arg("current", 2),
                current_revision: 2,
            },
        ];
        for error in errors {
            let english = error.body().error;
            for lang in [Lang::Fr, Lang::Es] {
                let said = error.body_in(lang).error;
                assert_eq!(said.code, english.code);
                assert_eq!(said.current_revision, english.current_revision);
                assert_ne!(said.message, english.message, "{:?} in {lang}", error);
            }
        }
    }

    #[test]
    fn internal_errors_hide_their_detail() {
        let body = ApiError::Internal("disk /secret/path is full".into()).body();
        assert_eq!(body.error.code, "internal");
        assert!(!body.error.message.contains("secret"));
    }

    #[test]
    fn filter_errors_name_the_parameter() {
        let error: ApiError = SearchError::InvalidFilter {
            parameter: "region".into(),
            message: Message::new("filter_unknown").arg("value", "atlantis"),
        }
        .into();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        let body = error.body();
        assert_eq!(body.error.code, "invalid_filter");
        assert_eq!(body.error.parameter.as_deref(), Some("region"));
        assert!(body.error.message.starts_with("region: "));
    }
}
