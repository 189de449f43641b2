-- Practitioners of verified organizations matching the text $1 (not empty), and the filters
-- of practitioners.sql ($2 city, $3 specialty, $4 language, $5 mode, $10 free day; keyset
-- $6–$9; order $11). Candidates through indexes only: the full-text GIN index on the weighted
-- document (name, specialties, qualifications, bio), and — only when it finds fewer than a
-- page — names by trigram through theirs (`%`, pg_trgm's similarity threshold 0.3, so
-- "Meera Iyr" finds "Dr. Meera Iyer"). Specialty synonyms and city aliases are resolved
-- before the query (domain/search_terms), not by similarity. Relevance: a text match above
-- a fuzzy name, by the text's rank and the name's similarity, then the sooner free day
-- (org.relevance_score).
WITH texts AS (
  SELECT p.id FROM org.practitioners p WHERE p.search_document @@ websearch_to_tsquery('english', $1)
), candidates AS (
  SELECT id FROM texts
  UNION
  SELECT p.id FROM org.practitioners p
  WHERE p.display_name % $1 AND (SELECT count(*) FROM (SELECT 1 FROM texts LIMIT $9) t) < $9
), located AS (
  -- At a verified organization: in the city asked for, the city's practitioners (its
  -- facilities by their city index) hashed once; else one probe per candidate (a scalar
  -- subquery, which the planner cannot turn into hashing all 100,000 links).
  SELECT c.id FROM candidates c
  WHERE ($2 = '' OR c.id IN (SELECT pf.practitioner_id FROM org.facilities f
                             JOIN org.organizations o ON o.id = f.organization_id
                             JOIN org.practitioner_facilities pf ON pf.facility_id = f.id
                             WHERE o.status = 'verified'
                               AND lower(f.city) = ANY (string_to_array($2, '|'))))
    AND ($2 <> '' OR coalesce((SELECT true FROM org.practitioner_facilities pf
                                JOIN org.facilities f ON f.id = pf.facility_id
                                JOIN org.organizations o ON o.id = f.organization_id
                                WHERE pf.practitioner_id = c.id AND o.status = 'verified'
                                LIMIT 1), false))
), matched AS (
  SELECT p.*,
         (SELECT min(fd.local_day) FROM org.practitioner_free_days fd
           WHERE fd.practitioner_id = p.id AND ($5 = '' OR fd.mode = $5)
             AND fd.local_day >= current_date - 1
             AND fd.first_free < now() + fd.horizon
             AND fd.last_free >= now() + fd.min_notice) AS next_free_day
  FROM located l JOIN org.practitioners p ON p.id = l.id
  WHERE ($3 = '' OR p.specialties @> ARRAY[$3])
    AND ($4 = '' OR p.languages @> ARRAY[$4])
    AND ($5 = '' OR p.consultation_modes @> ARRAY[$5])
    AND ($10 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd
                             WHERE fd.local_day = nullif($10, '')::date
                               AND fd.practitioner_id = p.id AND ($5 = '' OR fd.mode = $5)
                               AND fd.first_free < now() + fd.horizon
                               AND fd.last_free >= now() + fd.min_notice))
), scored AS (
  SELECT p.*, CASE $11
           WHEN 'soonest' THEN coalesce(-(p.next_free_day - date '2000-01-01'), -1000000)::numeric
           WHEN 'fee' THEN (-p.fee_first_visit_minor)::numeric
           WHEN 'experience' THEN p.years_of_experience::numeric
           ELSE org.relevance_score(
                  CASE WHEN p.search_document @@ websearch_to_tsquery('english', $1)
                       THEN 1 + ts_rank(p.search_document, websearch_to_tsquery('english', $1)) ELSE 0 END
                  + CASE WHEN p.display_name % $1 THEN similarity(p.display_name, $1) ELSE 0 END,
                  p.next_free_day, NULL)
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
       coalesce(p.next_free_day::text, '') AS next_free_day, NULL::integer AS meters
FROM scored p
WHERE (NOT $6 OR p.score < $7::numeric OR (p.score = $7::numeric AND p.id > $8::uuid))
ORDER BY p.score DESC, p.id LIMIT $9
