//! History pages: a contact's or a customer's changes as a timeline (who, when, through
//! which surface, each field's old and new value), with "restore" on an entry or on one of
//! its fields, which writes the old values back as a new change.

use super::Done;
use super::session::Viewer;
use super::{BASE, Chrome, PageError, PageResult, render, see};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use rolodex_core::query::MAX_PAGE_SIZE;
use rolodex_core::{CoreError, Page, PageRequest, Precondition};
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
        .rev()
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

/// Every entry of a history, read page by page.
async fn all<F, Fut>(read: F) -> Result<Vec<HistoryEntry>, CoreError>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<HistoryEntry>, CoreError>>,
{
    let mut page = PageRequest {
        limit: MAX_PAGE_SIZE,
        after: None,
    };
    let mut entries = Vec::new();
    loop {
        let found = read(page.clone()).await?;
        entries.extend(found.items);
        match found.next {
            Some(next) => page.after = Some(next),
            None => return Ok(entries),
        }
    }
}

async fn entries_of(
    state: &AppState,
    viewer: &Viewer,
    entity: &str,
    customer: i64,
    id: i64,
) -> Result<Vec<HistoryEntry>, CoreError> {
    let caller = &viewer.caller;
    match entity {
        "contact" => {
            all(|page| async move {
                state
                    .services
                    .contacts
                    .history(caller, CustomerId(customer), ContactId(id), &page)
                    .await
            })
            .await
        }
        _ => {
            all(|page| async move {
                state
                    .services
                    .customers
                    .history(caller, CustomerId(id), &page)
                    .await
            })
            .await
        }
    }
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
    let entries = entries_of(state, viewer, entity, customer, id).await?;
    let mut who = Vec::new();
    for entry in entries.iter().rev().filter(|e| e.version > version) {
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
) -> PageResult {
    let contact = state
        .services
        .contacts
        .get_by_id(&viewer.caller, ContactId(id))
        .await?;
    let entries = entries_of(&state, &viewer, "contact", contact.customer_id.0, id).await?;
    Ok(render(&HistoryPage {
        chrome: Some(&viewer.chrome),
        flash: done.flash(),
        title: format!(
            "History of {}",
            super::contacts::display_name(&contact.fields)
        ),
        back: format!("{BASE}/contacts/{id}"),
        restore_base: format!("{BASE}/contacts/{id}/history"),
        version: contact.version,
        entries: shown(entries),
    }))
}

pub async fn customer(
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
    let entries = entries_of(&state, &viewer, "customer", id, id).await?;
    Ok(render(&HistoryPage {
        chrome: Some(&viewer.chrome),
        flash: done.flash(),
        title: format!(
            "History of {}",
            customer.fields.name.unwrap_or(customer.fields.code)
        ),
        back: format!("{BASE}/customers/{id}"),
        restore_base: format!("{BASE}/customers/{id}/history"),
        version: customer.version,
        entries: shown(entries),
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
