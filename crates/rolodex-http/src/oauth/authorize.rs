//! `GET /oauth/authorize` shows the sign-in and consent page of a valid request; `POST
//! /oauth/authorize` takes its form (the request again, in hidden fields; the CSRF value;
//! the username and password; the decision) and sends the browser back to the client with a
//! code, or with `error=access_denied`. A request whose client or redirect URI cannot be
//! trusted gets an error page, never a redirect; other refusals go back to the client
//! (RFC 6749, section 4.1.2.1).

use super::params::Params;
use super::{CSRF, CSRF_FIELD, page};
use crate::client::ClientIp;
use crate::csrf;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rolodex_core::oauth::{AuthorizeError, Redirect};
use rolodex_core::{AuthFailure, CoreError};

pub async fn show(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let Some(params) = Params::parse(query.unwrap_or_default().as_bytes()) else {
        return page::error(
            StatusCode::BAD_REQUEST,
            "The request's parameters cannot be read.",
        );
    };
    let request = params.authorization();
    match state.services.oauth.authorization(&request).await {
        Ok(authorization) => {
            let token = csrf::new_value();
            let mut response =
                page::sign_in(&authorization, &request, &token, "", None, StatusCode::OK);
            let secure = state.http.public_url.starts_with("https://");
            if let Some(cookie) = CSRF.cookie(&token, secure) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(e) => refusal(e, StatusCode::FOUND),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !super::is_form(&headers) {
        return page::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The form must be sent as application/x-www-form-urlencoded.",
        );
    }
    let Some(params) = Params::parse(&body) else {
        return page::error(StatusCode::BAD_REQUEST, "The form cannot be read.");
    };
    let cookie = CSRF.sent(&headers);
    if !csrf::holds(cookie.as_deref(), params.get(CSRF_FIELD).as_deref()) {
        return page::error(
            StatusCode::FORBIDDEN,
            "This form has expired, or was not sent from this page: go back, reload the page \
             and sign in again.",
        );
    }
    let request = params.authorization();
    let oauth = &state.services.oauth;
    let username = params.get("username").unwrap_or_default();
    let result = match params.get("decision").as_deref() {
        Some("allow") => {
            let password = params.get("password").unwrap_or_default();
            oauth.approve(&request, &username, &password, client).await
        }
        Some("deny") => oauth.deny(&request).await,
        _ => return page::error(StatusCode::BAD_REQUEST, "Choose Allow or Deny."),
    };
    let failure = match result {
        Ok(redirect) => return redirect_to(&redirect, StatusCode::SEE_OTHER),
        Err(AuthorizeError::SignIn(failure)) => failure,
        Err(e) => return refusal(e, StatusCode::SEE_OTHER),
    };
    let (status, message, retry_after) = sign_in_failure(&failure);
    let authorization = match oauth.authorization(&request).await {
        Ok(authorization) => authorization,
        Err(e) => return refusal(e, StatusCode::SEE_OTHER),
    };
    let token = cookie.unwrap_or_default();
    let mut response = page::sign_in(
        &authorization,
        &request,
        &token,
        &username,
        Some(&message),
        status,
    );
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// The status, message and `Retry-After` of a refused sign-in, shown on the page again.
fn sign_in_failure(failure: &CoreError) -> (StatusCode, String, Option<u64>) {
    match failure {
        CoreError::Throttled { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many failed attempts: try again in {retry_after_secs} seconds."),
            Some(*retry_after_secs),
        ),
        CoreError::Unauthenticated(AuthFailure::Disabled) => (
            StatusCode::FORBIDDEN,
            "This account is disabled.".into(),
            None,
        ),
        CoreError::Forbidden { .. } => (
            StatusCode::FORBIDDEN,
            "This account is not a member of the tenant the application asks for.".into(),
            None,
        ),
        CoreError::Internal(source) => {
            tracing::error!(error = ?source, "internal error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side: try again later.".into(),
                None,
            )
        }
        _ => (
            StatusCode::FORBIDDEN,
            "Wrong username or password.".into(),
            None,
        ),
    }
}

/// The answer to a request that is not granted.
fn refusal(error: AuthorizeError, redirect_status: StatusCode) -> Response {
    match error {
        AuthorizeError::Untrusted(why) => page::error(StatusCode::BAD_REQUEST, &why),
        AuthorizeError::Redirect(redirect) => redirect_to(&redirect, redirect_status),
        AuthorizeError::SignIn(failure) => {
            let (status, message, _) = sign_in_failure(&failure);
            page::error(status, &message)
        }
        AuthorizeError::Failed(e) => {
            tracing::error!(error = ?e, "an authorization request failed");
            page::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side: try again later.",
            )
        }
    }
}

/// `redirect.uri` with its parameters added to the query it may already have (RFC 6749,
/// section 3.1.2).
fn location(redirect: &Redirect) -> String {
    let query = serde_urlencoded::to_string(&redirect.params).unwrap_or_default();
    let separator = match redirect.uri.rfind('?') {
        None => "?",
        Some(i) if i + 1 == redirect.uri.len() || redirect.uri.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{}{separator}{query}", redirect.uri)
}

fn redirect_to(redirect: &Redirect, status: StatusCode) -> Response {
    match HeaderValue::from_str(&location(redirect)) {
        Ok(location) => (
            status,
            [
                (header::LOCATION, location),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        Err(_) => page::error(
            StatusCode::BAD_REQUEST,
            "The application's redirect URI cannot be used.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(uri: &str) -> String {
        location(&Redirect {
            uri: uri.into(),
            params: vec![("code", "a b&c".into()), ("state", "s/1".into())],
        })
    }

    #[test]
    fn parameters_join_the_query_the_redirect_uri_has() {
        assert_eq!(
            at("https://c.example/cb"),
            "https://c.example/cb?code=a+b%26c&state=s%2F1"
        );
        assert_eq!(
            at("https://c.example/cb?x=1"),
            "https://c.example/cb?x=1&code=a+b%26c&state=s%2F1"
        );
        assert_eq!(
            at("https://c.example/cb?"),
            "https://c.example/cb?code=a+b%26c&state=s%2F1"
        );
        assert_eq!(
            at("https://c.example/cb?x=1&"),
            "https://c.example/cb?x=1&code=a+b%26c&state=s%2F1"
        );
    }
}
