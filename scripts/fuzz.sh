#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that reads outside input (fuzz/, cargo fuzz +
# libFuzzer). Builds every target, then runs each for a bounded time from a scratch
# copy of its checked-in seed corpus and regression inputs (so fuzz/corpus does not
# grow), and prints per
# target: executions, executions per second, crashes. Exits non-zero if any target
# crashed; the crashing input is kept in fuzz/artifacts/<target>/.
#
#   FUZZ_SECONDS=60        time per target (default 60)
#   FUZZ_TARGETS="a b"     only these targets (default: all)
#   FUZZ_SANITIZER=address address (default) or none (faster, finds panics only)
#
# cargo fuzz needs nightly-only compiler flags; with only a stable toolchain,
# RUSTC_BOOTSTRAP=1 unlocks them. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs=${FUZZ_SECONDS:-60}
sanitizer=${FUZZ_SANITIZER:-address}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

targets=${FUZZ_TARGETS:-$(cargo fuzz list)}
echo "==> building fuzz targets (sanitizer: $sanitizer)"
cargo fuzz build --sanitizer "$sanitizer"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0
results=()
verdicts=()
start=$(date +%s)
for t in $targets; do
    mkdir -p "$scratch/$t" "fuzz/artifacts/$t"
    cp -r "fuzz/corpus/$t/." "$scratch/$t/" 2>/dev/null || true
    # Inputs that once crashed a target (fuzz/regressions/<target>/) run first, every time.
    cp -r "fuzz/regressions/$t/." "$scratch/$t/" 2>/dev/null || true
    before=$(find "fuzz/artifacts/$t" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    echo "==> $t: ${secs}s"
    set +e
    cargo fuzz run --sanitizer "$sanitizer" "$t" "$scratch/$t" -- \
        -max_total_time="$secs" -timeout=20 -print_final_stats=1 \
        >"$scratch/$t.log" 2>&1
    rc=$?
    set -e
    after=$(find "fuzz/artifacts/$t" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    execs=$({ grep -Eo 'stat::number_of_executed_units: [0-9]+' "$scratch/$t.log" || true; } | awk '{print $2}' | tail -n 1)
    # libFuzzer's own figure (last status line) is rounded; executions over the run's time.
    secs_run=$({ grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$scratch/$t.log" || true; } | awk '{print $5}' | tail -n 1)
    rate=""
    if [ -n "$execs" ] && [ -n "$secs_run" ] && [ "$secs_run" -gt 0 ]; then
        rate=$((execs / secs_run))
    else
        # Stopped by a crash: the last status line's rate.
        rate=$({ grep -Eo 'exec/s: [0-9]+' "$scratch/$t.log" || true; } | awk '{print $2}' | tail -n 1)
    fi
    crashes=$((after - before))
    if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        failed=1
        [ "$crashes" -gt 0 ] || crashes="? (exit $rc)"
        grep -E 'panicked|ERROR: libFuzzer|SUMMARY|Test unit written' "$scratch/$t.log" | head -n 8 || true
    fi
    results+=("$(printf '%-18s %12s execs %8s exec/s   crashes: %s' "$t" "${execs:-?}" "${rate:-?}" "$crashes")")
    if [ "$crashes" = 0 ] && [ "$rc" -eq 0 ]; then verdict=passed; else verdict=failed; fi
    verdicts+=("fuzz target $t: $verdict")
done
echo
echo "==> fuzzing summary (${secs}s per target, sanitizer $sanitizer, $(( $(date +%s) - start ))s in all)"
printf '%s\n' "${results[@]}"
printf '%s\n' "${verdicts[@]}"
exit "$failed"
