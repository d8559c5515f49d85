//! Evaluating the model against human labels: per-intent precision, recall and F1,
//! the most frequent confusions, the false-positive rate per company, and calibration
//! (confidence against human-verified accuracy, in bins) — as JSON and as a
//! self-contained HTML report (inline SVG, no remote content).

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One item with the model's answer and the humans' (aggregated) one.
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    /// Company.
    pub company: &'a str,
    /// Model intent.
    pub model: &'a str,
    /// Model confidence.
    pub confidence: f64,
    /// Human intent.
    pub human: &'a str,
}

/// Precision, recall, F1 and support of one intent.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Items evaluated.
    pub items: u64,
    /// Model accuracy against humans.
    pub accuracy: f64,
    /// Unweighted mean F1 over intents with support or predictions.
    pub macro_f1: f64,
    /// Per intent, by id.
    pub per_intent: Vec<IntentScore>,
    /// (model intent, human intent, count), most frequent first (top 20).
    pub top_confusions: Vec<(String, String, u64)>,
    /// Share of the model's answers humans rejected, per company.
    pub false_positive_rate_by_company: BTreeMap<String, f64>,
    /// Ten equal-width confidence bins.
    pub calibration: Vec<CalibrationBin>,
    /// Expected calibration error over those bins.
    pub expected_calibration_error: f64,
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
    for (m, g, n) in &e.top_confusions {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(m),
            esc(g),
            n
        );
    }
    h.push_str("</table><h2>False-positive rate by company</h2><table><tr><th>company</th><th>rate</th></tr>");
    for (c, r) in &e.false_positive_rate_by_company {
        let _ = write!(h, "<tr><td>{}</td><td>{:.1}%</td></tr>", esc(c), r * 100.0);
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
}
