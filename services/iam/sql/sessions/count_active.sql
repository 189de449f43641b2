SELECT count(DISTINCT family_id) AS sessions FROM iam.refresh_tokens
 WHERE user_id = $1::uuid AND revoked_at IS NULL AND rotated_at IS NULL AND expires_at > now()
