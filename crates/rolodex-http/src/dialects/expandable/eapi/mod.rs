//! Expandable's newer API (seed 001, siblings 2): `/api/<slug>`, every call a POST with a
//! JSON body of UPPER_SNAKE strings that carries the token as `AUTH_TOKEN`, errors
//! `{"MESSAGE", "MESSAGE_CODE"}`, 405 for any other method. See the parent module for the
//! choices made where the pages are silent.

mod auth;
mod dto;
mod error;
mod handlers;

use crate::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, post};

/// A POST route; any other method gets "405/Request method must be POST.".
fn post_only<H: Handler<T, AppState>, T: 'static>(handler: H) -> MethodRouter<AppState> {
    post(handler).fallback(handlers::method_not_allowed)
}

/// The newer API's routes: the seed's, and the ones its menu implies in the same slug style.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth-token-get", post_only(handlers::auth_token_get))
        .route("/api/api-version-get", post_only(handlers::api_version_get))
        .route("/api/server-time-get", post_only(handlers::server_time_get))
        .route(
            "/api/data-sources-get",
            post_only(handlers::data_sources_get),
        )
        .route("/api/customer-contact-create", post_only(handlers::create))
        .route("/api/customer-contact-update", post_only(handlers::update))
        .route("/api/customer-contact-get", post_only(handlers::get))
        .route("/api/customer-contact-query", post_only(handlers::query))
        .route("/api/customer-contact-delete", post_only(handlers::delete))
        .route("/api/customer-create", post_only(handlers::customer_create))
        .route("/api/customer-update", post_only(handlers::customer_update))
        .route("/api/customer-get", post_only(handlers::customer_get))
        .route("/api/customer-query", post_only(handlers::customer_query))
}
