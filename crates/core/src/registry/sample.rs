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
    }
}
