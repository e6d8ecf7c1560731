//! Idempotency keys, shared by every node: claiming a key (an insert that only one write can
//! make, whichever node runs it), keeping the response of a completed request, and releasing a
//! claim whose request failed. Expired keys of a tenant are pruned as new ones are claimed.

use crate::rows::{self, RESPONSE_COLUMNS};
use crate::sql::{Conn, DbError, Param, Text};
use crate::store::{Backend, SqlStore};
use async_trait::async_trait;
use rolodex_core::ports::{
    ClaimTimes, IdempotencyRepo, IdempotencyState, RepoError, StoredResponse,
};
use rolodex_domain::TenantId;

#[async_trait]
impl<B: Backend> IdempotencyRepo for SqlStore<B> {
    async fn claim(
        &self,
        tenant: TenantId,
        scope: &str,
        key: &str,
        fingerprint: &str,
        times: ClaimTimes,
    ) -> Result<IdempotencyState, RepoError> {
        // Forgets the tenant's expired keys and abandoned claims (requests that neither
        // completed nor released their key: the node died, or the request outlived every
        // deadline), this one included if it is either.
        const PRUNE: &str = "DELETE FROM idempotency_keys WHERE tenant_id = ?1 \
             AND (created_at < ?2 OR (NOT completed AND created_at < ?3))";
        // Of concurrent claims, one inserts; the others insert nothing and read its row.
        const INSERT: &str = "INSERT INTO idempotency_keys \
             (tenant_id, scope, key, fingerprint, completed, created_at) \
             VALUES (?1, ?2, ?3, ?4, FALSE, ?5) ON CONFLICT (tenant_id, scope, key) DO NOTHING";
        static SELECT: Text = Text::new(|_| {
            format!(
                "SELECT fingerprint, completed, {RESPONSE_COLUMNS} FROM idempotency_keys \
                 WHERE tenant_id = ?1 AND scope = ?2 AND key = ?3"
            )
        });
        let fingerprint = fingerprint.to_owned();
        let (scope, key): (Param, Param) = (scope.into(), key.into());
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    c.execute(
                        PRUNE,
                        &[
                            tenant.0.into(),
                            times.expired_before.into(),
                            times.abandoned_before.into(),
                        ],
                    )
                    .await?;
                    let inserted = c
                        .execute(
                            INSERT,
                            &[
                                tenant.0.into(),
                                scope.clone(),
                                key.clone(),
                                fingerprint.as_str().into(),
                                times.at.into(),
                            ],
                        )
                        .await?;
                    if inserted == 1 {
                        return Ok(IdempotencyState::Claimed);
                    }
                    let claim = c
                        .fetch_first(
                            SELECT.get(c.dialect()),
                            &[tenant.0.into(), scope, key],
                            &rows::idempotency_claim,
                        )
                        .await?;
                    let Some(claim) = claim else {
                        // The other claim was released between the insert and the read.
                        return Ok(IdempotencyState::InProgress);
                    };
                    Ok(if claim.fingerprint != fingerprint {
                        IdempotencyState::Mismatch
                    } else if let Some(response) = claim.response {
                        IdempotencyState::Completed(response)
                    } else {
                        IdempotencyState::InProgress
                    })
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
        const SQL: &str = "UPDATE idempotency_keys SET completed = TRUE, status = ?1, \
             content_type = ?2, body = ?3, etag = ?4, location = ?5 \
             WHERE tenant_id = ?6 AND scope = ?7 AND key = ?8";
        let params: Vec<Param> = vec![
            i64::from(response.status).into(),
            response.content_type.as_str().into(),
            response.body.clone().into(),
            response.etag.clone().into(),
            response.location.clone().into(),
            tenant.0.into(),
            scope.into(),
            key.into(),
        ];
        self.execute(SQL, params, DbError::classify).await?;
        Ok(())
    }

    /// Drops a pending claim; a completed key keeps its response.
    async fn release(&self, tenant: TenantId, scope: &str, key: &str) -> Result<(), RepoError> {
        const SQL: &str = "DELETE FROM idempotency_keys \
             WHERE tenant_id = ?1 AND scope = ?2 AND key = ?3 AND NOT completed";
        let params: Vec<Param> = vec![tenant.0.into(), scope.into(), key.into()];
        self.execute(SQL, params, DbError::classify).await?;
        Ok(())
    }
}
