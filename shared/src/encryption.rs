//! Client-side encryption of the data table with the AWS Database Encryption SDK.
//!
//! Every tenant has its own branch key in the key store, wrapped by the KMS root key and created at
//! sign-up. The hierarchical keyring picks the branch key from the item's key: partition keys start with
//! `T#<tenant id>` and membership pointers carry it in their sort key (see [`crate::keys`]).
//! Destroying a tenant's branch key rows therefore makes every copy of its items unreadable.
//!
//! Algorithm suite: AES-256-GCM with key commitment and HMAC-SHA384 item signatures, *without* the
//! default suite's extra ECDSA P-384 signature. Asymmetric signatures let readers who cannot write verify
//! items; here every reader is also a writer (the same functions, the same branch key), so ECDSA would
//! add per-item CPU cost and size and no protection. The cost is measured by `cargo bench -p confide-shared`.

use crate::domain::TenantId;
use crate::error::BoxError;
use crate::keys;
use aws_db_esdk::dynamodb::client as dbesdk_client;
use aws_db_esdk::dynamodb::operation::get_branch_key_id_from_ddb_key::{
    GetBranchKeyIdFromDdbKeyInput, GetBranchKeyIdFromDdbKeyOutput,
};
use aws_db_esdk::dynamodb::types::dynamo_db_encryption_config::DynamoDbEncryptionConfig;
use aws_db_esdk::dynamodb::types::error::Error as DbEsdkError;
use aws_db_esdk::dynamodb::types::{
    AsSet, BeaconKeySource, BeaconStyle, BeaconVersion, DynamoDbKeyBranchKeyIdSupplier,
    DynamoDbTableEncryptionConfig, MultiKeyStore, SearchConfig, StandardBeacon,
};
use aws_db_esdk::intercept::DbEsdkInterceptor;
use aws_db_esdk::key_store::client as keystore_client;
use aws_db_esdk::key_store::types::key_store_config::KeyStoreConfig;
use aws_db_esdk::key_store::types::KmsConfiguration;
use aws_db_esdk::material_providers::client as mpl_client;
use aws_db_esdk::material_providers::types::cryptographic_materials_cache::CryptographicMaterialsCacheRef;
use aws_db_esdk::material_providers::types::keyring::KeyringRef;
use aws_db_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
use aws_db_esdk::material_providers::types::{CacheType, DbeAlgorithmSuiteId, MultiThreadedCache};
use aws_db_esdk::{CryptoAction, DynamoDbTablesEncryptionConfig};
use std::collections::HashMap;

mod beacon_keys;
mod branch_keys;
pub mod payloads;
pub use beacon_keys::BeaconKeysAhead;
use branch_keys::BranchKeyCache;

/// The one name under which the key store knows itself; part of every branch key's context.
pub const LOGICAL_KEY_STORE_NAME: &str = "confide-key-store";

/// How long a decrypted branch key stays in memory before KMS is asked again.
const BRANCH_KEY_CACHE_SECONDS: i64 = 300;
/// Tenants whose branch keys one function instance keeps decrypted at a time.
const BRANCH_KEY_CACHE_ENTRIES: i32 = 1000;

/// Attributes of every item and what happens to them. Keys are signed (they must stay queryable);
/// `data` holds all content and is encrypted; names starting with `:` are neither (counters).
pub fn attribute_actions() -> HashMap<String, CryptoAction> {
    HashMap::from([
        ("pk".to_owned(), CryptoAction::SignOnly),
        ("sk".to_owned(), CryptoAction::SignOnly),
        ("kind".to_owned(), CryptoAction::SignOnly),
        // A member's role, readable by condition checks (no one may demote the last owner).
        ("role".to_owned(), CryptoAction::SignOnly),
        ("expires_at".to_owned(), CryptoAction::SignOnly),
        // An analysis's lifecycle state, for conditional transitions and for operators.
        ("status".to_owned(), CryptoAction::SignOnly),
        ("data".to_owned(), CryptoAction::EncryptAndSign),
        // A contact's lookup fields, encrypted like `data` and searchable only through their beacons.
        (beacons::EMAIL.to_owned(), CryptoAction::EncryptAndSign),
        (beacons::PHONE.to_owned(), CryptoAction::EncryptAndSign),
        (beacons::TAGS.to_owned(), CryptoAction::EncryptAndSign),
        // The tenant's branch key id on items with beacons: it names the beacon key.
        (beacons::TENANT_KEY.to_owned(), CryptoAction::SignOnly),
    ])
}

/// Searchable encryption: the beacons that let a tenant find a contact by email or phone, or list
/// contacts by tag, without decrypting its whole list.
///
/// A beacon is a truncated HMAC of the normalised value under the tenant's *beacon key* (created with
/// its branch key, destroyed with it), stored as `aws_dbe_b_<name>`. Email and phone beacons are the
/// hash keys of the `contact-email` and `contact-phone` indexes, whose range key `tenant_key` scopes a
/// lookup to one tenant and tells the DB-ESDK which beacon key to use; tags are a set beacon, matched by
/// `contains` in a filter. The raw table holds no clear or unkeyed hash of an email or phone.
///
/// Lengths: emails and phones are unique within a tenant, so their beacons reveal no frequencies
/// and may be long (few false positives to decrypt and drop); tags repeat, so theirs are short
/// enough that each beacon value stands for several tags.
pub mod beacons {
    pub const EMAIL: &str = "email";
    pub const PHONE: &str = "phone";
    pub const TAGS: &str = "tags";
    pub const TENANT_KEY: &str = "tenant_key";
    pub const EMAIL_INDEX: &str = "contact-email";
    pub const PHONE_INDEX: &str = "contact-phone";
    pub(super) const EMAIL_BITS: i32 = 32;
    pub(super) const PHONE_BITS: i32 = 32;
    pub(super) const TAG_BITS: i32 = 12;
}

/// `beacon_key_cache` holds the tenants' beacon keys (see [`beacon_keys`] for why it is shared).
pub fn search_config(
    key_store: KeyStore,
    beacon_key_cache: &CryptographicMaterialsCacheRef,
) -> Result<SearchConfig, BoxError> {
    let standard = |name: &str, length: i32| StandardBeacon::builder().name(name).length(length);
    let version = BeaconVersion::builder()
        .standard_beacons(vec![
            standard(beacons::EMAIL, beacons::EMAIL_BITS).build()?,
            standard(beacons::PHONE, beacons::PHONE_BITS).build()?,
            standard(beacons::TAGS, beacons::TAG_BITS)
                .style(BeaconStyle::AsSet(AsSet::builder().build()?))
                .build()?,
        ])
        .version(1)
        .key_store(key_store)
        .key_source(BeaconKeySource::Multi(
            MultiKeyStore::builder()
                .key_field_name(beacons::TENANT_KEY)
                .cache_ttl(BRANCH_KEY_CACHE_SECONDS as i32)
                .cache(CacheType::Shared(beacon_key_cache.clone()))
                .partition_id(beacon_keys::BEACON_KEY_PARTITION)
                .build()?,
        ))
        .build()?;
    Ok(SearchConfig::builder()
        .write_version(1)
        .versions(vec![version])
        .build()?)
}

pub const UNSIGNED_ATTRIBUTE_PREFIX: &str = ":";

/// Whether an item has an attribute a beacon is computed from (or the one naming its beacon key), so
/// must be written by the client that computes beacons.
pub fn has_beacon_sources(item: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue>) -> bool {
    [
        beacons::EMAIL,
        beacons::PHONE,
        beacons::TAGS,
        beacons::TENANT_KEY,
    ]
    .iter()
    .any(|name| item.contains_key(*name))
}

/// Runs a request that goes through the DB-ESDK off the async scheduler's books.
///
/// The DB-ESDK encrypts and decrypts synchronously and holds a lock on the keyring while a cache miss
/// fetches the branch key (itself a blocking wait on an SDK call). A second request that meets the lock
/// blocks its worker thread; if a task the first one needs sits in that worker's queue, neither moves
/// (seen here as a hung test). `block_in_place` hands the worker's queue to another thread before
/// blocking, so nothing waits behind a blocked thread. On a current-thread runtime (unit tests) the
/// future simply runs.
pub async fn run_crypto<F: std::future::Future>(future: F) -> F::Output {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| handle.block_on(future))
        }
        _ => future.await,
    }
}

/// The output of one of the DB-ESDK's own futures, which are ready on their first poll: its Dafny
/// core is synchronous (it blocks on its SDK calls itself, see [`run_crypto`]), so its client builders
/// and key-store calls can run where no `.await` is possible — in the branch key id supplier, or when
/// [`TenantCrypto`] is built on first use.
pub(crate) fn ready<T, E: Into<BoxError>>(
    future: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, BoxError> {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut context) {
        std::task::Poll::Ready(output) => output.map_err(Into::into),
        std::task::Poll::Pending => Err("a DB-ESDK call did not complete synchronously".into()),
    }
}

/// The branch key id of a tenant.
pub fn branch_key_id(tenant: &TenantId) -> String {
    format!("tenant-{tenant}")
}

/// Maps an item's primary key to its tenant's branch key, and has that key ready in the keyring's
/// cache (see [`BranchKeyCache`]) before the keyring looks for it.
struct TenantBranchKeys {
    cache: BranchKeyCache,
}

impl DynamoDbKeyBranchKeyIdSupplier for TenantBranchKeys {
    fn get_branch_key_id_from_ddb_key(
        &self,
        input: GetBranchKeyIdFromDdbKeyInput,
    ) -> Result<GetBranchKeyIdFromDdbKeyOutput, DbEsdkError> {
        let refuse = |message: &str| DbEsdkError::DynamoDbEncryptionException {
            message: message.to_owned(),
        };
        let key = input.ddb_key.ok_or_else(|| refuse("item has no key"))?;
        let text = |name: &str| {
            key.get(name)
                .and_then(|v| v.as_s().ok())
                .map(String::as_str)
        };
        let tenant = keys::tenant_of_key(
            text("pk").unwrap_or_default(),
            text("sk").unwrap_or_default(),
        )
        .ok_or_else(|| refuse("item key names no tenant"))?;
        let branch_key_id = branch_key_id(&tenant);
        self.cache.prepare(&branch_key_id);
        GetBranchKeyIdFromDdbKeyOutput::builder()
            .branch_key_id(branch_key_id)
            .build()
            .map_err(|e| refuse(&e.to_string()))
    }
}

/// The branch-key store (a DynamoDB table of KMS-wrapped keys). A process builds one and hands it to
/// the keyring, the beacon search and [`TenantKeys`], so its KMS and DynamoDB clients exist once.
pub type KeyStore = keystore_client::Client;

pub fn key_store(
    sdk: &aws_config::SdkConfig,
    key_store_table: &str,
    root_key_arn: &str,
) -> Result<KeyStore, BoxError> {
    let config = KeyStoreConfig::builder()
        .kms_client(crate::aws::kms(sdk))
        .ddb_client(crate::aws::dynamodb(sdk))
        .ddb_table_name(key_store_table)
        .logical_key_store_name(LOGICAL_KEY_STORE_NAME)
        .kms_configuration(KmsConfiguration::KmsKeyArn(root_key_arn.to_owned()))
        .build()?;
    Ok(keystore_client::Client::from_conf(config)?)
}

/// Creates tenants' branch keys: the control-plane half of the key store.
#[derive(Clone)]
pub struct TenantKeys {
    crypto: TenantCrypto,
}

impl TenantKeys {
    pub fn new(crypto: &TenantCrypto) -> Self {
        Self {
            crypto: crypto.clone(),
        }
    }

    /// Creates the tenant's branch key (and its beacon key). Called once, at sign-up.
    pub async fn create(&self, tenant: &TenantId) -> Result<(), BoxError> {
        self.crypto
            .key_store()?
            .create_key()
            .branch_key_identifier(branch_key_id(tenant))
            .encryption_context(HashMap::from([("tenant".to_owned(), tenant.to_string())]))
            .send()
            .await?;
        Ok(())
    }
}

/// The hierarchical keyring that picks each tenant's branch key from an item's key. One per client.
/// With `beacon_keys_ahead`, each tenant's beacon key is unwrapped beside its branch key.
pub fn tenant_keyring(
    key_store: &KeyStore,
    beacon_keys_ahead: Option<BeaconKeysAhead>,
) -> Result<KeyringRef, BoxError> {
    let cache = BranchKeyCache::new(key_store, beacon_keys_ahead)?;
    let dbesdk = dbesdk_client::Client::from_conf(DynamoDbEncryptionConfig::builder().build()?)?;
    let supplier = ready(
        dbesdk
            .create_dynamo_db_encryption_branch_key_id_supplier()
            .ddb_key_branch_key_id_supplier(TenantBranchKeys {
                cache: cache.clone(),
            })
            .send(),
    )?
    .branch_key_id_supplier
    .ok_or("DB-ESDK returned no branch key id supplier")?;
    let mpl = mpl_client::Client::from_conf(MaterialProvidersConfig::builder().build()?)?;
    ready(
        mpl.create_aws_kms_hierarchical_keyring()
            .branch_key_id_supplier(supplier)
            .key_store(key_store.clone())
            .ttl_seconds(BRANCH_KEY_CACHE_SECONDS)
            // Not the default storm-tracking cache: it makes a second miss for a key being fetched wait
            // synchronously, which deadlocks when both run on one task (a worker's concurrent batch) or
            // fill the runtime's threads. Here concurrent misses each fetch; the cost is a few extra
            // key-store reads on a cold start. Shared with the supplier, which fills it ahead.
            .cache(cache.shared())
            .partition_id(branch_keys::KEYRING_PARTITION)
            .send(),
    )
}

/// The data table's encryption configuration: what is encrypted and signed, under which keyring and
/// suite. `keyring` comes from [`tenant_keyring`]; a process shares one, so each tenant's branch key is
/// fetched and cached once for the table and for payloads alike.
///
/// With `search` ([`search_config`]) a client of it also computes beacons on write and answers beacon
/// queries; it reads every item. Without, it is only for writing items that have no beacon sources
/// ([`has_beacon_sources`]): the DB-ESDK fetches the tenant's beacon key for *every* write under a
/// search configuration — one more key-store read and KMS Decrypt per tenant per TTL — even when the
/// item has nothing to compute a beacon from.
pub fn table_encryption(
    table: &str,
    keyring: KeyringRef,
    suite: DbeAlgorithmSuiteId,
    search: Option<SearchConfig>,
) -> Result<DynamoDbTablesEncryptionConfig, BoxError> {
    let table_config = DynamoDbTableEncryptionConfig::builder()
        .logical_table_name(table)
        .partition_key_name("pk")
        .sort_key_name("sk")
        .attribute_actions_on_encrypt(attribute_actions())
        .keyring(keyring)
        .allowed_unsigned_attribute_prefix(UNSIGNED_ATTRIBUTE_PREFIX)
        .algorithm_suite_id(suite)
        .set_search(search)
        .build()?;
    Ok(DynamoDbTablesEncryptionConfig::builder()
        .table_encryption_configs(HashMap::from([(table.to_owned(), table_config)]))
        .build()?)
}

/// Builds the DynamoDB client that encrypts and signs on write and verifies and decrypts on read, as
/// `tables` ([`table_encryption`]) says.
pub fn encrypting_dynamodb_client(
    sdk: &aws_config::SdkConfig,
    tables: DynamoDbTablesEncryptionConfig,
) -> Result<aws_sdk_dynamodb::Client, BoxError> {
    let config = aws_sdk_dynamodb::config::Builder::from(sdk)
        .interceptor(DbEsdkInterceptor::new(tables)?)
        .interceptor(crate::xray::Subsegments)
        .build();
    Ok(aws_sdk_dynamodb::Client::from_conf(config))
}

/// A cache of unwrapped keys, for the keyring's branch keys or the search's beacon keys.
pub fn key_cache() -> Result<CryptographicMaterialsCacheRef, BoxError> {
    let mpl = mpl_client::Client::from_conf(MaterialProvidersConfig::builder().build()?)?;
    // Not the default storm-tracking cache, for the reason given in `tenant_keyring`.
    ready(
        mpl.create_cryptographic_materials_cache()
            .cache(CacheType::MultiThreaded(
                MultiThreadedCache::builder()
                    .entry_capacity(BRANCH_KEY_CACHE_ENTRIES)
                    .build()?,
            ))
            .send(),
    )
}

/// The suite Confide writes with; see the module comment for why.
pub const ALGORITHM_SUITE: DbeAlgorithmSuiteId =
    DbeAlgorithmSuiteId::AlgAes256GcmHkdfSha512CommitKeySymsigHmacSha384;

/// A process's tenant-key machinery — key store, keyring, the table's encrypting client and the
/// payload cipher — built by the first request that reads or writes tenant data rather than during
/// init: converting and checking the DB-ESDK's configuration costs about a millisecond of CPU, which
/// a request that never reaches tenant data (a refused token, the health check) should not pay, and
/// which the first request that does reach it pays once, beside its network calls. Nothing here does
/// I/O, so a failure is a configuration error: it is kept and returned to every caller.
#[derive(Clone)]
pub struct TenantCrypto {
    inner: std::sync::Arc<LazyCrypto>,
}

struct LazyCrypto {
    sdk: aws_config::SdkConfig,
    table: String,
    key_store_table: String,
    root_key_arn: String,
    /// Set by [`TenantCrypto::read_beacon_keys_ahead`] before the first build.
    beacon_keys_ahead: std::sync::atomic::AtomicBool,
    built: std::sync::OnceLock<Result<BuiltCrypto, String>>,
}

struct BuiltCrypto {
    key_store: KeyStore,
    beacon_keys_ahead: Option<BeaconKeysAhead>,
    table_client: aws_sdk_dynamodb::Client,
    writer_without_beacons: aws_sdk_dynamodb::Client,
    cipher: crate::encryption::payloads::PayloadCipher,
}

impl TenantCrypto {
    pub fn new(sdk: &aws_config::SdkConfig, config: &crate::config::Config) -> Self {
        Self {
            inner: std::sync::Arc::new(LazyCrypto {
                sdk: sdk.clone(),
                table: config.table.clone(),
                key_store_table: config.key_store_table.clone(),
                root_key_arn: config.root_key_arn.clone(),
                beacon_keys_ahead: std::sync::atomic::AtomicBool::new(false),
                built: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Makes this process unwrap each tenant's beacon key beside its branch key (see [`beacon_keys`]):
    /// for a function whose requests mostly compute beacons. Takes effect only before the first
    /// request reaches tenant data, hence its place in a function's wiring.
    pub fn read_beacon_keys_ahead(&self) {
        self.inner
            .beacon_keys_ahead
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Waits for the unwrap of `tenant`'s beacon key that is under way ahead of this request, if
    /// any: a request about to compute beacons calls it so that it does not unwrap the key twice.
    pub async fn beacon_key_ready(&self, tenant: &TenantId) {
        let ahead = self.inner.built.get().and_then(|built| built.as_ref().ok());
        if let Some(ahead) = ahead.and_then(|built| built.beacon_keys_ahead.as_ref()) {
            ahead.wait(&branch_key_id(tenant)).await;
        }
    }

    /// The data table's client that encrypts and signs on write, verifies and decrypts on read, and
    /// computes and queries beacons.
    pub fn table_client(&self) -> Result<&aws_sdk_dynamodb::Client, BoxError> {
        Ok(&self.built()?.table_client)
    }

    /// The same, without beacons: for writing items that have no beacon sources (see
    /// [`encrypting_dynamodb_client`] for why).
    pub fn writer_without_beacons(&self) -> Result<&aws_sdk_dynamodb::Client, BoxError> {
        Ok(&self.built()?.writer_without_beacons)
    }

    /// Seals S3 objects and queue bodies under the same keyring as the table.
    pub fn cipher(&self) -> Result<&crate::encryption::payloads::PayloadCipher, BoxError> {
        Ok(&self.built()?.cipher)
    }

    pub fn key_store(&self) -> Result<&KeyStore, BoxError> {
        Ok(&self.built()?.key_store)
    }

    fn built(&self) -> Result<&BuiltCrypto, BoxError> {
        let lazy = &self.inner;
        let build = || -> Result<BuiltCrypto, BoxError> {
            let key_store = key_store(&lazy.sdk, &lazy.key_store_table, &lazy.root_key_arn)?;
            let beacon_keys_ahead = lazy
                .beacon_keys_ahead
                .load(std::sync::atomic::Ordering::Relaxed)
                .then(BeaconKeysAhead::default);
            // One keyring, so each tenant's branch key is fetched once for the table and payloads.
            let keyring = tenant_keyring(&key_store, beacon_keys_ahead.clone())?;
            let beacon_key_cache = key_cache()?;
            let tables =
                |search| table_encryption(&lazy.table, keyring.clone(), ALGORITHM_SUITE, search);
            let searchable = tables(Some(search_config(key_store.clone(), &beacon_key_cache)?))?;
            if let Some(ahead) = &beacon_keys_ahead {
                ahead.connect(
                    aws_db_esdk::client::Client::from_conf(searchable.clone())?,
                    &lazy.table,
                );
            }
            let table_client = encrypting_dynamodb_client(&lazy.sdk, searchable)?;
            let writer_without_beacons = encrypting_dynamodb_client(&lazy.sdk, tables(None)?)?;
            let cipher = crate::encryption::payloads::PayloadCipher::new(keyring)?;
            Ok(BuiltCrypto {
                key_store,
                beacon_keys_ahead,
                table_client,
                writer_without_beacons,
                cipher,
            })
        };
        lazy.built
            .get_or_init(|| build().map_err(|e| format!("tenant encryption setup: {e}")))
            .as_ref()
            .map_err(|message| message.clone().into())
    }
}
