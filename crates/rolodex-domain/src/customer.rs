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
const ADDRESS_LINE: TextRule = TextRule::line(1024);
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
    /// Per line of the address (0 is the first), applied after `address`: `Set` replaces the
    /// line (adding empty lines before it when the address is shorter), `Clear` empties it;
    /// empty lines at the end are dropped and the other lines are left alone. For surfaces
    /// with one field per address line (Expandable's `ADDRESS_1..3`).
    pub address_lines: BTreeMap<usize, Patch<String>>,
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
        patch_address_lines(&mut errors, &mut next.address, patch.address_lines);
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

/// Applies per-line writes to an address (see [`CustomerPatch::address_lines`]). A line is
/// one line: a value with a line break is refused, as the address's limits are checked on
/// the whole.
fn patch_address_lines(
    errors: &mut ValidationErrors,
    address: &mut Option<String>,
    writes: BTreeMap<usize, Patch<String>>,
) {
    if writes.is_empty() {
        return;
    }
    let mut lines: Vec<String> = address
        .as_deref()
        .map(|a| a.lines().map(str::to_owned).collect())
        .unwrap_or_default();
    for (i, write) in writes {
        let line = match write {
            Patch::Absent => continue,
            Patch::Clear => String::new(),
            Patch::Set(v) if v.is_empty() => v,
            Patch::Set(v) => {
                match errors.collect(ADDRESS_LINE.check(&format!("address_lines[{i}]"), v)) {
                    Some(v) => v,
                    None => continue,
                }
            }
        };
        if lines.len() <= i {
            lines.resize(i + 1, String::new());
        }
        lines[i] = line;
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let joined = lines.join("\n");
    patch_text(errors, "address", ADDRESS, address, Patch::Set(joined));
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

    fn with_address(address: Option<&str>) -> CustomerFields {
        CustomerFields {
            code: "A".into(),
            address: address.map(str::to_owned),
            ..Default::default()
        }
    }

    fn lines(writes: &[(usize, Patch<String>)]) -> CustomerPatch {
        CustomerPatch {
            address_lines: writes.iter().cloned().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn address_lines_are_written_one_by_one_leaving_the_others_alone() {
        let c = with_address(Some("1 Main St\r\nSuite 2\nBldg 3\nPO Box 4"));
        let next = c
            .apply(lines(&[(1, Patch::Set("Suite 9".into()))]))
            .unwrap();
        assert_eq!(
            next.address.as_deref(),
            Some("1 Main St\nSuite 9\nBldg 3\nPO Box 4")
        );
        let next = with_address(None)
            .apply(lines(&[(2, Patch::Set("Bldg 3".into()))]))
            .unwrap();
        assert_eq!(next.address.as_deref(), Some("\n\nBldg 3"));
        let next = with_address(Some("1 Main St\nSuite 2"))
            .apply(lines(&[(1, Patch::Clear), (2, Patch::Set(String::new()))]))
            .unwrap();
        assert_eq!(next.address.as_deref(), Some("1 Main St"));
        let next = with_address(Some("1 Main St"))
            .apply(lines(&[(0, Patch::Set(String::new()))]))
            .unwrap();
        assert_eq!(next.address, None, "no line left: no address");
    }

    #[test]
    fn an_address_line_is_one_line_and_the_whole_address_is_bounded() {
        let err = with_address(None)
            .apply(lines(&[(1, Patch::Set("a\nb".into()))]))
            .unwrap_err();
        assert_eq!(
            (err.0[0].field.as_str(), err.0[0].code),
            ("address_lines[1]", "control_character")
        );
        let err = with_address(Some(&"x".repeat(1000)))
            .apply(lines(&[(1, Patch::Set("y".repeat(100)))]))
            .unwrap_err();
        assert_eq!(
            (err.0[0].field.as_str(), err.0[0].code),
            ("address", "too_long")
        );
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
