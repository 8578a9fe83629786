//! The repository: the only code that talks to the data table. Domain values go in and come out;
//! `AttributeValue`s never leave this module. Each item is `{pk, sk, kind, data}` where `data` is the
//! record as JSON, encrypted and signed by the client the store is built with.

pub mod keys;

use crate::domain::analysis_record::{Analysis, TokenUsage};
use crate::domain::analysis_template::AnalysisTemplate;
use crate::domain::audit::AuditEntry;
use crate::domain::billing::Subscription;
use crate::domain::member::Member;
use crate::domain::tenant::{BusinessProfile, Tenant};
use crate::domain::{AnalysisId, Role, TemplateId, TenantId, UserId};
use crate::encryption::run_crypto;
use crate::error::{ApiError, BoxError};
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition on the write did not hold (the item exists, or no longer exists).
    #[error("condition on the write did not hold")]
    ConditionFailed,
    #[error("item {pk}/{sk} cannot be read as {kind}")]
    Corrupt {
        pk: String,
        sk: String,
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("data table request failed")]
    Request(#[source] BoxError),
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

/// A month of GenAI use by one tenant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MonthlyUsage {
    /// Analyses accepted (counted against the plan when submitted).
    pub analyses: u64,
    /// Jobs that ran to a result.
    pub jobs: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// Unsigned attributes (see [`crate::encryption`]): updated in place, readable by conditions.
const VERSION: &str = ":version";
const JOBS: &str = ":jobs";
const ANALYSES: &str = ":analyses";
const INPUT_TOKENS: &str = ":input_tokens";
const OUTPUT_TOKENS: &str = ":output_tokens";

/// One page of records and where the next page starts.
#[derive(Debug)]
pub struct Page<T> {
    pub records: Vec<T>,
    pub next_sk: Option<String>,
}

#[derive(Clone)]
pub struct Store {
    ddb: Client,
    table: String,
}

/// Whether a put may replace an existing item.
#[derive(Clone, Copy)]
enum Write {
    New,
    Replace,
    Existing,
}

impl Store {
    /// `ddb` must be the encrypting client from [`crate::encryption`].
    pub fn new(ddb: Client, table: impl Into<String>) -> Self {
        Self {
            ddb,
            table: table.into(),
        }
    }

    fn item<T: Serialize>(
        pk: String,
        sk: String,
        kind: &str,
        record: &T,
    ) -> Result<Item, StoreError> {
        let data = serde_json::to_string(record).map_err(|e| StoreError::Request(Box::new(e)))?;
        Ok(HashMap::from([
            ("pk".to_owned(), AttributeValue::S(pk)),
            ("sk".to_owned(), AttributeValue::S(sk)),
            ("kind".to_owned(), AttributeValue::S(kind.to_owned())),
            ("data".to_owned(), AttributeValue::S(data)),
        ]))
    }

    fn record<T: DeserializeOwned>(item: &Item, kind: &'static str) -> Result<T, StoreError> {
        let text = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default()
        };
        serde_json::from_str(&text("data")).map_err(|source| StoreError::Corrupt {
            pk: text("pk"),
            sk: text("sk"),
            kind,
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

    async fn put_one(&self, put: Put) -> Result<(), StoreError> {
        run_crypto(
            self.ddb
                .put_item()
                .table_name(put.table_name)
                .set_item(Some(put.item))
                .set_condition_expression(put.condition_expression)
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(())
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        run_crypto(
            self.ddb
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
        kind: &'static str,
    ) -> Result<Option<T>, StoreError> {
        Ok(self
            .get_versioned(pk, sk, kind)
            .await?
            .map(|versioned| versioned.record))
    }

    /// A record with its version (0 for records that are never written conditionally).
    async fn get_versioned<T: DeserializeOwned>(
        &self,
        pk: String,
        sk: String,
        kind: &'static str,
    ) -> Result<Option<Versioned<T>>, StoreError> {
        let out = run_crypto(
            self.ddb
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
        kind: &'static str,
        forward: bool,
        limit: Option<i32>,
        start_after: Option<String>,
    ) -> Result<Page<T>, StoreError> {
        let mut request = self
            .ddb
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
            .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()))
            .consistent_read(true)
            .scan_index_forward(forward)
            .set_limit(limit);
        if let Some(sk) = start_after {
            request = request
                .exclusive_start_key("pk", AttributeValue::S(pk))
                .exclusive_start_key("sk", AttributeValue::S(sk));
        }
        let out = run_crypto(request.send()).await.map_err(request_error)?;
        let records = out
            .items()
            .iter()
            .map(|item| Self::record(item, kind))
            .collect::<Result<Vec<T>, _>>()?;
        let next_sk = out
            .last_evaluated_key
            .and_then(|k| k.get("sk").and_then(|v| v.as_s().ok()).cloned());
        Ok(Page { records, next_sk })
    }

    /// The first record of a partition's `prefix` range, in the given direction.
    async fn first<T: DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
        kind: &'static str,
        forward: bool,
    ) -> Result<Option<T>, StoreError> {
        let page: Page<T> = self.query(pk, prefix, kind, forward, Some(1), None).await?;
        Ok(page.records.into_iter().next())
    }

    // ---------------------------------------------------------------- tenants

    /// Creates a tenant with its profile and first owner in one transaction.
    pub async fn create_tenant(
        &self,
        tenant: &Tenant,
        profile: &BusinessProfile,
        owner: &Member,
    ) -> Result<(), StoreError> {
        let pk = keys::tenant_pk(&tenant.id);
        let mut items = vec![
            self.put(
                Self::item(pk.clone(), keys::TENANT_SK.into(), "tenant", tenant)?,
                Write::New,
            )?,
            self.put(
                Self::item(pk, keys::PROFILE_SK.into(), "profile", profile)?,
                Write::New,
            )?,
        ];
        items.extend(self.member_puts(&tenant.id, owner)?);
        self.transact(
            items
                .into_iter()
                .map(|put| TransactWriteItem::builder().put(put).build())
                .collect(),
        )
        .await
    }

    pub async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>, StoreError> {
        self.get(keys::tenant_pk(id), keys::TENANT_SK.into(), "tenant")
            .await
    }

    pub async fn save_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        let item = Self::item(
            keys::tenant_pk(&tenant.id),
            keys::TENANT_SK.into(),
            "tenant",
            tenant,
        )?;
        self.put_one(self.put(item, Write::Existing)?).await
    }

    pub async fn profile(&self, id: &TenantId) -> Result<Option<BusinessProfile>, StoreError> {
        self.get(keys::tenant_pk(id), keys::PROFILE_SK.into(), "profile")
            .await
    }

    pub async fn save_profile(
        &self,
        id: &TenantId,
        profile: &BusinessProfile,
    ) -> Result<(), StoreError> {
        let item = Self::item(
            keys::tenant_pk(id),
            keys::PROFILE_SK.into(),
            "profile",
            profile,
        )?;
        self.put_one(self.put(item, Write::Replace)?).await
    }

    // ---------------------------------------------------------------- members

    fn member_item(tenant: &TenantId, member: &Member) -> Result<Item, StoreError> {
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::member_sk(&member.user_id),
            "member",
            member,
        )?;
        item.insert(
            "role".to_owned(),
            AttributeValue::S(member.role.as_str().to_owned()),
        );
        Ok(item)
    }

    /// A transaction item that holds only while `owner` is still an owner of `tenant`.
    fn still_owner(
        &self,
        tenant: &TenantId,
        owner: &UserId,
    ) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
            .key("sk", AttributeValue::S(keys::member_sk(owner)))
            .condition_expression("#role = :owner")
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(
                ":owner",
                AttributeValue::S(Role::Owner.as_str().to_owned()),
            )
            .build()
            .map_err(|e| StoreError::Request(Box::new(e)))?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// The member item and the user's pointer to it: a user belongs to one tenant only.
    fn member_puts(&self, tenant: &TenantId, member: &Member) -> Result<[Put; 2], StoreError> {
        let pointer = Self::item(
            keys::user_pk(&member.user_id),
            keys::tenant_pk(tenant),
            "membership",
            &tenant,
        )?;
        Ok([
            self.put(Self::member_item(tenant, member)?, Write::New)?,
            self.put(pointer, Write::New)?,
        ])
    }

    /// The tenant a user belongs to, read from our table (never from the client).
    pub async fn tenant_of_user(&self, user: &UserId) -> Result<Option<TenantId>, StoreError> {
        self.first(keys::user_pk(user), keys::TENANT_PREFIX, "membership", true)
            .await
    }

    pub async fn member(
        &self,
        tenant: &TenantId,
        user: &UserId,
    ) -> Result<Option<Member>, StoreError> {
        self.get(keys::tenant_pk(tenant), keys::member_sk(user), "member")
            .await
    }

    pub async fn members(&self, tenant: &TenantId) -> Result<Vec<Member>, StoreError> {
        let mut members = Vec::new();
        let mut start_after = None;
        loop {
            let page = self
                .query(
                    keys::tenant_pk(tenant),
                    keys::MEMBER_PREFIX,
                    "member",
                    true,
                    None,
                    start_after,
                )
                .await?;
            members.extend(page.records);
            match page.next_sk {
                Some(sk) => start_after = Some(sk),
                None => return Ok(members),
            }
        }
    }

    /// Fails with [`StoreError::ConditionFailed`] when the user already belongs to a tenant.
    pub async fn add_member(&self, tenant: &TenantId, member: &Member) -> Result<(), StoreError> {
        let items = self
            .member_puts(tenant, member)?
            .into_iter()
            .map(|put| TransactWriteItem::builder().put(put).build())
            .collect();
        self.transact(items).await
    }

    /// Rewrites a member; [`StoreError::ConditionFailed`] if they were removed meanwhile, or if
    /// `keep_owner` (another owner, named when an owner is demoted) is no longer an owner.
    pub async fn save_member(
        &self,
        tenant: &TenantId,
        member: &Member,
        keep_owner: Option<&UserId>,
    ) -> Result<(), StoreError> {
        let put = self.put(Self::member_item(tenant, member)?, Write::Existing)?;
        match keep_owner {
            None => self.put_one(put).await,
            Some(owner) => {
                self.transact(vec![
                    TransactWriteItem::builder().put(put).build(),
                    self.still_owner(tenant, owner)?,
                ])
                .await
            }
        }
    }

    /// Removes a member and their pointer; with `keep_owner`, only while that other owner still is one.
    pub async fn remove_member(
        &self,
        tenant: &TenantId,
        user: &UserId,
        keep_owner: Option<&UserId>,
    ) -> Result<(), StoreError> {
        let mut items = vec![
            self.delete(keys::tenant_pk(tenant), keys::member_sk(user))?,
            self.delete(keys::user_pk(user), keys::tenant_pk(tenant))?,
        ];
        if let Some(owner) = keep_owner {
            items.push(self.still_owner(tenant, owner)?);
        }
        self.transact(items).await
    }

    // ---------------------------------------------------------------- analyses

    fn analysis_item(
        tenant: &TenantId,
        analysis: &Analysis,
        version: u64,
    ) -> Result<Item, StoreError> {
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::analysis_sk(&analysis.id),
            "analysis",
            analysis,
        )?;
        item.insert(
            "status".to_owned(),
            AttributeValue::S(analysis.status.as_str().to_owned()),
        );
        item.insert(VERSION.to_owned(), AttributeValue::N(version.to_string()));
        Ok(item)
    }

    fn version_of(item: &Item) -> u64 {
        item.get(VERSION)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    pub async fn create_analysis(
        &self,
        tenant: &TenantId,
        analysis: &Analysis,
    ) -> Result<Versioned<Analysis>, StoreError> {
        let item = Self::analysis_item(tenant, analysis, 1)?;
        self.put_one(self.put(item, Write::New)?).await?;
        Ok(Versioned {
            record: analysis.clone(),
            version: 1,
        })
    }

    pub async fn analysis(
        &self,
        tenant: &TenantId,
        id: &AnalysisId,
    ) -> Result<Option<Versioned<Analysis>>, StoreError> {
        self.get_versioned(keys::tenant_pk(tenant), keys::analysis_sk(id), "analysis")
            .await
    }

    /// Writes `next` in place of the record read at `previous.version`: the one conditional status
    /// transition. [`StoreError::ConditionFailed`] if the record changed or was deleted meanwhile.
    pub async fn transition_analysis(
        &self,
        tenant: &TenantId,
        previous: &Versioned<Analysis>,
        next: Analysis,
    ) -> Result<Versioned<Analysis>, StoreError> {
        let version = previous.version + 1;
        let item = Self::analysis_item(tenant, &next, version)?;
        run_crypto(
            self.ddb
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("#status = :from AND #version = :expected")
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#version", VERSION)
                .expression_attribute_values(
                    ":from",
                    AttributeValue::S(previous.record.status.as_str().to_owned()),
                )
                .expression_attribute_values(
                    ":expected",
                    AttributeValue::N(previous.version.to_string()),
                )
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(Versioned {
            record: next,
            version,
        })
    }

    /// Newest first; `after` continues from the last id of the previous page.
    pub async fn analyses(
        &self,
        tenant: &TenantId,
        limit: i32,
        after: Option<&AnalysisId>,
    ) -> Result<Page<Analysis>, StoreError> {
        self.query(
            keys::tenant_pk(tenant),
            keys::ANALYSIS_PREFIX,
            "analysis",
            false,
            Some(limit),
            after.map(keys::analysis_sk),
        )
        .await
    }

    /// [`StoreError::ConditionFailed`] if there was nothing to delete.
    pub async fn delete_analysis(
        &self,
        tenant: &TenantId,
        id: &AnalysisId,
    ) -> Result<(), StoreError> {
        self.delete_existing(keys::tenant_pk(tenant), keys::analysis_sk(id))
            .await
    }

    async fn delete_existing(&self, pk: String, sk: String) -> Result<(), StoreError> {
        run_crypto(
            self.ddb
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

    // ---------------------------------------------------------------- saved forms

    fn template_item(tenant: &TenantId, template: &AnalysisTemplate) -> Result<Item, StoreError> {
        Self::item(
            keys::tenant_pk(tenant),
            keys::template_sk(&template.id),
            "analysis_template",
            template,
        )
    }

    pub async fn create_template(
        &self,
        tenant: &TenantId,
        template: &AnalysisTemplate,
    ) -> Result<(), StoreError> {
        let item = Self::template_item(tenant, template)?;
        self.put_one(self.put(item, Write::New)?).await
    }

    /// [`StoreError::ConditionFailed`] if it was deleted meanwhile.
    pub async fn save_template(
        &self,
        tenant: &TenantId,
        template: &AnalysisTemplate,
    ) -> Result<(), StoreError> {
        let item = Self::template_item(tenant, template)?;
        self.put_one(self.put(item, Write::Existing)?).await
    }

    pub async fn template(
        &self,
        tenant: &TenantId,
        id: &TemplateId,
    ) -> Result<Option<AnalysisTemplate>, StoreError> {
        self.get(
            keys::tenant_pk(tenant),
            keys::template_sk(id),
            "analysis_template",
        )
        .await
    }

    /// Newest first.
    pub async fn templates(
        &self,
        tenant: &TenantId,
        limit: i32,
        after: Option<&TemplateId>,
    ) -> Result<Page<AnalysisTemplate>, StoreError> {
        self.query(
            keys::tenant_pk(tenant),
            keys::TEMPLATE_PREFIX,
            "analysis_template",
            false,
            Some(limit),
            after.map(keys::template_sk),
        )
        .await
    }

    /// [`StoreError::ConditionFailed`] if there was nothing to delete.
    pub async fn delete_template(
        &self,
        tenant: &TenantId,
        id: &TemplateId,
    ) -> Result<(), StoreError> {
        self.delete_existing(keys::tenant_pk(tenant), keys::template_sk(id))
            .await
    }

    // ---------------------------------------------------------------- GenAI usage

    /// Adds one job's tokens to the tenant's month (`YYYY-MM`). The counters are unsigned attributes
    /// updated atomically in place on an item that is otherwise signed like any other; the month's first
    /// job creates that item, every later one is a single update.
    pub async fn add_usage(
        &self,
        tenant: &TenantId,
        month: &str,
        usage: TokenUsage,
    ) -> Result<MonthlyUsage, StoreError> {
        let (pk, sk) = (keys::tenant_pk(tenant), keys::usage_sk(month));
        match self.add_to_counters(&pk, &sk, usage).await {
            Err(StoreError::ConditionFailed) => {
                self.create_usage_month(&pk, &sk, month).await?;
                self.add_to_counters(&pk, &sk, usage).await
            }
            added => added,
        }
    }

    /// The month's usage item, signed like any other, for the counters to be added to; a no-op if a
    /// concurrent request created it first.
    async fn create_usage_month(&self, pk: &str, sk: &str, month: &str) -> Result<(), StoreError> {
        let first = Self::item(pk.to_owned(), sk.to_owned(), "usage", &month)?;
        match self.put_one(self.put(first, Write::New)?).await {
            Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// [`StoreError::ConditionFailed`] while the month's item does not exist yet.
    async fn add_to_counters(
        &self,
        pk: &str,
        sk: &str,
        usage: TokenUsage,
    ) -> Result<MonthlyUsage, StoreError> {
        let out = run_crypto(
            self.ddb
                .update_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(pk.to_owned()))
                .key("sk", AttributeValue::S(sk.to_owned()))
                .condition_expression("attribute_exists(pk)")
                .update_expression("ADD #jobs :one, #input :input, #output :output")
                .expression_attribute_names("#jobs", JOBS)
                .expression_attribute_names("#input", INPUT_TOKENS)
                .expression_attribute_names("#output", OUTPUT_TOKENS)
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .expression_attribute_values(
                    ":input",
                    AttributeValue::N(usage.input_tokens.to_string()),
                )
                .expression_attribute_values(
                    ":output",
                    AttributeValue::N(usage.output_tokens.to_string()),
                )
                .return_values(ReturnValue::AllNew)
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(Self::usage_of(&out.attributes.unwrap_or_default()))
    }

    /// Counts one more accepted analysis in the tenant's month if the count stays within `limit`, as one
    /// atomic conditional update (two concurrent submissions cannot both take the last one). `Ok(Some(used))`
    /// when the limit is reached.
    pub async fn admit_analysis(
        &self,
        tenant: &TenantId,
        month: &str,
        limit: u64,
    ) -> Result<Option<u64>, StoreError> {
        let (pk, sk) = (keys::tenant_pk(tenant), keys::usage_sk(month));
        for _ in 0..2 {
            let counted = run_crypto(
                self.ddb
                    .update_item()
                    .table_name(&self.table)
                    .key("pk", AttributeValue::S(pk.clone()))
                    .key("sk", AttributeValue::S(sk.clone()))
                    .condition_expression(
                        "attribute_exists(pk) AND (attribute_not_exists(#count) OR #count < :limit)",
                    )
                    .update_expression("ADD #count :one")
                    .expression_attribute_names("#count", ANALYSES)
                    .expression_attribute_values(":one", AttributeValue::N("1".into()))
                    .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
                    .send(),
            )
            .await
            .map_err(request_error);
            match counted {
                Ok(_) => return Ok(None),
                Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(e),
            }
            let current = run_crypto(
                self.ddb
                    .get_item()
                    .table_name(&self.table)
                    .key("pk", AttributeValue::S(pk.clone()))
                    .key("sk", AttributeValue::S(sk.clone()))
                    .consistent_read(true)
                    .send(),
            )
            .await
            .map_err(request_error)?;
            match current.item {
                Some(item) => return Ok(Some(Self::usage_of(&item).analyses)),
                None => self.create_usage_month(&pk, &sk, month).await?,
            }
        }
        Err(StoreError::ConditionFailed)
    }

    /// Gives back one analysis counted by [`Self::admit_analysis`] for a submission that then failed.
    pub async fn release_analysis(&self, tenant: &TenantId, month: &str) -> Result<(), StoreError> {
        run_crypto(
            self.ddb
                .update_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
                .key("sk", AttributeValue::S(keys::usage_sk(month)))
                .condition_expression("#count > :zero")
                .update_expression("ADD #count :minus_one")
                .expression_attribute_names("#count", ANALYSES)
                .expression_attribute_values(":zero", AttributeValue::N("0".into()))
                .expression_attribute_values(":minus_one", AttributeValue::N("-1".into()))
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(())
    }

    fn usage_of(item: &Item) -> MonthlyUsage {
        let n = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        MonthlyUsage {
            analyses: n(ANALYSES),
            jobs: n(JOBS),
            input_tokens: n(INPUT_TOKENS),
            output_tokens: n(OUTPUT_TOKENS),
        }
    }

    pub async fn usage(&self, tenant: &TenantId, month: &str) -> Result<MonthlyUsage, StoreError> {
        let out = run_crypto(
            self.ddb
                .get_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
                .key("sk", AttributeValue::S(keys::usage_sk(month)))
                .consistent_read(true)
                .send(),
        )
        .await
        .map_err(request_error)?;
        Ok(out.item.as_ref().map(Self::usage_of).unwrap_or_default())
    }

    // ---------------------------------------------------------------- billing

    /// Links a Stripe customer to a tenant, both ways and at most once: the tenant's record of its
    /// customer and the pointer from the customer to the tenant. [`StoreError::ConditionFailed`] if
    /// the tenant already has a customer or the customer a tenant.
    pub async fn link_stripe_customer(
        &self,
        customer_id: &str,
        tenant: &TenantId,
    ) -> Result<(), StoreError> {
        let record = Self::item(
            keys::tenant_pk(tenant),
            keys::STRIPE_CUSTOMER_SK.into(),
            "stripe_customer",
            &customer_id,
        )?;
        let pointer = Self::item(
            keys::stripe_customer_pk(customer_id),
            keys::tenant_pk(tenant),
            "stripe_customer",
            &tenant,
        )?;
        self.transact(
            [record, pointer]
                .into_iter()
                .map(|item| {
                    let put = self.put(item, Write::New)?;
                    Ok(TransactWriteItem::builder().put(put).build())
                })
                .collect::<Result<_, StoreError>>()?,
        )
        .await
    }

    /// The tenant's Stripe customer id, once Checkout was first opened.
    pub async fn stripe_customer_of(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<String>, StoreError> {
        self.get(
            keys::tenant_pk(tenant),
            keys::STRIPE_CUSTOMER_SK.into(),
            "stripe_customer",
        )
        .await
    }

    /// The tenant a Stripe customer belongs to, from our own table.
    pub async fn tenant_of_stripe_customer(
        &self,
        customer_id: &str,
    ) -> Result<Option<TenantId>, StoreError> {
        self.first(
            keys::stripe_customer_pk(customer_id),
            keys::TENANT_PREFIX,
            "stripe_customer",
            true,
        )
        .await
    }

    pub async fn stripe_event_seen(
        &self,
        tenant: &TenantId,
        event_id: &str,
    ) -> Result<bool, StoreError> {
        let seen: Option<String> = self
            .get(
                keys::tenant_pk(tenant),
                keys::stripe_event_sk(event_id),
                "stripe_event",
            )
            .await?;
        Ok(seen.is_some())
    }

    /// Records that an event was applied; [`StoreError::ConditionFailed`] if it already was. The record
    /// expires (table TTL) long after Stripe's last retry (3 days).
    pub async fn record_stripe_event(
        &self,
        tenant: &TenantId,
        event_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::stripe_event_sk(event_id),
            "stripe_event",
            &event_id,
        )?;
        item.insert(
            "expires_at".to_owned(),
            AttributeValue::N(expires_at.to_string()),
        );
        self.put_one(self.put(item, Write::New)?).await
    }

    pub async fn subscription(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<Versioned<Subscription>>, StoreError> {
        self.get_versioned(
            keys::tenant_pk(tenant),
            keys::SUBSCRIPTION_SK.into(),
            "subscription",
        )
        .await
    }

    /// Writes `next` in place of the subscription read as `previous` (none: there was none), so two
    /// webhook deliveries decided on the same read cannot both win. [`StoreError::ConditionFailed`] if
    /// it changed meanwhile.
    pub async fn replace_subscription(
        &self,
        tenant: &TenantId,
        previous: Option<&Versioned<Subscription>>,
        next: &Subscription,
    ) -> Result<(), StoreError> {
        let version = previous.map_or(0, |p| p.version) + 1;
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::SUBSCRIPTION_SK.into(),
            "subscription",
            next,
        )?;
        item.insert(VERSION.to_owned(), AttributeValue::N(version.to_string()));
        let request = self
            .ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        let request = match previous {
            None => request.condition_expression("attribute_not_exists(pk)"),
            // Written before subscriptions carried a version.
            Some(previous) if previous.version == 0 => request
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(#version)")
                .expression_attribute_names("#version", VERSION),
            Some(previous) => request
                .condition_expression("#version = :expected")
                .expression_attribute_names("#version", VERSION)
                .expression_attribute_values(
                    ":expected",
                    AttributeValue::N(previous.version.to_string()),
                ),
        };
        run_crypto(request.send()).await.map_err(request_error)?;
        Ok(())
    }

    // ---------------------------------------------------------------- audit

    pub async fn last_audit_entry(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<AuditEntry>, StoreError> {
        self.first(keys::tenant_pk(tenant), keys::AUDIT_PREFIX, "audit", false)
            .await
    }

    fn audit_put(
        &self,
        tenant: &TenantId,
        entry: &AuditEntry,
        write: Write,
    ) -> Result<Put, StoreError> {
        let item = Self::item(
            keys::tenant_pk(tenant),
            keys::audit_sk(entry.seq),
            "audit",
            entry,
        )?;
        self.put(item, write)
    }

    /// Writes the entry at its sequence number; [`StoreError::ConditionFailed`] if that number is taken.
    pub async fn insert_audit_entry(
        &self,
        tenant: &TenantId,
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.put_one(self.audit_put(tenant, entry, Write::New)?)
            .await
    }

    /// Replaces an entry as it is. Only tests use it, to show that tampering is caught.
    #[doc(hidden)]
    pub async fn overwrite_audit_entry(
        &self,
        tenant: &TenantId,
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.put_one(self.audit_put(tenant, entry, Write::Existing)?)
            .await
    }

    /// A page of entries; `after_seq` continues from a previous page in the same direction.
    pub async fn audit_entries(
        &self,
        tenant: &TenantId,
        newest_first: bool,
        after_seq: Option<u64>,
        limit: i32,
    ) -> Result<Page<AuditEntry>, StoreError> {
        self.query(
            keys::tenant_pk(tenant),
            keys::AUDIT_PREFIX,
            "audit",
            !newest_first,
            Some(limit),
            after_seq.map(keys::audit_sk),
        )
        .await
    }
}
