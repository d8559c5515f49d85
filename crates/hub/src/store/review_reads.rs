//! What the manager's review reads from the store, written once for both stores over
//! [`Tx`]: every current label with its copy and message (the input of aggregation and
//! quality), missed-PII marks, the pipeline's counts, copies held back for label-error
//! review, and the read model's generation.

use super::devices::{LABELLED, POOL_LOCK};
use super::messages::CONSENTED;
use super::sql::{args, Lock, Sealed, Tx};
use super::{CopyLabel, HubCounts, MissedMark, PipelineStatus, ReadGeneration};
use crate::error::HubError;

/// See [`super::HubStore::labelled_copies`].
pub(super) fn labelled_copies(
    tx: &mut dyn Tx,
    message_id: Option<&str>,
) -> Result<Vec<CopyLabel>, HubError> {
    let mut out = Vec::new();
    tx.for_each(
        "SELECT c.item_id, c.message_id, c.batch_id, c.device_id, d.annotator_id, c.gold, l.verdict, l.intent_id,
                l.decided_at_ms, m.company, coalesce(p.model_intent, m.model_intent), coalesce(p.confidence, m.confidence),
                m.gold_intent, l.duration_ms, m.channel
         FROM copies c
         JOIN devices d ON d.device_id = c.device_id
         JOIN messages m ON m.message_id = c.message_id
         JOIN labels l ON l.device_id = c.device_id AND l.item_id = c.item_id
         LEFT JOIN prediction_revisions p ON p.message_id = c.message_id AND p.revision = c.prediction_revision
         WHERE NOT l.retracted AND (CAST($1 AS TEXT) IS NULL OR c.message_id = $1)
           AND l.revision = (SELECT max(l2.revision) FROM labels l2 WHERE l2.device_id = c.device_id AND l2.item_id = c.item_id)
         ORDER BY c.message_id COLLATE \"C\", c.item_id COLLATE \"C\"",
        args![message_id],
        &mut |r| {
            let Some(verdict) = r
                .opt_text(6)?
                .as_deref()
                .and_then(labelvault_core::labels::Verdict::parse)
            else {
                return Err(HubError::Internal(
                    "a stored label has no verdict; restore the hub database from a backup".into(),
                ));
            };
            out.push(CopyLabel {
                item_id: r.text(0)?,
                message_id: r.text(1)?,
                batch_id: r.text(2)?,
                device_id: r.text(3)?,
                annotator_id: r.text(4)?,
                gold: r.bool(5)?,
                verdict,
                intent_id: r.opt_text(7)?,
                decided_at_ms: r.i64(8)?,
                company: r.text(9)?,
                model_intent: r.text(10)?,
                confidence: r.f64(11)?,
                gold_intent: r.opt_text(12)?,
                duration_ms: r.u64(13)?,
                channel: r.text(14)?,
            });
            Ok(())
        },
    )?;
    Ok(out)
}

/// See [`super::HubStore::missed_pii_marks`].
pub(super) fn missed_pii_marks(tx: &mut dyn Tx) -> Result<Vec<MissedMark>, HubError> {
    let rows = tx.query(super::MISSED_MARKS_SQL, &[])?;
    rows.iter()
        .map(|r| {
            Ok(MissedMark {
                message_id: r.text(0)?,
                company: r.text(1)?,
                received_at_ms: r.i64(2)?,
                spans: super::mark_spans(&r.text(3)?)?,
                seen: r
                    .opt_text(4)?
                    .map(|t| tx.open(Sealed::Copy, t))
                    .transpose()?,
            })
        })
        .collect()
}

/// See [`super::HubStore::pipeline_status`].
pub(super) fn pipeline_status(tx: &mut dyn Tx) -> Result<PipelineStatus, HubError> {
    let new_companies = super::companies::flagged(tx, super::companies::Flag::NewlyOnboarded)?;
    let companies_without_consent =
        super::companies::flagged(tx, super::companies::Flag::NoConsent)?;
    let without_consent = tx
        .query_one(
            &format!("SELECT count(*) FROM messages m WHERE NOT ({CONSENTED})"),
            &[],
        )?
        .u64(0)?;
    let texts_retired = tx
        .query_one(
            "SELECT count(*) FROM messages WHERE text_retired_at IS NOT NULL",
            &[],
        )?
        .u64(0)?;
    let r = tx.query_one("SELECT count(*), count(gold_intent) FROM messages", &[])?;
    let (messages, gold) = (r.u64(0)?, r.u64(1)?);
    let r = tx.query_one(
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
        open_copies: r.u64(0)?,
        labelled_copies: r.u64(1)?,
        returned_copies: r.u64(2)?,
        without_consent,
        companies_without_consent,
        texts_retired,
    })
}

/// See [`super::HubStore::label_error_reviews`].
pub(super) fn label_error_reviews(
    tx: &mut dyn Tx,
    from: i64,
    to: i64,
    now: i64,
) -> Result<Vec<String>, HubError> {
    tx.query(
        &format!(
            "SELECT DISTINCT c.message_id COLLATE \"C\" FROM copies c
             JOIN messages m ON m.message_id = c.message_id
             WHERE c.state = 'open' AND NOT c.gold AND c.reason = 'suspected_label_error'
               AND (c.lease_expires_at > $3 OR {LABELLED})
               AND m.received_at >= $1 AND m.received_at < $2
             ORDER BY 1"
        ),
        args![from, to, now],
    )?
    .iter()
    .map(|r| r.text(0))
    .collect()
}

/// See [`super::HubStore::read_generation`].
pub(super) fn read_generation(tx: &mut dyn Tx) -> Result<ReadGeneration, HubError> {
    let r = tx.query_one(
        "SELECT (SELECT count(*) FROM uploads), (SELECT count(*) FROM adjudications),
                (SELECT n FROM read_model_changes WHERE kind = 'content'),
                (SELECT n FROM read_model_changes WHERE kind = 'privacy')",
        &[],
    )?;
    Ok(ReadGeneration {
        uploads: r.i64(0)?,
        adjudications: r.i64(1)?,
        content: r.i64(2)?,
        privacy: r.i64(3)?,
    })
}

/// See [`super::HubStore::reclaim`]: unlabelled copies whose lease ended by `as_of` go
/// back to the pool; pool copies are counted (gold copies are closed too).
pub(super) fn reclaim(tx: &mut dyn Tx, as_of: i64) -> Result<u64, HubError> {
    tx.lock(Lock::Key(POOL_LOCK))?;
    let n = tx.execute(
        &format!(
            "UPDATE copies AS c SET state = 'returned', returned_at = $1
             WHERE c.state = 'open' AND NOT c.gold AND c.lease_expires_at <= $1 AND NOT ({LABELLED})"
        ),
        args![as_of],
    )?;
    tx.execute(
        &format!(
            "UPDATE copies AS c SET state = 'returned', returned_at = $1
             WHERE c.state = 'open' AND c.gold AND c.lease_expires_at <= $1 AND NOT ({LABELLED})"
        ),
        args![as_of],
    )?;
    Ok(n)
}

/// See [`super::HubStore::metrics_counts`].
pub(super) fn metrics_counts(
    tx: &mut dyn Tx,
    latency_bounds_secs: &[f64],
    now: i64,
) -> Result<HubCounts, HubError> {
    let mut out = HubCounts::default();
    for r in tx.query(
        &format!(
            "SELECT r, count(*) FROM (
               SELECT CASE WHEN c.gold THEN 'gold' ELSE coalesce(c.reason, 'unknown') END AS r
               FROM copies c WHERE c.state = 'open' AND NOT ({LABELLED})
               UNION ALL
               -- items assigned outside the pipeline (POST /v1/admin/assign), in unexpired batches
               SELECT 'assigned' FROM assignments c JOIN batches b ON b.batch_id = c.batch_id
               WHERE b.expires_at > $1
                 AND NOT EXISTS (SELECT 1 FROM copies cp WHERE cp.item_id = c.item_id)
                 AND NOT ({LABELLED})
             ) AS pending GROUP BY r ORDER BY r COLLATE \"C\""
        ),
        args![now],
    )? {
        out.pending_by_reason.push((r.text(0)?, r.u64(1)?));
    }
    for r in tx.query(
        "SELECT CASE WHEN retracted THEN 'retracted' ELSE coalesce(verdict, 'none') END AS v, count(*)
         FROM labels GROUP BY 1 ORDER BY 1",
        &[],
    )? {
        out.labels_by_verdict.push((r.text(0)?, r.u64(1)?));
    }
    // One pass: a sum per bucket bound (milliseconds, integers), the sum and count.
    let mut sql = String::from(
        "SELECT count(*), CAST(coalesce(sum(CASE WHEN received_at_ms > decided_at_ms THEN received_at_ms - decided_at_ms ELSE 0 END), 0) AS BIGINT)",
    );
    for b in latency_bounds_secs {
        let ms = (b * 1000.0).round() as i64;
        sql.push_str(&format!(
            ", CAST(coalesce(sum(CASE WHEN received_at_ms - decided_at_ms <= {ms} THEN 1 ELSE 0 END), 0) AS BIGINT)"
        ));
    }
    sql.push_str(" FROM labels");
    let r = tx.query_one(&sql, &[])?;
    out.latency_count = r.u64(0)?;
    out.latency_sum_secs = r.i64(1)? as f64 / 1000.0;
    for i in 0..latency_bounds_secs.len() {
        out.latency_buckets.push(r.u64(2 + i)?);
    }
    let r = tx.query_one(
        "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM devices WHERE revoked_at IS NULL)",
        &[],
    )?;
    out.messages = r.u64(0)?;
    out.devices_active = r.u64(1)?;
    Ok(out)
}
