//! Valomnia's error body, on every failure: `{"error": "<snake_code>", "error_description":
//! "<text>"}` (seed 003; siblings 4.8), with the page's codes and statuses. The descriptions
//! are the page's, without its template slip (a literal `"+operation+"`): they say "update"
//! or "create".

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rolodex_core::CoreError;
use rolodex_domain::PhotoRejection;
use serde_json::json;

use super::connector_map::customer_wire_name;
use super::map::wire_name;

/// What a call was doing when it failed, for the descriptions that name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Read,
    Delete,
    /// The connector API's save of a customer (a create or an update).
    SaveCustomer,
}

impl Operation {
    fn verb(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Read => "read",
            Operation::Delete => "delete",
            Operation::SaveCustomer => "save",
        }
    }

    /// What the call writes, as descriptions name it.
    fn subject(self) -> &'static str {
        match self {
            Operation::SaveCustomer => "customer",
            _ => "contact",
        }
    }

    /// The parameter that writes a model field of the call's subject.
    fn wire_name(self, field: &str) -> &str {
        match self {
            Operation::SaveCustomer => customer_wire_name(field),
            _ => wire_name(field),
        }
    }
}

/// A failed Valomnia call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValomniaError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
}

impl ValomniaError {
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
        }
    }

    /// `missing_param`: "customerId parameter is missing".
    pub fn missing(param: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "missing_param",
            format!("{param} parameter is missing"),
        )
    }

    /// `invalid_param_type`, naming the parameter.
    pub fn invalid_type(param: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_param_type",
            format!("The type of parameter {param} you provided is not valid for this request."),
        )
    }

    /// `not_found`: "The customer with the id 31888 doesn't exist."
    pub fn not_found(entity: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("The {entity} with the id {id} doesn't exist."),
        )
    }

    /// `save_failed`, with what failed after the page's sentence.
    pub fn save_failed(detail: &str) -> Self {
        let description = if detail.is_empty() {
            "Failed to save instance.".to_owned()
        } else {
            format!("Failed to save instance. {detail}")
        };
        Self::new(StatusCode::BAD_REQUEST, "save_failed", description)
    }

    /// `exceeded_file_size`.
    pub fn file_too_large() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "exceeded_file_size",
            "image size should not exceed 2Mo",
        )
    }

    /// A missing, expired or unknown session (the third-party clients' `no_credentials`).
    pub fn no_credentials(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "no_credentials", detail)
    }

    /// A core error, as the page renders it. `ids` names what the call was about, for
    /// `not_found`: the entity's id as the client gave it.
    pub fn core(e: CoreError, operation: Operation, ids: &Ids<'_>) -> Self {
        match e {
            CoreError::NotFound { entity } => {
                let id = match entity {
                    "customer" => ids.customer,
                    "contact" => ids.contact,
                    "user" => ids.user,
                    _ => None,
                };
                Self::not_found(entity, id.unwrap_or("?"))
            }
            CoreError::Invalid(errors) => {
                let Some(first) = errors.0.into_iter().next() else {
                    return Self::save_failed("");
                };
                let (verb, subject) = (operation.verb(), operation.subject());
                if first.field == "photo" {
                    return match PhotoRejection::from_code(first.code) {
                        Some(PhotoRejection::TooLarge) => Self::file_too_large(),
                        _ => Self::new(
                            StatusCode::BAD_REQUEST,
                            "unsupported_file_type",
                            "image format not supported.",
                        ),
                    };
                }
                match first.code {
                    "invalid_email" => Self::new(
                        StatusCode::BAD_REQUEST,
                        "email_validation_error",
                        format!("Failed to {verb} the {subject} : incorrect Email format"),
                    ),
                    "invalid_country" => Self::new(
                        StatusCode::BAD_REQUEST,
                        "country_error",
                        format!("Failed to {verb} the {subject} : incorrect country code"),
                    ),
                    _ => Self::save_failed(&format!(
                        "{}: {}",
                        operation.wire_name(&first.field),
                        first.message
                    )),
                }
            }
            CoreError::Conflict { message, .. } => Self::save_failed(&message),
            CoreError::PreconditionFailed => {
                Self::save_failed("The contact changed while it was being saved; retry.")
            }
            CoreError::Unauthenticated(failure) => Self::no_credentials(failure.message()),
            CoreError::Forbidden { message } => {
                Self::new(StatusCode::FORBIDDEN, "access_denied", message)
            }
            CoreError::Throttled { retry_after_secs } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("Too many failed logins; retry in {retry_after_secs} seconds."),
            ),
            CoreError::Busy { message, .. } => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message)
            }
            CoreError::Internal(source) => {
                tracing::error!(error = ?source, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "Oops! Something went wrong...",
                )
            }
        }
    }
}

/// The ids a call is about, as the client wrote them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ids<'a> {
    pub customer: Option<&'a str>,
    pub contact: Option<&'a str>,
    pub user: Option<&'a str>,
}

impl From<CoreError> for ValomniaError {
    /// A core error of a call that names no entity (authentication, say).
    fn from(e: CoreError) -> Self {
        Self::core(e, Operation::Read, &Ids::default())
    }
}

impl IntoResponse for ValomniaError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response()
    }
}

/// A failed call of the connector API (`/ContactConnector/...`, `/CustomerConnector/...`):
/// the same error, with the same status, as a JSON array of two strings, `["<code>: ",
/// "<description>"]`. Valomnia's MuleSoft connector reads a refused save's first line as an
/// array and reports its first two elements joined as the call's result, so the two read
/// as one message (`email_validation_error: Failed to create the contact : incorrect Email
/// format`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorError(pub ValomniaError);

impl From<ValomniaError> for ConnectorError {
    fn from(e: ValomniaError) -> Self {
        Self(e)
    }
}

impl From<CoreError> for ConnectorError {
    fn from(e: CoreError) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ConnectorError {
    fn into_response(self) -> Response {
        let ValomniaError {
            status,
            error,
            description,
        } = self.0;
        (status, Json(json!([format!("{error}: "), description]))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::{ValidationError, ValidationErrors};

    fn invalid(field: &str, code: &'static str) -> CoreError {
        CoreError::Invalid(ValidationErrors(vec![ValidationError::new(
            field, code, "bad",
        )]))
    }

    #[test]
    fn descriptions_name_the_operation_instead_of_the_template_slip() {
        let e = ValomniaError::core(
            invalid("emails[0]", "invalid_email"),
            Operation::Update,
            &Ids::default(),
        );
        assert_eq!(e.error, "email_validation_error");
        assert_eq!(
            e.description,
            "Failed to update the contact : incorrect Email format"
        );
        let e = ValomniaError::core(
            invalid("country", "invalid_country"),
            Operation::Create,
            &Ids::default(),
        );
        assert_eq!(e.error, "country_error");
        assert_eq!(
            e.description,
            "Failed to create the contact : incorrect country code"
        );
        assert!(!e.description.contains("+operation+"));
    }

    #[test]
    fn photo_rejections_are_the_pages_file_errors() {
        for (rejection, error) in [
            (PhotoRejection::TooLarge, "exceeded_file_size"),
            (PhotoRejection::UnsupportedFormat, "unsupported_file_type"),
            (PhotoRejection::TooManyPixels, "unsupported_file_type"),
            (PhotoRejection::Undecodable, "unsupported_file_type"),
        ] {
            let e = ValomniaError::core(
                CoreError::from_rejection(rejection),
                Operation::Update,
                &Ids::default(),
            );
            assert_eq!((e.status, e.error), (StatusCode::BAD_REQUEST, error));
        }
    }

    #[tokio::test]
    async fn connector_errors_are_two_strings_that_read_as_one_message() {
        let response = ConnectorError(ValomniaError::missing("lastName")).into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        assert_eq!(
            &body[..],
            br#"["missing_param: ","lastName parameter is missing"]"#
        );
    }

    #[test]
    fn customer_saves_name_the_customer_and_its_members() {
        let e = ValomniaError::core(
            invalid("country", "invalid_country"),
            Operation::SaveCustomer,
            &Ids::default(),
        );
        assert_eq!(
            e.description,
            "Failed to save the customer : incorrect country code"
        );
        let e = ValomniaError::core(
            invalid("code", "too_long"),
            Operation::SaveCustomer,
            &Ids::default(),
        );
        assert_eq!(e.description, "Failed to save instance. reference: bad");
    }

    #[test]
    fn not_found_names_the_id_the_client_gave() {
        let ids = Ids {
            customer: Some("31888"),
            ..Ids::default()
        };
        let e = ValomniaError::core(
            CoreError::NotFound { entity: "customer" },
            Operation::Update,
            &ids,
        );
        assert_eq!(e.status, StatusCode::NOT_FOUND);
        assert_eq!(
            e.description,
            "The customer with the id 31888 doesn't exist."
        );
    }
}
