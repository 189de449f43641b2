-- A practitioner's profile as the org service reads it (storage reads columns by name), in one
-- place for the lookups and the five search statements that end with a page of profiles.
-- `pid` and `uid` are the keys to join and filter on (the view is inlined: their indexes serve).
CREATE VIEW org.practitioner_profiles AS
SELECT p.id AS pid, p.user_id AS uid,
       p.id::text AS id, p.user_id::text AS user_id, p.display_name,
       p.specialties::text AS specialties, p.qualifications::text AS qualifications,
       p.registration_number, p.languages::text AS languages, p.years_of_experience, p.bio,
       p.consultation_modes::text AS consultation_modes, p.fee_first_visit_minor,
       p.fee_follow_up_minor, p.currency, extract(epoch from p.created_at)::bigint AS created_at,
       extract(epoch from p.updated_at)::bigint AS updated_at,
       coalesce(p.photo_version, '') AS photo_version
FROM org.practitioners p;
