#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so tests
# (and CI) use the real Secret Service without touching the user's own keyring.
# The daemon runs in the foreground under a small supervisor: if it ever exits under the
# load of many parallel tests, it is started again on the same keyring files (the store
# retries a dropped D-Bus call), instead of failing every test that follows.
set -euo pipefail
if [ "${LABELVAULT_IN_KEYRING_SESSION:-}" = 1 ]; then exec "$@"; fi
export XDG_DATA_HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
export LABELVAULT_IN_KEYRING_SESSION=1
exec dbus-run-session -- sh -c '
  (while :; do
     printf %s labelvault-test | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1
     sleep 0.2
   done) &
  supervisor=$!
  i=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then echo "with-keyring: gnome-keyring did not start" >&2; kill "$supervisor"; exit 1; fi
    sleep 0.05
  done
  rc=0
  "$@" || rc=$?
  kill "$supervisor" 2>/dev/null || true
  exit "$rc"
' sh "$@"
