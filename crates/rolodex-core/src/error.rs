//! The errors of the use cases, with stable machine-readable codes. Surfaces render them in
//! their own envelopes; they never need to look inside a store's error.

use rolodex_domain::{PhotoRejection, ValidationError, ValidationErrors};
use std::error::Error as StdError;

pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Why a request's credentials were not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No token at all.
    Missing,
    /// Not of the token's shape (see [`crate::auth::parse_bearer`]).
    Malformed,
    /// A token that was valid once and has expired.
    Expired,
    /// A token or key that was revoked (logout, key deleted).
    Revoked,
    /// A well-formed token that was never issued.
    Unknown,
    /// Wrong username or password.
    BadCredentials,
    /// The user's account is disabled.
    Disabled,
    /// The username and password fit accounts in several tenants (usernames are unique
    /// within a tenant only): the login must name the tenant.
    TenantRequired,
}

impl AuthFailure {
    pub fn code(self) -> &'static str {
        match self {
            AuthFailure::Missing => "token_missing",
            AuthFailure::Malformed => "token_malformed",
            AuthFailure::Expired => "token_expired",
            AuthFailure::Revoked => "token_revoked",
            AuthFailure::Unknown => "token_unknown",
            AuthFailure::BadCredentials => "bad_credentials",
            AuthFailure::Disabled => "account_disabled",
            AuthFailure::TenantRequired => "tenant_required",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            AuthFailure::Missing => "no access token was provided",
            AuthFailure::Malformed => "the access token is malformed",
            AuthFailure::Expired => "the access token has expired",
            AuthFailure::Revoked => "the access token has been revoked",
            AuthFailure::Unknown => "the access token is not known",
            AuthFailure::BadCredentials => "wrong username or password",
            AuthFailure::Disabled => "the account is disabled",
            AuthFailure::TenantRequired => {
                "accounts in several tenants have this username and password: name the tenant"
            }
        }
    }
}

/// A stable error code, as surfaces expose it.
pub type ErrorCode = &'static str;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Nothing of that kind with that id in the caller's tenant (another tenant's ids too).
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// A uniqueness rule or a dependent record prevents the write.
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    /// The client's expected version is not the stored one.
    #[error("the resource has changed since the version the request expected")]
    PreconditionFailed,
    #[error("{}", .0.message())]
    Unauthenticated(AuthFailure),
    #[error("{message}")]
    Forbidden { message: String },
    /// Too many failed attempts; try again after this many seconds.
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// The server runs as much of this work as it takes at once; try again after this many
    /// seconds.
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_secs: u64,
    },
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl CoreError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        CoreError::Forbidden {
            message: message.into(),
        }
    }

    /// A stable code for every error.
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::NotFound { entity } => match *entity {
                "customer" => "customer_not_found",
                "contact" => "contact_not_found",
                "user" => "user_not_found",
                "tenant" => "tenant_not_found",
                "api key" => "api_key_not_found",
                "oauth client" => "oauth_client_not_found",
                "photo" => "photo_not_found",
                "history entry" => "history_entry_not_found",
                "import job" => "import_job_not_found",
                _ => "not_found",
            },
            CoreError::Invalid(_) => "validation_failed",
            CoreError::Conflict { code, .. } => code,
            CoreError::PreconditionFailed => "version_mismatch",
            CoreError::Unauthenticated(f) => f.code(),
            CoreError::Forbidden { .. } => "forbidden",
            CoreError::Throttled { .. } => "too_many_attempts",
            CoreError::Busy { .. } => "busy",
            CoreError::Internal(_) => "internal",
        }
    }
}

impl CoreError {
    /// A refused photo upload: a validation error of the field `photo`.
    pub fn from_rejection(r: PhotoRejection) -> Self {
        CoreError::Invalid(ValidationError::from(r).into())
    }
}

impl From<ValidationErrors> for CoreError {
    fn from(e: ValidationErrors) -> Self {
        CoreError::Invalid(e)
    }
}

impl From<ValidationError> for CoreError {
    fn from(e: ValidationError) -> Self {
        CoreError::Invalid(e.into())
    }
}
