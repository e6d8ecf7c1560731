//! The state every handler shares: the use cases, the metrics handle and the server's limits.

use crate::HttpConfig;
use metrics_exporter_prometheus::PrometheusHandle;
use rolodex_core::Services;
use std::ops::Deref;
use std::sync::Arc;

/// What handlers share, behind one reference count: every request clones the state (once per
/// layer that takes it), so a clone is one atomic increment.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub services: Services,
    pub metrics: Option<PrometheusHandle>,
    /// The server's limits, for middleware that reads bodies or bounds work itself.
    pub http: HttpConfig,
}

impl AppState {
    pub fn new(services: Services, metrics: Option<PrometheusHandle>, http: HttpConfig) -> Self {
        Self(Arc::new(Shared {
            services,
            metrics,
            http,
        }))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
