//! Contact photos: upload (the body is the image itself; its format is recognised from the
//! content, whatever `Content-Type` says), read one size, remove. Reads carry the photo's
//! `ETag` and answer `If-None-Match` with 304; clients revalidate before reusing a copy, since
//! a new upload replaces the photo at the same URL.

use super::dto::ContactView;
use super::tagged;
use crate::extract::{Ids, NativeCaller, Params};
use crate::openapi::{IfNoneMatchHeader, PhotoSizeParams, TenantHeader};
use crate::photo_file::serve;
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rolodex_domain::photo::MAX_PHOTO_BYTES;
use rolodex_domain::{ContactId, CustomerId, PhotoSize};

/// The largest upload body: the photo limit itself (the body is the image, nothing else).
pub const UPLOAD_BODY_LIMIT: usize = MAX_PHOTO_BYTES;

#[utoipa::path(put, operation_id = "put_photo", path = "/v1/customers/{id}/contacts/{contact_id}/photo", tag = "photos", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), TenantHeader),
    request_body(content = Vec<u8>, content_type = "image/*", description = "A JPEG, PNG, GIF or BMP image of at most 2 MiB, recognised by content; replaces the current photo"),
    responses((status = 200, description = "The contact, linking to its new photo", body = ContactView, headers(("ETag" = String))),
        (status = 413, description = "Larger than 2 MiB"),
        (status = 422, description = "Not a JPEG, PNG, GIF or BMP image, too many pixels, or damaged")))]
pub async fn put(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id)): Ids<(i64, i64)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "photo_too_large",
                format!("a photo is at most {MAX_PHOTO_BYTES} bytes"),
            )
        } else {
            Problem::bad_request("unreadable_body", e.body_text())
        }
    })?;
    let contact = state
        .services
        .photos
        .put(&caller, CustomerId(customer), ContactId(id), body.to_vec())
        .await?;
    Ok(tagged(
        StatusCode::OK,
        contact.version,
        &ContactView::from(contact),
    ))
}

#[utoipa::path(get, operation_id = "get_photo", path = "/v1/customers/{id}/contacts/{contact_id}/photo", tag = "photos", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), TenantHeader,
        PhotoSizeParams, IfNoneMatchHeader),
    responses((status = 200, description = "The image", content(("image/jpeg"), ("image/png")), headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No such contact, or it has no photo")))]
pub async fn get(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id)): Ids<(i64, i64)>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    params.only(&["size"])?;
    let size = match params.get("size") {
        None => PhotoSize::Original,
        Some(s) => PhotoSize::parse(s)
            .ok_or_else(|| Problem::bad_request("invalid_query", "size must be small or medium"))?,
    };
    let file = state
        .services
        .photos
        .get(&caller, CustomerId(customer), ContactId(id), size)
        .await?;
    Ok(serve(&headers, file))
}

#[utoipa::path(delete, operation_id = "delete_photo", path = "/v1/customers/{id}/contacts/{contact_id}/photo", tag = "photos", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Contact id"), TenantHeader),
    responses((status = 204, description = "Removed, with its resized variants"),
        (status = 404, description = "No such contact, or it has no photo")))]
pub async fn delete(
    State(state): State<AppState>,
    NativeCaller(caller): NativeCaller,
    Ids((customer, id)): Ids<(i64, i64)>,
) -> Result<StatusCode, Problem> {
    state
        .services
        .photos
        .delete(&caller, CustomerId(customer), ContactId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
