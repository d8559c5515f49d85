//! `profile.json`: the non-secret descriptor that names a profile's keyring entry and
//! carries a key check value, so "wrong key" can be told from "damaged file".
//!
//! The check value is HMAC-SHA256(key, label): it reveals nothing usable about a
//! 256-bit random key.

use crate::error::VaultError;
use serde::{Deserialize, Serialize};
use std::path::Path;

const CHECK_LABEL: &[u8] = b"labelvault-key-check-v1";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Descriptor {
    pub format: u32,
    pub keyring_account: String,
    pub key_check: String,
}

fn check_value(key: &[u8; 32]) -> String {
    let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    hex::encode(ring::hmac::sign(&k, CHECK_LABEL).as_ref())
}

impl Descriptor {
    pub fn new_account() -> Result<String, VaultError> {
        let mut b = [0u8; 12];
        getrandom::fill(&mut b).map_err(|_| VaultError::Storage("no system randomness".into()))?;
        Ok(format!("vault-{}", hex::encode(b)))
    }

    pub fn for_key(account: String, key: &[u8; 32]) -> Descriptor {
        Descriptor {
            format: 1,
            keyring_account: account,
            key_check: check_value(key),
        }
    }

    pub fn matches(&self, key: &[u8; 32]) -> bool {
        let Ok(tag) = hex::decode(&self.key_check) else {
            return false;
        };
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
        ring::hmac::verify(&k, CHECK_LABEL, &tag).is_ok()
    }

    pub fn read(path: &Path) -> Result<Option<Descriptor>, VaultError> {
        match std::fs::read(path) {
            Ok(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|_| VaultError::Corrupt {
                    path: path.to_path_buf(),
                    detail: "the profile descriptor is not valid".into(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(VaultError::Profile {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }),
        }
    }

    /// Write atomically: temp file, fsync, rename.
    pub fn write(&self, path: &Path) -> Result<(), VaultError> {
        let err = |e: std::io::Error| VaultError::Profile {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        let body =
            serde_json::to_vec_pretty(self).map_err(|e| VaultError::Storage(e.to_string()))?;
        crate::keystore::write_atomically(path, &body).map_err(err)
    }
}
