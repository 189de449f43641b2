#!/usr/bin/env bash
# healthtech-backup — backups, restores and the database bootstrap, the same script
# locally (./healthtech backup|restore) and in the cluster (ops-tools image: the
# postgres-backup / redis-backup CronJobs and the db-bootstrap Job).
#
#   healthtech-backup postgres                 pg_dump -Fc of $PGDATABASE, encrypted, into $BACKUP_DIR
#   healthtech-backup redis                    RDB snapshot of $REDIS_HOST:$REDIS_PORT, encrypted
#   healthtech-backup restore-postgres FILE    decrypt + pg_restore into $PGDATABASE (must exist, empty)
#   healthtech-backup restore-redis FILE OUT   decrypt an RDB backup to OUT (then start Redis on it)
#   healthtech-backup verify FILE              decrypt and check the archive's table of contents
#   healthtech-backup bootstrap                create $PGDATABASE, the roles of 00_roles.sql, their passwords
#
# Connection: the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE);
# REDIS_HOST, REDIS_PORT, REDISCLI_AUTH. Encryption: AES-256-CBC with a PBKDF2-derived key
# (openssl enc -pbkdf2, 200,000 iterations, random salt) from BACKUP_ENCRYPTION_KEY, which
# must be set (at least 32 characters) — a backup is never written in clear. Retention:
# files older than BACKUP_RETENTION_DAYS (default 14) are deleted after a successful backup.
set -euo pipefail

die() { echo "healthtech-backup: $*" >&2; exit 1; }
need_key() {
  [ -n "${BACKUP_ENCRYPTION_KEY:-}" ] || die "BACKUP_ENCRYPTION_KEY is not set"
  [ "${#BACKUP_ENCRYPTION_KEY}" -ge 32 ] || die "BACKUP_ENCRYPTION_KEY must be at least 32 characters"
}
encrypt() { openssl enc -aes-256-cbc -pbkdf2 -iter 200000 -salt -pass env:BACKUP_ENCRYPTION_KEY; }
decrypt() { openssl enc -d -aes-256-cbc -pbkdf2 -iter 200000 -pass env:BACKUP_ENCRYPTION_KEY; }
stamp() { date -u +%Y%m%dT%H%M%SZ; }
retention() {  # retention DIR PATTERN
  local days="${BACKUP_RETENTION_DAYS:-14}"
  [[ "$days" =~ ^[0-9]+$ ]] || die "BACKUP_RETENTION_DAYS must be a number of days"
  find "$1" -maxdepth 1 -name "$2" -type f -mtime +"$days" -print -delete | sed 's/^/removed (retention): /' >&2 || true
}
finish() {  # finish TMPFILE FINAL: checksum, atomic rename, print the path
  sha256sum "$1" | sed "s|$1|$(basename "$2")|" >"$2.sha256"
  mv "$1" "$2"
  echo "$2"
}

cmd="${1:-}"
case "$cmd" in
  postgres)
    need_key
    dir="${BACKUP_DIR:?BACKUP_DIR is not set}"; mkdir -p "$dir"
    db="${PGDATABASE:?PGDATABASE is not set}"
    out="$dir/${db}_$(stamp).dump.enc"; tmp="$out.partial"
    # Custom format (compressed, restorable table by table); the pipe fails as a whole.
    pg_dump --format=custom --compress=6 --no-password "$db" | encrypt >"$tmp" \
      || { rm -f "$tmp"; die "pg_dump failed"; }
    finish "$tmp" "$out"
    retention "$dir" "${db}_*.dump.enc*"
    ;;
  redis)
    need_key
    dir="${BACKUP_DIR:?BACKUP_DIR is not set}"; mkdir -p "$dir"
    out="$dir/redis_$(stamp).rdb.enc"; tmp="$out.partial"; raw="${TMPDIR:-/tmp}/redis-$$.rdb"
    trap 'rm -f "$raw"' EXIT
    msg="$(redis-cli -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" --rdb "$raw" 2>&1)" \
      || die "redis-cli --rdb failed: $msg"
    encrypt <"$raw" >"$tmp" || { rm -f "$tmp"; die "encryption failed"; }
    finish "$tmp" "$out"
    retention "$dir" "redis_*.rdb.enc*"
    ;;
  verify)
    need_key
    f="${2:?usage: healthtech-backup verify FILE}"
    if [ -f "$f.sha256" ]; then (cd "$(dirname "$f")" && sha256sum --quiet -c "$(basename "$f").sha256") || die "checksum mismatch: $f"; fi
    raw="${TMPDIR:-/tmp}/verify-$$.dump"; trap 'rm -f "$raw"' EXIT
    # Decrypt it whole (the cipher's padding check catches a wrong key or a truncated
    # file), then read the archive's table of contents.
    decrypt <"$f" >"$raw" 2>/dev/null && pg_restore --list "$raw" >/dev/null 2>&1 \
      || die "not a readable backup (wrong key or damaged): $f"
    echo "ok: $f"
    ;;
  restore-postgres)
    need_key
    f="${2:?usage: healthtech-backup restore-postgres FILE}"
    [ -f "$f" ] || die "no such backup: $f"
    if [ -f "$f.sha256" ]; then (cd "$(dirname "$f")" && sha256sum --quiet -c "$(basename "$f").sha256") || die "checksum mismatch: $f"; fi
    raw="${TMPDIR:-/tmp}/restore-$$.dump"; trap 'rm -f "$raw"' EXIT
    decrypt <"$f" >"$raw" || die "cannot decrypt $f (wrong BACKUP_ENCRYPTION_KEY?)"
    # One transaction: a restore either completes or leaves the database as it was.
    pg_restore --no-password --exit-on-error --single-transaction -d "${PGDATABASE:?}" "$raw"
    echo "restored $f into $PGDATABASE"
    ;;
  restore-redis)
    need_key
    f="${2:?usage: healthtech-backup restore-redis FILE OUT}"; out="${3:?usage: healthtech-backup restore-redis FILE OUT}"
    decrypt <"$f" >"$out.partial" || { rm -f "$out.partial"; die "cannot decrypt $f"; }
    head -c 5 "$out.partial" | grep -q REDIS || { rm -f "$out.partial"; die "$f is not an RDB file"; }
    mv "$out.partial" "$out"
    echo "$out"
    ;;
  bootstrap)
    db="${PGDATABASE:?PGDATABASE is not set}"
    sql="${BOOTSTRAP_SQL:-/opt/healthtech/db/bootstrap/00_roles.sql}"
    schemas="${SCHEMAS:-iam,org,appointment,payment,notification,forum,uhi}"
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
      || psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$db\""
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v schemas="$schemas" -v dbname="$db" -f "$sql" >/dev/null
    {
      [ -n "${MIGRATOR_PASSWORD:-}" ] && echo "ALTER ROLE healthtech_migrator PASSWORD :'migrator_pw';"
      for s in ${schemas//,/ }; do
        var="${s^^}_APP_PASSWORD"
        [ -n "${!var:-}" ] && echo "ALTER ROLE ${s}_app PASSWORD :'${s}_pw';"
      done
    } >"${TMPDIR:-/tmp}/pw-$$.sql"
    args=(-v migrator_pw="${MIGRATOR_PASSWORD:-}")
    for s in ${schemas//,/ }; do var="${s^^}_APP_PASSWORD"; args+=(-v "${s}_pw=${!var:-}"); done
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" "${args[@]}" -f "${TMPDIR:-/tmp}/pw-$$.sql" >/dev/null
    rm -f "${TMPDIR:-/tmp}/pw-$$.sql"
    echo "bootstrapped $db ($schemas)"
    ;;
  *)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
