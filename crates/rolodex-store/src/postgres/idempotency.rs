//! Idempotency keys on PostgreSQL, shared by every node: claiming a key (an insert that only
//! one transaction can make, whichever node runs it), keeping the response of a completed
//! request, and releasing a claim whose request failed. Expired keys of a tenant are pruned as
//! new ones are claimed.

use super::rows::{self, RESPONSE_COLUMNS};
use super::{PgStore, classify, commit};
use async_trait::async_trait;
use rolodex_core::ports::{
    ClaimTimes, IdempotencyRepo, IdempotencyState, RepoError, StoredResponse,
};
use rolodex_domain::TenantId;
use std::sync::LazyLock;

#[async_trait]
impl IdempotencyRepo for PgStore {
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
                 WHERE tenant_id = $1 AND scope = $2 AND key = $3"
            )
        });
        let mut tx = self.begin().await?;
        // Forgets the tenant's expired keys and abandoned claims (requests that neither
        // completed nor released their key: the node died, or the request outlived every
        // deadline), this one included if it is either.
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE tenant_id = $1 \
             AND (created_at < $2 OR (NOT completed AND created_at < $3))",
        )
        .bind(tenant.0)
        .bind(rows::at(times.expired_before))
        .bind(rows::at(times.abandoned_before))
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        // Of concurrent claims, one inserts; the others wait for it to commit, then insert
        // nothing and read its row.
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (tenant_id, scope, key, fingerprint, completed, created_at) \
             VALUES ($1, $2, $3, $4, FALSE, $5) ON CONFLICT (tenant_id, scope, key) DO NOTHING",
        )
        .bind(tenant.0)
        .bind(scope)
        .bind(key)
        .bind(fingerprint)
        .bind(rows::at(times.at))
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        if inserted.rows_affected() == 1 {
            commit(tx).await?;
            return Ok(IdempotencyState::Claimed);
        }
        let row = sqlx::query(&SELECT)
            .bind(tenant.0)
            .bind(scope)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(classify)?;
        commit(tx).await?;
        let Some(row) = row else {
            // The other claim was released between the insert and the read.
            return Ok(IdempotencyState::InProgress);
        };
        let claim = rows::idempotency_claim(&row)?;
        Ok(if claim.fingerprint != fingerprint {
            IdempotencyState::Mismatch
        } else if let Some(response) = claim.response {
            IdempotencyState::Completed(response)
        } else {
            IdempotencyState::InProgress
        })
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
        sqlx::query(
            "UPDATE idempotency_keys SET completed = TRUE, status = $1, content_type = $2, body = $3, \
             etag = $4, location = $5 WHERE tenant_id = $6 AND scope = $7 AND key = $8",
        )
        .bind(i32::from(response.status))
        .bind(&response.content_type)
        .bind(&response.body)
        .bind(response.etag.as_deref())
        .bind(response.location.as_deref())
        .bind(tenant.0)
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(())
    }

    /// Drops a pending claim; a completed key keeps its response.
    async fn release(&self, tenant: TenantId, scope: &str, key: &str) -> Result<(), RepoError> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND scope = $2 AND key = $3 AND NOT completed",
        )
        .bind(tenant.0)
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(())
    }
}
