//! Suspected label errors by confident learning (Northcutt, Jiang & Chuang, "Confident
//! Learning: Estimating Uncertainty in Dataset Labels", JAIR 70, 2021), written here from
//! the paper.
//!
//! Input: items that carry a given (human) label and the model's *out-of-sample*
//! predicted distribution (the model never trained on the item; production predictions
//! on new messages are, a model retrained on these labels is not). Output: the items
//! whose label the model confidently contradicts, most suspicious first.
//!
//! The method, as in the paper:
//!
//! 1. **Per-class thresholds** `t_j` = the mean of `p(j)` over the items labelled `j`
//!    (the model's expected self-confidence for class `j`). A class nobody labelled has
//!    no threshold and is never a confident prediction.
//! 2. **Confident joint** `C[i][j]`: an item labelled `i` counts in `C[i][j]` for `j`,
//!    the class of highest `p(j)` among those with `p(j) ≥ t_j` (ties: the lowest class
//!    id). Items with no class above its threshold are not counted.
//! 3. **Calibration** (paper Eq. 2–3): each row is rescaled to the number of items
//!    labelled `i`, `C̃[i][j] = C[i][j] / Σ_j C[i][j] · n_i`, and normalised into the
//!    joint `Q = C̃ / Σ C̃`.
//! 4. **Prune by noise rate**: for every off-diagonal cell `i ≠ j`, the `round(n · Q[i][j])`
//!    items labelled `i` with the largest margin `p(j) − p(i)` are suspects (ties: the
//!    earlier item). An item whose confident prediction *is* its label is never a
//!    candidate, and a selected item whose argmax (highest `p`, ties: the lowest class
//!    id) is its label is dropped (the reference implementation's final filter: the
//!    model's plain prediction agrees with the label, margin ≤ 0), so a cell may flag
//!    fewer items than its count.
//! 5. **Ranking** by self-confidence: lowest `p(given label)` first, then item order.
//!
//! Missing mass: a model may send only its top intents. Probabilities that are not
//! finite or negative count as 0, above 1 as 1; a class listed twice keeps its first
//! (best) entry. If the listed mass exceeds 1 it is scaled to 1. Otherwise the
//! leftover `1 − Σ listed` is spread evenly over the classes the item does not list
//! (the model said "somewhere else" without saying where). The classes are the union of
//! all given labels and all listed intents. Every value is finite, so the output is
//! NaN-free, and it does not depend on the order of the items (thresholds are summed in
//! sorted order, ties break on class ids), except for exact ties in margin or
//! self-confidence, which break on item order.

use std::collections::{BTreeSet, HashMap};

/// Thresholds are compared with this slack, so an item exactly at its class mean counts
/// whatever the rounding of the mean (the reference implementation uses 1e-6).
const SLACK: f64 = 1e-9;

/// One item in dense form: its given label and its distribution, sparse.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    given: usize,
    /// (class, probability), sorted by class, each class once.
    listed: Vec<(usize, f64)>,
    /// Probability of every class not listed.
    fill: f64,
}

impl Row {
    fn p(&self, class: usize) -> f64 {
        match self.listed.binary_search_by_key(&class, |e| e.0) {
            Ok(k) => self.listed[k].1,
            Err(_) => self.fill,
        }
    }

    /// The class of highest probability over all classes (ties: the lowest class id),
    /// the model's plain prediction; `classes` is the size of the class set.
    fn argmax(&self, classes: usize) -> usize {
        let mut best = (0usize, f64::NEG_INFINITY);
        for c in 0..classes {
            let p = self.p(c);
            if p > best.1 {
                best = (c, p);
            }
        }
        best.0
    }
}

/// Items with given labels and out-of-sample distributions, in the dense form the
/// method works on (the class set is fixed when the problem is built).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    classes: Vec<String>,
    rows: Vec<Row>,
}

fn clean(p: f64) -> f64 {
    if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

impl Problem {
    /// Build from `(given label, distribution)` pairs, the distribution as the model
    /// sent it (`(intent, probability)`, possibly only the top intents); see the module
    /// documentation for how missing mass is treated.
    pub fn new<'a, I>(items: I) -> Problem
    where
        I: IntoIterator<Item = (&'a str, &'a [(String, f64)])>,
    {
        let items: Vec<(&str, &[(String, f64)])> = items.into_iter().collect();
        let names: BTreeSet<&str> = items
            .iter()
            .flat_map(|(g, d)| std::iter::once(*g).chain(d.iter().map(|e| e.0.as_str())))
            .collect();
        let classes: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        let k = classes.len();
        let rows = items
            .iter()
            .map(|(given, dist)| {
                let mut listed: Vec<(usize, f64)> = Vec::with_capacity(dist.len());
                let mut seen = BTreeSet::new();
                for (c, p) in dist.iter() {
                    let c = index[c.as_str()];
                    if seen.insert(c) {
                        listed.push((c, clean(*p)));
                    }
                }
                Row::from_listed(index[given], listed, k)
            })
            .collect();
        Problem { classes, rows }
    }

    /// Build from class indices and full distributions (`probs[i][c]`, one row per item
    /// and `classes` entries each): for evaluations where the classifier is dense.
    /// Classes are named by their index.
    pub fn from_dense(given: &[usize], probs: &[Vec<f64>], classes: usize) -> Problem {
        let rows = given
            .iter()
            .zip(probs)
            .map(|(&g, p)| {
                let listed = p
                    .iter()
                    .take(classes)
                    .enumerate()
                    .map(|(c, &v)| (c, clean(v)))
                    .collect();
                Row::from_listed(g.min(classes.saturating_sub(1)), listed, classes)
            })
            .collect();
        Problem {
            classes: (0..classes).map(|c| c.to_string()).collect(),
            rows,
        }
    }

    /// The class ids, sorted; class indices in [`Analysis`] refer to this list.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True if there are no items.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The probability the (cleaned) distribution of item `item` gives class `class`.
    pub fn p(&self, item: usize, class: usize) -> f64 {
        self.rows.get(item).map_or(0.0, |r| r.p(class))
    }

    /// The given label's class index of item `item`.
    pub fn given(&self, item: usize) -> Option<usize> {
        self.rows.get(item).map(|r| r.given)
    }
}

impl Row {
    fn from_listed(given: usize, mut listed: Vec<(usize, f64)>, classes: usize) -> Row {
        listed.sort_by_key(|e| e.0);
        let mass: f64 = listed.iter().map(|e| e.1).sum();
        let unlisted = classes.saturating_sub(listed.len());
        let fill = if mass > 1.0 {
            for e in &mut listed {
                e.1 /= mass;
            }
            0.0
        } else if unlisted > 0 {
            (1.0 - mass) / unlisted as f64
        } else {
            0.0
        };
        Row {
            given,
            listed,
            fill,
        }
    }
}

/// One suspected label error.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    /// Index of the item in the problem.
    pub index: usize,
    /// Its given label (class index).
    pub given: usize,
    /// The class the model confidently prefers (the off-diagonal cell it was pruned
    /// from, the one of largest margin if several).
    pub suggested: usize,
    /// `p(given label)`: lower is more suspicious.
    pub self_confidence: f64,
}

/// What confident learning found.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Per class, its threshold `t_j` (None: nobody labelled the class).
    pub thresholds: Vec<Option<f64>>,
    /// Per item, its confident prediction (None: no class above its threshold).
    pub confident: Vec<Option<usize>>,
    /// The confident joint `C[given][confident]`.
    pub confident_joint: Vec<Vec<usize>>,
    /// Estimated number of label errors per off-diagonal cell, `round(n · Q[i][j])`
    /// (0 on the diagonal).
    pub prune_counts: Vec<Vec<usize>>,
    /// The suspects, lowest self-confidence first.
    pub suspects: Vec<Suspect>,
}

/// Run confident learning over a problem (see the module documentation).
pub fn find(problem: &Problem) -> Analysis {
    let k = problem.classes.len();
    let n = problem.rows.len();
    // 1. Thresholds, summed in sorted order so they do not depend on item order.
    let mut per_class: Vec<Vec<f64>> = vec![Vec::new(); k];
    for r in &problem.rows {
        per_class[r.given].push(r.p(r.given));
    }
    let thresholds: Vec<Option<f64>> = per_class
        .iter_mut()
        .map(|v| {
            if v.is_empty() {
                return None;
            }
            v.sort_by(f64::total_cmp);
            Some(v.iter().sum::<f64>() / v.len() as f64)
        })
        .collect();
    let min_threshold = thresholds
        .iter()
        .flatten()
        .copied()
        .fold(f64::INFINITY, f64::min);
    // 2. Confident predictions and the confident joint.
    let above = |c: usize, p: f64| thresholds[c].is_some_and(|t| p >= t - SLACK);
    let confident: Vec<Option<usize>> = problem
        .rows
        .iter()
        .map(|r| {
            let mut best: Option<(usize, f64)> = None;
            let mut consider = |c: usize, p: f64| {
                if above(c, p) && best.is_none_or(|(bc, bp)| p > bp || (p == bp && c < bc)) {
                    best = Some((c, p));
                }
            };
            for &(c, p) in &r.listed {
                consider(c, p);
            }
            if r.fill >= min_threshold - SLACK {
                let mut li = 0;
                for c in 0..k {
                    if li < r.listed.len() && r.listed[li].0 == c {
                        li += 1;
                        continue;
                    }
                    consider(c, r.fill);
                }
            }
            best.map(|b| b.0)
        })
        .collect();
    let mut joint = vec![vec![0usize; k]; k];
    let mut n_given = vec![0usize; k];
    for (r, c) in problem.rows.iter().zip(&confident) {
        n_given[r.given] += 1;
        if let Some(c) = c {
            joint[r.given][*c] += 1;
        }
    }
    // 3. Calibrate rows to the label counts, normalise into the joint Q.
    let mut calibrated = vec![vec![0.0f64; k]; k];
    for i in 0..k {
        let row: usize = joint[i].iter().sum();
        if row > 0 {
            for j in 0..k {
                calibrated[i][j] = joint[i][j] as f64 / row as f64 * n_given[i] as f64;
            }
        }
    }
    let total: f64 = calibrated.iter().flatten().sum();
    let mut prune_counts = vec![vec![0usize; k]; k];
    if total > 0.0 {
        for i in 0..k {
            for j in 0..k {
                if i != j {
                    prune_counts[i][j] = (n as f64 * calibrated[i][j] / total).round() as usize;
                }
            }
        }
    }
    // 4. Prune by noise rate: per off-diagonal cell, the largest margins p(j) − p(i).
    let mut by_given: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (x, r) in problem.rows.iter().enumerate() {
        if confident[x] != Some(r.given) {
            by_given[r.given].push(x);
        }
    }
    // item → (margin, suggested class) of its best cell.
    let mut flagged: HashMap<usize, (f64, usize)> = HashMap::new();
    for (i, counts) in prune_counts.iter().enumerate() {
        for (j, &m) in counts.iter().enumerate() {
            if i == j || m == 0 || by_given[i].is_empty() {
                continue;
            }
            let mut cands: Vec<(f64, usize)> = by_given[i]
                .iter()
                .map(|&x| {
                    let r = &problem.rows[x];
                    (r.p(j) - r.p(i), x)
                })
                .collect();
            let cmp = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            let m = m.min(cands.len());
            if m < cands.len() {
                cands.select_nth_unstable_by(m - 1, cmp);
                cands.truncate(m);
            }
            for (margin, x) in cands {
                // The reference implementation's final filter: the model's plain
                // prediction agrees with the label, so it is not contradicting it.
                if problem.rows[x].argmax(k) == i {
                    continue;
                }
                let e = flagged.entry(x).or_insert((margin, j));
                if margin > e.0 || (margin == e.0 && j < e.1) {
                    *e = (margin, j);
                }
            }
        }
    }
    // 5. Rank by self-confidence.
    let mut suspects: Vec<Suspect> = flagged
        .into_iter()
        .map(|(x, (_, j))| {
            let r = &problem.rows[x];
            Suspect {
                index: x,
                given: r.given,
                suggested: j,
                self_confidence: r.p(r.given),
            }
        })
        .collect();
    suspects.sort_by(|a, b| {
        a.self_confidence
            .total_cmp(&b.self_confidence)
            .then(a.index.cmp(&b.index))
    });
    Analysis {
        thresholds,
        confident,
        confident_joint: joint,
        prune_counts,
        suspects,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(v: &[(&str, f64)]) -> Vec<(String, f64)> {
        v.iter().map(|(c, p)| (c.to_string(), *p)).collect()
    }

    /// Worked by hand. Classes a, b. Items labelled a: p(a) = 0.9, 0.8, 0.2 (the third is
    /// really b); labelled b: p(b) = 0.7, 0.9, 0.5.
    ///
    /// t_a = (0.9 + 0.8 + 0.2) / 3 = 0.6333, t_b = (0.7 + 0.9 + 0.5) / 3 = 0.7.
    /// Item 0 (a, .9/.1): a above, b not → C[a][a]. Item 1 (a, .8/.2) → C[a][a].
    /// Item 2 (a, .2/.8): b ≥ 0.7 → C[a][b]. Item 3 (b, .3/.7): b ≥ 0.7 → C[b][b].
    /// Item 4 (b, .1/.9) → C[b][b]. Item 5 (b, .5/.5): a 0.5 < 0.633, b 0.5 < 0.7 → none.
    /// C = [[2, 1], [0, 2]]; calibrated rows: a: [2, 1]·3/3, b: [0, 2]·3/2 = [0, 3];
    /// Q = [[2, 1], [0, 3]] / 6; n·Q[a][b] = 1 → prune the a-labelled item of largest
    /// p(b) − p(a): item 2. n·Q[b][a] = 0.
    #[test]
    fn hand_worked_example() {
        let items = [
            ("a", d(&[("a", 0.9), ("b", 0.1)])),
            ("a", d(&[("a", 0.8), ("b", 0.2)])),
            ("a", d(&[("b", 0.8), ("a", 0.2)])),
            ("b", d(&[("b", 0.7), ("a", 0.3)])),
            ("b", d(&[("b", 0.9), ("a", 0.1)])),
            ("b", d(&[("a", 0.5), ("b", 0.5)])),
        ];
        let p = Problem::new(items.iter().map(|(g, v)| (*g, v.as_slice())));
        let a = find(&p);
        assert_eq!(p.classes(), ["a", "b"]);
        assert!((a.thresholds[0].unwrap() - 1.9 / 3.0).abs() < 1e-12);
        assert!((a.thresholds[1].unwrap() - 0.7).abs() < 1e-12);
        assert_eq!(
            a.confident,
            vec![Some(0), Some(0), Some(1), Some(1), Some(1), None]
        );
        assert_eq!(a.confident_joint, vec![vec![2, 1], vec![0, 2]]);
        assert_eq!(a.prune_counts, vec![vec![0, 1], vec![0, 0]]);
        assert_eq!(
            a.suspects,
            vec![Suspect {
                index: 2,
                given: 0,
                suggested: 1,
                self_confidence: 0.2
            }]
        );
    }

    #[test]
    fn missing_mass_is_spread_over_unlisted_classes() {
        // Three classes; the item lists only a = 0.6, so b and c get 0.2 each.
        let items = [
            ("a", d(&[("a", 0.6)])),
            ("b", d(&[("b", 1.0)])),
            ("c", d(&[("c", 2.0), ("a", f64::NAN)])),
        ];
        let p = Problem::new(items.iter().map(|(g, v)| (*g, v.as_slice())));
        assert!((p.p(0, 1) - 0.2).abs() < 1e-12 && (p.p(0, 2) - 0.2).abs() < 1e-12);
        // Over-full mass is scaled to 1; NaN counts as 0.
        assert_eq!(p.p(2, 2), 1.0);
        assert_eq!(p.p(2, 0), 0.0);
        let a = find(&p);
        assert!(a.suspects.is_empty());
        assert!(a.thresholds.iter().flatten().all(|t| t.is_finite()));
    }

    #[test]
    fn classes_nobody_labelled_are_never_confident_and_empty_input_is_fine() {
        let items = [
            ("a", d(&[("z", 0.99), ("a", 0.01)])),
            ("a", d(&[("a", 0.9), ("z", 0.1)])),
        ];
        let p = Problem::new(items.iter().map(|(g, v)| (*g, v.as_slice())));
        let a = find(&p);
        assert_eq!(a.thresholds[1], None);
        assert!(a.confident.iter().all(|c| *c != Some(1)));
        assert!(a.suspects.is_empty());
        let empty = find(&Problem::new(std::iter::empty()));
        assert!(empty.suspects.is_empty() && empty.thresholds.is_empty());
    }

    #[test]
    fn ties_are_deterministic() {
        // t_a = 0.508, t_b = 0.9; C[a] = [2, 1] calibrated to [4, 2] → prune 2 from
        // (a, b): item 2 (margin 0.9) and one of the three equal margins 0.2: the earliest.
        let mut items = vec![
            ("a", d(&[("a", 0.9), ("b", 0.1)])),
            ("a", d(&[("a", 0.9), ("b", 0.1)])),
            ("a", d(&[("b", 0.95), ("a", 0.05)])),
        ];
        for _ in 0..3 {
            items.push(("a", d(&[("a", 0.4), ("b", 0.6)])));
        }
        for _ in 0..4 {
            items.push(("b", d(&[("b", 0.9), ("a", 0.1)])));
        }
        let p = Problem::new(items.iter().map(|(g, v)| (*g, v.as_slice())));
        let a = find(&p);
        assert_eq!(a.prune_counts[0][1], 2);
        let idx: Vec<usize> = a.suspects.iter().map(|s| s.index).collect();
        assert_eq!(idx, vec![2, 3]);
        assert_eq!(find(&p), a);
    }

    /// Classes a, b. Labelled a: two at (0.9, 0.1), one at (0.1, 0.9), X1 and X2 at
    /// (0.55, 0.45); labelled b: four at (0.2, 0.8). t_a = 0.6, t_b = 0.8. X1 and X2 have
    /// no confident class (0.55 < 0.6, 0.45 < 0.8); C[a] = [2, 1], calibrated
    /// [3.33, 1.67], so n·Q[a][b] = 9 · 1.67 / 9 → 2 items pruned from the cell: the
    /// 0.9-for-b item and X1 (largest margins). But the model's argmax for X1 is a, its
    /// label: it agrees, so X1 must not be flagged.
    #[test]
    fn an_item_whose_argmax_is_its_label_is_not_flagged() {
        let mut items = vec![
            ("a", d(&[("a", 0.9), ("b", 0.1)])),
            ("a", d(&[("a", 0.9), ("b", 0.1)])),
            ("a", d(&[("a", 0.1), ("b", 0.9)])),
            ("a", d(&[("a", 0.55), ("b", 0.45)])),
            ("a", d(&[("a", 0.55), ("b", 0.45)])),
        ];
        for _ in 0..4 {
            items.push(("b", d(&[("a", 0.2), ("b", 0.8)])));
        }
        let p = Problem::new(items.iter().map(|(g, v)| (*g, v.as_slice())));
        let a = find(&p);
        assert_eq!(a.confident_joint, vec![vec![2, 1], vec![0, 4]]);
        assert_eq!(a.prune_counts, vec![vec![0, 2], vec![0, 0]]);
        let flagged: Vec<usize> = a.suspects.iter().map(|s| s.index).collect();
        assert_eq!(flagged, vec![2]);
    }

    fn problem_strategy() -> impl Strategy<Value = (Vec<usize>, Vec<Vec<f64>>)> {
        (2usize..5, 4usize..40).prop_flat_map(|(k, n)| {
            (
                proptest::collection::vec(0..k, n),
                proptest::collection::vec(proptest::collection::vec(0.001f64..1.0, k), n),
            )
                .prop_map(|(g, raw)| {
                    let probs = raw
                        .into_iter()
                        .map(|r| {
                            let s: f64 = r.iter().sum();
                            r.into_iter().map(|x| x / s).collect()
                        })
                        .collect();
                    (g, probs)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn never_flags_an_item_whose_label_is_the_confident_prediction((g, probs) in problem_strategy()) {
            let k = probs[0].len();
            let p = Problem::from_dense(&g, &probs, k);
            let a = find(&p);
            for s in &a.suspects {
                prop_assert_ne!(a.confident[s.index], Some(s.given));
                let row = &probs[s.index];
                let top = (0..k).fold(0, |b, c| if row[c] > row[b] { c } else { b });
                prop_assert_ne!(top, s.given);
                prop_assert!(s.self_confidence.is_finite());
                prop_assert_ne!(s.suggested, s.given);
            }
            let total: usize = a.prune_counts.iter().flatten().sum();
            prop_assert!(a.suspects.len() <= total);
            prop_assert!(a.suspects.windows(2).all(|w| w[0].self_confidence <= w[1].self_confidence));
        }

        #[test]
        fn permutation_invariant((g, probs) in problem_strategy(), seed in any::<u64>()) {
            let k = probs[0].len();
            let n = g.len();
            let mut perm: Vec<usize> = (0..n).collect();
            crate::pipeline::select::Rng::new(seed).shuffle(&mut perm);
            let g2: Vec<usize> = perm.iter().map(|&i| g[i]).collect();
            let p2: Vec<Vec<f64>> = perm.iter().map(|&i| probs[i].clone()).collect();
            let a = find(&Problem::from_dense(&g, &probs, k));
            let b = find(&Problem::from_dense(&g2, &p2, k));
            prop_assert_eq!(&a.thresholds, &b.thresholds);
            prop_assert_eq!(&a.confident_joint, &b.confident_joint);
            let mut sa: Vec<usize> = a.suspects.iter().map(|s| s.index).collect();
            let mut sb: Vec<usize> = b.suspects.iter().map(|s| perm[s.index]).collect();
            sa.sort_unstable();
            sb.sort_unstable();
            prop_assert_eq!(sa, sb);
        }
    }
}
