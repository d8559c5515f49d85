//! Confident learning finds injected label errors in real data far better than chance
//! (a small, fast cut of the evidence in docs/label-errors.md). Skips with a message when
//! `../shared/data` is absent, so a fresh clone still passes.

#[path = "../examples/label_errors_evidence.rs"]
mod evidence;

#[test]
fn confident_learning_beats_random_on_clinc150_subset() {
    let Some(dir) = evidence::data_dir() else {
        println!("skipping label-error evidence test: ../shared/data not found");
        return;
    };
    let full = match evidence::clinc150(&dir) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    // The first 30 intents (3,000 texts): a second or two in a debug build.
    let keep: Vec<usize> = (0..full.texts.len())
        .filter(|&i| full.labels[i] < 30)
        .collect();
    let subset = evidence::Corpus {
        texts: keep.iter().map(|&i| full.texts[i].clone()).collect(),
        labels: keep.iter().map(|&i| full.labels[i]).collect(),
        classes: full.classes[..30].to_vec(),
    };
    let r = evidence::run(&subset, 0.10, 5, 7);
    evidence::print("clinc150, 30 intents", &r);
    assert_eq!(r.injected, 300);
    let cl = r.confident_learning;
    assert!(cl.flagged > 0, "nothing flagged");
    assert!(
        cl.precision > 0.5 && cl.precision > 3.0 * r.random.precision,
        "confident learning precision {:.3} vs random {:.3}",
        cl.precision,
        r.random.precision
    );
    assert!(cl.recall > 0.7, "recall {:.3}", cl.recall);
}
