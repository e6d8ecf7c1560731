//! The integration tests of the `rolodex` binary: one test binary (so it links once), with a
//! real application on 127.0.0.1:0 over a temporary SQLite file or a PostgreSQL database of
//! its own (see `support::app_tests`), connections over real TCP from several loopback
//! addresses, several nodes on one PostgreSQL database, and the built
//! executable run as an operator would run it.

#[macro_use]
mod support;

mod cli;
mod connections;
mod cro;
mod durability;
mod expandable;
mod expandable_classic;
mod expandable_clients;
mod expandable_customers;
mod hardening;
mod import_export;
mod logins;
mod native;
mod nodes;
mod oauth;
mod oauth_authlib;
mod pages;
mod photos;
mod restore;
mod rpm;
mod rpm_client;
mod rpm_node;
mod serve;
mod valomnia;
mod valomnia_connector;
mod valomnia_lists;
mod walkthrough;
