//! AWS SDK calls as X-Ray subsegments of the function's invocation segment.
//!
//! Lambda records a segment per invocation when tracing is active, but the AWS SDK for Rust sends
//! nothing to X-Ray by itself, so a slow request would show one opaque bar. This interceptor, on every
//! SDK client, sends one subsegment per call (service, operation, status, request id, retries) to the
//! X-Ray daemon Lambda runs beside the function, as the X-Ray SDKs of other languages do.
//!
//! It is active only where Lambda says so: `AWS_XRAY_DAEMON_ADDRESS` is set and the invocation's trace
//! header (`_X_AMZN_TRACE_ID`, set per invocation by `lambda_runtime`) is sampled. Subsegments name AWS
//! operations only: no table key, no parameter, nothing of the request.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use serde_json::{json, Value};
use std::net::UdpSocket;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where Lambda's X-Ray daemon listens (UDP), set by Lambda when tracing is active.
pub const DAEMON_ADDRESS_VARIABLE: &str = "AWS_XRAY_DAEMON_ADDRESS";
/// The current invocation's trace header, set by `lambda_runtime` before each invocation.
pub const TRACE_HEADER_VARIABLE: &str = "_X_AMZN_TRACE_ID";

/// The SDK interceptor; add it to a client's config (`crate::aws` does, for every client).
#[derive(Debug, Clone, Copy, Default)]
pub struct Subsegments;

/// When the call started (seconds since the epoch), kept in the call's config bag.
#[derive(Debug, Clone, Copy)]
struct Started(f64);

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

impl Intercept for Subsegments {
    fn name(&self) -> &'static str {
        "XRaySubsegments"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started(epoch_seconds()));
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Never fail the call for the sake of its trace.
        let (Some(daemon), Some(trace)) = (daemon_address(), current_trace()) else {
            return Ok(());
        };
        let (Some(started), Some(metadata)) = (cfg.load::<Started>(), cfg.load::<Metadata>())
        else {
            return Ok(());
        };
        let response = context.response();
        let call = Call {
            service: metadata.service(),
            operation: metadata.name(),
            started: started.0,
            ended: epoch_seconds(),
            status: response.map(|r| r.status().as_u16()),
            request_id: response.and_then(|r| {
                r.headers()
                    .get("x-amzn-requestid")
                    .or_else(|| r.headers().get("x-amz-request-id"))
            }),
            retries: cfg
                .load::<RequestAttempts>()
                .map_or(0, |a| a.attempts().saturating_sub(1)),
        };
        send(&daemon, &subsegment(&trace, &call, &new_id()));
        Ok(())
    }
}

/// One finished SDK call, as the subsegment reports it.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    pub service: &'a str,
    pub operation: &'a str,
    pub started: f64,
    pub ended: f64,
    /// `None` when no answer came (a connection or timeout failure).
    pub status: Option<u16>,
    pub request_id: Option<&'a str>,
    pub retries: u32,
}

/// The parts of a trace header this module needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    pub root: String,
    pub parent: String,
}

/// `Root=1-…;Parent=…;Sampled=1`: the root and parent of a sampled trace; `None` when the invocation
/// is not sampled (nothing is to be sent) or the header is incomplete.
pub fn parse_trace_header(header: &str) -> Option<Trace> {
    let field = |name: &str| {
        header
            .split(';')
            .filter_map(|part| part.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    };
    if field("Sampled").as_deref() != Some("1") {
        return None;
    }
    Some(Trace {
        root: field("Root")?,
        parent: field("Parent")?,
    })
}

/// The subsegment document for `call` in `trace`, with id `id`.
pub fn subsegment(trace: &Trace, call: &Call<'_>, id: &str) -> Value {
    let mut document = json!({
        "name": call.service,
        "id": id,
        "trace_id": trace.root,
        "parent_id": trace.parent,
        "type": "subsegment",
        "namespace": "aws",
        "start_time": call.started,
        "end_time": call.ended,
        "aws": { "operation": call.operation, "retries": call.retries },
    });
    if let Some(request_id) = call.request_id {
        document["aws"]["request_id"] = json!(request_id);
    }
    match call.status {
        Some(status) => {
            document["http"] = json!({ "response": { "status": status } });
            if status == 429 {
                document["throttle"] = json!(true);
            }
            if (400..500).contains(&status) {
                document["error"] = json!(true);
            } else if status >= 500 {
                document["fault"] = json!(true);
            }
        }
        None => document["fault"] = json!(true),
    }
    document
}

/// The daemon's wire format: a header line, then the document.
pub fn datagram(document: &Value) -> String {
    format!("{{\"format\":\"json\",\"version\":1}}\n{document}")
}

fn send(daemon: &str, document: &Value) {
    static SOCKET: OnceLock<Option<UdpSocket>> = OnceLock::new();
    if let Some(socket) = SOCKET.get_or_init(|| UdpSocket::bind("0.0.0.0:0").ok()) {
        // UDP to a local daemon: a lost subsegment is a gap in a trace, never a failed request.
        let _ = socket.send_to(datagram(document).as_bytes(), daemon);
    }
}

fn daemon_address() -> Option<String> {
    std::env::var(DAEMON_ADDRESS_VARIABLE)
        .ok()
        .filter(|a| !a.is_empty())
}

fn current_trace() -> Option<Trace> {
    parse_trace_header(&std::env::var(TRACE_HEADER_VARIABLE).ok()?)
}

fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// 64 random bits in hex, X-Ray's segment id.
fn new_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sampled_header_gives_root_and_parent_and_an_unsampled_one_nothing() {
        let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        assert_eq!(
            parse_trace_header(header),
            Some(Trace {
                root: "1-5759e988-bd862e3fe1be46a994272793".into(),
                parent: "53995c3f42cd8ad8".into(),
            })
        );
        assert_eq!(
            parse_trace_header(&header.replace("Sampled=1", "Sampled=0")),
            None
        );
        assert_eq!(parse_trace_header("Root=1-5759e988-bd86;Sampled=1"), None);
        assert_eq!(parse_trace_header(""), None);
    }

    #[test]
    fn a_subsegment_names_the_operation_and_marks_errors_faults_and_throttles() {
        let trace = Trace {
            root: "1-5759e988-bd862e3fe1be46a994272793".into(),
            parent: "53995c3f42cd8ad8".into(),
        };
        let call = Call {
            service: "DynamoDB",
            operation: "GetItem",
            started: 1_795_550_400.25,
            ended: 1_795_550_400.5,
            status: Some(200),
            request_id: Some("REQ1"),
            retries: 0,
        };
        let ok = subsegment(&trace, &call, "0123456789abcdef");
        assert_eq!(
            ok,
            json!({
                "name": "DynamoDB", "id": "0123456789abcdef",
                "trace_id": "1-5759e988-bd862e3fe1be46a994272793", "parent_id": "53995c3f42cd8ad8",
                "type": "subsegment", "namespace": "aws",
                "start_time": 1_795_550_400.25, "end_time": 1_795_550_400.5,
                "aws": { "operation": "GetItem", "retries": 0, "request_id": "REQ1" },
                "http": { "response": { "status": 200 } },
            })
        );
        let throttled = subsegment(
            &trace,
            &Call {
                status: Some(429),
                ..call.clone()
            },
            "1",
        );
        assert_eq!(
            (throttled["throttle"].clone(), throttled["error"].clone()),
            (json!(true), json!(true))
        );
        let failed = subsegment(
            &trace,
            &Call {
                status: Some(503),
                ..call.clone()
            },
            "1",
        );
        assert_eq!(failed["fault"], json!(true));
        let unanswered = subsegment(
            &trace,
            &Call {
                status: None,
                ..call
            },
            "1",
        );
        assert_eq!(unanswered["fault"], json!(true));
        assert!(datagram(&ok).starts_with("{\"format\":\"json\",\"version\":1}\n{"));
    }
}
