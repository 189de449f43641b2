UPDATE iam.refresh_tokens SET revoked_at = now(), revoked_reason = 'logout'
 WHERE family_id = (SELECT family_id FROM iam.refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL
RETURNING user_id::text AS user_id, family_id::text AS family_id
