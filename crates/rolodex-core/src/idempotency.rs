//! Idempotency keys: a client that repeats a create with the same key and body gets the first
//! response instead of a second resource. Kept in storage, so it holds across nodes.

use crate::caller::Caller;
use crate::clock::Clock;
use crate::error::CoreError;
use crate::ports::{ClaimTimes, IdempotencyState, Store, StoredResponse};
use crate::write::repo_error;
use rolodex_domain::ValidationError;
use std::sync::Arc;
use time::Duration;

/// How long a key is remembered.
pub const KEY_LIFETIME: Duration = Duration::hours(24);

#[derive(Clone)]
pub struct IdempotencyService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

fn scope(caller: &Caller) -> String {
    caller
        .user_id
        .map_or_else(|| "operator".to_owned(), |u| format!("user:{u}"))
}

impl IdempotencyService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Claims `key` for the request whose method, path and body hash to `fingerprint`. A
    /// claim whose request neither completed nor released it within `lease` (longer than any
    /// request may run) was abandoned by a process that died: the key is free again.
    pub async fn claim(
        &self,
        caller: &Caller,
        key: &str,
        fingerprint: &str,
        lease: std::time::Duration,
    ) -> Result<IdempotencyState, CoreError> {
        let valid =
            !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic());
        if !valid {
            return Err(ValidationError::new(
                "Idempotency-Key",
                "invalid_idempotency_key",
                "must be 1 to 255 visible ASCII characters",
            )
            .into());
        }
        let now = self.clock.now();
        self.store
            .claim(
                caller.tenant_id,
                &scope(caller),
                key,
                fingerprint,
                ClaimTimes {
                    at: now,
                    expired_before: now - KEY_LIFETIME,
                    abandoned_before: now - Duration::try_from(lease).unwrap_or(KEY_LIFETIME),
                },
            )
            .await
            .map_err(repo_error("idempotency key"))
    }

    /// Keeps the response of a claimed key.
    pub async fn complete(
        &self,
        caller: &Caller,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), CoreError> {
        self.store
            .complete(caller.tenant_id, &scope(caller), key, response)
            .await
            .map_err(repo_error("idempotency key"))
    }

    /// Forgets a claimed key whose request failed without changing anything.
    pub async fn release(&self, caller: &Caller, key: &str) -> Result<(), CoreError> {
        self.store
            .release(caller.tenant_id, &scope(caller), key)
            .await
            .map_err(repo_error("idempotency key"))
    }
}
