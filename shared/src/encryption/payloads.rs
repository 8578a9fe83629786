//! Client-side encryption of payloads that leave DynamoDB — S3 objects and SQS bodies holding personal
//! data — under the same per-tenant branch key as the table.
//!
//! It uses the DB-ESDK item encryptor rather than the AWS Encryption SDK: every function already links
//! it, while `aws-esdk` measured +4.4 MB per stripped binary and a third aws-lc-sys build. A payload is
//! sealed as a one-item "table" `{pk: T#<tenant>, sk: <name>, body}`; the signature covers tenant and
//! name, so an object moved to another tenant or another key name does not open.

use crate::domain::TenantId;
use crate::encryption::{run_crypto, ALGORITHM_SUITE};
use crate::error::BoxError;
use crate::keys;
use aws_db_esdk::item_encryptor::client as enc_client;
use aws_db_esdk::item_encryptor::types::dynamo_db_item_encryptor_config::DynamoDbItemEncryptorConfig;
use aws_db_esdk::material_providers::types::keyring::KeyringRef;
use aws_db_esdk::CryptoAction;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone)]
pub struct PayloadCipher {
    encryptor: enc_client::Client,
}

const LOGICAL_NAME: &str = "confide-payloads";

impl PayloadCipher {
    /// `keyring` from [`crate::encryption::tenant_keyring`], shared with the table's client.
    pub fn new(keyring: KeyringRef) -> Result<Self, BoxError> {
        let config = DynamoDbItemEncryptorConfig::builder()
            .logical_table_name(LOGICAL_NAME)
            .partition_key_name("pk")
            .sort_key_name("sk")
            .attribute_actions_on_encrypt(HashMap::from([
                ("pk".to_owned(), CryptoAction::SignOnly),
                ("sk".to_owned(), CryptoAction::SignOnly),
                ("body".to_owned(), CryptoAction::EncryptAndSign),
            ]))
            .keyring(keyring)
            .algorithm_suite_id(ALGORITHM_SUITE)
            .build()?;
        Ok(Self {
            encryptor: enc_client::Client::from_conf(config)?,
        })
    }

    /// Encrypts `plaintext` for `tenant`, bound to `name` (the S3 key or message kind).
    pub async fn seal(
        &self,
        tenant: &TenantId,
        name: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, BoxError> {
        let mut item = key(tenant, name);
        item.insert(
            "body".to_owned(),
            AttributeValue::B(plaintext.to_vec().into()),
        );
        let sealed = run_crypto(self.encryptor.encrypt_item().plaintext_item(item).send())
            .await?
            .encrypted_item
            .ok_or("no encrypted item")?;
        let mut out = BTreeMap::new();
        for (name, value) in sealed {
            let encoded = match value {
                AttributeValue::S(s) => format!("s:{s}"),
                AttributeValue::B(b) => format!(
                    "b:{}",
                    base64::engine::general_purpose::STANDARD.encode(b.as_ref())
                ),
                other => return Err(format!("unexpected attribute type {other:?}").into()),
            };
            out.insert(name, encoded);
        }
        Ok(serde_json::to_vec(&out)?)
    }

    /// Decrypts what [`seal`](Self::seal) made for the same tenant and name; anything else fails.
    pub async fn open(
        &self,
        tenant: &TenantId,
        name: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, BoxError> {
        let stored: BTreeMap<String, String> = serde_json::from_slice(sealed)?;
        let mut item = HashMap::new();
        for (attribute, encoded) in stored {
            let value = match encoded.split_once(':') {
                Some(("s", s)) => AttributeValue::S(s.to_owned()),
                Some(("b", b)) => {
                    AttributeValue::B(base64::engine::general_purpose::STANDARD.decode(b)?.into())
                }
                _ => return Err("sealed payload is malformed".into()),
            };
            item.insert(attribute, value);
        }
        // The caller's tenant and name, not the stored ones: the signature must match them.
        item.extend(key(tenant, name));
        let opened = run_crypto(self.encryptor.decrypt_item().encrypted_item(item).send())
            .await?
            .plaintext_item
            .ok_or("no decrypted item")?;
        match opened.get("body") {
            Some(AttributeValue::B(body)) => Ok(body.as_ref().to_vec()),
            _ => Err("sealed payload has no body".into()),
        }
    }
}

fn key(tenant: &TenantId, name: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(keys::tenant_pk(tenant))),
        ("sk".to_owned(), AttributeValue::S(name.to_owned())),
    ])
}
