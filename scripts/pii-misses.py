#!/usr/bin/env python3
"""Where the redactor leaves personal data visible (Python 3.11, stdlib only).

  python3 scripts/pii-misses.py GOLD.jsonl PRED.jsonl [--type T] [--show N] [--fp N]

Scores the way crates/core/tests/redact_heldout.rs does (a gold entity is found when a
prediction of its type overlaps it; a character is unmasked when no prediction of any type
covers it) and lists, per type and per the gold's format (its first two fields), the
support, recall and the PII characters left unmasked, largest first, so the biggest losses
are worked on first. --show N prints N missed entities of --type with their line;
--fp N prints N false positives of --type (predictions overlapping no gold of that type).
"""
import argparse
import collections
import json


def load(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("pred")
    ap.add_argument("--type")
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--fp", type=int, default=0)
    ap.add_argument("--depth", type=int, default=2)
    a = ap.parse_args()
    preds = {p["id"]: p.get("entities", []) for p in load(a.pred)}
    sup, found, leak, chars = (collections.Counter() for _ in range(4))
    tsup, tfound, tleak, tp, fp = (collections.Counter() for _ in range(5))
    missed, fps = [], []
    total_chars = total_leak = 0
    for g in load(a.gold):
        ps = preds.get(g["id"], [])
        text = g["text"]
        for e in g["entities"]:
            key = (e["type"], ":".join(e.get("format", "?").split(":")[: a.depth]))
            ok = any(p["start"] < e["end"] and e["start"] < p["end"] and p["type"] == e["type"] for p in ps)
            lk = sum(1 for i in range(e["start"], e["end"])
                     if not any(p["start"] <= i < p["end"] for p in ps))
            sup[key] += 1
            tsup[e["type"]] += 1
            found[key] += ok
            tfound[e["type"]] += ok
            leak[key] += lk
            tleak[e["type"]] += lk
            chars[key] += e["end"] - e["start"]
            total_chars += e["end"] - e["start"]
            total_leak += lk
            if not ok and (a.type is None or a.type == e["type"]):
                ls = text.rfind("\n", 0, e["start"]) + 1
                le = text.find("\n", e["end"])
                le = len(text) if le < 0 else le
                got = [(text[p["start"]:p["end"]], p["type"]) for p in ps
                       if p["start"] < e["end"] and e["start"] < p["end"]]
                missed.append((key, e["value"], text[max(ls, e["start"] - 80):min(le, e["end"] + 60)], got))
        for p in ps:
            if any(p["start"] < e["end"] and e["start"] < p["end"] and p["type"] == e["type"] for e in g["entities"]):
                tp[p["type"]] += 1
            else:
                fp[p["type"]] += 1
                if a.type is None or a.type == p["type"]:
                    other = [e["type"] for e in g["entities"] if p["start"] < e["end"] and e["start"] < p["end"]]
                    fps.append((p["type"], text[p["start"]:p["end"]], other,
                                text[max(0, p["start"] - 60):p["end"] + 40]))
    S, F, T, P = sum(tsup.values()), sum(tfound.values()), sum(tp.values()), sum(fp.values())
    print(f"micro recall {F/S:.4f}  precision {T/max(1,T+P):.4f}  unmasked {100*total_leak/total_chars:.2f}%  "
          f"({total_leak} of {total_chars} chars)")
    for t in sorted(tsup, key=lambda t: -tleak[t]):
        print(f"  {t:15s} n={tsup[t]:5d} recall {tfound[t]/tsup[t]:.3f} prec {tp[t]/max(1,tp[t]+fp[t]):.3f} "
              f"fp={fp[t]:4d} leaked {tleak[t]:6d} ({100*tleak[t]/total_chars:.2f}% of all)")
    print("by format (leaked chars, largest first):")
    for k in sorted(sup, key=lambda k: -leak[k])[:40]:
        if a.type and k[0] != a.type:
            continue
        print(f"  {k[0]:15s} {k[1]:35s} n={sup[k]:4d} recall {found[k]/sup[k]:.3f} leaked {leak[k]:6d}")
    for m in missed[: a.show]:
        print("MISS", m[0][1], repr(m[1]), "|", repr(m[2]), m[3])
    for f in fps[: a.fp]:
        print("FP", f[0], repr(f[1]), f[2], "|", repr(f[3]))


if __name__ == "__main__":
    main()
