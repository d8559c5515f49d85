//! Planning batches: each pool item goes to `overlap` different annotators (who never
//! see each other's labels), annotators get balanced loads in the pool's priority
//! order, and a share of hidden gold items with known answers is mixed in at random
//! positions. Which annotators already hold a copy is the caller's input ([`Need`]);
//! leases and reassignment are the hub's (they need its state).

use super::select::Rng;
use serde::Serialize;

/// What a planned batch slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "index")]
pub enum Slot {
    /// Position in the pool.
    Pool(usize),
    /// Index into the gold items.
    Gold(usize),
}

/// One batch for one annotator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedBatch {
    /// Index into the annotators given.
    pub annotator: usize,
    /// The items, in order.
    pub slots: Vec<Slot>,
}

/// What one pool entry still needs at dispatch: the hub knows which devices already
/// hold a copy (from earlier dispatches), so planning must avoid them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// Copies to hand out.
    pub copies: usize,
    /// Annotator indexes that already hold a copy.
    pub exclude: Vec<usize>,
}

/// Copies a pool entry still needs, given how many devices already hold an active one:
/// up to `overlap` for a message under review, one more look for a suspected label
/// error whatever it already had (a second opinion, not a new round). The hub's pool
/// view and its dispatch count with this one rule, so what the manager is shown is
/// what goes out.
pub fn copies_needed(reason: crate::batch::Reason, overlap: usize, held: usize) -> usize {
    if reason == crate::batch::Reason::SuspectedLabelError {
        1
    } else {
        overlap.saturating_sub(held)
    }
}

/// Plan batches: each pool entry's copies go to distinct annotators that do not hold
/// one yet (least loaded first, in the pool's priority order), chunked into batches of
/// `batch_size` pool items, with gold items mixed in at random positions so a share
/// `gold_share` of each batch is gold. Returns the batches and how many copies could
/// not be placed for lack of distinct annotators, so a caller can report a shortfall
/// instead of hiding it. Pure and deterministic for a seed, so the hub's dispatch and
/// its tests and benchmarks plan the same way.
pub fn plan(
    needs: &[Need],
    annotators: usize,
    batch_size: usize,
    gold_len: usize,
    gold_share: f64,
    seed: u64,
) -> (Vec<PlannedBatch>, usize) {
    let mut queues: Vec<Vec<usize>> = vec![Vec::new(); annotators];
    let mut shortfall = 0;
    for (j, need) in needs.iter().enumerate() {
        let mut order: Vec<usize> = (0..annotators)
            .filter(|d| !need.exclude.contains(d))
            .collect();
        // Least loaded first; ties rotate with the entry so loads stay even.
        order.sort_by_key(|&d| {
            (
                queues[d].len(),
                (d + annotators - j % annotators.max(1)) % annotators,
            )
        });
        let take = need.copies.min(order.len());
        shortfall += need.copies - take;
        for &d in &order[..take] {
            queues[d].push(j);
        }
    }
    let mut rng = Rng::new(seed ^ 0x601d);
    let mut out = Vec::new();
    for (d, q) in queues.into_iter().enumerate() {
        for chunk in q.chunks(batch_size.max(1)) {
            let slots = with_gold(chunk, gold_len, gold_share, &mut rng);
            out.push(PlannedBatch {
                annotator: d,
                slots,
            });
        }
    }
    (out, shortfall)
}

/// One batch's slots: its pool items, with hidden gold items (distinct where possible)
/// inserted at random places so that `gold_share` of the batch is gold. No gold when
/// the share is 0 or there is none to draw from.
pub fn with_gold(chunk: &[usize], gold_len: usize, gold_share: f64, rng: &mut Rng) -> Vec<Slot> {
    let mut slots: Vec<Slot> = chunk.iter().map(|&j| Slot::Pool(j)).collect();
    if gold_share <= 0.0 || gold_len == 0 {
        return slots;
    }
    let n_gold = ((chunk.len() as f64 * gold_share / (1.0 - gold_share)).round() as usize).max(1);
    let mut golds: Vec<usize> = (0..gold_len).collect();
    for g in 0..n_gold {
        let pick = if g < golds.len() {
            let j = g + rng.below(golds.len() - g);
            golds.swap(g, j);
            golds[g]
        } else {
            rng.below(gold_len)
        };
        let pos = rng.below(slots.len() + 1);
        slots.insert(pos, Slot::Gold(pick));
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn overlap_goes_to_distinct_annotators_with_gold_mixed_in() {
        let needs = vec![
            Need {
                copies: 2,
                exclude: vec![],
            };
            300
        ];
        let (batches, shortfall) = plan(&needs, 3, 40, 20, 0.05, 1);
        assert_eq!(shortfall, 0);
        let mut seen: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut gold = 0;
        let mut pool_slots = 0;
        for b in &batches {
            for s in &b.slots {
                match s {
                    Slot::Pool(j) => {
                        seen.entry(*j).or_default().push(b.annotator);
                        pool_slots += 1;
                    }
                    Slot::Gold(_) => gold += 1,
                }
            }
        }
        assert_eq!(seen.len(), 300);
        assert!(seen.values().all(|a| a.len() == 2 && a[0] != a[1]));
        let share = gold as f64 / (gold + pool_slots) as f64;
        assert!((0.04..=0.07).contains(&share), "gold share {share}");
        let loads: Vec<usize> = (0..3)
            .map(|a| {
                batches
                    .iter()
                    .filter(|b| b.annotator == a)
                    .map(|b| b.slots.len())
                    .sum()
            })
            .collect();
        assert!(
            loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 3,
            "{loads:?}"
        );
        // The same seed plans the same batches.
        assert_eq!(plan(&needs, 3, 40, 20, 0.05, 1).0, batches);
    }

    #[test]
    fn copies_go_to_distinct_annotators_not_already_holding_one() {
        let needs: Vec<Need> = (0..100)
            .map(|j| Need {
                copies: if j < 10 { 1 } else { 2 },
                exclude: if j < 10 { vec![j % 3] } else { vec![] },
            })
            .collect();
        let (batches, shortfall) = plan(&needs, 3, 20, 5, 0.05, 1);
        assert_eq!(shortfall, 0);
        let mut holders: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut gold = 0;
        for b in &batches {
            assert!(
                b.slots
                    .iter()
                    .filter(|s| matches!(s, Slot::Pool(_)))
                    .count()
                    <= 20
            );
            for s in &b.slots {
                match s {
                    Slot::Pool(j) => holders.entry(*j).or_default().push(b.annotator),
                    Slot::Gold(_) => gold += 1,
                }
            }
        }
        for (j, h) in &holders {
            let mut d = h.clone();
            d.dedup();
            assert_eq!(d.len(), h.len(), "two copies of {j} on one annotator");
            assert_eq!(h.len(), needs[*j].copies);
            assert!(h.iter().all(|d| !needs[*j].exclude.contains(d)));
        }
        assert!(gold >= batches.len());
    }

    #[test]
    fn a_suspected_label_error_gets_one_more_look_others_fill_up_to_overlap() {
        use crate::batch::Reason;
        assert_eq!(copies_needed(Reason::LowConfidence, 3, 0), 3);
        assert_eq!(copies_needed(Reason::RandomSample, 3, 1), 2);
        assert_eq!(copies_needed(Reason::FalsePositive, 2, 5), 0);
        assert_eq!(copies_needed(Reason::SuspectedLabelError, 3, 3), 1);
        assert_eq!(copies_needed(Reason::SuspectedLabelError, 1, 0), 1);
    }

    #[test]
    fn a_shortfall_is_reported_not_hidden() {
        // Two copies wanted, two annotators, one already holds it: one copy is short.
        let (batches, short) = plan(
            &[Need {
                copies: 2,
                exclude: vec![0],
            }],
            2,
            10,
            0,
            0.0,
            1,
        );
        assert_eq!(short, 1);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].annotator, 1);
        assert_eq!(batches[0].slots, vec![Slot::Pool(0)]);
        // No annotators at all: every copy is short, nothing is planned.
        let (none, short) = plan(
            &[Need {
                copies: 3,
                exclude: vec![],
            }],
            0,
            10,
            0,
            0.0,
            1,
        );
        assert!(none.is_empty());
        assert_eq!(short, 3);
    }
}
