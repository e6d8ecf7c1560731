//! The OAuth clients of the current tenant (admins only): registered with the redirect URIs
//! they may send users back to, listed, revoked. The client's secret is shown once, in the
//! response that registers it.

use super::dto::{List, OAuthClientView};
use super::registered;
use crate::extract::{Ids, JsonBody, NativeCaller};
use crate::openapi::{IdempotencyKeyHeader, TenantHeader};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rolodex_core::oauth::MAX_REDIRECT_URIS;
use rolodex_domain::redirect::REDIRECT_URI_MAX_CHARS;
use serde::Deserialize;
use utoipa::openapi::schema::{Array, ArrayBuilder, ObjectBuilder, SchemaType, Type};

/// The redirect URIs a client may register: absolute http(s) URIs, without user information
/// or fragment (`rolodex_domain::RedirectUri`; the pattern is the common case of that rule).
const REDIRECT_URI_PATTERN: &str = r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?([/?][!-\x22$-~]*)?$";

/// 1 to `MAX_REDIRECT_URIS` URIs.
fn redirect_uris_schema() -> Array {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .pattern(Some(REDIRECT_URI_PATTERN))
                .min_length(Some(1))
                .max_length(Some(REDIRECT_URI_MAX_CHARS))
                .build(),
        )
        .min_items(Some(1))
        .max_items(Some(MAX_REDIRECT_URIS))
        .build()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOAuthClientRequest {
    /// Shown to users when the client asks for their authorization.
    #[schema(min_length = 1, max_length = 128)]
    name: String,
    /// Absolute https:// (or http://) URIs without a fragment.
    #[schema(schema_with = redirect_uris_schema)]
    redirect_uris: Vec<String>,
}

#[utoipa::path(get, operation_id = "list_oauth_clients", path = "/v1/oauth-clients", tag = "oauth", security(("bearer" = [])), params(TenantHeader),
    responses((status = 200, body = List<OAuthClientView>)))]
pub async fn list(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
) -> Result<Json<List<OAuthClientView>>, Problem> {
    let clients = state.services.oauth.list_clients(&caller).await?;
    Ok(Json(List {
        items: clients
            .into_iter()
            .map(|c| OAuthClientView::new(c, None))
            .collect(),
        next_cursor: None,
    }))
}

#[utoipa::path(post, operation_id = "register_oauth_client", path = "/v1/oauth-clients", tag = "oauth", security(("bearer" = [])), params(TenantHeader, IdempotencyKeyHeader),
    request_body = NewOAuthClientRequest,
    responses((status = 201, description = "The client, whose secret is shown only here", body = OAuthClientView, headers(("Location" = String)))))]
pub async fn register(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    JsonBody(req): JsonBody<NewOAuthClientRequest>,
) -> Result<Response, Problem> {
    let new = state
        .services
        .oauth
        .register_client(&caller, &req.name, &req.redirect_uris)
        .await?;
    let location = format!("/v1/oauth-clients/{}", new.client.id);
    Ok(registered(
        &location,
        &OAuthClientView::new(new.client, Some(new.secret)),
    ))
}

#[utoipa::path(delete, operation_id = "revoke_oauth_client", path = "/v1/oauth-clients/{id}", tag = "oauth", security(("bearer" = [])), params(("id" = i64, Path), TenantHeader),
    responses((status = 204, description = "Revoked, with every token issued to it")))]
pub async fn revoke(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
) -> Result<StatusCode, Problem> {
    state.services.oauth.revoke_client(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
