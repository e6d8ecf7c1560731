//! The connector API's members (the `Contact` and `Customer` beans of Valomnia's MuleSoft
//! connector, <https://github.com/Valomnia/Valomnia-Mulesoft>, `entities/`) onto the model,
//! and the model back onto them.
//!
//! Every member is a string, as the beans declare them, except a customer's `id` (an
//! integer); a contact's `id` is a string too, so that a bean read from a list and saved
//! back names its contact as it was given. Members without a value read as `""`, a
//! contact's `photo` as `null` without a photo.
//!
//! Contact members are the v2.1 parameters ([`super::map`]), and:
//! - `customerReference`: the customer's reference (code); `userReference`: the owner's
//!   username (the `user` of v2.1, with the same fallback: [`super::map::user_of`]).
//! - `id`, `dateCreated`, `lastUpdated`, `organization`, `photo` are read-only: a save
//!   ignores them (beans read from a list are saved back with them), as it ignores members
//!   it does not know (`class`, which bean describers add, say).
//!
//! Customer members:
//! - `reference` is the customer's code (its key), `name`, `website`, `address`, `city`,
//!   `postalCode` and `country` the model's fields of those names.
//! - The bean's members the model has no field for ([`CUSTOMER_EXTRAS`]: `phone`, `email`,
//!   `latitude`, `isActive`, ...) are kept as the customer's custom fields of the same
//!   names, so that what a client saves reads back: text, unchecked, an empty value
//!   removing it.
//! - `id`, `dateCreated`, `lastUpdated`, `organization` are read-only.

use super::map::{Render, instant, user_of};
use super::params::Params;
use rolodex_domain::{Contact, Customer, CustomerPatch, MapPatch, Patch, Tenant};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A list answer: what was created and what was updated since the client's last
/// synchronization (everything is "created" in a first synchronization).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Lists<T> {
    pub list_created: Vec<T>,
    pub list_updated: Vec<T>,
}

/// The connector's `Contact` bean.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ContactBean {
    pub id: String,
    pub customer_reference: String,
    pub user_reference: String,
    pub first_name: String,
    pub last_name: String,
    pub fonction: String,
    pub email: String,
    pub phone: String,
    pub phone2: String,
    pub mobile: String,
    pub fax: String,
    pub comment: String,
    pub country: String,
    pub city: String,
    pub postal_code: String,
    pub address: String,
    pub photo: Option<String>,
    pub organization: String,
    pub date_created: String,
    pub last_updated: String,
}

impl Render {
    /// A contact as the connector's bean.
    pub fn contact_bean(&self, c: Contact) -> ContactBean {
        let user_reference = user_of(&c)
            .and_then(|u| self.usernames.get(&u).cloned())
            .unwrap_or_default();
        let v = self.contact(c);
        ContactBean {
            id: v.id.to_string(),
            customer_reference: v.customer_reference,
            user_reference,
            first_name: v.first_name,
            last_name: v.last_name,
            fonction: v.fonction,
            email: v.email,
            phone: v.phone,
            phone2: v.phone2,
            mobile: v.mobile,
            fax: v.fax,
            comment: v.comment,
            country: v.country,
            city: v.city,
            postal_code: v.postal_code,
            address: v.address,
            photo: v.photo,
            organization: v.organization,
            date_created: v.date_created,
            last_updated: v.last_updated,
        }
    }
}

/// The `Customer` bean's members the model has no field for, kept as custom fields.
pub const CUSTOMER_EXTRAS: [&str; 20] = [
    "phone",
    "mobile",
    "fax",
    "email",
    "comment",
    "latitude",
    "longitude",
    "barecode",
    "isActive",
    "isCredit",
    "creditLimit",
    "balance",
    "maxChequeValue",
    "maxChequePeriod",
    "paymentTerm",
    "invoicesPerRoute",
    "appliedCashBackOutput",
    "categoryReference",
    "logo",
    "userReference",
];

/// The text members with a model field, and how each is read.
const CUSTOMER_TEXT: [&str; 6] = [
    "name",
    "website",
    "address",
    "city",
    "postalCode",
    "country",
];

/// The customer member that writes a model field, for error descriptions.
pub fn customer_wire_name(field: &str) -> &str {
    match field {
        "code" => "reference",
        "postal_code" => "postalCode",
        f => f.strip_prefix("custom_fields.").unwrap_or(f),
    }
}

/// The patch a customer save's members make (its `reference` is the key, not part of it).
pub fn customer_patch(params: &Params) -> CustomerPatch {
    let mut patch = CustomerPatch::default();
    for name in CUSTOMER_TEXT {
        let Some(value) = params.get(name) else {
            continue;
        };
        let target = match name {
            "name" => &mut patch.name,
            "website" => &mut patch.website,
            "address" => &mut patch.address,
            "city" => &mut patch.city,
            "postalCode" => &mut patch.postal_code,
            _ => &mut patch.country,
        };
        *target = Patch::Set(value.to_owned());
    }
    let extras: BTreeMap<String, Option<String>> = CUSTOMER_EXTRAS
        .iter()
        .filter_map(|&name| {
            let value = params.get(name)?;
            Some((
                name.to_owned(),
                (!value.is_empty()).then(|| value.to_owned()),
            ))
        })
        .collect();
    if !extras.is_empty() {
        patch.custom_fields = MapPatch::Merge(extras);
    }
    patch
}

/// A customer as the connector's bean: every member, `""` without a value.
pub fn customer_bean(c: &Customer, tenant: &Tenant) -> Value {
    let f = &c.fields;
    let text = |v: &Option<String>| Value::from(v.clone().unwrap_or_default());
    let mut bean = Map::new();
    bean.insert("id".into(), c.id.0.into());
    bean.insert("reference".into(), f.code.clone().into());
    for (name, value) in [
        ("name", &f.name),
        ("website", &f.website),
        ("address", &f.address),
        ("city", &f.city),
        ("postalCode", &f.postal_code),
        ("country", &f.country),
    ] {
        bean.insert(name.into(), text(value));
    }
    for name in CUSTOMER_EXTRAS {
        let value = f.custom_fields.get(name).cloned().unwrap_or_default();
        bean.insert(name.into(), value.into());
    }
    bean.insert("organization".into(), tenant.code.as_str().into());
    bean.insert("dateCreated".into(), instant(c.created_at).into());
    bean.insert("lastUpdated".into(), instant(c.updated_at).into());
    Value::Object(bean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_errors_name_the_bean_member() {
        assert_eq!(customer_wire_name("code"), "reference");
        assert_eq!(customer_wire_name("postal_code"), "postalCode");
        assert_eq!(customer_wire_name("custom_fields.isActive"), "isActive");
        assert_eq!(customer_wire_name("name"), "name");
    }
}
