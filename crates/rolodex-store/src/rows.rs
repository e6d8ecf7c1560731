//! Row -> domain mapping, once for both backends: the only place where a stored row becomes a
//! value of the model. Each backend's [`Row`] reads its own column types (unix milliseconds or
//! timestamptz, 0/1 or boolean, JSON text or jsonb) as what the model means.

pub use crate::columns::{
    CONTACT_COLUMNS, CONTACT_FIELD_COLUMNS, CUSTOMER_COLUMNS, HISTORY_COLUMNS, IMPORT_JOB_COLUMNS,
    OAUTH_CLIENT_COLUMNS, OAUTH_CODE_COLUMNS, REFRESH_TOKEN_COLUMNS, RESPONSE_COLUMNS, RowError,
    TENANT_COLUMNS, TOKEN_COLUMNS, USER_COLUMNS, contact_cursor, millis,
};
use crate::sql::Row;
use rolodex_core::ImportCounts;
use rolodex_core::ports::{
    AuthorizationCodeRecord, ChallengeMethod, CodeChallenge, ImportJobRecord, JobState,
    OAuthClientRecord, RefreshTokenRecord, StoredResponse, TokenKind, TokenRecord, UserCredentials,
};
use rolodex_domain::{
    Change, Contact, ContactFields, ContactId, Customer, CustomerFields, CustomerId, FieldChange,
    HistoryEntry, Membership, Notifications, Role, Surface, Tenant, TenantCode, TenantId, User,
    UserId, Username,
};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

fn required<T>(value: Option<T>, column: &'static str) -> Result<T, RowError> {
    value.ok_or(RowError::Null { column })
}

fn int(row: &dyn Row, column: &'static str) -> Result<i64, RowError> {
    required(row.int(column)?, column)
}

fn text(row: &dyn Row, column: &'static str) -> Result<String, RowError> {
    required(row.text(column)?, column)
}

fn boolean(row: &dyn Row, column: &'static str) -> Result<bool, RowError> {
    required(row.boolean(column)?, column)
}

fn time(row: &dyn Row, column: &'static str) -> Result<OffsetDateTime, RowError> {
    required(row.time(column)?, column)
}

fn json<T: for<'de> Deserialize<'de>>(row: &dyn Row, column: &'static str) -> Result<T, RowError> {
    required(row.json(column)?, column)?
        .parse()
        .map_err(|source| RowError::Json { column, source })
}

fn opt_json<T: for<'de> Deserialize<'de>>(
    row: &dyn Row,
    column: &'static str,
) -> Result<Option<T>, RowError> {
    row.json(column)?
        .map(|cell| {
            cell.parse()
                .map_err(|source| RowError::Json { column, source })
        })
        .transpose()
}

fn opt_user(row: &dyn Row, column: &'static str) -> Result<Option<UserId>, RowError> {
    Ok(row.int(column)?.map(UserId))
}

/// The time `ms` unix milliseconds, in UTC.
pub fn time_of(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// A time as stored: whole milliseconds.
pub fn at(t: OffsetDateTime) -> OffsetDateTime {
    time_of(millis(t)).unwrap_or(t)
}

/// The `id` a statement returns.
pub fn id(row: &dyn Row) -> Result<i64, RowError> {
    int(row, "id")
}

/// The count `n` an aggregate returns.
pub fn count(row: &dyn Row) -> Result<u64, RowError> {
    Ok(int(row, "n")?.unsigned_abs())
}

/// Any row: for queries asking whether one exists.
pub fn found(_: &dyn Row) -> Result<(), RowError> {
    Ok(())
}

pub fn tenant(row: &dyn Row) -> Result<Tenant, RowError> {
    let code = text(row, "code")?;
    Ok(Tenant {
        id: TenantId(int(row, "id")?),
        code: TenantCode::parse(&code).map_err(|_| RowError::BadValue { column: "code" })?,
        name: text(row, "name")?,
        created_at: time(row, "created_at")?,
    })
}

pub fn role(row: &dyn Row) -> Result<Role, RowError> {
    text(row, "role")?
        .parse()
        .map_err(|_| RowError::BadValue { column: "role" })
}

/// A tenant row with the `role` of a membership in it.
pub fn tenant_role(row: &dyn Row) -> Result<(Tenant, Role), RowError> {
    Ok((tenant(row)?, role(row)?))
}

pub fn user(row: &dyn Row) -> Result<User, RowError> {
    Ok(User {
        id: UserId(int(row, "user_id")?),
        username: Username::stored(text(row, "username")?),
        display_name: text(row, "display_name")?,
        active: boolean(row, "active")?,
        created_at: time(row, "user_created_at")?,
    })
}

/// A user row with [`USER_COLUMNS`] and `password_hash`.
pub fn credentials(row: &dyn Row) -> Result<UserCredentials, RowError> {
    Ok(UserCredentials {
        user: user(row)?,
        password_hash: text(row, "password_hash")?,
    })
}

/// A membership row: [`USER_COLUMNS`] plus `memberships.tenant_id` and `memberships.role`.
pub fn membership(row: &dyn Row) -> Result<Membership, RowError> {
    Ok(Membership {
        user: user(row)?,
        tenant_id: TenantId(int(row, "tenant_id")?),
        role: role(row)?,
    })
}

pub fn token(row: &dyn Row) -> Result<TokenRecord, RowError> {
    let kind = text(row, "kind")?;
    let kind = TokenKind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind)
        .ok_or(RowError::BadValue { column: "kind" })?;
    Ok(TokenRecord {
        id: int(row, "id")?,
        kind,
        secret_hash: text(row, "secret_hash")?,
        user_id: UserId(int(row, "user_id")?),
        tenant_id: row.int("tenant_id")?.map(TenantId),
        name: text(row, "name")?,
        created_at: time(row, "created_at")?,
        expires_at: row.time("expires_at")?,
        revoked_at: row.time("revoked_at")?,
    })
}

pub fn oauth_client(row: &dyn Row) -> Result<OAuthClientRecord, RowError> {
    Ok(OAuthClientRecord {
        id: int(row, "id")?,
        tenant_id: TenantId(int(row, "tenant_id")?),
        name: text(row, "name")?,
        client_id: text(row, "client_id")?,
        secret_hash: text(row, "secret_hash")?,
        redirect_uris: json(row, "redirect_uris")?,
        created_at: time(row, "created_at")?,
        revoked_at: row.time("revoked_at")?,
    })
}

pub fn authorization_code(row: &dyn Row) -> Result<AuthorizationCodeRecord, RowError> {
    let method = row
        .text("code_challenge_method")?
        .map(|m| {
            [ChallengeMethod::S256, ChallengeMethod::Plain]
                .into_iter()
                .find(|known| known.as_str() == m)
                .ok_or(RowError::BadValue {
                    column: "code_challenge_method",
                })
        })
        .transpose()?;
    let challenge = match (row.text("code_challenge")?, method) {
        (Some(challenge), Some(method)) => Some(CodeChallenge { challenge, method }),
        (None, None) => None,
        _ => {
            return Err(RowError::BadValue {
                column: "code_challenge",
            });
        }
    };
    Ok(AuthorizationCodeRecord {
        id: int(row, "id")?,
        tenant_id: TenantId(int(row, "tenant_id")?),
        client: int(row, "client_id")?,
        user_id: UserId(int(row, "user_id")?),
        redirect_uri: row.text("redirect_uri")?,
        challenge,
        scope: row.text("scope")?,
        created_at: time(row, "created_at")?,
        expires_at: time(row, "expires_at")?,
        used_at: row.time("used_at")?,
        revoked_at: row.time("revoked_at")?,
    })
}

pub fn refresh_token(row: &dyn Row) -> Result<RefreshTokenRecord, RowError> {
    Ok(RefreshTokenRecord {
        id: int(row, "id")?,
        tenant_id: TenantId(int(row, "tenant_id")?),
        client: int(row, "client_id")?,
        grant: int(row, "code_id")?,
        user_id: UserId(int(row, "user_id")?),
        token_hash: text(row, "token_hash")?,
        access_token_id: int(row, "access_token_id")?,
        scope: row.text("scope")?,
        created_at: time(row, "created_at")?,
        expires_at: time(row, "expires_at")?,
        rotated_at: row.time("rotated_at")?,
        revoked_at: row.time("revoked_at")?,
    })
}

/// The `failures` count and `earliest` time of login failures.
pub fn failures(row: &dyn Row) -> Result<(u32, Option<OffsetDateTime>), RowError> {
    let count = u32::try_from(int(row, "failures")?).unwrap_or(u32::MAX);
    Ok((count, row.time("earliest")?))
}

pub fn customer(row: &dyn Row) -> Result<Customer, RowError> {
    Ok(Customer {
        id: CustomerId(int(row, "id")?),
        tenant_id: TenantId(int(row, "tenant_id")?),
        fields: CustomerFields {
            code: text(row, "code")?,
            name: row.text("name")?,
            website: row.text("website")?,
            address: row.text("address")?,
            city: row.text("city")?,
            state: row.text("state")?,
            postal_code: row.text("postal_code")?,
            country: row.text("country")?,
            custom_fields: json(row, "custom_fields")?,
        },
        created_at: time(row, "created_at")?,
        created_by: opt_user(row, "created_by")?,
        updated_at: time(row, "updated_at")?,
        updated_by: opt_user(row, "updated_by")?,
        version: int(row, "version")?,
    })
}

pub fn contact(row: &dyn Row) -> Result<Contact, RowError> {
    let phone_seq = int(row, "phone_seq")?;
    let fields = ContactFields {
        code: row.text("code")?,
        external_id: row.text("external_id")?,
        status: row.text("status")?,
        salutation: row.text("salutation")?,
        first_name: row.text("first_name")?,
        initial: row.text("initial")?,
        last_name: row.text("last_name")?,
        full_name: row.text("full_name")?,
        title: row.text("title")?,
        mail_stop: row.text("mail_stop")?,
        address_1: row.text("address_1")?,
        address_2: row.text("address_2")?,
        address_3: row.text("address_3")?,
        city: row.text("city")?,
        state: row.text("state")?,
        postal_code: row.text("postal_code")?,
        country: row.text("country")?,
        phones: json(row, "phones")?,
        emails: json(row, "emails")?,
        web_address: row.text("web_address")?,
        notes: row.text("notes")?,
        attachments: json(row, "attachments")?,
        is_primary: boolean(row, "is_primary")?,
        is_decision_maker: boolean(row, "is_decision_maker")?,
        owner_id: opt_user(row, "owner_id")?,
        notifications: Notifications {
            on_new: boolean(row, "notify_on_new")?,
            on_acknowledged: boolean(row, "notify_on_acknowledged")?,
            on_dispatched: boolean(row, "notify_on_dispatched")?,
            on_completed: boolean(row, "notify_on_completed")?,
            on_failed: boolean(row, "notify_on_failed")?,
        },
        custom_fields: json(row, "custom_fields")?,
        photo: opt_json(row, "photo")?,
        phone_seq: u32::try_from(phone_seq).map_err(|_| RowError::BadValue {
            column: "phone_seq",
        })?,
    };
    Ok(Contact {
        id: ContactId(int(row, "id")?),
        tenant_id: TenantId(int(row, "tenant_id")?),
        customer_id: CustomerId(int(row, "customer_id")?),
        fields,
        created_at: time(row, "created_at")?,
        created_by: opt_user(row, "created_by")?,
        updated_at: time(row, "updated_at")?,
        updated_by: opt_user(row, "updated_by")?,
        version: int(row, "version")?,
    })
}

/// A field change as stored in `history.changes`.
#[derive(Deserialize)]
struct StoredChange {
    field: String,
    old: Value,
    new: Value,
}

pub fn history_entry(row: &dyn Row) -> Result<HistoryEntry, RowError> {
    let change = text(row, "change")?;
    let surface = text(row, "surface")?;
    let changes: Vec<StoredChange> = json(row, "changes")?;
    Ok(HistoryEntry {
        id: int(row, "id")?,
        tenant_id: TenantId(int(row, "tenant_id")?),
        entity: text(row, "entity")?,
        entity_id: int(row, "entity_id")?,
        version: int(row, "version")?,
        change: Change::parse(&change).ok_or(RowError::BadValue { column: "change" })?,
        at: time(row, "at")?,
        user_id: opt_user(row, "user_id")?,
        username: text(row, "username")?,
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
pub fn idempotency_claim(row: &dyn Row) -> Result<IdempotencyClaim, RowError> {
    let response = if boolean(row, "completed")? {
        Some(StoredResponse {
            status: row
                .int("status")?
                .and_then(|s| u16::try_from(s).ok())
                .ok_or(RowError::BadValue { column: "status" })?,
            content_type: row.text("content_type")?.unwrap_or_default(),
            body: row.bytes("body")?.unwrap_or_default(),
            etag: row.text("etag")?,
            location: row.text("location")?,
        })
    } else {
        None
    };
    Ok(IdempotencyClaim {
        fingerprint: text(row, "fingerprint")?,
        response,
    })
}

fn tally(row: &dyn Row, column: &'static str) -> Result<u64, RowError> {
    u64::try_from(int(row, column)?).map_err(|_| RowError::BadValue { column })
}

/// A row of [`IMPORT_JOB_COLUMNS`].
pub fn import_job(row: &dyn Row) -> Result<ImportJobRecord, RowError> {
    let error = match (row.text("error_code")?, row.text("error_message")?) {
        (Some(code), Some(message)) => Some((code, message)),
        _ => None,
    };
    Ok(ImportJobRecord {
        id: int(row, "id")?,
        user_id: opt_user(row, "user_id")?,
        username: text(row, "username")?,
        format: text(row, "format")?,
        dry_run: boolean(row, "dry_run")?,
        state: JobState::parse(&text(row, "status")?)
            .ok_or(RowError::BadValue { column: "status" })?,
        rows_total: tally(row, "rows_total")?,
        counts: ImportCounts {
            rows: tally(row, "rows_done")?,
            created: tally(row, "rows_created")?,
            updated: tally(row, "rows_updated")?,
            unchanged: tally(row, "rows_unchanged")?,
            refused: tally(row, "rows_refused")?,
        },
        error,
        started_at: time(row, "started_at")?,
        progress_at: time(row, "progress_at")?,
        finished_at: row.time("finished_at")?,
    })
}

/// The `report` of an import job (none until it completed).
pub fn import_report(row: &dyn Row) -> Result<Option<Vec<u8>>, RowError> {
    row.bytes("report")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_whole_milliseconds_both_ways() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_000_000)
            .expect("valid time");
        assert_eq!(millis(t), 1_700_000_000_123);
        assert_eq!(time_of(millis(t)), Some(t));
        let before_1970 =
            OffsetDateTime::from_unix_timestamp_nanos(-1_500_000).expect("valid time");
        assert_eq!(millis(before_1970), -2);
        let precise = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789)
            .expect("valid time");
        assert_eq!(at(precise), t);
    }
}
