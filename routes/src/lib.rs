//! How a hotline call or message is routed, as pure functions: menus, whom to ring and in what
//! order, escalation, voicemail, and the TwiML documents. Never touches the network, the database
//! or the clock.

pub mod call;
pub mod callback;
pub mod consent;
pub mod digest;
pub mod follow_up;
pub mod hours;
pub mod line;
pub mod menu;
pub mod messages;
pub mod prompts;
pub mod report;
pub mod rota_watch;
pub mod shift_notice;
pub mod twiml;
