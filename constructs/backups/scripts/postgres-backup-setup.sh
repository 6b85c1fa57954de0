#!/bin/sh
# Setup Job: waits for Postgres, then creates or updates the backup role (postgres-backup-role.sql)
# with the superuser's password. Idempotent. Env: libpq PG* (the superuser), ROLE, ROLE_PASSWORD.
set -eu
. "$(dirname "$0")/lib.sh"
: "${ROLE:?}" "${ROLE_PASSWORD:?}"
i=0
until pg_isready -q; do
  i=$((i + 1)); [ "$i" -le "${WAIT_TRIES:-120}" ] || fail "Postgres did not accept connections"
  sleep "${WAIT_SECONDS:-5}"
done
psql --no-psqlrc -v ON_ERROR_STOP=1 -v role="$ROLE" -v password="$ROLE_PASSWORD" -f "$(dirname "$0")/postgres-backup-role.sql" >/dev/null
log "role $ROLE: done"
