//! Invented but well-formed codes for demos, benchmarks and tests: ID numbers and credit codes
//! whose check characters are right, so they pass every check a real one does. Nothing here
//! is anyone's number by intent; the demo's persons are invented.

use chrono::{Datelike, NaiveDate};

use super::{credit_code, id_number};

/// An 18-character ID number for a person registered in `region` (6 digits), born on `birth`,
/// with sequence `sequence` (0-999; odd for men, even for women).
pub fn id_number(region: &str, birth: NaiveDate, sequence: u32) -> String {
    let first17 = format!(
        "{region}{:04}{:02}{:02}{:03}",
        birth.year(),
        birth.month(),
        birth.day(),
        sequence % 1000
    );
    let check = id_number::check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// A unified social credit code of an enterprise (登记管理部门 9, 类别 1) registered in
/// `region` (6 digits), the `serial`th one.
pub fn credit_code(region: &str, serial: u32) -> String {
    let body = format!("{:08}", serial % 100_000_000);
    let org_check = credit_code::organisation_check(&body).unwrap_or('0');
    let first17 = format!("91{region}{body}{org_check}");
    let check = credit_code::check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{CreditCode, IdNumber};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn invented_id_numbers_pass_the_check(days in 0_i64..30_000, sequence in 0_u32..1000) {
            let birth = NaiveDate::from_ymd_opt(1930, 1, 1).expect("date")
                + chrono::Duration::days(days);
            let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
            let number = id_number("330106", birth, sequence);
            let parsed = IdNumber::parse(&number, today).expect("valid");
            prop_assert_eq!(parsed.birth_date(), birth);
        }

        #[test]
        fn invented_credit_codes_pass_the_check(serial in 0_u32..100_000_000) {
            let code = credit_code("330106", serial);
            prop_assert!(CreditCode::parse(&code).is_ok(), "{}", code);
        }

        /// A resident ID document shows its first 6 and last 4 characters and hides the birth
        /// date between them, whatever the number.
        #[test]
        fn a_documents_mask_hides_the_birth_date(days in 0_i64..30_000, sequence in 0_u32..1000) {
            let birth = NaiveDate::from_ymd_opt(1930, 1, 1).expect("date")
                + chrono::Duration::days(days);
            let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
            let number = id_number("330106", birth, sequence);
            let document = crate::registry::Document::parse(
                crate::registry::DocumentKind::ResidentId,
                &number,
                today,
            )
            .expect("valid");
            let masked = document.masked();
            prop_assert_eq!(masked.chars().count(), 18);
            prop_assert!(masked.starts_with(&number[..6]) && masked.ends_with(&number[14..]));
            prop_assert_eq!(&masked[6..14], "********");
            prop_assert_eq!(document.birth_date(), Some(birth));
        }

        /// Any ID number or mobile phone written into free text is masked there.
        #[test]
        fn numbers_in_free_text_are_masked(
            days in 0_i64..30_000,
            sequence in 0_u32..1000,
            phone in 0_u32..100_000_000,
            before in "[\\p{Han}，。 ]{0,8}",
            after in "[\\p{Han}，。 ]{0,8}",
        ) {
            let birth = NaiveDate::from_ymd_opt(1930, 1, 1).expect("date")
                + chrono::Duration::days(days);
            let number = id_number("330106", birth, sequence);
            let mobile = format!("139{phone:08}");
            let text = format!("{before}{number}{after}电话{mobile}{after}");
            let masked = crate::registry::redact::mask_personal_numbers(&text);
            prop_assert!(!masked.contains(&number), "{}", masked);
            prop_assert!(!masked.contains(&mobile), "{}", masked);
        }

        /// An industry code reads back as itself, with its section letter.
        #[test]
        fn industry_codes_read_back(division in 1_u32..=97) {
            let code = format!("{division:02}");
            if let Ok(industry) = crate::registry::Industry::parse(&code) {
                prop_assert_eq!(industry.division(), Some(code.as_str()));
                let again = crate::registry::Industry::parse(&industry.code()).expect("again");
                prop_assert_eq!(again.code(), industry.code());
            }
        }
    }
}
