#!/usr/bin/env bash
# README command 2: every check, in the order a failure is cheapest to find.
#   formatting; clippy for the ssr, hydrate and csr builds (warnings are errors); unit and
#   integration tests on SQLite and on a throwaway PostgreSQL cluster (the HTTP fuzzer's short
#   form among them); the release build and its size budgets; Schemathesis against the API's
#   OpenAPI document; the browser tests in Chromium; the islands gallery with Trunk.
# Under CI=true a missing PostgreSQL or Chromium fails the run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --for-tests
source scripts/env.sh

step() { printf '\n==> %s\n' "$*"; }

postgres_dir=""
stop_postgres() {
  if [ -n "$postgres_dir" ]; then
    run_as_postgres "$postgres_bin/pg_ctl" -D "$postgres_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$postgres_dir"
  fi
}
run_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
start_postgres() {
  if [ -n "${TEST_POSTGRES_URL:-}" ]; then
    echo "using TEST_POSTGRES_URL from the environment"
    return
  fi
  postgres_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$postgres_bin" ]; then
    if [ "${CI:-}" = true ]; then
      echo "PostgreSQL is not installed, and CI must run the PostgreSQL tests" >&2
      exit 1
    fi
    echo "PostgreSQL is not installed: the PostgreSQL half of the integration tests is skipped"
    return
  fi
  postgres_dir=$(mktemp -d /tmp/portico-postgres.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$postgres_dir"
  trap stop_postgres EXIT
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run_as_postgres "$postgres_bin/initdb" -D "$postgres_dir/data" -U postgres -A trust >/dev/null
  # fsync off: a throwaway cluster for tests has nothing to keep.
  run_as_postgres "$postgres_bin/pg_ctl" -D "$postgres_dir/data" -l "$postgres_dir/log" -w \
    -o "-p $port -k $postgres_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "throwaway PostgreSQL on port $port"
}

step "formatting"
cargo fmt --all -- --check

step "clippy: the server build (ssr)"
cargo clippy --locked -p app -p server --features app/ssr --all-targets -- -D warnings
step "clippy: the fault harness's build (crash points)"
cargo clippy --locked -p app -p server --features app/ssr,server/crash-points --all-targets -- -D warnings
step "clippy: the browser build (hydrate)"
cargo clippy --locked -p frontend --features hydrate --target wasm32-unknown-unknown -- -D warnings
step "clippy: the islands gallery (csr)"
cargo clippy --locked -p frontend --features csr --target wasm32-unknown-unknown -- -D warnings

step "unit and integration tests (SQLite and PostgreSQL)"
start_postgres
cargo test --locked -p app -p server --features app/ssr

step "crash points (short form; scripts/faults.sh runs 20 per point)"
cargo build --locked -p server --features crash-points --bin portico --example faults
"$target_dir/debug/examples/faults" 3

step "release build"
cargo leptos build --release
scripts/precompress.sh

step "size budgets (the built files; the first load of steps 1 and 5)"
scripts/budgets.sh

step "Schemathesis: every schema-valid API request accepted, no 5xx (short form; 20 examples per operation)"
scripts/schemathesis.sh 20

step "browser tests (Chromium: desktop and phone, with and without JavaScript)"
(cd end2end && npx playwright test)

step "Trunk: the islands gallery (client-side build)"
trunk build
