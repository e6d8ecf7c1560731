//! Contacts in and out of files. `POST /v1/imports` takes a CSV or vCard file (the raw body,
//! or the part `file` of a multipart form) of at most `rolodex_files::MAX_FILE_BYTES`. A file
//! of at most [`SYNC_ROWS`] rows is imported before the answer, which is the report of every
//! row; a larger one, or any file when the client sends `Prefer: respond-async` (RFC 7240),
//! is imported by a job of this node: the answer is `202 Accepted` with the job's `Location`,
//! where any node reports its progress (`GET /v1/imports/{id}`), then its report
//! (`GET /v1/imports/{id}/report`, the body a synchronous import answers).
//! `GET /v1/contacts/export` streams every match of a contact search as CSV or vCard, page by
//! page, in constant memory.

use super::contacts::export_query;
use super::dto::{ImportJobView, ImportReportView, List, RowReportView};
use super::located;
use crate::extract::{Ids, NativeCaller, Params};
use crate::openapi::{
    ContactFilterParams, ExportFormatParams, IdempotencyKeyHeader, ImportParams, PreferHeader,
    TenantHeader, schema,
};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use rolodex_core::{CoreError, ImportOptions, MatchKey};
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

/// The most rows a file may have to be imported before the answer (a few seconds'
/// work): a larger file is imported by a job.
pub const SYNC_ROWS: usize = 10_000;

/// Whether the client prefers an asynchronous answer (`Prefer: respond-async`, RFC 7240).
fn prefers_async(headers: &header::HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| {
            p.split(';')
                .next()
                .is_some_and(|token| token.trim().eq_ignore_ascii_case("respond-async"))
        })
}

#[utoipa::path(post, operation_id = "import_contacts", path = "/v1/imports", tag = "files", security(("bearer" = [])),
    params(TenantHeader, IdempotencyKeyHeader, PreferHeader, ImportParams),
    request_body(description = "A CSV or vCard file of at most 32 MiB (recognised by content), or a multipart form whose part named file is one",
        content(("text/csv"), ("text/vcard"), (ImportForm = "multipart/form-data"))),
    responses((status = 200, description = "The file was imported: what became of each row", body = ImportReportView),
        (status = 202, description = "The file is being imported (it has more than 10,000 rows, or the client prefers respond-async): follow Location for its progress",
            body = ImportJobView, headers(("Location" = String), ("Preference-Applied" = String))),
        (status = 404, description = "customer names no customer of the tenant"),
        (status = 413, description = "The file is larger than 32 MiB"),
        (status = 415, description = "The body is neither a file of a text type nor a multipart form"),
        (status = 503, description = "The file would be imported by a job, and this server runs as many as it takes at once: send it again after Retry-After seconds", headers(("Retry-After" = u64))),
        (status = 422, description = "The file is refused whole (not CSV nor vCard, a bad encoding, too many rows, a row too long, no known column), or a form has no part named file; nothing was imported")))]
pub async fn import(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    params: Params,
    request: Request,
) -> Result<Response, Problem> {
    params.only(&["customer", "match", "dry_run", "map"])?;
    let (options, mapping) = options(&params)?;
    let asked_async = prefers_async(request.headers());
    let bytes = file(&state, request).await?;
    let mut rows = rolodex_files::read(bytes, &mapping).map_err(|e| file_problem(&e))?;
    if asked_async || rows.total() > SYNC_ROWS {
        let imports = &state.services.imports;
        let format = rows.format().extension();
        let total = u64::try_from(rows.total()).unwrap_or(u64::MAX);
        let (import, recorder) = imports.begin_job(&caller, options, format, total).await?;
        let id = recorder.id();
        let format = rows.format();
        tokio::spawn(recorder.run(
            import,
            move || rows.next_batch(),
            move |summary, reports| {
                let report = reports.into_iter().map(RowReportView::from).collect();
                serde_json::to_vec(&ImportReportView::new(format, summary, report))
                    .map_err(|e| CoreError::Internal(e.into()))
            },
        ));
        let job = imports.job(&caller, id).await?;
        let mut response = (StatusCode::ACCEPTED, Json(ImportJobView::from(job))).into_response();
        if asked_async {
            response.headers_mut().insert(
                "preference-applied",
                HeaderValue::from_static("respond-async"),
            );
        }
        return Ok(located(response, &format!("/v1/imports/{id}")));
    }
    let import = state.services.imports.begin(&caller, options).await?;
    let mut report = Vec::with_capacity(rows.total());
    let summary = import
        .run(
            || rows.next_batch(),
            |batch| report.extend(batch.into_iter().map(RowReportView::from)),
        )
        .await?;
    Ok(Json(ImportReportView::new(rows.format(), summary, report)).into_response())
}

#[utoipa::path(get, operation_id = "list_imports", path = "/v1/imports", tag = "files", security(("bearer" = [])),
    params(TenantHeader),
    responses((status = 200, description = "The tenant's 50 most recent imports that ran as jobs (kept 7 days), the newest first", body = List<ImportJobView>)))]
pub async fn jobs(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
) -> Result<Json<List<ImportJobView>>, Problem> {
    let jobs = state.services.imports.jobs(&caller).await?;
    Ok(Json(List {
        items: jobs.into_iter().map(ImportJobView::from).collect(),
        next_cursor: None,
    }))
}

#[utoipa::path(get, operation_id = "get_import", path = "/v1/imports/{id}", tag = "files", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Import job id"), TenantHeader),
    responses((status = 200, description = "Where the import stands", body = ImportJobView)))]
pub async fn job(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
) -> Result<Json<ImportJobView>, Problem> {
    let job = state.services.imports.job(&caller, id).await?;
    Ok(Json(ImportJobView::from(job)))
}

#[utoipa::path(get, operation_id = "get_import_report", path = "/v1/imports/{id}/report", tag = "files", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Import job id"), TenantHeader),
    responses((status = 200, description = "What became of each row, as a synchronous import answers", body = ImportReportView),
        (status = 409, description = "The import has not completed (it runs, failed or was interrupted)")))]
pub async fn job_report(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids(id): Ids<i64>,
) -> Result<Response, Problem> {
    let report = state.services.imports.job_report(&caller, id).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        report,
    )
        .into_response())
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

#[cfg(test)]
mod tests {
    use super::prefers_async;
    use axum::http::{HeaderMap, HeaderValue};

    fn prefer(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("prefer", HeaderValue::from_static(v));
        }
        headers
    }

    #[test]
    fn respond_async_is_found_among_preferences_in_any_case() {
        assert!(prefers_async(&prefer(&["respond-async"])));
        assert!(prefers_async(&prefer(&["return=minimal, Respond-Async"])));
        assert!(prefers_async(&prefer(&["wait=10", "respond-async; x=1"])));
        assert!(!prefers_async(&prefer(&[])));
        assert!(!prefers_async(&prefer(&["return=representation"])));
        assert!(!prefers_async(&prefer(&["respond-asynchronously"])));
    }
}
