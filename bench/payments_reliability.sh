#!/usr/bin/env bash
# Payments reliability run (issue 4): see bench/reliability.py. Restarts the local stack with
# raised rate limits, seeds it, runs N payments (default 1000) with payment-service killed
# half-way, then reconciles. Loopback only; it stops by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-1000}"
"$ROOT/healthtech" down >/dev/null 2>&1 || true
echo "raising BFF rate limits for the run (RATE_LIMIT_*=1000000)" >&2
RATE_LIMIT_IP_PER_SECOND=1000000 RATE_LIMIT_IP_BURST=1000000 RATE_LIMIT_USER_PER_SECOND=1000000 \
  RATE_LIMIT_USER_BURST=1000000 "$ROOT/healthtech" up >/dev/null
"$ROOT/healthtech" seed >/dev/null
# shellcheck disable=SC1091
set -a; . "$ROOT/.data/secrets.env"; set +a
mkdir -p "$ROOT/bench/results"
BFF_URL=http://127.0.0.1:8080 GATEWAY_URL=http://127.0.0.1:8090 ROOT="$ROOT" \
  PG_URL="postgresql://postgres:$PG_SUPERUSER_PASSWORD@127.0.0.1:54329/healthtech" \
  /usr/bin/python3 "$ROOT/bench/reliability.py" "$N" | tee "$ROOT/bench/results/reliability-$(date -u +%Y%m%dT%H%M%SZ).json"
