#!/usr/bin/env bash
# End-to-end tests of the real app binary in the real webview: tauri-driver and
# WebKitWebDriver under Xvfb, inside a private D-Bus session with an unlocked
# gnome-keyring. The app is (re)built first, after any unit tests, because those
# relink it with Tauri's test feature.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/build-ui.sh >/dev/null
cargo build -p labelvault-app -p labelvault-cli -p labelvault-hub --bins
mkdir -p target/e2e
export LABELVAULT_E2E_REQUIRED=1
exec xvfb-run -a -s "-screen 0 1920x1080x24" scripts/with-keyring.sh cargo test -p labelvault-e2e -- --test-threads=1 "$@"
