//! The `Writer` port: every write of one call, with its history entry, in one write of the
//! backend (a savepoint of a group commit on SQLite, a transaction on PostgreSQL), so that all
//! of them land or none does. Updates and deletes match the expected version in their `WHERE`:
//! of two writes (of any nodes) from one version, the second finds another version and fails.

use crate::columns::RowError;
use crate::history::{self, Subject};
use crate::rows;
use crate::sql::{Conn, Param};
use crate::store::{Backend, SqlStore};
use crate::{contacts, customers};
use async_trait::async_trait;
use rolodex_core::ports::{RepoError, Write, WriteOp, Writer};
use rolodex_domain::{Change, TenantId};

#[async_trait]
impl<B: Backend> Writer for SqlStore<B> {
    async fn write(&self, tenant: TenantId, writes: Vec<Write>) -> Result<Vec<i64>, RepoError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let prepared = writes
            .iter()
            .map(Prepared::new)
            .collect::<Result<Vec<_>, RowError>>()?;
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    let mut ids = Vec::with_capacity(writes.len());
                    let mut previous = None;
                    for (write, prepared) in writes.iter().zip(&prepared) {
                        let id = apply(c, tenant, write, prepared, previous).await?;
                        previous = Some((&write.op, id));
                        ids.push(id);
                    }
                    Ok(ids)
                })
            })
            .await
    }
}

/// What a write needs that does not depend on the stored data, worked out before the write
/// reaches the backend (on SQLite, off the one writer thread): its history entry's document,
/// and a contact update's statement and search terms.
struct Prepared {
    changes: Param,
    update: Option<contacts::Update>,
}

impl Prepared {
    fn new(write: &Write) -> Result<Self, RowError> {
        let update = match &write.op {
            WriteOp::UpdateContact { before, fields, .. } => {
                Some(contacts::Update::new(before, fields)?)
            }
            _ => None,
        };
        Ok(Self {
            changes: history::changes(&write.history)?,
            update,
        })
    }
}

/// Applies one write and records its history entry; returns the entity's id. The entry's
/// change is the one the operation makes (the draft's `change` is not trusted to agree).
async fn apply<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    write: &Write,
    prepared: &Prepared,
    previous: Option<(&WriteOp, i64)>,
) -> Result<i64, RepoError> {
    let draft = &write.history;
    let (subject, change, version) = match &write.op {
        WriteOp::CreateCustomer { fields } => {
            let id = customers::insert(conn, tenant, fields, draft).await?;
            (Subject::Customer(id), Change::Create, 1)
        }
        WriteOp::UpdateCustomer {
            id,
            expected_version,
            fields,
        } => {
            customers::update(conn, tenant, *id, *expected_version, fields, draft).await?;
            (
                Subject::Customer(id.0),
                Change::Update,
                expected_version + 1,
            )
        }
        WriteOp::DeleteCustomer {
            id,
            expected_version,
        } => {
            customers::delete(conn, tenant, *id, *expected_version).await?;
            (
                Subject::Customer(id.0),
                Change::Delete,
                expected_version + 1,
            )
        }
        WriteOp::CreateContact {
            customer_id,
            fields,
        } => {
            let id = contacts::insert(conn, tenant, *customer_id, fields, draft).await?;
            (Subject::Contact(id, customer_id.0), Change::Create, 1)
        }
        WriteOp::CreateContactOfNewCustomer { fields } => {
            let customer_id = crate::new_customer(previous)?;
            let id = contacts::insert(conn, tenant, customer_id, fields, draft).await?;
            (Subject::Contact(id, customer_id.0), Change::Create, 1)
        }
        WriteOp::UpdateContact {
            id,
            customer_id,
            expected_version,
            ..
        } => {
            let update = prepared
                .update
                .as_ref()
                .ok_or_else(|| RepoError::Other("a contact update was not prepared".into()))?;
            contacts::update(conn, tenant, *id, *expected_version, update, draft).await?;
            (
                Subject::Contact(id.0, customer_id.0),
                Change::Update,
                expected_version + 1,
            )
        }
        WriteOp::DeleteContact {
            id,
            expected_version,
        } => {
            let customer = contacts::delete(conn, tenant, *id, *expected_version).await?;
            (
                Subject::Contact(id.0, customer.0),
                Change::Delete,
                expected_version + 1,
            )
        }
    };
    history::insert(
        conn,
        tenant,
        subject,
        change,
        version,
        draft,
        prepared.changes.clone(),
    )
    .await?;
    Ok(match subject {
        Subject::Customer(id) | Subject::Contact(id, _) => id,
    })
}

/// Why a conditional update or delete of row `id` of `table` matched no row: the row is not in
/// the tenant, or it has another version.
pub(crate) async fn missed<C: Conn>(
    c: &mut C,
    table: &'static str,
    tenant: TenantId,
    id: i64,
) -> RepoError {
    let sql = format!("SELECT 1 AS found FROM {table} WHERE tenant_id = ?1 AND id = ?2");
    match c
        .fetch_first(&sql, &[tenant.0.into(), id.into()], &rows::found)
        .await
    {
        Ok(Some(())) => RepoError::VersionMismatch,
        Ok(None) => RepoError::NotFound,
        Err(e) => e.classify(),
    }
}
