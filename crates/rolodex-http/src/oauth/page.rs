//! The authorization pages, rendered on the server from `templates/oauth/` (askama escapes
//! every value as HTML): the sign-in and consent page, and the page that says why a request
//! cannot be answered. They load nothing from elsewhere, run no script, may not be framed
//! (no clickjacking of the Allow button) and are never cached.

use super::params::AUTHORIZATION_PARAMS;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rolodex_core::oauth::{Authorization, AuthorizationRequest};

/// What the pages may load: their own inline style, nothing else.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

#[derive(Template)]
#[template(path = "oauth/authorize.html")]
struct AuthorizePage<'a> {
    client_name: &'a str,
    tenant_name: &'a str,
    tenant_code: &'a str,
    scope: Option<&'a str>,
    error: Option<&'a str>,
    csrf_token: &'a str,
    /// The authorization request, carried to the form's submission in hidden fields.
    request: Vec<(&'static str, String)>,
    username: &'a str,
    redirect_uri: &'a str,
}

#[derive(Template)]
#[template(path = "oauth/error.html")]
struct ErrorPage<'a> {
    message: &'a str,
}

/// The request's parameters that were sent, by name.
fn hidden_fields(request: &AuthorizationRequest) -> Vec<(&'static str, String)> {
    let values = [
        &request.client_id,
        &request.redirect_uri,
        &request.response_type,
        &request.state,
        &request.scope,
        &request.code_challenge,
        &request.code_challenge_method,
    ];
    AUTHORIZATION_PARAMS
        .into_iter()
        .zip(values)
        .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
        .collect()
}

/// The page asking the user to sign in and allow (or deny) `authorization`, after a failed
/// sign-in when `error` says why.
pub fn sign_in(
    authorization: &Authorization,
    request: &AuthorizationRequest,
    csrf_token: &str,
    username: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let page = AuthorizePage {
        client_name: &authorization.client_name,
        tenant_name: &authorization.tenant.name,
        tenant_code: authorization.tenant.code.as_str(),
        scope: authorization.scope.as_deref(),
        error,
        csrf_token,
        request: hidden_fields(request),
        username,
        redirect_uri: authorization.redirect_uri(),
    };
    html(status, page.render())
}

/// The page saying why a request cannot be answered.
pub fn error(status: StatusCode, message: &str) -> Response {
    html(status, ErrorPage { message }.render())
}

fn html(status: StatusCode, rendered: askama::Result<String>) -> Response {
    let (status, body) = match rendered {
        Ok(body) => (status, body),
        Err(e) => {
            tracing::error!(error = ?e, "an authorization page could not be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.".to_owned(),
            )
        }
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
