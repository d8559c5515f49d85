#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so tests
# (and CI) use the real Secret Service without touching the user's own keyring.
set -euo pipefail
if [ "${LABELVAULT_IN_KEYRING_SESSION:-}" = 1 ]; then exec "$@"; fi
export XDG_DATA_HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
export LABELVAULT_IN_KEYRING_SESSION=1
exec dbus-run-session -- sh -c 'echo -n labelvault-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' sh "$@"
