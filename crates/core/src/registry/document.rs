//! Identity documents (证件): the citizen's ID card and those of people who hold none, with a
//! light check of each number's form and a mask for display.
//!
//! Only the 18-character forms carry a check character and a birth date (GB 11643's rules, see
//! [`super::id_number`]): the 居民身份证, the 港澳台居民居住证 (address code 810000 Hong Kong,
//! 820000 Macao, 830000 Taiwan) and the 外国人永久居留身份证 of 2017 on (first digit 9). The
//! others are checked for their printed form only: 港澳居民来往内地通行证 H or M and 8 digits
//! (10 on the older booklet), 台湾居民来往大陆通行证 8 digits (10 on the older booklet), the
//! older 15-character 永久居留身份证 (3-letter nationality and 12 digits), and passports 5 to
//! 17 letters and digits. 居民身份证法 第九条: people of Hong Kong, Macao and Taiwan who settle
//! on the mainland get an ID card and then are citizens like any other.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::i18n::{self, Lang, Localized};
use crate::typed;

use super::id_number::{
    self, IdNumber, IdNumberError, RESIDENCE_PERMIT_PREFIXES, Sex, form_birth_date, form_sex,
};
use super::mask_middle;

/// The kinds of document a person in the registry may be known by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 居民身份证
    ResidentId,
    /// 港澳台居民居住证
    HkMacaoTaiwanResidence,
    /// 港澳居民来往内地通行证 (回乡证)
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证 (台胞证)
    TaiwanPermit,
    /// 外国人永久居留身份证
    ForeignPermanentResident,
    /// 护照
    Passport,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::ResidentId,
        DocumentKind::HkMacaoTaiwanResidence,
        DocumentKind::HkMacaoPermit,
        DocumentKind::TaiwanPermit,
        DocumentKind::ForeignPermanentResident,
        DocumentKind::Passport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::ResidentId => "resident_id",
            DocumentKind::HkMacaoTaiwanResidence => "hk_macao_taiwan_residence",
            DocumentKind::HkMacaoPermit => "hk_macao_permit",
            DocumentKind::TaiwanPermit => "taiwan_permit",
            DocumentKind::ForeignPermanentResident => "foreign_permanent_resident",
            DocumentKind::Passport => "passport",
        }
    }

    pub fn parse(text: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            DocumentKind::ResidentId => "document.kind_resident_id",
            DocumentKind::HkMacaoTaiwanResidence => "document.kind_hk_macao_taiwan_residence",
            DocumentKind::HkMacaoPermit => "document.kind_hk_macao_permit",
            DocumentKind::TaiwanPermit => "document.kind_taiwan_permit",
            DocumentKind::ForeignPermanentResident => "document.kind_foreign_permanent_resident",
            DocumentKind::Passport => "document.kind_passport",
        }
    }

    /// The locale key describing the form a number of this kind takes.
    fn form_key(self) -> &'static str {
        match self {
            DocumentKind::ResidentId => "document.form_resident_id",
            DocumentKind::HkMacaoTaiwanResidence => "document.form_hk_macao_taiwan_residence",
            DocumentKind::HkMacaoPermit => "document.form_hk_macao_permit",
            DocumentKind::TaiwanPermit => "document.form_taiwan_permit",
            DocumentKind::ForeignPermanentResident => "document.form_foreign_permanent_resident",
            DocumentKind::Passport => "document.form_passport",
        }
    }

    /// How many characters a mask shows at the start and at the end.
    fn mask_shape(self, length: usize) -> (usize, usize) {
        match self {
            _ if length == 18 => (6, 4),
            DocumentKind::ForeignPermanentResident => (3, 4),
            DocumentKind::TaiwanPermit => (0, 3),
            _ => (1, 3),
        }
    }
}

/// Why a document number was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocumentError {
    /// An 18-character number broke one of GB 11643's rules.
    #[error(transparent)]
    Number(#[from] IdNumberError),
    #[error("the number does not have the form of a {kind:?}")]
    WrongForm { kind: DocumentKind },
}

impl Localized for DocumentError {
    fn message_key(&self) -> &'static str {
        match self {
            DocumentError::Number(error) => error.message_key(),
            DocumentError::WrongForm { .. } => "document.wrong_form",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            DocumentError::Number(error) => error.message_args(lang),
            DocumentError::WrongForm { kind } => vec![
                ("kind", i18n::text(lang, kind.label_key()).to_owned()),
                ("form", i18n::text(lang, kind.form_key()).to_owned()),
            ],
        }
    }
}

/// A document number of a known kind, checked for its form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Document {
    kind: DocumentKind,
    number: String,
}

impl Document {
    /// Reads `text` as a number of `kind`; `today` bounds the birth date of 18-character forms.
    pub fn parse(
        kind: DocumentKind,
        text: &str,
        today: NaiveDate,
    ) -> Result<Document, DocumentError> {
        let wrong = DocumentError::WrongForm { kind };
        let compact: String = typed::folded(text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let number = match kind {
            DocumentKind::ResidentId => IdNumber::parse(text, today)?.into(),
            DocumentKind::HkMacaoTaiwanResidence => {
                if !RESIDENCE_PERMIT_PREFIXES
                    .iter()
                    .any(|p| compact.starts_with(p))
                {
                    return Err(wrong);
                }
                id_number::parse_form(&compact, today)?
            }
            DocumentKind::ForeignPermanentResident if compact.len() == 18 => {
                if !compact.starts_with('9') {
                    return Err(wrong);
                }
                id_number::parse_form(&compact, today)?
            }
            DocumentKind::ForeignPermanentResident => {
                let (nationality, rest) = compact.split_at_checked(3).ok_or(wrong.clone())?;
                if !(nationality.bytes().all(|b| b.is_ascii_uppercase())
                    && rest.len() == 12
                    && digits(rest))
                {
                    return Err(wrong);
                }
                compact
            }
            DocumentKind::HkMacaoPermit => {
                let rest = compact.strip_prefix(['H', 'M']).ok_or(wrong.clone())?;
                if !(digits(rest) && matches!(rest.len(), 8 | 10)) {
                    return Err(wrong);
                }
                compact
            }
            DocumentKind::TaiwanPermit => {
                if !(digits(&compact) && matches!(compact.len(), 8 | 10)) {
                    return Err(wrong);
                }
                compact
            }
            DocumentKind::Passport => {
                let alphanumeric = compact.bytes().all(|b| b.is_ascii_alphanumeric());
                let has_digit = compact.bytes().any(|b| b.is_ascii_digit());
                if !(alphanumeric && has_digit && (5..=17).contains(&compact.len())) {
                    return Err(wrong);
                }
                compact
            }
        };
        Ok(Document { kind, number })
    }

    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The whole number: for sealing and exact look-up, never for display.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The number as pages show it: 18-character forms 6 + 4 characters, the shorter forms
    /// their leading letter(s) and last 3 digits.
    pub fn masked(&self) -> String {
        let (head, tail) = self.kind.mask_shape(self.number.len());
        mask_middle(&self.number, head, tail)
    }

    fn has_birth_date(&self) -> bool {
        self.number.len() == 18
    }

    /// The birth date, for the 18-character forms that carry one.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.has_birth_date().then(|| form_birth_date(&self.number))
    }

    /// The sex, for the 18-character forms whose sequence gives it.
    pub fn sex(&self) -> Option<Sex> {
        self.has_birth_date().then(|| form_sex(&self.number))
    }
}

#[cfg(test)]
mod tests {
    use super::super::id_number::tests::make;
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
    }

    fn parse(kind: DocumentKind, text: &str) -> Result<Document, DocumentError> {
        Document::parse(kind, text, today())
    }

    #[test]
    fn kinds_round_trip_and_are_named_in_both_languages() {
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(kind.as_str()), Some(kind));
            for lang in Lang::ALL {
                assert_ne!(i18n::text(lang, kind.label_key()), kind.label_key());
                assert_ne!(i18n::text(lang, kind.form_key()), kind.form_key());
            }
        }
    }

    #[test]
    fn eighteen_character_forms_carry_birth_and_sex() {
        let id = parse(DocumentKind::ResidentId, "11010519491231002X").expect("id");
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.sex(), Some(Sex::Female));
        let hong_kong = make("810000", "19900615", 11);
        let permit = parse(DocumentKind::HkMacaoTaiwanResidence, &hong_kong).expect("permit");
        assert_eq!(
            permit.birth_date().map(|d| d.to_string()),
            Some("1990-06-15".into())
        );
        assert_eq!(permit.sex(), Some(Sex::Male));
        let foreign = make("915600", "19850304", 2);
        assert!(parse(DocumentKind::ForeignPermanentResident, &foreign).is_ok());
    }

    #[test]
    fn the_residence_permit_and_the_id_card_refuse_each_other() {
        let hong_kong = make("810000", "19900615", 11);
        assert_eq!(
            parse(DocumentKind::ResidentId, &hong_kong),
            Err(DocumentError::Number(IdNumberError::ResidencePermit {
                prefix: "810000".into()
            }))
        );
        let citizen = make("330106", "19900615", 11);
        assert_eq!(
            parse(DocumentKind::HkMacaoTaiwanResidence, &citizen),
            Err(DocumentError::WrongForm {
                kind: DocumentKind::HkMacaoTaiwanResidence
            })
        );
        let mut broken = hong_kong.clone();
        broken.replace_range(17.., if hong_kong.ends_with('0') { "1" } else { "0" });
        assert!(matches!(
            parse(DocumentKind::HkMacaoTaiwanResidence, &broken),
            Err(DocumentError::Number(IdNumberError::CheckMismatch { .. }))
        ));
    }

    #[test]
    fn the_shorter_forms_are_checked_and_masked() {
        let accepted = [
            (DocumentKind::HkMacaoPermit, "h1234 5678", "H*****678"),
            (DocumentKind::HkMacaoPermit, "M1234567801", "M*******801"),
            (DocumentKind::TaiwanPermit, "１２３４５６７８", "*****678"),
            (
                DocumentKind::ForeignPermanentResident,
                "USA110080101123",
                "USA********1123",
            ),
            (DocumentKind::Passport, "E12345678", "E*****678"),
        ];
        for (kind, text, masked) in accepted {
            let document = parse(kind, text).expect(text);
            assert_eq!(document.masked(), masked, "{text}");
            assert_eq!(document.birth_date(), None);
        }
        let refused = [
            (DocumentKind::HkMacaoPermit, "K12345678"),
            (DocumentKind::HkMacaoPermit, "H1234567"),
            (DocumentKind::TaiwanPermit, "1234567"),
            (DocumentKind::ForeignPermanentResident, "US1110080101123"),
            (DocumentKind::Passport, "ABCDEFG"),
            (DocumentKind::Passport, "E12-345678"),
        ];
        for (kind, text) in refused {
            assert_eq!(
                parse(kind, text),
                Err(DocumentError::WrongForm { kind }),
                "{text}"
            );
        }
        let message = parse(DocumentKind::HkMacaoPermit, "K1")
            .expect_err("wrong form")
            .localize(Lang::ZhCn);
        assert!(message.contains("港澳居民来往内地通行证"), "{message}");
    }
}
