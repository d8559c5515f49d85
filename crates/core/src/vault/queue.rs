//! The labelling queue and the vault's status, in the seeds' priority: reported false
//! positives, then low-confidence predictions (least confident first), then the random
//! sample in its given order. Labelled items drop out; undone ones come back.

use super::Vault;
use crate::batch::{now_unix, Alternative, Reason};
use crate::error::VaultError;
use crate::labels::LabelRecord;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// One item ready to show an annotator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueItem {
    /// Opaque item id.
    pub item_id: String,
    /// Batch it came in.
    pub batch_id: String,
    /// Redacted text.
    pub text: String,
    /// The model's intent.
    pub model_intent: String,
    /// The model's confidence.
    pub confidence: f64,
    /// The model's next guesses.
    pub alternatives: Vec<Alternative>,
    /// Why it is here.
    pub reason: Reason,
    /// Skipped earlier and back at the end of the queue.
    pub skipped: bool,
}

/// Counts per reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReasonCounts {
    /// Reported false positives.
    pub false_positive: u64,
    /// Low-confidence predictions.
    pub low_confidence: u64,
    /// Random sample of a new company.
    pub random_sample: u64,
    /// Human labels the model confidently contradicts, back for another look.
    pub suspected_label_error: u64,
}

/// A summary of what the vault holds, for the status screen and `labelvault status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VaultStatus {
    /// Profile directory.
    pub profile_dir: String,
    /// This device's fingerprint.
    pub device_fingerprint: String,
    /// Schema version of the database.
    pub schema_version: u32,
    /// Batches imported.
    pub batches: u64,
    /// Items held.
    pub items: u64,
    /// Items with a current decision other than "skip".
    pub labelled: u64,
    /// Items skipped: they come back at the end of the queue.
    pub skipped: u64,
    /// Items still to label (in unexpired batches), the skipped ones not counted.
    pub remaining: u64,
    /// Items held back on import: the device found personal data in them.
    pub quarantined: u64,
    /// All items by reason.
    pub by_reason: ReasonCounts,
    /// The hub this device is enrolled with, if any.
    pub hub: Option<super::HubLink>,
}

/// One imported batch, for the batches screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchSummary {
    /// Batch id.
    pub batch_id: String,
    /// Items held now.
    pub items: u64,
    /// Items decided.
    pub labelled: u64,
    /// Unix seconds.
    pub imported_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// Items by reason.
    pub by_reason: ReasonCounts,
    /// Taxonomy id and version.
    pub taxonomy: String,
    /// Items of this batch held back on import (personal data found; not stored).
    pub held_back: u64,
}

/// A recent decision with the item it is about (the sidebar of the labelling screen).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentDecision {
    /// The item.
    pub item: QueueItem,
    /// Its current label.
    pub label: LabelRecord,
}

/// Columns read by [`item_from_row`]; queries join `batches b` for the batch id.
pub(crate) const ITEM_COLUMNS: &str =
    "i.item_id, b.batch_id, i.text, i.model_intent, i.confidence, i.alternatives, i.reason_rank, i.skipped";

pub(crate) fn item_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<QueueItem> {
    let alts: String = r.get(5)?;
    let rank: i64 = r.get(6)?;
    Ok(QueueItem {
        item_id: r.get(0)?,
        batch_id: r.get(1)?,
        text: r.get(2)?,
        model_intent: r.get(3)?,
        confidence: r.get(4)?,
        alternatives: serde_json::from_str(&alts).unwrap_or_default(),
        reason: Reason::from_rank(rank),
        skipped: r.get::<_, i64>(7)? != 0,
    })
}

impl Vault {
    /// The next `limit` items to label, in queue order: undecided items first, then the
    /// skipped ones, oldest skip first.
    pub fn peek_queue(&self, limit: usize) -> Result<Vec<QueueItem>, VaultError> {
        let now = now_unix();
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM items i INDEXED BY items_queue
             JOIN batches b ON b.seq = i.batch_seq
             WHERE i.done = 0 AND b.expires_at > ?1
             ORDER BY i.reason_rank, i.sort_key, i.seq LIMIT ?2"
        ))?;
        let rows = st.query_map(params![now, limit as i64], item_from_row)?;
        let mut out: Vec<QueueItem> = rows.collect::<Result<_, _>>()?;
        if out.len() < limit {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM items i INDEXED BY items_skipped
                 JOIN batches b ON b.seq = i.batch_seq
                 WHERE i.done = 1 AND i.skipped = 1 AND b.expires_at > ?1
                 ORDER BY i.decided_event LIMIT ?2"
            ))?;
            let rows = st.query_map(params![now, (limit - out.len()) as i64], item_from_row)?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// The next item to label, or `None` when the queue is empty.
    pub fn next_item(&self) -> Result<Option<QueueItem>, VaultError> {
        Ok(self.peek_queue(1)?.into_iter().next())
    }

    /// One item by id, labelled or not.
    pub fn item(&self, item_id: &str) -> Result<Option<QueueItem>, VaultError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM items i WHERE i.item_id = ?1"
        ))?;
        let mut rows = st.query_map([item_id], item_from_row)?;
        Ok(rows.next().transpose()?)
    }

    /// Every batch not yet purged, newest first.
    pub fn batches(&self) -> Result<Vec<BatchSummary>, VaultError> {
        let mut st = self.conn.prepare_cached(
            "SELECT b.batch_id, b.imported_at, b.expires_at, b.taxonomy_id || ' v' || b.taxonomy_version,
                    count(i.seq), total(i.done = 1 AND i.skipped = 0),
                    total(i.reason_rank = 0), total(i.reason_rank = 1), total(i.reason_rank = 2), total(i.reason_rank = 3),
                    (SELECT count(*) FROM quarantine q WHERE q.batch_seq = b.seq)
             FROM batches b LEFT JOIN items i ON i.batch_seq = b.seq
             WHERE b.purged_at IS NULL GROUP BY b.seq ORDER BY b.seq DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok(BatchSummary {
                batch_id: r.get(0)?,
                imported_at: r.get(1)?,
                expires_at: r.get(2)?,
                taxonomy: r.get(3)?,
                items: r.get::<_, i64>(4)? as u64,
                labelled: r.get::<_, f64>(5)? as u64,
                by_reason: ReasonCounts {
                    false_positive: r.get::<_, f64>(6)? as u64,
                    low_confidence: r.get::<_, f64>(7)? as u64,
                    random_sample: r.get::<_, f64>(8)? as u64,
                    suspected_label_error: r.get::<_, f64>(9)? as u64,
                },
                held_back: r.get::<_, i64>(10)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The intents of a batch's taxonomy, in display order.
    pub fn taxonomy(&self, batch_id: &str) -> Result<Vec<crate::batch::Intent>, VaultError> {
        let mut st = self.conn.prepare_cached(
            "SELECT t.intent_id, t.description, t.examples, t.grp FROM batch_intents t
             JOIN batches b ON b.seq = t.batch_seq WHERE b.batch_id = ?1 ORDER BY t.position",
        )?;
        let rows = st.query_map([batch_id], |r| {
            let examples: String = r.get(2)?;
            Ok(crate::batch::Intent {
                id: r.get(0)?,
                description: r.get(1)?,
                // Written by import from a validated list; a damaged value shows none.
                examples: serde_json::from_str(&examples).unwrap_or_default(),
                group: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The manager's guidelines for a batch (empty if it has none or is unknown).
    pub fn guidelines(&self, batch_id: &str) -> Result<String, VaultError> {
        Ok(self
            .conn
            .query_row(
                "SELECT guidelines FROM batches WHERE batch_id = ?1",
                [batch_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Ids of every batch ever imported (purged ones included).
    pub fn batch_ids(&self) -> Result<std::collections::HashSet<String>, VaultError> {
        let mut st = self.conn.prepare_cached("SELECT batch_id FROM batches")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What the vault holds.
    pub fn status(&self) -> Result<VaultStatus, VaultError> {
        let batches: i64 = self
            .conn
            .query_row("SELECT count(*) FROM batches", [], |r| r.get(0))?;
        let mut by_reason = ReasonCounts::default();
        let (mut items, mut labelled, mut skipped) = (0u64, 0u64, 0u64);
        {
            let mut st = self.conn.prepare(
                "SELECT reason_rank, count(*), total(done = 1 AND skipped = 0), total(skipped = 1 AND done = 1)
                 FROM items GROUP BY reason_rank",
            )?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let rank: i64 = r.get(0)?;
                let n: i64 = r.get(1)?;
                let done: f64 = r.get(2)?;
                let skip: f64 = r.get(3)?;
                items += n as u64;
                labelled += done as u64;
                skipped += skip as u64;
                match Reason::from_rank(rank) {
                    Reason::FalsePositive => by_reason.false_positive += n as u64,
                    Reason::LowConfidence => by_reason.low_confidence += n as u64,
                    Reason::RandomSample => by_reason.random_sample += n as u64,
                    Reason::SuspectedLabelError => by_reason.suspected_label_error += n as u64,
                }
            }
        }
        let remaining: i64 = self.conn.query_row(
            "SELECT count(*) FROM items i JOIN batches b ON b.seq = i.batch_seq
             WHERE i.done = 0 AND b.expires_at > ?1",
            [now_unix()],
            |r| r.get(0),
        )?;
        Ok(VaultStatus {
            profile_dir: self.profile_dir.display().to_string(),
            device_fingerprint: self.identity.public().fingerprint,
            schema_version: super::SCHEMA_VERSION,
            batches: batches as u64,
            items,
            labelled,
            skipped,
            remaining: remaining as u64,
            quarantined: self
                .conn
                .query_row("SELECT count(*) FROM quarantine", [], |r| {
                    r.get::<_, i64>(0)
                })? as u64,
            by_reason,
            hub: self.hub_link()?,
        })
    }
}
