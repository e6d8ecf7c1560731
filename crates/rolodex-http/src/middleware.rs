//! Middleware around every route: request ids (kept from the request or new UUIDs), tracing
//! spans, metrics, the request timeout, panics turned into problem responses, the default
//! limit of a body, and idempotency keys for creates.

use crate::HttpConfig;
use crate::extract::authenticate;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use futures::FutureExt;
use rolodex_core::ports::{IdempotencyState, StoredResponse};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use std::any::Any;
use std::cell::RefCell;
use std::time::{Duration, Instant};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Wraps the application in the layers every request passes, outermost first. They are one
/// layer of the router: it wraps (and clones, for each request) every route once, not once per
/// layer.
pub fn wrap(router: Router, config: &HttpConfig) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), RandomRequestId))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .extensions()
                    .get::<RequestId>()
                    .and_then(|id| id.header_value().to_str().ok())
                    .unwrap_or("-")
                    .to_owned();
                tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
            }))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                config.request_timeout,
            ))
            .layer(from_fn(track))
            // Routes that take larger bodies set their own limit inside this one.
            .layer(DefaultBodyLimit::max(config.max_body_bytes)),
    )
}

/// A random UUID for each request without one, from the thread's random generator (the
/// system's generator would cost a system call per request).
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::Rng::random(&mut rand::rng())).into_uuid();
        HeaderValue::from_str(
            id.hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer()),
        )
        .ok()
        .map(RequestId::new)
    }
}

fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "something went wrong on our side",
    )
    .into_response()
}

/// Counts requests and their durations per route, method and status.
async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let method = method_label(req.method());
    let response = next.run(req).await;
    let status = response.status();
    let path = matched.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    ROUTE_METRICS.with_borrow_mut(|kept| {
        let routes = kept.entry((method, status)).or_default();
        let (requests, duration) = match routes.get(path) {
            Some(handles) => handles,
            None => {
                let labels = [
                    ("method", method.to_owned()),
                    ("path", path.to_owned()),
                    ("status", status.as_str().to_owned()),
                ];
                let handles = (
                    metrics::counter!("http_requests_total", &labels),
                    metrics::histogram!("http_request_duration_seconds", &labels),
                );
                routes.entry(path.to_owned()).or_insert(handles)
            }
        };
        requests.increment(1);
        duration.record(start.elapsed().as_secs_f64());
    });
    response
}

/// The `path` label of a request that matched no route.
const UNMATCHED: &str = "unmatched";

/// The `method` label of `method`: a method the routes do not know is `other`, so that a
/// client cannot add labels (and series) at will.
fn method_label(method: &Method) -> &'static str {
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ]
    .iter()
    .find(|m| *m == method)
    .map_or("other", Method::as_str)
}

/// The metrics of one route, method and status.
type RouteHandles = (metrics::Counter, metrics::Histogram);

/// The metrics of each route, by method and status.
type RouteMetrics = FxHashMap<(&'static str, StatusCode), FxHashMap<String, RouteHandles>>;

thread_local! {
    /// The metrics of every route, method and status this thread has answered: looking them
    /// up in the recorder by their labels cost about a twentieth of a GET by id (callgrind). The
    /// routes, methods and statuses are few, and so are these.
    static ROUTE_METRICS: RefCell<RouteMetrics> = RefCell::default();
}

/// The path of imports, whose bodies are files.
const IMPORTS_PATH: &str = "/v1/imports";

/// Honours `Idempotency-Key` on POST: a repeat with the same key and the same request gets
/// the first (successful) response again and changes nothing; the same key with another
/// request is refused (422); a repeat while the first is still running gets 409. Failed
/// requests change nothing, so their key is released for a retry.
pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(&IDEMPOTENCY_KEY) else {
        return next.run(req).await;
    };
    let Ok(key) = key.to_str().map(str::to_owned) else {
        return Problem::bad_request(
            "invalid_idempotency_key",
            "Idempotency-Key must be visible ASCII",
        )
        .into_response();
    };
    // Unauthenticated requests (a login, or a bad token) are left to their handler.
    let Ok(caller) = authenticate(req.headers(), &state).await else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    // An import's file may be larger than other bodies (its route's own limit holds).
    let limit = if parts.uri.path() == IMPORTS_PATH {
        crate::native::files::IMPORT_BODY_LIMIT
    } else {
        state.http.max_body_bytes
    };
    let Ok(bytes) = to_bytes(body, limit).await else {
        return Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body is too large",
        )
        .into_response();
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.path_and_query().map_or("", |p| p.as_str()));
    hasher.update(b"\n");
    hasher.update(&bytes);
    let fingerprint = format!("{:x}", hasher.finalize());
    // From the claim on, the work runs on a task of its own: a client that goes away drops
    // this future, not the request, which still ends by keeping its response or releasing
    // its key (a claim stored by a dropped future would stay "in use").
    let claim = Claim {
        idem: state.services.idempotency.clone(),
        caller,
        key,
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let task = tokio::spawn(claim.settle(fingerprint, next, request, state.http.request_timeout));
    task.await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "an idempotent request failed");
        panic_response(Box::new(()))
    })
}

/// A claimed idempotency key and the request it was claimed for.
struct Claim {
    idem: rolodex_core::IdempotencyService,
    caller: rolodex_core::Caller,
    key: String,
}

impl Claim {
    /// Claims the key for the request whose method, path and body hash to `fingerprint`,
    /// then answers from the stored response, refuses, or runs the request.
    async fn settle(
        self,
        fingerprint: String,
        next: Next,
        request: Request,
        timeout: Duration,
    ) -> Response {
        // A claim lives as long as its request at most, which `timeout` bounds; twice that is
        // the lease after which a claim left behind by a dead process is free again.
        let lease = timeout.saturating_mul(2);
        match self
            .idem
            .claim(&self.caller, &self.key, &fingerprint, lease)
            .await
        {
            Err(e) => Problem::from(e).into_response(),
            Ok(IdempotencyState::Completed(stored)) => replay(stored),
            Ok(IdempotencyState::InProgress) => Problem::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still being processed",
            )
            .into_response(),
            Ok(IdempotencyState::Mismatch) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request",
            )
            .into_response(),
            Ok(IdempotencyState::Claimed) => self.run(next, request, timeout).await,
        }
    }

    /// Runs the request and settles the key: a success keeps its response for replays; a
    /// failure (which changed nothing) or a panic releases the key. A request that outlives
    /// `timeout` keeps its claim, since its write may still land: the claim's lease ends it.
    async fn run(self, next: Next, request: Request, timeout: Duration) -> Response {
        let run = std::panic::AssertUnwindSafe(next.run(request)).catch_unwind();
        let response = match tokio::time::timeout(timeout, run).await {
            Err(_) => {
                return Problem::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "request_timeout",
                    "the request took too long",
                )
                .into_response();
            }
            Ok(Err(_)) => {
                self.release().await;
                return panic_response(Box::new(()));
            }
            Ok(Ok(response)) => response,
        };
        if !response.status().is_success() {
            self.release().await;
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(body) = to_bytes(body, usize::MAX).await else {
            self.release().await;
            return Problem::from(rolodex_core::CoreError::Internal(
                "response body unreadable".into(),
            ))
            .into_response();
        };
        let header_str = |name: header::HeaderName| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let stored = StoredResponse {
            status: parts.status.as_u16(),
            content_type: header_str(header::CONTENT_TYPE)
                .unwrap_or_else(|| "application/json".into()),
            body: body.to_vec(),
            etag: header_str(header::ETAG),
            location: header_str(header::LOCATION),
        };
        if let Err(e) = self.idem.complete(&self.caller, &self.key, &stored).await {
            tracing::warn!(error = ?e, "could not keep an idempotent response");
        }
        Response::from_parts(parts, Body::from(body))
    }

    async fn release(&self) {
        if let Err(e) = self.idem.release(&self.caller, &self.key).await {
            tracing::warn!(error = ?e, "could not release an idempotency key");
        }
    }
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: Option<String>| {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, Some(stored.content_type));
    set(header::ETAG, stored.etag);
    set(header::LOCATION, stored.location);
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
