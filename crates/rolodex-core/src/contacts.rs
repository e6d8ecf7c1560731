//! Contact use cases: create, read, list and search, patch, replace, delete, history, and
//! restoring values from history.
//!
//! At most one contact per customer is primary: making one primary demotes the previous one
//! in the same transaction, with a history entry of its own.

use crate::auth::AuthService;
use crate::caller::Caller;
use crate::clock::Clock;
use crate::error::CoreError;
use crate::photos::remove_photo_files;
use crate::ports::{PhotoStorage, Store, Write, WriteOp};
use crate::query::{ContactQuery, HistoryOrder, MAX_PAGE_SIZE, MAX_WINDOW_SIZE, Page, PageRequest};
use crate::write::{
    Attempt, Precondition, RecordKind, RecordLocks, history, repo_error, retrying, retrying_with,
    settle,
};
use rolodex_domain::history::diff;
use rolodex_domain::{
    Contact, ContactFields, ContactId, ContactPatch, CustomerId, HistoryEntry, Patch, PhotoRef,
    Restore, Role, TenantId, ValidationError,
};
use serde_json::Map;
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Clone)]
pub struct ContactService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Where a deleted contact's photo files are removed from.
    photos: Arc<dyn PhotoStorage>,
    locks: Arc<RecordLocks>,
}

impl ContactService {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        photos: Arc<dyn PhotoStorage>,
        locks: Arc<RecordLocks>,
    ) -> Self {
        Self {
            store,
            clock,
            photos,
            locks,
        }
    }

    /// Creates a contact of customer `customer_id`.
    pub async fn create(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        patch: ContactPatch,
    ) -> Result<Contact, CoreError> {
        self.create_with_photo(caller, customer_id, patch, None)
            .await
    }

    /// Creates a contact with a photo whose files are already stored (see
    /// [`crate::PhotoService`]), in one write.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id, customer = %customer_id))]
    pub(crate) async fn create_with_photo(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        patch: ContactPatch,
        photo: Option<PhotoRef>,
    ) -> Result<Contact, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        self.require_customer(caller, customer_id).await?;
        let mut fields = ContactFields::default().apply(patch)?;
        fields.photo = photo;
        self.check_owner(caller, &fields, None).await?;
        retrying(|| async {
            let at = self.clock.now();
            let mut writes = self
                .demotion(caller, customer_id, None, &fields, at)
                .await?;
            writes.push(Write {
                op: WriteOp::CreateContact {
                    customer_id,
                    fields: fields.clone(),
                },
                history: history(caller, at, diff(&Map::new(), &fields.snapshot())),
            });
            let result = self.store.write(caller.tenant_id, writes).await;
            Ok(match settle(result, "contact")? {
                Attempt::Done(ids) => Attempt::Done(Contact {
                    id: ContactId(*ids.last().unwrap_or(&0)),
                    tenant_id: caller.tenant_id,
                    customer_id,
                    fields: fields.clone(),
                    created_at: at,
                    created_by: caller.user_id,
                    updated_at: at,
                    updated_by: caller.user_id,
                    version: 1,
                }),
                Attempt::Stale => Attempt::Stale,
            })
        })
        .await
    }

    /// The contact `id` of customer `customer_id`.
    pub async fn get(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
    ) -> Result<Contact, CoreError> {
        let contact = self.get_by_id(caller, id).await?;
        if contact.customer_id == customer_id {
            Ok(contact)
        } else {
            Err(CoreError::NotFound { entity: "contact" })
        }
    }

    /// The contact `id`, whatever its customer.
    pub async fn get_by_id(&self, caller: &Caller, id: ContactId) -> Result<Contact, CoreError> {
        self.store
            .contact(caller.tenant_id, id)
            .await
            .map_err(repo_error("contact"))?
            .ok_or(CoreError::NotFound { entity: "contact" })
    }

    /// The contact `id` of `tenant`, read without a caller: for the use cases whose
    /// credential is something other than a session (see [`crate::PhotoService::shared_file`]).
    pub(crate) async fn stored(
        &self,
        tenant: TenantId,
        id: ContactId,
    ) -> Result<Option<Contact>, CoreError> {
        self.store
            .contact(tenant, id)
            .await
            .map_err(repo_error("contact"))
    }

    /// The contact of customer `customer_id` with `code` (case-insensitive).
    pub async fn get_by_code(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        code: &str,
    ) -> Result<Contact, CoreError> {
        self.store
            .contact_by_code(caller.tenant_id, customer_id, code)
            .await
            .map_err(repo_error("contact"))?
            .ok_or(CoreError::NotFound { entity: "contact" })
    }

    /// The contact with `external_id` (case-insensitive).
    pub async fn get_by_external_id(
        &self,
        caller: &Caller,
        external_id: &str,
    ) -> Result<Contact, CoreError> {
        self.store
            .contact_by_external_id(caller.tenant_id, external_id)
            .await
            .map_err(repo_error("contact"))?
            .ok_or(CoreError::NotFound { entity: "contact" })
    }

    /// Contacts matching `query` (countries named as [`ContactQuery::normalised`] says); a
    /// query naming a customer needs that customer to exist.
    pub async fn list(
        &self,
        caller: &Caller,
        query: &ContactQuery,
    ) -> Result<Page<Contact>, CoreError> {
        if let Some(customer) = query.customer_id {
            self.require_customer(caller, customer).await?;
        }
        let scope = query.cursor_scope();
        query.page.check_scope(&scope)?;
        query.check_filters()?;
        let query = query.normalised();
        let page = self
            .store
            .list_contacts(caller.tenant_id, &query)
            .await
            .map_err(repo_error("contact"))?;
        Ok(page.scoped(&scope))
    }

    /// Every match of `query` (its page request is ignored), in its order: for surfaces
    /// whose clients read a whole list in one answer. Read page by page, so a contact
    /// written meanwhile may or may not be among them.
    pub async fn all(
        &self,
        caller: &Caller,
        query: &ContactQuery,
    ) -> Result<Vec<Contact>, CoreError> {
        let mut query = ContactQuery {
            page: PageRequest {
                limit: MAX_PAGE_SIZE,
                after: None,
            },
            ..query.clone()
        };
        let mut all = Vec::new();
        loop {
            let page = self.list(caller, &query).await?;
            all.extend(page.items);
            match page.next {
                Some(next) => query.page.after = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// The matches of `query` from position `offset` (at most `max` of them; its page request
    /// is ignored), and how many there are in all: offset paging, for surfaces whose clients
    /// page by position. The store counts the matches and reads only the window's rows.
    pub async fn window(
        &self,
        caller: &Caller,
        query: &ContactQuery,
        offset: usize,
        max: usize,
    ) -> Result<(Vec<Contact>, usize), CoreError> {
        if let Some(customer) = query.customer_id {
            self.require_customer(caller, customer).await?;
        }
        query.check_filters()?;
        let query = query.normalised();
        let limit = u32::try_from(max)
            .ok()
            .filter(|&limit| limit <= MAX_WINDOW_SIZE)
            .ok_or_else(|| {
                ValidationError::new(
                    "max",
                    "out_of_range",
                    format!("must be at most {MAX_WINDOW_SIZE}"),
                )
            })?;
        // An offset no store can reach is past the end: no items, only the total.
        let offset = u64::try_from(offset).unwrap_or(u64::MAX);
        let (items, total) = self
            .store
            .contact_window(caller.tenant_id, &query, offset, limit)
            .await
            .map_err(repo_error("contact"))?;
        Ok((items, usize::try_from(total).unwrap_or(usize::MAX)))
    }

    /// Applies a merge patch, if the contact's version satisfies `expected` (a pinned
    /// version, `None`, or any [`Precondition`]).
    pub async fn patch(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        patch: ContactPatch,
        expected: impl Into<Precondition>,
    ) -> Result<Contact, CoreError> {
        self.patch_with_photo(
            caller,
            customer_id,
            id,
            patch,
            Patch::Absent,
            expected.into(),
        )
        .await
        .map(|(contact, _)| contact)
    }

    /// Applies a merge patch and sets or clears the photo reference, in one write. Returns
    /// the contact and the photo this write replaced or removed, whose files the caller
    /// removes (see [`crate::PhotoService`]).
    pub(crate) async fn patch_with_photo(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        patch: ContactPatch,
        photo: Patch<PhotoRef>,
        expected: Precondition,
    ) -> Result<(Contact, Option<PhotoRef>), CoreError> {
        let edit = |_: &Contact| Ok::<_, CoreError>(patch.clone());
        self.edit(caller, customer_id, id, &edit, &photo, &expected)
            .await
    }

    /// Edits a contact with a patch made from its current state, for surfaces whose edits
    /// depend on it (a phone list merged by the surface's rules, say): `edit` sees the
    /// contact as it is when the change applies, and is called again if a writer elsewhere
    /// changed it meanwhile. Its refusal (`E`) changes nothing.
    pub async fn edit_with<E: From<CoreError> + Send>(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        edit: impl Fn(&Contact) -> Result<ContactPatch, E> + Sync,
    ) -> Result<Contact, E> {
        self.edit(
            caller,
            customer_id,
            id,
            &edit,
            &Patch::Absent,
            &Precondition::Any,
        )
        .await
        .map(|(contact, _)| contact)
    }

    /// The one contact update: under the contact's write turn, reads it, checks `expected`,
    /// applies `edit`'s patch and the photo change, and writes it with its history entry.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id, contact = %id))]
    async fn edit<E: From<CoreError> + Send>(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        edit: &(dyn Fn(&Contact) -> Result<ContactPatch, E> + Sync),
        photo: &Patch<PhotoRef>,
        expected: &Precondition,
    ) -> Result<(Contact, Option<PhotoRef>), E> {
        AuthService::require(caller, Role::Dispatcher)?;
        let _turn = self
            .locks
            .turn(caller.tenant_id, RecordKind::Contact, id.0)
            .await;
        retrying_with(|| async {
            let current = self.get(caller, customer_id, id).await?;
            expected.check(current.version)?;
            let patch = edit(&current)?;
            let mut fields = current.fields.apply(patch).map_err(CoreError::from)?;
            match photo {
                Patch::Absent => {}
                Patch::Clear => fields.photo = None,
                Patch::Set(p) => fields.photo = Some(p.clone()),
            }
            let replaced = current
                .fields
                .photo
                .clone()
                .filter(|old| fields.photo.as_ref() != Some(old));
            let changes = diff(&current.fields.snapshot(), &fields.snapshot());
            if changes.is_empty() && fields.phone_seq == current.fields.phone_seq {
                return Ok(Attempt::Done((current, None)));
            }
            self.check_owner(caller, &fields, Some(&current.fields))
                .await?;
            let at = self.clock.now();
            let mut writes = self
                .demotion(caller, customer_id, Some(&current), &fields, at)
                .await?;
            writes.push(Write {
                op: WriteOp::UpdateContact {
                    id,
                    customer_id: current.customer_id,
                    expected_version: current.version,
                    before: Box::new(current.fields.clone()),
                    fields: fields.clone(),
                },
                history: history(caller, at, changes),
            });
            let result = self.store.write(caller.tenant_id, writes).await;
            Ok(match settle(result, "contact")? {
                Attempt::Done(_) => Attempt::Done((
                    Contact {
                        fields,
                        updated_at: at,
                        updated_by: caller.user_id,
                        version: current.version + 1,
                        ..current
                    },
                    replaced.clone(),
                )),
                Attempt::Stale => Attempt::Stale,
            })
        })
        .await
    }

    /// Writes back the values that fields of the contact's history entry `entry_id` had
    /// before its change: those named in `fields`, or every field the entry changed. This is
    /// an ordinary update (role, `expected`, validation, primary demotion, a history entry of
    /// its own), so values equal to the current ones change nothing. [`Restore`] says what
    /// phones get back, and why a photo cannot be restored.
    pub async fn restore(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        entry_id: i64,
        fields: Option<Vec<String>>,
        expected: impl Into<Precondition>,
    ) -> Result<Contact, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let entry = history_entry(self.store.as_ref(), caller, "contact", id.0, entry_id).await?;
        let edit = |current: &Contact| -> Result<ContactPatch, CoreError> {
            let restore = Restore::from_entry(&entry, fields.as_deref())?;
            Ok(restore.contact_patch(&current.fields)?)
        };
        self.edit(
            caller,
            customer_id,
            id,
            &edit,
            &Patch::Absent,
            &expected.into(),
        )
        .await
        .map(|(contact, _)| contact)
    }

    /// Replaces every writable field: those `patch` leaves out are cleared.
    pub async fn replace(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        patch: ContactPatch,
        expected: impl Into<Precondition>,
    ) -> Result<Contact, CoreError> {
        self.patch(caller, customer_id, id, patch.into_replacement(), expected)
            .await
    }

    /// Deletes a contact, then its photo's files; its history keeps every value it had.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id, contact = %id))]
    pub async fn delete(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        expected: impl Into<Precondition>,
    ) -> Result<(), CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let expected = expected.into();
        let turn = self
            .locks
            .turn(caller.tenant_id, RecordKind::Contact, id.0)
            .await;
        let photo = retrying(|| async {
            let current = self.get(caller, customer_id, id).await?;
            expected.check(current.version)?;
            let at = self.clock.now();
            let result = self
                .store
                .write(
                    caller.tenant_id,
                    vec![Write {
                        op: WriteOp::DeleteContact {
                            id,
                            expected_version: current.version,
                        },
                        history: history(caller, at, diff(&current.fields.snapshot(), &Map::new())),
                    }],
                )
                .await;
            Ok(match settle(result, "contact")? {
                Attempt::Done(_) => Attempt::Done(current.fields.photo),
                Attempt::Stale => Attempt::Stale,
            })
        })
        .await?;
        drop(turn);
        if let Some(photo) = photo {
            remove_photo_files(self.photos.as_ref(), caller.tenant_id, &photo).await;
        }
        Ok(())
    }

    /// The contact's history in `order`; still readable after the contact is deleted.
    pub async fn history(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        page: &PageRequest,
        order: HistoryOrder,
    ) -> Result<Page<HistoryEntry>, CoreError> {
        match self
            .store
            .contact(caller.tenant_id, id)
            .await
            .map_err(repo_error("contact"))?
        {
            Some(c) if c.customer_id != customer_id => {
                return Err(CoreError::NotFound { entity: "contact" });
            }
            Some(_) => {}
            None => self.require_customer(caller, customer_id).await?,
        }
        let scope = order.scope("contact");
        page.check_scope(&scope)?;
        let entries = self
            .store
            .history(caller.tenant_id, "contact", id.0, page, order)
            .await
            .map_err(repo_error("contact"))?
            .scoped(&scope);
        if entries.items.is_empty() && page.after.is_none() {
            return Err(CoreError::NotFound { entity: "contact" });
        }
        Ok(entries)
    }

    /// The names of the photos the contacts of `tenant` have (the system's upkeep).
    pub(crate) async fn photo_names(&self, tenant: TenantId) -> Result<Vec<String>, CoreError> {
        self.store
            .photo_names(tenant)
            .await
            .map_err(repo_error("contact"))
    }

    async fn require_customer(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
    ) -> Result<(), CoreError> {
        self.store
            .customer(caller.tenant_id, customer_id)
            .await
            .map_err(repo_error("customer"))?
            .map(|_| ())
            .ok_or(CoreError::NotFound { entity: "customer" })
    }

    /// An owner must be a member of the tenant (checked when it changes).
    async fn check_owner(
        &self,
        caller: &Caller,
        fields: &ContactFields,
        before: Option<&ContactFields>,
    ) -> Result<(), CoreError> {
        check_owner(self.store.as_ref(), caller, fields, before).await
    }

    /// When `fields` makes its contact primary, the write that demotes the customer's current
    /// primary (if another contact is), with its own history entry.
    pub(crate) async fn demotion(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        current: Option<&Contact>,
        fields: &ContactFields,
        at: OffsetDateTime,
    ) -> Result<Vec<Write>, CoreError> {
        if !fields.is_primary || current.is_some_and(|c| c.fields.is_primary) {
            return Ok(Vec::new());
        }
        let primary = self
            .store
            .primary_contact(caller.tenant_id, customer_id)
            .await
            .map_err(repo_error("contact"))?;
        let Some(primary) = primary.filter(|p| Some(p.id) != current.map(|c| c.id)) else {
            return Ok(Vec::new());
        };
        let demoted = primary.fields.apply(ContactPatch {
            is_primary: Patch::Set(false),
            ..ContactPatch::default()
        })?;
        let changes = diff(&primary.fields.snapshot(), &demoted.snapshot());
        Ok(vec![Write {
            op: WriteOp::UpdateContact {
                id: primary.id,
                customer_id: primary.customer_id,
                expected_version: primary.version,
                before: Box::new(primary.fields),
                fields: demoted,
            },
            history: history(caller, at, changes),
        }])
    }
}

/// The history entry `entry_id` of the `entity` with id `entity_id` in the caller's tenant.
pub(crate) async fn history_entry(
    store: &dyn Store,
    caller: &Caller,
    entity: &str,
    entity_id: i64,
    entry_id: i64,
) -> Result<HistoryEntry, CoreError> {
    store
        .history_entry(caller.tenant_id, entity, entity_id, entry_id)
        .await
        .map_err(repo_error("history entry"))?
        .ok_or(CoreError::NotFound {
            entity: "history entry",
        })
}

/// An owner must be a member of the tenant (checked when it changes).
pub(crate) async fn check_owner(
    store: &dyn Store,
    caller: &Caller,
    fields: &ContactFields,
    before: Option<&ContactFields>,
) -> Result<(), CoreError> {
    let Some(owner) = fields.owner_id else {
        return Ok(());
    };
    if before.is_some_and(|b| b.owner_id == Some(owner)) {
        return Ok(());
    }
    match store
        .membership(caller.tenant_id, owner)
        .await
        .map_err(repo_error("user"))?
    {
        Some(_) => Ok(()),
        None => Err(ValidationError::new(
            "owner_id",
            "unknown_user",
            format!("user {owner} is not a member of this tenant"),
        )
        .into()),
    }
}
