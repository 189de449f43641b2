-- Practitioners of verified organizations matching the text $1 (not empty), and the filters,
-- keyset and orders of practitioners.sql ($2 city, $3 specialty, $4 language, $5 mode, $10
-- free day, $12 gender, $13..$14 fee; after ($7, $8) when $6; order $11), from search's read model (V0009).
-- Candidates through indexes only: the full-text GIN index on the weighted document (name and
-- specialties, qualifications, organizations and cities, bio), and — only when it finds fewer
-- than a page — names by trigram through theirs (`%`, pg_trgm's similarity threshold 0.3, so
-- "Meera Iyr" finds "Dr. Meera Iyer"). Specialty synonyms and city aliases are resolved
-- before the query (domain/search_terms), not by similarity. Relevance: a text match above
-- a fuzzy name, by the text's rank and the name's similarity, then the sooner free day
-- (org.relevance_score).
WITH texts AS (
  -- The filters here too: a fuzzy name is looked for when the text finds less than a page
  -- of what was asked for.
  SELECT s.* FROM org.practitioner_search s
  WHERE s.document @@ websearch_to_tsquery('english', $1)
    AND ($2 = '' OR s.cities && string_to_array($2, '|'))
    AND ($3 = '' OR s.specialties @> ARRAY[$3])
    AND ($4 = '' OR s.languages @> ARRAY[$4])
    AND ($12 = '' OR s.gender = $12)
    AND s.fee_first_visit_minor >= $13::bigint
    AND ($14::bigint < 0 OR s.fee_first_visit_minor <= $14::bigint)
    AND ($5 = '' OR s.modes @> ARRAY[$5])
), candidates AS (
  SELECT t.*, true AS text_match FROM texts t
  UNION ALL
  SELECT s.*, false FROM org.practitioners p
  JOIN org.practitioner_search s ON s.practitioner_id = p.id
  WHERE p.display_name % $1 AND NOT s.document @@ websearch_to_tsquery('english', $1)
    AND (SELECT count(*) FROM (SELECT 1 FROM texts LIMIT $9) t) < $9
), matched AS (
  SELECT c.*,
         CASE WHEN $5 = '' AND c.next_free_until >= now() THEN c.next_free_day
              ELSE (SELECT min(fd.local_day) FROM org.practitioner_free_days fd
                     WHERE fd.practitioner_id = c.practitioner_id AND ($5 = '' OR fd.mode = $5)
                       AND fd.local_day >= current_date - 1
                       AND fd.first_free < now() + fd.horizon
                       AND fd.last_free >= now() + fd.min_notice) END AS next_free
  FROM candidates c
  WHERE ($2 = '' OR c.cities && string_to_array($2, '|'))
    AND ($3 = '' OR c.specialties @> ARRAY[$3])
    AND ($4 = '' OR c.languages @> ARRAY[$4])
    AND ($12 = '' OR c.gender = $12)
    AND c.fee_first_visit_minor >= $13::bigint
    AND ($14::bigint < 0 OR c.fee_first_visit_minor <= $14::bigint)
    AND ($5 = '' OR c.modes @> ARRAY[$5])
    AND ($10 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd
                             WHERE fd.local_day = nullif($10, '')::date
                               AND fd.practitioner_id = c.practitioner_id
                               AND ($5 = '' OR fd.mode = $5)
                               AND fd.first_free < now() + fd.horizon
                               AND fd.last_free >= now() + fd.min_notice))
), scored AS (
  SELECT m.practitioner_id, m.next_free, CASE $11
           WHEN 'soonest' THEN coalesce(-(m.next_free - date '2000-01-01'), -1000000)::numeric
           WHEN 'fee' THEN (-m.fee_first_visit_minor)::numeric
           WHEN 'experience' THEN m.years_of_experience::numeric
           ELSE org.relevance_score(
                  CASE WHEN m.text_match
                       THEN 1 + ts_rank(m.document, websearch_to_tsquery('english', $1)) ELSE 0 END
                  + CASE WHEN m.display_name % $1 THEN similarity(m.display_name, $1) ELSE 0 END,
                  m.next_free, NULL)
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
