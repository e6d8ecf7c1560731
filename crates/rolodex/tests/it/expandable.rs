//! Expandable's newer API (seed 001, siblings 2) over real HTTP: the auth token, the seed's
//! create example sent as printed, update, get, query and delete in the same style, the
//! utility calls, every error the page lists, and one contact read back identically through
//! both generations and the native API.

use crate::support::TestApp;
use crate::support::expandable::{
    self as x, CLASSIC_RETURNED, DATA_SOURCE, EAPI_RECORD, PASSWORD, USER, acme, classic,
    classic_login, eapi, eapi_login, post_raw,
};
use reqwest::StatusCode;
use rolodex_domain::Role;
use serde_json::{Map, Value, json};
use std::time::Duration;

const AUTH_TOKEN_GET: &str = "/api/auth-token-get";
const CREATE: &str = "/api/customer-contact-create";
const UPDATE: &str = "/api/customer-contact-update";
const GET: &str = "/api/customer-contact-get";
const QUERY: &str = "/api/customer-contact-query";
const DELETE: &str = "/api/customer-contact-delete";
const API_VERSION_GET: &str = "/api/api-version-get";
const SERVER_TIME_GET: &str = "/api/server-time-get";
const DATA_SOURCES_GET: &str = "/api/data-sources-get";

/// Seed 001's "Example Request JSON", as printed.
const SEED_CREATE_EXAMPLE: &str = r#"{
  "CUSTOMER_ID": "ABCCORP",
  "CUST_CONTACT": "JHERNANDEZ",
  "FIRST_NAME": "Joseph",
  "LAST_NAME": "Hernandez",
  "PHONE_NO": "408-555-1212",
  "NOTES": "Notes can be up to 32,765 characters long.",
  "ATTACHMENTS": "http://www.expandable.com/|C:\\Expandable.docx",
  "AUTH_TOKEN": ""
}"#;

/// `body` with `AUTH_TOKEN` set to `token`.
fn with_token(token: &str, mut body: Value) -> Value {
    body["AUTH_TOKEN"] = token.into();
    body
}

/// A call that must succeed; its answer.
async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, answer) = eapi(app, path, &body).await;
    assert_eq!(status, StatusCode::OK, "{path} {body}: {answer}");
    answer
}

/// A call that must fail with `status` and `code`; its message.
async fn fails(app: &TestApp, path: &str, body: Value, status: StatusCode, code: &str) -> String {
    let (got, answer) = eapi(app, path, &body).await;
    let keys: Vec<&String> = answer
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["MESSAGE", "MESSAGE_CODE"], "{answer}");
    assert_eq!(
        (got, answer["MESSAGE_CODE"].as_str()),
        (status, Some(code)),
        "{path} {body}: {answer}"
    );
    answer["MESSAGE"].as_str().unwrap_or_default().to_owned()
}

async fn auth_token_get_issues_a_token_that_works_in_every_surface(app: TestApp) {
    acme(&app).await;
    let (status, _, text) = post_raw(
        &app,
        AUTH_TOKEN_GET,
        &[],
        json!({"DATA_SOURCE": "acme", "USER_NAME": USER, "PASSWORD": PASSWORD}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(x::keys(&text), ["AUTH_TOKEN"]);
    let token = serde_json::from_str::<Value>(&text).expect("JSON")["AUTH_TOKEN"]
        .as_str()
        .expect("a token")
        .to_owned();

    app.with_token(&token)
        .get("/v1/customers", StatusCode::OK)
        .await;
    let (status, _) = classic(
        &app,
        Some(&token),
        "/api/CustomerContact/Query",
        &json!({"CUSTOMER_ID": "ABCCORP"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let found = ok(
        &app,
        QUERY,
        with_token(&token, json!({"CUSTOMER_ID": "ABCCORP"})),
    )
    .await;
    assert_eq!(found, json!({"CUSTOMER_CONTACTS": []}));

    let message = fails(
        &app,
        AUTH_TOKEN_GET,
        json!({"DATA_SOURCE": DATA_SOURCE, "USER_NAME": USER, "PASSWORD": "wrong-password"}),
        StatusCode::INTERNAL_SERVER_ERROR,
        "LOGIN_FAILED",
    )
    .await;
    assert_eq!(message, "Login failed.");
    let message = fails(
        &app,
        AUTH_TOKEN_GET,
        json!({"USER_NAME": USER, "PASSWORD": PASSWORD}),
        StatusCode::INTERNAL_SERVER_ERROR,
        "REQUIRED",
    )
    .await;
    assert_eq!(message, "DATA_SOURCE is required.");
    fails(
        &app,
        AUTH_TOKEN_GET,
        json!({"DataSource": DATA_SOURCE, "UserName": USER, "Password": PASSWORD}),
        StatusCode::BAD_REQUEST,
        "INVALID_JSON",
    )
    .await;
}

async fn the_seed_create_example_sent_as_printed_returns_the_documented_record(app: TestApp) {
    let (native, customer) = acme(&app).await;
    let token = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;

    // As printed, the example's AUTH_TOKEN is empty: a client fills it in.
    let (status, _, text) = post_raw(&app, CREATE, &[], SEED_CREATE_EXAMPLE).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        json!({"MESSAGE": "Auth Token was not provided.", "MESSAGE_CODE": "AUTH_TOKEN_MISSING"})
    );

    let body = SEED_CREATE_EXAMPLE.replace(
        r#""AUTH_TOKEN": """#,
        &format!(r#""AUTH_TOKEN": "{token}""#),
    );
    let (status, _, text) = post_raw(&app, CREATE, &[], body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(x::keys(&text), EAPI_RECORD);
    let record: Value = serde_json::from_str(&text).expect("a record");
    x::all_strings(&record);

    let list = native
        .get(
            &format!("/v1/customers/{customer}/contacts"),
            StatusCode::OK,
        )
        .await;
    let view = &list["items"][0];
    let created_at = view["created_at"].as_str().expect("created_at");
    let mut expected = Map::new();
    for field in EAPI_RECORD {
        expected.insert(field.to_owned(), json!(""));
    }
    for (field, value) in [
        ("CUSTOMER_ID", "ABCCORP"),
        ("CUST_CONTACT", "JHERNANDEZ"),
        ("FIRST_NAME", "Joseph"),
        ("LAST_NAME", "Hernandez"),
        ("PHONE_NO", "408-555-1212"),
        ("NOTES", "Notes can be up to 32,765 characters long."),
        (
            "ATTACHMENTS",
            "http://www.expandable.com/|C:\\Expandable.docx",
        ),
        ("CREATED_BY", USER),
        ("MODIFIED_BY", USER),
        ("OPERATOR_ID", USER),
        ("DATE_CREATED", &created_at[..10]),
        ("DATE_MODIFIED", &created_at[..10]),
        ("DATE_LAST_UPDT", &created_at[..10]),
        ("TIME_LAST_UPDT", &created_at[11..19]),
    ] {
        expected.insert(field.to_owned(), json!(value));
    }
    assert_eq!(record, Value::Object(expected));

    let history = native
        .get(
            &format!("/v1/customers/{customer}/contacts/{}/history", view["id"]),
            StatusCode::OK,
        )
        .await;
    assert_eq!(history["items"][0]["surface"], "expandable");
    assert_eq!(history["items"][0]["change"], "create");
}

async fn a_contact_reads_back_identically_through_the_other_generation_and_the_native_api(
    app: TestApp,
) {
    let (native, customer) = acme(&app).await;
    let newer = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let older = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;

    let mut full = json!({
        "CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "CONTACT_STATUS": "A",
        "FIRST_NAME": "Joseph", "LAST_NAME": "Hernandez", "INITIAL": "R", "TITLE": "Buyer",
        "MAIL_STOP": "MS-4", "ADDRESS_1": "1 Main St", "ADDRESS_2": "Suite 2", "ADDRESS_3": "Bldg 3",
        "CITY": "San Jose", "STATE": "CA", "ZIP_CODE": "95131", "COUNTRY": "USA",
        "PHONE_NO": "408-555-1212", "FAX_NO": "408-555-1213", "CELL_PHONE_NO": "408-555-1214",
        "PAGER_NO": "408-555-1215", "E_MAIL": "jhernandez@abccorp.com",
        "E_MAIL_2": "joseph@home.example.com", "WEB_ADDRESS": "https://abccorp.com/",
        "NOTES": "Prefers mornings.", "ATTACHMENTS": "a.pdf|b.pdf"
    });
    for i in 1..=16 {
        full[format!("SOFCT_USER_{i}")] = json!(format!("v{i}"));
    }
    let created = ok(&app, CREATE, with_token(&newer, full.clone())).await;
    for (field, value) in full.as_object().expect("an object") {
        assert_eq!(&created[field], value, "{field}");
    }

    let keys = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ"});
    let (_, found) = classic(&app, Some(&older), "/api/CustomerContact/Query", &keys).await;
    let through_classic = &found[0];
    for field in EAPI_RECORD {
        assert_eq!(through_classic[field], created[field], "{field}");
    }
    assert_eq!(through_classic["SLX_ID"], "");
    assert_eq!(
        ok(&app, GET, with_token(&newer, keys.clone())).await,
        created
    );

    let list = native
        .get(
            &format!("/v1/customers/{customer}/contacts"),
            StatusCode::OK,
        )
        .await;
    let url = format!(
        "/v1/customers/{customer}/contacts/{}",
        list["items"][0]["id"]
    );
    let view = native.get(&url, StatusCode::OK).await;
    for (member, field) in [
        ("code", "CUST_CONTACT"),
        ("status", "CONTACT_STATUS"),
        ("first_name", "FIRST_NAME"),
        ("initial", "INITIAL"),
        ("last_name", "LAST_NAME"),
        ("title", "TITLE"),
        ("mail_stop", "MAIL_STOP"),
        ("address_1", "ADDRESS_1"),
        ("address_2", "ADDRESS_2"),
        ("address_3", "ADDRESS_3"),
        ("city", "CITY"),
        ("state", "STATE"),
        ("postal_code", "ZIP_CODE"),
        ("web_address", "WEB_ADDRESS"),
        ("notes", "NOTES"),
    ] {
        assert_eq!(view[member], created[field], "{member}");
    }
    assert_eq!(
        (&view["country"], &created["COUNTRY"]),
        (&json!("US"), &json!("USA")),
        "one country, each surface's code"
    );
    let phones: Vec<(&str, &str)> = view["phones"]
        .as_array()
        .expect("phones")
        .iter()
        .filter_map(|p| Some((p["type"].as_str()?, p["number"].as_str()?)))
        .collect();
    assert_eq!(
        phones,
        [
            ("business", "408-555-1212"),
            ("mobile", "408-555-1214"),
            ("fax", "408-555-1213"),
            ("pager", "408-555-1215")
        ]
    );
    assert_eq!(
        view["emails"],
        json!(["jhernandez@abccorp.com", "joseph@home.example.com"])
    );
    assert_eq!(view["attachments"], json!(["a.pdf", "b.pdf"]));
    assert_eq!(view["custom_fields"].as_object().map(Map::len), Some(16));
    assert_eq!(view["custom_fields"]["SOFCT_USER_16"], "v16");

    // The other way round: created through the classic API, read through the newer one.
    let (status, made) = classic(
        &app,
        Some(&older),
        "/api/CustomerContact/Create",
        &json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "KJONES", "FIRST_NAME": "Kim",
                "E_MAIL": "kim@abccorp.com", "FAX_NO": "1-800-FAX", "SOFCT_USER_7": "seven",
                "SLX_ID": "SLX-77", "ATTACHMENTS": "x.txt"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let kjones = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "KJONES"});
    let read = ok(&app, GET, with_token(&newer, kjones.clone())).await;
    for field in EAPI_RECORD {
        assert_eq!(read[field], made[field], "{field}");
    }

    // A field a generation cannot express survives its writes.
    let kjones_url = format!(
        "/v1/customers/{customer}/contacts/{}",
        native
            .get("/v1/contacts?external_id=SLX-77", StatusCode::OK)
            .await["items"][0]["id"]
    );
    native
        .patch(
            &kjones_url,
            json!({"salutation": "Dr.", "phones": [{"id": 1, "type": "fax", "number": "1-800-FAX"}, {"type": "home", "number": "555-0000"}],
                   "emails": ["kim@abccorp.com", "k2@x.com", "k3@x.com"], "custom_fields": {"rank": "A"}}),
            StatusCode::OK,
        )
        .await;
    let mut change = kjones.clone();
    change["CITY"] = json!("Reno");
    change["FAX_NO"] = json!("1-800-NEW");
    change["E_MAIL_2"] = json!("kim2@x.com");
    change["SOFCT_USER_7"] = json!("");
    ok(&app, UPDATE, with_token(&newer, change)).await;
    let after = native.get(&kjones_url, StatusCode::OK).await;
    assert_eq!(after["external_id"], "SLX-77");
    assert_eq!(after["salutation"], "Dr.");
    assert_eq!(
        after["phones"],
        json!([{"id": 1, "type": "fax", "number": "1-800-NEW"}, {"id": 2, "type": "home", "number": "555-0000"}])
    );
    assert_eq!(
        after["emails"],
        json!(["kim@abccorp.com", "kim2@x.com", "k3@x.com"])
    );
    assert_eq!(after["custom_fields"], json!({"rank": "A"}));

    let history = native
        .get(&format!("{kjones_url}/history"), StatusCode::OK)
        .await;
    let surfaces: Vec<&str> = history["items"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|i| i["surface"].as_str())
        .collect();
    assert_eq!(surfaces, ["expandable_classic", "native", "expandable"]);
}

async fn update_get_query_and_delete_work_in_the_same_style(app: TestApp) {
    acme(&app).await;
    let token = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let keys = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ"});
    let mut first = keys.clone();
    for (field, value) in [
        ("LAST_NAME", "Hernandez"),
        ("E_MAIL", "j@abccorp.com"),
        ("E_MAIL_2", "j@home.example.com"),
        ("PHONE_NO", "408-555-1212"),
        ("FAX_NO", "408-555-1213"),
    ] {
        first[field] = json!(value);
    }
    ok(&app, CREATE, with_token(&token, first)).await;

    let mut change = keys.clone();
    change["E_MAIL_2"] = json!("");
    change["FAX_NO"] = json!("408-555-0000");
    let (status, _, text) =
        post_raw(&app, UPDATE, &[], with_token(&token, change).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(x::keys(&text), EAPI_RECORD);
    let updated: Value = serde_json::from_str(&text).expect("a record");
    assert_eq!(
        (
            &updated["E_MAIL"],
            &updated["E_MAIL_2"],
            &updated["PHONE_NO"],
            &updated["FAX_NO"]
        ),
        (
            &json!("j@abccorp.com"),
            &json!(""),
            &json!("408-555-1212"),
            &json!("408-555-0000")
        )
    );
    let message = fails(
        &app,
        UPDATE,
        with_token(&token, keys.clone()),
        StatusCode::INTERNAL_SERVER_ERROR,
        "NOTHING_TO_UPDATE",
    )
    .await;
    assert!(
        message.starts_with("At least one field to update"),
        "{message}"
    );

    assert_eq!(
        ok(&app, GET, with_token(&token, keys.clone())).await,
        updated
    );
    let (status, _, text) = post_raw(
        &app,
        QUERY,
        &[],
        with_token(&token, json!({"FAX_NO": "408-555-0000"})).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(x::keys(&text), ["CUSTOMER_CONTACTS"]);
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        json!({"CUSTOMER_CONTACTS": [updated]})
    );
    let by_keys = ok(&app, QUERY, with_token(&token, keys.clone())).await;
    assert_eq!(
        by_keys["CUSTOMER_CONTACTS"].as_array().map(Vec::len),
        Some(1)
    );
    fails(
        &app,
        QUERY,
        with_token(&token, json!({})),
        StatusCode::INTERNAL_SERVER_ERROR,
        "NO_CRITERIA",
    )
    .await;
    for criterion in ["NOTES", "ATTACHMENTS", "SLX_ID"] {
        fails(
            &app,
            QUERY,
            with_token(&token, json!({criterion: "x"})),
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
        )
        .await;
    }

    assert_eq!(
        ok(&app, DELETE, with_token(&token, keys.clone())).await,
        json!({})
    );
    for path in [GET, DELETE] {
        fails(
            &app,
            path,
            with_token(&token, keys.clone()),
            StatusCode::INTERNAL_SERVER_ERROR,
            "CONTACT_NOT_FOUND",
        )
        .await;
    }
    let none = ok(&app, QUERY, with_token(&token, keys)).await;
    assert_eq!(none, json!({"CUSTOMER_CONTACTS": []}));
}

async fn every_error_the_create_page_lists_is_produced(app: TestApp) {
    acme(&app).await;
    let token = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let new = |extra: Value| {
        let mut body = with_token(
            &token,
            json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ"}),
        );
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        body
    };

    for (body, detail) in [
        (r#"{"CUSTOMER_ID": "#.to_owned(), "It is not valid JSON"),
        (r#""ABCCORP""#.to_owned(), "It must be a JSON object."),
        (
            new(json!({"SLX_ID": "S-1"})).to_string(),
            "'SLX_ID' is not accepted by this call.",
        ),
        (
            new(json!({"FIRST_NAME": 7})).to_string(),
            "'FIRST_NAME' must be a string.",
        ),
        (
            new(json!({"NICKNAME": "Joe"})).to_string(),
            "'NICKNAME' is not an accepted field.",
        ),
        (
            new(json!({"AUTH_TOKEN": 5})).to_string(),
            "'AUTH_TOKEN' must be a string.",
        ),
    ] {
        let (status, _, text) = post_raw(&app, CREATE, &[], body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {text}");
        let answer: Value = serde_json::from_str(&text).expect("a JSON error");
        assert_eq!(answer["MESSAGE_CODE"], "INVALID_JSON");
        let message = answer["MESSAGE"].as_str().expect("a MESSAGE");
        assert!(
            message.starts_with("Request JSON is invalid. ") && message.contains(detail),
            "{message}"
        );
    }

    let revoked = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    app.with_token(&revoked)
        .delete("/v1/auth/token", StatusCode::NO_CONTENT)
        .await;
    let body = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ"});
    for (token, message, code) in [
        (None, "Auth Token was not provided.", "AUTH_TOKEN_MISSING"),
        (
            Some(""),
            "Auth Token was not provided.",
            "AUTH_TOKEN_MISSING",
        ),
        (
            Some("ab"),
            "Auth Token is malformed.",
            "AUTH_TOKEN_MALFORMED",
        ),
        (
            Some("rdxs.not-a-real-token"),
            "Auth Token login failure.",
            "AUTH_TOKEN_LOGIN_FAILURE",
        ),
        (
            Some(revoked.as_str()),
            "Auth Token login failure.",
            "AUTH_TOKEN_LOGIN_FAILURE",
        ),
    ] {
        let body = token.map_or_else(|| body.clone(), |t| with_token(t, body.clone()));
        let got = fails(&app, CREATE, body, StatusCode::UNAUTHORIZED, code).await;
        assert_eq!(got, message);
    }

    for path in [
        AUTH_TOKEN_GET,
        CREATE,
        UPDATE,
        GET,
        QUERY,
        DELETE,
        API_VERSION_GET,
        SERVER_TIME_GET,
        DATA_SOURCES_GET,
    ] {
        for method in [
            reqwest::Method::GET,
            reqwest::Method::PUT,
            reqwest::Method::PATCH,
            reqwest::Method::DELETE,
        ] {
            let (status, headers, answer) =
                app.api.send(app.api.request(method.clone(), path)).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_eq!(headers["allow"], "POST");
            assert_eq!(
                answer,
                json!({"MESSAGE": "Request method must be POST.", "MESSAGE_CODE": "METHOD_NOT_ALLOWED"})
            );
        }
    }

    ok(&app, CREATE, new(json!({"LAST_NAME": "Hernandez"}))).await;
    for (body, code, message) in [
        (
            new(json!({})),
            "DUPLICATE",
            "CUST_CONTACT: another contact of this customer already has this code.",
        ),
        (
            with_token(
                &token,
                json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": ""}),
            ),
            "REQUIRED",
            "CUST_CONTACT is required.",
        ),
        (
            with_token(&token, json!({"CUSTOMER_ID": "NOPE", "CUST_CONTACT": "X"})),
            "CUSTOMER_NOT_FOUND",
            "Customer 'NOPE' was not found.",
        ),
    ] {
        let got = fails(&app, CREATE, body, StatusCode::INTERNAL_SERVER_ERROR, code).await;
        assert_eq!(got, message);
    }
    let message = fails(
        &app,
        CREATE,
        with_token(&token, json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "OTHER", "E_MAIL": "not-an-email", "ZIP_CODE": "z".repeat(40)})),
        StatusCode::INTERNAL_SERVER_ERROR,
        "VALIDATION",
    )
    .await;
    assert!(
        message.contains("E_MAIL: is not a valid email address")
            && message.contains("ZIP_CODE: must be at most 32 characters long"),
        "{message}"
    );

    app.add_member(DATA_SOURCE, "vera", Role::Viewer).await;
    let vera = eapi_login(&app, DATA_SOURCE, "vera", "vera-password").await;
    let mut change =
        json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "TITLE": "Boss"});
    change = with_token(&vera, change);
    fails(
        &app,
        UPDATE,
        change,
        StatusCode::INTERNAL_SERVER_ERROR,
        "FORBIDDEN",
    )
    .await;
    let read = ok(
        &app,
        GET,
        with_token(
            &vera,
            json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ"}),
        ),
    )
    .await;
    assert_eq!(read["TITLE"], "", "the viewer's update changed nothing");
}

#[tokio::test]
async fn an_expired_token_is_told_apart_in_the_same_style() {
    let app = TestApp::spawn_with_session_ttl(Duration::from_secs(1)).await;
    acme(&app).await;
    let token = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let message = fails(
        &app,
        QUERY,
        with_token(&token, json!({"CUSTOMER_ID": "ABCCORP"})),
        StatusCode::UNAUTHORIZED,
        "AUTH_TOKEN_EXPIRED",
    )
    .await;
    assert_eq!(message, "Auth Token is expired.");
}

async fn version_server_time_and_data_sources(app: TestApp) {
    acme(&app).await;
    let token = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;

    let version = json!({"API_VERSION": env!("CARGO_PKG_VERSION")});
    assert_eq!(ok(&app, API_VERSION_GET, json!({})).await, version);
    let (status, _, text) = post_raw(&app, API_VERSION_GET, &[], "").await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&text).ok()),
        (StatusCode::OK, Some(version))
    );
    fails(
        &app,
        API_VERSION_GET,
        json!({"VERBOSE": "Y"}),
        StatusCode::BAD_REQUEST,
        "INVALID_JSON",
    )
    .await;

    let time = ok(&app, SERVER_TIME_GET, with_token("ignored", json!({}))).await;
    let time = time["SERVER_TIME"].as_str().expect("SERVER_TIME");
    let created = app
        .with_token(&token)
        .post(
            "/v1/customers",
            json!({"code": "CLOCK"}),
            StatusCode::CREATED,
        )
        .await;
    let created_at = created["created_at"].as_str().expect("created_at");
    assert_eq!(time.len(), "2024-03-05T08:09:10Z".len(), "{time}");
    assert!(
        time.ends_with('Z') && time[..10] == created_at[..10],
        "{time} vs {created_at}"
    );

    fails(
        &app,
        DATA_SOURCES_GET,
        json!({}),
        StatusCode::UNAUTHORIZED,
        "AUTH_TOKEN_MISSING",
    )
    .await;
    let sources = ok(&app, DATA_SOURCES_GET, with_token(&token, json!({}))).await;
    assert_eq!(
        sources,
        json!({"DATA_SOURCES": [{"DATA_SOURCE": "ACME", "NAME": "ACME"}]})
    );
    let default = app
        .services
        .tenants
        .by_code("DEFAULT")
        .await
        .expect("DEFAULT")
        .id;
    app.services
        .users
        .join(default, USER, Role::Viewer)
        .await
        .expect("apiuser joins DEFAULT");
    let sources = ok(&app, DATA_SOURCES_GET, with_token(&token, json!({}))).await;
    let mut codes: Vec<&str> = sources["DATA_SOURCES"]
        .as_array()
        .expect("DATA_SOURCES")
        .iter()
        .filter_map(|s| s["DATA_SOURCE"].as_str())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["ACME", "DEFAULT"]);
    let in_default = eapi_login(&app, "DEFAULT", USER, PASSWORD).await;
    let (status, answer) = eapi(
        &app,
        QUERY,
        &with_token(&in_default, json!({"CUSTOMER_ID": "ABCCORP"})),
    )
    .await;
    assert_eq!(
        (status, answer),
        (StatusCode::OK, json!({"CUSTOMER_CONTACTS": []})),
        "each data source sees its own"
    );
}

async fn native_and_classic_tokens_work_as_auth_token(app: TestApp) {
    let (native, _) = acme(&app).await;
    let older = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    for (i, token) in [native.token.as_str(), older.as_str()]
        .into_iter()
        .enumerate()
    {
        let keys = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": format!("C{i}")});
        let mut body = keys.clone();
        body["LAST_NAME"] = json!("Any");
        let record = ok(&app, CREATE, with_token(token, body)).await;
        assert_eq!(record["CREATED_BY"], USER);
        let (_, found) = classic(&app, Some(&older), "/api/CustomerContact/Query", &keys).await;
        assert_eq!(found.as_array().map(Vec::len), Some(1));
        assert_eq!(x::keys(&found[0].to_string()).len(), CLASSIC_RETURNED.len());
    }
}

app_tests!(
    auth_token_get_issues_a_token_that_works_in_every_surface,
    the_seed_create_example_sent_as_printed_returns_the_documented_record,
    a_contact_reads_back_identically_through_the_other_generation_and_the_native_api,
    update_get_query_and_delete_work_in_the_same_style,
    every_error_the_create_page_lists_is_produced,
    version_server_time_and_data_sources,
    native_and_classic_tokens_work_as_auth_token,
);
