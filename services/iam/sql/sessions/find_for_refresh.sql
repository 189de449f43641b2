SELECT id::text AS id, family_id::text AS family_id, user_id::text AS user_id, amr::text AS amr,
       rotated_at IS NOT NULL AS rotated, revoked_at IS NOT NULL AS revoked, expires_at <= now() AS expired
  FROM iam.refresh_tokens WHERE token_hash = $1 FOR UPDATE
