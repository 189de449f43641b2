-- Practitioners of verified organizations with a facility within $14 metres of the point
-- ($12 latitude, $13 longitude), with the text ($1, '' for none; names by trigram only when
-- the text finds less than a page), filters, keyset and orders of practitioners_text.sql
-- (gender and fee as $15, $16..$17 here), and $11 'distance' (nearest first, the default near
-- a point; without text, practitioners_nearest.sql walks the facilities in that order instead).
-- Candidates from the facilities' GiST index on their location (migration V0007); a
-- practitioner's distance is to the nearest of its facilities within the radius; the rest
-- from search's read model (V0009). Relevance ranks text, then the sooner free day, then the
-- nearer facility (org.relevance_score).
WITH here AS (
  SELECT public.ST_SetSRID(public.ST_MakePoint($13::float8, $12::float8), 4326)::public.geography AS g
), nearby AS (
  SELECT pf.practitioner_id AS id, min(public.ST_Distance(f.location, here.g)) AS meters
  FROM here, org.facilities f
  JOIN org.organizations o ON o.id = f.organization_id
  JOIN org.practitioner_facilities pf ON pf.facility_id = f.id
  WHERE public.ST_DWithin(f.location, here.g, $14::float8) AND o.status = 'verified'
    AND ($2 = '' OR lower(f.city) = ANY (string_to_array($2, '|')))
  GROUP BY pf.practitioner_id
), candidates AS (
  SELECT s.*, n.meters, $1 <> '' AND s.document @@ websearch_to_tsquery('english', $1) AS text_match
  FROM nearby n JOIN org.practitioner_search s ON s.practitioner_id = n.id
), texts AS (
  SELECT 1 FROM candidates WHERE text_match
), matched AS (
  SELECT c.*,
         CASE WHEN $5 = '' AND c.next_free_until >= now() THEN c.next_free_day
              ELSE (SELECT min(fd.local_day) FROM org.practitioner_free_days fd
                     WHERE fd.practitioner_id = c.practitioner_id AND ($5 = '' OR fd.mode = $5)
                       AND fd.local_day >= current_date - 1
                       AND fd.first_free < now() + fd.horizon
                       AND fd.last_free >= now() + fd.min_notice) END AS next_free
  FROM candidates c
  WHERE ($1 = '' OR c.text_match
         OR (c.display_name % $1 AND (SELECT count(*) FROM (SELECT 1 FROM texts LIMIT $9) t) < $9))
    AND ($3 = '' OR c.specialties @> ARRAY[$3])
    AND ($4 = '' OR c.languages @> ARRAY[$4])
    AND ($15 = '' OR c.gender = $15)
    AND c.fee_first_visit_minor >= $16::bigint
    AND ($17::bigint < 0 OR c.fee_first_visit_minor <= $17::bigint)
    AND ($5 = '' OR c.modes @> ARRAY[$5])
    AND ($10 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd
                             WHERE fd.local_day = nullif($10, '')::date
                               AND fd.practitioner_id = c.practitioner_id
                               AND ($5 = '' OR fd.mode = $5)
                               AND fd.first_free < now() + fd.horizon
                               AND fd.last_free >= now() + fd.min_notice))
), scored AS (
  SELECT m.practitioner_id, m.next_free, m.meters, CASE $11
           WHEN 'distance' THEN (-round(m.meters))::numeric
           WHEN 'soonest' THEN coalesce(-(m.next_free - date '2000-01-01'), -1000000)::numeric
           WHEN 'fee' THEN (-m.fee_first_visit_minor)::numeric
           WHEN 'experience' THEN m.years_of_experience::numeric
           ELSE org.relevance_score(
                  CASE WHEN m.text_match
                       THEN 1 + ts_rank(m.document, websearch_to_tsquery('english', $1)) ELSE 0 END
                  + CASE WHEN $1 <> '' AND m.display_name % $1 THEN similarity(m.display_name, $1)
                         ELSE 0 END,
                  m.next_free, m.meters)
         END AS score
  FROM matched m
), page AS (
  SELECT * FROM scored g
  WHERE (NOT $6 OR g.score < $7::numeric OR (g.score = $7::numeric AND g.practitioner_id > $8::uuid))
  ORDER BY g.score DESC, g.practitioner_id LIMIT $9
)
SELECT v.*, g.score::text AS score,
       coalesce(g.next_free::text, '') AS next_free_day, round(g.meters)::integer AS meters
FROM page g JOIN org.practitioner_profiles v ON v.pid = g.practitioner_id
ORDER BY g.score DESC, g.practitioner_id
