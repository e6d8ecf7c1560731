//! The SQLite backend: the database file and its pragmas, the embedded migrations, a few read
//! connections used from blocking threads, and the one writer connection on a thread of its
//! own. Reads never go through the writer; every write does (group commit).

mod conn;
mod migrate;
mod writer;

pub use writer::WriterStats;

use crate::StoreError;
use crate::migrations;
use crate::sql::DbError;
use crate::store::{Backend, SqlStore, Work};
use async_trait::async_trait;
use rolodex_core::ports::RepoError;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Semaphore;
use writer::WriterHandle;

/// How long a connection waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Read connections: SQLite readers in WAL mode never block each other nor the writer, and a
/// read is short; a few per core keep both cores busy while some wait on the disk.
const READERS: usize = 4;
/// Prepared statements each connection keeps.
const STATEMENT_CACHE: usize = 256;

/// The SQLite store.
pub type SqliteStore = SqlStore<SqliteBackend>;

/// The database file a `sqlite://PATH` or `sqlite:PATH` URL names (a query string is not part
/// of it).
pub(crate) fn path_of(url: &str) -> Result<PathBuf, StoreError> {
    let rest = url
        .split_once(':')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split_once('?').map_or(rest, |(path, _)| path);
    if path == ":memory:" || url.contains("mode=memory") {
        return Err(StoreError::InMemoryUnsupported);
    }
    if path.is_empty() {
        return Err(StoreError::InvalidUrl("no file path after sqlite:".into()));
    }
    Ok(PathBuf::from(path))
}

fn open_error(e: rusqlite::Error) -> StoreError {
    StoreError::Open(Box::new(e))
}

/// The writer's connection: WAL (readers do not block the writer and vice versa) and
/// `synchronous=FULL`, so that a committed transaction is fsynced before COMMIT returns;
/// foreign keys enforced; temporary tables and statement journals in memory. It checkpoints
/// only when the checkpointer asks (see the writer); a WAL that grew past 64 MiB (a bulk
/// write) is cut back to that when it starts over. Creates the file if missing.
fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(open_error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(open_error)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Open(
            format!("the database could not switch to WAL mode (it is in {mode} mode)").into(),
        ));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; \
         PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;",
    )
    .map_err(open_error)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// The checkpointer's connection: it copies the WAL's pages into the database file.
fn open_checkpointer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(open_error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;")
        .map_err(open_error)?;
    Ok(conn)
}

/// A read connection: it may not write, so that a write can never bypass the writer.
fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(open_error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
    conn.execute_batch("PRAGMA query_only = ON;")
        .map_err(open_error)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Opens the file, runs the pending migrations, and returns the writer's connection.
fn open_migrated_writer(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = open_writer(path)?;
    migrate::run(&mut conn, migrations::SQLITE)?;
    Ok(conn)
}

/// Runs the pending migrations and closes the connection.
pub(crate) async fn migrate(url: &str) -> Result<(), StoreError> {
    let path = path_of(url)?;
    tokio::task::spawn_blocking(move || {
        open_migrated_writer(&path)?
            .close()
            .map_err(|(_, e)| open_error(e))
    })
    .await
    .map_err(|e| StoreError::Open(Box::new(e)))?
}

/// The idle read connections, and how many may be in use.
#[derive(Debug)]
struct Readers {
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    /// Times the idle connections gave their page caches back.
    releases: AtomicU64,
}

impl Readers {
    fn take(&self) -> Option<Connection> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    fn put(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(conn);
    }

    /// Gives the page caches of the idle connections back to the system. A connection in use
    /// keeps its cache.
    fn release_memory(&self) {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        for conn in idle.iter() {
            if let Err(e) = conn.execute_batch("PRAGMA shrink_memory") {
                tracing::warn!(
                    error = &e as &(dyn std::error::Error + 'static),
                    "a read connection could not release its page cache"
                );
            }
        }
        self.releases.fetch_add(1, Ordering::Relaxed);
    }
}

/// A read connection on loan; it goes back to the idle ones when the loan ends, however the
/// work ended.
struct Loan<'r> {
    readers: &'r Readers,
    conn: Option<Connection>,
}

impl Drop for Loan<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.readers.put(conn);
        }
    }
}

/// Why a read could not be run.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("the store is closed")]
    Closed,
    #[error("a read failed to run")]
    Task(#[source] tokio::task::JoinError),
}

/// The SQLite backend of [`SqlStore`].
pub struct SqliteBackend {
    readers: Arc<Readers>,
    writer: WriterHandle,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend")
            .field("readers", &self.readers.permits.available_permits())
            .field("writer", &self.writer.stats())
            .finish()
    }
}

impl SqliteBackend {
    /// Opens the database, migrates it, opens the read connections and starts the writer
    /// thread.
    async fn open(url: &str) -> Result<Self, StoreError> {
        let path = path_of(url)?;
        let (writer, checkpointer, readers) = tokio::task::spawn_blocking(move || {
            let writer = open_migrated_writer(&path)?;
            let checkpointer = open_checkpointer(&path)?;
            let readers = (0..READERS)
                .map(|_| open_reader(&path))
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, StoreError>((writer, checkpointer, readers))
        })
        .await
        .map_err(|e| StoreError::Open(Box::new(e)))??;
        let readers = Arc::new(Readers {
            idle: Mutex::new(readers),
            permits: Semaphore::new(READERS),
            releases: AtomicU64::new(0),
        });
        // A write makes every reader drop its cached pages at its next read anyway: once the
        // writes stop, the idle readers give theirs back with the writer's.
        let idle_readers = readers.clone();
        Ok(Self {
            writer: WriterHandle::start(writer, checkpointer, move || {
                idle_readers.release_memory();
            })
            .map_err(|e| StoreError::Open(Box::new(e)))?,
            readers,
        })
    }

    /// Runs `work` on a read connection; `transaction` wraps it in one read transaction (one
    /// WAL snapshot). A plain read runs right here, on the calling thread: it is short (an
    /// indexed lookup or one page), and a hand-off to another thread would cost more than the
    /// read itself. A snapshot (counted windows, whole-database copies) may read much more and
    /// runs on a blocking thread; so does a read that finds every connection in use.
    async fn on_reader<T: Send + 'static>(
        &self,
        transaction: bool,
        work: impl Work<Connection, T>,
    ) -> Result<T, RepoError> {
        let closed = || RepoError::Unavailable(Box::new(ReadError::Closed));
        if !transaction && let Ok(permit) = self.readers.permits.try_acquire() {
            let result = run_on_reader(&self.readers, false, work);
            drop(permit);
            return result;
        }
        let permit = self.readers.permits.acquire().await.map_err(|_| closed())?;
        let readers = self.readers.clone();
        let result =
            tokio::task::spawn_blocking(move || run_on_reader(&readers, transaction, work))
                .await
                .map_err(|e| RepoError::Other(Box::new(ReadError::Task(e))));
        drop(permit);
        result?
    }
}

/// Runs `work` on an idle read connection of `readers` (the caller holds a permit for it).
fn run_on_reader<T>(
    readers: &Readers,
    transaction: bool,
    work: impl Work<Connection, T>,
) -> Result<T, RepoError> {
    let fail = |e: rusqlite::Error| DbError::from(e).classify();
    let mut loan = Loan {
        conn: readers.take(),
        readers,
    };
    let conn = loan
        .conn
        .as_mut()
        .ok_or_else(|| RepoError::Unavailable(Box::new(ReadError::Closed)))?;
    if !conn.is_autocommit() {
        // A transaction left open by work that panicked.
        conn.execute_batch("ROLLBACK").map_err(fail)?;
    }
    if !transaction {
        return conn::run_now(work(conn));
    }
    conn.execute_batch("BEGIN").map_err(fail)?;
    let result = conn::run_now(work(conn));
    // A read transaction has nothing to keep: ending it is all COMMIT does.
    conn.execute_batch("COMMIT").map_err(fail)?;
    result
}

#[async_trait]
impl Backend for SqliteBackend {
    type Conn = Connection;

    async fn read<T: Send + 'static>(
        &self,
        work: impl Work<Connection, T>,
    ) -> Result<T, RepoError> {
        self.on_reader(false, work).await
    }

    async fn snapshot<T: Send + 'static>(
        &self,
        work: impl Work<Connection, T>,
    ) -> Result<T, RepoError> {
        self.on_reader(true, work).await
    }

    async fn write<T: Send + 'static>(
        &self,
        work: impl Work<Connection, T>,
    ) -> Result<T, RepoError> {
        self.writer.submit(work).await
    }

    async fn close(&self) {
        self.writer.close().await;
        // No read starts after this; those running finish on their own connections.
        self.readers.permits.close();
        let idle = std::mem::take(
            &mut *self
                .readers
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        drop(idle);
    }
}

impl SqlStore<SqliteBackend> {
    /// Opens (creating the file if missing) and migrates the database at `url`, and starts
    /// its writer thread.
    pub(crate) async fn open(url: &str) -> Result<Self, StoreError> {
        Ok(SqlStore::new(SqliteBackend::open(url).await?))
    }

    /// How many write jobs and commits the writer has done: with concurrent writers, fewer
    /// commits than jobs (group commit).
    pub fn writer_stats(&self) -> WriterStats {
        self.backend.writer.stats()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::Conn;
    use rusqlite::OptionalExtension;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_writer_fsyncs_every_commit_and_readers_cannot_write() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("d.db").display());
        let store = SqliteStore::open(&url).await.expect("opens");
        let synchronous = store
            .backend
            .write(|c| {
                Box::pin(async move {
                    Ok(
                        c.fetch_one("PRAGMA synchronous", &[], &|row| row.int("synchronous"))
                            .await?,
                    )
                })
            })
            .await
            .expect("pragma");
        // 2 is FULL: COMMIT returns once the WAL is fsynced.
        assert_eq!(synchronous, Some(2));
        let write = store
            .backend
            .read(|c| Box::pin(async move { Ok(c.execute("DELETE FROM tenants", &[]).await?) }))
            .await;
        assert!(write.is_err(), "{write:?}");
        store.close().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_idle_writer_gives_its_and_the_idle_readers_page_caches_back_and_writes_on() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("i.db").display());
        let store = SqliteStore::open(&url).await.expect("opens");
        let write = |sql: &'static str| {
            store
                .backend
                .write(move |c| Box::pin(async move { Ok(c.execute(sql, &[]).await?) }))
        };
        write("CREATE TABLE t (n INTEGER)").await.expect("a table");
        let before = store.writer_stats().releases;
        write("INSERT INTO t VALUES (1)").await.expect("a row");
        tokio::time::sleep(writer::RELEASE_MEMORY_AFTER * 2).await;
        let released = store.writer_stats().releases;
        assert!(released > before, "idle: given back");
        assert!(
            store.backend.readers.releases.load(Ordering::Relaxed) > 0,
            "the idle readers' caches too"
        );
        tokio::time::sleep(writer::RELEASE_MEMORY_AFTER * 2).await;
        assert_eq!(
            store.writer_stats().releases,
            released,
            "once per idle stretch"
        );
        write("INSERT INTO t VALUES (2)")
            .await
            .expect("a row after");
        let rows = store
            .backend
            .read(|c| {
                Box::pin(async move {
                    Ok(
                        c.fetch_one("SELECT count(*) AS n FROM t", &[], &|row| row.int("n"))
                            .await?,
                    )
                })
            })
            .await
            .expect("count");
        assert_eq!(rows, Some(2));
        store.close().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_wal_starts_over_under_a_steady_stream_of_writes() {
        // A checkpoint of many pages takes longer than the pause between two commits.
        const ROWS: i64 = 4000;
        const REWRITTEN: i64 = 100;
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("w.db");
        let store = SqliteStore::open(&format!("sqlite://{}", path.display()))
            .await
            .expect("opens");
        let store = std::sync::Arc::new(store);
        let numbers = |n: i64| {
            format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})")
        };
        let fill = format!(
            "{} INSERT INTO pages SELECT i, randomblob(3000) FROM n",
            numbers(ROWS)
        );
        store
            .backend
            .write(move |c| {
                Box::pin(async move {
                    c.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, b BLOB)", &[])
                        .await?;
                    Ok(c.execute(&fill, &[]).await?)
                })
            })
            .await
            .expect("a table of a page a row");
        // Four writers rewrite random pages, without a pause, until 200 MiB went through the WAL.
        let rewrite = std::sync::Arc::new(format!(
            "{} UPDATE pages SET b = randomblob(3000) \
             WHERE id IN (SELECT abs(random()) % {ROWS} + 1 FROM n)",
            numbers(REWRITTEN)
        ));
        let rounds = 200 * 1024 * 1024 / (REWRITTEN * 4096) / 4;
        let writers = (0..4).map(|_| {
            let (store, rewrite) = (store.clone(), rewrite.clone());
            tokio::spawn(async move {
                for _ in 0..rounds {
                    let rewrite = rewrite.clone();
                    store
                        .backend
                        .write(move |c| {
                            Box::pin(async move { Ok(c.execute(&rewrite, &[]).await?) })
                        })
                        .await
                        .expect("a rewrite");
                }
            })
        });
        for writer in writers.collect::<Vec<_>>() {
            writer.await.expect("the writer task ends");
        }
        let wal = std::fs::metadata(dir.path().join("w.db-wal"))
            .expect("the WAL")
            .len();
        assert!(wal <= 64 * 1024 * 1024, "the WAL grew to {wal} bytes");
        if let Ok(store) = std::sync::Arc::try_unwrap(store) {
            store.close().await;
        }
    }

    #[test]
    fn usernames_per_tenant_keep_every_user_membership_and_id() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut conn = open_writer(&dir.path().join("m.db")).expect("opens");
        migrate::run(&mut conn, &migrations::SQLITE[..3]).expect("the first three");
        conn.execute_batch(
            "INSERT INTO tenants (id, code, name, created_at) VALUES (1, 'ACME', 'Acme', 0), \
             (2, 'BETA', 'Beta', 0); \
             INSERT INTO users (id, username, display_name, password_hash, active, created_at) \
             VALUES (1, 'alice', 'Alice', 'h', 1, 0), (7, 'bob', 'Bob', 'h', 1, 0); \
             DELETE FROM users WHERE id = 7; \
             INSERT INTO memberships (tenant_id, user_id, role) VALUES (1, 1, 'admin'), (2, 1, 'viewer'); \
             INSERT INTO tokens (kind, secret_hash, user_id, tenant_id, name, created_at) \
             VALUES ('session', 's', 1, 1, '', 0);",
        )
        .expect("data of the old schema");
        migrate::run(&mut conn, migrations::SQLITE).expect("the rest");
        let members: Vec<(i64, i64, String, String)> = conn
            .prepare(
                "SELECT tenant_id, user_id, role, username FROM memberships ORDER BY tenant_id",
            )
            .expect("query")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(
            members,
            [
                (1, 1, "admin".to_owned(), "alice".to_owned()),
                (2, 1, "viewer".to_owned(), "alice".to_owned())
            ]
        );
        let seq: i64 = conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'users'",
                [],
                |r| r.get(0),
            )
            .expect("sequence");
        assert_eq!(seq, 7, "an id handed out once is never handed out again");
        let checked: Option<String> = conn
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .expect("check");
        assert_eq!(checked, None);
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(fk, 1, "foreign keys are enforced again after migrating");
        conn.execute_batch(
            "INSERT INTO users (username, display_name, password_hash, active, created_at) \
             VALUES ('alice', 'Alice of Beta', 'h', 1, 0)",
        )
        .expect("a second alice, for another tenant");
        let dup = conn.execute_batch(
            "INSERT INTO memberships (tenant_id, user_id, role, username) VALUES (2, 8, 'admin', 'ALICE')",
        );
        assert!(dup.is_err(), "one alice per tenant");
    }

    #[test]
    fn urls_name_their_file() {
        assert_eq!(
            path_of("sqlite://data/rolodex.db").ok(),
            Some(PathBuf::from("data/rolodex.db"))
        );
        assert_eq!(
            path_of("sqlite:///var/lib/rolodex.db").ok(),
            Some(PathBuf::from("/var/lib/rolodex.db"))
        );
        assert_eq!(
            path_of("sqlite:rolodex.db?mode=rwc").ok(),
            Some(PathBuf::from("rolodex.db"))
        );
        assert!(matches!(
            path_of("sqlite::memory:"),
            Err(StoreError::InMemoryUnsupported)
        ));
        assert!(matches!(path_of("sqlite:"), Err(StoreError::InvalidUrl(_))));
    }
}
