UPDATE iam.one_time_tokens SET used_at = now()
 WHERE token_hash = $1 AND purpose = 'reset_password' AND used_at IS NULL AND expires_at > now()
RETURNING user_id::text AS user_id
