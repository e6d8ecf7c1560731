//! The PostgreSQL backend: connection options, the embedded migrations, and one pool shared
//! by reads and writes. Several Rolodex nodes may share one database: nothing here keeps state
//! that another node would need to see.
//!
//! Each write is one transaction; an update or delete names the version it expects, so two
//! nodes writing one row cannot both succeed from the same version.

mod conn;

use crate::StoreError;
use crate::migrations::{self, Embedded};
use crate::sql::DbError;
use crate::store::{Backend, SqlStore, Work};
use async_trait::async_trait;
use rolodex_core::ports::RepoError;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};
use std::time::Duration;

/// How long a request waits for a free pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections per node: enough for concurrent requests, few enough that several nodes stay
/// well under the server's `max_connections` (100 by default).
const MAX_CONNECTIONS: u32 = 10;

/// The PostgreSQL store.
pub type PgStore = SqlStore<PgBackend>;

/// The connect options of `url` (`postgres://` or `postgresql://`; TLS as its `sslmode` says).
pub(crate) fn options(url: &str) -> Result<PgConnectOptions, StoreError> {
    url.parse::<PgConnectOptions>()
        .map_err(|e| StoreError::InvalidUrl(Box::new(e)))
        .map(|o| o.application_name("rolodex"))
}

async fn run_migrations(conn: &mut PgConnection) -> Result<(), StoreError> {
    let migrator = Migrator::new(Embedded(migrations::POSTGRES))
        .await
        .map_err(|e| StoreError::Migrate(Box::new(e)))?;
    // The migrator holds an advisory lock: nodes starting together migrate once.
    migrator
        .run(conn)
        .await
        .map_err(|e| StoreError::Migrate(Box::new(e)))
}

/// Runs the pending migrations and closes the connection.
pub(crate) async fn migrate(url: &str) -> Result<(), StoreError> {
    let options = options(url)?;
    let open = |e| StoreError::Open(Box::new(e));
    let mut conn = options.connect().await.map_err(open)?;
    run_migrations(&mut conn).await?;
    conn.close().await.map_err(open)
}

/// The PostgreSQL backend of [`SqlStore`].
pub struct PgBackend {
    pool: PgPool,
}

impl std::fmt::Debug for PgBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgBackend")
            .field("connections", &self.pool.size())
            .finish()
    }
}

fn classify(e: sqlx::Error) -> RepoError {
    DbError::from(e).classify()
}

#[async_trait]
impl Backend for PgBackend {
    type Conn = PgConnection;

    async fn read<T: Send + 'static>(
        &self,
        work: impl Work<PgConnection, T>,
    ) -> Result<T, RepoError> {
        let mut conn = self.pool.acquire().await.map_err(classify)?;
        work(&mut conn).await
    }

    async fn snapshot<T: Send + 'static>(
        &self,
        work: impl Work<PgConnection, T>,
    ) -> Result<T, RepoError> {
        let mut tx = self.pool.begin().await.map_err(classify)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        let result = work(&mut tx).await?;
        tx.commit().await.map_err(classify)?;
        Ok(result)
    }

    /// One transaction; an acknowledged write is durable once COMMIT returns
    /// (`synchronous_commit`). A failing `work` rolls it back.
    async fn write<T: Send + 'static>(
        &self,
        work: impl Work<PgConnection, T>,
    ) -> Result<T, RepoError> {
        let mut tx = self.pool.begin().await.map_err(classify)?;
        let result = work(&mut tx).await?;
        tx.commit().await.map_err(classify)?;
        Ok(result)
    }

    /// Waits for the connections in use, then closes the pool.
    async fn close(&self) {
        self.pool.close().await;
    }
}

impl SqlStore<PgBackend> {
    /// Connects, migrates, and opens the pool.
    pub(crate) async fn open(url: &str) -> Result<Self, StoreError> {
        migrate(url).await?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options(url)?)
            .await
            .map_err(|e| StoreError::Open(Box::new(e)))?;
        Ok(SqlStore::new(PgBackend { pool }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_a_password_parse_and_options_keep_the_host() {
        let options = options("postgres://rolodex:s3cret@db.example:6543/rolodex?sslmode=require")
            .expect("a valid URL");
        assert_eq!(options.get_host(), "db.example");
        assert_eq!(options.get_port(), 6543);
        assert_eq!(options.get_database(), Some("rolodex"));
    }
}
