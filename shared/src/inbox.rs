//! What happens to messages, in one place for every entry point: an inbound message stored in its
//! contact's conversation, a reply queued for the worker, a consent change from a keyword, a provider
//! error or an unsubscribe link. The webhook, the conversations routes, the worker and the unsubscribe
//! route all call these, so each rule is written once.

use crate::app::{Actor, SYSTEM_ACTOR};
use crate::clock::now_rfc3339;
use crate::domain::audit::{AuditAction, AuditTarget};
use crate::domain::billing::{LimitReached, Metered};
use crate::domain::consent::{Channel, ConsentEntry, ConsentSource, ConsentState, Purpose};
use crate::domain::contact::{Contact, ContactFields};
use crate::domain::conversation::{Conversation, Direction, Message, MessageStatus};
use crate::domain::message::DeliveryStatus;
use crate::domain::phone::PhoneE164;
use crate::domain::{ContactId, MessageId, TenantId};
use crate::error::ApiError;
use crate::http::RequestInfo;
use crate::messaging::MessagingJob;
use crate::store::{ConversationWrite, StoreError, Versioned};
use crate::App;

/// Attempts at a write that lost a race with another one (a second message, an agent's change).
const RACE_ATTEMPTS: usize = 5;

/// What a STOP or START concerns: every message on the channel (Twilio blocks them all after STOP).
pub const ALL_PURPOSES: [Purpose; 2] = [Purpose::Marketing, Purpose::Service];

/// Records that the contact gave or withdrew consent on `channel` for `purposes`, unless the ledger
/// already says so. Retries when the contact changed meanwhile; `Ok(false)` if the contact no longer
/// exists.
#[allow(clippy::too_many_arguments)]
pub async fn record_opt(
    app: &App,
    info: &RequestInfo,
    tenant: &TenantId,
    contact: &ContactId,
    channel: Channel,
    purposes: &[Purpose],
    granted: bool,
    source: ConsentSource,
    evidence: &str,
) -> Result<bool, StoreError> {
    let wanted = if granted {
        ConsentState::Granted
    } else {
        ConsentState::Withdrawn
    };
    for &purpose in purposes {
        for attempt in 1..=RACE_ATTEMPTS {
            let Some(current) = app.store.contact(tenant, contact).await? else {
                return Ok(false);
            };
            if current.record.consent_for(channel, purpose) == wanted {
                break;
            }
            let entry = ConsentEntry {
                channel,
                purpose,
                granted,
                source,
                evidence: crate::domain::text::clip(evidence),
                recorded_by: SYSTEM_ACTOR.to_owned(),
                at: now_rfc3339(),
            };
            match app.store.append_consent(tenant, &current, entry).await {
                Ok(_) => {
                    audit_system(
                        app,
                        info,
                        tenant,
                        AuditAction::ConsentRecorded,
                        AuditTarget::Contact(contact.clone()),
                    )
                    .await?;
                    break;
                }
                Err(StoreError::ConditionFailed) if attempt < RACE_ATTEMPTS => continue,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(true)
}

/// The contact with this phone number, created (with no consent on record) if there is none.
/// Contacts created by an inbound message are counted against the plan but never refused: a
/// customer's message is not dropped for a limit.
pub async fn contact_for_phone(
    app: &App,
    tenant: &TenantId,
    phone: &PhoneE164,
) -> Result<Contact, StoreError> {
    if let Some(contact) = app.store.contact_by_phone(tenant, phone).await? {
        return Ok(contact);
    }
    let fields = ContactFields {
        phone: Some(phone.clone()),
        ..Default::default()
    };
    let contact = fields.into_contact(ContactId::generate(), &now_rfc3339());
    app.store.admit_contact(tenant, u64::MAX).await?;
    if let Err(e) = app.store.create_contact(tenant, &contact).await {
        let _ = app.store.release_contact(tenant).await;
        return Err(e);
    }
    Ok(contact)
}

/// Whether an inbound message was stored, or had been already (a webhook delivered twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Stored,
    Duplicate,
}

/// Stores an inbound message in the contact's open conversation on `channel` (opening one if none
/// is), once per provider id.
pub async fn receive(
    app: &App,
    info: &RequestInfo,
    tenant: &TenantId,
    contact: &ContactId,
    channel: Channel,
    body: &str,
    provider_id: &str,
) -> Result<Received, StoreError> {
    for attempt in 1..=RACE_ATTEMPTS {
        if app.store.knows_provider_id(tenant, provider_id).await? {
            return Ok(Received::Duplicate);
        }
        let now = now_rfc3339();
        let open = app
            .store
            .open_conversation(tenant, contact, channel)
            .await?;
        let mut next = match &open {
            Some(current) => current.record.clone(),
            None => Conversation::new(contact.clone(), channel, true, &now),
        };
        next.last_inbound_at = Some(now.clone());
        next.last_activity_at = now.clone();
        let message = Message {
            id: MessageId::generate(),
            conversation_id: next.id.clone(),
            contact_id: contact.clone(),
            direction: Direction::Inbound,
            channel,
            body: body.to_owned(),
            subject: None,
            status: MessageStatus::Received,
            at: now,
            error_code: None,
            provider_id: Some(provider_id.to_owned()),
            sent_by: None,
            campaign_id: None,
            marketing: false,
        };
        let write = match &open {
            Some(previous) => ConversationWrite::Existing {
                previous,
                next: &next,
            },
            None => ConversationWrite::New(&next),
        };
        match app
            .store
            .add_message(tenant, write, &message, Some(provider_id))
            .await
        {
            Ok(()) => {
                audit_system(
                    app,
                    info,
                    tenant,
                    AuditAction::MessageReceived,
                    AuditTarget::Conversation(next.id.clone()),
                )
                .await?;
                return Ok(Received::Stored);
            }
            Err(StoreError::ConditionFailed) if attempt < RACE_ATTEMPTS => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::ConditionFailed)
}

/// An audit entry for something Confide did on its own, in answer to `info`: a webhook's request, a
/// worker's queue message, an unsubscribe link followed.
pub async fn audit_system(
    app: &App,
    info: &RequestInfo,
    tenant: &TenantId,
    action: AuditAction,
    target: AuditTarget,
) -> Result<(), StoreError> {
    app.audit(Actor::system(tenant), info, action, target)
        .await
        .map_err(|e| StoreError::Request(Box::new(e)))
}

/// Why an outbound message may not go to this contact on this channel: no address, opted out, or no
/// consent where one is needed. Checked when a reply is written and again by the worker right before
/// it sends (a STOP may have come in between).
pub fn consent_refusal(
    contact: &Contact,
    conversation: &Conversation,
    marketing: bool,
) -> Option<ApiError> {
    let channel = conversation.channel;
    if !contact.reachable_on(channel) {
        return Some(ApiError::conflict(
            "unreachable",
            "the contact has no address on this channel",
        ));
    }
    let withdrawn = |purpose| contact.consent_for(channel, purpose) == ConsentState::Withdrawn;
    if withdrawn(Purpose::Service) || withdrawn(Purpose::Marketing) && marketing {
        return Some(ApiError::conflict(
            "opted_out",
            "the contact has opted out of this channel",
        ));
    }
    // A service reply in a conversation the contact started needs no marketing consent; anything else does.
    let needs_marketing = marketing || !conversation.started_by_contact;
    if needs_marketing && contact.consent_for(channel, Purpose::Marketing) != ConsentState::Granted
    {
        return Some(ApiError::conflict(
            "no_consent",
            "the contact has not consented to messages on this channel",
        ));
    }
    None
}

/// Why a member's free-form reply may not be written now: [`consent_refusal`], or WhatsApp's
/// customer-service window has closed.
pub fn reply_refusal(
    contact: &Contact,
    conversation: &Conversation,
    now: time::OffsetDateTime,
) -> Option<ApiError> {
    consent_refusal(contact, conversation, false).or_else(|| {
        (!conversation.within_whatsapp_window(now)).then(|| {
            ApiError::conflict(
                "outside_whatsapp_window",
                "the contact last wrote more than 24 hours ago; WhatsApp allows only approved templates now",
            )
        })
    })
}

/// Stores an outbound message in `conversation` and queues it for the worker, counted against the
/// month's messages (402 beyond the plan). Consent and the WhatsApp window are checked by the caller
/// with [`reply_refusal`].
pub async fn queue_reply(
    app: &App,
    tenant: &TenantId,
    conversation: &Versioned<Conversation>,
    body: String,
    sent_by: &str,
) -> Result<Message, ApiError> {
    let month = &now_rfc3339()[..7];
    let limit = app.limits(tenant).await?.messages_per_month;
    if let Some(used) = app.store.admit_messages(tenant, month, 1, limit).await? {
        return Err(LimitReached {
            metered: Metered::MessagesPerMonth,
            limit,
            used,
        }
        .into());
    }
    let now = now_rfc3339();
    let mut next = conversation.record.clone();
    next.last_activity_at = now.clone();
    let message = Message {
        id: MessageId::generate(),
        conversation_id: next.id.clone(),
        contact_id: next.contact_id.clone(),
        direction: Direction::Outbound,
        channel: next.channel,
        body,
        subject: None,
        status: MessageStatus::Pending,
        at: now,
        error_code: None,
        provider_id: None,
        sent_by: Some(sent_by.to_owned()),
        campaign_id: None,
        marketing: false,
    };
    let stored = app
        .store
        .add_message(
            tenant,
            ConversationWrite::Existing {
                previous: conversation,
                next: &next,
            },
            &message,
            None,
        )
        .await;
    if let Err(e) = stored {
        let _ = app.store.release_messages(tenant, month, 1).await;
        return Err(e.or_changed_meanwhile("the conversation"));
    }
    let job = MessagingJob::Send {
        tenant_id: tenant.clone(),
        conversation_id: message.conversation_id.clone(),
        message_id: message.id.clone(),
    };
    if let Err(queueing) = app.messaging.enqueue(&job, 0).await {
        // Not left `pending` for ever, where no job would ever send it: the member sees the reply
        // failed, and the month's allowance is given back.
        let mut unqueued = message.clone();
        unqueued.status = MessageStatus::Delivery(DeliveryStatus::Failed);
        unqueued.error_code = Some(NOT_QUEUED.to_owned());
        let stored = Versioned {
            record: message,
            version: 1,
        };
        if let Err(e) = app
            .store
            .save_message(tenant, &stored, unqueued, None)
            .await
        {
            tracing::error!(error = %crate::error::cause_chain(&e), "an unqueued reply stays pending");
        }
        let _ = app.store.release_messages(tenant, month, 1).await;
        return Err(ApiError::unexpected(queueing));
    }
    Ok(message)
}

/// The error code of a reply stored but never queued (the queue refused it): it was not sent.
pub const NOT_QUEUED: &str = "not_queued";

/// Emits the delivery metric once, when a message's status first settles (delivered or not). The
/// campaign's count of the same change is written with the change itself ([`Store::save_message`]).
///
/// [`Store::save_message`]: crate::store::Store::save_message
pub fn record_delivery_metric(before: &Message, after: &Message) {
    use crate::domain::message::DeliveryStatus::{Delivered, Failed, Read, Undelivered};
    let outcome = |status: MessageStatus| match status {
        MessageStatus::Delivery(Delivered | Read) => Some(true),
        MessageStatus::Delivery(Failed | Undelivered) => Some(false),
        _ => None,
    };
    if let (None, Some(delivered)) = (outcome(before.status), outcome(after.status)) {
        crate::metrics::Record::new()
            .dimension("Channel", after.channel.as_str())
            .count("MessagesDelivered", u64::from(delivered))
            .count("MessagesUndelivered", u64::from(!delivered))
            .emit();
    }
}
