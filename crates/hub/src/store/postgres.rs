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
//! The code mirrors `sqlite.rs` function by function (same order, same checks), so a
//! change to one store is easy to carry to the other. Connections come from a small
//! pool of synchronous clients; they are only used from the hub's blocking threads.

use super::{
    reason_str, Adjudication, Candidates, CopyLabel, DeviceRecord, DispatchBatch, HubCounts,
    HubStore, IngestReport, MarkKind, NewAdjudication, NewBatch, PipelineStatus, RetrainMark,
    RetrainStatus, Upload, DEFAULT_RETRAIN_THRESHOLD,
};
use crate::error::HubError;
use labelvault_core::erasure::{EraseRequest, Erasure};
use labelvault_core::pipeline::Message;
use labelvault_core::protocol::{BatchListing, Notice, Receipt, RejectedLabel, SignedReceipt};
use postgres::{Client, NoTls, Row, Transaction};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Versioned migrations, applied in order: version N (a row of `labelvault_schema`) is
/// `MIGRATIONS[N - 1]`, the file `crates/hub/migrations/postgres/NNNN_*.sql`. The tables
/// are SQLite's in PostgreSQL types, plus the ledger's chain head. The SQL is compiled
/// into the binary, so a hub needs no file beside it to migrate.
pub(super) const MIGRATIONS: &[(&str, &str)] = migration_files!("postgres":
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

/// Advisory lock key held while adjudications or retraining marks are appended, so
/// `supersedes` and the mark order agree across hubs.
const REVIEW_LOCK: i64 = 0x4c56_5245_5649; // "LVREVI"

fn account_row(r: &Row) -> Result<super::AccountRecord, HubError> {
    let key: Option<Vec<u8>> = r.try_get(3)?;
    Ok(super::AccountRecord {
        account_id: r.try_get(0)?,
        name: r.try_get(1)?,
        role: r.try_get(2)?,
        signing_key: key.and_then(|k| k.try_into().ok()),
        revoked: r.try_get(4)?,
        created_at: r.try_get(5)?,
    })
}

fn adjudication_row(r: &Row) -> Result<Adjudication, HubError> {
    let labels: String = r.try_get(7)?;
    Ok(Adjudication {
        seq: r.try_get(0)?,
        message_id: r.try_get(1)?,
        intent: r.try_get(2)?,
        by: r.try_get(3)?,
        decided_at_ms: r.try_get(4)?,
        previous_intent: r.try_get(5)?,
        supersedes: r.try_get(6)?,
        labels: serde_json::from_str(&labels).unwrap_or_default(),
    })
}

const ADJUDICATION_COLUMNS: &str =
    "seq, message_id, intent_id, decided_by, decided_at_ms, previous_intent, supersedes, labels";

/// Advisory lock key held while migrating, so hubs starting together migrate once.
const MIGRATION_LOCK: i64 = 0x4c56_4d49_4752; // "LVMIGR"
/// Advisory lock key held by every transaction that changes the review pool.
const POOL_LOCK: i64 = 0x4c56_504f_4f4c; // "LVPOOL"
/// Advisory lock class (the first of the two-key form, whose keys never meet the
/// one-key locks above) held with a hash of the device id while an upload of that
/// device is stored: uploads of one device queue, uploads of different devices do not.
const DEVICE_UPLOAD_LOCK: i32 = 0x4c56_5550; // "LVUP"

/// SQL: true when the copy aliased `c` has a label whose latest revision is not a
/// retraction (an undone decision leaves the copy unfinished).
const LABELLED: &str = "NOT coalesce((SELECT l.retracted FROM labels l WHERE l.device_id = c.device_id AND l.item_id = c.item_id ORDER BY l.revision DESC LIMIT 1), TRUE)";

/// Text sorts bytewise, as in SQLite, whatever collation the database was created with.
const C: &str = "COLLATE \"C\"";

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

fn message_row(r: &Row, texts: &Texts) -> Result<Message, HubError> {
    Ok(Message {
        message_id: r.try_get(0)?,
        text: texts.open(MESSAGE_TEXT, r.try_get(1)?)?,
        company: r.try_get(2)?,
        channel: r.try_get(3)?,
        received_at: r.try_get(4)?,
        model_intent: r.try_get(5)?,
        confidence: r.try_get(6)?,
        probabilities: parse_probabilities(r.try_get(7)?),
        reported_false_positive: r.try_get(8)?,
        training_consent: !r.try_get::<_, bool>(9)?,
        model_version: r.try_get(10)?,
        language: r.try_get(11)?,
    })
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
        let v = v.max(0) as usize;
        if v > MIGRATIONS.len() {
            return Err(HubError::Internal(format!(
                "the hub database has schema {v}, newer than this hub understands; update the hub"
            )));
        }
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

/// Why one label is refused, if it is.
fn check_label(
    tx: &mut Transaction<'_>,
    device_id: &str,
    l: &labelvault_core::protocol::WireLabel,
) -> Result<Option<&'static str>, HubError> {
    let batch: Option<(String, Option<i64>)> = tx
        .query_opt(
            "SELECT batch_id, item_chars FROM assignments WHERE item_id = $1 AND device_id = $2",
            &[&l.item_id, &device_id],
        )?
        .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?;
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
        let ok: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM batch_intents WHERE batch_id = $1 AND intent_id = $2)",
                &[&batch, i],
            )?
            .try_get(0)?;
        if !ok {
            return Ok(Some("unknown_intent"));
        }
    }
    Ok(None)
}

/// Return unlabelled copies whose lease ended by `as_of`; counts pool copies only (gold
/// copies are closed too). The caller holds [`POOL_LOCK`].
fn reclaim_in(tx: &mut Transaction<'_>, as_of: i64) -> Result<u64, HubError> {
    let n = tx.execute(
        &format!("UPDATE copies AS c SET state = 'returned', returned_at = $1 WHERE c.state = 'open' AND NOT c.gold AND c.lease_expires_at <= $1 AND NOT ({LABELLED})"),
        &[&as_of],
    )?;
    tx.execute(
        &format!("UPDATE copies AS c SET state = 'returned', returned_at = $1 WHERE c.state = 'open' AND c.gold AND c.lease_expires_at <= $1 AND NOT ({LABELLED})"),
        &[&as_of],
    )?;
    Ok(n)
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

fn lock_pool(tx: &mut Transaction<'_>) -> Result<(), HubError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&POOL_LOCK])?;
    Ok(())
}

fn count(r: &Row, i: usize) -> Result<u64, HubError> {
    Ok(r.try_get::<_, i64>(i)?.max(0) as u64)
}

/// Rows a dispatch writes (or checks) per statement: few enough to bound the memory of
/// one statement's arrays, many enough that round trips stop mattering.
const DISPATCH_ROWS_PER_STATEMENT: usize = 10_000;

impl HubStore for PostgresStore {
    fn create_annotator(
        &self,
        name: &str,
        code_sha256: &str,
        code_expires_at: i64,
    ) -> Result<String, HubError> {
        let id = super::random_id("a_")?;
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        tx.execute(
            "INSERT INTO annotators (annotator_id, name, created_at) VALUES ($1, $2, $3)",
            &[&id, &name, &code_expires_at],
        )?;
        tx.execute(
            "INSERT INTO enrollment_codes (code_sha256, annotator_id, expires_at) VALUES ($1, $2, $3)",
            &[&code_sha256, &id, &code_expires_at],
        )?;
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
        let mut tx = c.transaction()?;
        // The lock makes a code single-use even when two hubs see it at once.
        let row = tx.query_opt(
            "SELECT annotator_id, expires_at, used_at FROM enrollment_codes WHERE code_sha256 = $1 FOR UPDATE",
            &[&code_sha256],
        )?;
        let row = row.ok_or_else(|| {
            HubError::unauthorized(
                "bad_code",
                "this enrollment code is not valid; ask your manager for a new one",
            )
        })?;
        let (annotator, expires, used): (String, i64, Option<i64>) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
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
        let key: &[u8] = signing_key;
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM devices WHERE signing_key = $1)",
                &[&key],
            )?
            .try_get(0)?;
        let already = || HubError::conflict("already_enrolled", "this device is already enrolled");
        if exists {
            return Err(already());
        }
        let id = super::random_id("d_")?;
        tx.execute(
            "UPDATE enrollment_codes SET used_at = $2 WHERE code_sha256 = $1",
            &[&code_sha256, &now],
        )?;
        match tx.execute(
            "INSERT INTO devices (device_id, annotator_id, signing_key, recipient, enrolled_at) VALUES ($1, $2, $3, $4, $5)",
            &[&id, &annotator, &key, &recipient, &now],
        ) {
            // The same key enrolled through another hub with another code meanwhile.
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                return Err(already())
            }
            r => r?,
        };
        tx.commit()?;
        Ok(id)
    }

    fn device(&self, device_id: &str) -> Result<Option<DeviceRecord>, HubError> {
        let mut c = self.conn()?;
        let row = c.query_opt(
            "SELECT device_id, annotator_id, signing_key, recipient, revoked_at FROM devices WHERE device_id = $1",
            &[&device_id],
        )?;
        let Some(r) = row else {
            return Ok(None);
        };
        let key: Vec<u8> = r.try_get(2)?;
        Ok(Some(DeviceRecord {
            device_id: r.try_get(0)?,
            annotator_id: r.try_get(1)?,
            signing_key: key
                .try_into()
                .map_err(|_| HubError::Internal("stored device key damaged".into()))?,
            recipient: r.try_get(3)?,
            revoked: r.try_get::<_, Option<i64>>(4)?.is_some(),
        }))
    }

    fn revoke(&self, device_id: &str, now: i64) -> Result<Option<u64>, HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        lock_pool(&mut tx)?;
        if tx.execute(
            "UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE device_id = $1",
            &[&device_id, &now],
        )? == 0
        {
            return Ok(None);
        }
        // Pool copies are counted; gold copies are closed too but go back to no pool.
        let returned = tx.execute(
            &format!("UPDATE copies AS c SET state = 'returned', returned_at = $2 WHERE c.device_id = $1 AND c.state = 'open' AND NOT c.gold AND NOT ({LABELLED})"),
            &[&device_id, &now],
        )?;
        tx.execute(
            &format!("UPDATE copies AS c SET state = 'returned', returned_at = $2 WHERE c.device_id = $1 AND c.state = 'open' AND c.gold AND NOT ({LABELLED})"),
            &[&device_id, &now],
        )?;
        tx.commit()?;
        Ok(Some(returned))
    }

    fn use_nonce(&self, device_id: &str, nonce: &str, now: i64) -> Result<bool, HubError> {
        let mut c = self.conn()?;
        // Nonces older than twice the clock window can no longer pass the time check.
        c.execute(
            "DELETE FROM nonces WHERE seen_at < $1",
            &[&(now - 2 * labelvault_core::protocol::MAX_CLOCK_SKEW_SECS)],
        )?;
        // A concurrent insert of the same nonce by another hub waits for this one and
        // then inserts nothing: exactly one of them wins.
        Ok(c.execute(
            "INSERT INTO nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&device_id, &nonce, &now],
        )? == 1)
    }

    fn note_device_head(&self, device_id: &str, seq: u64, head: &str) -> Result<(), HubError> {
        self.conn()?.execute(
            "UPDATE devices SET ledger_seq = $2, ledger_head = $3
             WHERE device_id = $1 AND (ledger_seq IS NULL OR ledger_seq < $2)",
            &[&device_id, &(seq as i64), &head],
        )?;
        Ok(())
    }

    fn device_heads(&self) -> Result<Vec<labelvault_core::protocol::DeviceHead>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            "SELECT device_id, ledger_seq, ledger_head FROM devices
             WHERE ledger_seq IS NOT NULL ORDER BY device_id COLLATE \"C\"",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(labelvault_core::protocol::DeviceHead {
                    device_id: r.try_get(0)?,
                    seq: r.try_get::<_, i64>(1)? as u64,
                    head: r.try_get(2)?,
                })
            })
            .collect()
    }

    fn store_batch(&self, b: &NewBatch) -> Result<(), HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        tx.execute(
            "INSERT INTO batches (batch_id, device_id, created_at, expires_at, item_count, bytes) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&b.batch_id, &b.device_id, &b.created_at, &b.expires_at, &(b.item_ids.len() as i64), &b.bytes],
        )?;
        let st = tx.prepare(
            "INSERT INTO assignments (item_id, batch_id, device_id, item_chars) VALUES ($1, $2, $3, $4)",
        )?;
        for (n, i) in b.item_ids.iter().enumerate() {
            tx.execute(&st, &[i, &b.batch_id, &b.device_id, &b.chars_of(n)])?;
        }
        let st = tx.prepare(
            "INSERT INTO batch_intents (batch_id, intent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )?;
        for i in &b.intents {
            tx.execute(&st, &[&b.batch_id, i])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn list_batches(&self, device_id: &str) -> Result<Vec<BatchListing>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!("SELECT batch_id, item_count, created_at, expires_at FROM batches WHERE device_id = $1 AND erased_at IS NULL AND withdrawn_at IS NULL ORDER BY created_at, batch_id {C}"),
            &[&device_id],
        )?;
        rows.iter()
            .map(|r| {
                Ok(BatchListing {
                    batch_id: r.try_get(0)?,
                    item_count: count(r, 1)?,
                    created_at: r.try_get(2)?,
                    expires_at: r.try_get(3)?,
                })
            })
            .collect()
    }

    fn batch_bytes(&self, batch_id: &str, device_id: &str) -> Result<Vec<u8>, HubError> {
        let mut c = self.conn()?;
        // Marked fetched first, then read: a withdrawal (which needs it unfetched) either
        // came before, and the read below finds it gone, or is refused.
        c.execute(
            "UPDATE batches SET fetched_at = coalesce(fetched_at, $3)
             WHERE batch_id = $1 AND device_id = $2 AND erased_at IS NULL AND withdrawn_at IS NULL",
            &[&batch_id, &device_id, &crate::auth::now()],
        )?;
        let row = c.query_opt(
            "SELECT device_id, bytes, erased_at IS NOT NULL, withdrawn_at IS NOT NULL FROM batches WHERE batch_id = $1",
            &[&batch_id],
        )?;
        match row {
            Some(r) if r.try_get::<_, &str>(0)? == device_id => {
                if r.try_get::<_, bool>(2)? {
                    return Err(super::batch_erased());
                }
                if r.try_get::<_, bool>(3)? {
                    return Err(super::batch_withdrawn());
                }
                Ok(r.try_get(1)?)
            }
            // Same answer whether the batch exists for another device or not at all.
            _ => Err(HubError::not_found(
                "not_assigned",
                "no such batch is assigned to this device",
            )),
        }
    }

    fn withdraw_batch(&self, batch_id: &str, now: i64) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        lock_pool(&mut tx)?;
        let state = tx
            .query_opt(
                "SELECT fetched_at, erased_at, withdrawn_at FROM batches WHERE batch_id = $1 FOR UPDATE",
                &[&batch_id],
            )?
            .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .transpose()?;
        super::withdraw_problem(state)?;
        if tx.execute(
            "UPDATE batches SET bytes = ''::BYTEA, withdrawn_at = $2
             WHERE batch_id = $1 AND fetched_at IS NULL AND erased_at IS NULL AND withdrawn_at IS NULL",
            &[&batch_id, &now],
        )? != 1
        {
            return Err(super::already_fetched());
        }
        let returned = tx.execute(
            "UPDATE copies SET state = 'returned', returned_at = $2
             WHERE batch_id = $1 AND state = 'open' AND NOT gold",
            &[&batch_id, &now],
        )?;
        tx.execute(
            "UPDATE copies SET state = 'returned', returned_at = $2
             WHERE batch_id = $1 AND state = 'open' AND gold",
            &[&batch_id, &now],
        )?;
        tx.commit()?;
        Ok(returned)
    }

    fn ingest(
        &self,
        u: &Upload<'_>,
        sign: &(dyn Fn(Receipt) -> SignedReceipt + Sync),
    ) -> Result<SignedReceipt, HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        // First this device's upload lock: only uploads of the same device, on every
        // hub, queue here, so the upload id check below sees any upload of the device
        // committed before. The ledger entry is chained afterwards (`chain_pending`).
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))",
            &[&DEVICE_UPLOAD_LOCK, &u.device_id],
        )?;
        let prior = tx.query_opt(
            "SELECT body_sha256, receipt FROM uploads WHERE device_id = $1 AND upload_id = $2",
            &[&u.device_id, &u.upload_id],
        )?;
        if let Some(r) = prior {
            if r.try_get::<_, &str>(0)? != u.body_sha256 {
                return Err(HubError::conflict(
                    "upload_id_reused",
                    "this upload id was already used for a different body",
                ));
            }
            return serde_json::from_str(r.try_get(1)?)
                .map_err(|_| HubError::Internal("stored receipt damaged".into()));
        }
        let (mut accepted, mut duplicates) = (0u32, 0u32);
        let mut rejected = Vec::new();
        let ins = tx.prepare(
            "INSERT INTO labels (device_id, item_id, revision, retracted, verdict, intent_id, flags, pii_spans,
                                 duration_ms, decided_at_ms, received_at_ms, upload_id, also_intents)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
        )?;
        for l in u.labels {
            if let Some(code) = check_label(&mut tx, u.device_id, l)? {
                rejected.push(RejectedLabel {
                    item_id: l.item_id.clone(),
                    revision: l.revision,
                    code: code.into(),
                });
                continue;
            }
            let n = tx.execute(
                &ins,
                &[
                    &u.device_id,
                    &l.item_id,
                    &i64::from(l.revision),
                    &l.retracted,
                    &l.verdict.map(|v| v.as_str()),
                    &l.intent_id,
                    &serde_json::to_string(&l.flags).unwrap_or_default(),
                    &serde_json::to_string(&l.pii_spans).unwrap_or_default(),
                    &(l.duration_ms as i64),
                    &l.decided_at_ms,
                    &u.now_ms,
                    &u.upload_id,
                    &serde_json::to_string(&l.also_intents).unwrap_or_default(),
                ],
            )?;
            if n == 1 {
                accepted += 1;
            } else {
                duplicates += 1;
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
            "INSERT INTO uploads (device_id, upload_id, body_sha256, receipt) VALUES ($1, $2, $3, $4)",
            &[&u.device_id, &u.upload_id, &u.body_sha256, &receipt_json],
        )?;
        // Inbound ledger: the entry waits, committed with the upload, to be chained.
        tx.execute(
            "INSERT INTO ledger_pending (device_id, received_at_ms, body, body_sha256, receipt) VALUES ($1, $2, $3, $4, $5)",
            &[&u.device_id, &u.now_ms, &u.body, &u.body_sha256, &receipt_json],
        )?;
        tx.commit()?;
        // Chain it off the request path: this hub's chaining thread (or, failing that,
        // this request) runs unless another run or hub holds the chain head, which then
        // takes this entry along, or the next run does. The upload is stored either
        // way, so a failure here only delays the entry.
        if !self.chainer.as_ref().is_some_and(Chainer::wake) {
            if let Err(e) = chain_pending(&mut c, false) {
                tracing::warn!(error = %e, "chaining the inbound ledger failed; retrying later");
            }
        }
        Ok(signed)
    }

    fn labels_jsonl(&self) -> Result<String, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!(
                "SELECT device_id, item_id, revision, retracted, verdict, intent_id, flags, pii_spans, duration_ms, decided_at_ms, received_at_ms,
                        also_intents
                 FROM labels ORDER BY received_at_ms, device_id {C}, item_id {C}, revision"
            ),
            &[],
        )?;
        let mut out = String::new();
        for r in &rows {
            // A damaged row fails the export loudly rather than exporting a wrong label
            // (as on SQLite).
            let damaged = || {
                HubError::Internal(format!(
                    "stored label damaged (device {}, item {})",
                    r.try_get::<_, String>(0).unwrap_or_default(),
                    r.try_get::<_, String>(1).unwrap_or_default()
                ))
            };
            let json = |i: usize| -> Result<serde_json::Value, HubError> {
                serde_json::from_str(r.try_get::<_, &str>(i)?).map_err(|_| damaged())
            };
            let v = serde_json::json!({
                "device_id": r.try_get::<_, String>(0)?, "item_id": r.try_get::<_, String>(1)?, "revision": r.try_get::<_, i64>(2)?,
                "retracted": r.try_get::<_, bool>(3)?, "verdict": r.try_get::<_, Option<String>>(4)?, "intent_id": r.try_get::<_, Option<String>>(5)?,
                "flags": json(6)?,
                "pii_spans": json(7)?, "also_intents": json(11)?,
                "duration_ms": r.try_get::<_, i64>(8)?, "decided_at_ms": r.try_get::<_, i64>(9)?, "received_at_ms": r.try_get::<_, i64>(10)?,
            });
            out.push_str(&v.to_string());
            out.push('\n');
        }
        Ok(out)
    }

    fn chain_ledger(&self) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        chain_pending(&mut c, false)
    }

    fn ledger_jsonl(&self) -> Result<String, HubError> {
        let mut c = self.conn()?;
        // Every upload answered before this read is in the chain it returns.
        chain_pending(&mut c, true)?;
        let rows = c.query(
            "SELECT seq, prev_hash, entry_hash, device_id, received_at_ms, body, body_sha256, receipt FROM ledger ORDER BY seq",
            &[],
        )?;
        let mut out = String::new();
        for r in &rows {
            out.push_str(&super::ledger_line(
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get(5)?,
                r.try_get(6)?,
                r.try_get(7)?,
            )?);
            out.push('\n');
        }
        Ok(out)
    }

    fn insert_messages(&self, messages: &[Message], now: i64) -> Result<IngestReport, HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        let mut report = IngestReport::default();
        let ins = tx.prepare(&format!(
            "INSERT INTO messages ({MESSAGE_COLUMNS}, ingested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING"
        ))?;
        let company = tx.prepare(
            "INSERT INTO companies (company, newly_onboarded, updated_at) VALUES ($1, FALSE, $2) ON CONFLICT DO NOTHING",
        )?;
        // FOR UPDATE: two ingests re-scoring one message at once take turns, so each
        // revision number is given once. The latest revision is read by a separate
        // statement once the lock is held: under READ COMMITTED a subquery of the locking
        // statement would still see the snapshot from before the other ingest committed.
        let held = tx.prepare(
            "SELECT text, model_version, model_intent, confidence, probabilities, erased_at IS NOT NULL, text_retired_at IS NOT NULL
             FROM messages m WHERE message_id = $1 FOR UPDATE",
        )?;
        let latest = tx.prepare(
            "SELECT coalesce(max(revision), 0)::BIGINT FROM prediction_revisions WHERE message_id = $1",
        )?;
        let revision = tx.prepare(
            "INSERT INTO prediction_revisions (message_id, revision, model_version, model_intent, confidence, probabilities, ingested_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )?;
        let current = tx.prepare(
            "UPDATE messages SET model_version = $2, model_intent = $3, confidence = $4, probabilities = $5,
                    language = coalesce($6, language)
             WHERE message_id = $1",
        )?;
        // Rows are taken in message id order, so two ingests naming the same messages in
        // different orders lock them in the same order and cannot deadlock.
        let mut order: Vec<usize> = (0..messages.len()).collect();
        order.sort_by(|&a, &b| messages[a].message_id.cmp(&messages[b].message_id));
        for index in order {
            let m = &messages[index];
            let sealed = self.texts.seal(MESSAGE_TEXT, &m.text)?;
            let probabilities = probabilities_json(&m.probabilities);
            let n = tx.execute(
                &ins,
                &[
                    &m.message_id,
                    &sealed,
                    &m.company,
                    &m.channel,
                    &m.received_at,
                    &m.model_intent,
                    &m.confidence,
                    &probabilities,
                    &m.reported_false_positive,
                    &!m.training_consent,
                    &m.model_version,
                    &m.language,
                    &now,
                ],
            )?;
            if n == 1 {
                report.inserted += 1;
                tx.execute(&company, &[&m.company, &now])?;
                tx.execute(
                    &revision,
                    &[
                        &m.message_id,
                        &1i64,
                        &m.model_version,
                        &m.model_intent,
                        &m.confidence,
                        &probabilities,
                        &now,
                    ],
                )?;
                continue;
            }
            let r = tx.query_one(&held, &[&m.message_id])?;
            let revisions: i64 = tx.query_one(&latest, &[&m.message_id])?.try_get(0)?;
            let h = super::HeldPrediction {
                text: self.texts.open(MESSAGE_TEXT, r.try_get(0)?)?,
                model_version: r.try_get(1)?,
                model_intent: r.try_get(2)?,
                confidence: r.try_get(3)?,
                probabilities: r.try_get(4)?,
                erased: r.try_get(5)?,
                retired: r.try_get(6)?,
                revisions,
                message_id: m.message_id.clone(),
            };
            match h.compare(m) {
                super::Known::Same => report.duplicates += 1,
                super::Known::Refused(reason) => report.refused.push(super::RefusedMessage {
                    index,
                    message_id: m.message_id.clone(),
                    reason,
                }),
                super::Known::Rescored => {
                    tx.execute(
                        &revision,
                        &[
                            &m.message_id,
                            &(h.revisions + 1),
                            &m.model_version,
                            &m.model_intent,
                            &m.confidence,
                            &probabilities,
                            &now,
                        ],
                    )?;
                    tx.execute(
                        &current,
                        &[
                            &m.message_id,
                            &m.model_version,
                            &m.model_intent,
                            &m.confidence,
                            &probabilities,
                            &m.language,
                        ],
                    )?;
                    report.rescored += 1;
                }
            }
        }
        report.refused.sort_by_key(|r| r.index);
        tx.commit()?;
        Ok(report)
    }

    fn prediction_revisions(&self) -> Result<Vec<super::PredictionRevision>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!(
                "SELECT p.message_id, p.revision, p.model_version, p.model_intent, p.confidence, m.language
                 FROM prediction_revisions p JOIN messages m ON m.message_id = p.message_id
                 WHERE EXISTS (SELECT 1 FROM copies c WHERE c.message_id = p.message_id)
                 ORDER BY p.message_id {C}, p.revision"
            ),
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(super::PredictionRevision {
                    message_id: r.try_get(0)?,
                    revision: r.try_get(1)?,
                    model_version: r.try_get(2)?,
                    model_intent: r.try_get(3)?,
                    confidence: r.try_get(4)?,
                    language: r.try_get(5)?,
                })
            })
            .collect()
    }

    fn labelled_predictions(&self) -> Result<Vec<super::LabelledPrediction>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            "SELECT p.message_id, p.model_version, p.model_intent, p.confidence, p.probabilities
             FROM prediction_revisions p
             WHERE p.revision = (SELECT min(c.prediction_revision) FROM copies c
                                 WHERE c.message_id = p.message_id
                                   AND EXISTS (SELECT 1 FROM labels l WHERE l.device_id = c.device_id AND l.item_id = c.item_id))",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(super::LabelledPrediction {
                    message_id: r.try_get(0)?,
                    model_version: r.try_get(1)?,
                    model_intent: r.try_get(2)?,
                    confidence: r.try_get(3)?,
                    probabilities: parse_probabilities(&r.try_get::<_, String>(4)?),
                })
            })
            .collect()
    }

    fn set_company(&self, company: &str, newly_onboarded: bool, now: i64) -> Result<(), HubError> {
        let mut c = self.conn()?;
        c.execute(
            "INSERT INTO companies (company, newly_onboarded, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (company) DO UPDATE SET newly_onboarded = excluded.newly_onboarded, updated_at = excluded.updated_at",
            &[&company, &newly_onboarded, &now],
        )?;
        Ok(())
    }

    fn set_company_consent(&self, company: &str, consent: bool, now: i64) -> Result<(), HubError> {
        self.conn()?.execute(
            "INSERT INTO companies (company, newly_onboarded, updated_at, no_consent) VALUES ($1, FALSE, $2, $3)
             ON CONFLICT (company) DO UPDATE SET no_consent = excluded.no_consent, updated_at = excluded.updated_at",
            &[&company, &now, &!consent],
        )?;
        Ok(())
    }

    fn raw_texts_before(
        &self,
        cutoff: i64,
        limit: usize,
    ) -> Result<Vec<(String, String, String)>, HubError> {
        let mut c = self.conn()?;
        let mut out = Vec::new();
        for r in c.query(
            &format!(
                "SELECT message_id, text, company FROM messages
                 WHERE ingested_at < $1 AND text_retired_at IS NULL AND erased_at IS NULL
                 ORDER BY ingested_at, message_id {C} LIMIT $2"
            ),
            &[&cutoff, &(limit as i64)],
        )? {
            let text = self.texts.open(MESSAGE_TEXT, r.try_get(1)?)?;
            out.push((r.try_get(0)?, text, r.try_get(2)?));
        }
        Ok(out)
    }

    fn retire_text(&self, message_id: &str, redacted: &str, now: i64) -> Result<bool, HubError> {
        let sealed = self.texts.seal(MESSAGE_TEXT, redacted)?;
        Ok(self.conn()?.execute(
            "UPDATE messages SET text = $2, text_retired_at = $3
             WHERE message_id = $1 AND text_retired_at IS NULL AND erased_at IS NULL",
            &[&message_id, &sealed, &now],
        )? == 1)
    }

    fn companies_without_consent(&self) -> Result<Vec<String>, HubError> {
        let mut c = self.conn()?;
        c.query(
            &format!("SELECT company FROM companies WHERE no_consent ORDER BY company {C}"),
            &[],
        )?
        .iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect()
    }

    fn new_companies(&self) -> Result<Vec<String>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!("SELECT company FROM companies WHERE newly_onboarded ORDER BY company {C}"),
            &[],
        )?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn set_gold(&self, answers: &[(String, String)]) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        let st = tx.prepare("UPDATE messages SET gold_intent = $2 WHERE message_id = $1")?;
        for (i, (id, intent)) in answers.iter().enumerate() {
            if tx.execute(&st, &[id, intent])? == 0 {
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
        tx.commit()?;
        Ok(answers.len() as u64)
    }

    fn gold_messages(&self) -> Result<Vec<(Message, String)>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!("SELECT {MESSAGE_COLUMNS}, gold_intent FROM messages m WHERE gold_intent IS NOT NULL AND erased_at IS NULL AND {CONSENTED} ORDER BY message_id {C}"),
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((message_row(r, &self.texts)?, r.try_get::<_, String>(12)?)))
            .collect()
    }

    fn candidates(
        &self,
        from: i64,
        to: i64,
        overlap: usize,
        now: i64,
        with_probabilities: bool,
    ) -> Result<Candidates, HubError> {
        let mut c = self.conn()?;
        // One snapshot for both reads, so holders and messages agree.
        let mut tx = c
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        // Active copies first (few rows), then one pass over the window's messages.
        let mut holders: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for r in tx.query(
            &format!(
                "SELECT c.message_id, c.device_id FROM copies c JOIN messages m ON m.message_id = c.message_id
                 WHERE c.state = 'open' AND NOT c.gold AND (c.lease_expires_at > $3 OR {LABELLED})
                   AND m.received_at >= $1 AND m.received_at < $2
                 ORDER BY c.ord"
            ),
            &[&from, &to, &now],
        )? {
            holders.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        let rows = tx.query(
            &format!(
                "SELECT m.message_id, '', m.company, m.channel, m.received_at, m.model_intent, m.confidence,
                        CASE WHEN $3 THEN m.probabilities ELSE '[]' END, m.reported_false_positive, m.no_consent,
                        m.model_version, m.language
                 FROM messages m
                 WHERE m.received_at >= $1 AND m.received_at < $2 AND m.gold_intent IS NULL
                   AND m.erased_at IS NULL AND {CONSENTED}
                 ORDER BY m.received_at, m.message_id {C}"
            ),
            &[&from, &to, &with_probabilities],
        )?;
        tx.commit()?;
        let mut out = Candidates::default();
        for r in &rows {
            let id: String = r.try_get(0)?;
            let h = holders.remove(&id).unwrap_or_default();
            if h.len() < overlap {
                out.messages.push(message_row(r, &self.texts)?);
                out.holders.push(h);
            }
        }
        Ok(out)
    }

    fn label_error_reviews(&self, from: i64, to: i64, now: i64) -> Result<Vec<String>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!(
                "SELECT DISTINCT c.message_id {C} FROM copies c JOIN messages m ON m.message_id = c.message_id
                 WHERE c.state = 'open' AND NOT c.gold AND c.reason = 'suspected_label_error'
                   AND (c.lease_expires_at > $3 OR {LABELLED})
                   AND m.received_at >= $1 AND m.received_at < $2
                 ORDER BY 1"
            ),
            &[&from, &to, &now],
        )?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn messages_by_id(&self, ids: &[String]) -> Result<Vec<Message>, HubError> {
        let mut c = self.conn()?;
        // A statement per chunk of ids, not per id: a dispatch reads tens of thousands.
        let st = c.prepare(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE message_id = ANY($1)"
        ))?;
        let mut found: std::collections::HashMap<String, Message> =
            std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(DISPATCH_ROWS_PER_STATEMENT) {
            for row in c.query(&st, &[&chunk])? {
                let m = message_row(&row, &self.texts)?;
                found.insert(m.message_id.clone(), m);
            }
        }
        ids.iter()
            .map(|id| {
                found.get(id).cloned().ok_or_else(|| {
                    HubError::not_found("unknown_message", "a selected message is no longer stored")
                })
            })
            .collect()
    }

    fn known_intents(&self) -> Result<Vec<String>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!(
                // Skips through messages_intent, one seek per distinct intent, instead
                // of reading every message: a dispatch asks for these on a million.
                "WITH RECURSIVE n(v) AS (
                     SELECT min(model_intent) FROM messages
                     UNION ALL
                     SELECT (SELECT min(model_intent) FROM messages WHERE model_intent > n.v) FROM n WHERE n.v IS NOT NULL
                 )
                 SELECT i FROM (SELECT v AS i FROM n WHERE v IS NOT NULL
                                UNION SELECT gold_intent FROM messages WHERE gold_intent IS NOT NULL) u
                 ORDER BY i {C}"
            ),
            &[],
        )?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn active_devices(&self) -> Result<Vec<DeviceRecord>, HubError> {
        let ids: Vec<String> = {
            let mut c = self.conn()?;
            let rows = c.query(
                &format!("SELECT device_id FROM devices WHERE revoked_at IS NULL ORDER BY enrolled_at, device_id {C}"),
                &[],
            )?;
            rows.iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?
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
        let mut tx = c.transaction()?;
        // Dispatches on any hub queue here, so the overlap check below counts the
        // copies every earlier dispatch committed.
        lock_pool(&mut tx)?;
        reclaim_in(&mut tx, now)?;
        // Each step is one statement over arrays (a few per dispatch, not a few per
        // copy): a round trip to the server costs more than the row it carries.
        let devices: Vec<&str> = batches
            .iter()
            .map(|d| d.batch.device_id.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let active = count(
            &tx.query_one(
                "SELECT count(*) FROM devices WHERE device_id = ANY($1) AND revoked_at IS NULL",
                &[&devices],
            )?,
            0,
        )?;
        if active as usize != devices.len() {
            return Err(HubError::conflict(
                "revoked",
                "a device was revoked (or removed) during the dispatch; nothing was dispatched, run it again",
            ));
        }
        tx.execute(
            "INSERT INTO batches (batch_id, device_id, created_at, expires_at, item_count, bytes)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bytea[])",
            &[
                &batches.iter().map(|d| d.batch.batch_id.as_str()).collect::<Vec<_>>(),
                &batches.iter().map(|d| d.batch.device_id.as_str()).collect::<Vec<_>>(),
                &batches.iter().map(|d| d.batch.created_at).collect::<Vec<_>>(),
                &batches.iter().map(|d| d.batch.expires_at).collect::<Vec<_>>(),
                &batches
                    .iter()
                    .map(|d| d.batch.item_ids.len() as i64)
                    .collect::<Vec<_>>(),
                &batches
                    .iter()
                    .map(|d| d.batch.bytes.as_slice())
                    .collect::<Vec<_>>(),
            ],
        )?;
        let mut intent_rows: (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        for d in batches {
            for i in &d.batch.intents {
                intent_rows.0.push(&d.batch.batch_id);
                intent_rows.1.push(i);
            }
        }
        tx.execute(
            "INSERT INTO batch_intents (batch_id, intent_id)
             SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
            &[&intent_rows.0, &intent_rows.1],
        )?;
        // The copies in dispatch order (`ord` keeps it), a bounded number per statement.
        let rows: Vec<(&DispatchBatch, usize, &super::NewCopy)> = batches
            .iter()
            .flat_map(|d| {
                d.copies
                    .iter()
                    .enumerate()
                    .map(move |(n, copy)| (d, n, copy))
            })
            .collect();
        for chunk in rows.chunks(DISPATCH_ROWS_PER_STATEMENT) {
            let item_ids: Vec<&str> = chunk.iter().map(|r| r.2.item_id.as_str()).collect();
            let batch_ids: Vec<&str> = chunk.iter().map(|r| r.0.batch.batch_id.as_str()).collect();
            let device_ids: Vec<&str> =
                chunk.iter().map(|r| r.0.batch.device_id.as_str()).collect();
            tx.execute(
                "INSERT INTO assignments (item_id, batch_id, device_id, item_chars)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])",
                &[
                    &item_ids,
                    &batch_ids,
                    &device_ids,
                    &chunk
                        .iter()
                        .map(|r| r.0.batch.chars_of(r.1))
                        .collect::<Vec<_>>(),
                ],
            )?;
            let redacted = chunk
                .iter()
                .map(|r| {
                    r.0.batch
                        .text_of(r.1)
                        .map(|t| self.texts.seal(COPY_TEXT, t))
                        .transpose()
                })
                .collect::<Result<Vec<Option<String>>, HubError>>()?;
            tx.execute(
                "INSERT INTO copies (item_id, message_id, device_id, batch_id, gold, state, lease_expires_at, created_at, reason, redacted, prediction_revision)
                 SELECT u.item_id, u.message_id, u.device_id, u.batch_id, u.gold, 'open', u.lease_expires_at, u.created_at, u.reason, u.redacted,
                        (SELECT max(p.revision) FROM prediction_revisions p WHERE p.message_id = u.message_id)
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::bigint[], $7::bigint[], $8::text[], $9::text[])
                      WITH ORDINALITY AS u(item_id, message_id, device_id, batch_id, gold, lease_expires_at, created_at, reason, redacted, n)
                 ORDER BY u.n",
                &[
                    &item_ids,
                    &chunk
                        .iter()
                        .map(|r| r.2.message_id.as_str())
                        .collect::<Vec<_>>(),
                    &device_ids,
                    &batch_ids,
                    &chunk.iter().map(|r| r.2.gold).collect::<Vec<_>>(),
                    &chunk
                        .iter()
                        .map(|r| r.0.lease_expires_at)
                        .collect::<Vec<_>>(),
                    &chunk
                        .iter()
                        .map(|r| r.0.batch.created_at)
                        .collect::<Vec<_>>(),
                    &chunk
                        .iter()
                        .map(|r| reason_str(r.2.reason))
                        .collect::<Vec<_>>(),
                    &redacted,
                ],
            )?;
            // Read after the copies are inserted (a statement never sees an older
            // snapshot than the one before it): the current prediction is the latest
            // revision's, and must be the one each item shows.
            let shown: Vec<(&str, &super::ShownPrediction)> = chunk
                .iter()
                .filter_map(|r| {
                    r.2.prediction
                        .as_ref()
                        .map(|p| (r.2.message_id.as_str(), p))
                })
                .collect();
            let changed = count(
                &tx.query_one(
                    "SELECT count(*) FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) AS u(message_id, model_version, model_intent, confidence)
                     LEFT JOIN messages m ON m.message_id = u.message_id
                     WHERE m.message_id IS NULL OR m.model_version <> u.model_version
                        OR m.model_intent <> u.model_intent OR abs(m.confidence - u.confidence) > 1e-12",
                    &[
                        &shown.iter().map(|s| s.0).collect::<Vec<_>>(),
                        &shown
                            .iter()
                            .map(|s| s.1.model_version.as_str())
                            .collect::<Vec<_>>(),
                        &shown
                            .iter()
                            .map(|s| s.1.model_intent.as_str())
                            .collect::<Vec<_>>(),
                        &shown.iter().map(|s| s.1.confidence).collect::<Vec<_>>(),
                    ],
                )?,
                0,
            )?;
            if changed > 0 {
                return Err(HubError::conflict(
                    "pool_changed",
                    "a message was re-scored during the dispatch; nothing was dispatched, run it again",
                ));
            }
        }
        let touched: Vec<&str> = rows
            .iter()
            .filter(|r| !r.2.gold)
            .map(|r| r.2.message_id.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for chunk in touched.chunks(DISPATCH_ROWS_PER_STATEMENT) {
            let counts = tx.query(
                "SELECT count(*), count(DISTINCT device_id), count(CASE WHEN reason = 'suspected_label_error' THEN 1 END)
                 FROM copies WHERE message_id = ANY($1) AND state = 'open' AND NOT gold
                 GROUP BY message_id",
                &[&chunk],
            )?;
            for r in &counts {
                let (n, devices, relabel) = (count(r, 0)?, count(r, 1)?, count(r, 2)?);
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
        let mut tx = c.transaction()?;
        lock_pool(&mut tx)?;
        let n = reclaim_in(&mut tx, as_of)?;
        tx.commit()?;
        Ok(n)
    }

    fn items_jsonl(&self) -> Result<String, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!(
                "SELECT c.item_id, c.batch_id, c.device_id, c.message_id, c.gold, c.state, c.lease_expires_at, {LABELLED}
                 FROM copies c ORDER BY c.created_at, c.batch_id {C}, c.ord"
            ),
            &[],
        )?;
        let mut out = String::new();
        for r in &rows {
            let v = serde_json::json!({
                "item_id": r.try_get::<_, String>(0)?, "batch_id": r.try_get::<_, String>(1)?, "device_id": r.try_get::<_, String>(2)?,
                "message_id": r.try_get::<_, String>(3)?, "gold": r.try_get::<_, bool>(4)?, "state": r.try_get::<_, String>(5)?,
                "lease_expires_at": r.try_get::<_, i64>(6)?, "labelled": r.try_get::<_, bool>(7)?,
            });
            out.push_str(&v.to_string());
            out.push('\n');
        }
        Ok(out)
    }

    fn missed_pii_marks(&self) -> Result<Vec<super::MissedMark>, HubError> {
        let mut c = self.conn()?;
        let mut out = Vec::new();
        for r in c.query(super::MISSED_MARKS_SQL, &[])? {
            let spans: String = r.try_get(3)?;
            out.push(super::MissedMark {
                message_id: r.try_get(0)?,
                company: r.try_get(1)?,
                received_at_ms: r.try_get(2)?,
                seen: r
                    .try_get::<_, Option<String>>(4)?
                    .map(|t| self.texts.open(COPY_TEXT, t))
                    .transpose()?,
                spans: super::mark_spans(&spans)?,
            });
        }
        Ok(out)
    }

    fn annotators(&self) -> Result<Vec<super::AnnotatorRecord>, HubError> {
        let mut c = self.conn()?;
        let mut rows = Vec::new();
        for r in c.query(super::ANNOTATORS_SQL, &[])? {
            rows.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
        }
        Ok(super::fold_annotators(rows))
    }

    fn company_terms(&self) -> Result<Vec<(String, String, String)>, HubError> {
        let mut c = self.conn()?;
        let mut out = Vec::new();
        for r in c.query("SELECT company, term, kind FROM company_terms", &[])? {
            let term = self.texts.open(TERM_TEXT, r.try_get(1)?)?;
            out.push((r.try_get(0)?, term, r.try_get(2)?));
        }
        // Sorted here: sealed values do not sort by their text.
        out.sort();
        Ok(out)
    }

    fn add_company_terms(
        &self,
        company: &str,
        terms: &[(String, String)],
        now: i64,
    ) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        // Sealed terms cannot meet in the primary key: the ones already there are read
        // and compared here, under a lock no other hub's insert passes.
        tx.batch_execute("LOCK TABLE company_terms IN SHARE ROW EXCLUSIVE MODE")?;
        let mut have = std::collections::HashSet::new();
        for r in tx.query(
            "SELECT term FROM company_terms WHERE company = $1",
            &[&company],
        )? {
            have.insert(self.texts.open(TERM_TEXT, r.try_get(0)?)?);
        }
        let st = tx.prepare(
            "INSERT INTO company_terms (company, term, kind, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )?;
        let mut added = 0;
        for (term, kind) in terms {
            if !have.insert(term.clone()) {
                continue;
            }
            let sealed = self.texts.seal(TERM_TEXT, term)?;
            added += tx.execute(&st, &[&company, &sealed, kind, &now])?;
        }
        tx.commit()?;
        Ok(added)
    }

    fn pipeline_status(&self) -> Result<PipelineStatus, HubError> {
        let new_companies = self.new_companies()?;
        let companies_without_consent = self.companies_without_consent()?;
        let mut c = self.conn()?;
        let without_consent = count(
            &c.query_one(
                &format!("SELECT count(*) FROM messages m WHERE NOT ({CONSENTED})"),
                &[],
            )?,
            0,
        )?;
        let texts_retired = count(
            &c.query_one(
                "SELECT count(*) FROM messages WHERE text_retired_at IS NOT NULL",
                &[],
            )?,
            0,
        )?;
        let r = c.query_one("SELECT count(*), count(gold_intent) FROM messages", &[])?;
        let (messages, gold) = (count(&r, 0)?, count(&r, 1)?);
        let r = c.query_one(
            &format!(
                "SELECT count(*) FILTER (WHERE c.state = 'open' AND NOT ({LABELLED})),
                        count(*) FILTER (WHERE c.state = 'open' AND {LABELLED}),
                        count(*) FILTER (WHERE c.state = 'returned')
                 FROM copies c WHERE NOT c.gold"
            ),
            &[],
        )?;
        Ok(PipelineStatus {
            messages,
            gold,
            new_companies,
            open_copies: count(&r, 0)?,
            labelled_copies: count(&r, 1)?,
            returned_copies: count(&r, 2)?,
            without_consent,
            companies_without_consent,
            texts_retired,
        })
    }

    fn batch_file(&self, batch_id: &str) -> Result<Option<Vec<u8>>, HubError> {
        let mut c = self.conn()?;
        let Some(r) = c.query_opt(
            "SELECT bytes, erased_at IS NOT NULL FROM batches WHERE batch_id = $1",
            &[&batch_id],
        )?
        else {
            return Ok(None);
        };
        if r.try_get::<_, bool>(1)? {
            return Err(super::batch_erased());
        }
        if r.try_get::<_, &[u8]>(0)?.is_empty() {
            return Err(super::batch_withdrawn());
        }
        // Handed over offline: the device may hold it from now on.
        c.execute(
            "UPDATE batches SET fetched_at = coalesce(fetched_at, $2) WHERE batch_id = $1",
            &[&batch_id, &crate::auth::now()],
        )?;
        Ok(Some(r.try_get(0)?))
    }

    fn labelled_copies(&self, message_id: Option<&str>) -> Result<Vec<CopyLabel>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!(
                "SELECT c.item_id, c.message_id, c.batch_id, c.device_id, d.annotator_id, c.gold, l.verdict, l.intent_id,
                        l.decided_at_ms, m.company, coalesce(p.model_intent, m.model_intent), coalesce(p.confidence, m.confidence),
                        m.gold_intent, l.duration_ms, m.channel
                 FROM copies c
                 JOIN devices d ON d.device_id = c.device_id
                 JOIN messages m ON m.message_id = c.message_id
                 JOIN labels l ON l.device_id = c.device_id AND l.item_id = c.item_id
                 LEFT JOIN prediction_revisions p ON p.message_id = c.message_id AND p.revision = c.prediction_revision
                 WHERE NOT l.retracted AND ($1::TEXT IS NULL OR c.message_id = $1)
                   AND l.revision = (SELECT max(l2.revision) FROM labels l2 WHERE l2.device_id = c.device_id AND l2.item_id = c.item_id)
                 ORDER BY c.message_id {C}, c.item_id {C}"
            ),
            &[&message_id],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let verdict: Option<String> = r.try_get(6)?;
            let Some(verdict) = verdict
                .as_deref()
                .and_then(labelvault_core::labels::Verdict::parse)
            else {
                return Err(HubError::Internal("a stored label has no verdict".into()));
            };
            out.push(CopyLabel {
                item_id: r.try_get(0)?,
                message_id: r.try_get(1)?,
                batch_id: r.try_get(2)?,
                device_id: r.try_get(3)?,
                annotator_id: r.try_get(4)?,
                gold: r.try_get(5)?,
                verdict,
                intent_id: r.try_get(7)?,
                decided_at_ms: r.try_get(8)?,
                company: r.try_get(9)?,
                model_intent: r.try_get(10)?,
                confidence: r.try_get(11)?,
                gold_intent: r.try_get(12)?,
                duration_ms: r.try_get::<_, i64>(13)?.max(0) as u64,
                channel: r.try_get(14)?,
            });
        }
        Ok(out)
    }

    fn add_adjudication(&self, a: &NewAdjudication) -> Result<Adjudication, HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&REVIEW_LOCK])?;
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM messages WHERE message_id = $1)",
                &[&a.message_id],
            )?
            .try_get(0)?;
        if !exists {
            return Err(HubError::not_found(
                "unknown_message",
                "the hub holds no message with this id; check the id in GET /v1/admin/disagreements",
            ));
        }
        let supersedes: Option<i64> = tx
            .query_one(
                "SELECT max(seq) FROM adjudications WHERE message_id = $1",
                &[&a.message_id],
            )?
            .try_get(0)?;
        let row = tx.query_one(
            &format!(
                "INSERT INTO adjudications (message_id, intent_id, decided_by, decided_at_ms, previous_intent, supersedes, labels)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {ADJUDICATION_COLUMNS}"
            ),
            &[
                &a.message_id,
                &a.intent,
                &a.by,
                &a.decided_at_ms,
                &a.previous_intent,
                &supersedes,
                &a.labels.to_string(),
            ],
        )?;
        let out = adjudication_row(&row)?;
        tx.commit()?;
        Ok(out)
    }

    fn adjudications(&self) -> Result<Vec<Adjudication>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            &format!("SELECT {ADJUDICATION_COLUMNS} FROM adjudications ORDER BY seq"),
            &[],
        )?;
        rows.iter().map(adjudication_row).collect()
    }

    fn retrain_mark(&self, kind: MarkKind, at_ms: i64) -> Result<RetrainStatus, HubError> {
        {
            let mut c = self.conn()?;
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&REVIEW_LOCK])?;
            let current: Option<i64> = tx
                .query_opt(
                    "SELECT threshold FROM retrain_marks ORDER BY seq DESC LIMIT 1",
                    &[],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            let current = current.map_or(DEFAULT_RETRAIN_THRESHOLD, |t| t.max(1) as u64);
            let (kind, threshold) = match kind {
                MarkKind::Export => ("export", current),
                MarkKind::Training => ("training", current),
                MarkKind::Threshold(t) => ("threshold", t),
            };
            tx.execute(
                "INSERT INTO retrain_marks (kind, at_ms, threshold) VALUES ($1, $2, $3)",
                &[&kind, &at_ms, &(threshold as i64)],
            )?;
            tx.commit()?;
        }
        self.retrain_status()
    }

    fn retrain_status(&self) -> Result<RetrainStatus, HubError> {
        let mut c = self.conn()?;
        let threshold: Option<i64> = c
            .query_opt(
                "SELECT threshold FROM retrain_marks ORDER BY seq DESC LIMIT 1",
                &[],
            )?
            .map(|r| r.try_get(0))
            .transpose()?;
        let threshold = threshold.map_or(DEFAULT_RETRAIN_THRESHOLD, |t| t.max(1) as u64);
        let last_mark = match c.query_opt(
            "SELECT seq, kind, at_ms FROM retrain_marks WHERE kind <> 'threshold' ORDER BY seq DESC LIMIT 1",
            &[],
        )? {
            Some(r) => Some(RetrainMark {
                seq: r.try_get(0)?,
                kind: r.try_get(1)?,
                at_ms: r.try_get(2)?,
            }),
            None => None,
        };
        let since = last_mark.as_ref().map_or(i64::MIN, |m| m.at_ms);
        let r = c.query_one(
            "SELECT count(*), coalesce(sum(CASE WHEN received_at_ms > $1 THEN 1 ELSE 0 END), 0)::BIGINT FROM labels WHERE NOT retracted",
            &[&since],
        )?;
        let (total, new) = (count(&r, 0)?, count(&r, 1)?);
        Ok(RetrainStatus {
            new_labels: new,
            threshold,
            due: new >= threshold,
            labels_total: total,
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
        let mut tx = c.transaction()?;
        lock_pool(&mut tx)?;
        let (mut erased, mut not_found, mut already) = (Vec::new(), Vec::new(), Vec::new());
        let company = request.company.as_deref();
        let before = request.received_before;
        let filter =
            "($2::TEXT IS NULL OR company = $2) AND ($3::BIGINT IS NULL OR received_at < $3)";
        if request.message_ids.is_empty() {
            for r in tx.query(
                &format!(
                    "SELECT message_id FROM messages WHERE erased_at IS NULL AND {filter} AND $1::TEXT IS NULL
                     ORDER BY message_id {C}"
                ),
                &[&None::<String>, &company, &before],
            )? {
                erased.push(r.try_get::<_, String>(0)?);
            }
        } else {
            let st = tx.prepare(&format!(
                "SELECT erased_at IS NOT NULL FROM messages WHERE message_id = $1 AND {filter}"
            ))?;
            for id in &request.message_ids {
                match tx.query_opt(&st, &[id, &company, &before])? {
                    None => not_found.push(id.clone()),
                    Some(r) if r.try_get::<_, bool>(0)? => already.push(id.clone()),
                    Some(_) => erased.push(id.clone()),
                }
            }
            erased.sort();
            erased.dedup();
        }
        let mut hub = labelvault_core::erasure::HubErasure::default();
        let mut held = Vec::new();
        let mut batches = std::collections::BTreeSet::new();
        for id in &erased {
            hub.texts_removed += tx.execute(
                "UPDATE messages SET text = '', erased_at = $2 WHERE message_id = $1",
                &[id, &now],
            )?;
            for r in tx.query(
                "SELECT device_id, item_id, batch_id FROM copies WHERE message_id = $1",
                &[id],
            )? {
                held.push((r.try_get::<_, String>(0)?, r.try_get::<_, String>(1)?));
                batches.insert(r.try_get::<_, String>(2)?);
            }
            hub.copies_cleared += tx.execute(
                "UPDATE copies SET redacted = NULL WHERE message_id = $1 AND redacted IS NOT NULL",
                &[id],
            )?;
            tx.execute(
                &format!(
                    "UPDATE copies AS c SET state = 'returned', returned_at = $2
                     WHERE c.message_id = $1 AND c.state = 'open' AND NOT ({LABELLED})"
                ),
                &[id, &now],
            )?;
        }
        for b in &batches {
            let Some(r) = tx.query_opt(
                "SELECT fetched_at FROM batches WHERE batch_id = $1 AND erased_at IS NULL",
                &[b],
            )?
            else {
                continue;
            };
            if r.try_get::<_, Option<i64>>(0)?.is_none() {
                hub.copies_returned_to_pool += tx.execute(
                    &format!(
                        "UPDATE copies AS c SET state = 'returned', returned_at = $2
                         WHERE c.batch_id = $1 AND c.state = 'open' AND NOT ({LABELLED})"
                    ),
                    &[b, &now],
                )?;
            }
            hub.sealed_batches_deleted += tx.execute(
                "UPDATE batches SET bytes = ''::BYTEA, erased_at = $2 WHERE batch_id = $1",
                &[b, &now],
            )?;
        }
        if let (Some(company), true, None) = (company, request.message_ids.is_empty(), before) {
            hub.company_terms_deleted +=
                tx.execute("DELETE FROM company_terms WHERE company = $1", &[&company])?;
        }
        let notices = super::erase_notices(held)?;
        for n in &notices {
            tx.execute(
                "INSERT INTO notices (notice_id, device_id, erasure_id, kind, items, item_count, created_at)
                 VALUES ($1, $2, $3, 'erase', $4, $5, $6)",
                &[
                    &n.notice_id,
                    &n.device_id,
                    &erasure_id,
                    &super::to_json(&n.items),
                    &(n.items.len() as i64),
                    &now,
                ],
            )?;
        }
        tx.execute(
            "INSERT INTO erasures (erasure_id, requested_at, requested_by, request, erased, not_found, already_erased, hub)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &erasure_id,
                &now,
                &requested_by,
                &super::to_json(request),
                &super::to_json(&erased),
                &super::to_json(&not_found),
                &super::to_json(&already),
                &super::to_json(&hub),
            ],
        )?;
        tx.commit()?;
        drop(c);
        self.erasure(erasure_id)?
            .ok_or_else(|| HubError::Internal("an erasure just stored is missing".into()))
    }

    fn erasure(&self, erasure_id: &str) -> Result<Option<Erasure>, HubError> {
        let mut c = self.conn()?;
        let Some(r) = c.query_opt(
            "SELECT erasure_id, requested_at, requested_by, request, erased, not_found, already_erased, hub
             FROM erasures WHERE erasure_id = $1",
            &[&erasure_id],
        )?
        else {
            return Ok(None);
        };
        let row = (
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
            r.try_get(6)?,
            r.try_get(7)?,
        );
        let mut notices = Vec::new();
        for r in c.query(
            &format!(
                "SELECT n.device_id, n.notice_id, n.item_count, n.acked_at, n.ack_seq, n.ack_head,
                        d.revoked_at IS NOT NULL
                 FROM notices n JOIN devices d ON d.device_id = n.device_id
                 WHERE n.erasure_id = $1 ORDER BY n.device_id {C}"
            ),
            &[&erasure_id],
        )? {
            notices.push((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get(5)?,
                r.try_get(6)?,
            ));
        }
        Ok(Some(super::fold_erasure(row, notices)?))
    }

    fn add_notices(&self, notices: &[Notice], now: i64) -> Result<(), HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        for n in notices {
            tx.execute(
                "INSERT INTO notices (notice_id, device_id, erasure_id, kind, items, item_count, created_at)
                 VALUES ($1, $2, NULL, $3, $4, $5, $6)",
                &[
                    &n.notice_id,
                    &n.device_id,
                    &super::notice_kind_str(n.kind),
                    &super::to_json(&n.items),
                    &(n.items.len() as i64),
                    &now,
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn pending_notices(&self, device_id: &str) -> Result<Vec<Notice>, HubError> {
        let mut c = self.conn()?;
        let mut out = Vec::new();
        for r in c.query(
            &format!(
                "SELECT notice_id, kind, items FROM notices WHERE device_id = $1 AND acked_at IS NULL
                 ORDER BY created_at, notice_id {C} LIMIT $2"
            ),
            &[
                &device_id,
                &(labelvault_core::protocol::MAX_NOTICES_PER_ACK as i64),
            ],
        )? {
            out.push(super::notice_from_row(
                r.try_get(0)?,
                device_id.to_string(),
                r.try_get(1)?,
                r.try_get(2)?,
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
        let mut tx = c.transaction()?;
        let (seq, head) = match pin {
            Some((s, h)) => (Some(s as i64), Some(h)),
            None => (None, None),
        };
        let mut n = 0;
        for id in notice_ids {
            n += tx.execute(
                "UPDATE notices SET acked_at = $3, ack_seq = $4, ack_head = $5
                 WHERE notice_id = $1 AND device_id = $2 AND acked_at IS NULL",
                &[id, &device_id, &now, &seq, &head],
            )?;
        }
        tx.commit()?;
        Ok(n)
    }

    fn company_copies(&self, company: &str) -> Result<Vec<(String, String, String)>, HubError> {
        let mut c = self.conn()?;
        let mut out = Vec::new();
        for r in c.query(
            &format!(
                "SELECT c.device_id, c.item_id, c.redacted FROM copies c
                 JOIN messages m ON m.message_id = c.message_id
                 JOIN devices d ON d.device_id = c.device_id
                 WHERE m.company = $1 AND m.erased_at IS NULL AND c.redacted IS NOT NULL
                   AND d.revoked_at IS NULL
                 ORDER BY c.device_id {C}, c.item_id {C}"
            ),
            &[&company],
        )? {
            let text = self.texts.open(COPY_TEXT, r.try_get(2)?)?;
            out.push((r.try_get(0)?, r.try_get(1)?, text));
        }
        Ok(out)
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
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&id, &name, &role, &code_sha256, &code_expires_at, &now],
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
        let mut tx = c.transaction()?;
        let found = tx.query_opt(
            "SELECT account_id, code_expires_at, signing_key FROM accounts WHERE code_sha256 = $1 AND revoked_at IS NULL FOR UPDATE",
            &[&code_sha256],
        )?;
        let found: Option<(String, Option<i64>, Option<Vec<u8>>)> = match found {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)),
            None => None,
        };
        super::account_code_problem(found.clone().map(|(_, e, k)| (e, k)), now)?;
        let id = found.map(|f| f.0).unwrap_or_default();
        let key = signing_key.to_vec();
        let taken: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE signing_key = $1)",
                &[&key],
            )?
            .try_get(0)?;
        if taken {
            return Err(HubError::conflict(
                "already_enrolled",
                "this key already belongs to an account",
            ));
        }
        tx.execute(
            "UPDATE accounts SET signing_key = $2, code_expires_at = NULL WHERE account_id = $1",
            &[&id, &key],
        )?;
        tx.commit()?;
        drop(c);
        self.account(&id)?
            .ok_or_else(|| HubError::Internal("an account just enrolled is missing".into()))
    }

    fn account(&self, account_id: &str) -> Result<Option<super::AccountRecord>, HubError> {
        let mut c = self.conn()?;
        c.query_opt(
            "SELECT account_id, name, role, signing_key, revoked_at IS NOT NULL, created_at FROM accounts WHERE account_id = $1",
            &[&account_id],
        )?
        .map(|r| account_row(&r))
        .transpose()
    }

    fn accounts(&self) -> Result<Vec<super::AccountRecord>, HubError> {
        let mut c = self.conn()?;
        c.query(
            &format!("SELECT account_id, name, role, signing_key, revoked_at IS NOT NULL, created_at FROM accounts ORDER BY created_at, account_id {C}"),
            &[],
        )?
        .iter()
        .map(account_row)
        .collect()
    }

    fn set_account_role(&self, account_id: &str, role: &str) -> Result<bool, HubError> {
        Ok(self.conn()?.execute(
            "UPDATE accounts SET role = $2 WHERE account_id = $1",
            &[&account_id, &role],
        )? == 1)
    }

    fn revoke_account(&self, account_id: &str, now: i64) -> Result<bool, HubError> {
        Ok(self.conn()?.execute(
            "UPDATE accounts SET revoked_at = coalesce(revoked_at, $2) WHERE account_id = $1",
            &[&account_id, &now],
        )? == 1)
    }

    fn append_access(
        &self,
        e: &super::NewAccess,
        sign: &(dyn Fn(&[u8; 32]) -> [u8; 64] + Sync),
    ) -> Result<u64, HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        // One writer at a time across hubs: the chain never forks.
        tx.batch_execute("LOCK TABLE access_ledger IN EXCLUSIVE MODE")?;
        let last = tx.query_opt(
            "SELECT seq, entry_hash FROM access_ledger ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        let (seq, prev) = match last {
            Some(r) => {
                let h: Vec<u8> = r.try_get(1)?;
                (
                    r.try_get::<_, i64>(0)? + 1,
                    <[u8; 32]>::try_from(h.as_slice())
                        .map_err(|_| HubError::Internal("stored access entry damaged".into()))?,
                )
            }
            None => (1, [0u8; 32]),
        };
        let hash = super::access_hash(&prev, seq as u64, e);
        tx.execute(
            "INSERT INTO access_ledger (seq, prev_hash, entry_hash, at_ms, account_id, role, act, method, path, status, message_ids, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &seq,
                &prev.to_vec(),
                &hash.to_vec(),
                &e.at_ms,
                &e.account_id,
                &e.role,
                &e.act,
                &e.method,
                &e.path,
                &i32::from(e.status),
                &e.message_ids.json(),
                &sign(&hash).to_vec(),
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
            "INSERT INTO admin_tokens (token_id, account_id, token_sha256, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[&token_id, &account_id, &token_sha256, &now, &expires_at],
        )?;
        Ok(())
    }

    fn token_account(
        &self,
        token_sha256: &str,
        now: i64,
    ) -> Result<Option<super::AccountRecord>, HubError> {
        let mut c = self.conn()?;
        c.query_opt(
            "SELECT a.account_id, a.name, a.role, a.signing_key, a.revoked_at IS NOT NULL, a.created_at
             FROM admin_tokens t JOIN accounts a ON a.account_id = t.account_id
             WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND a.revoked_at IS NULL",
            &[&token_sha256, &now],
        )?
        .map(|r| account_row(&r))
        .transpose()
    }

    fn revoke_token(&self, token_id: &str, now: i64) -> Result<bool, HubError> {
        Ok(self.conn()?.execute(
            "UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE token_id = $1",
            &[&token_id, &now],
        )? == 1)
    }

    fn webhook_enqueue(
        &self,
        episode: i64,
        event_id: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<bool, HubError> {
        let mut c = self.conn()?;
        let n = c.execute(
            "INSERT INTO webhook_events (event_id, episode, body, created_at_ms, state, attempts, next_attempt_at_ms) \
             VALUES ($1, $2, $3, $4, 'pending', 0, $4) ON CONFLICT (episode) DO NOTHING",
            &[&event_id, &episode, &body, &now_ms],
        )?;
        Ok(n == 1)
    }

    fn webhook_claim(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> Result<Option<super::WebhookEvent>, HubError> {
        let mut c = self.conn()?;
        // SKIP LOCKED: hubs sharing the database each take a different event.
        let row = c.query_opt(
            "UPDATE webhook_events SET next_attempt_at_ms = $2 WHERE event_id = ( \
                 SELECT event_id FROM webhook_events \
                 WHERE state = 'pending' AND next_attempt_at_ms <= $1 \
                 ORDER BY next_attempt_at_ms, created_at_ms LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING event_id, episode, body, attempts",
            &[&now_ms, &lease_until_ms],
        )?;
        row.map(|r| {
            Ok(super::WebhookEvent {
                event_id: r.try_get(0)?,
                episode: r.try_get(1)?,
                body: r.try_get(2)?,
                attempts: r.try_get::<_, i64>(3)?.max(0) as u32,
            })
        })
        .transpose()
    }

    fn webhook_record(&self, a: &super::WebhookAttempt) -> Result<bool, HubError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        let status = a.status.map(i64::from);
        let attempt = i64::from(a.attempt);
        let held = tx.execute(
            "UPDATE webhook_events SET state = $2, attempts = $3, next_attempt_at_ms = $4 \
             WHERE event_id = $1 AND state = 'pending' AND attempts = $5",
            &[
                &a.event_id,
                &a.state,
                &attempt,
                &a.next_attempt_at_ms,
                &(attempt - 1),
            ],
        )?;
        if held != 1 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO webhook_attempts (event_id, attempt, at_ms, status, error, next_attempt_at_ms, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &a.event_id,
                &attempt,
                &a.at_ms,
                &status,
                &a.error,
                &a.next_attempt_at_ms,
                &a.state,
            ],
        )?;
        tx.commit()?;
        Ok(true)
    }

    fn webhook_deliveries(&self, limit: usize) -> Result<Vec<super::WebhookDelivery>, HubError> {
        let mut c = self.conn()?;
        let limit = limit.min(i64::MAX as usize) as i64;
        let rows = c.query(
            "SELECT event_id, episode, created_at_ms, state, next_attempt_at_ms FROM webhook_events \
             ORDER BY created_at_ms DESC, episode DESC LIMIT $1",
            &[&limit],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let state: String = r.try_get(3)?;
            let event_id: String = r.try_get(0)?;
            let attempts = c
                .query(
                    "SELECT event_id, attempt, at_ms, status, error, next_attempt_at_ms, state \
                     FROM webhook_attempts WHERE event_id = $1 ORDER BY attempt",
                    &[&event_id],
                )?
                .iter()
                .map(|a| {
                    Ok(super::WebhookAttempt {
                        event_id: a.try_get(0)?,
                        attempt: a.try_get::<_, i64>(1)?.max(0) as u32,
                        at_ms: a.try_get(2)?,
                        status: a
                            .try_get::<_, Option<i64>>(3)?
                            .map(|s| s.clamp(0, 999) as u16),
                        error: a.try_get(4)?,
                        next_attempt_at_ms: a.try_get(5)?,
                        state: a.try_get(6)?,
                    })
                })
                .collect::<Result<Vec<_>, HubError>>()?;
            out.push(super::WebhookDelivery {
                event_id,
                episode: r.try_get(1)?,
                created_at_ms: r.try_get(2)?,
                next_attempt_at_ms: if state == "pending" {
                    r.try_get(4)?
                } else {
                    None
                },
                state,
                attempts,
            });
        }
        Ok(out)
    }

    fn webhook_supersede(&self, event_id: &str, attempts: u32) -> Result<bool, HubError> {
        let mut c = self.conn()?;
        let n = c.execute(
            "UPDATE webhook_events SET state = 'superseded', next_attempt_at_ms = NULL \
             WHERE event_id = $1 AND state = 'pending' AND attempts = $2",
            &[&event_id, &i64::from(attempts)],
        )?;
        Ok(n == 1)
    }

    fn webhook_counts(&self) -> Result<Vec<(String, u64)>, HubError> {
        let mut c = self.conn()?;
        let rows = c.query(
            "SELECT state, count(*) FROM webhook_events GROUP BY state ORDER BY state",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, count(r, 1)?)))
            .collect()
    }

    fn read_generation(&self) -> Result<super::ReadGeneration, HubError> {
        let mut c = self.conn()?;
        let r = c.query_one(
            "SELECT (SELECT count(*) FROM uploads), (SELECT count(*) FROM adjudications),
                    (SELECT n FROM read_model_changes WHERE kind = 'content'),
                    (SELECT n FROM read_model_changes WHERE kind = 'privacy')",
            &[],
        )?;
        Ok(super::ReadGeneration {
            uploads: r.try_get(0)?,
            adjudications: r.try_get(1)?,
            content: r.try_get(2)?,
            privacy: r.try_get(3)?,
        })
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
        let mut tx = c.transaction()?;
        tx.execute(
            "INSERT INTO accounts (account_id, name, role, created_at) VALUES ($1, $2, 'manager', $3)
             ON CONFLICT (account_id) DO NOTHING",
            &[&super::BOOTSTRAP_ACCOUNT, &super::BOOTSTRAP_NAME, &now],
        )?;
        tx.execute(
            "INSERT INTO admin_tokens (token_id, account_id, token_sha256, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_sha256) DO NOTHING",
            &[
                &token_id,
                &super::BOOTSTRAP_ACCOUNT,
                &token_sha256,
                &now,
                &expires_at,
            ],
        )?;
        if let Some(old) = retire.filter(|o| *o != token_sha256) {
            tx.execute(
                "UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE token_sha256 = $1",
                &[&old, &now],
            )?;
        }
        let r = tx.query_one(
            "SELECT expires_at, revoked_at IS NOT NULL FROM admin_tokens WHERE token_sha256 = $1",
            &[&token_sha256],
        )?;
        let got = (r.try_get(0)?, r.try_get(1)?);
        tx.commit()?;
        Ok(got)
    }

    fn access_jsonl(&self) -> Result<String, HubError> {
        let mut c = self.conn()?;
        let mut out = String::new();
        for r in c.query(
            "SELECT seq, prev_hash, entry_hash, at_ms, account_id, role, act, method, path, status, message_ids, signature
             FROM access_ledger ORDER BY seq",
            &[],
        )? {
            let ids: String = r.try_get(10)?;
            let e = super::NewAccess {
                at_ms: r.try_get(3)?,
                account_id: r.try_get(4)?,
                role: r.try_get(5)?,
                act: r.try_get(6)?,
                method: r.try_get(7)?,
                path: r.try_get(8)?,
                status: u16::try_from(r.try_get::<_, i32>(9)?).unwrap_or(0),
                message_ids: serde_json::from_str::<Vec<String>>(&ids)
                    .map_err(|_| HubError::Internal("stored access entry damaged".into()))?
                    .into(),
            };
            let (prev, hash, sig): (Vec<u8>, Vec<u8>, Vec<u8>) =
                (r.try_get(1)?, r.try_get(2)?, r.try_get(11)?);
            out.push_str(&super::access_line(r.try_get(0)?, &prev, &hash, e, &sig)?);
            out.push('\n');
        }
        Ok(out)
    }

    fn metrics_counts(&self, latency_bounds_secs: &[f64]) -> Result<HubCounts, HubError> {
        let mut c = self.conn()?;
        let mut out = HubCounts::default();
        let rows = c.query(
            &format!(
                "SELECT r, count(*) FROM (
                   SELECT CASE WHEN c.gold THEN 'gold' ELSE coalesce(c.reason, 'unknown') END AS r
                   FROM copies c WHERE c.state = 'open' AND NOT ({LABELLED})
                   UNION ALL
                   -- items assigned outside the pipeline (POST /v1/admin/assign), in unexpired batches
                   SELECT 'assigned' FROM assignments c JOIN batches b ON b.batch_id = c.batch_id
                   WHERE b.expires_at > extract(epoch FROM now())::bigint
                     AND NOT EXISTS (SELECT 1 FROM copies cp WHERE cp.item_id = c.item_id)
                     AND NOT ({LABELLED})
                 ) AS pending GROUP BY r ORDER BY r"
            ),
            &[],
        )?;
        for r in &rows {
            out.pending_by_reason.push((r.try_get(0)?, count(r, 1)?));
        }
        let rows = c.query(
            "SELECT CASE WHEN retracted THEN 'retracted' ELSE coalesce(verdict, 'none') END AS v, count(*)
             FROM labels GROUP BY 1 ORDER BY 1",
            &[],
        )?;
        for r in &rows {
            out.labels_by_verdict.push((r.try_get(0)?, count(r, 1)?));
        }
        // One pass: a sum per bucket bound (milliseconds, integers), the sum and count.
        let mut sql = String::from("SELECT count(*), coalesce(sum(CASE WHEN received_at_ms > decided_at_ms THEN received_at_ms - decided_at_ms ELSE 0 END), 0)::BIGINT");
        for b in latency_bounds_secs {
            let ms = (b * 1000.0).round() as i64;
            sql.push_str(&format!(
                ", coalesce(sum(CASE WHEN received_at_ms - decided_at_ms <= {ms} THEN 1 ELSE 0 END), 0)::BIGINT"
            ));
        }
        sql.push_str(" FROM labels");
        let r = c.query_one(&sql, &[])?;
        out.latency_count = count(&r, 0)?;
        out.latency_sum_secs = r.try_get::<_, i64>(1)? as f64 / 1000.0;
        for i in 0..latency_bounds_secs.len() {
            out.latency_buckets.push(count(&r, 2 + i)?);
        }
        let r = c.query_one(
            "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM devices WHERE revoked_at IS NULL)",
            &[],
        )?;
        out.messages = count(&r, 0)?;
        out.devices_active = count(&r, 1)?;
        Ok(out)
    }
}
