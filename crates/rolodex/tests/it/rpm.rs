//! RPM Software's API (seed 002, siblings 3) over real HTTP: the seed's `CustomerContactEdit`
//! example sent as printed with real ids, its full-replace quirk and how history recovers
//! from it, every listed error (each checked to change nothing), the key in the header and in
//! the body, and the sibling calls.

use crate::support::{TestApp, TestClient};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// How a call presents its key.
#[derive(Clone, Copy)]
enum Key<'a> {
    Header(&'a str),
    /// The legacy form: `"Key"` as the first member of the body.
    Body(&'a str),
    None,
}

/// `POST /rpm/api2.svc/<call>` with `body` (a JSON object); the status and the body.
async fn rpm(app: &TestApp, call: &str, key: Key<'_>, body: Value) -> (StatusCode, Value) {
    let client = TestClient::new(&app.address);
    let mut request = client.request(Method::POST, &format!("/rpm/api2.svc/{call}"));
    let text = match key {
        Key::Body(k) => {
            let rest = body.to_string();
            let rest = rest.trim_start_matches('{').trim_end_matches('}');
            let sep = if rest.is_empty() { "" } else { "," };
            format!("{{\"Key\":{}{sep}{rest}}}", Value::from(k))
        }
        Key::Header(k) => {
            request = request.header("RpmApiKey", k);
            body.to_string()
        }
        Key::None => body.to_string(),
    };
    let (status, _, answer) = client
        .send(
            request
                .header("Content-Type", "application/json")
                .body(text),
        )
        .await;
    (status, answer)
}

/// A call that must succeed: its `Result`.
async fn ok(app: &TestApp, call: &str, key: &str, body: Value) -> Value {
    let (status, answer) = rpm(app, call, Key::Header(key), body).await;
    assert_eq!(status, StatusCode::OK, "{call}: {answer}");
    assert!(answer["Result"].get("Error").is_none(), "{call}: {answer}");
    answer["Result"].clone()
}

/// A call that must be refused with `sentence` (HTTP 200, RPM's envelope).
async fn refused(app: &TestApp, call: &str, key: Key<'_>, body: Value, sentence: &str) {
    let (status, answer) = rpm(app, call, key, body).await;
    assert_eq!(status, StatusCode::OK, "{call}: {answer}");
    assert_eq!(
        answer,
        json!({"Result": {"Error": {"Message": sentence}}}),
        "{call}"
    );
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// An API key of `client`'s user, made through the native API: its id and secret.
pub(crate) async fn api_key(client: &TestClient) -> (Value, String) {
    let created = client
        .post("/v1/api-keys", json!({"name": "rpm"}), StatusCode::CREATED)
        .await;
    let secret = created["key"].as_str().expect("the key").to_owned();
    (created["id"].clone(), secret)
}

/// The running app, its admin (native) and API key, a customer and a full contact of it.
struct World {
    app: TestApp,
    admin: TestClient,
    key_id: Value,
    key: String,
    customer: i64,
    contact: Value,
}

impl World {
    async fn new(app: TestApp) -> World {
        let admin = app.admin().await;
        let (key_id, key) = api_key(&admin).await;
        let customer = admin
            .post(
                "/v1/customers",
                json!({"code": "ABCCORP", "name": "ABC Corp"}),
                StatusCode::CREATED,
            )
            .await["id"]
            .as_i64()
            .expect("an id");
        let contact = admin
            .post(
                &format!("/v1/customers/{customer}/contacts"),
                json!({
                    "salutation": "Ms.", "first_name": "Jane", "last_name": "Hernandez",
                    "title": "Buyer", "emails": ["jane@abc.example", "j.h@abc.example"],
                    "phones": [
                        {"type": "business", "number": "555-0100"},
                        {"type": "home", "number": "555-0101"},
                        {"type": "fax", "number": "555-0102"},
                        {"type": "mobile", "number": "555-0103"},
                        {"type": "other", "number": "555-0104"}
                    ],
                    "city": "Springfield"
                }),
                StatusCode::CREATED,
            )
            .await;
        World {
            app,
            admin,
            key_id,
            key,
            customer,
            contact,
        }
    }

    fn contact_id(&self) -> i64 {
        self.contact["id"].as_i64().expect("an id")
    }

    fn url(&self) -> String {
        format!(
            "/v1/customers/{}/contacts/{}",
            self.customer,
            self.contact_id()
        )
    }

    /// The contact as the native API reads it now.
    async fn native(&self) -> Value {
        self.admin.get(&self.url(), StatusCode::OK).await
    }

    /// The id of the contact's phone of `kind`.
    fn phone_id(&self, kind: &str) -> i64 {
        self.contact["phones"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["type"] == kind))
            .and_then(|p| p["id"].as_i64())
            .expect("a phone of that type")
    }
}

async fn the_seeds_edit_example_sent_as_printed_returns_the_documented_shape(app: TestApp) {
    let w = World::new(app).await;
    let body = json!({
        "Contact": {
            "ContactID": w.contact_id(),
            "Email": "jane.hernandez@abc.example",
            "FirstName": "Jane",
            "LastName": "Hernández",
            "PhoneNumbers": [
                {"Number": "555-0200", "PhoneNumberID": w.phone_id("business"), "Type": 1},
                {"Number": "555-0201", "PhoneNumberID": w.phone_id("home"), "Type": 2},
                {"Number": "555-0202", "PhoneNumberID": w.phone_id("fax"), "Type": 3},
                {"Number": "555-0204", "PhoneNumberID": w.phone_id("other"), "Type": 6}
            ],
            "Salutation": "Dr.",
            "Title": "Head of purchasing"
        },
        "CustomerID": w.customer,
        "IsPrimary": true
    });
    let result = ok(&w.app, "CustomerContactEdit", &w.key, body).await;
    assert_eq!(keys(&result), BTreeSet::from(["Contact"]));
    let contact = &result["Contact"];
    assert_eq!(
        keys(contact),
        BTreeSet::from([
            "ContactID",
            "Email",
            "FirstName",
            "LastName",
            "PhoneNumbers",
            "Salutation",
            "Title"
        ])
    );
    assert_eq!(contact["ContactID"], w.contact_id());
    assert_eq!(contact["Email"], "jane.hernandez@abc.example");
    assert_eq!(contact["LastName"], "Hernández");
    assert_eq!(contact["Salutation"], "Dr.");
    assert_eq!(contact["Title"], "Head of purchasing");
    let phones = contact["PhoneNumbers"].as_array().expect("a list");
    assert_eq!(
        phones
            .iter()
            .map(|p| (
                p["Type"].as_i64().unwrap_or_default(),
                p["Number"].as_str().unwrap_or_default()
            ))
            .collect::<Vec<_>>(),
        [
            (1, "555-0200"),
            (2, "555-0201"),
            (3, "555-0202"),
            (6, "555-0204")
        ],
        "the page's order: Business, Home, Fax, Other"
    );
    for p in phones {
        assert_eq!(keys(p), BTreeSet::from(["Number", "PhoneNumberID", "Type"]));
    }

    let native = w.native().await;
    assert_eq!(native["salutation"], "Dr.");
    assert_eq!(native["title"], "Head of purchasing");
    assert_eq!(native["last_name"], "Hernández");
    assert_eq!(
        native["emails"],
        json!(["jane.hernandez@abc.example", "j.h@abc.example"])
    );
    assert_eq!(native["is_primary"], true);
    assert_eq!(
        native["city"], "Springfield",
        "what RPM cannot express is untouched"
    );
    let mobile = native["phones"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["type"] == "mobile").cloned())
        .expect("the mobile phone stays");
    assert_eq!(mobile["number"], "555-0103");
    for p in phones {
        let id = p["PhoneNumberID"].as_i64();
        assert!(
            native["phones"].as_array().is_some_and(|all| all
                .iter()
                .any(|n| n["id"].as_i64() == id && n["number"] == p["Number"])),
            "phone ids are kept"
        );
    }
}

async fn omitted_salutation_title_and_email_are_cleared_and_history_keeps_their_values(
    app: TestApp,
) {
    let w = World::new(app).await;
    let before = w.native().await;
    let result = ok(
        &w.app,
        "CustomerContactEdit",
        &w.key,
        json!({"Contact": {"ContactID": w.contact_id(), "FirstName": "Jane", "LastName": "Hernandez"},
               "CustomerID": w.customer, "IsPrimary": false}),
    )
    .await;
    assert_eq!(result["Contact"]["Salutation"], "");
    assert_eq!(result["Contact"]["Title"], "");
    assert_eq!(
        result["Contact"]["Email"], "j.h@abc.example",
        "the second email moves up, as the model's list has no holes"
    );
    assert_eq!(
        result["Contact"]["PhoneNumbers"].as_array().map(Vec::len),
        Some(4),
        "phones not sent stay"
    );

    let native = w.native().await;
    assert_eq!(native["salutation"], Value::Null);
    assert_eq!(native["title"], Value::Null);
    assert_eq!(native["emails"], json!(["j.h@abc.example"]));
    assert_eq!(native["first_name"], "Jane");

    let history = w
        .admin
        .get(&format!("{}/history", w.url()), StatusCode::OK)
        .await;
    let last = history["items"]
        .as_array()
        .and_then(|items| items.last().cloned())
        .expect("an entry");
    assert_eq!(last["surface"], "rpm");
    assert_eq!(last["username"], "admin");
    let changes = last["changes"].as_array().expect("changes");
    let old = |field: &str| {
        changes
            .iter()
            .find(|c| c["field"] == field)
            .map(|c| c["old"].clone())
            .unwrap_or_default()
    };
    assert_eq!(old("salutation"), "Ms.");
    assert_eq!(old("title"), "Buyer");
    assert_eq!(
        old("emails"),
        json!(["jane@abc.example", "j.h@abc.example"])
    );

    // The old values are recoverable: put them back from history.
    let restored = w
        .admin
        .patch(
            &w.url(),
            json!({"salutation": old("salutation"), "title": old("title"), "emails": old("emails")}),
            StatusCode::OK,
        )
        .await;
    let again = w.native().await;
    assert_eq!(again, restored);
    assert_eq!(again["salutation"], before["salutation"]);
    assert_eq!(again["title"], before["title"]);
    assert_eq!(again["emails"], before["emails"]);
}

async fn every_listed_error_is_produced_and_changes_nothing(app: TestApp) {
    let w = World::new(app).await;
    let other_customer = w
        .admin
        .post(
            "/v1/customers",
            json!({"code": "OTHER"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .clone();
    let foreign_admin = w.app.admin_of_new_tenant("GLOBEX", "gadmin").await;
    let foreign_customer = foreign_admin
        .post("/v1/customers", json!({"code": "G"}), StatusCode::CREATED)
        .await["id"]
        .clone();
    let before = w.native().await;
    let edit = |contact: Value, customer: Value| json!({"Contact": contact, "CustomerID": customer, "IsPrimary": true});
    let id = w.contact_id();
    let cases = [
        (
            edit(
                json!({"FirstName": "X", "LastName": "Y"}),
                w.customer.into(),
            ),
            "Contact ID not passed into call".to_owned(),
        ),
        (
            edit(json!({"ContactID": id, "FirstName": "X"}), json!(999_999)),
            "Customer not found".into(),
        ),
        (
            edit(json!({"ContactID": id, "FirstName": "X"}), foreign_customer),
            "Customer not found".into(),
        ),
        (
            edit(json!({"ContactID": id, "FirstName": "X"}), other_customer),
            "Contact not found".into(),
        ),
        (
            edit(
                json!({"ContactID": 999_999, "FirstName": "X"}),
                w.customer.into(),
            ),
            "Contact not found".into(),
        ),
        (
            edit(
                json!({"ContactID": id, "PhoneNumbers": [{"Type": 5, "Number": "1"}]}),
                w.customer.into(),
            ),
            "Unrecognized type for phone number: 5".into(),
        ),
        (
            edit(
                json!({"ContactID": id, "PhoneNumbers": [{"PhoneNumberID": w.phone_id("home"), "Type": 1}]}),
                w.customer.into(),
            ),
            format!(
                "Phone type 1 has already been assigned and cannot be replaced by PhoneNumberID: {}",
                w.phone_id("home")
            ),
        ),
        (
            edit(
                json!({"ContactID": id, "PhoneNumbers": [{"Type": 1}, {"Type": 2}, {"Type": 3}, {"Type": 6}, {"Type": 1}]}),
                w.customer.into(),
            ),
            "A contact can have at most 4 phone numbers".into(),
        ),
        (
            edit(
                json!({"ContactID": id, "Emial": "x@y.z"}),
                w.customer.into(),
            ),
            "Unrecognized input data item: Contact.Emial".into(),
        ),
        (
            edit(
                json!({"ContactID": id, "Email": "not an email"}),
                w.customer.into(),
            ),
            "Email is not a valid email address".into(),
        ),
    ];
    for (body, sentence) in cases {
        let (status, answer) = rpm(&w.app, "CustomerContactEdit", Key::Header(&w.key), body).await;
        assert_eq!(status, StatusCode::OK);
        let got = answer["Result"]["Error"]["Message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            got.starts_with(&sentence),
            "expected {sentence:?}, got {answer}"
        );
        assert_eq!(w.native().await, before, "{sentence}: nothing changes");
    }
}

async fn is_primary_true_promotes_in_one_write_and_false_never_demotes(app: TestApp) {
    let w = World::new(app).await;
    let added = ok(
        &w.app,
        "CustomerContactAdd",
        &w.key,
        json!({"Contact": {"FirstName": "Sam", "LastName": "Lee"}, "CustomerID": w.customer, "IsPrimary": true}),
    )
    .await;
    let sam = added["Contact"]["ContactID"].as_i64().expect("an id");
    let edit = |contact: i64, first: &str, primary: bool| {
        json!({"Contact": {"ContactID": contact, "FirstName": first, "LastName": "L"},
               "CustomerID": w.customer, "IsPrimary": primary})
    };
    ok(
        &w.app,
        "CustomerContactEdit",
        &w.key,
        edit(w.contact_id(), "Jane", true),
    )
    .await;
    let customer = ok(
        &w.app,
        "Customer",
        &w.key,
        json!({"CustomerID": w.customer}),
    )
    .await;
    let primaries: Vec<(i64, bool)> = customer["Contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .map(|c| {
            (
                c["Contact"]["ContactID"].as_i64().unwrap_or_default(),
                c["IsPrimary"] == true,
            )
        })
        .collect();
    assert_eq!(primaries, [(w.contact_id(), true), (sam, false)]);
    ok(
        &w.app,
        "CustomerContactEdit",
        &w.key,
        edit(w.contact_id(), "Jane", false),
    )
    .await;
    assert_eq!(w.native().await["is_primary"], true, "false never demotes");
}

async fn keys_come_in_the_header_or_first_in_the_body_and_bad_ones_are_named(app: TestApp) {
    let w = World::new(app).await;
    let read = json!({"CustomerID": w.customer});
    refused(
        &w.app,
        "Customer",
        Key::None,
        read.clone(),
        "Valid key required",
    )
    .await;
    refused(
        &w.app,
        "Customer",
        Key::Header(""),
        read.clone(),
        "Valid key required",
    )
    .await;
    let not_found = "Key not found.  A valid \"Key\" must appear as the first input data item.";
    for bad in [
        "not-a-key",
        "rdxk.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        refused(
            &w.app,
            "Customer",
            Key::Header(bad),
            read.clone(),
            not_found,
        )
        .await;
        refused(&w.app, "Customer", Key::Body(bad), read.clone(), not_found).await;
    }
    let (_, by_body) = rpm(&w.app, "Customer", Key::Body(&w.key), read.clone()).await;
    assert_eq!(by_body["Result"]["CustomerID"], w.customer);

    // The header wins over the body.
    let client = TestClient::new(&w.app.address);
    let body = format!("{{\"Key\": \"not-a-key\", \"CustomerID\": {}}}", w.customer);
    let (_, _, answer) = client
        .send(
            client
                .request(Method::POST, "/rpm/api2.svc/Customer")
                .header("RpmApiKey", &w.key)
                .body(body),
        )
        .await;
    assert_eq!(answer["Result"]["CustomerID"], w.customer);

    // A viewer's key reads but cannot write.
    let viewer = w.app.member("vera", "viewer").await;
    let (_, viewer_key) = api_key(&viewer).await;
    ok(&w.app, "Customer", &viewer_key, read.clone()).await;
    let before = w.native().await;
    refused(
        &w.app,
        "CustomerContactEdit",
        Key::Header(&viewer_key),
        json!({"Contact": {"ContactID": w.contact_id(), "FirstName": "V"}, "CustomerID": w.customer, "IsPrimary": false}),
        "Permission denied",
    )
    .await;
    assert_eq!(w.native().await, before);

    // A revoked key is not found.
    w.admin
        .delete(
            &format!("/v1/api-keys/{}", w.key_id),
            StatusCode::NO_CONTENT,
        )
        .await;
    refused(&w.app, "Customer", Key::Header(&w.key), read, not_found).await;
}

async fn customers_are_added_edited_read_by_id_or_name_and_listed(app: TestApp) {
    let w = World::new(app).await;
    let added = ok(
        &w.app,
        "CustomerAdd",
        &w.key,
        json!({"Customer": {
            "Name": "Acme, Inc.", "Address": "742 Green Terrace", "City": "Edmonton",
            "StateProvince": "Kansas", "ZipPostalCode": "237932", "Country": "US",
            "Website": "https://acme.example",
            "Fields": [{"Field": "Region", "Value": "West"}],
            "Contacts": [{"FirstName": "Wile", "LastName": "Coyote", "Email": "wile@acme.example",
                          "Salutation": "Mr.", "Title": "Engineer", "IsPrimary": false,
                          "PhoneBusiness": {"Number": "555-0300"}, "PhoneFax": {"Number": "555-0301"}}]
        }}),
    )
    .await;
    let expected_members = BTreeSet::from([
        "Accounts",
        "Added",
        "Aliases",
        "Contacts",
        "CustomerID",
        "DefaultRep",
        "DefaultRepID",
        "Fields",
        "Locations",
        "Modified",
        "Name",
        "Notes",
        "NotesForStaff",
        "Website",
    ]);
    assert_eq!(keys(&added), expected_members);
    assert_eq!(added["Name"], "Acme, Inc.");
    assert_eq!(
        added["Fields"],
        json!([{"Field": "Region", "Value": "West"}])
    );
    assert_eq!(added["Website"], "https://acme.example");
    assert_eq!(added["Locations"][0]["City"], "Edmonton");
    assert_eq!(added["Locations"][0]["StateProvince"], "Kansas");
    let contacts = added["Contacts"].as_array().expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(
        contacts[0]["IsPrimary"], true,
        "the one contact becomes the primary"
    );
    assert_eq!(contacts[0]["Contact"]["PhoneNumbers"][1]["Type"], 3);
    let id = added["CustomerID"].as_i64().expect("an id");

    let native = w
        .admin
        .get(&format!("/v1/customers/{id}"), StatusCode::OK)
        .await;
    assert_eq!(native["code"], "ACMEINC", "a code derived from the name");
    assert_eq!(native["custom_fields"], json!({"Region": "West"}));

    for (body, sentence) in [
        (
            json!({"Customer": {"Name": "acme, inc."}}),
            "A unique customer name is required",
        ),
        (
            json!({"Customer": {"Name": "  "}}),
            "A customer name is required",
        ),
        (
            json!({"Customer": {"City": "X"}}),
            "A customer name is required",
        ),
        (json!({}), "A customer name is required"),
        (
            json!({"Customer": {"Name": "Two", "Contacts": [{"FirstName": "A"}, {"FirstName": "B"}]}}),
            "Only one contact can be added with a new customer",
        ),
        (
            json!({"Customer": {"Name": "Bad contact", "Contacts": [{"FirstName": "A", "Email": "nope"}]}}),
            "Email is not a valid email address",
        ),
        (
            json!({"Customer": {"Name": "Bad country", "Country": "Narnia"}}),
            "Country ",
        ),
    ] {
        let (_, answer) = rpm(&w.app, "CustomerAdd", Key::Header(&w.key), body).await;
        let got = answer["Result"]["Error"]["Message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            got.starts_with(sentence),
            "expected {sentence:?}, got {answer}"
        );
    }
    let listed = ok(&w.app, "Customers", &w.key, json!({})).await;
    let names: Vec<&str> = listed["Customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter_map(|c| c["Customer"].as_str())
        .collect();
    assert_eq!(
        names,
        ["ABC Corp", "Acme, Inc."],
        "refused adds left nothing behind"
    );
    assert!(listed["Age"].as_i64().is_some_and(|a| a > 1_700_000_000));
    assert_eq!(
        keys(&listed["Customers"][1]),
        BTreeSet::from(["Added", "Customer", "CustomerID", "Modified"])
    );

    let edited = ok(
        &w.app,
        "CustomerEdit",
        &w.key,
        json!({"CustomerID": id, "Customer": {"Website": "", "Fields": [{"Field": "Tier", "Value": "Gold"}]}}),
    )
    .await;
    assert_eq!(edited["Website"], "");
    assert_eq!(
        edited["Locations"][0]["City"], "Edmonton",
        "members not sent stay"
    );
    assert_eq!(
        edited["Fields"],
        json!([{"Field": "Region", "Value": "West"}, {"Field": "Tier", "Value": "Gold"}])
    );
    refused(
        &w.app,
        "CustomerEdit",
        Key::Header(&w.key),
        json!({"CustomerID": id, "Customer": {"Name": "ABC CORP"}}),
        "A unique customer name is required",
    )
    .await;
    refused(
        &w.app,
        "CustomerEdit",
        Key::Header(&w.key),
        json!({"CustomerID": 999_999, "Customer": {"City": "X"}}),
        "Customer not found",
    )
    .await;

    let by_name = ok(
        &w.app,
        "Customer",
        &w.key,
        json!({"Customer": "ACME, INC.", "IncludeLocations": false}),
    )
    .await;
    assert_eq!(by_name["CustomerID"], id);
    assert!(
        by_name.get("Locations").is_none(),
        "IncludeLocations: false drops them"
    );
    refused(
        &w.app,
        "Customer",
        Key::Header(&w.key),
        json!({"Customer": "Nobody"}),
        "Customer not found",
    )
    .await;

    let lonely = w.app.admin_of_new_tenant("EMPTY", "eadmin").await;
    let (_, lonely_key) = api_key(&lonely).await;
    refused(
        &w.app,
        "Customers",
        Key::Header(&lonely_key),
        json!({}),
        "No customers",
    )
    .await;
    refused(
        &w.app,
        "Customer",
        Key::Header(&lonely_key),
        json!({"CustomerID": id}),
        "Customer not found",
    )
    .await;
}

async fn contacts_are_added_with_the_listed_errors(app: TestApp) {
    let w = World::new(app).await;
    let added = ok(
        &w.app,
        "CustomerContactAdd",
        &w.key,
        json!({"Contact": {"Email": "ann@abc.example", "FirstName": "Ann", "LastName": "Ng",
                           "PhoneNumbers": [{"Number": "555-0400", "Type": 2}], "Salutation": "", "Title": "CFO"},
               "CustomerID": w.customer}),
    )
    .await;
    let contact = &added["Contact"];
    assert_eq!(
        keys(contact),
        BTreeSet::from([
            "ContactID",
            "Email",
            "FirstName",
            "LastName",
            "PhoneNumbers",
            "Salutation",
            "Title"
        ])
    );
    assert_eq!(contact["PhoneNumbers"][0]["Type"], 2);
    let native = w
        .admin
        .get(
            &format!(
                "/v1/customers/{}/contacts/{}",
                w.customer, contact["ContactID"]
            ),
            StatusCode::OK,
        )
        .await;
    assert_eq!(native["title"], "CFO");
    assert_eq!(native["is_primary"], false);

    refused(
        &w.app,
        "CustomerContactAdd",
        Key::Header(&w.key),
        json!({"Contact": {"FirstName": "X"}, "CustomerID": 999_999}),
        "Customer not found",
    )
    .await;
    refused(
        &w.app,
        "CustomerContactAdd",
        Key::Header(&w.key),
        json!({"Contact": {"FirstName": "X", "PhoneNumbers": [{"Number": "1", "Type": 9}]}, "CustomerID": w.customer}),
        "Unrecognized type for phone number: 9",
    )
    .await;
    let customer = ok(
        &w.app,
        "Customer",
        &w.key,
        json!({"CustomerID": w.customer}),
    )
    .await;
    assert_eq!(
        customer["Contacts"].as_array().map(Vec::len),
        Some(2),
        "refused adds added nothing"
    );
}

async fn the_transport_is_post_with_json_and_other_requests_get_the_envelope(app: TestApp) {
    let w = World::new(app).await;
    let client = TestClient::new(&w.app.address);
    let (status, headers, body) = client
        .send(client.request(Method::GET, "/rpm/api2.svc/Customers"))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    assert_eq!(
        body["Result"]["Error"]["Message"],
        "Calls must be made with POST"
    );
    let (status, _, body) = client
        .send(client.request(Method::POST, "/rpm/api2.svc/CustomerContactDelete"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "there is no contact delete");
    assert_eq!(
        body["Result"]["Error"]["Message"],
        "Unrecognized call: CustomerContactDelete"
    );
    let (status, _, body) = client
        .send(
            client
                .request(Method::POST, "/rpm/Api2.svc/customers")
                .header("RpmApiKey", &w.key),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "call names ignore case: {body}");
    assert_eq!(body["Result"]["Customers"][0]["CustomerID"], w.customer);
    let (status, _, body) = client
        .send(
            client
                .request(Method::POST, "/rpm/api2.svc/Customer")
                .header("RpmApiKey", &w.key)
                .body("{not json"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["Result"]["Error"]["Message"]
            .as_str()
            .is_some_and(|e| e.starts_with("The input data is not valid JSON")),
        "{body}"
    );
    refused(
        &w.app,
        "Customer",
        Key::Header(&w.key),
        json!({"CustomerID": "abc"}),
        "CustomerID must be an integer",
    )
    .await;
    let by_string = ok(
        &w.app,
        "Customer",
        &w.key,
        json!({"CustomerID": w.customer.to_string()}),
    )
    .await;
    assert_eq!(
        by_string["CustomerID"], w.customer,
        "the wiki sends ids as strings"
    );
}

async fn concurrent_edits_of_one_contact_are_all_applied(app: TestApp) {
    let w = World::new(app).await;
    let writers = 24;
    let edits = (0..writers).map(|i| {
        let body = json!({
            "Contact": {
                "ContactID": w.contact_id(),
                "FirstName": format!("Jane {i}"),
                "PhoneNumbers": [
                    {"Number": format!("555-{i:04}"), "PhoneNumberID": w.phone_id("business"), "Type": 1}
                ]
            },
            "CustomerID": w.customer
        });
        let app = &w.app;
        let key = w.key.as_str();
        async move { ok(app, "CustomerContactEdit", key, body).await }
    });
    let results = futures::future::join_all(edits).await;
    assert_eq!(results.len(), writers);
    let history = w
        .admin
        .get(
            &format!(
                "/v1/customers/{}/contacts/{}/history?limit=100",
                w.customer,
                w.contact_id()
            ),
            StatusCode::OK,
        )
        .await;
    let edits = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["surface"] == "rpm")
        .count();
    assert_eq!(edits, writers, "every edit is its own change");
}

app_tests!(
    concurrent_edits_of_one_contact_are_all_applied,
    the_seeds_edit_example_sent_as_printed_returns_the_documented_shape,
    omitted_salutation_title_and_email_are_cleared_and_history_keeps_their_values,
    every_listed_error_is_produced_and_changes_nothing,
    is_primary_true_promotes_in_one_write_and_false_never_demotes,
    keys_come_in_the_header_or_first_in_the_body_and_bad_ones_are_named,
    customers_are_added_edited_read_by_id_or_name_and_listed,
    contacts_are_added_with_the_listed_errors,
    the_transport_is_post_with_json_and_other_requests_get_the_envelope,
);
