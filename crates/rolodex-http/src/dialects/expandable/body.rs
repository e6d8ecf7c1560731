//! Request bodies of both generations: a JSON object whose members are strings, read by our
//! own code so that a malformed or oversized body gets the vendor's 400 "Request JSON is
//! invalid." and never a framework response.
//!
//! Both pages show every value as a string (seed 001: "templates show every value as a
//! string"); `null` is read as `""`, which clears a field. Lenient where it costs nothing and
//! a .NET client may differ: any `Content-Type` is read as JSON, a leading UTF-8 byte order
//! mark is skipped, and an empty body is an empty object (so a call without members gets the
//! error about the member it misses, not a syntax error).

use super::fault::Fault;
use super::fields::Field;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The members of a request body, each a string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members(BTreeMap<String, String>);

impl Members {
    /// Reads the body of `req`, within the server's body limit.
    pub async fn read(req: Request, state: &AppState) -> Result<Self, Fault> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            Fault::InvalidJson(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                format!(
                    "The body is larger than {} bytes.",
                    state.http.max_body_bytes
                )
            } else {
                "The body could not be read.".to_owned()
            })
        })?;
        Self::parse(&bytes)
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, Fault> {
        let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let object = match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(object)) => object,
            Ok(_) => return Err(Fault::InvalidJson("It must be a JSON object.".into())),
            Err(e) => return Err(Fault::InvalidJson(format!("It is not valid JSON ({e})."))),
        };
        let mut members = BTreeMap::new();
        let mut mistyped = Vec::new();
        for (name, value) in object {
            match value {
                Value::String(s) => {
                    members.insert(name, s);
                }
                Value::Null => {
                    members.insert(name, String::new());
                }
                _ => mistyped.push(format!("'{name}' must be a string.")),
            }
        }
        if mistyped.is_empty() {
            Ok(Self(members))
        } else {
            Err(Fault::InvalidJson(mistyped.join(" ")))
        }
    }

    /// Takes the member `name` out, if it was sent.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    /// The members with each name that is one of `names` but for its letter case spelled as
    /// `names` spells it. Two members that are then the same are refused, rather than one of
    /// them silently dropped.
    pub fn ignoring_case<'a>(
        self,
        names: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Result<Self, Fault> {
        let mut members = BTreeMap::new();
        let mut twice = Vec::new();
        for (name, value) in self.0 {
            let name = names
                .clone()
                .into_iter()
                .find(|n| n.eq_ignore_ascii_case(&name))
                .map_or(name, str::to_owned);
            if members.contains_key(&name) {
                twice.push(format!("'{name}' is sent more than once."));
            }
            members.insert(name, value);
        }
        if twice.is_empty() {
            Ok(Self(members))
        } else {
            Err(Fault::InvalidJson(twice.join(" ")))
        }
    }

    /// Refuses any remaining member: the call takes no other.
    pub fn into_nothing(self) -> Result<(), Fault> {
        self.into_values::<Field>(&[]).map(drop)
    }

    /// The remaining members as fields, each of which must be one of `accepted`.
    pub fn into_values<F: Member>(self, accepted: &[F]) -> Result<Values<F>, Fault> {
        self.into_matching(|f| accepted.contains(&f), false)
    }

    /// The remaining members as the fields a write sets, each of which must be one of
    /// `accepted`, but for the record's read-only fields, which are ignored: a client may
    /// post back a record it read with one field changed.
    pub fn into_writes<F: Member>(self, accepted: &[F]) -> Result<Values<F>, Fault> {
        self.into_matching(|f| accepted.contains(&f), true)
    }

    /// The remaining members as query criteria: fields of `record` that are criteria.
    pub fn into_criteria<F: Member>(self, record: &[F]) -> Result<Values<F>, Fault> {
        self.into_matching(|f| record.contains(&f) && f.is_criterion(), false)
    }

    fn into_matching<F: Member>(
        self,
        accepted: impl Fn(F) -> bool,
        ignore_read_only: bool,
    ) -> Result<Values<F>, Fault> {
        let mut values = Vec::with_capacity(self.0.len());
        let mut refused = Vec::new();
        for (name, value) in self.0 {
            match F::parse(&name) {
                Some(f) if accepted(f) => values.push((f, value)),
                Some(f) if f.is_read_only() && ignore_read_only => {}
                Some(f) if f.is_read_only() => refused.push(format!("'{name}' is read-only.")),
                Some(_) => refused.push(format!("'{name}' is not accepted by this call.")),
                None => refused.push(format!("'{name}' is not an accepted field.")),
            }
        }
        if refused.is_empty() {
            Ok(Values(values))
        } else {
            Err(Fault::InvalidJson(refused.join(" ")))
        }
    }
}

/// A field of a record, as a member of a request body.
pub trait Member: Copy + Eq {
    /// The field named exactly `name`.
    fn parse(name: &str) -> Option<Self>;
    /// Set by Rolodex: a client only reads it.
    fn is_read_only(self) -> bool;
    /// Whether a query takes the field as a criterion.
    fn is_criterion(self) -> bool;
}

/// The fields a request sent, with their values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values<F = Field>(Vec<(F, String)>);

impl<F> Default for Values<F> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<F: Member> Values<F> {
    /// Takes `field` out, if it was sent.
    pub fn take(&mut self, field: F) -> Option<String> {
        let i = self.0.iter().position(|(f, _)| *f == field)?;
        Some(self.0.remove(i).1)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<F> IntoIterator for Values<F> {
    type Item = (F, String);
    type IntoIter = std::vec::IntoIter<(F, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(bytes: &[u8]) -> String {
        match Members::parse(bytes) {
            Err(Fault::InvalidJson(detail)) => detail,
            other => panic!("expected invalid JSON, got {other:?}"),
        }
    }

    #[test]
    fn strings_and_nulls_are_members_and_other_values_are_refused() {
        let mut m = Members::parse(br#"{"CITY": "San Jose", "STATE": null}"#).unwrap();
        assert_eq!(m.take("CITY").as_deref(), Some("San Jose"));
        assert_eq!(m.take("STATE").as_deref(), Some(""));
        assert_eq!(m.take("CITY"), None);
        assert_eq!(
            invalid(br#"{"ZIP_CODE": 95131, "E_MAIL": ["a@b.c"]}"#),
            "'E_MAIL' must be a string. 'ZIP_CODE' must be a string."
        );
    }

    #[test]
    fn syntax_errors_and_non_objects_are_invalid_json() {
        assert!(invalid(b"{\"CITY\": ").starts_with("It is not valid JSON"));
        assert_eq!(invalid(b"[]"), "It must be a JSON object.");
        assert_eq!(invalid(b"null"), "It must be a JSON object.");
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_an_empty_body_has_no_members() {
        let mut bom = BOM.to_vec();
        bom.extend_from_slice(br#"{"CITY": "X"}"#);
        assert_eq!(
            Members::parse(&bom).unwrap().take("CITY").as_deref(),
            Some("X")
        );
        assert_eq!(Members::parse(b"").unwrap(), Members::default());
        assert_eq!(Members::parse(b" \r\n").unwrap(), Members::default());
    }

    #[test]
    fn members_outside_the_accepted_fields_are_each_named() {
        let m =
            Members::parse(br#"{"CITY": "X", "DATE_CREATED": "", "NOTES": "", "NICKNAME": ""}"#)
                .unwrap();
        assert_eq!(
            m.into_values(&[Field::City]),
            Err(Fault::InvalidJson(
                "'DATE_CREATED' is read-only. 'NICKNAME' is not an accepted field. \
                 'NOTES' is not accepted by this call."
                    .into()
            ))
        );
        let m = Members::parse(br#"{"CITY": "X", "STATE": "CA"}"#).unwrap();
        let mut v = m.into_values(&[Field::City, Field::State]).unwrap();
        assert_eq!(v.take(Field::State).as_deref(), Some("CA"));
        assert_eq!(
            v.into_iter().collect::<Vec<_>>(),
            [(Field::City, "X".into())]
        );
    }

    #[test]
    fn a_write_ignores_read_only_fields_and_refuses_the_rest_it_does_not_accept() {
        let m = Members::parse(
            br#"{"CITY": "X", "DATE_CREATED": "2024-03-05", "CREATED_BY": "someone", "NOTES": ""}"#,
        )
        .unwrap();
        assert_eq!(
            m.clone().into_writes(&[Field::City]),
            Err(Fault::InvalidJson(
                "'NOTES' is not accepted by this call.".into()
            ))
        );
        let v = m.into_writes(&[Field::City, Field::Notes]).unwrap();
        assert_eq!(
            v.into_iter().collect::<Vec<_>>(),
            [(Field::City, "X".into()), (Field::Notes, String::new())]
        );
    }

    #[test]
    fn names_are_matched_ignoring_case_only_when_asked() {
        let m =
            Members::parse(br#"{"first_name": "Joseph", "City": "X", "Nickname": "J"}"#).unwrap();
        let names = ["FIRST_NAME", "CITY"];
        let v = m.clone().ignoring_case(names).unwrap();
        assert_eq!(
            v.into_values(&[Field::FirstName, Field::City]),
            Err(Fault::InvalidJson(
                "'Nickname' is not an accepted field.".into()
            ))
        );
        let mut v = m.ignoring_case(names).unwrap();
        assert_eq!(v.take("FIRST_NAME").as_deref(), Some("Joseph"));
        assert_eq!(v.take("CITY").as_deref(), Some("X"));
        let twice = Members::parse(br#"{"CITY": "X", "city": "Y"}"#).unwrap();
        assert_eq!(
            twice.ignoring_case(names),
            Err(Fault::InvalidJson("'CITY' is sent more than once.".into()))
        );
    }
}
