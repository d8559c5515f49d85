#!/usr/bin/env bash
# Runs LabelVault on the embedded default: your local profile (created on first run,
# its key in your OS keyring) with a generated demo batch imported into an empty vault.
# Installs what is missing first. Pass --release for an optimised build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
bash scripts/build-ui.sh
profile=()
[ "${1:-}" = "--release" ] && profile=(--release)
cargo build -p labelvault-app "${profile[@]}"
bin=target/debug/labelvault-app
[ "${1:-}" = "--release" ] && bin=target/release/labelvault-app
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run-app: no display (\$DISPLAY / \$WAYLAND_DISPLAY unset). Run it from a desktop session," >&2
  echo "         or under a virtual one: xvfb-run -a $bin" >&2
  exit 1
fi
exec "$bin"
