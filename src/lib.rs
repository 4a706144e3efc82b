//! The hotline server: the only crate of the workspace that does I/O. It records, wires and
//! sends; what to do with a call or a rota lives in `hotline-routes` and `hotline-schedules`.

#![forbid(unsafe_code)]

pub mod audit_chain;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod consent_words;
pub mod crypto;
pub mod erasure;
pub mod import;
pub mod jobs;
pub mod key_check;
pub mod legacy_notes;
pub mod lines;
pub mod log;
pub mod metrics;
pub mod notify;
pub mod outbox;
pub mod panics;
pub mod rekey;
pub mod reports;
pub mod rota;
pub mod secrets;
pub mod server;
pub mod simulate;
pub mod store;
pub mod telephony;
pub mod users;
pub mod web;
