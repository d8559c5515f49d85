#!/usr/bin/env bash
# Runs LabelVault on the embedded default: your local profile (created on first run, its
# key in your OS keyring), enrolled with a local hub on 127.0.0.1 that the script starts
# and that delivers a batch of the project's generated demo messages — so label → sync →
# ledger → receipt works end to end. Installs what is missing first.
#   --release   optimised build
#   --no-hub    no local hub (the app imports a local demo batch instead)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
release=0; hub=1
for a in "$@"; do
  case "$a" in
    --release) release=1 ;;
    --no-hub) hub=0 ;;
    *) echo "run-app: unknown option $a (use --release, --no-hub)" >&2; exit 2 ;;
  esac
done
bash scripts/install-deps.sh
bash scripts/build-ui.sh
if [ "$release" = 1 ]; then cargo build --release --bins; dir=target/release; else cargo build --bins; dir=target/debug; fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run-app: no display (\$DISPLAY / \$WAYLAND_DISPLAY unset). Run it from a desktop session," >&2
  echo "         or under a virtual one: xvfb-run -a $0" >&2
  exit 1
fi
if [ "$hub" = 1 ]; then
  hub_dir="${LABELVAULT_DEMO_HUB_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/labelvault/demo-hub}"
  hub_addr="${LABELVAULT_DEMO_HUB_ADDR:-127.0.0.1:7878}"
  mkdir -p "$hub_dir"
  "$dir/labelvault-hub" serve --data-dir "$hub_dir" --listen "$hub_addr" > "$hub_dir/stdout.log" 2> "$hub_dir/hub.log" &
  hub_pid=$!
  trap 'kill $hub_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do
    grep -q "listening on" "$hub_dir/stdout.log" 2>/dev/null && break
    kill -0 "$hub_pid" 2>/dev/null || { echo "run-app: the demo hub did not start (see $hub_dir/hub.log)" >&2; exit 1; }
    sleep 0.1
  done
  "$dir/labelvault" demo-enroll --hub "http://$hub_addr" --admin-token-file "$hub_dir/admin.token"
  echo "run-app: demo hub on http://$hub_addr (data in $hub_dir); it stops when the app closes"
  echo "run-app: to manage it, open the Manage tab and connect to http://$hub_addr with the token in $hub_dir/admin.token"
fi
"$dir/labelvault-app"
