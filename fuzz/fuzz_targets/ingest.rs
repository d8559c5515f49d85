//! The hub's message ingest (`pipeline::ingest`): JSONL, JSON arrays, Label Studio
//! tasks, Prodigy JSONL and CSV with model outputs.
//!
//! Asserts: no panic; every message read has a non-empty text within the limit, a
//! confidence and probabilities in [0, 1] (best first), id-shaped company and intent;
//! a model version within its charset and a language reduced to a lowercase primary
//! subtag; every message has its line; every refused row names a line that exists and
//! no reason repeats a message text;
//! progress is reported monotonically and never past the input's length.
#![no_main]

use labelvault_core::pipeline::ingest::{ingest, MAX_TEXT};
use labelvault_fuzz::{assert_no_text, marker_only_in_texts};
use libfuzzer_sys::fuzz_target;

fn id_like(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && !s.chars().any(char::is_whitespace)
}

fuzz_target!(|data: &[u8]| {
    let leak_check = marker_only_in_texts(&String::from_utf8_lossy(data));
    let mut progress = Vec::new();
    let r = ingest(data, |n| progress.push(n));
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress went backwards: {progress:?}"
    );
    assert!(
        progress.iter().all(|&n| n <= data.len()),
        "progress past the end"
    );
    let r = match r {
        Ok(r) => r,
        Err(e) => {
            assert_no_text(&e, leak_check);
            return;
        }
    };
    let text = std::str::from_utf8(data).expect("ingest accepted non-UTF-8");
    let lines = text.lines().count().max(1);
    for m in &r.messages {
        assert!(!m.text.trim().is_empty() && m.text.len() <= MAX_TEXT);
        assert!(m.confidence.is_finite() && (0.0..=1.0).contains(&m.confidence));
        assert!(m
            .probabilities
            .iter()
            .all(|(_, p)| p.is_finite() && (0.0..=1.0).contains(p)));
        assert!(m.probabilities.windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(id_like(&m.company), "company is not id-shaped");
        assert!(id_like(&m.model_intent), "model intent is not id-shaped");
        assert!(!m.message_id.is_empty());
        assert!(
            labelvault_core::pipeline::check_model_version(&m.model_version).is_ok(),
            "model version outside its charset"
        );
        assert!(
            m.language.as_ref().is_none_or(|l| (2..=3).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_lowercase())),
            "language is not a lowercase primary subtag"
        );
    }
    assert_eq!(r.lines.len(), r.messages.len(), "a message without its line");
    for b in &r.bad {
        assert!(b.line >= 1);
        assert!(
            b.line <= lines + 1 || text.trim_start().starts_with('['),
            "bad row {} beyond the input's {lines} lines",
            b.line
        );
        assert_no_text(&b.reason, leak_check);
    }
});
