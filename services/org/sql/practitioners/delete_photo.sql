-- Removes the profile photo of user $1.
WITH p AS (
  UPDATE org.practitioners SET photo_version = NULL, updated_at = now()
  WHERE user_id = $1::uuid AND photo_version IS NOT NULL RETURNING id
)
DELETE FROM org.practitioner_photos WHERE practitioner_id IN (SELECT id FROM p)
