//! The messaging worker: sends queued messages through the tenant's own Twilio or SendGrid account, and
//! fans campaigns out to the contacts whose marketing consent is on record, at the tenant's rate.
//!
//! A message is sent at most once, however often SQS delivers its job: the worker moves it from
//! `pending` to `dispatching` with a conditional write *before* calling the provider, and stores the
//! provider's id after. A job that finds the message anywhere but `pending` does nothing.
//!
//! A campaign page loses no contact and counts none twice, wherever it fails: each contact's claim
//! is written in one transaction with its counts and, for a message, the message itself and its place
//! in the month's allowance. The claim names the message, so a page delivered again re-queues the
//! send jobs of the contacts it already claimed (a job whose message has left `pending` does
//! nothing) and claims the rest. A message that is not a job goes back to the queue, which
//! dead-letters it ([`confide_shared::queues`]).

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use confide_shared::clock::now_rfc3339;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::campaign::{eligibility, Campaign, SkipReason, TargetOutcome};
use confide_shared::domain::consent::{Channel, ConsentSource};
use confide_shared::domain::contact::Contact;
use confide_shared::domain::conversation::{Conversation, Direction, Message, MessageStatus};
use confide_shared::domain::message::DeliveryStatus;
use confide_shared::domain::{CampaignId, ContactId, ConversationId, MessageId, TenantId};
use confide_shared::error::{cause_chain, BoxError};
use confide_shared::http::RequestInfo;
use confide_shared::inbox;
use confide_shared::keys;
use confide_shared::messaging::MessagingJob;
use confide_shared::metrics::Record;
use confide_shared::queues::read_job;
use confide_shared::secrets::Secret;
use confide_shared::sendgrid::{self, SendGridApi};
use confide_shared::store::{ConversationWrite, StoreError};
use confide_shared::twilio::api::{SendError, TwilioApi};
use confide_shared::twilio::webhook::UNSUBSCRIBED_RECIPIENT;
use confide_shared::App;
use std::sync::Arc;

/// Contacts read per fan-out job; their messages are spread over `PAGE / rate` seconds.
const FAN_OUT_PAGE: i32 = 100;

/// Attempts at a contact's claim that lost a race with a change to its conversation.
const RACE_ATTEMPTS: usize = 5;

pub struct Worker {
    pub app: Arc<App>,
    pub twilio: TwilioApi,
    pub sendgrid: SendGridApi,
    /// Signs unsubscribe links (see [`confide_shared::unsubscribe`]); read when a marketing email
    /// first needs it.
    pub unsubscribe_key: Secret,
}

impl Worker {
    /// The worker as a deployment runs it: provider bases from the configuration, the unsubscribe key
    /// from SSM.
    pub fn connect(app: Arc<App>) -> Self {
        Self {
            twilio: TwilioApi::new(app.outbound.clone(), &app.config.messaging.twilio_api_base),
            sendgrid: SendGridApi::new(
                app.outbound.clone(),
                &app.config.messaging.sendgrid_api_base,
            ),
            unsubscribe_key: Secret::new(
                app.ssm.clone(),
                &app.config.messaging.unsubscribe_secret_parameter,
            ),
            app,
        }
    }
}

pub async fn handle(worker: &Worker, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in &event.records {
        let message_id = record.message_id.clone().unwrap_or_default();
        if let Err(e) = process(worker, record, &message_id).await {
            tracing::error!(%message_id, error = %cause_chain(e.as_ref()), "messaging job failed; it comes back");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

async fn process(worker: &Worker, record: &SqsMessage, message_id: &str) -> Result<(), BoxError> {
    let job: MessagingJob = read_job("messaging", record.body.as_deref())?;
    let info = RequestInfo::queue_message(message_id);
    match job {
        MessagingJob::Send {
            tenant_id,
            conversation_id,
            message_id,
        } => send(worker, &info, &tenant_id, &conversation_id, &message_id).await,
        MessagingJob::FanOut {
            tenant_id,
            campaign_id,
            after,
            tag_index,
        } => fan_out(worker, &tenant_id, &campaign_id, after, tag_index).await,
    }
}

// ---------------------------------------------------------------- sending

/// What the provider said, as the message will record it.
struct Outcome {
    status: MessageStatus,
    error_code: Option<String>,
    provider_id: Option<String>,
}

impl Outcome {
    fn failed(code: &str) -> Self {
        Self {
            status: MessageStatus::Delivery(DeliveryStatus::Failed),
            error_code: Some(code.to_owned()),
            provider_id: None,
        }
    }
}

async fn send(
    worker: &Worker,
    info: &RequestInfo,
    tenant: &TenantId,
    conversation: &ConversationId,
    id: &MessageId,
) -> Result<(), BoxError> {
    let app = &worker.app;
    let Some(pending) = app.store.message(tenant, conversation, id).await? else {
        return Ok(());
    };
    if pending.record.status != MessageStatus::Pending {
        // A delivery after one that stored the outcome but failed to record the STOP it meant.
        if pending.record.error_code.as_deref() == Some(UNSUBSCRIBED_RECIPIENT) {
            record_unsubscribed(app, info, tenant, &pending.record).await?;
        }
        return Ok(());
    }
    if pending.record.marketing && pending.record.channel == Channel::Email {
        // Read before the claim: a failed read leaves the message pending for the job's next
        // delivery, where after the claim it could only end as `outcome_unknown`.
        worker.unsubscribe_key.get().await?;
    }
    let mut intent = pending.record.clone();
    intent.status = MessageStatus::Dispatching;
    let dispatching = match app.store.save_message(tenant, &pending, intent, None).await {
        Ok(saved) => saved,
        // Another delivery of this job got there first.
        Err(StoreError::ConditionFailed) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let outcome = deliver(worker, tenant, &dispatching.record).await?;
    let mut done = dispatching.record.clone();
    done.status = outcome.status;
    done.error_code = outcome.error_code.clone();
    done.provider_id = outcome.provider_id.clone();
    let pointer = outcome.provider_id.as_deref().filter(|id| !id.is_empty());
    let saved = app
        .store
        .save_message(tenant, &dispatching, done.clone(), pointer)
        .await?;
    if outcome.error_code.as_deref() == Some(UNSUBSCRIBED_RECIPIENT) {
        record_unsubscribed(app, info, tenant, &done).await?;
    }
    let failed = matches!(done.status, MessageStatus::Delivery(DeliveryStatus::Failed));
    Record::new()
        .dimension("Channel", done.channel.as_str())
        .count("MessagesSent", u64::from(!failed))
        .count("MessagesFailed", u64::from(failed))
        .emit();
    if saved.record.provider_id.is_some() {
        inbox::audit_system(
            app,
            info,
            tenant,
            AuditAction::MessageSentToProvider,
            AuditTarget::Conversation(conversation.clone()),
        )
        .await?;
    }
    Ok(())
}

/// Twilio refused the message because its recipient replied STOP: the withdrawal goes on record
/// (once: the ledger is not written when it already says so).
async fn record_unsubscribed(
    app: &App,
    info: &RequestInfo,
    tenant: &TenantId,
    message: &Message,
) -> Result<(), BoxError> {
    inbox::record_opt(
        app,
        info,
        tenant,
        &message.contact_id,
        message.channel,
        &inbox::ALL_PURPOSES,
        false,
        ConsentSource::Keyword,
        "Twilio error 21610: the recipient replied STOP",
    )
    .await?;
    Ok(())
}

/// Hands the message to its channel's provider; checks consent once more first (a STOP may have come
/// in since it was queued).
async fn deliver(
    worker: &Worker,
    tenant: &TenantId,
    message: &Message,
) -> Result<Outcome, BoxError> {
    let app = &worker.app;
    let Some(contact) = app.store.contact(tenant, &message.contact_id).await? else {
        return Ok(Outcome::failed("contact_deleted"));
    };
    let Some(conversation) = app
        .store
        .conversation(tenant, &message.conversation_id)
        .await?
    else {
        return Ok(Outcome::failed("conversation_deleted"));
    };
    // The WhatsApp window was checked when the reply was written; consent is checked again now.
    if let Some(refused) =
        inbox::consent_refusal(&contact.record, &conversation.record, message.marketing)
    {
        return Ok(Outcome::failed(refused.code()));
    }
    match message.channel {
        Channel::Sms | Channel::Whatsapp => {
            send_twilio(worker, tenant, &contact.record, message).await
        }
        Channel::Email => send_email(worker, tenant, &contact.record, message).await,
    }
}

async fn send_twilio(
    worker: &Worker,
    tenant: &TenantId,
    contact: &Contact,
    message: &Message,
) -> Result<Outcome, BoxError> {
    let Some(channel) = worker.app.store.twilio_channel(tenant).await? else {
        return Ok(Outcome::failed("channel_not_configured"));
    };
    let Some(phone) = &contact.phone else {
        return Ok(Outcome::failed("unreachable"));
    };
    let to = match message.channel {
        Channel::Whatsapp => format!("whatsapp:{}", phone.as_str()),
        _ => phone.as_str().to_owned(),
    };
    let (_, status_url) = worker.app.config.messaging.twilio_webhook_urls(&channel.id);
    Ok(
        match worker
            .twilio
            .send(&channel, &to, &message.body, &status_url)
            .await
        {
            Ok(accepted) => Outcome {
                status: MessageStatus::Delivery(
                    DeliveryStatus::parse(&accepted.status).unwrap_or(DeliveryStatus::Queued),
                ),
                error_code: None,
                provider_id: Some(accepted.sid),
            },
            Err(SendError::Refused { code }) => Outcome::failed(&code),
            Err(SendError::NoSender) => Outcome::failed("no_sender"),
            Err(SendError::Unknown(e)) => {
                tracing::error!(error = %cause_chain(e.as_ref()), "Twilio send outcome unknown; not retried");
                Outcome {
                    status: MessageStatus::Dispatching,
                    error_code: Some("outcome_unknown".into()),
                    provider_id: None,
                }
            }
        },
    )
}

async fn send_email(
    worker: &Worker,
    tenant: &TenantId,
    contact: &Contact,
    message: &Message,
) -> Result<Outcome, BoxError> {
    let Some(channel) = worker.app.store.email_channel(tenant).await? else {
        return Ok(Outcome::failed("channel_not_configured"));
    };
    let Some(to) = &contact.email else {
        return Ok(Outcome::failed("unreachable"));
    };
    let unsubscribe_url = match message.marketing {
        true => {
            let key = worker.unsubscribe_key.get().await?;
            let token = confide_shared::unsubscribe::token(key.as_bytes(), tenant, &contact.id);
            Some(format!(
                "{}/v1/unsubscribe/{token}",
                worker.app.config.messaging.public_url
            ))
        }
        false => None,
    };
    let email = sendgrid::Email {
        to: to.as_str(),
        // A reply has no subject of its own: it goes out under the sender's name.
        subject: message
            .subject
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(if channel.from_name.is_empty() {
                "Message"
            } else {
                &channel.from_name
            }),
        text: &message.body,
        unsubscribe_url: unsubscribe_url.as_deref(),
    };
    Ok(match worker.sendgrid.send(&channel, &email).await {
        Ok(id) => Outcome {
            status: MessageStatus::Delivery(DeliveryStatus::Sent),
            error_code: None,
            provider_id: Some(id),
        },
        Err(sendgrid::SendError::Refused { status }) => Outcome::failed(&format!("http_{status}")),
        Err(sendgrid::SendError::Unknown(e)) => {
            tracing::error!(error = %cause_chain(e.as_ref()), "SendGrid send outcome unknown; not retried");
            Outcome {
                status: MessageStatus::Dispatching,
                error_code: Some("outcome_unknown".into()),
                provider_id: None,
            }
        }
    })
}

// ---------------------------------------------------------------- campaigns

/// One page of the campaign's audience: each contact claimed once, skipped with a reason or given a
/// message spaced at the tenant's rate; then the next page, queued to start when this one's sends do.
/// A page delivered again goes on where the last delivery stopped (see the module's doc).
async fn fan_out(
    worker: &Worker,
    tenant: &TenantId,
    id: &CampaignId,
    after: Option<String>,
    tag_index: usize,
) -> Result<(), BoxError> {
    let app = &worker.app;
    let Some(state) = app.store.campaign(tenant, id).await? else {
        return Ok(());
    };
    let campaign = state.campaign;
    let (contacts, next) = audience_page(app, tenant, &campaign, after, tag_index).await?;
    let rate = app.config.messaging.campaign_rate.max(1);
    let month = &now_rfc3339()[..7];
    let limit = app.limits(tenant).await?.messages_per_month;
    let ids: Vec<ContactId> = contacts.iter().map(|c| c.id.clone()).collect();
    let mut done = app.store.campaign_targets(tenant, id, &ids).await?;
    if contacts.iter().any(|c| !done.contains_key(&c.id)) {
        app.store.prepare_message_month(tenant, month).await?;
    }
    // Once the month's messages are used up they stay so for the page: the rest are skipped in one
    // write each, not tried first.
    let mut limit_reached = limit == 0;
    let mut queued: u32 = 0;
    for contact in &contacts {
        let outcome = match done.remove(&contact.id) {
            Some(outcome) => outcome,
            None => {
                claim(
                    app,
                    tenant,
                    &campaign,
                    contact,
                    month,
                    limit,
                    &mut limit_reached,
                )
                .await?
            }
        };
        if let TargetOutcome::Messaged {
            conversation_id,
            message_id,
        } = outcome
        {
            let job = MessagingJob::Send {
                tenant_id: tenant.clone(),
                conversation_id,
                message_id,
            };
            app.messaging.enqueue(&job, queued / rate).await?;
            queued += 1;
        }
    }
    match next {
        Some((after, tag_index)) => {
            let job = MessagingJob::FanOut {
                tenant_id: tenant.clone(),
                campaign_id: id.clone(),
                after,
                tag_index,
            };
            app.messaging.enqueue(&job, queued / rate).await?;
        }
        None => app.store.finish_fan_out(tenant, id).await?,
    }
    Ok(())
}

/// Claims a contact not yet claimed: skipped with its reason, or given its message (claim, counts,
/// message and the month's allowance in one transaction). When a condition fails, reads which: the
/// contact was claimed meanwhile (an earlier delivery whose answer was lost), the month's messages
/// ran out (then `limit_reached` says so for the rest of the page), or the conversation changed;
/// and goes on from there.
async fn claim(
    app: &App,
    tenant: &TenantId,
    campaign: &Campaign,
    contact: &Contact,
    month: &str,
    limit: u64,
    limit_reached: &mut bool,
) -> Result<TargetOutcome, BoxError> {
    for _ in 0..RACE_ATTEMPTS {
        let skip = eligibility(contact, campaign.channel)
            .or(limit_reached.then_some(SkipReason::PlanLimit));
        let written = match skip {
            Some(reason) => app
                .store
                .skip_campaign_target(tenant, &campaign.id, &contact.id, reason)
                .await
                .map(|()| TargetOutcome::Skipped { reason }),
            None => message_target(app, tenant, campaign, contact, month, limit).await,
        };
        match written {
            Ok(outcome) => return Ok(outcome),
            Err(StoreError::ConditionFailed) => {}
            Err(e) => return Err(e.into()),
        }
        if let Some(outcome) = app
            .store
            .campaign_target(tenant, &campaign.id, &contact.id)
            .await?
        {
            return Ok(outcome);
        }
        *limit_reached = app.store.usage(tenant, month).await?.messages >= limit;
    }
    Err("the contact's conversation kept changing".into())
}

/// The campaign's message in the contact's open conversation on the channel (a new one, started by
/// the tenant, if none is open), written with the contact's claim.
async fn message_target(
    app: &App,
    tenant: &TenantId,
    campaign: &Campaign,
    contact: &Contact,
    month: &str,
    limit: u64,
) -> Result<TargetOutcome, StoreError> {
    let now = now_rfc3339();
    let open = app
        .store
        .open_conversation(tenant, &contact.id, campaign.channel)
        .await?;
    let mut next = match &open {
        Some(current) => current.record.clone(),
        None => Conversation::new(contact.id.clone(), campaign.channel, false, &now),
    };
    next.last_activity_at = now.clone();
    let message = Message {
        id: MessageId::generate(),
        conversation_id: next.id.clone(),
        contact_id: contact.id.clone(),
        direction: Direction::Outbound,
        channel: campaign.channel,
        body: campaign.body.clone(),
        subject: campaign.subject.clone(),
        status: MessageStatus::Pending,
        at: now,
        error_code: None,
        provider_id: None,
        sent_by: Some("campaign".into()),
        campaign_id: Some(campaign.id.clone()),
        marketing: true,
    };
    let write = match &open {
        Some(previous) => ConversationWrite::Existing {
            previous,
            next: &next,
        },
        None => ConversationWrite::New(&next),
    };
    app.store
        .message_campaign_target(tenant, &campaign.id, write, &message, month, limit)
        .await?;
    Ok(TargetOutcome::Messaged {
        conversation_id: message.conversation_id,
        message_id: message.id,
    })
}

/// Where the next page starts: the contact sort key (or list position) and the tag being read.
type NextPage = Option<(Option<String>, usize)>;

async fn audience_page(
    app: &App,
    tenant: &TenantId,
    campaign: &Campaign,
    after: Option<String>,
    tag_index: usize,
) -> Result<(Vec<Contact>, NextPage), BoxError> {
    if let Some(ids) = &campaign.audience.contact_ids {
        let start: usize = after.as_deref().and_then(|a| a.parse().ok()).unwrap_or(0);
        let end = (start + FAN_OUT_PAGE as usize).min(ids.len());
        let mut contacts = Vec::new();
        for id in &ids[start..end] {
            if let Some(contact) = app.store.contact(tenant, id).await? {
                contacts.push(contact.record);
            }
        }
        let next = (end < ids.len()).then(|| (Some(end.to_string()), 0));
        return Ok((contacts, next));
    }
    let tags: Vec<&String> = campaign.audience.tags.iter().flatten().collect();
    let Some(tag) = tags.get(tag_index) else {
        return Ok((Vec::new(), None));
    };
    // A page queued before cursors were contact ids carries the contact's sort key: read either.
    let after = after
        .as_deref()
        .map(|a| ContactId::parse(a.strip_prefix(keys::CONTACT_PREFIX).unwrap_or(a)))
        .transpose()?;
    let page = app
        .store
        .contacts_tagged(tenant, tag, FAN_OUT_PAGE, after.as_ref())
        .await?;
    let next = match page.next {
        Some(last) => Some((Some(last.to_string()), tag_index)),
        None if tag_index + 1 < tags.len() => Some((None, tag_index + 1)),
        None => None,
    };
    Ok((page.records, next))
}
