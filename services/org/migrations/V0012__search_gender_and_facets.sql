-- Search by the practitioner's gender and by fee (issue 19: facets and filters). Many
-- patients ask for a woman doctor; the profile says it when the practitioner chooses to
-- (NULL: not said, never guessed from a name). Search's read model (V0009) carries it, and
-- the profile view (V0011) shows it.
ALTER TABLE org.practitioners
  ADD COLUMN gender text CHECK (gender IN ('female', 'male', 'other'));
ALTER TABLE org.practitioner_search ADD COLUMN gender text;

-- As V0009's, with the gender, and the ids joined rather than compared one by one: `= ANY`
-- of a function's argument is a linear search per row (hashed only for constants), so one
-- statement linking 100,000 practitioners (bench/scale/org.sql) ran for tens of minutes; a
-- join of the unnested ids takes each by its index, a handful or a hundred thousand.
CREATE OR REPLACE FUNCTION org.refresh_practitioner_search(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM org.practitioner_search s
  WHERE s.practitioner_id IN (SELECT unnest(ids))
    AND NOT EXISTS (SELECT 1 FROM org.practitioner_facilities pf
                    JOIN org.facilities f ON f.id = pf.facility_id
                    JOIN org.organizations o ON o.id = f.organization_id
                    WHERE pf.practitioner_id = s.practitioner_id AND o.status = 'verified');
  INSERT INTO org.practitioner_search AS s (practitioner_id, display_name, document, cities,
    specialties, languages, modes, fee_first_visit_minor, years_of_experience, next_free_day,
    next_free_until, gender)
  SELECT p.id, p.display_name,
         setweight(to_tsvector('english', p.display_name), 'A')
         || setweight(to_tsvector('english', array_to_string(p.specialties, ' ')), 'A')
         || setweight(to_tsvector('english', array_to_string(p.qualifications, ' ')), 'B')
         || setweight(to_tsvector('english', l.places), 'C')
         || setweight(to_tsvector('english', p.bio), 'D'),
         l.cities, p.specialties, p.languages, p.consultation_modes, p.fee_first_visit_minor,
         p.years_of_experience, n.day, n.until, p.gender
  FROM org.practitioners p
  CROSS JOIN LATERAL (
    SELECT array_agg(DISTINCT lower(f.city)) AS cities,
           string_agg(DISTINCT concat_ws(' ', o.legal_name, o.display_name, f.name, f.city), ' ') AS places
    FROM org.practitioner_facilities pf
    JOIN org.facilities f ON f.id = pf.facility_id
    JOIN org.organizations o ON o.id = f.organization_id
    WHERE pf.practitioner_id = p.id AND o.status = 'verified') l
  CROSS JOIN LATERAL org.next_free(p.id) n
  WHERE p.id IN (SELECT unnest(ids)) AND l.cities IS NOT NULL
  ON CONFLICT (practitioner_id) DO UPDATE SET display_name = EXCLUDED.display_name,
    document = EXCLUDED.document, cities = EXCLUDED.cities, specialties = EXCLUDED.specialties,
    languages = EXCLUDED.languages, modes = EXCLUDED.modes,
    fee_first_visit_minor = EXCLUDED.fee_first_visit_minor,
    years_of_experience = EXCLUDED.years_of_experience, next_free_day = EXCLUDED.next_free_day,
    next_free_until = EXCLUDED.next_free_until, gender = EXCLUDED.gender
$$;

-- As V0011's, with the gender ('' when not said) as its last column.
CREATE OR REPLACE VIEW org.practitioner_profiles AS
SELECT p.id AS pid, p.user_id AS uid,
       p.id::text AS id, p.user_id::text AS user_id, p.display_name,
       p.specialties::text AS specialties, p.qualifications::text AS qualifications,
       p.registration_number, p.languages::text AS languages, p.years_of_experience, p.bio,
       p.consultation_modes::text AS consultation_modes, p.fee_first_visit_minor,
       p.fee_follow_up_minor, p.currency, extract(epoch from p.created_at)::bigint AS created_at,
       extract(epoch from p.updated_at)::bigint AS updated_at,
       coalesce(p.photo_version, '') AS photo_version, coalesce(p.gender, '') AS gender
FROM org.practitioners p;
