//! Customers: create, list, read, patch, delete, history.

use super::dto::{CustomerView, HistoryView, List};
use super::map::customer_patch;
use super::{created, tagged};
use crate::extract::{Conditions, Ids, JsonObject, NativeCaller, Params};
use crate::problem::{Problem, ProblemBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rolodex_core::{CoreError, PageRequest};
use rolodex_domain::CustomerId;

/// `limit` and `cursor` of a list request.
pub fn page(params: &Params) -> Result<PageRequest, Problem> {
    let limit = params.parse::<u32>("limit", "an integer")?;
    PageRequest::parse(limit, params.get("cursor")).map_err(|e| Problem::from(CoreError::from(e)))
}

#[utoipa::path(post, path = "/v1/customers", tag = "customers", security(("bearer" = [])),
    params(("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe creation")),
    request_body(content = CustomerView, description = "name, code (derived from the name when left out), website, address, city, state, postal_code, country, custom_fields"),
    responses((status = 201, body = CustomerView),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn create(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    JsonObject(body): JsonObject,
) -> Result<Response, Problem> {
    let patch = customer_patch(body).map_err(CoreError::from)?;
    let customer = state.services.customers.create(&caller, patch).await?;
    Ok(created(
        format!("/v1/customers/{}", customer.id),
        customer.version,
        &CustomerView::from(customer),
    ))
}

#[utoipa::path(get, path = "/v1/customers", tag = "customers", security(("bearer" = [])),
    params(("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("q" = Option<String>, Query, description = "Prefix of the code or name"), ("limit" = Option<u32>, Query, description = "Page size, 1-200 (default 50)"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = List<CustomerView>),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody),))]
pub async fn list(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    params: Params,
) -> Result<Json<List<CustomerView>>, Problem> {
    params.only(&["q", "limit", "cursor"])?;
    let page = page(&params)?;
    let found = state
        .services
        .customers
        .list(&caller, params.get("q"), &page)
        .await?;
    Ok(Json(List::from_page(found, CustomerView::from)))
}

#[utoipa::path(get, path = "/v1/customers/{id}", tag = "customers", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)")),
    responses((status = 200, body = CustomerView),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn get(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
) -> Result<Response, Problem> {
    let customer = state
        .services
        .customers
        .get(&caller, CustomerId(id))
        .await?;
    Ok(tagged(
        StatusCode::OK,
        customer.version,
        &CustomerView::from(customer),
    ))
}

#[utoipa::path(patch, path = "/v1/customers/{id}", tag = "customers", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    request_body(content = CustomerView, content_type = "application/merge-patch+json", description = "JSON Merge Patch of the customer's writable members"),
    responses((status = 200, body = CustomerView),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody),
        (status = 412, description = "Stale If-Match", body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn patch(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
    Conditions(expected): Conditions,
    JsonObject(body): JsonObject,
) -> Result<Response, Problem> {
    let patch = customer_patch(body).map_err(CoreError::from)?;
    let customer = state
        .services
        .customers
        .patch(&caller, CustomerId(id), patch, expected)
        .await?;
    Ok(tagged(
        StatusCode::OK,
        customer.version,
        &CustomerView::from(customer),
    ))
}

#[utoipa::path(delete, path = "/v1/customers/{id}", tag = "customers", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    responses((status = 204, description = "Deleted"),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody),
        (status = 409, description = "The customer still has contacts", body = ProblemBody), (status = 412, body = ProblemBody)))]
pub async fn delete(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
    Conditions(expected): Conditions,
) -> Result<StatusCode, Problem> {
    state
        .services
        .customers
        .delete(&caller, CustomerId(id), expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/customers/{id}/history", tag = "customers", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("limit" = Option<u32>, Query, description = "Page size, 1-200 (default 50)"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = List<HistoryView>),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn history(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
    params: Params,
) -> Result<Json<List<HistoryView>>, Problem> {
    params.only(&["limit", "cursor"])?;
    let page = page(&params)?;
    let entries = state
        .services
        .customers
        .history(&caller, CustomerId(id), &page)
        .await?;
    Ok(Json(List::from_page(entries, HistoryView::from)))
}
