#!/usr/bin/env bash
# The whole test suite, as the README and CI run it:
#   formatting and lints, UI unit tests, every Rust test against the real OS keyring
#   (gnome-keyring in a private D-Bus session) and real SQLCipher files, then the
#   end-to-end tests of the real app in the real webview (WebDriver under Xvfb).
# Installs what is missing first (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
bash scripts/install-deps.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "UI: build and unit tests"
bash scripts/build-ui.sh
(cd ui && npm test)

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (real keyring, real SQLCipher)"
# The cross-process tests run the CLI and hub binaries: build them first.
cargo build --workspace --bins --locked
scripts/with-keyring.sh cargo test --workspace --locked --exclude labelvault-e2e

step "end-to-end: the real app in the real webview"
bash scripts/e2e.sh
step "all tests passed"
