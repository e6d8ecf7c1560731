//! The sign-in forms' defence against cross-site request forgery (the OAuth authorization
//! page's and the pages' sign-in, which have no session yet): a double-submit cookie. The
//! page sets a random value in an `HttpOnly`, `SameSite=Lax` cookie and in a hidden field of
//! its form; a submission is accepted only when both are sent and equal (compared in constant
//! time). Another site can neither read the value nor, under `SameSite=Lax`, send the cookie
//! with a cross-site POST.

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use subtle::ConstantTimeEq;

/// A form's double-submit cookie: its name and the path it is sent to.
#[derive(Debug, Clone, Copy)]
pub struct DoubleSubmit {
    pub cookie: &'static str,
    pub path: &'static str,
}

/// A new random value (256 bits), base64url.
pub fn new_value() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl DoubleSubmit {
    /// The `Set-Cookie` value that holds `value`, `Secure` when the service is reached over
    /// HTTPS.
    pub fn cookie(&self, value: &str, secure: bool) -> Option<HeaderValue> {
        let secure = if secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={value}; Path={}; HttpOnly; SameSite=Lax{secure}",
            self.cookie, self.path
        ))
        .ok()
    }

    /// The value of the request's cookie, if it sent one.
    pub fn sent(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie)
            .map(|(_, value)| value.to_owned())
    }

    /// Whether the request's cookie and the form's `field` value are present and equal.
    pub fn holds(&self, headers: &HeaderMap, field: Option<&str>) -> bool {
        holds(self.sent(headers).as_deref(), field)
    }
}

/// Whether the form's `field` value and the cookie's are present and equal.
pub fn holds(cookie: Option<&str>, field: Option<&str>) -> bool {
    match (cookie, field) {
        (Some(cookie), Some(field)) if !cookie.is_empty() => {
            bool::from(cookie.as_bytes().ct_eq(field.as_bytes()))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_read_back_among_others() {
        const FORM: DoubleSubmit = DoubleSubmit {
            cookie: "form_csrf",
            path: "/oauth",
        };
        let value = new_value();
        assert_eq!(value.len(), 43);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=1; form_csrf={value}; b=2")).expect("valid"),
        );
        assert_eq!(FORM.sent(&headers).as_deref(), Some(value.as_str()));
        assert!(FORM.holds(&headers, Some(&value)));
        let set = FORM.cookie(&value, true).expect("a header value");
        let set = set.to_str().expect("ascii");
        for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/oauth"] {
            assert!(set.contains(attribute), "{set}");
        }
    }

    #[test]
    fn only_an_equal_pair_holds() {
        assert!(holds(Some("abc"), Some("abc")));
        assert!(!holds(Some("abc"), Some("abd")));
        assert!(!holds(Some("abc"), None));
        assert!(!holds(None, Some("abc")));
        assert!(!holds(Some(""), Some("")));
    }
}
