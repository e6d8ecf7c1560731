//! Integration tests of the SQLite store against real database files in temporary folders.

mod auth;
mod contacts;
mod customers;
mod filters;
mod idempotency;
mod lifecycle;
mod search;
mod support;
mod writer;
