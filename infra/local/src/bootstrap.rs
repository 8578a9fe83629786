//! Creates, on the AWS emulator, exactly the resources `template.yaml` declares. Every step looks
//! before it creates, so running it again against a running emulator changes nothing.

use crate::template::{Table, Template};
use anyhow::{Context, Result};
use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_dynamodb as dynamodb;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, SseSpecification, SseType, TimeToLiveSpecification,
};
use serde_yaml::Value;
use std::collections::BTreeMap;

/// The physical names and ids of what was created, keyed by logical id where there are several.
#[derive(Debug, Clone)]
pub struct Resources {
    pub root_key_arn: String,
    pub tables: BTreeMap<String, String>,
    pub buckets: BTreeMap<String, String>,
    /// Logical id → queue URL.
    pub queues: BTreeMap<String, String>,
    pub user_pool_id: String,
    pub user_pool_client_id: String,
}

pub async fn bootstrap(sdk: &aws_config::SdkConfig, template: &Template) -> Result<Resources> {
    let root_key_arn = root_key(sdk, template).await.context("KMS root key")?;
    let mut tables = BTreeMap::new();
    for table in template.tables()? {
        create_table(sdk, &table, &root_key_arn)
            .await
            .with_context(|| format!("table {}", table.name))?;
        tables.insert(table.logical_id.clone(), table.name.clone());
    }
    let mut buckets = BTreeMap::new();
    for (logical_id, name) in template.bucket_names()? {
        create_bucket(sdk, template, &logical_id, &name, &root_key_arn)
            .await
            .with_context(|| format!("bucket {name}"))?;
        buckets.insert(logical_id, name);
    }
    let queues = create_queues(sdk, template).await.context("queues")?;
    let (user_pool_id, user_pool_client_id) =
        user_pool(sdk, template).await.context("user pool")?;
    Ok(Resources {
        root_key_arn,
        tables,
        buckets,
        queues,
        user_pool_id,
        user_pool_client_id,
    })
}

async fn root_key(sdk: &aws_config::SdkConfig, template: &Template) -> Result<String> {
    let kms = aws_sdk_kms::Client::new(sdk);
    let alias = template
        .key_alias()?
        .context("template declares no KMS alias for the root key")?;
    if let Ok(found) = kms.describe_key().key_id(&alias).send().await {
        if let Some(arn) = found.key_metadata.and_then(|m| m.arn) {
            return Ok(arn);
        }
    }
    let created = kms
        .create_key()
        .description("Confide root key (local)")
        .send()
        .await?;
    let meta = created
        .key_metadata
        .context("KMS returned no key metadata")?;
    kms.enable_key_rotation()
        .key_id(meta.key_id())
        .send()
        .await?;
    kms.create_alias()
        .alias_name(&alias)
        .target_key_id(meta.key_id())
        .send()
        .await?;
    meta.arn.context("KMS key without ARN")
}

async fn create_table(sdk: &aws_config::SdkConfig, table: &Table, key_arn: &str) -> Result<()> {
    let ddb = dynamodb::Client::new(sdk);
    if ddb
        .describe_table()
        .table_name(&table.name)
        .send()
        .await
        .is_ok()
    {
        return Ok(());
    }
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
    };
    let schema = |hash: &str, range: Option<&String>| -> Result<Vec<KeySchemaElement>> {
        let mut schema = vec![key(hash, KeyType::Hash)?];
        if let Some(range) = range {
            schema.push(key(range, KeyType::Range)?);
        }
        Ok(schema)
    };
    let mut request = ddb
        .create_table()
        .table_name(&table.name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(schema(&table.hash, table.range.as_ref())?))
        .sse_specification(
            SseSpecification::builder()
                .enabled(true)
                .sse_type(SseType::Kms)
                .kms_master_key_id(key_arn)
                .build(),
        );
    for (name, kind) in &table.attributes {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()?,
        );
    }
    for index in &table.indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(schema(&index.hash, index.range.as_ref())?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()?,
        );
    }
    request.send().await?;
    if let Some(ttl) = &table.ttl_attribute {
        ddb.update_time_to_live()
            .table_name(&table.name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(ttl)
                    .enabled(true)
                    .build()?,
            )
            .send()
            .await?;
    }
    if table.point_in_time_recovery {
        use dynamodb::types::PointInTimeRecoverySpecification as Pitr;
        ddb.update_continuous_backups()
            .table_name(&table.name)
            .point_in_time_recovery_specification(
                Pitr::builder()
                    .point_in_time_recovery_enabled(true)
                    .build()?,
            )
            .send()
            .await?;
    }
    Ok(())
}

async fn create_bucket(
    sdk: &aws_config::SdkConfig,
    template: &Template,
    logical_id: &str,
    name: &str,
    key_arn: &str,
) -> Result<()> {
    use aws_sdk_s3::types::{
        BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
        PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
        ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
    };
    let s3 = aws_sdk_s3::Client::new(sdk);
    if s3.head_bucket().bucket(name).send().await.is_ok() {
        return Ok(());
    }
    let mut request = s3.create_bucket().bucket(name);
    let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
    if region != "us-east-1" {
        request = request.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region.as_str()))
                .build(),
        );
    }
    request.send().await?;
    let props = template
        .bucket_properties(logical_id)
        .cloned()
        .unwrap_or(Value::Null);
    if props.get("PublicAccessBlockConfiguration").is_some() {
        s3.put_public_access_block()
            .bucket(name)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .block_public_policy(true)
                    .ignore_public_acls(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await?;
    }
    if props.get("BucketEncryption").is_some() {
        let default = ServerSideEncryptionByDefault::builder()
            .sse_algorithm(ServerSideEncryption::AwsKms)
            .kms_master_key_id(key_arn)
            .build()?;
        s3.put_bucket_encryption()
            .bucket(name)
            .server_side_encryption_configuration(
                ServerSideEncryptionConfiguration::builder()
                    .rules(
                        ServerSideEncryptionRule::builder()
                            .apply_server_side_encryption_by_default(default)
                            .bucket_key_enabled(true)
                            .build(),
                    )
                    .build()?,
            )
            .send()
            .await?;
    }
    if props.get("VersioningConfiguration").is_some() {
        s3.put_bucket_versioning()
            .bucket(name)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await?;
    }
    Ok(())
}

async fn create_queues(
    sdk: &aws_config::SdkConfig,
    template: &Template,
) -> Result<BTreeMap<String, String>> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let queues = template.queues()?;
    let mut urls: BTreeMap<String, String> = BTreeMap::new();
    // Dead-letter queues first: the queues that redrive into them need their ARNs.
    let (plain, redriven): (Vec<_>, Vec<_>) = queues.into_iter().partition(|q| q.redrive.is_none());
    for queue in plain.iter().chain(&redriven) {
        let mut request = sqs.create_queue().queue_name(&queue.name);
        for (name, value) in &queue.attributes {
            request = request.attributes(QueueAttributeName::from(name.as_str()), value);
        }
        if let Some((dlq, max_receives)) = &queue.redrive {
            let dlq_url = urls
                .get(dlq)
                .with_context(|| format!("{} redrives to unknown {dlq}", queue.logical_id))?;
            let arn = crate::workers::queue_arn(&sqs, dlq_url).await?;
            let policy =
                serde_json::json!({ "deadLetterTargetArn": arn, "maxReceiveCount": max_receives });
            request = request.attributes(QueueAttributeName::RedrivePolicy, policy.to_string());
        }
        let url = request
            .send()
            .await?
            .queue_url
            .context("SQS returned no queue URL")?;
        urls.insert(queue.logical_id.clone(), url);
    }
    Ok(urls)
}

async fn user_pool(sdk: &aws_config::SdkConfig, template: &Template) -> Result<(String, String)> {
    use cognito::types::{
        AdminCreateUserConfigType, ExplicitAuthFlowsType, PasswordPolicyType, TimeUnitsType,
        TokenValidityUnitsType, UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType,
        VerifiedAttributeType,
    };
    let client = cognito::Client::new(sdk);
    let (pool_name, pool) = template.user_pool()?;
    let (client_name, app) = template.user_pool_client()?;
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let number = |v: &Value, path: &[&str]| -> Option<i32> {
        path.iter()
            .try_fold(v, |v, key| v.get(*key))?
            .as_i64()
            .map(|n| n as i32)
    };
    let flag = |v: &Value, path: &[&str]| -> Option<bool> {
        path.iter().try_fold(v, |v, key| v.get(*key))?.as_bool()
    };

    let pools = client.list_user_pools().max_results(60).send().await?;
    let existing = pools
        .user_pools()
        .iter()
        .find(|p| p.name() == Some(pool_name.as_str()))
        .and_then(|p| p.id().map(str::to_owned));
    let pool_id = match existing {
        Some(id) => id,
        None => {
            let mfa = UserPoolMfaType::from(
                pool.get("MfaConfiguration")
                    .and_then(Value::as_str)
                    .unwrap_or("OFF"),
            );
            let policy = ["Policies", "PasswordPolicy"];
            let password = PasswordPolicyType::builder()
                .set_minimum_length(number(&pool, &[policy[0], policy[1], "MinimumLength"]))
                .set_require_lowercase(flag(&pool, &[policy[0], policy[1], "RequireLowercase"]))
                .set_require_uppercase(flag(&pool, &[policy[0], policy[1], "RequireUppercase"]))
                .set_require_numbers(flag(&pool, &[policy[0], policy[1], "RequireNumbers"]))
                .set_require_symbols(flag(&pool, &[policy[0], policy[1], "RequireSymbols"]))
                .set_temporary_password_validity_days(number(
                    &pool,
                    &[policy[0], policy[1], "TemporaryPasswordValidityDays"],
                ))
                .build();
            let created = client
                .create_user_pool()
                .pool_name(&pool_name)
                .policies(
                    UserPoolPolicyType::builder()
                        .password_policy(password)
                        .build(),
                )
                .set_username_attributes(Some(
                    strings(pool.get("UsernameAttributes"))
                        .iter()
                        .map(|a| UsernameAttributeType::from(a.as_str()))
                        .collect(),
                ))
                .set_auto_verified_attributes(Some(
                    strings(pool.get("AutoVerifiedAttributes"))
                        .iter()
                        .map(|a| VerifiedAttributeType::from(a.as_str()))
                        .collect(),
                ))
                .admin_create_user_config(
                    AdminCreateUserConfigType::builder()
                        .set_allow_admin_create_user_only(flag(
                            &pool,
                            &["AdminCreateUserConfig", "AllowAdminCreateUserOnly"],
                        ))
                        .build(),
                )
                .mfa_configuration(mfa.clone())
                .send()
                .await?;
            let id = created
                .user_pool
                .and_then(|p| p.id)
                .context("Cognito returned no pool id")?;
            if strings(pool.get("EnabledMfas"))
                .iter()
                .any(|m| m == "SOFTWARE_TOKEN_MFA")
            {
                client
                    .set_user_pool_mfa_config()
                    .user_pool_id(&id)
                    .software_token_mfa_configuration(
                        cognito::types::SoftwareTokenMfaConfigType::builder()
                            .enabled(true)
                            .build(),
                    )
                    .mfa_configuration(mfa)
                    .send()
                    .await?;
            }
            id
        }
    };

    let clients = client
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .max_results(60)
        .send()
        .await?;
    if let Some(id) = clients
        .user_pool_clients()
        .iter()
        .find(|c| c.client_name() == Some(client_name.as_str()))
        .and_then(|c| c.client_id())
    {
        return Ok((pool_id, id.to_owned()));
    }
    let unit = |name: &str| {
        app.get("TokenValidityUnits")
            .and_then(|u| u.get(name))
            .and_then(Value::as_str)
            .map(TimeUnitsType::from)
    };
    let created = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name(&client_name)
        .generate_secret(flag(&app, &["GenerateSecret"]).unwrap_or(false))
        .set_explicit_auth_flows(Some(
            strings(app.get("ExplicitAuthFlows"))
                .iter()
                .map(|f| ExplicitAuthFlowsType::from(f.as_str()))
                .collect(),
        ))
        .set_access_token_validity(number(&app, &["AccessTokenValidity"]))
        .set_id_token_validity(number(&app, &["IdTokenValidity"]))
        .set_refresh_token_validity(number(&app, &["RefreshTokenValidity"]))
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .set_access_token(unit("AccessToken"))
                .set_id_token(unit("IdToken"))
                .set_refresh_token(unit("RefreshToken"))
                .build(),
        )
        .set_enable_token_revocation(flag(&app, &["EnableTokenRevocation"]))
        .send()
        .await?;
    let client_id = created
        .user_pool_client
        .and_then(|c| c.client_id)
        .context("Cognito returned no client id")?;
    Ok((pool_id, client_id))
}
