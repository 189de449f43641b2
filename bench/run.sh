#!/usr/bin/env bash
# bench/run.sh — HealthTech foundation benchmark (see bench/README.md).
#
#   bench/run.sh                 # 10 s per measurement
#   DURATION=30 bench/run.sh     # longer, steadier figures
#
# Restarts the local stack (fixed ports of ./healthtech) with raised BFF rate limits and
# IAM login-failure limits, measures with wrk / pgbench / argon2_bench, prints a table and
# ratios, and writes bench/results/<timestamp>.json. If the stack was already running it is
# restarted with the caller's own environment at the end; if run.sh started it, it is stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
BUILD_DIR="${HEALTHTECH_BUILD_DIR:-$ROOT/build}"
PY=/usr/bin/python3
PGBIN=/usr/lib/postgresql/15/bin
NGINX=/usr/sbin/nginx
DURATION="${DURATION:-10}"
HTTP_PORT="${HTTP_PORT:-8080}"
PG_PORT="${PG_PORT:-54329}"
BFF="http://127.0.0.1:$HTTP_PORT"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a whole number of seconds (got '$DURATION')"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
[ -x "$NGINX" ] || die "$NGINX not found (apt-get install nginx-light)"
PGBENCH="$(command -v pgbench || echo "$PGBIN/pgbench")"
[ -x "$PGBENCH" ] || die "pgbench not found (apt-get install postgresql-client-15)"

TMP="$(mktemp -d /tmp/healthtech-bench.XXXXXX)"
chmod 755 "$TMP"   # nginx workers (user nobody) read the static file from here
NGINX_PID=""

cleanup() {
  local rc=$?
  set +e
  if [ -n "$NGINX_PID" ]; then kill -TERM "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; fi
  bench_restore_stack run.sh
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- argon2_bench
ARGON2_BENCH="$BUILD_DIR/bin/argon2_bench"
HTTP_BASELINE="$BUILD_DIR/bin/http_baseline"
if [ ! -x "$ARGON2_BENCH" ] || [ ! -x "$HTTP_BASELINE" ]; then
  say "building argon2_bench and http_baseline"
  ninja -C "$BUILD_DIR" argon2_bench http_baseline >/dev/null || die "building the bench tools failed"
fi

# ---------------------------------------------------------------- stack with raised limits
LIMITS+=(LOGIN_FAILURES_PER_IP="$RAISED_LIMIT" LOGIN_FAILURES_PER_ACCOUNT="$RAISED_LIMIT")
bench_restart_stack

# ---------------------------------------------------------------- nginx baseline
NGINX_PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$TMP/www" "$TMP/nginx"
printf '{"status":"ok"}' >"$TMP/www/status.json"
chmod 644 "$TMP/www/status.json"
cat >"$TMP/nginx.conf" <<NGINXCONF
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 100000000;
  client_body_temp_path $TMP/nginx/client_body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /status.json { root $TMP/www; default_type application/json; }
  }
}
NGINXCONF
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx.conf" -e "$TMP/nginx/error.log" </dev/null >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT/status.json"
for _ in $(seq 50); do curl -fsS -o /dev/null "$NGINX_URL" 2>/dev/null && break; sleep 0.1; done
[ "$(curl -fsS "$NGINX_URL" 2>/dev/null)" = '{"status":"ok"}' ] \
  || { cat "$TMP/nginx/error.log" "$TMP/nginx/stdout.log" >&2 || true; die "nginx did not serve $NGINX_URL"; }

# ---------------------------------------------------------------- a verified user + token
EMAIL="bench-$(date +%s)-$RANDOM@example.com"
PASSWORD="bench-Pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
json() { "$PY" -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' "$@"; }
post() { curl -fsS -X POST -H 'Content-Type: application/json' --data "$2" "$BFF$1"; }
say "registering $EMAIL"
post /v1/auth/register "$(json email "$EMAIL" password "$PASSWORD" full_name "Bench User")" >/dev/null \
  || die "POST /v1/auth/register failed"
TOKEN_VERIFY=""
for _ in $(seq 100); do  # the mail travels event -> notification-service -> SMTP sink
  TOKEN_VERIFY="$(curl -fsS -G --data-urlencode "to=$EMAIL" "$BFF/v1/dev/outbox" | "$PY" -c '
import json, re, sys
for item in json.load(sys.stdin).get("items", []):
    m = re.search(r"[?&]token=([A-Za-z0-9_\-]+)", item.get("body", ""))
    if m: print(m.group(1)); break')" || true
  [ -n "$TOKEN_VERIFY" ] && break
  sleep 0.1
done
[ -n "$TOKEN_VERIFY" ] || die "no verification token for $EMAIL in /v1/dev/outbox"
post /v1/auth/verify-email "$(json token "$TOKEN_VERIFY")" >/dev/null || die "POST /v1/auth/verify-email failed"
LOGIN_BODY="$(json email "$EMAIL" password "$PASSWORD")"
ACCESS_TOKEN="$(post /v1/auth/login "$LOGIN_BODY" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')" \
  || die "POST /v1/auth/login failed"
USER_ID="$(curl -fsS -H "Authorization: Bearer $ACCESS_TOKEN" "$BFF/v1/me" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')" \
  || die "GET /v1/me failed"
[[ "$USER_ID" =~ ^[0-9a-f-]{36}$ ]] || die "unexpected user id '$USER_ID'"

cat >"$TMP/me.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $ACCESS_TOKEN"
LUA
LUA_BODY="$(printf '%s' "$LOGIN_BODY" | "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.read()))')"
cat >"$TMP/login.lua" <<LUA
wrk.method = "POST"
wrk.body = $LUA_BODY
wrk.headers["Content-Type"] = "application/json"
LUA

# ---------------------------------------------------------------- measurements
RAW="$TMP/raw"; mkdir -p "$RAW"
run_wrk() {  # name, wrk args...
  local name="$1"; shift
  say "wrk $name: wrk $* (${DURATION}s)"
  wrk "$@" -d"${DURATION}s" --latency >"$RAW/$name.txt" 2>&1 || { cat "$RAW/$name.txt" >&2; die "wrk $name failed"; }
}
run_wrk nginx  -t1 -c32 "$NGINX_URL"
# The bare asynchronous Beast responder, with as many threads as the BFF (BFF_THREADS,
# default one per core): what the BFF's own work on /health costs on top of Beast.
BEAST_PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$HTTP_BASELINE" "$BEAST_PORT" "${BFF_THREADS:-$(nproc)}" & BEAST_PID=$!
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$BEAST_PORT/" 2>/dev/null && break; sleep 0.1; done
run_wrk beast  -t1 -c32 "http://127.0.0.1:$BEAST_PORT/"
kill "$BEAST_PID" 2>/dev/null; wait "$BEAST_PID" 2>/dev/null || true
run_wrk health -t1 -c32 "$BFF/health"
run_wrk me     -t2 -c16 -s "$TMP/me.lua" "$BFF/v1/me"

# The transaction GET /v1/me runs (libs/pg WithTransaction + IamServiceImpl::LoadUser).
# With -M prepared pgbench turns each :uid into a parameter ($n), so it must stay unquoted.
cat >"$TMP/me.sql" <<'SQL'
BEGIN;
SELECT set_config('app.subject_id', :uid, true), set_config('app.roles', '', true);
SELECT id::text, email, full_name, coalesce(phone, ''), email_verified_at IS NOT NULL, totp_secret_enc IS NOT NULL, extract(epoch from created_at)::bigint FROM iam.users WHERE id = :uid::uuid;
SELECT role, coalesce(org_id::text, '') FROM iam.user_roles WHERE user_id = :uid::uuid ORDER BY role, org_id;
COMMIT;
SQL
say "pgbench /v1/me SELECTs: -M prepared -c 16 -j 2 -T $DURATION (as iam_app)"
PGPASSWORD="$IAM_APP_PASSWORD" "$PGBENCH" -n -M prepared -c 16 -j 2 -T "$DURATION" -f "$TMP/me.sql" -D uid="$USER_ID" \
  "host=127.0.0.1 port=$PG_PORT dbname=healthtech user=iam_app" >"$RAW/pgbench.txt" 2>&1 \
  || { cat "$RAW/pgbench.txt" >&2; die "pgbench failed"; }

run_wrk login  -t2 -c8 -s "$TMP/login.lua" "$BFF/v1/auth/login"

say "argon2_bench (1 and 2 threads, ${DURATION}s each)"
"$ARGON2_BENCH" --benchmark_min_time="$DURATION" --benchmark_format=json >"$RAW/argon2.json" 2>"$RAW/argon2.err" \
  || { cat "$RAW/argon2.err" >&2; die "argon2_bench failed"; }

# ---------------------------------------------------------------- report
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
META="$("$PY" -c 'import json,sys; a=sys.argv; print(json.dumps({"timestamp":a[1],"duration_s":int(a[2]),"commit":a[3],"nproc":int(a[4]),"bff_url":a[5],"nginx_port":int(a[6]),"raised_limits":a[7].split(),"user_email":a[8]}))' \
  "$STAMP" "$DURATION" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo +dirty)" \
  "$(nproc)" "$BFF" "$NGINX_PORT" "${LIMITS[*]}" "$EMAIL")"
"$PY" "$ROOT/bench/report.py" "$RAW" "$ROOT/bench/results/$STAMP.json" "$META"
