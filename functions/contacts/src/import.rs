//! `POST /v1/contacts/import`: a CSV file of contacts, created or updated row by row.
//!
//! A row is matched to an existing contact by its email, else its phone (through their beacons); a
//! match is updated with the row's non-empty values and tags added, anything else is created. A row
//! whose values the contact already holds changes nothing, so a file imported twice creates nothing
//! new. Marketing consent stated in a row is appended to the ledger only where it differs from the
//! contact's current state. A 10,000-row file must fit in the function's timeout, so the work is done
//! in phases with few requests per row: every row is looked up (side by side), the new contacts are
//! counted against the plan in one update and written 25 to a transaction with their ledger entries,
//! and only rows matching an existing contact are written one by one. Each row's failure is its own.

use crate::check_unique;
use confide_shared::api::contacts::ImportReport;
use confide_shared::auth::Caller;
use confide_shared::clock::now_rfc3339;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::consent::{
    Channel, ConsentEntry, ConsentSource, ConsentState, Purpose,
};
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
    let actor = caller.user.to_string();

    // 1. Which rows name an existing contact: by beacon lookups, two per row, or — when the tenant
    // holds fewer contacts than that — by reading its contacts once.
    let known = app.store.contact_count(&caller.tenant).await?;
    let plans = if known <= 2 * parsed.rows.len() as u64 {
        let index = KnownContacts::load(app, &caller.tenant).await?;
        parsed
            .rows
            .into_iter()
            .map(|row| {
                let line = row.line;
                (
                    line,
                    index
                        .matching(&row.fields)
                        .map(|existing| Plan { row, existing }),
                )
            })
            .collect()
    } else {
        in_parallel(
            app,
            parsed.rows,
            |app, tenant, _, row| async move {
                let existing = match_existing(&app, &tenant, &row.fields).await?;
                Ok(Plan { row, existing })
            },
            &caller.tenant,
            &actor,
        )
        .await?
    };
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for (line, plan) in plans {
        match plan {
            Ok(Plan {
                row,
                existing: None,
            }) => creates.push(row),
            Ok(Plan {
                row,
                existing: Some(contact),
            }) => updates.push((row, contact)),
            Err(reason) => rejected.push(RejectedRow { row: line, reason }),
        }
    }

    // 2. New contacts: counted against the plan at once, then written in transactions.
    let limit = app.limits(&caller.tenant).await?.contacts;
    let granted = app
        .store
        .admit_contacts(&caller.tenant, creates.len() as u64, limit)
        .await? as usize;
    for row in creates.split_off(granted.min(creates.len())) {
        rejected.push(RejectedRow {
            row: row.line,
            reason: format!("your plan allows {limit} contacts"),
        });
    }
    let batches: Vec<Vec<ImportRow>> = creates
        .chunks(CREATE_BATCH)
        .map(<[ImportRow]>::to_vec)
        .collect();
    let written = in_parallel(
        app,
        batches,
        |app, tenant, actor, batch| async move {
            create_batch(&app, &tenant, &actor, &batch, &now_rfc3339())
                .await
                .map(|()| batch.len())
        },
        &caller.tenant,
        &actor,
    )
    .await?;
    let mut unwritten = 0;
    for ((_, outcome), batch) in written.into_iter().zip(creates.chunks(CREATE_BATCH)) {
        match outcome {
            Ok(count) => report.created += count as u64,
            Err(reason) => {
                unwritten += batch.len() as u64;
                rejected.extend(batch.iter().map(|row| RejectedRow {
                    row: row.line,
                    reason: reason.clone(),
                }));
            }
        }
    }
    for _ in 0..unwritten {
        app.store.release_contact(&caller.tenant).await?;
    }

    // 3. Existing contacts, one by one.
    let outcomes = in_parallel(
        app,
        updates,
        |app, tenant, actor, (row, contact)| async move {
            update_row(&app, &tenant, &actor, row, contact).await
        },
        &caller.tenant,
        &actor,
    )
    .await?;
    for (line, outcome) in outcomes {
        match outcome {
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
        AuditTarget::ContactImport,
    )
    .await?;
    Ok(json(200, &report))
}

/// New contacts written in one transaction (each with its ledger entries): at most 100 items.
const CREATE_BATCH: usize = 25;

/// A row after its lookup: the contact it names, if any.
struct Plan {
    row: ImportRow,
    /// The contact it names, as the lookup saw it.
    existing: Option<Contact>,
}

/// Something that belongs to a line of the file (a row, or the first row of a batch).
trait Line {
    fn line(&self) -> u64;
}

impl Line for ImportRow {
    fn line(&self) -> u64 {
        self.line
    }
}

impl Line for Vec<ImportRow> {
    fn line(&self) -> u64 {
        self.first().map_or(0, |row| row.line)
    }
}

impl Line for (ImportRow, Contact) {
    fn line(&self) -> u64 {
        self.0.line
    }
}

/// Runs `work` on every item, [`CONCURRENT_ROWS`] at a time, each on a task of its own (the
/// DB-ESDK's crypto blocks its thread); each result with its item's line.
async fn in_parallel<I, T, F, Fut>(
    app: &Arc<App>,
    items: Vec<I>,
    work: F,
    tenant: &TenantId,
    actor: &str,
) -> Result<Vec<(u64, Result<T, String>)>, ApiError>
where
    I: Line + Send + 'static,
    T: Send + 'static,
    F: Fn(Arc<App>, TenantId, String, I) -> Fut,
    Fut: std::future::Future<Output = Result<T, String>> + Send + 'static,
{
    let limiter = Arc::new(Semaphore::new(CONCURRENT_ROWS));
    let mut tasks = JoinSet::new();
    for (index, item) in items.into_iter().enumerate() {
        let line = item.line();
        let permit = limiter
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::unexpected)?;
        let job = work(app.clone(), tenant.clone(), actor.to_owned(), item);
        tasks.spawn(async move {
            let result = job.await;
            drop(permit);
            (index, line, result)
        });
    }
    let mut results = Vec::new();
    while let Some(done) = tasks.join_next().await {
        results.push(done.map_err(ApiError::unexpected)?);
    }
    results.sort_by_key(|(index, _, _)| *index);
    Ok(results
        .into_iter()
        .map(|(_, line, result)| (line, result))
        .collect())
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

/// The new contacts of a batch with their stated consent, in one transaction.
async fn create_batch(
    app: &App,
    tenant: &TenantId,
    actor: &str,
    rows: &[ImportRow],
    now: &str,
) -> Result<(), String> {
    let contacts = rows
        .iter()
        .map(|row| {
            let contact = row.fields.clone().into_contact(ContactId::generate(), now);
            let entries = row
                .consent
                .iter()
                .map(|&(channel, granted)| consent_entry(row, channel, granted, actor))
                .collect();
            (contact, entries)
        })
        .collect::<Vec<_>>();
    app.store
        .create_contacts(tenant, contacts)
        .await
        .map_err(failed)
}

fn consent_entry(row: &ImportRow, channel: Channel, granted: bool, actor: &str) -> ConsentEntry {
    ConsentEntry {
        channel,
        purpose: Purpose::Marketing,
        granted,
        source: ConsentSource::Import,
        evidence: if row.evidence.is_empty() {
            format!("contacts import, row {}", row.line)
        } else {
            row.evidence.clone()
        },
        recorded_by: actor.to_owned(),
        at: now_rfc3339(),
    }
}

/// A row naming an existing contact: its values merged in, its consent appended where it differs.
async fn update_row(
    app: &App,
    tenant: &TenantId,
    actor: &str,
    row: ImportRow,
    seen: Contact,
) -> Result<Outcome, String> {
    // A row that changes nothing the lookup saw is done without a request: a file imported again.
    let consent_as_seen = row.consent.iter().all(|&(channel, granted)| {
        seen.consent_for(channel, Purpose::Marketing) == consent_state(granted)
    });
    let fields_as_seen = merge(&ContactFields::of(&seen), &row.fields) == ContactFields::of(&seen);
    if consent_as_seen && fields_as_seen {
        return Ok(Outcome::Unchanged);
    }
    // The lookup may be stale (the index is eventually consistent): the contact is read again
    // consistently, with its version.
    let current = app
        .store
        .contact(tenant, &seen.id)
        .await
        .map_err(failed)?
        .ok_or_else(|| "the contact was deleted during the import; import it again".to_owned())?;
    let merged = merge(&ContactFields::of(&current.record), &row.fields);
    let (contact, mut outcome) = if merged == ContactFields::of(&current.record) {
        (current, Outcome::Unchanged)
    } else {
        check_unique(app, tenant, &merged, Some(&current.record.id))
            .await
            .map_err(|e| refused(&e))?;
        let next = merged.apply_to(&current.record, &now_rfc3339());
        let saved = app
            .store
            .save_contact(tenant, &current, next)
            .await
            .map_err(changed_meanwhile)?;
        (saved, Outcome::Updated)
    };
    if record_consent(app, tenant, actor, &row, contact).await? {
        outcome = Outcome::Updated;
    }
    Ok(outcome)
}

/// The tenant's contacts by email and by phone, read once for a large import.
struct KnownContacts {
    by_email: std::collections::HashMap<String, Contact>,
    by_phone: std::collections::HashMap<String, Contact>,
}

impl KnownContacts {
    async fn load(app: &App, tenant: &TenantId) -> Result<Self, ApiError> {
        let mut known = Self {
            by_email: Default::default(),
            by_phone: Default::default(),
        };
        for contact in app.store.all_contacts(tenant).await? {
            if let Some(email) = &contact.email {
                known
                    .by_email
                    .insert(email.as_str().to_owned(), contact.clone());
            }
            if let Some(phone) = &contact.phone {
                known
                    .by_phone
                    .insert(phone.as_str().to_owned(), contact.clone());
            }
        }
        Ok(known)
    }

    /// As [`match_existing`], from memory.
    fn matching(&self, fields: &ContactFields) -> Result<Option<Contact>, String> {
        let by_email = fields
            .email
            .as_ref()
            .and_then(|e| self.by_email.get(e.as_str()));
        let by_phone = fields
            .phone
            .as_ref()
            .and_then(|p| self.by_phone.get(p.as_str()));
        same_contact(by_email.cloned(), by_phone.cloned())
    }
}

/// The contact an email and a phone name; refused when they name two.
fn same_contact(
    by_email: Option<Contact>,
    by_phone: Option<Contact>,
) -> Result<Option<Contact>, String> {
    match (by_email, by_phone) {
        (Some(a), Some(b)) if a.id != b.id => {
            Err("its email and its phone belong to two different contacts".into())
        }
        (Some(found), _) | (None, Some(found)) => Ok(Some(found)),
        (None, None) => Ok(None),
    }
}

/// The contact the row's email names, else the one its phone names; refused when they name two.
async fn match_existing(
    app: &App,
    tenant: &TenantId,
    fields: &ContactFields,
) -> Result<Option<Contact>, String> {
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
    same_contact(by_email, by_phone)
}

fn consent_state(granted: bool) -> ConsentState {
    if granted {
        ConsentState::Granted
    } else {
        ConsentState::Withdrawn
    }
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
        if contact.record.consent_for(channel, Purpose::Marketing) == consent_state(granted) {
            continue;
        }
        let entry = consent_entry(row, channel, granted, actor);
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
