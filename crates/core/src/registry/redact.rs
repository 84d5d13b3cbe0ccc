//! Masking the personal numbers people write into free text (a case description, a petition's
//! content, a mediation record) before the text is shown to someone who may not see them:
//! ID numbers (居民身份证法 第十三条: whoever learns one keeps it confidential) and phones.
//!
//! An ID number is found as 17 digits and a digit or X standing alone (not inside a longer
//! run of letters and digits) whose check character or birth date holds: a mistyped number is
//! still someone's number, while an order number of 18 digits rarely has a real date in place.

use super::id_number::check_character;
use super::phone::mask_phones;
use crate::typed;

/// `text` with every ID number (330106********1234) and phone (138****5678) masked in place.
pub fn mask_personal_numbers(text: &str) -> String {
    mask_phones(&mask_id_numbers(text))
}

/// Whether 18 folded characters have the shape of an ID number and read as one.
fn looks_like_id(chars: &[char]) -> bool {
    let Some((last, first17)) = chars.split_last() else {
        return false;
    };
    if first17.len() != 17 || !first17.iter().all(char::is_ascii_digit) {
        return false;
    }
    let digits: String = first17.iter().collect();
    let last = last.to_ascii_uppercase();
    let checks = check_character(&digits) == Some(last);
    let dated = chrono::NaiveDate::parse_from_str(&digits[6..14], "%Y%m%d").is_ok();
    (last.is_ascii_digit() || last == 'X') && (checks || dated)
}

fn mask_id_numbers(text: &str) -> String {
    let original: Vec<char> = text.chars().collect();
    let folded: Vec<char> = original.iter().map(|c| typed::fold(*c)).collect();
    let mut out = original.clone();
    let mut start = 0;
    while start < folded.len() {
        if !folded.get(start).is_some_and(char::is_ascii_alphanumeric) {
            start += 1;
            continue;
        }
        let mut end = start;
        while folded.get(end).is_some_and(char::is_ascii_alphanumeric) {
            end += 1;
        }
        if end - start == 18 && folded.get(start..end).is_some_and(looks_like_id) {
            for c in out.iter_mut().skip(start + 6).take(8) {
                *c = '*';
            }
        }
        start = end;
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_and_phones_are_masked_in_place() {
        assert_eq!(
            mask_personal_numbers("张某，身份证11010519491231002x，电话139 0000 1111。"),
            "张某，身份证110105********002x，电话139 **** 1111。"
        );
        assert_eq!(
            mask_personal_numbers("证号１１０１０５１９４９１２３１００２Ｘ"),
            "证号１１０１０５********００２Ｘ"
        );
    }

    #[test]
    fn a_mistyped_number_with_a_real_date_is_still_masked() {
        assert_eq!(
            mask_personal_numbers("110105194912310021"),
            "110105********0021"
        );
    }

    #[test]
    fn other_long_numbers_and_codes_are_left_alone() {
        for text in [
            "订单号 123456789012345678",
            "信用代码91350100M000100Y43",
            "编号A110105194912310021",
        ] {
            assert_eq!(mask_personal_numbers(text), text);
        }
    }
}
