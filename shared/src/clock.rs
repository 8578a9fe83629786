//! The time of day, read in one place so every adapter and handler stamps records the same way
//! (whole seconds, UTC) without depending on `app`.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Now, as RFC 3339 in UTC to the second: the form every stored timestamp takes, so they sort.
pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Now, as seconds since the Unix epoch: leases, token times and webhook tolerances.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}
