//! Who a CRO call comes from: the `Authorization` header (`bearer <token>`, the pattern and
//! the 256-character limit are the core's), then the tenant named in `x-tenant-id`, an
//! integer the caller must be a member of. A bad token is 401 before anything else; a
//! missing or non-integer `x-tenant-id` is 400; a tenant the caller is not in is 403.

use super::error::CroError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use rolodex_core::{AuthFailure, Caller, CoreError, Identity};
use rolodex_domain::{Surface, TenantId};

/// The header that names the tenant.
const TENANT: &str = "x-tenant-id";

/// Who the `Authorization` header's token belongs to.
async fn identify(headers: &HeaderMap, state: &AppState) -> Result<Identity, CroError> {
    let header = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| CroError::from(CoreError::Unauthenticated(AuthFailure::Malformed)))?,
        ),
    };
    Ok(state.services.auth.identify_header(header).await?)
}

/// The tenant `x-tenant-id` names.
fn tenant(headers: &HeaderMap) -> Result<TenantId, CroError> {
    let value = headers.get(TENANT).ok_or_else(|| {
        CroError::bad(
            TENANT,
            "tenant_required",
            "The x-tenant-id header is required: the id of one of your tenants (see GET /tenants).",
        )
    })?;
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(TenantId)
        .ok_or_else(|| {
            CroError::bad(
                TENANT,
                "invalid_tenant",
                "The x-tenant-id header must be an integer tenant id.",
            )
        })
}

/// The caller of a call on contacts, in the `x-tenant-id` tenant.
pub struct CroCaller(pub Caller);

impl FromRequestParts<AppState> for CroCaller {
    type Rejection = CroError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, CroError> {
        let identity = identify(&parts.headers, state).await?;
        let tenant = tenant(&parts.headers)?;
        let caller = state
            .services
            .auth
            .enter(&identity, Some(tenant), Surface::Cro)
            .await
            .map_err(|e| CroError::from(e).on(TENANT))?;
        Ok(CroCaller(caller))
    }
}

/// The caller of `GET /tenants`, which needs no tenant.
pub struct CroIdentity(pub Identity);

impl FromRequestParts<AppState> for CroIdentity {
    type Rejection = CroError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, CroError> {
        identify(&parts.headers, state).await.map(CroIdentity)
    }
}
