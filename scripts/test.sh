#!/usr/bin/env bash
# The whole test suite, as the README and CI run it:
#   formatting and lints, UI unit tests, every Rust test against the real OS keyring
#   (gnome-keyring in a private D-Bus session), real SQLCipher files and a throwaway
#   PostgreSQL server (the hub's tests run on both stores), then the
#   end-to-end tests of the real app in the real webview (WebDriver under Xvfb).
# Installs what is missing first (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p target
log=target/test-output.log
: > "$log"

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
bash scripts/install-deps.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "UI: build and unit tests"
bash scripts/build-ui.sh
(cd ui && npm test) 2>&1 | tee -a "$log"

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (real keyring, real SQLCipher, real PostgreSQL)"
# The cross-process tests run the CLI and hub binaries: build them first.
cargo build --workspace --bins --locked
scripts/with-keyring.sh scripts/with-postgres.sh cargo test --workspace --locked --exclude labelvault-e2e 2>&1 | tee -a "$log"

step "end-to-end: the real app in the real webview"
bash scripts/e2e.sh 2>&1 | tee -a "$log"

# Every fuzz target for a bounded time from its seed corpus and regression inputs
# (scripts/fuzz.sh; FUZZ_SECONDS per target); each target counts as one test below.
step "fuzzing: every target for ${FUZZ_SECONDS:-45} s"
fuzz_rc=0
FUZZ_SECONDS=${FUZZ_SECONDS:-45} bash scripts/fuzz.sh 2>&1 | tee -a "$log" || fuzz_rc=$?

step "dependency audit (cargo deny; advisories skipped with a message when offline)"
bash scripts/audit-deps.sh 2>&1 | tee -a "$log"

# One closing line over every runner (cargo's last line is a doc-test run of 0).
plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
passed=$(printf '%s\n' "$plain" | { grep -Eo '^test result: ok\. [0-9]+ passed' || true; } | awk '{s += $4} END {print s + 0}')
vitest=$(printf '%s\n' "$plain" | { grep -Eo 'Tests +[0-9]+ passed' || true; } | awk '{s += $2} END {print s + 0}')
fuzz_ok=$(printf '%s\n' "$plain" | { grep -Ec '^fuzz target [a-z_]+: passed$' || true; })
fuzz_bad=$(printf '%s\n' "$plain" | { grep -Ec '^fuzz target [a-z_]+: failed$' || true; })
fuzz_build_failed=0
if [ "$fuzz_rc" -ne 0 ] && [ "$fuzz_bad" -eq 0 ]; then fuzz_bad=1; fuzz_build_failed=1; fi
if [ "$fuzz_bad" -ne 0 ]; then
    if [ "$fuzz_build_failed" -eq 1 ]; then
        step "the fuzz targets did not build or run (see the compiler output above)"
    else
        step "fuzzing found a crash (input kept in fuzz/artifacts/)"
    fi
    echo "$((passed + vitest + fuzz_ok)) passed, $fuzz_bad failed"
    exit 1
fi
step "all tests passed"
echo "$((passed + vitest + fuzz_ok)) passed, 0 failed"
