-- Practitioners of verified organizations with a facility within $14 metres of the point
-- ($12 latitude, $13 longitude), with the text ($1, '' for none; names by trigram only when
-- the text finds less than a page), filters, keyset and orders of practitioners_text.sql,
-- and $11 'distance' (nearest first, the default near a point).
-- Candidates from the facilities' GiST index on their location (migration V0007); a
-- practitioner's distance is to the nearest of its facilities within the radius. Relevance
-- ranks text, then the sooner free day, then the nearer facility (org.relevance_score).
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
), texts AS (
  SELECT n.id FROM nearby n JOIN org.practitioners p ON p.id = n.id
  WHERE $1 <> '' AND p.search_document @@ websearch_to_tsquery('english', $1)
), matched AS (
  SELECT p.*, n.meters,
         (SELECT min(fd.local_day) FROM org.practitioner_free_days fd
           WHERE fd.practitioner_id = p.id AND ($5 = '' OR fd.mode = $5)
             AND fd.local_day >= current_date - 1
             AND fd.first_free < now() + fd.horizon
             AND fd.last_free >= now() + fd.min_notice) AS next_free_day
  FROM nearby n JOIN org.practitioners p ON p.id = n.id
  WHERE ($1 = '' OR p.id IN (SELECT id FROM texts)
         OR (p.display_name % $1 AND (SELECT count(*) FROM (SELECT 1 FROM texts LIMIT $9) t) < $9))
    AND ($3 = '' OR p.specialties @> ARRAY[$3])
    AND ($4 = '' OR p.languages @> ARRAY[$4])
    AND ($5 = '' OR p.consultation_modes @> ARRAY[$5])
    AND ($10 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd
                             WHERE fd.local_day = nullif($10, '')::date
                               AND fd.practitioner_id = p.id AND ($5 = '' OR fd.mode = $5)
                               AND fd.first_free < now() + fd.horizon
                               AND fd.last_free >= now() + fd.min_notice))
), scored AS (
  SELECT p.*, CASE $11
           WHEN 'distance' THEN (-round(p.meters))::numeric
           WHEN 'soonest' THEN coalesce(-(p.next_free_day - date '2000-01-01'), -1000000)::numeric
           WHEN 'fee' THEN (-p.fee_first_visit_minor)::numeric
           WHEN 'experience' THEN p.years_of_experience::numeric
           ELSE org.relevance_score(
                  CASE WHEN $1 = '' THEN 0 ELSE
                    CASE WHEN p.search_document @@ websearch_to_tsquery('english', $1)
                         THEN 1 + ts_rank(p.search_document, websearch_to_tsquery('english', $1)) ELSE 0 END
                    + CASE WHEN p.display_name % $1 THEN similarity(p.display_name, $1) ELSE 0 END
                  END, p.next_free_day, p.meters)
         END AS score
  FROM matched p
)
SELECT p.id::text AS id, p.user_id::text AS user_id, p.display_name,
       p.specialties::text AS specialties, p.qualifications::text AS qualifications,
       p.registration_number, p.languages::text AS languages, p.years_of_experience, p.bio,
       p.consultation_modes::text AS consultation_modes, p.fee_first_visit_minor,
       p.fee_follow_up_minor, p.currency, extract(epoch from p.created_at)::bigint AS created_at,
       extract(epoch from p.updated_at)::bigint AS updated_at, p.score::text AS score,
       coalesce(p.photo_version, '') AS photo_version,
       coalesce(p.next_free_day::text, '') AS next_free_day, round(p.meters)::integer AS meters
FROM scored p
WHERE (NOT $6 OR p.score < $7::numeric OR (p.score = $7::numeric AND p.id > $8::uuid))
ORDER BY p.score DESC, p.id LIMIT $9
