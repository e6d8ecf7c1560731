//! Login throttling per client address (docs/deployment.md, "Limits and timeouts"): one
//! client's failures do not lock a user out for the others, `X-Forwarded-For` counts only from
//! a trusted proxy, and a client failing too fast is refused before its password is checked.
//!
//! Clients are told apart by the loopback address their socket is bound to (127.0.0.2, ...),
//! or, through the trusted proxy 127.0.0.1, by the `X-Forwarded-For` it sends.

use crate::support::{ADMIN_PASSWORD, TestApp};
use reqwest::StatusCode;
use rolodex::Config;
use serde_json::json;
use std::net::IpAddr;

/// The loopback address tests use as a trusted proxy (the default client address).
const PROXY: [u8; 4] = [127, 0, 0, 1];

/// Where a login comes from: a socket bound to a loopback address, and what it forwards.
#[derive(Clone, Copy)]
struct Origin {
    socket: [u8; 4],
    forwarded_for: Option<&'static str>,
}

/// A client connecting from `socket`.
fn socket(socket: [u8; 4]) -> Origin {
    Origin {
        socket,
        forwarded_for: None,
    }
}

/// A client behind the trusted proxy, which forwards `client`.
fn proxied(client: &'static str) -> Origin {
    Origin {
        socket: PROXY,
        forwarded_for: Some(client),
    }
}

/// `POST /v1/auth/token` from `from`: the status, and `Retry-After` when there is one.
async fn login(
    app: &TestApp,
    from: Origin,
    username: &str,
    password: &str,
) -> (StatusCode, Option<u64>) {
    let http = reqwest::Client::builder()
        .local_address(IpAddr::from(from.socket))
        .build()
        .expect("a client bound to a loopback address");
    let mut request = http
        .post(app.url("/v1/auth/token"))
        .json(&json!({"username": username, "password": password}));
    if let Some(forwarded) = from.forwarded_for {
        request = request.header("X-Forwarded-For", forwarded);
    }
    let response = request.send().await.expect("the server answers");
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (response.status(), retry_after)
}

async fn fails(app: &TestApp, from: Origin, username: &str) {
    let (status, _) = login(app, from, username, "wrong-password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{username} fails");
}

async fn refused(app: &TestApp, from: Origin, username: &str, password: &str) {
    let (status, retry_after) = login(app, from, username, password).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "{username} is refused"
    );
    assert!(retry_after.is_some_and(|s| s >= 1), "with Retry-After");
}

async fn admitted(app: &TestApp, from: Origin) {
    let (status, _) = login(app, from, "admin", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "admin logs in");
}

fn trusting_loopback(config: &mut Config) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("a network")];
}

fn slow_failure_rate(config: &mut Config) {
    config.login_failure_burst = 3;
    config.login_failures_per_minute = 1;
}

fn few_failures_per_client(config: &mut Config) {
    config.max_client_login_failures = 3;
}

fn few_failures_per_username(config: &mut Config) {
    trusting_loopback(config);
    config.max_username_login_failures = 3;
}

async fn failures_of_one_client_do_not_lock_the_user_out_for_another(app: TestApp) {
    let attacker = proxied("192.0.2.1");
    // Every spelling of one name counts as that name (full-width letters included).
    for spelling in [
        "admin",
        "ADMIN",
        "\u{ff41}\u{ff44}\u{ff4d}\u{ff49}\u{ff4e}",
        "Admin",
        "admin",
    ] {
        fails(&app, attacker, spelling).await;
    }
    refused(&app, attacker, "\u{ff21}dmin", "wrong-password").await;
    refused(&app, attacker, "admin", ADMIN_PASSWORD).await;

    admitted(&app, socket([127, 0, 0, 2])).await;
    admitted(&app, proxied("192.0.2.2")).await;
    admitted(&app, proxied("203.0.113.7, 192.0.2.3")).await;
}

async fn x_forwarded_for_from_an_untrusted_peer_is_ignored(app: TestApp) {
    let claims = [
        "192.0.2.9",
        "192.0.2.10",
        "192.0.2.11",
        "192.0.2.12",
        "192.0.2.13",
    ];
    for claimed in claims {
        let from = Origin {
            socket: [127, 0, 0, 2],
            forwarded_for: Some(claimed),
        };
        fails(&app, from, "admin").await;
    }
    let new_claim = Origin {
        socket: [127, 0, 0, 2],
        forwarded_for: Some("192.0.2.14"),
    };
    refused(&app, new_claim, "admin", ADMIN_PASSWORD).await;
    // The claimed addresses were not charged with those failures.
    admitted(&app, proxied("192.0.2.9")).await;
}

async fn a_client_failing_fast_is_refused_before_its_passwords_are_checked(app: TestApp) {
    let hasty = socket([127, 0, 0, 3]);
    for username in ["admin", "nobody", "somebody"] {
        fails(&app, hasty, username).await;
    }
    // Refused whatever the username, and even with the right password.
    refused(&app, hasty, "anybody", "wrong-password").await;
    refused(&app, hasty, "admin", ADMIN_PASSWORD).await;
    let (status, retry_after) = login(&app, hasty, "admin", "wrong-password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        retry_after.is_some_and(|s| (1..=60).contains(&s)),
        "one failed login a minute refills the burst: {retry_after:?}"
    );

    admitted(&app, socket([127, 0, 0, 4])).await;
    // Successful logins do not use up the burst.
    for _ in 0..5 {
        admitted(&app, socket([127, 0, 0, 5])).await;
    }
}

async fn a_client_trying_many_usernames_is_refused(app: TestApp) {
    let sprayer = socket([127, 0, 0, 2]);
    for username in ["alice", "bob", "carol"] {
        fails(&app, sprayer, username).await;
    }
    refused(&app, sprayer, "dave", "wrong-password").await;
    refused(&app, sprayer, "admin", ADMIN_PASSWORD).await;
    admitted(&app, socket([127, 0, 0, 3])).await;
}

async fn a_user_under_attack_stays_open_to_clients_that_have_not_failed(app: TestApp) {
    for attacker in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
        fails(&app, proxied(attacker), "admin").await;
    }
    // The username has had its 3 failures: clients that failed on it are refused...
    refused(&app, proxied("192.0.2.1"), "admin", "wrong-password").await;
    refused(&app, proxied("192.0.2.1"), "admin", ADMIN_PASSWORD).await;
    // ...and a client that has not gets its attempts, until it fails itself.
    fails(&app, proxied("192.0.2.50"), "admin").await;
    refused(&app, proxied("192.0.2.50"), "admin", ADMIN_PASSWORD).await;
    admitted(&app, proxied("192.0.2.51")).await;
    admitted(&app, socket([127, 0, 0, 2])).await;
}

configured_app_tests!(
    failures_of_one_client_do_not_lock_the_user_out_for_another: trusting_loopback,
    x_forwarded_for_from_an_untrusted_peer_is_ignored: trusting_loopback,
    a_client_failing_fast_is_refused_before_its_passwords_are_checked: slow_failure_rate,
    a_client_trying_many_usernames_is_refused: few_failures_per_client,
    a_user_under_attack_stays_open_to_clients_that_have_not_failed: few_failures_per_username,
);
