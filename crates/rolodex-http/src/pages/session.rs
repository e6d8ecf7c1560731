//! A page's session: the login token in an HttpOnly, SameSite=Lax cookie (Secure when the
//! service is reached over HTTPS), the tenant chosen for it, and the CSRF token every form
//! carries. The CSRF token is derived from the session's secret (SHA-256 of a label and the
//! token), so it needs no storage and a page of another site can neither read nor forge it.

use super::{BASE, PageError};
use crate::csrf::{DoubleSubmit, holds};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rolodex_core::{Caller, CoreError, Identity};
use rolodex_domain::{Role, Surface, TenantId};
use sha2::{Digest, Sha256};

/// The cookie holding the session's login token.
pub const SESSION_COOKIE: &str = "rolodex_session";
/// The cookie naming the tenant the session works in, for users of several tenants.
pub const TENANT_COOKIE: &str = "rolodex_tenant";
/// The sign-in form's double-submit cookie (there is no session yet).
pub const SIGN_IN: DoubleSubmit = DoubleSubmit {
    cookie: "rolodex_sign_in",
    path: BASE,
};

/// What every signed-in page shows around its content: who is signed in, where, and the
/// session's CSRF token for the forms.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub username: String,
    pub tenant: String,
    pub role: Role,
    pub csrf: String,
}

impl Chrome {
    pub fn can_edit(&self) -> bool {
        self.role.can_write()
    }

    pub fn is_admin(&self) -> bool {
        self.role.can_administer()
    }
}

/// The signed-in person a page is for: the caller of the use cases, and the page's chrome.
pub struct Viewer {
    pub caller: Caller,
    pub identity: Identity,
    pub chrome: Chrome,
}

/// A signed-in person before a tenant is chosen.
pub struct Session {
    pub identity: Identity,
    pub csrf: String,
}

impl Viewer {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check(&self, csrf: &str) -> Result<(), PageError> {
        same_secret(&self.chrome.csrf, csrf)
            .then_some(())
            .ok_or(PageError::Forged)
    }
}

/// Whether two secrets are equal, in time independent of where they differ.
pub fn same_secret(expected: &str, given: &str) -> bool {
    holds(Some(expected), Some(given))
}

/// The CSRF token of the session whose login token is `token`.
pub fn csrf_token(token: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"rolodex page form\0")
        .chain_update(token.as_bytes())
        .finalize();
    URL_SAFE_NO_PAD.encode(digest)
}

/// The sign-in page's address, coming back to the page `parts` asked for.
fn sign_in(parts: &Parts) -> PageError {
    PageError::SignIn {
        next: parts
            .uri
            .path_and_query()
            .map_or_else(|| BASE.to_owned(), ToString::to_string),
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .ok_or_else(|| sign_in(parts))?
            .value();
        let identity = state
            .services
            .auth
            .identify(token)
            .await
            .map_err(|_| sign_in(parts))?;
        Ok(Session {
            identity,
            csrf: csrf_token(token),
        })
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let Session { identity, csrf } = Session::from_request_parts(parts, state).await?;
        let tenant = CookieJar::from_headers(&parts.headers)
            .get(TENANT_COOKIE)
            .and_then(|c| c.value().parse::<i64>().ok())
            .map(TenantId);
        let caller = match state
            .services
            .auth
            .enter(&identity, tenant, Surface::Web)
            .await
        {
            Ok(caller) => caller,
            // Several tenants and none chosen (or one no longer a member of).
            Err(CoreError::Forbidden { .. }) => return Err(PageError::ChooseTenant),
            Err(e) => return Err(e.into()),
        };
        let tenant = state.services.tenants.current(&caller).await?;
        let chrome = Chrome {
            username: caller.username.clone(),
            tenant: if tenant.name.is_empty() {
                tenant.code.as_str().to_owned()
            } else {
                tenant.name
            },
            role: caller.role,
            csrf,
        };
        Ok(Viewer {
            caller,
            identity,
            chrome,
        })
    }
}

/// A cookie for the pages: HttpOnly, SameSite=Lax, for `/app` only, Secure when the service
/// is reached over HTTPS.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.http.public_url.starts_with("https://"))
        .path(BASE)
        .build()
}

/// The cookie `name` removed.
pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut cookie = cookie(state, name, String::new());
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_are_per_session_and_compared_whole() {
        let a = csrf_token("rdxs.one");
        assert_eq!(a, csrf_token("rdxs.one"));
        assert_ne!(a, csrf_token("rdxs.two"));
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &a[..a.len() - 1]));
        assert!(!same_secret(&a, ""));
    }
}
