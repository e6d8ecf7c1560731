//! The store, once for both backends: [`SqlStore`] implements every port of
//! `rolodex_core::ports` (in the area modules) over a [`Backend`], which only knows how to
//! hand out a connection for a read, a consistent snapshot, or a write.

use crate::sql::{Conn, Dialect};
use async_trait::async_trait;
use rolodex_core::ports::RepoError;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How one backend runs the store's work. Each `work` receives a connection and returns a
/// future of its result; it may run several statements.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    type Conn: Conn;

    /// Runs `work` on a connection that reads (no transaction: each statement sees the
    /// latest committed data).
    async fn read<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Self::Conn) -> BoxFuture<'c, Result<T, RepoError>>
            + Send
            + 'static;

    /// Runs `work` in one read-only transaction: every statement sees the same snapshot.
    async fn snapshot<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Self::Conn) -> BoxFuture<'c, Result<T, RepoError>>
            + Send
            + 'static;

    /// Runs `work` as one atomic, durable write: all of its statements land or none does, and
    /// its result is returned only once they are committed (fsynced). A failing `work` changes
    /// nothing.
    async fn write<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Self::Conn) -> BoxFuture<'c, Result<T, RepoError>>
            + Send
            + 'static;

    /// Finishes every queued write, then closes the connections. Work submitted afterwards
    /// fails with `RepoError::Unavailable`.
    async fn close(&self);
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

    /// Finishes every queued write, then closes the connections. Reads and writes submitted
    /// afterwards fail with `RepoError::Unavailable`.
    pub async fn close(&self) {
        self.backend.close().await;
    }
}
