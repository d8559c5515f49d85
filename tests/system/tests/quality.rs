//! The whole loop on real data, across processes: the Banking77 test messages (from
//! ../shared/data/banking77) with synthetic model predictions, ingested with the real
//! `labelvault` CLI into the real hub binary, dispatched with overlap 2 and 5% hidden
//! gold to two devices enrolled with the real keyring, labelled through the engine with
//! a known pattern of agreement and errors, synced, then aggregated, adjudicated,
//! exported and evaluated through the CLI. Every expected figure (α, κ, gold accuracy,
//! self-consistency, confusion counts, split sizes) is computed here from the pattern,
//! not by the engine's functions. Run inside scripts/with-keyring.sh.

use labelvault_core::labels::{Decision, Verdict};
use labelvault_system_tests::{cli_ok, enroll, Hub};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// `../shared/data/banking77` from the repository root, or `LABELVAULT_BANKING77_DIR`.
fn data_dir() -> PathBuf {
    match std::env::var_os("LABELVAULT_BANKING77_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/banking77"),
    }
}

/// SplitMix64, so the synthetic predictions are the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const BASE: i64 = 1_767_225_600; // 2026-01-01

struct Msg {
    truth: usize,
    predicted: usize,
    company: &'static str,
}

/// Krippendorff's α (nominal) for units with two values each, from the coincidence
/// matrix: α = 1 − D_o / D_e.
fn alpha_pairs(units: &[(usize, usize)]) -> f64 {
    let mut disagree = 0.0;
    let mut nc: HashMap<usize, f64> = HashMap::new();
    for &(x, y) in units {
        if x != y {
            disagree += 2.0;
        }
        *nc.entry(x).or_default() += 1.0;
        *nc.entry(y).or_default() += 1.0;
    }
    let n: f64 = nc.values().sum();
    let same: f64 = nc.values().map(|v| v * v).sum();
    let d_o = disagree / n;
    let d_e = (n * n - same) / (n * (n - 1.0));
    1.0 - d_o / d_e
}

/// Cohen's κ of two raters over paired decisions.
fn kappa_pairs(units: &[(usize, usize)]) -> f64 {
    let n = units.len() as f64;
    let po = units.iter().filter(|(x, y)| x == y).count() as f64 / n;
    let mut mx: HashMap<usize, f64> = HashMap::new();
    let mut my: HashMap<usize, f64> = HashMap::new();
    for &(x, y) in units {
        *mx.entry(x).or_default() += 1.0;
        *my.entry(y).or_default() += 1.0;
    }
    let pe: f64 = mx
        .iter()
        .map(|(c, a)| a * my.get(c).copied().unwrap_or(0.0))
        .sum::<f64>()
        / (n * n);
    (po - pe) / (1.0 - pe)
}

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn banking77_label_aggregate_adjudicate_export_evaluate() {
    let data = data_dir();
    if !data.join("test.csv").exists() {
        println!(
            "SKIPPED banking77_label_aggregate_adjudicate_export_evaluate: {} not found (the shared data directory is absent)",
            data.display()
        );
        return;
    }
    let id_of = |s: &str| s.trim_end_matches('?').to_string();
    let intents: Vec<String> = serde_json::from_str::<Vec<String>>(
        &std::fs::read_to_string(data.join("categories.json")).unwrap(),
    )
    .unwrap()
    .iter()
    .map(|s| id_of(s))
    .collect();
    let k = intents.len();
    let index: HashMap<&str, usize> = intents
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut rdr = csv::Reader::from_path(data.join("test.csv")).unwrap();
    let rows: Vec<(String, usize)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), index[id_of(&r[1]).as_str()])
        })
        .collect();
    assert!(rows.len() > 3000);

    // Synthetic predictions: right 75% of the time, wrong ones less confident, some
    // confident wrong ones reported as false positives.
    let mut rng = Rng(2077);
    let mut msgs = Vec::new();
    let mut lines = Vec::new();
    for (i, (text, truth)) in rows.iter().enumerate() {
        let right = rng.unit() < 0.75;
        let predicted = if right {
            *truth
        } else {
            (truth + 1 + rng.below(k - 1)) % k
        };
        let confidence = if right {
            0.35 + 0.64 * rng.unit()
        } else {
            0.05 + 0.8 * rng.unit()
        };
        let confidence = (confidence * 1000.0).round() / 1000.0;
        let fp = !right && confidence > 0.6 && i % 2 == 0;
        let company = ["acme", "globex", "initech"][i % 3];
        lines.push(
            json!({"id": format!("b77-{i:04}"), "text": text, "company": company, "channel": "chat",
                   "received_at": BASE + i as i64 * 60, "intent": intents[predicted],
                   "confidence": confidence, "reported_false_positive": fp})
            .to_string(),
        );
        msgs.push(Msg {
            truth: *truth,
            predicted,
            company,
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("predictions.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let hub = Hub::start(&dir.path().join("hub"));
    let token = hub.data_dir.join("admin.token");
    let admin = [
        "--hub",
        hub.url.as_str(),
        "--admin-token-file",
        token.to_str().unwrap(),
    ];
    let nowhere = dir.path().join("manager-profile");
    let run = |args: &[&str]| -> String {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(admin.iter().copied());
        cli_ok(&nowhere, &all)
    };
    run(&["ingest", input.to_str().unwrap()]);
    // 40 gold messages with their true intent.
    let gold: Vec<usize> = (0..msgs.len()).step_by(70).take(40).collect();
    let gold_file = dir.path().join("gold.jsonl");
    std::fs::write(
        &gold_file,
        gold.iter()
            .map(|&i| {
                json!({"message_id": format!("b77-{i:04}"), "intent": intents[msgs[i].truth]})
                    .to_string()
                    + "\n"
            })
            .collect::<String>(),
    )
    .unwrap();
    run(&["gold", gold_file.to_str().unwrap()]);
    let a = enroll(&hub, &dir.path().join("a"), "annotator a");
    let b = enroll(&hub, &dir.path().join("b"), "annotator b");
    let to = (BASE + 4000 * 60).to_string();
    let from = BASE.to_string();
    let report: Value = serde_json::from_str(&run(&[
        "dispatch",
        "--json",
        "--from",
        from.as_str(),
        "--to",
        to.as_str(),
        "--budget",
        "200",
        "--max-confidence",
        "0.5",
        "--sample",
        "0",
        "--seed",
        "7",
        "--overlap",
        "2",
        "--batch-size",
        "40",
        "--gold-share",
        "0.05",
        "--lease",
        "1d",
    ]))
    .unwrap();
    let n_pool = report["dispatched_messages"].as_u64().unwrap() as usize;
    assert!(n_pool > 200, "{report}");
    assert_eq!(report["shortfall"], 0);

    // Item → message map from the hub.
    let map = jsonl(&hub.admin_get("/v1/admin/items"));
    let item_msg: HashMap<String, (usize, bool)> = map
        .iter()
        .map(|it| {
            let m = it["message_id"].as_str().unwrap();
            (
                it["item_id"].as_str().unwrap().to_string(),
                (m[4..].parse().unwrap(), it["gold"].as_bool().unwrap()),
            )
        })
        .collect();

    // The labelling pattern. A: right except i % 10 == 1 (next intent), and on a gold
    // message seen again with even i, the next intent (a self-inconsistency). B: right
    // except i % 10 == 2 (intent + 2), unsure when i % 10 == 3; both give intent + 5
    // when i % 25 == 0. On gold, B is wrong when i % 3 == 0.
    let answer = |dev: char, i: usize, gold: bool, seen_before: bool| -> Option<usize> {
        let t = msgs[i].truth;
        if gold {
            return Some(match dev {
                'a' if seen_before && i.is_multiple_of(2) => (t + 1) % k,
                'b' if i.is_multiple_of(3) => (t + 2) % k,
                _ => t,
            });
        }
        if i.is_multiple_of(25) {
            return Some((t + 5) % k);
        }
        match (dev, i % 10) {
            ('a', 1) => Some((t + 1) % k),
            ('b', 2) => Some((t + 2) % k),
            ('b', 3) => None,
            _ => Some(t),
        }
    };
    // Decisions per device: (message, gold, answer) in labelling order.
    let mut decided: HashMap<char, Vec<(usize, bool, Option<usize>)>> = HashMap::new();
    for (name, dev) in [('a', &a), ('b', &b)] {
        cli_ok(&dev.profile, &["pull"]);
        let profile = labelvault_core::Profile::resolve(Some(dev.profile.clone())).unwrap();
        let mut vault =
            labelvault_core::Vault::open(&profile, &labelvault_core::KeyringStore::new()).unwrap();
        let queue = vault.peek_queue(100_000).unwrap();
        let mut seen: HashMap<usize, usize> = HashMap::new();
        for q in &queue {
            let (i, g) = item_msg[&q.item_id];
            let n_seen = seen.entry(i).or_default();
            let ans = answer(name, i, g, *n_seen > 0);
            *n_seen += 1;
            let (verdict, intent_id) = match ans {
                None => (Verdict::Unsure, None),
                Some(x) if intents[x] == q.model_intent => (Verdict::Correct, None),
                Some(x) => (Verdict::Wrong, Some(intents[x].clone())),
            };
            vault
                .record(&Decision {
                    item_id: q.item_id.clone(),
                    verdict,
                    intent_id,
                    flags: Vec::new(),
                    pii_spans: Vec::new(),
                    duration_ms: 800,
                    also_intents: Vec::new(),
                })
                .unwrap();
            decided.entry(name).or_default().push((i, g, ans));
        }
        drop(vault);
        let sync: Value = serde_json::from_str(
            cli_ok(&dev.profile, &["sync", "--json"])
                .lines()
                .next()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            sync["accepted"].as_u64().unwrap() as usize,
            queue.len(),
            "{sync}"
        );
        assert_eq!(sync["rejected"], 0, "{sync}");
    }

    // Expected figures, from the pattern.
    let pool_answer = |dev: char| -> HashMap<usize, Option<usize>> {
        decided[&dev]
            .iter()
            .filter(|d| !d.1)
            .map(|d| (d.0, d.2))
            .collect()
    };
    let (pa, pb) = (pool_answer('a'), pool_answer('b'));
    assert_eq!(pa.len(), n_pool);
    let mut units = Vec::new();
    for (i, x) in &pa {
        if let (Some(x), Some(Some(y))) = (x, pb.get(i)) {
            units.push((*x, *y));
        }
    }
    let alpha = alpha_pairs(&units);
    let kappa = kappa_pairs(&units);
    let gold_score = |dev: char| -> (u64, u64) {
        let g: Vec<_> = decided[&dev].iter().filter(|d| d.1).collect();
        let ok = g.iter().filter(|d| d.2 == Some(msgs[d.0].truth)).count();
        (g.len() as u64, ok as u64)
    };
    let self_consistency = |dev: char| -> (u64, u64) {
        let mut per: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for d in decided[&dev].iter().filter(|d| d.1) {
            if let Some(x) = d.2 {
                per.entry(d.0).or_default().push(x);
            }
        }
        let (mut pairs, mut agree) = (0, 0);
        for v in per.values() {
            for p in 0..v.len() {
                for q in p + 1..v.len() {
                    pairs += 1;
                    agree += u64::from(v[p] == v[q]);
                }
            }
        }
        (pairs, agree)
    };

    let (a_pairs, a_agree) = self_consistency('a');
    assert!(
        a_pairs > 0 && a_agree < a_pairs,
        "the pattern repeats gold to A inconsistently ({a_agree}/{a_pairs})"
    );

    // Quality, through the CLI.
    let q: Value =
        serde_json::from_str(&run(&["quality", "--json", "--method", "majority"])).unwrap();
    let o = &q["overall"];
    assert_eq!(o["paired_messages"].as_u64().unwrap() as usize, units.len());
    assert!(
        (o["alpha"].as_f64().unwrap() - alpha).abs() < 1e-9,
        "alpha {o} vs {alpha}"
    );
    assert!(
        (o["kappa"].as_f64().unwrap() - kappa).abs() < 1e-9,
        "kappa {o} vs {kappa}"
    );
    for n in q["annotators"].as_array().unwrap() {
        let who = if n["devices"][0] == a.device_id.as_str() {
            'a'
        } else {
            'b'
        };
        let (answered, correct) = gold_score(who);
        assert_eq!(
            n["gold"]["answered"].as_u64().unwrap(),
            answered,
            "{who}: {n}"
        );
        assert_eq!(
            n["gold"]["correct"].as_u64().unwrap(),
            correct,
            "{who}: {n}"
        );
        let (pairs, agree) = self_consistency(who);
        assert_eq!(
            n["self_consistency"]["pairs"].as_u64().unwrap(),
            pairs,
            "{who}: {n}"
        );
        assert_eq!(
            n["self_consistency"]["agreeing"].as_u64().unwrap(),
            agree,
            "{who}: {n}"
        );
    }
    let human = run(&["quality"]);
    assert!(human.contains("agreement: alpha"), "{human}");

    // Disagreements: exactly the pool messages where both decided differently.
    let conflicts: Vec<usize> = {
        let mut v: Vec<usize> = pa
            .iter()
            .filter(|(i, x)| matches!(pb.get(i), Some(Some(y)) if Some(*y) != **x))
            .map(|(i, _)| *i)
            .collect();
        v.sort_unstable();
        v
    };
    let d: Value =
        serde_json::from_str(&run(&["disagreements", "--json", "--limit", "100000"])).unwrap();
    let mut listed: Vec<usize> = d["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["message_id"].as_str().unwrap()[4..].parse().unwrap())
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, conflicts);
    // The manager adjudicates every conflict to the true intent.
    for &i in &conflicts {
        let id = format!("b77-{i:04}");
        run(&[
            "adjudicate",
            id.as_str(),
            intents[msgs[i].truth].as_str(),
            "--by",
            "lead",
        ]);
    }
    let d: Value = serde_json::from_str(&run(&["disagreements", "--json"])).unwrap();
    assert_eq!(d["open"], 0);

    // Final labels, worked out here: gold answer, else adjudication (conflicts), else
    // the single or shared decision. Messages nobody decided have none.
    let mut finals: BTreeMap<usize, usize> = BTreeMap::new();
    for &i in &gold {
        if decided.values().flatten().any(|d| d.0 == i && d.1) {
            finals.insert(i, msgs[i].truth);
        }
    }
    for (i, x) in &pa {
        let f = if conflicts.contains(i) {
            Some(msgs[*i].truth)
        } else {
            x.or(pb.get(i).copied().flatten())
        };
        if let Some(f) = f {
            finals.insert(*i, f);
        }
    }

    // Export: split sizes per label.
    let out = dir.path().join("export");
    run(&[
        "export",
        "--method",
        "majority",
        "--seed",
        "11",
        "--out",
        out.to_str().unwrap(),
    ]);
    let mut per_label: HashMap<usize, usize> = HashMap::new();
    for f in finals.values() {
        *per_label.entry(*f).or_default() += 1;
    }
    let (mut tr, mut va) = (0, 0);
    for n in per_label.values() {
        let t = (*n as f64 * 0.7).round() as usize;
        tr += t;
        va += (*n as f64 * 0.85).round() as usize - t;
    }
    let count = |p: &str| jsonl(&std::fs::read_to_string(out.join(format!("{p}.jsonl"))).unwrap());
    let (train, val, test) = (count("train"), count("validation"), count("test"));
    assert_eq!(
        (train.len(), val.len(), test.len()),
        (tr, va, finals.len() - tr - va)
    );
    for l in train.iter().chain(&val).chain(&test) {
        let i: usize = l["id"].as_str().unwrap()[4..].parse().unwrap();
        assert_eq!(l["intent"].as_str().unwrap(), intents[finals[&i]]);
        assert_eq!(l["text"].as_str().unwrap(), rows[i].0, "hub-side text");
    }

    // Evaluation: accuracy, false-positive rate per company and confusion counts.
    let html = dir.path().join("evaluation.html");
    let e: Value = serde_json::from_str(&run(&[
        "evaluate",
        "--json",
        "--method",
        "majority",
        "--html",
        html.to_str().unwrap(),
    ]))
    .unwrap();
    assert_eq!(e["items"].as_u64().unwrap() as usize, finals.len());
    let right = finals
        .iter()
        .filter(|(i, f)| msgs[**i].predicted == **f)
        .count();
    assert!((e["accuracy"].as_f64().unwrap() - right as f64 / finals.len() as f64).abs() < 1e-12);
    let mut conf: HashMap<(String, String), u64> = HashMap::new();
    let mut company: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (i, f) in &finals {
        let m = &msgs[*i];
        let c = company.entry(m.company).or_default();
        c.0 += 1;
        if m.predicted != *f {
            c.1 += 1;
            *conf
                .entry((intents[m.predicted].clone(), intents[*f].clone()))
                .or_default() += 1;
        }
    }
    let mut conf: Vec<((String, String), u64)> = conf.into_iter().collect();
    conf.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    conf.truncate(20);
    let got: Vec<((String, String), u64)> = e["top_confusions"]
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
    for (c, (all, wrong)) in &company {
        let r = e["false_positive_rate_by_company"][*c].as_f64().unwrap();
        assert!((r - *wrong as f64 / *all as f64).abs() < 1e-12, "{c}");
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && !page.contains("<script"));
    assert!(
        !page.contains(&rows[gold[0]].0),
        "no message text in the report"
    );

    // The export was a retraining mark; the metrics agree with the quality report.
    let r: Value = serde_json::from_str(&run(&["retrain", "--json"])).unwrap();
    assert_eq!(
        (r["new_labels"].as_u64(), r["due"].as_bool()),
        (Some(0), Some(false))
    );
    let metrics = hub.admin_get("/metrics");
    let alpha_line = metrics
        .lines()
        .find(|l| l.starts_with("labelvault_agreement_alpha "))
        .unwrap();
    let m_alpha: f64 = alpha_line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!((m_alpha - alpha).abs() < 1e-9);
    for (text, _) in rows.iter().take(50) {
        assert!(!metrics.contains(text.as_str()));
    }
    let log = std::fs::read_to_string(&hub.log).unwrap_or_default();
    assert!(
        !log.contains(&rows[conflicts[0]].0),
        "no message text in the hub's log"
    );
    println!(
        "banking77 loop: pool {n_pool} messages, {} labels; alpha {alpha:.4}, kappa {kappa:.4}; {} conflicts adjudicated; \
         export {}/{}/{}; model accuracy {:.3} on {} messages; report {} bytes",
        decided.values().map(Vec::len).sum::<usize>(),
        conflicts.len(),
        train.len(),
        val.len(),
        test.len(),
        e["accuracy"].as_f64().unwrap(),
        finals.len(),
        page.len()
    );
}
