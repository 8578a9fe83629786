//! Analyses: the lifecycle record, versioned so that every transition is conditional.

use super::{keys, request_error, Item, Page, Store, StoreError, Versioned, Write, VERSION};
use crate::domain::analysis_record::Analysis;
use crate::domain::personal_data::ItemKind;
use crate::domain::{AnalysisId, TenantId};
use crate::encryption::run_crypto;
use aws_sdk_dynamodb::types::AttributeValue;

impl Store {
    fn analysis_item(
        tenant: &TenantId,
        analysis: &Analysis,
        version: u64,
    ) -> Result<Item, StoreError> {
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::analysis_sk(&analysis.id),
            ItemKind::Analysis,
            analysis,
        )?;
        item.insert(
            "status".to_owned(),
            AttributeValue::S(analysis.status.as_str().to_owned()),
        );
        item.insert(VERSION.to_owned(), AttributeValue::N(version.to_string()));
        Ok(item)
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
        self.get_versioned(
            keys::tenant_pk(tenant),
            keys::analysis_sk(id),
            ItemKind::Analysis,
        )
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
            self.writer([&item])
                .await?
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
    ) -> Result<Page<Analysis, AnalysisId>, StoreError> {
        let page = self
            .query(
                keys::tenant_pk(tenant),
                keys::ANALYSIS_PREFIX,
                ItemKind::Analysis,
                false,
                Some(limit),
                after.map(keys::analysis_sk),
            )
            .await?;
        Ok(page.continued_after(keys::ANALYSIS_PREFIX))
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
}
