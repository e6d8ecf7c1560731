//! Login, logout, tokens and API keys, and turning a presented token into a [`Caller`].
//!
//! Secrets are random 256-bit values; only their SHA-256 is stored. Passwords are hashed with
//! Argon2id. Failed logins are throttled per client address and username (see
//! [`crate::login_throttle`]), counted in storage so that every node sees them. Every surface
//! authenticates through [`AuthService::authenticate`], so a token issued through any surface
//! works in every other.

use crate::caller::{Caller, Identity};
use crate::clock::Clock;
use crate::credentials::{CredentialCache, Resolved};
use crate::error::{AuthFailure, CoreError};
use crate::login_throttle::{LoginLimits, LoginThrottle};
use crate::oauth::OAuthConfig;
use crate::ports::{NewToken, Store, TokenKind, TokenRecord};
use crate::repo_error;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use regex::Regex;
use rolodex_domain::{
    ClientAddress, Role, Surface, Tenant, TenantCode, TenantId, User, UserId, Username,
};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

/// Longest `Authorization` header (or bare token) accepted, in characters.
pub const MAX_AUTHORIZATION_CHARS: usize = 256;

/// Tunables of authentication.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// How long a login token is valid.
    pub session_ttl: Duration,
    /// How failed logins are throttled.
    pub login: LoginLimits,
    /// How long a verified token or membership is trusted without asking the store again:
    /// the longest a revocation made on one node takes to reach the others (see
    /// [`crate::credentials`]).
    pub credential_cache_ttl: Duration,
    /// The lifetimes of the tokens issued to OAuth clients.
    pub oauth: OAuthConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_ttl: Duration::from_secs(8 * 3600),
            login: LoginLimits::default(),
            credential_cache_ttl: Duration::from_secs(5),
            oauth: OAuthConfig::default(),
        }
    }
}

/// A token issued by a login: the secret is shown to the client once and never stored.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: Duration,
    /// The tenant the token is bound to, when the login named one or the user has only one.
    pub tenant: Option<Tenant>,
}

/// An API key as listed (without its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A user whose username and password were just checked.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    pub user: User,
    /// The tenant the sign-in named, or the user's only tenant.
    pub tenant: Option<Tenant>,
}

/// A newly created API key and its secret, shown once.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub key: ApiKey,
    pub secret: String,
}

impl ApiKey {
    fn from_record(r: TokenRecord) -> Option<Self> {
        Some(Self {
            id: r.id,
            name: r.name,
            user_id: r.user_id,
            tenant_id: r.tenant_id?,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        })
    }
}

/// The token inside an `Authorization` header. The header must match, ignoring case,
/// `^bearer [a-z0-9-_=]+.[a-z0-9-_=]+.?[a-z0-9-_.+/=]*$` and be at most 256 characters long
/// (the shape CRO's API requires, seed 004; Rolodex's tokens all have it).
pub fn parse_bearer(header: &str) -> Result<&str, AuthFailure> {
    if header.chars().count() > MAX_AUTHORIZATION_CHARS {
        return Err(AuthFailure::Malformed);
    }
    let (scheme, token) = header.split_at_checked(7).ok_or(AuthFailure::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer ") || !has_token_shape(token) {
        return Err(AuthFailure::Malformed);
    }
    Ok(token)
}

/// Whether `token` has the shape `[a-z0-9-_=]+.[a-z0-9-_=]+.?[a-z0-9-_.+/=]*` (ignoring case;
/// `.` is any character but a line break), anchored at both ends. Every authenticated request
/// asks: the regular expression's automaton decides in one pass over the token.
pub fn has_token_shape(token: &str) -> bool {
    static SHAPE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[A-Za-z0-9\-_=]+.[A-Za-z0-9\-_=]+.?[A-Za-z0-9\-_.+/=]*$")
            .expect("the token pattern is valid")
    });
    token.chars().count() <= MAX_AUTHORIZATION_CHARS && SHAPE.is_match(token)
}

/// The SHA-256 of a secret, in hex: what is stored of it.
pub(crate) fn sha256_hex(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// `prefix.` and `bytes` random bytes in base64url: a value of the token shape.
pub(crate) fn random_value(prefix: &str, bytes: usize) -> String {
    let mut random = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut random);
    format!("{prefix}.{}", URL_SAFE_NO_PAD.encode(random))
}

/// Whether `secret` is the one whose SHA-256 is `hash`, compared in constant time.
pub(crate) fn secret_matches(secret: &str, hash: &str) -> bool {
    bool::from(sha256_hex(secret).as_bytes().ct_eq(hash.as_bytes()))
}

/// A new token of `kind`: its secret, shown to its holder once, and the record to store.
pub(crate) fn mint(
    kind: TokenKind,
    user_id: UserId,
    tenant_id: Option<TenantId>,
    name: String,
    created_at: OffsetDateTime,
    expires_at: Option<OffsetDateTime>,
) -> (String, NewToken) {
    let prefix = match kind {
        TokenKind::Session => "rdxs",
        TokenKind::ApiKey => "rdxk",
        TokenKind::OAuth => "rdxo",
    };
    let secret = random_value(prefix, 32);
    let token = NewToken {
        kind,
        secret_hash: sha256_hex(&secret),
        user_id,
        tenant_id,
        name,
        created_at,
        expires_at,
    };
    (secret, token)
}

/// `now` plus `ttl` (plus an hour if `ttl` is out of range).
pub(crate) fn after(now: OffsetDateTime, ttl: Duration) -> OffsetDateTime {
    now + time::Duration::try_from(ttl).unwrap_or(time::Duration::HOUR)
}

/// Argon2id's cost for new hashes: 7 MiB of memory, 5 passes, one lane. OWASP's Password
/// Storage Cheat Sheet lists it among equally strong settings; its default of 19 MiB and 2
/// passes costs as much time but nearly three times the memory, held by every login in
/// progress and kept by the allocator after. A hash names its own cost: one made with another
/// is verified with that one.
const HASH_MEMORY_KIB: u32 = 7 * 1024;
const HASH_PASSES: u32 = 5;

fn hash_params() -> Result<Params, argon2::Error> {
    Params::new(HASH_MEMORY_KIB, HASH_PASSES, 1, None)
}

/// Hashes a password with Argon2id (off the async threads: it is deliberately slow).
pub async fn hash_password(password: String) -> Result<String, CoreError> {
    tokio::task::spawn_blocking(move || {
        let mut salt_bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut salt_bytes);
        let salt =
            SaltString::encode_b64(&salt_bytes).map_err(|e| CoreError::Internal(Box::new(e)))?;
        let params = hash_params().map_err(|e| CoreError::Internal(Box::new(e)))?;
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| CoreError::Internal(Box::new(e)))
    })
    .await
    .map_err(|e| CoreError::Internal(Box::new(e)))?
}

/// Verifies a password against a PHC hash (with the hash's own cost) in constant time, off the
/// async threads.
async fn verify_password(password: String, hash: String) -> Result<bool, CoreError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| CoreError::Internal(Box::new(e)))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| CoreError::Internal(Box::new(e)))?
}

/// A hash of a random password, with the cost of new hashes, verified against when the
/// username is unknown so that a login takes as long whether or not the user exists.
const DUMMY_HASH: &str = "$argon2id$v=19$m=7168,t=5,p=1$GU6VxOdLWXY4gTIQmPuaAg$7UUd4WNAR7tnjm6wF8RBr+B2SyTobQUXo+gbuRys5F8";

#[derive(Clone)]
pub struct AuthService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    session_ttl: Duration,
    throttle: LoginThrottle,
    credentials: Arc<CredentialCache>,
}

impl AuthService {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: AuthConfig,
        credentials: Arc<CredentialCache>,
    ) -> Self {
        Self {
            store,
            clock,
            session_ttl: config.session_ttl,
            throttle: LoginThrottle::new(config.login),
            credentials,
        }
    }

    /// Checks a username and password from `client` and issues a token, bound to the tenant
    /// with code `tenant` when given (the user must be a member), or to the user's only
    /// tenant. Refused as [`AuthService::sign_in`] refuses.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        tenant: Option<&str>,
        client: IpAddr,
    ) -> Result<IssuedToken, CoreError> {
        let SignedIn { user, tenant } = self.sign_in(username, password, tenant, client).await?;
        let now = self.clock.now();
        let (token, record) = mint(
            TokenKind::Session,
            user.id,
            tenant.as_ref().map(|t| t.id),
            String::new(),
            now,
            Some(after(now, self.session_ttl)),
        );
        self.store
            .insert_token(record)
            .await
            .map_err(repo_error("token"))?;
        tracing::info!(user = %user.id, "login");
        Ok(IssuedToken {
            token,
            expires_in: self.session_ttl,
            tenant,
        })
    }

    /// The one check of a username and password, for every way of signing in (a login
    /// token, an OAuth client's authorization): the active account the password fits, in the
    /// tenant with code `tenant` when given (the user must be a member), else the user's only
    /// tenant if there is one. Refused with [`CoreError::Throttled`], before the password is
    /// checked, when the client has failed too often (see [`crate::login_throttle`]).
    #[tracing::instrument(skip_all, fields(client = %ClientAddress::of(client)))]
    pub(crate) async fn sign_in(
        &self,
        username: &str,
        password: &str,
        tenant: Option<&str>,
        client: IpAddr,
    ) -> Result<SignedIn, CoreError> {
        let now = self.clock.now();
        let attempt = self
            .throttle
            .admit(&*self.store, username, ClientAddress::of(client), now)
            .await?;
        let candidates = match Username::parse(username) {
            Ok(u) => self
                .store
                .credentials(&u)
                .await
                .map_err(repo_error("user"))?,
            Err(_) => Vec::new(),
        };
        if candidates.is_empty() {
            // As slow as a real check, so that timing tells nothing about the username.
            verify_password(password.to_owned(), DUMMY_HASH.to_owned()).await?;
        }
        let mut verified = Vec::new();
        for credentials in candidates {
            let hash = credentials.password_hash.clone();
            if verify_password(password.to_owned(), hash).await? {
                let memberships = self
                    .store
                    .tenants_of_user(credentials.user.id)
                    .await
                    .map_err(repo_error("tenant"))?;
                verified.push((credentials.user, memberships));
            }
        }
        if verified.is_empty() {
            self.throttle.failed(&*self.store, attempt, now).await?;
            return Err(CoreError::Unauthenticated(AuthFailure::BadCredentials));
        }
        // Usernames are unique within a tenant only: a named tenant picks its member among
        // the accounts the password fits; without one, it must fit exactly one account.
        let code = tenant.map(|code| TenantCode::parse(code).ok());
        let member_of = |memberships: &[(Tenant, Role)]| {
            code.as_ref().and_then(|code| {
                memberships
                    .iter()
                    .find(|(t, _)| Some(&t.code) == code.as_ref())
                    .map(|(t, _)| t.clone())
            })
        };
        let (user, memberships, tenant) = match &code {
            Some(_) => verified
                .into_iter()
                .find_map(|(user, memberships)| {
                    member_of(&memberships).map(|tenant| (user, memberships, Some(tenant)))
                })
                .ok_or_else(|| CoreError::forbidden("you are not a member of that tenant"))?,
            None if verified.len() > 1 => {
                return Err(CoreError::Unauthenticated(AuthFailure::TenantRequired));
            }
            None => {
                let (user, memberships) = verified.remove(0);
                (user, memberships, None)
            }
        };
        if !user.active {
            return Err(CoreError::Unauthenticated(AuthFailure::Disabled));
        }
        let tenant = match tenant {
            Some(tenant) => Some(tenant),
            None if memberships.is_empty() => {
                return Err(CoreError::forbidden("you are not a member of any tenant"));
            }
            None if memberships.len() == 1 => Some(memberships[0].0.clone()),
            None => None,
        };
        self.throttle.succeeded(&*self.store, attempt).await?;
        Ok(SignedIn { user, tenant })
    }

    /// Who an `Authorization` header's bearer token belongs to (`None`: no header).
    pub async fn identify_header(&self, header: Option<&str>) -> Result<Identity, CoreError> {
        let header = header.ok_or(CoreError::Unauthenticated(AuthFailure::Missing))?;
        let token = parse_bearer(header).map_err(CoreError::Unauthenticated)?;
        self.identify_shaped(token).await
    }

    /// Turns a presented token (or API key) into the caller it stands for, in `tenant` when
    /// the request names one, else in the token's tenant, else in the user's only tenant.
    pub async fn authenticate(
        &self,
        token: &str,
        tenant: Option<TenantId>,
        surface: Surface,
    ) -> Result<Caller, CoreError> {
        let identity = self.identify(token).await?;
        self.enter(&identity, tenant, surface).await
    }

    /// Who a presented token (or API key) belongs to, whatever the tenant. A token verified
    /// within the credential cache's time to live costs no query.
    pub async fn identify(&self, token: &str) -> Result<Identity, CoreError> {
        if !has_token_shape(token) {
            return Err(CoreError::Unauthenticated(AuthFailure::Malformed));
        }
        self.identify_shaped(token).await
    }

    /// [`Self::identify`] of a token known to have the token shape.
    async fn identify_shaped(&self, token: &str) -> Result<Identity, CoreError> {
        let hash = sha256_hex(token);
        let now = self.clock.now();
        if let Some(cached) = self.credentials.token(&hash).await {
            if cached.expires_at.is_some_and(|e| e <= now) {
                return Err(CoreError::Unauthenticated(AuthFailure::Expired));
            }
            return Ok(cached.identity);
        }
        let record = self
            .store
            .token_by_hash(&hash)
            .await
            .map_err(repo_error("token"))?
            .filter(|r| bool::from(r.secret_hash.as_bytes().ct_eq(hash.as_bytes())))
            .ok_or(CoreError::Unauthenticated(AuthFailure::Unknown))?;
        if record.revoked_at.is_some() {
            return Err(CoreError::Unauthenticated(AuthFailure::Revoked));
        }
        if record.expires_at.is_some_and(|e| e <= now) {
            return Err(CoreError::Unauthenticated(AuthFailure::Expired));
        }
        let user = self
            .store
            .user(record.user_id)
            .await
            .map_err(repo_error("user"))?
            .ok_or(CoreError::Unauthenticated(AuthFailure::Revoked))?;
        if !user.active {
            return Err(CoreError::Unauthenticated(AuthFailure::Disabled));
        }
        let identity = Identity {
            user_id: user.id,
            username: user.username.to_string(),
            token_id: record.id,
            kind: record.kind,
            bound_tenant: record.tenant_id,
        };
        self.credentials
            .keep_token(
                hash,
                Resolved {
                    identity: identity.clone(),
                    expires_at: record.expires_at,
                },
            )
            .await;
        Ok(identity)
    }

    /// The caller `identity` is in `tenant` (or the token's, or the user's only tenant).
    pub async fn enter(
        &self,
        identity: &Identity,
        tenant: Option<TenantId>,
        surface: Surface,
    ) -> Result<Caller, CoreError> {
        let tenant_id = match (tenant, identity.kind, identity.bound_tenant) {
            (Some(asked), TokenKind::ApiKey, Some(bound)) if asked != bound => {
                return Err(CoreError::forbidden(
                    "this API key belongs to another tenant",
                ));
            }
            (Some(asked), TokenKind::OAuth, Some(bound)) if asked != bound => {
                return Err(CoreError::forbidden(
                    "this OAuth token was granted for another tenant",
                ));
            }
            (Some(asked), _, _) => asked,
            (None, _, Some(bound)) => bound,
            (None, _, None) => {
                let memberships = self
                    .store
                    .tenants_of_user(identity.user_id)
                    .await
                    .map_err(repo_error("tenant"))?;
                match memberships.as_slice() {
                    [(only, _)] => only.id,
                    _ => {
                        return Err(CoreError::forbidden(
                            "you are a member of several tenants: name one (X-Tenant-Id)",
                        ));
                    }
                }
            }
        };
        let role = match self.credentials.role(identity.user_id, tenant_id).await {
            Some(role) => role,
            None => {
                let role = self
                    .store
                    .membership(tenant_id, identity.user_id)
                    .await
                    .map_err(repo_error("tenant"))?
                    .map(|m| m.role);
                self.credentials
                    .keep_role(identity.user_id, tenant_id, role)
                    .await;
                role
            }
        };
        let role =
            role.ok_or_else(|| CoreError::forbidden("you are not a member of that tenant"))?;
        Ok(Caller {
            user_id: Some(identity.user_id),
            username: identity.username.clone(),
            tenant_id,
            role,
            surface,
            token_id: Some(identity.token_id),
        })
    }

    /// Revokes the token `identity` authenticated with.
    pub async fn logout(&self, identity: &Identity) -> Result<(), CoreError> {
        let revoked = self
            .store
            .revoke_token(identity.token_id, self.clock.now())
            .await
            .map_err(repo_error("token"));
        self.credentials.clear();
        revoked
    }

    /// Creates an API key for `user` (the caller when `None`; another member needs an admin)
    /// in the caller's tenant.
    pub async fn create_api_key(
        &self,
        caller: &Caller,
        name: &str,
        user: Option<UserId>,
    ) -> Result<NewApiKey, CoreError> {
        let name = rolodex_domain::text::TextRule::line(128).check("name", name.to_owned())?;
        let user_id = match (user, caller.user_id) {
            (Some(u), me) if Some(u) != me => {
                if !caller.role.can_administer() {
                    return Err(CoreError::forbidden(
                        "only an admin can create keys for other users",
                    ));
                }
                u
            }
            (Some(u), _) => u,
            (None, Some(me)) => me,
            (None, None) => {
                return Err(rolodex_domain::ValidationError::new(
                    "user",
                    "required",
                    "name the user the key is for",
                )
                .into());
            }
        };
        self.store
            .membership(caller.tenant_id, user_id)
            .await
            .map_err(repo_error("user"))?
            .ok_or(CoreError::NotFound { entity: "user" })?;
        let (secret, record) = mint(
            TokenKind::ApiKey,
            user_id,
            Some(caller.tenant_id),
            name,
            self.clock.now(),
            None,
        );
        let record = self
            .store
            .insert_token(record)
            .await
            .map_err(repo_error("api key"))?;
        let key = ApiKey::from_record(record)
            .ok_or_else(|| CoreError::Internal("API key stored without a tenant".into()))?;
        Ok(NewApiKey { key, secret })
    }

    /// The caller's API keys in this tenant, or every key of the tenant for an admin.
    pub async fn list_api_keys(&self, caller: &Caller) -> Result<Vec<ApiKey>, CoreError> {
        let only = if caller.role.can_administer() {
            None
        } else {
            caller.user_id
        };
        let records = self
            .store
            .api_keys(caller.tenant_id, only)
            .await
            .map_err(repo_error("api key"))?;
        Ok(records
            .into_iter()
            .filter_map(ApiKey::from_record)
            .collect())
    }

    /// Revokes one of the caller's keys (any key of the tenant for an admin).
    pub async fn revoke_api_key(&self, caller: &Caller, id: i64) -> Result<(), CoreError> {
        let key = self
            .list_api_keys(caller)
            .await?
            .into_iter()
            .find(|k| k.id == id)
            .ok_or(CoreError::NotFound { entity: "api key" })?;
        let revoked = self
            .store
            .revoke_token(key.id, self.clock.now())
            .await
            .map_err(repo_error("api key"));
        self.credentials.clear();
        revoked
    }

    /// The caller's role, or `Forbidden` if it is below `needed`.
    pub fn require(caller: &Caller, needed: Role) -> Result<(), CoreError> {
        if caller.role >= needed {
            Ok(())
        } else {
            Err(CoreError::forbidden(format!(
                "this needs the {needed} role; you are {}",
                caller.role
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_stored_as_its_sha256_in_lower_case_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn bearer_header_must_have_the_documented_shape() {
        assert_eq!(
            parse_bearer("Bearer rdxs.abc_DEF-123"),
            Ok("rdxs.abc_DEF-123")
        );
        assert_eq!(parse_bearer("bearer a.b"), Ok("a.b"));
        assert_eq!(parse_bearer("BEARER aa.bb.cc/+="), Ok("aa.bb.cc/+="));
        // `.` in the documented pattern is any character, so this has the shape too.
        assert_eq!(parse_bearer("Bearer abc"), Ok("abc"));
        assert_eq!(parse_bearer("Bearer a\u{e9}b"), Ok("a\u{e9}b"));
        assert_eq!(parse_bearer("Bearer a.b\u{e9}c"), Ok("a.b\u{e9}c"));
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Basic a.b",
            "Bearer ab",
            "Bearer a b  c",
            "Bearer .ab",
            "Bearerx a.b",
            "Bearer a.b\n",
            "Bearer a\nb.c",
            // Only ASCII letters: no other script's, nor the Kelvin sign that folds to `k`.
            "Bearer \u{212a}.b",
            "Bearer a.\u{e9}",
        ] {
            assert_eq!(parse_bearer(bad), Err(AuthFailure::Malformed), "{bad:?}");
        }
        let long = format!("Bearer a.{}", "b".repeat(250));
        assert_eq!(parse_bearer(&long), Err(AuthFailure::Malformed));
    }

    #[test]
    fn generated_secrets_have_the_token_shape() {
        for kind in TokenKind::ALL {
            let (s, record) = mint(
                kind,
                UserId(1),
                None,
                String::new(),
                OffsetDateTime::UNIX_EPOCH,
                None,
            );
            assert!(has_token_shape(&s), "{s}");
            assert!(parse_bearer(&format!("Bearer {s}")).is_ok());
            assert!(secret_matches(&s, &record.secret_hash));
            assert!(!secret_matches(&format!("{s}x"), &record.secret_hash));
        }
    }

    /// Memory, passes and lanes of a hash.
    fn cost(hash: &PasswordHash<'_>) -> (u32, u32, u32) {
        let params = Params::try_from(hash).expect("Argon2 parameters");
        (params.m_cost(), params.t_cost(), params.p_cost())
    }

    #[test]
    fn the_dummy_hash_costs_what_a_new_hash_costs() {
        let dummy = PasswordHash::new(DUMMY_HASH).expect("parses");
        assert_eq!(dummy.algorithm, Algorithm::Argon2id.ident());
        assert_eq!(cost(&dummy), (HASH_MEMORY_KIB, HASH_PASSES, 1));
    }

    #[tokio::test]
    async fn new_hashes_have_the_chosen_cost_and_verify() {
        let hash = hash_password("correct horse".into()).await.expect("hashes");
        let parsed = PasswordHash::new(&hash).expect("parses");
        assert_eq!(cost(&parsed), (7 * 1024, 5, 1));
        assert!(
            verify_password("correct horse".into(), hash.clone())
                .await
                .expect("runs")
        );
        assert!(
            !verify_password("wrong horse".into(), hash)
                .await
                .expect("runs")
        );
    }

    #[tokio::test]
    async fn hashes_of_the_former_cost_still_verify() {
        let former = Argon2::default()
            .hash_password(
                b"correct horse",
                &SaltString::encode_b64(b"a salt of 16 b.").expect("salt"),
            )
            .expect("hashes")
            .to_string();
        assert!(former.contains("m=19456,t=2"), "{former}");
        assert!(
            verify_password("correct horse".into(), former)
                .await
                .expect("runs")
        );
    }
}
