//! The tenant's name dictionary: the names of its contacts and members, which the
//! pseudonymizer looks for in every text sent to a GenAI provider. It is kept as a few shard items
//! under the tenant's partition — encrypted like every item, so sealed under the tenant's key and
//! destroyed with it — each mapping a name to how many contacts or members carry it, so that removing
//! one "Anna Nowak" keeps the name while another remains. A job reads it in the same batch get as its
//! tenant and profile ([`Store::tenant_for_job`]).
//!
//! The store keeps it current itself: every write of a contact or member that adds, renames or
//! removes a name updates the shard of that name (read, change, conditional write, retried on a
//! concurrent change).

use super::{keys, Item, Store, StoreError, Write, VERSION};
use crate::domain::personal_data::ItemKind;
use crate::domain::TenantId;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const KIND: ItemKind = ItemKind::Names;
/// Shards spread the writes of a large import and keep every item far below DynamoDB's 400 KB.
const SHARDS: u64 = 16;
const ATTEMPTS: usize = 8;

#[derive(Debug, Default, Serialize, Deserialize)]
struct NameShard {
    /// A name as written (spaces collapsed) → how many contacts and members carry it.
    names: BTreeMap<String, u32>,
}

/// A name as the dictionary keeps it: trimmed, inner spaces collapsed; `None` when nothing is left.
fn normalize(name: &str) -> Option<String> {
    let joined = name.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// FNV-1a: a stable shard for a name, the same in every process.
fn shard_of(name: &str) -> u64 {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % SHARDS
}

/// What one write does to the dictionary.
#[derive(Debug, Default)]
pub struct NameChange {
    added: Vec<String>,
    removed: Vec<String>,
}

impl NameChange {
    pub fn adding<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.added.extend(names.into_iter().filter_map(normalize));
        self
    }

    pub fn removing<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.removed.extend(names.into_iter().filter_map(normalize));
        self
    }

    /// `before` replaced by `after`; nothing when they are the same name.
    pub fn rename(self, before: &str, after: &str) -> Self {
        if normalize(before) == normalize(after) {
            self
        } else {
            self.removing([before]).adding([after])
        }
    }
}

impl Store {
    /// The keys of the tenant's dictionary shards.
    pub(super) fn name_shard_keys(tenant: &TenantId) -> Vec<(String, String)> {
        (0..SHARDS)
            .map(|shard| (keys::tenant_pk(tenant), keys::names_sk(shard)))
            .collect()
    }

    /// The names in the dictionary shards among `items` (read in one batch with other records), in
    /// shard order, so that the same dictionary always reads the same.
    pub(super) fn names_in(items: &[Item]) -> Result<Vec<String>, StoreError> {
        let mut shards: Vec<(&str, NameShard)> = items
            .iter()
            .filter(|item| Self::sk_of(item).starts_with(keys::NAMES_PREFIX))
            .map(|item| Ok((Self::sk_of(item), Self::record(item, KIND)?)))
            .collect::<Result<_, StoreError>>()?;
        shards.sort_by_key(|(sk, _)| *sk);
        Ok(shards
            .into_iter()
            .flat_map(|(_, shard)| shard.names.into_keys())
            .collect())
    }

    /// Applies `change` to the tenant's dictionary, shard by shard.
    pub async fn change_names(
        &self,
        tenant: &TenantId,
        change: NameChange,
    ) -> Result<(), StoreError> {
        let mut by_shard: BTreeMap<u64, Vec<(String, i64)>> = BTreeMap::new();
        for name in change.added {
            by_shard.entry(shard_of(&name)).or_default().push((name, 1));
        }
        for name in change.removed {
            by_shard
                .entry(shard_of(&name))
                .or_default()
                .push((name, -1));
        }
        for (shard, deltas) in by_shard {
            self.change_shard(tenant, shard, &deltas).await?;
        }
        Ok(())
    }

    async fn change_shard(
        &self,
        tenant: &TenantId,
        shard: u64,
        deltas: &[(String, i64)],
    ) -> Result<(), StoreError> {
        let sk = keys::names_sk(shard);
        for _ in 0..ATTEMPTS {
            let current = self
                .get_versioned::<NameShard>(keys::tenant_pk(tenant), sk.clone(), KIND)
                .await?;
            let (mut record, version) = match current {
                Some(v) => (v.record, Some(v.version)),
                None => (NameShard::default(), None),
            };
            for (name, delta) in deltas {
                let count = i64::from(record.names.get(name).copied().unwrap_or(0)) + delta;
                if count > 0 {
                    record.names.insert(name.clone(), count as u32);
                } else {
                    record.names.remove(name);
                }
            }
            let mut item = Self::item(keys::tenant_pk(tenant), sk.clone(), KIND, &record)?;
            let next = version.map_or(1, |v| v + 1);
            item.insert(VERSION.to_owned(), AttributeValue::N(next.to_string()));
            let put = match version {
                Some(v) => self.put_at_version(item, v)?,
                None => self.put(item, Write::New)?,
            };
            match self.put_one(put).await {
                Err(StoreError::ConditionFailed) => continue,
                other => return other,
            }
        }
        Err(StoreError::ConditionFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_and_land_in_a_stable_shard() {
        assert_eq!(normalize("  Anna   Nowak "), Some("Anna Nowak".to_owned()));
        assert_eq!(normalize("   "), None);
        assert_eq!(shard_of("Anna Nowak"), shard_of("Anna Nowak"));
        assert!((0..SHARDS).contains(&shard_of("Zofia Wiśniewska")));
        let spread: std::collections::HashSet<u64> =
            (0..200).map(|i| shard_of(&format!("Name {i}"))).collect();
        assert_eq!(spread.len() as u64, SHARDS, "names spread over every shard");
    }

    #[test]
    fn a_rename_to_the_same_name_changes_nothing() {
        let same = NameChange::default().rename("Anna  Nowak", "Anna Nowak");
        assert!(same.added.is_empty() && same.removed.is_empty());
        let renamed = NameChange::default().rename("Anna Nowak", "Anna Kowalska");
        assert_eq!(renamed.removed, ["Anna Nowak"]);
        assert_eq!(renamed.added, ["Anna Kowalska"]);
    }
}
