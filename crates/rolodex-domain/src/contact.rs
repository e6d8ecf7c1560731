//! Contacts: the people to contact at a customer, with every field any of the five seed
//! systems can express, and the one place where their values are validated and patched.

use crate::country::check_country;
use crate::ids::{ContactId, CustomerId, TenantId, UserId};
use crate::patch::Patch;
use crate::photo::PhotoRef;
use crate::text::TextRule;
use crate::validation::{ValidationError, ValidationErrors};
use email_address::{EmailAddress, Options};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use time::OffsetDateTime;

/// Notes may be as long as Expandable allows (seed 000: "up to 32,765 characters").
pub const NOTES_MAX_CHARS: usize = 32_765;
/// Most phones, emails and attachments one contact may hold.
pub const MAX_PHONES: usize = 16;
pub const MAX_EMAILS: usize = 16;
pub const MAX_ATTACHMENTS: usize = 64;
pub const MAX_CUSTOM_FIELDS: usize = 64;

const CODE: TextRule = TextRule::line(64);
const EXTERNAL_ID: TextRule = TextRule::line(128);
const SHORT: TextRule = TextRule::line(32);
const INITIAL: TextRule = TextRule::line(8);
const NAME: TextRule = TextRule::line(128);
const LINE: TextRule = TextRule::line(256);
const PHONE_NUMBER: TextRule = TextRule::line(90);
const EMAIL: TextRule = TextRule::line(254);
const URL: TextRule = TextRule::line(2048);
const NOTES: TextRule = TextRule::multiline(NOTES_MAX_CHARS);
const CUSTOM_NAME: TextRule = TextRule::line(64);
const CUSTOM_VALUE: TextRule = TextRule::multiline(4096);

/// The kind of a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneType {
    Business,
    Home,
    Mobile,
    Fax,
    Pager,
    Other,
}

impl PhoneType {
    pub const ALL: [PhoneType; 6] = [
        PhoneType::Business,
        PhoneType::Home,
        PhoneType::Mobile,
        PhoneType::Fax,
        PhoneType::Pager,
        PhoneType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PhoneType::Business => "business",
            PhoneType::Home => "home",
            PhoneType::Mobile => "mobile",
            PhoneType::Fax => "fax",
            PhoneType::Pager => "pager",
            PhoneType::Other => "other",
        }
    }
}

impl fmt::Display for PhoneType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PhoneType {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        PhoneType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

/// A stored phone number. `id` is stable for the life of the contact, so that clients can
/// address one phone (RPM's `PhoneNumberID`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    pub id: u32,
    #[serde(rename = "type")]
    pub kind: PhoneType,
    pub number: String,
}

/// A phone as a client sends it: an `id` keeps (and edits) an existing phone, none adds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneInput {
    pub id: Option<u32>,
    pub kind: String,
    pub number: String,
}

/// When the contact wants to be told about a service request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Notifications {
    pub on_new: bool,
    pub on_acknowledged: bool,
    pub on_dispatched: bool,
    pub on_completed: bool,
    pub on_failed: bool,
}

/// A partial update of [`Notifications`]; a cleared flag is `false`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationsPatch {
    pub on_new: Patch<bool>,
    pub on_acknowledged: Patch<bool>,
    pub on_dispatched: Patch<bool>,
    pub on_completed: Patch<bool>,
    pub on_failed: Patch<bool>,
}

impl NotificationsPatch {
    fn or_clear(self) -> Self {
        Self {
            on_new: self.on_new.or_clear(),
            on_acknowledged: self.on_acknowledged.or_clear(),
            on_dispatched: self.on_dispatched.or_clear(),
            on_completed: self.on_completed.or_clear(),
            on_failed: self.on_failed.or_clear(),
        }
    }
}

/// A change to a name -> value map: RFC 7396 merges objects member by member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MapPatch {
    #[default]
    Absent,
    /// The whole map becomes this one.
    Replace(BTreeMap<String, String>),
    /// Each `Some` sets its entry, each `None` removes it; others stay.
    Merge(BTreeMap<String, Option<String>>),
}

/// The writable state of a contact: everything a client may set. Serialised field names are
/// the canonical ones used in history entries and validation errors.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactFields {
    /// Unique per customer: Expandable's `CUST_CONTACT` ("JHERNANDEZ").
    pub code: Option<String>,
    /// Unique per tenant: Valomnia's external id, Expandable's `SLX_ID`.
    pub external_id: Option<String>,
    pub status: Option<String>,
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub initial: Option<String>,
    pub last_name: Option<String>,
    /// Set on its own (CRO's single `name`); otherwise derived, see [`ContactFields::name`].
    pub full_name: Option<String>,
    /// Job title or function (Valomnia's `fonction`).
    pub title: Option<String>,
    pub mail_stop: Option<String>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub address_3: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, upper-case.
    pub country: Option<String>,
    pub phones: Vec<Phone>,
    /// Ordered; the first is the main one.
    pub emails: Vec<String>,
    pub web_address: Option<String>,
    pub notes: Option<String>,
    /// Ordered URLs or paths.
    pub attachments: Vec<String>,
    pub is_primary: bool,
    pub is_decision_maker: bool,
    pub owner_id: Option<UserId>,
    pub notifications: Notifications,
    pub custom_fields: BTreeMap<String, String>,
    /// The contact's photo, when it has one. Set and cleared only by the photo use cases
    /// (never by a patch), so that its files and its reference change together.
    pub photo: Option<PhotoRef>,
    /// The last phone id handed out, so that ids are never reused within a contact.
    #[serde(skip)]
    pub phone_seq: u32,
}

/// A partial update of a contact, with raw values as a surface received them. Validation
/// happens in [`ContactFields::apply`], once for every surface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactPatch {
    pub code: Patch<String>,
    pub external_id: Patch<String>,
    pub status: Patch<String>,
    pub salutation: Patch<String>,
    pub first_name: Patch<String>,
    pub initial: Patch<String>,
    pub last_name: Patch<String>,
    pub full_name: Patch<String>,
    pub title: Patch<String>,
    pub mail_stop: Patch<String>,
    pub address_1: Patch<String>,
    pub address_2: Patch<String>,
    pub address_3: Patch<String>,
    pub city: Patch<String>,
    pub state: Patch<String>,
    pub postal_code: Patch<String>,
    pub country: Patch<String>,
    pub phones: Patch<Vec<PhoneInput>>,
    pub emails: Patch<Vec<String>>,
    pub web_address: Patch<String>,
    pub notes: Patch<String>,
    pub attachments: Patch<Vec<String>>,
    pub is_primary: Patch<bool>,
    pub is_decision_maker: Patch<bool>,
    pub owner_id: Patch<UserId>,
    pub notifications: NotificationsPatch,
    pub custom_fields: MapPatch,
    /// Per phone type, applied after `phones`: `Set` gives the first phone of that type the
    /// number (keeping its id) or adds a phone of that type; `Clear` removes the first phone
    /// of that type. For surfaces that have one phone field per type (Expandable's `FAX_NO`).
    pub phone_of_type: BTreeMap<PhoneType, Patch<String>>,
    /// Per position, applied after `emails`: `Set` replaces the email at that position, or
    /// appends it when the list is shorter; `Clear` removes it (later ones move up). For
    /// surfaces with numbered email fields (Expandable's `E_MAIL`, `E_MAIL_2`).
    pub email_at: BTreeMap<usize, Patch<String>>,
}

impl ContactPatch {
    /// The patch a full replacement means: every field it leaves out is cleared.
    #[must_use]
    pub fn into_replacement(self) -> Self {
        Self {
            code: self.code.or_clear(),
            external_id: self.external_id.or_clear(),
            status: self.status.or_clear(),
            salutation: self.salutation.or_clear(),
            first_name: self.first_name.or_clear(),
            initial: self.initial.or_clear(),
            last_name: self.last_name.or_clear(),
            full_name: self.full_name.or_clear(),
            title: self.title.or_clear(),
            mail_stop: self.mail_stop.or_clear(),
            address_1: self.address_1.or_clear(),
            address_2: self.address_2.or_clear(),
            address_3: self.address_3.or_clear(),
            city: self.city.or_clear(),
            state: self.state.or_clear(),
            postal_code: self.postal_code.or_clear(),
            country: self.country.or_clear(),
            phones: self.phones.or_clear(),
            emails: self.emails.or_clear(),
            web_address: self.web_address.or_clear(),
            notes: self.notes.or_clear(),
            attachments: self.attachments.or_clear(),
            is_primary: self.is_primary.or_clear(),
            is_decision_maker: self.is_decision_maker.or_clear(),
            owner_id: self.owner_id.or_clear(),
            notifications: self.notifications.or_clear(),
            phone_of_type: self.phone_of_type,
            email_at: self.email_at,
            custom_fields: match self.custom_fields {
                MapPatch::Absent => MapPatch::Replace(BTreeMap::new()),
                MapPatch::Merge(m) => {
                    MapPatch::Replace(m.into_iter().filter_map(|(k, v)| Some((k, v?))).collect())
                }
                replace @ MapPatch::Replace(_) => replace,
            },
        }
    }
}

/// Applies a text patch under `rule`; an empty string clears, like `null`.
pub(crate) fn patch_text(
    errors: &mut ValidationErrors,
    field: &str,
    rule: TextRule,
    target: &mut Option<String>,
    patch: Patch<String>,
) {
    match patch {
        Patch::Absent => {}
        Patch::Clear => *target = None,
        Patch::Set(v) if v.is_empty() => *target = None,
        Patch::Set(v) => {
            if let Some(v) = errors.collect(rule.check(field, v)) {
                *target = Some(v);
            }
        }
    }
}

/// Applies `patch` to a country field, which keeps the ISO 3166-1 alpha-2 code of the country
/// the value names (see [`crate::country`]).
pub(crate) fn patch_country(
    e: &mut ValidationErrors,
    target: &mut Option<String>,
    patch: Patch<String>,
) {
    match patch {
        Patch::Absent => {}
        Patch::Clear => *target = None,
        Patch::Set(v) if v.is_empty() => *target = None,
        Patch::Set(v) => {
            if let Some(c) = e.collect(check_country("country", &v)) {
                *target = Some(c);
            }
        }
    }
}

/// Applies `patch` to a custom-field map (contacts' and customers' share the rules).
pub(crate) fn patch_custom_fields(
    e: &mut ValidationErrors,
    target: &mut BTreeMap<String, String>,
    patch: MapPatch,
) {
    let entries: Vec<(String, Option<String>)> = match patch {
        MapPatch::Absent => return,
        MapPatch::Replace(map) => {
            target.clear();
            map.into_iter().map(|(k, v)| (k, Some(v))).collect()
        }
        MapPatch::Merge(map) => map.into_iter().collect(),
    };
    for (name, value) in entries {
        let field = format!("custom_fields.{name}");
        let name_ok = CUSTOM_NAME.check(&field, name.clone()).and_then(|n| {
            if n.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            {
                Ok(n)
            } else {
                Err(ValidationError::new(
                    &field,
                    "invalid_name",
                    "custom field names are letters, digits, '_', '-' and '.'",
                ))
            }
        });
        if e.collect(name_ok).is_none() {
            continue;
        }
        match value {
            None => {
                target.remove(&name);
            }
            Some(v) if v.is_empty() => {
                target.remove(&name);
            }
            Some(v) => {
                if let Some(v) = e.collect(CUSTOM_VALUE.check(&field, v)) {
                    target.insert(name, v);
                }
            }
        }
    }
    if target.len() > MAX_CUSTOM_FIELDS {
        e.push(ValidationError::new(
            "custom_fields",
            "too_many",
            format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
        ));
    }
}

fn patch_flag(target: &mut bool, patch: Patch<bool>) {
    match patch {
        Patch::Absent => {}
        Patch::Clear => *target = false,
        Patch::Set(v) => *target = v,
    }
}

/// Checks one email address: RFC 5322 syntax, no display name, a domain with a dot.
pub fn check_email(field: &str, value: String) -> Result<String, ValidationError> {
    let value = EMAIL.check(field, value)?;
    let options = Options::default()
        .without_display_text()
        .without_domain_literal()
        .with_required_tld();
    EmailAddress::parse_with_options(&value, options).map_err(|e| {
        ValidationError::new(
            field,
            "invalid_email",
            format!("is not a valid email address ({e})"),
        )
    })?;
    Ok(value)
}

impl ContactFields {
    /// The fields after `patch`, or every rule the result breaks. `self` is untouched.
    pub fn apply(&self, patch: ContactPatch) -> Result<ContactFields, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let mut n = self.clone();
        patch_text(&mut e, "code", CODE, &mut n.code, patch.code);
        patch_text(
            &mut e,
            "external_id",
            EXTERNAL_ID,
            &mut n.external_id,
            patch.external_id,
        );
        patch_text(&mut e, "status", SHORT, &mut n.status, patch.status);
        patch_text(
            &mut e,
            "salutation",
            SHORT,
            &mut n.salutation,
            patch.salutation,
        );
        patch_text(
            &mut e,
            "first_name",
            NAME,
            &mut n.first_name,
            patch.first_name,
        );
        patch_text(&mut e, "initial", INITIAL, &mut n.initial, patch.initial);
        patch_text(&mut e, "last_name", NAME, &mut n.last_name, patch.last_name);
        patch_text(&mut e, "full_name", NAME, &mut n.full_name, patch.full_name);
        patch_text(&mut e, "title", NAME, &mut n.title, patch.title);
        patch_text(
            &mut e,
            "mail_stop",
            SHORT,
            &mut n.mail_stop,
            patch.mail_stop,
        );
        patch_text(&mut e, "address_1", LINE, &mut n.address_1, patch.address_1);
        patch_text(&mut e, "address_2", LINE, &mut n.address_2, patch.address_2);
        patch_text(&mut e, "address_3", LINE, &mut n.address_3, patch.address_3);
        patch_text(&mut e, "city", NAME, &mut n.city, patch.city);
        patch_text(&mut e, "state", NAME, &mut n.state, patch.state);
        patch_text(
            &mut e,
            "postal_code",
            SHORT,
            &mut n.postal_code,
            patch.postal_code,
        );
        patch_text(
            &mut e,
            "web_address",
            URL,
            &mut n.web_address,
            patch.web_address,
        );
        patch_text(&mut e, "notes", NOTES, &mut n.notes, patch.notes);
        patch_country(&mut e, &mut n.country, patch.country);
        match patch.phones {
            Patch::Absent => {}
            Patch::Clear => n.phones.clear(),
            Patch::Set(list) => n.set_phones(&mut e, &self.phones, list),
        }
        match patch.emails {
            Patch::Absent => {}
            Patch::Clear => n.emails.clear(),
            Patch::Set(list) => {
                if let Some(list) = e.collect(check_emails(list)) {
                    n.emails = list;
                }
            }
        }
        match patch.attachments {
            Patch::Absent => {}
            Patch::Clear => n.attachments.clear(),
            Patch::Set(list) => {
                if let Some(list) = e.collect(check_attachments(list)) {
                    n.attachments = list;
                }
            }
        }
        patch_flag(&mut n.is_primary, patch.is_primary);
        patch_flag(&mut n.is_decision_maker, patch.is_decision_maker);
        match patch.owner_id {
            Patch::Absent => {}
            Patch::Clear => n.owner_id = None,
            Patch::Set(v) => n.owner_id = Some(v),
        }
        let np = patch.notifications;
        patch_flag(&mut n.notifications.on_new, np.on_new);
        patch_flag(&mut n.notifications.on_acknowledged, np.on_acknowledged);
        patch_flag(&mut n.notifications.on_dispatched, np.on_dispatched);
        patch_flag(&mut n.notifications.on_completed, np.on_completed);
        patch_flag(&mut n.notifications.on_failed, np.on_failed);
        patch_custom_fields(&mut e, &mut n.custom_fields, patch.custom_fields);
        for (kind, number) in patch.phone_of_type {
            n.patch_phone_of_type(&mut e, kind, number);
        }
        // Sets in ascending position (so appends keep their order), then removals in
        // descending position (so a removal does not move another's target).
        let (sets, clears): (Vec<_>, Vec<_>) = patch
            .email_at
            .into_iter()
            .partition(|(_, p)| matches!(p, Patch::Set(v) if !v.is_empty()));
        for (index, email) in sets.into_iter().chain(clears.into_iter().rev()) {
            n.patch_email_at(&mut e, index, email);
        }
        if e.is_empty() && n.name().is_none() && n.code.is_none() {
            e.push(ValidationError::new(
                "name",
                "required",
                "a contact needs a first name, last name, full name or code",
            ));
        }
        e.into_result(n)
    }

    fn set_phones(&mut self, e: &mut ValidationErrors, current: &[Phone], list: Vec<PhoneInput>) {
        if list.len() > MAX_PHONES {
            e.push(ValidationError::new(
                "phones",
                "too_many",
                format!("at most {MAX_PHONES} phone numbers"),
            ));
            return;
        }
        let mut phones = Vec::with_capacity(list.len());
        let mut seq = self.phone_seq;
        for (i, input) in list.into_iter().enumerate() {
            let Ok(kind) = input.kind.parse::<PhoneType>() else {
                e.push(ValidationError::new(
                    format!("phones[{i}].type"),
                    "invalid_phone_type",
                    format!(
                        "'{}' is not a phone type (business, home, mobile, fax, pager, other)",
                        input.kind
                    ),
                ));
                continue;
            };
            let Some(number) =
                e.collect(PHONE_NUMBER.check(&format!("phones[{i}].number"), input.number))
            else {
                continue;
            };
            let id = match input.id {
                Some(id) if !current.iter().any(|p| p.id == id) => {
                    e.push(ValidationError::new(
                        format!("phones[{i}].id"),
                        "unknown_phone",
                        format!("this contact has no phone with id {id}"),
                    ));
                    continue;
                }
                Some(id) if phones.iter().any(|p: &Phone| p.id == id) => {
                    e.push(ValidationError::new(
                        format!("phones[{i}].id"),
                        "duplicate",
                        format!("phone id {id} appears twice"),
                    ));
                    continue;
                }
                Some(id) => id,
                None => {
                    seq += 1;
                    seq
                }
            };
            phones.push(Phone { id, kind, number });
        }
        self.phones = phones;
        self.phone_seq = seq;
    }

    fn patch_phone_of_type(
        &mut self,
        e: &mut ValidationErrors,
        kind: PhoneType,
        patch: Patch<String>,
    ) {
        let found = self.phones.iter().position(|p| p.kind == kind);
        let number = match patch {
            Patch::Absent => return,
            Patch::Set(v) if !v.is_empty() => v,
            Patch::Clear | Patch::Set(_) => {
                if let Some(i) = found {
                    self.phones.remove(i);
                }
                return;
            }
        };
        let field = format!("phones.{kind}");
        let Some(number) = e.collect(PHONE_NUMBER.check(&field, number)) else {
            return;
        };
        match found {
            Some(i) => self.phones[i].number = number,
            None if self.phones.len() >= MAX_PHONES => e.push(ValidationError::new(
                field,
                "too_many",
                format!("at most {MAX_PHONES} phone numbers"),
            )),
            None => {
                self.phone_seq += 1;
                self.phones.push(Phone {
                    id: self.phone_seq,
                    kind,
                    number,
                });
            }
        }
    }

    fn patch_email_at(&mut self, e: &mut ValidationErrors, index: usize, patch: Patch<String>) {
        match patch {
            Patch::Absent => {}
            Patch::Clear => {
                if index < self.emails.len() {
                    self.emails.remove(index);
                }
            }
            Patch::Set(v) if v.is_empty() => {
                if index < self.emails.len() {
                    self.emails.remove(index);
                }
            }
            Patch::Set(v) => {
                let Some(v) = e.collect(check_email(&format!("emails[{index}]"), v)) else {
                    return;
                };
                let duplicate = self
                    .emails
                    .iter()
                    .enumerate()
                    .any(|(i, o)| i != index && o.eq_ignore_ascii_case(&v));
                if duplicate {
                    e.push(ValidationError::new(
                        format!("emails[{index}]"),
                        "duplicate",
                        "appears twice",
                    ));
                } else if index < self.emails.len() {
                    self.emails[index] = v;
                } else if self.emails.len() >= MAX_EMAILS {
                    e.push(ValidationError::new(
                        "emails",
                        "too_many",
                        format!("at most {MAX_EMAILS} email addresses"),
                    ));
                } else {
                    self.emails.push(v);
                }
            }
        }
    }

    /// The contact's name: `full_name` when set on its own, else the parts joined.
    pub fn name(&self) -> Option<String> {
        if let Some(full) = &self.full_name {
            return Some(full.clone());
        }
        let parts: Vec<&str> = [&self.first_name, &self.initial, &self.last_name]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The first phone of `kind`, if any.
    pub fn phone(&self, kind: PhoneType) -> Option<&Phone> {
        self.phones.iter().find(|p| p.kind == kind)
    }

    /// The snapshot history compares: every writable field by its canonical name.
    pub fn snapshot(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => unreachable!("ContactFields serialises to a JSON object"),
        }
    }
}

fn check_emails(list: Vec<String>) -> Result<Vec<String>, ValidationError> {
    if list.len() > MAX_EMAILS {
        return Err(ValidationError::new(
            "emails",
            "too_many",
            format!("at most {MAX_EMAILS} email addresses"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for (i, v) in list.into_iter().enumerate() {
        let field = format!("emails[{i}]");
        let v = check_email(&field, v)?;
        if out.iter().any(|o| o.eq_ignore_ascii_case(&v)) {
            return Err(ValidationError::new(field, "duplicate", "appears twice"));
        }
        out.push(v);
    }
    Ok(out)
}

fn check_attachments(list: Vec<String>) -> Result<Vec<String>, ValidationError> {
    if list.len() > MAX_ATTACHMENTS {
        return Err(ValidationError::new(
            "attachments",
            "too_many",
            format!("at most {MAX_ATTACHMENTS} attachments"),
        ));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, v)| URL.check(&format!("attachments[{i}]"), v))
        .collect()
}

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub tenant_id: TenantId,
    pub customer_id: CustomerId,
    pub fields: ContactFields,
    pub created_at: OffsetDateTime,
    pub created_by: Option<UserId>,
    pub updated_at: OffsetDateTime,
    pub updated_by: Option<UserId>,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named() -> ContactFields {
        ContactFields::default()
            .apply(ContactPatch {
                first_name: Patch::Set("Joseph".into()),
                last_name: Patch::Set("Hernandez".into()),
                ..Default::default()
            })
            .unwrap()
    }

    fn phone(id: Option<u32>, kind: &str, number: &str) -> PhoneInput {
        PhoneInput {
            id,
            kind: kind.into(),
            number: number.into(),
        }
    }

    #[test]
    fn absent_fields_are_left_alone_and_null_clears() {
        let c = named();
        let next = c
            .apply(ContactPatch {
                first_name: Patch::Clear,
                city: Patch::Set("San Jose".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(next.first_name, None);
        assert_eq!(next.last_name.as_deref(), Some("Hernandez"));
        assert_eq!(next.city.as_deref(), Some("San Jose"));
    }

    #[test]
    fn a_contact_needs_a_name_or_code() {
        let err = ContactFields::default()
            .apply(ContactPatch::default())
            .unwrap_err();
        assert_eq!(err.0[0].field, "name");
        let ok = ContactFields::default().apply(ContactPatch {
            code: Patch::Set("JHERNANDEZ".into()),
            ..Default::default()
        });
        assert!(ok.is_ok());
    }

    #[test]
    fn notes_are_bounded_at_32765_characters() {
        let ok = named().apply(ContactPatch {
            notes: Patch::Set("n".repeat(NOTES_MAX_CHARS)),
            ..Default::default()
        });
        assert!(ok.is_ok());
        let err = named()
            .apply(ContactPatch {
                notes: Patch::Set("n".repeat(NOTES_MAX_CHARS + 1)),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(
            (err.0[0].field.as_str(), err.0[0].code),
            ("notes", "too_long")
        );
    }

    #[test]
    fn emails_are_validated_each_with_its_index() {
        let err = named()
            .apply(ContactPatch {
                emails: Patch::Set(vec!["a@example.com".into(), "not-an-email".into()]),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.0[0].field, "emails[1]");
        assert_eq!(err.0[0].code, "invalid_email");
        for bad in ["Joe <joe@example.com>", "joe@localhost", "joe@[127.0.0.1]"] {
            assert!(check_email("e", bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_country_in_any_form_is_kept_as_its_alpha_2_code() {
        for sent in ["fr", "FRA", "France", "france"] {
            let next = named()
                .apply(ContactPatch {
                    country: Patch::Set(sent.into()),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(next.country.as_deref(), Some("FR"), "{sent}");
        }
        for bad in ["XX", "ZZZ", "Narnia", "1"] {
            assert!(check_country("country", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let err = named()
            .apply(ContactPatch {
                country: Patch::Set("ZZ".into()),
                emails: Patch::Set(vec!["x".into()]),
                initial: Patch::Set("TOO LONG INITIAL".into()),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.0.len(), 3);
    }

    #[test]
    fn phones_keep_their_ids_and_new_ones_never_reuse_an_id() {
        let c = named()
            .apply(ContactPatch {
                phones: Patch::Set(vec![phone(None, "business", "1"), phone(None, "fax", "2")]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(c.phones.iter().map(|p| p.id).collect::<Vec<_>>(), [1, 2]);
        let c = c
            .apply(ContactPatch {
                phones: Patch::Set(vec![phone(Some(1), "Business", "3")]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            c.phones,
            [Phone {
                id: 1,
                kind: PhoneType::Business,
                number: "3".into()
            }]
        );
        let c = c
            .apply(ContactPatch {
                phones: Patch::Set(vec![
                    phone(Some(1), "business", "3"),
                    phone(None, "home", "4"),
                ]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            c.phones[1].id, 3,
            "id 2 was used before and is not handed out again"
        );
    }

    #[test]
    fn unknown_phone_ids_and_types_are_refused() {
        let err = named()
            .apply(ContactPatch {
                phones: Patch::Set(vec![phone(Some(9), "home", "1"), phone(None, "cell", "1")]),
                ..Default::default()
            })
            .unwrap_err();
        let codes: Vec<&str> = err.0.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["unknown_phone", "invalid_phone_type"]);
    }

    #[test]
    fn custom_fields_merge_member_by_member() {
        let c = named()
            .apply(ContactPatch {
                custom_fields: MapPatch::Replace(BTreeMap::from([
                    ("a".into(), "1".into()),
                    ("b".into(), "2".into()),
                ])),
                ..Default::default()
            })
            .unwrap();
        let c = c
            .apply(ContactPatch {
                custom_fields: MapPatch::Merge(BTreeMap::from([
                    ("a".into(), None),
                    ("c".into(), Some("3".into())),
                ])),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            c.custom_fields,
            BTreeMap::from([("b".into(), "2".into()), ("c".into(), "3".into())])
        );
    }

    #[test]
    fn full_name_is_derived_unless_set_on_its_own() {
        let c = named();
        assert_eq!(c.name().as_deref(), Some("Joseph Hernandez"));
        let c = c
            .apply(ContactPatch {
                full_name: Patch::Set("Joe H.".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(c.name().as_deref(), Some("Joe H."));
    }

    #[test]
    fn replacement_clears_what_it_leaves_out() {
        let c = named()
            .apply(ContactPatch {
                city: Patch::Set("Paris".into()),
                ..Default::default()
            })
            .unwrap();
        let r = c
            .apply(
                ContactPatch {
                    last_name: Patch::Set("Doe".into()),
                    ..Default::default()
                }
                .into_replacement(),
            )
            .unwrap();
        assert_eq!(
            (r.first_name, r.city, r.last_name.as_deref()),
            (None, None, Some("Doe"))
        );
    }

    #[test]
    fn a_phone_of_one_type_is_edited_added_or_removed_keeping_the_others() {
        let c = named()
            .apply(ContactPatch {
                phones: Patch::Set(vec![phone(None, "business", "1"), phone(None, "fax", "2")]),
                ..Default::default()
            })
            .unwrap();
        let c = c
            .apply(ContactPatch {
                phone_of_type: BTreeMap::from([
                    (PhoneType::Fax, Patch::Set("22".into())),
                    (PhoneType::Pager, Patch::Set("3".into())),
                    (PhoneType::Business, Patch::Clear),
                ]),
                ..Default::default()
            })
            .unwrap();
        let got: Vec<(u32, PhoneType, &str)> = c
            .phones
            .iter()
            .map(|p| (p.id, p.kind, p.number.as_str()))
            .collect();
        assert_eq!(got, [(2, PhoneType::Fax, "22"), (3, PhoneType::Pager, "3")]);
    }

    #[test]
    fn an_email_at_a_position_is_replaced_appended_or_removed() {
        let c = named()
            .apply(ContactPatch {
                emails: Patch::Set(vec!["a@x.com".into(), "b@x.com".into(), "c@x.com".into()]),
                ..Default::default()
            })
            .unwrap();
        let c = c
            .apply(ContactPatch {
                email_at: BTreeMap::from([(0, Patch::Set("z@x.com".into())), (1, Patch::Clear)]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(c.emails, ["z@x.com", "c@x.com"]);
        let c = c
            .apply(ContactPatch {
                email_at: BTreeMap::from([(5, Patch::Set("d@x.com".into()))]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(c.emails, ["z@x.com", "c@x.com", "d@x.com"]);
        let both = named()
            .apply(ContactPatch {
                email_at: BTreeMap::from([
                    (0, Patch::Set("first@x.com".into())),
                    (1, Patch::Set("second@x.com".into())),
                ]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            both.emails,
            ["first@x.com", "second@x.com"],
            "none is lost on an empty list"
        );
        let swapped = both
            .apply(ContactPatch {
                email_at: BTreeMap::from([(0, Patch::Clear), (1, Patch::Set("new@x.com".into()))]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(swapped.emails, ["new@x.com"]);
        let err = c
            .apply(ContactPatch {
                email_at: BTreeMap::from([(1, Patch::Set("Z@x.com".into()))]),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.0[0].code, "duplicate");
    }

    #[test]
    fn snapshot_names_every_writable_field() {
        let s = named().snapshot();
        assert!(s.contains_key("first_name") && s.contains_key("custom_fields"));
        assert!(!s.contains_key("phone_seq"));
    }
}
