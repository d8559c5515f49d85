#!/usr/bin/env bash
# Prints the labelling screen's figures measured in the real webview (release build):
# keydown -> next item painted (p50/p95/p99) over 500 decisions with 100,000 items in
# the vault, cold start to the first item, and resident memory of the app and WebKit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/install-deps.sh >/dev/null
bash scripts/build-ui.sh >/dev/null
cargo build --release -p labelvault-app -p labelvault-cli --bins
cargo build --release -p labelvault-e2e --bin ui-bench
export LABELVAULT_APP_BIN="$PWD/target/release/labelvault-app"
# The app's start-up timings (vault key, integrity check, vault open) go to stderr.
export LABELVAULT_E2E_APP_LOG=1
exec xvfb-run -a -s "-screen 0 1280x900x24" scripts/with-keyring.sh target/release/ui-bench
