//! QR codes drawn on the server as SVG (the `qrcode` crate), so a resident can carry a follow
//! link from a desk screen to a phone by pointing the camera at it; no script, no image file.

use qrcode::QrCode;
use qrcode::render::svg;

/// The SVG of a QR code holding `text`, without an XML declaration (it sits inside a page);
/// `None` when the text is too long for a code.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let drawn = code
        .render::<svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    let start = drawn.find("<svg")?;
    drawn.get(start..).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_becomes_an_inline_svg_without_styles() {
        let drawn = super::svg("https://example.org/follow/abc").expect("a code");
        assert!(drawn.starts_with("<svg"), "{drawn}");
        assert!(
            drawn.contains("<path") || drawn.contains("<rect"),
            "{drawn}"
        );
        assert!(!drawn.contains("style="), "the CSP forbids inline styles");
    }
}
