//! The connector API of Valomnia's MuleSoft connector
//! (<https://github.com/Valomnia/Valomnia-Mulesoft>, `client/impl/GenericValomniaClientImpl.java`):
//! for contacts and customers, a list and a save, with the session of the login ([`super::auth`]).
//!
//! | path | method | answer |
//! |---|---|---|
//! | `/ContactConnector/list`, `/CustomerConnector/list` | `GET` | `{"listCreated": [...], "listUpdated": [...]}` |
//! | `/ContactConnector/saveOrUpdate`, `/CustomerConnector/saveOrUpdate` | `POST` | the saved bean |
//!
//! The connector sends a save's members in the query string of a `POST` declared as JSON,
//! without a body (every member of its bean that has a value, read-only ones included), and
//! reads only the first line of an answer: answers are one line of JSON. A save answers 200
//! (the connector counts a list before and after to tell a create from an update); a refusal
//! is the v2.1 error with its status, as a JSON array ([`ConnectorError`]), and changes
//! nothing. Members are mapped as [`connector_map`](super::connector_map) says.
//!
//! Choices where nothing is documented:
//! - A contact save with an `id` updates that contact (the members it sends; an empty value
//!   clears), one without creates a contact of the customer `customerReference` names,
//!   needing `firstName` and `lastName` as v2.1's create does, owned by the caller unless
//!   `userReference` names another member. A contact does not move between customers: an
//!   update whose `customerReference` names another customer is refused.
//! - A customer save is keyed by `reference`: it updates the customer with that reference,
//!   or creates one (`CustomerService::save_by_code`).
//! - Lists: `firstSynchronization=true` (what the connector sends) lists everything, in
//!   `listCreated`. `firstSynchronization=false` needs `lastSynchronization` (an RFC 3339
//!   instant, e.g. `2016-08-15T14:52:48Z`): the contacts or customers changed after it, in
//!   `listCreated` if they were created after it and in `listUpdated` otherwise. Deletions
//!   are not listed. `format` is `json` (the only format), or absent.

use super::auth::ValomniaCaller;
use super::connector_map::{self, ContactBean, Lists};
use super::error::{ConnectorError, Ids, Operation, ValomniaError};
use super::handlers::render;
use super::map::{self, Render};
use super::params::Params;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use rolodex_core::Caller;
use rolodex_core::query::{Condition, ContactQuery, FieldFilter, FilterField};
use rolodex_domain::{ContactId, ContactPatch, Patch};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What a call's extractors refused, as the connector API answers it.
type Extracted<T> = Result<T, ValomniaError>;

/// When the client last synchronized: `None` in a first synchronization.
fn last_synchronization(params: &Params) -> Result<Option<OffsetDateTime>, ValomniaError> {
    if params.get("format").is_some_and(|f| f != "json") {
        return Err(ValomniaError::invalid_type("format"));
    }
    if params.flag("firstSynchronization")?.unwrap_or(true) {
        return Ok(None);
    }
    let raw = params.required("lastSynchronization")?;
    OffsetDateTime::parse(raw, &Rfc3339)
        .map(Some)
        .map_err(|_| ValomniaError::invalid_type("lastSynchronization"))
}

/// Splits what changed after `since` into what was created after it and the rest.
fn split<T>(
    items: Vec<T>,
    since: Option<OffsetDateTime>,
    created_at: impl Fn(&T) -> OffsetDateTime,
) -> Lists<T> {
    let (list_created, list_updated) = items
        .into_iter()
        .partition(|item| since.is_none_or(|t| created_at(item) > t));
    Lists {
        list_created,
        list_updated,
    }
}

/// `GET /ContactConnector/list`.
pub async fn list_contacts(
    State(state): State<AppState>,
    caller: Extracted<ValomniaCaller>,
    params: Extracted<Params>,
) -> Result<Json<Lists<ContactBean>>, ConnectorError> {
    let ValomniaCaller(caller) = caller?;
    let since = last_synchronization(&params?)?;
    let filters = since
        .iter()
        .map(|t| FieldFilter {
            field: FilterField::UpdatedAt,
            condition: Condition::Greater(t.format(&Rfc3339).unwrap_or_default()),
        })
        .collect();
    let query = ContactQuery {
        filters,
        ..ContactQuery::default()
    };
    let services = &state.services;
    let contacts = services.contacts.all(&caller, &query).await?;
    let owners: Vec<_> = contacts.iter().filter_map(map::user_of).collect();
    let render = Render {
        version: String::new(),
        base_url: state.http.public_url.clone(),
        tenant: services.tenants.current(&caller).await?,
        customers: services
            .customers
            .all(&caller, None)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect(),
        usernames: services.users.usernames(&caller, &owners).await?,
    };
    let lists = split(contacts, since, |c| c.created_at);
    Ok(Json(Lists {
        list_created: lists
            .list_created
            .into_iter()
            .map(|c| render.contact_bean(c))
            .collect(),
        list_updated: lists
            .list_updated
            .into_iter()
            .map(|c| render.contact_bean(c))
            .collect(),
    }))
}

/// The owner a save's `userReference` names: `Clear` when empty, `Absent` when not sent.
async fn owner(
    state: &AppState,
    caller: &Caller,
    params: &Params,
) -> Result<Patch<rolodex_domain::UserId>, ValomniaError> {
    let Some(username) = params.get("userReference") else {
        return Ok(Patch::Absent);
    };
    if username.is_empty() {
        return Ok(Patch::Clear);
    }
    let ids = Ids {
        user: Some(username),
        ..Ids::default()
    };
    let member = state
        .services
        .users
        .colleague_named(caller, username)
        .await
        .map_err(|e| ValomniaError::core(e, Operation::Read, &ids))?;
    Ok(Patch::Set(member.user.id))
}

/// `POST /ContactConnector/saveOrUpdate`: an update with `id`, else a create.
pub async fn save_contact(
    State(state): State<AppState>,
    caller: Extracted<ValomniaCaller>,
    params: Extracted<Params>,
) -> Result<Json<ContactBean>, ConnectorError> {
    let ValomniaCaller(caller) = caller?;
    let params = params?;
    let mut patch = map::contact_patch(&params)?;
    patch.owner_id = owner(&state, &caller, &params).await?;
    let contact = match params.get("id").filter(|id| !id.is_empty()) {
        Some(id) => update_contact(&state, &caller, &params, id, patch).await?,
        None => create_contact(&state, &caller, &params, patch).await?,
    };
    let render = render(&state, &caller, "", std::slice::from_ref(&contact)).await?;
    Ok(Json(render.contact_bean(contact)))
}

/// The customer `customerReference` names, if the save sends one.
async fn named_customer(
    state: &AppState,
    caller: &Caller,
    params: &Params,
    operation: Operation,
) -> Result<Option<rolodex_domain::Customer>, ValomniaError> {
    let Some(reference) = params.get("customerReference").filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let ids = Ids {
        customer: Some(reference),
        ..Ids::default()
    };
    state
        .services
        .customers
        .get_by_code(caller, reference)
        .await
        .map(Some)
        .map_err(|e| ValomniaError::core(e, operation, &ids))
}

async fn create_contact(
    state: &AppState,
    caller: &Caller,
    params: &Params,
    mut patch: ContactPatch,
) -> Result<rolodex_domain::Contact, ValomniaError> {
    params.required("firstName")?;
    params.required("lastName")?;
    params.required("customerReference")?;
    let customer = named_customer(state, caller, params, Operation::Create)
        .await?
        .ok_or_else(|| ValomniaError::missing("customerReference"))?;
    if patch.owner_id == Patch::Absent
        && let Some(me) = caller.user_id
    {
        patch.owner_id = Patch::Set(me);
    }
    state
        .services
        .contacts
        .create(caller, customer.id, patch)
        .await
        .map_err(|e| ValomniaError::core(e, Operation::Create, &Ids::default()))
}

async fn update_contact(
    state: &AppState,
    caller: &Caller,
    params: &Params,
    id: &str,
    patch: ContactPatch,
) -> Result<rolodex_domain::Contact, ValomniaError> {
    let n: i64 = id.parse().map_err(|_| ValomniaError::invalid_type("id"))?;
    let ids = Ids {
        contact: Some(id),
        ..Ids::default()
    };
    let contacts = &state.services.contacts;
    let current = contacts
        .get_by_id(caller, ContactId(n))
        .await
        .map_err(|e| ValomniaError::core(e, Operation::Update, &ids))?;
    if let Some(customer) = named_customer(state, caller, params, Operation::Update).await? {
        map::same_customer(&current, &customer, "customerReference")?;
    }
    contacts
        .patch(caller, current.customer_id, current.id, patch, None)
        .await
        .map_err(|e| ValomniaError::core(e, Operation::Update, &ids))
}

/// `GET /CustomerConnector/list`.
pub async fn list_customers(
    State(state): State<AppState>,
    caller: Extracted<ValomniaCaller>,
    params: Extracted<Params>,
) -> Result<Json<Lists<Value>>, ConnectorError> {
    let ValomniaCaller(caller) = caller?;
    let since = last_synchronization(&params?)?;
    let services = &state.services;
    let tenant = services.tenants.current(&caller).await?;
    let changed = services.customers.all(&caller, since).await?;
    let lists = split(changed, since, |c| c.created_at);
    let bean = |c: rolodex_domain::Customer| connector_map::customer_bean(&c, &tenant);
    Ok(Json(Lists {
        list_created: lists.list_created.into_iter().map(bean).collect(),
        list_updated: lists.list_updated.into_iter().map(bean).collect(),
    }))
}

/// `POST /CustomerConnector/saveOrUpdate`: the customer with `reference`, updated or created.
pub async fn save_customer(
    State(state): State<AppState>,
    caller: Extracted<ValomniaCaller>,
    params: Extracted<Params>,
) -> Result<Json<Value>, ConnectorError> {
    let ValomniaCaller(caller) = caller?;
    let params = params?;
    let reference = params.required("reference")?;
    let patch = connector_map::customer_patch(&params);
    let ids = Ids {
        customer: Some(reference),
        ..Ids::default()
    };
    let services = &state.services;
    let (customer, _) = services
        .customers
        .save_by_code(&caller, reference, patch)
        .await
        .map_err(|e| ValomniaError::core(e, Operation::SaveCustomer, &ids))?;
    let tenant = services.tenants.current(&caller).await?;
    Ok(Json(connector_map::customer_bean(&customer, &tenant)))
}
