//! Why the registry refused a record: a code that does not check (an ID number, a credit code,
//! an industry, a phone), a record that is already there, a place that does not fit where it
//! was put. Each has its kind, which sets the status on every face.

use jiedao_core::RefusalKind;
use jiedao_core::i18n::{Lang, Localized};
use jiedao_core::money::MoneyError;
use jiedao_core::registry::building::TaxBandsError;
use jiedao_core::registry::tag::ValidityError;
use jiedao_core::registry::{CreditCodeError, DocumentError, IndustryError, PhoneError};

#[derive(Debug, Clone, PartialEq)]
pub enum RegistryRefusal {
    Document(DocumentError),
    CreditCode(CreditCodeError),
    Industry(IndustryError),
    Phone(PhoneError),
    Validity(ValidityError),
    Money(MoneyError),
    Bands(TaxBandsError),
    /// A person with this document is already in the registry.
    DuplicateDocument,
    DuplicateCreditCode {
        code: String,
    },
    UnknownTag {
        code: String,
    },
    UnknownDocumentKind {
        text: String,
    },
    UnknownPlaceKind {
        text: String,
    },
    /// A place put under one it cannot belong to (a room under a 小区 directly is fine, a
    /// 小区 under a room is not).
    WrongParent,
    /// A record needs a community (or a place within one) to belong to.
    NoCommunity,
    /// Not a date (YYYY-MM-DD).
    BadDate {
        text: String,
    },
    /// Not a whole number.
    BadNumber {
        text: String,
    },
    /// Not a component class (部件) of the categories.
    UnknownComponentClass {
        code: String,
    },
    /// Persons, places, enterprises or components: the record kind.
    UnknownRecordKind {
        text: String,
    },
}

impl RegistryRefusal {
    pub fn kind(&self) -> RefusalKind {
        match self {
            RegistryRefusal::DuplicateDocument | RegistryRefusal::DuplicateCreditCode { .. } => {
                RefusalKind::Conflict
            }
            _ => RefusalKind::Invalid,
        }
    }
}

impl Localized for RegistryRefusal {
    fn message_key(&self) -> &'static str {
        match self {
            RegistryRefusal::Document(error) => error.message_key(),
            RegistryRefusal::CreditCode(error) => error.message_key(),
            RegistryRefusal::Industry(error) => error.message_key(),
            RegistryRefusal::Phone(error) => error.message_key(),
            RegistryRefusal::Validity(error) => error.message_key(),
            RegistryRefusal::Money(error) => error.message_key(),
            RegistryRefusal::Bands(error) => error.message_key(),
            RegistryRefusal::DuplicateDocument => "registry_refusal.duplicate_document",
            RegistryRefusal::DuplicateCreditCode { .. } => "registry_refusal.duplicate_credit_code",
            RegistryRefusal::UnknownTag { .. } => "registry_refusal.unknown_tag",
            RegistryRefusal::UnknownDocumentKind { .. } => "registry_refusal.unknown_document_kind",
            RegistryRefusal::UnknownPlaceKind { .. } => "registry_refusal.unknown_place_kind",
            RegistryRefusal::WrongParent => "registry_refusal.wrong_parent",
            RegistryRefusal::NoCommunity => "registry_refusal.no_community",
            RegistryRefusal::BadDate { .. } => "registry_refusal.bad_date",
            RegistryRefusal::BadNumber { .. } => "registry_refusal.bad_number",
            RegistryRefusal::UnknownComponentClass { .. } => {
                "registry_refusal.unknown_component_class"
            }
            RegistryRefusal::UnknownRecordKind { .. } => "registry_refusal.unknown_record_kind",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            RegistryRefusal::Document(error) => error.message_args(lang),
            RegistryRefusal::CreditCode(error) => error.message_args(lang),
            RegistryRefusal::Industry(error) => error.message_args(lang),
            RegistryRefusal::Phone(error) => error.message_args(lang),
            RegistryRefusal::Validity(error) => error.message_args(lang),
            RegistryRefusal::Money(error) => error.message_args(lang),
            RegistryRefusal::Bands(error) => error.message_args(lang),
            RegistryRefusal::DuplicateDocument
            | RegistryRefusal::WrongParent
            | RegistryRefusal::NoCommunity => vec![],
            RegistryRefusal::DuplicateCreditCode { code }
            | RegistryRefusal::UnknownTag { code }
            | RegistryRefusal::UnknownComponentClass { code } => vec![("code", code.clone())],
            RegistryRefusal::UnknownDocumentKind { text }
            | RegistryRefusal::UnknownPlaceKind { text }
            | RegistryRefusal::BadDate { text }
            | RegistryRefusal::BadNumber { text }
            | RegistryRefusal::UnknownRecordKind { text } => vec![("text", text.clone())],
        }
    }
}

impl From<RegistryRefusal> for crate::refusal::Refusal {
    fn from(refusal: RegistryRefusal) -> Self {
        crate::refusal::Refusal::Registry(refusal)
    }
}

impl From<RegistryRefusal> for crate::error::StoreError {
    fn from(refusal: RegistryRefusal) -> Self {
        crate::error::StoreError::Refused(refusal.into())
    }
}
