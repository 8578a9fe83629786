//! Logging. Lines carry ids (route, request id, tenant id) and never request content: no names,
//! emails, phone numbers or message text.

/// JSON lines on stdout, filtered by `RUST_LOG` (default `info`). Safe to call more than once.
pub fn init() {
    init_with(std::io::stdout);
}

/// The same lines, written to `writer` instead (the tests read back what was logged).
pub fn init_with<W>(writer: W)
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .without_time()
        .with_writer(writer)
        .try_init();
}
