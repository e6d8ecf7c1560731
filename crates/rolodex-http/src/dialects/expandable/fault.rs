//! What can go wrong in an Expandable call, before either generation renders it in its own
//! envelope (`{Message, MessageCode}` in the classic API, `{MESSAGE, MESSAGE_CODE}` in the
//! newer one).
//!
//! Both pages list the same statuses (seed 000 "Response Information", seed 001 "Failure
//! Response"): 400 "Request JSON is invalid.", 401 for the token, 405 (newer API) and 500
//! "(Message)" for everything else. So every core failure that is not about the token is a
//! 500 whose message says what to do, and whose `MessageCode` is one of the stable codes of
//! [`Fault::code`]. Validation errors name Expandable fields, translated back through the
//! field table.

use super::customer_fields::CustomerField;
use super::fields::Field;
use axum::http::StatusCode;
use rolodex_core::{AuthFailure, CoreError};
use rolodex_domain::ValidationErrors;

/// An Expandable failure, whatever the generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 400: the body is not a JSON object of strings with members this call accepts; the
    /// detail says what is wrong.
    InvalidJson(String),
    /// 401: the token is missing, malformed, expired or not (or no longer) valid.
    Unauthenticated(AuthFailure),
    /// 405: a method other than POST.
    MethodNotAllowed(String),
    /// 500 with a message the client can act on.
    Failed { code: &'static str, message: String },
}

impl Fault {
    pub fn failed(code: &'static str, message: impl Into<String>) -> Self {
        Fault::Failed {
            code,
            message: message.into(),
        }
    }

    /// A required member that is missing or empty.
    pub fn required(name: &str) -> Self {
        Fault::failed("REQUIRED", format!("{name} is required."))
    }

    /// The failure of a login (`api/Security/Login`, `/api/auth-token-get`). Neither page
    /// lists a 401 for its login, so a refused login is a 500 "Login failed." that does not
    /// say whether the user exists.
    pub fn login(e: CoreError) -> Self {
        match e {
            CoreError::Unauthenticated(_) => Fault::failed("LOGIN_FAILED", "Login failed."),
            CoreError::Forbidden { .. } => Fault::failed(
                "LOGIN_FAILED",
                "Login failed: the user may not use this data source.",
            ),
            other => other.into(),
        }
    }

    /// The failure of a call about a customer: validation errors name the Customer record's
    /// fields, and a taken code is a duplicate `CUSTOMER_ID`.
    pub fn of_customer(e: CoreError) -> Self {
        match e {
            CoreError::Invalid(errors) => invalid(&errors, |path| {
                CustomerField::of_canonical(path).map(CustomerField::name)
            }),
            CoreError::Conflict {
                code: "duplicate_customer_code",
                message,
            } => Fault::failed("DUPLICATE", sentence(&format!("CUSTOMER_ID: {message}"))),
            other => other.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Fault::InvalidJson(_) => StatusCode::BAD_REQUEST,
            Fault::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Fault::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Fault::Failed { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `MessageCode` / `MESSAGE_CODE`: stable, upper-case.
    pub fn code(&self) -> &'static str {
        match self {
            Fault::InvalidJson(_) => "INVALID_JSON",
            Fault::Unauthenticated(AuthFailure::Missing) => "AUTH_TOKEN_MISSING",
            Fault::Unauthenticated(AuthFailure::Malformed) => "AUTH_TOKEN_MALFORMED",
            Fault::Unauthenticated(AuthFailure::Expired) => "AUTH_TOKEN_EXPIRED",
            Fault::Unauthenticated(_) => "AUTH_TOKEN_LOGIN_FAILURE",
            Fault::MethodNotAllowed(_) => "METHOD_NOT_ALLOWED",
            Fault::Failed { code, .. } => code,
        }
    }

    /// The message of a 401 after the name the generation gives its token ("AuthToken",
    /// "Auth Token"): the pages' texts.
    pub fn token_text(failure: AuthFailure) -> &'static str {
        match failure {
            AuthFailure::Missing => "was not provided.",
            AuthFailure::Malformed => "is malformed.",
            AuthFailure::Expired => "is expired.",
            AuthFailure::Unknown
            | AuthFailure::Revoked
            | AuthFailure::Disabled
            | AuthFailure::BadCredentials
            | AuthFailure::TenantRequired => "login failure.",
        }
    }
}

/// The failure of rules a write broke, each named by the Expandable field `name` gives for
/// its canonical path, or by the path itself when this API has no field for it (a rule about
/// a field only another surface writes).
fn invalid(errors: &ValidationErrors, name: impl Fn(&str) -> Option<&'static str>) -> Fault {
    let parts: Vec<String> = errors
        .0
        .iter()
        .map(|e| {
            let field = name(&e.field).unwrap_or(&e.field);
            format!("{field}: {}", e.message)
        })
        .collect();
    Fault::failed("VALIDATION", sentence(&parts.join("; ")))
}

fn sentence(text: &str) -> String {
    let mut s = text.to_owned();
    if let Some(first) = s.get(..1) {
        let upper = first.to_uppercase();
        s.replace_range(..1, &upper);
    }
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

impl From<CoreError> for Fault {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::NotFound { entity } => {
                let code = match entity {
                    "customer" => "CUSTOMER_NOT_FOUND",
                    "contact" => "CONTACT_NOT_FOUND",
                    _ => "NOT_FOUND",
                };
                Fault::failed(code, sentence(&format!("{entity} not found")))
            }
            CoreError::Invalid(errors) => {
                invalid(&errors, |path| Field::of_canonical(path).map(Field::name))
            }
            CoreError::Conflict { code, message } => {
                let field = match code {
                    "duplicate_contact_code" => Some(Field::CustContact),
                    "duplicate_external_id" => Some(Field::SlxId),
                    _ => None,
                };
                match field {
                    Some(f) => {
                        Fault::failed("DUPLICATE", sentence(&format!("{}: {message}", f.name())))
                    }
                    None => Fault::failed("CONFLICT", sentence(&message)),
                }
            }
            CoreError::PreconditionFailed => Fault::failed(
                "CONFLICT",
                "The record changed while it was being written; retry.",
            ),
            CoreError::Unauthenticated(failure) => Fault::Unauthenticated(failure),
            CoreError::Forbidden { message } => Fault::failed("FORBIDDEN", sentence(&message)),
            CoreError::Throttled { retry_after_secs } => Fault::failed(
                "TOO_MANY_ATTEMPTS",
                format!("Too many failed logins; retry in {retry_after_secs} seconds."),
            ),
            CoreError::Busy { message, .. } => Fault::failed("BUSY", sentence(&message)),
            CoreError::Internal(source) => {
                tracing::error!(error = ?source, "internal error");
                Fault::failed("INTERNAL", "An internal error occurred; retry later.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::ValidationError;

    #[test]
    fn validation_errors_name_the_expandable_fields() {
        let e = CoreError::Invalid(ValidationErrors(vec![
            ValidationError::new("country", "invalid_country", "'Narnia' is not a country"),
            ValidationError::new("emails[1]", "invalid_email", "is not a valid email address"),
            ValidationError::new("custom_fields.SOFCT_USER_3", "too_long", "must be shorter"),
        ]));
        let f = Fault::from(e);
        assert_eq!(f.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(f.code(), "VALIDATION");
        assert_eq!(
            f,
            Fault::failed(
                "VALIDATION",
                "COUNTRY: 'Narnia' is not a country; \
                 E_MAIL_2: is not a valid email address; SOFCT_USER_3: must be shorter."
            )
        );
    }

    #[test]
    fn a_customers_failures_name_the_customer_records_fields() {
        let e = CoreError::Invalid(ValidationErrors(vec![
            ValidationError::new("code", "too_long", "must be at most 64 characters long"),
            ValidationError::new(
                "address_lines[1]",
                "control_character",
                "must not contain control characters",
            ),
        ]));
        assert_eq!(
            Fault::of_customer(e),
            Fault::failed(
                "VALIDATION",
                "CUSTOMER_ID: must be at most 64 characters long; \
                 ADDRESS_2: must not contain control characters."
            )
        );
        let taken = Fault::of_customer(CoreError::Conflict {
            code: "duplicate_customer_code",
            message: "another customer already has this code".into(),
        });
        assert_eq!(
            taken,
            Fault::failed(
                "DUPLICATE",
                "CUSTOMER_ID: another customer already has this code."
            )
        );
    }

    #[test]
    fn token_failures_are_401_with_the_pages_texts() {
        for (failure, code, text) in [
            (
                AuthFailure::Missing,
                "AUTH_TOKEN_MISSING",
                "was not provided.",
            ),
            (
                AuthFailure::Malformed,
                "AUTH_TOKEN_MALFORMED",
                "is malformed.",
            ),
            (AuthFailure::Expired, "AUTH_TOKEN_EXPIRED", "is expired."),
            (
                AuthFailure::Revoked,
                "AUTH_TOKEN_LOGIN_FAILURE",
                "login failure.",
            ),
            (
                AuthFailure::Unknown,
                "AUTH_TOKEN_LOGIN_FAILURE",
                "login failure.",
            ),
            (
                AuthFailure::Disabled,
                "AUTH_TOKEN_LOGIN_FAILURE",
                "login failure.",
            ),
        ] {
            let f = Fault::from(CoreError::Unauthenticated(failure));
            assert_eq!(f.status(), StatusCode::UNAUTHORIZED);
            assert_eq!((f.code(), Fault::token_text(failure)), (code, text));
        }
    }

    #[test]
    fn everything_else_is_a_500_with_a_stable_code() {
        let cases = [
            (
                CoreError::NotFound { entity: "customer" },
                "CUSTOMER_NOT_FOUND",
            ),
            (
                CoreError::NotFound { entity: "contact" },
                "CONTACT_NOT_FOUND",
            ),
            (
                CoreError::forbidden("this needs the dispatcher role"),
                "FORBIDDEN",
            ),
            (
                CoreError::Conflict {
                    code: "duplicate_contact_code",
                    message: "another contact of this customer already has this code".into(),
                },
                "DUPLICATE",
            ),
            (
                CoreError::Throttled {
                    retry_after_secs: 9,
                },
                "TOO_MANY_ATTEMPTS",
            ),
            (CoreError::Internal("disk on fire".into()), "INTERNAL"),
        ];
        for (e, code) in cases {
            let f = Fault::from(e);
            assert_eq!(
                (f.status(), f.code()),
                (StatusCode::INTERNAL_SERVER_ERROR, code)
            );
        }
        let Fault::Failed { message, .. } = Fault::from(CoreError::Conflict {
            code: "duplicate_external_id",
            message: "another contact already has this external id".into(),
        }) else {
            panic!("a 500");
        };
        assert_eq!(
            message,
            "SLX_ID: another contact already has this external id."
        );
    }

    #[test]
    fn a_refused_login_does_not_say_why() {
        for e in [
            CoreError::Unauthenticated(AuthFailure::BadCredentials),
            CoreError::Unauthenticated(AuthFailure::Disabled),
        ] {
            assert_eq!(
                Fault::login(e),
                Fault::failed("LOGIN_FAILED", "Login failed.")
            );
        }
        assert_eq!(
            Fault::login(CoreError::Throttled {
                retry_after_secs: 5
            })
            .code(),
            "TOO_MANY_ATTEMPTS"
        );
    }
}
