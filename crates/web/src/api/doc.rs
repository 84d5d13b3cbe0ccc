//! What the OpenAPI document says besides its operations: title, licence, the two bearer
//! schemes and the tags. The operations join it from the features' `routes!` as the router is
//! built (`crate::router`), so the document cannot drift from what is served; it is served at
//! `/api/openapi.json` and rendered at `/api/docs` (`features::apidocs`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Adds the two bearer schemes: a person's token from `/api/v1/login`, an intake client's
/// token from the administrator.
struct Tokens;

impl Modify for Tokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, description) in [
            ("staff_token", "A person's token from POST /api/v1/login"),
            (
                "client_token",
                "An intake client's token, issued by an administrator",
            ),
        ] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(description))
                        .build(),
                ),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "jiedao API",
        description = "The JSON API of jiedao (街道): cases and their actions, categories, the organisation, figures and webhooks, for staff systems and intake clients. Open311 GeoReport v2 is served beside it under /open311/v2/.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&Tokens),
    security(("staff_token" = [])),
    tags(
        (name = "auth", description = "Signing in"),
        (name = "cases", description = "Cases (案卷) and acting on them"),
        (name = "intake", description = "Reports from other systems"),
        (name = "reference", description = "Categories and the organisation"),
        (name = "statistics", description = "Figures (统计)"),
        (name = "webhooks", description = "Subscriptions to case events"),
        (name = "registry", description = "The registry (人房企物): persons, places, buildings, enterprises"),
        (name = "petitions", description = "Petitions (信访): registration, actions, figures"),
        (name = "disputes", description = "Disputes (矛盾纠纷调解): registration, mediation, agreements, figures"),
        (name = "economy", description = "The economy (经济指标): figures and rankings")
    )
)]
pub struct ApiDoc;
