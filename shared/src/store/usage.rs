//! Monthly GenAI usage and the plan's analysis counter: unsigned counters updated in place.

use super::{keys, request_error, Item, Store, StoreError, Write};
use crate::domain::analysis_record::TokenUsage;
use crate::domain::personal_data::ItemKind;
use crate::domain::TenantId;
use crate::encryption::run_crypto;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};

/// A month of GenAI use by one tenant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MonthlyUsage {
    /// Analyses accepted (counted against the plan when submitted).
    pub analyses: u64,
    /// Jobs that ran to a result.
    pub jobs: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Messages sent (counted against the plan when queued).
    pub messages: u64,
}

/// The month item's unsigned counters.
const JOBS: &str = ":jobs";
const ANALYSES: &str = ":analyses";
const INPUT_TOKENS: &str = ":input_tokens";
const OUTPUT_TOKENS: &str = ":output_tokens";
const MESSAGES: &str = ":messages";
/// The tenant's contact count, on an item of its own (contacts are not monthly).
const CONTACTS: &str = ":count";

/// An unsigned counter on a signed item, and what the item is called.
struct Counter {
    pk: String,
    sk: String,
    kind: ItemKind,
    attribute: &'static str,
}

impl Counter {
    fn month(tenant: &TenantId, month: &str, attribute: &'static str) -> Self {
        Self {
            pk: keys::tenant_pk(tenant),
            sk: keys::usage_sk(month),
            kind: ItemKind::Usage,
            attribute,
        }
    }

    fn contacts(tenant: &TenantId) -> Self {
        Self {
            pk: keys::tenant_pk(tenant),
            sk: keys::CONTACT_COUNT_SK.to_owned(),
            kind: ItemKind::ContactCount,
            attribute: CONTACTS,
        }
    }
}

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
                self.create_counter_item(&Counter::month(tenant, month, JOBS))
                    .await?;
                self.add_to_counters(&pk, &sk, usage).await
            }
            added => added,
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
            self.ddb()?
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

    /// Counts one more accepted analysis in the tenant's month if the count stays within `limit`.
    /// `Ok(Some(used))` when the limit is reached.
    pub async fn admit_analysis(
        &self,
        tenant: &TenantId,
        month: &str,
        limit: u64,
    ) -> Result<Option<u64>, StoreError> {
        self.admit(&Counter::month(tenant, month, ANALYSES), 1, limit)
            .await
    }

    /// Gives back one analysis counted by [`Self::admit_analysis`] for a submission that then failed.
    pub async fn release_analysis(&self, tenant: &TenantId, month: &str) -> Result<(), StoreError> {
        self.release(&Counter::month(tenant, month, ANALYSES), 1)
            .await
    }

    /// Counts `count` more messages sent in the tenant's month if the count stays within `limit`.
    pub async fn admit_messages(
        &self,
        tenant: &TenantId,
        month: &str,
        count: u64,
        limit: u64,
    ) -> Result<Option<u64>, StoreError> {
        self.admit(&Counter::month(tenant, month, MESSAGES), count, limit)
            .await
    }

    /// Makes sure the tenant's month item exists, so [`Self::admit_message_write`] can count into it.
    pub async fn prepare_message_month(
        &self,
        tenant: &TenantId,
        month: &str,
    ) -> Result<(), StoreError> {
        let counter = Counter::month(tenant, month, MESSAGES);
        match self.counter_item(&counter).await? {
            Some(_) => Ok(()),
            None => self.create_counter_item(&counter).await,
        }
    }

    /// One more message in the tenant's month if the count stays within `limit`, as one write of a
    /// transaction (which then fails on the limit as on any other condition).
    pub(super) fn admit_message_write(
        &self,
        tenant: &TenantId,
        month: &str,
        limit: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let counter = Counter::month(tenant, month, MESSAGES);
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(counter.pk))
            .key("sk", AttributeValue::S(counter.sk))
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(#count) OR #count < :limit)",
            )
            .update_expression("ADD #count :one")
            .expression_attribute_names("#count", counter.attribute)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
            .build()
            .map_err(|e| StoreError::Request(Box::new(e)))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    pub async fn release_messages(
        &self,
        tenant: &TenantId,
        month: &str,
        count: u64,
    ) -> Result<(), StoreError> {
        self.release(&Counter::month(tenant, month, MESSAGES), count)
            .await
    }

    /// Counts one more contact of the tenant if the count stays within `limit`.
    pub async fn admit_contact(
        &self,
        tenant: &TenantId,
        limit: u64,
    ) -> Result<Option<u64>, StoreError> {
        self.admit(&Counter::contacts(tenant), 1, limit).await
    }

    /// Counts as many of `wanted` new contacts as the plan still allows (an import): how many.
    pub async fn admit_contacts(
        &self,
        tenant: &TenantId,
        wanted: u64,
        limit: u64,
    ) -> Result<u64, StoreError> {
        let counter = Counter::contacts(tenant);
        for _ in 0..5 {
            let used = self
                .counter_item(&counter)
                .await?
                .map_or(0, |item| Self::number(&item, counter.attribute));
            let granted = wanted.min(limit.saturating_sub(used));
            if granted == 0 {
                return Ok(0);
            }
            match self.admit(&counter, granted, limit).await? {
                None => return Ok(granted),
                // Another request took some meanwhile: ask again for what is left.
                Some(_) => continue,
            }
        }
        Ok(0)
    }

    /// Gives back a contact counted by [`Self::admit_contact`]: deleted, or not created after all.
    pub async fn release_contact(&self, tenant: &TenantId) -> Result<(), StoreError> {
        self.release(&Counter::contacts(tenant), 1).await
    }

    /// Adds `count` to a counter if the sum stays within `limit`, as one atomic conditional update
    /// (two concurrent requests cannot both take the last one). `Ok(Some(used))` when it would not.
    async fn admit(
        &self,
        counter: &Counter,
        count: u64,
        limit: u64,
    ) -> Result<Option<u64>, StoreError> {
        let used_now = |item: Option<Item>| item.map_or(0, |i| Self::number(&i, counter.attribute));
        if count > limit {
            return Ok(Some(used_now(self.counter_item(counter).await?)));
        }
        // The update fails when the count would pass the limit, or while the counter's item does not
        // exist yet; which of the two is read back. A concurrent request may create the item between
        // the two, so a few rounds are allowed.
        for _ in 0..5 {
            let counted = run_crypto(
                self.ddb()?
                    .update_item()
                    .table_name(&self.table)
                    .key("pk", AttributeValue::S(counter.pk.clone()))
                    .key("sk", AttributeValue::S(counter.sk.clone()))
                    .condition_expression(
                        "attribute_exists(pk) AND (attribute_not_exists(#count) OR #count <= :ceiling)",
                    )
                    .update_expression("ADD #count :n")
                    .expression_attribute_names("#count", counter.attribute)
                    .expression_attribute_values(":n", AttributeValue::N(count.to_string()))
                    .expression_attribute_values(
                        ":ceiling",
                        AttributeValue::N((limit - count).to_string()),
                    )
                    .send(),
            )
            .await
            .map_err(request_error);
            match counted {
                Ok(_) => return Ok(None),
                Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(e),
            }
            match self.counter_item(counter).await? {
                None => self.create_counter_item(counter).await?,
                Some(item) => {
                    let used = used_now(Some(item));
                    if used + count > limit {
                        return Ok(Some(used));
                    }
                }
            }
        }
        Err(StoreError::ConditionFailed)
    }

    async fn release(&self, counter: &Counter, count: u64) -> Result<(), StoreError> {
        run_crypto(
            self.ddb()?
                .update_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(counter.pk.clone()))
                .key("sk", AttributeValue::S(counter.sk.clone()))
                .condition_expression("#count >= :n")
                .update_expression("ADD #count :minus")
                .expression_attribute_names("#count", counter.attribute)
                .expression_attribute_values(":n", AttributeValue::N(count.to_string()))
                .expression_attribute_values(":minus", AttributeValue::N(format!("-{count}")))
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(())
    }

    async fn counter_item(&self, counter: &Counter) -> Result<Option<Item>, StoreError> {
        let out = run_crypto(
            self.ddb()?
                .get_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(counter.pk.clone()))
                .key("sk", AttributeValue::S(counter.sk.clone()))
                .consistent_read(true)
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(out.item)
    }

    /// The counter's item, signed like any other, for counts to be added to; a no-op if a concurrent
    /// request created it first.
    async fn create_counter_item(&self, counter: &Counter) -> Result<(), StoreError> {
        let first = Self::item(
            counter.pk.clone(),
            counter.sk.clone(),
            counter.kind,
            &counter.sk,
        )?;
        match self.put_one(self.put(first, Write::New)?).await {
            Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The number of contacts the tenant holds now.
    pub async fn contact_count(&self, tenant: &TenantId) -> Result<u64, StoreError> {
        let counter = Counter::contacts(tenant);
        Ok(self
            .counter_item(&counter)
            .await?
            .map_or(0, |item| Self::number(&item, counter.attribute)))
    }

    fn number(item: &Item, name: &str) -> u64 {
        item.get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    fn usage_of(item: &Item) -> MonthlyUsage {
        let n = |name: &str| Self::number(item, name);
        MonthlyUsage {
            analyses: n(ANALYSES),
            jobs: n(JOBS),
            input_tokens: n(INPUT_TOKENS),
            output_tokens: n(OUTPUT_TOKENS),
            messages: n(MESSAGES),
        }
    }

    pub async fn usage(&self, tenant: &TenantId, month: &str) -> Result<MonthlyUsage, StoreError> {
        let out = run_crypto(
            self.ddb()?
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
