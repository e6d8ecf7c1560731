//! CRO's wire shapes: CustomerContactModel (the answer of create, get, update and each list
//! item, members in the samples' order) and the members UpdateCustomerContactModel and
//! CreateCustomerContactModel accept.

use serde::Serialize;

/// `name`: the contact's full name, 1 to 128 characters.
pub const NAME: &str = "name";
/// `number`: the main (business) phone, 1 to 90 characters.
pub const NUMBER: &str = "number";
/// `fax`: the fax phone, 7 to 15 characters.
pub const FAX: &str = "fax";
/// `email`: comma-separated addresses, at most 256 characters in all.
pub const EMAIL: &str = "email";
pub const ON_ACKNOWLEDGED: &str = "notify_on_acknowledged_request";
pub const ON_COMPLETED: &str = "notify_on_completed_request";
pub const ON_DISPATCHED: &str = "notify_on_dispatched_request";
pub const ON_FAILED: &str = "notify_on_failed_request";
pub const ON_NEW: &str = "notify_on_new_request";

/// Every member a create or an update accepts.
pub const MEMBERS: [&str; 9] = [
    EMAIL,
    FAX,
    NAME,
    ON_ACKNOWLEDGED,
    ON_COMPLETED,
    ON_DISPATCHED,
    ON_FAILED,
    ON_NEW,
    NUMBER,
];

/// CustomerContactModel; `null` for what the contact does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerContactModel {
    pub email: Option<String>,
    pub fax: Option<String>,
    pub id: i64,
    pub name: Option<String>,
    pub notify_on_acknowledged_request: bool,
    pub notify_on_completed_request: bool,
    pub notify_on_dispatched_request: bool,
    pub notify_on_failed_request: bool,
    pub notify_on_new_request: bool,
    pub number: Option<String>,
}

/// A page of the contact list: the models, and the `cursor` of the next page (`null` on
/// the last).
#[derive(Debug, Serialize)]
pub struct ContactList {
    pub items: Vec<CustomerContactModel>,
    pub next_cursor: Option<String>,
}

/// One tenant the caller may name in `x-tenant-id`.
#[derive(Debug, Serialize)]
pub struct TenantModel {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub role: &'static str,
}
