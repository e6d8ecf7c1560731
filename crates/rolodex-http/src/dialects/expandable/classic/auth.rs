//! Where the classic API carries its token: in the `AuthToken` request header of every
//! authenticated call (seed 000: "Requires an Authentication Token in the AuthToken HTTP
//! header. Authentication Tokens are obtained from api/Security/Login (POST)"), and in the
//! `AuthToken` response header of that login, whose body the page does not describe: it is
//! `{}` (siblings 1.1).

use super::error::ClassicError;
use crate::dialects::expandable::fault::Fault;
use crate::dialects::expandable::session;
use crate::state::AppState;
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rolodex_core::{AuthFailure, Caller};
use rolodex_domain::Surface;
use serde_json::json;

/// The header that carries the token, both ways.
pub const AUTH_TOKEN: HeaderName = HeaderName::from_static("authtoken");

/// The caller of a classic call, from its `AuthToken` header, in the token's tenant.
pub struct ClassicCaller(pub Caller);

impl FromRequestParts<AppState> for ClassicCaller {
    type Rejection = ClassicError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ClassicError> {
        let token = match parts.headers.get(&AUTH_TOKEN) {
            None => None,
            Some(v) => Some(
                v.to_str()
                    .map_err(|_| Fault::Unauthenticated(AuthFailure::Malformed))?,
            ),
        };
        let caller = session::caller(&state.services, token, Surface::ExpandableClassic).await?;
        Ok(ClassicCaller(caller))
    }
}

/// The answer to a successful login: `{}` with the token in the `AuthToken` header.
pub fn issued(token: &str) -> Result<Response, ClassicError> {
    let value = HeaderValue::from_str(token).map_err(|_| {
        ClassicError::from(rolodex_core::CoreError::Internal(
            "a token that is not a header value".into(),
        ))
    })?;
    Ok((
        [(AUTH_TOKEN, value)],
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(json!({})),
    )
        .into_response())
}
