//! The data set: customers and contacts with realistic, deterministic names, emails and
//! phones (the same on every run and for every server), the name prefixes searches use, and
//! the merge patches the update workload sends.

use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const FIRST_NAMES: &str = "\
    James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara \
    Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy \
    Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily \
    Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah \
    Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy \
    Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry \
    Pamela Justin Nicole Scott Anna Brandon Samantha";

const LAST_NAMES: &str = "\
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez \
    Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson \
    White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott \
    Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter \
    Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart \
    Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed \
    Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray \
    Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez \
    Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales \
    Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds \
    Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar \
    Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington \
    Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson \
    Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer \
    Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza \
    Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley \
    Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott \
    Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry \
    Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence \
    Sandoval";

const TITLES: &[&str] = &[
    "Purchasing manager",
    "Accounts payable clerk",
    "Operations director",
    "Facilities manager",
    "Service coordinator",
    "Office manager",
    "Chief financial officer",
    "Plant supervisor",
    "Logistics lead",
    "IT administrator",
    "Procurement specialist",
    "Site engineer",
];

const CITIES: &[(&str, &str)] = &[
    ("Springfield", "62704"),
    ("Riverside", "92501"),
    ("Fairview", "37062"),
    ("Madison", "53703"),
    ("Georgetown", "78626"),
    ("Salem", "97301"),
    ("Franklin", "37064"),
    ("Greenville", "29601"),
    ("Bristol", "06010"),
    ("Clinton", "20735"),
    ("Ashland", "97520"),
    ("Burlington", "05401"),
    ("Dayton", "45402"),
    ("Lexington", "40507"),
    ("Milton", "02186"),
];

/// One contact of the data set, with the fields every server stores.
pub struct Contact {
    /// Index of its customer in the customer list.
    pub customer: usize,
    pub code: String,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub title: &'static str,
    pub email: String,
    pub phone: String,
    pub city: &'static str,
    pub postal_code: &'static str,
}

/// The customers' codes and names.
pub fn customers(count: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| (format!("CUST{i:05}"), format!("Customer {i} Supply Co.")))
        .collect()
}

/// `count` contacts spread evenly over `customers` customers.
pub fn contacts(count: usize, customers: usize) -> Vec<Contact> {
    let first_names: Vec<&'static str> = FIRST_NAMES.split_whitespace().collect();
    let last_names: Vec<&'static str> = LAST_NAMES.split_whitespace().collect();
    let mut rng = SmallRng::seed_from_u64(0x00C0_FFEE);
    (0..count)
        .map(|i| {
            let first_name = *first_names.choose(&mut rng).expect("names");
            let last_name = *last_names.choose(&mut rng).expect("names");
            let customer = i % customers;
            let (city, postal_code) = *CITIES.choose(&mut rng).expect("cities");
            Contact {
                customer,
                code: format!("{}{}{i}", &first_name[..1], last_name.to_uppercase()),
                first_name,
                last_name,
                title: TITLES.choose(&mut rng).expect("titles"),
                email: format!(
                    "{}.{}{i}@customer{customer}.example.com",
                    first_name.to_lowercase(),
                    last_name.to_lowercase()
                ),
                phone: format!(
                    "{}-555-{:04}",
                    rng.random_range(201..990),
                    rng.random_range(0..10_000)
                ),
                city,
                postal_code,
            }
        })
        .collect()
}

/// Lower-case two-letter prefixes that start the last names of at least `min` contacts.
pub fn prefixes(contacts: &[Contact], min: usize) -> Vec<String> {
    let mut counts = BTreeMap::<String, usize>::new();
    for c in contacts {
        *counts.entry(c.last_name[..2].to_lowercase()).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= min)
        .map(|(p, _)| p)
        .collect()
}

/// A JSON merge patch of about 300 bytes changing four fields (title, city, postal code,
/// notes) to values drawn at random, so that nearly every patch is a real change.
pub fn patch(rng: &mut SmallRng) -> Vec<u8> {
    let (city, postal_code) = *CITIES.choose(rng).expect("cities");
    let title = *TITLES.choose(rng).expect("titles");
    let call = rng.random_range(0..1_000_000);
    json!({
        "title": title,
        "city": city,
        "postal_code": postal_code,
        "notes": format!(
            "Call {call:06}: prefers email before noon; invoices go to the accounts payable \
             mailbox; site access needs a badge from reception; ask for the loading dock \
             supervisor on deliveries."
        ),
    })
    .to_string()
    .into_bytes()
}

/// The contact's fields as JSON, named as both the native API and the PocketBase collection
/// take them.
pub fn fields(contact: &Contact) -> Value {
    json!({
        "code": contact.code,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "title": contact.title,
        "emails": [contact.email],
        "phones": [{ "type": "business", "number": contact.phone }],
        "city": contact.city,
        "postal_code": contact.postal_code,
        "country": "US",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_set_searches_as_the_benchmark_needs() {
        let all = contacts(10_000, 500);
        let prefixes = prefixes(&all, 50);
        assert!(prefixes.len() >= 10, "{prefixes:?}");
        let mut rng = SmallRng::seed_from_u64(1);
        let size = patch(&mut rng).len();
        assert!((250..350).contains(&size), "{size}");
    }
}
