#!/usr/bin/env python3
"""Rebuild the redactor's list of everyday English words from the intent corpora.

  python3 scripts/build-everyday.py [--data ../shared/data]

Writes crates/core/src/redact/everyday_en.txt: the lower-case words of letters that the
training splits of three customer-message corpora use at least three times, minus every
given name the gazetteer ranks common or very common (those are decided by the smaller,
hand-kept lists in lexicon.rs). The file is committed, so the redactor needs nothing at
run time; this script says where it comes from and rebuilds it byte for byte.

Why: a run of two capitalised words that no list knows is most often a person's name
(`redact/pair.rs`), but only if "the list" knows English well enough that "United States
Residents" or "Payment Declined" are not unknown words.

Sources (all with attribution licences; none of their text is shipped, only words):

* Banking77 (train.csv; CC BY 4.0; PolyAI): every word, lower-cased, that also occurs
  written in lower case (so names, written capitalised, stay out);
* HWU64 (train.csv; CC BY 4.0): the words outside the annotated slots
  (`[person : john]`, `[place_name : paris]` are left out);
* CLINC150 (data_full.json, train; CC BY 3.0): every word (the corpus is lower case;
  names in it are rare and only count when used three times).
"""
import argparse
import collections
import csv
import json
import os
import re

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    args = ap.parse_args()
    counts = collections.Counter()

    lower_seen = set()
    b77 = []
    with open(os.path.join(args.data, "banking77", "train.csv"), newline="") as f:
        for row in csv.DictReader(f):
            b77.append(row["text"])
            lower_seen.update(re.findall(r"\b[a-z]+(?:'[a-z]+)?\b", row["text"]))
    for t in b77:
        for w in WORD.findall(t.lower()):
            if w in lower_seen:
                counts[w] += 1

    with open(os.path.join(args.data, "hwu64", "train.csv"), newline="") as f:
        for row in csv.DictReader(f):
            outside = re.sub(r"\[[^\]]*\]", " ", row["answer_annotation"])
            counts.update(WORD.findall(outside.lower()))

    with open(os.path.join(args.data, "clinc150", "data_full.json")) as f:
        for text, _ in json.load(f)["train"]:
            counts.update(WORD.findall(text.lower()))

    common_given = set()
    with open(os.path.join(root, "crates/core/src/redact/gazetteer/given.txt")) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[1] in ("1", "2"):
                common_given.add(parts[0])

    words = sorted(w for w, n in counts.items() if n >= 3 and len(w) >= 2 and w not in common_given)
    out = os.path.join(root, "crates/core/src/redact/everyday_en.txt")
    with open(out, "w") as f:
        f.write(
            "# Everyday English words of customer messages (scripts/build-everyday.py: words used\n"
            "# three times or more in the training splits of Banking77 (CC BY 4.0), HWU64 (CC BY\n"
            "# 4.0) and CLINC150 (CC BY 3.0), minus common given names). Generated; do not edit.\n"
        )
        line = []
        for w in words:
            if sum(len(x) + 1 for x in line) + len(w) > 88:
                f.write(" ".join(line) + "\n")
                line = []
            line.append(w)
        if line:
            f.write(" ".join(line) + "\n")
    print(f"{len(words)} words -> {out}")


if __name__ == "__main__":
    main()
