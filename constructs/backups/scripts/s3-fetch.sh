#!/bin/sh
# Downloads the newest backup under S3_URI into TARGET_DIR (for a drill); fails when there is none.
# Env: TARGET_DIR, S3_URI, SUFFIX; the aws CLI's endpoint, region and credentials.
set -eu
. "$(dirname "$0")/lib.sh"
: "${TARGET_DIR:?}" "${S3_URI:?}" "${SUFFIX:?}"
listing=$(aws s3 ls "$S3_URI/") || fail "cannot list $S3_URI"
name=$(printf '%s\n' "$listing" | awk '{ print $4 }' | backup_names "$SUFFIX" | tail -n 1)
[ -n "$name" ] || fail "no backup under $S3_URI"
aws s3 cp --only-show-errors "$S3_URI/$name" "$TARGET_DIR/$name" || fail "download of $name failed"
log "fetched $name"
