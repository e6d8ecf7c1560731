//! Customers: create, list, read, patch, delete, history, restore from history.

use super::dto::{CustomerView, HistoryView, List, RestoreRequest};
use super::map::{CustomerWrite, customer_patch};
use super::{created, tagged};
use crate::extract::{Conditions, Ids, JsonObject, NativeCaller, OptionalJsonBody, Params};
use crate::openapi::{
    ConditionHeaders, HistorySortParam, IdempotencyKeyHeader, PageParams, TenantHeader,
};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rolodex_core::{CoreError, HistoryOrder, PageRequest};
use rolodex_domain::CustomerId;

/// `limit` and `cursor` of a list request.
pub fn page(params: &Params) -> Result<PageRequest, Problem> {
    let limit = params.parse::<u32>("limit", "an integer")?;
    PageRequest::parse(limit, params.get("cursor")).map_err(|e| Problem::from(CoreError::from(e)))
}

/// The order a history list asks for with `sort` (oldest first without one).
pub fn history_order(params: &Params) -> Result<HistoryOrder, Problem> {
    params
        .get("sort")
        .map(HistoryOrder::parse)
        .transpose()
        .map(Option::unwrap_or_default)
        .map_err(|e| Problem::from(CoreError::from(e)))
}

#[utoipa::path(post, operation_id = "create_customer", path = "/v1/customers", tag = "customers", security(("bearer" = [])),
    params(TenantHeader, IdempotencyKeyHeader),
    request_body(content = CustomerWrite, description = "code is derived from the name when left out"),
    responses((status = 201, body = CustomerView, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "The code is taken")))]
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

#[utoipa::path(get, operation_id = "list_customers", path = "/v1/customers", tag = "customers", security(("bearer" = [])),
    params(TenantHeader, ("q" = Option<String>, Query, description = "Prefix of the code or name"), PageParams),
    responses((status = 200, body = List<CustomerView>)))]
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

#[utoipa::path(get, operation_id = "get_customer", path = "/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), TenantHeader),
    responses((status = 200, body = CustomerView, headers(("ETag" = String)))))]
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

#[utoipa::path(patch, operation_id = "patch_customer", path = "/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), TenantHeader, ConditionHeaders),
    request_body(content((CustomerWrite = "application/merge-patch+json"), (CustomerWrite = "application/json")),
        description = "JSON Merge Patch: absent leaves alone, null clears"),
    responses((status = 200, body = CustomerView, headers(("ETag" = String))),
        (status = 409, description = "The code is taken")))]
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

#[utoipa::path(delete, operation_id = "delete_customer", path = "/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), TenantHeader, ConditionHeaders),
    responses((status = 204, description = "Deleted; its history remains"),
        (status = 409, description = "The customer still has contacts")))]
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

#[utoipa::path(get, operation_id = "customer_history", path = "/v1/customers/{id}/history", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), TenantHeader, PageParams, HistorySortParam),
    responses((status = 200, body = List<HistoryView>)))]
pub async fn history(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
    params: Params,
) -> Result<Json<List<HistoryView>>, Problem> {
    params.only(&["limit", "cursor", "sort"])?;
    let page = page(&params)?;
    let entries = state
        .services
        .customers
        .history(&caller, CustomerId(id), &page, history_order(&params)?)
        .await?;
    Ok(Json(List::from_page(entries, HistoryView::from)))
}

#[utoipa::path(post, operation_id = "restore_customer", path = "/v1/customers/{id}/history/{entry_id}/restore", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("entry_id" = i64, Path, description = "Id of an entry of the customer's history"), TenantHeader, ConditionHeaders, IdempotencyKeyHeader),
    request_body(content = Option<RestoreRequest>, description = "The fields to restore; no body restores every field the entry changed"),
    responses((status = 200, description = "The customer with the values restored, recorded as a change of its own (unchanged when they are its current values)", body = CustomerView, headers(("ETag" = String))),
        (status = 409, description = "The restored code is taken")))]
pub async fn restore(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((id, entry)): Ids<(i64, i64)>,
    Conditions(expected): Conditions,
    OptionalJsonBody(body): OptionalJsonBody<RestoreRequest>,
) -> Result<Response, Problem> {
    let fields = body.and_then(|b| b.fields);
    let customer = state
        .services
        .customers
        .restore(&caller, CustomerId(id), entry, fields, expected)
        .await?;
    Ok(tagged(
        StatusCode::OK,
        customer.version,
        &CustomerView::from(customer),
    ))
}
