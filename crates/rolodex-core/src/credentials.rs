//! A bounded cache of verified credentials, so that resolving a bearer token or an API key to
//! its caller costs no query on the hot path while the answer is fresh.
//!
//! What it caches is what the store said: a token's identity (with its expiry, checked at
//! every use) and a user's role in a tenant. Every change that could make a cached answer
//! wrong (a logout, a revoked key, a new password, a deactivation, a role or membership
//! change) clears the cache of the node that made it at once; other nodes see the change when
//! their cached answer expires, after at most the configured time to live. That time to live
//! is the bound on how long a revoked credential can still work on another node.

use crate::caller::Identity;
use moka::future::Cache;
use rolodex_domain::{Role, TenantId, UserId};
use std::time::Duration;
use time::OffsetDateTime;

/// How many tokens and memberships are kept at most (each entry is a few hundred bytes).
const CAPACITY: u64 = 50_000;

/// An identity as resolved from a token, and until when its token is valid.
#[derive(Clone)]
pub(crate) struct Resolved {
    pub identity: Identity,
    pub expires_at: Option<OffsetDateTime>,
}

/// Verified credentials of the last `ttl`; a `ttl` of zero caches nothing.
pub struct CredentialCache {
    tokens: Option<Cache<String, Resolved>>,
    roles: Option<Cache<(UserId, TenantId), Option<Role>>>,
}

impl CredentialCache {
    pub fn new(ttl: Duration) -> Self {
        let enabled = !ttl.is_zero();
        Self {
            tokens: enabled.then(|| {
                Cache::builder()
                    .max_capacity(CAPACITY)
                    .time_to_live(ttl)
                    .build()
            }),
            roles: enabled.then(|| {
                Cache::builder()
                    .max_capacity(CAPACITY)
                    .time_to_live(ttl)
                    .build()
            }),
        }
    }

    /// The identity the token with SHA-256 `hash` resolved to, if fresh.
    pub(crate) async fn token(&self, hash: &str) -> Option<Resolved> {
        self.tokens.as_ref()?.get(hash).await
    }

    pub(crate) async fn keep_token(&self, hash: String, resolved: Resolved) {
        if let Some(tokens) = &self.tokens {
            tokens.insert(hash, resolved).await;
        }
    }

    /// `user`'s role in `tenant` (`Some(None)`: known not to be a member), if fresh.
    pub(crate) async fn role(&self, user: UserId, tenant: TenantId) -> Option<Option<Role>> {
        self.roles.as_ref()?.get(&(user, tenant)).await
    }

    pub(crate) async fn keep_role(&self, user: UserId, tenant: TenantId, role: Option<Role>) {
        if let Some(roles) = &self.roles {
            roles.insert((user, tenant), role).await;
        }
    }

    /// Forgets everything: called on this node by every change to tokens, accounts and
    /// memberships (rare next to the reads it saves).
    pub fn clear(&self) {
        if let Some(tokens) = &self.tokens {
            tokens.invalidate_all();
        }
        if let Some(roles) = &self.roles {
            roles.invalidate_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::TokenKind;

    fn resolved() -> Resolved {
        Resolved {
            identity: Identity {
                user_id: UserId(1),
                username: "ada".into(),
                token_id: 7,
                kind: TokenKind::Session,
                bound_tenant: None,
            },
            expires_at: None,
        }
    }

    #[tokio::test]
    async fn answers_are_kept_until_cleared() {
        let cache = CredentialCache::new(Duration::from_secs(60));
        assert!(cache.token("h").await.is_none());
        cache.keep_token("h".into(), resolved()).await;
        cache.keep_role(UserId(1), TenantId(2), None).await;
        assert_eq!(cache.token("h").await.map(|r| r.identity.token_id), Some(7));
        assert_eq!(cache.role(UserId(1), TenantId(2)).await, Some(None));
        cache.clear();
        assert!(cache.token("h").await.is_none());
        assert!(cache.role(UserId(1), TenantId(2)).await.is_none());
    }

    #[tokio::test]
    async fn answers_expire_after_the_time_to_live() {
        let cache = CredentialCache::new(Duration::from_millis(50));
        cache.keep_token("h".into(), resolved()).await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(cache.token("h").await.is_none());
    }

    #[tokio::test]
    async fn a_zero_time_to_live_keeps_nothing() {
        let cache = CredentialCache::new(Duration::ZERO);
        cache.keep_token("h".into(), resolved()).await;
        assert!(cache.token("h").await.is_none());
    }
}
