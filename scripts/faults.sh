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

postgres_dir=""
cleanup() {
  if [ -n "$postgres_dir" ]; then
    runuser -u postgres -- "$postgres_bin/pg_ctl" -D "$postgres_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$postgres_dir"
  fi
}
trap cleanup EXIT
postgres_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "${TEST_POSTGRES_URL:-}" ] && [ -n "$postgres_bin" ] && [ "$(id -u)" = 0 ]; then
  postgres_dir=$(mktemp -d /tmp/portico-faults-postgres.XXXXXX)
  chown postgres "$postgres_dir"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$postgres_bin/initdb" -D "$postgres_dir/data" -U postgres -A trust >/dev/null
  runuser -u postgres -- "$postgres_bin/pg_ctl" -D "$postgres_dir/data" -l "$postgres_dir/log" -w \
    -o "-p $port -k $postgres_dir -c listen_addresses=127.0.0.1" start >/dev/null
  export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
fi

# The crash points exist only in this build of the server.
cargo build --locked -p server --features crash-points --bin portico --example faults
"$target_dir/debug/examples/faults" "$runs"
