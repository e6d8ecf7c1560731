//! Customers on SQLite: the reads of `CustomerRepo`, and the statements that create, update and
//! delete a customer inside a writer job (called by `changes`, which adds the history entry).

use super::SqliteStore;
use super::rows::{self, CUSTOMER_COLUMNS};
use crate::paging::{fetch_limit, page_of, prefix_end};
use crate::{classify, is_foreign_key_violation};
use async_trait::async_trait;
use rolodex_core::ports::{ConflictKind, CustomerRepo, HistoryDraft, RepoError};
use rolodex_core::query::{Cursor, Page, PageRequest};
use rolodex_domain::{Customer, CustomerFields, CustomerId, TenantId};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::sync::LazyLock;

#[async_trait]
impl CustomerRepo for SqliteStore {
    async fn customer(
        &self,
        tenant: TenantId,
        id: CustomerId,
    ) -> Result<Option<Customer>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = ? AND id = ?")
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(id.0)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::customer).transpose()?)
    }

    async fn customer_by_code(
        &self,
        tenant: TenantId,
        code: &str,
    ) -> Result<Option<Customer>, RepoError> {
        // `code` is COLLATE NOCASE: the comparison ignores case and uses the unique index.
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = ? AND code = ?")
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(code)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::customer).transpose()?)
    }

    async fn customer_by_name(
        &self,
        tenant: TenantId,
        name: &str,
    ) -> Result<Option<Customer>, RepoError> {
        // `name` is COLLATE NOCASE and indexed with the tenant.
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = ? AND name = ? \
                 ORDER BY id LIMIT 1"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(name)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::customer).transpose()?)
    }

    async fn list_customers(
        &self,
        tenant: TenantId,
        text: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Customer>, RepoError> {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        // With a text filter, the matching ids drive the query (`+tenant_id` keeps the tenant
        // check but stops SQLite from scanning the whole tenant instead).
        let tenant_column = if text.is_some() {
            "+tenant_id"
        } else {
            "tenant_id"
        };
        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE {tenant_column} = "
        ));
        query.push_bind(tenant.0);
        if let Some(after) = &page.after {
            query.push(" AND id > ").push_bind(after.id);
        }
        if let Some(text) = text {
            // A prefix as a range on each column, so that the (tenant_id, code) and
            // (tenant_id, name) indexes serve it; both columns compare COLLATE NOCASE.
            let start = text.to_ascii_lowercase();
            let end = prefix_end(&start, true);
            query.push(" AND id IN (");
            for (i, column) in ["code", "name"].into_iter().enumerate() {
                if i > 0 {
                    query.push(" UNION ALL ");
                }
                query
                    .push("SELECT id FROM customers WHERE tenant_id = ")
                    .push_bind(tenant.0)
                    .push(format!(" AND {column} >= "))
                    .push_bind(start.clone());
                if let Some(end) = &end {
                    query
                        .push(format!(" AND {column} < "))
                        .push_bind(end.clone());
                }
            }
            query.push(")");
        }
        query
            .push(" ORDER BY id LIMIT ")
            .push_bind(fetch_limit(page));
        let rows = query
            .build()
            .fetch_all(&self.read)
            .await
            .map_err(classify)?;
        let items = rows
            .iter()
            .map(rows::customer)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(items, page, |c| {
            Cursor::new(c.id.0.to_string(), c.id.0)
        }))
    }
}

/// Inserts a customer at version 1, audited by `history`; returns its id.
pub(super) async fn insert(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    fields: &CustomerFields,
    history: &HistoryDraft,
) -> Result<i64, RepoError> {
    let at = rows::millis(history.at);
    let user = history.user_id.map(|u| u.0);
    let custom_fields = rows::customer_custom_fields(fields)?;
    sqlx::query_scalar(
        "INSERT INTO customers (tenant_id, code, name, website, address, city, state, postal_code, \
         country, custom_fields, created_at, created_by, updated_at, updated_by, version) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
    )
    .bind(tenant.0)
    .bind(&fields.code)
    .bind(fields.name.as_deref())
    .bind(fields.website.as_deref())
    .bind(fields.address.as_deref())
    .bind(fields.city.as_deref())
    .bind(fields.state.as_deref())
    .bind(fields.postal_code.as_deref())
    .bind(fields.country.as_deref())
    .bind(custom_fields)
    .bind(at)
    .bind(user)
    .bind(at)
    .bind(user)
    .fetch_one(conn)
    .await
    .map_err(classify)
}

/// Why a conditional update or delete matched no row: the row is not in the tenant, or it
/// has another version.
async fn missed(conn: &mut SqliteConnection, tenant: TenantId, id: CustomerId) -> RepoError {
    let exists =
        sqlx::query_scalar::<_, i64>("SELECT 1 FROM customers WHERE tenant_id = ? AND id = ?")
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

/// Replaces the fields of customer `id` if it is at `expected_version`.
pub(super) async fn update(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    id: CustomerId,
    expected_version: i64,
    fields: &CustomerFields,
    history: &HistoryDraft,
) -> Result<(), RepoError> {
    let custom_fields = rows::customer_custom_fields(fields)?;
    let done = sqlx::query(
        "UPDATE customers SET code = ?, name = ?, website = ?, address = ?, city = ?, state = ?, \
         postal_code = ?, country = ?, custom_fields = ?, updated_at = ?, updated_by = ?, \
         version = version + 1 WHERE tenant_id = ? AND id = ? AND version = ?",
    )
    .bind(&fields.code)
    .bind(fields.name.as_deref())
    .bind(fields.website.as_deref())
    .bind(fields.address.as_deref())
    .bind(fields.city.as_deref())
    .bind(fields.state.as_deref())
    .bind(fields.postal_code.as_deref())
    .bind(fields.country.as_deref())
    .bind(custom_fields)
    .bind(rows::millis(history.at))
    .bind(history.user_id.map(|u| u.0))
    .bind(tenant.0)
    .bind(id.0)
    .bind(expected_version)
    .execute(&mut *conn)
    .await
    .map_err(classify)?;
    if done.rows_affected() == 0 {
        return Err(missed(conn, tenant, id).await);
    }
    Ok(())
}

/// Deletes customer `id` if it is at `expected_version` and has no contacts.
pub(super) async fn delete(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    id: CustomerId,
    expected_version: i64,
) -> Result<(), RepoError> {
    let done = sqlx::query("DELETE FROM customers WHERE tenant_id = ? AND id = ? AND version = ?")
        .bind(tenant.0)
        .bind(id.0)
        .bind(expected_version)
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            // contacts' foreign key is ON DELETE RESTRICT.
            if is_foreign_key_violation(&e) {
                RepoError::Conflict(ConflictKind::CustomerHasContacts)
            } else {
                classify(e)
            }
        })?;
    if done.rows_affected() == 0 {
        return Err(missed(conn, tenant, id).await);
    }
    Ok(())
}
