//! Connections over real TCP (docs/deployment.md, "Limits and timeouts"): a half-sent request
//! head and an idle keep-alive connection are closed in time, idle connections over the
//! per-client bound are closed at once, and at the global bound a new client takes the place
//! of an idle connection: other clients are still answered.
//!
//! Clients connect from loopback addresses of their own (127.0.0.2, ...), which Linux routes
//! to the listener on 127.0.0.1. Every wait is bounded.

use crate::support::TestApp;
use futures::future::join_all;
use rolodex::Config;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;

/// The request head timeout of the timing tests.
const HEAD_TIMEOUT: Duration = Duration::from_secs(1);
/// The idle timeout of the timing tests: longer than the head's, to tell them apart.
const IDLE_TIMEOUT: Duration = Duration::from_secs(3);
/// Longest any test waits for the server to close a connection.
const PATIENCE: Duration = Duration::from_secs(8);

fn short_timeouts(config: &mut Config) {
    config.header_read_timeout = HEAD_TIMEOUT;
    config.idle_timeout = IDLE_TIMEOUT;
}

/// A connection to `app` from the loopback address `from`.
async fn connect_from(app: &TestApp, from: [u8; 4]) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("a loopback address to bind");
    socket
        .connect(SocketAddr::from(([127, 0, 0, 1], app.port)))
        .await
        .expect("the server accepts connections")
}

/// Reads until the server closes the connection, for at most `wait`: whether it did, and the
/// bytes it sent.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> (bool, Vec<u8>) {
    let mut received = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return (false, received),
            Ok(Ok(0) | Err(_)) => return (true, received),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends a `GET /healthz` on `stream` and reads its whole answer (it is small and has a
/// `Content-Length`).
async fn health_on(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: rolodex\r\n\r\n")
        .await
        .expect("the request is sent");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !is_complete(&answer) {
        let n = timeout(PATIENCE, stream.read(&mut buf))
            .await
            .expect("the server answers in time")
            .expect("the connection reads");
        assert!(n > 0, "the connection stays open until the answer is whole");
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// Whether `answer` holds a whole HTTP response with a `Content-Length` body.
fn is_complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .is_some_and(|length| body.len() >= length)
}

#[tokio::test]
async fn a_half_sent_request_head_is_closed_after_the_head_timeout() {
    let app = TestApp::spawn_configured(short_timeouts).await;

    let mut silent = connect_from(&app, [127, 0, 0, 2]).await;
    let start = Instant::now();
    let (closed, _) = closed_within(&mut silent, PATIENCE).await;
    assert!(closed, "a connection that sends nothing is closed");
    let waited = start.elapsed();
    assert!(
        waited >= HEAD_TIMEOUT / 2 && waited < HEAD_TIMEOUT * 3,
        "{waited:?}"
    );

    let stream = connect_from(&app, [127, 0, 0, 2]).await;
    let (mut reader, mut writer) = stream.into_split();
    let start = Instant::now();
    let dribble = tokio::spawn(async move {
        writer
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: rolodex\r\n")
            .await?;
        // One more header byte every 200 ms does not keep the connection open.
        for byte in b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            .iter()
            .cycle()
        {
            tokio::time::sleep(Duration::from_millis(200)).await;
            writer.write_all(&[*byte]).await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut buf = [0u8; 1024];
    let read = timeout(PATIENCE, reader.read(&mut buf)).await;
    dribble.abort();
    assert!(
        matches!(read, Ok(Ok(0) | Err(_))),
        "the server closes a connection whose head is not complete in time: {read:?}"
    );
    let waited = start.elapsed();
    assert!(waited < HEAD_TIMEOUT * 3, "{waited:?}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let app = TestApp::spawn_configured(short_timeouts).await;
    let mut stream = connect_from(&app, [127, 0, 0, 2]).await;
    assert!(health_on(&mut stream).await.starts_with("HTTP/1.1 200"));

    // Waiting between requests longer than the head timeout is fine...
    tokio::time::sleep(HEAD_TIMEOUT + HEAD_TIMEOUT / 2).await;
    assert!(health_on(&mut stream).await.starts_with("HTTP/1.1 200"));

    // ...and idling past the idle timeout closes the connection.
    let start = Instant::now();
    let (closed, sent) = closed_within(&mut stream, PATIENCE).await;
    assert!(closed, "the idle connection is closed");
    assert!(sent.is_empty(), "without a word");
    let waited = start.elapsed();
    assert!(
        waited > IDLE_TIMEOUT - HEAD_TIMEOUT && waited < IDLE_TIMEOUT + HEAD_TIMEOUT * 2,
        "{waited:?}"
    );
}

/// Idle connections held open from loopback addresses other than the per-client test's.
const HELD_FROM: [[u8; 4]; 4] = [
    [127, 0, 0, 3],
    [127, 0, 0, 4],
    [127, 0, 0, 5],
    [127, 0, 0, 6],
];
const PER_CLIENT: usize = 200;

fn per_client_bound(config: &mut Config) {
    config.max_connections_per_client = PER_CLIENT;
    // Long enough for every idle connection to be still open when counted.
    config.header_read_timeout = Duration::from_secs(30);
}

#[tokio::test]
async fn with_a_thousand_idle_connections_open_the_excess_is_closed_and_others_are_answered() {
    let app = TestApp::spawn_configured(per_client_bound).await;

    // 300 from 127.0.0.1: 100 over its bound.
    let mut crowd = Vec::new();
    for _ in 0..PER_CLIENT + 100 {
        crowd.push(connect_from(&app, [127, 0, 0, 1]).await);
    }
    // 800 more from four other addresses, each at its bound: 1,000 held open.
    let mut held = Vec::new();
    for from in HELD_FROM {
        for _ in 0..PER_CLIENT {
            held.push(connect_from(&app, from).await);
        }
    }

    let start = Instant::now();
    let mut stream = connect_from(&app, [127, 0, 0, 2]).await;
    let answer = health_on(&mut stream).await;
    let took = start.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_millis(500), "/healthz took {took:?}");

    let crowd_closed = count_closed(&mut crowd).await;
    assert_eq!(
        crowd_closed, 100,
        "the connections over the client's bound are closed"
    );
    let held_closed = count_closed(&mut held).await;
    assert_eq!(
        held_closed, 0,
        "the connections within their bounds stay open"
    );
}

/// How many of `streams` the server closes within a second, waiting for all at once.
async fn count_closed(streams: &mut [TcpStream]) -> usize {
    let waits = streams
        .iter_mut()
        .map(|s| closed_within(s, Duration::from_secs(1)));
    join_all(waits)
        .await
        .iter()
        .filter(|(closed, _)| *closed)
        .count()
}

fn global_bound(config: &mut Config) {
    config.max_connections = 50;
}

#[tokio::test]
async fn at_the_global_bound_a_new_client_takes_the_place_of_an_idle_connection() {
    let app = TestApp::spawn_configured(global_bound).await;
    let mut small = Vec::new();
    for _ in 0..10 {
        small.push(connect_from(&app, [127, 0, 1, 1]).await);
    }
    let mut big = Vec::new();
    for _ in 0..40 {
        big.push(connect_from(&app, [127, 0, 1, 2]).await);
    }

    let start = Instant::now();
    let mut stream = connect_from(&app, [127, 0, 0, 2]).await;
    assert!(health_on(&mut stream).await.starts_with("HTTP/1.1 200"));
    let took = start.elapsed();
    assert!(took < Duration::from_millis(500), "/healthz took {took:?}");

    assert_eq!(
        count_closed(&mut big).await,
        1,
        "the client holding the most idle connections gives one up"
    );
    assert_eq!(count_closed(&mut small).await, 0);
}

#[tokio::test]
async fn stopping_answers_the_request_in_flight_and_closes_the_others_at_once() {
    let app = TestApp::spawn().await;
    let mut silent = connect_from(&app, [127, 0, 0, 2]).await;
    let mut half = connect_from(&app, [127, 0, 0, 3]).await;
    half.write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .expect("sent");
    let mut keep_alive = connect_from(&app, [127, 0, 0, 4]).await;
    assert!(health_on(&mut keep_alive).await.starts_with("HTTP/1.1 200"));
    // A login whose body is still coming: its handler is running.
    let body = br#"{"username": "admin", "password": "wrong-password"}"#;
    let mut in_flight = connect_from(&app, [127, 0, 0, 5]).await;
    let head = format!(
        "POST /v1/auth/token HTTP/1.1\r\nHost: rolodex\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).await.expect("sent");
    in_flight.write_all(&body[..10]).await.expect("sent");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let start = Instant::now();
    let stopped = tokio::spawn(app.stop());
    for (name, stream) in [
        ("silent", &mut silent),
        ("half a head", &mut half),
        ("idle keep-alive", &mut keep_alive),
    ] {
        let (closed, _) = closed_within(stream, Duration::from_secs(2)).await;
        assert!(closed, "the {name} connection is closed at once");
    }
    in_flight.write_all(&body[10..]).await.expect("sent");
    let (closed, answer) = closed_within(&mut in_flight, PATIENCE).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(closed, "then closed");
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the request is answered: {answer}"
    );
    timeout(PATIENCE, stopped)
        .await
        .expect("the server stops in time")
        .expect("the server task does not panic")
        .expect("a clean stop");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}
