//! The one write path shared by every use case: storage errors turned into core errors, the
//! history entry of a change, and retrying a write whose read went stale under a concurrent
//! writer (only when the client did not pin a version itself).

use crate::caller::Caller;
use crate::error::CoreError;
use crate::ports::{ConflictKind, HistoryDraft, RepoError};
use rolodex_domain::FieldChange;
use time::OffsetDateTime;

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
            "a user with this username already exists",
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
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, CoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, CoreError>>,
{
    for _ in 0..MAX_ATTEMPTS {
        if let Attempt::Done(value) = attempt().await? {
            return Ok(value);
        }
    }
    Err(repo_error("resource")(RepoError::VersionMismatch))
}

/// Classifies the result of a conditional write: a version mismatch is stale when the client
/// did not pin a version (retry), and a failed precondition when it did.
pub fn settle<T>(
    result: Result<T, RepoError>,
    pinned: Option<i64>,
    entity: &'static str,
) -> Result<Attempt<T>, CoreError> {
    match result {
        Ok(v) => Ok(Attempt::Done(v)),
        Err(RepoError::VersionMismatch) => match pinned {
            None => Ok(Attempt::Stale),
            Some(_) => Err(CoreError::PreconditionFailed),
        },
        Err(e) => Err(repo_error(entity)(e)),
    }
}
