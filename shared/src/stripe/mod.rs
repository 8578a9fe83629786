//! Stripe (issue 4): verifying webhook signatures before anything is parsed.

pub mod signature;
