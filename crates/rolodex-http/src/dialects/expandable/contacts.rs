//! The Customer Contact calls both generations make, onto the core's use cases: locate a
//! contact by its customer's code and its own (`CustomerService::get_by_code`,
//! `ContactService::get_by_code`), create, patch, delete, find and query, and read contacts
//! back as records (customer code and audit usernames resolved through the core).
//!
//! A Query returns every match (siblings 1.3: "No paging parameters are documented. All
//! matches are returned."): it follows the core's pages of [`MAX_PAGE_SIZE`] up to
//! [`MAX_MATCHES`] contacts and refuses a query that matches more, rather than answer with a
//! silently truncated list.

use super::body::Values;
use super::criteria::Search;
use super::customers;
use super::fault::Fault;
use super::fields::{self, Field};
use super::record::ContactRecord;
use rolodex_core::query::MAX_PAGE_SIZE;
use rolodex_core::{Caller, ContactQuery, CoreError, PageRequest, Services};
use rolodex_domain::{Contact, Customer, CustomerId, Patch, UserId};
use std::collections::BTreeMap;

/// Most contacts one Query returns.
pub const MAX_MATCHES: usize = 5_000;

/// The two fields that locate a contact (seed 000: "CUSTOMER_ID, CUST_CONTACT to locate the
/// record").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub customer: String,
    pub contact: String,
}

impl Keys {
    /// Takes both keys out of `values`; both are required and not empty.
    pub fn take(values: &mut Values) -> Result<Self, Fault> {
        let mut key = |field: Field| {
            values
                .take(field)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Fault::required(field.name()))
        };
        let customer = key(Field::CustomerId)?;
        let contact = key(Field::CustContact)?;
        Ok(Self { customer, contact })
    }
}

/// The customer and the contact `keys` name.
async fn locate(
    services: &Services,
    caller: &Caller,
    keys: &Keys,
) -> Result<(Customer, Contact), Fault> {
    let customer = customers::locate(services, caller, &keys.customer).await?;
    let contact = services
        .contacts
        .get_by_code(caller, customer.id, &keys.contact)
        .await
        .map_err(|e| match e {
            CoreError::NotFound { .. } => Fault::failed(
                "CONTACT_NOT_FOUND",
                format!(
                    "Customer Contact '{}' of customer '{}' was not found.",
                    keys.contact, keys.customer
                ),
            ),
            other => other.into(),
        })?;
    Ok((customer, contact))
}

/// Contacts as records: their customers' codes (`known` holds those already read) and the
/// usernames of their audit users.
async fn records(
    services: &Services,
    caller: &Caller,
    contacts: Vec<Contact>,
    mut known: BTreeMap<CustomerId, String>,
) -> Result<Vec<ContactRecord>, Fault> {
    let ids: Vec<UserId> = contacts
        .iter()
        .flat_map(|c| [c.created_by, c.updated_by])
        .flatten()
        .collect();
    let names = services.users.usernames(caller, &ids).await?;
    let name = |id: Option<UserId>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_default()
    };
    let mut out = Vec::with_capacity(contacts.len());
    for contact in contacts {
        let customer_code = match known.get(&contact.customer_id) {
            Some(code) => code.clone(),
            None => {
                let code = services
                    .customers
                    .get(caller, contact.customer_id)
                    .await?
                    .fields
                    .code;
                known.insert(contact.customer_id, code.clone());
                code
            }
        };
        out.push(ContactRecord {
            created_by: name(contact.created_by),
            updated_by: name(contact.updated_by),
            customer_code,
            contact,
        });
    }
    Ok(out)
}

async fn record(
    services: &Services,
    caller: &Caller,
    customer: Customer,
    contact: Contact,
) -> Result<ContactRecord, Fault> {
    let known = BTreeMap::from([(customer.id, customer.fields.code)]);
    let mut found = records(services, caller, vec![contact], known).await?;
    found
        .pop()
        .ok_or_else(|| Fault::from(CoreError::Internal("a record went missing".into())))
}

/// Creates the contact `keys` name with `values` (Expandable's "Add").
pub async fn create(
    services: &Services,
    caller: &Caller,
    keys: Keys,
    values: Values,
) -> Result<ContactRecord, Fault> {
    let customer = customers::locate(services, caller, &keys.customer).await?;
    let mut patch = fields::patch(values);
    patch.code = Patch::Set(keys.contact);
    let contact = services.contacts.create(caller, customer.id, patch).await?;
    record(services, caller, customer, contact).await
}

/// Changes only the fields `values` sends, at least one (Expandable's "Edit").
pub async fn update(
    services: &Services,
    caller: &Caller,
    keys: Keys,
    values: Values,
) -> Result<ContactRecord, Fault> {
    if values.is_empty() {
        return Err(Fault::failed(
            "NOTHING_TO_UPDATE",
            "At least one field to update is required besides CUSTOMER_ID and CUST_CONTACT.",
        ));
    }
    let (customer, current) = locate(services, caller, &keys).await?;
    let contact = services
        .contacts
        .patch(caller, customer.id, current.id, fields::patch(values), None)
        .await?;
    record(services, caller, customer, contact).await
}

/// The contact `keys` name.
pub async fn get(
    services: &Services,
    caller: &Caller,
    keys: &Keys,
) -> Result<ContactRecord, Fault> {
    let (customer, contact) = locate(services, caller, keys).await?;
    record(services, caller, customer, contact).await
}

/// Deletes the contact `keys` name; its history keeps every value it had.
pub async fn delete(services: &Services, caller: &Caller, keys: &Keys) -> Result<(), Fault> {
    let (customer, contact) = locate(services, caller, keys).await?;
    services
        .contacts
        .delete(caller, customer.id, contact.id, None)
        .await?;
    Ok(())
}

/// Every contact `search` asks for, oldest first; a Find of nothing is an empty list.
pub async fn search(
    services: &Services,
    caller: &Caller,
    search: Search,
) -> Result<Vec<ContactRecord>, Fault> {
    let filters = match search {
        Search::Find { customer, contact } => {
            let keys = Keys { customer, contact };
            return match locate(services, caller, &keys).await {
                Ok((customer, contact)) => {
                    Ok(vec![record(services, caller, customer, contact).await?])
                }
                Err(Fault::Failed {
                    code: "CUSTOMER_NOT_FOUND" | "CONTACT_NOT_FOUND",
                    ..
                }) => Ok(Vec::new()),
                Err(other) => Err(other),
            };
        }
        Search::Filter(filters) => filters,
    };
    let mut query = ContactQuery {
        filters,
        page: PageRequest {
            limit: MAX_PAGE_SIZE,
            after: None,
        },
        ..ContactQuery::default()
    };
    let mut found = Vec::new();
    loop {
        let page = services.contacts.list(caller, &query).await?;
        found.extend(page.items);
        if found.len() > MAX_MATCHES {
            return Err(Fault::failed(
                "TOO_MANY_MATCHES",
                format!(
                    "The query matches more than {MAX_MATCHES} customer contacts; narrow the criteria."
                ),
            ));
        }
        match page.next {
            Some(next) => query.page.after = Some(next),
            None => break,
        }
    }
    records(services, caller, found, BTreeMap::new()).await
}
