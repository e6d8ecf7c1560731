//! The SQLite side of `copy`: reading every table in one snapshot as neutral cells, and
//! writing a snapshot into the (empty) database in one writer job, ids and sequences kept.

use super::SqliteStore;
use crate::copy::{
    Cell, CopyError, Kind, Snapshot, TABLES, Table, TableData, check_schema, column_list,
    rows_per_insert,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

fn cell(row: &SqliteRow, i: usize, table: &Table) -> Result<Cell, CopyError> {
    let (column, kind) = table.columns[i];
    let bad = |_| CopyError::BadValue {
        table: table.name,
        column,
    };
    Ok(match kind {
        Kind::Int | Kind::Time | Kind::Bool => {
            match row.try_get::<Option<i64>, _>(i).map_err(bad)? {
                None => Cell::Null,
                Some(n) if kind == Kind::Int => Cell::Int(n),
                Some(n) if kind == Kind::Time => Cell::Time(n),
                Some(n) => Cell::Bool(n != 0),
            }
        }
        Kind::Text => row
            .try_get::<Option<String>, _>(i)
            .map_err(bad)?
            .map_or(Cell::Null, Cell::Text),
        Kind::Json => match row.try_get::<Option<String>, _>(i).map_err(bad)? {
            None => Cell::Null,
            Some(text) => {
                Cell::Json(
                    serde_json::from_str(&text).map_err(|_| CopyError::BadValue {
                        table: table.name,
                        column,
                    })?,
                )
            }
        },
        Kind::Bytes => row
            .try_get::<Option<Vec<u8>>, _>(i)
            .map_err(bad)?
            .map_or(Cell::Null, Cell::Bytes),
    })
}

fn push_cell(sql: &mut sqlx::query_builder::Separated<'_, '_, Sqlite, &'static str>, cell: Cell) {
    match cell {
        Cell::Null => sql.push_bind(None::<i64>),
        Cell::Int(n) | Cell::Time(n) => sql.push_bind(n),
        Cell::Bool(b) => sql.push_bind(b),
        Cell::Text(s) => sql.push_bind(s),
        Cell::Json(v) => sql.push_bind(v.to_string()),
        Cell::Bytes(b) => sql.push_bind(b),
    };
}

async fn set_last_id(conn: &mut SqliteConnection, table: &str, id: i64) -> Result<(), sqlx::Error> {
    let done = sqlx::query("UPDATE sqlite_sequence SET seq = ? WHERE name = ?")
        .bind(id)
        .bind(table)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)")
            .bind(table)
            .bind(id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

impl SqliteStore {
    /// Every table, read in one read transaction (one WAL snapshot).
    pub(crate) async fn snapshot(&self) -> Result<Snapshot, CopyError> {
        let mut tx = self.read.begin().await?;
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\'",
        )
        .fetch_all(&mut *tx)
        .await?;
        check_schema(columns)?;
        let mut snapshot = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                column_list(table),
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
                sqlx::query_scalar::<_, i64>("SELECT seq FROM sqlite_sequence WHERE name = ?")
                    .bind(table.name)
                    .fetch_optional(&mut *tx)
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
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    for (table, data) in TABLES.iter().zip(snapshot) {
                        let mut rows = data.rows.into_iter().peekable();
                        while rows.peek().is_some() {
                            let chunk: Vec<Vec<Cell>> =
                                rows.by_ref().take(rows_per_insert(table)).collect();
                            let mut sql = QueryBuilder::<Sqlite>::new(format!(
                                "INSERT INTO {} ({}) ",
                                table.name,
                                column_list(table)
                            ));
                            sql.push_values(chunk, |mut values, row| {
                                for cell in row {
                                    push_cell(&mut values, cell);
                                }
                            });
                            sql.build()
                                .execute(&mut *conn)
                                .await
                                .map_err(crate::classify)?;
                        }
                        if let Some(id) = data.last_id {
                            set_last_id(conn, table.name, id)
                                .await
                                .map_err(crate::classify)?;
                        }
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(())
    }
}
