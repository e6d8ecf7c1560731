//! Contacts: create, read, list per customer, search across customers, patch, replace,
//! delete, history.

use super::customers::page;
use super::dto::{ContactView, HistoryView, List};
use super::map::contact_patch;
use super::{created, tagged};
use crate::extract::{Conditions, Ids, JsonObject, NativeCaller, Params};
use crate::problem::{Problem, ProblemBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rolodex_core::{Caller, ContactQuery, ContactSort, CoreError};
use rolodex_domain::{ContactId, CustomerId};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SEARCH_PARAMS: &[&str] = &[
    "q",
    "email",
    "phone",
    "external_id",
    "updated_since",
    "customer_id",
    "sort",
    "limit",
    "cursor",
];

fn query(params: &Params, customer: Option<CustomerId>) -> Result<ContactQuery, Problem> {
    let invalid = |e| Problem::from(CoreError::from(e));
    let (sort, descending) = params
        .get("sort")
        .map(ContactSort::parse)
        .transpose()
        .map_err(invalid)?
        .unwrap_or_default();
    let updated_since = params
        .get("updated_since")
        .map(|v| {
            OffsetDateTime::parse(v, &Rfc3339).map_err(|_| {
                Problem::bad_request(
                    "invalid_query",
                    "updated_since must be an RFC 3339 date-time",
                )
            })
        })
        .transpose()?;
    let customer_id = match customer {
        Some(c) => Some(c),
        None => params
            .parse::<i64>("customer_id", "an integer")?
            .map(CustomerId),
    };
    let owned = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Ok(ContactQuery {
        customer_id,
        text: owned("q"),
        email: owned("email"),
        phone: owned("phone"),
        external_id: owned("external_id"),
        updated_since,
        sort,
        descending,
        page: page(params)?,
        filters: Vec::new(),
    })
}

async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ContactQuery,
) -> Result<Json<List<ContactView>>, Problem> {
    let found = state.services.contacts.list(caller, query).await?;
    Ok(Json(List::from_page(found, ContactView::from)))
}

#[utoipa::path(get, path = "/v1/contacts", tag = "contacts", security(("bearer" = [])),
    params(("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("customer_id" = Option<i64>, Query), ("q" = Option<String>, Query, description = "Words, each a prefix of a name, code, email or phone"),
        ("email" = Option<String>, Query), ("phone" = Option<String>, Query, description = "Compared by digits"),
        ("external_id" = Option<String>, Query), ("updated_since" = Option<String>, Query, description = "RFC 3339"),
        ("sort" = Option<String>, Query, description = "id, last_name, created_at or updated_at; '-' for descending"), ("limit" = Option<u32>, Query, description = "Page size, 1-200 (default 50)"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = List<ContactView>),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody),))]
pub async fn search(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    params: Params,
) -> Result<Json<List<ContactView>>, Problem> {
    params.only(SEARCH_PARAMS)?;
    list(&state, &caller, &query(&params, None)?).await
}

#[utoipa::path(get, path = "/v1/customers/{id}/contacts", tag = "contacts", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("q" = Option<String>, Query, description = "Words, each a prefix of a name, code, email or phone"),
        ("email" = Option<String>, Query), ("phone" = Option<String>, Query, description = "Compared by digits"),
        ("external_id" = Option<String>, Query), ("updated_since" = Option<String>, Query, description = "RFC 3339"),
        ("sort" = Option<String>, Query, description = "id, last_name, created_at or updated_at; '-' for descending"), ("limit" = Option<u32>, Query, description = "Page size, 1-200 (default 50)"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = List<ContactView>),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn list_of_customer(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(customer): Ids<i64>,
    params: Params,
) -> Result<Json<List<ContactView>>, Problem> {
    params.only(
        SEARCH_PARAMS
            .iter()
            .copied()
            .filter(|p| *p != "customer_id")
            .collect::<Vec<_>>()
            .as_slice(),
    )?;
    list(
        &state,
        &caller,
        &query(&params, Some(CustomerId(customer)))?,
    )
    .await
}

#[utoipa::path(post, path = "/v1/customers/{id}/contacts", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe creation")),
    request_body(content = ContactView, description = "The contact's writable members (read-only ones are refused)"),
    responses((status = 201, body = ContactView),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn create(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(customer): Ids<i64>,
    JsonObject(body): JsonObject,
) -> Result<Response, Problem> {
    let patch = contact_patch(body).map_err(CoreError::from)?;
    let contact = state
        .services
        .contacts
        .create(&caller, CustomerId(customer), patch)
        .await?;
    Ok(created(
        format!(
            "/v1/customers/{}/contacts/{}",
            contact.customer_id, contact.id
        ),
        contact.version,
        &ContactView::from(contact),
    ))
}

#[utoipa::path(get, path = "/v1/customers/{id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)")),
    responses((status = 200, body = ContactView, headers(("ETag" = String))),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn get(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id)): Ids<(i64, i64)>,
) -> Result<Response, Problem> {
    let contact = state
        .services
        .contacts
        .get(&caller, CustomerId(customer), ContactId(id))
        .await?;
    Ok(tagged(
        StatusCode::OK,
        contact.version,
        &ContactView::from(contact),
    ))
}

#[utoipa::path(patch, path = "/v1/customers/{id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    request_body(content = ContactView, content_type = "application/merge-patch+json", description = "JSON Merge Patch: absent leaves alone, null clears"),
    responses((status = 200, body = ContactView),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody),
        (status = 412, description = "Stale If-Match", body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn patch(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id)): Ids<(i64, i64)>,
    Conditions(expected): Conditions,
    JsonObject(body): JsonObject,
) -> Result<Response, Problem> {
    let patch = contact_patch(body).map_err(CoreError::from)?;
    let contact = state
        .services
        .contacts
        .patch(
            &caller,
            CustomerId(customer),
            ContactId(id),
            patch,
            expected,
        )
        .await?;
    Ok(tagged(
        StatusCode::OK,
        contact.version,
        &ContactView::from(contact),
    ))
}

#[utoipa::path(put, path = "/v1/customers/{id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    request_body(content = ContactView, description = "The whole contact: members left out are cleared"),
    responses((status = 200, body = ContactView),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody),
        (status = 412, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn replace(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id)): Ids<(i64, i64)>,
    Conditions(expected): Conditions,
    JsonObject(body): JsonObject,
) -> Result<Response, Problem> {
    let patch = contact_patch(body).map_err(CoreError::from)?;
    let contact = state
        .services
        .contacts
        .replace(
            &caller,
            CustomerId(customer),
            ContactId(id),
            patch,
            expected,
        )
        .await?;
    Ok(tagged(
        StatusCode::OK,
        contact.version,
        &ContactView::from(contact),
    ))
}

#[utoipa::path(delete, path = "/v1/customers/{id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    responses((status = 204, description = "Deleted; its history remains"),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody), (status = 412, body = ProblemBody)))]
pub async fn delete(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id)): Ids<(i64, i64)>,
    Conditions(expected): Conditions,
) -> Result<StatusCode, Problem> {
    state
        .services
        .contacts
        .delete(&caller, CustomerId(customer), ContactId(id), expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/customers/{id}/contacts/{contact_id}/history", tag = "contacts", security(("bearer" = [])), params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), ("X-Tenant-Id" = Option<i64>, Header, description = "Tenant to act in (default: the token's)"), ("limit" = Option<u32>, Query, description = "Page size, 1-200 (default 50)"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = List<HistoryView>),
        (status = 400, description = "Malformed request", body = ProblemBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ProblemBody),
        (status = 403, description = "The caller's role does not allow this", body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn history(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id)): Ids<(i64, i64)>,
    params: Params,
) -> Result<Json<List<HistoryView>>, Problem> {
    params.only(&["limit", "cursor"])?;
    let page = page(&params)?;
    let entries = state
        .services
        .contacts
        .history(&caller, CustomerId(customer), ContactId(id), &page)
        .await?;
    Ok(Json(List::from_page(entries, HistoryView::from)))
}
