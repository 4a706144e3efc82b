//! Talking with the telephony provider (Twilio or a compatible one): checking that a webhook
//! really came from it, and the REST client that sends calls and messages.

pub mod client;
pub mod signature;
