//! Tenant objects in S3: every body is sealed under the tenant's key
//! ([`crate::encryption::payloads::PayloadCipher`]) before it leaves the process, and stored with SSE-KMS
//! underneath. Keys start with `tenants/<tenant id>/`, so a tenant's objects can be listed, exported or
//! erased by prefix.

use crate::aws::LazyClient;
use crate::domain::{AnalysisId, TenantId};
use crate::encryption::TenantCrypto;
use crate::error::BoxError;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier, ServerSideEncryption};

#[derive(Clone)]
pub struct ObjectStore {
    s3: LazyClient<aws_sdk_s3::Client>,
    bucket: String,
    kms_key: String,
    crypto: TenantCrypto,
}

pub fn tenant_prefix(tenant: &TenantId) -> String {
    format!("tenants/{tenant}/")
}

pub fn analysis_prefix(tenant: &TenantId, analysis: &AnalysisId) -> String {
    format!("{}analyses/{analysis}/", tenant_prefix(tenant))
}

pub fn result_key(tenant: &TenantId, analysis: &AnalysisId) -> String {
    format!("{}result.json", analysis_prefix(tenant, analysis))
}

/// Chart `n` (from 0) of an analysis, rendered to SVG.
pub fn chart_key(tenant: &TenantId, analysis: &AnalysisId, n: u32) -> String {
    format!("{}charts/{n}.svg", analysis_prefix(tenant, analysis))
}

impl ObjectStore {
    pub fn new(
        s3: LazyClient<aws_sdk_s3::Client>,
        bucket: impl Into<String>,
        kms_key: impl Into<String>,
        crypto: TenantCrypto,
    ) -> Self {
        Self {
            s3,
            bucket: bucket.into(),
            kms_key: kms_key.into(),
            crypto,
        }
    }

    /// Seals `body` for `tenant`, bound to `key`, and stores it.
    pub async fn put(&self, tenant: &TenantId, key: &str, body: &[u8]) -> Result<(), BoxError> {
        check_owner(tenant, key)?;
        let sealed = self.crypto.cipher()?.seal(tenant, key, body).await?;
        self.s3
            .get()
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(sealed))
            .content_type("application/octet-stream")
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&self.kms_key)
            .send()
            .await?;
        Ok(())
    }

    /// The opened body, or `None` when there is no such object.
    pub async fn get(&self, tenant: &TenantId, key: &str) -> Result<Option<Vec<u8>>, BoxError> {
        check_owner(tenant, key)?;
        let out = match self
            .s3
            .get()
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("NoSuchKey") => {
                return Ok(None)
            }
            Err(e) => return Err(e.into()),
        };
        let sealed = out.body.collect().await?.into_bytes();
        Ok(Some(
            self.crypto.cipher()?.open(tenant, key, &sealed).await?,
        ))
    }

    /// Erases every object and every version under `prefix` (the bucket is versioned: a plain delete
    /// would leave the old versions behind). Returns how many versions were removed.
    pub async fn erase_prefix(&self, tenant: &TenantId, prefix: &str) -> Result<usize, BoxError> {
        check_owner(tenant, prefix)?;
        let mut erased = 0;
        let mut key_marker = None;
        let mut version_marker = None;
        loop {
            let page = self
                .s3
                .get()
                .list_object_versions()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await?;
            let mut objects = Vec::new();
            for (key, version) in page
                .versions()
                .iter()
                .map(|v| (v.key(), v.version_id()))
                .chain(
                    page.delete_markers()
                        .iter()
                        .map(|m| (m.key(), m.version_id())),
                )
            {
                if let Some(key) = key {
                    objects.push(
                        ObjectIdentifier::builder()
                            .key(key)
                            .set_version_id(version.map(str::to_owned))
                            .build()?,
                    );
                }
            }
            if !objects.is_empty() {
                erased += objects.len();
                self.s3
                    .get()
                    .delete_objects()
                    .bucket(&self.bucket)
                    .delete(
                        Delete::builder()
                            .set_objects(Some(objects))
                            .quiet(true)
                            .build()?,
                    )
                    .send()
                    .await?;
            }
            if page.is_truncated() == Some(true) {
                key_marker = page.next_key_marker().map(str::to_owned);
                version_marker = page.next_version_id_marker().map(str::to_owned);
            } else {
                return Ok(erased);
            }
        }
    }
}

/// A last guard against a key naming another tenant's objects.
fn check_owner(tenant: &TenantId, key: &str) -> Result<(), BoxError> {
    if key.starts_with(&tenant_prefix(tenant)) {
        Ok(())
    } else {
        Err(format!("object key outside tenant {tenant}'s prefix").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_objects_live_under_their_tenant() {
        let tenant = TenantId::parse("t1").unwrap();
        let analysis = AnalysisId::parse("a1").unwrap();
        assert_eq!(
            result_key(&tenant, &analysis),
            "tenants/t1/analyses/a1/result.json"
        );
        assert_eq!(
            chart_key(&tenant, &analysis, 2),
            "tenants/t1/analyses/a1/charts/2.svg"
        );
        assert!(check_owner(&tenant, "tenants/t1/analyses/a1/").is_ok());
        let other = TenantId::parse("t2").unwrap();
        assert!(check_owner(&other, &result_key(&tenant, &analysis)).is_err());
        assert!(check_owner(&TenantId::parse("t").unwrap(), "tenants/t1/x").is_err());
    }
}
