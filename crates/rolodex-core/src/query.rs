//! Neutral list queries that surfaces build and stores compile: filters, sort order and
//! cursor pagination. Cursors are opaque to clients and checked here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rolodex_domain::{Country, CustomerId, PhoneType, ValidationError, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Page sizes: the default, and the most a client may ask for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;
/// The most contacts one offset window may hold (see `ContactService::window`).
pub const MAX_WINDOW_SIZE: u32 = 1000;

/// Where a keyset page starts: after the row with this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort key of the last row of the previous page (text, or an integer as text).
    pub key: String,
    pub id: i64,
    /// The list and order the cursor belongs to, stamped by the use case that issued it, so
    /// that a cursor is never applied to another list or order. Stores leave it empty.
    #[serde(default)]
    pub scope: String,
}

impl Cursor {
    /// A cursor after the row with `key` and `id`, as a store issues it (unscoped).
    pub fn new(key: String, id: i64) -> Self {
        Self {
            key,
            id,
            scope: String::new(),
        }
    }

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
    /// Checks that the cursor, if any, was issued for `scope`.
    pub fn check_scope(&self, scope: &str) -> Result<(), ValidationError> {
        match &self.after {
            Some(c) if c.scope != scope => Err(ValidationError::new(
                "cursor",
                "invalid_cursor",
                "belongs to another list or sort order",
            )),
            _ => Ok(()),
        }
    }

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

/// Which end of a record's history a listing starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistoryOrder {
    /// Oldest first: the API's history lists.
    #[default]
    OldestFirst,
    /// Newest first: the history pages, which show the latest changes and page back.
    NewestFirst,
}

impl HistoryOrder {
    /// Parses a client's `sort` of a history: `id` (oldest first) or `-id` (newest first).
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "id" => Ok(Self::OldestFirst),
            "-id" => Ok(Self::NewestFirst),
            _ => Err(ValidationError::new(
                "sort",
                "invalid_sort",
                "must be id (oldest first) or -id (newest first)",
            )),
        }
    }

    /// The cursor scope of a listing of `entity`'s history in this order, so that a cursor of
    /// one order is never applied to the other.
    pub fn scope(self, entity: &str) -> String {
        match self {
            Self::OldestFirst => format!("history:{entity}"),
            Self::NewestFirst => format!("history:{entity}:newest"),
        }
    }
}

/// One page of results; `next` is where the following page starts, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Stamps the next-page cursor with the list and order it belongs to.
    #[must_use]
    pub fn scoped(mut self, scope: &str) -> Self {
        if let Some(next) = &mut self.next {
            next.scope = scope.to_owned();
        }
        self
    }

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

/// Most values all the field criteria of one query may compare with.
pub const MAX_FILTER_VALUES: usize = 1_000;

impl ContactQuery {
    /// Checks the field criteria: instants are RFC 3339 and are not matched with `LIKE`;
    /// custom field names are well formed; all the criteria together compare with at most
    /// [`MAX_FILTER_VALUES`] values (each is a bound parameter of the query, and databases
    /// cap those).
    pub fn check_filters(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let values: usize = self
            .filters
            .iter()
            .map(|f| match &f.condition {
                Condition::In(vs) | Condition::NotIn(vs) => vs.len(),
                _ => 1,
            })
            .sum();
        if values > MAX_FILTER_VALUES {
            errors.push(ValidationError::new(
                "filters",
                "too_many_values",
                format!("the criteria compare with {values} values; at most {MAX_FILTER_VALUES}"),
            ));
            return errors.into_result(());
        }
        for (i, filter) in self.filters.iter().enumerate() {
            let field = format!("filters[{i}]");
            match &filter.field {
                FilterField::CreatedAt | FilterField::UpdatedAt => {
                    let values: Vec<&String> = match &filter.condition {
                        Condition::Like(_) => {
                            errors.push(ValidationError::new(
                                &field,
                                "invalid_condition",
                                "instants cannot be matched with LIKE",
                            ));
                            continue;
                        }
                        Condition::In(vs) | Condition::NotIn(vs) => vs.iter().collect(),
                        Condition::Equals(v)
                        | Condition::NotEquals(v)
                        | Condition::Less(v)
                        | Condition::LessOrEqual(v)
                        | Condition::Greater(v)
                        | Condition::GreaterOrEqual(v) => vec![v],
                    };
                    if values
                        .iter()
                        .any(|v| OffsetDateTime::parse(v, &Rfc3339).is_err())
                    {
                        errors.push(ValidationError::new(
                            &field,
                            "invalid_instant",
                            "instants are RFC 3339 date-times",
                        ));
                    }
                }
                FilterField::CustomField(name) => {
                    let ok = !name.is_empty()
                        && name.chars().count() <= 64
                        && name
                            .chars()
                            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
                    if !ok {
                        errors.push(ValidationError::new(
                            &field,
                            "invalid_name",
                            "is not a custom field name",
                        ));
                    }
                }
                _ => {}
            }
        }
        errors.into_result(())
    }

    /// The query with every country a criterion compares for (in)equality or lists written
    /// as the code the model keeps (ISO 3166-1 alpha-2), so that a client may name countries
    /// as it writes them (`USA`, `United States`; see `rolodex_domain::country`). A value
    /// that names no country is kept as sent: it matches no stored country. `LIKE` and
    /// ordering compare with the stored code as they are.
    pub fn normalised(&self) -> Cow<'_, Self> {
        let names_a_country = |f: &FieldFilter| f.field == FilterField::Country;
        if !self.filters.iter().any(names_a_country) {
            return Cow::Borrowed(self);
        }
        let code = |v: &mut String| {
            if let Some(c) = Country::parse(v) {
                c.alpha2().clone_into(v);
            }
        };
        let mut query = self.clone();
        for filter in query.filters.iter_mut().filter(|f| names_a_country(f)) {
            match &mut filter.condition {
                Condition::Equals(v) | Condition::NotEquals(v) => code(v),
                Condition::In(vs) | Condition::NotIn(vs) => vs.iter_mut().for_each(code),
                _ => {}
            }
        }
        Cow::Owned(query)
    }

    /// The scope of this query's cursors: its sort order.
    pub fn cursor_scope(&self) -> String {
        let direction = if self.descending { "desc" } else { "asc" };
        format!("contacts:{:?}:{direction}", self.sort)
    }
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

/// A contact field a query can compare (query-by-example criteria and the like).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterField {
    Code,
    ExternalId,
    Status,
    Salutation,
    FirstName,
    Initial,
    LastName,
    FullName,
    Title,
    MailStop,
    Address1,
    Address2,
    Address3,
    City,
    State,
    PostalCode,
    Country,
    WebAddress,
    /// The email at a position (0 is the main one).
    EmailAt(usize),
    /// The first phone of a type.
    Phone(PhoneType),
    /// A custom field by name.
    CustomField(String),
    /// The code of the contact's customer.
    CustomerCode,
    /// The username of whoever created / last updated the contact.
    CreatedBy,
    UpdatedBy,
    /// Instants, compared with RFC 3339 values.
    CreatedAt,
    UpdatedAt,
}

/// How a field is compared. Text compares ignoring ASCII case; a field without a value
/// compares as the empty string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    /// SQL `LIKE`: `%` any run of characters, `_` any one character.
    Like(String),
    Less(String),
    LessOrEqual(String),
    Greater(String),
    GreaterOrEqual(String),
}

/// One criterion of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFilter {
    pub field: FilterField,
    pub condition: Condition,
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
    /// Field criteria, all of which must hold.
    pub filters: Vec<FieldFilter>,
    pub sort: ContactSort,
    pub descending: bool,
    pub page: PageRequest,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_compare_with_at_most_a_thousand_values_in_all() {
        let query = |n: usize| ContactQuery {
            filters: vec![
                FieldFilter {
                    field: FilterField::LastName,
                    condition: Condition::Equals("Doe".into()),
                },
                FieldFilter {
                    field: FilterField::FirstName,
                    condition: Condition::In((0..n).map(|i| i.to_string()).collect()),
                },
            ],
            ..ContactQuery::default()
        };
        assert!(query(MAX_FILTER_VALUES - 1).check_filters().is_ok());
        let refused = query(MAX_FILTER_VALUES).check_filters().unwrap_err();
        assert_eq!(refused.0[0].code, "too_many_values");
        assert!(query(40_000).check_filters().is_err());
    }

    #[test]
    fn countries_compared_for_equality_are_named_by_their_alpha_2_code() {
        let country = |condition| FieldFilter {
            field: FilterField::Country,
            condition,
        };
        let query = ContactQuery {
            filters: vec![
                country(Condition::Equals("USA".into())),
                country(Condition::NotIn(vec!["Canada".into(), "Narnia".into()])),
                country(Condition::Like("U%".into())),
                FieldFilter {
                    field: FilterField::State,
                    condition: Condition::Equals("Usa".into()),
                },
            ],
            ..ContactQuery::default()
        };
        assert_eq!(
            query.normalised().filters,
            [
                country(Condition::Equals("US".into())),
                country(Condition::NotIn(vec!["CA".into(), "Narnia".into()])),
                country(Condition::Like("U%".into())),
                FieldFilter {
                    field: FilterField::State,
                    condition: Condition::Equals("Usa".into()),
                },
            ]
        );
        let without = ContactQuery::default();
        assert!(matches!(without.normalised(), Cow::Borrowed(_)));
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor {
            key: "Doe".into(),
            id: 7,
            scope: "contacts:Id:asc".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert_eq!(Cursor::decode("nope!").unwrap_err().code, "invalid_cursor");
    }

    #[test]
    fn a_cursor_only_fits_the_list_that_issued_it() {
        let page = Page {
            items: vec![1],
            next: Some(Cursor {
                key: "1".into(),
                id: 1,
                scope: String::new(),
            }),
        }
        .scoped("customers");
        let raw = page.next.map(|c| c.encode()).unwrap_or_default();
        let request = PageRequest::parse(None, Some(&raw)).unwrap();
        assert!(request.check_scope("customers").is_ok());
        assert_eq!(
            request.check_scope("history:contact").unwrap_err().code,
            "invalid_cursor"
        );
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
