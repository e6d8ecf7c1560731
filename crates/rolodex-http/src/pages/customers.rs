//! Customer pages: the list and its search, a customer with its contacts (the primary one
//! first), and the create and edit forms (stale edits merged as for contacts).

use super::Done;
use super::contacts::{Row, rows};
use super::form::{CUSTOMER, Conflict, Form, merge, url_encode, value_of};
use super::history::changes_since;
use super::session::Viewer;
use super::{BASE, Chrome, PageResult, render, render_with, see};
use crate::native::map::customer_patch;
use crate::state::AppState;
use askama::Template;
use axum::Form as Posted;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use rolodex_core::{ContactQuery, CoreError, PageRequest, Precondition};
use rolodex_domain::{Customer, CustomerId, ValidationErrors};
use serde::Deserialize;

const PAGE_SIZE: u32 = 25;

#[derive(Template)]
#[template(path = "pages/customers.html")]
struct ListPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    q: String,
    customers: Vec<(i64, String, String, String)>,
    more: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
    after: Option<String>,
}

fn name_of(customer: &Customer) -> String {
    customer
        .fields
        .name
        .clone()
        .unwrap_or_else(|| customer.fields.code.clone())
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(search): Query<Search>,
) -> PageResult {
    let page = PageRequest::parse(Some(PAGE_SIZE), search.after.as_deref())
        .map_err(|e| super::PageError::Core(e.into()))?;
    let text = search.q.trim();
    let found = state
        .services
        .customers
        .list(&viewer.caller, Some(text).filter(|t| !t.is_empty()), &page)
        .await?;
    let more = found.next.map(|next| {
        format!(
            "{BASE}/customers?q={}&after={}",
            url_encode(text),
            next.encode()
        )
    });
    let customers = found
        .items
        .iter()
        .map(|c| {
            (
                c.id.0,
                name_of(c),
                c.fields.code.clone(),
                c.fields.city.clone().unwrap_or_default(),
            )
        })
        .collect();
    Ok(render(&ListPage {
        chrome: Some(&viewer.chrome),
        flash: None,
        q: search.q,
        customers,
        more,
    }))
}

#[derive(Template)]
#[template(path = "pages/customer.html")]
struct CustomerPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    customer: &'a Customer,
    name: String,
    shown: Vec<(&'static str, String)>,
    primary: Option<Row>,
    contacts: Vec<Row>,
    more: bool,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> PageResult {
    let customer = state
        .services
        .customers
        .get(&viewer.caller, CustomerId(id))
        .await?;
    let query = ContactQuery {
        customer_id: Some(customer.id),
        page: PageRequest {
            limit: 100,
            after: None,
        },
        ..ContactQuery::default()
    };
    let found = state.services.contacts.list(&viewer.caller, &query).await?;
    let more = found.next.is_some();
    let primary_id = found
        .items
        .iter()
        .find(|c| c.fields.is_primary)
        .map(|c| c.id.0);
    let mut contacts = rows(&state, &viewer, found.items).await?;
    let primary = primary_id
        .and_then(|p| contacts.iter().position(|r| r.id == p))
        .map(|i| contacts.remove(i));
    let f = &customer.fields;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut shown = vec![
        ("Customer code", f.code.clone()),
        ("Name", text(&f.name)),
        ("Street address", text(&f.address)),
        ("City", text(&f.city)),
        ("State or region", text(&f.state)),
        ("Postal code", text(&f.postal_code)),
        ("Country", text(&f.country)),
        ("Website", text(&f.website)),
    ];
    shown.extend(
        f.custom_fields
            .iter()
            .map(|(k, v)| ("Custom field", format!("{k}: {v}"))),
    );
    Ok(render(&CustomerPage {
        chrome: Some(&viewer.chrome),
        flash: done.flash(),
        name: name_of(&customer),
        shown,
        primary,
        contacts,
        more,
        customer: &customer,
    }))
}

#[derive(Template)]
#[template(path = "pages/customer_edit.html")]
struct EditPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    title: String,
    action: String,
    cancel: String,
    form: Form,
    version: Option<i64>,
    conflicts: Vec<Conflict>,
    changed_by: Vec<String>,
}

impl EditPage<'_> {
    fn custom_rows(&self) -> Vec<(String, String)> {
        let mut rows = self.form.custom.clone();
        rows.extend(std::iter::repeat_n((String::new(), String::new()), 2));
        rows
    }
}

fn edit_page<'a>(viewer: &'a Viewer, customer: &Customer, form: Form) -> EditPage<'a> {
    EditPage {
        chrome: Some(&viewer.chrome),
        flash: None,
        title: format!("Edit {}", name_of(customer)),
        action: format!("{BASE}/customers/{}/edit", customer.id.0),
        cancel: format!("{BASE}/customers/{}", customer.id.0),
        form,
        version: Some(customer.version),
        conflicts: Vec::new(),
        changed_by: Vec::new(),
    }
}

fn new_page(viewer: &Viewer, form: Form) -> EditPage<'_> {
    EditPage {
        chrome: Some(&viewer.chrome),
        flash: None,
        title: "New customer".into(),
        action: format!("{BASE}/customers/new"),
        cancel: format!("{BASE}/customers"),
        form,
        version: None,
        conflicts: Vec::new(),
        changed_by: Vec::new(),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> PageResult {
    rolodex_core::AuthService::require(&viewer.caller, rolodex_domain::Role::Dispatcher)?;
    let customer = state
        .services
        .customers
        .get(&viewer.caller, CustomerId(id))
        .await?;
    let form = Form::from_snapshot(&CUSTOMER, &customer.fields.snapshot());
    Ok(render(&edit_page(&viewer, &customer, form)))
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> PageResult {
    viewer.check(value_of(&pairs, "csrf"))?;
    let current = state
        .services
        .customers
        .get(&viewer.caller, CustomerId(id))
        .await?;
    let version = value_of(&pairs, "version").parse::<i64>().unwrap_or(0);
    let mut form = Form::from_pairs(&CUSTOMER, &pairs);
    let saved = match customer_patch(form.to_body()) {
        Ok(patch) => {
            state
                .services
                .customers
                .patch(
                    &viewer.caller,
                    CustomerId(id),
                    patch,
                    Precondition::OneOf(vec![version]),
                )
                .await
        }
        Err(errors) => Err(CoreError::Invalid(errors)),
    };
    let refused = |mut form: Form, errors: &ValidationErrors| {
        form.show_errors(errors);
        let mut page = edit_page(&viewer, &current, form);
        page.version = Some(version);
        page
    };
    match saved {
        Ok(_) => Ok(see(format!("{BASE}/customers/{id}?done=saved"))),
        Err(CoreError::Invalid(errors)) => Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &refused(form, &errors),
        )),
        Err(CoreError::Conflict { message, .. }) => {
            form.general_errors.push(super::sentence(&message));
            Ok(render_with(
                StatusCode::CONFLICT,
                &refused(form, &ValidationErrors::default()),
            ))
        }
        Err(CoreError::PreconditionFailed) => {
            let (base, changed_by) = changes_since(
                &state,
                &viewer,
                "customer",
                id,
                id,
                version,
                current.fields.snapshot(),
            )
            .await?;
            let base = Form::from_snapshot(&CUSTOMER, &base);
            let theirs = Form::from_snapshot(&CUSTOMER, &current.fields.snapshot());
            let (merged, conflicts) = merge(&base, &theirs, &form);
            let mut page = edit_page(&viewer, &current, merged);
            page.conflicts = conflicts;
            page.changed_by = changed_by;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn new_form(viewer: Viewer) -> PageResult {
    rolodex_core::AuthService::require(&viewer.caller, rolodex_domain::Role::Dispatcher)?;
    Ok(render(&new_page(&viewer, Form::from_pairs(&CUSTOMER, &[]))))
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> PageResult {
    viewer.check(value_of(&pairs, "csrf"))?;
    let mut form = Form::from_pairs(&CUSTOMER, &pairs);
    let created = match customer_patch(form.to_body()) {
        Ok(patch) => state.services.customers.create(&viewer.caller, patch).await,
        Err(errors) => Err(CoreError::Invalid(errors)),
    };
    match created {
        Ok(c) => Ok(see(format!("{BASE}/customers/{}?done=created", c.id.0))),
        Err(CoreError::Invalid(errors)) => {
            form.show_errors(&errors);
            Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_page(&viewer, form),
            ))
        }
        Err(CoreError::Conflict { message, .. }) => {
            form.general_errors.push(super::sentence(&message));
            Ok(render_with(StatusCode::CONFLICT, &new_page(&viewer, form)))
        }
        Err(e) => Err(e.into()),
    }
}
