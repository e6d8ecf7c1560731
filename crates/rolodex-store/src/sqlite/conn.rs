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
use rustc_hash::FxHashMap;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
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
/// one first. The names come from [`column_names`]: asking the statement for a name costs a
/// lock, a C string's length and a UTF-8 check on every lookup.
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
                .ok_or_else(|| RowError::Decode {
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

/// Most statements whose column names a thread keeps; past it, it forgets them all (the store
/// has about a hundred, and a search's text varies with the number of its terms).
const KEPT_COLUMN_NAMES: usize = 512;

thread_local! {
    static COLUMN_NAMES: RefCell<FxHashMap<Box<str>, Rc<[String]>>> = RefCell::default();
}

/// The column names of `statement`, prepared from `sql`: taken from the statement once per
/// thread and text (the schema is migrated before any query runs), then from the thread's own
/// copy. Reading them from the statement cost a sixth of the instructions of a GET of a contact
/// by id (callgrind: 138,000 a GET before, 116,000 after).
fn column_names(sql: &str, statement: &rusqlite::Statement<'_>) -> Rc<[String]> {
    COLUMN_NAMES.with_borrow_mut(|kept| {
        if let Some(names) = kept.get(sql)
            && names.len() == statement.column_count()
        {
            return names.clone();
        }
        if kept.len() >= KEPT_COLUMN_NAMES {
            kept.clear();
        }
        let names: Rc<[String]> = statement
            .column_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        kept.insert(sql.into(), names.clone());
        names
    })
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
    let names = column_names(sql, &statement);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_are_kept_per_text_and_taken_again_when_their_number_changes() {
        let conn = Connection::open_in_memory().expect("opens");
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT)")
            .expect("a table");
        let sql = "SELECT * FROM t";
        let first = column_names(sql, &conn.prepare(sql).expect("prepares"));
        assert_eq!(&*first, ["a", "b"]);
        let again = column_names(sql, &conn.prepare(sql).expect("prepares"));
        assert!(Rc::ptr_eq(&first, &again), "the thread's copy");
        conn.execute_batch("ALTER TABLE t ADD COLUMN c")
            .expect("a column more");
        let after = column_names(sql, &conn.prepare(sql).expect("prepares"));
        assert_eq!(&*after, ["a", "b", "c"]);
        let other = "SELECT b FROM t";
        assert_eq!(
            &*column_names(other, &conn.prepare(other).expect("prepares")),
            ["b"]
        );
    }
}
