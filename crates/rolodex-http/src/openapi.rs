//! The OpenAPI document of the native API, generated from the handlers' annotations, at
//! `/openapi.json`, and an interactive page at `/docs` whose assets the binary serves itself.

use crate::native::{auth, contacts, customers, photos, users};
use crate::state::AppState;
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rolodex",
        description = "Customers and the people to contact at each one. Errors are RFC 9457 problem details \
            (application/problem+json); single resources carry an ETag that If-Match can pin; PATCH takes \
            JSON Merge Patch (RFC 7396)."
    ),
    paths(
        auth::login, auth::logout, auth::tenants, auth::create_key, auth::list_keys, auth::revoke_key,
        users::list, users::create, users::get, users::update, users::remove,
        customers::create, customers::list, customers::get, customers::patch, customers::delete, customers::history,
        contacts::search, contacts::list_of_customer, contacts::create, contacts::get, contacts::patch,
        contacts::replace, contacts::delete, contacts::history,
        photos::put, photos::get, photos::delete,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/docs").url("/openapi.json", ApiDoc::openapi()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_native_route() {
        let doc = ApiDoc::openapi();
        let paths: Vec<&String> = doc.paths.paths.keys().collect();
        for p in [
            "/v1/auth/token",
            "/v1/contacts",
            "/v1/customers/{id}/contacts/{contact_id}/history",
            "/v1/customers/{id}/contacts/{contact_id}/photo",
        ] {
            assert!(
                paths.iter().any(|k| k.as_str() == p),
                "{p} missing from {paths:?}"
            );
        }
        let json = doc.to_json().unwrap_or_default();
        assert!(json.contains("\"openapi\":\"3.1"), "OpenAPI 3.1");
        assert!(
            json.contains("\"PhotoView\""),
            "the contact's photo link is documented"
        );
    }
}
