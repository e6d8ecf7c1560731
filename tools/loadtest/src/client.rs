//! The load generator: HTTP/1.1 keep-alive connections on hyper's client, a closed loop of
//! requests per connection for a fixed time, and the setup calls (login, creates) the
//! benchmark makes on the same connections.
//!
//! Every request and every connect is bounded by a timeout, and every loop by a deadline or a
//! count, so a run ends by itself whatever the server does.

use crate::Workload;
use crate::data;
use anyhow::{Context, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::{sleep, timeout};

/// A request body: the whole of it in memory.
pub type Body = Full<Bytes>;

/// Makes the next request of a workload, drawing whatever it varies from the connection's
/// random numbers.
pub type MakeRequest = dyn Fn(&mut SmallRng) -> Request<Body> + Send + Sync;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where requests go and the credentials they carry.
#[derive(Clone)]
pub struct Endpoint {
    pub addr: SocketAddr,
    host: HeaderValue,
    auth: Option<HeaderValue>,
}

impl Endpoint {
    pub fn new(addr: SocketAddr) -> Self {
        let host = HeaderValue::from_str(&addr.to_string())
            .expect("a socket address is a valid Host header");
        Self {
            addr,
            host,
            auth: None,
        }
    }

    /// The same endpoint, sending `Authorization: value` with every request.
    pub fn with_auth(&self, value: &str) -> anyhow::Result<Self> {
        Ok(Self {
            auth: Some(HeaderValue::from_str(value).context("an Authorization header")?),
            ..self.clone()
        })
    }

    /// A request without a body.
    pub fn get(&self, path: &str) -> Request<Body> {
        self.request(Method::GET, path, None, Bytes::new())
    }

    /// A request with a body of the given content type.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        content_type: &'static str,
        body: impl Into<Bytes>,
    ) -> Request<Body> {
        self.request(method, path, Some(content_type), body.into())
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&'static str>,
        body: Bytes,
    ) -> Request<Body> {
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = path.parse().expect("paths built here are valid URIs");
        let headers = request.headers_mut();
        headers.insert(HOST, self.host.clone());
        if let Some(auth) = &self.auth {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        request
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    sender: SendRequest<Body>,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> anyhow::Result<Self> {
        let tcp = timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .with_context(|| format!("connecting to {addr} timed out"))?
            .with_context(|| format!("could not connect to {addr}"))?;
        tcp.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(tcp)).await?;
        // The connection's own error also fails the request in flight, which is where it counts.
        tokio::spawn(async move { connection.await.ok() });
        Ok(Self { sender })
    }

    /// Sends a request and reads the whole response.
    pub async fn send(&mut self, request: Request<Body>) -> anyhow::Result<(StatusCode, Bytes)> {
        timeout(REQUEST_TIMEOUT, async {
            self.sender.ready().await?;
            let response = self.sender.send_request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, body))
        })
        .await
        .context("no response within the request timeout")?
    }

    /// Sends a request that must succeed, and parses its JSON response.
    pub async fn json(&mut self, request: Request<Body>) -> anyhow::Result<serde_json::Value> {
        let what = format!("{} {}", request.method(), request.uri());
        let (status, body) = self.send(request).await.context(what.clone())?;
        if !status.is_success() {
            bail!("{what}: {status}: {}", String::from_utf8_lossy(&body));
        }
        serde_json::from_slice(&body).with_context(|| format!("{what}: the response is not JSON"))
    }
}

/// Creates `count` resources with `clients` concurrent connections; `make(i)` is the request
/// creating resource `i`, `parse` takes what the benchmark needs from its response. Returns the
/// results in the order of `i` and how long it took.
pub async fn create_all<T: Send + 'static>(
    addr: SocketAddr,
    clients: usize,
    count: usize,
    make: Arc<dyn Fn(usize) -> Request<Body> + Send + Sync>,
    parse: fn(&serde_json::Value) -> Option<T>,
) -> anyhow::Result<(Vec<T>, Duration)> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..clients {
        let (next, make) = (next.clone(), make.clone());
        tasks.spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut made = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(made);
                }
                let response = conn.json(make(i)).await?;
                let value = parse(&response)
                    .with_context(|| format!("unexpected creation response {response}"))?;
                made.push((i, value));
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(done) = tasks.join_next().await {
        all.extend(done??);
    }
    let elapsed = started.elapsed();
    all.sort_by_key(|(i, _)| *i);
    Ok((all.into_iter().map(|(_, v)| v).collect(), elapsed))
}

/// What one timed run measured.
#[derive(Debug, Clone)]
pub struct Summary {
    pub requests_per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub errors: u64,
}

/// Runs the workload `make` on `connections` keep-alive connections for `duration`, each
/// connection sending its next request as soon as the previous one is answered. Counts the
/// successful (2xx) responses received before the deadline; anything else is an error.
pub async fn measure(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    make: Arc<MakeRequest>,
) -> anyhow::Result<Summary> {
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        conns.push(Conn::open(addr).await?);
    }
    let deadline = Instant::now() + duration;
    let mut tasks = JoinSet::new();
    for (seed, conn) in (0u64..).zip(conns) {
        tasks.spawn(closed_loop(conn, addr, deadline, make.clone(), seed));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    while let Some(done) = tasks.join_next().await {
        let (mut l, e) = done?;
        latencies.append(&mut l);
        errors += e;
    }
    latencies.sort_unstable();
    let percentile = |p: usize| {
        latencies
            .get((latencies.len() * p).div_ceil(100).saturating_sub(1))
            .map_or(Duration::ZERO, |&us| Duration::from_micros(us.into()))
    };
    let requests_per_sec = latencies.len() as f64 / duration.as_secs_f64();
    Ok(Summary {
        requests_per_sec,
        p50: percentile(50),
        p99: percentile(99),
        errors,
    })
}

/// One connection's loop: latencies (µs) of its successes and its error count.
async fn closed_loop(
    mut conn: Conn,
    addr: SocketAddr,
    deadline: Instant,
    make: Arc<MakeRequest>,
    seed: u64,
) -> (Vec<u32>, u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut latencies = Vec::new();
    let mut errors = 0;
    while Instant::now() < deadline {
        let started = Instant::now();
        let result = conn.send(make(&mut rng)).await;
        let done = Instant::now();
        if done > deadline {
            break;
        }
        match result {
            Ok((status, _)) if status.is_success() => latencies
                .push(u32::try_from(done.duration_since(started).as_micros()).unwrap_or(u32::MAX)),
            Ok(_) => errors += 1,
            Err(_) => {
                errors += 1;
                match reconnect(addr, deadline).await {
                    Some(fresh) => conn = fresh,
                    None => break,
                }
            }
        }
    }
    (latencies, errors)
}

/// A new connection after a failed one, retried until the deadline.
async fn reconnect(addr: SocketAddr, deadline: Instant) -> Option<Conn> {
    while Instant::now() < deadline {
        if let Ok(conn) = Conn::open(addr).await {
            return Some(conn);
        }
        sleep(Duration::from_millis(50)).await;
    }
    None
}

/// The path of one record, picked at random.
pub type PickRecord = dyn Fn(&mut SmallRng) -> String + Send + Sync;

/// A target's three workloads, on random records and prefixes: PATCH (a body of
/// `patch_type`) and GET of the record `record` picks, and the page `search_path` names for a
/// random prefix.
pub fn workloads(
    endpoint: &Endpoint,
    record: Arc<PickRecord>,
    patch_type: &'static str,
    search_path: fn(&str) -> String,
    prefixes: &Arc<Vec<String>>,
) -> Vec<(Workload, Arc<MakeRequest>)> {
    let (ep, pick) = (endpoint.clone(), record.clone());
    let patch: Arc<MakeRequest> = Arc::new(move |rng: &mut SmallRng| {
        let path = pick(rng);
        ep.send(Method::PATCH, &path, patch_type, data::patch(rng))
    });
    let (ep, pick) = (endpoint.clone(), record);
    let get: Arc<MakeRequest> = Arc::new(move |rng: &mut SmallRng| ep.get(&pick(rng)));
    let (ep, p) = (endpoint.clone(), prefixes.clone());
    let search: Arc<MakeRequest> = Arc::new(move |rng: &mut SmallRng| {
        ep.get(&search_path(p.choose(rng).expect("at least one prefix")))
    });
    vec![
        (Workload::Patch, patch),
        (Workload::Get, get),
        (Workload::Search, search),
    ]
}

/// Checks that the page `search_path` names for each prefix lists 50 `items` (`what` names
/// the target in the error).
pub async fn check_search(
    endpoint: &Endpoint,
    prefixes: &[String],
    search_path: fn(&str) -> String,
    what: &str,
) -> anyhow::Result<()> {
    let mut conn = Conn::open(endpoint.addr).await?;
    for prefix in prefixes {
        let page = conn.json(endpoint.get(&search_path(prefix))).await?;
        let found = page["items"].as_array().map_or(0, Vec::len);
        if found != 50 {
            bail!("a {what} search by {prefix:?} returned {found} records, not 50");
        }
    }
    Ok(())
}
