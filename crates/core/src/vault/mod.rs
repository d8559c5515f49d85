//! The vault: one SQLCipher database per profile, keyed by a random 256-bit key that
//! lives only in the OS keyring.
//!
//! Opening never destroys anything: every situation where the key and the file do not
//! fit together (no keyring, no key, wrong key, damaged file, newer schema) is a
//! distinct [`VaultError`] and leaves both untouched. A new key is only ever made when
//! there is no database to lose.

mod descriptor;
mod import;
mod notices;
mod outbound;
mod queue;
mod record;
pub(crate) mod schema;
mod screen;

pub use import::plain_import_for_bench;
pub use notices::{mask_spans, NoticeEffect, MASK_CHAR};
pub use outbound::{
    HubLink, LedgerSummary, PurgeReport, RetentionStatus, StoredEntry, DEFAULT_GRACE_SECS,
};
pub use queue::{BatchSummary, QueueItem, ReasonCounts, RecentDecision, VaultStatus};
pub use schema::SCHEMA_VERSION;
pub use screen::{screen_item, screen_items, SCREENED_KINDS};

use crate::error::VaultError;
use crate::identity::DeviceIdentity;
use crate::keystore::KeyStore;
use crate::profile::Profile;
use descriptor::Descriptor;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Page cache for the working set: 64 MiB holds a 100k-item vault, which keeps
/// SQLCipher's page decryption off the hot path (TECH.md: 3× → 1.1×).
const CACHE_KIB: i64 = 64 * 1024;
/// SQLCipher's page size; a healthy vault file is a whole number of pages.
const PAGE_SIZE: u64 = 4096;
/// WAL size (pages) at which a commit checkpoints in line: only a safety net, since
/// decisions hand the checkpoint to a background connection long before (an in-line
/// checkpoint copies and fsyncs the whole WAL inside the keypress that triggers it).
pub(crate) const AUTOCHECKPOINT_PAGES: i64 = 16_384;
/// Decisions between background checkpoints.
const DECISIONS_PER_CHECKPOINT: u32 = 64;

/// An open vault.
pub struct Vault {
    conn: Connection,
    path: PathBuf,
    profile_dir: PathBuf,
    identity: DeviceIdentity,
    key: Zeroizing<[u8; 32]>,
    checkpointer: Option<std::thread::JoinHandle<()>>,
    decisions_since_checkpoint: u32,
}

impl Drop for Vault {
    fn drop(&mut self) {
        if let Some(h) = self.checkpointer.take() {
            let _ = h.join();
        }
    }
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Open the profile's vault, creating the key, database and device identity on
    /// first run.
    pub fn open(profile: &Profile, keys: &dyn KeyStore) -> Result<Vault, VaultError> {
        let db = profile.db_path();
        let desc_path = profile.descriptor_path();
        let desc = Descriptor::read(&desc_path)?;
        let db_exists = db.exists();
        match (desc, db_exists) {
            (Some(d), true) => {
                let asked = std::time::Instant::now();
                let key = keys
                    .get(&d.keyring_account)?
                    .ok_or_else(|| VaultError::KeyMissing { path: db.clone() })?;
                tracing::debug!(
                    ms = asked.elapsed().as_millis() as u64,
                    "vault key read from the keyring"
                );
                if !d.matches(&key) {
                    return Err(VaultError::WrongKey { path: db });
                }
                Vault::open_existing(profile, &db, &key)
            }
            (None, true) => Err(VaultError::Corrupt {
                path: db,
                detail: format!(
                    "{} (which names its keyring entry) is missing",
                    crate::profile::PROFILE_FILE
                ),
            }),
            (desc, false) => {
                // No database here. If the profile's key is still in the keyring (an
                // interrupted first run, or a database moved away), keep using it: a
                // vault restored from a backup must still open. Otherwise make one.
                let (account, existing) = match &desc {
                    Some(d) => {
                        // Probe first: an unavailable keyring stops us before anything is made.
                        let k = keys.get(&d.keyring_account)?.filter(|k| d.matches(k));
                        (d.keyring_account.clone(), k)
                    }
                    None => {
                        let account = Descriptor::new_account()?;
                        keys.get(&account)?;
                        (account, None)
                    }
                };
                if let Some(key) = existing {
                    return Vault::create(profile, &db, &key);
                }
                let mut key = Zeroizing::new([0u8; 32]);
                getrandom::fill(key.as_mut())
                    .map_err(|_| VaultError::Storage("no system randomness".into()))?;
                keys.set(&account, &key)?;
                match keys.get(&account)? {
                    Some(k) if *k == *key => {}
                    _ => {
                        return Err(VaultError::KeyringUnavailable {
                            detail: "the keyring did not keep the new key".into(),
                        })
                    }
                }
                Descriptor::for_key(account, &key).write(&desc_path)?;
                Vault::create(profile, &db, &key)
            }
        }
    }

    fn connect(path: &Path, key: &[u8; 32]) -> Result<Connection, VaultError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // SQLCipher would otherwise print key-derivation failures to stderr.
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        let stmt = Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", hex::encode(key)));
        conn.execute_batch(&stmt)?;
        Ok(conn)
    }

    fn tune(conn: &Connection) -> Result<(), VaultError> {
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -{CACHE_KIB};
             PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES};"
        ))?;
        Ok(())
    }

    fn create(profile: &Profile, db: &Path, key: &[u8; 32]) -> Result<Vault, VaultError> {
        let mut conn = Vault::connect(db, key)?;
        Vault::tune(&conn)?;
        schema::migrate(&mut conn, db)?;
        let key = Zeroizing::new(*key);
        let identity = DeviceIdentity::generate()?;
        conn.execute(
            "INSERT INTO device_identity (id, signing_pkcs8, age_identity, created_at)
             VALUES (1, ?1, ?2, ?3)",
            rusqlite::params![
                identity.signing_pkcs8(),
                identity.age_secret().as_str(),
                crate::batch::now_unix()
            ],
        )?;
        tracing::info!(fingerprint = %identity.public().fingerprint, "created a new vault");
        Ok(Vault::assemble(conn, profile, db, identity, &key))
    }

    fn assemble(
        conn: Connection,
        profile: &Profile,
        db: &Path,
        identity: DeviceIdentity,
        key: &[u8; 32],
    ) -> Vault {
        Vault {
            conn,
            path: db.to_path_buf(),
            profile_dir: profile.dir().to_path_buf(),
            identity,
            key: Zeroizing::new(*key),
            checkpointer: None,
            decisions_since_checkpoint: 0,
        }
    }

    fn open_existing(profile: &Profile, db: &Path, key: &[u8; 32]) -> Result<Vault, VaultError> {
        let corrupt = |detail: &str| VaultError::Corrupt {
            path: db.to_path_buf(),
            detail: detail.to_string(),
        };
        let len = std::fs::metadata(db)
            .map_err(|e| VaultError::Storage(e.to_string()))?
            .len();
        if len == 0 {
            return Err(corrupt("the file is empty"));
        }
        let mut head = [0u8; 16];
        {
            use std::io::Read;
            let mut f = std::fs::File::open(db).map_err(|e| VaultError::Storage(e.to_string()))?;
            let n = f
                .read(&mut head)
                .map_err(|e| VaultError::Storage(e.to_string()))?;
            if n == 16 && &head == b"SQLite format 3\0" {
                return Err(corrupt("it is an unencrypted SQLite file, not a vault"));
            }
        }
        if len % PAGE_SIZE != 0 {
            return Err(corrupt(
                "the file is truncated (not a whole number of pages)",
            ));
        }
        let mut conn = Vault::connect(db, key)?;
        // The key check in profile.json matched, so a failure here is damage, not a wrong key.
        let map_corrupt = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase)
            | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
                corrupt("its first page cannot be decrypted or read")
            }
            _ => VaultError::from(e),
        };
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(map_corrupt)?;
        Vault::tune(&conn).map_err(|e| match e {
            VaultError::Storage(_) => corrupt("it cannot be opened for writing"),
            other => other,
        })?;
        let check_started = std::time::Instant::now();
        let quick: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase)
                | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
                    corrupt("some pages cannot be decrypted (truncated or damaged)")
                }
                _ => VaultError::from(e),
            })?;
        if quick != "ok" {
            return Err(corrupt("the integrity check failed"));
        }
        tracing::debug!(
            ms = check_started.elapsed().as_millis() as u64,
            "vault integrity check passed"
        );
        schema::migrate(&mut conn, db)?;
        let identity = conn
            .query_row(
                "SELECT signing_pkcs8, age_identity FROM device_identity WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        Zeroizing::new(r.get::<_, String>(1)?),
                    ))
                },
            )
            .map_err(|_| corrupt("the device identity is missing"))?;
        let identity = DeviceIdentity::from_parts(&identity.0, &identity.1)?;
        Ok(Vault::assemble(conn, profile, db, identity, key))
    }

    /// Copy the WAL into the main file on a second connection, so the caller does not
    /// wait for it. At most one runs at a time; `Drop` waits for it.
    pub(crate) fn checkpoint_in_background(&mut self) {
        if let Some(h) = self.checkpointer.take() {
            let _ = h.join();
        }
        let path = self.path.clone();
        let key = self.key.clone();
        self.checkpointer = Some(std::thread::spawn(move || {
            let run = || -> Result<(), VaultError> {
                let conn = Vault::connect(&path, &key)?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
                Ok(())
            };
            if let Err(e) = run() {
                tracing::warn!(error = %e, "background checkpoint did not complete; SQLite will retry");
            }
        }));
    }

    /// Count a committed decision; every few dozen, copy the WAL into the main file on
    /// a background connection, unless the previous copy is still running.
    pub(crate) fn note_decision(&mut self) {
        self.decisions_since_checkpoint += 1;
        if self.decisions_since_checkpoint < DECISIONS_PER_CHECKPOINT {
            return;
        }
        if self.checkpointer.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        self.decisions_since_checkpoint = 0;
        self.checkpoint_in_background();
    }

    /// Wait until background maintenance (the post-import checkpoint) has finished.
    pub fn wait_for_background_work(&mut self) {
        if let Some(h) = self.checkpointer.take() {
            let _ = h.join();
        }
    }

    /// This device's identity (public keys via [`DeviceIdentity::public`]).
    pub fn identity(&self) -> &DeviceIdentity {
        &self.identity
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Pin a hub's Ed25519 public key (base64) so batches it signs are accepted.
    /// Returns the key id.
    pub fn trust_hub_key(&self, public_key_b64: &str) -> Result<String, crate::BatchError> {
        let pk = crate::identity::parse_public_key(public_key_b64)?;
        let id = crate::identity::key_id(&pk);
        self.conn.execute(
            "INSERT OR IGNORE INTO hub_keys (key_id, public_key, pinned_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![id, pk.to_vec(), crate::batch::now_unix()],
        )?;
        Ok(id)
    }

    /// Ids of the pinned hub keys.
    pub fn trusted_hub_keys(&self) -> Result<Vec<String>, VaultError> {
        let mut st = self
            .conn
            .prepare("SELECT key_id FROM hub_keys ORDER BY pinned_at")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Delete the profile for good: the key leaves the keyring (so any copy of the file
    /// is unreadable), then the files are removed.
    pub fn wipe(self, profile: &Profile, keys: &dyn KeyStore) -> Result<(), VaultError> {
        let desc = Descriptor::read(&profile.descriptor_path())?;
        drop(self);
        if let Some(d) = desc {
            keys.delete(&d.keyring_account)?;
        }
        for name in [
            "vault.db",
            "vault.db-wal",
            "vault.db-shm",
            crate::profile::PROFILE_FILE,
        ] {
            let p = profile.dir().join(name);
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| VaultError::Storage(e.to_string()))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
