//! Logging. Lines carry ids (route, request id, tenant id) and never request content: no names,
//! emails, phone numbers or message text.

use std::io::{self, Write};
use tracing_subscriber::fmt::MakeWriter;

/// The longest log line written. Confide's own lines are far shorter; a library may quote a value it
/// was sent (a Stripe SDK once warned of an unknown enum value with the value whole, megabytes of it in
/// a signed but hostile event), so a longer line is replaced by a short note.
pub const MAX_LINE_BYTES: usize = 2048;

/// How much of a cut line the note keeps, to find where it came from.
const CUT_LINE_HEAD: usize = 120;

/// JSON lines on stdout, filtered by `RUST_LOG` (default `info`). Safe to call more than once.
pub fn init() {
    init_with(std::io::stdout);
}

/// The same lines, written to `writer` instead (the tests read back what was logged).
pub fn init_with<W>(writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .without_time()
        .with_writer(BoundedLines(writer))
        .try_init();
}

/// Writes each line as it is, or a note in its place when it is over [`MAX_LINE_BYTES`].
struct BoundedLines<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for BoundedLines<M> {
    type Writer = BoundedLine<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        BoundedLine(self.0.make_writer())
    }
}

struct BoundedLine<W>(W);

impl<W: Write> Write for BoundedLine<W> {
    /// The formatter hands over one whole line per call.
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        if line.len() <= MAX_LINE_BYTES {
            self.0.write_all(line)?;
        } else {
            let head = String::from_utf8_lossy(&line[..CUT_LINE_HEAD]);
            let note = serde_json::json!({
                "level": "WARN",
                "fields": { "message": "log line cut", "bytes": line.len(), "head": head },
            });
            self.0.write_all(format!("{note}\n").as_bytes())?;
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_over_the_bound_is_replaced_by_a_short_note() {
        let mut out = Vec::new();
        let mut writer = BoundedLine(&mut out);
        let short = b"{\"level\":\"INFO\"}\n";
        assert_eq!(writer.write(short).unwrap(), short.len());
        let long = format!("{{\"message\":\"{}\"}}\n", "v".repeat(6_000_000));
        assert_eq!(writer.write(long.as_bytes()).unwrap(), long.len());
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "{\"level\":\"INFO\"}");
        assert!(lines[1].len() < 400, "{}", lines[1]);
        let note: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(note["fields"]["bytes"], long.len());
    }
}
