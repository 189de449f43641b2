#!/usr/bin/env bash
# bench/forum.sh — HealthTech forum benchmark (see bench/README.md, "Forum").
#
#   bench/forum.sh                        # 10 s per measurement, 100,000 posts
#   DURATION=20 THREADS=5000 REPLIES=19 bench/forum.sh
#   BENCH_KEEP=1 bench/forum.sh           # leave the forum and the stack up for inspection
#
# Restarts the local stack (the ports of ./healthtech, overridable as there) with raised BFF
# rate limits, loads a generated forum of THREADS × (REPLIES + 1) posts (100,000 by default)
# straight into PostgreSQL (bench/forum_data.py rows + COPY; weighted tsvectors computed by
# PostgreSQL exactly as the service writes them), then measures
#   1. GET /v1/forum/search?q=…  (random queries; wrk -t2 -c16, p50/p99),
#   2. the same search SQL run by pgbench as forum_app (the SQL baseline),
#   3. GET /v1/forum/threads/{id} (random bench threads of 20 posts; wrk -t2 -c16),
#   4. the thread-view query run by pgbench as forum_app (the SQL baseline),
# prints a table and the ratios API / SQL, writes bench/results/forum-<timestamp>.json, and
# removes the generated forum at the end. If the stack was already running it is restarted
# with the caller's own environment; if forum.sh started it, it is stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PY=/usr/bin/python3
PGBIN=/usr/lib/postgresql/15/bin
DURATION="${DURATION:-10}"
THREADS="${THREADS:-5000}"
REPLIES="${REPLIES:-19}"
CLIENTS="${CLIENTS:-16}"
HTTP_PORT="${HTTP_PORT:-8080}"
PG_PORT="${PG_PORT:-54329}"
BFF="http://127.0.0.1:$HTTP_PORT"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

for v in DURATION THREADS REPLIES CLIENTS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number (got '${!v}')"
done
[ "$REPLIES" -lt 1000 ] || die "REPLIES must be below 1000"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
PGBENCH="$(command -v pgbench || echo "$PGBIN/pgbench")"
[ -x "$PGBENCH" ] || die "pgbench not found (apt-get install postgresql-client-15)"
command -v psql >/dev/null || die "psql not found (apt-get install postgresql-client-15)"

TMP="$(mktemp -d /tmp/healthtech-forum-bench.XXXXXX)"
DB_READY=0
SLUG="bench-$(date -u +%Y%m%d%H%M%S)"

psql_su() {
  PGPASSWORD="$PG_SUPERUSER_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 \
    "host=127.0.0.1 port=$PG_PORT dbname=healthtech user=postgres" "$@"
}

# Removes every generated bench forum (categories bench-*, their threads, posts, members).
cleanup_data() {
  psql_su -tA <<'SQL'
BEGIN;
CREATE TEMP TABLE bt ON COMMIT DROP AS
  SELECT t.id FROM forum.threads t JOIN forum.categories c ON c.id = t.category_id WHERE c.slug LIKE 'bench-%';
DELETE FROM forum.votes WHERE post_id IN (SELECT id FROM forum.posts WHERE thread_id IN (SELECT id FROM bt));
DELETE FROM forum.follows WHERE thread_id IN (SELECT id FROM bt);
UPDATE forum.threads SET accepted_post_id = NULL WHERE id IN (SELECT id FROM bt);
DELETE FROM forum.posts WHERE thread_id IN (SELECT id FROM bt) AND cardinality(path) = 2;
DELETE FROM forum.posts WHERE thread_id IN (SELECT id FROM bt);
DELETE FROM forum.threads WHERE id IN (SELECT id FROM bt);
DELETE FROM forum.categories WHERE slug LIKE 'bench-%';
DELETE FROM forum.members WHERE display_name LIKE 'Bench member %';
SELECT count(*) FROM bt;
COMMIT;
SQL
  psql_su -c 'VACUUM (ANALYZE) forum.posts, forum.post_search, forum.threads, forum.members' >/dev/null
}

cleanup() {
  local rc=$?
  set +e
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    say "BENCH_KEEP=1: leaving the generated forum and the stack as they are"
    rm -rf "$TMP"
    exit $rc
  fi
  if [ "$DB_READY" -eq 1 ]; then
    n="$(cleanup_data 2>>"$TMP/cleanup.err")" && say "removed the generated forum ($n threads)" \
      || { cat "$TMP/cleanup.err" >&2; echo "warning: could not remove the generated forum" >&2; }
  fi
  bench_restore_stack forum.sh
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- stack with raised limits
bench_restart_stack
DB_READY=1
cleanup_data >/dev/null || die "could not remove an earlier generated forum"

# ---------------------------------------------------------------- generated forum
POSTS=$((THREADS * (REPLIES + 1)))
say "generating $THREADS threads × $((REPLIES + 1)) posts = $POSTS posts (category $SLUG)"
"$PY" "$ROOT/bench/forum_data.py" rows --threads "$THREADS" --replies "$REPLIES" >"$TMP/rows.tsv"
T0=$(date +%s.%N)
{
  # The rows go inline after COPY ... FROM STDIN, in the same session as the temp table.
  printf 'BEGIN;\nCREATE TEMP TABLE stage (t int, k int, a int, title text, body text);\nCOPY stage FROM STDIN;\n'
  cat "$TMP/rows.tsv"
  printf '\\.\n'
  cat <<'SQL'
ALTER TABLE stage ADD COLUMN id uuid DEFAULT gen_random_uuid(), ADD COLUMN seq bigint;
CREATE TEMP TABLE bm AS
  SELECT g AS n, gen_random_uuid() AS user_id FROM generate_series(1, 500) g;
INSERT INTO forum.members (user_id, display_name, approved_posts)
  SELECT user_id, 'Bench member ' || n, 25 FROM bm;
INSERT INTO forum.categories (name, slug, description, created_by)
  VALUES ('Bench ' || :'slug', :'slug', 'Generated by bench/forum.sh', gen_random_uuid());
-- Posts take seqs in thread order, like posts written one after another.
SELECT nextval(pg_get_serial_sequence('forum.posts', 'seq')) AS base \gset
UPDATE stage SET seq = :base + t::bigint * 1000 + k;
SELECT setval(pg_get_serial_sequence('forum.posts', 'seq'), (SELECT max(seq) FROM stage));
CREATE TEMP TABLE tmap AS SELECT t, gen_random_uuid() AS id FROM stage WHERE k = 0;
CREATE INDEX ON stage (t, k);
ANALYZE stage;
INSERT INTO forum.threads (id, category_id, title, tags, author_id, reply_count, last_activity_at, created_at)
  SELECT m.id, (SELECT id FROM forum.categories WHERE slug = :'slug'), s.title,
         ARRAY['bench', 'topic' || (s.t % 20)], bm.user_id,
         (SELECT max(k) FROM stage),  -- every reply is visible
         now() - s.t * interval '1 minute', now() - s.t * interval '1 minute'
    FROM stage s JOIN tmap m USING (t) JOIN bm ON bm.n = s.a WHERE s.k = 0;
-- The first half of the replies are top-level, the rest answer one of them (depth 2).
INSERT INTO forum.posts (id, seq, thread_id, parent_post_id, path, author_id, body_markdown,
                         body_html, body_text, status, search, created_at)
  SELECT s.id, s.seq, m.id, p.id,
         CASE WHEN s.k = 0 THEN '{}'::bigint[] WHEN p.id IS NULL THEN ARRAY[s.seq] ELSE ARRAY[p.seq, s.seq] END,
         bm.user_id, s.body, '<p>' || s.body || '</p>', s.body, 'visible',
         setweight(to_tsvector('english', coalesce(nullif(s.title, ''), '')), 'A')
           || setweight(to_tsvector('english', CASE WHEN s.k = 0 THEN array_to_string(ARRAY['bench', 'topic' || (s.t % 20)], ' ') ELSE '' END), 'C')
           || setweight(to_tsvector('english', s.body), 'B'),
         now() - s.t * interval '1 minute' + s.k * interval '1 second'
    FROM stage s JOIN tmap m USING (t) JOIN bm ON bm.n = s.a
    LEFT JOIN stage p ON p.t = s.t AND s.k > (SELECT max(k) FROM stage) / 2 + 1
                     AND p.k = s.k - (SELECT max(k) FROM stage) / 2
   ORDER BY s.seq;
COMMIT;
VACUUM (ANALYZE) forum.posts, forum.post_search, forum.threads, forum.members;
SQL
} | psql_su -v slug="$SLUG" >/dev/null
T1=$(date +%s.%N)
LOADED="$(psql_su -tA -c "SELECT count(*) FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id JOIN forum.categories c ON c.id = t.category_id WHERE c.slug = '$SLUG'")"
TOTAL="$(psql_su -tA -c "SELECT count(*) FROM forum.posts")"
[ "$LOADED" -eq "$POSTS" ] || die "loaded $LOADED posts instead of $POSTS"
say "loaded $LOADED posts in $("$PY" -c "print(round($T1 - $T0, 1))") s ($TOTAL posts in the forum)"

"$PY" "$ROOT/bench/forum_data.py" queries --count 200 >"$TMP/queries.txt"
psql_su -tA -c "SELECT t.id FROM forum.threads t JOIN forum.categories c ON c.id = t.category_id WHERE c.slug = '$SLUG' ORDER BY random() LIMIT 200" >"$TMP/threads.txt"
# Raw outputs stay in bench/results (git-ignored) even when a later step fails.
RAW="$ROOT/bench/results/forum-$SLUG-raw"; mkdir -p "$RAW"

lua_list() {  # name file -> a Lua table of URL-encoded lines
  "$PY" - "$1" "$2" <<'PYEOF'
import sys, urllib.parse
name, path = sys.argv[1], sys.argv[2]
items = [l.strip() for l in open(path) if l.strip()]
print("local %s = {%s}" % (name, ", ".join('"%s"' % urllib.parse.quote(i) for i in items)))
PYEOF
}

# ---------------------------------------------------------------- 1. search through the API
{
  lua_list queries "$TMP/queries.txt"
  cat <<'LUA'
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/v1/forum/search?q=" .. queries[math.random(#queries)])
end
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
LUA
} >"$TMP/search.lua"
say "wrk search: -t2 -c$CLIENTS, ${DURATION}s, $(wc -l <"$TMP/queries.txt") random queries over $TOTAL posts"
wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$TMP/search.lua" "$BFF" >"$RAW/search.txt" 2>&1 \
  || { cat "$RAW/search.txt" >&2; die "wrk search failed"; }

# ---------------------------------------------------------------- 2. the search SQL in pgbench
QS="$(paste -sd'|' "$TMP/queries.txt")"
cat >"$TMP/search.sql" <<'SQL'
\set i random(1, :nq)
BEGIN;
SELECT set_config('app.subject_id', '', true), set_config('app.roles', '', true);
WITH q AS (SELECT websearch_to_tsquery('english', split_part(:qs::text, '|', :i::int)) AS q), hits AS (SELECT p.post_id AS id, p.thread_id, p.author_id, p.created_at, ts_rank(p.search, q.q) AS rank FROM q, forum.post_search p WHERE p.search @@ q.q AND p.status = ANY('{visible}'::text[]) AND p.thread_status = ANY('{visible}'::text[]) AND ('' = '' OR p.category_id = nullif('', '')::uuid) AND ('' = '' OR EXISTS (SELECT 1 FROM forum.threads t WHERE t.id = p.thread_id AND t.tags @> ARRAY['']::text[])) ORDER BY rank DESC, p.created_at DESC, p.post_id LIMIT 21 OFFSET 0) SELECT h.thread_id::text, h.id::text, t.title, t.category_id::text, ts_headline('english', b.body_text, q.q, 'StartSel="<<", StopSel=">>", MaxWords=30, MinWords=12, MaxFragments=2'), h.rank, coalesce(m.display_name, ''), extract(epoch from h.created_at)::bigint FROM hits h JOIN forum.threads t ON t.id = h.thread_id JOIN forum.posts b ON b.id = h.id CROSS JOIN q LEFT JOIN forum.members m ON m.user_id = h.author_id ORDER BY h.rank DESC, h.created_at DESC, h.id;
COMMIT;
SQL
say "pgbench search SQL: -M prepared -c $CLIENTS -j 2 -T $DURATION (as forum_app)"
PGPASSWORD="$FORUM_APP_PASSWORD" "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f "$TMP/search.sql" \
  -D qs="$QS" -D nq="$(wc -l <"$TMP/queries.txt")" \
  "host=127.0.0.1 port=$PG_PORT dbname=healthtech user=forum_app" >"$RAW/pgbench_search.txt" 2>&1 \
  || { cat "$RAW/pgbench_search.txt" >&2; die "pgbench search failed"; }

# ---------------------------------------------------------------- 3. thread view through the API
{
  lua_list threads "$TMP/threads.txt"
  cat <<'LUA'
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/v1/forum/threads/" .. threads[math.random(#threads)])
end
LUA
} >"$TMP/thread.lua"
say "wrk thread view: -t2 -c$CLIENTS, ${DURATION}s, $(wc -l <"$TMP/threads.txt") random threads of $((REPLIES + 1)) posts"
wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$TMP/thread.lua" "$BFF" >"$RAW/thread.txt" 2>&1 \
  || { cat "$RAW/thread.txt" >&2; die "wrk thread view failed"; }

# ---------------------------------------------------------------- 4. the thread-view SQL in pgbench
TIDS="$(paste -sd',' "$TMP/threads.txt")"
# The service sends its RLS settings and EXECUTE "threads/view"(...) as one message
# (pg::ReadOnce); pgbench sends them as two statements, the view prepared (-M prepared).
cat >"$TMP/thread.sql" <<'SQL'
\set i random(1, :nt)
SELECT set_config('app.subject_id', '', false), set_config('app.roles', '', false), split_part(:tids::text, ',', :i::int) AS tid \gset
WITH top AS (SELECT p.seq FROM forum.posts p WHERE p.thread_id = :tid::uuid AND cardinality(p.path) = 1 AND p.seq > 0 AND (p.status IN ('visible', 'deleted') OR false OR (p.status = 'pending_review' AND p.author_id = nullif('', '')::uuid)) ORDER BY p.seq LIMIT 51) SELECT p.id::text, p.thread_id::text, p.parent_post_id::text, cardinality(p.path), p.author_id::text, coalesce(m.display_name, ''), p.body_markdown, p.body_html, coalesce(m.approved_posts, 0), p.vote_score, coalesce(v.value, 0), p.status, coalesce(t.accepted_post_id = p.id, false), extract(epoch from p.created_at)::bigint, extract(epoch from p.edited_at)::bigint, p.seq, coalesce(p.path[1], 0), p.queue_reason, p.flag_weight, extract(epoch from p.queued_at)::bigint, t.title, t.category_id::text, t.tags::text, t.pinned, t.locked, t.accepted_post_id::text, t.reply_count, EXISTS (SELECT 1 FROM forum.follows f WHERE f.thread_id = t.id AND f.user_id = nullif('', '')::uuid), left(p.body_text, 400), extract(epoch from t.last_activity_at)::bigint, extract(epoch from t.created_at)::bigint FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id LEFT JOIN forum.members m ON m.user_id = p.author_id LEFT JOIN forum.votes v ON v.post_id = p.id AND v.user_id = nullif('', '')::uuid WHERE p.thread_id = :tid::uuid AND (p.status IN ('visible', 'deleted') OR false OR (p.status = 'pending_review' AND p.author_id = nullif('', '')::uuid)) AND (cardinality(p.path) = 0 OR p.path[1] IN (SELECT seq FROM top)) ORDER BY p.path;
SQL
say "pgbench thread-view SQL: -M prepared -c $CLIENTS -j 2 -T $DURATION (as forum_app)"
PGPASSWORD="$FORUM_APP_PASSWORD" "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f "$TMP/thread.sql" \
  -D tids="$TIDS" -D nt="$(wc -l <"$TMP/threads.txt")" \
  "host=127.0.0.1 port=$PG_PORT dbname=healthtech user=forum_app" >"$RAW/pgbench_thread.txt" 2>&1 \
  || { cat "$RAW/pgbench_thread.txt" >&2; die "pgbench thread view failed"; }

# ---------------------------------------------------------------- report
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
META="$("$PY" -c 'import json,sys; a=sys.argv; print(json.dumps({"timestamp":a[1],"duration_s":int(a[2]),"commit":a[3],"nproc":int(a[4]),"bff_url":a[5],"clients":int(a[6]),"generated_posts":int(a[7]),"forum_posts":int(a[8]),"threads":int(a[9]),"raised_limits":a[10].split()}))' \
  "$STAMP" "$DURATION" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo +dirty)" \
  "$(nproc)" "$BFF" "$CLIENTS" "$LOADED" "$TOTAL" "$THREADS" "${LIMITS[*]}")"
mkdir -p "$ROOT/bench/results"
"$PY" "$ROOT/bench/report_forum.py" "$RAW" "$ROOT/bench/results/forum-$STAMP.json" "$META"
