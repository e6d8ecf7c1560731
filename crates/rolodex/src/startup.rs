//! The composition root: opens the store, wires it into core's [`Services`] and those into
//! the HTTP application, raises the open-file limit and fits the connection bound under it,
//! binds the listener, and shuts everything down in order.
//!
//! The only place that names a concrete store. It must not grow request handling or business
//! rules: those belong to `rolodex-http` and `rolodex-core`.

use crate::config::Config;
use anyhow::Context;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use rand::Rng;
use rolodex_core::{Media, Services, SystemClock};
use rolodex_http::ConnectionLimits;
use rolodex_media::{FsPhotoStorage, ImagePipeline};
use rolodex_store::Database;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;

/// How often the Prometheus recorder drains its histograms.
const METRICS_UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// How often the upkeep runs.
const UPKEEP_EVERY: Duration = Duration::from_secs(3600);

/// How old a photo file no contact names must be before the upkeep removes it: far longer
/// than any request may run, so the files of an upload still being written are never taken.
const ORPHAN_PHOTO_GRACE: Duration = Duration::from_secs(3600);

/// Length of a generated `admin` password, in URL-safe characters (144 bits).
const GENERATED_PASSWORD_CHARS: usize = 24;

/// File descriptors kept free of connections (at most half the open-file limit): for the
/// database, photo files, logs and the listener itself.
const FILES_BESIDES_CONNECTIONS: u64 = 256;

/// A built, bound, not yet serving Rolodex.
pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    router: axum::Router,
    connections: ConnectionLimits,
    services: Services,
    store: Database,
}

impl Application {
    /// Binds the listener (port 0 picks one), opens and migrates the store, creates the
    /// `default` tenant and its `admin` on the first start, and builds the HTTP application.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let connections = fit_connections(config.connections(), raise_open_file_limit());
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("could not listen on {}", config.listen))?;
        let local_addr = listener
            .local_addr()
            .context("the listener has no local address")?;
        std::fs::create_dir_all(&config.media_dir).with_context(|| {
            format!(
                "could not create the media folder {}",
                config.media_dir.display()
            )
        })?;
        let store = open_store(&config).await?;
        let services = Services::new(
            store.store(),
            Arc::new(SystemClock),
            config.auth(),
            media(&config),
        );
        if let Err(e) = bootstrap(&services, config.admin_password.clone()).await {
            store.close().await;
            return Err(e);
        }
        if config.public_url.is_none() && local_addr.ip().is_unspecified() {
            tracing::warn!(
                listen = %local_addr,
                "public_url is not set: absolute links (Valomnia's login redirects and photo \
                 URLs) name the listening address, which other machines cannot reach; set \
                 public_url to the URL clients use"
            );
        }
        let router = rolodex_http::app(services.clone(), prometheus(), config.http(local_addr));
        Ok(Application {
            listener,
            local_addr,
            router,
            connections,
            services,
            store,
        })
    }

    /// The port the listener is bound to.
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The use cases the application serves, for tests and tools in the same process.
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until `shutdown` completes, lets in-flight requests finish, then closes the
    /// store so that queued writes reach the disk before this returns.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(address = %self.local_addr, "listening");
        let upkeep = tokio::spawn(upkeep(self.services.clone()));
        rolodex_http::serve(self.listener, self.router, self.connections, shutdown).await;
        upkeep.abort();
        tracing::info!("HTTP server stopped; closing the store");
        self.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Removes, at start and then every [`UPKEEP_EVERY`], photo files that no contact names and
/// that are older than [`ORPHAN_PHOTO_GRACE`] (left by a process that died mid-write).
async fn upkeep(services: Services) {
    let mut every = tokio::time::interval(UPKEEP_EVERY);
    loop {
        every.tick().await;
        let tenants = match services.tenants.list_all().await {
            Ok(tenants) => tenants,
            Err(e) => {
                tracing::warn!(error = ?e, "upkeep could not list the tenants");
                continue;
            }
        };
        for tenant in tenants {
            if let Err(e) = services
                .photos
                .remove_orphans(tenant.id, ORPHAN_PHOTO_GRACE)
                .await
            {
                tracing::warn!(error = ?e, tenant = %tenant.id, "upkeep of photo files failed");
            }
        }
    }
}

/// Raises the soft open-file limit (RLIMIT_NOFILE) to the hard limit, and returns the limit
/// in force, if the platform has one.
fn raise_open_file_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if limit < u64::MAX => {
            tracing::info!(limit, "open-file limit");
            Some(limit)
        }
        Ok(_) => None,
        Err(e) => {
            let soft = current_open_file_limit();
            tracing::warn!(error = %e, limit = ?soft, "could not raise the open-file limit");
            soft
        }
    }
}

#[cfg(unix)]
fn current_open_file_limit() -> Option<u64> {
    rlimit::getrlimit(rlimit::Resource::NOFILE)
        .ok()
        .map(|(soft, _)| soft)
}

#[cfg(not(unix))]
fn current_open_file_limit() -> Option<u64> {
    None
}

/// `limits` with `max_connections` lowered, if need be, to leave file descriptors for
/// everything else under the open-file limit, so that accepting never fails for lack of them.
fn fit_connections(mut limits: ConnectionLimits, open_file_limit: Option<u64>) -> ConnectionLimits {
    if let Some(files) = open_file_limit {
        let room = files - FILES_BESIDES_CONNECTIONS.min(files / 2);
        let room = usize::try_from(room).unwrap_or(usize::MAX);
        if room < limits.max_connections {
            tracing::warn!(
                configured = limits.max_connections,
                max_connections = room,
                "max_connections lowered to fit under the open-file limit"
            );
            limits.max_connections = room;
        }
    }
    tracing::info!(
        max_connections = limits.max_connections,
        max_connections_per_client = limits.max_connections_per_client,
        "connection limits"
    );
    limits
}

/// The photo pipeline, and the photo storage in the configured media folder.
pub fn media(config: &Config) -> Media {
    Media {
        pipeline: Arc::new(ImagePipeline::per_core()),
        storage: Arc::new(FsPhotoStorage::new(&config.media_dir)),
    }
}

/// Opens (and migrates) the store named by the configuration.
pub async fn open_store(config: &Config) -> anyhow::Result<Database> {
    rolodex_store::connect(config.database_url.expose())
        .await
        .with_context(|| format!("could not open the database {}", config.database_url))
}

/// On a store without users, creates tenant `default` and user `admin`, with the configured
/// password or a generated one that is printed here, once.
async fn bootstrap(services: &Services, configured: Option<String>) -> anyhow::Result<()> {
    let generated = configured.is_none();
    let password = configured.unwrap_or_else(generate_password);
    let created = services
        .users
        .bootstrap(&services.tenants, password.clone())
        .await
        .context("could not create the first tenant and user")?;
    if let Some(created) = created {
        let (tenant, user) = (created.tenant.as_str(), created.username.as_str());
        tracing::info!(
            tenant,
            user,
            "first start: created the first tenant and its admin"
        );
        if generated {
            println!(
                "Created tenant {tenant} and user {user} with password: {password} \
                 (shown once; change it with 'rolodex user passwd {user}')"
            );
        } else {
            println!(
                "Created tenant {tenant} and user {user} with the configured password \
                 (ROLODEX_ADMIN_PASSWORD / admin_password)"
            );
        }
    }
    Ok(())
}

/// A random password of URL-safe characters, from the thread's cryptographic generator.
pub fn generate_password() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..GENERATED_PASSWORD_CHARS)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// The process's Prometheus recorder, installed on first use: `metrics` has one global
/// recorder, and several applications in one process (tests) share it. `None` if another
/// recorder was installed first.
pub fn prometheus() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => {
                let upkeep = handle.clone();
                let spawned = std::thread::Builder::new()
                    .name("metrics-upkeep".into())
                    .spawn(move || {
                        loop {
                            std::thread::sleep(METRICS_UPKEEP_EVERY);
                            upkeep.run_upkeep();
                        }
                    });
                if let Err(e) = spawned {
                    tracing::warn!(error = %e, "no metrics upkeep thread; histograms will grow");
                }
                Some(handle)
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics are disabled: a recorder is already installed");
                None
            }
        })
        .clone()
}

/// A future that completes on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed by this
/// call, not when the future is first polled, so a signal that arrives once the server says it
/// is listening is never lost to the default action (terminating without cleanup).
pub fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => tracing::info!("Ctrl-C received; shutting down"),
                _ = terminate.recv() => tracing::info!("SIGTERM received; shutting down"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            tracing::info!("Ctrl-C received; shutting down");
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_url_safe_and_different() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.len(), GENERATED_PASSWORD_CHARS);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, b);
        assert!(rolodex_domain::user::check_password(&a).is_ok());
    }
}
