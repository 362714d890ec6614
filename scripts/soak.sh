#!/usr/bin/env bash
# Soak test (not part of the tests): starts the release server on SQLite with its job worker and
# runs server/examples/soak.rs against it: N seconds of mixed traffic (API writes, sign-ins with
# codes, step 4 reads, card payments to the receipt). Prints a progress line a minute, then
# throughput, latency and errors per kind of request and the server's memory after the warm-up
# and at the end (aim: 0 errors, memory flat), then the server's WARN and ERROR log lines.
# The server trusts X-Forwarded-For, as behind a reverse proxy, so that each simulated customer
# comes from a network of its own and the per-client rate limits hold without being raised
# (server/examples/soak.rs says why). Fails if the soak saw an error.
# Usage: scripts/soak.sh [seconds, default 600]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
scripts/setup.sh
source scripts/env.sh

cargo leptos build --release
scripts/precompress.sh
# Before the server starts: a compile error stops here, and the soak's clock starts on a
# server that has just started rather than one that sat idle through a build.
cargo build --release --locked -p server --example soak

port=$(free_port)
work_dir=$(mktemp -d /tmp/portico-soak.XXXXXX)
data_dir="$work_dir/data"
server_log="$work_dir/server.log"
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work_dir"
}
trap cleanup EXIT
mkdir "$data_dir"

# NO_COLOR: plain level names in the log, for counting them below.
LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTICO_DATA_DIR="$data_dir" RUST_LOG=warn NO_COLOR=1 \
  PORTICO_BACKGROUND_JOBS=on PORTICO_CLIENT_IP_HEADER=X-Forwarded-For \
  "$target_dir/release/portico" serve 2>"$server_log" &
server_pid=$!
wait_until_ready "$port" || { cat "$server_log" >&2; exit 1; }

api_key=$(PORTICO_DATA_DIR="$data_dir" RUST_LOG=warn \
  "$target_dir/release/portico" merchant api-key create --merchant northwind |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])')

# Not under `set -e`: the server's log is worth reading most when the soak failed.
soak_status=0
PORTICO_SOAK_API_KEY="$api_key" cargo run --release --locked -p server --example soak -- \
  --base "http://127.0.0.1:$port" --data-dir "$data_dir" \
  --seconds "$seconds" --server-pid "$server_pid" || soak_status=$?

# The level is the second field of a log line: "2026-11-27T10:00:00.000000Z  WARN message".
levels=$(sed 's/\x1b\[[0-9;]*m//g' "$server_log" | awk '$2 == "WARN" || $2 == "ERROR"')
warn_count=$(awk '$2 == "WARN"' <<<"$levels" | wc -l)
error_count=$(awk '$2 == "ERROR"' <<<"$levels" | wc -l)
printf '\nserver log: %s WARN lines, %s ERROR lines (aim: 0)\n' "$warn_count" "$error_count"
if [ -n "$levels" ]; then
  head -n 20 <<<"$levels"
fi
exit "$soak_status"
