//! The calls: each reads its members, makes one use of the core (a contact edit re-reads the
//! contact when another writer got there first), and answers the result's record.

use super::error::{KEY_NOT_FOUND, KEY_REQUIRED, RpmError};
use super::input::Members;
use super::{locations, phones, view};
use crate::state::AppState;
use axum::http::HeaderMap;
use rolodex_core::query::{ContactQuery, PageRequest};
use rolodex_core::{Caller, CoreError};
use rolodex_domain::{
    Contact, ContactId, ContactPatch, Customer, CustomerId, CustomerPatch, MapPatch, Patch, Surface,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The header that carries the key; it wins over a `Key` member of the body.
const KEY_HEADER: &str = "RpmApiKey";

/// The calls Rolodex answers (names compare ignoring case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Customer,
    Customers,
    CustomerSearch,
    CustomerAdd,
    CustomerEdit,
    CustomerContactAdd,
    CustomerContactEdit,
    CustomerLocationAdd,
    CustomerLocationEdit,
    Accounts,
}

impl Call {
    pub fn parse(name: &str) -> Option<Call> {
        [
            ("Customer", Call::Customer),
            ("Customers", Call::Customers),
            ("CustomerSearch", Call::CustomerSearch),
            ("CustomerAdd", Call::CustomerAdd),
            ("CustomerEdit", Call::CustomerEdit),
            ("CustomerContactAdd", Call::CustomerContactAdd),
            ("CustomerContactEdit", Call::CustomerContactEdit),
            ("CustomerLocationAdd", Call::CustomerLocationAdd),
            ("CustomerLocationEdit", Call::CustomerLocationEdit),
            ("Accounts", Call::Accounts),
        ]
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, call)| call)
    }
}

/// Runs `call` with the body `members`: the key first, then the call's own members.
pub async fn run(
    state: &AppState,
    call: Call,
    headers: &HeaderMap,
    mut members: Members,
) -> Result<Value, RpmError> {
    let body_key = members.take("Key");
    let caller = caller(state, headers, body_key).await?;
    match call {
        Call::Customer => customer(state, &caller, members).await,
        Call::Customers => customers(state, &caller, members).await,
        Call::CustomerSearch => customer_search(state, &caller, members).await,
        Call::CustomerAdd => customer_add(state, &caller, members).await,
        Call::CustomerEdit => customer_edit(state, &caller, members).await,
        Call::CustomerContactAdd => contact_add(state, &caller, members).await,
        Call::CustomerContactEdit => contact_edit(state, &caller, members).await,
        Call::CustomerLocationAdd => locations::add(state, &caller, members).await,
        Call::CustomerLocationEdit => locations::edit(state, &caller, members).await,
        Call::Accounts => accounts(state, &caller, members).await,
    }
}

/// The caller the key stands for: an API key (it carries its tenant) or a login token (in
/// its user's only tenant).
async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    body_key: Option<Value>,
) -> Result<Caller, RpmError> {
    let key = match headers.get(KEY_HEADER) {
        Some(value) => value
            .to_str()
            .map(|v| v.trim().to_owned())
            .map_err(|_| RpmError::refused(KEY_NOT_FOUND))?,
        None => match body_key {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(key)) => key.trim().to_owned(),
            Some(_) => return Err(RpmError::refused(KEY_NOT_FOUND)),
        },
    };
    if key.is_empty() {
        return Err(RpmError::refused(KEY_REQUIRED));
    }
    match state
        .services
        .auth
        .authenticate(&key, None, Surface::Rpm)
        .await
    {
        Ok(caller) => Ok(caller),
        Err(CoreError::Unauthenticated(_)) => Err(RpmError::refused(KEY_NOT_FOUND)),
        Err(CoreError::Forbidden { message }) => {
            Err(RpmError::refused(format!("Permission denied: {message}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// A text member as a patch: not sent leaves the field alone, empty clears it.
pub(super) fn optional(value: Option<String>) -> Patch<String> {
    value.map_or(Patch::Absent, Patch::Set)
}

/// A text member `CustomerContactEdit` clears when it is not sent.
fn cleared_unless_sent(value: Option<String>) -> Patch<String> {
    value.map_or(Patch::Clear, Patch::Set)
}

/// `IsPrimary`: `true` makes the contact the primary; `false` never demotes.
fn promoted(is_primary: bool) -> Patch<bool> {
    if is_primary {
        Patch::Set(true)
    } else {
        Patch::Absent
    }
}

/// `[{"Field", "Value"}]` as a merge of custom fields; an empty `Value` removes the field.
fn custom_fields(list: Option<Vec<Members>>) -> Result<MapPatch, RpmError> {
    let Some(list) = list else {
        return Ok(MapPatch::Absent);
    };
    let mut merge = BTreeMap::new();
    for mut item in list {
        let field = item.string("Field")?.unwrap_or_default();
        let value = item.string("Value")?.unwrap_or_default();
        item.finish()?;
        if field.trim().is_empty() {
            return Err(RpmError::refused("Each entry of Fields needs a Field name"));
        }
        merge.insert(field, Some(value).filter(|v| !v.is_empty()));
    }
    Ok(MapPatch::Merge(merge))
}

/// Every contact of `customer`, in the order they were added.
async fn contacts_of(
    state: &AppState,
    caller: &Caller,
    customer: CustomerId,
) -> Result<Vec<Contact>, RpmError> {
    let mut query = ContactQuery {
        customer_id: Some(customer),
        page: PageRequest {
            limit: rolodex_core::query::MAX_PAGE_SIZE,
            after: None,
        },
        ..ContactQuery::default()
    };
    let mut all = Vec::new();
    loop {
        let page = state.services.contacts.list(caller, &query).await?;
        all.extend(page.items);
        match page.next {
            Some(next) => query.page.after = Some(next),
            None => return Ok(all),
        }
    }
}

/// The `Customer` call's record of `customer`.
async fn customer_result(
    state: &AppState,
    caller: &Caller,
    customer: &Customer,
    include_locations: bool,
) -> Result<Value, RpmError> {
    let contacts = contacts_of(state, caller, customer.id).await?;
    Ok(view::customer(customer, &contacts, include_locations))
}

/// The customer a call names by `id` (which wins), else by `name`; `None` when it names none.
async fn named_customer(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    name: Option<String>,
) -> Result<Option<Customer>, RpmError> {
    let customers = &state.services.customers;
    Ok(match (id, name) {
        (Some(id), _) => Some(customers.get(caller, CustomerId(id)).await?),
        (None, Some(name)) if !name.trim().is_empty() => {
            Some(customers.get_by_name(caller, name.trim()).await?)
        }
        _ => None,
    })
}

/// `Customer`: by `CustomerID`, else by name (`Customer`).
async fn customer(state: &AppState, caller: &Caller, mut m: Members) -> Result<Value, RpmError> {
    let id = m.int("CustomerID")?;
    let name = m.string("Customer")?;
    let include_locations = m.bool("IncludeLocations")?.unwrap_or(true);
    m.finish()?;
    let found = named_customer(state, caller, id, name)
        .await?
        .ok_or_else(|| RpmError::refused("Customer not found"))?;
    customer_result(state, caller, &found, include_locations).await
}

/// Every customer, or those whose name or code starts with `text` (ignoring case).
async fn customers_matching(
    state: &AppState,
    caller: &Caller,
    text: Option<&str>,
) -> Result<Vec<Customer>, RpmError> {
    let mut page = PageRequest {
        limit: rolodex_core::query::MAX_PAGE_SIZE,
        after: None,
    };
    let mut all = Vec::new();
    loop {
        let found = state.services.customers.list(caller, text, &page).await?;
        all.extend(found.items);
        match found.next {
            Some(next) => page.after = Some(next),
            None => return Ok(all),
        }
    }
}

/// `Customers`: every customer; `Age` is when the list last changed (unix seconds).
async fn customers(state: &AppState, caller: &Caller, m: Members) -> Result<Value, RpmError> {
    m.finish()?;
    let all = customers_matching(state, caller, None).await?;
    if all.is_empty() {
        return Err(RpmError::refused("No customers"));
    }
    let age = all
        .iter()
        .map(|c| c.updated_at.unix_timestamp())
        .max()
        .unwrap_or_default();
    Ok(json!({
        "Age": age,
        "Customers": all.iter().map(view::customers_entry).collect::<Vec<_>>(),
    }))
}

/// `CustomerSearch`: the customers whose name (or code) starts with `Search`, ignoring case,
/// as entries of the `Customers` list. `Field`, when sent, must be `Name` (or `Customer`): the
/// core searches customers by name only.
async fn customer_search(
    state: &AppState,
    caller: &Caller,
    mut m: Members,
) -> Result<Value, RpmError> {
    let field = m.string("Field")?;
    let search = m.string("Search")?;
    m.finish()?;
    let field = field.as_deref().map(str::trim).unwrap_or_default();
    let by_name = ["", "Name", "Customer"]
        .iter()
        .any(|known| known.eq_ignore_ascii_case(field));
    if !by_name {
        return Err(RpmError::refused(format!(
            "Customers cannot be searched by {field}; search by Name"
        )));
    }
    let search = search
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| RpmError::missing("Search"))?;
    let found = customers_matching(state, caller, Some(&search)).await?;
    Ok(json!({
        "Customers": found.iter().map(view::customers_entry).collect::<Vec<_>>(),
    }))
}

/// `Accounts`: Rolodex keeps no accounts, so the list is empty. A customer named by
/// `CustomerID` or `Customer` must exist ("Customer not found"); a supplier named by
/// `SupplierID` or `Supplier` never does ("Supplier not found"), as Rolodex keeps no suppliers.
/// `ModifiedAfter` narrows an empty list: it is read and left at that.
async fn accounts(state: &AppState, caller: &Caller, mut m: Members) -> Result<Value, RpmError> {
    let supplier_id = m.int("SupplierID")?;
    let supplier = m.string("Supplier")?;
    let customer_id = m.int("CustomerID")?;
    let customer = m.string("Customer")?;
    m.string("ModifiedAfter")?;
    m.finish()?;
    if supplier_id.is_some() || supplier.is_some_and(|s| !s.trim().is_empty()) {
        return Err(RpmError::refused("Supplier not found"));
    }
    named_customer(state, caller, customer_id, customer).await?;
    Ok(json!({"Accounts": []}))
}

/// The members a customer's details share in `CustomerAdd` and `CustomerEdit`.
fn customer_details(m: &mut Members) -> Result<CustomerPatch, RpmError> {
    Ok(CustomerPatch {
        website: optional(m.string("Website")?),
        custom_fields: custom_fields(m.objects("Fields")?)?,
        ..locations::address(m)?
    })
}

/// RPM requires customer names to be unique: refuses `name` when another customer has it.
async fn require_unique_name(
    state: &AppState,
    caller: &Caller,
    name: &str,
    except: Option<CustomerId>,
) -> Result<(), RpmError> {
    match state.services.customers.get_by_name(caller, name).await {
        Ok(found) if Some(found.id) != except => {
            Err(RpmError::refused("A unique customer name is required"))
        }
        Ok(_) | Err(CoreError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The contact of `CustomerAdd` (`Contacts: [one]` or `PrimaryContact`), with one member per
/// phone type.
fn new_customer_contact(mut c: Members) -> Result<ContactPatch, RpmError> {
    c.bool("IsPrimary")?;
    let mut phones = Vec::new();
    for (member, kind) in [
        ("PhoneBusiness", 1),
        ("PhoneHome", 2),
        ("PhoneFax", 3),
        ("PhoneOther", 6),
    ] {
        if let Some(mut phone) = c.object(member)? {
            let number = phone.string("Number")?;
            phone.finish()?;
            phones.push(phones::Entry {
                id: None,
                kind: phones::kind_of(kind),
                number,
            });
        }
    }
    let patch = ContactPatch {
        first_name: optional(c.string("FirstName")?),
        last_name: optional(c.string("LastName")?),
        salutation: optional(c.string("Salutation")?),
        title: optional(c.string("Title")?),
        email_at: email(c.string("Email")?),
        phones: Patch::Set(phones::merged(&[], phones)?),
        ..ContactPatch::default()
    };
    c.finish()?;
    Ok(patch)
}

/// `Email` as the contact's first email; `None` leaves it alone.
fn email(value: Option<String>) -> BTreeMap<usize, Patch<String>> {
    value
        .map(|v| BTreeMap::from([(0, Patch::Set(v))]))
        .unwrap_or_default()
}

/// `CustomerAdd`: a customer named `Name` (required and unique), with at most one contact,
/// which becomes its primary; on error nothing is saved.
async fn customer_add(
    state: &AppState,
    caller: &Caller,
    mut m: Members,
) -> Result<Value, RpmError> {
    let Some(mut c) = m.object("Customer")? else {
        m.finish()?;
        return Err(RpmError::refused("A customer name is required"));
    };
    m.finish()?;
    let name = c.string("Name")?.unwrap_or_default().trim().to_owned();
    if c.string("AliasAdd")?.is_some_and(|a| !a.trim().is_empty()) {
        return Err(RpmError::refused("Customer aliases are not supported"));
    }
    let mut patch = customer_details(&mut c)?;
    let mut contacts = c.objects("Contacts")?.unwrap_or_default();
    if let Some(primary) = c.object("PrimaryContact")? {
        contacts.push(primary);
    }
    c.finish()?;
    if name.is_empty() {
        return Err(RpmError::refused("A customer name is required"));
    }
    if contacts.len() > 1 {
        return Err(RpmError::refused(
            "Only one contact can be added with a new customer",
        ));
    }
    require_unique_name(state, caller, &name, None).await?;
    patch.name = Patch::Set(name);
    let customer = match contacts.pop() {
        Some(contact) => {
            let contact = new_customer_contact(contact)?;
            state
                .services
                .customers
                .create_with_contact(caller, patch, contact)
                .await?
                .0
        }
        None => state.services.customers.create(caller, patch).await?,
    };
    customer_result(state, caller, &customer, true).await
}

/// `CustomerEdit`: only the members sent in `Customer` change. The customer is
/// `Customer.CustomerID`, as RPM's Node.js library sends it, or `CustomerID` beside `Customer`;
/// with neither, `Customer.Name` names the customer to edit (the library's edit by name)
/// instead of renaming it.
async fn customer_edit(
    state: &AppState,
    caller: &Caller,
    mut m: Members,
) -> Result<Value, RpmError> {
    let outer_id = m.int("CustomerID")?;
    let c = m.object("Customer")?;
    m.finish()?;
    let mut c = c.unwrap_or_default();
    let inner_id = c.int("CustomerID")?;
    let name = c.string("Name")?;
    let mut patch = customer_details(&mut c)?;
    c.finish()?;
    let (id, name) = match (inner_id, outer_id) {
        (Some(inner), Some(outer)) if inner != outer => {
            return Err(RpmError::refused(
                "Customer.CustomerID and CustomerID name different customers",
            ));
        }
        (Some(id), _) | (None, Some(id)) => {
            let id = CustomerId(id);
            state.services.customers.get(caller, id).await?;
            (id, name)
        }
        (None, None) => {
            let found = named_customer(state, caller, None, name)
                .await?
                .ok_or_else(|| RpmError::refused("Customer not found"))?;
            (found.id, None)
        }
    };
    if let Some(name) = name {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(RpmError::refused("A customer name is required"));
        }
        require_unique_name(state, caller, &name, Some(id)).await?;
        patch.name = Patch::Set(name);
    }
    let customer = state
        .services
        .customers
        .patch(caller, id, patch, None)
        .await?;
    customer_result(state, caller, &customer, true).await
}

/// `CustomerContactAdd`: a contact of `CustomerID`; `IsPrimary: true` makes it the primary.
async fn contact_add(state: &AppState, caller: &Caller, mut m: Members) -> Result<Value, RpmError> {
    let contact = m.object("Contact")?;
    let customer = m.int("CustomerID")?;
    let is_primary = m.bool("IsPrimary")?.unwrap_or(false);
    m.finish()?;
    let mut c = contact.ok_or_else(|| RpmError::refused("Contact not passed into call"))?;
    c.int("ContactID")?;
    let phones = match c.objects("PhoneNumbers")? {
        Some(list) => Patch::Set(phones::merged(
            &[],
            phones::entries(list)?
                .into_iter()
                .map(|e| phones::Entry { id: None, ..e })
                .collect(),
        )?),
        None => Patch::Absent,
    };
    let patch = ContactPatch {
        first_name: optional(c.string("FirstName")?),
        last_name: optional(c.string("LastName")?),
        salutation: optional(c.string("Salutation")?),
        title: optional(c.string("Title")?),
        email_at: email(c.string("Email")?),
        phones,
        is_primary: promoted(is_primary),
        ..ContactPatch::default()
    };
    c.finish()?;
    let customer = CustomerId(customer.ok_or_else(|| RpmError::refused("Customer not found"))?);
    let contact = state
        .services
        .contacts
        .create(caller, customer, patch)
        .await?;
    Ok(json!({"Contact": view::contact(&contact)}))
}

/// `CustomerContactEdit` (the seed): `Salutation`, `Title` and `Email` are cleared when not
/// sent; `FirstName` and `LastName` are left alone when not sent; `PhoneNumbers` edits by the
/// rules of [`phones`]; `IsPrimary: true` makes the contact the primary, `false` never demotes.
async fn contact_edit(
    state: &AppState,
    caller: &Caller,
    mut m: Members,
) -> Result<Value, RpmError> {
    let contact = m.object("Contact")?;
    let customer = m.int("CustomerID")?;
    let is_primary = m.bool("IsPrimary")?.unwrap_or(false);
    m.finish()?;
    let mut c = contact.unwrap_or_default();
    let contact_id = c.int("ContactID")?;
    let first_name = c.string("FirstName")?;
    let last_name = c.string("LastName")?;
    let salutation = c.string("Salutation")?;
    let title = c.string("Title")?;
    let email = c.string("Email")?;
    let entries = c
        .objects("PhoneNumbers")?
        .map(phones::entries)
        .transpose()?;
    c.finish()?;
    let id =
        ContactId(contact_id.ok_or_else(|| RpmError::refused("Contact ID not passed into call"))?);
    let customer = CustomerId(customer.ok_or_else(|| RpmError::refused("Customer not found"))?);
    state.services.customers.get(caller, customer).await?;
    let patch = ContactPatch {
        first_name: optional(first_name),
        last_name: optional(last_name),
        salutation: cleared_unless_sent(salutation),
        title: cleared_unless_sent(title),
        email_at: BTreeMap::from([(0, cleared_unless_sent(email))]),
        is_primary: promoted(is_primary),
        ..ContactPatch::default()
    };
    let edited = state
        .services
        .contacts
        .edit_with(caller, customer, id, |current| {
            let phones = match &entries {
                Some(entries) => {
                    Patch::Set(phones::merged(&current.fields.phones, entries.clone())?)
                }
                None => Patch::Absent,
            };
            Ok::<_, RpmError>(ContactPatch {
                phones,
                ..patch.clone()
            })
        })
        .await?;
    Ok(json!({"Contact": view::contact(&edited)}))
}
