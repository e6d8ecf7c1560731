//! Rolodex over HTTP: the native REST API under `/v1`, the pages for people under `/app`, the
//! OAuth 2.0 authorization server under `/oauth`, the plumbing every surface shares (errors,
//! extractors, request ids, metrics, limits), and the server that accepts and times out
//! connections ([`serve`]).
//!
//! Handlers translate wire requests into use-case calls of `rolodex_core` and results back
//! into wire responses. This crate never touches storage and never repeats a validation rule.

mod client;
mod csrf;
mod dialects;
mod extract;
mod health;
mod middleware;
mod native;
mod oauth;
mod openapi;
mod pages;
mod photo_file;
mod problem;
mod serve;
mod state;

pub use serve::{ConnectionLimits, serve};

/// A contact search from the parameters `GET /v1/contacts/export` takes (without `format`),
/// so that the command line's export filters exactly as the API's does; its error is a
/// sentence.
pub fn contact_search(
    params: std::collections::HashMap<String, String>,
) -> Result<rolodex_core::ContactQuery, String> {
    native::contacts::export_query(&extract::Params(params), &[]).map_err(|p| p.describe())
}
pub use state::AppState;

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use metrics_exporter_prometheus::PrometheusHandle;
use rolodex_core::Services;
use std::time::Duration;

/// Limits of the HTTP server.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Longest a request may take before it is answered with 408.
    pub request_timeout: Duration,
    /// The proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: Vec<IpNet>,
    /// The URL clients reach the service at, without a trailing slash, for absolute links
    /// in responses (never taken from a request's `Host`, which the client controls).
    pub public_url: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// The whole HTTP application.
pub fn app(services: Services, metrics: Option<PrometheusHandle>, config: HttpConfig) -> Router {
    let state = AppState::new(services, metrics, config.clone());
    let classic_any_case = dialects::expandable::ClassicAnyCase::new(state.clone());
    let router = Router::new()
        .merge(native::router(state.clone()))
        .merge(dialects::expandable::router())
        .merge(dialects::cro::router())
        .merge(dialects::rpm::router())
        .merge(dialects::valomnia::router())
        .merge(oauth::router())
        .merge(health::router())
        .merge(openapi::router())
        .merge(pages::router())
        .fallback(move |req: Request| fallback(classic_any_case.clone(), req))
        .with_state(state);
    middleware::wrap(router, &config)
}

/// The answer to a request no route matched: Expandable's classic API at a path spelled in
/// other letter cases (ASP.NET Web API matches routes ignoring case), or 404.
async fn fallback(classic: dialects::expandable::ClassicAnyCase, req: Request) -> Response {
    match classic.answer(req).await {
        Ok(response) => response,
        Err(_) => problem::not_found_fallback().await.into_response(),
    }
}
