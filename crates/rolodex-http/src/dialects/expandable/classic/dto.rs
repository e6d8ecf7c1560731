//! The classic API's member lists, spelled and ordered as its pages print them: the
//! "Accepted Customer Contact Fields" and "Returned Customer Contact Fields" of seed 000 (Query
//! takes the returned fields that are criteria, see `Member::is_criterion`), the keys Delete
//! accepts (siblings 1.5) and the login's PascalCase members (siblings 1.1); and the Customer
//! record's lists in the same style (its pages are NOT FOUND, siblings 1.6).

use crate::dialects::expandable::customer_fields::CustomerField;
use crate::dialects::expandable::fields::Field;

/// The login's members: data source (the tenant's code), user name, password.
pub const LOGIN: [&str; 3] = ["DataSource", "UserName", "Password"];

/// What Update and Create accept (seed 000 "Accepted Customer Contact Fields").
pub const ACCEPTED: [Field; 41] = [
    Field::Attachments,
    Field::Address1,
    Field::Address2,
    Field::Address3,
    Field::CellPhoneNo,
    Field::City,
    Field::ContactStatus,
    Field::Country,
    Field::CustContact,
    Field::CustomerId,
    Field::EMail,
    Field::EMail2,
    Field::FaxNo,
    Field::FirstName,
    Field::Initial,
    Field::LastName,
    Field::MailStop,
    Field::Notes,
    Field::PagerNo,
    Field::PhoneNo,
    Field::SlxId,
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
    Field::State,
    Field::Title,
    Field::WebAddress,
    Field::ZipCode,
];

/// What Update, Create and every Query element return, in this order (seed 000 "Returned
/// Customer Contact Fields").
pub const RETURNED: [Field; 48] = [
    Field::Attachments,
    Field::Address1,
    Field::Address2,
    Field::Address3,
    Field::CellPhoneNo,
    Field::City,
    Field::ContactStatus,
    Field::Country,
    Field::CreatedBy,
    Field::CustContact,
    Field::CustomerId,
    Field::DateCreated,
    Field::DateLastUpdt,
    Field::DateModified,
    Field::EMail,
    Field::EMail2,
    Field::FaxNo,
    Field::FirstName,
    Field::Initial,
    Field::LastName,
    Field::MailStop,
    Field::ModifiedBy,
    Field::Notes,
    Field::OperatorId,
    Field::PagerNo,
    Field::PhoneNo,
    Field::SlxId,
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
    Field::State,
    Field::TimeLastUpdt,
    Field::Title,
    Field::WebAddress,
    Field::ZipCode,
];

/// What Delete accepts: the two keys and nothing else (siblings 1.5).
pub const KEYS: [Field; 2] = [Field::CustomerId, Field::CustContact];

/// What Customer Create and Update accept, in the contact page's order.
pub const CUSTOMER_ACCEPTED: [CustomerField; 10] = [
    CustomerField::Address1,
    CustomerField::Address2,
    CustomerField::Address3,
    CustomerField::City,
    CustomerField::Country,
    CustomerField::CustName,
    CustomerField::CustomerId,
    CustomerField::State,
    CustomerField::WebAddress,
    CustomerField::ZipCode,
];

/// What Customer Create, Update and every Query element return, in this order.
pub const CUSTOMER_RETURNED: [CustomerField; 17] = [
    CustomerField::Address1,
    CustomerField::Address2,
    CustomerField::Address3,
    CustomerField::City,
    CustomerField::Country,
    CustomerField::Audit(Field::CreatedBy),
    CustomerField::CustName,
    CustomerField::CustomerId,
    CustomerField::Audit(Field::DateCreated),
    CustomerField::Audit(Field::DateLastUpdt),
    CustomerField::Audit(Field::DateModified),
    CustomerField::Audit(Field::ModifiedBy),
    CustomerField::Audit(Field::OperatorId),
    CustomerField::State,
    CustomerField::Audit(Field::TimeLastUpdt),
    CustomerField::WebAddress,
    CustomerField::ZipCode,
];

/// Every member name a classic body may carry, as the pages spell them: a classic body's
/// members are matched ignoring case, as ASP.NET Web API binds them.
pub fn member_names() -> impl Iterator<Item = &'static str> + Clone {
    Field::ALL
        .into_iter()
        .map(Field::name)
        .chain(CustomerField::ALL.into_iter().map(CustomerField::name))
        .chain(LOGIN)
}
