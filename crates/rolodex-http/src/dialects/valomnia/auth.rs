//! Valomnia's session login (siblings 4.1) onto the core's login, and the session a request
//! carries.
//!
//! `POST /j_spring_security_check` (or `GET`, as third-party clients do) with `j_username`,
//! `j_password` and `ajax=true` calls `AuthService::login`. The core's session token *is* the
//! session id: it is set as `JSESSIONID` (`Path=/; HttpOnly; SameSite=Lax`) and the answer is
//! `302` to `/login/ajaxSuccess`, which returns `{"success": true, "token": <the same
//! value>, "user": {...}}`. Clients treat the session id as opaque, so it is not the 32
//! upper-hex characters Valomnia's own server issues: mapping such ids onto tokens would need a
//! second session table for no gain. Every later request carries `Cookie: JSESSIONID=...` or,
//! equally, `Authorization: Bearer <token>` (a login token of any surface, or an API key).
//!
//! Tenant: a Valomnia organisation is a tenant, named by its code (`organization`). A user
//! with one tenant logs in to it; a user in several names one with the extra login parameter
//! `organization` (a tenant code), and the session is bound to it.

use super::error::ValomniaError;
use super::params::Params;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use rolodex_core::{Caller, CoreError, IssuedToken};
use rolodex_domain::Surface;
use std::net::IpAddr;

/// The session cookie.
pub const SESSION_COOKIE: &str = "JSESSIONID";

/// The session token a request carries: the `JSESSIONID` cookie, else a bearer token.
pub fn session(headers: &HeaderMap) -> Option<String> {
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned());
    from_cookie.or_else(|| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| rolodex_core::auth::parse_bearer(v).ok())
            .map(str::to_owned)
    })
}

/// The caller of a Valomnia call, in its session's tenant.
pub struct ValomniaCaller(pub Caller);

impl FromRequestParts<AppState> for ValomniaCaller {
    type Rejection = ValomniaError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, ValomniaError> {
        let token = session(&parts.headers).ok_or_else(|| {
            ValomniaError::no_credentials("Log in first: no session (JSESSIONID) was sent.")
        })?;
        let auth = &state.services.auth;
        let identity = auth.identify(&token).await?;
        let caller = auth.enter(&identity, None, Surface::Valomnia).await?;
        Ok(ValomniaCaller(caller))
    }
}

/// Logs in from `client` with the login parameters; the issued token is bound to one tenant.
pub async fn login(
    state: &AppState,
    params: &Params,
    client: IpAddr,
) -> Result<IssuedToken, ValomniaError> {
    let username = params.required("j_username")?;
    let password = params.required("j_password")?;
    let organization = params.get("organization").filter(|o| !o.is_empty());
    let auth = &state.services.auth;
    let issued = auth
        .login(username, password, organization, client)
        .await
        .map_err(|e| match e {
            CoreError::Unauthenticated(_) => ValomniaError::no_credentials(
                "Sorry, we were not able to find a user with that username and password.",
            ),
            other => ValomniaError::from(other),
        })?;
    if issued.tenant.is_none() {
        if let Ok(identity) = auth.identify(&issued.token).await {
            auth.logout(&identity).await?;
        }
        return Err(ValomniaError::missing("organization"));
    }
    Ok(issued)
}
