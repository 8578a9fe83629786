//! Which GenAI providers a deployment offers, and which one a tenant's job uses.
//!
//! The deployment lists its providers in `CONFIDE_GENAI_PROVIDERS` (JSON, from the template's
//! `GenAiProviders` parameter) and names a default in `CONFIDE_GENAI_DEFAULT_PROVIDER`. API keys never
//! sit in that list: each provider names an SSM SecureString parameter (in AWS) or an environment
//! variable (locally) holding its key, read once at cold start by the worker. With no provider listed,
//! the offline provider answers and no data leaves; a deployment may also list it (`"api": "offline"`)
//! beside real ones, e.g. for a demo tenant.

use super::anthropic::Anthropic;
use super::gemini::Gemini;
use super::openai::OpenAiChat;
use super::Dialect;
use crate::domain::tenant::DataRegion;
use crate::error::BoxError;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Api {
    /// The in-process provider of [`super::offline`]: nothing leaves the worker.
    Offline,
    Openai,
    OpenaiCompatible,
    Anthropic,
    Gemini,
}

/// One provider as the deployment configures it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// What tenants and analyses call it: `openai-eu`, `anthropic`, `ollama`.
    pub name: String,
    pub api: Api,
    pub model: String,
    /// Defaults to the vendor's public endpoint; required for `openai_compatible`.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Whether data sent to it stays in the EU (e.g. an EU data-residency project); EU tenants may use
    /// only such providers.
    #[serde(default)]
    pub eu_resident: bool,
    /// SSM parameter (SecureString) holding the API key.
    #[serde(default)]
    pub api_key_parameter: Option<String>,
    /// Environment variable holding the API key (local runs).
    #[serde(default)]
    pub api_key_env: Option<String>,
    #[serde(default = "default_max_output_tokens")]
    pub max_output_tokens: u32,
}

fn default_max_output_tokens() -> u32 {
    8192
}

impl ProviderSpec {
    fn offline() -> Self {
        Self {
            name: OFFLINE.to_owned(),
            api: Api::Offline,
            model: "offline-demo".to_owned(),
            base_url: None,
            eu_resident: true,
            api_key_parameter: None,
            api_key_env: None,
            max_output_tokens: default_max_output_tokens(),
        }
    }

    fn may_serve(&self, region: DataRegion) -> bool {
        match region {
            DataRegion::Eu => self.eu_resident || self.api == Api::Offline,
            DataRegion::Us => true,
        }
    }

    /// The dialect that speaks to this provider with `api_key`; `None` for the offline provider.
    pub fn dialect(&self, api_key: String) -> Option<Box<dyn Dialect>> {
        let base = |default: &str| self.base_url.clone().unwrap_or_else(|| default.to_owned());
        Some(match self.api {
            Api::Offline => return None,
            Api::Openai | Api::OpenaiCompatible => Box::new(OpenAiChat {
                base_url: base("https://api.openai.com/v1"),
                api_key,
                model: self.model.clone(),
                provider: if self.api == Api::Openai {
                    "openai"
                } else {
                    "openai_compatible"
                },
            }),
            Api::Anthropic => Box::new(Anthropic {
                base_url: base("https://api.anthropic.com"),
                api_key,
                model: self.model.clone(),
                max_tokens: self.max_output_tokens,
            }),
            Api::Gemini => Box::new(Gemini {
                base_url: base("https://generativelanguage.googleapis.com"),
                api_key,
                model: self.model.clone(),
            }),
        })
    }
}

/// The providers of this deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Providers {
    specs: Vec<ProviderSpec>,
    default: Option<String>,
}

pub const OFFLINE: &str = "offline";

/// No configured provider may serve this tenant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no AI provider allowed for this tenant is configured{}", if *.eu_only { " (an EU tenant may only use EU-resident providers)" } else { "" })]
pub struct NoProvider {
    pub eu_only: bool,
}

impl Providers {
    /// Parses the deployment's list; an empty or absent list means offline.
    pub fn parse(list: Option<&str>, default: Option<&str>) -> Result<Self, BoxError> {
        let mut specs: Vec<ProviderSpec> = match list.map(str::trim) {
            None | Some("") => Vec::new(),
            Some(json) => serde_json::from_str(json).map_err(|e| {
                format!("CONFIDE_GENAI_PROVIDERS is not a valid provider list: {e}")
            })?,
        };
        if specs.is_empty() {
            specs.push(ProviderSpec::offline());
        }
        for (i, spec) in specs.iter().enumerate() {
            if crate::domain::tenant::parse_provider_names(std::slice::from_ref(&spec.name))
                .is_err()
                || (spec.name == OFFLINE) != (spec.api == Api::Offline)
            {
                return Err(format!("provider name {:?} is not allowed", spec.name).into());
            }
            if specs[..i].iter().any(|s| s.name == spec.name) {
                return Err(format!("provider {:?} is listed twice", spec.name).into());
            }
            if spec.api == Api::OpenaiCompatible && spec.base_url.is_none() {
                return Err(format!("provider {:?} needs a base_url", spec.name).into());
            }
        }
        let default = default.map(str::trim).filter(|d| !d.is_empty());
        if let Some(name) = default {
            if !specs.iter().any(|s| s.name == name) {
                return Err(
                    format!("default provider {name:?} is not in the provider list").into(),
                );
            }
        }
        Ok(Self {
            specs,
            default: default.map(str::to_owned),
        })
    }

    pub fn specs(&self) -> &[ProviderSpec] {
        &self.specs
    }

    pub fn is_known(&self, name: &str) -> bool {
        self.specs.iter().any(|s| s.name == name)
    }

    /// The default provider if the tenant may use it, else the first listed one it may use.
    pub fn choose(
        &self,
        region: DataRegion,
        allowed: Option<&[String]>,
    ) -> Result<&ProviderSpec, NoProvider> {
        let usable = |spec: &&ProviderSpec| {
            spec.may_serve(region) && allowed.is_none_or(|names| names.contains(&spec.name))
        };
        let default = self
            .default
            .as_deref()
            .and_then(|name| self.specs.iter().find(|s| s.name == name));
        default
            .into_iter()
            .chain(self.specs.iter())
            .find(usable)
            .ok_or(NoProvider {
                eu_only: region == DataRegion::Eu,
            })
    }
}

/// Reads each provider's API key: from SSM when it names a parameter, else from its environment
/// variable; a provider with neither (a local Ollama) gets an empty key.
pub async fn api_keys(
    providers: &Providers,
    ssm: &crate::aws::LazyClient<aws_sdk_ssm::Client>,
) -> Result<HashMap<String, String>, BoxError> {
    // Every provider's key in one request (SSM answers ten names per request).
    let parameters: Vec<String> = providers
        .specs()
        .iter()
        .filter_map(|spec| spec.api_key_parameter.clone())
        .collect();
    let stored = if parameters.is_empty() {
        HashMap::new()
    } else {
        crate::secrets::parameters(ssm.get(), &parameters)
            .await
            .map_err(|e| format!("the providers' API keys: {e}"))?
    };
    let mut keys = HashMap::new();
    for spec in providers.specs() {
        let key = if let Some(parameter) = &spec.api_key_parameter {
            stored
                .get(parameter)
                .cloned()
                .ok_or_else(|| format!("the API key of {}: {parameter} has no value", spec.name))?
        } else if let Some(variable) = &spec.api_key_env {
            std::env::var(variable)
                .map_err(|_| format!("{variable} (API key of {}) is not set", spec.name))?
        } else {
            String::new()
        };
        keys.insert(spec.name.clone(), key);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"[
        {"name": "openai", "api": "openai", "model": "gpt-4.1-mini"},
        {"name": "openai-eu", "api": "openai", "model": "gpt-4.1-mini",
         "base_url": "https://eu.api.openai.com/v1", "eu_resident": true},
        {"name": "ollama", "api": "openai_compatible", "model": "llama3.1",
         "base_url": "http://localhost:11434/v1", "eu_resident": true}
    ]"#;

    #[test]
    fn no_list_means_offline_for_everyone() {
        let providers = Providers::parse(None, None).unwrap();
        let choice = providers.choose(DataRegion::Eu, None).unwrap();
        assert_eq!((choice.name.as_str(), choice.api), (OFFLINE, Api::Offline));
        assert!(choice.dialect(String::new()).is_none(), "nothing to call");
    }

    #[test]
    fn the_default_is_used_unless_the_tenant_or_its_region_rules_it_out() {
        let providers = Providers::parse(Some(LIST), Some("openai")).unwrap();
        let name = |c: Result<&ProviderSpec, NoProvider>| c.map(|c| c.name.clone());
        assert_eq!(
            name(providers.choose(DataRegion::Us, None)),
            Ok("openai".into())
        );
        assert_eq!(
            name(providers.choose(DataRegion::Eu, None)),
            Ok("openai-eu".into()),
            "EU tenants skip the non-resident default"
        );
        let only_ollama = ["ollama".to_owned()];
        assert_eq!(
            name(providers.choose(DataRegion::Us, Some(&only_ollama))),
            Ok("ollama".into())
        );
        let only_us = ["openai".to_owned()];
        assert_eq!(
            providers.choose(DataRegion::Eu, Some(&only_us)),
            Err(NoProvider { eu_only: true })
        );
    }

    #[test]
    fn bad_lists_are_refused_with_a_reason() {
        for (list, default, expected) in [
            ("[{]", None, "not a valid provider list"),
            (
                r#"[{"name":"x","api":"openai_compatible","model":"m"}]"#,
                None,
                "needs a base_url",
            ),
            (
                r#"[{"name":"Big AI","api":"openai","model":"m"}]"#,
                None,
                "not allowed",
            ),
            (
                r#"[{"name":"a","api":"openai","model":"m"},{"name":"a","api":"gemini","model":"m"}]"#,
                None,
                "twice",
            ),
            (
                r#"[{"name":"a","api":"openai","model":"m"}]"#,
                Some("b"),
                "not in the provider list",
            ),
            (
                r#"[{"name":"a","api":"openai","model":"m","key":"sk-1"}]"#,
                None,
                "unknown field",
            ),
        ] {
            let error = Providers::parse(Some(list), default)
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{list}: {error}");
        }
    }

    #[test]
    fn each_api_gets_its_dialect_and_endpoint() {
        let providers = Providers::parse(Some(LIST), None).unwrap();
        let prompt = super::super::Prompt {
            system: "s".into(),
            user: "u".into(),
            schema_name: "analysis_result",
            schema: serde_json::json!({"type": "object"}),
        };
        let eu = providers.specs()[1].dialect("k".into()).unwrap();
        assert_eq!(
            eu.request(&prompt).url,
            "https://eu.api.openai.com/v1/chat/completions"
        );
        let ollama = providers.specs()[2].dialect(String::new()).unwrap();
        assert_eq!(ollama.provider(), "openai_compatible");
        assert_eq!(
            ollama.request(&prompt).url,
            "http://localhost:11434/v1/chat/completions"
        );
    }
}
