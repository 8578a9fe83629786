//! Reads `template.yaml`: the routes, functions and resources the local stack serves and creates.
//! Nothing here is a second list: add a route or a table to the template and the local stack has it.

use anyhow::{anyhow, bail, Context, Result};
use serde_yaml::value::TaggedValue;
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;

/// The values `!Ref` and `!Sub` resolve to locally.
#[derive(Debug, Clone)]
pub struct Params(pub BTreeMap<String, String>);

impl Params {
    pub fn local(stage: &str, region: &str) -> Self {
        Self(BTreeMap::from([
            ("Stage".into(), stage.into()),
            ("AWS::Region".into(), region.into()),
            ("AWS::AccountId".into(), "123456789012".into()),
            ("AWS::Partition".into(), "aws".into()),
        ]))
    }
}

#[derive(Debug)]
pub struct Template {
    root: Value,
    params: Params,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: String,
    /// As declared, with `{name}` placeholders.
    pub path: String,
    /// The function's logical id and the binary (crate) that serves it.
    pub function: String,
    pub binary: String,
    pub public: bool,
}

impl Route {
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The path parameters if `path` matches this route.
    pub fn matches(&self, method: &str, path: &str) -> Option<BTreeMap<String, String>> {
        if !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let want: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let got: Vec<&str> = path.trim_matches('/').split('/').collect();
        if want.len() != got.len() {
            return None;
        }
        let mut params = BTreeMap::new();
        for (w, g) in want.iter().zip(&got) {
            match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) if !g.is_empty() => {
                    params.insert(name.to_owned(), (*g).to_owned());
                }
                _ if w == g => {}
                _ => return None,
            }
        }
        Some(params)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub hash: String,
    pub range: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub logical_id: String,
    pub name: String,
    pub hash: String,
    pub range: Option<String>,
    /// Attribute name → `S`, `N` or `B`.
    pub attributes: BTreeMap<String, String>,
    pub indexes: Vec<Index>,
    pub ttl_attribute: Option<String>,
    pub point_in_time_recovery: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub logical_id: String,
    pub name: String,
    /// Queue attributes as SQS names them (`VisibilityTimeout`, `SqsManagedSseEnabled`, …).
    pub attributes: BTreeMap<String, String>,
    /// Logical id of the dead-letter queue and the receive count after which messages move there.
    pub redrive: Option<(String, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSubscription {
    pub function: String,
    pub binary: String,
    pub queue: String,
    pub batch_size: u32,
    pub report_batch_item_failures: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub function: String,
    pub binary: String,
    pub expression: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserPool {
    pub logical_id: String,
    pub properties: Value,
}

impl Template {
    pub fn parse(text: &str, params: Params) -> Result<Self> {
        let root: Value = serde_yaml::from_str(text).context("template.yaml is not valid YAML")?;
        let mut params = params;
        if let Some(defaults) = root.get("Parameters").and_then(Value::as_mapping) {
            for (name, spec) in defaults {
                if let (Some(name), Some(default)) = (name.as_str(), spec.get("Default")) {
                    params
                        .0
                        .entry(name.to_owned())
                        .or_insert_with(|| scalar(default).unwrap_or_default());
                }
            }
        }
        Ok(Self { root, params })
    }

    pub fn load(path: &std::path::Path, params: Params) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text, params)
    }

    fn resources(&self) -> impl Iterator<Item = (&str, &str, &Value)> {
        self.root
            .get("Resources")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
            .filter_map(|(id, r)| Some((id.as_str()?, r.get("Type")?.as_str()?, r)))
    }

    fn of_type(&self, kind: &'static str) -> impl Iterator<Item = (&str, &Value)> {
        self.resources()
            .filter(move |(_, t, _)| *t == kind)
            .map(|(id, _, r)| (id, r.get("Properties").unwrap_or(&Value::Null)))
    }

    /// Resolves `!Ref`, `!Sub` and `!GetAtt` of resources to the names given by `names`.
    pub fn resolve(&self, value: &Value, names: &BTreeMap<String, String>) -> Result<String> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Tagged(tagged) => self.resolve_tag(tagged, names),
            other => bail!("cannot resolve {other:?} locally"),
        }
    }

    fn resolve_tag(
        &self,
        tagged: &TaggedValue,
        names: &BTreeMap<String, String>,
    ) -> Result<String> {
        let lookup = |name: &str| {
            self.params
                .0
                .get(name)
                .or_else(|| names.get(name))
                .cloned()
                .ok_or_else(|| anyhow!("unknown reference {name}"))
        };
        let arg = tagged.value.as_str().unwrap_or_default();
        match tagged.tag.to_string().as_str() {
            "!Ref" => lookup(arg),
            "!GetAtt" => lookup(arg),
            "!Sub" => {
                let mut out = String::new();
                let mut rest = arg;
                while let Some(start) = rest.find("${") {
                    out.push_str(&rest[..start]);
                    let end = rest[start..]
                        .find('}')
                        .ok_or_else(|| anyhow!("unclosed ${{ in {arg}"))?;
                    out.push_str(&lookup(&rest[start + 2..start + end])?);
                    rest = &rest[start + end + 1..];
                }
                out.push_str(rest);
                Ok(out)
            }
            other => bail!("{other} is not resolved locally"),
        }
    }

    fn name_of(&self, properties: &Value, field: &str, logical_id: &str) -> Result<String> {
        let value = properties
            .get(field)
            .ok_or_else(|| anyhow!("{logical_id} has no {field}"))?;
        self.resolve(value, &BTreeMap::new())
    }

    /// Every HTTP route of every function, with whether the JWT authorizer guards it.
    pub fn routes(&self) -> Result<Vec<Route>> {
        let default_auth = self.of_type("AWS::Serverless::HttpApi").find_map(|(_, p)| {
            p.get("Auth")?
                .get("DefaultAuthorizer")?
                .as_str()
                .map(str::to_owned)
        });
        let mut routes = Vec::new();
        for (function, binary, event) in self.function_events("HttpApi")? {
            let props = event.get("Properties").unwrap_or(&Value::Null);
            let field = |name: &str| {
                props
                    .get(name)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| anyhow!("{function}: HttpApi event without {name}"))
            };
            let authorizer = props
                .get("Auth")
                .and_then(|a| a.get("Authorizer"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| default_auth.clone());
            routes.push(Route {
                method: field("Method")?.to_uppercase(),
                path: field("Path")?,
                function: function.clone(),
                binary,
                public: authorizer.is_none_or(|a| a == "NONE"),
            });
        }
        Ok(routes)
    }

    pub fn queue_subscriptions(&self) -> Result<Vec<QueueSubscription>> {
        let mut subscriptions = Vec::new();
        for (function, binary, event) in self.function_events("SQS")? {
            let props = event.get("Properties").unwrap_or(&Value::Null);
            let queue = props
                .get("Queue")
                .and_then(|q| match q {
                    Value::Tagged(t) => t
                        .value
                        .as_str()
                        .map(|s| s.split('.').next().unwrap_or(s).to_owned()),
                    _ => None,
                })
                .ok_or_else(|| anyhow!("{function}: SQS event needs Queue: !GetAtt <Queue>.Arn"))?;
            let report = props
                .get("FunctionResponseTypes")
                .and_then(Value::as_sequence)
                .is_some_and(|types| {
                    types
                        .iter()
                        .any(|t| t.as_str() == Some("ReportBatchItemFailures"))
                });
            subscriptions.push(QueueSubscription {
                function,
                binary,
                queue,
                batch_size: props.get("BatchSize").and_then(Value::as_u64).unwrap_or(10) as u32,
                report_batch_item_failures: report,
            });
        }
        Ok(subscriptions)
    }

    pub fn schedules(&self) -> Result<Vec<Schedule>> {
        let mut schedules = Vec::new();
        for kind in ["Schedule", "ScheduleV2"] {
            for (function, binary, event) in self.function_events(kind)? {
                let props = event.get("Properties").unwrap_or(&Value::Null);
                let expression = props
                    .get("Schedule")
                    .or_else(|| props.get("ScheduleExpression"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| anyhow!("{function}: schedule without an expression"))?;
                schedules.push(Schedule {
                    function: function.clone(),
                    binary,
                    expression: expression.to_owned(),
                });
            }
        }
        Ok(schedules)
    }

    /// (function logical id, binary, event) for every event of `kind`.
    fn function_events(&self, kind: &str) -> Result<Vec<(String, String, &Value)>> {
        let mut out = Vec::new();
        for (id, t, resource) in self.resources() {
            if t != "AWS::Serverless::Function" {
                continue;
            }
            let binary = resource
                .get("Metadata")
                .and_then(|m| m.get("BuildProperties"))
                .and_then(|b| b.get("Binary"))
                .and_then(Value::as_str)
                .ok_or_else(|| anyhow!("{id} has no Metadata.BuildProperties.Binary"))?;
            let events = resource
                .get("Properties")
                .and_then(|p| p.get("Events"))
                .and_then(Value::as_mapping);
            for event in events.into_iter().flat_map(Mapping::values) {
                if event.get("Type").and_then(Value::as_str) == Some(kind) {
                    out.push((id.to_owned(), binary.to_owned(), event));
                }
            }
        }
        Ok(out)
    }

    pub fn tables(&self) -> Result<Vec<Table>> {
        self.of_type("AWS::DynamoDB::Table")
            .map(|(id, p)| {
                let keys = |schema: Option<&Value>| -> Result<(String, Option<String>)> {
                    let mut hash = None;
                    let mut range = None;
                    for key in schema.and_then(Value::as_sequence).into_iter().flatten() {
                        let name = key
                            .get("AttributeName")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                        match key.get("KeyType").and_then(Value::as_str) {
                            Some("HASH") => hash = name,
                            Some("RANGE") => range = name,
                            _ => {}
                        }
                    }
                    Ok((
                        hash.ok_or_else(|| anyhow!("{id}: key schema without HASH"))?,
                        range,
                    ))
                };
                let (hash, range) = keys(p.get("KeySchema"))?;
                let attributes = p
                    .get("AttributeDefinitions")
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .filter_map(|a| {
                        Some((
                            a.get("AttributeName")?.as_str()?.to_owned(),
                            a.get("AttributeType")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect();
                let indexes = p
                    .get("GlobalSecondaryIndexes")
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .map(|gsi| {
                        let (hash, range) = keys(gsi.get("KeySchema"))?;
                        Ok(Index {
                            name: gsi
                                .get("IndexName")
                                .and_then(Value::as_str)
                                .ok_or_else(|| anyhow!("{id}: index without name"))?
                                .to_owned(),
                            hash,
                            range,
                        })
                    })
                    .collect::<Result<_>>()?;
                let ttl = p.get("TimeToLiveSpecification");
                Ok(Table {
                    logical_id: id.to_owned(),
                    name: self.name_of(p, "TableName", id)?,
                    hash,
                    range,
                    attributes,
                    indexes,
                    ttl_attribute: ttl
                        .filter(|t| t.get("Enabled").and_then(Value::as_bool) == Some(true))
                        .and_then(|t| t.get("AttributeName")?.as_str().map(str::to_owned)),
                    point_in_time_recovery: p
                        .get("PointInTimeRecoverySpecification")
                        .and_then(|s| s.get("PointInTimeRecoveryEnabled"))
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                })
            })
            .collect()
    }

    pub fn queues(&self) -> Result<Vec<Queue>> {
        self.of_type("AWS::SQS::Queue")
            .map(|(id, p)| {
                let mut attributes = BTreeMap::new();
                for name in [
                    "VisibilityTimeout",
                    "MessageRetentionPeriod",
                    "SqsManagedSseEnabled",
                    "DelaySeconds",
                    "ReceiveMessageWaitTimeSeconds",
                ] {
                    if let Some(v) = p.get(name) {
                        attributes.insert(name.to_owned(), self.resolve(v, &BTreeMap::new())?);
                    }
                }
                let redrive = match p.get("RedrivePolicy") {
                    Some(policy) => {
                        let target = match policy.get("deadLetterTargetArn") {
                            Some(Value::Tagged(t)) => {
                                t.value.as_str().and_then(|s| s.split('.').next())
                            }
                            _ => None,
                        }
                        .ok_or_else(|| {
                            anyhow!("{id}: deadLetterTargetArn must be !GetAtt <Queue>.Arn")
                        })?;
                        let max = policy
                            .get("maxReceiveCount")
                            .map(|v| self.resolve(v, &BTreeMap::new()))
                            .transpose()?
                            .and_then(|v| v.parse::<u64>().ok())
                            .ok_or_else(|| anyhow!("{id}: maxReceiveCount missing"))?;
                        Some((target.to_owned(), max as u32))
                    }
                    None => None,
                };
                Ok(Queue {
                    logical_id: id.to_owned(),
                    name: self.name_of(p, "QueueName", id)?,
                    attributes,
                    redrive,
                })
            })
            .collect()
    }

    pub fn bucket_names(&self) -> Result<Vec<(String, String)>> {
        self.of_type("AWS::S3::Bucket")
            .map(|(id, p)| Ok((id.to_owned(), self.name_of(p, "BucketName", id)?)))
            .collect()
    }

    pub fn bucket_properties(&self, logical_id: &str) -> Option<&Value> {
        self.of_type("AWS::S3::Bucket")
            .find(|(id, _)| *id == logical_id)
            .map(|(_, p)| p)
    }

    pub fn key_alias(&self) -> Result<Option<String>> {
        self.of_type("AWS::KMS::Alias")
            .map(|(id, p)| self.name_of(p, "AliasName", id))
            .next()
            .transpose()
    }

    pub fn user_pool(&self) -> Result<(String, Value)> {
        let (id, props) = self
            .of_type("AWS::Cognito::UserPool")
            .next()
            .ok_or_else(|| anyhow!("template declares no user pool"))?;
        Ok((self.name_of(props, "UserPoolName", id)?, props.clone()))
    }

    pub fn user_pool_client(&self) -> Result<(String, Value)> {
        let (id, props) = self
            .of_type("AWS::Cognito::UserPoolClient")
            .next()
            .ok_or_else(|| anyhow!("template declares no user pool client"))?;
        Ok((self.name_of(props, "ClientName", id)?, props.clone()))
    }

    /// The JWT authorizer's issuer and audiences, with the pool and client ids filled in.
    pub fn jwt_authorizer(
        &self,
        names: &BTreeMap<String, String>,
    ) -> Result<(String, Vec<String>)> {
        let config = self
            .of_type("AWS::Serverless::HttpApi")
            .find_map(|(_, p)| {
                p.get("Auth")?
                    .get("Authorizers")?
                    .as_mapping()?
                    .values()
                    .find_map(|a| a.get("JwtConfiguration"))
                    .cloned()
            })
            .ok_or_else(|| anyhow!("the HTTP API declares no JWT authorizer"))?;
        let issuer = self.resolve(config.get("issuer").unwrap_or(&Value::Null), names)?;
        let audiences = config
            .get("audience")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .map(|a| self.resolve(a, names))
            .collect::<Result<_>>()?;
        Ok((issuer, audiences))
    }

    /// Origins the HTTP API allows (CORS).
    pub fn cors_origins(&self) -> Vec<String> {
        self.of_type("AWS::Serverless::HttpApi")
            .filter_map(|(_, p)| {
                p.get("CorsConfiguration")?
                    .get("AllowOrigins")?
                    .as_sequence()
                    .cloned()
            })
            .flatten()
            .filter_map(|v| self.resolve(&v, &BTreeMap::new()).ok())
            .collect()
    }
}

pub fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn template() -> Template {
        let text = include_str!("../../../template.yaml");
        Template::parse(text, Params::local("dev", "eu-west-1")).expect("template parses")
    }

    #[test]
    fn routes_come_from_the_template_with_their_authorizer() {
        let routes = template().routes().unwrap();
        let find = |key: &str| routes.iter().find(|r| r.key() == key).cloned();
        let health = find("GET /v1/health").expect("health route");
        assert!(health.public);
        assert_eq!(health.binary, "health");
        let signup = find("POST /v1/signup").expect("signup route");
        assert!(signup.public);
        let logout = find("POST /v1/auth/logout").expect("logout route");
        assert!(!logout.public, "logout needs a token");
        let remove = find("DELETE /v1/members/{user_id}").expect("member route");
        assert!(!remove.public);
        assert_eq!(remove.binary, "members");
        let webhook = find("POST /webhooks/stripe").expect("Stripe webhook route");
        assert!(webhook.public, "Stripe signs instead of presenting a token");
        let public: Vec<String> = routes.iter().filter(|r| r.public).map(Route::key).collect();
        assert_eq!(
            public.len(),
            13,
            "only health, the OpenAPI document, signup, the login steps, the signed Stripe and Twilio \
             webhooks, the signed unsubscribe link (page and action) and the list of subprocessors \
             are public: {public:?}"
        );
    }

    /// The OpenAPI document lists exactly the template's routes, each public or not as the template
    /// says; and every route's documented errors follow from what it takes.
    #[test]
    fn the_openapi_document_has_exactly_the_templates_routes() {
        let document = confide_shared::api::openapi::document();
        assert_eq!(document["openapi"], "3.1.0");
        let mut documented = Vec::new();
        for (path, item) in document["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("path item") {
                let public = operation["security"].as_array().is_some_and(|s| {
                    s.iter()
                        .all(|r| r.as_object().is_some_and(|r| r.is_empty()))
                });
                documented.push((format!("{} {path}", method.to_uppercase()), public));
                let responses = operation["responses"].as_object().expect("responses");
                for link in responses
                    .values()
                    .filter_map(|r| r["links"].as_object())
                    .flat_map(|l| l.values())
                {
                    assert!(
                        link["operationId"].is_string(),
                        "{method} {path}: link {link}"
                    );
                }
                if !public {
                    for status in ["401", "403"] {
                        assert!(
                            responses.contains_key(status),
                            "{method} {path}: no {status}"
                        );
                    }
                }
            }
        }
        documented.sort();
        let mut declared: Vec<(String, bool)> = template()
            .routes()
            .unwrap()
            .iter()
            .map(|r| (r.key(), r.public))
            .collect();
        declared.sort();
        let missing: Vec<_> = declared
            .iter()
            .filter(|r| !documented.contains(r))
            .collect();
        let extra: Vec<_> = documented
            .iter()
            .filter(|r| !declared.contains(r))
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "routes (key, public) in template.yaml but not in the document: {missing:?}; \
             in the document but not in template.yaml: {extra:?}"
        );
    }

    #[test]
    fn path_parameters_are_matched_segment_by_segment() {
        let route = Route {
            method: "PATCH".into(),
            path: "/v1/members/{user_id}".into(),
            function: "F".into(),
            binary: "members".into(),
            public: false,
        };
        assert_eq!(
            route
                .matches("PATCH", "/v1/members/abc")
                .unwrap()
                .get("user_id")
                .map(String::as_str),
            Some("abc")
        );
        assert!(route.matches("GET", "/v1/members/abc").is_none());
        assert!(route.matches("PATCH", "/v1/members").is_none());
        assert!(route.matches("PATCH", "/v1/members/abc/x").is_none());
        assert!(route.matches("PATCH", "/v1/members/").is_none());
    }

    #[test]
    fn resource_names_resolve_with_the_stage() {
        let t = template();
        let tables = t.tables().unwrap();
        let data = tables.iter().find(|t| t.logical_id == "DataTable").unwrap();
        assert_eq!(data.name, "confide-dev-data");
        assert_eq!(
            (data.hash.as_str(), data.range.as_deref()),
            ("pk", Some("sk"))
        );
        assert_eq!(data.indexes[0].name, "contact-email");
        assert_eq!(data.indexes[1].hash, "aws_dbe_b_phone");
        assert_eq!(data.ttl_attribute.as_deref(), Some("expires_at"));
        let queues = t.queues().unwrap();
        let analysis = queues
            .iter()
            .find(|q| q.logical_id == "AnalysisQueue")
            .unwrap();
        assert_eq!(
            analysis.redrive,
            Some(("AnalysisDeadLetterQueue".into(), 3))
        );
        assert_eq!(
            t.key_alias().unwrap().as_deref(),
            Some("alias/confide-dev-root")
        );
        assert_eq!(
            t.bucket_names().unwrap()[0].1,
            "confide-dev-data-123456789012-eu-west-1"
        );
    }
}

/// Every route has a sample event in `events/<binary>/`, and every sample is a request Lambda would
/// accept for a route the template declares.
/// What an ops team relies on from the template: tracing on every function, and an alarm for every
/// dead-letter queue, every function's errors and throttles and every API function's latency, each
/// notifying the alarm topic.
#[cfg(test)]
mod operations {
    use super::tests::template;
    use serde_yaml::Value;

    /// `!Ref X` or `!GetAtt X.Attr`, as the template writes it; a plain string has no tag ("").
    fn tagged(value: &Value) -> Option<(String, String)> {
        match value {
            Value::Tagged(tagged) => Some((
                tagged.tag.to_string(),
                tagged.value.as_str().unwrap_or_default().to_owned(),
            )),
            Value::String(text) => Some((String::new(), text.clone())),
            _ => None,
        }
    }

    /// Where Confide's own metrics live: one namespace per stage, so stacks sharing an account
    /// never mix their numbers.
    const CONFIDE_NAMESPACE: &str = "Confide/${Stage}";

    /// An alarm as the tests read it.
    struct Alarm {
        namespace: String,
        metric: String,
        statistic: String,
        /// The first dimension's value: its tag and target (`!Ref`, `HealthFunction`).
        dimension: Option<(String, String)>,
        notifies: bool,
    }

    fn alarms() -> Vec<Alarm> {
        template()
            .of_type("AWS::CloudWatch::Alarm")
            .map(|(_, p)| {
                let text = |key: &str| {
                    p.get(key)
                        .and_then(tagged)
                        .map(|(_, text)| text)
                        .unwrap_or_default()
                };
                let statistic = match text("ExtendedStatistic") {
                    s if s.is_empty() => text("Statistic"),
                    s => s,
                };
                let dimension = p
                    .get("Dimensions")
                    .and_then(Value::as_sequence)
                    .and_then(|d| d.first())
                    .and_then(|d| d.get("Value"))
                    .and_then(tagged);
                let notifies = p
                    .get("AlarmActions")
                    .and_then(Value::as_sequence)
                    .is_some_and(|actions| !actions.is_empty());
                Alarm {
                    namespace: text("Namespace"),
                    metric: text("MetricName"),
                    statistic,
                    dimension,
                    notifies,
                }
            })
            .collect()
    }

    fn has_alarm(namespace: &str, metric: &str, statistic: &str, tag: &str, target: &str) -> bool {
        alarms().iter().any(|alarm| {
            alarm.namespace == namespace
                && alarm.metric == metric
                && alarm.statistic == statistic
                && alarm
                    .dimension
                    .as_ref()
                    .is_some_and(|(t, v)| t == tag && v == target)
        })
    }

    #[test]
    fn every_route_has_a_p95_latency_alarm_on_its_own_metric() {
        let text = include_str!("../../../template.yaml");
        let routes = super::Template::parse(text, super::Params::local("dev", "eu-west-1"))
            .unwrap()
            .routes()
            .unwrap();
        assert!(routes.len() > 50, "{} routes", routes.len());
        for route in &routes {
            assert!(
                has_alarm(CONFIDE_NAMESPACE, "Latency", "p95", "", &route.key()),
                "{}: no latency alarm",
                route.key()
            );
        }
        let latency_alarms = alarms()
            .iter()
            .filter(|alarm| alarm.metric == "Latency")
            .count();
        assert_eq!(
            latency_alarms,
            routes.len(),
            "an alarm for a route that is gone"
        );
    }

    #[test]
    fn every_function_is_traced() {
        let text = include_str!("../../../template.yaml");
        let globals: Value = serde_yaml::from_str(text).unwrap();
        assert_eq!(
            globals["Globals"]["Function"]["Tracing"],
            Value::from("Active")
        );
        for (id, properties) in template().of_type("AWS::Serverless::Function") {
            let own = properties.get("Tracing").and_then(Value::as_str);
            assert!(
                own.is_none() || own == Some("Active"),
                "{id} turns tracing off"
            );
        }
    }

    #[test]
    fn every_dead_letter_queue_has_an_alarm() {
        let mut dead_letter_queues = Vec::new();
        for (id, properties) in template().of_type("AWS::SQS::Queue") {
            if let Some(redrive) = properties.get("RedrivePolicy") {
                let (_, target) = tagged(&redrive["deadLetterTargetArn"]).expect("a GetAtt");
                let dlq = target.trim_end_matches(".Arn").to_owned();
                assert!(
                    has_alarm(
                        "AWS/SQS",
                        "ApproximateNumberOfMessagesVisible",
                        "Maximum",
                        "!GetAtt",
                        &format!("{dlq}.QueueName")
                    ),
                    "{id}'s dead-letter queue {dlq} has no alarm"
                );
                dead_letter_queues.push(dlq);
            }
        }
        assert_eq!(dead_letter_queues.len(), 2, "{dead_letter_queues:?}");
    }

    #[test]
    fn every_function_has_error_and_throttle_alarms_that_notify() {
        let template = template();
        let functions: Vec<&str> = template
            .of_type("AWS::Serverless::Function")
            .map(|(id, _)| id)
            .collect();
        assert_eq!(functions.len(), 17);
        for id in functions {
            assert!(
                has_alarm("AWS/Lambda", "Errors", "Sum", "!Ref", id),
                "{id}: no errors alarm"
            );
            assert!(
                has_alarm("AWS/Lambda", "Throttles", "Sum", "!Ref", id),
                "{id}: no throttles alarm"
            );
        }
        assert!(
            alarms().iter().all(|alarm| alarm.notifies),
            "an alarm notifies nobody"
        );
        let math: Vec<&str> = template
            .of_type("AWS::CloudWatch::Alarm")
            .filter(|(_, p)| p.get("Metrics").is_some())
            .map(|(id, _)| id)
            .collect();
        assert_eq!(
            math,
            ["ApiServerErrorRateAlarm", "ProviderFailureRateAlarm"]
        );
    }
}

#[cfg(test)]
mod sample_events {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_route_has_a_sample_event_that_lambda_http_parses() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("template.yaml")).unwrap();
        let routes = Template::parse(&text, Params::local("dev", "eu-west-1"))
            .unwrap()
            .routes()
            .unwrap();
        let mut covered = std::collections::BTreeSet::new();
        for route in &routes {
            let dir = root.join("events").join(&route.binary);
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|_| panic!("no {}", dir.display()))
            {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let event: serde_json::Value = serde_json::from_str(&text).unwrap();
                if event["routeKey"] == route.key() {
                    lambda_http::request::from_str(&text)
                        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
                    assert_eq!(
                        event["requestContext"].get("authorizer").is_some(),
                        !route.public,
                        "{}: claims only on protected routes",
                        path.display()
                    );
                    covered.insert(route.key());
                }
            }
        }
        let missing: Vec<String> = routes
            .iter()
            .map(Route::key)
            .filter(|k| !covered.contains(k))
            .collect();
        assert!(
            missing.is_empty(),
            "routes without a sample event: {missing:?}"
        );
    }
}
