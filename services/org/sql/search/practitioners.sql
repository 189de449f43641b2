-- Practitioners of verified organizations matching the filters ('' for none; the text $1 is
-- practitioners_text.sql's, the point practitioners_near.sql's), read from search's read
-- model (org.practitioner_search, migration V0009): $2 city (every name of it, lower-case,
-- '|'-separated), $3 specialty, $4 language, $5 mode, $10 a day with free slots (the free days
-- the appointment service publishes, V0004), $12 gender, $13..$14 the first visit's fee in minor
-- units (no maximum when $14 < 0; V0012). Keyset pages by score then id: after ($7, $8)
-- when $6. $11 the order: '' relevance (without text all tie: by id, which lets a page stop
-- early instead of ranking every match), 'soonest' (free day), 'fee' (first visit, lowest
-- first), 'experience' (years, most first) — each a score, so one keyset serves all.
-- The next free day is the read model's while it holds (any mode), else asked of the free days.
WITH matched AS (
  SELECT s.*,
         CASE WHEN $5 = '' AND s.next_free_until >= now() THEN s.next_free_day
              ELSE (SELECT min(fd.local_day) FROM org.practitioner_free_days fd
                     WHERE fd.practitioner_id = s.practitioner_id AND ($5 = '' OR fd.mode = $5)
                       AND fd.local_day >= current_date - 1
                       AND fd.first_free < now() + fd.horizon
                       AND fd.last_free >= now() + fd.min_notice) END AS next_free
  FROM org.practitioner_search s
  WHERE $1 = ''  -- text: practitioners_text.sql
    AND ($2 = '' OR s.cities && string_to_array($2, '|'))
    AND ($3 = '' OR s.specialties @> ARRAY[$3])
    AND ($4 = '' OR s.languages @> ARRAY[$4])
    AND ($12 = '' OR s.gender = $12)
    AND s.fee_first_visit_minor >= $13::bigint
    AND ($14::bigint < 0 OR s.fee_first_visit_minor <= $14::bigint)
    AND ($5 = '' OR s.modes @> ARRAY[$5])
    AND ($10 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd
                             WHERE fd.local_day = nullif($10, '')::date
                               AND fd.practitioner_id = s.practitioner_id
                               AND ($5 = '' OR fd.mode = $5)
                               AND fd.first_free < now() + fd.horizon
                               AND fd.last_free >= now() + fd.min_notice))
), scored AS (
  SELECT m.practitioner_id, m.next_free, CASE $11
           WHEN 'soonest' THEN coalesce(-(m.next_free - date '2000-01-01'), -1000000)::numeric
           WHEN 'fee' THEN (-m.fee_first_visit_minor)::numeric
           WHEN 'experience' THEN m.years_of_experience::numeric
           ELSE 0::numeric
         END AS score
  FROM matched m
), page AS (
  SELECT * FROM scored g
  WHERE (NOT $6 OR g.score < $7::numeric OR (g.score = $7::numeric AND g.practitioner_id > $8::uuid))
  ORDER BY g.score DESC, g.practitioner_id LIMIT $9
)
SELECT v.*, g.score::text AS score,
       coalesce(g.next_free::text, '') AS next_free_day, NULL::integer AS meters
FROM page g JOIN org.practitioner_profiles v ON v.pid = g.practitioner_id
ORDER BY g.score DESC, g.practitioner_id
