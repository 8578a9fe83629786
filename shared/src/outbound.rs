//! The HTTP client for calls that leave AWS — GenAI providers, Twilio, SendGrid: one per process (one
//! connection pool, one TLS configuration), built by the first such call rather than at cold start,
//! where it would cost every instance its TLS setup whether it calls out or not. Stripe's client is
//! its own (timeout, user agent) and is built on first use as well ([`crate::stripe::Connection`]).

use std::sync::LazyLock;

static CLIENT: LazyLock<reqwest::Client> = LazyLock::new(reqwest::Client::new);

pub fn client() -> &'static reqwest::Client {
    &CLIENT
}
