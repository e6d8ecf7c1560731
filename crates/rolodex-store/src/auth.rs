//! Tenants, users, memberships, tokens and login throttling: the ports the auth and
//! administration use cases need.

use crate::rows::{self, TENANT_COLUMNS, TOKEN_COLUMNS, USER_COLUMNS};
use crate::sql::{Conn, DbError, Param, Text};
use crate::store::{Backend, SqlStore};
use async_trait::async_trait;
use rolodex_core::ports::{
    NewToken, RepoError, TenantRepo, ThrottleRepo, TokenRecord, TokenRepo, UserCredentials,
    UserRepo, UserUpdate,
};
use rolodex_domain::{Membership, Role, Tenant, TenantCode, TenantId, User, UserId, Username};
use time::OffsetDateTime;

#[async_trait]
impl<B: Backend> TenantRepo for SqlStore<B> {
    async fn create_tenant(
        &self,
        code: &TenantCode,
        name: &str,
        at: OffsetDateTime,
    ) -> Result<Tenant, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "INSERT INTO tenants (code, name, created_at) VALUES (?1, ?2, ?3) RETURNING {TENANT_COLUMNS}"
            )
        });
        let params = vec![code.as_str().into(), name.into(), at.into()];
        self.write_one(&SQL, params, rows::tenant).await
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, RepoError> {
        static SQL: Text =
            Text::new(|_| format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = ?1"));
        self.first(&SQL, vec![id.0.into()], rows::tenant).await
    }

    async fn tenant_by_code(&self, code: &TenantCode) -> Result<Option<Tenant>, RepoError> {
        static SQL: Text = Text::new(|d| {
            format!(
                "SELECT {TENANT_COLUMNS} FROM tenants WHERE {} = {}",
                d.nocase("code"),
                d.nocase("?1")
            )
        });
        self.first(&SQL, vec![code.as_str().into()], rows::tenant)
            .await
    }

    async fn list_tenants(&self) -> Result<Vec<Tenant>, RepoError> {
        static SQL: Text =
            Text::new(|_| format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY id"));
        self.all(&SQL, Vec::new(), rows::tenant).await
    }

    async fn tenants_of_user(&self, user: UserId) -> Result<Vec<(Tenant, Role)>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "SELECT {TENANT_COLUMNS}, memberships.role FROM memberships \
                 JOIN tenants ON tenants.id = memberships.tenant_id \
                 WHERE memberships.user_id = ?1 ORDER BY tenants.id"
            )
        });
        self.all(&SQL, vec![user.0.into()], rows::tenant_role).await
    }
}

fn membership_select(condition: &str) -> String {
    format!(
        "SELECT {USER_COLUMNS}, memberships.tenant_id, memberships.role FROM memberships \
         JOIN users ON users.id = memberships.user_id WHERE {condition}"
    )
}

/// `NotFound` when no row changed.
fn changed_one(rows: u64) -> Result<(), RepoError> {
    if rows == 0 {
        Err(RepoError::NotFound)
    } else {
        Ok(())
    }
}

#[async_trait]
impl<B: Backend> UserRepo for SqlStore<B> {
    async fn create_user(
        &self,
        tenant: TenantId,
        role: Role,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        at: OffsetDateTime,
    ) -> Result<User, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "INSERT INTO users (username, display_name, password_hash, active, created_at) \
                 VALUES (?1, ?2, ?3, TRUE, ?4) RETURNING {USER_COLUMNS}"
            )
        });
        const MEMBERSHIP: &str =
            "INSERT INTO memberships (tenant_id, user_id, role, username) VALUES (?1, ?2, ?3, ?4)";
        let params: Vec<Param> = vec![
            username.as_str().into(),
            display_name.into(),
            password_hash.into(),
            at.into(),
        ];
        let name = username.as_str().to_owned();
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    let user = c
                        .fetch_one(SQL.get(c.dialect()), &params, &rows::user)
                        .await?;
                    // An unknown tenant is a missing parent; a member of the tenant with this
                    // username, a conflict (which undoes the account too).
                    c.execute(
                        MEMBERSHIP,
                        &[
                            tenant.0.into(),
                            user.id.0.into(),
                            role.as_str().into(),
                            name.into(),
                        ],
                    )
                    .await
                    .map_err(DbError::missing_parent)?;
                    Ok(user)
                })
            })
            .await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, RepoError> {
        static SQL: Text = Text::new(|_| format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"));
        self.first(&SQL, vec![id.0.into()], rows::user).await
    }

    async fn credentials(&self, username: &Username) -> Result<Vec<UserCredentials>, RepoError> {
        static SQL: Text = Text::new(|d| {
            format!(
                "SELECT {USER_COLUMNS}, users.password_hash FROM users WHERE {} = {} ORDER BY users.id",
                d.nocase("username"),
                d.nocase("?1")
            )
        });
        self.all(&SQL, vec![username.as_str().into()], rows::credentials)
            .await
    }

    async fn update_user(&self, id: UserId, update: UserUpdate) -> Result<User, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "UPDATE users SET display_name = coalesce(?1, display_name), active = coalesce(?2, active), \
                 password_hash = coalesce(?3, password_hash) WHERE id = ?4 RETURNING {USER_COLUMNS}"
            )
        });
        const REVOKE_SESSIONS: &str = "UPDATE tokens SET revoked_at = ?1 \
             WHERE user_id = ?2 AND kind IN ('session', 'oauth') AND revoked_at IS NULL";
        const REVOKE_REFRESH_TOKENS: &str = "UPDATE oauth_refresh_tokens SET revoked_at = ?1 \
             WHERE user_id = ?2 AND revoked_at IS NULL";
        let params: Vec<Param> = vec![
            update.display_name.into(),
            update.active.into(),
            update.password_hash.into(),
            id.0.into(),
        ];
        let revoke_at = update.revoke_sessions_at;
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    let user = c
                        .fetch_first(SQL.get(c.dialect()), &params, &rows::user)
                        .await?
                        .ok_or(RepoError::NotFound)?;
                    if let Some(at) = revoke_at {
                        for sql in [REVOKE_SESSIONS, REVOKE_REFRESH_TOKENS] {
                            c.execute(sql, &[at.into(), id.0.into()]).await?;
                        }
                    }
                    Ok(user)
                })
            })
            .await
    }

    async fn count_users(&self) -> Result<u64, RepoError> {
        let n = self
            .first("SELECT count(*) AS n FROM users", Vec::new(), rows::count)
            .await?;
        Ok(n.unwrap_or_default())
    }

    async fn set_membership(
        &self,
        tenant: TenantId,
        user: UserId,
        role: Role,
    ) -> Result<(), RepoError> {
        // The membership carries the user's username, so that the tenant's rule of unique
        // usernames holds; an unknown user inserts nothing, an unknown tenant is a missing
        // parent.
        const SQL: &str = "INSERT INTO memberships (tenant_id, user_id, role, username) \
             SELECT ?1, id, ?3, username FROM users WHERE id = ?2 \
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role";
        let params = vec![tenant.0.into(), user.0.into(), role.as_str().into()];
        changed_one(self.execute(SQL, params, DbError::missing_parent).await?)
    }

    async fn remove_membership(&self, tenant: TenantId, user: UserId) -> Result<(), RepoError> {
        const SQL: &str = "DELETE FROM memberships WHERE tenant_id = ?1 AND user_id = ?2";
        let params = vec![tenant.0.into(), user.0.into()];
        changed_one(self.execute(SQL, params, DbError::classify).await?)
    }

    async fn membership(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<Membership>, RepoError> {
        static SQL: Text = Text::new(|_| {
            membership_select("memberships.tenant_id = ?1 AND memberships.user_id = ?2")
        });
        self.first(&SQL, vec![tenant.0.into(), user.0.into()], rows::membership)
            .await
    }

    async fn members(&self, tenant: TenantId) -> Result<Vec<Membership>, RepoError> {
        static SQL: Text =
            Text::new(|_| membership_select("memberships.tenant_id = ?1 ORDER BY users.id"));
        self.all(&SQL, vec![tenant.0.into()], rows::membership)
            .await
    }
}

/// Stores `token` on `c`; an unknown user or tenant is a missing parent (`NotFound`).
pub(crate) async fn insert_token<C: Conn>(
    c: &mut C,
    token: NewToken,
) -> Result<TokenRecord, RepoError> {
    static SQL: Text = Text::new(|_| {
        format!(
            "INSERT INTO tokens (kind, secret_hash, user_id, tenant_id, name, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING {TOKEN_COLUMNS}"
        )
    });
    let params: Vec<Param> = vec![
        token.kind.as_str().into(),
        token.secret_hash.into(),
        token.user_id.0.into(),
        token.tenant_id.map(|t| t.0).into(),
        token.name.into(),
        token.created_at.into(),
        token.expires_at.into(),
    ];
    c.fetch_one(SQL.get(c.dialect()), &params, &rows::token)
        .await
        .map_err(DbError::missing_parent)
}

#[async_trait]
impl<B: Backend> TokenRepo for SqlStore<B> {
    async fn insert_token(&self, token: NewToken) -> Result<TokenRecord, RepoError> {
        self.backend
            .write(move |c| Box::pin(insert_token(c, token)))
            .await
    }

    async fn token_by_hash(&self, secret_hash: &str) -> Result<Option<TokenRecord>, RepoError> {
        static SQL: Text =
            Text::new(|_| format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE secret_hash = ?1"));
        self.first(&SQL, vec![secret_hash.into()], rows::token)
            .await
    }

    async fn revoke_token(&self, id: i64, at: OffsetDateTime) -> Result<(), RepoError> {
        const SQL: &str = "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?1) WHERE id = ?2";
        let params = vec![at.into(), id.into()];
        changed_one(self.execute(SQL, params, DbError::classify).await?)
    }

    async fn api_keys(
        &self,
        tenant: TenantId,
        user: Option<UserId>,
    ) -> Result<Vec<TokenRecord>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE tenant_id = ?1 AND kind = 'api_key' \
                 AND (CAST(?2 AS BIGINT) IS NULL OR user_id = ?2) ORDER BY created_at DESC, id DESC"
            )
        });
        let params = vec![tenant.0.into(), user.map(|u| u.0).into()];
        self.all(&SQL, params, rows::token).await
    }
}

#[async_trait]
impl<B: Backend> ThrottleRepo for SqlStore<B> {
    async fn record_failure(
        &self,
        key: &str,
        at: OffsetDateTime,
        forget_before: OffsetDateTime,
    ) -> Result<(), RepoError> {
        let key: Param = key.into();
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    c.execute(
                        "DELETE FROM login_failures WHERE at < ?1",
                        &[forget_before.into()],
                    )
                    .await?;
                    c.execute(
                        "INSERT INTO login_failures (key, at) VALUES (?1, ?2)",
                        &[key, at.into()],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn failures_since(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> Result<(u32, Option<OffsetDateTime>), RepoError> {
        const SQL: &str = "SELECT count(*) AS failures, min(at) AS earliest FROM login_failures \
             WHERE key = ?1 AND at >= ?2";
        let counted = self
            .first(SQL, vec![key.into(), since.into()], rows::failures)
            .await?;
        Ok(counted.unwrap_or((0, None)))
    }

    async fn clear_failures(&self, key: &str) -> Result<(), RepoError> {
        const SQL: &str = "DELETE FROM login_failures WHERE key = ?1";
        self.execute(SQL, vec![key.into()], DbError::classify)
            .await?;
        Ok(())
    }
}
