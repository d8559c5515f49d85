#!/usr/bin/env bash
# Load test of the real hub binary on loopback (crates/hub/benches/load.rs): 100 and then
# 1,000 simulated devices enroll, pull their batch and upload labels concurrently with
# jittered think time and retries, on SQLite; then the same on PostgreSQL when
# LABELVAULT_TEST_POSTGRES_URL is set (passed to the hub as --db as it is). Prints one
# table per database and fails if any label is missing or stored twice, or if the inbound
# ledger does not verify with the hub key or misses or repeats an upload.
#
#   LOAD_DURATION=60   labelling phase per run, seconds (default 60)
#   LOAD_ITEMS=30      items per device (default 30)
#   LOAD_DEVICES=100,1000
#   LOAD_HUBS=2        hub processes sharing the PostgreSQL database (default 1); the
#                      SQLite run always uses one
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
args=(--devices "${LOAD_DEVICES:-100,1000}" --duration "${LOAD_DURATION:-60}" --items "${LOAD_ITEMS:-30}")

echo "==> building the hub and the load generator (release)"
cargo bench -p labelvault-hub --bench load --locked --no-run

echo "==> SQLite"
cargo bench -p labelvault-hub --bench load --locked -- "${args[@]}"

if [ -n "${LABELVAULT_TEST_POSTGRES_URL:-}" ]; then
    echo "==> PostgreSQL"
    cargo bench -p labelvault-hub --bench load --locked -- "${args[@]}" --database "$LABELVAULT_TEST_POSTGRES_URL" --hubs "${LOAD_HUBS:-1}"
else
    echo "==> PostgreSQL: skipped (set LABELVAULT_TEST_POSTGRES_URL to a postgres:// URL)"
fi
