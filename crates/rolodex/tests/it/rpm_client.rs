//! RPM Software's own Node.js library (<https://github.com/rpmsoftware/integration-common>,
//! `lib/api-wrappers.js`) against Rolodex. Each call is replayed over real HTTP exactly as the
//! library's `API.request` makes it: `POST` to its lowercased service URL plus the call's
//! name, its headers (`RpmApiKey`, `Content-Type`, and those Node's `fetch` adds) and
//! `JSON.stringify` of its data as the body, with no body when it sends no data. The answer is
//! read the way the library reads it ([`Answer`]): any status but 2xx is a network failure to
//! it, and a truthy `Result.Error` is thrown with `Error.Message` as the message.

use crate::rpm::api_key;
use crate::support::{TestApp, TestClient};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// What the library's `API.request` makes of an answer.
#[derive(Debug, PartialEq)]
enum Answer {
    /// `Result`, returned.
    Result(Value),
    /// An error thrown with this message (from `Result.Error.Message`).
    Thrown(String),
    /// An error thrown without a message: `Result` itself, whose `Error` has no `Message`.
    ThrownWithoutMessage(Value),
}

impl Answer {
    /// The result of a call that must succeed.
    fn result(self) -> Value {
        match self {
            Answer::Result(result) => result,
            other => panic!("the library throws: {other:?}"),
        }
    }

    /// The message of a call that must throw one.
    fn thrown(self) -> String {
        match self {
            Answer::Thrown(message) => message,
            other => panic!("the library throws no message: {other:?}"),
        }
    }
}

/// JavaScript's truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `body` with each `(placeholder, value)` put in, so a body reads as the library sends it.
fn body(template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |body, (placeholder, value)| {
            body.replace(placeholder, &value.to_string())
        })
}

/// The call `endpoint` as the library makes it, with `data` the text of `JSON.stringify(data)`
/// (`None` when the library passes no data), and the answer as the library reads it.
async fn library(app: &TestApp, key: &str, endpoint: &str, data: Option<&str>) -> Answer {
    let client = TestClient::new(&app.address);
    // `new API("https://api.<host>/RPM/", key)` posts to `https://api.<host>/rpm/api2.svc/`.
    let mut request = client
        .request(Method::POST, &format!("/rpm/api2.svc/{endpoint}"))
        .header("Host", format!("api.rolodex.test:{}", app.port))
        .header("RpmApiKey", key)
        .header("Content-Type", "application/json")
        .header("accept", "*/*")
        .header("accept-language", "*")
        .header("sec-fetch-mode", "cors")
        .header("user-agent", "node")
        .header("accept-encoding", "gzip, deflate");
    if let Some(data) = data {
        request = request.body(data.to_owned());
    }
    let (status, _, answer) = client.send(request).await;
    assert!(
        status.is_success(),
        "{endpoint}: {status} is a network failure to the library: {answer}"
    );
    let result = answer
        .get("Result")
        .filter(|r| truthy(r))
        .unwrap_or_else(|| panic!("{endpoint}: the library throws the whole answer: {answer}"));
    match result.get("Error").filter(|e| truthy(e)) {
        None => Answer::Result(result.clone()),
        Some(error) => match error.get("Message").filter(|m| truthy(m)) {
            Some(message) => Answer::Thrown(message.as_str().unwrap_or_default().to_owned()),
            None => Answer::ThrownWithoutMessage(result.clone()),
        },
    }
}

/// The running app, its admin (native) and an API key, and a customer with a contact.
struct World {
    app: TestApp,
    admin: TestClient,
    key: String,
    customer: i64,
    contact: i64,
}

impl World {
    async fn new(app: TestApp) -> World {
        let admin = app.admin().await;
        let (_, key) = api_key(&admin).await;
        let customer = admin
            .post(
                "/v1/customers",
                json!({"code": "ABCCORP", "name": "ABC Corp", "city": "Springfield"}),
                StatusCode::CREATED,
            )
            .await["id"]
            .as_i64()
            .expect("an id");
        let contact = admin
            .post(
                &format!("/v1/customers/{customer}/contacts"),
                json!({"first_name": "Jane", "last_name": "Hernandez", "emails": ["jane@abc.example"]}),
                StatusCode::CREATED,
            )
            .await["id"]
            .as_i64()
            .expect("an id");
        World {
            app,
            admin,
            key,
            customer,
            contact,
        }
    }

    async fn call(&self, endpoint: &str, data: Option<&str>) -> Answer {
        library(&self.app, &self.key, endpoint, data).await
    }

    /// The customer as the native API reads it now.
    async fn native_customer(&self) -> Value {
        self.admin
            .get(&format!("/v1/customers/{}", self.customer), StatusCode::OK)
            .await
    }
}

/// Checks that `customer` is a record the library's `_normalizeCustomer` and
/// `_validateResultFields` accept: `Accounts`, `Contacts` and `Fields` are lists.
fn normalizable(customer: &Value) {
    for list in ["Accounts", "Contacts", "Fields"] {
        assert!(customer[list].is_array(), "{list}: {customer}");
    }
}

async fn errors_carry_the_message_the_library_throws_and_matches(app: TestApp) {
    let w = World::new(app).await;
    let found = w
        .call(
            "Customer",
            Some(&body(r#"{"CustomerID":$ID}"#, &[("$ID", &w.customer)])),
        )
        .await
        .result();
    assert_eq!(found["Name"], "ABC Corp");
    // `getCustomer(nameOrID)` returns nothing when `demandCustomer` throws exactly
    // "Customer not found" (`MSG_CUSTOMER_NOT_FOUND`), which its find-or-create helper needs.
    for data in [r#"{"CustomerID":999999}"#, r#"{"Customer":"Nobody"}"#] {
        assert_eq!(
            w.call("Customer", Some(data)).await.thrown(),
            "Customer not found",
            "{data}"
        );
    }
    let message = w
        .call(
            "CustomerContactEdit",
            Some(&body(
                r#"{"CustomerID":$CUSTOMER,"Contact":{"Email":"not an email","ContactID":$CONTACT}}"#,
                &[("$CUSTOMER", &w.customer), ("$CONTACT", &w.contact)],
            )),
        )
        .await
        .thrown();
    assert!(
        message.starts_with("Email is not a valid email address"),
        "{message}"
    );
    let contact = w
        .admin
        .get(
            &format!("/v1/customers/{}/contacts/{}", w.customer, w.contact),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        contact["emails"],
        json!(["jane@abc.example"]),
        "a refused call changes nothing"
    );
    assert_eq!(
        library(&w.app, "not-a-key", "Customers", None)
            .await
            .thrown(),
        "Key not found.  A valid \"Key\" must appear as the first input data item."
    );

    // A client that tests `Result.Error` for presence, as one reading it as text does, still
    // sees every error.
    let client = TestClient::new(&w.app.address);
    let (status, _, answer) = client
        .send(
            client
                .request(Method::POST, "/rpm/api2.svc/Customer")
                .header("RpmApiKey", &w.key)
                .body(r#"{"CustomerID":999999}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(truthy(&answer["Result"]["Error"]), "{answer}");
    assert_eq!(
        answer,
        json!({"Result": {"Error": {"Message": "Customer not found"}}})
    );
}

async fn edit_customer_names_the_customer_inside_customer_by_id_or_by_name(app: TestApp) {
    let w = World::new(app).await;
    let id: &dyn std::fmt::Display = &w.customer;
    // `editCustomer(id, data)`: the id goes inside `Customer`, after the data.
    let edited = w
        .call(
            "CustomerEdit",
            Some(&body(
                r#"{"Customer":{"Website":"https://abc.example","Fields":[{"Field":"Region","Value":"West"}],"CustomerID":$ID}}"#,
                &[("$ID", id)],
            )),
        )
        .await
        .result();
    normalizable(&edited);
    assert_eq!(edited["CustomerID"], w.customer);
    assert_eq!(edited["Website"], "https://abc.example");
    assert_eq!(
        edited["Fields"],
        json!([{"Field": "Region", "Value": "West"}])
    );
    let native = w.native_customer().await;
    assert_eq!(native["website"], "https://abc.example");
    assert_eq!(native["city"], "Springfield", "members not sent stay");

    // `editCustomer(id, "new name")` renames.
    let renamed = w
        .call(
            "CustomerEdit",
            Some(&body(
                r#"{"Customer":{"Name":"ABC Corporation","CustomerID":$ID}}"#,
                &[("$ID", id)],
            )),
        )
        .await
        .result();
    assert_eq!(renamed["Name"], "ABC Corporation");

    // `editCustomer("name", data)`: the name goes inside `Customer` and names the customer.
    let by_name = w
        .call(
            "CustomerEdit",
            Some(r#"{"Customer":{"City":"Shelbyville","Name":"abc corporation"}}"#),
        )
        .await
        .result();
    normalizable(&by_name);
    assert_eq!(by_name["CustomerID"], w.customer);
    assert_eq!(by_name["Name"], "ABC Corporation", "not renamed");
    assert_eq!(w.native_customer().await["city"], "Shelbyville");

    let before = w.native_customer().await;
    for data in [
        r#"{"Customer":{"City":"Nowhere","Name":"Nobody"}}"#.to_owned(),
        r#"{"Customer":{"City":"Nowhere","CustomerID":999999}}"#.to_owned(),
        r#"{"Customer":{"City":"Nowhere"}}"#.to_owned(),
    ] {
        assert_eq!(
            w.call("CustomerEdit", Some(&data)).await.thrown(),
            "Customer not found",
            "{data}"
        );
    }
    assert_eq!(
        w.call(
            "CustomerEdit",
            Some(&body(
                r#"{"CustomerID":$ID,"Customer":{"City":"Nowhere","CustomerID":999999}}"#,
                &[("$ID", id)],
            )),
        )
        .await
        .thrown(),
        "Customer.CustomerID and CustomerID name different customers"
    );
    assert_eq!(
        w.native_customer().await,
        before,
        "refused edits change nothing"
    );
}

/// The `CustomerID`s of a list of `Customers` entries.
fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|c| c["CustomerID"].as_i64().expect("an id"))
        .collect()
}

async fn search_customers_finds_them_by_the_start_of_their_name(app: TestApp) {
    let w = World::new(app).await;
    let acme = w
        .admin
        .post(
            "/v1/customers",
            json!({"code": "ACME", "name": "Acme, Inc."}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .expect("an id");
    let foreign = w.app.admin_of_new_tenant("GLOBEX", "gadmin").await;
    foreign
        .post(
            "/v1/customers",
            json!({"code": "ABBA", "name": "Abba Ltd"}),
            StatusCode::CREATED,
        )
        .await;

    // `searchCustomers(value)` and `searchCustomers(field, value)`.
    let found = w
        .call("CustomerSearch", Some(r#"{"Search":"ab"}"#))
        .await
        .result();
    assert_eq!(ids(&found["Customers"]), [w.customer]);
    let entry = &found["Customers"][0];
    assert_eq!(entry["Customer"], "ABC Corp");
    assert!(entry["Added"].is_string() && entry["Modified"].is_string());
    let found = w
        .call("CustomerSearch", Some(r#"{"Field":"Name","Search":"A"}"#))
        .await
        .result();
    assert_eq!(ids(&found["Customers"]), [w.customer, acme]);
    let none = w
        .call("CustomerSearch", Some(r#"{"Search":"zz"}"#))
        .await
        .result();
    assert_eq!(none, json!({"Customers": []}));

    assert_eq!(
        w.call(
            "CustomerSearch",
            Some(r#"{"Field":"Website","Search":"a"}"#)
        )
        .await
        .thrown(),
        "Customers cannot be searched by Website; search by Name"
    );
    assert_eq!(
        w.call("CustomerSearch", Some("{}")).await.thrown(),
        "Call requires parameter: \"Search\" which was not found"
    );
}

async fn accounts_are_an_empty_list_for_a_customer_that_exists(app: TestApp) {
    let w = World::new(app).await;
    let id: &dyn std::fmt::Display = &w.customer;
    for data in [
        // `getCustomerAccounts(id)`, `getCustomerAccounts(name)`, `getAllAccounts()` (its
        // date in the library's `YYYY-MM-DD HH:mm:ss`), `getAccounts({CustomerID, ModifiedAfter})`.
        body(r#"{"CustomerID":$ID}"#, &[("$ID", id)]),
        r#"{"Customer":"ABC Corp"}"#.to_owned(),
        r#"{"ModifiedAfter":"1970-01-01 00:00:00"}"#.to_owned(),
        body(
            r#"{"CustomerID":$ID,"ModifiedAfter":"2024-01-01 00:00:00"}"#,
            &[("$ID", id)],
        ),
    ] {
        assert_eq!(
            w.call("Accounts", Some(&data)).await.result(),
            json!({"Accounts": []}),
            "{data}"
        );
    }
    for (data, message) in [
        (r#"{"CustomerID":999999}"#, "Customer not found"),
        (r#"{"Customer":"Nobody"}"#, "Customer not found"),
        (r#"{"Supplier":"Acme Supply"}"#, "Supplier not found"),
        (r#"{"SupplierID":12}"#, "Supplier not found"),
    ] {
        assert_eq!(
            w.call("Accounts", Some(data)).await.thrown(),
            message,
            "{data}"
        );
    }
}

async fn a_customers_one_location_is_added_once_then_edited(app: TestApp) {
    let w = World::new(app).await;
    // `createCustomer("Acme")`: a customer without an address has no location yet.
    let acme = w
        .call("CustomerAdd", Some(r#"{"Customer":{"Name":"Acme"}}"#))
        .await
        .result();
    normalizable(&acme);
    assert_eq!(acme["Locations"], json!([]));
    let id = acme["CustomerID"].as_i64().expect("an id");
    let acme_id: &dyn std::fmt::Display = &id;
    let native = |id: i64| {
        let admin = w.admin.clone();
        async move {
            admin
                .get(&format!("/v1/customers/{id}"), StatusCode::OK)
                .await
        }
    };

    // `addCustomerLocation(id, location)`.
    let added = w
        .call(
            "CustomerLocationAdd",
            Some(&body(
                r#"{"CustomerID":$ID,"Location":{"Name":"Head office","IsPrimary":1,"Address":"742 Green Terrace","City":"Edmonton","StateProvince":"Kansas","Country":"US","ZipPostalCode":"237932"}}"#,
                &[("$ID", acme_id)],
            )),
        )
        .await
        .result();
    let location = &added["Location"];
    assert_eq!(location["LocationID"], id, "the location is the customer's");
    assert_eq!(
        location["Name"], "Acme",
        "a location bears its customer's name"
    );
    assert_eq!(location["IsPrimary"], true);
    assert_eq!(location["Address"], "742 Green Terrace");
    assert_eq!(location["City"], "Edmonton");
    assert_eq!(location["StateProvince"], "Kansas");
    assert_eq!(location["Country"], "US");
    assert_eq!(location["ZipPostalCode"], "237932");
    assert_eq!(location["Fields"], json!([]));
    let read = w
        .call(
            "Customer",
            Some(&body(r#"{"CustomerID":$ID}"#, &[("$ID", acme_id)])),
        )
        .await
        .result();
    assert_eq!(&read["Locations"][0], location);
    let after_add = native(id).await;
    assert_eq!(after_add["city"], "Edmonton");

    // A second location cannot be added, by object or, as `addCustomerLocation(id, "name")`
    // sends it, by name: Rolodex keeps one.
    for data in [
        r#"{"CustomerID":$ID,"Location":{"Name":"Warehouse","City":"Shelbyville"}}"#,
        r#"{"CustomerID":$ID,"Location":{"Name":"Warehouse"}}"#,
    ] {
        assert_eq!(
            w.call(
                "CustomerLocationAdd",
                Some(&body(data, &[("$ID", acme_id)]))
            )
            .await
            .thrown(),
            format!(
                "The customer already has its one location, LocationID {id}: change it with CustomerLocationEdit"
            )
        );
    }
    assert_eq!(native(id).await, after_add, "a refused add changes nothing");

    // `editCustomerLocation(id, locationID, location)` and `editCustomerLocation(id, location)`.
    let edited = w
        .call(
            "CustomerLocationEdit",
            Some(&body(
                r#"{"CustomerID":$ID,"Location":{"City":"Shelbyville","ZipPostalCode":"","LocationID":$ID}}"#,
                &[("$ID", acme_id)],
            )),
        )
        .await
        .result();
    assert_eq!(edited["Location"]["City"], "Shelbyville");
    assert_eq!(
        edited["Location"]["ZipPostalCode"], "",
        "an empty value clears"
    );
    assert_eq!(
        edited["Location"]["Address"], "742 Green Terrace",
        "members not sent stay"
    );
    let edited = w
        .call(
            "CustomerLocationEdit",
            Some(&body(
                r#"{"CustomerID":$ID,"Location":{"LocationID":$ID,"Name":"Head office","Country":"CA"}}"#,
                &[("$ID", acme_id)],
            )),
        )
        .await
        .result();
    assert_eq!(edited["Location"]["Country"], "CA");
    let after_edit = native(id).await;
    assert_eq!(after_edit["postal_code"], Value::Null);
    assert_eq!(after_edit["name"], "Acme", "a location's name is not kept");

    for (data, message) in [
        (
            r#"{"CustomerID":$ID,"Location":{"Name":"Main","LocationID":999999}}"#,
            "Location not found".to_owned(),
        ),
        (
            r#"{"CustomerID":999999,"Location":{"City":"X","LocationID":999999}}"#,
            "Customer not found".to_owned(),
        ),
        (
            r#"{"CustomerID":$ID,"Location":{"City":"X"}}"#,
            "Location ID not passed into call".to_owned(),
        ),
        (
            r#"{"Location":{"City":"X","LocationID":$ID}}"#,
            "Call requires parameter: \"CustomerID\" which was not found".to_owned(),
        ),
        (
            r#"{"CustomerID":$ID}"#,
            "Call requires parameter: \"Location\" which was not found".to_owned(),
        ),
        (
            r#"{"CustomerID":$ID,"Location":{"City":"X","Fields":[],"LocationID":$ID}}"#,
            "Unrecognized input data item: Location.Fields".to_owned(),
        ),
    ] {
        assert_eq!(
            w.call(
                "CustomerLocationEdit",
                Some(&body(data, &[("$ID", acme_id)]))
            )
            .await
            .thrown(),
            message,
            "{data}"
        );
    }
    let message = w
        .call(
            "CustomerLocationEdit",
            Some(&body(
                r#"{"CustomerID":$ID,"Location":{"City":"X","Country":"Narnia","LocationID":$ID}}"#,
                &[("$ID", acme_id)],
            )),
        )
        .await
        .thrown();
    assert!(message.starts_with("Country "), "{message}");
    assert_eq!(native(id).await, after_edit, "refused edits change nothing");

    // The first customer has an address, so its location exists from the start.
    let customer: &dyn std::fmt::Display = &w.customer;
    let edited = w
        .call(
            "CustomerLocationEdit",
            Some(&body(
                r#"{"CustomerID":$ID,"Location":{"Address":"1 Main St","LocationID":$ID}}"#,
                &[("$ID", customer)],
            )),
        )
        .await
        .result();
    assert_eq!(edited["Location"]["City"], "Springfield");
    assert_eq!(w.native_customer().await["address"], "1 Main St");
}

app_tests!(
    errors_carry_the_message_the_library_throws_and_matches,
    a_customers_one_location_is_added_once_then_edited,
    edit_customer_names_the_customer_inside_customer_by_id_or_by_name,
    search_customers_finds_them_by_the_start_of_their_name,
    accounts_are_an_empty_list_for_a_customer_that_exists,
);
