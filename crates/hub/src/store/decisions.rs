//! The manager's decisions, written once for both stores over [`Tx`]: adjudications of
//! disagreements (each superseding the last on its message), gold answers, and the
//! retraining marks and threshold.

use super::sql::{args, Lock, Row, Tx};
use super::DEFAULT_RETRAIN_THRESHOLD;
use super::{Adjudication, MarkKind, NewAdjudication, RetrainMarkView, RetrainStatus};
use crate::error::HubError;

/// The advisory lock adjudications and retraining marks take on PostgreSQL, so the
/// "latest" each reads is still the latest when it writes.
const REVIEW_LOCK: i64 = 0x4c56_5245_5649; // "LVREVI"

const ADJUDICATION_COLUMNS: &str =
    "seq, message_id, intent_id, decided_by, decided_at_ms, previous_intent, supersedes, labels";

fn adjudication_row(r: &Row) -> Result<Adjudication, HubError> {
    let labels = r.text(7)?;
    Ok(Adjudication {
        seq: r.i64(0)?,
        message_id: r.text(1)?,
        intent: r.text(2)?,
        by: r.text(3)?,
        decided_at_ms: r.i64(4)?,
        previous_intent: r.opt_text(5)?,
        supersedes: r.opt_i64(6)?,
        labels: serde_json::from_str(&labels).map_err(|_| {
            HubError::Internal(format!(
                "a stored adjudication is damaged: its labels (column 7) are not JSON; restore the hub database from a backup (seq {})",
                r.i64(0).unwrap_or(-1)
            ))
        })?,
    })
}

/// See [`super::HubStore::add_adjudication`].
pub(super) fn add(tx: &mut dyn Tx, a: &NewAdjudication) -> Result<Adjudication, HubError> {
    tx.lock(Lock::Key(REVIEW_LOCK))?;
    let exists = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE message_id = $1)",
            args![&a.message_id],
        )?
        .bool(0)?;
    if !exists {
        return Err(HubError::not_found(
            "unknown_message",
            "the hub holds no message with this id; check the id in GET /v1/admin/disagreements",
        ));
    }
    let supersedes = tx
        .query_one(
            "SELECT max(seq) FROM adjudications WHERE message_id = $1",
            args![&a.message_id],
        )?
        .opt_i64(0)?;
    let row = tx.query_one(
        &format!(
            "INSERT INTO adjudications (message_id, intent_id, decided_by, decided_at_ms, previous_intent, supersedes, labels)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {ADJUDICATION_COLUMNS}"
        ),
        args![
            &a.message_id,
            &a.intent,
            &a.by,
            a.decided_at_ms,
            a.previous_intent.as_ref(),
            supersedes,
            &a.labels.to_string()
        ],
    )?;
    adjudication_row(&row)
}

/// See [`super::HubStore::adjudications`].
pub(super) fn list(tx: &mut dyn Tx) -> Result<Vec<Adjudication>, HubError> {
    tx.query(
        &format!("SELECT {ADJUDICATION_COLUMNS} FROM adjudications ORDER BY seq"),
        &[],
    )?
    .iter()
    .map(adjudication_row)
    .collect()
}

/// See [`super::HubStore::set_gold`]: all answers or none.
pub(super) fn set_gold(tx: &mut dyn Tx, answers: &[(String, String)]) -> Result<u64, HubError> {
    for (i, (id, intent)) in answers.iter().enumerate() {
        if tx.execute(
            "UPDATE messages SET gold_intent = $2 WHERE message_id = $1",
            args![id, intent],
        )? == 0
        {
            // The error rolls every earlier answer back.
            return Err(HubError::not_found(
                "unknown_message",
                format!(
                    "gold answer #{} names a message id the hub does not hold; ingest the message first (no answer was stored)",
                    i + 1
                ),
            ));
        }
    }
    Ok(answers.len() as u64)
}

fn threshold(tx: &mut dyn Tx) -> Result<u64, HubError> {
    let t = tx
        .query_opt(
            "SELECT threshold FROM retrain_marks ORDER BY seq DESC LIMIT 1",
            &[],
        )?
        .map(|r| r.i64(0))
        .transpose()?;
    Ok(t.map_or(DEFAULT_RETRAIN_THRESHOLD, |t| t.max(1) as u64))
}

/// See [`super::HubStore::retrain_mark`].
pub(super) fn mark(tx: &mut dyn Tx, kind: MarkKind, at_ms: i64) -> Result<(), HubError> {
    tx.lock(Lock::Key(REVIEW_LOCK))?;
    let current = threshold(tx)?;
    let (kind, threshold) = match kind {
        MarkKind::Export => ("export", current),
        MarkKind::Training => ("training", current),
        MarkKind::Threshold(t) => ("threshold", t),
    };
    tx.execute(
        "INSERT INTO retrain_marks (kind, at_ms, threshold) VALUES ($1, $2, $3)",
        args![kind, at_ms, i64::try_from(threshold).unwrap_or(i64::MAX)],
    )?;
    Ok(())
}

/// See [`super::HubStore::retrain_status`].
pub(super) fn status(tx: &mut dyn Tx) -> Result<RetrainStatus, HubError> {
    let threshold = threshold(tx)?;
    let last_mark = tx
        .query_opt(
            "SELECT seq, kind, at_ms FROM retrain_marks WHERE kind <> 'threshold'
             ORDER BY seq DESC LIMIT 1",
            &[],
        )?
        .map(|r| {
            Ok::<_, HubError>(RetrainMarkView {
                seq: r.u64(0)?,
                kind: r.text(1)?,
                at_ms: r.i64(2)?,
            })
        })
        .transpose()?;
    let since = last_mark.as_ref().map_or(i64::MIN, |m| m.at_ms);
    let r = tx.query_one(
        "SELECT count(*), CAST(coalesce(sum(CASE WHEN received_at_ms > $1 THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM labels WHERE NOT retracted",
        args![since],
    )?;
    let (total, new) = (r.u64(0)?, r.u64(1)?);
    Ok(RetrainStatus {
        new_labels: new,
        threshold,
        due: new >= threshold,
        labels_total: total,
        last_mark,
    })
}
