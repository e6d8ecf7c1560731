//! The storage adapter: implements `rolodex_core::ports` once ([`SqlStore`], in the area
//! modules: `auth`, `oauth`, `customers`, `contacts`, `history`, `changes`, `idempotency`, `imports`)
//! over two thin backends (`sqlite`: rusqlite on threads of its own; `postgres`: sqlx's async
//! pool), picks the backend from the database URL, runs each backend's migrations, classifies
//! database errors into `RepoError`s, and copies a whole database from one backend to another.
//! It must not hold business rules: those live in core and the domain.

mod auth;
mod changes;
mod columns;
mod contacts;
pub mod copy;
mod customers;
mod dump;
mod filters;
mod history;
mod idempotency;
mod imports;
mod migrations;
mod oauth;
mod paging;
mod postgres;
mod rows;
pub mod scratch;
mod sql;
mod sqlite;
mod store;
mod terms;

pub use postgres::{PgBackend, PgStore};
pub use sqlite::{SqliteBackend, SqliteStore, WriterStats};
pub use store::SqlStore;

use rolodex_core::Store;
use std::sync::Arc;

type Source = Box<dyn std::error::Error + Send + Sync>;

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
    InvalidUrl(#[source] Source),
    #[error("could not open the database")]
    Open(#[source] Source),
    #[error("could not migrate the database")]
    Migrate(#[source] Source),
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
        Backend::Sqlite => Ok(Database::Sqlite(Arc::new(SqliteStore::open(url).await?))),
        Backend::Postgres => Ok(Database::Postgres(Arc::new(PgStore::open(url).await?))),
    }
}

/// Only runs the pending migrations of the database at `url` (the `rolodex migrate` command).
pub async fn migrate(url: &str) -> Result<(), StoreError> {
    match Backend::of_url(url)? {
        Backend::Sqlite => sqlite::migrate(url).await,
        Backend::Postgres => postgres::migrate(url).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
