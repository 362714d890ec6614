#!/usr/bin/env bash
# Load benchmark (not part of the tests): starts the release server on SQLite and measures, with
# wrk at 64 connections, the server-rendered billing link page (a database read per request)
# against a static file of the same size served by the same server, printing requests per
# second, p99 latency and the ratio. Then it signs in two customers, one with 10 open invoices
# and one with 10,000, and prints the server time of step 4 (the invoice list) for each. Last,
# server/examples/confirm_bench.rs measures confirmed card payments per second through the
# wizard's confirm endpoint.
# Usage: scripts/bench.sh [seconds per run, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"
scripts/setup.sh
source scripts/env.sh
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

cargo leptos build --release
scripts/precompress.sh

port=$(free_port)
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

# Step 4 for a customer with 10 and with 10,000 open invoices: the page must not grow with them.
export PORTICO_DATA_DIR="$data_dir" RUST_LOG=warn
api_key=$("$target_dir/release/portico" merchant api-key create --merchant northwind |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])')
python3 - "$base" "$api_key" <<'PY'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, key = sys.argv[1], sys.argv[2]
def post(path, body):
    request = urllib.request.Request(base + "/api/v1" + path, json.dumps(body).encode(),
        {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)
for email, count in (("few@bench.example", 10), ("many@bench.example", 10_000)):
    customer = post("/customers", {"name": email, "email": email, "country": "US"})["id"]
    invoice = lambda n: post("/invoices", {"customer_id": customer, "number": f"{email}-{n}",
        "currency": "USD", "total": "125.00", "issued_on": "2026-11-01", "due_on": "2026-12-01"})
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(invoice, range(count)))
PY

sign_in() { # prints the session cookie of $1, signed in and past step 3
  local jar="$data_dir/$1.jar" code
  curl -fs -c "$jar" -b "$jar" -H 'Accept: text/html' -o /dev/null \
    --data-urlencode merchant_slug=northwind --data-urlencode "email=$1" "$base/api/wizard/email"
  # The .eml files have CRLF line ends.
  code=$(grep -h "sign-in code to pay .*: [0-9]" $(grep -l "To: $1" "$data_dir"/outbox/*.eml) |
    tr -d '\r' | grep -o '[0-9]\{6\}$' | tail -n 1)
  curl -fs -c "$jar" -b "$jar" -H 'Accept: text/html' -o /dev/null \
    --data-urlencode merchant_slug=northwind --data-urlencode "code=$code" "$base/api/wizard/code"
  curl -fs -c "$jar" -b "$jar" -H 'Accept: text/html' -o /dev/null \
    -d merchant_slug=northwind -d business_name=Bench -d contact_name=Bench -d phone=4155550100 \
    -d address_line1=1+Main+St -d city=Austin -d region=TX -d postal_code=73301 -d country=US \
    "$base/api/wizard/business"
  awk '$6 ~ /^portico_session_/ {print $6 "=" $7}' "$jar" | tail -n 1
}
step4() { # prints "median p99" of step 4 for cookie $1, one connection at a time
  local report
  report=$(wrk -t1 -c1 -d"${duration}s" --latency -H "Cookie: $1" -H 'Accept: text/html' \
    "$base/pay/northwind/invoices")
  if grep -q "Non-2xx\|Socket errors" <<<"$report"; then
    echo "$report" >&2
    echo "step 4 answered with errors" >&2
    exit 1
  fi
  awk '$1=="50%" {p50=$2} $1=="99%" {p99=$2} END {print p50, p99}' <<<"$report"
}
few_figures=$(step4 "$(sign_in few@bench.example)")
many_figures=$(step4 "$(sign_in many@bench.example)")
read -r few_p50 few_p99 <<<"$few_figures"
read -r many_p50 many_p99 <<<"$many_figures"
printf '\nstep 4 (the invoice list), one connection, %ss each\n' "$duration"
printf '%-32s %10s %10s\n' customer median p99
printf '%-32s %10s %10s\n' "10 open invoices" "$few_p50" "$few_p99"
printf '%-32s %10s %10s\n' "10,000 open invoices" "$many_p50" "$many_p99"
python3 - "$few_p50" "$many_p50" <<'PY'
import re, sys
def ms(text):
    value, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
few, many = ms(sys.argv[1]), ms(sys.argv[2])
print(f"10,000 / 10 median ratio: {many / few:.2f} (aim: 2.00 or less)")
PY

# The confirm path: sessions standing at step 8 post their confirms (card, $1.00 each) to the
# real server on SQLite, 16 at a time; prints confirmed payments per second and percentiles.
cleanup
trap - EXIT
cargo run --release --locked -p server --example confirm_bench -- 4000 16
