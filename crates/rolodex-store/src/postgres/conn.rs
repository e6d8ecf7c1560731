//! The store's statements on a sqlx PostgreSQL connection: placeholders rendered as `$1`,
//! values bound in PostgreSQL's own types (timestamptz, boolean, jsonb), rows read back as
//! the model means them. sqlx prepares each statement once per connection.

use crate::columns::RowError;
use crate::rows::at;
use crate::sql::{Conn, DbError, Dialect, JsonCell, Map, Param, Row};
use async_trait::async_trait;
use futures::TryStreamExt;
use serde_json::Value as Json;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::types::Json as Jsonb;
use sqlx::{Decode, PgConnection, Postgres, Row as _, Type};
use std::borrow::Cow;
use time::OffsetDateTime;

/// `sql` with its placeholders `?N` written `$N` (outside string literals).
fn render(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '?' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('$');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    Cow::Owned(out)
}

fn bind<'q>(
    mut query: Query<'q, Postgres, PgArguments>,
    params: &'q [Param],
) -> Query<'q, Postgres, PgArguments> {
    for param in params {
        query = match param {
            Param::Int(v) => query.bind(*v),
            Param::Text(v) => query.bind(v.as_deref()),
            Param::Bool(v) => query.bind(*v),
            Param::Time(v) => query.bind(v.map(at)),
            Param::Json(v) => query.bind(v.as_ref().map(|j| Jsonb(j.raw()))),
            Param::Bytes(v) => query.bind(v.as_deref()),
        };
    }
    query
}

fn get<'r, T>(row: &'r PgRow, column: &'static str) -> Result<Option<T>, RowError>
where
    T: Decode<'r, Postgres> + Type<Postgres>,
{
    row.try_get(column).map_err(|e| RowError::Decode {
        column,
        source: Box::new(e),
    })
}

impl Row for PgRow {
    /// Integers of any width (`count(*)` is bigint, `SELECT 1` integer).
    fn int(&self, column: &'static str) -> Result<Option<i64>, RowError> {
        get::<i64>(self, column)
            .or_else(|_| get::<i32>(self, column).map(|v| v.map(i64::from)))
            .or_else(|_| get::<i16>(self, column).map(|v| v.map(i64::from)))
    }

    fn text(&self, column: &'static str) -> Result<Option<String>, RowError> {
        get(self, column)
    }

    fn boolean(&self, column: &'static str) -> Result<Option<bool>, RowError> {
        get(self, column)
    }

    fn time(&self, column: &'static str) -> Result<Option<OffsetDateTime>, RowError> {
        Ok(get::<OffsetDateTime>(self, column)?.map(at))
    }

    fn json(&self, column: &'static str) -> Result<Option<JsonCell>, RowError> {
        Ok(get::<Jsonb<Json>>(self, column)?.map(|j| JsonCell::Value(j.0)))
    }

    fn bytes(&self, column: &'static str) -> Result<Option<Vec<u8>>, RowError> {
        get(self, column)
    }
}

#[async_trait]
impl Conn for PgConnection {
    const DIALECT: Dialect = Dialect::Postgres;

    async fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
        let sql = render(sql);
        let done = bind(sqlx::query(&sql), params).execute(&mut *self).await?;
        Ok(done.rows_affected())
    }

    async fn insert_id(&mut self, sql: &str, params: &[Param]) -> Result<i64, DbError> {
        let sql = format!("{} RETURNING id", render(sql));
        let row = bind(sqlx::query(&sql), params)
            .fetch_one(&mut *self)
            .await?;
        Ok(crate::rows::id(&row)?)
    }

    async fn fetch<T: Send + 'static>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: Map<'_, T>,
    ) -> Result<Vec<T>, DbError> {
        let sql = render(sql);
        let mut rows = bind(sqlx::query(&sql), params).fetch(&mut *self);
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await? {
            out.push(map(&row)?);
        }
        Ok(out)
    }

    async fn fetch_first<T: Send + 'static>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: Map<'_, T>,
    ) -> Result<Option<T>, DbError> {
        let sql = render(sql);
        let row = bind(sqlx::query(&sql), params)
            .fetch_optional(&mut *self)
            .await?;
        Ok(row.map(|row| map(&row)).transpose()?)
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn placeholders_become_dollars_outside_literals() {
        assert_eq!(
            render("SELECT '?1', a FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1', a FROM t WHERE a = $1 AND b = $12"
        );
        assert_eq!(render("SELECT 1"), "SELECT 1");
    }
}
