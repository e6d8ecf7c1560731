//! Customers: the businesses a tenant serves.

use crate::ids::{CustomerId, TenantId, UserId};
use crate::patch::Patch;
use crate::text::TextRule;
use crate::validation::ValidationErrors;
use serde::Serialize;
use time::OffsetDateTime;

const CODE: TextRule = TextRule::line(64);
const NAME: TextRule = TextRule::line(256);

/// The writable state of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CustomerFields {
    /// Unique per tenant: the seeds' `CUSTOMER_ID` ("ABCCORP") and `reference` ("C0959").
    pub code: String,
    pub name: Option<String>,
}

/// A partial update of a customer (also a create or a replacement; see [`Patch::or_clear`]).
#[derive(Debug, Clone, Default)]
pub struct CustomerPatch {
    pub code: Patch<String>,
    pub name: Patch<String>,
}

impl CustomerFields {
    /// The fields after `patch`, or every rule the result breaks.
    pub fn apply(&self, patch: CustomerPatch) -> Result<CustomerFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut next = self.clone();
        match patch.code {
            Patch::Absent => {}
            Patch::Clear => errors.push(crate::ValidationError::new(
                "code",
                "required",
                "a customer needs a code",
            )),
            Patch::Set(v) => {
                if let Some(v) = errors.collect(CODE.check("code", v)) {
                    next.code = v;
                }
            }
        }
        match patch.name {
            Patch::Absent => {}
            Patch::Clear => next.name = None,
            Patch::Set(v) if v.is_empty() => next.name = None,
            Patch::Set(v) => next.name = errors.collect(NAME.check("name", v)),
        }
        if next.code.is_empty() && errors.is_empty() {
            errors.push(crate::ValidationError::new(
                "code",
                "required",
                "a customer needs a code",
            ));
        }
        errors.into_result(next)
    }
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
        };
        let next = c
            .apply(CustomerPatch {
                name: Patch::Set(String::new()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(next.name, None);
    }
}
