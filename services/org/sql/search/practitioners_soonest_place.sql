-- practitioners_soonest.sql for a specialty in a city (the commonest search, and UHI's: a
-- category in a city), starting from the matches: one range of the (city, specialty) keys'
-- index (V0014; 341 of 300,000 for Bengaluru's cardiologists), sorted. The soonest index
-- walked in its order would pass every other city's and specialty's rows (1 in 1,000), and
-- the two GIN indexes intersect posting lists that grow with the platform; the order's `+ 0`
-- keeps the planner off the first, and the city and specialty are not restated on the read
-- model (the planner would intersect its GIN indexes again). Same parameters, filters, order
-- and keyset as practitioners_soonest.sql; $2 and $3 are never ''.
WITH page AS (
  SELECT s.practitioner_id, s.next_free_day, s.next_free_until
  FROM org.practitioner_search s
  WHERE $1 = '' AND $5 = '' AND $11 = 'soonest' AND $2 <> '' AND $3 <> ''
    AND s.practitioner_id IN (SELECT k.practitioner_id FROM org.practitioner_search_keys k
                              WHERE k.city = ANY (string_to_array($2, '|')) AND k.specialty = $3)
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
  ORDER BY coalesce(s.next_free_day, 'infinity'::date) + 0, s.practitioner_id LIMIT $9
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
