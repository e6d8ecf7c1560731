//! An acknowledged write survives the process being killed: a real `rolodex serve` takes a
//! stream of concurrent creates, is killed with SIGKILL in the middle of it, and after a
//! restart on the same database every create that was answered 201 is there.

use serde_json::{Value, json};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const PASSWORD: &str = "durability-password";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn start(db: &str, port: u16, media: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_rolodex"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            db,
        ])
        .arg("--media-dir")
        .arg(media)
        .env("ROLODEX_ADMIN_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the rolodex binary starts")
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

async fn login(client: &reqwest::Client, base: &str) -> String {
    let body: Value = client
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .expect("login request")
        .json()
        .await
        .expect("login body");
    body["access_token"].as_str().expect("a token").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("rolodex.db").display());
    let media = dir.path().join("media");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();

    let mut child = start(&db, port, &media);
    wait_ready(&client, &base).await;
    let token = login(&client, &base).await;
    let customer: Value = client
        .post(format!("{base}/v1/customers"))
        .bearer_auth(&token)
        .json(&json!({"code": "CRASH"}))
        .send()
        .await
        .expect("create customer")
        .json()
        .await
        .expect("customer body");
    let customer = customer["id"].as_i64().expect("customer id");

    let acknowledged = Arc::new(Mutex::new(Vec::<i64>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..8 {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let sent = client
                    .post(format!("{base}/v1/customers/{customer}/contacts"))
                    .bearer_auth(&token)
                    .json(&json!({"code": format!("W{w}-{n}"), "last_name": "Durable"}))
                    .send()
                    .await;
                let Ok(response) = sent else { break };
                if response.status() != reqwest::StatusCode::CREATED {
                    break;
                }
                let Ok(body) = response.json::<Value>().await else {
                    break;
                };
                if let Some(id) = body["id"].as_i64() {
                    acknowledged.lock().await.push(id);
                }
            }
        }));
    }
    // Let the stream run, then kill the server in the middle of it.
    while acknowledged.lock().await.len() < 200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().expect("SIGKILL the server");
    child.wait().expect("reap the server");
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer task");
    }
    let acknowledged = acknowledged.lock().await.clone();
    assert!(acknowledged.len() >= 200);

    let mut child = start(&db, port, &media);
    wait_ready(&client, &base).await;
    let token = login(&client, &base).await;
    let mut missing = Vec::new();
    for id in &acknowledged {
        let status = client
            .get(format!("{base}/v1/customers/{customer}/contacts/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("read back")
            .status();
        if status != reqwest::StatusCode::OK {
            missing.push(*id);
        }
    }
    child.kill().ok();
    child.wait().ok();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes were lost: {missing:?}",
        missing.len(),
        acknowledged.len()
    );
}
