//! Logins of both generations (`POST api/Security/Login`, siblings 1.1; `POST
//! /api/auth-token-get`, siblings 2.1) onto `AuthService::login`, and the tokens they carry.
//!
//! The data source is the tenant's code, and the token is bound to that tenant, so every
//! later call acts in it (`AuthService::enter` with no tenant). The token is Rolodex's one
//! kind of session token: it works in the native API's `Authorization: Bearer` and in either
//! generation's token slot, and theirs work here. A refused login is a 500 "Login failed."
//! (see [`Fault::login`]); a throttled one says when to retry.

use super::body::Members;
use super::fault::Fault;
use rolodex_core::{Caller, Identity, Services};
use rolodex_domain::Surface;
use std::net::IpAddr;

/// What a login sends, under the member names its generation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub data_source: String,
    pub user_name: String,
    pub password: String,
}

impl Credentials {
    /// Reads the three members `names` (data source, user name, password) and nothing else.
    pub fn take(mut members: Members, names: [&str; 3]) -> Result<Self, Fault> {
        let [data_source, user_name, password] = names.map(|n| members.take(n));
        members.into_nothing()?;
        let required = |value: Option<String>, name: &str| {
            value
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Fault::required(name))
        };
        Ok(Self {
            data_source: required(data_source, names[0])?,
            user_name: required(user_name, names[1])?,
            password: required(password, names[2])?,
        })
    }

    /// Logs in from `client` and returns the new token.
    pub async fn login(self, services: &Services, client: IpAddr) -> Result<String, Fault> {
        services
            .auth
            .login(
                &self.user_name,
                &self.password,
                Some(&self.data_source),
                client,
            )
            .await
            .map(|issued| issued.token)
            .map_err(Fault::login)
    }
}

/// The caller a token stands for, in the token's tenant, speaking through `surface`. An
/// empty token is no token.
pub async fn caller(
    services: &Services,
    token: Option<&str>,
    surface: Surface,
) -> Result<Caller, Fault> {
    let identity = identity(services, token).await?;
    Ok(services.auth.enter(&identity, None, surface).await?)
}

/// Who a token belongs to, whatever the tenant.
pub async fn identity(services: &Services, token: Option<&str>) -> Result<Identity, Fault> {
    let token = token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Fault::Unauthenticated(rolodex_core::AuthFailure::Missing))?;
    Ok(services.auth.identify(token).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASSIC: [&str; 3] = ["DataSource", "UserName", "Password"];

    #[test]
    fn all_three_members_are_required_and_nothing_else_is_accepted() {
        let members =
            |json: &str| Members::parse(json.as_bytes()).expect("a JSON object of strings");
        let ok = Credentials::take(
            members(r#"{"DataSource": "DEMO", "UserName": "DEMO", "Password": "esi"}"#),
            CLASSIC,
        );
        assert_eq!(
            ok,
            Ok(Credentials {
                data_source: "DEMO".into(),
                user_name: "DEMO".into(),
                password: "esi".into()
            })
        );
        let missing = Credentials::take(
            members(r#"{"DataSource": "", "UserName": "DEMO", "Password": "esi"}"#),
            CLASSIC,
        );
        assert_eq!(missing, Err(Fault::required("DataSource")));
        let extra = Credentials::take(
            members(r#"{"DataSource": "D", "UserName": "U", "Password": "P", "Tenant": "x"}"#),
            CLASSIC,
        );
        assert_eq!(extra.unwrap_err().code(), "INVALID_JSON");
    }
}
