//! A Valomnia client for the tests: the session cookie, form and multipart bodies built by
//! hand (so the tests control every byte), and the world most tests start from.

use super::{ADMIN_PASSWORD, TestApp, TestClient as Api};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const V: &str = "/api/v2.1";

/// A Valomnia client: a session cookie (or none), no redirects followed.
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    pub cookie: Option<String>,
}

/// One multipart part: a text value, or a file with its name.
pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, Vec<u8>),
}

impl Client {
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.address.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client"),
            cookie: None,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let request = self.http.request(method, url);
        match &self.cookie {
            Some(c) => request.header("Cookie", format!("JSESSIONID={c}")),
            None => request,
        }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, HeaderMap, String) {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.text().await.expect("a body"))
    }

    pub async fn json(&self, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let (status, _, text) = self.send(request).await;
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.json(self.request(Method::GET, path)).await
    }

    pub async fn form(&self, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
        let body = url_form(pairs);
        let request = self
            .request(Method::POST, path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        self.json(request).await
    }

    pub async fn multipart(&self, path: &str, parts: Vec<Part<'_>>) -> (StatusCode, Value) {
        let boundary = "----rolodex-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match part {
                Part::Text(name, value) => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                        )
                        .as_bytes(),
                    );
                }
                Part::File(name, file, bytes) => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                             Content-Type: image/png\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(&bytes);
                    body.extend_from_slice(b"\r\n");
                }
            }
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let request = self
            .request(Method::POST, path)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.json(request).await
    }

    pub async fn bytes(&self, url: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = self
            .request(Method::GET, url)
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        (
            status,
            headers,
            response.bytes().await.expect("a body").to_vec(),
        )
    }
}

pub fn url_form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Logs `username` in; returns the session id from the cookie.
pub async fn login(app: &TestApp, username: &str, password: &str) -> Client {
    let mut client = Client::new(app);
    let request = client
        .request(Method::POST, "/j_spring_security_check")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(url_form(&[
            ("j_username", username),
            ("j_password", password),
            ("ajax", "true"),
        ]));
    let (status, headers, body) = client.send(request).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    assert_eq!(
        headers["location"],
        format!("{}/login/ajaxSuccess", app.address).as_str(),
        "absolute, at the configured public URL (the listening address without one)"
    );
    let cookie = headers["set-cookie"].to_str().expect("ASCII cookie");
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    let value = cookie
        .strip_prefix("JSESSIONID=")
        .and_then(|c| c.split(';').next())
        .expect("a JSESSIONID cookie");
    client.cookie = Some(value.to_owned());
    client
}

/// The world of most tests: customer C0959 "Marie's Jewelry" (native), a Valomnia session of
/// `admin`, and the native admin client.
pub struct World {
    pub app: TestApp,
    pub native: Api,
    pub v: Client,
    pub customer: i64,
}

pub async fn world(app: TestApp) -> World {
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
    let v = login(&app, "admin", ADMIN_PASSWORD).await;
    World {
        app,
        native,
        v,
        customer,
    }
}

impl World {
    /// Creates Marie Schrader through Valomnia; returns the contact object.
    pub async fn marie(&self) -> Value {
        let customer = self.customer.to_string();
        let (status, body) = self
            .v
            .form(
                &format!("{V}/contacts"),
                &[
                    ("firstName", "Marie"),
                    ("lastName", "Schrader"),
                    ("customerId", &customer),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    pub fn native_url(&self, contact: &Value) -> String {
        format!("/v1/customers/{}/contacts/{}", self.customer, contact["id"])
    }
}

/// A refused login: a 302 to `/login/authfail` with the error `code` as its body.
pub fn refused_login(answer: &(StatusCode, Value), code: &str, description: &str) {
    error(answer, StatusCode::FOUND, code, description);
}

pub fn error(answer: &(StatusCode, Value), status: StatusCode, code: &str, description: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(
        body,
        &json!({"error": code, "error_description": description}),
        "the documented shape, exactly"
    );
}

pub fn is_instant(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 20
            && s.char_indices().all(|(i, c)| match i {
                4 | 7 => c == '-',
                10 => c == 'T',
                13 | 16 => c == ':',
                19 => c == 'Z',
                _ => c.is_ascii_digit(),
            })
    })
}

/// Creates a contact of `customer` (a reference) named `first last` through Valomnia.
pub async fn add(v: &Client, first: &str, last: &str, customer: &str) -> Value {
    let (status, body) = v
        .form(
            &format!("{V}/contacts"),
            &[
                ("firstName", first),
                ("lastName", last),
                ("customerId", customer),
                ("useExternalId", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

pub fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["firstName"].as_str().unwrap_or(""),
                c["lastName"].as_str().unwrap_or("")
            )
        })
        .collect()
}
