SELECT p.id::text AS id, p.user_id::text AS user_id, p.display_name,
       p.specialties::text AS specialties, p.qualifications::text AS qualifications,
       p.registration_number, p.languages::text AS languages, p.years_of_experience, p.bio,
       p.consultation_modes::text AS consultation_modes, p.fee_first_visit_minor,
       p.fee_follow_up_minor, p.currency, extract(epoch from p.created_at)::bigint AS created_at,
       extract(epoch from p.updated_at)::bigint AS updated_at,
       coalesce(p.photo_version, '') AS photo_version
FROM org.practitioners p WHERE p.user_id = $1::uuid
