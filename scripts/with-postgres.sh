#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on 127.0.0.1, exported as
# TEST_DATABASE_URL (and BENCH_DATABASE_URL), and removes the cluster afterwards.
#   scripts/with-postgres.sh npm test
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
fi

data_dir=$(mktemp -d /tmp/todo-pg.XXXXXX)
port=${PGPORT_TEST:-55432}
while (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

# initdb refuses to run as root: run the cluster as the postgres user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$data_dir"
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

stop() {
  as_owner "'$pg_bin/pg_ctl' -D '$data_dir' -m immediate stop" > /dev/null 2>&1 || true
  rm -rf "$data_dir"
}
trap stop EXIT

as_owner "'$pg_bin/initdb' -D '$data_dir' -U postgres -A trust --no-sync" > /dev/null
as_owner "'$pg_bin/pg_ctl' -D '$data_dir' -l '$data_dir/server.log' -w \
  -o \"-c listen_addresses=127.0.0.1 -p $port -k '$data_dir' -c fsync=off -c max_connections=200\" start" > /dev/null

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
export BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-$TEST_DATABASE_URL}"
echo "PostgreSQL $(basename "$(dirname "$pg_bin")") is listening on 127.0.0.1:$port"
"$@"
