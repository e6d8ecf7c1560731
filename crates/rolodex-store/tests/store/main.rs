//! Integration tests of the store, each against a real SQLite file in a temporary folder and
//! against a real PostgreSQL database of its own (see `support::store_tests`).

#[macro_use]
mod support;

mod auth;
mod contacts;
mod copy;
mod customers;
mod filters;
mod idempotency;
mod imports;
mod lifecycle;
mod oauth;
mod search;
mod window;
mod writer;
