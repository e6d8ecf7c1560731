//! Contact pages: search as you type, a contact with every field and its photo, the edit
//! and create forms (errors beside their inputs; an edit based on a stale version is merged
//! and shown again, never silently applied), photo upload, replacement and removal.

use super::form::{CONTACT, Conflict, Form, PHONE_TYPES, merge, value_of};
use super::history::changes_since;
use super::session::Viewer;
use super::{BASE, Chrome, PageError, PageResult, render, render_with, see};
use super::{CsrfForm, Done};
use crate::native::map::contact_patch;
use crate::photo_file::serve;
use crate::state::AppState;
use askama::Template;
use axum::Form as Posted;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use rolodex_core::{ContactQuery, CoreError, PageRequest, Precondition};
use rolodex_domain::photo::MAX_PHOTO_BYTES;
use rolodex_domain::{
    Contact, ContactFields, ContactId, CustomerId, PhotoSize, UserId, ValidationError,
    ValidationErrors,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The largest photo form: the photo limit and room for the form's other parts.
pub const UPLOAD_FORM_LIMIT: usize = MAX_PHOTO_BYTES + 64 * 1024;

/// Contacts a search page shows at a time.
const PAGE_SIZE: u32 = 25;

/// A contact as a list shows it.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub customer: String,
    pub email: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "pages/contacts.html")]
struct ListPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    q: String,
    /// The customer the search is limited to: id and name.
    customer: Option<(i64, String)>,
    rows: Vec<Row>,
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/contact_rows.html")]
struct Rows {
    rows: Vec<Row>,
    more: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
    after: Option<String>,
    /// Only this customer's contacts.
    customer: Option<i64>,
    /// Only the result rows (what the search box's script asks for).
    partial: Option<String>,
}

/// Rows for `contacts`, naming each one's customer.
pub async fn rows(
    state: &AppState,
    viewer: &Viewer,
    contacts: Vec<Contact>,
) -> Result<Vec<Row>, PageError> {
    let mut customers: BTreeMap<i64, String> = BTreeMap::new();
    let mut rows = Vec::with_capacity(contacts.len());
    for c in contacts {
        if let std::collections::btree_map::Entry::Vacant(slot) = customers.entry(c.customer_id.0) {
            let customer = state
                .services
                .customers
                .get(&viewer.caller, c.customer_id)
                .await?;
            slot.insert(customer.fields.name.unwrap_or(customer.fields.code));
        }
        rows.push(Row {
            id: c.id.0,
            name: display_name(&c.fields),
            title: c.fields.title.clone().unwrap_or_default(),
            customer: customers[&c.customer_id.0].clone(),
            email: c.fields.emails.first().cloned().unwrap_or_default(),
            phone: c
                .fields
                .phones
                .first()
                .map(|p| p.number.clone())
                .unwrap_or_default(),
        });
    }
    Ok(rows)
}

/// How a contact is named on a page.
pub fn display_name(fields: &ContactFields) -> String {
    fields
        .name()
        .filter(|n| !n.is_empty())
        .or_else(|| fields.code.clone())
        .unwrap_or_else(|| "(no name)".to_owned())
}

/// Contacts whose names, codes, emails or phones start with the words searched for.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(search): Query<Search>,
) -> PageResult {
    let page = PageRequest::parse(Some(PAGE_SIZE), search.after.as_deref())
        .map_err(|e| PageError::Core(e.into()))?;
    let text = search.q.trim();
    let customer = match search.customer {
        Some(id) => {
            let c = state
                .services
                .customers
                .get(&viewer.caller, CustomerId(id))
                .await?;
            Some((id, c.fields.name.unwrap_or(c.fields.code)))
        }
        None => None,
    };
    let query = ContactQuery {
        text: (!text.is_empty()).then(|| text.to_owned()),
        customer_id: search.customer.map(CustomerId),
        page,
        ..ContactQuery::default()
    };
    let found = state.services.contacts.list(&viewer.caller, &query).await?;
    let more = found.next.map(|next| {
        let of = search
            .customer
            .map(|id| format!("&customer={id}"))
            .unwrap_or_default();
        format!(
            "{BASE}/contacts?q={}{of}&after={}",
            super::form::url_encode(text),
            next.encode()
        )
    });
    let rows = rows(&state, &viewer, found.items).await?;
    if search.partial.is_some() {
        return Ok(render(&Rows { rows, more }));
    }
    Ok(render(&ListPage {
        chrome: Some(&viewer.chrome),
        flash: None,
        q: search.q,
        customer,
        rows,
        more,
    }))
}

/// One field of a contact as its page shows it.
pub struct Shown {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "pages/contact.html")]
struct ContactPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    contact: &'a Contact,
    name: String,
    customer: String,
    shown: Vec<Shown>,
    phones: Vec<(String, String)>,
    custom: Vec<(String, String)>,
    has_photo: bool,
    updated: String,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> PageResult {
    let contact = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    let customer = state
        .services
        .customers
        .get(&viewer.caller, contact.customer_id)
        .await?;
    let f = &contact.fields;
    let owner = match f.owner_id {
        Some(owner) => owner_name(&state, &viewer, owner).await,
        None => String::new(),
    };
    let text = |label: &'static str, value: &Option<String>| Shown {
        label,
        value: value.clone().unwrap_or_default(),
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let n = &f.notifications;
    let notify: Vec<&str> = [
        (n.on_new, "new"),
        (n.on_acknowledged, "acknowledged"),
        (n.on_dispatched, "dispatched"),
        (n.on_completed, "completed"),
        (n.on_failed, "failed"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    let shown = vec![
        text("Salutation", &f.salutation),
        text("First name", &f.first_name),
        text("Initial", &f.initial),
        text("Last name", &f.last_name),
        text("Title or function", &f.title),
        text("Contact code", &f.code),
        text("External id", &f.external_id),
        text("Status", &f.status),
        Shown {
            label: "Emails",
            value: f.emails.join(", "),
        },
        text("Web address", &f.web_address),
        text("Mail stop", &f.mail_stop),
        text("Address line 1", &f.address_1),
        text("Address line 2", &f.address_2),
        text("Address line 3", &f.address_3),
        text("City", &f.city),
        text("State or region", &f.state),
        text("Postal code", &f.postal_code),
        text("Country", &f.country),
        Shown {
            label: "Primary contact",
            value: yes_no(f.is_primary),
        },
        Shown {
            label: "Decision maker",
            value: yes_no(f.is_decision_maker),
        },
        Shown {
            label: "Owner",
            value: owner,
        },
        Shown {
            label: "Notify about",
            value: notify.join(", "),
        },
        text("Notes", &f.notes),
        Shown {
            label: "Attachments",
            value: f.attachments.join("\n"),
        },
    ];
    let updated = super::when(contact.updated_at);
    Ok(render(&ContactPage {
        chrome: Some(&viewer.chrome),
        flash: done.flash(),
        name: display_name(f),
        customer: customer.fields.name.unwrap_or(customer.fields.code),
        shown,
        phones: f
            .phones
            .iter()
            .map(|p| (p.kind.as_str().to_owned(), p.number.clone()))
            .collect(),
        custom: f
            .custom_fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        has_photo: f.photo.is_some(),
        updated,
        contact: &contact,
    }))
}

/// The username of user `id`, or the id when the account is gone.
async fn owner_name(state: &AppState, viewer: &Viewer, id: UserId) -> String {
    match state.services.users.colleague(&viewer.caller, id).await {
        Ok(m) => m.user.username.to_string(),
        Err(_) => id.0.to_string(),
    }
}

#[derive(Template)]
#[template(path = "pages/contact_edit.html")]
struct EditPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    title: String,
    action: String,
    cancel: String,
    form: Form,
    owner: String,
    version: Option<i64>,
    phone_types: &'static [&'static str],
    conflicts: Vec<Conflict>,
    changed_by: Vec<String>,
}

impl EditPage<'_> {
    /// The form's phone rows and two empty ones to add phones with.
    fn phone_rows(&self) -> Vec<super::form::PhoneRow> {
        let mut rows = self.form.phones.clone();
        rows.extend(std::iter::repeat_n(
            super::form::PhoneRow {
                kind: "business".into(),
                ..Default::default()
            },
            2,
        ));
        rows
    }

    /// The form's custom fields and two empty ones to add fields with.
    fn custom_rows(&self) -> Vec<(String, String)> {
        let mut rows = self.form.custom.clone();
        rows.extend(std::iter::repeat_n((String::new(), String::new()), 2));
        rows
    }
}

/// The edit form of a contact.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> PageResult {
    let contact = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    rolodex_core::AuthService::require(&viewer.caller, rolodex_domain::Role::Dispatcher)?;
    let form = Form::from_snapshot(&CONTACT, &contact.fields.snapshot());
    let page = edit_page(&state, &viewer, &contact, form).await;
    Ok(render(&page))
}

async fn edit_page<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    contact: &Contact,
    form: Form,
) -> EditPage<'a> {
    let owner = match form.owner.parse::<i64>() {
        Ok(id) => owner_name(state, viewer, UserId(id)).await,
        Err(_) => String::new(),
    };
    EditPage {
        chrome: Some(&viewer.chrome),
        flash: None,
        title: format!("Edit {}", display_name(&contact.fields)),
        action: format!("{BASE}/contacts/{}/edit", contact.id.0),
        cancel: format!("{BASE}/contacts/{}", contact.id.0),
        form,
        owner,
        version: Some(contact.version),
        phone_types: &PHONE_TYPES,
        conflicts: Vec::new(),
        changed_by: Vec::new(),
    }
}

/// A submitted contact form, and the owner it names by username resolved to a user id (an
/// unknown one is an error beside the owner input).
async fn read_form(
    state: &AppState,
    viewer: &Viewer,
    pairs: &[(String, String)],
) -> (Form, String, Option<ValidationError>) {
    let mut form = Form::from_pairs(&CONTACT, pairs);
    let owner = value_of(pairs, "owner").trim().to_owned();
    if owner.is_empty() {
        return (form, owner, None);
    }
    match state
        .services
        .users
        .colleague_named(&viewer.caller, &owner)
        .await
    {
        Ok(m) => {
            form.owner = m.user.id.0.to_string();
            (form, owner, None)
        }
        Err(_) => {
            let error = ValidationError::new(
                "owner_id",
                "unknown_user",
                format!("{owner} is not a user of this tenant"),
            );
            (form, owner, Some(error))
        }
    }
}

/// Saves the edit form: the contact page, or the form again with the model's errors beside
/// their inputs, or, when the contact changed since the form was shown, the form merged
/// with those changes and the clashes named, to be looked over and saved again.
pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> PageResult {
    viewer.check(value_of(&pairs, "csrf"))?;
    let current = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    let version = value_of(&pairs, "version").parse::<i64>().unwrap_or(0);
    let (mut form, owner, owner_error) = read_form(&state, &viewer, &pairs).await;
    let refused = |mut form: Form, errors: &ValidationErrors, owner: String, version: i64| {
        form.show_errors(errors);
        EditPage {
            chrome: Some(&viewer.chrome),
            flash: None,
            title: format!("Edit {}", display_name(&current.fields)),
            action: format!("{BASE}/contacts/{id}/edit"),
            cancel: format!("{BASE}/contacts/{id}"),
            form,
            owner,
            version: Some(version),
            phone_types: &PHONE_TYPES,
            conflicts: Vec::new(),
            changed_by: Vec::new(),
        }
    };
    if let Some(e) = owner_error {
        let page = refused(form, &e.into(), owner, version);
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let patch = match contact_patch(form.to_body()) {
        Ok(patch) => patch,
        Err(errors) => {
            let page = refused(form, &errors, owner, version);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let saved = state
        .services
        .contacts
        .patch(
            &viewer.caller,
            current.customer_id,
            ContactId(id),
            patch,
            Precondition::OneOf(vec![version]),
        )
        .await;
    match saved {
        Ok(_) => Ok(see(format!("{BASE}/contacts/{id}?done=saved"))),
        Err(CoreError::Invalid(errors)) => {
            let page = refused(form, &errors, owner, version);
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(CoreError::Conflict { message, .. }) => {
            form.general_errors.push(super::sentence(&message));
            let page = refused(form, &ValidationErrors::default(), owner, version);
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(CoreError::PreconditionFailed) => {
            let (base, changed_by) = changes_since(
                &state,
                &viewer,
                "contact",
                current.customer_id.0,
                id,
                version,
                current.fields.snapshot(),
            )
            .await?;
            let base = Form::from_snapshot(&CONTACT, &base);
            let theirs = Form::from_snapshot(&CONTACT, &current.fields.snapshot());
            let (merged, conflicts) = merge(&base, &theirs, &form);
            let mut page = edit_page(&state, &viewer, &current, merged).await;
            page.conflicts = conflicts;
            page.changed_by = changed_by;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// The form of a new contact of customer `id`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(customer): Path<i64>,
) -> PageResult {
    rolodex_core::AuthService::require(&viewer.caller, rolodex_domain::Role::Dispatcher)?;
    let customer = state
        .services
        .customers
        .get(&viewer.caller, CustomerId(customer))
        .await?;
    Ok(render(&new_page(
        &viewer,
        customer.id.0,
        Form::from_pairs(&CONTACT, &[]),
        String::new(),
    )))
}

fn new_page(viewer: &Viewer, customer: i64, form: Form, owner: String) -> EditPage<'_> {
    EditPage {
        chrome: Some(&viewer.chrome),
        flash: None,
        title: "New contact".into(),
        action: format!("{BASE}/customers/{customer}/contacts/new"),
        cancel: format!("{BASE}/customers/{customer}"),
        form,
        owner,
        version: None,
        phone_types: &PHONE_TYPES,
        conflicts: Vec::new(),
        changed_by: Vec::new(),
    }
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(customer): Path<i64>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> PageResult {
    viewer.check(value_of(&pairs, "csrf"))?;
    let (mut form, owner, owner_error) = read_form(&state, &viewer, &pairs).await;
    let mut errors = ValidationErrors::default();
    if let Some(e) = owner_error {
        errors.0.push(e);
    }
    let created = match contact_patch(form.to_body()) {
        Ok(patch) if errors.0.is_empty() => {
            state
                .services
                .contacts
                .create(&viewer.caller, CustomerId(customer), patch)
                .await
        }
        Ok(_) => Err(CoreError::Invalid(errors)),
        Err(e) => Err(CoreError::Invalid(e)),
    };
    match created {
        Ok(contact) => Ok(see(format!(
            "{BASE}/contacts/{}?done=created",
            contact.id.0
        ))),
        Err(CoreError::Invalid(errors)) => {
            form.show_errors(&errors);
            let page = new_page(&viewer, customer, form, owner);
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(CoreError::Conflict { message, .. }) => {
            form.general_errors.push(super::sentence(&message));
            let page = new_page(&viewer, customer, form, owner);
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes a contact (its history stays readable through the API).
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Posted(form): Posted<CsrfForm>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    let contact = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    state
        .services
        .contacts
        .delete(
            &viewer.caller,
            contact.customer_id,
            ContactId(id),
            Precondition::Any,
        )
        .await?;
    Ok(see(format!("{BASE}/customers/{}", contact.customer_id.0)))
}

#[derive(Debug, Default, Deserialize)]
pub struct Size {
    size: Option<String>,
}

/// A contact's photo (`?size=small|medium`), as the photo use case serves it.
pub async fn photo(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(size): Query<Size>,
    headers: HeaderMap,
) -> PageResult {
    let contact = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    let size = size
        .size
        .as_deref()
        .and_then(PhotoSize::parse)
        .unwrap_or(PhotoSize::Original);
    let file = state
        .services
        .photos
        .get(&viewer.caller, contact.customer_id, ContactId(id), size)
        .await?;
    let mut response = serve(&headers, file);
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-cache"),
    );
    Ok(response)
}

/// Uploads a photo (replacing the current one) from a multipart form with `csrf` and
/// `photo` parts; a refused image is shown on the contact's page.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> PageResult {
    let mut csrf = String::new();
    let mut image = None;
    while let Some(part) = multipart
        .next_field()
        .await
        .map_err(|e| unreadable(&e.body_text()))?
    {
        match part.name() {
            Some("csrf") => csrf = part.text().await.map_err(|e| unreadable(&e.body_text()))?,
            Some("photo") => {
                image = Some(part.bytes().await.map_err(|e| unreadable(&e.body_text()))?);
            }
            _ => {}
        }
    }
    viewer.check(&csrf)?;
    let image = image
        .filter(|b| !b.is_empty())
        .ok_or_else(|| unreadable("choose an image to upload"))?;
    let contact = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    state
        .services
        .photos
        .put(
            &viewer.caller,
            contact.customer_id,
            ContactId(id),
            image.to_vec(),
        )
        .await?;
    Ok(see(format!("{BASE}/contacts/{id}?done=photo")))
}

fn unreadable(message: &str) -> PageError {
    PageError::Core(CoreError::Invalid(
        ValidationError::new("photo", "unreadable", message.to_owned()).into(),
    ))
}

pub async fn remove_photo(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Posted(form): Posted<CsrfForm>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    let contact = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    state
        .services
        .photos
        .delete(&viewer.caller, contact.customer_id, ContactId(id))
        .await?;
    Ok(see(format!("{BASE}/contacts/{id}?done=photo_removed")))
}
