#!/usr/bin/env bash
# Kills the real server at every named crash point of the confirm path, the job worker and a
# settlement, restarts it on the same database and checks that nothing was lost or doubled
# (server/examples/faults.rs says what is checked). Prints a table per database and the line
#   SQLite: crash points × runs 7 × 20, crashed 140, lost 0, duplicated 0, ...
# Runs on SQLite, and on PostgreSQL too: a throwaway cluster is started when TEST_POSTGRES_URL
# is not set and PostgreSQL is installed. Usage: scripts/faults.sh [runs per point] (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
runs="${1:-20}"

source scripts/throwaway_postgres.sh
start_throwaway_postgres || echo "PostgreSQL is not installed: SQLite only"

# The crash points exist only in this build of the server.
cargo build --locked -p server --features crash-points --bin portico --example faults
"$target_dir/debug/examples/faults" "$runs"
