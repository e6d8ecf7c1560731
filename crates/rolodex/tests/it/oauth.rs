//! The OAuth 2.0 authorization server over real HTTP, as a browser and a client would use it:
//! the sign-in page and its form, the codes, the token endpoint's grants and refusals
//! (RFC 6749), and the access tokens on the native and CRO surfaces.

use crate::support::{ADMIN_PASSWORD, Cli, TestApp, TestClient};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, StatusCode};
use rolodex_domain::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const REDIRECT_URI: &str = "https://client.example/callback";
const STATE: &str = "state-0123456789";
/// A PKCE code verifier (43 to 128 unreserved characters).
const VERIFIER: &str = "verifier-0123456789-0123456789-0123456789-abcdef";

/// A registered client.
pub struct Client {
    pub id: i64,
    pub client_id: String,
    pub secret: String,
}

/// The S256 challenge of `verifier`.
fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Registers a client of the tenant `admin` acts in, sent back to [`REDIRECT_URI`] (or to
/// a second URI).
async fn register(admin: &TestClient, name: &str) -> Client {
    register_with(admin, name, &[REDIRECT_URI, "http://127.0.0.1:9/cb"]).await
}

/// Registers a client of the tenant `admin` acts in, with `redirect_uris`.
pub async fn register_with(admin: &TestClient, name: &str, redirect_uris: &[&str]) -> Client {
    let body = admin
        .post(
            "/v1/oauth-clients",
            json!({"name": name, "redirect_uris": redirect_uris}),
            StatusCode::CREATED,
        )
        .await;
    Client {
        id: body["id"].as_i64().expect("an id"),
        client_id: body["client_id"].as_str().expect("a client_id").to_owned(),
        secret: body["client_secret"]
            .as_str()
            .expect("the secret, once")
            .to_owned(),
    }
}

/// A browser: keeps no cookies of its own, follows no redirect.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// The authorization request of `client` with PKCE S256, as `name=value` pairs.
fn request(client: &Client) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("client_id", client.client_id.clone()),
        ("redirect_uri", REDIRECT_URI.into()),
        ("state", STATE.into()),
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".into()),
    ]
}

/// An answer: status, headers, body.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> String {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("a Location header ({}): {}", self.status, self.body))
            .to_owned()
    }

    /// The value of the hidden field `name`.
    fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker).expect("the field") + marker.len();
        let end = self.body[start..].find('"').expect("a closing quote") + start;
        self.body[start..end].to_owned()
    }
}

/// The query parameters of `url`.
fn query_of(url: &str) -> HashMap<String, String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    serde_urlencoded::from_str(query).expect("a query string")
}

async fn page(response: reqwest::Response) -> Page {
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.expect("a body"),
    }
}

/// `GET /oauth/authorize` with `params`.
async fn open(app: &TestApp, params: &[(&str, String)]) -> Page {
    let response = browser()
        .get(app.url("/oauth/authorize"))
        .query(params)
        .send()
        .await
        .expect("the server answers");
    page(response).await
}

/// Opens the page of `params`, then submits its form with `username`, `password` and
/// `decision`, as a browser would.
async fn submit(
    app: &TestApp,
    params: &[(&str, String)],
    username: &str,
    password: &str,
    decision: &str,
) -> Page {
    let shown = open(app, params).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let cookie = shown.headers["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("name=value")
        .to_owned();
    let mut form: Vec<(&str, String)> = params.to_vec();
    form.extend([
        ("csrf_token", shown.field("csrf_token")),
        ("username", username.to_owned()),
        ("password", password.to_owned()),
        ("decision", decision.to_owned()),
    ]);
    let response = browser()
        .post(app.url("/oauth/authorize"))
        .header("Cookie", cookie)
        .form(&form)
        .send()
        .await
        .expect("the server answers");
    page(response).await
}

/// The code `admin` grants to `params`' client.
async fn code_for(app: &TestApp, params: &[(&str, String)]) -> String {
    let answer = submit(app, params, "admin", ADMIN_PASSWORD, "allow").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let location = answer.location();
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    let query = query_of(&location);
    assert_eq!(query["state"], STATE);
    query["code"].clone()
}

/// `POST /oauth/token` with `form`, the client authenticated by HTTP Basic when `basic`.
async fn token(
    app: &TestApp,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.header(
            "Authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        );
    }
    let response = request.send().await.expect("the server answers");
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.json().await.expect("a JSON body");
    (status, headers, body)
}

/// The form exchanging `code` sent back to `redirect_uri`, with `verifier` if any.
fn code_form<'a>(
    code: &'a str,
    redirect_uri: &'a str,
    verifier: Option<&'a str>,
) -> Vec<(&'static str, &'a str)> {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    form.extend(verifier.map(|v| ("code_verifier", v)));
    form
}

/// Exchanges `code` with `verifier`, the client authenticated by HTTP Basic.
async fn exchange(
    app: &TestApp,
    client: &Client,
    code: &str,
    verifier: &str,
) -> (StatusCode, Value) {
    let form = code_form(code, REDIRECT_URI, Some(verifier));
    let (status, _, body) = token(app, Some((&client.client_id, &client.secret)), &form).await;
    (status, body)
}

/// Tokens for `admin`, by the whole flow.
async fn tokens(app: &TestApp, client: &Client) -> Value {
    let code = code_for(app, &request(client)).await;
    let (status, body) = exchange(app, client, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Refreshes with `refresh_token`, the client authenticated in the body.
async fn refresh(app: &TestApp, client: &Client, refresh_token: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", &client.client_id),
        ("client_secret", &client.secret),
    ];
    let (status, _, body) = token(app, None, &form).await;
    (status, body)
}

fn refused(answer: &(StatusCode, Value), status: StatusCode, error: &str) {
    assert_eq!(
        (answer.0, answer.1["error"].as_str()),
        (status, Some(error)),
        "{}",
        answer.1
    );
    assert!(answer.1["error_description"].is_string(), "{}", answer.1);
}

/// The status of `GET /v1/customers` with `access_token`.
async fn native_status(app: &TestApp, access_token: &str) -> StatusCode {
    let client = app.with_token(access_token);
    client
        .send(client.request(Method::GET, "/v1/customers"))
        .await
        .0
}

async fn the_code_flow_gives_tokens_that_every_surface_takes(app: TestApp) {
    let admin = app.admin().await;
    let client = register(&admin, "Dispatch <Board>").await;
    let shown = open(&app, &request(&client)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("Dispatch &#60;Board&#62;") && !shown.body.contains("<Board>"),
        "the name is escaped: {}",
        shown.body
    );
    assert!(shown.body.contains("DEFAULT"), "the tenant is named");
    assert!(shown.body.contains("<label for=\"password\">"));
    assert_eq!(shown.headers["x-frame-options"], "DENY");
    assert_eq!(shown.headers["cache-control"], "no-store");
    let cookie = shown.headers["set-cookie"].to_str().expect("ascii");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let code = code_for(&app, &request(&client)).await;
    let form = code_form(&code, REDIRECT_URI, Some(VERIFIER));
    let (status, headers, body) =
        token(&app, Some((&client.client_id, &client.secret)), &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let tenant = app
        .services
        .tenants
        .by_code("DEFAULT")
        .await
        .expect("DEFAULT");
    assert_eq!(body["tenant_id"], tenant.id.0);
    let access = body["access_token"].as_str().expect("an access token");
    assert!(access.len() <= 256 && body["refresh_token"].is_string());

    assert_eq!(native_status(&app, access).await, StatusCode::OK);
    let cro = app.with_token(access);
    let call = cro
        .request(Method::GET, "/tenants/")
        .header("x-tenant-id", tenant.id.0.to_string());
    let (status, _, tenants) = cro.send(call).await;
    assert_eq!(status, StatusCode::OK, "{tenants}");
    let customer = admin
        .post(
            "/v1/customers",
            json!({"code": "ACME"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .clone();
    let call = cro
        .request(Method::POST, &format!("/customers/{customer}/contacts"))
        .header("x-tenant-id", tenant.id.0.to_string())
        .header("Content-Type", "application/json")
        .body(r#"{"name": "Ada Lovelace"}"#);
    let (status, _, contact) = cro.send(call).await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
}

async fn a_redirect_uri_not_registered_is_never_redirected_to(app: TestApp) {
    let client = register(&app.admin().await, "Dispatch").await;
    let with = |name: &'static str, value: &str| {
        let mut params = request(&client);
        params.retain(|(n, _)| *n != name);
        params.push((name, value.to_owned()));
        params
    };
    for params in [
        with("redirect_uri", "https://evil.example/callback"),
        with("redirect_uri", "https://client.example/callback/"),
        with("client_id", "rdxc.unknown"),
    ] {
        let shown = open(&app, &params).await;
        assert_eq!(shown.status, StatusCode::BAD_REQUEST, "{params:?}");
        assert!(shown.headers.get(LOCATION).is_none());
        assert!(shown.body.contains("cannot be answered"), "{}", shown.body);
    }
    let mut twice = request(&client);
    twice.push(("redirect_uri", "https://evil.example/callback".into()));
    assert_eq!(open(&app, &twice).await.status, StatusCode::BAD_REQUEST);

    // At the token endpoint, the URI must be the one the code was sent to.
    let code = code_for(&app, &request(&client)).await;
    let form = code_form(&code, "http://127.0.0.1:9/cb", Some(VERIFIER));
    let (status, _, body) = token(&app, Some((&client.client_id, &client.secret)), &form).await;
    refused(&(status, body), StatusCode::BAD_REQUEST, "invalid_grant");
}

async fn a_short_or_missing_state_is_sent_back_as_invalid_request(app: TestApp) {
    let client = register(&app.admin().await, "Dispatch").await;
    for state in [Some("1234567"), None] {
        let mut params = request(&client);
        params.retain(|(n, _)| *n != "state");
        params.extend(state.map(|s| ("state", s.to_owned())));
        let answer = open(&app, &params).await;
        assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
        let location = answer.location();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        let query = query_of(&location);
        assert_eq!(query["error"], "invalid_request");
        assert!(query["error_description"].contains("state"));
        assert_eq!(query.get("state").map(String::as_str), state);
        assert!(!query.contains_key("code"));
    }
    let mut implicit = request(&client);
    implicit[0].1 = "token".into();
    let query = query_of(&open(&app, &implicit).await.location());
    assert_eq!(query["error"], "unsupported_response_type");
    assert_eq!(query["state"], STATE);
}

async fn a_reused_code_is_refused_and_revokes_what_it_bought(app: TestApp) {
    let client = register(&app.admin().await, "Dispatch").await;
    let code = code_for(&app, &request(&client)).await;
    let (status, first) = exchange(&app, &client, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let access = first["access_token"].as_str().expect("a token");
    assert_eq!(native_status(&app, access).await, StatusCode::OK);

    refused(
        &exchange(&app, &client, &code, VERIFIER).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    assert_eq!(native_status(&app, access).await, StatusCode::UNAUTHORIZED);
    let refresh_token = first["refresh_token"].as_str().expect("a refresh token");
    refused(
        &refresh(&app, &client, refresh_token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
}

async fn a_wrong_or_missing_verifier_is_refused(app: TestApp) {
    let client = register(&app.admin().await, "Dispatch").await;
    let code = code_for(&app, &request(&client)).await;
    let other = "other-verifier-0123456789-0123456789-0123456789";
    refused(
        &exchange(&app, &client, &code, other).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    let form = code_form(&code, REDIRECT_URI, None);
    let (status, _, body) = token(&app, Some((&client.client_id, &client.secret)), &form).await;
    refused(&(status, body), StatusCode::BAD_REQUEST, "invalid_grant");
    refused(
        &exchange(&app, &client, &code, "short").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    // The code was never redeemed: with its verifier, it still is good once.
    let (status, body) = exchange(&app, &client, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn plain_pkce_and_the_plain_code_grant_work_too(app: TestApp) {
    let client = register(&app.admin().await, "Dispatch").await;
    let mut plain = request(&client);
    plain.retain(|(n, _)| !n.starts_with("code_challenge"));
    plain.push(("code_challenge", VERIFIER.into()));
    let code = code_for(&app, &plain).await;
    assert_eq!(
        exchange(&app, &client, &code, VERIFIER).await.0,
        StatusCode::OK
    );

    plain.retain(|(n, _)| !n.starts_with("code_challenge"));
    let code = code_for(&app, &plain).await;
    let mut form = code_form(&code, REDIRECT_URI, None);
    form.extend([
        ("client_id", client.client_id.as_str()),
        ("client_secret", client.secret.as_str()),
    ]);
    let (status, _, body) = token(&app, None, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_wrong_client_secret_is_refused_with_a_challenge(app: TestApp) {
    let client = register(&app.admin().await, "Dispatch").await;
    let code = code_for(&app, &request(&client)).await;
    let form = code_form(&code, REDIRECT_URI, Some(VERIFIER));
    let (status, headers, body) = token(&app, Some((&client.client_id, "wrong")), &form).await;
    refused(&(status, body), StatusCode::UNAUTHORIZED, "invalid_client");
    assert!(
        headers["www-authenticate"]
            .to_str()
            .is_ok_and(|v| v.starts_with("Basic")),
        "{headers:?}"
    );
    let (status, _, body) = token(&app, None, &form).await;
    refused(&(status, body), StatusCode::UNAUTHORIZED, "invalid_client");
    let mut posted = form.clone();
    posted.extend([
        ("client_id", client.client_id.as_str()),
        ("client_secret", "wrong"),
    ]);
    let (status, _, body) = token(&app, None, &posted).await;
    refused(&(status, body), StatusCode::UNAUTHORIZED, "invalid_client");
    posted.pop();
    posted.push(("client_secret", client.secret.as_str()));
    let (status, _, body) = token(&app, Some((&client.client_id, &client.secret)), &posted).await;
    refused(&(status, body), StatusCode::BAD_REQUEST, "invalid_request");
    let password = [("grant_type", "password"), ("username", "admin")];
    let (status, _, body) = token(&app, Some((&client.client_id, &client.secret)), &password).await;
    refused(
        &(status, body),
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
    );
    // None of this spent the code.
    assert_eq!(
        exchange(&app, &client, &code, VERIFIER).await.0,
        StatusCode::OK
    );
}

async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_grant(app: TestApp) {
    let client = register(&app.admin().await, "Dispatch").await;
    let first = tokens(&app, &client).await;
    let old = first["refresh_token"].as_str().expect("a refresh token");
    let (status, second) = refresh(&app, &client, old).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let (access, new) = (
        second["access_token"].as_str().expect("a token"),
        second["refresh_token"].as_str().expect("a refresh token"),
    );
    assert_ne!(new, old, "rotated");
    assert_eq!(native_status(&app, access).await, StatusCode::OK);

    refused(
        &refresh(&app, &client, old).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    refused(
        &refresh(&app, &client, new).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    assert_eq!(native_status(&app, access).await, StatusCode::UNAUTHORIZED);
}

async fn another_tenant_s_clients_and_users_are_kept_apart(app: TestApp) {
    let admin = app.admin().await;
    let other = app.admin_of_new_tenant("OTHER", "olga").await;
    let theirs = register(&other, "Their dispatch").await;
    let ours = register(&admin, "Our dispatch").await;

    // DEFAULT's admin is no member of OTHER: the page asks again.
    let answer = submit(&app, &request(&theirs), "admin", ADMIN_PASSWORD, "allow").await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert!(answer.body.contains("not a member"), "{}", answer.body);
    assert!(answer.headers.get(LOCATION).is_none());

    let listed = admin.get("/v1/oauth-clients", StatusCode::OK).await;
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["client_id"].as_str())
        .collect();
    assert_eq!(ids, [ours.client_id.as_str()]);
    admin
        .delete(
            &format!("/v1/oauth-clients/{}", theirs.id),
            StatusCode::NOT_FOUND,
        )
        .await;

    // A token granted for DEFAULT does not act in OTHER, even for a member of both.
    let other_id = app
        .services
        .tenants
        .by_code("OTHER")
        .await
        .expect("OTHER")
        .id;
    app.services
        .users
        .join(other_id, "admin", Role::Viewer)
        .await
        .expect("admin joins OTHER");
    let access = tokens(&app, &ours).await["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let client = app.with_token(&access);
    let call = client
        .request(Method::GET, "/v1/customers")
        .header("X-Tenant-Id", other_id.0.to_string());
    assert_eq!(client.send(call).await.0, StatusCode::FORBIDDEN);
    // A code bought by one client cannot be redeemed by another.
    let code = code_for(&app, &request(&ours)).await;
    refused(
        &exchange(&app, &theirs, &code, VERIFIER).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
}

async fn deny_wrong_passwords_and_forged_forms_give_no_code(app: TestApp) {
    let client = register(&app.admin().await, "Dispatch").await;
    let denied = submit(&app, &request(&client), "", "", "deny").await;
    assert_eq!(denied.status, StatusCode::SEE_OTHER);
    let query = query_of(&denied.location());
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["state"], STATE);

    let wrong = submit(
        &app,
        &request(&client),
        "admin",
        "not-the-password",
        "allow",
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(
        wrong.body.contains("Wrong username or password"),
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains("value=\"admin\""),
        "the username is kept"
    );

    let mut forged: Vec<(&str, String)> = request(&client);
    forged.extend([
        ("csrf_token", "guess".to_owned()),
        ("username", "admin".to_owned()),
        ("password", ADMIN_PASSWORD.to_owned()),
        ("decision", "allow".to_owned()),
    ]);
    let answer = browser()
        .post(app.url("/oauth/authorize"))
        .form(&forged)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    assert!(answer.headers().get(LOCATION).is_none());
}

async fn revoking_a_client_ends_its_tokens(app: TestApp) {
    let admin = app.admin().await;
    let client = register(&admin, "Dispatch").await;
    let granted = tokens(&app, &client).await;
    let access = granted["access_token"].as_str().expect("a token");
    admin
        .delete(
            &format!("/v1/oauth-clients/{}", client.id),
            StatusCode::NO_CONTENT,
        )
        .await;
    assert_eq!(native_status(&app, access).await, StatusCode::UNAUTHORIZED);
    let refresh_token = granted["refresh_token"].as_str().expect("a refresh token");
    refused(
        &refresh(&app, &client, refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
    assert_eq!(
        open(&app, &request(&client)).await.status,
        StatusCode::BAD_REQUEST
    );
    let listed = admin.get("/v1/oauth-clients", StatusCode::OK).await;
    assert!(listed["items"][0]["revoked_at"].is_string(), "{listed}");
    assert!(listed["items"][0].get("client_secret").is_none());
}

async fn only_admins_manage_clients_and_uris_are_checked(app: TestApp) {
    let admin = app.admin().await;
    for uris in [
        json!([]),
        json!(["/relative"]),
        json!(["https://c.example/cb#x"]),
    ] {
        admin
            .post(
                "/v1/oauth-clients",
                json!({"name": "Dispatch", "redirect_uris": uris}),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
    }
    let dispatcher = app.member("dora", "dispatcher").await;
    dispatcher
        .get("/v1/oauth-clients", StatusCode::FORBIDDEN)
        .await;
    dispatcher
        .post(
            "/v1/oauth-clients",
            json!({"name": "Dispatch", "redirect_uris": [REDIRECT_URI]}),
            StatusCode::FORBIDDEN,
        )
        .await;
}

app_tests!(
    the_code_flow_gives_tokens_that_every_surface_takes,
    a_redirect_uri_not_registered_is_never_redirected_to,
    a_short_or_missing_state_is_sent_back_as_invalid_request,
    a_reused_code_is_refused_and_revokes_what_it_bought,
    a_wrong_or_missing_verifier_is_refused,
    plain_pkce_and_the_plain_code_grant_work_too,
    a_wrong_client_secret_is_refused_with_a_challenge,
    refresh_tokens_rotate_and_a_reused_one_revokes_the_grant,
    another_tenant_s_clients_and_users_are_kept_apart,
    deny_wrong_passwords_and_forged_forms_give_no_code,
    revoking_a_client_ends_its_tokens,
    only_admins_manage_clients_and_uris_are_checked,
);

#[tokio::test]
async fn the_cli_registers_lists_and_revokes_clients() {
    let app = TestApp::spawn().await;
    let cli = Cli::on(&app.database_url);
    let out = cli
        .ok(
            &[
                "oauth-client",
                "add",
                "Dispatch board",
                "--redirect-uri",
                REDIRECT_URI,
                "--tenant",
                "default",
            ],
            None,
        )
        .await;
    let value = |label: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("{label} in {out}"))
            .to_owned()
    };
    let client = Client {
        id: 0,
        client_id: value("client_id:"),
        secret: value("client_secret:"),
    };
    let granted = tokens(&app, &client).await;
    assert!(granted["access_token"].is_string());

    let list = cli
        .ok(&["oauth-client", "list", "--tenant", "DEFAULT"], None)
        .await;
    assert!(
        list.contains(&client.client_id) && list.contains("active"),
        "{list}"
    );
    assert!(!list.contains(&client.secret), "the secret is shown once");
    cli.ok(&["oauth-client", "revoke", &client.client_id], None)
        .await;
    let list = cli
        .ok(&["oauth-client", "list", "--tenant", "DEFAULT"], None)
        .await;
    assert!(list.contains("revoked"), "{list}");
    let err = cli
        .fails(&["oauth-client", "revoke", "rdxc.nope"], None)
        .await;
    assert!(err.contains("no OAuth client"), "{err}");
}
