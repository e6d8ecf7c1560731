//! OAuth 2.0 clients, authorization codes and refresh tokens: the port the OAuth use cases
//! need.
//!
//! A grant is an authorization code and every refresh token descended from it. Using a code
//! or a refresh token, and storing the token pair it buys, is one write whose first statement
//! claims the grant's row: a concurrent use of the same code or token, or a revocation of the
//! same grant (which claims that row first too), waits for it and then sees what it did, so
//! two uses can never both succeed and a revoked grant never gains a token.

use crate::auth::insert_token;
use crate::rows::{self, OAUTH_CLIENT_COLUMNS, OAUTH_CODE_COLUMNS, REFRESH_TOKEN_COLUMNS};
use crate::sql::{Conn, DbError, Param, Text, json};
use crate::store::{Backend, SqlStore};
use async_trait::async_trait;
use rolodex_core::ports::{
    AuthorizationCodeRecord, NewAuthorizationCode, NewOAuthClient, NewTokenPair, OAuthClientRecord,
    OAuthRepo, Redemption, RefreshTokenRecord, RepoError,
};
use rolodex_domain::TenantId;
use time::OffsetDateTime;

/// The grants to revoke: one grant, or every grant of one client.
#[derive(Debug, Clone, Copy)]
enum Grants {
    One(i64),
    OfClient(i64),
}

/// Revokes `grants` of `tenant` at `at`: their codes first (the rows every use of a grant
/// claims), then the access tokens of their refresh tokens, then the refresh tokens. What was
/// revoked already keeps its first date.
async fn revoke_grants<C: Conn>(
    c: &mut C,
    tenant: TenantId,
    grants: Grants,
    at: OffsetDateTime,
) -> Result<(), RepoError> {
    // Exactly one of ?3 (a grant) and ?4 (a client) is set; `= NULL` matches nothing.
    const CODES: &str = "UPDATE oauth_codes SET revoked_at = coalesce(revoked_at, ?1) \
         WHERE tenant_id = ?2 AND (id = ?3 OR client_id = ?4)";
    const ACCESS_TOKENS: &str = "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?1) \
         WHERE id IN (SELECT access_token_id FROM oauth_refresh_tokens \
         WHERE tenant_id = ?2 AND (code_id = ?3 OR client_id = ?4))";
    const REFRESH_TOKENS: &str = "UPDATE oauth_refresh_tokens \
         SET revoked_at = coalesce(revoked_at, ?1) \
         WHERE tenant_id = ?2 AND (code_id = ?3 OR client_id = ?4)";
    let (grant, client) = match grants {
        Grants::One(grant) => (Some(grant), None),
        Grants::OfClient(client) => (None, Some(client)),
    };
    let params: [Param; 4] = [at.into(), tenant.0.into(), grant.into(), client.into()];
    for sql in [CODES, ACCESS_TOKENS, REFRESH_TOKENS] {
        c.execute(sql, &params).await?;
    }
    Ok(())
}

/// Stores an access token and the refresh token issued with it.
async fn insert_pair<C: Conn>(
    c: &mut C,
    tenant: TenantId,
    pair: NewTokenPair,
) -> Result<(), RepoError> {
    const REFRESH: &str = "INSERT INTO oauth_refresh_tokens \
         (tenant_id, client_id, code_id, user_id, token_hash, access_token_id, scope, created_at, \
         expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    let (user, created_at) = (pair.access.user_id, pair.access.created_at);
    let access = insert_token(c, pair.access).await?;
    let params: [Param; 9] = [
        tenant.0.into(),
        pair.client.into(),
        pair.grant.into(),
        user.0.into(),
        pair.refresh_hash.into(),
        access.id.into(),
        pair.scope.into(),
        created_at.into(),
        pair.refresh_expires_at.into(),
    ];
    c.execute(REFRESH, &params)
        .await
        .map_err(DbError::missing_parent)?;
    Ok(())
}

impl<B: Backend> SqlStore<B> {
    /// In one write, runs `claim` (updates of the grant's rows that change nothing when the
    /// code or token was used already or the grant revoked), then stores `pair` if every
    /// statement changed a row, else revokes the grant.
    async fn use_grant(
        &self,
        tenant: TenantId,
        claim: Vec<(&'static str, Vec<Param>)>,
        pair: NewTokenPair,
    ) -> Result<Redemption, RepoError> {
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    for (sql, params) in &claim {
                        if c.execute(sql, params).await? == 0 {
                            let at = pair.access.created_at;
                            revoke_grants(c, tenant, Grants::One(pair.grant), at).await?;
                            return Ok(Redemption::Spent);
                        }
                    }
                    insert_pair(c, tenant, pair).await?;
                    Ok(Redemption::Issued)
                })
            })
            .await
    }
}

#[async_trait]
impl<B: Backend> OAuthRepo for SqlStore<B> {
    async fn insert_oauth_client(
        &self,
        client: NewOAuthClient,
    ) -> Result<OAuthClientRecord, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "INSERT INTO oauth_clients \
                 (tenant_id, name, client_id, secret_hash, redirect_uris, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING {OAUTH_CLIENT_COLUMNS}"
            )
        });
        let params: Vec<Param> = vec![
            client.tenant_id.0.into(),
            client.name.into(),
            client.client_id.into(),
            client.secret_hash.into(),
            json(&client.redirect_uris, "redirect_uris").map_err(RepoError::from)?,
            client.created_at.into(),
        ];
        // An unknown tenant is a missing parent.
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    c.fetch_one(SQL.get(c.dialect()), &params, &rows::oauth_client)
                        .await
                        .map_err(DbError::missing_parent)
                })
            })
            .await
    }

    async fn oauth_client(&self, client_id: &str) -> Result<Option<OAuthClientRecord>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!("SELECT {OAUTH_CLIENT_COLUMNS} FROM oauth_clients WHERE client_id = ?1")
        });
        self.first(&SQL, vec![client_id.into()], rows::oauth_client)
            .await
    }

    async fn oauth_clients(&self, tenant: TenantId) -> Result<Vec<OAuthClientRecord>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "SELECT {OAUTH_CLIENT_COLUMNS} FROM oauth_clients WHERE tenant_id = ?1 \
                 ORDER BY created_at DESC, id DESC"
            )
        });
        self.all(&SQL, vec![tenant.0.into()], rows::oauth_client)
            .await
    }

    async fn revoke_oauth_client(
        &self,
        tenant: TenantId,
        id: i64,
        at: OffsetDateTime,
    ) -> Result<(), RepoError> {
        const SQL: &str = "UPDATE oauth_clients SET revoked_at = coalesce(revoked_at, ?3) \
             WHERE tenant_id = ?1 AND id = ?2";
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    if c.execute(SQL, &[tenant.0.into(), id.into(), at.into()])
                        .await?
                        == 0
                    {
                        return Err(RepoError::NotFound);
                    }
                    revoke_grants(c, tenant, Grants::OfClient(id), at).await
                })
            })
            .await
    }

    async fn insert_authorization_code(&self, code: NewAuthorizationCode) -> Result<(), RepoError> {
        // A code that expired unused has no refresh token and can never be used: forgotten.
        const FORGET: &str = "DELETE FROM oauth_codes \
             WHERE tenant_id = ?1 AND expires_at < ?2 AND used_at IS NULL";
        const INSERT: &str = "INSERT INTO oauth_codes \
             (tenant_id, client_id, user_id, code_hash, redirect_uri, code_challenge, \
             code_challenge_method, scope, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
        let (challenge, method) = match code.challenge {
            Some(c) => (Some(c.challenge), Some(c.method.as_str())),
            None => (None, None),
        };
        let params: Vec<Param> = vec![
            code.tenant_id.0.into(),
            code.client.into(),
            code.user_id.0.into(),
            code.code_hash.into(),
            code.redirect_uri.into(),
            challenge.into(),
            method.into(),
            code.scope.into(),
            code.created_at.into(),
            code.expires_at.into(),
        ];
        let forget: [Param; 2] = [code.tenant_id.0.into(), code.created_at.into()];
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    c.execute(FORGET, &forget).await?;
                    c.execute(INSERT, &params)
                        .await
                        .map_err(DbError::missing_parent)?;
                    Ok(())
                })
            })
            .await
    }

    async fn authorization_code(
        &self,
        code_hash: &str,
    ) -> Result<Option<AuthorizationCodeRecord>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!("SELECT {OAUTH_CODE_COLUMNS} FROM oauth_codes WHERE code_hash = ?1")
        });
        self.first(&SQL, vec![code_hash.into()], rows::authorization_code)
            .await
    }

    async fn redeem_authorization_code(
        &self,
        tenant: TenantId,
        code: i64,
        tokens: NewTokenPair,
    ) -> Result<Redemption, RepoError> {
        const CLAIM: &str = "UPDATE oauth_codes SET used_at = ?3 \
             WHERE tenant_id = ?1 AND id = ?2 AND used_at IS NULL AND revoked_at IS NULL";
        let at = tokens.access.created_at;
        let claim = vec![(CLAIM, vec![tenant.0.into(), code.into(), at.into()])];
        self.use_grant(tenant, claim, tokens).await
    }

    async fn refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshTokenRecord>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "SELECT {REFRESH_TOKEN_COLUMNS} FROM oauth_refresh_tokens WHERE token_hash = ?1"
            )
        });
        self.first(&SQL, vec![token_hash.into()], rows::refresh_token)
            .await
    }

    async fn rotate_refresh_token(
        &self,
        tenant: TenantId,
        id: i64,
        tokens: NewTokenPair,
    ) -> Result<Redemption, RepoError> {
        // Claims the grant's row (changing nothing) as a revocation of the grant does first.
        const HOLD_GRANT: &str = "UPDATE oauth_codes SET revoked_at = revoked_at \
             WHERE tenant_id = ?1 AND id = ?2 AND revoked_at IS NULL";
        const CLAIM: &str = "UPDATE oauth_refresh_tokens SET rotated_at = ?3 \
             WHERE tenant_id = ?1 AND id = ?2 AND rotated_at IS NULL AND revoked_at IS NULL";
        let at = tokens.access.created_at;
        let claim = vec![
            (HOLD_GRANT, vec![tenant.0.into(), tokens.grant.into()]),
            (CLAIM, vec![tenant.0.into(), id.into(), at.into()]),
        ];
        self.use_grant(tenant, claim, tokens).await
    }

    async fn revoke_oauth_grant(
        &self,
        tenant: TenantId,
        grant: i64,
        at: OffsetDateTime,
    ) -> Result<(), RepoError> {
        self.backend
            .write(move |c| Box::pin(revoke_grants(c, tenant, Grants::One(grant), at)))
            .await
    }
}
