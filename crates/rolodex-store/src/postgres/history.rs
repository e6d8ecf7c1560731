//! History entries on PostgreSQL: the reads of `HistoryRepo`, and the insert of an entry inside
//! the transaction of the change it records (called by `changes`).

use super::rows::{self, HISTORY_COLUMNS};
use super::{PgStore, classify};
use crate::paging::{fetch_limit, page_of};
use async_trait::async_trait;
use rolodex_core::ports::{HistoryDraft, HistoryRepo, RepoError};
use rolodex_core::query::{Cursor, Page, PageRequest};
use rolodex_domain::{Change, HistoryEntry, TenantId};
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder};

#[async_trait]
impl HistoryRepo for PgStore {
    async fn history(
        &self,
        tenant: TenantId,
        entity: &str,
        entity_id: i64,
        page: &PageRequest,
    ) -> Result<Page<HistoryEntry>, RepoError> {
        let mut sql = QueryBuilder::<Postgres>::new(format!(
            "SELECT {HISTORY_COLUMNS} FROM history WHERE tenant_id = "
        ));
        sql.push_bind(tenant.0)
            .push(" AND entity = ")
            .push_bind(entity.to_owned())
            .push(" AND entity_id = ")
            .push_bind(entity_id);
        if let Some(after) = &page.after {
            sql.push(" AND id > ").push_bind(after.id);
        }
        sql.push(" ORDER BY id LIMIT ").push_bind(fetch_limit(page));
        let rows = sql.build().fetch_all(&self.pool).await.map_err(classify)?;
        let items = rows
            .iter()
            .map(rows::history_entry)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(items, page, |e| {
            Cursor::new(e.id.to_string(), e.id)
        }))
    }
}

/// What a history entry is about.
#[derive(Debug, Clone, Copy)]
pub(super) enum Subject {
    Customer(i64),
    /// A contact, and its customer.
    Contact(i64, i64),
}

/// Records `draft` as `change` of `subject`, which is now at `version`.
pub(super) async fn insert(
    conn: &mut PgConnection,
    tenant: TenantId,
    subject: Subject,
    change: Change,
    version: i64,
    draft: &HistoryDraft,
) -> Result<(), RepoError> {
    let (entity, entity_id, customer_id) = match subject {
        Subject::Customer(id) => ("customer", id, None),
        Subject::Contact(id, customer) => ("contact", id, Some(customer)),
    };
    sqlx::query(
        "INSERT INTO history (tenant_id, entity, entity_id, customer_id, version, change, at, user_id, username, \
         surface, changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(tenant.0)
    .bind(entity)
    .bind(entity_id)
    .bind(customer_id)
    .bind(version)
    .bind(change.as_str())
    .bind(rows::at(draft.at))
    .bind(draft.user_id.map(|u| u.0))
    .bind(draft.username.as_str())
    .bind(draft.surface.as_str())
    .bind(Json(&draft.changes))
    .execute(conn)
    .await
    .map_err(classify)?;
    Ok(())
}
