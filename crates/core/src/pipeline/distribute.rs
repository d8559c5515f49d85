//! Planning batches: each pool item goes to `overlap` different annotators (who never
//! see each other's labels), annotators get balanced loads in the pool's priority
//! order, and a share of hidden gold items with known answers is mixed in at random
//! positions. Leases and reassignment are the hub's (they need its state).

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

/// How to distribute.
#[derive(Debug, Clone)]
pub struct DistributionConfig {
    /// Pool items per batch (gold comes on top).
    pub batch_size: usize,
    /// Each item goes to this many different annotators.
    pub overlap: usize,
    /// Share of gold items in a batch, in [0, 0.5].
    pub gold_share: f64,
    /// Seed for gold choice and placement.
    pub seed: u64,
}

/// Plan batches for `pool_len` items over `annotators` annotators with `gold_len` gold
/// items available.
pub fn plan(
    pool_len: usize,
    annotators: usize,
    gold_len: usize,
    cfg: &DistributionConfig,
) -> Result<Vec<PlannedBatch>, String> {
    if annotators == 0 {
        return Err("no annotators to distribute to".into());
    }
    if cfg.overlap == 0 || cfg.overlap > annotators {
        return Err(format!(
            "overlap must be between 1 and the number of annotators ({annotators})"
        ));
    }
    if cfg.batch_size == 0 {
        return Err("batch size must be at least 1".into());
    }
    if !(0.0..=0.5).contains(&cfg.gold_share) {
        return Err("gold share must be between 0 and 0.5".into());
    }
    if cfg.gold_share > 0.0 && gold_len == 0 {
        return Err("a gold share was asked for but no gold items were given".into());
    }
    // Copy c of item j goes to annotator (j*k + c) mod A: distinct for c < k <= A, and
    // loads differ by at most one.
    let mut queues: Vec<Vec<usize>> = vec![Vec::new(); annotators];
    for j in 0..pool_len {
        for c in 0..cfg.overlap {
            queues[(j * cfg.overlap + c) % annotators].push(j);
        }
    }
    let mut rng = Rng::new(cfg.seed);
    let mut out = Vec::new();
    for (a, q) in queues.into_iter().enumerate() {
        for chunk in q.chunks(cfg.batch_size) {
            let slots = with_gold(chunk, gold_len, cfg.gold_share, &mut rng);
            out.push(PlannedBatch {
                annotator: a,
                slots,
            });
        }
    }
    Ok(out)
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
        let cfg = DistributionConfig {
            batch_size: 40,
            overlap: 2,
            gold_share: 0.05,
            seed: 1,
        };
        let batches = plan(300, 3, 20, &cfg).unwrap();
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
        assert!(plan(
            10,
            1,
            0,
            &DistributionConfig {
                overlap: 2,
                ..cfg.clone()
            }
        )
        .is_err());
        assert!(
            plan(10, 2, 0, &cfg).is_err(),
            "gold share without gold items"
        );
    }
}
