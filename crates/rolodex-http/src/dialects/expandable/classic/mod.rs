//! Expandable ERP's classic Web API (seed 000, siblings 1): `api/<Controller>/<Action>`,
//! every call a POST with a JSON body of UPPER_SNAKE strings, the token in the `AuthToken`
//! header, errors `{"Message", "MessageCode"}`. See the parent module for the choices made
//! where the pages are silent.
//!
//! The classic API is an ASP.NET Web API (its help pages are that framework's
//! `/Help/Api/...` pages, siblings 1), which matches routes and binds JSON members without
//! regard to case: so do these routes ([`AnyCase`]) and bodies (`handlers::ClassicBody`).

mod auth;
mod dto;
mod error;
mod handlers;

use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::{MethodRouter, post};
use tower::ServiceExt;

/// A POST route; any other method gets the classic 405.
fn post_only<H: Handler<T, AppState>, T: 'static>(handler: H) -> MethodRouter<AppState> {
    post(handler).fallback(handlers::method_not_allowed)
}

/// The classic API's paths, as the pages spell them.
const PATHS: [&str; 8] = [
    "/api/Security/Login",
    "/api/CustomerContact/Create",
    "/api/CustomerContact/Update",
    "/api/CustomerContact/Query",
    "/api/CustomerContact/Delete",
    "/api/Customer/Create",
    "/api/Customer/Update",
    "/api/Customer/Query",
];

/// The classic API's routes, at the paths as the pages spell them.
pub fn router() -> Router<AppState> {
    let [
        login,
        create,
        update,
        query,
        delete,
        customer_create,
        customer_update,
        customer_query,
    ] = PATHS;
    Router::new()
        .route(login, post_only(handlers::login))
        .route(create, post_only(handlers::create))
        .route(update, post_only(handlers::update))
        .route(query, post_only(handlers::query))
        .route(delete, post_only(handlers::delete))
        .route(customer_create, post_only(handlers::customer_create))
        .route(customer_update, post_only(handlers::customer_update))
        .route(customer_query, post_only(handlers::customer_query))
}

/// The classic routes for paths spelled in other letter cases (`/api/customercontact/create`),
/// for requests no route matched.
#[derive(Clone)]
pub struct AnyCase(Router);

impl AnyCase {
    pub fn new(state: AppState) -> Self {
        Self(router().with_state(state))
    }

    /// Answers `req` when its path is a classic path but for its letter case; gives it back
    /// otherwise.
    pub async fn answer(&self, req: Request) -> Result<Response, Request> {
        let path = req.uri().path();
        let Some(spelled) = PATHS.into_iter().find(|p| p.eq_ignore_ascii_case(path)) else {
            return Err(req);
        };
        let (mut parts, body) = req.into_parts();
        let uri = match parts.uri.query() {
            Some(query) => format!("{spelled}?{query}"),
            None => spelled.to_owned(),
        };
        match uri.parse::<Uri>() {
            Ok(uri) => parts.uri = uri,
            Err(_) => return Err(Request::from_parts(parts, body)),
        }
        let answered = self.0.clone().oneshot(Request::from_parts(parts, body));
        Ok(match answered.await {
            Ok(response) => response,
            Err(never) => match never {},
        })
    }
}
