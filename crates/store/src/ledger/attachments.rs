//! Photos and files attached to ledger records (附件): any ledger's record owns its attachments,
//! each recorded with the history entry it came with. Content is recognised by its bytes, never
//! by the name or type a client declares; files are stored under names made of their id alone,
//! so no uploaded name can reach the file system. Every image also gets a public copy and a
//! thumbnail, re-encoded from the pixels, so location data (EXIF GPS) never reaches the public.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use image::ImageFormat;
use jiedao_core::{AttachmentId, OrgUnitId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Ledger;
use super::query::Where;
use crate::Store;
use crate::db::Conn;
use crate::error::StoreError;
use crate::refusal::Refusal;

/// The longest side of a thumbnail, in pixels.
const THUMB_SIDE: u32 = 320;
/// The longest side of the public copy of a photo.
const PUBLIC_SIDE: u32 = 1600;
/// The most pixels a photo may have: more than any phone camera takes (a 48-megapixel phone
/// bins to 12), far less than a decompression bomb (a 500 KB PNG can declare 169 million). The
/// size is read from the header before anything is decoded.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest side a photo may have (a panorama's), whatever its area.
const MAX_SIDE: u32 = 20_000;
/// Photos decoded at once, across every request: each may take `MAX_PIXELS` × 4 bytes and a
/// core's worth of time, so a burst of uploads waits its turn instead of filling the memory.
const DECODES_AT_ONCE: usize = 2;
static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(DECODES_AT_ONCE);

/// Decodes an image whose header was checked first: refused past [`MAX_PIXELS`] or
/// [`MAX_SIDE`] before a byte of pixels is decoded, and decoded with the matching memory limit.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<image::DynamicImage, Refusal> {
    let too_large = Refusal::ImageTooLarge {
        max_megapixels: MAX_PIXELS / 1_000_000,
    };
    let reader = |limits: image::Limits| {
        let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
        reader.limits(limits);
        reader
    };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // Room for the pixels at 4 bytes each, plus the decoder's own buffers.
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    let (width, height) =
        reader(limits.clone())
            .into_dimensions()
            .map_err(|error| match error {
                image::ImageError::Limits(_) => too_large.clone(),
                _ => Refusal::FileType,
            })?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_large);
    }
    reader(limits).decode().map_err(|error| match error {
        image::ImageError::Limits(_) => too_large,
        _ => Refusal::FileType,
    })
}

/// The record a file belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    pub ledger: &'static Ledger,
    pub street: OrgUnitId,
    pub record: Uuid,
}

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Taken when reporting (处置前).
    Report,
    /// Taken after handling (处置后).
    After,
    /// Taken at the on-site check (核查).
    Check,
    Other,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Report => "report",
            Purpose::After => "after",
            Purpose::Check => "check",
            Purpose::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Purpose> {
        [
            Purpose::Report,
            Purpose::After,
            Purpose::Check,
            Purpose::Other,
        ]
        .into_iter()
        .find(|p| p.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Purpose::Report => "purpose.report",
            Purpose::After => "purpose.after",
            Purpose::Check => "purpose.check",
            Purpose::Other => "purpose.other",
        }
    }
}

/// Which stored copy of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// As uploaded (staff only).
    Original,
    /// Re-encoded without metadata (images only).
    Public,
    Thumbnail,
}

impl Variant {
    fn suffix(self) -> &'static str {
        match self {
            Variant::Original => "orig",
            Variant::Public => "pub.jpg",
            Variant::Thumbnail => "thumb.jpg",
        }
    }
}

/// The kinds of file accepted, recognised by their first bytes.
fn sniff(bytes: &[u8]) -> Option<(&'static str, Option<ImageFormat>)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", Some(ImageFormat::Jpeg)))
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", Some(ImageFormat::Png)))
    } else if bytes.get(0..4) == Some(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some(("image/webp", Some(ImageFormat::WebP)))
    } else if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", None))
    } else {
        None
    }
}

/// Whether an image carries a position (EXIF GPS latitude).
fn has_location(bytes: &[u8]) -> bool {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .map(|data| {
            data.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
                .is_some()
        })
        .unwrap_or(false)
}

/// A file as uploaded.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub purpose: Purpose,
}

/// Where attachments live and how large they may be.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
    max_bytes: usize,
    /// Sync each file before it is recorded (`durability = full`); with `normal` a power cut
    /// may lose the last photos, as it may lose the last commits.
    sync: bool,
}

/// A file written to disk and waiting to be recorded with the change it belongs to.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub id: AttachmentId,
    pub purpose: Purpose,
    pub file_name: String,
    pub content_type: &'static str,
    pub size: i64,
    pub sha256: Vec<u8>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub had_location: bool,
    written: Vec<PathBuf>,
}

/// A name fit to show: the last path part, printable, at most 100 characters.
fn display_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    if clean.trim().is_empty() {
        "file".to_owned()
    } else {
        clean
    }
}

/// The image scaled down to fit `side` pixels, never up: a small photo stays as it is.
fn fit(image: &image::DynamicImage, side: u32) -> image::DynamicImage {
    if image.width().max(image.height()) > side {
        image.thumbnail(side, side)
    } else {
        image.clone()
    }
}

fn jpeg(image: &image::DynamicImage) -> Result<Vec<u8>, StoreError> {
    let mut out = Cursor::new(Vec::new());
    image
        .to_rgb8()
        .write_to(&mut out, ImageFormat::Jpeg)
        .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
    Ok(out.into_inner())
}

impl FileStore {
    pub fn new(root: PathBuf, max_bytes: usize, sync: bool) -> FileStore {
        FileStore {
            root,
            max_bytes,
            sync,
        }
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The path of one copy of a file: the root, two characters of the id, the id.
    pub fn path(&self, id: AttachmentId, variant: Variant) -> PathBuf {
        let name = id.uuid().simple().to_string();
        self.root
            .join(&name[..2])
            .join(format!("{name}.{}", variant.suffix()))
    }

    /// Checks and writes an upload (blocking: images are decoded and re-encoded).
    pub fn store(&self, upload: Upload) -> Result<StoredFile, StoreError> {
        if upload.bytes.is_empty() {
            return Err(Refusal::EmptyFile.into());
        }
        if upload.bytes.len() > self.max_bytes {
            return Err(Refusal::FileTooLarge {
                max_mb: self.max_bytes / (1024 * 1024),
            }
            .into());
        }
        let (content_type, format) = sniff(&upload.bytes).ok_or(Refusal::FileType)?;
        let id = AttachmentId::new();
        let mut copies: Vec<(Variant, Vec<u8>)> = Vec::new();
        let (mut width, mut height, mut had_location) = (None, None, false);
        if let Some(format) = format {
            let image = decode(&upload.bytes, format)?;
            width = Some(i64::from(image.width()));
            height = Some(i64::from(image.height()));
            had_location = has_location(&upload.bytes);
            copies.push((Variant::Public, jpeg(&fit(&image, PUBLIC_SIDE))?));
            copies.push((Variant::Thumbnail, jpeg(&fit(&image, THUMB_SIDE))?));
        }
        let mut stored = StoredFile {
            id,
            purpose: upload.purpose,
            file_name: display_name(&upload.file_name),
            content_type,
            size: i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX),
            sha256: Sha256::digest(&upload.bytes).to_vec(),
            width,
            height,
            had_location,
            written: Vec::new(),
        };
        copies.insert(0, (Variant::Original, upload.bytes));
        for (variant, bytes) in copies {
            let path = self.path(id, variant);
            let result = write_file(&path, &bytes, self.sync);
            stored.written.push(path);
            if let Err(error) = result {
                stored.discard();
                return Err(error.into());
            }
        }
        Ok(stored)
    }
}

impl Store {
    /// Checks and writes the files of one form, off the async threads (images are decoded and
    /// re-encoded): all of them, or none when one is refused.
    pub async fn keep_files(&self, uploads: Vec<Upload>) -> Result<Vec<StoredFile>, StoreError> {
        if uploads.is_empty() {
            return Ok(Vec::new());
        }
        let files = self.files().clone();
        // One form's photos are decoded under one permit, waited for without holding a thread
        // and kept by the decoding thread even if the request is given up meanwhile.
        let permit = DECODES.acquire().await.map_err(|_| StoreError::Closed)?;
        crate::blocking(move || {
            let _permit = permit;
            let mut stored = Vec::new();
            for upload in uploads {
                match files.store(upload) {
                    Ok(file) => stored.push(file),
                    Err(error) => {
                        stored.iter().for_each(StoredFile::discard);
                        return Err(error);
                    }
                }
            }
            Ok(stored)
        })
        .await?
    }
}

/// Writes a file and, if asked, syncs it, so a recorded attachment is never missing after a
/// crash.
fn write_file(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    if sync { file.sync_all() } else { Ok(()) }
}

impl StoredFile {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }

    /// Records the file with the history entry `event_seq` of its owner, the change it came
    /// with.
    pub(crate) fn record(
        &self,
        conn: &mut Conn,
        owner: Owner,
        event_seq: i64,
        uploaded_by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO attachment (street_id, id, ledger, record_id, event_seq, purpose, file_name, content_type,
                 size, sha256, width, height, had_location, uploaded_by, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            &[
                &owner.street,
                &self.id,
                &owner.ledger.kind,
                &owner.record,
                &event_seq,
                &self.purpose.as_str(),
                &self.file_name,
                &self.content_type,
                &self.size,
                &self.sha256,
                &self.width,
                &self.height,
                &self.had_location,
                &uploaded_by,
                &at,
            ],
        )?;
        Ok(())
    }

    /// Removes the written copies of a file whose change was refused.
    pub fn discard(&self) {
        for path in &self.written {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// An attachment as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    pub id: AttachmentId,
    /// The ledger of the record it belongs to (`case`) and the record.
    pub ledger: String,
    pub record_id: Uuid,
    pub event_seq: i64,
    pub purpose: Purpose,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub had_location: bool,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

impl Attachment {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

const SELECT_ATTACHMENT: &str =
    "SELECT id, ledger, record_id, event_seq, purpose, file_name, content_type, size, width, height,
        had_location, uploaded_by, uploaded_at FROM attachment";

fn read(row: &crate::db::Row<'_>) -> Result<Attachment, StoreError> {
    let purpose: String = row.get(4)?;
    Ok(Attachment {
        id: row.get(0)?,
        ledger: row.get(1)?,
        record_id: row.get(2)?,
        event_seq: row.get(3)?,
        purpose: Purpose::parse(&purpose).unwrap_or(Purpose::Other),
        file_name: row.get(5)?,
        content_type: row.get(6)?,
        size: row.get(7)?,
        width: row.get(8)?,
        height: row.get(9)?,
        had_location: row.get(10)?,
        uploaded_by: row.get(11)?,
        uploaded_at: row.get(12)?,
    })
}

/// The attachments of a record, in the order they came. Callers check the record's
/// visibility.
pub fn of_record(conn: &mut Conn, record: Uuid) -> Result<Vec<Attachment>, StoreError> {
    conn.query(
        &format!("{SELECT_ATTACHMENT} WHERE record_id = $1 ORDER BY uploaded_at, id"),
        &[&record],
        read,
    )
}

/// The images of `purpose` of each of `records`, in the order they came. Callers check the
/// records' visibility.
pub fn images(
    conn: &mut Conn,
    records: impl IntoIterator<Item = Uuid>,
    purpose: Purpose,
) -> Result<Vec<(Uuid, AttachmentId)>, StoreError> {
    let mut w = Where::default();
    w.is_in("record_id", records);
    let purpose = w.bind(purpose.as_str());
    conn.query(
        &format!(
            "SELECT record_id, id FROM attachment{} AND purpose = {purpose}
             AND content_type LIKE 'image/%' ORDER BY uploaded_at, id",
            w.sql()
        ),
        &w.params(),
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// One attachment by id. Callers check its record's visibility.
pub fn get(conn: &mut Conn, id: AttachmentId) -> Result<Option<Attachment>, StoreError> {
    conn.query_opt(&format!("{SELECT_ATTACHMENT} WHERE id = $1"), &[&id], read)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever an upload holds and whatever it is called, the file store keeps it under
        /// its own id inside its directory (no name reaches the file system) or refuses it;
        /// a refused upload leaves nothing behind.
        #[test]
        fn uploads_land_only_under_their_id_or_not_at_all(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512),
            image_head in proptest::bool::ANY,
            name in "(\\.\\./|/|[a-z.]){0,30}",
        ) {
            let dir = tempfile::tempdir().expect("dir");
            let files = FileStore::new(dir.path().to_path_buf(), 256, false);
            let mut content = if image_head { vec![0xFF, 0xD8, 0xFF] } else { Vec::new() };
            content.extend(bytes);
            let upload = Upload { file_name: name, bytes: content, purpose: Purpose::Report };
            match files.store(upload) {
                Ok(stored) => {
                    let path = files.path(stored.id, Variant::Original);
                    proptest::prop_assert!(path.starts_with(dir.path()));
                    proptest::prop_assert!(path.exists());
                }
                Err(_) => {
                    let left = walk(dir.path());
                    proptest::prop_assert!(left.is_empty(), "left behind: {left:?}");
                }
            }
        }
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    out.extend(walk(&path));
                } else {
                    out.push(path);
                }
            }
        }
        out
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).expect("png");
        out.into_inner()
    }

    /// A bomb is refused by its header: its pixels are never decoded.
    #[test]
    fn photos_declaring_too_many_pixels_are_refused_before_decoding() {
        let dir = tempfile::tempdir().expect("dir");
        let files = FileStore::new(dir.path().to_path_buf(), 1024 * 1024, false);
        for (width, height) in [(13_000, 13_000), (30_000, 10), (7_000, 6_000)] {
            let bomb = crate::testing::png_declaring(width, height);
            let refused = files.store(Upload {
                file_name: "bomb.png".into(),
                bytes: bomb,
                purpose: Purpose::Report,
            });
            assert!(
                matches!(
                    refused,
                    Err(StoreError::Refused(Refusal::ImageTooLarge {
                        max_megapixels: 40
                    }))
                ),
                "{width}×{height}: {refused:?}"
            );
        }
        assert!(walk(dir.path()).is_empty());
    }

    #[test]
    fn images_get_a_thumbnail_and_other_bytes_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let files = FileStore::new(dir.path().to_path_buf(), 1024 * 1024, true);
        let stored = files
            .store(Upload {
                file_name: "../../etc/passwd".into(),
                bytes: png(800, 600),
                purpose: Purpose::After,
            })
            .expect("stored");
        assert_eq!(stored.content_type, "image/png");
        assert_eq!((stored.width, stored.height), (Some(800), Some(600)));
        assert_eq!(stored.file_name, "passwd", "no path parts survive");
        let thumb = image::open(files.path(stored.id, Variant::Thumbnail)).expect("thumbnail");
        assert_eq!(thumb.width().max(thumb.height()), THUMB_SIDE);
        let small = files
            .store(Upload {
                file_name: "small.png".into(),
                bytes: png(64, 48),
                purpose: Purpose::After,
            })
            .expect("stored");
        let thumb = image::open(files.path(small.id, Variant::Thumbnail)).expect("thumbnail");
        assert_eq!((thumb.width(), thumb.height()), (64, 48), "never enlarged");
        assert!(
            files
                .path(stored.id, Variant::Original)
                .starts_with(dir.path())
        );

        let script = files.store(Upload {
            file_name: "photo.jpg".into(),
            bytes: b"<script>alert(1)</script>".to_vec(),
            purpose: Purpose::Report,
        });
        assert!(matches!(
            script,
            Err(StoreError::Refused(Refusal::FileType))
        ));
        let huge = files.store(Upload {
            file_name: "big.png".into(),
            bytes: vec![0x89; 2 * 1024 * 1024],
            purpose: Purpose::Report,
        });
        assert!(matches!(
            huge,
            Err(StoreError::Refused(Refusal::FileTooLarge { max_mb: 1 }))
        ));
        let truncated = files.store(Upload {
            file_name: "broken.png".into(),
            bytes: png(10, 10)[..20].to_vec(),
            purpose: Purpose::Report,
        });
        assert!(matches!(
            truncated,
            Err(StoreError::Refused(Refusal::FileType))
        ));
    }

    #[test]
    fn discarding_removes_every_copy() {
        let dir = tempfile::tempdir().expect("dir");
        let files = FileStore::new(dir.path().to_path_buf(), 1024 * 1024, true);
        let stored = files
            .store(Upload {
                file_name: "a.png".into(),
                bytes: png(50, 50),
                purpose: Purpose::Report,
            })
            .expect("stored");
        stored.discard();
        for variant in [Variant::Original, Variant::Public, Variant::Thumbnail] {
            assert!(!files.path(stored.id, variant).exists());
        }
    }
}
