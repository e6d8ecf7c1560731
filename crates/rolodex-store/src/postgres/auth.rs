//! Tenants, users, memberships, tokens and login throttling on PostgreSQL: the ports the auth
//! and administration use cases need. Tokens and login failures live in the database, so that
//! a token issued by one node is accepted by every other and throttling counts every node's
//! failures.

use super::rows::{self, TENANT_COLUMNS, TOKEN_COLUMNS, USER_COLUMNS};
use super::{PgStore, classify, commit, is_foreign_key_violation};
use async_trait::async_trait;
use rolodex_core::ports::{
    NewToken, RepoError, TenantRepo, ThrottleRepo, TokenRecord, TokenRepo, UserCredentials,
    UserRepo, UserUpdate,
};
use rolodex_domain::{Membership, Role, Tenant, TenantCode, TenantId, User, UserId, Username};
use std::sync::LazyLock;
use time::OffsetDateTime;

/// A missing tenant or user named by a foreign key is `NotFound`.
fn missing_reference(e: sqlx::Error) -> RepoError {
    if is_foreign_key_violation(&e) {
        RepoError::NotFound
    } else {
        classify(e)
    }
}

#[async_trait]
impl TenantRepo for PgStore {
    async fn create_tenant(
        &self,
        code: &TenantCode,
        name: &str,
        at: OffsetDateTime,
    ) -> Result<Tenant, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "INSERT INTO tenants (code, name, created_at) VALUES ($1, $2, $3) RETURNING {TENANT_COLUMNS}"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(code.as_str())
            .bind(name)
            .bind(rows::at(at))
            .fetch_one(&self.pool)
            .await
            .map_err(classify)?;
        Ok(rows::tenant(&row)?)
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, RepoError> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1"));
        let row = sqlx::query(&SQL)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::tenant).transpose()?)
    }

    async fn tenant_by_code(&self, code: &TenantCode) -> Result<Option<Tenant>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {TENANT_COLUMNS} FROM tenants WHERE rolodex_nocase(code) = rolodex_nocase($1)"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::tenant).transpose()?)
    }

    async fn list_tenants(&self) -> Result<Vec<Tenant>, RepoError> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY id"));
        let rows = sqlx::query(&SQL)
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        Ok(rows.iter().map(rows::tenant).collect::<Result<_, _>>()?)
    }

    async fn tenants_of_user(&self, user: UserId) -> Result<Vec<(Tenant, Role)>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {TENANT_COLUMNS}, memberships.role FROM memberships \
                 JOIN tenants ON tenants.id = memberships.tenant_id \
                 WHERE memberships.user_id = $1 ORDER BY tenants.id"
            )
        });
        let rows = sqlx::query(&SQL)
            .bind(user.0)
            .fetch_all(&self.pool)
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
impl UserRepo for PgStore {
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
                 VALUES ($1, $2, $3, TRUE, $4) RETURNING {USER_COLUMNS}"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(username.as_str())
            .bind(display_name)
            .bind(password_hash)
            .bind(rows::at(at))
            .fetch_one(&self.pool)
            .await
            .map_err(classify)?;
        Ok(rows::user(&row)?)
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, RepoError> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
        let row = sqlx::query(&SQL)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }

    async fn credentials(&self, username: &Username) -> Result<Option<UserCredentials>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {USER_COLUMNS}, users.password_hash FROM users \
                 WHERE rolodex_nocase(username) = rolodex_nocase($1)"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(username.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::credentials).transpose()?)
    }

    async fn update_user(&self, id: UserId, update: UserUpdate) -> Result<User, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "UPDATE users SET display_name = coalesce($1, display_name), active = coalesce($2, active), \
                 password_hash = coalesce($3, password_hash) WHERE id = $4 RETURNING {USER_COLUMNS}"
            )
        });
        let mut tx = self.pool.begin().await.map_err(classify)?;
        let row = sqlx::query(&SQL)
            .bind(update.display_name)
            .bind(update.active)
            .bind(update.password_hash)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(classify)?
            .ok_or(RepoError::NotFound)?;
        if let Some(at) = update.revoke_sessions_at {
            sqlx::query(
                "UPDATE tokens SET revoked_at = $1 \
                 WHERE user_id = $2 AND kind = 'session' AND revoked_at IS NULL",
            )
            .bind(rows::at(at))
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        }
        tx.commit().await.map_err(classify)?;
        Ok(rows::user(&row)?)
    }

    async fn count_users(&self) -> Result<u64, RepoError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&self.pool)
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
        sqlx::query(
            "INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(tenant.0)
        .bind(user.0)
        .bind(role.as_str())
        .execute(&self.pool)
        .await
        .map_err(missing_reference)?;
        Ok(())
    }

    async fn remove_membership(&self, tenant: TenantId, user: UserId) -> Result<(), RepoError> {
        let done = sqlx::query("DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2")
            .bind(tenant.0)
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn membership(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<Membership>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "{} WHERE memberships.tenant_id = $1 AND memberships.user_id = $2",
                *MEMBERSHIP_SELECT
            )
        });
        let row = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::membership).transpose()?)
    }

    async fn members(&self, tenant: TenantId) -> Result<Vec<Membership>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "{} WHERE memberships.tenant_id = $1 ORDER BY users.id",
                *MEMBERSHIP_SELECT
            )
        });
        let rows = sqlx::query(&SQL)
            .bind(tenant.0)
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        Ok(rows
            .iter()
            .map(rows::membership)
            .collect::<Result<_, _>>()?)
    }
}

#[async_trait]
impl TokenRepo for PgStore {
    async fn insert_token(&self, token: NewToken) -> Result<TokenRecord, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "INSERT INTO tokens (kind, secret_hash, user_id, tenant_id, name, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {TOKEN_COLUMNS}"
            )
        });
        let row = sqlx::query(&SQL)
            .bind(token.kind.as_str())
            .bind(token.secret_hash)
            .bind(token.user_id.0)
            .bind(token.tenant_id.map(|t| t.0))
            .bind(token.name)
            .bind(rows::at(token.created_at))
            .bind(token.expires_at.map(rows::at))
            .fetch_one(&self.pool)
            .await
            .map_err(missing_reference)?;
        Ok(rows::token(&row)?)
    }

    async fn token_by_hash(&self, secret_hash: &str) -> Result<Option<TokenRecord>, RepoError> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE secret_hash = $1"));
        let row = sqlx::query(&SQL)
            .bind(secret_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Ok(row.as_ref().map(rows::token).transpose()?)
    }

    async fn revoke_token(&self, id: i64, at: OffsetDateTime) -> Result<(), RepoError> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2")
                .bind(rows::at(at))
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(classify)?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn api_keys(
        &self,
        tenant: TenantId,
        user: Option<UserId>,
    ) -> Result<Vec<TokenRecord>, RepoError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE tenant_id = $1 AND kind = 'api_key' \
                 AND ($2::bigint IS NULL OR user_id = $2) ORDER BY created_at DESC, id DESC"
            )
        });
        let rows = sqlx::query(&SQL)
            .bind(tenant.0)
            .bind(user.map(|u| u.0))
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        Ok(rows.iter().map(rows::token).collect::<Result<_, _>>()?)
    }
}

#[async_trait]
impl ThrottleRepo for PgStore {
    async fn record_failure(
        &self,
        key: &str,
        at: OffsetDateTime,
        forget_before: OffsetDateTime,
    ) -> Result<(), RepoError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(rows::at(forget_before))
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(rows::at(at))
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        commit(tx).await
    }

    async fn failures_since(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> Result<(u32, Option<OffsetDateTime>), RepoError> {
        let row = sqlx::query(
            "SELECT count(*) AS failures, min(at) AS earliest FROM login_failures WHERE key = $1 AND at >= $2",
        )
        .bind(key)
        .bind(rows::at(since))
        .fetch_one(&self.pool)
        .await
        .map_err(classify)?;
        Ok(rows::failures(&row)?)
    }

    async fn clear_failures(&self, key: &str) -> Result<(), RepoError> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(())
    }
}
