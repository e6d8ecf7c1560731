//! The HTTP/1.1 server: accepts connections, bounds how many are open, times out the ones that
//! idle, and shuts down gracefully.
//!
//! `axum::serve` has no timeouts and no connection limits, so a thousand idle connections
//! could exhaust the open-file limit and a client sending half a request head would hold its
//! connection forever. Here every accepted connection:
//!
//! - is refused at once (closed without a word) when its client address ([`ClientAddress`])
//!   already has `max_connections_per_client` open (connections from trusted proxies count
//!   only toward the global bound); when `max_connections` are open, it takes the place of
//!   an idle connection of the client holding the most, or is refused if none is idle
//!   ([`gate`]);
//! - is closed when its request head is not complete `header_read_timeout` after the
//!   connection opened or after the head's first byte, and when it has been idle (no request
//!   running, no byte read or written) for `idle_timeout` ([`watch`]). hyper's own
//!   `header_read_timeout` runs from the end of one response to the end of the next head, so
//!   it would also close keep-alive connections after the head's deadline; keeping the two
//!   apart takes the watchdog here;
//! - is served by hyper's HTTP/1 connection with the router, which sees the peer address as
//!   `ConnectInfo<SocketAddr>` (as with `into_make_service_with_connect_info`).
//!
//! When `shutdown` completes, the listener is closed, connections with no request running are
//! closed (those awaiting a request head too), and the requests in flight are answered (with
//! `Connection: close`) before [`serve`] returns.

mod gate;
mod watch;

use axum::Router;
use gate::Gate;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use ipnet::IpNet;
use rolodex_domain::ClientAddress;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch as signal;
use watch::{Activity, Tracked, Watched};

/// How long to wait before accepting again after an accept error other than a refused or
/// reset connection (the process is out of file descriptors, say), so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The server's connection limits and timeouts.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Longest wait for a complete request head, from the connection's start or from the
    /// head's first byte.
    pub header_read_timeout: Duration,
    /// Longest a connection may stay open with no request running and nothing read or
    /// written: between keep-alive requests, or while a client does not read its response.
    pub idle_timeout: Duration,
    /// Open connections in all; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// Open connections per client address; more are closed as soon as they are accepted.
    pub max_connections_per_client: usize,
    /// Peers that count toward `max_connections` only: proxies bring many clients' requests.
    pub trusted_proxies: Vec<IpNet>,
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes, then lets the
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let gate = Gate::new(&limits);
    let timeouts = Arc::new(limits);
    let graceful = GracefulShutdown::new();
    let (stop, stopping) = signal::channel(false);
    let mut builder = http1::Builder::new();
    builder.header_read_timeout(None);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let activity = Activity::new();
        let Some(admitted) = gate.admit(peer.ip(), &activity) else {
            drop(stream);
            continue;
        };
        let io = TokioIo::new(Watched::new(stream, Arc::clone(&activity)));
        let service = Tracked::new(router.clone(), peer, Arc::clone(&activity));
        let connection = graceful.watch(builder.serve_connection(io, service));
        let timeouts = Arc::clone(&timeouts);
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let close_when_stopping = async {
                if stopping.wait_for(|stopping| *stopping).await.is_ok() {
                    activity.close();
                }
                std::future::pending::<()>().await;
            };
            tokio::select! {
                served = connection => if let Err(e) = served {
                    tracing::debug!(error = %e, client = %ClientAddress::of(peer.ip()), "connection ended");
                },
                () = activity.expired(&timeouts) => {
                    tracing::debug!(client = %ClientAddress::of(peer.ip()), "closing a connection: timed out, giving its place, or stopping");
                }
                () = close_when_stopping => {}
            }
            drop(admitted);
        });
    }
    drop(listener);
    // Cannot fail: `stopping` is still held here.
    let _ = stop.send(true);
    tracing::info!(
        connections = graceful.count(),
        "no longer accepting; finishing the requests in flight"
    );
    graceful.shutdown().await;
}

/// Pauses after an accept error that is not about one connection.
async fn accept_failed(e: &io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept connections");
    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
}
