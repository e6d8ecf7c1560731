//! The store, once for both backends: [`SqlStore`] implements every port of
//! `rolodex_core::ports` (in the area modules) over a [`Backend`], which only knows how to
//! hand out a connection for a read, a consistent snapshot, or a write.

use crate::columns::RowError;
use crate::sql::{Conn, DbError, Dialect, Param, Row, Sql, Text};
use async_trait::async_trait;
use rolodex_core::ports::RepoError;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The store's work on one connection: a closure given the connection, returning the future
/// of its result; it may run several statements.
pub trait Work<C, T>:
    for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, Result<T, RepoError>> + Send + 'static
{
}

impl<C, T, F> Work<C, T> for F where
    F: for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, Result<T, RepoError>> + Send + 'static
{
}

/// How one backend runs the store's work.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    type Conn: Conn;

    /// Runs `work` on a connection that reads (no transaction: each statement sees the
    /// latest committed data).
    async fn read<T: Send + 'static>(&self, work: impl Work<Self::Conn, T>)
    -> Result<T, RepoError>;

    /// Runs `work` in one read-only transaction: every statement sees the same snapshot.
    async fn snapshot<T: Send + 'static>(
        &self,
        work: impl Work<Self::Conn, T>,
    ) -> Result<T, RepoError>;

    /// Runs `work` as one atomic, durable write: all of its statements land or none does, and
    /// its result is returned only once they are committed (fsynced). A failing `work` changes
    /// nothing.
    async fn write<T: Send + 'static>(
        &self,
        work: impl Work<Self::Conn, T>,
    ) -> Result<T, RepoError>;

    /// Finishes every queued write, then closes the connections. Work submitted afterwards
    /// fails with `RepoError::Unavailable`.
    async fn close(&self);
}

/// A statement's text: fixed, or built per dialect.
pub trait Statement: Copy + Send + Sync + 'static {
    fn text(self, dialect: Dialect) -> &'static str;
}

impl Statement for &'static str {
    fn text(self, _: Dialect) -> &'static str {
        self
    }
}

impl Statement for &'static Text {
    fn text(self, dialect: Dialect) -> &'static str {
        self.get(dialect)
    }
}

/// The implementation of every port of `rolodex_core::ports` over one backend.
#[derive(Debug)]
pub struct SqlStore<B> {
    pub(crate) backend: B,
}

impl<B: Backend> SqlStore<B> {
    pub(crate) fn new(backend: B) -> Self {
        Self { backend }
    }

    /// The dialect of the backend's statements.
    pub(crate) fn dialect(&self) -> Dialect {
        <B::Conn as Conn>::DIALECT
    }

    /// The first row of a read of `sql`, mapped by `map`.
    pub(crate) async fn first<T: Send + 'static>(
        &self,
        sql: impl Statement,
        params: Vec<Param>,
        map: fn(&dyn Row) -> Result<T, RowError>,
    ) -> Result<Option<T>, RepoError> {
        self.backend
            .read(move |c| {
                Box::pin(
                    async move { Ok(c.fetch_first(sql.text(c.dialect()), &params, &map).await?) },
                )
            })
            .await
    }

    /// Every row of a read of `sql`, mapped by `map`.
    pub(crate) async fn all<T: Send + 'static>(
        &self,
        sql: impl Statement,
        params: Vec<Param>,
        map: fn(&dyn Row) -> Result<T, RowError>,
    ) -> Result<Vec<T>, RepoError> {
        self.backend
            .read(move |c| {
                Box::pin(async move { Ok(c.fetch(sql.text(c.dialect()), &params, &map).await?) })
            })
            .await
    }

    /// Every row of the read `sql` built for this backend's dialect, mapped by `map`.
    pub(crate) async fn query<T: Send + 'static>(
        &self,
        sql: Sql,
        map: fn(&dyn Row) -> Result<T, RowError>,
    ) -> Result<Vec<T>, RepoError> {
        self.backend
            .read(move |c| {
                Box::pin(async move { Ok(c.fetch(&sql.text, &sql.params, &map).await?) })
            })
            .await
    }

    /// Writes the one row `sql` returns (an `INSERT ... RETURNING`), mapped by `map`.
    pub(crate) async fn write_one<T: Send + 'static>(
        &self,
        sql: impl Statement,
        params: Vec<Param>,
        map: fn(&dyn Row) -> Result<T, RowError>,
    ) -> Result<T, RepoError> {
        self.backend
            .write(move |c| {
                Box::pin(
                    async move { Ok(c.fetch_one(sql.text(c.dialect()), &params, &map).await?) },
                )
            })
            .await
    }

    /// Runs the write `sql`; returns the number of rows it changed. `fail` says what its
    /// error means (see `DbError::classify`).
    pub(crate) async fn execute(
        &self,
        sql: &'static str,
        params: Vec<Param>,
        fail: fn(DbError) -> RepoError,
    ) -> Result<u64, RepoError> {
        self.backend
            .write(move |c| Box::pin(async move { c.execute(sql, &params).await.map_err(fail) }))
            .await
    }

    /// Finishes every queued write, then closes the connections. Reads and writes submitted
    /// afterwards fail with `RepoError::Unavailable`.
    pub async fn close(&self) {
        self.backend.close().await;
    }
}
