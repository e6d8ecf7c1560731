//! What a connection is doing, and when it has been quiet for too long.
//!
//! [`Watched`] notes every byte read or written, [`Tracked`] every request from its head to
//! the end of its response body; [`Activity::expired`] completes when the connection is due to
//! be closed:
//!
//! - while a request is being handled: never (the request timeout bounds handlers);
//! - when [`Activity::close`] was called (to make room for another connection, or when the
//!   server stops): as soon as no request is running or being answered;
//! - while a request head is awaited (from the connection's start, or from the first byte
//!   after a response): `header_read_timeout` after that moment, however slowly bytes come;
//! - otherwise (between requests, or while a response body is written): `idle_timeout` after
//!   the last byte moved.

use super::ConnectionLimits;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;
use tower::ServiceExt;

/// One connection's activity.
pub(super) struct Activity {
    state: Mutex<State>,
    /// Wakes [`Activity::expired`] when the kind of deadline changes.
    changed: Notify,
}

struct State {
    last_io: Instant,
    /// When the awaited request head started (or the connection opened), if one is awaited.
    head_since: Option<Instant>,
    /// Requests whose handler is running.
    handling: usize,
    /// Responses whose body is not yet written.
    responding: usize,
    /// Whether the connection is to be closed as soon as no request is running.
    closing: bool,
}

impl Activity {
    pub(super) fn new() -> Arc<Self> {
        let now = Instant::now();
        Arc::new(Self {
            state: Mutex::new(State {
                last_io: now,
                head_since: Some(now),
                handling: 0,
                responding: 0,
                closing: false,
            }),
            changed: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Each update is a single assignment or count, whole whatever panicked.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read(&self) {
        let mut state = self.lock();
        state.last_io = Instant::now();
        if state.handling == 0 && state.responding == 0 && state.head_since.is_none() {
            state.head_since = Some(state.last_io);
            drop(state);
            self.changed.notify_one();
        }
    }

    fn wrote(&self) {
        self.lock().last_io = Instant::now();
    }

    pub(super) fn request_started(&self) {
        let mut state = self.lock();
        state.head_since = None;
        state.handling += 1;
        drop(state);
        self.changed.notify_one();
    }

    fn request_handled(&self, responding: bool) {
        let mut state = self.lock();
        state.handling -= 1;
        state.responding += usize::from(responding);
        state.last_io = Instant::now();
        drop(state);
        self.changed.notify_one();
    }

    fn response_written(&self) {
        let mut state = self.lock();
        state.responding -= 1;
        state.last_io = Instant::now();
        drop(state);
        self.changed.notify_one();
    }

    /// Whether no request is running or being answered (and the connection is not closing).
    pub(super) fn is_idle(&self) -> bool {
        let state = self.lock();
        state.handling == 0 && state.responding == 0 && !state.closing
    }

    /// Closes the connection as soon as no request is running or being answered on it.
    pub(super) fn close(&self) {
        self.lock().closing = true;
        self.changed.notify_one();
    }

    #[cfg(test)]
    pub(super) fn is_closing(&self) -> bool {
        self.lock().closing
    }

    /// When the connection is due to be closed, if it is.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        let state = self.lock();
        if state.handling > 0 {
            None
        } else if state.closing && state.responding == 0 {
            Some(Instant::now())
        } else if let Some(since) = state.head_since {
            Some(since + limits.header_read_timeout)
        } else {
            Some(state.last_io + limits.idle_timeout)
        }
    }

    /// Completes when the connection is due to be closed.
    pub(super) async fn expired(&self, limits: &ConnectionLimits) {
        loop {
            match self.deadline(limits) {
                None => self.changed.notified().await,
                Some(deadline) if deadline <= Instant::now() => return,
                Some(deadline) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => {}
                        () = self.changed.notified() => {}
                    }
                }
            }
        }
    }
}

/// A connection's socket, noting its reads and writes.
pub(super) struct Watched<T> {
    io: T,
    activity: Arc<Activity>,
}

impl<T> Watched<T> {
    pub(super) fn new(io: T, activity: Arc<Activity>) -> Self {
        Self { io, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.read();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// The router as one connection's hyper service: it gives each request the peer address and
/// notes when requests start and when their responses are written.
pub(super) struct Tracked {
    router: Router,
    peer: SocketAddr,
    activity: Arc<Activity>,
}

impl Tracked {
    pub(super) fn new(router: Router, peer: SocketAddr, activity: Arc<Activity>) -> Self {
        Self {
            router,
            peer,
            activity,
        }
    }
}

/// A running request; when dropped before its response, the request is over all the same.
struct Handling {
    activity: Arc<Activity>,
    responded: bool,
}

impl Drop for Handling {
    fn drop(&mut self) {
        self.activity.request_handled(self.responded);
    }
}

impl hyper::service::Service<Request<Incoming>> for Tracked {
    type Response = Response<TrackedBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        self.activity.request_started();
        let mut handling = Handling {
            activity: Arc::clone(&self.activity),
            responded: false,
        };
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let router = self.router.clone();
        Box::pin(async move {
            let Ok(response) = router.oneshot(request).await;
            handling.responded = true;
            let activity = Arc::clone(&handling.activity);
            drop(handling);
            Ok(response.map(|body| TrackedBody { body, activity }))
        })
    }
}

/// A response body that tells the connection's activity when it is written (or dropped).
pub(super) struct TrackedBody {
    body: Body,
    activity: Arc<Activity>,
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        self.activity.response_written();
    }
}

impl http_body::Body for TrackedBody {
    type Data = <Body as http_body::Body>::Data;
    type Error = <Body as http_body::Body>::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
