#!/usr/bin/env python3
"""Time Microsoft Presidio's analyzer on a JSONL corpus, one process, one thread.

  bench-presidio.py CORPUS.jsonl [--model NAME_OR_PATH] [--warmup 200] [--passes 1]
                    [--batch-size N] [--labelvault-mbs X --labelvault-msgs Y]
  bench-presidio.py --quality GOLD.jsonl --pred-out PRED.jsonl [--model NAME_OR_PATH]

Run by scripts/bench-presidio.sh, which installs Presidio into target/presidio-venv and
passes the redactor's figures on the same file, so both are printed side by side with the
ratio LabelVault / Presidio.

Timing: Presidio's AnalyzerEngine is built once (spaCy model loaded, default recognizers
registered; not timed), `--warmup` messages are analysed untimed, then every message of
CORPUS (`{"id", "text"}` per line) goes through `AnalyzerEngine.analyze(text, "en")` with
Presidio's defaults (all entities, default thresholds), one call per message, as a service
redacting messages one by one would. `--batch-size N` times Presidio's BatchAnalyzerEngine
instead (spaCy's `nlp.pipe` over N messages at a time), the fastest way Presidio offers for a
backlog. MB/s counts UTF-8 bytes of the texts, as the Rust bench does. The best of `--passes`
passes is reported.

Presidio's configuration is its own `conf/default.yaml` with only the spaCy model replaced
by `--model` (default `en_core_web_lg`, Presidio's default; a package name or a model
directory), so no download is attempted at run time.

`--quality` writes Presidio's predictions on GOLD in the format of
../shared/pii/score_pii.py (`{"id", "entities": [{"start", "end", "type", "score"}]}`,
code-point offsets, Presidio's own type names: the scorer maps LOCATION and DATE_TIME and
counts the types it cannot map as false positives).
"""
import os

# One core: no BLAS or OpenMP threads in spaCy/thinc/numpy (set before they are imported).
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
# Presidio's e-mail recognizer calls tldextract, which otherwise fetches the public suffix
# list on its first call (a network request inside the timed loop, or a failed one
# offline): use the snapshot tldextract ships, the same on every run.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402


def load_texts(path):
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append((str(row["id"]), row["text"]))
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"bench-presidio: {path} line {n}: not a JSON object with id and text ({e})")
    return rows


def build_analyzer(model):
    import presidio_analyzer
    import yaml
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    conf_path = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
    with open(conf_path, encoding="utf-8") as fh:
        conf = yaml.safe_load(fh)
    conf["models"] = [{"lang_code": "en", "model_name": model}]
    nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
    meta = nlp_engine.nlp["en"].meta
    return analyzer, f"{meta.get('lang', 'en')}_{meta.get('name', '?')} {meta.get('version', '?')}"


def versions(model_desc):
    def v(pkg):
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "?"

    return (f"presidio-analyzer {v('presidio-analyzer')}, spaCy {v('spacy')}, model {model_desc}, "
            f"phonenumbers {v('phonenumbers')}, Python {platform.python_version()}")


def bench(args):
    rows = load_texts(args.corpus)
    if not rows:
        sys.exit(f"bench-presidio: {args.corpus} has no messages")
    texts = [t for _, t in rows]
    nbytes = sum(len(t.encode("utf-8")) for t in texts)

    t0 = time.perf_counter()
    analyzer, model_desc = build_analyzer(args.model)
    load_s = time.perf_counter() - t0
    print(f"presidio: {versions(model_desc)}")
    print(f"presidio: engine built in {load_s:.1f} s (not timed)")

    if args.batch_size:
        from presidio_analyzer import BatchAnalyzerEngine

        batch = BatchAnalyzerEngine(analyzer_engine=analyzer)

        def run(ts):
            res = batch.analyze_iterator(ts, language="en", batch_size=args.batch_size)
            return sum(len(r) for r in res)

        how = f"BatchAnalyzerEngine, batches of {args.batch_size}"
    else:

        def run(ts):
            return sum(len(analyzer.analyze(text=t, language="en")) for t in ts)

        how = "analyze() per message"

    run(texts[: args.warmup])
    best = None
    spans = 0
    for _ in range(args.passes):
        start = time.perf_counter()
        spans = run(texts)
        secs = time.perf_counter() - start
        best = secs if best is None else min(best, secs)
    mbs = nbytes / 1e6 / best
    msgs = len(texts) / best
    print(f"presidio: {mbs:.4f} MB/s, {msgs:.0f} messages/s ({args.corpus}: {len(texts)} messages, "
          f"{nbytes / 1e6:.2f} MB, {spans} spans, {best:.1f} s, best of {args.passes}; {how})")

    if args.labelvault_mbs is not None:
        lv_msgs = args.labelvault_msgs
        print()
        print(f"same messages ({len(texts)}, {nbytes / 1e6:.2f} MB), one thread each:")
        print(f"  LabelVault redactor   {args.labelvault_mbs:10.2f} MB/s"
              + (f"  {lv_msgs:10.0f} messages/s" if lv_msgs is not None else ""))
        print(f"  Presidio analyzer     {mbs:10.4f} MB/s  {msgs:10.0f} messages/s")
        print(f"  ratio LabelVault / Presidio: {args.labelvault_mbs / mbs:.0f}x")


def quality(args):
    rows = load_texts(args.quality)
    analyzer, model_desc = build_analyzer(args.model)
    print(f"presidio: {versions(model_desc)}")
    n = 0
    with open(args.pred_out, "w", encoding="utf-8") as out:
        for mid, text in rows:
            res = analyzer.analyze(text=text, language="en")
            ents = [{"start": r.start, "end": r.end, "type": r.entity_type, "score": round(r.score, 4)}
                    for r in sorted(res, key=lambda r: (r.start, r.end))]
            n += len(ents)
            out.write(json.dumps({"id": mid, "entities": ents}) + "\n")
    print(f"presidio: {len(rows)} messages, {n} predictions -> {args.pred_out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", help='JSONL with {"id", "text"} per line, to time')
    ap.add_argument("--model", default="en_core_web_lg",
                    help="spaCy model for Presidio: package name or directory (default en_core_web_lg)")
    ap.add_argument("--warmup", type=int, default=200, help="messages analysed untimed first")
    ap.add_argument("--passes", type=int, default=1, help="timed passes, best reported")
    ap.add_argument("--batch-size", type=int, default=0,
                    help="time BatchAnalyzerEngine with batches of N (default: analyze() per message)")
    ap.add_argument("--labelvault-mbs", type=float, help="LabelVault's MB/s on the same file")
    ap.add_argument("--labelvault-msgs", type=float, help="LabelVault's messages/s on the same file")
    ap.add_argument("--quality", metavar="GOLD", help="write Presidio's predictions on GOLD instead")
    ap.add_argument("--pred-out", metavar="PRED", help="where --quality writes the predictions")
    args = ap.parse_args()
    # Presidio logs a warning per recognizer for languages it skips; keep the output to figures.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    if args.quality:
        if not args.pred_out:
            ap.error("--quality needs --pred-out")
        quality(args)
    elif args.corpus:
        if args.passes < 1 or args.batch_size < 0:
            ap.error("--passes must be at least 1 and --batch-size not negative")
        bench(args)
    else:
        ap.error("give a CORPUS to time or --quality GOLD --pred-out PRED")


if __name__ == "__main__":
    main()
