//! The PostgreSQL store: connection options, the embedded migrations, one pool shared by reads
//! and writes, and the classification of PostgreSQL errors. Several Rolodex nodes may share one
//! database: nothing here keeps state that another node would need to see.
//!
//! Each `write` is one transaction; an update or delete names the version it expects, so two
//! nodes writing one row cannot both succeed from the same version.

mod auth;
mod changes;
mod contacts;
mod customers;
mod dump;
mod filters;
mod history;
mod idempotency;
mod rows;

use crate::StoreError;
use crate::migrations::{self, Embedded};
use rolodex_core::ports::{ConflictKind, RepoError};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, Postgres, Transaction};
use std::time::Duration;

/// How long a request waits for a free pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections per node: enough for concurrent requests, few enough that several nodes stay
/// well under the server's `max_connections` (100 by default).
const MAX_CONNECTIONS: u32 = 10;

/// The connect options of `url` (`postgres://` or `postgresql://`; TLS as its `sslmode` says).
pub(crate) fn options(url: &str) -> Result<PgConnectOptions, StoreError> {
    url.parse::<PgConnectOptions>()
        .map_err(StoreError::InvalidUrl)
        .map(|o| o.application_name("rolodex"))
}

async fn run_migrations(conn: &mut PgConnection) -> Result<(), StoreError> {
    let migrator = Migrator::new(Embedded(migrations::POSTGRES))
        .await
        .map_err(StoreError::Migrate)?;
    // The migrator holds an advisory lock: nodes starting together migrate once.
    migrator.run(conn).await.map_err(StoreError::Migrate)
}

/// Runs the pending migrations and closes the connection.
pub(crate) async fn migrate(options: &PgConnectOptions) -> Result<(), StoreError> {
    let mut conn = options.connect().await.map_err(StoreError::Open)?;
    run_migrations(&mut conn).await?;
    conn.close().await.map_err(StoreError::Open)
}

/// The PostgreSQL implementation of every port of `rolodex_core::ports`.
pub struct PgStore {
    pool: PgPool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("connections", &self.pool.size())
            .finish()
    }
}

impl PgStore {
    /// Connects, migrates, and opens the pool.
    pub(crate) async fn open(options: PgConnectOptions) -> Result<Self, StoreError> {
        migrate(&options).await?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(StoreError::Open)?;
        Ok(Self { pool })
    }

    /// Waits for the connections in use, then closes the pool. Writes afterwards fail with
    /// `RepoError::Unavailable`.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self) -> Result<Transaction<'static, Postgres>, RepoError> {
        self.pool.begin().await.map_err(classify)
    }
}

/// Commits `tx`; an acknowledged write is durable once this returns (`synchronous_commit`).
async fn commit(tx: Transaction<'static, Postgres>) -> Result<(), RepoError> {
    tx.commit().await.map_err(classify)
}

/// Which uniqueness rule each unique index of the schema stands for.
const UNIQUE_RULES: &[(&str, ConflictKind)] = &[
    ("tenants_code", ConflictKind::DuplicateTenantCode),
    ("users_username", ConflictKind::DuplicateUsername),
    ("customers_code", ConflictKind::DuplicateCustomerCode),
    ("contacts_code", ConflictKind::DuplicateContactCode),
    ("contacts_external_id", ConflictKind::DuplicateExternalId),
    ("contacts_primary", ConflictKind::DuplicatePrimary),
];

fn unique_conflict(constraint: &str) -> Option<ConflictKind> {
    UNIQUE_RULES
        .iter()
        .find(|(name, _)| *name == constraint)
        .map(|(_, kind)| *kind)
}

/// The SQLSTATE of a database error.
fn sqlstate(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// Classifies a database error: known unique violations become conflicts, an unreachable,
/// overloaded or shutting-down server (or a transaction it chose to abort) is `Unavailable`,
/// anything else is `Other`. The source is always kept.
pub(crate) fn classify(error: sqlx::Error) -> RepoError {
    if let sqlx::Error::Database(db) = &error
        && db.code().as_deref() == Some("23505")
        && let Some(kind) = db.constraint().and_then(unique_conflict)
    {
        return RepoError::Conflict(kind);
    }
    if is_unavailable(&error) {
        RepoError::Unavailable(Box::new(error))
    } else {
        RepoError::Other(Box::new(error))
    }
}

fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // Connection exceptions (08), insufficient resources (53), operator intervention
        // (57P), serialization failures and deadlocks (40001, 40P01).
        sqlx::Error::Database(_) => sqlstate(error).is_some_and(|code| {
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57P")
                || code == "40001"
                || code == "40P01"
        }),
        _ => false,
    }
}

/// Whether `error` is a foreign-key violation, which each write interprets in its context.
fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    sqlstate(error).as_deref() == Some("23503")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unique_index_names_its_rule() {
        assert_eq!(
            unique_conflict("contacts_external_id"),
            Some(ConflictKind::DuplicateExternalId)
        );
        assert_eq!(
            unique_conflict("contacts_primary"),
            Some(ConflictKind::DuplicatePrimary)
        );
        assert_eq!(unique_conflict("tokens_secret_hash_key"), None);
    }

    #[test]
    fn urls_with_a_password_parse_and_options_keep_the_host() {
        let options = options("postgres://rolodex:s3cret@db.example:6543/rolodex?sslmode=require")
            .expect("a valid URL");
        assert_eq!(options.get_host(), "db.example");
        assert_eq!(options.get_port(), 6543);
        assert_eq!(options.get_database(), Some("rolodex"));
    }
}
