//! Contacts: create, read, list per customer, search across customers, patch, replace,
//! delete, history, restore from history.

use super::customers::{history_order, page};
use super::dto::{ContactView, HistoryView, List, RestoreRequest};
use super::map::{ContactWrite, contact_patch};
use super::{created, tagged};
use crate::extract::{Conditions, Ids, JsonObject, NativeCaller, OptionalJsonBody, Params};
use crate::openapi::{
    ConditionHeaders, ContactFilterParams, HistorySortParam, IdempotencyKeyHeader, PageParams,
    TenantHeader,
};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rolodex_core::{Caller, ContactQuery, ContactSort, CoreError};
use rolodex_domain::{ContactId, CustomerId};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The filters of a contact search (and of an export).
const FILTER_PARAMS: &[&str] = &[
    "q",
    "email",
    "phone",
    "external_id",
    "updated_since",
    "customer_id",
    "sort",
];
/// What pages a search.
const PAGE_PARAMS: &[&str] = &["limit", "cursor"];

/// A contact search from its query parameters (`customer` for a customer's own list).
pub(super) fn query(
    params: &Params,
    customer: Option<CustomerId>,
) -> Result<ContactQuery, Problem> {
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

/// The search of an export: its filters, and `extra` parameters the caller reads itself.
pub(crate) fn export_query(params: &Params, extra: &[&str]) -> Result<ContactQuery, Problem> {
    params.only(&[FILTER_PARAMS, extra].concat())?;
    query(params, None)
}

async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ContactQuery,
) -> Result<Json<List<ContactView>>, Problem> {
    let found = state.services.contacts.list(caller, query).await?;
    Ok(Json(List::from_page(found, ContactView::from)))
}

#[utoipa::path(get, operation_id = "search_contacts", path = "/v1/contacts", tag = "contacts", security(("bearer" = [])),
    params(TenantHeader, ("customer_id" = Option<i64>, Query, description = "Only the contacts of this customer"), ContactFilterParams, PageParams),
    responses((status = 200, body = List<ContactView>), (status = 404, description = "customer_id names no customer of the tenant")))]
pub async fn search(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    params: Params,
) -> Result<Json<List<ContactView>>, Problem> {
    params.only(&[FILTER_PARAMS, PAGE_PARAMS].concat())?;
    list(&state, &caller, &query(&params, None)?).await
}

#[utoipa::path(get, operation_id = "list_customer_contacts", path = "/v1/customers/{id}/contacts", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), TenantHeader, ContactFilterParams, PageParams),
    responses((status = 200, body = List<ContactView>)))]
pub async fn list_of_customer(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(customer): Ids<i64>,
    params: Params,
) -> Result<Json<List<ContactView>>, Problem> {
    params.only(
        FILTER_PARAMS
            .iter()
            .chain(PAGE_PARAMS)
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

#[utoipa::path(post, operation_id = "create_contact", path = "/v1/customers/{id}/contacts", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), TenantHeader, IdempotencyKeyHeader),
    request_body(content = ContactWrite),
    responses((status = 201, body = ContactView, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "The code or external id is taken")))]
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

#[utoipa::path(get, operation_id = "get_contact", path = "/v1/customers/{id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), TenantHeader),
    responses((status = 200, body = ContactView, headers(("ETag" = String)))))]
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

#[utoipa::path(patch, operation_id = "patch_contact", path = "/v1/customers/{id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), TenantHeader, ConditionHeaders),
    request_body(content((ContactWrite = "application/merge-patch+json"), (ContactWrite = "application/json")),
        description = "JSON Merge Patch: absent leaves alone, null clears"),
    responses((status = 200, body = ContactView, headers(("ETag" = String))),
        (status = 409, description = "The code or external id is taken")))]
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

#[utoipa::path(put, operation_id = "replace_contact", path = "/v1/customers/{id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), TenantHeader, ConditionHeaders),
    request_body(content = ContactWrite, description = "The whole contact: members left out are cleared"),
    responses((status = 200, body = ContactView, headers(("ETag" = String))),
        (status = 409, description = "The code or external id is taken")))]
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

#[utoipa::path(delete, operation_id = "delete_contact", path = "/v1/customers/{id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), TenantHeader, ConditionHeaders),
    responses((status = 204, description = "Deleted; its history remains")))]
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

#[utoipa::path(get, operation_id = "contact_history", path = "/v1/customers/{id}/contacts/{contact_id}/history", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), TenantHeader, PageParams, HistorySortParam),
    responses((status = 200, body = List<HistoryView>)))]
pub async fn history(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id)): Ids<(i64, i64)>,
    params: Params,
) -> Result<Json<List<HistoryView>>, Problem> {
    params.only(&["limit", "cursor", "sort"])?;
    let page = page(&params)?;
    let entries = state
        .services
        .contacts
        .history(
            &caller,
            CustomerId(customer),
            ContactId(id),
            &page,
            history_order(&params)?,
        )
        .await?;
    Ok(Json(List::from_page(entries, HistoryView::from)))
}

#[utoipa::path(post, operation_id = "restore_contact", path = "/v1/customers/{id}/contacts/{contact_id}/history/{entry_id}/restore", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), ("entry_id" = i64, Path, description = "Id of an entry of the contact's history"), TenantHeader, ConditionHeaders, IdempotencyKeyHeader),
    request_body(content = Option<RestoreRequest>, description = "The fields to restore; no body restores every field the entry changed. A photo cannot be restored."),
    responses((status = 200, description = "The contact with the values restored, recorded as a change of its own (unchanged when they are its current values)", body = ContactView, headers(("ETag" = String))),
        (status = 409, description = "The restored code or external id is taken")))]
pub async fn restore(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id, entry)): Ids<(i64, i64, i64)>,
    Conditions(expected): Conditions,
    OptionalJsonBody(body): OptionalJsonBody<RestoreRequest>,
) -> Result<Response, Problem> {
    let fields = body.and_then(|b| b.fields);
    let contact = state
        .services
        .contacts
        .restore(
            &caller,
            CustomerId(customer),
            ContactId(id),
            entry,
            fields,
            expected,
        )
        .await?;
    Ok(tagged(
        StatusCode::OK,
        contact.version,
        &ContactView::from(contact),
    ))
}
