//! Users, their memberships of tenants and the roles those memberships grant.

use crate::ids::{TenantId, UserId};
use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

/// What a member may do in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read only.
    Viewer,
    /// Read and write customers and contacts.
    Dispatcher,
    /// Everything, including users and API keys of the tenant.
    Admin,
}

impl Role {
    pub fn can_write(self) -> bool {
        self >= Role::Dispatcher
    }

    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Dispatcher => "dispatcher",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "dispatcher" => Ok(Role::Dispatcher),
            "admin" => Ok(Role::Admin),
            _ => Err(ValidationError::new(
                "role",
                "invalid_role",
                "must be one of admin, dispatcher, viewer",
            )),
        }
    }
}

/// A login name: 1 to 64 ASCII letters, digits and `.-_@`, compared case-insensitively
/// (stored lower-case). What a person types is first normalised (Unicode NFKC, so full-width
/// or compatibility forms become their ASCII letters); other letters are refused, so that no
/// two accounts can look alike (a Cyrillic `а` for a Latin `a`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let normalised: String = raw.nfkc().collect::<String>().to_ascii_lowercase();
        let ok = !normalised.is_empty()
            && normalised.len() <= 64
            && normalised
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'@'));
        if ok {
            Ok(Self(normalised))
        } else {
            Err(ValidationError::new(
                "username",
                "invalid_username",
                "must be 1 to 64 ASCII letters, digits, '.', '-', '_' or '@'",
            ))
        }
    }

    /// A username as stored: accepted by [`Username::parse`] when it was stored, possibly
    /// under the looser rule of an earlier version (any letters), and kept readable.
    pub fn stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Minimum and maximum password length, in characters.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Checks a new password's length; the hash is the core's business.
pub fn check_password(password: &str) -> Result<(), ValidationError> {
    let n = password.chars().count();
    if (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&n) {
        Ok(())
    } else {
        Err(ValidationError::new(
            "password",
            "invalid_password",
            format!("must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters long"),
        ))
    }
}

/// A user account (without its password hash, which never leaves the auth code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A user's role in one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub user: User,
    pub tenant_id: TenantId,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(!Role::Viewer.can_write());
        assert!(Role::Dispatcher.can_write());
        assert!(!Role::Dispatcher.can_administer());
        assert!(Role::Admin.can_administer());
        assert_eq!("Dispatcher".parse::<Role>().unwrap(), Role::Dispatcher);
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn usernames_are_lower_cased() {
        assert_eq!(Username::parse("Alice").unwrap().as_str(), "alice");
        assert!(Username::parse("a b").is_err());
    }

    #[test]
    fn usernames_are_normalised_and_look_alikes_refused() {
        // Full-width letters are the ASCII ones.
        assert_eq!(Username::parse("ＡＬＩＣＥ").unwrap().as_str(), "alice");
        // A Cyrillic `а`, a Greek omicron, accents and invisible characters are refused.
        for raw in [
            "\u{0430}lice",
            "b\u{03bf}b",
            "jos\u{e9}",
            "al\u{200b}ice",
            "",
            "x".repeat(65).as_str(),
        ] {
            assert!(Username::parse(raw).is_err(), "{raw:?}");
        }
        assert_eq!(
            Username::parse("j.doe-2_x@acme.com").unwrap().as_str(),
            "j.doe-2_x@acme.com"
        );
    }

    #[test]
    fn passwords_have_a_minimum_length() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough").is_ok());
    }
}
