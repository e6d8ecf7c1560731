//! Importing contacts from a file. A surface reads the file (`rolodex-files`) into rows, each
//! a [`ContactPatch`] with its row number, the organisation it names and maybe a photo; here
//! each row is matched to a stored contact by the key the caller chose (external id, code or
//! email), then created, updated or left unchanged, through the same validation and history
//! (surface `import`) as any other write. The writes of a batch of rows go to the store in
//! one call, so that they share one transaction (and, on SQLite, one group commit). A dry run
//! decides the same outcomes and writes nothing. This module knows no file format.

use crate::auth::AuthService;
use crate::caller::Caller;
use crate::clock::Clock;
use crate::contacts::{ContactService, check_owner};
use crate::customers::CustomerService;
use crate::error::CoreError;
use crate::import_jobs::MAX_IMPORT_JOBS;
use crate::photos::{PhotoService, remove_photo_files};
use crate::ports::{RepoError, Store, Write, WriteOp};
use crate::query::{ContactQuery, PageRequest};
use crate::write::{history, repo_error};
use rolodex_domain::history::diff;
use rolodex_domain::{
    Contact, ContactFields, ContactId, ContactPatch, Customer, CustomerId, CustomerPatch, Patch,
    PhoneInput, PhotoRef, Role, Surface, ValidationError,
};
use serde_json::Map;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Rows a surface hands to [`Import::apply`] at a time.
pub const IMPORT_BATCH_ROWS: usize = 2_000;

/// Rows whose writes go to the store in one call.
pub const WRITE_BATCH_ROWS: usize = 500;

/// What identifies the stored contact a row updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatchKey {
    /// The external id (unique in the tenant).
    #[default]
    ExternalId,
    /// The contact code (unique per customer): the row's customer and code.
    Code,
    /// The row's first email address, which one stored contact at most may have.
    Email,
}

impl MatchKey {
    pub const ALL: [MatchKey; 3] = [MatchKey::ExternalId, MatchKey::Code, MatchKey::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            MatchKey::ExternalId => "external_id",
            MatchKey::Code => "code",
            MatchKey::Email => "email",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// How an import runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The code of the customer every new contact belongs to; without it, each row's
    /// organisation names its customer.
    pub customer: Option<String>,
    pub match_key: MatchKey,
    /// Decide every row's outcome, and write nothing.
    pub dry_run: bool,
}

/// One contact of a file, as a file reader made it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRow {
    /// Its position in the file: 1 for the first contact (a CSV header is not counted).
    pub row: u64,
    /// The code of the row's customer, when the file has one (Rolodex's own files).
    pub customer_code: Option<String>,
    /// The organisation (company) the row names: a customer's code or name, and the name of
    /// the customer created for it when no customer has it.
    pub organisation: Option<String>,
    pub patch: ContactPatch,
    /// An image to make the contact's photo (through the photo pipeline and its limits).
    pub photo: Option<Vec<u8>>,
}

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Refused => "refused",
        }
    }
}

/// The report of one row. In a dry run, a contact that would be created has no id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReport {
    pub row: u64,
    pub outcome: Outcome,
    pub contact_id: Option<ContactId>,
    /// The code of the contact's customer (for a customer a dry run would create, its name).
    pub customer: Option<String>,
    /// Why a refused row was refused: every rule it breaks.
    pub errors: Vec<ValidationError>,
}

impl RowReport {
    /// A row refused for `errors`, before any of it was written.
    pub fn refused(row: u64, errors: Vec<ValidationError>) -> Self {
        Self {
            row,
            outcome: Outcome::Refused,
            contact_id: None,
            customer: None,
            errors,
        }
    }
}

/// How far an import has come: the rows settled, and what became of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub refused: u64,
}

impl ImportCounts {
    /// Counts one more settled row.
    pub fn count(&mut self, report: &RowReport) {
        self.rows += 1;
        match report.outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Refused => self.refused += 1,
        }
    }
}

/// What an import did: its counts, and the customers it created (or, in a dry run, would
/// create) for organisations no customer had.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub dry_run: bool,
    pub counts: ImportCounts,
    pub customers_created: Vec<String>,
}

/// The import use case; [`ImportService::begin`] starts one import.
#[derive(Clone)]
pub struct ImportService {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    contacts: ContactService,
    customers: CustomerService,
    photos: PhotoService,
    /// A permit for each import job this node may run at once.
    pub(crate) jobs: Arc<Semaphore>,
}

impl ImportService {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        contacts: ContactService,
        customers: CustomerService,
        photos: PhotoService,
    ) -> Self {
        Self {
            store,
            clock,
            contacts,
            customers,
            photos,
            jobs: Arc::new(Semaphore::new(MAX_IMPORT_JOBS)),
        }
    }

    /// Starts an import by `caller` (a dispatcher at least); its changes are recorded as made
    /// through the `import` surface. `options.customer` must name a customer of the tenant.
    pub async fn begin(
        &self,
        caller: &Caller,
        options: ImportOptions,
    ) -> Result<Import, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let caller = caller.clone().via(Surface::Import);
        let fixed = match &options.customer {
            Some(code) => Some(self.customers.get_by_code(&caller, code).await?),
            None => None,
        };
        Ok(Import {
            service: self.clone(),
            caller,
            summary: ImportSummary {
                dry_run: options.dry_run,
                ..ImportSummary::default()
            },
            options,
            fixed,
            customers: HashMap::new(),
            planned: HashSet::new(),
            codes: HashMap::new(),
            reports: Vec::new(),
            settled: 0,
            in_flight: None,
        })
    }
}

/// The customer a row's contact belongs to.
#[derive(Debug, Clone)]
enum RowCustomer {
    Stored(CustomerId, String),
    /// One a dry run would create, by name.
    Planned(String),
}

impl RowCustomer {
    fn label(&self) -> String {
        match self {
            RowCustomer::Stored(_, code) => code.clone(),
            RowCustomer::Planned(name) => name.clone(),
        }
    }
}

/// A row's write waiting for its batch to be written.
struct Pending {
    /// The row's position among the import's reports.
    report: usize,
    writes: Vec<Write>,
    /// The files of a photo this write sets: removed if the write fails.
    new_photo: Option<PhotoRef>,
    /// The files of the photo this write replaces: removed once it landed.
    replaced_photo: Option<PhotoRef>,
}

/// The writes of rows not yet sent to the store.
#[derive(Default)]
struct Batch {
    pending: Vec<Pending>,
    keys: HashSet<String>,
}

/// The reports of the rows not yet settled, from the `offset`-th row of the import on.
struct Reports {
    list: Vec<RowReport>,
    offset: usize,
}

impl Reports {
    fn of(&mut self, pending: &Pending) -> &mut RowReport {
        &mut self.list[pending.report - self.offset]
    }
}

/// A batch sent to the store, not yet landed.
struct InFlight {
    pending: Vec<Pending>,
    keys: HashSet<String>,
    write: tokio::task::JoinHandle<Result<Vec<i64>, RepoError>>,
}

/// What a row comes to before anything is written.
enum Plan {
    Done(RowReport),
    Write(RowReport, Pending),
}

/// One import under way: rows go in by batches ([`Import::apply`]), in file order.
pub struct Import {
    service: ImportService,
    caller: Caller,
    options: ImportOptions,
    fixed: Option<Customer>,
    /// Customers found or created for organisations, by the organisation (lower case).
    customers: HashMap<String, RowCustomer>,
    /// The match keys of the rows a dry run would create, so a later row with the same key
    /// is reported as the update it would be.
    planned: HashSet<String>,
    /// The codes of the customers of the contacts updated so far, by id.
    codes: HashMap<CustomerId, String>,
    summary: ImportSummary,
    /// The reports not yet handed out, from the `settled`-th on.
    reports: Vec<RowReport>,
    settled: usize,
    /// The batch being written.
    in_flight: Option<InFlight>,
}

impl Import {
    /// Imports `rows` (in file order) and returns the reports of the rows settled so far, in
    /// file order: the last batch of rows may still be in flight when this returns (its
    /// reports come with the next call, or from [`Import::close`]). Rows refused by the file
    /// reader come as their report. An error is one no row can get past (storage
    /// unavailable): rows of earlier calls stay imported.
    ///
    /// Rows go to the store by batches of [`WRITE_BATCH_ROWS`]; while one batch is written,
    /// the next is planned. A row is planned only once every earlier row it could depend on
    /// has landed: one with the match key of a row in flight, and one that makes its contact
    /// primary (which demotes the customer's primary contact, and is written on its own).
    pub async fn apply(
        &mut self,
        rows: Vec<Result<ImportRow, RowReport>>,
    ) -> Result<Vec<RowReport>, CoreError> {
        let mut reports = Reports {
            list: std::mem::take(&mut self.reports),
            offset: self.settled,
        };
        let mut in_flight = self.in_flight.take();
        let mut batch = Batch::default();
        let planned = self
            .plan_rows(rows, &mut reports, &mut batch, &mut in_flight)
            .await;
        let sent = match planned {
            Ok(()) => self.send(&mut batch, &mut in_flight, &mut reports).await,
            Err(e) => Err(e),
        };
        if let Err(e) = sent {
            // Rows already sent land regardless; their reports are of no use to a stopped import.
            let _ = self.land(in_flight, &mut reports).await;
            return Err(e);
        }
        // Every row before the first of the batch in flight is settled.
        let settled = in_flight
            .as_ref()
            .and_then(|f| f.pending.first())
            .map_or(reports.list.len(), |p| p.report - reports.offset);
        self.in_flight = in_flight;
        Ok(self.settle(reports.list, settled))
    }

    /// Imports every batch `next_batch` gives (in file order, until an empty one), handing
    /// the reports of the rows settled to `progress` as they land; returns the counts.
    pub async fn run(
        mut self,
        mut next_batch: impl FnMut() -> Vec<Result<ImportRow, RowReport>>,
        mut progress: impl FnMut(Vec<RowReport>),
    ) -> Result<ImportSummary, CoreError> {
        loop {
            let batch = next_batch();
            if batch.is_empty() {
                let (last, summary) = self.close().await?;
                progress(last);
                return Ok(summary);
            }
            progress(self.apply(batch).await?);
        }
    }

    /// Ends the import: lands the rows still in flight, and returns their reports and the
    /// counts of every row.
    pub async fn close(mut self) -> Result<(Vec<RowReport>, ImportSummary), CoreError> {
        let mut reports = Reports {
            list: std::mem::take(&mut self.reports),
            offset: self.settled,
        };
        let in_flight = self.in_flight.take();
        self.land(in_flight, &mut reports).await?;
        let all = reports.list.len();
        let last = self.settle(reports.list, all);
        Ok((last, self.summary))
    }

    /// Counts and hands out the first `settled` of `reports`; keeps the others.
    fn settle(&mut self, mut reports: Vec<RowReport>, settled: usize) -> Vec<RowReport> {
        self.reports = reports.split_off(settled);
        self.settled += settled;
        for report in &reports {
            self.summary.counts.count(report);
        }
        reports
    }

    async fn plan_rows(
        &mut self,
        rows: Vec<Result<ImportRow, RowReport>>,
        reports: &mut Reports,
        batch: &mut Batch,
        in_flight: &mut Option<InFlight>,
    ) -> Result<(), CoreError> {
        for row in rows {
            let row = match row {
                Ok(row) => row,
                Err(refused) => {
                    reports.list.push(refused);
                    continue;
                }
            };
            let number = row.row;
            let key = match self.key_of(&row) {
                Ok(key) => key,
                Err(e) => {
                    reports.list.push(RowReport::refused(number, vec![e]));
                    continue;
                }
            };
            let primary = matches!(row.patch.is_primary, Patch::Set(true));
            if primary || batch.keys.contains(&key) {
                self.send(batch, in_flight, reports).await?;
            }
            if primary || in_flight.as_ref().is_some_and(|f| f.keys.contains(&key)) {
                self.land(in_flight.take(), reports).await?;
            }
            match self.plan(row, &key).await {
                Ok(Plan::Done(report)) => reports.list.push(report),
                Ok(Plan::Write(report, mut pending)) => {
                    pending.report = reports.offset + reports.list.len();
                    reports.list.push(report);
                    batch.pending.push(pending);
                    batch.keys.insert(key);
                    if primary || batch.pending.len() >= WRITE_BATCH_ROWS {
                        self.send(batch, in_flight, reports).await?;
                    }
                }
                Err(e) => reports.list.push(RowReport::refused(number, refusal(e)?)),
            }
        }
        Ok(())
    }

    /// The row's match key, lower case, as the rows of one batch are told apart.
    fn key_of(&self, row: &ImportRow) -> Result<String, ValidationError> {
        let key = self.options.match_key;
        let value = match key {
            MatchKey::ExternalId => set_text(&row.patch.external_id),
            MatchKey::Code => set_text(&row.patch.code),
            MatchKey::Email => first_email(&row.patch),
        };
        let value = value.ok_or_else(|| {
            ValidationError::new(
                key.as_str(),
                "match_key_missing",
                format!("the row has no {} to match contacts on", key.as_str()),
            )
        })?;
        Ok(match key {
            MatchKey::Code => format!(
                "{}\u{0}{}",
                self.organisation_of(row).unwrap_or_default().to_lowercase(),
                value.to_lowercase()
            ),
            _ => value.to_lowercase(),
        })
    }

    /// What names the row's customer: the import's customer, else the row's customer code,
    /// else its organisation.
    fn organisation_of<'r>(&'r self, row: &'r ImportRow) -> Option<&'r str> {
        let given = |v: &'r Option<String>| v.as_deref().map(str::trim).filter(|o| !o.is_empty());
        match &self.fixed {
            Some(customer) => Some(&customer.fields.code),
            None => given(&row.customer_code).or_else(|| given(&row.organisation)),
        }
    }

    async fn plan(&mut self, row: ImportRow, key: &str) -> Result<Plan, CoreError> {
        let customer = match self.options.match_key {
            MatchKey::Code => Some(self.customer_of(&row).await?),
            _ => None,
        };
        let existing = match &customer {
            Some(RowCustomer::Planned(_)) => None,
            Some(RowCustomer::Stored(id, _)) => {
                let code = set_text(&row.patch.code).unwrap_or_default();
                self.service
                    .store
                    .contact_by_code(self.caller.tenant_id, *id, code)
                    .await
                    .map_err(repo_error("contact"))?
            }
            None => self.find(&row).await?,
        };
        match existing {
            Some(current) => self.plan_update(row, current).await,
            None => {
                let customer = match customer {
                    Some(c) => c,
                    None => self.customer_of(&row).await?,
                };
                self.plan_create(row, customer, key).await
            }
        }
    }

    /// The stored contact with the row's external id or email, if any.
    async fn find(&self, row: &ImportRow) -> Result<Option<Contact>, CoreError> {
        let tenant = self.caller.tenant_id;
        match self.options.match_key {
            MatchKey::ExternalId => {
                let id = set_text(&row.patch.external_id).unwrap_or_default();
                self.service
                    .store
                    .contact_by_external_id(tenant, id)
                    .await
                    .map_err(repo_error("contact"))
            }
            MatchKey::Email => {
                let query = ContactQuery {
                    email: first_email(&row.patch).map(str::to_owned),
                    page: PageRequest {
                        limit: 2,
                        after: None,
                    },
                    ..ContactQuery::default()
                };
                let mut found = self
                    .service
                    .store
                    .list_contacts(tenant, &query)
                    .await
                    .map_err(repo_error("contact"))?
                    .items;
                if found.len() > 1 {
                    return Err(ValidationError::new(
                        "emails[0]",
                        "ambiguous_match",
                        "several contacts have this email address: match on another key",
                    )
                    .into());
                }
                Ok(found.pop())
            }
            MatchKey::Code => Ok(None),
        }
    }

    /// The customer of a new contact: the one the import names, else the one with the row's
    /// customer code, else the one whose code or name (in that order, ignoring case) is the
    /// row's organisation; else a new customer with that code (if the row has one) and named
    /// after the organisation (a code derived from the name when the row has none).
    async fn customer_of(&mut self, row: &ImportRow) -> Result<RowCustomer, CoreError> {
        if let Some(fixed) = &self.fixed {
            return Ok(RowCustomer::Stored(fixed.id, fixed.fields.code.clone()));
        }
        let Some(organisation) = self.organisation_of(row).map(str::to_owned) else {
            return Err(ValidationError::new(
                "organisation",
                "customer_required",
                "the row names no organisation: name one, or import into one customer",
            )
            .into());
        };
        let folded = organisation.to_lowercase();
        if let Some(found) = self.customers.get(&folded) {
            return Ok(found.clone());
        }
        let customers = &self.service.customers;
        let caller = &self.caller;
        let has_code = row
            .customer_code
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        let found = match customers.get_by_code(caller, &organisation).await {
            Ok(c) => Some(c),
            Err(CoreError::NotFound { .. }) if has_code => None,
            Err(CoreError::NotFound { .. }) => {
                match customers.get_by_name(caller, &organisation).await {
                    Ok(c) => Some(c),
                    Err(CoreError::NotFound { .. }) => None,
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        let name = row
            .organisation
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .unwrap_or(&organisation)
            .to_owned();
        let customer = match found {
            Some(c) => RowCustomer::Stored(c.id, c.fields.code),
            None if self.options.dry_run => {
                self.summary.customers_created.push(organisation.clone());
                RowCustomer::Planned(organisation)
            }
            None => {
                let code = if has_code {
                    Patch::Set(organisation)
                } else {
                    Patch::Absent
                };
                let created = customers
                    .create(
                        caller,
                        CustomerPatch {
                            code,
                            name: Patch::Set(name),
                            ..CustomerPatch::default()
                        },
                    )
                    .await?;
                self.summary
                    .customers_created
                    .push(created.fields.code.clone());
                RowCustomer::Stored(created.id, created.fields.code)
            }
        };
        self.customers.insert(folded, customer.clone());
        Ok(customer)
    }

    async fn plan_create(
        &mut self,
        row: ImportRow,
        customer: RowCustomer,
        key: &str,
    ) -> Result<Plan, CoreError> {
        let mut report = RowReport {
            row: row.row,
            outcome: Outcome::Created,
            contact_id: None,
            customer: Some(customer.label()),
            errors: Vec::new(),
        };
        let fields = ContactFields::default().apply(row.patch)?;
        check_owner(self.service.store.as_ref(), &self.caller, &fields, None).await?;
        if self.options.dry_run {
            if let Some(upload) = row.photo {
                self.service.photos.check_upload(upload).await?;
            }
            if !self.planned.insert(key.to_owned()) {
                report.outcome = Outcome::Updated;
            }
            return Ok(Plan::Done(report));
        }
        let RowCustomer::Stored(customer_id, _) = customer else {
            return Err(CoreError::Internal(
                "a customer was planned outside a dry run".into(),
            ));
        };
        self.write_plan(report, customer_id, None, fields, row.photo)
            .await
    }

    async fn plan_update(&mut self, row: ImportRow, current: Contact) -> Result<Plan, CoreError> {
        let customer = match self.codes.get(&current.customer_id) {
            Some(code) => Some(code.clone()),
            None => {
                let code = self
                    .service
                    .store
                    .customer(self.caller.tenant_id, current.customer_id)
                    .await
                    .map_err(repo_error("customer"))?
                    .map(|c| c.fields.code);
                if let Some(code) = &code {
                    self.codes.insert(current.customer_id, code.clone());
                }
                code
            }
        };
        let report = RowReport {
            row: row.row,
            outcome: Outcome::Updated,
            contact_id: Some(current.id),
            customer,
            errors: Vec::new(),
        };
        let patch = keep_phone_ids(&current.fields, row.patch);
        let fields = current.fields.apply(patch)?;
        check_owner(
            self.service.store.as_ref(),
            &self.caller,
            &fields,
            Some(&current.fields),
        )
        .await?;
        let changed = !diff(&current.fields.snapshot(), &fields.snapshot()).is_empty()
            || fields.phone_seq != current.fields.phone_seq;
        if row.photo.is_none() && !changed {
            return Ok(Plan::Done(RowReport {
                outcome: Outcome::Unchanged,
                ..report
            }));
        }
        if self.options.dry_run {
            let photo_changed = match row.photo {
                Some(upload) => {
                    let sha256 = self.service.photos.check_upload(upload).await?;
                    current.fields.photo.as_ref().map(|p| &p.sha256) != Some(&sha256)
                }
                None => false,
            };
            let outcome = if changed || photo_changed {
                Outcome::Updated
            } else {
                Outcome::Unchanged
            };
            return Ok(Plan::Done(RowReport { outcome, ..report }));
        }
        let customer_id = current.customer_id;
        self.write_plan(report, customer_id, Some(current), fields, row.photo)
            .await
    }

    /// The write of a row (a create when `current` is `None`), with the demotion of the
    /// customer's primary contact if the row makes another one primary, and its photo stored.
    async fn write_plan(
        &self,
        mut report: RowReport,
        customer_id: CustomerId,
        current: Option<Contact>,
        mut fields: ContactFields,
        photo: Option<Vec<u8>>,
    ) -> Result<Plan, CoreError> {
        let caller = &self.caller;
        let mut new_photo = None;
        let mut replaced_photo = None;
        if let Some(upload) = photo {
            let stored = self.service.photos.store_upload(caller, upload).await?;
            let previous = current.as_ref().and_then(|c| c.fields.photo.clone());
            if previous.as_ref().is_some_and(|p| p.sha256 == stored.sha256) {
                remove_photo_files(self.service.photos.storage(), caller.tenant_id, &stored).await;
            } else {
                fields.photo = Some(stored.clone());
                new_photo = Some(stored);
                replaced_photo = previous;
            }
        }
        let at = self.service.clock.now();
        let writes = match &current {
            Some(current) => {
                let changes = diff(&current.fields.snapshot(), &fields.snapshot());
                if changes.is_empty() && fields.phone_seq == current.fields.phone_seq {
                    report.outcome = Outcome::Unchanged;
                    return Ok(Plan::Done(report));
                }
                vec![Write {
                    op: WriteOp::UpdateContact {
                        id: current.id,
                        customer_id: current.customer_id,
                        expected_version: current.version,
                        before: Box::new(current.fields.clone()),
                        fields: fields.clone(),
                    },
                    history: history(caller, at, changes),
                }]
            }
            None => vec![Write {
                history: history(caller, at, diff(&Map::new(), &fields.snapshot())),
                op: WriteOp::CreateContact {
                    customer_id,
                    fields: fields.clone(),
                },
            }],
        };
        let demotion = match self
            .service
            .contacts
            .demotion(caller, customer_id, current.as_ref(), &fields, at)
            .await
        {
            Ok(demotion) => demotion,
            Err(e) => {
                if let Some(photo) = &new_photo {
                    remove_photo_files(self.service.photos.storage(), caller.tenant_id, photo)
                        .await;
                }
                return Err(e);
            }
        };
        let pending = Pending {
            report: 0,
            writes: demotion.into_iter().chain(writes).collect(),
            new_photo,
            replaced_photo,
        };
        Ok(Plan::Write(report, pending))
    }

    /// Lands the batch in flight, then sends `batch` to the store: it is written while the
    /// next rows are planned.
    async fn send(
        &self,
        batch: &mut Batch,
        in_flight: &mut Option<InFlight>,
        reports: &mut Reports,
    ) -> Result<(), CoreError> {
        self.land(in_flight.take(), reports).await?;
        if batch.pending.is_empty() {
            return Ok(());
        }
        let Batch { pending, keys } = std::mem::take(batch);
        let writes: Vec<Write> = pending.iter().flat_map(|p| p.writes.clone()).collect();
        let store = self.service.store.clone();
        let tenant = self.caller.tenant_id;
        let write = tokio::spawn(async move { store.write(tenant, writes).await });
        *in_flight = Some(InFlight {
            pending,
            keys,
            write,
        });
        Ok(())
    }

    /// Waits for the batch in flight and reports its rows; if its write failed, writes each
    /// row on its own, so that one bad row (a duplicate external id, say) refuses only itself.
    async fn land(
        &self,
        in_flight: Option<InFlight>,
        reports: &mut Reports,
    ) -> Result<(), CoreError> {
        let Some(InFlight { pending, write, .. }) = in_flight else {
            return Ok(());
        };
        let written = write.await.map_err(|e| CoreError::Internal(Box::new(e)))?;
        let tenant = self.caller.tenant_id;
        match written {
            Ok(ids) => {
                let mut at = 0;
                for p in &pending {
                    at += p.writes.len();
                    self.landed(p, ids.get(at - 1).copied(), reports.of(p))
                        .await;
                }
            }
            Err(_) => {
                for p in &pending {
                    match self.service.store.write(tenant, p.writes.clone()).await {
                        Ok(ids) => {
                            self.landed(p, ids.last().copied(), reports.of(p)).await;
                        }
                        Err(e) => {
                            if let Some(photo) = &p.new_photo {
                                remove_photo_files(self.service.photos.storage(), tenant, photo)
                                    .await;
                            }
                            let report = reports.of(p);
                            *report = RowReport {
                                customer: report.customer.take(),
                                ..RowReport::refused(report.row, refusal(repo_error("contact")(e))?)
                            };
                        }
                    }
                }
            }
        }
        Ok(())
    }

    async fn landed(&self, pending: &Pending, id: Option<i64>, report: &mut RowReport) {
        if report.contact_id.is_none() {
            report.contact_id = id.map(ContactId);
        }
        if let Some(old) = &pending.replaced_photo {
            remove_photo_files(self.service.photos.storage(), self.caller.tenant_id, old).await;
        }
    }
}

/// What refuses a row, as the row's errors; an error that is not the row's fault (storage
/// unavailable, the caller's rights) stops the import instead.
fn refusal(e: CoreError) -> Result<Vec<ValidationError>, CoreError> {
    let code = e.code();
    Ok(match e {
        CoreError::Invalid(errors) => errors.0,
        CoreError::Conflict { message, .. } => {
            let field = match code {
                "duplicate_external_id" => "external_id",
                "duplicate_contact_code" => "code",
                "duplicate_primary" => "is_primary",
                _ => "",
            };
            vec![ValidationError::new(field, code, message)]
        }
        CoreError::NotFound { entity } => vec![ValidationError::new(
            entity,
            code,
            format!("no such {entity} in this tenant"),
        )],
        e => return Err(e),
    })
}

fn set_text(patch: &Patch<String>) -> Option<&str> {
    match patch {
        Patch::Set(v) if !v.trim().is_empty() => Some(v.trim()),
        _ => None,
    }
}

fn first_email(patch: &ContactPatch) -> Option<&str> {
    match &patch.emails {
        Patch::Set(list) => list.first().map(|e| e.trim()).filter(|e| !e.is_empty()),
        _ => None,
    }
}

/// A file's phones carry no ids: each phone the contact already has (same type and number)
/// keeps its id, so that importing the same file again changes nothing.
fn keep_phone_ids(current: &ContactFields, mut patch: ContactPatch) -> ContactPatch {
    if let Patch::Set(list) = &mut patch.phones {
        let mut taken = HashSet::new();
        for input in list.iter_mut().filter(|p| p.id.is_none()) {
            let same = current.phones.iter().find(|p| {
                !taken.contains(&p.id)
                    && p.kind.as_str().eq_ignore_ascii_case(input.kind.trim())
                    && p.number == input.number.trim()
            });
            if let Some(phone) = same {
                taken.insert(phone.id);
                *input = PhoneInput {
                    id: Some(phone.id),
                    ..input.clone()
                };
            }
        }
    }
    patch
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::{Phone, PhoneType};

    #[test]
    fn match_keys_are_named_as_the_surfaces_name_them() {
        for key in MatchKey::ALL {
            assert_eq!(MatchKey::parse(key.as_str()), Some(key));
        }
        assert_eq!(MatchKey::parse("phone"), None);
    }

    #[test]
    fn phones_already_held_keep_their_ids_and_others_get_new_ones() {
        let current = ContactFields {
            phones: vec![
                Phone {
                    id: 4,
                    kind: PhoneType::Mobile,
                    number: "555-1".into(),
                },
                Phone {
                    id: 7,
                    kind: PhoneType::Fax,
                    number: "555-2".into(),
                },
            ],
            phone_seq: 7,
            ..ContactFields::default()
        };
        let input = |kind: &str, number: &str| PhoneInput {
            id: None,
            kind: kind.into(),
            number: number.into(),
        };
        let patch = keep_phone_ids(
            &current,
            ContactPatch {
                phones: Patch::Set(vec![input("fax", "555-2"), input("home", "555-3")]),
                ..ContactPatch::default()
            },
        );
        let Patch::Set(phones) = patch.phones else {
            panic!("phones stay set")
        };
        assert_eq!(phones[0].id, Some(7));
        assert_eq!(phones[1].id, None);
    }
}
