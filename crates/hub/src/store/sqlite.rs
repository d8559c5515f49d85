//! SQLite storage (embedded, zero set-up): WAL, versioned migrations, one connection
//! behind a mutex (SQLite serialises writers anyway).

use super::{
    reason_str, Adjudication, Candidates, CopyLabel, DeviceRecord, DispatchBatch, HubCounts,
    HubStore, IngestReport, MarkKind, NewAdjudication, NewBatch, PipelineStatus, RetrainMark,
    RetrainStatus, Upload, DEFAULT_RETRAIN_THRESHOLD,
};
use crate::error::HubError;
use labelvault_core::erasure::{EraseRequest, Erasure};
use labelvault_core::labels::Verdict;
use labelvault_core::pipeline::Message;
use labelvault_core::protocol::{BatchListing, Notice, Receipt, RejectedLabel, SignedReceipt};
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::Mutex;

/// Versioned migrations, applied in order: version N (the database's `PRAGMA user_version`
/// after it) is `MIGRATIONS[N - 1]`, the file `crates/hub/migrations/sqlite/NNNN_*.sql`.
/// The SQL is compiled into the binary, so a hub needs no file beside it to migrate.
/// Adding one: see docs/hub-storage.md (a file per backend, named here in order).
pub(super) const MIGRATIONS: &[(&str, &str)] = migration_files!("sqlite":
    "0001_devices_labels_ledger.sql",
    "0002_pipeline.sql",
    "0003_aggregation_quality.sql",
    "0004_device_ledger_head.sql",
    "0005_item_chars.sql",
    "0006_redacted_copies_terms.sql",
    "0007_erasure.sql",
    "0008_accounts_access_ledger.sql",
    "0009_consent.sql",
    "0010_retention.sql",
    "0011_admin_tokens.sql",
    "0012_also_intents.sql",
    "0013_batch_withdrawal.sql",
    "0014_webhook.sql",
    "0015_model_versions.sql",
    "0016_webhook_superseded.sql",
    "0017_ledger_pending.sql",
    "0018_read_model_changes.sql",
    "0019_dispatch_indexes.sql",
);

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<super::AccountRecord> {
    let key: Option<Vec<u8>> = r.get(3)?;
    Ok(super::AccountRecord {
        account_id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        signing_key: key.and_then(|k| k.try_into().ok()),
        revoked: r.get(4)?,
        created_at: r.get(5)?,
    })
}

fn adjudication_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Adjudication> {
    let labels: String = r.get(7)?;
    Ok(Adjudication {
        seq: r.get(0)?,
        message_id: r.get(1)?,
        intent: r.get(2)?,
        by: r.get(3)?,
        decided_at_ms: r.get(4)?,
        previous_intent: r.get(5)?,
        supersedes: r.get(6)?,
        labels: serde_json::from_str(&labels).unwrap_or_default(),
    })
}

const ADJUDICATION_COLUMNS: &str =
    "seq, message_id, intent_id, decided_by, decided_at_ms, previous_intent, supersedes, labels";

/// SQL: true when the copy aliased `c` has a label whose latest revision is not a
/// retraction (an undone decision leaves the copy unfinished).
const LABELLED: &str = "coalesce((SELECT l.retracted FROM labels l WHERE l.device_id = c.device_id AND l.item_id = c.item_id ORDER BY l.revision DESC LIMIT 1), 1) = 0";

fn probabilities_json(p: &[(String, f64)]) -> String {
    serde_json::to_string(p).unwrap_or_else(|_| "[]".into())
}

fn parse_probabilities(s: &str) -> Vec<(String, f64)> {
    serde_json::from_str(s).unwrap_or_default()
}

const MESSAGE_COLUMNS: &str = "message_id, text, company, channel, received_at, model_intent, confidence, probabilities, reported_false_positive, no_consent, model_version, language";

/// SQL: the message aliased `m` may be used for training (its own consent and its
/// company's).
const CONSENTED: &str = "NOT m.no_consent AND NOT EXISTS (SELECT 1 FROM companies k WHERE k.company = m.company AND k.no_consent)";

fn message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        message_id: r.get(0)?,
        text: r.get(1)?,
        company: r.get(2)?,
        channel: r.get(3)?,
        received_at: r.get(4)?,
        model_intent: r.get(5)?,
        confidence: r.get(6)?,
        probabilities: parse_probabilities(&r.get::<_, String>(7)?),
        reported_false_positive: r.get(8)?,
        training_consent: !r.get::<_, bool>(9)?,
        model_version: r.get(10)?,
        language: r.get(11)?,
    })
}

/// SQLite-backed hub storage.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// A second connection for the long reads of the manager's read model (every
    /// labelled copy, the texts of an export, every prediction, the metrics counts): in
    /// WAL mode it reads while the first one writes, so a rebuild in the background does
    /// not hold up uploads and requests for seconds.
    reader: Mutex<Connection>,
    /// Test builds only: while this file exists the database may not grow, as on a full
    /// disk (`LABELVAULT_HUB_TEST_DISK_FULL_FLAG`, for the fault tests where no small
    /// file system can be mounted). Release builds ignore the variable.
    #[cfg(debug_assertions)]
    disk_full_flag: Option<std::path::PathBuf>,
}

/// Test builds only: the variable naming the disk-full flag file.
#[cfg(debug_assertions)]
pub const DISK_FULL_FLAG_ENV: &str = "LABELVAULT_HUB_TEST_DISK_FULL_FLAG";

impl SqliteStore {
    /// Open (creating) a plaintext database at `path` and migrate it (tests and
    /// benchmarks; the hub itself always opens with a key, [`SqliteStore::open_keyed`]).
    pub fn open(path: &std::path::Path) -> Result<SqliteStore, HubError> {
        SqliteStore::open_keyed(path, None)
    }

    /// Open (creating) the database at `path`, as SQLCipher under `key` if one is
    /// given, and migrate it. A plaintext database found under a key (written by an
    /// earlier version) is converted to SQLCipher first.
    pub fn open_keyed(
        path: &std::path::Path,
        key: Option<&crate::at_rest::DbKey>,
    ) -> Result<SqliteStore, HubError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| HubError::Internal(format!("cannot create {}: {e}", dir.display())))?;
        }
        if let Some(k) = key {
            if is_plaintext(path) {
                encrypt_in_place(path, k)?;
            }
        }
        let mut conn = Connection::open(path)?;
        if let Some(k) = key {
            let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
            conn.execute_batch(&keying_pragmas(k))?;
            if conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                    r.get::<_, i64>(0)
                })
                .is_err()
            {
                return Err(HubError::Internal(format!(
                    "the hub database {} does not open with database key {} (another hub's key file or keyring entry?); nothing was changed",
                    path.display(),
                    k.id()
                )));
            }
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(
            // secure_delete: a deleted or shortened row (an erased message's text)
            // is overwritten with zeros, not left in free space. cache_size: 64 MiB of
            // decrypted pages, so that SQLCipher decrypts a page once rather than on every
            // read (as the device vault does).
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON; PRAGMA cache_size = -262144;",
        )?;
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let v = v.max(0) as usize;
        if v > MIGRATIONS.len() {
            return Err(HubError::Internal(format!(
                "the hub database has schema {v}, newer than this hub understands; update the hub"
            )));
        }
        for (i, (_, m)) in MIGRATIONS.iter().enumerate().skip(v) {
            let tx = conn.transaction()?;
            tx.execute_batch(m)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        let reader = Connection::open(path)?;
        if let Some(k) = key {
            let _ = reader.execute_batch("PRAGMA cipher_log_level = NONE;");
            reader.execute_batch(&keying_pragmas(k))?;
        }
        reader.busy_timeout(std::time::Duration::from_secs(10))?;
        reader.execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -262144;")?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            reader: Mutex::new(reader),
            #[cfg(debug_assertions)]
            disk_full_flag: std::env::var_os(DISK_FULL_FLAG_ENV).map(Into::into),
        })
    }

    /// Re-key a SQLCipher hub database from `old` to `new` (`PRAGMA rekey`); the hub must
    /// not be running. Returns the database's page count.
    pub fn rekey(
        path: &std::path::Path,
        old: &crate::at_rest::DbKey,
        new: &crate::at_rest::DbKey,
    ) -> Result<i64, HubError> {
        let st = SqliteStore::open_keyed(path, Some(old))?;
        // Only this connection may have the file open while the journal mode changes.
        *st.reader
            .lock()
            .map_err(|_| HubError::Internal("storage lock poisoned".into()))? =
            Connection::open_in_memory()?;
        let c = st.conn()?;
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        c.execute_batch("PRAGMA journal_mode = DELETE;")?;
        c.execute_batch(&zeroize::Zeroizing::new(format!(
            "PRAGMA rekey = \"x'{}'\";",
            hex::encode(new.bytes())
        )))?;
        c.execute_batch("PRAGMA journal_mode = WAL;")?;
        Ok(c.query_row("PRAGMA page_count", [], |r| r.get(0))?)
    }

    /// The connection for a long read: the reader when it is free, else the main one.
    fn read_conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>, HubError> {
        match self.reader.try_lock() {
            Ok(c) => Ok(c),
            Err(std::sync::TryLockError::WouldBlock) => self.conn(),
            Err(std::sync::TryLockError::Poisoned(_)) => {
                Err(HubError::Internal("storage lock poisoned".into()))
            }
        }
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>, HubError> {
        let c = self
            .conn
            .lock()
            .map_err(|_| HubError::Internal("storage lock poisoned".into()))?;
        #[cfg(debug_assertions)]
        if let Some(flag) = &self.disk_full_flag {
            // A database that may not grow past its size fails like a full disk
            // (SQLITE_FULL), from SQLite itself.
            let cap: i64 = if flag.exists() {
                c.query_row("PRAGMA page_count", [], |r| r.get(0))?
            } else {
                i64::from(u32::MAX - 1)
            };
            c.query_row(&format!("PRAGMA max_page_count = {cap}"), [], |_| Ok(()))?;
        }
        Ok(c)
    }
}

/// SQLCipher page size of the hub database: each page written costs a fixed amount (a
/// fresh IV, cipher and MAC set-up) besides its bytes, so 8 KiB pages halve that for an
/// ingest, while 16 KiB pages made a dispatch's random reads dearer (`cargo bench
/// --bench at_rest`: 8 KiB measured 1.03x for ingest and 1.00x for dispatch, 4 KiB 1.39x
/// and 1.08x). Fixed when the file is made.
const CIPHER_PAGE_SIZE: u32 = 8_192;

/// The statements that open the hub's SQLCipher database under `key` (run first on a
/// new connection): the raw key and the file's cipher settings. Other tools that open
/// the file (tests, a privacy officer with `sqlcipher`) use the same.
pub fn keying_pragmas(key: &crate::at_rest::DbKey) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA cipher_page_size = {CIPHER_PAGE_SIZE}; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
        hex::encode(key.bytes())
    ))
}

/// Whether `path` is an existing plaintext SQLite database (its header says so; a
/// SQLCipher file's first page is ciphertext).
fn is_plaintext(path: &std::path::Path) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"SQLite format 3\0"
}

/// Convert a plaintext database to SQLCipher under `key`: export into a new file, then
/// replace the old one (its log included). A crash before the rename leaves the
/// plaintext database as it was; the half-written copy is removed on the next try.
fn encrypt_in_place(path: &std::path::Path, key: &crate::at_rest::DbKey) -> Result<(), HubError> {
    let tmp = path.with_extension("encrypting");
    let _ = std::fs::remove_file(&tmp);
    {
        let plain = Connection::open(path)?;
        plain.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        plain.execute(
            &format!(
                "ATTACH DATABASE ?1 AS encrypted KEY \"x'{}'\"",
                hex::encode(key.bytes())
            ),
            [tmp.to_string_lossy()],
        )?;
        plain.execute_batch(&format!(
            "PRAGMA encrypted.cipher_page_size = {CIPHER_PAGE_SIZE}; PRAGMA encrypted.cipher_hmac_algorithm = HMAC_SHA256;"
        ))?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        plain.execute_batch(&format!(
            "PRAGMA encrypted.user_version = {version}; DETACH DATABASE encrypted;"
        ))?;
    }
    std::fs::rename(&tmp, path)
        .map_err(|e| HubError::Internal(format!("cannot replace {}: {e}", path.display())))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
    tracing::info!(key = key.id(), "converted the hub database to SQLCipher");
    Ok(())
}

/// Why one label is refused, if it is.
fn check_label(
    tx: &rusqlite::Transaction<'_>,
    device_id: &str,
    l: &labelvault_core::protocol::WireLabel,
) -> Result<Option<&'static str>, HubError> {
    let batch: Option<(String, Option<i64>)> = tx
        .query_row(
            "SELECT batch_id, item_chars FROM assignments WHERE item_id = ?1 AND device_id = ?2",
            params![l.item_id, device_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((batch, chars)) = batch else {
        return Ok(Some("not_assigned"));
    };
    if let Some(code) = super::label_shape_problem(l) {
        return Ok(Some(code));
    }
    if let Some(code) = super::label_length_problem(l, chars) {
        return Ok(Some(code));
    }
    if l.retracted {
        return Ok(None);
    }
    for i in l.intent_id.iter().chain(&l.also_intents) {
        let ok: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM batch_intents WHERE batch_id = ?1 AND intent_id = ?2)",
            params![batch, i],
            |r| r.get(0),
        )?;
        if !ok {
            return Ok(Some("unknown_intent"));
        }
    }
    Ok(None)
}

/// Return unlabelled copies whose lease ended by `as_of`; counts pool copies only (gold
/// copies are closed too).
fn reclaim_in(tx: &rusqlite::Transaction<'_>, as_of: i64) -> Result<u64, HubError> {
    let n = tx.execute(
        &format!("UPDATE copies AS c SET state = 'returned', returned_at = ?1 WHERE c.state = 'open' AND c.gold = 0 AND c.lease_expires_at <= ?1 AND NOT ({LABELLED})"),
        [as_of],
    )?;
    tx.execute(
        &format!("UPDATE copies AS c SET state = 'returned', returned_at = ?1 WHERE c.state = 'open' AND c.gold = 1 AND c.lease_expires_at <= ?1 AND NOT ({LABELLED})"),
        [as_of],
    )?;
    Ok(n as u64)
}

impl HubStore for SqliteStore {
    fn create_annotator(
        &self,
        name: &str,
        code_sha256: &str,
        code_expires_at: i64,
    ) -> Result<String, HubError> {
        let id = super::random_id("a_")?;
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        tx.execute(
            "INSERT INTO annotators (annotator_id, name, created_at) VALUES (?1, ?2, ?3)",
            params![id, name, code_expires_at],
        )?;
        tx.execute("INSERT INTO enrollment_codes (code_sha256, annotator_id, expires_at) VALUES (?1, ?2, ?3)", params![code_sha256, id, code_expires_at])?;
        tx.commit()?;
        Ok(id)
    }

    fn enroll(
        &self,
        code_sha256: &str,
        now: i64,
        signing_key: &[u8; 32],
        recipient: &str,
    ) -> Result<String, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let row: Option<(String, i64, Option<i64>)> = tx
            .query_row("SELECT annotator_id, expires_at, used_at FROM enrollment_codes WHERE code_sha256 = ?1", [code_sha256], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let (annotator, expires, used) = row.ok_or_else(|| {
            HubError::unauthorized(
                "bad_code",
                "this enrollment code is not valid; ask your manager for a new one",
            )
        })?;
        if used.is_some() {
            return Err(HubError::unauthorized(
                "code_used",
                "this enrollment code was already used; ask your manager for a new one",
            ));
        }
        if expires <= now {
            return Err(HubError::unauthorized(
                "code_expired",
                "this enrollment code has expired; ask your manager for a new one",
            ));
        }
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM devices WHERE signing_key = ?1)",
            [signing_key.to_vec()],
            |r| r.get(0),
        )?;
        if exists {
            return Err(HubError::conflict(
                "already_enrolled",
                "this device is already enrolled",
            ));
        }
        let id = super::random_id("d_")?;
        tx.execute(
            "UPDATE enrollment_codes SET used_at = ?2 WHERE code_sha256 = ?1",
            params![code_sha256, now],
        )?;
        tx.execute(
            "INSERT INTO devices (device_id, annotator_id, signing_key, recipient, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, annotator, signing_key.to_vec(), recipient, now],
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn device(&self, device_id: &str) -> Result<Option<DeviceRecord>, HubError> {
        let c = self.conn()?;
        let row = c
            .query_row(
                "SELECT device_id, annotator_id, signing_key, recipient, revoked_at FROM devices WHERE device_id = ?1",
                [device_id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?, r.get::<_, String>(3)?, r.get::<_, Option<i64>>(4)?)),
            )
            .optional()?;
        Ok(match row {
            Some((device_id, annotator_id, key, recipient, revoked)) => Some(DeviceRecord {
                device_id,
                annotator_id,
                signing_key: key
                    .try_into()
                    .map_err(|_| HubError::Internal("stored device key damaged".into()))?,
                recipient,
                revoked: revoked.is_some(),
            }),
            None => None,
        })
    }

    fn revoke(&self, device_id: &str, now: i64) -> Result<Option<u64>, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        if tx.execute(
            "UPDATE devices SET revoked_at = coalesce(revoked_at, ?2) WHERE device_id = ?1",
            params![device_id, now],
        )? == 0
        {
            return Ok(None);
        }
        // Pool copies are counted; gold copies are closed too but go back to no pool.
        let returned = tx.execute(
            &format!("UPDATE copies AS c SET state = 'returned', returned_at = ?2 WHERE c.device_id = ?1 AND c.state = 'open' AND c.gold = 0 AND NOT ({LABELLED})"),
            params![device_id, now],
        )?;
        tx.execute(
            &format!("UPDATE copies AS c SET state = 'returned', returned_at = ?2 WHERE c.device_id = ?1 AND c.state = 'open' AND c.gold = 1 AND NOT ({LABELLED})"),
            params![device_id, now],
        )?;
        tx.commit()?;
        Ok(Some(returned as u64))
    }

    fn use_nonce(&self, device_id: &str, nonce: &str, now: i64) -> Result<bool, HubError> {
        let c = self.conn()?;
        // Nonces older than twice the clock window can no longer pass the time check.
        c.execute(
            "DELETE FROM nonces WHERE seen_at < ?1",
            [now - 2 * labelvault_core::protocol::MAX_CLOCK_SKEW_SECS],
        )?;
        Ok(c.execute(
            "INSERT OR IGNORE INTO nonces (device_id, nonce, seen_at) VALUES (?1, ?2, ?3)",
            params![device_id, nonce, now],
        )? == 1)
    }

    fn note_device_head(&self, device_id: &str, seq: u64, head: &str) -> Result<(), HubError> {
        self.conn()?.execute(
            "UPDATE devices SET ledger_seq = ?2, ledger_head = ?3
             WHERE device_id = ?1 AND (ledger_seq IS NULL OR ledger_seq < ?2)",
            params![device_id, seq as i64, head],
        )?;
        Ok(())
    }

    fn device_heads(&self) -> Result<Vec<labelvault_core::protocol::DeviceHead>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT device_id, ledger_seq, ledger_head FROM devices
             WHERE ledger_seq IS NOT NULL ORDER BY device_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(labelvault_core::protocol::DeviceHead {
                device_id: r.get(0)?,
                seq: r.get::<_, i64>(1)? as u64,
                head: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn store_batch(&self, b: &NewBatch) -> Result<(), HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        tx.execute(
            "INSERT INTO batches (batch_id, device_id, created_at, expires_at, item_count, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![b.batch_id, b.device_id, b.created_at, b.expires_at, b.item_ids.len() as i64, b.bytes],
        )?;
        {
            let mut st = tx.prepare(
                "INSERT INTO assignments (item_id, batch_id, device_id, item_chars) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (n, i) in b.item_ids.iter().enumerate() {
                st.execute(params![i, b.batch_id, b.device_id, b.chars_of(n)])?;
            }
            let mut st = tx.prepare(
                "INSERT OR IGNORE INTO batch_intents (batch_id, intent_id) VALUES (?1, ?2)",
            )?;
            for i in &b.intents {
                st.execute(params![b.batch_id, i])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn list_batches(&self, device_id: &str) -> Result<Vec<BatchListing>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare("SELECT batch_id, item_count, created_at, expires_at FROM batches WHERE device_id = ?1 AND erased_at IS NULL AND withdrawn_at IS NULL ORDER BY created_at, batch_id")?;
        let rows = st.query_map([device_id], |r| {
            Ok(BatchListing {
                batch_id: r.get(0)?,
                item_count: r.get::<_, i64>(1)? as u64,
                created_at: r.get(2)?,
                expires_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn batch_bytes(&self, batch_id: &str, device_id: &str) -> Result<Vec<u8>, HubError> {
        let c = self.conn()?;
        // Marked fetched first, then read: a withdrawal (which needs it unfetched) either
        // came before, and the read below finds it gone, or is refused.
        c.execute(
            "UPDATE batches SET fetched_at = coalesce(fetched_at, ?3)
             WHERE batch_id = ?1 AND device_id = ?2 AND erased_at IS NULL AND withdrawn_at IS NULL",
            params![batch_id, device_id, crate::auth::now()],
        )?;
        let row: Option<(String, Vec<u8>, bool)> = c
            .query_row(
                "SELECT device_id, bytes, erased_at IS NOT NULL FROM batches WHERE batch_id = ?1",
                [batch_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        match row {
            Some((d, _, true)) if d == device_id => Err(super::batch_erased()),
            Some((d, bytes, false)) if d == device_id && bytes.is_empty() => {
                Err(super::batch_withdrawn())
            }
            Some((d, bytes, false)) if d == device_id => Ok(bytes),
            // Same answer whether the batch exists for another device or not at all.
            _ => Err(HubError::not_found(
                "not_assigned",
                "no such batch is assigned to this device",
            )),
        }
    }

    fn withdraw_batch(&self, batch_id: &str, now: i64) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let state = tx
            .query_row(
                "SELECT fetched_at, erased_at, withdrawn_at FROM batches WHERE batch_id = ?1",
                [batch_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        super::withdraw_problem(state)?;
        if tx.execute(
            "UPDATE batches SET bytes = x'', withdrawn_at = ?2
             WHERE batch_id = ?1 AND fetched_at IS NULL AND erased_at IS NULL AND withdrawn_at IS NULL",
            params![batch_id, now],
        )? != 1
        {
            return Err(super::already_fetched());
        }
        let returned = tx.execute(
            "UPDATE copies SET state = 'returned', returned_at = ?2
             WHERE batch_id = ?1 AND state = 'open' AND NOT gold",
            params![batch_id, now],
        )?;
        tx.execute(
            "UPDATE copies SET state = 'returned', returned_at = ?2
             WHERE batch_id = ?1 AND state = 'open' AND gold",
            params![batch_id, now],
        )?;
        tx.commit()?;
        Ok(returned as u64)
    }

    fn ingest(
        &self,
        u: &Upload<'_>,
        sign: &(dyn Fn(Receipt) -> SignedReceipt + Sync),
    ) -> Result<SignedReceipt, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let prior: Option<(String, String)> = tx
            .query_row(
                "SELECT body_sha256, receipt FROM uploads WHERE device_id = ?1 AND upload_id = ?2",
                params![u.device_id, u.upload_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((hash, receipt)) = prior {
            if hash != u.body_sha256 {
                return Err(HubError::conflict(
                    "upload_id_reused",
                    "this upload id was already used for a different body",
                ));
            }
            return serde_json::from_str(&receipt)
                .map_err(|_| HubError::Internal("stored receipt damaged".into()));
        }
        let (mut accepted, mut duplicates) = (0u32, 0u32);
        let mut rejected = Vec::new();
        {
            let mut ins = tx.prepare(
                "INSERT OR IGNORE INTO labels (device_id, item_id, revision, retracted, verdict, intent_id, flags, pii_spans,
                                               duration_ms, decided_at_ms, received_at_ms, upload_id, also_intents)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            for l in u.labels {
                if let Some(code) = check_label(&tx, u.device_id, l)? {
                    rejected.push(RejectedLabel {
                        item_id: l.item_id.clone(),
                        revision: l.revision,
                        code: code.into(),
                    });
                    continue;
                }
                let n = ins.execute(params![
                    u.device_id,
                    l.item_id,
                    l.revision,
                    l.retracted,
                    l.verdict.map(|v| v.as_str()),
                    l.intent_id,
                    serde_json::to_string(&l.flags).unwrap_or_default(),
                    serde_json::to_string(&l.pii_spans).unwrap_or_default(),
                    l.duration_ms as i64,
                    l.decided_at_ms,
                    u.now_ms,
                    u.upload_id,
                    serde_json::to_string(&l.also_intents).unwrap_or_default()
                ])?;
                if n == 1 {
                    accepted += 1;
                } else {
                    duplicates += 1;
                }
            }
        }
        let signed = sign(Receipt {
            upload_id: u.upload_id.to_string(),
            device_id: u.device_id.to_string(),
            body_sha256: u.body_sha256.to_string(),
            accepted,
            duplicates,
            rejected,
            server_time_ms: u.now_ms,
            hub_key_id: String::new(),
            device_seq: None,
            device_head: None,
        });
        let receipt_json =
            serde_json::to_string(&signed).map_err(|e| HubError::Internal(e.to_string()))?;
        tx.execute(
            "INSERT INTO uploads (device_id, upload_id, body_sha256, receipt) VALUES (?1, ?2, ?3, ?4)",
            params![u.device_id, u.upload_id, u.body_sha256, receipt_json],
        )?;
        // Inbound ledger: hash chain over what was received and what was answered.
        let prev: Vec<u8> = tx
            .query_row(
                "SELECT entry_hash FROM ledger ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| vec![0u8; 32]);
        let h = labelvault_core::ledger::hub_entry_hash(
            &prev,
            u.now_ms,
            u.device_id,
            u.body_sha256,
            &receipt_json,
        );
        tx.execute(
            "INSERT INTO ledger (prev_hash, entry_hash, device_id, received_at_ms, body, body_sha256, receipt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![prev, h.to_vec(), u.device_id, u.now_ms, u.body, u.body_sha256, receipt_json],
        )?;
        tx.commit()?;
        Ok(signed)
    }

    fn labels_jsonl(&self) -> Result<String, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT device_id, item_id, revision, retracted, verdict, intent_id, flags, pii_spans, duration_ms, decided_at_ms, received_at_ms,
                    also_intents
             FROM labels ORDER BY received_at_ms, device_id, item_id, revision",
        )?;
        let mut rows = st.query([])?;
        let mut out = String::new();
        while let Some(r) = rows.next()? {
            let flags: String = r.get(6)?;
            let spans: String = r.get(7)?;
            // A damaged row fails the export loudly rather than exporting a wrong label.
            let damaged = || {
                HubError::Internal(format!(
                    "stored label damaged (device {}, item {})",
                    r.get::<_, String>(0).unwrap_or_default(),
                    r.get::<_, String>(1).unwrap_or_default()
                ))
            };
            let flags: serde_json::Value = serde_json::from_str(&flags).map_err(|_| damaged())?;
            let spans: serde_json::Value = serde_json::from_str(&spans).map_err(|_| damaged())?;
            let also: serde_json::Value =
                serde_json::from_str(&r.get::<_, String>(11)?).map_err(|_| damaged())?;
            let v = serde_json::json!({
                "device_id": r.get::<_, String>(0)?, "item_id": r.get::<_, String>(1)?, "revision": r.get::<_, i64>(2)?,
                "retracted": r.get::<_, bool>(3)?, "verdict": r.get::<_, Option<String>>(4)?, "intent_id": r.get::<_, Option<String>>(5)?,
                "flags": flags,
                "pii_spans": spans, "also_intents": also,
                "duration_ms": r.get::<_, i64>(8)?, "decided_at_ms": r.get::<_, i64>(9)?, "received_at_ms": r.get::<_, i64>(10)?,
            });
            out.push_str(&v.to_string());
            out.push('\n');
        }
        Ok(out)
    }

    fn ledger_jsonl(&self) -> Result<String, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare("SELECT seq, prev_hash, entry_hash, device_id, received_at_ms, body, body_sha256, receipt FROM ledger ORDER BY seq")?;
        let mut rows = st.query([])?;
        let mut out = String::new();
        while let Some(r) = rows.next()? {
            out.push_str(&super::ledger_line(
                r.get(0)?,
                &r.get::<_, Vec<u8>>(1)?,
                &r.get::<_, Vec<u8>>(2)?,
                r.get(3)?,
                r.get(4)?,
                &r.get::<_, Vec<u8>>(5)?,
                r.get(6)?,
                &r.get::<_, String>(7)?,
            )?);
            out.push('\n');
        }
        Ok(out)
    }

    fn insert_messages(&self, messages: &[Message], now: i64) -> Result<IngestReport, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let mut report = IngestReport::default();
        {
            let mut ins = tx.prepare(&format!(
                "INSERT OR IGNORE INTO messages ({MESSAGE_COLUMNS}, ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
            ))?;
            let mut company = tx.prepare(
                "INSERT OR IGNORE INTO companies (company, newly_onboarded, updated_at) VALUES (?1, 0, ?2)",
            )?;
            let mut held = tx.prepare(
                "SELECT text, model_version, model_intent, confidence, probabilities, erased_at IS NOT NULL, text_retired_at IS NOT NULL,
                        (SELECT coalesce(max(revision), 0) FROM prediction_revisions p WHERE p.message_id = m.message_id)
                 FROM messages m WHERE message_id = ?1",
            )?;
            let mut revision = tx.prepare(
                "INSERT INTO prediction_revisions (message_id, revision, model_version, model_intent, confidence, probabilities, ingested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut current = tx.prepare(
                "UPDATE messages SET model_version = ?2, model_intent = ?3, confidence = ?4, probabilities = ?5,
                        language = coalesce(?6, language)
                 WHERE message_id = ?1",
            )?;
            for (index, m) in messages.iter().enumerate() {
                let probabilities = probabilities_json(&m.probabilities);
                let n = ins.execute(params![
                    m.message_id,
                    m.text,
                    m.company,
                    m.channel,
                    m.received_at,
                    m.model_intent,
                    m.confidence,
                    probabilities,
                    m.reported_false_positive,
                    !m.training_consent,
                    m.model_version,
                    m.language,
                    now
                ])?;
                if n == 1 {
                    report.inserted += 1;
                    company.execute(params![m.company, now])?;
                    revision.execute(params![
                        m.message_id,
                        1,
                        m.model_version,
                        m.model_intent,
                        m.confidence,
                        probabilities,
                        now
                    ])?;
                    continue;
                }
                let h = held.query_row([&m.message_id], |r| {
                    Ok(super::HeldPrediction {
                        text: r.get(0)?,
                        model_version: r.get(1)?,
                        model_intent: r.get(2)?,
                        confidence: r.get(3)?,
                        probabilities: r.get(4)?,
                        erased: r.get(5)?,
                        retired: r.get(6)?,
                        revisions: r.get(7)?,
                        message_id: m.message_id.clone(),
                    })
                })?;
                match h.compare(m) {
                    super::Known::Same => report.duplicates += 1,
                    super::Known::Refused(reason) => report.refused.push(super::RefusedMessage {
                        index,
                        message_id: m.message_id.clone(),
                        reason,
                    }),
                    super::Known::Rescored => {
                        revision.execute(params![
                            m.message_id,
                            h.revisions + 1,
                            m.model_version,
                            m.model_intent,
                            m.confidence,
                            probabilities,
                            now
                        ])?;
                        current.execute(params![
                            m.message_id,
                            m.model_version,
                            m.model_intent,
                            m.confidence,
                            probabilities,
                            m.language
                        ])?;
                        report.rescored += 1;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(report)
    }

    fn prediction_revisions(&self) -> Result<Vec<super::PredictionRevision>, HubError> {
        let c = self.read_conn()?;
        let mut st = c.prepare(
            "SELECT p.message_id, p.revision, p.model_version, p.model_intent, p.confidence, m.language
             FROM prediction_revisions p JOIN messages m ON m.message_id = p.message_id
             WHERE EXISTS (SELECT 1 FROM copies c WHERE c.message_id = p.message_id)
             ORDER BY p.message_id, p.revision",
        )?;
        let rows = st.query_map([], |r| {
            Ok(super::PredictionRevision {
                message_id: r.get(0)?,
                revision: r.get(1)?,
                model_version: r.get(2)?,
                model_intent: r.get(3)?,
                confidence: r.get(4)?,
                language: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn labelled_predictions(&self) -> Result<Vec<super::LabelledPrediction>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT p.message_id, p.model_version, p.model_intent, p.confidence, p.probabilities
             FROM prediction_revisions p
             WHERE p.revision = (SELECT min(c.prediction_revision) FROM copies c
                                 WHERE c.message_id = p.message_id
                                   AND EXISTS (SELECT 1 FROM labels l WHERE l.device_id = c.device_id AND l.item_id = c.item_id))",
        )?;
        let rows = st.query_map([], |r| {
            Ok(super::LabelledPrediction {
                message_id: r.get(0)?,
                model_version: r.get(1)?,
                model_intent: r.get(2)?,
                confidence: r.get(3)?,
                probabilities: parse_probabilities(&r.get::<_, String>(4)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_company(&self, company: &str, newly_onboarded: bool, now: i64) -> Result<(), HubError> {
        let c = self.conn()?;
        c.execute(
            "INSERT INTO companies (company, newly_onboarded, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (company) DO UPDATE SET newly_onboarded = excluded.newly_onboarded, updated_at = excluded.updated_at",
            params![company, newly_onboarded, now],
        )?;
        Ok(())
    }

    fn set_company_consent(&self, company: &str, consent: bool, now: i64) -> Result<(), HubError> {
        self.conn()?.execute(
            "INSERT INTO companies (company, newly_onboarded, updated_at, no_consent) VALUES (?1, 0, ?2, ?3)
             ON CONFLICT (company) DO UPDATE SET no_consent = excluded.no_consent, updated_at = excluded.updated_at",
            params![company, now, !consent],
        )?;
        Ok(())
    }

    fn raw_texts_before(
        &self,
        cutoff: i64,
        limit: usize,
    ) -> Result<Vec<(String, String, String)>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT message_id, text, company FROM messages
             WHERE ingested_at < ?1 AND text_retired_at IS NULL AND erased_at IS NULL
             ORDER BY ingested_at, message_id LIMIT ?2",
        )?;
        let rows = st.query_map(params![cutoff, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn retire_text(&self, message_id: &str, redacted: &str, now: i64) -> Result<bool, HubError> {
        Ok(self.conn()?.execute(
            "UPDATE messages SET text = ?2, text_retired_at = ?3
             WHERE message_id = ?1 AND text_retired_at IS NULL AND erased_at IS NULL",
            params![message_id, redacted, now],
        )? == 1)
    }

    fn companies_without_consent(&self) -> Result<Vec<String>, HubError> {
        let c = self.conn()?;
        let mut st =
            c.prepare("SELECT company FROM companies WHERE no_consent ORDER BY company")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn new_companies(&self) -> Result<Vec<String>, HubError> {
        let c = self.conn()?;
        let mut st =
            c.prepare("SELECT company FROM companies WHERE newly_onboarded = 1 ORDER BY company")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_gold(&self, answers: &[(String, String)]) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        {
            let mut st =
                tx.prepare("UPDATE messages SET gold_intent = ?2 WHERE message_id = ?1")?;
            for (i, (id, intent)) in answers.iter().enumerate() {
                if st.execute(params![id, intent])? == 0 {
                    // Dropping the transaction rolls every earlier answer back.
                    return Err(HubError::not_found(
                        "unknown_message",
                        format!(
                            "gold answer #{} names a message id the hub does not hold; ingest the message first (no answer was stored)",
                            i + 1
                        ),
                    ));
                }
            }
        }
        tx.commit()?;
        Ok(answers.len() as u64)
    }

    fn gold_messages(&self) -> Result<Vec<(Message, String)>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(&format!(
            "SELECT {MESSAGE_COLUMNS}, gold_intent FROM messages m WHERE gold_intent IS NOT NULL AND erased_at IS NULL AND {CONSENTED} ORDER BY message_id"
        ))?;
        let rows = st.query_map([], |r| Ok((message_row(r)?, r.get::<_, String>(12)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn candidates(
        &self,
        from: i64,
        to: i64,
        overlap: usize,
        now: i64,
        with_probabilities: bool,
    ) -> Result<Candidates, HubError> {
        let c = self.conn()?;
        // Active copies first (few rows), then one pass over the window's messages.
        let mut holders: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        {
            let mut st = c.prepare_cached(&format!(
                "SELECT c.message_id, c.device_id FROM copies c JOIN messages m ON m.message_id = c.message_id
                 WHERE c.state = 'open' AND c.gold = 0 AND (c.lease_expires_at > ?3 OR {LABELLED})
                   AND m.received_at >= ?1 AND m.received_at < ?2"
            ))?;
            let mut rows = st.query(params![from, to, now])?;
            while let Some(r) = rows.next()? {
                holders.entry(r.get(0)?).or_default().push(r.get(1)?);
            }
        }
        let mut st = c.prepare_cached(&format!(
            "SELECT m.message_id, '', m.company, m.channel, m.received_at, m.model_intent, m.confidence,
                    CASE WHEN ?3 THEN m.probabilities ELSE '[]' END, m.reported_false_positive, m.no_consent,
                    m.model_version, m.language
             FROM messages m
             WHERE m.received_at >= ?1 AND m.received_at < ?2 AND m.gold_intent IS NULL
               AND m.erased_at IS NULL AND {CONSENTED}
             ORDER BY m.received_at, m.message_id"
        ))?;
        let mut rows = st.query(params![from, to, with_probabilities])?;
        let mut out = Candidates::default();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let h = holders.remove(&id).unwrap_or_default();
            if h.len() < overlap {
                out.messages.push(message_row(r)?);
                out.holders.push(h);
            }
        }
        Ok(out)
    }

    fn label_error_reviews(&self, from: i64, to: i64, now: i64) -> Result<Vec<String>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare_cached(&format!(
            "SELECT DISTINCT c.message_id FROM copies c JOIN messages m ON m.message_id = c.message_id
             WHERE c.state = 'open' AND c.gold = 0 AND c.reason = 'suspected_label_error'
               AND (c.lease_expires_at > ?3 OR {LABELLED})
               AND m.received_at >= ?1 AND m.received_at < ?2
             ORDER BY c.message_id"
        ))?;
        let rows = st.query_map(params![from, to, now], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn messages_by_id(&self, ids: &[String]) -> Result<Vec<Message>, HubError> {
        let c = self.read_conn()?;
        let mut st = c.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE message_id = ?1"
        ))?;
        ids.iter()
            .map(|id| {
                st.query_row([id], message_row).optional()?.ok_or_else(|| {
                    HubError::not_found("unknown_message", "a selected message is no longer stored")
                })
            })
            .collect()
    }

    fn known_intents(&self) -> Result<Vec<String>, HubError> {
        let c = self.conn()?;
        // Skips through messages_intent, one seek per distinct intent, instead of
        // reading every message: a dispatch asks for these on a million messages.
        let mut st = c.prepare_cached(
            "WITH RECURSIVE i(v) AS (
                 SELECT min(model_intent) FROM messages
                 UNION ALL
                 SELECT (SELECT min(model_intent) FROM messages WHERE model_intent > i.v) FROM i WHERE i.v IS NOT NULL
             )
             SELECT v FROM i WHERE v IS NOT NULL
             UNION SELECT gold_intent FROM messages WHERE gold_intent IS NOT NULL ORDER BY 1",
        )?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn active_devices(&self) -> Result<Vec<DeviceRecord>, HubError> {
        let ids: Vec<String> = {
            let c = self.conn()?;
            let mut st = c.prepare(
                "SELECT device_id FROM devices WHERE revoked_at IS NULL ORDER BY enrolled_at, device_id",
            )?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(d) = self.device(&id)? {
                out.push(d);
            }
        }
        Ok(out)
    }

    fn store_dispatch(
        &self,
        batches: &[DispatchBatch],
        overlap: usize,
        now: i64,
    ) -> Result<(), HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        reclaim_in(&tx, now)?;
        let mut touched = std::collections::BTreeSet::new();
        let mut checked: std::collections::HashMap<&str, &super::ShownPrediction> =
            std::collections::HashMap::new();
        for d in batches {
            let b = &d.batch;
            let revoked: Option<Option<i64>> = tx
                .query_row(
                    "SELECT revoked_at FROM devices WHERE device_id = ?1",
                    [&b.device_id],
                    |r| r.get(0),
                )
                .optional()?;
            if !matches!(revoked, Some(None)) {
                return Err(HubError::conflict(
                    "revoked",
                    "a device was revoked (or removed) during the dispatch; nothing was dispatched, run it again",
                ));
            }
            tx.execute(
                "INSERT INTO batches (batch_id, device_id, created_at, expires_at, item_count, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![b.batch_id, b.device_id, b.created_at, b.expires_at, b.item_ids.len() as i64, b.bytes],
            )?;
            let mut asg = tx.prepare_cached(
                "INSERT INTO assignments (item_id, batch_id, device_id, item_chars) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut cp = tx.prepare_cached(
                "INSERT INTO copies (item_id, message_id, device_id, batch_id, gold, state, lease_expires_at, created_at, reason, redacted, prediction_revision)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8, ?9,
                         (SELECT max(p.revision) FROM prediction_revisions p WHERE p.message_id = ?2))",
            )?;
            // The current prediction is the latest revision's (one ingest writes both).
            let mut shown = tx.prepare_cached(
                "SELECT model_version, model_intent, confidence FROM messages WHERE message_id = ?1",
            )?;
            for (n, copy) in d.copies.iter().enumerate() {
                // A message's copies show the same prediction: read it once per message.
                let unchecked = copy
                    .prediction
                    .as_ref()
                    .filter(|p| checked.get(copy.message_id.as_str()) != Some(p));
                if let Some(p) = unchecked {
                    let still: Option<(String, String, f64)> = shown
                        .query_row(params![copy.message_id], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        })
                        .optional()?;
                    if !still.is_some_and(|(v, i, c)| {
                        v == p.model_version
                            && i == p.model_intent
                            && (c - p.confidence).abs() <= 1e-12
                    }) {
                        return Err(HubError::conflict(
                            "pool_changed",
                            "a message was re-scored during the dispatch; nothing was dispatched, run it again",
                        ));
                    }
                    checked.insert(copy.message_id.as_str(), p);
                }
                asg.execute(params![
                    copy.item_id,
                    b.batch_id,
                    b.device_id,
                    b.chars_of(n)
                ])?;
                cp.execute(params![
                    copy.item_id,
                    copy.message_id,
                    b.device_id,
                    b.batch_id,
                    copy.gold,
                    d.lease_expires_at,
                    b.created_at,
                    reason_str(copy.reason),
                    b.text_of(n)
                ])?;
                if !copy.gold {
                    touched.insert(copy.message_id.as_str());
                }
            }
            let mut st = tx.prepare_cached(
                "INSERT OR IGNORE INTO batch_intents (batch_id, intent_id) VALUES (?1, ?2)",
            )?;
            for i in &b.intents {
                st.execute(params![b.batch_id, i])?;
            }
        }
        {
            let mut st = tx.prepare_cached(
                "SELECT count(*), count(DISTINCT device_id), count(CASE WHEN reason = 'suspected_label_error' THEN 1 END)
                 FROM copies WHERE message_id = ?1 AND state = 'open' AND gold = 0",
            )?;
            for m in touched {
                let (n, devices, relabel): (i64, i64, i64) =
                    st.query_row([m], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                // A suspected label error gets one copy beyond its answered ones; it does
                // not lift the overlap for the message's ordinary open copies.
                let too_many = relabel > 1 || (n - relabel) as usize > overlap;
                if too_many || devices < n {
                    return Err(HubError::conflict(
                        "pool_changed",
                        "another dispatch gave out some of the same messages at the same time; nothing was dispatched, run it again",
                    ));
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn reclaim(&self, as_of: i64) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let n = reclaim_in(&tx, as_of)?;
        tx.commit()?;
        Ok(n)
    }

    fn items_jsonl(&self) -> Result<String, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(&format!(
            "SELECT c.item_id, c.batch_id, c.device_id, c.message_id, c.gold, c.state, c.lease_expires_at, {LABELLED}
             FROM copies c ORDER BY c.created_at, c.batch_id, c.rowid"
        ))?;
        let mut rows = st.query([])?;
        let mut out = String::new();
        while let Some(r) = rows.next()? {
            let v = serde_json::json!({
                "item_id": r.get::<_, String>(0)?, "batch_id": r.get::<_, String>(1)?, "device_id": r.get::<_, String>(2)?,
                "message_id": r.get::<_, String>(3)?, "gold": r.get::<_, bool>(4)?, "state": r.get::<_, String>(5)?,
                "lease_expires_at": r.get::<_, i64>(6)?, "labelled": r.get::<_, bool>(7)?,
            });
            out.push_str(&v.to_string());
            out.push('\n');
        }
        Ok(out)
    }

    fn missed_pii_marks(&self) -> Result<Vec<super::MissedMark>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(super::MISSED_MARKS_SQL)?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (message_id, company, received_at_ms, spans, seen) = row?;
            out.push(super::MissedMark {
                message_id,
                company,
                received_at_ms,
                seen,
                spans: super::mark_spans(&spans)?,
            });
        }
        Ok(out)
    }

    fn annotators(&self) -> Result<Vec<super::AnnotatorRecord>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(super::ANNOTATORS_SQL)?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(super::fold_annotators(rows.collect::<Result<Vec<_>, _>>()?))
    }

    fn company_terms(&self) -> Result<Vec<(String, String, String)>, HubError> {
        let c = self.conn()?;
        let mut st =
            c.prepare("SELECT company, term, kind FROM company_terms ORDER BY company, term")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn add_company_terms(
        &self,
        company: &str,
        terms: &[(String, String)],
        now: i64,
    ) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let mut added = 0;
        {
            let mut st = tx.prepare(
                "INSERT OR IGNORE INTO company_terms (company, term, kind, added_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (term, kind) in terms {
                added += st.execute(params![company, term, kind, now])? as u64;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    fn pipeline_status(&self) -> Result<PipelineStatus, HubError> {
        let new_companies = self.new_companies()?;
        let companies_without_consent = self.companies_without_consent()?;
        let c = self.conn()?;
        let without_consent: i64 = c.query_row(
            &format!("SELECT count(*) FROM messages m WHERE NOT ({CONSENTED})"),
            [],
            |r| r.get(0),
        )?;
        let retired: i64 = c.query_row(
            "SELECT count(*) FROM messages WHERE text_retired_at IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        let (messages, gold): (i64, i64) = c.query_row(
            "SELECT count(*), count(gold_intent) FROM messages",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (open, labelled, returned): (i64, i64, i64) = c.query_row(
            &format!(
                "SELECT coalesce(sum(c.state = 'open' AND NOT ({LABELLED})), 0), coalesce(sum(c.state = 'open' AND {LABELLED}), 0),
                        coalesce(sum(c.state = 'returned'), 0) FROM copies c WHERE c.gold = 0"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(PipelineStatus {
            messages: messages as u64,
            gold: gold as u64,
            new_companies,
            open_copies: open as u64,
            labelled_copies: labelled as u64,
            returned_copies: returned as u64,
            without_consent: without_consent as u64,
            companies_without_consent,
            texts_retired: retired as u64,
        })
    }

    fn batch_file(&self, batch_id: &str) -> Result<Option<Vec<u8>>, HubError> {
        let c = self.conn()?;
        let row: Option<(Vec<u8>, bool)> = c
            .query_row(
                "SELECT bytes, erased_at IS NOT NULL FROM batches WHERE batch_id = ?1",
                [batch_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            Some((_, true)) => Err(super::batch_erased()),
            Some((bytes, false)) if bytes.is_empty() => Err(super::batch_withdrawn()),
            Some((bytes, false)) => {
                // Handed over offline: the device may hold it from now on.
                c.execute(
                    "UPDATE batches SET fetched_at = coalesce(fetched_at, ?2) WHERE batch_id = ?1",
                    params![batch_id, crate::auth::now()],
                )?;
                Ok(Some(bytes))
            }
            None => Ok(None),
        }
    }

    fn labelled_copies(&self, message_id: Option<&str>) -> Result<Vec<CopyLabel>, HubError> {
        let c = self.read_conn()?;
        let mut st = c.prepare(
            "SELECT c.item_id, c.message_id, c.batch_id, c.device_id, d.annotator_id, c.gold, l.verdict, l.intent_id,
                    l.decided_at_ms, m.company, coalesce(p.model_intent, m.model_intent), coalesce(p.confidence, m.confidence),
                    m.gold_intent, l.duration_ms, m.channel
             FROM copies c
             JOIN devices d ON d.device_id = c.device_id
             JOIN messages m ON m.message_id = c.message_id
             JOIN labels l ON l.device_id = c.device_id AND l.item_id = c.item_id
             LEFT JOIN prediction_revisions p ON p.message_id = c.message_id AND p.revision = c.prediction_revision
             WHERE l.retracted = 0 AND (?1 IS NULL OR c.message_id = ?1)
               AND l.revision = (SELECT max(l2.revision) FROM labels l2 WHERE l2.device_id = c.device_id AND l2.item_id = c.item_id)
             ORDER BY c.message_id, c.item_id",
        )?;
        let mut rows = st.query([message_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let verdict: Option<String> = r.get(6)?;
            let Some(verdict) = verdict.as_deref().and_then(Verdict::parse) else {
                return Err(HubError::Internal("a stored label has no verdict".into()));
            };
            out.push(CopyLabel {
                item_id: r.get(0)?,
                message_id: r.get(1)?,
                batch_id: r.get(2)?,
                device_id: r.get(3)?,
                annotator_id: r.get(4)?,
                gold: r.get(5)?,
                verdict,
                intent_id: r.get(7)?,
                decided_at_ms: r.get(8)?,
                company: r.get(9)?,
                model_intent: r.get(10)?,
                confidence: r.get(11)?,
                gold_intent: r.get(12)?,
                duration_ms: r.get::<_, i64>(13)?.max(0) as u64,
                channel: r.get(14)?,
            });
        }
        Ok(out)
    }

    fn add_adjudication(&self, a: &NewAdjudication) -> Result<Adjudication, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE message_id = ?1)",
            [&a.message_id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(HubError::not_found(
                "unknown_message",
                "the hub holds no message with this id; check the id in GET /v1/admin/disagreements",
            ));
        }
        let supersedes: Option<i64> = tx.query_row(
            "SELECT max(seq) FROM adjudications WHERE message_id = ?1",
            [&a.message_id],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO adjudications (message_id, intent_id, decided_by, decided_at_ms, previous_intent, supersedes, labels)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                a.message_id,
                a.intent,
                a.by,
                a.decided_at_ms,
                a.previous_intent,
                supersedes,
                a.labels.to_string()
            ],
        )?;
        let seq = tx.last_insert_rowid();
        let row = tx.query_row(
            &format!("SELECT {ADJUDICATION_COLUMNS} FROM adjudications WHERE seq = ?1"),
            [seq],
            adjudication_row,
        )?;
        tx.commit()?;
        Ok(row)
    }

    fn adjudications(&self) -> Result<Vec<Adjudication>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(&format!(
            "SELECT {ADJUDICATION_COLUMNS} FROM adjudications ORDER BY seq"
        ))?;
        let rows = st.query_map([], adjudication_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn retrain_mark(&self, kind: MarkKind, at_ms: i64) -> Result<RetrainStatus, HubError> {
        {
            let mut c = self.conn()?;
            let tx = c.transaction()?;
            let current: Option<i64> = tx
                .query_row(
                    "SELECT threshold FROM retrain_marks ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            let current = current.map_or(DEFAULT_RETRAIN_THRESHOLD, |t| t.max(1) as u64);
            let (kind, threshold) = match kind {
                MarkKind::Export => ("export", current),
                MarkKind::Training => ("training", current),
                MarkKind::Threshold(t) => ("threshold", t),
            };
            tx.execute(
                "INSERT INTO retrain_marks (kind, at_ms, threshold) VALUES (?1, ?2, ?3)",
                params![kind, at_ms, threshold as i64],
            )?;
            tx.commit()?;
        }
        self.retrain_status()
    }

    fn retrain_status(&self) -> Result<RetrainStatus, HubError> {
        let c = self.conn()?;
        let threshold: Option<i64> = c
            .query_row(
                "SELECT threshold FROM retrain_marks ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let threshold = threshold.map_or(DEFAULT_RETRAIN_THRESHOLD, |t| t.max(1) as u64);
        let last_mark = c
            .query_row(
                "SELECT seq, kind, at_ms FROM retrain_marks WHERE kind <> 'threshold' ORDER BY seq DESC LIMIT 1",
                [],
                |r| {
                    Ok(RetrainMark {
                        seq: r.get(0)?,
                        kind: r.get(1)?,
                        at_ms: r.get(2)?,
                    })
                },
            )
            .optional()?;
        let since = last_mark.as_ref().map_or(i64::MIN, |m| m.at_ms);
        let (total, new): (i64, i64) = c.query_row(
            "SELECT count(*), coalesce(sum(CASE WHEN received_at_ms > ?1 THEN 1 ELSE 0 END), 0) FROM labels WHERE retracted = 0",
            [since],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(RetrainStatus {
            new_labels: new as u64,
            threshold,
            due: new as u64 >= threshold,
            labels_total: total as u64,
            last_mark,
        })
    }

    fn erase(
        &self,
        erasure_id: &str,
        requested_by: &str,
        request: &EraseRequest,
        now: i64,
    ) -> Result<Erasure, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let (mut erased, mut not_found, mut already) = (Vec::new(), Vec::new(), Vec::new());
        let filter = "(?2 IS NULL OR company = ?2) AND (?3 IS NULL OR received_at < ?3)";
        if request.message_ids.is_empty() {
            let mut st = tx.prepare(&format!(
                "SELECT message_id FROM messages WHERE erased_at IS NULL AND {filter} AND ?1 IS NULL ORDER BY message_id"
            ))?;
            let rows = st.query_map(
                params![None::<String>, request.company, request.received_before],
                |r| r.get::<_, String>(0),
            )?;
            erased = rows.collect::<Result<_, _>>()?;
        } else {
            let mut st = tx.prepare(&format!(
                "SELECT erased_at IS NOT NULL FROM messages WHERE message_id = ?1 AND {filter}"
            ))?;
            for id in &request.message_ids {
                match st
                    .query_row(params![id, request.company, request.received_before], |r| {
                        r.get::<_, bool>(0)
                    })
                    .optional()?
                {
                    None => not_found.push(id.clone()),
                    Some(true) => already.push(id.clone()),
                    Some(false) => erased.push(id.clone()),
                }
            }
            erased.sort();
            erased.dedup();
        }
        let mut hub = labelvault_core::erasure::HubErasure::default();
        let mut held = Vec::new();
        let mut batches = std::collections::BTreeSet::new();
        {
            let mut text =
                tx.prepare("UPDATE messages SET text = '', erased_at = ?2 WHERE message_id = ?1")?;
            let mut copies = tx
                .prepare("SELECT device_id, item_id, batch_id FROM copies WHERE message_id = ?1")?;
            let mut clear = tx.prepare(
                "UPDATE copies SET redacted = NULL WHERE message_id = ?1 AND redacted IS NOT NULL",
            )?;
            let mut close = tx.prepare(&format!(
                "UPDATE copies AS c SET state = 'returned', returned_at = ?2
                 WHERE c.message_id = ?1 AND c.state = 'open' AND NOT ({LABELLED})"
            ))?;
            for id in &erased {
                hub.texts_removed += text.execute(params![id, now])? as u64;
                let rows = copies.query_map([id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?;
                for row in rows {
                    let (device, item, batch) = row?;
                    held.push((device, item));
                    batches.insert(batch);
                }
                hub.copies_cleared += clear.execute([id])? as u64;
                close.execute(params![id, now])?;
            }
        }
        for b in &batches {
            let fetched: Option<Option<i64>> = tx
                .query_row(
                    "SELECT fetched_at FROM batches WHERE batch_id = ?1 AND erased_at IS NULL",
                    [b],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(fetched) = fetched else { continue };
            if fetched.is_none() {
                hub.copies_returned_to_pool += tx.execute(
                    &format!(
                        "UPDATE copies AS c SET state = 'returned', returned_at = ?2
                         WHERE c.batch_id = ?1 AND c.state = 'open' AND NOT ({LABELLED})"
                    ),
                    params![b, now],
                )? as u64;
            }
            hub.sealed_batches_deleted += tx.execute(
                "UPDATE batches SET bytes = x'', erased_at = ?2 WHERE batch_id = ?1",
                params![b, now],
            )? as u64;
        }
        if let (Some(company), true, None) = (
            &request.company,
            request.message_ids.is_empty(),
            request.received_before,
        ) {
            hub.company_terms_deleted +=
                tx.execute("DELETE FROM company_terms WHERE company = ?1", [company])? as u64;
        }
        let notices = super::erase_notices(held)?;
        for n in &notices {
            tx.execute(
                "INSERT INTO notices (notice_id, device_id, erasure_id, kind, items, item_count, created_at)
                 VALUES (?1, ?2, ?3, 'erase', ?4, ?5, ?6)",
                params![n.notice_id, n.device_id, erasure_id, super::to_json(&n.items), n.items.len() as i64, now],
            )?;
        }
        tx.execute(
            "INSERT INTO erasures (erasure_id, requested_at, requested_by, request, erased, not_found, already_erased, hub)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                erasure_id,
                now,
                requested_by,
                super::to_json(request),
                super::to_json(&erased),
                super::to_json(&not_found),
                super::to_json(&already),
                super::to_json(&hub)
            ],
        )?;
        tx.commit()?;
        // The erased texts' old pages may still sit in the write-ahead log: copy the new
        // pages into the database and empty the log now. The reader connection is taken
        // first, so no long read holds an old snapshot that would stop the log from
        // being emptied.
        let reader = self
            .reader
            .lock()
            .map_err(|_| HubError::Internal("storage lock poisoned".into()))?;
        let busy: i64 = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        drop(reader);
        if busy != 0 {
            tracing::warn!(
                "after an erasure the write-ahead log could not be emptied yet (a reader held it); the next checkpoint empties it"
            );
        }
        drop(c);
        self.erasure(erasure_id)?
            .ok_or_else(|| HubError::Internal("an erasure just stored is missing".into()))
    }

    fn erasure(&self, erasure_id: &str) -> Result<Option<Erasure>, HubError> {
        let c = self.conn()?;
        let row = c
            .query_row(
                "SELECT erasure_id, requested_at, requested_by, request, erased, not_found, already_erased, hub
                 FROM erasures WHERE erasure_id = ?1",
                [erasure_id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .optional()?;
        let Some(row) = row else { return Ok(None) };
        let mut st = c.prepare(
            "SELECT n.device_id, n.notice_id, n.item_count, n.acked_at, n.ack_seq, n.ack_head,
                    d.revoked_at IS NOT NULL
             FROM notices n JOIN devices d ON d.device_id = n.device_id
             WHERE n.erasure_id = ?1 ORDER BY n.device_id",
        )?;
        let notices = st
            .query_map([erasure_id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(super::fold_erasure(row, notices)?))
    }

    fn add_notices(&self, notices: &[Notice], now: i64) -> Result<(), HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        for n in notices {
            tx.execute(
                "INSERT INTO notices (notice_id, device_id, erasure_id, kind, items, item_count, created_at)
                 VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6)",
                params![
                    n.notice_id,
                    n.device_id,
                    super::notice_kind_str(n.kind),
                    super::to_json(&n.items),
                    n.items.len() as i64,
                    now
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn pending_notices(&self, device_id: &str) -> Result<Vec<Notice>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare_cached(
            "SELECT notice_id, kind, items FROM notices WHERE device_id = ?1 AND acked_at IS NULL
             ORDER BY created_at, notice_id LIMIT ?2",
        )?;
        let rows = st.query_map(
            params![
                device_id,
                labelvault_core::protocol::MAX_NOTICES_PER_ACK as i64
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, items) = row?;
            out.push(super::notice_from_row(
                id,
                device_id.to_string(),
                &kind,
                &items,
            )?);
        }
        Ok(out)
    }

    fn ack_notices(
        &self,
        device_id: &str,
        notice_ids: &[String],
        now: i64,
        pin: Option<(u64, String)>,
    ) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let (seq, head) = match pin {
            Some((s, h)) => (Some(s as i64), Some(h)),
            None => (None, None),
        };
        let mut n = 0;
        for id in notice_ids {
            n += tx.execute(
                "UPDATE notices SET acked_at = ?3, ack_seq = ?4, ack_head = ?5
                 WHERE notice_id = ?1 AND device_id = ?2 AND acked_at IS NULL",
                params![id, device_id, now, seq, head],
            )? as u64;
        }
        tx.commit()?;
        Ok(n)
    }

    fn company_copies(&self, company: &str) -> Result<Vec<(String, String, String)>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT c.device_id, c.item_id, c.redacted FROM copies c
             JOIN messages m ON m.message_id = c.message_id
             JOIN devices d ON d.device_id = c.device_id
             WHERE m.company = ?1 AND m.erased_at IS NULL AND c.redacted IS NOT NULL
               AND d.revoked_at IS NULL
             ORDER BY c.device_id, c.item_id",
        )?;
        let rows = st.query_map([company], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn create_account(
        &self,
        name: &str,
        role: &str,
        code_sha256: &str,
        code_expires_at: i64,
        now: i64,
    ) -> Result<String, HubError> {
        let id = super::random_id("ac_")?;
        self.conn()?.execute(
            "INSERT INTO accounts (account_id, name, role, code_sha256, code_expires_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, name, role, code_sha256, code_expires_at, now],
        )?;
        Ok(id)
    }

    fn enroll_account(
        &self,
        code_sha256: &str,
        now: i64,
        signing_key: &[u8; 32],
    ) -> Result<super::AccountRecord, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let found: Option<(String, Option<i64>, Option<Vec<u8>>)> = tx
            .query_row(
                "SELECT account_id, code_expires_at, signing_key FROM accounts WHERE code_sha256 = ?1 AND revoked_at IS NULL",
                [code_sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        super::account_code_problem(found.clone().map(|(_, e, k)| (e, k)), now)?;
        let id = found.map(|f| f.0).unwrap_or_default();
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE signing_key = ?1)",
            [signing_key.to_vec()],
            |r| r.get(0),
        )?;
        if taken {
            return Err(HubError::conflict(
                "already_enrolled",
                "this key already belongs to an account",
            ));
        }
        tx.execute(
            "UPDATE accounts SET signing_key = ?2, code_expires_at = NULL WHERE account_id = ?1",
            params![id, signing_key.to_vec()],
        )?;
        tx.commit()?;
        drop(c);
        self.account(&id)?
            .ok_or_else(|| HubError::Internal("an account just enrolled is missing".into()))
    }

    fn account(&self, account_id: &str) -> Result<Option<super::AccountRecord>, HubError> {
        let c = self.conn()?;
        Ok(c.query_row(
            "SELECT account_id, name, role, signing_key, revoked_at IS NOT NULL, created_at FROM accounts WHERE account_id = ?1",
            [account_id],
            account_row,
        )
        .optional()?)
    }

    fn accounts(&self) -> Result<Vec<super::AccountRecord>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT account_id, name, role, signing_key, revoked_at IS NOT NULL, created_at FROM accounts ORDER BY created_at, account_id",
        )?;
        let rows = st.query_map([], account_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_account_role(&self, account_id: &str, role: &str) -> Result<bool, HubError> {
        Ok(self.conn()?.execute(
            "UPDATE accounts SET role = ?2 WHERE account_id = ?1",
            params![account_id, role],
        )? == 1)
    }

    fn revoke_account(&self, account_id: &str, now: i64) -> Result<bool, HubError> {
        Ok(self.conn()?.execute(
            "UPDATE accounts SET revoked_at = coalesce(revoked_at, ?2) WHERE account_id = ?1",
            params![account_id, now],
        )? == 1)
    }

    fn append_access(
        &self,
        e: &super::NewAccess,
        sign: &(dyn Fn(&[u8; 32]) -> [u8; 64] + Sync),
    ) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let last: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT seq, entry_hash FROM access_ledger ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (seq, prev) = match last {
            Some((s, h)) => (
                s + 1,
                <[u8; 32]>::try_from(h.as_slice())
                    .map_err(|_| HubError::Internal("stored access entry damaged".into()))?,
            ),
            None => (1, [0u8; 32]),
        };
        let hash = super::access_hash(&prev, seq as u64, e);
        tx.execute(
            "INSERT INTO access_ledger (seq, prev_hash, entry_hash, at_ms, account_id, role, act, method, path, status, message_ids, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                seq,
                prev.to_vec(),
                hash.to_vec(),
                e.at_ms,
                e.account_id,
                e.role,
                e.act,
                e.method,
                e.path,
                i64::from(e.status),
                e.message_ids.json(),
                sign(&hash).to_vec()
            ],
        )?;
        tx.commit()?;
        Ok(seq as u64)
    }

    fn create_token(
        &self,
        account_id: &str,
        token_id: &str,
        token_sha256: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), HubError> {
        self.conn()?.execute(
            "INSERT INTO admin_tokens (token_id, account_id, token_sha256, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_id, account_id, token_sha256, now, expires_at],
        )?;
        Ok(())
    }

    fn token_account(
        &self,
        token_sha256: &str,
        now: i64,
    ) -> Result<Option<super::AccountRecord>, HubError> {
        let c = self.conn()?;
        Ok(c.query_row(
            "SELECT a.account_id, a.name, a.role, a.signing_key, a.revoked_at IS NOT NULL, a.created_at
             FROM admin_tokens t JOIN accounts a ON a.account_id = t.account_id
             WHERE t.token_sha256 = ?1 AND t.revoked_at IS NULL AND t.expires_at > ?2 AND a.revoked_at IS NULL",
            params![token_sha256, now],
            account_row,
        )
        .optional()?)
    }

    fn revoke_token(&self, token_id: &str, now: i64) -> Result<bool, HubError> {
        Ok(self.conn()?.execute(
            "UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE token_id = ?1",
            params![token_id, now],
        )? == 1)
    }

    fn webhook_enqueue(
        &self,
        episode: i64,
        event_id: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<bool, HubError> {
        let c = self.conn()?;
        let n = c.execute(
            "INSERT INTO webhook_events (event_id, episode, body, created_at_ms, state, attempts, next_attempt_at_ms) \
             VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?4) ON CONFLICT (episode) DO NOTHING",
            params![event_id, episode, body, now_ms],
        )?;
        Ok(n == 1)
    }

    fn webhook_claim(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> Result<Option<super::WebhookEvent>, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let ev = tx
            .query_row(
                "SELECT event_id, episode, body, attempts FROM webhook_events \
                 WHERE state = 'pending' AND next_attempt_at_ms <= ?1 \
                 ORDER BY next_attempt_at_ms, created_at_ms LIMIT 1",
                [now_ms],
                |r| {
                    Ok(super::WebhookEvent {
                        event_id: r.get(0)?,
                        episode: r.get(1)?,
                        body: r.get(2)?,
                        attempts: r.get::<_, i64>(3)?.max(0) as u32,
                    })
                },
            )
            .optional()?;
        if let Some(e) = &ev {
            tx.execute(
                "UPDATE webhook_events SET next_attempt_at_ms = ?2 WHERE event_id = ?1",
                params![e.event_id, lease_until_ms],
            )?;
        }
        tx.commit()?;
        Ok(ev)
    }

    fn webhook_record(&self, a: &super::WebhookAttempt) -> Result<bool, HubError> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let held = tx.execute(
            "UPDATE webhook_events SET state = ?2, attempts = ?3, next_attempt_at_ms = ?4 \
             WHERE event_id = ?1 AND state = 'pending' AND attempts = ?3 - 1",
            params![a.event_id, a.state, a.attempt, a.next_attempt_at_ms],
        )?;
        if held != 1 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO webhook_attempts (event_id, attempt, at_ms, status, error, next_attempt_at_ms, state) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                a.event_id,
                a.attempt,
                a.at_ms,
                a.status,
                a.error,
                a.next_attempt_at_ms,
                a.state
            ],
        )?;
        tx.commit()?;
        Ok(true)
    }

    fn webhook_deliveries(&self, limit: usize) -> Result<Vec<super::WebhookDelivery>, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT event_id, episode, created_at_ms, state, next_attempt_at_ms FROM webhook_events \
             ORDER BY created_at_ms DESC, episode DESC LIMIT ?1",
        )?;
        let mut out: Vec<super::WebhookDelivery> = st
            .query_map([limit.min(i64::MAX as usize) as i64], |r| {
                let state: String = r.get(3)?;
                Ok(super::WebhookDelivery {
                    event_id: r.get(0)?,
                    episode: r.get(1)?,
                    created_at_ms: r.get(2)?,
                    next_attempt_at_ms: if state == "pending" { r.get(4)? } else { None },
                    state,
                    attempts: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut st = c.prepare(
            "SELECT event_id, attempt, at_ms, status, error, next_attempt_at_ms, state \
             FROM webhook_attempts WHERE event_id = ?1 ORDER BY attempt",
        )?;
        for d in &mut out {
            d.attempts = st
                .query_map([&d.event_id], |r| {
                    Ok(super::WebhookAttempt {
                        event_id: r.get(0)?,
                        attempt: r.get::<_, i64>(1)?.max(0) as u32,
                        at_ms: r.get(2)?,
                        status: r.get::<_, Option<i64>>(3)?.map(|s| s.clamp(0, 999) as u16),
                        error: r.get(4)?,
                        next_attempt_at_ms: r.get(5)?,
                        state: r.get(6)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
        }
        Ok(out)
    }

    fn webhook_supersede(&self, event_id: &str, attempts: u32) -> Result<bool, HubError> {
        let c = self.conn()?;
        let n = c.execute(
            "UPDATE webhook_events SET state = 'superseded', next_attempt_at_ms = NULL \
             WHERE event_id = ?1 AND state = 'pending' AND attempts = ?2",
            params![event_id, attempts],
        )?;
        Ok(n == 1)
    }

    fn webhook_counts(&self) -> Result<Vec<(String, u64)>, HubError> {
        let c = self.conn()?;
        let mut st =
            c.prepare("SELECT state, count(*) FROM webhook_events GROUP BY state ORDER BY state")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn read_generation(&self) -> Result<super::ReadGeneration, HubError> {
        let c = self.conn()?;
        Ok(c.query_row(
            "SELECT (SELECT count(*) FROM uploads), (SELECT count(*) FROM adjudications),
                    (SELECT n FROM read_model_changes WHERE kind = 'content'),
                    (SELECT n FROM read_model_changes WHERE kind = 'privacy')",
            [],
            |r| {
                Ok(super::ReadGeneration {
                    uploads: r.get(0)?,
                    adjudications: r.get(1)?,
                    content: r.get(2)?,
                    privacy: r.get(3)?,
                })
            },
        )?)
    }

    fn register_bootstrap_token(
        &self,
        token_sha256: &str,
        expires_at: i64,
        now: i64,
        retire: Option<&str>,
    ) -> Result<(i64, bool), HubError> {
        let token_id = super::random_id("tk_")?;
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        tx.execute(
            "INSERT INTO accounts (account_id, name, role, created_at) VALUES (?1, ?2, 'manager', ?3)
             ON CONFLICT (account_id) DO NOTHING",
            params![super::BOOTSTRAP_ACCOUNT, super::BOOTSTRAP_NAME, now],
        )?;
        tx.execute(
            "INSERT INTO admin_tokens (token_id, account_id, token_sha256, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (token_sha256) DO NOTHING",
            params![
                token_id,
                super::BOOTSTRAP_ACCOUNT,
                token_sha256,
                now,
                expires_at
            ],
        )?;
        if let Some(old) = retire.filter(|o| *o != token_sha256) {
            tx.execute(
                "UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE token_sha256 = ?1",
                params![old, now],
            )?;
        }
        let got = tx.query_row(
            "SELECT expires_at, revoked_at IS NOT NULL FROM admin_tokens WHERE token_sha256 = ?1",
            [token_sha256],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.commit()?;
        Ok(got)
    }

    fn access_jsonl(&self) -> Result<String, HubError> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT seq, prev_hash, entry_hash, at_ms, account_id, role, act, method, path, status, message_ids, signature
             FROM access_ledger ORDER BY seq",
        )?;
        let mut rows = st.query([])?;
        let mut out = String::new();
        while let Some(r) = rows.next()? {
            let ids: String = r.get(10)?;
            let e = super::NewAccess {
                at_ms: r.get(3)?,
                account_id: r.get(4)?,
                role: r.get(5)?,
                act: r.get(6)?,
                method: r.get(7)?,
                path: r.get(8)?,
                status: u16::try_from(r.get::<_, i64>(9)?).unwrap_or(0),
                message_ids: serde_json::from_str::<Vec<String>>(&ids)
                    .map_err(|_| HubError::Internal("stored access entry damaged".into()))?
                    .into(),
            };
            let (prev, hash, sig): (Vec<u8>, Vec<u8>, Vec<u8>) = (r.get(1)?, r.get(2)?, r.get(11)?);
            out.push_str(&super::access_line(r.get(0)?, &prev, &hash, e, &sig)?);
            out.push('\n');
        }
        Ok(out)
    }

    fn metrics_counts(&self, latency_bounds_secs: &[f64]) -> Result<HubCounts, HubError> {
        let c = self.read_conn()?;
        let mut out = HubCounts::default();
        {
            let mut st = c.prepare(&format!(
                "SELECT r, count(*) FROM (
                   SELECT CASE WHEN c.gold = 1 THEN 'gold' ELSE coalesce(c.reason, 'unknown') END AS r
                   FROM copies c WHERE c.state = 'open' AND NOT ({LABELLED})
                   UNION ALL
                   -- items assigned outside the pipeline (POST /v1/admin/assign), in unexpired batches
                   SELECT 'assigned' FROM assignments c JOIN batches b ON b.batch_id = c.batch_id
                   WHERE b.expires_at > CAST(strftime('%s', 'now') AS INTEGER)
                     AND NOT EXISTS (SELECT 1 FROM copies cp WHERE cp.item_id = c.item_id)
                     AND NOT ({LABELLED})
                 ) GROUP BY r ORDER BY r"
            ))?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
            out.pending_by_reason = rows.collect::<Result<_, _>>()?;
            let mut st = c.prepare(
                "SELECT CASE WHEN retracted = 1 THEN 'retracted' ELSE coalesce(verdict, 'none') END AS v, count(*)
                 FROM labels GROUP BY 1 ORDER BY 1",
            )?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
            out.labels_by_verdict = rows.collect::<Result<_, _>>()?;
        }
        // One pass: a sum per bucket bound (milliseconds, integers), the sum and count.
        let mut sql = String::from("SELECT count(*), coalesce(sum(CASE WHEN received_at_ms > decided_at_ms THEN received_at_ms - decided_at_ms ELSE 0 END), 0)");
        for b in latency_bounds_secs {
            let ms = (b * 1000.0).round() as i64;
            sql.push_str(&format!(
                ", coalesce(sum(CASE WHEN received_at_ms - decided_at_ms <= {ms} THEN 1 ELSE 0 END), 0)"
            ));
        }
        sql.push_str(" FROM labels");
        let n = latency_bounds_secs.len();
        let (count, sum, buckets) = c.query_row(&sql, [], |r| {
            let mut b = Vec::with_capacity(n);
            for i in 0..n {
                b.push(r.get::<_, i64>(2 + i)? as u64);
            }
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, b))
        })?;
        out.latency_count = count as u64;
        out.latency_sum_secs = sum as f64 / 1000.0;
        out.latency_buckets = buckets;
        let (messages, devices): (i64, i64) = c.query_row(
            "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM devices WHERE revoked_at IS NULL)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        out.messages = messages as u64;
        out.devices_active = devices as u64;
        Ok(out)
    }
}

#[cfg(test)]
mod migration_files_tests {
    /// The file names in `crates/hub/migrations/<dir>/`, sorted.
    fn files_in(dir: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(dir);
        let mut names: Vec<String> = std::fs::read_dir(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
            .map(|e| {
                e.expect("a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    /// Every file of the directory is in the list and every listed file is there,
    /// numbered 1..N in list order without gaps, named `NNNN_<short_name>.sql`, opening
    /// with its explanatory comment, and carried in the binary as it is on disk.
    fn check(dir: &str, list: &[(&str, &str)]) {
        let listed: Vec<&str> = list.iter().map(|(name, _)| *name).collect();
        let on_disk = files_in(dir);
        assert_eq!(
            on_disk, listed,
            "{dir}: the migrations directory and the MIGRATIONS list differ (a file not listed, or listed but missing, or out of order)"
        );
        for (i, (name, sql)) in list.iter().enumerate() {
            let (number, rest) = name
                .split_once('_')
                .unwrap_or_else(|| panic!("{dir}/{name}: not NNNN_<short_name>.sql"));
            assert_eq!(
                number,
                format!("{:04}", i + 1),
                "{dir}/{name}: migration {} must be numbered {:04}",
                i + 1,
                i + 1
            );
            let stem = rest
                .strip_suffix(".sql")
                .unwrap_or_else(|| panic!("{dir}/{name}: not a .sql file"));
            assert!(
                !stem.is_empty()
                    && stem
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{dir}/{name}: the short name is lower-case letters, digits and _"
            );
            assert!(
                sql.starts_with("-- "),
                "{dir}/{name}: a migration opens with a comment saying what it adds"
            );
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir)
                .join(name);
            assert_eq!(
                std::fs::read_to_string(&path).ok().as_deref(),
                Some(*sql),
                "{dir}/{name}: the compiled-in SQL differs from the file"
            );
        }
    }

    #[test]
    fn migration_files_match_the_lists_and_both_backends_have_the_same_count() {
        check("sqlite", super::MIGRATIONS);
        check("postgres", super::super::postgres::MIGRATIONS);
        assert_eq!(
            super::MIGRATIONS.len(),
            super::super::postgres::MIGRATIONS.len(),
            "each schema version exists on both backends: add a migration to both directories"
        );
    }
}
