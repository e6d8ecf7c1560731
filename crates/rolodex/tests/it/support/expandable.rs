//! Calls of both Expandable generations over real HTTP, for their test modules: a tenant
//! `ACME` whose admin `apiuser` has customer `ABCCORP`, the logins of both generations, the
//! record fields as the pages print them, and the keys of a JSON object in the order they
//! were sent (the pages fix the order of a record's fields).

use super::{TestApp, TestClient};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Value, json};
use std::fmt;

/// The data source (tenant code) of [`acme`], its user and password.
pub const DATA_SOURCE: &str = "ACME";
pub const USER: &str = "apiuser";
pub const PASSWORD: &str = "apiuser-password";

/// Seed 000, "Returned Customer Contact Fields", in the page's order.
pub const CLASSIC_RETURNED: [&str; 48] = [
    "ATTACHMENTS",
    "ADDRESS_1",
    "ADDRESS_2",
    "ADDRESS_3",
    "CELL_PHONE_NO",
    "CITY",
    "CONTACT_STATUS",
    "COUNTRY",
    "CREATED_BY",
    "CUST_CONTACT",
    "CUSTOMER_ID",
    "DATE_CREATED",
    "DATE_LAST_UPDT",
    "DATE_MODIFIED",
    "E_MAIL",
    "E_MAIL_2",
    "FAX_NO",
    "FIRST_NAME",
    "INITIAL",
    "LAST_NAME",
    "MAIL_STOP",
    "MODIFIED_BY",
    "NOTES",
    "OPERATOR_ID",
    "PAGER_NO",
    "PHONE_NO",
    "SLX_ID",
    "SOFCT_USER_1",
    "SOFCT_USER_2",
    "SOFCT_USER_3",
    "SOFCT_USER_4",
    "SOFCT_USER_5",
    "SOFCT_USER_6",
    "SOFCT_USER_7",
    "SOFCT_USER_8",
    "SOFCT_USER_9",
    "SOFCT_USER_10",
    "SOFCT_USER_11",
    "SOFCT_USER_12",
    "SOFCT_USER_13",
    "SOFCT_USER_14",
    "SOFCT_USER_15",
    "SOFCT_USER_16",
    "STATE",
    "TIME_LAST_UPDT",
    "TITLE",
    "WEB_ADDRESS",
    "ZIP_CODE",
];

/// Seed 001, "Success Response", in the page's order.
pub const EAPI_RECORD: [&str; 47] = [
    "CUSTOMER_ID",
    "CUST_CONTACT",
    "CONTACT_STATUS",
    "FIRST_NAME",
    "LAST_NAME",
    "INITIAL",
    "TITLE",
    "MAIL_STOP",
    "ADDRESS_1",
    "ADDRESS_2",
    "ADDRESS_3",
    "CITY",
    "STATE",
    "ZIP_CODE",
    "COUNTRY",
    "PHONE_NO",
    "FAX_NO",
    "CELL_PHONE_NO",
    "PAGER_NO",
    "E_MAIL",
    "E_MAIL_2",
    "WEB_ADDRESS",
    "SOFCT_USER_1",
    "SOFCT_USER_2",
    "SOFCT_USER_3",
    "SOFCT_USER_4",
    "SOFCT_USER_5",
    "SOFCT_USER_6",
    "SOFCT_USER_7",
    "SOFCT_USER_8",
    "SOFCT_USER_9",
    "SOFCT_USER_10",
    "SOFCT_USER_11",
    "SOFCT_USER_12",
    "SOFCT_USER_13",
    "SOFCT_USER_14",
    "SOFCT_USER_15",
    "SOFCT_USER_16",
    "CREATED_BY",
    "DATE_CREATED",
    "MODIFIED_BY",
    "DATE_MODIFIED",
    "OPERATOR_ID",
    "DATE_LAST_UPDT",
    "TIME_LAST_UPDT",
    "NOTES",
    "ATTACHMENTS",
];

/// Tenant `ACME` with its admin `apiuser` and customer `ABCCORP`; returns `apiuser`'s native
/// client and the customer's id.
pub async fn acme(app: &TestApp) -> (TestClient, i64) {
    let native = app.admin_of_new_tenant(DATA_SOURCE, USER).await;
    let customer = native
        .post(
            "/v1/customers",
            json!({"code": "ABCCORP", "name": "ABC Corporation"}),
            StatusCode::CREATED,
        )
        .await;
    (native, customer["id"].as_i64().expect("a customer id"))
}

/// A POST of `body` as it is, with `headers`; the answer's status, headers and text.
pub async fn post_raw(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<String>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = app
        .api
        .request(Method::POST, path)
        .header("Content-Type", "application/json")
        .body(body.into());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.text().await.expect("a readable body"),
    )
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A classic call, with the token in the `AuthToken` header when given.
pub async fn classic(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let headers: Vec<(&str, &str)> = token.map(|t| ("AuthToken", t)).into_iter().collect();
    let (status, _, text) = post_raw(app, path, &headers, body.to_string()).await;
    (status, json_of(&text))
}

/// A call of the newer API (the token, if any, is in `body`).
pub async fn eapi(app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    let (status, _, text) = post_raw(app, path, &[], body.to_string()).await;
    (status, json_of(&text))
}

/// A token from `POST /api/Security/Login`.
pub async fn classic_login(app: &TestApp, data_source: &str, user: &str, password: &str) -> String {
    let body = json!({"DataSource": data_source, "UserName": user, "Password": password});
    let (status, headers, text) = post_raw(app, "/api/Security/Login", &[], body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "classic login of {user}: {text}");
    headers["authtoken"]
        .to_str()
        .expect("an ASCII token")
        .to_owned()
}

/// A token from `POST /api/auth-token-get`.
pub async fn eapi_login(app: &TestApp, data_source: &str, user: &str, password: &str) -> String {
    let body = json!({"DATA_SOURCE": data_source, "USER_NAME": user, "PASSWORD": password});
    let (status, answer) = eapi(app, "/api/auth-token-get", &body).await;
    assert_eq!(status, StatusCode::OK, "auth token of {user}: {answer}");
    answer["AUTH_TOKEN"]
        .as_str()
        .expect("an AUTH_TOKEN")
        .to_owned()
}

/// The keys of a JSON object, in the order they were sent.
#[derive(Debug, PartialEq, Eq)]
pub struct OrderedKeys(pub Vec<String>);

impl<'de> Deserialize<'de> for OrderedKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = OrderedKeys;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some((key, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                    keys.push(key);
                }
                Ok(OrderedKeys(keys))
            }
        }
        d.deserialize_map(Keys)
    }
}

/// The keys of the JSON object `text`, in order.
pub fn keys(text: &str) -> Vec<String> {
    serde_json::from_str::<OrderedKeys>(text)
        .unwrap_or_else(|e| panic!("not a JSON object ({e}): {text}"))
        .0
}

/// Checks that `record` has only string values.
pub fn all_strings(record: &Value) {
    let object = record.as_object().expect("a record object");
    for (name, value) in object {
        assert!(value.is_string(), "{name} is not a string: {value}");
    }
}
