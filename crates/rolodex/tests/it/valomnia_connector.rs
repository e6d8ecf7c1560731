//! Valomnia's MuleSoft connector against Rolodex, each of its calls replayed over real HTTP
//! exactly as its code makes them and its answers read as its code reads them
//! (`support::connector`): the login and its absolute redirect, contacts and customers
//! listed, created and updated by `saveOrUpdate`, refusals as the connector reports them
//! (each changing nothing), parameters in ISO-8859-1, and later synchronizations.

use crate::support::connector::{Connector, authenticate, encode, login, read_lists};
use crate::support::valomnia::is_instant;
use crate::support::{ADMIN_PASSWORD, TestApp, TestClient};
use reqwest::StatusCode;
use rolodex_core::users::NewUser;
use rolodex_domain::Role;
use serde_json::{Value, json};
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const CONTACTS: &str = "ContactConnector/";
const CUSTOMERS: &str = "CustomerConnector/";
/// The member a bean describer adds for the bean's class, which a save ignores.
const CLASS: (&str, &str) = ("class", "class org.mule.modules.valomnia.entities.Contact");

/// The connector's base URL for `app`, with the trailing `/` its configuration has.
fn base(app: &TestApp) -> String {
    format!("{}/", app.address)
}

/// Customer C0959 through the native API; returns the native client and the customer's id.
async fn with_customer(app: &TestApp) -> (TestClient, i64) {
    let native = app.admin().await;
    let customer = native
        .post(
            "/v1/customers",
            json!({"code": "C0959", "name": "Marie's Jewelry"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .expect("customer id");
    (native, customer)
}

/// A bean as the connector saves it back: every member with a value, as a string.
fn members(bean: &Value) -> Vec<(String, String)> {
    bean.as_object()
        .expect("a bean")
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            (k.clone(), text)
        })
        .collect()
}

fn borrowed(members: &[(String, String)]) -> Vec<(&str, &str)> {
    members
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn the_connector_logs_in_through_an_absolute_redirect(app: TestApp) {
    // The first answer as the connector reads it: a 302 to an absolute URL, the session
    // cookie first.
    let first = login(&base(&app), "admin", ADMIN_PASSWORD).await;
    assert_eq!(first.status, StatusCode::FOUND);
    assert_eq!(
        first.headers["location"],
        format!("{}/login/ajaxSuccess", app.address).as_str()
    );
    assert!(
        first.headers["set-cookie"]
            .to_str()
            .expect("ASCII")
            .starts_with("JSESSIONID=")
    );

    // The whole login, then a call with its token.
    let token = authenticate(&base(&app), "admin", ADMIN_PASSWORD)
        .await
        .expect("the login does not throw")
        .expect("a token");
    let connector = Connector {
        base: base(&app),
        token,
    };
    assert_eq!(connector.get_all(CONTACTS).await, Ok(Vec::new()));

    // Wrong credentials and unknown users are invalid credentials, not an exception.
    for (username, password) in [("admin", "wrong-password"), ("nobody", "whatever-it-is")] {
        assert_eq!(
            authenticate(&base(&app), username, password).await,
            Ok(None),
            "{username}"
        );
    }
    // Where a refused login sends its client: the error, in Valomnia's shape.
    let refused = login(&base(&app), "admin", "wrong-password").await;
    assert_eq!(refused.status, StatusCode::FOUND);
    let location = refused.headers["location"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert_eq!(
        location,
        format!(
            "{}/login/authfail?ajax=true&error=no_credentials",
            app.address
        )
    );
    assert!(
        refused.headers["set-cookie"]
            .to_str()
            .expect("ASCII")
            .starts_with("JSESSIONID=; Max-Age=0;")
    );
    let fail = reqwest::get(&location).await.expect("an answer");
    assert_eq!(fail.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        fail.json::<Value>().await.expect("JSON")["error"],
        "no_credentials"
    );

    // A password outside ASCII, which the connector sends in ISO-8859-1.
    let tenant = app
        .services
        .tenants
        .by_code("DEFAULT")
        .await
        .expect("tenant DEFAULT");
    app.services
        .users
        .add(
            tenant.id,
            NewUser {
                username: "helene".into(),
                display_name: Some("Hélène Schrader".into()),
                password: "mot-de-passe-été".into(),
                role: Role::Dispatcher,
            },
        )
        .await
        .expect("a new member");
    assert!(encode(&[("p", "été")]).contains("%E9t%E9"));
    let token = authenticate(&base(&app), "helene", "mot-de-passe-été").await;
    assert!(matches!(token, Ok(Some(_))), "{token:?}");
}

fn configure_public_url(config: &mut rolodex::config::Config) {
    config.public_url = Some("https://contacts.example.com".into());
}

async fn the_login_redirect_names_the_configured_public_url(app: TestApp) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let login = http
        .post(format!(
            "{}j_spring_security_check?{}",
            base(&app),
            encode(&[
                ("j_username", "admin"),
                ("j_password", ADMIN_PASSWORD),
                ("ajax", "true"),
            ])
        ))
        .header("Content-type", "application/json")
        .header("Host", "attacker.example.net")
        .send()
        .await
        .expect("an answer");
    assert_eq!(login.status(), StatusCode::FOUND);
    assert_eq!(
        login.headers()["location"],
        "https://contacts.example.com/login/ajaxSuccess"
    );
}

async fn the_connector_creates_lists_and_updates_contacts(app: TestApp) {
    let (native, customer) = with_customer(&app).await;
    let c = Connector::connect(&base(&app), "admin", ADMIN_PASSWORD).await;

    let created = c
        .merge(
            CONTACTS,
            &[
                CLASS,
                ("customerReference", "C0959"),
                ("firstName", "Hélène"),
                ("lastName", "Schrader"),
                ("email", "helene@example.com"),
                ("phone", "+33 1 23 45 67 89"),
                ("fonction", "Commerciale"),
                ("country", "FR"),
                ("city", "Sousse"),
            ],
        )
        .await;
    assert_eq!(created, Ok("Success created".to_owned()));

    // The list, on one line, in the bean's members.
    let answer = c.list(CONTACTS).await;
    assert_eq!(answer.status, StatusCode::OK);
    let all = read_lists(answer).expect("the lists");
    assert_eq!(all.len(), 1);
    let bean = &all[0];
    let mut keys: Vec<&str> = bean
        .as_object()
        .expect("a bean")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = vec![
        "address",
        "city",
        "comment",
        "country",
        "customerReference",
        "dateCreated",
        "email",
        "fax",
        "firstName",
        "fonction",
        "id",
        "lastName",
        "lastUpdated",
        "mobile",
        "organization",
        "phone",
        "phone2",
        "photo",
        "postalCode",
        "userReference",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let id = bean["id"]
        .as_str()
        .expect("a string id, as the bean's")
        .to_owned();
    assert_eq!(bean["customerReference"], "C0959");
    assert_eq!(bean["userReference"], "admin");
    assert_eq!(bean["firstName"], "Hélène");
    assert_eq!(bean["email"], "helene@example.com");
    assert_eq!(bean["phone"], "+33 1 23 45 67 89");
    assert_eq!(bean["fonction"], "Commerciale");
    assert_eq!(bean["country"], "FR");
    assert_eq!(bean["mobile"], "");
    assert_eq!(bean["photo"], Value::Null);
    assert_eq!(bean["organization"], "DEFAULT");
    assert!(is_instant(&bean["dateCreated"]), "{bean}");

    // Read, modify, save back: every member the list gave (read-only ones included) and the
    // describer's `class`.
    let mut back = members(bean);
    back.push((CLASS.0.into(), CLASS.1.into()));
    for (k, v) in &mut back {
        if k == "email" {
            *v = "h.schrader@example.com".into();
        }
        if k == "mobile" {
            *v = "+33 6 00 00 00 00".into();
        }
    }
    let updated = c.merge(CONTACTS, &borrowed(&back)).await;
    assert_eq!(updated, Ok("Success Updated".to_owned()));

    // The save's own answer is the saved bean, on one line.
    let answer = c
        .save(CONTACTS, &[("id", &id), ("fax", "+33 1 99 99 99 99")])
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let saved: Value = serde_json::from_str(&answer.line.expect("a line")).expect("JSON");
    assert_eq!(saved["fax"], "+33 1 99 99 99 99");
    assert_eq!(saved["email"], "h.schrader@example.com");

    let stored = native
        .get(
            &format!("/v1/customers/{customer}/contacts/{id}"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(stored["first_name"], "Hélène");
    assert_eq!(stored["emails"], json!(["h.schrader@example.com"]));
    assert_eq!(stored["city"], "Sousse");
    let numbers: Vec<&str> = stored["phones"]
        .as_array()
        .expect("phones")
        .iter()
        .filter_map(|p| p["number"].as_str())
        .collect();
    assert_eq!(
        numbers,
        [
            "+33 1 23 45 67 89",
            "+33 6 00 00 00 00",
            "+33 1 99 99 99 99"
        ]
    );
    assert_eq!(c.get_all(CONTACTS).await.map(|l| l.len()), Ok(1));
}

async fn refused_saves_are_arrays_the_connector_reports_and_change_nothing(app: TestApp) {
    let (native, customer) = with_customer(&app).await;
    native
        .post(
            "/v1/customers",
            json!({"code": "OTHER", "name": "Another"}),
            StatusCode::CREATED,
        )
        .await;
    let c = Connector::connect(&base(&app), "admin", ADMIN_PASSWORD).await;
    assert_eq!(
        c.merge(
            CONTACTS,
            &[
                ("customerReference", "C0959"),
                ("firstName", "Marie"),
                ("lastName", "Schrader"),
            ],
        )
        .await,
        Ok("Success created".to_owned())
    );
    let before = c.get_all(CONTACTS).await.expect("the list");
    let id = before[0]["id"].as_str().expect("id").to_owned();
    let url = format!("/v1/customers/{customer}/contacts/{id}");
    let stored = native.get(&url, StatusCode::OK).await;

    let marie = |extra: &[(&'static str, &'static str)]| {
        let mut m = vec![
            ("customerReference", "C0959"),
            ("firstName", "Marie"),
            ("lastName", "Schrader"),
        ];
        m.extend_from_slice(extra);
        m
    };
    let id_member = [("id", id.as_str())];
    for (members, status, result) in [
        (
            marie(&[("email", "not an email")]),
            StatusCode::BAD_REQUEST,
            "email_validation_error: Failed to create the contact : incorrect Email format",
        ),
        (
            marie(&[("country", "Narnia")]),
            StatusCode::BAD_REQUEST,
            "country_error: Failed to create the contact : incorrect country code",
        ),
        (
            vec![
                ("customerReference", "NOPE"),
                ("firstName", "A"),
                ("lastName", "B"),
            ],
            StatusCode::NOT_FOUND,
            "not_found: The customer with the id NOPE doesn't exist.",
        ),
        (
            vec![("customerReference", "C0959"), ("firstName", "A")],
            StatusCode::BAD_REQUEST,
            "missing_param: lastName parameter is missing",
        ),
        (
            marie(&[("userReference", "ghost")]),
            StatusCode::NOT_FOUND,
            "not_found: The user with the id ghost doesn't exist.",
        ),
        (
            [&id_member[..], &[("email", "still not an email")]].concat(),
            StatusCode::BAD_REQUEST,
            "email_validation_error: Failed to update the contact : incorrect Email format",
        ),
        (
            [&id_member[..], &[("customerReference", "OTHER")]].concat(),
            StatusCode::BAD_REQUEST,
            "save_failed: Failed to save instance. customerReference: the contact belongs to \
             another customer and cannot move.",
        ),
        (
            vec![("id", "5.0"), ("firstName", "A")],
            StatusCode::BAD_REQUEST,
            "invalid_param_type: The type of parameter id you provided is not valid for this \
             request.",
        ),
        (
            vec![("id", "999999"), ("firstName", "A")],
            StatusCode::NOT_FOUND,
            "not_found: The contact with the id 999999 doesn't exist.",
        ),
    ] {
        let answer = c.save(CONTACTS, &members).await;
        assert_eq!(answer.status, status, "{members:?}");
        assert_eq!(c.merge(CONTACTS, &members).await, Ok(result.to_owned()));
        assert_eq!(
            c.get_all(CONTACTS).await.as_ref(),
            Ok(&before),
            "{members:?}"
        );
    }
    assert_eq!(native.get(&url, StatusCode::OK).await, stored);

    // A viewer may list but not save; without a session neither.
    app.member("viewer1", "viewer").await;
    let viewer = Connector::connect(&base(&app), "viewer1", "viewer1-password").await;
    assert_eq!(viewer.get_all(CONTACTS).await.map(|l| l.len()), Ok(1));
    let refused = viewer.merge(CONTACTS, &marie(&[])).await.expect("a result");
    assert!(refused.starts_with("access_denied: "), "{refused}");
    let stranger = Connector {
        base: base(&app),
        token: "not-a-session".into(),
    };
    let refused = stranger
        .merge(CONTACTS, &marie(&[]))
        .await
        .expect("a result");
    assert!(refused.starts_with("no_credentials: "), "{refused}");
    assert!(stranger.get_all(CONTACTS).await.is_err());
    assert_eq!(c.get_all(CONTACTS).await.as_ref(), Ok(&before));
}

async fn the_connector_saves_customers_by_reference(app: TestApp) {
    let native = app.admin().await;
    let c = Connector::connect(&base(&app), "admin", ADMIN_PASSWORD).await;
    let customer = [
        ("class", "class org.mule.modules.valomnia.entities.Customer"),
        ("reference", "ref test Customer"),
        ("name", "test  name"),
        ("country", "TN"),
        ("city", "Sousse"),
        ("phone", "+216 73 000 000"),
        ("isActive", "true"),
    ];
    assert_eq!(
        c.merge(CUSTOMERS, &customer).await,
        Ok("Success created".to_owned())
    );
    assert_eq!(
        c.merge(
            CUSTOMERS,
            &[
                ("reference", "ref test Customer"),
                ("name", "Test name"),
                ("phone", "")
            ]
        )
        .await,
        Ok("Success Updated".to_owned())
    );
    let all = c.get_all(CUSTOMERS).await.expect("the list");
    assert_eq!(all.len(), 1);
    let bean = &all[0];
    assert!(bean["id"].is_i64(), "an integer, as the bean's: {bean}");
    assert_eq!(bean["reference"], "ref test Customer");
    assert_eq!(bean["name"], "Test name");
    assert_eq!(bean["country"], "TN");
    assert_eq!(bean["city"], "Sousse");
    assert_eq!(bean["phone"], "");
    assert_eq!(bean["isActive"], "true");
    assert_eq!(bean["email"], "");
    assert_eq!(bean["organization"], "DEFAULT");
    assert!(is_instant(&bean["lastUpdated"]), "{bean}");
    for member in [
        "latitude",
        "longitude",
        "userReference",
        "categoryReference",
        "website",
    ] {
        assert_eq!(bean[member], "", "{member}");
    }
    let stored = native
        .get(&format!("/v1/customers/{}", bean["id"]), StatusCode::OK)
        .await;
    assert_eq!(stored["code"], "ref test Customer");
    assert_eq!(stored["custom_fields"], json!({"isActive": "true"}));

    // The connector's own test: a contact of that customer, by its reference.
    assert_eq!(
        c.merge(
            CONTACTS,
            &[
                ("customerReference", "ref test Customer"),
                ("firstName", "test first name"),
                ("lastName", "test last name"),
            ],
        )
        .await,
        Ok("Success created".to_owned())
    );

    for (members, result) in [
        (
            vec![("reference", "ref test Customer"), ("country", "Narnia")],
            "country_error: Failed to save the customer : incorrect country code",
        ),
        (
            vec![("name", "No reference")],
            "missing_param: reference parameter is missing",
        ),
    ] {
        assert_eq!(c.merge(CUSTOMERS, &members).await, Ok(result.to_owned()));
    }
    assert_eq!(c.get_all(CUSTOMERS).await.as_ref(), Ok(&all));
}

async fn concurrent_saves_of_a_new_reference_make_one_customer(app: TestApp) {
    let c = Connector::connect(&base(&app), "admin", ADMIN_PASSWORD).await;
    let cities = ["Sousse", "Tunis", "Sfax", "Bizerte", "Gabes", "Nabeul"];
    let members: Vec<[(&str, &str); 3]> = cities
        .iter()
        .map(|city| [("reference", "NEW-REF"), ("name", "New"), ("city", city)])
        .collect();
    let saves = members.iter().map(|m| c.save(CUSTOMERS, m));
    for answer in futures::future::join_all(saves).await {
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.line);
    }
    let all = c.get_all(CUSTOMERS).await.expect("the list");
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["reference"], "NEW-REF");
    assert!(cities.contains(&all[0]["city"].as_str().unwrap_or_default()));
}

async fn later_synchronizations_list_what_changed_since_the_last(app: TestApp) {
    let (_native, _) = with_customer(&app).await;
    let c = Connector::connect(&base(&app), "admin", ADMIN_PASSWORD).await;
    let add = |first: &'static str| {
        [
            ("customerReference", "C0959"),
            ("firstName", first),
            ("lastName", "Doe"),
        ]
    };
    c.merge(CONTACTS, &add("Old")).await.expect("a result");
    c.merge(CONTACTS, &add("Changed")).await.expect("a result");
    let all = c.get_all(CONTACTS).await.expect("the list");
    let changed = all[1]["id"].as_str().expect("id").to_owned();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let since = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .expect("an instant");
    tokio::time::sleep(Duration::from_millis(20)).await;
    c.merge(CONTACTS, &add("New")).await.expect("a result");
    c.merge(CONTACTS, &[("id", &changed), ("city", "Lyon")])
        .await
        .expect("a result");
    c.merge(CUSTOMERS, &[("reference", "C0959"), ("city", "Lyon")])
        .await
        .expect("a result");
    c.merge(CUSTOMERS, &[("reference", "C0960"), ("name", "Newer")])
        .await
        .expect("a result");

    let lists_of = |resource: &'static str, query: String| {
        let url = format!("{}{resource}list?{query}", base(&app));
        let token = c.token.clone();
        async move {
            let answer = reqwest::Client::new()
                .get(url)
                .header("Cookie", format!("JSESSIONID={token}"))
                .send()
                .await
                .expect("an answer");
            (answer.status(), answer.json::<Value>().await.expect("JSON"))
        }
    };
    let lists = |query: String| lists_of(CONTACTS, query);
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|c| c["firstName"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let (status, body) = lists(encode(&[
        ("firstSynchronization", "false"),
        ("lastSynchronization", &since),
        ("format", "json"),
    ]))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&body["listCreated"]), ["New"]);
    assert_eq!(names(&body["listUpdated"]), ["Changed"]);
    let (status, customers) = lists_of(
        CUSTOMERS,
        encode(&[
            ("firstSynchronization", "false"),
            ("lastSynchronization", &since),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{customers}");
    assert_eq!(customers["listCreated"][0]["reference"], "C0960");
    assert_eq!(customers["listUpdated"][0]["reference"], "C0959");
    assert_eq!(customers["listUpdated"][0]["city"], "Lyon");
    assert_eq!(
        (
            customers["listCreated"].as_array().map(Vec::len),
            customers["listUpdated"].as_array().map(Vec::len)
        ),
        (Some(1), Some(1))
    );
    let (_, first) = lists(encode(&[
        ("firstSynchronization", "true"),
        ("format", "json"),
    ]))
    .await;
    assert_eq!(names(&first["listCreated"]), ["Old", "Changed", "New"]);
    assert_eq!(first["listUpdated"], json!([]));

    for (query, status, body) in [
        (
            encode(&[("firstSynchronization", "false")]),
            StatusCode::BAD_REQUEST,
            json!([
                "missing_param: ",
                "lastSynchronization parameter is missing"
            ]),
        ),
        (
            encode(&[
                ("firstSynchronization", "false"),
                ("lastSynchronization", "yesterday"),
            ]),
            StatusCode::BAD_REQUEST,
            json!([
                "invalid_param_type: ",
                "The type of parameter lastSynchronization you provided is not valid for this request."
            ]),
        ),
        (
            encode(&[("firstSynchronization", "true"), ("format", "xml")]),
            StatusCode::BAD_REQUEST,
            json!([
                "invalid_param_type: ",
                "The type of parameter format you provided is not valid for this request."
            ]),
        ),
    ] {
        assert_eq!(lists(query).await, (status, body));
    }
}

app_tests!(
    the_connector_logs_in_through_an_absolute_redirect,
    the_connector_creates_lists_and_updates_contacts,
    refused_saves_are_arrays_the_connector_reports_and_change_nothing,
    the_connector_saves_customers_by_reference,
    concurrent_saves_of_a_new_reference_make_one_customer,
    later_synchronizations_list_what_changed_since_the_last,
);

mod public_url {
    use super::{configure_public_url, the_login_redirect_names_the_configured_public_url};

    configured_app_tests!(
        the_login_redirect_names_the_configured_public_url: configure_public_url,
    );
}
