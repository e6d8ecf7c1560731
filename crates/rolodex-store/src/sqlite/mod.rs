//! The SQLite store: connection setup (pragmas), the embedded migrations, the pool of read
//! connections and the one writer connection. Reads go to the pool; every write goes through
//! the group-commit [`writer`], never through the pool.

mod auth;
mod changes;
mod contacts;
mod customers;
mod dump;
mod filters;
mod history;
mod idempotency;
mod rows;
mod writer;

pub use writer::WriterStats;

use crate::StoreError;
use crate::migrations::{self, Embedded};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::time::Duration;
use writer::WriterHandle;

/// How long a connection waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a read waits for a free pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// Read connections: enough for concurrent requests; SQLite readers in WAL mode never block
/// each other nor the writer.
const MAX_READERS: u32 = 8;

/// Options of every connection: the database file is created if missing, foreign keys are
/// enforced, and a lock held by another process is waited for.
fn base_options(options: &SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .clone()
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
}

/// The writer's options: WAL (readers do not block the writer and vice versa) and
/// `synchronous=FULL`, so that a committed transaction is fsynced before COMMIT returns.
fn writer_options(options: &SqliteConnectOptions) -> SqliteConnectOptions {
    base_options(options)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .optimize_on_close(true, None)
}

/// Readers may not write, so that a write can never bypass the writer by mistake.
fn reader_options(options: &SqliteConnectOptions) -> SqliteConnectOptions {
    base_options(options)
        .synchronous(SqliteSynchronous::Full)
        .pragma("query_only", "ON")
}

async fn open_migrated_writer(
    options: &SqliteConnectOptions,
) -> Result<SqliteConnection, StoreError> {
    let mut conn = writer_options(options)
        .connect()
        .await
        .map_err(StoreError::Open)?;
    let migrator = Migrator::new(Embedded(migrations::SQLITE))
        .await
        .map_err(StoreError::Migrate)?;
    migrator.run(&mut conn).await.map_err(StoreError::Migrate)?;
    Ok(conn)
}

/// Runs the pending migrations and closes the connection.
pub(crate) async fn migrate(options: &SqliteConnectOptions) -> Result<(), StoreError> {
    let conn = open_migrated_writer(options).await?;
    conn.close().await.map_err(StoreError::Open)
}

/// The SQLite implementation of every port of `rolodex_core::ports`.
pub struct SqliteStore {
    read: SqlitePool,
    writer: WriterHandle,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("readers", &self.read.size())
            .field("writer", &self.writer.stats())
            .finish()
    }
}

impl SqliteStore {
    /// Opens the database, migrates it, and starts the writer task (on the current tokio
    /// runtime).
    pub(crate) async fn open(options: SqliteConnectOptions) -> Result<Self, StoreError> {
        let conn = open_migrated_writer(&options).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(MAX_READERS)
            .min_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(reader_options(&options))
            .await
            .map_err(StoreError::Open)?;
        Ok(Self {
            read,
            writer: WriterHandle::start(conn),
        })
    }

    /// How many write jobs and commits the writer has done: with concurrent writers, fewer
    /// commits than jobs (group commit).
    pub fn writer_stats(&self) -> WriterStats {
        self.writer.stats()
    }

    /// Finishes every queued write, then closes the writer connection and the read pool.
    /// Writes submitted afterwards fail with `RepoError::Unavailable`.
    pub async fn close(&self) {
        self.writer.close().await;
        self.read.close().await;
    }
}
