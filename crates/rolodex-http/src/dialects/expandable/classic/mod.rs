//! Expandable ERP's classic Web API (seed 000, siblings 1): `api/<Controller>/<Action>`,
//! every call a POST with a JSON body of UPPER_SNAKE strings, the token in the `AuthToken`
//! header, errors `{"Message", "MessageCode"}`. See the parent module for the choices made
//! where the pages are silent.

mod auth;
mod dto;
mod error;
mod handlers;

use crate::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, post};

/// A POST route; any other method gets the classic 405.
fn post_only<H: Handler<T, AppState>, T: 'static>(handler: H) -> MethodRouter<AppState> {
    post(handler).fallback(handlers::method_not_allowed)
}

/// The classic API's routes, at the paths as the pages spell them.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/Security/Login", post_only(handlers::login))
        .route("/api/CustomerContact/Create", post_only(handlers::create))
        .route("/api/CustomerContact/Update", post_only(handlers::update))
        .route("/api/CustomerContact/Query", post_only(handlers::query))
        .route("/api/CustomerContact/Delete", post_only(handlers::delete))
}
