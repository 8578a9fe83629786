//! What is sent to a GenAI provider, always built here and always through the job's [`Vault`], so
//! every feature gets the same pseudonymisation: an analysis job's prompt (the kind's instructions,
//! the business profile and the form) and a conversation's excerpt for the assistant.

use super::Prompt;
use crate::domain::analysis::{result_schema, AnalysisKind};
use crate::domain::conversation::{Direction, Message};
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

/// A conversation as the assistant reads it: one line per message, oldest first, the customer's and
/// the business's words told apart, personal data replaced through `vault`.
pub fn conversation_excerpt(messages: &[Message], vault: &mut Vault) -> String {
    let mut excerpt = String::new();
    for message in messages {
        let who = match message.direction {
            Direction::Inbound => "Customer",
            Direction::Outbound => "Business",
        };
        let subject = message
            .subject
            .as_deref()
            .map(|s| format!("[{}] ", vault.redact(s)))
            .unwrap_or_default();
        let _ = writeln!(excerpt, "{who}: {subject}{}", vault.redact(&message.body));
    }
    excerpt
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

    #[test]
    fn a_conversation_excerpt_goes_through_the_same_pseudonymisation_as_a_form() {
        use crate::domain::consent::Channel;
        use crate::domain::conversation::MessageStatus;
        use crate::domain::{ContactId, ConversationId, MessageId};
        use crate::pseudonymize::{NameDictionary, Pseudonymizer};

        let message = |direction, body: &str| Message {
            id: MessageId::generate(),
            conversation_id: ConversationId::generate(),
            contact_id: ContactId::generate(),
            direction,
            channel: Channel::Sms,
            body: body.to_owned(),
            subject: None,
            status: MessageStatus::Received,
            at: "2026-11-28T10:00:00Z".to_owned(),
            error_code: None,
            provider_id: None,
            sent_by: None,
            campaign_id: None,
            marketing: false,
        };
        // The tenant's dictionary knows its contact; the gazetteer knows names nobody declared.
        let mut vault = Vault::new(Pseudonymizer::new(
            NameDictionary::new(Vec::<String>::new(), ["Zofia Wiśniewska"]),
            Some("PL"),
        ));
        let excerpt = conversation_excerpt(
            &[
                message(
                    Direction::Inbound,
                    "Dzień dobry, tu Wiśniewska. Mój numer to 512 345 678, konto 61 1090 1014 0000 0712 1981 2874.",
                ),
                message(Direction::Outbound, "Dziękujemy Pani Zofii, oddzwonimy 05.03.2027 o 09.00."),
                message(Direction::Inbound, "Mieszkam przy ul. Długa 5/3, 00-238 Warszawa. Anna Nowak też."),
            ],
            &mut vault,
        );
        for secret in [
            "Wiśniewska",
            "Zofii",
            "512 345 678",
            "1090 1014",
            "Długa 5",
            "Anna Nowak",
        ] {
            assert!(!excerpt.contains(secret), "{secret} in:\n{excerpt}");
        }
        for kept in [
            "Customer: Dzień dobry",
            "Business: Dziękujemy",
            "05.03.2027",
            "09.00",
        ] {
            assert!(excerpt.contains(kept), "{kept} missing from:\n{excerpt}");
        }
        // A form in the same job shares the placeholders: the same person is the same placeholder.
        let form = vault.redact("Complaint by Wiśniewska about the delivery");
        let person = vault.redact("Wiśniewska");
        assert!(excerpt.contains(&person), "{person} in:\n{excerpt}");
        assert_eq!(form, format!("Complaint by {person} about the delivery"));
    }
}
