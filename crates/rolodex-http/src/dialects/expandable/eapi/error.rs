//! The newer API's error envelope: the status and `{"MESSAGE", "MESSAGE_CODE"}` (seed 001
//! "Failure Response"; siblings 2.1 for the auth token call).
//!
//! Messages are the page's texts: 400 "Request JSON is invalid." followed by what is wrong;
//! 401 "Auth Token was not provided." / "is malformed." / "login failure."; 405 "Request
//! method must be POST." (with `Allow: POST`); a 500 carries the failure's message. The page
//! lists no "expired" text: an expired token gets "Auth Token is expired.", a 401 in the same
//! style (classic's text with this API's spelling), so that a client can tell it to log in
//! again rather than report a bad token.

use crate::dialects::expandable::fault::Fault;
use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rolodex_core::CoreError;
use serde::Serialize;

/// A failed call of the newer API.
#[derive(Debug)]
pub struct EapiError(pub Fault);

impl From<Fault> for EapiError {
    fn from(f: Fault) -> Self {
        Self(f)
    }
}

impl From<CoreError> for EapiError {
    fn from(e: CoreError) -> Self {
        Self(e.into())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct Body {
    message: String,
    message_code: &'static str,
}

impl EapiError {
    fn message(&self) -> String {
        match &self.0 {
            Fault::InvalidJson(detail) => format!("Request JSON is invalid. {detail}"),
            Fault::Unauthenticated(f) => format!("Auth Token {}", Fault::token_text(*f)),
            Fault::MethodNotAllowed(_) => "Request method must be POST.".to_owned(),
            Fault::Failed { message, .. } => message.clone(),
        }
    }
}

impl IntoResponse for EapiError {
    fn into_response(self) -> Response {
        let body = Body {
            message: self.message(),
            message_code: self.0.code(),
        };
        let mut response = (self.0.status(), Json(body)).into_response();
        if matches!(self.0, Fault::MethodNotAllowed(_)) {
            response
                .headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use axum::http::StatusCode;
    use rolodex_core::AuthFailure;
    use serde_json::{Value, json};

    async fn render(f: Fault) -> (StatusCode, Value) {
        let response = EapiError(f).into_response();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn faults_render_as_message_and_message_code() {
        assert_eq!(
            render(Fault::MethodNotAllowed("GET".into())).await,
            (
                StatusCode::METHOD_NOT_ALLOWED,
                json!({"MESSAGE": "Request method must be POST.", "MESSAGE_CODE": "METHOD_NOT_ALLOWED"})
            )
        );
        for (failure, text) in [
            (AuthFailure::Missing, "Auth Token was not provided."),
            (AuthFailure::Malformed, "Auth Token is malformed."),
            (AuthFailure::Expired, "Auth Token is expired."),
            (AuthFailure::Unknown, "Auth Token login failure."),
        ] {
            let (status, body) = render(Fault::Unauthenticated(failure)).await;
            assert_eq!(
                (status, body["MESSAGE"].as_str()),
                (StatusCode::UNAUTHORIZED, Some(text))
            );
        }
        let (status, body) = render(Fault::InvalidJson(
            "'SLX_ID' is not accepted by this call.".into(),
        ))
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"MESSAGE": "Request JSON is invalid. 'SLX_ID' is not accepted by this call.", "MESSAGE_CODE": "INVALID_JSON"})
        );
        assert_eq!(
            render(Fault::failed("VALIDATION", "COUNTRY: 'USA' is not valid."))
                .await
                .0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
