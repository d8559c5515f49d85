//! A profile is one directory holding one vault; the platform data dir by default.

use crate::error::VaultError;
use std::path::{Path, PathBuf};

/// Environment variable that overrides the profile directory (tests, several profiles).
pub const PROFILE_ENV: &str = "LABELVAULT_PROFILE_DIR";
/// File name of the vault database inside a profile.
pub const DB_FILE: &str = "vault.db";
/// File name of the profile's non-secret descriptor (its keyring account, key check).
pub const PROFILE_FILE: &str = "profile.json";

/// One annotator profile: a directory with `vault.db` and `profile.json`.
#[derive(Debug, Clone)]
pub struct Profile {
    dir: PathBuf,
}

impl Profile {
    /// The profile at `dir`, else `$LABELVAULT_PROFILE_DIR`, else the platform data
    /// directory (`~/.local/share/labelvault/default` on Linux). Creates the directory
    /// (mode 0700 on Unix) if needed.
    pub fn resolve(dir: Option<PathBuf>) -> Result<Profile, VaultError> {
        let dir = match dir {
            Some(d) => d,
            None => match std::env::var_os(PROFILE_ENV) {
                Some(d) if !d.is_empty() => PathBuf::from(d),
                _ => default_dir()?,
            },
        };
        Profile::at(&dir)
    }

    /// The profile at exactly `dir`, created if missing.
    pub fn at(dir: &Path) -> Result<Profile, VaultError> {
        let err = |detail: String| VaultError::Profile {
            path: dir.to_path_buf(),
            detail,
        };
        if dir.exists() && !dir.is_dir() {
            return Err(err("it exists and is not a directory".into()));
        }
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(Profile {
            dir: dir.to_path_buf(),
        })
    }

    /// The profile directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the encrypted database.
    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    /// Path of the non-secret profile descriptor.
    pub fn descriptor_path(&self) -> PathBuf {
        self.dir.join(PROFILE_FILE)
    }
}

fn default_dir() -> Result<PathBuf, VaultError> {
    directories::ProjectDirs::from("org", "LabelVault", "labelvault")
        .map(|d| d.data_dir().join("default"))
        .ok_or_else(|| VaultError::Profile {
            path: PathBuf::from("~"),
            detail: "no home directory found".into(),
        })
}
