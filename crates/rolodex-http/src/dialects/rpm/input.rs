//! Reading a call's JSON body: the members of an object by name, with their types checked
//! and each refusal a sentence naming the member. Integers also come as strings of digits
//! (the old wiki's examples send `"CustomerID": "10023"`); `null` is an empty value. A member
//! the call does not know is refused rather than ignored, since a misspelt `Email` would
//! otherwise clear the email (see `CustomerContactEdit`).

use super::error::RpmError;
use serde_json::{Map, Value};

/// The members of one JSON object, taken one by one; [`Members::finish`] refuses the rest.
#[derive(Debug, Default)]
pub struct Members {
    map: Map<String, Value>,
    /// Where the object is, for sentences: `""` for the body, else e.g. `"Contact."`.
    path: String,
}

impl Members {
    pub fn new(map: Map<String, Value>, path: impl Into<String>) -> Self {
        Self {
            map,
            path: path.into(),
        }
    }

    /// The body of a call: a JSON object (an empty body is an empty object).
    pub fn parse(bytes: &[u8]) -> Result<Self, RpmError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Self::new(map, "")),
            Ok(_) => Err(RpmError::refused("The input data must be a JSON object")),
            Err(e) => Err(RpmError::refused(format!(
                "The input data is not valid JSON: {e}"
            ))),
        }
    }

    fn name(&self, member: &str) -> String {
        format!("{}{member}", self.path)
    }

    /// Takes `member` out, whatever its type.
    pub fn take(&mut self, member: &str) -> Option<Value> {
        self.map.remove(member)
    }

    pub fn int(&mut self, member: &str) -> Result<Option<i64>, RpmError> {
        match self.take(member) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
            Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().ok()),
            Some(_) => Err(RpmError::refused(format!(
                "{} must be an integer",
                self.name(member)
            ))),
        }
    }

    /// A text member; `null` reads as the empty text.
    pub fn string(&mut self, member: &str) -> Result<Option<String>, RpmError> {
        match self.take(member) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(String::new())),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(RpmError::refused(format!(
                "{} must be a string",
                self.name(member)
            ))),
        }
    }

    /// A flag: `true`/`false`, as text too, or `1`/`0` (the location pages type `IsPrimary`
    /// as an integer).
    pub fn bool(&mut self, member: &str) -> Result<Option<bool>, RpmError> {
        match self.take(member) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= 1) => {
                Ok(n.as_u64().map(|n| n == 1))
            }
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(RpmError::refused(format!(
                "{} must be true or false",
                self.name(member)
            ))),
        }
    }

    pub fn object(&mut self, member: &str) -> Result<Option<Members>, RpmError> {
        match self.take(member) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => {
                Ok(Some(Members::new(map, format!("{}.", self.name(member)))))
            }
            Some(_) => Err(RpmError::refused(format!(
                "{} must be an object",
                self.name(member)
            ))),
        }
    }

    /// A list of objects.
    pub fn objects(&mut self, member: &str) -> Result<Option<Vec<Members>>, RpmError> {
        let name = self.name(member);
        match self.take(member) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::Object(map) => Ok(Members::new(map, format!("{name}[{i}]."))),
                    _ => Err(RpmError::refused(format!("{name}[{i}] must be an object"))),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(RpmError::refused(format!("{name} must be a list"))),
        }
    }

    /// Refuses the members nobody took.
    pub fn finish(self) -> Result<(), RpmError> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(member) => Err(RpmError::refused(format!(
                "Unrecognized input data item: {}{member}",
                self.path
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(json: &str) -> Members {
        Members::parse(json.as_bytes()).expect("an object")
    }

    #[test]
    fn integers_may_be_strings_of_digits() {
        let mut m = members(r#"{"A": 7, "B": " 10023 ", "C": "x", "D": 1.5}"#);
        assert_eq!(m.int("A").unwrap(), Some(7));
        assert_eq!(m.int("B").unwrap(), Some(10023));
        assert_eq!(m.int("C").unwrap_err().sentence, "C must be an integer");
        assert!(m.int("D").is_err());
        assert_eq!(m.int("E").unwrap(), None);
    }

    #[test]
    fn nested_members_are_named_by_their_path_and_leftovers_refused() {
        let mut m = members(r#"{"Contact": {"Emial": "a@b.c", "PhoneNumbers": [{"Type": 1}, 2]}}"#);
        let mut contact = m.object("Contact").unwrap().expect("sent");
        assert_eq!(
            contact.objects("PhoneNumbers").unwrap_err().sentence,
            "Contact.PhoneNumbers[1] must be an object"
        );
        assert_eq!(
            contact.finish().unwrap_err().sentence,
            "Unrecognized input data item: Contact.Emial"
        );
        m.finish().unwrap();
    }

    #[test]
    fn bodies_are_objects_and_an_empty_body_is_an_empty_one() {
        assert!(Members::parse(b"").is_ok());
        assert_eq!(
            Members::parse(b"[1]").unwrap_err().sentence,
            "The input data must be a JSON object"
        );
        assert!(
            Members::parse(b"{")
                .unwrap_err()
                .sentence
                .starts_with("The input data is not valid JSON")
        );
        let mut m = members(r#"{"S": null, "B": "TRUE", "One": 1, "Zero": 0, "Two": 2}"#);
        assert_eq!(m.string("S").unwrap().as_deref(), Some(""));
        assert_eq!(m.bool("B").unwrap(), Some(true));
        assert_eq!(m.bool("One").unwrap(), Some(true));
        assert_eq!(m.bool("Zero").unwrap(), Some(false));
        assert_eq!(
            m.bool("Two").unwrap_err().sentence,
            "Two must be true or false"
        );
    }
}
