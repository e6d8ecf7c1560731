//! Valomnia's MuleSoft connector (<https://github.com/Valomnia/Valomnia-Mulesoft>), replayed:
//! each call made as its code makes it (method, URL, query, headers, no body), a new
//! connection per call as its `DefaultHttpClient`s make, no redirect followed, and each
//! answer read as its code reads it (the first line only), so that a test sees what the
//! connector's caller would get, or the exception the connector would throw. Requests are
//! written byte by byte ([`call`]).
//!
//! - `ConnectorConfig.authentication`: `POST <base>j_spring_security_check?<j_username,
//!   j_password, ajax=true>` with `Content-type: application/json`; a `302` required, the
//!   token cut out of the first `Set-Cookie` (`substring(11, indexOf(";"))`), then a `POST`
//!   of the `Location` (as an absolute URL) with `Content-type: application/json;charset=UTF-8`
//!   and `Cookie: JSESSIONID=<token>`; a `200` required, and `token` read from the first
//!   line's JSON object.
//! - `GenericValomniaClientImpl.getAll`: `GET <base><Resource>/list?firstSynchronization=true&
//!   format=json` with the cookie; `listCreated` and `listUpdated` added together.
//! - `GenericValomniaClientImpl.merge`: `getAll`, then `POST <base><Resource>/saveOrUpdate?
//!   <members>` with `Content-type: application/json;charset=UTF-8` and the cookie; on `200`
//!   a first line and `getAll` again ("Success created" if the count changed, else "Success
//!   Updated"); otherwise the first line as a JSON array, its first two elements joined.
//!
//! Parameters are encoded as `URLEncodedUtils.format(parameters, "ISO-8859-1")` encodes them.

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The connector's `User-Agent` (Apache HttpClient 4's).
const USER_AGENT: &str = "Apache-HttpClient/4.5.2 (java 1.5)";

/// What went wrong where the connector's code would throw.
pub type Thrown = String;

/// One answer: status, headers, and the first line of the body (`None` for an empty body).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub line: Option<String>,
}

/// `URLEncodedUtils.format(parameters, "ISO-8859-1")`: letters, digits and `-_.*` as
/// they are, a space as `+`, other characters as the `%XX` of their ISO-8859-1 byte, and
/// characters ISO-8859-1 cannot write as `?` (`%3F`).
pub fn encode(pairs: &[(&str, &str)]) -> String {
    let component = |s: &str| {
        s.chars()
            .map(|c| match c {
                'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | '*' => c.to_string(),
                ' ' => "+".to_owned(),
                c => format!("%{:02X}", u8::try_from(u32::from(c)).unwrap_or(b'?')),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", component(k), component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A configured connector: its base URL (with the trailing `/` its users write) and the
/// token its login obtained.
pub struct Connector {
    pub base: String,
    pub token: String,
}

/// One call on a new connection, as each of the connector's `DefaultHttpClient`s makes it:
/// the request line, the headers its code sets (`Content-type`, `Cookie`), then those
/// HttpClient 4 adds (`Content-Length: 0` for a `POST` without an entity, `Host`,
/// `Connection`, `User-Agent`), and no body. Written byte by byte, so that no header a
/// Rust client would add (`Accept`, say) is sent.
async fn call(
    method: &'static str,
    url: &str,
    content_type: Option<&str>,
    token: Option<&str>,
) -> Answer {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    if let Some(t) = content_type {
        head.push_str(&format!("Content-type: {t}\r\n"));
    }
    if let Some(t) = token {
        head.push_str(&format!("Cookie: JSESSIONID={t}\r\n"));
    }
    if method == "POST" {
        head.push_str("Content-Length: 0\r\n");
    }
    head.push_str(&format!(
        "Host: {authority}\r\nConnection: Keep-Alive\r\nUser-Agent: {USER_AGENT}\r\n\r\n"
    ));
    let authority = authority.to_owned();
    tokio::task::spawn_blocking(move || exchange(&authority, head.as_bytes()))
        .await
        .expect("the exchange does not panic")
}

/// Writes `request` on a new connection to `authority` and reads one response.
fn exchange(authority: &str, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(authority).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a timeout");
    stream.write_all(request).expect("the request is written");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("a status line");
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .expect("a status");
    let mut headers = HeaderMap::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("a header line");
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            HeaderValue::from_str(value.trim()).expect("a header value"),
        );
    }
    let mut body = Vec::new();
    let chunked = headers
        .get("transfer-encoding")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"));
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).expect("a chunk size");
            let size = usize::from_str_radix(line.trim(), 16).expect("a chunk size");
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).expect("a chunk");
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .expect("a Content-Length");
        body.resize(length, 0);
        reader.read_exact(&mut body).expect("the body");
    }
    let text = String::from_utf8(body).expect("a UTF-8 body");
    Answer {
        status,
        headers,
        line: text.lines().next().map(str::to_owned),
    }
}

/// The login's first call, as `authentication` makes it.
pub async fn login(base: &str, username: &str, password: &str) -> Answer {
    let query = encode(&[
        ("j_username", username),
        ("j_password", password),
        ("ajax", "true"),
    ]);
    call(
        "POST",
        &format!("{base}j_spring_security_check?{query}"),
        Some("application/json"),
        None,
    )
    .await
}

/// `ConnectorConfig.authentication`: the token, `None` when the connector reports invalid
/// credentials, or what it would throw.
pub async fn authenticate(
    base: &str,
    username: &str,
    password: &str,
) -> Result<Option<String>, Thrown> {
    let login = login(base, username, password).await;
    if login.status != StatusCode::FOUND {
        return Err(format!(
            "NullPointerException: the login answered {}, not 302",
            login.status
        ));
    }
    let location = login
        .headers
        .get("location")
        .ok_or("NullPointerException: no Location")?
        .to_str()
        .map_err(|e| e.to_string())?
        .to_owned();
    let cookie = login
        .headers
        .get("set-cookie")
        .ok_or("NullPointerException: no Set-Cookie")?
        .to_str()
        .map_err(|e| e.to_string())?;
    let end = cookie.find(';').ok_or("StringIndexOutOfBoundsException")?;
    let token = cookie
        .get(11..end)
        .ok_or("StringIndexOutOfBoundsException")?;
    if !location.starts_with("http://") && !location.starts_with("https://") {
        return Err(format!(
            "ClientProtocolException: no target host in Location {location:?}"
        ));
    }
    let success = call(
        "POST",
        &location,
        Some("application/json;charset=UTF-8"),
        Some(token),
    )
    .await;
    if success.status != StatusCode::OK {
        return Ok(None);
    }
    let Some(line) = success.line else {
        return Ok(None);
    };
    let map: Value =
        serde_json::from_str(&line).map_err(|e| format!("JsonSyntaxException: {e}"))?;
    Ok(map
        .get("token")
        .filter(|t| !t.is_null())
        .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_owned)))
}

impl Connector {
    /// `connect`: logs in, or fails the test.
    pub async fn connect(base: &str, username: &str, password: &str) -> Connector {
        let token = authenticate(base, username, password)
            .await
            .expect("the login does not throw")
            .expect("the credentials are accepted");
        Connector {
            base: base.to_owned(),
            token,
        }
    }

    /// `getAll` on `resource` (`ContactConnector/`, say): the list answer itself.
    pub async fn list(&self, resource: &str) -> Answer {
        let query = encode(&[("firstSynchronization", "true"), ("format", "json")]);
        call(
            "GET",
            &format!("{}{resource}list?{query}", self.base),
            None,
            Some(&self.token),
        )
        .await
    }

    /// `getAll`: `listCreated` and `listUpdated` together, or what `processResponse` throws.
    pub async fn get_all(&self, resource: &str) -> Result<Vec<Value>, Thrown> {
        read_lists(self.list(resource).await)
    }

    /// `merge`: the string the connector returns for a save of `members` (the bean's
    /// members that have a value), or what it would throw.
    pub async fn merge(&self, resource: &str, members: &[(&str, &str)]) -> Result<String, Thrown> {
        let saved = self.get_all(resource).await.unwrap_or_default().len();
        let answer = self.save(resource, members).await;
        if answer.status == StatusCode::OK {
            let saved1 = self.get_all(resource).await.unwrap_or_default().len();
            return Ok(match answer.line {
                Some(_) if saved != saved1 => "Success created".to_owned(),
                Some(_) => "Success Updated".to_owned(),
                None => "null".to_owned(),
            });
        }
        let line = answer.line.ok_or("null: no body")?;
        let errors: Vec<Value> = serde_json::from_str(&line)
            .map_err(|e| format!("JsonSyntaxException: {e} in {line}"))?;
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        match errors.as_slice() {
            [first, second, ..] => Ok(format!("{}{}", text(first), text(second))),
            _ => Err(format!("IndexOutOfBoundsException: {line}")),
        }
    }

    /// The `saveOrUpdate` call of `merge` alone.
    pub async fn save(&self, resource: &str, members: &[(&str, &str)]) -> Answer {
        call(
            "POST",
            &format!("{}{resource}saveOrUpdate?{}", self.base, encode(members)),
            Some("application/json;charset=UTF-8"),
            Some(&self.token),
        )
        .await
    }
}

/// `processResponse`: the two lists added together.
pub fn read_lists(answer: Answer) -> Result<Vec<Value>, Thrown> {
    if answer.status == StatusCode::NOT_FOUND {
        return Err("ValomniaAPIException: ressource not found".into());
    }
    if answer.status.as_u16() >= 400 {
        return Err(format!("ValomniaAPIException: {:?}", answer.line));
    }
    let line = answer.line.ok_or("no body")?;
    let root: Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
    let mut all = Vec::new();
    for name in ["listCreated", "listUpdated"] {
        let list = root[name]
            .as_array()
            .ok_or_else(|| format!("NullPointerException: no {name} array"))?;
        all.extend(list.iter().cloned());
    }
    Ok(all)
}
