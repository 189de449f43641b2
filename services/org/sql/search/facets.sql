-- How the matches of a search spread (issue 19's facets): rows (facet, value, n) — per
-- specialty, city, language, mode, gender and fee range, the number of matches that would
-- remain with that filter added (so a city a practitioner of two cities also works in is
-- counted too). The matches are those of the search statements: $1 text (names by trigram
-- only when the text finds fewer than $13), $2 city (every name of it, lower-case,
-- '|'-separated), $3 specialty, $4 language, $5 mode, $6 free day, $7 gender, $8..$9 the first
-- visit's fee ($9 < 0: no maximum), near the point ($10 latitude, $11 longitude: '' for none)
-- within $12 metres; read through the same indexes from search's read model (V0009), every
-- match counted (not a page). Fee ranges ('fee', the range's number): width_bucket over $14,
-- the lowest fees of the ranges after the first; their counts add up to the matches. The
-- largest 20 values of the other facets; cities as the read model keeps them (lower-case) in
-- initial capitals ("Navi Mumbai"). Linear in the matches (~5 µs each here): a broad search's
-- counts are cached by the service (SEARCH_FACETS_TTL_MS).
WITH here AS (
  SELECT public.ST_SetSRID(public.ST_MakePoint(nullif($11, '')::float8, nullif($10, '')::float8), 4326)::public.geography AS g
), nearby AS (
  SELECT DISTINCT pf.practitioner_id AS id
  FROM here, org.facilities f
  JOIN org.organizations o ON o.id = f.organization_id
  JOIN org.practitioner_facilities pf ON pf.facility_id = f.id
  WHERE $10 <> '' AND public.ST_DWithin(f.location, here.g, $12::float8)
    AND o.status = 'verified'
    AND ($2 = '' OR lower(f.city) = ANY (string_to_array($2, '|')))
), texts AS (
  -- The text and the filters in one scan, so that their indexes serve (as
  -- practitioners_text.sql's; without text, the filters' own).
  SELECT s.cities, s.specialties, s.languages, s.modes, s.gender, s.fee_first_visit_minor
  FROM org.practitioner_search s
  WHERE ($1 = '' OR s.document @@ websearch_to_tsquery('english', $1))
    AND ($10 = '' OR s.practitioner_id IN (SELECT id FROM nearby))
    AND ($2 = '' OR s.cities && string_to_array($2, '|'))
    AND ($3 = '' OR s.specialties @> ARRAY[$3])
    AND ($4 = '' OR s.languages @> ARRAY[$4])
    AND ($7 = '' OR s.gender = $7)
    AND s.fee_first_visit_minor >= $8::bigint
    AND ($9::bigint < 0 OR s.fee_first_visit_minor <= $9::bigint)
    AND ($5 = '' OR s.modes @> ARRAY[$5])
    AND ($6 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd
                            WHERE fd.local_day = nullif($6, '')::date
                              AND fd.practitioner_id = s.practitioner_id
                              AND ($5 = '' OR fd.mode = $5)
                              AND fd.first_free < now() + fd.horizon
                              AND fd.last_free >= now() + fd.min_notice))
), matched AS (
  SELECT * FROM texts
  UNION ALL
  -- Names by trigram when the text finds less than a page, with the same filters.
  SELECT s.cities, s.specialties, s.languages, s.modes, s.gender, s.fee_first_visit_minor
  FROM org.practitioners p JOIN org.practitioner_search s ON s.practitioner_id = p.id
  WHERE $1 <> '' AND p.display_name % $1 AND NOT s.document @@ websearch_to_tsquery('english', $1)
    AND (SELECT count(*) FROM (SELECT 1 FROM texts LIMIT $13) t) < $13
    AND ($10 = '' OR s.practitioner_id IN (SELECT id FROM nearby))
    AND ($2 = '' OR s.cities && string_to_array($2, '|'))
    AND ($3 = '' OR s.specialties @> ARRAY[$3])
    AND ($4 = '' OR s.languages @> ARRAY[$4])
    AND ($7 = '' OR s.gender = $7)
    AND s.fee_first_visit_minor >= $8::bigint
    AND ($9::bigint < 0 OR s.fee_first_visit_minor <= $9::bigint)
    AND ($5 = '' OR s.modes @> ARRAY[$5])
    AND ($6 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd
                            WHERE fd.local_day = nullif($6, '')::date
                              AND fd.practitioner_id = s.practitioner_id
                              AND ($5 = '' OR fd.mode = $5)
                              AND fd.first_free < now() + fd.horizon
                              AND fd.last_free >= now() + fd.min_notice))
),
-- One pass: each match unnested into rows of its values (shorter lists padded with NULL),
-- counted per facet by grouping sets; every match has one fee range, so theirs add up to the
-- number of matches.
counted AS (
  SELECT CASE WHEN grouping(u.specialty) = 0 THEN 'specialty' WHEN grouping(u.city) = 0 THEN 'city'
              WHEN grouping(u.language) = 0 THEN 'language' WHEN grouping(u.mode) = 0 THEN 'mode'
              WHEN grouping(u.gender) = 0 THEN 'gender' ELSE 'fee' END AS facet,
         coalesce(u.specialty, initcap(u.city), u.language, u.mode, u.gender, u.fee::text) AS value,
         count(*) AS n
  FROM matched m,
       unnest(m.specialties, m.cities, m.languages, m.modes, ARRAY[m.gender],
              ARRAY[width_bucket(m.fee_first_visit_minor, $14::bigint[])])
         AS u (specialty, city, language, mode, gender, fee)
  GROUP BY GROUPING SETS ((u.specialty), (u.city), (u.language), (u.mode), (u.gender), (u.fee))
), ranked AS (
  SELECT c.*, row_number() OVER (PARTITION BY c.facet ORDER BY c.n DESC, c.value) AS k
  FROM counted c WHERE c.value IS NOT NULL  -- the padding, and genders not said
)
SELECT facet, value, n FROM ranked WHERE k <= 20 OR facet = 'fee'
