//! The hash chain (哈希链) every append-only record keeps: the audit log and each ledger
//! record's history. A record's hash covers the hash of the record before it and each of its
//! own fields, so an edited, deleted or inserted record breaks the chain where it stands.
//!
//! What a record's fields are is its keeper's business; how they are hashed and how a chain
//! is walked is written here once. Records already written were hashed this way, so the
//! feeding order (previous hash, then the fields, each with its length first) must not change.

use sha2::{Digest, Sha256};

/// The hash standing before the first record of every chain.
pub const GENESIS: [u8; 32] = [0; 32];

/// The hash of a record following `prev`, over `fields` in order. Each field goes in with its
/// length first, so fields cannot run into each other.
pub fn link(prev: &[u8], fields: &[&[u8]]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    for bytes in std::iter::once(prev).chain(fields.iter().copied()) {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    hasher.finalize().to_vec()
}

/// Why a chain breaks at a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakReason {
    /// A record number is missing: a record was deleted.
    Missing,
    /// The record's contents do not match its hash: it was edited.
    Edited,
    /// The record does not point at the one before it.
    Unlinked,
}

/// Where and why a chain breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub reason: BreakReason,
}

/// A walk along a chain from its first record (numbered 1), one record at a time, so a long
/// chain can be read in pages.
#[derive(Debug, Clone)]
pub struct Walk {
    next_seq: i64,
    head: Vec<u8>,
}

impl Default for Walk {
    fn default() -> Self {
        Walk {
            next_seq: 1,
            head: GENESIS.to_vec(),
        }
    }
}

impl Walk {
    /// Checks the next record: its number follows the last, it points at the last record's
    /// hash, and its stored hash is the hash of its `fields`.
    pub fn step(
        &mut self,
        seq: i64,
        prev_hash: &[u8],
        hash: &[u8],
        fields: &[&[u8]],
    ) -> Result<(), Break> {
        let broken = |reason| Break { seq, reason };
        if seq != self.next_seq {
            return Err(Break {
                seq: self.next_seq,
                reason: BreakReason::Missing,
            });
        }
        if prev_hash != self.head {
            return Err(broken(BreakReason::Unlinked));
        }
        let expected = link(&self.head, fields);
        if expected != hash {
            return Err(broken(BreakReason::Edited));
        }
        self.head = expected;
        self.next_seq += 1;
        Ok(())
    }

    /// How many records the walk has passed.
    pub fn records(&self) -> i64 {
        self.next_seq - 1
    }

    /// The hash of the last record passed (the genesis hash before the first).
    pub fn head(&self) -> &[u8] {
        &self.head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(texts: &[&str]) -> Vec<(i64, Vec<u8>, Vec<u8>)> {
        let mut prev = GENESIS.to_vec();
        let mut out = Vec::new();
        for (index, text) in texts.iter().enumerate() {
            let hash = link(&prev, &[text.as_bytes()]);
            out.push((index as i64 + 1, prev, hash.clone()));
            prev = hash;
        }
        out
    }

    fn walk(records: &[(i64, Vec<u8>, Vec<u8>)], texts: &[&str]) -> Result<Walk, Break> {
        let mut walk = Walk::default();
        for ((seq, prev, hash), text) in records.iter().zip(texts) {
            walk.step(*seq, prev, hash, &[text.as_bytes()])?;
        }
        Ok(walk)
    }

    #[test]
    fn fields_are_delimited_by_their_lengths() {
        assert_ne!(
            link(&GENESIS, &[b"ab", b"c"]),
            link(&GENESIS, &[b"a", b"bc"])
        );
    }

    #[test]
    fn a_whole_chain_walks_to_its_head() {
        let texts = ["a", "b", "c"];
        let records = chain(&texts);
        let walked = walk(&records, &texts).expect("whole");
        assert_eq!(walked.records(), 3);
        assert_eq!(walked.head(), records[2].2.as_slice());
    }

    #[test]
    fn edits_deletions_and_relinks_are_named_where_they_are() {
        let texts = ["a", "b", "c"];
        let records = chain(&texts);
        let edited = walk(&records, &["a", "B", "c"]).expect_err("edited");
        assert_eq!(
            edited,
            Break {
                seq: 2,
                reason: BreakReason::Edited
            }
        );
        let without_second = [records[0].clone(), records[2].clone()];
        let missing = walk(&without_second, &["a", "c"]).expect_err("missing");
        assert_eq!(
            missing,
            Break {
                seq: 2,
                reason: BreakReason::Missing
            }
        );
        let mut relinked = records.clone();
        relinked[2].1 = GENESIS.to_vec();
        let unlinked = walk(&relinked, &texts).expect_err("unlinked");
        assert_eq!(unlinked.reason, BreakReason::Unlinked);
    }
}
