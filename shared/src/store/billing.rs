//! The Stripe customer ↔ tenant link, seen webhook events and the subscription.

use super::{keys, request_error, Store, StoreError, Versioned, Write, VERSION};
use crate::domain::billing::Subscription;
use crate::domain::personal_data::ItemKind;
use crate::domain::TenantId;
use crate::encryption::run_crypto;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

impl Store {
    /// Links a Stripe customer to a tenant, both ways and at most once: the tenant's record of its
    /// customer and the pointer from the customer to the tenant. [`StoreError::ConditionFailed`] if
    /// the tenant already has a customer or the customer a tenant.
    pub async fn link_stripe_customer(
        &self,
        customer_id: &str,
        tenant: &TenantId,
    ) -> Result<(), StoreError> {
        let record = Self::item(
            keys::tenant_pk(tenant),
            keys::STRIPE_CUSTOMER_SK.into(),
            ItemKind::StripeCustomer,
            &customer_id,
        )?;
        let pointer = Self::item(
            keys::stripe_customer_pk(customer_id),
            keys::tenant_pk(tenant),
            ItemKind::StripeCustomer,
            &tenant,
        )?;
        self.transact(
            [record, pointer]
                .into_iter()
                .map(|item| {
                    let put = self.put(item, Write::New)?;
                    Ok(TransactWriteItem::builder().put(put).build())
                })
                .collect::<Result<_, StoreError>>()?,
        )
        .await
    }

    /// The tenant's Stripe customer id, once Checkout was first opened.
    pub async fn stripe_customer_of(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<String>, StoreError> {
        self.get(
            keys::tenant_pk(tenant),
            keys::STRIPE_CUSTOMER_SK.into(),
            ItemKind::StripeCustomer,
        )
        .await
    }

    /// The tenant a Stripe customer belongs to, from our own table.
    pub async fn tenant_of_stripe_customer(
        &self,
        customer_id: &str,
    ) -> Result<Option<TenantId>, StoreError> {
        self.first(
            keys::stripe_customer_pk(customer_id),
            keys::TENANT_PREFIX,
            ItemKind::StripeCustomer,
            true,
        )
        .await
    }

    pub async fn stripe_event_seen(
        &self,
        tenant: &TenantId,
        event_id: &str,
    ) -> Result<bool, StoreError> {
        let seen: Option<String> = self
            .get(
                keys::tenant_pk(tenant),
                keys::stripe_event_sk(event_id),
                ItemKind::StripeEvent,
            )
            .await?;
        Ok(seen.is_some())
    }

    /// Records that an event was applied; [`StoreError::ConditionFailed`] if it already was. The record
    /// expires (table TTL) long after Stripe's last retry (3 days).
    pub async fn record_stripe_event(
        &self,
        tenant: &TenantId,
        event_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::stripe_event_sk(event_id),
            ItemKind::StripeEvent,
            &event_id,
        )?;
        item.insert(
            "expires_at".to_owned(),
            AttributeValue::N(expires_at.to_string()),
        );
        self.put_one(self.put(item, Write::New)?).await
    }

    pub async fn subscription(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<Versioned<Subscription>>, StoreError> {
        self.get_versioned(
            keys::tenant_pk(tenant),
            keys::SUBSCRIPTION_SK.into(),
            ItemKind::Subscription,
        )
        .await
    }

    /// Writes `next` in place of the subscription read as `previous` (none: there was none), so two
    /// webhook deliveries decided on the same read cannot both win. [`StoreError::ConditionFailed`] if
    /// it changed meanwhile.
    pub async fn replace_subscription(
        &self,
        tenant: &TenantId,
        previous: Option<&Versioned<Subscription>>,
        next: &Subscription,
    ) -> Result<(), StoreError> {
        let version = previous.map_or(0, |p| p.version) + 1;
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::SUBSCRIPTION_SK.into(),
            ItemKind::Subscription,
            next,
        )?;
        item.insert(VERSION.to_owned(), AttributeValue::N(version.to_string()));
        let request = self
            .writer([&item])
            .await?
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        let request = match previous {
            None => request.condition_expression("attribute_not_exists(pk)"),
            // Written before subscriptions carried a version.
            Some(previous) if previous.version == 0 => request
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(#version)")
                .expression_attribute_names("#version", VERSION),
            Some(previous) => request
                .condition_expression("#version = :expected")
                .expression_attribute_names("#version", VERSION)
                .expression_attribute_values(
                    ":expected",
                    AttributeValue::N(previous.version.to_string()),
                ),
        };
        run_crypto(request.send()).await.map_err(request_error)?;
        Ok(())
    }
}
