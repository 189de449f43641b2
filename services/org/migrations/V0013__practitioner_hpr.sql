-- The practitioner's identity in India's Healthcare Professionals Registry (issue 16, UHI):
-- the 14-digit HPR ID ("71-4453-8853-6840") and the HPR address ("meera.iyer@hpr.abdm")
-- by which patient apps on the Unified Health Interface name the doctor. Both optional, as
-- the practitioner gives them (stored normalized by the service), and each names one
-- professional: no two profiles share one.
ALTER TABLE org.practitioners
  ADD COLUMN hpr_id text CHECK (hpr_id ~ '^[0-9]{2}-[0-9]{4}-[0-9]{4}-[0-9]{4}$'),
  ADD COLUMN hpr_address text CHECK (hpr_address ~ '^[a-z0-9][a-z0-9._-]{2,63}@hpr\.(abdm|ndhm)$');
CREATE UNIQUE INDEX practitioners_hpr_id_key ON org.practitioners (hpr_id) WHERE hpr_id IS NOT NULL;
CREATE UNIQUE INDEX practitioners_hpr_address_key ON org.practitioners (hpr_address)
  WHERE hpr_address IS NOT NULL;

-- As V0012's, with the two ('' when not given) as its last columns.
CREATE OR REPLACE VIEW org.practitioner_profiles AS
SELECT p.id AS pid, p.user_id AS uid,
       p.id::text AS id, p.user_id::text AS user_id, p.display_name,
       p.specialties::text AS specialties, p.qualifications::text AS qualifications,
       p.registration_number, p.languages::text AS languages, p.years_of_experience, p.bio,
       p.consultation_modes::text AS consultation_modes, p.fee_first_visit_minor,
       p.fee_follow_up_minor, p.currency, extract(epoch from p.created_at)::bigint AS created_at,
       extract(epoch from p.updated_at)::bigint AS updated_at,
       coalesce(p.photo_version, '') AS photo_version, coalesce(p.gender, '') AS gender,
       coalesce(p.hpr_id, '') AS hpr_id, coalesce(p.hpr_address, '') AS hpr_address
FROM org.practitioners p;
