//! The classic API's calls: extract, translate, one use of the core, translate back. Each
//! takes the `AuthToken` header first (a 401 comes before anything about the body), then the
//! body as the vendor's JSON object of strings.

use super::auth::{self, ClassicCaller};
use super::dto;
use super::error::ClassicError;
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
use axum::extract::{FromRequest, Request, State};
use axum::http::Method;
use axum::response::Response;
use serde_json::{Map, Value};

/// A classic request body, refused in the classic envelope when it is not a JSON object of
/// strings, with its members' names matched ignoring case (ASP.NET Web API binds JSON members
/// that way, so `first_name` is `FIRST_NAME`).
pub struct ClassicBody(pub Members);

impl FromRequest<AppState> for ClassicBody {
    type Rejection = ClassicError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ClassicError> {
        let members = Members::read(req, state).await?;
        Ok(ClassicBody(members.ignoring_case(dto::member_names())?))
    }
}

/// `POST api/Security/Login` (siblings 1.1).
pub async fn login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ClassicBody(members): ClassicBody,
) -> Result<Response, ClassicError> {
    let token = Credentials::take(members, dto::LOGIN)?
        .login(&state.services, client)
        .await?;
    auth::issued(&token)
}

/// `POST api/CustomerContact/Create` (siblings 1.6; Update's shape).
pub async fn create(
    State(state): State<AppState>,
    ClassicCaller(caller): ClassicCaller,
    ClassicBody(members): ClassicBody,
) -> Result<Json<WireRecord>, ClassicError> {
    let mut values = members.into_writes(&dto::ACCEPTED)?;
    let keys = Keys::take(&mut values)?;
    let record = contacts::create(&state.services, &caller, keys, values).await?;
    Ok(Json(record.render(&dto::RETURNED)))
}

/// `POST api/CustomerContact/Update` (seed 000).
pub async fn update(
    State(state): State<AppState>,
    ClassicCaller(caller): ClassicCaller,
    ClassicBody(members): ClassicBody,
) -> Result<Json<WireRecord>, ClassicError> {
    let mut values = members.into_writes(&dto::ACCEPTED)?;
    let keys = Keys::take(&mut values)?;
    let record = contacts::update(&state.services, &caller, keys, values).await?;
    Ok(Json(record.render(&dto::RETURNED)))
}

/// `POST api/CustomerContact/Query` (siblings 1.3): a JSON array of every match.
pub async fn query(
    State(state): State<AppState>,
    ClassicCaller(caller): ClassicCaller,
    ClassicBody(members): ClassicBody,
) -> Result<Json<Vec<WireRecord>>, ClassicError> {
    let search = criteria::search(members.into_criteria(&dto::RETURNED)?)?;
    let found = contacts::search(&state.services, &caller, search).await?;
    Ok(Json(
        found.iter().map(|r| r.render(&dto::RETURNED)).collect(),
    ))
}

/// `POST api/CustomerContact/Delete` (siblings 1.5): `{}` on success.
pub async fn delete(
    State(state): State<AppState>,
    ClassicCaller(caller): ClassicCaller,
    ClassicBody(members): ClassicBody,
) -> Result<Json<Map<String, Value>>, ClassicError> {
    let mut values = members.into_values(&dto::KEYS)?;
    let keys = Keys::take(&mut values)?;
    contacts::delete(&state.services, &caller, &keys).await?;
    Ok(Json(Map::new()))
}

/// `POST api/Customer/Create`: Customer Contact Create's style for a customer.
pub async fn customer_create(
    State(state): State<AppState>,
    ClassicCaller(caller): ClassicCaller,
    ClassicBody(members): ClassicBody,
) -> Result<Json<WireRecord>, ClassicError> {
    let mut values = members.into_writes(&dto::CUSTOMER_ACCEPTED)?;
    let code = customers::take_key(&mut values)?;
    let record = customers::create(&state.services, &caller, code, values).await?;
    Ok(Json(record.render(&dto::CUSTOMER_RETURNED)))
}

/// `POST api/Customer/Update`: only the fields sent change.
pub async fn customer_update(
    State(state): State<AppState>,
    ClassicCaller(caller): ClassicCaller,
    ClassicBody(members): ClassicBody,
) -> Result<Json<WireRecord>, ClassicError> {
    let mut values = members.into_writes(&dto::CUSTOMER_ACCEPTED)?;
    let code = customers::take_key(&mut values)?;
    let record = customers::update(&state.services, &caller, &code, values).await?;
    Ok(Json(record.render(&dto::CUSTOMER_RETURNED)))
}

/// `POST api/Customer/Query`: a JSON array of the customers asked for.
pub async fn customer_query(
    State(state): State<AppState>,
    ClassicCaller(caller): ClassicCaller,
    ClassicBody(members): ClassicBody,
) -> Result<Json<Vec<WireRecord>>, ClassicError> {
    let codes = customers::codes(members.into_criteria(&dto::CUSTOMER_RETURNED)?)?;
    let found = customers::search(&state.services, &caller, codes).await?;
    Ok(Json(
        found
            .iter()
            .map(|r| r.render(&dto::CUSTOMER_RETURNED))
            .collect(),
    ))
}

/// Any other method on a classic path.
pub async fn method_not_allowed(method: Method) -> ClassicError {
    ClassicError(Fault::MethodNotAllowed(method.to_string()))
}
