//! The state every handler shares: the use cases, the metrics handle, and the settings
//! extractors need.

use crate::HttpConfig;
use ipnet::IpNet;
use metrics_exporter_prometheus::PrometheusHandle;
use rolodex_core::Services;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub metrics: Option<PrometheusHandle>,
    /// Largest request body accepted, for middleware that reads bodies itself.
    pub max_body_bytes: usize,
    /// The proxies whose `X-Forwarded-For` names the client (see [`crate::client`]).
    pub trusted_proxies: Arc<[IpNet]>,
}

impl AppState {
    pub fn new(services: Services, metrics: Option<PrometheusHandle>, config: &HttpConfig) -> Self {
        Self {
            services: Arc::new(services),
            metrics,
            max_body_bytes: config.max_body_bytes,
            trusted_proxies: config.trusted_proxies.clone().into(),
        }
    }
}
