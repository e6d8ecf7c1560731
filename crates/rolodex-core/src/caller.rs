//! The authenticated caller of a use case: who, in which tenant, with which role, through
//! which surface.

use crate::ports::TokenKind;
use rolodex_domain::{Role, Surface, TenantId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `None` for the operator at the command line.
    pub user_id: Option<UserId>,
    pub username: String,
    pub tenant_id: TenantId,
    pub role: Role,
    pub surface: Surface,
    /// The token or API key the request carried, so it can be revoked (logout).
    pub token_id: Option<i64>,
}

impl Caller {
    /// The operator at the command line: an administrator of `tenant_id`.
    pub fn operator(tenant_id: TenantId) -> Self {
        Self {
            user_id: None,
            username: "operator".into(),
            tenant_id,
            role: Role::Admin,
            surface: Surface::Cli,
            token_id: None,
        }
    }

    /// The same caller, speaking through another surface.
    #[must_use]
    pub fn via(mut self, surface: Surface) -> Self {
        self.surface = surface;
        self
    }
}

/// Who a valid token belongs to, before a tenant is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: UserId,
    pub username: String,
    pub token_id: i64,
    pub kind: TokenKind,
    /// The tenant the token is bound to, if any.
    pub bound_tenant: Option<TenantId>,
}
