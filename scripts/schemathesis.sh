#!/usr/bin/env bash
# Schemathesis, with all its checks, against the merchant API of the release server started
# here on a fresh SQLite database: it generates requests from /api/v1/openapi.json (valid ones,
# which must be accepted, and invalid ones, which must be refused), and fails on any 5xx, any
# valid request refused, any invalid one accepted, and any answer the document does not
# describe. Run after a release build (`cargo leptos build --release`).
# Usage: scripts/schemathesis.sh [examples per operation] (default 20, the test command's short
# form; the README's figure is from 200). The seed is fixed (SCHEMATHESIS_SEED overrides it), so
# a failure can be replayed.
# Schemathesis lives in its own venv (SCHEMATHESIS_VENV, by default under /var/cache/portico),
# installed on first use from scripts/schemathesis-requirements.txt and again when that changes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
max_examples="${1:-20}"
seed="${SCHEMATHESIS_SEED:-20261127}"
venv="${SCHEMATHESIS_VENV:-/var/cache/portico/schemathesis-venv}"
requirements=scripts/schemathesis-requirements.txt
portico="$target_dir/release/portico"
[ -x "$portico" ] || { echo "missing $portico: run a release build first" >&2; exit 1; }

requirements_sum=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ "$(cat "$venv/.portico-requirements-sum" 2>/dev/null)" != "$requirements_sum" ]; then
  echo "==> installing Schemathesis into $venv"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian's python3 ships venv separately.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$requirements_sum" > "$venv/.portico-requirements-sum"
fi

data_dir=$(mktemp -d /tmp/portico-schemathesis.XXXXXX)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$data_dir"
}
trap cleanup EXIT
port=$(free_port)
# The rate limit is the largest the server takes, so that the run tests the API, not the limit.
export DATABASE_URL="sqlite://$data_dir/portico.db?mode=rwc" PORTICO_DATA_DIR="$data_dir" \
  PORTICO_DEMO=off LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
  PORTICO_API_REQUESTS_PER_MINUTE=1000000 RUST_LOG=warn

api_key=$("$portico" merchant create --name 'Schemathesis Test' --slug schemathesis --country US |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])')

"$portico" serve >"$data_dir/server.log" 2>&1 &
server=$!
wait_until_ready "$port"

echo "==> Schemathesis $("$venv/bin/st" --version | grep -oE '[0-9][0-9.]*' | head -n 1): $max_examples examples per operation, seed $seed"
# From the data directory, where Schemathesis and Hypothesis leave their caches.
status=0
hooks="$PWD/scripts/schemathesis_hooks.py"
(cd "$data_dir" && SCHEMATHESIS_HOOKS="$hooks" "$venv/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --checks all \
  --header "Authorization: Bearer $api_key" \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --workers 1 \
  --generation-database none \
  --no-color) || status=$?
if [ "$status" != 0 ] && grep -qE 'ERROR|WARN|panicked' "$data_dir/server.log"; then
  echo "==> the server's warnings and errors:"
  grep -E 'ERROR|WARN|panicked' "$data_dir/server.log" | tail -n 40
fi
exit "$status"
