//! Test helpers shared by the engine's unit tests.

use crate::error::VaultError;
use crate::keystore::{KeyStore, KeyringStore};
use zeroize::Zeroizing;

/// The real OS keyring, under a service name kept apart from real profiles.
pub(crate) fn keys() -> KeyringStore {
    KeyringStore::with_service("labelvault-test")
}

/// A keyring that fails the way a missing or locked Secret Service does. Used only
/// for the error paths a real keyring cannot produce on demand inside one process.
pub(crate) enum FailingStore {
    Unavailable,
    Locked,
}

impl KeyStore for FailingStore {
    fn get(&self, _: &str) -> Result<Option<Zeroizing<[u8; 32]>>, VaultError> {
        Err(self.error())
    }
    fn set(&self, _: &str, _: &[u8; 32]) -> Result<(), VaultError> {
        Err(self.error())
    }
    fn delete(&self, _: &str) -> Result<(), VaultError> {
        Err(self.error())
    }
}

impl FailingStore {
    fn error(&self) -> VaultError {
        match self {
            FailingStore::Unavailable => VaultError::KeyringUnavailable {
                detail: "no D-Bus".into(),
            },
            FailingStore::Locked => VaultError::KeyringLocked {
                detail: "collection is locked".into(),
            },
        }
    }
}
