UPDATE iam.refresh_tokens SET revoked_at = now(), revoked_reason = $2
 WHERE user_id = $1::uuid AND revoked_at IS NULL AND family_id IS DISTINCT FROM nullif($3, '')::uuid
RETURNING family_id::text AS family_id, created_at > now() - make_interval(secs => $4) AS recent
