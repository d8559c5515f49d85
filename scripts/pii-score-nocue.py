#!/usr/bin/env python3
"""PERSON recall split by whether a cue phrase introduces the name (Python 3.11, stdlib only).

  python3 scripts/pii-score-nocue.py GOLD.jsonl PRED.jsonl [--show N]

GOLD is a set whose PERSON formats start with "cue:" or "no_cue:" (pii-heldout2.py writes
them so); the second field of the format says where the name stands (signature, form, chat,
chat_answer, bio, ...). PRED is what `labelvault redact --spans` writes. A gold name counts
as found when any PERSON prediction overlaps it (the same rule as score_pii.py). --show N
prints N missed no_cue names with some text around them.
"""
import argparse
import collections
import json


def load(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold")
    ap.add_argument("pred")
    ap.add_argument("--show", type=int, default=0, help="print this many missed no_cue names")
    a = ap.parse_args()
    preds = {p["id"]: [e for e in p.get("entities", []) if e["type"] == "PERSON"]
             for p in load(a.pred)}
    sup, found = collections.Counter(), collections.Counter()
    missed = []
    for g in load(a.gold):
        ps = preds.get(g["id"], [])
        for e in g["entities"]:
            if e["type"] != "PERSON":
                continue
            parts = e.get("format", "?").split(":")
            cue, where = parts[0], parts[1] if len(parts) > 1 else "?"
            ok = any(p["start"] < e["end"] and e["start"] < p["end"] for p in ps)
            for key in (cue, f"{cue}:{where}"):
                sup[key] += 1
                found[key] += ok
            if not ok and cue == "no_cue":
                t = g["text"]
                missed.append((g["id"], t[max(0, e["start"] - 50):e["end"] + 30].replace("\n", " / "),
                               e["value"], e.get("format", "")))
    total = sup["cue"] + sup["no_cue"]
    print(f"PERSON support={total} found={found['cue'] + found['no_cue']} "
          f"recall={(found['cue'] + found['no_cue']) / total:.4f}" if total else "no PERSON")
    for key in ("cue", "no_cue"):
        if sup[key]:
            print(f"  {key:8s} n={sup[key]:5d} recall={found[key] / sup[key]:.4f}")
    print("by place:")
    for key in sorted(k for k in sup if ":" in k):
        print(f"  {key:32s} n={sup[key]:5d} recall={found[key] / sup[key]:.4f}")
    for i, (gid, ctx, v, f) in enumerate(missed[:a.show]):
        print(f"MISSED {gid} {v!r} [{f}] ... {ctx} ...")


if __name__ == "__main__":
    main()
