//! Where vault keys live: the OS keyring, and only there.
//!
//! A `KeyStore` distinguishes "no key yet" from "keyring unavailable" because only the
//! first may lead to creating a key; the second must stop everything.

use crate::error::VaultError;
use zeroize::Zeroizing;

/// Keyring service name under which every LabelVault secret is stored.
pub const SERVICE: &str = "labelvault";

/// Storage for 32-byte vault keys, addressed by an account name (one per profile).
pub trait KeyStore: Send + Sync {
    /// The key for `account`, `Ok(None)` if there is none yet.
    fn get(&self, account: &str) -> Result<Option<Zeroizing<[u8; 32]>>, VaultError>;
    /// Store the key for `account`, replacing any previous one.
    fn set(&self, account: &str, key: &[u8; 32]) -> Result<(), VaultError>;
    /// Remove the key for `account` (crypto-shredding a profile). Missing is fine.
    fn delete(&self, account: &str) -> Result<(), VaultError>;
    /// A text secret (the manager's hub admin token) for `account`, `Ok(None)` if none.
    /// Stores that hold only vault keys refuse, so a token never falls back to a file.
    fn get_text(&self, account: &str) -> Result<Option<Zeroizing<String>>, VaultError> {
        let _ = account;
        Err(VaultError::KeyringUnavailable {
            detail: "this key store cannot hold text secrets".into(),
        })
    }
    /// Store a text secret for `account`, replacing any previous one.
    fn set_text(&self, account: &str, secret: &str) -> Result<(), VaultError> {
        let _ = (account, secret);
        Err(VaultError::KeyringUnavailable {
            detail: "this key store cannot hold text secrets".into(),
        })
    }
}

/// The platform keyring: Secret Service on Linux, Keychain on macOS, Credential Manager
/// on Windows.
#[derive(Debug, Default, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// A store under the default LabelVault service name.
    pub fn new() -> Self {
        KeyringStore {
            service: SERVICE.to_string(),
        }
    }

    /// A store under another service name (lets tests keep their entries apart).
    pub fn with_service(service: &str) -> Self {
        KeyringStore {
            service: service.to_string(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, account).map_err(map_keyring_error)
    }
}

/// Run a keyring call, again after a short pause if the platform call itself failed
/// (a D-Bus call dropped because the Secret Service restarted, say): a transient
/// failure then costs a moment instead of a "keyring unavailable" stop. Other errors
/// (no entry, locked) are answers and are returned at once.
fn with_retry<T>(mut call: impl FnMut() -> Result<T, keyring::Error>) -> Result<T, keyring::Error> {
    let mut result = call();
    for pause_ms in [150, 500] {
        match &result {
            Err(keyring::Error::PlatformFailure(_)) => {
                std::thread::sleep(std::time::Duration::from_millis(pause_ms));
                result = call();
            }
            _ => break,
        }
    }
    result
}

/// Sort keyring failures into "unavailable" and "locked"; neither leaks the secret.
pub(crate) fn map_keyring_error(e: keyring::Error) -> VaultError {
    match e {
        keyring::Error::PlatformFailure(inner) => VaultError::KeyringUnavailable {
            detail: inner.to_string(),
        },
        keyring::Error::NoStorageAccess(inner) => VaultError::KeyringLocked {
            detail: inner.to_string(),
        },
        other => VaultError::KeyringUnavailable {
            detail: format!("{other}"),
        },
    }
}

impl KeyStore for KeyringStore {
    fn get(&self, account: &str) -> Result<Option<Zeroizing<[u8; 32]>>, VaultError> {
        let entry = self.entry(account)?;
        match with_retry(|| entry.get_secret()) {
            Ok(secret) => {
                let secret = Zeroizing::new(secret);
                let bytes: [u8; 32] =
                    secret
                        .as_slice()
                        .try_into()
                        .map_err(|_| VaultError::KeyringUnavailable {
                            detail: format!(
                                "the keyring entry {account:?} does not hold a 32-byte key"
                            ),
                        })?;
                Ok(Some(Zeroizing::new(bytes)))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, account: &str, key: &[u8; 32]) -> Result<(), VaultError> {
        let entry = self.entry(account)?;
        with_retry(|| entry.set_secret(key)).map_err(map_keyring_error)
    }

    fn delete(&self, account: &str) -> Result<(), VaultError> {
        let entry = self.entry(account)?;
        match with_retry(|| entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn get_text(&self, account: &str) -> Result<Option<Zeroizing<String>>, VaultError> {
        let entry = self.entry(account)?;
        match with_retry(|| entry.get_password()) {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set_text(&self, account: &str, secret: &str) -> Result<(), VaultError> {
        let entry = self.entry(account)?;
        with_retry(|| entry.set_password(secret)).map_err(map_keyring_error)
    }
}

/// An in-process key store for benchmarks and tools that must not touch the OS keyring.
/// Keys vanish with the process: never use it for a real profile.
#[doc(hidden)]
#[derive(Default)]
pub struct MemoryKeyStore(std::sync::Mutex<std::collections::HashMap<String, [u8; 32]>>);

impl KeyStore for MemoryKeyStore {
    fn get(&self, account: &str) -> Result<Option<Zeroizing<[u8; 32]>>, VaultError> {
        let map = self
            .0
            .lock()
            .map_err(|_| VaultError::Storage("key store lock poisoned".into()))?;
        Ok(map.get(account).map(|k| Zeroizing::new(*k)))
    }
    fn set(&self, account: &str, key: &[u8; 32]) -> Result<(), VaultError> {
        let mut map = self
            .0
            .lock()
            .map_err(|_| VaultError::Storage("key store lock poisoned".into()))?;
        map.insert(account.to_string(), *key);
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), VaultError> {
        let mut map = self
            .0
            .lock()
            .map_err(|_| VaultError::Storage("key store lock poisoned".into()))?;
        map.remove(account);
        Ok(())
    }
}

/// Create a file readable by its owner only (mode 0600 on Unix), refusing to overwrite
/// an existing one, and flush it to disk: for hub keys and admin tokens.
pub fn create_private_file(path: &std::path::Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(content)?;
    f.sync_all()
}

/// Replace `path` with `content` atomically: write a sibling `<name>.tmp`, flush it to
/// disk, then rename it over `path`, so a crash leaves the old file or the new one,
/// never half of either. For the profile's small JSON files and the Manage view's
/// downloads.
pub fn write_atomically(path: &std::path::Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(content)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
