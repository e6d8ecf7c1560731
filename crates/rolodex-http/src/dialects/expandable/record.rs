//! A stored contact as an Expandable record: its own fields through the field table, with
//! what the record shows besides them (the customer's code, the audit fields, which customer
//! records show too), rendered with exactly the fields a page documents, in its order, every
//! value a string.
//!
//! Neither page gives the format of the audit fields (siblings 1.2: NOT FOUND): dates are ISO
//! `YYYY-MM-DD` and times `HH:MM:SS`, both UTC; users are named by username, `""` once the
//! account is gone. `CREATED_BY`/`DATE_CREATED` come from the creation; `MODIFIED_BY`/
//! `DATE_MODIFIED` and `OPERATOR_ID`/`DATE_LAST_UPDT`/`TIME_LAST_UPDT` from the last change.

use super::fields::Field;
use rolodex_domain::Contact;
use serde::ser::{Serialize, SerializeMap, Serializer};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

const DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");
const TIME: &[BorrowedFormatItem<'_>] = format_description!("[hour]:[minute]:[second]");

/// A stored contact as Expandable shows it: with its customer's code and the usernames of
/// the users who created it and changed it last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub contact: Contact,
    pub customer_code: String,
    pub created_by: String,
    pub updated_by: String,
}

impl ContactRecord {
    /// The field's value, `""` when the contact has none.
    pub fn value(&self, field: Field) -> String {
        if let Some(value) = field.read(&self.contact.fields) {
            return value;
        }
        if field == Field::CustomerId {
            return self.customer_code.clone();
        }
        let audit = Audit {
            created_at: self.contact.created_at,
            created_by: &self.created_by,
            updated_at: self.contact.updated_at,
            updated_by: &self.updated_by,
        };
        audit.value(field).unwrap_or_default()
    }

    /// The record with exactly `fields`, in that order.
    pub fn render(&self, fields: &[Field]) -> WireRecord {
        WireRecord::new(fields.iter().map(|&f| (f.name(), self.value(f))).collect())
    }
}

/// Who created a record and when, and who changed it last and when.
pub struct Audit<'a> {
    pub created_at: OffsetDateTime,
    pub created_by: &'a str,
    pub updated_at: OffsetDateTime,
    pub updated_by: &'a str,
}

impl Audit<'_> {
    /// The value of an audit field; `None` for any other field.
    pub fn value(&self, field: Field) -> Option<String> {
        let utc = |t: OffsetDateTime, format| {
            t.to_offset(UtcOffset::UTC)
                .format(format)
                .unwrap_or_default()
        };
        Some(match field {
            Field::CreatedBy => self.created_by.to_owned(),
            Field::ModifiedBy | Field::OperatorId => self.updated_by.to_owned(),
            Field::DateCreated => utc(self.created_at, DATE),
            Field::DateModified | Field::DateLastUpdt => utc(self.updated_at, DATE),
            Field::TimeLastUpdt => utc(self.updated_at, TIME),
            _ => return None,
        })
    }
}

/// A record as sent: the fields a page documents, in its order, every value a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireRecord(Vec<(&'static str, String)>);

impl WireRecord {
    /// The record of these fields and values, in this order.
    pub fn new(fields: Vec<(&'static str, String)>) -> Self {
        Self(fields)
    }
}

impl Serialize for WireRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::{
        ContactFields, ContactId, CustomerId, Phone, PhoneType, TenantId, UserId,
    };
    use std::collections::BTreeMap;
    use time::macros::datetime;

    fn record() -> ContactRecord {
        let fields = ContactFields {
            code: Some("JHERNANDEZ".into()),
            first_name: Some("Joseph".into()),
            country: Some("US".into()),
            emails: vec!["a@x.com".into(), "b@x.com".into(), "c@x.com".into()],
            phones: vec![
                Phone {
                    id: 1,
                    kind: PhoneType::Home,
                    number: "1".into(),
                },
                Phone {
                    id: 2,
                    kind: PhoneType::Mobile,
                    number: "2".into(),
                },
            ],
            attachments: vec!["a".into(), "b".into()],
            custom_fields: BTreeMap::from([("SOFCT_USER_2".into(), "x".into())]),
            ..Default::default()
        };
        ContactRecord {
            contact: Contact {
                id: ContactId(1),
                tenant_id: TenantId(1),
                customer_id: CustomerId(1),
                fields,
                created_at: datetime!(2024-03-01 23:30:05 -2),
                created_by: Some(UserId(1)),
                updated_at: datetime!(2024-03-05 08:09:10 UTC),
                updated_by: Some(UserId(2)),
                version: 2,
            },
            customer_code: "ABCCORP".into(),
            created_by: "apiuser".into(),
            updated_by: "clerk".into(),
        }
    }

    #[test]
    fn a_contact_reads_as_strings_with_utc_dates_and_empty_strings_for_nothing() {
        let r = record();
        let expected = [
            (Field::CustomerId, "ABCCORP"),
            (Field::CustContact, "JHERNANDEZ"),
            (Field::FirstName, "Joseph"),
            (Field::LastName, ""),
            (Field::Country, "USA"),
            (Field::EMail, "a@x.com"),
            (Field::EMail2, "b@x.com"),
            (Field::CellPhoneNo, "2"),
            (Field::PhoneNo, ""),
            (Field::Attachments, "a|b"),
            (Field::SofctUser2, "x"),
            (Field::SofctUser1, ""),
            (Field::CreatedBy, "apiuser"),
            (Field::DateCreated, "2024-03-02"),
            (Field::ModifiedBy, "clerk"),
            (Field::OperatorId, "clerk"),
            (Field::DateModified, "2024-03-05"),
            (Field::DateLastUpdt, "2024-03-05"),
            (Field::TimeLastUpdt, "08:09:10"),
            (Field::SlxId, ""),
        ];
        for (field, value) in expected {
            assert_eq!(r.value(field), value, "{}", field.name());
        }
    }

    #[test]
    fn a_record_renders_exactly_the_fields_asked_in_their_order() {
        let json = serde_json::to_string(&record().render(&[
            Field::SofctUser10,
            Field::SofctUser2,
            Field::CustContact,
            Field::CustomerId,
        ]))
        .unwrap();
        assert_eq!(
            json,
            r#"{"SOFCT_USER_10":"","SOFCT_USER_2":"x","CUST_CONTACT":"JHERNANDEZ","CUSTOMER_ID":"ABCCORP"}"#
        );
    }
}
