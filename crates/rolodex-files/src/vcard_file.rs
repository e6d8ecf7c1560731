//! vCard files: 4.0 (RFC 6350) written; 4.0, 3.0 (RFC 2426) and 2.1 read, as phones and
//! mail programs export them, with `calcard`'s lenient parser. The file is first cut into
//! cards on their `BEGIN:VCARD` and `END:VCARD` lines, which checks its limits (a card
//! inside a card, too many properties, a property too long) before any card is parsed.
//!
//! Rolodex fields vCard has no property for travel as `X-ROLODEX-*` properties, so that an
//! exported file imported again gives the same contacts.

use crate::columns::{Draft, Part, Target, Text, phone_type};
use crate::{FileError, MAX_ROWS, MAX_VCARD_LINE_BYTES, MAX_VCARD_PROPERTIES};
use calcard::common::{Data, IanaString};
use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardParameterName, VCardParameterValue, VCardProperty,
    VCardType, VCardValue,
};
use rolodex_core::{ExportedContact, ImportRow, RowReport};
use rolodex_domain::{PhoneType, ValidationError};
use std::ops::Range;

const X_CODE: &str = "X-ROLODEX-CODE";
const X_CUSTOMER: &str = "X-ROLODEX-CUSTOMER";
const X_STATUS: &str = "X-ROLODEX-STATUS";
const X_MAIL_STOP: &str = "X-ROLODEX-MAIL-STOP";
const X_PRIMARY: &str = "X-ROLODEX-PRIMARY";
const X_DECISION_MAKER: &str = "X-ROLODEX-DECISION-MAKER";
const X_NOTIFICATIONS: &str = "X-ROLODEX-NOTIFICATIONS";
const X_CUSTOM_FIELDS: &str = "X-ROLODEX-CUSTOM-FIELDS";
const X_ATTACHMENT: &str = "X-ROLODEX-ATTACHMENT";

/// Whether the text starts with a vCard.
pub(crate) fn looks_like_vcard(text: &str) -> bool {
    text.trim_start()
        .get(..11)
        .is_some_and(|s| s.eq_ignore_ascii_case("BEGIN:VCARD"))
}

/// The cards of a checked vCard file.
pub(crate) struct VCardRows {
    text: String,
    cards: Vec<Range<usize>>,
    next: usize,
}

impl VCardRows {
    pub fn new(text: String) -> Result<Self, FileError> {
        let cards = cut(&text)?;
        Ok(Self {
            text,
            cards,
            next: 0,
        })
    }

    pub fn total(&self) -> usize {
        self.cards.len()
    }

    pub fn next(&mut self) -> Option<Result<ImportRow, RowReport>> {
        let range = self.cards.get(self.next)?.clone();
        self.next += 1;
        let row = self.next as u64;
        Some(match VCard::parse(&self.text[range]) {
            Ok(card) => read_card(&card, row),
            Err(_) => Err(RowReport::refused(
                row,
                vec![ValidationError::new(
                    "vcard",
                    "unreadable_vcard",
                    "the card could not be read as a vCard",
                )],
            )),
        })
    }
}

/// Cuts the text into cards, checking each card's limits.
fn cut(text: &str) -> Result<Vec<Range<usize>>, FileError> {
    let mut cards = Vec::new();
    // The start of the open card: its byte offset and line number.
    let mut open: Option<(usize, u64)> = None;
    let mut properties = 0usize;
    let mut property_bytes = 0usize;
    let mut offset = 0usize;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = index as u64 + 1;
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\r', '\n']);
        let folded = content.starts_with([' ', '\t']);
        if folded {
            property_bytes += content.len();
        } else {
            property_bytes = content.len();
        }
        let Some((_, card_line)) = open else {
            if content.trim().eq_ignore_ascii_case("BEGIN:VCARD") {
                open = Some((start, number));
                properties = 0;
            }
            continue;
        };
        if property_bytes > MAX_VCARD_LINE_BYTES {
            return Err(FileError::RowTooLong {
                row: cards.len() as u64 + 1,
                limit: MAX_VCARD_LINE_BYTES,
            });
        }
        if folded || content.is_empty() {
            continue;
        }
        if content.eq_ignore_ascii_case("BEGIN:VCARD") {
            return Err(FileError::NestedVCard { line: card_line });
        }
        if content.eq_ignore_ascii_case("END:VCARD") {
            if let Some((card_start, _)) = open.take() {
                cards.push(card_start..offset);
            }
            if cards.len() > MAX_ROWS {
                return Err(FileError::TooManyRows);
            }
            continue;
        }
        properties += 1;
        if properties > MAX_VCARD_PROPERTIES {
            return Err(FileError::TooManyProperties { line: card_line });
        }
    }
    match open {
        Some((_, line)) => Err(FileError::UnterminatedVCard { line }),
        None => Ok(cards),
    }
}

/// The text of a value (a list value's items joined by `sep`).
fn text(value: &VCardValue, sep: &str) -> Option<String> {
    match value {
        VCardValue::Text(s) => Some(s.clone()),
        VCardValue::Component(parts) => Some(parts.join(sep)),
        _ => value.as_text().map(str::to_owned),
    }
}

/// Component `i` of a structured value (`N`, `ADR`, `ORG`).
fn component(entry: &VCardEntry, i: usize, sep: &str) -> String {
    entry
        .values
        .get(i)
        .and_then(|v| text(v, sep))
        .unwrap_or_default()
}

/// The whole value of a property, its items joined by `sep`.
fn whole(entry: &VCardEntry, sep: &str) -> String {
    entry
        .values
        .iter()
        .filter_map(|v| text(v, sep))
        .collect::<Vec<_>>()
        .join(sep)
}

/// The `TYPE`s of a property, lower case and joined (`work,voice`); vCard 2.1 writes them
/// bare (`TEL;WORK;FAX:`).
fn types(entry: &VCardEntry) -> String {
    let mut out = Vec::new();
    for p in &entry.params {
        match (&p.name, &p.value) {
            (VCardParameterName::Type, VCardParameterValue::Type(t)) => {
                out.push(t.as_str().to_lowercase());
            }
            (VCardParameterName::Type, VCardParameterValue::Text(t)) => out.push(t.to_lowercase()),
            (VCardParameterName::Other(name), _) => out.push(name.to_lowercase()),
            _ => {}
        }
    }
    out.join(",")
}

fn read_card(card: &VCard, row: u64) -> Result<ImportRow, RowReport> {
    let mut draft = Draft::default();
    let mut address: Option<&VCardEntry> = None;
    let mut has_url = false;
    for entry in &card.entries {
        match &entry.name {
            VCardProperty::N => {
                draft.put(&Target::Text(Text::LastName), &component(entry, 0, " "));
                draft.put(&Target::Text(Text::FirstName), &component(entry, 1, " "));
                draft.put(&Target::MiddleName, &component(entry, 2, " "));
                draft.put(&Target::Text(Text::Salutation), &component(entry, 3, " "));
            }
            VCardProperty::Fn => draft.put(&Target::FullName, &whole(entry, " ")),
            VCardProperty::Org => draft.put(&Target::Organisation, &component(entry, 0, " ")),
            VCardProperty::Title => draft.put(&Target::Text(Text::Title), &whole(entry, ", ")),
            VCardProperty::Tel => {
                let number = whole(entry, " ");
                let number = number.strip_prefix("tel:").unwrap_or(&number);
                draft.put(&Target::Phone(phone_type(&types(entry))), number);
            }
            VCardProperty::Email => {
                let email = whole(entry, "");
                draft.put(
                    &Target::Email,
                    email.strip_prefix("mailto:").unwrap_or(&email),
                );
            }
            VCardProperty::Adr => {
                // The work address if there is one, else the first.
                let work = types(entry).contains("work");
                if address.is_none() || (work && !types(address.unwrap_or(entry)).contains("work"))
                {
                    address = Some(entry);
                }
            }
            VCardProperty::Note => draft.put(&Target::Text(Text::Notes), &whole(entry, ", ")),
            VCardProperty::Url if !has_url => {
                has_url = true;
                draft.put(&Target::Text(Text::WebAddress), &whole(entry, ""));
            }
            VCardProperty::Uid => draft.put(&Target::Text(Text::ExternalId), &whole(entry, "")),
            VCardProperty::Categories => draft.put(&Target::Categories, &whole(entry, ",")),
            VCardProperty::Photo => {
                if let Some(VCardValue::Binary(Data { data, .. })) = entry.values.first() {
                    draft.photo = Some(data.clone());
                }
            }
            VCardProperty::Other(name) => extension(&mut draft, name, entry),
            _ => {}
        }
    }
    if let Some(adr) = address {
        let group = |part| Target::Address(0, part);
        let street = [component(adr, 1, "\n"), component(adr, 2, "\n")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        draft.put(&group(Part::Street), &street);
        draft.put(&group(Part::City), &component(adr, 3, " "));
        draft.put(&group(Part::State), &component(adr, 4, " "));
        draft.put(&group(Part::PostalCode), &component(adr, 5, " "));
        draft.put(&group(Part::Country), &component(adr, 6, " "));
    }
    draft.finish(row)
}

/// Rolodex's own properties.
fn extension(draft: &mut Draft, name: &str, entry: &VCardEntry) {
    let value = whole(entry, ",");
    let target = match name.to_ascii_uppercase().as_str() {
        X_CODE => Target::Text(Text::Code),
        X_CUSTOMER => Target::CustomerCode,
        X_STATUS => Target::Text(Text::Status),
        X_MAIL_STOP => Target::Text(Text::MailStop),
        X_PRIMARY => Target::IsPrimary,
        X_DECISION_MAKER => Target::IsDecisionMaker,
        X_NOTIFICATIONS => Target::Notifications,
        X_CUSTOM_FIELDS => Target::CustomFields,
        X_ATTACHMENT => {
            let mut list = match &draft.patch.attachments {
                rolodex_domain::Patch::Set(list) => list.clone(),
                _ => Vec::new(),
            };
            list.push(value);
            draft.put(&Target::Attachments, &list.join("\n"));
            return;
        }
        _ => return,
    };
    draft.put(&target, &value);
}

/// The cards of `contacts`, vCard 4.0.
pub(crate) fn cards(contacts: &[ExportedContact]) -> Vec<u8> {
    let mut out = String::with_capacity(contacts.len() * 400);
    for exported in contacts {
        out.push_str(&card(exported).to_string());
    }
    out.into_bytes()
}

fn entry(property: VCardProperty, value: impl Into<String>) -> VCardEntry {
    VCardEntry::new(property).with_value(value.into())
}

fn x(name: &str, value: impl Into<String>) -> VCardEntry {
    entry(VCardProperty::Other(name.to_owned()), value)
}

fn card(exported: &ExportedContact) -> VCard {
    let f = &exported.contact.fields;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut entries = vec![
        entry(
            VCardProperty::Fn,
            f.name().or_else(|| f.code.clone()).unwrap_or_default(),
        ),
        VCardEntry::new(VCardProperty::N).with_values(
            [&f.last_name, &f.first_name, &f.initial, &f.salutation]
                .into_iter()
                .map(|v| VCardValue::Text(text(v)))
                .chain([VCardValue::Text(String::new())])
                .collect(),
        ),
        VCardEntry::new(VCardProperty::Org).with_value(
            exported
                .customer
                .fields
                .name
                .clone()
                .unwrap_or_else(|| exported.customer.fields.code.clone()),
        ),
        x(X_CUSTOMER, exported.customer.fields.code.clone()),
    ];
    let mut optional = |property: VCardProperty, value: &Option<String>| {
        if let Some(v) = value {
            entries.push(entry(property, v.clone()));
        }
    };
    optional(VCardProperty::Uid, &f.external_id);
    optional(VCardProperty::Title, &f.title);
    optional(VCardProperty::Note, &f.notes);
    optional(VCardProperty::Url, &f.web_address);
    optional(VCardProperty::Other(X_CODE.into()), &f.code);
    optional(VCardProperty::Other(X_STATUS.into()), &f.status);
    optional(VCardProperty::Other(X_MAIL_STOP.into()), &f.mail_stop);
    if let Some(full) = &f.full_name {
        // FN says the name; when it is set on its own, the parts are not what it says.
        entries[0] = entry(VCardProperty::Fn, full.clone());
    }
    for phone in &f.phones {
        let types: &[VCardType] = match phone.kind {
            PhoneType::Business => &[VCardType::Work, VCardType::Voice],
            PhoneType::Home => &[VCardType::Home, VCardType::Voice],
            PhoneType::Mobile => &[VCardType::Cell],
            PhoneType::Fax => &[VCardType::Fax],
            PhoneType::Pager => &[VCardType::Pager],
            PhoneType::Other => &[VCardType::Voice],
        };
        let mut tel = entry(VCardProperty::Tel, phone.number.clone());
        for t in types {
            tel.add_param(VCardParameter::typ(t.clone()));
        }
        entries.push(tel);
    }
    for email in &f.emails {
        entries.push(entry(VCardProperty::Email, email.clone()));
    }
    let address = [
        &f.address_1,
        &f.address_2,
        &f.address_3,
        &f.city,
        &f.state,
        &f.postal_code,
        &f.country,
    ];
    if address.iter().any(|v| v.is_some()) {
        let street = [&f.address_1, &f.address_2, &f.address_3]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        entries.push(
            VCardEntry::new(VCardProperty::Adr)
                .with_param(VCardParameter::typ(VCardType::Work))
                .with_values(
                    [
                        String::new(),
                        String::new(),
                        street,
                        text(&f.city),
                        text(&f.state),
                        text(&f.postal_code),
                        text(&f.country),
                    ]
                    .into_iter()
                    .map(VCardValue::Text)
                    .collect(),
                ),
        );
    }
    if let Some(categories) = f.custom_fields.get("categories") {
        entries.push(
            VCardEntry::new(VCardProperty::Categories).with_values(
                categories
                    .split(',')
                    .map(|c| VCardValue::Text(c.trim().to_owned()))
                    .collect(),
            ),
        );
    }
    for attachment in &f.attachments {
        entries.push(x(X_ATTACHMENT, attachment.clone()));
    }
    entries.push(x(X_PRIMARY, f.is_primary.to_string()));
    entries.push(x(X_DECISION_MAKER, f.is_decision_maker.to_string()));
    let notifications = crate::csv_file::notifications(&f.notifications);
    if !notifications.is_empty() {
        entries.push(x(X_NOTIFICATIONS, notifications));
    }
    let custom: std::collections::BTreeMap<_, _> = f
        .custom_fields
        .iter()
        .filter(|(k, _)| k.as_str() != "categories")
        .collect();
    if !custom.is_empty() {
        entries.push(x(
            X_CUSTOM_FIELDS,
            serde_json::to_string(&custom).unwrap_or_default(),
        ));
    }
    if let (Some(bytes), Some(photo)) = (&exported.photo, &f.photo) {
        entries.push(
            VCardEntry::new(VCardProperty::Photo).with_value(VCardValue::Binary(Data {
                content_type: Some(photo.format.content_type().to_owned()),
                data: bytes.clone(),
            })),
        );
    }
    VCard { entries }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::{MapPatch, Patch};

    const SAMPLES: &str = "../rolodex/tests/it/files";

    fn rows(file: &str) -> Vec<Result<ImportRow, RowReport>> {
        let text = std::fs::read_to_string(format!("{SAMPLES}/{file}")).unwrap();
        let mut rows = VCardRows::new(text).unwrap();
        std::iter::from_fn(|| rows.next()).collect()
    }

    fn phones(row: &ImportRow) -> Vec<(String, String)> {
        match &row.patch.phones {
            Patch::Set(list) => list
                .iter()
                .map(|p| (p.kind.clone(), p.number.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn an_iphone_card_of_vcard_3_is_read_with_its_photo() {
        let rows = rows("iphone.vcf");
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.patch.first_name, Patch::Set("Johnny".into()));
        assert_eq!(row.patch.last_name, Patch::Set("Appleseed".into()));
        assert_eq!(row.organisation.as_deref(), Some("Initech"));
        assert_eq!(
            phones(row),
            [
                ("mobile".into(), "(408) 555-0101".into()),
                ("business".into(), "(408) 555-0102".into())
            ]
        );
        assert_eq!(row.patch.city, Patch::Set("Cupertino".into()));
        assert_eq!(row.patch.notes, Patch::Set("Met at the, trade fair".into()));
        assert_eq!(
            row.patch.external_id,
            Patch::Set("4F5A2C1E-9B1D-4E2A-8E3C-1A2B3C4D5E6F".into())
        );
        assert!(row.photo.as_ref().unwrap().starts_with(b"\x89PNG"));
    }

    #[test]
    fn an_android_file_of_vcard_2_1_is_read_with_quoted_printable_names() {
        let rows = rows("android.vcf");
        assert_eq!(rows.len(), 2);
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.patch.first_name, Patch::Set("Zoë".into()));
        assert_eq!(row.patch.last_name, Patch::Set("Müller".into()));
        assert_eq!(
            phones(row),
            [
                ("mobile".into(), "+49 151 2345678".into()),
                ("fax".into(), "+49 30 1234567".into())
            ]
        );
        assert!(row.photo.as_ref().unwrap().starts_with(b"\x89PNG"));
        assert_eq!(rows[1].as_ref().unwrap().row, 2);
    }

    #[test]
    fn a_thunderbird_card_of_vcard_4_is_read() {
        let rows = rows("thunderbird.vcf");
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.patch.salutation, Patch::Set("Ms.".into()));
        assert_eq!(
            row.patch.emails,
            Patch::Set(vec![
                "jane.doe@initech.example.com".into(),
                "jane@example.org".into()
            ])
        );
        assert_eq!(phones(row)[1], ("mobile".into(), "+1-312-555-0124".into()));
        assert_eq!(row.patch.notes, Patch::Set("Multi\nline note".into()));
        assert_eq!(
            row.patch.custom_fields,
            MapPatch::Merge([("categories".into(), Some("Partners".into()))].into())
        );
        assert!(row.photo.as_ref().unwrap().starts_with(b"\x89PNG"));
    }

    #[test]
    fn a_card_inside_a_card_refuses_the_file() {
        let text = "BEGIN:VCARD\nVERSION:2.1\nAGENT:\nBEGIN:VCARD\nFN:x\nEND:VCARD\nEND:VCARD\n";
        assert_eq!(
            VCardRows::new(text.into()).err(),
            Some(FileError::NestedVCard { line: 1 })
        );
    }

    #[test]
    fn too_many_properties_or_a_huge_property_refuse_the_file() {
        let many = format!(
            "BEGIN:VCARD\nVERSION:4.0\n{}END:VCARD\n",
            "NOTE:lol\n".repeat(MAX_VCARD_PROPERTIES)
        );
        assert_eq!(
            VCardRows::new(many).err(),
            Some(FileError::TooManyProperties { line: 1 })
        );
        let huge = format!(
            "BEGIN:VCARD\nVERSION:4.0\nNOTE:{}\n{}\nEND:VCARD\n",
            "x".repeat(70),
            format!(" {}\n", "y".repeat(70)).repeat(MAX_VCARD_LINE_BYTES / 70 + 1)
        );
        assert!(matches!(
            VCardRows::new(huge).err(),
            Some(FileError::RowTooLong { row: 1, .. })
        ));
        let open = "BEGIN:VCARD\nVERSION:4.0\nFN:x\n".to_owned();
        assert_eq!(
            VCardRows::new(open).err(),
            Some(FileError::UnterminatedVCard { line: 1 })
        );
    }
}
