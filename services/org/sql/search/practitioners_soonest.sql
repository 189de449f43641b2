-- Practitioners of verified organizations matching the filters of practitioners.sql (no text,
-- no mode: $1 and $5 are ''), soonest free day first, then by id — read in the order of the
-- read model's index (V0010), so a page stops after `limit` rows instead of ranking every
-- match. The order is the read model's next free day; the day shown is the free days' own
-- when the row has gone stale (until the sweep refreshes it, SWEEP_INTERVAL_MS). Keyset: the
-- score of practitioners.sql's 'soonest' order ($7: minus the days since 2000-01-01,
-- -1000000 for none free), then id ($8), when $6.
WITH page AS (
  SELECT s.practitioner_id, s.next_free_day, s.next_free_until
  FROM org.practitioner_search s
  WHERE $1 = '' AND $5 = '' AND $11 = 'soonest'
    AND ($2 = '' OR s.cities && string_to_array($2, '|'))
    AND ($3 = '' OR s.specialties @> ARRAY[$3])
    AND ($4 = '' OR s.languages @> ARRAY[$4])
    AND ($12 = '' OR s.gender = $12)
    AND s.fee_first_visit_minor >= $13::bigint
    AND ($14::bigint < 0 OR s.fee_first_visit_minor <= $14::bigint)
    AND ($10 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd
                             WHERE fd.local_day = nullif($10, '')::date
                               AND fd.practitioner_id = s.practitioner_id
                               AND fd.first_free < now() + fd.horizon
                               AND fd.last_free >= now() + fd.min_notice))
    AND (coalesce(s.next_free_day, 'infinity'::date), s.practitioner_id) >
        (CASE WHEN NOT $6 THEN '-infinity'::date
              WHEN $7::numeric <= -1000000 THEN 'infinity'::date
              ELSE date '2000-01-01' - $7::numeric::integer END,
         CASE WHEN $6 THEN $8::uuid ELSE '00000000-0000-0000-0000-000000000000'::uuid END)
  ORDER BY coalesce(s.next_free_day, 'infinity'::date), s.practitioner_id LIMIT $9
), shown AS (
  SELECT g.*,
         CASE WHEN g.next_free_until >= now() THEN g.next_free_day
              ELSE (SELECT min(fd.local_day) FROM org.practitioner_free_days fd
                     WHERE fd.practitioner_id = g.practitioner_id
                       AND fd.local_day >= current_date - 1
                       AND fd.first_free < now() + fd.horizon
                       AND fd.last_free >= now() + fd.min_notice) END AS next_free
  FROM page g
)
SELECT v.*, coalesce(-(g.next_free_day - date '2000-01-01'), -1000000)::text AS score,
       coalesce(g.next_free::text, '') AS next_free_day, NULL::integer AS meters
FROM shown g JOIN org.practitioner_profiles v ON v.pid = g.practitioner_id
ORDER BY coalesce(g.next_free_day, 'infinity'::date), g.practitioner_id
