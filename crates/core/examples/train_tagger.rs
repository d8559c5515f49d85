//! Train the redactor's person-name tagger and write its weights file.
//!
//! ```text
//! python3 scripts/tagger-data.py --out target/tagger-train.jsonl
//! cargo run --release -p labelvault-core --example train_tagger -- \
//!     target/tagger-train.jsonl crates/core/src/redact/tagger/person.bin [EPOCHS] [MIN_MARGIN]
//! ```
//!
//! Input: JSONL `{"text", "names": [[start, end], ...]}` with code-point offsets (what the
//! Python generator writes). The examples are shuffled with a fixed seed before every
//! run, so the same input always gives the same weights, byte for byte.

use labelvault_core::redact::tagger::{train, Example};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        eprintln!("usage: train_tagger TRAIN.jsonl OUT.bin [EPOCHS] [MIN_MARGIN]");
        return ExitCode::from(2);
    };
    let epochs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(6);
    let min_margin: f32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let body = match std::fs::read_to_string(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {input}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut examples = Vec::new();
    for (n, line) in body.lines().enumerate() {
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("line {}: not JSON ({e})", n + 1);
                return ExitCode::from(1);
            }
        };
        let Some(text) = v["text"].as_str() else {
            eprintln!("line {}: no \"text\"", n + 1);
            return ExitCode::from(1);
        };
        // code points -> bytes
        let mut at: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        at.push(text.len());
        let mut names = Vec::new();
        for s in v["names"].as_array().into_iter().flatten() {
            let (Some(a), Some(b)) = (s[0].as_u64(), s[1].as_u64()) else {
                continue;
            };
            if let (Some(&a), Some(&b)) = (at.get(a as usize), at.get(b as usize)) {
                names.push((a, b));
            }
        }
        examples.push(Example {
            text: text.to_string(),
            names,
        });
    }
    // deterministic Fisher-Yates (SplitMix64)
    let mut state: u64 = 0x5eed_7a66_e400_0001;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    for i in (1..examples.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        examples.swap(i, j);
    }
    let names: usize = examples.iter().map(|e| e.names.len()).sum();
    eprintln!(
        "{} examples, {names} names, {epochs} epochs",
        examples.len()
    );
    let bytes = train(&examples, epochs, min_margin);
    if let Err(e) = std::fs::write(output, &bytes) {
        eprintln!("cannot write {output}: {e}");
        return ExitCode::from(1);
    }
    eprintln!("wrote {output} ({} bytes)", bytes.len());
    ExitCode::SUCCESS
}
