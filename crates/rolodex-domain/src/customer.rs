//! Customers: the businesses a tenant serves.

use crate::contact::{MapPatch, patch_country, patch_custom_fields, patch_text};
use crate::ids::{CustomerId, TenantId, UserId};
use crate::patch::Patch;
use crate::text::TextRule;
use crate::validation::{ValidationError, ValidationErrors};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use time::OffsetDateTime;

const CODE: TextRule = TextRule::line(64);
const NAME: TextRule = TextRule::line(256);
const URL: TextRule = TextRule::line(2048);
const ADDRESS: TextRule = TextRule::multiline(1024);
const LINE: TextRule = TextRule::line(128);
const POSTAL_CODE: TextRule = TextRule::line(32);
/// How many characters of a name a derived code keeps.
const DERIVED_CODE_CHARS: usize = 20;

/// The writable state of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CustomerFields {
    /// Unique per tenant: the seeds' `CUSTOMER_ID` ("ABCCORP") and `reference` ("C0959").
    pub code: String,
    pub name: Option<String>,
    pub website: Option<String>,
    /// Street address, possibly several lines.
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, upper-case.
    pub country: Option<String>,
    /// Name -> text, with the same rules as a contact's custom fields.
    pub custom_fields: BTreeMap<String, String>,
}

/// A partial update of a customer (also a create or a replacement; see [`Patch::or_clear`]).
#[derive(Debug, Clone, Default)]
pub struct CustomerPatch {
    pub code: Patch<String>,
    pub name: Patch<String>,
    pub website: Patch<String>,
    pub address: Patch<String>,
    pub city: Patch<String>,
    pub state: Patch<String>,
    pub postal_code: Patch<String>,
    pub country: Patch<String>,
    pub custom_fields: MapPatch,
}

impl CustomerFields {
    /// The fields after `patch`, or every rule the result breaks.
    pub fn apply(&self, patch: CustomerPatch) -> Result<CustomerFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut next = self.clone();
        match patch.code {
            Patch::Absent => {}
            Patch::Clear => errors.push(code_required()),
            Patch::Set(v) => {
                if let Some(v) = errors.collect(CODE.check("code", v)) {
                    next.code = v;
                }
            }
        }
        patch_text(&mut errors, "name", NAME, &mut next.name, patch.name);
        patch_text(
            &mut errors,
            "website",
            URL,
            &mut next.website,
            patch.website,
        );
        patch_text(
            &mut errors,
            "address",
            ADDRESS,
            &mut next.address,
            patch.address,
        );
        patch_text(&mut errors, "city", LINE, &mut next.city, patch.city);
        patch_text(&mut errors, "state", LINE, &mut next.state, patch.state);
        patch_text(
            &mut errors,
            "postal_code",
            POSTAL_CODE,
            &mut next.postal_code,
            patch.postal_code,
        );
        patch_country(&mut errors, &mut next.country, patch.country);
        patch_custom_fields(&mut errors, &mut next.custom_fields, patch.custom_fields);
        if next.code.is_empty() && errors.is_empty() {
            errors.push(code_required());
        }
        errors.into_result(next)
    }

    /// The name-value snapshot history entries diff.
    pub fn snapshot(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => unreachable!("CustomerFields serialises to a JSON object"),
        }
    }
}

fn code_required() -> ValidationError {
    ValidationError::new("code", "required", "a customer needs a code or a name")
}

/// The `attempt`-th code candidate for a customer created with a name but no code: the
/// name's letters and digits upper-cased (at most 20), then `-2`, `-3`... when taken.
pub fn code_from_name(name: &str, attempt: u32) -> String {
    let mut base: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .take(DERIVED_CODE_CHARS)
        .collect();
    if base.is_empty() {
        base.push_str("CUSTOMER");
    }
    if attempt > 1 {
        base.push_str(&format!("-{attempt}"));
    }
    base
}

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub tenant_id: TenantId,
    pub fields: CustomerFields,
    pub created_at: OffsetDateTime,
    pub created_by: Option<UserId>,
    pub updated_at: OffsetDateTime,
    pub updated_by: Option<UserId>,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_needs_a_code() {
        let err = CustomerFields::default()
            .apply(CustomerPatch::default())
            .unwrap_err();
        assert_eq!(err.0[0].code, "required");
    }

    #[test]
    fn empty_name_clears_it() {
        let c = CustomerFields {
            code: "A".into(),
            name: Some("x".into()),
            ..Default::default()
        };
        let next = c
            .apply(CustomerPatch {
                name: Patch::Set(String::new()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(next.name, None);
    }

    #[test]
    fn details_are_validated_like_a_contacts() {
        let err = CustomerFields::default()
            .apply(CustomerPatch {
                code: Patch::Set("A".into()),
                country: Patch::Set("XX".into()),
                custom_fields: MapPatch::Replace(BTreeMap::from([("bad name".into(), "v".into())])),
                ..Default::default()
            })
            .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["country", "custom_fields.bad name"]);
        let ok = CustomerFields::default()
            .apply(CustomerPatch {
                code: Patch::Set("A".into()),
                country: Patch::Set("fr".into()),
                custom_fields: MapPatch::Replace(BTreeMap::from([(
                    "Region".into(),
                    "West".into(),
                )])),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(ok.country.as_deref(), Some("FR"));
        assert_eq!(ok.custom_fields["Region"], "West");
    }

    #[test]
    fn codes_derive_from_names() {
        assert_eq!(code_from_name("ABC Corp.", 1), "ABCCORP");
        assert_eq!(code_from_name("ABC Corp.", 3), "ABCCORP-3");
        assert_eq!(code_from_name("Café Müller", 1), "CAFÉMÜLLER");
        assert_eq!(code_from_name("!!!", 1), "CUSTOMER");
        assert_eq!(code_from_name(&"x".repeat(50), 1).len(), 20);
    }
}
