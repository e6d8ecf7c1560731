//! Photo files as HTTP responses, the same on every surface: the stored type, the photo's
//! `ETag`, `Cache-Control` and `X-Content-Type-Options`, and 304 for a current copy.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rolodex_core::PhotoFile;

/// The `Cache-Control` of photo reads: private (same rules as every read), and revalidated
/// with the `ETag`, since an upload replaces the photo at the same URL.
const CACHE_CONTROL: &str = "private, no-cache";

/// A photo file as a response: its type, `ETag` and caching headers, or 304 when the
/// client's `If-None-Match` names it.
pub fn serve(headers: &HeaderMap, file: PhotoFile) -> Response {
    let etag = format!("\"{}\"", file.etag);
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if current {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = file.bytes.into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(file.content_type),
        );
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
