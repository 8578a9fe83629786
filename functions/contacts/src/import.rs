//! `POST /v1/contacts/import`: a CSV file of contacts, created or updated row by row.
//!
//! A row is matched to an existing contact by its email, else its phone (through their beacons); a
//! match is updated with the row's non-empty values and tags added, anything else is created. A row
//! whose values the contact already holds changes nothing, so a file imported twice creates nothing
//! new. Marketing consent stated in a row is appended to the ledger only where it differs from the
//! contact's current state. Rows run side by side (a 10,000-row file must fit in the function's
//! timeout); each row's failure is its own.

use crate::{check_unique, store_new};
use confide_shared::api::contacts::ImportReport;
use confide_shared::app::now_rfc3339;
use confide_shared::auth::Caller;
use confide_shared::domain::audit::AuditAction;
use confide_shared::domain::consent::{ConsentEntry, ConsentSource, ConsentState, Purpose};
use confide_shared::domain::contact::{Contact, ContactFields};
use confide_shared::domain::contact_import::{self, ImportRow, RejectedRow};
use confide_shared::domain::{ContactId, Permission, TenantId};
use confide_shared::http::{json, HttpResponse, RequestInfo};
use confide_shared::store::{StoreError, Versioned};
use confide_shared::{ApiError, App};
use lambda_http::Request;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Rows in flight at once: enough to hide DynamoDB's latency, few enough for a small function.
const CONCURRENT_ROWS: usize = 16;

enum Outcome {
    Created,
    Updated,
    Unchanged,
}

pub async fn import(
    app: &Arc<App>,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsWrite)?;
    check_csv_content_type(req)?;
    let country = crate::default_country(app, &caller.tenant).await?;
    let parsed = contact_import::parse(req.body().as_ref(), country)
        .map_err(|e| ApiError::bad_request("invalid_csv", e.to_string()))?;

    let mut report = ImportReport::default();
    let mut rejected = parsed.rejected;
    let limiter = Arc::new(Semaphore::new(CONCURRENT_ROWS));
    let mut rows = JoinSet::new();
    for row in parsed.rows {
        let (app, tenant, actor) = (app.clone(), caller.tenant.clone(), caller.user.to_string());
        let permit = limiter
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::unexpected)?;
        rows.spawn(async move {
            let line = row.line;
            let outcome = import_row(&app, &tenant, &actor, row).await;
            drop(permit);
            (line, outcome)
        });
    }
    while let Some(done) = rows.join_next().await {
        let (line, outcome) = done.map_err(ApiError::unexpected)?;
        match outcome {
            Ok(Outcome::Created) => report.created += 1,
            Ok(Outcome::Updated) => report.updated += 1,
            Ok(Outcome::Unchanged) => report.unchanged += 1,
            Err(reason) => rejected.push(RejectedRow { row: line, reason }),
        }
    }
    rejected.sort_by_key(|r| r.row);
    report.rejected = rejected.len() as u64;
    report.rejected_rows = rejected;
    app.audit(
        caller,
        info,
        AuditAction::ContactsImported,
        "contacts/import",
    )
    .await?;
    Ok(json(200, &report))
}

/// `text/csv` (UTF-8, or no charset), else 415.
fn check_csv_content_type(req: &Request) -> Result<(), ApiError> {
    let refuse = || ApiError::UnsupportedMediaType {
        message: "the body must be text/csv in UTF-8",
    };
    let value = req
        .headers()
        .get(lambda_http::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refuse)?
        .to_ascii_lowercase();
    let mut parts = value.split(';').map(str::trim);
    if parts.next() != Some("text/csv") {
        return Err(refuse());
    }
    for parameter in parts {
        if let Some(charset) = parameter.strip_prefix("charset=") {
            if !matches!(charset.trim_matches('"'), "utf-8" | "utf8") {
                return Err(refuse());
            }
        }
    }
    Ok(())
}

/// One row: what it did, or why it was refused (in words for the report, never its values).
async fn import_row(
    app: &App,
    tenant: &TenantId,
    actor: &str,
    row: ImportRow,
) -> Result<Outcome, String> {
    let existing = match_existing(app, tenant, &row.fields).await?;
    let now = now_rfc3339();
    let (contact, outcome) = match existing {
        None => {
            let contact = row.fields.clone().into_contact(ContactId::generate(), &now);
            let stored = store_new(app, tenant, &contact)
                .await
                .map_err(|e| refused(&e))?;
            (stored, Outcome::Created)
        }
        Some(current) => {
            let merged = merge(&ContactFields::of(&current.record), &row.fields);
            if merged == ContactFields::of(&current.record) {
                (current, Outcome::Unchanged)
            } else {
                check_unique(app, tenant, &merged, Some(&current.record.id))
                    .await
                    .map_err(|e| refused(&e))?;
                let next = merged.apply_to(&current.record, &now);
                let saved = app
                    .store
                    .save_contact(tenant, &current, next)
                    .await
                    .map_err(changed_meanwhile)?;
                (saved, Outcome::Updated)
            }
        }
    };
    let consent_changed = record_consent(app, tenant, actor, &row, contact).await?;
    Ok(match (outcome, consent_changed) {
        (Outcome::Unchanged, true) => Outcome::Updated,
        (outcome, _) => outcome,
    })
}

/// The contact the row's email names, else the one its phone names; refused when they name two.
async fn match_existing(
    app: &App,
    tenant: &TenantId,
    fields: &ContactFields,
) -> Result<Option<Versioned<Contact>>, String> {
    let by_email = match &fields.email {
        Some(email) => app
            .store
            .contact_by_email(tenant, email)
            .await
            .map_err(failed)?,
        None => None,
    };
    let by_phone = match &fields.phone {
        Some(phone) => app
            .store
            .contact_by_phone(tenant, phone)
            .await
            .map_err(failed)?,
        None => None,
    };
    let id = match (by_email, by_phone) {
        (Some(a), Some(b)) if a.id != b.id => {
            return Err("its email and its phone belong to two different contacts".into())
        }
        (Some(found), _) | (None, Some(found)) => found.id,
        (None, None) => return Ok(None),
    };
    // The index is eventually consistent; the contact itself is read consistently, with its version.
    app.store.contact(tenant, &id).await.map_err(failed)
}

/// The row's non-empty values over the contact's, its tags added to the contact's.
fn merge(current: &ContactFields, row: &ContactFields) -> ContactFields {
    let mut merged = current.clone();
    if !row.name.is_empty() {
        merged.name = row.name.clone();
    }
    if row.email.is_some() {
        merged.email = row.email.clone();
    }
    if row.phone.is_some() {
        merged.phone = row.phone.clone();
    }
    if !row.notes.is_empty() {
        merged.notes = row.notes.clone();
    }
    merged.tags.extend(row.tags.iter().cloned());
    merged
}

/// Appends the row's consent where it differs from the current state; whether anything was appended.
async fn record_consent(
    app: &App,
    tenant: &TenantId,
    actor: &str,
    row: &ImportRow,
    mut contact: Versioned<Contact>,
) -> Result<bool, String> {
    let mut appended = false;
    for &(channel, granted) in &row.consent {
        let wanted = if granted {
            ConsentState::Granted
        } else {
            ConsentState::Withdrawn
        };
        if contact.record.consent_for(channel, Purpose::Marketing) == wanted {
            continue;
        }
        let evidence = if row.evidence.is_empty() {
            format!("contacts import, row {}", row.line)
        } else {
            row.evidence.clone()
        };
        let entry = ConsentEntry {
            channel,
            purpose: Purpose::Marketing,
            granted,
            source: ConsentSource::Import,
            evidence,
            recorded_by: actor.to_owned(),
            at: now_rfc3339(),
        };
        contact = app
            .store
            .append_consent(tenant, &contact, entry)
            .await
            .map_err(changed_meanwhile)?;
        appended = true;
    }
    Ok(appended)
}

fn refused(e: &ApiError) -> String {
    match e {
        ApiError::Unexpected(_) => "could not be stored; import it again".into(),
        other => other.public_message(),
    }
}

fn failed(e: StoreError) -> String {
    tracing::error!(error = %confide_shared::error::cause_chain(&e), "import row failed");
    "could not be stored; import it again".into()
}

fn changed_meanwhile(e: StoreError) -> String {
    match e {
        StoreError::ConditionFailed => {
            "the contact changed during the import; import it again".into()
        }
        other => failed(other),
    }
}
