//! Test harness: an in-process application ([`TestApp`]), an HTTP client that checks status
//! codes ([`TestClient`]), the `rolodex` executable on a temporary database ([`Cli`]), and
//! calls of the Expandable surfaces ([`expandable`]).
//! Tests never install a log subscriber themselves: `TEST_LOG=1` turns logs on.

// The harness offers more than today's tests use; unused helpers are not dead code here.
#![allow(dead_code, unused_imports)]

mod app;
mod client;
mod exe;
pub mod expandable;
pub mod images;
pub mod valomnia;

pub use app::{ADMIN_PASSWORD, TestApp};
pub use client::TestClient;
pub use exe::{Cli, Run, Server};
