//! JSON Merge Patch (RFC 7396) bodies into core patches: an absent member leaves a field
//! alone, `null` clears it, a value sets it. Unknown members and read-only members are refused
//! with a per-field error; so are values of the wrong JSON type. The values themselves are
//! validated by the domain, once for every surface.
//!
//! [`ContactWrite`] and [`CustomerWrite`] document these bodies: the writable members, each
//! nullable (null clears), and no others.

use crate::openapi::{nullable, schema};
use rolodex_domain::contact::{
    MAX_ATTACHMENTS, MAX_CUSTOM_FIELDS, MAX_EMAILS, MAX_PHONES, NOTES_MAX_CHARS,
};
use rolodex_domain::{
    ContactPatch, CustomerPatch, MapPatch, NotificationsPatch, Patch, PhoneInput, PhoneType,
    UserId, ValidationError, ValidationErrors,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// Members a client reads but may not write.
const CONTACT_READ_ONLY: &[&str] = &[
    "id",
    "customer_id",
    "name",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "history_url",
    "photo",
];
const CUSTOMER_READ_ONLY: &[&str] = &[
    "id",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
];

/// The text members of a contact and their longest value in characters (the domain's rules,
/// which a test below holds them to); only `notes` takes several lines.
const CONTACT_TEXT: &[(&str, usize)] = &[
    ("code", 64),
    ("external_id", 128),
    ("status", 32),
    ("salutation", 32),
    ("first_name", 128),
    ("initial", 8),
    ("last_name", 128),
    ("full_name", 128),
    ("title", 128),
    ("mail_stop", 32),
    ("address_1", 256),
    ("address_2", 256),
    ("address_3", 256),
    ("city", 128),
    ("state", 128),
    ("postal_code", 32),
    ("web_address", 2048),
    ("notes", NOTES_MAX_CHARS),
];
/// The text members of a customer but its code (which may not be cleared); only `address`
/// takes several lines.
const CUSTOMER_TEXT: &[(&str, usize)] = &[
    ("name", 256),
    ("website", 2048),
    ("address", 1024),
    ("city", 128),
    ("state", 128),
    ("postal_code", 32),
];
const MULTILINE: &[&str] = &["notes", "address"];
const CODE_MAX: usize = 64;
const PHONE_NUMBER_MAX: usize = 90;
const EMAIL_MAX: usize = 254;
const URL_MAX: usize = 2048;
const CUSTOM_NAME_MAX: usize = 64;
const CUSTOM_VALUE_MAX: usize = 4096;
const NOTIFICATIONS: &[&str] = &[
    "on_new",
    "on_acknowledged",
    "on_dispatched",
    "on_completed",
    "on_failed",
];

/// An object schema that refuses members it does not list.
fn closed(object: ObjectBuilder) -> ObjectBuilder {
    object.additional_properties(Some(AdditionalProperties::FreeForm(false)))
}

/// Text of at most `max` characters without control characters (but line breaks and tabs
/// where the member takes several lines), as `rolodex_domain::text::TextRule` checks it. An
/// empty member clears the field.
fn text_schema(kind: ObjectBuilder, max: usize, multiline: bool) -> ObjectBuilder {
    let pattern = if multiline {
        r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    } else {
        r"^[^\x00-\x1F\x7F-\x9F]*$"
    };
    kind.max_length(Some(max)).pattern(Some(pattern))
}

/// Text of 1 to `max` characters on one line (an empty value is refused).
fn line(max: usize) -> ObjectBuilder {
    text_schema(ObjectBuilder::new().schema_type(Type::String), max, false).min_length(Some(1))
}

fn country() -> ObjectBuilder {
    nullable(Type::String)
        .max_length(Some(64))
        .description(Some(
            "A country: an ISO 3166-1 alpha-2 or alpha-3 code or an English name, any case \
             (`US`, `USA`, `United States`); read back as the alpha-2 code",
        ))
}

fn text_members(mut object: ObjectBuilder, members: &[(&str, usize)]) -> ObjectBuilder {
    for (name, max) in members {
        let multiline = MULTILINE.contains(name);
        object = object.property(*name, text_schema(nullable(Type::String), *max, multiline));
    }
    object
}

fn custom_fields_schema() -> ObjectBuilder {
    nullable(Type::Object)
        .description(Some(
            "Merged into the current ones: a null value removes that field; null removes all",
        ))
        .max_properties(Some(MAX_CUSTOM_FIELDS))
        .property_names(Some(line(CUSTOM_NAME_MAX)))
        .additional_properties(Some(
            text_schema(nullable(Type::String), CUSTOM_VALUE_MAX, true).min_length(Some(1)),
        ))
}

fn list_schema(item: ObjectBuilder, max: usize) -> ArrayBuilder {
    ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::Array,
            Type::Null,
        ]))
        .max_items(Some(max))
        .items(item)
}

/// The body of a contact create, replace (PUT) or merge patch.
pub struct ContactWrite;

impl PartialSchema for ContactWrite {
    fn schema() -> RefOr<Schema> {
        let phone = closed(
            ObjectBuilder::new()
                .property(
                    "id",
                    nullable(Type::Integer)
                        .minimum(Some(0))
                        .maximum(Some(u32::MAX))
                        .description(Some("An existing phone's id, to keep it")),
                )
                .property(
                    "type",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(PhoneType::ALL.map(PhoneType::as_str))),
                )
                .property("number", line(PHONE_NUMBER_MAX))
                .required("type")
                .required("number"),
        );
        let mut notifications = closed(nullable(Type::Object));
        for name in NOTIFICATIONS {
            notifications = notifications.property(*name, nullable(Type::Boolean));
        }
        let object = text_members(closed(ObjectBuilder::new()), CONTACT_TEXT)
            .property("country", country())
            .property("phones", list_schema(phone, MAX_PHONES))
            .property(
                "emails",
                list_schema(
                    line(EMAIL_MAX).format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Email,
                    ))),
                    MAX_EMAILS,
                )
                .description(Some("The first is the main one")),
            )
            .property("attachments", list_schema(line(URL_MAX), MAX_ATTACHMENTS))
            .property("is_primary", nullable(Type::Boolean))
            .property("is_decision_maker", nullable(Type::Boolean))
            .property(
                "owner_id",
                nullable(Type::Integer).description(Some("A user id")),
            )
            .property("notifications", notifications)
            .property("custom_fields", custom_fields_schema())
            .description(Some(
                "A contact's writable members; null clears one. Read-only members (id, version, \
                 created_at, ...) are refused.",
            ));
        schema(object)
    }
}

impl ToSchema for ContactWrite {}

/// The body of a customer create or merge patch.
pub struct CustomerWrite;

impl PartialSchema for CustomerWrite {
    fn schema() -> RefOr<Schema> {
        let object = text_members(closed(ObjectBuilder::new()), CUSTOMER_TEXT)
            .property(
                "code",
                line(CODE_MAX).description(Some("Unique in the tenant; cannot be cleared")),
            )
            .property("country", country())
            .property("custom_fields", custom_fields_schema())
            .description(Some(
                "A customer's writable members; null clears one; code is derived from the name \
                 when a create leaves it out. Read-only members (id, version, created_at, ...) are \
                 refused.",
            ));
        schema(object)
    }
}

impl ToSchema for CustomerWrite {}

fn type_error(field: &str, expected: &str) -> ValidationError {
    ValidationError::new(field, "invalid_type", format!("must be {expected}"))
}

fn text(e: &mut ValidationErrors, field: &str, v: Value) -> Patch<String> {
    match v {
        Value::Null => Patch::Clear,
        Value::String(s) => Patch::Set(s),
        _ => {
            e.push(type_error(field, "a string or null"));
            Patch::Absent
        }
    }
}

fn flag(e: &mut ValidationErrors, field: &str, v: Value) -> Patch<bool> {
    match v {
        Value::Null => Patch::Clear,
        Value::Bool(b) => Patch::Set(b),
        _ => {
            e.push(type_error(field, "true, false or null"));
            Patch::Absent
        }
    }
}

fn strings(e: &mut ValidationErrors, field: &str, v: Value) -> Patch<Vec<String>> {
    match v {
        Value::Null => Patch::Clear,
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::String(s) => out.push(s),
                    _ => e.push(type_error(&format!("{field}[{i}]"), "a string")),
                }
            }
            Patch::Set(out)
        }
        _ => {
            e.push(type_error(field, "an array of strings or null"));
            Patch::Absent
        }
    }
}

fn phones(e: &mut ValidationErrors, v: Value) -> Patch<Vec<PhoneInput>> {
    let Value::Array(items) = v else {
        if v.is_null() {
            return Patch::Clear;
        }
        e.push(type_error(
            "phones",
            "an array of {id?, type, number} objects or null",
        ));
        return Patch::Absent;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(mut obj) = item else {
            e.push(type_error(
                &format!("phones[{i}]"),
                "an object {id?, type, number}",
            ));
            continue;
        };
        let id = match obj.remove("id") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) => Some(n),
                None => {
                    e.push(type_error(&format!("phones[{i}].id"), "a positive integer"));
                    continue;
                }
            },
            Some(_) => {
                e.push(type_error(&format!("phones[{i}].id"), "a positive integer"));
                continue;
            }
        };
        let mut string = |name: &str| match obj.remove(name) {
            Some(Value::String(s)) => Some(s),
            _ => {
                e.push(type_error(&format!("phones[{i}].{name}"), "a string"));
                None
            }
        };
        let (Some(kind), Some(number)) = (string("type"), string("number")) else {
            continue;
        };
        for unknown in obj.keys() {
            e.push(ValidationError::new(
                format!("phones[{i}].{unknown}"),
                "unknown_field",
                "is not a member of a phone",
            ));
        }
        out.push(PhoneInput { id, kind, number });
    }
    Patch::Set(out)
}

fn custom_fields(e: &mut ValidationErrors, v: Value) -> MapPatch {
    match v {
        Value::Null => MapPatch::Replace(BTreeMap::new()),
        Value::Object(obj) => {
            let mut out = BTreeMap::new();
            for (name, value) in obj {
                match value {
                    Value::Null => {
                        out.insert(name, None);
                    }
                    Value::String(s) => {
                        out.insert(name, Some(s));
                    }
                    _ => e.push(type_error(
                        &format!("custom_fields.{name}"),
                        "a string or null",
                    )),
                }
            }
            MapPatch::Merge(out)
        }
        _ => {
            e.push(type_error("custom_fields", "an object of strings or null"));
            MapPatch::Absent
        }
    }
}

fn notifications(e: &mut ValidationErrors, v: Value) -> NotificationsPatch {
    let mut patch = NotificationsPatch::default();
    match v {
        Value::Null => {
            patch.on_new = Patch::Clear;
            patch.on_acknowledged = Patch::Clear;
            patch.on_dispatched = Patch::Clear;
            patch.on_completed = Patch::Clear;
            patch.on_failed = Patch::Clear;
        }
        Value::Object(obj) => {
            for (name, value) in obj {
                let field = format!("notifications.{name}");
                let slot = match name.as_str() {
                    "on_new" => &mut patch.on_new,
                    "on_acknowledged" => &mut patch.on_acknowledged,
                    "on_dispatched" => &mut patch.on_dispatched,
                    "on_completed" => &mut patch.on_completed,
                    "on_failed" => &mut patch.on_failed,
                    _ => {
                        e.push(ValidationError::new(
                            field,
                            "unknown_field",
                            "is not a notification preference",
                        ));
                        continue;
                    }
                };
                *slot = flag(e, &field, value);
            }
        }
        _ => e.push(type_error("notifications", "an object of booleans or null")),
    }
    patch
}

fn refuse(e: &mut ValidationErrors, name: &str, read_only: &[&str]) {
    if read_only.contains(&name) {
        e.push(ValidationError::new(
            name,
            "read_only",
            "is read-only and cannot be written",
        ));
    } else {
        e.push(ValidationError::new(
            name,
            "unknown_field",
            "is not a member of this resource",
        ));
    }
}

/// A merge-patch body into a contact patch.
pub fn contact_patch(body: Map<String, Value>) -> Result<ContactPatch, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let mut p = ContactPatch::default();
    for (name, v) in body {
        let e = &mut e;
        match name.as_str() {
            "code" => p.code = text(e, &name, v),
            "external_id" => p.external_id = text(e, &name, v),
            "status" => p.status = text(e, &name, v),
            "salutation" => p.salutation = text(e, &name, v),
            "first_name" => p.first_name = text(e, &name, v),
            "initial" => p.initial = text(e, &name, v),
            "last_name" => p.last_name = text(e, &name, v),
            "full_name" => p.full_name = text(e, &name, v),
            "title" => p.title = text(e, &name, v),
            "mail_stop" => p.mail_stop = text(e, &name, v),
            "address_1" => p.address_1 = text(e, &name, v),
            "address_2" => p.address_2 = text(e, &name, v),
            "address_3" => p.address_3 = text(e, &name, v),
            "city" => p.city = text(e, &name, v),
            "state" => p.state = text(e, &name, v),
            "postal_code" => p.postal_code = text(e, &name, v),
            "country" => p.country = text(e, &name, v),
            "web_address" => p.web_address = text(e, &name, v),
            "notes" => p.notes = text(e, &name, v),
            "phones" => p.phones = phones(e, v),
            "emails" => p.emails = strings(e, &name, v),
            "attachments" => p.attachments = strings(e, &name, v),
            "is_primary" => p.is_primary = flag(e, &name, v),
            "is_decision_maker" => p.is_decision_maker = flag(e, &name, v),
            "owner_id" => {
                p.owner_id = match v {
                    Value::Null => Patch::Clear,
                    Value::Number(n) if n.is_i64() => {
                        Patch::Set(UserId(n.as_i64().unwrap_or_default()))
                    }
                    _ => {
                        e.push(type_error(&name, "a user id (integer) or null"));
                        Patch::Absent
                    }
                }
            }
            "notifications" => p.notifications = notifications(e, v),
            "custom_fields" => p.custom_fields = custom_fields(e, v),
            other => refuse(e, other, CONTACT_READ_ONLY),
        }
    }
    e.into_result(p)
}

/// A merge-patch body into a customer patch.
pub fn customer_patch(body: Map<String, Value>) -> Result<CustomerPatch, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let mut p = CustomerPatch::default();
    for (name, v) in body {
        match name.as_str() {
            "code" => p.code = text(&mut e, &name, v),
            "name" => p.name = text(&mut e, &name, v),
            "website" => p.website = text(&mut e, &name, v),
            "address" => p.address = text(&mut e, &name, v),
            "city" => p.city = text(&mut e, &name, v),
            "state" => p.state = text(&mut e, &name, v),
            "postal_code" => p.postal_code = text(&mut e, &name, v),
            "country" => p.country = text(&mut e, &name, v),
            "custom_fields" => p.custom_fields = custom_fields(&mut e, v),
            other => refuse(&mut e, other, CUSTOMER_READ_ONLY),
        }
    }
    e.into_result(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn absent_null_and_values_become_the_three_patch_states() {
        let p = contact_patch(obj(json!({"first_name": "Ann", "city": null}))).unwrap();
        assert_eq!(p.first_name, Patch::Set("Ann".into()));
        assert_eq!(p.city, Patch::Clear);
        assert_eq!(p.last_name, Patch::Absent);
    }

    #[test]
    fn read_only_unknown_and_mistyped_members_are_each_named() {
        let err = contact_patch(obj(
            json!({"version": 3, "nickname": "x", "emails": "a@b.c", "is_primary": "yes"}),
        ))
        .unwrap_err();
        let mut got: Vec<(String, &str)> =
            err.0.iter().map(|e| (e.field.clone(), e.code)).collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("emails".into(), "invalid_type"),
                ("is_primary".into(), "invalid_type"),
                ("nickname".into(), "unknown_field"),
                ("version".into(), "read_only"),
            ]
        );
    }

    #[test]
    fn custom_fields_and_notifications_merge() {
        let p = contact_patch(obj(
            json!({"custom_fields": {"a": "1", "b": null}, "notifications": {"on_new": true}}),
        ))
        .unwrap();
        assert_eq!(
            p.custom_fields,
            MapPatch::Merge(BTreeMap::from([
                ("a".into(), Some("1".into())),
                ("b".into(), None)
            ]))
        );
        assert_eq!(p.notifications.on_new, Patch::Set(true));
        assert_eq!(p.notifications.on_failed, Patch::Absent);
    }

    #[test]
    fn phones_parse_with_optional_ids() {
        let p = contact_patch(obj(json!({"phones": [{"type": "fax", "number": "1"}, {"id": 2, "type": "home", "number": "2"}]}))).unwrap();
        let Patch::Set(phones) = p.phones else {
            panic!("phones set")
        };
        assert_eq!(phones[1].id, Some(2));
        assert!(contact_patch(obj(json!({"phones": [{"type": "fax"}]}))).is_err());
    }

    /// Every member the schemas document is one the parsers take (null clears it), and
    /// every read-only member is left out of them.
    #[test]
    fn the_write_schemas_match_the_parsers() {
        let members = |s: RefOr<Schema>| -> Vec<String> {
            let json = serde_json::to_value(s).unwrap_or_default();
            json["properties"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let contact = members(ContactWrite::schema());
        let customer = members(CustomerWrite::schema());
        let nulls = |names: &[String]| -> Map<String, Value> {
            names.iter().map(|n| (n.clone(), Value::Null)).collect()
        };
        assert!(contact_patch(nulls(&contact)).is_ok());
        assert!(customer_patch(nulls(&customer)).is_ok());
        assert_eq!(contact.len(), 27);
        assert_eq!(customer.len(), 9);
        for read_only in CONTACT_READ_ONLY {
            assert!(!contact.iter().any(|m| m == read_only), "{read_only}");
        }
        for read_only in CUSTOMER_READ_ONLY {
            assert!(!customer.iter().any(|m| m == read_only), "{read_only}");
        }
        let all_notifications: Map<String, Value> = NOTIFICATIONS
            .iter()
            .map(|n| ((*n).to_owned(), Value::Bool(true)))
            .collect();
        let p = contact_patch(obj(json!({ "notifications": all_notifications }))).unwrap();
        assert_eq!(p.notifications.on_failed, Patch::Set(true));
    }

    /// The lengths the schemas document are the domain's: the longest value passes, one more
    /// character fails on that member; multi-line members take line breaks.
    #[test]
    fn the_documented_lengths_are_the_domains() {
        let contact = |name: &str, value: String| {
            let patch = contact_patch(obj(json!({ "code": "C", name: value }))).unwrap();
            rolodex_domain::ContactFields::default().apply(patch)
        };
        for (name, max) in CONTACT_TEXT {
            assert!(contact(name, "a".repeat(*max)).is_ok(), "{name}");
            let err = contact(name, "a".repeat(max + 1)).unwrap_err();
            assert_eq!(
                (err.0[0].field.as_str(), err.0[0].code),
                (*name, "too_long")
            );
            let two_lines = contact(name, "a\nb".to_owned());
            assert_eq!(two_lines.is_ok(), MULTILINE.contains(name), "{name}");
        }
        let customer = |name: &str, value: String| {
            let patch = customer_patch(obj(json!({ "code": "C", name: value }))).unwrap();
            rolodex_domain::CustomerFields::default().apply(patch)
        };
        for (name, max) in CUSTOMER_TEXT.iter().chain(&[("code", CODE_MAX)]) {
            assert!(customer(name, "a".repeat(*max)).is_ok(), "{name}");
            let err = customer(name, "a".repeat(max + 1)).unwrap_err();
            assert_eq!(
                (err.0[0].field.as_str(), err.0[0].code),
                (*name, "too_long")
            );
            let two_lines = customer(name, "a\nb".to_owned());
            assert_eq!(two_lines.is_ok(), MULTILINE.contains(name), "{name}");
        }
        let number = |len: usize| {
            let patch = contact_patch(obj(
                json!({"code": "C", "phones": [{"type": "home", "number": "1".repeat(len)}]}),
            ))
            .unwrap();
            rolodex_domain::ContactFields::default().apply(patch)
        };
        assert!(number(PHONE_NUMBER_MAX).is_ok());
        assert!(number(PHONE_NUMBER_MAX + 1).is_err());
        let custom = |name: String, value: String| {
            let patch =
                contact_patch(obj(json!({"code": "C", "custom_fields": { name: value }}))).unwrap();
            rolodex_domain::ContactFields::default().apply(patch)
        };
        assert!(
            custom(
                "n".repeat(CUSTOM_NAME_MAX),
                "v\n".repeat(CUSTOM_VALUE_MAX / 2)
            )
            .is_ok()
        );
        assert!(custom("n".repeat(CUSTOM_NAME_MAX + 1), "v".into()).is_err());
        assert!(custom("n".into(), "v".repeat(CUSTOM_VALUE_MAX + 1)).is_err());
    }
}
