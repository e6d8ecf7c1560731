//! OAuth 2.0 authorization server endpoints for CRO-style clients (CRO Software's
//! authentication guide, <http://docs.crosoftware.net/docs/authentication_guide>: the
//! authorization code grant, plain or with PKCE, and the refresh token grant; a `state` of at
//! least 8 characters). The rules are `rolodex_core::oauth`'s; this module reads the
//! parameters, renders the sign-in page and writes the answers.
//!
//! | path | method | answer |
//! |---|---|---|
//! | `/oauth/authorize` | `GET` | the sign-in and consent page ([`authorize`]) |
//! | `/oauth/authorize` | `POST` | the page's form: `303` back to the client with `code` and `state` |
//! | `/oauth/token` | `POST` | tokens as JSON ([`token`]) |
//!
//! The access tokens are Rolodex tokens: every surface takes them as `Authorization: Bearer`.

mod authorize;
mod page;
mod params;
mod token;

use crate::csrf::DoubleSubmit;
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};

/// The authorization page's double-submit cookie.
const CSRF: DoubleSubmit = DoubleSubmit {
    cookie: "rolodex_oauth_csrf",
    path: "/oauth",
};
/// The form field holding the value of [`CSRF`]'s cookie.
const CSRF_FIELD: &str = "csrf_token";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/oauth/authorize",
            get(authorize::show).post(authorize::submit),
        )
        .route("/oauth/token", post(token::token))
}

/// Whether the body is `application/x-www-form-urlencoded` (with optional parameters).
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}
