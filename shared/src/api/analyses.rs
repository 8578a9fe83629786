//! AI analyses and saved forms.

use crate::domain::analysis::AnalysisKind;
use crate::domain::analysis_record::{Analysis, AnalysisStatus, TokenUsage};
use crate::domain::{AnalysisId, TemplateId, UserId};
use crate::reports::AnalysisResult;
use crate::store::MonthlyUsage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// `GET /v1/analysis-kinds`: the catalogue, and the provider the tenant's analyses would use.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindCatalogue {
    pub kinds: Vec<KindView>,
    /// `null` when no provider may serve this tenant (a new analysis would answer 409).
    pub provider: Option<ProviderView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindView {
    pub kind: AnalysisKind,
    pub title: String,
    pub description: String,
    /// The JSON Schema of the form; `inputs` are checked against exactly this.
    #[schema(value_type = Object)]
    pub form_schema: Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderView {
    pub name: String,
    pub model: String,
}

/// `POST /v1/analyses`: a kind and inputs, or a saved form (whose kind and inputs these override).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnalysis {
    #[schema(value_type = Option<AnalysisKind>)]
    pub kind: Option<String>,
    /// The form's answers, checked against the kind's `form_schema`.
    #[schema(value_type = Option<Object>)]
    pub inputs: Option<Value>,
    #[schema(value_type = Option<String>)]
    pub template_id: Option<String>,
}

/// An analysis accepted (202): it runs in the background.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnalysisAccepted {
    pub id: AnalysisId,
    pub status: AnalysisStatus,
}

/// An analysis as listed: everything but its inputs and result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnalysisSummary {
    pub id: AnalysisId,
    pub kind: AnalysisKind,
    pub status: AnalysisStatus,
    pub template_id: Option<TemplateId>,
    pub created_by: UserId,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub attempts: u32,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub usage: TokenUsage,
    /// Why it failed, in words meant for the user.
    pub failure: Option<String>,
}

impl From<&Analysis> for AnalysisSummary {
    fn from(analysis: &Analysis) -> Self {
        Self {
            id: analysis.id.clone(),
            kind: analysis.kind,
            status: analysis.status,
            template_id: analysis.template_id.clone(),
            created_by: analysis.created_by.clone(),
            created_at: analysis.created_at.clone(),
            started_at: analysis.started_at.clone(),
            finished_at: analysis.finished_at.clone(),
            attempts: analysis.attempts,
            provider: analysis.provider.clone(),
            model: analysis.model.clone(),
            usage: analysis.usage,
            failure: analysis.failure.clone(),
        }
    }
}

/// One analysis with its inputs, and its result once it has succeeded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnalysisDetail {
    #[serde(flatten)]
    pub summary: AnalysisSummary,
    #[schema(value_type = Object)]
    pub inputs: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<AnalysisResult>,
}

/// `GET /v1/analysis-usage`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsageView {
    /// `YYYY-MM`.
    pub month: String,
    pub usage: MonthlyUsage,
}
