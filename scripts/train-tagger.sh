#!/usr/bin/env bash
# Rebuild the redactor's person-name tagger weights (crates/core/src/redact/tagger/person.bin)
# from generated training text. Deterministic: the same inputs give the same bytes.
#
#   bash scripts/train-tagger.sh [MIN_MARGIN]     # default -10.0
#
# Needs ../shared (the development PII set and Banking77's training messages) and the
# Python registry (english-words 2.0.1, MIT: its web2 list of everyday words, from
# Webster's Second International, public domain). See docs/redaction.md, "The tagger".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
margin="${1:--10.0}"
venv=target/gazetteer-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check english-words==2.0.1
web2="$("$venv/bin/python" -c 'import english_words, os; print(os.path.join(os.path.dirname(english_words.__file__), "data", "web2.pickle"))')"
python3 scripts/tagger-data.py --words "$web2" --out target/tagger-train.jsonl
cargo run --quiet --release -p labelvault-core --example train_tagger -- \
  target/tagger-train.jsonl crates/core/src/redact/tagger/person.bin 6 "$margin"
sha256sum crates/core/src/redact/tagger/person.bin
