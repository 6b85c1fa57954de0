# Shared functions of the backup and restore-drill scripts (POSIX sh), sourced by each.
# Backup files are named <name>-<UTC YYYYMMDDTHHMMSSZ><suffix>: name order is time order,
# so "newest" and "keep the N newest" need no metadata of the store.

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# Fails the run with a message on stderr; the pod, its Job and the alert show it.
fail() { printf '%s FAILED: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; exit 1; }

stamp() { date -u +%Y%m%dT%H%M%SZ; }

# backup_names SUFFIX: keeps the lines of stdin that are backup file names with SUFFIX, sorted oldest first.
backup_names() { grep -E "^[a-z0-9_-]+-[0-9]{8}T[0-9]{6}Z$(printf '%s' "$1" | sed 's/\./\\./g')\$" | LC_ALL=C sort || true; }

# newest_in DIR SUFFIX: the newest backup file name in DIR (empty when there is none).
newest_in() { ls -1 "$1" 2>/dev/null | backup_names "$2" | tail -n 1; }

# surplus KEEP: of the sorted names on stdin, the ones older than the KEEP newest.
surplus() {
  names=$(cat)
  total=$(printf '%s' "$names" | grep -c . || true)
  [ "$total" -gt "$1" ] || return 0
  printf '%s\n' "$names" | head -n "$((total - $1))"
}

# prune_dir DIR SUFFIX KEEP: deletes all but the KEEP newest backups in DIR.
prune_dir() {
  ls -1 "$1" | backup_names "$2" | surplus "$3" | while read -r old; do
    rm -f "$1/$old"
    log "retention: deleted $old (keeping the $3 newest)"
  done
}
