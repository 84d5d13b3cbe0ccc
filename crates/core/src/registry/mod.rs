//! The registry's pure rules (人房企物, DOMAIN.md section 9): identity documents and their
//! masks, unified social credit codes, industries, phones as people type them, person tags
//! with their periods, the Zhejiang residence-registration periods, and the tax figures of
//! buildings and enterprise moves. No IO: the store seals and keeps, pages show; this module
//! says what is valid and what a figure is.

pub mod building;
pub mod credit_code;
pub mod document;
pub mod id_number;
pub mod industry;
pub mod phone;
pub mod redact;
pub mod residence;
pub mod sample;
pub mod tag;

pub use building::{BandCounts, EnterpriseMove, MoveDirection, NetMoved, TaxBand, TaxBands};
pub use credit_code::{Authority, CreditCode, CreditCodeError};
pub use document::{Document, DocumentError, DocumentKind};
pub use id_number::{IdNumber, IdNumberError, Sex};
pub use industry::{Industry, IndustryError};
pub use phone::{Phone, PhoneError, PhoneKind};
pub use tag::{PersonTag, TagKind, TagSource, Validity};

/// `text` with all but its first `head` and last `tail` characters replaced by `*`; wholly
/// starred when it is no longer than what would be shown.
pub(crate) fn mask_middle(text: &str, head: usize, tail: usize) -> String {
    let length = text.chars().count();
    if length <= head + tail {
        return "*".repeat(length);
    }
    text.chars()
        .enumerate()
        .map(|(index, c)| {
            if index < head || index >= length - tail {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_ends_and_hide_short_texts_whole() {
        assert_eq!(mask_middle("13800001234", 3, 4), "138****1234");
        assert_eq!(mask_middle("1234567", 3, 4), "*******");
        assert_eq!(mask_middle("", 3, 4), "");
        assert_eq!(mask_middle("12345678", 0, 3), "*****678");
    }
}
