//! Channel settings, and the pointer from a Twilio channel id to its tenant.
//!
//! The settings (secrets included) are encrypted in the tenant's partition like everything else. A
//! webhook URL names only the channel id, so a pointer item `CH#<channel id>` / `T#<tenant id>` says
//! whose it is; its key names the tenant, so it too is signed with that tenant's key.

use super::{keys, Store, StoreError, Write};
use crate::domain::channel::{EmailChannel, TwilioChannel};
use crate::domain::personal_data::ItemKind;
use crate::domain::{ChannelId, TenantId};
use crate::encryption::run_crypto;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

const TWILIO: &str = "twilio";
const EMAIL: &str = "email";

impl Store {
    pub async fn twilio_channel(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<TwilioChannel>, StoreError> {
        self.get(
            keys::tenant_pk(tenant),
            keys::channel_sk(TWILIO),
            ItemKind::TwilioChannel,
        )
        .await
    }

    /// Stores the channel and its pointer (the id never changes once created).
    pub async fn save_twilio_channel(
        &self,
        tenant: &TenantId,
        channel: &TwilioChannel,
    ) -> Result<(), StoreError> {
        let settings = Self::item(
            keys::tenant_pk(tenant),
            keys::channel_sk(TWILIO),
            ItemKind::TwilioChannel,
            channel,
        )?;
        let pointer = Self::item(
            keys::channel_pointer_pk(&channel.id),
            keys::tenant_pk(tenant),
            ItemKind::ChannelPointer,
            &channel.id,
        )?;
        self.transact(vec![
            TransactWriteItem::builder()
                .put(self.put(settings, Write::Replace)?)
                .build(),
            TransactWriteItem::builder()
                .put(self.put(pointer, Write::Replace)?)
                .build(),
        ])
        .await
    }

    /// Removes the channel and its pointer: its webhook URLs stop working at once.
    pub async fn delete_twilio_channel(
        &self,
        tenant: &TenantId,
        channel: &ChannelId,
    ) -> Result<(), StoreError> {
        self.transact(vec![
            self.delete(keys::tenant_pk(tenant), keys::channel_sk(TWILIO))?,
            self.delete(keys::channel_pointer_pk(channel), keys::tenant_pk(tenant))?,
        ])
        .await
    }

    /// The tenant whose Twilio channel has this id, from the pointer's key.
    pub async fn tenant_of_channel(
        &self,
        channel: &ChannelId,
    ) -> Result<Option<TenantId>, StoreError> {
        let out = run_crypto(
            self.ddb()?
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(
                    ":pk",
                    AttributeValue::S(keys::channel_pointer_pk(channel)),
                )
                .consistent_read(true)
                .limit(1)
                .send(),
        )
        .await
        .map_err(super::request_error)?;
        Ok(out
            .items()
            .first()
            .and_then(|item| item.get("sk"))
            .and_then(|sk| sk.as_s().ok())
            .and_then(|sk| keys::tenant_of_key(sk, "")))
    }

    pub async fn email_channel(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<EmailChannel>, StoreError> {
        self.get(
            keys::tenant_pk(tenant),
            keys::channel_sk(EMAIL),
            ItemKind::EmailChannel,
        )
        .await
    }

    pub async fn save_email_channel(
        &self,
        tenant: &TenantId,
        channel: &EmailChannel,
    ) -> Result<(), StoreError> {
        let item = Self::item(
            keys::tenant_pk(tenant),
            keys::channel_sk(EMAIL),
            ItemKind::EmailChannel,
            channel,
        )?;
        self.put_one(self.put(item, Write::Replace)?).await
    }

    pub async fn delete_email_channel(&self, tenant: &TenantId) -> Result<(), StoreError> {
        self.delete_existing(keys::tenant_pk(tenant), keys::channel_sk(EMAIL))
            .await
    }
}
