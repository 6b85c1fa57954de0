#!/bin/sh
# Consul backup: writes MARKER_NAME (the time of this run, so every snapshot holds a key the
# drill can check), saves a snapshot (`consul snapshot save` verifies it as it saves), checks
# it with `consul snapshot inspect`, then retention (the KEEP newest; KEEP=0 leaves it to the upload).
# Env: CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN (from a Secret), CONSUL_CACERT (https), BACKUP_DIR, KEEP, MARKER_NAME.
set -eu
. "$(dirname "$0")/lib.sh"
: "${BACKUP_DIR:?}" "${KEEP:?}" "${MARKER_NAME:?}"
mkdir -p "$BACKUP_DIR"

name="consul-$(stamp).snap"
partial="$BACKUP_DIR/.$name.partial"
trap 'rm -f "$partial"' EXIT
consul kv put "$MARKER_NAME" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >/dev/null || fail "could not write $MARKER_NAME (token policy?)"
consul snapshot save "$partial" >/dev/null || fail "consul snapshot save failed"
consul snapshot inspect "$partial" >/dev/null || fail "the snapshot just saved does not inspect"
mv "$partial" "$BACKUP_DIR/$name"
log "snapshot $name: $(wc -c < "$BACKUP_DIR/$name") bytes"
[ "$KEEP" -eq 0 ] || prune_dir "$BACKUP_DIR" .snap "$KEEP"
log "backup done"
