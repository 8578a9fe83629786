//! The registry of personal data: every kind of item Confide stores declares, once, which of its
//! fields are personal, whose data they are, how an export writes them, how an erasure treats them
//! and which retention setting ends them. Export, erasure, retention and the record of processing
//! are meant to read only this (issue 26).
//!
//! The store writes an item only as an [`ItemKind`] (its `kind` attribute is [`ItemKind::name`]), and
//! [`ItemKind::declaration`] is an exhaustive `match`: a new kind of item does not compile until it
//! is declared here. The integration test `tests/tests/registry.rs` reads the raw table after the
//! flows that write every kind and fails on an item whose `kind` is not one of these.

/// Whose personal data a field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A tenant's end customer.
    Contact,
    /// A person working for the tenant (owner, admin, member).
    Member,
    /// The business itself; personal where a sole trader is the business.
    Tenant,
}

/// How an export writes a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// One JSON file of the kind's records.
    Json,
    /// JSON, and a CSV of these columns (record fields, in this order).
    Table(&'static [&'static str]),
    /// Not exported: it holds nothing of anyone's beyond what another kind exports.
    Not(&'static str),
}

/// What an erasure of a subject does to an item of this kind that concerns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    Delete,
    /// The item must stay (a ledger, a legal record): these fields are blanked, the rest kept.
    Anonymise(&'static [&'static str]),
    /// Nothing personal in it.
    NothingToErase,
}

/// Which setting ends items of this kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Retention {
    /// The tenant's `conversation_retention_days` after the last activity.
    Conversations,
    /// The tenant's `contact_retention_days` without activity.
    Contacts,
    /// As long as the tenant's account exists (ended by tenant deletion).
    Account,
    /// As long as its parent item (a pointer, a counter).
    WithParent,
    /// A legal obligation: invoices and payment records, ten years (HGB §257, AO §147).
    LegalYears(u8),
}

/// What one kind of item declares about personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declaration {
    /// Why it is kept, in the words of the record of processing.
    pub purpose: &'static str,
    /// Its personal fields and whose they are; empty when it holds none.
    pub personal: &'static [(&'static str, Subject)],
    pub export: Export,
    pub erasure: Erasure,
    pub retention: Retention,
}

macro_rules! item_kinds {
    ($($kind:ident => $name:literal,)+) => {
        /// Every kind of item in the table, by the `kind` attribute the store writes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ItemKind {
            $($kind,)+
        }

        impl ItemKind {
            pub const ALL: &'static [ItemKind] = &[$(ItemKind::$kind,)+];

            /// The `kind` attribute of its items.
            pub const fn name(self) -> &'static str {
                match self {
                    $(ItemKind::$kind => $name,)+
                }
            }
        }
    };
}

item_kinds! {
    Tenant => "tenant",
    Profile => "profile",
    Member => "member",
    Membership => "membership",
    Contact => "contact",
    Consent => "consent",
    Names => "names",
    TwilioChannel => "twilio_channel",
    EmailChannel => "email_channel",
    ChannelPointer => "channel_pointer",
    Conversation => "conversation",
    OpenConversation => "open_conversation",
    Message => "message",
    ProviderMessage => "provider_message",
    Campaign => "campaign",
    CampaignTarget => "campaign_target",
    Analysis => "analysis",
    AnalysisTemplate => "analysis_template",
    Usage => "usage",
    ContactCount => "contact_count",
    Subscription => "subscription",
    StripeCustomer => "stripe_customer",
    StripeEvent => "stripe_event",
    Audit => "audit",
}

use Subject::{Contact as C, Member as M, Tenant as T};

impl ItemKind {
    /// The kind whose items carry `name` as their `kind` attribute.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    pub const fn declaration(self) -> Declaration {
        use Erasure::{Anonymise, Delete, NothingToErase};
        use Export::{Json, Not, Table};
        use Retention::{Account, Contacts, Conversations, LegalYears, WithParent};
        const fn d(
            purpose: &'static str,
            personal: &'static [(&'static str, Subject)],
            export: Export,
            erasure: Erasure,
            retention: Retention,
        ) -> Declaration {
            Declaration {
                purpose,
                personal,
                export,
                erasure,
                retention,
            }
        }
        match self {
            Self::Tenant => d(
                "the account: company, region, settings",
                &[("company", T)],
                Json,
                Anonymise(&["company"]),
                Account,
            ),
            Self::Profile => d(
                "the business profile analyses and the assistant read",
                &[("name", T), ("location", T), ("people", T), ("faqs", T)],
                Json,
                Delete,
                Account,
            ),
            Self::Member => d(
                "who may sign in to the tenant, with which role",
                &[("email", M)],
                Table(&["user_id", "email", "role", "joined_at"]),
                Delete,
                Account,
            ),
            Self::Membership => d(
                "the tenant a signed-in user belongs to",
                &[],
                Not("the member's record holds it"),
                Delete,
                WithParent,
            ),
            Self::Contact => d(
                "the tenant's customers, to talk to them",
                &[
                    ("name", C),
                    ("email", C),
                    ("phone", C),
                    ("tags", C),
                    ("notes", C),
                    ("attributes", C),
                ],
                Table(&[
                    "id",
                    "name",
                    "email",
                    "phone",
                    "tags",
                    "notes",
                    "created_at",
                    "updated_at",
                ]),
                Delete,
                Contacts,
            ),
            Self::Consent => d(
                "proof of each consent given or withdrawn",
                &[("evidence", C), ("source", C)],
                Table(&[
                    "channel",
                    "purpose",
                    "granted",
                    "source",
                    "recorded_by",
                    "at",
                ]),
                // A suppression record stays, so that an erased contact is not messaged again.
                Anonymise(&["evidence", "source"]),
                Contacts,
            ),
            Self::Names => d(
                "the tenant's names, kept from the GenAI provider",
                &[("names", C), ("names", M)],
                Not("derived from contacts and members"),
                Delete,
                WithParent,
            ),
            Self::TwilioChannel | Self::EmailChannel => d(
                "how the tenant's messages are sent",
                &[],
                Json,
                NothingToErase,
                Account,
            ),
            Self::ChannelPointer => d(
                "which tenant an inbound webhook is for",
                &[],
                Not("a pointer to the channel"),
                NothingToErase,
                WithParent,
            ),
            Self::Conversation => d(
                "conversations with customers",
                &[("contact_id", C), ("assignee", M)],
                Json,
                Delete,
                Conversations,
            ),
            Self::OpenConversation | Self::ProviderMessage => d(
                "finding a conversation or message again",
                &[],
                Not("a pointer to a conversation or message"),
                Delete,
                WithParent,
            ),
            Self::Message => d(
                "messages with customers",
                &[
                    ("body", C),
                    ("subject", C),
                    ("contact_id", C),
                    ("sent_by", M),
                ],
                Table(&[
                    "id",
                    "conversation_id",
                    "direction",
                    "channel",
                    "subject",
                    "body",
                    "status",
                    "at",
                ]),
                Delete,
                Conversations,
            ),
            Self::Campaign => d(
                "messages the tenant sends to many customers",
                &[("audience", C), ("created_by", M)],
                Json,
                Anonymise(&["audience"]),
                Account,
            ),
            Self::CampaignTarget => d(
                "which customer a campaign reached, so none gets it twice",
                &[("contact_id", C)],
                Not("the contact's messages hold it"),
                Delete,
                WithParent,
            ),
            Self::Analysis => d(
                "AI analyses of the business; results and charts in S3",
                &[("inputs", T), ("created_by", M)],
                Table(&[
                    "id",
                    "kind",
                    "status",
                    "created_at",
                    "finished_at",
                    "provider",
                    "model",
                ]),
                Delete,
                Account,
            ),
            Self::AnalysisTemplate => d(
                "saved analysis forms",
                &[("inputs", T), ("created_by", M)],
                Json,
                Delete,
                Account,
            ),
            Self::Usage | Self::ContactCount => d(
                "plan limits",
                &[],
                Not("counts only"),
                NothingToErase,
                Account,
            ),
            Self::Subscription | Self::StripeCustomer | Self::StripeEvent => d(
                "billing through Stripe (no card data)",
                &[],
                Json,
                NothingToErase,
                LegalYears(10),
            ),
            Self::Audit => d(
                "who did what to which data, tamper-evident",
                &[("actor", M), ("source_ip", M)],
                Json,
                // The chain must stay verifiable: entries are kept, their actor and address blanked.
                Anonymise(&["actor", "source_ip"]),
                Account,
            ),
        }
    }
}

/// A recipient of personal data on this deployment: a processor the tenant's data reaches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Subprocessor {
    pub name: String,
    /// What it does with the data.
    pub purpose: String,
    /// Where the data is processed.
    pub location: String,
    /// When it receives data ("always", "when the tenant connects its Twilio account", …).
    pub when: String,
}

/// One category of personal data in the record of processing: a kind of item that holds some.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ProcessingCategory {
    /// The kind of item (`contact`, `message`, …).
    pub kind: String,
    pub purpose: String,
    #[schema(value_type = Vec<String>)]
    pub subjects: Vec<Subject>,
    /// Its personal fields.
    pub fields: Vec<String>,
    /// How long it is kept, in words, with the tenant's own settings filled in.
    pub retention: String,
}

/// A tenant's record of processing activities (GDPR art. 30), generated from the registry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RecordOfProcessing {
    /// The tenant: the controller of its customers' data.
    pub controller: String,
    /// Confide, processing on the controller's behalf.
    pub processor: String,
    /// Where its data is stored.
    pub data_region: super::tenant::DataRegion,
    pub categories: Vec<ProcessingCategory>,
    pub recipients: Vec<Subprocessor>,
    /// Technical and organisational measures, in short.
    pub measures: Vec<String>,
}

impl Retention {
    fn described(self, settings: &super::tenant::TenantSettings) -> String {
        match self {
            Self::Conversations => format!(
                "{} days after the conversation's last activity (the tenant's setting)",
                settings.conversation_retention_days
            ),
            Self::Contacts => format!(
                "{} days without activity (the tenant's setting)",
                settings.contact_retention_days
            ),
            Self::Account => "while the tenant's account exists".to_owned(),
            Self::WithParent => "as long as the item it belongs to".to_owned(),
            Self::LegalYears(years) => format!("{years} years (a legal obligation)"),
        }
    }
}

/// The record of processing of a tenant called `controller`, from the registry: every kind of item
/// that holds personal data, with its purpose, subjects, fields and retention under `settings`.
pub fn record_of_processing(
    controller: &str,
    data_region: super::tenant::DataRegion,
    settings: &super::tenant::TenantSettings,
    recipients: Vec<Subprocessor>,
) -> RecordOfProcessing {
    let categories = ItemKind::ALL
        .iter()
        .filter_map(|kind| {
            let d = kind.declaration();
            if d.personal.is_empty() {
                return None;
            }
            let mut subjects: Vec<Subject> = d.personal.iter().map(|(_, s)| *s).collect();
            subjects.sort();
            subjects.dedup();
            let mut fields: Vec<String> = d.personal.iter().map(|(f, _)| (*f).to_owned()).collect();
            fields.dedup();
            Some(ProcessingCategory {
                kind: kind.name().to_owned(),
                purpose: d.purpose.to_owned(),
                subjects,
                fields,
                retention: d.retention.described(settings),
            })
        })
        .collect();
    RecordOfProcessing {
        controller: controller.to_owned(),
        processor: "Confide".to_owned(),
        data_region,
        categories,
        recipients,
        measures: [
            "every tenant's content encrypted client-side under the tenant's own key (AWS Database Encryption SDK, KMS hierarchical keyring) before it reaches DynamoDB, S3 or SQS",
            "members see only their tenant and only what their role allows; every access to personal data is audited in a tamper-evident chain",
            "personal data sent to a GenAI provider only minimised and pseudonymised",
            "no personal data in logs",
        ]
        .map(str::to_owned)
        .to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_record_of_processing_lists_every_kind_with_personal_data_and_the_tenants_retention() {
        let settings = super::super::tenant::TenantSettings {
            conversation_retention_days: 90,
            ..Default::default()
        };
        let record = record_of_processing(
            "Bakery Ltd",
            super::super::tenant::DataRegion::Eu,
            &settings,
            vec![],
        );
        let kinds: Vec<&str> = record.categories.iter().map(|c| c.kind.as_str()).collect();
        let expected: Vec<&str> = ItemKind::ALL
            .iter()
            .filter(|k| !k.declaration().personal.is_empty())
            .map(|k| k.name())
            .collect();
        assert_eq!(kinds, expected);
        assert!(!kinds.contains(&"usage"), "counts hold nothing personal");
        let messages = record
            .categories
            .iter()
            .find(|c| c.kind == "message")
            .expect("messages");
        assert!(
            messages.retention.starts_with("90 days"),
            "{}",
            messages.retention
        );
        assert_eq!(messages.subjects, [Subject::Contact, Subject::Member]);
        assert_eq!(record.controller, "Bakery Ltd");
    }

    #[test]
    fn every_kind_has_a_name_of_its_own() {
        let names: BTreeSet<&str> = ItemKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), ItemKind::ALL.len());
        for kind in ItemKind::ALL {
            assert_eq!(ItemKind::from_name(kind.name()), Some(*kind));
        }
        assert_eq!(ItemKind::from_name("undeclared"), None);
    }

    #[test]
    fn what_is_personal_is_exported_and_erased_or_said_why_not() {
        for kind in ItemKind::ALL {
            let d = kind.declaration();
            assert!(!d.purpose.is_empty(), "{kind:?} states no purpose");
            if d.personal.is_empty() {
                continue;
            }
            assert_ne!(
                d.erasure,
                Erasure::NothingToErase,
                "{kind:?} holds personal data but erases nothing"
            );
            if let Erasure::Anonymise(fields) = d.erasure {
                for field in fields {
                    assert!(
                        d.personal.iter().any(|(p, _)| p == field),
                        "{kind:?} blanks {field}, which it does not declare personal"
                    );
                }
            }
        }
    }

    #[test]
    fn a_tabular_export_has_columns() {
        for kind in ItemKind::ALL {
            if let Export::Table(columns) = kind.declaration().export {
                assert!(!columns.is_empty(), "{kind:?}");
                let unique: BTreeSet<&&str> = columns.iter().collect();
                assert_eq!(unique.len(), columns.len(), "{kind:?} repeats a column");
            }
        }
    }
}
