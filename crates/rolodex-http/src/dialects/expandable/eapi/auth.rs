//! Where the newer API carries its token: in the body, as `AUTH_TOKEN` (seed 001: "This API
//! call requires an Authentication Token ... for the required field AUTH_TOKEN. Auth Tokens
//! are obtained from Auth Token, Get"). The body is read first (a syntax error is a 400), then
//! the token (401), then the other members.

use super::dto::AUTH_TOKEN;
use super::error::EapiError;
use crate::dialects::expandable::body::Members;
use crate::dialects::expandable::session;
use crate::state::AppState;
use axum::extract::{FromRequest, Request};
use rolodex_core::{Caller, Identity};
use rolodex_domain::Surface;

/// A request body of the newer API, refused in its envelope when it is not a JSON object of
/// strings.
pub struct EapiBody(pub Members);

impl FromRequest<AppState> for EapiBody {
    type Rejection = EapiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, EapiError> {
        Ok(EapiBody(Members::read(req, state).await?))
    }
}

/// An authenticated call: the caller its `AUTH_TOKEN` stands for (in the token's tenant) and
/// the other members.
pub struct EapiCall {
    pub caller: Caller,
    pub members: Members,
}

impl FromRequest<AppState> for EapiCall {
    type Rejection = EapiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, EapiError> {
        let EapiBody(mut members) = EapiBody::from_request(req, state).await?;
        let token = members.take(AUTH_TOKEN);
        let caller =
            session::caller(&state.services, token.as_deref(), Surface::Expandable).await?;
        Ok(EapiCall { caller, members })
    }
}

/// Who the `AUTH_TOKEN` of `members` belongs to (taking it out), whatever the tenant.
pub async fn identity(state: &AppState, members: &mut Members) -> Result<Identity, EapiError> {
    let token = members.take(AUTH_TOKEN);
    Ok(session::identity(&state.services, token.as_deref()).await?)
}
