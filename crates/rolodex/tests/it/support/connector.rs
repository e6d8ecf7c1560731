//! Valomnia's MuleSoft connector (<https://github.com/Valomnia/Valomnia-Mulesoft>), replayed:
//! each call made as its code makes it (method, URL, query, headers, no body), a new
//! connection per call as its `DefaultHttpClient`s make, no redirect followed, and each
//! answer read as its code reads it (the first line only), so that a test sees what the
//! connector's caller would get, or the exception the connector would throw.
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

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The connector's `User-Agent` (Apache HttpClient 4's).
const USER_AGENT: &str = "Apache-HttpClient/4.5.2 (Java/1.8.0_92)";

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

/// One call on a new client, as each of the connector's `DefaultHttpClient`s makes it.
async fn call(
    method: Method,
    url: &str,
    content_type: Option<&str>,
    token: Option<&str>,
) -> Answer {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let mut request = http
        .request(method.clone(), url)
        .header("User-Agent", USER_AGENT)
        .header("Connection", "Keep-Alive");
    if let Some(t) = content_type {
        request = request.header("Content-type", t);
    }
    if let Some(t) = token {
        request = request.header("Cookie", format!("JSESSIONID={t}"));
    }
    if method == Method::POST {
        // HttpClient sends `Content-Length: 0` for a POST without an entity.
        request = request.body(Vec::new());
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    Answer {
        status,
        headers,
        line: text.lines().next().map(str::to_owned),
    }
}

/// `ConnectorConfig.authentication`: the token, `None` when the connector reports invalid
/// credentials, or what it would throw.
pub async fn authenticate(
    base: &str,
    username: &str,
    password: &str,
) -> Result<Option<String>, Thrown> {
    let query = encode(&[
        ("j_username", username),
        ("j_password", password),
        ("ajax", "true"),
    ]);
    let login = call(
        Method::POST,
        &format!("{base}j_spring_security_check?{query}"),
        Some("application/json"),
        None,
    )
    .await;
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
        Method::POST,
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
            Method::GET,
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
            Method::POST,
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
