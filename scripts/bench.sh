#!/usr/bin/env bash
# Load benchmark (not part of the tests). Starts the release server on SQLite and measures, with
# wrk at 64 connections in one run: /healthz, the landing page (server-rendered, no database),
# step 1 /pay/northwind (server-rendered, one merchant lookup) and the stylesheet (a static
# file, from memory), beside nginx serving step 1's very bytes and the same stylesheet. It
# prints requests per second, p99 latency and the ratios the aims are set in. Then it signs in
# two customers, one with 10 open invoices and one with 10,000, and prints the server time of
# step 4 (the invoice list) for each. Last, server/examples/confirm_bench.rs measures confirmed
# card payments per second through the wizard's confirm endpoint, and
# server/examples/dashboard_bench.rs the dashboard's payments list at 100 and 100,000 payments.
# Usage: scripts/bench.sh [seconds per run, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"
scripts/setup.sh
source scripts/env.sh
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo leptos build --release
scripts/precompress.sh

port=$(free_port)
nginx_port=$(free_port)
data_dir=$(mktemp -d /tmp/portico-bench.XXXXXX)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -f "$data_dir/nginx.pid" ] && kill "$(cat "$data_dir/nginx.pid")" 2>/dev/null
  rm -rf "$data_dir"
}
trap cleanup EXIT

# The API limit raised: step 4's customer gets its 10,000 invoices over the API below.
LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTICO_DATA_DIR="$data_dir" RUST_LOG=warn \
  PORTICO_API_REQUESTS_PER_MINUTE=1000000 "$target_dir/release/portico" serve &
server_pid=$!
base="http://127.0.0.1:$port"
wait_until_ready "$port"

# nginx serves the same bytes: step 1 as the portal rendered it, and the stylesheet.
stylesheet=$(curl -fs "$base/pay/northwind" | grep -o '/pkg/portico[^"]*\.css' | head -n 1)
mkdir -p "$data_dir/nginx/root/pkg"
chmod -R a+rX "$data_dir" # nginx's workers run as www-data
curl -fs "$base/pay/northwind" -o "$data_dir/nginx/root/step1.html"
cp "target/site$stylesheet" "$data_dir/nginx/root$stylesheet"
cat > "$data_dir/nginx/nginx.conf" <<NGINX
worker_processes $(nproc);
pid $data_dir/nginx.pid;
error_log $data_dir/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  include /etc/nginx/mime.types;
  client_body_temp_path $data_dir/nginx;
  proxy_temp_path $data_dir/nginx;
  fastcgi_temp_path $data_dir/nginx;
  uwsgi_temp_path $data_dir/nginx;
  scgi_temp_path $data_dir/nginx;
  server { listen 127.0.0.1:$nginx_port; root $data_dir/nginx/root; }
}
NGINX
nginx -c "$data_dir/nginx/nginx.conf"
nginx_base="http://127.0.0.1:$nginx_port"
for _ in $(seq 50); do curl -fs "$nginx_base/step1.html" >/dev/null && break; sleep 0.1; done

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
page_bytes=$(wc -c < "$data_dir/nginx/root/step1.html")
stylesheet_bytes=$(stat -c %s "target/site$stylesheet")
# Command substitution, not `< <(...)`: a failing run must stop the script under `set -e`.
declare -A figures
figures[health]=$(run "$base/healthz")
figures[landing]=$(run "$base/")
figures[step1]=$(run "$base/pay/northwind")
figures[static]=$(run "$base$stylesheet")
figures[nginx_step1]=$(run "$nginx_base/step1.html")
figures[nginx_static]=$(run "$nginx_base$stylesheet")

printf '\nwrk, 2 threads, 64 connections, %ss each, uncompressed, %s cores\n' "$duration" "$(nproc)"
printf '%-44s %12s %10s\n' endpoint 'requests/s' p99
row() { read -r rps p99 <<<"${figures[$1]}"; printf '%-44s %12s %10s\n' "$2" "$rps" "$p99"; }
row health "/healthz"
row landing "/ (landing page, SSR, no database)"
row step1 "/pay/northwind (step 1, SSR, $page_bytes B)"
row static "stylesheet from memory ($stylesheet_bytes B)"
row nginx_step1 "nginx: step 1's bytes"
row nginx_static "nginx: the stylesheet"
python3 - "${figures[step1]}" "${figures[landing]}" "${figures[static]}" <<'PY'
import re, sys
def rps(figures): return float(figures.split()[0])
def ms(figures):
    value, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", figures.split()[1]).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
step1, landing, static = sys.argv[1:]
print(f"step 1 / landing throughput: {rps(step1) / rps(landing):.2f} (aim: 0.50 or better)")
print(f"step 1 p99: {ms(step1):.2f} ms (aim: under 10 ms)")
print(f"stylesheet: {rps(static):,.0f} requests/s (aim: 20,000 or more)")
PY

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
  # The job worker writes the code email within a second or so. The .eml files have CRLF ends.
  code=""
  for _ in $(seq 100); do
    code=$(grep -l "To: $1" "$data_dir"/outbox/*.eml 2>/dev/null |
      xargs -r grep -h "sign-in code to pay .*: [0-9]" | tr -d '\r' | grep -o '[0-9]\{6\}$' |
      tail -n 1 || true)
    [ -n "$code" ] && break
    sleep 0.1
  done
  [ -n "$code" ] || { echo "no sign-in code reached the outbox for $1" >&2; exit 1; }
  curl -fs -c "$jar" -b "$jar" -H 'Accept: text/html' -o /dev/null \
    --data-urlencode merchant_slug=northwind --data-urlencode "code=$code" "$base/api/wizard/code"
  curl -fs -c "$jar" -b "$jar" -H 'Accept: text/html' -o /dev/null \
    -d merchant_slug=northwind -d business_name=Bench -d contact_name=Bench -d phone=4155550100 \
    -d address_line1=1+Main+St -d city=Austin -d region=TX -d postal_code=73301 -d country=US \
    "$base/api/wizard/business"
  # Measuring anything but the invoice list would make the figures meaningless.
  curl -fs -b "$jar" -H 'Accept: text/html' "$base/pay/northwind/invoices" |
    grep -q "Your invoices" || { echo "$1 did not reach step 4" >&2; exit 1; }
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
# One assignment each, so that a failed sign-in stops the script under `set -e`.
few_cookie=$(sign_in few@bench.example)
many_cookie=$(sign_in many@bench.example)
few_figures=$(step4 "$few_cookie")
many_figures=$(step4 "$many_cookie")
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

# The dashboard's payments list for a merchant with 100 payments and one with 100,000, and the
# CSV export of each (server/examples/dashboard_bench.rs).
cargo run --release --locked -p server --example dashboard_bench -- 200
