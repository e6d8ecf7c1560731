//! CRO Software's dispatch API (seed 004 `PATCH /customers/{customer_id}/contacts/
//! {customer_contact_id}`; siblings 5), as a translator onto the core. Changes are recorded
//! as made through `Surface::Cro`.
//!
//! Endpoints (each also with the trailing `/` the samples show):
//!
//! | path | methods (`Allow`) | role |
//! |---|---|---|
//! | `/customers/{customer_id}/contacts` | `GET` (list), `POST` (create, 201) | list: any; create: dispatcher or admin |
//! | `/customers/{customer_id}/contacts/{customer_contact_id}` | `GET`, `PATCH` (update) | get: any; update: dispatcher or admin |
//! | `/tenants` | `GET`: `[{"id", "code", "name", "role"}]`, the tenants the caller may name | any (no `x-tenant-id`) |
//!
//! `OPTIONS` is a CORS preflight: 204 with the path's `Access-Control-Allow-*` headers, no
//! credentials needed, so that a browser page may call the API. Any other method is 405 with
//! the path's `Allow`.
//! Create, get and update answer CustomerContactModel (see [`dto`]), mapped as in [`map`]:
//! `name` is the full name, `number` the main phone, which is the business phone, `fax` the
//! fax phone, `email` the email list joined with `", "`, the `notify_on_*_request` members
//! the notification preferences; `null` for what the contact does not have.
//!
//! Requests ([`auth`]): `Authorization: bearer <token>` (an access token of the OAuth flow
//! CRO's authentication guide describes, served under `/oauth`, a login token of
//! `POST /v1/auth/token` or an API key; the page's pattern, matched ignoring case, and at
//! most 256 characters), `x-tenant-id` (an integer, required on contacts), `Content-Type`
//! (absent or `application/json`), `x-api-version` (optional; one of the documented
//! versions). Responses ([`headers`]): `X-REQUEST-ID`, `X-API-VERSION` (the request's, else
//! `2023/04/19`), `Allow`, `Access-Control-Allow-{Origin: *, Headers, Methods}`,
//! `Content-Type: application/json`.
//!
//! Choices where the pages are silent:
//! - Errors ([`error`]): `{"status", "error", "message", "field"?, "request_id"}` on every
//!   failure. 400: malformed input (bad JSON, a body that is not an object, a member of the
//!   wrong type or not in the model, a boolean not spelled `0`/`1`/`True`/`False`, `fax`
//!   outside 7-15 characters, `email` over 256, an empty `name` or `number`, a `null`
//!   `name`, a non-integer path id, a missing or non-integer `x-tenant-id`, an unknown
//!   `x-api-version`, a bad `limit` or `cursor`, and the contact's own rules: email syntax,
//!   `name` over 128, `number` over 90), `field` naming the CRO member: every broken
//!   constraint is a 400, whichever layer checks it; 401 the token; 403 the role or a tenant
//!   the caller is not in; 404 a customer or contact not in the tenant (another tenant's
//!   too); 405; 409 a conflict; 415 a `Content-Type` other than `application/json`; 500
//!   internal.
//! - `null` clears `email`, `fax` and `number`, and so does a blank `email`; booleans also
//!   take the JSON numbers `0` and `1`; `null` is not a boolean.
//! - List paging: `?limit=` (1-200, default 50) and `?cursor=`, in id order; the answer is
//!   `{"items": [models], "next_cursor"}` (`null` on the last page).
//! - Create answers 201.

mod auth;
mod dto;
mod error;
mod handlers;
mod headers;
mod map;

use crate::state::AppState;
use axum::Router;
use axum::http::{Method, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get};
use error::CroError;

/// `route` at `path` and `path/`, any other method refused with `allow`, every response
/// decorated.
fn both(path: &str, route: MethodRouter<AppState>, allow: &'static str) -> Router<AppState> {
    let route = route.options(|| async { StatusCode::NO_CONTENT }).fallback(
        move |method: Method| async move { CroError::method_not_allowed(method.as_str(), allow) },
    );
    Router::new()
        .route(path, route.clone())
        .route(&format!("{path}/"), route)
        .layer(from_fn_with_state(allow, headers::decorate))
}

/// CRO's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(both(
            "/customers/{customer_id}/contacts",
            get(handlers::list).post(handlers::create),
            "GET,POST",
        ))
        .merge(both(
            "/customers/{customer_id}/contacts/{customer_contact_id}",
            get(handlers::get).patch(handlers::update),
            "GET,PATCH",
        ))
        .merge(both("/tenants", get(handlers::tenants), "GET"))
}
