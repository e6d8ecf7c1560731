//! CRO's calls: caller first (401, then the tenant), then the path ids, then the body; one
//! use of the core; the model back.

use super::auth::{CroCaller, CroIdentity};
use super::dto::{ContactList, CustomerContactModel, TenantModel};
use super::error::CroError;
use super::map;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use rolodex_core::query::{ContactQuery, PageRequest};
use rolodex_domain::{ContactId, CustomerId};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A create or update body: `Content-Type` absent or `application/json`, a JSON object.
pub struct CroBody(pub Map<String, Value>);

/// Whether `Content-Type` is absent (the page's default) or `application/json`.
fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).is_none_or(|ct| {
        ct.to_str().is_ok_and(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/json")
        })
    })
}

impl FromRequest<AppState> for CroBody {
    type Rejection = CroError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, CroError> {
        if !is_json(req.headers()) {
            return Err(CroError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Content-Type must be application/json.",
            )
            .on("Content-Type"));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| CroError::new(e.status(), "unreadable_body", e.body_text()))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(CroBody(map)),
            Ok(_) => Err(CroError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "The body must be a JSON object.",
            )),
            Err(e) => Err(CroError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("The body is not valid JSON: {e}."),
            )),
        }
    }
}

/// The path parameters, or a 400.
fn path<T>(path: Result<Path<T>, PathRejection>) -> Result<T, CroError> {
    path.map(|Path(t)| t)
        .map_err(|e| CroError::new(StatusCode::BAD_REQUEST, "invalid_path", e.body_text()))
}

/// An integer path parameter.
fn id(name: &str, raw: &str) -> Result<i64, CroError> {
    raw.parse()
        .map_err(|_| CroError::bad(name, "invalid_path", format!("{name} must be an integer.")))
}

/// The ids of a contact's path.
fn contact_ids((customer, contact): (String, String)) -> Result<(CustomerId, ContactId), CroError> {
    Ok((
        CustomerId(id("customer_id", &customer)?),
        ContactId(id("customer_contact_id", &contact)?),
    ))
}

/// `POST /customers/{customer_id}/contacts`: 201 and the model.
pub async fn create(
    State(state): State<AppState>,
    CroCaller(caller): CroCaller,
    customer: Result<Path<String>, PathRejection>,
    CroBody(body): CroBody,
) -> Result<(StatusCode, Json<CustomerContactModel>), CroError> {
    let customer = CustomerId(id("customer_id", &path(customer)?)?);
    let patch = map::patch(body)?;
    let contact = state
        .services
        .contacts
        .create(&caller, customer, patch)
        .await?;
    Ok((StatusCode::CREATED, Json(map::model(&contact))))
}

/// `GET /customers/{customer_id}/contacts/{customer_contact_id}`.
pub async fn get(
    State(state): State<AppState>,
    CroCaller(caller): CroCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<CustomerContactModel>, CroError> {
    let (customer, contact) = contact_ids(path(ids)?)?;
    let contact = state
        .services
        .contacts
        .get(&caller, customer, contact)
        .await?;
    Ok(Json(map::model(&contact)))
}

/// `PATCH /customers/{customer_id}/contacts/{customer_contact_id}` (the seed): only the
/// members sent change.
pub async fn update(
    State(state): State<AppState>,
    CroCaller(caller): CroCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
    CroBody(body): CroBody,
) -> Result<Json<CustomerContactModel>, CroError> {
    let (customer, contact) = contact_ids(path(ids)?)?;
    let patch = map::patch(body)?;
    let contact = state
        .services
        .contacts
        .patch(&caller, customer, contact, patch, None)
        .await?;
    Ok(Json(map::model(&contact)))
}

/// `GET /customers/{customer_id}/contacts?limit=&cursor=`: a page in id order.
pub async fn list(
    State(state): State<AppState>,
    CroCaller(caller): CroCaller,
    customer: Result<Path<String>, PathRejection>,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<ContactList>, CroError> {
    let customer = CustomerId(id("customer_id", &path(customer)?)?);
    let Query(params) = params
        .map_err(|e| CroError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    if let Some(other) = params
        .keys()
        .find(|k| !["limit", "cursor"].contains(&k.as_str()))
    {
        return Err(CroError::bad(
            other,
            "unknown_parameter",
            format!("{other} is not a parameter of this list; accepted: limit, cursor."),
        ));
    }
    let limit = params
        .get("limit")
        .map(|l| {
            l.parse::<u32>().map_err(|_| {
                CroError::bad(
                    "limit",
                    "invalid_limit",
                    "limit must be an integer from 1 to 200.",
                )
            })
        })
        .transpose()?;
    let page = PageRequest::parse(limit, params.get("cursor").map(String::as_str))
        .map_err(|e| CroError::bad(&e.field, e.code, format!("{} {}.", e.field, e.message)))?;
    let query = ContactQuery {
        customer_id: Some(customer),
        page,
        ..ContactQuery::default()
    };
    let found = state.services.contacts.list(&caller, &query).await?;
    Ok(Json(ContactList {
        items: found.items.iter().map(map::model).collect(),
        next_cursor: found.next.map(|c| c.encode()),
    }))
}

/// `GET /tenants`: the tenants the caller may name in `x-tenant-id`.
pub async fn tenants(
    State(state): State<AppState>,
    CroIdentity(identity): CroIdentity,
) -> Result<Json<Vec<TenantModel>>, CroError> {
    let tenants = state.services.tenants.of_user(&identity).await?;
    Ok(Json(
        tenants
            .into_iter()
            .map(|(t, role)| TenantModel {
                id: t.id.0,
                code: t.code.as_str().to_owned(),
                name: t.name,
                role: role.as_str(),
            })
            .collect(),
    ))
}
