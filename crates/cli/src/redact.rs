//! `labelvault redact [--spans] [FILE]`: redact JSONL messages (`{"id", "text"}` per line)
//! from a file or standard input.
//!
//! Output, one line per good input line: `{"id", "text"}` with placeholders, or with
//! `--spans` `{"id", "entities": [{"start", "end", "type"}]}` in Unicode code points (what
//! `score_pii.py` and Python/JavaScript tools expect). A bad line is reported on stderr as
//! `line N: reason` (never with its text), skipped, and makes the command fail at the end.

use anyhow::Context;
use labelvault_core::redact::{char_offsets, Redactor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

#[derive(Deserialize)]
struct Line {
    id: Value,
    text: String,
}

#[derive(Serialize)]
struct Entity {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct SpansOut {
    id: Value,
    entities: Vec<Entity>,
}

#[derive(Serialize)]
struct TextOut {
    id: Value,
    text: String,
}

/// Run the command; see the module documentation.
pub fn run(spans: bool, input: Option<PathBuf>) -> anyhow::Result<()> {
    let reader: Box<dyn BufRead> = match &input {
        Some(p) => Box::new(BufReader::new(
            std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        )),
        None => Box::new(BufReader::new(std::io::stdin().lock())),
    };
    let redactor = Redactor::default();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut bad = 0usize;
    for (n, line) in reader.lines().enumerate() {
        let lineno = n + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                // Not UTF-8 or an I/O error: say which, never echo the bytes.
                eprintln!("line {lineno}: cannot read line ({})", e.kind());
                bad += 1;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let rec: Line = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                let why = match e.classify() {
                    serde_json::error::Category::Data => {
                        "expected an object with \"id\" and a string \"text\""
                    }
                    serde_json::error::Category::Syntax => "invalid JSON",
                    serde_json::error::Category::Eof => "truncated JSON",
                    serde_json::error::Category::Io => "read error",
                };
                eprintln!("line {lineno}: {why} (column {})", e.column());
                bad += 1;
                continue;
            }
        };
        let written = if spans {
            let found = redactor.find_spans(&rec.text);
            let entities = char_offsets(&rec.text, &found)
                .into_iter()
                .map(|(start, end, k)| Entity {
                    start,
                    end,
                    kind: k.type_name(),
                })
                .collect();
            serde_json::to_writer(
                &mut out,
                &SpansOut {
                    id: rec.id,
                    entities,
                },
            )
        } else {
            let text = redactor.redact(&rec.text).text;
            serde_json::to_writer(&mut out, &TextOut { id: rec.id, text })
        };
        written.context("cannot write output")?;
        out.write_all(b"\n").context("cannot write output")?;
    }
    out.flush().context("cannot write output")?;
    if bad > 0 {
        anyhow::bail!("{bad} input line(s) could not be processed");
    }
    Ok(())
}
