//! Test harness: an in-process application ([`TestApp`]), an HTTP client that checks status
//! codes ([`TestClient`]), the `rolodex` executable on a temporary database ([`Cli`]), and
//! calls of the Expandable surfaces ([`expandable`]).
//! Tests never install a log subscriber themselves: `TEST_LOG=1` turns logs on.

// The harness offers more than today's tests use; unused helpers are not dead code here.
#![allow(dead_code, unused_imports)]

/// Generates, from `async fn name(app: TestApp)` test bodies, the tests `sqlite::name` and
/// `postgres::name`: each runs against a new application on that backend. A PostgreSQL test
/// whose server cannot be reached is skipped with a message (and fails under CI).
macro_rules! app_tests {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(crate::support::TestApp::spawn().await).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(app) = crate::support::TestApp::spawn_postgres().await {
                        super::$name(app).await;
                    }
                }
            )+
        }
    };
}

/// As `app_tests!`, with each test's configuration changed by a function of its own:
/// `configured_app_tests!(name: configure, ...)` runs `name` on an application whose `Config`
/// `configure(&mut Config)` changed.
macro_rules! configured_app_tests {
    ($($name:ident: $configure:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let app = crate::support::TestApp::spawn_configured(super::$configure).await;
                    super::$name(app).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let app = crate::support::TestApp::spawn_postgres_configured(super::$configure);
                    if let Some(app) = app.await {
                        super::$name(app).await;
                    }
                }
            )+
        }
    };
}

mod app;
mod client;
pub mod connector;
mod exe;
pub mod expandable;
pub mod images;
pub mod valomnia;

pub use app::{ADMIN_PASSWORD, TestApp};
pub use client::TestClient;
pub use exe::{Cli, Run, Server};
