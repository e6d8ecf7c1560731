//! OAuth's parameters as they travel: `application/x-www-form-urlencoded` pairs, in a query
//! string or a body. A parameter sent without a value counts as not sent, and each may be sent
//! once (RFC 6749, section 3.1); which ones were repeated is left for the core to judge.

use rolodex_core::oauth::{AuthorizationRequest, TokenRequest};

/// The parameters of one request, in order.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `encoded`; `None` when it is not form-urlencoded.
    pub fn parse(encoded: &[u8]) -> Option<Self> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
            .ok()
            .map(Params)
    }

    /// The first value of `name`, unless empty.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    }

    /// Which of `names` were sent with a value more than once.
    fn repeated(&self, names: &[&str]) -> Vec<String> {
        names
            .iter()
            .filter(|name| {
                self.0
                    .iter()
                    .filter(|(n, v)| n == *name && !v.is_empty())
                    .count()
                    > 1
            })
            .map(|name| (*name).to_owned())
            .collect()
    }

    /// The parameters of an authorization request (RFC 6749, section 4.1.1; RFC 7636).
    pub fn authorization(&self) -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: self.get("client_id"),
            redirect_uri: self.get("redirect_uri"),
            response_type: self.get("response_type"),
            state: self.get("state"),
            scope: self.get("scope"),
            code_challenge: self.get("code_challenge"),
            code_challenge_method: self.get("code_challenge_method"),
            repeated: self.repeated(&AUTHORIZATION_PARAMS),
        }
    }

    /// The parameters of a token request, with the client's HTTP Basic credentials if any.
    pub fn token(&self, basic: Option<(String, String)>) -> TokenRequest {
        TokenRequest {
            grant_type: self.get("grant_type"),
            code: self.get("code"),
            redirect_uri: self.get("redirect_uri"),
            code_verifier: self.get("code_verifier"),
            refresh_token: self.get("refresh_token"),
            scope: self.get("scope"),
            client_id: self.get("client_id"),
            client_secret: self.get("client_secret"),
            basic,
            repeated: self.repeated(&TOKEN_PARAMS),
        }
    }
}

/// The parameters of an authorization request, which the sign-in form carries along.
pub const AUTHORIZATION_PARAMS: [&str; 7] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
];

const TOKEN_PARAMS: [&str; 8] = [
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "scope",
    "client_id",
    "client_secret",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_not_sent_and_repeats_are_named() {
        let params =
            Params::parse(b"client_id=a&state=&state=12345678&scope=x&scope=y&code_challenge=")
                .expect("form-urlencoded");
        let request = params.authorization();
        assert_eq!(request.client_id.as_deref(), Some("a"));
        assert_eq!(request.state.as_deref(), Some("12345678"));
        assert_eq!(request.code_challenge, None);
        assert_eq!(request.repeated, ["scope"]);
    }

    #[test]
    fn values_are_percent_decoded() {
        let params = Params::parse(b"redirect_uri=https%3A%2F%2Fc.example%2Fcb%3Fa%3D1&state=a+b")
            .expect("form-urlencoded");
        assert_eq!(
            params.get("redirect_uri").as_deref(),
            Some("https://c.example/cb?a=1")
        );
        assert_eq!(params.get("state").as_deref(), Some("a b"));
    }
}
