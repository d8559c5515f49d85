//! The training exports, read by the tools that consume them (tests/interop/check_exports.py,
//! offline): the JSONL and chat files by Hugging Face `datasets`, the Label Studio file
//! by Label Studio's own SDK, which validates every annotation against a labelling
//! config, the Argilla file by the `argilla` package's own record reader. The counts those tools see are the counts the export reported; a file they
//! should refuse (a conversation out of order, an unknown column) is refused.

use labelvault_system_tests::{cli, cli_ok, enroll, Hub};
use serde_json::json;
use std::path::Path;
use std::process::Command;

fn checker(args: &[(&str, &Path)]) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/check_exports.py");
    let mut cmd = Command::new("python3");
    cmd.arg(&script);
    for (flag, dir) in args {
        cmd.arg(flag).arg(dir);
    }
    let out = cmd
        .output()
        .expect("python3 (scripts/install-deps.sh installs datasets and label-studio-sdk)");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn exports_load_in_datasets_the_label_studio_sdk_and_argilla() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = Hub::start(&dir.path().join("hub"));
    let token = hub.data_dir.join("admin.token");
    let token = token.to_str().expect("path");
    let me = dir.path().join("manager");
    let intents = [
        "card_arrival",
        "change_pin",
        "top_up_failed",
        "exchange_rate",
    ];
    let messages: String = (0..60)
        .map(|i| {
            json!({"message_id": format!("m{i:02}"), "text": format!("question {i}: where is my card, and the rate?"),
                   "company": "acme", "received_at": 1764000000 + i,
                   "model_intent": intents[i % 4], "confidence": 0.3})
            .to_string()
                + "\n"
        })
        .collect();
    let file = dir.path().join("m.jsonl");
    std::fs::write(&file, messages).expect("write");
    let admin = ["--hub", hub.url.as_str(), "--admin-token-file", token];
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(admin);
        cli_ok(&me, &all)
    };
    run(&["ingest", file.to_str().expect("p")]);
    let devices = [
        enroll(&hub, &dir.path().join("a"), "ann a"),
        enroll(&hub, &dir.path().join("b"), "ann b"),
    ];
    run(&[
        "dispatch",
        "--from",
        "0",
        "--budget",
        "60",
        "--max-confidence",
        "1",
        "--overlap",
        "2",
    ]);
    for d in &devices {
        cli_ok(&d.profile, &["pull"]);
        while cli(&d.profile, &["label", "--verdict", "correct"])
            .status
            .success()
        {}
        cli_ok(&d.profile, &["sync"]);
    }
    let mut seen = Vec::new();
    for format in ["jsonl", "chat", "label-studio", "argilla"] {
        let out = dir.path().join(format);
        let said = run(&[
            "export",
            "--format",
            format,
            "--no-mark",
            "--out",
            out.to_str().expect("p"),
        ]);
        // "…/train.jsonl: 42 example(s)" per part.
        let counts: Vec<String> = said
            .lines()
            .filter_map(|l| {
                let (path, rest) = l.split_once(": ")?;
                let path = Path::new(path);
                path.extension().filter(|e| *e == "jsonl" || *e == "json")?;
                let part = path.file_stem()?.to_str()?.to_string();
                let n = rest.split(' ').next()?.to_string();
                Some(format!("{part}={n}"))
            })
            .filter(|c| !c.ends_with("=0"))
            .collect();
        assert_eq!(counts.len(), 3, "{said}");
        seen.push((format, out, counts));
    }
    let args: Vec<(&str, &Path)> = seen
        .iter()
        .map(|(f, out, _)| {
            let flag = match *f {
                "jsonl" => "--jsonl",
                "chat" => "--chat",
                "argilla" => "--argilla",
                _ => "--label-studio",
            };
            (flag, out.as_path())
        })
        .collect();
    let (ok, said) = checker(&args);
    assert!(ok, "{said}");
    for (format, _, counts) in &seen {
        let line = said
            .lines()
            .find(|l| l.starts_with(&format!("{format} ")))
            .unwrap_or_else(|| panic!("no line for {format}: {said}"));
        let mut got: Vec<&str> = line.split(' ').skip(1).collect();
        got.sort_unstable();
        let mut want: Vec<&str> = counts.iter().map(String::as_str).collect();
        want.sort_unstable();
        assert_eq!(got, want, "{format}: {said}");
    }
    assert!(!said.contains("question"), "no text printed: {said}");

    // The tools refuse what they should: a conversation out of order, an extra column.
    let chat = &seen[1].1;
    let train = std::fs::read_to_string(chat.join("train.jsonl")).expect("chat");
    let first: serde_json::Value =
        serde_json::from_str(train.lines().next().expect("a line")).expect("json");
    let mut swapped = first.clone();
    swapped["messages"]
        .as_array_mut()
        .expect("messages")
        .swap(1, 2);
    std::fs::write(
        chat.join("train.jsonl"),
        format!("{}\n{}", swapped, train.split_once('\n').expect("lines").1),
    )
    .expect("write");
    let (ok, said) = checker(&[("--chat", chat)]);
    assert!(!ok && said.contains("refused: chat"), "{said}");
    let jsonl = &seen[0].1;
    let train = std::fs::read_to_string(jsonl.join("train.jsonl")).expect("jsonl");
    std::fs::write(
        jsonl.join("train.jsonl"),
        train.replacen("\"split\"", "\"note\":\"x\",\"split\"", 1),
    )
    .expect("write");
    let (ok, said) = checker(&[("--jsonl", jsonl)]);
    assert!(!ok && said.contains("refused: jsonl"), "{said}");
}
