//! X-Ray: every AWS SDK call of a sampled invocation reaches the daemon as a subsegment of the
//! invocation's segment, and nothing is sent for an unsampled one. A test binary of its own, because
//! the trace header is a process-wide variable (as on Lambda, where one instance serves one
//! invocation at a time).

use confide_shared::xray::{DAEMON_ADDRESS_VARIABLE, TRACE_HEADER_VARIABLE};
use confide_tests::sign_up;
use serde_json::Value;
use std::time::Duration;
use tokio::net::UdpSocket;

const ROOT: &str = "1-6761e5a0-5d1f3c2b4a6e8f0a1c3e5b7d";
const PARENT: &str = "a1b2c3d4e5f60718";

/// Every datagram that arrives until the daemon has been quiet for half a second.
async fn received(daemon: &UdpSocket) -> Vec<String> {
    let mut datagrams = Vec::new();
    let mut buffer = vec![0u8; 65_536];
    while let Ok(Ok(length)) =
        tokio::time::timeout(Duration::from_millis(500), daemon.recv(&mut buffer)).await
    {
        datagrams.push(String::from_utf8_lossy(&buffer[..length]).into_owned());
    }
    datagrams
}

fn set_trace(sampled: bool) {
    let header = format!("Root={ROOT};Parent={PARENT};Sampled={}", u8::from(sampled));
    // SAFETY: this binary's only test sets it; the stack's threads read it, as lambda_runtime's do.
    unsafe { std::env::set_var(TRACE_HEADER_VARIABLE, header) };
}

#[tokio::test]
async fn sdk_calls_of_a_sampled_invocation_are_subsegments_of_its_segment() {
    let owner = sign_up("Traced Bakery").await;
    let daemon = UdpSocket::bind("127.0.0.1:0").await.expect("daemon");
    // SAFETY: as in `set_trace`.
    unsafe {
        std::env::set_var(
            DAEMON_ADDRESS_VARIABLE,
            daemon.local_addr().expect("address").to_string(),
        )
    };

    set_trace(true);
    let profile = owner.api.get("/v1/tenant/profile").await;
    assert_eq!(profile.status, 200, "{:?}", profile.body);
    let datagrams = received(&daemon).await;
    assert!(!datagrams.is_empty(), "no subsegment reached the daemon");
    let mut operations = Vec::new();
    for datagram in &datagrams {
        let (header, document) = datagram.split_once('\n').expect("header line");
        assert_eq!(header, r#"{"format":"json","version":1}"#);
        let document: Value = serde_json::from_str(document).expect("json");
        assert_eq!(document["type"], "subsegment", "{document}");
        assert_eq!(document["trace_id"], ROOT, "{document}");
        assert_eq!(document["parent_id"], PARENT, "{document}");
        assert_eq!(document["namespace"], "aws", "{document}");
        assert_eq!(document["http"]["response"]["status"], 200, "{document}");
        let (start, end) = (
            document["start_time"].as_f64().expect("start"),
            document["end_time"].as_f64().expect("end"),
        );
        assert!(start > 1.7e9 && end >= start, "{document}");
        assert_eq!(
            document["id"].as_str().map(str::len),
            Some(16),
            "{document}"
        );
        operations.push(format!(
            "{} {}",
            document["name"].as_str().unwrap_or_default(),
            document["aws"]["operation"].as_str().unwrap_or_default()
        ));
        // Operations only: nothing of what was read or written.
        for personal in ["Traced Bakery", owner.email.as_str()] {
            assert!(!datagram.contains(personal), "{datagram}");
        }
    }
    // The caller, the profile, the audit entry: all DynamoDB, each its own subsegment.
    assert!(
        operations.iter().any(|o| o == "DynamoDB GetItem"),
        "{operations:?}"
    );
    assert!(
        operations
            .iter()
            .any(|o| o == "DynamoDB TransactWriteItems" || o == "DynamoDB PutItem"),
        "the audit write: {operations:?}"
    );

    set_trace(false);
    let unsampled = owner.api.get("/v1/tenant/profile").await;
    assert_eq!(unsampled.status, 200);
    assert_eq!(received(&daemon).await, Vec::<String>::new());
}
