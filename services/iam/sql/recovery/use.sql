UPDATE iam.recovery_codes SET used_at = now()
 WHERE user_id = $1::uuid AND code_hash = $2 AND used_at IS NULL RETURNING 1 AS used
