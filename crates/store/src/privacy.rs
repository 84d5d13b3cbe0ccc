//! Personal data at rest (个人信息加密存储): phone numbers are sealed with SM4-GCM (GB/T 32907,
//! the national block cipher, in the authenticated GCM mode) under a data key from the
//! deployment's configuration, never from the database, so a copied database or backup does
//! not give them away. Sealed text reads `sm4gcm:` and the base64 of a fresh 96-bit nonce and
//! the ciphertext with its tag.
//!
//! A probe sealed under the key is kept in `setting`, so a store opened with the wrong key
//! refuses to start instead of failing on the first phone it reads.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{AesGcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sm4::Sm4;
use sm4::cipher::consts::U12;

use crate::db::Conn;
use crate::error::StoreError;

type Cipher = AesGcm<Sm4, U12>;

const PREFIX: &str = "sm4gcm:";
const NONCE_BYTES: usize = 12;
/// The setting holding a sealed probe of the key.
const PROBE_SETTING: &str = "data_key_probe";
const PROBE: &str = "jiedao";

/// The 128-bit key personal data is sealed with.
#[derive(Clone)]
pub struct DataKey([u8; 16]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A fresh random key from the system's source.
    pub fn random() -> Result<DataKey, StoreError> {
        let mut key = [0_u8; 16];
        getrandom::fill(&mut key).map_err(|e| StoreError::Config(format!("no randomness: {e}")))?;
        Ok(DataKey(key))
    }

    /// A key written as 32 hexadecimal digits (as in a key file).
    pub fn from_hex(text: &str) -> Result<DataKey, StoreError> {
        let text = text.trim();
        let bad = || StoreError::Config("the data key must be 32 hexadecimal digits".into());
        if text.len() != 32 || !text.is_ascii() {
            return Err(bad());
        }
        let mut key = [0_u8; 16];
        for (index, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[index * 2..index * 2 + 2], 16).map_err(|_| bad())?;
        }
        Ok(DataKey(key))
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A keyed mark of `text` (HMAC-SHA-256 under this key): what only a holder of the key can
    /// make, for cookies the store must recognise later (known devices).
    pub(crate) fn mark(&self, text: &str) -> String {
        crate::webhooks::sign(&self.0, text.as_bytes())
    }

    fn cipher(&self) -> Result<Cipher, StoreError> {
        Cipher::new_from_slice(&self.0).map_err(|_| StoreError::Config("data key length".into()))
    }

    /// `text` sealed under this key with a fresh nonce.
    pub fn seal(&self, text: &str) -> Result<String, StoreError> {
        let mut nonce = [0_u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|e| StoreError::Config(format!("nonce: {e}")))?;
        let sealed = self
            .cipher()?
            .encrypt(Nonce::from_slice(&nonce), text.as_bytes())
            .map_err(|_| StoreError::Config("sealing failed".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
    }

    /// The keyed blind index of `text` for exact look-up (`purpose` keeps ID numbers and
    /// phones apart): HMAC-SHA256 under a key derived from this one, as hex. Without the data
    /// key the index cannot be computed, so a copied database cannot be searched by guessing
    /// numbers and hashing them.
    pub fn blind_index(&self, purpose: &str, text: &str) -> String {
        let derived = crate::webhooks::sign(&self.0, format!("blind-index:{purpose}").as_bytes());
        crate::webhooks::sign(derived.as_bytes(), text.as_bytes())
    }

    /// The text `stored` holds; an error when it was sealed under another key or altered.
    pub fn open(&self, stored: &str) -> Result<String, StoreError> {
        let wrong = || StoreError::Config("personal data does not open with this data key".into());
        let bytes = stored
            .strip_prefix(PREFIX)
            .and_then(|b64| STANDARD.decode(b64).ok())
            .filter(|bytes| bytes.len() > NONCE_BYTES)
            .ok_or_else(wrong)?;
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher()?
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| wrong())?;
        String::from_utf8(plain).map_err(|_| wrong())
    }
}

/// At opening: proves `key` is this database's key. On a database that has no probe yet (new,
/// or from before sealing) writes it and seals the phones stored in the clear, once; later
/// openings read only the probe. Returns how many phones were sealed.
pub fn take_key(
    conn: &mut Conn,
    key: &DataKey,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<u64, StoreError> {
    let probe: Option<String> = conn.query_opt(
        "SELECT value FROM setting WHERE key = $1",
        &[&PROBE_SETTING],
        |row| row.get(0),
    )?;
    if let Some(sealed) = probe {
        key.open(&sealed).map_err(|_| {
            StoreError::Config(
                "the configured data key is not the one this database's personal data is \
                 sealed with (check data_key_file)"
                    .into(),
            )
        })?;
        // Every phone since the probe was written went in sealed: nothing to look for.
        return Ok(0);
    }
    conn.execute(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3)",
        &[&PROBE_SETTING, &key.seal(PROBE)?, &at],
    )?;
    // A database from before sealing: its phones are sealed now, once.
    let clear: Vec<(jiedao_core::CaseId, uuid::Uuid, String)> = conn.query(
        "SELECT case_id, id, phone FROM case_reporter WHERE phone IS NOT NULL",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    for (case, id, phone) in &clear {
        conn.execute(
            "UPDATE case_reporter SET phone = $1 WHERE case_id = $2 AND id = $3",
            &[&key.seal(phone)?, case, id],
        )?;
    }
    Ok(clear.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_national_cipher_answers_its_standard_example() {
        // GB/T 32907-2016, Appendix A, example 1: one block under the key equal to the text.
        use sm4::cipher::{BlockEncrypt, KeyInit as _};
        let bytes: [u8; 16] = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
            0x32, 0x10,
        ];
        let mut block = sm4::cipher::generic_array::GenericArray::from(bytes);
        Sm4::new(&bytes.into()).encrypt_block(&mut block);
        assert_eq!(
            block.as_slice(),
            [
                0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06, 0x96, 0x5e, 0x86, 0xb3, 0xe9, 0x4f, 0x53, 0x6e,
                0x42, 0x46
            ]
        );
    }

    #[test]
    fn a_wrong_key_or_an_altered_text_does_not_open() {
        let key = DataKey::random().expect("key");
        let sealed = key.seal("13800001234").expect("seal");
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("13800001234"));
        assert_eq!(key.open(&sealed).expect("open"), "13800001234");
        assert!(DataKey::random().expect("key").open(&sealed).is_err());
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(
            key.open(&String::from_utf8(altered).expect("utf8"))
                .is_err()
        );
        assert!(key.open("13800001234").is_err());
        assert_ne!(
            key.seal("13800001234").expect("seal"),
            sealed,
            "fresh nonces"
        );
        assert!(DataKey::from_hex("xyz").is_err());
        let again = DataKey::from_hex(&key.to_hex()).expect("hex");
        assert_eq!(again.open(&sealed).expect("open"), "13800001234");
    }

    proptest! {
        #[test]
        fn whatever_is_sealed_opens_to_itself(text in ".{0,64}") {
            let key = DataKey::random().expect("key");
            prop_assert_eq!(key.open(&key.seal(&text).expect("seal")).expect("open"), text);
        }
    }
}
