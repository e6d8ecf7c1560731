//! Tenant use cases: the operator creates tenants; callers list the tenants they belong to.

use crate::caller::{Caller, Identity};
use crate::clock::Clock;
use crate::error::CoreError;
use crate::ports::Store;
use crate::write::repo_error;
use rolodex_domain::{Role, Tenant, TenantCode, TenantId};
use std::sync::Arc;

#[derive(Clone)]
pub struct TenantService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl TenantService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Creates a tenant (operator only: the command line).
    pub async fn create(&self, code: &str, name: Option<&str>) -> Result<Tenant, CoreError> {
        let code = TenantCode::parse(code)?;
        let name = match name {
            Some(n) => rolodex_domain::text::TextRule::line(256).check("name", n.to_owned())?,
            None => code.as_str().to_owned(),
        };
        self.store
            .create_tenant(&code, &name, self.clock.now())
            .await
            .map_err(repo_error("tenant"))
    }

    /// Every tenant (operator only).
    pub async fn list_all(&self) -> Result<Vec<Tenant>, CoreError> {
        self.store
            .list_tenants()
            .await
            .map_err(repo_error("tenant"))
    }

    /// The tenant with `code` (operator only).
    pub async fn by_code(&self, code: &str) -> Result<Tenant, CoreError> {
        let code = TenantCode::parse(code)?;
        self.store
            .tenant_by_code(&code)
            .await
            .map_err(repo_error("tenant"))?
            .ok_or(CoreError::NotFound { entity: "tenant" })
    }

    /// The tenants a user belongs to, with the user's role in each.
    pub async fn of_user(&self, identity: &Identity) -> Result<Vec<(Tenant, Role)>, CoreError> {
        self.store
            .tenants_of_user(identity.user_id)
            .await
            .map_err(repo_error("tenant"))
    }

    /// The caller's current tenant.
    pub async fn current(&self, caller: &Caller) -> Result<Tenant, CoreError> {
        self.get(caller.tenant_id).await
    }

    async fn get(&self, id: TenantId) -> Result<Tenant, CoreError> {
        self.store
            .tenant(id)
            .await
            .map_err(repo_error("tenant"))?
            .ok_or(CoreError::NotFound { entity: "tenant" })
    }
}
