//! Neutral list queries that surfaces build and stores compile: filters, sort order and
//! cursor pagination. Cursors are opaque to clients and checked here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rolodex_domain::{CustomerId, ValidationError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Page sizes: the default, and the most a client may ask for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;

/// Where a keyset page starts: after the row with this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort key of the last row of the previous page (text, or an integer as text).
    pub key: String,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(raw: &str) -> Result<Self, ValidationError> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| {
                ValidationError::new(
                    "cursor",
                    "invalid_cursor",
                    "is not a cursor this API issued",
                )
            })
    }
}

/// A page request: how many, and after which row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_PAGE_SIZE,
            after: None,
        }
    }
}

impl PageRequest {
    /// Checks a client's `limit` and `cursor`.
    pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, ValidationError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(ValidationError::new(
                "limit",
                "out_of_range",
                format!("must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        let after = cursor.map(Cursor::decode).transpose()?;
        Ok(Self { limit, after })
    }
}

/// One page of results; `next` is where the following page starts, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// Sort orders of contact lists. Each sorts by its key, then by id, so pages never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactSort {
    #[default]
    Id,
    LastName,
    CreatedAt,
    UpdatedAt,
}

impl ContactSort {
    /// Parses `name` or `-name` (descending).
    pub fn parse(raw: &str) -> Result<(Self, bool), ValidationError> {
        let (desc, name) = raw.strip_prefix('-').map_or((false, raw), |n| (true, n));
        let sort = match name {
            "id" => ContactSort::Id,
            "last_name" => ContactSort::LastName,
            "created_at" => ContactSort::CreatedAt,
            "updated_at" => ContactSort::UpdatedAt,
            _ => {
                return Err(ValidationError::new(
                    "sort",
                    "invalid_sort",
                    "must be one of id, last_name, created_at, updated_at, optionally prefixed with '-'",
                ));
            }
        };
        Ok((sort, desc))
    }
}

/// A contact search within one tenant. All filters are ANDed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactQuery {
    /// Only this customer's contacts.
    pub customer_id: Option<CustomerId>,
    /// Free text: each word is a prefix of a name, code, email or phone term
    /// (see `rolodex_domain::search`).
    pub text: Option<String>,
    /// Exact email address, case-insensitive.
    pub email: Option<String>,
    /// Exact phone number, compared by its digits.
    pub phone: Option<String>,
    pub external_id: Option<String>,
    /// Updated at or after this instant.
    pub updated_since: Option<OffsetDateTime>,
    pub sort: ContactSort,
    pub descending: bool,
    pub page: PageRequest,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor {
            key: "Doe".into(),
            id: 7,
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert_eq!(Cursor::decode("nope!").unwrap_err().code, "invalid_cursor");
    }

    #[test]
    fn page_size_is_bounded() {
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(MAX_PAGE_SIZE + 1), None).is_err());
        assert_eq!(
            PageRequest::parse(None, None).unwrap().limit,
            DEFAULT_PAGE_SIZE
        );
    }

    #[test]
    fn sort_parses_direction() {
        assert_eq!(
            ContactSort::parse("-updated_at").unwrap(),
            (ContactSort::UpdatedAt, true)
        );
        assert!(ContactSort::parse("email").is_err());
    }
}
