#!/usr/bin/env bash
# bench/booking.sh — HealthTech booking benchmark (see bench/README.md, "Booking").
#
#   bench/booking.sh                 # 10 s per measurement
#   DURATION=15 bench/booking.sh     # about the most the ~8,000 seeded free slots allow
#   CLIENTS=16 PATIENTS=64 bench/booking.sh
#
# Restarts the local stack (fixed ports of ./healthtech) with raised BFF rate limits, runs
# `./healthtech seed`, signs in PATIENTS bench patients, then measures
#   1. POST /v1/appointments by CLIENTS concurrent clients (bench/load_booking.py),
#   2. pgbench as appointment_app: the service's booking statements, and the minimal booking
#      (identity + INSERT under the exclusion constraints + outbox row: the SQL baseline),
#   3. GET /v1/practitioners/{id}/slots with wrk -t2 -c50,
# prints a table and the ratio booking / minimal pgbench, and writes bench/results/booking-<timestamp>.json.
# Every measurement starts from the seeded data: what the benchmark books is deleted before
# and after each one (see cleanup_data). If the stack was already running it is restarted with
# the caller's own environment at the end; if booking.sh started it, it is stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PY=/usr/bin/python3
PGBIN=/usr/lib/postgresql/15/bin
DURATION="${DURATION:-10}"
CLIENTS="${CLIENTS:-16}"
PATIENTS="${PATIENTS:-64}"
HTTP_PORT="${HTTP_PORT:-8080}"
PG_PORT="${PG_PORT:-54329}"
BFF="http://127.0.0.1:$HTTP_PORT"
DEMO_DOMAIN=demo.healthtech.dev
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

for v in DURATION CLIENTS PATIENTS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number (got '${!v}')"
done
[ "$PATIENTS" -ge "$CLIENTS" ] || die "PATIENTS ($PATIENTS) must be at least CLIENTS ($CLIENTS): each client books as its own patients"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
PGBENCH="$(command -v pgbench || echo "$PGBIN/pgbench")"
[ -x "$PGBENCH" ] || die "pgbench not found (apt-get install postgresql-client-15)"
command -v psql >/dev/null || die "psql not found (apt-get install postgresql-client-15)"

TMP="$(mktemp -d /tmp/healthtech-booking-bench.XXXXXX)"
DB_READY=0

psql_su() {
  PGPASSWORD="$PG_SUPERUSER_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 \
    "host=127.0.0.1 port=$PG_PORT dbname=healthtech user=postgres" "$@"
}

# Deletes what this benchmark books: the bench patients' appointments (REST measurement) and
# the pgbench rows (idempotency keys bench-pgbench-*, starts after 2100), with their history,
# reminders (ON DELETE CASCADE), audit rows and outbox events; then VACUUM. Prints how many
# appointments it removed.
cleanup_data() {
  psql_su -tA -v domain="$DEMO_DOMAIN" <<'SQL'
BEGIN;
CREATE TEMP TABLE bench_appointments ON COMMIT DROP AS
  SELECT id FROM appointment.appointments
   WHERE patient_id IN (SELECT id FROM iam.users WHERE email LIKE 'bench.patient%@' || :'domain')
      OR (idempotency_key LIKE 'bench-pgbench-%' AND start_at >= timestamptz '2100-01-01 00:00Z');
DELETE FROM appointment.audit_log WHERE appointment_id IN (SELECT id FROM bench_appointments);
DELETE FROM appointment.outbox WHERE aggregate_id IN (SELECT id::text FROM bench_appointments);
DELETE FROM appointment.appointments WHERE id IN (SELECT id FROM bench_appointments);
-- The bench patients' messages too: each in-app message counts the recipient's unread ones,
-- so thousands left from earlier runs made the notification lag grow run after run.
DELETE FROM notification.notifications
 WHERE user_id IN (SELECT id FROM iam.users WHERE email LIKE 'bench.patient%@' || :'domain');
DELETE FROM notification.deliveries
 WHERE user_id IN (SELECT id FROM iam.users WHERE email LIKE 'bench.patient%@' || :'domain');
SELECT count(*) FROM bench_appointments;
COMMIT;
SQL
  # Dead rows would slow the next measurement's index scans until autovacuum comes by.
  psql_su -c 'VACUUM (ANALYZE) appointment.appointments, appointment.status_history, appointment.reminders, appointment.audit_log, appointment.outbox, notification.notifications, notification.deliveries' >/dev/null
}

cleanup() {
  local rc=$?
  set +e
  if [ "$DB_READY" -eq 1 ]; then
    n="$(cleanup_data 2>>"$TMP/cleanup.err")" && { [ "$n" -eq 0 ] || say "removed $n appointment(s) the benchmark booked"; } \
      || { cat "$TMP/cleanup.err" >&2; echo "warning: could not remove the benchmark's appointments" >&2; }
  fi
  bench_restore_stack booking.sh
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- stack with raised limits
bench_restart_stack
DB_READY=1

say "seeding demo data: ./healthtech seed"
"$ROOT/healthtech" seed >"$TMP/seed.log" 2>&1 || { cat "$TMP/seed.log" >&2; die "./healthtech seed failed"; }
n="$(cleanup_data)" || die "could not remove earlier benchmark appointments"
[ "$n" -eq 0 ] || say "removed $n appointment(s) left by an earlier run"

# ---------------------------------------------------------------- patients
RAW="$TMP/raw"; mkdir -p "$RAW"
say "signing in $PATIENTS patients bench.patientNNN@$DEMO_DOMAIN (register + verify on first use)"
"$PY" "$ROOT/bench/load_booking.py" patients --base "$BFF" --count "$PATIENTS" --out "$TMP/patients.json" \
  || die "signing in the bench patients failed"

# ---------------------------------------------------------------- 1. booking through the API
say "booking: $CLIENTS clients, POST /v1/appointments, ${DURATION}s or until the slots run out"
"$PY" "$ROOT/bench/load_booking.py" book --base "$BFF" --patients "$TMP/patients.json" \
  --clients "$CLIENTS" --duration "$DURATION" --out "$RAW/booking.json" || die "the booking load failed"

# ---------------------------------------------------------------- 1b. notifications of that load
# Time from each booking (appointment.created_at) to the patient's in-app notification of it
# (notification.created_at): event relay + Redis stream + notification-service, under the
# booking load above. Waits (up to 120 s) until every booking confirmed at once (no fee to
# pay first) has its notification.
say "notifications: waiting until every booking of the load has its in-app notification"
for _ in $(seq 1200); do
  missing="$(psql_su -tA -v domain="$DEMO_DOMAIN" <<'SQL'
SELECT count(*) FROM appointment.appointments a
 WHERE a.patient_id IN (SELECT id FROM iam.users WHERE email LIKE 'bench.patient%@' || :'domain')
   AND a.status = 'booked'
   AND NOT EXISTS (SELECT 1 FROM notification.notifications n WHERE n.user_id = a.patient_id
                    AND n.link = '/appointments/' || a.id);
SQL
)"
  [ "$missing" = 0 ] && break
  sleep 0.1
done
psql_su -tA -v domain="$DEMO_DOMAIN" >"$RAW/notify_lag.json" <<'SQL'
SELECT json_build_object('bookings', count(*), 'missing', count(*) FILTER (WHERE lag IS NULL),
  'p50_ms', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY lag))::numeric, 1),
  'p99_ms', round((percentile_cont(0.99) WITHIN GROUP (ORDER BY lag))::numeric, 1),
  'max_ms', round(max(lag)::numeric, 1))
FROM (SELECT extract(epoch FROM (SELECT min(n.created_at) FROM notification.notifications n
                                  WHERE n.user_id = a.patient_id AND n.link = '/appointments/' || a.id)
                     - a.created_at) * 1000 AS lag
        FROM appointment.appointments a
       WHERE a.patient_id IN (SELECT id FROM iam.users WHERE email LIKE 'bench.patient%@' || :'domain')
         AND a.status = 'booked') l;
SQL

# ---------------------------------------------------------------- 2. the same transaction in pgbench
# Each measurement starts from the seeded data: drop what the API load booked.
cleanup_data >/dev/null || die "could not remove the appointments of the booking load"
# Two pgbench scripts (bench/pgbench_booking.py): the service's own booking statements
# (services/appointment/sql, bound to pgbench variables) and the minimal booking (identity,
# INSERT under the exclusion constraints, outbox row). The target compares the API with the
# minimal one.
PRS="$("$PY" -c 'import json,sys; print(",".join(p["id"] for p in json.load(open(sys.argv[1]))["practitioners"]))' "$RAW/booking.json")"
FEES="$("$PY" -c 'import json,sys; print(",".join(str(p["fee_minor"]) for p in json.load(open(sys.argv[1]))["practitioners"]))' "$RAW/booking.json")"
NPR="$(tr ',' '\n' <<<"$PRS" | wc -l)"
"$PY" "$ROOT/bench/pgbench_booking.py" "$ROOT/services/appointment/sql" "$TMP/booking.sql" "$TMP/minimal.sql" \
  || die "could not write the pgbench scripts"
run_pgbench() {  # script, output
  PGPASSWORD="$APPOINTMENT_APP_PASSWORD" "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f "$1" \
    -D n=0 -D clients="$CLIENTS" -D base=4102444800 -D prs="$PRS" -D fees="$FEES" -D npr="$NPR" \
    "host=127.0.0.1 port=$PG_PORT dbname=healthtech user=appointment_app" >"$2" 2>&1 \
    || { cat "$2" >&2; die "pgbench $(basename "$1") failed"; }
}
say "pgbench, the service's booking statements: -M prepared -c $CLIENTS -j 2 -T $DURATION (as appointment_app, $NPR practitioners)"
run_pgbench "$TMP/booking.sql" "$RAW/pgbench.txt"
PGBENCH_ROWS="$(cleanup_data)" || die "could not remove the pgbench rows"
say "pgbench, the minimal booking (identity + INSERT + outbox row): same settings"
run_pgbench "$TMP/minimal.sql" "$RAW/pgbench_minimal.txt"
PGBENCH_ROWS="$(cleanup_data)" || die "could not remove the pgbench rows"

# ---------------------------------------------------------------- 3. slot listing
IDS="$("$PY" -c 'import json,sys; print(" ".join(p["id"] for p in json.load(open(sys.argv[1]))["practitioners"]))' "$RAW/booking.json")"
{
  printf 'local ids = {'
  for id in $IDS; do printf '"%s", ' "$id"; done
  printf '}\n'
  cat <<'LUA'
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/practitioners/" .. ids[(i % #ids) + 1] .. "/slots")
end
LUA
} >"$TMP/slots.lua"
say "wrk slots: wrk -t2 -c50 -s slots.lua (${DURATION}s, $(wc -w <<<"$IDS") practitioners, 7-day default window)"
wrk -t2 -c50 -d"${DURATION}s" --latency -s "$TMP/slots.lua" "$BFF/v1/practitioners/" >"$RAW/slots.txt" 2>&1 \
  || { cat "$RAW/slots.txt" >&2; die "wrk slots failed"; }

# ---------------------------------------------------------------- report
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
META="$("$PY" -c 'import json,sys; a=sys.argv; print(json.dumps({"timestamp":a[1],"duration_s":int(a[2]),"commit":a[3],"nproc":int(a[4]),"bff_url":a[5],"clients":int(a[6]),"patients":int(a[7]),"raised_limits":a[8].split(),"pgbench_rows":int(a[9])}))' \
  "$STAMP" "$DURATION" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo +dirty)" \
  "$(nproc)" "$BFF" "$CLIENTS" "$PATIENTS" "${LIMITS[*]}" "$PGBENCH_ROWS")"
cp "$TMP/booking.sql" "$RAW/booking.sql"; cp "$TMP/minimal.sql" "$RAW/minimal.sql"
"$PY" "$ROOT/bench/report_booking.py" "$RAW" "$ROOT/bench/results/booking-$STAMP.json" "$META"
