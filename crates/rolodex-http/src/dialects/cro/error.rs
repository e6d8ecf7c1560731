//! The one error body of every CRO failure (the pages do not show theirs):
//! `{"status", "error", "message", "field"?, "request_id"}`. `error` is a stable snake_case
//! code, `field` names the CRO member or header at fault, `request_id` is the response's
//! `X-REQUEST-ID`. The body is rendered by [`super::headers`], which knows the request id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rolodex_core::CoreError;
use serde_json::{Value, json};

/// A failed CRO call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CroError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl CroError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A 400 about one member or header.
    pub fn bad(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message).on(field)
    }

    /// The same error, naming `field`.
    #[must_use]
    pub fn on(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// A method other than the path's `Allow`.
    pub fn method_not_allowed(method: &str, allow: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{method} is not allowed here; allowed: {allow}."),
        )
    }

    /// The body, with the request's id.
    pub fn body(&self, request_id: &str) -> Value {
        let mut body = json!({
            "status": self.status.as_u16(),
            "error": self.code,
            "message": self.message,
            "request_id": request_id,
        });
        if let Some(field) = &self.field {
            body["field"] = field.as_str().into();
        }
        body
    }
}

/// The CRO member a domain field path stands for.
fn member_of(field: &str) -> &str {
    if field == "full_name" {
        "name"
    } else if field.starts_with("emails") {
        "email"
    } else if field == "phones.business" {
        "number"
    } else if field == "phones.fax" {
        "fax"
    } else if let Some(flag) = field.strip_prefix("notifications.on_") {
        match flag {
            "new" => "notify_on_new_request",
            "acknowledged" => "notify_on_acknowledged_request",
            "dispatched" => "notify_on_dispatched_request",
            "completed" => "notify_on_completed_request",
            _ => "notify_on_failed_request",
        }
    } else {
        field
    }
}

impl From<CoreError> for CroError {
    fn from(e: CoreError) -> Self {
        let code = e.code();
        match e {
            CoreError::NotFound { entity } => Self::new(
                StatusCode::NOT_FOUND,
                code,
                format!("The {entity} was not found."),
            ),
            CoreError::Invalid(errors) => match errors.0.into_iter().next() {
                Some(first) => {
                    let member = member_of(&first.field).to_owned();
                    Self::new(
                        StatusCode::BAD_REQUEST,
                        first.code,
                        format!("{member}: {}", first.message),
                    )
                    .on(&member)
                }
                None => Self::new(StatusCode::BAD_REQUEST, code, "Invalid input."),
            },
            CoreError::Conflict { message, .. } => Self::new(StatusCode::CONFLICT, code, message),
            CoreError::PreconditionFailed => Self::new(StatusCode::CONFLICT, code, e.to_string()),
            CoreError::Unauthenticated(failure) => {
                Self::new(StatusCode::UNAUTHORIZED, code, failure.message()).on("Authorization")
            }
            CoreError::Forbidden { message } => Self::new(StatusCode::FORBIDDEN, code, message),
            CoreError::Throttled { .. } => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, code, e.to_string())
            }
            CoreError::Busy { message, .. } => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
            }
            CoreError::Internal(source) => {
                tracing::error!(error = %source, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    code,
                    "Something went wrong on our side.",
                )
            }
        }
    }
}

impl IntoResponse for CroError {
    /// The status, and the error for [`super::headers`] to render with the request id.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_core::AuthFailure;
    use rolodex_domain::ValidationErrors;

    #[test]
    fn errors_render_one_body() {
        let e = CroError::bad("fax", "invalid_length", "fax must be 7 to 15 characters.");
        assert_eq!(
            e.body("r-1"),
            json!({"status": 400, "error": "invalid_length", "message": "fax must be 7 to 15 characters.", "field": "fax", "request_id": "r-1"})
        );
        let e = CroError::from(CoreError::NotFound { entity: "contact" });
        assert_eq!(
            e.body("r-2"),
            json!({"status": 404, "error": "contact_not_found", "message": "The contact was not found.", "request_id": "r-2"})
        );
    }

    #[test]
    fn core_errors_name_cro_members() {
        let e = CroError::from(CoreError::Invalid(ValidationErrors::single(
            "emails[1]",
            "invalid_email",
            "is not an email address",
        )));
        assert_eq!(
            (e.status, e.code, e.field.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_email", Some("email"))
        );
        assert_eq!(member_of("full_name"), "name");
        assert_eq!(member_of("phones.business"), "number");
        assert_eq!(
            member_of("notifications.on_failed"),
            "notify_on_failed_request"
        );
        let e = CroError::from(CoreError::Unauthenticated(AuthFailure::Missing));
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        let e = CroError::from(CoreError::forbidden("no"));
        assert_eq!((e.status, e.code), (StatusCode::FORBIDDEN, "forbidden"));
    }
}
