//! What both backends store alike: the column lists of each table (so that the order of bound
//! values and of columns cannot drift apart), the stored time precision, the last-name sort
//! key, the cursor of a contact list, and the error of a row that does not map back onto the
//! model.

use crate::sql::{Param, json};
use rolodex_core::ports::RepoError;
use rolodex_core::query::{ContactSort, Cursor};
use rolodex_domain::{Contact, ContactFields, Phone, PhotoRef};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A stored value that does not map back onto the model.
#[derive(Debug, thiserror::Error)]
pub enum RowError {
    #[error("column '{column}' could not be read")]
    Decode {
        column: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("column '{column}' is null")]
    Null { column: &'static str },
    #[error("the statement returned no row")]
    Missing,
    #[error("a stored value of {table}.{column} cannot be read as expected")]
    Cell {
        table: &'static str,
        column: &'static str,
    },
    #[error("column '{column}' holds a value out of range or of an unknown kind")]
    BadValue { column: &'static str },
    #[error("column '{column}' holds JSON of the wrong shape")]
    Json {
        column: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl From<RowError> for RepoError {
    fn from(e: RowError) -> Self {
        RepoError::Other(Box::new(e))
    }
}

/// A time as stored: whole unix milliseconds (sub-millisecond precision is dropped; core's
/// clock never produces any).
pub fn millis(t: OffsetDateTime) -> i64 {
    let ms = t.unix_timestamp_nanos().div_euclid(1_000_000);
    i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX })
}

pub const TENANT_COLUMNS: &str = "tenants.id, tenants.code, tenants.name, tenants.created_at";

/// The user columns, prefixed so that they can be joined with other tables.
pub const USER_COLUMNS: &str = "users.id AS user_id, users.username, users.display_name, users.active, \
                                users.created_at AS user_created_at";

pub const TOKEN_COLUMNS: &str =
    "id, kind, secret_hash, user_id, tenant_id, name, created_at, expires_at, revoked_at";

pub const OAUTH_CLIENT_COLUMNS: &str =
    "id, tenant_id, name, client_id, secret_hash, redirect_uris, created_at, revoked_at";

pub const OAUTH_CODE_COLUMNS: &str = "id, tenant_id, client_id, user_id, redirect_uri, \
    code_challenge, code_challenge_method, scope, created_at, expires_at, used_at, revoked_at";

pub const REFRESH_TOKEN_COLUMNS: &str = "id, tenant_id, client_id, code_id, user_id, token_hash, \
    access_token_id, scope, created_at, expires_at, rotated_at, revoked_at";

pub const CUSTOMER_COLUMNS: &str = "id, tenant_id, code, name, website, address, city, state, \
    postal_code, country, custom_fields, created_at, created_by, updated_at, updated_by, version";

/// The writable columns of a contact, in the order each backend's `ContactColumns::bind`
/// binds them.
pub const CONTACT_FIELD_COLUMNS: &[&str] = &[
    "code",
    "external_id",
    "status",
    "salutation",
    "first_name",
    "initial",
    "last_name",
    "full_name",
    "title",
    "mail_stop",
    "address_1",
    "address_2",
    "address_3",
    "city",
    "state",
    "postal_code",
    "country",
    "phones",
    "emails",
    "web_address",
    "notes",
    "attachments",
    "is_primary",
    "is_decision_maker",
    "owner_id",
    "notify_on_new",
    "notify_on_acknowledged",
    "notify_on_dispatched",
    "notify_on_completed",
    "notify_on_failed",
    "custom_fields",
    "phone_seq",
    "last_name_key",
    "photo",
];

/// One column of [`CONTACT_FIELD_COLUMNS`], borrowed from a contact's fields: two contacts'
/// columns compare without building their values.
#[derive(PartialEq)]
enum Column<'a> {
    Text(&'a Option<String>),
    /// The sort key derived from the last name.
    NameKey(&'a Option<String>),
    Bool(bool),
    Int(Option<i64>),
    Phones(&'a [Phone]),
    /// A list of texts, stored as JSON in the named column.
    Texts(&'a [String], &'static str),
    Custom(&'a BTreeMap<String, String>),
    Photo(Option<&'a PhotoRef>),
}

impl Column<'_> {
    fn value(&self) -> Result<Param, RowError> {
        Ok(match *self {
            Column::Text(v) => Param::Text(v.clone()),
            Column::NameKey(v) => Param::Text(Some(last_name_key(v.as_deref()))),
            Column::Bool(v) => Param::from(v),
            Column::Int(v) => Param::Int(v),
            Column::Phones(v) => json(v, "phones")?,
            Column::Texts(v, column) => json(v, column)?,
            Column::Custom(v) => json(v, "custom_fields")?,
            Column::Photo(Some(photo)) => json(photo, "photo")?,
            Column::Photo(None) => Param::Json(None),
        })
    }
}

/// The columns of [`CONTACT_FIELD_COLUMNS`] for `f`, in that order.
fn columns(f: &ContactFields) -> [Column<'_>; CONTACT_FIELD_COLUMNS.len()] {
    let n = &f.notifications;
    [
        Column::Text(&f.code),
        Column::Text(&f.external_id),
        Column::Text(&f.status),
        Column::Text(&f.salutation),
        Column::Text(&f.first_name),
        Column::Text(&f.initial),
        Column::Text(&f.last_name),
        Column::Text(&f.full_name),
        Column::Text(&f.title),
        Column::Text(&f.mail_stop),
        Column::Text(&f.address_1),
        Column::Text(&f.address_2),
        Column::Text(&f.address_3),
        Column::Text(&f.city),
        Column::Text(&f.state),
        Column::Text(&f.postal_code),
        Column::Text(&f.country),
        Column::Phones(&f.phones),
        Column::Texts(&f.emails, "emails"),
        Column::Text(&f.web_address),
        Column::Text(&f.notes),
        Column::Texts(&f.attachments, "attachments"),
        Column::Bool(f.is_primary),
        Column::Bool(f.is_decision_maker),
        Column::Int(f.owner_id.map(|u| u.0)),
        Column::Bool(n.on_new),
        Column::Bool(n.on_acknowledged),
        Column::Bool(n.on_dispatched),
        Column::Bool(n.on_completed),
        Column::Bool(n.on_failed),
        Column::Custom(&f.custom_fields),
        Column::Int(Some(i64::from(f.phone_seq))),
        Column::NameKey(&f.last_name),
        Column::Photo(f.photo.as_ref()),
    ]
}

/// The values of [`CONTACT_FIELD_COLUMNS`] for `f`, in that order.
pub fn contact_values(f: &ContactFields) -> Result<Vec<Param>, RowError> {
    columns(f).iter().map(Column::value).collect()
}

/// What an update of a contact from `before` to `after` writes: the columns of
/// [`CONTACT_FIELD_COLUMNS`] whose values differ, with their new values. Only those columns
/// (and so only their indexes) are written; the others' values are never built.
pub fn changed_values(
    before: &ContactFields,
    after: &ContactFields,
) -> Result<Vec<(&'static str, Param)>, RowError> {
    CONTACT_FIELD_COLUMNS
        .iter()
        .zip(columns(before).iter().zip(columns(after).iter()))
        .filter(|(_, (old, new))| old != new)
        .map(|(column, (_, new))| Ok((*column, new.value()?)))
        .collect()
}

/// Every column of a contact row.
pub const CONTACT_COLUMNS: &str = "id, tenant_id, customer_id, code, external_id, status, salutation, first_name, \
    initial, last_name, full_name, title, mail_stop, address_1, address_2, address_3, city, state, postal_code, \
    country, phones, emails, web_address, notes, attachments, is_primary, is_decision_maker, owner_id, \
    notify_on_new, notify_on_acknowledged, notify_on_dispatched, notify_on_completed, notify_on_failed, \
    custom_fields, phone_seq, last_name_key, photo, created_at, created_by, updated_at, updated_by, version";

/// The sort key of the last-name order: the last name lower-cased, empty when there is none.
pub fn last_name_key(last_name: Option<&str>) -> String {
    last_name.unwrap_or_default().to_lowercase()
}

/// The cursor that resumes a contact list after `contact` in `sort` order: the key is the id,
/// the last-name key, or the time in milliseconds, as text.
pub fn contact_cursor(contact: &Contact, sort: ContactSort) -> Cursor {
    let key = match sort {
        ContactSort::Id => contact.id.0.to_string(),
        ContactSort::LastName => last_name_key(contact.fields.last_name.as_deref()),
        ContactSort::CreatedAt => millis(contact.created_at).to_string(),
        ContactSort::UpdatedAt => millis(contact.updated_at).to_string(),
    };
    Cursor::new(key, contact.id.0)
}

pub const HISTORY_COLUMNS: &str =
    "id, tenant_id, entity, entity_id, version, change, at, user_id, username, surface, changes";

pub const RESPONSE_COLUMNS: &str = "status, content_type, body, etag, location";

/// An import job's columns, its report apart.
pub const IMPORT_JOB_COLUMNS: &str = "id, user_id, username, format, dry_run, status, rows_total, \
     rows_done, rows_created, rows_updated, rows_unchanged, rows_refused, error_code, \
     error_message, started_at, progress_at, finished_at";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_columns_are_listed_once_each() {
        let all: Vec<&str> = CONTACT_COLUMNS.split(", ").collect();
        for column in CONTACT_FIELD_COLUMNS {
            assert_eq!(all.iter().filter(|c| *c == column).count(), 1, "{column}");
        }
        assert_eq!(all.len(), CONTACT_FIELD_COLUMNS.len() + 8);
    }

    #[test]
    fn an_update_writes_only_the_columns_whose_value_changed() {
        let before = ContactFields {
            first_name: Some("Ann".into()),
            last_name: Some("Lee".into()),
            ..ContactFields::default()
        };
        let after = ContactFields {
            last_name: Some("Walker".into()),
            is_primary: true,
            ..before.clone()
        };
        let columns: Vec<&str> = changed_values(&before, &after)
            .expect("values")
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(columns, ["last_name", "is_primary", "last_name_key"]);
        assert!(changed_values(&after, &after).expect("values").is_empty());
    }

    #[test]
    fn a_changed_list_or_map_is_written_as_the_insert_writes_it() {
        let before = ContactFields {
            emails: vec!["ann@example.com".into()],
            ..ContactFields::default()
        };
        let mut after = before.clone();
        after.emails.push("ann@example.org".into());
        after.custom_fields.insert("tier".into(), "gold".into());
        let changed = changed_values(&before, &after).expect("values");
        let all = contact_values(&after).expect("values");
        let at = |column: &str| {
            CONTACT_FIELD_COLUMNS
                .iter()
                .position(|c| *c == column)
                .expect("a column")
        };
        assert_eq!(changed.len(), 2);
        for (column, value) in changed {
            assert_eq!(value, all[at(column)], "{column}");
        }
    }
}
