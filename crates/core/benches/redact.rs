//! Throughput of the redactor's detection (`find_spans`) on one thread.
//!
//! Generates a corpus of customer messages itself (one to three sentences each, 30% of
//! sentences with personal data, so about half of the messages carry some), times several
//! passes, and prints `redact: X MB/s, Y messages/s`. If `../shared/pii/pii_eval.jsonl`
//! (personal data in every message) and `../shared/data/banking77/*.csv` (real customer
//! messages, nearly all without personal data) exist next to the workspace they are timed
//! too. Run with `cargo bench -p labelvault-core --bench redact`.
//!
//! Environment: `PII_EVAL=FILE` times another JSONL file instead of the development set;
//! `REDACT_BENCH_PASSES=N` times N passes instead of 5 (1 keeps a callgrind run short);
//! `REDACT_BENCH_CORPORA=synthetic,banking77,eval` times only the corpora named (to
//! profile one alone; `synthetic,recognizers` and `synthetic,tagger` also time the corpus
//! with and without the recognizers, or the person-name tagger, alternating in one run);
//! `REDACT_BENCH_DUMP=PREFIX` writes every message's spans to `PREFIX.synthetic`,
//! `PREFIX.banking77` and `PREFIX.eval` (one line per message), so an optimisation can be
//! checked to change no span at all by diffing the dumps before and after;
//! `REDACT_BENCH_CORPUS_OUT=FILE` writes the synthetic corpus as JSONL (`{"id", "text"}`,
//! ids `syn-00000`…) before timing it, so another redactor (`scripts/bench-presidio.sh`)
//! can be timed on exactly the same messages, and the same file can be given back through
//! `PII_EVAL` with `REDACT_BENCH_CORPORA=eval` to time a subset of it.

use labelvault_core::redact::Redactor;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A tiny deterministic PRNG (xorshift64*), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

const PLAIN: &[&str] = &[
    "I still haven't received my new card, it has been two weeks now. What should I do?",
    "Why was I charged an extra fee when I withdrew cash at the ATM yesterday?",
    "My top-up is still pending and the app keeps showing an error message.",
    "Can I change the currency of my account from pounds to euros?",
    "The exchange rate you applied to my last transfer seems wrong to me.",
    "How long does a bank transfer from abroad usually take to arrive?",
    "I think someone used my card without permission, please freeze it immediately.",
    "Is there a limit on how much money I can top up with a card each month?",
    "The contactless payment didn't work in the shop this morning, is something broken?",
    "I would like to close my account and get the remaining balance refunded.",
    "Where can I find the verification code for my virtual card in the app?",
    "My direct debit was rejected even though I had enough money on the account.",
    "Do you support Apple Pay and Google Pay for the disposable virtual cards?",
    "I forgot my passcode and now I'm locked out of the app, how do I reset it?",
    "The refund from the merchant still hasn't shown up on my statement.",
    "Can my teenage daughter get her own card linked to my account?",
];

const FIRST: &[&str] = &[
    "Maria", "James", "Aisha", "Lukas", "Chloé", "Kenji", "Olga", "Pedro", "Fatima", "Liam",
];
const LAST: &[&str] = &[
    "Novak",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Brennan",
    "Haddad",
    "Weber",
];
const STREETS: &[&str] = &[
    "Maple Avenue",
    "High Street",
    "Kingsley Road",
    "Harbor Drive",
    "Elm Court",
];
const CITIES: &[&str] = &[
    "Springfield, IL 62704",
    "Leeds, LS1 4AP",
    "Austin, TX 73301",
    "Cork",
];

fn luhn_complete(rng: &mut Rng, prefix: &str, len: usize) -> String {
    let mut d: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
    while d.len() < len - 1 {
        d.push(rng.below(10) as u8);
    }
    let mut sum = 0u32;
    for (i, &x) in d.iter().rev().enumerate() {
        let mut v = u32::from(x);
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    d.push(((10 - sum % 10) % 10) as u8);
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

fn pii_sentence(rng: &mut Rng) -> String {
    let f = rng.pick(FIRST);
    let l = rng.pick(LAST);
    match rng.below(10) {
        0 => format!("My name is {f} {l}."),
        1 => format!(
            "You can reach me at {}.{}{}@example.com.",
            f.to_lowercase(),
            l.to_lowercase(),
            rng.below(99)
        ),
        2 => format!("Call me on +44 7{} {}.", rng.digits(3), rng.digits(6)),
        3 => {
            let c = luhn_complete(rng, "4", 16);
            format!(
                "My card number is {} {} {} {}.",
                &c[..4],
                &c[4..8],
                &c[8..12],
                &c[12..]
            )
        }
        4 => "Please send the refund to DE89 3704 0044 0532 0130 00.".to_string(),
        5 => format!(
            "I logged in from {}.{}.{}.{} last night.",
            1 + rng.below(220),
            rng.below(255),
            rng.below(255),
            1 + rng.below(254)
        ),
        6 => format!(
            "I moved to {} {}, {}.",
            1 + rng.below(999),
            rng.pick(STREETS),
            rng.pick(CITIES)
        ),
        7 => format!(
            "I was born on {:02}/{:02}/19{}.",
            1 + rng.below(28),
            1 + rng.below(12),
            50 + rng.below(49)
        ),
        8 => format!("Order number ORD-{} hasn't arrived.", rng.digits(7)),
        _ => format!(
            "The page https://shop.example.com/track?id={} gives an error.",
            rng.digits(6)
        ),
    }
}

fn corpus(n: usize) -> Vec<String> {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    (0..n)
        .map(|_| {
            let mut m = String::new();
            let parts = 1 + rng.below(3);
            for i in 0..parts {
                if i > 0 {
                    m.push(' ');
                }
                // about 30% of sentences carry personal data
                if rng.below(10) < 3 {
                    m.push_str(&pii_sentence(&mut rng));
                } else {
                    m.push_str(rng.pick(PLAIN));
                }
            }
            m
        })
        .collect()
}

/// Write each message's spans as one line (`start-end:KIND` separated by spaces) to
/// `path`, for byte-for-byte comparison of detector output across code changes.
fn dump(path: &str, r: &Redactor, msgs: &[String]) {
    let mut out = String::new();
    for (i, m) in msgs.iter().enumerate() {
        out.push_str(&i.to_string());
        for s in r.find_spans(m) {
            out.push_str(&format!(" {}-{}:{}", s.start, s.end, s.kind));
        }
        out.push('\n');
    }
    if let Err(e) = std::fs::write(path, out) {
        eprintln!("redact: cannot write {path}: {e}");
    }
}

/// Write the corpus as JSONL `{"id", "text"}` to `path` (`REDACT_BENCH_CORPUS_OUT`): the
/// corpus exists only inside this bench, and a comparison with another redactor is fair
/// only on the same messages. The ids are the message's index, zero-padded, so a subset
/// taken by position keeps them.
fn write_corpus(path: &str, msgs: &[String]) {
    let mut out = String::new();
    for (i, m) in msgs.iter().enumerate() {
        let line = serde_json::json!({ "id": format!("syn-{i:05}"), "text": m });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap_or_else(|e| {
        panic!("redact: cannot write the corpus to {path} (REDACT_BENCH_CORPUS_OUT): {e}")
    });
    println!("redact: wrote {} messages to {path}", msgs.len());
}

/// Time (and, with `REDACT_BENCH_DUMP`, dump) one corpus.
fn run(label: &str, suffix: &str, r: &Redactor, msgs: &[String]) {
    if let Ok(prefix) = std::env::var("REDACT_BENCH_DUMP") {
        dump(&format!("{prefix}.{suffix}"), r, msgs);
    }
    let rounds = std::env::var("REDACT_BENCH_PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    time(label, r, msgs, rounds);
}

/// The cost of the recognizers (`redact/recognizer.rs`): the synthetic corpus with and
/// without them, runs alternating, in the same run.
fn recognizer_cost(msgs: &[String]) {
    let names = labelvault_core::redact::recognizer::builtin()
        .iter()
        .map(|r| r.name().to_string())
        .collect();
    let without = Redactor::new(labelvault_core::redact::RedactConfig {
        disabled_recognizers: names,
        ..Default::default()
    })
    .expect("redactor");
    let with = Redactor::default();
    let (mut a, mut b) = (0f64, 0f64);
    for _ in 0..3 {
        a = a.max(time("synthetic, without recognizers", &without, msgs, 3));
        b = b.max(time("synthetic, with recognizers", &with, msgs, 3));
    }
    println!(
        "redact: recognizers cost: {b:.1} MB/s with / {a:.1} MB/s without = {:.3}",
        b / a
    );
}

/// The cost of the person-name tagger (`redact/tagger.rs`): the synthetic corpus with and
/// without it, runs alternating, in the same run.
fn tagger_cost(msgs: &[String]) {
    let without = Redactor::new(labelvault_core::redact::RedactConfig {
        disabled_recognizers: vec![labelvault_core::redact::PERSON_TAGGER.to_string()],
        ..Default::default()
    })
    .expect("redactor");
    let with = Redactor::default();
    let (mut a, mut b) = (0f64, 0f64);
    for _ in 0..3 {
        a = a.max(time("synthetic, without the tagger", &without, msgs, 3));
        b = b.max(time("synthetic, with the tagger", &with, msgs, 3));
    }
    println!(
        "redact: tagger cost: {b:.1} MB/s with / {a:.1} MB/s without = {:.3}",
        b / a
    );
}

fn time(label: &str, r: &Redactor, msgs: &[String], rounds: usize) -> f64 {
    let bytes: usize = msgs.iter().map(String::len).sum();
    // warm-up
    for m in msgs {
        black_box(r.find_spans(m));
    }
    let mut best = Duration::MAX;
    let mut spans = 0usize;
    for _ in 0..rounds {
        let t = Instant::now();
        spans = 0;
        for m in msgs {
            spans += black_box(r.find_spans(black_box(m))).len();
        }
        best = best.min(t.elapsed());
    }
    let secs = best.as_secs_f64();
    println!(
        "redact: {:.1} MB/s, {:.0} messages/s ({label}: {} messages, {:.2} MB, {} spans, best of {rounds})",
        bytes as f64 / 1e6 / secs,
        msgs.len() as f64 / secs,
        msgs.len(),
        bytes as f64 / 1e6,
        spans,
    );
    bytes as f64 / 1e6 / secs
}

/// Is the corpus `name` to be timed (`REDACT_BENCH_CORPORA`, default all)?
fn wanted(name: &str) -> bool {
    std::env::var("REDACT_BENCH_CORPORA").map_or(true, |v| v.split(',').any(|c| c.trim() == name))
}

fn main() {
    let r = Redactor::default();
    if wanted("synthetic") {
        let msgs = corpus(40_000);
        if let Ok(path) = std::env::var("REDACT_BENCH_CORPUS_OUT") {
            write_corpus(&path, &msgs);
        }
        run("synthetic corpus", "synthetic", &r, &msgs);
        if wanted("recognizers") {
            recognizer_cost(&msgs);
        }
        if wanted("tagger") {
            tagger_cost(&msgs);
        }
    }

    // ../shared relative to the workspace root (crates/core is two levels down);
    // PII_EVAL overrides it.
    let eval = std::env::var_os("PII_EVAL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/pii/pii_eval.jsonl")
        });
    // Real customer messages (Banking77 train and test), most without personal data: the
    // traffic the hub actually redacts, beside the PII-dense corpora.
    if wanted("banking77") {
        let shared_data =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
        let mut real: Vec<String> = Vec::new();
        for part in ["train.csv", "test.csv"] {
            let path = shared_data.join("banking77").join(part);
            match csv::Reader::from_path(&path) {
                Ok(mut rd) => real.extend(
                    rd.records()
                        .filter_map(Result::ok)
                        .filter_map(|r| r.get(0).map(str::to_owned)),
                ),
                Err(_) => println!("redact: {} not found, skipped", path.display()),
            }
        }
        if !real.is_empty() {
            run("Banking77 customer messages", "banking77", &r, &real);
        }
    }
    if !wanted("eval") {
        return;
    }
    match std::fs::read_to_string(&eval) {
        Ok(s) => {
            let texts: Vec<String> = s
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
                .collect();
            run("pii_eval.jsonl", "eval", &r, &texts);
        }
        Err(_) => println!("redact: {} not found, skipped", eval.display()),
    }
}
