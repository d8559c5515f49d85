//! How the person-name tagger's threshold trades found names against false ones.
//!
//! ```text
//! cargo run --release -p labelvault-core --example tagger_sweep -- WEIGHTS.bin GOLD.jsonl...
//! ```
//!
//! For every gold file (the PII scorer's format) and a range of thresholds: names the
//! tagger alone proposes that overlap a gold PERSON (found), that overlap nothing
//! personal (false), and how many messages of a file without any gold would be touched.
//! Used to choose the threshold written into the shipped weights.

use labelvault_core::redact::tagger::Model;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(weights) = args.first() else {
        eprintln!("usage: tagger_sweep WEIGHTS.bin GOLD.jsonl...");
        return ExitCode::from(2);
    };
    let Some(model) = std::fs::read(weights)
        .ok()
        .and_then(|b| Model::from_bytes(&b))
    else {
        eprintln!("{weights}: not a weights file");
        return ExitCode::from(1);
    };
    // SWEEP_FLOOR=-4: let a name tag win when O leads by up to 4 (see Model::persons)
    let floor = std::env::var("SWEEP_FLOOR")
        .ok()
        .and_then(|v| v.parse::<f32>().ok())
        .unwrap_or(-1e-30);
    let model = model.with_min_margin(floor);
    let show = std::env::var("SWEEP_SHOW")
        .ok()
        .and_then(|v| v.parse::<f32>().ok());
    for gold in &args[1..] {
        let Ok(body) = std::fs::read_to_string(gold) else {
            eprintln!("cannot read {gold}");
            return ExitCode::from(1);
        };
        // (margin, overlaps gold PERSON, overlaps any gold)
        let mut seen: Vec<(f32, bool, bool)> = Vec::new();
        let mut gold_persons = 0usize;
        for line in body.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let Some(text) = v["text"].as_str() else {
                continue;
            };
            let mut at: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            at.push(text.len());
            let ents: Vec<(usize, usize, bool)> = v["entities"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    let s = *at.get(e["start"].as_u64()? as usize)?;
                    let t = *at.get(e["end"].as_u64()? as usize)?;
                    Some((s, t, e["type"].as_str()? == "PERSON"))
                })
                .collect();
            gold_persons += ents.iter().filter(|e| e.2).count();
            for (s, e, m) in model.persons(text) {
                let p = ents.iter().any(|g| g.2 && g.0 < e && s < g.1);
                let a = ents.iter().any(|g| g.0 < e && s < g.1);
                if let Some(th) = show {
                    if !a && m >= th {
                        println!("FALSE {m:6.2} {:?}", &text[s..e]);
                    }
                }
                seen.push((m, p, a));
            }
        }
        println!("{gold}: {gold_persons} gold names");
        for th in [
            -8.0f32, -6.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0,
            12.0, 15.0,
        ] {
            let kept = seen.iter().filter(|x| x.0 >= th);
            let (mut found, mut other, mut false_) = (0, 0, 0);
            for x in kept {
                if x.1 {
                    found += 1;
                } else if x.2 {
                    other += 1;
                } else {
                    false_ += 1;
                }
            }
            println!(
                "  >= {th:5.1}: on a name {found:5}  on other PII {other:4}  false {false_:5}"
            );
        }
    }
    ExitCode::SUCCESS
}
