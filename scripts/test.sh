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

source scripts/throwaway_postgres.sh
start_postgres() {
  if [ -n "${TEST_POSTGRES_URL:-}" ]; then
    echo "using TEST_POSTGRES_URL from the environment"
  elif start_throwaway_postgres; then
    echo "throwaway PostgreSQL at $TEST_POSTGRES_URL"
  elif [ "${CI:-}" = true ]; then
    echo "PostgreSQL is not installed, and CI must run the PostgreSQL tests" >&2
    exit 1
  else
    echo "PostgreSQL is not installed: the PostgreSQL half of the integration tests is skipped"
  fi
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
# The fake Xero the accounting test connects to, served beside the portal.
cargo build --locked -p server --example fake_accounting
(cd end2end && npx playwright test)

step "Trunk: the islands gallery (client-side build)"
trunk build
