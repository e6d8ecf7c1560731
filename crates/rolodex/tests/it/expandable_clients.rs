//! What Expandable's own clients do that the pages' examples alone do not show, over real
//! HTTP: countries named as Expandable names them (`"USA"`), the classic API's paths and
//! members in any letter case (as ASP.NET Web API binds them), and the loop of reading a
//! record, changing a field and posting the whole record back to Update.

use crate::support::TestApp;
use crate::support::expandable::{
    DATA_SOURCE, PASSWORD, USER, acme, classic, classic_login, eapi, eapi_login, post_raw,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CLASSIC_CREATE: &str = "/api/CustomerContact/Create";
const CLASSIC_UPDATE: &str = "/api/CustomerContact/Update";
const CLASSIC_QUERY: &str = "/api/CustomerContact/Query";
const EAPI_CREATE: &str = "/api/customer-contact-create";
const EAPI_UPDATE: &str = "/api/customer-contact-update";
const EAPI_GET: &str = "/api/customer-contact-get";
const EAPI_QUERY: &str = "/api/customer-contact-query";

/// A classic call that must succeed; its answer.
async fn classic_ok(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, answer) = classic(app, Some(token), path, &body).await;
    assert_eq!(status, StatusCode::OK, "{path} {body}: {answer}");
    answer
}

/// A call of the newer API that must succeed; its answer.
async fn eapi_ok(app: &TestApp, token: &str, path: &str, mut body: Value) -> Value {
    body["AUTH_TOKEN"] = token.into();
    let (status, answer) = eapi(app, path, &body).await;
    assert_eq!(status, StatusCode::OK, "{path} {body}: {answer}");
    answer
}

/// The `CUST_CONTACT`s of `records`, sorted.
fn codes(records: &Value) -> Vec<&str> {
    let mut codes: Vec<&str> = records
        .as_array()
        .expect("an array of records")
        .iter()
        .filter_map(|r| r["CUST_CONTACT"].as_str())
        .collect();
    codes.sort_unstable();
    codes
}

async fn countries_are_written_in_any_form_and_read_as_expandable_shows_them(app: TestApp) {
    let (native, customer) = acme(&app).await;
    let older = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let newer = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;

    let made = classic_ok(
        &app,
        &older,
        CLASSIC_CREATE,
        json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "US1", "COUNTRY": "USA", "STATE": "CA"}),
    )
    .await;
    assert_eq!(made["COUNTRY"], "USA", "what Expandable wrote, it reads");
    let made = eapi_ok(
        &app,
        &newer,
        EAPI_CREATE,
        json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "US2", "COUNTRY": "United States"}),
    )
    .await;
    assert_eq!(made["COUNTRY"], "USA");
    let made = classic_ok(
        &app,
        &older,
        CLASSIC_CREATE,
        json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "GB1", "COUNTRY": "gb"}),
    )
    .await;
    assert_eq!(made["COUNTRY"], "GBR");
    let through_native = native
        .post(
            &format!("/v1/customers/{customer}/contacts"),
            json!({"code": "FR1", "country": "France"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(
        through_native["country"], "FR",
        "the native API reads alpha-2"
    );

    let list = native
        .get(
            &format!("/v1/customers/{customer}/contacts?limit=10"),
            StatusCode::OK,
        )
        .await;
    let mut stored: Vec<(&str, &str)> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| Some((c["code"].as_str()?, c["country"].as_str()?)))
        .collect();
    stored.sort_unstable();
    assert_eq!(
        stored,
        [("FR1", "FR"), ("GB1", "GB"), ("US1", "US"), ("US2", "US")],
        "one code kept, whatever the form written"
    );

    let found = classic_ok(
        &app,
        &older,
        CLASSIC_QUERY,
        json!({"COUNTRY": "USA", "STATE": "CA"}),
    )
    .await;
    assert_eq!(codes(&found), ["US1"], "siblings 1.3's example criteria");
    let found = classic_ok(&app, &older, CLASSIC_QUERY, json!({"COUNTRY": "USA"})).await;
    assert_eq!(codes(&found), ["US1", "US2"]);
    let found = classic_ok(
        &app,
        &older,
        CLASSIC_QUERY,
        json!({"COUNTRY": "IN 'United Kingdom', 'FRA'"}),
    )
    .await;
    assert_eq!(codes(&found), ["FR1", "GB1"]);
    let countries: Vec<&str> = found
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["COUNTRY"].as_str())
        .collect();
    assert_eq!(countries, ["GBR", "FRA"], "oldest first");
    let found = eapi_ok(
        &app,
        &newer,
        EAPI_QUERY,
        json!({"COUNTRY": "<> us", "CUSTOMER_ID": "ABCCORP"}),
    )
    .await;
    assert_eq!(codes(&found["CUSTOMER_CONTACTS"]), ["FR1", "GB1"]);

    let keys = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "US1"});
    let mut bad = keys.clone();
    bad["COUNTRY"] = json!("Narnia");
    bad["TITLE"] = json!("Buyer");
    let (status, answer) = classic(&app, Some(&older), CLASSIC_UPDATE, &bad).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer["MessageCode"], "VALIDATION");
    assert!(
        answer["Message"]
            .as_str()
            .is_some_and(|m| m.starts_with("COUNTRY: 'Narnia' is not a country")),
        "{answer}"
    );
    let now = eapi_ok(&app, &newer, EAPI_GET, keys).await;
    assert_eq!(
        (&now["COUNTRY"], &now["TITLE"]),
        (&json!("USA"), &json!(""))
    );
}

async fn the_classic_api_matches_paths_and_members_ignoring_case(app: TestApp) {
    acme(&app).await;
    let body = json!({"datasource": DATA_SOURCE, "USERNAME": USER, "password": PASSWORD});
    let (status, headers, text) =
        post_raw(&app, "/api/security/login", &[], body.to_string()).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "{}"));
    let token = headers["authtoken"].to_str().expect("a token").to_owned();

    let made = classic_ok(
        &app,
        &token,
        "/api/customercontact/create",
        json!({"customer_id": "ABCCORP", "Cust_Contact": "JHERNANDEZ", "first_name": "Joseph",
               "e_mail": "joe@abccorp.com", "sofct_user_3": "Gold"}),
    )
    .await;
    assert_eq!(
        (&made["FIRST_NAME"], &made["E_MAIL"], &made["SOFCT_USER_3"]),
        (&json!("Joseph"), &json!("joe@abccorp.com"), &json!("Gold"))
    );
    let changed = classic_ok(
        &app,
        &token,
        "/API/CUSTOMERCONTACT/UPDATE",
        json!({"CUSTOMER_ID": "ABCCORP", "cust_contact": "JHERNANDEZ", "Last_Name": "Hernandez"}),
    )
    .await;
    assert_eq!(changed["LAST_NAME"], "Hernandez");
    let found = classic_ok(
        &app,
        &token,
        "/Api/customerContact/query",
        json!({"last_name": "Hernandez"}),
    )
    .await;
    assert_eq!(codes(&found), ["JHERNANDEZ"]);
    let customer = classic_ok(
        &app,
        &token,
        "/api/customer/query",
        json!({"customer_id": "ABCCORP"}),
    )
    .await;
    assert_eq!(customer[0]["CUSTOMER_ID"], "ABCCORP");

    let (status, twice) = classic(
        &app,
        Some(&token),
        "/api/customercontact/update",
        &json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "TITLE": "A", "title": "B"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        twice,
        json!({"Message": "Request JSON is invalid. 'TITLE' is sent more than once.",
               "MessageCode": "INVALID_JSON"})
    );
    let (status, refused) = classic(&app, None, "/api/customercontact/query", &json!({})).await;
    assert_eq!(
        (status, &refused["Message"]),
        (
            StatusCode::UNAUTHORIZED,
            &json!("AuthToken was not provided.")
        )
    );
    let response = app
        .api
        .request(Method::GET, "/api/customercontact/query?x=1")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let answer: Value = response.json().await.expect("a JSON error");
    assert_eq!(answer["MessageCode"], "METHOD_NOT_ALLOWED");

    let (status, _, _) = post_raw(&app, "/api/customercontact/nothing", &[], "{}").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the classic paths");
}

async fn a_record_read_and_posted_back_with_one_field_changed_changes_that_field(app: TestApp) {
    let (native, customer) = acme(&app).await;
    let older = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let newer = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let full = json!({
        "CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "FIRST_NAME": "Joseph",
        "LAST_NAME": "Hernandez", "ADDRESS_1": "1 Main St", "CITY": "San Jose", "STATE": "CA",
        "COUNTRY": "USA", "PHONE_NO": "408-555-1212", "E_MAIL": "joe@abccorp.com",
        "SOFCT_USER_2": "Gold", "SLX_ID": "SLX-1", "ATTACHMENTS": "a.pdf|b.pdf", "NOTES": "n"
    });
    classic_ok(&app, &older, CLASSIC_CREATE, full).await;
    let keys = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ"});

    let mut record = classic_ok(&app, &older, CLASSIC_QUERY, keys.clone()).await[0].clone();
    record["TITLE"] = json!("Buyer");
    record["DATE_CREATED"] = json!("1999-01-01");
    let updated = classic_ok(&app, &older, CLASSIC_UPDATE, record.clone()).await;
    for (field, value) in record.as_object().expect("a record") {
        if !field.starts_with("DATE_") && field != "TIME_LAST_UPDT" {
            assert_eq!(&updated[field], value, "{field}");
        }
    }
    assert_ne!(updated["DATE_CREATED"], "1999-01-01", "read-only: ignored");

    let mut record = eapi_ok(&app, &newer, EAPI_GET, keys.clone()).await;
    record["CITY"] = json!("Milpitas");
    record["CREATED_BY"] = json!("someone else");
    let updated = eapi_ok(&app, &newer, EAPI_UPDATE, record).await;
    assert_eq!(
        (&updated["CITY"], &updated["TITLE"], &updated["CREATED_BY"]),
        (&json!("Milpitas"), &json!("Buyer"), &json!(USER))
    );

    let list = native
        .get(
            &format!("/v1/customers/{customer}/contacts"),
            StatusCode::OK,
        )
        .await;
    let history = native
        .get(
            &format!(
                "/v1/customers/{customer}/contacts/{}/history",
                list["items"][0]["id"]
            ),
            StatusCode::OK,
        )
        .await;
    let changed: Vec<(&str, Vec<&str>)> = history["items"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["change"] == "update")
        .map(|e| {
            let fields = e["changes"]
                .as_array()
                .expect("changes")
                .iter()
                .filter_map(|c| c["field"].as_str())
                .collect();
            (e["surface"].as_str().unwrap_or_default(), fields)
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("expandable_classic", vec!["title"]),
            ("expandable", vec!["city"])
        ],
        "each post-back changed only the field it changed"
    );
}

app_tests!(
    countries_are_written_in_any_form_and_read_as_expandable_shows_them,
    the_classic_api_matches_paths_and_members_ignoring_case,
    a_record_read_and_posted_back_with_one_field_changed_changes_that_field,
);
