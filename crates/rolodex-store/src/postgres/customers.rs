//! Customers on PostgreSQL: the reads of `CustomerRepo`, and the statements that create, update
//! and delete a customer inside a write's transaction (called by `changes`, which adds the
//! history entry).

use super::rows::{self, CUSTOMER_COLUMNS};
use super::{PgStore, classify, is_foreign_key_violation};
use crate::paging::{fetch_limit, page_of, prefix_end};
use async_trait::async_trait;
use rolodex_core::ports::{ConflictKind, CustomerRepo, HistoryDraft, RepoError};
use rolodex_core::query::{Cursor, Page, PageRequest};
use rolodex_domain::{Customer, CustomerFields, CustomerId, TenantId};
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use std::sync::LazyLock;

#[async_trait]
impl CustomerRepo for PgStore {
    async fn customer(
        &self,
        tenant: TenantId,
        id: CustomerId,
    ) -> Result<Option<Customer>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = $1 AND id = $2")
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::customer).transpose()?)
    }

    async fn customer_by_code(
        &self,
        tenant: TenantId,
        code: &str,
    ) -> Result<Option<Customer>, RepoError> {
        // The unique index is on rolodex_nocase(code): ASCII case is ignored, as on SQLite.
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers \
                 WHERE tenant_id = $1 AND rolodex_nocase(code) = rolodex_nocase($2)"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(code)
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::customer).transpose()?)
    }

    async fn customer_by_name(
        &self,
        tenant: TenantId,
        name: &str,
    ) -> Result<Option<Customer>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers \
                 WHERE tenant_id = $1 AND rolodex_nocase(name) = rolodex_nocase($2) ORDER BY id LIMIT 1"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(name)
            .fetch_optional(&self.pool)
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
        let mut query = QueryBuilder::<Postgres>::new(format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = "
        ));
        query.push_bind(tenant.0);
        if let Some(after) = &page.after {
            query.push(" AND id > ").push_bind(after.id);
        }
        if let Some(text) = text {
            // A prefix as a byte-order range on each folded column, so that the expression
            // indexes serve it.
            let start = text.to_ascii_lowercase();
            let end = prefix_end(&start, true);
            query.push(" AND (");
            for (i, column) in ["code", "name"].into_iter().enumerate() {
                if i > 0 {
                    query.push(" OR ");
                }
                query
                    .push(format!("(rolodex_nocase({column}) >= "))
                    .push_bind(start.clone());
                if let Some(end) = &end {
                    query
                        .push(format!(" AND rolodex_nocase({column}) < "))
                        .push_bind(end.clone());
                }
                query.push(")");
            }
            query.push(")");
        }
        query
            .push(" ORDER BY id LIMIT ")
            .push_bind(fetch_limit(page));
        let rows = query
            .build()
            .fetch_all(&self.pool)
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
    conn: &mut PgConnection,
    tenant: TenantId,
    fields: &CustomerFields,
    history: &HistoryDraft,
) -> Result<i64, RepoError> {
    let at = rows::at(history.at);
    let user = history.user_id.map(|u| u.0);
    sqlx::query_scalar(
        "INSERT INTO customers (tenant_id, code, name, website, address, city, state, postal_code, \
         country, custom_fields, created_at, created_by, updated_at, updated_by, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12, 1) RETURNING id",
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
    .bind(Json(&fields.custom_fields))
    .bind(at)
    .bind(user)
    .fetch_one(conn)
    .await
    .map_err(classify)
}

/// Why a conditional update or delete matched no row: the row is not in the tenant, or it
/// has another version.
async fn missed(conn: &mut PgConnection, tenant: TenantId, id: CustomerId) -> RepoError {
    let exists =
        sqlx::query_scalar::<_, i32>("SELECT 1 FROM customers WHERE tenant_id = $1 AND id = $2")
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
    conn: &mut PgConnection,
    tenant: TenantId,
    id: CustomerId,
    expected_version: i64,
    fields: &CustomerFields,
    history: &HistoryDraft,
) -> Result<(), RepoError> {
    let done = sqlx::query(
        "UPDATE customers SET code = $1, name = $2, website = $3, address = $4, city = $5, state = $6, \
         postal_code = $7, country = $8, custom_fields = $9, updated_at = $10, updated_by = $11, \
         version = version + 1 WHERE tenant_id = $12 AND id = $13 AND version = $14",
    )
    .bind(&fields.code)
    .bind(fields.name.as_deref())
    .bind(fields.website.as_deref())
    .bind(fields.address.as_deref())
    .bind(fields.city.as_deref())
    .bind(fields.state.as_deref())
    .bind(fields.postal_code.as_deref())
    .bind(fields.country.as_deref())
    .bind(Json(&fields.custom_fields))
    .bind(rows::at(history.at))
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
    conn: &mut PgConnection,
    tenant: TenantId,
    id: CustomerId,
    expected_version: i64,
) -> Result<(), RepoError> {
    let done =
        sqlx::query("DELETE FROM customers WHERE tenant_id = $1 AND id = $2 AND version = $3")
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
