//! Campaigns: the record, signed and encrypted like any other, with unsigned counters beside it that
//! the worker and status callbacks add to in place, and a flag set when the fan-out has read the
//! whole audience. Each targeted contact has a claim item `CAT#<campaign>#<contact>` holding what the
//! fan-out did for it; the claim, its counts and its message are written in one transaction.

use super::{
    keys, request_error, ConversationWrite, Item, Page, Range, SkPage, Store, StoreError, Write,
};
use crate::domain::campaign::{
    Audience, Campaign, CampaignCount, CampaignCounts, CampaignStatus, SkipReason, TargetOutcome,
};
use crate::domain::contact::Contact;
use crate::domain::conversation::Message;
use crate::domain::personal_data::ItemKind;
use crate::domain::{CampaignId, ContactId, TenantId};
use crate::encryption::run_crypto;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const KIND: ItemKind = ItemKind::Campaign;
const TARGET: ItemKind = ItemKind::CampaignTarget;

/// A contact claimed by a campaign's fan-out, with what was done for it.
#[derive(Debug, Serialize, Deserialize)]
struct CampaignTarget {
    contact_id: ContactId,
    outcome: TargetOutcome,
}
const FANNED_OUT: &str = ":fanned_out";

/// A campaign as stored, with its counters.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignState {
    pub campaign: Campaign,
    pub counts: CampaignCounts,
    pub status: CampaignStatus,
}

fn counter(count: CampaignCount) -> String {
    format!(":{}", count.name())
}

impl Store {
    /// Every contact an audience names, each once (a contact carrying two of the tags is one
    /// recipient). Reads the tag pages as the campaign's fan-out does.
    pub async fn audience_contacts(
        &self,
        tenant: &TenantId,
        audience: &Audience,
    ) -> Result<Vec<Contact>, StoreError> {
        let mut contacts = std::collections::BTreeMap::new();
        // Named contacts in batches of a hundred (up to a thousand are allowed), not one read each.
        let named: Vec<(String, String)> = audience
            .contact_ids
            .iter()
            .flatten()
            .map(|id| (keys::tenant_pk(tenant), keys::contact_sk(id)))
            .collect();
        for item in self.get_items(named).await? {
            let contact: Contact = Self::record(&item, ItemKind::Contact)?;
            contacts.insert(contact.id.clone(), contact);
        }
        for tag in audience.tags.iter().flatten() {
            let mut after = None;
            loop {
                let page = self
                    .contacts_tagged(tenant, tag, 100, after.as_ref())
                    .await?;
                for contact in page.records {
                    contacts.insert(contact.id.clone(), contact);
                }
                match page.next {
                    Some(last) => after = Some(last),
                    None => break,
                }
            }
        }
        Ok(contacts.into_values().collect())
    }

    pub async fn create_campaign(
        &self,
        tenant: &TenantId,
        campaign: &Campaign,
    ) -> Result<(), StoreError> {
        let item = Self::item(
            keys::tenant_pk(tenant),
            keys::campaign_sk(&campaign.id),
            KIND,
            campaign,
        )?;
        self.put_one(self.put(item, Write::New)?).await
    }

    fn campaign_state(item: &Item) -> Result<CampaignState, StoreError> {
        let number = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let mut counts = CampaignCounts::default();
        for count in CampaignCount::ALL {
            count.add_to(&mut counts, number(&counter(count)));
        }
        Ok(CampaignState {
            campaign: Self::record(item, KIND)?,
            status: CampaignStatus::of(number(FANNED_OUT) == 1, &counts),
            counts,
        })
    }

    pub async fn campaign(
        &self,
        tenant: &TenantId,
        id: &CampaignId,
    ) -> Result<Option<CampaignState>, StoreError> {
        let out = run_crypto(
            self.ddb()?
                .get_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
                .key("sk", AttributeValue::S(keys::campaign_sk(id)))
                .consistent_read(true)
                .send(),
        )
        .await
        .map_err(request_error)?;
        out.item.as_ref().map(Self::campaign_state).transpose()
    }

    /// The tenant's campaigns, newest first.
    pub async fn campaigns(
        &self,
        tenant: &TenantId,
        limit: i32,
        after: Option<&CampaignId>,
    ) -> Result<Page<CampaignState, CampaignId>, StoreError> {
        let range = Range {
            pk: keys::tenant_pk(tenant),
            prefix: keys::CAMPAIGN_PREFIX,
            forward: false,
            limit: Some(limit),
            start_after: after.map(keys::campaign_sk),
            filter: None,
        };
        let (items, next_sk) = self.query_items(range).await?;
        let records = items
            .iter()
            .map(Self::campaign_state)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SkPage { records, next_sk }.continued_after(keys::CAMPAIGN_PREFIX))
    }

    /// An in-place addition to a campaign's counters, as one write of a transaction: every count is
    /// written with the step it counts (a claim, a message's outcome), so none is lost or doubled
    /// when a step is retried.
    pub(super) fn campaign_count_write(
        &self,
        tenant: &TenantId,
        id: &CampaignId,
        counts: &[CampaignCount],
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
            .key("sk", AttributeValue::S(keys::campaign_sk(id)))
            .condition_expression("attribute_exists(pk)");
        let mut clauses = Vec::new();
        for (i, count) in counts.iter().enumerate() {
            clauses.push(format!("#c{i} :one"));
            update = update.expression_attribute_names(format!("#c{i}"), counter(*count));
        }
        let update = update
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .update_expression(format!("ADD {}", clauses.join(", ")))
            .build()
            .map_err(|e| StoreError::Request(Box::new(e)))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn target_item(
        tenant: &TenantId,
        id: &CampaignId,
        target: &CampaignTarget,
    ) -> Result<Item, StoreError> {
        Self::item(
            keys::tenant_pk(tenant),
            keys::campaign_target_sk(id, &target.contact_id),
            TARGET,
            target,
        )
    }

    /// The outcomes already recorded for these contacts of the campaign (a batch read per hundred).
    pub async fn campaign_targets(
        &self,
        tenant: &TenantId,
        id: &CampaignId,
        contacts: &[ContactId],
    ) -> Result<HashMap<ContactId, TargetOutcome>, StoreError> {
        let wanted = contacts
            .iter()
            .map(|contact| {
                (
                    keys::tenant_pk(tenant),
                    keys::campaign_target_sk(id, contact),
                )
            })
            .collect();
        let mut outcomes = HashMap::new();
        for item in self.get_items(wanted).await? {
            let target: CampaignTarget = Self::record(&item, TARGET)?;
            outcomes.insert(target.contact_id, target.outcome);
        }
        Ok(outcomes)
    }

    /// Claims `contact` as skipped for `reason`, counted targeted and skipped in the same
    /// transaction. [`StoreError::ConditionFailed`] if it was claimed already.
    pub async fn skip_campaign_target(
        &self,
        tenant: &TenantId,
        id: &CampaignId,
        contact: &ContactId,
        reason: SkipReason,
    ) -> Result<(), StoreError> {
        let target = CampaignTarget {
            contact_id: contact.clone(),
            outcome: TargetOutcome::Skipped { reason },
        };
        let claim = self.put(Self::target_item(tenant, id, &target)?, Write::New)?;
        self.transact(vec![
            TransactWriteItem::builder().put(claim).build(),
            self.campaign_count_write(
                tenant,
                id,
                &[CampaignCount::Targeted, CampaignCount::Skipped(reason)],
            )?,
        ])
        .await
    }

    /// Claims `contact` with its campaign message, in one transaction: the claim naming the message,
    /// the message in its conversation, one more message in the tenant's `month` within `limit`, and
    /// the campaign's targeted count. [`StoreError::ConditionFailed`] if the contact was claimed
    /// already, the month's messages are used up, or the conversation changed meanwhile (the caller
    /// reads which). The month's counter item must exist ([`Store::prepare_message_month`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn message_campaign_target(
        &self,
        tenant: &TenantId,
        id: &CampaignId,
        conversation: ConversationWrite<'_>,
        message: &Message,
        month: &str,
        limit: u64,
    ) -> Result<(), StoreError> {
        let target = CampaignTarget {
            contact_id: message.contact_id.clone(),
            outcome: TargetOutcome::Messaged {
                conversation_id: message.conversation_id.clone(),
                message_id: message.id.clone(),
            },
        };
        let claim = self.put(Self::target_item(tenant, id, &target)?, Write::New)?;
        let mut writes = vec![
            TransactWriteItem::builder().put(claim).build(),
            self.campaign_count_write(tenant, id, &[CampaignCount::Targeted])?,
            self.admit_message_write(tenant, month, limit)?,
        ];
        writes.extend(self.message_writes(tenant, &conversation, message, None)?);
        self.transact(writes).await
    }

    /// The outcome recorded for one contact of the campaign, if any.
    pub async fn campaign_target(
        &self,
        tenant: &TenantId,
        id: &CampaignId,
        contact: &ContactId,
    ) -> Result<Option<TargetOutcome>, StoreError> {
        let target: Option<CampaignTarget> = self
            .get(
                keys::tenant_pk(tenant),
                keys::campaign_target_sk(id, contact),
                TARGET,
            )
            .await?;
        Ok(target.map(|t| t.outcome))
    }

    /// Marks the campaign's audience as wholly read.
    pub async fn finish_fan_out(
        &self,
        tenant: &TenantId,
        id: &CampaignId,
    ) -> Result<(), StoreError> {
        run_crypto(
            self.ddb()?
                .update_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
                .key("sk", AttributeValue::S(keys::campaign_sk(id)))
                .condition_expression("attribute_exists(pk)")
                .update_expression("SET #done = :one")
                .expression_attribute_names("#done", FANNED_OUT)
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(())
    }
}
