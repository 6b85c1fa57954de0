#!/bin/sh
# Logical backup of one Postgres database: pg_dump custom format (-Fc: compressed,
# restorable table by table with pg_restore) into BACKUP_DIR, checked readable with
# pg_restore --list, then retention (the KEEP newest dumps; KEEP=0 leaves pruning to the upload).
# Env: libpq's PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE (PGSSLROOTCERT), BACKUP_DIR, KEEP.
set -eu
. "$(dirname "$0")/lib.sh"
: "${BACKUP_DIR:?}" "${KEEP:?}" "${PGDATABASE:?}"
mkdir -p "$BACKUP_DIR"

i=0
until pg_isready -q; do
  i=$((i + 1)); [ "$i" -le "${WAIT_TRIES:-60}" ] || fail "Postgres at ${PGHOST:-local socket}:${PGPORT:-5432} did not accept connections"
  sleep "${WAIT_SECONDS:-5}"
done

name="$PGDATABASE-$(stamp).dump"
partial="$BACKUP_DIR/.$name.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --no-password --file="$partial" || fail "pg_dump of $PGDATABASE failed"
pg_restore --list "$partial" >/dev/null || fail "the dump just written is not a readable archive"
mv "$partial" "$BACKUP_DIR/$name"
log "dump $name: $(wc -c < "$BACKUP_DIR/$name") bytes"
[ "$KEEP" -eq 0 ] || prune_dir "$BACKUP_DIR" .dump "$KEEP"
log "backup done"
