//! Wire shapes of the native API: resources as clients read them, and the body of a restore
//! from history. Members are the model's names in snake_case; times are RFC 3339 UTC.

use crate::problem::FieldProblem;
use rolodex_core::auth::ApiKey;
use rolodex_core::oauth::OAuthClient;
use rolodex_core::{ImportJob, ImportSummary, Page, RowReport};
use rolodex_domain::{
    Contact, Customer, HistoryEntry, Membership, Notifications, Phone, Tenant, UserId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Every collection's shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    pub fn from_page<U>(page: Page<U>, f: impl FnMut(U) -> T) -> Self {
        Self {
            next_cursor: page.next.as_ref().map(rolodex_core::Cursor::encode),
            items: page.items.into_iter().map(f).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    /// The tenant the token is bound to, if the login named one or the user has only one.
    pub tenant_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The caller's role in this tenant.
    pub role: String,
    pub created_at: String,
}

impl TenantView {
    pub fn new(t: Tenant, role: rolodex_domain::Role) -> Self {
        Self {
            id: t.id.0,
            code: t.code.as_str().to_owned(),
            name: t.name,
            role: role.as_str().to_owned(),
            created_at: rfc3339(t.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub active: bool,
    pub role: String,
    pub created_at: String,
}

impl From<Membership> for UserView {
    fn from(m: Membership) -> Self {
        Self {
            id: m.user.id.0,
            username: m.user.username.to_string(),
            display_name: m.user.display_name,
            active: m.user.active,
            role: m.role.as_str().to_owned(),
            created_at: rfc3339(m.user.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: i64,
    pub name: String,
    pub user_id: i64,
    pub tenant_id: i64,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// Only in the response that creates the key: it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl ApiKeyView {
    pub fn new(k: ApiKey, secret: Option<String>) -> Self {
        Self {
            id: k.id,
            name: k.name,
            user_id: k.user_id.0,
            tenant_id: k.tenant_id.0,
            created_at: rfc3339(k.created_at),
            revoked_at: k.revoked_at.map(rfc3339),
            key: secret,
        }
    }
}

/// An OAuth client of the tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthClientView {
    pub id: i64,
    pub name: String,
    /// What the client sends as `client_id`.
    pub client_id: String,
    /// Where the client may be sent back to, each matched exactly.
    pub redirect_uris: Vec<String>,
    pub tenant_id: i64,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// Only in the response that registers the client: it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl OAuthClientView {
    pub fn new(c: OAuthClient, secret: Option<String>) -> Self {
        Self {
            id: c.id,
            name: c.name,
            client_id: c.client_id,
            redirect_uris: c.redirect_uris,
            tenant_id: c.tenant_id.0,
            created_at: rfc3339(c.created_at),
            revoked_at: c.revoked_at.map(rfc3339),
            client_secret: secret,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    pub id: i64,
    pub code: String,
    pub name: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 (written as any form `rolodex_domain::country` accepts).
    pub country: Option<String>,
    pub custom_fields: BTreeMap<String, String>,
    pub version: i64,
    pub created_at: String,
    pub created_by: Option<i64>,
    pub updated_at: String,
    pub updated_by: Option<i64>,
}

impl From<Customer> for CustomerView {
    fn from(c: Customer) -> Self {
        Self {
            id: c.id.0,
            code: c.fields.code,
            name: c.fields.name,
            website: c.fields.website,
            address: c.fields.address,
            city: c.fields.city,
            state: c.fields.state,
            postal_code: c.fields.postal_code,
            country: c.fields.country,
            custom_fields: c.fields.custom_fields,
            version: c.version,
            created_at: rfc3339(c.created_at),
            created_by: c.created_by.map(|u| u.0),
            updated_at: rfc3339(c.updated_at),
            updated_by: c.updated_by.map(|u| u.0),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneView {
    pub id: u32,
    /// business, home, mobile, fax, pager or other.
    #[serde(rename = "type")]
    pub kind: String,
    pub number: String,
}

impl From<Phone> for PhoneView {
    fn from(p: Phone) -> Self {
        Self {
            id: p.id,
            kind: p.kind.as_str().to_owned(),
            number: p.number,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsView {
    pub on_new: bool,
    pub on_acknowledged: bool,
    pub on_dispatched: bool,
    pub on_completed: bool,
    pub on_failed: bool,
}

impl From<Notifications> for NotificationsView {
    fn from(n: Notifications) -> Self {
        Self {
            on_new: n.on_new,
            on_acknowledged: n.on_acknowledged,
            on_dispatched: n.on_dispatched,
            on_completed: n.on_completed,
            on_failed: n.on_failed,
        }
    }
}

/// A contact. `full_name` is the name set on its own (or `null`); `name` is what to display:
/// `full_name` when set, else the parts joined.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    pub id: i64,
    pub customer_id: i64,
    pub code: Option<String>,
    pub external_id: Option<String>,
    pub status: Option<String>,
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub initial: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub mail_stop: Option<String>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub address_3: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub phones: Vec<PhoneView>,
    pub emails: Vec<String>,
    pub web_address: Option<String>,
    pub notes: Option<String>,
    pub attachments: Vec<String>,
    pub is_primary: bool,
    pub is_decision_maker: bool,
    pub owner_id: Option<i64>,
    pub notifications: NotificationsView,
    pub custom_fields: BTreeMap<String, String>,
    pub version: i64,
    pub created_at: String,
    pub created_by: Option<i64>,
    pub updated_at: String,
    pub updated_by: Option<i64>,
    /// Where to read this contact's history.
    pub history_url: String,
    /// The contact's photo (set with `PUT .../photo`), or null.
    pub photo: Option<PhotoView>,
}

/// A link to a contact's photo and what it holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoView {
    /// The original (re-encoded); `?size=small` and `?size=medium` give the resized variants.
    pub href: String,
    pub small_href: String,
    pub medium_href: String,
    pub content_type: String,
    /// Dimensions of the original, in pixels.
    pub width: u32,
    pub height: u32,
    /// Size of the original, in bytes.
    pub bytes: u64,
}

impl From<Contact> for ContactView {
    fn from(c: Contact) -> Self {
        let name = c.fields.name();
        let f = c.fields;
        let photo_url = format!("/v1/customers/{}/contacts/{}/photo", c.customer_id, c.id);
        Self {
            photo: f.photo.map(|p| PhotoView {
                small_href: format!("{photo_url}?size=small"),
                medium_href: format!("{photo_url}?size=medium"),
                href: photo_url,
                content_type: p.format.content_type().to_owned(),
                width: p.width,
                height: p.height,
                bytes: p.bytes,
            }),
            history_url: format!("/v1/customers/{}/contacts/{}/history", c.customer_id, c.id),
            id: c.id.0,
            customer_id: c.customer_id.0,
            code: f.code,
            external_id: f.external_id,
            status: f.status,
            salutation: f.salutation,
            first_name: f.first_name,
            initial: f.initial,
            last_name: f.last_name,
            full_name: f.full_name,
            name,
            title: f.title,
            mail_stop: f.mail_stop,
            address_1: f.address_1,
            address_2: f.address_2,
            address_3: f.address_3,
            city: f.city,
            state: f.state,
            postal_code: f.postal_code,
            country: f.country,
            phones: f.phones.into_iter().map(PhoneView::from).collect(),
            emails: f.emails,
            web_address: f.web_address,
            notes: f.notes,
            attachments: f.attachments,
            is_primary: f.is_primary,
            is_decision_maker: f.is_decision_maker,
            owner_id: f.owner_id.map(|UserId(u)| u),
            notifications: f.notifications.into(),
            custom_fields: f.custom_fields,
            version: c.version,
            created_at: rfc3339(c.created_at),
            created_by: c.created_by.map(|u| u.0),
            updated_at: rfc3339(c.updated_at),
            updated_by: c.updated_by.map(|u| u.0),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeView {
    pub field: String,
    /// The value before the change: any JSON value, null when there was none.
    pub old: serde_json::Value,
    /// The value after the change: any JSON value, null when it was cleared.
    pub new: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    pub id: i64,
    /// create, update or delete.
    pub change: String,
    /// The resource's version after the change.
    pub version: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub username: String,
    /// The API the change came through (native, cli, rpm, ...).
    pub surface: String,
    pub changes: Vec<FieldChangeView>,
}

impl From<HistoryEntry> for HistoryView {
    fn from(h: HistoryEntry) -> Self {
        Self {
            id: h.id,
            change: h.change.as_str().to_owned(),
            version: h.version,
            at: rfc3339(h.at),
            user_id: h.user_id.map(|u| u.0),
            username: h.username,
            surface: h.surface.as_str().to_owned(),
            changes: h
                .changes
                .into_iter()
                .map(|c| FieldChangeView {
                    field: c.field,
                    old: c.old,
                    new: c.new,
                })
                .collect(),
        }
    }
}

/// What a restore from history writes back; no body at all (or `null`) restores every field
/// the entry changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// The fields to restore to their value before the entry's change, named as in the
    /// entry's `changes`; every field of the entry when left out or null.
    #[schema(min_items = 1)]
    pub fields: Option<Vec<String>>,
}

/// What an import did: its counts, the customers it created, and each row's outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportView {
    /// The kind of file read: `csv` or `vcf`.
    pub format: &'static str,
    /// Nothing was written: the outcomes are what the import would do.
    pub dry_run: bool,
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub refused: u64,
    /// The codes of the customers created for organisations no customer had (in a dry run,
    /// the names of those it would create).
    pub customers_created: Vec<String>,
    pub report: Vec<RowReportView>,
}

impl ImportReportView {
    pub fn new(
        format: rolodex_files::Format,
        summary: ImportSummary,
        report: Vec<RowReportView>,
    ) -> Self {
        Self {
            format: format.extension(),
            dry_run: summary.dry_run,
            rows: summary.counts.rows,
            created: summary.counts.created,
            updated: summary.counts.updated,
            unchanged: summary.counts.unchanged,
            refused: summary.counts.refused,
            customers_created: summary.customers_created,
            report,
        }
    }
}

/// An import that runs on its own: where it stands, and how far it has come.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportJobView {
    pub id: i64,
    /// `running`; `completed` (its report is at `report`); `failed` (see `error`; the rows
    /// before it stay imported); or `interrupted` (the server stopped while it ran: import
    /// the same file again to finish it, since rows already imported come out unchanged).
    #[schema(pattern = "^(running|completed|failed|interrupted)$")]
    pub status: &'static str,
    /// The kind of file read: `csv` or `vcf`.
    pub format: String,
    /// Nothing is written: the outcomes are what the import would do.
    pub dry_run: bool,
    /// The rows of the file.
    pub rows: u64,
    /// The rows settled so far, and what became of them.
    pub rows_done: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub refused: u64,
    /// Rows settled per second so far.
    pub rows_per_second: Option<f64>,
    /// Seconds left at that rate, while it runs.
    pub eta_seconds: Option<u64>,
    /// The user who started it.
    pub started_by: String,
    pub started_at: String,
    /// When its progress was last recorded.
    pub progress_at: String,
    pub finished_at: Option<String>,
    /// Why a failed import stopped.
    pub error: Option<JobErrorView>,
    /// Where the report of every row is, once it completed.
    pub report: Option<String>,
}

/// The error an import job stopped on.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobErrorView {
    pub code: String,
    pub message: String,
}

impl From<ImportJob> for ImportJobView {
    fn from(job: ImportJob) -> Self {
        let rows_per_second = job.rate().map(|r| (r * 10.0).round() / 10.0);
        let eta_seconds = job.eta().map(|d| d.as_secs_f64().ceil() as u64);
        let status = job.status;
        let r = job.record;
        Self {
            report: (status == rolodex_core::JobStatus::Completed)
                .then(|| format!("/v1/imports/{}/report", r.id)),
            id: r.id,
            status: status.as_str(),
            format: r.format,
            dry_run: r.dry_run,
            rows: r.rows_total,
            rows_done: r.counts.rows,
            created: r.counts.created,
            updated: r.counts.updated,
            unchanged: r.counts.unchanged,
            refused: r.counts.refused,
            rows_per_second,
            eta_seconds,
            started_by: r.username,
            started_at: rfc3339(r.started_at),
            progress_at: rfc3339(r.progress_at),
            finished_at: r.finished_at.map(rfc3339),
            error: r
                .error
                .map(|(code, message)| JobErrorView { code, message }),
        }
    }
}

/// One row of an imported file.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowReportView {
    /// The row's position: 1 for the first contact (a CSV header is not counted).
    pub row: u64,
    #[schema(pattern = "^(created|updated|unchanged|refused)$")]
    pub outcome: &'static str,
    /// The contact created or updated (none when refused, nor for a dry run's creations).
    pub contact_id: Option<i64>,
    /// The code of the contact's customer.
    pub customer: Option<String>,
    /// Why the row was refused: each field and the rule it breaks.
    pub errors: Vec<FieldProblem>,
}

impl From<RowReport> for RowReportView {
    fn from(r: RowReport) -> Self {
        Self {
            row: r.row,
            outcome: r.outcome.as_str(),
            contact_id: r.contact_id.map(|id| id.0),
            customer: r.customer,
            errors: r.errors.into_iter().map(FieldProblem::from).collect(),
        }
    }
}
