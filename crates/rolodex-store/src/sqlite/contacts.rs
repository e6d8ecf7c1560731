//! Contacts on SQLite: the reads and the search of `ContactRepo` (filters over the
//! `contact_terms` index, sort orders, keyset pages, offset windows and their count), and the
//! statements that create, update and delete a contact and its search terms inside a writer
//! job (called by `changes`); an update writes only the columns and terms that changed.

use super::SqliteStore;
use super::rows::{self, CONTACT_COLUMNS, CONTACT_FIELD_COLUMNS, ColumnValue};
use crate::columns::{changed_values, contact_values};
use crate::paging::{fetch_limit, page_of, prefix_end};
use crate::terms::TermChanges;
use crate::{classify, is_foreign_key_violation};
use async_trait::async_trait;
use rolodex_core::ports::{ContactRepo, HistoryDraft, RepoError};
use rolodex_core::query::{ContactQuery, ContactSort, Page};
use rolodex_domain::search::{TermKind, email_key, phone_digits, query_prefixes};
use rolodex_domain::{Contact, ContactFields, ContactId, CustomerId, TenantId};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::sync::LazyLock;

#[async_trait]
impl ContactRepo for SqliteStore {
    async fn contact(&self, tenant: TenantId, id: ContactId) -> Result<Option<Contact>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE tenant_id = ? AND id = ?")
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(id.0)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::contact).transpose()?)
    }

    async fn contact_by_code(
        &self,
        tenant: TenantId,
        customer: CustomerId,
        code: &str,
    ) -> Result<Option<Contact>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts WHERE tenant_id = ? AND customer_id = ? AND code = ?"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(customer.0)
            .bind(code)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::contact).transpose()?)
    }

    async fn contact_by_external_id(
        &self,
        tenant: TenantId,
        external_id: &str,
    ) -> Result<Option<Contact>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts WHERE tenant_id = ? AND external_id = ?"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(external_id)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::contact).transpose()?)
    }

    async fn primary_contact(
        &self,
        tenant: TenantId,
        customer: CustomerId,
    ) -> Result<Option<Contact>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts WHERE tenant_id = ? AND customer_id = ? AND is_primary = 1"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(customer.0)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::contact).transpose()?)
    }

    async fn list_contacts(
        &self,
        tenant: TenantId,
        query: &ContactQuery,
    ) -> Result<Page<Contact>, RepoError> {
        let Some(mut sql) = list_query(tenant, query) else {
            // A cursor whose key cannot be of this sort (one issued for another order): no
            // row comes after it.
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        let rows = sql.build().fetch_all(&self.read).await.map_err(classify)?;
        let items = rows
            .iter()
            .map(rows::contact)
            .collect::<Result<Vec<_>, _>>()?;
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
        // One read transaction: the total and the items come from the same snapshot.
        let mut tx = self.read.begin().await.map_err(classify)?;
        let total: i64 = matching("count(*)", tenant, query)
            .build_query_scalar()
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?;
        let rows = if offset < total && limit > 0 {
            window_query(tenant, query, offset, limit)
                .build()
                .fetch_all(&mut *tx)
                .await
                .map_err(classify)?
        } else {
            Vec::new()
        };
        tx.commit().await.map_err(classify)?;
        let items = rows
            .iter()
            .map(rows::contact)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((items, total.unsigned_abs()))
    }

    async fn count_contacts(
        &self,
        tenant: TenantId,
        customer: CustomerId,
    ) -> Result<u64, RepoError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM contacts WHERE tenant_id = ? AND customer_id = ?",
        )
        .bind(tenant.0)
        .bind(customer.0)
        .fetch_one(&self.read)
        .await
        .map_err(classify)?;
        Ok(n.unsigned_abs())
    }

    async fn photo_names(&self, tenant: TenantId) -> Result<Vec<String>, RepoError> {
        sqlx::query_scalar(
            "SELECT json_extract(photo, '$.name') FROM contacts WHERE tenant_id = ? AND photo IS NOT NULL",
        )
        .bind(tenant.0)
        .fetch_all(&self.read)
        .await
        .map_err(classify)
    }
}

/// Adds `AND id IN (contacts with a `kind` term in [start, end))`; no `end` is an exact match.
fn push_term_filter(
    sql: &mut QueryBuilder<'_, Sqlite>,
    tenant: TenantId,
    kind: TermKind,
    start: String,
    end: Option<Option<String>>,
) {
    sql.push(" AND id IN (SELECT contact_id FROM contact_terms WHERE tenant_id = ")
        .push_bind(tenant.0)
        .push(" AND kind = ")
        .push_bind(kind.as_str());
    match end {
        None => {
            sql.push(" AND term = ").push_bind(start);
        }
        Some(end) => {
            sql.push(" AND term >= ").push_bind(start);
            if let Some(end) = end {
                sql.push(" AND term < ").push_bind(end);
            }
        }
    }
    sql.push(")");
}

/// `SELECT {select} FROM contacts` of the rows that match `query` (its cursor aside), in
/// the tenant: the conditions that a page, a window and their count share.
fn matching(select: &str, tenant: TenantId, query: &ContactQuery) -> QueryBuilder<'static, Sqlite> {
    let prefixes = query
        .text
        .as_deref()
        .map(query_prefixes)
        .unwrap_or_default();
    let by_terms = !prefixes.is_empty() || query.email.is_some() || query.phone.is_some();
    // Without a customer, a search by terms is driven by the matching ids: `+tenant_id` keeps
    // the tenant check but stops SQLite (which has no statistics to go by) from scanning the
    // tenant's every contact instead. With a customer, its index drives.
    let tenant_column = if by_terms && query.customer_id.is_none() {
        "+tenant_id"
    } else {
        "tenant_id"
    };
    let mut sql = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {select} FROM contacts WHERE {tenant_column} = "
    ));
    sql.push_bind(tenant.0);
    if let Some(customer) = query.customer_id {
        sql.push(" AND customer_id = ").push_bind(customer.0);
    }
    // Each prefix must start one of the contact's words (terms are lower-case, compared
    // binary, so a prefix is a plain range).
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
        // COLLATE NOCASE column: case-insensitive, through the unique index.
        sql.push(" AND external_id = ")
            .push_bind(external_id.clone());
    }
    if let Some(since) = query.updated_since {
        sql.push(" AND updated_at >= ")
            .push_bind(rows::millis(since));
    }
    super::filters::push_filters(&mut sql, &query.filters);
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
fn list_query(tenant: TenantId, query: &ContactQuery) -> Option<QueryBuilder<'static, Sqlite>> {
    let mut sql = matching(CONTACT_COLUMNS, tenant, query);
    let (column, direction, after) = sort_of(query);
    if let Some(cursor) = &query.page.after {
        // Keyset: strictly after the cursor's (key, id) in the list's order. Row values
        // compare lexicographically and use the (tenant_id, key, id) indexes.
        match query.sort {
            ContactSort::Id => {
                sql.push(format!(" AND id {after} ")).push_bind(cursor.id);
            }
            ContactSort::LastName => {
                sql.push(format!(" AND ({column}, id) {after} ("))
                    .push_bind(cursor.key.clone())
                    .push(", ")
                    .push_bind(cursor.id)
                    .push(")");
            }
            ContactSort::CreatedAt | ContactSort::UpdatedAt => {
                let key: i64 = cursor.key.parse().ok()?;
                sql.push(format!(" AND ({column}, id) {after} ("))
                    .push_bind(key)
                    .push(", ")
                    .push_bind(cursor.id)
                    .push(")");
            }
        }
    }
    sql.push(order_by(column, direction));
    sql.push(" LIMIT ").push_bind(fetch_limit(&query.page));
    Some(sql)
}

/// The SELECT of the matches of `query` from position `offset` (at most `limit`), in the
/// order of its pages.
fn window_query(
    tenant: TenantId,
    query: &ContactQuery,
    offset: i64,
    limit: u32,
) -> QueryBuilder<'static, Sqlite> {
    let mut sql = matching(CONTACT_COLUMNS, tenant, query);
    let (column, direction, _) = sort_of(query);
    sql.push(order_by(column, direction));
    sql.push(" LIMIT ")
        .push_bind(i64::from(limit))
        .push(" OFFSET ")
        .push_bind(offset);
    sql
}

/// Brings the search terms of contact `id` from those of `before` to those of `after`
/// (see [`TermChanges`]).
async fn write_terms(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    id: i64,
    before: &ContactFields,
    after: &ContactFields,
) -> Result<(), RepoError> {
    let changes = TermChanges::new(before, after);
    if let Some(mut delete) = changes.delete::<Sqlite>(tenant.0, id) {
        delete.build().execute(&mut *conn).await.map_err(classify)?;
    }
    if let Some(mut insert) = changes.insert::<Sqlite>(tenant.0, id) {
        insert.build().execute(&mut *conn).await.map_err(classify)?;
    }
    Ok(())
}

static INSERT: LazyLock<String> = LazyLock::new(|| {
    let columns = CONTACT_FIELD_COLUMNS.join(", ");
    let values = vec!["?"; CONTACT_FIELD_COLUMNS.len()].join(", ");
    format!(
        "INSERT INTO contacts (tenant_id, customer_id, {columns}, created_at, created_by, updated_at, updated_by, \
         version) VALUES (?, ?, {values}, ?, ?, ?, ?, 1) RETURNING id"
    )
});

/// The UPDATE of a contact that sets `columns` (and the audit columns and version).
fn update_sql(columns: &[(&str, ColumnValue)]) -> String {
    let sets: String = columns.iter().map(|(c, _)| format!("{c} = ?, ")).collect();
    format!(
        "UPDATE contacts SET {sets}updated_at = ?, updated_by = ?, version = version + 1 \
         WHERE tenant_id = ? AND id = ? AND version = ? RETURNING customer_id"
    )
}

/// Inserts a contact of `customer` at version 1 with its search terms; returns its id. A
/// customer that is not the tenant's is `NotFound`.
pub(super) async fn insert(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    customer: CustomerId,
    fields: &ContactFields,
    history: &HistoryDraft,
) -> Result<i64, RepoError> {
    let exists =
        sqlx::query_scalar::<_, i64>("SELECT 1 FROM customers WHERE tenant_id = ? AND id = ?")
            .bind(tenant.0)
            .bind(customer.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(classify)?;
    if exists.is_none() {
        return Err(RepoError::NotFound);
    }
    let at = rows::millis(history.at);
    let user = history.user_id.map(|u| u.0);
    let mut query = sqlx::query(&INSERT).bind(tenant.0).bind(customer.0);
    for value in contact_values(fields)? {
        query = rows::bind_value(query, value);
    }
    let row = query
        .bind(at)
        .bind(user)
        .bind(at)
        .bind(user)
        .fetch_one(&mut *conn)
        .await
        // The composite foreign key backs the check above.
        .map_err(|e| {
            if is_foreign_key_violation(&e) {
                RepoError::NotFound
            } else {
                classify(e)
            }
        })?;
    let id = rows::int(&row, "id")?;
    write_terms(conn, tenant, id, &ContactFields::default(), fields).await?;
    Ok(id)
}

/// Why a conditional update or delete matched no row.
async fn missed(conn: &mut SqliteConnection, tenant: TenantId, id: ContactId) -> RepoError {
    let exists =
        sqlx::query_scalar::<_, i64>("SELECT 1 FROM contacts WHERE tenant_id = ? AND id = ?")
            .bind(tenant.0)
            .bind(id.0)
            .fetch_optional(conn)
            .await;
    match exists {
        Ok(Some(_)) => RepoError::VersionMismatch,
        Ok(None) => RepoError::NotFound,
        Err(e) => classify(e),
    }
}

/// Changes contact `id` from `before` (its fields at `expected_version`) to `after`, if it
/// is still at that version: only the columns and search terms that differ are written.
/// Returns its customer.
pub(super) async fn update(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    id: ContactId,
    expected_version: i64,
    before: &ContactFields,
    after: &ContactFields,
    history: &HistoryDraft,
) -> Result<CustomerId, RepoError> {
    let changed = changed_values(before, after)?;
    let sql = update_sql(&changed);
    let mut query = sqlx::query(&sql);
    for (_, value) in changed {
        query = rows::bind_value(query, value);
    }
    let customer = query
        .bind(rows::millis(history.at))
        .bind(history.user_id.map(|u| u.0))
        .bind(tenant.0)
        .bind(id.0)
        .bind(expected_version)
        .fetch_optional(&mut *conn)
        .await
        .map_err(classify)?;
    let Some(row) = customer else {
        return Err(missed(conn, tenant, id).await);
    };
    write_terms(conn, tenant, id.0, before, after).await?;
    Ok(CustomerId(rows::int(&row, "customer_id")?))
}

/// Deletes contact `id` (and its search terms) if it is at `expected_version`; returns its
/// customer.
pub(super) async fn delete(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    id: ContactId,
    expected_version: i64,
) -> Result<CustomerId, RepoError> {
    let customer = sqlx::query_scalar::<_, i64>(
        "DELETE FROM contacts WHERE tenant_id = ? AND id = ? AND version = ? RETURNING customer_id",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(expected_version)
    .fetch_optional(&mut *conn)
    .await
    .map_err(classify)?;
    let Some(customer) = customer else {
        return Err(missed(conn, tenant, id).await);
    };
    sqlx::query("DELETE FROM contact_terms WHERE contact_id = ?")
        .bind(id.0)
        .execute(conn)
        .await
        .map_err(classify)?;
    Ok(CustomerId(customer))
}
