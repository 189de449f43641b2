-- Practitioners of verified organizations matching the filters ('' for none; the text $1 is
-- practitioners_text.sql's, the point practitioners_near.sql's): $2 city
-- (every name of it, lower-case, '|'-separated),
-- $3 specialty, $4 language, $5 mode, $10 a day with free slots (the read model of the
-- appointment service's free days, migration V0004). Keyset pages by score then id: after
-- ($7, $8) when $6. $11 the order: '' relevance (without text all tie: by id, which lets a
-- page stop early instead of ranking every match), 'soonest' (free day), 'fee' (first visit,
-- lowest first), 'experience' (years, most first) — each a score, so one keyset serves all.
WITH matched AS (
  SELECT p.*,
         (SELECT min(fd.local_day) FROM org.practitioner_free_days fd
           WHERE fd.practitioner_id = p.id AND ($5 = '' OR fd.mode = $5)
             AND fd.local_day >= current_date - 1
             AND fd.first_free < now() + fd.horizon
             AND fd.last_free >= now() + fd.min_notice) AS next_free_day
  FROM org.practitioners p
  WHERE $1 = ''  -- text: practitioners_text.sql
    AND EXISTS (SELECT 1 FROM org.practitioner_facilities pf
                JOIN org.facilities f ON f.id = pf.facility_id
                JOIN org.organizations o ON o.id = f.organization_id
                WHERE pf.practitioner_id = p.id AND o.status = 'verified'
                  AND ($2 = '' OR lower(f.city) = ANY (string_to_array($2, '|'))))
    AND ($3 = '' OR $3 = ANY (p.specialties))
    AND ($4 = '' OR $4 = ANY (p.languages))
    AND ($5 = '' OR $5 = ANY (p.consultation_modes))
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
           ELSE 0::numeric
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
