//! Selection benchmark: build the review pool from 1,000,000 messages (all three tiers,
//! per-intent round-robin, stratified sample of two new companies).
//!
//! Run: `cargo bench -p labelvault-core --bench select`.

use labelvault_core::pipeline::select::{select, Rng, SelectionConfig, Strategy};
use labelvault_core::pipeline::Message;
use std::time::Instant;

fn main() {
    const N: usize = 1_000_000;
    let mut rng = Rng::new(42);
    let companies = ["acme", "globex", "initech", "newco", "freshly"];
    let channels = ["chat", "email", "app"];
    let intents: Vec<String> = (0..150).map(|i| format!("intent_{i}")).collect();
    let messages: Vec<Message> = (0..N)
        .map(|i| {
            // Zipf-ish intent frequencies so that rare intents exist.
            let r = rng.below(1000) + 1;
            let intent = &intents[(150 * 150 / (r * 150 / 10 + 10)).min(149)];
            let conf = (rng.below(1000) as f64) / 1000.0;
            let p2 = (1.0 - conf) * (rng.below(1000) as f64) / 1000.0;
            Message {
                message_id: format!("m{i}"),
                text: String::new(),
                company: companies[rng.below(companies.len())].to_string(),
                channel: channels[rng.below(channels.len())].to_string(),
                received_at: 1_760_000_000 + rng.below(30 * 86_400) as i64,
                model_intent: intent.clone(),
                confidence: conf,
                probabilities: vec![
                    (intent.clone(), conf),
                    (intents[rng.below(150)].clone(), p2),
                ],
                reported_false_positive: rng.below(1000) < 5,
                training_consent: true,
                model_version: labelvault_core::pipeline::UNVERSIONED.into(),
                language: None,
            }
        })
        .collect();
    for strategy in [
        Strategy::LeastConfidence,
        Strategy::Margin,
        Strategy::Entropy,
    ] {
        let cfg = SelectionConfig {
            window: (1_760_000_000, 1_760_000_000 + 30 * 86_400),
            strategy,
            low_confidence_budget: 20_000,
            max_confidence: 0.6,
            per_intent_cap: 0,
            new_companies: vec!["newco".into(), "freshly".into()],
            sample_per_company: 2_000,
            seed: 1,
            label_error_budget: 0,
        };
        let mut times = Vec::new();
        let mut pool = None;
        for _ in 0..3 {
            let t = Instant::now();
            pool = Some(select(&messages, &cfg));
            times.push(t.elapsed());
        }
        times.sort();
        let p = pool.expect("pool");
        println!(
            "select {N} messages ({strategy:?}): {:.0} ms (median of 3) -> pool {} = {} false positive + {} low confidence ({} intents) + {} random sample",
            times[1].as_secs_f64() * 1e3,
            p.entries.len(),
            p.composition.false_positive,
            p.composition.low_confidence,
            p.composition.low_confidence_by_intent.len(),
            p.composition.random_sample
        );
    }
}
