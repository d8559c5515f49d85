//! Uploads of labels, written once for both stores over [`Tx`]: the label rules every
//! label must pass, exactly-once storage (an upload id answers with its first receipt),
//! and the inbound ledger entry of what was received and answered.

use super::sql::{args, Lock, Tx};
use super::Upload;
use crate::error::HubError;
use labelvault_core::protocol::{Receipt, RejectedLabel, SignedReceipt, WireLabel};

/// Why one label is refused, if it is: the code of its [`RejectedLabel`].
pub(super) fn check_label(
    tx: &mut dyn Tx,
    device_id: &str,
    l: &WireLabel,
) -> Result<Option<&'static str>, HubError> {
    let Some(assigned) = tx.query_opt(
        "SELECT batch_id, item_chars FROM assignments WHERE item_id = $1 AND device_id = $2",
        args![&l.item_id, device_id],
    )?
    else {
        return Ok(Some("not_assigned"));
    };
    let (batch, chars) = (assigned.text(0)?, assigned.opt_i64(1)?);
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
        let known = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM batch_intents WHERE batch_id = $1 AND intent_id = $2)",
                args![&batch, i],
            )?
            .bool(0)?;
        if !known {
            return Ok(Some("unknown_intent"));
        }
    }
    Ok(None)
}

/// See [`super::HubStore::ingest`]. The device's upload lock comes first: only uploads of
/// the same device, on every hub, queue on it, so the upload id check sees any upload
/// of the device committed before.
pub(super) fn ingest(
    tx: &mut dyn Tx,
    u: &Upload<'_>,
    sign: &(dyn Fn(Receipt) -> SignedReceipt + Sync),
) -> Result<SignedReceipt, HubError> {
    tx.lock(Lock::Uploads(u.device_id))?;
    if let Some(prior) = tx.query_opt(
        "SELECT body_sha256, receipt FROM uploads WHERE device_id = $1 AND upload_id = $2",
        args![u.device_id, u.upload_id],
    )? {
        if prior.text(0)? != u.body_sha256 {
            return Err(HubError::conflict(
                "upload_id_reused",
                "this upload id was already used for a different body",
            ));
        }
        return serde_json::from_str(&prior.text(1)?).map_err(|_| {
            HubError::Internal(
                "a stored receipt is damaged; restore the hub database from a backup".into(),
            )
        });
    }
    let (mut accepted, mut duplicates) = (0u32, 0u32);
    let mut rejected = Vec::new();
    for l in u.labels {
        if let Some(code) = check_label(tx, u.device_id, l)? {
            rejected.push(RejectedLabel {
                item_id: l.item_id.clone(),
                revision: l.revision,
                code: code.into(),
            });
            continue;
        }
        let n = tx.execute(
            "INSERT INTO labels (device_id, item_id, revision, retracted, verdict, intent_id, flags, pii_spans,
                                 duration_ms, decided_at_ms, received_at_ms, upload_id, also_intents)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
            args![
                u.device_id,
                &l.item_id,
                l.revision,
                l.retracted,
                l.verdict.map(|v| v.as_str()),
                l.intent_id.as_ref(),
                &super::to_json(&l.flags),
                &super::to_json(&l.pii_spans),
                i64::try_from(l.duration_ms).unwrap_or(i64::MAX),
                l.decided_at_ms,
                u.now_ms,
                u.upload_id,
                &super::to_json(&l.also_intents)
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
    let receipt = serde_json::to_string(&signed).map_err(|e| HubError::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO uploads (device_id, upload_id, body_sha256, receipt) VALUES ($1, $2, $3, $4)",
        args![u.device_id, u.upload_id, u.body_sha256, &receipt],
    )?;
    inbound_entry(tx, u, &receipt)?;
    Ok(signed)
}

/// The inbound ledger's entry for an upload: a hash chain over what was received and
/// what was answered. On SQLite it is chained at once (the one writing connection
/// already serialises uploads); on PostgreSQL it waits in `ledger_pending`, committed
/// with the upload, and is chained in batches by short transactions holding the chain
/// head (`postgres.rs`, `chain_pending`), so uploads of different devices never queue
/// on one lock.
fn inbound_entry(tx: &mut dyn Tx, u: &Upload<'_>, receipt: &str) -> Result<(), HubError> {
    match tx.dialect() {
        super::sql::Dialect::Postgres => {
            tx.execute(
                "INSERT INTO ledger_pending (device_id, received_at_ms, body, body_sha256, receipt)
                 VALUES ($1, $2, $3, $4, $5)",
                args![u.device_id, u.now_ms, u.body, u.body_sha256, receipt],
            )?;
        }
        super::sql::Dialect::Sqlite => {
            let prev = match tx.query_opt(
                "SELECT entry_hash FROM ledger ORDER BY seq DESC LIMIT 1",
                &[],
            )? {
                Some(r) => r.bytes(0)?,
                None => vec![0u8; 32],
            };
            let h = labelvault_core::ledger::hub_entry_hash(
                &prev,
                u.now_ms,
                u.device_id,
                u.body_sha256,
                receipt,
            );
            tx.execute(
                "INSERT INTO ledger (prev_hash, entry_hash, device_id, received_at_ms, body, body_sha256, receipt)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                args![&prev, &h, u.device_id, u.now_ms, u.body, u.body_sha256, receipt],
            )?;
        }
    }
    Ok(())
}

/// See [`super::HubStore::ledger_jsonl`]: the inbound ledger, one JSON line per entry in
/// chain order.
pub(super) fn ledger_jsonl(tx: &mut dyn Tx) -> Result<String, HubError> {
    let mut out = String::new();
    tx.for_each(
        "SELECT seq, prev_hash, entry_hash, device_id, received_at_ms, body, body_sha256, receipt
         FROM ledger ORDER BY seq",
        &[],
        &mut |r| {
            out.push_str(&super::ledger_line(
                r.i64(0)?,
                &r.bytes(1)?,
                &r.bytes(2)?,
                r.text(3)?,
                r.i64(4)?,
                &r.bytes(5)?,
                r.text(6)?,
                &r.text(7)?,
            )?);
            out.push('\n');
            Ok(())
        },
    )?;
    Ok(out)
}
