//! Saved analysis forms.

use super::{keys, Item, Page, Store, StoreError, Write};
use crate::domain::analysis_template::AnalysisTemplate;
use crate::domain::personal_data::ItemKind;
use crate::domain::{TemplateId, TenantId};

impl Store {
    fn template_item(tenant: &TenantId, template: &AnalysisTemplate) -> Result<Item, StoreError> {
        Self::item(
            keys::tenant_pk(tenant),
            keys::template_sk(&template.id),
            ItemKind::AnalysisTemplate,
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
            ItemKind::AnalysisTemplate,
        )
        .await
    }

    /// Newest first.
    pub async fn templates(
        &self,
        tenant: &TenantId,
        limit: i32,
        after: Option<&TemplateId>,
    ) -> Result<Page<AnalysisTemplate, TemplateId>, StoreError> {
        let page = self
            .query(
                keys::tenant_pk(tenant),
                keys::TEMPLATE_PREFIX,
                ItemKind::AnalysisTemplate,
                false,
                Some(limit),
                after.map(keys::template_sk),
            )
            .await?;
        Ok(page.continued_after(keys::TEMPLATE_PREFIX))
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
}
