//! PostgreSQL storage, for hubs past one machine: several hub processes may serve the
//! same database at once, so every piece of state (codes, nonces, receipts, leases, the
//! ledger's chain head) lives in the database and every read-modify-write is
//! serialised there, never in a process:
//!
//! - an ingest first takes an advisory lock on its device, so the idempotency checks
//!   and label inserts of two uploads of one device never interleave, whichever hub
//!   received them, while other devices' uploads go on; it leaves its ledger entry in
//!   `ledger_pending`, and short transactions holding the one chain-head row
//!   (`FOR UPDATE`) append pending entries to the chain in batches — on the hub's
//!   chaining thread once an upload commits (skipped if another holds the head), every
//!   second, and before the ledger is read;
//! - operations on the review pool (dispatch, reclaim, revocation) take one
//!   transaction-scoped advisory lock, so overlap checks see every other dispatch;
//! - an enrollment code row is locked while it is consumed; nonces and message ids
//!   rely on primary keys (`ON CONFLICT DO NOTHING`).
//!
//! The store's logic is written once over [`super::sql::Tx`] (see `store/mod.rs` and
//! docs/hub-storage.md); this file runs its statements, takes its locks and seals its
//! texts, and keeps what is PostgreSQL's own: the connection pool, migrations under an
//! advisory lock, batch chaining of the inbound ledger, and dispatch's array
//! statements. Connections come from a small pool of synchronous clients; they are
//! only used from the hub's blocking threads.

use super::sql::{Arg, EachRow};
use super::HubStore;
use crate::error::HubError;
use postgres::{Client, NoTls, Row, Transaction};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Versioned migrations, applied in order: version N (a row of `labelvault_schema`) is
/// `MIGRATIONS[N - 1]`, the file `crates/hub/migrations/postgres/NNNN_*.sql`. The tables
/// are SQLite's in PostgreSQL types, plus the ledger's chain head. The SQL is compiled
/// into the binary, so a hub needs no file beside it to migrate.
pub(super) const MIGRATIONS: &[(&str, &str)] = migrations!("postgres");

/// Advisory lock key held while migrating, so hubs starting together migrate once.
const MIGRATION_LOCK: i64 = 0x4c56_4d49_4752; // "LVMIGR"
/// Advisory lock class (the first of the two-key form, whose keys never meet the
/// one-key locks above) held with a hash of the device id while an upload of that
/// device is stored: uploads of one device queue, uploads of different devices do not.
const DEVICE_UPLOAD_LOCK: i32 = 0x4c56_5550; // "LVUP"

/// The text-bearing columns, sealed under the database key when the hub runs with one
/// (crate::at_rest): every value written through [`Texts::seal`], read through
/// [`Texts::open`].
#[derive(Debug, Clone, Default)]
struct Texts(Option<crate::at_rest::Sealer>);

/// Column names bound into each sealed value.
const MESSAGE_TEXT: &str = "messages.text";
const COPY_TEXT: &str = "copies.redacted";
const TERM_TEXT: &str = "company_terms.term";

impl Texts {
    fn seal(&self, what: &str, plain: &str) -> Result<String, HubError> {
        match &self.0 {
            Some(s) => s.seal(what, plain),
            None => Ok(plain.to_string()),
        }
    }

    fn open(&self, what: &str, stored: String) -> Result<String, HubError> {
        match &self.0 {
            Some(s) => s.open(what, &stored),
            None if stored.starts_with("lv1.") => Err(HubError::Internal(
                "this database's texts are sealed; start the hub with its database key".into(),
            )),
            None => Ok(stored),
        }
    }
}

/// How many connections one hub process keeps to the database at most.
const POOL_SIZE: usize = 8;
/// How long a request waits for a free connection before the hub answers 500.
const POOL_WAIT: Duration = Duration::from_secs(30);

/// A few synchronous clients shared by the blocking threads. `postgres::Client` drives
/// its connection on a private runtime, which is sound on `spawn_blocking` threads
/// (never on the async workers).
struct Pool {
    config: postgres::Config,
    state: Mutex<PoolState>,
    freed: Condvar,
}

struct PoolState {
    idle: Vec<Client>,
    /// Connections handed out or idle.
    open: usize,
}

/// A pooled connection, returned to the pool when dropped.
struct Conn<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        // Only `Drop` takes the client out.
        self.client.as_ref().expect("pooled connection present")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("pooled connection present")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        let Ok(mut st) = self.pool.state.lock() else {
            return;
        };
        if client.is_closed() {
            st.open -= 1;
        } else {
            st.idle.push(client);
        }
        drop(st);
        self.pool.freed.notify_one();
    }
}

impl Pool {
    fn get(&self) -> Result<Conn<'_>, HubError> {
        let poisoned = || HubError::Internal("storage pool lock poisoned".into());
        let deadline = std::time::Instant::now() + POOL_WAIT;
        let mut st = self.state.lock().map_err(|_| poisoned())?;
        loop {
            while let Some(c) = st.idle.pop() {
                if c.is_closed() {
                    st.open -= 1;
                    continue;
                }
                return Ok(Conn {
                    pool: self,
                    client: Some(c),
                });
            }
            if st.open < POOL_SIZE {
                st.open += 1;
                drop(st);
                return match self.config.connect(NoTls) {
                    Ok(c) => Ok(Conn {
                        pool: self,
                        client: Some(c),
                    }),
                    Err(e) => {
                        if let Ok(mut st) = self.state.lock() {
                            st.open -= 1;
                        }
                        Err(connect_error(&e))
                    }
                };
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(HubError::Internal(
                    "every database connection stayed busy for 30 s".into(),
                ));
            }
            st = self.freed.wait_timeout(st, left).map_err(|_| poisoned())?.0;
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing a client runs its private runtime; do it on a thread of its own in case
        // the last handle is dropped on an async worker.
        let idle = match self.state.get_mut() {
            Ok(st) => std::mem::take(&mut st.idle),
            Err(_) => return,
        };
        if !idle.is_empty() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}

fn connect_error(e: &postgres::Error) -> HubError {
    HubError::Internal(match e.as_db_error() {
        Some(db) => format!(
            "cannot connect to PostgreSQL (SQLSTATE {}); check the database URL's user, password and database name",
            db.code().code()
        ),
        None => {
            // The cause (refused, timed out, unknown host) is the useful part.
            let cause = std::error::Error::source(e)
                .map(|c| c.to_string())
                .unwrap_or_else(|| e.to_string());
            format!(
                "cannot connect to PostgreSQL ({cause}); check that the server is running and the URL's host and port"
            )
        }
    })
}

/// PostgreSQL-backed hub storage; several hub processes may share one database.
pub struct PostgresStore {
    pool: Pool,
    /// The URL with its password hidden, for messages.
    redacted: String,
    /// Seals and opens the text columns.
    texts: Texts,
    /// Chains uploads' ledger entries off the request path (started once migrated).
    chainer: Option<Chainer>,
}

/// Wakes this hub's chaining thread once an upload has committed, so its ledger entry is
/// chained off the request path (the answer does not wait for it) and uploads committed
/// meanwhile are chained together in one transaction. The thread has a connection of its
/// own and ends when the store is dropped; entries it had not chained yet stay pending in
/// the database for the next run.
struct Chainer {
    signal: Arc<(Mutex<ChainerState>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct ChainerState {
    /// An upload committed since the last run began.
    wanted: bool,
    /// The store is being dropped.
    stop: bool,
}

impl Chainer {
    fn start(config: postgres::Config) -> Chainer {
        let signal: Arc<(Mutex<ChainerState>, Condvar)> = Arc::default();
        let s = signal.clone();
        let thread = std::thread::Builder::new()
            .name("ledger-chainer".into())
            .spawn(move || chain_when_woken(&config, &s))
            .ok();
        Chainer { signal, thread }
    }

    /// Ask for a chaining run and return at once; false if no thread runs (the caller
    /// then chains itself).
    fn wake(&self) -> bool {
        if self.thread.is_none() {
            return false;
        }
        let Ok(mut st) = self.signal.0.lock() else {
            return false;
        };
        st.wanted = true;
        drop(st);
        self.signal.1.notify_one();
        true
    }
}

impl Drop for Chainer {
    fn drop(&mut self) {
        if let Ok(mut st) = self.signal.0.lock() {
            st.stop = true;
        }
        self.signal.1.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The chaining thread: one [`chain_pending`] run (not waiting for the chain head) each
/// time it is woken, on its own connection, made again after an error.
fn chain_when_woken(config: &postgres::Config, signal: &(Mutex<ChainerState>, Condvar)) {
    let mut client: Option<Client> = None;
    loop {
        {
            let Ok(mut st) = signal.0.lock() else {
                return;
            };
            while !st.wanted && !st.stop {
                st = match signal.1.wait(st) {
                    Ok(st) => st,
                    Err(_) => return,
                };
            }
            if st.stop {
                return;
            }
            st.wanted = false;
        }
        if client.as_ref().is_none_or(|c| c.is_closed()) {
            client = match config.connect(NoTls) {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::warn!(error = %connect_error(&e), "chaining the inbound ledger: no connection; retrying later");
                    None
                }
            };
        }
        if let Some(c) = client.as_mut() {
            if let Err(e) = chain_pending(c, false) {
                tracing::warn!(error = %e, "chaining the inbound ledger failed; retrying later");
                client = None;
            }
        }
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.redacted)
            .finish()
    }
}

impl PostgresStore {
    /// Connect to the database at `url` (`postgres://USER:PASSWORD@HOST:PORT/DBNAME`)
    /// and migrate it; hubs starting at the same time migrate it once.
    pub fn open(url: &str) -> Result<PostgresStore, HubError> {
        PostgresStore::open_sealed(url, None)
    }

    /// As [`PostgresStore::open`], sealing every text value with `sealer` (the hub
    /// binary always gives one); values written before are sealed at start.
    pub fn open_sealed(
        url: &str,
        sealer: Option<crate::at_rest::Sealer>,
    ) -> Result<PostgresStore, HubError> {
        let redacted = crate::config::redact_url(url);
        let mut config: postgres::Config = url.parse().map_err(|_| {
            HubError::bad(
                "bad_database_url",
                format!("cannot read the database URL {redacted}; write it as postgres://USER:PASSWORD@HOST:PORT/DBNAME"),
            )
        })?;
        config
            .application_name("labelvault-hub")
            .connect_timeout(Duration::from_secs(10));
        let mut store = PostgresStore {
            pool: Pool {
                config,
                state: Mutex::new(PoolState {
                    idle: Vec::new(),
                    open: 0,
                }),
                freed: Condvar::new(),
            },
            redacted,
            texts: Texts(sealer),
            chainer: None,
        };
        store.migrate().map_err(|e| match e {
            HubError::Internal(m) => {
                HubError::Internal(format!("{m} (database {})", store.redacted))
            }
            other => other,
        })?;
        if store.texts.0.is_some() {
            store.reseal(false)?;
        }
        store.chainer = Some(Chainer::start(store.pool.config.clone()));
        Ok(store)
    }

    /// Seal every text value not yet sealed (written before the hub had a key) and,
    /// with `rotate`, rewrap every value sealed under an older key with the current
    /// one. In chunks of 500 rows, each its own transaction, so hubs keep serving
    /// meanwhile. Returns how many values were rewritten.
    pub fn reseal(&self, rotate: bool) -> Result<u64, HubError> {
        let Some(sealer) = self.texts.0.clone() else {
            return Ok(0);
        };
        let current = format!("lv1.{}.%", sealer.key_id());
        let pattern = if rotate { current.as_str() } else { "lv1.%" };
        let mut total = 0u64;
        // (table, key columns, text column, column name for the seal)
        for (table, key, col, what) in [
            ("messages", "message_id", "text", MESSAGE_TEXT),
            ("copies", "item_id", "redacted", COPY_TEXT),
        ] {
            loop {
                let mut c = self.conn()?;
                let mut tx = c.transaction()?;
                let rows = tx.query(
                    &format!(
                        "SELECT {key}, {col} FROM {table} WHERE {col} <> '' AND {col} NOT LIKE $1 LIMIT 500 FOR UPDATE SKIP LOCKED"
                    ),
                    &[&pattern],
                )?;
                if rows.is_empty() {
                    break;
                }
                for r in &rows {
                    let id: String = r.try_get(0)?;
                    let old: String = r.try_get(1)?;
                    let new = sealer.rewrap(what, &old)?;
                    tx.execute(
                        &format!("UPDATE {table} SET {col} = $2 WHERE {key} = $1"),
                        &[&id, &new],
                    )?;
                    total += 1;
                }
                tx.commit()?;
            }
        }
        // Terms: the value is part of the primary key, so each is deleted and inserted.
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        tx.batch_execute("LOCK TABLE company_terms IN SHARE ROW EXCLUSIVE MODE")?;
        let rows = tx.query(
            "SELECT company, term, kind, added_at FROM company_terms WHERE term NOT LIKE $1",
            &[&pattern],
        )?;
        for r in &rows {
            let (company, old): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            let new = sealer.rewrap(TERM_TEXT, &old)?;
            tx.execute(
                "DELETE FROM company_terms WHERE company = $1 AND term = $2",
                &[&company, &old],
            )?;
            tx.execute(
                "INSERT INTO company_terms (company, term, kind, added_at) VALUES ($1, $2, $3, $4)",
                &[
                    &company,
                    &new,
                    &r.try_get::<_, String>(2)?,
                    &r.try_get::<_, i64>(3)?,
                ],
            )?;
            total += 1;
        }
        tx.commit()?;
        if total > 0 {
            tracing::info!(values = total, key = sealer.key_id(), "sealed stored texts");
        }
        Ok(total)
    }

    fn migrate(&self) -> Result<(), HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS labelvault_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )?;
        let v: i32 = tx
            .query_one(
                "SELECT coalesce(max(version), 0) FROM labelvault_schema",
                &[],
            )?
            .try_get(0)?;
        let v = super::pending_migrations(i64::from(v), MIGRATIONS.len())?;
        let now = labelvault_core::batch::now_unix();
        for (i, (_, m)) in MIGRATIONS.iter().enumerate().skip(v) {
            tx.batch_execute(m)?;
            tx.execute(
                "INSERT INTO labelvault_schema (version, applied_at) VALUES ($1, $2)",
                &[&((i + 1) as i32), &now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn conn(&self) -> Result<Conn<'_>, HubError> {
        self.pool.get()
    }
}

/// How many pending ledger entries one chaining transaction takes at most, so the
/// chain head is held briefly even after a backlog.
const CHAIN_BATCH: i64 = 1000;

/// Append the pending inbound-ledger entries (`ledger_pending`, in id order) to the
/// hub chain, in transactions of at most [`CHAIN_BATCH`] that lock the chain head row:
/// each entry gets the next sequence number and `hub_entry_hash` over the previous
/// entry's hash, exactly as when uploads chained inline. With `wait` false it returns
/// at once if another request or hub holds the head (that one chains, or the next run
/// does); with `wait` true it waits, so every entry committed before the call is
/// chained when it returns. Returns how many entries it chained.
fn chain_pending(c: &mut Client, wait: bool) -> Result<u64, HubError> {
    let lock = if wait {
        "SELECT seq, entry_hash FROM ledger_head WHERE only_row FOR UPDATE"
    } else {
        "SELECT seq, entry_hash FROM ledger_head WHERE only_row FOR UPDATE SKIP LOCKED"
    };
    let mut total = 0u64;
    loop {
        let mut tx = c.transaction()?;
        let Some(head) = tx.query_opt(lock, &[])? else {
            if wait {
                // Only a missing head row gets here when waiting: never answer with a
                // ledger that silently lacks the pending entries.
                return Err(HubError::Internal(
                    "the inbound ledger's head row is missing; restore the database from a backup"
                        .into(),
                ));
            }
            return Ok(total);
        };
        let (mut seq, mut prev): (i64, Vec<u8>) = (head.try_get(0)?, head.try_get(1)?);
        // Read after the head lock is held: every entry committed before is seen.
        let rows = tx.query(
            "SELECT id, device_id, received_at_ms, body_sha256, receipt FROM ledger_pending ORDER BY id LIMIT $1",
            &[&CHAIN_BATCH],
        )?;
        if rows.is_empty() {
            return Ok(total);
        }
        let (mut ids, mut seqs, mut prevs, mut hashes) = (
            Vec::with_capacity(rows.len()),
            Vec::with_capacity(rows.len()),
            Vec::with_capacity(rows.len()),
            Vec::with_capacity(rows.len()),
        );
        for r in &rows {
            let h = labelvault_core::ledger::hub_entry_hash(
                &prev,
                r.try_get(2)?,
                r.try_get(1)?,
                r.try_get(3)?,
                r.try_get(4)?,
            )
            .to_vec();
            seq += 1;
            ids.push(r.try_get::<_, i64>(0)?);
            seqs.push(seq);
            prevs.push(std::mem::replace(&mut prev, h.clone()));
            hashes.push(h);
        }
        // The bodies move inside the database; only hashes travel.
        let n = tx.execute(
            "INSERT INTO ledger (seq, prev_hash, entry_hash, device_id, received_at_ms, body, body_sha256, receipt)
             SELECT v.seq, v.prev_hash, v.entry_hash, p.device_id, p.received_at_ms, p.body, p.body_sha256, p.receipt
             FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[]) AS v(id, seq, prev_hash, entry_hash)
             JOIN ledger_pending p ON p.id = v.id",
            &[&ids, &seqs, &prevs, &hashes],
        )?;
        let gone = tx.execute("DELETE FROM ledger_pending WHERE id = ANY($1)", &[&ids])?;
        if n != ids.len() as u64 || gone != n {
            return Err(HubError::Internal(
                "pending ledger entries changed while being chained".into(),
            ));
        }
        tx.execute(
            "UPDATE ledger_head SET seq = $1, entry_hash = $2 WHERE only_row",
            &[&seq, &prev],
        )?;
        tx.commit()?;
        total += n;
        if (rows.len() as i64) < CHAIN_BATCH {
            return Ok(total);
        }
    }
}

/// Binding a common [`Arg`](super::sql::Arg) to a PostgreSQL parameter of whichever type
/// the statement gives it.
impl postgres::types::ToSql for super::sql::Arg<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use super::sql::Arg;
        use postgres::types::Type;
        match *self {
            Arg::Null => Ok(postgres::types::IsNull::Yes),
            Arg::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::FLOAT8 => (v as f64).to_sql(ty, out),
                _ => Err(format!("an integer bound to a {ty} parameter").into()),
            },
            Arg::Real(v) => match *ty {
                Type::FLOAT4 => (v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Arg::Bool(v) => v.to_sql(ty, out),
            Arg::Text(v) => v.to_sql(ty, out),
            Arg::Bytes(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// One PostgreSQL row as common [`Cell`](super::sql::Cell)s.
fn common_row(r: &Row) -> Result<super::sql::Row, HubError> {
    use super::sql::Cell;
    use postgres::types::Type;
    let mut cells = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let ty = col.type_();
        let cell = if *ty == Type::INT8 {
            r.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
        } else if *ty == Type::INT4 {
            r.try_get::<_, Option<i32>>(i)?
                .map(|v| Cell::Int(i64::from(v)))
        } else if *ty == Type::INT2 {
            r.try_get::<_, Option<i16>>(i)?
                .map(|v| Cell::Int(i64::from(v)))
        } else if *ty == Type::BOOL {
            r.try_get::<_, Option<bool>>(i)?
                .map(|v| Cell::Int(i64::from(v)))
        } else if *ty == Type::FLOAT8 {
            r.try_get::<_, Option<f64>>(i)?.map(Cell::Real)
        } else if *ty == Type::FLOAT4 {
            r.try_get::<_, Option<f32>>(i)?
                .map(|v| Cell::Real(f64::from(v)))
        } else if *ty == Type::BYTEA {
            r.try_get::<_, Option<Vec<u8>>>(i)?.map(Cell::Bytes)
        } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
            r.try_get::<_, Option<String>>(i)?.map(Cell::Text)
        } else {
            return Err(HubError::Internal(format!(
                "column {i} of a statement has type {ty}, which the store does not read (cast it to BIGINT, DOUBLE PRECISION or TEXT)"
            )));
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(super::sql::Row(cells))
}

/// A transaction of this store, as the common logic sees it.
struct PgTx<'a, 'c> {
    tx: &'a mut Transaction<'c>,
    texts: &'a Texts,
    /// Statements prepared in this transaction, by text: a statement run in a loop is
    /// prepared once (one round trip per row, not two).
    prepared: std::collections::HashMap<String, postgres::Statement>,
}

impl PgTx<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, HubError> {
        if let Some(st) = self.prepared.get(sql) {
            return Ok(st.clone());
        }
        let st = self.tx.prepare(sql)?;
        self.prepared.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

fn pg_args<'a>(args: &'a [super::sql::Arg<'_>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    args.iter()
        .map(|a| a as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

impl super::sql::Tx for PgTx<'_, '_> {
    fn execute(&mut self, sql: &str, args: &[super::sql::Arg<'_>]) -> Result<u64, HubError> {
        let st = self.statement(sql)?;
        Ok(self.tx.execute(&st, &pg_args(args))?)
    }

    fn for_each(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        f: &mut EachRow<'_>,
    ) -> Result<(), HubError> {
        use postgres::fallible_iterator::FallibleIterator as _;
        let st = self.statement(sql)?;
        let mut rows = self.tx.query_raw(&st, pg_args(args))?;
        while let Some(r) = rows.next()? {
            f(common_row(&r)?)?;
        }
        Ok(())
    }

    fn insert_unique(&mut self, sql: &str, args: &[super::sql::Arg<'_>]) -> Result<bool, HubError> {
        let st = self.statement(sql)?;
        match self.tx.execute(&st, &pg_args(args)) {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn lock(&mut self, what: super::sql::Lock<'_>) -> Result<(), HubError> {
        match what {
            super::sql::Lock::Table(table) => {
                self.tx
                    .batch_execute(&format!("LOCK TABLE {table} IN EXCLUSIVE MODE"))?;
            }
            super::sql::Lock::Key(key) => {
                self.tx
                    .execute("SELECT pg_advisory_xact_lock($1)", &[&key])?;
            }
            super::sql::Lock::Uploads(device_id) => {
                self.tx.execute(
                    "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                    &[&DEVICE_UPLOAD_LOCK, &device_id],
                )?;
            }
        }
        Ok(())
    }

    fn seal(&self, column: super::sql::Sealed, plain: &str) -> Result<String, HubError> {
        self.texts.seal(column.column(), plain)
    }

    fn open(&self, column: super::sql::Sealed, stored: String) -> Result<String, HubError> {
        self.texts.open(column.column(), stored)
    }

    fn dialect(&self) -> super::sql::Dialect {
        super::sql::Dialect::Postgres
    }
}

impl super::sql::Transact for PostgresStore {
    fn transact(
        &self,
        mode: super::sql::Mode,
        f: &mut dyn FnMut(&mut dyn super::sql::Tx) -> Result<(), HubError>,
    ) -> Result<(), HubError> {
        let mut c = self.conn()?;
        let mut tx = match mode {
            super::sql::Mode::Write => c.transaction()?,
            // A read sees one snapshot across its statements (a dispatch's holders and
            // candidates agree), and can write nothing.
            super::sql::Mode::Read | super::sql::Mode::LongRead => c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?,
        };
        f(&mut PgTx {
            tx: &mut tx,
            texts: &self.texts,
            prepared: std::collections::HashMap::new(),
        })?;
        tx.commit()?;
        Ok(())
    }

    fn settle_ledger(&self) -> Result<(), HubError> {
        let mut c = self.conn()?;
        chain_pending(&mut c, true).map(|_| ())
    }

    fn uploaded(&self) {
        // This hub's chaining thread (or, failing that, this request) runs unless
        // another run or hub holds the chain head, which then takes this entry along,
        // or the next run does. The upload is stored either way, so a failure here only
        // delays the entry.
        if self.chainer.as_ref().is_some_and(Chainer::wake) {
            return;
        }
        let chained = self.conn().and_then(|mut c| chain_pending(&mut c, false));
        if let Err(e) = chained {
            tracing::warn!(error = %e, "chaining the inbound ledger failed; retrying later");
        }
    }
}

impl HubStore for PostgresStore {
    fn chain_ledger(&self) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        chain_pending(&mut c, false)
    }
}
