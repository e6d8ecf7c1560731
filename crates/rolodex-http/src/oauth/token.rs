//! `POST /oauth/token`: a form-encoded token request (RFC 6749, sections 4.1.3 and 6), the
//! client authenticated by HTTP Basic (`client_secret_basic`) or in the body
//! (`client_secret_post`); the answer is JSON (section 5.1), or an error (section 5.2), never
//! cached. Besides the standard members, a successful answer names the `tenant_id` the access
//! token acts in: CRO's `x-tenant-id`.

use super::params::Params;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rolodex_core::oauth::{GrantedTokens, OAuthError, OAuthErrorCode};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    refresh_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    tenant_id: i64,
}

impl From<GrantedTokens> for TokenResponse {
    fn from(t: GrantedTokens) -> Self {
        Self {
            access_token: t.access_token,
            token_type: "Bearer",
            expires_in: t.expires_in.as_secs(),
            refresh_token: t.refresh_token,
            scope: t.scope,
            tenant_id: t.tenant_id.0,
        }
    }
}

#[derive(Debug, Serialize)]
struct ErrorResponse<'a> {
    error: &'static str,
    error_description: &'a str,
}

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if !super::is_form(&headers) {
        return error(
            OAuthErrorCode::InvalidRequest,
            "send the parameters as application/x-www-form-urlencoded",
        );
    }
    let Some(params) = Params::parse(&body) else {
        return error(OAuthErrorCode::InvalidRequest, "the body cannot be read");
    };
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => match basic_credentials(value) {
            Some(credentials) => Some(credentials),
            None => {
                return error(
                    OAuthErrorCode::InvalidClient,
                    "the Authorization header is not HTTP Basic credentials",
                );
            }
        },
    };
    match state.services.oauth.token(params.token(basic)).await {
        Ok(tokens) => no_store((StatusCode::OK, Json(TokenResponse::from(tokens)))),
        Err(OAuthError::Refused { code, description }) => error(code, &description),
        Err(OAuthError::Failed(e)) => {
            tracing::error!(error = ?e, "a token request failed");
            error(
                OAuthErrorCode::ServerError,
                "something went wrong on our side",
            )
        }
    }
}

/// The client id and secret of `Authorization: Basic`, each form-urlencoded before they were
/// joined (RFC 6749, section 2.3.1).
fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    let value = value.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// `value` with `+` read as a space and `%XX` as that byte.
fn form_decode(value: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(value.len());
    let mut rest = value.bytes();
    while let Some(b) = rest.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [rest.next()?, rest.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// An error of section 5.2: 401 with a Basic challenge for a client that failed to
/// authenticate, 500 for a failure of ours, else 400.
fn error(code: OAuthErrorCode, description: &str) -> Response {
    let status = match code {
        OAuthErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
        OAuthErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = ErrorResponse {
        error: code.as_str(),
        error_description: description,
    };
    let mut response = no_store((status, Json(body)));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"rolodex\""),
        );
    }
    response
}

fn no_store(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(raw: &str) -> Option<(String, String)> {
        basic_credentials(&HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(raw))).ok()?)
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        assert_eq!(
            basic("rdxc.a-b:s%3Acret+x"),
            Some(("rdxc.a-b".into(), "s:cret x".into()))
        );
        assert_eq!(basic("id:"), Some(("id".into(), String::new())));
        assert_eq!(basic("no-colon"), None);
        assert_eq!(basic("id:%zz"), None);
        assert_eq!(
            basic_credentials(&HeaderValue::from_static("Bearer abc")),
            None
        );
        assert_eq!(
            basic_credentials(&HeaderValue::from_static("Basic !!!")),
            None
        );
    }
}
