//! End-to-end tests: the real server on a loopback port, real databases, webhooks signed by
//! Twilio's own Python library.

mod attacks;
mod binary;
mod call_flow;
mod call_log;
mod call_properties;
mod cli;
mod consent_api;
#[path = "../support/databases.rs"]
mod databases;
mod duty_alerts;
mod duty_notices;
mod helpers;
mod jobs_kill;
mod jobs_leases;
mod jobs_two_runners;
mod lines_api;
mod messages;
mod operations;
mod outbox;
mod pages_access;
mod pages_account;
mod pages_audit;
mod pages_browser;
mod pages_cli;
mod pages_follow_ups;
mod pages_forms;
mod pages_lines;
mod pages_log;
mod pages_proxy;
mod pages_reports;
mod pages_rota;
mod pages_rotations;
mod pages_sign_in;
mod pages_staff;
mod pages_users;
mod planned;
mod privacy;
mod recordings;
mod reminders;
mod reports;
mod retention;
mod rota_api;
mod rota_calls;
mod signatures;
#[path = "../support/signer.rs"]
mod signer;
mod simulate;
mod voice;
