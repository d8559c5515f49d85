//! Writes the redactor's spans for a JSONL file in the PII scorer's format.
//!
//! ```text
//! cargo run --release -p labelvault-core --example redact_spans -- GOLD.jsonl > PRED.jsonl
//! ```
//!
//! Each input line needs "id" and "text"; each output line is `{"id", "entities": [{"start",
//! "end", "type"}]}` in code points, what `score_pii.py` reads. The same as `labelvault
//! redact --spans` without building the command-line crate.

use labelvault_core::redact::{char_offsets, RedactConfig, Redactor};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: redact_spans GOLD.jsonl");
        return ExitCode::from(2);
    };
    let Ok(body) = std::fs::read_to_string(&path) else {
        eprintln!("cannot read {path}");
        return ExitCode::from(1);
    };
    let Ok(r) = Redactor::new(RedactConfig::default()) else {
        eprintln!("cannot build the redactor");
        return ExitCode::from(1);
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (n, line) in body.lines().enumerate() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            eprintln!("line {}: not JSON", n + 1);
            continue;
        };
        let Some(text) = v["text"].as_str() else {
            eprintln!("line {}: no text", n + 1);
            continue;
        };
        let spans = r.find_spans(text);
        let ents: Vec<serde_json::Value> = char_offsets(text, &spans)
            .into_iter()
            .map(|(s, e, k)| serde_json::json!({"start": s, "end": e, "type": k.type_name()}))
            .collect();
        let row = serde_json::json!({"id": v["id"].clone(), "entities": ents});
        if writeln!(out, "{row}").is_err() {
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
