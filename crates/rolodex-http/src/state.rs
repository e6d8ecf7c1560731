//! The state every handler shares: the use cases, and the metrics handle.

use metrics_exporter_prometheus::PrometheusHandle;
use rolodex_core::Services;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub metrics: Option<PrometheusHandle>,
    /// Largest request body accepted, for middleware that reads bodies itself.
    pub max_body_bytes: usize,
}

impl AppState {
    pub fn new(
        services: Services,
        metrics: Option<PrometheusHandle>,
        max_body_bytes: usize,
    ) -> Self {
        Self {
            services: Arc::new(services),
            metrics,
            max_body_bytes,
        }
    }
}
