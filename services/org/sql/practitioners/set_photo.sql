-- The profile photo of user $1, replaced by the JPEG $3 of hash $2 (hex SHA-256); the
-- profile's photo_version becomes its first 16 hex digits. No row: no profile.
WITH p AS (
  UPDATE org.practitioners SET photo_version = left($2, 16), updated_at = now()
  WHERE user_id = $1::uuid RETURNING id
)
INSERT INTO org.practitioner_photos (practitioner_id, jpeg, sha256)
SELECT id, $3::bytea, $2 FROM p
ON CONFLICT (practitioner_id) DO UPDATE
  SET jpeg = EXCLUDED.jpeg, sha256 = EXCLUDED.sha256, uploaded_at = now()
RETURNING practitioner_id::text AS id
