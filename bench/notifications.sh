#!/usr/bin/env bash
# bench/notifications.sh — notification figures against a running stack (see bench/README.md).
#
#   bench/notifications.sh                       # the stack of ./healthtech up (fixed ports)
#   EVENTS=1000 CLIENTS=1000 ROUNDS=50 bench/notifications.sh
#   BFF=http://127.0.0.1:PORT REDIS_PORT=.. SMTP_PORT=.. SMTP_HTTP_PORT=.. bench/notifications.sh
#
# The fan-out opens CLIENTS sessions for one user: start the stack with a per-user session
# limit at least that high (WS_MAX_SESSIONS_PER_USER=1000 ./healthtech up; the default is 10).
#
# 1. events/s end to end: EVENTS appointment.booked events published on the Redis stream until
#    the SMTP sink accepted EVENTS emails, against the sink fed directly by smtplib;
# 2. WebSocket fan-out: CLIENTS sessions on the BFF's /ws, one Redis-published frame per round,
#    per-client and all-clients latency p50/p99, against bench/ws_broadcast_baseline (the same
#    library, no auth, no Redis) with the same clients.
# Writes bench/results/notifications-<timestamp>.json.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PY=/usr/bin/python3
BFF="${BFF:-http://127.0.0.1:8080}"
REDIS_PORT="${REDIS_PORT:-63799}"
SMTP_PORT="${SMTP_PORT:-2525}"
SMTP_HTTP_PORT="${SMTP_HTTP_PORT:-8025}"
EVENTS="${EVENTS:-500}"
CLIENTS="${CLIENTS:-500}"
ROUNDS="${ROUNDS:-30}"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

curl -fsS -o /dev/null "$BFF/ready" || die "no ready stack at $BFF (./healthtech up)"
"$PY" -c 'import websockets' 2>/dev/null || die "python3-websockets is needed (apt-get install python3-websockets)"
BASELINE_BIN="${HEALTHTECH_BUILD_DIR:-$ROOT/build}/bin/ws_broadcast_baseline"
[ -x "$BASELINE_BIN" ] || die "build first: ./healthtech build"

EMAIL="bench.notify.$(date +%s)@example.com"
PASSWORD="correct horse battery"
say "registering $EMAIL"
USER_ID="$(curl -fsS -X POST "$BFF/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"full_name\":\"Bench Notify\"}" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["user_id"])')"
TOKEN_VERIFY=""
for _ in $(seq 100); do
  TOKEN_VERIFY="$(curl -fsS -G --data-urlencode "to=$EMAIL" "$BFF/v1/dev/outbox" | "$PY" -c '
import json, re, sys
for item in json.load(sys.stdin).get("items", []):
    m = re.search(r"token=([A-Za-z0-9_\-]+)", item.get("body", ""))
    if m: print(m.group(1)); break')" || true
  [ -n "$TOKEN_VERIFY" ] && break
  sleep 0.1
done
[ -n "$TOKEN_VERIFY" ] || die "no verification mail for $EMAIL"
curl -fsS -o /dev/null -X POST "$BFF/v1/auth/verify-email" -H 'Content-Type: application/json' -d "{\"token\":\"$TOKEN_VERIFY\"}"
ACCESS="$(curl -fsS -X POST "$BFF/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

say "events end to end ($EVENTS events)"
E2E="$("$PY" "$ROOT/bench/events_e2e.py" --redis-port "$REDIS_PORT" --smtp-port "$SMTP_PORT" \
  --sink-http "http://127.0.0.1:$SMTP_HTTP_PORT" --user-id "$USER_ID" --email "$EMAIL" --events "$EVENTS")"
echo "$E2E" >&2

say "WebSocket fan-out through the BFF ($CLIENTS clients, $ROUNDS rounds)"
WS_URL="${BFF/http/ws}/ws"
PLATFORM="$("$PY" "$ROOT/bench/ws_fanout.py" platform --url "$WS_URL" --token "$ACCESS" --user "$USER_ID" \
  --redis-port "$REDIS_PORT" --clients "$CLIENTS" --rounds "$ROUNDS")"
echo "$PLATFORM" >&2

say "WebSocket fan-out, baseline server"
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$BASELINE_BIN" "$PORT" & BPID=$!
trap 'kill $BPID 2>/dev/null || true' EXIT
sleep 0.3
BASELINE="$("$PY" "$ROOT/bench/ws_fanout.py" baseline --url "ws://127.0.0.1:$PORT/" --clients "$CLIENTS" --rounds "$ROUNDS")"
echo "$BASELINE" >&2

mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/notifications-$(date -u +%Y%m%dT%H%M%SZ).json"
"$PY" - "$E2E" "$PLATFORM" "$BASELINE" "$OUT" <<'PYEOF'
import json, sys
e2e, plat, base = (json.loads(x) for x in sys.argv[1:4])
json.dump({"events": e2e, "ws_platform": plat, "ws_baseline": base}, open(sys.argv[4], "w"), indent=2)
print(f"\nevents end to end: {e2e['events_per_s']}/s (sink alone {e2e['sink_alone_per_s']}/s, ratio {e2e['ratio']})")
print(f"{'WebSocket fan-out':26} {'per client p50':>15} {'p99':>8} {'all clients p50':>16} {'p99':>8}")
for name, r in (("BFF (Redis pub/sub)", plat), ("Beast baseline", base)):
    print(f"{name:26} {r['per_client_ms']['p50']:>13} ms {r['per_client_ms']['p99']:>6} ms "
          f"{r['all_clients_ms']['p50']:>14} ms {r['all_clients_ms']['p99']:>6} ms")
print(f"ratio all-clients p50 (BFF / baseline): {plat['all_clients_ms']['p50'] / base['all_clients_ms']['p50']:.2f}")
print(f"written: {sys.argv[4]}")
PYEOF
