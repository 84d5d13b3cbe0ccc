//! Text as people type it on Chinese keyboards: an input method in full-width mode writes
//! "１３８", "＋８６" and "（０５７１）", and an ideographic space (U+3000). Codes, numbers and
//! amounts are read after folding those to their ASCII forms, so "１１０１０５..." is the same
//! ID number as "110105...".

/// The ASCII form of a full-width character (U+FF01-U+FF5E) or of the ideographic space; any
/// other character unchanged.
pub(crate) fn fold(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

/// `text` folded to ASCII forms, without spaces of any width at its ends.
pub(crate) fn folded(text: &str) -> String {
    text.chars().map(fold).collect::<String>().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_fold_to_ascii() {
        assert_eq!(folded("　１３８－１２３４（Ｘ）＋ "), "138-1234(X)+");
        assert_eq!(fold('中'), '中');
        assert_eq!(fold('x'), 'x');
    }
}
