//! RPM's error envelope, `{"Result": {"Error": {"Message": "<sentence>"}}}`, and the sentences
//! of the core's failures.
//!
//! The error is an object with a `Message`, as RPM writes its daily-limit error
//! (`{"Result":{"Error":{"Message":"API daily limit reached"}}}`), rather than the bare sentence
//! the reference pages print, because RPM's own Node.js library
//! (<https://github.com/rpmsoftware/integration-common>, `lib/api-wrappers.js` and the sentences
//! of `lib/api-errors.js`) throws `Error.Message` and compares it with sentences such as "Customer
//! not found": given a bare string it has no message to throw, and its "get or create a customer"
//! helper fails. A client that reads `Result.Error` as text still detects every error, since the
//! member is present and truthy only on failure (`if (result.Error)` holds for the object as for a
//! non-empty string); only its text is one level down, in `Result.Error.Message` (in JavaScript
//! the object itself reads as `[object Object]`). A client that requires a string there cannot
//! have both: RPM's library is the client this form serves.
//!
//! Every refusal the calls' pages list is answered with HTTP 200, as RPM does (its clients
//! read `Result.Error`, not the status; RPM's library takes any other status for a network
//! failure); only failures that are not a refusal of the call's input use another status: 404
//! an unknown call, 405 a method other than POST, 413 a body over the limit, 500 an internal
//! error.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rolodex_core::CoreError;
use serde_json::json;

/// The sentence of a missing key.
pub const KEY_REQUIRED: &str = "Valid key required";
/// The sentence of a key that is not one (two spaces after the first period, as RPM writes it).
pub const KEY_NOT_FOUND: &str =
    "Key not found.  A valid \"Key\" must appear as the first input data item.";

/// A failed RPM call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmError {
    pub status: StatusCode,
    pub sentence: String,
}

impl RpmError {
    /// A refusal of the call's input: HTTP 200 with the sentence.
    pub fn refused(sentence: impl Into<String>) -> Self {
        Self {
            status: StatusCode::OK,
            sentence: sentence.into(),
        }
    }

    /// A required member that was not sent, in the words of RPM's pages (e.g.
    /// <https://support.rpmsoftware.com/support/solutions/articles/12000100142-api-customerlocationadd>).
    pub fn missing(member: &str) -> Self {
        Self::refused(format!(
            "Call requires parameter: \"{member}\" which was not found"
        ))
    }

    pub fn with_status(status: StatusCode, sentence: impl Into<String>) -> Self {
        Self {
            status,
            sentence: sentence.into(),
        }
    }
}

impl IntoResponse for RpmError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"Result": {"Error": {"Message": self.sentence}}})),
        )
            .into_response()
    }
}

/// RPM's name for a domain field path, for the sentence of a broken rule.
fn member_of(field: &str) -> String {
    let (head, rest) = field.split_once('.').unwrap_or((field, ""));
    let member = match head.split('[').next().unwrap_or(head) {
        "first_name" => "FirstName",
        "last_name" => "LastName",
        "salutation" => "Salutation",
        "title" => "Title",
        "emails" => "Email",
        "phones" => "PhoneNumbers",
        "name" => "Name",
        "code" => "Name",
        "website" => "Website",
        "address" => "Address",
        "city" => "City",
        "state" => "StateProvince",
        "postal_code" => "ZipPostalCode",
        "country" => "Country",
        "custom_fields" => return format!("Field \"{rest}\""),
        other => other,
    };
    member.to_owned()
}

/// A sentence starting with a capital letter and ending with no period, as RPM's do.
fn sentence(member: &str, message: &str) -> String {
    format!("{member} {message}")
}

impl From<CoreError> for RpmError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::NotFound { entity: "contact" } => Self::refused("Contact not found"),
            CoreError::NotFound { .. } => Self::refused("Customer not found"),
            CoreError::Invalid(errors) => Self::refused(
                errors
                    .0
                    .iter()
                    .map(|e| sentence(&member_of(&e.field), &e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            CoreError::Conflict { message, .. } => Self::refused(capitalised(&message)),
            CoreError::PreconditionFailed => Self::refused(
                "The record was changed by another user while this call ran; send it again",
            ),
            CoreError::Unauthenticated(_) => Self::refused(KEY_NOT_FOUND),
            CoreError::Forbidden { .. } => Self::refused("Permission denied"),
            CoreError::Throttled { .. } => Self::refused(capitalised(&e.to_string())),
            CoreError::Busy { message, .. } => {
                Self::with_status(StatusCode::SERVICE_UNAVAILABLE, capitalised(&message))
            }
            CoreError::Internal(source) => {
                tracing::error!(error = %source, "internal error");
                Self::with_status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "An internal error occurred; nothing was changed",
                )
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::{ValidationError, ValidationErrors};

    #[test]
    fn broken_rules_are_sentences_naming_rpm_members() {
        let e = RpmError::from(CoreError::Invalid(ValidationErrors(vec![
            ValidationError::new("emails[0]", "invalid_email", "is not a valid email address"),
            ValidationError::new("custom_fields.a b", "invalid_name", "is not a name"),
        ])));
        assert_eq!(e.status, StatusCode::OK);
        assert_eq!(
            e.sentence,
            "Email is not a valid email address; Field \"a b\" is not a name"
        );
    }

    #[test]
    fn missing_records_use_the_pages_sentences() {
        assert_eq!(
            RpmError::from(CoreError::NotFound { entity: "customer" }).sentence,
            "Customer not found"
        );
        assert_eq!(
            RpmError::from(CoreError::NotFound { entity: "contact" }).sentence,
            "Contact not found"
        );
    }
}
