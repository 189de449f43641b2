#!/usr/bin/env bash
# bench/scale.sh — practitioner search at national scale (issue 19), on a private stack.
#
#   bench/scale.sh                      # 100,000 practitioners in 2,000 organizations
#   N=300000 ORGS=6000 M=6000000 bench/scale.sh   # larger
#   DURATION=20 CONNS=32 bench/scale.sh
#
# Starts the stack on its own data directory (.data-scale: the development data is left
# alone; stop a running stack first), generates the data in PostgreSQL when it has fewer
# practitioners than N (bench/scale/org.sql, then bench/scale/appointments.sql for the rules
# and M appointments: generate_series, no client round trips), then measures each search
# and a cache-missing slot listing through the BFF with wrk (CONNS connections, DURATION
# seconds, twice) against GET /health of the same BFF, the same search statements straight
# to PostgreSQL with pgbench, and prints the query plan of the slowest search as the org
# service's role runs it. Stops the stack at the end (the data stays for next time).
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
N="${N:-100000}"
ORGS="${ORGS:-2000}"
M="${M:-2000000}"
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
  "${PSQL[@]}" -v n="$N" -v orgs="$ORGS" -f "$ROOT/bench/scale/org.sql" | tail -1 | sed 's/^/    practitioners|links|free days|listed: /'
  say "generated in $((SECONDS - t0)) s"
fi
have="$("${PSQL[@]}" -c "SELECT count(*) FROM appointment.availability")"
if [ "$have" -lt "$N" ]; then
  say "generating availability and $M appointments for $N practitioners"
  t0=$SECONDS
  "${PSQL[@]}" -v n="$N" -v orgs="$ORGS" -v m="$M" -f "$ROOT/bench/scale/appointments.sql" | tail -1 | sed 's/^/    weekly rules|appointments|busy blocks: /'
  say "generated in $((SECONDS - t0)) s"
fi
"${PSQL[@]}" -c "SELECT 'data: ' || (SELECT count(*) FROM org.practitioners) || ' practitioners, ' || (SELECT count(*) FROM org.organizations WHERE status = 'verified') || ' verified organizations, ' || (SELECT count(*) FROM org.practitioner_free_days) || ' free days, ' || (SELECT count(*) FROM appointment.weekly_rules) || ' weekly rules, ' || (SELECT count(*) FROM appointment.appointments) || ' appointments'"

# One line of the table from wrk's output and the first answer's body.
cat >"$TMP/report.py" <<'PYEOF'
import json, re, sys
path, run, raw, body = sys.argv[1:]
text = open(raw).read()
def ms(label):
    m = re.search(rf"^\s+{label}%\s+([0-9.]+)(us|ms|s)\s*$", text, re.M)
    return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)] if m else float("nan")
rps = float(re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
answer = json.load(open(body)) if open(body).read(1) == "{" else {}
items = answer.get("items")
if items is not None and "/slots" in path:
    path += f" [{len(items)} slots]"
elif items is not None:
    path += f" [{len(items)} items{', more' if answer.get('next_page_token') else ''}]"
print(f"{path[:72]:72} {rps:9.1f} {ms('50'):9.1f} {ms('99'):9.1f} {bad.group(1) if bad else 0:>6}  (run {run})")
PYEOF

day_in() { date -u -d "+$1 days" +%F; }
PATHS=(
  "/health"
  "/v1/practitioners?q=cardiology&city=Bengaluru"
  "/v1/practitioners?q=cardiology"
  "/v1/practitioners?q=meera%20iyer"
  "/v1/practitioners?q=cardiology%20mbbs"
  "/v1/practitioners?specialty=cardiology&available_on=$(day_in 3)"
  "/v1/practitioners?specialty=cardiology&city=Mumbai&available_on=$(day_in 3)"
  "/v1/practitioners?specialty=cardiology&available_on=$(day_in 25)"
  "/v1/practitioners?latitude=12.9716&longitude=77.5946"
  "/v1/practitioners?latitude=12.9716&longitude=77.5946&q=cardiology"
  "/v1/practitioners?latitude=19.076&longitude=72.8777&specialty=cardiology&available_on=$(day_in 3)"
  "/v1/practitioners?q=cardiology&city=Bengaluru&gender=female&fee_max_minor=50000"
  "/v1/practitioners?q=cardiology&city=Bengaluru&facets=true"
  "/v1/practitioners?q=cardiology&facets=true"
  "/v1/practitioners?facets=true"
)
printf '%-72s %9s %9s %9s %6s\n' "GET (wrk -c$CONNS, ${DURATION}s, two runs)" "req/s" "p50 ms" "p99 ms" "non2xx"
for p in "${PATHS[@]}"; do
  code="$(curl -s -o "$TMP/body.json" -w '%{http_code}' "$BFF$p")"
  [ "$code" = 200 ] || die "GET $p answered $code: $(head -c 300 "$TMP/body.json")"
  for run in 1 2; do
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency "$BFF$p" >"$TMP/wrk.txt" 2>&1 || { cat "$TMP/wrk.txt" >&2; die "wrk failed"; }
    "$PY" "$TMP/report.py" "$p" "$run" "$TMP/wrk.txt" "$TMP/body.json"
  done
done

# A week of slots of a random practitioner from a random second of the next hour: every
# request misses the appointment service's slot cache (its key is the practitioner and the
# window's start).
"${PSQL[@]}" -c "SELECT md5('scale-pr-' || (random() * ($N - 1))::int)::uuid FROM generate_series(1, 5000)" >"$TMP/ids.txt"
cat >"$TMP/slots.lua" <<LUA
local ids = {}
for line in io.lines("$TMP/ids.txt") do ids[#ids + 1] = line end
math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000))
request = function()
  local from = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + math.random(0, 3600))
  return wrk.format("GET", "/v1/practitioners/" .. ids[math.random(#ids)] .. "/slots?from=" .. from)
end
LUA
first="$(head -1 "$TMP/ids.txt")"
curl -fsS -o "$TMP/body.json" "$BFF/v1/practitioners/$first/slots" || die "slots of $first failed"
for run in 1 2; do
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency -s "$TMP/slots.lua" "$BFF" >"$TMP/wrk.txt" 2>&1 || { cat "$TMP/wrk.txt" >&2; die "wrk failed"; }
  "$PY" "$TMP/report.py" "/v1/practitioners/{random}/slots?from={random} (no cache)" "$run" "$TMP/wrk.txt" "$TMP/body.json"
done

# Baselines: the same statements straight to PostgreSQL with pgbench (as org_app, values
# inlined, prepared once per connection), CONNS clients — what the database alone gives.
pgbench_sql() {  # FILE ARG... → a pgbench script running FILE's statement with these values
  "$PY" - "$@" <<'PYEOF'
import re, sys
sql = "\n".join(re.sub(r"--.*$", "", l) for l in open(sys.argv[1]).read().splitlines())
args = sys.argv[2:]
for i in range(len(args), 0, -1):
    sql = re.sub(rf"\${i}(?![0-9])", args[i - 1], sql)
print("BEGIN;\nSET LOCAL ROLE org_app;\nSELECT set_config('app.roles', 'system', true);")
if sys.argv[1].endswith("practitioners_nearest.sql"):  # as storage/practitioners.cc runs it
    print("SET LOCAL enable_sort = off;")
print(" ".join(sql.split()) + ";\nEND;")
PYEOF
}
Z="'00000000-0000-0000-0000-000000000000'"
SEARCH="$ROOT/services/org/sql/search"
# (A query naming a specialty, "cardiology", is that specialty, soonest first.)
declare -A BASE=(
  ["q=cardiology&city=Bengaluru"]="$SEARCH/practitioners_soonest_place.sql '' 'bengaluru|bangalore' 'cardiology' '' '' false '0' $Z 21 '' 'soonest' '' 0 -1"
  ["q=cardiology"]="$SEARCH/practitioners_soonest.sql '' '' 'cardiology' '' '' false '0' $Z 21 '' 'soonest' '' 0 -1"
  ["q=meera iyer"]="$SEARCH/practitioners_text.sql E'meera\\040iyer' '' '' '' '' false '0' $Z 21 '' '' '' 0 -1"
  ["q=cardiology mbbs"]="$SEARCH/practitioners_text.sql E'cardiology\\040mbbs' '' '' '' '' false '0' $Z 21 '' '' '' 0 -1"
  ["specialty=cardiology&available_on=+3d"]="$SEARCH/practitioners.sql '' '' 'cardiology' '' '' false '0' $Z 21 '$(day_in 3)' '' '' 0 -1"
  ["facets of q=cardiology&city=Bengaluru"]="$SEARCH/facets.sql '' 'bengaluru|bangalore' 'cardiology' '' '' '' '' 0 -1 '' '' 10000 21 '{30001,50001,100001,200001}'"
  ["facets of q=cardiology"]="$SEARCH/facets.sql '' '' 'cardiology' '' '' '' '' 0 -1 '' '' 10000 21 '{30001,50001,100001,200001}'"
  ["latitude=12.9716&longitude=77.5946"]="$SEARCH/practitioners_nearest.sql '' '' '' '' '' false '0' $Z 21 '' 'distance' 12.9716 77.5946 10000 '' 0 -1"
)
printf '%-72s %9s %9s\n' "pgbench of the same SQL (-c$CONNS, ${DURATION}s)" "tps" "avg ms"
for k in "q=cardiology&city=Bengaluru" "q=cardiology" "q=meera iyer" "q=cardiology mbbs" \
         "specialty=cardiology&available_on=+3d" "latitude=12.9716&longitude=77.5946" \
         "facets of q=cardiology&city=Bengaluru" "facets of q=cardiology"; do
  # shellcheck disable=SC2086  # the arguments are words on purpose
  pgbench_sql ${BASE[$k]} >"$TMP/bench.sql"
  PGPASSWORD="$PG_SUPERUSER_PASSWORD" pgbench -n -M prepared -h 127.0.0.1 -p "$PG_PORT" -U postgres \
    -c "$CONNS" -j 2 -T "$DURATION" -f "$TMP/bench.sql" healthtech >"$TMP/pgbench.txt" 2>&1 \
    || { cat "$TMP/pgbench.txt" >&2; die "pgbench failed"; }
  printf '%-72s %9.1f %9.1f\n' "$k" "$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' "$TMP/pgbench.txt")" \
    "$(sed -nE 's/^latency average = ([0-9.]+) ms/\1/p' "$TMP/pgbench.txt")"
done

say "plan of a text search ranking every cardiologist, as org_app runs it (RLS on)"
"${PSQL[@]}" <<SQL | grep -E "Execution Time|Planning Time|Seq Scan|Index Scan|Bitmap|loops=[0-9]{4,}" | head -25
SET ROLE org_app;
PREPARE s(text, text, text, text, text, bool, text, text, int, text, text, text, bigint, bigint) AS $(sed '/^--/d' "$ROOT/services/org/sql/search/practitioners_text.sql");
EXPLAIN (ANALYZE, BUFFERS) EXECUTE s('cardiology mbbs', '', '', '', '', false, '0', '00000000-0000-0000-0000-000000000000', 21, '', '', '', 0, -1);
SQL
