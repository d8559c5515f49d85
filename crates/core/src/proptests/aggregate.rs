//! Aggregation invariants: majority vote does not depend on who the annotators are or
//! the order of labels; unanimous items get the unanimous label from majority, and from
//! Dawid–Skene when the annotators overlap; Krippendorff's α is 1 under full agreement
//! and always within [-1, 1]; Cohen's κ is symmetric.
//!
//! Dawid–Skene is only checked with overlapping annotators: an annotator whose labels
//! no one else shares has a confusion matrix the data cannot pin down, and EM then lets
//! the class prior outvote them (e.g. annotator 0 says class 0 on two items, annotator 1
//! says class 1 on a third: Dawid–Skene labels all three 0).

use crate::pipeline::aggregate::{
    cohen_kappa, krippendorff_alpha, majority, Annotation, Annotations,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Annotations with at most one label per (item, annotator).
fn annotations() -> impl Strategy<Value = Annotations> {
    (1usize..12, 1usize..6, 1usize..5).prop_flat_map(|(items, annotators, classes)| {
        prop::collection::btree_map(
            (0..items as u32, 0..annotators as u32),
            0..classes as u32,
            0..items * annotators,
        )
        .prop_map(move |m: BTreeMap<(u32, u32), u32>| Annotations {
            items,
            annotators,
            classes,
            rows: m.into_iter().map(|((i, a), c)| (i, a, c)).collect(),
        })
    })
}

/// Annotations where every labelled item is unanimous (classes vary across items);
/// with `overlap`, every annotator labels every labelled item.
fn unanimous(overlap: bool) -> impl Strategy<Value = (Annotations, Vec<Option<u32>>)> {
    (1usize..12, 1usize..6, 1usize..5).prop_flat_map(move |(items, annotators, classes)| {
        (
            prop::collection::vec(prop::option::of(0..classes as u32), items),
            prop::collection::vec(prop::collection::vec(any::<bool>(), annotators), items),
        )
            .prop_map(move |(truth, who)| {
                let mut rows: Vec<Annotation> = Vec::new();
                let mut labelled = truth.clone();
                for (i, t) in truth.iter().enumerate() {
                    let Some(c) = t else { continue };
                    let mut any = false;
                    for (a, yes) in who[i].iter().enumerate() {
                        if *yes || overlap {
                            rows.push((i as u32, a as u32, *c));
                            any = true;
                        }
                    }
                    if !any {
                        labelled[i] = None;
                    }
                }
                (
                    Annotations {
                        items,
                        annotators,
                        classes,
                        rows,
                    },
                    labelled,
                )
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn majority_ignores_annotator_identity_and_row_order(
        a in annotations(),
        seed in any::<u64>(),
    ) {
        // A permutation of annotator ids, and of the rows, from the seed.
        let mut perm: Vec<u32> = (0..a.annotators as u32).collect();
        let mut s = seed;
        for i in (1..perm.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (s >> 33) as usize % (i + 1));
        }
        let mut b = a.clone();
        for r in &mut b.rows {
            r.1 = perm[r.1 as usize];
        }
        b.rows.reverse();
        prop_assert_eq!(majority(&a), majority(&b));
        prop_assert_eq!(krippendorff_alpha(&a), krippendorff_alpha(&b));
    }

    #[test]
    fn unanimous_items_get_the_unanimous_label((a, truth) in unanimous(false)) {
        let m = majority(&a);
        for (i, t) in truth.iter().enumerate() {
            prop_assert_eq!(m[i].map(|x| x.0), *t);
            prop_assert_eq!(m[i].is_some_and(|x| x.1), false, "a unanimous item is no tie");
        }
        // Full agreement: α is 1 whenever there is variation to agree on.
        let mut pairable: Vec<u32> = Vec::new();
        for (i, t) in truth.iter().enumerate() {
            if a.rows.iter().filter(|r| r.0 == i as u32).count() >= 2 {
                pairable.extend(*t);
            }
        }
        pairable.sort_unstable();
        pairable.dedup();
        match krippendorff_alpha(&a) {
            Some(alpha) => prop_assert!((alpha - 1.0).abs() < 1e-12, "alpha {}", alpha),
            None => prop_assert!(pairable.len() < 2),
        }
    }

    #[test]
    fn alpha_within_bounds_and_kappa_symmetric(a in annotations()) {
        if let Some(alpha) = krippendorff_alpha(&a) {
            prop_assert!((-1.0..=1.0).contains(&alpha), "alpha {}", alpha);
        }
        for x in 0..a.annotators as u32 {
            for y in 0..a.annotators as u32 {
                if x == y {
                    continue;
                }
                let k = cohen_kappa(&a, x, y);
                prop_assert_eq!(k, cohen_kappa(&a, y, x));
                if let Some((k, n)) = k {
                    prop_assert!(n >= 2);
                    prop_assert!((-1.0..=1.0).contains(&k), "kappa {}", k);
                }
            }
        }
    }
}
