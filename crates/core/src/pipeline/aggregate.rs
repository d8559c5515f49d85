//! Aggregating several annotators' labels into one per item, and measuring how far to
//! trust them: majority vote, Dawid–Skene, Krippendorff's α and Cohen's κ (nominal),
//! accuracy on gold items, and the list of disagreements for adjudication.
//!
//! Items, annotators and classes are dense indices (the caller interns ids), so a
//! million labels fit in a few arrays and aggregate in about a second.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One label: item, annotator, class (dense indices).
pub type Annotation = (u32, u32, u32);

/// Labels with their index spaces.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    /// Number of items.
    pub items: usize,
    /// Number of annotators.
    pub annotators: usize,
    /// Number of classes.
    pub classes: usize,
    /// The labels (at most one per item and annotator: the current revision).
    pub rows: Vec<Annotation>,
}

impl Annotations {
    /// Labels grouped by item: `(start, end)` ranges into a sorted copy of the rows.
    fn by_item(&self) -> (Vec<Annotation>, Vec<usize>) {
        let mut rows = self.rows.clone();
        rows.sort_unstable();
        let mut starts = vec![0usize; self.items + 1];
        for r in &rows {
            starts[r.0 as usize + 1] += 1;
        }
        for i in 0..self.items {
            starts[i + 1] += starts[i];
        }
        (rows, starts)
    }
}

/// Majority vote per item: the most frequent class, ties broken by the lowest class
/// index (deterministic); `None` for unlabelled items. Also says whether it was a tie.
pub fn majority(a: &Annotations) -> Vec<Option<(u32, bool)>> {
    let (rows, starts) = a.by_item();
    let mut counts = vec![0u32; a.classes];
    (0..a.items)
        .map(|i| {
            let slice = &rows[starts[i]..starts[i + 1]];
            if slice.is_empty() {
                return None;
            }
            for r in slice {
                counts[r.2 as usize] += 1;
            }
            let mut best = (0u32, 0u32);
            let mut tie = false;
            for r in slice {
                let c = counts[r.2 as usize];
                if c > best.1 || (c == best.1 && r.2 < best.0) {
                    tie = c == best.1 && r.2 != best.0 && best.1 > 0;
                    best = (r.2, c);
                } else if c == best.1 && r.2 != best.0 {
                    tie = true;
                }
            }
            for r in slice {
                counts[r.2 as usize] = 0;
            }
            Some((best.0, tie))
        })
        .collect()
}

/// Dawid–Skene result.
#[derive(Debug, Clone, Serialize)]
pub struct DawidSkene {
    /// Most probable class per item and its posterior (None for unlabelled items).
    pub labels: Vec<Option<(u32, f64)>>,
    /// Estimated class priors.
    pub priors: Vec<f64>,
    /// Each annotator's estimated accuracy (trace of the confusion matrix weighted by priors).
    pub annotator_accuracy: Vec<f64>,
    /// EM iterations run.
    pub iterations: usize,
}

/// Posterior mass kept per item: the top classes only (the rest is below 1e-6 in
/// practice), which keeps a million items in a few dozen MB.
const TOP: usize = 4;

/// Dawid–Skene EM, initialised from vote shares; stops when the largest change in a
/// posterior falls below `tol` or after `max_iter` iterations. Confusion matrices are
/// smoothed (add 0.01) so unseen cells never become exactly zero. Posteriors are kept
/// sparse (top classes per item, renormalised).
pub fn dawid_skene(a: &Annotations, max_iter: usize, tol: f64) -> DawidSkene {
    let (k, n_ann) = (a.classes, a.annotators);
    let (rows, starts) = a.by_item();
    let empty = (u32::MAX, 0.0f32);
    // Sparse posteriors: TOP (class, p) slots per item.
    let mut t = vec![empty; a.items * TOP];
    for i in 0..a.items {
        let slice = &rows[starts[i]..starts[i + 1]];
        let slots = &mut t[i * TOP..(i + 1) * TOP];
        for r in slice {
            let w = 1.0 / slice.len() as f32;
            match slots.iter().position(|s| s.0 == r.2) {
                Some(p) => slots[p].1 += w,
                None => {
                    if let Some(p) = slots.iter().position(|s| s.0 == u32::MAX) {
                        slots[p] = (r.2, w);
                    }
                }
            }
        }
    }
    let mut priors = vec![1.0 / k as f64; k];
    // log P(annotator says `given` | true class), laid out [annotator][given][true] so
    // the E-step adds contiguous rows.
    let mut log_pi = vec![0.0f64; n_ann * k * k];
    let mut iterations = 0;
    let mut post = vec![0.0f64; k];
    for it in 0..max_iter {
        iterations = it + 1;
        // M-step: priors and confusion matrices pi[a][true][given].
        let mut pi = vec![0.01f64; n_ann * k * k];
        let mut prior_sum = vec![0.0f64; k];
        for i in 0..a.items {
            let slots = &t[i * TOP..(i + 1) * TOP];
            for &(c, w) in slots.iter().filter(|s| s.0 != u32::MAX) {
                prior_sum[c as usize] += f64::from(w);
                for r in &rows[starts[i]..starts[i + 1]] {
                    pi[r.1 as usize * k * k + c as usize * k + r.2 as usize] += f64::from(w);
                }
            }
        }
        let total: f64 = prior_sum.iter().sum::<f64>().max(1e-12);
        for c in 0..k {
            priors[c] = (prior_sum[c] / total).max(1e-12);
        }
        for ann in 0..n_ann {
            for c in 0..k {
                let row = &pi[ann * k * k + c * k..ann * k * k + (c + 1) * k];
                let sum: f64 = row.iter().sum();
                for (j, v) in row.iter().enumerate() {
                    log_pi[ann * k * k + j * k + c] = (v / sum).ln();
                }
            }
        }
        let log_priors: Vec<f64> = priors.iter().map(|p| p.ln()).collect();
        // E-step.
        let mut delta = 0.0f64;
        for i in 0..a.items {
            let slice = &rows[starts[i]..starts[i + 1]];
            if slice.is_empty() {
                continue;
            }
            post.copy_from_slice(&log_priors);
            for r in slice {
                let row = &log_pi[(r.1 as usize * k + r.2 as usize) * k..][..k];
                for (p, l) in post.iter_mut().zip(row) {
                    *p += l;
                }
            }
            // The TOP most likely classes by log-posterior (comparisons only), then exp
            // just those and renormalise over them.
            let mut best = [(u32::MAX, f64::NEG_INFINITY); TOP];
            for (c, &lp) in post.iter().enumerate() {
                if lp > best[TOP - 1].1 {
                    let pos = best.iter().position(|b| lp > b.1).unwrap_or(TOP - 1);
                    best[pos..].rotate_right(1);
                    best[pos] = (c as u32, lp);
                }
            }
            let m = best[0].1;
            let mut top = [empty; TOP];
            for (slot, b) in top.iter_mut().zip(best) {
                if b.0 != u32::MAX && b.1 - m > -14.0 {
                    *slot = (b.0, (b.1 - m).exp() as f32);
                }
            }
            let kept: f64 = top
                .iter()
                .filter(|s| s.0 != u32::MAX)
                .map(|s| f64::from(s.1))
                .sum();
            let slots = &mut t[i * TOP..(i + 1) * TOP];
            for s in top.iter_mut().filter(|s| s.0 != u32::MAX) {
                let v = f64::from(s.1) / kept;
                let old = slots
                    .iter()
                    .find(|o| o.0 == s.0)
                    .map(|o| f64::from(o.1))
                    .unwrap_or(0.0);
                delta = delta.max((v - old).abs());
                s.1 = v as f32;
            }
            slots.copy_from_slice(&top);
        }
        if delta < tol {
            break;
        }
    }
    let labels = (0..a.items)
        .map(|i| {
            let s = t[i * TOP];
            (s.0 != u32::MAX).then(|| (s.0, f64::from(s.1)))
        })
        .collect();
    let annotator_accuracy = (0..n_ann)
        .map(|ann| {
            (0..k)
                .map(|c| priors[c] * log_pi[ann * k * k + c * k + c].exp())
                .sum::<f64>()
        })
        .collect();
    DawidSkene {
        labels,
        priors,
        annotator_accuracy,
        iterations,
    }
}

/// Krippendorff's α for nominal data over all items with at least two labels.
/// `None` when there is no pairable value or no variation at all.
pub fn krippendorff_alpha(a: &Annotations) -> Option<f64> {
    let (rows, starts) = a.by_item();
    let mut n_c = vec![0.0f64; a.classes];
    let mut agree = 0.0f64; // sum over c of o_cc
    let mut n = 0.0f64;
    let mut counts: HashMap<u32, f64> = HashMap::new();
    for i in 0..a.items {
        let slice = &rows[starts[i]..starts[i + 1]];
        let m = slice.len();
        if m < 2 {
            continue;
        }
        counts.clear();
        for r in slice {
            *counts.entry(r.2).or_default() += 1.0;
        }
        for (&c, &x) in &counts {
            agree += x * (x - 1.0) / (m as f64 - 1.0);
            n_c[c as usize] += x;
        }
        n += m as f64;
    }
    if n < 2.0 {
        return None;
    }
    let d_o = (n - agree) / n;
    let sum_sq: f64 = n_c.iter().map(|x| x * x).sum();
    let d_e = (n * n - sum_sq) / (n * (n - 1.0));
    if d_e <= 0.0 {
        return None;
    }
    Some(1.0 - d_o / d_e)
}

/// What Cohen's κ needs for one annotator pair: the items both labelled, how many of
/// them they agree on, and each one's class counts over those items. Kept as counts so
/// the hub can list every pair and the mean can weight pairs by shared items, both
/// from one pass and one formula.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairTally {
    /// Items both annotators labelled.
    pub shared: u64,
    /// Of those, items they gave the same class.
    pub agree: u64,
    /// The first annotator's class counts over the shared items.
    first: BTreeMap<u32, u64>,
    /// The second annotator's class counts over the shared items.
    second: BTreeMap<u32, u64>,
}

impl PairTally {
    /// Count one item both labelled: `x` is the first annotator's class, `y` the
    /// second's.
    pub fn add(&mut self, x: u32, y: u32) {
        self.shared += 1;
        self.agree += u64::from(x == y);
        *self.first.entry(x).or_default() += 1;
        *self.second.entry(y).or_default() += 1;
    }

    /// Cohen's κ of the pair: `None` when they share fewer than two items or chance
    /// agreement is 1 (κ is undefined then, not zero). Classes are summed in index
    /// order, so the value does not depend on which annotator is first.
    pub fn kappa(&self) -> Option<f64> {
        if self.shared < 2 {
            return None;
        }
        let n = self.shared as f64;
        let po = self.agree as f64 / n;
        let pe: f64 = self
            .first
            .iter()
            .map(|(c, x)| (*x as f64 / n) * (self.second.get(c).copied().unwrap_or(0) as f64 / n))
            .sum();
        if (1.0 - pe).abs() < 1e-12 {
            return None;
        }
        Some((po - pe) / (1.0 - pe))
    }
}

/// Every annotator pair's [`PairTally`] in one pass over items, each given as its
/// `(annotator, class)` labels (at most one per annotator). Keys are `(a, b)` with
/// `a < b`; a pair that shares no item is absent. One function for the hub's per-pair
/// list and [`mean_pairwise_kappa`], so both measure agreement the same way.
pub fn pair_tallies<'a>(
    items: impl IntoIterator<Item = &'a [(u32, u32)]>,
) -> BTreeMap<(u32, u32), PairTally> {
    let mut pairs: BTreeMap<(u32, u32), PairTally> = BTreeMap::new();
    for r in items {
        for p in 0..r.len() {
            for q in p + 1..r.len() {
                let (x, y) = if r[p].0 < r[q].0 {
                    (r[p], r[q])
                } else {
                    (r[q], r[p])
                };
                if x.0 == y.0 {
                    continue;
                }
                pairs.entry((x.0, y.0)).or_default().add(x.1, y.1);
            }
        }
    }
    pairs
}

/// Cohen's κ between two annotators over the items both labelled; `None` if they
/// share fewer than two items or chance agreement is 1.
pub fn cohen_kappa(a: &Annotations, x: u32, y: u32) -> Option<(f64, usize)> {
    let mut lx: HashMap<u32, u32> = HashMap::new();
    let mut ly: HashMap<u32, u32> = HashMap::new();
    for r in &a.rows {
        if r.1 == x {
            lx.insert(r.0, r.2);
        } else if r.1 == y {
            ly.insert(r.0, r.2);
        }
    }
    let mut t = PairTally::default();
    for (item, cx) in &lx {
        if let Some(cy) = ly.get(item) {
            t.add(*cx, *cy);
        }
    }
    t.kappa().map(|k| (k, t.shared as usize))
}

/// Mean pairwise Cohen's κ, weighted by shared items, over every annotator pair whose
/// κ is defined (two or more shared items, chance agreement below 1).
pub fn mean_pairwise_kappa(a: &Annotations) -> Option<f64> {
    let (rows, starts) = a.by_item();
    let labels: Vec<(u32, u32)> = rows.iter().map(|r| (r.1, r.2)).collect();
    let pairs = pair_tallies((0..a.items).map(|i| &labels[starts[i]..starts[i + 1]]));
    let mut num = 0.0;
    let mut den = 0.0;
    for p in pairs.values() {
        if let Some(k) = p.kappa() {
            let n = p.shared as f64;
            num += k * n;
            den += n;
        }
    }
    (den > 0.0).then(|| num / den)
}

/// Each annotator's accuracy on gold items: (correct, answered) per annotator.
pub fn gold_accuracy(a: &Annotations, gold: &HashMap<u32, u32>) -> Vec<(usize, usize)> {
    let mut out = vec![(0usize, 0usize); a.annotators];
    for r in &a.rows {
        if let Some(g) = gold.get(&r.0) {
            let e = &mut out[r.1 as usize];
            e.1 += 1;
            e.0 += usize::from(*g == r.2);
        }
    }
    out
}

/// Items whose labels are not unanimous (for the manager to adjudicate).
pub fn disagreements(a: &Annotations) -> Vec<u32> {
    let (rows, starts) = a.by_item();
    (0..a.items)
        .filter(|&i| {
            let s = &rows[starts[i]..starts[i + 1]];
            s.len() >= 2 && s.iter().any(|r| r.2 != s[0].2)
        })
        .map(|i| i as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Krippendorff's canonical nominal example (Krippendorff 2011, 4 coders, 12
        // units, with missing values): alpha = 0.743.
        let data: [[i32; 12]; 4] = [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
            [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
        ];
        let mut rows = Vec::new();
        for (coder, row) in data.iter().enumerate() {
            for (unit, &v) in row.iter().enumerate() {
                if v > 0 {
                    rows.push((unit as u32, coder as u32, v as u32));
                }
            }
        }
        let a = Annotations {
            items: 12,
            annotators: 4,
            classes: 6,
            rows,
        };
        let alpha = krippendorff_alpha(&a).unwrap();
        assert!((alpha - 0.743).abs() < 0.001, "{alpha}");

        // Cohen's kappa: 2 raters, 50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → 0.4.
        let mut rows = Vec::new();
        let pairs = [(0, 0, 20), (0, 1, 5), (1, 0, 10), (1, 1, 15)];
        let mut item = 0;
        for (x, y, n) in pairs {
            for _ in 0..n {
                rows.push((item, 0, x));
                rows.push((item, 1, y));
                item += 1;
            }
        }
        let a = Annotations {
            items: 50,
            annotators: 2,
            classes: 2,
            rows,
        };
        let (k, n) = cohen_kappa(&a, 0, 1).unwrap();
        assert_eq!(n, 50);
        assert!((k - 0.4).abs() < 1e-9, "{k}");
        assert!((mean_pairwise_kappa(&a).unwrap() - 0.4).abs() < 1e-9);
        assert_eq!(disagreements(&a).len(), 15);
    }

    #[test]
    fn pair_tallies_list_every_pair_once_with_the_same_kappa() {
        // Three annotators; items as (annotator, class) labels.
        let items: Vec<Vec<(u32, u32)>> = vec![
            vec![(0, 0), (1, 0), (2, 1)],
            vec![(1, 1), (0, 1)],
            vec![(0, 0), (2, 0)],
            vec![(2, 1), (1, 0)],
            vec![(1, 2)],
        ];
        let pairs = pair_tallies(items.iter().map(Vec::as_slice));
        let keys: Vec<(u32, u32)> = pairs.keys().copied().collect();
        assert_eq!(keys, [(0, 1), (0, 2), (1, 2)]);
        let p01 = &pairs[&(0, 1)];
        assert_eq!((p01.shared, p01.agree), (2, 2));
        let p12 = &pairs[&(1, 2)];
        assert_eq!((p12.shared, p12.agree), (2, 0));
        // 0 and 1 agree on both items, with two classes: κ = 1.
        assert_eq!(p01.kappa(), Some(1.0));
        // 1 always says 0 and 2 always says 1: po = pe = 0, κ = 0.
        assert_eq!(p12.kappa(), Some(0.0));
        // 0 and 2: one agreement of two, 0 says 0 twice → pe = 1/2, κ = 0.
        assert_eq!(pairs[&(0, 2)].kappa(), Some(0.0));
        // One shared item, or a single class throughout: κ undefined, not zero.
        let mut one = PairTally::default();
        one.add(3, 3);
        assert_eq!(one.kappa(), None);
        one.add(3, 3);
        assert_eq!(one.kappa(), None);
        // The same numbers as cohen_kappa over the same labels.
        let rows: Vec<Annotation> = items
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.iter().map(move |&(a, c)| (i as u32, a, c)))
            .collect();
        let a = Annotations {
            items: items.len(),
            annotators: 3,
            classes: 3,
            rows,
        };
        assert_eq!(cohen_kappa(&a, 0, 1), Some((1.0, 2)));
        assert_eq!(cohen_kappa(&a, 2, 1), Some((0.0, 2)));
        // Weighted by shared items: (1·2 + 0·2 + 0·2) / 6 = 1/3.
        let mean = mean_pairwise_kappa(&a).unwrap();
        assert!((mean - 1.0 / 3.0).abs() < 1e-12, "{mean}");
    }

    #[test]
    fn dawid_skene_discounts_a_bad_annotator() {
        // Three reliable annotators, each wrong on a different tenth of the items, and
        // one who always says class 0.
        let mut rows = Vec::new();
        let truth: Vec<u32> = (0..300).map(|i| (i % 3) as u32).collect();
        for (i, &t) in truth.iter().enumerate() {
            let i = i as u32;
            for ann in 0..3u32 {
                rows.push((i, ann, if i % 10 == ann { (t + 1) % 3 } else { t }));
            }
            rows.push((i, 3, 0));
        }
        let a = Annotations {
            items: 300,
            annotators: 4,
            classes: 3,
            rows,
        };
        let ds = dawid_skene(&a, 50, 1e-6);
        let right = ds
            .labels
            .iter()
            .zip(&truth)
            .filter(|(l, t)| l.map(|x| x.0) == Some(**t))
            .count();
        let mv_right = majority(&a)
            .iter()
            .zip(&truth)
            .filter(|(m, t)| m.map(|x| x.0) == Some(**t))
            .count();
        assert_eq!(right, 300, "Dawid-Skene");
        assert!(
            mv_right < 300,
            "majority vote is fooled by the spammer on ties ({mv_right})"
        );
        assert!(
            ds.annotator_accuracy[3] < 0.5 && ds.annotator_accuracy[0] > 0.85,
            "{:?}",
            ds.annotator_accuracy
        );
        let gold: HashMap<u32, u32> = (0..30).map(|i| (i, truth[i as usize])).collect();
        let acc = gold_accuracy(&a, &gold);
        assert_eq!(acc[0], (27, 30));
        assert_eq!(acc[3], (10, 30));
    }
}
