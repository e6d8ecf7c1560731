//! Contact photo use cases: upload (which replaces), read one size, remove; and contact
//! writes that carry a photo (the dialects whose create and update take an image).
//!
//! The order of a change keeps storage and records consistent without a distributed
//! transaction: the new files are stored first, under a name no other upload has; then the
//! contact's record is written (one write, so its version bumps and its history keeps the old
//! and new reference); if that write fails, the new files are removed; once it succeeded, the
//! files of the photo it replaced are removed. A reader therefore never finds a record that
//! names files which are not (yet) there. A process that dies between storing files and
//! writing the record leaves files no record names: [`PhotoService::remove_orphans`] finds
//! and removes them once they are older than any request can run.

use crate::auth::AuthService;
use crate::caller::Caller;
use crate::clock::Clock;
use crate::contacts::ContactService;
use crate::error::CoreError;
use crate::ports::{PhotoPipeline, PhotoStorage, PipelineError, ProcessedPhoto};
use crate::write::{Precondition, repo_error};
use rand::Rng;
use rolodex_domain::photo::{check_photo_size, parse_file_name, photo_folder, stored_at_millis};
use rolodex_domain::{
    Contact, ContactId, ContactPatch, CustomerId, Patch, PhotoRef, PhotoSize, Role, TenantId,
};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The adapters the photo use cases need: the image pipeline and the file storage.
#[derive(Clone)]
pub struct Media {
    pub pipeline: Arc<dyn PhotoPipeline>,
    pub storage: Arc<dyn PhotoStorage>,
}

/// One size of a photo, ready to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// The entity tag of these bytes: the original's SHA-256 and the size.
    pub etag: String,
    pub size: PhotoSize,
}

#[derive(Clone)]
pub struct PhotoService {
    contacts: ContactService,
    media: Media,
    clock: Arc<dyn Clock>,
}

impl PhotoService {
    pub fn new(contacts: ContactService, media: Media, clock: Arc<dyn Clock>) -> Self {
        Self {
            contacts,
            media,
            clock,
        }
    }

    /// Sets (or replaces) the photo of contact `id` of customer `customer_id`. A refused
    /// upload changes nothing: the previous photo stays.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id, contact = %id))]
    pub async fn put(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        upload: Vec<u8>,
    ) -> Result<Contact, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        self.contacts.get(caller, customer_id, id).await?;
        self.update_contact(
            caller,
            customer_id,
            id,
            ContactPatch::default(),
            Some(upload),
            Precondition::Any,
        )
        .await
    }

    /// Removes the photo of a contact (all its sizes).
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id, contact = %id))]
    pub async fn delete(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
    ) -> Result<Contact, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let current = self.contacts.get(caller, customer_id, id).await?;
        if current.fields.photo.is_none() {
            return Err(CoreError::NotFound { entity: "photo" });
        }
        let (contact, removed) = self
            .contacts
            .patch_with_photo(
                caller,
                customer_id,
                id,
                ContactPatch::default(),
                Patch::Clear,
                Precondition::Any,
            )
            .await?;
        if let Some(old) = removed {
            remove_photo_files(self.media.storage.as_ref(), caller.tenant_id, &old).await;
        }
        Ok(contact)
    }

    /// One size of the photo of contact `id` of customer `customer_id`.
    pub async fn get(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        size: PhotoSize,
    ) -> Result<PhotoFile, CoreError> {
        let contact = self.contacts.get(caller, customer_id, id).await?;
        self.read(caller.tenant_id, contact, size).await
    }

    /// The photo file called `file` (a photo's name, or a size prefix and the name) of
    /// contact `id` of `tenant`, for anyone who holds its name: how surfaces that hand out
    /// photo URLs to clients without a session (an image tag in a browser, say) serve them.
    /// The name is the credential: a photo's name carries 128 random bits (64 for photos
    /// stored by earlier versions; see [`Self::reference`]), compared in constant time, and
    /// stops working when its photo is replaced or removed. Any other file of any other
    /// contact is `NotFound`, exactly as a wrong name is.
    pub async fn shared_file(
        &self,
        tenant: TenantId,
        id: ContactId,
        file: &str,
    ) -> Result<PhotoFile, CoreError> {
        let not_found = || CoreError::NotFound { entity: "photo" };
        let contact = self
            .contacts
            .stored(tenant, id)
            .await?
            .ok_or_else(not_found)?;
        let (size, name) = parse_file_name(file);
        let named = contact
            .fields
            .photo
            .as_ref()
            .is_some_and(|p| bool::from(p.name.as_bytes().ct_eq(name.as_bytes())));
        if !named {
            return Err(not_found());
        }
        self.read(tenant, contact, size).await
    }

    /// Creates a contact, with a photo when `upload` is given, in one write.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id, customer = %customer_id))]
    pub async fn create_contact(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        patch: ContactPatch,
        upload: Option<Vec<u8>>,
    ) -> Result<Contact, CoreError> {
        let Some(upload) = upload else {
            return self.contacts.create(caller, customer_id, patch).await;
        };
        AuthService::require(caller, Role::Dispatcher)?;
        let photo = self.store_upload(caller, upload).await?;
        let result = self
            .contacts
            .create_with_photo(caller, customer_id, patch, Some(photo.clone()))
            .await;
        if result.is_err() {
            remove_photo_files(self.media.storage.as_ref(), caller.tenant_id, &photo).await;
        }
        result
    }

    /// Patches a contact and, when `upload` is given, replaces its photo, in one write.
    #[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id, contact = %id))]
    pub async fn update_contact(
        &self,
        caller: &Caller,
        customer_id: CustomerId,
        id: ContactId,
        patch: ContactPatch,
        upload: Option<Vec<u8>>,
        expected: impl Into<Precondition>,
    ) -> Result<Contact, CoreError> {
        let expected = expected.into();
        let Some(upload) = upload else {
            return self
                .contacts
                .patch(caller, customer_id, id, patch, expected)
                .await;
        };
        AuthService::require(caller, Role::Dispatcher)?;
        let photo = self.store_upload(caller, upload).await?;
        let storage = self.media.storage.as_ref();
        match self
            .contacts
            .patch_with_photo(
                caller,
                customer_id,
                id,
                patch,
                Patch::Set(photo.clone()),
                expected,
            )
            .await
        {
            Ok((contact, replaced)) => {
                if let Some(old) = replaced {
                    remove_photo_files(storage, caller.tenant_id, &old).await;
                }
                Ok(contact)
            }
            Err(e) => {
                remove_photo_files(storage, caller.tenant_id, &photo).await;
                Err(e)
            }
        }
    }

    /// Removes the photo files of `tenant` that no contact names and that were stored more
    /// than `grace` ago (files of a write still under way are younger), left behind by a
    /// process that died between storing them and writing the contact (the system's upkeep,
    /// run at start and then periodically). Returns how many files it removed.
    pub async fn remove_orphans(
        &self,
        tenant: TenantId,
        grace: std::time::Duration,
    ) -> Result<usize, CoreError> {
        let storage = self.media.storage.as_ref();
        let folder = photo_folder(tenant);
        let files = storage.list(&folder).await.map_err(repo_error("photo"))?;
        if files.is_empty() {
            return Ok(0);
        }
        let named: HashSet<String> = self
            .contacts
            .photo_names(tenant)
            .await?
            .into_iter()
            .collect();
        let grace = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
        let before = (self.clock.now().unix_timestamp_nanos() / 1_000_000)
            .try_into()
            .unwrap_or(i64::MAX)
            .saturating_sub(grace);
        let mut removed = 0;
        for file in files {
            let (_, name) = parse_file_name(&file);
            let old = stored_at_millis(name).is_some_and(|at| at < before);
            if old && !named.contains(name) {
                match storage.delete(&format!("{folder}/{file}")).await {
                    Ok(()) => removed += 1,
                    Err(e) => {
                        tracing::warn!(error = ?e, file, "could not remove an orphan photo file")
                    }
                }
            }
        }
        if removed > 0 {
            tracing::info!(tenant = %tenant, removed, "removed orphan photo files");
        }
        Ok(removed)
    }

    async fn read(
        &self,
        tenant: TenantId,
        contact: Contact,
        size: PhotoSize,
    ) -> Result<PhotoFile, CoreError> {
        let photo = contact
            .fields
            .photo
            .ok_or(CoreError::NotFound { entity: "photo" })?;
        let bytes = self
            .media
            .storage
            .get(&photo.key(tenant, size))
            .await
            .map_err(repo_error("photo"))?
            .ok_or(CoreError::NotFound { entity: "photo" })?;
        Ok(PhotoFile {
            bytes,
            content_type: photo.format.content_type(),
            etag: format!("{}-{}", photo.sha256, size.as_str()),
            size,
        })
    }

    /// Checks and processes an upload without storing it: the SHA-256 its stored original
    /// would have (see [`PhotoRef::sha256`]).
    pub(crate) async fn check_upload(&self, upload: Vec<u8>) -> Result<String, CoreError> {
        let processed = self.process(upload).await?;
        Ok(self.reference(&processed).sha256)
    }

    /// Where the photo files are.
    pub(crate) fn storage(&self) -> &dyn PhotoStorage {
        self.media.storage.as_ref()
    }

    async fn process(&self, upload: Vec<u8>) -> Result<ProcessedPhoto, CoreError> {
        check_photo_size(upload.len()).map_err(CoreError::from_rejection)?;
        self.media
            .pipeline
            .process(upload)
            .await
            .map_err(|e| match e {
                PipelineError::Rejected(r) => CoreError::from_rejection(r),
                PipelineError::Failed(source) => CoreError::Internal(source),
            })
    }

    /// Checks, processes and stores an upload under a new name; returns its reference.
    pub(crate) async fn store_upload(
        &self,
        caller: &Caller,
        upload: Vec<u8>,
    ) -> Result<PhotoRef, CoreError> {
        let processed = self.process(upload).await?;
        let photo = self.reference(&processed);
        let storage = self.media.storage.as_ref();
        for size in PhotoSize::ALL {
            let stored = storage
                .put(
                    &photo.key(caller.tenant_id, size),
                    processed.bytes(size).to_vec(),
                )
                .await;
            if let Err(e) = stored {
                remove_photo_files(storage, caller.tenant_id, &photo).await;
                return Err(repo_error("photo")(e));
            }
        }
        Ok(photo)
    }

    /// A new, unique reference for a processed photo. Its name carries 128 random bits, so
    /// that it cannot be guessed (see [`Self::shared_file`]).
    fn reference(&self, processed: &ProcessedPhoto) -> PhotoRef {
        let millis = self.clock.now().unix_timestamp_nanos() / 1_000_000;
        let nonce: u128 = rand::rng().random();
        let sha256 = format!("{:x}", Sha256::digest(&processed.original));
        PhotoRef {
            name: format!("{millis}_{nonce:032x}.{}", processed.format.extension()),
            format: processed.format,
            width: processed.width,
            height: processed.height,
            bytes: u64::try_from(processed.original.len()).unwrap_or(u64::MAX),
            sha256,
        }
    }
}

/// Removes every size of `photo`. A failure leaves an orphan file, never a broken record, so
/// it is logged and not returned.
pub(crate) async fn remove_photo_files(
    storage: &dyn PhotoStorage,
    tenant: TenantId,
    photo: &PhotoRef,
) {
    for size in PhotoSize::ALL {
        if let Err(e) = storage.delete(&photo.key(tenant, size)).await {
            tracing::warn!(error = ?e, photo = %photo.name, "could not remove a photo file");
        }
    }
}
