//! Tenants: the businesses whose data Rolodex keeps apart.

use crate::ids::TenantId;
use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A tenant's short code (the Expandable dialect's `DATA_SOURCE`): 1 to 32 characters of
/// ASCII letters, digits, `-` and `_`, stored upper-case so that lookups ignore case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantCode(String);

impl TenantCode {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let ok = !raw.is_empty()
            && raw.len() <= 32
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Self(raw.to_ascii_uppercase()))
        } else {
            Err(ValidationError::new(
                "code",
                "invalid_tenant_code",
                "must be 1 to 32 letters, digits, '-' or '_'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    pub id: TenantId,
    pub code: TenantCode,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_cased_and_bounded() {
        assert_eq!(TenantCode::parse("demo").unwrap().as_str(), "DEMO");
        assert!(TenantCode::parse("").is_err());
        assert!(TenantCode::parse("has space").is_err());
        assert!(TenantCode::parse(&"x".repeat(33)).is_err());
    }
}
