//! User use cases: the members of a tenant, managed by its admins; the operator's commands;
//! and the first start, which creates the `default` tenant and its `admin`.

use crate::auth::{AuthService, hash_password};
use crate::caller::Caller;
use crate::clock::Clock;
use crate::credentials::CredentialCache;
use crate::error::CoreError;
use crate::ports::{Store, UserUpdate};
use crate::write::repo_error;
use rolodex_domain::text::TextRule;
use rolodex_domain::user::check_password;
use rolodex_domain::{
    Membership, Role, TenantCode, TenantId, User, UserId, Username, ValidationErrors,
};
use std::sync::Arc;

const DISPLAY_NAME: TextRule = TextRule::line(128);

/// A new member of a tenant.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    pub password: String,
    pub role: Role,
}

/// Changes to a member; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct MemberUpdate {
    pub role: Option<Role>,
    pub display_name: Option<String>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// What the first start created.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub tenant: TenantCode,
    pub username: Username,
}

#[derive(Clone)]
pub struct UserService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Cleared by every change to accounts and memberships.
    credentials: Arc<CredentialCache>,
}

impl UserService {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        credentials: Arc<CredentialCache>,
    ) -> Self {
        Self {
            store,
            clock,
            credentials,
        }
    }

    /// The members of the caller's tenant (admin only).
    pub async fn list(&self, caller: &Caller) -> Result<Vec<Membership>, CoreError> {
        AuthService::require(caller, Role::Admin)?;
        self.store
            .members(caller.tenant_id)
            .await
            .map_err(repo_error("user"))
    }

    /// One member of the caller's tenant (admin only).
    pub async fn get(&self, caller: &Caller, id: UserId) -> Result<Membership, CoreError> {
        AuthService::require(caller, Role::Admin)?;
        self.member(caller.tenant_id, id).await
    }

    /// Creates a user who is a member of the caller's tenant (admin only).
    pub async fn create(&self, caller: &Caller, new: NewUser) -> Result<Membership, CoreError> {
        AuthService::require(caller, Role::Admin)?;
        self.add(caller.tenant_id, new).await
    }

    /// Changes a member's role, name, state or password (admin only). The tenant always keeps
    /// one active admin.
    ///
    /// The role is the tenant's; the name, password and state belong to the account, which
    /// may be a member of other tenants too: only a caller who is an admin of every tenant the
    /// account belongs to may change them (else the admin of one tenant could take over, or
    /// lock out, an account of another). A new password or a deactivation ends the account's
    /// login sessions.
    pub async fn update(
        &self,
        caller: &Caller,
        id: UserId,
        update: MemberUpdate,
    ) -> Result<Membership, CoreError> {
        AuthService::require(caller, Role::Admin)?;
        let member = self.member(caller.tenant_id, id).await?;
        let mut errors = ValidationErrors::default();
        let display_name = update
            .display_name
            .and_then(|n| errors.collect(DISPLAY_NAME.check("display_name", n)));
        if let Some(p) = &update.password {
            errors.collect(check_password(p));
        }
        errors.into_result(())?;
        let touches_account =
            display_name.is_some() || update.active.is_some() || update.password.is_some();
        let tenants = self.tenants_of(id).await?;
        if touches_account {
            self.require_admin_of_all(caller, &tenants).await?;
        }
        if member.role == Role::Admin && update.role.is_some_and(|r| r != Role::Admin) {
            self.keep_an_admin(caller.tenant_id, id).await?;
        }
        if update.active == Some(false) {
            for (tenant, role) in &tenants {
                if *role == Role::Admin {
                    self.keep_an_admin(*tenant, id).await?;
                }
            }
        }
        if let Some(role) = update.role {
            let set = self.store.set_membership(caller.tenant_id, id, role).await;
            self.credentials.clear();
            set.map_err(repo_error("user"))?;
        }
        let password_hash = match update.password {
            Some(p) => Some(hash_password(p).await?),
            None => None,
        };
        if touches_account {
            let ends_sessions = password_hash.is_some() || update.active == Some(false);
            let updated = self
                .store
                .update_user(
                    id,
                    UserUpdate {
                        display_name,
                        active: update.active,
                        password_hash,
                        revoke_sessions_at: ends_sessions.then(|| self.clock.now()),
                    },
                )
                .await;
            self.credentials.clear();
            updated.map_err(repo_error("user"))?;
        }
        self.member(caller.tenant_id, id).await
    }

    /// Removes a member from the caller's tenant (admin only); the last admin stays.
    pub async fn remove(&self, caller: &Caller, id: UserId) -> Result<(), CoreError> {
        AuthService::require(caller, Role::Admin)?;
        let member = self.member(caller.tenant_id, id).await?;
        if member.role == Role::Admin {
            self.keep_an_admin(caller.tenant_id, id).await?;
        }
        let removed = self.store.remove_membership(caller.tenant_id, id).await;
        self.credentials.clear();
        removed.map_err(repo_error("user"))
    }

    /// Creates a user account that is a member of `tenant` with `role` (operator only: the
    /// command line). An existing username is a conflict: see [`UserService::join`].
    pub async fn add(&self, tenant: TenantId, new: NewUser) -> Result<Membership, CoreError> {
        let mut errors = ValidationErrors::default();
        let username = errors.collect(Username::parse(&new.username));
        let display_name = new
            .display_name
            .map(|n| errors.collect(DISPLAY_NAME.check("display_name", n)))
            .unwrap_or_default();
        errors.collect(check_password(&new.password));
        let username = errors
            .into_result(username)?
            .unwrap_or_else(|| unreachable!("no errors means a username"));
        let hash = hash_password(new.password).await?;
        let user = self
            .store
            .create_user(
                tenant,
                new.role,
                &username,
                display_name.as_deref().unwrap_or(username.as_str()),
                &hash,
                self.clock.now(),
            )
            .await;
        self.credentials.clear();
        let user = user.map_err(repo_error("user"))?;
        self.member(tenant, user.id).await
    }

    /// Makes the existing account `username` a member of `tenant` with `role` (operator only).
    /// A user who is already a member keeps their role: that is a conflict, not a change.
    pub async fn join(
        &self,
        tenant: TenantId,
        username: &str,
        role: Role,
    ) -> Result<Membership, CoreError> {
        let user = self.account(username, None).await?;
        if self
            .store
            .membership(tenant, user.id)
            .await
            .map_err(repo_error("user"))?
            .is_some()
        {
            return Err(CoreError::Conflict {
                code: "already_a_member",
                message: format!("{} is already a member of this tenant", user.username),
            });
        }
        let set = self.store.set_membership(tenant, user.id, role).await;
        self.credentials.clear();
        set.map_err(repo_error("user"))?;
        self.member(tenant, user.id).await
    }

    /// The account named `username`: the member of `tenant` when given, else the only
    /// account of that name (usernames are unique within a tenant only).
    pub async fn account(
        &self,
        username: &str,
        tenant: Option<TenantId>,
    ) -> Result<User, CoreError> {
        let username = Username::parse(username)?;
        let mut accounts = Vec::new();
        for credentials in self
            .store
            .credentials(&username)
            .await
            .map_err(repo_error("user"))?
        {
            let wanted = match tenant {
                Some(tenant) => self
                    .store
                    .membership(tenant, credentials.user.id)
                    .await
                    .map_err(repo_error("user"))?
                    .is_some(),
                None => true,
            };
            if wanted {
                accounts.push(credentials.user);
            }
        }
        match accounts.len() {
            0 => Err(CoreError::NotFound { entity: "user" }),
            1 => Ok(accounts.remove(0)),
            _ => Err(CoreError::Conflict {
                code: "ambiguous_username",
                message: format!(
                    "accounts in several tenants are named {username}: name the tenant"
                ),
            }),
        }
    }

    /// Sets the password of the account `username` (the member of `tenant` when given; see
    /// [`UserService::account`]) (operator only), ending the user's login sessions.
    pub async fn set_password(
        &self,
        username: &str,
        tenant: Option<TenantId>,
        password: String,
    ) -> Result<(), CoreError> {
        check_password(&password)?;
        let user = self.account(username, tenant).await?;
        let hash = hash_password(password).await?;
        let updated = self
            .store
            .update_user(
                user.id,
                UserUpdate {
                    password_hash: Some(hash),
                    revoke_sessions_at: Some(self.clock.now()),
                    ..UserUpdate::default()
                },
            )
            .await;
        self.credentials.clear();
        updated.map_err(repo_error("user"))?;
        Ok(())
    }

    /// The usernames of `ids` (audit fields name users by id), for any member of a tenant.
    /// Ids of accounts that no longer exist are left out.
    pub async fn usernames(
        &self,
        _caller: &Caller,
        ids: &[UserId],
    ) -> Result<std::collections::BTreeMap<UserId, String>, CoreError> {
        let mut names = std::collections::BTreeMap::new();
        for &id in ids {
            if names.contains_key(&id) {
                continue;
            }
            if let Some(user) = self.store.user(id).await.map_err(repo_error("user"))? {
                names.insert(id, user.username.to_string());
            }
        }
        Ok(names)
    }

    /// One member of the caller's tenant, as any member may see them (a contact's owner is
    /// shown by name to everyone who reads the contact).
    pub async fn colleague(&self, caller: &Caller, id: UserId) -> Result<Membership, CoreError> {
        self.member(caller.tenant_id, id).await
    }

    /// The member of the caller's tenant called `username`, as any member may see them (a
    /// surface that names a contact's owner by username). `NotFound` for a username no
    /// member has, however it is spelled.
    pub async fn colleague_named(
        &self,
        caller: &Caller,
        username: &str,
    ) -> Result<Membership, CoreError> {
        let user = match self.account(username, Some(caller.tenant_id)).await {
            Err(CoreError::Invalid(_)) => Err(CoreError::NotFound { entity: "user" }),
            found => found,
        }?;
        self.member(caller.tenant_id, user.id).await
    }

    /// The members of `tenant` (operator only).
    pub async fn members(&self, tenant: TenantId) -> Result<Vec<Membership>, CoreError> {
        self.store.members(tenant).await.map_err(repo_error("user"))
    }

    /// On a store with no users, creates tenant `default` and its admin `admin` with
    /// `password`. Returns what it created, or `None` if the store already had users.
    ///
    /// Several nodes starting together on one empty database all try; the first to create
    /// the tenant or the user wins, and the others, meeting its records (a conflict), look
    /// again and find users.
    pub async fn bootstrap(
        &self,
        tenants: &crate::TenantService,
        password: String,
    ) -> Result<Option<Bootstrap>, CoreError> {
        // Each conflict means another node created one of the two records: at most two.
        let mut conflicts = 0;
        loop {
            match self.bootstrap_once(tenants, password.clone()).await {
                Err(CoreError::Conflict { .. }) if conflicts < 2 => conflicts += 1,
                done => return done,
            }
        }
    }

    async fn bootstrap_once(
        &self,
        tenants: &crate::TenantService,
        password: String,
    ) -> Result<Option<Bootstrap>, CoreError> {
        if self.store.count_users().await.map_err(repo_error("user"))? > 0 {
            return Ok(None);
        }
        let tenant = match tenants.by_code("default").await {
            Ok(t) => t,
            Err(CoreError::NotFound { .. }) => tenants.create("default", Some("Default")).await?,
            Err(e) => return Err(e),
        };
        let member = self
            .add(
                tenant.id,
                NewUser {
                    username: "admin".into(),
                    display_name: Some("Administrator".into()),
                    password,
                    role: Role::Admin,
                },
            )
            .await?;
        Ok(Some(Bootstrap {
            tenant: tenant.code,
            username: member.user.username,
        }))
    }

    async fn member(&self, tenant: TenantId, id: UserId) -> Result<Membership, CoreError> {
        self.store
            .membership(tenant, id)
            .await
            .map_err(repo_error("user"))?
            .ok_or(CoreError::NotFound { entity: "user" })
    }

    /// The tenants `user` belongs to, with the role in each.
    async fn tenants_of(&self, user: UserId) -> Result<Vec<(TenantId, Role)>, CoreError> {
        Ok(self
            .store
            .tenants_of_user(user)
            .await
            .map_err(repo_error("tenant"))?
            .into_iter()
            .map(|(tenant, role)| (tenant.id, role))
            .collect())
    }

    /// Refuses unless `caller` is an admin of each of `tenants` (the operator always is).
    async fn require_admin_of_all(
        &self,
        caller: &Caller,
        tenants: &[(TenantId, Role)],
    ) -> Result<(), CoreError> {
        let Some(me) = caller.user_id else {
            return Ok(());
        };
        let mine = self.tenants_of(me).await?;
        let administers = |t: TenantId| mine.iter().any(|&(m, r)| m == t && r == Role::Admin);
        if tenants.iter().all(|&(t, _)| administers(t)) {
            Ok(())
        } else {
            Err(CoreError::forbidden(
                "this account is also a member of a tenant you do not administer: its name, \
                 password and state can be changed only by an admin of each of its tenants or \
                 by the operator; you can change its role here or remove it from this tenant",
            ))
        }
    }

    async fn keep_an_admin(&self, tenant: TenantId, leaving: UserId) -> Result<(), CoreError> {
        let members = self
            .store
            .members(tenant)
            .await
            .map_err(repo_error("user"))?;
        let others = members
            .iter()
            .filter(|m| m.role == Role::Admin && m.user.active && m.user.id != leaving)
            .count();
        if others == 0 {
            return Err(CoreError::Conflict {
                code: "last_admin",
                message: "a tenant must keep at least one active admin".into(),
            });
        }
        Ok(())
    }
}
