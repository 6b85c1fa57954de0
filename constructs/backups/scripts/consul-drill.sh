#!/bin/sh
# Restore drill: starts a scratch Consul agent here (`consul agent -dev`, in memory, on the
# loopback only), restores the newest snapshot in BACKUP_DIR into it, and checks that MARKER_NAME
# and every key of KV_CHECKS are there; fails loudly on a missing or unreadable snapshot, a failed
# restore or a missing key. Env: BACKUP_DIR, WORK_DIR, MARKER_NAME, KV_CHECKS ("key ...").
set -eu
. "$(dirname "$0")/lib.sh"
: "${BACKUP_DIR:?}" "${WORK_DIR:?}" "${MARKER_NAME:?}"
mkdir -p "$WORK_DIR"
KV_CHECKS=${KV_CHECKS:-}

snap=$(newest_in "$BACKUP_DIR" .snap)
[ -n "$snap" ] || fail "no snapshot in $BACKUP_DIR: the backup has not run or wrote elsewhere"
consul snapshot inspect "$BACKUP_DIR/$snap" >/dev/null 2>"$WORK_DIR/inspect.err" || fail "$snap is not a readable Consul snapshot: $(head -c 300 "$WORK_DIR/inspect.err")"
log "drill: restoring $snap"

# The scratch agent has no ACLs and no TLS: it is reachable only inside this pod.
unset CONSUL_HTTP_TOKEN CONSUL_HTTP_TOKEN_FILE CONSUL_CACERT CONSUL_HTTP_SSL
export CONSUL_HTTP_ADDR="http://127.0.0.1:${DRILL_HTTP_PORT:-8500}"
consul agent -dev -bind=127.0.0.1 -client=127.0.0.1 -http-port="${DRILL_HTTP_PORT:-8500}" -node=restore-drill >"$WORK_DIR/agent.log" 2>&1 &
agent=$!
trap 'kill "$agent" 2>/dev/null || true' EXIT
i=0
until consul info 2>/dev/null | grep -q 'leader = true'; do
  kill -0 "$agent" 2>/dev/null || fail "the scratch agent exited: $(tail -n 5 "$WORK_DIR/agent.log")"
  i=$((i + 1)); [ "$i" -le "${WAIT_TRIES:-60}" ] || fail "the scratch agent elected no leader"
  sleep "${WAIT_SECONDS:-1}"
done
consul snapshot restore "$BACKUP_DIR/$snap" >/dev/null 2>"$WORK_DIR/restore.err" || fail "consul snapshot restore of $snap failed: $(head -c 300 "$WORK_DIR/restore.err")"

checked=0
for key in "$MARKER_NAME" $KV_CHECKS; do
  consul kv get "$key" >/dev/null 2>&1 || fail "key $key is missing from $snap"
  log "check key $key: present"
  checked=$((checked + 1))
done
log "drill passed: $snap restores, $checked keys present"
