//! RPM's phone numbers: at most four per request, typed Business=1, Home=2, Fax=3, Other=6,
//! and the edit rules of `CustomerContactEdit`. The contact's mobile and pager phones have
//! no RPM type: they are never shown here and never touched.
//!
//! An entry with a `PhoneNumberID` edits that phone (its `Type`, when sent, may not take a
//! type another phone of the contact already has); an entry without one edits the phone of
//! its `Type`, or adds one when the contact has none. An empty `Number` removes the phone.
//! Two entries without an id may not name the same type.

use super::error::RpmError;
use super::input::Members;
use rolodex_domain::{Phone, PhoneInput, PhoneType};
use serde_json::{Value, json};

/// How many phone numbers one request may list.
pub const MAX_PHONES: usize = 4;

/// RPM's code of a phone type, if it has one.
pub fn code(kind: PhoneType) -> Option<u8> {
    match kind {
        PhoneType::Business => Some(1),
        PhoneType::Home => Some(2),
        PhoneType::Fax => Some(3),
        PhoneType::Other => Some(6),
        PhoneType::Mobile | PhoneType::Pager => None,
    }
}

pub fn kind_of(code: i64) -> Option<PhoneType> {
    match code {
        1 => Some(PhoneType::Business),
        2 => Some(PhoneType::Home),
        3 => Some(PhoneType::Fax),
        6 => Some(PhoneType::Other),
        _ => None,
    }
}

/// The contact's phones as RPM shows them: those with an RPM type, by type then id.
pub fn view(phones: &[Phone]) -> Vec<Value> {
    let mut shown: Vec<(u8, &Phone)> = phones
        .iter()
        .filter_map(|p| code(p.kind).map(|c| (c, p)))
        .collect();
    shown.sort_by_key(|(c, p)| (*c, p.id));
    shown
        .into_iter()
        .map(|(c, p)| json!({"Number": p.number, "PhoneNumberID": p.id, "Type": c}))
        .collect()
}

/// One entry of `PhoneNumbers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: Option<i64>,
    pub kind: Option<PhoneType>,
    pub number: Option<String>,
}

fn unrecognized(raw: &Value) -> RpmError {
    let shown = match raw {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    RpmError::refused(format!("Unrecognized type for phone number: {shown}"))
}

/// The entries of a `PhoneNumbers` list.
pub fn entries(list: Vec<Members>) -> Result<Vec<Entry>, RpmError> {
    if list.len() > MAX_PHONES {
        return Err(RpmError::refused(format!(
            "A contact can have at most {MAX_PHONES} phone numbers"
        )));
    }
    list.into_iter()
        .map(|mut m| {
            let id = m.int("PhoneNumberID")?;
            let kind = match m.take("Type") {
                None | Some(Value::Null) => None,
                Some(raw) => {
                    let code = match &raw {
                        Value::Number(n) => n.as_i64(),
                        Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    };
                    Some(code.and_then(kind_of).ok_or_else(|| unrecognized(&raw))?)
                }
            };
            let number = m.string("Number")?;
            m.finish()?;
            Ok(Entry { id, kind, number })
        })
        .collect()
}

/// The contact's whole phone list after `entries`, for a replacement of its phones.
pub fn merged(current: &[Phone], entries: Vec<Entry>) -> Result<Vec<PhoneInput>, RpmError> {
    let mut list: Vec<(Option<u32>, PhoneType, String)> = current
        .iter()
        .map(|p| (Some(p.id), p.kind, p.number.clone()))
        .collect();
    let mut typed_without_id = Vec::new();
    for entry in entries {
        match entry.id {
            Some(id) => {
                let i = list
                    .iter()
                    .position(|(pid, ..)| pid.is_some_and(|p| i64::from(p) == id))
                    .ok_or_else(|| RpmError::refused(format!("Phone number not found: {id}")))?;
                if let Some(kind) = entry.kind {
                    let taken = list
                        .iter()
                        .enumerate()
                        .any(|(j, (_, k, _))| j != i && *k == kind);
                    if taken && list[i].1 != kind {
                        return Err(RpmError::refused(format!(
                            "Phone type {} has already been assigned and cannot be replaced by PhoneNumberID: {id}",
                            code(kind).unwrap_or_default()
                        )));
                    }
                    list[i].1 = kind;
                }
                match entry.number {
                    Some(n) if n.is_empty() => {
                        list.remove(i);
                    }
                    Some(n) => list[i].2 = n,
                    None => {}
                }
            }
            None => {
                let kind = entry.kind.ok_or_else(|| unrecognized(&Value::Null))?;
                if typed_without_id.contains(&kind) {
                    return Err(RpmError::refused(format!(
                        "Phone type {} is listed more than once",
                        code(kind).unwrap_or_default()
                    )));
                }
                typed_without_id.push(kind);
                let found = list.iter().position(|(_, k, _)| *k == kind);
                match (found, entry.number) {
                    (Some(i), Some(n)) if n.is_empty() => {
                        list.remove(i);
                    }
                    (Some(i), Some(n)) => list[i].2 = n,
                    (None, Some(n)) if !n.is_empty() => list.push((None, kind, n)),
                    _ => {}
                }
            }
        }
    }
    Ok(list
        .into_iter()
        .map(|(id, kind, number)| PhoneInput {
            id,
            kind: kind.to_string(),
            number,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(id: u32, kind: PhoneType, number: &str) -> Phone {
        Phone {
            id,
            kind,
            number: number.into(),
        }
    }

    fn parse(json: &str) -> Result<Vec<Entry>, RpmError> {
        let mut m = Members::parse(format!(r#"{{"P": {json}}}"#).as_bytes()).unwrap();
        entries(m.objects("P").unwrap().unwrap_or_default())
    }

    fn shown(list: &[PhoneInput]) -> Vec<(Option<u32>, &str, &str)> {
        list.iter()
            .map(|p| (p.id, p.kind.as_str(), p.number.as_str()))
            .collect()
    }

    #[test]
    fn types_are_the_four_codes_and_anything_else_is_named_in_the_error() {
        assert_eq!(
            parse(r#"[{"Type": 1}, {"Type": "6"}]"#).unwrap()[1].kind,
            Some(PhoneType::Other)
        );
        for (raw, shown) in [("4", "4"), (r#""Mobile""#, "Mobile"), ("true", "true")] {
            assert_eq!(
                parse(&format!(r#"[{{"Type": {raw}}}]"#))
                    .unwrap_err()
                    .sentence,
                format!("Unrecognized type for phone number: {shown}")
            );
        }
        assert_eq!(
            parse(r#"[{"Type":1},{"Type":2},{"Type":3},{"Type":6},{"Type":1}]"#)
                .unwrap_err()
                .sentence,
            "A contact can have at most 4 phone numbers"
        );
    }

    #[test]
    fn entries_edit_by_id_or_by_type_and_add_what_is_missing() {
        let current = [
            phone(1, PhoneType::Business, "111"),
            phone(2, PhoneType::Mobile, "222"),
            phone(3, PhoneType::Fax, "333"),
        ];
        let list = merged(
            &current,
            parse(r#"[{"PhoneNumberID": 3, "Number": "334"}, {"Type": 1, "Number": "112"}, {"Type": 2, "Number": "444"}]"#)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            shown(&list),
            [
                (Some(1), "business", "112"),
                (Some(2), "mobile", "222"),
                (Some(3), "fax", "334"),
                (None, "home", "444")
            ]
        );
        let removed = merged(&current, parse(r#"[{"Type": 3, "Number": ""}]"#).unwrap()).unwrap();
        assert_eq!(removed.len(), 2);
    }

    #[test]
    fn a_type_already_assigned_cannot_move_to_another_phone() {
        let current = [
            phone(1, PhoneType::Business, "111"),
            phone(5, PhoneType::Home, "555"),
        ];
        let err = merged(
            &current,
            parse(r#"[{"PhoneNumberID": 5, "Type": 1}]"#).unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            err.sentence,
            "Phone type 1 has already been assigned and cannot be replaced by PhoneNumberID: 5"
        );
        let same = merged(
            &current,
            parse(r#"[{"PhoneNumberID": 5, "Type": 2, "Number": "556"}]"#).unwrap(),
        )
        .unwrap();
        assert_eq!(same[1].number, "556");
        assert_eq!(
            merged(
                &current,
                parse(r#"[{"PhoneNumberID": 9, "Number": "1"}]"#).unwrap()
            )
            .unwrap_err()
            .sentence,
            "Phone number not found: 9"
        );
        assert_eq!(
            merged(
                &current,
                parse(r#"[{"Type": 6, "Number": "1"}, {"Type": 6, "Number": "2"}]"#).unwrap()
            )
            .unwrap_err()
            .sentence,
            "Phone type 6 is listed more than once"
        );
    }

    #[test]
    fn the_view_shows_rpm_types_only_in_type_order() {
        let phones = [
            phone(4, PhoneType::Other, "6"),
            phone(2, PhoneType::Mobile, "m"),
            phone(3, PhoneType::Business, "1"),
        ];
        let v = view(&phones);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0], json!({"Number": "1", "PhoneNumberID": 3, "Type": 1}));
    }
}
