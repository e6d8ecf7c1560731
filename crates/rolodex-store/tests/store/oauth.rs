//! OAuth clients, codes and refresh tokens: single use, decided by the store even under
//! concurrent uses, and a second use revoking the whole grant.

use crate::support::*;
use rolodex_core::ports::{
    ChallengeMethod, CodeChallenge, NewAuthorizationCode, NewOAuthClient, NewToken, NewTokenPair,
    OAuthClientRecord, Redemption, RepoError, TokenKind, UserUpdate,
};
use rolodex_domain::{Role, TenantId, UserId, Username};

/// Tenant `acme`, its user, and a client.
async fn world(db: &TestDb) -> (TenantId, UserId, OAuthClientRecord) {
    let acme = db.tenant("acme").await;
    let user = db
        .store
        .create_user(
            acme,
            Role::Dispatcher,
            &Username::parse("alice").expect("valid"),
            "Alice",
            "h",
            at(1),
        )
        .await
        .expect("user")
        .id;
    let client = db
        .store
        .insert_oauth_client(new_client(acme, "c1", at(2)))
        .await
        .expect("client");
    (acme, user, client)
}

fn new_client(
    tenant: TenantId,
    client_id: &str,
    created_at: time::OffsetDateTime,
) -> NewOAuthClient {
    NewOAuthClient {
        tenant_id: tenant,
        name: format!("Client {client_id}"),
        client_id: client_id.into(),
        secret_hash: format!("secret-{client_id}"),
        redirect_uris: vec!["https://c.example/cb".into(), "http://127.0.0.1/cb".into()],
        created_at,
    }
}

/// Stores a code `hash` of `client` for `user`, issued at `ms`, valid 30 s; returns its id.
async fn code(db: &TestDb, client: &OAuthClientRecord, user: UserId, hash: &str, ms: i64) -> i64 {
    db.store
        .insert_authorization_code(NewAuthorizationCode {
            tenant_id: client.tenant_id,
            client: client.id,
            user_id: user,
            code_hash: hash.into(),
            redirect_uri: Some("https://c.example/cb".into()),
            challenge: Some(CodeChallenge {
                challenge: "challenge".into(),
                method: ChallengeMethod::S256,
            }),
            scope: Some("read".into()),
            created_at: at(ms),
            expires_at: at(ms + 30_000),
        })
        .await
        .expect("stored");
    db.store
        .authorization_code(hash)
        .await
        .expect("read")
        .expect("found")
        .id
}

/// An access token `name`-a and refresh token `name`-r of `grant`, at `ms`.
fn pair(client: &OAuthClientRecord, user: UserId, grant: i64, name: &str, ms: i64) -> NewTokenPair {
    NewTokenPair {
        grant,
        client: client.id,
        access: NewToken {
            kind: TokenKind::OAuth,
            secret_hash: format!("{name}-a"),
            user_id: user,
            tenant_id: Some(client.tenant_id),
            name: client.client_id.clone(),
            created_at: at(ms),
            expires_at: Some(at(ms + 3_600_000)),
        },
        refresh_hash: format!("{name}-r"),
        refresh_expires_at: at(ms + 86_400_000),
        scope: Some("read".into()),
    }
}

/// Whether the access token `name`-a is revoked.
async fn access_revoked(db: &TestDb, name: &str) -> bool {
    db.store
        .token_by_hash(&format!("{name}-a"))
        .await
        .expect("read")
        .expect("found")
        .revoked_at
        .is_some()
}

async fn clients_are_found_by_client_id_and_listed_per_tenant(db: TestDb) {
    let (acme, _, c1) = world(&db).await;
    let beta = db.tenant("beta").await;
    let c2 = db
        .store
        .insert_oauth_client(new_client(acme, "c2", at(3)))
        .await
        .expect("client");
    db.store
        .insert_oauth_client(new_client(beta, "b1", at(4)))
        .await
        .expect("client");
    assert_eq!(
        c1.redirect_uris,
        ["https://c.example/cb", "http://127.0.0.1/cb"]
    );
    assert_eq!(
        db.store.oauth_client("c1").await.expect("read"),
        Some(c1.clone())
    );
    assert_eq!(db.store.oauth_client("C1").await.expect("read"), None);
    let listed = db.store.oauth_clients(acme).await.expect("list");
    assert_eq!(
        listed,
        [c2.clone(), c1.clone()],
        "newest first, this tenant's only"
    );

    let other = db.store.revoke_oauth_client(beta, c1.id, at(5)).await;
    assert!(matches!(other, Err(RepoError::NotFound)), "{other:?}");
    db.store
        .revoke_oauth_client(acme, c1.id, at(6))
        .await
        .expect("revoked");
    db.store
        .revoke_oauth_client(acme, c1.id, at(7))
        .await
        .expect("again");
    let c1 = db
        .store
        .oauth_client("c1")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(c1.revoked_at, Some(at(6)));
    let unknown_tenant = db
        .store
        .insert_oauth_client(new_client(TenantId(999), "x", at(8)))
        .await;
    assert!(
        matches!(unknown_tenant, Err(RepoError::NotFound)),
        "{unknown_tenant:?}"
    );
}

async fn a_code_is_redeemed_once_and_a_second_use_revokes_its_grant(db: TestDb) {
    let (acme, user, client) = world(&db).await;
    let grant = code(&db, &client, user, "code-1", 10).await;
    let stored = db
        .store
        .authorization_code("code-1")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(
        (
            stored.redirect_uri.as_deref(),
            stored.scope.as_deref(),
            stored.used_at
        ),
        (Some("https://c.example/cb"), Some("read"), None)
    );
    assert_eq!(
        stored.challenge.map(|c| c.method),
        Some(ChallengeMethod::S256)
    );

    let first = db
        .store
        .redeem_authorization_code(acme, grant, pair(&client, user, grant, "p1", 20))
        .await
        .expect("redeemed");
    assert_eq!(first, Redemption::Issued);
    let access = db
        .store
        .token_by_hash("p1-a")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        (access.kind, access.tenant_id),
        (TokenKind::OAuth, Some(acme))
    );
    let refresh = db
        .store
        .refresh_token("p1-r")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        (refresh.grant, refresh.access_token_id, refresh.client),
        (grant, access.id, client.id)
    );
    assert!(!access_revoked(&db, "p1").await);

    let second = db
        .store
        .redeem_authorization_code(acme, grant, pair(&client, user, grant, "p2", 30))
        .await
        .expect("answered");
    assert_eq!(second, Redemption::Spent);
    assert_eq!(
        db.store.token_by_hash("p2-a").await.expect("read"),
        None,
        "nothing stored"
    );
    assert!(
        access_revoked(&db, "p1").await,
        "what the code bought is revoked"
    );
    let refresh = db
        .store
        .refresh_token("p1-r")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(refresh.revoked_at, Some(at(30)));
    let used = db
        .store
        .authorization_code("code-1")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        (used.used_at, used.revoked_at),
        (Some(at(20)), Some(at(30)))
    );
}

async fn concurrent_redemptions_of_one_code_issue_one_pair(db: TestDb) {
    let (acme, user, client) = world(&db).await;
    let grant = code(&db, &client, user, "code-1", 10).await;
    let uses = (0..4).map(|i| {
        let store = db.store.clone();
        let pair = pair(&client, user, grant, &format!("p{i}"), 20 + i);
        tokio::spawn(async move { store.redeem_authorization_code(acme, grant, pair).await })
    });
    let mut issued = 0;
    for answer in futures::future::join_all(uses).await {
        if answer.expect("joined").expect("answered") == Redemption::Issued {
            issued += 1;
        }
    }
    assert_eq!(issued, 1);
}

async fn refresh_tokens_rotate_once_and_a_reuse_revokes_the_grant(db: TestDb) {
    let (acme, user, client) = world(&db).await;
    let grant = code(&db, &client, user, "code-1", 10).await;
    db.store
        .redeem_authorization_code(acme, grant, pair(&client, user, grant, "p1", 20))
        .await
        .expect("redeemed");
    let first = db
        .store
        .refresh_token("p1-r")
        .await
        .expect("read")
        .expect("stored");
    let rotated = db
        .store
        .rotate_refresh_token(acme, first.id, pair(&client, user, grant, "p2", 30))
        .await
        .expect("rotated");
    assert_eq!(rotated, Redemption::Issued);
    let spent = db
        .store
        .refresh_token("p1-r")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!((spent.rotated_at, spent.revoked_at), (Some(at(30)), None));
    assert!(
        !access_revoked(&db, "p1").await,
        "access tokens live out their time"
    );

    let again = db
        .store
        .rotate_refresh_token(acme, first.id, pair(&client, user, grant, "p3", 40))
        .await
        .expect("answered");
    assert_eq!(again, Redemption::Spent);
    assert_eq!(db.store.refresh_token("p3-r").await.expect("read"), None);
    for name in ["p1", "p2"] {
        assert!(access_revoked(&db, name).await, "{name}");
    }
    let second = db
        .store
        .refresh_token("p2-r")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(second.revoked_at, Some(at(40)));
    let revoked_grant = db
        .store
        .rotate_refresh_token(acme, second.id, pair(&client, user, grant, "p4", 50))
        .await
        .expect("answered");
    assert_eq!(revoked_grant, Redemption::Spent);
}

async fn revoking_a_client_or_a_user_s_sessions_revokes_their_grants(db: TestDb) {
    let (acme, user, client) = world(&db).await;
    let other = db
        .store
        .insert_oauth_client(new_client(acme, "c2", at(3)))
        .await
        .expect("client");
    for (c, name, ms) in [(&client, "p1", 10), (&other, "p2", 20)] {
        let grant = code(&db, c, user, &format!("code-{name}"), ms).await;
        db.store
            .redeem_authorization_code(acme, grant, pair(c, user, grant, name, ms + 1))
            .await
            .expect("redeemed");
    }
    db.store
        .revoke_oauth_client(acme, client.id, at(100))
        .await
        .expect("revoked");
    assert!(access_revoked(&db, "p1").await);
    assert!(
        !access_revoked(&db, "p2").await,
        "the other client's grant stays"
    );
    let unused = code(&db, &client, user, "code-late", 110).await;
    let late = db
        .store
        .redeem_authorization_code(acme, unused, pair(&client, user, unused, "p3", 120))
        .await
        .expect("answered");
    assert_eq!(late, Redemption::Issued, "the client check is core's");

    db.store
        .update_user(
            user,
            UserUpdate {
                revoke_sessions_at: Some(at(200)),
                ..UserUpdate::default()
            },
        )
        .await
        .expect("updated");
    assert!(access_revoked(&db, "p2").await);
    let refresh = db
        .store
        .refresh_token("p2-r")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(refresh.revoked_at, Some(at(200)));
}

async fn codes_that_expired_unused_are_forgotten(db: TestDb) {
    let (acme, user, client) = world(&db).await;
    let used = code(&db, &client, user, "used", 10).await;
    db.store
        .redeem_authorization_code(acme, used, pair(&client, user, used, "p1", 11))
        .await
        .expect("redeemed");
    code(&db, &client, user, "unused", 10).await;
    code(&db, &client, user, "later", 40_011).await;
    assert_eq!(
        db.store.authorization_code("unused").await.expect("read"),
        None
    );
    assert!(
        db.store
            .authorization_code("used")
            .await
            .expect("read")
            .is_some()
    );
}

store_tests!(
    clients_are_found_by_client_id_and_listed_per_tenant,
    a_code_is_redeemed_once_and_a_second_use_revokes_its_grant,
    concurrent_redemptions_of_one_code_issue_one_pair,
    refresh_tokens_rotate_once_and_a_reuse_revokes_the_grant,
    revoking_a_client_or_a_user_s_sessions_revokes_their_grants,
    codes_that_expired_unused_are_forgotten,
);
