//! Idempotency keys on SQLite: claiming a key (one writer job, so that two requests with one
//! key cannot both claim it), keeping the response of a completed request, and releasing a
//! claim whose request failed. Expired keys of a tenant are pruned as new ones are claimed.

use super::SqliteStore;
use super::rows::{self, RESPONSE_COLUMNS};
use crate::classify;
use async_trait::async_trait;
use rolodex_core::ports::{
    ClaimTimes, IdempotencyRepo, IdempotencyState, RepoError, StoredResponse,
};
use rolodex_domain::TenantId;
use std::sync::LazyLock;

/// Deletes a tenant's expired keys and its abandoned claims: requests that neither completed
/// nor released their key (the process died, or the request outlived every deadline).
const PRUNE: &str = "DELETE FROM idempotency_keys WHERE tenant_id = ? \
     AND (created_at < ? OR (completed = 0 AND created_at < ?))";

#[async_trait]
impl IdempotencyRepo for SqliteStore {
    async fn claim(
        &self,
        tenant: TenantId,
        scope: &str,
        key: &str,
        fingerprint: &str,
        times: ClaimTimes,
    ) -> Result<IdempotencyState, RepoError> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT fingerprint, completed, {RESPONSE_COLUMNS} FROM idempotency_keys \
                 WHERE tenant_id = ? AND scope = ? AND key = ?"
            )
        });
        let (scope, key, fingerprint) = (scope.to_owned(), key.to_owned(), fingerprint.to_owned());
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    // Forgets the tenant's expired keys and abandoned claims, this one
                    // included if it is either.
                    sqlx::query(PRUNE)
                        .bind(tenant.0)
                        .bind(rows::millis(times.expired_before))
                        .bind(rows::millis(times.abandoned_before))
                        .execute(&mut *conn)
                        .await
                        .map_err(classify)?;
                    let existing = sqlx::query(&SELECT)
                        .bind(tenant.0)
                        .bind(&scope)
                        .bind(&key)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(classify)?;
                    if let Some(row) = existing {
                        let claim = rows::idempotency_claim(&row)?;
                        return Ok(if claim.fingerprint != fingerprint {
                            IdempotencyState::Mismatch
                        } else if let Some(response) = claim.response {
                            IdempotencyState::Completed(response)
                        } else {
                            IdempotencyState::InProgress
                        });
                    }
                    sqlx::query(
                        "INSERT INTO idempotency_keys (tenant_id, scope, key, fingerprint, completed, created_at) \
                         VALUES (?, ?, ?, ?, 0, ?)",
                    )
                    .bind(tenant.0)
                    .bind(&scope)
                    .bind(&key)
                    .bind(&fingerprint)
                    .bind(rows::millis(times.at))
                    .execute(conn)
                    .await
                    .map_err(classify)?;
                    Ok(IdempotencyState::Claimed)
                })
            })
            .await
    }

    /// Keeps `response` for the claimed key. A key that is no longer claimed (expired and
    /// pruned meanwhile) is left alone: the request it belonged to has succeeded regardless.
    async fn complete(
        &self,
        tenant: TenantId,
        scope: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), RepoError> {
        let (scope, key, response) = (scope.to_owned(), key.to_owned(), response.clone());
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE idempotency_keys SET completed = 1, status = ?, content_type = ?, body = ?, \
                         etag = ?, location = ? WHERE tenant_id = ? AND scope = ? AND key = ?",
                    )
                    .bind(i64::from(response.status))
                    .bind(response.content_type)
                    .bind(response.body)
                    .bind(response.etag)
                    .bind(response.location)
                    .bind(tenant.0)
                    .bind(scope)
                    .bind(key)
                    .execute(conn)
                    .await
                    .map_err(classify)?;
                    Ok(())
                })
            })
            .await
    }

    /// Drops a pending claim; a completed key keeps its response.
    async fn release(&self, tenant: TenantId, scope: &str, key: &str) -> Result<(), RepoError> {
        let (scope, key) = (scope.to_owned(), key.to_owned());
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "DELETE FROM idempotency_keys WHERE tenant_id = ? AND scope = ? AND key = ? AND completed = 0",
                    )
                    .bind(tenant.0)
                    .bind(scope)
                    .bind(key)
                    .execute(conn)
                    .await
                    .map_err(classify)?;
                    Ok(())
                })
            })
            .await
    }
}
