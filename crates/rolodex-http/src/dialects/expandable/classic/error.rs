//! The classic API's error envelope: the status and `{"Message", "MessageCode"}` (seed 000
//! "Response Information": "Body contains JSON object with Message and MessageCode").
//!
//! Messages are the page's texts: 400 "Request JSON is invalid." followed by what is wrong,
//! 401 "AuthToken was not provided." / "is malformed." / "is expired." / "login failure.",
//! and for a 500 the message of the failure. A method other than POST gets ASP.NET Web API's
//! own 405 text (the classic API is an ASP.NET Web API: its help pages are that framework's
//! `/Help/Api/...` pages, siblings 1) and `Allow: POST`.

use crate::dialects::expandable::fault::Fault;
use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rolodex_core::CoreError;
use serde::Serialize;

/// A failed classic call.
#[derive(Debug)]
pub struct ClassicError(pub Fault);

impl From<Fault> for ClassicError {
    fn from(f: Fault) -> Self {
        Self(f)
    }
}

impl From<CoreError> for ClassicError {
    fn from(e: CoreError) -> Self {
        Self(e.into())
    }
}

#[derive(Serialize)]
struct Body {
    #[serde(rename = "Message")]
    message: String,
    #[serde(rename = "MessageCode")]
    message_code: &'static str,
}

impl ClassicError {
    fn message(&self) -> String {
        match &self.0 {
            Fault::InvalidJson(detail) => format!("Request JSON is invalid. {detail}"),
            Fault::Unauthenticated(f) => format!("AuthToken {}", Fault::token_text(*f)),
            Fault::MethodNotAllowed(method) => {
                format!("The requested resource does not support http method '{method}'.")
            }
            Fault::Failed { message, .. } => message.clone(),
        }
    }
}

impl IntoResponse for ClassicError {
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
        let response = ClassicError(f).into_response();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn faults_render_as_message_and_message_code() {
        assert_eq!(
            render(Fault::InvalidJson("It must be a JSON object.".into())).await,
            (
                StatusCode::BAD_REQUEST,
                json!({"Message": "Request JSON is invalid. It must be a JSON object.", "MessageCode": "INVALID_JSON"})
            )
        );
        for (failure, text) in [
            (AuthFailure::Missing, "AuthToken was not provided."),
            (AuthFailure::Malformed, "AuthToken is malformed."),
            (AuthFailure::Expired, "AuthToken is expired."),
            (AuthFailure::Revoked, "AuthToken login failure."),
        ] {
            let (status, body) = render(Fault::Unauthenticated(failure)).await;
            assert_eq!(
                (status, body["Message"].as_str()),
                (StatusCode::UNAUTHORIZED, Some(text))
            );
        }
        assert_eq!(
            render(Fault::failed(
                "CONTACT_NOT_FOUND",
                "Customer Contact 'X' was not found."
            ))
            .await,
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"Message": "Customer Contact 'X' was not found.", "MessageCode": "CONTACT_NOT_FOUND"})
            )
        );
        let (status, body) = render(Fault::MethodNotAllowed("GET".into())).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            body["Message"],
            "The requested resource does not support http method 'GET'."
        );
    }
}
