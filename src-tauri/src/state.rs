//! The app's state: the profile and its open vault, or the reason it could not be
//! opened (shown by every command until the user fixes it and restarts).

use crate::error::{IpcError, IpcResult};
use labelvault_core::{KeyStore, KeyringStore, Profile, Vault};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The vault slot: `None` while it is still being opened in the background.
type Slot = Mutex<Option<Result<Vault, IpcError>>>;

/// Shared by all commands (cheap to clone: commands that run off the main thread take
/// a clone).
#[derive(Clone)]
pub struct AppState {
    profile: Option<Profile>,
    vault: Arc<(Slot, Condvar)>,
    manager_keys: Arc<dyn KeyStore>,
    /// Held for a whole sync, so two syncs never run at once (each reaches the vault
    /// step by step, between which decisions go on).
    sync: Arc<Mutex<()>>,
}

impl AppState {
    /// Open the default profile (`LABELVAULT_PROFILE_DIR` or the platform data dir)
    /// with the OS keyring, and import the generated demo batch into an empty vault.
    ///
    /// The vault is opened on a background thread while the window and the webview
    /// start, so the keyring round trip and the integrity check do not add to the cold
    /// start; the first command that needs the vault waits for it.
    pub fn open_default() -> AppState {
        AppState::open_in_background(None, KeyringStore::new(), true)
    }

    /// Like [`AppState::open`], but the vault opens on a background thread; commands
    /// that need it wait until it is open (or failed to open).
    pub fn open_in_background<K: KeyStore + Send + 'static>(
        dir: Option<std::path::PathBuf>,
        keys: K,
        demo: bool,
    ) -> AppState {
        let profile = match Profile::resolve(dir) {
            Ok(p) => p,
            Err(e) => return AppState::failed(e.into()),
        };
        let slot: Arc<(Slot, Condvar)> = Arc::new((Mutex::new(None), Condvar::new()));
        let (bg_profile, bg_slot) = (profile.clone(), slot.clone());
        let keys = Arc::new(keys);
        let bg_keys = keys.clone();
        let spawned = std::thread::Builder::new()
            .name("vault-open".into())
            .spawn(move || {
                let result = open_vault(&bg_profile, &*bg_keys, demo);
                let (lock, ready) = &*bg_slot;
                if let Ok(mut g) = lock.lock() {
                    *g = Some(result);
                }
                ready.notify_all();
            });
        if spawned.is_err() {
            // No thread: open in line instead.
            let result = open_vault(&profile, &*keys, demo);
            if let Ok(mut g) = slot.0.lock() {
                *g = Some(result);
            }
        }
        AppState {
            profile: Some(profile),
            vault: slot,
            manager_keys: Arc::new(KeyringStore::new()),
            sync: Arc::default(),
        }
    }

    /// Open a profile with a given key store; `demo` imports the demo batch if empty.
    pub fn open(dir: Option<std::path::PathBuf>, keys: &dyn KeyStore, demo: bool) -> AppState {
        let profile = match Profile::resolve(dir) {
            Ok(p) => p,
            Err(e) => return AppState::failed(e.into()),
        };
        let vault = open_vault(&profile, keys, demo);
        AppState {
            profile: Some(profile),
            vault: Arc::new((Mutex::new(Some(vault)), Condvar::new())),
            manager_keys: Arc::new(KeyringStore::new()),
            sync: Arc::default(),
        }
    }

    fn failed(e: IpcError) -> AppState {
        AppState {
            profile: None,
            vault: Arc::new((Mutex::new(Some(Err(e))), Condvar::new())),
            manager_keys: Arc::new(KeyringStore::new()),
            sync: Arc::default(),
        }
    }

    /// Keep the manager's admin token in another key store (tests use a keyring
    /// service of their own).
    pub fn with_manager_keys(mut self, keys: Arc<dyn KeyStore>) -> AppState {
        self.manager_keys = keys;
        self
    }

    /// Where the manager's admin token lives (the OS keyring).
    pub fn manager_keys(&self) -> &dyn KeyStore {
        &*self.manager_keys
    }

    /// The open vault, or the error that kept it closed (waits while it is opening).
    pub fn vault(&self) -> IpcResult<VaultGuard<'_>> {
        let poisoned = || {
            IpcError::new(
                "internal",
                "the vault lock was poisoned; restart LabelVault",
            )
        };
        let (lock, ready) = &*self.vault;
        let mut guard = lock.lock().map_err(|_| poisoned())?;
        while guard.is_none() {
            guard = ready.wait(guard).map_err(|_| poisoned())?;
        }
        if let Some(Err(e)) = &*guard {
            return Err(e.clone());
        }
        Ok(VaultGuard(guard))
    }

    /// One sync at a time: held for the whole sync (not the vault's lock).
    pub fn sync_turn(&self) -> IpcResult<MutexGuard<'_, ()>> {
        self.sync.lock().map_err(|_| {
            IpcError::new("internal", "the sync lock was poisoned; restart LabelVault")
        })
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

fn open_vault(profile: &Profile, keys: &dyn KeyStore, demo: bool) -> Result<Vault, IpcError> {
    let started = std::time::Instant::now();
    let vault = Vault::open(profile, keys)
        .map_err(IpcError::from)
        .and_then(|mut v| {
            if demo && std::env::var_os("LABELVAULT_NO_DEMO").is_none() {
                if let Some(r) = labelvault_core::demo::ensure_demo_batch(&mut v)? {
                    tracing::info!(items = r.items, "imported the demo batch");
                }
            }
            Ok(v)
        });
    match &vault {
        Ok(_) => tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            "the vault is open"
        ),
        Err(e) => tracing::warn!(code = %e.code, "the vault could not be opened"),
    }
    vault
}

/// A locked, open vault.
pub struct VaultGuard<'a>(MutexGuard<'a, Option<Result<Vault, IpcError>>>);

impl std::ops::Deref for VaultGuard<'_> {
    type Target = Vault;
    fn deref(&self) -> &Vault {
        match &*self.0 {
            Some(Ok(v)) => v,
            _ => unreachable!("VaultGuard is only made for an open vault"),
        }
    }
}

impl std::ops::DerefMut for VaultGuard<'_> {
    fn deref_mut(&mut self) -> &mut Vault {
        match &mut *self.0 {
            Some(Ok(v)) => v,
            _ => unreachable!("VaultGuard is only made for an open vault"),
        }
    }
}

/// Run blocking work (hub calls, vault-wide counts) on a worker thread, so the window's
/// main loop keeps painting and handling input meanwhile.
pub(crate) async fn off_main<T: Send + 'static>(
    f: impl FnOnce() -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|_| {
        IpcError::new(
            "internal",
            "a background task stopped unexpectedly; try again",
        )
    })?
}
