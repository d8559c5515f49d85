#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server, so the hub's tests (and CI) run
# against PostgreSQL as well as SQLite without touching any database of the machine:
#   scripts/with-postgres.sh cargo test -p labelvault-hub
# A fresh cluster is made in a temporary directory, listening on 127.0.0.1 only (on a
# free port, trust authentication for loopback), and removed when the command ends,
# whatever way it ends. The command sees LABELVAULT_TEST_POSTGRES_URL (the server; each
# test creates its own database on it) and LABELVAULT_REQUIRE_POSTGRES=1 (a test that
# finds no server fails instead of skipping).
# PostgreSQL refuses to run as root: as root (CI, containers) the server runs as the
# `postgres` user that Debian's postgresql package creates. Set PG_BIN to choose the
# directory of initdb/pg_ctl.
set -euo pipefail

# Already inside a session (or given a server of one's own): just run the command.
if [ -n "${LABELVAULT_TEST_POSTGRES_URL:-}" ]; then
  export LABELVAULT_REQUIRE_POSTGRES=1
  exec "$@"
fi

die() { echo "with-postgres: $*" >&2; exit 1; }

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  # Debian/Ubuntu keep the server tools out of PATH, one directory per major version.
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  die "no PostgreSQL server found (initdb); install it with scripts/install-deps.sh (the postgresql package) or set PG_BIN"
}
bin=$(find_bin)
[ -x "$bin/pg_ctl" ] || die "$bin has initdb but no pg_ctl; set PG_BIN to a complete PostgreSQL bin directory"

base="${TMPDIR:-/tmp}"
# As root, a TMPDIR under /root would be out of the postgres user's reach.
[ "$(id -u)" -ne 0 ] || base=/tmp
dir=$(mktemp -d "$base/labelvault-pg.XXXXXX")
as_server=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root, but there is no postgres user to run the server as; install the postgresql package (scripts/install-deps.sh)"
  chown postgres: "$dir"
  chmod 700 "$dir"
  if command -v runuser >/dev/null 2>&1; then
    as_server=(runuser -u postgres --)
  else
    as_server=(su postgres -s /bin/sh -c '"$0" "$@"')
  fi
fi
server() { "${as_server[@]}" "$@"; }

started=""
cleanup() {
  local rc=$?
  if [ -n "$started" ]; then
    server "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

server "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
# Loopback only, sockets in the private directory, no durability (it is thrown away),
# room for many tests at once.
cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for attempt in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 40000))
  port_in_use "$port" && continue
  if server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
    started=1
    break
  fi
  # Lost a race for the port (or a real failure: shown after the last attempt).
  [ "$attempt" -lt 8 ] || { cat "$dir/server.log" >&2 || true; die "PostgreSQL did not start"; }
done
[ -n "$started" ] || die "found no free port for PostgreSQL"

export LABELVAULT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
export LABELVAULT_REQUIRE_POSTGRES=1
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway, in $dir)" >&2
# In the background (keeping stdin), so a signal to this script reaches the command at
# once and the cluster is still removed afterwards.
"$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM
trap 'kill -INT "$child" 2>/dev/null || true' INT
rc=0
while :; do
  wait "$child" && rc=0 || rc=$?
  kill -0 "$child" 2>/dev/null || break
done
exit "$rc"
