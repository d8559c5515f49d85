//! The hub's access ledger: one entry per admin act — who (account and role), what (the
//! act and the route), when, the answer's status, and for raw-text reads and erasures the
//! message ids concerned, never any text. Entries are hash-chained like the device ledger
//! and each is signed by the hub key, so a privacy officer verifies an export offline and
//! answers "who read message m's raw text, and when" from it (`labelvault audit access`).

use serde::{Deserialize, Serialize};

/// One exported entry (JSONL, `seq` 1, 2, 3 … without gaps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessLine {
    /// Position in the chain.
    pub seq: u64,
    /// Hex `entry_hash` of the previous entry; 64 zeros for the first.
    pub prev_hash: String,
    /// Hex SHA-256 over the fields below ([`entry_hash`]).
    pub entry_hash: String,
    /// Unix ms.
    pub at_ms: i64,
    /// The account (`bootstrap` for the hub's admin token).
    pub account_id: String,
    /// Its role at the time.
    pub role: String,
    /// What was done (`ingest`, `dispatch`, `raw_text_read`, `erase`, …).
    pub act: String,
    /// HTTP method.
    pub method: String,
    /// Request path, without its query.
    pub path: String,
    /// HTTP status of the answer (403 for a role refused).
    pub status: u16,
    /// Messages whose raw text was read or erased.
    pub message_ids: Vec<String>,
    /// Base64 Ed25519 signature by the hub key over the raw 32 bytes of `entry_hash`.
    pub signature: String,
}

/// What an access entry's hash covers besides its place in the chain (`prev`, `seq`) and
/// its message ids: one struct, so the hub that writes an entry and every verifier that
/// recomputes it pass the same fields in the same order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessFields<'a> {
    /// Unix ms.
    pub at_ms: i64,
    /// The account (`bootstrap` for the hub's admin token).
    pub account_id: &'a str,
    /// Its role at the time.
    pub role: &'a str,
    /// What was done.
    pub act: &'a str,
    /// HTTP method of the call.
    pub method: &'a str,
    /// Its path.
    pub path: &'a str,
    /// HTTP status of the answer.
    pub status: u16,
}

impl AccessLine {
    /// The fields of this line its hash covers.
    pub fn fields(&self) -> AccessFields<'_> {
        AccessFields {
            at_ms: self.at_ms,
            account_id: &self.account_id,
            role: &self.role,
            act: &self.act,
            method: &self.method,
            path: &self.path,
            status: self.status,
        }
    }
}

/// The chain hash of an entry: SHA-256 of `labelvault/access/v1\0`, the previous hash,
/// `seq` and `at_ms` (8 bytes big-endian each), each text field length-prefixed (8 bytes
/// big-endian) in the order account, role, act, method, path, then `status` (2 bytes
/// big-endian) and the SHA-256 of the message ids joined by `\n`.
pub fn entry_hash(
    prev: &[u8; 32],
    seq: u64,
    f: &AccessFields<'_>,
    message_ids: &[String],
) -> [u8; 32] {
    entry_hash_with_ids_digest(prev, seq, f, &ids_digest(message_ids))
}

/// The SHA-256 of the message ids joined by `\n`, the part of [`entry_hash`] that covers
/// them: computed once for ids that go on the ledger again and again (the hub's export
/// of half a million messages), and without copying them into one string.
pub fn ids_digest(message_ids: &[String]) -> [u8; 32] {
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    for (i, id) in message_ids.iter().enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(id.as_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(h.finish().as_ref());
    out
}

/// [`entry_hash`] given the [`ids_digest`] of the message ids instead of the ids.
pub fn entry_hash_with_ids_digest(
    prev: &[u8; 32],
    seq: u64,
    f: &AccessFields<'_>,
    ids_digest: &[u8; 32],
) -> [u8; 32] {
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    h.update(b"labelvault/access/v1\0");
    h.update(prev);
    h.update(&seq.to_be_bytes());
    h.update(&f.at_ms.to_be_bytes());
    for field in [f.account_id, f.role, f.act, f.method, f.path] {
        h.update(&(field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.update(&f.status.to_be_bytes());
    h.update(ids_digest);
    let mut out = [0u8; 32];
    out.copy_from_slice(h.finish().as_ref());
    out
}

/// The checkpoint an export ends with: how many entries and the last hash, signed by the
/// hub when it answered. A privacy officer who keeps it can later prove that a shorter
/// or different chain was shown to someone else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessHead {
    /// Entries in the chain.
    pub entries: u64,
    /// Hex `entry_hash` of the last (64 zeros for none).
    pub head: String,
    /// When the hub signed it (Unix ms).
    pub signed_at_ms: i64,
    /// The signing hub key's id.
    pub hub_key_id: String,
}

/// [`AccessHead`] with the hub's signature over [`head_message`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedAccessHead {
    /// The checkpoint.
    pub signed_head: AccessHead,
    /// Base64 Ed25519 signature by the hub key.
    pub signature: String,
}

/// The bytes the hub signs for a checkpoint: `labelvault/access-head/v1\0` and its JSON.
pub fn head_message(h: &AccessHead) -> Vec<u8> {
    let mut m = b"labelvault/access-head/v1\0".to_vec();
    // Serializing a struct of plain fields cannot fail.
    m.extend_from_slice(&serde_json::to_vec(h).unwrap_or_default());
    m
}

/// What a verified access ledger holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccessReport {
    /// Entries.
    pub entries: u64,
    /// Raw-text reads among them.
    pub raw_text_reads: u64,
    /// Acts refused for the caller's role.
    pub refused: u64,
    /// Hex hash of the last entry.
    pub head: String,
    /// The export's closing checkpoint, if it has one: its entry count (equal to
    /// `entries`, or verification fails) and signing time.
    pub signed_head: Option<(u64, i64)>,
}

/// Parse and verify an exported access ledger: every line strict, `seq` from 1 without
/// gaps, each entry chained to the one before, its hash recomputed and its signature by
/// `hub_key` valid. The error names the entry and what is wrong.
pub fn verify(jsonl: &str, hub_key: &[u8; 32]) -> Result<(Vec<AccessLine>, AccessReport), String> {
    use base64::Engine as _;
    let mut prev = [0u8; 32];
    let mut out = Vec::new();
    let mut report = AccessReport::default();
    let all: Vec<&str> = jsonl.lines().filter(|l| !l.trim().is_empty()).collect();
    for (i, raw) in all.iter().enumerate() {
        let n = i as u64 + 1;
        if raw.starts_with("{\"signed_head\"") {
            if i + 1 != all.len() {
                return Err(format!("entry {n}: a checkpoint that is not the last line"));
            }
            let h: SignedAccessHead = serde_json::from_str(raw)
                .map_err(|_| "the closing checkpoint is unreadable".to_string())?;
            let sig = base64::engine::general_purpose::STANDARD
                .decode(&h.signature)
                .map_err(|_| "the checkpoint signature is not base64".to_string())?;
            if !crate::identity::verify(hub_key, &head_message(&h.signed_head), &sig) {
                return Err("the checkpoint's hub signature does not verify".into());
            }
            if h.signed_head.entries != report.entries || h.signed_head.head != hex::encode(prev) {
                return Err(format!(
                    "the checkpoint names {} entries and another head than the chain (a cut or altered tail)",
                    h.signed_head.entries
                ));
            }
            report.signed_head = Some((h.signed_head.entries, h.signed_head.signed_at_ms));
            break;
        }
        let l: AccessLine = serde_json::from_str(raw)
            .map_err(|_| format!("entry {n}: not an access ledger line"))?;
        if l.seq != n {
            return Err(format!(
                "entry {n}: sequence number {} (a dropped or reordered entry)",
                l.seq
            ));
        }
        if l.prev_hash != hex::encode(prev) {
            return Err(format!("entry {n}: does not chain to the entry before"));
        }
        let h = entry_hash(&prev, l.seq, &l.fields(), &l.message_ids);
        if l.entry_hash != hex::encode(h) {
            return Err(format!(
                "entry {n}: its fields do not match its hash (altered)"
            ));
        }
        let sig = base64::engine::general_purpose::STANDARD
            .decode(&l.signature)
            .map_err(|_| format!("entry {n}: signature is not base64"))?;
        if !crate::identity::verify(hub_key, &h, &sig) {
            return Err(format!("entry {n}: the hub signature does not verify"));
        }
        report.entries = n;
        report.raw_text_reads += u64::from(l.act == "raw_text_read");
        report.refused += u64::from(l.status == 403);
        prev = h;
        out.push(l);
    }
    report.head = hex::encode(prev);
    Ok((out, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest hashed piece by piece is the SHA-256 of the ids joined by `\n`, as the
    /// ledger format says (verifiers recompute it that way), for no, one and many ids.
    #[test]
    fn ids_digest_is_the_sha256_of_the_joined_ids() {
        for ids in [
            Vec::new(),
            vec!["m1".to_string()],
            vec![String::new(), "a".into()],
            (0..1000).map(|i| format!("m{i:07}")).collect::<Vec<_>>(),
        ] {
            let joined = ring::digest::digest(&ring::digest::SHA256, ids.join("\n").as_bytes());
            assert_eq!(
                ids_digest(&ids).as_slice(),
                joined.as_ref(),
                "{} ids",
                ids.len()
            );
            let f = AccessFields {
                at_ms: 9,
                account_id: "ac_1",
                role: "manager",
                act: "raw_text_read",
                method: "GET",
                path: "/v1/admin/export",
                status: 200,
            };
            let with = entry_hash_with_ids_digest(&[7; 32], 3, &f, &ids_digest(&ids));
            let direct = entry_hash(&[7; 32], 3, &f, &ids);
            assert_eq!(with, direct);
        }
        // ["", "a"] and ["\na"]-like splits differ from ["a"]: the separators count.
        assert_ne!(
            ids_digest(&["".into(), "a".into()]),
            ids_digest(&["a".into()])
        );
    }
}
