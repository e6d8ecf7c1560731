//! CSV files (RFC 4180: a header row, fields quoted with `"` when they hold the separator, a
//! quote or a line break), separated by `,`, `;` (what spreadsheets write where the decimal
//! mark is a comma) or a tab, whichever the header uses most.

use crate::columns::{self, Draft, Target};
use crate::{FileError, MAX_CSV_COLUMNS, MAX_CSV_RECORD_BYTES, MAX_ROWS, Mapping};
use rolodex_core::{ExportedContact, ImportRow, RowReport};
use rolodex_domain::{Notifications, ValidationError};
use std::io::Cursor;

/// The columns of Rolodex's own export, in order. Lists (phones, emails, attachments) hold
/// one item per line; phones are `type: number`; custom fields are a JSON object.
pub const CSV_COLUMNS: &[&str] = &[
    "customer_code",
    "customer_name",
    "code",
    "external_id",
    "status",
    "salutation",
    "first_name",
    "initial",
    "last_name",
    "full_name",
    "title",
    "mail_stop",
    "address_1",
    "address_2",
    "address_3",
    "city",
    "state",
    "postal_code",
    "country",
    "phones",
    "emails",
    "web_address",
    "notes",
    "attachments",
    "is_primary",
    "is_decision_maker",
    "notifications",
    "custom_fields",
];

/// The rows of a checked CSV file.
pub(crate) struct CsvRows {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    targets: Vec<Target>,
    total: usize,
    row: u64,
    record: csv::StringRecord,
}

impl CsvRows {
    pub fn new(text: String, mapping: &Mapping) -> Result<Self, FileError> {
        let delimiter = delimiter(&text);
        let bytes = text.into_bytes();
        let total = check(&bytes, delimiter)?;
        let mut reader = builder(delimiter).from_reader(Cursor::new(bytes));
        let headers = reader
            .headers()
            .map_err(|_| FileError::NotContacts("no header row"))?
            .clone();
        let targets = targets(&headers, mapping)?;
        Ok(Self {
            reader,
            targets,
            total,
            row: 0,
            record: csv::StringRecord::new(),
        })
    }

    pub fn total(&self) -> usize {
        self.total
    }

    pub fn next(&mut self) -> Option<Result<ImportRow, RowReport>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                self.row += 1;
                return Some(Err(RowReport::refused(
                    self.row,
                    vec![ValidationError::new("row", "unreadable_row", e.to_string())],
                )));
            }
        }
        self.row += 1;
        if self.record.iter().all(str::is_empty) && self.record.len() <= 1 {
            // A blank line (spreadsheets leave them at the end) is no contact.
            return self.next();
        }
        if self.record.len() != self.targets.len() {
            return Some(Err(RowReport::refused(
                self.row,
                vec![ValidationError::new(
                    "row",
                    "wrong_field_count",
                    format!(
                        "the row has {} fields and the header {}: a quote may be missing",
                        self.record.len(),
                        self.targets.len()
                    ),
                )],
            )));
        }
        let mut draft = Draft::default();
        for (target, value) in self.targets.iter().zip(self.record.iter()) {
            draft.put(target, value);
        }
        Some(draft.finish(self.row))
    }
}

fn builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true);
    builder
}

/// The separator the header line uses most, outside quotes.
fn delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
                    c.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

/// Reads the whole file once, keeping nothing: the number of rows, each within its limit.
fn check(bytes: &[u8], delimiter: u8) -> Result<usize, FileError> {
    let mut reader = builder(delimiter).from_reader(bytes);
    let columns = reader
        .byte_headers()
        .map_err(|_| FileError::NotContacts("no header row"))?
        .len();
    if columns > MAX_CSV_COLUMNS {
        return Err(FileError::TooManyColumns);
    }
    let mut record = csv::ByteRecord::new();
    let mut rows = 0usize;
    let mut start = reader.position().byte();
    loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|_| FileError::NotContacts("a row could not be read as CSV"))?;
        let end = reader.position().byte();
        if end - start > MAX_CSV_RECORD_BYTES as u64 {
            return Err(FileError::RowTooLong {
                row: rows as u64 + 1,
                limit: MAX_CSV_RECORD_BYTES,
            });
        }
        if !more {
            return Ok(rows);
        }
        start = end;
        rows += 1;
        if rows > MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
    }
}

/// What each column holds: the caller's mapping first, then the headers Rolodex knows.
fn targets(headers: &csv::StringRecord, mapping: &Mapping) -> Result<Vec<Target>, FileError> {
    for (column, _) in mapping {
        if !headers
            .iter()
            .any(|h| h.trim().eq_ignore_ascii_case(column))
        {
            return Err(FileError::UnknownColumn(column.clone()));
        }
    }
    let outlook = headers
        .iter()
        .any(|h| h.trim().eq_ignore_ascii_case("Job Title"));
    let mut targets = Vec::with_capacity(headers.len());
    for h in headers {
        let mapped = mapping
            .iter()
            .find(|(column, _)| h.trim().eq_ignore_ascii_case(column));
        targets.push(match mapped {
            Some((_, field)) => {
                columns::field(field).ok_or_else(|| FileError::UnknownField(field.clone()))?
            }
            None => columns::header(h, outlook).unwrap_or(Target::Ignore),
        });
    }
    if targets.iter().all(|t| *t == Target::Ignore) {
        let names: Vec<&str> = headers.iter().take(8).collect();
        return Err(FileError::NoKnownColumn(names.join(", ")));
    }
    Ok(targets)
}

/// The header row of Rolodex's export.
pub(crate) fn header() -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing to a vector cannot fail.
    let _ = out.write_record(CSV_COLUMNS);
    out.into_inner().unwrap_or_default()
}

/// The rows of `contacts`, in the columns of [`CSV_COLUMNS`].
pub(crate) fn rows(contacts: &[ExportedContact]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(contacts.len() * 256));
    for exported in contacts {
        let _ = out.write_record(record(exported));
    }
    out.into_inner().unwrap_or_default()
}

fn record(exported: &ExportedContact) -> [String; 28] {
    let f = &exported.contact.fields;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
    [
        exported.customer.fields.code.clone(),
        text(&exported.customer.fields.name),
        text(&f.code),
        text(&f.external_id),
        text(&f.status),
        text(&f.salutation),
        text(&f.first_name),
        text(&f.initial),
        text(&f.last_name),
        text(&f.full_name),
        text(&f.title),
        text(&f.mail_stop),
        text(&f.address_1),
        text(&f.address_2),
        text(&f.address_3),
        text(&f.city),
        text(&f.state),
        text(&f.postal_code),
        text(&f.country),
        f.phones
            .iter()
            .map(|p| format!("{}: {}", p.kind, p.number))
            .collect::<Vec<_>>()
            .join("\n"),
        f.emails.join("\n"),
        text(&f.web_address),
        text(&f.notes),
        f.attachments.join("\n"),
        flag(f.is_primary),
        flag(f.is_decision_maker),
        notifications(&f.notifications),
        if f.custom_fields.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&f.custom_fields).unwrap_or_default()
        },
    ]
}

pub(crate) fn notifications(n: &Notifications) -> String {
    [
        (n.on_new, "new"),
        (n.on_acknowledged, "acknowledged"),
        (n.on_dispatched, "dispatched"),
        (n.on_completed, "completed"),
        (n.on_failed, "failed"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect::<Vec<_>>()
    .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::Patch;

    fn rows_of(text: &str) -> Vec<Result<ImportRow, RowReport>> {
        let mut rows = CsvRows::new(text.to_owned(), &Vec::new()).unwrap();
        std::iter::from_fn(|| rows.next()).collect()
    }

    #[test]
    fn semicolons_quotes_and_line_breaks_in_quotes_are_read() {
        let rows = rows_of(
            "First Name;Last Name;Notes\n\"Ada\";Lovelace;\"line 1\nline 2; \"\"quoted\"\"\"\n",
        );
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.patch.first_name, Patch::Set("Ada".into()));
        assert_eq!(
            row.patch.notes,
            Patch::Set("line 1\nline 2; \"quoted\"".into())
        );
    }

    #[test]
    fn a_row_with_a_missing_quote_is_refused_with_its_number() {
        let rows = rows_of("first_name,last_name\nAda,Lovelace\nAlan,Turing,extra\n");
        assert!(rows[0].is_ok());
        let refused = rows[1].as_ref().unwrap_err();
        assert_eq!(refused.row, 2);
        assert_eq!(refused.errors[0].code, "wrong_field_count");
    }

    #[test]
    fn a_header_with_no_known_column_is_refused_unless_mapped() {
        let text = "Vorname,Nachname\nAda,Lovelace\n";
        assert!(matches!(
            CsvRows::new(text.into(), &Vec::new()),
            Err(FileError::NoKnownColumn(_))
        ));
        let mapping = vec![
            ("Vorname".into(), "first_name".into()),
            ("Nachname".into(), "last_name".into()),
        ];
        let mut rows = CsvRows::new(text.into(), &mapping).unwrap();
        let row = rows.next().unwrap().unwrap();
        assert_eq!(row.patch.last_name, Patch::Set("Lovelace".into()));
        let bad = vec![("Vorname".into(), "given".into())];
        assert_eq!(
            CsvRows::new(text.into(), &bad).err(),
            Some(FileError::UnknownField("given".into()))
        );
    }

    #[test]
    fn a_row_longer_than_the_limit_refuses_the_file() {
        let text = format!("notes\n\"{}\"\n", "x".repeat(MAX_CSV_RECORD_BYTES + 1));
        assert!(matches!(
            CsvRows::new(text, &Vec::new()),
            Err(FileError::RowTooLong { row: 1, .. })
        ));
    }
}
