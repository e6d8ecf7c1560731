//! The state every handler shares: the use cases, the metrics handle and the server's limits.

use crate::HttpConfig;
use metrics_exporter_prometheus::PrometheusHandle;
use rolodex_core::Services;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub metrics: Option<PrometheusHandle>,
    /// The server's limits, for middleware that reads bodies or bounds work itself.
    pub http: Arc<HttpConfig>,
}

impl AppState {
    pub fn new(services: Services, metrics: Option<PrometheusHandle>, http: HttpConfig) -> Self {
        Self {
            services: Arc::new(services),
            metrics,
            http: Arc::new(http),
        }
    }
}
