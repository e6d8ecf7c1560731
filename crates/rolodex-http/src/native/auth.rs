//! Login and logout, API keys, and the caller's tenants.

use super::dto::{ApiKeyView, List, TenantView, TokenView};
use super::registered;
use crate::client::ClientIp;
use crate::extract::{Ids, JsonBody, NativeCaller, NativeIdentity};
use crate::openapi::{IdempotencyKeyHeader, TenantHeader};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rolodex_domain::UserId;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
    /// A tenant code to bind the token to.
    tenant: Option<String>,
}

#[utoipa::path(post, operation_id = "login", path = "/v1/auth/token", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenView, headers(("Cache-Control" = String))),
        (status = 401, description = "Wrong username or password"),
        (status = 403, description = "Not a member of that tenant"),
        (status = 429, description = "Too many failed logins; see Retry-After", headers(("Retry-After" = u64)))))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, Problem> {
    let issued = state
        .services
        .auth
        .login(&req.username, &req.password, req.tenant.as_deref(), client)
        .await?;
    let body = TokenView {
        access_token: issued.token,
        token_type: "Bearer",
        expires_in: issued.expires_in.as_secs(),
        tenant_id: issued.tenant.map(|t| t.id.0),
    };
    Ok((
        StatusCode::OK,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response())
}

#[utoipa::path(delete, operation_id = "logout", path = "/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "The token is revoked")))]
pub async fn logout(
    State(state): State<AppState>,
    NativeIdentity(identity): NativeIdentity,
) -> Result<StatusCode, Problem> {
    state.services.auth.logout(&identity).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "list_tenants", path = "/v1/tenants", tag = "auth", security(("bearer" = [])), description = "The tenants you belong to, with your role in each; needs no tenant to be chosen.",
    responses((status = 200, body = List<TenantView>)))]
pub async fn tenants(
    State(state): State<AppState>,
    NativeIdentity(identity): NativeIdentity,
) -> Result<Response, Problem> {
    let tenants = state.services.tenants.of_user(&identity).await?;
    let items: Vec<TenantView> = tenants
        .into_iter()
        .map(|(t, r)| TenantView::new(t, r))
        .collect();
    Ok(Json(List {
        items,
        next_cursor: None,
    })
    .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyRequest {
    name: String,
    /// Another member to create the key for (admins only).
    user_id: Option<i64>,
}

#[utoipa::path(post, operation_id = "create_api_key", path = "/v1/api-keys", tag = "auth", security(("bearer" = [])), params(TenantHeader, IdempotencyKeyHeader), request_body = NewKeyRequest,
    responses((status = 201, description = "The key, whose secret is shown only here", body = ApiKeyView, headers(("Location" = String))),
        (status = 404, description = "user_id names no member of the tenant")))]
pub async fn create_key(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    JsonBody(req): JsonBody<NewKeyRequest>,
) -> Result<Response, Problem> {
    let new = state
        .services
        .auth
        .create_api_key(&caller, &req.name, req.user_id.map(UserId))
        .await?;
    let location = format!("/v1/api-keys/{}", new.key.id);
    Ok(registered(
        &location,
        &ApiKeyView::new(new.key, Some(new.secret)),
    ))
}

#[utoipa::path(get, operation_id = "list_api_keys", path = "/v1/api-keys", tag = "auth", security(("bearer" = [])), params(TenantHeader),
    responses((status = 200, body = List<ApiKeyView>)))]
pub async fn list_keys(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
) -> Result<Response, Problem> {
    let keys = state.services.auth.list_api_keys(&caller).await?;
    let items: Vec<ApiKeyView> = keys.into_iter().map(|k| ApiKeyView::new(k, None)).collect();
    Ok(Json(List {
        items,
        next_cursor: None,
    })
    .into_response())
}

#[utoipa::path(delete, operation_id = "revoke_api_key", path = "/v1/api-keys/{id}", tag = "auth", security(("bearer" = [])), params(("id" = i64, Path), TenantHeader),
    responses((status = 204, description = "Revoked")))]
pub async fn revoke_key(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
) -> Result<StatusCode, Problem> {
    state.services.auth.revoke_api_key(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
