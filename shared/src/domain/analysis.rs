//! Analysis kinds, their forms and the shape of a result.
//!
//! Each kind publishes a JSON Schema for its form (served by `GET /v1/analysis-kinds`) and inputs are
//! checked against exactly that schema, so what the browser is told and what the API enforces cannot
//! drift. The schemas use a small subset of JSON Schema — objects of strings, integers and arrays of
//! strings, with bounds and enums — which [`validate`] implements in full.

use super::text::{quote, text_rule};
use super::InvalidField;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisKind {
    Swot,
    CompetitorLandscape,
    MarketingPlan,
    CustomerPersonas,
    PricingReview,
    CustomerFeedback,
}

impl AnalysisKind {
    pub const ALL: [AnalysisKind; 6] = [
        AnalysisKind::Swot,
        AnalysisKind::CompetitorLandscape,
        AnalysisKind::MarketingPlan,
        AnalysisKind::CustomerPersonas,
        AnalysisKind::PricingReview,
        AnalysisKind::CustomerFeedback,
    ];

    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        serde_json::from_value(Value::String(raw.to_owned()))
            .map_err(|_| InvalidField::new("kind", "is not a known analysis kind"))
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Swot => "SWOT analysis",
            Self::CompetitorLandscape => "Competitor landscape",
            Self::MarketingPlan => "Marketing plan",
            Self::CustomerPersonas => "Customer personas",
            Self::PricingReview => "Pricing review",
            Self::CustomerFeedback => "Customer feedback analysis",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Swot => {
                "Strengths, weaknesses, opportunities and threats of your business towards a goal."
            }
            Self::CompetitorLandscape => {
                "How the competitors you name compare with you, and where you can stand out."
            }
            Self::MarketingPlan => {
                "A channel-by-channel plan towards an objective, within a budget and time frame."
            }
            Self::CustomerPersonas => {
                "Personas for the customer segments you name: needs, objections, channels."
            }
            Self::PricingReview => {
                "A review of your prices against costs, competitors and your pricing goal."
            }
            Self::CustomerFeedback => {
                "Themes, sentiment and actions from customer feedback you paste in."
            }
        }
    }

    /// The JSON Schema of this kind's form.
    pub fn form_schema(self) -> Value {
        let text =
            |min: u64, max: u64| json!({ "type": "string", "minLength": min, "maxLength": max });
        let list = |min: u64, max: u64, item_max: u64| {
            json!({ "type": "array", "minItems": min, "maxItems": max,
                    "items": { "type": "string", "minLength": 1, "maxLength": item_max } })
        };
        let (properties, required): (Value, &[&str]) = match self {
            Self::Swot => (
                json!({
                    "goal": text(3, 500),
                    "time_horizon": { "type": "string", "enum": ["3 months", "6 months", "1 year", "3 years"] },
                    "notes": text(0, 2000),
                }),
                &["goal"],
            ),
            Self::CompetitorLandscape => (
                json!({
                    "competitors": list(1, 10, 200),
                    "market": text(2, 300),
                    "differentiators": text(0, 2000),
                }),
                &["competitors", "market"],
            ),
            Self::MarketingPlan => (
                json!({
                    "objective": text(3, 500),
                    "budget_eur": { "type": "integer", "minimum": 0, "maximum": 10_000_000 },
                    "duration_months": { "type": "integer", "minimum": 1, "maximum": 24 },
                    "channels": { "type": "array", "minItems": 0, "maxItems": 8, "items": { "type": "string",
                        "enum": ["social", "email", "search", "print", "events", "partnerships", "sms", "whatsapp"] } },
                }),
                &["objective", "budget_eur", "duration_months"],
            ),
            Self::CustomerPersonas => (
                json!({
                    "target_segments": list(1, 5, 200),
                    "personas_per_segment": { "type": "integer", "minimum": 1, "maximum": 3 },
                }),
                &["target_segments"],
            ),
            Self::PricingReview => (
                json!({
                    "products": list(1, 30, 300),
                    "pricing_goal": { "type": "string", "enum": ["margin", "volume", "positioning"] },
                    "competitor_prices": text(0, 3000),
                }),
                &["products", "pricing_goal"],
            ),
            Self::CustomerFeedback => (
                json!({
                    "feedback": text(1, 20_000),
                    "question": text(0, 500),
                }),
                &["feedback"],
            ),
        };
        let mut properties = properties;
        properties["people"] = json!({
            "type": "array", "minItems": 0, "maxItems": 50,
            "description": "Names of people this form mentions; they are replaced by placeholders before anything reaches an AI provider.",
            "items": { "type": "string", "minLength": 2, "maxLength": 100 },
        });
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": self.title(),
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        })
    }
}

/// The person names a form declares in its `people` field.
pub fn people(inputs: &Value) -> Vec<String> {
    inputs["people"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Checks `inputs` against `schema` (the subset described in the module comment). The error names the
/// first failing field, with its index for array items: `competitors[2]`.
pub fn validate(schema: &Value, inputs: &Value) -> Result<(), InvalidField> {
    let fail = |field: &str, message: String| InvalidField {
        field: "inputs",
        message: format!("{field}: {message}"),
    };
    let object = inputs
        .as_object()
        .ok_or_else(|| fail("inputs", "must be an object".into()))?;
    let empty = Map::new();
    let properties = schema["properties"].as_object().unwrap_or(&empty);
    for name in schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !object.contains_key(name) {
            return Err(fail(name, "is required".into()));
        }
    }
    for (name, value) in object {
        let rule = properties
            .get(name)
            .ok_or_else(|| fail(&quote(name), "is not a field of this form".into()))?;
        check_value(rule, value).map_err(|message| fail(name, message))?;
        if let (Some(items), Some(values)) = (rule.get("items"), value.as_array()) {
            for (i, item) in values.iter().enumerate() {
                check_value(items, item)
                    .map_err(|message| fail(&format!("{name}[{i}]"), message))?;
            }
        }
    }
    Ok(())
}

fn check_value(rule: &Value, value: &Value) -> Result<(), String> {
    let bound = |key: &str| rule.get(key).and_then(Value::as_u64);
    match rule["type"].as_str() {
        Some("string") => {
            let text = value.as_str().ok_or("must be text")?;
            if let Some(rule) = text_rule(text, true) {
                return Err(rule.to_owned());
            }
            let len = text.chars().count() as u64;
            if bound("minLength").is_some_and(|min| len < min)
                || bound("maxLength").is_some_and(|max| len > max)
            {
                return Err(format!(
                    "must be between {} and {} characters",
                    bound("minLength").unwrap_or(0),
                    bound("maxLength").unwrap_or(u64::MAX)
                ));
            }
            if let Some(allowed) = rule.get("enum").and_then(Value::as_array) {
                if !allowed.iter().any(|a| a.as_str() == Some(text)) {
                    let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    return Err(format!("must be one of {}", names.join(", ")));
                }
            }
            Ok(())
        }
        Some("integer") => {
            let n = value.as_i64().ok_or("must be a whole number")?;
            let min = rule
                .get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(i64::MIN);
            let max = rule
                .get("maximum")
                .and_then(Value::as_i64)
                .unwrap_or(i64::MAX);
            if n < min || n > max {
                return Err(format!("must be between {min} and {max}"));
            }
            Ok(())
        }
        Some("array") => {
            let items = value.as_array().ok_or("must be a list")?;
            let len = items.len() as u64;
            if bound("minItems").is_some_and(|min| len < min)
                || bound("maxItems").is_some_and(|max| len > max)
            {
                return Err(format!(
                    "must have between {} and {} entries",
                    bound("minItems").unwrap_or(0),
                    bound("maxItems").unwrap_or(u64::MAX)
                ));
            }
            Ok(())
        }
        _ => Err("has a type this form does not support".into()),
    }
}

/// The JSON Schema every provider is asked to answer in: a report with sections, key figures and charts.
pub fn result_schema() -> Value {
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["title", "summary", "sections", "key_figures", "charts"],
        "properties": {
            "title": { "type": "string" },
            "summary": { "type": "string" },
            "sections": { "type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["heading", "body"],
                "properties": { "heading": { "type": "string" }, "body": { "type": "string" } } } },
            "key_figures": { "type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["label", "value", "unit"],
                "properties": { "label": { "type": "string" }, "value": { "type": "number" }, "unit": { "type": "string" } } } },
            "charts": { "type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["type", "title", "labels", "series"],
                "properties": {
                    "type": { "type": "string", "enum": ["bar", "line", "pie"] },
                    "title": { "type": "string" },
                    "labels": strings,
                    "series": { "type": "array", "items": {
                        "type": "object", "additionalProperties": false, "required": ["name", "values"],
                        "properties": { "name": { "type": "string" },
                                        "values": { "type": "array", "items": { "type": "number" } } } } } } } },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_inputs(kind: AnalysisKind) -> Value {
        match kind {
            AnalysisKind::Swot => json!({ "goal": "Open a second shop", "time_horizon": "1 year" }),
            AnalysisKind::CompetitorLandscape => {
                json!({ "competitors": ["Bread & Co"], "market": "Bristol bakeries" })
            }
            AnalysisKind::MarketingPlan => {
                json!({ "objective": "More weekday sales", "budget_eur": 2000, "duration_months": 3, "channels": ["social"] })
            }
            AnalysisKind::CustomerPersonas => json!({ "target_segments": ["office workers"] }),
            AnalysisKind::PricingReview => {
                json!({ "products": ["Sourdough 4.50"], "pricing_goal": "margin" })
            }
            AnalysisKind::CustomerFeedback => {
                json!({ "feedback": "Great bread, slow queue.", "people": ["Tom Baker"] })
            }
        }
    }

    #[test]
    fn every_kind_accepts_a_filled_in_form() {
        for kind in AnalysisKind::ALL {
            assert_eq!(
                validate(&kind.form_schema(), &valid_inputs(kind)),
                Ok(()),
                "{kind:?}"
            );
        }
    }

    /// Each case: the kind, a broken form, and the field the error must name.
    #[test]
    fn a_broken_form_names_its_failing_field() {
        let cases = [
            (AnalysisKind::Swot, json!({}), "goal: is required"),
            (
                AnalysisKind::Swot,
                json!({ "goal": "ab" }),
                "goal: must be between 3 and 500",
            ),
            (
                AnalysisKind::Swot,
                json!({ "goal": "Grow", "time_horizon": "forever" }),
                "time_horizon: must be one of",
            ),
            (
                AnalysisKind::Swot,
                json!({ "goal": "Grow", "extra": 1 }),
                "\"extra\": is not a field",
            ),
            (
                AnalysisKind::Swot,
                json!({ "goal": "Grow", "k".repeat(100_000): 1 }),
                "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"…: is not a field of this form",
            ),
            (
                AnalysisKind::Swot,
                json!({ "goal": "Grow\u{0}th" }),
                "goal: must not contain control characters",
            ),
            (
                AnalysisKind::CompetitorLandscape,
                json!({ "competitors": ["a\u{202E}b"], "market": "x y" }),
                "competitors[0]: must not contain bidirectional",
            ),
            (
                AnalysisKind::CompetitorLandscape,
                json!({ "competitors": [], "market": "x y" }),
                "competitors: must have between 1",
            ),
            (
                AnalysisKind::CompetitorLandscape,
                json!({ "competitors": ["a", ""], "market": "x y" }),
                "competitors[1]: must be between 1",
            ),
            (
                AnalysisKind::MarketingPlan,
                json!({ "objective": "Sell", "budget_eur": -5, "duration_months": 3 }),
                "budget_eur: must be between 0",
            ),
            (
                AnalysisKind::MarketingPlan,
                json!({ "objective": "Sell", "budget_eur": 1.5, "duration_months": 3 }),
                "budget_eur: must be a whole number",
            ),
            (
                AnalysisKind::MarketingPlan,
                json!({ "objective": "Sell", "budget_eur": 5, "duration_months": 3, "channels": ["fax"] }),
                "channels[0]: must be one of",
            ),
            (
                AnalysisKind::CustomerPersonas,
                json!({ "target_segments": "students" }),
                "target_segments: must be a list",
            ),
            (
                AnalysisKind::PricingReview,
                json!({ "products": ["a"] }),
                "pricing_goal: is required",
            ),
            (
                AnalysisKind::CustomerFeedback,
                json!([1, 2]),
                "inputs: must be an object",
            ),
        ];
        for (kind, inputs, expected) in cases {
            let error = validate(&kind.form_schema(), &inputs).unwrap_err();
            assert!(
                error.message.starts_with(expected),
                "{kind:?} {inputs}: got {:?}",
                error.message
            );
        }
    }

    #[test]
    fn kinds_parse_from_their_snake_case_names() {
        assert_eq!(
            AnalysisKind::parse("customer_feedback"),
            Ok(AnalysisKind::CustomerFeedback)
        );
        assert!(AnalysisKind::parse("horoscope").is_err());
    }

    #[test]
    fn the_result_schema_is_strict_at_every_level() {
        fn check(schema: &Value, path: &str) {
            if schema["type"] == "object" {
                assert_eq!(schema["additionalProperties"], false, "{path}");
                let props: Vec<&String> =
                    schema["properties"].as_object().unwrap().keys().collect();
                let required: Vec<&str> = schema["required"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                assert_eq!(
                    props.len(),
                    required.len(),
                    "{path}: strict structured output needs all fields required"
                );
                for (name, sub) in schema["properties"].as_object().unwrap() {
                    check(sub, &format!("{path}.{name}"));
                }
            }
            if let Some(items) = schema.get("items") {
                check(items, &format!("{path}[]"));
            }
        }
        check(&result_schema(), "result");
    }
}
