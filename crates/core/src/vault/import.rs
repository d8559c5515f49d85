//! Batch import: verify, decrypt, validate, then insert in one transaction.

use super::Vault;
use crate::batch::{self, BatchPayload, ImportReport, OpenedBatch};
use crate::error::BatchError;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

impl Vault {
    /// Import a sealed `.lvbatch` file's bytes. All-or-nothing; importing the same file
    /// twice changes nothing and reports `already_imported`. Every item is screened for
    /// personal data first ([`super::screen_items`]); an item in which some is found is
    /// held back (its id and what was found are kept, never its text) and counted in the
    /// report.
    pub fn import_batch(&mut self, bytes: &[u8], now: i64) -> Result<ImportReport, BatchError> {
        let opened = self.open_batch(bytes, now)?;
        let held = super::screen_items(&opened.payload.items);
        // A big import would otherwise copy every page twice before returning (WAL, then
        // the auto-checkpoint inside COMMIT). The WAL fsync already makes it durable;
        // the copy into the main file runs on a second connection in the background.
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let result = insert_batch(&mut self.conn, &opened, &held, now);
        self.conn
            .pragma_update(None, "wal_autocheckpoint", super::AUTOCHECKPOINT_PAGES)?;
        if matches!(&result, Ok(r) if !r.already_imported) {
            self.checkpoint_in_background();
        }
        result
    }

    /// Verify and decrypt a batch without importing it.
    pub fn open_batch(&self, bytes: &[u8], now: i64) -> Result<OpenedBatch, BatchError> {
        let keys = self.pinned_keys()?;
        batch::open(
            bytes,
            &|id| keys.get(id).copied(),
            self.identity.age_identity(),
            now,
        )
    }

    fn pinned_keys(&self) -> Result<HashMap<String, [u8; 32]>, BatchError> {
        let mut st = self
            .conn
            .prepare("SELECT key_id, public_key FROM hub_keys")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, pk) = row?;
            if let Ok(pk) = <[u8; 32]>::try_from(pk.as_slice()) {
                out.insert(id, pk);
            }
        }
        Ok(out)
    }
}

/// Insert an opened batch into any connection with the vault schema (the vault's own,
/// or a plain SQLite one for the benchmark baseline). `held[i]` is what screening found
/// in item `i` (`None`: store it); a held item goes to `quarantine` without its text.
pub(crate) fn insert_batch(
    conn: &mut Connection,
    opened: &OpenedBatch,
    held: &[Option<String>],
    now: i64,
) -> Result<ImportReport, BatchError> {
    let p: &BatchPayload = &opened.payload;
    let tx = conn.transaction()?;
    let existing: Option<Vec<u8>> = tx
        .query_row(
            "SELECT content_sha256 FROM batches WHERE batch_id = ?1",
            [&p.batch_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(hash) = existing {
        if hash == opened.content_sha256 {
            let kinds: Vec<String> = {
                let mut st = tx.prepare(
                    "SELECT q.kinds FROM quarantine q JOIN batches b ON b.seq = q.batch_seq
                     WHERE b.batch_id = ?1",
                )?;
                let rows = st.query_map([&p.batch_id], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            return Ok(ImportReport {
                batch_id: p.batch_id.clone(),
                items: p.items.len(),
                already_imported: true,
                quarantined: kinds.len(),
                quarantined_kinds: distinct_kinds(kinds.iter().map(String::as_str)),
            });
        }
        return Err(BatchError::Invalid(format!(
            "a different batch with id {} is already in this vault",
            p.batch_id
        )));
    }
    tx.execute(
        "INSERT INTO batches (batch_id, hub_key_id, taxonomy_id, taxonomy_version, created_at,
                              expires_at, imported_at, item_count, content_sha256, guidelines)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            p.batch_id,
            opened.header.hub_key_id,
            p.taxonomy.id,
            p.taxonomy.version,
            p.created_at,
            p.expires_at,
            now,
            p.items.len() as i64,
            opened.content_sha256.to_vec(),
            p.guidelines
        ],
    )?;
    let batch_seq = tx.last_insert_rowid();
    {
        let mut st = tx.prepare(
            "INSERT INTO batch_intents (batch_seq, intent_id, position, description, examples, grp)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (i, intent) in p.taxonomy.intents.iter().enumerate() {
            let examples = serde_json::to_string(&intent.examples)
                .map_err(|e| BatchError::Invalid(format!("intent examples: {e}")))?;
            st.execute(params![
                batch_seq,
                intent.id,
                i as i64,
                intent.description,
                examples,
                intent.group
            ])?;
        }
        let mut st = tx.prepare(
            "INSERT INTO items (item_id, batch_seq, position, text, model_intent, confidence,
                                alternatives, reason_rank, sort_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut hold = tx.prepare(
            "INSERT INTO quarantine (item_id, batch_seq, position, kinds) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut alts = String::new();
        for (i, item) in p.items.iter().enumerate() {
            if let Some(Some(kinds)) = held.get(i) {
                hold.execute(params![item.item_id, batch_seq, i as i64, kinds])
                    .map_err(|e| match e.sqlite_error_code() {
                        Some(rusqlite::ErrorCode::ConstraintViolation) => BatchError::Invalid(
                            format!("item #{} has an item_id used twice", i + 1),
                        ),
                        _ => e.into(),
                    })?;
                continue;
            }
            alts.clear();
            alternatives_json(&item.alternatives, &mut alts);
            let sort_key = match item.reason {
                batch::Reason::LowConfidence => item.confidence,
                _ => 0.0,
            };
            st.execute(params![
                item.item_id,
                batch_seq,
                i as i64,
                item.text,
                item.model_intent,
                item.confidence,
                alts,
                item.reason.rank(),
                sort_key
            ])
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => BatchError::Invalid(format!(
                    "item #{} has an item_id already used by another batch in this vault",
                    i + 1
                )),
                _ => e.into(),
            })?;
        }
    }
    tx.commit()?;
    let found: Vec<&str> = held.iter().flatten().map(String::as_str).collect();
    tracing::info!(batch = %p.batch_id, items = p.items.len(), held_back = found.len(), "imported batch");
    Ok(ImportReport {
        batch_id: p.batch_id.clone(),
        items: p.items.len(),
        already_imported: false,
        quarantined: found.len(),
        quarantined_kinds: distinct_kinds(found.into_iter()),
    })
}

/// Each type name once, in [`crate::redact::PiiKind::ALL`] order, from comma-joined lists.
fn distinct_kinds<'a>(lists: impl Iterator<Item = &'a str>) -> Vec<String> {
    let seen: std::collections::HashSet<&str> = lists.flat_map(|l| l.split(',')).collect();
    crate::redact::PiiKind::ALL
        .iter()
        .map(|k| k.type_name())
        .filter(|t| seen.contains(t))
        .map(str::to_string)
        .collect()
}

/// Alternatives as compact JSON (ids are validated, so no escaping surprises).
fn alternatives_json(alts: &[batch::Alternative], out: &mut String) {
    use std::fmt::Write;
    out.push('[');
    for (i, a) in alts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"intent\":{},\"confidence\":{}}}",
            serde_json::Value::String(a.intent.clone()),
            a.confidence
        );
    }
    out.push(']');
}

/// Benchmark support: the same insert into an unencrypted SQLite file (the baseline the
/// encryption cost is measured against). Not for production use.
#[doc(hidden)]
pub fn plain_import_for_bench(
    path: &std::path::Path,
    opened: &OpenedBatch,
) -> Result<(ImportReport, Connection), BatchError> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0;",
    )?;
    super::schema::migrate(&mut conn, path)?;
    let report = insert_batch(&mut conn, opened, &[], batch::now_unix())?;
    // The connection is returned so that closing it (which checkpoints) is not timed.
    Ok((report, conn))
}
