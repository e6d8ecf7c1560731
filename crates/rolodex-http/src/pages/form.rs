//! The edit forms of contacts and customers: what they show, read from a record's snapshot
//! (its fields as history records them) or from a submitted form, and turned into the
//! native API's merge-patch body so that pages and the API share one mapping.
//!
//! A form compares with other forms input by input, which is how an edit based on a stale
//! version is merged: the inputs the person changed keep their values, the others take the
//! values written meanwhile, and inputs changed on both sides are shown as conflicts.

use rolodex_domain::ValidationErrors;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// How an input is shown and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line of text; empty clears the field.
    Line,
    /// Several lines of text.
    Long,
    /// A list, one item per line.
    List,
    /// A checkbox.
    Flag,
}

#[derive(Debug)]
pub struct Field {
    /// The canonical field name (`notifications.on_new` for a member of an object).
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub hint: &'static str,
}

impl Field {
    pub fn is_flag(&self) -> bool {
        self.kind == Kind::Flag
    }

    /// Whether it takes several lines (a long text or a list).
    pub fn is_multiline(&self) -> bool {
        matches!(self.kind, Kind::Long | Kind::List)
    }
}

const fn line(name: &'static str, label: &'static str) -> Field {
    Field {
        name,
        label,
        kind: Kind::Line,
        hint: "",
    }
}

const fn flag(name: &'static str, label: &'static str) -> Field {
    Field {
        name,
        label,
        kind: Kind::Flag,
        hint: "",
    }
}

/// A group of inputs under a legend.
#[derive(Debug)]
pub struct Section {
    pub legend: &'static str,
    pub fields: &'static [Field],
}

/// Which record a form edits, and what it has besides its sections.
#[derive(Debug)]
pub struct Shape {
    pub sections: &'static [Section],
    /// A list of typed phones.
    pub phones: bool,
    /// An owner, one of the tenant's users.
    pub owner: bool,
}

pub const CONTACT: Shape = Shape {
    sections: &[
        Section {
            legend: "Name",
            fields: &[
                line("salutation", "Salutation"),
                line("first_name", "First name"),
                line("initial", "Initial"),
                line("last_name", "Last name"),
                Field {
                    name: "full_name",
                    label: "Full name",
                    kind: Kind::Line,
                    hint: "Leave empty to use the name's parts",
                },
                line("title", "Title or function"),
                line("code", "Contact code"),
                line("external_id", "External id"),
                line("status", "Status"),
            ],
        },
        Section {
            legend: "Email and web",
            fields: &[
                Field {
                    name: "emails",
                    label: "Emails",
                    kind: Kind::List,
                    hint: "One per line; the first is the main one",
                },
                line("web_address", "Web address"),
            ],
        },
        Section {
            legend: "Address",
            fields: &[
                line("mail_stop", "Mail stop"),
                line("address_1", "Address line 1"),
                line("address_2", "Address line 2"),
                line("address_3", "Address line 3"),
                line("city", "City"),
                line("state", "State or region"),
                line("postal_code", "Postal code"),
                Field {
                    name: "country",
                    label: "Country",
                    kind: Kind::Line,
                    hint: "ISO code (US, USA) or English name",
                },
            ],
        },
        Section {
            legend: "At the customer",
            fields: &[
                flag("is_primary", "Primary contact of the customer"),
                flag("is_decision_maker", "Decision maker"),
            ],
        },
        Section {
            legend: "Notify about service requests",
            fields: &[
                flag("notifications.on_new", "New"),
                flag("notifications.on_acknowledged", "Acknowledged"),
                flag("notifications.on_dispatched", "Dispatched"),
                flag("notifications.on_completed", "Completed"),
                flag("notifications.on_failed", "Failed"),
            ],
        },
        Section {
            legend: "Notes",
            fields: &[
                Field {
                    name: "notes",
                    label: "Notes",
                    kind: Kind::Long,
                    hint: "",
                },
                Field {
                    name: "attachments",
                    label: "Attachments",
                    kind: Kind::List,
                    hint: "One URL or path per line",
                },
            ],
        },
    ],
    phones: true,
    owner: true,
};

pub const CUSTOMER: Shape = Shape {
    sections: &[
        Section {
            legend: "Customer",
            fields: &[line("code", "Customer code"), line("name", "Name")],
        },
        Section {
            legend: "Address",
            fields: &[
                Field {
                    name: "address",
                    label: "Street address",
                    kind: Kind::Long,
                    hint: "",
                },
                line("city", "City"),
                line("state", "State or region"),
                line("postal_code", "Postal code"),
                Field {
                    name: "country",
                    label: "Country",
                    kind: Kind::Line,
                    hint: "ISO code (US, USA) or English name",
                },
                line("website", "Website"),
            ],
        },
    ],
    phones: false,
    owner: false,
};

/// The phone types a contact's phone may have, in the order a form offers them.
pub const PHONE_TYPES: [&str; 6] = ["business", "mobile", "home", "fax", "pager", "other"];

/// One phone row of a form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhoneRow {
    /// The phone's id, empty for a new one.
    pub id: String,
    pub kind: String,
    pub number: String,
}

impl PhoneRow {
    pub fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }
}

/// An edit form's inputs.
#[derive(Debug, Clone)]
pub struct Form {
    pub shape: &'static Shape,
    values: BTreeMap<String, String>,
    flags: BTreeSet<String>,
    pub phones: Vec<PhoneRow>,
    /// Custom fields, name and value.
    pub custom: Vec<(String, String)>,
    /// The custom field names the form showed: one left out when it comes back is removed.
    pub custom_shown: Vec<String>,
    /// The owner's user id (a page shows and takes the username, see `contacts`).
    pub owner: String,
    errors: BTreeMap<String, Vec<String>>,
    /// Errors of no input of the form.
    pub general_errors: Vec<String>,
}

/// The inputs that differ between two forms, in the form's order: a field name, or
/// `phones`, `custom_fields` and `owner_id` for those groups.
pub type Keys = Vec<String>;

/// An input changed both meanwhile and by the person editing, to different values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub label: String,
    pub theirs: String,
    pub mine: String,
}

impl Form {
    fn empty(shape: &'static Shape) -> Self {
        Self {
            shape,
            values: BTreeMap::new(),
            flags: BTreeSet::new(),
            phones: Vec::new(),
            custom: Vec::new(),
            custom_shown: Vec::new(),
            owner: String::new(),
            errors: BTreeMap::new(),
            general_errors: Vec::new(),
        }
    }

    fn fields(&self) -> impl Iterator<Item = &'static Field> + use<> {
        self.shape.sections.iter().flat_map(|s| s.fields.iter())
    }

    /// The form showing a record whose fields are `snapshot`.
    pub fn from_snapshot(shape: &'static Shape, snapshot: &Map<String, Value>) -> Self {
        let mut form = Self::empty(shape);
        for field in form.fields() {
            let value = lookup(snapshot, field.name);
            match field.kind {
                Kind::Line | Kind::Long => {
                    if let Some(text) = value.as_str() {
                        form.values.insert(field.name.into(), text.into());
                    }
                }
                Kind::List => {
                    let items: Vec<&str> = value
                        .as_array()
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    form.values.insert(field.name.into(), items.join("\n"));
                }
                Kind::Flag => {
                    if value.as_bool() == Some(true) {
                        form.flags.insert(field.name.into());
                    }
                }
            }
        }
        form.phones = snapshot
            .get("phones")
            .and_then(Value::as_array)
            .map(|phones| {
                phones
                    .iter()
                    .map(|p| PhoneRow {
                        id: p["id"]
                            .as_u64()
                            .map(|id| id.to_string())
                            .unwrap_or_default(),
                        kind: p["type"].as_str().unwrap_or_default().into(),
                        number: p["number"].as_str().unwrap_or_default().into(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        form.custom = snapshot
            .get("custom_fields")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().into()))
                    .collect()
            })
            .unwrap_or_default();
        form.custom_shown = form.custom.iter().map(|(k, _)| k.clone()).collect();
        form.owner = snapshot
            .get("owner_id")
            .and_then(Value::as_i64)
            .map(|id| id.to_string())
            .unwrap_or_default();
        form
    }

    /// The form as submitted (`pairs` in their order; repeated names are rows).
    pub fn from_pairs(shape: &'static Shape, pairs: &[(String, String)]) -> Self {
        let mut form = Self::empty(shape);
        let known: BTreeMap<&str, Kind> = form.fields().map(|f| (f.name, f.kind)).collect();
        let (mut ids, mut kinds, mut numbers) = (Vec::new(), Vec::new(), Vec::new());
        let (mut names, mut values) = (Vec::new(), Vec::new());
        for (name, value) in pairs {
            match (name.as_str(), known.get(name.as_str())) {
                (_, Some(Kind::Flag)) => {
                    form.flags.insert(name.clone());
                }
                (_, Some(Kind::List)) => {
                    let items: Vec<&str> = value
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect();
                    form.values.insert(name.clone(), items.join("\n"));
                }
                (_, Some(_)) => {
                    form.values
                        .insert(name.clone(), value.replace("\r\n", "\n"));
                }
                ("phone_id", None) => ids.push(value.clone()),
                ("phone_type", None) => kinds.push(value.clone()),
                ("phone_number", None) => numbers.push(value.clone()),
                ("custom_name", None) => names.push(value.trim().to_owned()),
                ("custom_value", None) => values.push(value.replace("\r\n", "\n")),
                ("custom_shown", None) => form.custom_shown.push(value.clone()),
                _ => {}
            }
        }
        form.phones = numbers
            .into_iter()
            .enumerate()
            .map(|(i, number)| PhoneRow {
                id: ids.get(i).cloned().unwrap_or_default(),
                kind: kinds.get(i).cloned().unwrap_or_default(),
                number: number.trim().to_owned(),
            })
            .filter(|row| !row.number.is_empty())
            .collect();
        form.custom = names
            .into_iter()
            .zip(values)
            .filter(|(name, _)| !name.is_empty())
            .collect();
        form
    }

    /// The merge-patch body the form means: every input it shows is written (an empty one
    /// clears its field), custom fields it showed and no longer has are removed.
    pub fn to_body(&self) -> Map<String, Value> {
        let mut body = Map::new();
        for field in self.fields() {
            let value = match field.kind {
                Kind::Line | Kind::Long => match self.value(field.name) {
                    "" => Value::Null,
                    text => Value::String(text.to_owned()),
                },
                Kind::List => Value::Array(
                    self.value(field.name)
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| Value::String(l.to_owned()))
                        .collect(),
                ),
                Kind::Flag => Value::Bool(self.checked(field.name)),
            };
            match field.name.split_once('.') {
                Some((object, member)) => {
                    let entry = body
                        .entry(object.to_owned())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(m) = entry {
                        m.insert(member.to_owned(), value);
                    }
                }
                None => {
                    body.insert(field.name.to_owned(), value);
                }
            }
        }
        if self.shape.phones {
            let phones = self
                .phones
                .iter()
                .map(|p| match p.id.parse::<u64>() {
                    Ok(id) => json!({"id": id, "type": p.kind, "number": p.number}),
                    Err(_) => json!({"type": p.kind, "number": p.number}),
                })
                .collect();
            body.insert("phones".into(), Value::Array(phones));
        }
        if self.shape.owner {
            let owner = self
                .owner
                .trim()
                .parse::<i64>()
                .map_or(Value::Null, Value::from);
            body.insert("owner_id".into(), owner);
        }
        let mut custom: Map<String, Value> = self
            .custom_shown
            .iter()
            .map(|name| (name.clone(), Value::Null))
            .collect();
        for (name, value) in &self.custom {
            custom.insert(name.clone(), Value::String(value.clone()));
        }
        body.insert("custom_fields".into(), Value::Object(custom));
        body
    }

    /// The text of input `name`.
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// Whether checkbox `name` is checked.
    pub fn checked(&self, name: &str) -> bool {
        self.flags.contains(name)
    }

    /// The errors shown beside input `name`.
    pub fn errors_of(&self, name: &str) -> &[String] {
        self.errors.get(name).map_or(&[], Vec::as_slice)
    }

    /// Shows `errors` beside the inputs they name (a phone's or an email's error beside its
    /// list), and the others at the top of the form.
    pub fn show_errors(&mut self, errors: &ValidationErrors) {
        let inputs: BTreeSet<&str> = self.fields().map(|f| f.name).collect();
        for e in &errors.0 {
            let path = e.field.as_str();
            let head = path.split(['[', '.']).next().unwrap_or(path);
            let input = if inputs.contains(path) {
                path
            } else if inputs.contains(head) || matches!(head, "phones" | "owner_id") {
                head
            } else if head == "custom_fields" {
                "custom_fields"
            } else {
                self.general_errors
                    .push(format!("{}: {}", e.field, e.message));
                continue;
            };
            let message = if path == input {
                e.message.clone()
            } else {
                format!(
                    "{}: {}",
                    &path[input.len()..].trim_start_matches('.'),
                    e.message
                )
            };
            self.errors
                .entry(input.to_owned())
                .or_default()
                .push(message);
        }
    }

    /// The inputs (or groups) whose values differ between `self` and `other`.
    fn differences(&self, other: &Form) -> Keys {
        let mut keys: Keys = self
            .fields()
            .filter(|f| match f.kind {
                Kind::Flag => self.checked(f.name) != other.checked(f.name),
                _ => self.value(f.name) != other.value(f.name),
            })
            .map(|f| f.name.to_owned())
            .collect();
        if self.phones != other.phones {
            keys.push("phones".into());
        }
        if sorted(&self.custom) != sorted(&other.custom) {
            keys.push("custom_fields".into());
        }
        if self.owner != other.owner {
            keys.push("owner_id".into());
        }
        keys
    }

    /// Copies input `key` (see [`Keys`]) from `from`.
    fn take(&mut self, key: &str, from: &Form) {
        match key {
            "phones" => self.phones.clone_from(&from.phones),
            "custom_fields" => self.custom.clone_from(&from.custom),
            "owner_id" => self.owner.clone_from(&from.owner),
            name if from.checked(name) => {
                self.flags.insert(name.to_owned());
            }
            name if self
                .fields()
                .any(|f| f.name == name && f.kind == Kind::Flag) =>
            {
                self.flags.remove(name);
            }
            name => {
                self.values
                    .insert(name.to_owned(), from.value(name).to_owned());
            }
        }
    }

    /// How input `key` reads on a page.
    fn display(&self, key: &str) -> String {
        match key {
            "phones" => self
                .phones
                .iter()
                .map(|p| format!("{} {}", p.kind, p.number))
                .collect::<Vec<_>>()
                .join(", "),
            "custom_fields" => self
                .custom
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", "),
            "owner_id" => self.owner.clone(),
            name if self
                .fields()
                .any(|f| f.name == name && f.kind == Kind::Flag) =>
            {
                if self.checked(name) { "yes" } else { "no" }.to_owned()
            }
            name => self.value(name).to_owned(),
        }
    }

    fn label(&self, key: &str) -> String {
        match key {
            "phones" => "Phones".into(),
            "custom_fields" => "Custom fields".into(),
            "owner_id" => "Owner".into(),
            name => self
                .fields()
                .find(|f| f.name == name)
                .map_or_else(|| name.to_owned(), |f| f.label.to_owned()),
        }
    }
}

fn sorted(pairs: &[(String, String)]) -> Vec<&(String, String)> {
    let mut v: Vec<_> = pairs.iter().collect();
    v.sort();
    v
}

/// The value of `name` in `snapshot`, looking into objects for `object.member`.
fn lookup<'a>(snapshot: &'a Map<String, Value>, name: &str) -> &'a Value {
    match name.split_once('.') {
        Some((object, member)) => snapshot
            .get(object)
            .and_then(|o| o.get(member))
            .unwrap_or(&Value::Null),
        None => snapshot.get(name).unwrap_or(&Value::Null),
    }
}

/// Merges an edit made on `base` (`mine`) with the record as it is now (`theirs`): each
/// input the person changed keeps their value, every other input takes the current one.
/// Returns the merged form and the inputs both sides changed differently.
pub fn merge(base: &Form, theirs: &Form, mine: &Form) -> (Form, Vec<Conflict>) {
    let changed_by_me = base.differences(mine);
    let changed_by_them = base.differences(theirs);
    let mut merged = theirs.clone();
    merged.custom_shown.clone_from(&theirs.custom_shown);
    let mut conflicts = Vec::new();
    for key in &changed_by_me {
        merged.take(key, mine);
        if changed_by_them.contains(key) && theirs.display(key) != mine.display(key) {
            conflicts.push(Conflict {
                label: mine.label(key),
                theirs: theirs.display(key),
                mine: mine.display(key),
            });
        }
    }
    (merged, conflicts)
}

/// The first value of `name` among a submitted form's `pairs` (empty when it has none).
pub fn value_of<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Percent-encodes `text` for a URL's query.
pub fn url_encode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_snapshot_shown_and_submitted_unchanged_means_the_same_fields() {
        let record = snapshot(json!({
            "first_name": "Ann", "last_name": null, "emails": ["a@x.io", "b@x.io"],
            "phones": [{"id": 3, "type": "mobile", "number": "555"}],
            "is_primary": true, "notifications": {"on_new": true, "on_failed": false},
            "custom_fields": {"size": "L"}, "owner_id": 7
        }));
        let shown = Form::from_snapshot(&CONTACT, &record);
        let submitted = Form::from_pairs(
            &CONTACT,
            &pairs(&[
                ("first_name", "Ann"),
                ("last_name", ""),
                ("emails", "a@x.io\r\nb@x.io\r\n"),
                ("phone_id", "3"),
                ("phone_type", "mobile"),
                ("phone_number", "555"),
                ("phone_id", ""),
                ("phone_type", "fax"),
                ("phone_number", ""),
                ("is_primary", "on"),
                ("notifications.on_new", "on"),
                ("custom_name", "size"),
                ("custom_value", "L"),
                ("custom_shown", "size"),
            ]),
        );
        let mut submitted = submitted;
        submitted.owner = "7".into();
        assert!(shown.differences(&submitted).is_empty());
        let body = submitted.to_body();
        assert_eq!(body["first_name"], json!("Ann"));
        assert_eq!(body["last_name"], Value::Null);
        assert_eq!(body["emails"], json!(["a@x.io", "b@x.io"]));
        assert_eq!(
            body["phones"],
            json!([{"id": 3, "type": "mobile", "number": "555"}])
        );
        assert_eq!(body["notifications"]["on_new"], json!(true));
        assert_eq!(body["notifications"]["on_failed"], json!(false));
        assert_eq!(body["custom_fields"], json!({"size": "L"}));
        assert_eq!(body["owner_id"], json!(7));
    }

    #[test]
    fn a_custom_field_left_out_is_removed() {
        let form = Form::from_pairs(
            &CUSTOMER,
            &pairs(&[("code", "C1"), ("custom_shown", "old"), ("custom_name", "")]),
        );
        assert_eq!(form.to_body()["custom_fields"], json!({"old": null}));
    }

    #[test]
    fn a_stale_edit_keeps_my_changes_takes_theirs_and_names_the_clashes() {
        let base = Form::from_snapshot(
            &CONTACT,
            &snapshot(json!({"first_name": "Ann", "city": "Oslo", "title": "CEO"})),
        );
        let theirs = Form::from_snapshot(
            &CONTACT,
            &snapshot(json!({"first_name": "Anna", "city": "Bergen", "title": "CEO"})),
        );
        let mut mine = base.clone();
        mine.values.insert("city".into(), "Trondheim".into());
        mine.values.insert("title".into(), "CFO".into());
        let (merged, conflicts) = merge(&base, &theirs, &mine);
        assert_eq!(merged.value("first_name"), "Anna");
        assert_eq!(merged.value("title"), "CFO");
        assert_eq!(merged.value("city"), "Trondheim");
        assert_eq!(
            conflicts,
            [Conflict {
                label: "City".into(),
                theirs: "Bergen".into(),
                mine: "Trondheim".into()
            }]
        );
    }

    #[test]
    fn errors_sit_beside_their_inputs() {
        let mut form = Form::from_pairs(&CONTACT, &[]);
        let errors = ValidationErrors(vec![
            rolodex_domain::ValidationError::new("emails[1]", "invalid_email", "is not valid"),
            rolodex_domain::ValidationError::new("country", "invalid_country", "unknown"),
            rolodex_domain::ValidationError::new("photo", "x", "bad"),
        ]);
        form.show_errors(&errors);
        assert_eq!(form.errors_of("emails"), ["[1]: is not valid"]);
        assert_eq!(form.errors_of("country"), ["unknown"]);
        assert_eq!(form.general_errors, ["photo: bad"]);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            url_encode("/app/contacts?q=a b&x=1"),
            "%2Fapp%2Fcontacts%3Fq%3Da+b%26x%3D1"
        );
    }
}
