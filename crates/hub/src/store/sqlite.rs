//! SQLite storage (embedded, zero set-up): WAL, versioned migrations, one writing
//! connection behind a mutex (SQLite serialises writers anyway) and one for long reads.
//! The store's logic is written once over [`super::sql::Tx`]; this file runs its
//! statements and keeps what is SQLite's own: SQLCipher keying and re-keying, the
//! write-ahead log, and dispatch.

use super::sql::{Arg, EachRow};
use super::HubStore;
use crate::error::HubError;
use rusqlite::Connection;
use std::sync::Mutex;

/// Versioned migrations, applied in order: version N (the database's `PRAGMA user_version`
/// after it) is `MIGRATIONS[N - 1]`, the file `crates/hub/migrations/sqlite/NNNN_*.sql`.
/// The SQL is compiled into the binary, so a hub needs no file beside it to migrate.
/// Adding one: see docs/hub-storage.md (a file per backend, named here in order).
pub(super) const MIGRATIONS: &[(&str, &str)] = migrations!("sqlite");

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
        let v = super::pending_migrations(v, MIGRATIONS.len())?;
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

/// Binding a common [`Arg`](super::sql::Arg) to a SQLite statement.
impl rusqlite::ToSql for super::sql::Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use super::sql::Arg;
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match *self {
            Arg::Null => ToSqlOutput::Owned(Value::Null),
            Arg::Int(v) => ToSqlOutput::Owned(Value::Integer(v)),
            Arg::Real(v) => ToSqlOutput::Owned(Value::Real(v)),
            Arg::Bool(v) => ToSqlOutput::Owned(Value::Integer(i64::from(v))),
            Arg::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Arg::Bytes(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
        })
    }
}

/// One SQLite row as common [`Cell`](super::sql::Cell)s.
fn common_row(r: &rusqlite::Row<'_>, columns: usize) -> Result<super::sql::Row, HubError> {
    use super::sql::Cell;
    use rusqlite::types::ValueRef;
    let mut cells = Vec::with_capacity(columns);
    for i in 0..columns {
        cells.push(match r.get_ref(i)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(v) => Cell::Int(v),
            ValueRef::Real(v) => Cell::Real(v),
            ValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(t) => Cell::Text(t.to_string()),
                Err(_) => {
                    return Err(super::sql::damaged(
                        i,
                        &Cell::Bytes(Vec::new()),
                        "UTF-8 text",
                    ))
                }
            },
            ValueRef::Blob(b) => Cell::Bytes(b.to_vec()),
        });
    }
    Ok(super::sql::Row(cells))
}

/// A transaction of this store, as the common logic sees it.
struct SqliteTx<'c> {
    conn: &'c Connection,
}

impl super::sql::Tx for SqliteTx<'_> {
    fn dialect(&self) -> super::sql::Dialect {
        super::sql::Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, args: &[super::sql::Arg<'_>]) -> Result<u64, HubError> {
        let mut st = self.conn.prepare_cached(&super::sql::sqlite_text(sql))?;
        Ok(st.execute(rusqlite::params_from_iter(args.iter()))? as u64)
    }

    fn for_each(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        f: &mut EachRow<'_>,
    ) -> Result<(), HubError> {
        let mut st = self.conn.prepare_cached(&super::sql::sqlite_text(sql))?;
        let columns = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            f(common_row(r, columns)?)?;
        }
        Ok(())
    }

    fn insert_unique(&mut self, sql: &str, args: &[super::sql::Arg<'_>]) -> Result<bool, HubError> {
        let mut st = self.conn.prepare_cached(&super::sql::sqlite_text(sql))?;
        match st.execute(rusqlite::params_from_iter(args.iter())) {
            Ok(_) => Ok(true),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn lock(&mut self, _what: super::sql::Lock<'_>) -> Result<(), HubError> {
        // Write transactions begin IMMEDIATE on the one writing connection: nothing
        // else writes until this one ends.
        Ok(())
    }

    fn seal(&self, _column: super::sql::Sealed, plain: &str) -> Result<String, HubError> {
        // The whole file is SQLCipher: values are stored as they are.
        Ok(plain.to_string())
    }

    fn open(&self, _column: super::sql::Sealed, stored: String) -> Result<String, HubError> {
        Ok(stored)
    }
}

impl super::sql::Transact for SqliteStore {
    fn transact(
        &self,
        mode: super::sql::Mode,
        f: &mut dyn FnMut(&mut dyn super::sql::Tx) -> Result<(), HubError>,
    ) -> Result<(), HubError> {
        use super::sql::Mode;
        let mut c = match mode {
            Mode::LongRead => self.read_conn()?,
            Mode::Write | Mode::Read => self.conn()?,
        };
        let behavior = match mode {
            Mode::Write => rusqlite::TransactionBehavior::Immediate,
            Mode::Read | Mode::LongRead => rusqlite::TransactionBehavior::Deferred,
        };
        let tx = c.transaction_with_behavior(behavior)?;
        f(&mut SqliteTx { conn: &tx })?;
        tx.commit()?;
        Ok(())
    }

    fn erased(&self) {
        // The erased texts' old pages may still sit in the write-ahead log: copy the new
        // pages into the database and empty the log now. The reader connection is taken
        // first, so no long read holds an old snapshot that would stop the log from
        // being emptied.
        let emptied = self.reader.lock().map_err(|_| ()).and_then(|reader| {
            let busy = self.conn().map_err(|_| ()).and_then(|c| {
                c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(|_| ())
            });
            drop(reader);
            busy
        });
        if emptied != Ok(0) {
            tracing::warn!(
                "after an erasure the write-ahead log could not be emptied yet (a reader held it, or the database failed); the next checkpoint empties it"
            );
        }
    }
}

impl HubStore for SqliteStore {}

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
