//! The redirect URI of an OAuth client: where the authorization server sends the user back
//! with a code. Registered in advance and matched exactly, character for character (RFC 6749,
//! section 3.1.2; RFC 6819, section 5.2.3.5), so this type only decides what may be
//! registered.

use crate::validation::ValidationError;

/// Longest redirect URI accepted, in characters (all ASCII).
pub const REDIRECT_URI_MAX_CHARS: usize = 2000;

/// An absolute `https` or `http` URI with a host, without a fragment (RFC 6749, section
/// 3.1.2) or user information, written in visible ASCII (RFC 3986).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedirectUri(String);

impl RedirectUri {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let invalid = |message: &str| {
            ValidationError::new("redirect_uris", "invalid_redirect_uri", message.to_owned())
        };
        if raw.len() > REDIRECT_URI_MAX_CHARS {
            return Err(ValidationError::new(
                "redirect_uris",
                "too_long",
                format!("a redirect URI is at most {REDIRECT_URI_MAX_CHARS} characters long"),
            ));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "a redirect URI is ASCII without whitespace or control characters \
                 (percent-encode the rest)",
            ));
        }
        if raw.contains('#') {
            return Err(invalid("a redirect URI must not have a fragment (#...)"));
        }
        let rest = ["https://", "http://"]
            .into_iter()
            .find_map(|scheme| {
                raw.get(..scheme.len())
                    .filter(|s| s.eq_ignore_ascii_case(scheme))
                    .map(|_| &raw[scheme.len()..])
            })
            .ok_or_else(|| invalid("a redirect URI is an absolute https:// or http:// URI"))?;
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        if authority.is_empty() || authority.starts_with(':') {
            return Err(invalid("a redirect URI names a host"));
        }
        if authority.contains('@') {
            return Err(invalid(
                "a redirect URI must not hold a user name or password",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_web_uris_are_accepted_as_written() {
        for ok in [
            "https://client.example/callback",
            "http://127.0.0.1:8765/cb?app=1",
            "HTTPS://Client.Example",
            "https://client.example:8443/a/b?c=d&e=f",
        ] {
            assert_eq!(RedirectUri::parse(ok).map(|u| u.0), Ok(ok.to_owned()));
        }
    }

    #[test]
    fn relative_fragmented_or_odd_uris_are_refused() {
        for bad in [
            "",
            "/callback",
            "client.example/callback",
            "javascript:alert(1)",
            "ftp://client.example/",
            "https://",
            "https:///path",
            "https://:443/",
            "https://client.example/cb#frag",
            "https://user:pw@client.example/cb",
            "https://client.example/a b",
            "https://client.example/\n",
            "https://client.example/café",
        ] {
            assert!(RedirectUri::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!(
            "https://client.example/{}",
            "a".repeat(REDIRECT_URI_MAX_CHARS)
        );
        assert_eq!(
            RedirectUri::parse(&long).map_err(|e| e.code),
            Err("too_long")
        );
    }
}
