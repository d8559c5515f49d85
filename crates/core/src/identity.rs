//! Device identity: an Ed25519 signing key (for the outbound ledger and hub requests)
//! and an age X25519 identity (so batches can be sealed to this device alone).
//! Both are generated on first run and kept only inside the encrypted vault.

use crate::error::{BatchError, VaultError};
use age::secrecy::ExposeSecret;
use base64::Engine as _;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::str::FromStr;
use zeroize::Zeroizing;

/// Base64 (standard, padded) used for every public key and signature LabelVault prints.
pub(crate) const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The device's private keys, loaded from the vault.
pub struct DeviceIdentity {
    signing_pkcs8: Zeroizing<Vec<u8>>,
    signing: Ed25519KeyPair,
    age: age::x25519::Identity,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print private keys.
        f.debug_struct("DeviceIdentity")
            .field("public", &self.public())
            .finish_non_exhaustive()
    }
}

/// What a device may show anyone: its public keys and a short fingerprint to compare by
/// eye or over the phone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DevicePublic {
    /// Ed25519 public key, base64.
    pub signing_key: String,
    /// age recipient (`age1…`) that batches are sealed to.
    pub recipient: String,
    /// Short fingerprint of the signing key (the key that signs the ledger), e.g.
    /// `3f2a-9c1b-07de-55aa-e019`: what `audit verify` prints for the same device.
    pub fingerprint: String,
}

impl DeviceIdentity {
    /// Make a fresh identity (first run).
    pub fn generate() -> Result<DeviceIdentity, VaultError> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| VaultError::Storage("could not generate a signing key".into()))?;
        let age = age::x25519::Identity::generate();
        let secret = age.to_string();
        DeviceIdentity::from_parts(pkcs8.as_ref(), secret.expose_secret())
    }

    /// Rebuild from what the vault stores.
    pub(crate) fn from_parts(pkcs8: &[u8], age_secret: &str) -> Result<DeviceIdentity, VaultError> {
        let signing = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|_| VaultError::Storage("stored signing key is unreadable".into()))?;
        let age = age::x25519::Identity::from_str(age_secret)
            .map_err(|_| VaultError::Storage("stored encryption key is unreadable".into()))?;
        Ok(DeviceIdentity {
            signing_pkcs8: Zeroizing::new(pkcs8.to_vec()),
            signing,
            age,
        })
    }

    /// PKCS#8 document of the signing key, for storing in the vault only.
    pub(crate) fn signing_pkcs8(&self) -> &[u8] {
        &self.signing_pkcs8
    }

    /// The age secret key string, for storing in the vault only.
    pub(crate) fn age_secret(&self) -> Zeroizing<String> {
        Zeroizing::new(self.age.to_string().expose_secret().to_string())
    }

    /// The age identity, to open batches sealed to this device.
    pub(crate) fn age_identity(&self) -> &age::x25519::Identity {
        &self.age
    }

    /// Sign `msg` with the device key.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        let sig = self.signing.sign(msg);
        let mut out = [0u8; 64];
        out.copy_from_slice(sig.as_ref());
        out
    }

    /// Public half, for `labelvault device show` and enrollment.
    pub fn public(&self) -> DevicePublic {
        let signing_key = B64.encode(self.signing.public_key().as_ref());
        let recipient = self.age.to_public().to_string();
        // One formula everywhere (`device show`, `audit verify`, the hub): the signing key.
        let fingerprint = fingerprint(&[signing_key.as_bytes()]);
        DevicePublic {
            signing_key,
            recipient,
            fingerprint,
        }
    }
}

/// Short human-comparable fingerprint: first 10 bytes of SHA-256, hex in groups of 4.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"labelvault-fingerprint-v1\0");
    for p in parts {
        ctx.update(p);
    }
    let d = ctx.finish();
    let h = hex::encode(&d.as_ref()[..10]);
    h.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The hub's signing key (manager side). The hub crate will hold one; for now the CLI
/// keeps it in a file made by `labelvault hub keygen`.
pub struct HubKey {
    pair: Ed25519KeyPair,
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for HubKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubKey")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// Prefix of the text form of a hub secret key file.
const HUB_SECRET_PREFIX: &str = "LABELVAULT-HUB-SECRET-KEY-1:";

impl HubKey {
    /// A new random hub key.
    pub fn generate() -> Result<HubKey, BatchError> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| BatchError::Key("could not generate a hub key".into()))?;
        HubKey::from_pkcs8(pkcs8.as_ref())
    }

    /// From a PKCS#8 v2 document.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<HubKey, BatchError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|_| BatchError::Key("not an Ed25519 PKCS#8 key".into()))?;
        Ok(HubKey {
            pair,
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
        })
    }

    /// Parse the text form written by [`HubKey::to_secret_text`].
    pub fn from_secret_text(text: &str) -> Result<HubKey, BatchError> {
        let b64 = text.trim().strip_prefix(HUB_SECRET_PREFIX).ok_or_else(|| {
            BatchError::Key(
                "not a LabelVault hub secret key file (make one with `labelvault hub keygen`)"
                    .into(),
            )
        })?;
        let der = Zeroizing::new(
            B64.decode(b64)
                .map_err(|_| BatchError::Key("hub secret key file is damaged".into()))?,
        );
        HubKey::from_pkcs8(&der)
    }

    /// Text form for a key file (keep it private: mode 0600).
    pub fn to_secret_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{HUB_SECRET_PREFIX}{}\n", B64.encode(&*self.pkcs8)))
    }

    /// The public key, base64 — what devices pin.
    pub fn public_key(&self) -> String {
        B64.encode(self.pair.public_key().as_ref())
    }

    /// Short id of the public key, carried in batch headers.
    pub fn key_id(&self) -> String {
        key_id(self.pair.public_key().as_ref())
    }

    /// Sign `msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.pair.sign(msg).as_ref());
        out
    }
}

/// Key id of an Ed25519 public key: first 8 bytes of its SHA-256, hex.
pub fn key_id(public_key: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, public_key);
    hex::encode(&d.as_ref()[..8])
}

/// Decode a base64 Ed25519 public key and check its length.
pub fn parse_public_key(b64: &str) -> Result<[u8; 32], BatchError> {
    let raw = B64
        .decode(b64.trim())
        .map_err(|_| BatchError::Key("public key is not valid base64".into()))?;
    raw.as_slice()
        .try_into()
        .map_err(|_| BatchError::Key("public key must be 32 bytes (Ed25519)".into()))
}

/// Verify an Ed25519 signature under libsodium's rules
/// (`crypto_sign_verify_detached`), so that a privacy officer gets the same answer from
/// any strict verifier: the key must be a canonical encoding (`y < p`) of a point that is
/// not of small order, the signature's `R` must not encode a small-order point, `s` must
/// be below the group order ℓ, and the cofactorless equation `[s]B = R + [k]A` must hold
/// byte for byte on `R`'s encoding. The last two are `ring`'s own checks; the first two
/// are what libsodium adds and what `ring`, OpenSSL and the batch equation lack. Every
/// signature LabelVault checks goes through here, one at a time: a batch equation cannot
/// reject a small-order component in `R` that a single strict check rejects.
pub fn verify(public_key: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    let Some(r) = sig.get(..32) else {
        return false;
    };
    if sig.len() != 64 || !canonical_y(public_key) || small_order(public_key) || small_order(r) {
        return false;
    }
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key)
        .verify(msg, sig)
        .is_ok()
}

/// An Ed25519 public key as a SubjectPublicKeyInfo PEM block (RFC 8410), the form
/// OpenSSL 3, Python `cryptography` and most tools read (`openssl pkey -pubin -in F`).
pub fn public_key_pem(raw: &[u8; 32]) -> String {
    // SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING (0 unused bits) key }
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(raw);
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        B64.encode(der)
    )
}

/// Whether 32 bytes are an Ed25519 public key that [`verify`] can accept signatures by:
/// a canonical encoding of a curve point that is not of small order.
pub fn usable_public_key(k: &[u8; 32]) -> bool {
    canonical_y(k)
        && !small_order(k)
        && curve25519_dalek::edwards::CompressedEdwardsY(*k)
            .decompress()
            .is_some()
}

/// One public key, prepared for checking many signatures under the same rules as
/// [`verify`]: the key is checked once, and the equation `[s]B − [k]A = R` is computed with
/// curve25519-dalek's precomputed multiscalar multiplication over the two fixed points
/// `B` and `−A` (a ledger has thousands of signatures by one device key and one hub key).
/// The same checks, in the same order, as [`verify`]; tests hold the two to the same
/// verdicts on the published edge cases and on random valid and altered signatures.
pub struct StrictKey {
    bytes: [u8; 32],
    table: curve25519_dalek::edwards::VartimeEdwardsPrecomputation,
}

impl StrictKey {
    /// `None` unless [`usable_public_key`].
    pub fn new(public_key: &[u8; 32]) -> Option<StrictKey> {
        use curve25519_dalek::traits::VartimePrecomputedMultiscalarMul;
        if !usable_public_key(public_key) {
            return None;
        }
        let a = curve25519_dalek::edwards::CompressedEdwardsY(*public_key).decompress()?;
        // −A, not a negated scalar: a key with a small-order component (which libsodium
        // accepts) gives [k](−A) ≠ [ℓ − k]A.
        let table = curve25519_dalek::edwards::VartimeEdwardsPrecomputation::new([
            curve25519_dalek::constants::ED25519_BASEPOINT_POINT,
            -a,
        ]);
        Some(StrictKey {
            bytes: *public_key,
            table,
        })
    }

    /// Whether `sig` is a valid signature of `msg` by this key, under libsodium's rules.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        use curve25519_dalek::scalar::Scalar;
        use curve25519_dalek::traits::VartimePrecomputedMultiscalarMul;
        let Ok(sig) = <&[u8; 64]>::try_from(sig) else {
            return false;
        };
        let r = &sig[..32];
        if small_order(r) {
            return false;
        }
        let mut s_bytes = [0u8; 32];
        s_bytes.copy_from_slice(&sig[32..]);
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) else {
            return false;
        };
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA512);
        ctx.update(r);
        ctx.update(&self.bytes);
        ctx.update(msg);
        let mut wide = [0u8; 64];
        wide.copy_from_slice(ctx.finish().as_ref());
        let k = Scalar::from_bytes_mod_order_wide(&wide);
        let r_check = self.table.vartime_multiscalar_mul([s, k]);
        r_check.compress().as_bytes() == r
    }
}

/// Whether a point encoding's `y` (the sign bit of `x` aside) is below p = 2²⁵⁵ − 19.
fn canonical_y(b: &[u8; 32]) -> bool {
    // y ≥ p only for the 19 values 0x7fff…ffed ..= 0x7fff…ffff.
    let high_all_ones = b[1..31].iter().all(|&x| x == 0xff) && b[31] & 0x7f == 0x7f;
    !(high_all_ones && b[0] >= 0xed)
}

/// Whether 32 bytes encode a point of small order (order 1, 2, 4 or 8), in any of its
/// encodings: both signs of `x`, and `y` + p where that still fits. The list is built
/// from curve25519-dalek's eight torsion points rather than typed in, and compared with
/// the sign bit masked, as libsodium's `ge25519_has_small_order` does.
fn small_order(b: &[u8]) -> bool {
    static LIST: std::sync::OnceLock<Vec<[u8; 32]>> = std::sync::OnceLock::new();
    let list = LIST.get_or_init(|| {
        let mut out: Vec<[u8; 32]> = Vec::new();
        for p in curve25519_dalek::constants::EIGHT_TORSION {
            let mut y = p.compress().to_bytes();
            y[31] &= 0x7f;
            let mut encodings = vec![y];
            // y + p still fits in 255 bits when y ≤ 18 (here: y = 0 and y = 1).
            if y[0] <= 18 && y[1..].iter().all(|&b| b == 0) {
                let mut plus_p = [0xffu8; 32];
                plus_p[0] = 0xed + y[0];
                plus_p[31] = 0x7f;
                encodings.push(plus_p);
            }
            for e in encodings {
                if !out.contains(&e) {
                    out.push(e);
                }
            }
        }
        out
    });
    let Ok(b) = <[u8; 32]>::try_from(b) else {
        return false;
    };
    let mut y = b;
    y[31] &= 0x7f;
    list.contains(&y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_roundtrips_through_stored_parts() {
        let id = DeviceIdentity::generate().unwrap();
        let again = DeviceIdentity::from_parts(id.signing_pkcs8(), &id.age_secret()).unwrap();
        assert_eq!(id.public(), again.public());
        let sig = id.sign(b"hello");
        let pk = parse_public_key(&id.public().signing_key).unwrap();
        assert!(verify(&pk, b"hello", &sig));
        assert!(!verify(&pk, b"hellp", &sig));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let id = DeviceIdentity::generate().unwrap();
        let dbg = format!("{id:?}");
        assert!(!dbg.contains("AGE-SECRET-KEY"));
        let hub = HubKey::generate().unwrap();
        let text = hub.to_secret_text();
        assert!(!format!("{hub:?}").contains(text.trim()));
        let back = HubKey::from_secret_text(&text).unwrap();
        assert_eq!(back.public_key(), hub.public_key());
    }

    #[test]
    fn the_pem_form_is_the_rfc8410_spki_of_the_raw_key() {
        let raw = [7u8; 32];
        let pem = public_key_pem(&raw);
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let der = B64.decode(body).unwrap();
        assert_eq!(der.len(), 44);
        assert_eq!(hex::encode(&der[..12]), "302a300506032b6570032100");
        assert_eq!(&der[12..], &raw);
    }

    #[test]
    fn fingerprints_differ_and_are_grouped() {
        let a = DeviceIdentity::generate().unwrap().public();
        let b = DeviceIdentity::generate().unwrap().public();
        assert_ne!(a.fingerprint, b.fingerprint);
        assert_eq!(a.fingerprint.len(), 24);
        assert_eq!(a.fingerprint.matches('-').count(), 4);
    }
}
