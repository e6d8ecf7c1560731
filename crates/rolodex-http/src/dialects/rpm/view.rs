//! The records RPM answers with: a contact, a customer with its contacts, a customers list
//! entry. Texts the record does not have are `""`, as RPM shows them. Dates (`Added`,
//! `Modified`) are `M/D/YYYY` in UTC, as the old wiki's example shows them; the location's
//! datetimes add ` HH:MM:SS`.

use super::phones;
use rolodex_domain::{Contact, Customer};
use serde_json::{Value, json};
use time::OffsetDateTime;

fn text(value: Option<&str>) -> &str {
    value.unwrap_or_default()
}

/// `M/D/YYYY` in UTC.
pub fn date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{}/{}/{}", u8::from(t.month()), t.day(), t.year())
}

fn datetime(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02}:{:02}",
        date(t),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A contact: `ContactID`, the first email as `Email`, names, phones, salutation, title.
pub fn contact(c: &Contact) -> Value {
    let f = &c.fields;
    json!({
        "ContactID": c.id.0,
        "Email": f.emails.first().map(String::as_str).unwrap_or_default(),
        "FirstName": text(f.first_name.as_deref()),
        "LastName": text(f.last_name.as_deref()),
        "PhoneNumbers": phones::view(&f.phones),
        "Salutation": text(f.salutation.as_deref()),
        "Title": text(f.title.as_deref()),
    })
}

/// The customer's display name: its name, else its code.
pub fn name(c: &Customer) -> &str {
    c.fields.name.as_deref().unwrap_or(&c.fields.code)
}

/// Whether the customer has a location to list: some part of its postal address is set.
pub fn has_location(c: &Customer) -> bool {
    let f = &c.fields;
    [&f.address, &f.city, &f.state, &f.postal_code, &f.country]
        .iter()
        .any(|v| v.is_some())
}

/// The customer's one location, its postal address: `LocationID` is the customer's id, its
/// `Name` the customer's, and it is the primary. Rolodex keeps no location custom fields.
pub fn location(c: &Customer) -> Value {
    let f = &c.fields;
    json!({
        "Address": text(f.address.as_deref()),
        "City": text(f.city.as_deref()),
        "Country": text(f.country.as_deref()),
        "IsPrimary": true,
        "LocationID": c.id.0,
        "Name": name(c),
        "StateProvince": text(f.state.as_deref()),
        "ZipPostalCode": text(f.postal_code.as_deref()),
        "Added": datetime(c.created_at),
        "Modified": datetime(c.updated_at),
        "Fields": [],
    })
}

/// The `Customer` call's result. Rolodex keeps no accounts, aliases, notes or default rep:
/// those are empty. `Locations` lists the [`location`] when the customer [`has_location`].
pub fn customer(c: &Customer, contacts: &[Contact], include_locations: bool) -> Value {
    let f = &c.fields;
    let fields: Vec<Value> = f
        .custom_fields
        .iter()
        .map(|(k, v)| json!({"Field": k, "Value": v}))
        .collect();
    let mut result = json!({
        "Accounts": [],
        "Added": date(c.created_at),
        "Aliases": [],
        "Contacts": contacts
            .iter()
            .map(|k| json!({"Contact": contact(k), "IsPrimary": k.fields.is_primary}))
            .collect::<Vec<_>>(),
        "CustomerID": c.id.0,
        "DefaultRepID": 0,
        "DefaultRep": "",
        "Fields": fields,
        "Modified": date(c.updated_at),
        "Name": name(c),
        "Notes": [],
        "NotesForStaff": [],
        "Website": text(f.website.as_deref()),
    });
    if include_locations {
        let locations: Vec<Value> = if has_location(c) {
            vec![location(c)]
        } else {
            Vec::new()
        };
        result["Locations"] = locations.into();
    }
    result
}

/// An entry of the `Customers` call's list.
pub fn customers_entry(c: &Customer) -> Value {
    json!({
        "Customer": name(c),
        "CustomerID": c.id.0,
        "Added": date(c.created_at),
        "Modified": date(c.updated_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_are_month_day_year_in_utc() {
        assert_eq!(date(datetime!(2007-01-20 23:30 -05:00)), "1/21/2007");
        assert_eq!(
            datetime(datetime!(2007-01-20 08:05:09 UTC)),
            "1/20/2007 08:05:09"
        );
    }
}
