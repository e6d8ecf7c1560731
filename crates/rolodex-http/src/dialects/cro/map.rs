//! Translation between CRO members and the contact model: `name` is the full name, `number`
//! the business phone (the "main phone"), `fax` the fax phone, `email` the whole email list
//! (read joined with `", "`, written split on commas with whitespace trimmed), the
//! `notify_on_*_request` flags the notification preferences. Only the rules the domain does
//! not have are checked here (types, lengths of `fax` and `email`, the boolean spellings,
//! unknown members); everything else is the domain's.

use super::dto::{self, CustomerContactModel};
use super::error::CroError;
use rolodex_domain::{Contact, ContactPatch, Patch, PhoneType};
use serde_json::{Map, Value};

/// Longest `email` string, in characters.
const EMAIL_MAX_CHARS: usize = 256;
/// Shortest and longest `fax`, in characters.
const FAX_CHARS: (usize, usize) = (7, 15);

/// A boolean as CRO spells it: JSON `true`/`false`, the numbers `0`/`1`, or the strings
/// `0`, `1`, `true`, `false` in any case.
pub fn parse_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "0" | "false" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// The addresses of an `email` string: split on commas, whitespace trimmed, nothing for a
/// blank string.
pub fn split_emails(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',').map(|e| e.trim().to_owned()).collect()
}

/// The `email` string of a list: `None` when empty, else joined with `", "`.
pub fn join_emails(emails: &[String]) -> Option<String> {
    (!emails.is_empty()).then(|| emails.join(", "))
}

/// The model of a contact.
pub fn model(contact: &Contact) -> CustomerContactModel {
    let f = &contact.fields;
    let phone = |kind| f.phone(kind).map(|p| p.number.clone());
    CustomerContactModel {
        email: join_emails(&f.emails),
        fax: phone(PhoneType::Fax),
        id: contact.id.0,
        name: f.name(),
        notify_on_acknowledged_request: f.notifications.on_acknowledged,
        notify_on_completed_request: f.notifications.on_completed,
        notify_on_dispatched_request: f.notifications.on_dispatched,
        notify_on_failed_request: f.notifications.on_failed,
        notify_on_new_request: f.notifications.on_new,
        number: phone(PhoneType::Business),
    }
}

/// A string member, or `None` for `null`.
fn text<'a>(member: &str, value: &'a Value) -> Result<Option<&'a str>, CroError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        _ => Err(CroError::bad(
            member,
            "invalid_type",
            format!("{member} must be a string."),
        )),
    }
}

/// A string member that must have `min..=max` characters when sent (`null` clears).
fn sized(
    member: &str,
    value: &Value,
    (min, max): (usize, usize),
) -> Result<Patch<String>, CroError> {
    let Some(s) = text(member, value)? else {
        return Ok(Patch::Clear);
    };
    let n = s.chars().count();
    if n < min || n > max {
        return Err(CroError::bad(
            member,
            "invalid_length",
            format!("{member} must be {min} to {max} characters long; it has {n}."),
        ));
    }
    Ok(Patch::Set(s.to_owned()))
}

/// The patch a create or update body means: only the members sent change.
pub fn patch(body: Map<String, Value>) -> Result<ContactPatch, CroError> {
    let mut p = ContactPatch::default();
    for (member, value) in body {
        match member.as_str() {
            dto::NAME => {
                let Some(s) = text(dto::NAME, &value)? else {
                    return Err(CroError::bad(
                        dto::NAME,
                        "invalid_length",
                        "name must be 1 to 128 characters long; it cannot be null.",
                    ));
                };
                if s.is_empty() {
                    return Err(CroError::bad(
                        dto::NAME,
                        "invalid_length",
                        "name must be 1 to 128 characters long; it has 0.",
                    ));
                }
                p.full_name = Patch::Set(s.to_owned());
            }
            dto::NUMBER => {
                // The upper bound (90 characters) is the domain's.
                let number = match text(dto::NUMBER, &value)? {
                    None => Patch::Clear,
                    Some("") => {
                        return Err(CroError::bad(
                            dto::NUMBER,
                            "invalid_length",
                            "number must be 1 to 90 characters long; it has 0.",
                        ));
                    }
                    Some(s) => Patch::Set(s.to_owned()),
                };
                p.phone_of_type.insert(PhoneType::Business, number);
            }
            dto::FAX => {
                let fax = sized(dto::FAX, &value, FAX_CHARS)?;
                p.phone_of_type.insert(PhoneType::Fax, fax);
            }
            dto::EMAIL => {
                let emails = match text(dto::EMAIL, &value)? {
                    None => Vec::new(),
                    Some(s) if s.chars().count() > EMAIL_MAX_CHARS => {
                        return Err(CroError::bad(
                            dto::EMAIL,
                            "too_long",
                            format!("email must be at most {EMAIL_MAX_CHARS} characters long."),
                        ));
                    }
                    Some(s) => split_emails(s),
                };
                p.emails = if emails.is_empty() {
                    Patch::Clear
                } else {
                    Patch::Set(emails)
                };
            }
            flag @ (dto::ON_ACKNOWLEDGED
            | dto::ON_COMPLETED
            | dto::ON_DISPATCHED
            | dto::ON_FAILED
            | dto::ON_NEW) => {
                let b = parse_bool(&value).ok_or_else(|| {
                    CroError::bad(
                        flag,
                        "invalid_boolean",
                        format!(
                            "{flag} must be one of 0, 1, True, False (any case) or a JSON boolean."
                        ),
                    )
                })?;
                let n = &mut p.notifications;
                let slot = match flag {
                    dto::ON_ACKNOWLEDGED => &mut n.on_acknowledged,
                    dto::ON_COMPLETED => &mut n.on_completed,
                    dto::ON_DISPATCHED => &mut n.on_dispatched,
                    dto::ON_FAILED => &mut n.on_failed,
                    _ => &mut n.on_new,
                };
                *slot = Patch::Set(b);
            }
            other => {
                return Err(CroError::bad(
                    other,
                    "unknown_member",
                    format!(
                        "{other} is not a member of this model; accepted: {}.",
                        dto::MEMBERS.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use serde_json::json;

    #[test]
    fn booleans_take_every_documented_spelling() {
        for (v, b) in [
            (json!(true), true),
            (json!(false), false),
            (json!(0), false),
            (json!(1), true),
            (json!("0"), false),
            (json!("1"), true),
            (json!("True"), true),
            (json!("TRUE"), true),
            (json!("true"), true),
            (json!("False"), false),
            (json!("fAlSe"), false),
        ] {
            assert_eq!(parse_bool(&v), Some(b), "{v}");
        }
        for v in [json!("yes"), json!(2), json!(null), json!(""), json!(" 1")] {
            assert_eq!(parse_bool(&v), None, "{v}");
        }
    }

    #[test]
    fn emails_split_on_commas_and_join_with_a_space() {
        assert_eq!(
            split_emails(" a@x.com,\n b@y.com\t,c@z.com "),
            ["a@x.com", "b@y.com", "c@z.com"]
        );
        assert!(split_emails(" \t\n").is_empty());
        assert_eq!(
            join_emails(&["a@x.com".into(), "b@y.com".into()]).as_deref(),
            Some("a@x.com, b@y.com")
        );
        assert_eq!(join_emails(&[]), None);
    }

    fn refused(body: Value) -> CroError {
        let Value::Object(map) = body else {
            unreachable!("an object")
        };
        patch(map).expect_err("refused")
    }

    #[test]
    fn the_dialects_own_rules_are_400s_naming_the_member() {
        for (body, field) in [
            (json!({"fax": "123456"}), "fax"),
            (json!({"fax": "1234567890123456"}), "fax"),
            (json!({"name": ""}), "name"),
            (json!({"name": null}), "name"),
            (json!({"number": ""}), "number"),
            (json!({"email": 5}), "email"),
            (
                json!({"notify_on_new_request": "yes"}),
                "notify_on_new_request",
            ),
            (json!({"id": 3}), "id"),
        ] {
            let e = refused(body.clone());
            assert_eq!(
                (e.status, e.field.as_deref()),
                (StatusCode::BAD_REQUEST, Some(field)),
                "{body}"
            );
        }
        let Value::Object(map) = json!({"fax": "1234567", "email": null, "number": null}) else {
            unreachable!("an object")
        };
        let p = patch(map).unwrap();
        assert_eq!(
            p.phone_of_type[&PhoneType::Fax],
            Patch::Set("1234567".into())
        );
        assert_eq!(p.phone_of_type[&PhoneType::Business], Patch::Clear);
        assert_eq!(p.emails, Patch::Clear);
    }
}
