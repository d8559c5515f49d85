#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so tests
# (and CI) use the real Secret Service without touching the user's own keyring.
# The session's D-Bus starts the daemon on demand from a service file of its own (found
# first, in $XDG_DATA_HOME): unlocked with the test password, in the foreground. If the
# daemon ever exits under the load of many parallel tests, the next call starts it again
# the same way on the same keyring files (the store retries a dropped D-Bus call),
# never the system's locked one.
set -euo pipefail
if [ "${LABELVAULT_IN_KEYRING_SESSION:-}" = 1 ]; then exec "$@"; fi
export XDG_DATA_HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
export LABELVAULT_IN_KEYRING_SESSION=1
mkdir -p "$XDG_DATA_HOME/dbus-1/services"
daemon="$XDG_DATA_HOME/keyring-daemon"
cat > "$daemon" <<'SH'
#!/bin/sh
printf %s labelvault-test | exec gnome-keyring-daemon --foreground --unlock --components=secrets
SH
chmod 755 "$daemon"
for name in org.freedesktop.secrets org.gnome.keyring; do
  printf '[D-BUS Service]\nName=%s\nExec=%s\n' "$name" "$daemon" \
    > "$XDG_DATA_HOME/dbus-1/services/$name.service"
done
exec dbus-run-session -- sh -c '
  i=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.StartServiceByName string:org.freedesktop.secrets uint32:0 >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then echo "with-keyring: gnome-keyring did not start" >&2; exit 1; fi
    sleep 0.05
  done
  exec "$@"
' sh "$@"
