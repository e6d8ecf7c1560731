//! Valomnia's parameters onto the contact model, and the model back onto Valomnia's contact
//! object (seed 003; siblings 4.2-4.3).
//!
//! | Valomnia | model |
//! |---|---|
//! | `firstName`, `lastName` | first and last name |
//! | `fonction` | title |
//! | `address`, `city`, `postalCode`, `country` | address line 1, city, postal code, country |
//! | `email` | the first (main) email; other emails are left alone |
//! | `phone`, `phone2`, `mobile`, `fax` | the first phone of type business, other, mobile, fax |
//! | `comment` | notes |
//! | `isDecisionMaker` | is decision maker |
//! | `customerId`, `customerReference`, `customer` | the customer (id; `reference` is its code) |
//! | `user` | the owner, else the user who wrote the contact ([`user_of`]; `reference` is the username) |
//! | `organization` | the tenant's code |
//! | `photo` | the photo's URL |
//!
//! A parameter left out leaves its field alone; an empty one clears it. `comment`,
//! `isDecisionMaker` and `externalId` (the contact's external id, what `useExternalId=true`
//! looks contacts up by) are read too, though the update page does not list them.

use super::dto;
use super::error::ValomniaError;
use super::params::Params;
use rolodex_core::query::{Condition, ContactQuery, ContactSort, FieldFilter, FilterField};
use rolodex_domain::photo::parse_file_name;
use rolodex_domain::{
    Contact, ContactId, ContactPatch, Customer, CustomerId, Patch, PhoneType, Tenant, TenantId,
    UserId,
};
use std::collections::{BTreeMap, HashMap};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// The phone parameters and the phone type each stands for.
const PHONES: [(&str, PhoneType); 4] = [
    ("phone", PhoneType::Business),
    ("phone2", PhoneType::Other),
    ("mobile", PhoneType::Mobile),
    ("fax", PhoneType::Fax),
];

/// The text parameters and the model field each sets.
fn text_fields(patch: &mut ContactPatch) -> [(&'static str, &mut Patch<String>); 9] {
    [
        ("firstName", &mut patch.first_name),
        ("lastName", &mut patch.last_name),
        ("fonction", &mut patch.title),
        ("address", &mut patch.address_1),
        ("city", &mut patch.city),
        ("postalCode", &mut patch.postal_code),
        ("country", &mut patch.country),
        ("comment", &mut patch.notes),
        ("externalId", &mut patch.external_id),
    ]
}

/// The Valomnia parameter a model field is written by, for error descriptions.
pub fn wire_name(field: &str) -> &str {
    match field {
        "first_name" | "name" => "firstName",
        "last_name" => "lastName",
        "title" => "fonction",
        "address_1" => "address",
        "postal_code" => "postalCode",
        "notes" => "comment",
        "external_id" => "externalId",
        "is_decision_maker" => "isDecisionMaker",
        "photo" => "imageFile",
        f if f.starts_with("emails") => "email",
        f => PHONES
            .iter()
            .find(|(_, kind)| f == format!("phones.{kind}"))
            .map_or(f, |(name, _)| name),
    }
}

/// The patch a create or update's parameters make.
pub fn contact_patch(params: &Params) -> Result<ContactPatch, ValomniaError> {
    let mut patch = ContactPatch::default();
    for (name, target) in text_fields(&mut patch) {
        if let Some(value) = params.get(name) {
            *target = Patch::Set(value.to_owned());
        }
    }
    for (name, kind) in PHONES {
        if let Some(value) = params.get(name) {
            patch
                .phone_of_type
                .insert(kind, Patch::Set(value.to_owned()));
        }
    }
    if let Some(email) = params.get("email") {
        patch.email_at.insert(0, Patch::Set(email.to_owned()));
    }
    if let Some(flag) = params.flag("isDecisionMaker")? {
        patch.is_decision_maker = Patch::Set(flag);
    }
    Ok(patch)
}

/// How a call names a contact or customer: by Rolodex id (a Long), or with
/// `useExternalId=true` by the contact's external id or the customer's reference (code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Id(i64),
    External(String),
}

impl Key {
    /// Reads `raw`, the value of parameter `name`.
    pub fn parse(raw: &str, name: &str, external: bool) -> Result<Self, ValomniaError> {
        if external {
            Ok(Key::External(raw.to_owned()))
        } else {
            raw.parse()
                .map(Key::Id)
                .map_err(|_| ValomniaError::invalid_type(name))
        }
    }
}

/// The API version of a path: `v` and a dotted number (`v1.0` in the samples, `v2.1` in
/// current clients); any other is a path that does not exist.
pub fn check_version(version: &str) -> Result<(), ValomniaError> {
    let ok = version.strip_prefix('v').is_some_and(|n| {
        !n.is_empty()
            && n.split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    });
    if ok {
        Ok(())
    } else {
        Err(ValomniaError::not_found("API version", version))
    }
}

/// An update names its contact's customer (in parameter `param`): a contact cannot move to
/// another customer (the model keeps a contact with its customer for life).
pub fn same_customer(
    contact: &Contact,
    customer: &Customer,
    param: &str,
) -> Result<(), ValomniaError> {
    if contact.customer_id == customer.id {
        Ok(())
    } else {
        Err(ValomniaError::save_failed(&format!(
            "{param}: the contact belongs to another customer and cannot move."
        )))
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, in UTC.
pub fn instant(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

/// The folder a tenant's photo URLs live under (the login's `uploadDirectory`).
pub fn upload_directory(tenant: &Tenant) -> String {
    format!("/{}-{}", tenant.code.as_str(), tenant.id)
}

/// The tenant code and id of an upload directory's name (`<code>-<tenant id>`, without the
/// leading `/`); `None` for a name of another shape.
pub fn tenant_of_directory(directory: &str) -> Option<(&str, TenantId)> {
    let (code, id) = directory.rsplit_once('-')?;
    Some((code, TenantId(id.parse().ok()?)))
}

/// Splits a photo URL's file name (`[small_|medium_]<contact id>_<photo name>`) into the
/// contact and the photo file (the size prefix and the photo's own name).
pub fn photo_file(file: &str) -> Option<(ContactId, String)> {
    let (size, rest) = parse_file_name(file);
    let (contact, name) = rest.split_once('_')?;
    let contact = contact.parse().ok().map(ContactId)?;
    Some((contact, format!("{}{name}", size.prefix())))
}

/// A contact's `user`: its owner, else the user who created it, else the one who last
/// changed it. Valomnia's contacts always have a user; contacts written through other
/// surfaces may have no owner, and then the user who wrote them stands in. Only a contact
/// no user ever wrote (the operator at the command line) has none.
pub fn user_of(c: &Contact) -> Option<UserId> {
    c.fields.owner_id.or(c.created_by).or(c.updated_by)
}

/// What rendering contacts needs besides the contacts: the API version of the request (for
/// `href`s), the server's base URL (for photo URLs), the tenant, and the customers and owner
/// usernames the contacts refer to.
pub struct Render {
    pub version: String,
    pub base_url: String,
    pub tenant: Tenant,
    pub customers: HashMap<CustomerId, Customer>,
    pub usernames: BTreeMap<UserId, String>,
}

impl Render {
    fn customer_ref(&self, id: CustomerId) -> (String, dto::Reference) {
        let customer = self.customers.get(&id);
        let reference = customer.map(|c| c.fields.code.clone()).unwrap_or_default();
        (
            reference.clone(),
            dto::Reference {
                id: id.0,
                reference,
                name: customer.map(|c| c.fields.name.clone().unwrap_or_default()),
                href: format!("/api/{}/customers/{id}", self.version),
            },
        )
    }

    pub fn contact(&self, c: Contact) -> dto::Contact {
        let (customer_reference, customer) = self.customer_ref(c.customer_id);
        let user = user_of(&c).map(|user| dto::Reference {
            id: user.0,
            reference: self.usernames.get(&user).cloned().unwrap_or_default(),
            name: None,
            href: format!("/api/{}/users/{user}", self.version),
        });
        let f = c.fields;
        let text = |v: Option<String>| v.unwrap_or_default();
        let phone = |kind| f.phone(kind).map(|p| p.number.clone()).unwrap_or_default();
        dto::Contact {
            id: c.id.0,
            customer_reference,
            customer,
            mobile: phone(PhoneType::Mobile),
            fax: phone(PhoneType::Fax),
            phone: phone(PhoneType::Business),
            phone2: phone(PhoneType::Other),
            email: f.emails.first().cloned().unwrap_or_default(),
            first_name: text(f.first_name),
            last_name: text(f.last_name),
            fonction: text(f.title),
            comment: text(f.notes),
            country: text(f.country),
            city: text(f.city),
            postal_code: text(f.postal_code),
            address: text(f.address_1),
            is_decision_maker: f.is_decision_maker,
            photo: f.photo.map(|p| {
                format!(
                    "{}{}/photoContact/{}_{}",
                    self.base_url,
                    upload_directory(&self.tenant),
                    c.id,
                    p.name
                )
            }),
            user,
            organization: self.tenant.code.as_str().to_owned(),
            date_created: instant(c.created_at),
            last_updated: instant(c.updated_at),
        }
    }
}

/// The list parameters (siblings 4.3): the query, the offset and the page size.
pub fn list_query(params: &Params) -> Result<(ContactQuery, usize, usize), ValomniaError> {
    let max = params.parsed::<usize>("max")?.unwrap_or(100);
    if !(1..=1000).contains(&max) {
        return Err(ValomniaError::invalid_type("max"));
    }
    let offset = params.parsed::<usize>("offset")?.unwrap_or(0);
    let sort = match params.get("sort") {
        None | Some("id") => ContactSort::Id,
        Some("lastName") => ContactSort::LastName,
        Some("dateCreated") => ContactSort::CreatedAt,
        Some("lastUpdated") => ContactSort::UpdatedAt,
        Some(_) => return Err(ValomniaError::invalid_type("sort")),
    };
    let descending = match params.get("order").map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(ValomniaError::invalid_type("order")),
    };
    let mut filters = Vec::new();
    for (prefix, field) in [
        ("dateCreated", FilterField::CreatedAt),
        ("lastUpdated", FilterField::UpdatedAt),
    ] {
        for suffix in ["gt", "gte", "lt", "lte"] {
            let name = format!("{prefix}_{suffix}");
            let Some(value) = params.get(&name) else {
                continue;
            };
            if OffsetDateTime::parse(value, &Rfc3339).is_err() {
                return Err(ValomniaError::invalid_type(&name));
            }
            let value = value.to_owned();
            let condition = match suffix {
                "gt" => Condition::Greater(value),
                "gte" => Condition::GreaterOrEqual(value),
                "lt" => Condition::Less(value),
                _ => Condition::LessOrEqual(value),
            };
            filters.push(FieldFilter {
                field: field.clone(),
                condition,
            });
        }
    }
    for (name, field) in [
        ("customerReference", FilterField::CustomerCode),
        ("firstName", FilterField::FirstName),
        ("lastName", FilterField::LastName),
    ] {
        if let Some(value) = params.get(name) {
            filters.push(FieldFilter {
                field,
                condition: Condition::Equals(value.to_owned()),
            });
        }
    }
    let query = ContactQuery {
        filters,
        sort,
        descending,
        ..ContactQuery::default()
    };
    Ok((query, offset, max))
}

/// The link to the list page at `offset`, with the request's other parameters.
pub fn page_link(version: &str, params: &Params, offset: usize, max: usize) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| !matches!(*k, "offset" | "max"))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    pairs.sort();
    pairs.push(("max".into(), max.to_string()));
    pairs.push(("offset".into(), offset.to_string()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("/api/{version}/contacts?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn instants_are_whole_seconds_in_utc() {
        assert_eq!(
            instant(datetime!(2016-08-16 15:35:20.123 +02:00)),
            "2016-08-16T13:35:20Z"
        );
    }

    #[test]
    fn photo_file_names_carry_the_contact_and_the_size() {
        assert_eq!(
            photo_file("small_42_1700000000000_ab.png"),
            Some((ContactId(42), "small_1700000000000_ab.png".into()))
        );
        assert_eq!(
            photo_file("42_1700000000000_ab.png"),
            Some((ContactId(42), "1700000000000_ab.png".into()))
        );
        assert_eq!(photo_file("nope.png"), None);
    }

    #[test]
    fn errors_name_the_valomnia_parameter() {
        assert_eq!(wire_name("title"), "fonction");
        assert_eq!(wire_name("emails[0]"), "email");
        assert_eq!(wire_name("phones.other"), "phone2");
        assert_eq!(wire_name("phones.business"), "phone");
        assert_eq!(wire_name("name"), "firstName");
    }
}
