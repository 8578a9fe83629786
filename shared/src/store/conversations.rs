//! Conversations and their messages.
//!
//! A conversation `CV#<id>` is versioned; its messages `MS#<conversation id>#<message id>` sit beside
//! it in time order. Two pointers find them from outside: `OC#<contact>#<channel>` names a contact's
//! open conversation on a channel (written with the conversation, so there is at most one), and
//! `PM#<provider id>` names the message a provider's id (Twilio's `MessageSid`) belongs to — written
//! with an inbound message, so a webhook delivered twice stores it once.

use super::{keys, Item, Store, StoreError, Versioned, Write, VERSION};
use crate::domain::campaign::count_for_change;
use crate::domain::consent::Channel;
use crate::domain::conversation::{Conversation, ConversationStatus, Message};
use crate::domain::personal_data::ItemKind;
use crate::domain::{ContactId, ConversationId, MessageId, TenantId};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use serde::{Deserialize, Serialize};

const CONVERSATION: ItemKind = ItemKind::Conversation;
const MESSAGE: ItemKind = ItemKind::Message;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct MessagePointer {
    conversation_id: ConversationId,
    message_id: MessageId,
}

/// The conversation a new message goes into: a new one, or one read at a version, as it is to be.
pub enum ConversationWrite<'a> {
    New(&'a Conversation),
    Existing {
        previous: &'a Versioned<Conversation>,
        next: &'a Conversation,
    },
}

impl Store {
    fn versioned_item<T: Serialize>(
        pk: String,
        sk: String,
        kind: ItemKind,
        record: &T,
        version: u64,
    ) -> Result<Item, StoreError> {
        let mut item = Self::item(pk, sk, kind, record)?;
        item.insert(VERSION.to_owned(), AttributeValue::N(version.to_string()));
        Ok(item)
    }

    fn conversation_write(
        &self,
        tenant: &TenantId,
        write: &ConversationWrite<'_>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let pk = keys::tenant_pk(tenant);
        Ok(match write {
            ConversationWrite::New(conversation) => {
                let item = Self::versioned_item(
                    pk.clone(),
                    keys::conversation_sk(&conversation.id),
                    CONVERSATION,
                    conversation,
                    1,
                )?;
                let pointer = Self::item(
                    pk,
                    keys::open_conversation_sk(&conversation.contact_id, conversation.channel),
                    ItemKind::OpenConversation,
                    &conversation.id,
                )?;
                vec![
                    TransactWriteItem::builder()
                        .put(self.put(item, Write::New)?)
                        .build(),
                    // At most one open conversation per contact and channel.
                    TransactWriteItem::builder()
                        .put(self.put(pointer, Write::New)?)
                        .build(),
                ]
            }
            ConversationWrite::Existing { previous, next } => {
                let item = Self::versioned_item(
                    pk,
                    keys::conversation_sk(&next.id),
                    CONVERSATION,
                    *next,
                    previous.version + 1,
                )?;
                vec![TransactWriteItem::builder()
                    .put(self.put_at_version(item, previous.version)?)
                    .build()]
            }
        })
    }

    /// Stores `message` and its conversation's new state in one transaction; with `provider_id`, also
    /// the pointer from it, which must not exist yet. [`StoreError::ConditionFailed`] when the
    /// conversation changed meanwhile, an open one already exists, or the provider id is known.
    pub async fn add_message(
        &self,
        tenant: &TenantId,
        conversation: ConversationWrite<'_>,
        message: &Message,
        provider_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let writes = self.message_writes(tenant, &conversation, message, provider_id)?;
        self.transact(writes).await
    }

    /// The writes of [`Self::add_message`], for a transaction that does more beside them.
    pub(super) fn message_writes(
        &self,
        tenant: &TenantId,
        conversation: &ConversationWrite<'_>,
        message: &Message,
        provider_id: Option<&str>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut writes = self.conversation_write(tenant, conversation)?;
        let item = Self::versioned_item(
            keys::tenant_pk(tenant),
            keys::message_sk(&message.conversation_id, &message.id),
            MESSAGE,
            message,
            1,
        )?;
        writes.push(
            TransactWriteItem::builder()
                .put(self.put(item, Write::New)?)
                .build(),
        );
        if let Some(provider_id) = provider_id {
            writes.push(self.provider_pointer(tenant, provider_id, message)?);
        }
        Ok(writes)
    }

    fn provider_pointer(
        &self,
        tenant: &TenantId,
        provider_id: &str,
        message: &Message,
    ) -> Result<TransactWriteItem, StoreError> {
        let pointer = Self::item(
            keys::tenant_pk(tenant),
            keys::provider_message_sk(provider_id),
            ItemKind::ProviderMessage,
            &MessagePointer {
                conversation_id: message.conversation_id.clone(),
                message_id: message.id.clone(),
            },
        )?;
        Ok(TransactWriteItem::builder()
            .put(self.put(pointer, Write::New)?)
            .build())
    }

    /// Whether a provider's message id is known (an inbound message stored, an outbound one sent).
    pub async fn knows_provider_id(
        &self,
        tenant: &TenantId,
        provider_id: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .get::<MessagePointer>(
                keys::tenant_pk(tenant),
                keys::provider_message_sk(provider_id),
                ItemKind::ProviderMessage,
            )
            .await?
            .is_some())
    }

    pub async fn conversation(
        &self,
        tenant: &TenantId,
        id: &ConversationId,
    ) -> Result<Option<Versioned<Conversation>>, StoreError> {
        self.get_versioned(
            keys::tenant_pk(tenant),
            keys::conversation_sk(id),
            CONVERSATION,
        )
        .await
    }

    /// The contact's open conversation on `channel`, if there is one.
    pub async fn open_conversation(
        &self,
        tenant: &TenantId,
        contact: &ContactId,
        channel: Channel,
    ) -> Result<Option<Versioned<Conversation>>, StoreError> {
        let pointer: Option<ConversationId> = self
            .get(
                keys::tenant_pk(tenant),
                keys::open_conversation_sk(contact, channel),
                ItemKind::OpenConversation,
            )
            .await?;
        match pointer {
            Some(id) => self.conversation(tenant, &id).await,
            None => Ok(None),
        }
    }

    /// Writes a conversation's new status or assignee. Closing it frees the contact's channel for a
    /// new conversation; reopening claims it again ([`StoreError::ConditionFailed`] if another
    /// conversation holds it, or this one changed meanwhile).
    pub async fn save_conversation(
        &self,
        tenant: &TenantId,
        previous: &Versioned<Conversation>,
        next: Conversation,
    ) -> Result<Versioned<Conversation>, StoreError> {
        let pk = keys::tenant_pk(tenant);
        let pointer_sk = keys::open_conversation_sk(&next.contact_id, next.channel);
        let mut writes = self.conversation_write(
            tenant,
            &ConversationWrite::Existing {
                previous,
                next: &next,
            },
        )?;
        let was_closed = previous.record.status == ConversationStatus::Closed;
        let is_closed = next.status == ConversationStatus::Closed;
        if is_closed && !was_closed {
            writes.push(self.delete(pk, pointer_sk)?);
        } else if was_closed && !is_closed {
            let pointer = Self::item(pk, pointer_sk, ItemKind::OpenConversation, &next.id)?;
            writes.push(
                TransactWriteItem::builder()
                    .put(self.put(pointer, Write::New)?)
                    .build(),
            );
        }
        self.transact(writes).await?;
        Ok(Versioned {
            record: next,
            version: previous.version + 1,
        })
    }

    /// Every conversation of the tenant (listings filter and order them by activity).
    pub async fn conversations(&self, tenant: &TenantId) -> Result<Vec<Conversation>, StoreError> {
        self.all(
            keys::tenant_pk(tenant),
            keys::CONVERSATION_PREFIX,
            CONVERSATION,
        )
        .await
    }

    /// A conversation's messages, oldest first.
    pub async fn messages(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
    ) -> Result<Vec<Message>, StoreError> {
        self.all(
            keys::tenant_pk(tenant),
            &keys::messages_prefix(conversation),
            MESSAGE,
        )
        .await
    }

    pub async fn message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        self.get_versioned(
            keys::tenant_pk(tenant),
            keys::message_sk(conversation, id),
            MESSAGE,
        )
        .await
    }

    pub async fn message_by_provider_id(
        &self,
        tenant: &TenantId,
        provider_id: &str,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        let pointer: Option<MessagePointer> = self
            .get(
                keys::tenant_pk(tenant),
                keys::provider_message_sk(provider_id),
                ItemKind::ProviderMessage,
            )
            .await?;
        match pointer {
            Some(p) => {
                self.message(tenant, &p.conversation_id, &p.message_id)
                    .await
            }
            None => Ok(None),
        }
    }

    /// Writes `next` in place of the message read at `previous.version`; with `provider_id`, also the
    /// pointer from the provider's id (an outbound message just accepted by the provider). What the
    /// change adds to a campaign's counts ([`count_for_change`]) is written in the same transaction.
    pub async fn save_message(
        &self,
        tenant: &TenantId,
        previous: &Versioned<Message>,
        next: Message,
        provider_id: Option<&str>,
    ) -> Result<Versioned<Message>, StoreError> {
        let version = previous.version + 1;
        let item = Self::versioned_item(
            keys::tenant_pk(tenant),
            keys::message_sk(&next.conversation_id, &next.id),
            MESSAGE,
            &next,
            version,
        )?;
        let mut writes = vec![TransactWriteItem::builder()
            .put(self.put_at_version(item, previous.version)?)
            .build()];
        if let Some(provider_id) = provider_id {
            writes.push(self.provider_pointer(tenant, provider_id, &next)?);
        }
        if let (Some(campaign), Some(count)) =
            (&next.campaign_id, count_for_change(&previous.record, &next))
        {
            writes.push(self.campaign_count_write(tenant, campaign, &[count])?);
        }
        self.transact(writes).await?;
        Ok(Versioned {
            record: next,
            version,
        })
    }

    /// Erases every conversation of a contact with its messages and pointers (part of erasing the
    /// contact).
    pub async fn erase_conversations_of(
        &self,
        tenant: &TenantId,
        contact: &ContactId,
    ) -> Result<(), StoreError> {
        let pk = keys::tenant_pk(tenant);
        for conversation in self
            .conversations(tenant)
            .await?
            .into_iter()
            .filter(|c| c.contact_id == *contact)
        {
            for message in self.messages(tenant, &conversation.id).await? {
                if let Some(provider_id) =
                    message.provider_id.as_deref().filter(|id| !id.is_empty())
                {
                    self.delete_quietly(pk.clone(), keys::provider_message_sk(provider_id))
                        .await?;
                }
            }
            self.delete_prefix(pk.clone(), &keys::messages_prefix(&conversation.id))
                .await?;
            if conversation.status != ConversationStatus::Closed {
                self.delete_quietly(
                    pk.clone(),
                    keys::open_conversation_sk(contact, conversation.channel),
                )
                .await?;
            }
            self.delete_quietly(pk.clone(), keys::conversation_sk(&conversation.id))
                .await?;
        }
        Ok(())
    }

    /// Deletes an item whether or not it exists.
    async fn delete_quietly(&self, pk: String, sk: String) -> Result<(), StoreError> {
        self.transact(vec![self.delete(pk, sk)?]).await
    }
}
