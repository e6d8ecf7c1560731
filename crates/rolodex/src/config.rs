//! The service's configuration: where it comes from, in which order, and what makes it valid.
//!
//! Layers, each overriding the one before: the embedded `config.default.toml` (which documents
//! every key) < the `--config` TOML file < `ROLODEX_<KEY>` environment variables < command-line
//! flags. The result is checked once by [`Config::load`] and handed down as plain owned values;
//! nothing here is global and nothing here reads configuration after start-up.

use anyhow::{Context, bail};
use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use ipnet::IpNet;
use rolodex_core::{AuthConfig, LoginLimits, OAuthConfig};
use rolodex_http::{ConnectionLimits, HttpConfig};
use serde::Deserialize;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The embedded defaults, also the reference documentation of every key.
pub const DEFAULTS_TOML: &str = include_str!("../../../config.default.toml");

/// Prefix of the environment variables that set configuration keys.
pub const ENV_PREFIX: &str = "ROLODEX_";

/// Every configuration key: only these are read from the environment, so that unrelated
/// `ROLODEX_*` variables (`ROLODEX_LOG_FORMAT`, `ROLODEX_CONFIG`) are not mistaken for keys.
pub const KEYS: &[&str] = &[
    "listen",
    "database_url",
    "media_dir",
    "session_ttl_secs",
    "max_body_bytes",
    "request_timeout_secs",
    "admin_password",
    "max_login_failures",
    "max_client_login_failures",
    "max_username_login_failures",
    "login_window_secs",
    "login_failure_burst",
    "login_failures_per_minute",
    "header_read_timeout_secs",
    "idle_timeout_secs",
    "max_connections",
    "max_connections_per_client",
    "trusted_proxies",
    "public_url",
    "credential_cache_secs",
    "oauth_access_token_ttl_secs",
    "oauth_refresh_token_ttl_secs",
];

/// The configuration as written in the layers, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: String,
    database_url: String,
    media_dir: PathBuf,
    session_ttl_secs: u64,
    max_body_bytes: usize,
    request_timeout_secs: u64,
    admin_password: Option<String>,
    max_login_failures: u32,
    max_client_login_failures: u32,
    max_username_login_failures: u32,
    login_window_secs: u64,
    public_url: Option<String>,
    credential_cache_secs: u64,
    login_failure_burst: u32,
    login_failures_per_minute: u32,
    header_read_timeout_secs: u64,
    idle_timeout_secs: u64,
    max_connections: usize,
    max_connections_per_client: usize,
    trusted_proxies: Addresses,
    oauth_access_token_ttl_secs: u64,
    oauth_refresh_token_ttl_secs: u64,
}

/// A list of addresses: a TOML array, or (from the environment) one string of addresses
/// separated by commas.
#[derive(Deserialize)]
#[serde(untagged)]
enum Addresses {
    List(Vec<String>),
    Text(String),
}

impl Addresses {
    fn items(&self) -> Vec<&str> {
        let items: Vec<&str> = match self {
            Addresses::List(items) => items.iter().map(String::as_str).collect(),
            Addresses::Text(text) => text.split(',').collect(),
        };
        items
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// A validated configuration.
#[derive(Clone)]
pub struct Config {
    /// Where the HTTP server listens; port 0 picks a free port.
    pub listen: SocketAddr,
    pub database_url: DatabaseUrl,
    /// Folder for photos (created at start; not used yet).
    pub media_dir: PathBuf,
    /// How long a login token is valid.
    pub session_ttl: Duration,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// The first start's `admin` password; generated and printed once when `None`.
    pub admin_password: Option<String>,
    /// Failed logins per username and client within `login_window` before that client is
    /// refused as that user.
    pub max_login_failures: u32,
    /// Failed logins per client (any username) within `login_window` before it is refused.
    pub max_client_login_failures: u32,
    /// Failed logins per username (any client) within `login_window` before clients that
    /// have failed on it themselves are refused.
    pub max_username_login_failures: u32,
    pub login_window: Duration,
    /// Failed logins a client may make at once on one node.
    pub login_failure_burst: u32,
    /// The rate that refills `login_failure_burst`.
    pub login_failures_per_minute: u32,
    /// Longest wait for a complete request head.
    pub header_read_timeout: Duration,
    /// Longest a connection may stay idle.
    pub idle_timeout: Duration,
    /// Open connections in all (lowered at start to fit under the open-file limit).
    pub max_connections: usize,
    /// Open connections per client address.
    pub max_connections_per_client: usize,
    /// Proxies whose `X-Forwarded-For` is believed, and whose connections are not bounded
    /// per client.
    pub trusted_proxies: Vec<IpNet>,
    /// The URL clients reach this service at (`https://contacts.example.com`), for links in
    /// responses; `None`: `http://` and the listening address.
    pub public_url: Option<String>,
    /// How long a verified credential is trusted without asking the store (0: never).
    pub credential_cache: Duration,
    /// How long an access token issued to an OAuth client is valid.
    pub oauth_access_token_ttl: Duration,
    /// How long an OAuth client's refresh token can be exchanged for new tokens.
    pub oauth_refresh_token_ttl: Duration,
}

/// Values given on the command line: the last layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub media_dir: Option<PathBuf>,
}

impl Config {
    /// Reads every layer (the `file` when given, which must exist) and validates the result.
    pub fn load(file: Option<&Path>, flags: &Overrides) -> anyhow::Result<Config> {
        let raw: RawConfig = Self::figment(file, flags)?
            .extract_lossy()
            .context("invalid configuration")?;
        raw.validate()
    }

    /// The embedded defaults alone (no file, no environment): a base for tests and tools that
    /// build a `Config` in code.
    pub fn defaults() -> Config {
        Figment::from(Toml::string(DEFAULTS_TOML))
            .extract_lossy::<RawConfig>()
            .map_err(anyhow::Error::from)
            .and_then(RawConfig::validate)
            .unwrap_or_else(|e| {
                unreachable!(
                    "the embedded config.default.toml is valid (a unit test checks): {e:#}"
                )
            })
    }

    fn figment(file: Option<&Path>, flags: &Overrides) -> anyhow::Result<Figment> {
        let mut figment = Figment::from(Toml::string(DEFAULTS_TOML));
        if let Some(path) = file {
            if !path.is_file() {
                bail!("the configuration file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let mut flag_values = Vec::new();
        if let Some(v) = &flags.listen {
            flag_values.push(("listen", v.clone()));
        }
        if let Some(v) = &flags.database_url {
            flag_values.push(("database_url", v.clone()));
        }
        if let Some(v) = &flags.media_dir {
            flag_values.push(("media_dir", v.display().to_string()));
        }
        Ok(figment
            .merge(Layer::environment())
            .merge(Layer::flags(flag_values)))
    }

    /// The authentication tunables of core.
    pub fn auth(&self) -> AuthConfig {
        AuthConfig {
            session_ttl: self.session_ttl,
            login: LoginLimits {
                window: self.login_window,
                per_user_and_client: self.max_login_failures,
                per_client: self.max_client_login_failures,
                per_user: self.max_username_login_failures,
                burst: self.login_failure_burst,
                per_minute: self.login_failures_per_minute,
            },
            credential_cache_ttl: self.credential_cache,
            oauth: OAuthConfig {
                access_token_ttl: self.oauth_access_token_ttl,
                refresh_token_ttl: self.oauth_refresh_token_ttl,
            },
        }
    }

    /// The HTTP application's limits, and its public URL when `listening` on that address.
    pub fn http(&self, listening: SocketAddr) -> HttpConfig {
        HttpConfig {
            max_body_bytes: self.max_body_bytes,
            request_timeout: self.request_timeout,
            trusted_proxies: self.trusted_proxies.clone(),
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{listening}")),
        }
    }

    /// The HTTP server's connection limits, before they are fitted to the open-file limit.
    pub fn connections(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: self.header_read_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections,
            max_connections_per_client: self.max_connections_per_client,
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &self.database_url)
            .field("media_dir", &self.media_dir)
            .field("session_ttl", &self.session_ttl)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("request_timeout", &self.request_timeout)
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "[redacted]"),
            )
            .field("max_login_failures", &self.max_login_failures)
            .field("max_client_login_failures", &self.max_client_login_failures)
            .field(
                "max_username_login_failures",
                &self.max_username_login_failures,
            )
            .field("login_window", &self.login_window)
            .field("login_failure_burst", &self.login_failure_burst)
            .field("login_failures_per_minute", &self.login_failures_per_minute)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_connections", &self.max_connections)
            .field(
                "max_connections_per_client",
                &self.max_connections_per_client,
            )
            .field("trusted_proxies", &self.trusted_proxies)
            .field("public_url", &self.public_url)
            .field("credential_cache", &self.credential_cache)
            .field("oauth_access_token_ttl", &self.oauth_access_token_ttl)
            .field("oauth_refresh_token_ttl", &self.oauth_refresh_token_ttl)
            .finish()
    }
}

impl RawConfig {
    /// Every problem at once, one per key, named as the operator wrote it.
    fn validate(self) -> anyhow::Result<Config> {
        let mut problems = Vec::new();
        let listen = self
            .listen
            .parse::<SocketAddr>()
            .map_err(|_| {
                problems.push(format!(
                    "listen: {:?} is not an address like 127.0.0.1:8080",
                    self.listen
                ));
            })
            .ok();
        let database_url = DatabaseUrl::parse(&self.database_url)
            .map_err(|e| problems.push(format!("database_url: {e}")))
            .ok();
        if self.media_dir.as_os_str().is_empty() {
            problems.push("media_dir: must not be empty".into());
        }
        for (key, value) in [
            ("session_ttl_secs", self.session_ttl_secs),
            ("request_timeout_secs", self.request_timeout_secs),
            ("login_window_secs", self.login_window_secs),
            ("max_body_bytes", self.max_body_bytes as u64),
            ("max_login_failures", u64::from(self.max_login_failures)),
            (
                "max_client_login_failures",
                u64::from(self.max_client_login_failures),
            ),
            (
                "max_username_login_failures",
                u64::from(self.max_username_login_failures),
            ),
            ("login_failure_burst", u64::from(self.login_failure_burst)),
            (
                "login_failures_per_minute",
                u64::from(self.login_failures_per_minute),
            ),
            ("header_read_timeout_secs", self.header_read_timeout_secs),
            ("idle_timeout_secs", self.idle_timeout_secs),
            (
                "oauth_access_token_ttl_secs",
                self.oauth_access_token_ttl_secs,
            ),
            (
                "oauth_refresh_token_ttl_secs",
                self.oauth_refresh_token_ttl_secs,
            ),
            ("max_connections", self.max_connections as u64),
            (
                "max_connections_per_client",
                self.max_connections_per_client as u64,
            ),
        ] {
            if value == 0 {
                problems.push(format!("{key}: must be greater than 0"));
            }
        }
        let public_url = self.public_url.filter(|url| !url.is_empty()).map(|url| {
            let trimmed = url.trim_end_matches('/').to_owned();
            let scheme_ok = trimmed.starts_with("http://") || trimmed.starts_with("https://");
            if !scheme_ok
                || trimmed.len() <= "https://".len()
                || trimmed.contains(char::is_whitespace)
            {
                problems.push(format!(
                    "public_url: {url:?} is not a URL like https://contacts.example.com"
                ));
            }
            trimmed
        });
        if let Some(password) = &self.admin_password
            && let Err(e) = rolodex_domain::user::check_password(password)
        {
            problems.push(format!("admin_password: {}", e.message));
        }
        let trusted_proxies: Vec<IpNet> = self
            .trusted_proxies
            .items()
            .into_iter()
            .filter_map(|item| {
                let network = parse_network(item);
                if network.is_none() {
                    problems.push(format!(
                        "trusted_proxies: {item:?} is not an address or network like 10.0.0.1 \
                         or 10.0.0.0/8"
                    ));
                }
                network
            })
            .collect();
        match (listen, database_url) {
            (Some(listen), Some(database_url)) if problems.is_empty() => Ok(Config {
                listen,
                database_url,
                media_dir: self.media_dir,
                session_ttl: Duration::from_secs(self.session_ttl_secs),
                max_body_bytes: self.max_body_bytes,
                request_timeout: Duration::from_secs(self.request_timeout_secs),
                admin_password: self.admin_password,
                max_login_failures: self.max_login_failures,
                max_client_login_failures: self.max_client_login_failures,
                max_username_login_failures: self.max_username_login_failures,
                login_window: Duration::from_secs(self.login_window_secs),
                login_failure_burst: self.login_failure_burst,
                login_failures_per_minute: self.login_failures_per_minute,
                header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
                idle_timeout: Duration::from_secs(self.idle_timeout_secs),
                max_connections: self.max_connections,
                max_connections_per_client: self.max_connections_per_client,
                trusted_proxies,
                public_url,
                credential_cache: Duration::from_secs(self.credential_cache_secs),
                oauth_access_token_ttl: Duration::from_secs(self.oauth_access_token_ttl_secs),
                oauth_refresh_token_ttl: Duration::from_secs(self.oauth_refresh_token_ttl_secs),
            }),
            _ => bail!("invalid configuration: {}", problems.join("; ")),
        }
    }
}

/// An address (one host) or a network in CIDR notation.
fn parse_network(item: &str) -> Option<IpNet> {
    item.parse::<IpNet>()
        .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
        .ok()
}

/// A database URL whose password never reaches a log: `Debug` and `Display` hide it.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Accepts `sqlite:` and `postgres:`/`postgresql:` URLs; whether the backend is compiled
    /// in is the store's decision.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let scheme = raw.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite" | "postgres" | "postgresql") if raw.len() > scheme_len(raw) + 1 => {
                Ok(Self(raw.to_owned()))
            }
            _ => Err(format!(
                "{:?} is not a database URL like sqlite://rolodex.db",
                Self(raw.to_owned()).to_string()
            )),
        }
    }

    /// The URL itself, password included: for the store only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn scheme_len(raw: &str) -> usize {
    raw.find(':').unwrap_or(raw.len())
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // scheme://user:password@host/...: hide what lies between the user's ':' and the '@'.
        let url = &self.0;
        let authority_start = url.find("://").map_or(0, |i| i + 3);
        let authority_end = url[authority_start..]
            .find('/')
            .map_or(url.len(), |i| authority_start + i);
        let authority = &url[authority_start..authority_end];
        match authority.rfind('@').and_then(|at| {
            authority[..at]
                .find(':')
                .map(|colon| (authority_start + colon, authority_start + at))
        }) {
            Some((colon, at)) => write!(f, "{}:***{}", &url[..colon], &url[at..]),
            None => f.write_str(url),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// A layer of plain string values (environment variables or flags). Values are kept as the
/// text the operator wrote, so a password like `12345678` or `true` stays a string; numbers
/// are converted when extracting (`extract_lossy`).
struct Layer {
    name: &'static str,
    values: Vec<(&'static str, String)>,
    /// How a key is spelled in this layer, for error messages.
    spell: fn(&str) -> String,
}

impl Layer {
    fn environment() -> Self {
        Self {
            name: "environment variable",
            values: KEYS
                .iter()
                .filter_map(|&key| {
                    std::env::var(env_var(key))
                        .ok()
                        .filter(|v| !v.is_empty())
                        .map(|v| (key, v))
                })
                .collect(),
            spell: env_var,
        }
    }

    fn flags(values: Vec<(&'static str, String)>) -> Self {
        Self {
            name: "command-line flag",
            values,
            spell: |key| match key {
                "database_url" => "--database".into(),
                other => format!("--{}", other.replace('_', "-")),
            },
        }
    }
}

/// The environment variable that sets `key`.
pub fn env_var(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.to_ascii_uppercase())
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        let spell = self.spell;
        Metadata::named(self.name)
            .interpolater(move |_: &Profile, keys: &[&str]| spell(&keys.join(".")))
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        let dict: Dict = self
            .values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(v.clone())))
            .collect();
        Ok(Profile::Default.collect(dict))
    }
}

#[cfg(test)]
// `Jail`'s closures must return `figment::Error`, which is large; that is figment's choice.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    fn flags(listen: Option<&str>) -> Overrides {
        Overrides {
            listen: listen.map(str::to_owned),
            ..Overrides::default()
        }
    }

    #[test]
    fn embedded_defaults_are_valid_and_documented() {
        let config = Config::defaults();
        assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.database_url.expose(), "sqlite://rolodex.db");
        assert_eq!(config.media_dir, PathBuf::from("./media"));
        assert_eq!(config.admin_password, None);
        for key in KEYS {
            assert!(
                DEFAULTS_TOML.contains(key),
                "{key} is documented in config.default.toml"
            );
        }
    }

    #[test]
    fn a_file_overrides_defaults_the_environment_overrides_the_file_and_a_flag_overrides_all() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "rolodex.toml",
                r#"
                listen = "127.0.0.1:1111"
                database_url = "sqlite://from-file.db"
                session_ttl_secs = 60
                "#,
            )?;
            let file = Some(Path::new("rolodex.toml"));

            let c = Config::load(file, &flags(None)).unwrap();
            assert_eq!(c.listen.port(), 1111);
            assert_eq!(c.database_url.expose(), "sqlite://from-file.db");
            assert_eq!(c.session_ttl, Duration::from_secs(60));
            assert_eq!(
                c.request_timeout,
                Duration::from_secs(30),
                "untouched keys keep defaults"
            );

            jail.set_env("ROLODEX_LISTEN", "127.0.0.1:2222");
            jail.set_env("ROLODEX_SESSION_TTL_SECS", "120");
            let c = Config::load(file, &flags(None)).unwrap();
            assert_eq!(c.listen.port(), 2222);
            assert_eq!(c.session_ttl, Duration::from_secs(120));
            assert_eq!(c.database_url.expose(), "sqlite://from-file.db");

            let c = Config::load(file, &flags(Some("127.0.0.1:3333"))).unwrap();
            assert_eq!(c.listen.port(), 3333);
            assert_eq!(c.session_ttl, Duration::from_secs(120));
            Ok(())
        });
    }

    #[test]
    fn a_numeric_password_in_the_environment_stays_a_string() {
        Jail::expect_with(|jail| {
            jail.set_env("ROLODEX_ADMIN_PASSWORD", "1234567890");
            let c = Config::load(None, &flags(None)).unwrap();
            assert_eq!(c.admin_password.as_deref(), Some("1234567890"));
            Ok(())
        });
    }

    #[test]
    fn unrelated_rolodex_variables_are_not_keys() {
        Jail::expect_with(|jail| {
            jail.set_env("ROLODEX_LOG_FORMAT", "json");
            jail.set_env("ROLODEX_SOMETHING_ELSE", "x");
            Config::load(None, &flags(None)).unwrap();
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_reported_by_key_all_at_once() {
        Jail::expect_with(|jail| {
            jail.set_env("ROLODEX_MAX_BODY_BYTES", "0");
            jail.set_env("ROLODEX_ADMIN_PASSWORD", "short");
            let e = Config::load(None, &flags(Some("not-an-address"))).unwrap_err();
            let message = format!("{e:#}");
            assert!(message.contains("listen: \"not-an-address\""), "{message}");
            assert!(
                message.contains("max_body_bytes: must be greater than 0"),
                "{message}"
            );
            assert!(
                message.contains("admin_password: must be 8 to"),
                "{message}"
            );
            Ok(())
        });
    }

    #[test]
    fn a_mistyped_key_in_the_file_is_an_error_naming_it() {
        Jail::expect_with(|jail| {
            jail.create_file("rolodex.toml", "lisen = \"127.0.0.1:1\"\n")?;
            let e = Config::load(Some(Path::new("rolodex.toml")), &flags(None)).unwrap_err();
            assert!(format!("{e:#}").contains("lisen"), "{e:#}");
            Ok(())
        });
    }

    #[test]
    fn a_non_number_where_a_number_is_expected_names_the_variable() {
        Jail::expect_with(|jail| {
            jail.set_env("ROLODEX_SESSION_TTL_SECS", "soon");
            let e = Config::load(None, &flags(None)).unwrap_err();
            assert!(
                format!("{e:#}").contains("ROLODEX_SESSION_TTL_SECS"),
                "{e:#}"
            );
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks_from_a_file_or_the_environment() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "rolodex.toml",
                "trusted_proxies = [\"10.0.0.0/8\", \"192.0.2.10\"]\n",
            )?;
            let c = Config::load(Some(Path::new("rolodex.toml")), &flags(None)).unwrap();
            let expected: Vec<IpNet> = vec![
                "10.0.0.0/8".parse().unwrap(),
                "192.0.2.10/32".parse().unwrap(),
            ];
            assert_eq!(c.trusted_proxies, expected);
            assert!(Config::defaults().trusted_proxies.is_empty());

            jail.set_env("ROLODEX_TRUSTED_PROXIES", "127.0.0.1, ::1");
            let c = Config::load(None, &flags(None)).unwrap();
            assert_eq!(c.trusted_proxies.len(), 2);
            jail.set_env("ROLODEX_TRUSTED_PROXIES", "10.0.0.0/33");
            let e = Config::load(None, &flags(None)).unwrap_err();
            assert!(
                format!("{e:#}").contains("trusted_proxies: \"10.0.0.0/33\""),
                "{e:#}"
            );
            Ok(())
        });
    }

    #[test]
    fn a_missing_config_file_is_an_error() {
        let e =
            Config::load(Some(Path::new("/nonexistent/rolodex.toml")), &flags(None)).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }

    #[test]
    fn database_url_passwords_are_hidden() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db.example:5432/rolodex").unwrap();
        assert_eq!(
            url.to_string(),
            "postgres://app:***@db.example:5432/rolodex"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(
            url.expose(),
            "postgres://app:s3cret@db.example:5432/rolodex"
        );
        let plain = DatabaseUrl::parse("sqlite://rolodex.db").unwrap();
        assert_eq!(plain.to_string(), "sqlite://rolodex.db");
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("rolodex.db").is_err());
        assert!(DatabaseUrl::parse("sqlite:").is_err());
    }

    #[test]
    fn config_debug_hides_the_admin_password() {
        let config = Config {
            admin_password: Some("hunter2hunter2".into()),
            ..Config::defaults()
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
