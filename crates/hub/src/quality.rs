//! What the labels that came back say: each message's final label (the manager's
//! adjudication, else its gold answer, else Dawid–Skene or majority over the
//! annotators), agreement (Krippendorff's α, Cohen's κ) overall and per batch, company
//! and model intent, each annotator's gold accuracy and self-consistency, and the
//! disagreements left for the manager.
//!
//! The maths is the engine's ([`labelvault_core::pipeline::aggregate`]); this module
//! turns the hub's stored labels into its dense indices and back. Only decisions count
//! as labels here: `correct` stands for the model's intent, `wrong` for the intent
//! given; `unsure` and `skip` are counted but never aggregated.

use crate::store::{Adjudication, CopyLabel};
pub use labelvault_core::admin_api::{
    Agreement, AnnotatorQuality, CopyLabelView, Counts, DawidSkeneView, Disagreement, GoldScore,
    MajorityView, Method, Pace, PairKappa, QualityReport, SelfConsistency,
};
use labelvault_core::labels::Verdict;
use labelvault_core::pipeline::aggregate::{self, Annotations};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Dawid–Skene stops after this many EM iterations (the engine bench's setting)...
pub const DS_MAX_ITER: usize = 30;
/// ...or once no posterior moves by more than this.
pub const DS_TOL: f64 = 1e-4;

/// Where a message's final label comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The manager decided.
    Adjudicated,
    /// A gold message: its answer is known.
    Gold,
    /// Aggregated from the annotators' decisions.
    Aggregated,
}

/// One labelled message.
#[derive(Debug, Clone)]
pub struct MessageState {
    /// Hub-side id.
    pub message_id: String,
    /// Company.
    pub company: String,
    /// Channel.
    pub channel: String,
    /// The model's intent.
    pub model_intent: String,
    /// The model's confidence.
    pub confidence: f64,
    /// A gold message.
    pub gold: bool,
    /// The final label and where it comes from (None: nobody decided yet).
    pub final_label: Option<(String, Source)>,
}

/// The intent a label stands for, if it is a decision.
pub fn decided_intent(c: &CopyLabel) -> Option<&str> {
    match c.verdict {
        Verdict::Correct => Some(c.model_intent.as_str()),
        Verdict::Wrong => c.intent_id.as_deref(),
        Verdict::Unsure | Verdict::Skip => None,
    }
}

/// The stored labels in the engine's dense form, plus everything needed to map back.
pub struct Aggregation {
    /// The labelled copies, as loaded (ordered by message id, item id).
    pub copies: Vec<CopyLabel>,
    /// Messages (dense index = item index of `annotations`), by id.
    pub messages: Vec<MessageState>,
    /// Annotator ids (dense index).
    pub annotators: Vec<String>,
    /// Intent ids (dense index).
    pub intents: Vec<String>,
    /// One decision per message and annotator (their latest by decision time, then
    /// item id), over every message.
    pub annotations: Annotations,
    /// Per copy: (message index, annotator index, intent index if a decision).
    pub copy_index: Vec<(u32, u32, Option<u32>)>,
    /// Majority per message.
    pub majority: Vec<Option<(u32, bool)>>,
    /// Dawid–Skene per message and annotator accuracies (only with that method).
    pub dawid_skene: Option<aggregate::DawidSkene>,
    /// The adjudication in force per message index.
    pub adjudication: HashMap<u32, Adjudication>,
    /// Which method produced the aggregated labels.
    pub method: Method,
}

fn intern(map: &mut HashMap<String, u32>, list: &mut Vec<String>, s: &str) -> u32 {
    if let Some(&i) = map.get(s) {
        return i;
    }
    let i = list.len() as u32;
    map.insert(s.to_string(), i);
    list.push(s.to_string());
    i
}

impl Aggregation {
    /// Build from the store's labelled copies and adjudications.
    pub fn build(
        mut copies: Vec<CopyLabel>,
        adjudications: Vec<Adjudication>,
        method: Method,
    ) -> Aggregation {
        // Sorted here rather than trusting the database's collation.
        copies.sort_by(|a, b| {
            a.message_id
                .cmp(&b.message_id)
                .then_with(|| a.item_id.cmp(&b.item_id))
        });
        let mut msg_ix: HashMap<String, u32> = HashMap::new();
        let mut messages: Vec<MessageState> = Vec::new();
        let mut ann_ids: Vec<String> = copies.iter().map(|c| c.annotator_id.clone()).collect();
        ann_ids.sort_unstable();
        ann_ids.dedup();
        let ann_ix: HashMap<&str, u32> = ann_ids
            .iter()
            .enumerate()
            .map(|(i, a)| (a.as_str(), i as u32))
            .collect();
        // Intents sorted, so majority ties break on the lowest id, deterministically.
        let mut intent_ids: Vec<String> = copies
            .iter()
            .filter_map(|c| decided_intent(c).map(str::to_string))
            .chain(copies.iter().filter_map(|c| c.gold_intent.clone()))
            .chain(
                adjudications
                    .iter()
                    .filter(|a| !a.intent.is_empty())
                    .map(|a| a.intent.clone()),
            )
            .collect();
        intent_ids.sort_unstable();
        intent_ids.dedup();
        let mut intent_ix: HashMap<String, u32> = intent_ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        let mut copy_index = Vec::with_capacity(copies.len());
        // (message, annotator) → (decided_at, item id, intent) of the latest decision.
        let mut latest: HashMap<(u32, u32), (i64, &str, u32)> = HashMap::new();
        for c in &copies {
            let m = match msg_ix.get(&c.message_id) {
                Some(&m) => m,
                None => {
                    let m = messages.len() as u32;
                    msg_ix.insert(c.message_id.clone(), m);
                    messages.push(MessageState {
                        message_id: c.message_id.clone(),
                        company: c.company.clone(),
                        channel: c.channel.clone(),
                        model_intent: c.model_intent.clone(),
                        confidence: c.confidence,
                        gold: c.gold_intent.is_some(),
                        final_label: None,
                    });
                    m
                }
            };
            let a = ann_ix[c.annotator_id.as_str()];
            let k = decided_intent(c).map(|i| intern(&mut intent_ix, &mut intent_ids, i));
            copy_index.push((m, a, k));
            if let Some(k) = k {
                let e = latest
                    .entry((m, a))
                    .or_insert((c.decided_at_ms, &c.item_id, k));
                if (c.decided_at_ms, c.item_id.as_str()) > (e.0, e.1) {
                    *e = (c.decided_at_ms, &c.item_id, k);
                }
            }
        }
        let mut rows: Vec<(u32, u32, u32)> = latest
            .into_iter()
            .map(|((m, a), (_, _, k))| (m, a, k))
            .collect();
        rows.sort_unstable();
        let annotations = Annotations {
            items: messages.len(),
            annotators: ann_ids.len(),
            classes: intent_ids.len(),
            rows,
        };
        let majority = aggregate::majority(&annotations);
        let dawid_skene = (method == Method::DawidSkene && annotations.classes > 0)
            .then(|| aggregate::dawid_skene(&annotations, DS_MAX_ITER, DS_TOL));
        let mut adjudication = HashMap::new();
        // The latest entry per message is in force; an empty intent (an undo that
        // restored nothing) leaves the message to its gold answer or its labels.
        for a in adjudications {
            if let Some(&m) = msg_ix.get(&a.message_id) {
                if a.intent.is_empty() {
                    adjudication.remove(&m);
                } else {
                    adjudication.insert(m, a);
                }
            }
        }
        let mut agg = Aggregation {
            copies,
            messages,
            annotators: ann_ids,
            intents: intent_ids,
            annotations,
            copy_index,
            majority,
            dawid_skene,
            adjudication,
            method,
        };
        let gold: HashMap<u32, String> = agg
            .copies
            .iter()
            .zip(&agg.copy_index)
            .filter_map(|(c, ix)| c.gold_intent.clone().map(|g| (ix.0, g)))
            .collect();
        for m in 0..agg.messages.len() {
            let label = if let Some(a) = agg.adjudication.get(&(m as u32)) {
                Some((a.intent.clone(), Source::Adjudicated))
            } else if let Some(g) = gold.get(&(m as u32)) {
                Some((g.clone(), Source::Gold))
            } else {
                agg.aggregated(m)
                    .map(|k| (agg.intents[k as usize].clone(), Source::Aggregated))
            };
            agg.messages[m].final_label = label;
        }
        agg
    }

    /// The aggregated intent index of a message by the chosen method, if any.
    pub fn aggregated(&self, m: usize) -> Option<u32> {
        match &self.dawid_skene {
            Some(ds) => ds.labels.get(m).copied().flatten().map(|l| l.0),
            None => self.majority.get(m).copied().flatten().map(|l| l.0),
        }
    }

    /// Count of each final-label source.
    pub fn sources(&self) -> BTreeMap<&'static str, u64> {
        let mut out = BTreeMap::from([("adjudicated", 0), ("gold", 0), ("aggregated", 0)]);
        for m in &self.messages {
            if let Some((_, s)) = &m.final_label {
                let k = match s {
                    Source::Adjudicated => "adjudicated",
                    Source::Gold => "gold",
                    Source::Aggregated => "aggregated",
                };
                *out.entry(k).or_default() += 1;
            }
        }
        out
    }
}

/// Agreement over the messages `items` (dense indices), re-indexed so the engine's
/// per-item arrays stay as small as the group.
fn agreement(
    agg: &Aggregation,
    by_item: &[Vec<(u32, u32)>],
    key: String,
    items: &[u32],
) -> Agreement {
    let mut rows = Vec::new();
    let (mut pairs, mut agreeing, mut paired) = (0u64, 0u64, 0u64);
    for (j, &i) in items.iter().enumerate() {
        let r = &by_item[i as usize];
        if r.len() >= 2 {
            paired += 1;
        }
        for p in 0..r.len() {
            for q in p + 1..r.len() {
                pairs += 1;
                agreeing += u64::from(r[p].1 == r[q].1);
            }
        }
        rows.extend(r.iter().map(|&(a, k)| (j as u32, a, k)));
    }
    let sub = Annotations {
        items: items.len(),
        annotators: agg.annotations.annotators,
        classes: agg.annotations.classes,
        rows,
    };
    Agreement {
        key,
        device_id: None,
        messages: items
            .iter()
            .filter(|&&i| !by_item[i as usize].is_empty())
            .count() as u64,
        paired_messages: paired,
        labels: sub.rows.len() as u64,
        alpha: aggregate::krippendorff_alpha(&sub),
        kappa: aggregate::mean_pairwise_kappa(&sub),
        observed_agreement: (pairs > 0).then(|| agreeing as f64 / pairs as f64),
    }
}

/// Decisions taking less than this are too fast to have read the message, whatever
/// the team's pace.
pub const TOO_FAST_FLOOR_MS: u64 = 800;

/// An annotator is flagged when at least this share of their timed decisions (of at
/// least [`PACE_MIN_DECISIONS`]) is too fast.
pub const TOO_FAST_FLAG_SHARE: f64 = 0.2;

/// Fewest timed decisions before an annotator can be flagged.
pub const PACE_MIN_DECISIONS: u64 = 10;

/// The value at quantile `q` (nearest rank) of sorted durations.
fn quantile(sorted: &[u64], q: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[i])
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The quality report. Agreement is measured on pool (non-gold) messages: gold items
/// are measured against their answer instead.
pub fn quality(agg: &Aggregation) -> QualityReport {
    let n = agg.messages.len();
    let mut by_item: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
    for &(m, a, k) in &agg.annotations.rows {
        by_item[m as usize].push((a, k));
    }
    let pool: Vec<u32> = (0..n as u32)
        .filter(|&m| !agg.messages[m as usize].gold)
        .collect();
    let overall = agreement(agg, &by_item, "all".into(), &pool);
    let mut batches: BTreeMap<(&str, &str), Vec<u32>> = BTreeMap::new();
    let mut companies: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    let mut intents: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (c, &(m, _, _)) in agg.copies.iter().zip(&agg.copy_index) {
        if !c.gold {
            batches
                .entry((c.batch_id.as_str(), c.device_id.as_str()))
                .or_default()
                .push(m);
        }
    }
    for &m in &pool {
        let s = &agg.messages[m as usize];
        companies.entry(s.company.as_str()).or_default().push(m);
        intents.entry(s.model_intent.as_str()).or_default().push(m);
    }
    let by_batch = batches
        .into_iter()
        .map(|((b, d), mut items)| {
            items.sort_unstable();
            items.dedup();
            let mut g = agreement(agg, &by_item, b.to_string(), &items);
            g.device_id = Some(d.to_string());
            g
        })
        .collect();
    let group = |map: BTreeMap<&str, Vec<u32>>| -> Vec<Agreement> {
        map.into_iter()
            .map(|(k, items)| agreement(agg, &by_item, k.to_string(), &items))
            .collect()
    };
    let by_company = group(companies);
    let by_intent = group(intents);

    // Pairwise κ in one pass over the pool messages.
    let pairs = aggregate::pair_tallies(pool.iter().map(|&m| by_item[m as usize].as_slice()))
        .into_iter()
        .map(|((a, b), p)| PairKappa {
            annotator_a: agg.annotators[a as usize].clone(),
            annotator_b: agg.annotators[b as usize].clone(),
            shared: p.shared,
            kappa: p.kappa(),
        })
        .collect();

    // Per annotator.
    let na = agg.annotators.len();
    let mut q: Vec<AnnotatorQuality> = agg
        .annotators
        .iter()
        .enumerate()
        .map(|(i, id)| AnnotatorQuality {
            annotator_id: id.clone(),
            name: None,
            devices: Vec::new(),
            copies_labelled: 0,
            decisions: 0,
            unsure: 0,
            skipped: 0,
            gold: GoldScore {
                answered: 0,
                correct: 0,
                accuracy: None,
            },
            self_consistency: SelfConsistency {
                messages: 0,
                pairs: 0,
                agreeing: 0,
                rate: None,
            },
            dawid_skene_accuracy: agg
                .dawid_skene
                .as_ref()
                .and_then(|d| d.annotator_accuracy.get(i).copied()),
            agreement_with_aggregate: None,
            unsure_rate: None,
            skip_rate: None,
            pace: Pace::default(),
        })
        .collect();
    let mut counts = Counts::default();
    // Timed decisions per annotator, for their pace.
    let mut times: Vec<Vec<u64>> = vec![Vec::new(); na];
    // Every decision per (annotator, message), for self-consistency.
    let mut seen: BTreeMap<(u32, u32), Vec<u32>> = BTreeMap::new();
    for (c, &(m, a, k)) in agg.copies.iter().zip(&agg.copy_index) {
        let e = &mut q[a as usize];
        if !e.devices.contains(&c.device_id) {
            e.devices.push(c.device_id.clone());
        }
        e.copies_labelled += 1;
        counts.copies_labelled += 1;
        if c.gold {
            counts.gold_copies_labelled += 1;
        }
        match c.verdict {
            Verdict::Unsure => {
                e.unsure += 1;
                counts.unsure += 1;
            }
            Verdict::Skip => {
                e.skipped += 1;
                counts.skipped += 1;
            }
            _ => {}
        }
        if let Some(k) = k {
            e.decisions += 1;
            counts.decisions += 1;
            if c.duration_ms > 0 {
                times[a as usize].push(c.duration_ms);
            }
            seen.entry((a, m)).or_default().push(k);
            if let (true, Some(g)) = (c.gold, &c.gold_intent) {
                e.gold.answered += 1;
                e.gold.correct += u64::from(agg.intents[k as usize] == *g);
            }
        }
    }
    for ((a, _), ks) in &seen {
        if ks.len() < 2 {
            continue;
        }
        let s = &mut q[*a as usize].self_consistency;
        s.messages += 1;
        for p in 0..ks.len() {
            for r in p + 1..ks.len() {
                s.pairs += 1;
                s.agreeing += u64::from(ks[p] == ks[r]);
            }
        }
    }
    let mut with_final = vec![(0u64, 0u64); na];
    for &(m, a, k) in &agg.annotations.rows {
        let s = &agg.messages[m as usize];
        if s.gold {
            continue;
        }
        if let Some((l, _)) = &s.final_label {
            with_final[a as usize].1 += 1;
            with_final[a as usize].0 += u64::from(agg.intents[k as usize] == *l);
        }
    }
    let mut team: Vec<u64> = times.iter().flatten().copied().collect();
    team.sort_unstable();
    let below = quantile(&team, 0.5).map_or(TOO_FAST_FLOOR_MS, |m| (m / 4).max(TOO_FAST_FLOOR_MS));
    for (e, mut t) in q.iter_mut().zip(times) {
        t.sort_unstable();
        let too_fast = t.iter().filter(|d| **d < below).count() as u64;
        let share = ratio(too_fast, t.len() as u64);
        e.pace = Pace {
            timed: t.len() as u64,
            median_ms: quantile(&t, 0.5),
            p10_ms: quantile(&t, 0.1),
            too_fast,
            too_fast_below_ms: below,
            too_fast_share: share,
            flagged: t.len() as u64 >= PACE_MIN_DECISIONS
                && share.is_some_and(|x| x >= TOO_FAST_FLAG_SHARE),
        };
        e.unsure_rate = ratio(e.unsure, e.copies_labelled);
        e.skip_rate = ratio(e.skipped, e.copies_labelled);
    }
    for (e, (ok, all)) in q.iter_mut().zip(with_final) {
        e.gold.accuracy = ratio(e.gold.correct, e.gold.answered);
        e.self_consistency.rate = ratio(e.self_consistency.agreeing, e.self_consistency.pairs);
        e.agreement_with_aggregate = ratio(ok, all);
        e.devices.sort_unstable();
    }
    counts.messages_labelled = by_item.iter().filter(|r| !r.is_empty()).count() as u64;
    counts.messages_with_overlap = by_item.iter().filter(|r| r.len() >= 2).count() as u64;
    counts.adjudicated = agg.adjudication.len() as u64;
    counts.disagreements = disagreements(agg, false).len() as u64;
    QualityReport {
        method: agg.method,
        counts,
        overall,
        by_batch,
        by_company,
        by_intent,
        pairs,
        annotators: q,
    }
}

/// Every current label of message `m`.
pub fn labels_of(agg: &Aggregation, m: u32) -> Vec<CopyLabelView> {
    // Copies are sorted by message id, so one message's copies are contiguous.
    let id = &agg.messages[m as usize].message_id;
    let start = agg.copies.partition_point(|c| c.message_id < *id);
    agg.copies[start..]
        .iter()
        .take_while(|c| c.message_id == *id)
        .map(|c| CopyLabelView {
            annotator_id: c.annotator_id.clone(),
            device_id: c.device_id.clone(),
            item_id: c.item_id.clone(),
            batch_id: c.batch_id.clone(),
            verdict: c.verdict.as_str().to_string(),
            intent: decided_intent(c).map(str::to_string),
            decided_at_ms: c.decided_at_ms,
        })
        .collect()
}

/// Non-gold messages whose annotators decided differently (`conflict`), or whose every
/// label is unsure or skip (`undecided`); the most contested first (smallest winning
/// share, then message id). Adjudicated ones only if `include_adjudicated`.
pub fn disagreements(agg: &Aggregation, include_adjudicated: bool) -> Vec<Disagreement> {
    let n = agg.messages.len();
    let mut by_item: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(m, _, k) in &agg.annotations.rows {
        by_item[m as usize].push(k);
    }
    let mut out = Vec::new();
    for (m, s) in agg.messages.iter().enumerate() {
        if s.gold {
            continue;
        }
        let adj = agg.adjudication.get(&(m as u32));
        if adj.is_some() && !include_adjudicated {
            continue;
        }
        let ks = &by_item[m];
        let kind = if ks.is_empty() {
            "undecided"
        } else if ks.len() >= 2 && ks.iter().any(|k| *k != ks[0]) {
            "conflict"
        } else {
            continue;
        };
        let majority = agg.majority[m].map(|(k, tie)| MajorityView {
            intent: agg.intents[k as usize].clone(),
            votes: ks.iter().filter(|x| **x == k).count() as u64,
            tie,
        });
        let top_share = majority
            .as_ref()
            .map_or(0.0, |v| v.votes as f64 / ks.len() as f64);
        out.push((
            top_share,
            Disagreement {
                message_id: s.message_id.clone(),
                kind: kind.to_string(),
                company: s.company.clone(),
                model_intent: s.model_intent.clone(),
                confidence: s.confidence,
                gold: s.gold,
                labels: labels_of(agg, m as u32),
                majority,
                dawid_skene: agg
                    .dawid_skene
                    .as_ref()
                    .and_then(|d| d.labels[m])
                    .map(|(k, p)| DawidSkeneView {
                        intent: agg.intents[k as usize].clone(),
                        posterior: p,
                    }),
                adjudication: adj.cloned(),
                text: None,
            },
        ));
    }
    // The most contested first: smallest winning share, then message id.
    out.sort_by(|(a_share, a), (b_share, b)| {
        a_share
            .total_cmp(b_share)
            .then_with(|| a.message_id.cmp(&b.message_id))
    });
    out.into_iter().map(|(_, d)| d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(item: &str, msg: &str, ann: &str, verdict: Verdict, intent: Option<&str>) -> CopyLabel {
        CopyLabel {
            item_id: item.into(),
            message_id: msg.into(),
            batch_id: format!("b_{ann}"),
            device_id: format!("d_{ann}"),
            annotator_id: ann.into(),
            gold: msg.starts_with('g'),
            verdict,
            intent_id: intent.map(str::to_string),
            decided_at_ms: 1,
            company: "acme".into(),
            model_intent: "x".into(),
            confidence: 0.5,
            gold_intent: msg.starts_with('g').then(|| "y".to_string()),
            duration_ms: 4_000,
            channel: "chat".into(),
        }
    }

    #[test]
    fn final_labels_agreement_gold_and_disagreements() {
        use Verdict::*;
        let copies = vec![
            copy("i1", "g1", "a", Wrong, Some("y")),
            copy("i2", "g1", "b", Correct, None),
            copy("i9", "g1", "a", Correct, None),
            copy("i3", "m1", "a", Correct, None),
            copy("i4", "m1", "b", Correct, None),
            copy("i5", "m2", "a", Correct, None),
            copy("i6", "m2", "b", Wrong, Some("y")),
            copy("i7", "m3", "a", Unsure, None),
            copy("i8", "m3", "b", Skip, None),
        ];
        let agg = Aggregation::build(copies, Vec::new(), Method::Majority);
        let f = |id: &str| {
            agg.messages
                .iter()
                .find(|m| m.message_id == id)
                .unwrap()
                .final_label
                .clone()
        };
        assert_eq!(f("g1"), Some(("y".into(), Source::Gold)));
        assert_eq!(f("m1"), Some(("x".into(), Source::Aggregated)));
        assert_eq!(f("m3"), None);
        let q = quality(&agg);
        let a = &q.annotators[0];
        assert_eq!((a.gold.answered, a.gold.correct), (2, 1));
        assert_eq!(
            (a.self_consistency.pairs, a.self_consistency.agreeing),
            (1, 0)
        );
        assert_eq!(q.overall.paired_messages, 2);
        assert_eq!(q.overall.observed_agreement, Some(0.5));
        // One pair over the two pool messages: a says x twice, b says x then y, so
        // observed and chance agreement are both 1/2 and κ is 0.
        assert_eq!(
            q.pairs,
            vec![PairKappa {
                annotator_a: "a".into(),
                annotator_b: "b".into(),
                shared: 2,
                kappa: Some(0.0),
            }]
        );
        let d = disagreements(&agg, false);
        let ids: Vec<(&str, &str)> = d
            .iter()
            .map(|d| (d.message_id.as_str(), d.kind.as_str()))
            .collect();
        assert_eq!(ids, vec![("m3", "undecided"), ("m2", "conflict")]);
        assert_eq!(d[1].labels.len(), 2);
        assert_eq!(q.counts.disagreements, 2);
    }

    /// Time per item: medians and the fastest tenth per annotator; one who decides in
    /// under the team's threshold most of the time is flagged, untimed decisions (0 ms)
    /// do not count, and unsure and skip rates are per item labelled.
    #[test]
    fn pace_flags_decisions_too_fast_to_have_read() {
        use Verdict::*;
        let mut copies = Vec::new();
        for i in 0..12 {
            let mut c = copy(&format!("f{i}"), &format!("m{i}"), "fast", Correct, None);
            c.duration_ms = 400;
            copies.push(c);
            let mut c = copy(&format!("s{i}"), &format!("m{i}"), "slow", Correct, None);
            c.duration_ms = 3_000 + 100 * i;
            copies.push(c);
            let mut c = copy(&format!("u{i}"), &format!("m{i}"), "cli", Correct, None);
            c.duration_ms = 0;
            copies.push(c);
        }
        copies.push(copy("x1", "m20", "slow", Unsure, None));
        copies.push(copy("x2", "m21", "slow", Skip, None));
        let agg = Aggregation::build(copies, Vec::new(), Method::Majority);
        let q = quality(&agg);
        let of = |id: &str| q.annotators.iter().find(|a| a.annotator_id == id).unwrap();
        let (fast, slow, cli) = (&of("fast").pace, &of("slow").pace, &of("cli").pace);
        assert_eq!((fast.timed, fast.too_fast, fast.flagged), (12, 12, true));
        assert_eq!(fast.median_ms, Some(400));
        assert!(fast.too_fast_below_ms >= TOO_FAST_FLOOR_MS);
        assert_eq!((slow.too_fast, slow.flagged), (0, false));
        assert_eq!((slow.median_ms, slow.p10_ms), (Some(3_500), Some(3_100)));
        assert_eq!((cli.timed, cli.flagged, cli.median_ms), (0, false, None));
        let s = of("slow");
        assert_eq!(s.unsure_rate, Some(1.0 / 14.0));
        assert_eq!(s.skip_rate, Some(1.0 / 14.0));
    }
}
