//! Throwaway PostgreSQL databases for test suites: each test gets a database of its own,
//! created through the server's maintenance database and dropped when the test ends.
//!
//! The server is `ROLODEX_TEST_PG` (a URL of its maintenance database), by default
//! `postgres://postgres@127.0.0.1:5432/postgres`. When it cannot be reached, a test is skipped
//! with a line saying why, except under CI (`CI` set), where that is a failure: a suite must
//! never pass silently without its PostgreSQL half.

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};
use std::io::Write;

/// The maintenance database of the server the tests use, when `ROLODEX_TEST_PG` is unset.
pub const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database created for one test; dropped (with its connections) when this is dropped.
#[derive(Debug)]
pub struct ScratchDatabase {
    /// The URL of the new database, for `rolodex_store::connect`.
    pub url: String,
    server: PgConnectOptions,
    name: String,
}

/// The server's maintenance URL.
fn server_url() -> String {
    std::env::var("ROLODEX_TEST_PG").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

/// `url` with its database (path) replaced by `name`; credentials and parameters are kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// `host:port` of the server, for messages (never the password).
fn server_name(options: &PgConnectOptions) -> String {
    format!("{}:{}", options.get_host(), options.get_port())
}

impl ScratchDatabase {
    /// Creates a new, empty database `rolodex_t_<random>` on the test server.
    pub async fn create() -> Result<ScratchDatabase, ScratchError> {
        let url = server_url();
        let server: PgConnectOptions = url.parse().map_err(|source| ScratchError {
            server: "ROLODEX_TEST_PG".into(),
            source,
        })?;
        let fail = |source| ScratchError {
            server: server_name(&server),
            source,
        };
        let name = format!("rolodex_t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = server.connect().await.map_err(fail)?;
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .map_err(fail)?;
        conn.close().await.map_err(fail)?;
        let url = with_database(&url, &name);
        Ok(ScratchDatabase { url, server, name })
    }

    /// A new database, or `None` (after saying why on standard error) when the server cannot
    /// be reached outside CI.
    ///
    /// # Panics
    /// Under CI (`CI` set), when the server cannot be reached.
    pub async fn create_or_skip() -> Option<ScratchDatabase> {
        match Self::create().await {
            Ok(db) => Some(db),
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("PostgreSQL is required under CI: {e}")
            }
            Err(e) => {
                // Straight to the process's stderr: the test harness hides captured output
                // of passing tests, and a skip must be seen.
                let _ = writeln!(std::io::stderr(), "skipped: {e}");
                None
            }
        }
    }

    async fn drop_database(server: PgConnectOptions, name: String) -> Result<(), sqlx::Error> {
        let mut conn = server.connect().await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await?;
        conn.close().await
    }
}

impl Drop for ScratchDatabase {
    /// Drops the database on a thread of its own (with its own runtime): `Drop` cannot await,
    /// and the test's runtime may be shutting down.
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), std::mem::take(&mut self.name));
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(Self::drop_database(server, name.clone()))
                .map_err(|e| format!("could not drop test database {name}: {e}"))
        })
        .join();
        if let Ok(Err(message)) = dropped {
            let _ = writeln!(std::io::stderr(), "{message}");
        }
    }
}

/// The test server could not be used.
#[derive(Debug, thiserror::Error)]
#[error("PostgreSQL not reachable at {server}: {source}")]
pub struct ScratchError {
    server: String,
    #[source]
    source: sqlx::Error,
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced_and_the_rest_kept() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=require", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=require"
        );
        assert_eq!(with_database("postgres://u@h", "t1"), "postgres://u@h/t1");
    }
}
