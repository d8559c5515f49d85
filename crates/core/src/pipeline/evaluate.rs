//! Evaluating the model against human labels: per-intent precision, recall and F1,
//! the most frequent confusions, the false-positive rate per company, and calibration
//! (confidence against human-verified accuracy, in bins), and a bias audit (the error
//! rate per company, channel and language with its confidence interval, against the
//! rest) — as JSON and as a self-contained HTML report (inline SVG, no remote content).
//! Per model version: accuracy and macro-F1 of each version's predictions, and the
//! paired comparison of two versions on the same messages (McNemar's exact test).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One item with the model's answer and the humans' (aggregated) one.
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    /// Company.
    pub company: &'a str,
    /// Channel.
    pub channel: &'a str,
    /// Language (BCP 47 primary subtag; [`UNDETERMINED`] when unknown).
    pub language: &'a str,
    /// Model intent.
    pub model: &'a str,
    /// Model confidence.
    pub confidence: f64,
    /// Human intent.
    pub human: &'a str,
}

/// Precision, recall, F1 and support of one intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntentScore {
    /// Intent id.
    pub intent: String,
    /// Of the model's answers with this intent, the share humans confirmed.
    pub precision: f64,
    /// Of the messages humans gave this intent, the share the model found.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
    /// Messages humans gave this intent.
    pub support: u64,
}

/// One calibration bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CalibrationBin {
    /// Lower edge of the confidence bin.
    pub from: f64,
    /// Upper edge.
    pub to: f64,
    /// Items in the bin.
    pub count: u64,
    /// Mean model confidence.
    pub mean_confidence: f64,
    /// Share the humans confirmed.
    pub accuracy: f64,
}

/// One confusion of the evaluation: what the model said, what humans said, how often
/// (an object rather than a triple, so clients read it by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Confusion {
    /// The model's intent.
    pub model: String,
    /// The humans' intent.
    pub human: String,
    /// Messages.
    pub count: u64,
}

/// The whole evaluation: what [`evaluate`] computes and, inside
/// [`crate::admin_api::EvaluationAnswer`], what the hub answers and clients read (one
/// type, so the two cannot drift). A field an older hub lacks reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Evaluation {
    /// Items evaluated.
    pub items: u64,
    /// Model accuracy against humans.
    pub accuracy: f64,
    /// Unweighted mean F1 over intents with support or predictions.
    pub macro_f1: f64,
    /// Per intent, by id.
    pub per_intent: Vec<IntentScore>,
    /// Most frequent confusions first (top 20).
    pub top_confusions: Vec<Confusion>,
    /// Share of the model's answers humans rejected, per company.
    pub false_positive_rate_by_company: BTreeMap<String, f64>,
    /// Ten equal-width confidence bins.
    pub calibration: Vec<CalibrationBin>,
    /// Expected calibration error over those bins.
    pub expected_calibration_error: f64,
    /// The error rate per company and per channel against everything else, flagged where
    /// the difference is significant.
    pub bias_audit: Vec<SegmentRate>,
    /// Accuracy and macro-F1 per model version ([`by_model_version`]; empty unless the
    /// caller knows the versions).
    pub by_model_version: Vec<VersionScore>,
}

/// One segment's error rate. In single-label intent review every model error is a false
/// positive of the intent the model gave, so this is also the segment's false-positive
/// rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SegmentRate {
    /// `company`, `channel` or `language`.
    pub dimension: String,
    /// The company, channel or language.
    pub segment: String,
    /// Items in the segment.
    pub items: u64,
    /// Of those, the model's answers humans rejected.
    pub errors: u64,
    /// `errors / items`.
    pub error_rate: f64,
    /// 95% Wilson interval of the error rate.
    pub ci_low: f64,
    /// Its upper end.
    pub ci_high: f64,
    /// The error rate over every other item.
    pub rest_error_rate: f64,
    /// Two-sided p-value of a two-proportion z-test, segment against the rest (`None`
    /// when either side has fewer than [`MIN_SEGMENT`] items).
    pub p_value: Option<f64>,
    /// p below 0.05 divided by the number of segments tested (Bonferroni).
    pub flagged: bool,
}

/// The language segment of messages whose language is not known (BCP 47 `und`).
pub const UNDETERMINED: &str = "und";

/// Fewest items a segment (and the rest) needs before it is tested.
pub const MIN_SEGMENT: u64 = 10;

/// 95% Wilson score interval of `x` successes in `n`.
pub fn wilson(x: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (z, n, p) = (1.959_963_984_540_054, n as f64, x as f64 / n as f64);
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

/// The complementary error function (W. J. Cody's rational approximations are overkill
/// here: Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7).
fn erfc(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let y = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))))
        * (-x * x).exp();
    if x >= 0.0 {
        y
    } else {
        2.0 - y
    }
}

/// Two-sided p-value of the two-proportion z-test (pooled) of x1/n1 against x2/n2.
pub fn two_proportion_p(x1: u64, n1: u64, x2: u64, n2: u64) -> f64 {
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let p = (x1 + x2) as f64 / (n1f + n2f);
    let se = (p * (1.0 - p) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    if se == 0.0 {
        return 1.0;
    }
    let z = (x1 as f64 / n1f - x2 as f64 / n2f) / se;
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// The bias audit over `(dimension, segment, wrong)` per item.
fn bias_audit(items: &[Judged<'_>]) -> Vec<SegmentRate> {
    let total = items.len() as u64;
    let wrong_all = items.iter().filter(|j| j.model != j.human).count() as u64;
    let mut by: BTreeMap<(&str, &str), (u64, u64)> = BTreeMap::new();
    for j in items {
        let w = u64::from(j.model != j.human);
        for (dim, seg) in [
            ("company", j.company),
            ("channel", j.channel),
            ("language", j.language),
        ] {
            let e = by.entry((dim, seg)).or_default();
            e.0 += 1;
            e.1 += w;
        }
    }
    let testable = |n: u64| n >= MIN_SEGMENT && total - n >= MIN_SEGMENT;
    let tested = by.values().filter(|(n, _)| testable(*n)).count().max(1) as f64;
    by.into_iter()
        .map(|((dim, seg), (n, x))| {
            let (lo, hi) = wilson(x, n);
            let (rn, rx) = (total - n, wrong_all - x);
            let p = testable(n).then(|| two_proportion_p(x, n, rx, rn));
            SegmentRate {
                dimension: dim.to_string(),
                segment: seg.to_string(),
                items: n,
                errors: x,
                error_rate: x as f64 / n as f64,
                ci_low: lo,
                ci_high: hi,
                rest_error_rate: if rn == 0 { 0.0 } else { rx as f64 / rn as f64 },
                p_value: p,
                flagged: p.is_some_and(|p| p < 0.05 / tested),
            }
        })
        .collect()
}

/// Compute the evaluation.
pub fn evaluate(items: &[Judged<'_>]) -> Evaluation {
    let mut tp: HashMap<&str, u64> = HashMap::new();
    let mut pred: HashMap<&str, u64> = HashMap::new();
    let mut gold: HashMap<&str, u64> = HashMap::new();
    let mut conf: HashMap<(&str, &str), u64> = HashMap::new();
    let mut company: HashMap<&str, (u64, u64)> = HashMap::new();
    let mut bins = vec![(0u64, 0.0f64, 0u64); 10];
    let mut correct = 0u64;
    for j in items {
        *pred.entry(j.model).or_default() += 1;
        *gold.entry(j.human).or_default() += 1;
        let c = company.entry(j.company).or_default();
        c.0 += 1;
        let ok = j.model == j.human;
        if ok {
            *tp.entry(j.model).or_default() += 1;
            correct += 1;
        } else {
            c.1 += 1;
            *conf.entry((j.model, j.human)).or_default() += 1;
        }
        let b = ((j.confidence.clamp(0.0, 1.0) * 10.0) as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += j.confidence;
        bins[b].2 += u64::from(ok);
    }
    let mut intents: Vec<&str> = pred.keys().chain(gold.keys()).copied().collect();
    intents.sort_unstable();
    intents.dedup();
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let per_intent: Vec<IntentScore> = intents
        .iter()
        .map(|i| {
            let t = tp.get(i).copied().unwrap_or(0);
            let p = ratio(t, pred.get(i).copied().unwrap_or(0));
            let r = ratio(t, gold.get(i).copied().unwrap_or(0));
            IntentScore {
                intent: i.to_string(),
                precision: p,
                recall: r,
                f1: if p + r == 0.0 {
                    0.0
                } else {
                    2.0 * p * r / (p + r)
                },
                support: gold.get(i).copied().unwrap_or(0),
            }
        })
        .collect();
    let mut top: Vec<(String, String, u64)> = conf
        .into_iter()
        .map(|((m, h), n)| (m.to_string(), h.to_string(), n))
        .collect();
    top.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then_with(|| a.0.cmp(&b.0))
            .then_with(|| a.1.cmp(&b.1))
    });
    top.truncate(20);
    let top: Vec<Confusion> = top
        .into_iter()
        .map(|(model, human, count)| Confusion {
            model,
            human,
            count,
        })
        .collect();
    let n = items.len() as u64;
    let calibration: Vec<CalibrationBin> = bins
        .iter()
        .enumerate()
        .map(|(i, (count, sum, ok))| CalibrationBin {
            from: i as f64 / 10.0,
            to: (i + 1) as f64 / 10.0,
            count: *count,
            mean_confidence: if *count == 0 {
                0.0
            } else {
                sum / *count as f64
            },
            accuracy: ratio(*ok, *count),
        })
        .collect();
    let ece = calibration
        .iter()
        .map(|b| ratio(b.count, n) * (b.mean_confidence - b.accuracy).abs())
        .sum();
    Evaluation {
        items: n,
        accuracy: ratio(correct, n),
        macro_f1: if per_intent.is_empty() {
            0.0
        } else {
            per_intent.iter().map(|s| s.f1).sum::<f64>() / per_intent.len() as f64
        },
        per_intent,
        top_confusions: top,
        false_positive_rate_by_company: company
            .into_iter()
            .map(|(c, (all, wrong))| (c.to_string(), ratio(wrong, all)))
            .collect(),
        calibration,
        expected_calibration_error: ece,
        bias_audit: bias_audit(items),
        by_model_version: Vec::new(),
    }
}

/// Accuracy, macro-F1 and per-intent F1 of `(model, human)` pairs, by the same
/// definitions as [`evaluate`] (macro-F1 over intents with support or predictions).
fn pair_scores(pairs: &[(&str, &str)]) -> (f64, f64, BTreeMap<String, (f64, u64)>) {
    let mut tp: HashMap<&str, u64> = HashMap::new();
    let mut pred: HashMap<&str, u64> = HashMap::new();
    let mut gold: HashMap<&str, u64> = HashMap::new();
    let mut correct = 0u64;
    for (m, h) in pairs {
        *pred.entry(m).or_default() += 1;
        *gold.entry(h).or_default() += 1;
        if m == h {
            *tp.entry(m).or_default() += 1;
            correct += 1;
        }
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut per: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    for i in pred.keys().chain(gold.keys()) {
        let t = tp.get(i).copied().unwrap_or(0);
        let p = ratio(t, pred.get(i).copied().unwrap_or(0));
        let r = ratio(t, gold.get(i).copied().unwrap_or(0));
        let f1 = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        per.insert(i.to_string(), (f1, gold.get(i).copied().unwrap_or(0)));
    }
    let macro_f1 = if per.is_empty() {
        0.0
    } else {
        per.values().map(|v| v.0).sum::<f64>() / per.len() as f64
    };
    (ratio(correct, pairs.len() as u64), macro_f1, per)
}

/// One model version's predictions scored against the human answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VersionScore {
    /// The model version.
    pub model_version: String,
    /// Messages with a human answer that this version predicted.
    pub items: u64,
    /// Share of them it got right.
    pub accuracy: f64,
    /// Unweighted mean F1 over intents with support or predictions.
    pub macro_f1: f64,
}

/// Score each model version on the messages it predicted that have a human answer:
/// `(model_version, model intent, human intent)` per message and version (one
/// prediction per message and version: the latest). Sorted by version.
pub fn by_model_version(items: &[(&str, &str, &str)]) -> Vec<VersionScore> {
    let mut by: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (v, m, h) in items {
        by.entry(v).or_default().push((m, h));
    }
    by.into_iter()
        .map(|(v, pairs)| {
            let (accuracy, macro_f1, _) = pair_scores(&pairs);
            VersionScore {
                model_version: v.to_string(),
                items: pairs.len() as u64,
                accuracy,
                macro_f1,
            }
        })
        .collect()
}

/// One message both versions predicted, with the human answer.
#[derive(Debug, Clone)]
pub struct Paired<'a> {
    /// The human answer.
    pub human: &'a str,
    /// Version A's intent.
    pub a: &'a str,
    /// Version B's intent.
    pub b: &'a str,
}

/// One intent's F1 under each version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntentDelta {
    /// Intent id.
    pub intent: String,
    /// F1 of version A.
    pub f1_a: f64,
    /// F1 of version B.
    pub f1_b: f64,
    /// `f1_b - f1_a`.
    pub difference: f64,
    /// Messages humans gave this intent.
    pub support: u64,
}

/// Two model versions on the same messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Comparison {
    /// Version A.
    pub a: String,
    /// Version B.
    pub b: String,
    /// Messages compared (both versions predicted them, humans answered them).
    pub items: u64,
    /// Accuracy of A.
    pub accuracy_a: f64,
    /// Accuracy of B.
    pub accuracy_b: f64,
    /// `accuracy_b - accuracy_a`.
    pub accuracy_difference: f64,
    /// Macro-F1 of A.
    pub macro_f1_a: f64,
    /// Macro-F1 of B.
    pub macro_f1_b: f64,
    /// `macro_f1_b - macro_f1_a`.
    pub macro_f1_difference: f64,
    /// Messages only A got right (McNemar's b).
    pub only_a_correct: u64,
    /// Messages only B got right (McNemar's c).
    pub only_b_correct: u64,
    /// Two-sided p-value of McNemar's exact test on those discordant pairs: how likely a
    /// split at least this uneven is if both versions were equally good.
    pub mcnemar_p: f64,
    /// F1 per intent under each version, by intent id.
    pub per_intent: Vec<IntentDelta>,
}

/// McNemar's exact test: the two-sided binomial p-value of `b` against `c` discordant
/// pairs under p = 1/2 (twice the smaller tail, at most 1). Computed in logs, so
/// thousands of pairs do not underflow.
pub fn mcnemar_exact(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    let nf = n as f64;
    let mut ln_choose = 0.0f64; // ln C(n, 0)
    let mut tail = 0.0f64;
    for i in 0..=k {
        if i > 0 {
            ln_choose += (nf - i as f64 + 1.0).ln() - (i as f64).ln();
        }
        tail += (ln_choose - nf * std::f64::consts::LN_2).exp();
    }
    (2.0 * tail).min(1.0)
}

/// Compare version `a` with version `b` on the same messages.
pub fn compare(a: &str, b: &str, items: &[Paired<'_>]) -> Comparison {
    let pa: Vec<(&str, &str)> = items.iter().map(|p| (p.a, p.human)).collect();
    let pb: Vec<(&str, &str)> = items.iter().map(|p| (p.b, p.human)).collect();
    let (acc_a, f1_a, per_a) = pair_scores(&pa);
    let (acc_b, f1_b, per_b) = pair_scores(&pb);
    let only_a = items
        .iter()
        .filter(|p| p.a == p.human && p.b != p.human)
        .count() as u64;
    let only_b = items
        .iter()
        .filter(|p| p.b == p.human && p.a != p.human)
        .count() as u64;
    let mut intents: Vec<&String> = per_a.keys().chain(per_b.keys()).collect();
    intents.sort_unstable();
    intents.dedup();
    let per_intent = intents
        .into_iter()
        .map(|i| {
            let (fa, sa) = per_a.get(i).copied().unwrap_or((0.0, 0));
            let (fb, sb) = per_b.get(i).copied().unwrap_or((0.0, 0));
            IntentDelta {
                intent: i.clone(),
                f1_a: fa,
                f1_b: fb,
                difference: fb - fa,
                support: sa.max(sb),
            }
        })
        .collect();
    Comparison {
        a: a.to_string(),
        b: b.to_string(),
        items: items.len() as u64,
        accuracy_a: acc_a,
        accuracy_b: acc_b,
        accuracy_difference: acc_b - acc_a,
        macro_f1_a: f1_a,
        macro_f1_b: f1_b,
        macro_f1_difference: f1_b - f1_a,
        only_a_correct: only_a,
        only_b_correct: only_b,
        mcnemar_p: mcnemar_exact(only_a, only_b),
        per_intent,
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained HTML report: tables and inline SVG charts, no scripts, no remote
/// content (CSP `default-src 'none'; style-src 'unsafe-inline'`).
pub fn html_report(e: &Evaluation, title: &str) -> String {
    use std::fmt::Write;
    let mut h = String::with_capacity(16 * 1024);
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"><title>{t}</title><style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:1000px}}table{{border-collapse:collapse}}td,th{{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}}td:first-child,th:first-child{{text-align:left}}@media (prefers-color-scheme:dark){{body{{background:#111;color:#eee}}}}</style></head><body><h1>{t}</h1>",
        t = esc(title)
    );
    let _ = write!(
        h,
        "<p>{} items · accuracy {:.1}% · macro F1 {:.3} · expected calibration error {:.3}</p>",
        e.items,
        e.accuracy * 100.0,
        e.macro_f1,
        e.expected_calibration_error
    );
    if !e.by_model_version.is_empty() {
        h.push_str("<h2>By model version</h2><table><tr><th>model version</th><th>items</th><th>accuracy</th><th>macro F1</th></tr>");
        for v in &e.by_model_version {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{:.1}%</td><td>{:.3}</td></tr>",
                esc(&v.model_version),
                v.items,
                v.accuracy * 100.0,
                v.macro_f1
            );
        }
        h.push_str("</table>");
    }
    // Calibration chart.
    h.push_str("<h2>Calibration</h2><svg role=\"img\" aria-label=\"calibration: accuracy against confidence\" width=\"320\" height=\"320\" viewBox=\"0 0 320 320\"><rect x=\"20\" y=\"0\" width=\"300\" height=\"300\" fill=\"none\" stroke=\"#888\"/><line x1=\"20\" y1=\"300\" x2=\"320\" y2=\"0\" stroke=\"#aaa\" stroke-dasharray=\"4\"/>");
    for b in &e.calibration {
        if b.count == 0 {
            continue;
        }
        let x = 20.0 + b.from * 300.0;
        let hgt = b.accuracy * 300.0;
        let _ = write!(h, "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"28\" height=\"{:.1}\" fill=\"#4a7bd0\"><title>{:.1}–{:.1}: {} items, accuracy {:.2}</title></rect>", x + 1.0, 300.0 - hgt, hgt, b.from, b.to, b.count, b.accuracy);
    }
    h.push_str("</svg>");
    // Per-intent table with F1 bars.
    h.push_str("<h2>Per intent</h2><table><tr><th>intent</th><th>precision</th><th>recall</th><th>F1</th><th>support</th><th></th></tr>");
    for s in &e.per_intent {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td><td><svg width=\"100\" height=\"10\" aria-hidden=\"true\"><rect width=\"{:.0}\" height=\"10\" fill=\"#4a7bd0\"/></svg></td></tr>",
            esc(&s.intent), s.precision, s.recall, s.f1, s.support, s.f1 * 100.0
        );
    }
    h.push_str("</table><h2>Top confusions (model → human)</h2><table><tr><th>model said</th><th>humans said</th><th>count</th></tr>");
    for c in &e.top_confusions {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.model),
            esc(&c.human),
            c.count
        );
    }
    h.push_str("</table><h2>False-positive rate by company</h2><table><tr><th>company</th><th>rate</th></tr>");
    for (c, r) in &e.false_positive_rate_by_company {
        let _ = write!(h, "<tr><td>{}</td><td>{:.1}%</td></tr>", esc(c), r * 100.0);
    }
    h.push_str("</table><h2>Bias audit</h2><p>Error rate of the model per company, channel and language, with its 95% interval, against every other message; flagged where the difference is significant after a Bonferroni correction.</p><table><tr><th>by</th><th>segment</th><th>items</th><th>error rate</th><th>95% interval</th><th>the rest</th><th>p</th><th></th></tr>");
    for s in &e.bias_audit {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1}%</td><td>{:.1}–{:.1}%</td><td>{:.1}%</td><td>{}</td><td>{}</td></tr>",
            esc(&s.dimension),
            esc(&s.segment),
            s.items,
            s.error_rate * 100.0,
            s.ci_low * 100.0,
            s.ci_high * 100.0,
            s.rest_error_rate * 100.0,
            s.p_value.map_or("—".into(), |p| format!("{p:.2e}")),
            if s.flagged { "<b>flagged</b>" } else { "" }
        );
    }
    h.push_str("</table></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_report() {
        let j = |company, model, confidence, human| Judged {
            company,
            channel: "chat",
            language: UNDETERMINED,
            model,
            confidence,
            human,
        };
        let items = vec![
            j("a", "x", 0.95, "x"),
            j("a", "x", 0.9, "y"),
            j("a", "y", 0.3, "y"),
            j("b", "y", 0.35, "x"),
            j("b", "x", 0.97, "x"),
        ];
        let e = evaluate(&items);
        assert_eq!(e.items, 5);
        assert!((e.accuracy - 0.6).abs() < 1e-12);
        let x = e.per_intent.iter().find(|s| s.intent == "x").unwrap();
        assert!((x.precision - 2.0 / 3.0).abs() < 1e-12 && (x.recall - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(e.top_confusions.len(), 2);
        assert!((e.false_positive_rate_by_company["a"] - 1.0 / 3.0).abs() < 1e-12);
        assert!((e.false_positive_rate_by_company["b"] - 0.5).abs() < 1e-12);
        assert_eq!(e.calibration[9].count, 3);
        let html = html_report(&e, "Model <v2>");
        assert!(
            html.contains("Model &lt;v2&gt;")
                && !html.contains("<script")
                && !html.contains("http:")
                && !html.contains("https:")
        );
    }

    /// The bias audit: a channel whose error rate stands out is flagged, with a Wilson
    /// interval around its rate; small segments are reported but not tested; the
    /// statistics agree with textbook values.
    #[test]
    fn bias_audit_flags_a_segment_that_stands_out() {
        let mut items = Vec::new();
        for i in 0..200 {
            let (channel, wrong) = if i < 40 {
                ("phone", i % 2 == 0) // 50% errors
            } else {
                ("chat", i % 10 == 0) // 10% errors
            };
            items.push(Judged {
                company: if (i / 2) % 2 == 0 { "acme" } else { "globex" },
                channel,
                language: if i % 3 == 0 { "de" } else { "en" },
                model: "x",
                confidence: 0.5,
                human: if wrong { "y" } else { "x" },
            });
        }
        items.push(Judged {
            company: "tiny",
            channel: "chat",
            language: UNDETERMINED,
            model: "x",
            confidence: 0.5,
            human: "y",
        });
        let e = evaluate(&items);
        let seg = |d: &str, s: &str| {
            e.bias_audit
                .iter()
                .find(|r| r.dimension == d && r.segment == s)
                .unwrap()
                .clone()
        };
        let phone = seg("channel", "phone");
        assert_eq!((phone.items, phone.errors), (40, 20));
        assert!(phone.flagged && phone.p_value.unwrap() < 1e-6, "{phone:?}");
        assert!(phone.ci_low < 0.5 && phone.ci_high > 0.5);
        let acme = seg("company", "acme");
        assert!(!acme.flagged, "{acme:?}");
        let tiny = seg("company", "tiny");
        assert_eq!((tiny.p_value, tiny.flagged), (None, false));
        // Wilson 95% for 20/40: 0.352-0.648; erfc(1.96/sqrt(2)) = 0.05.
        let (lo, hi) = wilson(20, 40);
        assert!(
            (lo - 0.3520).abs() < 1e-3 && (hi - 0.6480).abs() < 1e-3,
            "{lo} {hi}"
        );
        assert!((erfc(1.959_964 / std::f64::consts::SQRT_2) - 0.05).abs() < 1e-6);
        assert!(html_report(&e, "t").contains("Bias audit"));
        let de = seg("language", "de");
        assert_eq!(de.items, 67);
        assert!(!de.flagged, "{de:?}");
        assert_eq!(seg("language", "und").items, 1);
    }

    /// McNemar's exact test against values computed by hand: b=1, c=9 gives
    /// 2 * (1 + 10) / 1024 = 0.021484375; equal counts give 1; no discordant pair gives
    /// 1; b=0, c=5 gives 2/32; and large counts do not underflow.
    #[test]
    fn mcnemar_exact_known_values() {
        assert!((mcnemar_exact(1, 9) - 0.021_484_375).abs() < 1e-12);
        assert!((mcnemar_exact(9, 1) - 0.021_484_375).abs() < 1e-12);
        assert_eq!(mcnemar_exact(5, 5), 1.0);
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        assert!((mcnemar_exact(0, 5) - 0.0625).abs() < 1e-12);
        // scipy.stats.binomtest(400, 1000).pvalue = 2.4e-10 (two-sided)
        let p = mcnemar_exact(400, 600);
        assert!(p > 1e-10 && p < 1e-9, "{p}");
        assert_eq!(mcnemar_exact(2000, 2000), 1.0);
    }

    /// Comparing two versions on the same messages: accuracies, macro-F1, discordant
    /// pairs and per-intent deltas as a hand computation gives them; and the per-version
    /// scores agree with the full evaluation's definitions.
    #[test]
    fn compare_two_versions_by_hand() {
        // human, a, b
        let rows = [
            ("x", "x", "x"),
            ("x", "y", "x"),
            ("y", "y", "y"),
            ("y", "x", "y"),
            ("x", "x", "y"),
            ("y", "x", "x"),
        ];
        let items: Vec<Paired<'_>> = rows
            .iter()
            .map(|(h, a, b)| Paired { human: h, a, b })
            .collect();
        let c = compare("v1", "v2", &items);
        assert_eq!(c.items, 6);
        // a right on rows 0, 2, 4 (3/6); b right on 0, 1, 2, 3 (4/6)
        assert!((c.accuracy_a - 0.5).abs() < 1e-12);
        assert!((c.accuracy_b - 4.0 / 6.0).abs() < 1e-12);
        assert!((c.accuracy_difference - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!((c.only_a_correct, c.only_b_correct), (1, 2));
        // n = 3, k = 1: 2 * (1 + 3) / 8 = 1.0
        assert_eq!(c.mcnemar_p, 1.0);
        // a: x predicted 4 times, 2 right (p 1/2), humans x 3 times (r 2/3): F1 4/7;
        //    y predicted 2, 1 right (p 1/2), humans y 3 (r 1/3): F1 2/5.
        let x = c.per_intent.iter().find(|d| d.intent == "x").unwrap();
        assert!((x.f1_a - 4.0 / 7.0).abs() < 1e-12, "{x:?}");
        // b: x predicted 3, 2 right (p 2/3, r 2/3): F1 2/3; y the same: 2/3.
        assert!((x.f1_b - 2.0 / 3.0).abs() < 1e-12, "{x:?}");
        assert_eq!(x.support, 3);
        assert!((c.macro_f1_a - (4.0 / 7.0 + 0.4) / 2.0).abs() < 1e-12);
        assert!((c.macro_f1_b - 2.0 / 3.0).abs() < 1e-12);
        let v = by_model_version(
            &rows
                .iter()
                .flat_map(|(h, a, b)| [("v1", *a, *h), ("v2", *b, *h)])
                .collect::<Vec<_>>(),
        );
        assert_eq!(v.len(), 2);
        let judged: Vec<Judged<'_>> = rows
            .iter()
            .map(|(h, a, _)| Judged {
                company: "c",
                channel: "chat",
                language: UNDETERMINED,
                model: a,
                confidence: 0.5,
                human: h,
            })
            .collect();
        let e = evaluate(&judged);
        assert_eq!(v[0].model_version, "v1");
        assert!((v[0].macro_f1 - e.macro_f1).abs() < 1e-12);
        assert!((v[0].accuracy - e.accuracy).abs() < 1e-12);
        assert_eq!(v[1].items, 6);
    }
}
