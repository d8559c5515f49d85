//! Sealed batches and what they assign, written once for both stores over [`Tx`]:
//! stored for a device, listed, fetched (once fetched a batch can no longer be
//! withdrawn), withdrawn.

use super::devices::POOL_LOCK;
use super::dispatch::{insert_values, plain};
use super::sql::{args, Arg, Lock, Tx};
use super::NewBatch;
use crate::error::HubError;
use labelvault_core::protocol::BatchListing;

/// See [`super::HubStore::store_batch`].
pub(super) fn store(tx: &mut dyn Tx, b: &NewBatch) -> Result<(), HubError> {
    insert(tx, &[b])
}

/// The rows of `batches`: each batch, the intents of its taxonomy and what it assigns
/// (one row per item, in item order), as a few multi-row statements. Shared by a single
/// batch and a dispatch's many.
pub(super) fn insert(tx: &mut dyn Tx, batches: &[&NewBatch]) -> Result<(), HubError> {
    let mut rows: Vec<Arg<'_>> = Vec::new();
    for b in batches {
        rows.extend_from_slice(args![
            &b.batch_id,
            &b.device_id,
            b.created_at,
            b.expires_at,
            i64::try_from(b.item_ids.len()).unwrap_or(i64::MAX),
            &b.bytes
        ]);
    }
    insert_values(
        tx,
        "INSERT INTO batches (batch_id, device_id, created_at, expires_at, item_count, bytes)",
        "",
        6,
        &rows,
        &|p| plain(p, 6),
    )?;
    let mut rows: Vec<Arg<'_>> = Vec::new();
    for b in batches {
        for i in &b.intents {
            rows.extend_from_slice(args![&b.batch_id, i]);
        }
    }
    insert_values(
        tx,
        "INSERT INTO batch_intents (batch_id, intent_id)",
        "ON CONFLICT DO NOTHING",
        2,
        &rows,
        &|p| plain(p, 2),
    )?;
    let mut rows: Vec<Arg<'_>> = Vec::new();
    for b in batches {
        for (n, item) in b.item_ids.iter().enumerate() {
            rows.extend_from_slice(args![item, &b.batch_id, &b.device_id, b.chars_of(n)]);
        }
    }
    insert_values(
        tx,
        "INSERT INTO assignments (item_id, batch_id, device_id, item_chars)",
        "",
        4,
        &rows,
        &|p| plain(p, 4),
    )?;
    Ok(())
}

/// See [`super::HubStore::list_batches`].
pub(super) fn list(tx: &mut dyn Tx, device_id: &str) -> Result<Vec<BatchListing>, HubError> {
    tx.query(
        "SELECT batch_id, item_count, created_at, expires_at FROM batches
         WHERE device_id = $1 AND erased_at IS NULL AND withdrawn_at IS NULL
         ORDER BY created_at, batch_id COLLATE \"C\"",
        args![device_id],
    )?
    .iter()
    .map(|r| {
        Ok(BatchListing {
            batch_id: r.text(0)?,
            item_count: r.u64(1)?,
            created_at: r.i64(2)?,
            expires_at: r.i64(3)?,
        })
    })
    .collect()
}

/// See [`super::HubStore::batch_bytes`]. Marked fetched first, then read: a withdrawal
/// (which needs it unfetched) either came before, and the read finds it gone, or is
/// refused.
pub(super) fn fetch(
    tx: &mut dyn Tx,
    batch_id: &str,
    device_id: &str,
    now: i64,
) -> Result<Vec<u8>, HubError> {
    tx.execute(
        "UPDATE batches SET fetched_at = coalesce(fetched_at, $3)
         WHERE batch_id = $1 AND device_id = $2 AND erased_at IS NULL AND withdrawn_at IS NULL",
        args![batch_id, device_id, now],
    )?;
    let row = tx.query_opt(
        "SELECT device_id, bytes, erased_at IS NOT NULL, withdrawn_at IS NOT NULL
         FROM batches WHERE batch_id = $1",
        args![batch_id],
    )?;
    match row {
        Some(r) if r.text(0)? == device_id => {
            if r.bool(2)? {
                return Err(super::batch_erased());
            }
            if r.bool(3)? {
                return Err(super::batch_withdrawn());
            }
            r.bytes(1)
        }
        // Same answer whether the batch exists for another device or not at all.
        _ => Err(HubError::not_found(
            "not_assigned",
            "no such batch is assigned to this device",
        )),
    }
}

/// See [`super::HubStore::batch_file`].
pub(super) fn file(tx: &mut dyn Tx, batch_id: &str, now: i64) -> Result<Option<Vec<u8>>, HubError> {
    let Some(r) = tx.query_opt(
        "SELECT bytes, erased_at IS NOT NULL FROM batches WHERE batch_id = $1",
        args![batch_id],
    )?
    else {
        return Ok(None);
    };
    if r.bool(1)? {
        return Err(super::batch_erased());
    }
    let bytes = r.bytes(0)?;
    if bytes.is_empty() {
        return Err(super::batch_withdrawn());
    }
    // Handed over offline: the device may hold it from now on.
    tx.execute(
        "UPDATE batches SET fetched_at = coalesce(fetched_at, $2) WHERE batch_id = $1",
        args![batch_id, now],
    )?;
    Ok(Some(bytes))
}

/// See [`super::HubStore::withdraw_batch`].
pub(super) fn withdraw(tx: &mut dyn Tx, batch_id: &str, now: i64) -> Result<u64, HubError> {
    tx.lock(Lock::Key(POOL_LOCK))?;
    let state = tx
        .query_opt(
            "SELECT fetched_at, erased_at, withdrawn_at FROM batches WHERE batch_id = $1 FOR UPDATE",
            args![batch_id],
        )?
        .map(|r| Ok::<_, HubError>((r.opt_i64(0)?, r.opt_i64(1)?, r.opt_i64(2)?)))
        .transpose()?;
    super::withdraw_problem(state)?;
    let empty: &[u8] = &[];
    if tx.execute(
        "UPDATE batches SET bytes = $3, withdrawn_at = $2
         WHERE batch_id = $1 AND fetched_at IS NULL AND erased_at IS NULL AND withdrawn_at IS NULL",
        args![batch_id, now, empty],
    )? != 1
    {
        return Err(super::already_fetched());
    }
    let returned = tx.execute(
        "UPDATE copies SET state = 'returned', returned_at = $2
         WHERE batch_id = $1 AND state = 'open' AND NOT gold",
        args![batch_id, now],
    )?;
    tx.execute(
        "UPDATE copies SET state = 'returned', returned_at = $2
         WHERE batch_id = $1 AND state = 'open' AND gold",
        args![batch_id, now],
    )?;
    Ok(returned)
}
