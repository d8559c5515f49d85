//! The redactor on the held-out PII set (`scripts/pii-heldout.py`), scored the way
//! `score_pii.py` scores it, against the quality targets in `docs/redaction.md`.
//!
//! Why a test and not only a script: the rules were written against one development set;
//! this set is built from other carriers, sentence shapes and countries' formats, and the
//! test keeps every rule change honest on text the rules were not written for. The set is
//! generated from the public corpora in `../shared/data` (which the repository does not
//! copy), so the test skips with a message when they or `python3` are absent.

use labelvault_core::redact::{char_offsets, PiiKind, Redactor};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const SEEDS: &[u64] = &[7001, 9002];
const MIN_RECALL: f64 = 0.97;
const MIN_PRECISION: f64 = 0.90;
const MAX_UNMASKED: f64 = 0.01;
const MIN_TYPE_RECALL: f64 = 0.90;

struct Gold {
    text: String,
    /// start, end (code points), type, and whether no cue phrase introduces it
    ents: Vec<(usize, usize, String, bool)>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Generate the set for `seed`; `None` (with a printed reason) when it cannot be built here.
fn generate(seed: u64, dir: &Path) -> Option<Vec<Gold>> {
    let data = repo_root().join("../shared/data");
    if !data.is_dir() {
        println!("skipping held-out PII test: {} not found", data.display());
        return None;
    }
    let out = dir.join(format!("heldout-{seed}.jsonl"));
    let mut cmd = Command::new("python3");
    cmd.arg(repo_root().join("scripts/pii-heldout.py"))
        .args(["--seed", &seed.to_string(), "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out);
    run_generator(cmd, &out)
}

/// Generate the second held-out set (`scripts/pii-heldout2.py`, no outside data) for `seed`.
fn generate2(seed: u64, dir: &Path) -> Option<Vec<Gold>> {
    let out = dir.join(format!("heldout2-{seed}.jsonl"));
    let mut cmd = Command::new("python3");
    cmd.arg(repo_root().join("scripts/pii-heldout2.py"))
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(&out);
    run_generator(cmd, &out)
}

fn run_generator(mut cmd: Command, out: &Path) -> Option<Vec<Gold>> {
    match cmd.output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!("generator failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            println!("skipping held-out PII test: python3 not available");
            return None;
        }
    }
    let body = std::fs::read_to_string(out).expect("generated set is readable");
    let mut rows = Vec::new();
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("generated JSONL");
        let text = v["text"].as_str().expect("text").to_string();
        let ents = v["entities"]
            .as_array()
            .expect("entities")
            .iter()
            .map(|e| {
                (
                    e["start"].as_u64().expect("start") as usize,
                    e["end"].as_u64().expect("end") as usize,
                    e["type"].as_str().expect("type").to_string(),
                    e["format"].as_str().unwrap_or("").starts_with("no_cue"),
                )
            })
            .collect();
        rows.push(Gold { text, ents });
    }
    Some(rows)
}

#[derive(Default)]
struct Score {
    support: HashMap<String, usize>,
    found: HashMap<String, usize>,
    tp: usize,
    fp: usize,
    gold_chars: usize,
    leaked_chars: usize,
    /// Names that no cue phrase introduces, and how many of them were found.
    no_cue: usize,
    no_cue_found: usize,
}

impl Score {
    /// Micro recall, precision and the share of PII characters left unmasked.
    fn micro(&self) -> (f64, f64, f64) {
        let support: usize = self.support.values().sum();
        let found: usize = self.found.values().sum();
        (
            found as f64 / support as f64,
            self.tp as f64 / (self.tp + self.fp) as f64,
            self.leaked_chars as f64 / self.gold_chars as f64,
        )
    }
}

fn score(rows: &[Gold], r: &Redactor) -> Score {
    let mut s = Score::default();
    for g in rows {
        let spans = r.find_spans(&g.text);
        let preds: Vec<(usize, usize, PiiKind)> = char_offsets(&g.text, &spans);
        let ov = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
        for (gs, ge, gt, no_cue) in &g.ents {
            *s.support.entry(gt.clone()).or_default() += 1;
            if preds
                .iter()
                .any(|&(ps, pe, k)| ov((ps, pe), (*gs, *ge)) && k.type_name() == gt)
            {
                *s.found.entry(gt.clone()).or_default() += 1;
                if *no_cue {
                    s.no_cue_found += 1;
                }
            }
            if *no_cue {
                s.no_cue += 1;
            }
            s.gold_chars += ge - gs;
            s.leaked_chars += (*gs..*ge)
                .filter(|&i| !preds.iter().any(|&(ps, pe, _)| ps <= i && i < pe))
                .count();
        }
        for &(ps, pe, k) in &preds {
            if g.ents
                .iter()
                .any(|(gs, ge, gt, _)| ov((ps, pe), (*gs, *ge)) && k.type_name() == gt)
            {
                s.tp += 1;
            } else {
                s.fp += 1;
            }
        }
    }
    s
}

#[test]
fn heldout_pii_set_meets_the_quality_targets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = Redactor::default();
    for &seed in SEEDS {
        let Some(rows) = generate(seed, dir.path()) else {
            return;
        };
        let s = score(&rows, &r);
        let (recall, precision, unmasked) = s.micro();
        println!(
            "seed {seed}: {} messages, recall {recall:.3}, precision {precision:.3}, unmasked {:.2}%",
            rows.len(),
            unmasked * 100.0
        );
        let mut types: Vec<_> = s.support.iter().collect();
        types.sort();
        for (t, n) in &types {
            let f = s.found.get(*t).copied().unwrap_or(0);
            println!("  {t:16} {n:5} recall {:.3}", f as f64 / **n as f64);
        }
        assert!(recall >= MIN_RECALL, "seed {seed}: recall {recall:.3}");
        assert!(
            precision >= MIN_PRECISION,
            "seed {seed}: precision {precision:.3}"
        );
        assert!(
            unmasked <= MAX_UNMASKED,
            "seed {seed}: unmasked {unmasked:.4}"
        );
        for (t, n) in types {
            let f = s.found.get(t).copied().unwrap_or(0);
            let rc = f as f64 / *n as f64;
            assert!(rc >= MIN_TYPE_RECALL, "seed {seed}: {t} recall {rc:.3}");
        }
    }
}

/// The second held-out set (`scripts/pii-heldout2.py`: signatures, forms, chats,
/// biographies and address blocks in many languages, names no word list holds) meets the
/// issue's targets on the development seeds (1 and 2) and on two seeds the rules were not
/// written against (11 and 12): micro recall and precision, the share of personal-data
/// characters left visible, PERSON recall on names with no cue phrase, and every type's
/// recall. `docs/redaction.md` gives the figures. The set needs no outside data, so this
/// test runs everywhere python3 is.
#[test]
fn second_heldout_set_meets_the_targets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = Redactor::default();
    for seed in [1u64, 2, 11, 12] {
        let Some(rows) = generate2(seed, dir.path()) else {
            return;
        };
        let s = score(&rows, &r);
        let (recall, precision, unmasked) = s.micro();
        let no_cue = s.no_cue_found as f64 / s.no_cue.max(1) as f64;
        println!(
            "second set, seed {seed}: recall {recall:.3}, precision {precision:.3}, unmasked {:.2}%, PERSON without a cue {no_cue:.3}",
            unmasked * 100.0
        );
        assert!(recall >= MIN_RECALL, "seed {seed}: recall {recall:.3}");
        assert!(
            precision >= MIN_PRECISION,
            "seed {seed}: precision {precision:.3}"
        );
        assert!(
            unmasked <= MAX_UNMASKED,
            "seed {seed}: unmasked {unmasked:.4}"
        );
        assert!(
            no_cue >= 0.95,
            "seed {seed}: PERSON without a cue {no_cue:.3}"
        );
        for (t, n) in &s.support {
            let f = s.found.get(t).copied().unwrap_or(0);
            let rc = f as f64 / *n as f64;
            assert!(rc >= MIN_TYPE_RECALL, "seed {seed}: {t} recall {rc:.3}");
        }
    }
}
