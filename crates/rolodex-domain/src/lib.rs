//! The canonical Rolodex model: tenants, users, customers, contacts and their history, with
//! every validation rule and the patch semantics that all surfaces share.
//!
//! Pure: no IO, no async, no HTTP, no SQL. Wire formats live in the surfaces that speak them.

pub mod client;
pub mod contact;
pub mod country;
pub mod customer;
pub mod history;
pub mod ids;
pub mod patch;
pub mod photo;
pub mod redirect;
pub mod restore;
pub mod search;
pub mod tenant;
pub mod text;
pub mod user;
pub mod validation;

pub use client::ClientAddress;
pub use contact::{
    Contact, ContactFields, ContactPatch, MapPatch, Notifications, NotificationsPatch, Phone,
    PhoneInput, PhoneType,
};
pub use country::Country;
pub use customer::{Customer, CustomerFields, CustomerPatch, code_from_name};
pub use history::{Change, FieldChange, HistoryEntry, Surface};
pub use ids::{ContactId, CustomerId, TenantId, UserId};
pub use patch::Patch;
pub use photo::{PhotoRef, PhotoRejection, PhotoSize};
pub use redirect::RedirectUri;
pub use restore::Restore;
pub use tenant::{Tenant, TenantCode};
pub use user::{Membership, Role, User, Username};
pub use validation::{ValidationError, ValidationErrors};
