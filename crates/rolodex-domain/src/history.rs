//! History entries: every change to a customer or contact, with who made it, when, through
//! which surface, and each changed field's old and new value.

use crate::ids::{TenantId, UserId};
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// The surface a change came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    /// The native REST API (`/v1`).
    Native,
    /// The command line.
    Cli,
    /// The pages for people (`/app`).
    Web,
    /// Expandable ERP, classic API.
    ExpandableClassic,
    /// Expandable ERP, newer API.
    Expandable,
    /// RPM Software's API.
    Rpm,
    /// Valomnia's API.
    Valomnia,
    /// CRO Software's dispatch API.
    Cro,
    /// A CSV or vCard file imported from the command line or the API.
    Import,
}

impl Surface {
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Native => "native",
            Surface::Cli => "cli",
            Surface::Web => "web",
            Surface::ExpandableClassic => "expandable_classic",
            Surface::Expandable => "expandable",
            Surface::Rpm => "rpm",
            Surface::Valomnia => "valomnia",
            Surface::Cro => "cro",
            Surface::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Surface::Native,
            Surface::Cli,
            Surface::Web,
            Surface::ExpandableClassic,
            Surface::Expandable,
            Surface::Rpm,
            Surface::Valomnia,
            Surface::Cro,
            Surface::Import,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// What kind of change an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Create,
    Update,
    Delete,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Create => "create",
            Change::Update => "update",
            Change::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "create" => Some(Change::Create),
            "update" => Some(Change::Update),
            "delete" => Some(Change::Delete),
            _ => None,
        }
    }
}

/// One field's value before and after a change (`null` where there was none).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    #[serde(skip)]
    pub tenant_id: TenantId,
    /// `customer` or `contact`.
    pub entity: String,
    pub entity_id: i64,
    /// The entity's version after the change.
    pub version: i64,
    pub change: Change,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub user_id: Option<UserId>,
    pub username: String,
    pub surface: Surface,
    pub changes: Vec<FieldChange>,
}

/// The fields that differ between two JSON objects, in key order, with `null` for a missing
/// side. Both snapshots come from serialising the same struct, so keys line up.
pub fn diff(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<FieldChange> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let o = old.get(k).unwrap_or(&Value::Null);
            let n = new.get(k).unwrap_or(&Value::Null);
            (o != n).then(|| FieldChange {
                field: k.clone(),
                old: o.clone(),
                new: n.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_only_changed_fields_with_both_values() {
        let old = json!({"a": 1, "b": "x", "c": null});
        let new = json!({"a": 1, "b": "y", "d": true});
        let d = diff(old.as_object().unwrap(), new.as_object().unwrap());
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["b", "d"]);
        assert_eq!(d[0].old, json!("x"));
        assert_eq!(d[1].old, Value::Null);
    }

    #[test]
    fn surfaces_round_trip_through_their_names() {
        for s in ["native", "cli", "web", "rpm", "cro", "valomnia"] {
            assert_eq!(Surface::parse(s).unwrap().as_str(), s);
        }
    }
}
