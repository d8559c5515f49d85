//! Evaluating the model against human labels: per-intent precision, recall and F1,
//! the most frequent confusions, the false-positive rate per company, and calibration
//! (confidence against human-verified accuracy, in bins), and a bias audit (the error
//! rate per company and channel with its confidence interval, against the rest) — as
//! JSON and as a self-contained HTML report (inline SVG, no remote content).

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One item with the model's answer and the humans' (aggregated) one.
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    /// Company.
    pub company: &'a str,
    /// Channel.
    pub channel: &'a str,
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
    /// The error rate per company and per channel against everything else, flagged where
    /// the difference is significant.
    pub bias_audit: Vec<SegmentRate>,
}

/// One segment's error rate. In single-label intent review every model error is a false
/// positive of the intent the model gave, so this is also the segment's false-positive
/// rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRate {
    /// `company` or `channel`.
    pub dimension: String,
    /// The company or channel.
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
        for (dim, seg) in [("company", j.company), ("channel", j.channel)] {
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
    h.push_str("</table><h2>Bias audit</h2><p>Error rate of the model per company and channel, with its 95% interval, against every other message; flagged where the difference is significant after a Bonferroni correction.</p><table><tr><th>by</th><th>segment</th><th>items</th><th>error rate</th><th>95% interval</th><th>the rest</th><th>p</th><th></th></tr>");
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
                model: "x",
                confidence: 0.5,
                human: if wrong { "y" } else { "x" },
            });
        }
        items.push(Judged {
            company: "tiny",
            channel: "chat",
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
    }
}
