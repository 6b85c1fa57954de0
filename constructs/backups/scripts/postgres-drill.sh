#!/bin/sh
# Restore drill: restores the newest dump in BACKUP_DIR into a throwaway PostgreSQL
# server started here (initdb on WORK_DIR, unix socket only, no TCP listener: it needs
# no privilege on the production server), then checks CHECKS, and fails loudly on a
# missing or unreadable dump, a failed restore, a missing table or too few rows.
# Env: BACKUP_DIR, WORK_DIR (empty, writable), CHECKS ("schema.table:minRows ...").
set -eu
. "$(dirname "$0")/lib.sh"
: "${BACKUP_DIR:?}" "${WORK_DIR:?}"
mkdir -p "$WORK_DIR"
CHECKS=${CHECKS:-}

dump=$(newest_in "$BACKUP_DIR" .dump)
[ -n "$dump" ] || fail "no dump in $BACKUP_DIR: the backup has not run or wrote elsewhere"
archive="$BACKUP_DIR/$dump"
pg_restore --list "$archive" >/dev/null 2>"$WORK_DIR/list.err" || fail "$dump is not a readable pg_dump archive: $(head -c 300 "$WORK_DIR/list.err")"
log "drill: restoring $dump"

# initdb needs a passwd entry for the uid; a pod runs as an id the image does not know.
# The alpine Postgres image ships nss_wrapper for exactly this since 2022-09 (docker-library/postgres
# a2d5beb991, "Add nss_wrapper to alpine images", so 16.4-alpine has it); its docker-entrypoint.sh does the same.
if ! id -un >/dev/null 2>&1; then
  for lib in /usr/lib/libnss_wrapper.so /usr/lib/*/libnss_wrapper.so; do [ -e "$lib" ] && break; done
  [ -e "$lib" ] || fail "uid $(id -u) has no passwd entry and nss_wrapper is missing"
  echo "drill:x:$(id -u):$(id -g):restore drill:$WORK_DIR:/sbin/nologin" > "$WORK_DIR/passwd"
  echo "drill:x:$(id -g):" > "$WORK_DIR/group"
  export LD_PRELOAD="$lib" NSS_WRAPPER_PASSWD="$WORK_DIR/passwd" NSS_WRAPPER_GROUP="$WORK_DIR/group"
fi

# The scratch server: its own data directory and socket, no TCP listener, peer authentication
# (only this uid, over that socket), fsync off (its data is thrown away).
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE PGSSLROOTCERT PGSERVICE
data="$WORK_DIR/pgdata"; run="$WORK_DIR/run"
mkdir -p "$run"
me=$(id -un)
initdb --pgdata="$data" --username="$me" --auth=peer --encoding=UTF8 --no-sync >"$WORK_DIR/initdb.log" 2>&1 || fail "initdb of the scratch server failed: $(tail -n 5 "$WORK_DIR/initdb.log")"
pg_ctl --pgdata="$data" --log="$WORK_DIR/postgres.log" --wait --silent \
  --options="-c listen_addresses='' -c unix_socket_directories='$run' -c fsync=off -c full_page_writes=off" start \
  || fail "the scratch server did not start: $(tail -n 5 "$WORK_DIR/postgres.log")"
trap 'pg_ctl --pgdata="$data" --mode=immediate --silent stop >/dev/null 2>&1 || true' EXIT
export PGHOST="$run" PGUSER="$me"

createdb scratch
# --no-owner/--no-privileges: the scratch server has none of production's roles.
pg_restore --dbname=scratch --no-owner --no-privileges --exit-on-error "$archive" 2>"$WORK_DIR/restore.err" \
  || fail "pg_restore of $dump into the scratch database failed: $(head -c 500 "$WORK_DIR/restore.err")"

checked=0
for check in $CHECKS; do
  table=${check%:*}; min=${check##*:}
  exists=$(psql --dbname=scratch --no-psqlrc -Atc "SELECT to_regclass('$table') IS NOT NULL")
  [ "$exists" = t ] || fail "table $table is missing from $dump"
  rows=$(psql --dbname=scratch --no-psqlrc -Atc "SELECT count(*) FROM $table")
  [ "$rows" -ge "$min" ] || fail "table $table has $rows rows in $dump, expected at least $min"
  log "check $table: $rows rows (at least $min)"
  checked=$((checked + 1))
done
log "drill passed: $dump restores, $checked table checks hold"
