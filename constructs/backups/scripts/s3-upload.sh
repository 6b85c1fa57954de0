#!/bin/sh
# Uploads the newest backup in SOURCE_DIR to S3_URI (s3://bucket/prefix/<store>), then
# retention on the bucket: deletes all but the KEEP newest objects named like backups.
# Env: SOURCE_DIR, S3_URI, SUFFIX, KEEP; the aws CLI's AWS_ENDPOINT_URL, AWS_REGION,
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (from a Secret).
set -eu
. "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}" "${S3_URI:?}" "${SUFFIX:?}" "${KEEP:?}"
file=$(newest_in "$SOURCE_DIR" "$SUFFIX")
[ -n "$file" ] || fail "nothing to upload in $SOURCE_DIR"
aws s3 cp --only-show-errors "$SOURCE_DIR/$file" "$S3_URI/$file" || fail "upload of $file to $S3_URI failed"
log "uploaded $file to $S3_URI"
# `aws s3 ls` prints "date time size name" per object.
aws s3 ls "$S3_URI/" | awk '{ print $4 }' | backup_names "$SUFFIX" | surplus "$KEEP" | while read -r old; do
  aws s3 rm --only-show-errors "$S3_URI/$old" || fail "could not delete $old"
  log "retention: deleted $old (keeping the $KEEP newest)"
done
log "upload done"
