//! The stylesheet, the script and the icon the pages use, compiled into the binary.

use super::extract::Path;
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use super::error::ApiError;
use super::state::AppState;
use crate::catalogue::Message;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{file}", get(static_file))
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/static/favicon.svg") }),
        )
}

async fn static_file(Path(file): Path<String>, uri: Uri) -> Response {
    let (body, content_type): (&'static [u8], &str) = match file.as_str() {
        "style.css" => (
            include_bytes!("../../static/style.css"),
            "text/css; charset=utf-8",
        ),
        "app.js" => (
            include_bytes!("../../static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        "favicon.svg" => (include_bytes!("../../static/favicon.svg"), "image/svg+xml"),
        _ => {
            return ApiError::NotFound(Message::new("page_no_route").arg("path", uri.path()))
                .into_response()
        }
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
