//! Expandable's classic Web API (seed 000, siblings 1) over real HTTP: the login, the seed's
//! Update example sent as printed, Create, Query (Find and query by example), Delete, every
//! error the pages list, and tokens shared with the other surfaces.

use crate::support::TestApp;
use crate::support::expandable::{
    self as x, CLASSIC_RETURNED, DATA_SOURCE, PASSWORD, USER, acme, classic, classic_login,
    eapi_login, post_raw,
};
use reqwest::StatusCode;
use rolodex_domain::{ContactPatch, CustomerId, Patch, Role, Surface};
use serde_json::{Value, json};
use std::time::Duration;

const LOGIN: &str = "/api/Security/Login";
const CREATE: &str = "/api/CustomerContact/Create";
const UPDATE: &str = "/api/CustomerContact/Update";
const QUERY: &str = "/api/CustomerContact/Query";
const DELETE: &str = "/api/CustomerContact/Delete";

/// Seed 000's "Update Customer Contact Example", as printed.
const SEED_UPDATE_EXAMPLE: &str = r#"{
  "CUSTOMER_ID": "ABCCORP",
  "CUST_CONTACT": "JHERNANDEZ",
  "E_MAIL": "jhernandez@abccorp.com",
  "NOTES": "Notes can be up to 32,765 characters long.",
  "ATTACHMENTS": "http://www.expandable.com/|C:\\Expandable.docx"
}"#;

/// Creates a contact through the classic API and returns its record.
async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, record) = classic(app, Some(token), CREATE, &body).await;
    assert_eq!(status, StatusCode::OK, "create {body}: {record}");
    record
}

/// The `CUST_CONTACT`s a Query finds, sorted.
async fn found(app: &TestApp, token: &str, criteria: Value) -> Vec<String> {
    let (status, records) = classic(app, Some(token), QUERY, &criteria).await;
    assert_eq!(status, StatusCode::OK, "query {criteria}: {records}");
    let mut codes: Vec<String> = records
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|r| r["CUST_CONTACT"].as_str().expect("a code").to_owned())
        .collect();
    codes.sort();
    codes
}

async fn login_answers_with_the_token_in_the_auth_token_header_and_it_works_natively(app: TestApp) {
    acme(&app).await;
    let body = json!({"DataSource": "acme", "UserName": USER, "Password": PASSWORD});
    let (status, headers, text) = post_raw(&app, LOGIN, &[], body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(text, "{}");
    let token = headers["authtoken"].to_str().expect("an ASCII token");

    let customers = app
        .with_token(token)
        .get("/v1/customers", StatusCode::OK)
        .await;
    assert_eq!(customers["items"][0]["code"], "ABCCORP");
    let (status, records) =
        classic(&app, Some(token), QUERY, &json!({"CUSTOMER_ID": "ABCCORP"})).await;
    assert_eq!((status, records), (StatusCode::OK, json!([])));
}

async fn a_refused_login_is_a_500_that_does_not_say_why(app: TestApp) {
    acme(&app).await;
    let failed = json!({"Message": "Login failed.", "MessageCode": "LOGIN_FAILED"});
    for body in [
        json!({"DataSource": DATA_SOURCE, "UserName": USER, "Password": "wrong-password"}),
        json!({"DataSource": DATA_SOURCE, "UserName": "nobody", "Password": PASSWORD}),
    ] {
        let answer = classic(&app, None, LOGIN, &body).await;
        assert_eq!(answer, (StatusCode::INTERNAL_SERVER_ERROR, failed.clone()));
    }
    let (status, answer) = classic(
        &app,
        None,
        LOGIN,
        &json!({"DataSource": "ELSEWHERE", "UserName": USER, "Password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer["MessageCode"], "LOGIN_FAILED");
    let missing = classic(
        &app,
        None,
        LOGIN,
        &json!({"DataSource": DATA_SOURCE, "UserName": USER}),
    )
    .await;
    assert_eq!(
        missing,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"Message": "Password is required.", "MessageCode": "REQUIRED"})
        )
    );
    for body in [
        r#"{"DataSource": "#.to_owned(),
        json!({"DataSource": DATA_SOURCE, "UserName": USER, "Password": PASSWORD, "Tenant": "x"})
            .to_string(),
    ] {
        let (status, _, text) = post_raw(&app, LOGIN, &[], body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(text.contains("Request JSON is invalid."), "{text}");
    }

    let ghost =
        json!({"DataSource": DATA_SOURCE, "UserName": "ghost", "Password": "wrong-password"});
    for _ in 0..5 {
        let (_, answer) = classic(&app, None, LOGIN, &ghost).await;
        assert_eq!(answer, failed);
    }
    let (status, answer) = classic(&app, None, LOGIN, &ghost).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer["MessageCode"], "TOO_MANY_ATTEMPTS");
    assert!(
        answer["Message"]
            .as_str()
            .is_some_and(|m| m.contains("retry in")),
        "{answer}"
    );
}

async fn the_seed_update_example_sent_as_printed_changes_only_what_it_sends(app: TestApp) {
    let (native, customer) = acme(&app).await;
    let token = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let auth = [("AuthToken", token.as_str())];
    let (status, _, text) = post_raw(
        &app,
        CREATE,
        &auth,
        json!({
            "CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "FIRST_NAME": "Joseph",
            "LAST_NAME": "Hernandez", "PHONE_NO": "408-555-1212", "FAX_NO": "408-555-1213",
            "E_MAIL": "joe@old.example.com", "E_MAIL_2": "joseph@home.example.com",
            "CITY": "San Jose", "STATE": "CA", "ZIP_CODE": "95131", "COUNTRY": "US",
            "SOFCT_USER_1": "Gold", "SLX_ID": "SLX-0001"
        })
        .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(x::keys(&text), CLASSIC_RETURNED);
    let created: Value = serde_json::from_str(&text).expect("a record");

    let (status, _, text) = post_raw(&app, UPDATE, &auth, SEED_UPDATE_EXAMPLE).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(x::keys(&text), CLASSIC_RETURNED);
    let updated: Value = serde_json::from_str(&text).expect("a record");
    x::all_strings(&updated);
    assert_eq!(updated["E_MAIL"], "jhernandez@abccorp.com");
    assert_eq!(
        updated["NOTES"],
        "Notes can be up to 32,765 characters long."
    );
    assert_eq!(
        updated["ATTACHMENTS"],
        "http://www.expandable.com/|C:\\Expandable.docx"
    );
    let changed = [
        "E_MAIL",
        "NOTES",
        "ATTACHMENTS",
        "DATE_MODIFIED",
        "DATE_LAST_UPDT",
        "TIME_LAST_UPDT",
    ];
    for field in CLASSIC_RETURNED.iter().filter(|f| !changed.contains(f)) {
        assert_eq!(updated[field], created[field], "{field} must not change");
    }
    for (field, value) in [
        ("E_MAIL_2", "joseph@home.example.com"),
        ("FAX_NO", "408-555-1213"),
        ("SOFCT_USER_1", "Gold"),
        ("SLX_ID", "SLX-0001"),
        ("CREATED_BY", USER),
        ("MODIFIED_BY", USER),
        ("OPERATOR_ID", USER),
        ("TITLE", ""),
    ] {
        assert_eq!(updated[field], value, "{field}");
    }

    let list = native
        .get(
            &format!("/v1/customers/{customer}/contacts"),
            StatusCode::OK,
        )
        .await;
    let view = &list["items"][0];
    let created_at = view["created_at"].as_str().expect("created_at");
    let updated_at = view["updated_at"].as_str().expect("updated_at");
    assert_eq!(updated["DATE_CREATED"], created_at[..10]);
    assert_eq!(updated["DATE_MODIFIED"], updated_at[..10]);
    assert_eq!(updated["DATE_LAST_UPDT"], updated_at[..10]);
    assert_eq!(updated["TIME_LAST_UPDT"], updated_at[11..19]);
    assert_eq!(
        view["emails"],
        json!(["jhernandez@abccorp.com", "joseph@home.example.com"])
    );
    assert_eq!(
        view["attachments"],
        json!(["http://www.expandable.com/", "C:\\Expandable.docx"])
    );

    let history = native
        .get(
            &format!("/v1/customers/{customer}/contacts/{}/history", view["id"]),
            StatusCode::OK,
        )
        .await;
    let items = history["items"].as_array().expect("history items");
    let surfaces: Vec<&str> = items.iter().filter_map(|i| i["surface"].as_str()).collect();
    assert_eq!(surfaces, ["expandable_classic", "expandable_classic"]);
    assert_eq!(items[1]["username"], USER);
    let fields: Vec<&str> = items[1]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert_eq!(fields, ["attachments", "emails", "notes"]);
}

async fn every_error_the_update_page_lists_is_produced_and_changes_nothing(app: TestApp) {
    acme(&app).await;
    let token = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let auth = [("AuthToken", token.as_str())];
    create(
        &app,
        &token,
        json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "LAST_NAME": "Hernandez", "COUNTRY": "US"}),
    )
    .await;

    let keys = r#""CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ""#;
    let big = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "NOTES": "n".repeat(1_100_000)});
    for (body, detail) in [
        (r#"{"CUSTOMER_ID": "#.to_owned(), "It is not valid JSON"),
        ("[]".to_owned(), "It must be a JSON object."),
        (
            format!(r#"{{{keys}, "ZIP_CODE": 95131}}"#),
            "'ZIP_CODE' must be a string.",
        ),
        (
            format!(r#"{{{keys}, "NICKNAME": "Joe"}}"#),
            "'NICKNAME' is not an accepted field.",
        ),
        (
            format!(r#"{{{keys}, "AUTH_TOKEN": "x"}}"#),
            "'AUTH_TOKEN' is not an accepted field.",
        ),
        (big.to_string(), "The body is larger than"),
    ] {
        let (status, _, text) = post_raw(&app, UPDATE, &auth, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:.80}: {text}");
        let answer: Value = serde_json::from_str(&text).expect("a JSON error");
        assert_eq!(answer["MessageCode"], "INVALID_JSON");
        let message = answer["Message"].as_str().expect("a Message");
        assert!(
            message.starts_with("Request JSON is invalid. ") && message.contains(detail),
            "{message}"
        );
    }

    let body = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "TITLE": "Buyer"});
    let revoked = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    app.with_token(&revoked)
        .delete("/v1/auth/token", StatusCode::NO_CONTENT)
        .await;
    for (header, message, code) in [
        (None, "AuthToken was not provided.", "AUTH_TOKEN_MISSING"),
        (
            Some(""),
            "AuthToken was not provided.",
            "AUTH_TOKEN_MISSING",
        ),
        (
            Some("ab"),
            "AuthToken is malformed.",
            "AUTH_TOKEN_MALFORMED",
        ),
        (
            Some("rdxs.not-a-real-token"),
            "AuthToken login failure.",
            "AUTH_TOKEN_LOGIN_FAILURE",
        ),
        (
            Some(revoked.as_str()),
            "AuthToken login failure.",
            "AUTH_TOKEN_LOGIN_FAILURE",
        ),
    ] {
        let answer = classic(&app, header, UPDATE, &body).await;
        assert_eq!(
            answer,
            (
                StatusCode::UNAUTHORIZED,
                json!({"Message": message, "MessageCode": code})
            ),
            "{header:?}"
        );
    }

    for (body, code, message) in [
        (
            json!({"CUSTOMER_ID": "NOPE", "CUST_CONTACT": "JHERNANDEZ", "TITLE": "x"}),
            "CUSTOMER_NOT_FOUND",
            "Customer 'NOPE' was not found.",
        ),
        (
            json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "NOBODY", "TITLE": "x"}),
            "CONTACT_NOT_FOUND",
            "Customer Contact 'NOBODY' of customer 'ABCCORP' was not found.",
        ),
        (
            json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ"}),
            "NOTHING_TO_UPDATE",
            "At least one field to update is required besides CUSTOMER_ID and CUST_CONTACT.",
        ),
        (
            json!({"CUST_CONTACT": "JHERNANDEZ", "TITLE": "x"}),
            "REQUIRED",
            "CUSTOMER_ID is required.",
        ),
    ] {
        let answer = classic(&app, Some(&token), UPDATE, &body).await;
        assert_eq!(
            answer,
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"Message": message, "MessageCode": code})
            )
        );
    }
    let (status, answer) = classic(
        &app,
        Some(&token),
        UPDATE,
        &json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "COUNTRY": "Narnia", "E_MAIL": "not-an-email", "TITLE": "Buyer"}),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer["MessageCode"], "VALIDATION");
    let message = answer["Message"].as_str().expect("a Message");
    assert!(
        message.contains("COUNTRY: 'Narnia' is not a country")
            && message.contains("E_MAIL: is not a valid email address"),
        "{message}"
    );

    app.add_member(DATA_SOURCE, "vera", Role::Viewer).await;
    let vera = classic_login(&app, DATA_SOURCE, "vera", "vera-password").await;
    let (status, answer) = classic(&app, Some(&vera), UPDATE, &body).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer["MessageCode"], "FORBIDDEN");
    let visible = found(&app, &vera, json!({"CUSTOMER_ID": "ABCCORP"})).await;
    assert_eq!(visible, ["JHERNANDEZ"], "a viewer reads");

    let (_, now) = classic(
        &app,
        Some(&token),
        QUERY,
        &json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ"}),
    )
    .await;
    assert_eq!(
        (&now[0]["TITLE"], &now[0]["COUNTRY"], &now[0]["E_MAIL"]),
        (&json!(""), &json!("USA"), &json!("")),
        "nothing changed"
    );
}

#[tokio::test]
async fn an_expired_token_is_told_apart() {
    let app = TestApp::spawn_with_session_ttl(Duration::from_secs(1)).await;
    acme(&app).await;
    let token = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let answer = classic(
        &app,
        Some(&token),
        QUERY,
        &json!({"CUSTOMER_ID": "ABCCORP"}),
    )
    .await;
    assert_eq!(
        answer,
        (
            StatusCode::UNAUTHORIZED,
            json!({"Message": "AuthToken is expired.", "MessageCode": "AUTH_TOKEN_EXPIRED"})
        )
    );
}

async fn create_needs_both_keys_and_refuses_duplicates(app: TestApp) {
    acme(&app).await;
    let token = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let (status, _, text) = post_raw(
        &app,
        CREATE,
        &[("AuthToken", token.as_str())],
        json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "SLX_ID": "S-1"})
            .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(x::keys(&text), CLASSIC_RETURNED);

    for (body, code, message) in [
        (
            json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "jhernandez"}),
            "DUPLICATE",
            "CUST_CONTACT: another contact of this customer already has this code.",
        ),
        (
            json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "OTHER", "SLX_ID": "s-1"}),
            "DUPLICATE",
            "SLX_ID: another contact already has this external id.",
        ),
        (
            json!({"CUSTOMER_ID": "ABCCORP", "FIRST_NAME": "Ann"}),
            "REQUIRED",
            "CUST_CONTACT is required.",
        ),
        (
            json!({"CUSTOMER_ID": "NOPE", "CUST_CONTACT": "X"}),
            "CUSTOMER_NOT_FOUND",
            "Customer 'NOPE' was not found.",
        ),
    ] {
        let answer = classic(&app, Some(&token), CREATE, &body).await;
        assert_eq!(
            answer,
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"Message": message, "MessageCode": code})
            ),
            "{body}"
        );
    }
}

async fn query_finds_one_by_its_keys_and_many_by_example(app: TestApp) {
    let (native, customer) = acme(&app).await;
    let token = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    for (code, last, state, city, title) in [
        ("JHERNANDEZ", "Hernandez", "CA", "San Jose", ""),
        ("MSMITH", "Smith", "NV", "Reno", ""),
        ("AHILL", "Hill", "AZ", "Tucson", "Buyer"),
    ] {
        create(
            &app,
            &token,
            json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": code, "LAST_NAME": last,
                   "STATE": state, "CITY": city, "TITLE": title}),
        )
        .await;
    }

    let (status, _, text) = post_raw(
        &app,
        QUERY,
        &[("AuthToken", token.as_str())],
        json!({"CUSTOMER_ID": "abccorp", "CUST_CONTACT": "jhernandez"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let records: Vec<x::OrderedKeys> = serde_json::from_str(&text).expect("an array");
    assert_eq!(
        records,
        [x::OrderedKeys(CLASSIC_RETURNED.map(String::from).to_vec())]
    );
    let records: Value = serde_json::from_str(&text).expect("an array");
    assert_eq!(records[0]["CUST_CONTACT"], "JHERNANDEZ");
    assert_eq!(records[0]["CUSTOMER_ID"], "ABCCORP");

    let today = native
        .get(
            &format!("/v1/customers/{customer}/contacts"),
            StatusCode::OK,
        )
        .await["items"][0]["created_at"]
        .as_str()
        .expect("created_at")[..10]
        .to_owned();
    let all = ["AHILL", "JHERNANDEZ", "MSMITH"];
    let none: [&str; 0] = [];
    for (criteria, expected) in [
        (
            json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "NOBODY"}),
            &none[..],
        ),
        (
            json!({"CUSTOMER_ID": "NOPE", "CUST_CONTACT": "JHERNANDEZ"}),
            &none[..],
        ),
        (
            json!({"STATE": "IN 'CA','NV'"}),
            &["JHERNANDEZ", "MSMITH"][..],
        ),
        (json!({"STATE": "NOT IN ('CA', 'NV')"}), &["AHILL"][..]),
        (
            json!({"STATE": "<> 'CA'", "LAST_NAME": "LIKE 'H%'"}),
            &["AHILL"][..],
        ),
        (
            json!({"LAST_NAME": "like 'h%'"}),
            &["AHILL", "JHERNANDEZ"][..],
        ),
        (json!({"CITY": "san jose"}), &["JHERNANDEZ"][..]),
        (json!({"STATE": "> 'CA'"}), &["MSMITH"][..]),
        (json!({"TITLE": "= ''"}), &["JHERNANDEZ", "MSMITH"][..]),
        (
            json!({"CUSTOMER_ID": "ABCCORP", "CITY": "", "STATE": null}),
            &all[..],
        ),
        (json!({"CREATED_BY": USER, "DATE_CREATED": today}), &all[..]),
        (json!({"DATE_CREATED": format!("<= {today}")}), &all[..]),
        (json!({"DATE_LAST_UPDT": format!("> '{today}'")}), &none[..]),
        (json!({"MODIFIED_BY": "someone-else"}), &none[..]),
    ] {
        assert_eq!(
            found(&app, &token, criteria.clone()).await,
            expected,
            "{criteria}"
        );
    }

    for (criteria, status, code) in [
        (
            json!({"NOTES": "x"}),
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
        ),
        (
            json!({"ATTACHMENTS": "x"}),
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
        ),
        (json!({}), StatusCode::INTERNAL_SERVER_ERROR, "NO_CRITERIA"),
        (
            json!({"STATE": "IN 'CA"}),
            StatusCode::INTERNAL_SERVER_ERROR,
            "INVALID_CRITERION",
        ),
        (
            json!({"DATE_CREATED": "<> 2024-01-01"}),
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNSUPPORTED_CRITERION",
        ),
        // More values than a database takes as parameters of one statement.
        (
            json!({"STATE": format!("IN {}", vec!["'CA'"; 40_000].join(","))}),
            StatusCode::INTERNAL_SERVER_ERROR,
            "VALIDATION",
        ),
    ] {
        let (got, answer) = classic(&app, Some(&token), QUERY, &criteria).await;
        assert_eq!(
            (got, answer["MessageCode"].as_str()),
            (status, Some(code)),
            "{criteria}: {answer}"
        );
    }
}

async fn a_query_returns_every_match_beyond_one_page(app: TestApp) {
    let (native, _) = acme(&app).await;
    let bulk = native
        .post(
            "/v1/customers",
            json!({"code": "BULK"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .expect("a customer id");
    let caller = app
        .services
        .auth
        .authenticate(&native.token, None, Surface::Native)
        .await
        .expect("apiuser's caller");
    for i in 0..205 {
        let patch = ContactPatch {
            code: Patch::Set(format!("C{i:03}")),
            ..ContactPatch::default()
        };
        app.services
            .contacts
            .create(&caller, CustomerId(bulk), patch)
            .await
            .expect("a contact");
    }
    let token = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    let (status, records) =
        classic(&app, Some(&token), QUERY, &json!({"CUSTOMER_ID": "BULK"})).await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> = records
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|r| r["CUST_CONTACT"].as_str())
        .collect();
    let expected: Vec<String> = (0..205).map(|i| format!("C{i:03}")).collect();
    assert_eq!(codes, expected);
}

async fn delete_takes_the_two_keys_and_answers_an_empty_object(app: TestApp) {
    let (native, customer) = acme(&app).await;
    let token = classic_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    create(
        &app,
        &token,
        json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "LAST_NAME": "Hernandez"}),
    )
    .await;
    let keys = json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ"});
    let (status, answer) = classic(
        &app,
        Some(&token),
        DELETE,
        &json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "LAST_NAME": "x"}),
    )
    .await;
    assert_eq!(
        (status, answer["MessageCode"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_JSON"))
    );

    let (status, _, text) = post_raw(
        &app,
        DELETE,
        &[("AuthToken", token.as_str())],
        keys.to_string(),
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "{}"));
    assert!(found(&app, &token, keys.clone()).await.is_empty());
    let again = classic(&app, Some(&token), DELETE, &keys).await;
    assert_eq!(again.0, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(again.1["MessageCode"], "CONTACT_NOT_FOUND");
    let list = native
        .get(
            &format!("/v1/customers/{customer}/contacts"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(list["items"], json!([]));
}

async fn other_methods_get_a_405_in_the_classic_envelope(app: TestApp) {
    for path in [LOGIN, CREATE, UPDATE, QUERY, DELETE] {
        for method in [
            reqwest::Method::GET,
            reqwest::Method::PUT,
            reqwest::Method::DELETE,
        ] {
            let (status, headers, body) = app.api.send(app.api.request(method.clone(), path)).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_eq!(headers["allow"], "POST");
            assert_eq!(
                body,
                json!({
                    "Message": format!("The requested resource does not support http method '{method}'."),
                    "MessageCode": "METHOD_NOT_ALLOWED"
                })
            );
        }
    }
}

async fn native_and_newer_api_tokens_work_in_the_auth_token_header(app: TestApp) {
    let (native, _) = acme(&app).await;
    let newer = eapi_login(&app, DATA_SOURCE, USER, PASSWORD).await;
    for (i, token) in [native.token.as_str(), newer.as_str()]
        .into_iter()
        .enumerate()
    {
        let record = create(
            &app,
            token,
            json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": format!("C{i}"), "LAST_NAME": "Any"}),
        )
        .await;
        assert_eq!(record["CREATED_BY"], USER);
        let (_, answer) = classic(
            &app,
            Some(token),
            DELETE,
            &json!({"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": record["CUST_CONTACT"]}),
        )
        .await;
        assert_eq!(answer, json!({}));
    }
}

app_tests!(
    login_answers_with_the_token_in_the_auth_token_header_and_it_works_natively,
    a_refused_login_is_a_500_that_does_not_say_why,
    the_seed_update_example_sent_as_printed_changes_only_what_it_sends,
    every_error_the_update_page_lists_is_produced_and_changes_nothing,
    create_needs_both_keys_and_refuses_duplicates,
    query_finds_one_by_its_keys_and_many_by_example,
    a_query_returns_every_match_beyond_one_page,
    delete_takes_the_two_keys_and_answers_an_empty_object,
    other_methods_get_a_405_in_the_classic_envelope,
    native_and_newer_api_tokens_work_in_the_auth_token_header,
);
