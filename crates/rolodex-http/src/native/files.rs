//! Contacts in and out of files. `POST /v1/imports` takes a CSV or vCard file (the raw body,
//! or the part `file` of a multipart form) and answers when it is imported, with the report
//! of every row: a file is at most `rolodex_files::MAX_FILE_BYTES`, which the server imports
//! within its request timeout (the command line imports the same files with a progress
//! bar). `GET /v1/contacts/export` streams every match of a contact search as CSV or vCard,
//! page by page, in constant memory.

use super::contacts::export_query;
use super::dto::{ImportReportView, RowReportView};
use crate::extract::{NativeCaller, Params};
use crate::openapi::{
    ContactFilterParams, ExportFormatParams, IdempotencyKeyHeader, ImportParams, TenantHeader,
    schema,
};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use rolodex_core::{ImportOptions, MatchKey};
use rolodex_files::{FileError, FileWriter, Format, MAX_FILE_BYTES, Mapping};
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// The multipart form of an import: its one part, `file`, is the file.
pub struct ImportForm;

impl PartialSchema for ImportForm {
    fn schema() -> RefOr<Schema> {
        schema(
            ObjectBuilder::new()
                .property(
                    "file",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::Type(Type::String))
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
                )
                .required("file")
                .additional_properties(Some(AdditionalProperties::FreeForm(false))),
        )
    }
}

impl ToSchema for ImportForm {}

/// The largest import body: the file limit, and room for a multipart form's framing.
pub const IMPORT_BODY_LIMIT: usize = MAX_FILE_BYTES + 64 * 1024;

/// The media types an import body may have (the format is recognised from the content).
const FILE_TYPES: &[&str] = &[
    "text/csv",
    "application/csv",
    "application/vnd.ms-excel",
    "text/vcard",
    "text/x-vcard",
    "text/directory",
    "text/plain",
    "application/octet-stream",
];

fn file_problem(e: &FileError) -> Problem {
    let status = match e {
        FileError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Problem::new(status, e.code(), e.to_string())
}

/// The import's options, from the query.
fn options(params: &Params) -> Result<(ImportOptions, Mapping), Problem> {
    let match_key = match params.get("match") {
        None => MatchKey::default(),
        Some(raw) => MatchKey::parse(raw).ok_or_else(|| {
            Problem::bad_request("invalid_query", "match must be external_id, code or email")
        })?,
    };
    let dry_run = params.parse::<bool>("dry_run", "true or false")?;
    let mapping = params
        .get("map")
        .map(|m| {
            m.split(';')
                .filter(|e| !e.trim().is_empty())
                .map(|e| rolodex_files::parse_mapping(e).map_err(|e| file_problem(&e)))
                .collect::<Result<Mapping, Problem>>()
        })
        .transpose()?
        .unwrap_or_default();
    let options = ImportOptions {
        customer: params
            .get("customer")
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        match_key,
        dry_run: dry_run.unwrap_or(false),
    };
    Ok((options, mapping))
}

/// The file a request carries: its body, or its multipart part `file`.
async fn file(state: &AppState, request: Request) -> Result<Vec<u8>, Problem> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
            format!("a file is at most {MAX_FILE_BYTES} bytes"),
        )
    };
    if content_type.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(request, state)
            .await
            .map_err(|e| Problem::bad_request("unreadable_body", e.body_text()))?;
        while let Some(part) = form
            .next_field()
            .await
            .map_err(|e| Problem::bad_request("unreadable_body", e.body_text()))?
        {
            if part.name() == Some("file") {
                let bytes = part.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        Problem::bad_request("unreadable_body", e.body_text())
                    }
                })?;
                return Ok(bytes.to_vec());
            }
        }
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "file_missing",
            "the form has no part named file",
        ));
    }
    let accepted =
        content_type.is_empty() || FILE_TYPES.iter().any(|t| content_type.starts_with(t));
    if !accepted {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send a CSV or vCard file (text/csv, text/vcard) or a multipart form with a part named file",
        ));
    }
    let bytes = Bytes::from_request(request, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Problem::bad_request("unreadable_body", e.body_text())
        }
    })?;
    Ok(bytes.to_vec())
}

#[utoipa::path(post, operation_id = "import_contacts", path = "/v1/imports", tag = "files", security(("bearer" = [])),
    params(TenantHeader, IdempotencyKeyHeader, ImportParams),
    request_body(description = "A CSV or vCard file of at most 32 MiB (recognised by content), or a multipart form whose part named file is one",
        content(("text/csv"), ("text/vcard"), (ImportForm = "multipart/form-data"))),
    responses((status = 200, description = "The file was read: what became of each row", body = ImportReportView),
        (status = 404, description = "customer names no customer of the tenant"),
        (status = 413, description = "The file is larger than 32 MiB"),
        (status = 415, description = "The body is neither a file of a text type nor a multipart form"),
        (status = 422, description = "The file is refused whole (not CSV nor vCard, a bad encoding, too many rows, a row too long, no known column), or a form has no part named file; nothing was imported")))]
pub async fn import(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    params: Params,
    request: Request,
) -> Result<Json<ImportReportView>, Problem> {
    params.only(&["customer", "match", "dry_run", "map"])?;
    let (options, mapping) = options(&params)?;
    let bytes = file(&state, request).await?;
    let mut rows = rolodex_files::read(bytes, &mapping).map_err(|e| file_problem(&e))?;
    let import = state.services.imports.begin(&caller, options).await?;
    let mut report = Vec::with_capacity(rows.total());
    let summary = rolodex_files::import_all(import, &mut rows, |batch| {
        report.extend(batch.into_iter().map(RowReportView::from));
    })
    .await?;
    Ok(Json(ImportReportView::new(rows.format(), summary, report)))
}

#[utoipa::path(get, operation_id = "export_contacts", path = "/v1/contacts/export", tag = "files", security(("bearer" = [])),
    params(TenantHeader, ExportFormatParams,
        ("customer_id" = Option<i64>, Query, description = "Only the contacts of this customer"),
        ContactFilterParams),
    responses((status = 200, description = "Every contact the search matches, streamed", content(("text/csv"), ("text/vcard")),
            headers(("Content-Disposition" = String))),
        (status = 404, description = "customer_id names no customer of the tenant")))]
pub async fn export(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    params: Params,
) -> Result<Response, Problem> {
    let query = export_query(&params, &["format"])?;
    let format = match params.get("format") {
        None => Format::Csv,
        Some(raw) => Format::parse(raw)
            .ok_or_else(|| Problem::bad_request("invalid_query", "format must be csv or vcf"))?,
    };
    let export = state
        .services
        .exports
        .begin(&caller, &query, format == Format::VCard)
        .await?;
    let writer = FileWriter::new(format);
    let start = Bytes::from(writer.start());
    let pages = futures::stream::unfold(Some((export, writer)), |state| async move {
        let (mut export, writer) = state?;
        match export.next_page().await {
            Ok(Some(page)) => Some((Ok(Bytes::from(writer.page(&page))), Some((export, writer)))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = ?e, "an export stopped");
                Some((Err(std::io::Error::other(e)), None))
            }
        }
    });
    let body = futures::stream::once(async { Ok::<_, std::io::Error>(start) }).chain(pages);
    let mut response = (StatusCode::OK, Body::from_stream(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let disposition = format!("attachment; filename=\"contacts.{}\"", format.extension());
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
