-- A user's practitioner profile, created or replaced (search's read model follows by trigger,
-- migration V0009). Gender, HPR ID and HPR address '' when not given (NULL); an HPR ID or
-- address another profile holds fails the unique indexes of V0013.
INSERT INTO org.practitioners (user_id, display_name, specialties, qualifications,
  registration_number, languages, years_of_experience, bio, consultation_modes,
  fee_first_visit_minor, fee_follow_up_minor, currency, gender, hpr_id, hpr_address)
VALUES ($1::uuid, $2, $3::text[], $4::text[], $5, $6::text[], $7, $8, $9::text[], $10, $11, $12,
        nullif($13, ''), nullif($14, ''), nullif($15, ''))
ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name,
  specialties = EXCLUDED.specialties, qualifications = EXCLUDED.qualifications,
  registration_number = EXCLUDED.registration_number, languages = EXCLUDED.languages,
  years_of_experience = EXCLUDED.years_of_experience, bio = EXCLUDED.bio,
  consultation_modes = EXCLUDED.consultation_modes,
  fee_first_visit_minor = EXCLUDED.fee_first_visit_minor,
  fee_follow_up_minor = EXCLUDED.fee_follow_up_minor, currency = EXCLUDED.currency,
  gender = EXCLUDED.gender, hpr_id = EXCLUDED.hpr_id, hpr_address = EXCLUDED.hpr_address,
  updated_at = now()
RETURNING id::text AS id
