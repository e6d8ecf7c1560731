//! Tenants, users, memberships, tokens and login throttling.

use crate::support::*;
use rolodex_core::ports::{ConflictKind, NewToken, RepoError, TokenKind, UserUpdate};
use rolodex_domain::{Role, TenantCode, TenantId, UserId, Username};

fn username(raw: &str) -> Username {
    Username::parse(raw).expect("a valid username")
}

async fn tenants_are_unique_by_code_whatever_its_case(db: TestDb) {
    let code = TenantCode::parse("acme").expect("valid");
    let acme = db
        .store
        .create_tenant(&code, "Acme Inc.", at(1))
        .await
        .expect("created");
    assert_eq!(
        (acme.code.as_str(), acme.name.as_str(), acme.created_at),
        ("ACME", "Acme Inc.", at(1))
    );
    let dup = db
        .store
        .create_tenant(&TenantCode::parse("Acme").expect("valid"), "Again", at(2))
        .await;
    assert!(
        matches!(
            dup,
            Err(RepoError::Conflict(ConflictKind::DuplicateTenantCode))
        ),
        "{dup:?}"
    );
    let beta = db
        .store
        .create_tenant(&TenantCode::parse("beta").expect("valid"), "Beta", at(3))
        .await
        .expect("ok");

    assert_eq!(
        db.store.tenant(acme.id).await.expect("read"),
        Some(acme.clone())
    );
    assert_eq!(
        db.store.tenant_by_code(&code).await.expect("read"),
        Some(acme.clone())
    );
    assert_eq!(db.store.tenant(TenantId(99)).await.expect("read"), None);
    assert_eq!(db.store.list_tenants().await.expect("list"), [acme, beta]);
}

async fn users_are_created_found_updated_and_counted(db: TestDb) {
    let acme = db.tenant("acme").await;
    assert_eq!(db.store.count_users().await.expect("count"), 0);
    let alice = db
        .store
        .create_user(
            acme,
            Role::Admin,
            &username("Alice"),
            "Alice A.",
            "$argon2id$hash",
            at(1),
        )
        .await
        .expect("created");
    assert_eq!(
        (alice.username.as_str(), alice.active, alice.created_at),
        ("alice", true, at(1))
    );
    let member = db
        .store
        .membership(acme, alice.id)
        .await
        .expect("read")
        .expect("a member of the tenant it was created in");
    assert_eq!(member.role, Role::Admin);
    db.store
        .create_user(acme, Role::Viewer, &username("bob"), "Bob", "h2", at(2))
        .await
        .expect("created");
    assert_eq!(db.store.count_users().await.expect("count"), 2);

    let creds = db
        .store
        .credentials(&username("alice"))
        .await
        .expect("read");
    assert_eq!(creds.len(), 1);
    assert_eq!(
        (creds[0].user.clone(), creds[0].password_hash.as_str()),
        (alice.clone(), "$argon2id$hash")
    );
    assert!(
        db.store
            .credentials(&username("carol"))
            .await
            .expect("read")
            .is_empty()
    );
    let unknown_tenant = db
        .store
        .create_user(
            TenantId(404),
            Role::Viewer,
            &username("dan"),
            "Dan",
            "h",
            at(3),
        )
        .await;
    assert!(
        matches!(unknown_tenant, Err(RepoError::NotFound)),
        "{unknown_tenant:?}"
    );
    assert_eq!(
        db.store.count_users().await.expect("count"),
        2,
        "a refused user leaves no account behind"
    );

    let updated = db
        .store
        .update_user(
            alice.id,
            UserUpdate {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("updated");
    assert_eq!(
        (updated.display_name.as_str(), updated.active),
        ("Alice A.", false)
    );
    let updated = db
        .store
        .update_user(
            alice.id,
            UserUpdate {
                display_name: Some("Alice B.".into()),
                password_hash: Some("new".into()),
                active: None,
                revoke_sessions_at: None,
            },
        )
        .await
        .expect("updated");
    assert_eq!(
        (updated.display_name.as_str(), updated.active),
        ("Alice B.", false)
    );
    let creds = db
        .store
        .credentials(&username("alice"))
        .await
        .expect("read");
    assert_eq!(creds[0].password_hash, "new");
    assert_eq!(db.store.user(alice.id).await.expect("read"), Some(updated));
    let unknown = db
        .store
        .update_user(UserId(404), UserUpdate::default())
        .await;
    assert!(matches!(unknown, Err(RepoError::NotFound)), "{unknown:?}");
}

async fn memberships_are_set_changed_listed_and_removed(db: TestDb) {
    let acme = db.tenant("acme").await;
    let beta = db.tenant("beta").await;
    let home = db.tenant("home").await;
    let alice = db
        .store
        .create_user(home, Role::Viewer, &username("alice"), "Alice", "h", at(1))
        .await
        .expect("user");
    let bob = db
        .store
        .create_user(home, Role::Viewer, &username("bob"), "Bob", "h", at(1))
        .await
        .expect("user");

    db.store
        .set_membership(beta, alice.id, Role::Viewer)
        .await
        .expect("set");
    db.store
        .set_membership(acme, alice.id, Role::Dispatcher)
        .await
        .expect("set");
    db.store
        .set_membership(acme, alice.id, Role::Admin)
        .await
        .expect("changed");
    db.store
        .set_membership(acme, bob.id, Role::Viewer)
        .await
        .expect("set");

    let of_alice = db.store.tenants_of_user(alice.id).await.expect("read");
    let listed: Vec<(TenantId, Role)> = of_alice.iter().map(|(t, r)| (t.id, *r)).collect();
    assert_eq!(
        listed,
        [
            (acme, Role::Admin),
            (beta, Role::Viewer),
            (home, Role::Viewer)
        ]
    );

    let m = db
        .store
        .membership(acme, alice.id)
        .await
        .expect("read")
        .expect("member");
    assert_eq!(
        (m.user.clone(), m.tenant_id, m.role),
        (alice.clone(), acme, Role::Admin)
    );
    assert!(
        db.store
            .membership(beta, bob.id)
            .await
            .expect("read")
            .is_none()
    );
    let members: Vec<UserId> = db
        .store
        .members(acme)
        .await
        .expect("read")
        .iter()
        .map(|m| m.user.id)
        .collect();
    assert_eq!(members, [alice.id, bob.id]);

    db.store
        .remove_membership(acme, bob.id)
        .await
        .expect("removed");
    let again = db.store.remove_membership(acme, bob.id).await;
    assert!(matches!(again, Err(RepoError::NotFound)), "{again:?}");
    let unknown = db
        .store
        .set_membership(TenantId(404), bob.id, Role::Viewer)
        .await;
    assert!(matches!(unknown, Err(RepoError::NotFound)), "{unknown:?}");
    let nobody = db
        .store
        .set_membership(acme, UserId(404), Role::Viewer)
        .await;
    assert!(matches!(nobody, Err(RepoError::NotFound)), "{nobody:?}");
    assert_eq!(db.store.members(acme).await.expect("read").len(), 1);
}

async fn usernames_are_unique_within_a_tenant_only(db: TestDb) {
    let acme = db.tenant("acme").await;
    let beta = db.tenant("beta").await;
    let alice = db
        .store
        .create_user(acme, Role::Admin, &username("alice"), "Alice", "h1", at(1))
        .await
        .expect("created");
    let dup = db
        .store
        .create_user(acme, Role::Viewer, &username("ALICE"), "Other", "h", at(2))
        .await;
    assert!(
        matches!(
            dup,
            Err(RepoError::Conflict(ConflictKind::DuplicateUsername))
        ),
        "{dup:?}"
    );
    assert_eq!(db.store.count_users().await.expect("count"), 1);
    // Another tenant's alice is another account.
    let other = db
        .store
        .create_user(
            beta,
            Role::Admin,
            &username("Alice"),
            "Alice B.",
            "h2",
            at(3),
        )
        .await
        .expect("created");
    assert_ne!(other.id, alice.id);
    let accounts: Vec<UserId> = db
        .store
        .credentials(&username("alice"))
        .await
        .expect("read")
        .iter()
        .map(|c| c.user.id)
        .collect();
    assert_eq!(accounts, [alice.id, other.id]);
    // Nor can a membership bring a second alice into a tenant.
    let joined = db.store.set_membership(beta, alice.id, Role::Viewer).await;
    assert!(
        matches!(
            joined,
            Err(RepoError::Conflict(ConflictKind::DuplicateUsername))
        ),
        "{joined:?}"
    );
    assert!(
        db.store
            .membership(beta, alice.id)
            .await
            .expect("read")
            .is_none()
    );
}

async fn tokens_are_found_by_hash_revoked_once_and_listed_newest_first(db: TestDb) {
    let acme = db.tenant("acme").await;
    let beta = db.tenant("beta").await;
    let alice = db
        .store
        .create_user(acme, Role::Admin, &username("alice"), "Alice", "h", at(1))
        .await
        .expect("user");
    let bob = db
        .store
        .create_user(acme, Role::Viewer, &username("bob"), "Bob", "h", at(1))
        .await
        .expect("user");
    let token = |kind, hash: &str, user: UserId, tenant: Option<TenantId>, created: i64| NewToken {
        kind,
        secret_hash: hash.into(),
        user_id: user,
        tenant_id: tenant,
        name: if kind == TokenKind::ApiKey {
            format!("key {hash}")
        } else {
            String::new()
        },
        created_at: at(created),
        expires_at: (kind == TokenKind::Session).then(|| at(created + 3_600_000)),
    };

    let session = db
        .store
        .insert_token(token(TokenKind::Session, "s1", alice.id, None, 10))
        .await
        .expect("stored");
    assert_eq!(
        (session.kind, session.tenant_id, session.expires_at),
        (TokenKind::Session, None, Some(at(3_600_010)))
    );
    assert_eq!(
        db.store.token_by_hash("s1").await.expect("read"),
        Some(session.clone())
    );
    assert_eq!(db.store.token_by_hash("nope").await.expect("read"), None);

    let k1 = db
        .store
        .insert_token(token(TokenKind::ApiKey, "k1", alice.id, Some(acme), 20))
        .await
        .expect("ok");
    let k2 = db
        .store
        .insert_token(token(TokenKind::ApiKey, "k2", bob.id, Some(acme), 30))
        .await
        .expect("ok");
    let k3 = db
        .store
        .insert_token(token(TokenKind::ApiKey, "k3", alice.id, Some(acme), 40))
        .await
        .expect("ok");
    db.store
        .insert_token(token(TokenKind::ApiKey, "k4", alice.id, Some(beta), 50))
        .await
        .expect("ok");
    db.store
        .insert_token(token(TokenKind::Session, "s2", alice.id, Some(acme), 60))
        .await
        .expect("ok");

    let ids = |records: Vec<rolodex_core::ports::TokenRecord>| {
        records.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(db.store.api_keys(acme, None).await.expect("list")),
        [k3.id, k2.id, k1.id]
    );
    assert_eq!(
        ids(db.store.api_keys(acme, Some(alice.id)).await.expect("list")),
        [k3.id, k1.id]
    );

    db.store
        .revoke_token(k1.id, at(100))
        .await
        .expect("revoked");
    db.store
        .revoke_token(k1.id, at(200))
        .await
        .expect("revoking again is fine");
    let revoked = db
        .store
        .token_by_hash("k1")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(
        revoked.revoked_at,
        Some(at(100)),
        "the first revocation date is kept"
    );
    let listed = db.store.api_keys(acme, Some(alice.id)).await.expect("list");
    assert_eq!(
        listed[1].revoked_at,
        Some(at(100)),
        "revoked keys are listed"
    );
    let unknown = db.store.revoke_token(9_999, at(1)).await;
    assert!(matches!(unknown, Err(RepoError::NotFound)), "{unknown:?}");

    // Ending a user's sessions revokes every live session of theirs, and nothing else.
    db.store
        .insert_token(token(TokenKind::Session, "b1", bob.id, Some(acme), 70))
        .await
        .expect("ok");
    db.store
        .update_user(
            alice.id,
            UserUpdate {
                revoke_sessions_at: Some(at(300)),
                ..UserUpdate::default()
            },
        )
        .await
        .expect("updated");
    let store = &db.store;
    let revoked_at = |hash: &'static str| async move {
        store
            .token_by_hash(hash)
            .await
            .expect("read")
            .expect("found")
            .revoked_at
    };
    assert_eq!(revoked_at("s1").await, Some(at(300)));
    assert_eq!(revoked_at("s2").await, Some(at(300)));
    assert_eq!(revoked_at("k3").await, None, "API keys are kept");
    assert_eq!(
        revoked_at("k1").await,
        Some(at(100)),
        "an earlier date is kept"
    );
    assert_eq!(
        revoked_at("b1").await,
        None,
        "another user's session is kept"
    );
}

async fn login_failures_are_counted_since_an_instant_and_cleared(db: TestDb) {
    for ms in [1_000, 2_000, 3_000, 4_000] {
        db.store
            .record_failure("login:alice", at(ms), at(0))
            .await
            .expect("recorded");
    }
    db.store
        .record_failure("login:bob", at(3_500), at(0))
        .await
        .expect("recorded");

    assert_eq!(
        db.store
            .failures_since("login:alice", at(0))
            .await
            .expect("read"),
        (4, Some(at(1_000)))
    );
    assert_eq!(
        db.store
            .failures_since("login:alice", at(2_000))
            .await
            .expect("read"),
        (3, Some(at(2_000)))
    );
    assert_eq!(
        db.store
            .failures_since("login:alice", at(4_001))
            .await
            .expect("read"),
        (0, None)
    );
    assert_eq!(
        db.store
            .failures_since("login:carol", at(0))
            .await
            .expect("read"),
        (0, None)
    );

    db.store
        .clear_failures("login:alice")
        .await
        .expect("cleared");
    assert_eq!(
        db.store
            .failures_since("login:alice", at(0))
            .await
            .expect("read"),
        (0, None)
    );
    assert_eq!(
        db.store
            .failures_since("login:bob", at(0))
            .await
            .expect("read"),
        (1, Some(at(3_500)))
    );
}

async fn recording_a_failure_forgets_every_key_s_failures_older_than_the_window(db: TestDb) {
    for (key, ms) in [
        ("login:old", 1_000),
        ("login:guess", 2_000),
        ("login:recent", 9_000),
    ] {
        db.store
            .record_failure(key, at(ms), at(0))
            .await
            .expect("recorded");
    }
    db.store
        .record_failure("login:new", at(10_000), at(5_000))
        .await
        .expect("recorded");
    for (key, expected) in [
        ("login:old", (0, None)),
        ("login:guess", (0, None)),
        ("login:recent", (1, Some(at(9_000)))),
        ("login:new", (1, Some(at(10_000)))),
    ] {
        assert_eq!(
            db.store.failures_since(key, at(0)).await.expect("read"),
            expected,
            "{key}"
        );
    }
}

store_tests!(
    tenants_are_unique_by_code_whatever_its_case,
    users_are_created_found_updated_and_counted,
    memberships_are_set_changed_listed_and_removed,
    usernames_are_unique_within_a_tenant_only,
    tokens_are_found_by_hash_revoked_once_and_listed_newest_first,
    login_failures_are_counted_since_an_instant_and_cleared,
    recording_a_failure_forgets_every_key_s_failures_older_than_the_window,
);
