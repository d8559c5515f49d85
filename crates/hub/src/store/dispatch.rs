//! Storing a dispatch, written once for both stores over [`Tx`]: the batches, what they
//! assign, one copy per item (in dispatch order), with two checks that refuse the whole
//! dispatch if the pool changed since it was planned — a message re-scored, or copies
//! given out by another dispatch at the same time. Rows go in as multi-row `VALUES`
//! statements of up to [`ROWS_PER_STATEMENT`] rows: a round trip to PostgreSQL costs
//! more than the row it carries, and SQLite parses one statement instead of hundreds.

use super::devices::POOL_LOCK;
use super::sql::{args, Arg, Lock, Sealed, Tx};
use super::{reason_str, DispatchBatch, NewCopy, ShownPrediction};
use crate::error::HubError;

/// Rows per statement: every statement stays well under both databases' limits on
/// parameters (SQLite 32,766, PostgreSQL 65,535) at ten parameters a row.
const ROWS_PER_STATEMENT: usize = 500;

/// Run `head VALUES (…), (…) tail` over `args`, `width` arguments a row, a bounded
/// number of rows per statement; `row(p)` writes one row's tuple whose first
/// placeholder is `$p`. The number of rows changed.
pub(super) fn insert_values(
    tx: &mut dyn Tx,
    head: &str,
    tail: &str,
    width: usize,
    args: &[Arg<'_>],
    row: &dyn Fn(usize) -> String,
) -> Result<u64, HubError> {
    let mut n = 0;
    for chunk in args.chunks(width * ROWS_PER_STATEMENT) {
        let rows: Vec<String> = (0..chunk.len() / width)
            .map(|r| row(r * width + 1))
            .collect();
        n += tx.execute(&format!("{head} VALUES {} {tail}", rows.join(", ")), chunk)?;
    }
    Ok(n)
}

/// A tuple of `width` plain placeholders from `$first`.
pub(super) fn plain(first: usize, width: usize) -> String {
    let marks: Vec<String> = (first..first + width).map(|p| format!("${p}")).collect();
    format!("({})", marks.join(", "))
}

/// `IN (…)` placeholders for `n` arguments from `$1`.
fn in_list(n: usize) -> String {
    let marks: Vec<String> = (1..=n).map(|p| format!("${p}")).collect();
    format!("({})", marks.join(", "))
}

/// `(VALUES ($1), ($2), …) v` for `n` arguments: a list of ids to look up one by one
/// (its column is `v.column1` on both databases). Each id then costs an index probe
/// whatever the planner knows: right after an ingest PostgreSQL has no statistics yet
/// and answers `IN (…)` over a large table with a full scan per statement (about 50 ms
/// each against 1 ms, at 300,000 messages).
fn values_list(n: usize) -> String {
    let rows: Vec<String> = (1..=n).map(|p| format!("(${p})")).collect();
    format!("(VALUES {}) v", rows.join(", "))
}

/// See [`super::HubStore::store_dispatch`]. Dispatches on any hub queue on the pool
/// lock, so the overlap check counts the copies every earlier dispatch committed.
pub(super) fn store(
    tx: &mut dyn Tx,
    batches: &[DispatchBatch],
    overlap: usize,
    now: i64,
) -> Result<(), HubError> {
    tx.lock(Lock::Key(POOL_LOCK))?;
    super::review_reads::reclaim(tx, now)?;
    check_devices(tx, batches)?;
    let rows: Vec<&super::NewBatch> = batches.iter().map(|d| &d.batch).collect();
    super::batches::insert(tx, &rows)?;
    // The copies in dispatch order, the texts sealed first (they are borrowed below).
    let copies: Vec<(&DispatchBatch, usize, &NewCopy)> = batches
        .iter()
        .flat_map(|d| d.copies.iter().enumerate().map(move |(n, c)| (d, n, c)))
        .collect();
    let sealed = copies
        .iter()
        .map(|(d, n, _)| {
            d.batch
                .text_of(*n)
                .map(|t| tx.seal(Sealed::Copy, t))
                .transpose()
        })
        .collect::<Result<Vec<Option<String>>, HubError>>()?;
    let revisions = latest_revisions(tx, &copies)?;
    let mut rows: Vec<Arg<'_>> = Vec::new();
    for ((d, _, c), text) in copies.iter().zip(&sealed) {
        rows.extend_from_slice(args![
            &c.item_id,
            &c.message_id,
            &d.batch.device_id,
            &d.batch.batch_id,
            c.gold,
            d.lease_expires_at,
            d.batch.created_at,
            reason_str(c.reason),
            text.as_ref(),
            revisions.get(c.message_id.as_str()).copied()
        ]);
    }
    insert_values(
        tx,
        "INSERT INTO copies (item_id, message_id, device_id, batch_id, gold, lease_expires_at, created_at, reason, redacted, prediction_revision, state)",
        "",
        10,
        &rows,
        &|p| {
            let marks: Vec<String> = (p..p + 10).map(|i| format!("${i}")).collect();
            format!("({}, 'open')", marks.join(", "))
        },
    )?;
    check_predictions(tx, &copies)?;
    check_overlap(tx, &copies, overlap)
}

/// Each message's latest prediction revision, the one its copies show (the check after
/// the insert refuses the dispatch if a re-score came in meanwhile), read by id a chunk
/// at a time: plain rows to insert instead of a subquery per row, which made each
/// statement costly to plan.
fn latest_revisions<'c>(
    tx: &mut dyn Tx,
    copies: &[(&DispatchBatch, usize, &'c NewCopy)],
) -> Result<std::collections::HashMap<&'c str, i64>, HubError> {
    let ids: Vec<&'c str> = copies
        .iter()
        .map(|(_, _, c)| c.message_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let args: Vec<Arg<'_>> = chunk.iter().map(|m| Arg::from(*m)).collect();
        let mut found = std::collections::HashMap::with_capacity(chunk.len());
        for r in tx.query(
            &format!(
                "SELECT v.column1, (SELECT max(p.revision) FROM prediction_revisions p
                                    WHERE p.message_id = v.column1)
                 FROM {}",
                values_list(chunk.len())
            ),
            &args,
        )? {
            if let Some(rev) = r.opt_i64(1)? {
                found.insert(r.text(0)?, rev);
            }
        }
        for id in chunk {
            if let Some(rev) = found.get(*id) {
                out.insert(*id, *rev);
            }
        }
    }
    Ok(out)
}

/// Every device of the dispatch is still enrolled and unrevoked.
fn check_devices(tx: &mut dyn Tx, batches: &[DispatchBatch]) -> Result<(), HubError> {
    let devices: Vec<&str> = batches
        .iter()
        .map(|d| d.batch.device_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for chunk in devices.chunks(ROWS_PER_STATEMENT) {
        let args: Vec<Arg<'_>> = chunk.iter().map(|d| Arg::from(*d)).collect();
        let active = tx
            .query_one(
                &format!(
                    "SELECT count(*) FROM devices WHERE revoked_at IS NULL AND device_id IN {}",
                    in_list(chunk.len())
                ),
                &args,
            )?
            .u64(0)?;
        if active != chunk.len() as u64 {
            return Err(HubError::conflict(
                "revoked",
                "a device was revoked (or removed) during the dispatch; nothing was dispatched, run it again",
            ));
        }
    }
    Ok(())
}

/// The prediction each item shows is still its message's current one (read after the
/// copies are stored, so no re-score can slip between the check and the insert). The
/// current predictions are read by id, a chunk at a time, and compared here: a lookup
/// by primary key on both databases.
fn check_predictions(
    tx: &mut dyn Tx,
    copies: &[(&DispatchBatch, usize, &NewCopy)],
) -> Result<(), HubError> {
    let mut shown: std::collections::BTreeMap<&str, &ShownPrediction> =
        std::collections::BTreeMap::new();
    for (_, _, c) in copies {
        if let Some(p) = &c.prediction {
            shown.insert(c.message_id.as_str(), p);
        }
    }
    let shown: Vec<(&str, &ShownPrediction)> = shown.into_iter().collect();
    for chunk in shown.chunks(ROWS_PER_STATEMENT) {
        let args: Vec<Arg<'_>> = chunk.iter().map(|(id, _)| Arg::from(*id)).collect();
        let mut current = std::collections::HashMap::with_capacity(chunk.len());
        for r in tx.query(
            &format!(
                "SELECT message_id, model_version, model_intent, confidence FROM messages
                 WHERE message_id IN {}",
                in_list(chunk.len())
            ),
            &args,
        )? {
            current.insert(r.text(0)?, (r.text(1)?, r.text(2)?, r.f64(3)?));
        }
        let unchanged = chunk.iter().all(|(id, p)| {
            current.get(*id).is_some_and(|(v, i, c)| {
                *v == p.model_version && *i == p.model_intent && (c - p.confidence).abs() <= 1e-12
            })
        });
        if !unchanged {
            return Err(HubError::conflict(
                "pool_changed",
                "a message was re-scored during the dispatch; nothing was dispatched, run it again",
            ));
        }
    }
    Ok(())
}

/// No message got more open copies than the overlap allows, or two on one device.
fn check_overlap(
    tx: &mut dyn Tx,
    copies: &[(&DispatchBatch, usize, &NewCopy)],
    overlap: usize,
) -> Result<(), HubError> {
    let touched: Vec<&str> = copies
        .iter()
        .filter(|(_, _, c)| !c.gold)
        .map(|(_, _, c)| c.message_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for chunk in touched.chunks(ROWS_PER_STATEMENT) {
        let args: Vec<Arg<'_>> = chunk.iter().map(|m| Arg::from(*m)).collect();
        let open =
            "FROM copies c WHERE c.message_id = v.column1 AND c.state = 'open' AND NOT c.gold";
        let counts = tx.query(
            &format!(
                "SELECT (SELECT count(*) {open}), (SELECT count(DISTINCT c.device_id) {open}),
                        (SELECT count(*) {open} AND c.reason = 'suspected_label_error')
                 FROM {}",
                values_list(chunk.len())
            ),
            &args,
        )?;
        for r in &counts {
            let (n, devices, relabel) = (r.u64(0)?, r.u64(1)?, r.u64(2)?);
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
    Ok(())
}
