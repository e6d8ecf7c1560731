//! Row <-> domain mapping for PostgreSQL: the only place where a domain value becomes a column
//! value (timestamptz in whole milliseconds, booleans, jsonb for lists and maps) and back.

pub use crate::columns::{
    CONTACT_COLUMNS, CONTACT_FIELD_COLUMNS, CUSTOMER_COLUMNS, HISTORY_COLUMNS, RESPONSE_COLUMNS,
    RowError, TENANT_COLUMNS, TOKEN_COLUMNS, USER_COLUMNS, Value as ColumnValue, millis,
};
use rolodex_core::ports::{StoredResponse, TokenKind, TokenRecord, UserCredentials};
use rolodex_domain::{
    Change, Contact, ContactFields, ContactId, Customer, CustomerFields, CustomerId, FieldChange,
    HistoryEntry, Membership, Notifications, Role, Surface, Tenant, TenantCode, TenantId, User,
    UserId, Username,
};
use serde::Deserialize;
use serde_json::Value;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::{Decode, Postgres, Row, Type};
use time::OffsetDateTime;

fn get<'r, T>(row: &'r PgRow, column: &'static str) -> Result<T, RowError>
where
    T: Decode<'r, Postgres> + Type<Postgres>,
{
    row.try_get(column)
        .map_err(|source| RowError::Decode { column, source })
}

fn json<T: for<'de> Deserialize<'de>>(row: &PgRow, column: &'static str) -> Result<T, RowError> {
    let value: Value = get::<Json<Value>>(row, column)?.0;
    serde_json::from_value(value).map_err(|source| RowError::Json { column, source })
}

fn opt_json<T: for<'de> Deserialize<'de>>(
    row: &PgRow,
    column: &'static str,
) -> Result<Option<T>, RowError> {
    get::<Option<Json<Value>>>(row, column)?
        .map(|j| serde_json::from_value(j.0).map_err(|source| RowError::Json { column, source }))
        .transpose()
}

/// A time as stored: whole milliseconds, as on SQLite.
pub fn at(t: OffsetDateTime) -> OffsetDateTime {
    time_of(millis(t)).unwrap_or(t)
}

/// The time `ms` unix milliseconds, in UTC.
pub fn time_of(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

fn time(row: &PgRow, column: &'static str) -> Result<OffsetDateTime, RowError> {
    Ok(at(get(row, column)?))
}

fn opt_time(row: &PgRow, column: &'static str) -> Result<Option<OffsetDateTime>, RowError> {
    Ok(get::<Option<OffsetDateTime>>(row, column)?.map(at))
}

fn opt_user(row: &PgRow, column: &'static str) -> Result<Option<UserId>, RowError> {
    Ok(get::<Option<i64>>(row, column)?.map(UserId))
}

/// An integer column, such as an id a statement returns.
pub fn int(row: &PgRow, column: &'static str) -> Result<i64, RowError> {
    get(row, column)
}

pub fn tenant(row: &PgRow) -> Result<Tenant, RowError> {
    let code: String = get(row, "code")?;
    Ok(Tenant {
        id: TenantId(get(row, "id")?),
        code: TenantCode::parse(&code).map_err(|_| RowError::BadValue { column: "code" })?,
        name: get(row, "name")?,
        created_at: time(row, "created_at")?,
    })
}

pub fn role(row: &PgRow) -> Result<Role, RowError> {
    let role: String = get(row, "role")?;
    role.parse()
        .map_err(|_| RowError::BadValue { column: "role" })
}

pub fn user(row: &PgRow) -> Result<User, RowError> {
    let username: String = get(row, "username")?;
    Ok(User {
        id: UserId(get(row, "user_id")?),
        username: Username::stored(username),
        display_name: get(row, "display_name")?,
        active: get(row, "active")?,
        created_at: time(row, "user_created_at")?,
    })
}

/// A user row with [`USER_COLUMNS`] and `password_hash`.
pub fn credentials(row: &PgRow) -> Result<UserCredentials, RowError> {
    Ok(UserCredentials {
        user: user(row)?,
        password_hash: get(row, "password_hash")?,
    })
}

/// A membership row: [`USER_COLUMNS`] plus `memberships.tenant_id` and `memberships.role`.
pub fn membership(row: &PgRow) -> Result<Membership, RowError> {
    Ok(Membership {
        user: user(row)?,
        tenant_id: TenantId(get(row, "tenant_id")?),
        role: role(row)?,
    })
}

pub fn token(row: &PgRow) -> Result<TokenRecord, RowError> {
    let kind: String = get(row, "kind")?;
    let kind = [TokenKind::Session, TokenKind::ApiKey]
        .into_iter()
        .find(|k| k.as_str() == kind)
        .ok_or(RowError::BadValue { column: "kind" })?;
    Ok(TokenRecord {
        id: get(row, "id")?,
        kind,
        secret_hash: get(row, "secret_hash")?,
        user_id: UserId(get(row, "user_id")?),
        tenant_id: get::<Option<i64>>(row, "tenant_id")?.map(TenantId),
        name: get(row, "name")?,
        created_at: time(row, "created_at")?,
        expires_at: opt_time(row, "expires_at")?,
        revoked_at: opt_time(row, "revoked_at")?,
    })
}

/// The `failures` count and `earliest` time of login failures.
pub fn failures(row: &PgRow) -> Result<(u32, Option<OffsetDateTime>), RowError> {
    let count: i64 = get(row, "failures")?;
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    Ok((count, opt_time(row, "earliest")?))
}

pub fn customer(row: &PgRow) -> Result<Customer, RowError> {
    Ok(Customer {
        id: CustomerId(get(row, "id")?),
        tenant_id: TenantId(get(row, "tenant_id")?),
        fields: CustomerFields {
            code: get(row, "code")?,
            name: get(row, "name")?,
            website: get(row, "website")?,
            address: get(row, "address")?,
            city: get(row, "city")?,
            state: get(row, "state")?,
            postal_code: get(row, "postal_code")?,
            country: get(row, "country")?,
            custom_fields: json(row, "custom_fields")?,
        },
        created_at: time(row, "created_at")?,
        created_by: opt_user(row, "created_by")?,
        updated_at: time(row, "updated_at")?,
        updated_by: opt_user(row, "updated_by")?,
        version: get(row, "version")?,
    })
}

/// Binds one column value: JSON as jsonb.
pub fn bind_value(
    query: Query<'_, Postgres, PgArguments>,
    value: ColumnValue,
) -> Query<'_, Postgres, PgArguments> {
    match value {
        ColumnValue::Text(v) => query.bind(v),
        ColumnValue::Int(v) => query.bind(v),
        ColumnValue::Bool(v) => query.bind(v),
        ColumnValue::Json(v) => query.bind(v),
    }
}

pub fn contact(row: &PgRow) -> Result<Contact, RowError> {
    let phone_seq: i64 = get(row, "phone_seq")?;
    let fields = ContactFields {
        code: get(row, "code")?,
        external_id: get(row, "external_id")?,
        status: get(row, "status")?,
        salutation: get(row, "salutation")?,
        first_name: get(row, "first_name")?,
        initial: get(row, "initial")?,
        last_name: get(row, "last_name")?,
        full_name: get(row, "full_name")?,
        title: get(row, "title")?,
        mail_stop: get(row, "mail_stop")?,
        address_1: get(row, "address_1")?,
        address_2: get(row, "address_2")?,
        address_3: get(row, "address_3")?,
        city: get(row, "city")?,
        state: get(row, "state")?,
        postal_code: get(row, "postal_code")?,
        country: get(row, "country")?,
        phones: json(row, "phones")?,
        emails: json(row, "emails")?,
        web_address: get(row, "web_address")?,
        notes: get(row, "notes")?,
        attachments: json(row, "attachments")?,
        is_primary: get(row, "is_primary")?,
        is_decision_maker: get(row, "is_decision_maker")?,
        owner_id: opt_user(row, "owner_id")?,
        notifications: Notifications {
            on_new: get(row, "notify_on_new")?,
            on_acknowledged: get(row, "notify_on_acknowledged")?,
            on_dispatched: get(row, "notify_on_dispatched")?,
            on_completed: get(row, "notify_on_completed")?,
            on_failed: get(row, "notify_on_failed")?,
        },
        custom_fields: json(row, "custom_fields")?,
        photo: opt_json(row, "photo")?,
        phone_seq: u32::try_from(phone_seq).map_err(|_| RowError::BadValue {
            column: "phone_seq",
        })?,
    };
    Ok(Contact {
        id: ContactId(get(row, "id")?),
        tenant_id: TenantId(get(row, "tenant_id")?),
        customer_id: CustomerId(get(row, "customer_id")?),
        fields,
        created_at: time(row, "created_at")?,
        created_by: opt_user(row, "created_by")?,
        updated_at: time(row, "updated_at")?,
        updated_by: opt_user(row, "updated_by")?,
        version: get(row, "version")?,
    })
}

/// A field change as stored in `history.changes`.
#[derive(Deserialize)]
struct StoredChange {
    field: String,
    old: Value,
    new: Value,
}

pub fn history_entry(row: &PgRow) -> Result<HistoryEntry, RowError> {
    let change: String = get(row, "change")?;
    let surface: String = get(row, "surface")?;
    let changes: Vec<StoredChange> = json(row, "changes")?;
    Ok(HistoryEntry {
        id: get(row, "id")?,
        tenant_id: TenantId(get(row, "tenant_id")?),
        entity: get(row, "entity")?,
        entity_id: get(row, "entity_id")?,
        version: get(row, "version")?,
        change: Change::parse(&change).ok_or(RowError::BadValue { column: "change" })?,
        at: time(row, "at")?,
        user_id: opt_user(row, "user_id")?,
        username: get(row, "username")?,
        surface: Surface::parse(&surface).ok_or(RowError::BadValue { column: "surface" })?,
        changes: changes
            .into_iter()
            .map(|c| FieldChange {
                field: c.field,
                old: c.old,
                new: c.new,
            })
            .collect(),
    })
}

/// A stored idempotency key: the request's fingerprint, and its response once completed.
pub struct IdempotencyClaim {
    pub fingerprint: String,
    pub response: Option<StoredResponse>,
}

/// A row with `fingerprint`, `completed` and [`RESPONSE_COLUMNS`].
pub fn idempotency_claim(row: &PgRow) -> Result<IdempotencyClaim, RowError> {
    let completed: bool = get(row, "completed")?;
    let response = if completed {
        let status: Option<i32> = get(row, "status")?;
        Some(StoredResponse {
            status: status
                .and_then(|s| u16::try_from(s).ok())
                .ok_or(RowError::BadValue { column: "status" })?,
            content_type: get::<Option<String>>(row, "content_type")?.unwrap_or_default(),
            body: get::<Option<Vec<u8>>>(row, "body")?.unwrap_or_default(),
            etag: get(row, "etag")?,
            location: get(row, "location")?,
        })
    } else {
        None
    };
    Ok(IdempotencyClaim {
        fingerprint: get(row, "fingerprint")?,
        response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_are_whole_milliseconds() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789)
            .expect("valid time");
        assert_eq!(millis(at(t)), 1_700_000_000_123);
        assert_eq!(at(t).nanosecond() % 1_000_000, 0);
        assert_eq!(
            time_of(1_700_000_000_123).map(millis),
            Some(1_700_000_000_123)
        );
    }
}
