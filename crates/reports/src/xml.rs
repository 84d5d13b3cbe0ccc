//! Text inside XML we write (Word documents, SVG charts and maps, Open311's XML replies): the
//! five special characters escaped, and every character XML 1.0 forbids dropped, so one
//! resident's stray character cannot make a whole feed or document unreadable.

/// Whether XML 1.0 allows `c` in a document (its `Char` production, minus the surrogates a
/// Rust `char` cannot hold): the controls other than tab, line feed and carriage return, and the
/// noncharacters U+FFFE and U+FFFF, are forbidden even as character references.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` made safe for XML character data and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // A raw carriage return is read back as a line feed; the reference keeps it.
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XML 1.0's `Char` production, written out from the standard (independent of `allowed`).
    fn in_char_production(c: char) -> bool {
        let code = u32::from(c);
        matches!(code, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
    }

    /// Parses `text` escaped as an element's text and as an attribute value, with a parser that
    /// refuses what XML 1.0 forbids, and returns (text, attribute) as the parser reads them.
    fn read_back(text: &str) -> Result<(String, String), String> {
        let escaped = escape(text);
        let document = format!(r#"<a b="{escaped}">{escaped}</a>"#);
        let parsed = roxmltree::Document::parse(&document).map_err(|e| e.to_string())?;
        let root = parsed.root_element();
        Ok((
            root.text().unwrap_or_default().to_owned(),
            root.attribute("b").unwrap_or_default().to_owned(),
        ))
    }

    /// Any characters, with those at the edges of what XML allows (and the specials) made common.
    fn any_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let edges = proptest::sample::select(vec![
            '\0',
            '\u{8}',
            '\t',
            '\n',
            '\u{B}',
            '\r',
            '\u{1F}',
            ' ',
            '&',
            '<',
            '>',
            '"',
            '\'',
            '\u{7F}',
            '\u{85}',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{FFFE}',
            '\u{FFFF}',
            '\u{10000}',
            '\u{10FFFF}',
        ]);
        proptest::collection::vec(prop_oneof![any::<char>(), edges], 0..40)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest::proptest! {
        /// Whatever a resident types, what we write parses as XML 1.0 and keeps every character
        /// XML allows (an attribute value reads tabs and line feeds as spaces, as XML says).
        #[test]
        fn any_text_escapes_to_xml_that_keeps_every_allowed_character(text in any_text()) {
            let kept: String = text.chars().filter(|c| in_char_production(*c)).collect();
            let (element, attribute) = read_back(&text).map_err(proptest::test_runner::TestCaseError::fail)?;
            proptest::prop_assert_eq!(element, kept.clone());
            proptest::prop_assert_eq!(attribute, kept.replace(['\t', '\n'], " "));
        }
    }

    #[test]
    fn the_noncharacters_xml_forbids_are_dropped() {
        // U+FFFE and U+FFFF in one description made the Open311 requests.xml unreadable.
        assert_eq!(
            read_back("井盖\u{FFFE}缺失\u{FFFF}\r\n"),
            Ok(("井盖缺失\r\n".to_owned(), "井盖缺失\r ".to_owned()))
        );
    }

    #[test]
    fn specials_are_escaped_and_controls_dropped() {
        assert_eq!(
            escape(r#"a<b>&"c"'d'"#),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;"
        );
        assert_eq!(escape("网格\u{1}一\n"), "网格一\n");
    }
}
