//! Errors of the engine. Each says what happened and what the user can do next, and
//! none ever carries item text or key material: they travel to logs, the CLI and IPC.

use std::path::PathBuf;

/// Everything that can go wrong opening or using the vault.
///
/// The variants are distinct on purpose: "no keyring", "key missing" and "wrong key"
/// call for different actions, and none of them may ever lead to a new key being made
/// for an existing database (that would lock the user out of their data).
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The OS keyring could not be reached (no Secret Service / D-Bus, no provider).
    #[error("the OS keyring is unavailable ({detail}); start or unlock your keyring (e.g. GNOME Keyring / KWallet) and try again — nothing was created or changed")]
    KeyringUnavailable { detail: String },
    /// The keyring answered but refused access (locked collection, denied prompt).
    #[error("the OS keyring is locked or refused access ({detail}); unlock it and try again — nothing was created or changed")]
    KeyringLocked { detail: String },
    /// A vault file exists but the keyring holds no key for it.
    #[error("the vault at {path} exists but its key is not in this user's keyring; restore the keyring (or log in as the user who created it) — the file was left untouched")]
    KeyMissing { path: PathBuf },
    /// The keyring holds a key that does not open this vault.
    #[error("the key in the keyring does not open the vault at {path}; it belongs to another profile or was replaced — the file was left untouched")]
    WrongKey { path: PathBuf },
    /// The file is not a readable vault (truncated, overwritten, damaged).
    #[error("the vault at {path} is damaged or truncated ({detail}); restore it from a backup or move it aside to start a new profile — it was left untouched")]
    Corrupt { path: PathBuf, detail: String },
    /// The vault was written by a newer LabelVault.
    #[error("the vault at {path} has schema version {found}, newer than this LabelVault understands ({supported}); update LabelVault — the file was left untouched")]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    /// The profile directory could not be found or created.
    #[error("cannot use the profile directory {path}: {detail}; pass --profile DIR or set LABELVAULT_PROFILE_DIR to a writable directory")]
    Profile { path: PathBuf, detail: String },
    /// An argument from the caller was not valid (unknown item id, bad span...).
    #[error("{0}")]
    Invalid(String),
    /// Any other SQLite failure (disk full, I/O error). The detail is SQLite's own text.
    #[error("vault storage error: {0}")]
    Storage(String),
}

impl VaultError {
    /// A stable, machine-readable code for IPC and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::KeyringUnavailable { .. } => "keyring_unavailable",
            VaultError::KeyringLocked { .. } => "keyring_locked",
            VaultError::KeyMissing { .. } => "key_missing",
            VaultError::WrongKey { .. } => "wrong_key",
            VaultError::Corrupt { .. } => "corrupt",
            VaultError::NewerSchema { .. } => "newer_schema",
            VaultError::Profile { .. } => "profile",
            VaultError::Invalid(_) => "invalid",
            VaultError::Storage(_) => "storage",
        }
    }
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        // rusqlite's Display for constraint/type errors may quote column values; keep
        // only SQLite's generic description so no item text can slip into a message.
        match &e {
            rusqlite::Error::SqliteFailure(f, _) => VaultError::Storage(format!(
                "{} (code {})",
                rusqlite::ffi::code_to_str(f.extended_code),
                f.extended_code
            )),
            rusqlite::Error::QueryReturnedNoRows => VaultError::Storage("no such row".into()),
            other => VaultError::Storage(format!("{:?}", std::mem::discriminant(other))),
        }
    }
}

/// Why a batch file was refused. Import is all-or-nothing: after any of these the vault
/// is exactly as it was before.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Not an `.lvbatch` file, or cut short.
    #[error("not a LabelVault batch file ({0}); ask your manager to send the .lvbatch file again")]
    Format(String),
    /// The signature does not verify: the bytes were changed after the hub signed them.
    #[error("the batch file was modified after it was signed (signature check failed); do not use it — ask your manager for a fresh copy")]
    Tampered,
    /// Signed by a key this device does not trust.
    #[error("the batch was signed by hub key {key_id}, which this device does not trust; enroll with that hub or pin its key with `labelvault hub trust`")]
    UnknownSigner { key_id: String },
    /// Sealed to a different device.
    #[error("the batch was sealed to another device ({recipient_fingerprint}); it can only be opened there — ask your manager to seal it to this device (`labelvault device show`)")]
    WrongDevice { recipient_fingerprint: String },
    /// Past its expiry time.
    #[error("the batch {batch_id} expired at {expires_at}; ask your manager for a new batch")]
    Expired {
        batch_id: String,
        expires_at: String,
    },
    /// The decrypted content does not follow the schema.
    #[error("the batch content is invalid: {0}; ask your manager to rebuild it")]
    Invalid(String),
    /// An input file for sealing is not usable (manager side).
    #[error("{0}")]
    Input(String),
    /// Key material could not be read or generated.
    #[error("key error: {0}")]
    Key(String),
    /// The vault refused the import.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl BatchError {
    /// A stable, machine-readable code for IPC and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            BatchError::Format(_) => "batch_format",
            BatchError::Tampered => "batch_tampered",
            BatchError::UnknownSigner { .. } => "batch_unknown_signer",
            BatchError::WrongDevice { .. } => "batch_wrong_device",
            BatchError::Expired { .. } => "batch_expired",
            BatchError::Invalid(_) => "batch_invalid",
            BatchError::Input(_) => "batch_input",
            BatchError::Key(_) => "key",
            BatchError::Vault(v) => v.code(),
        }
    }
}

impl From<rusqlite::Error> for BatchError {
    fn from(e: rusqlite::Error) -> Self {
        BatchError::Vault(e.into())
    }
}
