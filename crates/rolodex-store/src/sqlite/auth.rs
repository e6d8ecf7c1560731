//! Tenants, users, memberships, tokens and login throttling on SQLite: the ports the auth and
//! administration use cases need. Writes go through the writer; reads use the pool.

use super::SqliteStore;
use super::rows::{self, TENANT_COLUMNS, TOKEN_COLUMNS, USER_COLUMNS};
use crate::{classify, is_foreign_key_violation};
use async_trait::async_trait;
use rolodex_core::ports::{
    NewToken, RepoError, TenantRepo, ThrottleRepo, TokenRecord, TokenRepo, UserCredentials,
    UserRepo, UserUpdate,
};
use rolodex_domain::{Membership, Role, Tenant, TenantCode, TenantId, User, UserId, Username};
use std::sync::LazyLock;
use time::OffsetDateTime;

#[async_trait]
impl TenantRepo for SqliteStore {
    async fn create_tenant(
        &self,
        code: &TenantCode,
        name: &str,
        at: OffsetDateTime,
    ) -> Result<Tenant, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "INSERT INTO tenants (code, name, created_at) VALUES (?, ?, ?) RETURNING {TENANT_COLUMNS}"
            )
        });
        let (code, name) = (code.as_str().to_owned(), name.to_owned());
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    let row = sqlx::query(&SQL)
                        .bind(code)
                        .bind(name)
                        .bind(rows::millis(at))
                        .fetch_one(conn)
                        .await
                        .map_err(classify)?;
                    Ok(rows::tenant(&row)?)
                })
            })
            .await
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, RepoError> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = ?"));
        let row = sqlx::query(&SQL)
            .bind(id.0)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::tenant).transpose()?)
    }

    async fn tenant_by_code(&self, code: &TenantCode) -> Result<Option<Tenant>, RepoError> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE code = ?"));
        let row = sqlx::query(&SQL)
            .bind(code.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::tenant).transpose()?)
    }

    async fn list_tenants(&self) -> Result<Vec<Tenant>, RepoError> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY id"));
        let rows = sqlx::query(&SQL)
            .fetch_all(&self.read)
            .await
            .map_err(classify)?;
        Ok(rows.iter().map(rows::tenant).collect::<Result<_, _>>()?)
    }

    async fn tenants_of_user(&self, user: UserId) -> Result<Vec<(Tenant, Role)>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {TENANT_COLUMNS}, memberships.role FROM memberships \
                 JOIN tenants ON tenants.id = memberships.tenant_id \
                 WHERE memberships.user_id = ? ORDER BY tenants.id"
            )
        });
        let rows = sqlx::query(&SQL)
            .bind(user.0)
            .fetch_all(&self.read)
            .await
            .map_err(classify)?;
        Ok(rows
            .iter()
            .map(|row| Ok((rows::tenant(row)?, rows::role(row)?)))
            .collect::<Result<_, rows::RowError>>()?)
    }
}

static MEMBERSHIP_SELECT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {USER_COLUMNS}, memberships.tenant_id, memberships.role FROM memberships JOIN users ON users.id = memberships.user_id"
    )
});

#[async_trait]
impl UserRepo for SqliteStore {
    async fn create_user(
        &self,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        at: OffsetDateTime,
    ) -> Result<User, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "INSERT INTO users (username, display_name, password_hash, active, created_at) \
                 VALUES (?, ?, ?, 1, ?) RETURNING {USER_COLUMNS}"
            )
        });
        let username = username.as_str().to_owned();
        let (display_name, password_hash) = (display_name.to_owned(), password_hash.to_owned());
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    let row = sqlx::query(&SQL)
                        .bind(username)
                        .bind(display_name)
                        .bind(password_hash)
                        .bind(rows::millis(at))
                        .fetch_one(conn)
                        .await
                        .map_err(classify)?;
                    Ok(rows::user(&row)?)
                })
            })
            .await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, RepoError> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"));
        let row = sqlx::query(&SQL)
            .bind(id.0)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }

    async fn credentials(&self, username: &Username) -> Result<Option<UserCredentials>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {USER_COLUMNS}, users.password_hash FROM users WHERE username = ?")
        });
        let row = sqlx::query(&SQL)
            .bind(username.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::credentials).transpose()?)
    }

    async fn update_user(&self, id: UserId, update: UserUpdate) -> Result<User, RepoError> {
        const REVOKE_SESSIONS: &str = "UPDATE tokens SET revoked_at = ? \
             WHERE user_id = ? AND kind = 'session' AND revoked_at IS NULL";
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "UPDATE users SET display_name = coalesce(?, display_name), active = coalesce(?, active), \
                 password_hash = coalesce(?, password_hash) WHERE id = ? RETURNING {USER_COLUMNS}"
            )
        });
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    let row = sqlx::query(&SQL)
                        .bind(update.display_name)
                        .bind(update.active)
                        .bind(update.password_hash)
                        .bind(id.0)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(classify)?
                        .ok_or(RepoError::NotFound)?;
                    if let Some(at) = update.revoke_sessions_at {
                        sqlx::query(REVOKE_SESSIONS)
                            .bind(rows::millis(at))
                            .bind(id.0)
                            .execute(conn)
                            .await
                            .map_err(classify)?;
                    }
                    Ok(rows::user(&row)?)
                })
            })
            .await
    }

    async fn count_users(&self) -> Result<u64, RepoError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&self.read)
            .await
            .map_err(classify)?;
        Ok(n.unsigned_abs())
    }

    async fn set_membership(
        &self,
        tenant: TenantId,
        user: UserId,
        role: Role,
    ) -> Result<(), RepoError> {
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, ?) \
                         ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role",
                    )
                    .bind(tenant.0)
                    .bind(user.0)
                    .bind(role.as_str())
                    .execute(conn)
                    .await
                    .map_err(|e| {
                        // An unknown tenant or user.
                        if is_foreign_key_violation(&e) {
                            RepoError::NotFound
                        } else {
                            classify(e)
                        }
                    })?;
                    Ok(())
                })
            })
            .await
    }

    async fn remove_membership(&self, tenant: TenantId, user: UserId) -> Result<(), RepoError> {
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    let done =
                        sqlx::query("DELETE FROM memberships WHERE tenant_id = ? AND user_id = ?")
                            .bind(tenant.0)
                            .bind(user.0)
                            .execute(conn)
                            .await
                            .map_err(classify)?;
                    if done.rows_affected() == 0 {
                        return Err(RepoError::NotFound);
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn membership(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<Membership>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "{} WHERE memberships.tenant_id = ? AND memberships.user_id = ?",
                *MEMBERSHIP_SELECT
            )
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(user.0)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::membership).transpose()?)
    }

    async fn members(&self, tenant: TenantId) -> Result<Vec<Membership>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "{} WHERE memberships.tenant_id = ? ORDER BY users.id",
                *MEMBERSHIP_SELECT
            )
        });
        let rows = sqlx::query(&SQL)
            .bind(tenant.0)
            .fetch_all(&self.read)
            .await
            .map_err(classify)?;
        Ok(rows
            .iter()
            .map(rows::membership)
            .collect::<Result<_, _>>()?)
    }
}

#[async_trait]
impl TokenRepo for SqliteStore {
    async fn insert_token(&self, token: NewToken) -> Result<TokenRecord, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "INSERT INTO tokens (kind, secret_hash, user_id, tenant_id, name, created_at, expires_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {TOKEN_COLUMNS}"
            )
        });
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    let row = sqlx::query(&SQL)
                        .bind(token.kind.as_str())
                        .bind(token.secret_hash)
                        .bind(token.user_id.0)
                        .bind(token.tenant_id.map(|t| t.0))
                        .bind(token.name)
                        .bind(rows::millis(token.created_at))
                        .bind(token.expires_at.map(rows::millis))
                        .fetch_one(conn)
                        .await
                        .map_err(|e| {
                            if is_foreign_key_violation(&e) {
                                RepoError::NotFound
                            } else {
                                classify(e)
                            }
                        })?;
                    Ok(rows::token(&row)?)
                })
            })
            .await
    }

    async fn token_by_hash(&self, secret_hash: &str) -> Result<Option<TokenRecord>, RepoError> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE secret_hash = ?"));
        let row = sqlx::query(&SQL)
            .bind(secret_hash)
            .fetch_optional(&self.read)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::token).transpose()?)
    }

    async fn revoke_token(&self, id: i64, at: OffsetDateTime) -> Result<(), RepoError> {
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                    )
                    .bind(rows::millis(at))
                    .bind(id)
                    .execute(conn)
                    .await
                    .map_err(classify)?;
                    if done.rows_affected() == 0 {
                        return Err(RepoError::NotFound);
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn api_keys(
        &self,
        tenant: TenantId,
        user: Option<UserId>,
    ) -> Result<Vec<TokenRecord>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE tenant_id = ?1 AND kind = 'api_key' \
                 AND (?2 IS NULL OR user_id = ?2) ORDER BY created_at DESC, id DESC"
            )
        });
        let rows = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(user.map(|u| u.0))
            .fetch_all(&self.read)
            .await
            .map_err(classify)?;
        Ok(rows.iter().map(rows::token).collect::<Result<_, _>>()?)
    }
}

#[async_trait]
impl ThrottleRepo for SqliteStore {
    async fn record_failure(
        &self,
        key: &str,
        at: OffsetDateTime,
        forget_before: OffsetDateTime,
    ) -> Result<(), RepoError> {
        let key = key.to_owned();
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM login_failures WHERE at < ?")
                        .bind(rows::millis(forget_before))
                        .execute(&mut *conn)
                        .await
                        .map_err(classify)?;
                    sqlx::query("INSERT INTO login_failures (key, at) VALUES (?, ?)")
                        .bind(key)
                        .bind(rows::millis(at))
                        .execute(&mut *conn)
                        .await
                        .map_err(classify)?;
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
        let row = sqlx::query("SELECT count(*) AS failures, min(at) AS earliest FROM login_failures WHERE key = ? AND at >= ?")
            .bind(key)
            .bind(rows::millis(since))
            .fetch_one(&self.read)
            .await
            .map_err(classify)?;
        Ok(rows::failures(&row)?)
    }

    async fn clear_failures(&self, key: &str) -> Result<(), RepoError> {
        let key = key.to_owned();
        self.writer
            .submit(move |conn| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM login_failures WHERE key = ?")
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
