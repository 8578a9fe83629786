//! The prompt of an analysis job: the kind's instructions, the business profile and the form, with
//! personal data replaced through the job's [`Vault`] before anything leaves the worker.

use super::Prompt;
use crate::domain::analysis::{result_schema, AnalysisKind};
use crate::domain::tenant::BusinessProfile;
use crate::pseudonymize::Vault;
use serde_json::Value;
use std::fmt::Write;

const SYSTEM: &str = "You are a senior business analyst writing for the owner of a small business. \
Answer only with JSON that matches the given schema: a title, a short summary, sections with markdown \
bodies, key figures with units, and charts (bar, line or pie) whose series have one value per label. \
Text in square brackets such as [EMAIL_1] or [PERSON_2] stands for personal data that was removed: \
keep these placeholders exactly as written and never guess what they stand for.";

/// Builds the job's prompt; `vault` collects the placeholders so the answer can be restored.
pub fn analysis_prompt(
    kind: AnalysisKind,
    inputs: &Value,
    profile: &BusinessProfile,
    vault: &mut Vault,
) -> Prompt {
    let mut user = format!(
        "Task: {} — {}\n\nBusiness profile:\n",
        kind.title(),
        kind.description()
    );
    let mut line = |label: &str, value: &str| {
        if !value.trim().is_empty() {
            let _ = writeln!(user, "- {label}: {}", vault.redact(value));
        }
    };
    line("Name", &profile.name);
    line("Type", &profile.business_type);
    line("Location", &profile.location);
    line(
        "Products and services",
        &profile.products_services.join("; "),
    );
    line(
        "Website",
        profile.website_url.as_deref().unwrap_or_default(),
    );
    line("Opening hours", &profile.opening_hours);
    for faq in &profile.faqs {
        line("FAQ", &format!("{} — {}", faq.question, faq.answer));
    }
    user.push_str("\nForm:\n");
    if let Some(fields) = inputs.as_object() {
        for (name, value) in fields {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            };
            let _ = writeln!(user, "- {name}: {}", vault.redact(&text));
        }
    }
    Prompt {
        system: SYSTEM.to_owned(),
        user,
        schema_name: "analysis_result",
        schema: result_schema(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tenant::Faq;
    use serde_json::json;

    #[test]
    fn profile_and_form_reach_the_prompt_without_their_personal_data() {
        let profile = BusinessProfile {
            name: "Bakery Ada".into(),
            business_type: "bakery".into(),
            faqs: vec![Faq {
                question: "Who do I call?".into(),
                answer: "Ada on +44 20 7946 0958 or ada@bakery.example".into(),
            }],
            ..Default::default()
        };
        let inputs = json!({
            "feedback": "Refund to GB82 WEST 1234 5698 7654 32 please, mail tom@example.com",
            "question": "What annoys customers most?",
        });
        let mut vault = Vault::with_names(["Ada".to_owned()]);
        let prompt = analysis_prompt(
            AnalysisKind::CustomerFeedback,
            &inputs,
            &profile,
            &mut vault,
        );
        for secret in [
            "7946 0958",
            "ada@bakery.example",
            "GB82",
            "tom@example.com",
            "Ada on",
        ] {
            assert!(
                !prompt.user.contains(secret),
                "{secret} in prompt:\n{}",
                prompt.user
            );
        }
        for kept in [
            "Customer feedback analysis",
            "bakery",
            "What annoys customers most?",
            "[IBAN_1]",
            "[EMAIL_2]",
        ] {
            assert!(
                prompt.user.contains(kept),
                "{kept} missing from:\n{}",
                prompt.user
            );
        }
        assert_eq!(prompt.schema, result_schema());
        assert_eq!(
            vault.restore("[EMAIL_2] asked about [IBAN_1]"),
            "tom@example.com asked about GB82 WEST 1234 5698 7654 32"
        );
    }
}
