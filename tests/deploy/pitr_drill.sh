#!/usr/bin/env bash
# tests/deploy/pitr_drill.sh — point-in-time recovery drill (run by ./healthtech test).
#
# A private PostgreSQL 15 cluster with the WAL settings of deploy/k8s/base/postgres/
# postgresql.conf (wal_level=replica, archive_mode=on, an archive_command copying each
# segment to an archive directory), the platform's roles and the appointment schema from
# its real migrations. A base backup; bookings A; the time T is noted; bookings B and an
# UPDATE of an A row; the cluster is lost. Recovery: the base backup plus the WAL archive,
# recovery_target_time = T. Exactly the A rows, unchanged, must be there — none of B.
# Prints "ok - ..." lines and "N passed, M failed".
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${1:?usage: pitr_drill.sh BIN_DIR}"
PGBIN=/usr/lib/postgresql/15/bin
DIR="$(mktemp -d /tmp/healthtech-pitr.XXXXXX)"
chmod 755 "$DIR"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2" | tail -n 20; return 0; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; exit $?; }
stop_all() {
  for d in "$DIR/primary" "$DIR/restored"; do
    [ -f "$d/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
  done
}
trap 'stop_all; rm -rf "$DIR"' EXIT
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
ports=($(/usr/bin/python3 -c 'import socket;s=[socket.socket() for _ in range(2)];[x.bind(("127.0.0.1",0)) for x in s];print(*[x.getsockname()[1] for x in s])'))
P1="${ports[0]}"; P2="${ports[1]}"
ARCH="$DIR/wal-archive"
as_pg mkdir -p "$ARCH"
psql_at() { PGCONNECT_TIMEOUT=5 psql -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "${3:-healthtech}" -c "$2"; }

# ---------------------------------------------------------------- primary with archiving
out="$(as_pg "$PGBIN/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 2>&1)" || { not_ok "initdb" "$out"; finish; }
cat >>"$DIR/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $P1
unix_socket_directories = '$DIR'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $ARCH/%f && cp %p $ARCH/%f'
max_wal_senders = 3
EOF
out="$(as_pg "$PGBIN/pg_ctl" -D "$DIR/primary" -l "$DIR/primary.log" -w -t 60 start 2>&1)" || { not_ok "start the primary" "$out"; finish; }
psql_at "$P1" "CREATE DATABASE healthtech" postgres
out="$(PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$P1" -U postgres -d healthtech \
        -v schemas=iam,org,appointment,payment,notification,forum,uhi -v dbname=healthtech -f "$ROOT/deploy/db/bootstrap/00_roles.sql" 2>&1 &&
       psql_at "$P1" "ALTER ROLE healthtech_migrator PASSWORD 'pitr-drill'" &&
       MIGRATION_DATABASE_URL="postgresql://healthtech_migrator:pitr-drill@127.0.0.1:$P1/healthtech" "$BIN/appointment-service" migrate 2>&1)" \
  || { not_ok "bootstrap and appointment migrations on the primary" "$out"; finish; }
ok "primary with WAL archiving, the platform's roles and the appointment schema (real migrations)"

out="$(as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$DIR/base" -X stream -c fast 2>&1)" \
  || { not_ok "pg_basebackup" "$out"; finish; }
ok "base backup taken (pg_basebackup -X stream)"

book() {  # book TAG COUNT OFFSET_HOURS
  psql_at "$P1" "INSERT INTO appointment.appointments (patient_id, practitioner_id, practitioner_user_id, organization_id,
      facility_id, mode, start_at, end_at, block_start, block_end, timezone, status, reason)
    SELECT gen_random_uuid(), md5('p' || g)::uuid, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'video',
           now() + ($3 + g) * interval '1 hour', now() + ($3 + g) * interval '1 hour' + interval '20 min',
           now() + ($3 + g) * interval '1 hour', now() + ($3 + g) * interval '1 hour' + interval '30 min',
           'Asia/Kolkata', 'booked', '$1' FROM generate_series(1, $2) g"
}
book A 50 0
sleep 1.1
T="$(psql_at "$P1" "SELECT now()::text")"
sleep 1.1
book B 30 100
psql_at "$P1" "UPDATE appointment.appointments SET status = 'cancelled' WHERE reason = 'A' AND practitioner_id = md5('p1')::uuid"
# Before T every A row was 'booked': the expected state is A with no cancellation.
# Every segment up to the one holding these changes must reach the archive.
seg="$(psql_at "$P1" "SELECT pg_walfile_name(pg_current_wal_lsn())")"
psql_at "$P1" "SELECT pg_switch_wal()" >/dev/null
for _ in $(seq 200); do
  [ "$(psql_at "$P1" "SELECT coalesce(last_archived_wal >= '$seg', false) FROM pg_stat_archiver")" = t ] && break
  sleep 0.1
done
total="$(psql_at "$P1" "SELECT count(*) FROM appointment.appointments")"
[ "$total" = 80 ] && ok "50 bookings before T ($T), 30 after, and one cancellation after T" || not_ok "bookings before/after T: $total rows"

# ---------------------------------------------------------------- disaster + recovery
as_pg "$PGBIN/pg_ctl" -D "$DIR/primary" -m immediate -w stop >/dev/null 2>&1
as_pg rm -rf "$DIR/primary"
t0=$(date +%s%N)
as_pg cp -a "$DIR/base" "$DIR/restored"
as_pg sed -i -E "s/^port = .*/port = $P2/; s/^archive_mode = on/archive_mode = off/" "$DIR/restored/postgresql.conf"
as_pg sh -c "cat >>'$DIR/restored/postgresql.conf' <<EOF
port = $P2
archive_mode = off
restore_command = 'cp $ARCH/%f %p'
recovery_target_time = '$T'
recovery_target_action = 'promote'
EOF
touch '$DIR/restored/recovery.signal'"
out="$(as_pg "$PGBIN/pg_ctl" -D "$DIR/restored" -l "$DIR/restored.log" -w -t 120 start 2>&1)" || { not_ok "start recovery" "$out$(tail -5 "$DIR/restored.log")"; finish; }
for _ in $(seq 300); do [ "$(psql_at "$P2" "SELECT pg_is_in_recovery()" postgres 2>/dev/null)" = f ] && break; sleep 0.1; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if grep -q "recovery stopping before commit" "$DIR/restored.log" && [ "$(psql_at "$P2" "SELECT pg_is_in_recovery()" postgres)" = f ]; then
  ok "recovered to T from the base backup + WAL archive and promoted ($ms ms)"
else
  not_ok "recovery to T" "$(tail -8 "$DIR/restored.log")"; finish
fi
a="$(psql_at "$P2" "SELECT count(*) FROM appointment.appointments WHERE reason = 'A'")"
b="$(psql_at "$P2" "SELECT count(*) FROM appointment.appointments WHERE reason = 'B'")"
c="$(psql_at "$P2" "SELECT count(*) FROM appointment.appointments WHERE status <> 'booked'")"
[ "$a" = 50 ] && [ "$b" = 0 ] && ok "exactly the changes before T are back: 50 bookings A, none of the 30 B" \
  || not_ok "after recovery: A=$a (want 50), B=$b (want 0)"
[ "$c" = 0 ] && ok "the cancellation made after T is not applied" || not_ok "the cancellation after T is present ($c rows not booked)"
# The recovered database still enforces the booking invariants.
if psql_at "$P2" "INSERT INTO appointment.appointments (patient_id, practitioner_id, practitioner_user_id, organization_id, facility_id,
      mode, start_at, end_at, block_start, block_end, timezone, status)
    SELECT gen_random_uuid(), practitioner_id, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'video',
           start_at, end_at, block_start, block_end, timezone, 'booked' FROM appointment.appointments WHERE reason = 'A' LIMIT 1" >/dev/null 2>&1; then
  not_ok "a double booking was accepted by the recovered database"
else
  ok "the recovered database still rejects a double booking (exclusion constraint intact)"
fi
finish
