//! [`TestClient`]: HTTP calls that state the status they expect and fail the test otherwise,
//! returning the body as JSON.

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;
use std::borrow::Borrow;

/// An expected status, as a number or a `StatusCode`.
pub trait Expected {
    fn status(self) -> StatusCode;
}

impl Expected for u16 {
    fn status(self) -> StatusCode {
        StatusCode::from_u16(self).expect("a valid expected status")
    }
}

impl Expected for StatusCode {
    fn status(self) -> StatusCode {
        self
    }
}

#[derive(Clone)]
pub struct TestClient {
    base: String,
    /// The bearer token sent, if any.
    pub token: String,
    http: reqwest::Client,
}

impl TestClient {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            token: String::new(),
            http: reqwest::Client::new(),
        }
    }

    /// The same client, sending `Authorization: Bearer <token>`.
    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: token.to_owned(),
            ..self.clone()
        }
    }

    /// A request to `path`, with the bearer token when the client has one.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        if self.token.is_empty() {
            request
        } else {
            request.bearer_auth(&self.token)
        }
    }

    /// Sends a request; returns status, headers and the body as JSON (`Null` when empty,
    /// a string when it is not JSON).
    pub async fn send(&self, request: RequestBuilder) -> (StatusCode, HeaderMap, Value) {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a readable body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, headers, body)
    }

    async fn expect(&self, request: RequestBuilder, expected: StatusCode, what: String) -> Value {
        let (status, _, body) = self.send(request).await;
        assert_eq!(status, expected, "{what} answered {status}: {body}");
        body
    }

    pub async fn get(&self, path: &str, expected: impl Expected) -> Value {
        self.call(Method::GET, path, None, expected).await
    }

    pub async fn post(
        &self,
        path: &str,
        body: impl Borrow<Value>,
        expected: impl Expected,
    ) -> Value {
        self.call(Method::POST, path, Some(body.borrow()), expected)
            .await
    }

    /// A JSON Merge Patch.
    pub async fn patch(
        &self,
        path: &str,
        body: impl Borrow<Value>,
        expected: impl Expected,
    ) -> Value {
        let request = self
            .request(Method::PATCH, path)
            .header("Content-Type", "application/merge-patch+json")
            .body(body.borrow().to_string());
        self.expect(request, expected.status(), format!("PATCH {path}"))
            .await
    }

    pub async fn put(
        &self,
        path: &str,
        body: impl Borrow<Value>,
        expected: impl Expected,
    ) -> Value {
        self.call(Method::PUT, path, Some(body.borrow()), expected)
            .await
    }

    pub async fn delete(&self, path: &str, expected: impl Expected) -> Value {
        self.call(Method::DELETE, path, None, expected).await
    }

    /// Any call; the body is JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        expected: impl Expected,
    ) -> Value {
        let mut request = self.request(method.clone(), path);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.expect(request, expected.status(), format!("{method} {path}"))
            .await
    }
}
