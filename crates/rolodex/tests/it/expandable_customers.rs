//! The Customer area of both Expandable generations over real HTTP: customers created, read,
//! updated and queried in the style of their contacts, onto the same customers every other
//! surface sees.

use crate::support::TestApp;
use crate::support::expandable::{
    self as x, DATA_SOURCE, PASSWORD, USER, acme, classic, classic_login, eapi, eapi_login,
    post_raw,
};
use reqwest::{Method, StatusCode};
use rolodex_domain::Role;
use serde_json::{Value, json};

const CLASSIC_CREATE: &str = "/api/Customer/Create";
const CLASSIC_UPDATE: &str = "/api/Customer/Update";
const CLASSIC_QUERY: &str = "/api/Customer/Query";
const EAPI_CREATE: &str = "/api/customer-create";
const EAPI_UPDATE: &str = "/api/customer-update";
const EAPI_GET: &str = "/api/customer-get";
const EAPI_QUERY: &str = "/api/customer-query";

/// The classic Customer record's fields, in order.
const CLASSIC_RECORD: [&str; 17] = [
    "ADDRESS_1",
    "ADDRESS_2",
    "ADDRESS_3",
    "CITY",
    "COUNTRY",
    "CREATED_BY",
    "CUST_NAME",
    "CUSTOMER_ID",
    "DATE_CREATED",
    "DATE_LAST_UPDT",
    "DATE_MODIFIED",
    "MODIFIED_BY",
    "OPERATOR_ID",
    "STATE",
    "TIME_LAST_UPDT",
    "WEB_ADDRESS",
    "ZIP_CODE",
];

/// The newer API's Customer record's fields, in order.
const EAPI_RECORD: [&str; 17] = [
    "CUSTOMER_ID",
    "CUST_NAME",
    "ADDRESS_1",
    "ADDRESS_2",
    "ADDRESS_3",
    "CITY",
    "STATE",
    "ZIP_CODE",
    "COUNTRY",
    "WEB_ADDRESS",
    "CREATED_BY",
    "DATE_CREATED",
    "MODIFIED_BY",
    "DATE_MODIFIED",
    "OPERATOR_ID",
    "DATE_LAST_UPDT",
    "TIME_LAST_UPDT",
];

/// A classic call that must succeed; its answer.
async fn classic_ok(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, answer) = classic(app, Some(token), path, &body).await;
    assert_eq!(status, StatusCode::OK, "{path} {body}: {answer}");
    answer
}

/// A classic call that must fail with a 500 and `code`; its message.
async fn classic_fails(app: &TestApp, token: &str, path: &str, body: Value, code: &str) -> String {
    let (status, answer) = classic(app, Some(token), path, &body).await;
    assert_eq!(
        (status, &answer["MessageCode"]),
        (StatusCode::INTERNAL_SERVER_ERROR, &json!(code)),
        "{path} {body}: {answer}"
    );
    answer["Message"].as_str().expect("a Message").to_owned()
}

/// A call of the newer API (with `token` as its `AUTH_TOKEN`); its status and answer.
async fn eapi_call(app: &TestApp, token: &str, path: &str, mut body: Value) -> (StatusCode, Value) {
    body["AUTH_TOKEN"] = token.into();
    eapi(app, path, &body).await
}

async fn eapi_ok(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, answer) = eapi_call(app, token, path, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{path} {body}: {answer}");
    answer
}

/// The customer `code` as the native API shows it.
async fn native_customer(native: &crate::support::TestClient, code: &str) -> Value {
    let list = native.get("/v1/customers?limit=200", StatusCode::OK).await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("customer {code} in {list}"))
}

async fn customers_are_created_read_updated_and_queried_in_the_classic_api(app: TestApp) {
    let (native, _) = acme(&app).await;
    let token = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;

    let body = json!({
        "CUSTOMER_ID": "XYZ", "CUST_NAME": "XYZ Inc", "ADDRESS_1": "1 Main St",
        "ADDRESS_2": "Suite 2", "CITY": "Austin", "STATE": "TX", "ZIP_CODE": "78701",
        "COUNTRY": "USA", "WEB_ADDRESS": "https://xyz.example.com/"
    });
    let (status, _, text) = post_raw(
        &app,
        CLASSIC_CREATE,
        &[("AuthToken", &token)],
        body.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(x::keys(&text), CLASSIC_RECORD);
    let created: Value = serde_json::from_str(&text).expect("a record");
    x::all_strings(&created);
    for (field, value) in body.as_object().expect("an object") {
        assert_eq!(&created[field], value, "{field}");
    }
    assert_eq!(
        (&created["ADDRESS_3"], &created["CREATED_BY"]),
        (&json!(""), &json!(USER))
    );
    let view = native_customer(&native, "XYZ").await;
    assert_eq!(
        (&view["name"], &view["address"], &view["country"]),
        (
            &json!("XYZ Inc"),
            &json!("1 Main St\nSuite 2"),
            &json!("US")
        )
    );
    let history = native
        .get(
            &format!("/v1/customers/{}/history", view["id"]),
            StatusCode::OK,
        )
        .await;
    assert_eq!(history["items"][0]["surface"], "expandable_classic");

    let updated = classic_ok(
        &app,
        &token,
        CLASSIC_UPDATE,
        json!({"CUSTOMER_ID": "xyz", "ADDRESS_2": "Suite 9", "COUNTRY": "Canada"}),
    )
    .await;
    assert_eq!(
        (
            &updated["ADDRESS_1"],
            &updated["ADDRESS_2"],
            &updated["COUNTRY"],
            &updated["CITY"]
        ),
        (
            &json!("1 Main St"),
            &json!("Suite 9"),
            &json!("CAN"),
            &json!("Austin")
        )
    );
    assert_eq!(
        native_customer(&native, "XYZ").await["address"],
        "1 Main St\nSuite 9"
    );

    let found = classic_ok(&app, &token, CLASSIC_QUERY, json!({"CUSTOMER_ID": "XYZ"})).await;
    assert_eq!(found, json!([updated.clone()]));
    let found = classic_ok(
        &app,
        &token,
        CLASSIC_QUERY,
        json!({"CUSTOMER_ID": "IN 'XYZ', 'ABCCORP', 'NOPE', 'xyz'", "CITY": ""}),
    )
    .await;
    let codes: Vec<&str> = found
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|c| c["CUSTOMER_ID"].as_str())
        .collect();
    assert_eq!(codes, ["XYZ", "ABCCORP"]);
    let none = classic_ok(&app, &token, CLASSIC_QUERY, json!({"CUSTOMER_ID": "NOPE"})).await;
    assert_eq!(none, json!([]));

    let mut record = found[0].clone();
    record["CUST_NAME"] = json!("XYZ Incorporated");
    record["DATE_CREATED"] = json!("1999-01-01");
    let posted_back = classic_ok(&app, &token, CLASSIC_UPDATE, record).await;
    assert_eq!(posted_back["CUST_NAME"], "XYZ Incorporated");
    assert_eq!(posted_back["DATE_CREATED"], updated["DATE_CREATED"]);

    let contact = classic_ok(
        &app,
        &token,
        "/api/CustomerContact/Create",
        json!({"CUSTOMER_ID": "XYZ", "CUST_CONTACT": "KJONES"}),
    )
    .await;
    assert_eq!(contact["CUSTOMER_ID"], "XYZ", "its contacts follow");
}

async fn bad_customer_calls_get_clear_errors_and_change_nothing(app: TestApp) {
    let (native, _) = acme(&app).await;
    let token = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let before = native_customer(&native, "ABCCORP").await;

    let message = classic_fails(
        &app,
        &token,
        CLASSIC_CREATE,
        json!({"CUSTOMER_ID": "abccorp", "CUST_NAME": "Again"}),
        "DUPLICATE",
    )
    .await;
    assert!(message.starts_with("CUSTOMER_ID: "), "{message}");
    let message = classic_fails(
        &app,
        &token,
        CLASSIC_CREATE,
        json!({"CUST_NAME": "No code"}),
        "REQUIRED",
    )
    .await;
    assert_eq!(message, "CUSTOMER_ID is required.");
    classic_fails(
        &app,
        &token,
        CLASSIC_UPDATE,
        json!({"CUSTOMER_ID": "NOPE", "CITY": "Paris"}),
        "CUSTOMER_NOT_FOUND",
    )
    .await;
    classic_fails(
        &app,
        &token,
        CLASSIC_UPDATE,
        json!({"CUSTOMER_ID": "ABCCORP"}),
        "NOTHING_TO_UPDATE",
    )
    .await;
    let message = classic_fails(
        &app,
        &token,
        CLASSIC_UPDATE,
        json!({"CUSTOMER_ID": "ABCCORP", "CITY": "Paris", "COUNTRY": "Narnia",
               "ADDRESS_2": "a\u{7}b"}),
        "VALIDATION",
    )
    .await;
    assert!(
        message.contains("COUNTRY: 'Narnia' is not a country")
            && message.contains("ADDRESS_2: must not contain control characters"),
        "{message}"
    );
    let message = classic_fails(
        &app,
        &token,
        CLASSIC_QUERY,
        json!({"CITY": "Paris"}),
        "UNSUPPORTED_CRITERION",
    )
    .await;
    assert!(message.starts_with("CITY: customers are queried by CUSTOMER_ID"));
    classic_fails(&app, &token, CLASSIC_QUERY, json!({}), "NO_CRITERIA").await;

    let (status, answer) = classic(
        &app,
        Some(&token),
        CLASSIC_UPDATE,
        &json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "X"}),
    )
    .await;
    assert_eq!(
        (status, answer),
        (
            StatusCode::BAD_REQUEST,
            json!({"Message": "Request JSON is invalid. 'CUST_CONTACT' is not an accepted field.",
                   "MessageCode": "INVALID_JSON"})
        )
    );
    let (status, answer) = classic(
        &app,
        None,
        CLASSIC_UPDATE,
        &json!({"CUSTOMER_ID": "ABCCORP", "CITY": "Paris"}),
    )
    .await;
    assert_eq!(
        (status, &answer["MessageCode"]),
        (StatusCode::UNAUTHORIZED, &json!("AUTH_TOKEN_MISSING"))
    );

    app.add_member(DATA_SOURCE, "vera", Role::Viewer).await;
    let vera = classic_login(&app, DATA_SOURCE, "vera", "vera-password").await;
    classic_fails(
        &app,
        &vera,
        CLASSIC_UPDATE,
        json!({"CUSTOMER_ID": "ABCCORP", "CITY": "Paris"}),
        "FORBIDDEN",
    )
    .await;
    let seen = classic_ok(
        &app,
        &vera,
        CLASSIC_QUERY,
        json!({"CUSTOMER_ID": "ABCCORP"}),
    )
    .await;
    assert_eq!(seen[0]["CUST_NAME"], "ABC Corporation", "a viewer reads");

    assert_eq!(native_customer(&native, "ABCCORP").await, before);
    let all = native.get("/v1/customers", StatusCode::OK).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1));
}

async fn customers_in_the_newer_api_work_in_the_same_style(app: TestApp) {
    let (native, _) = acme(&app).await;
    let token = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;

    let body = json!({"CUSTOMER_ID": "XYZ", "CUST_NAME": "XYZ Inc", "ADDRESS_3": "Bldg 3",
                      "COUNTRY": "United Kingdom", "AUTH_TOKEN": token});
    let (status, _, text) = post_raw(&app, EAPI_CREATE, &[], body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(x::keys(&text), EAPI_RECORD);
    let created: Value = serde_json::from_str(&text).expect("a record");
    x::all_strings(&created);
    assert_eq!(
        (
            &created["ADDRESS_1"],
            &created["ADDRESS_3"],
            &created["COUNTRY"]
        ),
        (&json!(""), &json!("Bldg 3"), &json!("GBR"))
    );
    let view = native_customer(&native, "XYZ").await;
    assert_eq!(
        (&view["address"], &view["country"]),
        (&json!("\n\nBldg 3"), &json!("GB"))
    );

    let got = eapi_ok(&app, &token, EAPI_GET, json!({"CUSTOMER_ID": "xyz"})).await;
    assert_eq!(got, created);
    let mut record = got;
    record["CITY"] = json!("London");
    record["MODIFIED_BY"] = json!("someone else");
    let updated = eapi_ok(&app, &token, EAPI_UPDATE, record).await;
    assert_eq!(
        (&updated["CITY"], &updated["MODIFIED_BY"]),
        (&json!("London"), &json!(USER))
    );
    let found = eapi_ok(
        &app,
        &token,
        EAPI_QUERY,
        json!({"CUSTOMER_ID": "IN 'ABCCORP','XYZ'"}),
    )
    .await;
    let names: Vec<&str> = found["CUSTOMERS"]
        .as_array()
        .expect("CUSTOMERS")
        .iter()
        .filter_map(|c| c["CUST_NAME"].as_str())
        .collect();
    assert_eq!(names, ["ABC Corporation", "XYZ Inc"]);

    let (status, answer) = eapi_call(&app, &token, EAPI_GET, json!({"CUSTOMER_ID": "NOPE"})).await;
    assert_eq!(
        (status, answer),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"MESSAGE": "Customer 'NOPE' was not found.", "MESSAGE_CODE": "CUSTOMER_NOT_FOUND"})
        )
    );
    let (status, answer) = eapi_call(
        &app,
        &token,
        EAPI_CREATE,
        json!({"CUSTOMER_ID": "NEW", "SLX_ID": "x"}),
    )
    .await;
    assert_eq!(
        (status, &answer["MESSAGE_CODE"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_JSON"))
    );
    let (status, answer) = eapi(
        &app,
        EAPI_UPDATE,
        &json!({"CUSTOMER_ID": "XYZ", "CITY": "Paris"}),
    )
    .await;
    assert_eq!(
        (status, &answer["MESSAGE"]),
        (
            StatusCode::UNAUTHORIZED,
            &json!("Auth Token was not provided.")
        )
    );
    for path in [EAPI_CREATE, EAPI_UPDATE, EAPI_GET, EAPI_QUERY] {
        let response = app
            .api
            .request(Method::GET, path)
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
    assert_eq!(native_customer(&native, "XYZ").await["city"], "London");
    let all = native.get("/v1/customers", StatusCode::OK).await;
    assert_eq!(
        all["items"].as_array().map(Vec::len),
        Some(2),
        "NEW was refused"
    );
}

app_tests!(
    customers_are_created_read_updated_and_queried_in_the_classic_api,
    bad_customer_calls_get_clear_errors_and_change_nothing,
    customers_in_the_newer_api_work_in_the_same_style,
);
