//! Customer use cases: create, read, list, patch, delete, history, and restoring values from
//! history.

use crate::auth::AuthService;
use crate::caller::Caller;
use crate::clock::Clock;
use crate::contacts::{check_owner, history_entry};
use crate::error::CoreError;
use crate::ports::{ConflictKind, RepoError, Store, Write, WriteOp};
use crate::query::{HistoryOrder, MAX_PAGE_SIZE, Page, PageRequest};
use crate::write::{
    Attempt, MAX_ATTEMPTS, Precondition, RecordKind, RecordLocks, history, repo_error, retrying,
    settle,
};
use rolodex_domain::history::diff;
use rolodex_domain::{
    Contact, ContactFields, ContactId, ContactPatch, Customer, CustomerFields, CustomerId,
    CustomerPatch, HistoryEntry, Patch, Restore, Role, code_from_name,
};
use serde_json::Map;
use std::sync::Arc;
use time::OffsetDateTime;

/// How many codes derived from one name are tried before giving up.
const MAX_DERIVED_CODES: u32 = 50;

const LIST_SCOPE: &str = "customers";

#[derive(Clone)]
pub struct CustomerService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    locks: Arc<RecordLocks>,
}

impl CustomerService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, locks: Arc<RecordLocks>) -> Self {
        Self {
            store,
            clock,
            locks,
        }
    }

    /// Creates a customer. One sent without a code but with a name gets a code derived from
    /// the name (see [`code_from_name`]), the first candidate no other customer has.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id))]
    pub async fn create(
        &self,
        caller: &Caller,
        patch: CustomerPatch,
    ) -> Result<Customer, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        self.create_inner(caller, patch, None)
            .await
            .map(|(customer, _)| customer)
    }

    /// Creates a customer (as [`Self::create`]) with its first contact, made its primary, in
    /// one write: both land or neither does.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id))]
    pub async fn create_with_contact(
        &self,
        caller: &Caller,
        patch: CustomerPatch,
        contact: ContactPatch,
    ) -> Result<(Customer, Contact), CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let contact = ContactFields::default().apply(ContactPatch {
            is_primary: Patch::Set(true),
            ..contact
        })?;
        check_owner(self.store.as_ref(), caller, &contact, None).await?;
        match self.create_inner(caller, patch, Some(contact)).await? {
            (customer, Some(contact)) => Ok((customer, contact)),
            (_, None) => Err(CoreError::Internal(
                "the customer's contact was not created".into(),
            )),
        }
    }

    async fn create_inner(
        &self,
        caller: &Caller,
        patch: CustomerPatch,
        contact: Option<ContactFields>,
    ) -> Result<(Customer, Option<Contact>), CoreError> {
        let name = match (&patch.code, &patch.name) {
            (Patch::Absent, Patch::Set(name)) if !name.trim().is_empty() => name.clone(),
            _ => {
                let fields = CustomerFields::default().apply(patch)?;
                return self
                    .insert(caller, fields, contact)
                    .await
                    .map_err(repo_error("customer"));
            }
        };
        for attempt in 1..=MAX_DERIVED_CODES {
            let code = code_from_name(&name, attempt);
            let fields = CustomerFields::default().apply(CustomerPatch {
                code: Patch::Set(code.clone()),
                ..patch.clone()
            })?;
            if self.get_by_code(caller, &code).await.is_ok() {
                continue;
            }
            match self.insert(caller, fields, contact.clone()).await {
                Err(RepoError::Conflict(ConflictKind::DuplicateCustomerCode)) => continue,
                result => return result.map_err(repo_error("customer")),
            }
        }
        Err(CoreError::Conflict {
            code: "duplicate_customer_code",
            message: format!(
                "{MAX_DERIVED_CODES} customers already have codes derived from this name: send a code"
            ),
        })
    }

    /// Writes a new customer, and its first contact when there is one, in one call.
    async fn insert(
        &self,
        caller: &Caller,
        fields: CustomerFields,
        contact: Option<ContactFields>,
    ) -> Result<(Customer, Option<Contact>), RepoError> {
        let at = self.clock.now();
        let mut writes = vec![Write {
            op: WriteOp::CreateCustomer {
                fields: fields.clone(),
            },
            history: history(caller, at, diff(&Map::new(), &fields.snapshot())),
        }];
        if let Some(contact) = &contact {
            writes.push(Write {
                op: WriteOp::CreateContactOfNewCustomer {
                    fields: contact.clone(),
                },
                history: history(caller, at, diff(&Map::new(), &contact.snapshot())),
            });
        }
        let ids = self.store.write(caller.tenant_id, writes).await?;
        let customer = Customer {
            id: CustomerId(ids[0]),
            tenant_id: caller.tenant_id,
            fields,
            created_at: at,
            created_by: caller.user_id,
            updated_at: at,
            updated_by: caller.user_id,
            version: 1,
        };
        let contact = contact.zip(ids.get(1)).map(|(fields, id)| Contact {
            id: ContactId(*id),
            tenant_id: caller.tenant_id,
            customer_id: customer.id,
            fields,
            created_at: at,
            created_by: caller.user_id,
            updated_at: at,
            updated_by: caller.user_id,
            version: 1,
        });
        Ok((customer, contact))
    }

    /// Saves the customer with `code`: patches it if there is one (its code stays), else
    /// creates it with that code. Returns the customer and whether it was created. A
    /// concurrent save that creates the same code first makes this one an update of it.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id))]
    pub async fn save_by_code(
        &self,
        caller: &Caller,
        code: &str,
        patch: CustomerPatch,
    ) -> Result<(Customer, bool), CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let patch = CustomerPatch {
            code: Patch::Absent,
            ..patch
        };
        for _ in 0..MAX_ATTEMPTS {
            match self.get_by_code(caller, code).await {
                Ok(current) => {
                    let saved = self.patch(caller, current.id, patch.clone(), None).await?;
                    return Ok((saved, false));
                }
                Err(CoreError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
            let fields = CustomerFields::default().apply(CustomerPatch {
                code: Patch::Set(code.to_owned()),
                ..patch.clone()
            })?;
            match self.insert(caller, fields, None).await {
                Ok((customer, _)) => return Ok((customer, true)),
                Err(RepoError::Conflict(ConflictKind::DuplicateCustomerCode)) => {}
                Err(e) => return Err(repo_error("customer")(e)),
            }
        }
        Err(repo_error("customer")(RepoError::VersionMismatch))
    }

    pub async fn get(&self, caller: &Caller, id: CustomerId) -> Result<Customer, CoreError> {
        self.store
            .customer(caller.tenant_id, id)
            .await
            .map_err(repo_error("customer"))?
            .ok_or(CoreError::NotFound { entity: "customer" })
    }

    /// The customer with `code` (case-insensitive), as vendor surfaces address customers.
    pub async fn get_by_code(&self, caller: &Caller, code: &str) -> Result<Customer, CoreError> {
        self.store
            .customer_by_code(caller.tenant_id, code)
            .await
            .map_err(repo_error("customer"))?
            .ok_or(CoreError::NotFound { entity: "customer" })
    }

    /// The oldest customer named `name` (case-insensitive), as RPM addresses customers.
    pub async fn get_by_name(&self, caller: &Caller, name: &str) -> Result<Customer, CoreError> {
        self.store
            .customer_by_name(caller.tenant_id, name)
            .await
            .map_err(repo_error("customer"))?
            .ok_or(CoreError::NotFound { entity: "customer" })
    }

    pub async fn list(
        &self,
        caller: &Caller,
        text: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Customer>, CoreError> {
        page.check_scope(LIST_SCOPE)?;
        let found = self
            .store
            .list_customers(caller.tenant_id, text, page)
            .await
            .map_err(repo_error("customer"))?;
        Ok(found.scoped(LIST_SCOPE))
    }

    /// Every customer, in id order, or those changed after `changed_after`: for surfaces
    /// whose clients read a whole list in one answer (and then what changed since). Read
    /// page by page, so a customer written meanwhile may or may not be among them.
    pub async fn all(
        &self,
        caller: &Caller,
        changed_after: Option<OffsetDateTime>,
    ) -> Result<Vec<Customer>, CoreError> {
        let mut page = PageRequest {
            limit: MAX_PAGE_SIZE,
            after: None,
        };
        let mut all = Vec::new();
        loop {
            let found = self.list(caller, None, &page).await?;
            all.extend(
                found
                    .items
                    .into_iter()
                    .filter(|c| changed_after.is_none_or(|t| c.updated_at > t)),
            );
            match found.next {
                Some(next) => page.after = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// Applies `patch`, if the customer's version satisfies `expected`.
    pub async fn patch(
        &self,
        caller: &Caller,
        id: CustomerId,
        patch: CustomerPatch,
        expected: impl Into<Precondition>,
    ) -> Result<Customer, CoreError> {
        self.edit(caller, id, &|_| Ok(patch.clone()), &expected.into())
            .await
    }

    /// Writes back the values that fields of the customer's history entry `entry_id` had
    /// before its change: those named in `fields`, or every field the entry changed. This is
    /// an ordinary update (role, `expected`, validation, a history entry of its own), so
    /// values equal to the current ones change nothing.
    pub async fn restore(
        &self,
        caller: &Caller,
        id: CustomerId,
        entry_id: i64,
        fields: Option<Vec<String>>,
        expected: impl Into<Precondition>,
    ) -> Result<Customer, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let entry = history_entry(self.store.as_ref(), caller, "customer", id.0, entry_id).await?;
        let edit = |_: &Customer| -> Result<CustomerPatch, CoreError> {
            Ok(Restore::from_entry(&entry, fields.as_deref())?.customer_patch()?)
        };
        self.edit(caller, id, &edit, &expected.into()).await
    }

    /// The one customer update: under the customer's write turn, reads it, checks `expected`,
    /// applies `edit`'s patch and writes it with its history entry.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id, customer = %id))]
    async fn edit(
        &self,
        caller: &Caller,
        id: CustomerId,
        edit: &(dyn Fn(&Customer) -> Result<CustomerPatch, CoreError> + Sync),
        expected: &Precondition,
    ) -> Result<Customer, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let _turn = self
            .locks
            .turn(caller.tenant_id, RecordKind::Customer, id.0)
            .await;
        retrying(|| async {
            let current = self.get(caller, id).await?;
            expected.check(current.version)?;
            let fields = current.fields.apply(edit(&current)?)?;
            let changes = diff(&current.fields.snapshot(), &fields.snapshot());
            if changes.is_empty() {
                return Ok(Attempt::Done(current));
            }
            let at = self.clock.now();
            let result = self
                .store
                .write(
                    caller.tenant_id,
                    vec![Write {
                        op: WriteOp::UpdateCustomer {
                            id,
                            expected_version: current.version,
                            fields: fields.clone(),
                        },
                        history: history(caller, at, changes),
                    }],
                )
                .await;
            Ok(match settle(result, "customer")? {
                Attempt::Done(_) => Attempt::Done(Customer {
                    fields,
                    updated_at: at,
                    updated_by: caller.user_id,
                    version: current.version + 1,
                    ..current
                }),
                Attempt::Stale => Attempt::Stale,
            })
        })
        .await
    }

    /// Deletes a customer that has no contacts left; its history keeps every value.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id, customer = %id))]
    pub async fn delete(
        &self,
        caller: &Caller,
        id: CustomerId,
        expected: impl Into<Precondition>,
    ) -> Result<(), CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let expected = expected.into();
        let _turn = self
            .locks
            .turn(caller.tenant_id, RecordKind::Customer, id.0)
            .await;
        retrying(|| async {
            let current = self.get(caller, id).await?;
            expected.check(current.version)?;
            let at = self.clock.now();
            let changes = diff(&current.fields.snapshot(), &Map::new());
            let result = self
                .store
                .write(
                    caller.tenant_id,
                    vec![Write {
                        op: WriteOp::DeleteCustomer {
                            id,
                            expected_version: current.version,
                        },
                        history: history(caller, at, changes),
                    }],
                )
                .await;
            settle(result, "customer").map(|a| match a {
                Attempt::Done(_) => Attempt::Done(()),
                Attempt::Stale => Attempt::Stale,
            })
        })
        .await
    }

    /// The customer's history in `order`.
    pub async fn history(
        &self,
        caller: &Caller,
        id: CustomerId,
        page: &PageRequest,
        order: HistoryOrder,
    ) -> Result<Page<HistoryEntry>, CoreError> {
        let scope = order.scope("customer");
        page.check_scope(&scope)?;
        let entries = self
            .store
            .history(caller.tenant_id, "customer", id.0, page, order)
            .await
            .map_err(repo_error("customer"))?
            .scoped(&scope);
        if entries.items.is_empty() && page.after.is_none() {
            self.get(caller, id).await?;
        }
        Ok(entries)
    }
}
