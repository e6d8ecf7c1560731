//! The storage adapter: implements `rolodex_core::ports` for SQLite and for PostgreSQL, picks
//! the backend from the database URL, runs each backend's migrations, classifies database
//! errors into [`RepoError`]s, and copies a whole database from one backend to another. It must
//! not hold business rules: those live in core and the domain.

mod columns;
pub mod copy;
mod migrations;
mod paging;
mod postgres;
pub mod scratch;
mod sqlite;
mod terms;

pub use postgres::PgStore;
pub use sqlite::{SqliteStore, WriterStats};

use rolodex_core::Store;
use rolodex_core::ports::{ConflictKind, RepoError, WriteOp};
use rolodex_domain::CustomerId;
use sqlx::error::ErrorKind;
use std::sync::Arc;

/// Why a store could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names a backend this build does not provide (only the scheme is kept, so that a
    /// password in the URL never reaches a log).
    #[error(
        "unsupported database URL scheme '{scheme}': expected sqlite://PATH, sqlite:PATH or postgres://..."
    )]
    UnsupportedScheme { scheme: String },
    /// In-memory SQLite databases are not supported: the store keeps several connections,
    /// which would each see a different database.
    #[error("in-memory SQLite databases are not supported: give a file path")]
    InMemoryUnsupported,
    #[error("invalid database URL")]
    InvalidUrl(#[source] sqlx::Error),
    #[error("could not open the database")]
    Open(#[source] sqlx::Error),
    #[error("could not migrate the database")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// The backends a database URL can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend named by the scheme of `url` (`sqlite:`, `postgres:` or `postgresql:`).
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedScheme {
                scheme: scheme.to_owned(),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// An open, migrated database of either backend.
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite(Arc<SqliteStore>),
    Postgres(Arc<PgStore>),
}

impl Database {
    /// Every port, for the use cases.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Database::Sqlite(store) => Arc::clone(store) as Arc<dyn Store>,
            Database::Postgres(store) => Arc::clone(store) as Arc<dyn Store>,
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Database::Sqlite(_) => Backend::Sqlite,
            Database::Postgres(_) => Backend::Postgres,
        }
    }

    /// Finishes every queued write, then closes the connections. Writes submitted afterwards
    /// fail with `RepoError::Unavailable`.
    pub async fn close(&self) {
        match self {
            Database::Sqlite(store) => store.close().await,
            Database::Postgres(store) => store.close().await,
        }
    }
}

/// Opens (creating a SQLite file if missing) and migrates the database at `url`. Accepts
/// `sqlite://PATH`, `sqlite:PATH`, `postgres://...` and `postgresql://...`.
pub async fn connect(url: &str) -> Result<Database, StoreError> {
    match Backend::of_url(url)? {
        Backend::Sqlite => {
            let options = sqlite_options(url)?;
            Ok(Database::Sqlite(Arc::new(
                SqliteStore::open(options).await?,
            )))
        }
        Backend::Postgres => {
            let options = postgres::options(url)?;
            Ok(Database::Postgres(Arc::new(PgStore::open(options).await?)))
        }
    }
}

/// Only runs the pending migrations of the database at `url` (the `rolodex migrate` command).
pub async fn migrate(url: &str) -> Result<(), StoreError> {
    match Backend::of_url(url)? {
        Backend::Sqlite => sqlite::migrate(&sqlite_options(url)?).await,
        Backend::Postgres => postgres::migrate(&postgres::options(url)?).await,
    }
}

fn sqlite_options(url: &str) -> Result<sqlx::sqlite::SqliteConnectOptions, StoreError> {
    if Backend::of_url(url)? != Backend::Sqlite {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        return Err(StoreError::UnsupportedScheme {
            scheme: scheme.to_owned(),
        });
    }
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Err(StoreError::InMemoryUnsupported);
    }
    url.parse().map_err(StoreError::InvalidUrl)
}

/// Which uniqueness rule a `UNIQUE constraint failed: <columns>` message names. SQLite lists
/// the columns of the violated index, so each rule of the schema has its own list.
const UNIQUE_RULES: &[(&str, ConflictKind)] = &[
    ("tenants.code", ConflictKind::DuplicateTenantCode),
    ("users.username", ConflictKind::DuplicateUsername),
    (
        "customers.tenant_id, customers.code",
        ConflictKind::DuplicateCustomerCode,
    ),
    (
        "contacts.tenant_id, contacts.customer_id, contacts.code",
        ConflictKind::DuplicateContactCode,
    ),
    (
        "contacts.tenant_id, contacts.external_id",
        ConflictKind::DuplicateExternalId,
    ),
    // The partial index `contacts_primary` (`WHERE is_primary = 1`).
    (
        "contacts.tenant_id, contacts.customer_id",
        ConflictKind::DuplicatePrimary,
    ),
];

/// The conflict a unique violation stands for, if the schema's rule is a known one.
fn unique_conflict(message: &str) -> Option<ConflictKind> {
    let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
    UNIQUE_RULES
        .iter()
        .find(|(rule, _)| *rule == columns)
        .map(|(_, kind)| *kind)
}

/// Classifies a database error: known unique violations become conflicts, an unreachable or
/// busy database is `Unavailable`, anything else is `Other`. The source is always kept.
pub(crate) fn classify(error: sqlx::Error) -> RepoError {
    if let sqlx::Error::Database(db) = &error
        && db.kind() == ErrorKind::UniqueViolation
        && let Some(kind) = unique_conflict(db.message())
    {
        return RepoError::Conflict(kind);
    }
    if is_unavailable(&error) {
        RepoError::Unavailable(Box::new(error))
    } else {
        RepoError::Other(Box::new(error))
    }
}

/// Whether `error` means the database cannot be used right now (pool exhausted or closed, IO
/// failure, or a lock held too long by another process), rather than a bad statement or row.
pub(crate) fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        // SQLITE_BUSY, _LOCKED, _IOERR, _FULL and _CANTOPEN; extended codes keep them in the low byte.
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| matches!(code & 0xff, 5 | 6 | 10 | 13 | 14)),
        _ => false,
    }
}

/// The customer a `CreateContactOfNewCustomer` belongs to: the one the call's previous write
/// created (`previous` is that write's operation and the id it returned).
pub(crate) fn new_customer(previous: Option<(&WriteOp, i64)>) -> Result<CustomerId, RepoError> {
    match previous {
        Some((WriteOp::CreateCustomer { .. }, id)) => Ok(CustomerId(id)),
        _ => Err(RepoError::Other(
            "a contact of a new customer must directly follow the customer's creation".into(),
        )),
    }
}

/// Whether `error` is a foreign-key violation, which each write interprets in its context (a
/// missing parent is `NotFound`, a parent with children is a conflict). SQLite reports an
/// `ON DELETE RESTRICT` violation as `SQLITE_CONSTRAINT_TRIGGER`, not `_FOREIGNKEY`, so the
/// message is checked too.
pub(crate) fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db)
        if db.kind() == ErrorKind::ForeignKeyViolation || db.message() == "FOREIGN KEY constraint failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_messages_name_their_rule() {
        assert_eq!(
            unique_conflict("UNIQUE constraint failed: contacts.tenant_id, contacts.external_id"),
            Some(ConflictKind::DuplicateExternalId)
        );
        assert_eq!(
            unique_conflict("UNIQUE constraint failed: contacts.tenant_id, contacts.customer_id"),
            Some(ConflictKind::DuplicatePrimary)
        );
        assert_eq!(
            unique_conflict("UNIQUE constraint failed: tokens.secret_hash"),
            None
        );
        assert_eq!(unique_conflict("something else"), None);
    }

    #[test]
    fn the_scheme_picks_the_backend() {
        assert_eq!(Backend::of_url("sqlite://a.db").ok(), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::of_url("postgresql://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(matches!(
            Backend::of_url("mysql://u:secret@host/db"),
            Err(StoreError::UnsupportedScheme { scheme }) if scheme == "mysql"
        ));
    }

    #[test]
    fn only_sqlite_urls_make_sqlite_options() {
        assert!(matches!(
            sqlite_options("postgres://u:secret@host/db"),
            Err(StoreError::UnsupportedScheme { scheme }) if scheme == "postgres"
        ));
        assert!(matches!(
            sqlite_options("sqlite::memory:"),
            Err(StoreError::InMemoryUnsupported)
        ));
        assert!(sqlite_options("sqlite://data/rolodex.db").is_ok());
        assert!(sqlite_options("sqlite:rolodex.db").is_ok());
    }
}
