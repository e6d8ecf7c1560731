//! The ports: what the use cases need from storage, by role. `rolodex-store` implements them
//! for SQLite (and PostgreSQL); nothing here knows SQL.
//!
//! Every method that touches tenant data takes the [`TenantId`] first: no port can read or
//! write a row without naming its tenant.

use crate::error::BoxError;
use crate::import::ImportCounts;
use crate::query::{ContactQuery, HistoryOrder, Page, PageRequest};
use async_trait::async_trait;
use rolodex_domain::photo::StoredFormat;
use rolodex_domain::{
    Contact, ContactFields, ContactId, Customer, CustomerFields, CustomerId, FieldChange,
    HistoryEntry, Membership, PhotoRejection, PhotoSize, Role, Surface, Tenant, TenantCode,
    TenantId, User, UserId, Username,
};
use time::OffsetDateTime;

/// What a uniqueness or reference rule was broken by a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    DuplicateTenantCode,
    DuplicateUsername,
    DuplicateCustomerCode,
    DuplicateContactCode,
    DuplicateExternalId,
    /// A customer that still has contacts cannot be deleted.
    CustomerHasContacts,
    /// A second primary contact for one customer.
    DuplicatePrimary,
}

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0:?}")]
    Conflict(ConflictKind),
    /// An update or delete expected a version that is no longer the stored one.
    #[error("version mismatch")]
    VersionMismatch,
    #[error("storage unavailable")]
    Unavailable(#[source] BoxError),
    #[error("storage error")]
    Other(#[source] BoxError),
}

/// The history entry a write records, completed by the store with the entity's id, its
/// version and the kind of change its operation makes.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryDraft {
    pub at: OffsetDateTime,
    pub user_id: Option<UserId>,
    pub username: String,
    pub surface: Surface,
    pub changes: Vec<FieldChange>,
}

/// One change to a customer or contact. Updates and deletes name the version they expect and
/// fail with [`RepoError::VersionMismatch`] if it is not the stored one; an update stores
/// `expected_version + 1`, a create stores version 1.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    CreateCustomer {
        fields: CustomerFields,
    },
    UpdateCustomer {
        id: CustomerId,
        expected_version: i64,
        fields: CustomerFields,
    },
    DeleteCustomer {
        id: CustomerId,
        expected_version: i64,
    },
    CreateContact {
        customer_id: CustomerId,
        fields: ContactFields,
    },
    /// A contact of the customer the call's previous write (a `CreateCustomer`) creates, so
    /// that a customer and its first contact land together or not at all.
    CreateContactOfNewCustomer {
        fields: ContactFields,
    },
    /// `before` is what the contact holds at `expected_version` (the read the change was
    /// made from): the store writes only what differs from it.
    UpdateContact {
        id: ContactId,
        /// The contact's customer at `expected_version` (the version check makes it the
        /// stored one).
        customer_id: CustomerId,
        expected_version: i64,
        before: Box<ContactFields>,
        fields: ContactFields,
    },
    DeleteContact {
        id: ContactId,
        expected_version: i64,
    },
}

/// A write and the history entry it records. The entry's `at` and `user_id` are also the
/// entity's `created_*`/`updated_*` audit values.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub op: WriteOp,
    pub history: HistoryDraft,
}

/// Applies writes atomically: every write of one call lands, with its history entries, or
/// none does. An acknowledged call is durable (on disk, fsynced) before it returns.
#[async_trait]
pub trait Writer: Send + Sync {
    /// Returns, per write, the id of the entity written (the new id for a create).
    async fn write(&self, tenant: TenantId, writes: Vec<Write>) -> Result<Vec<i64>, RepoError>;
}

#[async_trait]
pub trait TenantRepo: Send + Sync {
    async fn create_tenant(
        &self,
        code: &TenantCode,
        name: &str,
        at: OffsetDateTime,
    ) -> Result<Tenant, RepoError>;
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, RepoError>;
    async fn tenant_by_code(&self, code: &TenantCode) -> Result<Option<Tenant>, RepoError>;
    async fn list_tenants(&self) -> Result<Vec<Tenant>, RepoError>;
    /// The tenants `user` is a member of, with the role in each, by tenant id.
    async fn tenants_of_user(&self, user: UserId) -> Result<Vec<(Tenant, Role)>, RepoError>;
}

/// What the auth code needs of a user: the account and its password hash (PHC string).
#[derive(Debug, Clone)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
}

/// Changes to a user account; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    /// When set, every login session and OAuth grant (access and refresh tokens) of the user
    /// still valid is revoked at this time, in the same transaction (a password reset or a
    /// deactivation ends them; API keys stay).
    pub revoke_sessions_at: Option<OffsetDateTime>,
}

#[async_trait]
pub trait UserRepo: Send + Sync {
    /// Creates an account that is a member of `tenant` with `role`, in one write. Usernames
    /// are unique within a tenant: a member of `tenant` with the same username (ignoring
    /// case) is `Conflict(DuplicateUsername)`, whatever other tenants hold.
    async fn create_user(
        &self,
        tenant: TenantId,
        role: Role,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        at: OffsetDateTime,
    ) -> Result<User, RepoError>;
    async fn user(&self, id: UserId) -> Result<Option<User>, RepoError>;
    /// Every account with this username (ignoring case), in id order: one per tenant at most.
    async fn credentials(&self, username: &Username) -> Result<Vec<UserCredentials>, RepoError>;
    async fn update_user(&self, id: UserId, update: UserUpdate) -> Result<User, RepoError>;
    async fn count_users(&self) -> Result<u64, RepoError>;
    /// Sets (inserts or changes) `user`'s role in `tenant`. An unknown user or tenant is
    /// `NotFound`; another member of `tenant` with the same username is
    /// `Conflict(DuplicateUsername)`.
    async fn set_membership(
        &self,
        tenant: TenantId,
        user: UserId,
        role: Role,
    ) -> Result<(), RepoError>;
    /// Fails with `NotFound` if `user` is not a member of `tenant`.
    async fn remove_membership(&self, tenant: TenantId, user: UserId) -> Result<(), RepoError>;
    async fn membership(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<Membership>, RepoError>;
    async fn members(&self, tenant: TenantId) -> Result<Vec<Membership>, RepoError>;
}

/// A login session token or an API key, as stored: only the SHA-256 of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: i64,
    pub kind: TokenKind,
    pub secret_hash: String,
    pub user_id: UserId,
    /// The tenant the token is bound to: always set for API keys; for a session, the tenant
    /// chosen at login (or the user's only one).
    pub tenant_id: Option<TenantId>,
    /// A label for API keys; empty for sessions.
    pub name: String,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Session,
    ApiKey,
    /// An OAuth 2.0 access token, issued to a client with a refresh token (see [`OAuthRepo`]);
    /// bound to its client's tenant.
    OAuth,
}

impl TokenKind {
    /// Every kind.
    pub const ALL: [TokenKind; 3] = [TokenKind::Session, TokenKind::ApiKey, TokenKind::OAuth];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::ApiKey => "api_key",
            TokenKind::OAuth => "oauth",
        }
    }
}

/// A token to store (its id is assigned by the store).
#[derive(Debug, Clone)]
pub struct NewToken {
    pub kind: TokenKind,
    pub secret_hash: String,
    pub user_id: UserId,
    pub tenant_id: Option<TenantId>,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
}

#[async_trait]
pub trait TokenRepo: Send + Sync {
    async fn insert_token(&self, token: NewToken) -> Result<TokenRecord, RepoError>;
    async fn token_by_hash(&self, secret_hash: &str) -> Result<Option<TokenRecord>, RepoError>;
    /// Marks a token revoked (idempotent: an already revoked token keeps its first date).
    async fn revoke_token(&self, id: i64, at: OffsetDateTime) -> Result<(), RepoError>;
    /// API keys of `tenant` (of one user when `user` is set), newest first, revoked included.
    async fn api_keys(
        &self,
        tenant: TenantId,
        user: Option<UserId>,
    ) -> Result<Vec<TokenRecord>, RepoError>;
}

/// An OAuth client as stored: only the SHA-256 of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClientRecord {
    pub id: i64,
    pub tenant_id: TenantId,
    pub name: String,
    /// The public identifier the client presents (`client_id`), unique across tenants.
    pub client_id: String,
    pub secret_hash: String,
    /// The redirect URIs registered, each matched exactly.
    pub redirect_uris: Vec<String>,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// An OAuth client to store (its id is assigned by the store).
#[derive(Debug, Clone)]
pub struct NewOAuthClient {
    pub tenant_id: TenantId,
    pub name: String,
    pub client_id: String,
    pub secret_hash: String,
    pub redirect_uris: Vec<String>,
    pub created_at: OffsetDateTime,
}

/// How a PKCE code challenge was derived from its verifier (RFC 7636, section 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeMethod {
    S256,
    Plain,
}

impl ChallengeMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeMethod::S256 => "S256",
            ChallengeMethod::Plain => "plain",
        }
    }
}

/// A PKCE code challenge of an authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge {
    pub challenge: String,
    pub method: ChallengeMethod,
}

/// An authorization code as stored: only its SHA-256. The code is also the grant that every
/// refresh token issued from it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCodeRecord {
    pub id: i64,
    pub tenant_id: TenantId,
    /// The client's id (not its `client_id`).
    pub client: i64,
    pub user_id: UserId,
    /// As the authorization request named it; `None` when it named none.
    pub redirect_uri: Option<String>,
    pub challenge: Option<CodeChallenge>,
    pub scope: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    /// When the grant was revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

/// An authorization code to store.
#[derive(Debug, Clone)]
pub struct NewAuthorizationCode {
    pub tenant_id: TenantId,
    pub client: i64,
    pub user_id: UserId,
    pub code_hash: String,
    pub redirect_uri: Option<String>,
    pub challenge: Option<CodeChallenge>,
    pub scope: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A refresh token as stored: only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub id: i64,
    pub tenant_id: TenantId,
    pub client: i64,
    /// The grant (authorization code) it descends from.
    pub grant: i64,
    pub user_id: UserId,
    pub token_hash: String,
    /// The access token issued with it.
    pub access_token_id: i64,
    pub scope: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// When it was exchanged for a new pair.
    pub rotated_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// An access token (of kind [`TokenKind::OAuth`]) and the refresh token issued with it, for
/// one grant; stored together or not at all.
#[derive(Debug, Clone)]
pub struct NewTokenPair {
    pub grant: i64,
    pub client: i64,
    /// Its user, tenant and creation time are the refresh token's too.
    pub access: NewToken,
    pub refresh_hash: String,
    pub refresh_expires_at: OffsetDateTime,
    pub scope: Option<String>,
}

/// What became of a redemption of a code or a rotation of a refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redemption {
    /// The token pair is stored.
    Issued,
    /// The code or refresh token had been used already, or its grant revoked: nothing is
    /// stored, and the whole grant is now revoked.
    Spent,
}

/// OAuth 2.0 clients, their authorization codes and refresh tokens. Codes and refresh tokens
/// are single use: the store decides, in the write that uses one, whether it was still unused,
/// so that two concurrent uses cannot both succeed; a second use revokes the whole grant
/// (RFC 6749, section 4.1.2; RFC 6819, section 5.2.2.3).
#[async_trait]
pub trait OAuthRepo: Send + Sync {
    async fn insert_oauth_client(
        &self,
        client: NewOAuthClient,
    ) -> Result<OAuthClientRecord, RepoError>;
    /// The client whose public identifier is `client_id`, whatever its tenant: a client names
    /// itself by it alone.
    async fn oauth_client(&self, client_id: &str) -> Result<Option<OAuthClientRecord>, RepoError>;
    /// The clients of `tenant`, newest first, revoked ones included.
    async fn oauth_clients(&self, tenant: TenantId) -> Result<Vec<OAuthClientRecord>, RepoError>;
    /// Revokes client `id` of `tenant` (an already revoked client keeps its first date) and
    /// every grant issued to it, with their refresh and access tokens. `NotFound` when
    /// `tenant` has no such client.
    async fn revoke_oauth_client(
        &self,
        tenant: TenantId,
        id: i64,
        at: OffsetDateTime,
    ) -> Result<(), RepoError>;
    /// Stores a code, and forgets the codes of its tenant that expired unused.
    async fn insert_authorization_code(&self, code: NewAuthorizationCode) -> Result<(), RepoError>;
    async fn authorization_code(
        &self,
        code_hash: &str,
    ) -> Result<Option<AuthorizationCodeRecord>, RepoError>;
    /// Marks code `code` of `tenant` used and stores the first token pair of its grant, at
    /// `tokens.access.created_at`, unless the code was used already or its grant revoked.
    async fn redeem_authorization_code(
        &self,
        tenant: TenantId,
        code: i64,
        tokens: NewTokenPair,
    ) -> Result<Redemption, RepoError>;
    async fn refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshTokenRecord>, RepoError>;
    /// Marks refresh token `id` of `tenant` rotated and stores the next token pair of its
    /// grant, at `tokens.access.created_at`, unless the token was rotated or revoked already,
    /// or its grant revoked.
    async fn rotate_refresh_token(
        &self,
        tenant: TenantId,
        id: i64,
        tokens: NewTokenPair,
    ) -> Result<Redemption, RepoError>;
    /// Revokes grant `grant` of `tenant`: the code, its refresh tokens and their access
    /// tokens (idempotent).
    async fn revoke_oauth_grant(
        &self,
        tenant: TenantId,
        grant: i64,
        at: OffsetDateTime,
    ) -> Result<(), RepoError>;
}

/// Failed login attempts, kept in storage so that every node sees them.
#[async_trait]
pub trait ThrottleRepo: Send + Sync {
    /// Records a failure for `key` at `at`, and forgets every failure (of any key) before
    /// `forget_before`: the table never holds more than one throttling window.
    async fn record_failure(
        &self,
        key: &str,
        at: OffsetDateTime,
        forget_before: OffsetDateTime,
    ) -> Result<(), RepoError>;
    /// Failures for `key` at or after `since`, and the earliest of them.
    async fn failures_since(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> Result<(u32, Option<OffsetDateTime>), RepoError>;
    async fn clear_failures(&self, key: &str) -> Result<(), RepoError>;
}

#[async_trait]
pub trait CustomerRepo: Send + Sync {
    async fn customer(
        &self,
        tenant: TenantId,
        id: CustomerId,
    ) -> Result<Option<Customer>, RepoError>;
    async fn customer_by_code(
        &self,
        tenant: TenantId,
        code: &str,
    ) -> Result<Option<Customer>, RepoError>;
    /// The oldest customer with this name (case-insensitive).
    async fn customer_by_name(
        &self,
        tenant: TenantId,
        name: &str,
    ) -> Result<Option<Customer>, RepoError>;
    /// Customers by id; `text` is a case-insensitive prefix of the code or name.
    async fn list_customers(
        &self,
        tenant: TenantId,
        text: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Customer>, RepoError>;
}

#[async_trait]
pub trait ContactRepo: Send + Sync {
    async fn contact(&self, tenant: TenantId, id: ContactId) -> Result<Option<Contact>, RepoError>;
    async fn contact_by_code(
        &self,
        tenant: TenantId,
        customer: CustomerId,
        code: &str,
    ) -> Result<Option<Contact>, RepoError>;
    async fn contact_by_external_id(
        &self,
        tenant: TenantId,
        external_id: &str,
    ) -> Result<Option<Contact>, RepoError>;
    /// The customer's primary contact, if it has one.
    async fn primary_contact(
        &self,
        tenant: TenantId,
        customer: CustomerId,
    ) -> Result<Option<Contact>, RepoError>;
    async fn list_contacts(
        &self,
        tenant: TenantId,
        query: &ContactQuery,
    ) -> Result<Page<Contact>, RepoError>;
    /// The matches of `query` from position `offset` of its sort order (at most `limit` of
    /// them; `query.page` is ignored), and how many matches there are in all, both read from
    /// one snapshot. An offset past the last match gives no items and the total.
    async fn contact_window(
        &self,
        tenant: TenantId,
        query: &ContactQuery,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Contact>, u64), RepoError>;
    async fn count_contacts(
        &self,
        tenant: TenantId,
        customer: CustomerId,
    ) -> Result<u64, RepoError>;
    /// The names of the photos the contacts of `tenant` have.
    async fn photo_names(&self, tenant: TenantId) -> Result<Vec<String>, RepoError>;
}

#[async_trait]
pub trait HistoryRepo: Send + Sync {
    /// Entries of one entity (`"customer"` or `"contact"`) in `order`, paged by entry id.
    async fn history(
        &self,
        tenant: TenantId,
        entity: &str,
        entity_id: i64,
        page: &PageRequest,
        order: HistoryOrder,
    ) -> Result<Page<HistoryEntry>, RepoError>;
    /// The entry with id `entry`, if it is one of that entity's in `tenant`.
    async fn history_entry(
        &self,
        tenant: TenantId,
        entity: &str,
        entity_id: i64,
        entry: i64,
    ) -> Result<Option<HistoryEntry>, RepoError>;
}

/// A response kept for an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// The `ETag` and `Location` headers, when the response had them.
    pub etag: Option<String>,
    pub location: Option<String>,
}

/// What a client's idempotency key already stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyState {
    /// New (or expired) key: claimed now for this request.
    Claimed,
    /// A request with this key and the same fingerprint completed: here is its response.
    Completed(StoredResponse),
    /// A request with this key and the same fingerprint is still running.
    InProgress,
    /// The key was used with another request.
    Mismatch,
}

/// When a key is claimed, and which older keys are forgotten at that moment.
#[derive(Debug, Clone, Copy)]
pub struct ClaimTimes {
    pub at: OffsetDateTime,
    /// Keys (completed or not) created before this have expired.
    pub expired_before: OffsetDateTime,
    /// Claims never completed nor released, made before this, were abandoned: their
    /// request can no longer be running (the node died, or every deadline has passed).
    pub abandoned_before: OffsetDateTime,
}

#[async_trait]
pub trait IdempotencyRepo: Send + Sync {
    /// Claims `key` for `scope` (tenant and user) unless a live claim exists; keys older
    /// than `times.expired_before`, and claims never completed older than
    /// `times.abandoned_before`, are forgotten first.
    async fn claim(
        &self,
        tenant: TenantId,
        scope: &str,
        key: &str,
        fingerprint: &str,
        times: ClaimTimes,
    ) -> Result<IdempotencyState, RepoError>;
    async fn complete(
        &self,
        tenant: TenantId,
        scope: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), RepoError>;
    /// Drops a claim whose request failed before it changed anything, so it can be retried.
    async fn release(&self, tenant: TenantId, scope: &str, key: &str) -> Result<(), RepoError>;
}

/// Where an import job stands, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Running,
    Completed,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Completed => "completed",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [JobState::Running, JobState::Completed, JobState::Failed]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// An import job to record: who started it, on what file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImportJob {
    pub user_id: Option<UserId>,
    pub username: String,
    /// The kind of file, as the surface names it (`csv`, `vcf`).
    pub format: String,
    pub dry_run: bool,
    pub rows_total: u64,
    pub at: OffsetDateTime,
}

/// How an import job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEnd {
    /// Every row was read: the report, as the surface that ran the import renders it.
    Completed { report: Vec<u8> },
    /// The import stopped on an error no row could get past (rows before it stay imported).
    Failed { code: String, message: String },
}

/// An import job as stored (its report apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJobRecord {
    pub id: i64,
    pub user_id: Option<UserId>,
    pub username: String,
    pub format: String,
    pub dry_run: bool,
    pub state: JobState,
    pub rows_total: u64,
    pub counts: ImportCounts,
    /// The error a failed job stopped on: its code and message.
    pub error: Option<(String, String)>,
    pub started_at: OffsetDateTime,
    /// When the job last recorded its progress: its heartbeat while it runs.
    pub progress_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

/// Import jobs, shared by every node: the node running one records its progress, any node
/// reads it. Jobs that started before a cutoff are forgotten as new ones are recorded.
#[async_trait]
pub trait ImportJobRepo: Send + Sync {
    /// Records a running job with no row done; first forgets the tenant's jobs started
    /// before `forget_before`. Returns the job's id.
    async fn create_import_job(
        &self,
        tenant: TenantId,
        job: &NewImportJob,
        forget_before: OffsetDateTime,
    ) -> Result<i64, RepoError>;
    /// Records a running job's progress at `at` (its heartbeat).
    async fn record_import_progress(
        &self,
        tenant: TenantId,
        id: i64,
        counts: ImportCounts,
        at: OffsetDateTime,
    ) -> Result<(), RepoError>;
    /// Records how a job ended, with its last counts.
    async fn finish_import_job(
        &self,
        tenant: TenantId,
        id: i64,
        counts: ImportCounts,
        end: JobEnd,
        at: OffsetDateTime,
    ) -> Result<(), RepoError>;
    async fn import_job(
        &self,
        tenant: TenantId,
        id: i64,
    ) -> Result<Option<ImportJobRecord>, RepoError>;
    /// The tenant's `limit` most recent jobs, the newest first.
    async fn import_jobs(
        &self,
        tenant: TenantId,
        limit: usize,
    ) -> Result<Vec<ImportJobRecord>, RepoError>;
    /// The report of a completed job.
    async fn import_job_report(
        &self,
        tenant: TenantId,
        id: i64,
    ) -> Result<Option<Vec<u8>>, RepoError>;
}

/// An upload decoded, checked and re-encoded: the bytes of each stored size. Never the
/// uploaded bytes themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    pub format: StoredFormat,
    /// Dimensions of the original.
    pub width: u32,
    pub height: u32,
    pub original: Vec<u8>,
    pub small: Vec<u8>,
    pub medium: Vec<u8>,
}

impl ProcessedPhoto {
    /// The encoded bytes of one size.
    pub fn bytes(&self, size: PhotoSize) -> &[u8] {
        match size {
            PhotoSize::Original => &self.original,
            PhotoSize::Small => &self.small,
            PhotoSize::Medium => &self.medium,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The upload breaks a photo rule (format, pixel count, damaged content).
    #[error("photo rejected: {0:?}")]
    Rejected(PhotoRejection),
    #[error("the image pipeline failed")]
    Failed(#[source] BoxError),
}

/// Turns an upload into the stored sizes of a photo. Implementations recognise the format by
/// content only, enforce the pixel limits of `rolodex_domain::photo` before decoding, and
/// re-encode every size.
#[async_trait]
pub trait PhotoPipeline: Send + Sync {
    async fn process(&self, upload: Vec<u8>) -> Result<ProcessedPhoto, PipelineError>;
}

/// Where photo files live, by key (`rolodex_domain::photo::photo_key`).
#[async_trait]
pub trait PhotoStorage: Send + Sync {
    /// Stores `bytes` under `key` atomically: a reader sees the whole file or no file, never
    /// part of one, and an acknowledged put survives a crash.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), RepoError>;
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, RepoError>;
    /// Removes `key`; a key that is not there is not an error.
    async fn delete(&self, key: &str) -> Result<(), RepoError>;
    /// The last parts of the keys directly under `folder` (`a/b` lists `c` of `a/b/c`); none
    /// when there is no such folder.
    async fn list(&self, folder: &str) -> Result<Vec<String>, RepoError>;
}

/// Everything a store provides; what the composition root hands to [`crate::Services`].
pub trait Store:
    Writer
    + TenantRepo
    + UserRepo
    + TokenRepo
    + OAuthRepo
    + ThrottleRepo
    + CustomerRepo
    + ContactRepo
    + HistoryRepo
    + IdempotencyRepo
    + ImportJobRepo
{
}

impl<T> Store for T where
    T: Writer
        + TenantRepo
        + UserRepo
        + TokenRepo
        + OAuthRepo
        + ThrottleRepo
        + CustomerRepo
        + ContactRepo
        + HistoryRepo
        + IdempotencyRepo
        + ImportJobRepo
{
}
