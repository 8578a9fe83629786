//! One KMS call per tenant per process per cache TTL for its branch key.
//!
//! Left to itself the hierarchical keyring caches a tenant's branch key twice, under two identifiers:
//! the *active* key for writes (`GetActiveBranchKey`: the key store's ACTIVE item and a KMS Decrypt)
//! and each *version* for reads (`GetBranchKeyVersion`: the version's item and another Decrypt) —
//! although both hold the same key. A request that reads and then writes (every audited read) pays
//! both, and so does every function's instance, every TTL.
//!
//! [`BranchKeyCache`] closes that gap: before the keyring looks a tenant up, it makes sure the tenant's
//! active key was fetched within the TTL and put into the keyring's cache under *both* identifiers —
//! the active one and the one of the version it is. That is sound because the ACTIVE item's KMS
//! ciphertext is bound (by its encryption context) to the branch key id *and* the version, so KMS's
//! Decrypt of it authenticates the plaintext as that version's key; nothing is trusted that KMS did
//! not check. Items written under an older version (before a rotation) miss and are fetched by the
//! keyring as before.
//!
//! The identifiers are the keyring's own (SHA-384 over resource, scope, partition, key store name,
//! branch key id and version, as the Material Providers specify them). Were they ever to differ, the
//! entries would simply go unused and the keyring would fetch as it did before — costlier, never wrong;
//! the integration test counting KMS calls would fail.

use super::beacon_keys::BeaconKeysAhead;
use super::{BRANCH_KEY_CACHE_ENTRIES, BRANCH_KEY_CACHE_SECONDS, LOGICAL_KEY_STORE_NAME};
use crate::encryption::{ready, KeyStore};
use crate::error::BoxError;
use aws_db_esdk::key_store::types::BranchKeyMaterials;
use aws_db_esdk::material_providers::types::cryptographic_materials_cache::CryptographicMaterialsCacheRef;
use aws_db_esdk::material_providers::types::{CacheType, Materials};
use sha2::{Digest, Sha384};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The keyring's cache partition: named, so this module can compute the keyring's identifiers.
pub(super) const KEYRING_PARTITION: &str = "confide-tenant-keyring";

/// The Material Providers' cache-identifier constants (`CacheConstants.dfy`).
const RESOURCE_HIERARCHICAL_KEYRING: u8 = 2;
const SCOPE_ENCRYPT: u8 = 1;
const SCOPE_DECRYPT: u8 = 2;

/// The keyring's cache, and when each tenant's active key last went into it.
#[derive(Clone)]
pub(super) struct BranchKeyCache {
    cache: CryptographicMaterialsCacheRef,
    key_store: KeyStore,
    /// Branch key id → the second (Unix time) its active key was put into the cache.
    fetched_at: Arc<Mutex<HashMap<String, i64>>>,
    /// Where the instance reads beacon keys ahead: started with each branch key fetch.
    beacon_keys_ahead: Option<BeaconKeysAhead>,
}

impl BranchKeyCache {
    pub(super) fn new(
        key_store: &KeyStore,
        beacon_keys_ahead: Option<BeaconKeysAhead>,
    ) -> Result<Self, BoxError> {
        let cache = super::key_cache()?;
        Ok(Self {
            cache,
            key_store: key_store.clone(),
            fetched_at: Arc::default(),
            beacon_keys_ahead,
        })
    }

    /// The cache to hand to the keyring (with [`KEYRING_PARTITION`]).
    pub(super) fn shared(&self) -> CacheType {
        CacheType::Shared(self.cache.clone())
    }

    /// Makes sure the keyring will find `branch_key_id`'s active key, and the version it is, in its
    /// cache: fetches it (one key-store read, one KMS Decrypt) unless that was done within the TTL.
    ///
    /// Called synchronously by the branch key id supplier, right before the keyring's own lookup. A
    /// failed fetch is not an error here: the keyring then fetches itself and reports what fails.
    /// Two requests missing at once both fetch (no waiting on each other; see `tenant_keyring`).
    pub(super) fn prepare(&self, branch_key_id: &str) {
        let now = crate::clock::now_unix();
        if self
            .lock()
            .get(branch_key_id)
            .is_some_and(|&at| now - at < BRANCH_KEY_CACHE_SECONDS)
        {
            return;
        }
        if let Some(beacon_keys) = &self.beacon_keys_ahead {
            beacon_keys.start(branch_key_id);
        }
        let fetch = self
            .key_store
            .get_active_branch_key()
            .branch_key_identifier(branch_key_id)
            .send();
        let materials = match ready(fetch).map(|output| output.branch_key_materials) {
            Ok(Some(materials)) => materials,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "active branch key not fetched ahead of the keyring");
                return;
            }
        };
        if self.put_both(branch_key_id, materials, now).is_ok() {
            let mut fetched_at = self.lock();
            // Bounded like the cache: what has expired there is forgotten here.
            if fetched_at.len() >= BRANCH_KEY_CACHE_ENTRIES as usize {
                fetched_at.retain(|_, at| now - *at < BRANCH_KEY_CACHE_SECONDS);
            }
            fetched_at.insert(branch_key_id.to_owned(), now);
        }
    }

    /// Puts the active key under the keyring's encrypt identifier and under its version's decrypt
    /// identifier, with the keyring's own lifetime.
    fn put_both(
        &self,
        branch_key_id: &str,
        materials: BranchKeyMaterials,
        now: i64,
    ) -> Result<(), BoxError> {
        let version = materials
            .branch_key_version
            .clone()
            .ok_or("branch key materials without a version")?;
        for identifier in [
            active_cache_id(branch_key_id),
            version_cache_id(branch_key_id, &version),
        ] {
            ready(
                self.cache
                    .put_cache_entry()
                    .identifier(identifier)
                    .materials(Materials::BranchKey(materials.clone()))
                    .creation_time(now)
                    .expiry_time(now + BRANCH_KEY_CACHE_SECONDS)
                    .send(),
            )?;
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.fetched_at
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The keyring's identifier of a branch key's active key (`GetActiveCacheId`).
fn active_cache_id(branch_key_id: &str) -> Vec<u8> {
    cache_id(SCOPE_ENCRYPT, &[branch_key_id.as_bytes()])
}

/// The keyring's identifier of one version of a branch key (`GetVersionCacheId`).
fn version_cache_id(branch_key_id: &str, version: &str) -> Vec<u8> {
    cache_id(
        SCOPE_DECRYPT,
        &[branch_key_id.as_bytes(), version.as_bytes()],
    )
}

/// SHA-384 of resource, scope, partition, key store name and the parts, each NUL-separated.
fn cache_id(scope: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut identifier = vec![RESOURCE_HIERARCHICAL_KEYRING, 0, scope, 0];
    identifier.extend_from_slice(KEYRING_PARTITION.as_bytes());
    identifier.push(0);
    identifier.extend_from_slice(LOGICAL_KEY_STORE_NAME.as_bytes());
    for part in parts {
        identifier.push(0);
        identifier.extend_from_slice(part);
    }
    Sha384::digest(&identifier).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_follow_the_keyrings_layout() {
        let mut expected = vec![2, 0, 2, 0];
        expected.extend_from_slice(b"confide-tenant-keyring\0confide-key-store\0tenant-t1\0v1");
        assert_eq!(
            version_cache_id("tenant-t1", "v1"),
            Sha384::digest(&expected).to_vec()
        );
        assert_ne!(active_cache_id("tenant-t1"), active_cache_id("tenant-t2"));
        assert_ne!(
            version_cache_id("tenant-t1", "v1"),
            version_cache_id("tenant-t1", "v2")
        );
    }
}
