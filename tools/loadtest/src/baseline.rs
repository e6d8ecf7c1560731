//! The no-database baseline: a trivial axum server on the same tokio and hyper stack as
//! Rolodex, answering a small JSON body. It runs on a runtime of its own, with as many worker
//! threads as Rolodex's (one per core), in threads named `baseline` so that their CPU time can
//! be told apart from the load generator's.

use anyhow::Context;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Prefix of the names of the baseline server's threads.
pub const THREAD_NAME: &str = "baseline";

pub struct Baseline {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    thread: JoinHandle<anyhow::Result<()>>,
}

async fn contact() -> Json<Value> {
    Json(json!({
        "id": 4711,
        "customer_id": 42,
        "first_name": "Joseph",
        "last_name": "Hernandez",
        "emails": ["jhernandez@abccorp.com"],
        "version": 3
    }))
}

impl Baseline {
    /// Starts the server on a free loopback port.
    pub fn start() -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .thread_name(THREAD_NAME)
            .enable_all()
            .build()?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    let app = Router::new().route("/contact", get(contact));
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            stopped.await.ok();
                        })
                        .await
                        .context("the baseline server failed")
                })
            })?;
        Ok(Self { addr, stop, thread })
    }

    /// Stops the server and waits for its thread.
    pub fn stop(self) -> anyhow::Result<()> {
        self.stop.send(()).ok();
        self.thread
            .join()
            .map_err(|_| anyhow::anyhow!("the baseline server panicked"))?
    }
}
