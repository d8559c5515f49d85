//! Shared fixtures for the fuzz targets: fixed, public test keys (so the checked-in seed
//! corpus can hold batches and ledgers that really verify) and small helpers.
//!
//! These keys protect nothing: they exist only so that a fuzz target can re-sign a
//! mutated input and reach the code behind a signature check. `fuzz/make_seeds.py`
//! derives the same keys to write the seed corpus.

use base64::Engine as _;
use labelvault_core::identity::HubKey;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::str::FromStr;
use std::sync::OnceLock;

/// The hub key that signs seed batches and receipts (text form of a hub key file).
pub const HUB_SECRET: &str = "LABELVAULT-HUB-SECRET-KEY-1:MFMCAQEwBQYDK2VwBCIEILlJ+eoWkGk5gqrek2CNdhtAsR5fLIjtgB39pqzFIcQcoSMDIQCnqllbAgvN+7n9yigDKBKvRLEJY4ClsNL9jlOrHEQpXA==";
/// The device's age identity that seed batches are sealed to.
pub const DEVICE_AGE_SECRET: &str =
    "AGE-SECRET-KEY-1RAP2S2L53FYE5UVY2Z4QZZM9R80RN0U8ZW2HLNQU6Q83LLWMZECQHEXJ9W";
/// Its public half (`age1…`).
pub const DEVICE_RECIPIENT: &str = "age13v3ejw6enmdf7wtcem6wr6k0gqa77hy47k9xxpfa0lh54rkzsc8qevws0s";
/// The device's Ed25519 signing key (PKCS#8 v2, base64) that signs seed ledger entries.
pub const DEVICE_SIGNING_PKCS8: &str = "MFMCAQEwBQYDK2VwBCIEIKZWKTkjePWbvtK0pc9tkA2Q99vUx5/pixZbYNtYYkKtoSMDIQAAbZGQj/iaBw+/MeDxJGV35LmDkjzALL4/cagXtdw+9w==";
/// "Now" for every target, Unix seconds: fixed so that runs are reproducible. Seed
/// batches were created after it and expire long after it.
pub const NOW: i64 = 1_700_000_000;

/// Standard padded base64, as every LabelVault format uses.
pub const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The fixed keys, parsed once.
pub struct Keys {
    /// Hub signing key.
    pub hub: HubKey,
    /// Hub public key, raw.
    pub hub_public: [u8; 32],
    /// Device age identity.
    pub age: age::x25519::Identity,
    /// Device signing key.
    pub device: Ed25519KeyPair,
    /// Device public key, base64 (as ledger lines carry it).
    pub device_public_b64: String,
}

/// The fixed keys (panics only if the constants above are broken).
pub fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let hub = HubKey::from_secret_text(HUB_SECRET).expect("hub key");
        let hub_public: [u8; 32] = B64
            .decode(hub.public_key())
            .expect("b64")
            .try_into()
            .expect("32 bytes");
        let age = age::x25519::Identity::from_str(DEVICE_AGE_SECRET).expect("age identity");
        assert_eq!(age.to_public().to_string(), DEVICE_RECIPIENT);
        let device = Ed25519KeyPair::from_pkcs8(&B64.decode(DEVICE_SIGNING_PKCS8).expect("b64"))
            .expect("device key");
        let device_public_b64 = B64.encode(device.public_key().as_ref());
        Keys {
            hub,
            hub_public,
            age,
            device,
            device_public_b64,
        }
    })
}

/// A marker the seed corpus puts inside message texts. No LabelVault message contains
/// it, so an error or report that does has copied text from the input.
pub const MARKER: &str = "PII-7f3a";

/// Every JSON string value stored under a key named `text` anywhere in `v` (message
/// texts).
pub fn texts_in(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if k == "text" {
                    if let Some(s) = x.as_str() {
                        out.push(s.to_string());
                    }
                }
                texts_in(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| texts_in(x, out)),
        _ => {}
    }
}

/// Whether every [`MARKER`] in `input` lies inside a message text (a JSON `text` value
/// of the whole input or of one of its lines). Only then may no output repeat it: a
/// marker elsewhere (a key, an id) may legitimately be named in an error.
pub fn marker_only_in_texts(input: &str) -> bool {
    let total = input.matches(MARKER).count();
    if total == 0 {
        return false;
    }
    let mut texts = Vec::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(input) {
        texts_in(&v, &mut texts);
    } else {
        for line in input.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                texts_in(&v, &mut texts);
            }
        }
    }
    texts
        .iter()
        .map(|t| t.matches(MARKER).count())
        .sum::<usize>()
        == total
}

/// Panics if `message` repeats the marker of a message text: errors and reports must
/// name lines and fields only.
pub fn assert_no_text(message: &str, check: bool) {
    assert!(
        !check || !message.contains(MARKER),
        "an error message repeats input text: {message:?}"
    );
}
