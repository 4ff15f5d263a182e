#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the store tests and
# prints its connection URL on stdout (everything else goes to stderr):
#
#   export TEST_DATABASE_URL="$(scripts/ci-postgres.sh)"
#   node --experimental-vm-modules node_modules/jest/bin/jest.js test/store test/audit
#
# Installs the Debian package when no PostgreSQL server is present (needs root).
# The cluster lives in a temporary directory, trusts local connections only, and
# is stopped with: scripts/ci-postgres.sh stop
# Environment: PG_PORT (default 54329), PG_DIR (default /tmp/facade-ci-postgres), PG_DB (the
# database to create if missing and name in the URL, default facade_test).
set -euo pipefail

PORT="${PG_PORT:-54329}"
DIR="${PG_DIR:-/tmp/facade-ci-postgres}"
DB="${PG_DB:-facade_test}"

log() { echo "ci-postgres: $*" >&2; }

pg_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$bin" ] && command -v pg_ctl >/dev/null 2>&1; then bin="$(dirname "$(command -v pg_ctl)")"; fi
  echo "$bin"
}

# Runs a command as the cluster's owner: "postgres" when we are root (initdb
# refuses root), ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

BIN="$(pg_bin)"
if [ "${1:-}" = "stop" ]; then
  [ -n "$BIN" ] && [ -d "$DIR/data" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >&2 || true
  rm -rf "$DIR"
  exit 0
fi

if [ -z "$BIN" ]; then
  log "installing postgresql (apt-get)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  BIN="$(pg_bin)"
fi
[ -n "$BIN" ] || { log "no PostgreSQL server binaries found"; exit 1; }

if [ ! -f "$DIR/data/PG_VERSION" ]; then
  mkdir -p "$DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
  as_owner "$BIN/initdb" -D "$DIR/data" -U postgres -A trust --no-sync >&2
fi
if ! as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off" start >&2
fi
if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -Atc "select 1 from pg_database where datname = '$DB'" postgres | grep -q 1; then
  as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB" >&2
fi
echo "postgres://postgres@127.0.0.1:$PORT/$DB"
