//! The newer API's calls: extract, translate, one use of the core, translate back.

use super::auth::{self, EapiBody, EapiCall};
use super::dto::{
    self, ApiVersion, AuthToken, CustomerContacts, Customers, DataSource, DataSources, ServerTime,
};
use super::error::EapiError;
use crate::client::ClientIp;
use crate::dialects::expandable::body::Members;
use crate::dialects::expandable::contacts::{self, Keys};
use crate::dialects::expandable::criteria;
use crate::dialects::expandable::customers;
use crate::dialects::expandable::fault::Fault;
use crate::dialects::expandable::record::WireRecord;
use crate::dialects::expandable::session::Credentials;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `/api/auth-token-get` (siblings 2.1).
pub async fn auth_token_get(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    EapiBody(members): EapiBody,
) -> Result<Json<AuthToken>, EapiError> {
    let auth_token = Credentials::take(members, dto::LOGIN)?
        .login(&state.services, client)
        .await?;
    Ok(Json(AuthToken { auth_token }))
}

/// `/api/customer-contact-create` (seed 001).
pub async fn create(
    State(state): State<AppState>,
    EapiCall { caller, members }: EapiCall,
) -> Result<Json<WireRecord>, EapiError> {
    let mut values = members.into_writes(&dto::WRITABLE)?;
    let keys = Keys::take(&mut values)?;
    let record = contacts::create(&state.services, &caller, keys, values).await?;
    Ok(Json(record.render(dto::RECORD)))
}

/// `/api/customer-contact-update` (siblings 2.3).
pub async fn update(
    State(state): State<AppState>,
    EapiCall { caller, members }: EapiCall,
) -> Result<Json<WireRecord>, EapiError> {
    let mut values = members.into_writes(&dto::WRITABLE)?;
    let keys = Keys::take(&mut values)?;
    let record = contacts::update(&state.services, &caller, keys, values).await?;
    Ok(Json(record.render(dto::RECORD)))
}

/// `/api/customer-contact-get`: the contact the two keys name.
pub async fn get(
    State(state): State<AppState>,
    EapiCall { caller, members }: EapiCall,
) -> Result<Json<WireRecord>, EapiError> {
    let keys = Keys::take(&mut members.into_values(&dto::KEYS)?)?;
    let record = contacts::get(&state.services, &caller, &keys).await?;
    Ok(Json(record.render(dto::RECORD)))
}

/// `/api/customer-contact-query`: every match, as `CUSTOMER_CONTACTS`.
pub async fn query(
    State(state): State<AppState>,
    EapiCall { caller, members }: EapiCall,
) -> Result<Json<CustomerContacts>, EapiError> {
    let search = criteria::search(members.into_criteria(dto::RECORD)?)?;
    let found = contacts::search(&state.services, &caller, search).await?;
    Ok(Json(CustomerContacts {
        customer_contacts: found.iter().map(|r| r.render(dto::RECORD)).collect(),
    }))
}

/// `/api/customer-contact-delete`: `{}` on success, as the classic Delete.
pub async fn delete(
    State(state): State<AppState>,
    EapiCall { caller, members }: EapiCall,
) -> Result<Json<Map<String, Value>>, EapiError> {
    let keys = Keys::take(&mut members.into_values(&dto::KEYS)?)?;
    contacts::delete(&state.services, &caller, &keys).await?;
    Ok(Json(Map::new()))
}

/// `/api/customer-create`: a customer, in the contact calls' style.
pub async fn customer_create(
    State(state): State<AppState>,
    EapiCall { caller, members }: EapiCall,
) -> Result<Json<WireRecord>, EapiError> {
    let mut values = members.into_writes(dto::CUSTOMER_WRITABLE)?;
    let code = customers::take_key(&mut values)?;
    let record = customers::create(&state.services, &caller, code, values).await?;
    Ok(Json(record.render(dto::CUSTOMER_RECORD)))
}

/// `/api/customer-update`: only the fields sent change.
pub async fn customer_update(
    State(state): State<AppState>,
    EapiCall { caller, members }: EapiCall,
) -> Result<Json<WireRecord>, EapiError> {
    let mut values = members.into_writes(dto::CUSTOMER_WRITABLE)?;
    let code = customers::take_key(&mut values)?;
    let record = customers::update(&state.services, &caller, &code, values).await?;
    Ok(Json(record.render(dto::CUSTOMER_RECORD)))
}

/// `/api/customer-get`: the customer `CUSTOMER_ID` names.
pub async fn customer_get(
    State(state): State<AppState>,
    EapiCall { caller, members }: EapiCall,
) -> Result<Json<WireRecord>, EapiError> {
    let code = customers::take_key(&mut members.into_values(&dto::CUSTOMER_KEY)?)?;
    let record = customers::get(&state.services, &caller, &code).await?;
    Ok(Json(record.render(dto::CUSTOMER_RECORD)))
}

/// `/api/customer-query`: the customers asked for, as `CUSTOMERS`.
pub async fn customer_query(
    State(state): State<AppState>,
    EapiCall { caller, members }: EapiCall,
) -> Result<Json<Customers>, EapiError> {
    let codes = customers::codes(members.into_criteria(dto::CUSTOMER_RECORD)?)?;
    let found = customers::search(&state.services, &caller, codes).await?;
    Ok(Json(Customers {
        customers: found
            .iter()
            .map(|r| r.render(dto::CUSTOMER_RECORD))
            .collect(),
    }))
}

/// A body for a call that needs no token: nothing but an optional, unchecked `AUTH_TOKEN`.
fn no_members(mut members: Members) -> Result<(), EapiError> {
    members.take(dto::AUTH_TOKEN);
    members.into_nothing()?;
    Ok(())
}

/// `/api/api-version-get`: Rolodex's version; needs no token.
pub async fn api_version_get(EapiBody(members): EapiBody) -> Result<Json<ApiVersion>, EapiError> {
    no_members(members)?;
    Ok(Json(ApiVersion {
        api_version: env!("CARGO_PKG_VERSION"),
    }))
}

/// `/api/server-time-get`: the server's clock to the second, RFC 3339 UTC; needs no token.
pub async fn server_time_get(EapiBody(members): EapiBody) -> Result<Json<ServerTime>, EapiError> {
    no_members(members)?;
    let now = OffsetDateTime::now_utc();
    let server_time = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .map_err(|e| rolodex_core::CoreError::Internal(Box::new(e)))?;
    Ok(Json(ServerTime { server_time }))
}

/// `/api/data-sources-get`: the tenants the token's user may log in to.
pub async fn data_sources_get(
    State(state): State<AppState>,
    EapiBody(mut members): EapiBody,
) -> Result<Json<DataSources>, EapiError> {
    let identity = auth::identity(&state, &mut members).await?;
    members.into_nothing()?;
    let tenants = state.services.tenants.of_user(&identity).await?;
    let data_sources = tenants
        .into_iter()
        .map(|(tenant, _)| DataSource {
            data_source: tenant.code.as_str().to_owned(),
            name: tenant.name,
        })
        .collect();
    Ok(Json(DataSources { data_sources }))
}

/// Any method but POST (seed 001: "405/Request method must be POST.").
pub async fn method_not_allowed(method: Method) -> EapiError {
    EapiError(Fault::MethodNotAllowed(method.to_string()))
}
