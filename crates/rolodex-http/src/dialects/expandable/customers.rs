//! The Customer calls both generations make, onto the core's customer use cases: create,
//! update, get and query customers addressed by their code (`CUSTOMER_ID`), and read them back
//! as records (audit usernames resolved through the core).
//!
//! A Query takes `CUSTOMER_ID` as its criterion, equal to one code or `IN` a list of them:
//! the core finds customers by code, and its customer list offers no field criteria to
//! compile the contact Query's other conditions onto, so any other criterion is refused
//! (`UNSUPPORTED_CRITERION`) rather than answered with a list that ignores it.

use super::body::Values;
use super::criteria;
use super::customer_fields::{self, CustomerField, CustomerRecord};
use super::fault::Fault;
use rolodex_core::query::MAX_FILTER_VALUES;
use rolodex_core::{Caller, Condition, CoreError, Services};
use rolodex_domain::{Customer, Patch, UserId};

/// Takes the key out of `values`: the customer's code, required and not empty.
pub fn take_key(values: &mut Values<CustomerField>) -> Result<String, Fault> {
    values
        .take(CustomerField::CustomerId)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Fault::required(CustomerField::CustomerId.name()))
}

/// Customers as records: with the usernames of their audit users.
async fn records(
    services: &Services,
    caller: &Caller,
    customers: Vec<Customer>,
) -> Result<Vec<CustomerRecord>, Fault> {
    let ids: Vec<UserId> = customers
        .iter()
        .flat_map(|c| [c.created_by, c.updated_by])
        .flatten()
        .collect();
    let names = services.users.usernames(caller, &ids).await?;
    let name = |id: Option<UserId>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_default()
    };
    Ok(customers
        .into_iter()
        .map(|customer| CustomerRecord {
            created_by: name(customer.created_by),
            updated_by: name(customer.updated_by),
            customer,
        })
        .collect())
}

async fn record(
    services: &Services,
    caller: &Caller,
    customer: Customer,
) -> Result<CustomerRecord, Fault> {
    records(services, caller, vec![customer])
        .await?
        .pop()
        .ok_or_else(|| Fault::from(CoreError::Internal("a record went missing".into())))
}

/// The customer with `code`, or Expandable's `CUSTOMER_NOT_FOUND`.
pub(super) async fn locate(
    services: &Services,
    caller: &Caller,
    code: &str,
) -> Result<Customer, Fault> {
    services
        .customers
        .get_by_code(caller, code)
        .await
        .map_err(|e| match e {
            CoreError::NotFound { .. } => Fault::failed(
                "CUSTOMER_NOT_FOUND",
                format!("Customer '{code}' was not found."),
            ),
            other => other.into(),
        })
}

/// Creates the customer `code` with `values`.
pub async fn create(
    services: &Services,
    caller: &Caller,
    code: String,
    values: Values<CustomerField>,
) -> Result<CustomerRecord, Fault> {
    let mut patch = customer_fields::patch(values);
    patch.code = Patch::Set(code);
    let customer = services
        .customers
        .create(caller, patch)
        .await
        .map_err(Fault::of_customer)?;
    record(services, caller, customer).await
}

/// Changes only the fields `values` sends, at least one.
pub async fn update(
    services: &Services,
    caller: &Caller,
    code: &str,
    values: Values<CustomerField>,
) -> Result<CustomerRecord, Fault> {
    if values.is_empty() {
        return Err(Fault::failed(
            "NOTHING_TO_UPDATE",
            "At least one field to update is required besides CUSTOMER_ID.",
        ));
    }
    let current = locate(services, caller, code).await?;
    let customer = services
        .customers
        .patch(caller, current.id, customer_fields::patch(values), None)
        .await
        .map_err(Fault::of_customer)?;
    record(services, caller, customer).await
}

/// The customer `code`.
pub async fn get(
    services: &Services,
    caller: &Caller,
    code: &str,
) -> Result<CustomerRecord, Fault> {
    let customer = locate(services, caller, code).await?;
    record(services, caller, customer).await
}

/// The codes a Query's criteria ask for: `CUSTOMER_ID` equal to one code or `IN` a list of
/// at most as many codes as a contact Query's criteria may compare with (each is a lookup);
/// blank members are no criterion.
pub fn codes(values: Values<CustomerField>) -> Result<Vec<String>, Fault> {
    let mut codes = None;
    for (field, value) in values {
        if value.is_empty() {
            continue;
        }
        if field != CustomerField::CustomerId {
            return Err(Fault::failed(
                "UNSUPPORTED_CRITERION",
                format!(
                    "{}: customers are queried by CUSTOMER_ID (equal to a code or IN a list).",
                    field.name()
                ),
            ));
        }
        codes = Some(match criteria::parse(&value) {
            Ok(Condition::Equals(code)) => vec![code],
            Ok(Condition::In(list)) if list.len() <= MAX_FILTER_VALUES => list,
            Ok(Condition::In(_)) => {
                return Err(Fault::failed(
                    "INVALID_CRITERION",
                    format!("CUSTOMER_ID: lists at most {MAX_FILTER_VALUES} codes."),
                ));
            }
            Ok(_) => {
                return Err(Fault::failed(
                    "UNSUPPORTED_CRITERION",
                    "CUSTOMER_ID: supports = and IN.",
                ));
            }
            Err(reason) => {
                return Err(Fault::failed(
                    "INVALID_CRITERION",
                    format!("CUSTOMER_ID: {reason}."),
                ));
            }
        });
    }
    codes.ok_or_else(|| Fault::failed("NO_CRITERIA", "At least one criterion is required."))
}

/// The customers with `codes` that exist, each once, in the order asked.
pub async fn search(
    services: &Services,
    caller: &Caller,
    codes: Vec<String>,
) -> Result<Vec<CustomerRecord>, Fault> {
    let mut found: Vec<Customer> = Vec::new();
    for code in codes {
        match services.customers.get_by_code(caller, &code).await {
            Ok(c) if !found.iter().any(|f| f.id == c.id) => found.push(c),
            Ok(_) | Err(CoreError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    records(services, caller, found).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::expandable::body::Members;

    fn codes_of(json: &str) -> Result<Vec<String>, Fault> {
        let values = Members::parse(json.as_bytes())
            .unwrap()
            .into_criteria(&CustomerField::ALL)
            .unwrap();
        codes(values)
    }

    #[test]
    fn customers_are_queried_by_one_code_or_a_list_of_codes() {
        assert_eq!(
            codes_of(r#"{"CUSTOMER_ID": "ABCCORP"}"#),
            Ok(vec!["ABCCORP".into()])
        );
        assert_eq!(
            codes_of(r#"{"CUSTOMER_ID": "IN 'ABCCORP', 'XYZ'", "CITY": ""}"#),
            Ok(vec!["ABCCORP".into(), "XYZ".into()])
        );
        assert_eq!(
            codes_of(r#"{"CITY": ""}"#).unwrap_err().code(),
            "NO_CRITERIA"
        );
        assert_eq!(
            codes_of(r#"{"CUSTOMER_ID": "LIKE 'A%'"}"#)
                .unwrap_err()
                .code(),
            "UNSUPPORTED_CRITERION"
        );
        assert_eq!(
            codes_of(r#"{"CUSTOMER_ID": "A", "CITY": "Paris"}"#)
                .unwrap_err()
                .code(),
            "UNSUPPORTED_CRITERION"
        );
        assert_eq!(
            codes_of(r#"{"CUSTOMER_ID": "IN 'A"}"#).unwrap_err().code(),
            "INVALID_CRITERION"
        );
        let many = vec!["C"; MAX_FILTER_VALUES + 1].join(",");
        assert_eq!(
            codes_of(&format!(r#"{{"CUSTOMER_ID": "IN {many}"}}"#))
                .unwrap_err()
                .code(),
            "INVALID_CRITERION"
        );
    }
}
