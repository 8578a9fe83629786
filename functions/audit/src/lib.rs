//! The tenant's audit log, for owners and admins.
//!
//! - `GET /v1/audit?from=&to=&actor=&action=&limit=&cursor=` — newest first, paginated;
//! - `GET /v1/audit/verify` — walks the hash chain and reports the first broken link.

use confide_shared::api::audit::AuditPage;
use confide_shared::audit;
use confide_shared::auth::Caller;
use confide_shared::domain::audit::{AuditAction, AuditEntry, AuditTarget};
use confide_shared::domain::Permission;
use confide_shared::http::{finish, json, unknown_route, HttpResponse, RequestInfo};
use confide_shared::{ApiError, App};
use lambda_http::Request;
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;
/// Bounds the work of one filtered request; the cursor continues where it stopped.
const MAX_SCANNED: usize = 2_000;

/// What this function keeps between requests, built once at cold start by its `main.rs` and by the
/// local stack, so both run the same wiring.
pub fn connect(app: Arc<App>) -> Arc<App> {
    app
}

pub async fn handle(app: &App, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(app, &info).await, &info)
}

async fn route(app: &App, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let caller = app.caller(info).await?;
    caller.require(Permission::AuditRead)?;
    match info.route.as_str() {
        "GET /v1/audit" => list(app, info, &caller).await,
        "GET /v1/audit/verify" => verify(app, info, &caller).await,
        _ => Err(unknown_route(info)),
    }
}

/// The filters of a listing, parsed from the query string.
struct Filter {
    from: Option<OffsetDateTime>,
    to: Option<OffsetDateTime>,
    actor: Option<String>,
    action: Option<AuditAction>,
    limit: usize,
    cursor: Option<u64>,
}

impl Filter {
    fn parse(info: &RequestInfo) -> Result<Self, ApiError> {
        let time = |name: &'static str| -> Result<Option<OffsetDateTime>, ApiError> {
            info.query
                .get(name)
                .map(|raw| {
                    OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| {
                        ApiError::bad_request(
                            "invalid_query",
                            format!("{name} must be an RFC 3339 time"),
                        )
                    })
                })
                .transpose()
        };
        let number = |name: &'static str| -> Result<Option<u64>, ApiError> {
            info.query
                .get(name)
                .map(|raw| {
                    raw.parse::<u64>().map_err(|_| {
                        ApiError::bad_request(
                            "invalid_query",
                            format!("{name} must be a positive number"),
                        )
                    })
                })
                .transpose()
        };
        let action = info
            .query
            .get("action")
            .map(|raw| {
                AuditAction::parse(raw).ok_or_else(|| {
                    ApiError::bad_request("invalid_query", "action is not a known audit action")
                })
            })
            .transpose()?;
        let limit = number("limit")?.map_or(DEFAULT_LIMIT, |n| n as usize);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        Ok(Self {
            from: time("from")?,
            to: time("to")?,
            actor: info.query.get("actor").cloned(),
            action,
            limit,
            cursor: number("cursor")?,
        })
    }

    fn matches(&self, entry: &AuditEntry, at: Option<OffsetDateTime>) -> bool {
        self.actor.as_ref().is_none_or(|a| *a == entry.event.actor)
            && self.action.is_none_or(|a| a == entry.event.action)
            && self.to.is_none_or(|to| at.is_some_and(|at| at <= to))
    }
}

async fn list(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    let filter = Filter::parse(info)?;
    let mut found = Vec::new();
    let mut after = filter.cursor;
    let mut scanned = 0;
    let mut next_cursor = None;
    'pages: loop {
        let page = app
            .store
            .audit_entries(&caller.tenant, true, after, MAX_LIMIT as i32)
            .await?;
        for entry in page.records {
            scanned += 1;
            after = Some(entry.seq);
            let at = OffsetDateTime::parse(&entry.event.at, &Rfc3339).ok();
            // Entries are in time order, newest first: past `from` nothing older can match.
            if filter
                .from
                .is_some_and(|from| at.is_none_or(|at| at < from))
            {
                break 'pages;
            }
            if filter.matches(&entry, at) {
                found.push(entry);
            }
            if found.len() == filter.limit || scanned >= MAX_SCANNED {
                next_cursor = after.filter(|seq| *seq > 1);
                break 'pages;
            }
        }
        if page.next.is_none() {
            break;
        }
    }
    app.audit(caller, info, AuditAction::AuditRead, AuditTarget::Audit)
        .await?;
    Ok(json(
        200,
        &AuditPage {
            entries: found,
            next_cursor: next_cursor.map(|c| c.to_string()),
        },
    ))
}

async fn verify(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    let report = audit::verify(&app.store, &caller.tenant).await?;
    app.audit(caller, info, AuditAction::AuditVerified, AuditTarget::Audit)
        .await?;
    Ok(json(200, &report))
}
