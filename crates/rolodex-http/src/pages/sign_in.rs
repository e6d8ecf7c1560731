//! Signing in and out, and choosing the tenant to work in. Signing in is the login of every
//! surface (its throttling included); the token it issues is kept in the session cookie.

use super::CsrfForm;
use super::session::{
    SESSION_COOKIE, SIGN_IN, Session, TENANT_COOKIE, Viewer, cookie, removal, same_secret,
};
use super::{BASE, Chrome, PageError, PageResult, render, render_with, see};
use crate::client::ClientIp;
use crate::csrf;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rolodex_core::{AuthFailure, CoreError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/sign_in.html")]
struct SignInPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    csrf: String,
    next: String,
    username: String,
    tenant: String,
    error: Option<String>,
    /// Whether the tenant must be named (the password fits accounts in several).
    tenant_needed: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Where to go after signing in: a page of ours, else the contacts.
fn destination(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/app") && !n.contains("//") && !n.contains('\\') => n.into(),
        _ => format!("{BASE}/contacts"),
    }
}

pub async fn home() -> Response {
    see(format!("{BASE}/contacts"))
}

/// The sign-in form, with a fresh CSRF value in a cookie of its own.
pub async fn form(State(state): State<AppState>, Query(next): Query<Next>) -> Response {
    let csrf = csrf::new_value();
    let secure = state.http.public_url.starts_with("https://");
    let page = SignInPage {
        chrome: None,
        flash: None,
        csrf,
        next: destination(next.next.as_deref()),
        username: String::new(),
        tenant: String::new(),
        error: None,
        tenant_needed: false,
    };
    let mut response = render(&page);
    if let Some(cookie) = SIGN_IN.cookie(&page.csrf, secure) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
    #[serde(default)]
    tenant: String,
    csrf: String,
    next: Option<String>,
}

/// Signs in: a session cookie and the page asked for, or the form again with the reason.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<Credentials>,
) -> PageResult {
    if !SIGN_IN.holds(&headers, Some(&form.csrf)) {
        return Err(PageError::Forged);
    }
    let tenant = Some(form.tenant.trim()).filter(|t| !t.is_empty());
    let issued = state
        .services
        .auth
        .login(&form.username, &form.password, tenant, client)
        .await;
    let refusal = |status: StatusCode, message: String, tenant_needed: bool| {
        let page = SignInPage {
            chrome: None,
            flash: None,
            csrf: form.csrf.clone(),
            next: destination(form.next.as_deref()),
            username: form.username.clone(),
            tenant: form.tenant.clone(),
            error: Some(message),
            tenant_needed,
        };
        Ok(render_with(status, &page))
    };
    let token = match issued {
        Ok(token) => token,
        Err(CoreError::Unauthenticated(AuthFailure::TenantRequired)) => {
            return refusal(
                StatusCode::UNAUTHORIZED,
                "This username and password fit accounts in several tenants: name the tenant."
                    .into(),
                true,
            );
        }
        Err(CoreError::Unauthenticated(failure)) => {
            return refusal(
                StatusCode::UNAUTHORIZED,
                super::sentence(failure.message()),
                false,
            );
        }
        Err(CoreError::Throttled { retry_after_secs }) => {
            return refusal(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many failed attempts. Try again in {retry_after_secs} seconds."),
                false,
            );
        }
        Err(CoreError::Forbidden { message }) => {
            return refusal(StatusCode::FORBIDDEN, super::sentence(&message), true);
        }
        Err(e) => return Err(e.into()),
    };
    let jar = jar.remove(removal(&state, SIGN_IN.cookie)).add(cookie(
        &state,
        SESSION_COOKIE,
        token.token,
    ));
    let (jar, to) = match token.tenant {
        Some(tenant) => (
            jar.add(cookie(&state, TENANT_COOKIE, tenant.id.0.to_string())),
            destination(form.next.as_deref()),
        ),
        None => (
            jar.remove(removal(&state, TENANT_COOKIE)),
            format!("{BASE}/tenant"),
        ),
    };
    Ok((jar, see(to)).into_response())
}

/// Signs out: the session's token is revoked and its cookies removed.
pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    state.services.auth.logout(&viewer.identity).await?;
    let jar = jar
        .remove(removal(&state, SESSION_COOKIE))
        .remove(removal(&state, TENANT_COOKIE));
    Ok((jar, see(format!("{BASE}/login"))).into_response())
}

#[derive(Template)]
#[template(path = "pages/tenants.html")]
struct TenantsPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    csrf: String,
    tenants: Vec<(i64, String)>,
}

/// The tenants of a user of several, to choose one.
pub async fn tenants(State(state): State<AppState>, session: Session) -> PageResult {
    let tenants = state
        .services
        .tenants
        .of_user(&session.identity)
        .await?
        .into_iter()
        .map(|(t, role)| {
            (
                t.id.0,
                format!("{} ({}, {})", t.name, t.code.as_str(), role.as_str()),
            )
        })
        .collect();
    Ok(render(&TenantsPage {
        chrome: None,
        flash: None,
        csrf: session.csrf,
        tenants,
    }))
}

#[derive(Debug, Deserialize)]
pub struct Choice {
    tenant: i64,
    csrf: String,
}

/// Works in the chosen tenant from now on (a tenant the user is not a member of is refused
/// by every page, as by every surface).
pub async fn choose(
    State(state): State<AppState>,
    session: Session,
    jar: CookieJar,
    Form(form): Form<Choice>,
) -> PageResult {
    if !same_secret(&session.csrf, &form.csrf) {
        return Err(PageError::Forged);
    }
    let member = state
        .services
        .tenants
        .of_user(&session.identity)
        .await?
        .iter()
        .any(|(t, _)| t.id.0 == form.tenant);
    if !member {
        return Err(CoreError::forbidden("you are not a member of that tenant").into());
    }
    let jar = jar.add(cookie(&state, TENANT_COOKIE, form.tenant.to_string()));
    Ok((jar, see(format!("{BASE}/contacts"))).into_response())
}
