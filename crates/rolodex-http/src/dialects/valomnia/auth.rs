//! Valomnia's session login (siblings 4.1) onto the core's login, and the session a request
//! carries.
//!
//! `POST /j_spring_security_check` (or `GET`, as third-party clients do) with `j_username`,
//! `j_password` and `ajax=true`, in a form body or the query string (Valomnia's MuleSoft
//! connector sends them in the query string of a `POST` declared as JSON, without a body),
//! calls `AuthService::login`. The core's session token *is* the session id: it is set as
//! `JSESSIONID` (`Path=/; HttpOnly; SameSite=Lax`) and the answer is `302` to
//! `<base>/login/ajaxSuccess`, which answers `GET` and `POST` (the connector posts to the
//! `Location` it was given, with the cookie) with `{"success": true, "token": <the same
//! value>, "user": {...}}` on one line. `Location` is absolute, as Spring Security's are and
//! as the connector needs: `<base>` is the configured `public_url` (never the request's
//! `Host`, which the client sets).
//!
//! A refused login (wrong credentials, a disabled account, throttling, a missing parameter)
//! is a `302` too, as Spring Security's are: to `<base>/login/authfail?ajax=true&error=<code>`,
//! with the session cookie cleared (`JSESSIONID=; Max-Age=0`) and the error itself as the
//! body for clients that do not follow redirects. `/login/authfail` answers the error the
//! code stands for ([`refusal`]); the connector, which reads a `token` from wherever the
//! login sent it, finds none and reports invalid credentials.
//!
//! Clients treat the session id as opaque, so it is not the 32 upper-hex characters
//! Valomnia's own server issues: mapping such ids onto tokens would need a second session
//! table for no gain. Every later request carries `Cookie: JSESSIONID=...` or, equally,
//! `Authorization: Bearer <token>` (a login token of any surface, or an API key).
//!
//! Tenant: a Valomnia organisation is a tenant, named by its code (`organization`). A user
//! with one tenant logs in to it; a user in several names one with the extra login parameter
//! `organization` (a tenant code), and the session is bound to it. The connector cannot send
//! `organization`: its account must belong to one tenant.

use super::error::ValomniaError;
use super::params::Params;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use rolodex_core::{Caller, CoreError, IssuedToken};
use rolodex_domain::Surface;
use std::net::IpAddr;

/// The session cookie.
pub const SESSION_COOKIE: &str = "JSESSIONID";

/// The attributes of the session cookie.
pub const COOKIE_ATTRIBUTES: &str = "Path=/; HttpOnly; SameSite=Lax";

/// Where a successful login sends its client.
pub const SUCCESS_PATH: &str = "/login/ajaxSuccess";

/// Where a refused login sends its client.
pub const FAILURE_PATH: &str = "/login/authfail";

/// The error a refused login's `error` code stands for at [`FAILURE_PATH`] (the code of the
/// refusal the login answered; an unknown code is a failed login).
pub fn refusal(code: &str) -> ValomniaError {
    match code {
        "too_many_attempts" => ValomniaError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "Too many failed logins; retry later.",
        ),
        "missing_param" => ValomniaError::new(
            StatusCode::BAD_REQUEST,
            "missing_param",
            "j_username and j_password are required, and organization for a member of \
             several organizations.",
        ),
        _ => ValomniaError::no_credentials(BAD_CREDENTIALS),
    }
}

const BAD_CREDENTIALS: &str =
    "Sorry, we were not able to find a user with that username and password.";

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
            CoreError::Unauthenticated(_) => ValomniaError::no_credentials(BAD_CREDENTIALS),
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
