#!/usr/bin/env bash
# Load benchmark (not part of the tests): starts the release server on SQLite and measures, with
# wrk at 64 connections, the server-rendered billing link page (a database read per request)
# against a static file of the same size served by the same server. Prints requests per second,
# p99 latency and the ratio. Usage: scripts/bench.sh [seconds per run, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"
scripts/setup.sh
source scripts/env.sh
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

cargo leptos build --release
scripts/precompress.sh

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data_dir=$(mktemp -d /tmp/portico-bench.XXXXXX)
static_file=target/site/bench-static.html
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$data_dir" "$static_file"
}
trap cleanup EXIT

LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTICO_DATA_DIR="$data_dir" RUST_LOG=warn \
  "$target_dir/release/portico" serve &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.1; done

page_bytes=$(curl -fs "$base/pay/northwind" | wc -c)
head -c "$page_bytes" /dev/zero | tr '\0' 'x' > "$static_file"

run() { # prints "requests_per_second p99"; fails if any answer was not a success
  local report
  report=$(wrk -t2 -c64 -d"${duration}s" --latency "$1")
  if grep -q "Non-2xx\|Socket errors" <<<"$report"; then
    echo "$report" >&2
    echo "$1 answered with errors: the figures would be meaningless" >&2
    exit 1
  fi
  awk '/Requests\/sec/ {rps=$2} $1=="99%" {p99=$2} END {print rps, p99}' <<<"$report"
}
curl -fs "$base/pay/northwind" >/dev/null # warm the pool and caches
# Command substitution, not `< <(...)`: a failing run must stop the script under `set -e`.
ssr_figures=$(run "$base/pay/northwind")
static_figures=$(run "$base/bench-static.html")
read -r ssr_rps ssr_p99 <<<"$ssr_figures"
read -r static_rps static_p99 <<<"$static_figures"

printf '\nwrk, 2 threads, 64 connections, %ss each, response body %s bytes, %s cores\n' \
  "$duration" "$page_bytes" "$(nproc)"
printf '%-32s %12s %10s\n' endpoint 'requests/s' p99
printf '%-32s %12s %10s\n' "/pay/northwind (SSR + SQLite)" "$ssr_rps" "$ssr_p99"
printf '%-32s %12s %10s\n' "static file, same size" "$static_rps" "$static_p99"
python3 -c "print(f'SSR / static throughput ratio: {float(\"$ssr_rps\") / float(\"$static_rps\"):.2f} (aim: 0.50 or better)')"
