//! The rules of OAuth 2.0's authorization code and refresh token grants that need no
//! storage (what an authorization request must hold, how a PKCE verifier matches its
//! challenge, when a code may be exchanged), and the shapes in which surfaces hand requests to
//! [`super::OAuthService`] and get its answers and refusals.

use crate::error::CoreError;
use crate::ports::{AuthorizationCodeRecord, ChallengeMethod, CodeChallenge, OAuthClientRecord};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rolodex_domain::{Tenant, TenantId};
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::Duration;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

/// Shortest `state` accepted (CRO's authentication guide).
pub const STATE_MIN_CHARS: usize = 8;
/// Longest `state` accepted.
pub const STATE_MAX_CHARS: usize = 512;
/// Longest `scope` accepted.
pub const SCOPE_MAX_CHARS: usize = 512;

/// An error code of RFC 6749 (sections 4.1.2.1 and 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    AccessDenied,
    UnsupportedResponseType,
    UnsupportedGrantType,
    InvalidScope,
    ServerError,
}

impl OAuthErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::AccessDenied => "access_denied",
            OAuthErrorCode::UnsupportedResponseType => "unsupported_response_type",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::InvalidScope => "invalid_scope",
            OAuthErrorCode::ServerError => "server_error",
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal of the token endpoint, or a failure behind it.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{code}: {description}")]
    Refused {
        code: OAuthErrorCode,
        description: String,
    },
    #[error(transparent)]
    Failed(#[from] CoreError),
}

impl OAuthError {
    pub(super) fn refused(code: OAuthErrorCode, description: impl Into<String>) -> Self {
        OAuthError::Refused {
            code,
            description: description.into(),
        }
    }

    pub(super) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::refused(OAuthErrorCode::InvalidGrant, description)
    }

    pub(super) fn invalid_client() -> Self {
        Self::refused(
            OAuthErrorCode::InvalidClient,
            "client authentication failed: unknown or revoked client, or wrong secret",
        )
    }
}

/// Where the user's browser is sent back to: `uri` with `params` added to its query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub uri: String,
    pub params: Vec<(&'static str, String)>,
}

impl Redirect {
    pub(super) fn error(to: &Target, code: OAuthErrorCode, description: &str) -> Self {
        let mut params = vec![
            ("error", code.as_str().to_owned()),
            ("error_description", description.to_owned()),
        ];
        if let Some(state) = &to.state {
            params.push(("state", state.clone()));
        }
        Redirect {
            uri: to.uri.clone(),
            params,
        }
    }
}

/// Why an authorization request was not granted.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizeError {
    /// The client or its redirect URI cannot be trusted: the user is told, and nothing is
    /// sent to the URI (RFC 6749, section 4.1.2.1).
    #[error("{0}")]
    Untrusted(String),
    /// A refusal to send back to the client.
    #[error("the request is refused")]
    Redirect(Redirect),
    /// The sign-in was refused (wrong password, throttled, not a member of the client's
    /// tenant): the user may try again.
    #[error(transparent)]
    SignIn(CoreError),
    #[error(transparent)]
    Failed(CoreError),
}

/// An authorization request's parameters as a surface read them (RFC 6749, section 4.1.1;
/// RFC 7636, section 4.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    /// The parameters the request repeated (each may be sent once).
    pub repeated: Vec<String>,
}

/// A valid authorization request: what the user is asked to allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The client's name, as its tenant's admin registered it.
    pub client_name: String,
    pub client_id: String,
    /// The tenant whose data the client asks for.
    pub tenant: Tenant,
    /// The scope asked for, if any (Rolodex gives every token its user's role in the tenant).
    pub scope: Option<String>,
    /// The client's id (not its `client_id`).
    pub(super) client: i64,
    /// Where the answer goes, and the redirect URI as the request named it.
    pub(super) target: Target,
    pub(super) named_redirect_uri: Option<String>,
    pub(super) challenge: Option<CodeChallenge>,
}

impl Authorization {
    /// Where the user will be sent back to: one of the client's registered redirect URIs.
    pub fn redirect_uri(&self) -> &str {
        &self.target.uri
    }
}

/// The verified redirect URI an answer is sent to, with the request's `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    pub(super) uri: String,
    pub(super) state: Option<String>,
}

/// A token request's parameters as a surface read them (RFC 6749, sections 2.3.1, 4.1.3
/// and 6).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    /// `client_id` and `client_secret` of the body (`client_secret_post`).
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// The client id and secret of HTTP Basic authentication (`client_secret_basic`).
    pub basic: Option<(String, String)>,
    /// The parameters the request repeated (each may be sent once).
    pub repeated: Vec<String>,
}

/// The tokens a token request bought, shown to the client once.
#[derive(Debug, Clone)]
pub struct GrantedTokens {
    pub access_token: String,
    pub expires_in: Duration,
    pub refresh_token: String,
    pub scope: Option<String>,
    /// The tenant the access token acts in (CRO's `x-tenant-id`).
    pub tenant_id: TenantId,
}

/// The checks of the authorization request that follow the client's: what to send back when
/// one fails. `None` when the request is valid.
pub(super) fn request_refusal(request: &AuthorizationRequest) -> Option<(OAuthErrorCode, String)> {
    use OAuthErrorCode::{InvalidRequest, InvalidScope, UnsupportedResponseType};
    if let Some(name) = request.repeated.first() {
        return Some((InvalidRequest, format!("{name} was sent more than once")));
    }
    match request.response_type.as_deref() {
        None => return Some((InvalidRequest, "response_type is required".into())),
        Some("code") => {}
        Some(_) => {
            return Some((
                UnsupportedResponseType,
                "only the authorization code grant (response_type=code) is supported".into(),
            ));
        }
    }
    let state_chars = request.state.as_deref().map_or(0, |s| s.chars().count());
    if !(STATE_MIN_CHARS..=STATE_MAX_CHARS).contains(&state_chars) {
        return Some((
            InvalidRequest,
            format!("state is required, {STATE_MIN_CHARS} to {STATE_MAX_CHARS} characters long"),
        ));
    }
    if request.scope.as_deref().is_some_and(|s| !is_scope(s)) {
        return Some((
            InvalidScope,
            "scope is a list of names separated by spaces".into(),
        ));
    }
    if let Err(description) = challenge_of(request) {
        return Some((InvalidRequest, description.into()));
    }
    None
}

/// Whether `scope` is space-separated scope tokens (RFC 6749, section 3.3).
fn is_scope(scope: &str) -> bool {
    scope.chars().count() <= SCOPE_MAX_CHARS
        && !scope.is_empty()
        && scope.split(' ').all(|token| {
            !token.is_empty()
                && token
                    .chars()
                    .all(|c| c == '!' || ('#'..='[').contains(&c) || (']'..='~').contains(&c))
        })
}

/// Whether `value` is a PKCE code verifier or challenge: 43 to 128 unreserved characters
/// (RFC 7636, sections 4.1 and 4.2).
pub(super) fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The request's PKCE challenge, if any (RFC 7636, section 4.3: `plain` when no method is
/// named).
pub(super) fn challenge_of(
    request: &AuthorizationRequest,
) -> Result<Option<CodeChallenge>, &'static str> {
    let method = request.code_challenge_method.as_deref();
    let Some(challenge) = request.code_challenge.as_deref() else {
        return match method {
            None => Ok(None),
            Some(_) => Err("code_challenge_method needs a code_challenge"),
        };
    };
    let method = match method {
        None | Some("plain") => ChallengeMethod::Plain,
        Some("S256") => ChallengeMethod::S256,
        Some(_) => return Err("code_challenge_method is S256 or plain"),
    };
    if !is_pkce_value(challenge) {
        return Err("code_challenge is 43 to 128 letters, digits, '-', '.', '_' or '~'");
    }
    Ok(Some(CodeChallenge {
        challenge: challenge.to_owned(),
        method,
    }))
}

/// Whether `verifier` is the one `challenge` was derived from, compared in constant time.
fn verifier_matches(challenge: &CodeChallenge, verifier: &str) -> bool {
    let derived = match challenge.method {
        ChallengeMethod::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        ChallengeMethod::Plain => verifier.to_owned(),
    };
    bool::from(derived.as_bytes().ct_eq(challenge.challenge.as_bytes()))
}

/// Why `code` cannot be exchanged by `client` with `redirect_uri` and `verifier` at `now`
/// (RFC 6749, section 4.1.3; RFC 7636, section 4.6), or `None`. A code used already is
/// refused before this is asked.
pub(super) fn code_refusal(
    code: &AuthorizationCodeRecord,
    client: &OAuthClientRecord,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
    now: OffsetDateTime,
) -> Option<&'static str> {
    if code.client != client.id {
        return Some("the code was issued to another client");
    }
    if code.expires_at <= now {
        return Some("the code has expired");
    }
    let redirect_ok = match (&code.redirect_uri, redirect_uri) {
        (Some(named), given) => given == Some(named.as_str()),
        // The request named none: the client's only URI was used.
        (None, None) => true,
        (None, Some(given)) => client.redirect_uris.first().map(String::as_str) == Some(given),
    };
    if !redirect_ok {
        return Some("redirect_uri is not the one the code was issued for");
    }
    match (&code.challenge, verifier) {
        (Some(challenge), Some(verifier)) if verifier_matches(challenge, verifier) => None,
        (Some(_), Some(_)) => Some("code_verifier does not match the code_challenge"),
        (Some(_), None) => Some("code_verifier is required: the code was issued with PKCE"),
        (None, Some(_)) => Some("the code was issued without PKCE: send no code_verifier"),
        (None, None) => None,
    }
}

/// Whether every scope token of `asked` is in `granted` (RFC 6749, section 6).
pub(super) fn within_scope(asked: &str, granted: Option<&str>) -> bool {
    let granted: Vec<&str> = granted.unwrap_or_default().split(' ').collect();
    asked.split(' ').all(|token| granted.contains(&token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::UserId;
    use time::macros::datetime;

    /// The example of RFC 7636, appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn request() -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: Some("rdxc.client".into()),
            redirect_uri: Some("https://client.example/cb".into()),
            response_type: Some("code".into()),
            state: Some("state-1234".into()),
            scope: None,
            code_challenge: Some(CHALLENGE.into()),
            code_challenge_method: Some("S256".into()),
            repeated: Vec::new(),
        }
    }

    fn refusal(change: impl FnOnce(&mut AuthorizationRequest)) -> Option<OAuthErrorCode> {
        let mut request = request();
        change(&mut request);
        request_refusal(&request).map(|(code, _)| code)
    }

    #[test]
    fn a_complete_request_is_accepted() {
        assert_eq!(refusal(|_| {}), None);
        assert_eq!(
            refusal(|r| r.scope = Some("contacts read:all".into())),
            None
        );
        assert_eq!(
            refusal(|r| {
                r.code_challenge = None;
                r.code_challenge_method = None;
            }),
            None,
            "CRO's clients may use the plain authorization code grant"
        );
    }

    #[test]
    fn state_must_have_8_to_512_characters() {
        use OAuthErrorCode::InvalidRequest;
        assert_eq!(refusal(|r| r.state = None), Some(InvalidRequest));
        assert_eq!(
            refusal(|r| r.state = Some("1234567".into())),
            Some(InvalidRequest)
        );
        assert_eq!(refusal(|r| r.state = Some("12345678".into())), None);
        assert_eq!(refusal(|r| r.state = Some("é".repeat(512))), None);
        assert_eq!(
            refusal(|r| r.state = Some("a".repeat(513))),
            Some(InvalidRequest)
        );
    }

    #[test]
    fn only_the_code_response_type_is_supported() {
        assert_eq!(
            refusal(|r| r.response_type = Some("token".into())),
            Some(OAuthErrorCode::UnsupportedResponseType)
        );
        assert_eq!(
            refusal(|r| r.response_type = None),
            Some(OAuthErrorCode::InvalidRequest)
        );
    }

    #[test]
    fn repeated_parameters_and_bad_scopes_are_refused() {
        assert_eq!(
            refusal(|r| r.repeated = vec!["state".into()]),
            Some(OAuthErrorCode::InvalidRequest)
        );
        for scope in ["", "a  b", "quote\"", "back\\slash", "tab\there"] {
            assert_eq!(
                refusal(|r| r.scope = Some(scope.into())),
                Some(OAuthErrorCode::InvalidScope),
                "{scope:?}"
            );
        }
    }

    #[test]
    fn pkce_challenges_are_s256_or_plain() {
        let plain = |method: Option<&str>| {
            let mut request = request();
            request.code_challenge_method = method.map(str::to_owned);
            challenge_of(&request).map(|c| c.map(|c| c.method))
        };
        assert_eq!(plain(Some("S256")), Ok(Some(ChallengeMethod::S256)));
        assert_eq!(plain(Some("plain")), Ok(Some(ChallengeMethod::Plain)));
        assert_eq!(
            plain(None),
            Ok(Some(ChallengeMethod::Plain)),
            "RFC 7636 4.3"
        );
        assert!(plain(Some("s256")).is_err());
        assert_eq!(
            refusal(|r| r.code_challenge = Some("short".into())),
            Some(OAuthErrorCode::InvalidRequest)
        );
        assert_eq!(
            refusal(|r| r.code_challenge = None),
            Some(OAuthErrorCode::InvalidRequest),
            "a method without a challenge"
        );
    }

    #[test]
    fn verifiers_are_checked_against_their_challenge() {
        let s256 = CodeChallenge {
            challenge: CHALLENGE.into(),
            method: ChallengeMethod::S256,
        };
        assert!(verifier_matches(&s256, VERIFIER));
        assert!(!verifier_matches(&s256, CHALLENGE));
        let plain = CodeChallenge {
            challenge: VERIFIER.into(),
            method: ChallengeMethod::Plain,
        };
        assert!(verifier_matches(&plain, VERIFIER));
        assert!(!verifier_matches(&plain, &VERIFIER[1..]));
        assert!(is_pkce_value(VERIFIER));
        assert!(!is_pkce_value(&VERIFIER[..42]));
        assert!(!is_pkce_value(&"a".repeat(129)));
        assert!(!is_pkce_value(&format!("{}+", &VERIFIER[1..])));
    }

    fn client() -> OAuthClientRecord {
        OAuthClientRecord {
            id: 7,
            tenant_id: TenantId(1),
            name: "Dispatch".into(),
            client_id: "rdxc.client".into(),
            secret_hash: "hash".into(),
            redirect_uris: vec!["https://client.example/cb".into()],
            created_at: datetime!(2026-01-01 00:00 UTC),
            revoked_at: None,
        }
    }

    fn code() -> AuthorizationCodeRecord {
        AuthorizationCodeRecord {
            id: 3,
            tenant_id: TenantId(1),
            client: 7,
            user_id: UserId(2),
            redirect_uri: Some("https://client.example/cb".into()),
            challenge: Some(CodeChallenge {
                challenge: CHALLENGE.into(),
                method: ChallengeMethod::S256,
            }),
            scope: None,
            created_at: datetime!(2026-01-01 12:00:00 UTC),
            expires_at: datetime!(2026-01-01 12:00:30 UTC),
            used_at: None,
            revoked_at: None,
        }
    }

    #[test]
    fn a_code_is_exchanged_by_its_client_with_its_uri_and_verifier_before_it_expires() {
        let (code, client) = (code(), client());
        let uri = Some("https://client.example/cb");
        let at = |s: u8| datetime!(2026-01-01 12:00:00 UTC) + time::Duration::seconds(s.into());
        let refusal = |c: &AuthorizationCodeRecord, uri, verifier, s| {
            code_refusal(c, &client, uri, verifier, at(s))
        };
        assert_eq!(refusal(&code, uri, Some(VERIFIER), 29), None);
        assert_eq!(
            refusal(&code, uri, Some(VERIFIER), 30),
            Some("the code has expired")
        );
        assert!(refusal(&code, Some("https://client.example/cb/"), Some(VERIFIER), 1).is_some());
        assert!(refusal(&code, None, Some(VERIFIER), 1).is_some());
        let wrong = VERIFIER.replace('d', "e");
        assert!(refusal(&code, uri, Some(&wrong), 1).is_some());
        assert!(refusal(&code, uri, None, 1).is_some());
        let other = AuthorizationCodeRecord {
            client: 8,
            ..code.clone()
        };
        assert!(refusal(&other, uri, Some(VERIFIER), 1).is_some());
        let unnamed = AuthorizationCodeRecord {
            redirect_uri: None,
            challenge: None,
            ..code
        };
        assert_eq!(refusal(&unnamed, None, None, 1), None);
        assert_eq!(refusal(&unnamed, uri, None, 1), None);
        assert!(refusal(&unnamed, Some("https://elsewhere.example/"), None, 1).is_some());
        assert!(
            refusal(&unnamed, None, Some(VERIFIER), 1).is_some(),
            "no verifier for a code issued without PKCE"
        );
    }

    #[test]
    fn a_refresh_may_narrow_the_scope_never_widen_it() {
        assert!(within_scope("read", Some("read write")));
        assert!(within_scope("write read", Some("read write")));
        assert!(!within_scope("admin", Some("read write")));
        assert!(!within_scope("read", None));
    }

    #[test]
    fn refusals_carry_the_state_back() {
        let target = Target {
            uri: "https://client.example/cb".into(),
            state: Some("xyz".into()),
        };
        let redirect = Redirect::error(&target, OAuthErrorCode::InvalidRequest, "why");
        assert_eq!(
            redirect.params,
            [
                ("error", "invalid_request".to_owned()),
                ("error_description", "why".to_owned()),
                ("state", "xyz".to_owned())
            ]
        );
    }
}
