#!/usr/bin/env bash
# bench/scale.sh — practitioner search at national scale (issue 19), on a private stack.
#
#   bench/scale.sh                      # 100,000 practitioners in 2,000 organizations
#   N=300000 ORGS=6000 bench/scale.sh   # larger
#   DURATION=20 CONNS=32 bench/scale.sh
#
# Starts the stack on its own data directory (.data-scale: the development data is left
# alone; stop a running stack first), generates the data in PostgreSQL when it has fewer
# practitioners than N (bench/scale/org.sql: generate_series, no client round trips), then
# measures each search through the BFF with wrk (CONNS connections, DURATION seconds, twice)
# against GET /health of the same BFF, and prints the query plan of the slowest search as
# the org service's role runs it. Stops the stack at the end (the data stays for next time).
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
N="${N:-100000}"
ORGS="${ORGS:-2000}"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-16}"
HTTP_PORT="${HTTP_PORT:-8080}"
PG_PORT="${PG_PORT:-54329}"
BFF="http://127.0.0.1:$HTTP_PORT"
PY=/usr/bin/python3
export HEALTHTECH_DATA="${SCALE_DATA:-$ROOT/.data-scale}"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
ready && die "a stack is already running on $BFF: stop it first (./healthtech down)"
TMP="$(mktemp -d /tmp/healthtech-scale.XXXXXX)"
cleanup() {
  set +e
  say "stopping the scale stack (its data stays in $HEALTHTECH_DATA)"
  stack_down
  rm -rf "$TMP"
}
trap cleanup EXIT

say "starting the stack on $HEALTHTECH_DATA with raised rate limits"
stack_up "${LIMITS[@]}" PG_EXTRA_OPTS="${PG_EXTRA_OPTS:--c shared_buffers=1GB -c work_mem=16MB -c effective_cache_size=4GB -c random_page_cost=1.1}"
ready || die "the stack is not ready at $BFF"
set -a; . "$HEALTHTECH_DATA/secrets.env"; set +a
PSQL=(psql -X -q -At "postgresql://postgres:$PG_SUPERUSER_PASSWORD@127.0.0.1:$PG_PORT/healthtech")

have="$("${PSQL[@]}" -c "SELECT count(*) FROM org.practitioners")"
if [ "$have" -lt "$N" ]; then
  [ "$have" -lt 100 ] || die "$HEALTHTECH_DATA holds $have practitioners, not $N: remove it (./healthtech down; rm -rf $HEALTHTECH_DATA) to generate again"
  say "generating $N practitioners in $ORGS organizations"
  t0=$SECONDS
  "${PSQL[@]}" -v n="$N" -v orgs="$ORGS" -f "$ROOT/bench/scale/org.sql" | tail -1 | sed 's/^/    practitioners|links|free days: /'
  say "generated in $((SECONDS - t0)) s"
fi
"${PSQL[@]}" -c "SELECT 'data: ' || (SELECT count(*) FROM org.practitioners) || ' practitioners, ' || (SELECT count(*) FROM org.organizations WHERE status = 'verified') || ' verified organizations, ' || (SELECT count(*) FROM org.practitioner_free_days) || ' free days'"

day_in() { date -u -d "+$1 days" +%F; }
PATHS=(
  "/health"
  "/v1/practitioners?q=cardiology&city=Bengaluru"
  "/v1/practitioners?q=cardiology"
  "/v1/practitioners?q=meera%20iyer"
  "/v1/practitioners?specialty=cardiology&available_on=$(day_in 3)"
  "/v1/practitioners?specialty=cardiology&city=Mumbai&available_on=$(day_in 3)"
  "/v1/practitioners?specialty=cardiology&available_on=$(day_in 25)"
  "/v1/practitioners?latitude=12.9716&longitude=77.5946"
  "/v1/practitioners?latitude=12.9716&longitude=77.5946&q=cardiology"
  "/v1/practitioners?latitude=19.076&longitude=72.8777&specialty=cardiology&available_on=$(day_in 3)"
)
printf '%-72s %9s %9s %9s %6s\n' "GET (wrk -c$CONNS, ${DURATION}s, two runs)" "req/s" "p50 ms" "p99 ms" "non2xx"
for p in "${PATHS[@]}"; do
  code="$(curl -s -o "$TMP/body.json" -w '%{http_code}' "$BFF$p")"
  [ "$code" = 200 ] || die "GET $p answered $code: $(head -c 300 "$TMP/body.json")"
  for run in 1 2; do
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency "$BFF$p" >"$TMP/wrk.txt" 2>&1 || { cat "$TMP/wrk.txt" >&2; die "wrk failed"; }
    "$PY" - "$p" "$run" "$TMP/wrk.txt" "$TMP/body.json" <<'PYEOF'
import json, re, sys
path, run, raw, body = sys.argv[1:]
text = open(raw).read()
def ms(label):
    m = re.search(rf"^\s+{label}%\s+([0-9.]+)(us|ms|s)\s*$", text, re.M)
    return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)] if m else float("nan")
rps = float(re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
items = json.load(open(body)).get("items")
label = path if items is None else f"{path} [{len(items)} items{', more' if json.load(open(body)).get('next_page_token') else ''}]"
print(f"{label[:72]:72} {rps:9.1f} {ms('50'):9.1f} {ms('99'):9.1f} {bad.group(1) if bad else 0:>6}  (run {run})")
PYEOF
  done
done

say "plan of the text search without a city, as org_app runs it (RLS on)"
"${PSQL[@]}" <<SQL | grep -E "Execution Time|Planning Time|Seq Scan|Index Scan|Bitmap|loops=[0-9]{4,}" | head -25
SET ROLE org_app;
PREPARE s(text, text, text, text, text, bool, text, text, int, text, text) AS $(sed '/^--/d' "$ROOT/services/org/sql/search/practitioners_text.sql");
EXPLAIN (ANALYZE, BUFFERS) EXECUTE s('cardiology', '', '', '', '', false, '0', '00000000-0000-0000-0000-000000000000', 21, '', '');
SQL
