//! OAuth 2.0 authorization server (RFC 6749) for CRO-style clients: the authorization code
//! grant, with or without PKCE (RFC 7636, `S256` or `plain`), and the refresh token grant, as
//! CRO Software's authentication guide describes them (no client credentials or password
//! grant; a `state` of at least 8 characters). Clients are registered in a tenant by its
//! admins and are confidential: they authenticate at the token endpoint with their secret.
//!
//! A user authorizes a client by signing in through [`AuthService`]'s one password check (and
//! its login throttling); the client then exchanges the single-use code (valid
//! [`CODE_TTL_SECS`] seconds) for an access token, a token of kind [`TokenKind::OAuth`] bound
//! to the client's tenant that every surface authenticates like a login token, and a refresh
//! token. Refresh tokens rotate: each is good for one exchange. A code or refresh token used a
//! second time revokes its whole grant, every refresh and access token descended from the
//! same code (RFC 6749, section 4.1.2; RFC 6819, section 5.2.2.3), since one of the two users
//! must be an attacker.
//!
//! This module knows OAuth's rules and error codes, not its wire: surfaces hand it the
//! parameters they read and render its answers.

mod protocol;

pub use protocol::{
    Authorization, AuthorizationRequest, AuthorizeError, GrantedTokens, OAuthError, OAuthErrorCode,
    Redirect, SCOPE_MAX_CHARS, STATE_MAX_CHARS, STATE_MIN_CHARS, TokenRequest,
};

use crate::auth::{AuthService, SignedIn, after, mint, random_value, secret_matches, sha256_hex};
use crate::caller::Caller;
use crate::clock::Clock;
use crate::credentials::CredentialCache;
use crate::error::CoreError;
use crate::ports::{
    NewAuthorizationCode, NewOAuthClient, NewTokenPair, OAuthClientRecord, OAuthRepo, Redemption,
    RepoError, TenantRepo, TokenKind, UserRepo,
};
use crate::write::repo_error;
use protocol::{Target, challenge_of, code_refusal, is_pkce_value, request_refusal, within_scope};
use rolodex_domain::text::TextRule;
use rolodex_domain::{RedirectUri, Role, TenantId, UserId, ValidationError};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// How long an authorization code can be exchanged, in seconds (well under the minute CRO's
/// clients are promised).
pub const CODE_TTL_SECS: i64 = 30;
/// Most redirect URIs one client may register.
pub const MAX_REDIRECT_URIS: usize = 10;

const CLIENT_NAME: TextRule = TextRule::line(128);

/// Lifetimes of the tokens issued to clients.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
}

impl Default for OAuthConfig {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(3600),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// An OAuth client as listed (without its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub id: i64,
    pub tenant_id: TenantId,
    pub name: String,
    pub client_id: String,
    pub redirect_uris: Vec<String>,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<OAuthClientRecord> for OAuthClient {
    fn from(r: OAuthClientRecord) -> Self {
        Self {
            id: r.id,
            tenant_id: r.tenant_id,
            name: r.name,
            client_id: r.client_id,
            redirect_uris: r.redirect_uris,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A newly registered client and its secret, shown once.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    pub client: OAuthClient,
    pub secret: String,
}

/// The OAuth use cases.
#[derive(Clone)]
pub struct OAuthService {
    repo: Arc<dyn OAuthRepo>,
    tenants: Arc<dyn TenantRepo>,
    users: Arc<dyn UserRepo>,
    auth: AuthService,
    clock: Arc<dyn Clock>,
    credentials: Arc<CredentialCache>,
    config: OAuthConfig,
}

impl OAuthService {
    pub fn new(
        repo: Arc<dyn OAuthRepo>,
        tenants: Arc<dyn TenantRepo>,
        users: Arc<dyn UserRepo>,
        auth: AuthService,
        clock: Arc<dyn Clock>,
        credentials: Arc<CredentialCache>,
        config: OAuthConfig,
    ) -> Self {
        Self {
            repo,
            tenants,
            users,
            auth,
            clock,
            credentials,
            config,
        }
    }

    /// Registers a client in the caller's tenant (admin only), with the redirect URIs it may
    /// be sent back to (1 to [`MAX_REDIRECT_URIS`], each matched exactly).
    pub async fn register_client(
        &self,
        caller: &Caller,
        name: &str,
        redirect_uris: &[String],
    ) -> Result<RegisteredClient, CoreError> {
        AuthService::require(caller, Role::Admin)?;
        let mut errors = rolodex_domain::ValidationErrors::default();
        let name = errors.collect(CLIENT_NAME.check("name", name.to_owned()));
        let mut uris: Vec<String> = Vec::new();
        for raw in redirect_uris {
            if let Some(uri) = errors.collect(RedirectUri::parse(raw)) {
                let uri = uri.into_string();
                if !uris.contains(&uri) {
                    uris.push(uri);
                }
            }
        }
        if redirect_uris.is_empty() || redirect_uris.len() > MAX_REDIRECT_URIS {
            errors.push(ValidationError::new(
                "redirect_uris",
                "count",
                format!("register 1 to {MAX_REDIRECT_URIS} redirect URIs"),
            ));
        }
        let name = errors.into_result(name)?.unwrap_or_default();
        let secret = random_value("rdxcs", 32);
        let record = self
            .repo
            .insert_oauth_client(NewOAuthClient {
                tenant_id: caller.tenant_id,
                name,
                client_id: random_value("rdxc", 16),
                secret_hash: sha256_hex(&secret),
                redirect_uris: uris,
                created_at: self.clock.now(),
            })
            .await
            .map_err(repo_error("tenant"))?;
        tracing::info!(tenant = %caller.tenant_id, client = record.id, "OAuth client registered");
        Ok(RegisteredClient {
            client: record.into(),
            secret,
        })
    }

    /// The clients of the caller's tenant, newest first, revoked ones included (admin only).
    pub async fn list_clients(&self, caller: &Caller) -> Result<Vec<OAuthClient>, CoreError> {
        AuthService::require(caller, Role::Admin)?;
        let records = self
            .repo
            .oauth_clients(caller.tenant_id)
            .await
            .map_err(repo_error("oauth client"))?;
        Ok(records.into_iter().map(OAuthClient::from).collect())
    }

    /// The client whose public identifier is `client_id`, in any tenant (operator only: the
    /// command line).
    pub async fn find_client(&self, client_id: &str) -> Result<OAuthClient, CoreError> {
        self.repo
            .oauth_client(client_id)
            .await
            .map_err(repo_error("oauth client"))?
            .map(OAuthClient::from)
            .ok_or(CoreError::NotFound {
                entity: "oauth client",
            })
    }

    /// Revokes client `id` of the caller's tenant and every token issued to it (admin only).
    pub async fn revoke_client(&self, caller: &Caller, id: i64) -> Result<(), CoreError> {
        AuthService::require(caller, Role::Admin)?;
        let revoked = self
            .repo
            .revoke_oauth_client(caller.tenant_id, id, self.clock.now())
            .await
            .map_err(repo_error("oauth client"));
        self.credentials.clear();
        revoked
    }

    /// Checks an authorization request (RFC 6749, section 4.1.2.1): first the client and its
    /// redirect URI, whose failures are never sent to the URI, then the rest, whose failures
    /// are.
    pub async fn authorization(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<Authorization, AuthorizeError> {
        let untrusted = |why: &str| AuthorizeError::Untrusted(why.to_owned());
        if request
            .repeated
            .iter()
            .any(|p| p == "client_id" || p == "redirect_uri")
        {
            return Err(untrusted(
                "the request names its client or redirect URI more than once",
            ));
        }
        let client_id = request
            .client_id
            .as_deref()
            .ok_or_else(|| untrusted("the request names no client (client_id)"))?;
        let client = self
            .repo
            .oauth_client(client_id)
            .await
            .map_err(|e| AuthorizeError::Failed(repo_error("oauth client")(e)))?
            .filter(|c| c.revoked_at.is_none())
            .ok_or_else(|| untrusted("the client is not registered, or has been revoked"))?;
        let uri = match (&request.redirect_uri, client.redirect_uris.as_slice()) {
            (Some(uri), registered) if registered.contains(uri) => uri.clone(),
            (Some(_), _) => {
                return Err(untrusted(
                    "the redirect URI is not one the client registered",
                ));
            }
            (None, [only]) => only.clone(),
            (None, _) => {
                return Err(untrusted(
                    "the request must name its redirect URI (redirect_uri): the client registered several",
                ));
            }
        };
        let target = Target {
            uri,
            state: request.state.clone(),
        };
        if let Some((code, description)) = request_refusal(request) {
            return Err(AuthorizeError::Redirect(Redirect::error(
                &target,
                code,
                &description,
            )));
        }
        let tenant = self
            .tenants
            .tenant(client.tenant_id)
            .await
            .map_err(|e| AuthorizeError::Failed(repo_error("tenant")(e)))?
            .ok_or_else(|| AuthorizeError::Failed(CoreError::NotFound { entity: "tenant" }))?;
        Ok(Authorization {
            client_name: client.name,
            client_id: client.client_id,
            tenant,
            scope: request.scope.clone(),
            client: client.id,
            target,
            named_redirect_uri: request.redirect_uri.clone(),
            challenge: challenge_of(request).unwrap_or_default(),
        })
    }

    /// The user allows the request: signs in with `username` and `password` from `client`
    /// as a member of the client's tenant, and sends the client back a code.
    pub async fn approve(
        &self,
        request: &AuthorizationRequest,
        username: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Redirect, AuthorizeError> {
        let authorization = self.authorization(request).await?;
        let SignedIn { user, .. } = self
            .auth
            .sign_in(
                username,
                password,
                Some(authorization.tenant.code.as_str()),
                client,
            )
            .await
            .map_err(AuthorizeError::SignIn)?;
        let code = self
            .issue_code(&authorization, user.id)
            .await
            .map_err(AuthorizeError::Failed)?;
        tracing::info!(user = %user.id, client = authorization.client, "OAuth authorization");
        let Target { uri, state } = authorization.target;
        let mut params = vec![("code", code)];
        params.extend(state.map(|s| ("state", s)));
        Ok(Redirect { uri, params })
    }

    /// The user refuses the request: the client is told `access_denied`.
    pub async fn deny(&self, request: &AuthorizationRequest) -> Result<Redirect, AuthorizeError> {
        let authorization = self.authorization(request).await?;
        Ok(Redirect::error(
            &authorization.target,
            OAuthErrorCode::AccessDenied,
            "the user refused the request",
        ))
    }

    /// Stores a new code of `authorization` for `user`; returns the code.
    async fn issue_code(
        &self,
        authorization: &Authorization,
        user: UserId,
    ) -> Result<String, CoreError> {
        let now = self.clock.now();
        let code = random_value("rdxg", 32);
        self.repo
            .insert_authorization_code(NewAuthorizationCode {
                tenant_id: authorization.tenant.id,
                client: authorization.client,
                user_id: user,
                code_hash: sha256_hex(&code),
                redirect_uri: authorization.named_redirect_uri.clone(),
                challenge: authorization.challenge.clone(),
                scope: authorization.scope.clone(),
                created_at: now,
                expires_at: now + time::Duration::seconds(CODE_TTL_SECS),
            })
            .await
            .map_err(repo_error("oauth client"))?;
        Ok(code)
    }

    /// The token endpoint (RFC 6749, sections 4.1.3 and 6): authenticates the client, then
    /// exchanges a code or rotates a refresh token.
    pub async fn token(&self, request: TokenRequest) -> Result<GrantedTokens, OAuthError> {
        use OAuthErrorCode::{InvalidRequest, UnsupportedGrantType};
        if let Some(name) = request.repeated.first() {
            return Err(OAuthError::refused(
                InvalidRequest,
                format!("{name} was sent more than once"),
            ));
        }
        let client = self.authenticate_client(&request).await?;
        let required = |value: &Option<String>, name: &str| {
            value
                .clone()
                .ok_or_else(|| OAuthError::refused(InvalidRequest, format!("{name} is required")))
        };
        match request.grant_type.as_deref() {
            Some("authorization_code") => {
                let code = required(&request.code, "code")?;
                self.exchange_code(&client, &code, &request).await
            }
            Some("refresh_token") => {
                let token = required(&request.refresh_token, "refresh_token")?;
                self.refresh(&client, &token, request.scope.as_deref())
                    .await
            }
            Some(_) => Err(OAuthError::refused(
                UnsupportedGrantType,
                "the grant types are authorization_code and refresh_token",
            )),
            None => Err(OAuthError::refused(
                InvalidRequest,
                "grant_type is required",
            )),
        }
    }

    /// The client a token request authenticates as, by one method: HTTP Basic or the body
    /// (RFC 6749, section 2.3.1).
    async fn authenticate_client(
        &self,
        request: &TokenRequest,
    ) -> Result<OAuthClientRecord, OAuthError> {
        let (client_id, secret) = match (&request.basic, &request.client_secret) {
            (Some(_), Some(_)) => {
                return Err(OAuthError::refused(
                    OAuthErrorCode::InvalidRequest,
                    "authenticate the client by one method: HTTP Basic or client_secret",
                ));
            }
            (Some((id, secret)), None) => {
                if request.client_id.as_ref().is_some_and(|body| body != id) {
                    return Err(OAuthError::refused(
                        OAuthErrorCode::InvalidRequest,
                        "client_id differs from the client authenticated by HTTP Basic",
                    ));
                }
                (id, secret)
            }
            (None, Some(secret)) => match &request.client_id {
                Some(id) => (id, secret),
                None => return Err(OAuthError::invalid_client()),
            },
            (None, None) => return Err(OAuthError::invalid_client()),
        };
        let client = self
            .repo
            .oauth_client(client_id)
            .await
            .map_err(repo_error("oauth client"))?;
        // The hash is compared even when the client is unknown, so that timing tells nothing.
        let stored = client.as_ref().map_or("", |c| c.secret_hash.as_str());
        let matches = secret_matches(secret, stored);
        client
            .filter(|c| matches && c.revoked_at.is_none())
            .ok_or_else(OAuthError::invalid_client)
    }

    async fn exchange_code(
        &self,
        client: &OAuthClientRecord,
        code: &str,
        request: &TokenRequest,
    ) -> Result<GrantedTokens, OAuthError> {
        if request
            .code_verifier
            .as_deref()
            .is_some_and(|v| !is_pkce_value(v))
        {
            return Err(OAuthError::refused(
                OAuthErrorCode::InvalidRequest,
                "code_verifier is 43 to 128 letters, digits, '-', '.', '_' or '~'",
            ));
        }
        let now = self.clock.now();
        let record = self
            .repo
            .authorization_code(&sha256_hex(code))
            .await
            .map_err(repo_error("oauth client"))?
            .filter(|c| c.client == client.id)
            .ok_or_else(|| OAuthError::invalid_grant("the code is not valid"))?;
        if record.used_at.is_some() {
            return Err(self.reused(record.tenant_id, record.id, "code").await);
        }
        if record.revoked_at.is_some() {
            return Err(OAuthError::invalid_grant("the code is revoked"));
        }
        if let Some(why) = code_refusal(
            &record,
            client,
            request.redirect_uri.as_deref(),
            request.code_verifier.as_deref(),
            now,
        ) {
            return Err(OAuthError::invalid_grant(why));
        }
        let (tokens, pair) = self
            .pair(client, record.id, record.user_id, record.scope, now)
            .await?;
        let redemption = self
            .repo
            .redeem_authorization_code(record.tenant_id, record.id, pair)
            .await;
        self.issued(redemption, tokens, "code")
    }

    async fn refresh(
        &self,
        client: &OAuthClientRecord,
        token: &str,
        scope: Option<&str>,
    ) -> Result<GrantedTokens, OAuthError> {
        let now = self.clock.now();
        let record = self
            .repo
            .refresh_token(&sha256_hex(token))
            .await
            .map_err(repo_error("oauth client"))?
            .filter(|r| r.client == client.id)
            .ok_or_else(|| OAuthError::invalid_grant("the refresh token is not valid"))?;
        if record.rotated_at.is_some() {
            return Err(self
                .reused(record.tenant_id, record.grant, "refresh token")
                .await);
        }
        if record.revoked_at.is_some() {
            return Err(OAuthError::invalid_grant("the refresh token is revoked"));
        }
        if record.expires_at <= now {
            return Err(OAuthError::invalid_grant("the refresh token has expired"));
        }
        let scope = match scope {
            Some(asked) if !within_scope(asked, record.scope.as_deref()) => {
                return Err(OAuthError::refused(
                    OAuthErrorCode::InvalidScope,
                    "scope asks for more than the grant gave",
                ));
            }
            Some(asked) => Some(asked.to_owned()),
            None => record.scope,
        };
        let (tokens, pair) = self
            .pair(client, record.grant, record.user_id, scope, now)
            .await?;
        let redemption = self
            .repo
            .rotate_refresh_token(record.tenant_id, record.id, pair)
            .await;
        self.issued(redemption, tokens, "refresh token")
    }

    /// A new access and refresh token of `grant` for `user` in the client's tenant, if the
    /// user's account is still active and a member of that tenant.
    async fn pair(
        &self,
        client: &OAuthClientRecord,
        grant: i64,
        user: UserId,
        scope: Option<String>,
        now: OffsetDateTime,
    ) -> Result<(GrantedTokens, NewTokenPair), OAuthError> {
        let tenant = client.tenant_id;
        let active = self
            .users
            .user(user)
            .await
            .map_err(repo_error("user"))?
            .is_some_and(|u| u.active);
        let member = self
            .users
            .membership(tenant, user)
            .await
            .map_err(repo_error("user"))?
            .is_some();
        if !(active && member) {
            return Err(OAuthError::invalid_grant(
                "the user is no longer an active member of the client's tenant",
            ));
        }
        let (access_token, access) = mint(
            TokenKind::OAuth,
            user,
            Some(tenant),
            client.client_id.clone(),
            now,
            Some(after(now, self.config.access_token_ttl)),
        );
        let refresh_token = random_value("rdxr", 32);
        let pair = NewTokenPair {
            grant,
            client: client.id,
            access,
            refresh_hash: sha256_hex(&refresh_token),
            refresh_expires_at: after(now, self.config.refresh_token_ttl),
            scope: scope.clone(),
        };
        let tokens = GrantedTokens {
            access_token,
            expires_in: self.config.access_token_ttl,
            refresh_token,
            scope,
            tenant_id: tenant,
        };
        Ok((tokens, pair))
    }

    /// Revokes grant `grant` of `tenant`, whose code or refresh token (`what`) was used
    /// again, and refuses the use.
    async fn reused(&self, tenant: TenantId, grant: i64, what: &str) -> OAuthError {
        let revoked = self
            .repo
            .revoke_oauth_grant(tenant, grant, self.clock.now())
            .await;
        if let Err(e) = revoked {
            return repo_error("oauth client")(e).into();
        }
        self.credentials.clear();
        Self::spent(what)
    }

    /// `tokens`, if the store issued them; else the code or refresh token (`what`) had been
    /// used concurrently, and the store revoked its grant.
    fn issued(
        &self,
        redemption: Result<Redemption, RepoError>,
        tokens: GrantedTokens,
        what: &str,
    ) -> Result<GrantedTokens, OAuthError> {
        match redemption.map_err(repo_error("oauth client"))? {
            Redemption::Issued => Ok(tokens),
            Redemption::Spent => {
                self.credentials.clear();
                Err(Self::spent(what))
            }
        }
    }

    fn spent(what: &str) -> OAuthError {
        tracing::warn!("an OAuth {what} was used again: its grant is revoked");
        OAuthError::invalid_grant(format!(
            "the {what} was used already: every token of its grant is revoked"
        ))
    }
}
