//! The OpenAPI 3 document, generated from the handlers' `#[utoipa::path]` annotations and the
//! response types. Tests check that every documented operation is served and every served
//! route is documented.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{api, contributions, manual, networks, profiles, spectrum};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Praxis",
        description = "A searchable knowledge base of what works in preventing genocide and mass atrocities. Errors are always {\"error\": {\"code\", \"message\"}} with a stable snake_case code.",
        license(name = "Apache-2.0")
    ),
    paths(
        api::health_check,
        api::ready_check,
        api::metrics_show,
        api::openapi_show,
        api::search_query,
        api::feed_show,
        api::document_show,
        api::document_create,
        api::document_update,
        api::document_withdraw,
        api::document_restore,
        api::revisions_list,
        api::revision_show,
        api::taxonomy_show,
        api::stats_show,
        api::audit_list,
        api::backup_show,
        profiles::country_show,
        profiles::laws_list,
        profiles::region_profile_show,
        spectrum::spectrum_show,
        manual::manual_show,
        manual::chapter_csv,
        networks::networks_list,
        networks::network_show,
        networks::glossary_list,
        networks::curriculum_show,
        contributions::proposal_create,
        contributions::proposals_list,
        contributions::contributor_proposals_list,
        contributions::proposal_show,
        contributions::proposal_accept,
        contributions::proposal_decline,
        contributions::invitation_create,
        contributions::contributor_create,
    ),
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
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}
