//! Authlib (<https://authlib.org>), a real OAuth 2.0 client library, through the whole
//! authorization code flow with PKCE, a refresh, and calls of CRO's surface with its tokens
//! (`oauth_authlib.py`).
//!
//! The library runs from the virtualenv `target/oauth-client-venv`, which `.ci/run` fills
//! from `tools/oauth-client/requirements.txt`. Without it the test is skipped with a message,
//! and fails under CI.

use crate::oauth::register_with;
use crate::support::{ADMIN_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

/// Where the redirect sends the browser: nothing listens there, the script reads the
/// `Location` header.
const REDIRECT_URI: &str = "http://127.0.0.1:9/oauth/callback";

/// The virtualenv's Python, or `None` after saying why the test is skipped.
fn python() -> Option<PathBuf> {
    let venv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/oauth-client-venv"
    );
    let python = PathBuf::from(venv).join("bin/python");
    if python.is_file() {
        return Some(python);
    }
    let why = format!(
        "{venv} holds no virtualenv: create it with `python3 -m venv {venv}` and \
         `{venv}/bin/pip install -r tools/oauth-client/requirements.txt` (as .ci/run does)"
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "authlib must run under CI: {why}"
    );
    // Straight to the process's stderr: the harness hides the output of passing tests.
    let _ = writeln!(std::io::stderr(), "skipped: authlib is not run: {why}");
    None
}

async fn authlib_completes_the_code_flow_with_pkce_and_a_refresh(app: TestApp) {
    let Some(python) = python() else {
        return;
    };
    let admin = app.admin().await;
    let client = register_with(&admin, "Authlib", &[REDIRECT_URI]).await;
    let customer = admin
        .post(
            "/v1/customers",
            json!({"code": "ACME"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .clone();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/oauth_authlib.py");
    let output = tokio::process::Command::new(python)
        .arg(script)
        .arg(&app.address)
        .arg(&client.client_id)
        .arg(&client.secret)
        .arg(REDIRECT_URI)
        .arg("admin")
        .arg(ADMIN_PASSWORD)
        .arg(customer.to_string())
        .output()
        .await
        .expect("python starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "authlib's flow failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("what the script saw, as JSON: {stdout}"));
    let tenant = app
        .services
        .tenants
        .by_code("DEFAULT")
        .await
        .expect("DEFAULT");
    assert_eq!(seen["tenant_id"], tenant.id.0);
    assert_eq!(seen["tenants"], json!(["DEFAULT"]));
    assert_eq!(seen["names"], json!(["Grace Hopper"]));
    let contact = admin
        .get(
            &format!("/v1/customers/{customer}/contacts/{}", seen["contact"]),
            StatusCode::OK,
        )
        .await;
    assert_eq!(contact["emails"], json!(["grace@example.com"]));
    let history = admin
        .get(
            &format!(
                "/v1/customers/{customer}/contacts/{}/history",
                seen["contact"]
            ),
            StatusCode::OK,
        )
        .await;
    assert_eq!(history["items"][0]["surface"], "cro", "{history}");
    assert_eq!(history["items"][0]["username"], "admin", "{history}");
}

app_tests!(authlib_completes_the_code_flow_with_pkce_and_a_refresh);
