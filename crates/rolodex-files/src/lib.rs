//! Contacts in and out of files: CSV (with the headers of Google Contacts', Outlook's and
//! Rolodex's own exports, or a mapping of the caller's) and vCard (4.0 written; 4.0, 3.0
//! and 2.1 read). A translator, as a dialect is: a file's rows become the core's
//! [`ImportRow`]s, and exported contacts become a file's rows. It validates no contact rule
//! (the core does) and touches no storage.
//!
//! A file is checked whole before any row is read ([`read`]): its size, its encoding, its
//! kind, how many rows it has and how long each is, so that a file that cannot be imported
//! is refused before anything is written, with memory bounded by the file's size.

mod columns;
mod csv_file;
mod decode;
mod vcard_file;

pub use columns::MAPPING_FIELDS;
pub use csv_file::CSV_COLUMNS;

use rolodex_core::import::IMPORT_BATCH_ROWS;
use rolodex_core::{ExportedContact, ImportRow, RowReport};

/// The largest file: the API's body limit for an import, and the CLI's limit too.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// The most contacts one file may hold.
pub const MAX_ROWS: usize = 200_000;
/// The longest CSV record (a row, quoted line breaks included), in bytes.
pub const MAX_CSV_RECORD_BYTES: usize = 256 * 1024;
/// The most columns a CSV file may have.
pub const MAX_CSV_COLUMNS: usize = 512;
/// The longest vCard property once unfolded (a photo inline takes most of it), in bytes.
pub const MAX_VCARD_LINE_BYTES: usize = 4 * 1024 * 1024;
/// The most properties one vCard may have.
pub const MAX_VCARD_PROPERTIES: usize = 1_000;

/// The kinds of file Rolodex reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    VCard,
}

impl Format {
    /// `csv`, or `vcf` (`vcard` is accepted too).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "vcf" | "vcard" => Some(Format::VCard),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::VCard => "text/vcard; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::VCard => "vcf",
        }
    }
}

/// Why a whole file is refused (nothing of it was imported).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {MAX_FILE_BYTES} bytes")]
    TooLarge,
    #[error("the file holds more than {MAX_ROWS} contacts: split it")]
    TooManyRows,
    #[error("the file is neither CSV nor vCard ({0})")]
    NotContacts(&'static str),
    #[error(
        "the file's text is neither UTF-8 (with or without BOM), UTF-16 with a BOM, nor Windows-1252"
    )]
    BadEncoding,
    #[error("row {row} is longer than {limit} bytes")]
    RowTooLong { row: u64, limit: usize },
    #[error("the header has more than {MAX_CSV_COLUMNS} columns")]
    TooManyColumns,
    #[error("no column of the header is a contact field (columns: {0}); give a mapping")]
    NoKnownColumn(String),
    #[error("the mapping names column {0:?}, which the header does not have")]
    UnknownColumn(String),
    #[error("the mapping names field {0:?}, which is not one of: {columns}, {others}",
        columns = CSV_COLUMNS.join(", "), others = MAPPING_FIELDS.join(", "))]
    UnknownField(String),
    #[error("the mapping {0:?} is not COLUMN=FIELD")]
    BadMapping(String),
    #[error("the vCard starting on line {line} holds another vCard")]
    NestedVCard { line: u64 },
    #[error("the vCard starting on line {line} has more than {MAX_VCARD_PROPERTIES} properties")]
    TooManyProperties { line: u64 },
    #[error("the vCard starting on line {line} has no END:VCARD")]
    UnterminatedVCard { line: u64 },
}

impl FileError {
    /// A stable code for each refusal.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::Empty => "file_empty",
            FileError::TooLarge => "file_too_large",
            FileError::TooManyRows => "too_many_rows",
            FileError::NotContacts(_) => "not_a_contacts_file",
            FileError::BadEncoding => "bad_encoding",
            FileError::RowTooLong { .. } => "row_too_long",
            FileError::TooManyColumns => "too_many_columns",
            FileError::NoKnownColumn(_) => "no_known_column",
            FileError::UnknownColumn(_) => "unknown_column",
            FileError::UnknownField(_) => "unknown_field",
            FileError::BadMapping(_) => "bad_mapping",
            FileError::NestedVCard { .. } => "nested_vcard",
            FileError::TooManyProperties { .. } => "too_many_properties",
            FileError::UnterminatedVCard { .. } => "unterminated_vcard",
        }
    }
}

/// A CSV column mapping the caller gives: `(column header, field name)` pairs, taking
/// precedence over the headers Rolodex recognises (fields: [`CSV_COLUMNS`] and
/// [`MAPPING_FIELDS`]).
pub type Mapping = Vec<(String, String)>;

/// Parses `COLUMN=FIELD`.
pub fn parse_mapping(raw: &str) -> Result<(String, String), FileError> {
    match raw.rsplit_once('=') {
        Some((column, field)) if !column.trim().is_empty() && !field.trim().is_empty() => {
            Ok((column.trim().to_owned(), field.trim().to_owned()))
        }
        _ => Err(FileError::BadMapping(raw.to_owned())),
    }
}

/// A file checked whole and ready to be read row by row.
pub struct Rows {
    format: Format,
    total: usize,
    inner: Inner,
}

enum Inner {
    Csv(csv_file::CsvRows),
    VCard(vcard_file::VCardRows),
}

impl Rows {
    pub fn format(&self) -> Format {
        self.format
    }

    /// How many contacts (rows or cards) the file holds.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The next rows an import takes at a time (up to [`IMPORT_BATCH_ROWS`]; none at the end):
    /// each an [`ImportRow`], or the report of a row refused as read.
    pub fn next_batch(&mut self) -> Vec<Result<ImportRow, RowReport>> {
        (0..IMPORT_BATCH_ROWS).map_while(|_| self.next()).collect()
    }
}

impl Iterator for Rows {
    type Item = Result<ImportRow, RowReport>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Csv(rows) => rows.next(),
            Inner::VCard(rows) => rows.next(),
        }
    }
}

/// Checks a whole file and gets it ready to read: its encoding, its kind (vCard when it
/// starts with `BEGIN:VCARD`, else CSV), its size and rows. `mapping` applies to CSV files.
pub fn read(bytes: Vec<u8>, mapping: &Mapping) -> Result<Rows, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge);
    }
    let text = decode::decode(bytes)?;
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    if vcard_file::looks_like_vcard(&text) {
        let rows = vcard_file::VCardRows::new(text)?;
        Ok(Rows {
            format: Format::VCard,
            total: rows.total(),
            inner: Inner::VCard(rows),
        })
    } else {
        let rows = csv_file::CsvRows::new(text, mapping)?;
        Ok(Rows {
            format: Format::Csv,
            total: rows.total(),
            inner: Inner::Csv(rows),
        })
    }
}

/// Writes exported contacts as a file of one format, page by page.
pub struct FileWriter {
    format: Format,
}

impl FileWriter {
    pub fn new(format: Format) -> Self {
        Self { format }
    }

    /// What the file starts with (the CSV header; nothing for vCard).
    pub fn start(&self) -> Vec<u8> {
        match self.format {
            Format::Csv => csv_file::header(),
            Format::VCard => Vec::new(),
        }
    }

    /// The rows (or cards) of `contacts`.
    pub fn page(&self, contacts: &[ExportedContact]) -> Vec<u8> {
        match self.format {
            Format::Csv => csv_file::rows(contacts),
            Format::VCard => vcard_file::cards(contacts),
        }
    }
}
