//! The provider used when none is configured (the local default): a deterministic, clearly labelled
//! result built from the form and the profile alone, in exactly the shape real providers are asked
//! for, so the whole flow — queue, worker, storage, charts, reports — runs on a machine without keys.

use super::{Prompt, Reply};
use crate::domain::analysis::AnalysisKind;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const OFFLINE_LABEL: &str =
    "Offline demo result — no AI provider is configured on this deployment.";

/// Builds the result for `kind` from `inputs` (the pseudonymised form) and the prompt text.
pub fn answer(kind: AnalysisKind, inputs: &Value, prompt: &Prompt) -> Reply {
    // Stable numbers derived from the request, so the same form gives the same charts.
    let digest = Sha256::digest(format!("{}{}", prompt.user, inputs).as_bytes());
    let figure = |i: usize| f64::from(digest[i % digest.len()] % 90 + 10);
    let fields: Vec<String> = inputs
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("- **{k}**: {s}"),
                    other => format!("- **{k}**: {other}"),
                })
                .collect()
        })
        .unwrap_or_default();
    let labels: Vec<String> = match kind {
        AnalysisKind::Swot => vec![
            "Strengths".into(),
            "Weaknesses".into(),
            "Opportunities".into(),
            "Threats".into(),
        ],
        AnalysisKind::CompetitorLandscape => {
            list(inputs, "competitors", &["Competitor A", "Competitor B"])
        }
        AnalysisKind::MarketingPlan => list(inputs, "channels", &["social", "email", "search"]),
        AnalysisKind::CustomerPersonas => list(inputs, "target_segments", &["Segment A"]),
        AnalysisKind::PricingReview => list(inputs, "products", &["Product A"]),
        AnalysisKind::CustomerFeedback => {
            vec!["Positive".into(), "Neutral".into(), "Negative".into()]
        }
    };
    let values: Vec<f64> = (0..labels.len()).map(figure).collect();
    let chart_type = if kind == AnalysisKind::CustomerFeedback {
        "pie"
    } else {
        "bar"
    };
    let result = json!({
        "title": format!("{} (offline demo)", kind.title()),
        "summary": format!("{OFFLINE_LABEL} It restates your form and shows placeholder figures."),
        "sections": [
            { "heading": "About this result", "body": OFFLINE_LABEL },
            { "heading": "Your request", "body": fields.join("\n") },
            { "heading": "What a configured provider would add",
              "body": format!("{} A real provider analyses your profile and form and answers in this same structure.", kind.description()) },
        ],
        "key_figures": [
            { "label": "Items considered", "value": labels.len(), "unit": "count" },
            { "label": "Demo score", "value": figure(7), "unit": "points" },
        ],
        "charts": [
            { "type": chart_type, "title": format!("{} — demo figures", kind.title()), "labels": labels,
              "series": [{ "name": "Demo score", "values": values }] },
        ],
    });
    Reply {
        result,
        input_tokens: 0,
        output_tokens: 0,
    }
}

fn list(inputs: &Value, field: &str, fallback: &[&str]) -> Vec<String> {
    let given: Vec<String> = inputs[field]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if given.is_empty() {
        fallback.iter().map(|s| (*s).to_owned()).collect()
    } else {
        given.into_iter().take(10).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::analysis::result_schema;

    fn prompt(user: &str) -> Prompt {
        Prompt {
            system: String::new(),
            user: user.into(),
            schema_name: "analysis_result",
            schema: result_schema(),
        }
    }

    #[test]
    fn offline_results_are_labelled_deterministic_and_shaped_like_real_ones() {
        for kind in AnalysisKind::ALL {
            let inputs = json!({ "competitors": ["Bread & Co", "Loaf Ltd"], "goal": "Grow" });
            let a = answer(kind, &inputs, &prompt("same"));
            let b = answer(kind, &inputs, &prompt("same"));
            assert_eq!(a, b, "{kind:?} is deterministic");
            let result = &a.result;
            assert!(
                result["summary"].as_str().unwrap().contains(OFFLINE_LABEL),
                "{kind:?} is labelled"
            );
            for field in result_schema()["required"].as_array().unwrap() {
                assert!(
                    result.get(field.as_str().unwrap()).is_some(),
                    "{kind:?} has {field}"
                );
            }
            let chart: crate::charts::Chart =
                serde_json::from_value(result["charts"][0].clone()).expect("chart shape");
            assert_eq!(chart.labels.len(), chart.series[0].values.len());
        }
        let landscape = answer(
            AnalysisKind::CompetitorLandscape,
            &json!({ "competitors": ["Bread & Co"] }),
            &prompt("x"),
        );
        assert_eq!(
            landscape.result["charts"][0]["labels"],
            json!(["Bread & Co"]),
            "built from the inputs"
        );
        let other = answer(
            AnalysisKind::Swot,
            &json!({ "goal": "Other" }),
            &prompt("y"),
        );
        let first = answer(AnalysisKind::Swot, &json!({ "goal": "Grow" }), &prompt("x"));
        assert_ne!(
            other.result["charts"], first.result["charts"],
            "different requests, different figures"
        );
    }
}
