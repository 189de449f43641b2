#!/usr/bin/env bash
# bench/backup_restore.sh — how long backups and restores take at a realistic size, for
# the RPO/RTO figures in README.md ("Deploying").
#
#   bench/backup_restore.sh [APPOINTMENTS]      (default 100000)
#
# Starts a private stack (own data dir in /tmp, free 127.0.0.1 ports — never .data/),
# fills appointment.appointments with APPOINTMENTS rows (2,000 practitioners, 20,000
# patients, mixed statuses; inserted in SQL, the booking constraints still apply),
# registers a user through the API, then times `./healthtech backup` and
# `./healthtech restore` (stop services, drop + recreate the database, restore in one
# transaction, restart, ready), checks that the rows and the user are back, and stops
# the stack. Prints a table; nothing is kept.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-100000}"
DIR="$(mktemp -d /tmp/healthtech-bench-backup.XXXXXX)"
chmod 755 "$DIR"
read -r -a P < <(/usr/bin/python3 -c '
import socket; s=[socket.socket() for _ in range(19)]
[x.bind(("127.0.0.1",0)) for x in s]; print(" ".join(str(x.getsockname()[1]) for x in s))')
export HEALTHTECH_DATA="$DIR" PG_PORT="${P[0]}" REDIS_PORT="${P[1]}" HTTP_PORT="${P[2]}" BFF_ADMIN_PORT="${P[3]}"
export GATEWAY_PORT="${P[16]}" SMTP_PORT="${P[17]}" SMTP_HTTP_PORT="${P[18]}"
i=4
for s in IAM ORG APPOINTMENT PAYMENT NOTIFICATION FORUM; do
  export "${s}_GRPC_PORT=${P[$i]}" "${s}_ADMIN_PORT=${P[$((i + 1))]}"; i=$((i + 2))
done
export BACKUP_DIR="$DIR/backups" BACKUP_ENCRYPTION_KEY="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
trap '"$ROOT/healthtech" down >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT

"$ROOT/healthtech" up >/dev/null 2>&1
. "$DIR/secrets.env"
SU="postgresql://postgres:$PG_SUPERUSER_PASSWORD@127.0.0.1:$PG_PORT/healthtech"
B="http://127.0.0.1:$HTTP_PORT"

echo "==> inserting $N appointments" >&2
t0=$(date +%s%N)
psql -X -q -v ON_ERROR_STOP=1 "$SU" <<SQL
INSERT INTO appointment.appointments
  (patient_id, practitioner_id, practitioner_user_id, organization_id, facility_id, mode,
   start_at, end_at, block_start, block_end, timezone, status, reason, fee_minor)
SELECT md5('patient' || (g % 20000))::uuid, md5('pract' || (g % 2000))::uuid, md5('puser' || (g % 2000))::uuid,
       md5('org' || (g % 200))::uuid, md5('fac' || (g % 400))::uuid,
       CASE WHEN g % 3 = 0 THEN 'video' ELSE 'in_person' END,
       t, t + interval '20 minutes', t, t + interval '30 minutes', 'Asia/Kolkata',
       CASE WHEN g % 10 = 0 THEN 'cancelled' WHEN g % 10 = 1 THEN 'booked' ELSE 'completed' END,
       'follow-up visit ' || g, 50000
  FROM generate_series(1, $N) AS g,
       LATERAL (SELECT timestamptz '2026-01-01 03:30+00' + (g / 2000) * interval '30 minutes' AS t) x;
ANALYZE appointment.appointments;
SQL
insert_s=$(( ($(date +%s%N) - t0) / 1000000 ))
rows() { psql -X -tA "$SU" -c "SELECT count(*) || ' ' || md5(string_agg(id::text || status, ',' ORDER BY id)) FROM appointment.appointments"; }
before="$(rows)"
email="bench-$(date +%s)@example.com"
curl -fsS -o /dev/null -X POST "$B/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"correct horse battery\",\"full_name\":\"Bench User\"}"
dbsize="$(psql -X -tA "$SU" -c "SELECT pg_size_pretty(pg_database_size('healthtech'))")"

echo "==> backup" >&2
t0=$(date +%s%N); out="$("$ROOT/healthtech" backup)"; backup_s=$(( ($(date +%s%N) - t0) / 1000000 ))
file="$(grep '\.dump\.enc$' <<<"$out")"
size="$(du -h "$file" | cut -f1)"

echo "==> restore" >&2
psql -X -q "postgresql://postgres:$PG_SUPERUSER_PASSWORD@127.0.0.1:$PG_PORT/postgres" -c 'DROP DATABASE healthtech WITH (FORCE)'
t0=$(date +%s%N); "$ROOT/healthtech" restore "$file" 2>"$DIR/restore.err" || { cat "$DIR/restore.err" >&2; exit 1; }; restore_s=$(( ($(date +%s%N) - t0) / 1000000 ))
after="$(rows)"
login=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"correct horse battery\"}")

printf '\n| measurement | value |\n|---|---|\n'
printf '| appointments | %s (database %s) |\n' "$N" "$dbsize"
ms() { printf '%d.%d s' $(($1 / 1000)) $((($1 % 1000) / 100)); }
printf '| insert (SQL, for setup) | %s |\n' "$(ms "$insert_s")"
printf '| ./healthtech backup (pg_dump -Fc + encrypt, + Redis RDB) | %s, dump %s |\n' "$(ms "$backup_s")" "$size"
printf '| ./healthtech restore (stop, recreate, restore, restart, ready) | %s |\n' "$(ms "$restore_s")"
printf '| rows identical after restore | %s |\n' "$([ "$before" = "$after" ] && echo yes || echo "NO ($before / $after)")"
printf '| user registered before the backup, login answer (HTTP; not 401 = the account exists) | %s |\n' "$login"
[ "$before" = "$after" ]
