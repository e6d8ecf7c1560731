//! The members of the current tenant (admins only).

use super::dto::{List, UserView};
use super::registered;
use crate::extract::{Ids, JsonBody, NativeCaller};
use crate::openapi::{IdempotencyKeyHeader, TenantHeader};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rolodex_core::users::{MemberUpdate, NewUser};
use rolodex_domain::user::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use rolodex_domain::{Role, UserId};
use serde::Deserialize;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

fn role(raw: &str) -> Result<Role, Problem> {
    raw.parse::<Role>()
        .map_err(|e| Problem::from(rolodex_core::CoreError::from(e)))
}

/// One of the roles, by name (or `null`, which changes nothing, when `nullable`).
fn roles(nullable: bool) -> Object {
    let mut values: Vec<serde_json::Value> = [Role::Viewer, Role::Dispatcher, Role::Admin]
        .map(|r| r.as_str().into())
        .into();
    let kind = if nullable {
        values.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .enum_values(Some(values))
        .build()
}

/// A password of the length the domain takes.
fn password(kind: SchemaType) -> Object {
    ObjectBuilder::new()
        .schema_type(kind)
        .min_length(Some(PASSWORD_MIN_CHARS))
        .max_length(Some(PASSWORD_MAX_CHARS))
        .build()
}

fn role_schema() -> Object {
    roles(false)
}

fn role_or_null_schema() -> Object {
    roles(true)
}

fn password_schema() -> Object {
    password(SchemaType::Type(Type::String))
}

fn password_or_null_schema() -> Object {
    password(SchemaType::from_iter([Type::String, Type::Null]))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    username: String,
    #[schema(schema_with = password_schema)]
    password: String,
    #[schema(schema_with = role_schema)]
    role: String,
    display_name: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    #[schema(schema_with = role_or_null_schema)]
    role: Option<String>,
    display_name: Option<String>,
    active: Option<bool>,
    /// A new password (a reset by the admin).
    #[schema(schema_with = password_or_null_schema)]
    password: Option<String>,
}

#[utoipa::path(get, operation_id = "list_users", path = "/v1/users", tag = "users", security(("bearer" = [])), params(TenantHeader),
    responses((status = 200, body = List<UserView>)))]
pub async fn list(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
) -> Result<Response, Problem> {
    let members = state.services.users.list(&caller).await?;
    Ok(Json(List {
        items: members.into_iter().map(UserView::from).collect(),
        next_cursor: None,
    })
    .into_response())
}

#[utoipa::path(post, operation_id = "create_user", path = "/v1/users", tag = "users", security(("bearer" = [])), params(TenantHeader, IdempotencyKeyHeader),
    request_body = NewUserRequest,
    responses((status = 201, body = UserView, headers(("Location" = String))), (status = 409, description = "Username taken")))]
pub async fn create(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    JsonBody(req): JsonBody<NewUserRequest>,
) -> Result<Response, Problem> {
    let new = NewUser {
        username: req.username,
        display_name: req.display_name,
        password: req.password,
        role: role(&req.role)?,
    };
    let member = state.services.users.create(&caller, new).await?;
    let location = format!("/v1/users/{}", member.user.id);
    Ok(registered(&location, &UserView::from(member)))
}

#[utoipa::path(get, operation_id = "get_user", path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = i64, Path), TenantHeader),
    responses((status = 200, body = UserView)))]
pub async fn get(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
) -> Result<Json<UserView>, Problem> {
    Ok(Json(
        state.services.users.get(&caller, UserId(id)).await?.into(),
    ))
}

#[utoipa::path(patch, operation_id = "update_user", path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = i64, Path), TenantHeader),
    request_body = UserChanges,
    responses((status = 200, body = UserView), (status = 409, description = "Would leave the tenant without an active admin")))]
pub async fn update(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
    JsonBody(req): JsonBody<UserChanges>,
) -> Result<Json<UserView>, Problem> {
    let update = MemberUpdate {
        role: req.role.as_deref().map(role).transpose()?,
        display_name: req.display_name,
        active: req.active,
        password: req.password,
    };
    Ok(Json(
        state
            .services
            .users
            .update(&caller, UserId(id), update)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, operation_id = "remove_user", path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = i64, Path), TenantHeader),
    responses((status = 204, description = "Removed from the tenant"), (status = 409, description = "Would leave the tenant without an active admin")))]
pub async fn remove(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
) -> Result<StatusCode, Problem> {
    state.services.users.remove(&caller, UserId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
