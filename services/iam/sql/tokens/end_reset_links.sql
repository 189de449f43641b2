UPDATE iam.one_time_tokens SET used_at = now()
 WHERE user_id = $1::uuid AND purpose = 'reset_password' AND used_at IS NULL
