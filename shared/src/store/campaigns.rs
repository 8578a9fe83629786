//! Campaigns: the record, signed and encrypted like any other, with unsigned counters beside it that
//! the worker and status callbacks add to in place, and a flag set when the fan-out has read the
//! whole audience.

use super::{keys, request_error, Item, Range, Store, StoreError, Write};
use crate::domain::campaign::{Audience, Campaign, CampaignCount, CampaignCounts, CampaignStatus};
use crate::domain::contact::Contact;
use crate::domain::{CampaignId, ContactId, TenantId};
use crate::encryption::run_crypto;
use aws_sdk_dynamodb::types::AttributeValue;

const KIND: &str = "campaign";
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
            let contact: Contact = Self::record(&item, "contact")?;
            contacts.insert(contact.id.clone(), contact);
        }
        for tag in audience.tags.iter().flatten() {
            let mut after = None;
            loop {
                let page = self.contacts_tagged(tenant, tag, 100, after).await?;
                for contact in page.records {
                    contacts.insert(contact.id.clone(), contact);
                }
                match page.next_sk {
                    Some(sk) => after = Some(sk),
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
            counts,
            status: if number(FANNED_OUT) == 1 {
                CampaignStatus::Sent
            } else {
                CampaignStatus::Sending
            },
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
        start_after: Option<String>,
    ) -> Result<(Vec<CampaignState>, Option<String>), StoreError> {
        let range = Range {
            pk: keys::tenant_pk(tenant),
            prefix: keys::CAMPAIGN_PREFIX,
            forward: false,
            limit: Some(limit),
            start_after,
            filter: None,
        };
        let (items, next) = self.query_items(range).await?;
        let states = items
            .iter()
            .map(Self::campaign_state)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((states, next))
    }

    /// Adds to a campaign's counters in place.
    pub async fn count_campaign(
        &self,
        tenant: &TenantId,
        id: &CampaignId,
        counts: &[(CampaignCount, u64)],
    ) -> Result<(), StoreError> {
        let counts: Vec<_> = counts.iter().filter(|(_, n)| *n > 0).collect();
        if counts.is_empty() {
            return Ok(());
        }
        let mut request = self
            .ddb()?
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
            .key("sk", AttributeValue::S(keys::campaign_sk(id)))
            .condition_expression("attribute_exists(pk)");
        let mut clauses = Vec::new();
        for (i, (count, n)) in counts.iter().enumerate() {
            clauses.push(format!("#c{i} :n{i}"));
            request = request
                .expression_attribute_names(format!("#c{i}"), counter(*count))
                .expression_attribute_values(format!(":n{i}"), AttributeValue::N(n.to_string()));
        }
        run_crypto(
            request
                .update_expression(format!("ADD {}", clauses.join(", ")))
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(())
    }

    /// Claims `contact` as a target of the campaign: `false` if it already was (a contact with two of
    /// the audience's tags, or a fan-out page read twice), so nobody gets a campaign twice.
    pub async fn claim_campaign_target(
        &self,
        tenant: &TenantId,
        id: &CampaignId,
        contact: &ContactId,
    ) -> Result<bool, StoreError> {
        let item = Self::item(
            keys::tenant_pk(tenant),
            keys::campaign_target_sk(id, contact),
            "campaign_target",
            &contact,
        )?;
        match self.put_one(self.put(item, Write::New)?).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e),
        }
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
