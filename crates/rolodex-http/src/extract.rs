//! Extractors shared by native handlers: the authenticated caller, JSON object bodies, path
//! ids, `If-Match`/`If-None-Match` and query strings, each rejecting bad input with a problem response.

use crate::problem::{FieldProblem, Problem};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use rolodex_core::{AuthFailure, Caller, CoreError, Identity, Precondition};
use rolodex_domain::{Surface, TenantId};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The header that picks the tenant of a request.
pub const TENANT_HEADER: &str = "x-tenant-id";

/// The tenant a request names in `X-Tenant-Id`, if any.
pub fn requested_tenant(headers: &HeaderMap) -> Result<Option<TenantId>, Problem> {
    let Some(value) = headers.get(TENANT_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(|id| Some(TenantId(id)))
        .ok_or_else(|| {
            Problem::bad_request(
                "invalid_tenant_header",
                "X-Tenant-Id must be the integer id of a tenant",
            )
        })
}

/// The caller of a native request, from `Authorization: Bearer` and `X-Tenant-Id`.
pub struct NativeCaller(pub Caller);

impl FromRequestParts<AppState> for NativeCaller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        authenticate(&parts.headers, state).await.map(NativeCaller)
    }
}

/// Who a native request's bearer token belongs to, before a tenant is chosen.
pub struct NativeIdentity(pub Identity);

impl FromRequestParts<AppState> for NativeIdentity {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        identify(&parts.headers, state).await.map(NativeIdentity)
    }
}

async fn identify(headers: &HeaderMap, state: &AppState) -> Result<Identity, Problem> {
    let header = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| Problem::from(CoreError::Unauthenticated(AuthFailure::Malformed)))?,
        ),
    };
    Ok(state.services.auth.identify_header(header).await?)
}

/// Authenticates a native request's headers: the bearer token, in the `X-Tenant-Id` tenant.
pub async fn authenticate(headers: &HeaderMap, state: &AppState) -> Result<Caller, Problem> {
    let tenant = requested_tenant(headers)?;
    let identity = identify(headers, state).await?;
    Ok(state
        .services
        .auth
        .enter(&identity, tenant, Surface::Native)
        .await?)
}

/// Whether a `Content-Type` is JSON: `application/json`, `application/merge-patch+json` or
/// any other `+json` type, with optional parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A request body that must be a JSON object.
pub struct JsonObject(pub Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        check_json(req.headers())?;
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_problem)?;
        object(parse(&bytes)?).map(JsonObject)
    }
}

/// `Ok` when the request says its body is JSON, else 415.
fn check_json(headers: &HeaderMap) -> Result<(), Problem> {
    if is_json(headers) {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json (or application/merge-patch+json)",
        ))
    }
}

/// A body's JSON value.
fn parse(bytes: &[u8]) -> Result<Value, Problem> {
    serde_json::from_slice(bytes).map_err(|e| {
        Problem::bad_request("invalid_json", format!("the body is not valid JSON: {e}"))
    })
}

/// A body's JSON object.
fn object(value: Value) -> Result<Map<String, Value>, Problem> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(Problem::bad_request(
            "invalid_json",
            "the body must be a JSON object",
        )),
    }
}

/// A typed JSON body (small fixed shapes such as a login), with problem rejections.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let JsonObject(map) = JsonObject::from_request(req, state).await?;
        typed(map).map(JsonBody)
    }
}

/// A typed JSON body that may be left out: no body at all, or the JSON `null`, is `None`;
/// another body is read as [`JsonBody`] reads it.
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: DeserializeOwned> FromRequest<AppState> for OptionalJsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_problem)?;
        if bytes.is_empty() {
            return Ok(OptionalJsonBody(None));
        }
        check_json(&headers)?;
        match parse(&bytes)? {
            Value::Null => Ok(OptionalJsonBody(None)),
            value => typed(object(value)?).map(|body| OptionalJsonBody(Some(body))),
        }
    }
}

/// A JSON object as `T`; members of the wrong type, unknown or missing are 422.
fn typed<T: DeserializeOwned>(map: Map<String, Value>) -> Result<T, Problem> {
    serde_json::from_value(Value::Object(map)).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            e.to_string(),
        )
    })
}

fn body_problem(e: BytesRejection) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body is too large",
        )
    } else {
        Problem::bad_request("unreadable_body", e.body_text())
    }
}

/// Path parameters, with a problem when an id is not an integer.
pub struct Ids<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Ids<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| Ids(t))
            .map_err(|e: PathRejection| {
                Problem::bad_request(
                    "invalid_path",
                    format!("invalid path parameter: {}", e.body_text()),
                )
            })
    }
}

/// The query string as name -> value.
pub struct Params(pub HashMap<String, String>);

impl FromRequestParts<AppState> for Params {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| Params(q))
            .map_err(|e: QueryRejection| Problem::bad_request("invalid_query", e.body_text()))
    }
}

impl Params {
    /// Refuses parameters other than `known`.
    pub fn only(&self, known: &[&str]) -> Result<(), Problem> {
        let mut unknown: Vec<&String> = self
            .0
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .collect();
        unknown.sort();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(
            Problem::bad_request("invalid_query", "unknown query parameters").with_errors(
                unknown
                    .into_iter()
                    .map(|k| FieldProblem {
                        field: k.clone(),
                        code: "unknown_parameter".into(),
                        message: format!("accepted parameters: {}", known.join(", ")),
                    })
                    .collect(),
            ),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A parameter parsed as `T`, with a problem naming it when it does not parse.
    pub fn parse<T: std::str::FromStr>(
        &self,
        name: &str,
        expected: &str,
    ) -> Result<Option<T>, Problem> {
        self.get(name)
            .map(|v| {
                v.parse::<T>().map_err(|_| {
                    Problem::bad_request("invalid_query", format!("{name} must be {expected}"))
                        .with_errors(vec![FieldProblem {
                            field: name.to_owned(),
                            code: "invalid_type".into(),
                            message: format!("must be {expected}"),
                        }])
                })
            })
            .transpose()
    }
}

/// What a request's `If-Match` and `If-None-Match` headers require of the version it writes
/// (RFC 9110 section 13.1): `If-Match` passes when any of its strong tags is the current
/// one (`*`: any version), `If-None-Match` when none of its tags is (weak comparison; `*`:
/// only if the resource does not exist, so a write to an existing one fails). A tag that is
/// not one of ours can never match.
pub struct Conditions(pub Precondition);

impl FromRequestParts<AppState> for Conditions {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Problem> {
        let if_match = tag_list(&parts.headers, header::IF_MATCH, false);
        let if_none_match = tag_list(&parts.headers, header::IF_NONE_MATCH, true);
        Ok(Conditions(match (if_match, if_none_match) {
            (_, Some(Tags::Any)) => Precondition::Absent,
            (None | Some(Tags::Any), None) => Precondition::Any,
            (None | Some(Tags::Any), Some(Tags::Versions(excluded))) => {
                Precondition::NoneOf(excluded)
            }
            (Some(Tags::Versions(allowed)), excluded) => {
                let excluded = match excluded {
                    Some(Tags::Versions(v)) => v,
                    _ => Vec::new(),
                };
                Precondition::OneOf(
                    allowed
                        .into_iter()
                        .filter(|v| !excluded.contains(v))
                        .collect(),
                )
            }
        }))
    }
}

/// The entity tags of a conditional header.
enum Tags {
    Any,
    /// The versions of our tags in the list (others can never match, and are left out).
    Versions(Vec<i64>),
}

/// The tags of every `name` header, `None` when there is none. Weak tags (`W/"3"`) count
/// only with `weak` (If-None-Match compares weakly, If-Match strongly).
fn tag_list(headers: &HeaderMap, name: header::HeaderName, weak: bool) -> Option<Tags> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let mut versions = Vec::new();
    for value in values {
        for tag in value.to_str().unwrap_or("").split(',').map(str::trim) {
            if tag == "*" {
                return Some(Tags::Any);
            }
            let tag = match tag.strip_prefix("W/") {
                Some(t) if weak => t,
                Some(_) => continue,
                None => tag,
            };
            if let Some(v) = tag
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .and_then(|v| v.parse::<i64>().ok())
            {
                versions.push(v);
            }
        }
    }
    Some(Tags::Versions(versions))
}

/// The strong entity tag of a resource version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}
