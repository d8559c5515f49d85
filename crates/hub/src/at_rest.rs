//! Raw text encrypted at rest. One 256-bit hub database key, from the OS keyring or a
//! key file given at start (0600, refused if wider):
//!
//! - SQLite: the whole database file is SQLCipher, keyed with it (a plaintext database
//!   from an earlier version is converted at start);
//! - PostgreSQL: every text-bearing value (a message's raw text, the redacted copy kept
//!   per dispatched item, a company's confirmed terms) is sealed on its own with a fresh
//!   data key (AES-256-GCM, `ring`) that is itself wrapped by the database key — the
//!   master key — so a dump holds no readable text. Rotation rewraps the data keys only
//!   (`labelvault-hub rewrap-db`), while hubs that know both keys keep serving.
//!
//! A sealed value is `lv1.<key id>.<wrapped data key>.<sealed text>` (base64, no padding);
//! the empty string (an erased text) stays empty.

use crate::error::HubError;
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use std::path::Path;
use zeroize::Zeroizing;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD_NO_PAD;
const PREFIX: &str = "lv1.";

/// The hub database key. `Debug` shows only its id.
#[derive(Clone)]
pub struct DbKey {
    key: Zeroizing<[u8; 32]>,
    id: String,
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl DbKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(key: [u8; 32]) -> DbKey {
        let mut h = ring::digest::Context::new(&ring::digest::SHA256);
        h.update(b"labelvault-hub/db-key-id/v1\0");
        h.update(&key);
        let id = hex::encode(&h.finish().as_ref()[..8]);
        DbKey {
            key: Zeroizing::new(key),
            id,
        }
    }

    /// A fresh random key.
    pub fn generate() -> Result<DbKey, HubError> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|_| HubError::Internal("no system randomness".into()))?;
        Ok(DbKey::from_bytes(k))
    }

    /// Its id (16 hex digits of a hash of it): which key sealed a value, never the key.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The raw bytes (for SQLCipher's `PRAGMA key`).
    pub fn bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// Read a key file: 64 hex digits, mode 0600 or stricter. A missing file is created
    /// with a fresh key (the hub's first start) when `create` is true.
    pub fn from_file(path: &Path, create: bool) -> anyhow::Result<DbKey> {
        use anyhow::{bail, Context};
        if !path.exists() {
            if !create {
                bail!("the database key file {} does not exist", path.display());
            }
            let k = DbKey::generate().map_err(|e| anyhow::anyhow!("{e}"))?;
            let text = Zeroizing::new(hex::encode(k.bytes()));
            labelvault_core::keystore::create_private_file(path, text.as_bytes())
                .with_context(|| format!("cannot create {}", path.display()))?;
            tracing::info!(key = k.id(), "created a database key file");
            return Ok(k);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                bail!(
                    "refusing the database key file {}: others can read it (mode {:o}); run `chmod 600 {}`",
                    path.display(),
                    mode & 0o777,
                    path.display()
                );
            }
        }
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        );
        let mut k = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut k).map_err(|_| {
            anyhow::anyhow!(
                "{} is not a database key: it must hold 64 hex digits",
                path.display()
            )
        })?;
        Ok(DbKey::from_bytes(k))
    }

    /// The data directory's key from the OS keyring (service `labelvault-hub`), made on
    /// the first start. Errors say how to use a key file instead.
    pub fn from_keyring(data_dir: &Path) -> anyhow::Result<DbKey> {
        use labelvault_core::keystore::{KeyStore, KeyringStore};
        let dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
        let account = format!(
            "db-key/{}",
            &hex::encode(
                ring::digest::digest(&ring::digest::SHA256, dir.to_string_lossy().as_bytes())
                    .as_ref()
            )[..16]
        );
        let ks = KeyringStore::with_service("labelvault-hub");
        let hint = "or give the hub a key file with --db-key-file PATH (created with mode 0600 on the first start)";
        match ks.get(&account) {
            Ok(Some(k)) => Ok(DbKey::from_bytes(*k)),
            Ok(None) => {
                let k = DbKey::generate().map_err(|e| anyhow::anyhow!("{e}"))?;
                ks.set(&account, k.bytes()).map_err(|e| {
                    anyhow::anyhow!("cannot store the database key in the OS keyring ({e}); {hint}")
                })?;
                tracing::info!(key = k.id(), "created the database key in the OS keyring");
                Ok(k)
            }
            Err(e) => Err(anyhow::anyhow!(
                "cannot read the database key from the OS keyring ({e}); {hint}"
            )),
        }
    }
}

/// Seals and opens text values for the PostgreSQL store: the current key seals, any
/// known key (current or older, during a rotation) opens.
#[derive(Clone, Debug)]
pub struct Sealer {
    current: DbKey,
    older: Vec<DbKey>,
}

fn aead(key: &[u8; 32]) -> Result<LessSafeKey, HubError> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| HubError::Internal("cannot build an AES-256-GCM key".into()))
}

fn random<const N: usize>() -> Result<[u8; N], HubError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| HubError::Internal("no system randomness".into()))?;
    Ok(b)
}

/// `nonce || ciphertext || tag` of `plain` under `key`, bound to `aad`.
fn seal_bytes(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, HubError> {
    let nonce = random::<12>()?;
    let mut buf = plain.to_vec();
    aead(key)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| HubError::Internal("sealing failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&buf);
    Ok(out)
}

fn open_bytes(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 12 + 16 {
        return None;
    }
    let (nonce, ct) = sealed.split_at(12);
    let mut buf = ct.to_vec();
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let plain = aead(key)
        .ok()?
        .open_in_place(nonce, Aad::from(aad), &mut buf)
        .ok()?;
    Some(plain.to_vec())
}

/// What a sealed value says of itself: its key id, wrapped data key and sealed text.
fn parts(stored: &str) -> Option<(&str, Vec<u8>, Vec<u8>)> {
    let rest = stored.strip_prefix(PREFIX)?;
    let mut it = rest.splitn(3, '.');
    let (id, wrapped, text) = (it.next()?, it.next()?, it.next()?);
    Some((id, B64.decode(wrapped).ok()?, B64.decode(text).ok()?))
}

impl Sealer {
    /// Seal with `current`; open with it or any of `older`.
    pub fn new(current: DbKey, older: Vec<DbKey>) -> Sealer {
        Sealer { current, older }
    }

    /// The sealing key's id.
    pub fn key_id(&self) -> &str {
        self.current.id()
    }

    fn key(&self, id: &str) -> Option<&DbKey> {
        std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id() == id)
    }

    /// Seal `plain` for the column `what` (bound as associated data, so a value cannot be
    /// moved to another column unnoticed). The empty string stays empty.
    pub fn seal(&self, what: &str, plain: &str) -> Result<String, HubError> {
        if plain.is_empty() {
            return Ok(String::new());
        }
        let dek = Zeroizing::new(random::<32>()?);
        let wrapped = seal_bytes(
            self.current.bytes(),
            b"labelvault-hub/data-key/v1",
            &dek[..],
        )?;
        let text = seal_bytes(&dek, what.as_bytes(), plain.as_bytes())?;
        Ok(format!(
            "{PREFIX}{}.{}.{}",
            self.current.id(),
            B64.encode(wrapped),
            B64.encode(text)
        ))
    }

    fn data_key(&self, id: &str, wrapped: &[u8]) -> Result<Zeroizing<[u8; 32]>, HubError> {
        let key = self.key(id).ok_or_else(|| {
            HubError::Internal(format!(
                "a stored text is sealed under database key {id}, which this hub was not given (pass it with --db-old-key-file, or finish the rotation with rewrap-db)"
            ))
        })?;
        let dek = open_bytes(key.bytes(), b"labelvault-hub/data-key/v1", wrapped)
            .filter(|d| d.len() == 32)
            .ok_or_else(|| {
                HubError::Internal("a stored data key does not open (damaged)".into())
            })?;
        let mut k = Zeroizing::new([0u8; 32]);
        k.copy_from_slice(&dek);
        Ok(k)
    }

    /// Open a stored value of column `what`. A value that is not sealed (written before
    /// encryption was on, until the store seals it at start) is returned as it is.
    pub fn open(&self, what: &str, stored: &str) -> Result<String, HubError> {
        if !stored.starts_with(PREFIX) {
            return Ok(stored.to_string());
        }
        let damaged = || HubError::Internal("a stored sealed text is damaged".into());
        let (id, wrapped, text) = parts(stored).ok_or_else(damaged)?;
        let dek = self.data_key(id, &wrapped)?;
        let plain = open_bytes(&dek, what.as_bytes(), &text).ok_or_else(damaged)?;
        String::from_utf8(plain).map_err(|_| damaged())
    }

    /// Whether `stored` is sealed under the current key (or empty): nothing to rewrap.
    pub fn is_current(&self, stored: &str) -> bool {
        stored.is_empty() || parts(stored).is_some_and(|(id, _, _)| id == self.current.id())
    }

    /// `stored` with its data key wrapped by the current key (the text itself is not
    /// touched); a plain value is sealed.
    pub fn rewrap(&self, what: &str, stored: &str) -> Result<String, HubError> {
        if !stored.starts_with(PREFIX) {
            return self.seal(what, stored);
        }
        let damaged = || HubError::Internal("a stored sealed text is damaged".into());
        let (id, wrapped, text) = parts(stored).ok_or_else(damaged)?;
        if id == self.current.id() {
            return Ok(stored.to_string());
        }
        let dek = self.data_key(id, &wrapped)?;
        let wrapped = seal_bytes(
            self.current.bytes(),
            b"labelvault-hub/data-key/v1",
            &dek[..],
        )?;
        Ok(format!(
            "{PREFIX}{}.{}.{}",
            self.current.id(),
            B64.encode(wrapped),
            B64.encode(text)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_column_and_survives_rotation() {
        let (a, b) = (DbKey::generate().unwrap(), DbKey::generate().unwrap());
        let s = Sealer::new(a.clone(), vec![]);
        let sealed = s.seal("messages.text", "Jane Doe, 1 Elm Street").unwrap();
        assert!(sealed.starts_with("lv1.") && !sealed.contains("Jane"));
        assert_ne!(
            sealed,
            s.seal("messages.text", "Jane Doe, 1 Elm Street").unwrap()
        );
        assert_eq!(
            s.open("messages.text", &sealed).unwrap(),
            "Jane Doe, 1 Elm Street"
        );
        assert!(
            s.open("copies.redacted", &sealed).is_err(),
            "bound to its column"
        );
        assert_eq!(s.seal("messages.text", "").unwrap(), "");
        assert_eq!(
            s.open("messages.text", "plain, from before").unwrap(),
            "plain, from before"
        );
        // Rotation: b seals, a still opens old values; rewrapped values need only b.
        let both = Sealer::new(b.clone(), vec![a.clone()]);
        assert_eq!(
            both.open("messages.text", &sealed).unwrap(),
            "Jane Doe, 1 Elm Street"
        );
        assert!(!both.is_current(&sealed));
        let rewrapped = both.rewrap("messages.text", &sealed).unwrap();
        assert!(both.is_current(&rewrapped));
        let only_b = Sealer::new(b, vec![]);
        assert_eq!(
            only_b.open("messages.text", &rewrapped).unwrap(),
            "Jane Doe, 1 Elm Street"
        );
        let err = only_b
            .open("messages.text", &sealed)
            .unwrap_err()
            .to_string();
        assert!(err.contains(a.id()) && !err.contains("Jane"), "{err}");
        // A flipped byte is refused, never returned.
        let mut bad = rewrapped.into_bytes();
        let n = bad.len() - 3;
        bad[n] = if bad[n] == b'A' { b'B' } else { b'A' };
        assert!(only_b
            .open("messages.text", &String::from_utf8(bad).unwrap())
            .is_err());
    }
}
