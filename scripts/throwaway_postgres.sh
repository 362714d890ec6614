# Sourced (after env.sh) by the scripts that test against PostgreSQL. `start_throwaway_postgres` starts a
# cluster in a temporary folder on a free port (fsync off: nothing in it is kept), exports
# TEST_POSTGRES_URL, and has the cluster stopped and removed when the script exits. It does
# nothing when TEST_POSTGRES_URL is already set, and returns 1 when PostgreSQL is not installed.

postgres_dir=""

run_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_throwaway_postgres() {
  if [ -n "$postgres_dir" ]; then
    run_as_postgres "$postgres_bin/pg_ctl" -D "$postgres_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$postgres_dir"
  fi
}

start_throwaway_postgres() {
  [ -n "${TEST_POSTGRES_URL:-}" ] && return 0
  postgres_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$postgres_bin" ] || return 1
  postgres_dir=$(mktemp -d /tmp/portico-postgres.XXXXXX)
  if [ "$(id -u)" = 0 ]; then chown postgres "$postgres_dir"; fi
  trap stop_throwaway_postgres EXIT
  local port
  port=$(free_port)
  run_as_postgres "$postgres_bin/initdb" -D "$postgres_dir/data" -U postgres -A trust >/dev/null
  run_as_postgres "$postgres_bin/pg_ctl" -D "$postgres_dir/data" -l "$postgres_dir/log" -w \
    -o "-p $port -k $postgres_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}
