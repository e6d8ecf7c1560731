//! What a file's values mean: the contact field each CSV header names (Rolodex's own export,
//! Google Contacts, Outlook, and common words), and the [`Draft`] both readers fill before
//! it becomes a row's patch.
//!
//! A field the file has (a column, even empty; a vCard property) is set from it, an empty
//! value clearing it, so a file re-imported over its own contacts changes nothing; a field
//! the file lacks is left alone.

use rolodex_core::ImportRow;
use rolodex_domain::{ContactPatch, MapPatch, NotificationsPatch, Patch, PhoneInput, PhoneType};
use rolodex_domain::{ValidationError, ValidationErrors};
use std::collections::BTreeMap;

/// The field names a mapping may give a column besides the columns of Rolodex's own CSV
/// export ([`crate::CSV_COLUMNS`]).
pub const MAPPING_FIELDS: &[&str] = &[
    "organisation",
    "email",
    "phone_business",
    "phone_home",
    "phone_mobile",
    "phone_fax",
    "phone_pager",
    "phone_other",
    "street",
    "middle_name",
    "categories",
    "custom.<name>",
    "ignore",
];

/// A text field of the contact that one value sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    Code,
    ExternalId,
    Status,
    Salutation,
    FirstName,
    Initial,
    LastName,
    Title,
    MailStop,
    City,
    State,
    PostalCode,
    Country,
    WebAddress,
    Notes,
}

/// A part of a postal address, in a group of columns that make one address (Outlook's
/// business, home and other addresses; Google's `Address 1`, `Address 2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Street lines, one per line of the value.
    Street,
    Line(usize),
    City,
    State,
    PostalCode,
    Country,
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Text(Text),
    /// The code of the contact's customer.
    CustomerCode,
    /// The organisation (company): a customer's code or name.
    Organisation,
    /// The address lines of Rolodex's own columns.
    AddressLine(usize),
    MiddleName,
    FullName,
    /// One or more addresses (separated by line breaks or Google's ` ::: `).
    Email,
    Phone(PhoneType),
    /// Rolodex's own: one `type: number` per line.
    Phones,
    /// Google's numbered phone columns: the label, or the value(s), of phone `n`.
    PhoneLabel(u32),
    PhoneValue(u32),
    Address(u32, Part),
    Categories,
    Attachments,
    IsPrimary,
    IsDecisionMaker,
    Notifications,
    /// A JSON object of name -> text.
    CustomFields,
    CustomField(String),
    Ignore,
}

/// A header as compared: lower case, letters and digits only.
fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The field a mapping names: a column of Rolodex's export or one of [`MAPPING_FIELDS`].
pub(crate) fn field(name: &str) -> Option<Target> {
    if let Some(custom) = name.strip_prefix("custom.") {
        return (!custom.is_empty()).then(|| Target::CustomField(custom.to_owned()));
    }
    Some(match name {
        "organisation" | "organization" => Target::Organisation,
        "middle_name" => Target::MiddleName,
        "street" => Target::Address(0, Part::Street),
        "email" => Target::Email,
        "categories" => Target::Categories,
        "ignore" => Target::Ignore,
        _ => {
            let phone = name
                .strip_prefix("phone_")
                .and_then(|t| t.parse::<PhoneType>().ok());
            match phone {
                Some(kind) => Target::Phone(kind),
                None if crate::CSV_COLUMNS.contains(&name) => header(name, false)?,
                None => return None,
            }
        }
    })
}

/// The field a header names, if Rolodex recognises it. `outlook` is set for files whose
/// header is Outlook's, where `Title` is the salutation ("Mr.") and `Job Title` the title.
pub(crate) fn header(raw: &str, outlook: bool) -> Option<Target> {
    use Target as T;
    let h = normalise(raw);
    let text = |t| Some(T::Text(t));
    if let Some(target) = numbered(&h) {
        return Some(target);
    }
    match h.as_str() {
        // Rolodex's own export, then Google's and Outlook's words, then common ones.
        "customercode" => Some(T::CustomerCode),
        "customername" | "company" | "organisation" | "organization" | "organizationname"
        | "companyname" | "customer" | "accountname" => Some(T::Organisation),
        "code" | "contactcode" => text(Text::Code),
        "externalid" | "uid" | "id" => text(Text::ExternalId),
        "status" => text(Text::Status),
        "salutation" | "nameprefix" | "prefix" => text(Text::Salutation),
        "firstname" | "givenname" | "forename" => text(Text::FirstName),
        "middlename" | "additionalname" => Some(T::MiddleName),
        "initial" => text(Text::Initial),
        "lastname" | "familyname" | "surname" => text(Text::LastName),
        "fullname" | "name" | "displayname" | "contactname" => Some(T::FullName),
        "title" if outlook => text(Text::Salutation),
        "title" | "jobtitle" | "organizationtitle" | "position" | "function" => text(Text::Title),
        "mailstop" => text(Text::MailStop),
        "address1" => Some(T::AddressLine(0)),
        "address2" => Some(T::AddressLine(1)),
        "address3" => Some(T::AddressLine(2)),
        "address" | "street" | "streetaddress" => Some(T::Address(0, Part::Street)),
        "city" | "town" => text(Text::City),
        "state" | "region" | "province" => text(Text::State),
        "postalcode" | "zip" | "zipcode" | "postcode" => text(Text::PostalCode),
        "country" | "countryregion" => text(Text::Country),
        "phones" => Some(T::Phones),
        "emails" | "email" | "emailaddress" | "mail" => Some(T::Email),
        "phone" | "telephone" | "businessphone" | "businessphone2" | "companymainphone"
        | "workphone" => Some(T::Phone(PhoneType::Business)),
        "mobile" | "mobilephone" | "cell" | "cellphone" | "carphone" => {
            Some(T::Phone(PhoneType::Mobile))
        }
        "homephone" | "homephone2" => Some(T::Phone(PhoneType::Home)),
        "fax" | "businessfax" | "homefax" | "otherfax" => Some(T::Phone(PhoneType::Fax)),
        "pager" => Some(T::Phone(PhoneType::Pager)),
        "otherphone" | "primaryphone" | "assistantsphone" | "callback" | "isdn" | "radiophone"
        | "telex" | "ttytddphone" => Some(T::Phone(PhoneType::Other)),
        "webaddress" | "webpage" | "website" | "url" | "web" => text(Text::WebAddress),
        "notes" | "note" | "comments" => text(Text::Notes),
        "attachments" => Some(T::Attachments),
        "isprimary" => Some(T::IsPrimary),
        "isdecisionmaker" => Some(T::IsDecisionMaker),
        "notifications" => Some(T::Notifications),
        "customfields" => Some(T::CustomFields),
        "categories" | "labels" | "groupmembership" => Some(T::Categories),
        _ => outlook_address(&h),
    }
}

/// Google's numbered columns: `Phone 1 - Label`, `E-mail 2 - Value`, `Address 1 - City`,
/// `Website 1 - Value`, `Organization 1 - Name` (older exports say `Type` for `Label`).
fn numbered(h: &str) -> Option<Target> {
    use Target as T;
    let split = |prefix: &str| -> Option<(u32, &str)> {
        let rest = h.strip_prefix(prefix)?;
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n = rest[..digits].parse().ok()?;
        Some((n, &rest[digits..]))
    };
    if let Some((n, what)) = split("phone") {
        return match what {
            "label" | "type" => Some(T::PhoneLabel(n)),
            "value" => Some(T::PhoneValue(n)),
            _ => None,
        };
    }
    if let Some((_, what)) = split("email") {
        return Some(if matches!(what, "value" | "address") {
            T::Email
        } else {
            T::Ignore
        });
    }
    if let Some((n, what)) = split("website") {
        return Some(if what == "value" && n == 1 {
            T::Text(Text::WebAddress)
        } else {
            T::Ignore
        });
    }
    if let Some((n, what)) = split("organization") {
        return Some(match (n, what) {
            (1, "name") => T::Organisation,
            (1, "title") => T::Text(Text::Title),
            _ => T::Ignore,
        });
    }
    if let Some((n, what)) = split("address") {
        let part = match what {
            "street" => Part::Street,
            "city" => Part::City,
            "region" => Part::State,
            "postalcode" => Part::PostalCode,
            "country" => Part::Country,
            // Rolodex's own `address_1`..`address_3` are lines, not groups.
            "" => return None,
            _ => return Some(T::Ignore),
        };
        return Some(T::Address(n, part));
    }
    None
}

/// Outlook's `Business Street 2`, `Home City`, `Other Country/Region`...: address groups 0
/// (business), 1 (home) and 2 (other).
fn outlook_address(h: &str) -> Option<Target> {
    let (group, rest) = [("business", 0), ("home", 1), ("other", 2)]
        .into_iter()
        .find_map(|(p, g)| h.strip_prefix(p).map(|rest| (g, rest)))?;
    let part = match rest {
        "street" => Part::Line(0),
        "street2" => Part::Line(1),
        "street3" => Part::Line(2),
        "city" => Part::City,
        "state" => Part::State,
        "postalcode" => Part::PostalCode,
        "countryregion" | "country" => Part::Country,
        _ => return None,
    };
    Some(Target::Address(group, part))
}

/// The kind of phone a label (Google's `Work Fax`, vCard's `TYPE=CELL`) names.
pub(crate) fn phone_type(label: &str) -> PhoneType {
    let l = label.to_lowercase();
    if l.contains("fax") {
        PhoneType::Fax
    } else if l.contains("mobile") || l.contains("cell") || l.contains("iphone") {
        PhoneType::Mobile
    } else if l.contains("pager") {
        PhoneType::Pager
    } else if l.contains("work") || l.contains("business") || l.contains("main") {
        PhoneType::Business
    } else if l.contains("home") {
        PhoneType::Home
    } else {
        PhoneType::Other
    }
}

/// Splits a cell holding several values (line breaks, or Google's ` ::: `).
pub(crate) fn values(cell: &str) -> impl Iterator<Item = &str> {
    cell.split('\n')
        .flat_map(|line| line.split(":::"))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// One postal address as a file gives it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Address {
    pub lines: Vec<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

impl Address {
    fn is_empty(&self) -> bool {
        self.lines.iter().all(String::is_empty)
            && [&self.city, &self.state, &self.postal_code, &self.country]
                .iter()
                .all(|v| v.is_empty())
    }

    fn set(&mut self, part: Part, value: &str) {
        match part {
            Part::Street => self.lines = value.lines().map(|l| l.trim().to_owned()).collect(),
            Part::Line(i) => {
                if self.lines.len() <= i {
                    self.lines.resize(i + 1, String::new());
                }
                value.trim().clone_into(&mut self.lines[i]);
            }
            Part::City => value.clone_into(&mut self.city),
            Part::State => value.clone_into(&mut self.state),
            Part::PostalCode => value.clone_into(&mut self.postal_code),
            Part::Country => value.clone_into(&mut self.country),
        }
    }
}

/// A contact as read from a file, before it becomes a patch.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub patch: ContactPatch,
    pub customer_code: Option<String>,
    pub organisation: Option<String>,
    pub middle_name: Option<String>,
    pub full_name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<PhoneInput>>,
    /// Google's numbered phones: label and values of each.
    pub labelled_phones: BTreeMap<u32, (String, String)>,
    pub addresses: BTreeMap<u32, Address>,
    pub categories: Option<Vec<String>>,
    pub custom: BTreeMap<String, Option<String>>,
    pub photo: Option<Vec<u8>>,
    pub errors: ValidationErrors,
}

impl Draft {
    /// Takes one value of the file for `target`.
    pub fn put(&mut self, target: &Target, value: &str) {
        let value = value.trim();
        let p = &mut self.patch;
        match target {
            Target::Text(t) => {
                let slot = match t {
                    Text::Code => &mut p.code,
                    Text::ExternalId => &mut p.external_id,
                    Text::Status => &mut p.status,
                    Text::Salutation => &mut p.salutation,
                    Text::FirstName => &mut p.first_name,
                    Text::Initial => &mut p.initial,
                    Text::LastName => &mut p.last_name,
                    Text::Title => &mut p.title,
                    Text::MailStop => &mut p.mail_stop,
                    Text::City => &mut p.city,
                    Text::State => &mut p.state,
                    Text::PostalCode => &mut p.postal_code,
                    Text::Country => &mut p.country,
                    Text::WebAddress => &mut p.web_address,
                    Text::Notes => &mut p.notes,
                };
                *slot = Patch::Set(value.to_owned());
            }
            Target::AddressLine(i) => {
                let slot = [&mut p.address_1, &mut p.address_2, &mut p.address_3]
                    .into_iter()
                    .nth(*i);
                if let Some(slot) = slot {
                    *slot = Patch::Set(value.to_owned());
                }
            }
            Target::CustomerCode => self.customer_code = Some(value.to_owned()),
            Target::Organisation => {
                if self.organisation.as_deref().is_none_or(str::is_empty) {
                    self.organisation = Some(value.to_owned());
                }
            }
            Target::MiddleName => self.middle_name = Some(value.to_owned()),
            Target::FullName => self.full_name = Some(value.to_owned()),
            Target::Email => self
                .emails
                .get_or_insert_with(Vec::new)
                .extend(values(value).map(str::to_owned)),
            Target::Phone(kind) => {
                let phones = self.phones.get_or_insert_with(Vec::new);
                phones.extend(values(value).map(|number| phone(*kind, number)));
            }
            Target::Phones => {
                let phones = self.phones.get_or_insert_with(Vec::new);
                for line in value.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    let (kind, number) = line.split_once(':').unwrap_or(("other", line));
                    phones.push(PhoneInput {
                        id: None,
                        kind: kind.trim().to_owned(),
                        number: number.trim().to_owned(),
                    });
                }
            }
            Target::PhoneLabel(n) => {
                value.clone_into(&mut self.labelled_phones.entry(*n).or_default().0);
            }
            Target::PhoneValue(n) => {
                value.clone_into(&mut self.labelled_phones.entry(*n).or_default().1);
            }
            Target::Address(group, part) => {
                self.addresses.entry(*group).or_default().set(*part, value);
            }
            Target::Categories => {
                let list = self.categories.get_or_insert_with(Vec::new);
                for category in value.split([',', ';']).flat_map(|v| v.split(":::")) {
                    let category = category.trim();
                    // Google marks every contact with its system groups ("* myContacts").
                    if !category.is_empty() && !category.starts_with('*') {
                        list.push(category.to_owned());
                    }
                }
            }
            Target::Attachments => {
                p.attachments = Patch::Set(value.lines().map(|l| l.trim().to_owned()).collect());
                if let Patch::Set(list) = &mut p.attachments {
                    list.retain(|l| !l.is_empty());
                }
            }
            Target::IsPrimary => self.patch.is_primary = self.flag("is_primary", value),
            Target::IsDecisionMaker => {
                self.patch.is_decision_maker = self.flag("is_decision_maker", value);
            }
            Target::Notifications => self.notifications(value),
            Target::CustomFields => self.custom_fields(value),
            Target::CustomField(name) => {
                self.custom.insert(name.clone(), Some(value.to_owned()));
            }
            Target::Ignore => {}
        }
    }

    fn flag(&mut self, field: &'static str, value: &str) -> Patch<bool> {
        match value.to_lowercase().as_str() {
            "" => Patch::Clear,
            "true" | "yes" | "y" | "1" | "x" => Patch::Set(true),
            "false" | "no" | "n" | "0" => Patch::Set(false),
            _ => {
                self.errors.push(ValidationError::new(
                    field,
                    "invalid_boolean",
                    format!("{value:?} is not true or false"),
                ));
                Patch::Absent
            }
        }
    }

    fn notifications(&mut self, value: &str) {
        let mut patch = NotificationsPatch {
            on_new: Patch::Set(false),
            on_acknowledged: Patch::Set(false),
            on_dispatched: Patch::Set(false),
            on_completed: Patch::Set(false),
            on_failed: Patch::Set(false),
        };
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let slot = match name {
                "new" => &mut patch.on_new,
                "acknowledged" => &mut patch.on_acknowledged,
                "dispatched" => &mut patch.on_dispatched,
                "completed" => &mut patch.on_completed,
                "failed" => &mut patch.on_failed,
                _ => {
                    self.errors.push(ValidationError::new(
                        "notifications",
                        "invalid_notification",
                        format!(
                            "{name:?} is not one of new, acknowledged, dispatched, completed, failed"
                        ),
                    ));
                    continue;
                }
            };
            *slot = Patch::Set(true);
        }
        self.patch.notifications = patch;
    }

    fn custom_fields(&mut self, value: &str) {
        if value.is_empty() {
            self.patch.custom_fields = MapPatch::Replace(BTreeMap::new());
            return;
        }
        match serde_json::from_str::<BTreeMap<String, String>>(value) {
            Ok(map) => self.patch.custom_fields = MapPatch::Replace(map),
            Err(_) => self.errors.push(ValidationError::new(
                "custom_fields",
                "invalid_custom_fields",
                "is not a JSON object of texts",
            )),
        }
    }

    /// The row, or its report if a value could not be read.
    pub fn finish(mut self, row: u64) -> Result<ImportRow, rolodex_core::RowReport> {
        if let Some(middle) = self.middle_name.take() {
            // The model keeps an initial of at most 8 characters: a longer middle name
            // gives its first letter.
            let initial = if middle.chars().count() > 8 {
                middle.chars().take(1).collect()
            } else {
                middle
            };
            self.patch.initial = Patch::Set(initial);
        }
        if let Some(full) = self.full_name.take() {
            // The model derives the full name from the parts: a file's full name is kept on
            // its own only when it says something else.
            let derived = [
                &self.patch.first_name,
                &self.patch.initial,
                &self.patch.last_name,
            ]
            .into_iter()
            .filter_map(|p| match p {
                Patch::Set(v) if !v.is_empty() => Some(v.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ");
            self.patch.full_name = if full == derived || full.is_empty() {
                Patch::Clear
            } else {
                Patch::Set(full)
            };
        }
        if !self.labelled_phones.is_empty() {
            let phones = self.phones.get_or_insert_with(Vec::new);
            for (label, numbers) in self.labelled_phones.values() {
                let kind = phone_type(label);
                phones.extend(values(numbers).map(|n| phone(kind, n)));
            }
        }
        if let Some(phones) = self.phones.take() {
            self.patch.phones = Patch::Set(phones);
        }
        if let Some(emails) = self.emails.take() {
            self.patch.emails = Patch::Set(emails);
        }
        self.address();
        if let Some(categories) = self.categories.take() {
            self.custom.insert(
                "categories".into(),
                (!categories.is_empty()).then(|| categories.join(", ")),
            );
        }
        if !self.custom.is_empty() {
            let custom = std::mem::take(&mut self.custom);
            self.patch.custom_fields = match std::mem::take(&mut self.patch.custom_fields) {
                MapPatch::Replace(mut map) => {
                    for (k, v) in custom {
                        match v {
                            Some(v) => map.insert(k, v),
                            None => map.remove(&k),
                        };
                    }
                    MapPatch::Replace(map)
                }
                _ => MapPatch::Merge(custom),
            };
        }
        if !self.errors.is_empty() {
            return Err(rolodex_core::RowReport::refused(row, self.errors.0));
        }
        Ok(ImportRow {
            row,
            customer_code: self.customer_code.filter(|c| !c.is_empty()),
            organisation: self.organisation.filter(|o| !o.is_empty()),
            patch: self.patch,
            photo: self.photo,
        })
    }

    /// The first address group with a value (or the first group, to clear) sets the
    /// address fields.
    fn address(&mut self) {
        let chosen = self
            .addresses
            .values()
            .find(|a| !a.is_empty())
            .or_else(|| self.addresses.values().next())
            .cloned();
        let Some(address) = chosen else {
            return;
        };
        let mut lines = address.lines.into_iter().filter(|l| !l.is_empty());
        let p = &mut self.patch;
        p.address_1 = Patch::Set(lines.next().unwrap_or_default());
        p.address_2 = Patch::Set(lines.next().unwrap_or_default());
        p.address_3 = Patch::Set(lines.collect::<Vec<_>>().join(", "));
        p.city = Patch::Set(address.city);
        p.state = Patch::Set(address.state);
        p.postal_code = Patch::Set(address.postal_code);
        p.country = Patch::Set(address.country);
    }
}

fn phone(kind: PhoneType, number: &str) -> PhoneInput {
    PhoneInput {
        id: None,
        kind: kind.as_str().to_owned(),
        number: number.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_outlook_and_rolodex_headers_name_the_same_fields() {
        assert_eq!(
            header("Given Name", false),
            Some(Target::Text(Text::FirstName))
        );
        assert_eq!(header("First Name", true), header("first_name", false));
        assert_eq!(
            header("Phone 2 - Label", false),
            Some(Target::PhoneLabel(2))
        );
        assert_eq!(header("Phone 2 - Type", false), Some(Target::PhoneLabel(2)));
        assert_eq!(header("E-mail 3 - Value", false), Some(Target::Email));
        assert_eq!(header("E-mail 2 Address", true), Some(Target::Email));
        assert_eq!(
            header("Business Street 2", true),
            Some(Target::Address(0, Part::Line(1)))
        );
        assert_eq!(
            header("Address 1 - Region", false),
            Some(Target::Address(1, Part::State))
        );
        assert_eq!(
            header("Organization 1 - Name", false),
            Some(Target::Organisation)
        );
        assert_eq!(header("address_2", false), Some(Target::AddressLine(1)));
        assert_eq!(header("Favourite colour", false), None);
    }

    #[test]
    fn outlooks_title_is_the_salutation_and_its_job_title_the_title() {
        assert_eq!(header("Title", true), Some(Target::Text(Text::Salutation)));
        assert_eq!(header("Job Title", true), Some(Target::Text(Text::Title)));
        assert_eq!(header("Title", false), Some(Target::Text(Text::Title)));
    }

    #[test]
    fn a_mapping_names_fields_phone_types_and_custom_fields() {
        assert_eq!(field("phone_fax"), Some(Target::Phone(PhoneType::Fax)));
        assert_eq!(
            field("custom.size"),
            Some(Target::CustomField("size".into()))
        );
        assert_eq!(field("last_name"), Some(Target::Text(Text::LastName)));
        assert_eq!(field("surname"), None);
    }

    #[test]
    fn phone_labels_give_phone_types() {
        for (label, kind) in [
            ("* Mobile", PhoneType::Mobile),
            ("Work Fax", PhoneType::Fax),
            ("Work", PhoneType::Business),
            ("Home", PhoneType::Home),
            ("Pager", PhoneType::Pager),
            ("Grandma", PhoneType::Other),
        ] {
            assert_eq!(phone_type(label), kind, "{label}");
        }
    }

    #[test]
    fn a_full_name_equal_to_its_parts_is_left_to_be_derived() {
        let mut draft = Draft::default();
        draft.put(&Target::Text(Text::FirstName), "Ada");
        draft.put(&Target::Text(Text::LastName), "Lovelace");
        draft.put(&Target::FullName, "Ada Lovelace");
        assert_eq!(draft.finish(1).unwrap().patch.full_name, Patch::Clear);
        let mut draft = Draft::default();
        draft.put(&Target::Text(Text::FirstName), "Ada");
        draft.put(&Target::FullName, "Countess of Lovelace");
        assert_eq!(
            draft.finish(1).unwrap().patch.full_name,
            Patch::Set("Countess of Lovelace".into())
        );
    }

    #[test]
    fn googles_multi_values_and_system_labels_are_read() {
        let mut draft = Draft::default();
        draft.put(&Target::Email, "a@example.com ::: b@example.com");
        draft.put(&Target::PhoneLabel(1), "Work Fax");
        draft.put(&Target::PhoneValue(1), "+1 555 0100 ::: +1 555 0101");
        draft.put(&Target::Categories, "* myContacts ::: Suppliers");
        let row = draft.finish(3).unwrap();
        assert_eq!(
            row.patch.emails,
            Patch::Set(vec!["a@example.com".into(), "b@example.com".into()])
        );
        let Patch::Set(phones) = row.patch.phones else {
            panic!("phones are set")
        };
        assert_eq!(phones.len(), 2);
        assert_eq!(phones[0].kind, "fax");
        assert_eq!(
            row.patch.custom_fields,
            MapPatch::Merge(BTreeMap::from([(
                "categories".into(),
                Some("Suppliers".into())
            )]))
        );
    }

    #[test]
    fn the_first_address_with_a_value_is_the_contacts() {
        let mut draft = Draft::default();
        draft.put(&Target::Address(0, Part::City), "");
        draft.put(&Target::Address(1, Part::Street), "1 Main St\nSuite 4");
        draft.put(&Target::Address(1, Part::City), "Springfield");
        let row = draft.finish(1).unwrap();
        assert_eq!(row.patch.address_1, Patch::Set("1 Main St".into()));
        assert_eq!(row.patch.address_2, Patch::Set("Suite 4".into()));
        assert_eq!(row.patch.city, Patch::Set("Springfield".into()));
    }

    #[test]
    fn a_bad_flag_refuses_the_row_with_the_field_named() {
        let mut draft = Draft::default();
        draft.put(&Target::IsPrimary, "maybe");
        let report = draft.finish(7).unwrap_err();
        assert_eq!(report.row, 7);
        assert_eq!(report.errors[0].field, "is_primary");
    }
}
