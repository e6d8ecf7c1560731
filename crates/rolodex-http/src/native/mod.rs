//! The native REST API under `/v1`: the one new integrations should use.
//!
//! JSON members are the model's names in snake_case; PATCH takes JSON Merge Patch
//! (`application/merge-patch+json`, or `application/json` read the same way); errors are RFC
//! 9457 problem details; single resources carry an `ETag` that `If-Match` can pin; POST honours
//! `Idempotency-Key`; collections share one cursor-paged shape.

pub mod auth;
pub mod contacts;
pub mod customers;
pub mod dto;
pub mod files;
pub(crate) mod map;
pub mod oauth_clients;
pub mod photos;
pub mod users;

use crate::extract::etag;
use crate::middleware::idempotency;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/auth/token", post(auth::login).delete(auth::logout))
        .route("/v1/api-keys", get(auth::list_keys).post(auth::create_key))
        .route("/v1/api-keys/{id}", axum::routing::delete(auth::revoke_key))
        .route("/v1/tenants", get(auth::tenants))
        .route(
            "/v1/oauth-clients",
            get(oauth_clients::list).post(oauth_clients::register),
        )
        .route(
            "/v1/oauth-clients/{id}",
            axum::routing::delete(oauth_clients::revoke),
        )
        .route("/v1/users", get(users::list).post(users::create))
        .route(
            "/v1/users/{id}",
            get(users::get).patch(users::update).delete(users::remove),
        )
        .route(
            "/v1/customers",
            get(customers::list).post(customers::create),
        )
        .route(
            "/v1/customers/{id}",
            get(customers::get)
                .patch(customers::patch)
                .delete(customers::delete),
        )
        .route("/v1/customers/{id}/history", get(customers::history))
        .route(
            "/v1/customers/{id}/history/{entry_id}/restore",
            post(customers::restore),
        )
        .route(
            "/v1/customers/{id}/contacts",
            get(contacts::list_of_customer).post(contacts::create),
        )
        .route(
            "/v1/customers/{id}/contacts/{contact_id}",
            get(contacts::get)
                .patch(contacts::patch)
                .put(contacts::replace)
                .delete(contacts::delete),
        )
        .route(
            "/v1/customers/{id}/contacts/{contact_id}/history",
            get(contacts::history),
        )
        .route(
            "/v1/customers/{id}/contacts/{contact_id}/history/{entry_id}/restore",
            post(contacts::restore),
        )
        .route(
            "/v1/customers/{id}/contacts/{contact_id}/photo",
            get(photos::get)
                .put(photos::put)
                .delete(photos::delete)
                .layer(DefaultBodyLimit::max(photos::UPLOAD_BODY_LIMIT)),
        )
        .route("/v1/contacts", get(contacts::search))
        .route("/v1/contacts/export", get(files::export))
        .route(
            "/v1/imports",
            get(files::jobs)
                .post(files::import)
                .layer(DefaultBodyLimit::max(files::IMPORT_BODY_LIMIT)),
        )
        .route("/v1/imports/{id}", get(files::job))
        .route("/v1/imports/{id}/report", get(files::job_report))
        .route_layer(from_fn_with_state(state, idempotency))
}

/// A JSON response with the resource's `ETag`.
fn tagged<T: Serialize>(status: StatusCode, version: i64, body: &T) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// A 201 with the new resource, its `ETag` and its `Location`.
fn created<T: Serialize>(location: String, version: i64, body: &T) -> Response {
    located(tagged(StatusCode::CREATED, version, body), &location)
}

/// A 201 with the new resource (one without versions) and its `Location`.
fn registered<T: Serialize>(location: &str, body: &T) -> Response {
    located(
        (StatusCode::CREATED, axum::Json(body)).into_response(),
        location,
    )
}

fn located(mut response: Response, location: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}
