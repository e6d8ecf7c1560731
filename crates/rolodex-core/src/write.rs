//! The one write path shared by every use case: storage errors turned into core errors, the
//! history entry of a change, and retrying a write whose read went stale under a concurrent
//! writer (only when the client did not pin a version itself). Within one process, writes to
//! one record take turns ([`RecordLocks`]), so only writers on other nodes can make a read go
//! stale, and the bounded retries are enough however many clients write the same record.

use crate::caller::Caller;
use crate::error::CoreError;
use crate::ports::{ConflictKind, HistoryDraft, RepoError};
use rolodex_domain::{FieldChange, TenantId};
use std::hash::{BuildHasher, RandomState};
use time::OffsetDateTime;
use tokio::sync::{Mutex, MutexGuard};

/// How many times a write is retried after losing a race with another writer.
pub const MAX_ATTEMPTS: usize = 8;

/// Maps a storage error to a core error, naming the entity a `NotFound` is about.
pub fn repo_error(entity: &'static str) -> impl Fn(RepoError) -> CoreError {
    move |e| match e {
        RepoError::NotFound => CoreError::NotFound { entity },
        RepoError::Conflict(kind) => conflict(kind),
        RepoError::VersionMismatch => CoreError::Conflict {
            code: "concurrent_update",
            message: "the resource kept changing under concurrent updates; retry".into(),
        },
        RepoError::Unavailable(source) | RepoError::Other(source) => CoreError::Internal(source),
    }
}

fn conflict(kind: ConflictKind) -> CoreError {
    let (code, message) = match kind {
        ConflictKind::DuplicateTenantCode => (
            "duplicate_tenant_code",
            "a tenant with this code already exists",
        ),
        ConflictKind::DuplicateUsername => (
            "duplicate_username",
            "a user of this tenant already has this username",
        ),
        ConflictKind::DuplicateCustomerCode => (
            "duplicate_customer_code",
            "another customer already has this code",
        ),
        ConflictKind::DuplicateContactCode => (
            "duplicate_contact_code",
            "another contact of this customer already has this code",
        ),
        ConflictKind::DuplicateExternalId => (
            "duplicate_external_id",
            "another contact already has this external id",
        ),
        ConflictKind::CustomerHasContacts => (
            "customer_has_contacts",
            "the customer still has contacts: delete them first",
        ),
        ConflictKind::DuplicatePrimary => (
            "duplicate_primary",
            "the customer already has a primary contact",
        ),
    };
    CoreError::Conflict {
        code,
        message: message.into(),
    }
}

/// The history entry of a change made by `caller` at `at`.
pub fn history(caller: &Caller, at: OffsetDateTime, changes: Vec<FieldChange>) -> HistoryDraft {
    HistoryDraft {
        at,
        user_id: caller.user_id,
        username: caller.username.clone(),
        surface: caller.surface,
        changes,
    }
}

/// What one attempt of a write came to.
pub enum Attempt<T> {
    Done(T),
    /// Another writer got there first: read again and retry.
    Stale,
}

/// Runs `attempt` until it is done, retrying stale attempts a bounded number of times.
pub async fn retrying<T, F, Fut>(attempt: F) -> Result<T, CoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, CoreError>>,
{
    retrying_with(attempt).await
}

/// [`retrying`], for attempts that may also fail with an error of their caller's own.
pub async fn retrying_with<T, E, F, Fut>(mut attempt: F) -> Result<T, E>
where
    E: From<CoreError>,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, E>>,
{
    for _ in 0..MAX_ATTEMPTS {
        if let Attempt::Done(value) = attempt().await? {
            return Ok(value);
        }
    }
    Err(repo_error("resource")(RepoError::VersionMismatch).into())
}

/// Classifies the result of a write based on a read: a version mismatch means another writer
/// changed the record since, so the attempt is stale (read again, check the client's
/// [`Precondition`] again, retry).
pub fn settle<T>(
    result: Result<T, RepoError>,
    entity: &'static str,
) -> Result<Attempt<T>, CoreError> {
    match result {
        Ok(v) => Ok(Attempt::Done(v)),
        Err(RepoError::VersionMismatch) => Ok(Attempt::Stale),
        Err(e) => Err(repo_error(entity)(e)),
    }
}

/// What the client requires of a record's version for its write to apply (HTTP's `If-Match`
/// and `If-None-Match`, RFC 9110 section 13.1; other surfaces pin one version or none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Precondition {
    /// Any version: the write applies to whatever is current.
    #[default]
    Any,
    /// The current version must be one of these.
    OneOf(Vec<i64>),
    /// The current version must be none of these.
    NoneOf(Vec<i64>),
    /// The record must not exist (`If-None-Match: *`): a write to an existing one fails.
    Absent,
}

impl Precondition {
    /// Whether a record at `version` satisfies the precondition.
    pub fn holds(&self, version: i64) -> bool {
        match self {
            Precondition::Any => true,
            Precondition::OneOf(versions) => versions.contains(&version),
            Precondition::NoneOf(versions) => !versions.contains(&version),
            Precondition::Absent => false,
        }
    }

    /// `Ok` if a record at `version` satisfies the precondition, else `PreconditionFailed`.
    pub fn check(&self, version: i64) -> Result<(), CoreError> {
        if self.holds(version) {
            Ok(())
        } else {
            Err(CoreError::PreconditionFailed)
        }
    }
}

/// A pinned version, or none.
impl From<Option<i64>> for Precondition {
    fn from(version: Option<i64>) -> Self {
        version.map_or(Precondition::Any, |v| Precondition::OneOf(vec![v]))
    }
}

/// The kinds of record whose writes take turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Customer,
    Contact,
}

/// Turns for writing records: a read-modify-write of one record holds its turn, so that
/// concurrent writers of one record in this process queue instead of racing (a race costs
/// the loser a retry, and enough losers exhaust the retries). Records share a fixed set of
/// locks by hash: two records may occasionally share a turn, never deadlock, since a write
/// holds one turn at a time.
pub struct RecordLocks {
    hasher: RandomState,
    shards: Box<[Mutex<()>]>,
}

/// How many locks records share.
const RECORD_LOCK_SHARDS: usize = 1024;

impl Default for RecordLocks {
    fn default() -> Self {
        Self {
            hasher: RandomState::new(),
            shards: (0..RECORD_LOCK_SHARDS).map(|_| Mutex::new(())).collect(),
        }
    }
}

impl RecordLocks {
    /// Waits for the turn to write record `id` of `kind` in `tenant`.
    pub async fn turn(&self, tenant: TenantId, kind: RecordKind, id: i64) -> MutexGuard<'_, ()> {
        let hash = self.hasher.hash_one((tenant.0, kind, id));
        let shard = usize::try_from(hash % RECORD_LOCK_SHARDS as u64).unwrap_or(0);
        self.shards[shard].lock().await
    }
}
