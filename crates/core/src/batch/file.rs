//! Byte layout of an `.lvbatch` file (specified in docs/batch-format.md):
//!
//! ```text
//! MAGIC (8) | header_len: u32 BE | header JSON | payload_len: u64 BE | age ciphertext | Ed25519 signature (64)
//! ```
//!
//! The signature covers `SIG_CONTEXT || SHA-256(every byte before the signature)`, so it
//! can be checked before anything is decrypted and binds the clear header to the sealed
//! payload.

use super::BatchPayload;
use crate::error::BatchError;
use crate::identity::{self, HubKey};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::str::FromStr;

/// First bytes of every batch file (format version 1).
pub const MAGIC: &[u8; 8] = b"LVBATCH\x01";
/// Domain separation for the hub's batch signature.
const SIG_CONTEXT: &[u8] = b"labelvault/batch/v1\0";
/// Largest batch file accepted.
pub const MAX_FILE_BYTES: usize = 512 * 1024 * 1024;
/// Largest clear header accepted.
const MAX_HEADER: usize = 64 * 1024;
const SIG_LEN: usize = 64;

/// The clear (signed, not encrypted) part of a batch: enough to route and display it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchHeader {
    /// Always 1 for this layout.
    pub format: u32,
    /// Batch id (repeated inside the payload).
    pub batch_id: String,
    /// Id of the hub key that signed the file.
    pub hub_key_id: String,
    /// age recipient of the device the batch is sealed to.
    pub recipient: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// Number of items inside.
    pub item_count: u64,
}

/// A batch that passed every check.
#[derive(Debug, Clone)]
pub struct OpenedBatch {
    /// The clear header.
    pub header: BatchHeader,
    /// The decrypted, validated content.
    pub payload: BatchPayload,
    /// SHA-256 of the signed bytes: identifies this exact file for idempotent import.
    pub content_sha256: [u8; 32],
}

/// Seal `payload` to its `recipient` and sign it with the hub key.
pub fn seal(payload: &BatchPayload, hub: &HubKey) -> Result<Vec<u8>, BatchError> {
    payload.validate()?;
    let recipient = age::x25519::Recipient::from_str(&payload.recipient).map_err(|_| {
        BatchError::Input(
            "the device recipient is not an age public key (age1…); copy it from `labelvault device show` on the device".into(),
        )
    })?;
    let header = BatchHeader {
        format: 1,
        batch_id: payload.batch_id.clone(),
        hub_key_id: hub.key_id(),
        recipient: payload.recipient.clone(),
        created_at: payload.created_at,
        expires_at: payload.expires_at,
        item_count: payload.items.len() as u64,
    };
    let plain = zeroize::Zeroizing::new(
        serde_json::to_vec(payload)
            .map_err(|e| BatchError::Input(format!("cannot encode batch: {e}")))?,
    );
    seal_raw(&header, &plain, &[recipient], hub)
}

/// Frame, encrypt and sign arbitrary content under `header`, sealed to `recipients`.
/// `seal` is the only production caller (one recipient); tests use it to build hostile
/// files that `seal` would refuse.
pub(crate) fn seal_raw(
    header: &BatchHeader,
    plain: &[u8],
    recipients: &[age::x25519::Recipient],
    hub: &HubKey,
) -> Result<Vec<u8>, BatchError> {
    let header_json = serde_json::to_vec(header)
        .map_err(|e| BatchError::Input(format!("cannot encode header: {e}")))?;
    let mut ciphertext = Vec::with_capacity(plain.len() + 1024);
    {
        let enc =
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| BatchError::Key(format!("cannot seal: {e}")))?;
        let mut w = enc
            .wrap_output(&mut ciphertext)
            .map_err(|e| BatchError::Key(format!("cannot seal: {e}")))?;
        w.write_all(plain)
            .and_then(|_| w.finish().map(|_| ()))
            .map_err(|e| BatchError::Key(format!("cannot seal: {e}")))?;
    }
    let mut out = Vec::with_capacity(8 + 4 + header_json.len() + 8 + ciphertext.len() + SIG_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header_json.len() as u32).to_be_bytes());
    out.extend_from_slice(&header_json);
    out.extend_from_slice(&(ciphertext.len() as u64).to_be_bytes());
    out.extend_from_slice(&ciphertext);
    let digest = sha256(&out);
    let sig = hub.sign(&signed_message(&digest));
    out.extend_from_slice(&sig);
    Ok(out)
}

fn sha256(b: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, b);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

fn signed_message(digest: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIG_CONTEXT.len() + 32);
    m.extend_from_slice(SIG_CONTEXT);
    m.extend_from_slice(digest);
    m
}

struct Frame<'a> {
    header: BatchHeader,
    ciphertext: &'a [u8],
    signed: &'a [u8],
    signature: &'a [u8],
}

fn frame(bytes: &[u8]) -> Result<Frame<'_>, BatchError> {
    let short = || BatchError::Format("the file is cut short".into());
    if bytes.len() > MAX_FILE_BYTES {
        return Err(BatchError::Format(format!(
            "larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(BatchError::Format(
            "it does not start with the LVBATCH signature".into(),
        ));
    }
    let mut at = MAGIC.len();
    let hlen = u32::from_be_bytes(
        bytes
            .get(at..at + 4)
            .ok_or_else(short)?
            .try_into()
            .map_err(|_| short())?,
    ) as usize;
    at += 4;
    if hlen > MAX_HEADER {
        return Err(BatchError::Format("header too large".into()));
    }
    let hbytes = bytes.get(at..at + hlen).ok_or_else(short)?;
    at += hlen;
    let header: BatchHeader = serde_json::from_slice(hbytes)
        .map_err(|e| BatchError::Format(format!("unreadable header: {e}")))?;
    if header.format != 1 {
        return Err(BatchError::Format(format!(
            "format version {} is not supported; update LabelVault",
            header.format
        )));
    }
    let plen_bytes = bytes.get(at..at + 8).ok_or_else(short)?;
    let plen = u64::from_be_bytes(plen_bytes.try_into().map_err(|_| short())?);
    at += 8;
    let plen = usize::try_from(plen).map_err(|_| short())?;
    let end = at.checked_add(plen).ok_or_else(short)?;
    let ciphertext = bytes.get(at..end).ok_or_else(short)?;
    let signature = bytes.get(end..).ok_or_else(short)?;
    if signature.len() != SIG_LEN {
        return Err(if signature.len() < SIG_LEN {
            short()
        } else {
            BatchError::Format("unexpected bytes after the signature".into())
        });
    }
    Ok(Frame {
        header,
        ciphertext,
        signed: &bytes[..end],
        signature,
    })
}

/// How many `X25519` recipient stanzas the age header (`-> X25519 …` lines before the
/// `---` line) of a sealed payload holds.
fn x25519_stanzas(age_file: &[u8]) -> usize {
    let end = age_file
        .windows(4)
        .position(|w| w == b"\n---")
        .unwrap_or(age_file.len());
    age_file[..end]
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"-> X25519 "))
        .count()
}

/// Read the clear header without verifying anything (for display before import).
pub fn read_header(bytes: &[u8]) -> Result<BatchHeader, BatchError> {
    Ok(frame(bytes)?.header)
}

/// Verify, decrypt and validate a batch.
///
/// `trusted` maps a hub key id to its pinned public key. Checks, in order: framing, a
/// pinned signer, the signature, the recipient, expiry (against `now`, Unix seconds),
/// decryption, JSON schema, field validation, and header/payload agreement.
pub fn open(
    bytes: &[u8],
    trusted: &dyn Fn(&str) -> Option<[u8; 32]>,
    identity: &age::x25519::Identity,
    now: i64,
) -> Result<OpenedBatch, BatchError> {
    let f = frame(bytes)?;
    let key = trusted(&f.header.hub_key_id).ok_or_else(|| BatchError::UnknownSigner {
        key_id: f.header.hub_key_id.clone(),
    })?;
    let digest = sha256(f.signed);
    if !identity::verify(&key, &signed_message(&digest), f.signature) {
        return Err(BatchError::Tampered);
    }
    let mine = identity.to_public().to_string();
    if f.header.recipient != mine {
        return Err(BatchError::WrongDevice {
            recipient_fingerprint: identity::fingerprint(&[f.header.recipient.as_bytes()]),
        });
    }
    if f.header.expires_at <= now {
        return Err(BatchError::Expired {
            batch_id: f.header.batch_id.clone(),
            expires_at: super::rfc3339(f.header.expires_at),
        });
    }
    // Sealed to this device alone: exactly one X25519 stanza (grease stanzas of other
    // types, which age adds to every file, are allowed).
    if x25519_stanzas(f.ciphertext) != 1 {
        return Err(BatchError::Invalid(
            "the batch is sealed to more than one key (or none); a batch must be sealed to this device alone"
                .into(),
        ));
    }
    let dec = age::Decryptor::new_buffered(f.ciphertext)
        .map_err(|e| BatchError::Format(format!("sealed content unreadable: {e}")))?;
    let mut reader = dec
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => BatchError::WrongDevice {
                recipient_fingerprint: identity::fingerprint(&[f.header.recipient.as_bytes()]),
            },
            other => BatchError::Format(format!("sealed content unreadable: {other}")),
        })?;
    let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(f.ciphertext.len()));
    reader
        .read_to_end(&mut plain)
        .map_err(|e| BatchError::Format(format!("sealed content unreadable: {e}")))?;
    let payload: BatchPayload = serde_json::from_slice(&plain).map_err(|e| {
        // serde_json's message names the field and position, not the value.
        BatchError::Invalid(format!(
            "malformed JSON ({})",
            json_error_without_values(&e)
        ))
    })?;
    payload.validate()?;
    let h = &f.header;
    if payload.batch_id != h.batch_id
        || payload.recipient != h.recipient
        || payload.created_at != h.created_at
        || payload.expires_at != h.expires_at
        || payload.items.len() as u64 != h.item_count
    {
        return Err(BatchError::Invalid(
            "the sealed content does not match the signed header".into(),
        ));
    }
    Ok(OpenedBatch {
        header: f.header,
        payload,
        content_sha256: digest,
    })
}

/// serde_json errors can quote input (e.g. `unknown variant "…"`); keep the category
/// and position only, since the input is item text.
pub(crate) fn json_error_without_values(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "wrong field or value type",
        serde_json::error::Category::Eof => "unexpected end",
    };
    let msg = e.to_string();
    // Field names are ours (schema), values are not: keep `missing field`/`unknown field` names.
    let field = ["missing field `", "unknown field `", "duplicate field `"]
        .iter()
        .find_map(|p| {
            msg.find(p).and_then(|i| {
                let rest = &msg[i + p.len()..];
                rest.find('`')
                    .map(|j| format!(", {}{}`", &p[..p.len()], &rest[..j]))
            })
        })
        .unwrap_or_default();
    format!("{kind}{field} at line {} column {}", e.line(), e.column())
}
