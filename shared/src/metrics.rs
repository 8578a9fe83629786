//! CloudWatch metrics in the Embedded Metric Format: one JSON line per record on stdout, which
//! Lambda's log pipeline turns into metrics — no API call and no latency on the request.
//!
//! Dimensions name routes, providers, channels, sources and outcomes: never a tenant, a person or a
//! text, so a metric can neither leak personal data nor explode into one series per customer.

use serde_json::{json, Map, Value};
use std::io::Write;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The CloudWatch namespace of every Confide metric is `Confide/<stage>` (the alarms in
/// `template.yaml` read `!Sub Confide/${Stage}`), so stacks sharing an account and region never mix
/// their numbers. Set once per process by [`crate::App::new`]; `Confide` until then.
static NAMESPACE: OnceLock<String> = OnceLock::new();

pub fn set_stage(stage: &str) {
    let _ = NAMESPACE.set(format!("Confide/{stage}"));
}

fn namespace() -> &'static str {
    NAMESPACE.get().map_or("Confide", String::as_str)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

/// Values measured together, under one set of dimensions.
#[derive(Debug, Clone, Default)]
pub struct Record {
    dimensions: Vec<(&'static str, String)>,
    /// Also publish the values without dimensions: the total across routes or providers, which an
    /// alarm can watch without knowing every dimension value in advance.
    with_total: bool,
    values: Vec<(&'static str, Unit, f64)>,
}

impl Record {
    pub fn new() -> Self {
        Self::default()
    }

    /// A dimension: a route key, a provider name, an outcome — a bounded set of values.
    pub fn dimension(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.dimensions.push((name, value.into()));
        self
    }

    /// Publishes the values once more without dimensions (the total), e.g. provider failures of every
    /// provider for the failure-rate alarm.
    pub fn with_total(mut self) -> Self {
        self.with_total = true;
        self
    }

    pub fn count(mut self, name: &'static str, value: u64) -> Self {
        self.values.push((name, Unit::Count, value as f64));
        self
    }

    pub fn duration(mut self, name: &'static str, value: Duration) -> Self {
        self.values
            .push((name, Unit::Milliseconds, value.as_secs_f64() * 1000.0));
        self
    }

    /// The EMF line for this record, stamped `timestamp_ms`.
    pub fn to_line(&self, timestamp_ms: u128) -> String {
        let mut line = Map::new();
        line.insert(
            "_aws".into(),
            json!({
                "Timestamp": timestamp_ms as u64,
                "CloudWatchMetrics": [{
                    "Namespace": namespace(),
                    "Dimensions": self.dimension_sets(),
                    "Metrics": self.values.iter()
                        .map(|(name, unit, _)| json!({ "Name": name, "Unit": unit.as_str() }))
                        .collect::<Vec<_>>(),
                }],
            }),
        );
        for (name, value) in &self.dimensions {
            line.insert((*name).into(), Value::String(value.clone()));
        }
        for (name, _, value) in &self.values {
            line.insert((*name).into(), json!(value));
        }
        Value::Object(line).to_string()
    }

    fn dimension_sets(&self) -> Vec<Vec<&'static str>> {
        let named: Vec<&'static str> = self.dimensions.iter().map(|(name, _)| *name).collect();
        if self.with_total && !named.is_empty() {
            vec![named, Vec::new()]
        } else {
            vec![named]
        }
    }

    /// Writes the record to the metrics sink (stdout unless [`set_sink`] chose another).
    pub fn emit(self) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let line = self.to_line(now);
        match SINK.get() {
            Some(sink) => sink(&line),
            None => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
            }
        }
    }
}

/// One webhook call from a provider (`stripe`, `twilio`) and what became of it (`applied`,
/// `duplicate`, `rejected`, …).
pub fn webhook_event(source: &'static str, outcome: &str) {
    Record::new()
        .dimension("Source", source)
        .dimension("Outcome", outcome)
        .count("WebhookEvents", 1)
        .emit();
}

type Sink = Arc<dyn Fn(&str) + Send + Sync>;
static SINK: OnceLock<Sink> = OnceLock::new();

/// Sends metric lines to `sink` instead of stdout, for the whole process (the tests read them back
/// beside the logs). Only the first call counts.
pub fn set_sink(sink: impl Fn(&str) + Send + Sync + 'static) {
    let _ = SINK.set(Arc::new(sink));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_one_emf_line_with_its_dimensions_and_values() {
        set_stage("test");
        let line = Record::new()
            .dimension("Route", "GET /v1/tenant")
            .count("Requests", 1)
            .count("ServerErrors", 0)
            .duration("Latency", Duration::from_micros(12_500))
            .to_line(1_795_550_400_000);
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            parsed,
            json!({
                "_aws": {
                    "Timestamp": 1_795_550_400_000u64,
                    "CloudWatchMetrics": [{
                        "Namespace": "Confide/test",
                        "Dimensions": [["Route"]],
                        "Metrics": [
                            { "Name": "Requests", "Unit": "Count" },
                            { "Name": "ServerErrors", "Unit": "Count" },
                            { "Name": "Latency", "Unit": "Milliseconds" },
                        ],
                    }],
                },
                "Route": "GET /v1/tenant",
                "Requests": 1.0,
                "ServerErrors": 0.0,
                "Latency": 12.5,
            })
        );
        assert!(!line.contains('\n'), "one line");
    }

    #[test]
    fn a_record_with_its_total_is_published_with_and_without_its_dimensions() {
        let line = Record::new()
            .dimension("Provider", "openai")
            .with_total()
            .count("ProviderFailures", 1)
            .to_line(0);
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            parsed["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Provider"], []])
        );
    }

    #[test]
    fn a_record_without_dimensions_is_a_metric_of_the_whole_service() {
        let line = Record::new().count("AnalysesQueued", 1).to_line(0);
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            parsed["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([[]])
        );
    }
}
