//! The integration tests of the `rolodex` binary: one test binary (so it links once), with a
//! real application on 127.0.0.1:0 over a temporary SQLite file, and the built executable run
//! as an operator would run it.

mod cli;
mod cro;
mod durability;
mod expandable;
mod expandable_classic;
mod native;
mod photos;
mod rpm;
mod serve;
mod support;
mod valomnia;
mod valomnia_lists;
mod walkthrough;
