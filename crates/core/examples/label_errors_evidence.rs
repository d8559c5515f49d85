//! Evidence for the `suspected_label_error` selection reason (docs/label-errors.md):
//! how well confident learning (`labelvault_core::pipeline::label_errors`) finds label
//! errors injected into a real intent data set, against two baselines that flag the same
//! number of items — lowest self-confidence, and random.
//!
//! The classifier is a multinomial naive Bayes over word unigrams and bigrams, written
//! here; K-fold cross-validation gives every item an out-of-sample distribution. 10 % of
//! the labels are replaced by a different class chosen uniformly (seeded), the classifier
//! is trained on the noisy labels (as it would be in practice), and the flagged set is
//! scored against the injected errors.
//!
//! ```text
//! cargo run -p labelvault-core --example label_errors_evidence [-- clinc150|banking77]
//! ```
//!
//! Debug build, 2 cores: about 10 s per data set. Needs `../shared/data` next to the
//! repository; without it the run says so and exits.

use labelvault_core::pipeline::label_errors::{find, Problem};
use labelvault_core::pipeline::select::Rng;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A labelled text corpus: texts and class indices.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The texts.
    pub texts: Vec<String>,
    /// Class index per text.
    pub labels: Vec<usize>,
    /// Class names.
    pub classes: Vec<String>,
}

/// The shared data folder next to the repository, if present.
pub fn data_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    d.is_dir().then_some(d)
}

fn corpus_from(rows: Vec<(String, String)>) -> Corpus {
    let mut classes: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    classes.sort_unstable();
    classes.dedup();
    let ix: HashMap<&str, usize> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let labels = rows.iter().map(|r| ix[r.1.as_str()]).collect();
    Corpus {
        texts: rows.into_iter().map(|r| r.0).collect(),
        labels,
        classes,
    }
}

/// CLINC150's training split (15,000 texts, 150 intents).
pub fn clinc150(dir: &Path) -> Result<Corpus, String> {
    let raw = std::fs::read_to_string(dir.join("clinc150/data_full.json"))
        .map_err(|e| format!("cannot read clinc150/data_full.json: {e}"))?;
    let v: serde_json::Value = serde_json::from_str(&raw).map_err(|e| e.to_string())?;
    let rows = v["train"]
        .as_array()
        .ok_or("clinc150: no `train` array")?
        .iter()
        .filter_map(|r| Some((r[0].as_str()?.to_string(), r[1].as_str()?.to_string())))
        .collect();
    Ok(corpus_from(rows))
}

/// Banking77's training split (10,003 texts, 77 intents).
pub fn banking77(dir: &Path) -> Result<Corpus, String> {
    let mut rd = csv::Reader::from_path(dir.join("banking77/train.csv"))
        .map_err(|e| format!("cannot read banking77/train.csv: {e}"))?;
    let mut rows = Vec::new();
    for r in rd.records() {
        let r = r.map_err(|e| e.to_string())?;
        if let (Some(t), Some(c)) = (r.get(0), r.get(1)) {
            rows.push((t.to_string(), c.to_string()));
        }
    }
    Ok(corpus_from(rows))
}

/// Word unigrams and bigrams of a lowercased text.
fn features(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut out = words.clone();
    for w in words.windows(2) {
        out.push(format!("{} {}", w[0], w[1]));
    }
    out
}

/// Out-of-sample class distributions by K-fold cross-validation of a multinomial naive
/// Bayes (Laplace smoothing `alpha`), trained on `labels`.
pub fn cross_val_probs(
    texts: &[String],
    labels: &[usize],
    classes: usize,
    folds: usize,
    alpha: f64,
    seed: u64,
) -> Vec<Vec<f64>> {
    let mut vocab: HashMap<String, usize> = HashMap::new();
    let docs: Vec<Vec<usize>> = texts
        .iter()
        .map(|t| {
            features(t)
                .into_iter()
                .map(|f| {
                    let n = vocab.len();
                    *vocab.entry(f).or_insert(n)
                })
                .collect()
        })
        .collect();
    let v = vocab.len();
    let n = texts.len();
    let mut order: Vec<usize> = (0..n).collect();
    Rng::new(seed).shuffle(&mut order);
    let mut fold = vec![0usize; n];
    for (r, &i) in order.iter().enumerate() {
        fold[i] = r % folds;
    }
    let mut out = vec![Vec::new(); n];
    for f in 0..folds {
        let mut counts = vec![0.0f64; classes * v];
        let mut totals = vec![0.0f64; classes];
        let mut docs_per = vec![0.0f64; classes];
        for i in (0..n).filter(|&i| fold[i] != f) {
            let c = labels[i];
            docs_per[c] += 1.0;
            for &w in &docs[i] {
                counts[c * v + w] += 1.0;
                totals[c] += 1.0;
            }
        }
        let train_docs: f64 = docs_per.iter().sum();
        let prior: Vec<f64> = docs_per
            .iter()
            .map(|d| ((d + 1.0) / (train_docs + classes as f64)).ln())
            .collect();
        let denom: Vec<f64> = totals.iter().map(|t| (t + alpha * v as f64).ln()).collect();
        for i in (0..n).filter(|&i| fold[i] == f) {
            let mut logp: Vec<f64> = (0..classes)
                .map(|c| {
                    prior[c]
                        + docs[i]
                            .iter()
                            .map(|&w| (counts[c * v + w] + alpha).ln() - denom[c])
                            .sum::<f64>()
                })
                .collect();
            let m = logp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut s = 0.0;
            for x in &mut logp {
                *x = (*x - m).exp();
                s += *x;
            }
            out[i] = logp.into_iter().map(|x| x / s).collect();
        }
    }
    out
}

/// Replace a share `rate` of the labels by a different class chosen uniformly; returns
/// the noisy labels and which items were changed.
pub fn inject_noise(
    labels: &[usize],
    classes: usize,
    rate: f64,
    seed: u64,
) -> (Vec<usize>, Vec<bool>) {
    let n = labels.len();
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let k = (n as f64 * rate).round() as usize;
    let mut noisy = labels.to_vec();
    let mut flipped = vec![false; n];
    for &i in &order[..k] {
        let other = rng.below(classes - 1);
        noisy[i] = if other >= labels[i] { other + 1 } else { other };
        flipped[i] = true;
    }
    (noisy, flipped)
}

/// Precision and recall of one flagged set.
#[derive(Debug, Clone, Copy)]
pub struct Score {
    /// Items flagged.
    pub flagged: usize,
    /// Flagged items that were injected errors.
    pub hits: usize,
    /// hits / flagged.
    pub precision: f64,
    /// hits / injected errors.
    pub recall: f64,
}

fn score(flagged: &[usize], flipped: &[bool]) -> Score {
    let errors = flipped.iter().filter(|f| **f).count();
    let hits = flagged.iter().filter(|&&i| flipped[i]).count();
    Score {
        flagged: flagged.len(),
        hits,
        precision: if flagged.is_empty() {
            0.0
        } else {
            hits as f64 / flagged.len() as f64
        },
        recall: if errors == 0 {
            0.0
        } else {
            hits as f64 / errors as f64
        },
    }
}

/// One run's outcome.
#[derive(Debug, Clone)]
pub struct Report {
    /// Items.
    pub items: usize,
    /// Classes.
    pub classes: usize,
    /// Injected label errors.
    pub injected: usize,
    /// Cross-validated accuracy of the classifier against the clean labels.
    pub accuracy_clean: f64,
    /// Confident learning.
    pub confident_learning: Score,
    /// The same number of items of lowest p(given label).
    pub self_confidence: Score,
    /// The same number of items at random.
    pub random: Score,
    /// A review budget smaller than the flagged set (a third of the injected errors):
    /// the budget, confident learning's first items, lowest self-confidence's first items.
    pub budget: (usize, Score, Score),
}

/// Inject noise, cross-validate, flag, score.
pub fn run(c: &Corpus, rate: f64, folds: usize, seed: u64) -> Report {
    let k = c.classes.len();
    let (noisy, flipped) = inject_noise(&c.labels, k, rate, seed);
    let probs = cross_val_probs(&c.texts, &noisy, k, folds, 0.1, seed ^ 0xf01d);
    let argmax = |p: &Vec<f64>| {
        p.iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .map_or(0, |x| x.0)
    };
    let correct = probs
        .iter()
        .zip(&c.labels)
        .filter(|(p, &l)| argmax(p) == l)
        .count();
    let problem = Problem::from_dense(&noisy, &probs, k);
    let analysis = find(&problem);
    let cl: Vec<usize> = analysis.suspects.iter().map(|s| s.index).collect();
    let m = cl.len();
    let mut by_self: Vec<(f64, usize)> =
        (0..noisy.len()).map(|i| (probs[i][noisy[i]], i)).collect();
    by_self.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let low: Vec<usize> = by_self.iter().take(m).map(|x| x.1).collect();
    let injected = flipped.iter().filter(|f| **f).count();
    let b = (injected / 3).min(m);
    let budget = (
        b,
        score(&cl[..b], &flipped),
        score(&low[..b.min(low.len())], &flipped),
    );
    let mut all: Vec<usize> = (0..noisy.len()).collect();
    Rng::new(seed ^ 0x5eed).shuffle(&mut all);
    all.truncate(m);
    Report {
        items: noisy.len(),
        classes: k,
        injected,
        accuracy_clean: correct as f64 / noisy.len().max(1) as f64,
        confident_learning: score(&cl, &flipped),
        self_confidence: score(&low, &flipped),
        random: score(&all, &flipped),
        budget,
    }
}

/// Print one report as a Markdown table row block.
pub fn print(name: &str, r: &Report) {
    println!(
        "{name}: {} items, {} classes, {} injected errors (10 %), naive Bayes 5-fold accuracy vs clean labels {:.3}",
        r.items, r.classes, r.injected, r.accuracy_clean
    );
    println!("| method | flagged | hits | precision | recall |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (m, s) in [
        (
            "confident learning (prune by noise rate)",
            r.confident_learning,
        ),
        ("lowest self-confidence, same count", r.self_confidence),
        ("random, same count", r.random),
        (
            "confident learning, first `budget` (a third of the errors)",
            r.budget.1,
        ),
        ("lowest self-confidence, first `budget`", r.budget.2),
    ] {
        println!(
            "| {m} | {} | {} | {:.3} | {:.3} |",
            s.flagged, s.hits, s.precision, s.recall
        );
    }
    println!();
}

#[allow(dead_code)]
fn main() {
    let Some(dir) = data_dir() else {
        println!("../shared/data not found next to the repository; nothing to measure");
        return;
    };
    let which = std::env::args().nth(1);
    let sets: Vec<&str> = match which.as_deref() {
        Some(s) => vec![s],
        None => vec!["clinc150", "banking77"],
    };
    for name in sets {
        let corpus = match name {
            "clinc150" => clinc150(&dir),
            "banking77" => banking77(&dir),
            other => Err(format!(
                "unknown data set {other}; use clinc150 or banking77"
            )),
        };
        match corpus {
            Ok(c) => {
                let t = std::time::Instant::now();
                let r = run(&c, 0.10, 5, 42);
                print(name, &r);
                println!("({name}: {:.1} s)\n", t.elapsed().as_secs_f64());
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
}
