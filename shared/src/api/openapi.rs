//! The OpenAPI 3.1 document of the API, made from the types in [`crate::api`] and the domain.
//!
//! Each route of `template.yaml` is declared once below, with what it takes and what it answers
//! besides the errors every route shares; [`StandardErrors`] adds those by rule (401 and 403 where a
//! token is needed, 415 where a body is read, …), so no route can forget one. A test holds the routes
//! here equal to the template's.

// The functions below exist only to carry their route's `#[utoipa::path]` declaration.
#![allow(dead_code)]

use super::analyses::{
    AnalysisAccepted, AnalysisDetail, AnalysisSummary, KindCatalogue, NewAnalysis, UsageView,
};
use super::audit::AuditPage;
use super::billing::{BillingView, CheckoutRequest, Redirect, WebhookReceipt};
use super::channels::{EmailChannelView, TwilioChannelView};
use super::contacts::{ConsentLedger, ConsentRequest, ImportReport, Unsubscribed};
use super::conversations::{
    AudienceQuery, CampaignAccepted, CampaignView, ConversationChange, ConversationDetail,
    NewCampaign, Reply,
};
use super::identity::{
    LoginRequest, MfaAnswer, MfaRequest, NewPasswordRequest, RefreshRequest, SignupCreated,
    SignupRequest,
};
use super::members::{InviteRequest, MemberList, MemberView, RoleChange};
use super::privacy::RecordFormat;
use super::tenant::TenantView;
use super::{ErrorBody, Health, Page};
use crate::audit::VerifyReport;
use crate::domain::analysis::AnalysisKind;
use crate::domain::analysis_template::{AnalysisTemplate, TemplateDraft};
use crate::domain::audit::AuditAction;
use crate::domain::campaign::AudienceCount;
use crate::domain::channel::{EmailChannelDraft, TwilioChannelDraft};
use crate::domain::consent::ConsentEntry;
use crate::domain::contact::{Contact, ContactDraft, ContactPatch};
use crate::domain::conversation::{Conversation, Message};
use crate::domain::personal_data::{RecordOfProcessing, Subprocessor};
use crate::domain::tenant::{BusinessProfile, SettingsPatch};
use crate::identity::LoginOutcome;
use crate::reports::Format;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// The document, as served at `GET /v1/openapi.json`.
pub fn document() -> serde_json::Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    describe_forms(&mut document["components"]["schemas"]);
    // utoipa 5.5 writes a link's fields in snake case (`operation_id`), which no client reads.
    let links = document["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation["responses"].as_object_mut())
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.get_mut("links")?.as_object_mut())
        .flat_map(|links| links.values_mut())
        .filter_map(|link| link.as_object_mut());
    for link in links {
        for (snake, camel) in [
            ("operation_id", "operationId"),
            ("operation_ref", "operationRef"),
            ("request_body", "requestBody"),
        ] {
            if let Some(value) = link.remove(snake) {
                link.insert(camel.to_owned(), value);
            }
        }
    }
    document
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Confide API",
        description = "Privacy-first AI analyses, contacts and conversations for small businesses. \
            Every error is `{\"error\":{\"code\",\"message\"}}`.",
    ),
    paths(
        health, openapi_document,
        signup, login, new_password, mfa, refresh, logout,
        get_tenant, patch_tenant, get_profile, put_profile,
        get_processing, get_subprocessors,
        list_members, invite_member, change_member_role, remove_member,
        list_audit, verify_audit,
        analysis_kinds, create_analysis, list_analyses, get_analysis, delete_analysis, retry_analysis,
        analysis_report, analysis_usage,
        list_templates, create_template, get_template, put_template, delete_template,
        get_billing, start_checkout, open_portal,
        stripe_webhook,
        list_contacts, create_contact, import_contacts, get_contact, update_contact, delete_contact,
        list_consents, record_consent,
        put_twilio_channel, get_twilio_channel, delete_twilio_channel,
        put_email_channel, get_email_channel, delete_email_channel,
        twilio_inbound, twilio_status,
        list_conversations, get_conversation, update_conversation, reply_in_conversation,
        create_campaign, count_campaign_audience, list_campaigns, get_campaign,
        unsubscribe, unsubscribe_page,
    ),
    components(schemas(ErrorBody, Format, RecordFormat)),
    modifiers(&StandardErrors),
    security(("bearer" = [])),
)]
struct ApiDoc;

/// A new analysis and a saved form carry `inputs` whose schema depends on `kind`: the Rust types hold
/// them as JSON, so the document spells out, kind by kind, the very form schema the API checks them
/// against (the one `GET /v1/analysis-kinds` publishes). Clients and schemathesis can then send valid
/// forms.
fn describe_forms(schemas: &mut serde_json::Value) {
    let per_kind = |with_name: bool| -> Vec<serde_json::Value> {
        AnalysisKind::ALL
            .iter()
            .map(|kind| {
                let mut form = kind.form_schema();
                if let Some(form) = form.as_object_mut() {
                    form.remove("$schema");
                }
                let mut properties = serde_json::json!({
                    "kind": { "const": kind },
                    "inputs": form,
                });
                let mut required = vec!["kind", "inputs"];
                if with_name {
                    properties["name"] =
                        serde_json::json!({ "type": "string", "minLength": 1, "maxLength": 100 });
                    required.push("name");
                } else {
                    properties["template_id"] = serde_json::json!({ "type": ["string", "null"] });
                }
                serde_json::json!({
                    "type": "object",
                    "additionalProperties": false,
                    "required": required,
                    "properties": properties,
                })
            })
            .collect()
    };
    if let Some(new_analysis) = schemas.get_mut("NewAnalysis") {
        // Or a saved form, whose kind and inputs the body may override.
        let mut branches = per_kind(false);
        branches.push(new_analysis.clone());
        *new_analysis = serde_json::json!({ "anyOf": branches });
    }
    if let Some(draft) = schemas.get_mut("TemplateDraft") {
        *draft = serde_json::json!({ "anyOf": per_kind(true) });
    }
}

// ---------------------------------------------------------------- errors every route shares

/// Adds the errors that follow from what a route is: public or not, with a body or not, with ids in
/// its path or not. Only statuses a route does not declare itself are added.
struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A Cognito access token, from POST /v1/auth/login"))
                    .build(),
            ),
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            add_links(path, item);
            for operation in operations(item) {
                for (status, description) in standard_errors(path, operation) {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::T(error_response(description)));
                }
            }
        }
    }
}

/// Where an id a route answers with is used next, so a client (and schemathesis's stateful phase)
/// can follow: (path of a POST, status, field of its answer, path parameter, operations taking it).
const LINKS: [(&str, &str, &str, &str, &[&str]); 5] = [
    ("/v1/campaigns", "202", "id", "id", &["get_campaign"]),
    (
        "/v1/contacts",
        "201",
        "id",
        "id",
        &[
            "get_contact",
            "update_contact",
            "delete_contact",
            "list_consents",
            "record_consent",
        ],
    ),
    (
        "/v1/analyses",
        "202",
        "id",
        "id",
        &[
            "get_analysis",
            "delete_analysis",
            "retry_analysis",
            "analysis_report",
        ],
    ),
    (
        "/v1/analysis-templates",
        "201",
        "id",
        "id",
        &["get_template", "put_template", "delete_template"],
    ),
    (
        "/v1/members",
        "201",
        "user_id",
        "user_id",
        &["change_member_role", "remove_member"],
    ),
];

fn add_links(path: &str, item: &mut PathItem) {
    let Some(post) = item.post.as_mut() else {
        return;
    };
    for (from, status, field, parameter, targets) in LINKS {
        if from != path {
            continue;
        }
        if let Some(RefOr::T(response)) = post.responses.responses.get_mut(status) {
            for target in targets {
                let link = LinkBuilder::new()
                    .operation_id(*target)
                    .parameter(parameter, format!("$response.body#/{field}"))
                    .build();
                response.links.insert(target.to_string(), RefOr::T(link));
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.post.as_mut(),
        item.put.as_mut(),
        item.patch.as_mut(),
        item.delete.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn standard_errors(path: &str, operation: &Operation) -> Vec<(&'static str, &'static str)> {
    let public = operation
        .security
        .as_ref()
        .is_some_and(|s| s.iter().all(|r| *r == Default::default()));
    let reads_input = operation.request_body.is_some()
        || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let mut errors = Vec::new();
    if reads_input {
        errors.push((
            "400",
            "The request does not fit: the message names the field and the rule",
        ));
    }
    if !public {
        errors.push(("401", "No valid access token, or the session has ended"));
        errors.push(("403", "The caller's role does not allow this"));
    }
    if path.contains('{') {
        errors.push(("404", "No such item in the caller's tenant"));
    }
    if operation.request_body.is_some() {
        errors.push(("413", "The body is over 6 MB"));
        errors.push((
            "415",
            "The body is not of the route's media type (application/json unless stated) in UTF-8",
        ));
    }
    errors
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody")))),
        )
        .build()
}

// ---------------------------------------------------------------- health and this document

/// Liveness: answers while the function can run; reads nothing.
#[utoipa::path(get, path = "/v1/health", tag = "health", security(()),
    responses((status = 200, description = "Running", body = Health)))]
fn health() {}

/// This document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "health", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
fn openapi_document() {}

// ---------------------------------------------------------------- identity

/// Signs a business up: its tenant, its encryption key and its owner.
#[utoipa::path(post, path = "/v1/signup", tag = "identity", security(()),
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Tenant and owner created", body = SignupCreated),
        (status = 409, description = "`email_taken`", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
fn signup() {}

/// Logs in with email and password: tokens, or a challenge to answer.
#[utoipa::path(post, path = "/v1/auth/login", tag = "identity", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Tokens, or the next step", body = LoginOutcome),
        (status = 401, description = "Email or password is wrong", body = ErrorBody),
        (status = 403, description = "The password must be reset", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
fn login() {}

/// The first login of an invited member, who replaces their temporary password.
#[utoipa::path(post, path = "/v1/auth/new-password", tag = "identity", security(()),
    request_body = NewPasswordRequest,
    responses(
        (status = 200, description = "Tokens, or the next step", body = LoginOutcome),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
fn new_password() {}

/// TOTP: `setup` and `verify` with a bearer token; `challenge` at login.
#[utoipa::path(post, path = "/v1/auth/mfa", tag = "identity", security(()),
    request_body = MfaRequest,
    responses(
        (status = 200, description = "The step's answer", body = MfaAnswer),
        (status = 401, description = "`setup` and `verify` need a valid access token", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
fn mfa() {}

/// New tokens for a refresh token.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "identity", security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = LoginOutcome),
        (status = 401, description = "The refresh token is invalid or revoked", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
fn refresh() {}

/// Signs out everywhere: refresh tokens revoked, access tokens issued until now refused.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "identity",
    responses((status = 204, description = "Signed out")))]
fn logout() {}

// ---------------------------------------------------------------- tenant

/// The tenant, its settings and the caller's role.
#[utoipa::path(get, path = "/v1/tenant", tag = "tenant",
    responses((status = 200, description = "The tenant", body = TenantView)))]
fn get_tenant() {}

/// Changes settings: retention, analytics opt-out, allowed GenAI providers.
#[utoipa::path(patch, path = "/v1/tenant", tag = "tenant", request_body = SettingsPatch,
    responses((status = 200, description = "The changed tenant", body = TenantView)))]
fn patch_tenant() {}

/// The business profile.
#[utoipa::path(get, path = "/v1/tenant/profile", tag = "tenant",
    responses((status = 200, description = "The profile", body = BusinessProfile)))]
fn get_profile() {}

/// Replaces the business profile.
#[utoipa::path(put, path = "/v1/tenant/profile", tag = "tenant", request_body = BusinessProfile,
    responses((status = 200, description = "The stored profile", body = BusinessProfile)))]
fn put_profile() {}

// ---------------------------------------------------------------- privacy

/// The tenant's record of processing activities (GDPR art. 30), generated from the registry of
/// personal data: categories of data and subjects, purposes, retention under the tenant's settings,
/// the recipients configured on this deployment. Owner and admin.
#[utoipa::path(get, path = "/v1/privacy/processing", tag = "privacy",
    params(("format" = Option<RecordFormat>, Query, description = "`json` (default) or `html`, a page to print")),
    responses((status = 200, description = "The record", content(
        (RecordOfProcessing = "application/json"),
        (String = "text/html"),
    ))))]
fn get_processing() {}

/// Who receives personal data on this deployment: AWS, Stripe when billing is on, Twilio and
/// SendGrid through a tenant's own account, each configured GenAI provider. Public.
#[utoipa::path(get, path = "/v1/privacy/subprocessors", tag = "privacy", security(()),
    responses((status = 200, description = "The subprocessors", body = Vec<Subprocessor>)))]
fn get_subprocessors() {}

// ---------------------------------------------------------------- members

/// Members and their roles.
#[utoipa::path(get, path = "/v1/members", tag = "members",
    responses((status = 200, description = "The members", body = MemberList)))]
fn list_members() {}

/// Invites a member with a temporary password.
#[utoipa::path(post, path = "/v1/members", tag = "members", request_body = InviteRequest,
    responses(
        (status = 201, description = "Invited", body = MemberView),
        (status = 402, description = "The plan's seats are taken", body = ErrorBody),
        (status = 409, description = "`email_taken` or `already_member`", body = ErrorBody),
    ))]
fn invite_member() {}

/// Changes a member's role.
#[utoipa::path(patch, path = "/v1/members/{user_id}", tag = "members", request_body = RoleChange,
    params(("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 200, description = "The member", body = MemberView),
        (status = 409, description = "`last_owner`", body = ErrorBody),
    ))]
fn change_member_role() {}

/// Removes a member; their access ends at once.
#[utoipa::path(delete, path = "/v1/members/{user_id}", tag = "members",
    params(("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 409, description = "`last_owner`", body = ErrorBody),
    ))]
fn remove_member() {}

// ---------------------------------------------------------------- audit

/// The audit log, newest first.
#[utoipa::path(get, path = "/v1/audit", tag = "audit",
    params(
        ("from" = Option<String>, Query, format = DateTime, description = "RFC 3339"),
        ("to" = Option<String>, Query, format = DateTime, description = "RFC 3339"),
        ("actor" = Option<String>, Query, description = "A user id, or `system`"),
        ("action" = Option<AuditAction>, Query),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of entries", body = AuditPage)))]
fn list_audit() {}

/// Walks the hash chain and reports the first broken link.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "The chain's state", body = VerifyReport)))]
fn verify_audit() {}

// ---------------------------------------------------------------- analyses

/// The analysis kinds, each form's JSON Schema, and the provider analyses would use.
#[utoipa::path(get, path = "/v1/analysis-kinds", tag = "analyses",
    responses((status = 200, description = "The catalogue", body = KindCatalogue)))]
fn analysis_kinds() {}

/// Queues an analysis.
#[utoipa::path(post, path = "/v1/analyses", tag = "analyses", request_body = NewAnalysis,
    responses(
        (status = 202, description = "Queued", body = AnalysisAccepted),
        (status = 402, description = "The plan's analyses or AI tokens of the month are used", body = ErrorBody),
        (status = 409, description = "`no_provider`: no GenAI provider may serve this tenant", body = ErrorBody),
    ))]
fn create_analysis() {}

/// Analyses, newest first.
#[utoipa::path(get, path = "/v1/analyses", tag = "analyses",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of analyses", body = Page<AnalysisSummary>)))]
fn list_analyses() {}

/// One analysis: status, timings, usage, inputs, and the result once it has succeeded.
#[utoipa::path(get, path = "/v1/analyses/{id}", tag = "analyses",
    params(("id" = String, Path)),
    responses((status = 200, description = "The analysis", body = AnalysisDetail)))]
fn get_analysis() {}

/// Deletes an analysis with every stored version of its result.
#[utoipa::path(delete, path = "/v1/analyses/{id}", tag = "analyses",
    params(("id" = String, Path)),
    responses((status = 204, description = "Deleted")))]
fn delete_analysis() {}

/// Runs a failed (or stalled) analysis again.
#[utoipa::path(post, path = "/v1/analyses/{id}/retry", tag = "analyses",
    params(("id" = String, Path)),
    responses(
        (status = 202, description = "Queued again", body = AnalysisAccepted),
        (status = 409, description = "`not_retryable` or `changed_meanwhile`", body = ErrorBody),
    ))]
fn retry_analysis() {}

/// A succeeded analysis as a file: HTML (default), Markdown, JSON or CSV.
#[utoipa::path(get, path = "/v1/analyses/{id}/report", tag = "analyses",
    params(("id" = String, Path), ("format" = Option<Format>, Query)),
    responses(
        (status = 200, description = "The report, as an attachment", content(
            (String = "text/html"),
            (String = "text/markdown"),
            (Object = "application/json"),
            (String = "text/csv"),
        )),
        (status = 409, description = "`not_ready`: the analysis has not succeeded", body = ErrorBody),
    ))]
fn analysis_report() {}

/// Analyses and GenAI tokens of a month.
#[utoipa::path(get, path = "/v1/analysis-usage", tag = "analyses",
    params(("month" = Option<String>, Query, pattern = r"^\d{4}-\d{2}$", description = "Default: this month")),
    responses((status = 200, description = "The month's usage", body = UsageView)))]
fn analysis_usage() {}

/// Saved forms, newest first.
#[utoipa::path(get, path = "/v1/analysis-templates", tag = "analyses",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of saved forms", body = Page<AnalysisTemplate>)))]
fn list_templates() {}

/// Saves a form.
#[utoipa::path(post, path = "/v1/analysis-templates", tag = "analyses", request_body = TemplateDraft,
    responses((status = 201, description = "Saved", body = AnalysisTemplate)))]
fn create_template() {}

/// One saved form.
#[utoipa::path(get, path = "/v1/analysis-templates/{id}", tag = "analyses",
    params(("id" = String, Path)),
    responses((status = 200, description = "The saved form", body = AnalysisTemplate)))]
fn get_template() {}

/// Replaces a saved form.
#[utoipa::path(put, path = "/v1/analysis-templates/{id}", tag = "analyses", request_body = TemplateDraft,
    params(("id" = String, Path)),
    responses((status = 200, description = "Saved", body = AnalysisTemplate)))]
fn put_template() {}

/// Deletes a saved form.
#[utoipa::path(delete, path = "/v1/analysis-templates/{id}", tag = "analyses",
    params(("id" = String, Path)),
    responses((status = 204, description = "Deleted")))]
fn delete_template() {}

// ---------------------------------------------------------------- billing

/// Plan, subscription and this month's usage against the plan's limits.
#[utoipa::path(get, path = "/v1/billing", tag = "billing",
    responses((status = 200, description = "Billing", body = BillingView)))]
fn get_billing() {}

/// A Stripe Checkout Session for a plan.
#[utoipa::path(post, path = "/v1/billing/checkout", tag = "billing", request_body = CheckoutRequest,
    responses(
        (status = 201, description = "Send the browser to `url`", body = Redirect),
        (status = 409, description = "`already_subscribed`", body = ErrorBody),
        (status = 502, description = "Stripe failed", body = ErrorBody),
        (status = 503, description = "`billing_not_configured`", body = ErrorBody),
    ))]
fn start_checkout() {}

/// A Stripe Billing Portal session.
#[utoipa::path(post, path = "/v1/billing/portal", tag = "billing",
    responses(
        (status = 201, description = "Send the browser to `url`", body = Redirect),
        (status = 409, description = "`no_billing_account`: no checkout yet", body = ErrorBody),
        (status = 502, description = "Stripe failed", body = ErrorBody),
        (status = 503, description = "`billing_not_configured`", body = ErrorBody),
    ))]
fn open_portal() {}

/// Stripe's events, signed with the endpoint's secret (`Stripe-Signature`).
#[utoipa::path(post, path = "/webhooks/stripe", tag = "webhooks", security(()),
    request_body(content = Object, content_type = "application/json", description = "A Stripe event"),
    params(("Stripe-Signature" = String, Header, description = "`t=…,v1=…`")),
    responses(
        (status = 200, description = "Received", body = WebhookReceipt),
        (status = 503, description = "`billing_not_configured`", body = ErrorBody),
    ))]
fn stripe_webhook() {}

#[cfg(test)]
mod tests {
    use super::document;
    use serde_json::Value;

    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }

    /// A schema named but not in the document is one a client generator cannot resolve.
    #[test]
    fn every_reference_resolves_to_a_component() {
        let document = document();
        let mut found = Vec::new();
        refs(&document, &mut found);
        assert!(found.len() > 30, "{} references", found.len());
        for target in found {
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{target} is not a schema reference"));
            assert!(
                document["components"]["schemas"].get(name).is_some(),
                "{target} does not resolve"
            );
        }
    }

    /// A login answer is either tokens or a challenge, told apart by `status`.
    #[test]
    fn the_login_outcome_is_tokens_or_a_challenge() {
        let document = document();
        let outcome = &document["components"]["schemas"]["LoginOutcome"];
        let text = outcome.to_string();
        for needle in ["authenticated", "challenge", "Tokens", "session", "status"] {
            assert!(text.contains(needle), "{needle} missing from {text}");
        }
    }
}

// ---------------------------------------------------------------- contacts

/// Contacts, newest first; or exactly one by `email` or `phone`; or those with a `tag`.
#[utoipa::path(get, path = "/v1/contacts", tag = "contacts",
    params(
        ("email" = Option<String>, Query, description = "Exact lookup (searches a keyed beacon)"),
        ("phone" = Option<String>, Query, description = "Exact lookup; E.164 or national in the tenant's default_country"),
        ("tag" = Option<String>, Query, description = "Contacts carrying this tag"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of contacts", body = Page<Contact>)))]
fn list_contacts() {}

/// Creates a contact; email and phone are unique in the tenant.
#[utoipa::path(post, path = "/v1/contacts", tag = "contacts", request_body = ContactDraft,
    responses(
        (status = 201, description = "Created", body = Contact),
        (status = 402, description = "The plan's contacts are used up", body = ErrorBody),
        (status = 409, description = "`contact_exists`, with `existing_id`", body = ErrorBody),
    ))]
fn create_contact() {}

/// Imports a CSV file: header row, then one contact per row (at most 10,000).
#[utoipa::path(post, path = "/v1/contacts/import", tag = "contacts",
    request_body(content = String, content_type = "text/csv",
        description = "Columns name, email, phone, tags (`;`-separated), notes, sms_consent, whatsapp_consent, email_consent, consent_evidence"),
    responses((status = 200, description = "Counts, and each rejected row with its reason", body = ImportReport)))]
fn import_contacts() {}

/// One contact, with its current consent.
#[utoipa::path(get, path = "/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path)),
    responses((status = 200, description = "The contact", body = Contact)))]
fn get_contact() {}

/// Changes a contact: fields left out stay, `null` email or phone removes it.
#[utoipa::path(patch, path = "/v1/contacts/{id}", tag = "contacts", request_body = ContactPatch,
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The changed contact", body = Contact),
        (status = 409, description = "`contact_exists` (with `existing_id`) or `changed_meanwhile`", body = ErrorBody),
    ))]
fn update_contact() {}

/// Erases a contact with its consent ledger.
#[utoipa::path(delete, path = "/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path)),
    responses((status = 204, description = "Erased")))]
fn delete_contact() {}

/// The consent ledger: current state per channel and purpose, and every entry.
#[utoipa::path(get, path = "/v1/contacts/{id}/consents", tag = "contacts",
    params(("id" = String, Path)),
    responses((status = 200, description = "The ledger", body = ConsentLedger)))]
fn list_consents() {}

/// Appends a consent entry (granted or withdrawn) for a channel and purpose.
#[utoipa::path(post, path = "/v1/contacts/{id}/consents", tag = "contacts", request_body = ConsentRequest,
    params(("id" = String, Path)),
    responses(
        (status = 201, description = "Recorded", body = ConsentEntry),
        (status = 409, description = "`changed_meanwhile`", body = ErrorBody),
    ))]
fn record_consent() {}

// ---------------------------------------------------------------- channels

/// Connects (or changes) the tenant's own Twilio account; secrets may be left out to keep them.
#[utoipa::path(put, path = "/v1/channels/twilio", tag = "channels", request_body = TwilioChannelDraft,
    responses((status = 200, description = "The channel, without secrets, and its webhook URLs", body = TwilioChannelView)))]
fn put_twilio_channel() {}

/// The Twilio channel without secrets, and the two webhook URLs to paste into Twilio's console.
#[utoipa::path(get, path = "/v1/channels/twilio", tag = "channels",
    responses(
        (status = 200, description = "The channel", body = TwilioChannelView),
        (status = 404, description = "No Twilio channel is connected", body = ErrorBody),
    ))]
fn get_twilio_channel() {}

/// Disconnects Twilio: its webhook URLs stop working at once.
#[utoipa::path(delete, path = "/v1/channels/twilio", tag = "channels",
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No Twilio channel is connected", body = ErrorBody),
    ))]
fn delete_twilio_channel() {}

/// Connects (or changes) the tenant's SendGrid sender; the key may be left out to keep it.
#[utoipa::path(put, path = "/v1/channels/email", tag = "channels", request_body = EmailChannelDraft,
    responses((status = 200, description = "The sender, without the key", body = EmailChannelView)))]
fn put_email_channel() {}

/// The SendGrid sender, without the key.
#[utoipa::path(get, path = "/v1/channels/email", tag = "channels",
    responses(
        (status = 200, description = "The sender", body = EmailChannelView),
        (status = 404, description = "No email channel is connected", body = ErrorBody),
    ))]
fn get_email_channel() {}

/// Disconnects SendGrid.
#[utoipa::path(delete, path = "/v1/channels/email", tag = "channels",
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No email channel is connected", body = ErrorBody),
    ))]
fn delete_email_channel() {}

/// Twilio posts inbound messages here (signed with the channel's auth token).
#[utoipa::path(post, path = "/webhooks/twilio/{channel}/messages", tag = "webhooks", security(()),
    params(
        ("channel" = String, Path, description = "The channel id from its webhook URL"),
        ("X-Twilio-Signature" = String, Header, description = "Base64 HMAC-SHA1 of the URL and sorted parameters"),
    ),
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "Twilio's parameters: MessageSid, AccountSid, From, To, Body, OptOutType, …"),
    responses(
        (status = 200, description = "TwiML: `<Response/>`, or the HELP answer", content_type = "text/xml", body = String),
        (status = 403, description = "Unknown channel, or missing or wrong signature", body = ErrorBody),
    ))]
fn twilio_inbound() {}

/// Twilio posts delivery status callbacks here (signed like inbound messages).
#[utoipa::path(post, path = "/webhooks/twilio/{channel}/status", tag = "webhooks", security(()),
    params(
        ("channel" = String, Path, description = "The channel id from its webhook URL"),
        ("X-Twilio-Signature" = String, Header, description = "Base64 HMAC-SHA1 of the URL and sorted parameters"),
    ),
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "MessageSid, AccountSid, MessageStatus, ErrorCode"),
    responses(
        (status = 200, description = "Recorded (or not ours)", content_type = "text/xml", body = String),
        (status = 403, description = "Unknown channel, or missing or wrong signature", body = ErrorBody),
    ))]
fn twilio_status() {}

// ---------------------------------------------------------------- conversations

/// Conversations, newest activity first.
#[utoipa::path(get, path = "/v1/conversations", tag = "conversations",
    params(
        ("status" = Option<String>, Query, description = "open, pending or closed"),
        ("channel" = Option<String>, Query, description = "sms, whatsapp or email"),
        ("assignee" = Option<String>, Query, description = "A member's user id"),
        ("contact_id" = Option<String>, Query),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of conversations", body = Page<Conversation>)))]
fn list_conversations() {}

/// A conversation with its messages in order.
#[utoipa::path(get, path = "/v1/conversations/{id}", tag = "conversations",
    params(("id" = String, Path)),
    responses((status = 200, description = "The conversation", body = ConversationDetail)))]
fn get_conversation() {}

/// Changes a conversation's status or assignee.
#[utoipa::path(patch, path = "/v1/conversations/{id}", tag = "conversations", request_body = ConversationChange,
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The conversation", body = Conversation),
        (status = 409, description = "`changed_meanwhile`", body = ErrorBody),
    ))]
fn update_conversation() {}

/// Replies in a conversation; the messaging worker sends it.
#[utoipa::path(post, path = "/v1/conversations/{id}/messages", tag = "conversations", request_body = Reply,
    params(("id" = String, Path)),
    responses(
        (status = 202, description = "Queued", body = Message),
        (status = 402, description = "The month's messages are used up", body = ErrorBody),
        (status = 409, description = "`opted_out`, `no_consent`, `outside_whatsapp_window`, `unreachable`", body = ErrorBody),
    ))]
fn reply_in_conversation() {}

// ---------------------------------------------------------------- campaigns

/// Sends a campaign to the consenting contacts of an audience.
#[utoipa::path(post, path = "/v1/campaigns", tag = "campaigns", request_body = NewCampaign,
    responses(
        (status = 202, description = "Accepted; the worker fans it out", body = CampaignAccepted),
        (status = 409, description = "`channel_not_configured`", body = ErrorBody),
    ))]
fn create_campaign() {}

/// Counts whom a campaign would reach, before it is sent: the audience's contacts and those of them
/// with marketing consent for the channel.
#[utoipa::path(post, path = "/v1/campaigns/audience", tag = "campaigns", request_body = AudienceQuery,
    responses(
        (status = 200, description = "The counts", body = AudienceCount),
    ))]
fn count_campaign_audience() {}

/// Campaigns, newest first.
#[utoipa::path(get, path = "/v1/campaigns", tag = "campaigns",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of campaigns", body = Page<CampaignView>)))]
fn list_campaigns() {}

/// A campaign's status and counts.
#[utoipa::path(get, path = "/v1/campaigns/{id}", tag = "campaigns",
    params(("id" = String, Path)),
    responses((status = 200, description = "The campaign", body = CampaignView)))]
fn get_campaign() {}

/// One-click unsubscribe from marketing email, by the signed link in the email.
#[utoipa::path(post, path = "/v1/unsubscribe/{token}", tag = "campaigns", security(()),
    params(("token" = String, Path, description = "The signed token from the email's link")),
    responses(
        (status = 200, description = "Unsubscribed", body = Unsubscribed),
        (status = 404, description = "Not a genuine token (or the contact was erased)", body = ErrorBody),
    ))]
fn unsubscribe() {}

/// The page behind the link in an email's text: a button that posts the unsubscribe (a GET changes
/// nothing).
#[utoipa::path(get, path = "/v1/unsubscribe/{token}", tag = "campaigns", security(()),
    params(("token" = String, Path, description = "The signed token from the email's link")),
    responses(
        (status = 200, description = "The confirmation page", content_type = "text/html", body = String),
        (status = 404, description = "Not a genuine token", body = ErrorBody),
    ))]
fn unsubscribe_page() {}
