//! The PostgreSQL side of `copy`: reading every table in one snapshot as neutral cells, and
//! writing a snapshot into the (empty) database in one transaction, ids and sequences kept.

use super::{PgStore, classify, commit, rows};
use crate::copy::{
    Cell, CopyError, Kind, Snapshot, TABLES, Table, TableData, check_schema, column_list,
    rows_per_insert,
};
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{Postgres, QueryBuilder, Row};
use time::OffsetDateTime;

/// The select expression of a column: integers are read as bigint whatever their width.
fn select_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|(name, kind)| match kind {
            Kind::Int => format!("{name}::bigint"),
            _ => (*name).to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn cell(row: &PgRow, i: usize, table: &Table) -> Result<Cell, CopyError> {
    let (column, kind) = table.columns[i];
    let bad = |_| CopyError::BadValue {
        table: table.name,
        column,
    };
    Ok(match kind {
        Kind::Int => row
            .try_get::<Option<i64>, _>(i)
            .map_err(bad)?
            .map_or(Cell::Null, Cell::Int),
        Kind::Bool => row
            .try_get::<Option<bool>, _>(i)
            .map_err(bad)?
            .map_or(Cell::Null, Cell::Bool),
        Kind::Time => row
            .try_get::<Option<OffsetDateTime>, _>(i)
            .map_err(bad)?
            .map_or(Cell::Null, |t| Cell::Time(rows::millis(t))),
        Kind::Text => row
            .try_get::<Option<String>, _>(i)
            .map_err(bad)?
            .map_or(Cell::Null, Cell::Text),
        Kind::Json => row
            .try_get::<Option<Json<serde_json::Value>>, _>(i)
            .map_err(bad)?
            .map_or(Cell::Null, |j| Cell::Json(j.0)),
        Kind::Bytes => row
            .try_get::<Option<Vec<u8>>, _>(i)
            .map_err(bad)?
            .map_or(Cell::Null, Cell::Bytes),
    })
}

fn push_cell(
    sql: &mut sqlx::query_builder::Separated<'_, '_, Postgres, &'static str>,
    table: &Table,
    (column, kind): (&'static str, Kind),
    cell: Cell,
) -> Result<(), CopyError> {
    match (kind, cell) {
        (Kind::Int, Cell::Null) => sql.push_bind(None::<i64>),
        (Kind::Bool, Cell::Null) => sql.push_bind(None::<bool>),
        (Kind::Time, Cell::Null) => sql.push_bind(None::<OffsetDateTime>),
        (Kind::Text, Cell::Null) => sql.push_bind(None::<String>),
        (Kind::Json, Cell::Null) => sql.push_bind(None::<Json<serde_json::Value>>),
        (Kind::Bytes, Cell::Null) => sql.push_bind(None::<Vec<u8>>),
        (_, Cell::Int(n)) => sql.push_bind(n),
        (_, Cell::Bool(b)) => sql.push_bind(b),
        (_, Cell::Time(ms)) => sql.push_bind(rows::time_of(ms).ok_or(CopyError::BadValue {
            table: table.name,
            column,
        })?),
        (_, Cell::Text(s)) => sql.push_bind(s),
        (_, Cell::Json(v)) => sql.push_bind(Json(v)),
        (_, Cell::Bytes(b)) => sql.push_bind(b),
    };
    Ok(())
}

impl PgStore {
    /// Every table, read in one repeatable-read transaction (one snapshot).
    pub(crate) async fn snapshot(&self) -> Result<Snapshot, CopyError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'",
        )
        .fetch_all(&mut *tx)
        .await?;
        check_schema(columns)?;
        let mut snapshot = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                select_list(table),
                table.name,
                table.order
            );
            let rows = sqlx::query(&sql).fetch_all(&mut *tx).await?;
            let rows = rows
                .iter()
                .map(|row| {
                    (0..table.columns.len())
                        .map(|i| cell(row, i, table))
                        .collect()
                })
                .collect::<Result<Vec<Vec<Cell>>, _>>()?;
            let last_id = if table.sequence {
                let sql = format!(
                    "SELECT CASE WHEN is_called THEN last_value END FROM {}",
                    sequence_of(table.name)
                );
                sqlx::query_scalar::<_, Option<i64>>(&sql)
                    .fetch_one(&mut *tx)
                    .await?
            } else {
                None
            };
            snapshot.push(TableData { rows, last_id });
        }
        tx.commit().await?;
        Ok(snapshot)
    }

    /// Inserts every row of `snapshot` and sets the id sequences, in one transaction.
    pub(crate) async fn load(&self, snapshot: Snapshot) -> Result<(), CopyError> {
        let mut tx = self.begin().await?;
        for (table, data) in TABLES.iter().zip(snapshot) {
            let mut rows = data.rows.into_iter().peekable();
            while rows.peek().is_some() {
                let chunk: Vec<Vec<Cell>> = rows.by_ref().take(rows_per_insert(table)).collect();
                let mut sql = QueryBuilder::<Postgres>::new(format!(
                    "INSERT INTO {} ({}) ",
                    table.name,
                    column_list(table)
                ));
                let mut failed = None;
                sql.push_values(chunk, |mut values, row| {
                    for (column, cell) in table.columns.iter().zip(row) {
                        if let Err(e) = push_cell(&mut values, table, *column, cell) {
                            failed = Some(e);
                        }
                    }
                });
                if let Some(e) = failed {
                    return Err(e);
                }
                sql.build().execute(&mut *tx).await.map_err(classify)?;
            }
            if let Some(id) = data.last_id.filter(|id| *id > 0) {
                let sql = format!("SELECT setval('{}', $1)", sequence_of(table.name));
                sqlx::query(&sql)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(classify)?;
            }
        }
        commit(tx).await?;
        Ok(())
    }
}

/// The identity sequence of `table`'s `id` (PostgreSQL's default name for it).
fn sequence_of(table: &str) -> String {
    format!("{table}_id_seq")
}
