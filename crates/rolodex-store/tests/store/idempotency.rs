//! Idempotency keys: claim, complete, mismatch, release and expiry.

use crate::support::*;
use rolodex_core::ports::{IdempotencyState, StoredResponse};

fn response() -> StoredResponse {
    StoredResponse {
        status: 201,
        content_type: "application/json".into(),
        body: b"{\"id\":1}\x00\xff".to_vec(),
        etag: Some("\"1\"".into()),
        location: Some("/v1/customers/1".into()),
    }
}

async fn a_key_is_claimed_once_then_replays_its_response(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let store = &db.store;
    let claim = |key: &'static str, fingerprint: &'static str, now: i64| {
        store.claim(tenant, "user:1", key, fingerprint, at(now), at(now - 1_000))
    };

    assert_eq!(
        claim("k", "fp", 10).await.expect("claim"),
        IdempotencyState::Claimed
    );
    assert_eq!(
        claim("k", "fp", 20).await.expect("claim"),
        IdempotencyState::InProgress
    );
    assert_eq!(
        claim("k", "other", 20).await.expect("claim"),
        IdempotencyState::Mismatch
    );

    store
        .complete(tenant, "user:1", "k", &response())
        .await
        .expect("completed");
    assert_eq!(
        claim("k", "fp", 30).await.expect("claim"),
        IdempotencyState::Completed(response())
    );
    assert_eq!(
        claim("k", "other", 30).await.expect("claim"),
        IdempotencyState::Mismatch
    );
    store.release(tenant, "user:1", "k").await.expect("release");
    assert_eq!(
        claim("k", "fp", 40).await.expect("claim"),
        IdempotencyState::Completed(response()),
        "a completed key is not released"
    );

    // The same key in another scope or tenant is another key.
    assert_eq!(
        store
            .claim(tenant, "user:2", "k", "fp", at(40), at(0))
            .await
            .expect("claim"),
        IdempotencyState::Claimed
    );
    let other = db.tenant("other").await;
    assert_eq!(
        store
            .claim(other, "user:1", "k", "fp", at(40), at(0))
            .await
            .expect("claim"),
        IdempotencyState::Claimed
    );
}

async fn a_released_claim_can_be_claimed_again(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let store = &db.store;
    assert_eq!(
        store
            .claim(tenant, "s", "k", "fp", at(10), at(0))
            .await
            .expect("claim"),
        IdempotencyState::Claimed
    );
    store.release(tenant, "s", "k").await.expect("released");
    assert_eq!(
        store
            .claim(tenant, "s", "k", "fp2", at(11), at(0))
            .await
            .expect("claim"),
        IdempotencyState::Claimed
    );
}

async fn an_expired_key_is_forgotten_and_claimed_anew(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let store = &db.store;
    assert_eq!(
        store
            .claim(tenant, "s", "k", "fp", at(1_000), at(0))
            .await
            .expect("claim"),
        IdempotencyState::Claimed
    );
    store
        .complete(tenant, "s", "k", &response())
        .await
        .expect("completed");
    // Still live when created exactly at `expired_before`.
    assert_eq!(
        store
            .claim(tenant, "s", "k", "new", at(5_000), at(1_000))
            .await
            .expect("claim"),
        IdempotencyState::Mismatch
    );
    // Created before `expired_before`: forgotten, whatever its fingerprint.
    assert_eq!(
        store
            .claim(tenant, "s", "k", "new", at(5_000), at(1_001))
            .await
            .expect("claim"),
        IdempotencyState::Claimed
    );
    assert_eq!(
        store
            .claim(tenant, "s", "k", "new", at(5_001), at(1_001))
            .await
            .expect("claim"),
        IdempotencyState::InProgress
    );
}

async fn concurrent_claims_of_one_key_have_one_winner(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { store.claim(tenant, "s", "race", "fp", at(10), at(0)).await })
        })
        .collect();
    let mut claimed = 0;
    for task in tasks {
        match task.await.expect("ran").expect("claim") {
            IdempotencyState::Claimed => claimed += 1,
            IdempotencyState::InProgress => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(claimed, 1);
}

store_tests!(
    a_key_is_claimed_once_then_replays_its_response,
    a_released_claim_can_be_claimed_again,
    an_expired_key_is_forgotten_and_claimed_anew,
    concurrent_claims_of_one_key_have_one_winner,
);
