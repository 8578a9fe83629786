//! Logging. Lines carry ids (route, request id, tenant id) and never request content: no names,
//! emails, phone numbers or message text.

/// JSON lines on stdout, filtered by `RUST_LOG` (default `info`). Safe to call more than once.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .without_time()
        .try_init();
}
