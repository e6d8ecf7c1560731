//! The store's statements on a rusqlite connection: values bound as SQLite stores them (unix
//! milliseconds, 0/1, JSON text), rows read back as the model means them, and statements
//! prepared once per connection and taken from its cache afterwards. Every call runs to its
//! end on the calling thread: the futures of [`Conn`] are ready when first polled.

use crate::columns::RowError;
use crate::rows::{millis, time_of};
use crate::sql::{Conn, DbError, Dialect, JsonCell, Map, Param, Row};
use async_trait::async_trait;
use rolodex_core::ports::RepoError;
use rusqlite::types::{FromSql, ToSqlOutput, Value, ValueRef};
use rusqlite::{CachedStatement, Connection, ToSql};
use std::cell::Cell;
use std::task::{Context, Poll, Waker};
use time::OffsetDateTime;

/// A future of the store's work on a SQLite connection did not complete when polled.
#[derive(Debug, thiserror::Error)]
#[error("work on a SQLite connection waited for something other than the connection")]
pub struct NotReady;

/// The result of `future`, which only awaits the SQLite connection and so is ready when first
/// polled: no executor, no thread parked or woken.
pub fn run_now<T>(future: impl Future<Output = Result<T, RepoError>>) -> Result<T, RepoError> {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(result) => result,
        Poll::Pending => Err(RepoError::Other(Box::new(NotReady))),
    }
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Int(v) => ToSqlOutput::Owned(v.map_or(Value::Null, Value::Integer)),
            Param::Text(v) => v.as_deref().map_or(ToSqlOutput::Owned(Value::Null), |s| {
                ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
            }),
            Param::Bool(v) => {
                ToSqlOutput::Owned(v.map_or(Value::Null, |b| Value::Integer(i64::from(b))))
            }
            Param::Time(v) => {
                ToSqlOutput::Owned(v.map_or(Value::Null, |t| Value::Integer(millis(t))))
            }
            Param::Json(v) => v.as_ref().map_or(ToSqlOutput::Owned(Value::Null), |j| {
                ToSqlOutput::Borrowed(ValueRef::Text(j.text().as_bytes()))
            }),
            Param::Bytes(v) => v.as_deref().map_or(ToSqlOutput::Owned(Value::Null), |b| {
                ToSqlOutput::Borrowed(ValueRef::Blob(b))
            }),
        })
    }
}

/// A result row with its statement's column names, looked up by name: the columns are
/// mostly read in the order they were selected, so each lookup tries the column after the last
/// one first. The names are copied once per query: asking the statement for a name costs a
/// C string's length and UTF-8 check on every lookup.
struct Named<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    names: &'r [String],
    next: Cell<usize>,
}

impl Named<'_, '_> {
    fn get<T: FromSql>(&self, column: &'static str) -> Result<Option<T>, RowError> {
        let next = self.next.get();
        let index = if self.names.get(next).is_some_and(|n| n == column) {
            next
        } else {
            self.names
                .iter()
                .position(|n| n == column)
                .ok_or(RowError::Decode {
                    column,
                    source: "no such column in the result".into(),
                })?
        };
        self.next.set(index + 1);
        self.row.get(index).map_err(|e| RowError::Decode {
            column,
            source: Box::new(e),
        })
    }
}

impl Row for Named<'_, '_> {
    fn int(&self, column: &'static str) -> Result<Option<i64>, RowError> {
        self.get(column)
    }

    fn text(&self, column: &'static str) -> Result<Option<String>, RowError> {
        self.get(column)
    }

    fn boolean(&self, column: &'static str) -> Result<Option<bool>, RowError> {
        Ok(self.get::<i64>(column)?.map(|n| n != 0))
    }

    fn time(&self, column: &'static str) -> Result<Option<OffsetDateTime>, RowError> {
        self.get::<i64>(column)?
            .map(|ms| time_of(ms).ok_or(RowError::BadValue { column }))
            .transpose()
    }

    fn json(&self, column: &'static str) -> Result<Option<JsonCell>, RowError> {
        Ok(self.get::<String>(column)?.map(JsonCell::Text))
    }

    fn bytes(&self, column: &'static str) -> Result<Option<Vec<u8>>, RowError> {
        self.get(column)
    }
}

/// The cached statement of `sql`, with `params` bound to its numbered placeholders.
fn prepare<'c>(
    conn: &'c Connection,
    sql: &str,
    params: &[Param],
) -> Result<CachedStatement<'c>, DbError> {
    let mut statement = conn.prepare_cached(sql)?;
    for (i, param) in params.iter().enumerate() {
        statement.raw_bind_parameter(i + 1, param)?;
    }
    Ok(statement)
}

/// Runs the query of `sql` and maps its rows until `limit` of them.
fn query<T>(
    conn: &Connection,
    sql: &str,
    params: &[Param],
    map: Map<'_, T>,
    limit: usize,
) -> Result<Vec<T>, DbError> {
    let mut statement = prepare(conn, sql, params)?;
    let names: Vec<String> = statement
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while out.len() < limit {
        match rows.next()? {
            Some(row) => out.push(map(&Named {
                row,
                names: &names,
                next: Cell::new(0),
            })?),
            None => break,
        }
    }
    Ok(out)
}

#[async_trait]
impl Conn for Connection {
    const DIALECT: Dialect = Dialect::Sqlite;

    async fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
        let mut statement = prepare(self, sql, params)?;
        let changed = statement.raw_execute()?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    async fn insert_id(&mut self, sql: &str, params: &[Param]) -> Result<i64, DbError> {
        prepare(self, sql, params)?.raw_execute()?;
        Ok(self.last_insert_rowid())
    }

    async fn fetch<T: Send + 'static>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: Map<'_, T>,
    ) -> Result<Vec<T>, DbError> {
        query(self, sql, params, map, usize::MAX)
    }

    async fn fetch_first<T: Send + 'static>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: Map<'_, T>,
    ) -> Result<Option<T>, DbError> {
        Ok(query(self, sql, params, map, 1)?.pop())
    }
}
