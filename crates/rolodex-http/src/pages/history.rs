//! History pages: a contact's or a customer's changes as a timeline, newest first and a page
//! at a time (who, when, through which surface, each field's old and new value), with
//! "restore" on an entry or on one of its fields, which writes the old values back as a new
//! change.

use super::Done;
use super::session::Viewer;
use super::{BASE, Chrome, PageError, PageResult, render, see};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use rolodex_core::query::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use rolodex_core::{CoreError, HistoryOrder, Page, PageRequest, Precondition};
use rolodex_domain::{ContactId, CustomerId, HistoryEntry};
use serde::Deserialize;
use serde_json::{Map, Value};

/// One changed field of an entry as the timeline shows it.
pub struct ShownChange {
    pub field: String,
    pub old: String,
    pub new: String,
    /// Whether the old value can be written back (a photo's files are gone).
    pub restorable: bool,
}

/// One entry of the timeline.
pub struct ShownEntry {
    pub id: i64,
    pub at: String,
    pub who: String,
    pub surface: &'static str,
    pub change: &'static str,
    pub version: i64,
    pub changes: Vec<ShownChange>,
    /// Whether "restore" is offered: an update whose old values can be written back.
    pub restorable: bool,
}

#[derive(Template)]
#[template(path = "pages/history.html")]
struct HistoryPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    title: String,
    back: String,
    restore_base: String,
    version: i64,
    entries: Vec<ShownEntry>,
    /// The page of the changes before these, if there were any.
    older: Option<String>,
}

/// Where a history page starts: at the newest change, or before the changes shown already.
#[derive(Debug, Deserialize)]
pub struct Older {
    older: Option<String>,
}

/// How a recorded value reads on a page.
fn display(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Object(phone) if phone.contains_key("number") => format!(
                    "{} {}",
                    phone.get("type").and_then(Value::as_str).unwrap_or(""),
                    phone.get("number").and_then(Value::as_str).unwrap_or("")
                ),
                other => display(other),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(photo) if photo.contains_key("sha256") => format!(
            "a photo, {}×{} {}",
            photo.get("width").map(display).unwrap_or_default(),
            photo.get("height").map(display).unwrap_or_default(),
            photo.get("format").map(display).unwrap_or_default()
        ),
        Value::Object(members) => members
            .iter()
            .map(|(k, v)| format!("{k}: {}", display(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Number(n) => n.to_string(),
    }
}

fn shown(entries: Vec<HistoryEntry>) -> Vec<ShownEntry> {
    entries
        .into_iter()
        .map(|e| {
            let update = e.change == rolodex_domain::history::Change::Update;
            let changes: Vec<ShownChange> = e
                .changes
                .into_iter()
                .map(|c| ShownChange {
                    restorable: update && c.field != "photo",
                    old: display(&c.old),
                    new: display(&c.new),
                    field: c.field,
                })
                .collect();
            ShownEntry {
                id: e.id,
                at: super::when(e.at),
                who: e.username,
                surface: e.surface.as_str(),
                change: e.change.as_str(),
                version: e.version,
                restorable: changes.iter().any(|c| c.restorable),
                changes,
            }
        })
        .collect()
}

/// One page of a record's history, newest first.
async fn entries_of(
    state: &AppState,
    viewer: &Viewer,
    entity: &str,
    customer: i64,
    id: i64,
    page: &PageRequest,
) -> Result<Page<HistoryEntry>, CoreError> {
    let caller = &viewer.caller;
    let newest = HistoryOrder::NewestFirst;
    match entity {
        "contact" => {
            state
                .services
                .contacts
                .history(caller, CustomerId(customer), ContactId(id), page, newest)
                .await
        }
        _ => {
            state
                .services
                .customers
                .history(caller, CustomerId(id), page, newest)
                .await
        }
    }
}

/// The page of a history that `older` (a cursor of the page before, if any) asks for, and the
/// address of the page after it (the history page is at `path`).
async fn history_page(
    state: &AppState,
    viewer: &Viewer,
    entity: &str,
    customer: i64,
    id: i64,
    path: &str,
    older: &Older,
) -> Result<(Vec<HistoryEntry>, Option<String>), PageError> {
    let page = PageRequest::parse(Some(DEFAULT_PAGE_SIZE), older.older.as_deref())
        .map_err(|e| PageError::Core(e.into()))?;
    let found = entries_of(state, viewer, entity, customer, id, &page).await?;
    let older = found
        .next
        .map(|next| format!("{path}?older={}", next.encode()));
    Ok((found.items, older))
}

/// The fields of a record as they were at `version`, from its fields now (`snapshot`) and
/// the changes made since; and who made those changes, when and through which surface.
pub async fn changes_since(
    state: &AppState,
    viewer: &Viewer,
    entity: &str,
    customer: i64,
    id: i64,
    version: i64,
    mut snapshot: Map<String, Value>,
) -> Result<(Map<String, Value>, Vec<String>), PageError> {
    // The changes since `version`, newest first: pages are read back until they reach it.
    let mut since = Vec::new();
    let mut page = PageRequest {
        limit: MAX_PAGE_SIZE,
        after: None,
    };
    loop {
        let found = entries_of(state, viewer, entity, customer, id, &page).await?;
        let reached = found.items.iter().any(|e| e.version <= version);
        since.extend(found.items.into_iter().filter(|e| e.version > version));
        match found.next {
            Some(next) if !reached => page.after = Some(next),
            _ => break,
        }
    }
    let mut who = Vec::new();
    for entry in &since {
        for change in &entry.changes {
            snapshot.insert(change.field.clone(), change.old.clone());
        }
        who.push(format!(
            "{} changed {} through {} at {}",
            entry.username,
            entry
                .changes
                .iter()
                .map(|c| c.field.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            entry.surface.as_str(),
            super::when(entry.at)
        ));
    }
    who.reverse();
    Ok((snapshot, who))
}

pub async fn contact(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
    Query(older): Query<Older>,
) -> PageResult {
    let contact = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    let path = format!("{BASE}/contacts/{id}/history");
    let (entries, older) = history_page(
        &state,
        &viewer,
        "contact",
        contact.customer_id.0,
        id,
        &path,
        &older,
    )
    .await?;
    Ok(render(&HistoryPage {
        chrome: Some(&viewer.chrome),
        flash: done.flash(),
        title: format!(
            "History of {}",
            super::contacts::display_name(&contact.fields)
        ),
        back: format!("{BASE}/contacts/{id}"),
        restore_base: path,
        version: contact.version,
        entries: shown(entries),
        older,
    }))
}

pub async fn customer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
    Query(older): Query<Older>,
) -> PageResult {
    let customer = state
        .services
        .customers
        .get(&viewer.caller, CustomerId(id))
        .await?;
    let path = format!("{BASE}/customers/{id}/history");
    let (entries, older) = history_page(&state, &viewer, "customer", id, id, &path, &older).await?;
    Ok(render(&HistoryPage {
        chrome: Some(&viewer.chrome),
        flash: done.flash(),
        title: format!(
            "History of {}",
            customer.fields.name.unwrap_or(customer.fields.code)
        ),
        back: format!("{BASE}/customers/{id}"),
        restore_base: path,
        version: customer.version,
        entries: shown(entries),
        older,
    }))
}

#[derive(Debug, Deserialize)]
pub struct Restore {
    csrf: String,
    /// The version the page showed: a restore onto a newer one is refused.
    version: i64,
    /// One field to restore; none restores every field of the entry.
    field: Option<String>,
}

impl Restore {
    fn fields(&self) -> Option<Vec<String>> {
        self.field
            .as_ref()
            .filter(|f| !f.is_empty())
            .map(|f| vec![f.clone()])
    }
}

pub async fn restore_contact(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, entry)): Path<(i64, i64)>,
    Form(form): Form<Restore>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    let contact = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    let restored = state
        .services
        .contacts
        .restore(
            &viewer.caller,
            contact.customer_id,
            ContactId(id),
            entry,
            form.fields(),
            Precondition::OneOf(vec![form.version]),
        )
        .await;
    match restored {
        Ok(after) if after.version == contact.version => {
            Ok(see(format!("{BASE}/contacts/{id}?done=unchanged")))
        }
        Ok(_) => Ok(see(format!("{BASE}/contacts/{id}?done=restored"))),
        Err(CoreError::PreconditionFailed) => {
            Ok(see(format!("{BASE}/contacts/{id}/history?done=stale")))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn restore_customer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, entry)): Path<(i64, i64)>,
    Form(form): Form<Restore>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    let before = state
        .services
        .customers
        .get(&viewer.caller, CustomerId(id))
        .await?;
    let restored = state
        .services
        .customers
        .restore(
            &viewer.caller,
            CustomerId(id),
            entry,
            form.fields(),
            Precondition::OneOf(vec![form.version]),
        )
        .await;
    match restored {
        Ok(after) if after.version == before.version => {
            Ok(see(format!("{BASE}/customers/{id}?done=unchanged")))
        }
        Ok(_) => Ok(see(format!("{BASE}/customers/{id}?done=restored"))),
        Err(CoreError::PreconditionFailed) => {
            Ok(see(format!("{BASE}/customers/{id}/history?done=stale")))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recorded_values_read_as_text() {
        assert_eq!(display(&Value::Null), "");
        assert_eq!(display(&json!(true)), "yes");
        assert_eq!(
            display(
                &json!([{"id": 1, "type": "fax", "number": "5"}, {"id": 2, "type": "home", "number": "6"}])
            ),
            "fax 5, home 6"
        );
        assert_eq!(display(&json!(["a@x.io", "b@x.io"])), "a@x.io, b@x.io");
        assert_eq!(display(&json!({"size": "L"})), "size: L");
        assert_eq!(
            display(
                &json!({"name": "p.png", "sha256": "ab", "width": 3, "height": 2, "format": "png"})
            ),
            "a photo, 3×2 png"
        );
    }
}
