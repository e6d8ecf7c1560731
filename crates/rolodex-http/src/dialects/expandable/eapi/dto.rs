//! The newer API's wire shapes, spelled and ordered as its pages print them: the "Full
//! Request JSON" and the response template of seed 001, the auth token call of siblings 2.1,
//! and the bodies of the calls its menu implies (designed in its style: UPPER_SNAKE members,
//! every value a string).

use crate::dialects::expandable::customer_fields::CustomerField;
use crate::dialects::expandable::fields::Field;
use crate::dialects::expandable::record::WireRecord;
use serde::Serialize;

/// The member that carries the token in every body (seed 001 "Required Fields").
pub const AUTH_TOKEN: &str = "AUTH_TOKEN";

/// The login's members: data source (the tenant's code), user name, password.
pub const LOGIN: [&str; 3] = ["DATA_SOURCE", "USER_NAME", "PASSWORD"];

/// What create and update accept besides `AUTH_TOKEN` (seed 001 "Full Request JSON"; it has
/// no `SLX_ID`, siblings 2.2).
pub const WRITABLE: [Field; 40] = [
    Field::CustomerId,
    Field::CustContact,
    Field::ContactStatus,
    Field::FirstName,
    Field::LastName,
    Field::Initial,
    Field::Title,
    Field::MailStop,
    Field::Address1,
    Field::Address2,
    Field::Address3,
    Field::City,
    Field::State,
    Field::ZipCode,
    Field::Country,
    Field::PhoneNo,
    Field::FaxNo,
    Field::CellPhoneNo,
    Field::PagerNo,
    Field::EMail,
    Field::EMail2,
    Field::WebAddress,
    Field::SofctUser1,
    Field::SofctUser2,
    Field::SofctUser3,
    Field::SofctUser4,
    Field::SofctUser5,
    Field::SofctUser6,
    Field::SofctUser7,
    Field::SofctUser8,
    Field::SofctUser9,
    Field::SofctUser10,
    Field::SofctUser11,
    Field::SofctUser12,
    Field::SofctUser13,
    Field::SofctUser14,
    Field::SofctUser15,
    Field::SofctUser16,
    Field::Notes,
    Field::Attachments,
];

/// The record every contact call returns, in this order (seed 001 "Success Response"):
/// every field but the classic API's `SLX_ID`, which [`Field::ALL`] lists last.
pub const RECORD: &[Field] = Field::ALL.split_at(Field::ALL.len() - 1).0;

/// What get and delete accept besides `AUTH_TOKEN`: the two keys.
pub const KEYS: [Field; 2] = [Field::CustomerId, Field::CustContact];

/// What customer create and update accept besides `AUTH_TOKEN`: every Customer record field
/// but the audit fields.
pub const CUSTOMER_WRITABLE: &[CustomerField] = CustomerField::ALL.split_at(10).0;

/// The record every customer call returns, in this order.
pub const CUSTOMER_RECORD: &[CustomerField] = &CustomerField::ALL;

/// What customer get accepts besides `AUTH_TOKEN`: the key.
pub const CUSTOMER_KEY: [CustomerField; 1] = [CustomerField::CustomerId];

/// `/api/auth-token-get` (siblings 2.1).
#[derive(Debug, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct AuthToken {
    pub auth_token: String,
}

/// `/api/api-version-get`: Rolodex's version.
#[derive(Debug, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ApiVersion {
    pub api_version: &'static str,
}

/// `/api/server-time-get`: the server's clock, RFC 3339 in UTC.
#[derive(Debug, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ServerTime {
    pub server_time: String,
}

/// One data source: a tenant's code and name.
#[derive(Debug, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct DataSource {
    pub data_source: String,
    pub name: String,
}

/// `/api/data-sources-get`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct DataSources {
    pub data_sources: Vec<DataSource>,
}

/// `/api/customer-contact-query`: every match.
#[derive(Debug, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CustomerContacts {
    pub customer_contacts: Vec<WireRecord>,
}

/// `/api/customer-query`: every match.
#[derive(Debug, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct Customers {
    pub customers: Vec<WireRecord>,
}
