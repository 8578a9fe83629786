//! A tenant's end customers and their consent.
//!
//! - `GET /v1/contacts` — newest first (`?limit=&cursor=`), or exactly one by `?email=` / `?phone=`,
//!   or those with `?tag=`; lookups search keyed beacons, never the decrypted list;
//! - `POST /v1/contacts`, `GET|PATCH|DELETE /v1/contacts/{id}`: email and phone are unique in a tenant;
//! - `POST /v1/contacts/import` — a CSV file (`text/csv`), row by row;
//! - `GET|POST /v1/contacts/{id}/consents` — the append-only consent ledger.
//!
//! Owners, admins and agents write; analysts and viewers read. Every read of a contact is audited.

mod import;

use confide_shared::api::contacts::{ConsentLedger, ConsentRequest};
use confide_shared::api::Page;
use confide_shared::auth::Caller;
use confide_shared::clock::now_rfc3339;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::billing::{LimitReached, Metered};
use confide_shared::domain::consent::{self, ConsentEntry, ConsentSource};
use confide_shared::domain::contact::{Contact, ContactDraft, ContactFields, ContactPatch};
use confide_shared::domain::phone::{DefaultCountry, PhoneE164};
use confide_shared::domain::text::check_text;
use confide_shared::domain::{ContactId, Email, InvalidField, Permission, TenantId};
use confide_shared::http::{
    finish, json, json_body, no_content, paging, unknown_route, HttpResponse, RequestInfo,
};
use confide_shared::store::{StoreError, Versioned};
use confide_shared::{ApiError, App};
use lambda_http::Request;
use std::sync::Arc;

/// What this function keeps between requests, built once at cold start by its `main.rs` and by the
/// local stack, so both run the same wiring.
///
/// Lookups, tag lists and writes compute beacons — most of this function's requests — so each
/// tenant's beacon key is read ahead with its branch key. The import's row tasks share the app.
pub fn connect(app: Arc<App>) -> Arc<App> {
    app.read_beacon_keys_ahead();
    app
}

pub async fn handle(app: &Arc<App>, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(app, &req, &info).await, &info)
}

async fn route(
    app: &Arc<App>,
    req: &Request,
    info: &RequestInfo,
) -> Result<HttpResponse, ApiError> {
    let caller = app.caller(info).await?;
    match info.route.as_str() {
        "GET /v1/contacts" => list(app, info, &caller).await,
        "POST /v1/contacts" => create(app, req, info, &caller).await,
        "POST /v1/contacts/import" => import::import(app, req, info, &caller).await,
        "GET /v1/contacts/{id}" => get(app, info, &caller).await,
        "PATCH /v1/contacts/{id}" => update(app, req, info, &caller).await,
        "DELETE /v1/contacts/{id}" => delete(app, info, &caller).await,
        "GET /v1/contacts/{id}/consents" => consents(app, info, &caller).await,
        "POST /v1/contacts/{id}/consents" => record_consent(app, req, info, &caller).await,
        _ => Err(unknown_route(info)),
    }
}

fn contact_id(info: &RequestInfo) -> Result<ContactId, ApiError> {
    info.path_id("id")
}

/// The country the tenant's national phone numbers are read in.
pub(crate) async fn default_country(
    app: &App,
    tenant: &TenantId,
) -> Result<Option<DefaultCountry>, ApiError> {
    Ok(app
        .store
        .tenant(tenant)
        .await?
        .and_then(|t| t.settings.country()))
}

async fn load(app: &App, caller: &Caller, id: &ContactId) -> Result<Versioned<Contact>, ApiError> {
    app.store
        .contact(&caller.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)
}

// ---------------------------------------------------------------- uniqueness

/// Refuses (409 with the holder's id) an email or phone another contact of the tenant already has.
/// `own` is the contact being changed, which may keep its own values.
pub(crate) async fn check_unique(
    app: &App,
    tenant: &TenantId,
    fields: &ContactFields,
    own: Option<&ContactId>,
) -> Result<(), ApiError> {
    let duplicate = |field: &str, holder: Contact| ApiError::Duplicate {
        code: "contact_exists",
        message: format!("another contact already has this {field}"),
        existing_id: holder.id.to_string(),
    };
    let other = |contact: &Contact| Some(&contact.id) != own;
    if let Some(email) = &fields.email {
        if let Some(holder) = app.store.contact_by_email(tenant, email).await? {
            if other(&holder) {
                return Err(duplicate("email", holder));
            }
        }
    }
    if let Some(phone) = &fields.phone {
        if let Some(holder) = app.store.contact_by_phone(tenant, phone).await? {
            if other(&holder) {
                return Err(duplicate("phone", holder));
            }
        }
    }
    Ok(())
}

/// Counts a new contact against the plan (402 beyond it).
pub(crate) async fn admit_contact(app: &App, tenant: &TenantId) -> Result<(), ApiError> {
    let limit = app.limits(tenant).await?.contacts;
    match app.store.admit_contact(tenant, limit).await? {
        None => Ok(()),
        Some(used) => Err(LimitReached {
            metered: Metered::Contacts,
            limit,
            used,
        }
        .into()),
    }
}

/// Stores a new contact, counted against the plan; the count is given back if the write fails.
pub(crate) async fn store_new(
    app: &App,
    tenant: &TenantId,
    contact: &Contact,
) -> Result<Versioned<Contact>, ApiError> {
    admit_contact(app, tenant).await?;
    match app.store.create_contact(tenant, contact).await {
        Ok(stored) => Ok(stored),
        Err(e) => {
            let _ = app.store.release_contact(tenant).await;
            Err(e.into())
        }
    }
}

// ---------------------------------------------------------------- routes

async fn list(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsRead)?;
    let lookup = |field: &str| info.query.get(field).map(String::as_str);
    if let Some(found) = lookup_one(app, caller, lookup("email"), lookup("phone")).await? {
        let (field, contact) = found;
        app.audit(
            caller,
            info,
            AuditAction::ContactsLookedUp,
            AuditTarget::ContactLookup(field),
        )
        .await?;
        return Ok(json(
            200,
            &Page {
                items: contact.into_iter().collect::<Vec<_>>(),
                next_cursor: None,
            },
        ));
    }
    let (limit, after) = paging::<ContactId>(info)?;
    let page = match lookup("tag") {
        Some(tag) => {
            let tag = confide_shared::domain::contact::parse_tag(tag)?;
            app.store
                .contacts_tagged(&caller.tenant, &tag, limit, after.as_ref())
                .await?
        }
        None => {
            app.store
                .contacts(&caller.tenant, limit, after.as_ref())
                .await?
        }
    };
    app.audit(
        caller,
        info,
        AuditAction::ContactsListed,
        AuditTarget::Contacts,
    )
    .await?;
    Ok(json(
        200,
        &Page {
            items: page.records,
            next_cursor: page.next.map(|id| id.to_string()),
        },
    ))
}

/// `?email=` or `?phone=` (not both): the field looked up and the contact found, if any.
async fn lookup_one(
    app: &App,
    caller: &Caller,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<Option<(&'static str, Option<Contact>)>, ApiError> {
    match (email, phone) {
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "invalid_query",
            "look up by email or by phone, not both",
        )),
        (Some(email), None) => {
            let email = Email::parse(email)?;
            let found = app.store.contact_by_email(&caller.tenant, &email).await?;
            Ok(Some(("email", found)))
        }
        (None, Some(phone)) => {
            let country = default_country(app, &caller.tenant).await?;
            let phone = PhoneE164::parse(phone, country)?;
            let found = app.store.contact_by_phone(&caller.tenant, &phone).await?;
            Ok(Some(("phone", found)))
        }
        (None, None) => Ok(None),
    }
}

async fn create(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsWrite)?;
    let draft: ContactDraft = json_body(req)?;
    let country = default_country(app, &caller.tenant).await?;
    let fields = ContactFields::parse(draft, country)?;
    check_unique(app, &caller.tenant, &fields, None).await?;
    let contact = fields.into_contact(ContactId::generate(), &now_rfc3339());
    store_new(app, &caller.tenant, &contact).await?;
    app.audit(
        caller,
        info,
        AuditAction::ContactCreated,
        AuditTarget::Contact(contact.id.clone()),
    )
    .await?;
    Ok(json(201, &contact))
}

async fn get(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsRead)?;
    let id = contact_id(info)?;
    let contact = load(app, caller, &id).await?;
    app.audit(
        caller,
        info,
        AuditAction::ContactRead,
        AuditTarget::Contact(id.clone()),
    )
    .await?;
    Ok(json(200, &contact.record))
}

async fn update(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsWrite)?;
    let id = contact_id(info)?;
    let patch: ContactPatch = json_body(req)?;
    let current = load(app, caller, &id).await?;
    let country = default_country(app, &caller.tenant).await?;
    let fields = ContactFields::of(&current.record).patched(patch, country)?;
    check_unique(app, &caller.tenant, &fields, Some(&id)).await?;
    let next = fields.apply_to(&current.record, &now_rfc3339());
    let saved = app
        .store
        .save_contact(&caller.tenant, &current, next)
        .await
        .map_err(|e| e.or_changed_meanwhile("the contact"))?;
    app.audit(
        caller,
        info,
        AuditAction::ContactUpdated,
        AuditTarget::Contact(id.clone()),
    )
    .await?;
    Ok(json(200, &saved.record))
}

async fn delete(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsWrite)?;
    let id = contact_id(info)?;
    let contact = load(app, caller, &id).await?.record;
    // Conversations first: a request that fails midway can be repeated while the contact still exists.
    app.store
        .erase_conversations_of(&caller.tenant, &id)
        .await?;
    match app.store.delete_contact(&caller.tenant, &contact).await {
        Err(StoreError::ConditionFailed) => return Err(ApiError::NotFound),
        other => other?,
    }
    app.store.release_contact(&caller.tenant).await?;
    app.audit(
        caller,
        info,
        AuditAction::ContactDeleted,
        AuditTarget::Contact(id.clone()),
    )
    .await?;
    Ok(no_content())
}

async fn consents(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsRead)?;
    let id = contact_id(info)?;
    load(app, caller, &id).await?;
    let history = app.store.consents(&caller.tenant, &id).await?;
    app.audit(
        caller,
        info,
        AuditAction::ConsentsRead,
        AuditTarget::Contact(id.clone()),
    )
    .await?;
    Ok(json(
        200,
        &ConsentLedger {
            current: consent::current(&history),
            history,
        },
    ))
}

pub const EVIDENCE_LIMIT: usize = 500;

async fn record_consent(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsWrite)?;
    let id = contact_id(info)?;
    let request: ConsentRequest = json_body(req)?;
    if matches!(
        request.source,
        ConsentSource::Keyword | ConsentSource::Unsubscribe
    ) {
        return Err(InvalidField::new(
            "source",
            "keyword and unsubscribe entries are recorded by Confide itself",
        )
        .into());
    }
    let evidence = request.evidence.trim().to_owned();
    check_text("evidence", &evidence, false)?;
    if evidence.is_empty() || evidence.chars().count() > EVIDENCE_LIMIT {
        return Err(InvalidField::new(
            "evidence",
            format!("must say what proves it, in 1 to {EVIDENCE_LIMIT} characters"),
        )
        .into());
    }
    let entry = ConsentEntry {
        channel: request.channel,
        purpose: request.purpose,
        granted: request.granted,
        source: request.source,
        evidence,
        recorded_by: caller.user.to_string(),
        at: now_rfc3339(),
    };
    let current = load(app, caller, &id).await?;
    app.store
        .append_consent(&caller.tenant, &current, entry.clone())
        .await
        .map_err(|e| e.or_changed_meanwhile("the contact"))?;
    app.audit(
        caller,
        info,
        AuditAction::ConsentRecorded,
        AuditTarget::Contact(id.clone()),
    )
    .await?;
    Ok(json(201, &entry))
}
