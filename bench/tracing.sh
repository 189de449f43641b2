#!/usr/bin/env bash
# bench/tracing.sh — what tracing costs: the same request through the BFF with span export
# off, on for every request, and at production's 10 % sampling.
#
#   bench/tracing.sh               # 10 s per measurement
#   DURATION=30 bench/tracing.sh
#
# The request is the public practitioner search (BFF -> org-service -> PostgreSQL: five
# spans per request when traced). Each mode restarts the local stack (./healthtech up with
# raised rate limits); traced modes run the local receiver (tools/traces), so the export's
# whole cost — encoding, the HTTP post, the receiver on the same two cores — is included.
# Prints requests/s, p50 and p99 latency per mode, each as a ratio to "off", and the spans
# exported and dropped.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PY=/usr/bin/python3
DURATION="${DURATION:-10}"
HTTP_PORT="${HTTP_PORT:-8080}"
BFF="http://127.0.0.1:$HTTP_PORT"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a whole number of seconds (got '$DURATION')"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
TMP="$(mktemp -d /tmp/healthtech-bench.XXXXXX)"
cleanup() {
  local rc=$?
  set +e
  bench_restore_stack tracing.sh
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ready; then WAS_RUNNING=1; fi
RESTARTED=1
URL="$BFF/v1/practitioners?limit=20"
metric() {  # admin port, metric line prefix -> value (0 when absent)
  curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null | awk -v m="$2" 'index($0, m" ") == 1 { print $2; f=1 } END { if (!f) print 0 }'
}
for mode in off all ratio; do
  extra=()
  case "$mode" in
    all) extra=(HEALTHTECH_TRACES=1 OTEL_TRACES_SAMPLER=parentbased_always_on) ;;
    ratio) extra=(HEALTHTECH_TRACES=1 OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1) ;;
  esac
  say "tracing $mode: ./healthtech down; ${LIMITS[*]} ${extra[*]} ./healthtech up"
  stack_down
  stack_up "${LIMITS[@]}" "${extra[@]}"
  ready || die "the stack is not ready at $BFF"
  for _ in $(seq 50); do curl -fsS -o /dev/null "$URL"; done  # warm the pools and caches
  say "wrk $mode: wrk -t2 -c16 -d${DURATION}s $URL"
  wrk -t2 -c16 -d"${DURATION}s" --latency "$URL" >"$TMP/$mode.txt" 2>&1 || { cat "$TMP/$mode.txt" >&2; die "wrk failed"; }
  sleep 1  # the last batch leaves (OTEL_BSP_SCHEDULE_DELAY is 300 ms locally)
  {
    echo "exported $(( $(metric 9100 otel_spans_exported_total | cut -d. -f1) + $(metric 9102 otel_spans_exported_total | cut -d. -f1) ))"
    echo "dropped $(( $(metric 9100 'otel_spans_dropped_total{reason="queue_full"}' | cut -d. -f1) + $(metric 9102 'otel_spans_dropped_total{reason="queue_full"}' | cut -d. -f1) ))"
  } >"$TMP/$mode.spans"
done

"$PY" - "$TMP" "$DURATION" <<'PY'
import re, sys
tmp, duration = sys.argv[1], int(sys.argv[2])
def ms(v):
    n, unit = float(re.match(r"[\d.]+", v).group()), re.search(r"[a-z]+$", v).group()
    return n * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rows = {}
for mode in ("off", "all", "ratio"):
    text = open(f"{tmp}/{mode}.txt").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    # The distribution's own lines ("     50%   28.26ms"), not a "74.50%" ending another line.
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    spans = dict(line.split() for line in open(f"{tmp}/{mode}.spans"))
    rows[mode] = (rps, p50, p99, int(errors.group(1)) if errors else 0, spans)
base = rows["off"]
print(f"\nGET /v1/practitioners?limit=20, wrk -t2 -c16, {duration} s per mode")
print(f"{'mode':<28}{'req/s':>10}{'ratio':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'spans sent':>12}{'dropped':>9}")
names = {"off": "off (no exporter)", "all": "every request traced", "ratio": "10 % sampled (production)"}
for mode, (rps, p50, p99, errors, spans) in rows.items():
    print(f"{names[mode]:<28}{rps:>10.0f}{rps / base[0]:>8.2f}{p50:>9.2f}{p99:>9.2f}{errors:>9}{spans['exported']:>12}{spans['dropped']:>9}")
PY
