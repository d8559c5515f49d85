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

# One closing line over every runner (cargo's last line is a doc-test run of 0).
plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
passed=$(printf '%s\n' "$plain" | { grep -Eo '^test result: ok\. [0-9]+ passed' || true; } | awk '{s += $4} END {print s + 0}')
vitest=$(printf '%s\n' "$plain" | { grep -Eo 'Tests +[0-9]+ passed' || true; } | awk '{s += $2} END {print s + 0}')
step "all tests passed"
echo "$((passed + vitest)) passed, 0 failed"
