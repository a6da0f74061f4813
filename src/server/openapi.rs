//! The OpenAPI 3 document, generated from the handlers' `#[utoipa::path]` annotations and the
//! response types. Each resource module lists its own operations (its `Paths`, next to its
//! `router()`); this module, above them all, merges them. Tests check that every documented
//! operation is served and every served route is documented.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use axum::routing::get;
use axum::{Json, Router};

use super::state::AppState;
use super::{
    contributions, curate, documents, feed, manual, networks, ops, profiles, reference, revisions,
    search, spectrum,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Praxis",
        description = "A searchable knowledge base of what works in preventing genocide and mass atrocities. Errors are always {\"error\": {\"code\", \"message\"}} with a stable snake_case code.",
        license(name = "Apache-2.0")
    ),
    paths(openapi_show),
    components(schemas(
        crate::index::SearchRequest,
        super::params::Format,
        crate::taxonomy::Lang,
    )),
    modifiers(&CuratorToken),
    tags(
        (name = "search", description = "Search, export and the feed"),
        (name = "documents", description = "Documents and their revisions"),
        (name = "curation", description = "Writes and the audit log (curator token required)"),
        (name = "reference", description = "Vocabularies and counts"),
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "contributions", description = "Proposals from contributors, their review by curators, invitations"),
        (name = "profiles", description = "Country profiles, regional profiles and the shareable-law finder"),
        (name = "spectrum", description = "The knowledge base from prevention to reparation, for the world, a country or a region"),
        (name = "manual", description = "The manual of national prevention architectures: guidance, evidence tables, standard norms"),
        (name = "networks", description = "Networks of States, the glossary and the common curriculum"),
    )
)]
struct ApiDoc;

struct CuratorToken;

impl Modify for CuratorToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "curator_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A curator token; the server holds its BLAKE3 hash (praxis hash-token)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "contributor_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A contributor token: configured by the operator, or received by using an invitation",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document served at `/api/openapi.json`.
pub(crate) fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    // Paths and the schemas they use; tags, security schemes and the info stay ApiDoc's.
    for resource in [
        ops::Paths::openapi(),
        search::Paths::openapi(),
        feed::Paths::openapi(),
        documents::Paths::openapi(),
        revisions::Paths::openapi(),
        reference::Paths::openapi(),
        curate::Paths::openapi(),
        networks::Paths::openapi(),
        profiles::Paths::openapi(),
        spectrum::Paths::openapi(),
        manual::Paths::openapi(),
        contributions::Paths::openapi(),
    ] {
        doc.merge(resource);
    }
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi_show))
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "This API's OpenAPI 3 document", body = Object)))]
pub(crate) async fn openapi_show() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
