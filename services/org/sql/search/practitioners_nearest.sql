-- Practitioners of verified organizations with a facility within $14 metres of the point
-- ($12 latitude, $13 longitude), nearest first — near me without text (a specialty word is a
-- filter by then) — with the filters of practitioners.sql ($2 city, $3 specialty, $4
-- language, $5 mode, $10 free day, $15
-- gender, $16..$17 fee) from search's read model (V0009).
-- Facilities are walked nearest first by their GiST index (KNN, `<->`: distance on the
-- sphere, in metres), each practitioner at its nearest one, so a page stops after `limit`
-- rows instead of ranking everyone within the radius. Keyset: the distance as the score
-- ($7, negated: nearer is greater), then id ($8), when $6. $1 and $11 are '' and 'distance'.
-- (The point is written out where it is used: an index orders by `<->` only against a value
-- known before the scan, not a column of another relation.)
WITH walk AS (
  SELECT pf.practitioner_id, f.facility_id, f.meters
  FROM (SELECT f.id AS facility_id, f.location <-> public.ST_SetSRID(public.ST_MakePoint($13::float8, $12::float8), 4326)::public.geography AS meters
        FROM org.facilities f
        JOIN org.organizations o ON o.id = f.organization_id
        WHERE public.ST_DWithin(f.location, public.ST_SetSRID(public.ST_MakePoint($13::float8, $12::float8), 4326)::public.geography, $14::float8, false)
          AND o.status = 'verified'
          AND ($2 = '' OR lower(f.city) = ANY (string_to_array($2, '|')))
        ORDER BY 2 OFFSET 0) f  -- kept apart and in order: the page sorts each facility's few
  JOIN org.practitioner_facilities pf ON pf.facility_id = f.facility_id
), page AS (
  SELECT w.practitioner_id, w.meters, s.next_free_day, s.next_free_until
  FROM walk w JOIN org.practitioner_search s ON s.practitioner_id = w.practitioner_id
  WHERE $1 = '' AND $11 = 'distance'
    AND ($3 = '' OR s.specialties @> ARRAY[$3])
    AND ($4 = '' OR s.languages @> ARRAY[$4])
    AND ($15 = '' OR s.gender = $15)
    AND s.fee_first_visit_minor >= $16::bigint
    AND ($17::bigint < 0 OR s.fee_first_visit_minor <= $17::bigint)
    AND ($5 = '' OR s.modes @> ARRAY[$5])
    AND ($10 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd
                             WHERE fd.local_day = nullif($10, '')::date
                               AND fd.practitioner_id = s.practitioner_id
                               AND ($5 = '' OR fd.mode = $5)
                               AND fd.first_free < now() + fd.horizon
                               AND fd.last_free >= now() + fd.min_notice))
    -- Its nearest facility of those walked (8 % of practitioners have two).
    AND NOT EXISTS (SELECT 1 FROM org.practitioner_facilities pf2
                    JOIN org.facilities f2 ON f2.id = pf2.facility_id
                    JOIN org.organizations o2 ON o2.id = f2.organization_id
                    WHERE pf2.practitioner_id = w.practitioner_id AND pf2.facility_id <> w.facility_id
                      AND o2.status = 'verified'
                      AND ($2 = '' OR lower(f2.city) = ANY (string_to_array($2, '|')))
                      AND ((f2.location <-> public.ST_SetSRID(public.ST_MakePoint($13::float8, $12::float8), 4326)::public.geography) < w.meters
                           OR ((f2.location <-> public.ST_SetSRID(public.ST_MakePoint($13::float8, $12::float8), 4326)::public.geography) = w.meters
                               AND f2.id < w.facility_id)))
    AND (NOT $6 OR -w.meters < $7::float8 OR (-w.meters = $7::float8 AND w.practitioner_id > $8::uuid))
  ORDER BY w.meters, w.practitioner_id LIMIT $9
), shown AS (
  SELECT g.*,
         CASE WHEN $5 = '' AND g.next_free_until >= now() THEN g.next_free_day
              ELSE (SELECT min(fd.local_day) FROM org.practitioner_free_days fd
                     WHERE fd.practitioner_id = g.practitioner_id AND ($5 = '' OR fd.mode = $5)
                       AND fd.local_day >= current_date - 1
                       AND fd.first_free < now() + fd.horizon
                       AND fd.last_free >= now() + fd.min_notice) END AS next_free
  FROM page g
)
SELECT v.*, (-g.meters)::text AS score,
       coalesce(g.next_free::text, '') AS next_free_day, round(g.meters)::integer AS meters
FROM shown g JOIN org.practitioner_profiles v ON v.pid = g.practitioner_id
ORDER BY g.meters, g.practitioner_id
