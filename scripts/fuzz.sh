#!/usr/bin/env bash
# The HTTP fuzzer at full length: every server function and every /api/v1 operation, sent
# malformed, oversized, wrong-typed, duplicated and missing fields from several sessions and
# API keys, on SQLite and on PostgreSQL (server/tests/integration/fuzz.rs says what it checks).
# Prints, per database:
#   HTTP fuzz on Sqlite (seed 24301): 10000 requests tried, 0 5xx, 0 panics; ...
# A throwaway PostgreSQL cluster is started when TEST_POSTGRES_URL is not set and PostgreSQL is
# installed. Usage: scripts/fuzz.sh [requests per database] [seed] (default 10000, 24301).
# The test command runs the same test in a short form (600 requests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
requests="${1:-10000}"
seed="${2:-24301}"

source scripts/throwaway_postgres.sh
start_throwaway_postgres || echo "PostgreSQL is not installed: SQLite only"

log=$(mktemp /tmp/portico-fuzz.XXXXXX)
status=0
PORTICO_FUZZ_REQUESTS="$requests" PORTICO_FUZZ_SEED="$seed" \
  cargo test --locked -p server --features app/ssr --test integration fuzz:: -- --nocapture --test-threads=1 \
  >"$log" 2>&1 || status=$?
grep -oE '(HTTP fuzz.*|^  [a-z0-9].*|^test result.*)' "$log" || tail -n 40 "$log"
rm -f "$log"
exit "$status"
