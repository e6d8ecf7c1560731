//! Restoring from history: the values fields of one history entry had before its change, and
//! the patch that writes them back. Only the translation lives here; the write itself (role,
//! version, validation, its own history entry) is the use case's ordinary update.

use crate::contact::{
    ContactFields, ContactPatch, MapPatch, Notifications, NotificationsPatch, Phone, PhoneInput,
};
use crate::customer::CustomerPatch;
use crate::history::HistoryEntry;
use crate::ids::UserId;
use crate::patch::Patch;
use crate::validation::{ValidationError, ValidationErrors};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

/// Fields of one history entry with the values they had before its change (`null` where
/// there was none), in the entry's order: what a restore writes back.
#[derive(Debug, Clone, PartialEq)]
pub struct Restore {
    values: Vec<(String, Value)>,
}

impl Restore {
    /// The old values of `fields` in `entry`, or of every field it changed when `fields` is
    /// `None`. A field the entry did not change is an error naming it, and so is an empty
    /// list (restoring nothing is a mistake, not a request).
    pub fn from_entry(
        entry: &HistoryEntry,
        fields: Option<&[String]>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Some(fields) = fields {
            if fields.is_empty() {
                errors.push(ValidationError::new(
                    "fields",
                    "empty",
                    "name at least one field, or leave fields out to restore all of the entry's",
                ));
            }
            for field in fields {
                if !entry.changes.iter().any(|c| &c.field == field) {
                    errors.push(ValidationError::new(
                        field.clone(),
                        "not_in_entry",
                        format!("history entry {} did not change {field}", entry.id),
                    ));
                }
            }
        }
        let values = entry
            .changes
            .iter()
            .filter(|c| fields.is_none_or(|f| f.contains(&c.field)))
            .map(|c| (c.field.clone(), c.old.clone()))
            .collect();
        errors.into_result(Self { values })
    }

    /// The patch that sets a contact's fields back to these values. A phone `current` still
    /// has keeps its id: the phone with the same id (which gets its old type and number
    /// back), or else one with the same type and number. Any other comes back as a new phone
    /// with a new id, since a contact never hands out an id twice. The photo cannot be
    /// restored: its files are removed when it is replaced or cleared.
    pub fn contact_patch(&self, current: &ContactFields) -> Result<ContactPatch, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut p = ContactPatch::default();
        for (field, old) in &self.values {
            let e = &mut errors;
            match field.as_str() {
                "code" => p.code = read(e, field, old),
                "external_id" => p.external_id = read(e, field, old),
                "status" => p.status = read(e, field, old),
                "salutation" => p.salutation = read(e, field, old),
                "first_name" => p.first_name = read(e, field, old),
                "initial" => p.initial = read(e, field, old),
                "last_name" => p.last_name = read(e, field, old),
                "full_name" => p.full_name = read(e, field, old),
                "title" => p.title = read(e, field, old),
                "mail_stop" => p.mail_stop = read(e, field, old),
                "address_1" => p.address_1 = read(e, field, old),
                "address_2" => p.address_2 = read(e, field, old),
                "address_3" => p.address_3 = read(e, field, old),
                "city" => p.city = read(e, field, old),
                "state" => p.state = read(e, field, old),
                "postal_code" => p.postal_code = read(e, field, old),
                "country" => p.country = read(e, field, old),
                "web_address" => p.web_address = read(e, field, old),
                "notes" => p.notes = read(e, field, old),
                "phones" => {
                    p.phones = read(e, field, old).map(|old| restored_phones(old, &current.phones));
                }
                "emails" => p.emails = read(e, field, old),
                "attachments" => p.attachments = read(e, field, old),
                "is_primary" => p.is_primary = read(e, field, old),
                "is_decision_maker" => p.is_decision_maker = read(e, field, old),
                "owner_id" => p.owner_id = read::<UserId>(e, field, old),
                "notifications" => p.notifications = notifications(read(e, field, old)),
                "custom_fields" => p.custom_fields = custom_fields(read(e, field, old)),
                "photo" => e.push(ValidationError::new(
                    field.clone(),
                    "not_restorable",
                    "a photo cannot be restored from history: its files are not kept; \
                     restore the entry's other fields by naming them",
                )),
                _ => e.push(not_a_field(field, "contact")),
            }
        }
        errors.into_result(p)
    }

    /// The patch that sets a customer's fields back to these values.
    pub fn customer_patch(&self) -> Result<CustomerPatch, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut p = CustomerPatch::default();
        for (field, old) in &self.values {
            let e = &mut errors;
            match field.as_str() {
                "code" => p.code = read(e, field, old),
                "name" => p.name = read(e, field, old),
                "website" => p.website = read(e, field, old),
                "address" => p.address = read(e, field, old),
                "city" => p.city = read(e, field, old),
                "state" => p.state = read(e, field, old),
                "postal_code" => p.postal_code = read(e, field, old),
                "country" => p.country = read(e, field, old),
                "custom_fields" => p.custom_fields = custom_fields(read(e, field, old)),
                _ => e.push(not_a_field(field, "customer")),
            }
        }
        errors.into_result(p)
    }
}

/// A recorded value as a patch of its field: `null` (there was none) clears it, anything else
/// sets it. A value that is not of the field's type (recorded under other rules) is an error
/// naming the field, and leaves it alone.
fn read<T: DeserializeOwned>(errors: &mut ValidationErrors, field: &str, old: &Value) -> Patch<T> {
    match serde_json::from_value::<Option<T>>(old.clone()) {
        Ok(value) => value.into(),
        Err(e) => {
            errors.push(ValidationError::new(
                field,
                "not_restorable",
                format!("the recorded value cannot be read back ({e})"),
            ));
            Patch::Absent
        }
    }
}

/// The phones `old` as inputs that keep the ids of `current`'s phones where they are the same
/// phone: the same id, or else the same type and number (so that restoring a list twice
/// changes nothing the second time).
fn restored_phones(old: Vec<Phone>, current: &[Phone]) -> Vec<PhoneInput> {
    let mut kept: Vec<u32> = old
        .iter()
        .filter(|p| current.iter().any(|c| c.id == p.id))
        .map(|p| p.id)
        .collect();
    old.into_iter()
        .map(|phone| {
            let id = if kept.contains(&phone.id) {
                Some(phone.id)
            } else {
                let same = current
                    .iter()
                    .find(|c| {
                        c.kind == phone.kind && c.number == phone.number && !kept.contains(&c.id)
                    })
                    .map(|c| c.id);
                kept.extend(same);
                same
            };
            PhoneInput {
                id,
                kind: phone.kind.as_str().to_owned(),
                number: phone.number,
            }
        })
        .collect()
}

/// Every preference set to its recorded value (none recorded: all off).
fn notifications(old: Patch<Notifications>) -> NotificationsPatch {
    let n = match old {
        Patch::Absent => return NotificationsPatch::default(),
        Patch::Clear => Notifications::default(),
        Patch::Set(n) => n,
    };
    NotificationsPatch {
        on_new: Patch::Set(n.on_new),
        on_acknowledged: Patch::Set(n.on_acknowledged),
        on_dispatched: Patch::Set(n.on_dispatched),
        on_completed: Patch::Set(n.on_completed),
        on_failed: Patch::Set(n.on_failed),
    }
}

/// The recorded map replaces the current one (none recorded: no custom fields).
fn custom_fields(old: Patch<BTreeMap<String, String>>) -> MapPatch {
    match old {
        Patch::Absent => MapPatch::Absent,
        Patch::Clear => MapPatch::Replace(BTreeMap::new()),
        Patch::Set(map) => MapPatch::Replace(map),
    }
}

fn not_a_field(field: &str, entity: &str) -> ValidationError {
    ValidationError::new(
        field,
        "not_restorable",
        format!("is not a field of a {entity} that can be restored"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::PhoneType;
    use crate::customer::CustomerFields;
    use crate::history::{Change, Surface, diff};
    use crate::ids::TenantId;
    use serde_json::json;
    use time::OffsetDateTime;

    /// The entry of the change from `before` to `after`.
    fn entry(
        before: &serde_json::Map<String, Value>,
        after: &serde_json::Map<String, Value>,
    ) -> HistoryEntry {
        HistoryEntry {
            id: 12,
            tenant_id: TenantId(1),
            entity: "contact".into(),
            entity_id: 3,
            version: 2,
            change: Change::Update,
            at: OffsetDateTime::UNIX_EPOCH,
            user_id: None,
            username: "admin".into(),
            surface: Surface::Native,
            changes: diff(before, after),
        }
    }

    fn phone(id: Option<u32>, kind: &str, number: &str) -> PhoneInput {
        PhoneInput {
            id,
            kind: kind.into(),
            number: number.into(),
        }
    }

    /// A contact with a value in every restorable field.
    fn full() -> ContactFields {
        let text = |v: &str| Patch::Set(v.to_owned());
        ContactFields::default()
            .apply(ContactPatch {
                code: text("JHERNANDEZ"),
                external_id: text("X-1"),
                status: text("active"),
                salutation: text("Mr"),
                first_name: text("Joseph"),
                initial: text("A"),
                last_name: text("Hernandez"),
                full_name: text("Joe Hernandez"),
                title: text("Buyer"),
                mail_stop: text("MS 4"),
                address_1: text("1 Main St"),
                address_2: text("Suite 2"),
                address_3: text("Bldg 3"),
                city: text("San Jose"),
                state: text("CA"),
                postal_code: text("95110"),
                country: text("US"),
                phones: Patch::Set(vec![phone(None, "business", "1"), phone(None, "fax", "2")]),
                emails: Patch::Set(vec!["j@abccorp.com".into(), "joe@x.com".into()]),
                web_address: text("https://abccorp.com"),
                notes: text("Prefers mornings"),
                attachments: Patch::Set(vec!["https://abccorp.com/a.pdf".into()]),
                is_primary: Patch::Set(true),
                is_decision_maker: Patch::Set(true),
                owner_id: Patch::Set(UserId(7)),
                notifications: NotificationsPatch {
                    on_new: Patch::Set(true),
                    on_failed: Patch::Set(true),
                    ..NotificationsPatch::default()
                },
                custom_fields: MapPatch::Replace(BTreeMap::from([("a".into(), "1".into())])),
                ..ContactPatch::default()
            })
            .unwrap()
    }

    /// `full()` with every restorable field changed or cleared.
    fn changed() -> ContactFields {
        let text = |v: &str| Patch::Set(v.to_owned());
        full()
            .apply(
                ContactPatch {
                    code: text("JH"),
                    last_name: text("Doe"),
                    city: text("Paris"),
                    country: text("FR"),
                    phones: Patch::Set(vec![
                        phone(Some(1), "home", "9"),
                        phone(None, "mobile", "8"),
                    ]),
                    emails: Patch::Set(vec!["joe@x.com".into()]),
                    ..ContactPatch::default()
                }
                .into_replacement(),
            )
            .unwrap()
    }

    #[test]
    fn restoring_every_field_of_an_entry_gives_back_the_values_before_it() {
        let before = full();
        let after = changed();
        let e = entry(&before.snapshot(), &after.snapshot());
        assert!(e.changes.len() > 20, "the entry changed almost every field");
        let restore = Restore::from_entry(&e, None).unwrap();
        let restored = after.apply(restore.contact_patch(&after).unwrap()).unwrap();
        let phones = |f: &ContactFields| -> Vec<(PhoneType, String)> {
            f.phones
                .iter()
                .map(|p| (p.kind, p.number.clone()))
                .collect()
        };
        assert_eq!(phones(&restored), phones(&before));
        assert_eq!(
            diff(&before.snapshot(), &restored.snapshot())
                .into_iter()
                .map(|c| c.field)
                .collect::<Vec<_>>(),
            ["phones"],
            "everything else is as before; phones differ only by the fax's new id"
        );
    }

    /// The restore of the phones the change from `full()` to `changed()` overwrote.
    fn phones_of_full() -> Restore {
        let e = entry(&full().snapshot(), &changed().snapshot());
        Restore::from_entry(&e, Some(&["phones".to_owned()])).unwrap()
    }

    #[test]
    fn a_phone_still_there_keeps_its_id_and_one_removed_since_gets_a_new_one() {
        let after = changed();
        let restore = phones_of_full();
        let restored = after.apply(restore.contact_patch(&after).unwrap()).unwrap();
        let got: Vec<(u32, PhoneType, &str)> = restored
            .phones
            .iter()
            .map(|p| (p.id, p.kind, p.number.as_str()))
            .collect();
        assert_eq!(
            got,
            [(1, PhoneType::Business, "1"), (4, PhoneType::Fax, "2")],
            "phone 1 is edited back; the fax (id 2) was removed, ids 2 and 3 were used"
        );
    }

    #[test]
    fn restoring_the_same_phones_again_changes_nothing() {
        let after = changed();
        let restore = phones_of_full();
        let once = after.apply(restore.contact_patch(&after).unwrap()).unwrap();
        let twice = once.apply(restore.contact_patch(&once).unwrap()).unwrap();
        assert_eq!(
            twice, once,
            "the fax restored with id 4 is found by type and number"
        );
    }

    #[test]
    fn only_the_named_fields_are_restored() {
        let before = full();
        let after = changed();
        let e = entry(&before.snapshot(), &after.snapshot());
        let restore = Restore::from_entry(&e, Some(&["city".into(), "last_name".into()])).unwrap();
        let restored = after.apply(restore.contact_patch(&after).unwrap()).unwrap();
        assert_eq!(
            (restored.city.as_deref(), restored.last_name.as_deref()),
            (Some("San Jose"), Some("Hernandez"))
        );
        assert_eq!(restored.country.as_deref(), Some("FR"));
        assert_eq!(restored.code.as_deref(), Some("JH"));
    }

    #[test]
    fn fields_the_entry_did_not_change_are_named_and_an_empty_list_is_refused() {
        let before = full();
        let after = before
            .apply(ContactPatch {
                city: Patch::Set("Paris".into()),
                ..ContactPatch::default()
            })
            .unwrap();
        let e = entry(&before.snapshot(), &after.snapshot());
        let err = Restore::from_entry(&e, Some(&["city".into(), "title".into(), "nope".into()]))
            .unwrap_err();
        let got: Vec<(&str, &str)> = err.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(got, [("title", "not_in_entry"), ("nope", "not_in_entry")]);
        let err = Restore::from_entry(&e, Some(&[])).unwrap_err();
        assert_eq!(
            (err.0[0].field.as_str(), err.0[0].code),
            ("fields", "empty")
        );
    }

    #[test]
    fn values_a_create_recorded_as_null_clear_their_field() {
        let after = full();
        let e = entry(&serde_json::Map::new(), &after.snapshot());
        let fields = [
            "title".to_owned(),
            "is_primary".into(),
            "notifications".into(),
        ];
        let restore = Restore::from_entry(&e, Some(&fields)).unwrap();
        let restored = after.apply(restore.contact_patch(&after).unwrap()).unwrap();
        assert_eq!(restored.title, None);
        assert!(!restored.is_primary);
        assert_eq!(restored.notifications, Notifications::default());
    }

    #[test]
    fn a_photo_cannot_be_restored() {
        let restore = Restore {
            values: vec![
                ("photo".into(), json!({"name": "x"})),
                ("city".into(), json!("A")),
            ],
        };
        let err = restore.contact_patch(&full()).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(
            (err.0[0].field.as_str(), err.0[0].code),
            ("photo", "not_restorable")
        );
        assert!(err.0[0].message.contains("photo"));
    }

    #[test]
    fn values_that_cannot_be_read_back_and_unknown_fields_are_named() {
        let restore = Restore {
            values: vec![
                ("is_primary".into(), json!("yes")),
                (
                    "phones".into(),
                    json!([{"id": 1, "type": "cell", "number": "1"}]),
                ),
                ("phone_seq".into(), json!(3)),
                ("city".into(), json!("Lyon")),
            ],
        };
        let err = restore.contact_patch(&full()).unwrap_err();
        let got: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(got, ["is_primary", "phones", "phone_seq"]);
        assert!(err.0.iter().all(|e| e.code == "not_restorable"));
    }

    #[test]
    fn a_customer_gets_its_recorded_values_back() {
        let before = CustomerFields::default()
            .apply(CustomerPatch {
                code: Patch::Set("ABC".into()),
                name: Patch::Set("ABC Corp".into()),
                country: Patch::Set("US".into()),
                custom_fields: MapPatch::Replace(BTreeMap::from([("r".into(), "West".into())])),
                ..CustomerPatch::default()
            })
            .unwrap();
        let after = before
            .apply(CustomerPatch {
                code: Patch::Set("ABCX".into()),
                name: Patch::Clear,
                city: Patch::Set("Paris".into()),
                custom_fields: MapPatch::Replace(BTreeMap::new()),
                ..CustomerPatch::default()
            })
            .unwrap();
        let e = entry(&before.snapshot(), &after.snapshot());
        let restore = Restore::from_entry(&e, None).unwrap();
        let restored = after.apply(restore.customer_patch().unwrap()).unwrap();
        assert_eq!(restored, before);
        let odd = Restore {
            values: vec![("phones".into(), json!([]))],
        };
        assert_eq!(odd.customer_patch().unwrap_err().0[0].field, "phones");
    }
}
