//! The handlers: parameters -> map -> one core call -> map -> Valomnia's JSON.

use super::auth::{self, SESSION_COOKIE, ValomniaCaller};
use super::dto;
use super::error::{Ids, Operation, ValomniaError};
use super::map::{self, Key, Render};
use super::params::Params;
use crate::client::ClientIp;
use crate::photo_file::serve;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rolodex_core::{Caller, CoreError};
use rolodex_domain::{Contact, Customer, CustomerId, Patch, UserId};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// `POST` (or `GET`) `/j_spring_security_check`: 302 to `<base>/login/ajaxSuccess` with
/// the session cookie. A refused login is a 302 too, to `<base>/login/authfail` with the
/// error's code, clearing the cookie, and with the error as its body (see [`auth`]).
pub async fn login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    params: Params,
) -> Response {
    let base = &state.http.public_url;
    let (location, cookie, body) = match auth::login(&state, &params, client).await {
        Ok(issued) => (
            format!("{base}{}", auth::SUCCESS_PATH),
            format!(
                "{SESSION_COOKIE}={}; {}",
                issued.token,
                auth::COOKIE_ATTRIBUTES
            ),
            None,
        ),
        Err(refused) => (
            format!(
                "{base}{}?ajax=true&error={}",
                auth::FAILURE_PATH,
                refused.error
            ),
            format!("{SESSION_COOKIE}=; Max-Age=0; {}", auth::COOKIE_ATTRIBUTES),
            Some(refused),
        ),
    };
    let mut response = match body {
        Some(refused) => (StatusCode::FOUND, refused.into_response()).into_response(),
        None => StatusCode::FOUND.into_response(),
    };
    let h = response.headers_mut();
    for (name, value) in [(header::LOCATION, location), (header::SET_COOKIE, cookie)] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    response
}

/// `GET` or `POST` `/login/authfail`, where a refused login sends its client: the refusal
/// its `error` parameter names.
pub async fn auth_fail(params: Params) -> ValomniaError {
    auth::refusal(params.get("error").unwrap_or_default())
}

/// `GET` or `POST` `/login/ajaxSuccess`: who the session is.
pub async fn ajax_success(
    State(state): State<AppState>,
    ValomniaCaller(caller): ValomniaCaller,
    headers: HeaderMap,
) -> Result<Json<dto::LoginSuccess>, ValomniaError> {
    let services = &state.services;
    let tenant = services.tenants.current(&caller).await?;
    let user_id = caller.user_id.unwrap_or(UserId(0));
    let member = services.users.colleague(&caller, user_id).await?;
    let display = member.user.display_name.clone();
    let (first, last) = display.split_once(' ').unwrap_or((display.as_str(), ""));
    let username = member.user.username.to_string();
    Ok(Json(dto::LoginSuccess {
        success: true,
        token: auth::session(&headers).unwrap_or_default(),
        user: dto::LoginUser {
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: if username.contains('@') {
                username
            } else {
                String::new()
            },
            address: String::new(),
            city: String::new(),
            postal_code: String::new(),
            country: String::new(),
            avatar: None,
            company_name: tenant.name.clone(),
            company_country: String::new(),
            role: vec!["ROLE_USER".into()],
            enabled: member.user.active,
            upload_directory: map::upload_directory(&tenant),
            currency: serde_json::Value::Null,
        },
    }))
}

/// Everything rendering `contacts` needs (see [`Render`]).
pub(super) async fn render(
    state: &AppState,
    caller: &Caller,
    version: &str,
    contacts: &[Contact],
) -> Result<Render, ValomniaError> {
    let services = &state.services;
    let mut customers: HashMap<CustomerId, Customer> = HashMap::new();
    for c in contacts {
        if let Entry::Vacant(slot) = customers.entry(c.customer_id) {
            slot.insert(services.customers.get(caller, c.customer_id).await?);
        }
    }
    let owners: Vec<UserId> = contacts.iter().filter_map(map::user_of).collect();
    Ok(Render {
        version: version.to_owned(),
        base_url: state.http.public_url.clone(),
        tenant: services.tenants.current(caller).await?,
        customers,
        usernames: services.users.usernames(caller, &owners).await?,
    })
}

async fn one(
    state: &AppState,
    caller: &Caller,
    version: &str,
    contact: Contact,
) -> Result<dto::Contact, ValomniaError> {
    let render = render(state, caller, version, std::slice::from_ref(&contact)).await?;
    Ok(render.contact(contact))
}

/// The contact `raw` names (an id, or with `useExternalId=true` an external id).
async fn contact_of(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    params: &Params,
    operation: Operation,
) -> Result<Contact, ValomniaError> {
    let external = params.flag("useExternalId")?.unwrap_or(false);
    let contacts = &state.services.contacts;
    let found = match Key::parse(raw, "id", external)? {
        Key::Id(id) => {
            contacts
                .get_by_id(caller, rolodex_domain::ContactId(id))
                .await
        }
        Key::External(x) => contacts.get_by_external_id(caller, &x).await,
    };
    let ids = Ids {
        contact: Some(raw),
        ..Ids::default()
    };
    found.map_err(|e| ValomniaError::core(e, operation, &ids))
}

/// The customer `customerId` names (an id, or with `useExternalId=true` a reference).
async fn customer_of(
    state: &AppState,
    caller: &Caller,
    params: &Params,
    operation: Operation,
) -> Result<Customer, ValomniaError> {
    let raw = params.required("customerId")?;
    let external = params.flag("useExternalId")?.unwrap_or(false);
    let customers = &state.services.customers;
    let found = match Key::parse(raw, "customerId", external)? {
        Key::Id(id) => customers.get(caller, CustomerId(id)).await,
        Key::External(code) => customers.get_by_code(caller, &code).await,
    };
    let ids = Ids {
        customer: Some(raw),
        ..Ids::default()
    };
    found.map_err(|e| ValomniaError::core(e, operation, &ids))
}

/// `GET /api/{VERSION}/contacts`.
pub async fn list(
    State(state): State<AppState>,
    Path(version): Path<String>,
    ValomniaCaller(caller): ValomniaCaller,
    params: Params,
) -> Result<Json<dto::List>, ValomniaError> {
    map::check_version(&version)?;
    let (query, offset, max) = map::list_query(&params)?;
    let (contacts, total) = state
        .services
        .contacts
        .window(&caller, &query, offset, max)
        .await?;
    let render = render(&state, &caller, &version, &contacts).await?;
    let previous =
        (offset > 0).then(|| map::page_link(&version, &params, offset.saturating_sub(max), max));
    let next = (offset.saturating_add(max) < total)
        .then(|| map::page_link(&version, &params, offset + max, max));
    Ok(Json(dto::List {
        paging: dto::Paging {
            total,
            max,
            offset,
            previous,
            next,
        },
        data: contacts.into_iter().map(|c| render.contact(c)).collect(),
    }))
}

/// `GET /api/{VERSION}/contacts/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    ValomniaCaller(caller): ValomniaCaller,
    params: Params,
) -> Result<Json<dto::Contact>, ValomniaError> {
    map::check_version(&version)?;
    let contact = contact_of(&state, &caller, &id, &params, Operation::Read).await?;
    Ok(Json(one(&state, &caller, &version, contact).await?))
}

/// `POST /api/{VERSION}/contacts`: 201 with the new contact, owned by its creator.
pub async fn create(
    State(state): State<AppState>,
    Path(version): Path<String>,
    ValomniaCaller(caller): ValomniaCaller,
    params: Params,
) -> Result<Response, ValomniaError> {
    map::check_version(&version)?;
    params.required("firstName")?;
    params.required("lastName")?;
    let customer = customer_of(&state, &caller, &params, Operation::Create).await?;
    let mut patch = map::contact_patch(&params)?;
    if let Some(me) = caller.user_id {
        patch.owner_id = Patch::Set(me);
    }
    let contact = state
        .services
        .photos
        .create_contact(&caller, customer.id, patch, params.image)
        .await
        .map_err(|e| ValomniaError::core(e, Operation::Create, &Ids::default()))?;
    let body = one(&state, &caller, &version, contact).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `POST /api/{VERSION}/contacts/{id}` (the seed): the parameters sent change their fields,
/// `imageFile` replaces the photo, in one write.
pub async fn update(
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    ValomniaCaller(caller): ValomniaCaller,
    params: Params,
) -> Result<Json<dto::Contact>, ValomniaError> {
    map::check_version(&version)?;
    params.required("firstName")?;
    params.required("lastName")?;
    let customer = customer_of(&state, &caller, &params, Operation::Update).await?;
    let current = contact_of(&state, &caller, &id, &params, Operation::Update).await?;
    map::same_customer(&current, &customer, "customerId")?;
    let patch = map::contact_patch(&params)?;
    let ids = Ids {
        contact: Some(&id),
        ..Ids::default()
    };
    let contact = state
        .services
        .photos
        .update_contact(&caller, customer.id, current.id, patch, params.image, None)
        .await
        .map_err(|e| ValomniaError::core(e, Operation::Update, &ids))?;
    Ok(Json(one(&state, &caller, &version, contact).await?))
}

/// `DELETE /api/{VERSION}/contacts/{id}`: 204 (the delete page is not public).
pub async fn delete(
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    ValomniaCaller(caller): ValomniaCaller,
    params: Params,
) -> Result<StatusCode, ValomniaError> {
    map::check_version(&version)?;
    let contact = contact_of(&state, &caller, &id, &params, Operation::Delete).await?;
    let ids = Ids {
        contact: Some(&id),
        ..Ids::default()
    };
    state
        .services
        .contacts
        .delete(&caller, contact.customer_id, contact.id, None)
        .await
        .map_err(|e| ValomniaError::core(e, Operation::Delete, &ids))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/{VERSION}/customers/{id}` (the `href` of a contact's customer).
pub async fn customer(
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    ValomniaCaller(caller): ValomniaCaller,
    params: Params,
) -> Result<Json<dto::Customer>, ValomniaError> {
    map::check_version(&version)?;
    let external = params.flag("useExternalId")?.unwrap_or(false);
    let customers = &state.services.customers;
    let found = match Key::parse(&id, "id", external)? {
        Key::Id(n) => customers.get(&caller, CustomerId(n)).await,
        Key::External(code) => customers.get_by_code(&caller, &code).await,
    };
    let ids = Ids {
        customer: Some(&id),
        ..Ids::default()
    };
    let c = found.map_err(|e| ValomniaError::core(e, Operation::Read, &ids))?;
    let tenant = state.services.tenants.current(&caller).await?;
    Ok(Json(dto::Customer {
        id: c.id.0,
        reference: c.fields.code,
        name: c.fields.name.unwrap_or_default(),
        href: format!("/api/{version}/customers/{}", c.id),
        organization: tenant.code.as_str().to_owned(),
        date_created: map::instant(c.created_at),
        last_updated: map::instant(c.updated_at),
    }))
}

/// `GET /api/{VERSION}/users/{id}` (the `href` of a contact's user): members of the tenant.
pub async fn user(
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    ValomniaCaller(caller): ValomniaCaller,
) -> Result<Json<dto::User>, ValomniaError> {
    map::check_version(&version)?;
    let n: i64 = id.parse().map_err(|_| ValomniaError::invalid_type("id"))?;
    let ids = Ids {
        user: Some(&id),
        ..Ids::default()
    };
    let member = state
        .services
        .users
        .colleague(&caller, UserId(n))
        .await
        .map_err(|e| ValomniaError::core(e, Operation::Read, &ids))?;
    let tenant = state.services.tenants.current(&caller).await?;
    Ok(Json(dto::User {
        id: n,
        reference: member.user.username.to_string(),
        name: member.user.display_name,
        href: format!("/api/{version}/users/{n}"),
        organization: tenant.code.as_str().to_owned(),
    }))
}

/// `GET /<uploadDirectory>/photoContact/<file>`: a contact's photo, or with `small_` or
/// `medium_` before the file name its resized variants. No session is needed: the URL is
/// the credential (see `PhotoService::shared_file`), as Valomnia's photo files are public,
/// so the clients a contact was shown to can put the URL in an image tag.
pub async fn photo(
    State(state): State<AppState>,
    Path((directory, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ValomniaError> {
    let missing = || ValomniaError::not_found("photo", &file);
    let (code, tenant) = map::tenant_of_directory(&directory).ok_or_else(missing)?;
    let tenant = match state.services.tenants.by_code(code).await {
        Ok(t) if t.id == tenant => t,
        Ok(_) | Err(CoreError::NotFound { .. } | CoreError::Invalid(_)) => return Err(missing()),
        Err(other) => return Err(other.into()),
    };
    let (contact, name) = map::photo_file(&file).ok_or_else(missing)?;
    let photo = state
        .services
        .photos
        .shared_file(tenant.id, contact, &name)
        .await
        .map_err(|e| match e {
            CoreError::NotFound { .. } => missing(),
            other => ValomniaError::from(other),
        })?;
    Ok(serve(&headers, photo))
}
