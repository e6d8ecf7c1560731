//! Contacts: the reads and the search of `ContactRepo` (filters over the `contact_terms`
//! index, sort orders, keyset pages, offset windows and their count), and the statements that
//! create, update and delete a contact and its search terms inside a write (called by
//! `changes`); an update writes only the columns and terms that changed.

use crate::changes::missed;
use crate::columns::{RowError, changed_values, contact_values};
use crate::paging::{fetch_limit, page_of, prefix_end};
use crate::rows::{self, CONTACT_COLUMNS, CONTACT_FIELD_COLUMNS};
use crate::sql::{Conn, DbError, Dialect, Param, Sql, Text};
use crate::store::{Backend, SqlStore};
use crate::terms::TermChanges;
use async_trait::async_trait;
use rolodex_core::ports::{ContactRepo, HistoryDraft, RepoError};
use rolodex_core::query::{ContactQuery, ContactSort, Page};
use rolodex_domain::search::{TermKind, email_key, phone_digits, query_prefixes};
use rolodex_domain::{Contact, ContactFields, ContactId, CustomerId, TenantId};
use std::sync::LazyLock;

/// The primary contact of a customer, through the partial index of primary contacts.
static PRIMARY: Text = Text::new(|d| {
    format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE tenant_id = ?1 AND customer_id = ?2 AND {}",
        d.is_true("is_primary")
    )
});

#[async_trait]
impl<B: Backend> ContactRepo for SqlStore<B> {
    async fn contact(&self, tenant: TenantId, id: ContactId) -> Result<Option<Contact>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE tenant_id = ?1 AND id = ?2")
        });
        self.first(&SQL, vec![tenant.0.into(), id.0.into()], rows::contact)
            .await
    }

    async fn contact_by_code(
        &self,
        tenant: TenantId,
        customer: CustomerId,
        code: &str,
    ) -> Result<Option<Contact>, RepoError> {
        static SQL: Text = Text::new(|d| {
            format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts WHERE tenant_id = ?1 AND customer_id = ?2 \
                 AND {} = {}",
                d.nocase("code"),
                d.nocase("?3")
            )
        });
        let params: Vec<Param> = vec![tenant.0.into(), customer.0.into(), code.into()];
        self.first(&SQL, params, rows::contact).await
    }

    async fn contact_by_external_id(
        &self,
        tenant: TenantId,
        external_id: &str,
    ) -> Result<Option<Contact>, RepoError> {
        static SQL: Text = Text::new(|d| {
            format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts WHERE tenant_id = ?1 AND {} = {}",
                d.nocase("external_id"),
                d.nocase("?2")
            )
        });
        let params: Vec<Param> = vec![tenant.0.into(), external_id.into()];
        self.first(&SQL, params, rows::contact).await
    }

    async fn primary_contact(
        &self,
        tenant: TenantId,
        customer: CustomerId,
    ) -> Result<Option<Contact>, RepoError> {
        self.first(
            &PRIMARY,
            vec![tenant.0.into(), customer.0.into()],
            rows::contact,
        )
        .await
    }

    async fn list_contacts(
        &self,
        tenant: TenantId,
        query: &ContactQuery,
    ) -> Result<Page<Contact>, RepoError> {
        let Some(sql) = list_query(self.dialect(), tenant, query) else {
            // A cursor whose key cannot be of this sort (one issued for another order): no
            // row comes after it.
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        let items = self.query(sql, rows::contact).await?;
        Ok(page_of(items, &query.page, |c| {
            rows::contact_cursor(c, query.sort)
        }))
    }

    async fn contact_window(
        &self,
        tenant: TenantId,
        query: &ContactQuery,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Contact>, u64), RepoError> {
        // SQL offsets are signed; no table holds i64::MAX rows, so that is past any end.
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let count = matching(self.dialect(), "count(*) AS n", tenant, query);
        let window = window_query(self.dialect(), tenant, query, offset, limit);
        // One snapshot: the total and the items agree.
        self.backend
            .snapshot(move |c| {
                Box::pin(async move {
                    let total = c
                        .fetch_one(&count.text, &count.params, &rows::count)
                        .await?;
                    let items = if offset.unsigned_abs() < total && limit > 0 {
                        c.fetch(&window.text, &window.params, &rows::contact)
                            .await?
                    } else {
                        Vec::new()
                    };
                    Ok((items, total))
                })
            })
            .await
    }

    async fn count_contacts(
        &self,
        tenant: TenantId,
        customer: CustomerId,
    ) -> Result<u64, RepoError> {
        const SQL: &str =
            "SELECT count(*) AS n FROM contacts WHERE tenant_id = ?1 AND customer_id = ?2";
        let n = self
            .first(SQL, vec![tenant.0.into(), customer.0.into()], rows::count)
            .await?;
        Ok(n.unwrap_or_default())
    }

    async fn photo_names(&self, tenant: TenantId) -> Result<Vec<String>, RepoError> {
        static SQL: Text = Text::new(|d| {
            format!(
                "SELECT {} AS name FROM contacts WHERE tenant_id = ?1 AND photo IS NOT NULL",
                d.json_member("photo", "'name'")
            )
        });
        let names = self
            .all(&SQL, vec![tenant.0.into()], |row| row.text("name"))
            .await?;
        Ok(names.into_iter().flatten().collect())
    }
}

/// Adds `AND id IN (contacts with a `kind` term in [start, end))`; no `end` is an exact match.
fn push_term_filter(
    sql: &mut Sql,
    tenant: TenantId,
    kind: TermKind,
    start: String,
    end: Option<Option<String>>,
) {
    sql.push(" AND id IN (SELECT contact_id FROM contact_terms WHERE tenant_id = ")
        .bind(tenant.0)
        .push(" AND kind = ")
        .bind(kind.as_str());
    match end {
        None => {
            sql.push(" AND term = ").bind(start);
        }
        Some(end) => {
            sql.push(" AND term >= ").bind(start);
            if let Some(end) = end {
                sql.push(" AND term < ").bind(end);
            }
        }
    }
    sql.push(")");
}

/// `SELECT {select} FROM contacts` of the rows that match `query` (its cursor aside), in
/// the tenant: the conditions that a page, a window and their count share.
fn matching(d: Dialect, select: &str, tenant: TenantId, query: &ContactQuery) -> Sql {
    let prefixes = query
        .text
        .as_deref()
        .map(query_prefixes)
        .unwrap_or_default();
    let by_terms = !prefixes.is_empty() || query.email.is_some() || query.phone.is_some();
    // Without a customer, a search by terms is driven by the matching ids; with a customer,
    // its index drives.
    let tenant_column = if by_terms && query.customer_id.is_none() {
        d.unindexed("tenant_id")
    } else {
        "tenant_id".into()
    };
    let mut sql = Sql::new(format!(
        "SELECT {select} FROM contacts WHERE {tenant_column} = "
    ));
    sql.bind(tenant.0);
    if let Some(customer) = query.customer_id {
        sql.push(" AND customer_id = ").bind(customer.0);
    }
    // Each prefix must start one of the contact's words (terms are lower-case, compared in
    // byte order, so a prefix is a plain range).
    for prefix in prefixes {
        let end = prefix_end(&prefix, false);
        push_term_filter(&mut sql, tenant, TermKind::Word, prefix, Some(end));
    }
    if let Some(email) = &query.email {
        push_term_filter(&mut sql, tenant, TermKind::Email, email_key(email), None);
    }
    if let Some(phone) = &query.phone {
        push_term_filter(&mut sql, tenant, TermKind::Phone, phone_digits(phone), None);
    }
    if let Some(external_id) = &query.external_id {
        // Ignoring case, through the unique index.
        let column = d.nocase("external_id");
        sql.push(&format!(" AND {column} = "));
        match d {
            Dialect::Sqlite => sql.bind(external_id),
            Dialect::Postgres => sql.push("rolodex_nocase(").bind(external_id).push(")"),
        };
    }
    if let Some(since) = query.updated_since {
        sql.push(" AND updated_at >= ").bind(since);
    }
    crate::filters::push_filters(d, &mut sql, &query.filters);
    sql
}

/// The sort column of `query`, its direction, and how a row after a cursor compares.
fn sort_of(query: &ContactQuery) -> (&'static str, &'static str, &'static str) {
    match (query.sort, query.descending) {
        (ContactSort::Id, false) => ("id", "ASC", ">"),
        (ContactSort::Id, true) => ("id", "DESC", "<"),
        (ContactSort::LastName, false) => ("last_name_key", "ASC", ">"),
        (ContactSort::LastName, true) => ("last_name_key", "DESC", "<"),
        (ContactSort::CreatedAt, false) => ("created_at", "ASC", ">"),
        (ContactSort::CreatedAt, true) => ("created_at", "DESC", "<"),
        (ContactSort::UpdatedAt, false) => ("updated_at", "ASC", ">"),
        (ContactSort::UpdatedAt, true) => ("updated_at", "DESC", "<"),
    }
}

/// The ORDER BY of a sort: its key, then the id, so that no two rows tie.
fn order_by(column: &str, direction: &str) -> String {
    if column == "id" {
        format!(" ORDER BY id {direction}")
    } else {
        format!(" ORDER BY {column} {direction}, id {direction}")
    }
}

/// The SELECT of one page of `query`, or `None` when its cursor cannot belong to its sort.
fn list_query(d: Dialect, tenant: TenantId, query: &ContactQuery) -> Option<Sql> {
    let mut sql = matching(d, CONTACT_COLUMNS, tenant, query);
    let (column, direction, after) = sort_of(query);
    if let Some(cursor) = &query.page.after {
        // Keyset: strictly after the cursor's (key, id) in the list's order. Row values
        // compare lexicographically and use the (tenant_id, key, id) indexes.
        match query.sort {
            ContactSort::Id => {
                sql.push(&format!(" AND id {after} ")).bind(cursor.id);
            }
            ContactSort::LastName => {
                sql.push(&format!(" AND ({column}, id) {after} ("))
                    .bind(cursor.key.clone())
                    .push(", ")
                    .bind(cursor.id)
                    .push(")");
            }
            ContactSort::CreatedAt | ContactSort::UpdatedAt => {
                let key = rows::time_of(cursor.key.parse().ok()?)?;
                sql.push(&format!(" AND ({column}, id) {after} ("))
                    .bind(key)
                    .push(", ")
                    .bind(cursor.id)
                    .push(")");
            }
        }
    }
    sql.push(&order_by(column, direction));
    sql.push(" LIMIT ").bind(fetch_limit(&query.page));
    Some(sql)
}

/// The SELECT of the matches of `query` from position `offset` (at most `limit`), in the
/// order of its pages.
fn window_query(
    d: Dialect,
    tenant: TenantId,
    query: &ContactQuery,
    offset: i64,
    limit: u32,
) -> Sql {
    let mut sql = matching(d, CONTACT_COLUMNS, tenant, query);
    let (column, direction, _) = sort_of(query);
    sql.push(&order_by(column, direction));
    sql.push(" LIMIT ")
        .bind(i64::from(limit))
        .push(" OFFSET ")
        .bind(offset);
    sql
}

static INSERT: LazyLock<String> = LazyLock::new(|| {
    let columns = CONTACT_FIELD_COLUMNS.join(", ");
    let values: Vec<String> = (3..3 + CONTACT_FIELD_COLUMNS.len())
        .map(|n| format!("?{n}"))
        .collect();
    let at = 3 + CONTACT_FIELD_COLUMNS.len();
    format!(
        "INSERT INTO contacts (tenant_id, customer_id, {columns}, created_at, created_by, updated_at, \
         updated_by, version) VALUES (?1, ?2, {}, ?{at}, ?{by}, ?{at}, ?{by}, 1)",
        values.join(", "),
        by = at + 1
    )
});

/// The UPDATE of a contact that sets `columns` (and the audit columns and version).
fn update_sql(columns: &[(&str, Param)]) -> String {
    let sets: String = columns
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{c} = ?{}, ", i + 1))
        .collect();
    let n = columns.len();
    format!(
        "UPDATE contacts SET {sets}updated_at = ?{}, updated_by = ?{}, version = version + 1 \
         WHERE tenant_id = ?{} AND id = ?{} AND version = ?{}",
        n + 1,
        n + 2,
        n + 3,
        n + 4,
        n + 5
    )
}

/// What a create of a contact writes, worked out before it reaches the writer: its columns'
/// values and its search terms.
pub(crate) struct Insert {
    values: Vec<Param>,
    terms: TermChanges,
}

impl Insert {
    /// The create of a contact with `fields`.
    pub(crate) fn new(fields: &ContactFields) -> Result<Self, RowError> {
        Ok(Self {
            values: contact_values(fields)?,
            terms: TermChanges::new(&ContactFields::default(), fields),
        })
    }
}

/// Inserts a contact of `customer` at version 1 with its search terms; returns its id. A
/// customer that is not the tenant's is `NotFound`.
pub(crate) async fn insert<C: Conn>(
    c: &mut C,
    tenant: TenantId,
    customer: CustomerId,
    insert: &Insert,
    history: &HistoryDraft,
) -> Result<i64, RepoError> {
    const EXISTS: &str = "SELECT 1 AS found FROM customers WHERE tenant_id = ?1 AND id = ?2";
    if c.fetch_first(EXISTS, &[tenant.0.into(), customer.0.into()], &rows::found)
        .await?
        .is_none()
    {
        return Err(RepoError::NotFound);
    }
    let mut params: Vec<Param> = Vec::with_capacity(insert.values.len() + 4);
    params.extend([tenant.0.into(), customer.0.into()]);
    params.extend(insert.values.iter().cloned());
    params.push(history.at.into());
    params.push(history.user_id.map(|u| u.0).into());
    // The composite foreign key backs the check above.
    let id = c
        .insert_id(&INSERT, &params)
        .await
        .map_err(DbError::missing_parent)?;
    insert.terms.write(c, tenant, id).await?;
    Ok(id)
}

/// What an update of a contact writes, worked out before it reaches the writer: the statement
/// setting only the columns that differ, their values, and the search terms that change.
pub(crate) struct Update {
    sql: String,
    values: Vec<Param>,
    terms: TermChanges,
}

impl Update {
    /// The update of a contact from `before` to `after`.
    pub(crate) fn new(before: &ContactFields, after: &ContactFields) -> Result<Self, RowError> {
        let changed = changed_values(before, after)?;
        Ok(Self {
            sql: update_sql(&changed),
            values: changed.into_iter().map(|(_, value)| value).collect(),
            terms: TermChanges::new(before, after),
        })
    }
}

/// Applies `update` to contact `id` if it is still at `expected_version` (the version its
/// fields were read at).
pub(crate) async fn update<C: Conn>(
    c: &mut C,
    tenant: TenantId,
    id: ContactId,
    expected_version: i64,
    update: &Update,
    history: &HistoryDraft,
) -> Result<(), RepoError> {
    let mut params = update.values.clone();
    params.extend([
        history.at.into(),
        history.user_id.map(|u| u.0).into(),
        tenant.0.into(),
        id.0.into(),
        expected_version.into(),
    ]);
    if c.execute(&update.sql, &params).await? == 0 {
        return Err(missed(c, "contacts", tenant, id.0).await);
    }
    update.terms.write(c, tenant, id.0).await
}

/// Deletes contact `id` if it is at `expected_version`, and its search terms; returns its
/// customer.
pub(crate) async fn delete<C: Conn>(
    c: &mut C,
    tenant: TenantId,
    id: ContactId,
    expected_version: i64,
) -> Result<CustomerId, RepoError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "DELETE FROM contacts WHERE tenant_id = ?1 AND id = ?2 AND version = ?3 \
             RETURNING {CONTACT_COLUMNS}"
        )
    });
    let deleted = c
        .fetch_first(
            &SQL,
            &[tenant.0.into(), id.0.into(), expected_version.into()],
            &rows::contact,
        )
        .await?;
    let Some(deleted) = deleted else {
        return Err(missed(c, "contacts", tenant, id.0).await);
    };
    TermChanges::new(&deleted.fields, &ContactFields::default())
        .write(c, tenant, id.0)
        .await?;
    Ok(deleted.customer_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;

    #[tokio::test(flavor = "multi_thread")]
    async fn sqlite_finds_a_primary_contact_through_its_partial_index() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("p.db").display());
        let store = SqliteStore::open(&url).await.expect("opens");
        let sql = format!("EXPLAIN QUERY PLAN {}", PRIMARY.get(Dialect::Sqlite));
        let plan = store
            .backend
            .read(move |c| {
                Box::pin(async move {
                    Ok(
                        c.fetch(&sql, &[1.into(), 2.into()], &|row| row.text("detail"))
                            .await?,
                    )
                })
            })
            .await
            .expect("a plan");
        assert!(
            plan.iter()
                .flatten()
                .any(|step| step.contains("contacts_primary")),
            "{plan:?}"
        );
        store.close().await;
    }
}
