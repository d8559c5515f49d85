#!/usr/bin/env python3
"""Load LabelVault's training exports with the tools that read them, offline:

- JSONL (`{id, text, intent, split}` lines) and chat (`{messages: [system, user,
  assistant]}` lines) with Hugging Face `datasets` (`load_dataset("json", …)`);
- the Label Studio export (a JSON array of tasks) with Label Studio's own SDK: every
  annotation is validated by `label_studio_sdk.label_interface.LabelInterface` against
  a labelling config whose choices are the export's intents;
- the Argilla export (a JSON array of v2 records) with the `argilla` package's own
  reader (`Record.from_dict`, what `Dataset.records.from_json` uses).

Usage: check_exports.py [--jsonl DIR] [--chat DIR] [--label-studio DIR] [--argilla DIR]
Each DIR holds train/validation/test files as `labelvault export --out DIR` writes them.
Prints one line per format, e.g. `jsonl train=12 validation=2 test=3`; exits 1 (with the
reason) on the first file a tool refuses. Never prints a text.
"""
import argparse
import json
import os
import sys
import tempfile

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
PARTS = ("train", "validation", "test")


def fail(why):
    print(f"refused: {why}")
    sys.exit(1)


def files(d, ext):
    return {p: os.path.join(d, f"{p}.{ext}") for p in PARTS if os.path.exists(os.path.join(d, f"{p}.{ext}"))}


def with_datasets(d, kind, cache):
    import datasets
    paths = files(d, "jsonl")
    # Empty parts are valid exports but give `datasets` nothing to infer a schema from.
    paths = {p: f for p, f in paths.items() if os.path.getsize(f) > 0}
    if not paths:
        fail(f"{kind}: no non-empty file in {d}")
    ds = datasets.load_dataset("json", data_files=paths, cache_dir=cache)
    counts = []
    for part, split in ds.items():
        cols = set(split.column_names)
        if kind == "jsonl":
            if cols != {"id", "text", "intent", "split"}:
                fail(f"jsonl {part}: columns {sorted(cols)}")
            if any(s != part for s in split["split"]):
                fail(f"jsonl {part}: a row names another split")
            if any(not t for t in split["intent"]):
                fail(f"jsonl {part}: a row without an intent")
        else:
            if cols != {"messages"}:
                fail(f"chat {part}: columns {sorted(cols)}")
            for row in split["messages"]:
                roles = [m["role"] for m in row]
                if roles != ["system", "user", "assistant"] or not all(m["content"] for m in row):
                    fail(f"chat {part}: a conversation is not system, user, assistant with content")
        counts.append(f"{part}={split.num_rows}")
    print(kind, " ".join(counts))


def with_label_studio(d):
    from label_studio_sdk.label_interface import LabelInterface
    paths = files(d, "json")
    if not paths:
        fail(f"label-studio: no file in {d}")
    tasks = {p: json.load(open(f, encoding="utf-8")) for p, f in paths.items()}
    intents = sorted({r["value"]["choices"][0] for ts in tasks.values() for t in ts
                      for a in t["annotations"] for r in a["result"]})
    if not intents:
        fail("label-studio: no annotation")
    choices = "".join(f'<Choice value="{i}"/>' for i in intents)
    config = (f'<View><Text name="text" value="$text"/>'
              f'<Choices name="intent" toName="text" choice="single">{choices}</Choices></View>')
    li = LabelInterface(config)
    counts = []
    for part, ts in tasks.items():
        for n, t in enumerate(ts):
            if not isinstance(t.get("data", {}).get("text"), str) or not t["data"]["text"]:
                fail(f"label-studio {part} task {n}: no data.text")
            if not t["annotations"]:
                fail(f"label-studio {part} task {n}: no annotation")
            for a in t["annotations"]:
                if not li.validate_annotation(a):
                    fail(f"label-studio {part} task {n}: the SDK refuses its annotation")
        counts.append(f"{part}={len(ts)}")
    print("label-studio", " ".join(counts))


def with_argilla(d):
    import argilla as rg
    paths = files(d, "json")
    if not paths:
        fail(f"argilla: no file in {d}")
    counts = []
    for part, f in paths.items():
        dicts = json.load(open(f, encoding="utf-8"))
        for n, d_ in enumerate(dicts):
            try:
                r = rg.Record.from_dict(d_)
            except Exception as e:  # the package's own refusal, by type only
                fail(f"argilla {part} record {n}: the argilla package refuses it ({type(e).__name__})")
            if not r.fields.get("text"):
                fail(f"argilla {part} record {n}: no text field")
            answers = [x.value for x in r.responses if x.question_name == "intent"]
            if len(answers) != 1 or not answers[0]:
                fail(f"argilla {part} record {n}: not exactly one intent response")
            if not [x for x in r.suggestions if x.question_name == "intent" and x.value]:
                fail(f"argilla {part} record {n}: no model suggestion")
            if r.metadata.get("split") != part:
                fail(f"argilla {part} record {n}: metadata names another split")
        counts.append(f"{part}={len(dicts)}")
    print("argilla", " ".join(counts))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jsonl")
    ap.add_argument("--chat")
    ap.add_argument("--label-studio")
    ap.add_argument("--argilla")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        if a.jsonl:
            with_datasets(a.jsonl, "jsonl", cache)
        if a.chat:
            with_datasets(a.chat, "chat", cache)
    if a.label_studio:
        with_label_studio(a.label_studio)
    if a.argilla:
        with_argilla(a.argilla)


if __name__ == "__main__":
    main()
