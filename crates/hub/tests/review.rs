//! The manager's endpoints after labelling, over real loopback HTTP: quality and
//! agreement, disagreements and adjudication, export, evaluation, the retraining
//! trigger and metrics — each refused without or with a wrong admin token, and on bad
//! input. Expected values are computed here from the labels the test sent.

use labelvault_core::protocol::WireLabel;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

mod common;
use common::{raw, start, Backend};

on_both_stores!(
    review_endpoints_need_the_token,
    quality_adjudication_export_evaluation_retrain_metrics,
    missed_pii_marks_are_reported_by_guess_company_and_week,
);

fn wire(item: &str, verdict: &str, intent: Option<&str>, decided_at_ms: i64) -> WireLabel {
    serde_json::from_value(json!({"item_id": item, "revision": 1, "retracted": false, "verdict": verdict,
        "intent_id": intent, "flags": [], "pii_spans": [], "duration_ms": 5, "decided_at_ms": decided_at_ms}))
    .unwrap()
}

const INTENTS: [&str; 3] = ["card_arrival", "card_lost", "refund"];

/// Model intent of pool message `i`.
fn model_of(i: usize) -> &'static str {
    INTENTS[i % 3]
}

/// Krippendorff's alpha for units each labelled by exactly two coders (nominal),
/// straight from the coincidence matrix.
fn alpha_two_coders(units: &[(String, String)]) -> f64 {
    let mut o: HashMap<(&str, &str), f64> = HashMap::new();
    let mut nc: HashMap<&str, f64> = HashMap::new();
    for (x, y) in units {
        *o.entry((x, y)).or_default() += 1.0;
        *o.entry((y, x)).or_default() += 1.0;
        *nc.entry(x).or_default() += 1.0;
        *nc.entry(y).or_default() += 1.0;
    }
    let n: f64 = nc.values().sum();
    let d_o: f64 = o
        .iter()
        .filter(|((a, b), _)| a != b)
        .map(|(_, v)| v)
        .sum::<f64>()
        / n;
    let mut d_e = 0.0;
    for (a, x) in &nc {
        for (b, y) in &nc {
            if a != b {
                d_e += x * y;
            }
        }
    }
    d_e /= n * (n - 1.0);
    1.0 - d_o / d_e
}

fn kappa_two(units: &[(String, String)]) -> f64 {
    let n = units.len() as f64;
    let po = units.iter().filter(|(x, y)| x == y).count() as f64 / n;
    let mut mx: HashMap<&str, f64> = HashMap::new();
    let mut my: HashMap<&str, f64> = HashMap::new();
    for (x, y) in units {
        *mx.entry(x).or_default() += 1.0 / n;
        *my.entry(y).or_default() += 1.0 / n;
    }
    let pe: f64 = mx
        .iter()
        .map(|(c, p)| p * my.get(c).copied().unwrap_or(0.0))
        .sum();
    (po - pe) / (1.0 - pe)
}

fn review_endpoints_need_the_token(b: Backend) {
    let h = start(b);
    for (m, p) in [
        ("GET", "/v1/admin/quality"),
        ("GET", "/v1/admin/disagreements"),
        ("GET", "/v1/admin/adjudications"),
        ("POST", "/v1/admin/adjudications"),
        ("GET", "/v1/admin/export"),
        ("GET", "/v1/admin/evaluation"),
        ("GET", "/v1/admin/evaluation.html"),
        ("GET", "/v1/admin/retrain"),
        ("POST", "/v1/admin/retrain/mark"),
        ("POST", "/v1/admin/retrain/threshold"),
        ("GET", "/metrics"),
    ] {
        let url = format!("{}{p}", h.url);
        let (st, _, _, t) = raw(m, &url, &[], b"{}");
        let e: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(
            (st, e["code"].as_str()),
            (401, Some("admin_token_required")),
            "{m} {p}"
        );
        let (st, _, _, t) = raw(
            m,
            &url,
            &[("authorization", format!("Bearer {}", "0".repeat(64)))],
            b"{}",
        );
        let e: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(
            (st, e["code"].as_str()),
            (401, Some("bad_admin_token")),
            "{m} {p}"
        );
    }
}

fn quality_adjudication_export_evaluation_retrain_metrics(b: Backend) {
    let h = start(b);
    // 60 pool messages (all low confidence) and 4 gold messages.
    let mut ms: Vec<Value> = (0..60)
        .map(|i| {
            json!({"message_id": format!("m{i:03}"), "text": format!("message {i} about my card"),
                   "company": if i % 2 == 0 { "acme" } else { "globex" }, "received_at": 1000 + i,
                   "model_intent": model_of(i), "confidence": 0.05 + (i as f64) / 100.0})
        })
        .collect();
    for g in 0..4 {
        ms.push(
            json!({"message_id": format!("g{g}"), "text": format!("gold {g}"), "company": "acme",
                       "received_at": 5000, "model_intent": INTENTS[g % 3], "confidence": 0.9}),
        );
    }
    let (st, r) = h.post("/v1/admin/messages", json!({ "messages": ms }));
    assert_eq!(st, 200, "{r}");
    // Gold answers: g0, g1 as the model says; g2, g3 differ.
    let gold: BTreeMap<String, &str> = (0..4)
        .map(|g| {
            (
                format!("g{g}"),
                if g < 2 {
                    INTENTS[g % 3]
                } else {
                    INTENTS[(g + 1) % 3]
                },
            )
        })
        .collect();
    let answers: Vec<Value> = gold
        .iter()
        .map(|(m, i)| json!({"message_id": m, "intent": i}))
        .collect();
    assert_eq!(
        h.post("/v1/admin/gold", json!({ "answers": answers })).0,
        200
    );
    let (a_id, a) = h.enroll("a");
    let (b_id, b) = h.enroll("b");
    let (st, r) = h.post(
        "/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 2, "batch_size": 20, "gold_share": 0.1}),
    );
    assert_eq!(st, 200, "{r}");
    let items: Vec<Value> = h
        .state
        .store
        .items_jsonl()
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Labels: device A always confirms the model. Device B corrects every 4th pool
    // message to the next intent, and says unsure on message 7.
    let human_b = |i: usize| -> Option<&'static str> {
        if i == 7 {
            None
        } else if i.is_multiple_of(4) {
            Some(INTENTS[(i + 1) % 3])
        } else {
            Some(model_of(i))
        }
    };
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    let mut gold_expect: HashMap<&str, (u64, u64)> = HashMap::new();
    for (k, it) in items.iter().enumerate() {
        let item = it["item_id"].as_str().unwrap();
        let m = it["message_id"].as_str().unwrap();
        let on_a = it["device_id"] == a.as_str();
        let t = 1_763_800_000_000 + k as i64;
        if let Some(g) = gold.get(m) {
            let model = INTENTS[m[1..].parse::<usize>().unwrap() % 3];
            let e = gold_expect.entry(if on_a { "a" } else { "b" }).or_default();
            e.0 += 1;
            e.1 += u64::from(model == *g);
            let l = wire(item, "correct", None, t);
            if on_a {
                la.push(l)
            } else {
                lb.push(l)
            }
            continue;
        }
        let i: usize = m[1..].parse().unwrap();
        if on_a {
            la.push(wire(item, "correct", None, t));
        } else {
            match human_b(i) {
                None => lb.push(wire(item, "unsure", None, t)),
                Some(x) if x == model_of(i) => lb.push(wire(item, "correct", None, t)),
                Some(x) => lb.push(wire(item, "wrong", Some(x), t)),
            }
        }
    }
    h.upload(&a_id, &a, la);
    h.upload(&b_id, &b, lb);

    // Quality, against values computed here.
    let (st, q) = h.get_json("/v1/admin/quality?method=majority");
    assert_eq!(st, 200, "{q}");
    let units: Vec<(String, String)> = (0..60)
        .filter_map(|i| human_b(i).map(|x| (model_of(i).to_string(), x.to_string())))
        .collect();
    let alpha = alpha_two_coders(&units);
    let kappa = kappa_two(&units);
    let o = &q["overall"];
    assert_eq!(o["paired_messages"], 59);
    assert!(
        (o["alpha"].as_f64().unwrap() - alpha).abs() < 1e-9,
        "{o} vs {alpha}"
    );
    assert!(
        (o["kappa"].as_f64().unwrap() - kappa).abs() < 1e-9,
        "{o} vs {kappa}"
    );
    assert!(alpha < 1.0 && alpha > 0.3);
    let ann = q["annotators"].as_array().unwrap();
    assert_eq!(ann.len(), 2);
    for n in ann {
        let who = if n["devices"][0] == a.as_str() {
            "a"
        } else {
            "b"
        };
        let (answered, correct) = gold_expect.get(who).copied().unwrap_or((0, 0));
        assert_eq!(n["gold"]["answered"], answered, "{n}");
        assert_eq!(n["gold"]["correct"], correct, "{n}");
        // The person behind the device, by the name the manager gave.
        assert_eq!(n["name"], who, "{n}");
    }
    // The people behind the device ids, for the manager's views.
    let (st, people) = h.get_json("/v1/admin/annotators");
    assert_eq!(st, 200, "{people}");
    let by_name: HashMap<&str, &Value> = people["annotators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), &p["devices"][0]))
        .collect();
    assert_eq!(by_name["a"]["device_id"], a.as_str());
    assert_eq!(by_name["b"]["device_id"], b.as_str());
    assert_eq!(by_name["a"]["revoked"], false);
    let (st, _, _, _) = raw("GET", &format!("{}/v1/admin/annotators", h.url), &[], b"");
    assert_eq!(st, 401);
    assert_eq!(q["counts"]["unsure"], 1);
    let companies: Vec<&str> = q["by_company"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(companies, vec!["acme", "globex"]);
    assert_eq!(q["by_intent"].as_array().unwrap().len(), 3);
    assert!(!q["by_batch"].as_array().unwrap().is_empty());
    assert_eq!(q["pairs"][0]["shared"], 59);
    assert_eq!(
        h.get_json("/v1/admin/quality?method=vote").1["code"],
        "bad_method"
    );
    assert_eq!(
        h.get_json("/v1/admin/quality?metod=majority").1["code"],
        "unknown_field"
    );

    // Disagreements: every 4th message conflicts; message 7 is undecided by B but
    // decided by A, so it is not listed.
    let (st, d) = h.get_json("/v1/admin/disagreements");
    assert_eq!(st, 200, "{d}");
    let mut conflict: Vec<String> = d["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["message_id"].as_str().unwrap().to_string())
        .collect();
    conflict.sort();
    let expect: Vec<String> = (0..60).step_by(4).map(|i| format!("m{i:03}")).collect();
    assert_eq!(conflict, expect);
    assert!(
        d["disagreements"][0].get("text").is_none(),
        "no text unless asked"
    );
    let (_, dt) = h.get_json("/v1/admin/disagreements?with_text=true&limit=1");
    assert!(dt["disagreements"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("message "));
    assert_eq!(
        h.get_json("/v1/admin/disagreements?limit=0").1["code"],
        "invalid"
    );

    // Adjudication: bad input, then a decision that overrides aggregation.
    assert_eq!(
        h.post(
            "/v1/admin/adjudications",
            json!({"message_id": "nope", "intent": "refund"})
        )
        .1["code"],
        "unknown_message"
    );
    assert_eq!(
        h.post(
            "/v1/admin/adjudications",
            json!({"message_id": "m000", "intent": "no_such"})
        )
        .1["code"],
        "unknown_intent"
    );
    assert_eq!(
        h.post(
            "/v1/admin/adjudications",
            json!({"message_id": "m000", "intent": "refund", "x": 1})
        )
        .1["code"],
        "unknown_field"
    );
    let (st, adj) = h.post(
        "/v1/admin/adjudications",
        json!({"message_id": "m000", "intent": "refund", "by": "lead"}),
    );
    assert_eq!(st, 200, "{adj}");
    assert_eq!(adj["labels"].as_array().unwrap().len(), 2);
    assert_eq!(adj["supersedes"], Value::Null);
    let (_, adj2) = h.post(
        "/v1/admin/adjudications",
        json!({"message_id": "m000", "intent": "card_lost"}),
    );
    assert_eq!(adj2["supersedes"], adj["seq"]);
    assert_eq!(adj2["previous_intent"], "refund");
    let (_, trail) = h.get_json("/v1/admin/adjudications");
    assert_eq!(trail["adjudications"].as_array().unwrap().len(), 2);
    let (_, d2) = h.get_json("/v1/admin/disagreements");
    assert_eq!(d2["open"].as_u64().unwrap() as usize, expect.len() - 1);

    // The final labels by majority, worked out here: adjudication, else the gold
    // answer, else the two annotators' vote (a tie goes to the smaller intent id).
    let mut expected_final: HashMap<String, String> = gold
        .iter()
        .map(|(m, i)| (m.clone(), i.to_string()))
        .collect();
    for i in 0..60 {
        let a_says = model_of(i);
        let f = match human_b(i) {
            None => a_says,
            Some(b_says) => a_says.min(b_says),
        };
        expected_final.insert(format!("m{i:03}"), f.to_string());
    }
    expected_final.insert("m000".into(), "card_lost".into());

    // Export: split sizes per label, computed here; formats; bad input.
    let (st, ct, counts, body) = h.get("/v1/admin/export?seed=3&mark=false&method=majority");
    assert_eq!(st, 200, "{body}");
    assert!(ct.starts_with("application/x-ndjson"));
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 64, "every message has a final label");
    let by_id: HashMap<&str, &Value> = lines
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l))
        .collect();
    assert_eq!(by_id["m000"]["intent"], "card_lost", "adjudication wins");
    assert_eq!(by_id["g2"]["intent"], gold["g2"], "gold answer wins");
    for (id, l) in &by_id {
        assert_eq!(l["intent"].as_str().unwrap(), expected_final[*id], "{id}");
    }
    let mut per_label: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &lines {
        *per_label.entry(l["intent"].as_str().unwrap()).or_default() += 1;
    }
    let (mut tr, mut va) = (0, 0);
    for n in per_label.values() {
        let t = (*n as f64 * 0.7).round() as usize;
        tr += t;
        va += (*n as f64 * 0.85).round() as usize - t;
    }
    assert_eq!(
        counts,
        format!("train={tr},validation={va},test={}", 64 - tr - va)
    );
    let count = |s: &str| lines.iter().filter(|l| l["split"] == s).count();
    assert_eq!((count("train"), count("validation")), (tr, va));
    let (_, _, _, again) = h.get("/v1/admin/export?seed=3&mark=false&method=majority");
    assert_eq!(again, body, "seeded");
    let (_, _, _, chat) = h.get("/v1/admin/export?format=chat&part=test&mark=false");
    assert_eq!(chat.lines().count(), 64 - tr - va);
    let c0: Value = serde_json::from_str(chat.lines().next().unwrap()).unwrap();
    assert_eq!(c0["messages"][2]["role"], "assistant");
    let (_, ct, _, ls) = h.get("/v1/admin/export?format=label-studio&mark=false");
    assert!(ct.starts_with("application/json"));
    let ls: Vec<Value> = serde_json::from_str(&ls).unwrap();
    assert_eq!(ls.len(), 64);
    let (_, _, _, pr) = h.get("/v1/admin/export?format=prodigy&mark=false");
    assert_eq!(pr.lines().count(), 64);
    // Cross-validation folds alongside the split: every example in one of k, each
    // label spread evenly, seeded; refused outside 2..=20.
    let (_, _, _, folded) = h.get("/v1/admin/export?seed=3&mark=false&method=majority&folds=5");
    let rows: Vec<Value> = folded
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 64);
    let mut per: std::collections::BTreeMap<String, [usize; 5]> = Default::default();
    for r in &rows {
        let f = r["fold"].as_u64().expect("a fold") as usize;
        per.entry(r["intent"].as_str().unwrap().to_string())
            .or_default()[f] += 1;
    }
    for (intent, n) in &per {
        assert!(
            n.iter().max().unwrap() - n.iter().min().unwrap() <= 1,
            "{intent}: {n:?}"
        );
    }
    let split_of = |b: &str| -> Vec<String> {
        b.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["split"].to_string())
            .collect()
    };
    assert_eq!(
        split_of(&folded),
        split_of(&body),
        "folds leave the split as it was"
    );
    assert_eq!(h.get_json("/v1/admin/export?folds=1").1["code"], "invalid");
    assert_eq!(h.get_json("/v1/admin/export?folds=21").1["code"], "invalid");
    assert_eq!(
        h.get_json("/v1/admin/export?format=csv").1["code"],
        "bad_format"
    );
    assert_eq!(
        h.get_json("/v1/admin/export?split=70/20/20").1["code"],
        "bad_split"
    );
    assert_eq!(h.get_json("/v1/admin/export?seed=-1").1["code"], "invalid");

    // Evaluation: confusion counts computed here from the final labels.
    let (st, e) = h.get_json("/v1/admin/evaluation?method=majority");
    assert_eq!(st, 200, "{e}");
    assert_eq!(e["items"], 64);
    let model: HashMap<String, &str> = (0..60)
        .map(|i| (format!("m{i:03}"), model_of(i)))
        .chain((0..4).map(|g| (format!("g{g}"), INTENTS[g % 3])))
        .collect();
    let mut conf: HashMap<(String, String), u64> = HashMap::new();
    for (id, hu) in &expected_final {
        let (m, hu) = (model[id.as_str()], hu.as_str());
        if m != hu {
            *conf.entry((m.to_string(), hu.to_string())).or_default() += 1;
        }
    }
    let got: HashMap<(String, String), u64> = e["top_confusions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                (
                    c["model"].as_str().unwrap().to_string(),
                    c["human"].as_str().unwrap().to_string(),
                ),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, conf);
    let (st, ct, _, html) = h.get("/v1/admin/evaluation.html");
    assert_eq!(st, 200);
    assert!(ct.starts_with("text/html"));
    assert!(html.contains("<svg") && !html.contains("<script") && !html.contains("https:"));
    assert!(
        !html.contains("message 1 about"),
        "no message text in the report"
    );

    // Retraining trigger.
    let (_, r) = h.get_json("/v1/admin/retrain");
    assert_eq!(r["new_labels"], r["labels_total"]);
    assert_eq!(r["threshold"], 1000);
    assert_eq!(r["due"], false);
    let (_, r) = h.post("/v1/admin/retrain/threshold", json!({"threshold": 10}));
    assert_eq!(
        (r["threshold"].as_u64(), r["due"].as_bool()),
        (Some(10), Some(true))
    );
    assert_eq!(
        h.post("/v1/admin/retrain/threshold", json!({"threshold": 0}))
            .1["code"],
        "invalid"
    );
    assert_eq!(
        h.post("/v1/admin/retrain/mark", json!({"kind": "nap"})).1["code"],
        "invalid"
    );
    let (_, r) = h.post("/v1/admin/retrain/mark", json!({}));
    assert_eq!(
        (r["new_labels"].as_u64(), r["due"].as_bool()),
        (Some(0), Some(false))
    );
    assert_eq!(r["last_mark"]["kind"], "training");
    assert_eq!(r["threshold"], 10, "a mark keeps the threshold");
    let (_, _, _, _) = h.get("/v1/admin/export");
    assert_eq!(
        h.get_json("/v1/admin/retrain").1["last_mark"]["kind"],
        "export"
    );

    // Metrics.
    let (st, ct, _, m) = h.get("/metrics");
    assert_eq!(st, 200);
    assert!(ct.starts_with("text/plain"));
    let value = |name: &str| -> f64 {
        m.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("{name} missing:\n{m}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!((value("labelvault_agreement_alpha") - alpha).abs() < 1e-9);
    assert_eq!(
        value("labelvault_items_pending{reason=\"low_confidence\"}"),
        0.0
    );
    assert_eq!(value("labelvault_retrain_threshold"), 10.0);
    assert_eq!(
        value("labelvault_labels_received_total{verdict=\"unsure\"}"),
        1.0
    );
    assert_eq!(
        value("labelvault_label_sync_latency_seconds_count"),
        items.len() as f64
    );
    assert_eq!(
        value("labelvault_disagreements_open"),
        (expect.len() - 1) as f64
    );
    assert!(!m.contains("message "), "no message text in metrics");
}

/// Annotators' missed-PII marks (`p`) come back to the manager counted by guessed kind,
/// company and week, never as text; a mark taken back by a later revision is not
/// counted.
fn missed_pii_marks_are_reported_by_guess_company_and_week(b: Backend) {
    use labelvault_core::labels::{Flag, Span};
    let h = start(b);
    // (message, company, text, the marked word)
    let rows = [
        (
            "m0",
            "acme",
            // One name word after "the agent" stands where the redactor's tagger does
            // not look (it keeps off words after "the") and no other rule takes it: a
            // miss an annotator marks.
            "the agent Zorblax was so helpful today",
            Some("Zorblax"),
        ),
        (
            "m1",
            "acme",
            "my code word is bluebird thanks",
            Some("bluebird"),
        ),
        (
            "m2",
            "globex",
            "I waited in aisle 7731 for an hour",
            Some("7731"),
        ),
        ("m3", "globex", "the parcel is blue and small", Some("blue")),
    ];
    let ms: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (id, company, text, _))| {
            json!({"message_id": id, "text": text, "company": company, "received_at": 1000 + i,
                   "model_intent": INTENTS[0], "confidence": 0.1})
        })
        .collect();
    assert_eq!(
        h.post("/v1/admin/messages", json!({ "messages": ms })).0,
        200
    );
    let (ident, dev) = h.enroll("a");
    let (st, r) = h.post(
        "/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 1, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    let item_of: HashMap<String, String> = h
        .state
        .store
        .items_jsonl()
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| {
            (
                v["message_id"].as_str().unwrap().into(),
                v["item_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    let redactor = labelvault_core::redact::Redactor::default();
    let t = labelvault_core::batch::now_unix() * 1000 - 1000;
    let mut labels = Vec::new();
    for (id, _, text, word) in &rows {
        // The mark is made on the redacted text the device shows, in code points.
        let seen = redactor.redact(text).text;
        let word = word.unwrap();
        let byte = seen
            .find(word)
            .unwrap_or_else(|| panic!("{word:?} was redacted in {seen:?}"));
        let start = seen[..byte].chars().count() as u32;
        let mut l = wire(&item_of[*id], "correct", None, t);
        l.flags = vec![Flag::MissedPii];
        l.pii_spans = vec![Span {
            start,
            end: start + word.chars().count() as u32,
        }];
        l.length_class = Some(labelvault_core::grammar::length_class(
            seen.chars().count() as u32
        ));
        labels.push(l);
    }
    // The mark on m3 is taken back by a second revision.
    let mut second = wire(&item_of["m3"], "correct", None, t);
    second.revision = 2;
    labels.push(second);
    h.upload(&ident, &dev, labels);

    let (st, _, _, body) = h.get("/v1/admin/missed-pii");
    assert_eq!(st, 200, "{body}");
    for word in ["Zorblax", "bluebird", "7731", "aisle"] {
        assert!(!body.contains(word), "the report holds text: {body}");
    }
    let r: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (r["marks"].as_u64(), r["messages"].as_u64()),
        (Some(3), Some(3)),
        "{r}"
    );
    let got: Vec<(String, String, u64, u64)> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["company"].as_str().unwrap().into(),
                x["guess"].as_str().unwrap().into(),
                x["marks"].as_u64().unwrap(),
                x["messages"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("acme".into(), "OTHER".into(), 1, 1),
            ("acme".into(), "PERSON".into(), 1, 1),
            ("globex".into(), "NUMBER".into(), 1, 1),
        ]
    );
    let week = r["rows"][0]["week"].as_str().unwrap().to_string();
    assert_eq!(week.len(), 10, "{week}");

    // The manager confirms the PERSON row: its marked name becomes one of acme's terms.
    let (st, c) = h.post(
        "/v1/admin/missed-pii/confirm",
        json!({"week": week, "company": "acme", "guess": "PERSON"}),
    );
    assert_eq!(st, 200, "{c}");
    assert_eq!(
        (
            c["marks"].as_u64(),
            c["added"].as_u64(),
            c["company_terms"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{c}"
    );
    assert!(!c.to_string().contains("Zorblax"), "{c}");
    // A row whose guess is no kind needs `as`; a row that is not there is named.
    let (st, e) = h.post(
        "/v1/admin/missed-pii/confirm",
        json!({"week": week, "company": "acme", "guess": "OTHER"}),
    );
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")), "{e}");
    let (st, e) = h.post(
        "/v1/admin/missed-pii/confirm",
        json!({"week": "2020-01-06", "company": "acme", "guess": "PERSON"}),
    );
    assert_eq!((st, e["code"].as_str()), (404, Some("unknown_row")), "{e}");

    // Later messages: acme's get the name masked, globex's (no such term) do not. They
    // go to a second device, whose age identity this test holds to open its batches.
    let (st, _) = h.post(&format!("/v1/admin/devices/{dev}/revoke"), json!({}));
    assert_eq!(st, 200);
    let (_, age_id) = h.enroll_with_age("b");
    let later: Vec<Value> = [("m4", "acme"), ("m5", "globex")]
        .iter()
        .map(|(id, company)| {
            json!({"message_id": id, "text": "zorblax called again today", "company": company,
                   "received_at": 2000, "model_intent": INTENTS[0], "confidence": 0.1})
        })
        .collect();
    assert_eq!(
        h.post("/v1/admin/messages", json!({ "messages": later })).0,
        200
    );
    let (st, d) = h.post(
        "/v1/admin/dispatch",
        json!({"selection": {"from": 2000, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 1, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{d}");
    let hub_pk = labelvault_core::identity::parse_public_key(&h.state.key.public_key()).unwrap();
    let key_id = h.state.key.key_id();
    let mut texts = Vec::new();
    for b in d["batches"].as_array().unwrap() {
        let bytes = h
            .state
            .store
            .batch_file(b["batch_id"].as_str().unwrap())
            .unwrap()
            .unwrap();
        let opened = labelvault_core::batch::open(
            &bytes,
            &|id| (id == key_id).then_some(hub_pk),
            &age_id,
            labelvault_core::batch::now_unix(),
        )
        .unwrap();
        texts.extend(opened.payload.items.into_iter().map(|i| i.text));
    }
    texts.sort();
    assert_eq!(
        texts,
        vec!["[NAME_1] called again today", "zorblax called again today"]
    );
    // Managers only.
    let (st, _, _, _) = raw("GET", &format!("{}/v1/admin/missed-pii", h.url), &[], b"");
    assert_eq!(st, 401);
}
