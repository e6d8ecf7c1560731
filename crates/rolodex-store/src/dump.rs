//! The two halves of `copy` on either backend: reading every table in one snapshot as neutral
//! cells, and writing a snapshot into the (empty) database in one write, ids and sequences
//! kept.

use crate::copy::{
    Cell, CopyError, Kind, Snapshot, TABLES, Table, TableData, check_schema, column_list,
    rows_per_insert,
};
use crate::rows::{self, RowError};
use crate::sql::{Conn, Dialect, JsonDoc, Param, Row, Sql};
use crate::store::{Backend, SqlStore};
use rolodex_core::ports::RepoError;

/// The columns of every table of the database, as (table, column).
fn schema_query(d: Dialect) -> &'static str {
    match d {
        Dialect::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
             AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\'"
        }
        Dialect::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'"
        }
    }
}

/// The query of the last id `table`'s sequence handed out, as `n` (none when it has not).
fn last_id_query(d: Dialect, table: &str) -> Sql {
    match d {
        Dialect::Sqlite => {
            let mut sql = Sql::new("SELECT seq AS n FROM sqlite_sequence WHERE name = ");
            sql.bind(table);
            sql
        }
        Dialect::Postgres => Sql::new(format!(
            "SELECT CASE WHEN is_called THEN last_value END AS n FROM {table}_id_seq"
        )),
    }
}

/// Sets the last id `table`'s sequence handed out to `id`.
async fn set_last_id<C: Conn>(c: &mut C, table: &str, id: i64) -> Result<(), RepoError> {
    match C::DIALECT {
        Dialect::Sqlite => {
            let params = [id.into(), table.into()];
            if c.execute(
                "UPDATE sqlite_sequence SET seq = ?1 WHERE name = ?2",
                &params,
            )
            .await?
                == 0
            {
                c.execute(
                    "INSERT INTO sqlite_sequence (seq, name) VALUES (?1, ?2)",
                    &params,
                )
                .await?;
            }
        }
        // A sequence cannot be set to 0: a table that never handed out an id is left alone.
        Dialect::Postgres if id > 0 => {
            c.execute(
                &format!("SELECT setval('{table}_id_seq', ?1)"),
                &[id.into()],
            )
            .await?;
        }
        Dialect::Postgres => {}
    }
    Ok(())
}

fn bad_value(table: &Table, column: &'static str) -> impl Fn(RowError) -> RowError {
    let name = table.name;
    move |_| RowError::Cell {
        table: name,
        column,
    }
}

/// One row of `table` as cells, in its column order.
fn cells(row: &dyn Row, table: &Table) -> Result<Vec<Cell>, RowError> {
    table
        .columns
        .iter()
        .map(|&(column, kind)| {
            let bad = bad_value(table, column);
            Ok(match kind {
                Kind::Int => row.int(column).map_err(&bad)?.map(Cell::Int),
                Kind::Text => row.text(column).map_err(&bad)?.map(Cell::Text),
                Kind::Bool => row.boolean(column).map_err(&bad)?.map(Cell::Bool),
                Kind::Time => row
                    .time(column)
                    .map_err(&bad)?
                    .map(|t| Cell::Time(rows::millis(t))),
                Kind::Json => match row.json(column).map_err(&bad)? {
                    Some(cell) => Some(Cell::Json(
                        cell.parse()
                            .map_err(|source| bad(RowError::Json { column, source }))?,
                    )),
                    None => None,
                },
                Kind::Bytes => row.bytes(column).map_err(&bad)?.map(Cell::Bytes),
            }
            .unwrap_or(Cell::Null))
        })
        .collect()
}

/// The bound value of a cell of a `kind` column.
fn param(table: &Table, column: &'static str, kind: Kind, cell: Cell) -> Result<Param, CopyError> {
    Ok(match (kind, cell) {
        (Kind::Int, Cell::Null) => Param::Int(None),
        (Kind::Text, Cell::Null) => Param::Text(None),
        (Kind::Bool, Cell::Null) => Param::Bool(None),
        (Kind::Time, Cell::Null) => Param::Time(None),
        (Kind::Json, Cell::Null) => Param::Json(None),
        (Kind::Bytes, Cell::Null) => Param::Bytes(None),
        (_, Cell::Int(n)) => n.into(),
        (_, Cell::Bool(b)) => b.into(),
        (_, Cell::Time(ms)) => rows::time_of(ms)
            .ok_or(CopyError::BadValue {
                table: table.name,
                column,
            })?
            .into(),
        (_, Cell::Text(s)) => s.into(),
        (_, Cell::Json(v)) => {
            Param::Json(Some(JsonDoc::of(&v).map_err(|_| CopyError::BadValue {
                table: table.name,
                column,
            })?))
        }
        (_, Cell::Bytes(b)) => b.into(),
    })
}

/// The INSERTs of `rows` of `table`, a few thousand values each.
fn inserts(table: &'static Table, rows: Vec<Vec<Cell>>) -> Result<Vec<Sql>, CopyError> {
    let mut statements = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::new(format!(
            "INSERT INTO {} ({}) VALUES ",
            table.name,
            column_list(table)
        ));
        for (i, row) in rows.by_ref().take(rows_per_insert(table)).enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, (&(column, kind), cell)) in table.columns.iter().zip(row).enumerate() {
                if j > 0 {
                    sql.push(", ");
                }
                sql.bind(param(table, column, kind, cell)?);
            }
            sql.push(")");
        }
        statements.push(sql);
    }
    Ok(statements)
}

impl<B: Backend> SqlStore<B> {
    /// Every table, read in one snapshot.
    pub(crate) async fn snapshot(&self) -> Result<Snapshot, CopyError> {
        let schema = schema_query(self.dialect());
        let d = self.dialect();
        let snapshot: Result<Result<Snapshot, CopyError>, RepoError> = self
            .backend
            .snapshot(move |c| {
                Box::pin(async move {
                    let columns = c
                        .fetch(schema, &[], &|row| {
                            Ok((
                                row.text("table_name")?.unwrap_or_default(),
                                row.text("column_name")?.unwrap_or_default(),
                            ))
                        })
                        .await?;
                    // A database the copy does not know is refused before any of it is read.
                    if let Err(e) = check_schema(columns) {
                        return Ok(Err(e));
                    }
                    let mut snapshot = Vec::with_capacity(TABLES.len());
                    for table in TABLES {
                        let sql = format!(
                            "SELECT {} FROM {} ORDER BY {}",
                            column_list(table),
                            table.name,
                            table.order
                        );
                        let rows = c.fetch(&sql, &[], &|row| cells(row, table)).await?;
                        let last_id = if table.sequence {
                            let sql = last_id_query(d, table.name);
                            c.fetch_first(&sql.text, &sql.params, &|row| row.int("n"))
                                .await?
                                .flatten()
                        } else {
                            None
                        };
                        snapshot.push(TableData { rows, last_id });
                    }
                    Ok(Ok(snapshot))
                })
            })
            .await;
        snapshot?
    }

    /// Inserts every row of `snapshot` and sets the id sequences, in one write.
    pub(crate) async fn load(&self, snapshot: Snapshot) -> Result<(), CopyError> {
        let mut statements = Vec::new();
        for (table, data) in TABLES.iter().zip(snapshot) {
            statements.push((table, inserts(table, data.rows)?, data.last_id));
        }
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    for (table, inserts, last_id) in statements {
                        for sql in inserts {
                            c.execute(&sql.text, &sql.params).await?;
                        }
                        if let Some(id) = last_id {
                            set_last_id(c, table.name, id).await?;
                        }
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(())
    }
}
