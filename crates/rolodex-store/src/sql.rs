//! What the store's queries are written against, whichever the backend: bound values
//! ([`Param`]), the columns of a result row ([`Row`]), a connection that runs statements
//! ([`Conn`]), the few places where the two SQL dialects differ ([`Dialect`]), and the
//! errors of either database ([`DbError`]).
//!
//! Statements are written once, with numbered placeholders `?1`, `?2`... (SQLite's own
//! syntax; the PostgreSQL connection renders them as `$1`, `$2`...). A value is bound as what
//! the model means (a time, a JSON document) and each backend stores it in its own types:
//! unix milliseconds and JSON text on SQLite, timestamptz and jsonb on PostgreSQL.

use crate::columns::RowError;
use async_trait::async_trait;
use rolodex_core::ports::{ConflictKind, RepoError};
use serde_json::Value as Json;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::OnceLock;
use time::OffsetDateTime;

/// One bound value. Every kind carries its own null, so that PostgreSQL learns the type of a
/// null parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Time(Option<OffsetDateTime>),
    Json(Option<JsonDoc>),
    Bytes(Option<Vec<u8>>),
}

/// A JSON document to bind, serialized once, straight from the model (no tree of values).
#[derive(Debug, Clone)]
pub struct JsonDoc(Box<RawValue>);

impl JsonDoc {
    /// The document of `value`.
    pub fn of<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(Self)
    }

    /// Its text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// As the raw JSON it is, for a driver that serializes its parameters.
    pub fn raw(&self) -> &RawValue {
        &self.0
    }
}

impl PartialEq for JsonDoc {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(Some(v))
    }
}

impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Self {
        Param::Int(v)
    }
}

impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(Some(v.to_owned()))
    }
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(Some(v))
    }
}

impl From<&String> for Param {
    fn from(v: &String) -> Self {
        Param::Text(Some(v.clone()))
    }
}

impl From<Option<String>> for Param {
    fn from(v: Option<String>) -> Self {
        Param::Text(v)
    }
}

impl From<Option<&str>> for Param {
    fn from(v: Option<&str>) -> Self {
        Param::Text(v.map(str::to_owned))
    }
}

impl From<bool> for Param {
    fn from(v: bool) -> Self {
        Param::Bool(Some(v))
    }
}

impl From<Option<bool>> for Param {
    fn from(v: Option<bool>) -> Self {
        Param::Bool(v)
    }
}

impl From<OffsetDateTime> for Param {
    fn from(v: OffsetDateTime) -> Self {
        Param::Time(Some(v))
    }
}

impl From<Option<OffsetDateTime>> for Param {
    fn from(v: Option<OffsetDateTime>) -> Self {
        Param::Time(v)
    }
}

impl From<Vec<u8>> for Param {
    fn from(v: Vec<u8>) -> Self {
        Param::Bytes(Some(v))
    }
}

/// The JSON document of `value`, to bind.
pub fn json<T: serde::Serialize + ?Sized>(
    value: &T,
    column: &'static str,
) -> Result<Param, RowError> {
    JsonDoc::of(value)
        .map(|v| Param::Json(Some(v)))
        .map_err(|source| RowError::Json { column, source })
}

/// The columns of one result row, read by name as what the model means. A column that is
/// not of the asked kind is a [`RowError`].
pub trait Row {
    fn int(&self, column: &'static str) -> Result<Option<i64>, RowError>;
    fn text(&self, column: &'static str) -> Result<Option<String>, RowError>;
    fn boolean(&self, column: &'static str) -> Result<Option<bool>, RowError>;
    fn time(&self, column: &'static str) -> Result<Option<OffsetDateTime>, RowError>;
    fn json(&self, column: &'static str) -> Result<Option<JsonCell>, RowError>;
    fn bytes(&self, column: &'static str) -> Result<Option<Vec<u8>>, RowError>;
}

/// A JSON column as its backend returns it: SQLite's text, parsed straight into the model's
/// type, or PostgreSQL's decoded jsonb.
#[derive(Debug)]
pub enum JsonCell {
    Text(String),
    Value(Json),
}

impl JsonCell {
    /// The value as `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        match self {
            JsonCell::Text(text) => serde_json::from_str(&text),
            JsonCell::Value(value) => serde_json::from_value(value),
        }
    }
}

/// Turns one row into a value of the model.
pub type Map<'m, T> = &'m (dyn Fn(&dyn Row) -> Result<T, RowError> + Sync);

/// A statement built piece by piece: text with numbered placeholders and the values bound
/// to them, in order.
#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    pub params: Vec<Param>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            params: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Param>) -> &mut Self {
        self.params.push(value.into());
        let _ = write!(self.text, "?{}", self.params.len());
        self
    }
}

/// The SQL dialect of a connection, for the few expressions the two databases spell
/// differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `expr` as compared ignoring ASCII case. SQLite's columns are declared `COLLATE NOCASE`
    /// and compare so by themselves (through their indexes); PostgreSQL's indexes are on
    /// `rolodex_nocase(column)`, which both sides of a comparison must go through.
    pub fn nocase(self, expr: &str) -> Cow<'_, str> {
        match self {
            Dialect::Sqlite => Cow::Borrowed(expr),
            Dialect::Postgres => Cow::Owned(format!("rolodex_nocase({expr})")),
        }
    }

    /// `column` in a condition that must not pick the query's index: SQLite, which keeps no
    /// statistics, would otherwise scan a whole tenant through its `tenant_id` index rather
    /// than start from the few ids a search matched. PostgreSQL's planner knows better.
    pub fn unindexed(self, column: &str) -> Cow<'_, str> {
        match self {
            Dialect::Sqlite => Cow::Owned(format!("+{column}")),
            Dialect::Postgres => Cow::Borrowed(column),
        }
    }

    /// The condition that boolean `column` holds, spelled as partial indexes are declared
    /// (`WHERE is_primary = 1` on SQLite, whose planner matches the spelling), so that they
    /// serve it.
    pub fn is_true(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{column} = 1"),
            Dialect::Postgres => column.to_owned(),
        }
    }

    /// Whether rows are written by one statement each rather than several by one statement.
    /// Inside a transaction, SQLite keeps a statement journal (a copy of every page changed)
    /// for a statement of several rows, and a statement costs it no round trip; PostgreSQL
    /// saves a round trip per row.
    pub fn writes_rows_one_by_one(self) -> bool {
        self == Dialect::Sqlite
    }

    /// The text of member `name` (a bound value) of the JSON object in `column`.
    pub fn json_member(self, column: &str, name: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '$.\"' || {name} || '\"')"),
            Dialect::Postgres => format!("({column} ->> {name})"),
        }
    }

    /// The text of element `i` of the JSON array in `column`.
    pub fn json_element(self, column: &str, i: usize) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '$[{i}]')"),
            Dialect::Postgres => format!("({column} ->> {i})"),
        }
    }

    fn index(self) -> usize {
        match self {
            Dialect::Sqlite => 0,
            Dialect::Postgres => 1,
        }
    }
}

/// A statement whose text depends on the dialect, built once per dialect on first use.
pub struct Text {
    build: fn(Dialect) -> String,
    built: [OnceLock<String>; 2],
}

impl Text {
    pub const fn new(build: fn(Dialect) -> String) -> Self {
        Self {
            build,
            built: [OnceLock::new(), OnceLock::new()],
        }
    }

    pub fn get(&self, dialect: Dialect) -> &str {
        self.built[dialect.index()].get_or_init(|| (self.build)(dialect))
    }
}

/// An error of either database, kept whole for the logs; [`DbError::classify`] tells the use
/// cases what it means.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Postgres(#[from] sqlx::Error),
    #[error(transparent)]
    Row(#[from] RowError),
}

/// Which uniqueness rule each unique index stands for: SQLite names the index's columns in
/// its message, PostgreSQL names the index.
const UNIQUE_RULES: &[(&str, &str, ConflictKind)] = &[
    (
        "tenants.code",
        "tenants_code",
        ConflictKind::DuplicateTenantCode,
    ),
    (
        "memberships.tenant_id, memberships.username",
        "memberships_username",
        ConflictKind::DuplicateUsername,
    ),
    (
        "customers.tenant_id, customers.code",
        "customers_code",
        ConflictKind::DuplicateCustomerCode,
    ),
    (
        "contacts.tenant_id, contacts.customer_id, contacts.code",
        "contacts_code",
        ConflictKind::DuplicateContactCode,
    ),
    (
        "contacts.tenant_id, contacts.external_id",
        "contacts_external_id",
        ConflictKind::DuplicateExternalId,
    ),
    // The partial index `contacts_primary` (`WHERE is_primary`).
    (
        "contacts.tenant_id, contacts.customer_id",
        "contacts_primary",
        ConflictKind::DuplicatePrimary,
    ),
];

/// SQLite's primary result codes that mean the database cannot be used right now: BUSY,
/// LOCKED, IOERR, FULL and CANTOPEN.
const SQLITE_UNAVAILABLE: [i32; 5] = [5, 6, 10, 13, 14];

impl DbError {
    /// The conflict a unique violation stands for, if the schema's rule is a known one.
    fn unique_conflict(&self) -> Option<ConflictKind> {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, Some(message)))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
                UNIQUE_RULES
                    .iter()
                    .find(|(rule, _, _)| *rule == columns)
                    .map(|(_, _, kind)| *kind)
            }
            DbError::Postgres(sqlx::Error::Database(db))
                if db.code().as_deref() == Some("23505") =>
            {
                let index = db.constraint()?;
                UNIQUE_RULES
                    .iter()
                    .find(|(_, name, _)| *name == index)
                    .map(|(_, _, kind)| *kind)
            }
            _ => None,
        }
    }

    /// Whether this is a foreign-key violation, which each write interprets in its context (a
    /// missing parent is `NotFound`, a parent with children a conflict). SQLite reports an
    /// `ON DELETE RESTRICT` violation as a trigger's, not a foreign key's: its message tells.
    pub fn is_foreign_key_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, message)) => {
                e.extended_code == 787
                    || message.as_deref() == Some("FOREIGN KEY constraint failed")
            }
            DbError::Postgres(sqlx::Error::Database(db)) => db.code().as_deref() == Some("23503"),
            _ => false,
        }
    }

    /// Whether the database cannot be used right now (busy, unreachable, closed, out of
    /// space, or a transaction it chose to abort), rather than a bad statement or row.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                SQLITE_UNAVAILABLE.contains(&(e.extended_code & 0xff))
            }
            DbError::Sqlite(_) | DbError::Row(_) => false,
            DbError::Postgres(e) => match e {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed => true,
                // Connection exceptions (08), insufficient resources (53), operator
                // intervention (57P), serialization failures and deadlocks (40001, 40P01).
                sqlx::Error::Database(db) => db.code().is_some_and(|code| {
                    code.starts_with("08")
                        || code.starts_with("53")
                        || code.starts_with("57P")
                        || code == "40001"
                        || code == "40P01"
                }),
                _ => false,
            },
        }
    }

    /// What the error means to a use case: a known unique violation is a conflict, an
    /// unusable database `Unavailable`, anything else `Other`. The source is always kept.
    pub fn classify(self) -> RepoError {
        if let Some(kind) = self.unique_conflict() {
            return RepoError::Conflict(kind);
        }
        if self.is_unavailable() {
            RepoError::Unavailable(Box::new(self))
        } else {
            RepoError::Other(Box::new(self))
        }
    }

    /// `NotFound` for a foreign-key violation (a parent that is not there), else as
    /// [`DbError::classify`].
    pub fn missing_parent(self) -> RepoError {
        if self.is_foreign_key_violation() {
            RepoError::NotFound
        } else {
            self.classify()
        }
    }
}

impl From<DbError> for RepoError {
    fn from(e: DbError) -> Self {
        e.classify()
    }
}

/// A connection of either backend, inside whatever transaction its caller holds. The SQLite
/// connection answers at once (it runs on a thread of the store's own); PostgreSQL's awaits
/// the server.
#[async_trait]
pub trait Conn: Send {
    const DIALECT: Dialect;

    fn dialect(&self) -> Dialect {
        Self::DIALECT
    }

    /// Runs a statement; returns the number of rows it changed.
    async fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, DbError>;

    /// Runs an `INSERT` of one row into a table keyed by an `id` column and returns the new
    /// row's id. (SQLite reads the rowid it just assigned: `RETURNING` would cost it a
    /// temporary table and a statement journal per insert.)
    async fn insert_id(&mut self, sql: &str, params: &[Param]) -> Result<i64, DbError>;

    /// Every row of a query, each mapped by `map`.
    async fn fetch<T: Send + 'static>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: Map<'_, T>,
    ) -> Result<Vec<T>, DbError>;

    /// The first row of a query, if any, mapped by `map`.
    async fn fetch_first<T: Send + 'static>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: Map<'_, T>,
    ) -> Result<Option<T>, DbError>;

    /// The one row a query always returns (an aggregate, an `INSERT ... RETURNING`).
    async fn fetch_one<T: Send + 'static>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: Map<'_, T>,
    ) -> Result<T, DbError> {
        self.fetch_first(sql, params, map)
            .await?
            .ok_or(DbError::Row(RowError::Missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_binding_order() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(1)
            .push(" AND b IN (")
            .bind("x")
            .push(", ")
            .bind(true);
        sql.push(")");
        assert_eq!(sql.text, "SELECT 1 WHERE a = ?1 AND b IN (?2, ?3)");
        assert_eq!(
            sql.params,
            [
                Param::Int(Some(1)),
                Param::Text(Some("x".into())),
                Param::Bool(Some(true))
            ]
        );
    }

    #[test]
    fn texts_are_built_per_dialect() {
        static SQL: Text = Text::new(|d| format!("x = {}", d.nocase("?1")));
        assert_eq!(SQL.get(Dialect::Sqlite), "x = ?1");
        assert_eq!(SQL.get(Dialect::Postgres), "x = rolodex_nocase(?1)");
    }
}
