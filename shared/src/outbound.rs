//! The HTTP client for calls that leave AWS — GenAI providers, Twilio, SendGrid: one per [`crate::App`]
//! (one connection pool, one TLS configuration), built by the first such call rather than at cold
//! start, where it would cost every instance its TLS setup whether it calls out or not. Not one per
//! process: a pooled connection belongs to the async runtime that opened it, and a process may run
//! several (the tests do). Stripe's client is its own (timeout, user agent) and is built on first use
//! as well ([`crate::stripe::Connection`]).

use std::sync::{Arc, OnceLock};

#[derive(Clone, Default)]
pub struct Outbound(Arc<OnceLock<reqwest::Client>>);

impl Outbound {
    pub fn client(&self) -> &reqwest::Client {
        self.0.get_or_init(reqwest::Client::new)
    }
}
