//! Writing a Word document (.docx) that opens in Word, WPS, LibreOffice and python-docx: the
//! bulletins (通报) a street office circulates, laid out as a 公文 of GB/T 9704-2012 — A4 with
//! margins top 37 mm, bottom 35, left 28, right 26 (a type area of 156 × 225 mm, 22 lines of 28
//! characters); the issuing office (发文机关标志) in red over a red rule under the 文号; the title in
//! 2号 (22 pt) 小标宋, centred; the body in 3号 (16 pt) 仿宋 with a two-character first-line
//! indent; headings in 3号 黑体; the date (成文日期) right-aligned four characters in; page numbers
//! in 4号 between dashes ("— 1 —"), odd pages right and even pages left, one character in.
//!
//! 方正小标宋简体 and 仿宋_GB2312 are proprietary: the file names them as the preferred faces and
//! names free ones (Noto Serif CJK SC, Noto Sans CJK SC, LXGW WenKai, from Debian's
//! fonts-noto-cjk and fonts-lxgw-wenkai) as their alternates in the font table; nothing is
//! embedded. Office Open XML written by hand; every table carries its `w:tblGrid`.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::xml::escape;

/// One block of the document, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The issuing office (发文机关标志), red and centred at the head of the first page.
    Issuer(String),
    /// The document's number (发文字号, "明湖街道通〔2026〕12号"), centred over a red rule.
    Number(String),
    /// The document's title, centred.
    Title(String),
    Heading(String),
    Paragraph(String),
    /// The date the document was made (成文日期), right-aligned four characters in.
    Date(String),
    /// A table: its header row (repeated on every page) and its rows.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// Twips (1/20 pt) in a millimetre, times 100: 1 mm = 56.69 twips.
const fn twips(mm: u32) -> u32 {
    mm * 5669 / 100
}

/// The type area's width (版心, 156 mm), which tables span.
const TYPE_WIDTH: u32 = twips(156);

/// One character of the body (3号, 16 pt) in twips: the unit of indents.
const BODY_CHAR: u32 = 320;

/// One character of the page number (4号, 14 pt) in twips.
const FOOTER_CHAR: u32 = 280;

/// The line pitch that fits 22 lines in the 225 mm type area, in twips.
const LINE: u32 = twips(225) / 22;

/// The preferred faces and the free faces named as their alternates.
const FACES: [(&str, &str); 4] = [
    ("方正小标宋简体", "Noto Serif CJK SC"),
    ("仿宋_GB2312", "Noto Serif CJK SC"),
    ("黑体", "Noto Sans CJK SC"),
    ("楷体_GB2312", "LXGW WenKai"),
];
const TITLE_FACE: &str = "方正小标宋简体";
const BODY_FACE: &str = "仿宋_GB2312";
const HEADING_FACE: &str = "黑体";

fn run(text: &str, bold: bool) -> String {
    format!(
        r#"<w:r>{}<w:t xml:space="preserve">{}</w:t></w:r>"#,
        if bold { "<w:rPr><w:b/></w:rPr>" } else { "" },
        escape(text)
    )
}

fn paragraph(style: Option<&str>, text: &str, bold: bool) -> String {
    let properties = style.map_or(String::new(), |s| {
        format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#)
    });
    format!("<w:p>{properties}{}</w:p>", run(text, bold))
}

fn cell(text: &str, width: u32, bold: bool) -> String {
    format!(
        r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{}</w:tc>"#,
        paragraph(Some("TableText"), text, bold)
    )
}

fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let border =
        |side: &str| format!(r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#);
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|side| border(side))
        .collect();
    let columns = header
        .len()
        .max(rows.iter().map(Vec::len).max().unwrap_or(0))
        .max(1);
    let width = u32::try_from(columns).map_or(TYPE_WIDTH, |n| TYPE_WIDTH / n);
    let grid: String = (0..columns)
        .map(|_| format!(r#"<w:gridCol w:w="{width}"/>"#))
        .collect();
    let mut xml = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{TYPE_WIDTH}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"#
    );
    // Every row has every column, so readers that count cells by the grid find them all.
    let push_row = |xml: &mut String, texts: &[String], bold: bool| {
        for at in 0..columns {
            xml.push_str(&cell(texts.get(at).map_or("", String::as_str), width, bold));
        }
        xml.push_str("</w:tr>");
    };
    xml.push_str(r#"<w:tr><w:trPr><w:tblHeader/></w:trPr>"#);
    push_row(&mut xml, header, true);
    for row in rows {
        xml.push_str("<w:tr>");
        push_row(&mut xml, row, false);
    }
    xml.push_str("</w:tbl>");
    // Word wants a paragraph after a table before the section ends.
    xml.push_str("<w:p/>");
    xml
}

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

fn document_xml(blocks: &[Block]) -> String {
    let mut body = String::new();
    for block in blocks {
        body.push_str(&match block {
            Block::Issuer(text) => paragraph(Some("Issuer"), text, false),
            Block::Number(text) => paragraph(Some("Number"), text, false),
            Block::Title(text) => paragraph(Some("Title"), text, false),
            Block::Heading(text) => paragraph(Some("Heading1"), text, false),
            Block::Paragraph(text) => paragraph(Some("BodyText"), text, false),
            Block::Date(text) => paragraph(Some("Date"), text, false),
            Block::Table { header, rows } => table(header, rows),
        });
    }
    // A4 portrait; the margins of GB/T 9704-2012: top 37 mm, bottom 35, left 28, right 26.
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{body}<w:sectPr><w:footerReference w:type="default" r:id="rId3"/><w:footerReference w:type="even" r:id="rId4"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" w:header="851" w:footer="{footer}" w:gutter="0"/><w:docGrid w:type="lines" w:linePitch="{LINE}"/></w:sectPr></w:body></w:document>"#,
        top = twips(37),
        right = twips(26),
        bottom = twips(35),
        left = twips(28),
        // The page number sits 7 mm below the type area.
        footer = twips(28),
    )
}

/// A footer whose page number reads "— 1 —": on odd pages right, on even pages left, one
/// character in from the edge of the type area. The gaps are en spaces (U+2002, half a
/// character): a plain space is so narrow that text extracted from the PDF reads "—1—".
fn footer_xml(odd: bool) -> String {
    let (align, indent) = if odd {
        ("right", format!(r#"w:right="{FOOTER_CHAR}""#))
    } else {
        ("left", format!(r#"w:left="{FOOTER_CHAR}""#))
    };
    let dash = |text: &str| {
        format!(
            r#"<w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>"#
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr {NS}><w:p><w:pPr><w:pStyle w:val="Footer"/><w:ind {indent}/><w:jc w:val="{align}"/></w:pPr>{open}<w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>{close}</w:p></w:ftr>"#,
        open = dash("—\u{2002}"),
        close = dash("\u{2002}—"),
    )
}

fn fonts(east_asia: &str) -> String {
    format!(
        r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="{east_asia}" w:cs="Times New Roman"/>"#
    )
}

fn style(id: &str, name: &str, paragraph: &str, run: &str) -> String {
    format!(
        r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr>{paragraph}</w:pPr><w:rPr>{run}</w:rPr></w:style>"#
    )
}

fn styles_xml() -> String {
    let title = fonts(TITLE_FACE);
    let heading = fonts(HEADING_FACE);
    let two_chars = format!(
        r#"<w:ind w:firstLineChars="200" w:firstLine="{}"/>"#,
        2 * BODY_CHAR
    );
    let styles = [
        style(
            "Issuer",
            "Issuer",
            r#"<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>"#,
            &format!(r#"{title}<w:color w:val="FF0000"/><w:sz w:val="72"/>"#),
        ),
        style(
            "Number",
            "Document Number",
            &format!(
                r#"<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="8" w:color="FF0000"/></w:pBdr><w:spacing w:before="{LINE}" w:after="{LINE}"/><w:jc w:val="center"/>"#
            ),
            "",
        ),
        style(
            "Title",
            "Title",
            &format!(r#"<w:spacing w:before="{LINE}" w:after="{LINE}" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>"#),
            &format!(r#"{title}<w:sz w:val="44"/>"#),
        ),
        style(
            "Heading1",
            "heading 1",
            &format!(r#"<w:keepNext/>{two_chars}<w:outlineLvl w:val="0"/>"#),
            &format!(r#"{heading}<w:sz w:val="32"/>"#),
        ),
        style("BodyText", "Body Text", &two_chars, ""),
        style(
            "Date",
            "Date",
            &format!(
                r#"<w:spacing w:before="{LINE}"/><w:ind w:right="{}"/><w:jc w:val="right"/>"#,
                4 * BODY_CHAR
            ),
            "",
        ),
        style(
            "TableText",
            "Table Text",
            r#"<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>"#,
            r#"<w:sz w:val="24"/>"#,
        ),
        style("Footer", "footer", "", r#"<w:sz w:val="28"/>"#),
    ]
    .concat();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {NS}><w:docDefaults><w:rPrDefault><w:rPr>{body}<w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="{LINE}" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>{styles}</w:styles>"#,
        body = fonts(BODY_FACE),
    )
}

/// The font table: each preferred face with a free face as its alternate (`w:altName`).
fn font_table_xml() -> String {
    let fonts: String = FACES
        .iter()
        .map(|(name, free)| {
            format!(
                r#"<w:font w:name="{name}"><w:altName w:val="{free}"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts {NS}><w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>{fonts}</w:fonts>"#
    )
}

/// Odd and even pages have their own footers (the page number changes sides).
const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="420"/><w:evenAndOddHeaders/><w:characterSpacingControl w:val="compressPunctuation"/></w:settings>"#;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/></Types>"#;

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/></Relationships>"#;

/// The .docx bytes of `blocks`.
pub fn docx(blocks: &[Block]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", PACKAGE_RELS.to_owned()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", SETTINGS.to_owned()),
        ("word/fontTable.xml", font_table_xml()),
        ("word/footer1.xml", footer_xml(true)),
        ("word/footer2.xml", footer_xml(false)),
        ("word/document.xml", document_xml(blocks)),
    ];
    for (name, text) in parts {
        zip.start_file(name, options)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        let mut text = String::new();
        archive
            .by_name(name)
            .expect(name)
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    }

    /// Every element closes and nests (a reader would refuse the file otherwise).
    fn well_formed(xml: &str) {
        let mut reader = quick_xml::Reader::from_str(xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(error) => panic!("not well-formed: {error}"),
            }
        }
    }

    /// The texts of the document in reading order.
    fn texts(xml: &str) -> Vec<String> {
        xml.split("<w:t xml:space=\"preserve\">")
            .skip(1)
            .filter_map(|rest| rest.split("</w:t>").next())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_bulletin_reads_back_in_order_with_its_table() {
        let bytes = docx(&[
            Block::Title("2026年10月城市管理工作通报".into()),
            Block::Heading("一、总体情况".into()),
            Block::Paragraph("本月受理案卷512件，结案率96.30%。".into()),
            Block::Table {
                header: vec!["排名".into(), "社区".into(), "结案率".into()],
                rows: vec![
                    vec!["1".into(), "青枫社区".into(), "100.00%".into()],
                    vec!["2".into(), "翠竹<社区> & 其他".into(), "—".into()],
                ],
            },
        ])
        .expect("written");
        for name in [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/_rels/document.xml.rels",
            "word/styles.xml",
            "word/settings.xml",
            "word/fontTable.xml",
            "word/footer1.xml",
            "word/footer2.xml",
            "word/document.xml",
        ] {
            well_formed(&part(&bytes, name));
        }
        let document = part(&bytes, "word/document.xml");
        assert_eq!(
            texts(&document),
            [
                "2026年10月城市管理工作通报",
                "一、总体情况",
                "本月受理案卷512件，结案率96.30%。",
                "排名",
                "社区",
                "结案率",
                "1",
                "青枫社区",
                "100.00%",
                "2",
                "翠竹&lt;社区&gt; &amp; 其他",
                "—",
            ]
        );
        assert_eq!(
            document.matches("<w:tr>").count(),
            3,
            "a header row and two rows"
        );
        assert!(
            document.contains("<w:tblHeader/>"),
            "the header repeats on each page"
        );
        assert_eq!(
            document.matches("<w:gridCol ").count(),
            3,
            "the grid names the table's three columns"
        );
        assert!(part(&bytes, "word/styles.xml").contains(r#"w:eastAsia="仿宋_GB2312""#));
    }

    #[test]
    fn the_layout_is_that_of_an_official_document() {
        let bytes = docx(&[
            Block::Issuer("明湖街道".into()),
            Block::Number("明湖街道通〔2026〕12号".into()),
            Block::Title("明湖街道2026年12月城市治理工作通报".into()),
            Block::Paragraph("正文".into()),
            Block::Date("2026年12月5日".into()),
        ])
        .expect("written");
        let document = part(&bytes, "word/document.xml");
        // Margins 37/26/35/28 mm in twips; the odd and even footers are both referenced.
        for expected in [
            r#"w:top="2097""#,
            r#"w:right="1473""#,
            r#"w:bottom="1984""#,
            r#"w:left="1587""#,
            r#"<w:pStyle w:val="Issuer"/>"#,
            r#"<w:pStyle w:val="Date"/>"#,
            r#"w:type="even" r:id="rId4""#,
        ] {
            assert!(document.contains(expected), "{expected} in {document}");
        }
        let odd = part(&bytes, "word/footer1.xml");
        let even = part(&bytes, "word/footer2.xml");
        for footer in [&odd, &even] {
            assert!(footer.contains("—\u{2002}</w:t>") && footer.contains(" PAGE "));
            assert!(footer.contains("\u{2002}—</w:t>"));
        }
        assert!(odd.contains(r#"<w:jc w:val="right"/>"#));
        assert!(even.contains(r#"<w:jc w:val="left"/>"#));
        assert!(part(&bytes, "word/settings.xml").contains("<w:evenAndOddHeaders/>"));
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains(r#"<w:sz w:val="44"/>"#), "title in 2号");
        assert!(styles.contains(r#"<w:sz w:val="32"/>"#), "body in 3号");
        let fonts = part(&bytes, "word/fontTable.xml");
        assert!(
            fonts
                .contains(r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="Noto Serif CJK SC"/>"#)
        );
    }
}
