//! The field table of Expandable's Customer Contact record, shared by both generations (the
//! classic Web API, seed 000, and the newer API, seed 001): each UPPER_SNAKE field, the
//! canonical field it stands for, how a written value becomes part of a [`ContactPatch`] and
//! how the contact's own fields read back as strings (the record around them is
//! `super::record`). The same table turns the canonical field paths of the core's validation
//! errors back into Expandable names.
//!
//! It only translates: every value is validated by the domain when the patch is applied, and
//! which fields a call accepts is the generations' business (their `dto.rs`).
//!
//! The mapping (the vendor pages name the fields but not their model):
//! - `CUST_CONTACT` is the contact's code, `SLX_ID` its external id, `CONTACT_STATUS` its
//!   status, `ZIP_CODE` its postal code; the other text fields are the fields of the same name.
//! - `COUNTRY` is written in any form the domain accepts (`USA`, `US`, `United States`; see
//!   `rolodex_domain::country`), which keeps the alpha-2 code, and reads as the ISO 3166-1
//!   alpha-3 code, the form Expandable's own examples use ([`shown_country`]).
//! - `E_MAIL` and `E_MAIL_2` are the first two of the contact's ordered emails (`email_at`), so
//!   a write leaves any further email alone. Emails are a list without holes: clearing
//!   `E_MAIL` moves the second one up, and `E_MAIL_2` alone on a contact without email
//!   becomes its first.
//! - `PHONE_NO`, `FAX_NO`, `CELL_PHONE_NO` and `PAGER_NO` are the first phone of type business,
//!   fax, mobile and pager (`phone_of_type`); phones of other types are left alone.
//! - `ATTACHMENTS` is the whole attachment list joined with `|` (seed 000 and 001 both show
//!   `"http://www.expandable.com/|C:\\Expandable.docx"`); empty segments are dropped.
//! - `SOFCT_USER_1..16` are the custom fields of those very names, written one by one
//!   (`MapPatch::Merge`), so custom fields of other names are left alone.
//! - The audit fields (`CREATED_BY`, `DATE_CREATED`, ...) are read-only: a write ignores them.
//! - An empty value clears a field on write; every field reads as a string, `""` when empty.

use super::body::Member;
use rolodex_domain::{ContactFields, ContactPatch, Country, MapPatch, Patch, PhoneType};
use std::collections::BTreeMap;

/// One field of an Expandable Customer Contact record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    CustomerId,
    CustContact,
    ContactStatus,
    FirstName,
    LastName,
    Initial,
    Title,
    MailStop,
    Address1,
    Address2,
    Address3,
    City,
    State,
    ZipCode,
    Country,
    PhoneNo,
    FaxNo,
    CellPhoneNo,
    PagerNo,
    EMail,
    EMail2,
    WebAddress,
    SofctUser1,
    SofctUser2,
    SofctUser3,
    SofctUser4,
    SofctUser5,
    SofctUser6,
    SofctUser7,
    SofctUser8,
    SofctUser9,
    SofctUser10,
    SofctUser11,
    SofctUser12,
    SofctUser13,
    SofctUser14,
    SofctUser15,
    SofctUser16,
    CreatedBy,
    DateCreated,
    ModifiedBy,
    DateModified,
    OperatorId,
    DateLastUpdt,
    TimeLastUpdt,
    Notes,
    Attachments,
    SlxId,
}

/// A field stored as one optional text of the contact, with its canonical name.
struct TextField {
    field: Field,
    canonical: &'static str,
    read: fn(&ContactFields) -> &Option<String>,
    write: fn(&mut ContactPatch) -> &mut Patch<String>,
}

const fn text(
    field: Field,
    canonical: &'static str,
    read: fn(&ContactFields) -> &Option<String>,
    write: fn(&mut ContactPatch) -> &mut Patch<String>,
) -> TextField {
    TextField {
        field,
        canonical,
        read,
        write,
    }
}

const TEXT_FIELDS: [TextField; 17] = [
    text(Field::CustContact, "code", |c| &c.code, |p| &mut p.code),
    text(
        Field::SlxId,
        "external_id",
        |c| &c.external_id,
        |p| &mut p.external_id,
    ),
    text(
        Field::ContactStatus,
        "status",
        |c| &c.status,
        |p| &mut p.status,
    ),
    text(
        Field::FirstName,
        "first_name",
        |c| &c.first_name,
        |p| &mut p.first_name,
    ),
    text(
        Field::LastName,
        "last_name",
        |c| &c.last_name,
        |p| &mut p.last_name,
    ),
    text(
        Field::Initial,
        "initial",
        |c| &c.initial,
        |p| &mut p.initial,
    ),
    text(Field::Title, "title", |c| &c.title, |p| &mut p.title),
    text(
        Field::MailStop,
        "mail_stop",
        |c| &c.mail_stop,
        |p| &mut p.mail_stop,
    ),
    text(
        Field::Address1,
        "address_1",
        |c| &c.address_1,
        |p| &mut p.address_1,
    ),
    text(
        Field::Address2,
        "address_2",
        |c| &c.address_2,
        |p| &mut p.address_2,
    ),
    text(
        Field::Address3,
        "address_3",
        |c| &c.address_3,
        |p| &mut p.address_3,
    ),
    text(Field::City, "city", |c| &c.city, |p| &mut p.city),
    text(Field::State, "state", |c| &c.state, |p| &mut p.state),
    text(
        Field::ZipCode,
        "postal_code",
        |c| &c.postal_code,
        |p| &mut p.postal_code,
    ),
    text(
        Field::Country,
        "country",
        |c| &c.country,
        |p| &mut p.country,
    ),
    text(
        Field::WebAddress,
        "web_address",
        |c| &c.web_address,
        |p| &mut p.web_address,
    ),
    text(Field::Notes, "notes", |c| &c.notes, |p| &mut p.notes),
];

impl Member for Field {
    /// The field named exactly `name` (a classic body's members are first spelled as the
    /// pages spell them, see `Members::ignoring_case`).
    fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Audit fields: Rolodex sets them, a client only reads them (and may post them back
    /// unchanged, see `Members::into_writes`).
    fn is_read_only(self) -> bool {
        matches!(
            self,
            Field::CreatedBy
                | Field::DateCreated
                | Field::ModifiedBy
                | Field::DateModified
                | Field::OperatorId
                | Field::DateLastUpdt
                | Field::TimeLastUpdt
        )
    }

    /// Whether Query takes the field as a criterion: every record field but NOTES and
    /// ATTACHMENTS (siblings 1.3).
    fn is_criterion(self) -> bool {
        !matches!(self, Field::Notes | Field::Attachments)
    }
}

impl Field {
    /// Every field: the newer API's record order (seed 001), then the classic API's `SLX_ID`.
    pub const ALL: [Field; 48] = [
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
        Field::CreatedBy,
        Field::DateCreated,
        Field::ModifiedBy,
        Field::DateModified,
        Field::OperatorId,
        Field::DateLastUpdt,
        Field::TimeLastUpdt,
        Field::Notes,
        Field::Attachments,
        Field::SlxId,
    ];

    /// The field's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Field::CustomerId => "CUSTOMER_ID",
            Field::CustContact => "CUST_CONTACT",
            Field::ContactStatus => "CONTACT_STATUS",
            Field::FirstName => "FIRST_NAME",
            Field::LastName => "LAST_NAME",
            Field::Initial => "INITIAL",
            Field::Title => "TITLE",
            Field::MailStop => "MAIL_STOP",
            Field::Address1 => "ADDRESS_1",
            Field::Address2 => "ADDRESS_2",
            Field::Address3 => "ADDRESS_3",
            Field::City => "CITY",
            Field::State => "STATE",
            Field::ZipCode => "ZIP_CODE",
            Field::Country => "COUNTRY",
            Field::PhoneNo => "PHONE_NO",
            Field::FaxNo => "FAX_NO",
            Field::CellPhoneNo => "CELL_PHONE_NO",
            Field::PagerNo => "PAGER_NO",
            Field::EMail => "E_MAIL",
            Field::EMail2 => "E_MAIL_2",
            Field::WebAddress => "WEB_ADDRESS",
            Field::SofctUser1 => "SOFCT_USER_1",
            Field::SofctUser2 => "SOFCT_USER_2",
            Field::SofctUser3 => "SOFCT_USER_3",
            Field::SofctUser4 => "SOFCT_USER_4",
            Field::SofctUser5 => "SOFCT_USER_5",
            Field::SofctUser6 => "SOFCT_USER_6",
            Field::SofctUser7 => "SOFCT_USER_7",
            Field::SofctUser8 => "SOFCT_USER_8",
            Field::SofctUser9 => "SOFCT_USER_9",
            Field::SofctUser10 => "SOFCT_USER_10",
            Field::SofctUser11 => "SOFCT_USER_11",
            Field::SofctUser12 => "SOFCT_USER_12",
            Field::SofctUser13 => "SOFCT_USER_13",
            Field::SofctUser14 => "SOFCT_USER_14",
            Field::SofctUser15 => "SOFCT_USER_15",
            Field::SofctUser16 => "SOFCT_USER_16",
            Field::CreatedBy => "CREATED_BY",
            Field::DateCreated => "DATE_CREATED",
            Field::ModifiedBy => "MODIFIED_BY",
            Field::DateModified => "DATE_MODIFIED",
            Field::OperatorId => "OPERATOR_ID",
            Field::DateLastUpdt => "DATE_LAST_UPDT",
            Field::TimeLastUpdt => "TIME_LAST_UPDT",
            Field::Notes => "NOTES",
            Field::Attachments => "ATTACHMENTS",
            Field::SlxId => "SLX_ID",
        }
    }

    /// The phone type of a phone field.
    pub fn phone_type(self) -> Option<PhoneType> {
        match self {
            Field::PhoneNo => Some(PhoneType::Business),
            Field::FaxNo => Some(PhoneType::Fax),
            Field::CellPhoneNo => Some(PhoneType::Mobile),
            Field::PagerNo => Some(PhoneType::Pager),
            _ => None,
        }
    }

    /// The position of an email field in the contact's emails.
    pub fn email_index(self) -> Option<usize> {
        match self {
            Field::EMail => Some(0),
            Field::EMail2 => Some(1),
            _ => None,
        }
    }

    /// The custom field a `SOFCT_USER_n` field is: the one of the same name.
    pub fn custom_field(self) -> Option<&'static str> {
        self.name().starts_with("SOFCT_USER_").then(|| self.name())
    }

    /// The value of one of the contact's own fields, `""` when it has none; `None` for the
    /// customer key and the audit fields, which are not the contact's fields.
    pub fn read(self, c: &ContactFields) -> Option<String> {
        if self == Field::Country {
            return Some(c.country.as_deref().map(shown_country).unwrap_or_default());
        }
        if let Some(t) = self.text() {
            return Some((t.read)(c).clone().unwrap_or_default());
        }
        if let Some(kind) = self.phone_type() {
            return Some(c.phone(kind).map(|p| p.number.clone()).unwrap_or_default());
        }
        if let Some(i) = self.email_index() {
            return Some(c.emails.get(i).cloned().unwrap_or_default());
        }
        if let Some(name) = self.custom_field() {
            return Some(c.custom_fields.get(name).cloned().unwrap_or_default());
        }
        (self == Field::Attachments).then(|| c.attachments.join("|"))
    }

    fn text(self) -> Option<&'static TextField> {
        TEXT_FIELDS.iter().find(|t| t.field == self)
    }

    /// The canonical path the core names this field by in validation errors.
    fn canonical(self) -> Option<String> {
        if let Some(t) = self.text() {
            return Some(t.canonical.to_owned());
        }
        if let Some(kind) = self.phone_type() {
            return Some(format!("phones.{kind}"));
        }
        if let Some(i) = self.email_index() {
            return Some(format!("emails[{i}]"));
        }
        if let Some(name) = self.custom_field() {
            return Some(format!("custom_fields.{name}"));
        }
        (self == Field::Attachments).then(|| "attachments".to_owned())
    }

    /// The field a canonical error path is about, if this API has one. The elements of the
    /// attachment list (`attachments[2]`) are `ATTACHMENTS`; the whole email list (too many)
    /// is `E_MAIL`; the rule that a contact needs a name or a code is met by `CUST_CONTACT`.
    pub fn of_canonical(path: &str) -> Option<Field> {
        match path {
            "emails" => Some(Field::EMail),
            "name" => Some(Field::CustContact),
            p if p.starts_with("attachments") => Some(Field::Attachments),
            p => Field::ALL
                .into_iter()
                .find(|f| f.canonical().as_deref() == Some(p)),
        }
    }
}

/// A stored country (alpha-2) as Expandable shows it: its ISO 3166-1 alpha-3 code, the form
/// Expandable's own examples use (siblings 1.3: `{"COUNTRY": "USA", "STATE": "CA"}`).
pub fn shown_country(stored: &str) -> String {
    Country::parse(stored).map_or_else(|| stored.to_owned(), |c| c.alpha3().to_owned())
}

/// Adds the write of `value` to `field` to `patch`; an empty value clears the field. The
/// customer key and the audit fields are not the contact's to write: the generations take
/// the key out and refuse audit fields before they get here.
pub fn write(patch: &mut ContactPatch, field: Field, value: String) {
    let text = |v: String| {
        if v.is_empty() {
            Patch::Clear
        } else {
            Patch::Set(v)
        }
    };
    if let Some(t) = field.text() {
        *(t.write)(patch) = text(value);
    } else if let Some(kind) = field.phone_type() {
        patch.phone_of_type.insert(kind, text(value));
    } else if let Some(i) = field.email_index() {
        patch.email_at.insert(i, text(value));
    } else if let Some(name) = field.custom_field() {
        let value = (!value.is_empty()).then_some(value);
        match &mut patch.custom_fields {
            MapPatch::Merge(entries) => {
                entries.insert(name.to_owned(), value);
            }
            other => *other = MapPatch::Merge(BTreeMap::from([(name.to_owned(), value)])),
        }
    } else if field == Field::Attachments {
        patch.attachments = if value.is_empty() {
            Patch::Clear
        } else {
            Patch::Set(
                value
                    .split('|')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            )
        };
    }
}

/// The patch that writes `values` (contact fields only; see [`write`]).
pub fn patch(values: impl IntoIterator<Item = (Field, String)>) -> ContactPatch {
    let mut patch = ContactPatch::default();
    for (field, value) in values {
        write(&mut patch, field, value);
    }
    patch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_field_but_notes_and_attachments_is_a_criterion() {
        let not: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| !f.is_criterion())
            .collect();
        assert_eq!(not, [Field::Notes, Field::Attachments]);
    }

    #[test]
    fn every_field_has_a_distinct_name_that_parses_back() {
        for f in Field::ALL {
            assert_eq!(Field::parse(f.name()), Some(f));
        }
        assert_eq!(Field::parse("e_mail"), None, "a name as the pages spell it");
        assert_eq!(Field::parse("AUTH_TOKEN"), None);
        assert_eq!(Field::parse("SOFCT_USER_17"), None);
    }

    #[test]
    fn writes_map_onto_element_level_patches_and_leave_the_rest_absent() {
        let p = patch([
            (Field::FirstName, "Joseph".to_owned()),
            (Field::ZipCode, "95131".to_owned()),
            (Field::SlxId, String::new()),
            (Field::FaxNo, "408-555-1213".to_owned()),
            (Field::EMail2, "j2@abccorp.com".to_owned()),
            (Field::SofctUser3, "blue".to_owned()),
            (Field::SofctUser4, String::new()),
            (
                Field::Attachments,
                "http://www.expandable.com/|C:\\Expandable.docx|".to_owned(),
            ),
        ]);
        assert_eq!(p.first_name, Patch::Set("Joseph".into()));
        assert_eq!(p.postal_code, Patch::Set("95131".into()));
        assert_eq!(p.external_id, Patch::Clear);
        assert_eq!(
            p.phone_of_type,
            BTreeMap::from([(PhoneType::Fax, Patch::Set("408-555-1213".into()))])
        );
        assert_eq!(
            p.email_at,
            BTreeMap::from([(1, Patch::Set("j2@abccorp.com".into()))])
        );
        assert_eq!(
            p.custom_fields,
            MapPatch::Merge(BTreeMap::from([
                ("SOFCT_USER_3".into(), Some("blue".into())),
                ("SOFCT_USER_4".into(), None),
            ]))
        );
        assert_eq!(
            p.attachments,
            Patch::Set(vec![
                "http://www.expandable.com/".into(),
                "C:\\Expandable.docx".into()
            ])
        );
        assert_eq!(
            (&p.phones, &p.emails, &p.last_name),
            (&Patch::Absent, &Patch::Absent, &Patch::Absent)
        );
    }

    #[test]
    fn an_empty_attachments_value_clears_the_list() {
        assert_eq!(
            patch([(Field::Attachments, String::new())]).attachments,
            Patch::Clear
        );
    }

    #[test]
    fn only_the_contacts_own_fields_are_read_from_it() {
        let c = ContactFields {
            postal_code: Some("95131".into()),
            country: Some("US".into()),
            ..ContactFields::default()
        };
        assert_eq!(Field::ZipCode.read(&c).as_deref(), Some("95131"));
        assert_eq!(Field::Country.read(&c).as_deref(), Some("USA"));
        assert_eq!(
            Field::Country.read(&ContactFields::default()).as_deref(),
            Some("")
        );
        assert_eq!(Field::FaxNo.read(&c).as_deref(), Some(""));
        for f in [Field::CustomerId, Field::CreatedBy, Field::TimeLastUpdt] {
            assert_eq!(f.read(&c), None, "{}", f.name());
        }
    }

    #[test]
    fn canonical_error_paths_name_expandable_fields() {
        let cases = [
            ("code", Some(Field::CustContact)),
            ("country", Some(Field::Country)),
            ("postal_code", Some(Field::ZipCode)),
            ("emails[0]", Some(Field::EMail)),
            ("emails[1]", Some(Field::EMail2)),
            ("emails", Some(Field::EMail)),
            ("phones.fax", Some(Field::FaxNo)),
            ("phones.mobile", Some(Field::CellPhoneNo)),
            ("attachments[3]", Some(Field::Attachments)),
            ("custom_fields.SOFCT_USER_3", Some(Field::SofctUser3)),
            ("external_id", Some(Field::SlxId)),
            ("name", Some(Field::CustContact)),
            ("salutation", None),
            ("custom_fields.other", None),
        ];
        for (path, field) in cases {
            assert_eq!(Field::of_canonical(path), field, "{path}");
        }
    }
}
