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
use rolodex_core::ports::{HistoryDraft, RepoError, Write, WriteOp, Writer};
use rolodex_domain::{Change, ContactId, CustomerFields, CustomerId, TenantId};

#[async_trait]
impl<B: Backend> Writer for SqlStore<B> {
    async fn write(&self, tenant: TenantId, writes: Vec<Write>) -> Result<Vec<i64>, RepoError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let prepared = writes
            .into_iter()
            .map(Prepared::new)
            .collect::<Result<Vec<_>, RowError>>()?;
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    let mut ids = Vec::with_capacity(prepared.len());
                    let mut previous = None;
                    for write in &prepared {
                        let id = apply(c, tenant, write, previous).await?;
                        previous = Some((&write.op, id));
                        ids.push(id);
                    }
                    Ok(ids)
                })
            })
            .await
    }
}

/// A write worked out as far as it can be before it reaches the backend (on SQLite, off the
/// one writer thread): its history entry's document, and for a contact the values and search
/// terms its create writes, or the statement and term changes of its update.
struct Prepared {
    op: Op,
    history: HistoryDraft,
    changes: Param,
}

/// A [`WriteOp`] with what its statements need.
enum Op {
    CreateCustomer {
        fields: CustomerFields,
    },
    UpdateCustomer {
        id: CustomerId,
        expected_version: i64,
        fields: CustomerFields,
    },
    DeleteCustomer {
        id: CustomerId,
        expected_version: i64,
    },
    CreateContact {
        customer: Owner,
        insert: contacts::Insert,
    },
    UpdateContact {
        id: ContactId,
        customer_id: CustomerId,
        expected_version: i64,
        update: contacts::Update,
    },
    DeleteContact {
        id: ContactId,
        expected_version: i64,
    },
}

/// The customer a new contact belongs to.
enum Owner {
    Existing(CustomerId),
    /// The one the call's previous write creates.
    New,
}

impl Prepared {
    fn new(write: Write) -> Result<Self, RowError> {
        let changes = history::changes(&write.history)?;
        let op = match write.op {
            WriteOp::CreateCustomer { fields } => Op::CreateCustomer { fields },
            WriteOp::UpdateCustomer {
                id,
                expected_version,
                fields,
            } => Op::UpdateCustomer {
                id,
                expected_version,
                fields,
            },
            WriteOp::DeleteCustomer {
                id,
                expected_version,
            } => Op::DeleteCustomer {
                id,
                expected_version,
            },
            WriteOp::CreateContact {
                customer_id,
                fields,
            } => Op::CreateContact {
                customer: Owner::Existing(customer_id),
                insert: contacts::Insert::new(&fields)?,
            },
            WriteOp::CreateContactOfNewCustomer { fields } => Op::CreateContact {
                customer: Owner::New,
                insert: contacts::Insert::new(&fields)?,
            },
            WriteOp::UpdateContact {
                id,
                customer_id,
                expected_version,
                before,
                fields,
            } => Op::UpdateContact {
                id,
                customer_id,
                expected_version,
                update: contacts::Update::new(&before, &fields)?,
            },
            WriteOp::DeleteContact {
                id,
                expected_version,
            } => Op::DeleteContact {
                id,
                expected_version,
            },
        };
        Ok(Self {
            op,
            history: write.history,
            changes,
        })
    }
}

/// Applies one write and records its history entry; returns the entity's id. The entry's
/// change is the one the operation makes (the draft's `change` is not trusted to agree).
/// `previous` is the call's previous write and the id it returned.
async fn apply<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    write: &Prepared,
    previous: Option<(&Op, i64)>,
) -> Result<i64, RepoError> {
    let draft = &write.history;
    let (subject, change, version) = match &write.op {
        Op::CreateCustomer { fields } => {
            let id = customers::insert(conn, tenant, fields, draft).await?;
            (Subject::Customer(id), Change::Create, 1)
        }
        Op::UpdateCustomer {
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
        Op::DeleteCustomer {
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
        Op::CreateContact { customer, insert } => {
            let customer_id = match customer {
                Owner::Existing(id) => *id,
                Owner::New => new_customer(previous)?,
            };
            let id = contacts::insert(conn, tenant, customer_id, insert, draft).await?;
            (Subject::Contact(id, customer_id.0), Change::Create, 1)
        }
        Op::UpdateContact {
            id,
            customer_id,
            expected_version,
            update,
        } => {
            contacts::update(conn, tenant, *id, *expected_version, update, draft).await?;
            (
                Subject::Contact(id.0, customer_id.0),
                Change::Update,
                expected_version + 1,
            )
        }
        Op::DeleteContact {
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
        write.changes.clone(),
    )
    .await?;
    Ok(match subject {
        Subject::Customer(id) | Subject::Contact(id, _) => id,
    })
}

/// The customer of a contact created with a new customer: the one the call's previous write
/// created.
fn new_customer(previous: Option<(&Op, i64)>) -> Result<CustomerId, RepoError> {
    match previous {
        Some((Op::CreateCustomer { .. }, id)) => Ok(CustomerId(id)),
        _ => Err(RepoError::Other(
            "a contact of a new customer must directly follow the customer's creation".into(),
        )),
    }
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
