//! `CustomerLocationAdd` and `CustomerLocationEdit`
//! (<https://support.rpmsoftware.com/support/solutions/articles/12000100142-api-customerlocationadd>,
//! <https://support.rpmsoftware.com/support/solutions/articles/12000100143-api-customerlocationedit>).
//!
//! A Rolodex customer has one location, its postal address ([`view::location`]), so
//! `LocationID` is the customer's id. `CustomerLocationAdd` fills that location while the
//! customer has none, and is refused once it has one rather than overwrite it;
//! `CustomerLocationEdit` changes the members sent (an empty value clears one). The location's
//! `Name` is the customer's: a `Name` sent is read and not kept, and `IsPrimary` is read and
//! left at that, as the one location is always the primary.

use super::calls::optional;
use super::error::RpmError;
use super::input::Members;
use super::view;
use crate::state::AppState;
use rolodex_core::Caller;
use rolodex_domain::{CustomerId, CustomerPatch};
use serde_json::{Value, json};

/// The address members of a location, or of a customer in `CustomerAdd` and `CustomerEdit`.
pub fn address(m: &mut Members) -> Result<CustomerPatch, RpmError> {
    Ok(CustomerPatch {
        address: optional(m.string("Address")?),
        city: optional(m.string("City")?),
        state: optional(m.string("StateProvince")?),
        postal_code: optional(m.string("ZipPostalCode")?),
        country: optional(m.string("Country")?),
        ..CustomerPatch::default()
    })
}

/// The `Location` member's address; `Name` and `IsPrimary` are read and not kept.
fn location_address(l: &mut Members) -> Result<CustomerPatch, RpmError> {
    l.string("Name")?;
    l.bool("IsPrimary")?;
    address(l)
}

/// `CustomerLocationAdd`: the customer's location, when it has none yet. The write applies
/// only to the version read, so a concurrent add cannot overwrite the first one's address.
pub async fn add(state: &AppState, caller: &Caller, mut m: Members) -> Result<Value, RpmError> {
    let customer = m.int("CustomerID")?;
    let location = m.object("Location")?;
    m.finish()?;
    let mut l = location.ok_or_else(|| RpmError::missing("Location"))?;
    let patch = location_address(&mut l)?;
    l.finish()?;
    let id = CustomerId(customer.ok_or_else(|| RpmError::missing("CustomerID"))?);
    let customers = &state.services.customers;
    let current = customers.get(caller, id).await?;
    if view::has_location(&current) {
        return Err(RpmError::refused(format!(
            "The customer already has its one location, LocationID {}: change it with CustomerLocationEdit",
            id.0
        )));
    }
    let customer = customers
        .patch(caller, id, patch, Some(current.version))
        .await?;
    Ok(json!({"Location": view::location(&customer)}))
}

/// `CustomerLocationEdit`: the location `LocationID` (the customer's id) of `CustomerID`.
pub async fn edit(state: &AppState, caller: &Caller, mut m: Members) -> Result<Value, RpmError> {
    let customer = m.int("CustomerID")?;
    let location = m.object("Location")?;
    m.finish()?;
    let mut l = location.ok_or_else(|| RpmError::missing("Location"))?;
    let location_id = l.int("LocationID")?;
    let patch = location_address(&mut l)?;
    l.finish()?;
    let id = CustomerId(customer.ok_or_else(|| RpmError::missing("CustomerID"))?);
    let location_id =
        location_id.ok_or_else(|| RpmError::refused("Location ID not passed into call"))?;
    let customers = &state.services.customers;
    if location_id != id.0 {
        customers.get(caller, id).await?;
        return Err(RpmError::refused("Location not found"));
    }
    let customer = customers.patch(caller, id, patch, None).await?;
    Ok(json!({"Location": view::location(&customer)}))
}
