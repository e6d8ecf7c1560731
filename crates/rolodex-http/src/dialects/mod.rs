//! Compatibility surfaces ("dialects"): the wire formats of the systems Rolodex stands in
//! for, so that a client written against one of them works against Rolodex unchanged.
//!
//! A dialect is a translator: wire request -> core call -> wire response or wire error. It
//! knows `rolodex_core` and `rolodex_domain` only: never the store, never another dialect,
//! and it never repeats a validation rule.

pub mod cro;
pub mod expandable;
pub mod rpm;
