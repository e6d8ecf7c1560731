//! Customers: the reads of `CustomerRepo`, and the statements that create, update and delete a
//! customer inside a write (called by `changes`, which adds the history entry).

use crate::changes::missed;
use crate::paging::{fetch_limit, page_of, prefix_end};
use crate::rows::{self, CUSTOMER_COLUMNS};
use crate::sql::{Conn, Param, Sql, Text, json};
use crate::store::{Backend, SqlStore};
use async_trait::async_trait;
use rolodex_core::ports::{ConflictKind, CustomerRepo, HistoryDraft, RepoError};
use rolodex_core::query::{Cursor, Page, PageRequest};
use rolodex_domain::{Customer, CustomerFields, CustomerId, TenantId};

#[async_trait]
impl<B: Backend> CustomerRepo for SqlStore<B> {
    async fn customer(
        &self,
        tenant: TenantId,
        id: CustomerId,
    ) -> Result<Option<Customer>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = ?1 AND id = ?2")
        });
        self.first(&SQL, vec![tenant.0.into(), id.0.into()], rows::customer)
            .await
    }

    async fn customer_by_code(
        &self,
        tenant: TenantId,
        code: &str,
    ) -> Result<Option<Customer>, RepoError> {
        // Case is ignored, through the (tenant_id, code) unique index.
        static SQL: Text = Text::new(|d| {
            format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = ?1 AND {} = {}",
                d.nocase("code"),
                d.nocase("?2")
            )
        });
        let params: Vec<Param> = vec![tenant.0.into(), code.into()];
        self.first(&SQL, params, rows::customer).await
    }

    async fn customer_by_name(
        &self,
        tenant: TenantId,
        name: &str,
    ) -> Result<Option<Customer>, RepoError> {
        // Case is ignored, through the (tenant_id, name) index.
        static SQL: Text = Text::new(|d| {
            format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = ?1 AND {} = {} \
                 ORDER BY id LIMIT 1",
                d.nocase("name"),
                d.nocase("?2")
            )
        });
        let params: Vec<Param> = vec![tenant.0.into(), name.into()];
        self.first(&SQL, params, rows::customer).await
    }

    async fn list_customers(
        &self,
        tenant: TenantId,
        text: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Customer>, RepoError> {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        let sql = list_query(self.dialect(), tenant, text, page);
        let items = self.query(sql, rows::customer).await?;
        Ok(page_of(items, page, |c| {
            Cursor::new(c.id.0.to_string(), c.id.0)
        }))
    }
}

/// One page of a tenant's customers in id order, those whose code or name starts with `text`
/// (ignoring case) when it is given.
fn list_query(
    d: crate::sql::Dialect,
    tenant: TenantId,
    text: Option<&str>,
    page: &PageRequest,
) -> Sql {
    // With a text filter, the matching ids drive the query.
    let tenant_column = if text.is_some() {
        d.unindexed("tenant_id")
    } else {
        "tenant_id".into()
    };
    let mut sql = Sql::new(format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE {tenant_column} = "
    ));
    sql.bind(tenant.0);
    if let Some(after) = &page.after {
        sql.push(" AND id > ").bind(after.id);
    }
    if let Some(text) = text {
        // A prefix as a range on each column (compared ignoring case, in byte order), so
        // that the (tenant_id, code) and (tenant_id, name) indexes serve it.
        let start = text.to_ascii_lowercase();
        let end = prefix_end(&start, true);
        sql.push(" AND id IN (");
        for (i, column) in ["code", "name"].into_iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ALL ");
            }
            let column = d.nocase(column);
            sql.push("SELECT id FROM customers WHERE tenant_id = ")
                .bind(tenant.0)
                .push(&format!(" AND {column} >= "))
                .bind(start.clone());
            if let Some(end) = &end {
                sql.push(&format!(" AND {column} < ")).bind(end.clone());
            }
        }
        sql.push(")");
    }
    sql.push(" ORDER BY id LIMIT ").bind(fetch_limit(page));
    sql
}

/// The bound values of a customer's fields, in the order of the columns `code` to
/// `custom_fields`.
fn field_values(fields: &CustomerFields) -> Result<Vec<Param>, RepoError> {
    Ok(vec![
        fields.code.as_str().into(),
        fields.name.clone().into(),
        fields.website.clone().into(),
        fields.address.clone().into(),
        fields.city.clone().into(),
        fields.state.clone().into(),
        fields.postal_code.clone().into(),
        fields.country.clone().into(),
        json(&fields.custom_fields, "custom_fields")?,
    ])
}

/// Inserts a customer at version 1, audited by `history`; returns its id.
pub(crate) async fn insert<C: Conn>(
    c: &mut C,
    tenant: TenantId,
    fields: &CustomerFields,
    history: &HistoryDraft,
) -> Result<i64, RepoError> {
    const SQL: &str = "INSERT INTO customers (tenant_id, code, name, website, address, city, state, \
         postal_code, country, custom_fields, created_at, created_by, updated_at, updated_by, version) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?11, ?12, 1)";
    let mut params = vec![tenant.0.into()];
    params.extend(field_values(fields)?);
    params.push(history.at.into());
    params.push(history.user_id.map(|u| u.0).into());
    Ok(c.insert_id(SQL, &params).await?)
}

/// Replaces the fields of customer `id` if it is at `expected_version`.
pub(crate) async fn update<C: Conn>(
    c: &mut C,
    tenant: TenantId,
    id: CustomerId,
    expected_version: i64,
    fields: &CustomerFields,
    history: &HistoryDraft,
) -> Result<(), RepoError> {
    const SQL: &str = "UPDATE customers SET code = ?1, name = ?2, website = ?3, address = ?4, \
         city = ?5, state = ?6, postal_code = ?7, country = ?8, custom_fields = ?9, \
         updated_at = ?10, updated_by = ?11, version = version + 1 \
         WHERE tenant_id = ?12 AND id = ?13 AND version = ?14";
    let mut params = field_values(fields)?;
    params.extend([
        history.at.into(),
        history.user_id.map(|u| u.0).into(),
        tenant.0.into(),
        id.0.into(),
        expected_version.into(),
    ]);
    if c.execute(SQL, &params).await? == 0 {
        return Err(missed(c, "customers", tenant, id.0).await);
    }
    Ok(())
}

/// Deletes customer `id` if it is at `expected_version` and has no contacts.
pub(crate) async fn delete<C: Conn>(
    c: &mut C,
    tenant: TenantId,
    id: CustomerId,
    expected_version: i64,
) -> Result<(), RepoError> {
    const SQL: &str = "DELETE FROM customers WHERE tenant_id = ?1 AND id = ?2 AND version = ?3";
    let done = c
        .execute(
            SQL,
            &[tenant.0.into(), id.0.into(), expected_version.into()],
        )
        .await
        .map_err(|e| {
            // contacts' foreign key is ON DELETE RESTRICT.
            if e.is_foreign_key_violation() {
                RepoError::Conflict(ConflictKind::CustomerHasContacts)
            } else {
                e.classify()
            }
        })?;
    if done == 0 {
        return Err(missed(c, "customers", tenant, id.0).await);
    }
    Ok(())
}
