//! Runs the embedded SQLite migrations on the writer's connection, each in its own
//! transaction, and records them in `_sqlx_migrations` (the table, and its checksums, of the
//! migrator earlier versions used, so that their databases carry on where they were).

use crate::StoreError;
use crate::migrations::Migrations;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha384};
use std::time::Instant;

const TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

/// Why the migrations could not be run.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migration {0} was applied but has since been changed")]
    Changed(i64),
    #[error("migration {0} was left half-applied: restore a backup")]
    Dirty(i64),
    #[error("the database has migration {0}, which this version does not know: it is newer")]
    Unknown(i64),
    #[error("migration {version} failed")]
    Failed {
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error("migration {version} left rows of table {table} referring to rows that do not exist")]
    DanglingReference { version: i64, table: String },
    #[error(transparent)]
    Database(#[from] rusqlite::Error),
}

fn checksum(sql: &str) -> Vec<u8> {
    Sha384::digest(sql.as_bytes()).to_vec()
}

fn apply(conn: &mut Connection, migrations: Migrations) -> Result<(), MigrateError> {
    conn.execute_batch(TABLE)?;
    let applied: Vec<(i64, bool, Vec<u8>)> = conn
        .prepare("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (version, success, sum) in &applied {
        let Some((_, _, sql)) = migrations.iter().find(|(v, _, _)| v == version) else {
            return Err(MigrateError::Unknown(*version));
        };
        if !success {
            return Err(MigrateError::Dirty(*version));
        }
        if *sum != checksum(sql) {
            return Err(MigrateError::Changed(*version));
        }
    }
    for &(version, description, sql) in migrations {
        let done = conn
            .query_row(
                "SELECT 1 FROM _sqlx_migrations WHERE version = ?1",
                [version],
                |_| Ok(()),
            )
            .optional()?;
        if done.is_some() {
            continue;
        }
        let started = Instant::now();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)
            .map_err(|source| MigrateError::Failed { version, source })?;
        let dangling: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .optional()?;
        if let Some(table) = dangling {
            return Err(MigrateError::DanglingReference { version, table });
        }
        let nanos = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (?1, ?2, TRUE, ?3, ?4)",
            params![version, description, checksum(sql), nanos],
        )?;
        tx.commit()?;
        tracing::info!(version, description, "applied a database migration");
    }
    Ok(())
}

/// Applies every migration of `migrations` the database does not have yet, in order.
///
/// Foreign keys are off while they run (SQLite can only change a table's constraints by
/// rebuilding it, which dropping the old table would otherwise refuse) and each migration
/// checks them before it commits: a migration that leaves a dangling reference fails whole.
pub(crate) fn run(conn: &mut Connection, migrations: Migrations) -> Result<(), StoreError> {
    let fail = |e: MigrateError| StoreError::Migrate(Box::new(e));
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .map_err(|e| fail(e.into()))?;
    let applied = apply(conn, migrations);
    conn.execute_batch("PRAGMA foreign_keys = ON")
        .map_err(|e| fail(e.into()))?;
    applied.map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: Migrations = &[(1, "first", "CREATE TABLE a (x INTEGER);")];
    const BOTH: Migrations = &[
        (1, "first", "CREATE TABLE a (x INTEGER);"),
        (2, "second", "CREATE TABLE b (y INTEGER);"),
    ];

    #[test]
    fn migrations_apply_once_in_order_and_changes_are_refused() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut conn = Connection::open(dir.path().join("m.db")).expect("open");
        apply(&mut conn, FIRST).expect("first");
        apply(&mut conn, BOTH).expect("second, once");
        apply(&mut conn, BOTH).expect("nothing left");
        let count: i64 = conn
            .query_row("SELECT count(*) FROM _sqlx_migrations", [], |r| r.get(0))
            .expect("count");
        assert_eq!(count, 2);
        let changed: Migrations = &[(1, "first", "CREATE TABLE a (z INTEGER);")];
        assert!(matches!(
            apply(&mut conn, changed),
            Err(MigrateError::Changed(1))
        ));
        assert!(matches!(
            apply(&mut conn, FIRST),
            Err(MigrateError::Unknown(2))
        ));
    }

    #[test]
    fn a_failed_migration_changes_nothing() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut conn = Connection::open(dir.path().join("m.db")).expect("open");
        let broken: Migrations = &[(1, "broken", "CREATE TABLE a (x INTEGER); NOT SQL;")];
        assert!(matches!(
            apply(&mut conn, broken),
            Err(MigrateError::Failed { version: 1, .. })
        ));
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'a'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(tables, 0);
    }
}
