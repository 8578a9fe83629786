//! A tenant's beacon key unwrapped beside its branch key, on the instances that compute beacons.
//!
//! A contact lookup (by email, phone or tag) and a contact write need two of the tenant's keys: the
//! branch key, for the items, and the beacon key, for the beacons. A cold instance unwraps each with a
//! key-store read and a KMS Decrypt, one after the other: the branch key while it identifies the caller
//! (the membership pointer is an encrypted item), the beacon key when the handler's query is built.
//! Where an instance's requests mostly compute beacons (the contacts function), [`BeaconKeysAhead`]
//! starts the beacon key's unwrap the moment the instance first meets the tenant — when the branch
//! key's begins — so the two round trips overlap; a request about to compute beacons waits for it
//! rather than unwrapping the key a second time.
//!
//! The unwrap is the DB-ESDK's own: a transforms client built from the table's own configuration
//! transforms a lookup's input (computes its beacons; nothing is sent to DynamoDB), and the beacon key
//! source's cache is shared with the table client's under one partition, so what the transform puts
//! there is what the table client's queries find. Confide derives no key itself.

use super::beacons;
use aws_db_esdk::client::Client as Transforms;
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::watch;

/// The beacon key source's cache partition: named, so the transforms client and the table client
/// share their entries.
pub(super) const BEACON_KEY_PARTITION: &str = "confide-beacon-keys";

#[derive(Clone, Default)]
pub struct BeaconKeysAhead {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Set once the table's configuration is built (it needs the keyring, which needs this).
    transforms: OnceLock<(Transforms, String)>,
    /// Branch key id → the unwrap under way for it; it turns true, and leaves, when the unwrap ends.
    /// How often one starts is the branch key's business: once per fetch, i.e. per TTL.
    under_way: Mutex<HashMap<String, watch::Receiver<bool>>>,
}

impl BeaconKeysAhead {
    /// Hands over the transforms client of the table's configuration (`table` is its name there).
    pub(super) fn connect(&self, transforms: Transforms, table: &str) {
        let _ = self.inner.transforms.set((transforms, table.to_owned()));
    }

    /// Starts unwrapping the beacon key of `branch_key_id` on a blocking thread, unless that is under
    /// way already. Without a runtime (never, in a function) it does nothing: the request's own query
    /// unwraps the key as before.
    pub(super) fn start(&self, branch_key_id: &str) {
        let Some((transforms, table)) = self.inner.transforms.get() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let Ok(lookup) = lookup_input(table, branch_key_id) else {
            return;
        };
        let (finished, done) = watch::channel(false);
        {
            let mut under_way = self.lock();
            if under_way.contains_key(branch_key_id) {
                return;
            }
            under_way.insert(branch_key_id.to_owned(), done);
        }
        let (ahead, branch_key_id) = (self.clone(), branch_key_id.to_owned());
        let transforms = transforms.clone();
        runtime.spawn_blocking(move || {
            let transformed =
                super::ready(transforms.query_input_transform().sdk_input(lookup).send());
            if let Err(error) = transformed {
                // The request's own query unwraps the key and reports what fails.
                tracing::warn!(%error, "beacon key not unwrapped ahead of the request");
            }
            ahead.lock().remove(&branch_key_id);
            let _ = finished.send(true);
        });
    }

    /// Waits for an unwrap of `branch_key_id`'s beacon key that is under way, if one is.
    pub(super) async fn wait(&self, branch_key_id: &str) {
        let done = self.lock().get(branch_key_id).cloned();
        if let Some(mut done) = done {
            // An error means the unwrap's thread ended without a word: nothing left to wait for.
            let _ = done.wait_for(|finished| *finished).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, watch::Receiver<bool>>> {
        self.inner
            .under_way
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A lookup by email of the tenant's contacts, whose transform computes one beacon under the
/// tenant's beacon key. The address is none a contact can have (`.invalid` is reserved).
fn lookup_input(table: &str, branch_key_id: &str) -> Result<QueryInput, BuildError> {
    QueryInput::builder()
        .table_name(table)
        .index_name(beacons::EMAIL_INDEX)
        .key_condition_expression("#field = :value AND #tenant_key = :tenant_key")
        .expression_attribute_names("#field", beacons::EMAIL)
        .expression_attribute_names("#tenant_key", beacons::TENANT_KEY)
        .expression_attribute_values(
            ":value",
            AttributeValue::S("beacon-key-read-ahead@confide.invalid".to_owned()),
        )
        .expression_attribute_values(":tenant_key", AttributeValue::S(branch_key_id.to_owned()))
        .build()
}
