//! Valomnia's wire shapes, spelled as the pages spell them (seed 003; siblings 4.1-4.3).
//! Members are declared in the order of the page's sample.

use serde::Serialize;
use serde_json::Value;

/// The contact object of show, list, create and update (siblings 4.2). Empty fields are
/// `""`; `photo` is `null` without a photo, `user` `null` without an owner.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: i64,
    pub customer_reference: String,
    pub customer: Reference,
    pub first_name: String,
    pub last_name: String,
    pub mobile: String,
    pub fax: String,
    pub email: String,
    pub fonction: String,
    pub phone: String,
    pub phone2: String,
    pub comment: String,
    pub country: String,
    pub city: String,
    pub postal_code: String,
    pub address: String,
    pub is_decision_maker: bool,
    pub photo: Option<String>,
    pub user: Option<Reference>,
    pub organization: String,
    pub date_created: String,
    pub last_updated: String,
}

/// An embedded reference to a customer or a user: `{id, reference, name?, href}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reference {
    pub id: i64,
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub href: String,
}

/// A customer as `GET /api/{VERSION}/customers/{id}` shows it: the embedded reference with
/// its organisation and dates (the Customers pages are not public; siblings 4.7).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub href: String,
    pub organization: String,
    pub date_created: String,
    pub last_updated: String,
}

/// A user as `GET /api/{VERSION}/users/{id}` shows it (the Users pages are not public).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub href: String,
    pub organization: String,
}

/// The list answer: `{"paging": {...}, "data": [...]}` (siblings 4.3).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct List {
    pub paging: Paging,
    pub data: Vec<Contact>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Paging {
    pub total: usize,
    pub max: usize,
    pub offset: usize,
    /// Links to the neighbouring pages (with `offset=N`), `null` at either end.
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// The answer of `/login/ajaxSuccess` (siblings 4.1).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LoginSuccess {
    pub success: bool,
    pub token: String,
    pub user: LoginUser,
}

/// The logged-in user, with the members the page lists; what Rolodex does not keep is empty.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LoginUser {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub address: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub avatar: Option<String>,
    pub company_name: String,
    pub company_country: String,
    pub role: Vec<String>,
    pub enabled: bool,
    pub upload_directory: String,
    pub currency: Value,
}
