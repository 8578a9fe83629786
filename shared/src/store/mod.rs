//! The repository: the only code that talks to the data table. Domain values go in and come out;
//! `AttributeValue`s never leave this module. Each item is `{pk, sk, kind, data}` where `data` is the
//! record as JSON, encrypted and signed by the client the store is built with; every key is built by
//! [`crate::keys`].
//!
//! One [`Store`], one file per aggregate. This module holds the item codec and the shared reads and
//! writes (versioned records, pages, transactions); each file adds the methods for its records:
//!
//! - `tenants`: tenants and their business profiles; `members`: members and the user → tenant pointer;
//! - `analyses`: the analysis lifecycle record; `templates`: saved analysis forms; `usage`: monthly
//!   GenAI usage and the plan's counters;
//! - `contacts`: contacts and their consent ledgers; `names`: the name dictionary the pseudonymizer
//!   reads; `channels`: channel settings and the Twilio-number → tenant pointer;
//! - `conversations`: conversations and their messages; `campaigns`: campaigns, their counters and
//!   each contact's claimed outcome;
//! - `billing`: the Stripe customer link, seen webhook events and the subscription;
//! - `audit`: the audit chain's entries.

mod analyses;
mod audit;
mod billing;
mod campaigns;
mod channels;
mod contacts;
mod conversations;
pub mod members;
mod names;
mod templates;
mod tenants;
mod usage;

pub use campaigns::CampaignState;
pub use conversations::ConversationWrite;
pub use names::NameChange;
pub use tenants::TenantForJob;
pub use usage::MonthlyUsage;

use crate::domain::personal_data::ItemKind;
use crate::domain::{Id, TenantId};
use crate::encryption::{has_beacon_sources, run_crypto, TenantCrypto};
use crate::error::{ApiError, BoxError};
use crate::keys;
use crate::shape::ShapeError;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition on the write did not hold (the item exists, or no longer exists).
    #[error("condition on the write did not hold")]
    ConditionFailed,
    /// A stored record that does not fit its type: its keys (ids only) and where it does not fit,
    /// never its decrypted content ([`crate::shape`]).
    #[error("item {pk}/{sk} cannot be read")]
    Corrupt {
        pk: String,
        sk: String,
        #[source]
        source: ShapeError,
    },
    #[error("data table request failed")]
    Request(#[source] BoxError),
    #[error("the data table's encryption could not be set up")]
    Setup(#[source] BoxError),
}

impl StoreError {
    /// The one mapping of a failed write condition to the API's answer: the record `what` names
    /// changed meanwhile ([`ApiError::changed_meanwhile`]); any other error passes as it is.
    pub fn or_changed_meanwhile(self, what: &str) -> ApiError {
        match self {
            Self::ConditionFailed => ApiError::changed_meanwhile(what),
            other => other.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::unexpected(e)
    }
}

fn request_error<E>(e: aws_sdk_dynamodb::error::SdkError<E>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = e
        .as_service_error()
        .and_then(|s| s.code())
        .unwrap_or_default();
    let cancelled_by_condition = code == "TransactionCanceledException"
        && e.as_service_error()
            .and_then(|s| s.message())
            .is_some_and(|m| m.contains("ConditionalCheckFailed"));
    if code == "ConditionalCheckFailedException" || cancelled_by_condition {
        StoreError::ConditionFailed
    } else {
        StoreError::Request(Box::new(e))
    }
}

type Item = HashMap<String, AttributeValue>;

/// A record and the version it was read at; writes back succeed only at that version.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    pub record: T,
    pub version: u64,
}

/// Unsigned attributes (see [`crate::encryption`]): updated in place, readable by conditions.
const VERSION: &str = ":version";

/// The items of one partition whose sort keys start with `prefix`, a page at a time.
struct Range<'a> {
    pk: String,
    prefix: &'a str,
    forward: bool,
    limit: Option<i32>,
    start_after: Option<String>,
    filter: Option<Filter>,
}

/// A filter expression with its names and values.
struct Filter {
    expression: String,
    names: Vec<(String, String)>,
    values: Vec<(String, AttributeValue)>,
}

/// One page of a listing, newest first or oldest first, and where the next page starts.
#[derive(Debug)]
pub struct Page<T, C> {
    pub records: Vec<T>,
    /// Where the next page starts: after the record this names. `None` on the last page.
    pub next: Option<C>,
}

/// A page as the table returns it: its records and the sort key the next page starts after.
struct SkPage<T> {
    records: Vec<T>,
    next_sk: Option<String>,
}

impl<T> SkPage<T> {
    /// The page with its cursor as the id in the next sort key, without `prefix`: what a listing
    /// hands its client, so no storage key leaves the store.
    fn continued_after<C: Id>(self, prefix: &str) -> Page<T, C> {
        Page {
            next: self
                .next_sk
                .and_then(|sk| sk.strip_prefix(prefix).and_then(|id| C::parse(id).ok())),
            records: self.records,
        }
    }
}

#[derive(Clone)]
pub struct Store {
    crypto: TenantCrypto,
    table: String,
}

/// The tenant whose partition `item` is in.
fn tenant_of_item(item: &Item) -> Option<TenantId> {
    let text = |name| item.get(name).and_then(|value| value.as_s().ok());
    keys::tenant_of_key(text("pk")?, text("sk")?)
}

/// Whether a put may replace an existing item.
#[derive(Clone, Copy)]
enum Write {
    New,
    Replace,
    Existing,
}

impl Store {
    /// `crypto` gives the table's encrypting client, built on the store's first request.
    pub fn new(crypto: TenantCrypto, table: impl Into<String>) -> Self {
        Self {
            crypto,
            table: table.into(),
        }
    }

    /// The tenant-key machinery the store encrypts with.
    pub(crate) fn crypto(&self) -> &TenantCrypto {
        &self.crypto
    }

    /// The client for reads, and for writes of items with beacons.
    fn ddb(&self) -> Result<&Client, StoreError> {
        self.crypto.table_client().map_err(StoreError::Setup)
    }

    /// The client for writing `items`: only a write with beacon sources needs the tenant's beacon
    /// key (see [`crate::encryption::table_encryption`]), and waits for its unwrap if one is under way.
    async fn writer<'a>(
        &self,
        items: impl IntoIterator<Item = &'a Item>,
    ) -> Result<&Client, StoreError> {
        let with_beacons: Vec<&Item> = items
            .into_iter()
            .filter(|i| has_beacon_sources(i))
            .collect();
        if with_beacons.is_empty() {
            return self
                .crypto
                .writer_without_beacons()
                .map_err(StoreError::Setup);
        }
        for tenant in with_beacons.into_iter().filter_map(tenant_of_item) {
            self.crypto.beacon_key_ready(&tenant).await;
        }
        self.ddb()
    }

    /// The client for a query that computes beacons of `tenant`'s (see [`Self::writer`]).
    async fn beacon_reader(&self, tenant: &TenantId) -> Result<&Client, StoreError> {
        self.crypto.beacon_key_ready(tenant).await;
        self.ddb()
    }

    /// An item of `kind` (declared in [`ItemKind::declaration`]: an undeclared kind cannot be
    /// written) holding `record`.
    fn item<T: Serialize>(
        pk: String,
        sk: String,
        kind: ItemKind,
        record: &T,
    ) -> Result<Item, StoreError> {
        let data = serde_json::to_string(record).map_err(|e| StoreError::Request(Box::new(e)))?;
        Ok(HashMap::from([
            ("pk".to_owned(), AttributeValue::S(pk)),
            ("sk".to_owned(), AttributeValue::S(sk)),
            ("kind".to_owned(), AttributeValue::S(kind.name().to_owned())),
            ("data".to_owned(), AttributeValue::S(data)),
        ]))
    }

    fn record<T: DeserializeOwned>(item: &Item, kind: ItemKind) -> Result<T, StoreError> {
        let text = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default()
        };
        crate::shape::from_str(kind.name(), &text("data")).map_err(|source| StoreError::Corrupt {
            pk: text("pk"),
            sk: text("sk"),
            source,
        })
    }

    fn put(&self, item: Item, write: Write) -> Result<Put, StoreError> {
        let builder = Put::builder().table_name(&self.table).set_item(Some(item));
        let builder = match write {
            Write::New => builder.condition_expression("attribute_not_exists(pk)"),
            Write::Existing => builder.condition_expression("attribute_exists(pk)"),
            Write::Replace => builder,
        };
        builder
            .build()
            .map_err(|e| StoreError::Request(Box::new(e)))
    }

    /// A put that replaces the item only while its version is `expected`.
    fn put_at_version(&self, item: Item, expected: u64) -> Result<Put, StoreError> {
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(pk) AND #version = :expected")
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":expected", AttributeValue::N(expected.to_string()))
            .build()
            .map_err(|e| StoreError::Request(Box::new(e)))
    }

    async fn put_one(&self, put: Put) -> Result<(), StoreError> {
        run_crypto(
            self.writer([&put.item])
                .await?
                .put_item()
                .table_name(put.table_name)
                .set_item(Some(put.item))
                .set_condition_expression(put.condition_expression)
                .set_expression_attribute_names(put.expression_attribute_names)
                .set_expression_attribute_values(put.expression_attribute_values)
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(())
    }

    /// Puts new items 25 to a request, retrying what DynamoDB leaves unprocessed.
    async fn put_batch(&self, items: Vec<Item>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        let writer = self.writer(&items).await?;
        let mut requests = items
            .into_iter()
            .map(|item| {
                PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map(|put| WriteRequest::builder().put_request(put).build())
                    .map_err(|e| StoreError::Request(Box::new(e)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut attempts = 0;
        while !requests.is_empty() {
            let rest = requests.split_off(requests.len().min(25));
            let batch = std::mem::replace(&mut requests, rest);
            let out = run_crypto(
                writer
                    .batch_write_item()
                    .request_items(&self.table, batch)
                    .send(),
            )
            .await
            .map_err(request_error)?;
            let unprocessed = out
                .unprocessed_items
                .and_then(|mut tables| tables.remove(&self.table))
                .unwrap_or_default();
            if !unprocessed.is_empty() {
                attempts += 1;
                if attempts > 8 {
                    return Err(StoreError::Request(
                        "DynamoDB kept items unprocessed".into(),
                    ));
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempts.min(5))).await;
                requests.extend(unprocessed);
            }
        }
        Ok(())
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        let puts = items.iter().filter_map(|item| item.put.as_ref());
        run_crypto(
            self.writer(puts.map(|put| &put.item))
                .await?
                .transact_write_items()
                .set_transact_items(Some(items))
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(())
    }

    fn delete(&self, pk: String, sk: String) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(sk))
            .build()
            .map_err(|e| StoreError::Request(Box::new(e)))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    async fn get<T: DeserializeOwned>(
        &self,
        pk: String,
        sk: String,
        kind: ItemKind,
    ) -> Result<Option<T>, StoreError> {
        Ok(self
            .get_versioned(pk, sk, kind)
            .await?
            .map(|versioned| versioned.record))
    }

    /// The items at `keys` that exist, in one request per 100 keys (BatchGetItem, strongly
    /// consistent), in no particular order. Cheaper than a query when the keys are known, and one
    /// request for records a caller would otherwise read one by one.
    async fn get_items(&self, keys: Vec<(String, String)>) -> Result<Vec<Item>, StoreError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut wanted: Vec<Item> = keys
            .into_iter()
            .map(|(pk, sk)| {
                HashMap::from([
                    ("pk".to_owned(), AttributeValue::S(pk)),
                    ("sk".to_owned(), AttributeValue::S(sk)),
                ])
            })
            .collect();
        let mut items = Vec::new();
        let mut attempts = 0;
        while !wanted.is_empty() {
            let rest = wanted.split_off(wanted.len().min(100));
            let batch = std::mem::replace(&mut wanted, rest);
            let request = KeysAndAttributes::builder()
                .set_keys(Some(batch))
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::Request(Box::new(e)))?;
            let out = run_crypto(
                self.ddb()?
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send(),
            )
            .await
            .map_err(request_error)?;
            items.extend(
                out.responses
                    .and_then(|mut tables| tables.remove(&self.table))
                    .unwrap_or_default(),
            );
            let unprocessed = out
                .unprocessed_keys
                .and_then(|mut tables| tables.remove(&self.table))
                .map(|k| k.keys)
                .unwrap_or_default();
            if !unprocessed.is_empty() {
                attempts += 1;
                if attempts > 8 {
                    return Err(StoreError::Request("DynamoDB kept keys unprocessed".into()));
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempts.min(5))).await;
                wanted.extend(unprocessed);
            }
        }
        Ok(items)
    }

    /// An item's sort key.
    fn sk_of(item: &Item) -> &str {
        item.get("sk")
            .and_then(|v| v.as_s().ok())
            .map_or("", String::as_str)
    }

    /// A record with its version (0 for records that are never written conditionally).
    async fn get_versioned<T: DeserializeOwned>(
        &self,
        pk: String,
        sk: String,
        kind: ItemKind,
    ) -> Result<Option<Versioned<T>>, StoreError> {
        let out = run_crypto(
            self.ddb()?
                .get_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(pk))
                .key("sk", AttributeValue::S(sk))
                .consistent_read(true)
                .send(),
        )
        .await
        .map_err(request_error)?;
        out.item
            .map(|item| {
                Ok(Versioned {
                    record: Self::record(&item, kind)?,
                    version: Self::version_of(&item),
                })
            })
            .transpose()
    }

    /// Records of one partition whose sort key starts with `prefix`, strongly consistent.
    async fn query<T: DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
        kind: ItemKind,
        forward: bool,
        limit: Option<i32>,
        start_after: Option<String>,
    ) -> Result<SkPage<T>, StoreError> {
        let range = Range {
            pk,
            prefix,
            forward,
            limit,
            start_after,
            filter: None,
        };
        let (items, next_sk) = self.query_items(range).await?;
        let records = items
            .iter()
            .map(|item| Self::record(item, kind))
            .collect::<Result<Vec<T>, _>>()?;
        Ok(SkPage { records, next_sk })
    }

    /// The raw items of a [`Range`] (for records with unsigned attributes beside them, or a filter)
    /// and where the next page starts.
    async fn query_items(
        &self,
        range: Range<'_>,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let mut request = self
            .ddb()?
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", AttributeValue::S(range.pk.clone()))
            .expression_attribute_values(":prefix", AttributeValue::S(range.prefix.to_owned()))
            .consistent_read(true)
            .scan_index_forward(range.forward)
            .set_limit(range.limit);
        if let Some(filter) = range.filter {
            request = request.filter_expression(filter.expression);
            for (name, attribute) in filter.names {
                request = request.expression_attribute_names(name, attribute);
            }
            for (name, value) in filter.values {
                request = request.expression_attribute_values(name, value);
            }
        }
        if let Some(sk) = range.start_after {
            request = request
                .exclusive_start_key("pk", AttributeValue::S(range.pk))
                .exclusive_start_key("sk", AttributeValue::S(sk));
        }
        let out = run_crypto(request.send()).await.map_err(request_error)?;
        let next_sk = out
            .last_evaluated_key
            .as_ref()
            .and_then(|k| k.get("sk").and_then(|v| v.as_s().ok()).cloned());
        Ok((out.items.unwrap_or_default(), next_sk))
    }

    /// Every record of a partition's `prefix` range, oldest first.
    async fn all<T: DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
        kind: ItemKind,
    ) -> Result<Vec<T>, StoreError> {
        let mut records = Vec::new();
        let mut start = None;
        loop {
            let page: SkPage<T> = self
                .query(pk.clone(), prefix, kind, true, None, start)
                .await?;
            records.extend(page.records);
            match page.next_sk {
                Some(next) => start = Some(next),
                None => return Ok(records),
            }
        }
    }

    /// Deletes every item of a partition whose sort key starts with `prefix`, 25 at a time.
    async fn delete_prefix(&self, pk: String, prefix: &str) -> Result<(), StoreError> {
        loop {
            let out = self
                .ddb()?
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
                .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()))
                .consistent_read(true)
                .limit(25)
                .send();
            let out = run_crypto(out).await.map_err(request_error)?;
            let sort_keys: Vec<String> = out
                .items()
                .iter()
                .filter_map(|item| item.get("sk").and_then(|v| v.as_s().ok()).cloned())
                .collect();
            if sort_keys.is_empty() {
                return Ok(());
            }
            let deletes = sort_keys
                .into_iter()
                .map(|sk| self.delete(pk.clone(), sk))
                .collect::<Result<Vec<_>, _>>()?;
            self.transact(deletes).await?;
        }
    }

    /// The first record of a partition's `prefix` range, in the given direction.
    async fn first<T: DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
        kind: ItemKind,
        forward: bool,
    ) -> Result<Option<T>, StoreError> {
        let page: SkPage<T> = self.query(pk, prefix, kind, forward, Some(1), None).await?;
        Ok(page.records.into_iter().next())
    }

    fn version_of(item: &Item) -> u64 {
        item.get(VERSION)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    async fn delete_existing(&self, pk: String, sk: String) -> Result<(), StoreError> {
        run_crypto(
            self.ddb()?
                .delete_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(pk))
                .key("sk", AttributeValue::S(sk))
                .condition_expression("attribute_exists(pk)")
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(())
    }
}
