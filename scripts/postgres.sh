#!/usr/bin/env bash
# Start (once) a throw-away PostgreSQL cluster for the tests and print its URL.
# The Debian base image ships PostgreSQL 15 stopped; this makes a private cluster on a
# private port and socket so it never touches a system cluster.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
DIR=${ANXIN_PG_DIR:-/tmp/anxin-pg}
PORT=${ANXIN_PG_PORT:-54329}
DB=anxin_test
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL server binaries not found; installing Debian's postgresql" >&2
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
mkdir -p "$DIR"
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  as_pg "'$PGBIN/initdb' -D '$DIR/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
fi
if ! as_pg "'$PGBIN/pg_ctl' -D '$DIR/data' status" >/dev/null 2>&1; then
  as_pg "'$PGBIN/pg_ctl' -D '$DIR/data' -l '$DIR/log' -w -o \"-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200\" start" >/dev/null
fi
if ! as_pg "'$PGBIN/psql' -h 127.0.0.1 -p $PORT -U postgres -tAc \"select 1 from pg_database where datname='$DB'\"" | grep -q 1; then
  as_pg "'$PGBIN/createdb' -h 127.0.0.1 -p $PORT -U postgres $DB"
fi
echo "postgresql://postgres@127.0.0.1:$PORT/$DB"
