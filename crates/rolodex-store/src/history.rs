//! History entries: the reads of `HistoryRepo`, and the insert of an entry inside the write of
//! the change it records (called by `changes`).

use crate::paging::{fetch_limit, page_of};
use crate::rows::{self, HISTORY_COLUMNS, RowError};
use crate::sql::{Conn, Param, Sql, Text, json};
use crate::store::{Backend, SqlStore};
use async_trait::async_trait;
use rolodex_core::ports::{HistoryDraft, HistoryRepo, RepoError};
use rolodex_core::query::{Cursor, HistoryOrder, Page, PageRequest};
use rolodex_domain::{Change, HistoryEntry, TenantId};

#[async_trait]
impl<B: Backend> HistoryRepo for SqlStore<B> {
    async fn history(
        &self,
        tenant: TenantId,
        entity: &str,
        entity_id: i64,
        page: &PageRequest,
        order: HistoryOrder,
    ) -> Result<Page<HistoryEntry>, RepoError> {
        let (beyond, direction) = match order {
            HistoryOrder::OldestFirst => (" AND id > ", ""),
            HistoryOrder::NewestFirst => (" AND id < ", " DESC"),
        };
        let mut sql = Sql::new(format!(
            "SELECT {HISTORY_COLUMNS} FROM history WHERE tenant_id = "
        ));
        sql.bind(tenant.0)
            .push(" AND entity = ")
            .bind(entity)
            .push(" AND entity_id = ")
            .bind(entity_id);
        if let Some(after) = &page.after {
            sql.push(beyond).bind(after.id);
        }
        sql.push(" ORDER BY id")
            .push(direction)
            .push(" LIMIT ")
            .bind(fetch_limit(page));
        let items = self.query(sql, rows::history_entry).await?;
        Ok(page_of(items, page, |e| {
            Cursor::new(e.id.to_string(), e.id)
        }))
    }

    async fn history_entry(
        &self,
        tenant: TenantId,
        entity: &str,
        entity_id: i64,
        entry: i64,
    ) -> Result<Option<HistoryEntry>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "SELECT {HISTORY_COLUMNS} FROM history \
                 WHERE tenant_id = ?1 AND entity = ?2 AND entity_id = ?3 AND id = ?4"
            )
        });
        let params = vec![
            tenant.0.into(),
            entity.into(),
            entity_id.into(),
            entry.into(),
        ];
        self.first(&SQL, params, rows::history_entry).await
    }
}

/// What a history entry is about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject {
    Customer(i64),
    /// A contact, and its customer.
    Contact(i64, i64),
}

/// The document of `draft`'s changes, as an entry stores it.
pub(crate) fn changes(draft: &HistoryDraft) -> Result<Param, RowError> {
    json(&draft.changes, "changes")
}

/// Records `draft` as `change` of `subject`, which is now at `version`; `changes` is the
/// document of its changes ([`changes`]).
pub(crate) async fn insert<C: Conn>(
    c: &mut C,
    tenant: TenantId,
    subject: Subject,
    change: Change,
    version: i64,
    draft: &HistoryDraft,
    changes: Param,
) -> Result<(), RepoError> {
    const SQL: &str = "INSERT INTO history (tenant_id, entity, entity_id, customer_id, version, \
         change, at, user_id, username, surface, changes) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    let (entity, entity_id, customer_id) = match subject {
        Subject::Customer(id) => ("customer", id, None),
        Subject::Contact(id, customer) => ("contact", id, Some(customer)),
    };
    c.execute(
        SQL,
        &[
            tenant.0.into(),
            entity.into(),
            entity_id.into(),
            customer_id.into(),
            version.into(),
            change.as_str().into(),
            draft.at.into(),
            draft.user_id.map(|u| u.0).into(),
            draft.username.as_str().into(),
            draft.surface.as_str().into(),
            changes,
        ],
    )
    .await?;
    Ok(())
}
