//! Twilio, the tenant's own account: the request signature of its webhooks, their form
//! parameters and TwiML answers, and the REST API that sends messages.

pub mod api;
pub mod signature;
pub mod webhook;
