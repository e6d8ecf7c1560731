//! RFC 9457 problem details: the error shape of the native API, with a stable `code` and
//! per-field `errors` for validation failures. Internal errors are logged once, here, with
//! their whole source chain, and answered with a generic body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rolodex_core::{AuthFailure, CoreError};
use rolodex_domain::ValidationError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem as sent to a client (boxed: errors travel through every handler's `Result`).
#[derive(Debug, Clone)]
pub struct Problem(Box<ProblemBody>);

/// RFC 9457 problem details, as documented in the OpenAPI document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
    code: String,
    /// For validation failures: each field and the rule it breaks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    errors: Vec<FieldProblem>,
    #[serde(skip)]
    #[schema(ignore)]
    retry_after: Option<u64>,
    #[serde(skip)]
    #[schema(ignore)]
    challenge: bool,
}

/// One field's broken rule.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self(Box::new(ProblemBody {
            kind: format!("urn:rolodex:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            errors: Vec::new(),
            retry_after: None,
            challenge: false,
        }))
    }

    #[must_use]
    pub fn with_errors(mut self, errors: Vec<FieldProblem>) -> Self {
        self.0.errors = errors;
        self
    }

    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// The problem in one line: its detail, and each field's broken rule.
    pub fn describe(&self) -> String {
        let mut out = self.0.detail.clone();
        for e in &self.0.errors {
            out.push_str(&format!("; {}: {}", e.field, e.message));
        }
        out
    }
}

impl From<ValidationError> for FieldProblem {
    fn from(e: ValidationError) -> Self {
        Self {
            field: e.field,
            code: e.code.to_owned(),
            message: e.message,
        }
    }
}

impl From<CoreError> for Problem {
    fn from(e: CoreError) -> Self {
        let code = e.code();
        match e {
            CoreError::NotFound { entity } => {
                Problem::new(StatusCode::NOT_FOUND, code, format!("{entity} not found"))
            }
            CoreError::Invalid(errors) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                "the request has invalid fields; see errors",
            )
            .with_errors(errors.0.into_iter().map(FieldProblem::from).collect()),
            CoreError::Conflict { message, .. } => {
                Problem::new(StatusCode::CONFLICT, code, message)
            }
            CoreError::PreconditionFailed => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                code,
                "the resource has changed since you read it: read it again (new ETag) and retry",
            ),
            CoreError::Unauthenticated(failure) => {
                let mut p = Problem::new(StatusCode::UNAUTHORIZED, code, failure.message());
                p.0.challenge = failure != AuthFailure::BadCredentials;
                p
            }
            CoreError::Forbidden { message } => Problem::new(StatusCode::FORBIDDEN, code, message),
            CoreError::Throttled { retry_after_secs } => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    code,
                    format!("too many failed attempts; retry in {retry_after_secs} seconds"),
                );
                p.0.retry_after = Some(retry_after_secs);
                p
            }
            CoreError::Busy {
                message,
                retry_after_secs,
            } => {
                let mut p = Problem::new(StatusCode::SERVICE_UNAVAILABLE, code, message);
                p.0.retry_after = Some(retry_after_secs);
                p
            }
            CoreError::Internal(source) => {
                tracing::error!(error = ?source, "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    code,
                    "something went wrong on our side",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = *self.0;
        let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = body.retry_after;
        let challenge = body.challenge.then(|| {
            format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                body.detail
            )
        });
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// The answer to a path no route serves.
pub async fn not_found_fallback() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "no_such_route",
        "no resource at this path",
    )
}
