//! Rolodex's use cases and the ports they need.
//!
//! Every use case takes the authenticated [`Caller`]; every write goes through one path that
//! checks the caller's role in the tenant, validates, checks the expected version, applies the
//! change and records its history entry in one transaction (see [`ports::Writer`]). Core
//! defines the ports and never implements them: storage lives in `rolodex-store`.

pub mod auth;
pub mod caller;
pub mod clock;
pub mod contacts;
pub mod credentials;
pub mod customers;
pub mod error;
pub mod export;
pub mod idempotency;
pub mod import;
pub mod import_jobs;
pub mod login_throttle;
pub mod oauth;
pub mod photos;
pub mod ports;
pub mod query;
pub mod tenants;
pub mod users;
pub mod write;

pub use auth::{AuthConfig, AuthService, IssuedToken, NewApiKey};
pub use caller::{Caller, Identity};
pub use clock::{Clock, SystemClock};
pub use contacts::ContactService;
pub use customers::CustomerService;
pub use error::{AuthFailure, CoreError, ErrorCode};
pub use export::{Export, ExportService, ExportedContact};
pub use idempotency::IdempotencyService;
pub use import::{
    Import, ImportCounts, ImportOptions, ImportRow, ImportService, ImportSummary, MatchKey,
    Outcome, RowReport,
};
pub use import_jobs::{ImportJob, JobRecorder, JobStatus};
pub use login_throttle::LoginLimits;
pub use oauth::{OAuthConfig, OAuthService};
pub use photos::{Media, PhotoFile, PhotoService};
pub use ports::Store;
pub use query::{
    Condition, ContactQuery, ContactSort, Cursor, FieldFilter, FilterField, HistoryOrder, Page,
    PageRequest,
};
pub use tenants::TenantService;
pub use users::UserService;
pub use write::{Precondition, repo_error};

use std::sync::Arc;

/// Every use case, wired onto one store and clock: what the HTTP layer and the CLI hold.
#[derive(Clone)]
pub struct Services {
    pub auth: AuthService,
    pub tenants: TenantService,
    pub users: UserService,
    pub customers: CustomerService,
    pub contacts: ContactService,
    pub photos: PhotoService,
    pub idempotency: IdempotencyService,
    pub oauth: OAuthService,
    pub imports: ImportService,
    pub exports: ExportService,
}

impl Services {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        auth: AuthConfig,
        media: Media,
    ) -> Self {
        let locks = Arc::new(write::RecordLocks::default());
        let credentials = Arc::new(credentials::CredentialCache::new(auth.credential_cache_ttl));
        let contacts = ContactService::new(
            store.clone(),
            clock.clone(),
            media.storage.clone(),
            locks.clone(),
        );
        let oauth_config = auth.oauth.clone();
        let auth = AuthService::new(store.clone(), clock.clone(), auth, credentials.clone());
        let photos = PhotoService::new(contacts.clone(), media, clock.clone());
        let customers = CustomerService::new(store.clone(), clock.clone(), locks);
        Self {
            imports: ImportService::new(
                store.clone(),
                clock.clone(),
                contacts.clone(),
                customers.clone(),
                photos.clone(),
            ),
            exports: ExportService::new(store.clone(), contacts.clone(), photos.clone()),
            photos,
            oauth: OAuthService::new(
                store.clone(),
                store.clone(),
                store.clone(),
                auth.clone(),
                clock.clone(),
                credentials.clone(),
                oauth_config,
            ),
            auth,
            tenants: TenantService::new(store.clone(), clock.clone()),
            users: UserService::new(store.clone(), clock.clone(), credentials),
            customers,
            contacts,
            idempotency: IdempotencyService::new(store, clock),
        }
    }
}
