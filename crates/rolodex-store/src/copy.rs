//! Copying a whole database from one backend to another (SQLite to PostgreSQL and back), and
//! comparing two databases record by record.
//!
//! Every table is read in one consistent snapshot of the source, as neutral [`Cell`]s (times in
//! milliseconds, booleans, JSON values), and written into an empty target in one transaction:
//! ids are kept, and each id sequence is set to the source's, so that an id the source handed
//! out (even one of a deleted record) is never handed out again by the target. The copy then
//! reads the target back and compares every record with the source. A database with a table or
//! column the copy does not know is refused, so a new migration cannot be left out silently.
//!
//! The snapshot is held in memory: fine for the thousands to hundreds of thousands of records
//! of one business, not for a database larger than the machine's memory.

use crate::Database;
use serde_json::Value;

/// How a column's values are compared and converted between backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Text,
    Bool,
    /// A time, as whole unix milliseconds.
    Time,
    Json,
    Bytes,
}

/// One table of the schema, as both backends have it.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    /// The order rows are read and compared in (byte order for text, on both backends).
    pub order: &'static str,
    /// Whether its `id` comes from a sequence that must never hand out an id twice.
    pub sequence: bool,
}

use Kind::{Bool, Bytes, Int, Json, Text, Time};

/// Every table, parents before children (the order rows are inserted in).
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "tenants",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("created_at", Time),
        ],
        order: "id",
        sequence: true,
    },
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("username", Text),
            ("display_name", Text),
            ("password_hash", Text),
            ("active", Bool),
            ("created_at", Time),
        ],
        order: "id",
        sequence: true,
    },
    Table {
        name: "memberships",
        columns: &[
            ("tenant_id", Int),
            ("user_id", Int),
            ("role", Text),
            ("username", Text),
        ],
        order: "tenant_id, user_id",
        sequence: false,
    },
    Table {
        name: "tokens",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("secret_hash", Text),
            ("user_id", Int),
            ("tenant_id", Int),
            ("name", Text),
            ("created_at", Time),
            ("expires_at", Time),
            ("revoked_at", Time),
        ],
        order: "id",
        sequence: true,
    },
    Table {
        name: "oauth_clients",
        columns: &[
            ("id", Int),
            ("tenant_id", Int),
            ("name", Text),
            ("client_id", Text),
            ("secret_hash", Text),
            ("redirect_uris", Json),
            ("created_at", Time),
            ("revoked_at", Time),
        ],
        order: "id",
        sequence: true,
    },
    Table {
        name: "oauth_codes",
        columns: &[
            ("id", Int),
            ("tenant_id", Int),
            ("client_id", Int),
            ("user_id", Int),
            ("code_hash", Text),
            ("redirect_uri", Text),
            ("code_challenge", Text),
            ("code_challenge_method", Text),
            ("scope", Text),
            ("created_at", Time),
            ("expires_at", Time),
            ("used_at", Time),
            ("revoked_at", Time),
        ],
        order: "id",
        sequence: true,
    },
    Table {
        name: "oauth_refresh_tokens",
        columns: &[
            ("id", Int),
            ("tenant_id", Int),
            ("client_id", Int),
            ("code_id", Int),
            ("user_id", Int),
            ("token_hash", Text),
            ("access_token_id", Int),
            ("scope", Text),
            ("created_at", Time),
            ("expires_at", Time),
            ("rotated_at", Time),
            ("revoked_at", Time),
        ],
        order: "id",
        sequence: true,
    },
    Table {
        name: "login_failures",
        columns: &[("id", Int), ("key", Text), ("at", Time)],
        order: "id",
        sequence: false,
    },
    Table {
        name: "customers",
        columns: &[
            ("id", Int),
            ("tenant_id", Int),
            ("code", Text),
            ("name", Text),
            ("website", Text),
            ("address", Text),
            ("city", Text),
            ("state", Text),
            ("postal_code", Text),
            ("country", Text),
            ("custom_fields", Json),
            ("created_at", Time),
            ("created_by", Int),
            ("updated_at", Time),
            ("updated_by", Int),
            ("version", Int),
        ],
        order: "id",
        sequence: true,
    },
    Table {
        name: "contacts",
        columns: &[
            ("id", Int),
            ("tenant_id", Int),
            ("customer_id", Int),
            ("code", Text),
            ("external_id", Text),
            ("status", Text),
            ("salutation", Text),
            ("first_name", Text),
            ("initial", Text),
            ("last_name", Text),
            ("full_name", Text),
            ("title", Text),
            ("mail_stop", Text),
            ("address_1", Text),
            ("address_2", Text),
            ("address_3", Text),
            ("city", Text),
            ("state", Text),
            ("postal_code", Text),
            ("country", Text),
            ("phones", Json),
            ("emails", Json),
            ("web_address", Text),
            ("notes", Text),
            ("attachments", Json),
            ("is_primary", Bool),
            ("is_decision_maker", Bool),
            ("owner_id", Int),
            ("notify_on_new", Bool),
            ("notify_on_acknowledged", Bool),
            ("notify_on_dispatched", Bool),
            ("notify_on_completed", Bool),
            ("notify_on_failed", Bool),
            ("custom_fields", Json),
            ("phone_seq", Int),
            ("last_name_key", Text),
            ("photo", Json),
            ("created_at", Time),
            ("created_by", Int),
            ("updated_at", Time),
            ("updated_by", Int),
            ("version", Int),
        ],
        order: "id",
        sequence: true,
    },
    Table {
        name: "contact_terms",
        columns: &[
            ("tenant_id", Int),
            ("kind", Text),
            ("term", Text),
            ("contact_id", Int),
        ],
        order: "tenant_id, kind, term, contact_id",
        sequence: false,
    },
    Table {
        name: "history",
        columns: &[
            ("id", Int),
            ("tenant_id", Int),
            ("entity", Text),
            ("entity_id", Int),
            ("customer_id", Int),
            ("version", Int),
            ("change", Text),
            ("at", Time),
            ("user_id", Int),
            ("username", Text),
            ("surface", Text),
            ("changes", Json),
        ],
        order: "id",
        sequence: true,
    },
    Table {
        name: "idempotency_keys",
        columns: &[
            ("tenant_id", Int),
            ("scope", Text),
            ("key", Text),
            ("fingerprint", Text),
            ("completed", Bool),
            ("status", Int),
            ("content_type", Text),
            ("body", Bytes),
            ("etag", Text),
            ("location", Text),
            ("created_at", Time),
        ],
        order: "tenant_id, scope, key",
        sequence: false,
    },
    Table {
        name: "import_jobs",
        columns: &[
            ("id", Int),
            ("tenant_id", Int),
            ("user_id", Int),
            ("username", Text),
            ("format", Text),
            ("dry_run", Bool),
            ("status", Text),
            ("rows_total", Int),
            ("rows_done", Int),
            ("rows_created", Int),
            ("rows_updated", Int),
            ("rows_unchanged", Int),
            ("rows_refused", Int),
            ("error_code", Text),
            ("error_message", Text),
            ("report", Bytes),
            ("started_at", Time),
            ("progress_at", Time),
            ("finished_at", Time),
        ],
        order: "id",
        sequence: true,
    },
];

/// One stored value, in the same form whichever backend it was read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    /// Unix milliseconds.
    Time(i64),
    Json(Value),
    Bytes(Vec<u8>),
}

/// The rows of one table, in its order, and the highest id its sequence has handed out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableData {
    pub rows: Vec<Vec<Cell>>,
    pub last_id: Option<i64>,
}

/// Every table's data, in [`TABLES`] order.
pub(crate) type Snapshot = Vec<TableData>;

/// How many records one table holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub rows: usize,
}

/// What a copy or a comparison found: every table's record count, equal on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<TableCount>,
}

impl CopyReport {
    /// Records of every table together.
    pub fn total(&self) -> usize {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The database has tables or columns the copy does not know (or lacks some it knows): a
    /// migration the copy has not been taught. Nothing is copied.
    #[error("the copy does not know the database's schema: {detail}")]
    UnknownSchema { detail: String },
    #[error("the target database is not empty: table {table} has records")]
    TargetNotEmpty { table: &'static str },
    #[error("the databases differ in table {table}: {detail}")]
    Differs { table: &'static str, detail: String },
    #[error("a stored value of {table}.{column} cannot be read as expected")]
    BadValue {
        table: &'static str,
        column: &'static str,
    },
    #[error("database error while copying")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<rolodex_core::ports::RepoError> for CopyError {
    fn from(e: rolodex_core::ports::RepoError) -> Self {
        CopyError::Database(Box::new(e))
    }
}

/// The comma-separated columns of `table`.
pub(crate) fn column_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per INSERT: well under both backends' limits on bound values (SQLite 32766,
/// PostgreSQL 65535).
pub(crate) fn rows_per_insert(table: &Table) -> usize {
    (16_000 / table.columns.len()).max(1)
}

/// Checks that `columns` (table, column), as the database lists them, are exactly those of
/// [`TABLES`].
pub(crate) fn check_schema(mut columns: Vec<(String, String)>) -> Result<(), CopyError> {
    let mut known: Vec<(String, String)> = TABLES
        .iter()
        .flat_map(|t| {
            t.columns
                .iter()
                .map(|(c, _)| (t.name.to_owned(), (*c).to_owned()))
        })
        .collect();
    columns.sort();
    known.sort();
    let unknown: Vec<String> = columns
        .iter()
        .filter(|c| !known.contains(c))
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    let missing: Vec<String> = known
        .iter()
        .filter(|c| !columns.contains(c))
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    if unknown.is_empty() && missing.is_empty() {
        return Ok(());
    }
    Err(CopyError::UnknownSchema {
        detail: format!(
            "columns not copied: [{}]; columns not in the database: [{}]",
            unknown.join(", "),
            missing.join(", ")
        ),
    })
}

impl Database {
    async fn snapshot(&self) -> Result<Snapshot, CopyError> {
        match self {
            Database::Sqlite(store) => store.snapshot().await,
            Database::Postgres(store) => store.snapshot().await,
        }
    }

    async fn load(&self, snapshot: Snapshot) -> Result<(), CopyError> {
        match self {
            Database::Sqlite(store) => store.load(snapshot).await,
            Database::Postgres(store) => store.load(snapshot).await,
        }
    }

    /// Copies every record of this database into `target`, which must be empty (migrated, but
    /// never served: a served database has its first tenant and admin), then compares the
    /// two. Ids and id sequences are kept.
    pub async fn copy_into(&self, target: &Database) -> Result<CopyReport, CopyError> {
        let existing = target.snapshot().await?;
        if let Some((table, _)) = TABLES
            .iter()
            .zip(&existing)
            .find(|(_, data)| !data.rows.is_empty())
        {
            return Err(CopyError::TargetNotEmpty { table: table.name });
        }
        let snapshot = self.snapshot().await?;
        target.load(snapshot.clone()).await?;
        compare(&snapshot, &target.snapshot().await?)
    }

    /// Compares every record (and id sequence) of this database with `other`'s.
    pub async fn compare_with(&self, other: &Database) -> Result<CopyReport, CopyError> {
        compare(&self.snapshot().await?, &other.snapshot().await?)
    }
}

fn compare(source: &Snapshot, target: &Snapshot) -> Result<CopyReport, CopyError> {
    let mut tables = Vec::with_capacity(TABLES.len());
    for ((table, a), b) in TABLES.iter().zip(source).zip(target) {
        let differs = |detail: String| CopyError::Differs {
            table: table.name,
            detail,
        };
        if a.rows.len() != b.rows.len() {
            return Err(differs(format!(
                "{} records against {}",
                a.rows.len(),
                b.rows.len()
            )));
        }
        if let Some((i, (x, y))) = a
            .rows
            .iter()
            .zip(&b.rows)
            .enumerate()
            .find(|(_, (x, y))| x != y)
        {
            let column = table
                .columns
                .iter()
                .zip(x.iter().zip(y))
                .find(|(_, (p, q))| p != q)
                .map_or("?", |((name, _), _)| *name);
            return Err(differs(format!(
                "record {} (in {} order) differs in column {column}",
                i + 1,
                table.order
            )));
        }
        if a.last_id.unwrap_or(0) != b.last_id.unwrap_or(0) {
            return Err(differs(format!(
                "the last id handed out is {:?} against {:?}",
                a.last_id, b.last_id
            )));
        }
        tables.push(TableCount {
            table: table.name,
            rows: a.rows.len(),
        });
    }
    Ok(CopyReport { tables })
}
