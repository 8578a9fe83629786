//! What the DB-ESDK algorithm suite costs per item: the default suite (ECDSA P-384 + HMAC-SHA384
//! signatures) against the one Confide uses (HMAC-SHA384 only), on a business-profile-sized item with
//! Confide's attribute actions. Pure CPU: a raw AES keyring stands in for the hierarchical keyring, whose
//! KMS call happens once per branch key per cache TTL and is the same for both suites.
//!
//! `cargo bench -p confide-shared --bench algorithm_suite` (release build).

use aws_db_esdk::item_encryptor::client as enc_client;
use aws_db_esdk::item_encryptor::types::dynamo_db_item_encryptor_config::DynamoDbItemEncryptorConfig;
use aws_db_esdk::material_providers::client as mpl_client;
use aws_db_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
use aws_db_esdk::material_providers::types::{AesWrappingAlg, DbeAlgorithmSuiteId};
use aws_sdk_dynamodb::types::AttributeValue;
use confide_shared::encryption::{attribute_actions, UNSIGNED_ATTRIBUTE_PREFIX};
use std::collections::HashMap;
use std::time::Instant;

const ROUNDS: u32 = 300;

fn profile_item() -> HashMap<String, AttributeValue> {
    let faqs: Vec<String> = (0..10)
        .map(|i| format!(r#"{{"question":"Question {i} about opening times?","answer":"An answer of moderate length, number {i}, about deliveries and prices."}}"#))
        .collect();
    let data = format!(
        r#"{{"name":"Bakery Ada","location":"12 Mill Lane, Bristol","business_type":"bakery","products_services":["sourdough","cakes"],"website_url":"https://bakery-ada.example","opening_hours":"Tue-Sat 7-15","faqs":[{}]}}"#,
        faqs.join(",")
    );
    HashMap::from([
        (
            "pk".to_owned(),
            AttributeValue::S("T#0123456789abcdef0123456789abcdef".to_owned()),
        ),
        ("sk".to_owned(), AttributeValue::S("PROFILE".to_owned())),
        ("kind".to_owned(), AttributeValue::S("profile".to_owned())),
        ("data".to_owned(), AttributeValue::S(data)),
    ])
}

fn stored_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter()
        .map(|(k, v)| {
            k.len()
                + match v {
                    AttributeValue::S(s) => s.len(),
                    AttributeValue::B(b) => b.as_ref().len(),
                    _ => 8,
                }
        })
        .sum()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mpl = mpl_client::Client::from_conf(MaterialProvidersConfig::builder().build()?)?;
    let keyring = mpl
        .create_raw_aes_keyring()
        .key_name("bench")
        .key_namespace("confide-bench")
        .wrapping_key((1u8..=32).collect::<Vec<u8>>())
        .wrapping_alg(AesWrappingAlg::AlgAes256GcmIv12Tag16)
        .send()
        .await?;
    let item = profile_item();
    println!(
        "DB-ESDK item encryption, {} B profile item, {ROUNDS} rounds each (release build)",
        stored_size(&item)
    );
    println!(
        "{:<52} {:>12} {:>12} {:>10}",
        "suite", "encrypt µs", "decrypt µs", "stored B"
    );
    for (name, suite) in [
        (
            "ECDSA P-384 + HMAC-SHA384 (DB-ESDK default)",
            DbeAlgorithmSuiteId::AlgAes256GcmHkdfSha512CommitKeyEcdsaP384SymsigHmacSha384,
        ),
        (
            "HMAC-SHA384 only (Confide)",
            DbeAlgorithmSuiteId::AlgAes256GcmHkdfSha512CommitKeySymsigHmacSha384,
        ),
    ] {
        let encryptor = enc_client::Client::from_conf(
            DynamoDbItemEncryptorConfig::builder()
                .logical_table_name("confide-bench")
                .partition_key_name("pk")
                .sort_key_name("sk")
                .attribute_actions_on_encrypt(attribute_actions())
                .allowed_unsigned_attribute_prefix(UNSIGNED_ATTRIBUTE_PREFIX)
                .keyring(keyring.clone())
                .algorithm_suite_id(suite)
                .build()?,
        )?;
        let mut encrypted = HashMap::new();
        let started = Instant::now();
        for _ in 0..ROUNDS {
            encrypted = encryptor
                .encrypt_item()
                .plaintext_item(item.clone())
                .send()
                .await?
                .encrypted_item
                .ok_or("no encrypted item")?;
        }
        let encrypt = started.elapsed() / ROUNDS;
        let started = Instant::now();
        for _ in 0..ROUNDS {
            let decrypted = encryptor
                .decrypt_item()
                .encrypted_item(encrypted.clone())
                .send()
                .await?
                .plaintext_item
                .ok_or("no decrypted item")?;
            assert_eq!(decrypted, item, "round trip");
        }
        let decrypt = started.elapsed() / ROUNDS;
        println!(
            "{name:<52} {:>12.0} {:>12.0} {:>10}",
            encrypt.as_secs_f64() * 1e6,
            decrypt.as_secs_f64() * 1e6,
            stored_size(&encrypted)
        );
    }
    Ok(())
}
