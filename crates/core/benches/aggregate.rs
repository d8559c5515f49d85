//! Aggregation, agreement and export at scale: 1,000,000 labels (500,000 items × 2
//! annotators out of 100, 77 intents, annotators 70–95% accurate), then a training-set
//! export of 1,000,000 labelled messages and the evaluation report.
//!
//! Run: `cargo bench -p labelvault-core --bench aggregate`.

use labelvault_core::pipeline::aggregate::{self, Annotations};
use labelvault_core::pipeline::evaluate::{evaluate, html_report, Judged};
use labelvault_core::pipeline::export::{jsonl_line, stratified_split, Example};
use labelvault_core::pipeline::select::Rng;
use std::time::Instant;

fn main() {
    const ITEMS: usize = 500_000;
    const ANN: usize = 100;
    const K: usize = 77;
    let mut rng = Rng::new(9);
    let skill: Vec<f64> = (0..ANN)
        .map(|a| 0.70 + 0.25 * (a as f64 / ANN as f64))
        .collect();
    let truth: Vec<u32> = (0..ITEMS).map(|_| rng.below(K) as u32).collect();
    let mut rows = Vec::with_capacity(ITEMS * 2);
    for (i, &t) in truth.iter().enumerate() {
        let a = rng.below(ANN);
        let b = (a + 1 + rng.below(ANN - 1)) % ANN;
        for ann in [a, b] {
            let right = (rng.below(1000) as f64) < skill[ann] * 1000.0;
            let c = if right { t } else { rng.below(K) as u32 };
            rows.push((i as u32, ann as u32, c));
        }
    }
    let a = Annotations {
        items: ITEMS,
        annotators: ANN,
        classes: K,
        rows,
    };
    println!(
        "{} labels, {ITEMS} items, {ANN} annotators, {K} intents",
        a.rows.len()
    );
    let time = |name: &str, f: &mut dyn FnMut() -> String| {
        let t = Instant::now();
        let out = f();
        println!("{name}: {:.0} ms ({out})", t.elapsed().as_secs_f64() * 1e3);
    };
    time("majority vote", &mut || {
        let m = aggregate::majority(&a);
        let right = m
            .iter()
            .zip(&truth)
            .filter(|(m, t)| m.map(|x| x.0) == Some(**t))
            .count();
        format!("accuracy vs truth {:.3}", right as f64 / ITEMS as f64)
    });
    time("Dawid-Skene (EM to 1e-4 or 30 iterations)", &mut || {
        let ds = aggregate::dawid_skene(&a, 30, 1e-4);
        let right = ds
            .labels
            .iter()
            .zip(&truth)
            .filter(|(m, t)| m.map(|x| x.0) == Some(**t))
            .count();
        format!(
            "{} iterations, accuracy vs truth {:.3}",
            ds.iterations,
            right as f64 / ITEMS as f64
        )
    });
    time("Krippendorff's alpha", &mut || {
        format!(
            "alpha {:.3}",
            aggregate::krippendorff_alpha(&a).unwrap_or(f64::NAN)
        )
    });
    time("mean pairwise Cohen's kappa", &mut || {
        format!(
            "kappa {:.3}",
            aggregate::mean_pairwise_kappa(&a).unwrap_or(f64::NAN)
        )
    });
    time("disagreements", &mut || {
        format!("{} items", aggregate::disagreements(&a).len())
    });

    // Export of 1,000,000 labelled messages.
    const N: usize = 1_000_000;
    let intents: Vec<String> = (0..K).map(|i| format!("intent_{i}")).collect();
    let texts: Vec<String> = (0..N).map(|i| format!("customer message number {i} about a card payment that did not go through as expected")).collect();
    let ids: Vec<String> = (0..N).map(|i| format!("m{i}")).collect();
    let labels: Vec<&str> = (0..N).map(|i| intents[i % K].as_str()).collect();
    time(
        "export 1,000,000 labelled messages (stratified split + JSONL)",
        &mut || {
            let splits = stratified_split(&labels, 0.7, 0.15, 1);
            let mut bytes = 0usize;
            for i in 0..N {
                bytes += jsonl_line(&Example {
                    message_id: &ids[i],
                    text: &texts[i],
                    intent: labels[i],
                    split: splits[i],
                    fold: None,
                })
                .len()
                    + 1;
            }
            format!("{:.0} MB of JSONL", bytes as f64 / 1e6)
        },
    );
    time(
        "evaluation of 1,000,000 judged messages + HTML report",
        &mut || {
            let judged: Vec<Judged> = (0..N)
                .map(|i| Judged {
                    company: ["acme", "newco"][i % 2],
                    channel: ["chat", "email", "phone"][i % 3],
                    language: ["en", "de", "und"][i % 3],
                    model: labels[(i * 7) % N],
                    confidence: (i % 100) as f64 / 100.0,
                    human: labels[i],
                })
                .collect();
            let e = evaluate(&judged);
            let html = html_report(&e, "Evaluation");
            format!(
                "report {} KB, accuracy {:.3}",
                html.len() / 1024,
                e.accuracy
            )
        },
    );
}
