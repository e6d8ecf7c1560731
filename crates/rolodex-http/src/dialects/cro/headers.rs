//! What every CRO response carries (the samples' headers): `X-API-VERSION` (the request's
//! when it is a documented version, else the latest; any other value is refused with 400),
//! `Allow` and the CORS headers of the path, `Content-Type: application/json`, and the error
//! body with the request's id. `X-REQUEST-ID` is the shared middleware's.

use super::error::CroError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The documented `x-api-version` values, oldest first.
pub const VERSIONS: [&str; 6] = [
    "2019/02/08",
    "2021/04/07",
    "2021/05/07",
    "2021/08/02",
    "2021/11/04",
    "2023/04/19",
];
/// The version answered when the request names none.
const LATEST: &str = "2023/04/19";

static API_VERSION: HeaderName = HeaderName::from_static("x-api-version");
static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const ALLOWED_HEADERS: &str = "Authorization, Accept, X-TENANT-ID, Content-Type";
/// How long, in seconds, a browser may reuse a preflight's answer.
const PREFLIGHT_MAX_AGE: &str = "600";

/// The version a request asks for.
fn version(req: &Request) -> Result<&'static str, CroError> {
    let Some(value) = req.headers().get(&API_VERSION) else {
        return Ok(LATEST);
    };
    let asked = value.to_str().unwrap_or_default();
    VERSIONS.into_iter().find(|v| *v == asked).ok_or_else(|| {
        CroError::bad(
            "x-api-version",
            "invalid_api_version",
            format!("x-api-version must be one of {}.", VERSIONS.join(", ")),
        )
    })
}

/// The middleware of a path whose methods are `allow`.
pub async fn decorate(State(allow): State<&'static str>, req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (mut response, version) = match version(&req) {
        Ok(v) => (next.run(req).await, v),
        Err(e) => (e.into_response(), LATEST),
    };
    if let Some(error) = response.extensions_mut().remove::<CroError>() {
        *response.body_mut() = Body::from(error.body(&request_id).to_string());
    }
    let preflight = response.status() == StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    let allow = HeaderValue::from_static(allow);
    headers.insert(API_VERSION.clone(), HeaderValue::from_static(version));
    headers.insert(header::ALLOW, allow.clone());
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOWED_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
    if !preflight {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response
}
