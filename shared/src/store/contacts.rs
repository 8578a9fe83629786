//! Contacts and their consent ledgers.
//!
//! A contact item carries, besides its encrypted record, its email, phone and tags as encrypted
//! attributes of their own: the DB-ESDK writes a keyed beacon of each (`aws_dbe_b_email`, …) that the
//! `contact-email` and `contact-phone` indexes and tag filters search by (see
//! [`crate::encryption::beacons`]). Ledger entries are append-only items beside the contact; the
//! contact's consent summary is rewritten with each entry, in the same transaction.

use super::names::NameChange;
use super::{
    keys, request_error, Filter, Item, Page, Range, SkPage, Store, StoreError, Versioned, Write,
    VERSION,
};
use crate::domain::consent::ConsentEntry;
use crate::domain::contact::Contact;
use crate::domain::personal_data::ItemKind;
use crate::domain::phone::PhoneE164;
use crate::domain::{ConsentEntryId, ContactId, Email, TenantId};
use crate::encryption::{beacons, branch_key_id, run_crypto};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

const KIND: ItemKind = ItemKind::Contact;
const CONSENT_KIND: ItemKind = ItemKind::Consent;

/// A ledger entry as stored: the entry and its id (for ordering).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct StoredConsent {
    id: ConsentEntryId,
    #[serde(flatten)]
    entry: ConsentEntry,
}

impl Store {
    fn contact_item(
        tenant: &TenantId,
        contact: &Contact,
        version: u64,
    ) -> Result<Item, StoreError> {
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::contact_sk(&contact.id),
            KIND,
            contact,
        )?;
        item.insert(
            beacons::TENANT_KEY.to_owned(),
            AttributeValue::S(branch_key_id(tenant)),
        );
        if let Some(email) = &contact.email {
            item.insert(
                beacons::EMAIL.to_owned(),
                AttributeValue::S(email.as_str().to_owned()),
            );
        }
        if let Some(phone) = &contact.phone {
            item.insert(
                beacons::PHONE.to_owned(),
                AttributeValue::S(phone.as_str().to_owned()),
            );
        }
        if !contact.tags.is_empty() {
            item.insert(
                beacons::TAGS.to_owned(),
                AttributeValue::Ss(contact.tags.iter().cloned().collect()),
            );
        }
        item.insert(VERSION.to_owned(), AttributeValue::N(version.to_string()));
        Ok(item)
    }

    /// Stores a new contact. [`StoreError::ConditionFailed`] if its id is taken (never, for fresh ids).
    pub async fn create_contact(
        &self,
        tenant: &TenantId,
        contact: &Contact,
    ) -> Result<Versioned<Contact>, StoreError> {
        let item = Self::contact_item(tenant, contact, 1)?;
        self.put_one(self.put(item, Write::New)?).await?;
        self.change_names(
            tenant,
            NameChange::default().adding([contact.name.as_str()]),
        )
        .await?;
        Ok(Versioned {
            record: contact.clone(),
            version: 1,
        })
    }

    /// Stores new contacts with their first ledger entries (already in their summaries) in batch
    /// writes — half the cost of transactions, and ids are fresh, so no condition is needed. Ledger
    /// entries go first: a failure midway can leave entries of a contact never written, never a
    /// contact whose summary no entry backs.
    pub async fn create_contacts(
        &self,
        tenant: &TenantId,
        contacts: Vec<(Contact, Vec<ConsentEntry>)>,
    ) -> Result<(), StoreError> {
        let mut ledger = Vec::new();
        let mut records = Vec::new();
        let names = NameChange::default().adding(contacts.iter().map(|(c, _)| c.name.as_str()));
        for (mut contact, entries) in contacts {
            for entry in entries {
                contact.record_consent(&entry);
                let stored = StoredConsent {
                    id: ConsentEntryId::generate(),
                    entry,
                };
                ledger.push(Self::item(
                    keys::tenant_pk(tenant),
                    keys::consent_sk(&contact.id, &stored.id),
                    CONSENT_KIND,
                    &stored,
                )?);
            }
            records.push(Self::contact_item(tenant, &contact, 1)?);
        }
        self.put_batch(ledger).await?;
        self.put_batch(records).await?;
        self.change_names(tenant, names).await
    }

    pub async fn contact(
        &self,
        tenant: &TenantId,
        id: &ContactId,
    ) -> Result<Option<Versioned<Contact>>, StoreError> {
        self.get_versioned(keys::tenant_pk(tenant), keys::contact_sk(id), KIND)
            .await
    }

    /// Writes `next` in place of the contact read at `previous.version`. [`StoreError::ConditionFailed`]
    /// if it changed or was deleted meanwhile.
    pub async fn save_contact(
        &self,
        tenant: &TenantId,
        previous: &Versioned<Contact>,
        next: Contact,
    ) -> Result<Versioned<Contact>, StoreError> {
        let version = previous.version + 1;
        let write = self.versioned_put(tenant, previous.version, &next, version)?;
        self.transact(vec![write]).await?;
        self.change_names(
            tenant,
            NameChange::default().rename(&previous.record.name, &next.name),
        )
        .await?;
        Ok(Versioned {
            record: next,
            version,
        })
    }

    fn versioned_put(
        &self,
        tenant: &TenantId,
        expected: u64,
        contact: &Contact,
        version: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let item = Self::contact_item(tenant, contact, version)?;
        Ok(TransactWriteItem::builder()
            .put(self.put_at_version(item, expected)?)
            .build())
    }

    /// Appends a ledger entry and writes the contact's new consent summary with it, at the version
    /// the contact was read. [`StoreError::ConditionFailed`] if the contact changed meanwhile.
    pub async fn append_consent(
        &self,
        tenant: &TenantId,
        previous: &Versioned<Contact>,
        entry: ConsentEntry,
    ) -> Result<Versioned<Contact>, StoreError> {
        let mut next = previous.record.clone();
        next.record_consent(&entry);
        let version = previous.version + 1;
        let stored = StoredConsent {
            id: ConsentEntryId::generate(),
            entry,
        };
        let ledger = Self::item(
            keys::tenant_pk(tenant),
            keys::consent_sk(&next.id, &stored.id),
            CONSENT_KIND,
            &stored,
        )?;
        self.transact(vec![
            TransactWriteItem::builder()
                .put(self.put(ledger, Write::New)?)
                .build(),
            self.versioned_put(tenant, previous.version, &next, version)?,
        ])
        .await?;
        Ok(Versioned {
            record: next,
            version,
        })
    }

    /// The contact's ledger, oldest first.
    pub async fn consents(
        &self,
        tenant: &TenantId,
        contact: &ContactId,
    ) -> Result<Vec<ConsentEntry>, StoreError> {
        let stored: Vec<StoredConsent> = self
            .all(
                keys::tenant_pk(tenant),
                &keys::consent_prefix(contact),
                CONSENT_KIND,
            )
            .await?;
        Ok(stored.into_iter().map(|s| s.entry).collect())
    }

    /// Deletes the contact (as the caller read it) and its ledger (its conversations go first, with
    /// [`Store::erase_conversations_of`]). [`StoreError::ConditionFailed`] if it was already gone.
    pub async fn delete_contact(
        &self,
        tenant: &TenantId,
        contact: &Contact,
    ) -> Result<(), StoreError> {
        let id = &contact.id;
        self.delete_existing(keys::tenant_pk(tenant), keys::contact_sk(id))
            .await?;
        self.delete_prefix(keys::tenant_pk(tenant), &keys::consent_prefix(id))
            .await?;
        // An erased contact's name leaves the dictionary with it.
        self.change_names(
            tenant,
            NameChange::default().removing([contact.name.as_str()]),
        )
        .await
    }

    /// Every contact of the tenant (a large import matches its rows against them in memory).
    pub async fn all_contacts(&self, tenant: &TenantId) -> Result<Vec<Contact>, StoreError> {
        self.all(keys::tenant_pk(tenant), keys::CONTACT_PREFIX, KIND)
            .await
    }

    /// The tenant's contacts, newest first.
    pub async fn contacts(
        &self,
        tenant: &TenantId,
        limit: i32,
        after: Option<&ContactId>,
    ) -> Result<Page<Contact, ContactId>, StoreError> {
        let page = self
            .query(
                keys::tenant_pk(tenant),
                keys::CONTACT_PREFIX,
                KIND,
                false,
                Some(limit),
                after.map(keys::contact_sk),
            )
            .await?;
        Ok(page.continued_after(keys::CONTACT_PREFIX))
    }

    /// The tenant's contacts carrying `tag`, newest first. The filter compares tag beacons, so only
    /// matching contacts (and the rare false positive, which the DB-ESDK drops after decrypting)
    /// leave the table. A page may hold fewer than `limit` contacts and still have a next one.
    pub async fn contacts_tagged(
        &self,
        tenant: &TenantId,
        tag: &str,
        limit: i32,
        after: Option<&ContactId>,
    ) -> Result<Page<Contact, ContactId>, StoreError> {
        let range = Range {
            pk: keys::tenant_pk(tenant),
            prefix: keys::CONTACT_PREFIX,
            forward: false,
            limit: Some(limit),
            start_after: after.map(keys::contact_sk),
            filter: Some(Filter {
                expression: "#tenant_key = :tenant_key AND contains(#tags, :tag)".into(),
                names: vec![
                    ("#tenant_key".into(), beacons::TENANT_KEY.into()),
                    ("#tags".into(), beacons::TAGS.into()),
                ],
                values: vec![
                    (
                        ":tenant_key".into(),
                        AttributeValue::S(branch_key_id(tenant)),
                    ),
                    (":tag".into(), AttributeValue::S(tag.to_owned())),
                ],
            }),
        };
        self.beacon_reader(tenant).await?;
        let (items, next_sk) = self.query_items(range).await?;
        let records = items
            .iter()
            .map(|item| Self::record(item, KIND))
            .collect::<Result<Vec<Contact>, _>>()?;
        Ok(SkPage { records, next_sk }.continued_after(keys::CONTACT_PREFIX))
    }

    pub async fn contact_by_email(
        &self,
        tenant: &TenantId,
        email: &Email,
    ) -> Result<Option<Contact>, StoreError> {
        self.contact_by(tenant, beacons::EMAIL_INDEX, beacons::EMAIL, email.as_str())
            .await
    }

    pub async fn contact_by_phone(
        &self,
        tenant: &TenantId,
        phone: &PhoneE164,
    ) -> Result<Option<Contact>, StoreError> {
        self.contact_by(tenant, beacons::PHONE_INDEX, beacons::PHONE, phone.as_str())
            .await
    }

    /// The tenant's contact whose `field` is `value`, by its beacon. The index answers with every
    /// contact whose beacon matches; the one whose decrypted value is equal is kept.
    async fn contact_by(
        &self,
        tenant: &TenantId,
        index: &str,
        field: &str,
        value: &str,
    ) -> Result<Option<Contact>, StoreError> {
        let out = run_crypto(
            self.beacon_reader(tenant)
                .await?
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#field = :value AND #tenant_key = :tenant_key")
                .expression_attribute_names("#field", field)
                .expression_attribute_names("#tenant_key", beacons::TENANT_KEY)
                .expression_attribute_values(":value", AttributeValue::S(value.to_owned()))
                .expression_attribute_values(
                    ":tenant_key",
                    AttributeValue::S(branch_key_id(tenant)),
                )
                .send(),
        )
        .await
        .map_err(request_error)?;
        // A truncated HMAC can collide: keep the contact whose value is the one asked for.
        for item in out.items() {
            let contact: Contact = Self::record(item, KIND)?;
            let held = match field {
                beacons::EMAIL => contact.email.as_ref().map(|e| e.as_str()),
                _ => contact.phone.as_ref().map(|p| p.as_str()),
            };
            if held == Some(value) {
                return Ok(Some(contact));
            }
        }
        Ok(None)
    }
}
