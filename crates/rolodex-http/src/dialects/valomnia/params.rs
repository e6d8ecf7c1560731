//! Request parameters as a Valomnia (Grails) server reads them: the query string merged with a
//! `application/x-www-form-urlencoded` or `multipart/form-data` body (a body value wins over
//! a query value of the same name; the first of repeated names counts). JSON bodies are not
//! read: the pages take form and multipart bodies only. The multipart part `imageFile` is the
//! photo upload; a part without content (a form's empty file input) is no upload. Encoded
//! values that are not UTF-8 are read as ISO-8859-1 ([`pairs`]).

use super::error::ValomniaError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use std::collections::HashMap;

/// The multipart part that carries the photo (seed 003).
pub const IMAGE_FILE: &str = "imageFile";

/// A request's parameters, and its photo upload if it has one.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
    pub image: Option<Vec<u8>>,
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A parameter the call cannot do without: `missing_param` when absent or empty.
    pub fn required(&self, name: &str) -> Result<&str, ValomniaError> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ValomniaError::missing(name))
    }

    /// A boolean parameter (`true` or `false`, any case); `invalid_param_type` otherwise.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, ValomniaError> {
        self.get(name)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ValomniaError::invalid_type(name)),
            })
            .transpose()
    }

    /// A parameter parsed as `T`; `invalid_param_type` when it does not parse.
    pub fn parsed<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, ValomniaError> {
        self.get(name)
            .map(|v| v.parse().map_err(|_| ValomniaError::invalid_type(name)))
            .transpose()
    }

    /// Every parameter, for filters and links.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn insert(&mut self, name: String, value: String) {
        self.values.entry(name).or_insert(value);
    }
}

/// The name-value pairs of a query string or form body. Percent-decoded bytes that are not
/// UTF-8 are read as ISO-8859-1: Valomnia's MuleSoft connector encodes its parameters that
/// way, and the servlet containers Valomnia's server runs on decode query strings that way
/// by default. A `%` not followed by two hexadecimal digits stands for itself.
fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    raw.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            (decode(name), decode(value))
        })
        .collect()
}

/// One percent-encoded component: `+` is a space; UTF-8, else ISO-8859-1.
fn decode(raw: &[u8]) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let escaped = match raw.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)),
            _ => None,
        };
        match (escaped, raw[i]) {
            (Some((hi, lo)), _) => {
                bytes.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
                i += 3;
            }
            (None, b'+') => {
                bytes.push(b' ');
                i += 1;
            }
            (None, b) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(bytes)
        .unwrap_or_else(|e| e.into_bytes().into_iter().map(char::from).collect())
}

fn multipart_error(e: &MultipartError) -> ValomniaError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ValomniaError::file_too_large()
    } else {
        ValomniaError::save_failed("Unreadable multipart body.")
    }
}

impl FromRequest<AppState> for Params {
    type Rejection = ValomniaError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ValomniaError> {
        let query = pairs(req.uri().query().unwrap_or("").as_bytes());
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut params = Params::default();
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(req, state)
                .await
                .map_err(|_| ValomniaError::save_failed("Unreadable multipart body."))?;
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| multipart_error(&e))?
            {
                let name = field.name().unwrap_or("").to_owned();
                let bytes = field.bytes().await.map_err(|e| multipart_error(&e))?;
                if name == IMAGE_FILE {
                    if !bytes.is_empty() && params.image.is_none() {
                        params.image = Some(bytes.to_vec());
                    }
                } else {
                    let value = String::from_utf8(bytes.to_vec())
                        .map_err(|_| ValomniaError::invalid_type(&name))?;
                    params.insert(name, value);
                }
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            let body = Bytes::from_request(req, state).await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ValomniaError::file_too_large()
                } else {
                    ValomniaError::save_failed("Unreadable body.")
                }
            })?;
            for (name, value) in pairs(&body) {
                params.insert(name, value);
            }
        }
        for (name, value) in query {
            params.insert(name, value);
        }
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_utf_8_or_else_iso_8859_1() {
        assert_eq!(
            pairs(b"firstName=Ren%C3%A9&lastName=M%E9nard+Jr&x=%zz&flag"),
            [
                ("firstName".to_owned(), "Ren\u{e9}".to_owned()),
                ("lastName".to_owned(), "M\u{e9}nard Jr".to_owned()),
                ("x".to_owned(), "%zz".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
    }
}
