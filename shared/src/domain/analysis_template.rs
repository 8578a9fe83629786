//! Saved analysis forms ("templates"): a named form with its inputs, re-used for later analyses.

use super::analysis::{validate, AnalysisKind};
use super::text::check_text;
use super::{InvalidField, TemplateId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnalysisTemplate {
    pub id: TemplateId,
    pub name: String,
    pub kind: AnalysisKind,
    pub inputs: Value,
    pub created_by: UserId,
    pub created_at: String,
    pub updated_at: String,
}

/// A template as a client sends it, before it is checked.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateDraft {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(value_type = AnalysisKind)]
    pub kind: String,
    /// The form's answers, checked against the kind's `form_schema`.
    #[schema(value_type = Object)]
    pub inputs: Value,
}

/// A checked draft: a trimmed name and inputs that fit the kind's form.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTemplate {
    pub name: String,
    pub kind: AnalysisKind,
    pub inputs: Value,
}

impl TemplateDraft {
    pub fn parse(self) -> Result<ValidTemplate, InvalidField> {
        let name = self.name.trim();
        if !(1..=100).contains(&name.chars().count()) {
            return Err(InvalidField::new("name", "must be 1 to 100 characters"));
        }
        check_text("name", name, false)?;
        let kind = AnalysisKind::parse(&self.kind)?;
        validate(&kind.form_schema(), &self.inputs)?;
        Ok(ValidTemplate {
            name: name.to_owned(),
            kind,
            inputs: self.inputs,
        })
    }
}

impl AnalysisTemplate {
    pub fn new(valid: ValidTemplate, created_by: UserId, now: String) -> Self {
        Self {
            id: TemplateId::generate(),
            name: valid.name,
            kind: valid.kind,
            inputs: valid.inputs,
            created_by,
            created_at: now.clone(),
            updated_at: now,
        }
    }

    pub fn replaced_by(&self, valid: ValidTemplate, now: String) -> Self {
        Self {
            name: valid.name,
            kind: valid.kind,
            inputs: valid.inputs,
            updated_at: now,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drafts_are_checked_against_their_kind_form() {
        let ok = TemplateDraft {
            name: "  Weekly SWOT ".into(),
            kind: "swot".into(),
            inputs: json!({ "goal": "Grow weekday sales" }),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.name, "Weekly SWOT");
        let bad_inputs = TemplateDraft {
            name: "x".into(),
            kind: "swot".into(),
            inputs: json!({ "goal": 5 }),
        }
        .parse()
        .unwrap_err();
        assert_eq!(bad_inputs.message, "goal: must be text");
        let bad_name = TemplateDraft {
            name: " ".into(),
            kind: "swot".into(),
            inputs: json!({ "goal": "Grow" }),
        }
        .parse()
        .unwrap_err();
        assert_eq!(bad_name.field, "name");
    }
}
