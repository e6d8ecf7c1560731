//! Idempotency keys: claim, complete, mismatch, release and expiry.

use crate::support::*;
use rolodex_core::ports::{ClaimTimes, IdempotencyState, StoredResponse};

/// Claiming at `now`, keys created before `expired_before` have expired; no claim counts as
/// abandoned unless it has expired too.
fn times(now: i64, expired_before: i64) -> ClaimTimes {
    ClaimTimes {
        at: at(now),
        expired_before: at(expired_before),
        abandoned_before: at(expired_before),
    }
}

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
        store.claim(tenant, "user:1", key, fingerprint, times(now, now - 1_000))
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
            .claim(tenant, "user:2", "k", "fp", times(40, 0))
            .await
            .expect("claim"),
        IdempotencyState::Claimed
    );
    let other = db.tenant("other").await;
    assert_eq!(
        store
            .claim(other, "user:1", "k", "fp", times(40, 0))
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
            .claim(tenant, "s", "k", "fp", times(10, 0))
            .await
            .expect("claim"),
        IdempotencyState::Claimed
    );
    store.release(tenant, "s", "k").await.expect("released");
    assert_eq!(
        store
            .claim(tenant, "s", "k", "fp2", times(11, 0))
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
            .claim(tenant, "s", "k", "fp", times(1_000, 0))
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
            .claim(tenant, "s", "k", "new", times(5_000, 1_000))
            .await
            .expect("claim"),
        IdempotencyState::Mismatch
    );
    // Created before `expired_before`: forgotten, whatever its fingerprint.
    assert_eq!(
        store
            .claim(tenant, "s", "k", "new", times(5_000, 1_001))
            .await
            .expect("claim"),
        IdempotencyState::Claimed
    );
    assert_eq!(
        store
            .claim(tenant, "s", "k", "new", times(5_001, 1_001))
            .await
            .expect("claim"),
        IdempotencyState::InProgress
    );
}

async fn an_abandoned_claim_is_free_again_but_a_completed_key_is_kept(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let store = &db.store;
    let claim = |key: &'static str, fingerprint: &'static str, now: i64, abandoned: i64| {
        store.claim(
            tenant,
            "s",
            key,
            fingerprint,
            ClaimTimes {
                at: at(now),
                expired_before: at(0),
                abandoned_before: at(abandoned),
            },
        )
    };
    for key in ["pending", "done"] {
        assert_eq!(
            claim(key, "fp", 100, 0).await.expect("claim"),
            IdempotencyState::Claimed
        );
    }
    store
        .complete(tenant, "s", "done", &response())
        .await
        .expect("completed");
    // Still running while it was claimed at or after `abandoned_before`.
    assert_eq!(
        claim("pending", "fp", 150, 100).await.expect("claim"),
        IdempotencyState::InProgress
    );
    // Claimed before it and never completed: abandoned, and free for the retry.
    assert_eq!(
        claim("pending", "fp", 200, 101).await.expect("claim"),
        IdempotencyState::Claimed
    );
    assert_eq!(
        claim("done", "fp", 200, 101).await.expect("claim"),
        IdempotencyState::Completed(response()),
        "a completed key keeps its response until it expires"
    );
}

async fn concurrent_claims_of_one_key_have_one_winner(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { store.claim(tenant, "s", "race", "fp", times(10, 0)).await })
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
    an_abandoned_claim_is_free_again_but_a_completed_key_is_kept,
    concurrent_claims_of_one_key_have_one_winner,
);
