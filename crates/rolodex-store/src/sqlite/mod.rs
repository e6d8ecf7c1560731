//! The SQLite store: connection setup (pragmas), the embedded migrations, the pool of read
//! connections and the one writer connection. Reads go to the pool; every write goes through
//! the group-commit [`writer`], never through the pool.

mod auth;
mod changes;
mod contacts;
mod customers;
mod filters;
mod history;
mod idempotency;
mod rows;
mod writer;

pub use writer::WriterStats;

use crate::StoreError;
use rolodex_core::query::{Cursor, Page, PageRequest};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::borrow::Cow;
use std::time::Duration;
use writer::WriterHandle;

/// How long a connection waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a read waits for a free pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// Read connections: enough for concurrent requests; SQLite readers in WAL mode never block
/// each other nor the writer.
const MAX_READERS: u32 = 8;

/// The migrations, embedded in the binary as `(version, description, sql)`. A unit test checks
/// that this list and the files of `migrations/sqlite` are the same.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "customer details",
        include_str!("../../migrations/sqlite/0002_customer_details.sql"),
    ),
    (
        3,
        "contact photos",
        include_str!("../../migrations/sqlite/0003_contact_photos.sql"),
    ),
];

/// The embedded migrations as a sqlx migration source.
#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> writer::BoxFuture<'static, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|&(version, description, sql)| {
                    Migration::new(
                        version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

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
    let migrator = Migrator::new(Embedded).await.map_err(StoreError::Migrate)?;
    migrator.run(&mut conn).await.map_err(StoreError::Migrate)?;
    Ok(conn)
}

/// Runs the pending migrations and closes the connection.
pub(crate) async fn migrate(options: &SqliteConnectOptions) -> Result<(), StoreError> {
    let conn = open_migrated_writer(options).await?;
    conn.close().await.map_err(StoreError::Open)
}

/// How many rows a page query fetches: one more than the page, to learn whether a next page
/// exists. A zero limit is read as one.
fn fetch_limit(page: &PageRequest) -> i64 {
    i64::from(page.limit.max(1)) + 1
}

/// The page of `rows` (fetched with [`fetch_limit`]): at most `limit` items, and the cursor of
/// the last one when more rows followed.
fn page_of<T>(mut rows: Vec<T>, page: &PageRequest, cursor_of: impl Fn(&T) -> Cursor) -> Page<T> {
    let limit = usize::try_from(page.limit.max(1)).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(cursor_of)
    } else {
        None
    };
    Page { items: rows, next }
}

/// The smallest string above every string that starts with `prefix`: `prefix` with its last
/// character incremented (dropping trailing characters that cannot be). `None` when no string
/// is above them all. With `nocase`, for columns compared `COLLATE NOCASE` (which folds ASCII
/// upper case to lower case), `prefix` must be lower-case and the bound never is an ASCII
/// capital, which NOCASE would compare as its lower-case letter.
fn prefix_end(prefix: &str, nocase: bool) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(mut next) = next {
            if nocase && next.is_ascii_uppercase() {
                next = '[';
            }
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use super::{MIGRATIONS, prefix_end};

    #[test]
    fn prefix_ends_bound_exactly_the_strings_with_the_prefix() {
        assert_eq!(prefix_end("ab", false).as_deref(), Some("ac"));
        assert_eq!(prefix_end("a\u{10FFFF}", false).as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10FFFF}", false), None);
        assert_eq!(prefix_end("a\u{D7FF}", false).as_deref(), Some("a\u{E000}"));
        // '@' + 1 is 'A', which NOCASE compares as 'a': the bound must skip the capitals.
        assert_eq!(prefix_end("x@", true).as_deref(), Some("x["));
        assert_eq!(prefix_end("x@", false).as_deref(), Some("xA"));
    }

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("the migrations folder exists in the crate")
            .map(|e| {
                e.expect("readable directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<String> = MIGRATIONS
            .iter()
            .map(|(version, description, _)| {
                format!("{version:04}_{}.sql", description.replace(' ', "_"))
            })
            .collect();
        assert_eq!(files, embedded);
        for (i, (version, _, sql)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i64::try_from(i).expect("few migrations") + 1);
            let file = std::fs::read_to_string(format!("{dir}/{}", embedded[i]))
                .expect("readable migration");
            assert_eq!(*sql, file, "{} is embedded from its own file", embedded[i]);
        }
    }
}
