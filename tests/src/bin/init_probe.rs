//! Where a function's init goes: times each step of `App::new` (and what precedes it in `main`),
//! then what the first request reaching tenant data builds (`TenantCrypto`), in a fresh process, as
//! the cold-start bench's release bootstraps run them, with the page faults each step takes (a cold
//! process pays mostly for the pages of code and data it touches first). No network: the steps only build clients.
//! `cargo run --release -p confide-tests --bin init-probe` with the function environment
//! (`CONFIDE_*`, `AWS_REGION`; any values will do).

use confide_shared::{aws, config::Config, encryption, encryption::payloads::PayloadCipher};
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), confide_shared::error::BoxError> {
    let start = Instant::now();
    let (mut last, mut last_faults) = (start, minor_faults());
    let before_main = last_faults;
    let mut step = |name: &str| {
        let (now, faults) = (Instant::now(), minor_faults());
        println!(
            "{name:<28} {:>7.2} ms {:>5} page faults",
            (now - last).as_secs_f64() * 1000.0,
            faults - last_faults
        );
        (last, last_faults) = (now, faults);
    };
    confide_shared::telemetry::init();
    step("telemetry");
    let config = Config::from_env()?;
    step("configuration");
    let sdk = aws::sdk_config().await;
    step("SDK configuration");
    let app = confide_shared::App::new(config, &sdk).await?;
    step("App::new");
    // What the first request that reaches tenant data builds (`TenantCrypto`), step by step.
    let config = &app.config;
    let key_store = encryption::key_store(&sdk, &config.key_store_table, &config.root_key_arn)?;
    step("  key store (KMS, DynamoDB)");
    let keyring = encryption::tenant_keyring(&key_store, None)?;
    step("  hierarchical keyring");
    let search = encryption::search_config(key_store.clone(), &encryption::key_cache()?)?;
    let tables = |search| {
        encryption::table_encryption(
            &config.table,
            keyring.clone(),
            encryption::ALGORITHM_SUITE,
            search,
        )
    };
    let _ddb = encryption::encrypting_dynamodb_client(&sdk, tables(Some(search))?)?;
    step("  encrypting DynamoDB client");
    let _writer = encryption::encrypting_dynamodb_client(&sdk, tables(None)?)?;
    step("  its writer without beacons");
    let _cipher = PayloadCipher::new(keyring)?;
    step("  payload cipher");
    println!(
        "{:<28} {:>7.2} ms {:>5} page faults ({before_main} before main)",
        "total",
        start.elapsed().as_secs_f64() * 1000.0,
        minor_faults() - before_main
    );
    Ok(())
}

/// The process's minor page faults so far (`/proc/self/stat`, field 10).
fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().nth(7))
        .and_then(|field| field.parse().ok())
        .unwrap_or(0)
}
