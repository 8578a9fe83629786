//! Twilio, the tenant's own account (issue 10): the request signature of its webhooks.

pub mod signature;
