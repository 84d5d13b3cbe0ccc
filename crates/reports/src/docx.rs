//! Writing a Word document (.docx) that opens in Word and WPS: the bulletins (通报) a street
//! office circulates. Office Open XML written by hand — a title, headings, paragraphs and
//! tables on A4 — with the fonts Chinese official documents use (宋体 for text, 黑体 for
//! headings, Times New Roman for Latin letters and digits).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::xml::escape;

/// One block of the document, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The document's title, centred.
    Title(String),
    Heading(String),
    Paragraph(String),
    /// A table: its header row (repeated on every page) and its rows.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

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

fn cell(text: &str, bold: bool) -> String {
    format!(
        r#"<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr>{}</w:tc>"#,
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
    let mut xml = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr>"#
    );
    xml.push_str(r#"<w:tr><w:trPr><w:tblHeader/></w:trPr>"#);
    for text in header {
        xml.push_str(&cell(text, true));
    }
    xml.push_str("</w:tr>");
    for row in rows {
        xml.push_str("<w:tr>");
        for text in row {
            xml.push_str(&cell(text, false));
        }
        xml.push_str("</w:tr>");
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
            Block::Title(text) => paragraph(Some("Title"), text, false),
            Block::Heading(text) => paragraph(Some("Heading1"), text, false),
            Block::Paragraph(text) => paragraph(None, text, false),
            Block::Table { header, rows } => table(header, rows),
        });
    }
    // A4 portrait, margins of the national standard for official documents (GB/T 9704).
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    )
}

fn fonts(east_asia: &str) -> String {
    format!(
        r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="{east_asia}" w:cs="Times New Roman"/>"#
    )
}

fn styles_xml() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {NS}><w:docDefaults><w:rPrDefault><w:rPr>{body}<w:sz w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:after="360"/></w:pPr><w:rPr>{title}<w:sz w:val="44"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr>{heading}<w:sz w:val="32"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="21"/></w:rPr></w:style></w:styles>"#,
        body = fonts("宋体"),
        title = fonts("方正小标宋简体"),
        heading = fonts("黑体"),
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// The .docx bytes of `blocks`.
pub fn docx(blocks: &[Block]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", PACKAGE_RELS.to_owned()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/styles.xml", styles_xml()),
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
        assert!(part(&bytes, "word/styles.xml").contains(r#"w:eastAsia="宋体""#));
    }
}
