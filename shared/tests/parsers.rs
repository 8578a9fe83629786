//! Fuzz targets for every parser in `shared` that takes bytes from outside: the JSON body of each
//! route, the checks behind them (profile, settings, forms, credentials, emails), Stripe's webhook,
//! the contacts CSV importer and Twilio's form-encoded webhooks.
//!
//! `cargo test` runs each as a property test (random inputs from bolero's generators, plus any corpus
//! under `tests/__fuzz__/`); `cargo bolero test --package confide-shared --test parsers <name>` runs
//! the same target under libFuzzer on a nightly toolchain. The properties: nothing panics, every
//! refusal is a 4xx with a bounded message, and a message never quotes more than 40 characters of
//! what was sent.

use confide_shared::api::analyses::NewAnalysis;
use confide_shared::api::billing::CheckoutRequest;
use confide_shared::api::identity::{
    LoginRequest, MfaRequest, NewPasswordRequest, RefreshRequest, SignupRequest,
};
use confide_shared::api::members::{InviteRequest, RoleChange};
use confide_shared::domain::analysis::{validate, AnalysisKind};
use confide_shared::domain::analysis_template::TemplateDraft;
use confide_shared::domain::credentials::{LoginSession, Password, RefreshToken, TotpCode};
use confide_shared::domain::tenant::{BusinessProfile, SettingsPatch, TenantSettings};
use confide_shared::domain::text::{MESSAGE_LIMIT, QUOTE_LIMIT};
use confide_shared::domain::{Email, InvalidField, Role};
use confide_shared::http::parse_json;
use confide_shared::stripe::webhook::verified_event;
use confide_shared::ApiError;
use hmac::Mac;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// A refusal as a client would see it: 4xx, a message of bounded length.
fn assert_client_error(error: &ApiError) -> String {
    assert!(error.status().is_client_error(), "{error:?}");
    let message = error.public_message();
    assert!(
        message.chars().count() <= MESSAGE_LIMIT + 1,
        "{} characters",
        message.chars().count()
    );
    message
}

/// `message` quotes no run of more than [`QUOTE_LIMIT`] characters of `sent`.
fn assert_quotes_at_most_a_prefix(message: &str, sent: &str) {
    let sent: Vec<char> = sent.chars().collect();
    if sent.len() <= QUOTE_LIMIT {
        return;
    }
    for window in sent.windows(QUOTE_LIMIT + 1).step_by(7) {
        let window: String = window.iter().collect();
        assert!(
            !message.contains(&window),
            "{message:.200} quotes {window:?}"
        );
    }
}

/// Parses `bytes` as `T` as a route does; a refusal must be a bounded 4xx.
fn parse_as<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    match parse_json::<T>(bytes) {
        Ok(value) => Some(value),
        Err(error) => {
            assert_client_error(&error);
            None
        }
    }
}

fn refusal(field: InvalidField) -> String {
    assert_client_error(&ApiError::from(field))
}

/// Every route's body, from arbitrary bytes, through the checks its handler applies next.
#[test]
fn every_route_body_parses_or_refuses_cleanly() {
    bolero::check!().for_each(|bytes: &[u8]| {
        if let Some(body) = parse_as::<SignupRequest>(bytes) {
            let _ = Email::parse(&body.email).map_err(refusal);
            let _ = Password::parse("password", &body.password).map_err(refusal);
            let _ = confide_shared::domain::tenant::parse_company(&body.company).map_err(refusal);
        }
        if let Some(body) = parse_as::<LoginRequest>(bytes) {
            let _ = Email::parse(&body.email).map_err(refusal);
        }
        if let Some(body) = parse_as::<NewPasswordRequest>(bytes) {
            let _ = LoginSession::parse(&body.session);
            let _ = Password::parse("new_password", &body.new_password).map_err(refusal);
        }
        if let Some(MfaRequest::Challenge { code, session, .. }) = parse_as::<MfaRequest>(bytes) {
            let _ = TotpCode::parse(&code).map_err(refusal);
            let _ = LoginSession::parse(&session);
        }
        if let Some(body) = parse_as::<RefreshRequest>(bytes) {
            if let Some(token) = &body.refresh_token {
                let _ = RefreshToken::parse(token);
            }
        }
        if let Some(patch) = parse_as::<SettingsPatch>(bytes) {
            let _ = TenantSettings::default().apply(patch).map_err(refusal);
        }
        if let Some(profile) = parse_as::<BusinessProfile>(bytes) {
            let _ = BusinessProfile::parse(profile).map_err(refusal);
        }
        if let Some(body) = parse_as::<InviteRequest>(bytes) {
            let _ = Role::parse(&body.role).map_err(refusal);
        }
        let _ = parse_as::<RoleChange>(bytes);
        if let Some(body) = parse_as::<NewAnalysis>(bytes) {
            if let (Some(kind), Some(inputs)) = (body.kind, body.inputs) {
                if let Ok(kind) = AnalysisKind::parse(&kind) {
                    let _ = validate(&kind.form_schema(), &inputs).map_err(refusal);
                }
            }
        }
        if let Some(draft) = parse_as::<TemplateDraft>(bytes) {
            let _ = draft.parse().map_err(refusal);
        }
        let _ = parse_as::<CheckoutRequest>(bytes);
    });
}

/// Long keys and values in every place a client can put them come back quoted, at most 40 characters.
#[test]
fn an_error_never_quotes_more_than_forty_characters_of_a_body() {
    bolero::check!()
        .with_type::<(String, String, u8)>()
        .for_each(|(key, value, place)| {
            let plain = |s: &str| !s.contains(['…', '`', '"', '\\']) && !s.is_empty();
            if !plain(key) || !plain(value) {
                return;
            }
            // Long enough that any quote longer than a prefix would show.
            let key = key.repeat(1 + 100 / key.len());
            let value = value.repeat(1 + 100 / value.len());
            let (body, sent): (Value, &str) = match place % 6 {
                0 => (
                    json!({ "email": "a@b.io", "role": "admin", key.clone(): 1 }),
                    &key,
                ),
                1 => (json!({ "step": value }), &value),
                2 => (json!({ "contact_retention_days": value }), &value),
                3 => (json!({ "allowed_providers": [value] }), &value),
                4 => (
                    json!({ "kind": "swot", "inputs": { "goal": "Grow", key.clone(): 1 } }),
                    &key,
                ),
                _ => (json!({ "name": "n", "kind": value, "inputs": {} }), &value),
            };
            let bytes = body.to_string().into_bytes();
            let messages: Vec<String> = [
                parse_json::<InviteRequest>(&bytes).err(),
                parse_json::<MfaRequest>(&bytes).err(),
                parse_json::<SettingsPatch>(&bytes)
                    .and_then(|patch| Ok(TenantSettings::default().apply(patch)?))
                    .err(),
                parse_json::<NewAnalysis>(&bytes)
                    .ok()
                    .and_then(|body| {
                        let kind = AnalysisKind::parse(body.kind.as_deref()?).ok()?;
                        validate(&kind.form_schema(), &body.inputs?).err()
                    })
                    .map(ApiError::from),
                parse_json::<TemplateDraft>(&bytes)
                    .and_then(|draft| Ok(draft.parse()?))
                    .err(),
            ]
            .iter()
            .flatten()
            .map(assert_client_error)
            .collect();
            for message in messages {
                assert_quotes_at_most_a_prefix(&message, sent);
            }
        });
}

/// Text a client sends: whatever it holds, a check answers a bounded refusal or a value.
#[test]
fn text_checks_take_any_string() {
    bolero::check!().with_type::<String>().for_each(|text| {
        let _ = Email::parse(text).map_err(refusal);
        let _ = TotpCode::parse(text).map_err(refusal);
        let _ = LoginSession::parse(text);
        let profile = BusinessProfile {
            name: text.clone(),
            opening_hours: text.clone(),
            website_url: Some(text.clone()),
            people: vec![text.clone()],
            ..Default::default()
        };
        if let Err(field) = BusinessProfile::parse(profile) {
            let message = refusal(field);
            assert_quotes_at_most_a_prefix(&message, text);
        }
    });
}

const SECRET: &str = "whsec_fuzz";
const NOW: i64 = 1_800_000_000;

fn signed(body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key");
    mac.update(format!("{NOW}.").as_bytes());
    mac.update(body);
    format!("t={NOW},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Stripe's webhook: any header and body, unsigned or correctly signed, is refused or read without a
/// panic, and a refusal's text is bounded (it is logged and answered).
#[test]
fn stripe_webhook_bodies_and_signatures() {
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../events/stripe/invoice-paid.json"
    ))
    .expect("fixture");
    bolero::check!()
        .with_type::<(String, Vec<u8>, u16)>()
        .for_each(|(header, body, at)| {
            let bounded = |result: Result<_, confide_shared::stripe::webhook::Rejection>| {
                if let Err(rejection) = result {
                    assert!(rejection.to_string().chars().count() <= MESSAGE_LIMIT + 100);
                }
            };
            bounded(verified_event(Some(header), body, SECRET, NOW).map(|_| ()));
            bounded(verified_event(Some(&signed(body)), body, SECRET, NOW).map(|_| ()));
            // A real event with the fuzzer's bytes spliced in, correctly signed.
            let at = usize::from(*at) % fixture.len();
            let mut spliced = fixture[..at].to_vec();
            spliced.extend_from_slice(body);
            spliced.extend_from_slice(&fixture[at..]);
            bounded(verified_event(Some(&signed(&spliced)), &spliced, SECRET, NOW).map(|_| ()));
        });
}

/// The contacts CSV importer: any bytes are a file refused whole with a bounded reason, or rows each
/// imported or refused with one; a refused row names its own line, which lies in the file; and any
/// accepted row's values are valid contacts (re-parsing them gives the same contact).
#[test]
fn contacts_csv_imports_or_refuses_every_row() {
    use confide_shared::domain::contact::{ContactDraft, ContactFields};
    use confide_shared::domain::contact_import::parse;
    use confide_shared::domain::phone::DefaultCountry;
    let header = b"name,email,phone,tags,email_consent,consent_evidence\n";
    bolero::check!()
        .with_type::<(Vec<u8>, bool)>()
        .for_each(|(body, with_header)| {
            let mut file = if *with_header {
                header.to_vec()
            } else {
                Vec::new()
            };
            file.extend_from_slice(body);
            let country = DefaultCountry::parse("DE").ok();
            let Ok(parsed) = parse(&file, country) else {
                return;
            };
            let lines = file.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            for rejected in &parsed.rejected {
                assert!(
                    (2..=lines + 1).contains(&rejected.row),
                    "row {} of {lines} lines",
                    rejected.row
                );
                assert!(
                    rejected.reason.chars().count() <= MESSAGE_LIMIT + 40,
                    "{}",
                    rejected.reason
                );
            }
            for row in &parsed.rows {
                let again = ContactFields::parse(
                    ContactDraft {
                        name: row.fields.name.clone(),
                        email: row.fields.email.as_ref().map(|e| e.as_str().to_owned()),
                        phone: row.fields.phone.as_ref().map(|p| p.as_str().to_owned()),
                        tags: row.fields.tags.iter().cloned().collect(),
                        notes: row.fields.notes.clone(),
                        attributes: row.fields.attributes.clone(),
                    },
                    None,
                )
                .expect("an imported row is a valid contact");
                assert_eq!(again, row.fields);
            }
        });
}

/// Twilio's form-encoded webhooks: any body is parameters or a refusal, never a panic; the
/// signature check takes any header; and a correctly signed form is accepted whatever it holds.
#[test]
fn twilio_webhook_forms_and_signatures() {
    use confide_shared::twilio::signature::{is_valid, sign};
    use confide_shared::twilio::webhook::{parse_form, Inbound, StatusCallback, MAX_PARAMETERS};
    const URL: &str = "https://example.com/webhooks/twilio/abc/messages";
    const TOKEN: &str = "feedfacefeedfacefeedfacefeedface";
    bolero::check!()
        .with_type::<(Vec<u8>, String)>()
        .for_each(|(body, header)| {
            let Ok(params) = parse_form(body) else {
                return;
            };
            assert!(params.len() <= MAX_PARAMETERS);
            let _ = is_valid(TOKEN, URL, &params, header);
            assert!(is_valid(TOKEN, URL, &params, &sign(TOKEN, URL, &params)));
            assert!(!is_valid(
                "another-token-another-token-0000",
                URL,
                &params,
                &sign(TOKEN, URL, &params)
            ));
            if let Ok(inbound) = Inbound::from_params(&params) {
                assert_eq!(inbound.message_sid.len(), 34);
            }
            let _ = StatusCallback::from_params(&params);
        });
}

/// Any text goes through the pseudonymizer without a panic (offsets stay on char boundaries, whatever
/// the script), and comes back exactly from its placeholders unless it already held placeholder-like
/// brackets of its own.
#[test]
fn any_text_is_pseudonymised_and_restored() {
    use confide_shared::pseudonymize::{NameDictionary, Pseudonymizer, Vault};
    bolero::check!()
        .with_type::<(String, String)>()
        .for_each(|(text, name)| {
            let pseudonymizer = Pseudonymizer::new(
                NameDictionary::new([name.as_str()], ["Zofia Wiśniewska", name.as_str()]),
                Some("DE"),
            );
            let mut vault = Vault::new(pseudonymizer);
            let sample = format!("{text} Wiśniewskiej +49 30 1234567 {text}");
            let redacted = vault.redact(&sample);
            if !sample.contains('[') {
                assert_eq!(vault.restore(&redacted), sample);
            }
        });
}
