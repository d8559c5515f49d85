//! The app's state: the profile and its open vault, or the reason it could not be
//! opened (shown by every command until the user fixes it and restarts).

use crate::error::{IpcError, IpcResult};
use labelvault_core::{KeyStore, KeyringStore, Profile, Vault};
use std::sync::{Mutex, MutexGuard};

/// Shared by all commands.
pub struct AppState {
    profile: Option<Profile>,
    vault: Mutex<Result<Vault, IpcError>>,
}

impl AppState {
    /// Open the default profile (`LABELVAULT_PROFILE_DIR` or the platform data dir)
    /// with the OS keyring, and import the generated demo batch into an empty vault.
    pub fn open_default() -> AppState {
        AppState::open(None, &KeyringStore::new(), true)
    }

    /// Open a profile with a given key store; `demo` imports the demo batch if empty.
    pub fn open(dir: Option<std::path::PathBuf>, keys: &dyn KeyStore, demo: bool) -> AppState {
        let profile = match Profile::resolve(dir) {
            Ok(p) => p,
            Err(e) => {
                return AppState {
                    profile: None,
                    vault: Mutex::new(Err(e.into())),
                }
            }
        };
        let vault = Vault::open(&profile, keys)
            .map_err(IpcError::from)
            .and_then(|mut v| {
                if demo && std::env::var_os("LABELVAULT_NO_DEMO").is_none() {
                    if let Some(r) = labelvault_core::demo::ensure_demo_batch(&mut v)? {
                        tracing::info!(items = r.items, "imported the demo batch");
                    }
                }
                Ok(v)
            });
        if let Err(e) = &vault {
            tracing::warn!(code = %e.code, "the vault could not be opened");
        }
        AppState {
            profile: Some(profile),
            vault: Mutex::new(vault),
        }
    }

    /// The open vault, or the error that kept it closed.
    pub fn vault(&self) -> IpcResult<VaultGuard<'_>> {
        let guard = self.vault.lock().map_err(|_| {
            IpcError::new(
                "internal",
                "the vault lock was poisoned; restart LabelVault",
            )
        })?;
        if let Err(e) = &*guard {
            return Err(e.clone());
        }
        Ok(VaultGuard(guard))
    }

    /// The profile, if it could be resolved.
    pub fn profile(&self) -> IpcResult<&Profile> {
        self.profile.as_ref().ok_or_else(|| {
            IpcError::new(
                "profile",
                "no profile directory could be used; set LABELVAULT_PROFILE_DIR",
            )
        })
    }
}

/// A locked, open vault.
pub struct VaultGuard<'a>(MutexGuard<'a, Result<Vault, IpcError>>);

impl std::ops::Deref for VaultGuard<'_> {
    type Target = Vault;
    fn deref(&self) -> &Vault {
        match &*self.0 {
            Ok(v) => v,
            Err(_) => unreachable!("VaultGuard is only made for an open vault"),
        }
    }
}

impl std::ops::DerefMut for VaultGuard<'_> {
    fn deref_mut(&mut self) -> &mut Vault {
        match &mut *self.0 {
            Ok(v) => v,
            Err(_) => unreachable!("VaultGuard is only made for an open vault"),
        }
    }
}
