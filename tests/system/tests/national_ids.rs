//! The national-id recognizers against python-stdnum, a reference implementation nobody
//! here wrote: `tests/interop/national_ids.py` writes numbers of fifteen kinds (US SSN,
//! NL BSN, ES DNI and NIE, IT codice fiscale, FR NIR, DE Steuer-IdNr, PL PESEL, SE
//! personnummer, FI HETU, TR T.C. Kimlik No, EE isikukood, LT asmens kodas, RO CNP, BR
//! CPF), about half with a correct check digit, each after a cue word, with stdnum's
//! verdict. The real CLI (`labelvault redact --spans`) must mask every number stdnum
//! accepts and must never call a number stdnum refuses a NATIONAL_ID (unless stdnum
//! accepts it as another kind that is found without a cue word). And none fires on
//! Banking77's test messages (customer text without identity numbers), where the data
//! set is present.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn redact_spans(jsonl: &str) -> BTreeMap<String, Vec<Value>> {
    let mut child = Command::new(labelvault_system_tests::bin("labelvault-cli", "labelvault"))
        .args(["redact", "--spans"])
        .env_remove("LABELVAULT_PROFILE_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("labelvault redact");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = jsonl.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("redact output");
    writer.join().expect("writer").expect("write");
    assert!(out.status.success(), "redact failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("span line");
            let id = v["id"].as_str().expect("id").to_string();
            (id, v["entities"].as_array().cloned().unwrap_or_default())
        })
        .collect()
}

#[test]
fn national_ids_agree_with_python_stdnum() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/national_ids.py");
    let gen = Command::new("python3")
        .arg(&script)
        .args(["20261204", "300"])
        .output()
        .expect("python3 (scripts/install-deps.sh installs it and python-stdnum)");
    assert!(
        gen.status.success(),
        "national_ids.py failed (is python-stdnum installed? scripts/install-deps.sh): {}",
        String::from_utf8_lossy(&gen.stderr)
    );
    let cases = String::from_utf8(gen.stdout).expect("utf-8");
    let spans = redact_spans(&cases);
    // (kind, stdnum's verdict) -> (cases, disagreements)
    let mut tally: BTreeMap<(String, bool), (u32, u32)> = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut as_other_kind = Vec::new();
    for line in cases.lines() {
        let c: Value = serde_json::from_str(line).expect("case");
        let (text, number) = (c["text"].as_str().unwrap(), c["number"].as_str().unwrap());
        let valid = c["valid"].as_bool().unwrap();
        // Code-point offsets of the number in the text.
        let byte = text.find(number).expect("number in text");
        let start = text[..byte].chars().count() as u64;
        let end = start + number.chars().count() as u64;
        let ents = &spans[c["id"].as_str().unwrap()];
        let covered = |i: u64| {
            ents.iter()
                .any(|e| e["start"].as_u64() <= Some(i) && Some(i) < e["end"].as_u64())
        };
        let masked = (start..end).all(covered);
        let called_id = ents.iter().any(|e| {
            e["type"] == "NATIONAL_ID"
                && e["start"].as_u64() < Some(end)
                && Some(start) < e["end"].as_u64()
        });
        // Refused as its own kind but valid as a kind found without a cue word
        // (`valid_as`): a NATIONAL_ID there is right, not a disagreement.
        let other_kind = c["valid_as"]
            .as_array()
            .is_some_and(|kinds| !kinds.is_empty());
        if !valid && called_id && other_kind {
            as_other_kind.push(c["id"].to_string());
        }
        let ok = if valid {
            masked
        } else {
            !called_id || other_kind
        };
        let t = tally
            .entry((c["type"].as_str().unwrap().to_string(), valid))
            .or_default();
        t.0 += 1;
        if !ok {
            t.1 += 1;
            wrong.push(format!(
                "{}: stdnum valid={valid}, masked={masked}",
                c["id"]
            ));
        }
    }
    for ((kind, valid), (n, bad)) in &tally {
        println!(
            "{kind:15} stdnum {}: {n:4} cases, {bad} disagreements",
            if *valid { "valid  " } else { "invalid" }
        );
    }
    println!(
        "called NATIONAL_ID as another kind stdnum accepts: {}",
        as_other_kind.join(", ")
    );
    assert_eq!(
        tally.len(),
        30,
        "fifteen kinds, valid and invalid each: {tally:?}"
    );
    assert!(
        wrong.is_empty(),
        "{} disagreements: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
}

#[test]
fn no_national_id_in_banking77_test_messages() {
    let dir = match std::env::var_os("LABELVAULT_BANKING77_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/banking77"),
    };
    let Ok(csv) = std::fs::read_to_string(dir.join("test.csv")) else {
        eprintln!(
            "SKIPPED: {} not found (the shared data directory is absent)",
            dir.display()
        );
        return;
    };
    let mut jsonl = String::new();
    let mut n = 0;
    for (i, line) in csv.lines().skip(1).enumerate() {
        // "text,category": the text is everything before the last comma, maybe quoted.
        let Some((text, _)) = line.rsplit_once(',') else {
            continue;
        };
        let text = text.trim_matches('"').replace("\"\"", "\"");
        jsonl.push_str(&serde_json::json!({"id": format!("b{i}"), "text": text}).to_string());
        jsonl.push('\n');
        n += 1;
    }
    assert!(n > 3000, "{n} messages");
    let spans = redact_spans(&jsonl);
    let ids: Vec<&String> = spans
        .iter()
        .filter(|(_, e)| e.iter().any(|x| x["type"] == "NATIONAL_ID"))
        .map(|(id, _)| id)
        .collect();
    let any: usize = spans.values().filter(|e| !e.is_empty()).count();
    println!(
        "banking77 test: {n} messages, {any} with any span, {} with a NATIONAL_ID",
        ids.len()
    );
    assert!(ids.is_empty(), "NATIONAL_ID spans in {ids:?}");
}
