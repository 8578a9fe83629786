//! Property-based tests of the whole API from its own OpenAPI document, by schemathesis: it generates
//! valid and invalid requests for every operation and checks each answer — no server error, a status
//! the document lists for the operation, the documented content type and body schema, and 401 for a
//! route that needs a token when none is sent.
//!
//! The stack bills through the Stripe stand-in (so checkout and portal answer as in production, not
//! 503), and the GenAI providers are the tests' stand-in. The number of examples per operation is
//! bounded, and the seed fixed, so a run takes minutes and repeats; `CONFIDE_SCHEMATHESIS_EXAMPLES` and
//! `CONFIDE_SCHEMATHESIS_SEED` change them.

use confide_tests::{sign_up, stack, with_billing};
use std::path::PathBuf;
use std::process::Command;

fn schemathesis() -> PathBuf {
    let path = std::env::var("CONFIDE_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/schemathesis")
        });
    assert!(
        path.exists(),
        "{} not found: run the tests with `make test`, which installs it",
        path.display()
    );
    path
}

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Runs schemathesis against the stack with `extra` arguments; panics with its report unless every
/// check passed.
fn run(what: &str, extra: &[&str]) {
    let url = &stack().url;
    let report = std::env::temp_dir().join(format!(
        "confide-schemathesis-{what}-{}",
        std::process::id()
    ));
    let output = Command::new(schemathesis())
        .arg("run")
        .arg(format!("{url}/v1/openapi.json"))
        .args(["--url", url])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance,ignored_auth",
        ])
        .args([
            "--max-examples",
            &setting("CONFIDE_SCHEMATHESIS_EXAMPLES", "40"),
        ])
        .args(["--seed", &setting("CONFIDE_SCHEMATHESIS_SEED", "20261128")])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        // One worker: hypothesis's strategy descriptions are not thread-safe (a Python SystemError).
        .args(["--workers", "1", "--request-timeout", "30", "--no-color"])
        .arg("--report-dir")
        .arg(&report)
        .args(extra)
        .args(
            std::env::var("CONFIDE_SCHEMATHESIS_ARGS")
                .unwrap_or_default()
                .split_whitespace(),
        )
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .expect("schemathesis runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{text}");
    assert!(
        output.status.success(),
        "schemathesis ({what}) found failures:\n{text}"
    );
    // A run that tested nothing would also exit 0.
    assert!(
        text.contains("passed") && !text.contains("No operations"),
        "schemathesis ({what}) ran no test:\n{text}"
    );
}

/// Every operation with a member's token: the owner of a fresh tenant (logout is left out, since it
/// would end the session for every request after it; the unauthenticated run covers its 401).
#[tokio::test(flavor = "multi_thread")]
async fn every_operation_answers_within_its_documented_schema_with_a_token() {
    with_billing();
    let owner = sign_up("Schemathesis Co").await;
    let header = format!("Authorization: Bearer {}", owner.access_token());
    tokio::task::spawn_blocking(move || {
        run(
            "authenticated",
            &["-H", &header, "--exclude-path", "/v1/auth/logout"],
        )
    })
    .await
    .expect("schemathesis run");
}

/// Every operation without a token: the public ones do their work, the others answer 401.
#[tokio::test(flavor = "multi_thread")]
async fn every_operation_answers_within_its_documented_schema_without_a_token() {
    with_billing();
    stack();
    tokio::task::spawn_blocking(|| run("anonymous", &[]))
        .await
        .expect("schemathesis run");
}
