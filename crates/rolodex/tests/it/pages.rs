//! The pages for people, driven in a real headless Chromium through WebDriver (Debian's
//! `chromium` and `chromium-driver`): sign in, search as you type, open a contact, edit it,
//! meet a field error and a concurrent change, upload a photo, restore a field from history,
//! sign out; a viewer finds no edit control and is refused by the server anyway.
//!
//! Without `chromedriver` on the PATH the browser test is skipped with a message (and fails
//! under CI). `ROLODEX_SCREENSHOTS=DIR` saves the pages it passes through as PNG files.
//! The forms' defences (CSRF, the session cookie's attributes, roles) are also checked over
//! plain HTTP.

use crate::support::{ADMIN_PASSWORD, TestApp, images};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

app_tests!(
    a_person_works_with_contacts_in_a_browser,
    forms_without_the_sessions_token_change_nothing,
    sign_in_sets_a_guarded_session_cookie,
    admins_manage_users_keys_and_oauth_clients,
    a_long_history_is_shown_newest_first_a_page_at_a_time,
);

/// A chromedriver on a free loopback port, stopped when dropped with the browsers it
/// started (a process group of their own), even when a test fails half-way.
struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

fn skip(why: &str) -> Option<Driver> {
    assert!(
        std::env::var_os("CI").is_none(),
        "the browser test cannot run under CI: {why}"
    );
    let _ = writeln!(std::io::stderr(), "skipped: the browser test: {why}");
    None
}

async fn driver() -> Option<Driver> {
    let port = match TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(address) => address.port(),
        Err(e) => return skip(&format!("no free port: {e}")),
    };
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match child {
        Ok(child) => child,
        Err(e) => {
            return skip(&format!(
                "chromedriver cannot start ({e}); install chromium-driver"
            ));
        }
    };
    let profile = tempfile::tempdir().expect("a profile folder");
    let driver = Driver {
        child,
        port,
        _profile: profile,
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(driver);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    skip("chromedriver did not start listening")
}

async fn browser(driver: &Driver) -> Client {
    let profile = driver._profile.path().display().to_string();
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": chromium(),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1200,900", format!("--user-data-dir={profile}")
            ]
        }
    });
    let capabilities = match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    };
    let mut builder = ClientBuilder::new(HttpConnector::new());
    builder.capabilities(capabilities);
    builder
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session")
}

fn chromium() -> String {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .unwrap_or("/usr/bin/chromium")
    .to_owned()
}

/// Saves what the browser shows as `name`.png when `ROLODEX_SCREENSHOTS` names a folder.
async fn screenshot(browser: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("ROLODEX_SCREENSHOTS") {
        let png = browser.screenshot().await.expect("a screenshot");
        std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png).expect("saved");
    }
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
        .text()
        .await
        .expect("its text")
}

/// Waits until an element `css` shows `expected` (the page may still be the previous one
/// when this is called: a form was just sent).
async fn shows(browser: &Client, css: &str, expected: &str) {
    let mut seen = String::new();
    for _ in 0..100 {
        if let Ok(element) = browser.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if text.contains(expected) {
                return;
            }
            seen = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} does not show {expected:?}; it shows {seen:?}");
}

async fn fill(browser: &Client, css: &str, value: &str) {
    let input = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} is on the page: {e}"));
    input.clear().await.expect("cleared");
    input.send_keys(value).await.expect("typed");
}

async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
        .click()
        .await
        .expect("clicked");
}

/// The value of the input `css`.
async fn value_of(browser: &Client, css: &str) -> String {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
        .prop("value")
        .await
        .expect("a value")
        .unwrap_or_default()
}

async fn sign_in(browser: &Client, app: &TestApp, username: &str, password: &str) {
    browser.goto(&app.url("/app/login")).await.expect("opened");
    fill(browser, "#username", username).await;
    fill(browser, "#password", password).await;
    click(browser, "form button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::Css("#sign-out"))
        .await
        .expect("signed in");
}

async fn a_person_works_with_contacts_in_a_browser(app: TestApp) {
    let Some(driver) = driver().await else { return };
    let api = app.admin().await;
    let customer = api
        .post(
            "/v1/customers",
            json!({"code": "ABCCORP", "name": "ABC Corporation"}),
            201,
        )
        .await;
    let customer_id = customer["id"].as_i64().expect("an id");
    let contact = api
        .post(
            &format!("/v1/customers/{customer_id}/contacts"),
            json!({"first_name": "Juan", "last_name": "Hernandez", "city": "Chicago",
                   "title": "Buyer", "emails": ["juan@abc.example"],
                   "phones": [{"type": "business", "number": "+1 312 555 0100"}]}),
            201,
        )
        .await;
    let id = contact["id"].as_i64().expect("an id");
    let other = api
        .post(
            "/v1/customers",
            json!({"code": "XYZ", "name": "XYZ Freight"}),
            201,
        )
        .await;
    api.post(
        &format!("/v1/customers/{}/contacts", other["id"]),
        json!({"first_name": "Rosa", "last_name": "Hernando"}),
        201,
    )
    .await;
    let contact_path = format!("/v1/customers/{customer_id}/contacts/{id}");
    app.add_member("DEFAULT", "vera", rolodex_domain::Role::Viewer)
        .await;

    let browser = browser(&driver).await;
    // Signed out, a page sends to the sign-in form, which comes back to it.
    browser
        .goto(&app.url("/app/customers"))
        .await
        .expect("opened");
    text_of(&browser, "#username").await;
    fill(&browser, "#username", "admin").await;
    fill(&browser, "#password", "wrong").await;
    click(&browser, "form button[type=submit]").await;
    assert!(
        text_of(&browser, "#sign-in-error")
            .await
            .contains("Wrong username or password")
    );
    fill(&browser, "#password", ADMIN_PASSWORD).await;
    click(&browser, "form button[type=submit]").await;
    shows(&browser, "h1", "Customers").await;

    // Search as you type: the rows change without the form being sent.
    browser
        .goto(&app.url("/app/contacts"))
        .await
        .expect("opened");
    fill(&browser, "#q", "hern").await;
    browser
        .wait()
        .for_url(&url_with(&app, "/app/contacts?q=hern"))
        .await
        .expect("the address follows the search");
    let rows = text_of(&browser, "#contact-rows").await;
    assert!(
        rows.contains("Juan Hernandez") && rows.contains("ABC Corporation"),
        "{rows}"
    );
    screenshot(&browser, "contacts").await;
    fill(&browser, "#q", "nobody-has-this-name").await;
    browser
        .wait()
        .for_element(Locator::Css("#contact-rows td.empty"))
        .await
        .expect("no rows for a name nobody has");
    fill(&browser, "#q", "juan").await;
    browser
        .wait()
        .for_element(Locator::LinkText("Juan Hernandez"))
        .await
        .expect("found again")
        .click()
        .await
        .expect("opened");
    let page = text_of(&browser, "dl.fields").await;
    assert!(
        page.contains("Chicago") && page.contains("+1 312 555 0100"),
        "{page}"
    );
    screenshot(&browser, "contact").await;

    // An edit with a bad email is refused with the error beside the emails.
    click(&browser, "#edit").await;
    fill(&browser, "#f-city", "Boston").await;
    fill(&browser, "#f-emails", "not-an-email").await;
    click(&browser, "#save").await;
    let error = text_of(&browser, ".field.invalid .field-error").await;
    assert!(!error.is_empty());
    assert_eq!(value_of(&browser, "#f-city").await, "Boston");
    let stored = api.get(&contact_path, 200).await;
    assert_eq!(stored["city"], "Chicago", "nothing was written");

    // Someone else changes the contact meanwhile: saving shows what they changed and keeps
    // both changes, only once the person saves again.
    api.patch(&contact_path, json!({"title": "Head of purchasing"}), 200)
        .await;
    fill(&browser, "#f-emails", "juan@abc.example").await;
    click(&browser, "#save").await;
    let conflict = text_of(&browser, "#conflict").await;
    assert!(conflict.contains("admin changed title"), "{conflict}");
    assert_eq!(value_of(&browser, "#f-title").await, "Head of purchasing");
    assert_eq!(value_of(&browser, "#f-city").await, "Boston");
    assert_eq!(api.get(&contact_path, 200).await["city"], "Chicago");
    screenshot(&browser, "concurrent-change").await;
    click(&browser, "#save").await;
    shows(&browser, "p.flash", "Saved").await;
    let stored = api.get(&contact_path, 200).await;
    assert_eq!(
        (stored["city"].as_str(), stored["title"].as_str()),
        (Some("Boston"), Some("Head of purchasing"))
    );

    // A photo, previewed before it is sent.
    let photo = tempfile::Builder::new()
        .suffix(".png")
        .tempfile()
        .expect("a file");
    std::fs::write(photo.path(), images::png(320, 240)).expect("written");
    browser
        .find(Locator::Css("#photo-file"))
        .await
        .expect("a file input")
        .send_keys(&photo.path().display().to_string())
        .await
        .expect("chosen");
    let preview_shown: Value = browser
        .execute(
            "const p = document.getElementById('photo-preview'); return !p.hidden && p.src.startsWith('blob:');",
            vec![],
        )
        .await
        .expect("ran");
    assert_eq!(preview_shown, json!(true));
    click(&browser, "#upload").await;
    shows(&browser, "p.flash", "Photo saved").await;
    let width: Value = browser
        .execute(
            "const img = document.getElementById('photo'); \
             return img.complete ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth));",
            vec![],
        )
        .await
        .expect("ran");
    assert!(width.as_u64().is_some_and(|w| w > 0), "{width}");
    assert!(api.get(&contact_path, 200).await["photo"].is_object());

    // History: restore the old city alone.
    click(&browser, "#history").await;
    screenshot(&browser, "history").await;
    click(&browser, "button[data-restore=city]").await;
    shows(&browser, "p.flash", "Restored").await;
    let stored = api.get(&contact_path, 200).await;
    assert_eq!(stored["city"], "Chicago");
    assert_eq!(
        stored["title"], "Head of purchasing",
        "only the city was restored"
    );
    let history = api.get(&format!("{contact_path}/history"), 200).await;
    let last = history["items"]
        .as_array()
        .and_then(|items| items.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["surface"], "web");
    assert_eq!(last["changes"][0]["field"], "city");

    // Signing out ends the session: pages send to the sign-in form again.
    click(&browser, "#sign-out").await;
    text_of(&browser, "#username").await;
    browser
        .goto(&app.url(&format!("/app/contacts/{id}")))
        .await
        .expect("opened");
    text_of(&browser, "#username").await;

    // A viewer reads, finds no edit control, and is refused by the server anyway.
    sign_in(&browser, &app, "vera", "vera-password").await;
    browser
        .goto(&app.url(&format!("/app/contacts/{id}")))
        .await
        .expect("opened");
    text_of(&browser, "dl.fields").await;
    for control in ["#edit", "#photo-file", "button.danger"] {
        assert!(
            browser.find(Locator::Css(control)).await.is_err(),
            "a viewer sees {control}"
        );
    }
    click(&browser, "#history").await;
    assert!(
        browser
            .find(Locator::Css("button[data-restore]"))
            .await
            .is_err()
    );
    browser
        .goto(&app.url(&format!("/app/contacts/{id}/edit")))
        .await
        .expect("opened");
    assert_eq!(text_of(&browser, "h1").await, "Not allowed");
    browser.close().await.expect("closed");
}

fn url_with(app: &TestApp, path: &str) -> url::Url {
    url::Url::parse(&app.url(path)).expect("a URL")
}

/// A reqwest client that keeps cookies and does not follow redirects.
fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("a client")
}

/// The value of `name="csrf"` in a page.
fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..].split('"').next().unwrap_or_default().to_owned()
}

async fn signed_in(app: &TestApp, username: &str, password: &str) -> (reqwest::Client, String) {
    let client = cookie_client();
    let form = client
        .get(app.url("/app/login"))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("a page");
    let response = client
        .post(app.url("/app/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf", &csrf_in(&form)),
            ("next", "/app/contacts"),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(app.url("/app/customers"))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("a page");
    (client, csrf_in(&page))
}

async fn forms_without_the_sessions_token_change_nothing(app: TestApp) {
    let api = app.admin().await;
    let customer = api
        .post("/v1/customers", json!({"code": "C1", "name": "One"}), 201)
        .await;
    let id = customer["id"].as_i64().expect("an id");
    let (client, csrf) = signed_in(&app, "admin", ADMIN_PASSWORD).await;
    let edit = |token: &str| {
        client
            .post(app.url(&format!("/app/customers/{id}/edit")))
            .form(&[
                ("csrf", token),
                ("version", "1"),
                ("code", "C1"),
                ("name", "Changed"),
            ])
            .send()
    };
    for forged in ["", "not-the-token"] {
        let response = edit(forged).await.expect("answered");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            api.get(&format!("/v1/customers/{id}"), 200).await["name"],
            "One"
        );
    }
    let response = edit(&csrf).await.expect("answered");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api.get(&format!("/v1/customers/{id}"), 200).await["name"],
        "Changed"
    );

    // A viewer's form with a valid token is refused by the use case.
    app.add_member("DEFAULT", "vic", rolodex_domain::Role::Viewer)
        .await;
    let (viewer, viewer_csrf) = signed_in(&app, "vic", "vic-password").await;
    let response = viewer
        .post(app.url(&format!("/app/customers/{id}/edit")))
        .form(&[
            ("csrf", viewer_csrf.as_str()),
            ("version", "2"),
            ("code", "C1"),
            ("name", "Viewer was here"),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        api.get(&format!("/v1/customers/{id}"), 200).await["name"],
        "Changed"
    );

    // The sign-in form needs its own cookie's value too.
    let response = cookie_client()
        .post(app.url("/app/login"))
        .form(&[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("csrf", "x"),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

async fn sign_in_sets_a_guarded_session_cookie(app: TestApp) {
    let client = cookie_client();
    let form = client
        .get(app.url("/app/login"))
        .send()
        .await
        .expect("answered");
    let policy = form
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let html = form.text().await.expect("a page");
    let response = client
        .post(app.url("/app/login"))
        .form(&[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("csrf", &csrf_in(&html)),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("rolodex_session="))
        .expect("a session cookie")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/app"] {
        assert!(session.contains(attribute), "{session}");
    }
    // The session's token works on the API too, as every token does; signing out revokes it.
    let token = session["rolodex_session=".len()..]
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    app.with_token(&token).get("/v1/customers", 200).await;
    let page = client
        .get(app.url("/app/contacts"))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("a page");
    let response = client
        .post(app.url("/app/logout"))
        .form(&[("csrf", csrf_in(&page))])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.with_token(&token).get("/v1/customers", 401).await;
}

/// The page at `path` (200) as `client` sees it.
async fn page(client: &reqwest::Client, app: &TestApp, path: &str, status: u16) -> String {
    let response = client.get(app.url(path)).send().await.expect("answered");
    assert_eq!(response.status().as_u16(), status, "{path}");
    response.text().await.expect("a page")
}

/// The versions of the history entries a page shows, in its order.
fn versions_shown(html: &str) -> Vec<i64> {
    html.split("(version ")
        .skip(1)
        .map(|rest| {
            rest.split(')')
                .next()
                .and_then(|v| v.parse().ok())
                .expect("a version")
        })
        .collect()
}

/// The address the "Older changes" link of a history page leads to, if it has one.
fn older_link(html: &str) -> Option<String> {
    let at = html.find("id=\"older\"")?;
    let start = html[..at].rfind("href=\"")? + 6;
    Some(html[start..].split('"').next()?.replace("&amp;", "&"))
}

async fn a_long_history_is_shown_newest_first_a_page_at_a_time(app: TestApp) {
    let api = app.admin().await;
    let customer = api
        .post("/v1/customers", json!({"code": "C1", "name": "One"}), 201)
        .await["id"]
        .clone();
    let contact = api
        .post(
            &format!("/v1/customers/{customer}/contacts"),
            json!({"first_name": "Ann", "last_name": "Lee"}),
            201,
        )
        .await["id"]
        .clone();
    for n in 1..=55 {
        api.patch(
            &format!("/v1/customers/{customer}/contacts/{contact}"),
            json!({"title": format!("Buyer {n}")}),
            200,
        )
        .await;
    }
    let (client, _) = signed_in(&app, "admin", ADMIN_PASSWORD).await;
    let path = format!("/app/contacts/{contact}/history");
    let first = page(&client, &app, &path, 200).await;
    assert_eq!(versions_shown(&first), (7..=56).rev().collect::<Vec<_>>());
    assert!(first.contains("Buyer 55"), "the latest change is shown");
    let older = older_link(&first).expect("a link to the older changes");
    assert!(older.starts_with(&path), "{older}");
    let second = page(&client, &app, &older, 200).await;
    assert_eq!(versions_shown(&second), [6, 5, 4, 3, 2, 1]);
    assert_eq!(
        older_link(&second),
        None,
        "the first change ends the history"
    );
    // A cursor of the API's oldest-first listing is not one of this page's.
    let api_page = api
        .get(
            &format!("/v1/customers/{customer}/contacts/{contact}/history?limit=2"),
            200,
        )
        .await;
    let cursor = api_page["next_cursor"].as_str().expect("a cursor");
    page(&client, &app, &format!("{path}?older={cursor}"), 422).await;
}

/// The text of the `<code id="ID">` element of `html`.
fn code(html: &str, id: &str) -> String {
    let start = format!("<code id=\"{id}\">");
    let at = html
        .find(&start)
        .unwrap_or_else(|| panic!("{id} in {html}"))
        + start.len();
    html[at..].split('<').next().unwrap_or_default().to_owned()
}

async fn admins_manage_users_keys_and_oauth_clients(app: TestApp) {
    let (admin, csrf) = signed_in(&app, "admin", ADMIN_PASSWORD).await;
    // A new dispatcher, who can then sign in and finds no administration.
    let response = admin
        .post(app.url("/app/admin"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "dora"),
            ("display_name", "Dora D."),
            ("password", "dora-password-1"),
            ("role", "dispatcher"),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        page(&admin, &app, "/app/admin", 200)
            .await
            .contains("Dora D.")
    );
    let (dora, _) = signed_in(&app, "dora", "dora-password-1").await;
    let contacts = page(&dora, &app, "/app/contacts", 200).await;
    assert!(!contacts.contains("href=\"/app/admin\""));
    page(&dora, &app, "/app/admin", 403).await;
    page(&dora, &app, "/app/admin/oauth", 403).await;

    // An API key: its secret shown once, working on the API until revoked.
    let created = admin
        .post(app.url("/app/admin/keys"))
        .form(&[("csrf", csrf.as_str()), ("name", "ERP sync")])
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("a page");
    let secret = code(&created, "secret");
    app.with_token(&secret).get("/v1/customers", 200).await;
    let listed = page(&admin, &app, "/app/admin/keys", 200).await;
    assert!(listed.contains("ERP sync") && !listed.contains(&secret));
    let keys = app.admin().await.get("/v1/api-keys", 200).await;
    let key_id = keys["items"][0]["id"].as_i64().expect("a key id");
    let response = admin
        .post(app.url(&format!("/app/admin/keys/{key_id}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.with_token(&secret).get("/v1/customers", 401).await;

    // An OAuth client: an id and a secret shown once; a bad redirect URI is refused.
    let refused = admin
        .post(app.url("/app/admin/oauth"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Dispatch"),
            ("redirect_uris", "not a uri"),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let created = admin
        .post(app.url("/app/admin/oauth"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Dispatch"),
            ("redirect_uris", "https://dispatch.example/callback\r\n"),
        ])
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("a page");
    let client_id = code(&created, "client-id");
    assert!(!code(&created, "client-secret").is_empty());
    let clients = app.admin().await.get("/v1/oauth-clients", 200).await;
    assert_eq!(clients["items"][0]["client_id"], Value::String(client_id));
    assert_eq!(
        clients["items"][0]["redirect_uris"],
        json!(["https://dispatch.example/callback"])
    );
}
