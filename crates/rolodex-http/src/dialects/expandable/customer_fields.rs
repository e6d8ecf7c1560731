//! The Customer record of both generations: its UPPER_SNAKE fields, the canonical customer
//! field each stands for, how a written value becomes part of a [`CustomerPatch`], and how a
//! stored customer reads back as a record.
//!
//! Both APIs list a Customer area (seed 001's menu; siblings 1.6 and 2.4: its pages NOT
//! FOUND), so the record is designed in the Customer Contact record's style: the contact
//! record's names wherever the two mean the same thing, every value a string, `""` when
//! empty, an empty value clearing a field.
//! - `CUSTOMER_ID` is the customer's code (the key), `CUST_NAME` its name, `WEB_ADDRESS` its
//!   website, `ZIP_CODE` its postal code; `CITY` and `STATE` as named.
//! - `ADDRESS_1..3` are the first three lines of the customer's address, written one by one
//!   (`CustomerPatch::address_lines`), so further lines are left alone.
//! - `COUNTRY` as on contacts: any form the domain accepts, read as the alpha-3 code.
//! - The audit fields are the contact record's (`CREATED_BY`, `DATE_CREATED`, ...), read-only.
//!
//! It only translates: every value is validated by the domain when the patch is applied.

use super::body::Member;
use super::fields::{Field, shown_country};
use super::record::{Audit, WireRecord};
use rolodex_domain::{Customer, CustomerFields, CustomerPatch, Patch};

/// One field of an Expandable Customer record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerField {
    CustomerId,
    CustName,
    Address1,
    Address2,
    Address3,
    City,
    State,
    ZipCode,
    Country,
    WebAddress,
    /// One of the contact record's audit fields.
    Audit(Field),
}

impl CustomerField {
    /// Every field, in the newer API's record order.
    pub const ALL: [CustomerField; 17] = [
        CustomerField::CustomerId,
        CustomerField::CustName,
        CustomerField::Address1,
        CustomerField::Address2,
        CustomerField::Address3,
        CustomerField::City,
        CustomerField::State,
        CustomerField::ZipCode,
        CustomerField::Country,
        CustomerField::WebAddress,
        CustomerField::Audit(Field::CreatedBy),
        CustomerField::Audit(Field::DateCreated),
        CustomerField::Audit(Field::ModifiedBy),
        CustomerField::Audit(Field::DateModified),
        CustomerField::Audit(Field::OperatorId),
        CustomerField::Audit(Field::DateLastUpdt),
        CustomerField::Audit(Field::TimeLastUpdt),
    ];

    /// The field's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            CustomerField::CustomerId => "CUSTOMER_ID",
            CustomerField::CustName => "CUST_NAME",
            CustomerField::Address1 => "ADDRESS_1",
            CustomerField::Address2 => "ADDRESS_2",
            CustomerField::Address3 => "ADDRESS_3",
            CustomerField::City => "CITY",
            CustomerField::State => "STATE",
            CustomerField::ZipCode => "ZIP_CODE",
            CustomerField::Country => "COUNTRY",
            CustomerField::WebAddress => "WEB_ADDRESS",
            CustomerField::Audit(f) => f.name(),
        }
    }

    /// The line of the address an `ADDRESS_n` field is (0 for `ADDRESS_1`).
    fn address_line(self) -> Option<usize> {
        match self {
            CustomerField::Address1 => Some(0),
            CustomerField::Address2 => Some(1),
            CustomerField::Address3 => Some(2),
            _ => None,
        }
    }

    /// The value of the field for `customer`, `""` when it has none.
    fn read(self, c: &CustomerFields) -> Option<String> {
        if let Some(i) = self.address_line() {
            let line = c.address.as_deref().and_then(|a| a.lines().nth(i));
            return Some(line.unwrap_or_default().to_owned());
        }
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Some(match self {
            CustomerField::CustomerId => c.code.clone(),
            CustomerField::CustName => text(&c.name),
            CustomerField::City => text(&c.city),
            CustomerField::State => text(&c.state),
            CustomerField::ZipCode => text(&c.postal_code),
            CustomerField::Country => c.country.as_deref().map(shown_country).unwrap_or_default(),
            CustomerField::WebAddress => text(&c.website),
            _ => return None,
        })
    }

    /// The field a canonical error path of a customer is about, if this API has one.
    pub fn of_canonical(path: &str) -> Option<CustomerField> {
        Some(match path {
            "code" => CustomerField::CustomerId,
            "name" => CustomerField::CustName,
            "address" | "address_lines[0]" => CustomerField::Address1,
            "address_lines[1]" => CustomerField::Address2,
            "address_lines[2]" => CustomerField::Address3,
            "city" => CustomerField::City,
            "state" => CustomerField::State,
            "postal_code" => CustomerField::ZipCode,
            "country" => CustomerField::Country,
            "website" => CustomerField::WebAddress,
            _ => return None,
        })
    }
}

impl Member for CustomerField {
    fn parse(name: &str) -> Option<Self> {
        CustomerField::ALL.into_iter().find(|f| f.name() == name)
    }

    fn is_read_only(self) -> bool {
        matches!(self, CustomerField::Audit(_))
    }

    /// Every field is a criterion, as every contact field but the long texts is.
    fn is_criterion(self) -> bool {
        true
    }
}

/// The patch that writes `values`; an empty value clears a field. The key is the caller's to
/// take out before (it locates the customer or names the new one).
pub fn patch(values: impl IntoIterator<Item = (CustomerField, String)>) -> CustomerPatch {
    let mut patch = CustomerPatch::default();
    for (field, value) in values {
        let value = if value.is_empty() {
            Patch::Clear
        } else {
            Patch::Set(value)
        };
        if let Some(i) = field.address_line() {
            patch.address_lines.insert(i, value);
            continue;
        }
        let target = match field {
            CustomerField::CustomerId => &mut patch.code,
            CustomerField::CustName => &mut patch.name,
            CustomerField::City => &mut patch.city,
            CustomerField::State => &mut patch.state,
            CustomerField::ZipCode => &mut patch.postal_code,
            CustomerField::Country => &mut patch.country,
            CustomerField::WebAddress => &mut patch.website,
            _ => continue,
        };
        *target = value;
    }
    patch
}

/// A stored customer as Expandable shows it, with the usernames of the users who created it
/// and changed it last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    pub customer: Customer,
    pub created_by: String,
    pub updated_by: String,
}

impl CustomerRecord {
    /// The field's value, `""` when the customer has none.
    pub fn value(&self, field: CustomerField) -> String {
        if let CustomerField::Audit(f) = field {
            let audit = Audit {
                created_at: self.customer.created_at,
                created_by: &self.created_by,
                updated_at: self.customer.updated_at,
                updated_by: &self.updated_by,
            };
            return audit.value(f).unwrap_or_default();
        }
        field.read(&self.customer.fields).unwrap_or_default()
    }

    /// The record with exactly `fields`, in that order.
    pub fn render(&self, fields: &[CustomerField]) -> WireRecord {
        WireRecord::new(fields.iter().map(|&f| (f.name(), self.value(f))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::{CustomerId, TenantId, UserId};
    use time::macros::datetime;

    #[test]
    fn every_field_has_a_distinct_name_that_parses_back() {
        for f in CustomerField::ALL {
            assert_eq!(CustomerField::parse(f.name()), Some(f));
        }
        assert_eq!(CustomerField::parse("CUST_CONTACT"), None);
        assert!(CustomerField::Audit(Field::DateCreated).is_read_only());
        assert!(!CustomerField::Country.is_read_only());
    }

    #[test]
    fn writes_map_onto_the_customer_patch_and_address_lines() {
        let p = patch([
            (CustomerField::CustName, "ABC Corporation".to_owned()),
            (CustomerField::Address2, "Suite 2".to_owned()),
            (CustomerField::Address3, String::new()),
            (CustomerField::Country, "USA".to_owned()),
            (CustomerField::WebAddress, String::new()),
        ]);
        assert_eq!(p.name, Patch::Set("ABC Corporation".into()));
        assert_eq!(
            p.address_lines.into_iter().collect::<Vec<_>>(),
            [(1, Patch::Set("Suite 2".into())), (2, Patch::Clear)]
        );
        assert_eq!(p.country, Patch::Set("USA".into()));
        assert_eq!(p.website, Patch::Clear);
        assert_eq!((p.code, p.address), (Patch::Absent, Patch::Absent));
    }

    #[test]
    fn a_customer_reads_as_strings_with_its_address_by_line() {
        let r = CustomerRecord {
            customer: Customer {
                id: CustomerId(1),
                tenant_id: TenantId(1),
                fields: CustomerFields {
                    code: "ABCCORP".into(),
                    name: Some("ABC Corporation".into()),
                    address: Some("1 Main St\nSuite 2".into()),
                    country: Some("GB".into()),
                    ..CustomerFields::default()
                },
                created_at: datetime!(2024-03-01 23:30:05 -2),
                created_by: Some(UserId(1)),
                updated_at: datetime!(2024-03-05 08:09:10 UTC),
                updated_by: Some(UserId(2)),
                version: 2,
            },
            created_by: "apiuser".into(),
            updated_by: "clerk".into(),
        };
        let expected = [
            (CustomerField::CustomerId, "ABCCORP"),
            (CustomerField::CustName, "ABC Corporation"),
            (CustomerField::Address1, "1 Main St"),
            (CustomerField::Address2, "Suite 2"),
            (CustomerField::Address3, ""),
            (CustomerField::Country, "GBR"),
            (CustomerField::City, ""),
            (CustomerField::Audit(Field::CreatedBy), "apiuser"),
            (CustomerField::Audit(Field::DateCreated), "2024-03-02"),
            (CustomerField::Audit(Field::OperatorId), "clerk"),
            (CustomerField::Audit(Field::TimeLastUpdt), "08:09:10"),
        ];
        for (field, value) in expected {
            assert_eq!(r.value(field), value, "{}", field.name());
        }
    }

    #[test]
    fn canonical_error_paths_name_customer_fields() {
        for (path, field) in [
            ("code", Some(CustomerField::CustomerId)),
            ("address", Some(CustomerField::Address1)),
            ("address_lines[2]", Some(CustomerField::Address3)),
            ("website", Some(CustomerField::WebAddress)),
            ("custom_fields.x", None),
        ] {
            assert_eq!(CustomerField::of_canonical(path), field, "{path}");
        }
    }
}
