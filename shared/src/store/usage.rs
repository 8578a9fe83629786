//! Monthly GenAI usage and the plan's analysis counter: unsigned counters updated in place.

use super::{keys, request_error, Item, Store, StoreError, Write};
use crate::domain::analysis_record::TokenUsage;
use crate::domain::TenantId;
use crate::encryption::run_crypto;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

/// A month of GenAI use by one tenant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MonthlyUsage {
    /// Analyses accepted (counted against the plan when submitted).
    pub analyses: u64,
    /// Jobs that ran to a result.
    pub jobs: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// The month item's unsigned counters.
const JOBS: &str = ":jobs";
const ANALYSES: &str = ":analyses";
const INPUT_TOKENS: &str = ":input_tokens";
const OUTPUT_TOKENS: &str = ":output_tokens";

impl Store {
    /// Adds one job's tokens to the tenant's month (`YYYY-MM`). The counters are unsigned attributes
    /// updated atomically in place on an item that is otherwise signed like any other; the month's first
    /// job creates that item, every later one is a single update.
    pub async fn add_usage(
        &self,
        tenant: &TenantId,
        month: &str,
        usage: TokenUsage,
    ) -> Result<MonthlyUsage, StoreError> {
        let (pk, sk) = (keys::tenant_pk(tenant), keys::usage_sk(month));
        match self.add_to_counters(&pk, &sk, usage).await {
            Err(StoreError::ConditionFailed) => {
                self.create_usage_month(&pk, &sk, month).await?;
                self.add_to_counters(&pk, &sk, usage).await
            }
            added => added,
        }
    }

    /// The month's usage item, signed like any other, for the counters to be added to; a no-op if a
    /// concurrent request created it first.
    async fn create_usage_month(&self, pk: &str, sk: &str, month: &str) -> Result<(), StoreError> {
        let first = Self::item(pk.to_owned(), sk.to_owned(), "usage", &month)?;
        match self.put_one(self.put(first, Write::New)?).await {
            Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// [`StoreError::ConditionFailed`] while the month's item does not exist yet.
    async fn add_to_counters(
        &self,
        pk: &str,
        sk: &str,
        usage: TokenUsage,
    ) -> Result<MonthlyUsage, StoreError> {
        let out = run_crypto(
            self.ddb
                .update_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(pk.to_owned()))
                .key("sk", AttributeValue::S(sk.to_owned()))
                .condition_expression("attribute_exists(pk)")
                .update_expression("ADD #jobs :one, #input :input, #output :output")
                .expression_attribute_names("#jobs", JOBS)
                .expression_attribute_names("#input", INPUT_TOKENS)
                .expression_attribute_names("#output", OUTPUT_TOKENS)
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .expression_attribute_values(
                    ":input",
                    AttributeValue::N(usage.input_tokens.to_string()),
                )
                .expression_attribute_values(
                    ":output",
                    AttributeValue::N(usage.output_tokens.to_string()),
                )
                .return_values(ReturnValue::AllNew)
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(Self::usage_of(&out.attributes.unwrap_or_default()))
    }

    /// Counts one more accepted analysis in the tenant's month if the count stays within `limit`, as one
    /// atomic conditional update (two concurrent submissions cannot both take the last one). `Ok(Some(used))`
    /// when the limit is reached.
    pub async fn admit_analysis(
        &self,
        tenant: &TenantId,
        month: &str,
        limit: u64,
    ) -> Result<Option<u64>, StoreError> {
        let (pk, sk) = (keys::tenant_pk(tenant), keys::usage_sk(month));
        for _ in 0..2 {
            let counted = run_crypto(
                self.ddb
                    .update_item()
                    .table_name(&self.table)
                    .key("pk", AttributeValue::S(pk.clone()))
                    .key("sk", AttributeValue::S(sk.clone()))
                    .condition_expression(
                        "attribute_exists(pk) AND (attribute_not_exists(#count) OR #count < :limit)",
                    )
                    .update_expression("ADD #count :one")
                    .expression_attribute_names("#count", ANALYSES)
                    .expression_attribute_values(":one", AttributeValue::N("1".into()))
                    .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
                    .send(),
            )
            .await
            .map_err(request_error);
            match counted {
                Ok(_) => return Ok(None),
                Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(e),
            }
            let current = run_crypto(
                self.ddb
                    .get_item()
                    .table_name(&self.table)
                    .key("pk", AttributeValue::S(pk.clone()))
                    .key("sk", AttributeValue::S(sk.clone()))
                    .consistent_read(true)
                    .send(),
            )
            .await
            .map_err(request_error)?;
            match current.item {
                Some(item) => return Ok(Some(Self::usage_of(&item).analyses)),
                None => self.create_usage_month(&pk, &sk, month).await?,
            }
        }
        Err(StoreError::ConditionFailed)
    }

    /// Gives back one analysis counted by [`Self::admit_analysis`] for a submission that then failed.
    pub async fn release_analysis(&self, tenant: &TenantId, month: &str) -> Result<(), StoreError> {
        run_crypto(
            self.ddb
                .update_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
                .key("sk", AttributeValue::S(keys::usage_sk(month)))
                .condition_expression("#count > :zero")
                .update_expression("ADD #count :minus_one")
                .expression_attribute_names("#count", ANALYSES)
                .expression_attribute_values(":zero", AttributeValue::N("0".into()))
                .expression_attribute_values(":minus_one", AttributeValue::N("-1".into()))
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(())
    }

    fn usage_of(item: &Item) -> MonthlyUsage {
        let n = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        MonthlyUsage {
            analyses: n(ANALYSES),
            jobs: n(JOBS),
            input_tokens: n(INPUT_TOKENS),
            output_tokens: n(OUTPUT_TOKENS),
        }
    }

    pub async fn usage(&self, tenant: &TenantId, month: &str) -> Result<MonthlyUsage, StoreError> {
        let out = run_crypto(
            self.ddb
                .get_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
                .key("sk", AttributeValue::S(keys::usage_sk(month)))
                .consistent_read(true)
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(out.item.as_ref().map(Self::usage_of).unwrap_or_default())
    }
}
